//! The ledger's accounts and transfers in the database, written inside the caller's
//! `WriteTx`, so a loan repayment, its ledger transfers and their audit entry commit
//! together or not at all.
//!
//! A batch is applied by `taavon_ledger` in memory, over a view loaded here of what it
//! can touch: the accounts it names, the transfers with its ids, the pending transfers
//! it settles and whatever settled them. What changed is written back once per batch:
//! the new transfers, and each touched account's balances (on PostgreSQL one statement
//! each, the rows as arrays; on SQLite prepared statements, an account rewritten by the
//! rowid its read found).
//! Batches are serialised (SQLite has one writer; on PostgreSQL a transaction-scoped
//! advisory lock), so the view cannot go stale before commit and the ledger's clock
//! stays strictly increasing.

use std::collections::BTreeSet;

use sqlx::Row;
use taavon_ledger::{
    Account, AccountFlags, AccountResult, Ledger, Transfer, TransferFlags, TransferResult,
};

use crate::StoreError;
use crate::audit::AuditEntry;
use crate::conn::Conn;
use crate::error::{corrupt, db};
use crate::filter::{Value, bind_values};
use crate::insert::{ROWS_PER_STATEMENT, placeholders};
use crate::tx::WriteTx;

pub(crate) mod postgres;
pub(crate) mod sqlite;

/// The most events one call may carry (TigerBeetle's own limit), so what a batch loads
/// and writes stays bounded.
pub const LEDGER_BATCH_MAX: usize = 8_190;

/// An account with what reports show about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LedgerAccount {
    pub account: Account,
    /// The province it belongs to (ISO 3166-2), or none for a national account.
    pub province: Option<String>,
    /// e.g. "SSO deposit at bank 022, IR-16".
    pub name: String,
    /// e.g. `agency_deposit`, `program_fund`, `loan_receivable`.
    pub kind: String,
}

/// How many transfers may gather past the account index before a batch indexes them
/// as one run (see migration 0007): the longest tail a reader of an account's transfers
/// scans, and the longest span of a run. Each run costs one row per account it names.
pub const ACCOUNT_INDEX_RUN: i64 = 8_192;

/// Ids per `IN (…)` list, well under both engines' limits on bound parameters.
const IDS_PER_QUERY: usize = 500;

/// The key of PostgreSQL's advisory lock on the ledger ("taavon" in ASCII).
const LEDGER_LOCK: i64 = 0x7461_6176_6f6e;

/// The columns of an account the ledger itself keeps, without the reports' labels.
macro_rules! ledger_account_columns {
    () => {
        "id, ledger, code, flags, debits_pending, debits_posted, credits_pending, \
         credits_posted, user_data_128, user_data_64, user_data_32, timestamp"
    };
}

pub(crate) const LEDGER_ACCOUNT_COLUMNS: &str = ledger_account_columns!();

pub(crate) const ACCOUNT_COLUMNS: &str =
    concat!(ledger_account_columns!(), ", province, name, kind");

pub(crate) const TRANSFER_COLUMNS: &str = "timestamp, id, debit_account_id, \
     credit_account_id, amount, pending_id, ledger, code, flags, user_data_128, \
     user_data_64, user_data_32";

