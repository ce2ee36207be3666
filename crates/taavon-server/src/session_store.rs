//! tower-sessions' store over taavon's own `sessions` table, so sessions survive restarts
//! and are shared by app servers behind a load balancer.

use async_trait::async_trait;
use taavon_app::clock;
use taavon_core::timestamp::Timestamp;
use taavon_store::{SessionRow, Store};
use tower_sessions::SessionStore;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{Error, Result};

/// Sessions kept in the database.
#[derive(Clone)]
pub struct DatabaseSessions {
    pub store: Store,
}

impl std::fmt::Debug for DatabaseSessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DatabaseSessions")
    }
}

fn row_of(record: &Record) -> Result<SessionRow> {
    let data = serde_json::to_string(&record.data).map_err(|e| Error::Encode(e.to_string()))?;
    let expires_at = Timestamp::from_unix_millis_clamped(
        record.expiry_date.unix_timestamp().saturating_mul(1000),
    );
    Ok(SessionRow {
        id: record.id.to_string(),
        data,
        expires_at,
    })
}

fn backend(error: taavon_store::StoreError) -> Error {
    Error::Backend(error.to_string())
}

#[async_trait]
impl SessionStore for DatabaseSessions {
    async fn create(&self, record: &mut Record) -> Result<()> {
        // A fresh random id collides only with astronomically small odds; retry if it does.
        loop {
            if self
                .store
                .session_create(&row_of(record)?)
                .await
                .map_err(backend)?
            {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> Result<()> {
        self.store
            .session_save(&row_of(record)?)
            .await
            .map_err(backend)
    }

    async fn load(&self, id: &Id) -> Result<Option<Record>> {
        let Some(row) = self
            .store
            .session_load(&id.to_string(), clock::now())
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
        self.store
            .session_delete(&id.to_string())
            .await
            .map_err(backend)
    }
}
