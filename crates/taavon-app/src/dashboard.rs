//! The dashboards (issue 17): for a Jalali period (a month, a season, a year or a range
//! of days) and the period before it, what the reader's scope — exactly the applications
//! and loans the API lists for it (`access::application_scope`) — did: budgets by program
//! and province against what is committed, approved, disbursed and repaid; the funnel
//! from submission to disbursement with each step's median days; money over time; the
//! portfolio by class with its PAR trend; women's and the underprivileged counties'
//! shares; the verified jobs to date and their cost; the task inbox; and for an agency
//! officer, whose scope holds no application, the agency's funds and services.
//!
//! Every figure comes from kept sums (`dashboard_figures` by day, by Jalali month and
//! as running commitments; the histogram of step days; the end of day's portfolio
//! snapshots) or an indexed read of
//! what waits, never from a pass over the applications or loans, nor over every day
//! since the first; a representative's figures are its own cooperative's events.

use std::collections::BTreeMap;

use taavon_core::access::{ApplicationScope, Principal, application_scope, waiting_states};
use taavon_core::calendar::{IsoDate, JalaliDate, JalaliMonth};
use taavon_core::impact::figures::{Jobs, Period, PeriodKey};
use taavon_core::limits::TextKind;
use taavon_core::timestamp::Timestamp;
use taavon_store::{
    Application, DashboardCell, DashboardFilter, DashboardGrouping, DashboardSums, PortfolioPoint,
    Reader, Store,
};

use crate::dashboard_agency::{AgencyFigures, agency_figures};
use crate::dashboard_steps::{StepMedian, step_medians};
use crate::fields::optional_day;
use crate::{AppError, FieldError};

/// How many waiting applications the inbox lists (the count covers them all).
pub const INBOX_LISTED: i64 = 20;
/// The months the portfolio's trend covers, ending with the period's last.
pub const TREND_MONTHS: i32 = 12;

/// The periods a dashboard is asked for by.
pub const PERIODS: [&str; 4] = ["month", "season", "year", "range"];

/// The period asked for, as typed (the API's query, the page's form).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DashboardQuery {
    /// month (the default), season, year or range.
    pub period: Option<String>,
    /// A day in the period (either calendar; today by default).
    pub on: Option<String>,
    /// A range's first and last days (either calendar).
    pub from: Option<String>,
    pub to: Option<String>,
}

/// Days from `from` to `to`, inclusive, and the Jalali period they are when they are one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    pub from: IsoDate,
    pub to: IsoDate,
    pub key: Option<PeriodKey>,
}

/// One step of the over-time series: a day (a month's dashboard) or a Jalali month.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum SeriesKey {
    Day(IsoDate),
    Month(JalaliMonth),
}

/// A province's or a program's figures: the period's sums, what is committed at its
/// end and the budget over the scope's provinces.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AreaFigures {
    pub code: String,
    pub sums: DashboardSums,
    pub committed_rial: i64,
    pub budget_rial: i64,
}

/// A dashboard.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dashboard {
    pub scope: ApplicationScope,
    pub period: Span,
    pub previous: Span,
    pub totals: DashboardSums,
    pub previous_totals: DashboardSums,
    /// Each step of the funnel's median days, in the period and the one before.
    pub steps: Vec<StepMedian>,
    /// The period's sums in tier 1–2 counties.
    pub underprivileged: DashboardSums,
    /// Committed at the period's end, all provinces of the scope.
    pub committed_rial: i64,
    pub budget_rial: i64,
    /// By province and by program, in code order.
    pub provinces: Vec<AreaFigures>,
    pub programs: Vec<AreaFigures>,
    pub series: Vec<(SeriesKey, DashboardSums)>,
    /// The scope's loans to date with their verified jobs (the impact figures the
    /// synergy map keeps per county and bank: loans disbursed and not reversed, rials,
    /// verified jobs), whose cost per verified job is the core's.
    pub jobs: Jobs,
    /// The last closed date of each of the trend's months that has one.
    pub portfolio: Vec<PortfolioPoint>,
    pub inbox: Vec<Application>,
    pub inbox_total: i64,
    /// An agency officer's agency: its pooled funds and services (no applications).
    pub agency: Option<AgencyFigures>,
}