impl WriteTx {
    /// Opens accounts, answering one result per account (`Exists` for a retry). The
    /// labels of an account that already exists are left as they were.
    pub async fn create_ledger_accounts(
        &mut self,
        accounts: &[LedgerAccount],
    ) -> Result<Vec<AccountResult>, StoreError> {
        bounded(accounts.len())?;
        self.lock_ledger().await?;
        let ids: BTreeSet<u128> = accounts.iter().map(|a| a.account.id).collect();
        let mut view = Ledger::new();
        for existing in load_accounts(self.conn(), &ids).await? {
            view.load_account(existing.account);
        }
        view.observe_timestamp(last_timestamp(self.conn()).await?);
        let requests: Vec<Account> = accounts.iter().map(|a| a.account).collect();
        let results = view.create_accounts(&requests, clock(self.now)?);
        let created: Vec<LedgerAccount> = accounts
            .iter()
            .zip(&results)
            .filter(|(_, result)| **result == AccountResult::Ok)
            .filter_map(|(request, _)| {
                Some(LedgerAccount {
                    account: *view.account(request.account.id)?,
                    ..request.clone()
                })
            })
            .collect();
        for chunk in created.chunks(ROWS_PER_STATEMENT) {
            insert_accounts(self.conn(), chunk).await?;
        }
        if !created.is_empty() {
            self.audit(accounts_entry(&created));
        }
        Ok(results)
    }

    /// Creates transfers, answering one result per transfer; only those answered `Ok`
    /// change anything. Nothing is audited when nothing was created, so a caller whose
    /// whole batch was refused (or was a retry) may simply roll back.
    pub async fn create_ledger_transfers(
        &mut self,
        transfers: &[Transfer],
    ) -> Result<Vec<TransferResult>, StoreError> {
        bounded(transfers.len())?;
        self.lock_ledger().await?;
        let now = clock(self.now)?;
        let Applied {
            results,
            created,
            unindexed,
        } = match self.conn() {
            Conn::Sqlite(tx) => {
                let locked = (**tx)
                    .lock_handle()
                    .await
                    .map_err(db("borrowing the SQLite connection"))?;
                apply_batch(&mut sqlite::SqliteBatchIo::new(locked)?, transfers, now).await?
            }
            Conn::Postgres(tx) => {
                apply_batch(&mut postgres::PostgresBatchIo(tx), transfers, now).await?
            }
        };
        if created.is_empty() {
            return Ok(results);
        }
        // Derived data: indexing inside an audited batch needs no entry of its own.
        if unindexed >= ACCOUNT_INDEX_RUN {
            index_account_tail(self.conn()).await?;
        }
        self.audit(transfers_entry(&created, &results));
        Ok(results)
    }

    /// Adds the account entries of every transfer not yet indexed, in one sorted run,
    /// as an operator's maintenance (audited). Readers are right either way (they scan
    /// what is not indexed), so running it early only makes the next run shorter.
    pub async fn index_ledger_accounts(&mut self) -> Result<(), StoreError> {
        self.lock_ledger().await?;
        let (through, now_through) = index_account_tail(self.conn()).await?;
        self.audit(AuditEntry::created(
            "ledger.account_index",
            "ledger_account_index",
            format!("{through}..={now_through}"),
            None,
            serde_json::json!({ "indexed_after": through, "indexed_through": now_through }),
        ));
        Ok(())
    }

    async fn lock_ledger(&mut self) -> Result<(), StoreError> {
        if let Conn::Postgres(tx) = self.conn() {
            sqlx::query("SELECT pg_advisory_xact_lock($1)")
                .bind(LEDGER_LOCK)
                .execute(&mut **tx)
                .await
                .map_err(db("locking the ledger"))?;
        }
        Ok(())
    }
}

/// What applying a batch of transfers reads and writes, on one engine: `apply_batch`
/// is the one algorithm, over sqlx with one statement per step on PostgreSQL
/// (`postgres::PostgresBatchIo`) or, on SQLite, rusqlite on the transaction's own handle
/// (`sqlite::SqliteBatchIo`).
pub(crate) trait BatchIo {
    /// The stored transfers with these ids, and the posts and voids of the pending ones
    /// named (whatever settled them).
    async fn transfers_named(
        &mut self,
        ids: &BTreeSet<u128>,
        pending: &BTreeSet<u128>,
    ) -> Result<Vec<Transfer>, StoreError>;
    /// The highest id of a stored transfer, if any.
    async fn highest_transfer_id(&mut self) -> Result<Option<u128>, StoreError>;
    /// The stored accounts among `ids`.
    async fn accounts_named(&mut self, ids: &BTreeSet<u128>) -> Result<Vec<Account>, StoreError>;
    /// The newest timestamp the ledger has assigned to an account or a transfer.
    async fn last_timestamp(&mut self) -> Result<u64, StoreError>;
    async fn insert_transfers(&mut self, created: &[Transfer]) -> Result<(), StoreError>;
    /// Sets each account's four balances.
    async fn update_balances(&mut self, accounts: &[Account]) -> Result<(), StoreError>;
    /// Counts `created` more transfers past the account index: how many there are now.
    async fn count_unindexed(&mut self, created: usize) -> Result<i64, StoreError>;
}

