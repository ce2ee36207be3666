//! `taavon bench impact`: a deterministic synthetic insured-worker list written to a CSV
//! file and imported through the real use case (`import_insured_list`, as the demo's SSO
//! officer: the file read once, each batch written as it is checked), then the verification of reported hires against it through the same
//! re-verification an upload runs; the yardstick is a plain bulk INSERT of the same rows
//! into the same table on the same engine, measured first on the empty table.
//!
//! The list: people of four rows each, a hundred people per workshop, the months around
//! the disbursement month of the demo's loans. A person's kind, drawn from the seed, makes
//! the verdicts varied: one in ten was insured the month before (`insured_before`), one in
//! ten never has enough days (`not_insured`), one in ten has two good months
//! (`too_few_months`), the rest four (`verified`). The hires are the first `hires`
//! people, each reported by the loan of its workshop.

use std::io::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

use taavon_core::access::Principal;
use taavon_core::calendar::{IsoDate, JalaliDate, JalaliMonth};
use taavon_core::ids::{NationalCode, WorkshopCode};
use taavon_core::impact::{HireVerdict, InsuredRow, VerificationRules};
use taavon_core::reference::ProvinceCode;
use taavon_core::registry::Gender;
use taavon_core::timestamp::Timestamp;
use taavon_store::{Actor, NewHire, RunningLoan, Store};

use super::eod::{peak_rss_kb, reset_peak_rss};
use crate::synth::SplitMix;
use taavon_app::AppError;
use taavon_app::impact::{ListFile, import_insured_list, reverification_audit, reverify_upload};

/// Rows each synthetic person has on the list.
const MONTHS_PER_PERSON: u64 = 4;
/// People (and so hires) per workshop, and per loan.
const PEOPLE_PER_WORKSHOP: u64 = 100;
/// Rows generated at a time, for the file and for the baseline.
const BATCH: usize = 10_000;

/// What to measure.
#[derive(Clone, Copy, Debug)]
pub struct ImpactLoad {
    pub rows: u64,
    pub hires: u64,
    pub seed: u64,
}

/// What the benchmark measured.
#[derive(Clone, Debug)]
pub struct ImpactFigures {
    pub rows: u64,
    pub file_bytes: u64,
    pub import: Duration,
    pub import_peak_rss_kb: Option<u64>,
    pub baseline: Duration,
    pub hires: u64,
    pub loans: u64,
    /// Writing the loans and their reports (not the rule; for scale).
    pub report: Duration,
    pub verify: Duration,
    pub verify_peak_rss_kb: Option<u64>,
    pub hires_judged: u64,
    pub hires_changed: u64,
}

/// Runs the benchmark on `store`, which must hold the demo (its SSO officer and a
/// disbursed loan to copy) and no other list; the CSV goes to `scratch`.
pub async fn impact(
    store: &Store,
    load: ImpactLoad,
    scratch: &Path,
    progress: &(dyn Fn(u64, u64) + Sync),
    now: Timestamp,
) -> Result<ImpactFigures, AppError> {
    let people = load.rows / MONTHS_PER_PERSON;
    if load.hires > people {
        return Err(AppError::Internal(format!(
            "{} hires need at least {} rows",
            load.hires,
            load.hires * MONTHS_PER_PERSON
        )));
    }
    let (sso, template, disbursed_on) = demo_parts(store).await?;
    let disbursed = JalaliMonth::of(JalaliDate::from(disbursed_on));

    let mut rows = Synthetic::new(load, disbursed);
    let (baseline_rows, baseline) = store
        .baseline_insured_insert(&mut || rows.next_batch().ok().flatten())
        .await?;
    if baseline_rows != load.rows {
        return Err(AppError::Internal(format!(
            "the baseline wrote {baseline_rows} of {} rows",
            load.rows
        )));
    }

    // The baseline's rolled-back rows are dead tuples on PostgreSQL until autovacuum
    // reaches them, and the import's deletes of the pairs it replaces would walk them
    // in the primary key; a deployment imports into a vacuumed list, so the benchmark
    // does too.
    store.vacuum_impact_tables().await?;
    let path = scratch.join("insured.csv");
    let file_bytes = write_csv(&path, Synthetic::new(load, disbursed))?;
    reset_peak_rss();
    let started = Instant::now();
    let report = import_insured_list(
        store,
        &sso,
        ListFile {
            path: &path,
            name: "insured.csv",
        },
        &VerificationRules::default(),
        now,
        &mut |done| progress(done, load.rows),
    )
    .await?;
    let import = started.elapsed();
    let import_peak_rss_kb = peak_rss_kb();
    let _ = std::fs::remove_file(&path);
    let Some(upload_id) = report.upload_id else {
        return Err(AppError::Internal(format!(
            "the synthetic list was refused: {:?}",
            report.errors.first()
        )));
    };

    let started = Instant::now();
    let loans = report_hires(store, &template, disbursed_on, load, now).await?;
    let report = started.elapsed();
    // The baseline's rolled-back rows are dead tuples until autovacuum reaches them; a
    // deployment verifies against a vacuumed list, so the benchmark does too.
    store.vacuum_impact_tables().await?;

    let (verify, verify_peak_rss_kb, hires_judged, hires_changed) =
        time_verification(store, upload_id, now).await?;
    Ok(ImpactFigures {
        rows: load.rows,
        file_bytes,
        import,
        import_peak_rss_kb,
        baseline,
        hires: load.hires,
        loans,
        report,
        verify,
        verify_peak_rss_kb,
        hires_judged,
        hires_changed,
    })
}

