//! UI session records (tower-sessions' records, serialised by the server as JSON).
//!
//! Sessions are the one kind of row written outside a `WriteTx`: they are transport
//! state, not business state, and auditing every cookie refresh would drown the trail.
//! The login and logout that create and end them are audited as `user.login`/`user.logout`.
//!
//! A session is kept under the SHA-256 of its id (the server hashes it), so a copy of the
//! table opens no session.

use sqlx::Row;
use taavon_core::timestamp::Timestamp;

use crate::conn::Conn;
use crate::error::db;
use crate::{Store, StoreError};

/// A stored session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionRow {
    /// The SHA-256 of the session id, hex-encoded.
    pub id_hash: String,
    pub data: String,
    pub expires_at: Timestamp,
}

/// How many rows a purge deleted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Purged {
    pub sessions: u64,
    pub tokens: u64,
    pub throttle_counters: u64,
}

impl Store {
    /// Inserts a session if its id is free; returns whether it was inserted.
    pub async fn session_create(&self, session: &SessionRow) -> Result<bool, StoreError> {
        let mut tx = self.session_tx().await?;
        let inserted = on!(&mut tx, |c| sqlx::query(
            "INSERT INTO sessions (id_hash, data, expires_at) VALUES ($1, $2, $3) \
             ON CONFLICT (id_hash) DO NOTHING"
        )
        .bind(&session.id_hash)
        .bind(&session.data)
        .bind(session.expires_at.to_string())
        .execute(c)
        .await
        .map(|result| result.rows_affected())
        .map_err(db("creating a session"))?);
        commit(tx).await?;
        Ok(inserted == 1)
    }

    pub async fn session_save(&self, session: &SessionRow) -> Result<(), StoreError> {
        let mut tx = self.session_tx().await?;
        on!(&mut tx, |c| {
            sqlx::query(
            "INSERT INTO sessions (id_hash, data, expires_at) VALUES ($1, $2, $3) \
             ON CONFLICT (id_hash) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at"
        )
        .bind(&session.id_hash)
        .bind(&session.data)
        .bind(session.expires_at.to_string())
        .execute(c)
        .await
        .map(|_| ())
        .map_err(db("saving a session"))?
        });
        commit(tx).await
    }

    /// The session with this id hash, unless it has expired at `now`.
    pub async fn session_load(
        &self,
        id_hash: &str,
        now: Timestamp,
    ) -> Result<Option<SessionRow>, StoreError> {
        let mut tx = self.read().await?;
        let row = on!(&mut tx.conn, |c| sqlx::query(
            "SELECT data, expires_at FROM sessions WHERE id_hash = $1 AND expires_at > $2"
        )
        .bind(id_hash)
        .bind(now.to_string())
        .fetch_optional(c)
        .await
        .map_err(db("loading a session"))?
        .map(|row| (row.try_get::<String, _>(0), row.try_get::<String, _>(1))));
        tx.finish().await?;
        let Some((data, expires_at)) = row else {
            return Ok(None);
        };
        let data = data.map_err(db("decoding a session"))?;
        let expires_at = expires_at.map_err(db("decoding a session"))?;
        Ok(Timestamp::parse(&expires_at)
            .ok()
            .map(|expires_at| SessionRow {
                id_hash: id_hash.to_owned(),
                data,
                expires_at,
            }))
    }

    pub async fn session_delete(&self, id_hash: &str) -> Result<(), StoreError> {
        let mut tx = self.session_tx().await?;
        on!(&mut tx, |c| sqlx::query(
            "DELETE FROM sessions WHERE id_hash = $1"
        )
        .bind(id_hash)
        .execute(c)
        .await
        .map(|_| ())
        .map_err(db("deleting a session"))?);
        commit(tx).await
    }

    /// Deletes the transport state that has expired, in one transaction: sessions and
    /// API tokens expired by `now` (and revoked tokens), throttle counters whose window
    /// started by `throttle_stale_before`.
    pub async fn purge_expired(
        &self,
        now: Timestamp,
        throttle_stale_before: Timestamp,
    ) -> Result<Purged, StoreError> {
        let mut tx = self.session_tx().await?;
        let mut counts = [0u64; 3];
        let statements = [
            ("DELETE FROM sessions WHERE expires_at <= $1", now),
            (
                "DELETE FROM api_tokens WHERE expires_at <= $1 OR revoked_at IS NOT NULL",
                now,
            ),
            (
                "DELETE FROM login_throttle WHERE window_started_at <= $1",
                throttle_stale_before,
            ),
        ];
        for (count, (statement, before)) in counts.iter_mut().zip(statements) {
            *count = on!(&mut tx, |c| sqlx::query(statement)
                .bind(before.to_string())
                .execute(c)
                .await
                .map(|result| result.rows_affected())
                .map_err(db("purging expired transport state"))?);
        }
        tx.commit("purging expired transport state").await?;
        let [sessions, tokens, throttle_counters] = counts;
        Ok(Purged {
            sessions,
            tokens,
            throttle_counters,
        })
    }

    async fn session_tx(&self) -> Result<Conn, StoreError> {
        self.raw_write().await
    }
}

async fn commit(conn: Conn) -> Result<(), StoreError> {
    conn.commit("committing a session").await
}
