//! The Social Security Organization's insured-worker lists, the hires borrowers report
//! for their loans, and each hire's verification (migration 0016).
//!
//! A list arrives as one upload: its record and the (workshop, month) pairs it covers
//! are written first, the rows it replaces deleted, then its rows inserted in batches,
//! all in the caller's one `WriteTx`. On SQLite the rows go through the transaction's own
//! handle with one prepared statement (the ledger's rusqlite path: sqlx's per-row
//! round trip to its worker thread would dominate); on PostgreSQL a batch is one
//! `INSERT … SELECT FROM UNNEST` of arrays, one round trip and six parameters however
//! many rows.

use rusqlite::params;
use sqlx::Row;
use taavon_core::calendar::{IsoDate, JalaliMonth};
use taavon_core::ids::{NationalCode, WorkshopCode};
use taavon_core::impact::{HireVerdict, InsuredMonth, InsuredRow};
use taavon_core::reference::ProvinceCode;
use taavon_core::registry::Gender;

use crate::StoreError;
use crate::audit::{Actor, AuditEntry};
use crate::conn::Conn;
use crate::error::{corrupt, db};
use crate::filter::{Value, bind_values};
use crate::insert::{ROWS_PER_STATEMENT, placeholders};
use crate::ledger::sqlite::SqliteBatchIo;
use crate::tx::{Reader, WriteTx};

/// The most list rows one `insert_insured_rows` call takes (bounds what a batch holds).
pub const INSURED_BATCH_MAX: usize = 10_000;

/// An upload about to be recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewInsuredUpload {
    pub file_name: String,
    /// SHA-256 of the file's bytes, lower-case hex.
    pub content_sha256: String,
    pub row_count: i64,
    pub first_month: JalaliMonth,
    pub last_month: JalaliMonth,
}

/// A recorded upload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InsuredUpload {
    pub id: i64,
    pub uploaded_by: String,
    pub uploaded_at: String,
    pub file_name: String,
    pub content_sha256: String,
    pub row_count: i64,
    pub workshop_count: i64,
    pub first_month: JalaliMonth,
    pub last_month: JalaliMonth,
}

/// How many rows one upload holds for one workshop in one month.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InsuredCoverage {
    pub workshop: WorkshopCode,
    pub month: JalaliMonth,
    pub row_count: i64,
}

/// What the stored lists hold, without a person in it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct InsuredCounts {
    pub rows: i64,
    pub workshops: i64,
    pub months: i64,
    pub uploads: i64,
}

/// A reported hire to record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewHire {
    pub national_code: NationalCode,
    pub workshop: Option<WorkshopCode>,
    pub disbursed_on: IsoDate,
    pub verdict: HireVerdict,
    pub woman: bool,
}

/// A reported hire with its verification and the inputs it was judged on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HireRow {
    pub loan_id: i64,
    pub national_code: NationalCode,
    pub province: ProvinceCode,
    pub report_id: i64,
    pub workshop: Option<WorkshopCode>,
    pub disbursed_on: IsoDate,
    pub verdict: HireVerdict,
    /// The list's gender in the last counted month is F (kept for candidates).
    pub woman: bool,
    /// The upload whose rows last decided the verdict; none when only a report did.
    pub upload_id: Option<i64>,
    pub verified_at: String,
}

/// A new verdict for a stored hire.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HireUpdate {
    pub loan_id: i64,
    pub national_code: NationalCode,
    pub verdict: HireVerdict,
    pub woman: bool,
    pub upload_id: Option<i64>,
}

/// A recorded job report (the first, or an amendment).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobReport {
    pub id: i64,
    pub loan_id: i64,
    pub amendment: bool,
    pub hire_count: i64,
    pub reported_by: String,
    pub reported_at: String,
}

/// Whose SSO workshop code is set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WorkshopHolder {
    Cooperative(i64),
    Client(i64),
    Loan(i64),
}

const HIRE_COLUMNS: &str = "loan_id, national_code, province, report_id, workshop, \
     disbursed_on, status, woman, upload_id, verified_at";

/// A hire's columns as stored, before they are decoded.
struct RawHire {
    loan_id: i64,
    national_code: String,
    province: String,
    report_id: i64,
    workshop: Option<String>,
    disbursed_on: String,
    status: String,
    woman: bool,
    upload_id: Option<i64>,
    verified_at: String,
}

