//! Services delivered and their county figures (migration 0020).
//!
//! A batch of services is inserted with `ON CONFLICT DO NOTHING` on the provider's own
//! reference, and only the rows that went in are added to `service_county_figures` in the
//! same transaction, so re-sending a file changes neither. On SQLite the rows go through
//! the transaction's own handle (as the insured-worker lists do: sqlx's per-row round
//! trip to its worker thread would dominate), 64 to a prepared statement; when all of a
//! batch went in (an import's usual case) its figures are summed in memory, a statement
//! per touched (county, provider, kind), otherwise the rows that went in are read back by
//! id and grouped; on PostgreSQL a batch is one statement: an `INSERT … SELECT FROM
//! UNNEST … RETURNING` feeding the figures' upsert.

use std::collections::BTreeMap;

use rusqlite::params;
use sqlx::Row;
use taavon_core::calendar::IsoDate;
use taavon_core::ids::NationalCode;
use taavon_core::services::{Provider, ProviderKind, ServiceKind};

use crate::StoreError;
use crate::audit::AuditEntry;
use crate::conn::Conn;
use crate::error::db;
use crate::impact::sqlite;
use crate::insert::sqlite_rows_in_chunks;
use crate::ledger::sqlite::SqliteBatchIo;
use crate::tx::{Reader, WriteTx};

/// The most services one `insert_services` call takes (bounds what a batch holds).
pub const SERVICE_BATCH_MAX: usize = 10_000;

/// Whom a service went to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Recipient {
    Person(NationalCode),
    Cooperative(i64),
}

/// A service about to be recorded. `province` is the county's (the caller looked it up).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewService {
    pub province: String,
    pub county: String,
    pub provider: Provider,
    /// The provider's own reference (its system's id for the record).
    pub reference: String,
    pub kind: ServiceKind,
    pub recipient: Recipient,
    pub people: i64,
    pub amount_rial: Option<i64>,
    pub delivered_on: IsoDate,
}

/// One row of the county figures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceFigure {
    pub province: String,
    pub county: String,
    pub provider: Provider,
    pub kind: ServiceKind,
    pub services: i64,
    pub people: i64,
}

/// What a batch did: rows inserted, and rows whose reference was already recorded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ServiceBatch {
    pub created: u64,
    pub unchanged: u64,
}

/// Rows per statement of a batch on SQLite: 14 values a row, well under its limit.
const SQLITE_SERVICES_PER_INSERT: usize = 64;

/// The insert of `rows` services on SQLite: the disbursement, recorder and time shared
/// (`?1`–`?3`), then eleven values a row; a reference seen before is left as it is.
fn sqlite_insert_services(rows: usize) -> String {
    let values: Vec<String> = (0..rows)
        .map(|i| {
            let at = 4 + i * 11;
            let row: Vec<String> = (at..at + 11).map(|p| format!("?{p}")).collect();
            format!("({}, ?1, ?2, ?3)", row.join(", "))
        })
        .collect();
    format!(
        "INSERT INTO services (province, county, provider_kind, provider_code, reference, \
         kind, national_code, cooperative_id, people, amount_rial, delivered_on, \
         loan_transaction_id, recorded_by, recorded_at) VALUES {} \
         ON CONFLICT (provider_kind, provider_code, reference) DO NOTHING",
        values.join(", ")
    )
}

/// Adds the services above an id (a batch's rows that went in) to their figures.
const ADD_NEW_ROWS_TO_FIGURES: &str = "INSERT INTO service_county_figures (province, \
     county, provider_kind, provider_code, kind, services, people) \
     SELECT province, county, provider_kind, provider_code, kind, COUNT(*), SUM(people) \
     FROM services WHERE id > ?1 GROUP BY province, county, provider_kind, provider_code, kind \
     ON CONFLICT (county, provider_kind, provider_code, kind) DO UPDATE SET \
     services = service_county_figures.services + excluded.services, \
     people = service_county_figures.people + excluded.people";

/// Adds a group's new services to its figures (the same text on both engines).
const ADD_TO_FIGURES: &str = "INSERT INTO service_county_figures (province, county, \
     provider_kind, provider_code, kind, services, people) VALUES ($1, $2, $3, $4, $5, $6, $7) \
     ON CONFLICT (county, provider_kind, provider_code, kind) DO UPDATE SET \
     services = service_county_figures.services + excluded.services, \
     people = service_county_figures.people + excluded.people";

/// A figure's key: province, county, provider kind and code, service kind.
type FigureKey<'a> = (&'a str, &'a str, ProviderKind, &'a str, ServiceKind);

