//! Jobs: the SSO insured-worker lists, the hires borrowers report, and their
//! verification (issue 14; the rule is `taavon_core::impact`).
//!
//! A list is read once from its file, streaming, inside one write transaction, so memory
//! stays bounded whatever its size: each row is checked and written with its batch, the
//! stored rows of a (workshop, month) pair deleted before the batch that first holds it
//! (a list replaces what it covers); a file with any bad row is rolled back whole,
//! storing nothing, and each bad cell is named. A CSV's SHA-256 is taken on the same
//! read. Verification then runs for the hires
//! the upload can change (those at its workshops) and the other claims on the same
//! people, never the whole country; a job report re-verifies its own hires the same way.

pub mod figures;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use taavon_core::access::{
    LoanSubject, Principal, WorkshopHolderRef, decide_fraud_signals, decide_insured_upload,
    decide_job_report, decide_workshop_code, insured_list_view, sees_hire_national_codes,
};
use taavon_core::calendar::{IsoDate, JalaliDate};
use taavon_core::ids::{NationalCode, WorkshopCode};
use taavon_core::impact::{Claim, InsuredMonth, InsuredRow, Screening, settle};
use taavon_core::reference::ProvinceCode;
use taavon_core::registry::Gender;
use taavon_core::timestamp::Timestamp;
use taavon_store::{
    AuditEntry, HireRow, HireUpdate, INSURED_BATCH_MAX, InsuredCoverage, NewHire, NewInsuredUpload,
    PageClaim, Store, WorkshopHolder, WriteTx,
};

use crate::events::{VerifiedHire, emit_verified_hires};
use crate::idempotency::{Begun, Idempotency, begin, finish_idempotent, winner};
use crate::import::RowError;
use crate::sheet::{Cells, Sheet, file_error, header_positions};
use crate::table::Format;
use crate::{AppError, FieldError};

// What the use cases return, for the server and the CLI (they never name the store).
pub use taavon_core::access::InsuredListView;
pub use taavon_core::calendar::JalaliMonth;
pub use taavon_core::impact::{HireStatus, HireVerdict, VerificationRules};
pub use taavon_store::{InsuredCounts, InsuredUpload, JobReport};

/// Bad rows kept for the report; past this only their number grows, so a wholly wrong
/// file of 15 million rows cannot exhaust memory.
pub const ROW_ERRORS_MAX: usize = 10_000;

/// The most hires one report may name.
pub const HIRES_PER_REPORT_MAX: usize = 10_000;

/// The columns of a list: the English key, then the Persian headers accepted for it.
pub const INSURED_COLUMNS: [(&str, &[&str]); 5] = [
    ("workshop", &["کد کارگاه", "workshop_code"]),
    ("national_code", &["کد ملی"]),
    ("gender", &["جنسیت"]),
    ("month", &["ماه", "سال و ماه"]),
    ("days", &["روز", "روزهای بیمه", "تعداد روز", "days_insured"]),
];

/// What an upload did, or why it stored nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InsuredImportReport {
    pub rows: u64,
    /// Bad rows, each by row (1 = the header) and column; at most `ROW_ERRORS_MAX`.
    pub errors: Vec<RowError>,
    /// Bad cells in all, including those past `ROW_ERRORS_MAX`.
    pub error_count: u64,
    /// The upload's id when it was stored.
    pub upload_id: Option<i64>,
    pub workshops: u64,
    pub first_month: Option<JalaliMonth>,
    pub last_month: Option<JalaliMonth>,
    /// Hires whose verdict was re-read, and of them those whose verdict changed.
    pub hires_checked: u64,
    pub hires_changed: u64,
}

impl InsuredImportReport {
    /// The report before the file is read.
    fn nothing_read() -> Self {
        Self {
            rows: 0,
            errors: Vec::new(),
            error_count: 0,
            upload_id: None,
            workshops: 0,
            first_month: None,
            last_month: None,
            hires_checked: 0,
            hires_changed: 0,
        }
    }
}

/// A list's file as the caller has it.
#[derive(Clone, Copy, Debug)]
pub struct ListFile<'a> {
    pub path: &'a Path,
    /// The name the uploader gave it (recorded; also says CSV or XLSX).
    pub name: &'a str,
}

/// One reported hire as a reader may see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HireView {
    /// The national code, or its last four digits behind stars for a reader who may not
    /// know the person.
    pub national_code: String,
    pub verdict: HireVerdict,
    pub woman: bool,
}

/// A loan's jobs: planned (the application), reported and verified kept apart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoanJobsView {
    pub loan_id: i64,
    pub planned: i64,
    pub planned_women: i64,
    pub reported: u64,
    pub verified: u64,
    pub verified_women: u64,
    pub workshop: Option<WorkshopCode>,
    pub hires: Vec<HireView>,
    pub reports: Vec<JobReport>,
    pub national_codes_masked: bool,
    pub may_report: bool,
}

/// A hire whose verdict the provincial officer should review.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FraudSignal {
    pub loan_id: i64,
    pub national_code: NationalCode,
    pub status: HireStatus,
}

/// What the stored lists hold, as the reader may see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InsuredListsView {
    pub counts: InsuredCounts,
    /// The uploads (who, when, what file): only for readers of rows.
    pub uploads: Vec<InsuredUpload>,
    pub view: InsuredListView,
}

/// A borrower whose SSO workshop code is set on the registry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Borrower {
    Cooperative(i64),
    Client(i64),
}

/// How hires are reported: added to what the loan has, or replacing it (an amendment
/// that may also leave people out).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportMode {
    Add,
    Replace,
}

