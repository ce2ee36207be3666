//! Cooperatives: registration and the scoped, filtered search.

use sqlx::Row;
use taavon_core::access::{ApplicationScope, CooperativeScope};
use taavon_core::registry::{CooperativeKind, CooperativeStatus};

use crate::StoreError;
use crate::audit::AuditEntry;
use crate::conn::Conn;
use crate::error::db;
use crate::filter::{ApplicantColumn, Conditions, Value, bind_values};
use crate::insert::{insert_rows, only_id};
use crate::sort::{CooperativeColumn, Sort};
use crate::tx::{Reader, WriteTx};

/// A cooperative to register.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewCooperative {
    pub province: String,
    pub county: String,
    pub name: String,
    /// The Persian search key of `name` (taavon_core::text::search_key).
    pub name_key: String,
    pub kind: CooperativeKind,
    pub sector: String,
    pub legal_id: Option<String>,
    pub registration_number: Option<String>,
    pub registered_on: Option<String>,
    pub founded_on: Option<String>,
    pub women_led: bool,
    pub status: CooperativeStatus,
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

const COOPERATIVE_COLUMNS: &str = "id, province, county, name, name_key, kind, sector, legal_id, \
     registration_number, registered_on, founded_on, women_led, status, address, phone, version, \
     created_at, updated_at";

