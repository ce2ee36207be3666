//! `taavon bench dashboard`: the dashboard's reads at national scale. Into a database
//! without loans it writes `taavon synth`'s cooperatives and `bench eod`'s running loans
//! (each with its contracted application), closes a business date (the portfolio
//! snapshot), gives every application and loan the history the real paths record
//! (moves spread over days, disbursement, a repayment; a share copied into each state an
//! application waits in, so the inboxes have a backlog) and sums the kept figures from
//! it — or, asked to,
//! measures a database it loaded before as it is; then times the whole dashboard — every
//! read the page and the API make — for the ministry, a provincial officer and a bank's
//! officer over a month and a year. The yardstick, in the same run, is the
//! same area figures and funnel step days summed from the records themselves (the pass
//! per view the kept figures replace).

use std::time::{Duration, Instant};

use taavon_app::AppError;
use taavon_app::dashboard::{self, DashboardQuery};
use taavon_app::dashboard_steps::StepMedian;
use taavon_app::eod::{EodSettings, close_at};
use taavon_core::access::{ApplicationScope, Principal, Role, application_scope};
use taavon_core::applications::ApplicationState;
use taavon_core::calendar::IsoDate;
use taavon_core::reference::{BankCode, ProvinceCode, ReferenceData};
use taavon_core::timestamp::Timestamp;
use taavon_store::{DashboardFilter, DashboardGrouping, Store, synthesized_waiting_states};

use crate::synth::{self, SynthSize};

/// One timed read: what was read, its median and p99 over the runs.
#[derive(Clone, Debug)]
pub struct TimedRead {
    pub label: String,
    pub median: Duration,
    pub p99: Duration,
    /// The same area figures summed from the records, once.
    pub from_records: Duration,
    /// The kept histogram rows the funnel's step days read (the period and the one
    /// before), and the same counts taken from the records, once.
    pub step_rows: i64,
    pub steps_from_records: Duration,
    /// What the dashboard showed: each step's median days and how many applications
    /// wait in the role's inbox.
    pub steps: Vec<StepMedian>,
    pub inbox_total: i64,
}

/// What the dashboard benchmark measured.
#[derive(Clone, Debug)]
pub struct DashboardFigures {
    pub cooperatives: usize,
    pub loans: usize,
    /// The applications (contracted, or waiting: the benchmark writes no others), and
    /// those waiting in a state some role's inbox lists.
    pub applications: i64,
    pub waiting: i64,
    pub load: Duration,
    pub history: Duration,
    pub reads: Vec<TimedRead>,
}

