//! The yardstick for write benchmarks: a plain INSERT loop, one statement per row in
//! one transaction, into a scratch table shaped like `cooperatives` (no indexes, no
//! foreign keys, no audit). Benchmarks report taavon's figures as a ratio to it.

use std::time::{Duration, Instant};

use crate::cooperatives::NewCooperative;
use crate::error::db;
use crate::tx::Conn;
use crate::{Store, StoreError};

impl Store {
    /// Inserts the rows one by one and returns how long it took; leaves nothing behind.
    pub async fn baseline_insert_loop(
        &self,
        rows: &[NewCooperative],
    ) -> Result<Duration, StoreError> {
        let mut conn = self.raw_write().await?;
        on!(&mut conn, |c| sqlx::query(
            "CREATE TEMPORARY TABLE baseline_cooperatives (province TEXT, county TEXT, name TEXT, \
             name_key TEXT, kind TEXT, sector TEXT, legal_id TEXT, women_led BOOLEAN, status TEXT, \
             founded_on TEXT)"
        )
        .execute(c)
        .await
        .map(|_| ())
        .map_err(db("creating the baseline table"))?);
        let started = Instant::now();
        for f in rows {
            on!(&mut conn, |c| {
                sqlx::query(
                "INSERT INTO baseline_cooperatives (province, county, name, name_key, kind, sector, \
                 legal_id, women_led, status, founded_on) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
            )
            .bind(&f.province)
            .bind(&f.county)
            .bind(&f.name)
            .bind(&f.name_key)
            .bind(&f.kind)
            .bind(&f.sector)
            .bind(f.legal_id.as_deref())
            .bind(f.women_led)
            .bind(&f.status)
            .bind(f.founded_on.as_deref())
            .execute(c)
            .await
            .map(|_| ())
            .map_err(db("inserting a baseline row"))?
            });
        }
        let elapsed = started.elapsed();
        match conn {
            Conn::Sqlite(tx) => tx.rollback().await,
            Conn::Postgres(tx) => tx.rollback().await,
        }
        .map_err(db("dropping the baseline table"))?;
        Ok(elapsed)
    }
}
