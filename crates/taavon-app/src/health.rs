//! Whether this server reaches its database, for load balancers.

use taavon_store::{Engine, Store, StoreError, Unavailability};

/// The database's engine and whether a read transaction opens and closes.
pub struct DatabaseHealth {
    /// `sqlite` or `postgres`.
    pub engine: &'static str,
    /// Why the read failed, when it did: `database_unreachable`,
    /// `database_storage_failed` or `database_error`.
    pub problem: Option<&'static str>,
}

/// Opens and finishes an empty read; reads nothing, so it needs no principal.
pub async fn database(store: &Store) -> DatabaseHealth {
    let engine = match store.engine() {
        Engine::Sqlite => "sqlite",
        Engine::Postgres => "postgres",
    };
    let read = match store.read().await {
        Ok(read) => read.finish().await,
        Err(error) => Err(error),
    };
    DatabaseHealth {
        engine,
        problem: read.err().map(|error| problem_of(&error)),
    }
}

fn problem_of(error: &StoreError) -> &'static str {
    tracing::warn!(%error, "health check: the database failed a read");
    match error.unavailability() {
        Some(Unavailability::Unreachable) => "database_unreachable",
        Some(Unavailability::StorageFailed) => "database_storage_failed",
        None => "database_error",
    }
}
