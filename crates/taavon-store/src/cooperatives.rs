//! Cooperatives, programs and applications: the registry rows this foundation needs
//! (the registry and programs issues complete them with new migrations).

use sqlx::Row;
use taavon_core::access::CooperativeScope;

use crate::StoreError;
use crate::audit::AuditEntry;
use crate::error::db;
use crate::tx::{Reader, WriteTx};

/// A cooperative to register.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewCooperative {
    pub province: String,
    pub county: String,
    pub name: String,
    /// The Persian search key of `name` (taavon_core::text::search_key).
    pub name_key: String,
    pub kind: String,
    pub sector: String,
    pub legal_id: Option<String>,
    pub registration_number: Option<String>,
    pub registered_on: Option<String>,
    pub founded_on: Option<String>,
    pub women_led: bool,
    pub status: String,
    pub address: Option<String>,
    pub phone: Option<String>,
}

/// A stored cooperative.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cooperative {
    pub id: i64,
    pub fields: NewCooperative,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

/// A funding line (Note 18, Article 56, trip approvals …).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Program {
    pub code: String,
    pub funding_source: String,
    pub name_fa: String,
    pub name_en: String,
}

/// An application for a facility under a program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewApplication {
    pub province: String,
    pub county: String,
    pub program: String,
    pub cooperative_id: Option<i64>,
    pub client_id: Option<i64>,
    pub sector: String,
    pub amount_rial: i64,
    pub jobs: i64,
    pub women_jobs: i64,
    pub purpose: String,
    pub status: String,
}

/// A stored application.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Application {
    pub id: i64,
    pub fields: NewApplication,
    pub version: i64,
    pub created_at: String,
}

const COOPERATIVE_COLUMNS: &str = "id, province, county, name, name_key, kind, sector, legal_id, \
     registration_number, registered_on, founded_on, women_led, status, address, phone, version, \
     created_at, updated_at";

macro_rules! cooperative_row {
    ($row:expr) => {
        (|| -> Result<Cooperative, sqlx::Error> {
            Ok(Cooperative {
                id: $row.try_get("id")?,
                fields: NewCooperative {
                    province: $row.try_get("province")?,
                    county: $row.try_get("county")?,
                    name: $row.try_get("name")?,
                    name_key: $row.try_get("name_key")?,
                    kind: $row.try_get("kind")?,
                    sector: $row.try_get("sector")?,
                    legal_id: $row.try_get("legal_id")?,
                    registration_number: $row.try_get("registration_number")?,
                    registered_on: $row.try_get("registered_on")?,
                    founded_on: $row.try_get("founded_on")?,
                    women_led: $row.try_get("women_led")?,
                    status: $row.try_get("status")?,
                    address: $row.try_get("address")?,
                    phone: $row.try_get("phone")?,
                },
                version: $row.try_get("version")?,
                created_at: $row.try_get("created_at")?,
                updated_at: $row.try_get("updated_at")?,
            })
        })()
        .map_err(db("decoding a cooperative"))
    };
}

macro_rules! application_row {
    ($row:expr) => {
        (|| -> Result<Application, sqlx::Error> {
            Ok(Application {
                id: $row.try_get("id")?,
                fields: NewApplication {
                    province: $row.try_get("province")?,
                    county: $row.try_get("county")?,
                    program: $row.try_get("program")?,
                    cooperative_id: $row.try_get("cooperative_id")?,
                    client_id: $row.try_get("client_id")?,
                    sector: $row.try_get("sector")?,
                    amount_rial: $row.try_get("amount_rial")?,
                    jobs: $row.try_get("jobs")?,
                    women_jobs: $row.try_get("women_jobs")?,
                    purpose: $row.try_get("purpose")?,
                    status: $row.try_get("status")?,
                },
                version: $row.try_get("version")?,
                created_at: $row.try_get("created_at")?,
            })
        })()
        .map_err(db("decoding an application"))
    };
}

/// What a cooperative search may narrow by; `None` means any.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CooperativeFilter {
    pub province: Option<String>,
    pub county: Option<String>,
    pub sector: Option<String>,
    pub kind: Option<String>,
    pub status: Option<String>,
    pub women_led: Option<bool>,
    /// A folded search key (taavon_core::text::search_key) found anywhere in the name.
    pub name_key: Option<String>,
    pub legal_id: Option<String>,
    pub registration_number: Option<String>,
    /// A current member's normalised national code.
    pub member_national_code: Option<String>,
}

/// A value bound to a generated placeholder.
enum Value {
    Text(String),
    Int(i64),
    Bool(bool),
}

/// A page of a list, with the number of rows in the whole list.
pub type Page<T> = (Vec<T>, i64);

