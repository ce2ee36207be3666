//! UI sessions: the transport state the server's session layer keeps in the database
//! (not audited: see `taavon_store::SessionRow`). The server reaches the table only
//! through these, like every other table.

use taavon_core::timestamp::Timestamp;
pub use taavon_store::SessionRow;
use taavon_store::Store;

use crate::AppError;

/// Inserts a session if its id is free; returns whether it was inserted.
pub async fn create(store: &Store, session: &SessionRow) -> Result<bool, AppError> {
    Ok(store.session_create(session).await?)
}

/// Replaces a session's data and expiry.
pub async fn save(store: &Store, session: &SessionRow) -> Result<(), AppError> {
    Ok(store.session_save(session).await?)
}

/// The session with this id hash, unless it has expired at `now`.
pub async fn load(
    store: &Store,
    id_hash: &str,
    now: Timestamp,
) -> Result<Option<SessionRow>, AppError> {
    Ok(store.session_load(id_hash, now).await?)
}

/// Ends a session.
pub async fn delete(store: &Store, id_hash: &str) -> Result<(), AppError> {
    Ok(store.session_delete(id_hash).await?)
}