/// The dashboard of `principal` for the period `query` asks (by default the Jalali
/// month of `now` in Tehran).
pub async fn dashboard(
    store: &Store,
    principal: &Principal,
    query: &DashboardQuery,
    now: Timestamp,
) -> Result<Dashboard, AppError> {
    let (period, previous) = query.read(IsoDate::tehran_today(now.unix_seconds()))?;
    let scope = application_scope(principal);
    let mut read = store.read().await?;
    let area = |span: &Span| DashboardFilter {
        grouping: DashboardGrouping::Area,
        from: Some(span.from),
        to: Some(span.to),
    };
    let cells = read.dashboard_figures(&scope, &area(&period)).await?;
    let previous_cells = read.dashboard_figures(&scope, &area(&previous)).await?;
    // What is committed at the end: every move in and out of commitment until then.
    let committed = read.dashboard_committed(&scope, period.to).await?;
    let days = read
        .dashboard_figures(
            &scope,
            &DashboardFilter {
                grouping: if by_day(&period) {
                    DashboardGrouping::Day
                } else {
                    DashboardGrouping::Month
                },
                from: Some(period.from),
                to: Some(period.to),
            },
        )
        .await?;
    let step_days = read
        .dashboard_step_days(&scope, Some(period.from), Some(period.to))
        .await?;
    let previous_step_days = read
        .dashboard_step_days(&scope, Some(previous.from), Some(previous.to))
        .await?;
    let portfolio = read
        .portfolio_trend(&scope, &trend_spans(period.to))
        .await?;
    let (inbox, inbox_total) = read
        .waiting_applications(&scope, waiting_states(&principal.role), INBOX_LISTED)
        .await?;
    let budgets = budgets(&mut read, &scope).await?;
    let jobs = jobs_to_date(&mut read, &scope).await?;
    read.finish().await?;
    let agency = agency_figures(store, principal).await?;

    let by = |cells: &[DashboardCell], key: fn(&DashboardCell) -> &str| {
        let mut sums: BTreeMap<String, DashboardSums> = BTreeMap::new();
        for cell in cells {
            sums.entry(key(cell).to_owned())
                .or_default()
                .add(&cell.sums);
        }
        sums
    };
    let areas = |key: fn(&DashboardCell) -> &str, budget: fn(&(String, String)) -> &str| {
        let sums = by(&cells, key);
        let committed = by(&committed, key);
        let mut budget_of: BTreeMap<&str, i64> = BTreeMap::new();
        for (pair, amount) in &budgets {
            *budget_of.entry(budget(pair)).or_default() += amount;
        }
        let mut codes: Vec<&str> = sums
            .keys()
            .chain(committed.keys())
            .map(String::as_str)
            .chain(budget_of.keys().copied())
            .collect();
        codes.sort_unstable();
        codes.dedup();
        codes
            .into_iter()
            .map(|code| AreaFigures {
                code: code.to_owned(),
                sums: sums.get(code).copied().unwrap_or_default(),
                committed_rial: committed.get(code).map_or(0, |s| s.committed_rial),
                budget_rial: budget_of.get(code).copied().unwrap_or(0),
            })
            .collect::<Vec<_>>()
    };
    let provinces = areas(|c| &c.province, |(province, _)| province);
    let programs = areas(|c| &c.program, |(_, program)| program);
    let total = |cells: &[DashboardCell]| {
        let mut sums = DashboardSums::default();
        cells.iter().for_each(|c| sums.add(&c.sums));
        sums
    };
    let underprivileged: Vec<DashboardCell> = cells
        .iter()
        .filter(|c| c.underprivileged)
        .cloned()
        .collect();
    Ok(Dashboard {
        totals: total(&cells),
        previous_totals: total(&previous_cells),
        steps: step_medians(&step_days, &previous_step_days),
        underprivileged: total(&underprivileged),
        committed_rial: total(&committed).committed_rial,
        budget_rial: budgets.values().sum(),
        provinces,
        programs,
        series: series(&period, &days),
        jobs,
        portfolio,
        inbox,
        inbox_total,
        agency,
        scope,
        period,
        previous,
    })
}

