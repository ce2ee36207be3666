//! Reading the ledger: accounts, an account's transfers, the trial balance, and the full
//! scan that `taavon_ledger::Checker` verifies.

use std::collections::BTreeSet;

use sqlx::Row;
use taavon_ledger::{CheckSummary, Checker, Transfer, Violation};

use crate::StoreError;
use crate::error::{corrupt, db};
use crate::filter::{Conditions, Value};
use crate::ledger::{
    ACCOUNT_COLUMNS, LedgerAccount, TRANSFER_COLUMNS, hex128, indexed_through, load_accounts,
    narrow, select_accounts, select_transfers, stored_i64,
};
use crate::sums::{exact_sum_at, exact_sum_sql};
use crate::tx::Reader;

/// Which accounts to list, a page at a time in id order; `None` means any.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LedgerAccountFilter {
    pub ledger: Option<u32>,
    pub code: Option<u16>,
    pub province: Option<String>,
    pub kind: Option<String>,
    /// The page starts after this id.
    pub after: Option<u128>,
    /// At most this many (1 to 10 000).
    pub limit: i64,
}

/// A page of an account's transfers, oldest first.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TransferPage {
    /// The page starts after this timestamp.
    pub after: Option<u64>,
    /// At most this many (1 to 10 000).
    pub limit: i64,
}

/// One line of the trial balance: the accounts of one ledger, code, kind and province,
/// with their balances summed. Each account's balance is an `i64`; their sum over many
/// accounts need not be, so the sums are `i128`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrialBalanceRow {
    pub ledger: u32,
    pub code: u16,
    pub kind: String,
    pub province: Option<String>,
    pub accounts: i64,
    pub debits_pending: i128,
    pub debits_posted: i128,
    pub credits_pending: i128,
    pub credits_posted: i128,
}

/// Rows per page of the full scan: memory stays flat however large the ledger.
const SCAN_PAGE: i64 = 10_000;

impl Reader {
    pub async fn ledger_account(&mut self, id: u128) -> Result<Option<LedgerAccount>, StoreError> {
        let ids = BTreeSet::from([id]);
        Ok(load_accounts(&mut self.conn, &ids).await?.pop())
    }

    pub async fn ledger_accounts(
        &mut self,
        filter: &LedgerAccountFilter,
    ) -> Result<Vec<LedgerAccount>, StoreError> {
        let mut conditions = Conditions::default();
        if let Some(ledger) = filter.ledger {
            let p = conditions.bind(Value::Int(i64::from(ledger)));
            conditions.push(format!("ledger = {p}"));
        }
        if let Some(code) = filter.code {
            let p = conditions.bind(Value::Int(i64::from(code)));
            conditions.push(format!("code = {p}"));
        }
        conditions.equals("province", filter.province.as_ref());
        conditions.equals("kind", filter.kind.as_ref());
        if let Some(after) = filter.after {
            let p = conditions.bind(Value::Text(hex128(after)));
            conditions.push(format!("id > {p}"));
        }
        let sql = format!(
            "SELECT {ACCOUNT_COLUMNS} FROM ledger_accounts {} ORDER BY id LIMIT {}",
            conditions.where_sql(),
            filter.limit.clamp(1, 10_000)
        );
        select_accounts(&mut self.conn, sql, &conditions.values).await
    }

    pub async fn ledger_transfer(&mut self, id: u128) -> Result<Option<Transfer>, StoreError> {
        let sql = format!("SELECT {TRANSFER_COLUMNS} FROM ledger_transfers WHERE id = $1");
        Ok(
            select_transfers(&mut self.conn, sql, &[Value::Text(hex128(id))])
                .await?
                .pop(),
        )
    }

