//! What the migrations produced, described alike on both engines for the parity test that
//! keeps the SQLite and PostgreSQL schemas in step: tables and their columns, primary
//! keys, indexes, foreign keys, check constraints and triggers.
//!
//! Names differ by engine where the engine chooses them (an index behind a UNIQUE
//! constraint, a foreign key), so those are compared by what they cover, not by name;
//! indexes the migrations name are compared by name too, triggers by table and event.
//!
//! Each engine's own substring index of the cooperatives' names (migration 0030: SQLite's
//! FTS5 table with its shadow tables and triggers, PostgreSQL's trigram GIN index) has no
//! counterpart on the other engine, so what is named like `ENGINE_OWN` is left out.

use sqlx::Row;

use crate::conn::Conn;
use crate::error::db;
use crate::{Store, StoreError};

/// The `LIKE` pattern of the names of each engine's own search structures.
const ENGINE_OWN: &str = "%name_trigrams%";

/// The whole schema, each part sorted so that two engines' descriptions compare equal.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Schema {
    pub tables: Vec<TableColumns>,
    /// (table, the primary key's columns in key order).
    pub primary_keys: Vec<(String, Vec<String>)>,
    pub indexes: Vec<IndexInfo>,
    pub foreign_keys: Vec<ForeignKeyInfo>,
    /// (table, how many CHECK constraints it has).
    pub checks: Vec<(String, usize)>,
    /// (table, the event a trigger fires on: `INSERT`, `UPDATE` or `DELETE`). Compared by
    /// event, not name: a PostgreSQL trigger may fire on several events where SQLite
    /// needs one trigger each.
    pub triggers: Vec<(String, String)>,
}

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

/// An index other than a primary key's: named when a migration named it (`CREATE
/// INDEX`), anonymous when the engine made it for a UNIQUE constraint.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct IndexInfo {
    pub table: String,
    pub name: Option<String>,
    /// The indexed columns in order; `*` for an expression.
    pub columns: Vec<String>,
    pub unique: bool,
    /// Whether it has a WHERE clause.
    pub partial: bool,
}

/// A foreign key: these columns of `table` refer to those of `references`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ForeignKeyInfo {
    pub table: String,
    pub columns: Vec<String>,
    pub references: String,
    pub referenced_columns: Vec<String>,
}

impl Store {
    /// The schema of every application table (not sqlx's bookkeeping).
    pub async fn schema(&self) -> Result<Schema, StoreError> {
        let mut tx = self.read().await?;
        let mut schema = match &mut tx.conn {
            Conn::Sqlite(c) => sqlite_schema(c).await,
            Conn::Postgres(c) => postgres_schema(c).await,
        }
        .map_err(db("reading the schema"))?;
        tx.finish().await?;
        // Engines collate names differently; byte order is the same everywhere.
        schema.tables.sort_by(|a, b| a.table.cmp(&b.table));
        schema.primary_keys.sort();
        schema.indexes.sort();
        schema.foreign_keys.sort();
        schema.checks.sort();
        schema.triggers.sort();
        Ok(schema)
    }
}

/// Rows of (table, column, type) in column order, grouped into tables.
fn tables_of(rows: Vec<(String, String, String)>) -> Vec<TableColumns> {
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
    tables
}