macro_rules! cooperative_row {
    ($row:expr) => {
        (|| -> Result<Cooperative, StoreError> {
            let row = crate::error::Decoded::new($row, "cooperatives", "decoding a cooperative")?;
            Ok(Cooperative {
                id: row.get("id")?,
                fields: NewCooperative {
                    province: row.get("province")?,
                    county: row.get("county")?,
                    name: row.get("name")?,
                    name_key: row.get("name_key")?,
                    kind: row.code("kind", CooperativeKind::parse)?,
                    sector: row.get("sector")?,
                    legal_id: row.get("legal_id")?,
                    registration_number: row.get("registration_number")?,
                    registered_on: row.get("registered_on")?,
                    founded_on: row.get("founded_on")?,
                    women_led: row.get("women_led")?,
                    status: row.code("status", CooperativeStatus::parse)?,
                    address: row.get("address")?,
                    phone: row.get("phone")?,
                },
                version: row.get("version")?,
                created_at: row.get("created_at")?,
                updated_at: row.get("updated_at")?,
            })
        })()
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
    /// The list's order (by name unless asked otherwise).
    pub sort: Sort<CooperativeColumn>,
    /// A keyset cursor: only the cooperatives after this one in `sort`'s order (the count
    /// still counts the whole list). Deep pages by cursor cost what the first one does.
    pub after_cooperative: Option<i64>,
}

/// The shortest key FTS5's trigram tokenizer finds: a shorter one has no trigram.
const TRIGRAM: usize = 3;

/// A page of a list, with the number of rows in the whole list.
pub type Page<T> = (Vec<T>, i64);

impl Reader {
    /// Cooperatives in `scope` that match `filter`, in its order (after its cursor, if any);
    /// `limit` at most 501 (a page of 500 and the row that tells whether another follows). A search
    /// by a member's national code finds only cooperatives whose members `people` reads
    /// (those whose applications it lists).
    pub async fn cooperatives(
        &mut self,
        scope: &CooperativeScope,
        people: &ApplicationScope,
        filter: &CooperativeFilter,
        limit: i64,
        offset: i64,
    ) -> Result<Page<Cooperative>, StoreError> {
        let mut filters = Conditions::default();
        match scope {
            CooperativeScope::All => {}
            CooperativeScope::None => return Ok((Vec::new(), 0)),
            CooperativeScope::One(id) => {
                let p = filters.bind(Value::Int(*id));
                filters.push(format!("id = {p}"));
            }
            CooperativeScope::Provinces(provinces) => {
                filters.one_of("province", provinces.iter().map(|p| p.as_str()));
            }
        }
        for (column, value) in [
            ("province", &filter.province),
            ("county", &filter.county),
            ("sector", &filter.sector),
            ("kind", &filter.kind),
            ("status", &filter.status),
            ("legal_id", &filter.legal_id),
            ("registration_number", &filter.registration_number),
        ] {
            filters.equals(column, value.as_ref());
        }
        if let Some(women_led) = filter.women_led {
            let p = filters.bind(Value::Bool(women_led));
            filters.push(format!("women_led = {p}"));
        }
        if let Some(key) = &filter.name_key {
            // The key is already folded; LIKE's own wildcards in it are escaped. This LIKE
            // alone decides the matches on both engines: PostgreSQL's trigram index (migration
            // 0030) serves it directly, and SQLite's FTS5 index only narrows the rows to it.
            let escaped = key
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            let p = filters.bind(Value::Text(format!("%{escaped}%")));
            filters.push(format!("name_key LIKE {p} ESCAPE '\\'"));
            // SQLite never answers a LIKE on the table from an FTS5 index, so the rows are
            // first narrowed to those holding the key as a phrase (its trigrams in a row).
            if matches!(self.conn, Conn::Sqlite(_)) && key.chars().count() >= TRIGRAM {
                let phrase = format!("\"{}\"", key.replace('"', "\"\""));
                let p = filters.bind(Value::Text(phrase));
                filters.push(format!(
                    "id IN (SELECT rowid FROM cooperative_name_trigrams \
                     WHERE cooperative_name_trigrams MATCH {p})"
                ));
            }
        }
        if let Some(national_code) = &filter.member_national_code {
            let p = filters.bind(Value::Text(national_code.clone()));
            filters.push(format!(
                "id IN (SELECT m.cooperative_id FROM memberships m JOIN persons p \
                 ON p.id = m.person_id WHERE p.national_code = {p} AND m.exited_on IS NULL)"
            ));
            filters.in_applicant_scope(people, "id", "province", ApplicantColumn::Cooperative);
        }
        let count_sql = format!("SELECT COUNT(*) FROM cooperatives {}", filters.where_sql());
        let counted = filters.values.len();
        if let Some(after) = filter.after_cooperative {
            let p = filters.bind(Value::Int(after));
            filters.push(filter.sort.after("cooperatives", &p));
        }
        // The page's ids first, then their rows: the skipped rows of a deep page by number
        // are then index entries only (the order's index holds the id), never whole rows.
        let order = filter.sort.order_by();
        let list_sql = format!(
            "SELECT {COOPERATIVE_COLUMNS} FROM cooperatives WHERE id IN \
             (SELECT id FROM cooperatives {} {order} LIMIT {} OFFSET {}) {order}",
            filters.where_sql(),
            limit.clamp(1, 501),
            offset.max(0)
        );
        let count_values = filters.values.get(..counted).unwrap_or_default();
        on!(&mut self.conn, |c| {
            let count = bind_values!(sqlx::query(sqlx::AssertSqlSafe(count_sql)), count_values);
            let list = bind_values!(sqlx::query(sqlx::AssertSqlSafe(list_sql)), &filters.values);
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
                .map(|row| cooperative_row!(&row))
                .transpose()
        })
    }
}

/// A cooperative's columns as written, in the order `write_cooperatives` binds them.
const COOPERATIVE_INSERT_COLUMNS: &str = "province, county, name, name_key, kind, sector, legal_id, \
     registration_number, registered_on, founded_on, women_led, status, address, phone, \
     version, created_at, updated_at";

impl WriteTx {
    /// Writes cooperatives' rows at version 1, many to a statement; returns their ids in
    /// order. The one statement of both the single and the bulk insert; the caller audits.
    pub(crate) async fn write_cooperatives(
        &mut self,
        cooperatives: &[NewCooperative],
        context: &'static str,
    ) -> Result<Vec<i64>, StoreError> {
        let now = self.now.to_string();
        Ok(insert_rows!(
            self,
            "cooperatives",
            &[COOPERATIVE_INSERT_COLUMNS],
            cooperatives,
            context,
            |query, f| query
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
                .bind(&now)
        ))
    }

    pub async fn insert_cooperative(
        &mut self,
        cooperative: &NewCooperative,
    ) -> Result<i64, StoreError> {
        let ids = self
            .write_cooperatives(
                std::slice::from_ref(cooperative),
                "registering a cooperative",
            )
            .await?;
        let id = only_id(&ids, "cooperatives")?;
        let c0 = cooperative;
        self.audit(AuditEntry::created(
            "cooperative.create",
            "cooperative",
            id,
            Some(&c0.province),
            serde_json::json!({
                "name": c0.name, "province": c0.province, "county": c0.county,
                "kind": c0.kind.code(), "sector": c0.sector, "legal_id": c0.legal_id,
                "registration_number": c0.registration_number,
                "registered_on": c0.registered_on, "founded_on": c0.founded_on,
                "women_led": c0.women_led, "status": c0.status.code(),
            }),
        ));
        Ok(id)
    }
}