/// Imports an insured-worker list from a file (CSV with or without a byte-order mark, or
/// XLSX; Persian or English headers; any digits). `progress` hears the rows written so
/// far.
pub async fn import_insured_list(
    store: &Store,
    principal: &Principal,
    file: ListFile<'_>,
    rules: &VerificationRules,
    now: Timestamp,
    progress: &mut (dyn FnMut(u64) + Send),
) -> Result<InsuredImportReport, AppError> {
    AppError::from_decision(decide_insured_upload(Some(principal)))?;
    let mut report = InsuredImportReport::nothing_read();
    let Some(rows) = open_list(file, true, &mut report)? else {
        return Ok(report);
    };
    let write = store.write(crate::auth::actor_of(principal), now).await?;
    if let Some((upload_id, write)) =
        stream_list(write, rows, file, None, rules, &mut report, progress).await?
    {
        write.commit().await?;
        report.upload_id = Some(upload_id);
    }
    Ok(report)
}

/// Imports a list as the API receives it, under an `Idempotency-Key` whose request is
/// the file's bytes: `idempotency`'s `canonical_body` is ignored and the file's SHA-256
/// (`sha256`, hex, as the edge computed it while receiving the file) stands for it. A
/// retry with the same bytes answers the upload the first stored; the same key with
/// other bytes is refused. A bad file is refused with every bad row named
/// (`rows[N].column`, N as in the file, 1 the header).
#[allow(clippy::too_many_arguments)]
pub async fn upload_insured_list(
    store: &Store,
    principal: &Principal,
    file: ListFile<'_>,
    sha256: &str,
    rules: &VerificationRules,
    idempotency: Option<Idempotency<'_>>,
    now: Timestamp,
) -> Result<InsuredUpload, AppError> {
    AppError::from_decision(decide_insured_upload(Some(principal)))?;
    let idempotency = idempotency.map(|key| Idempotency {
        canonical_body: sha256,
        ..key
    });
    // A retry is answered before the file is read again.
    if let Some(upload_id) = winner(store, principal, idempotency).await? {
        return stored_upload(store, upload_id).await;
    }
    let mut report = InsuredImportReport::nothing_read();
    let refused = |report: InsuredImportReport| {
        AppError::Invalid(report.errors.iter().map(row_field_error).collect())
    };
    let Some(rows) = open_list(file, false, &mut report)? else {
        return Err(refused(report));
    };
    let write = match begin(store, principal, idempotency, now).await? {
        Begun::Replay(upload_id) => return stored_upload(store, upload_id).await,
        Begun::Fresh(write) => write,
    };
    let Some((upload_id, write)) = stream_list(
        write,
        rows,
        file,
        Some(sha256),
        rules,
        &mut report,
        &mut |_| {},
    )
    .await?
    else {
        return Err(refused(report));
    };
    finish_idempotent(write, principal, idempotency, upload_id).await?;
    stored_upload(store, upload_id).await
}

/// A bad row of a list as a field error of the request that carried it.
fn row_field_error(error: &RowError) -> FieldError {
    let field = match (error.row, error.column.as_str()) {
        (0, _) | (_, "") => "file".to_owned(),
        (row, column) => format!("rows[{row}].{column}"),
    };
    FieldError::new(field, &error.rule, &error.message_fa, &error.message_en)
}

async fn stored_upload(store: &Store, upload_id: i64) -> Result<InsuredUpload, AppError> {
    let mut read = store.read().await?;
    let upload = read.insured_upload(upload_id).await?;
    read.finish().await?;
    upload.ok_or_else(|| AppError::Internal(format!("upload {upload_id} vanished")))
}

/// Opens a list (its CSV hashed on the way when `hashed`) and reads its header; a header
/// lacking a column is reported in `report` (and nothing else read) as `None`.
fn open_list(
    file: ListFile<'_>,
    hashed: bool,
    report: &mut InsuredImportReport,
) -> Result<Option<ListRows>, AppError> {
    let mut rows = ListRows::open(file.path, Format::of(file.name), hashed)?;
    match rows.header_error.take() {
        Some(errors) => {
            report.error_count = u64::try_from(errors.len()).unwrap_or(u64::MAX);
            report.errors = errors;
            Ok(None)
        }
        None => Ok(Some(rows)),
    }
}

