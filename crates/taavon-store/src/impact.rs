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
//!
//! Verification reads and writes the same way: on SQLite one prepared statement run per
//! person or hire on the transaction's handle, on PostgreSQL one statement over arrays per
//! page of people. A national list touches every hire in the country, so the hires at its
//! workshops' people are first copied, once, into a temporary table keyed by person
//! (`stage_upload_people`), which its pages then read by key: finding each page again in
//! `loan_hires` had cost a pass over every touched hire per page.

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
use crate::insert::{ROWS_PER_STATEMENT, placeholders, sqlite_rows_in_chunks};
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

/// One claim on a person of an upload's page (`upload_page`): the hire, whether the
/// upload touches it (it was staged: it is at one of the upload's workshops), and for a
/// touched hire with a workshop its listed months there in the range asked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageClaim {
    pub hire: HireRow,
    pub touched: bool,
    pub months: Vec<InsuredMonth>,
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

/// `HIRE_COLUMNS` of `loan_hires h`.
const HIRE_PREFIXED: &str = "h.loan_id, h.national_code, h.province, h.report_id, h.workshop, \
     h.disbursed_on, h.status, h.woman, h.upload_id, h.verified_at";

/// Whether a claim `h` is at a workshop the upload (`?5`) covers, its verdict the
/// upload's to change (SQLite's `upload_page`): one hashed set of the upload's workshops
/// per statement.
const TOUCHED: &str = "(h.workshop IN (SELECT workshop FROM insured_upload_months \
     WHERE upload_id = ?5) IS TRUE)";

