//! The yardsticks for write benchmarks: a plain INSERT loop, one statement per row in
//! one transaction, into a scratch table shaped like the real one (no indexes, no
//! foreign keys, no audit); a plain bulk INSERT of insured-worker rows into their own
//! table, and of services into theirs; and one UPDATE that rewrites every loan, the
//! floor of any set-based pass over the portfolio. Benchmarks report taavon's figures as
//! a ratio to them.

use std::time::{Duration, Instant};

use taavon_core::impact::InsuredRow;
use taavon_ledger::Transfer;

use crate::conn::Conn;
use crate::cooperatives::NewCooperative;
use crate::error::db;
use crate::impact::gender_code;
use crate::impact::sqlite;
use crate::ledger::sqlite::SqliteBatchIo;
use crate::ledger::{hex64, hex128};
use crate::services::{NewService, Recipient};
use crate::tx::Engine;
use crate::{Store, StoreError};

/// Rows per statement of the insured-row baseline (five parameters each, under both
/// engines' limits).
const BASELINE_INSURED_BATCH: usize = 1_000;

impl Store {
    /// Inserts cooperatives one by one and returns how long it took; leaves nothing
    /// behind.
    pub async fn baseline_insert_loop(
        &self,
        rows: &[NewCooperative],
    ) -> Result<Duration, StoreError> {
        self.timed_in_scratch_table(
            "CREATE TEMPORARY TABLE baseline_cooperatives (province TEXT, county TEXT, name TEXT, \
             name_key TEXT, kind TEXT, sector TEXT, legal_id TEXT, women_led BOOLEAN, status TEXT, \
             founded_on TEXT)",
            async |conn| {
                for f in rows {
                    on!(&mut *conn, |c| {
                        sqlx::query(
                            "INSERT INTO baseline_cooperatives (province, county, name, name_key, \
                             kind, sector, legal_id, women_led, status, founded_on) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                        )
                        .bind(&f.province)
                        .bind(&f.county)
                        .bind(&f.name)
                        .bind(&f.name_key)
                        .bind(f.kind.code())
                        .bind(&f.sector)
                        .bind(f.legal_id.as_deref())
                        .bind(f.women_led)
                        .bind(f.status.code())
                        .bind(f.founded_on.as_deref())
                        .execute(c)
                        .await
                        .map(|_| ())
                        .map_err(db("inserting a baseline row"))?
                    });
                }
                Ok(())
            },
        )
        .await
    }

    /// Inserts ledger transfers one by one, as stored (ids as hex text), and returns how
    /// long it took; leaves nothing behind.
    pub async fn baseline_transfer_loop(&self, rows: &[Transfer]) -> Result<Duration, StoreError> {
        self.timed_in_scratch_table(
            "CREATE TEMPORARY TABLE baseline_transfers (timestamp BIGINT, id TEXT, \
             debit_account_id TEXT, credit_account_id TEXT, amount BIGINT, pending_id TEXT, \
             ledger BIGINT, code BIGINT, flags BIGINT, user_data_128 TEXT, user_data_64 TEXT, \
             user_data_32 BIGINT)",
            async |conn| {
                for (t, timestamp) in rows.iter().zip(1i64..) {
                    on!(&mut *conn, |c| {
                        sqlx::query(
                            "INSERT INTO baseline_transfers (timestamp, id, debit_account_id, \
                             credit_account_id, amount, pending_id, ledger, code, flags, \
                             user_data_128, user_data_64, user_data_32) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                        )
                        .bind(timestamp)
                        .bind(hex128(t.id))
                        .bind(hex128(t.debit_account_id))
                        .bind(hex128(t.credit_account_id))
                        .bind(t.amount)
                        .bind(Option::<String>::None)
                        .bind(i64::from(t.ledger))
                        .bind(i64::from(t.code))
                        .bind(i64::from(t.flags.bits()))
                        .bind(hex128(t.user_data_128))
                        .bind(hex64(t.user_data_64))
                        .bind(i64::from(t.user_data_32))
                        .execute(c)
                        .await
                        .map(|_| ())
                        .map_err(db("inserting a baseline row"))?
                    });
                }
                Ok(())
            },
        )
        .await
    }

    /// Inserts insured-worker rows into `insured_rows` itself with plain INSERTs (no
    /// conflict handling, no upload record, no verification): on SQLite one prepared
    /// statement per row, on PostgreSQL multi-row statements of `BASELINE_INSURED_BATCH`
    /// rows. The batches are drawn from `next` until it answers `None`, in one
    /// transaction that is then rolled back. Answers the rows and how long they took.
    /// Run it on an empty table, before the same rows are imported.
    pub async fn baseline_insured_insert(
        &self,
        next: &mut (dyn FnMut() -> Option<Vec<InsuredRow>> + Send),
    ) -> Result<(u64, Duration), StoreError> {
        let statement = |rows: usize| {
            let values: Vec<String> = (0..rows)
                .map(|i| {
                    let p = i * 5;
                    format!(
                        "(${}, ${}, ${}, ${}, ${}, 0)",
                        p + 1,
                        p + 2,
                        p + 3,
                        p + 4,
                        p + 5
                    )
                })
                .collect();
            format!(
                "INSERT INTO insured_rows (workshop, national_code, month, gender, days, \
                 upload_id) VALUES {}",
                values.join(", ")
            )
        };
        let full = statement(BASELINE_INSURED_BATCH);
        let mut conn = self.raw_write().await?;
        let started = Instant::now();
        let mut written = 0u64;
        while let Some(rows) = next() {
            match &mut conn {
                // On SQLite through the same driver the import writes with (rusqlite, one
                // prepared statement), so the ratio measures the import, not the drivers.
                Conn::Sqlite(tx) => {
                    let locked = (**tx)
                        .lock_handle()
                        .await
                        .map_err(db("borrowing the SQLite connection"))?;
                    let io = SqliteBatchIo::new(locked)?;
                    let mut insert = io
                        .conn
                        .prepare(
                            "INSERT INTO insured_rows (workshop, national_code, month, gender, \
                             days, upload_id) VALUES (?1, ?2, ?3, ?4, ?5, 0)",
                        )
                        .map_err(sqlite("inserting baseline insured rows"))?;
                    for row in &rows {
                        insert
                            .execute(rusqlite::params![
                                row.workshop.as_str(),
                                row.national_code.as_str(),
                                row.month.to_string(),
                                gender_code(row.gender),
                                i64::from(row.days),
                            ])
                            .map_err(sqlite("inserting baseline insured rows"))?;
                    }
                }
                Conn::Postgres(tx) => {
                    for chunk in rows.chunks(BASELINE_INSURED_BATCH) {
                        let partial;
                        let sql = if chunk.len() == BASELINE_INSURED_BATCH {
                            &full
                        } else {
                            partial = statement(chunk.len());
                            &partial
                        };
                        // Placeholders only: the statement holds no data.
                        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()));
                        for row in chunk {
                            query = query
                                .bind(row.workshop.as_str())
                                .bind(row.national_code.as_str())
                                .bind(row.month.to_string())
                                .bind(gender_code(row.gender))
                                .bind(i64::from(row.days));
                        }
                        query
                            .execute(&mut **tx)
                            .await
                            .map_err(db("inserting baseline insured rows"))?;
                    }
                }
            }
            written += u64::try_from(rows.len()).unwrap_or(u64::MAX);
        }
        let elapsed = started.elapsed();
        match conn {
            Conn::Sqlite(tx) => tx.rollback().await,
            Conn::Postgres(tx) => tx.rollback().await,
        }
        .map_err(db("rolling the baseline rows back"))?;
        Ok((written, elapsed))
    }