/// A batch applied.
struct Applied {
    /// One per transfer asked for.
    results: Vec<TransferResult>,
    /// The transfers written, as stored (with their timestamps).
    created: Vec<Transfer>,
    /// Transfers now waiting for the account index.
    unindexed: i64,
}

/// Loads what the batch can touch into a `Ledger`, applies the batch there and writes
/// back what changed: the new transfers, and each touched account's balances once.
async fn apply_batch(
    io: &mut impl BatchIo,
    transfers: &[Transfer],
    now: u64,
) -> Result<Applied, StoreError> {
    let mut view = Ledger::new();
    let pending: BTreeSet<u128> = transfers
        .iter()
        .map(|t| t.pending_id)
        .filter(|id| *id != 0)
        .collect();
    // An id above every stored one names no stored transfer: with ids that grow, as
    // TigerBeetle advises clients to choose them, a batch looks none of them up.
    let highest = io.highest_transfer_id().await?;
    let named: BTreeSet<u128> = transfers
        .iter()
        .map(|t| t.id)
        .filter(|id| highest.is_some_and(|highest| *id <= highest))
        .chain(pending.iter().copied())
        .collect();
    let mut stored = io.transfers_named(&named, &pending).await?;
    // A pending transfer named in the batch can be found both ways.
    stored.sort_by_key(|t| t.timestamp);
    stored.dedup_by_key(|t| t.timestamp);
    let accounts: BTreeSet<u128> = transfers
        .iter()
        .chain(&stored)
        .flat_map(|t| [t.debit_account_id, t.credit_account_id])
        .filter(|id| *id != 0)
        .collect();
    for transfer in stored {
        view.load_transfer(transfer);
    }
    for existing in io.accounts_named(&accounts).await? {
        view.load_account(existing);
    }
    view.observe_timestamp(io.last_timestamp().await?);
    let results = view.create_transfers(transfers, now);
    let created: Vec<Transfer> = transfers
        .iter()
        .zip(&results)
        .filter(|(_, result)| **result == TransferResult::Ok)
        .filter_map(|(request, _)| view.transfer(request.id).copied())
        .collect();
    if created.is_empty() {
        return Ok(Applied {
            results,
            created,
            unindexed: 0,
        });
    }
    io.insert_transfers(&created).await?;
    let touched: BTreeSet<u128> = created
        .iter()
        .flat_map(|t| [t.debit_account_id, t.credit_account_id])
        .collect();
    let balances: Vec<Account> = touched
        .iter()
        .filter_map(|id| view.account(*id).copied())
        .collect();
    io.update_balances(&balances).await?;
    let unindexed = io.count_unindexed(created.len()).await?;
    Ok(Applied {
        results,
        created,
        unindexed,
    })
}

/// The newest timestamp the ledger has assigned, when opening accounts.
async fn last_timestamp(conn: &mut Conn) -> Result<u64, StoreError> {
    let last: i64 = on!(conn, |c| sqlx::query(LAST_TIMESTAMP)
        .fetch_one(c)
        .await
        .and_then(|row| row.try_get(0))
        .map_err(db("reading the ledger's clock"))?);
    u64::try_from(last).map_err(|_| corrupt("a negative ledger timestamp"))
}