    /// The transfers that debit or credit an account, oldest first.
    pub async fn ledger_transfers_of(
        &mut self,
        account: u128,
        page: TransferPage,
    ) -> Result<Vec<Transfer>, StoreError> {
        let mut after = page
            .after
            .map_or(Ok(-1), |after| stored_i64(after, "a page's timestamp"))?;
        let limit = page.limit.clamp(1, 10_000);
        let through = indexed_through(&mut self.conn).await?;
        let mut found: Vec<Transfer> = Vec::new();
        // The account's runs in time order, a few at a time, each scanned over its span
        // until the page is full; then the tail past the index.
        while after < through {
            let runs = self.account_runs(account, after).await?;
            let Some(&(_, last_run_ends)) = runs.last() else {
                break;
            };
            for (first, last) in runs {
                let wanted = limit - i64::try_from(found.len()).unwrap_or(limit);
                found.extend(
                    self.transfers_between(account, (first.max(after + 1), last), wanted)
                        .await?,
                );
                if i64::try_from(found.len()).unwrap_or(limit) >= limit {
                    return Ok(found);
                }
            }
            after = last_run_ends;
        }
        let wanted = limit - i64::try_from(found.len()).unwrap_or(limit);
        let tail = self
            .transfers_between(account, (after.max(through) + 1, i64::MAX), wanted)
            .await?;
        found.extend(tail);
        Ok(found)
    }

    /// The next runs naming `account` that end after `after`: (first, last) timestamps.
    async fn account_runs(
        &mut self,
        account: u128,
        after: i64,
    ) -> Result<Vec<(i64, i64)>, StoreError> {
        on!(&mut self.conn, |c| sqlx::query(
            "SELECT first_timestamp, last_timestamp FROM ledger_account_runs \
             WHERE account_id = $1 AND last_timestamp > $2 ORDER BY first_timestamp LIMIT 32"
        )
        .bind(hex128(account))
        .bind(after)
        .fetch_all(c)
        .await
        .and_then(|rows| rows
            .iter()
            .map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
            .collect())
        .map_err(db("reading an account's runs")))
    }

    /// Up to `limit` transfers of `account` stamped within `first..=last`, oldest first.
    async fn transfers_between(
        &mut self,
        account: u128,
        (first, last): (i64, i64),
        limit: i64,
    ) -> Result<Vec<Transfer>, StoreError> {
        let sql = format!(
            "SELECT {TRANSFER_COLUMNS} FROM ledger_transfers \
             WHERE timestamp >= $2 AND timestamp <= $3 \
             AND (debit_account_id = $1 OR credit_account_id = $1) \
             ORDER BY timestamp LIMIT {limit}"
        );
        let values = [
            Value::Text(hex128(account)),
            Value::Int(first),
            Value::Int(last),
        ];
        select_transfers(&mut self.conn, sql, &values).await
    }

    /// Balances summed by ledger, code, kind and province (national accounts first within
    /// each kind, the same order on both engines).
    pub async fn trial_balance(&mut self) -> Result<Vec<TrialBalanceRow>, StoreError> {
        let sql = format!(
            "SELECT ledger, code, kind, province, COUNT(*), {}, {}, {}, {} \
             FROM ledger_accounts GROUP BY ledger, code, kind, province \
             ORDER BY ledger, code, kind, COALESCE(province, '')",
            exact_sum_sql("debits_pending"),
            exact_sum_sql("debits_posted"),
            exact_sum_sql("credits_pending"),
            exact_sum_sql("credits_posted"),
        );
        let rows: Vec<(i64, i64, TrialBalanceRow)> =
            on!(&mut self.conn, |c| sqlx::query(sqlx::AssertSqlSafe(sql))
                .fetch_all(c)
                .await
                .map_err(db("summing the trial balance"))?
                .iter()
                .map(|row| {
                    let sum = |column| exact_sum_at(row, column);
                    Ok((
                        row.try_get::<i64, _>(0)?,
                        row.try_get::<i64, _>(1)?,
                        TrialBalanceRow {
                            ledger: 0,
                            code: 0,
                            kind: row.try_get(2)?,
                            province: row.try_get(3)?,
                            accounts: row.try_get(4)?,
                            debits_pending: sum(5)?,
                            debits_posted: sum(7)?,
                            credits_pending: sum(9)?,
                            credits_posted: sum(11)?,
                        },
                    ))
                })
                .collect::<Result<Vec<_>, sqlx::Error>>()
                .map_err(db("decoding the trial balance"))?);
        rows.into_iter()
            .map(|(ledger, code, row)| {
                Ok(TrialBalanceRow {
                    ledger: narrow(ledger, "ledger")?,
                    code: narrow(code, "account code")?,
                    ..row
                })
            })
            .collect()
    }

