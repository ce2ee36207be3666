//! Whether this server reaches its database, for load balancers.

use taavon_store::{Engine, Store};

/// The database's engine and whether a read transaction opens and closes.
pub struct DatabaseHealth {
    /// `sqlite` or `postgres`.
    pub engine: &'static str,
    pub reachable: bool,
}

/// Opens and finishes an empty read; reads nothing, so it needs no principal.
pub async fn database(store: &Store) -> DatabaseHealth {
    let engine = match store.engine() {
        Engine::Sqlite => "sqlite",
        Engine::Postgres => "postgres",
    };
    let reachable = match store.read().await {
        Ok(read) => read.finish().await.is_ok(),
        Err(_) => false,
    };
    DatabaseHealth { engine, reachable }
}