/// The verification of a database that already holds this benchmark's run, timed again
/// (`taavon bench impact --verify-only`): the same work on the same data, to compare
/// two builds or two schemas. Answers the time, the peak RSS and the hires judged and
/// changed.
pub async fn verify_again(
    store: &Store,
    now: Timestamp,
) -> Result<(Duration, Option<u64>, u64, u64), AppError> {
    let mut read = store.read().await?;
    let upload = read.insured_uploads(1).await?;
    read.finish().await?;
    let Some(upload) = upload.first() else {
        return Err(AppError::Internal(
            "the database holds no list to verify against".into(),
        ));
    };
    store.vacuum_impact_tables().await?;
    time_verification(store, upload.id, now).await
}

/// Times the re-verification an upload runs, over every hire at its workshops.
async fn time_verification(
    store: &Store,
    upload_id: i64,
    now: Timestamp,
) -> Result<(Duration, Option<u64>, u64, u64), AppError> {
    reset_peak_rss();
    let started = Instant::now();
    let mut write = store.write(Actor::system("bench"), now).await?;
    let (hires_judged, hires_changed) =
        reverify_upload(&mut write, &VerificationRules::default(), upload_id).await?;
    write.audit(reverification_audit(upload_id));
    write.commit().await?;
    Ok((
        started.elapsed(),
        peak_rss_kb(),
        hires_judged,
        hires_changed,
    ))
}

/// The demo's SSO officer, and a disbursed cooperative loan with its disbursement date.
async fn demo_parts(store: &Store) -> Result<(Principal, taavon_store::Loan, IsoDate), AppError> {
    let mut read = store.read().await?;
    let sso = read
        .user_by_username("sso")
        .await?
        .ok_or_else(|| AppError::Internal("the demo's SSO officer is missing".into()))?;
    let (loans, _) = read
        .loans(
            &taavon_core::access::ApplicationScope::All,
            &taavon_store::LoanFilter::default(),
            100,
            0,
        )
        .await?;
    for loan in loans {
        if let Some(day) = read.first_disbursement(loan.id).await? {
            read.finish().await?;
            return Ok((taavon_app::auth::principal_of(&sso), loan, day));
        }
    }
    Err(AppError::Internal("the demo has no disbursed loan".into()))
}