    /// Verifies every invariant over the whole ledger (every account, then every transfer
    /// in timestamp order, a page at a time): the first violation, or what was covered.
    pub async fn check_ledger(&mut self) -> Result<Result<CheckSummary, Violation>, StoreError> {
        let mut checker = Checker::new();
        let mut after = String::new();
        loop {
            let sql = format!(
                "SELECT {ACCOUNT_COLUMNS} FROM ledger_accounts WHERE id > $1 \
                 ORDER BY id LIMIT {SCAN_PAGE}"
            );
            let page = select_accounts(&mut self.conn, sql, &[Value::Text(after)]).await?;
            let Some(last) = page.last() else { break };
            after = hex128(last.account.id);
            for labelled in &page {
                checker.account(&labelled.account);
            }
        }
        let mut after = -1i64;
        loop {
            let sql = format!(
                "SELECT {TRANSFER_COLUMNS} FROM ledger_transfers WHERE timestamp > $1 \
                 ORDER BY timestamp LIMIT {SCAN_PAGE}"
            );
            let page = select_transfers(&mut self.conn, sql, &[Value::Int(after)]).await?;
            let Some(last) = page.last() else { break };
            after = stored_i64(last.timestamp, "a transfer's timestamp")?;
            for transfer in &page {
                checker.transfer(transfer);
            }
        }
        let summary = checker.finish();
        if summary.is_ok() {
            self.check_account_index().await?;
        }
        Ok(summary)
    }

    /// How many transfers are past the account index (see `ACCOUNT_INDEX_RUN`).
    pub async fn unindexed_ledger_transfers(&mut self) -> Result<i64, StoreError> {
        on!(&mut self.conn, |c| sqlx::query(
            "SELECT unindexed FROM ledger_account_index WHERE id = 1"
        )
        .fetch_one(c)
        .await
        .and_then(|row| row.try_get(0))
        .map_err(db("reading the account index's tail")))
    }

    /// The account index counts each transfer up to where it reaches once per side, and
    /// the rest exactly; anything else is a store fault, not a ledger violation.
    async fn check_account_index(&mut self) -> Result<(), StoreError> {
        let (sides, indexed, after, unindexed): (i64, i64, i64, i64) =
            on!(&mut self.conn, |c| sqlx::query(
                "SELECT (SELECT CAST(COALESCE(SUM(transfers), 0) AS BIGINT) \
                 FROM ledger_account_runs), \
                 (SELECT COUNT(*) FROM ledger_transfers WHERE timestamp <= s.indexed_through), \
                 (SELECT COUNT(*) FROM ledger_transfers WHERE timestamp > s.indexed_through), \
                 s.unindexed FROM ledger_account_index s WHERE s.id = 1"
            )
            .fetch_one(c)
            .await
            .and_then(|row| Ok((
                row.try_get(0)?,
                row.try_get(1)?,
                row.try_get(2)?,
                row.try_get(3)?
            )))
            .map_err(db("checking the account index"))?);
        if sides != 2 * indexed || after != unindexed {
            return Err(corrupt(format!(
                "the ledger's account index counts {sides} sides for {indexed} indexed \
                 transfers and {unindexed} transfers after them where there are {after}"
            )));
        }
        Ok(())
    }
}