/// The newest timestamp the ledger has assigned (to an account or a transfer).
const LAST_TIMESTAMP: &str = "SELECT COALESCE(MAX(timestamp), 0) FROM ( \
     SELECT MAX(timestamp) AS timestamp FROM ledger_transfers UNION ALL \
     SELECT MAX(timestamp) FROM ledger_accounts) AS newest";

/// Ids are 32 hex digits, so the highest in text is the highest in number.
const HIGHEST_TRANSFER_ID: &str = "SELECT MAX(id) FROM ledger_transfers";

const COUNT_UNINDEXED: &str = "UPDATE ledger_account_index SET unindexed = unindexed + $1 \
     WHERE id = 1 RETURNING unindexed";

fn bounded(len: usize) -> Result<(), StoreError> {
    if len > LEDGER_BATCH_MAX {
        return Err(StoreError::BatchTooLarge {
            len,
            max: LEDGER_BATCH_MAX,
        });
    }
    Ok(())
}

/// The write's instant as the ledger's clock: nanoseconds since 1970.
fn clock(now: taavon_core::timestamp::Timestamp) -> Result<u64, StoreError> {
    u64::try_from(now.unix_millis())
        .ok()
        .and_then(|millis| millis.checked_mul(1_000_000))
        .filter(|nanos| i64::try_from(*nanos).is_ok())
        .ok_or(StoreError::OutOfRange {
            what: "the ledger's clock (nanoseconds since 1970, before 2262)",
        })
}

pub(crate) fn hex128(value: u128) -> String {
    format!("{value:032x}")
}

pub(crate) fn hex64(value: u64) -> String {
    format!("{value:016x}")
}

pub(crate) fn stored_i64(value: u64, what: &'static str) -> Result<i64, StoreError> {
    i64::try_from(value).map_err(|_| StoreError::OutOfRange { what })
}

/// `column IN (…)` over ids, with their values to bind in order.
fn among(conn: &Conn, column: &str, ids: &[u128]) -> (String, Vec<Value>) {
    let list = placeholders(conn, 1, ids.len());
    let values = ids.iter().map(|id| Value::Text(hex128(*id))).collect();
    (format!("{column} IN {list}"), values)
}

/// The stored accounts among `ids`.
pub(crate) async fn load_accounts(
    conn: &mut Conn,
    ids: &BTreeSet<u128>,
) -> Result<Vec<LedgerAccount>, StoreError> {
    let ids: Vec<u128> = ids.iter().copied().collect();
    let mut accounts = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(IDS_PER_QUERY) {
        let (condition, values) = among(conn, "id", chunk);
        let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM ledger_accounts WHERE {condition}");
        accounts.extend(select_accounts(conn, sql, &values).await?);
    }
    Ok(accounts)
}

/// Records the transfers after the account index as one run (per account named, the
/// first and last timestamp and how many) and moves the index up to the newest: where
/// it reached before, and where it reaches now.
async fn index_account_tail(conn: &mut Conn) -> Result<(i64, i64), StoreError> {
    let through = indexed_through(conn).await?;
    on!(&mut *conn, |c| sqlx::query(
        "INSERT INTO ledger_account_runs \
         (account_id, first_timestamp, last_timestamp, transfers) \
         SELECT account_id, MIN(timestamp), MAX(timestamp), COUNT(*) FROM ( \
         SELECT debit_account_id AS account_id, timestamp FROM ledger_transfers \
         WHERE timestamp > $1 UNION ALL \
         SELECT credit_account_id, timestamp FROM ledger_transfers WHERE timestamp > $1 \
         ) AS tail GROUP BY account_id"
    )
    .bind(through)
    .execute(c)
    .await
    .map(|_| ())
    .map_err(db("indexing ledger transfers by account"))?);
    on!(conn, |c| sqlx::query(
        "UPDATE ledger_account_index SET unindexed = 0, indexed_through = \
         (SELECT COALESCE(MAX(timestamp), $1) FROM ledger_transfers) WHERE id = 1 \
         RETURNING indexed_through"
    )
    .bind(through)
    .fetch_one(c)
    .await
    .and_then(|row| row.try_get(0))
    .map(|now_through| (through, now_through))
    .map_err(db("moving the ledger's account index forward")))
}

