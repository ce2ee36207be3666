//! The registry's writes and reads beyond creating records: optimistic updates, the
//! share-capital register, formations, persons by national code.

use sqlx::Row;
use taavon_core::registry::{CooperativeStatus, FormationStatus, ShareEntryKind};

use crate::StoreError;
use crate::audit::AuditEntry;
use crate::cooperatives::{Cooperative, NewCooperative};
use crate::error::db;
use crate::filter::{Conditions, bind_values};
use crate::people::{PERSON_COLUMNS, Person, person_row};
use crate::tx::{Reader, WriteTx};

/// One stored entry of the share-capital register.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShareEntryRow {
    pub id: i64,
    pub cooperative_id: i64,
    pub kind: ShareEntryKind,
    pub person_id: i64,
    /// The receiving member of a transfer.
    pub counterpart_id: Option<i64>,
    pub amount_rial: i64,
    pub entered_on: String,
}

/// A founders' application to form a cooperative.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Formation {
    pub id: i64,
    pub province: String,
    pub cooperative_id: i64,
    pub status: FormationStatus,
    pub statute: Option<String>,
    /// Likely duplicates found at submission, as JSON (flagged, never merged).
    pub duplicate_flags: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    pub reason: Option<String>,
    pub version: i64,
    pub created_at: String,
}

/// The outcome of an update that carries the version the caller last saw.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Versioned<T> {
    Updated(T),
    /// Someone changed the record since; nothing was written.
    Stale {
        current_version: i64,
    },
    Missing,
}

/// A formation as the list shows it: with its cooperative's name, read in the same statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListedFormation {
    pub formation: Formation,
    pub cooperative_name: String,
}

const FORMATION_COLUMNS: &str = "id, province, cooperative_id, status, statute, duplicate_flags, \
     decided_by, decided_at, reason, version, created_at";

macro_rules! formation_row {
    ($row:expr) => {
        (|| -> Result<Formation, StoreError> {
            let row = crate::error::Decoded::new($row, "formations", "decoding a formation")?;
            Ok(Formation {
                id: row.get("id")?,
                province: row.get("province")?,
                cooperative_id: row.get("cooperative_id")?,
                status: row.code("status", FormationStatus::parse)?,
                statute: row.get("statute")?,
                duplicate_flags: row.get("duplicate_flags")?,
                decided_by: row.get("decided_by")?,
                decided_at: row.get("decided_at")?,
                reason: row.get("reason")?,
                version: row.get("version")?,
                created_at: row.get("created_at")?,
            })
        })()
    };
}

impl Reader {
    pub async fn person_by_national_code(
        &mut self,
        national_code: &str,
    ) -> Result<Option<Person>, StoreError> {
        let sql = format!("SELECT {PERSON_COLUMNS} FROM persons p WHERE p.national_code = $1");
        on!(&mut self.conn, |c| sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(national_code)
            .fetch_optional(c)
            .await
            .map_err(db("finding a person"))?
            .map(|row| person_row!(&row))
            .transpose())
    }

    /// The persons recorded with these national codes (for checking an import's rows
    /// against them), in any order.
    pub async fn persons_by_national_codes(
        &mut self,
        national_codes: &[String],
    ) -> Result<Vec<Person>, StoreError> {
        let mut found = Vec::with_capacity(national_codes.len());
        for chunk in national_codes.chunks(crate::insert::ROWS_PER_STATEMENT) {
            let mut filters = Conditions::default();
            filters.one_of("p.national_code", chunk.iter().map(String::as_str));
            let sql = format!(
                "SELECT {PERSON_COLUMNS} FROM persons p {}",
                filters.where_sql()
            );
            let rows: Vec<Person> = on!(&mut self.conn, |c| bind_values!(
                sqlx::query(sqlx::AssertSqlSafe(sql)),
                &filters.values
            )
            .fetch_all(c)
            .await
            .map_err(db("finding persons"))?
            .iter()
            .map(|row| person_row!(row))
            .collect::<Result<_, _>>()?);
            found.extend(rows);
        }
        Ok(found)
    }

