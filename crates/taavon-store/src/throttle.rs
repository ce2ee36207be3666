//! Login throttle counters: how many attempts a key (a user name from a source, or a
//! source alone) has made in its current window.
//!
//! Like sessions these are transport state, written outside a `WriteTx` (the login's
//! outcome is what the audit trail records). A reservation is one upsert per key in one
//! transaction that also compares the counts with their limits, so parallel attempts are
//! counted exactly on both engines: SQLite has one writer, and on PostgreSQL the upsert
//! locks the key's row until the transaction ends. Keys are always taken in the order
//! given, so two logins never wait for each other in a cycle.

use sqlx::Row;
use taavon_core::timestamp::Timestamp;

use crate::error::db;
use crate::tx::WriteTx;
use crate::{Store, StoreError};

/// A throttle key and the attempts it may make in one window.
#[derive(Clone, Copy, Debug)]
pub struct ThrottleKey<'a> {
    pub key: &'a str,
    pub limit: i64,
}

/// What reserving an attempt came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reservation {
    /// The attempt is counted on every key; give it back if it succeeds.
    Reserved,
    /// A key has used up its window; nothing was counted.
    Refused { retry_after_seconds: i64 },
}

/// Adds one attempt, or restarts the count when the window has passed.
const RESERVE: &str = "INSERT INTO login_throttle (key, attempts, window_started_at) \
     VALUES ($1, 1, $2) \
     ON CONFLICT (key) DO UPDATE SET \
     attempts = CASE WHEN login_throttle.window_started_at > $3 \
         THEN login_throttle.attempts + 1 ELSE 1 END, \
     window_started_at = CASE WHEN login_throttle.window_started_at > $3 \
         THEN login_throttle.window_started_at ELSE $2 END \
     RETURNING attempts, window_started_at";

impl Store {
    /// Counts one attempt on every key, or on none when any key already holds its limit
    /// within the `window_seconds` before `now`.
    pub async fn reserve_login_attempt(
        &self,
        keys: &[ThrottleKey<'_>],
        now: Timestamp,
        window_seconds: i64,
    ) -> Result<Reservation, StoreError> {
        let window_start = now.plus_seconds(-window_seconds).to_string();
        let now_text = now.to_string();
        let mut tx = self.raw_write().await?;
        let mut retry_after_seconds: Option<i64> = None;
        for key in keys {
            let (attempts, started): (i64, String) = on!(&mut tx, |c| sqlx::query(RESERVE)
                .bind(key.key)
                .bind(&now_text)
                .bind(&window_start)
                .fetch_one(c)
                .await
                .and_then(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
                .map_err(db("reserving a login attempt"))?);
            if attempts > key.limit {
                let ends = Timestamp::parse(&started)
                    .unwrap_or(now)
                    .plus_seconds(window_seconds);
                let wait = (ends.unix_seconds() - now.unix_seconds()).max(1);
                retry_after_seconds = Some(retry_after_seconds.map_or(wait, |w| w.max(wait)));
            }
        }
        match retry_after_seconds {
            Some(retry_after_seconds) => {
                tx.rollback("refusing a login attempt").await?;
                Ok(Reservation::Refused {
                    retry_after_seconds,
                })
            }
            None => {
                tx.commit("reserving a login attempt").await?;
                Ok(Reservation::Reserved)
            }
        }
    }
}

impl WriteTx {
    /// Gives a successful login's reservation back, in the login's own transaction: the
    /// `forget` key (the user name from this source) starts afresh and each `give_back`
    /// key (the source) loses the one attempt.
    pub async fn release_login_attempt(
        &mut self,
        forget: &str,
        give_back: &str,
    ) -> Result<(), StoreError> {
        on!(self.conn(), |c| sqlx::query(
            "DELETE FROM login_throttle WHERE key = $1"
        )
        .bind(forget)
        .execute(c)
        .await
        .map(|_| ())
        .map_err(db("releasing a login attempt"))?);
        on!(self.conn(), |c| sqlx::query(
            "UPDATE login_throttle SET attempts = attempts - 1 WHERE key = $1 AND attempts > 0"
        )
        .bind(give_back)
        .execute(c)
        .await
        .map(|_| ())
        .map_err(db("releasing a login attempt"))?);
        Ok(())
    }
}