    /// Inserts services into `services` itself with a plain INSERT (no conflict
    /// handling, no county figures, no audit): on SQLite one prepared statement per row
    /// through the handle the import uses, on PostgreSQL one `UNNEST` statement per batch
    /// as the import sends. The batches are drawn from `next` until it answers `None`, in
    /// one transaction that is then rolled back. Answers the rows and how long they took.
    pub async fn baseline_service_insert(
        &self,
        next: &mut (dyn FnMut() -> Option<Vec<NewService>> + Send),
    ) -> Result<(u64, Duration), StoreError> {
        let mut conn = self.raw_write().await?;
        let started = Instant::now();
        let mut written = 0u64;
        while let Some(rows) = next() {
            match &mut conn {
                Conn::Sqlite(tx) => {
                    let locked = (**tx)
                        .lock_handle()
                        .await
                        .map_err(db("borrowing the SQLite connection"))?;
                    let io = SqliteBatchIo::new(locked)?;
                    let mut insert = io
                        .conn
                        .prepare(
                            "INSERT INTO services (province, county, provider_kind, \
                             provider_code, reference, kind, national_code, cooperative_id, \
                             people, amount_rial, delivered_on, loan_transaction_id, \
                             recorded_by, recorded_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, \
                             ?9, ?10, ?11, NULL, 'baseline', 'baseline')",
                        )
                        .map_err(sqlite("inserting baseline services"))?;
                    for row in &rows {
                        let (national_code, cooperative_id) = match &row.recipient {
                            Recipient::Person(code) => (Some(code.as_str()), None),
                            Recipient::Cooperative(id) => (None, Some(*id)),
                        };
                        insert
                            .execute(rusqlite::params![
                                row.province,
                                row.county,
                                row.provider.kind().code(),
                                row.provider.code(),
                                row.reference,
                                row.kind.code(),
                                national_code,
                                cooperative_id,
                                row.people,
                                row.amount_rial,
                                row.delivered_on.to_string(),
                            ])
                            .map_err(sqlite("inserting baseline services"))?;
                    }
                }
                Conn::Postgres(tx) => {
                    let column = |f: &dyn Fn(&NewService) -> String| -> Vec<String> {
                        rows.iter().map(f).collect()
                    };
                    sqlx::query(
                        "INSERT INTO services (province, county, provider_kind, provider_code, \
                         reference, kind, national_code, cooperative_id, people, amount_rial, \
                         delivered_on, recorded_by, recorded_at) SELECT p, c, pk, pc, r, k, n, \
                         co, pe, a, d, 'baseline', 'baseline' FROM UNNEST($1::text[], \
                         $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], \
                         $8::bigint[], $9::bigint[], $10::bigint[], $11::text[]) \
                         AS r(p, c, pk, pc, r, k, n, co, pe, a, d)",
                    )
                    .bind(column(&|s| s.province.clone()))
                    .bind(column(&|s| s.county.clone()))
                    .bind(column(&|s| s.provider.kind().code().to_owned()))
                    .bind(column(&|s| s.provider.code().to_owned()))
                    .bind(column(&|s| s.reference.clone()))
                    .bind(column(&|s| s.kind.code().to_owned()))
                    .bind(
                        rows.iter()
                            .map(|s| match &s.recipient {
                                Recipient::Person(code) => Some(code.as_str().to_owned()),
                                Recipient::Cooperative(_) => None,
                            })
                            .collect::<Vec<Option<String>>>(),
                    )
                    .bind(
                        rows.iter()
                            .map(|s| match &s.recipient {
                                Recipient::Person(_) => None,
                                Recipient::Cooperative(id) => Some(*id),
                            })
                            .collect::<Vec<Option<i64>>>(),
                    )
                    .bind(rows.iter().map(|s| s.people).collect::<Vec<i64>>())
                    .bind(
                        rows.iter()
                            .map(|s| s.amount_rial)
                            .collect::<Vec<Option<i64>>>(),
                    )
                    .bind(column(&|s| s.delivered_on.to_string()))
                    .execute(&mut **tx)
                    .await
                    .map_err(db("inserting baseline services"))?;
                }
            }
            written += u64::try_from(rows.len()).unwrap_or(u64::MAX);
        }
        let elapsed = started.elapsed();
        match conn {
            Conn::Sqlite(tx) => tx.rollback().await,
            Conn::Postgres(tx) => tx.rollback().await,
        }
        .map_err(db("rolling the baseline services back"))?;
        Ok((written, elapsed))
    }

