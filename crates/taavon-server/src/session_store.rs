//! tower-sessions' store over taavon's own `sessions` table, so sessions survive restarts
//! and are shared by app servers behind a load balancer.
//!
//! A session is stored under the SHA-256 of its id, never the id itself, so whoever reads
//! the table (a backup, a replica) cannot take over a session. Its row expires at the
//! idle deadline tower-sessions computes, but never later than `lifetime` after the login
//! (`SESSION_STARTED`), so an active session still ends.
//!
//! A page view writes nothing: tower-sessions saves a session on every request to push
//! its idle deadline forward, which would queue every read behind the database's writer.
//! The row is rewritten only when its data changed or its deadline has moved by more than
//! `renew_after` since it was loaded, so the idle deadline is honoured to within that much.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

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
    store: Store,
    /// The absolute lifetime of a session, from its login.
    lifetime: std::time::Duration,
    /// How far the idle deadline may move before the row is rewritten (milliseconds: a
    /// deadline truncated to seconds would renew up to a second early).
    renew_after_millis: i64,
    /// The rows loaded by requests in flight (id hash → data, deadline), so that their
    /// save can tell an unchanged session from a changed one without a read.
    loaded: Arc<Mutex<HashMap<String, Loaded>>>,
}

struct Loaded {
    /// Compared as values: the stored text's key order is a hash map's.
    data: HashMap<String, serde_json::Value>,
    expires_at_millis: i64,
}

/// Requests in flight hold at most this many loaded rows; past it the memory is dropped
/// (those sessions are then simply written, as before).
const LOADED_MAX: usize = 100_000;

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
    /// Sessions in `store` that end `lifetime` after their login at the latest, their
    /// idle deadline rewritten at most every `renew_after`.
    pub fn new(
        store: Store,
        lifetime: std::time::Duration,
        renew_after: std::time::Duration,
    ) -> Self {
        Self {
            store,
            lifetime,
            renew_after_millis: i64::try_from(renew_after.as_millis()).unwrap_or(i64::MAX),
            loaded: Arc::default(),
        }
    }

    fn remember(&self, id_hash: String, loaded: Loaded) {
        let mut map = self
            .loaded
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if map.len() >= LOADED_MAX {
            map.clear();
        }
        map.insert(id_hash, loaded);
    }

    /// Whether saving `record` as `row` would change only its deadline, and by less than
    /// `renew_after` (the request's load is forgotten either way).
    fn unchanged(&self, record: &Record, row: &SessionRow) -> bool {
        let loaded = self
            .loaded
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(&row.id_hash);
        loaded.is_some_and(|loaded| {
            loaded.data == record.data
                && (row.expires_at.unix_millis() - loaded.expires_at_millis)
                    < self.renew_after_millis
        })
    }

    fn row_of(&self, record: &Record) -> Result<SessionRow> {
        let data = serde_json::to_string(&record.data).map_err(|e| Error::Encode(e.to_string()))?;
        let idle_deadline_millis =
            i64::try_from(record.expiry_date.unix_timestamp_nanos() / 1_000_000).unwrap_or(0);
        // A record without its login instant is not a session we made: it ends at once.
        let lifetime = i64::try_from(self.lifetime.as_secs()).unwrap_or(i64::MAX);
        let absolute_deadline = record
            .data
            .get(SESSION_STARTED)
            .and_then(serde_json::Value::as_i64)
            .map_or(0, |started| started.saturating_add(lifetime));
        let expires_at = Timestamp::from_unix_millis_clamped(
            idle_deadline_millis.min(absolute_deadline.saturating_mul(1000)),
        );
        Ok(SessionRow {
            id_hash: id_hash(&record.id),
            data,
            expires_at,
        })
    }
}

/// How a session store failure says the database is unavailable: tower-sessions carries
/// only a text from the store to the handler (`auth::session_error`).
pub(crate) const DATABASE_UNAVAILABLE: &str = "database unavailable: ";

fn backend(error: AppError) -> Error {
    match &error {
        AppError::Store(store) if store.unavailability().is_some() => {
            Error::Backend(format!("{DATABASE_UNAVAILABLE}{error}"))
        }
        _ => Error::Backend(error.to_string()),
    }
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
        let row = self.row_of(record)?;
        if self.unchanged(record, &row) {
            return Ok(());
        }
        sessions::save(&self.store, &row).await.map_err(backend)
    }

    async fn load(&self, id: &Id) -> Result<Option<Record>> {
        let Some(row) = sessions::load(&self.store, &id_hash(id), clock::now())
            .await
            .map_err(backend)?
        else {
            return Ok(None);
        };
        let data: HashMap<String, serde_json::Value> =
            serde_json::from_str(&row.data).map_err(|e| Error::Decode(e.to_string()))?;
        let expiry_date = time::OffsetDateTime::from_unix_timestamp_nanos(
            i128::from(row.expires_at.unix_millis()) * 1_000_000,
        )
        .map_err(|e| Error::Decode(e.to_string()))?;
        self.remember(
            row.id_hash,
            Loaded {
                data: data.clone(),
                expires_at_millis: row.expires_at.unix_millis(),
            },
        );
        Ok(Some(Record {
            id: *id,
            data,
            expiry_date,
        }))
    }

    async fn delete(&self, id: &Id) -> Result<()> {
        self.loaded
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(&id_hash(id));
        sessions::delete(&self.store, &id_hash(id))
            .await
            .map_err(backend)
    }
}
