//! Bulk inserts for synthetic and very large loads: many rows per statement (sqlx does
//! ~15k single-row inserts a second, but ~50× that in 100-row statements). Each call is
//! one audited change that names the ids it created.

use sqlx::Row;

use crate::StoreError;
use crate::audit::AuditEntry;
use crate::cooperatives::NewCooperative;
use crate::error::db;
use crate::people::NewPerson;
use crate::tx::{Conn, WriteTx};

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

impl WriteTx {
    /// Inserts cooperatives; returns their ids in order.
    pub async fn insert_cooperatives_bulk(
        &mut self,
        cooperatives: &[NewCooperative],
    ) -> Result<Vec<i64>, StoreError> {
        let now = self.now.to_string();
        let mut ids = Vec::with_capacity(cooperatives.len());
        for chunk in cooperatives.chunks(ROWS_PER_STATEMENT) {
            let sql = format!(
                "INSERT INTO cooperatives (province, county, name, name_key, kind, sector, legal_id, \
                 registration_number, registered_on, founded_on, women_led, status, address, phone, \
                 version, created_at, updated_at) VALUES {} RETURNING id",
                placeholders(self.conn(), chunk.len(), 17)
            );
            let chunk_ids: Vec<i64> = on!(self.conn(), |c| {
                let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
                for f in chunk {
                    query = query
                        .bind(&f.province)
                        .bind(&f.county)
                        .bind(&f.name)
                        .bind(&f.name_key)
                        .bind(f.kind.code())
                        .bind(&f.sector)
                        .bind(f.legal_id.as_deref())
                        .bind(f.registration_number.as_deref())
                        .bind(f.registered_on.as_deref())
                        .bind(f.founded_on.as_deref())
                        .bind(f.women_led)
                        .bind(f.status.code())
                        .bind(f.address.as_deref())
                        .bind(f.phone.as_deref())
                        .bind(1i64)
                        .bind(&now)
                        .bind(&now);
                }
                query
                    .fetch_all(c)
                    .await
                    .map_err(db("bulk-inserting cooperatives"))?
                    .iter()
                    .map(|row| row.try_get::<i64, _>(0))
                    .collect::<Result<_, _>>()
                    .map_err(db("reading bulk ids"))?
            });
            ids.extend(chunk_ids);
        }
        self.audit_bulk("cooperative.bulk_create", "cooperative", &ids);
        Ok(ids)
    }

    /// Inserts persons; returns their ids in order.
    pub async fn insert_persons_bulk(
        &mut self,
        persons: &[NewPerson],
    ) -> Result<Vec<i64>, StoreError> {
        let now = self.now.to_string();
        let mut ids = Vec::with_capacity(persons.len());
        for chunk in persons.chunks(ROWS_PER_STATEMENT) {
            let sql = format!(
                "INSERT INTO persons (province, national_code, first_name, last_name, gender, \
                 birth_year, mobile, created_at) VALUES {} RETURNING id",
                placeholders(self.conn(), chunk.len(), 8)
            );
            let chunk_ids: Vec<i64> = on!(self.conn(), |c| {
                let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
                for p in chunk {
                    query = query
                        .bind(&p.province)
                        .bind(&p.national_code)
                        .bind(&p.first_name)
                        .bind(&p.last_name)
                        .bind(p.gender.code())
                        .bind(p.birth_year)
                        .bind(p.mobile.as_deref())
                        .bind(&now);
                }
                query
                    .fetch_all(c)
                    .await
                    .map_err(db("bulk-inserting persons"))?
                    .iter()
                    .map(|row| row.try_get::<i64, _>(0))
                    .collect::<Result<_, _>>()
                    .map_err(db("reading bulk ids"))?
            });
            ids.extend(chunk_ids);
        }
        self.audit_bulk("person.bulk_create", "person", &ids);
        Ok(ids)
    }

    /// Inserts memberships (province, cooperative, person, joined_on).
    pub async fn insert_memberships_bulk(
        &mut self,
        memberships: &[(String, i64, i64, String)],
    ) -> Result<(), StoreError> {
        let now = self.now.to_string();
        let mut ids = Vec::with_capacity(memberships.len());
        for chunk in memberships.chunks(ROWS_PER_STATEMENT) {
            let sql = format!(
                "INSERT INTO memberships (province, cooperative_id, person_id, joined_on, created_at) \
                 VALUES {} RETURNING id",
                placeholders(self.conn(), chunk.len(), 5)
            );
            let chunk_ids: Vec<i64> = on!(self.conn(), |c| {
                let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
                for (province, cooperative, person, joined_on) in chunk {
                    query = query
                        .bind(province)
                        .bind(*cooperative)
                        .bind(*person)
                        .bind(joined_on)
                        .bind(&now);
                }
                query
                    .fetch_all(c)
                    .await
                    .map_err(db("bulk-inserting memberships"))?
                    .iter()
                    .map(|row| row.try_get::<i64, _>(0))
                    .collect::<Result<_, _>>()
                    .map_err(db("reading bulk ids"))?
            });
            ids.extend(chunk_ids);
        }
        self.audit_bulk("membership.bulk_create", "membership", &ids);
        Ok(())
    }

    pub(crate) fn audit_bulk(&mut self, action: &'static str, entity: &'static str, ids: &[i64]) {
        if let (Some(first), Some(last)) = (ids.iter().min(), ids.iter().max()) {
            self.audit(AuditEntry::created(
                action,
                entity,
                format!("{first}..={last}"),
                None,
                serde_json::json!({ "count": ids.len(), "first_id": first, "last_id": last }),
            ));
        }
    }
}