    /// Creates a temporary table, times `insert` filling it, and rolls everything back.
    async fn timed_in_scratch_table(
        &self,
        create: &'static str,
        insert: impl AsyncFnOnce(&mut Conn) -> Result<(), StoreError>,
    ) -> Result<Duration, StoreError> {
        let mut conn = self.raw_write().await?;
        on!(&mut conn, |c| sqlx::query(create)
            .execute(c)
            .await
            .map(|_| ())
            .map_err(db("creating the baseline table"))?);
        let started = Instant::now();
        insert(&mut conn).await?;
        let elapsed = started.elapsed();
        match conn {
            Conn::Sqlite(tx) => tx.rollback().await,
            Conn::Postgres(tx) => tx.rollback().await,
        }
        .map_err(db("dropping the baseline table"))?;
        Ok(elapsed)
    }

    /// Rewrites every loan with one UPDATE that changes no value, committed, and returns
    /// how long it took: the least any pass touching each loan once can cost.
    pub async fn baseline_full_update(&self) -> Result<Duration, StoreError> {
        let started = Instant::now();
        let mut conn = self.raw_write().await?;
        on!(&mut conn, |c| sqlx::query(
            "UPDATE loans SET closed_day = closed_day"
        )
        .execute(c)
        .await
        .map(|_| ())
        .map_err(db("rewriting every loan"))?);
        match conn {
            Conn::Sqlite(tx) => tx.commit().await,
            Conn::Postgres(tx) => tx.commit().await,
        }
        .map_err(db("committing the rewrite"))?;
        Ok(started.elapsed())
    }

    /// The database's size on disk, bytes (SQLite: the main file's pages, without the
    /// write-ahead log; PostgreSQL: the whole database).
    pub async fn database_bytes(&self) -> Result<i64, StoreError> {
        let sql = match self.engine() {
            Engine::Sqlite => {
                "SELECT p.page_count * s.page_size FROM pragma_page_count() AS p, \
                 pragma_page_size() AS s"
            }
            Engine::Postgres => "SELECT pg_database_size(current_database())",
        };
        let mut read = self.read().await?;
        let bytes = on!(&mut read.conn, |c| sqlx::query(sql)
            .fetch_one(c)
            .await
            .and_then(|row| sqlx::Row::try_get(&row, 0))
            .map_err(db("reading the database size"))?);
        read.finish().await?;
        Ok(bytes)
    }
}