/// Each program's budget per province of the scope, keyed (province, program): the
/// ministry's and auditors' every province, an officer's or a bank's listed ones, a
/// representative none (its cooperative has no budget of its own).
async fn budgets(
    read: &mut Reader,
    scope: &ApplicationScope,
) -> Result<BTreeMap<(String, String), i64>, AppError> {
    let in_scope = |province: &str| match scope {
        ApplicationScope::All => true,
        ApplicationScope::Provinces(list) => list.iter().any(|p| p.as_str() == province),
        ApplicationScope::Bank { provinces, .. } => {
            provinces.is_empty() || provinces.iter().any(|p| p.as_str() == province)
        }
        ApplicationScope::Cooperative(_) | ApplicationScope::None => false,
    };
    let mut budgets = BTreeMap::new();
    for program in read.programs().await? {
        for budget in read.program_budgets(&program.code).await? {
            if in_scope(&budget.province) {
                *budgets
                    .entry((budget.province, program.code.clone()))
                    .or_default() += budget.amount_rial;
            }
        }
    }
    Ok(budgets)
}

/// The scope's loans, rials disbursed and verified jobs to date, summed from the kept
/// county figures (a row per county and bank, never the loans or hires).
async fn jobs_to_date(read: &mut Reader, scope: &ApplicationScope) -> Result<Jobs, AppError> {
    let mut jobs = Jobs::default();
    for county in read.loan_county_figures(scope, None).await? {
        jobs.loans += county.loans;
        jobs.disbursed_rial += county.disbursed_rial;
        jobs.verified += county.verified_jobs;
    }
    Ok(jobs)
}

/// Whether the series of `period` is by day (a month or less) or by Jalali month.
fn by_day(period: &Span) -> bool {
    period.to.days_since_unix_epoch() - period.from.days_since_unix_epoch() < 31
}

/// The period's days (or months, each by its first day) folded into the series.
fn series(period: &Span, days: &[DashboardCell]) -> Vec<(SeriesKey, DashboardSums)> {
    let by_day = by_day(period);
    let mut series: BTreeMap<SeriesKey, DashboardSums> = BTreeMap::new();
    for cell in days {
        let Ok(day) = IsoDate::parse(&cell.day) else {
            continue;
        };
        let key = if by_day {
            SeriesKey::Day(day)
        } else {
            SeriesKey::Month(JalaliMonth::of(JalaliDate::from(day)))
        };
        series.entry(key).or_default().add(&cell.sums);
    }
    series.into_iter().collect()
}

/// The `TREND_MONTHS` Jalali months ending with the one `last` is in, as (first, last)
/// days, the last cut at `last`.
fn trend_spans(last: IsoDate) -> Vec<(IsoDate, IsoDate)> {
    let end = JalaliMonth::of(JalaliDate::from(last));
    (1 - TREND_MONTHS..=0)
        .map(|back| {
            let (from, to) = PeriodKey::Month(end.add_months(back)).days();
            (from, to.min(last))
        })
        .collect()
}

