//! The chart of accounts of the pooled funds: the kinds of account, each account named
//! by what it stands for (an agency's deposit at a bank, a program's fund in a province,
//! a loan book, income, provisions), its id derived from that name, and opening the
//! accounts a movement needs.

use sha2::{Digest, Sha256};
use taavon_ledger::{Account, AccountFlags};
use taavon_store::{LedgerAccount, WriteTx};

use crate::AppError;

/// The one ledger: Iranian rials.
pub const LEDGER_IRR: u32 = 1;

/// The kinds of account in the chart (the ledger's account `code`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u16)]
pub enum AccountKind {
    /// Where an agency's money comes from (outside the pooled funds).
    AgencySource = 1,
    /// An agency's deposit at one bank; never overdrawn.
    AgencyDeposit = 2,
    /// A program's public source (Note 18, Article 56, trips …).
    ProgramSource = 3,
    /// A program's fund in one province; never overdrawn.
    ProgramFund = 4,
    /// The principal lent from a program fund in a province and not yet repaid.
    LoanBook = 5,
    /// Borrowers' payments of profit, fees and late charges at one bank.
    Borrowers = 6,
    ProfitIncome = 7,
    FeeIncome = 8,
    PenaltyIncome = 9,
    ProvisionExpense = 10,
    ProvisionReserve = 11,
}

impl AccountKind {
    const ALL: [AccountKind; 11] = [
        AccountKind::AgencySource,
        AccountKind::AgencyDeposit,
        AccountKind::ProgramSource,
        AccountKind::ProgramFund,
        AccountKind::LoanBook,
        AccountKind::Borrowers,
        AccountKind::ProfitIncome,
        AccountKind::FeeIncome,
        AccountKind::PenaltyIncome,
        AccountKind::ProvisionExpense,
        AccountKind::ProvisionReserve,
    ];

    /// The kind as reports name it, then in Persian and in English.
    fn names(self) -> (&'static str, &'static str, &'static str) {
        match self {
            AccountKind::AgencySource => ("agency_source", "منابع دستگاه", "Agency contributions"),
            AccountKind::AgencyDeposit => {
                ("agency_deposit", "سپرده دستگاه نزد بانک", "Agency deposit")
            }
            AccountKind::ProgramSource => (
                "program_source",
                "اعتبار مصوب برنامه",
                "Program appropriation",
            ),
            AccountKind::ProgramFund => ("program_fund", "صندوق برنامه", "Program fund"),
            AccountKind::LoanBook => ("loan_book", "تسهیلات پرداختی", "Loans outstanding"),
            AccountKind::Borrowers => (
                "borrowers",
                "دریافتی از تسهیلات‌گیرندگان",
                "Borrowers' payments",
            ),
            AccountKind::ProfitIncome => ("profit_income", "درآمد سود", "Profit income"),
            AccountKind::FeeIncome => ("fee_income", "درآمد کارمزد", "Fee income"),
            AccountKind::PenaltyIncome => {
                ("penalty_income", "درآمد وجه التزام", "Late-charge income")
            }
            AccountKind::ProvisionExpense => (
                "provision_expense",
                "هزینه ذخیره مطالبات",
                "Provision expense",
            ),
            AccountKind::ProvisionReserve => {
                ("provision_reserve", "ذخیره مطالبات", "Provision reserve")
            }
        }
    }

    /// The kind as reports name it.
    pub fn code(self) -> &'static str {
        self.names().0
    }

    pub fn name_fa(self) -> &'static str {
        self.names().1
    }

    pub fn name_en(self) -> &'static str {
        self.names().2
    }

    pub fn parse(code: &str) -> Option<AccountKind> {
        Self::ALL.into_iter().find(|kind| kind.code() == code)
    }
}

pub(super) fn id_of(key: &str) -> u128 {
    let digest = Sha256::digest(key.as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(digest.get(..16).unwrap_or(&[0; 16]));
    // Neither 0 nor u128::MAX is a valid id; a digest landing there is shifted by one.
    match u128::from_be_bytes(bytes) {
        0 => 1,
        u128::MAX => u128::MAX - 1,
        id => id,
    }
}

pub fn hex_id(id: u128) -> String {
    format!("{id:032x}")
}

pub(super) fn parse_hex_id(text: &str) -> Result<u128, AppError> {
    u128::from_str_radix(text, 16)
        .map_err(|_| AppError::Internal(format!("bad ledger id {text:?}")))
}

/// One account of the chart, by what it stands for.
#[derive(Clone, Debug)]
pub(super) struct Chart {
    key: String,
    kind: AccountKind,
    name: String,
    province: Option<String>,
}

impl Chart {
    pub(super) fn new(
        kind: AccountKind,
        parts: &[&str],
        name: String,
        province: Option<&str>,
    ) -> Self {
        Chart {
            key: format!("{}:{}", kind.code(), parts.join(":")),
            kind,
            name,
            province: province.map(str::to_owned),
        }
    }

    pub(super) fn id(&self) -> u128 {
        id_of(&self.key)
    }

    fn flags(&self) -> AccountFlags {
        match self.kind {
            AccountKind::AgencyDeposit | AccountKind::ProgramFund | AccountKind::LoanBook => {
                AccountFlags::DEBITS_MUST_NOT_EXCEED_CREDITS
            }
            _ => AccountFlags::NONE,
        }
    }

    fn spec(&self) -> LedgerAccount {
        LedgerAccount {
            account: Account {
                id: self.id(),
                ledger: LEDGER_IRR,
                code: self.kind as u16,
                flags: self.flags(),
                ..Account::default()
            },
            name: self.name.clone(),
            province: self.province.clone(),
            kind: self.kind.code().to_owned(),
        }
    }
}

/// The accounts one loan's money moves through.
#[derive(Clone, Copy, Debug)]
pub struct LoanBook<'a> {
    pub program: &'a str,
    pub province: &'a str,
    pub bank: &'a str,
}

