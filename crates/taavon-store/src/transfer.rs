//! Moving a database into an empty PostgreSQL one (`taavon migrate-to`): every table but
//! the sessions, in one target transaction so a failure leaves the target as it was,
//! from one source snapshot, each table streamed through `COPY … FROM STDIN` in the order
//! of its foreign keys (a table after those it refers to), then every sequence set past
//! its column's largest id. The source's rows are summed as they are copied
//! (`table_sums`), so the proof compares the target with exactly what was copied.

use futures_util::TryStreamExt;

use crate::conn::Conn;
use crate::error::db;
use crate::table_sums::{
    Field, MovedTable, RunningSum, SEEDED_BY_MIGRATIONS, count_rows, moved_tables,
};
use crate::{Engine, Schema, Store, StoreError, TableSum};

/// Rows are sent to PostgreSQL in chunks of about this many bytes.
const CHUNK_BYTES: usize = 1 << 20;

const CONTEXT: &str = "moving the database";

impl Store {
    /// Copies this database into `target`, a PostgreSQL database the store's open has
    /// migrated and that holds nothing yet; answers the source's sums of what it copied.
    /// `progress` hears the rows copied so far and the rows to copy, counted in the
    /// source's snapshot first.
    pub async fn copy_into(
        &self,
        target: &Store,
        progress: &(dyn Fn(u64, u64) + Sync),
    ) -> Result<Vec<TableSum>, StoreError> {
        if target.engine() != Engine::Postgres {
            return Err(StoreError::Transfer {
                reason: "the target of a move must be a PostgreSQL database".into(),
            });
        }
        let source_schema = self.schema().await?;
        let tables = in_reference_order(moved_tables(&source_schema)?, &source_schema)?;
        let target_tables = moved_tables(&target.schema().await?)?;
        for table in &tables {
            if !target_tables.contains(table) {
                return Err(StoreError::Transfer {
                    reason: format!(
                        "the target's table {} differs from the source's (is one of them \
                         migrated by another version of taavon?)",
                        table.name
                    ),
                });
            }
        }
        if let Some((table, rows)) = target.first_filled_table().await? {
            return Err(StoreError::Transfer {
                reason: format!(
                    "the target is not empty: its table {table} holds {rows} rows \
                     (a move goes into an empty database only: make it with `createdb` \
                     and nothing else, the move migrates it)"
                ),
            });
        }

        let postgres_source = self.engine() == Engine::Postgres;
        let mut read = self.read().await?;
        let mut total = 0u64;
        for table in &tables {
            total += count_rows(&mut read.conn, &table.name).await?;
        }
        progress(0, total);
        let mut copied = 0u64;

        let Conn::Postgres(mut write) = target.raw_write().await? else {
            return Err(StoreError::Transfer {
                reason: "the target of a move must be a PostgreSQL database".into(),
            });
        };
        let mut sums = Vec::with_capacity(tables.len());
        for table in &tables {
            if SEEDED_BY_MIGRATIONS.contains(&table.name.as_str()) {
                // The migrations' seed rows give way to the source's own.
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "DELETE FROM \"{}\"",
                    table.name
                )))
                .execute(&mut *write)
                .await
                .map_err(db(CONTEXT))?;
            }
            let select = table.select(postgres_source);
            let mut sum = RunningSum::default();
            let columns: Vec<String> = table
                .columns
                .iter()
                .map(|(name, _)| format!("\"{name}\""))
                .collect();
            let mut copy = write
                .copy_in_raw(&format!(
                    "COPY \"{}\" ({}) FROM STDIN",
                    table.name,
                    columns.join(", ")
                ))
                .await
                .map_err(db(CONTEXT))?;
            let mut chunk = Vec::with_capacity(CHUNK_BYTES + 4096);
            on!(&mut read.conn, |c| {
                let mut rows = sqlx::query(sqlx::AssertSqlSafe(select)).fetch(&mut *c);
                while let Some(row) = rows.try_next().await.map_err(db(CONTEXT))? {
                    let fields = table.fields(&row)?;
                    sum.add(&fields);
                    copy_line(&mut chunk, &fields);
                    copied += 1;
                    if chunk.len() >= CHUNK_BYTES {
                        copy.send(chunk.as_slice()).await.map_err(db(CONTEXT))?;
                        chunk.clear();
                        progress(copied, total);
                    }
                }
            });
            if !chunk.is_empty() {
                copy.send(chunk.as_slice()).await.map_err(db(CONTEXT))?;
            }
            copy.finish().await.map_err(db(CONTEXT))?;
            progress(copied, total);
            sums.push(sum.finish(&table.name));
        }
        advance_sequences(&mut write).await?;
        write.commit().await.map_err(db(CONTEXT))?;
        read.finish().await?;
        Ok(sums)
    }
}

