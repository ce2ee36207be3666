//! What the pooled funds hold, as far as a principal may see them, and the trial balance.

use taavon_core::access::{LedgerView, Principal, ledger_view};
use taavon_store::{LedgerAccount, LedgerAccountFilter, Store};

use super::chart::{AccountKind, FundHolder};
use crate::AppError;

/// One account as the pooled-funds page shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FundLine {
    pub name: String,
    pub kind: AccountKind,
    /// Whose money it is, for naming the account in words; none for a name the chart did
    /// not write.
    pub holder: Option<FundHolder>,
    pub province: Option<String>,
    /// Posted credits less posted debits.
    pub balance: i64,
    /// Reserved by pending transfers (contracts not yet disbursed).
    pub reserved: i64,
}

impl FundLine {
    /// An account read by its `kind`'s ledger code.
    fn of(kind: AccountKind, a: &LedgerAccount) -> Self {
        FundLine {
            name: a.name.clone(),
            kind,
            holder: FundHolder::of(kind, &a.name),
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
            code: Some(kind.ledger_code()),
            province: match &view {
                LedgerView::Province(province) => Some(province.as_str().to_owned()),
                _ => None,
            },
            limit: 10_000,
            ..LedgerAccountFilter::default()
        };
        for account in read.ledger_accounts(&filter).await? {
            let line = FundLine::of(kind, &account);
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

/// One line of the trial balance: the accounts of one kind and province, summed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrialBalanceLine {
    pub code: u16,
    pub kind: AccountKind,
    pub province: Option<String>,
    pub accounts: i64,
    pub debits_pending: i128,
    pub debits_posted: i128,
    pub credits_pending: i128,
    pub credits_posted: i128,
}

/// The trial balance (the ministry's and auditors').
pub async fn trial_balance(
    store: &Store,
    principal: &Principal,
) -> Result<Vec<TrialBalanceLine>, AppError> {
    if ledger_view(principal) != LedgerView::All {
        return Err(AppError::Forbidden);
    }
    let mut read = store.read().await?;
    let rows = read.trial_balance().await?;
    read.finish().await?;
    // The store's ledger labels accounts as any caller names them; this ledger's accounts
    // are the chart's, so a label outside it is a broken ledger, not a kind to show.
    rows.into_iter()
        .map(|row| {
            let kind = AccountKind::parse(&row.kind).ok_or_else(|| {
                AppError::Internal(format!(
                    "ledger account kind {:?} is not in the chart",
                    row.kind
                ))
            })?;
            Ok(TrialBalanceLine {
                code: row.code,
                kind,
                province: row.province,
                accounts: row.accounts,
                debits_pending: row.debits_pending,
                debits_posted: row.debits_posted,
                credits_pending: row.credits_pending,
                credits_posted: row.credits_posted,
            })
        })
        .collect()
}