/// Reads a `HIRE_COLUMNS` row on either engine.
macro_rules! hire_row {
    ($row:expr) => {
        (|| -> Result<RawHire, sqlx::Error> {
            Ok(RawHire {
                loan_id: $row.try_get(0)?,
                national_code: $row.try_get(1)?,
                province: $row.try_get(2)?,
                report_id: $row.try_get(3)?,
                workshop: $row.try_get(4)?,
                disbursed_on: $row.try_get(5)?,
                status: $row.try_get(6)?,
                woman: $row.try_get(7)?,
                upload_id: $row.try_get(8)?,
                verified_at: $row.try_get(9)?,
            })
        })()
        .map_err(db("reading a hire"))
        .and_then(RawHire::decode)
    };
}

/// Reads a `workshop, national_code, month, days, gender` row on either engine.
macro_rules! insured_month {
    ($row:expr) => {
        (|| -> Result<(String, String, String, i64, String), sqlx::Error> {
            Ok((
                $row.try_get(0)?,
                $row.try_get(1)?,
                $row.try_get(2)?,
                $row.try_get(3)?,
                $row.try_get(4)?,
            ))
        })()
        .map_err(db("reading insured rows"))
        .and_then(decode_insured_month)
    };
}

impl WriteTx {
    /// Runs `sql` over `items`, `ROWS_PER_STATEMENT` to a statement: `{rows}` in `sql`
    /// stands for the statement's rows of placeholders, each item bound as `row_of` gives
    /// its values.
    async fn execute_rows<T>(
        &mut self,
        sql: &str,
        items: &[T],
        row_of: impl Fn(&T) -> Vec<Value>,
        context: &'static str,
    ) -> Result<(), StoreError> {
        for chunk in items.chunks(ROWS_PER_STATEMENT) {
            let values: Vec<Value> = chunk.iter().flat_map(&row_of).collect();
            let columns = values.len() / chunk.len();
            let sql = sql.replace("{rows}", &placeholders(self.conn(), chunk.len(), columns));
            on!(self.conn(), |c| bind_values!(
                sqlx::query(sqlx::AssertSqlSafe(sql)),
                &values
            )
            .execute(c)
            .await
            .map(|_| ())
            .map_err(db(context))?);
        }
        Ok(())
    }

    /// Records an upload and what it covers, and deletes the rows it replaces: every row
    /// of a (workshop, month) pair the upload holds. Returns the upload's id; its rows
    /// follow through `insert_insured_rows`.
    pub async fn record_insured_upload(
        &mut self,
        upload: &NewInsuredUpload,
        coverage: &[InsuredCoverage],
    ) -> Result<i64, StoreError> {
        let (user_id, label) = (actor_user_id(&self.actor), self.actor.label());
        let now = self.now.to_string();
        let workshops = {
            let mut codes: Vec<&WorkshopCode> = coverage.iter().map(|c| &c.workshop).collect();
            codes.sort();
            codes.dedup();
            i64::try_from(codes.len()).unwrap_or(i64::MAX)
        };
        let id: i64 = on!(self.conn(), |c| sqlx::query(
            "INSERT INTO insured_uploads (uploaded_by_user_id, uploaded_by, uploaded_at, \
             file_name, content_sha256, row_count, workshop_count, first_month, last_month) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id"
        )
        .bind(user_id)
        .bind(&label)
        .bind(&now)
        .bind(&upload.file_name)
        .bind(&upload.content_sha256)
        .bind(upload.row_count)
        .bind(workshops)
        .bind(upload.first_month.to_string())
        .bind(upload.last_month.to_string())
        .fetch_one(c)
        .await
        .and_then(|row| row.try_get(0))
        .map_err(db("recording an insured-worker upload"))?);
        self.execute_rows(
            "INSERT INTO insured_upload_months (upload_id, workshop, month, row_count) \
             VALUES {rows}",
            coverage,
            |c| {
                vec![
                    Value::Int(id),
                    Value::Text(c.workshop.as_str().to_owned()),
                    Value::Text(c.month.to_string()),
                    Value::Int(c.row_count),
                ]
            },
            "recording what an upload covers",
        )
        .await?;
        // The workshop IN (…) lets SQLite walk the primary key by workshop instead of
        // scanning every list ever stored.
        on!(self.conn(), |c| sqlx::query(
            "DELETE FROM insured_rows WHERE workshop IN \
             (SELECT workshop FROM insured_upload_months WHERE upload_id = $1) \
             AND (workshop, month) IN \
             (SELECT workshop, month FROM insured_upload_months WHERE upload_id = $1)"
        )
        .bind(id)
        .execute(c)
        .await
        .map(|_| ())
        .map_err(db("deleting the rows an upload replaces"))?);
        self.audit(AuditEntry::created(
            "insured_upload.create",
            "insured_upload",
            id,
            None,
            serde_json::json!({
                "file_name": upload.file_name,
                "content_sha256": upload.content_sha256,
                "row_count": upload.row_count,
                "workshop_count": workshops,
                "first_month": upload.first_month.to_string(),
                "last_month": upload.last_month.to_string(),
            }),
        ));
        Ok(id)
    }

