//! The one statement of each insert that has a single-row and a bulk form (cooperatives,
//! persons, memberships, applications, loans): a table's columns are listed once, beside
//! the code that binds one row in their order, and both forms write through
//! `insert_rows!`, many rows to a statement (sqlx does ~15k single-row inserts a second,
//! but ~50× that in 100-row statements).

use crate::StoreError;
use crate::conn::Conn;
use crate::error::corrupt;

/// Rows per statement: well under both engines' limits on bound parameters.
pub(crate) const ROWS_PER_STATEMENT: usize = 100;

/// `rows` rows of `columns` placeholders each: `($1, $2, …), (…)` on PostgreSQL and
/// `(?, ?, …), (…)` on SQLite. Numbered placeholders cost SQLite time quadratic in their
/// number (sqlx looks each `$N` up by name, and SQLite finds a name by scanning the
/// statement's whole parameter list), which at 1 200 parameters took longer than the
/// insert itself; anonymous ones bind by position for free.
pub(crate) fn placeholders(conn: &Conn, rows: usize, columns: usize) -> String {
    (0..rows)
        .map(|r| {
            let row: Vec<String> = (1..=columns)
                .map(|c| match conn {
                    Conn::Sqlite(_) => "?".to_owned(),
                    Conn::Postgres(_) => format!("${}", r * columns + c),
                })
                .collect();
            format!("({})", row.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Runs a many-row statement over `rows` on SQLite's own handle, `per_statement` rows to
/// a statement: `sql(n)` is the statement for `n` rows (prepared once for full chunks,
/// afresh for the last), `bind` binds one chunk's values in place. One step of the VM's
/// program per chunk rather than per row is what lets a bulk import keep up with the
/// disk. Answers the rows the statements changed (an upsert's skipped rows uncounted).
pub(crate) fn sqlite_rows_in_chunks<T>(
    conn: &rusqlite::Connection,
    rows: &[T],
    per_statement: usize,
    sql: impl Fn(usize) -> String,
    mut bind: impl FnMut(&mut rusqlite::Statement<'_>, &[T]) -> rusqlite::Result<()>,
) -> rusqlite::Result<usize> {
    let mut full = conn.prepare(&sql(per_statement))?;
    let mut changed = 0;
    for chunk in rows.chunks(per_statement) {
        let mut partial;
        let statement = if chunk.len() == per_statement {
            &mut full
        } else {
            partial = conn.prepare(&sql(chunk.len()))?;
            &mut partial
        };
        bind(statement, chunk)?;
        changed += statement.raw_execute()?;
    }
    Ok(changed)
}

/// `INSERT INTO table (columns…) VALUES … RETURNING id` for `rows` rows; `columns` are
/// comma-separated lists, joined in order.
pub(crate) fn insert_sql(conn: &Conn, table: &str, columns: &[&str], rows: usize) -> String {
    let columns = columns.join(", ");
    let count = columns.split(',').count();
    format!(
        "INSERT INTO {table} ({columns}) VALUES {} RETURNING id",
        placeholders(conn, rows, count)
    )
}

/// The id of a single-row insert.
pub(crate) fn only_id(ids: &[i64], table: &str) -> Result<i64, StoreError> {
    ids.first()
        .copied()
        .ok_or_else(|| corrupt(format!("an insert into {table} returned no id")))
}

/// Inserts `$rows` (a slice) into `$table`, `ROWS_PER_STATEMENT` to a statement, binding
/// each row with `$bind` in the order of `$columns` (see `insert_sql`), and evaluates to
/// their ids in order; a failure returns the store error with `$context` from the
/// enclosing function. A macro because the query's type differs per engine.
macro_rules! insert_rows {
    ($write:expr, $table:literal, $columns:expr, $rows:expr, $context:expr,
     |$query:ident, $row:ident| $bind:expr) => {{
        let mut ids: Vec<i64> = Vec::with_capacity($rows.len());
        for chunk in $rows.chunks($crate::insert::ROWS_PER_STATEMENT) {
            let sql = $crate::insert::insert_sql($write.conn(), $table, $columns, chunk.len());
            let chunk_ids: Vec<i64> = on!($write.conn(), |c| {
                let mut $query = sqlx::query(sqlx::AssertSqlSafe(sql));
                for $row in chunk {
                    $query = $bind;
                }
                $query
                    .fetch_all(c)
                    .await
                    .map_err($crate::error::db($context))?
                    .iter()
                    .map(|row| sqlx::Row::try_get::<i64, _>(row, 0))
                    .collect::<Result<_, _>>()
                    .map_err($crate::error::db("reading inserted ids"))?
            });
            ids.extend(chunk_ids);
        }
        ids
    }};
}
pub(crate) use insert_rows;
