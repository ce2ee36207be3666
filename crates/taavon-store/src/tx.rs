//! The store handle and its read and write transactions.

use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};
use taavon_core::timestamp::Timestamp;

use crate::audit::{self, Actor, AuditEntry, AuditKey};
use crate::conn::Conn;
use crate::error::db;
use crate::{DatabaseUrl, StoreError};

/// Which database engine a store runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// A handle to the database; cheap to clone, shared by every request.
#[derive(Clone)]
pub struct Store {
    backend: Arc<Backend>,
    /// Keys the audit chain (see `audit`); none: records are hash-chained only.
    audit_key: Option<Arc<AuditKey>>,
    /// Write transactions begun while serving a request (see `Store::serving`), so a test
    /// can check that reading writes nothing; background work is not counted.
    request_writes: Arc<AtomicU64>,
    /// The reference data kept in memory (see `reference_cache`).
    pub(crate) reference: Arc<crate::reference_cache::ReferenceCache>,
}

tokio::task_local! {
    /// Set while a request is served (see `Store::serving`).
    static SERVING: ();
}

enum Backend {
    /// SQLite allows one writer at a time: a one-connection write pool queues writers in
    /// the process instead of failing them with SQLITE_BUSY, and readers use WAL snapshots.
    Sqlite {
        write: SqlitePool,
        read: SqlitePool,
    },
    Postgres(PgPool),
}

/// The queries that only read. Both transaction kinds dereference to it, so a use case
/// reads the same way inside a write as outside one; writes live on `WriteTx` alone.
pub struct Reader {
    pub(crate) conn: Conn,
}

/// A read-only transaction: one consistent snapshot.
pub struct ReadTx {
    reader: Reader,
}

/// A write transaction. Every change made through it is recorded as an audit entry, and
/// `commit` appends the entries to the hash chain before committing.
pub struct WriteTx {
    reader: Reader,
    pub(crate) actor: Actor,
    pub(crate) now: Timestamp,
    pub(crate) entries: Vec<AuditEntry>,
    /// The events this change emits, written at commit (see `events`).
    pub(crate) events: Vec<crate::outbox::PendingEvent>,
    audit_key: Option<Arc<AuditKey>>,
    /// The store's reference snapshot, dropped once a change to reference data commits.
    reference: Arc<crate::reference_cache::ReferenceCache>,
    pub(crate) reference_changed: bool,
    /// Loans whose share of the county loan figures is recomputed at commit.
    pub(crate) figure_loans: std::collections::BTreeSet<i64>,
}

