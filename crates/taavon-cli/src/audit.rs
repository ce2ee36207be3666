//! `taavon audit`: verify the chain (with the audit key, every MAC too; against a
//! checkpoint, that nothing before it changed or was cut), print a checkpoint to keep
//! elsewhere, and make a new audit key.

use std::io::Write;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use taavon_store::{AuditCheckpoint, AuditVerification, Store};

use crate::plumbing::{DbArgs, config_with, exit_code, open_store, runtime};

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Recompute the hash chain (and, with the audit key, every MAC); exit 1 and name
    /// the first broken link, or the first missing record, if any.
    Verify(VerifyArgs),
    /// Verify the chain, then print its head with a MAC made with the audit key (one line
    /// of JSON) to keep outside the database.
    Checkpoint(DbArgs),
    /// Write a new random audit key to a file (never overwriting one).
    Key(KeyArgs),
}

#[derive(Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// A checkpoint printed by `taavon audit checkpoint`: prove that every record up to
    /// it is still there, unchanged (needs the audit key).
    #[arg(long = "since-checkpoint", value_name = "FILE")]
    pub since_checkpoint: Option<String>,
}

#[derive(Args)]
pub struct KeyArgs {
    /// Where to write the key (created readable by its owner only).
    #[arg(long = "out", value_name = "FILE")]
    pub out: String,
}

pub fn audit(command: AuditCommand) -> anyhow::Result<ExitCode> {
    match command {
        AuditCommand::Verify(args) => verify(&args),
        AuditCommand::Checkpoint(args) => checkpoint(&args),
        AuditCommand::Key(args) => key(&args),
    }
}

fn verify(args: &VerifyArgs) -> anyhow::Result<ExitCode> {
    let config = config_with(&args.db)?;
    let checkpoint = match &args.since_checkpoint {
        None => None,
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|error| anyhow::anyhow!("reading the checkpoint {path}: {error}"))?;
            Some(AuditCheckpoint::parse_json(&text)?)
        }
    };
    runtime()?.block_on(async {
        let store = open_store(&config).await?;
        let verification = match &checkpoint {
            None => taavon_app::audit::verify(&store).await?,
            Some(checkpoint) => taavon_app::audit::verify_since(&store, checkpoint).await?,
        };
        store.close().await;
        Ok(exit_code(report(&verification, checkpoint.as_ref())))
    })
}

/// Verifies the audit chain of `store` (every MAC too, with the key) and prints the
/// outcome; whether it is intact.
pub(crate) async fn verify_store(store: &Store) -> anyhow::Result<bool> {
    let verification = taavon_app::audit::verify(store).await?;
    Ok(report(&verification, None))
}

/// Prints the outcome: intact (with what was and was not checked), or the first broken
/// link; whether it is intact.
fn report(verification: &AuditVerification, checkpoint: Option<&AuditCheckpoint>) -> bool {
    if let Some(link) = &verification.first_broken {
        println!("audit trail broken at record {}: {}", link.seq, link.reason);
        return false;
    }
    let keyed = match (verification.head.keyed_from, verification.macs_checked) {
        (Some(from), true) => format!(", MACs checked from record {from}"),
        (Some(from), false) => format!(", keyed from record {from} but MACs NOT checked"),
        (None, _) => ", NOT keyed".to_owned(),
    };
    let since = checkpoint.map_or_else(String::new, |c| {
        format!(", every record up to checkpoint {} unchanged", c.head.seq)
    });
    println!(
        "audit trail intact: {} records{keyed}{since}",
        verification.records_checked
    );
    if !verification.macs_checked {
        eprintln!(
            "warning: no audit key configured (audit_key_file, TAAVON_AUDIT_KEY_FILE): only \
             the hash chain was checked, which anyone who can write the database can rebuild"
        );
    }
    true
}

fn checkpoint(args: &DbArgs) -> anyhow::Result<ExitCode> {
    let config = config_with(args)?;
    runtime()?.block_on(async {
        let store = open_store(&config).await?;
        let made = taavon_app::audit::checkpoint(&store).await;
        store.close().await;
        match made? {
            Ok(checkpoint) => {
                println!("{}", checkpoint.to_json());
                Ok(ExitCode::SUCCESS)
            }
            Err(broken) => Ok(exit_code(report(&broken, None))),
        }
    })
}

fn key(args: &KeyArgs) -> anyhow::Result<ExitCode> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(&args.out)
        .map_err(|error| anyhow::anyhow!("creating {}: {error}", args.out))?;
    writeln!(file, "{}", taavon_app::audit::generate_key().to_hex())?;
    println!(
        "wrote a new audit key to {}; set audit_key_file (or TAAVON_AUDIT_KEY_FILE) to it, \
         and keep a copy where the database and its backups are not",
        args.out
    );
    Ok(ExitCode::SUCCESS)
}
