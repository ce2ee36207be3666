//! A batch's reads and writes on SQLite, made through the transaction's own connection
//! handle with rusqlite: prepared statements run in this thread, one row at a time.
//! Through sqlx every row read crosses to its worker thread and back and every bound
//! value is copied into an owned argument list; for a batch of 1 000 transfers over
//! 1 000 accounts that was most of the batch's time (2.5× what these statements take).
//! The statements are the same as on PostgreSQL; only the way they are sent differs.

use std::collections::{BTreeSet, HashMap};

use rusqlite::config::DbConfig;
use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, Statement, ToSql, params};
use sqlx::sqlite::LockedSqliteHandle;
use taavon_ledger::{Account, Transfer};

use super::{
    BatchIo, LEDGER_ACCOUNT_COLUMNS, RawAccount, RawTransfer, TRANSFER_COLUMNS, parse_hex128,
    stored_i64,
};
use crate::StoreError;

/// The batch's view of the open write transaction (also the insured-worker lists' bulk
/// path, `crate::impact`). The sqlx worker makes no call on the handle while `_locked`
/// lives, and `conn` is declared first so it is dropped first.
pub(crate) struct SqliteBatchIo<'a> {
    pub(crate) conn: Connection,
    /// The rowid of each account `accounts_named` read, so that `update_balances`
    /// rewrites it without looking its id up again in the primary key's index.
    account_rows: HashMap<u128, i64>,
    _locked: LockedSqliteHandle<'a>,
}

impl<'a> SqliteBatchIo<'a> {
    #[allow(unsafe_code)]
    pub(crate) fn new(mut locked: LockedSqliteHandle<'a>) -> Result<Self, StoreError> {
        let raw = locked.as_raw_handle().as_ptr();
        // SAFETY: `raw` is the open connection of the current sqlx transaction. While
        // `locked` is held the sqlx worker makes no call on it, and `locked` outlives
        // `conn` (same struct, dropped after it). `from_handle` borrows the handle: it
        // neither closes it nor changes its settings, and every statement prepared here
        // is finalised when it goes out of scope, before the handle is given back.
        let conn = unsafe { Connection::from_handle(raw) }
            .map_err(sqlite("borrowing the SQLite connection"))?;
        // The statements here run once per row with new values bound each time. Once
        // ANALYZE has written STAT4 samples (the bundled SQLite keeps them), SQLite
        // recompiles such a statement on every step after a bound value compared to an
        // indexed column changes, in case the value would choose another plan: most of a
        // verification's time went in recompiling its per-person reads. The query planner
        // stability guarantee plans from the statement alone (the connection keeps it).
        conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)
            .map_err(sqlite("setting the query planner's stability guarantee"))?;
        Ok(Self {
            conn,
            account_rows: HashMap::new(),
            _locked: locked,
        })
    }
}