impl Store {
    /// Opens (creating if needed) the database the URL names and brings its schema up to
    /// date.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let backend = match DatabaseUrl::parse(url)? {
            DatabaseUrl::Sqlite { path } => open_sqlite(&path).await?,
            DatabaseUrl::Postgres { url } => {
                let pool = PgPoolOptions::new()
                    .max_connections(16)
                    .after_release(closed_if_still_in_a_transaction)
                    // With the database down the pool retries connecting until this
                    // wait ends: a request then fails within 5 s (503, try again) rather
                    // than hanging for sqlx's default 30 s.
                    .acquire_timeout(Duration::from_secs(5))
                    .connect(&url)
                    .await
                    .map_err(db("connecting to PostgreSQL"))?;
                sqlx::migrate!("./migrations/postgres").run(&pool).await?;
                crate::citus::distribute(&pool).await?;
                Backend::Postgres(pool)
            }
        };
        Ok(Self {
            backend: Arc::new(backend),
            audit_key: None,
            request_writes: Arc::default(),
            reference: Arc::default(),
        })
    }

    /// This store with the key that MACs every audit record it appends (and checks them
    /// when verifying).
    pub fn with_audit_key(mut self, key: AuditKey) -> Self {
        self.audit_key = Some(Arc::new(key));
        self
    }

    /// This store with `other`'s audit key: another app server on the same database,
    /// configured with the same key file.
    pub fn with_audit_key_of(mut self, other: &Store) -> Self {
        self.audit_key.clone_from(&other.audit_key);
        self
    }

    pub(crate) fn audit_key(&self) -> Option<&AuditKey> {
        self.audit_key.as_deref()
    }

    /// Whether this store has the audit key.
    pub fn has_audit_key(&self) -> bool {
        self.audit_key.is_some()
    }

    /// Runs `request` (a request's whole handling, its session's save included) so that
    /// every write transaction it begins is counted in `request_writes`.
    pub async fn serving<F: std::future::Future>(request: F) -> F::Output {
        SERVING.scope((), request).await
    }

    /// How many write transactions requests have begun since the store was opened.
    pub fn request_writes(&self) -> u64 {
        self.request_writes.load(Ordering::Relaxed)
    }

    pub fn engine(&self) -> Engine {
        match *self.backend {
            Backend::Sqlite { .. } => Engine::Sqlite,
            Backend::Postgres(_) => Engine::Postgres,
        }
    }

    /// Begins a read-only transaction.
    pub async fn read(&self) -> Result<ReadTx, StoreError> {
        let conn = match &*self.backend {
            Backend::Sqlite { read, .. } => {
                Conn::Sqlite(read.begin().await.map_err(db("beginning a read"))?)
            }
            Backend::Postgres(pool) => Conn::Postgres(
                pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    .await
                    .map_err(db("beginning a read"))?,
            ),
        };
        Ok(ReadTx {
            reader: Reader { conn },
        })
    }

    /// Begins a write transaction on behalf of `actor` at the instant `now`.
    pub async fn write(&self, actor: Actor, now: Timestamp) -> Result<WriteTx, StoreError> {
        Ok(WriteTx {
            reader: Reader {
                conn: self.raw_write().await?,
            },
            actor,
            now,
            entries: Vec::new(),
            events: Vec::new(),
            audit_key: self.audit_key.clone(),
            reference: self.reference.clone(),
            reference_changed: false,
            figure_loans: std::collections::BTreeSet::new(),
        })
    }

    /// A bare write transaction, for the rows that are not audited (sessions, throttle
    /// counters).
    pub(crate) async fn raw_write(&self) -> Result<Conn, StoreError> {
        if SERVING.try_with(|()| ()).is_ok() {
            self.request_writes.fetch_add(1, Ordering::Relaxed);
        }
        Ok(match &*self.backend {
            // IMMEDIATE takes the write lock up front, so a transaction that reads before
            // it writes cannot fail half-way on a lock upgrade.
            Backend::Sqlite { write, .. } => Conn::Sqlite(
                write
                    .begin_with("BEGIN IMMEDIATE")
                    .await
                    .map_err(db("beginning a write"))?,
            ),
            Backend::Postgres(pool) => {
                Conn::Postgres(pool.begin().await.map_err(db("beginning a write"))?)
            }
        })
    }

    /// Reclaims the dead rows of the impact tables and refreshes the planner's figures,
    /// as autovacuum would on a deployment after a bulk load: a benchmark that rolls a
    /// bulk INSERT back leaves millions of dead tuples every later scan of the list walks.
    pub async fn vacuum_impact_tables(&self) -> Result<(), StoreError> {
        self.vacuum_after_bulk_load(&["insured_rows", "loan_hires"])
            .await
    }

    /// Reclaims the dead rows `tables` were left with by a bulk load (rows written and
    /// rewritten in one transaction, or rolled back) and refreshes the planner's figures,
    /// as autovacuum would soon after on a deployment; until then PostgreSQL's plans
    /// count rows that are not there and its index scans visit the dead versions.
    /// VACUUM cannot run inside a transaction, so it goes straight to the pool; SQLite
    /// reuses a rolled-back transaction's pages and only needs its statistics.
    pub(crate) async fn vacuum_after_bulk_load(&self, tables: &[&str]) -> Result<(), StoreError> {
        const CONTEXT: &str = "vacuuming after a bulk load";
        match &*self.backend {
            Backend::Sqlite { write, .. } => {
                sqlx::query("ANALYZE")
                    .execute(write)
                    .await
                    .map_err(db(CONTEXT))?;
            }
            Backend::Postgres(pool) => {
                let sql = format!("VACUUM ANALYZE {}", tables.join(", "));
                sqlx::query(sqlx::AssertSqlSafe(sql))
                    .execute(pool)
                    .await
                    .map_err(db(CONTEXT))?;
            }
        }
        Ok(())
    }

    /// The read connections of a SQLite store (a backup reads one snapshot of them).
    pub(crate) fn sqlite_read_pool(&self) -> Option<&SqlitePool> {
        match &*self.backend {
            Backend::Sqlite { read, .. } => Some(read),
            Backend::Postgres(_) => None,
        }
    }

    /// Closes every connection (at shutdown, so SQLite checkpoints its WAL).
    pub async fn close(&self) {
        match &*self.backend {
            Backend::Sqlite { write, read } => {
                read.close().await;
                write.close().await;
            }
            Backend::Postgres(pool) => pool.close().await,
        }
    }
}