impl WriteTx {
    /// Records a batch of services (at most `SERVICE_BATCH_MAX`) and adds those not
    /// already recorded to the county figures. A reference seen before — stored, or
    /// earlier in the batch — leaves the row as it is.
    pub async fn insert_services(
        &mut self,
        services: &[NewService],
    ) -> Result<ServiceBatch, StoreError> {
        self.insert_services_paid_by(services, None).await
    }

    /// Records the service a disbursement is: a bank facility to the loan's borrower in
    /// the application's county, referenced by the loan transaction that paid it (so a
    /// disbursement is one service however often its command is retried).
    pub async fn record_facility_service(
        &mut self,
        loan_id: i64,
        transaction_id: i64,
        amount_rial: i64,
        delivered_on: IsoDate,
    ) -> Result<ServiceBatch, StoreError> {
        let row = on!(self.conn(), |c| sqlx::query(
            "SELECT a.province, a.county, l.bank, p.national_code, a.cooperative_id \
             FROM loans l JOIN applications a ON a.id = l.application_id \
             LEFT JOIN clients k ON k.id = a.client_id \
             LEFT JOIN persons p ON p.id = k.person_id WHERE l.id = $1"
        )
        .bind(loan_id)
        .fetch_one(c)
        .await
        .and_then(|row| {
            Ok((
                row.try_get::<String, _>(0)?,
                row.try_get::<String, _>(1)?,
                row.try_get::<String, _>(2)?,
                row.try_get::<Option<String>, _>(3)?,
                row.try_get::<Option<i64>, _>(4)?,
            ))
        })
        .map_err(db("reading a disbursed loan's borrower"))?);
        let (province, county, bank, national_code, cooperative_id) = row;
        let recipient = match (national_code, cooperative_id) {
            (_, Some(id)) => Recipient::Cooperative(id),
            (Some(code), None) => Recipient::Person(
                NationalCode::parse(&code)
                    .map_err(|_| corrupt_row("persons", loan_id, "national_code", &code))?,
            ),
            (None, None) => {
                return Err(corrupt_row("applications", loan_id, "applicant", "none"));
            }
        };
        let service = NewService {
            province,
            county,
            provider: Provider::Bank(bank),
            reference: format!("disbursement-{transaction_id}"),
            kind: ServiceKind::BankFacility,
            recipient,
            people: 1,
            amount_rial: Some(amount_rial),
            delivered_on,
        };
        self.insert_services_paid_by(std::slice::from_ref(&service), Some(transaction_id))
            .await
    }

    /// Inserts the batch and records one audit entry for it: its provider, its first and
    /// last references and how many rows were new (a batch of rows already recorded is
    /// audited too, as an import that changed nothing).
    async fn insert_services_paid_by(
        &mut self,
        services: &[NewService],
        loan_transaction_id: Option<i64>,
    ) -> Result<ServiceBatch, StoreError> {
        let batch = self.write_services(services, loan_transaction_id).await?;
        if let (Some(first), Some(last)) = (services.first(), services.last()) {
            let province = (services.len() == 1).then_some(first.province.as_str());
            self.audit(AuditEntry::created(
                "service.record",
                "service",
                format!("{}:{}", first.provider.code(), first.reference),
                province,
                serde_json::json!({
                    "provider_kind": first.provider.kind().code(),
                    "provider": first.provider.code(),
                    "first_reference": first.reference,
                    "last_reference": last.reference,
                    "rows": services.len(),
                    "created": batch.created,
                    "unchanged": batch.unchanged,
                    "loan_transaction_id": loan_transaction_id,
                }),
            ));
        }
        Ok(batch)
    }