/// The staged people's columns (`stage_upload_people`): a person and the span of the
/// disbursements of their hires at the upload's workshops.
const STAGED_COLUMNS: &str = "national_code TEXT NOT NULL, \
     first_disbursed TEXT NOT NULL, last_disbursed TEXT NOT NULL";

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
    /// follow through `insert_insured_rows`. (An import that learns what it covers as it
    /// reads uses the three steps apart: `start_insured_upload`, `replace_insured_pairs`
    /// per batch, `finish_insured_upload`.)
    pub async fn record_insured_upload(
        &mut self,
        upload: &NewInsuredUpload,
        coverage: &[InsuredCoverage],
    ) -> Result<i64, StoreError> {
        let id = self.start_insured_upload(&upload.file_name).await?;
        let pairs: Vec<(&WorkshopCode, JalaliMonth)> =
            coverage.iter().map(|c| (&c.workshop, c.month)).collect();
        self.replace_insured_pairs(&pairs).await?;
        self.finish_insured_upload(id, upload, coverage).await?;
        Ok(id)
    }

    /// Records an upload whose rows are about to be read: its uploader and file name,
    /// with no rows yet (`finish_insured_upload` writes what it held). Returns its id.
    pub async fn start_insured_upload(&mut self, file_name: &str) -> Result<i64, StoreError> {
        let (user_id, label) = (actor_user_id(&self.actor), self.actor.label());
        let now = self.now.to_string();
        let id: i64 = on!(self.conn(), |c| sqlx::query(
            "INSERT INTO insured_uploads (uploaded_by_user_id, uploaded_by, uploaded_at, \
             file_name, content_sha256, row_count, workshop_count, first_month, last_month) \
             VALUES ($1, $2, $3, $4, '', 0, 0, '', '') RETURNING id"
        )
        .bind(user_id)
        .bind(&label)
        .bind(&now)
        .bind(file_name)
        .fetch_one(c)
        .await
        .and_then(|row| row.try_get(0))
        .map_err(db("recording an insured-worker upload"))?);
        if let Conn::Postgres(tx) = self.conn() {
            // A batch's delete of the pairs it replaces is estimated dear on a list of
            // millions of rows (each pair walks its workshop in the primary key), dear
            // enough to be compiled (JIT) every batch, which cost more than the delete.
            // Each batch's statements are planned afresh: the list grows within this
            // transaction, and a plan cached from the first batches (a sequential scan
            // of a list then small) made every later delete read the whole list. Fresh
            // plans alone were not enough: the statistics still describe the list as it
            // was before this transaction (an empty one: 20 rows), so each pair was still
            // looked up by a sequential scan of the growing list (auto_explain: 2.3 s a
            // batch and rising at 2M rows). Every statement here is keyed, so sequential
            // scans are priced out. The settings end with the transaction.
            for sql in [
                "SET LOCAL jit = off",
                "SET LOCAL plan_cache_mode = force_custom_plan",
                "SET LOCAL enable_seqscan = off",
            ] {
                sqlx::query(sql)
                    .execute(&mut **tx)
                    .await
                    .map_err(db("recording an insured-worker upload"))?;
            }
        }
        Ok(id)
    }

    /// Deletes the stored rows of these (workshop, month) pairs: a list replaces, for
    /// each pair it holds, the rows stored before. Called with a batch's pairs not seen
    /// before in the upload, before the batch's rows are written.
    pub async fn replace_insured_pairs(
        &mut self,
        pairs: &[(&WorkshopCode, JalaliMonth)],
    ) -> Result<(), StoreError> {
        const CONTEXT: &str = "deleting the rows an upload replaces";
        if pairs.is_empty() {
            return Ok(());
        }
        match self.conn() {
            Conn::Sqlite(tx) => {
                let io = sqlite_io(tx).await?;
                // The primary key's prefix (the workshop), then its month.
                let mut delete = io
                    .conn
                    .prepare("DELETE FROM insured_rows WHERE workshop = ?1 AND month = ?2")
                    .map_err(sqlite(CONTEXT))?;
                for (workshop, month) in pairs {
                    let month = MonthText::of(*month);
                    delete
                        .execute(params![workshop.as_str(), month.as_str()])
                        .map_err(sqlite(CONTEXT))?;
                }
            }
            Conn::Postgres(tx) => {
                let (workshops, months): (Vec<&str>, Vec<String>) = pairs
                    .iter()
                    .map(|(workshop, month)| (workshop.as_str(), month.to_string()))
                    .unzip();
                // Each pair walks its workshop in the primary key (`OFFSET 0` keeps the
                // lateral read a parameterised index scan) and the rows found are deleted
                // by their tuple ids. A join of the pairs to the list was planned as a hash
                // join over a sequential scan of the whole list, every batch: an import
                // writes into a list whose figures (taken when it was smaller, or empty)
                // do not know the rows the transaction has added, and it grew quadratic.
                sqlx::query(
                    "DELETE FROM insured_rows WHERE ctid = ANY (ARRAY(SELECT x.ctid \
                     FROM UNNEST($1::text[], $2::text[]) AS p(w, m) CROSS JOIN LATERAL \
                     (SELECT r.ctid FROM insured_rows r WHERE r.workshop = p.w \
                     AND r.month = p.m OFFSET 0) x))",
                )
                .bind(workshops)
                .bind(months)
                .execute(&mut **tx)
                .await
                .map_err(db(CONTEXT))?;
            }
        }
        Ok(())
    }

    /// Completes an upload begun with `start_insured_upload`: what it held (its hash,
    /// rows and months), the (workshop, month) pairs it covers, and its audit entry.
    pub async fn finish_insured_upload(
        &mut self,
        id: i64,
        upload: &NewInsuredUpload,
        coverage: &[InsuredCoverage],
    ) -> Result<(), StoreError> {
        let workshops = {
            let mut codes: Vec<&WorkshopCode> = coverage.iter().map(|c| &c.workshop).collect();
            codes.sort();
            codes.dedup();
            i64::try_from(codes.len()).unwrap_or(i64::MAX)
        };
        on!(self.conn(), |c| sqlx::query(
            "UPDATE insured_uploads SET content_sha256 = $2, row_count = $3, \
             workshop_count = $4, first_month = $5, last_month = $6 WHERE id = $1"
        )
        .bind(id)
        .bind(&upload.content_sha256)
        .bind(upload.row_count)
        .bind(workshops)
        .bind(upload.first_month.to_string())
        .bind(upload.last_month.to_string())
        .execute(c)
        .await
        .map(|_| ())
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
        Ok(())
    }

    /// Inserts one batch of an upload's rows (at most `INSURED_BATCH_MAX`). A row whose
    /// (workshop, national code, month) is already stored replaces it, and within a batch
    /// the last of repeated keys counts, so an upload is idempotent.
    pub async fn insert_insured_rows(
        &mut self,
        upload_id: i64,
        rows: &[InsuredRow],
    ) -> Result<(), StoreError> {
        const CONTEXT: &str = "inserting insured-worker rows";
        if rows.len() > INSURED_BATCH_MAX {
            return Err(StoreError::BatchTooLarge {
                len: rows.len(),
                max: INSURED_BATCH_MAX,
            });
        }
        match self.conn() {
            Conn::Sqlite(tx) => {
                let io = sqlite_io(tx).await?;
                sqlite_rows_in_chunks(
                    &io.conn,
                    rows,
                    SQLITE_ROWS_PER_INSERT,
                    sqlite_insert_rows,
                    |insert, chunk| {
                        insert.raw_bind_parameter(1, upload_id)?;
                        for (row, at) in chunk.iter().zip((2usize..).step_by(5)) {
                            let month = MonthText::of(row.month);
                            insert.raw_bind_parameter(at, row.workshop.as_str())?;
                            insert.raw_bind_parameter(at + 1, row.national_code.as_str())?;
                            insert.raw_bind_parameter(at + 2, month.as_str())?;
                            insert.raw_bind_parameter(at + 3, gender_code(row.gender))?;
                            insert.raw_bind_parameter(at + 4, i64::from(row.days))?;
                        }
                        Ok(())
                    },
                )
                .map_err(sqlite(CONTEXT))?;
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
                .map_err(db(CONTEXT))?;
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
        self.loan_figures_changed(loan_id);
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
        self.loan_figures_changed(loan_id);
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
        const CONTEXT: &str = "updating hire verdicts";
        for u in updates {
            self.loan_figures_changed(u.loan_id);
        }
        let now = self.now.to_string();
        match self.conn() {
            Conn::Sqlite(tx) => {
                let io = sqlite_io(tx).await?;
                let mut update = io
                    .conn
                    .prepare(
                        "UPDATE loan_hires SET status = ?3, woman = ?4, upload_id = ?5, \
                         verified_at = ?6 WHERE loan_id = ?1 AND national_code = ?2",
                    )
                    .map_err(sqlite(CONTEXT))?;
                for u in updates {
                    update
                        .execute(params![
                            u.loan_id,
                            u.national_code.as_str(),
                            u.verdict.code(),
                            u.woman,
                            u.upload_id,
                            now.as_str(),
                        ])
                        .map_err(sqlite(CONTEXT))?;
                }
            }
            Conn::Postgres(tx) => {
                let mut loans = Vec::with_capacity(updates.len());
                let mut codes = Vec::with_capacity(updates.len());
                let mut statuses = Vec::with_capacity(updates.len());
                let mut women = Vec::with_capacity(updates.len());
                let mut uploads = Vec::with_capacity(updates.len());
                for u in updates {
                    loans.push(u.loan_id);
                    codes.push(u.national_code.as_str());
                    statuses.push(u.verdict.code());
                    women.push(u.woman);
                    uploads.push(u.upload_id);
                }
                // The codes' range keeps a merge join on the national code index to the
                // page's people rather than walking it from the first person each page.
                let first = codes.iter().min().copied().unwrap_or_default();
                let last = codes.iter().max().copied().unwrap_or_default();
                sqlx::query(
                    "UPDATE loan_hires SET status = v.s, woman = v.w, upload_id = v.u, \
                     verified_at = $6 FROM UNNEST($1::bigint[], $2::text[], $3::text[], \
                     $4::boolean[], $5::bigint[]) AS v(l, n, s, w, u) \
                     WHERE loan_hires.loan_id = v.l AND loan_hires.national_code = v.n \
                     AND loan_hires.national_code BETWEEN $7 AND $8",
                )
                .bind(loans)
                .bind(codes)
                .bind(statuses)
                .bind(women)
                .bind(uploads)
                .bind(&now)
                .bind(first)
                .bind(last)
                .execute(&mut **tx)
                .await
                .map_err(db(CONTEXT))?;
            }
        }
        Ok(())
    }

    /// Copies the people with hires at the workshops an upload covers (the hires whose
    /// verdict the upload may change, the claim competitors of their people aside) into a
    /// temporary table keyed by person, each with the earliest and latest disbursement of
    /// those hires, for `upload_page` to page through; answers how many people.
    /// Only the people are kept: a page reads their claims from `loan_hires` anyway, and a
    /// copy of every hire had cost more than the pages' reads of it (5 s of a 2 M-row
    /// list's verification on PostgreSQL, mostly sorting and indexing whole rows).
    /// On PostgreSQL each person also keeps the workshops of those hires, which say which
    /// of their claims a page re-reads: asking the upload's coverage instead hashed all
    /// its (workshop, month) pairs twice a page (250 000 of them for a national list;
    /// 765 ms a page of 20 000 people against `taavon bench impact`'s 20 M rows, 320 ms with
    /// the array and no memoize).
    /// The copy lives until `unstage_upload_people` or the end of the transaction.
    pub async fn stage_upload_people(&mut self, upload_id: i64) -> Result<u64, StoreError> {
        const CONTEXT: &str = "staging the people an upload touches";
        let upload_hires = "FROM loan_hires WHERE workshop IN \
             (SELECT workshop FROM insured_upload_months WHERE upload_id = $1) \
             GROUP BY national_code ORDER BY national_code";
        let (drop, create, fill, key) = match self.conn() {
            Conn::Sqlite(_) => (
                "DROP TABLE IF EXISTS temp.upload_people",
                format!(
                    "CREATE TEMP TABLE upload_people ({STAGED_COLUMNS}, \
                     PRIMARY KEY (national_code)) WITHOUT ROWID"
                ),
                format!(
                    "INSERT INTO upload_people (national_code, first_disbursed, last_disbursed) \
                     SELECT national_code, MIN(disbursed_on), MAX(disbursed_on) {upload_hires}"
                ),
                None,
            ),
            // The key is built once the rows are in, sorted: for 500 000 people the fill
            // and the key took 1.9 s and 0.2 s, the fill keeping the key row by row 2.7 s.
            Conn::Postgres(_) => (
                "DROP TABLE IF EXISTS pg_temp.upload_people",
                format!(
                    "CREATE TEMP TABLE upload_people ({STAGED_COLUMNS}, \
                     workshops TEXT[] NOT NULL) ON COMMIT DROP"
                ),
                format!(
                    "INSERT INTO upload_people (national_code, first_disbursed, last_disbursed, \
                     workshops) SELECT national_code, MIN(disbursed_on), MAX(disbursed_on), \
                     array_agg(workshop) {upload_hires}"
                ),
                Some("ALTER TABLE pg_temp.upload_people ADD PRIMARY KEY (national_code)"),
            ),
        };
        if let Conn::Postgres(tx) = self.conn() {
            // The grouping and each page's final order are a few megabytes; the default
            // 4 MB spilled them to disk. A page's read is estimated dear enough to be
            // compiled (JIT) each time, which cost more than it saved (60 ms a page).
            // A page's lists are read once per claim, never twice with the same key, so
            // a cache of them (memoize) only cost its upkeep.
            // The settings end with the transaction.
            for sql in [
                "SET LOCAL work_mem = '64MB'",
                "SET LOCAL jit = off",
                "SET LOCAL enable_memoize = off",
            ] {
                sqlx::query(sql)
                    .execute(&mut **tx)
                    .await
                    .map_err(db(CONTEXT))?;
            }
        }
        let staged = on!(self.conn(), |c| {
            sqlx::query(drop)
                .execute(&mut *c)
                .await
                .map_err(db(CONTEXT))?;
            sqlx::query(sqlx::AssertSqlSafe(create))
                .execute(&mut *c)
                .await
                .map_err(db(CONTEXT))?;
            sqlx::query(sqlx::AssertSqlSafe(fill))
                .bind(upload_id)
                .execute(&mut *c)
                .await
                .map_err(db(CONTEXT))?
                .rows_affected()
        });
        if let Conn::Postgres(tx) = self.conn() {
            // Nothing analyses a temporary table on its own; without figures the planner
            // guesses its size and may sort the whole copy for every page.
            for sql in key.into_iter().chain(["ANALYZE pg_temp.upload_people"]) {
                sqlx::query(sql)
                    .execute(&mut **tx)
                    .await
                    .map_err(db(CONTEXT))?;
            }
        }
        Ok(staged)
    }

    /// The earliest and latest disbursement among the staged hires (`stage_upload_people`),
    /// which bound the months their verification reads; none when nothing is staged.
    pub async fn staged_disbursements(&mut self) -> Result<Option<(IsoDate, IsoDate)>, StoreError> {
        const CONTEXT: &str = "reading the staged hires' disbursements";
        let range: (Option<String>, Option<String>) = on!(self.conn(), |c| sqlx::query(
            "SELECT MIN(first_disbursed), MAX(last_disbursed) FROM upload_people"
        )
        .fetch_one(c)
        .await
        .and_then(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
        .map_err(db(CONTEXT))?);
        let day = |text: String| {
            IsoDate::parse(&text)
                .map_err(|_| corrupt(format!("upload_people: disbursed on {text}")))
        };
        match range {
            (Some(first), Some(last)) => Ok(Some((day(first)?, day(last)?))),
            _ => Ok(None),
        }
    }

    /// The next page of an upload's verification: every hire, nationwide, of the first
    /// `people` staged persons after `after` (by national code, then loan), each marked
    /// touched when it is at a workshop upload `upload_id` covers and, if so, with its
    /// months there from `months.0` to `months.1`. On either engine one statement joins
    /// the staged people, their claims and the lists (on SQLite through the transaction's
    /// own handle). On SQLite the upload's workshops are one hashed set per statement; on
    /// PostgreSQL each staged person names them (`stage_upload_people`), so `upload_id`
    /// must be the staged upload.
    pub async fn upload_page(
        &mut self,
        upload_id: i64,
        after: Option<&NationalCode>,
        people: i64,
        months: (JalaliMonth, JalaliMonth),
    ) -> Result<Vec<PageClaim>, StoreError> {
        const CONTEXT: &str = "reading a page of an upload's claims";
        let tx = match self.conn() {
            Conn::Sqlite(tx) => tx,
            Conn::Postgres(tx) => {
                // Each person's claims are read through the national code index: `OFFSET 0`
                // keeps the planner from flattening the lateral read into a hash join over
                // every hire in the country, once per page. A claim is touched when its
                // person was staged for a hire at its workshop. Its months come as one
                // text, as on SQLite: three arrays of them had cost the client a value
                // (and most of them an allocation) per month decoded.
                let sql = format!(
                    "WITH page AS (SELECT national_code, workshops FROM upload_people \
                 WHERE national_code > $1 ORDER BY national_code LIMIT $2) \
                 SELECT {HIRE_PREFIXED}, t.touched, m.months \
                 FROM page p CROSS JOIN LATERAL (SELECT * FROM loan_hires c \
                 WHERE c.national_code = p.national_code OFFSET 0) h \
                 CROSS JOIN LATERAL (SELECT (h.workshop = ANY (p.workshops)) IS TRUE \
                 AS touched) t \
                 LEFT JOIN LATERAL (SELECT string_agg(r.month || ' ' || r.days || ' ' \
                 || r.gender, ',') AS months FROM insured_rows r \
                 WHERE t.touched AND r.workshop = h.workshop \
                 AND r.national_code = h.national_code \
                 AND r.month >= $3 AND r.month <= $4) m ON TRUE \
                 ORDER BY h.national_code, h.loan_id"
                );
                let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(after.map_or("", NationalCode::as_str))
                    .bind(people)
                    .bind(months.0.to_string())
                    .bind(months.1.to_string())
                    .fetch_all(&mut **tx)
                    .await
                    .map_err(db(CONTEXT))?;
                return rows
                    .iter()
                    .map(|row| {
                        let hire = hire_row!(row)?;
                        let touched: bool = row.try_get(10).map_err(db(CONTEXT))?;
                        let listed: Option<&str> = row.try_get(11).map_err(db(CONTEXT))?;
                        page_claim(hire, touched, listed)
                    })
                    .collect();
            }
        };
        // The same read as one statement: the page's people, each one's claims through
        // the national code index, whether the claim is at the upload's workshops, and a
        // touched claim's months as text (`month days gender` joined by commas) from the
        // primary key's prefix. A page had been three reads (the staged hires, their
        // months, every claim), each hire read and decoded twice.
        let sql = format!(
            "SELECT {HIRE_PREFIXED}, {TOUCHED}, CASE WHEN {TOUCHED} \
             THEN (SELECT group_concat(r.month || ' ' || r.days || ' ' || r.gender, ',') \
             FROM insured_rows r WHERE r.workshop = h.workshop \
             AND r.national_code = h.national_code AND r.month >= ?3 AND r.month <= ?4) END \
             FROM (SELECT national_code FROM upload_people WHERE national_code > ?1 \
             ORDER BY national_code LIMIT ?2) p \
             JOIN loan_hires h ON h.national_code = p.national_code \
             ORDER BY h.national_code, h.loan_id"
        );
        let (first, last) = (MonthText::of(months.0), MonthText::of(months.1));
        let io = sqlite_io(tx).await?;
        let mut select = io.conn.prepare(&sql).map_err(sqlite(CONTEXT))?;
        let mut rows = select
            .query(params![
                after.map_or("", NationalCode::as_str),
                people,
                first.as_str(),
                last.as_str(),
                upload_id
            ])
            .map_err(sqlite(CONTEXT))?;
        let mut claims = Vec::new();
        while let Some(row) = rows.next().map_err(sqlite(CONTEXT))? {
            let hire = sqlite_hire(row).map_err(sqlite(CONTEXT))?.decode()?;
            let touched: bool = row.get(10).map_err(sqlite(CONTEXT))?;
            let listed = row
                .get_ref(11)
                .map_err(sqlite(CONTEXT))?
                .as_str_or_null()
                .map_err(|error| corrupt(format!("insured months: {error}")))?;
            claims.push(page_claim(hire, touched, listed)?);
        }
        Ok(claims)
    }

    /// Drops the staged people (`stage_upload_people`); SQLite keeps a temporary table for
    /// the connection's life, and its write connection serves every later writer.
    pub async fn unstage_upload_people(&mut self) -> Result<(), StoreError> {
        let sql = match self.conn() {
            Conn::Sqlite(_) => "DROP TABLE IF EXISTS temp.upload_people",
            Conn::Postgres(_) => "DROP TABLE IF EXISTS pg_temp.upload_people",
        };
        on!(self.conn(), |c| sqlx::query(sql)
            .execute(c)
            .await
            .map(|_| ())
            .map_err(db("dropping the staged hires"))?);
        Ok(())
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

    /// Every hire of these people, nationwide (the claims on each person).
    pub async fn hires_of_people(
        &mut self,
        national_codes: &[NationalCode],
    ) -> Result<Vec<HireRow>, StoreError> {
        const CONTEXT: &str = "reading the hires of people";
        match &mut self.conn {
            Conn::Sqlite(tx) => {
                let io = sqlite_io(tx).await?;
                let mut select = io
                    .conn
                    .prepare(&format!(
                        "SELECT {HIRE_COLUMNS} FROM loan_hires WHERE national_code = ?1"
                    ))
                    .map_err(sqlite(CONTEXT))?;
                let mut found = Vec::new();
                for code in national_codes {
                    let mut rows = select.query([code.as_str()]).map_err(sqlite(CONTEXT))?;
                    while let Some(row) = rows.next().map_err(sqlite(CONTEXT))? {
                        found.push(sqlite_hire(row).map_err(sqlite(CONTEXT))?.decode()?);
                    }
                }
                Ok(found)
            }
            Conn::Postgres(tx) => {
                let codes: Vec<&str> = national_codes.iter().map(NationalCode::as_str).collect();
                let sql = format!(
                    "SELECT {HIRE_COLUMNS} FROM loan_hires WHERE national_code = ANY($1::text[])"
                );
                sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(codes)
                    .fetch_all(&mut **tx)
                    .await
                    .map_err(db(CONTEXT))?
                    .iter()
                    .map(|row| hire_row!(row))
                    .collect()
            }
        }
    }

    /// The listed months of each person at its workshop, from `first` on: one list per
    /// (workshop, national code) asked, in the order asked.
    pub async fn insured_months(
        &mut self,
        people: &[(WorkshopCode, NationalCode)],
        first: JalaliMonth,
    ) -> Result<Vec<Vec<InsuredMonth>>, StoreError> {
        const CONTEXT: &str = "reading insured months";
        let first = first.to_string();
        let mut found: Vec<Vec<InsuredMonth>> = vec![Vec::new(); people.len()];
        match &mut self.conn {
            Conn::Sqlite(tx) => {
                let io = sqlite_io(tx).await?;
                // The primary key's prefix and a range: a few pages of one b-tree each.
                let mut select = io
                    .conn
                    .prepare(
                        "SELECT month, days, gender FROM insured_rows \
                         WHERE workshop = ?1 AND national_code = ?2 AND month >= ?3",
                    )
                    .map_err(sqlite(CONTEXT))?;
                for ((workshop, code), months) in people.iter().zip(found.iter_mut()) {
                    let mut rows = select
                        .query(params![workshop.as_str(), code.as_str(), first.as_str()])
                        .map_err(sqlite(CONTEXT))?;
                    while let Some(row) = rows.next().map_err(sqlite(CONTEXT))? {
                        let (month, days, gender): (String, i64, String) = (
                            row.get(0).map_err(sqlite(CONTEXT))?,
                            row.get(1).map_err(sqlite(CONTEXT))?,
                            row.get(2).map_err(sqlite(CONTEXT))?,
                        );
                        months.push(decode_month((&month, days, &gender))?);
                    }
                }
            }
            Conn::Postgres(tx) => {
                let (workshops, codes): (Vec<&str>, Vec<&str>) = people
                    .iter()
                    .map(|(workshop, code)| (workshop.as_str(), code.as_str()))
                    .unzip();
                // The arrays' rows drive a nested loop over the primary key; ordinality
                // says whose each month is.
                let rows = sqlx::query(
                    "SELECT p.i, r.month, r.days, r.gender FROM UNNEST($1::text[], $2::text[]) \
                     WITH ORDINALITY AS p(w, n, i) JOIN insured_rows r \
                     ON r.workshop = p.w AND r.national_code = p.n AND r.month >= $3",
                )
                .bind(workshops)
                .bind(codes)
                .bind(&first)
                .fetch_all(&mut **tx)
                .await
                .map_err(db(CONTEXT))?;
                for row in &rows {
                    let (ordinal, month, days, gender): (i64, String, i64, String) = (
                        row.try_get(0).map_err(db(CONTEXT))?,
                        row.try_get(1).map_err(db(CONTEXT))?,
                        row.try_get(2).map_err(db(CONTEXT))?,
                        row.try_get(3).map_err(db(CONTEXT))?,
                    );
                    let months = usize::try_from(ordinal - 1)
                        .ok()
                        .and_then(|index| found.get_mut(index))
                        .ok_or_else(|| corrupt(format!("insured months: ordinal {ordinal}")))?;
                    months.push(decode_month((&month, days, &gender))?);
                }
            }
        }
        Ok(found)
    }

    /// Hires of a province whose verdict is a fraud signal (insured before, claimed
    /// elsewhere), by loan: the province's hires walked by loan (migration 0023: no index
    /// names the verdict, which verification rewrites), the others filtered out.
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

/// List rows per SQLite insert statement (`insert_insured_rows`): 501 parameters.
const SQLITE_ROWS_PER_INSERT: usize = 100;

/// The upsert of `rows` list rows on SQLite (the same columns and conflict rule as
/// PostgreSQL's): `?1` the upload, then five parameters a row.
fn sqlite_insert_rows(rows: usize) -> String {
    let values: Vec<String> = (0..rows)
        .map(|i| {
            let p = 2 + i * 5;
            format!("(?{p}, ?{}, ?{}, ?{}, ?{}, ?1)", p + 1, p + 2, p + 3, p + 4)
        })
        .collect();
    format!(
        "INSERT INTO insured_rows (workshop, national_code, month, gender, days, upload_id) \
         VALUES {} ON CONFLICT (workshop, national_code, month) DO UPDATE SET \
         gender = excluded.gender, days = excluded.days, upload_id = excluded.upload_id",
        values.join(", ")
    )
}

/// A month as stored (`1403-07`), written without allocating.
struct MonthText {
    bytes: [u8; 12],
    len: usize,
}

impl MonthText {
    fn of(month: JalaliMonth) -> Self {
        use std::io::Write as _;
        let mut bytes = [0u8; 12];
        let mut cursor = std::io::Cursor::new(&mut bytes[..]);
        // Twelve bytes hold any year of four or five digits with its month.
        let _ = write!(cursor, "{month}");
        let len = usize::try_from(cursor.position()).unwrap_or(0);
        Self { bytes, len }
    }

    fn as_str(&self) -> &str {
        std::str::from_utf8(self.bytes.get(..self.len).unwrap_or(&[])).unwrap_or("")
    }
}

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
        decode_month((&month, days, &gender))?,
    ))
}

/// A page's claim with its months as `upload_page` reads them (`month days gender`,
/// joined by commas; none when the claim is untouched or unlisted).
fn page_claim(hire: HireRow, touched: bool, listed: Option<&str>) -> Result<PageClaim, StoreError> {
    Ok(PageClaim {
        hire,
        touched,
        months: listed.map_or(Ok(Vec::new()), decode_months_text)?,
    })
}

/// Months as `upload_page` reads them: `month days gender`, joined by commas.
fn decode_months_text(text: &str) -> Result<Vec<InsuredMonth>, StoreError> {
    text.split(',')
        .map(|month| {
            let mut parts = month.split(' ');
            match (parts.next(), parts.next(), parts.next()) {
                (Some(month), Some(days), Some(gender)) => decode_month((
                    month,
                    days.parse()
                        .map_err(|_| corrupt(format!("insured days {days}")))?,
                    gender,
                )),
                _ => Err(corrupt(format!("insured months {text}"))),
            }
        })
        .collect()
}

fn decode_month((month, days, gender): (&str, i64, &str)) -> Result<InsuredMonth, StoreError> {
    Ok(InsuredMonth {
        month: JalaliMonth::parse(month).map_err(|_| corrupt(format!("insured month {month}")))?,
        days: u8::try_from(days).map_err(|_| corrupt(format!("insured days {days}")))?,
        gender: match gender {
            "F" => Gender::Female,
            "M" => Gender::Male,
            other => return Err(corrupt(format!("insured gender {other}"))),
        },
    })
}

/// Reads a `HIRE_COLUMNS` row through rusqlite.
fn sqlite_hire(row: &rusqlite::Row<'_>) -> rusqlite::Result<RawHire> {
    Ok(RawHire {
        loan_id: row.get(0)?,
        national_code: row.get(1)?,
        province: row.get(2)?,
        report_id: row.get(3)?,
        workshop: row.get(4)?,
        disbursed_on: row.get(5)?,
        status: row.get(6)?,
        woman: row.get(7)?,
        upload_id: row.get(8)?,
        verified_at: row.get(9)?,
    })
}

/// The SQLite transaction's own handle, for the statements run once per row.
async fn sqlite_io<'a>(
    tx: &'a mut sqlx::Transaction<'static, sqlx::Sqlite>,
) -> Result<SqliteBatchIo<'a>, StoreError> {
    let locked = (**tx)
        .lock_handle()
        .await
        .map_err(db("borrowing the SQLite connection"))?;
    SqliteBatchIo::new(locked)
}

pub(crate) fn sqlite(context: &'static str) -> impl FnOnce(rusqlite::Error) -> StoreError {
    move |source| StoreError::Sqlite { context, source }
}