/// One loan per workshop with hires, copied from `template`, each reporting its
/// workshop's people among the first `hires`. Answers the loans written.
async fn report_hires(
    store: &Store,
    template: &taavon_store::Loan,
    disbursed_on: IsoDate,
    load: ImpactLoad,
    now: Timestamp,
) -> Result<u64, AppError> {
    let loans = load.hires.div_ceil(PEOPLE_PER_WORKSHOP);
    let province = ProvinceCode::parse(&template.fields.province)
        .map_err(|_| AppError::Internal("the template loan's province".into()))?;
    let mut write = store.write(Actor::system("bench"), now).await?;
    let application = write
        .application(template.fields.application_id)
        .await?
        .ok_or_else(|| AppError::Internal("the template loan's application".into()))?;
    let count = usize::try_from(loans).unwrap_or(usize::MAX);
    let application_ids = write
        .insert_applications_bulk(&vec![application.fields.clone(); count])
        .await?;
    let running: Vec<RunningLoan> = application_ids
        .iter()
        .map(|application_id| RunningLoan {
            loan: taavon_store::NewLoan {
                application_id: *application_id,
                contract_no: format!("bench-impact-{application_id}"),
                ..template.fields.clone()
            },
            state: template.state,
            class: template.class,
            schedule: Vec::new(),
        })
        .collect();
    let loan_ids = write.insert_running_loans_bulk(&running).await?;
    for (workshop, loan_id) in (0u64..).zip(&loan_ids) {
        let first = workshop * PEOPLE_PER_WORKSHOP;
        let last = (first + PEOPLE_PER_WORKSHOP).min(load.hires);
        let hires: Vec<NewHire> = (first..last)
            .map(|person| {
                Ok(NewHire {
                    national_code: national_code(person)?,
                    workshop: Some(workshop_code(workshop)?),
                    disbursed_on,
                    // Replaced by the verification the benchmark times.
                    verdict: HireVerdict::NoWorkshop,
                    woman: false,
                })
            })
            .collect::<Result<_, AppError>>()?;
        let report = write
            .record_job_report(*loan_id, &province, false, &hires)
            .await?;
        write
            .insert_hires(*loan_id, &province, report, &hires)
            .await?;
    }
    write.commit().await?;
    Ok(loans)
}

/// The synthetic list, row by row in a fixed order.
struct Synthetic {
    rows: u64,
    next: u64,
    disbursed: JalaliMonth,
    seed: u64,
}

impl Synthetic {
    fn new(load: ImpactLoad, disbursed: JalaliMonth) -> Self {
        Self {
            rows: load.rows,
            next: 0,
            disbursed,
            seed: load.seed,
        }
    }

    /// The next rows (up to `BATCH`), `None` once all are given.
    fn next_batch(&mut self) -> Result<Option<Vec<InsuredRow>>, AppError> {
        if self.next >= self.rows {
            return Ok(None);
        }
        let end = (self.next + BATCH as u64).min(self.rows);
        let batch = (self.next..end)
            .map(|row| self.row(row))
            .collect::<Result<_, _>>()?;
        self.next = end;
        Ok(Some(batch))
    }

    fn row(&self, row: u64) -> Result<InsuredRow, AppError> {
        let person = row / MONTHS_PER_PERSON;
        let k = i32::try_from(row % MONTHS_PER_PERSON).unwrap_or(0);
        // The person's kind, fixed by the seed.
        let kind = SplitMix::new(self.seed ^ person.wrapping_mul(0x9e37_79b9)).below(10);
        let (offset, days) = match kind {
            0 => (if k == 0 { -1 } else { k }, 30),
            1 => (k + 1, 10),
            2 => (k + 1, if k < 2 { 30 } else { 5 }),
            _ => (k + 1, 30),
        };
        Ok(InsuredRow {
            workshop: workshop_code(person / PEOPLE_PER_WORKSHOP)?,
            national_code: national_code(person)?,
            gender: if person.is_multiple_of(2) {
                Gender::Female
            } else {
                Gender::Male
            },
            month: self.disbursed.add_months(offset),
            days,
        })
    }
}

fn national_code(person: u64) -> Result<NationalCode, AppError> {
    NationalCode::with_check_digit(&format!("{:09}", 100_000_000 + person))
        .ok_or_else(|| AppError::Internal(format!("no national code for person {person}")))
}

fn workshop_code(workshop: u64) -> Result<WorkshopCode, AppError> {
    WorkshopCode::parse(&format!("{:010}", 3_000_000_000 + workshop))
        .map_err(|e| AppError::Internal(format!("workshop {workshop}: {e}")))
}

/// Writes the list as the SSO would send it (English headers); answers its size.
fn write_csv(path: &Path, mut rows: Synthetic) -> Result<u64, AppError> {
    let io = |e: std::io::Error| AppError::Internal(format!("{}: {e}", path.display()));
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).map_err(io)?);
    out.write_all(b"workshop,national_code,gender,month,days\n")
        .map_err(io)?;
    while let Some(batch) = rows.next_batch()? {
        for row in batch {
            let gender = match row.gender {
                Gender::Female => "F",
                Gender::Male => "M",
            };
            writeln!(
                out,
                "{},{},{gender},{},{}",
                row.workshop.as_str(),
                row.national_code.as_str(),
                row.month,
                row.days
            )
            .map_err(io)?;
        }
    }
    let file = out.into_inner().map_err(|e| io(e.into_error()))?;
    Ok(file.metadata().map_err(io)?.len())
}
