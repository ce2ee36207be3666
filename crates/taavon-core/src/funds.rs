//! The chart of accounts of the pooled funds: the kinds of account, each the ledger's
//! account `code` and the label reports name it by.

use crate::coded::coded_enum;

/// The kinds of account in the chart (the ledger's account `code`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
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

coded_enum!(AccountKind {
    AgencySource = "agency_source",
    AgencyDeposit = "agency_deposit",
    ProgramSource = "program_source",
    ProgramFund = "program_fund",
    LoanBook = "loan_book",
    Borrowers = "borrowers",
    ProfitIncome = "profit_income",
    FeeIncome = "fee_income",
    PenaltyIncome = "penalty_income",
    ProvisionExpense = "provision_expense",
    ProvisionReserve = "provision_reserve",
});

impl AccountKind {
    /// The ledger's account code for accounts of this kind.
    pub fn ledger_code(self) -> u16 {
        self as u16
    }

    pub fn name_fa(self) -> &'static str {
        self.names().0
    }

    pub fn name_en(self) -> &'static str {
        self.names().1
    }

    fn names(self) -> (&'static str, &'static str) {
        match self {
            AccountKind::AgencySource => ("منابع دستگاه", "Agency contributions"),
            AccountKind::AgencyDeposit => ("سپرده دستگاه نزد بانک", "Agency deposit"),
            AccountKind::ProgramSource => ("اعتبار مصوب برنامه", "Program appropriation"),
            AccountKind::ProgramFund => ("صندوق برنامه", "Program fund"),
            AccountKind::LoanBook => ("تسهیلات پرداختی", "Loans outstanding"),
            AccountKind::Borrowers => ("دریافتی از تسهیلات‌گیرندگان", "Borrowers' payments"),
            AccountKind::ProfitIncome => ("درآمد سود", "Profit income"),
            AccountKind::FeeIncome => ("درآمد کارمزد", "Fee income"),
            AccountKind::PenaltyIncome => ("درآمد وجه التزام", "Late-charge income"),
            AccountKind::ProvisionExpense => ("هزینه ذخیره مطالبات", "Provision expense"),
            AccountKind::ProvisionReserve => ("ذخیره مطالبات", "Provision reserve"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_has_its_own_ledger_code_and_label() {
        // Establishes that the ledger codes and the report labels name each kind once.
        let mut codes: Vec<u16> = AccountKind::ALL.iter().map(|k| k.ledger_code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), AccountKind::ALL.len());
        for kind in AccountKind::ALL {
            assert_eq!(AccountKind::parse(kind.code()), Some(*kind));
        }
    }
}