/// Sets every sequence behind a column's default to follow the column's largest value,
/// as migration 0028 does: the next id PostgreSQL hands out is one no copied row has.
async fn advance_sequences(write: &mut sqlx::PgConnection) -> Result<(), StoreError> {
    let sequences: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text, \
         pg_get_serial_sequence(quote_ident(table_name), column_name)::text \
         FROM information_schema.columns WHERE table_schema = current_schema() \
         AND (column_default LIKE 'nextval(%' OR is_identity = 'YES') \
         AND pg_get_serial_sequence(quote_ident(table_name), column_name) IS NOT NULL",
    )
    .fetch_all(&mut *write)
    .await
    .map_err(db(CONTEXT))?;
    for (table, column, sequence) in sequences {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT setval($1, COALESCE((SELECT MAX(\"{column}\") FROM \"{table}\"), 0) + 1, \
             false)"
        )))
        .bind(sequence)
        .execute(&mut *write)
        .await
        .map_err(db(CONTEXT))?;
    }
    Ok(())
}

/// The tables in an order where each comes after every table its foreign keys name (a
/// key to itself aside: its rows are read in key order, parents first); a circle of
/// keys is refused, naming its tables.
fn in_reference_order(
    mut pending: Vec<MovedTable>,
    schema: &Schema,
) -> Result<Vec<MovedTable>, StoreError> {
    let mut ordered: Vec<MovedTable> = Vec::with_capacity(pending.len());
    while !pending.is_empty() {
        let ready = |table: &MovedTable| {
            schema.foreign_keys.iter().all(|key| {
                key.table != table.name
                    || key.references == table.name
                    || !pending.iter().any(|p| p.name == key.references)
            })
        };
        let (now, later): (Vec<MovedTable>, Vec<MovedTable>) =
            pending.iter().cloned().partition(ready);
        if now.is_empty() {
            let names: Vec<&str> = later.iter().map(|t| t.name.as_str()).collect();
            return Err(StoreError::Transfer {
                reason: format!(
                    "the foreign keys of {} refer to each other in a circle",
                    names.join(", ")
                ),
            });
        }
        ordered.extend(now);
        pending = later;
    }
    Ok(ordered)
}

/// Appends a row in COPY's text format: tab-separated, `\N` for NULL, backslash,
/// tab, newline and carriage return escaped, bytes as `\\x` hex.
fn copy_line(out: &mut Vec<u8>, fields: &[Field]) {
    use std::io::Write;
    for (at, field) in fields.iter().enumerate() {
        if at > 0 {
            out.push(b'\t');
        }
        match field {
            Field::Null => out.extend_from_slice(b"\\N"),
            Field::Integer(value) => {
                let _ = write!(out, "{value}");
            }
            Field::Boolean(value) => out.push(if *value { b't' } else { b'f' }),
            Field::Text(text) => {
                for byte in text.bytes() {
                    match byte {
                        b'\\' => out.extend_from_slice(b"\\\\"),
                        b'\t' => out.extend_from_slice(b"\\t"),
                        b'\n' => out.extend_from_slice(b"\\n"),
                        b'\r' => out.extend_from_slice(b"\\r"),
                        other => out.push(other),
                    }
                }
            }
            Field::Bytes(bytes) => {
                out.extend_from_slice(b"\\\\x");
                for byte in bytes {
                    let _ = write!(out, "{byte:02x}");
                }
            }
        }
    }
    out.push(b'\n');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ForeignKeyInfo, TableColumns};

    #[test]
    fn copy_text_escapes_what_copy_reads_specially() {
        let mut out = Vec::new();
        copy_line(
            &mut out,
            &[
                Field::Integer(-7),
                Field::Text("a\tb\\c\nd\re".into()),
                Field::Null,
                Field::Boolean(true),
                Field::Bytes(vec![0, 255]),
            ],
        );
        assert_eq!(out, b"-7\ta\\tb\\\\c\\nd\\re\t\\N\tt\t\\\\x00ff\n");
    }

    #[test]
    fn tables_follow_the_tables_they_refer_to() {
        let table = |name: &str| MovedTable {
            name: name.into(),
            columns: Vec::new(),
        };
        let key = |from: &str, to: &str| ForeignKeyInfo {
            table: from.into(),
            columns: vec!["x".into()],
            references: to.into(),
            referenced_columns: vec!["id".into()],
        };
        let mut schema = Schema {
            tables: vec![TableColumns {
                table: "unused".into(),
                columns: Vec::new(),
            }],
            foreign_keys: vec![key("c", "b"), key("b", "a"), key("b", "b")],
            ..Schema::default()
        };
        let ordered = in_reference_order(vec![table("c"), table("b"), table("a")], &schema)
            .unwrap()
            .into_iter()
            .map(|t| t.name)
            .collect::<Vec<_>>();
        assert_eq!(ordered, ["a", "b", "c"]);
        schema.foreign_keys.push(key("a", "c"));
        let circle = in_reference_order(vec![table("c"), table("b"), table("a")], &schema);
        assert!(matches!(circle, Err(StoreError::Transfer { .. })));
    }
}