/// The one pass over a list inside `write`: each row parsed and checked, the good ones
/// written in batches — before each batch, the stored rows of the (workshop, month) pairs
/// it is the first to hold deleted, since a list replaces what it covers. From the first
/// bad row on nothing more is written and the rest is only checked, so every bad cell is
/// reported; a file with any (or with no row) is rolled back whole (`None`). Otherwise
/// the upload's record is completed (its SHA-256 `sha256`, or the one taken while
/// reading), the hires at its workshops re-verified, and its id and the transaction to
/// finish answered.
async fn stream_list(
    mut write: WriteTx,
    mut rows: ListRows,
    file: ListFile<'_>,
    sha256: Option<&str>,
    rules: &VerificationRules,
    report: &mut InsuredImportReport,
    progress: &mut (dyn FnMut(u64) + Send),
) -> Result<Option<(i64, WriteTx)>, AppError> {
    let upload_id = write.start_insured_upload(file.name).await?;
    // Rows per (workshop as a number, month): ten digits fit a u64, which keeps a
    // national list's million workshops in tens of megabytes.
    let mut coverage: HashMap<(u64, JalaliMonth), i64> = HashMap::new();
    let mut batch: Vec<InsuredRow> = Vec::with_capacity(INSURED_BATCH_MAX);
    // The rows of `batch` that are the first of their (workshop, month) in the list.
    let mut fresh: Vec<usize> = Vec::new();
    let mut written = 0u64;
    loop {
        let next = rows.next()?;
        let done = next.is_none();
        if let Some(parsed) = next {
            report.rows += 1;
            match parsed {
                Ok(row) => {
                    let workshop: u64 = row.workshop.as_str().parse().unwrap_or(0);
                    let first = match coverage.entry((workshop, row.month)) {
                        std::collections::hash_map::Entry::Vacant(entry) => {
                            entry.insert(1);
                            true
                        }
                        std::collections::hash_map::Entry::Occupied(mut entry) => {
                            *entry.get_mut() += 1;
                            false
                        }
                    };
                    if report.error_count == 0 {
                        if first {
                            fresh.push(batch.len());
                        }
                        batch.push(row);
                    }
                }
                Err(errors) => {
                    report.error_count += u64::try_from(errors.len()).unwrap_or(0);
                    let room = ROW_ERRORS_MAX.saturating_sub(report.errors.len());
                    report.errors.extend(errors.into_iter().take(room));
                    batch.clear();
                    fresh.clear();
                }
            }
        }
        if batch.len() == INSURED_BATCH_MAX || (done && !batch.is_empty()) {
            let pairs: Vec<(&WorkshopCode, JalaliMonth)> = fresh
                .iter()
                .filter_map(|at| batch.get(*at))
                .map(|row| (&row.workshop, row.month))
                .collect();
            write.replace_insured_pairs(&pairs).await?;
            write.insert_insured_rows(upload_id, &batch).await?;
            written += u64::try_from(batch.len()).unwrap_or(0);
            progress(written);
            batch.clear();
            fresh.clear();
        }
        if done {
            break;
        }
    }
    let mut coverage: Vec<((u64, JalaliMonth), i64)> = coverage.into_iter().collect();
    coverage.sort_unstable();
    report.workshops = u64::try_from(
        coverage
            .iter()
            .map(|((w, _), _)| *w)
            .collect::<BTreeSet<u64>>()
            .len(),
    )
    .unwrap_or(u64::MAX);
    report.first_month = coverage.iter().map(|((_, m), _)| *m).min();
    report.last_month = coverage.iter().map(|((_, m), _)| *m).max();
    let (Some(first_month), Some(last_month)) = (report.first_month, report.last_month) else {
        if report.error_count == 0 {
            report.errors.push(file_error(
                "empty",
                "فایل هیچ ردیفی ندارد.",
                "The file has no rows.",
            ));
            report.error_count = 1;
        }
        write.rollback().await?;
        return Ok(None);
    };
    if report.error_count > 0 {
        // Nothing of a bad file is stored.
        write.rollback().await?;
        return Ok(None);
    }
    let sha256 = match sha256 {
        Some(known) => known.to_owned(),
        None => rows
            .sheet
            .sha256()
            .ok_or_else(|| AppError::Internal("the list was read without its hash".into()))?,
    };
    let coverage: Vec<InsuredCoverage> = coverage
        .into_iter()
        .map(|((workshop, month), rows)| {
            Ok(InsuredCoverage {
                workshop: workshop_of(workshop)?,
                month,
                row_count: rows,
            })
        })
        .collect::<Result<_, AppError>>()?;
    write
        .finish_insured_upload(
            upload_id,
            &NewInsuredUpload {
                file_name: file.name.to_owned(),
                content_sha256: sha256,
                row_count: i64::try_from(report.rows).unwrap_or(i64::MAX),
                first_month,
                last_month,
            },
            &coverage,
        )
        .await?;
    drop(coverage);
    let (checked, changed) = reverify_upload(&mut write, rules, upload_id).await?;
    report.hires_checked = checked;
    report.hires_changed = changed;
    Ok(Some((upload_id, write)))
}

/// Re-verifies the hires at the workshops an upload covers, a page of people at a time
/// (a national list touches every hire in the country: neither they nor their months on
/// the lists are ever held all at once). A page is one read of every claim on its people
/// with the touched hires' months (`upload_page`) and one write of the verdicts that
/// change. Answers (hires judged, verdicts changed).
/// A page holds every claim of its people, so its verdicts depend on no other page: the
/// rule judges one page on a blocking thread while the connection writes the page before
/// and reads the page after (on PostgreSQL at 500 000 hires the client's part had been a
/// quarter of the time, the database idle meanwhile).
pub async fn reverify_upload(
    write: &mut WriteTx,
    rules: &VerificationRules,
    upload_id: i64,
) -> Result<(u64, u64), AppError> {
    const PEOPLE_PER_PAGE: i64 = 20_000;
    reverify_upload_in_pages(write, rules, upload_id, PEOPLE_PER_PAGE).await
}

