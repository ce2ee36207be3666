//! The store's errors: what went wrong, with enough context to log, never shown to users.

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unknown database URL scheme {scheme:?}: use sqlite://PATH or postgres://…")]
    UnknownScheme { scheme: String },
    #[error("could not prepare the database directory {path}: {source}")]
    Directory {
        path: String,
        source: std::io::Error,
    },
    #[error("database error during {context}: {source}")]
    Database {
        context: &'static str,
        source: sqlx::Error,
    },
    /// From the ledger's batches on SQLite, which run on the connection's own handle.
    #[error("database error during {context}: {source}")]
    Sqlite {
        context: &'static str,
        source: rusqlite::Error,
    },
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("a record with the same {constraint} already exists")]
    Duplicate { constraint: String },
    #[error("a referenced record does not exist ({constraint})")]
    MissingReference { constraint: String },
    #[error("a write transaction tried to commit without an audit record")]
    Unaudited,
    #[error("a batch of {len} ledger events is over the limit of {max}")]
    BatchTooLarge { len: usize, max: usize },
    #[error("{what} does not fit the database")]
    OutOfRange { what: &'static str },
    #[error("stored data is corrupt: {what}")]
    Corrupt { what: String },
    #[error("an audit key is 64 hexadecimal digits (32 bytes)")]
    AuditKeyFormat,
    #[error(
        "the audit chain is keyed from record {keyed_from}: configure its key \
         (audit_key_file or TAAVON_AUDIT_KEY_FILE) to write"
    )]
    AuditKeyRequired { keyed_from: i64 },
    #[error("{needed_for} needs the audit key (audit_key_file or TAAVON_AUDIT_KEY_FILE)")]
    NoAuditKey { needed_for: &'static str },
    #[error("not a checkpoint printed by `taavon audit checkpoint`")]
    CheckpointFormat,
}

/// Attaches a context to a sqlx error, turning constraint violations into their own
/// variants so use cases can answer "already exists" instead of "internal error".
pub(crate) fn db(context: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |source| {
        if let sqlx::Error::Database(error) = &source {
            let constraint = error
                .constraint()
                .map(str::to_owned)
                .unwrap_or_else(|| error.message().to_owned());
            if error.is_unique_violation() {
                return StoreError::Duplicate { constraint };
            }
            if error.is_foreign_key_violation() {
                return StoreError::MissingReference { constraint };
            }
        }
        StoreError::Database { context, source }
    }
}

pub(crate) fn corrupt(what: impl Into<String>) -> StoreError {
    StoreError::Corrupt { what: what.into() }
}