    async fn write_services(
        &mut self,
        services: &[NewService],
        loan_transaction_id: Option<i64>,
    ) -> Result<ServiceBatch, StoreError> {
        if services.len() > SERVICE_BATCH_MAX {
            return Err(StoreError::BatchTooLarge {
                len: services.len(),
                max: SERVICE_BATCH_MAX,
            });
        }
        let label = self.actor.label();
        let now = self.now.to_string();
        match self.conn() {
            Conn::Sqlite(tx) => {
                let locked = (**tx)
                    .lock_handle()
                    .await
                    .map_err(db("borrowing the SQLite connection"))?;
                let io = SqliteBatchIo::new(locked)?;
                // Ids are handed out above the largest: the batch's rows are those above it.
                let last_before: i64 = io
                    .conn
                    .query_row("SELECT COALESCE(MAX(id), 0) FROM services", [], |row| {
                        row.get(0)
                    })
                    .map_err(sqlite("inserting services"))?;
                let created = sqlite_rows_in_chunks(
                    &io.conn,
                    services,
                    SQLITE_SERVICES_PER_INSERT,
                    sqlite_insert_services,
                    |insert, chunk| {
                        insert.raw_bind_parameter(1, loan_transaction_id)?;
                        insert.raw_bind_parameter(2, label.as_str())?;
                        insert.raw_bind_parameter(3, now.as_str())?;
                        for (service, at) in chunk.iter().zip((4usize..).step_by(11)) {
                            let (national_code, cooperative_id) =
                                recipient_columns(&service.recipient);
                            insert.raw_bind_parameter(at, service.province.as_str())?;
                            insert.raw_bind_parameter(at + 1, service.county.as_str())?;
                            insert.raw_bind_parameter(at + 2, service.provider.kind().code())?;
                            insert.raw_bind_parameter(at + 3, service.provider.code())?;
                            insert.raw_bind_parameter(at + 4, service.reference.as_str())?;
                            insert.raw_bind_parameter(at + 5, service.kind.code())?;
                            insert.raw_bind_parameter(at + 6, national_code)?;
                            insert.raw_bind_parameter(at + 7, cooperative_id)?;
                            insert.raw_bind_parameter(at + 8, service.people)?;
                            insert.raw_bind_parameter(at + 9, service.amount_rial)?;
                            insert.raw_bind_parameter(at + 10, service.delivered_on.to_string())?;
                        }
                        Ok(())
                    },
                )
                .map_err(sqlite("inserting services"))?;
                if created == services.len() {
                    // Every row went in (an import's usual batch): summed from memory,
                    // keys borrowed from the batch, a statement per touched figure.
                    let mut figures: BTreeMap<FigureKey<'_>, (i64, i64)> = BTreeMap::new();
                    for service in services {
                        let sums = figures.entry(figure_key(service)).or_insert((0, 0));
                        sums.0 += 1;
                        sums.1 += service.people;
                    }
                    let mut add = io
                        .conn
                        .prepare(&ADD_TO_FIGURES.replace('$', "?"))
                        .map_err(sqlite("adding to the county figures"))?;
                    for ((province, county, provider_kind, provider_code, kind), (count, people)) in
                        &figures
                    {
                        add.execute(params![
                            province,
                            county,
                            provider_kind.code(),
                            provider_code,
                            kind.code(),
                            count,
                            people,
                        ])
                        .map_err(sqlite("adding to the county figures"))?;
                    }
                } else {
                    // Some references were recorded before: the rows that went in are
                    // read back by id and grouped.
                    io.conn
                        .execute(ADD_NEW_ROWS_TO_FIGURES, [last_before])
                        .map_err(sqlite("adding to the county figures"))?;
                }
                Ok(batch_of(
                    services.len(),
                    u64::try_from(created).unwrap_or(0),
                ))
            }
            Conn::Postgres(tx) => {
                let mut text: [Vec<String>; 7] = Default::default();
                let mut national_codes = Vec::with_capacity(services.len());
                let mut cooperatives = Vec::with_capacity(services.len());
                let mut people = Vec::with_capacity(services.len());
                let mut amounts = Vec::with_capacity(services.len());
                for service in services {
                    let (national_code, cooperative_id) = recipient_columns(&service.recipient);
                    text[0].push(service.province.clone());
                    text[1].push(service.county.clone());
                    text[2].push(service.provider.kind().code().to_owned());
                    text[3].push(service.provider.code().to_owned());
                    text[4].push(service.reference.clone());
                    text[5].push(service.kind.code().to_owned());
                    text[6].push(service.delivered_on.to_string());
                    national_codes.push(national_code.map(str::to_owned));
                    cooperatives.push(cooperative_id);
                    people.push(service.people);
                    amounts.push(service.amount_rial);
                }
                let [
                    provinces,
                    counties,
                    provider_kinds,
                    provider_codes,
                    references,
                    kinds,
                    days,
                ] = text;
                let created: i64 = sqlx::query(
                    "WITH inserted AS (INSERT INTO services (province, county, provider_kind, \
                     provider_code, reference, kind, national_code, cooperative_id, people, \
                     amount_rial, delivered_on, loan_transaction_id, recorded_by, recorded_at) \
                     SELECT r.*, $12, $13, $14 FROM UNNEST($1::text[], $2::text[], $3::text[], \
                     $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[], \
                     $9::bigint[], $10::bigint[], $11::text[]) AS r \
                     ON CONFLICT (provider_kind, provider_code, reference) DO NOTHING \
                     RETURNING province, county, provider_kind, provider_code, kind, people), \
                     added AS (INSERT INTO service_county_figures (province, county, \
                     provider_kind, provider_code, kind, services, people) \
                     SELECT province, county, provider_kind, provider_code, kind, COUNT(*), \
                     SUM(people) FROM inserted \
                     GROUP BY province, county, provider_kind, provider_code, kind \
                     ON CONFLICT (county, provider_kind, provider_code, kind) DO UPDATE SET \
                     services = service_county_figures.services + excluded.services, \
                     people = service_county_figures.people + excluded.people) \
                     SELECT COUNT(*) FROM inserted",
                )
                .bind(provinces)
                .bind(counties)
                .bind(provider_kinds)
                .bind(provider_codes)
                .bind(references)
                .bind(kinds)
                .bind(national_codes)
                .bind(cooperatives)
                .bind(people)
                .bind(amounts)
                .bind(days)
                .bind(loan_transaction_id)
                .bind(&label)
                .bind(&now)
                .fetch_one(&mut **tx)
                .await
                .and_then(|row| row.try_get(0))
                .map_err(db("inserting services"))?;
                Ok(batch_of(
                    services.len(),
                    u64::try_from(created).unwrap_or(0),
                ))
            }
        }
    }
}