impl LoanBook<'_> {
    pub(super) fn fund(&self) -> Chart {
        program_fund(self.program, self.province)
    }

    pub(super) fn book(&self) -> Chart {
        Chart::new(
            AccountKind::LoanBook,
            &[self.program, self.province],
            format!("loans of {} in {}", self.program, self.province),
            Some(self.province),
        )
    }

    pub(super) fn borrowers(&self) -> Chart {
        Chart::new(
            AccountKind::Borrowers,
            &[self.bank],
            format!("borrowers at bank {}", self.bank),
            None,
        )
    }

    pub(super) fn income(&self, kind: AccountKind) -> Chart {
        Chart::new(
            kind,
            &[self.program],
            format!("{} of {}", kind.code(), self.program),
            None,
        )
    }

    pub(super) fn all(&self) -> Vec<Chart> {
        vec![
            self.fund(),
            self.book(),
            self.borrowers(),
            self.income(AccountKind::ProfitIncome),
            self.income(AccountKind::FeeIncome),
            self.income(AccountKind::PenaltyIncome),
        ]
    }
}

/// Whose money a pooled-funds account holds, read back from the name the chart gave it
/// (`agency_accounts`, `program_fund`, `LoanBook::book`), so pages name it in words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FundHolder {
    /// An agency's deposit at a bank.
    AgencyAtBank { agency: String, bank: String },
    /// A program's money in a province (its fund, or the loans it has lent there).
    ProgramInProvince { program: String, province: String },
}

impl FundHolder {
    /// The holder of an account of `kind` named `name`; none for a kind the pooled funds do
    /// not list or a name the chart did not write.
    pub fn of(kind: AccountKind, name: &str) -> Option<FundHolder> {
        let program_in = |rest: &str| {
            let (program, province) = rest.split_once(" in ")?;
            Some(FundHolder::ProgramInProvince {
                program: program.to_owned(),
                province: province.to_owned(),
            })
        };
        match kind {
            AccountKind::AgencyDeposit => {
                let (agency, bank) = name.split_once(" deposit at bank ")?;
                Some(FundHolder::AgencyAtBank {
                    agency: agency.to_owned(),
                    bank: bank.to_owned(),
                })
            }
            AccountKind::ProgramFund => program_in(name.strip_prefix("fund of ")?),
            AccountKind::LoanBook => program_in(name.strip_prefix("loans of ")?),
            _ => None,
        }
    }

    /// The agency whose deposit this is.
    pub fn agency(&self) -> Option<&str> {
        match self {
            FundHolder::AgencyAtBank { agency, .. } => Some(agency),
            FundHolder::ProgramInProvince { .. } => None,
        }
    }
}

pub(super) fn program_fund(program: &str, province: &str) -> Chart {
    Chart::new(
        AccountKind::ProgramFund,
        &[program, province],
        format!("fund of {program} in {province}"),
        Some(province),
    )
}

pub(super) fn provision_accounts(province: &str) -> (Chart, Chart) {
    (
        Chart::new(
            AccountKind::ProvisionExpense,
            &[province],
            format!("provision expense in {province}"),
            Some(province),
        ),
        Chart::new(
            AccountKind::ProvisionReserve,
            &[province],
            format!("provision reserve in {province}"),
            Some(province),
        ),
    )
}

pub(super) fn agency_accounts(agency: &str, bank: &str) -> (Chart, Chart) {
    (
        Chart::new(
            AccountKind::AgencySource,
            &[agency],
            format!("{agency} contributions"),
            None,
        ),
        Chart::new(
            AccountKind::AgencyDeposit,
            &[agency, bank],
            format!("{agency} deposit at bank {bank}"),
            None,
        ),
    )
}

/// Opens the accounts not yet in the ledger; an account already there must be the same.
pub(super) async fn ensure(write: &mut WriteTx, charts: &[Chart]) -> Result<(), AppError> {
    let specs: Vec<LedgerAccount> = charts.iter().map(Chart::spec).collect();
    let results = write.create_ledger_accounts(&specs).await?;
    match results.iter().find(|r| !r.is_success()) {
        None => Ok(()),
        Some(result) => Err(AppError::Internal(format!(
            "the chart of accounts disagrees: {result}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names the chart writes are the names `FundHolder::of` reads back.
    #[test]
    fn fund_holders_read_back_the_charts_names() {
        let book = LoanBook {
            program: "note18",
            province: "IR-16",
            bank: "022",
        };
        let in_ilam = Some(FundHolder::ProgramInProvince {
            program: "note18".into(),
            province: "IR-16".into(),
        });
        assert_eq!(FundHolder::of(book.fund().kind, &book.fund().name), in_ilam);
        assert_eq!(FundHolder::of(book.book().kind, &book.book().name), in_ilam);
        let (_, deposit) = agency_accounts("sso", "022");
        assert_eq!(
            FundHolder::of(deposit.kind, &deposit.name),
            Some(FundHolder::AgencyAtBank {
                agency: "sso".into(),
                bank: "022".into()
            })
        );
        assert_eq!(
            FundHolder::of(book.borrowers().kind, &book.borrowers().name),
            None
        );
        assert_eq!(
            FundHolder::of(AccountKind::ProgramFund, "something else"),
            None
        );
    }
}
