//! What the migrations produced: tables and columns, for the parity test that keeps the
//! SQLite and PostgreSQL schemas in step.

use sqlx::Row;

use crate::error::db;
use crate::tx::Conn;
use crate::{Store, StoreError};

/// One table's columns in declaration order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableColumns {
    pub table: String,
    pub columns: Vec<ColumnInfo>,
}

/// A column with its type reduced to what both engines share: `integer`, `text`,
/// `boolean` or the engine's own name when it is none of those.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ColumnInfo {
    pub name: String,
    pub kind: String,
}

impl Store {
    /// Every application table (not sqlx's bookkeeping), by name.
    pub async fn schema(&self) -> Result<Vec<TableColumns>, StoreError> {
        let mut tx = self.read().await?;
        let rows: Vec<(String, String, String)> = match &mut tx.conn {
            Conn::Sqlite(c) => sqlx::query(
                "SELECT m.name, p.name, p.type FROM sqlite_master m \
                 JOIN pragma_table_info(m.name) p \
                 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' \
                 AND m.name NOT LIKE '_sqlx%' ORDER BY m.name, p.cid",
            )
            .fetch_all(&mut **c)
            .await
            .map_err(db("reading the SQLite schema"))?
            .iter()
            .map(|row| Ok((row.try_get(0)?, row.try_get(1)?, row.try_get(2)?)))
            .collect::<Result<_, sqlx::Error>>(),
            Conn::Postgres(c) => sqlx::query(
                "SELECT table_name::text, column_name::text, data_type::text \
                 FROM information_schema.columns WHERE table_schema = current_schema() \
                 AND table_name NOT LIKE '_sqlx%' ORDER BY table_name, ordinal_position",
            )
            .fetch_all(&mut **c)
            .await
            .map_err(db("reading the PostgreSQL schema"))?
            .iter()
            .map(|row| Ok((row.try_get(0)?, row.try_get(1)?, row.try_get(2)?)))
            .collect::<Result<_, sqlx::Error>>(),
        }
        .map_err(db("decoding the schema"))?;
        tx.finish().await?;
        let mut tables: Vec<TableColumns> = Vec::new();
        for (table, name, kind) in rows {
            let column = ColumnInfo {
                name,
                kind: normalise_type(&kind),
            };
            match tables.last_mut() {
                Some(last) if last.table == table => last.columns.push(column),
                _ => tables.push(TableColumns {
                    table,
                    columns: vec![column],
                }),
            }
        }
        // Engines collate names differently; byte order is the same everywhere.
        tables.sort_by(|a, b| a.table.cmp(&b.table));
        Ok(tables)
    }
}

fn normalise_type(kind: &str) -> String {
    match kind.to_ascii_lowercase().as_str() {
        "integer" | "bigint" | "int8" | "smallint" => "integer".into(),
        "text" | "character varying" => "text".into(),
        "boolean" | "bool" => "boolean".into(),
        other => other.into(),
    }
}
