//! A batch's reads and writes on PostgreSQL, each one statement whatever the batch's
//! size: the rows travel as one array per column (`= ANY($1)`, `UNNEST(…)`), so a batch
//! of 1 000 transfers costs a handful of round trips and one prepared statement each,
//! where multi-row `VALUES` lists cost one statement (and 1 200 bound values to parse)
//! per 100 rows, and a statement of another text for every last, shorter chunk.

use std::collections::BTreeSet;

use sqlx::{PgConnection, Row};
use taavon_ledger::{Account, Transfer};

use super::{
    ACCOUNT_COLUMNS, BatchIo, RawAccount, RawTransfer, TRANSFER_COLUMNS, hex64, hex128,
    parse_hex128, raw_account, raw_transfer, stored_i64,
};
use crate::StoreError;
use crate::error::{corrupt, db};

pub(crate) struct PostgresBatchIo<'a>(pub(crate) &'a mut PgConnection);

impl BatchIo for PostgresBatchIo<'_> {
    async fn transfers_named(
        &mut self,
        ids: &BTreeSet<u128>,
        pending: &BTreeSet<u128>,
    ) -> Result<Vec<Transfer>, StoreError> {
        let mut transfers = Vec::new();
        for (column, named) in [("id", ids), ("pending_id", pending)] {
            if named.is_empty() {
                continue;
            }
            let named: Vec<String> = named.iter().map(|id| hex128(*id)).collect();
            // IS NOT NULL lets the partial index on pending_id serve.
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {TRANSFER_COLUMNS} FROM ledger_transfers \
                 WHERE {column} IS NOT NULL AND {column} = ANY($1)"
            )))
            .bind(named)
            .fetch_all(&mut *self.0)
            .await
            .map_err(db("reading ledger transfers"))?;
            for row in &rows {
                let raw = raw_transfer!(row).map_err(db("decoding ledger transfers"))?;
                transfers.push(raw.parse()?);
            }
        }
        Ok(transfers)
    }

    async fn highest_transfer_id(&mut self) -> Result<Option<u128>, StoreError> {
        let highest: Option<String> = sqlx::query(super::HIGHEST_TRANSFER_ID)
            .fetch_one(&mut *self.0)
            .await
            .and_then(|row| row.try_get(0))
            .map_err(db("reading the highest transfer id"))?;
        highest.as_deref().map(parse_hex128).transpose()
    }

    async fn accounts_named(&mut self, ids: &BTreeSet<u128>) -> Result<Vec<Account>, StoreError> {
        let ids: Vec<String> = ids.iter().map(|id| hex128(*id)).collect();
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {ACCOUNT_COLUMNS} FROM ledger_accounts WHERE id = ANY($1)"
        )))
        .bind(ids)
        .fetch_all(&mut *self.0)
        .await
        .map_err(db("reading ledger accounts"))?;
        rows.iter()
            .map(|row| {
                let raw = raw_account!(row).map_err(db("decoding ledger accounts"))?;
                Ok(raw.parse()?.account)
            })
            .collect()
    }

    async fn last_timestamp(&mut self) -> Result<u64, StoreError> {
        let last: i64 = sqlx::query(super::LAST_TIMESTAMP)
            .fetch_one(&mut *self.0)
            .await
            .and_then(|row| row.try_get(0))
            .map_err(db("reading the ledger's clock"))?;
        u64::try_from(last).map_err(|_| corrupt("a negative ledger timestamp"))
    }

    async fn insert_transfers(&mut self, created: &[Transfer]) -> Result<(), StoreError> {
        let mut columns = TransferColumns::with_capacity(created.len());
        for t in created {
            columns.push(t)?;
        }
        let TransferColumns {
            timestamp,
            id,
            debit_account_id,
            credit_account_id,
            amount,
            pending_id,
            ledger,
            code,
            flags,
            user_data_128,
            user_data_64,
            user_data_32,
        } = columns;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO ledger_transfers ({TRANSFER_COLUMNS}) \
             SELECT * FROM UNNEST($1::BIGINT[], $2::TEXT[], $3::TEXT[], $4::TEXT[], \
             $5::BIGINT[], $6::TEXT[], $7::BIGINT[], $8::BIGINT[], $9::BIGINT[], \
             $10::TEXT[], $11::TEXT[], $12::BIGINT[])"
        )))
        .bind(timestamp)
        .bind(id)
        .bind(debit_account_id)
        .bind(credit_account_id)
        .bind(amount)
        .bind(pending_id)
        .bind(ledger)
        .bind(code)
        .bind(flags)
        .bind(user_data_128)
        .bind(user_data_64)
        .bind(user_data_32)
        .execute(&mut *self.0)
        .await
        .map(|_| ())
        .map_err(db("recording ledger transfers"))
    }

    async fn update_balances(&mut self, accounts: &[Account]) -> Result<(), StoreError> {
        let ids: Vec<String> = accounts.iter().map(|a| hex128(a.id)).collect();
        let column =
            |balance: fn(&Account) -> i64| -> Vec<i64> { accounts.iter().map(balance).collect() };
        sqlx::query(
            "UPDATE ledger_accounts SET debits_pending = v.debits_pending, \
             debits_posted = v.debits_posted, credits_pending = v.credits_pending, \
             credits_posted = v.credits_posted \
             FROM UNNEST($1::TEXT[], $2::BIGINT[], $3::BIGINT[], $4::BIGINT[], $5::BIGINT[]) \
             AS v (id, debits_pending, debits_posted, credits_pending, credits_posted) \
             WHERE ledger_accounts.id = v.id",
        )
        .bind(ids)
        .bind(column(|a| a.debits_pending))
        .bind(column(|a| a.debits_posted))
        .bind(column(|a| a.credits_pending))
        .bind(column(|a| a.credits_posted))
        .execute(&mut *self.0)
        .await
        .map(|_| ())
        .map_err(db("updating ledger balances"))
    }

    async fn count_unindexed(&mut self, created: usize) -> Result<i64, StoreError> {
        let created = i64::try_from(created).unwrap_or(i64::MAX);
        sqlx::query(super::COUNT_UNINDEXED)
            .bind(created)
            .fetch_one(&mut *self.0)
            .await
            .and_then(|row| row.try_get(0))
            .map_err(db("counting transfers past the account index"))
    }
}