    /// Inserts one batch of an upload's rows (at most `INSURED_BATCH_MAX`). A row whose
    /// (workshop, national code, month) is already stored replaces it, and within a batch
    /// the last of repeated keys counts, so an upload is idempotent.
    pub async fn insert_insured_rows(
        &mut self,
        upload_id: i64,
        rows: &[InsuredRow],
    ) -> Result<(), StoreError> {
        if rows.len() > INSURED_BATCH_MAX {
            return Err(StoreError::BatchTooLarge {
                len: rows.len(),
                max: INSURED_BATCH_MAX,
            });
        }
        match self.conn() {
            Conn::Sqlite(tx) => {
                let locked = (**tx)
                    .lock_handle()
                    .await
                    .map_err(db("borrowing the SQLite connection"))?;
                let io = SqliteBatchIo::new(locked)?;
                let mut insert = io
                    .conn
                    .prepare(INSERT_INSURED_ROW)
                    .map_err(sqlite("inserting insured-worker rows"))?;
                for row in rows {
                    insert
                        .execute(params![
                            row.workshop.as_str(),
                            row.national_code.as_str(),
                            month_text(row.month).as_str(),
                            gender_code(row.gender),
                            i64::from(row.days),
                            upload_id,
                        ])
                        .map_err(sqlite("inserting insured-worker rows"))?;
                }
                Ok(())
            }
            Conn::Postgres(tx) => {
                let rows = last_of_each_key(rows);
                let mut columns: [Vec<String>; 4] = Default::default();
                let mut days = Vec::with_capacity(rows.len());
                for row in &rows {
                    columns[0].push(row.workshop.as_str().to_owned());
                    columns[1].push(row.national_code.as_str().to_owned());
                    columns[2].push(row.month.to_string());
                    columns[3].push(gender_code(row.gender).to_owned());
                    days.push(i64::from(row.days));
                }
                let [workshops, codes, months, genders] = columns;
                sqlx::query(
                    "INSERT INTO insured_rows (workshop, national_code, month, gender, days, \
                     upload_id) SELECT w, n, m, g, d, $6 FROM UNNEST($1::text[], $2::text[], \
                     $3::text[], $4::text[], $5::bigint[]) AS r(w, n, m, g, d) \
                     ON CONFLICT (workshop, national_code, month) DO UPDATE SET \
                     gender = excluded.gender, days = excluded.days, upload_id = excluded.upload_id",
                )
                .bind(workshops)
                .bind(codes)
                .bind(months)
                .bind(genders)
                .bind(days)
                .bind(upload_id)
                .execute(&mut **tx)
                .await
                .map_err(db("inserting insured-worker rows"))?;
                Ok(())
            }
        }
    }

    /// Sets (or clears) a borrower's or a contract's SSO workshop code; false when there
    /// is no such record.
    pub async fn set_workshop_code(
        &mut self,
        holder: WorkshopHolder,
        code: Option<&WorkshopCode>,
    ) -> Result<bool, StoreError> {
        let (table, entity, id) = match holder {
            WorkshopHolder::Cooperative(id) => ("cooperatives", "cooperative", id),
            WorkshopHolder::Client(id) => ("clients", "client", id),
            WorkshopHolder::Loan(id) => ("loans", "loan", id),
        };
        let sql = format!("UPDATE {table} SET workshop_code = $1 WHERE id = $2 RETURNING province");
        let province: Option<String> = on!(self.conn(), |c| sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(code.map(WorkshopCode::as_str))
            .bind(id)
            .fetch_optional(c)
            .await
            .and_then(|row| row.map(|row| row.try_get(0)).transpose())
            .map_err(db("setting a workshop code"))?);
        let Some(province) = province else {
            return Ok(false);
        };
        self.audit(AuditEntry {
            action: "workshop_code.set",
            entity,
            entity_id: id.to_string(),
            province: Some(province),
            before: None,
            after: Some(serde_json::json!({ "workshop_code": code.map(WorkshopCode::as_str) })),
        });
        Ok(true)
    }

