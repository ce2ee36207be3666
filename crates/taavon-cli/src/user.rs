//! `taavon user add`: a user account from the command line, its password from
//! `TAAVON_PASSWORD` or asked for.

use std::process::ExitCode;

use clap::{Args, Subcommand};
use taavon_app::clock;
use taavon_app::users::{Caller, PasswordRule, UserInput};
use taavon_core::access::RoleKind;

use crate::plumbing::{DbArgs, config_with, open, report, runtime};

#[derive(Subcommand)]
pub enum UserCommand {
    /// Create a user account. The password is read from TAAVON_PASSWORD or asked for.
    Add(UserAddArgs),
}

#[derive(Args)]
pub struct UserAddArgs {
    #[command(flatten)]
    pub db: DbArgs,
    pub username: String,
    /// ministry_admin, provincial_officer, bank_officer, agency_officer,
    /// cooperative_representative or auditor.
    #[arg(long, value_parser = role_kind)]
    pub role: RoleKind,
    #[arg(long)]
    pub name: Option<String>,
    /// The province of a provincial officer or representative (IR-16), or one of a bank or
    /// agency officer's (none: the head office, every province).
    #[arg(long)]
    pub province: Vec<String>,
    /// The bank of a bank officer (022).
    #[arg(long)]
    pub bank: Option<String>,
    /// The agency of an agency officer (sso).
    #[arg(long)]
    pub agency: Option<String>,
    /// The cooperative of a representative.
    #[arg(long)]
    pub cooperative: Option<i64>,
    /// The festival (its Jalali year) of a judge.
    #[arg(long)]
    pub festival_year: Option<i32>,
}

/// `--role` read into the core's role kinds, so a misspelt role stops at the command line.
fn role_kind(code: &str) -> Result<RoleKind, String> {
    RoleKind::parse(code).ok_or_else(|| {
        let known: Vec<&str> = RoleKind::ALL.iter().map(|kind| kind.code()).collect();
        format!("unknown role {code:?}: one of {}", known.join(", "))
    })
}

pub fn user(command: UserCommand) -> anyhow::Result<ExitCode> {
    let UserCommand::Add(args) = command;
    let config = config_with(&args.db)?;
    let password = match std::env::var("TAAVON_PASSWORD") {
        Ok(password) => password,
        Err(_) => {
            eprint!("password for {}: ", args.username);
            let mut line = String::new();
            std::io::stdin().read_line(&mut line)?;
            line.trim_end_matches(['\n', '\r']).to_owned()
        }
    };
    let mut provinces = args.province.clone();
    let province = if matches!(args.role, RoleKind::BankOfficer | RoleKind::AgencyOfficer) {
        None
    } else {
        provinces.pop()
    };
    let input = UserInput {
        display_name: args.name.clone().unwrap_or_else(|| args.username.clone()),
        username: args.username,
        password,
        role: args.role.code().to_owned(),
        province,
        provinces,
        bank: args.bank,
        agency: args.agency,
        cooperative_id: args.cooperative,
        festival_year: args.festival_year,
    };
    runtime()?.block_on(async {
        let store = open(&config).await?;
        let result = taavon_app::users::add_user(
            &store,
            Caller::Operator("cli"),
            &input,
            PasswordRule::Standard,
            None,
            clock::now(),
        )
        .await;
        store.close().await;
        report(result.map(|id| println!("created user {} (id {id})", input.username)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_role_is_read_into_its_kind_and_an_unknown_one_names_the_known_ones() {
        // Establishes that `--role` is checked at the command line, not compared later.
        assert_eq!(role_kind("bank_officer"), Ok(RoleKind::BankOfficer));
        let error = role_kind("banker").unwrap_err();
        assert!(error.starts_with("unknown role \"banker\": one of ministry_admin"));
        assert!(error.contains("auditor"));
    }
}
