//! `taavon bench dashboard`: the dashboard's reads at national scale. Into a database
//! without loans it writes `taavon synth`'s cooperatives and `bench eod`'s running loans
//! (each with its contracted application), closes a business date (the portfolio
//! snapshot), gives every application and loan the history the real paths record
//! (moves, disbursement, a repayment) and sums the kept figures from it — or, asked to,
//! measures a database it loaded before as it is; then times the whole dashboard — every
//! read the page and the API make — for the ministry, a provincial officer and a bank's
//! officer over a month and a year. The yardstick, in the same run, is the
//! same area figures summed from the records themselves (the pass per view the kept
//! figures replace).

use std::time::{Duration, Instant};

use taavon_app::AppError;
use taavon_app::dashboard::{self, DashboardQuery};
use taavon_app::eod::{EodSettings, close_at};
use taavon_core::access::{Principal, Role, application_scope};
use taavon_core::reference::{BankCode, ProvinceCode, ReferenceData};
use taavon_core::timestamp::Timestamp;
use taavon_store::{DashboardFilter, DashboardGrouping, Store};

use crate::synth::{self, SynthSize};

/// One timed read: what was read, its median and p99 over the runs.
#[derive(Clone, Debug)]
pub struct TimedRead {
    pub label: String,
    pub median: Duration,
    pub p99: Duration,
    /// The same area figures summed from the records, once.
    pub from_records: Duration,
}

/// What the dashboard benchmark measured.
#[derive(Clone, Debug)]
pub struct DashboardFigures {
    pub cooperatives: usize,
    pub loans: usize,
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
    let (load, history) = if loaded {
        (Duration::ZERO, Duration::ZERO)
    } else {
        load(store, cooperatives, loans, seed, progress, now).await?
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
            for _ in 0..reads.max(1) {
                let started = Instant::now();
                dashboard::dashboard(store, &reader, &query, now).await?;
                times.push(started.elapsed());
            }
            times.sort();
            let at = |fraction: f64| {
                let index = ((times.len() as f64 - 1.0) * fraction).round() as usize;
                times.get(index).copied().unwrap_or_default()
            };
            let (span, _) = query.read(first)?;
            let started = Instant::now();
            let mut read = store.read().await?;
            read.dashboard_figures_from_records(
                &application_scope(&reader),
                &DashboardFilter {
                    grouping: DashboardGrouping::Area,
                    from: Some(span.from),
                    to: Some(span.to),
                },
            )
            .await?;
            read.finish().await?;
            timed.push(TimedRead {
                label: format!("{who}, {period}"),
                median: at(0.5),
                p99: at(0.99),
                from_records: started.elapsed(),
            });
        }
    }
    Ok(DashboardFigures {
        cooperatives,
        loans,
        load,
        history,
        reads: timed,
    })
}

/// Writes the cooperatives, the loans with their applications, closes the first date
/// and gives the records their history: how long the load and the history took.
async fn load(
    store: &Store,
    cooperatives: usize,
    loans: usize,
    seed: u64,
    progress: &(dyn Fn(usize, usize) + Sync),
    now: Timestamp,
) -> Result<(Duration, Duration), AppError> {
    let first = super::eod::first_date()?;
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
    let started = Instant::now();
    store.synthesize_dashboard_history(now).await?;
    let history = started.elapsed();

    Ok((load, history))
}
