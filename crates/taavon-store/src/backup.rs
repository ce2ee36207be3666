//! A SQLite database's backup and restore. The backup is `VACUUM INTO`, run on a read
//! connection: it copies one read snapshot (WAL lets the serving process keep writing
//! meanwhile) into a new, compact file, so the copy is consistent however busy the
//! database is. A restore puts such a file in the database's place. PostgreSQL's are
//! `pg_dump` and `pg_restore` (the CLI runs them).

use std::path::Path;

use crate::error::db;
use crate::{DatabaseUrl, Store, StoreError};

/// The first bytes of every SQLite database file.
const SQLITE_HEADER: &[u8] = b"SQLite format 3\0";

impl Store {
    /// Writes a consistent copy of this SQLite database to `out`, which must not exist.
    pub async fn backup_sqlite(&self, out: &Path) -> Result<(), StoreError> {
        let Some(pool) = self.sqlite_read_pool() else {
            return Err(StoreError::Transfer {
                reason: "only a SQLite database is backed up by taavon itself".into(),
            });
        };
        if out.exists() {
            return Err(StoreError::Transfer {
                reason: format!(
                    "{} already exists; a backup never overwrites",
                    out.display()
                ),
            });
        }
        let out = out.to_str().ok_or_else(|| StoreError::Transfer {
            reason: format!("the path {} is not UTF-8", out.display()),
        })?;
        sqlx::query("VACUUM INTO $1")
            .bind(out)
            .execute(pool)
            .await
            .map_err(db("backing the database up"))?;
        Ok(())
    }
}

/// Whether the file at `path` is a SQLite database (by its header).
pub fn is_sqlite_file(path: &Path) -> std::io::Result<bool> {
    use std::io::Read;
    let mut header = [0u8; 16];
    let mut file = std::fs::File::open(path)?;
    Ok(file.read_exact(&mut header).is_ok() && header == SQLITE_HEADER)
}

/// Puts the SQLite backup `from` in the place of the database `url` names: copied beside
/// it, then renamed over it, its old write-ahead log and shared memory removed first (they
/// belong to the replaced file). No process may have the database open meanwhile.
pub fn restore_sqlite_file(from: &Path, url: &str) -> Result<(), StoreError> {
    let DatabaseUrl::Sqlite { path } = DatabaseUrl::parse(url)? else {
        return Err(StoreError::Transfer {
            reason: "a SQLite backup restores into a sqlite:// database; into PostgreSQL, \
                     restore it as SQLite and run `taavon migrate-to`"
                .into(),
        });
    };
    let io = |what: &str, error: std::io::Error| StoreError::Transfer {
        reason: format!("{what}: {error}"),
    };
    if !is_sqlite_file(from).map_err(|e| io(&format!("reading {}", from.display()), e))? {
        return Err(StoreError::Transfer {
            reason: format!("{} is not a SQLite database", from.display()),
        });
    }
    let target = Path::new(&path);
    if let Some(parent) = target.parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent).map_err(|e| io("making the directory", e))?;
    }
    let staged = format!("{path}.restoring");
    std::fs::copy(from, &staged).map_err(|e| io(&format!("copying to {staged}"), e))?;
    for suffix in ["-wal", "-shm"] {
        match std::fs::remove_file(format!("{path}{suffix}")) {
            Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
                return Err(io(&format!("removing {path}{suffix}"), error));
            }
            _ => {}
        }
    }
    std::fs::rename(&staged, target).map_err(|e| io(&format!("renaming {staged}"), e))
}