    /// Records a job report (or an amendment) of `hire_count` hires for a loan.
    pub async fn record_job_report(
        &mut self,
        loan_id: i64,
        province: &ProvinceCode,
        amendment: bool,
        hires: &[NewHire],
    ) -> Result<i64, StoreError> {
        let (user_id, label) = (actor_user_id(&self.actor), self.actor.label());
        let now = self.now.to_string();
        let kind = if amendment { "amendment" } else { "report" };
        let hire_count = i64::try_from(hires.len()).unwrap_or(i64::MAX);
        let id: i64 = on!(self.conn(), |c| {
            sqlx::query(
            "INSERT INTO job_reports (province, loan_id, kind, hire_count, reported_by_user_id, \
             reported_by, reported_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id"
        )
        .bind(province.as_str())
        .bind(loan_id)
        .bind(kind)
        .bind(hire_count)
        .bind(user_id)
        .bind(&label)
        .bind(&now)
        .fetch_one(c)
        .await
        .and_then(|row| row.try_get(0))
        .map_err(db("recording a job report"))?
        });
        self.audit(AuditEntry::created(
            if amendment {
                "job_report.amend"
            } else {
                "job_report.create"
            },
            "job_report",
            id,
            Some(province.as_str()),
            serde_json::json!({
                "loan_id": loan_id,
                "national_codes": hires.iter().map(|h| h.national_code.as_str()).collect::<Vec<_>>(),
            }),
        ));
        Ok(id)
    }

    /// Records hires of a report; a hire already reported for the loan is left as it is.
    pub async fn insert_hires(
        &mut self,
        loan_id: i64,
        province: &ProvinceCode,
        report_id: i64,
        hires: &[NewHire],
    ) -> Result<(), StoreError> {
        let now = self.now.to_string();
        self.execute_rows(
            &format!(
                "INSERT INTO loan_hires ({HIRE_COLUMNS}) VALUES {{rows}} \
                 ON CONFLICT (loan_id, national_code) DO NOTHING"
            ),
            hires,
            |h| {
                vec![
                    Value::Int(loan_id),
                    Value::Text(h.national_code.as_str().to_owned()),
                    Value::Text(province.as_str().to_owned()),
                    Value::Int(report_id),
                    Value::OptionalText(h.workshop.as_ref().map(|w| w.as_str().to_owned())),
                    Value::Text(h.disbursed_on.to_string()),
                    Value::Text(h.verdict.code().to_owned()),
                    Value::Bool(h.woman),
                    Value::OptionalInt(None),
                    Value::Text(now.clone()),
                ]
            },
            "recording reported hires",
        )
        .await
    }

    /// Removes hires from a loan's report (an amendment that leaves them out).
    pub async fn remove_hires(
        &mut self,
        loan_id: i64,
        national_codes: &[NationalCode],
    ) -> Result<(), StoreError> {
        for code in national_codes {
            on!(self.conn(), |c| sqlx::query(
                "DELETE FROM loan_hires WHERE loan_id = $1 AND national_code = $2"
            )
            .bind(loan_id)
            .bind(code.as_str())
            .execute(c)
            .await
            .map(|_| ())
            .map_err(db("removing reported hires"))?);
        }
        Ok(())
    }

    /// Writes new verdicts. Derived data: the list or report that caused them carries the
    /// audit entry.
    pub async fn update_hire_verdicts(&mut self, updates: &[HireUpdate]) -> Result<(), StoreError> {
        let now = self.now.to_string();
        // `VALUES` names its columns column1… on both engines.
        self.execute_rows(
            "UPDATE loan_hires SET status = v.column3, woman = v.column4, \
             upload_id = v.column5, verified_at = v.column6 FROM (VALUES {rows}) AS v \
             WHERE loan_hires.loan_id = v.column1 AND loan_hires.national_code = v.column2",
            updates,
            |u| {
                vec![
                    Value::Int(u.loan_id),
                    Value::Text(u.national_code.as_str().to_owned()),
                    Value::Text(u.verdict.code().to_owned()),
                    Value::Bool(u.woman),
                    Value::OptionalInt(u.upload_id),
                    Value::Text(now.clone()),
                ]
            },
            "updating hire verdicts",
        )
        .await
    }

    /// Points a loan's hires at its (new) workshop code.
    pub async fn set_hires_workshop(
        &mut self,
        loan_id: i64,
        workshop: Option<&WorkshopCode>,
    ) -> Result<(), StoreError> {
        on!(self.conn(), |c| sqlx::query(
            "UPDATE loan_hires SET workshop = $1 WHERE loan_id = $2"
        )
        .bind(workshop.map(WorkshopCode::as_str))
        .bind(loan_id)
        .execute(c)
        .await
        .map(|_| ())
        .map_err(db("setting the workshop of a loan's hires"))?);
        Ok(())
    }
}

