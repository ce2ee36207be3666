//! Persons (one per national code), their memberships in cooperatives, and individual
//! clients (artisans and welfare clients).

use sqlx::Row;

use taavon_core::access::ApplicationScope;
use taavon_core::reference::{AgencyCode, BankCode};
use taavon_core::registry::{ClientKind, Gender};

use crate::StoreError;
use crate::audit::AuditEntry;
use crate::error::{corrupt, db};
use crate::filter::{ApplicantColumn, Conditions, bind_values};
use crate::insert::{insert_rows, only_id};
use crate::tx::{Reader, WriteTx};

/// A person to record. `national_code` is already validated and normalised.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewPerson {
    pub province: String,
    pub national_code: String,
    pub first_name: String,
    pub last_name: String,
    pub gender: Gender,
    pub birth_year: Option<i64>,
    pub mobile: Option<String>,
}

/// A stored person.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Person {
    pub id: i64,
    pub fields: NewPerson,
}

/// A person joining a cooperative.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewMembership {
    pub province: String,
    pub cooperative_id: i64,
    pub person_id: i64,
    pub board_role: Option<String>,
    pub joined_on: String,
}

/// An individual client: an artisan or a welfare client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewClient {
    pub province: String,
    pub county: String,
    pub person_id: i64,
    pub kind: ClientKind,
    pub sector: Option<String>,
    pub credential: Option<String>,
    /// The agency that referred a welfare client.
    pub referred_by: Option<AgencyCode>,
}

/// A stored individual client with the person's name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Client {
    pub id: i64,
    pub fields: NewClient,
    pub first_name: String,
    pub last_name: String,
    pub gender: Gender,
}

const CLIENT_SELECT: &str = "SELECT k.id, k.province, k.county, k.person_id, k.kind, k.sector, \
     k.credential, k.referred_by, p.first_name, p.last_name, p.gender FROM clients k \
     JOIN persons p ON p.id = k.person_id";

macro_rules! client_row {
    ($row:expr) => {
        (|| -> Result<Client, StoreError> {
            let row = crate::error::Decoded::new($row, "clients", "decoding a client")?;
            Ok(Client {
                id: row.get("id")?,
                fields: NewClient {
                    province: row.get("province")?,
                    county: row.get("county")?,
                    person_id: row.get("person_id")?,
                    kind: row.code("kind", ClientKind::parse)?,
                    sector: row.get("sector")?,
                    credential: row.get("credential")?,
                    referred_by: row.optional_code("referred_by", |c| AgencyCode::parse(c).ok())?,
                },
                first_name: row.get("first_name")?,
                last_name: row.get("last_name")?,
                gender: row.code("gender", Gender::parse)?,
            })
        })()
    };
}

/// A person's columns, from `persons p`, in the order `person_of` reads them by name.
pub(crate) const PERSON_COLUMNS: &str = "p.id, p.province, p.national_code, p.first_name, p.last_name, p.gender, p.birth_year, p.mobile";

/// Decodes a row of `PERSON_COLUMNS` on either engine.
macro_rules! person_row {
    ($row:expr) => {
        (|| -> Result<$crate::people::Person, $crate::StoreError> {
            let row = $crate::error::Decoded::new($row, "persons", "decoding a person")?;
            Ok($crate::people::Person {
                id: row.get("id")?,
                fields: $crate::people::NewPerson {
                    province: row.get("province")?,
                    national_code: row.get("national_code")?,
                    first_name: row.get("first_name")?,
                    last_name: row.get("last_name")?,
                    gender: row.code("gender", taavon_core::registry::Gender::parse)?,
                    birth_year: row.get("birth_year")?,
                    mobile: row.get("mobile")?,
                },
            })
        })()
    };
}
pub(crate) use person_row;

impl Reader {
    pub async fn client(&mut self, id: i64) -> Result<Option<Client>, StoreError> {
        let sql = format!("{CLIENT_SELECT} WHERE k.id = $1");
        on!(&mut self.conn, |c| sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(c)
            .await
            .map_err(db("reading a client"))?
            .map(|row| client_row!(&row))
            .transpose())
    }

    /// The current members of a cooperative, by last name.
    pub async fn members_of(&mut self, cooperative_id: i64) -> Result<Vec<Person>, StoreError> {
        let sql = format!(
            "SELECT {PERSON_COLUMNS} FROM memberships m JOIN persons p ON p.id = m.person_id \
             WHERE m.cooperative_id = $1 AND m.exited_on IS NULL \
             ORDER BY p.last_name, p.first_name, p.id LIMIT 1000"
        );
        on!(&mut self.conn, |c| sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(cooperative_id)
            .fetch_all(c)
            .await
            .map_err(db("listing members"))?
            .iter()
            .map(|row| person_row!(row))
            .collect())
    }

    /// Individual clients whose applications `scope` lists (so whose personal data it
    /// reads), newest first; `limit` at most 500.
    pub async fn clients(
        &mut self,
        scope: &ApplicationScope,
        limit: i64,
    ) -> Result<Vec<Client>, StoreError> {
        let mut filters = Conditions::default();
        filters.in_applicant_scope(scope, "k.id", "k.province", ApplicantColumn::Client);
        let sql = format!(
            "{CLIENT_SELECT} {} ORDER BY k.id DESC LIMIT {}",
            filters.where_sql(),
            limit.clamp(1, 500)
        );
        on!(&mut self.conn, |c| bind_values!(
            sqlx::query(sqlx::AssertSqlSafe(sql)),
            &filters.values
        )
        .fetch_all(c)
        .await
        .map_err(db("listing clients"))?
        .iter()
        .map(|row| client_row!(row))
        .collect())
    }

