//! `taavon bench eod`: end of day over a deterministic synthetic portfolio, timed against
//! one plain UPDATE of every loan on the same engine in the same run.
//!
//! The portfolio: loans of 12 monthly installments over the 31 provinces, due days spread
//! over the month so that each business date about 1/30 of them has an installment
//! falling due; a quarter are 1 to 20 months behind so every class appears. Each loan is
//! written as it stands at the day before the first benchmark date, its numbers computed
//! by `taavon_core::loans::account` exactly as end of day would have kept them.

use std::time::{Duration, Instant};

use taavon_core::applications::ApplicationState;
use taavon_core::calendar::{IsoDate, JalaliDate};
use taavon_core::loans::account;
use taavon_core::loans::classification::{ClassificationRules, LoanClass};
use taavon_core::loans::product::ContractType;
use taavon_core::loans::rate::{DayBase, RateBp};
use taavon_core::loans::repayment::DEFAULT_ORDER;
use taavon_core::loans::schedule::{self, GraceMode, Method, ScheduleTerms};
use taavon_core::programs::{ApplicantKind, Financing};
use taavon_core::reference::{BankCode, BranchCode, ReferenceData};
use taavon_core::registry::{CooperativeKind, CooperativeStatus};
use taavon_core::timestamp::Timestamp;
use taavon_core::workdays::WorkingCalendar;
use taavon_store::{
    Actor, ClassTotals, InstallmentRow, LoanState, NewApplication, NewCooperative, NewLoan,
    RunningLoan, Store,
};

use crate::synth::SplitMix;
use taavon_app::AppError;
use taavon_app::eod::{DayReport, EodSettings, close_at};

/// The first business date the benchmark closes (1 Mehr 1404).
const FIRST_DATE: &str = "2025-09-23";
/// Loans written per transaction while loading.
const LOAD_BATCH: usize = 5_000;
const MONTHS: u16 = 12;
/// The program the synthetic loans are lent under (one of the demo programs).
const PROGRAM: &str = "note18";
/// Banks lending in every province (Sheba codes of the bundled reference data).
const BANKS: usize = 3;
const RATES_BP: [u32; 4] = [400, 800, 1_200, 1_800];

/// What the end-of-day benchmark measured.
#[derive(Clone, Debug)]
pub struct EodFigures {
    pub loans: usize,
    pub installments: usize,
    /// The database on disk after loading (see `Store::database_bytes`).
    pub database_bytes: i64,
    pub load: Duration,
    /// (a) closing the first date, (b) the next one, (c) the first again.
    pub first_close: Duration,
    pub first_report: DayReport,
    pub second_close: Duration,
    pub second_report: DayReport,
    pub rerun: Duration,
    /// (d) one UPDATE rewriting every loan.
    pub baseline: Duration,
    /// Peak resident memory of the process while loading, and while closing (kB).
    pub peak_rss_load_kb: Option<u64>,
    pub peak_rss_close_kb: Option<u64>,
    /// The open loans per class after the second close.
    pub classes: Vec<ClassTotals>,
}

/// The first business date the benchmark closes, as a date.
pub(crate) fn first_date() -> Result<IsoDate, AppError> {
    IsoDate::parse(FIRST_DATE).map_err(|e| AppError::Internal(e.to_string()))
}

