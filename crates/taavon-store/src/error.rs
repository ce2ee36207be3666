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
    #[error("stored row {table} {id} is corrupt: {column} holds {value:?}, which is no known code")]
    CorruptRow {
        table: &'static str,
        id: String,
        column: &'static str,
        value: String,
    },
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
    /// A backup, restore or move that cannot go ahead, and why.
    #[error("{reason}")]
    Transfer { reason: String },
}

/// Why the database cannot serve a request now, when that is what an error means: the
/// server then answers 503 with `Retry-After` (the request may well succeed later)
/// rather than 500 (a fault to look into), and its health check says why.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unavailability {
    /// The database does not answer: refused, dropped, shutting down, or no connection
    /// free within the pool's wait.
    Unreachable,
    /// The database could not write to its disk (full, or failing).
    StorageFailed,
}

impl StoreError {
    /// Whether this error is the database being unavailable rather than a fault of the
    /// request or of the data.
    pub fn unavailability(&self) -> Option<Unavailability> {
        match self {
            Self::Database { source, .. } => sqlx_unavailability(source),
            Self::Sqlite { source, .. } => source
                .sqlite_error()
                .and_then(|error| sqlite_unavailability(error.extended_code)),
            _ => None,
        }
    }
}

fn sqlx_unavailability(error: &sqlx::Error) -> Option<Unavailability> {
    match error {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::WorkerCrashed => Some(Unavailability::Unreachable),
        sqlx::Error::Database(error) => {
            let code = error.code()?;
            // SQLite's result codes are numbers, and so are some of PostgreSQL's SQLSTATEs:
            // which engine answered decides how its code reads.
            if error
                .try_downcast_ref::<sqlx::sqlite::SqliteError>()
                .is_some()
            {
                return sqlite_unavailability(code.parse().ok()?);
            }
            // PostgreSQL's SQLSTATE: class 08 is a connection exception, 57P01–57P03 a
            // server shutting down or not yet accepting, 53100 a full disk.
            if code.starts_with("08") || ["57P01", "57P02", "57P03"].contains(&code.as_ref()) {
                Some(Unavailability::Unreachable)
            } else if code == "53100" {
                Some(Unavailability::StorageFailed)
            } else {
                None
            }
        }
        _ => None,
    }
}

/// SQLite's (extended) result code: `SQLITE_FULL` (13) and `SQLITE_IOERR` (10, with its
/// extended codes) are the disk refusing a write.
fn sqlite_unavailability(code: i32) -> Option<Unavailability> {
    matches!(code & 0xff, 10 | 13).then_some(Unavailability::StorageFailed)
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

/// One stored row being decoded into its row type: plain columns as they are, coded
/// columns through their core type's `parse`, so an unknown code is a `CorruptRow` naming
/// the table and the row, never a placeholder.
pub(crate) struct Decoded<'r, R> {
    row: &'r R,
    table: &'static str,
    context: &'static str,
    id: String,
}

impl<'r, R: sqlx::Row> Decoded<'r, R>
where
    &'static str: sqlx::ColumnIndex<R>,
    String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    /// A row of `table` keyed by its `id` column; `context` names the read in errors.
    pub(crate) fn new(
        row: &'r R,
        table: &'static str,
        context: &'static str,
    ) -> Result<Self, StoreError> {
        let id: i64 = row.try_get("id").map_err(db(context))?;
        Ok(Self::keyed(row, table, context, id))
    }

    /// A row of `table` known by `key` (a table without an `id` column).
    pub(crate) fn keyed(
        row: &'r R,
        table: &'static str,
        context: &'static str,
        key: impl ToString,
    ) -> Self {
        Self {
            row,
            table,
            context,
            id: key.to_string(),
        }
    }

    /// A row of `table` known by its text column `key` (a table keyed by a code).
    pub(crate) fn by_key(
        row: &'r R,
        table: &'static str,
        context: &'static str,
        key: &'static str,
    ) -> Result<Self, StoreError> {
        let key: String = row.try_get(key).map_err(db(context))?;
        Ok(Self::keyed(row, table, context, key))
    }

    pub(crate) fn get<T>(&self, column: &'static str) -> Result<T, StoreError>
    where
        T: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    {
        self.row.try_get(column).map_err(db(self.context))
    }

    /// A coded column read into its core type with `parse`.
    pub(crate) fn code<T>(
        &self,
        column: &'static str,
        parse: impl FnOnce(&str) -> Option<T>,
    ) -> Result<T, StoreError> {
        let value: String = self.get(column)?;
        parse(&value).ok_or_else(|| self.corrupt(column, value))
    }

    /// A coded column that may be NULL.
    pub(crate) fn optional_code<T>(
        &self,
        column: &'static str,
        parse: impl FnOnce(&str) -> Option<T>,
    ) -> Result<Option<T>, StoreError>
    where
        Option<String>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    {
        let value: Option<String> = self.get(column)?;
        value
            .map(|value| parse(&value).ok_or_else(|| self.corrupt(column, value)))
            .transpose()
    }

    fn corrupt(&self, column: &'static str, value: String) -> StoreError {
        StoreError::CorruptRow {
            table: self.table,
            id: self.id.clone(),
            column,
            value,
        }
    }
}

#[cfg(test)]
mod tests {
    use sqlx::Connection;
    use taavon_core::loans::LoanStatus;

    use super::*;

    #[tokio::test]
    async fn an_unknown_code_is_a_corrupt_row_naming_the_table_and_the_row() {
        // Establishes that a coded column the core does not know is refused with the
        // table, the row id, the column and the value, never read as a default.
        let mut conn = sqlx::SqliteConnection::connect("sqlite::memory:")
            .await
            .unwrap();
        let row = sqlx::query("SELECT 7 AS id, 'active' AS status, 'lost' AS class")
            .fetch_one(&mut conn)
            .await
            .unwrap();
        let decoded = Decoded::new(&row, "loans", "decoding a loan").unwrap();
        assert_eq!(
            decoded.code("status", LoanStatus::parse).unwrap(),
            LoanStatus::Active
        );
        let error = decoded.code("class", LoanStatus::parse).unwrap_err();
        assert_eq!(
            error.to_string(),
            "stored row loans 7 is corrupt: class holds \"lost\", which is no known code"
        );
    }
}
