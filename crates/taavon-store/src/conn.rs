//! An open transaction on one engine, and the `on!` macro that runs one query body on
//! whichever it is. Below both the transactions (`tx`) and the audit chain (`audit`),
//! which appends inside them.

use sqlx::{Postgres, Sqlite};

use crate::StoreError;
use crate::error::db;

/// Runs one body against whichever engine a transaction is on. The body is the same
/// text for both; Rust type-checks it once per engine.
macro_rules! on {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::conn::Conn::Sqlite(tx) => {
                let $c = &mut **tx;
                $body
            }
            $crate::conn::Conn::Postgres(tx) => {
                let $c = &mut **tx;
                $body
            }
        }
    };
}

/// An open transaction on one engine.
pub(crate) enum Conn {
    Sqlite(sqlx::Transaction<'static, Sqlite>),
    Postgres(sqlx::Transaction<'static, Postgres>),
}

impl Conn {
    /// Commits a bare transaction (the unaudited transport state: sessions, throttle
    /// counters, purges).
    pub(crate) async fn commit(self, context: &'static str) -> Result<(), StoreError> {
        match self {
            Conn::Sqlite(tx) => tx.commit().await,
            Conn::Postgres(tx) => tx.commit().await,
        }
        .map_err(db(context))
    }

    pub(crate) async fn rollback(self, context: &'static str) -> Result<(), StoreError> {
        match self {
            Conn::Sqlite(tx) => tx.rollback().await,
            Conn::Postgres(tx) => tx.rollback().await,
        }
        .map_err(db(context))
    }
}