/// Loads `loans` synthetic loans into an empty loan book, closes two dates, reruns the
/// first and times the baseline; fails if the rerun changed anything or a class is
/// missing at the end. `progress(done, total)` counts loans written.
pub async fn eod(
    store: &Store,
    loans: usize,
    seed: u64,
    progress: &(dyn Fn(usize, usize) + Sync),
    now: Timestamp,
) -> Result<EodFigures, AppError> {
    let mut read = store.read().await?;
    let existing = read.max_loan_id().await?;
    read.finish().await?;
    if existing > 0 {
        return Err(AppError::Internal(
            "bench eod needs a database without loans".into(),
        ));
    }
    let first = first_date()?;
    let started = Instant::now();
    load(store, loans, seed, first, progress, now).await?;
    let load_time = started.elapsed();
    let peak_rss_load_kb = peak_rss_kb();
    let database_bytes = store.database_bytes().await?;

    reset_peak_rss();
    let settings = EodSettings::default();
    let (first_close, first_report) = timed_close(store, first, &settings, now).await?;
    let (second_close, second_report) =
        timed_close(store, first.add_days(1), &settings, now).await?;
    let before = class_totals(store).await?;
    let started = Instant::now();
    let rerun = close_at(store, first, &settings, now).await?;
    let rerun_time = started.elapsed();
    let classes = class_totals(store).await?;
    let peak_rss_close_kb = peak_rss_kb();
    if rerun.is_some() || classes != before {
        return Err(AppError::Internal(format!(
            "closing {first} again changed the loans: {before:?} became {classes:?}"
        )));
    }
    let missing: Vec<&str> = [
        LoanClass::Current,
        LoanClass::PastDue,
        LoanClass::Deferred,
        LoanClass::Doubtful,
    ]
    .iter()
    .filter(|class| !classes.iter().any(|c| c.class == **class && c.loans > 0))
    .map(|class| class.code())
    .collect();
    if !missing.is_empty() {
        return Err(AppError::Internal(format!(
            "the synthetic portfolio has no loans in {missing:?}"
        )));
    }
    let baseline = store.baseline_full_update().await?;
    Ok(EodFigures {
        loans,
        installments: loans * usize::from(MONTHS),
        database_bytes,
        load: load_time,
        first_close,
        first_report,
        second_close,
        second_report,
        rerun: rerun_time,
        baseline,
        peak_rss_load_kb,
        peak_rss_close_kb,
        classes,
    })
}

async fn timed_close(
    store: &Store,
    day: IsoDate,
    settings: &EodSettings,
    now: Timestamp,
) -> Result<(Duration, DayReport), AppError> {
    let started = Instant::now();
    let report = close_at(store, day, settings, now)
        .await?
        .ok_or_else(|| AppError::Internal(format!("{day} was already closed")))?;
    Ok((started.elapsed(), report))
}

async fn class_totals(store: &Store) -> Result<Vec<ClassTotals>, AppError> {
    let mut read = store.read().await?;
    let totals = read.loan_class_totals().await?;
    read.finish().await?;
    Ok(totals)
}

/// Where the loans are lent: per province, its first county, a cooperative there and
/// the branches of the first banks.
struct Province {
    code: String,
    county: String,
    cooperative: i64,
    branches: Vec<(String, String)>,
}

