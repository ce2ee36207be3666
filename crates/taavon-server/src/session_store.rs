//! tower-sessions' store over taavon's own `sessions` table, so sessions survive restarts
//! and are shared by app servers behind a load balancer.
//!
//! A session is stored under the SHA-256 of its id, never the id itself, so whoever reads
//! the table (a backup, a replica) cannot take over a session. Its row expires at the
//! idle deadline tower-sessions computes, but never later than `lifetime` after the login
//! (`SESSION_STARTED`), so an active session still ends.

use async_trait::async_trait;
use taavon_app::sessions::{self, SessionRow};
use taavon_app::{AppError, Store, auth, clock};
use taavon_core::timestamp::Timestamp;
use tower_sessions::SessionStore;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{Error, Result};

use crate::auth::SESSION_STARTED;

/// Sessions kept in the database.
#[derive(Clone)]
pub struct DatabaseSessions {
    pub store: Store,
    /// The absolute lifetime of a session, from its login.
    pub lifetime: std::time::Duration,
}

impl std::fmt::Debug for DatabaseSessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DatabaseSessions")
    }
}

/// The stored form of a session id.
pub fn id_hash(id: &Id) -> String {
    auth::token_hash(&id.to_string())
}

impl DatabaseSessions {
    fn row_of(&self, record: &Record) -> Result<SessionRow> {
        let data = serde_json::to_string(&record.data).map_err(|e| Error::Encode(e.to_string()))?;
        let idle_deadline = record.expiry_date.unix_timestamp();
        // A record without its login instant is not a session we made: it ends at once.
        let lifetime = i64::try_from(self.lifetime.as_secs()).unwrap_or(i64::MAX);
        let absolute_deadline = record
            .data
            .get(SESSION_STARTED)
            .and_then(serde_json::Value::as_i64)
            .map_or(0, |started| started.saturating_add(lifetime));
        let expires_at = Timestamp::from_unix_millis_clamped(
            idle_deadline.min(absolute_deadline).saturating_mul(1000),
        );
        Ok(SessionRow {
            id_hash: id_hash(&record.id),
            data,
            expires_at,
        })
    }
}

fn backend(error: AppError) -> Error {
    Error::Backend(error.to_string())
}

#[async_trait]
impl SessionStore for DatabaseSessions {
    async fn create(&self, record: &mut Record) -> Result<()> {
        // A fresh random id collides only with astronomically small odds; retry if it does.
        loop {
            if sessions::create(&self.store, &self.row_of(record)?)
                .await
                .map_err(backend)?
            {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> Result<()> {
        sessions::save(&self.store, &self.row_of(record)?)
            .await
            .map_err(backend)
    }

    async fn load(&self, id: &Id) -> Result<Option<Record>> {
        let Some(row) = sessions::load(&self.store, &id_hash(id), clock::now())
            .await
            .map_err(backend)?
        else {
            return Ok(None);
        };
        let data = serde_json::from_str(&row.data).map_err(|e| Error::Decode(e.to_string()))?;
        let expiry_date = time::OffsetDateTime::from_unix_timestamp(row.expires_at.unix_seconds())
            .map_err(|e| Error::Decode(e.to_string()))?;
        Ok(Some(Record {
            id: *id,
            data,
            expiry_date,
        }))
    }

    async fn delete(&self, id: &Id) -> Result<()> {
        sessions::delete(&self.store, &id_hash(id))
            .await
            .map_err(backend)
    }
}