/// Transfers as one array per column of `ledger_transfers`, in `TRANSFER_COLUMNS` order.
struct TransferColumns {
    timestamp: Vec<i64>,
    id: Vec<String>,
    debit_account_id: Vec<String>,
    credit_account_id: Vec<String>,
    amount: Vec<i64>,
    pending_id: Vec<Option<String>>,
    ledger: Vec<i64>,
    code: Vec<i64>,
    flags: Vec<i64>,
    user_data_128: Vec<String>,
    user_data_64: Vec<String>,
    user_data_32: Vec<i64>,
}

impl TransferColumns {
    fn with_capacity(rows: usize) -> Self {
        Self {
            timestamp: Vec::with_capacity(rows),
            id: Vec::with_capacity(rows),
            debit_account_id: Vec::with_capacity(rows),
            credit_account_id: Vec::with_capacity(rows),
            amount: Vec::with_capacity(rows),
            pending_id: Vec::with_capacity(rows),
            ledger: Vec::with_capacity(rows),
            code: Vec::with_capacity(rows),
            flags: Vec::with_capacity(rows),
            user_data_128: Vec::with_capacity(rows),
            user_data_64: Vec::with_capacity(rows),
            user_data_32: Vec::with_capacity(rows),
        }
    }

    fn push(&mut self, t: &Transfer) -> Result<(), StoreError> {
        self.timestamp
            .push(stored_i64(t.timestamp, "a transfer's timestamp")?);
        self.id.push(hex128(t.id));
        self.debit_account_id.push(hex128(t.debit_account_id));
        self.credit_account_id.push(hex128(t.credit_account_id));
        self.amount.push(t.amount);
        self.pending_id
            .push((t.pending_id != 0).then(|| hex128(t.pending_id)));
        self.ledger.push(i64::from(t.ledger));
        self.code.push(i64::from(t.code));
        self.flags.push(i64::from(t.flags.bits()));
        self.user_data_128.push(hex128(t.user_data_128));
        self.user_data_64.push(hex64(t.user_data_64));
        self.user_data_32.push(i64::from(t.user_data_32));
        Ok(())
    }
}