impl DashboardQuery {
    /// The period and the one before it, or every field that is wrong, named.
    pub fn read(&self, today: IsoDate) -> Result<(Span, Span), AppError> {
        crate::bounds::check_texts(&[
            ("period", self.period.as_deref(), TextKind::Code),
            ("on", self.on.as_deref(), TextKind::Date),
            ("from", self.from.as_deref(), TextKind::Date),
            ("to", self.to.as_deref(), TextKind::Date),
        ])?;
        let given = |text: &Option<String>| {
            text.as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
        };
        let mut errors = Vec::new();
        let (on, from, to) = (
            optional_day(&mut errors, "on", self.on.as_deref()),
            optional_day(&mut errors, "from", self.from.as_deref()),
            optional_day(&mut errors, "to", self.to.as_deref()),
        );
        let period = given(&self.period);
        let spans = match period.as_deref() {
            Some("range") => match (from, to) {
                (Some(from), Some(to)) if from <= to => {
                    let length = to.days_since_unix_epoch() - from.days_since_unix_epoch();
                    let current = Span {
                        from,
                        to,
                        key: None,
                    };
                    let before_to = from.add_days(-1);
                    Some((
                        current,
                        Span {
                            from: before_to.add_days(-length),
                            to: before_to,
                            key: None,
                        },
                    ))
                }
                (Some(_), Some(_)) => {
                    errors.push(FieldError::new(
                        "to",
                        "before_from",
                        "«تا تاریخ» پیش از «از تاریخ» است.",
                        "The end date is before the start date.",
                    ));
                    None
                }
                _ => {
                    for (field, value) in [("from", from), ("to", to)] {
                        if value.is_none() && errors.iter().all(|e| e.field != field) {
                            errors.push(FieldError::new(
                                field,
                                "required",
                                "بازهٔ دلخواه به «از تاریخ» و «تا تاریخ» نیاز دارد.",
                                "A custom range needs a start and an end date.",
                            ));
                        }
                    }
                    None
                }
            },
            other => match other.map_or(Some(Period::Month), Period::parse) {
                Some(period) => {
                    let key = PeriodKey::of(period, on.unwrap_or(today));
                    let span = |key: PeriodKey| {
                        let (from, to) = key.days();
                        Span {
                            from,
                            to,
                            key: Some(key),
                        }
                    };
                    Some((span(key), span(key.previous())))
                }
                None => {
                    errors.push(FieldError::new(
                        "period",
                        "one_of",
                        "دوره یکی از ماه، فصل، سال یا بازهٔ دلخواه است.",
                        "period is one of month, season, year, range.",
                    ));
                    None
                }
            },
        };
        match spans {
            Some(spans) if errors.is_empty() => Ok(spans),
            _ => Err(AppError::Invalid(errors)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> IsoDate {
        IsoDate::parse(text).unwrap()
    }

    fn asked(period: &str, on: &str, from: &str, to: &str) -> Result<(Span, Span), AppError> {
        let text = |t: &str| (!t.is_empty()).then(|| t.to_owned());
        DashboardQuery {
            period: text(period),
            on: text(on),
            from: text(from),
            to: text(to),
        }
        .read(day("2025-10-01"))
    }

    #[test]
    fn a_period_is_the_jalali_one_a_day_falls_in_with_the_one_before() {
        // Establishes the default (this Jalali month), a season from a Jalali date, and a
        // range compared with as many days before it.
        let (month, before) = asked("", "", "", "").unwrap();
        assert_eq!(
            (month.from, month.to),
            (day("2025-09-23"), day("2025-10-22"))
        );
        assert_eq!(
            (before.from, before.to),
            (day("2025-08-23"), day("2025-09-22"))
        );
        let (season, _) = asked("season", "1404/05/01", "", "").unwrap();
        assert_eq!(
            (season.from, season.to),
            (day("2025-06-22"), day("2025-09-22"))
        );
        let (range, before) = asked("range", "", "2025-01-11", "2025-01-20").unwrap();
        assert_eq!(
            (range.from, range.to, range.key),
            (day("2025-01-11"), day("2025-01-20"), None)
        );
        assert_eq!(
            (before.from, before.to),
            (day("2025-01-01"), day("2025-01-10"))
        );
    }

    #[test]
    fn a_range_needs_both_ends_in_order_and_a_period_is_named() {
        // Establishes each refusal names its field.
        let fields = |result: Result<(Span, Span), AppError>| match result {
            Err(AppError::Invalid(errors)) => {
                errors.into_iter().map(|e| e.field).collect::<Vec<_>>()
            }
            other => panic!("{other:?}"),
        };
        assert_eq!(fields(asked("range", "", "2025-01-11", "")), ["to"]);
        assert_eq!(
            fields(asked("range", "", "2025-01-11", "2025-01-01")),
            ["to"]
        );
        assert_eq!(fields(asked("week", "", "", "")), ["period"]);
        assert_eq!(fields(asked("", "yesterday", "", "")), ["on"]);
    }

    #[test]
    fn the_trend_covers_twelve_jalali_months_ending_at_the_period() {
        // Establishes the months' bounds, the last cut at the period's end.
        let spans = trend_spans(day("2025-10-01"));
        assert_eq!(spans.len(), 12);
        assert_eq!(spans.first(), Some(&(day("2024-10-22"), day("2024-11-20"))));
        assert_eq!(spans.last(), Some(&(day("2025-09-23"), day("2025-10-01"))));
    }
}