    /// Whether the person is a current member of the cooperative.
    pub async fn is_member(
        &mut self,
        cooperative_id: i64,
        person_id: i64,
    ) -> Result<bool, StoreError> {
        let count: i64 = on!(&mut self.conn, |c| sqlx::query(
            "SELECT COUNT(*) FROM memberships WHERE cooperative_id = $1 AND person_id = $2 \
             AND exited_on IS NULL"
        )
        .bind(cooperative_id)
        .bind(person_id)
        .fetch_one(c)
        .await
        .and_then(|row| row.try_get(0))
        .map_err(db("checking a membership"))?);
        Ok(count > 0)
    }

    /// Cooperatives still forming that one of these national codes founds (for the
    /// duplicate check of a new formation).
    pub async fn forming_cooperatives_of(
        &mut self,
        national_codes: &[String],
    ) -> Result<Vec<(i64, String)>, StoreError> {
        let mut found = Vec::new();
        for code in national_codes {
            let rows: Vec<(i64, String)> = on!(&mut self.conn, |c| sqlx::query(
                "SELECT c.id, c.name FROM cooperatives c JOIN memberships m \
                 ON m.cooperative_id = c.id JOIN persons p ON p.id = m.person_id \
                 WHERE p.national_code = $1 AND c.status = $2"
            )
            .bind(code)
            .bind(CooperativeStatus::Forming.code())
            .fetch_all(c)
            .await
            .map_err(db("finding forming cooperatives"))?
            .iter()
            .map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
            .collect::<Result<_, sqlx::Error>>()
            .map_err(db("decoding forming cooperatives"))?);
            found.extend(rows);
        }
        found.sort();
        found.dedup();
        Ok(found)
    }

    /// The register of one cooperative, oldest first.
    pub async fn share_entries(
        &mut self,
        cooperative_id: i64,
    ) -> Result<Vec<ShareEntryRow>, StoreError> {
        on!(&mut self.conn, |c| sqlx::query(
            "SELECT id, cooperative_id, kind, person_id, counterpart_id, amount_rial, entered_on \
             FROM share_entries WHERE cooperative_id = $1 ORDER BY id LIMIT 100000"
        )
        .bind(cooperative_id)
        .fetch_all(c)
        .await
        .map_err(db("reading the share register"))?
        .iter()
        .map(|row| {
            let row =
                crate::error::Decoded::new(row, "share_entries", "decoding the share register")?;
            Ok(ShareEntryRow {
                id: row.get("id")?,
                cooperative_id: row.get("cooperative_id")?,
                kind: row.code("kind", ShareEntryKind::parse)?,
                person_id: row.get("person_id")?,
                counterpart_id: row.get("counterpart_id")?,
                amount_rial: row.get("amount_rial")?,
                entered_on: row.get("entered_on")?,
            })
        })
        .collect())
    }

    pub async fn formation(&mut self, id: i64) -> Result<Option<Formation>, StoreError> {
        let sql = format!("SELECT {FORMATION_COLUMNS} FROM formations WHERE id = $1");
        on!(&mut self.conn, |c| sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(c)
            .await
            .map_err(db("reading a formation"))?
            .map(|row| formation_row!(&row))
            .transpose())
    }