impl Reader {
    /// The county figures, of one province or the nation: one row per county, provider
    /// and kind that has any service (a few thousand rows at most, whatever the number
    /// of services).
    pub async fn service_county_figures(
        &mut self,
        province: Option<&str>,
    ) -> Result<Vec<ServiceFigure>, StoreError> {
        let rows = on!(&mut self.conn, |c| sqlx::query(
            "SELECT province, county, provider_kind, provider_code, kind, services, people \
             FROM service_county_figures WHERE ($1 IS NULL OR province = $1) \
             ORDER BY county, provider_kind, provider_code, kind"
        )
        .bind(province)
        .fetch_all(c)
        .await
        .map_err(db("reading the county figures"))?
        .iter()
        .map(|row| {
            Ok((
                row.try_get::<String, _>(0)?,
                row.try_get::<String, _>(1)?,
                row.try_get::<String, _>(2)?,
                row.try_get::<String, _>(3)?,
                row.try_get::<String, _>(4)?,
                row.try_get::<i64, _>(5)?,
                row.try_get::<i64, _>(6)?,
            ))
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()
        .map_err(db("decoding the county figures"))?);
        rows.into_iter()
            .map(
                |(province, county, provider_kind, provider_code, kind, services, people)| {
                    let provider_kind = ProviderKind::parse(&provider_kind).ok_or_else(|| {
                        corrupt_row(
                            "service_county_figures",
                            &county,
                            "provider_kind",
                            &provider_kind,
                        )
                    })?;
                    let kind = ServiceKind::parse(&kind).ok_or_else(|| {
                        corrupt_row("service_county_figures", &county, "kind", &kind)
                    })?;
                    Ok(ServiceFigure {
                        provider: Provider::from_parts(provider_kind, &provider_code),
                        province,
                        county,
                        kind,
                        services,
                        people,
                    })
                },
            )
            .collect()
    }

    /// How many services are recorded (the figures' sum: no scan of the records).
    pub async fn service_count(&mut self) -> Result<i64, StoreError> {
        on!(&mut self.conn, |c| sqlx::query(
            "SELECT CAST(COALESCE(SUM(services), 0) AS BIGINT) FROM service_county_figures"
        )
        .fetch_one(c)
        .await
        .and_then(|row| row.try_get(0))
        .map_err(db("counting services")))
    }
}

fn recipient_columns(recipient: &Recipient) -> (Option<&str>, Option<i64>) {
    match recipient {
        Recipient::Person(code) => (Some(code.as_str()), None),
        Recipient::Cooperative(id) => (None, Some(*id)),
    }
}

fn figure_key(service: &NewService) -> FigureKey<'_> {
    (
        &service.province,
        &service.county,
        service.provider.kind(),
        service.provider.code(),
        service.kind,
    )
}

fn batch_of(len: usize, created: u64) -> ServiceBatch {
    let len = u64::try_from(len).unwrap_or(u64::MAX);
    ServiceBatch {
        created,
        unchanged: len.saturating_sub(created),
    }
}

fn corrupt_row(
    table: &'static str,
    id: impl ToString,
    column: &'static str,
    value: &str,
) -> StoreError {
    StoreError::CorruptRow {
        table,
        id: id.to_string(),
        column,
        value: value.to_owned(),
    }
}

/// A finished bulk import, about to be recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewServiceImport {
    pub provider: Provider,
    pub file_name: String,
    /// SHA-256 of the file's bytes, lower-case hex.
    pub content_sha256: String,
    pub rows: i64,
    pub created: i64,
    pub unchanged: i64,
}