/// The newest transfer the account index covers (0 before the first run).
pub(crate) async fn indexed_through(conn: &mut Conn) -> Result<i64, StoreError> {
    on!(conn, |c| sqlx::query(
        "SELECT indexed_through FROM ledger_account_index WHERE id = 1"
    )
    .fetch_one(c)
    .await
    .and_then(|row| row.try_get(0))
    .map_err(db("reading how far the account index reaches")))
}

/// Runs a SELECT of ledger rows and decodes each through its raw form, for either row
/// type.
macro_rules! select_rows {
    ($conn:expr, $sql:expr, $values:expr, $raw:ident, $what:literal) => {{
        let raw: Vec<_> = on!($conn, |c| bind_values!(
            sqlx::query(sqlx::AssertSqlSafe($sql)),
            $values
        )
        .fetch_all(c)
        .await
        .map_err(db(concat!("reading ", $what)))?
        .iter()
        .map(|row| $raw!(row))
        .collect::<Result<Vec<_>, sqlx::Error>>()
        .map_err(db(concat!("decoding ", $what)))?);
        raw.into_iter().map(|row| row.parse()).collect()
    }};
}

pub(crate) async fn select_accounts(
    conn: &mut Conn,
    sql: String,
    values: &[Value],
) -> Result<Vec<LedgerAccount>, StoreError> {
    select_rows!(conn, sql, values, raw_account, "ledger accounts")
}

pub(crate) async fn select_transfers(
    conn: &mut Conn,
    sql: String,
    values: &[Value],
) -> Result<Vec<Transfer>, StoreError> {
    select_rows!(conn, sql, values, raw_transfer, "ledger transfers")
}

async fn insert_accounts(conn: &mut Conn, chunk: &[LedgerAccount]) -> Result<(), StoreError> {
    let sql = format!(
        "INSERT INTO ledger_accounts ({ACCOUNT_COLUMNS}) VALUES {}",
        placeholders(conn, chunk.len(), 15)
    );
    let mut values = Vec::with_capacity(chunk.len() * 15);
    for labelled in chunk {
        let a = &labelled.account;
        values.extend([
            Value::Text(hex128(a.id)),
            Value::Int(i64::from(a.ledger)),
            Value::Int(i64::from(a.code)),
            Value::Int(i64::from(a.flags.bits())),
            Value::Int(a.debits_pending),
            Value::Int(a.debits_posted),
            Value::Int(a.credits_pending),
            Value::Int(a.credits_posted),
            Value::Text(hex128(a.user_data_128)),
            Value::Text(hex64(a.user_data_64)),
            Value::Int(i64::from(a.user_data_32)),
            Value::Int(stored_i64(a.timestamp, "an account's timestamp")?),
            Value::OptionalText(labelled.province.clone()),
            Value::Text(labelled.name.clone()),
            Value::Text(labelled.kind.clone()),
        ]);
    }
    execute(conn, sql, &values, "opening ledger accounts").await
}

async fn execute(
    conn: &mut Conn,
    sql: String,
    values: &[Value],
    context: &'static str,
) -> Result<(), StoreError> {
    on!(conn, |c| bind_values!(
        sqlx::query(sqlx::AssertSqlSafe(sql)),
        values
    )
    .execute(c)
    .await
    .map(|_| ())
    .map_err(db(context)))
}