    /// The banks a cooperative borrows from (for `decide_personal_data`).
    pub async fn lenders_of_cooperative(&mut self, id: i64) -> Result<Vec<BankCode>, StoreError> {
        self.lenders(ApplicantColumn::Cooperative, id).await
    }

    /// The banks an individual client borrows from (for `decide_personal_data`).
    pub async fn lenders_of_client(&mut self, id: i64) -> Result<Vec<BankCode>, StoreError> {
        self.lenders(ApplicantColumn::Client, id).await
    }

    /// The banks the applicant's applications were referred to, and those it holds a loan
    /// with (every loan comes from such an application, so they are the same today).
    async fn lenders(
        &mut self,
        applicant: ApplicantColumn,
        id: i64,
    ) -> Result<Vec<BankCode>, StoreError> {
        let column = applicant.column();
        let sql = format!(
            "SELECT referred_bank FROM applications WHERE {column} = $1 \
             AND referred_bank IS NOT NULL \
             UNION SELECT l.bank FROM loans l JOIN applications a ON a.id = l.application_id \
             WHERE a.{column} = $2"
        );
        on!(&mut self.conn, |c| sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .bind(id)
            .fetch_all(c)
            .await
            .map_err(db("finding an applicant's lenders"))?
            .iter()
            .map(|row| {
                let code = row
                    .try_get::<String, _>(0)
                    .map_err(db("decoding lenders"))?;
                BankCode::parse(&code)
                    .map_err(|_| corrupt(format!("an application or loan has bank {code:?}")))
            })
            .collect())
    }
}

/// A person's columns as written, in the order `write_persons` binds them.
const PERSON_INSERT_COLUMNS: &str =
    "province, national_code, first_name, last_name, gender, birth_year, mobile, created_at";

/// A membership's columns as written, in the order `write_memberships` binds them.
const MEMBERSHIP_COLUMNS: &str =
    "province, cooperative_id, person_id, board_role, joined_on, created_at";

impl WriteTx {
    /// Writes persons' rows, many to a statement; returns their ids in order. The one
    /// statement of both the single and the bulk insert; the caller audits.
    pub(crate) async fn write_persons(
        &mut self,
        persons: &[NewPerson],
        context: &'static str,
    ) -> Result<Vec<i64>, StoreError> {
        let now = self.now.to_string();
        let columns = &[PERSON_INSERT_COLUMNS];
        Ok(insert_rows!(
            self,
            "persons",
            columns,
            persons,
            context,
            |query, p| query
                .bind(&p.province)
                .bind(&p.national_code)
                .bind(&p.first_name)
                .bind(&p.last_name)
                .bind(p.gender.code())
                .bind(p.birth_year)
                .bind(p.mobile.as_deref())
                .bind(&now)
        ))
    }

    pub async fn insert_person(&mut self, person: &NewPerson) -> Result<i64, StoreError> {
        let ids = self
            .write_persons(std::slice::from_ref(person), "recording a person")
            .await?;
        let id = only_id(&ids, "persons")?;
        self.audit(AuditEntry::created(
            "person.create",
            "person",
            id,
            Some(&person.province),
            serde_json::json!({
                "national_code": person.national_code,
                "first_name": person.first_name, "last_name": person.last_name,
                "gender": person.gender.code(), "birth_year": person.birth_year,
                "mobile": person.mobile,
            }),
        ));
        Ok(id)
    }

    /// Writes memberships' rows, many to a statement; returns their ids in order. The one
    /// statement of both the single and the bulk insert; the caller audits.
    pub(crate) async fn write_memberships(
        &mut self,
        memberships: &[NewMembership],
        context: &'static str,
    ) -> Result<Vec<i64>, StoreError> {
        let now = self.now.to_string();
        let columns = &[MEMBERSHIP_COLUMNS];
        Ok(insert_rows!(
            self,
            "memberships",
            columns,
            memberships,
            context,
            |query, m| query
                .bind(&m.province)
                .bind(m.cooperative_id)
                .bind(m.person_id)
                .bind(m.board_role.as_deref())
                .bind(&m.joined_on)
                .bind(&now)
        ))
    }

    pub async fn insert_membership(
        &mut self,
        membership: &NewMembership,
    ) -> Result<i64, StoreError> {
        let ids = self
            .write_memberships(std::slice::from_ref(membership), "recording a membership")
            .await?;
        let id = only_id(&ids, "memberships")?;
        let m = membership;
        self.audit(AuditEntry::created(
            "membership.create",
            "membership",
            id,
            Some(&m.province),
            serde_json::json!({
                "cooperative_id": m.cooperative_id, "person_id": m.person_id,
                "board_role": m.board_role, "joined_on": m.joined_on,
            }),
        ));
        Ok(id)
    }

    pub async fn insert_client(&mut self, client: &NewClient) -> Result<i64, StoreError> {
        let now = self.now.to_string();
        let k = client;
        let id: i64 = on!(self.conn(), |c| sqlx::query(
            "INSERT INTO clients (province, county, person_id, kind, sector, credential, \
             referred_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id"
        )
        .bind(&k.province)
        .bind(&k.county)
        .bind(k.person_id)
        .bind(k.kind.code())
        .bind(k.sector.as_deref())
        .bind(k.credential.as_deref())
        .bind(k.referred_by.as_ref().map(AgencyCode::as_str))
        .bind(&now)
        .fetch_one(c)
        .await
        .and_then(|row| row.try_get(0))
        .map_err(db("recording a client"))?);
        self.audit(AuditEntry::created(
            "client.create",
            "client",
            id,
            Some(&k.province),
            serde_json::json!({
                "county": k.county, "person_id": k.person_id, "kind": k.kind.code(),
                "sector": k.sector, "credential": k.credential,
                "referred_by": k.referred_by.as_ref().map(AgencyCode::as_str),
            }),
        ));
        Ok(id)
    }
}