/// Runs a query returning rows on either engine and decodes each with `$decode`
/// (a macro name), inside the engine's arm where the row type is known.
macro_rules! fetch_decoded {
    ($conn:expr, $query:expr, $context:literal, $decode:ident) => {
        on!($conn, |c| {
            let rows = $query.fetch_all(c).await.map_err(db($context))?;
            rows.iter()
                .map(|row| $decode!(row))
                .collect::<Result<Vec<_>, StoreError>>()?
        })
    };
}

/// Reads a job report row on either engine.
macro_rules! job_report_row {
    ($row:expr) => {
        (|| -> Result<JobReport, sqlx::Error> {
            let kind: String = $row.try_get(2)?;
            Ok(JobReport {
                id: $row.try_get(0)?,
                loan_id: $row.try_get(1)?,
                amendment: kind == "amendment",
                hire_count: $row.try_get(3)?,
                reported_by: $row.try_get(4)?,
                reported_at: $row.try_get(5)?,
            })
        })()
        .map_err(db("reading job reports"))
    };
}

/// Reads an upload row on either engine.
macro_rules! upload_row {
    ($row:expr) => {
        (|| -> Result<RawUpload, sqlx::Error> {
            Ok((
                $row.try_get(0)?,
                $row.try_get(1)?,
                $row.try_get(2)?,
                $row.try_get(3)?,
                $row.try_get(4)?,
                $row.try_get(5)?,
                $row.try_get(6)?,
                $row.try_get(7)?,
                $row.try_get(8)?,
            ))
        })()
        .map_err(db("reading uploads"))
        .and_then(decode_upload)
    };
}

impl Reader {
    /// A loan's workshop code, and its borrower's on the registry.
    pub async fn loan_workshop(
        &mut self,
        loan_id: i64,
    ) -> Result<(Option<WorkshopCode>, Option<WorkshopCode>), StoreError> {
        let codes: Option<(Option<String>, Option<String>)> = on!(&mut self.conn, |c| sqlx::query(
            "SELECT l.workshop_code, COALESCE(co.workshop_code, cl.workshop_code) FROM loans l \
             LEFT JOIN cooperatives co ON co.id = l.cooperative_id \
             LEFT JOIN clients cl ON cl.id = l.client_id WHERE l.id = $1"
        )
        .bind(loan_id)
        .fetch_optional(c)
        .await
        .and_then(|row| row
            .map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
            .transpose())
        .map_err(db("reading a loan's workshop"))?);
        let Some((contract, borrower)) = codes else {
            return Ok((None, None));
        };
        Ok((
            contract.as_deref().map(workshop).transpose()?,
            borrower.as_deref().map(workshop).transpose()?,
        ))
    }

    /// A borrower's loans, each with its contract's workshop code and the borrower's
    /// code on the registry.
    pub async fn borrower_loan_workshops(
        &mut self,
        holder: WorkshopHolder,
    ) -> Result<Vec<(i64, Option<WorkshopCode>, Option<WorkshopCode>)>, StoreError> {
        let (column, id) = match holder {
            WorkshopHolder::Cooperative(id) => ("cooperative_id", id),
            WorkshopHolder::Client(id) => ("client_id", id),
            WorkshopHolder::Loan(id) => ("id", id),
        };
        let sql = format!(
            "SELECT l.id, l.workshop_code, COALESCE(co.workshop_code, cl.workshop_code) \
             FROM loans l LEFT JOIN cooperatives co ON co.id = l.cooperative_id \
             LEFT JOIN clients cl ON cl.id = l.client_id WHERE l.{column} = $1 ORDER BY l.id"
        );
        let raw: Vec<(i64, Option<String>, Option<String>)> =
            on!(&mut self.conn, |c| sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(id)
                .fetch_all(c)
                .await
                .map_err(db("reading a borrower's loans"))?
                .iter()
                .map(|row| Ok((row.try_get(0)?, row.try_get(1)?, row.try_get(2)?)))
                .collect::<Result<_, sqlx::Error>>()
                .map_err(db("reading a borrower's loans"))?);
        raw.into_iter()
            .map(|(loan_id, contract, borrower)| {
                Ok((
                    loan_id,
                    contract.as_deref().map(workshop).transpose()?,
                    borrower.as_deref().map(workshop).transpose()?,
                ))
            })
            .collect()
    }