impl Reader {
    /// Cooperatives in `scope` that match `filter`, by name; `limit` at most 500.
    pub async fn cooperatives(
        &mut self,
        scope: &CooperativeScope,
        filter: &CooperativeFilter,
        limit: i64,
        offset: i64,
    ) -> Result<Page<Cooperative>, StoreError> {
        // Placeholders are generated; every value is bound, never spliced into the text.
        let mut conditions: Vec<String> = Vec::new();
        let mut values: Vec<Value> = Vec::new();
        let bind = |values: &mut Vec<Value>, value: Value| {
            values.push(value);
            format!("${}", values.len())
        };
        match scope {
            CooperativeScope::All => {}
            CooperativeScope::None => return Ok((Vec::new(), 0)),
            CooperativeScope::One(id) => {
                let p = bind(&mut values, Value::Int(*id));
                conditions.push(format!("id = {p}"));
            }
            CooperativeScope::Provinces(provinces) => {
                let placeholders: Vec<String> = provinces
                    .iter()
                    .map(|p| bind(&mut values, Value::Text(p.as_str().to_owned())))
                    .collect();
                conditions.push(format!("province IN ({})", placeholders.join(", ")));
            }
        }
        let text_filters = [
            ("province", &filter.province),
            ("county", &filter.county),
            ("sector", &filter.sector),
            ("kind", &filter.kind),
            ("status", &filter.status),
            ("legal_id", &filter.legal_id),
            ("registration_number", &filter.registration_number),
        ];
        for (column, value) in text_filters {
            if let Some(value) = value {
                let p = bind(&mut values, Value::Text(value.clone()));
                conditions.push(format!("{column} = {p}"));
            }
        }
        if let Some(women_led) = filter.women_led {
            let p = bind(&mut values, Value::Bool(women_led));
            conditions.push(format!("women_led = {p}"));
        }
        if let Some(key) = &filter.name_key {
            // The key is already folded; LIKE's own wildcards in it are escaped.
            let escaped = key
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            let p = bind(&mut values, Value::Text(format!("%{escaped}%")));
            conditions.push(format!("name_key LIKE {p} ESCAPE '\\'"));
        }
        if let Some(national_code) = &filter.member_national_code {
            let p = bind(&mut values, Value::Text(national_code.clone()));
            conditions.push(format!(
                "id IN (SELECT m.cooperative_id FROM memberships m JOIN persons p \
                 ON p.id = m.person_id WHERE p.national_code = {p} AND m.exited_on IS NULL)"
            ));
        }
        let filter_sql = if conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conditions.join(" AND "))
        };
        let count_sql = format!("SELECT COUNT(*) FROM cooperatives {filter_sql}");
        let list_sql = format!(
            "SELECT {COOPERATIVE_COLUMNS} FROM cooperatives {filter_sql} \
             ORDER BY name_key, id LIMIT {} OFFSET {}",
            limit.clamp(1, 500),
            offset.max(0)
        );
        on!(&mut self.conn, |c| {
            let mut count = sqlx::query(sqlx::AssertSqlSafe(count_sql));
            let mut list = sqlx::query(sqlx::AssertSqlSafe(list_sql));
            for value in &values {
                (count, list) = match value {
                    Value::Text(text) => (count.bind(text.clone()), list.bind(text.clone())),
                    Value::Int(number) => (count.bind(*number), list.bind(*number)),
                    Value::Bool(flag) => (count.bind(*flag), list.bind(*flag)),
                };
            }
            let total: i64 = count
                .fetch_one(&mut *c)
                .await
                .and_then(|row| row.try_get(0))
                .map_err(db("counting cooperatives"))?;
            let rows = list
                .fetch_all(&mut *c)
                .await
                .map_err(db("listing cooperatives"))?;
            let cooperatives = rows
                .iter()
                .map(|row| cooperative_row!(row))
                .collect::<Result<Vec<_>, _>>()?;
            Ok((cooperatives, total))
        })
    }

    pub async fn cooperative(&mut self, id: i64) -> Result<Option<Cooperative>, StoreError> {
        on!(&mut self.conn, |c| {
            let sql = format!("SELECT {COOPERATIVE_COLUMNS} FROM cooperatives WHERE id = $1");
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(id)
                .fetch_optional(c)
                .await
                .map_err(db("reading a cooperative"))?
                .map(|row| cooperative_row!(row))
                .transpose()
        })
    }

    /// The applications of one cooperative, newest first.
    pub async fn applications_of_cooperative(
        &mut self,
        cooperative_id: i64,
    ) -> Result<Vec<Application>, StoreError> {
        on!(&mut self.conn, |c| {
            sqlx::query(
                "SELECT id, province, county, program, cooperative_id, client_id, sector, \
                 amount_rial, jobs, women_jobs, purpose, status, version, created_at \
                 FROM applications WHERE cooperative_id = $1 ORDER BY id DESC LIMIT 200",
            )
            .bind(cooperative_id)
            .fetch_all(c)
            .await
            .map_err(db("listing applications"))?
            .iter()
            .map(|row| application_row!(row))
            .collect()
        })
    }

    pub async fn programs(&mut self) -> Result<Vec<Program>, StoreError> {
        on!(&mut self.conn, |c| {
            sqlx::query("SELECT code, funding_source, name_fa, name_en FROM programs ORDER BY code")
                .fetch_all(c)
                .await
                .map_err(db("listing programs"))?
                .iter()
                .map(|row| {
                    Ok(Program {
                        code: row.try_get("code")?,
                        funding_source: row.try_get("funding_source")?,
                        name_fa: row.try_get("name_fa")?,
                        name_en: row.try_get("name_en")?,
                    })
                })
                .collect::<Result<_, sqlx::Error>>()
                .map_err(db("decoding programs"))
        })
    }
}

