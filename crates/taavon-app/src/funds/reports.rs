//! What the pooled funds hold, as far as a principal may see them, and the trial balance.

use taavon_core::access::{LedgerView, Principal, ledger_view};
use taavon_store::{LedgerAccount, LedgerAccountFilter, Store, TrialBalanceRow};

use super::chart::{AccountKind, FundHolder};
use crate::AppError;

/// One account as the pooled-funds page shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FundLine {
    pub name: String,
    pub kind: String,
    /// Whose money it is, for naming the account in words; none for a name the chart did
    /// not write.
    pub holder: Option<FundHolder>,
    pub province: Option<String>,
    /// Posted credits less posted debits.
    pub balance: i64,
    /// Reserved by pending transfers (contracts not yet disbursed).
    pub reserved: i64,
}

impl From<&LedgerAccount> for FundLine {
    fn from(a: &LedgerAccount) -> Self {
        FundLine {
            name: a.name.clone(),
            kind: a.kind.clone(),
            holder: AccountKind::parse(&a.kind).and_then(|kind| FundHolder::of(kind, &a.name)),
            province: a.province.clone(),
            balance: a.account.credits_posted - a.account.debits_posted,
            reserved: a.account.debits_pending,
        }
    }
}

/// The agencies' deposits and the program funds and loan books, as far as the principal
/// may see them: everything for the ministry and auditors, one agency's deposits for its
/// officer, one province's funds for a provincial officer.
pub async fn pooled_funds(store: &Store, principal: &Principal) -> Result<Vec<FundLine>, AppError> {
    let view = ledger_view(principal);
    if view == LedgerView::None {
        return Err(AppError::Forbidden);
    }
    let mut read = store.read().await?;
    let mut lines = Vec::new();
    for kind in [
        AccountKind::AgencyDeposit,
        AccountKind::ProgramFund,
        AccountKind::LoanBook,
    ] {
        let filter = LedgerAccountFilter {
            code: Some(kind as u16),
            province: match &view {
                LedgerView::Province(province) => Some(province.as_str().to_owned()),
                _ => None,
            },
            limit: 10_000,
            ..LedgerAccountFilter::default()
        };
        for account in read.ledger_accounts(&filter).await? {
            let line = FundLine::from(&account);
            let visible = match &view {
                LedgerView::Agency(agency) => {
                    line.holder.as_ref().and_then(FundHolder::agency) == Some(agency.as_str())
                }
                LedgerView::Province(_) => kind != AccountKind::AgencyDeposit,
                LedgerView::All => true,
                LedgerView::None => false,
            };
            if visible {
                lines.push(line);
            }
        }
    }
    read.finish().await?;
    Ok(lines)
}

/// The trial balance (the ministry's and auditors').
pub async fn trial_balance(
    store: &Store,
    principal: &Principal,
) -> Result<Vec<TrialBalanceRow>, AppError> {
    if ledger_view(principal) != LedgerView::All {
        return Err(AppError::Forbidden);
    }
    let mut read = store.read().await?;
    let rows = read.trial_balance().await?;
    read.finish().await?;
    Ok(rows)
}