/// `reverify_upload` with pages of `people_per_page` people: the verdicts do not depend
/// on it (a spec checks that with small pages).
pub async fn reverify_upload_in_pages(
    write: &mut WriteTx,
    rules: &VerificationRules,
    upload_id: i64,
    people_per_page: i64,
) -> Result<(u64, u64), AppError> {
    let (mut judged, mut changed) = (0u64, 0u64);
    let staged = write.stage_upload_people(upload_id).await? > 0;
    if let Some((earliest, latest)) = if staged {
        write.staged_disbursements().await?
    } else {
        None
    } {
        let months = (
            rules.months_read(disbursed_month(earliest)).0,
            rules.months_read(disbursed_month(latest)).1,
        );
        let mut claims = write
            .upload_page(upload_id, None, people_per_page, months)
            .await?;
        let mut judged_before: Option<JudgedPage> = None;
        loop {
            let after = claims.last().map(|c| c.hire.national_code.clone());
            let rules = *rules;
            let judging = after.is_some().then(|| {
                tokio::task::spawn_blocking(move || judge_page(&claims, &rules, upload_id))
            });
            if let Some(page) = judged_before.take() {
                judged += page.judged;
                changed += page.changed;
                write.update_hire_verdicts(&page.updates).await?;
                emit_verified_hires(write, &page.verified).await?;
            }
            let (Some(judging), Some(after)) = (judging, after) else {
                break;
            };
            claims = write
                .upload_page(upload_id, Some(&after), people_per_page, months)
                .await?;
            judged_before = Some(
                judging
                    .await
                    .map_err(|error| AppError::Internal(format!("judging a page: {error}")))??,
            );
        }
    }
    write.unstage_upload_people().await?;
    Ok((judged, changed))
}

/// The audit record of a re-verification run on its own (the benchmark's, a spec's): an
/// upload audits itself, and this stands in for its verification step.
pub fn reverification_audit(upload_id: i64) -> AuditEntry {
    AuditEntry {
        action: "hires.verify",
        entity: "insured_upload",
        entity_id: upload_id.to_string(),
        province: None,
        before: None,
        after: None,
    }
}

/// A page of claims judged: the verdicts that change, the hires they turn verified, and
/// how many hires were judged and changed.
struct JudgedPage {
    updates: Vec<HireUpdate>,
    verified: Vec<VerifiedHire>,
    judged: u64,
    changed: u64,
}

/// Judges a page of claims (`upload_page`): a touched hire by its months, the others by
/// their kept verdicts, and each person's claims settled together.
fn judge_page(
    claims: &[PageClaim],
    rules: &VerificationRules,
    upload_id: i64,
) -> Result<JudgedPage, AppError> {
    let mut page = JudgedPage {
        updates: Vec::new(),
        verified: Vec::new(),
        judged: 0,
        changed: 0,
    };
    for person in claims.chunk_by(|a, b| a.hire.national_code == b.hire.national_code) {
        let screened: Vec<(&HireRow, Option<Screening>, bool)> = person
            .iter()
            .map(|c| {
                let screening = match (&c.hire.workshop, c.touched) {
                    (_, false) => kept_screening(&c.hire),
                    (None, true) => None,
                    (Some(_), true) => {
                        Some(rules.screen(disbursed_month(c.hire.disbursed_on), &c.months))
                    }
                };
                (&c.hire, screening, c.touched)
            })
            .collect();
        let (person_judged, person_changed) = settle_person(
            &screened,
            Some(upload_id),
            &mut page.updates,
            &mut page.verified,
        )?;
        page.judged += person_judged;
        page.changed += person_changed;
    }
    Ok(page)
}

/// What the stored lists hold: rows and uploads for those who may read them, counts for
/// everyone else.
pub async fn insured_lists(
    store: &Store,
    principal: &Principal,
) -> Result<InsuredListsView, AppError> {
    let view = insured_list_view(&principal.role);
    let mut read = store.read().await?;
    let counts = read.insured_counts().await?;
    let uploads = match view {
        InsuredListView::Rows => read.insured_uploads(100).await?,
        InsuredListView::Counts => Vec::new(),
    };
    read.finish().await?;
    Ok(InsuredListsView {
        counts,
        uploads,
        view,
    })
}

/// One workshop's rows, for those who may read rows.
pub async fn insured_rows_of_workshop(
    store: &Store,
    principal: &Principal,
    workshop: &str,
) -> Result<Vec<InsuredRow>, AppError> {
    if insured_list_view(&principal.role) != InsuredListView::Rows {
        return Err(AppError::Forbidden);
    }
    let workshop = WorkshopCode::parse(workshop).map_err(|error| {
        AppError::invalid(
            "workshop",
            "workshop_code",
            "کد کارگاه ده رقم است.",
            &format!("A workshop code is ten digits: {error}"),
        )
    })?;
    let mut read = store.read().await?;
    let rows = read.insured_rows_of_workshop(&workshop, 10_000).await?;
    read.finish().await?;
    Ok(rows)
}