    /// One page of the formations in the given provinces (all when empty), newest first,
    /// each with its cooperative's name, and how many there are in all.
    pub async fn formations(
        &mut self,
        provinces: &[String],
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<ListedFormation>, i64), StoreError> {
        let mut filters = Conditions::default();
        if !provinces.is_empty() {
            filters.one_of("province", provinces.iter().map(String::as_str));
        }
        let where_sql = filters.where_sql();
        let count_sql = format!("SELECT COUNT(*) AS n FROM formations {where_sql}");
        let total: i64 = on!(&mut self.conn, |c| bind_values!(
            sqlx::query(sqlx::AssertSqlSafe(count_sql.clone())),
            &filters.values
        )
        .fetch_one(c)
        .await
        .map_err(db("counting formations"))?
        .try_get("n")
        .map_err(db("counting formations"))?);
        let sql = format!(
            "SELECT {FORMATION_COLUMNS}, \
             (SELECT name FROM cooperatives c WHERE c.id = f.cooperative_id) AS cooperative_name \
             FROM formations f {where_sql} ORDER BY id DESC LIMIT {limit} OFFSET {offset}"
        );
        let page = on!(&mut self.conn, |c| bind_values!(
            sqlx::query(sqlx::AssertSqlSafe(sql.clone())),
            &filters.values
        )
        .fetch_all(c)
        .await
        .map_err(db("listing formations"))?
        .iter()
        .map(|row| {
            Ok(ListedFormation {
                formation: formation_row!(row)?,
                cooperative_name: crate::error::Decoded::new(
                    row,
                    "formations",
                    "decoding a formation",
                )?
                .get("cooperative_name")?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?);
        Ok((page, total))
    }

    /// Every cooperative's legal ID with its id and province (for imports).
    /// The province of each of these cooperatives that exists: (id, province).
    pub async fn cooperative_provinces(
        &mut self,
        ids: &[i64],
    ) -> Result<Vec<(i64, String)>, StoreError> {
        let mut filters = Conditions::default();
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        filters.one_of_ids("id", ids);
        let sql = format!(
            "SELECT id, province FROM cooperatives {}",
            filters.where_sql()
        );
        on!(&mut self.conn, |c| bind_values!(
            sqlx::query(sqlx::AssertSqlSafe(sql)),
            &filters.values
        )
        .fetch_all(c)
        .await
        .map_err(db("finding cooperatives' provinces"))?
        .iter()
        .map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
        .collect::<Result<_, sqlx::Error>>()
        .map_err(db("decoding cooperatives' provinces")))
    }

    /// The cooperative registered under a legal ID, if any (the unique index answers).
    pub async fn cooperative_id_by_legal_id(
        &mut self,
        legal_id: &str,
    ) -> Result<Option<i64>, StoreError> {
        on!(&mut self.conn, |c| sqlx::query(
            "SELECT id FROM cooperatives WHERE legal_id = $1"
        )
        .bind(legal_id)
        .fetch_optional(c)
        .await
        .map_err(db("finding a cooperative by legal ID"))?
        .map(|row| row.try_get(0))
        .transpose()
        .map_err(db("decoding a cooperative by legal ID")))
    }

    pub async fn cooperatives_by_legal_id(
        &mut self,
    ) -> Result<std::collections::HashMap<String, (i64, String)>, StoreError> {
        on!(&mut self.conn, |c| sqlx::query(
            "SELECT legal_id, id, province FROM cooperatives WHERE legal_id IS NOT NULL"
        )
        .fetch_all(c)
        .await
        .map_err(db("listing legal IDs"))?
        .iter()
        .map(|row| Ok((row.try_get(0)?, (row.try_get(1)?, row.try_get(2)?))))
        .collect::<Result<_, sqlx::Error>>()
        .map_err(db("decoding legal IDs")))
    }
}

impl WriteTx {
    /// Changes a cooperative if it still has `expected_version`; bumps the version. The
    /// reason given for the change is kept in the audit entry.
    pub async fn update_cooperative(
        &mut self,
        id: i64,
        expected_version: i64,
        fields: &NewCooperative,
        reason: Option<&str>,
    ) -> Result<Versioned<Cooperative>, StoreError> {
        let Some(before) = self.cooperative(id).await? else {
            return Ok(Versioned::Missing);
        };
        if before.version != expected_version {
            return Ok(Versioned::Stale {
                current_version: before.version,
            });
        }
        let now = self.now.to_string();
        let f = fields;
        let changed = on!(self.conn(), |c| sqlx::query(
            "UPDATE cooperatives SET county = $1, province = $2, name = $3, name_key = $4, \
             kind = $5, sector = $6, legal_id = $7, registration_number = $8, \
             registered_on = $9, founded_on = $10, women_led = $11, status = $12, address = $13, \
             phone = $14, version = version + 1, updated_at = $15 WHERE id = $16 AND version = $17"
        )
        .bind(&f.county)
        .bind(&f.province)
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
        .bind(&now)
        .bind(id)
        .bind(expected_version)
        .execute(c)
        .await
        .map(|result| result.rows_affected())
        .map_err(db("updating a cooperative"))?);
        if changed == 0 {
            return Ok(Versioned::Stale {
                current_version: before.version,
            });
        }
        let after = self
            .cooperative(id)
            .await?
            .ok_or_else(|| crate::error::corrupt(format!("cooperative {id} vanished")))?;
        self.audit(AuditEntry {
            action: "cooperative.update",
            entity: "cooperative",
            entity_id: id.to_string(),
            province: Some(after.fields.province.clone()),
            before: Some(cooperative_json(&before)),
            after: Some({
                let mut record = cooperative_json(&after);
                if let (Some(reason), Some(object)) = (reason, record.as_object_mut()) {
                    object.insert("reason".into(), reason.into());
                }
                record
            }),
        });
        Ok(Versioned::Updated(after))
    }

    /// Appends one entry to a cooperative's share register.
    pub async fn insert_share_entry(
        &mut self,
        province: &str,
        entry: &ShareEntryRow,
    ) -> Result<i64, StoreError> {
        let now = self.now.to_string();
        let id: i64 = on!(self.conn(), |c| {
            sqlx::query(
            "INSERT INTO share_entries (province, cooperative_id, kind, person_id, counterpart_id, \
             amount_rial, entered_on, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             RETURNING id"
        )
        .bind(province)
        .bind(entry.cooperative_id)
        .bind(entry.kind.code())
        .bind(entry.person_id)
        .bind(entry.counterpart_id)
        .bind(entry.amount_rial)
        .bind(&entry.entered_on)
        .bind(&now)
        .fetch_one(c)
        .await
        .and_then(|row| row.try_get(0))
        .map_err(db("recording a share entry"))?
        });
        self.audit(AuditEntry::created(
            "share.entry",
            "share_entry",
            id,
            Some(province),
            serde_json::json!({
                "cooperative_id": entry.cooperative_id, "kind": entry.kind.code(),
                "person_id": entry.person_id, "counterpart_id": entry.counterpart_id,
                "amount_rial": entry.amount_rial, "entered_on": entry.entered_on,
            }),
        ));
        Ok(id)
    }

    pub async fn insert_formation(
        &mut self,
        province: &str,
        cooperative_id: i64,
        statute: Option<&str>,
        duplicate_flags: &serde_json::Value,
    ) -> Result<i64, StoreError> {
        let now = self.now.to_string();
        let flags = duplicate_flags.to_string();
        let id: i64 = on!(self.conn(), |c| {
            sqlx::query(
            "INSERT INTO formations (province, cooperative_id, status, statute, duplicate_flags, \
             version, created_at) VALUES ($1, $2, $6, $3, $4, 1, $5) RETURNING id"
        )
        .bind(province)
        .bind(cooperative_id)
        .bind(statute)
        .bind(&flags)
        .bind(&now)
        .bind(FormationStatus::Submitted.code())
        .fetch_one(c)
        .await
        .and_then(|row| row.try_get(0))
        .map_err(db("recording a formation"))?
        });
        self.audit(AuditEntry::created(
            "formation.submit",
            "formation",
            id,
            Some(province),
            serde_json::json!({
                "cooperative_id": cooperative_id, "statute": statute,
                "duplicate_flags": duplicate_flags,
            }),
        ));
        Ok(id)
    }

    /// Records the provincial decision on a submitted formation; `false` if it was
    /// already decided (a concurrent decision won).
    pub async fn decide_formation(
        &mut self,
        formation: &Formation,
        status: FormationStatus,
        reason: Option<&str>,
    ) -> Result<bool, StoreError> {
        let (now, by) = (self.now.to_string(), self.actor.label());
        let changed = on!(self.conn(), |c| sqlx::query(
            "UPDATE formations SET status = $1, reason = $2, decided_by = $3, decided_at = $4, \
             version = version + 1 WHERE id = $5 AND status = $6"
        )
        .bind(status.code())
        .bind(reason)
        .bind(&by)
        .bind(&now)
        .bind(formation.id)
        .bind(FormationStatus::Submitted.code())
        .execute(c)
        .await
        .map(|result| result.rows_affected())
        .map_err(db("deciding a formation"))?);
        if changed == 0 {
            return Ok(false);
        }
        self.audit(AuditEntry {
            action: "formation.decide",
            entity: "formation",
            entity_id: formation.id.to_string(),
            province: Some(formation.province.clone()),
            before: Some(serde_json::json!({ "status": formation.status.code() })),
            after: Some(serde_json::json!({ "status": status.code(), "reason": reason })),
        });
        Ok(true)
    }
}

fn cooperative_json(c: &Cooperative) -> serde_json::Value {
    let f = &c.fields;
    serde_json::json!({
        "name": f.name, "province": f.province, "county": f.county, "kind": f.kind.code(),
        "sector": f.sector, "legal_id": f.legal_id, "registration_number": f.registration_number,
        "registered_on": f.registered_on, "founded_on": f.founded_on, "women_led": f.women_led,
        "status": f.status.code(), "address": f.address, "phone": f.phone, "version": c.version,
    })
}