/// Whether a connection given back to its pool may serve again: not when it still counts
/// an open transaction. A SQLite write that fails for want of disk (SQLITE_FULL) may be
/// rolled back by SQLite itself; sqlx's ROLLBACK on drop then fails, its count of open
/// transactions stays at one, and every later `BEGIN IMMEDIATE` on the connection was
/// refused (`InvalidSavePointStatement`: a 500 on every write after the disk had room
/// again). Closing it lets the pool open a fresh one.
fn closed_if_still_in_a_transaction<C: sqlx::Connection>(
    conn: &mut C,
    _: sqlx::pool::PoolConnectionMetadata,
) -> std::pin::Pin<Box<dyn Future<Output = Result<bool, sqlx::Error>> + Send + '_>> {
    let clean = !conn.is_in_transaction();
    if !clean {
        tracing::warn!("a connection came back inside a transaction; closing it");
    }
    Box::pin(std::future::ready(Ok(clean)))
}

async fn open_sqlite(path: &str) -> Result<Backend, StoreError> {
    if let Some(parent) = std::path::Path::new(path).parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent).map_err(|source| StoreError::Directory {
            path: parent.display().to_string(),
            source,
        })?;
    }
    let options = SqliteConnectOptions::from_str(&format!("sqlite://{path}"))
        .map_err(db("reading the SQLite URL"))?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(sqlx::sqlite::SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(30));
    // Ledger batches append to the indexes by account all over the table, dirtying a page
    // per touched account. So the one writer keeps 64 MiB of pages (SQLite's default is
    // 2 MiB) rather than re-read them every batch, and lets the WAL grow to 20 000 pages
    // (80 MiB) before copying it back: a page written by many batches is copied (and the
    // file synced) once, which halved the time of a 100 000-transfer run.
    let write = SqlitePoolOptions::new()
        .max_connections(1)
        .acquire_timeout(Duration::from_secs(60))
        .after_release(closed_if_still_in_a_transaction)
        .connect_with(
            options
                .clone()
                .pragma("cache_size", "-65536")
                .pragma("wal_autocheckpoint", "20000"),
        )
        .await
        .map_err(db("opening SQLite"))?;
    sqlx::migrate!("./migrations/sqlite").run(&write).await?;
    let read = SqlitePoolOptions::new()
        .max_connections(4)
        .after_release(closed_if_still_in_a_transaction)
        .connect_with(options.read_only(true))
        .await
        .map_err(db("opening SQLite for reading"))?;
    Ok(Backend::Sqlite { write, read })
}

impl ReadTx {
    /// Ends the snapshot. Dropping a `ReadTx` does the same.
    pub async fn finish(self) -> Result<(), StoreError> {
        self.reader.conn.rollback("ending a read").await
    }
}

impl WriteTx {
    /// Records a state change. The use case calls this once per change, in the same
    /// transaction as the change itself.
    pub fn audit(&mut self, entry: AuditEntry) {
        self.entries.push(entry);
    }

    /// Whether anything has been recorded to commit.
    pub fn has_audit_entries(&self) -> bool {
        !self.entries.is_empty()
    }

    /// The instant this transaction acts at.
    pub fn now(&self) -> Timestamp {
        self.now
    }

    /// Appends the recorded audit entries to the chain and commits, all or nothing.
    pub async fn commit(mut self) -> Result<(), StoreError> {
        if self.entries.is_empty() {
            return Err(StoreError::Unaudited);
        }
        // The loans' county figures follow every statement of the change.
        let figure_loans = std::mem::take(&mut self.figure_loans);
        crate::loan_figure_parts::refresh(&mut self.reader.conn, &figure_loans).await?;
        let entries = std::mem::take(&mut self.entries);
        let key = self.audit_key.clone();
        audit::append(
            &mut self.reader.conn,
            &self.actor,
            self.now,
            entries,
            key.as_deref(),
        )
        .await?;
        // After the audit head is locked: event ids then grow in commit order.
        let events = std::mem::take(&mut self.events);
        crate::outbox::insert(&mut self.reader.conn, &events, &self.now.to_string()).await?;
        match self.reader.conn {
            Conn::Sqlite(tx) => tx.commit().await,
            Conn::Postgres(tx) => tx.commit().await,
        }
        .map_err(db("committing"))?;
        if self.reference_changed {
            self.reference.invalidate();
        }
        Ok(())
    }

    /// Abandons every change. Dropping a `WriteTx` does the same.
    pub async fn rollback(self) -> Result<(), StoreError> {
        self.reader.conn.rollback("rolling back").await
    }

    pub(crate) fn conn(&mut self) -> &mut Conn {
        &mut self.reader.conn
    }
}

impl std::ops::Deref for ReadTx {
    type Target = Reader;
    fn deref(&self) -> &Reader {
        &self.reader
    }
}

impl std::ops::DerefMut for ReadTx {
    fn deref_mut(&mut self) -> &mut Reader {
        &mut self.reader
    }
}

impl std::ops::Deref for WriteTx {
    type Target = Reader;
    fn deref(&self) -> &Reader {
        &self.reader
    }
}

impl std::ops::DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut Reader {
        &mut self.reader
    }
}