/// Reports hires for a disbursed loan (`Add`), or replaces its report (`Replace`, an
/// amendment); the hires it adds or removes, and the other claims on those people, are
/// verified at once. Answers the report's id.
#[allow(clippy::too_many_arguments)]
pub async fn report_hires(
    store: &Store,
    principal: &Principal,
    loan_id: i64,
    national_codes: &[String],
    mode: ReportMode,
    rules: &VerificationRules,
    idempotency: Option<Idempotency<'_>>,
    now: Timestamp,
) -> Result<i64, AppError> {
    let people = parse_people(national_codes)?;
    let mut write = match begin(store, principal, idempotency, now).await? {
        Begun::Replay(id) => return Ok(id),
        Begun::Fresh(write) => write,
    };
    let loan = write.loan(loan_id).await?.ok_or(AppError::NotFound)?;
    let province = crate::loans::province_of(&loan)?;
    let subject = LoanSubject {
        province: &province,
        cooperative_id: loan.fields.cooperative_id,
        bank: Some(&loan.fields.bank),
    };
    AppError::from_decision(decide_job_report(Some(principal), &subject))?;
    let Some(disbursed_on) = write.first_disbursement(loan_id).await? else {
        return Err(AppError::Conflict(
            "hires are reported once the loan is disbursed".into(),
        ));
    };
    let workshop = contract_workshop(&mut write, loan_id).await?;
    let existing = write.loan_hires(loan_id).await?;
    let had: BTreeSet<&NationalCode> = existing.iter().map(|h| &h.national_code).collect();
    let added: Vec<NewHire> = people
        .iter()
        .filter(|code| !had.contains(code))
        .map(|code| NewHire {
            national_code: code.clone(),
            workshop: workshop.clone(),
            disbursed_on,
            // Replaced below by the verification of the added hires.
            verdict: HireVerdict::NoWorkshop,
            woman: false,
        })
        .collect();
    let removed: Vec<NationalCode> = match mode {
        ReportMode::Add => Vec::new(),
        ReportMode::Replace => existing
            .iter()
            .map(|h| h.national_code.clone())
            .filter(|code| !people.contains(code))
            .collect(),
    };
    let reported: Vec<NewHire> = people
        .iter()
        .map(|code| NewHire {
            national_code: code.clone(),
            workshop: workshop.clone(),
            disbursed_on,
            verdict: HireVerdict::NoWorkshop,
            woman: false,
        })
        .collect();
    let report_id = write
        .record_job_report(loan_id, &province, !existing.is_empty(), &reported)
        .await?;
    write
        .insert_hires(loan_id, &province, report_id, &added)
        .await?;
    write.remove_hires(loan_id, &removed).await?;
    let touched: Vec<HireRow> = write
        .loan_hires(loan_id)
        .await?
        .into_iter()
        .filter(|h| h.report_id == report_id)
        .collect();
    reverify(&mut write, rules, touched, &removed, None).await?;
    finish_idempotent(write, principal, idempotency, report_id).await
}

/// Sets the workshop code on a loan's contract (the borrower may, as it reports hires)
/// and re-verifies the loan's hires against it.
pub async fn set_loan_workshop(
    store: &Store,
    principal: &Principal,
    loan_id: i64,
    code: &str,
    rules: &VerificationRules,
    now: Timestamp,
) -> Result<(), AppError> {
    let workshop = parse_workshop(code)?;
    let mut write = store.write(crate::auth::actor_of(principal), now).await?;
    let loan = write.loan(loan_id).await?.ok_or(AppError::NotFound)?;
    let province = crate::loans::province_of(&loan)?;
    AppError::from_decision(decide_job_report(
        Some(principal),
        &LoanSubject {
            province: &province,
            cooperative_id: loan.fields.cooperative_id,
            bank: Some(&loan.fields.bank),
        },
    ))?;
    move_loan_workshop(&mut write, rules, loan_id, Some(&workshop)).await?;
    write.commit().await?;
    Ok(())
}

/// Points a loan's contract and hires at `workshop` and verifies its hires again (and
/// the other claims on their people).
async fn move_loan_workshop(
    write: &mut WriteTx,
    rules: &VerificationRules,
    loan_id: i64,
    workshop: Option<&WorkshopCode>,
) -> Result<(), AppError> {
    write
        .set_workshop_code(WorkshopHolder::Loan(loan_id), workshop)
        .await?;
    write.set_hires_workshop(loan_id, workshop).await?;
    let touched = write.loan_hires(loan_id).await?;
    reverify(write, rules, touched, &[], None).await?;
    Ok(())
}

/// Sets (or, with `None`, clears) a borrower's SSO workshop code on the registry (and
/// answers it): a regulatory field, set by the ministry or an officer of the borrower's
/// province. The borrower's loans that follow the registry (their contract has no code
/// of its own, or the registry's old one) take the new code, and their hires are
/// verified again at once; a contract given another code keeps it.
#[allow(clippy::too_many_arguments)]
pub async fn set_borrower_workshop(
    store: &Store,
    principal: &Principal,
    borrower: Borrower,
    code: Option<&str>,
    rules: &VerificationRules,
    idempotency: Option<Idempotency<'_>>,
    now: Timestamp,
) -> Result<Option<WorkshopCode>, AppError> {
    let workshop = code.map(parse_workshop).transpose()?;
    let mut write = match begin(store, principal, idempotency, now).await? {
        Begun::Replay(_) => return Ok(workshop),
        Begun::Fresh(write) => write,
    };
    let (holder, province, id) = match borrower {
        Borrower::Cooperative(id) => {
            let cooperative = write.cooperative(id).await?.ok_or(AppError::NotFound)?;
            (
                WorkshopHolder::Cooperative(id),
                cooperative.fields.province,
                id,
            )
        }
        Borrower::Client(id) => {
            let client = write.client(id).await?.ok_or(AppError::NotFound)?;
            (WorkshopHolder::Client(id), client.fields.province, id)
        }
    };
    let province = ProvinceCode::parse(&province)
        .map_err(|_| AppError::Internal(format!("borrower {id} has a bad province")))?;
    let subject = match borrower {
        Borrower::Cooperative(id) => WorkshopHolderRef::Cooperative {
            id,
            province: &province,
        },
        Borrower::Client(_) => WorkshopHolderRef::Client {
            province: &province,
        },
    };
    AppError::from_decision(decide_workshop_code(Some(principal), subject))?;
    let loans = write.borrower_loan_workshops(holder).await?;
    if !write.set_workshop_code(holder, workshop.as_ref()).await? {
        return Err(AppError::NotFound);
    }
    for (loan_id, contract, registry) in loans {
        if contract.is_none() || contract == registry {
            move_loan_workshop(&mut write, rules, loan_id, workshop.as_ref()).await?;
        }
    }
    finish_idempotent(write, principal, idempotency, id).await?;
    Ok(workshop)
}