/// A recorded bulk import.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceImport {
    pub id: i64,
    pub fields: NewServiceImport,
    pub imported_by: String,
    pub imported_at: String,
}

const SERVICE_IMPORT_COLUMNS: &str = "id, provider_kind, provider_code, file_name, \
     content_sha256, row_count, created_count, unchanged_count, imported_by, imported_at";

impl WriteTx {
    /// Records what an import did (its rows are already in); returns its id.
    pub async fn record_service_import(
        &mut self,
        import: &NewServiceImport,
    ) -> Result<i64, StoreError> {
        let label = self.actor.label();
        let now = self.now.to_string();
        let id: i64 = on!(self.conn(), |c| sqlx::query(
            "INSERT INTO service_imports (provider_kind, provider_code, file_name, \
             content_sha256, row_count, created_count, unchanged_count, imported_by, \
             imported_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id"
        )
        .bind(import.provider.kind().code())
        .bind(import.provider.code())
        .bind(&import.file_name)
        .bind(&import.content_sha256)
        .bind(import.rows)
        .bind(import.created)
        .bind(import.unchanged)
        .bind(&label)
        .bind(&now)
        .fetch_one(c)
        .await
        .and_then(|row| row.try_get(0))
        .map_err(db("recording a service import"))?);
        self.audit(AuditEntry::created(
            "service_import.create",
            "service_import",
            id,
            None,
            serde_json::json!({
                "provider_kind": import.provider.kind().code(),
                "provider": import.provider.code(),
                "file_name": import.file_name,
                "content_sha256": import.content_sha256,
                "rows": import.rows,
                "created": import.created,
                "unchanged": import.unchanged,
            }),
        ));
        Ok(id)
    }
}

impl Reader {
    /// One recorded import.
    pub async fn service_import(&mut self, id: i64) -> Result<Option<ServiceImport>, StoreError> {
        Ok(self.service_imports_where(Some(id), None, 1).await?.pop())
    }

    /// The newest imports, of one provider or all.
    pub async fn service_imports(
        &mut self,
        provider: Option<&Provider>,
        limit: i64,
    ) -> Result<Vec<ServiceImport>, StoreError> {
        self.service_imports_where(None, provider, limit).await
    }

    async fn service_imports_where(
        &mut self,
        id: Option<i64>,
        provider: Option<&Provider>,
        limit: i64,
    ) -> Result<Vec<ServiceImport>, StoreError> {
        let sql = format!(
            "SELECT {SERVICE_IMPORT_COLUMNS} FROM service_imports \
             WHERE ($1 IS NULL OR id = $1) AND ($2 IS NULL OR provider_kind = $2) \
             AND ($3 IS NULL OR provider_code = $3) ORDER BY id DESC LIMIT $4"
        );
        let rows = on!(&mut self.conn, |c| sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .bind(provider.map(|p| p.kind().code()))
            .bind(provider.map(Provider::code))
            .bind(limit)
            .fetch_all(c)
            .await
            .map_err(db("reading service imports"))?
            .iter()
            .map(|row| {
                Ok((
                    row.try_get::<i64, _>(0)?,
                    row.try_get::<String, _>(1)?,
                    row.try_get::<String, _>(2)?,
                    row.try_get::<String, _>(3)?,
                    row.try_get::<String, _>(4)?,
                    [
                        row.try_get::<i64, _>(5)?,
                        row.try_get::<i64, _>(6)?,
                        row.try_get::<i64, _>(7)?,
                    ],
                    row.try_get::<String, _>(8)?,
                    row.try_get::<String, _>(9)?,
                ))
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()
            .map_err(db("decoding service imports"))?);
        rows.into_iter()
            .map(
                |(
                    id,
                    kind,
                    code,
                    file_name,
                    content_sha256,
                    [rows, created, unchanged],
                    by,
                    at,
                )| {
                    let kind = ProviderKind::parse(&kind).ok_or_else(|| {
                        corrupt_row("service_imports", id, "provider_kind", &kind)
                    })?;
                    Ok(ServiceImport {
                        id,
                        fields: NewServiceImport {
                            provider: Provider::from_parts(kind, &code),
                            file_name,
                            content_sha256,
                            rows,
                            created,
                            unchanged,
                        },
                        imported_by: by,
                        imported_at: at,
                    })
                },
            )
            .collect()
    }
}