/// One entry for a batch of accounts, naming each.
fn accounts_entry(created: &[LedgerAccount]) -> AuditEntry {
    let provinces: BTreeSet<Option<&String>> =
        created.iter().map(|a| a.province.as_ref()).collect();
    let province = match provinces.into_iter().collect::<Vec<_>>().as_slice() {
        [Some(only)] => Some(only.as_str()),
        _ => None,
    };
    let accounts: Vec<serde_json::Value> = created
        .iter()
        .map(|a| {
            serde_json::json!({
                "id": hex128(a.account.id), "ledger": a.account.ledger, "code": a.account.code,
                "flags": a.account.flags.bits(), "province": a.province, "name": a.name,
                "kind": a.kind,
            })
        })
        .collect();
    AuditEntry::created(
        "ledger.accounts",
        "ledger_account",
        timestamps(created.iter().map(|a| a.account.timestamp)),
        province,
        serde_json::json!({ "count": created.len(), "accounts": accounts }),
    )
}

/// One entry for a batch of transfers, summarising it: the created transfers are the
/// rows with timestamps in the entry's range.
fn transfers_entry(created: &[Transfer], results: &[TransferResult]) -> AuditEntry {
    let moved: i128 = created
        .iter()
        .filter(|t| !t.flags.contains(TransferFlags::VOID_PENDING_TRANSFER))
        .map(|t| i128::from(t.amount))
        .sum();
    let count = |wanted: fn(&TransferResult) -> bool| results.iter().filter(|r| wanted(r)).count();
    AuditEntry::created(
        "ledger.transfers",
        "ledger_transfer",
        timestamps(created.iter().map(|t| t.timestamp)),
        None,
        serde_json::json!({
            "created": created.len(),
            "exists": count(|r| *r == TransferResult::Exists),
            "refused": count(|r| !r.is_success()),
            "amount_rial": moved.to_string(),
            "first_id": created.first().map(|t| hex128(t.id)),
            "last_id": created.last().map(|t| hex128(t.id)),
        }),
    )
}

/// `first..=last` of the timestamps assigned in one batch.
fn timestamps(assigned: impl Iterator<Item = u64>) -> String {
    let (first, last) = assigned.fold((u64::MAX, 0), |(first, last), t| {
        (first.min(t), last.max(t))
    });
    format!("{first}..={last}")
}

/// An account row as the engines return it, before its hex and ranges are checked.
pub(crate) struct RawAccount {
    id: String,
    ledger: i64,
    code: i64,
    flags: i64,
    debits_pending: i64,
    debits_posted: i64,
    credits_pending: i64,
    credits_posted: i64,
    user_data_128: String,
    user_data_64: String,
    user_data_32: i64,
    timestamp: i64,
    province: Option<String>,
    name: String,
    kind: String,
}

/// A transfer row as the engines return it.
pub(crate) struct RawTransfer {
    timestamp: i64,
    id: String,
    debit_account_id: String,
    credit_account_id: String,
    amount: i64,
    pending_id: Option<String>,
    ledger: i64,
    code: i64,
    flags: i64,
    user_data_128: String,
    user_data_64: String,
    user_data_32: i64,
}

/// Reads a `RawAccount` from a row of either engine.
macro_rules! raw_account {
    ($row:expr) => {
        (|| -> Result<RawAccount, sqlx::Error> {
            Ok(RawAccount {
                id: $row.try_get("id")?,
                ledger: $row.try_get("ledger")?,
                code: $row.try_get("code")?,
                flags: $row.try_get("flags")?,
                debits_pending: $row.try_get("debits_pending")?,
                debits_posted: $row.try_get("debits_posted")?,
                credits_pending: $row.try_get("credits_pending")?,
                credits_posted: $row.try_get("credits_posted")?,
                user_data_128: $row.try_get("user_data_128")?,
                user_data_64: $row.try_get("user_data_64")?,
                user_data_32: $row.try_get("user_data_32")?,
                timestamp: $row.try_get("timestamp")?,
                province: $row.try_get("province")?,
                name: $row.try_get("name")?,
                kind: $row.try_get("kind")?,
            })
        })()
    };
}
use raw_account;