fn parse_workshop(code: &str) -> Result<WorkshopCode, AppError> {
    WorkshopCode::parse(code).map_err(|error| {
        AppError::invalid(
            "workshop_code",
            "workshop_code",
            "کد کارگاه ده رقم است.",
            &format!("A workshop code is ten digits: {error}"),
        )
    })
}

/// A loan's planned, reported and verified jobs and each hire's verdict; national codes
/// masked for readers who may not know the people.
pub async fn loan_jobs(
    store: &Store,
    principal: &Principal,
    loan_id: i64,
) -> Result<LoanJobsView, AppError> {
    let mut read = store.read().await?;
    let loan = read.loan(loan_id).await?.ok_or(AppError::NotFound)?;
    crate::loans::authorize(principal, taavon_core::access::LoanAction::Read, &loan)?;
    let province = crate::loans::province_of(&loan)?;
    let subject = LoanSubject {
        province: &province,
        cooperative_id: loan.fields.cooperative_id,
        bank: Some(&loan.fields.bank),
    };
    let shown = sees_hire_national_codes(&principal.role, &subject);
    let may_report =
        decide_job_report(Some(principal), &subject) == taavon_core::access::Decision::Allow;
    let application = read
        .application(loan.fields.application_id)
        .await?
        .ok_or_else(|| AppError::Internal(format!("loan {loan_id} has no application")))?;
    let (workshop, _) = read.loan_workshop(loan_id).await?;
    let hires = read.loan_hires(loan_id).await?;
    let reports = read.job_reports(loan_id).await?;
    read.finish().await?;
    let verified = |woman_only: bool| {
        let count = hires
            .iter()
            .filter(|h| h.verdict == HireVerdict::Status(HireStatus::Verified))
            .filter(|h| !woman_only || h.woman)
            .count();
        u64::try_from(count).unwrap_or(u64::MAX)
    };
    Ok(LoanJobsView {
        loan_id,
        planned: application.fields.jobs,
        planned_women: application.fields.women_jobs,
        reported: u64::try_from(hires.len()).unwrap_or(u64::MAX),
        verified: verified(false),
        verified_women: verified(true),
        workshop,
        hires: hires
            .iter()
            .map(|h| HireView {
                national_code: if shown {
                    h.national_code.as_str().to_owned()
                } else {
                    h.national_code.masked()
                },
                verdict: h.verdict,
                woman: h.verdict == HireVerdict::Status(HireStatus::Verified) && h.woman,
            })
            .collect(),
        reports,
        national_codes_masked: !shown,
        may_report,
    })
}

/// The fraud signals of a province, for its provincial officer.
pub async fn fraud_signals(
    store: &Store,
    principal: &Principal,
    province: &str,
) -> Result<Vec<FraudSignal>, AppError> {
    let province = ProvinceCode::parse(province).map_err(|_| {
        AppError::invalid(
            "province",
            "province_code",
            "کد استان معتبر نیست.",
            "Not a province code.",
        )
    })?;
    AppError::from_decision(decide_fraud_signals(Some(principal), &province))?;
    let mut read = store.read().await?;
    let rows = read.fraud_signals(&province, 10_000).await?;
    read.finish().await?;
    Ok(rows
        .into_iter()
        .filter_map(|h| match h.verdict {
            HireVerdict::Status(status) if status.is_fraud_signal() => Some(FraudSignal {
                loan_id: h.loan_id,
                national_code: h.national_code,
                status,
            }),
            _ => None,
        })
        .collect())
}

/// Re-verifies `touched` hires from the lists, then settles every claim on their people
/// (and on `released`, people a report no longer names) and writes what changed.
/// Answers (hires judged, verdicts changed).
pub async fn reverify(
    write: &mut WriteTx,
    rules: &VerificationRules,
    touched: Vec<HireRow>,
    released: &[NationalCode],
    upload_id: Option<i64>,
) -> Result<(u64, u64), AppError> {
    // Bounded working sets: a national upload may touch every hire in the country.
    const PEOPLE_PER_STEP: usize = 20_000;
    let mut by_person: BTreeMap<NationalCode, Vec<HireRow>> = BTreeMap::new();
    for hire in touched {
        by_person
            .entry(hire.national_code.clone())
            .or_default()
            .push(hire);
    }
    for code in released {
        by_person.entry(code.clone()).or_default();
    }
    let people: Vec<NationalCode> = by_person.keys().cloned().collect();
    let (mut judged, mut changed) = (0u64, 0u64);
    for step in people.chunks(PEOPLE_PER_STEP) {
        let touched_keys: BTreeSet<(i64, NationalCode)> = step
            .iter()
            .flat_map(|code| by_person.get(code).into_iter().flatten())
            .map(|h| (h.loan_id, h.national_code.clone()))
            .collect();
        let claims = write.hires_of_people(step).await?;
        let screenings = screen_touched(write, rules, &claims, &touched_keys).await?;
        let (mut updates, mut verified) = (Vec::new(), Vec::new());
        let mut of_person: BTreeMap<&NationalCode, Vec<(&HireRow, Option<Screening>)>> =
            BTreeMap::new();
        for hire in &claims {
            let key = (hire.loan_id, hire.national_code.clone());
            let screening = match screenings.get(&key) {
                Some(fresh) => *fresh,
                None => kept_screening(hire),
            };
            of_person
                .entry(&hire.national_code)
                .or_default()
                .push((hire, screening));
        }
        for hires in of_person.values() {
            let screened: Vec<(&HireRow, Option<Screening>, bool)> = hires
                .iter()
                .map(|(hire, screening)| {
                    let is_touched =
                        touched_keys.contains(&(hire.loan_id, hire.national_code.clone()));
                    (*hire, *screening, is_touched)
                })
                .collect();
            let (person_judged, person_changed) =
                settle_person(&screened, upload_id, &mut updates, &mut verified)?;
            judged += person_judged;
            changed += person_changed;
        }
        write.update_hire_verdicts(&updates).await?;
        emit_verified_hires(write, &verified).await?;
    }
    Ok((judged, changed))
}