    /// The business day of a loan's first disbursement not reversed, if any.
    pub async fn first_disbursement(
        &mut self,
        loan_id: i64,
    ) -> Result<Option<IsoDate>, StoreError> {
        let day: Option<String> = on!(&mut self.conn, |c| sqlx::query(
            "SELECT MIN(business_on) FROM loan_transactions t WHERE t.loan_id = $1 \
             AND t.kind = 'disbursement' \
             AND NOT EXISTS (SELECT 1 FROM loan_transactions r WHERE r.reverses = t.id)"
        )
        .bind(loan_id)
        .fetch_one(c)
        .await
        .and_then(|row| row.try_get(0))
        .map_err(db("reading a loan's first disbursement"))?);
        day.as_deref()
            .map(|text| {
                IsoDate::parse(text)
                    .map_err(|_| corrupt(format!("loan {loan_id}: disbursed on {text}")))
            })
            .transpose()
    }

    /// A loan's hires, by national code.
    pub async fn loan_hires(&mut self, loan_id: i64) -> Result<Vec<HireRow>, StoreError> {
        let sql = format!(
            "SELECT {HIRE_COLUMNS} FROM loan_hires WHERE loan_id = $1 ORDER BY national_code"
        );
        Ok(fetch_decoded!(
            &mut self.conn,
            sqlx::query(sqlx::AssertSqlSafe(sql)).bind(loan_id),
            "reading a loan's hires",
            hire_row
        ))
    }

    /// A loan's job reports, oldest first.
    pub async fn job_reports(&mut self, loan_id: i64) -> Result<Vec<JobReport>, StoreError> {
        Ok(fetch_decoded!(
            &mut self.conn,
            sqlx::query(
                "SELECT id, loan_id, kind, hire_count, reported_by, reported_at FROM job_reports \
                 WHERE loan_id = $1 ORDER BY id"
            )
            .bind(loan_id),
            "reading job reports",
            job_report_row
        ))
    }

    /// The hires at the workshops an upload covers (those whose verdict the upload may
    /// change, the claim competitors of their people aside), a page of people at a time:
    /// every such hire of the first `people` national codes after `after`, so a national
    /// upload is verified in bounded memory and a person is never split between pages.
    pub async fn hires_at_upload_workshops(
        &mut self,
        upload_id: i64,
        after: Option<&NationalCode>,
        people: i64,
    ) -> Result<Vec<HireRow>, StoreError> {
        let sql = format!(
            "SELECT {HIRE_COLUMNS} FROM loan_hires WHERE national_code IN \
             (SELECT DISTINCT national_code FROM loan_hires WHERE workshop IN \
             (SELECT workshop FROM insured_upload_months WHERE upload_id = $1) \
             AND national_code > $2 ORDER BY national_code LIMIT $3) \
             AND workshop IN (SELECT workshop FROM insured_upload_months WHERE upload_id = $1) \
             ORDER BY national_code, loan_id"
        );
        Ok(fetch_decoded!(
            &mut self.conn,
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(upload_id)
                .bind(after.map_or("", NationalCode::as_str))
                .bind(people),
            "reading the hires an upload touches",
            hire_row
        ))
    }

    /// Every hire of these people, nationwide (the claims on each person).
    pub async fn hires_of_people(
        &mut self,
        national_codes: &[NationalCode],
    ) -> Result<Vec<HireRow>, StoreError> {
        let mut found = Vec::new();
        for chunk in national_codes.chunks(ROWS_PER_STATEMENT * 4) {
            let marks = placeholders(&self.conn, chunk.len(), 1);
            let sql = format!(
                "SELECT {HIRE_COLUMNS} FROM loan_hires WHERE national_code IN ({})",
                marks.replace(['(', ')'], "")
            );
            let values: Vec<Value> = chunk
                .iter()
                .map(|code| Value::Text(code.as_str().to_owned()))
                .collect();
            found.extend(fetch_decoded!(
                &mut self.conn,
                bind_values!(sqlx::query(sqlx::AssertSqlSafe(sql)), &values),
                "reading the hires of people",
                hire_row
            ));
        }
        Ok(found)
    }