/// Reads a `RawTransfer` from a row of either engine.
macro_rules! raw_transfer {
    ($row:expr) => {
        (|| -> Result<RawTransfer, sqlx::Error> {
            Ok(RawTransfer {
                timestamp: $row.try_get("timestamp")?,
                id: $row.try_get("id")?,
                debit_account_id: $row.try_get("debit_account_id")?,
                credit_account_id: $row.try_get("credit_account_id")?,
                amount: $row.try_get("amount")?,
                pending_id: $row.try_get("pending_id")?,
                ledger: $row.try_get("ledger")?,
                code: $row.try_get("code")?,
                flags: $row.try_get("flags")?,
                user_data_128: $row.try_get("user_data_128")?,
                user_data_64: $row.try_get("user_data_64")?,
                user_data_32: $row.try_get("user_data_32")?,
            })
        })()
    };
}
use raw_transfer;

pub(crate) fn parse_hex128(text: &str) -> Result<u128, StoreError> {
    u128::from_str_radix(text, 16)
        .ok()
        .filter(|_| text.len() == 32)
        .ok_or_else(|| corrupt(format!("ledger id {text:?} is not 32 hex digits")))
}

fn parse_hex64(text: &str) -> Result<u64, StoreError> {
    u64::from_str_radix(text, 16)
        .ok()
        .filter(|_| text.len() == 16)
        .ok_or_else(|| corrupt(format!("ledger user data {text:?} is not 16 hex digits")))
}

pub(crate) fn narrow<T: TryFrom<i64>>(value: i64, what: &str) -> Result<T, StoreError> {
    T::try_from(value).map_err(|_| corrupt(format!("ledger {what} {value} is out of range")))
}

impl RawAccount {
    fn parse(self) -> Result<LedgerAccount, StoreError> {
        let flags = narrow::<u16>(self.flags, "account flags")?;
        Ok(LedgerAccount {
            account: Account {
                id: parse_hex128(&self.id)?,
                ledger: narrow(self.ledger, "ledger")?,
                code: narrow(self.code, "account code")?,
                flags: AccountFlags::from_bits(flags)
                    .ok_or_else(|| corrupt(format!("unknown account flags {flags}")))?,
                debits_pending: self.debits_pending,
                debits_posted: self.debits_posted,
                credits_pending: self.credits_pending,
                credits_posted: self.credits_posted,
                user_data_128: parse_hex128(&self.user_data_128)?,
                user_data_64: parse_hex64(&self.user_data_64)?,
                user_data_32: narrow(self.user_data_32, "user data")?,
                timestamp: narrow(self.timestamp, "timestamp")?,
            },
            province: self.province,
            name: self.name,
            kind: self.kind,
        })
    }
}

impl RawTransfer {
    fn parse(self) -> Result<Transfer, StoreError> {
        let flags = narrow::<u16>(self.flags, "transfer flags")?;
        Ok(Transfer {
            id: parse_hex128(&self.id)?,
            debit_account_id: parse_hex128(&self.debit_account_id)?,
            credit_account_id: parse_hex128(&self.credit_account_id)?,
            amount: self.amount,
            pending_id: self.pending_id.as_deref().map_or(Ok(0), parse_hex128)?,
            ledger: narrow(self.ledger, "ledger")?,
            code: narrow(self.code, "transfer code")?,
            flags: TransferFlags::from_bits(flags)
                .ok_or_else(|| corrupt(format!("unknown transfer flags {flags}")))?,
            user_data_128: parse_hex128(&self.user_data_128)?,
            user_data_64: parse_hex64(&self.user_data_64)?,
            user_data_32: narrow(self.user_data_32, "user data")?,
            timestamp: narrow(self.timestamp, "timestamp")?,
        })
    }
}