/// Settles the claims on one person — each hire with its screening (`None` without a
/// workshop) and whether it was re-read (touched) — and adds to `updates` each hire
/// whose stored row must change: a new verdict or gender, or a touched hire's upload.
/// Each hire that becomes verified is added to `verified` too (its `job.verified` event).
/// Answers (hires judged, verdicts changed).
fn settle_person(
    hires: &[(&HireRow, Option<Screening>, bool)],
    upload_id: Option<i64>,
    updates: &mut Vec<HireUpdate>,
    verified: &mut Vec<VerifiedHire>,
) -> Result<(u64, u64), AppError> {
    let (mut judged, mut changed) = (0u64, 0u64);
    let judgeable: Vec<(Claim, Screening)> = hires
        .iter()
        .filter_map(|(hire, screening, _)| Some((claim_of(hire), (*screening)?)))
        .collect();
    let mut statuses = settle(&judgeable).into_iter();
    for (hire, screening, is_touched) in hires {
        let (verdict, woman) = match screening {
            None => (HireVerdict::NoWorkshop, false),
            Some(screening) => (
                HireVerdict::Status(
                    statuses
                        .next()
                        .ok_or_else(|| AppError::Internal("settle gave fewer statuses".into()))?,
                ),
                matches!(screening, Screening::Candidate { woman: true }),
            ),
        };
        judged += u64::from(*is_touched);
        if verdict != hire.verdict || woman != hire.woman || *is_touched && upload_id.is_some() {
            changed += u64::from(verdict != hire.verdict);
            if verdict == HireVerdict::Status(HireStatus::Verified) && verdict != hire.verdict {
                verified.push(VerifiedHire {
                    loan_id: hire.loan_id,
                    national_code: hire.national_code.clone(),
                    woman,
                    upload_id: if *is_touched {
                        upload_id.or(hire.upload_id)
                    } else {
                        hire.upload_id
                    },
                });
            }
            updates.push(HireUpdate {
                loan_id: hire.loan_id,
                national_code: hire.national_code.clone(),
                verdict,
                woman,
                upload_id: if *is_touched {
                    upload_id.or(hire.upload_id)
                } else {
                    hire.upload_id
                },
            });
        }
    }
    Ok((judged, changed))
}

/// Screens the touched hires among `claims` from their months on the lists.
async fn screen_touched(
    write: &mut WriteTx,
    rules: &VerificationRules,
    claims: &[HireRow],
    touched: &BTreeSet<(i64, NationalCode)>,
) -> Result<HashMap<(i64, NationalCode), Option<Screening>>, AppError> {
    let mut screenings = HashMap::new();
    let mut wanted: Vec<&HireRow> = Vec::new();
    for hire in claims {
        let key = (hire.loan_id, hire.national_code.clone());
        if !touched.contains(&key) {
            continue;
        }
        if hire.workshop.is_some() {
            wanted.push(hire);
        } else {
            screenings.insert(key, None);
        }
    }
    let pairs: Vec<(WorkshopCode, NationalCode)> = wanted
        .iter()
        .filter_map(|h| Some((h.workshop.clone()?, h.national_code.clone())))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let first = wanted
        .iter()
        .map(|h| rules.months_read(disbursed_month(h.disbursed_on)).0)
        .min();
    let mut months: HashMap<(WorkshopCode, NationalCode), Vec<InsuredMonth>> = HashMap::new();
    if let Some(first) = first {
        let found = write.insured_months(&pairs, first).await?;
        months.extend(pairs.into_iter().zip(found));
    }
    for hire in wanted {
        let record = hire
            .workshop
            .clone()
            .and_then(|w| months.get(&(w, hire.national_code.clone())))
            .map_or(&[][..], Vec::as_slice);
        screenings.insert(
            (hire.loan_id, hire.national_code.clone()),
            Some(rules.screen(disbursed_month(hire.disbursed_on), record)),
        );
    }
    Ok(screenings)
}

/// What a stored verdict says of a hire's own screening (a claim not re-read keeps it).
fn kept_screening(hire: &HireRow) -> Option<Screening> {
    match hire.verdict {
        HireVerdict::NoWorkshop => None,
        HireVerdict::Status(HireStatus::InsuredBefore) => Some(Screening::InsuredBefore),
        HireVerdict::Status(HireStatus::NotInsured) => Some(Screening::NotInsured),
        HireVerdict::Status(HireStatus::TooFewMonths) => Some(Screening::TooFewMonths),
        HireVerdict::Status(HireStatus::Verified | HireStatus::ClaimedElsewhere) => {
            Some(Screening::Candidate { woman: hire.woman })
        }
    }
}

fn claim_of(hire: &HireRow) -> Claim {
    Claim {
        disbursed_on: hire.disbursed_on,
        loan_id: hire.loan_id,
    }
}

fn disbursed_month(day: IsoDate) -> JalaliMonth {
    JalaliMonth::of(JalaliDate::from(day))
}