/// Loads the data (unless `loaded`: a database this benchmark loaded before) and times
/// `reads` dashboards per role and period.
#[allow(clippy::too_many_arguments)]
pub async fn dashboard(
    store: &Store,
    cooperatives: usize,
    loans: usize,
    reads: usize,
    seed: u64,
    loaded: bool,
    progress: &(dyn Fn(usize, usize) + Sync),
    now: Timestamp,
) -> Result<DashboardFigures, AppError> {
    let mut read = store.read().await?;
    let existing = read.max_loan_id().await?;
    read.finish().await?;
    if (existing > 0) != loaded {
        return Err(AppError::Internal(if loaded {
            "bench dashboard --loaded needs a database it loaded before".into()
        } else {
            "bench dashboard needs a database without loans".into()
        }));
    }
    let first = super::eod::first_date()?;
    let (load, history) = if !loaded {
        load(store, (cooperatives, loans), (first, seed), progress, now).await?
    } else if has_history(store).await? {
        (Duration::ZERO, Duration::ZERO)
    } else {
        // An earlier run loaded the records and was stopped in their history (one
        // transaction, so none of it stayed): give them their history now.
        (Duration::ZERO, history(store, (first, seed), now).await?)
    };
    let officer = ProvinceCode::parse("IR-23").map_err(|e| AppError::Internal(e.to_string()))?;
    // The bank of the province's first branch, one the loans were spread over.
    let bank = ReferenceData::bundled()
        .map_err(|e| AppError::Internal(e.to_string()))?
        .branches
        .iter()
        .find(|b| b.province == officer)
        .map(|b| BankCode::parse(&b.bank))
        .transpose()
        .map_err(|e| AppError::Internal(e.to_string()))?
        .ok_or_else(|| AppError::Internal("no branch in IR-23".into()))?;
    let principal = |role| Principal {
        user_id: 0,
        username: "bench".into(),
        role,
    };
    let (applications, waiting) = application_counts(store).await?;
    let on = first.add_days(-1).to_string();
    let mut timed = Vec::new();
    for (who, reader) in [
        ("ministry", principal(Role::MinistryAdmin)),
        (
            "provincial officer (IR-23)",
            principal(Role::ProvincialOfficer { province: officer }),
        ),
        (
            "bank officer (national)",
            principal(Role::BankOfficer {
                bank,
                provinces: Vec::new(),
            }),
        ),
    ] {
        for period in ["month", "year"] {
            let query = DashboardQuery {
                period: Some(period.to_owned()),
                on: Some(on.clone()),
                from: None,
                to: None,
            };
            let mut times = Vec::with_capacity(reads);
            let mut shown = None;
            for _ in 0..reads.max(1) {
                let started = Instant::now();
                let answer = dashboard::dashboard(store, &reader, &query, now).await?;
                times.push(started.elapsed());
                shown = Some(answer);
            }
            times.sort();
            let at = |fraction: f64| {
                let index = ((times.len() as f64 - 1.0) * fraction).round() as usize;
                times.get(index).copied().unwrap_or_default()
            };
            let (span, previous) = query.read(first)?;
            let scope = application_scope(&reader);
            let mut read = store.read().await?;
            let started = Instant::now();
            read.dashboard_figures_from_records(
                &scope,
                &DashboardFilter {
                    grouping: DashboardGrouping::Area,
                    from: Some(span.from),
                    to: Some(span.to),
                },
            )
            .await?;
            let from_records = started.elapsed();
            let started = Instant::now();
            read.dashboard_step_days_from_records(&scope, Some(span.from), Some(span.to))
                .await?;
            let steps_from_records = started.elapsed();
            let mut step_rows = 0;
            for span in [span, previous] {
                step_rows += read
                    .dashboard_step_rows(&scope, Some(span.from), Some(span.to))
                    .await?;
            }
            read.finish().await?;
            let shown = shown.ok_or_else(|| AppError::Internal("no dashboard read".into()))?;
            timed.push(TimedRead {
                label: format!("{who}, {period}"),
                median: at(0.5),
                p99: at(0.99),
                from_records,
                step_rows,
                steps_from_records,
                steps: shown.steps,
                inbox_total: shown.inbox_total,
            });
        }
    }
    Ok(DashboardFigures {
        cooperatives,
        loans,
        applications,
        waiting,
        load,
        history,
        reads: timed,
    })
}

/// Writes the cooperatives, the loans with their applications, closes the `first` date
/// and gives the records their history: how long the load and the history took.
async fn load(
    store: &Store,
    (cooperatives, loans): (usize, usize),
    (first, seed): (IsoDate, u64),
    progress: &(dyn Fn(usize, usize) + Sync),
    now: Timestamp,
) -> Result<(Duration, Duration), AppError> {
    let started = Instant::now();
    synth::load(
        store,
        SynthSize {
            cooperatives,
            members: 0,
            seed,
        },
        progress,
        now,
    )
    .await?;
    super::eod::load(store, loans, seed, first, progress, now).await?;
    close_at(store, first, &EodSettings::default(), now).await?;
    let load = started.elapsed();
    Ok((load, history(store, (first, seed), now).await?))
}

/// Gives the loaded records their history (`Store::synthesize_dashboard_history`): how
/// long it took.
async fn history(
    store: &Store,
    (first, seed): (IsoDate, u64),
    now: Timestamp,
) -> Result<Duration, AppError> {
    let started = Instant::now();
    store.synthesize_dashboard_history(now, first, seed).await?;
    Ok(started.elapsed())
}

/// Whether the records have their history: any funnel step kept.
async fn has_history(store: &Store) -> Result<bool, AppError> {
    let mut read = store.read().await?;
    let steps = read
        .dashboard_step_days(&ApplicationScope::All, None, None)
        .await?;
    read.finish().await?;
    Ok(!steps.is_empty())
}

/// How many applications there are (contracted or waiting), and how many wait.
async fn application_counts(store: &Store) -> Result<(i64, i64), AppError> {
    let mut read = store.read().await?;
    let (_, waiting) = read
        .waiting_applications(&ApplicationScope::All, &synthesized_waiting_states(), 1)
        .await?;
    let (_, contracted) = read
        .waiting_applications(&ApplicationScope::All, &[ApplicationState::Contracted], 1)
        .await?;
    read.finish().await?;
    Ok((waiting + contracted, waiting))
}