impl BatchIo for SqliteBatchIo<'_> {
    async fn transfers_named(
        &mut self,
        ids: &BTreeSet<u128>,
        pending: &BTreeSet<u128>,
    ) -> Result<Vec<Transfer>, StoreError> {
        let mut found = Vec::new();
        for (column, named) in [("id", ids), ("pending_id", pending)] {
            let mut select = self
                .conn
                .prepare(&format!(
                    "SELECT {TRANSFER_COLUMNS} FROM ledger_transfers \
                     WHERE {column} IS NOT NULL AND {column} = ?1"
                ))
                .map_err(sqlite("reading ledger transfers"))?;
            for id in named {
                found.extend(rows(&mut select, &Hex::<32>::of(*id), raw_transfer)?);
            }
        }
        found
            .into_iter()
            .map(RawTransfer::parse)
            .collect::<Result<Vec<_>, _>>()
    }

    async fn highest_transfer_id(&mut self) -> Result<Option<u128>, StoreError> {
        let highest: Option<String> = self
            .conn
            .query_row(super::HIGHEST_TRANSFER_ID, [], |row| row.get(0))
            .map_err(sqlite("reading the highest transfer id"))?;
        highest.as_deref().map(parse_hex128).transpose()
    }

    async fn accounts_named(&mut self, ids: &BTreeSet<u128>) -> Result<Vec<Account>, StoreError> {
        let mut select = self
            .conn
            .prepare(&format!(
                "SELECT {LEDGER_ACCOUNT_COLUMNS}, rowid FROM ledger_accounts WHERE id = ?1"
            ))
            .map_err(sqlite("reading ledger accounts"))?;
        let mut accounts = Vec::with_capacity(ids.len());
        for id in ids {
            let found = rows(&mut select, &Hex::<32>::of(*id), |row| {
                Ok((raw_account(row)?, row.get::<_, i64>(12)?))
            })?;
            for (raw, rowid) in found {
                let account = raw.parse()?.account;
                self.account_rows.insert(account.id, rowid);
                accounts.push(account);
            }
        }
        Ok(accounts)
    }

    async fn last_timestamp(&mut self) -> Result<u64, StoreError> {
        let last: i64 = self
            .conn
            .query_row(super::LAST_TIMESTAMP, [], |row| row.get(0))
            .map_err(sqlite("reading the ledger's clock"))?;
        u64::try_from(last).map_err(|_| crate::error::corrupt("a negative ledger timestamp"))
    }

    async fn insert_transfers(&mut self, created: &[Transfer]) -> Result<(), StoreError> {
        let mut insert = self
            .conn
            .prepare(&format!(
                "INSERT INTO ledger_transfers ({TRANSFER_COLUMNS}) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
            ))
            .map_err(sqlite("recording ledger transfers"))?;
        for t in created {
            insert
                .execute(params![
                    stored_i64(t.timestamp, "a transfer's timestamp")?,
                    Hex::<32>::of(t.id),
                    Hex::<32>::of(t.debit_account_id),
                    Hex::<32>::of(t.credit_account_id),
                    t.amount,
                    (t.pending_id != 0).then(|| Hex::<32>::of(t.pending_id)),
                    i64::from(t.ledger),
                    i64::from(t.code),
                    i64::from(t.flags.bits()),
                    Hex::<32>::of(t.user_data_128),
                    Hex::<16>::of(u128::from(t.user_data_64)),
                    i64::from(t.user_data_32),
                ])
                .map_err(sqlite("recording ledger transfers"))?;
        }
        Ok(())
    }

    async fn update_balances(&mut self, accounts: &[Account]) -> Result<(), StoreError> {
        let mut update = self
            .conn
            .prepare(
                "UPDATE ledger_accounts SET debits_pending = ?2, debits_posted = ?3, \
                 credits_pending = ?4, credits_posted = ?5 WHERE rowid = ?1",
            )
            .map_err(sqlite("updating ledger balances"))?;
        for a in accounts {
            let rowid = self.account_rows.get(&a.id).ok_or_else(|| {
                crate::error::corrupt(format!(
                    "ledger account {:032x} was not read before its balances were set",
                    a.id
                ))
            })?;
            update
                .execute(params![
                    rowid,
                    a.debits_pending,
                    a.debits_posted,
                    a.credits_pending,
                    a.credits_posted,
                ])
                .map_err(sqlite("updating ledger balances"))?;
        }
        Ok(())
    }

    async fn count_unindexed(&mut self, created: usize) -> Result<i64, StoreError> {
        let created = i64::try_from(created).unwrap_or(i64::MAX);
        self.conn
            .query_row(super::COUNT_UNINDEXED, [created], |row| row.get(0))
            .map_err(sqlite("counting transfers past the account index"))
    }
}

/// An id in the store's text form (`N` lower-case hex digits, see `hex128`), bound
/// without allocating: a batch binds thousands.
struct Hex<const N: usize>([u8; N]);

impl<const N: usize> Hex<N> {
    fn of(mut value: u128) -> Self {
        let mut digits = [b'0'; N];
        for digit in digits.iter_mut().rev() {
            // The mask keeps the nibble below 16, so the cast loses nothing.
            let nibble = (value & 0xf) as u8;
            *digit = if nibble < 10 {
                b'0' + nibble
            } else {
                b'a' + nibble - 10
            };
            value >>= 4;
        }
        Self(digits)
    }
}

impl<const N: usize> ToSql for Hex<N> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(ValueRef::Text(&self.0)))
    }
}

/// The rows `select` finds for one id.
fn rows<T>(
    select: &mut Statement<'_>,
    id: &Hex<32>,
    decode: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> Result<Vec<T>, StoreError> {
    select
        .query_map([id], decode)
        .and_then(|found| found.collect())
        .map_err(sqlite("reading the ledger"))
}

fn raw_account(row: &rusqlite::Row<'_>) -> rusqlite::Result<RawAccount> {
    Ok(RawAccount {
        id: row.get(0)?,
        ledger: row.get(1)?,
        code: row.get(2)?,
        flags: row.get(3)?,
        debits_pending: row.get(4)?,
        debits_posted: row.get(5)?,
        credits_pending: row.get(6)?,
        credits_posted: row.get(7)?,
        user_data_128: row.get(8)?,
        user_data_64: row.get(9)?,
        user_data_32: row.get(10)?,
        timestamp: row.get(11)?,
        // Labels are for reports; a batch needs the ledger's fields only.
        province: None,
        name: String::new(),
        kind: String::new(),
    })
}

fn raw_transfer(row: &rusqlite::Row<'_>) -> rusqlite::Result<RawTransfer> {
    Ok(RawTransfer {
        timestamp: row.get(0)?,
        id: row.get(1)?,
        debit_account_id: row.get(2)?,
        credit_account_id: row.get(3)?,
        amount: row.get(4)?,
        pending_id: row.get(5)?,
        ledger: row.get(6)?,
        code: row.get(7)?,
        flags: row.get(8)?,
        user_data_128: row.get(9)?,
        user_data_64: row.get(10)?,
        user_data_32: row.get(11)?,
    })
}

fn sqlite(context: &'static str) -> impl FnOnce(rusqlite::Error) -> StoreError {
    move |source| StoreError::Sqlite { context, source }
}
