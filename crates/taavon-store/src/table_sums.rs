//! What a database holds, table by table, in a form both engines compute alike: each
//! table's row count and a checksum of its rows, so a move from SQLite to PostgreSQL
//! (`transfer`) can prove the target holds exactly what the source did.
//!
//! Each row is written in one canonical text (`canonical_field`): every column in the
//! schema's order, typed by what both engines share (integer, text, boolean, bytes), so an
//! integer reads the same whether SQLite stored it as INTEGER or PostgreSQL as INT4, and a
//! boolean the same whether it is 0/1 or false/true. A table's checksum is the sum of its
//! rows' SHA-256 digests modulo 2^256: independent of row order, so neither engine sorts
//! (text keys would sort differently under PostgreSQL's collation), and any changed,
//! missing or added row changes it.

use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::conn::Conn;
use crate::error::db;
use crate::{Schema, Store, StoreError};

/// Transport state that is not moved: a moved province's users sign in again.
const NOT_MOVED: &[&str] = &["sessions"];

/// The tables a freshly migrated database already has rows in (the migrations' seeds:
/// the audit head, the ledger index's one row, the support topics, the webhook worker's
/// row, the Jalali months). A database with rows in no other table is empty.
pub(crate) const SEEDED_BY_MIGRATIONS: &[&str] = &[
    "audit_head",
    "jalali_months",
    "ledger_account_index",
    "support_topics",
    "webhook_worker",
];

/// A column's type as both engines share it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Integer,
    Text,
    Boolean,
    Bytes,
}

/// A table that is moved and summed: its name and columns in the schema's order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct MovedTable {
    pub(crate) name: String,
    pub(crate) columns: Vec<(String, Kind)>,
}

/// One value of a row, decoded by its column's kind.
pub(crate) enum Field {
    Null,
    Integer(i64),
    Text(String),
    Boolean(bool),
    Bytes(Vec<u8>),
}

/// A table's row count and checksum (64 hexadecimal digits).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableSum {
    pub table: String,
    pub rows: u64,
    pub checksum: String,
}

/// One table of a source and a target side by side; `None` where a side lacks it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableComparison {
    pub table: String,
    pub source: Option<TableSum>,
    pub target: Option<TableSum>,
}

impl TableComparison {
    /// Same rows and same checksum on both sides.
    pub fn matches(&self) -> bool {
        match (&self.source, &self.target) {
            (Some(source), Some(target)) => {
                source.rows == target.rows && source.checksum == target.checksum
            }
            _ => false,
        }
    }
}

/// Each table of either side, in the source's order, then the target's extras.
pub fn compare(source: &[TableSum], target: &[TableSum]) -> Vec<TableComparison> {
    let find = |sums: &[TableSum], table: &str| sums.iter().find(|s| s.table == table).cloned();
    let mut rows: Vec<TableComparison> = source
        .iter()
        .map(|s| TableComparison {
            table: s.table.clone(),
            source: Some(s.clone()),
            target: find(target, &s.table),
        })
        .collect();
    rows.extend(
        target
            .iter()
            .filter(|t| find(source, &t.table).is_none())
            .map(|t| TableComparison {
                table: t.table.clone(),
                source: None,
                target: Some(t.clone()),
            }),
    );
    rows
}

/// The tables a move copies, with their columns typed; a type neither kind names is
/// refused (naming the table and column), so nothing is copied by a guess.
pub(crate) fn moved_tables(schema: &Schema) -> Result<Vec<MovedTable>, StoreError> {
    schema
        .tables
        .iter()
        .filter(|t| !NOT_MOVED.contains(&t.table.as_str()))
        .map(|t| {
            let columns = t
                .columns
                .iter()
                .map(|c| {
                    let kind = match c.kind.as_str() {
                        "integer" => Kind::Integer,
                        "text" => Kind::Text,
                        "boolean" => Kind::Boolean,
                        "bytes" => Kind::Bytes,
                        other => {
                            return Err(crate::error::corrupt(format!(
                                "column {}.{} has the type {other:?}, which a move does not copy",
                                t.table, c.name
                            )));
                        }
                    };
                    Ok((c.name.clone(), kind))
                })
                .collect::<Result<_, StoreError>>()?;
            Ok(MovedTable {
                name: t.table.clone(),
                columns,
            })
        })
        .collect()
}