async fn sqlite_schema(c: &mut sqlx::SqliteConnection) -> Result<Schema, sqlx::Error> {
    let tables_only = format!(
        "m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%' \
         AND m.name NOT LIKE '{ENGINE_OWN}'"
    );
    let tables_only = tables_only.as_str();
    let columns: Vec<(String, String, String, i64)> = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT m.name, p.name, p.type, p.pk FROM sqlite_master m \
         JOIN pragma_table_info(m.name) p WHERE {tables_only} ORDER BY m.name, p.cid"
    )))
    .fetch_all(&mut *c)
    .await?
    .iter()
    .map(|row| {
        Ok((
            row.try_get(0)?,
            row.try_get(1)?,
            row.try_get(2)?,
            row.try_get(3)?,
        ))
    })
    .collect::<Result<_, sqlx::Error>>()?;
    let mut keyed: Vec<(String, i64, String)> = columns
        .iter()
        .filter(|(_, _, _, pk)| *pk > 0)
        .map(|(table, column, _, pk)| (table.clone(), *pk, column.clone()))
        .collect();
    keyed.sort();
    let tables = tables_of(
        columns
            .into_iter()
            .map(|(table, name, kind, _)| (table, name, kind))
            .collect(),
    );
    let mut primary_keys: Vec<(String, Vec<String>)> = Vec::new();
    for (table, _, column) in keyed {
        match primary_keys.last_mut() {
            Some((last, columns)) if *last == table => columns.push(column),
            _ => primary_keys.push((table, vec![column])),
        }
    }

    // pragma_index_list: origin `c` is CREATE INDEX, `u` a UNIQUE constraint, `pk` the key.
    let index_rows: Vec<(String, String, bool, String, bool)> =
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT m.name, i.name, i.\"unique\", i.origin, i.partial FROM sqlite_master m \
             JOIN pragma_index_list(m.name) i WHERE {tables_only} AND i.origin <> 'pk'"
        )))
        .fetch_all(&mut *c)
        .await?
        .iter()
        .map(|row| {
            Ok((
                row.try_get(0)?,
                row.try_get(1)?,
                row.try_get(2)?,
                row.try_get(3)?,
                row.try_get(4)?,
            ))
        })
        .collect::<Result<_, sqlx::Error>>()?;
    let mut indexes = Vec::new();
    for (table, name, unique, origin, partial) in index_rows {
        let columns: Vec<String> =
            sqlx::query("SELECT name FROM pragma_index_info($1) ORDER BY seqno")
                .bind(&name)
                .fetch_all(&mut *c)
                .await?
                .iter()
                .map(|row| {
                    row.try_get::<Option<String>, _>(0)
                        .map(|n| n.unwrap_or_else(|| "*".into()))
                })
                .collect::<Result<_, sqlx::Error>>()?;
        indexes.push(IndexInfo {
            table,
            name: (origin == "c").then_some(name),
            columns,
            unique,
            partial,
        });
    }

    let key_rows: Vec<(String, i64, String, String, String)> =
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT m.name, f.id, f.\"table\", f.\"from\", f.\"to\" FROM sqlite_master m \
             JOIN pragma_foreign_key_list(m.name) f WHERE {tables_only} ORDER BY m.name, f.id, f.seq"
        )))
        .fetch_all(&mut *c)
        .await?
        .iter()
        .map(|row| {
            Ok((
                row.try_get(0)?,
                row.try_get(1)?,
                row.try_get(2)?,
                row.try_get(3)?,
                row.try_get(4)?,
            ))
        })
        .collect::<Result<_, sqlx::Error>>()?;
    let mut foreign_keys: Vec<(String, i64, ForeignKeyInfo)> = Vec::new();
    for (table, id, references, from, to) in key_rows {
        match foreign_keys.last_mut() {
            Some((last_table, last_id, key)) if *last_table == table && *last_id == id => {
                key.columns.push(from);
                key.referenced_columns.push(to);
            }
            _ => foreign_keys.push((
                table.clone(),
                id,
                ForeignKeyInfo {
                    table,
                    columns: vec![from],
                    references,
                    referenced_columns: vec![to],
                },
            )),
        }
    }

    // SQLite keeps CHECK constraints only in the table's CREATE text.
    let checks: Vec<(String, usize)> = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT m.name, m.sql FROM sqlite_master m WHERE {tables_only}"
    )))
    .fetch_all(&mut *c)
    .await?
    .iter()
    .map(|row| {
        let sql: String = row.try_get(1)?;
        Ok((row.try_get(0)?, check_count(&sql)))
    })
    .collect::<Result<Vec<_>, sqlx::Error>>()?
    .into_iter()
    .filter(|(_, count)| *count > 0)
    .collect();

    let triggers: Vec<(String, String)> = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT tbl_name, sql FROM sqlite_master WHERE type = 'trigger' \
             AND name NOT LIKE '{ENGINE_OWN}'"
    )))
    .fetch_all(&mut *c)
    .await?
    .iter()
    .map(|row| {
        let sql: String = row.try_get(1)?;
        Ok((row.try_get(0)?, trigger_event(&sql)))
    })
    .collect::<Result<_, sqlx::Error>>()?;

    Ok(Schema {
        tables,
        primary_keys,
        indexes,
        foreign_keys: foreign_keys.into_iter().map(|(_, _, key)| key).collect(),
        checks,
        triggers,
    })
}