    /// The listed months of these people at these workshops, from `first` on.
    pub async fn insured_months(
        &mut self,
        people: &[(WorkshopCode, NationalCode)],
        first: JalaliMonth,
    ) -> Result<Vec<(WorkshopCode, NationalCode, InsuredMonth)>, StoreError> {
        let mut found = Vec::new();
        for chunk in people.chunks(ROWS_PER_STATEMENT * 2) {
            let last = match self.conn {
                // Anonymous placeholders bind by position on SQLite (see `placeholders`).
                Conn::Sqlite(_) => "?".to_owned(),
                Conn::Postgres(_) => format!("${}", chunk.len() * 2 + 1),
            };
            let sql = format!(
                "SELECT workshop, national_code, month, days, gender FROM insured_rows \
                 WHERE (workshop, national_code) IN (VALUES {}) AND month >= {last}",
                placeholders(&self.conn, chunk.len(), 2),
            );
            let mut values: Vec<Value> = chunk
                .iter()
                .flat_map(|(w, n)| {
                    [
                        Value::Text(w.as_str().to_owned()),
                        Value::Text(n.as_str().to_owned()),
                    ]
                })
                .collect();
            values.push(Value::Text(first.to_string()));
            found.extend(fetch_decoded!(
                &mut self.conn,
                bind_values!(sqlx::query(sqlx::AssertSqlSafe(sql)), &values),
                "reading insured months",
                insured_month
            ));
        }
        Ok(found)
    }

    /// Hires of a province whose verdict is a fraud signal (insured before, claimed
    /// elsewhere), by loan.
    pub async fn fraud_signals(
        &mut self,
        province: &ProvinceCode,
        limit: i64,
    ) -> Result<Vec<HireRow>, StoreError> {
        let sql = format!(
            "SELECT {HIRE_COLUMNS} FROM loan_hires WHERE province = $1 \
             AND status IN ('insured_before', 'claimed_elsewhere') \
             ORDER BY loan_id, national_code LIMIT $2"
        );
        Ok(fetch_decoded!(
            &mut self.conn,
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(province.as_str())
                .bind(limit),
            "reading fraud signals",
            hire_row
        ))
    }

    /// How much the stored lists hold.
    pub async fn insured_counts(&mut self) -> Result<InsuredCounts, StoreError> {
        let counts: (i64, i64, i64, i64) = on!(&mut self.conn, |c| sqlx::query(
            "SELECT (SELECT COUNT(*) FROM insured_rows), \
             (SELECT COUNT(DISTINCT workshop) FROM insured_upload_months), \
             (SELECT COUNT(DISTINCT month) FROM insured_upload_months), \
             (SELECT COUNT(*) FROM insured_uploads)"
        )
        .fetch_one(c)
        .await
        .and_then(|row| Ok((
            row.try_get(0)?,
            row.try_get(1)?,
            row.try_get(2)?,
            row.try_get(3)?
        )))
        .map_err(db("counting the insured-worker lists"))?);
        Ok(InsuredCounts {
            rows: counts.0,
            workshops: counts.1,
            months: counts.2,
            uploads: counts.3,
        })
    }

    /// One workshop's stored rows, by national code and month.
    pub async fn insured_rows_of_workshop(
        &mut self,
        workshop: &WorkshopCode,
        limit: i64,
    ) -> Result<Vec<InsuredRow>, StoreError> {
        let months = fetch_decoded!(
            &mut self.conn,
            sqlx::query(
                "SELECT workshop, national_code, month, days, gender FROM insured_rows \
                 WHERE workshop = $1 ORDER BY national_code, month LIMIT $2"
            )
            .bind(workshop.as_str())
            .bind(limit),
            "reading insured rows",
            insured_month
        );
        Ok(months
            .into_iter()
            .map(|(workshop, national_code, month)| InsuredRow {
                workshop,
                national_code,
                gender: month.gender,
                month: month.month,
                days: month.days,
            })
            .collect())
    }

    /// The uploads, newest first.
    pub async fn insured_uploads(&mut self, limit: i64) -> Result<Vec<InsuredUpload>, StoreError> {
        Ok(fetch_decoded!(
            &mut self.conn,
            sqlx::query(
                "SELECT id, uploaded_by, uploaded_at, file_name, content_sha256, row_count, \
                 workshop_count, first_month, last_month FROM insured_uploads \
                 ORDER BY id DESC LIMIT $1"
            )
            .bind(limit),
            "reading uploads",
            upload_row
        ))
    }

    /// One upload (an idempotent retry answers the upload its first request stored).
    pub async fn insured_upload(&mut self, id: i64) -> Result<Option<InsuredUpload>, StoreError> {
        Ok(fetch_decoded!(
            &mut self.conn,
            sqlx::query(
                "SELECT id, uploaded_by, uploaded_at, file_name, content_sha256, row_count, \
                 workshop_count, first_month, last_month FROM insured_uploads WHERE id = $1"
            )
            .bind(id),
            "reading an upload",
            upload_row
        )
        .into_iter()
        .next())
    }
}