pub(crate) async fn load(
    store: &Store,
    loans: usize,
    seed: u64,
    first: IsoDate,
    progress: &(dyn Fn(usize, usize) + Sync),
    now: Timestamp,
) -> Result<(), AppError> {
    taavon_app::reference::ensure_loaded(store, now).await?;
    let data = ReferenceData::bundled().map_err(|e| AppError::Internal(e.to_string()))?;
    let mut provinces: Vec<Province> = data
        .provinces
        .iter()
        .filter_map(|p| {
            let county = data.counties.iter().find(|c| c.province == p.code)?;
            Some(Province {
                code: p.code.as_str().to_owned(),
                county: county.code.as_str().to_owned(),
                cooperative: 0,
                branches: data
                    .branches
                    .iter()
                    .filter(|b| b.province == p.code)
                    .take(BANKS)
                    .map(|b| (b.bank.clone(), b.code.clone()))
                    .collect(),
            })
        })
        .collect();
    let mut write = store.write(Actor::system("bench"), now).await?;
    taavon_app::demo::programs::insert(&mut write).await?;
    let cooperatives: Vec<NewCooperative> = provinces
        .iter()
        .map(|p| NewCooperative {
            province: p.code.clone(),
            county: p.county.clone(),
            name: format!("تعاونی سنجش {}", p.code),
            name_key: taavon_core::text::search_key(&format!("تعاونی سنجش {}", p.code)),
            kind: CooperativeKind::Production,
            sector: "services".into(),
            legal_id: None,
            registration_number: None,
            registered_on: None,
            founded_on: None,
            women_led: false,
            status: CooperativeStatus::Active,
            address: None,
            phone: None,
        })
        .collect();
    let ids = write.insert_cooperatives_bulk(&cooperatives).await?;
    for (province, id) in provinces.iter_mut().zip(ids) {
        province.cooperative = id;
    }
    write.set_business_date(&first.to_string()).await?;
    write.commit().await?;

    let mut rng = SplitMix::new(seed);
    let working = WorkingCalendar::default();
    let rules = ClassificationRules::default();
    let mut done = 0;
    while done < loans {
        let count = LOAD_BATCH.min(loans - done);
        let mut applications = Vec::with_capacity(count);
        let mut running = Vec::with_capacity(count);
        for i in done..done + count {
            let province = provinces
                .get(rng.below(provinces.len() as u64) as usize)
                .ok_or_else(|| AppError::Internal("no province in the reference data".into()))?;
            let loan = synthetic_loan(&mut rng, i, seed, province, first, &working, &rules)?;
            applications.push(NewApplication {
                province: province.code.clone(),
                county: province.county.clone(),
                program: PROGRAM.into(),
                applicant_kind: ApplicantKind::Cooperative,
                cooperative_id: Some(province.cooperative),
                client_id: None,
                sector: "services".into(),
                amount_rial: loan.loan.principal_rial,
                jobs: 2,
                women_jobs: 1,
                purpose: "سرمایه در گردش".into(),
                financing: Financing::WorkingCapital,
                women_led: false,
                status: ApplicationState::Contracted,
            });
            running.push(loan);
        }
        let mut write = store.write(Actor::system("bench"), now).await?;
        let application_ids = write.insert_applications_bulk(&applications).await?;
        for (loan, id) in running.iter_mut().zip(application_ids) {
            loan.loan.application_id = id;
        }
        write.insert_running_loans_bulk(&running).await?;
        write.commit().await?;
        done += count;
        progress(done, loans);
    }
    Ok(())
}

/// Loan `i`: `paid` installments repaid on time, then `behind` months of installments
/// unpaid before `first` (none for three loans in four), the next one falling due
/// `phase` days after `first`.
fn synthetic_loan(
    rng: &mut SplitMix,
    i: usize,
    seed: u64,
    province: &Province,
    first: IsoDate,
    working: &WorkingCalendar,
    rules: &ClassificationRules,
) -> Result<RunningLoan, AppError> {
    let principal = (50 + rng.below(1_950) as i64) * 1_000_000;
    let rate_bp = RATES_BP
        .get(rng.below(RATES_BP.len() as u64) as usize)
        .copied()
        .unwrap_or(400);
    let behind = if rng.below(4) == 0 {
        1 + rng.below(20) as i32
    } else {
        0
    };
    let paid = rng.below(u64::from(MONTHS)) as i32;
    let phase = rng.below(30) as i64;
    let (bank, branch) = province
        .branches
        .get(rng.below(province.branches.len() as u64) as usize)
        .cloned()
        .ok_or_else(|| AppError::Internal(format!("no branch in {}", province.code)))?;
    let bank = BankCode::parse(&bank).map_err(|e| AppError::Internal(e.to_string()))?;
    let branch = BranchCode::parse(&branch).map_err(|e| AppError::Internal(e.to_string()))?;
    let start = JalaliDate::from(first.add_days(phase)).add_months(-(paid + 1 + behind));
    let terms = ScheduleTerms {
        principal,
        rate: RateBp::new(rate_bp).map_err(|e| AppError::Internal(e.to_string()))?,
        months: MONTHS,
        grace_months: 0,
        grace_mode: GraceMode::Paid,
        method: Method::Annuity,
        start,
        day_base: DayBase::default(),
    };
    let built = schedule::build(&terms).map_err(|e| AppError::Internal(e.to_string()))?;
    let mut rows = taavon_app::loans::installment_rows(&built, working, false);
    for row in rows.iter_mut().filter(|r| r.n <= i64::from(paid)) {
        row.paid_principal_rial = row.principal_rial;
        row.paid_profit_rial = row.profit_rial + row.grace_profit_rial;
        row.paid_fee_rial = row.fee_rial;
    }
    let closed_day = first.days_since_unix_epoch() - 1;
    let (state, class) = state_at(&rows, principal, i64::from(rate_bp), closed_day, rules);
    let contracted_on = IsoDate::from(start);
    Ok(RunningLoan {
        loan: NewLoan {
            province: province.code.clone(),
            application_id: 0,
            program: PROGRAM.into(),
            cooperative_id: Some(province.cooperative),
            client_id: None,
            contract_no: format!("{bank}-S{seed}-{i:07}"),
            bank,
            branch,
            contract_type: ContractType::CivilPartnership,
            principal_rial: principal,
            rate_bp: i64::from(rate_bp),
            months: i64::from(MONTHS),
            grace_months: 0,
            grace_mode: GraceMode::Paid,
            method: Method::Annuity,
            day_base: DayBase::default().days_per_year(),
            repayment_order: taavon_app::loans::order_code(&DEFAULT_ORDER),
            contracted_on: contracted_on.to_string(),
            reserve_transfer: None,
            closed_day,
        },
        state,
        class,
        schedule: rows,
    })
}