/// The contract's workshop code; if it has none, the borrower's from the registry is
/// copied onto it (audited), so a later change on the registry does not move old hires.
async fn contract_workshop(
    write: &mut WriteTx,
    loan_id: i64,
) -> Result<Option<WorkshopCode>, AppError> {
    match write.loan_workshop(loan_id).await? {
        (Some(contract), _) => Ok(Some(contract)),
        (None, Some(borrower)) => {
            write
                .set_workshop_code(WorkshopHolder::Loan(loan_id), Some(&borrower))
                .await?;
            Ok(Some(borrower))
        }
        (None, None) => Ok(None),
    }
}

fn parse_people(national_codes: &[String]) -> Result<Vec<NationalCode>, AppError> {
    if national_codes.len() > HIRES_PER_REPORT_MAX {
        return Err(AppError::invalid(
            "national_codes",
            "too_many",
            &format!("حداکثر {HIRES_PER_REPORT_MAX} نفر در هر گزارش."),
            &format!("At most {HIRES_PER_REPORT_MAX} people per report."),
        ));
    }
    let mut errors = Vec::new();
    let mut people = BTreeSet::new();
    for (index, text) in national_codes.iter().enumerate() {
        match NationalCode::parse(text) {
            Ok(code) => {
                people.insert(code);
            }
            Err(_) => errors.push(FieldError::new(
                format!("national_codes[{index}]"),
                "national_code",
                "کد ملی معتبر نیست.",
                "Not a valid national code.",
            )),
        }
    }
    if errors.is_empty() {
        Ok(people.into_iter().collect())
    } else {
        Err(AppError::Invalid(errors))
    }
}

fn workshop_of(digits: u64) -> Result<WorkshopCode, AppError> {
    WorkshopCode::parse(&format!("{digits:010}"))
        .map_err(|_| AppError::Internal(format!("workshop {digits} does not round-trip")))
}

/// A list's rows, read one at a time from a CSV stream or an XLSX sheet's cells.
struct ListRows {
    sheet: Sheet,
    /// Which cell holds each column (by `INSURED_COLUMNS` order).
    positions: [usize; 5],
    header_error: Option<Vec<RowError>>,
}

impl ListRows {
    fn open(path: &Path, format: Format, hashed: bool) -> Result<Self, AppError> {
        let (mut sheet, header) = if hashed {
            Sheet::open_hashed(path, format)?
        } else {
            Sheet::open(path, format)?
        };
        let (positions, header_error) = match header_positions(&header, &INSURED_COLUMNS, &[]) {
            Ok(found) => {
                let mut positions = [0usize; 5];
                for (slot, at) in positions.iter_mut().zip(found) {
                    *slot = at.unwrap_or(0);
                }
                (positions, None)
            }
            Err(errors) => ([0; 5], Some(errors)),
        };
        if header_error.is_some() {
            sheet.stop();
        }
        Ok(Self {
            sheet,
            positions,
            header_error,
        })
    }

    /// The next row (or its bad cells); none when the file is done.
    #[allow(clippy::type_complexity)]
    fn next(&mut self) -> Result<Option<Result<InsuredRow, Vec<RowError>>>, AppError> {
        if self.header_error.is_some() {
            return Ok(None);
        }
        Ok(self
            .sheet
            .next_cells()?
            .map(|(row, cells)| parse_row(row, &cells, &self.positions)))
    }
}

fn parse_row(
    row: usize,
    cells: &Cells<'_>,
    positions: &[usize; 5],
) -> Result<InsuredRow, Vec<RowError>> {
    let [workshop_at, code_at, gender_at, month_at, days_at] = *positions;
    let cell = |at: usize| cells.get(at);
    let mut errors = Vec::new();
    let mut bad = |column: &str, rule: &str, fa: &str, en: &str| {
        errors.push(RowError {
            row,
            column: column.into(),
            rule: rule.into(),
            message_fa: fa.into(),
            message_en: en.into(),
        });
    };
    let workshop = WorkshopCode::parse(cell(workshop_at));
    if workshop.is_err() {
        bad(
            "workshop",
            "workshop_code",
            "کد کارگاه ده رقم است.",
            "A workshop code is ten digits.",
        );
    }
    let code = NationalCode::parse(cell(code_at));
    if code.is_err() {
        bad(
            "national_code",
            "national_code",
            "کد ملی معتبر نیست.",
            "Not a valid national code.",
        );
    }
    let gender = Gender::parse_loose(cell(gender_at));
    if gender.is_none() {
        bad(
            "gender",
            "gender",
            "جنسیت زن یا مرد (F یا M) است.",
            "Gender is F or M.",
        );
    }
    let month = JalaliMonth::parse(cell(month_at));
    if month.is_err() {
        bad(
            "month",
            "jalali_month",
            "ماه به شکل ۱۴۰۳-۰۷ است.",
            "A month looks like 1403-07.",
        );
    }
    let days = taavon_core::digits::to_ascii_digits(cell(days_at))
        .trim()
        .parse::<u8>()
        .ok()
        .filter(|d| *d <= 31);
    if days.is_none() {
        bad(
            "days",
            "days",
            "روزهای بیمه عددی از ۰ تا ۳۱ است.",
            "Days insured is a number from 0 to 31.",
        );
    }
    match (workshop, code, gender, month, days) {
        (Ok(workshop), Ok(national_code), Some(gender), Ok(month), Some(days)) => Ok(InsuredRow {
            workshop,
            national_code,
            gender,
            month,
            days,
        }),
        _ => Err(errors),
    }
}