impl MovedTable {
    /// The SELECT of every row; PostgreSQL's INT4 and INT2 columns widened, so every
    /// integer decodes as `i64` on both engines.
    pub(crate) fn select(&self, postgres: bool) -> String {
        let columns: Vec<String> = self
            .columns
            .iter()
            .map(|(name, kind)| match kind {
                Kind::Integer if postgres => format!("\"{name}\"::BIGINT"),
                _ => format!("\"{name}\""),
            })
            .collect();
        format!("SELECT {} FROM \"{}\"", columns.join(", "), self.name)
    }

    /// A row's values by its columns' kinds.
    pub(crate) fn fields<'r, R: Row>(&self, row: &'r R) -> Result<Vec<Field>, StoreError>
    where
        usize: sqlx::ColumnIndex<R>,
        i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
        String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
        bool: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
        Vec<u8>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    {
        const CONTEXT: &str = "reading a row to move";
        self.columns
            .iter()
            .enumerate()
            .map(|(at, (_, kind))| {
                let field = match kind {
                    Kind::Integer => row.try_get::<Option<i64>, _>(at)?.map(Field::Integer),
                    Kind::Text => row.try_get::<Option<String>, _>(at)?.map(Field::Text),
                    Kind::Boolean => row.try_get::<Option<bool>, _>(at)?.map(Field::Boolean),
                    Kind::Bytes => row.try_get::<Option<Vec<u8>>, _>(at)?.map(Field::Bytes),
                };
                Ok(field.unwrap_or(Field::Null))
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(db(CONTEXT))
    }
}

/// Appends a value's canonical text: a tag, then for text and bytes the length first, so
/// no value can run into the next.
fn canonical_field(out: &mut Vec<u8>, field: &Field) {
    use std::io::Write;
    // Writing to a Vec cannot fail.
    let _ = match field {
        Field::Null => write!(out, "N;"),
        Field::Integer(value) => write!(out, "i{value};"),
        Field::Boolean(value) => write!(out, "b{};", u8::from(*value)),
        Field::Text(text) => write!(out, "t{}:{text};", text.len()),
        Field::Bytes(bytes) => {
            let _ = write!(out, "x{}:", bytes.len());
            out.extend_from_slice(bytes);
            write!(out, ";")
        }
    };
}

/// A table's rows summed as they are read: their count and the sum of their digests.
#[derive(Default)]
pub(crate) struct RunningSum {
    rows: u64,
    /// Little-endian 64-bit limbs of the sum modulo 2^256.
    limbs: [u64; 4],
    text: Vec<u8>,
}

impl RunningSum {
    pub(crate) fn add(&mut self, fields: &[Field]) {
        self.text.clear();
        for field in fields {
            canonical_field(&mut self.text, field);
        }
        let digest = Sha256::digest(&self.text);
        let mut carry = false;
        for (limb, chunk) in self.limbs.iter_mut().zip(digest.chunks_exact(8).rev()) {
            let mut bytes = [0u8; 8];
            bytes.copy_from_slice(chunk);
            let (sum, over) = limb.overflowing_add(u64::from_be_bytes(bytes));
            let (sum, over_carry) = sum.overflowing_add(u64::from(carry));
            *limb = sum;
            carry = over || over_carry;
        }
        self.rows += 1;
    }

    pub(crate) fn finish(&self, table: &str) -> TableSum {
        TableSum {
            table: table.to_owned(),
            rows: self.rows,
            checksum: self
                .limbs
                .iter()
                .rev()
                .map(|limb| format!("{limb:016x}"))
                .collect(),
        }
    }
}

impl Store {
    /// Every moved table's row count and checksum, in the schema's order, from one
    /// snapshot.
    pub async fn table_sums(&self) -> Result<Vec<TableSum>, StoreError> {
        const CONTEXT: &str = "summing the tables";
        let tables = moved_tables(&self.schema().await?)?;
        let postgres = self.engine() == crate::Engine::Postgres;
        let mut read = self.read().await?;
        let mut sums = Vec::with_capacity(tables.len());
        for table in &tables {
            let select = table.select(postgres);
            let mut sum = RunningSum::default();
            on!(&mut read.conn, |c| {
                use futures_util::TryStreamExt;
                let mut rows = sqlx::query(sqlx::AssertSqlSafe(select)).fetch(&mut *c);
                while let Some(row) = rows.try_next().await.map_err(db(CONTEXT))? {
                    sum.add(&table.fields(&row)?);
                }
            });
            sums.push(sum.finish(&table.name));
        }
        read.finish().await?;
        Ok(sums)
    }

    /// The first table holding rows a freshly migrated database does not have, with its
    /// count; `None` when the database is empty.
    pub async fn first_filled_table(&self) -> Result<Option<(String, u64)>, StoreError> {
        let schema = self.schema().await?;
        let mut read = self.read().await?;
        for table in &schema.tables {
            if SEEDED_BY_MIGRATIONS.contains(&table.table.as_str()) {
                continue;
            }
            let rows = count_rows(&mut read.conn, &table.table).await?;
            if rows > 0 {
                read.finish().await?;
                return Ok(Some((table.table.clone(), rows)));
            }
        }
        read.finish().await?;
        Ok(None)
    }
}

/// How many rows `table` holds, in the transaction `conn` has open.
pub(crate) async fn count_rows(conn: &mut Conn, table: &str) -> Result<u64, StoreError> {
    let count = format!("SELECT COUNT(*) FROM \"{table}\"");
    let rows: i64 = on!(conn, |c| {
        sqlx::query_scalar(sqlx::AssertSqlSafe(count))
            .fetch_one(&mut *c)
            .await
            .map_err(db("counting a table's rows"))?
    });
    Ok(rows.unsigned_abs())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sum_of(rows: &[Vec<Field>]) -> TableSum {
        let mut sum = RunningSum::default();
        for row in rows {
            sum.add(row);
        }
        sum.finish("t")
    }

    fn row(id: i64, name: &str) -> Vec<Field> {
        vec![Field::Integer(id), Field::Text(name.into()), Field::Null]
    }

    #[test]
    fn the_checksum_ignores_order_and_sees_every_change() {
        let ab = sum_of(&[row(1, "a"), row(2, "b")]);
        assert_eq!(ab, sum_of(&[row(2, "b"), row(1, "a")]));
        assert_ne!(ab.checksum, sum_of(&[row(1, "a"), row(2, "c")]).checksum);
        assert_ne!(ab.checksum, sum_of(&[row(1, "a")]).checksum);
        // A value cannot run into the next: ("ab", "") is not ("a", "b").
        let split =
            |a: &str, b: &str| sum_of(&[vec![Field::Text(a.into()), Field::Text(b.into())]]);
        assert_ne!(split("ab", "").checksum, split("a", "b").checksum);
        // NULL is not the empty text, false is not 0.
        assert_ne!(
            sum_of(&[vec![Field::Null]]).checksum,
            sum_of(&[vec![Field::Text(String::new())]]).checksum
        );
        assert_ne!(
            sum_of(&[vec![Field::Boolean(false)]]).checksum,
            sum_of(&[vec![Field::Integer(0)]]).checksum
        );
    }

    #[test]
    fn comparison_names_mismatches_and_missing_tables() {
        let a = sum_of(&[row(1, "a")]);
        let b = sum_of(&[row(1, "b")]);
        let other = TableSum {
            table: "u".into(),
            ..a.clone()
        };
        let compared = compare(&[a.clone(), other], std::slice::from_ref(&a));
        assert!(compared[0].matches());
        assert!(!compared[1].matches());
        assert!(!compare(&[a], &[b])[0].matches());
    }
}