/// The numbers end of day keeps for a loan, as of `day`.
fn state_at(
    rows: &[InstallmentRow],
    disbursed: i64,
    rate_bp: i64,
    day: i64,
    rules: &ClassificationRules,
) -> (LoanState, LoanClass) {
    let installments = taavon_app::loans::accounts_of(rows);
    let totals = account::aggregates(&installments, disbursed, day);
    let days_overdue = totals
        .oldest_unpaid_due_day
        .map_or(0, |oldest| day - oldest);
    let class = rules.classify(days_overdue);
    let state = LoanState {
        outstanding_principal_rial: totals.outstanding_principal,
        due_unpaid_rial: totals.due_unpaid,
        oldest_unpaid_due_day: totals.oldest_unpaid_due_day,
        late_unpaid_rial: totals.late_unpaid,
        late_weight: totals.late_weight,
        late_rial_days_frozen: 0,
        penalty_charged_rial: account::late_charge_to_date(
            rate_bp,
            0,
            totals.late_unpaid,
            totals.late_weight,
            day,
        ),
        penalty_paid_rial: 0,
        days_overdue,
        provision_rial: rules.provision(totals.outstanding_principal, class),
        closed_day: day,
    };
    (state, class)
}

/// The process's peak resident memory (VmHWM), kB; `None` where /proc is not there.
pub(crate) fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}

/// The CPU time the process has used so far (user and system, all threads), from
/// /proc/self/stat's clock ticks (100 a second on Linux); `None` where /proc is not there.
/// On a shared machine a phase's rate per CPU-second is steadier than its wall rate.
pub(crate) fn cpu_time() -> Option<Duration> {
    const TICKS_PER_SECOND: u64 = 100;
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name (field 2) may hold spaces: count the fields after its ')'.
    let mut fields = stat.rsplit_once(')')?.1.split_whitespace().skip(11);
    let user: u64 = fields.next()?.parse().ok()?;
    let system: u64 = fields.next()?.parse().ok()?;
    Some(Duration::from_millis(
        (user + system) * 1000 / TICKS_PER_SECOND,
    ))
}

/// Starts the peak over from the current resident memory (Linux: writing 5 to
/// clear_refs), so the closing phase's peak is not the loading phase's. Where that is
/// not possible the peak stays the whole run's, which only overstates it.
pub(crate) fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}