impl WriteTx {
    pub async fn insert_cooperative(
        &mut self,
        cooperative: &NewCooperative,
    ) -> Result<i64, StoreError> {
        let now = self.now.to_string();
        let c0 = cooperative;
        let id: i64 = on!(self.conn(), |c| {
            sqlx::query(
            "INSERT INTO cooperatives (province, county, name, name_key, kind, sector, legal_id, \
             registration_number, registered_on, founded_on, women_led, status, address, phone, \
             version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 1, $15, $15) \
             RETURNING id"
        )
        .bind(&c0.province)
        .bind(&c0.county)
        .bind(&c0.name)
        .bind(&c0.name_key)
        .bind(&c0.kind)
        .bind(&c0.sector)
        .bind(c0.legal_id.as_deref())
        .bind(c0.registration_number.as_deref())
        .bind(c0.registered_on.as_deref())
        .bind(c0.founded_on.as_deref())
        .bind(c0.women_led)
        .bind(&c0.status)
        .bind(c0.address.as_deref())
        .bind(c0.phone.as_deref())
        .bind(&now)
        .fetch_one(c)
        .await
        .and_then(|row| row.try_get(0))
        .map_err(db("registering a cooperative"))?
        });
        self.audit(AuditEntry::created(
            "cooperative.create",
            "cooperative",
            id,
            Some(&c0.province),
            serde_json::json!({
                "name": c0.name, "province": c0.province, "county": c0.county,
                "kind": c0.kind, "sector": c0.sector, "legal_id": c0.legal_id,
                "registration_number": c0.registration_number,
                "registered_on": c0.registered_on, "founded_on": c0.founded_on,
                "women_led": c0.women_led, "status": c0.status,
            }),
        ));
        Ok(id)
    }

    pub async fn insert_program(&mut self, program: &Program) -> Result<(), StoreError> {
        let now = self.now.to_string();
        on!(self.conn(), |c| sqlx::query(
            "INSERT INTO programs (code, funding_source, name_fa, name_en, created_at) \
             VALUES ($1, $2, $3, $4, $5)"
        )
        .bind(&program.code)
        .bind(&program.funding_source)
        .bind(&program.name_fa)
        .bind(&program.name_en)
        .bind(&now)
        .execute(c)
        .await
        .map(|_| ())
        .map_err(db("creating a program"))?);
        self.audit(AuditEntry::created(
            "program.create",
            "program",
            &program.code,
            None,
            serde_json::json!({
                "funding_source": program.funding_source,
                "name_fa": program.name_fa, "name_en": program.name_en,
            }),
        ));
        Ok(())
    }

    pub async fn insert_application(
        &mut self,
        application: &NewApplication,
    ) -> Result<i64, StoreError> {
        let now = self.now.to_string();
        let a = application;
        let id: i64 = on!(self.conn(), |c| sqlx::query(
            "INSERT INTO applications (province, county, program, cooperative_id, client_id, \
             sector, amount_rial, jobs, women_jobs, purpose, status, version, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1, $12) RETURNING id"
        )
        .bind(&a.province)
        .bind(&a.county)
        .bind(&a.program)
        .bind(a.cooperative_id)
        .bind(a.client_id)
        .bind(&a.sector)
        .bind(a.amount_rial)
        .bind(a.jobs)
        .bind(a.women_jobs)
        .bind(&a.purpose)
        .bind(&a.status)
        .bind(&now)
        .fetch_one(c)
        .await
        .and_then(|row| row.try_get(0))
        .map_err(db("creating an application"))?);
        self.audit(AuditEntry::created(
            "application.create",
            "application",
            id,
            Some(&a.province),
            serde_json::json!({
                "program": a.program, "county": a.county,
                "cooperative_id": a.cooperative_id, "client_id": a.client_id,
                "sector": a.sector, "amount_rial": a.amount_rial, "jobs": a.jobs,
                "women_jobs": a.women_jobs, "purpose": a.purpose, "status": a.status,
            }),
        ));
        Ok(id)
    }
}