async fn postgres_schema(c: &mut sqlx::PgConnection) -> Result<Schema, sqlx::Error> {
    let tables = tables_of(
        sqlx::query(
            // Tables only: Citus adds views (`citus_tables`, `citus_schemas`) to the schema.
            "SELECT c.table_name::text, c.column_name::text, c.data_type::text \
             FROM information_schema.columns c JOIN information_schema.tables t \
             ON t.table_schema = c.table_schema AND t.table_name = c.table_name \
             WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' \
             AND c.table_name NOT LIKE '_sqlx%' ORDER BY c.table_name, c.ordinal_position",
        )
        .fetch_all(&mut *c)
        .await?
        .iter()
        .map(|row| Ok((row.try_get(0)?, row.try_get(1)?, row.try_get(2)?)))
        .collect::<Result<_, sqlx::Error>>()?,
    );
    // The columns of an index or constraint key, in key order (`*` for an expression).
    const KEY_COLUMNS: &str = "ARRAY(SELECT COALESCE(a.attname::text, '*') \
         FROM unnest(KEYS) WITH ORDINALITY part(attnum, ord) \
         LEFT JOIN pg_attribute a ON a.attrelid = REL AND a.attnum = part.attnum \
         ORDER BY part.ord)";
    let index_columns = KEY_COLUMNS
        .replace("KEYS", "i.indkey::int2[]")
        .replace("REL", "t.oid");
    let index_rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT t.relname::text, x.relname::text, {index_columns}, i.indisunique, \
         i.indisprimary, i.indpred IS NOT NULL, \
         EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.oid AND k.contype = 'u') \
         FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid \
         JOIN pg_class x ON x.oid = i.indexrelid JOIN pg_namespace n ON n.oid = t.relnamespace \
         WHERE n.nspname = current_schema() AND t.relname NOT LIKE '_sqlx%' \
         AND x.relname NOT LIKE '{ENGINE_OWN}'"
    )))
    .fetch_all(&mut *c)
    .await?;
    let mut primary_keys = Vec::new();
    let mut indexes = Vec::new();
    for row in &index_rows {
        let (table, name, columns, unique, primary, partial, constraint): (
            String,
            String,
            Vec<String>,
            bool,
            bool,
            bool,
            bool,
        ) = (
            row.try_get(0)?,
            row.try_get(1)?,
            row.try_get(2)?,
            row.try_get(3)?,
            row.try_get(4)?,
            row.try_get(5)?,
            row.try_get(6)?,
        );
        if primary {
            primary_keys.push((table, columns));
        } else {
            indexes.push(IndexInfo {
                table,
                name: (!constraint).then_some(name),
                columns,
                unique,
                partial,
            });
        }
    }
    let from_columns = KEY_COLUMNS
        .replace("KEYS", "k.conkey")
        .replace("REL", "k.conrelid");
    let to_columns = KEY_COLUMNS
        .replace("KEYS", "k.confkey")
        .replace("REL", "k.confrelid");
    let foreign_keys = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT t.relname::text, {from_columns}, r.relname::text, {to_columns} \
         FROM pg_constraint k JOIN pg_class t ON t.oid = k.conrelid \
         JOIN pg_class r ON r.oid = k.confrelid JOIN pg_namespace n ON n.oid = t.relnamespace \
         WHERE k.contype = 'f' AND n.nspname = current_schema()"
    )))
    .fetch_all(&mut *c)
    .await?
    .iter()
    .map(|row| {
        Ok(ForeignKeyInfo {
            table: row.try_get(0)?,
            columns: row.try_get(1)?,
            references: row.try_get(2)?,
            referenced_columns: row.try_get(3)?,
        })
    })
    .collect::<Result<_, sqlx::Error>>()?;
    let checks = sqlx::query(
        "SELECT t.relname::text, COUNT(*) FROM pg_constraint k \
         JOIN pg_class t ON t.oid = k.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace \
         WHERE k.contype = 'c' AND n.nspname = current_schema() GROUP BY t.relname",
    )
    .fetch_all(&mut *c)
    .await?
    .iter()
    .map(|row| {
        let count: i64 = row.try_get(1)?;
        Ok((row.try_get(0)?, usize::try_from(count).unwrap_or(0)))
    })
    .collect::<Result<_, sqlx::Error>>()?;
    let triggers = sqlx::query(
        "SELECT DISTINCT event_object_table::text, event_manipulation::text \
         FROM information_schema.triggers WHERE trigger_schema = current_schema()",
    )
    .fetch_all(&mut *c)
    .await?
    .iter()
    .map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
    .collect::<Result<_, sqlx::Error>>()?;
    Ok(Schema {
        tables,
        primary_keys,
        indexes,
        foreign_keys,
        checks,
        triggers,
    })
}

/// The event a SQLite trigger fires on, from its CREATE text (one per trigger there).
fn trigger_event(sql: &str) -> String {
    let upper = sql.to_ascii_uppercase();
    ["INSERT", "UPDATE", "DELETE"]
        .into_iter()
        .filter_map(|event| upper.find(&format!(" {event} ")).map(|at| (at, event)))
        .min()
        .map_or_else(|| "?".into(), |(_, event)| event.into())
}

/// How many `CHECK (` clauses a CREATE TABLE text holds.
fn check_count(sql: &str) -> usize {
    let upper = sql.to_ascii_uppercase();
    upper.matches("CHECK (").count() + upper.matches("CHECK(").count()
}

fn normalise_type(kind: &str) -> String {
    match kind.to_ascii_lowercase().as_str() {
        "integer" | "bigint" | "int8" | "smallint" => "integer".into(),
        "text" | "character varying" => "text".into(),
        "boolean" | "bool" => "boolean".into(),
        "blob" | "bytea" => "bytes".into(),
        other => other.into(),
    }
}