type RawUpload = (
    i64,
    String,
    String,
    String,
    String,
    i64,
    i64,
    String,
    String,
);

fn decode_upload(raw: RawUpload) -> Result<InsuredUpload, StoreError> {
    let (
        id,
        uploaded_by,
        uploaded_at,
        file_name,
        content_sha256,
        row_count,
        workshop_count,
        first,
        last,
    ) = raw;
    let month = |text: &str| {
        JalaliMonth::parse(text).map_err(|_| corrupt(format!("insured_uploads {id}: month {text}")))
    };
    Ok(InsuredUpload {
        id,
        uploaded_by,
        uploaded_at,
        file_name,
        content_sha256,
        row_count,
        workshop_count,
        first_month: month(&first)?,
        last_month: month(&last)?,
    })
}

/// Upsert of one list row (SQLite's prepared statement; the same columns as PostgreSQL's).
const INSERT_INSURED_ROW: &str = "INSERT INTO insured_rows (workshop, national_code, month, \
     gender, days, upload_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
     ON CONFLICT (workshop, national_code, month) DO UPDATE SET gender = excluded.gender, \
     days = excluded.days, upload_id = excluded.upload_id";

fn actor_user_id(actor: &Actor) -> Option<i64> {
    match actor {
        Actor::User { id, .. } => Some(*id),
        Actor::System { .. } => None,
    }
}

pub(crate) fn gender_code(gender: Gender) -> &'static str {
    match gender {
        Gender::Female => "F",
        Gender::Male => "M",
    }
}

fn month_text(month: JalaliMonth) -> String {
    month.to_string()
}

/// The rows with each (workshop, national code, month) once, the last given kept:
/// PostgreSQL refuses an upsert that would touch one row twice in a statement.
fn last_of_each_key(rows: &[InsuredRow]) -> Vec<&InsuredRow> {
    let mut keyed: Vec<(usize, &InsuredRow)> = rows.iter().enumerate().collect();
    keyed.sort_by(|(i, a), (j, b)| {
        (&a.workshop, &a.national_code, a.month)
            .cmp(&(&b.workshop, &b.national_code, b.month))
            .then(j.cmp(i))
    });
    keyed.dedup_by(|(_, later), (_, kept)| {
        (&later.workshop, &later.national_code, later.month)
            == (&kept.workshop, &kept.national_code, kept.month)
    });
    keyed.into_iter().map(|(_, row)| row).collect()
}

fn workshop(text: &str) -> Result<WorkshopCode, StoreError> {
    WorkshopCode::parse(text).map_err(|_| corrupt(format!("workshop code {text}")))
}

fn national_code(text: &str) -> Result<NationalCode, StoreError> {
    NationalCode::parse(text).map_err(|_| corrupt(format!("national code {text}")))
}

impl RawHire {
    fn decode(self) -> Result<HireRow, StoreError> {
        let at = |what: &str| {
            corrupt(format!(
                "loan_hires ({}, {}): {what}",
                self.loan_id, self.national_code
            ))
        };
        Ok(HireRow {
            loan_id: self.loan_id,
            national_code: national_code(&self.national_code)?,
            province: ProvinceCode::parse(&self.province).map_err(|_| at("province"))?,
            report_id: self.report_id,
            workshop: self.workshop.as_deref().map(workshop).transpose()?,
            disbursed_on: IsoDate::parse(&self.disbursed_on).map_err(|_| at("disbursed_on"))?,
            verdict: HireVerdict::parse(&self.status).ok_or_else(|| at("status"))?,
            woman: self.woman,
            upload_id: self.upload_id,
            verified_at: self.verified_at,
        })
    }
}

fn decode_insured_month(
    (workshop_text, code, month, days, gender): (String, String, String, i64, String),
) -> Result<(WorkshopCode, NationalCode, InsuredMonth), StoreError> {
    Ok((
        workshop(&workshop_text)?,
        national_code(&code)?,
        InsuredMonth {
            month: JalaliMonth::parse(&month)
                .map_err(|_| corrupt(format!("insured month {month}")))?,
            days: u8::try_from(days).map_err(|_| corrupt(format!("insured days {days}")))?,
            gender: match gender.as_str() {
                "F" => Gender::Female,
                "M" => Gender::Male,
                other => return Err(corrupt(format!("insured gender {other}"))),
            },
        },
    ))
}

pub(crate) fn sqlite(context: &'static str) -> impl FnOnce(rusqlite::Error) -> StoreError {
    move |source| StoreError::Sqlite { context, source }
}
