//! The dashboard (issue 17) as JSON: the same figures as the page, for the same scope —
//! the applications and loans the caller's role lists — over a Jalali period and the
//! period before it.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use taavon_app::clock;
use taavon_app::dashboard::{self, AreaFigures, Dashboard, DashboardQuery, SeriesKey, Span};
use taavon_app::dashboard_agency::AgencyFigures;
use taavon_app::dashboard_steps::StepMedian;
use taavon_app::rows::{DashboardSums, PortfolioPoint};
use utoipa::{IntoParams, ToSchema};

use crate::api::fields;
use crate::api_json::ApiQuery;
use crate::auth::ApiUser;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// Which period.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DashboardParams {
    /// month (the default), season, year or range.
    #[param(value_type = Option<fields::DashboardPeriod>)]
    pub period: Option<String>,
    /// A day in the month, season or year (Jalali `1404/07/01` or ISO); today when blank.
    #[param(value_type = Option<fields::DateOrBlank>)]
    pub on: Option<String>,
    /// A range's first day.
    #[param(value_type = Option<fields::DateOrBlank>)]
    pub from: Option<String>,
    /// A range's last day.
    #[param(value_type = Option<fields::DateOrBlank>)]
    pub to: Option<String>,
}

/// A period: its days (ISO, inclusive) and its Jalali name (`1404-07`, `1404-S3`,
/// `1404`; none for a range).
#[derive(Serialize, ToSchema)]
pub struct SpanDto {
    pub from: String,
    pub to: String,
    pub period: Option<String>,
}

/// What the applications and loans did in a period.
#[derive(Serialize, ToSchema)]
pub struct SumsDto {
    /// Applications reaching each step of the funnel.
    pub submitted: i64,
    pub eligible: i64,
    pub approved: i64,
    pub referred: i64,
    pub contracted: i64,
    /// Loans disbursed for the first time.
    pub disbursed: i64,
    pub approved_rial: i64,
    /// Disbursed net of reversals, and of that to women-led applicants.
    pub disbursed_rial: i64,
    pub women_disbursed_rial: i64,
    /// Repayments and settlements net of reversals.
    pub repaid_rial: i64,
    /// Jobs the approved applications plan, and those for women.
    pub approved_jobs: i64,
    pub approved_women_jobs: i64,
}

/// A step of the funnel after submission: how many applications reached it and the
/// median calendar days they took from the step before, in the period and the one before.
#[derive(Serialize, ToSchema)]
pub struct StepMedianDto {
    /// `eligible` (from submission), `approved` (from eligible), `referred` (from
    /// approval), `contracted` (from referral) or `disbursed` (the loan's first
    /// disbursement, from the contract).
    #[schema(example = "approved")]
    pub step: String,
    pub applications: i64,
    /// The middle application's days (of an even count the lower middle one); null when
    /// none reached the step.
    pub median_days: Option<i64>,
    pub previous_applications: i64,
    pub previous_median_days: Option<i64>,
}

/// An agency officer's agency, to date: its deposits at the banks (the ledger's
/// balances) and the services it recorded in the officer's provinces.
#[derive(Serialize, ToSchema)]
pub struct AgencyFiguresDto {
    pub accounts: i64,
    /// Posted credits less posted debits over its deposit accounts.
    pub balance_rial: i64,
    /// Reserved by pending transfers (contracts not yet disbursed).
    pub reserved_rial: i64,
    pub services: i64,
    /// People the services served.
    pub people: i64,
}

/// A province's or a program's figures.
#[derive(Serialize, ToSchema)]
pub struct AreaDto {
    /// The province's or the program's code.
    pub code: String,
    pub budget_rial: i64,
    /// Approved, referred, approved by the bank or contracted at the period's end.
    pub committed_rial: i64,
    pub sums: SumsDto,
}

/// One step of the series: a day (over a month) or a Jalali month.
#[derive(Serialize, ToSchema)]
pub struct SeriesDto {
    /// `2025-10-01` or `1404-07`.
    pub at: String,
    pub disbursed_rial: i64,
    pub repaid_rial: i64,
}

/// The portfolio at a month's last closed business date.
#[derive(Serialize, ToSchema)]
pub struct PortfolioPointDto {
    pub business_on: String,
    pub loans: i64,
    pub outstanding_rial: i64,
    pub par30_rial: i64,
    pub par90_rial: i64,
    pub current_rial: i64,
    pub past_due_rial: i64,
    pub deferred_rial: i64,
    pub doubtful_rial: i64,
}

/// An application waiting for the caller.
#[derive(Serialize, ToSchema)]
pub struct WaitingDto {
    pub id: i64,
    pub province: String,
    pub program: String,
    pub status: String,
    pub amount_rial: i64,
    /// When it last moved (it waits since).
    pub since: Option<String>,
}

/// The dashboard.
#[derive(Serialize, ToSchema)]
pub struct DashboardDto {
    pub period: SpanDto,
    pub previous: SpanDto,
    pub totals: SumsDto,
    pub previous_totals: SumsDto,
    /// The funnel's median days per step, in its order, from the kept histogram of step
    /// durations.
    pub steps: Vec<StepMedianDto>,
    /// The period's sums in tier 1–2 counties.
    pub underprivileged: SumsDto,
    pub budget_rial: i64,
    pub committed_rial: i64,
    pub provinces: Vec<AreaDto>,
    pub programs: Vec<AreaDto>,
    pub series: Vec<SeriesDto>,
    /// The scope's jobs verified against the insured lists to date, for every loan
    /// disbursed and not reversed (not only the period's).
    pub verified_jobs: i64,
    /// Rials disbursed to date per verified job, rounded down; null with none verified.
    pub cost_per_verified_job_rial: Option<i64>,
    /// The twelve Jalali months to the period's end, each at its last closed date.
    pub portfolio: Vec<PortfolioPointDto>,
    /// The oldest applications waiting for the caller, and how many wait in all.
    pub inbox: Vec<WaitingDto>,
    pub inbox_total: i64,
    /// For an agency officer alone (whose scope holds no application): the agency.
    pub agency: Option<AgencyFiguresDto>,
}

/// The dashboard of the caller's scope — the nation for the ministry and auditors, a
/// provincial officer's province, a bank officer's referred applications and loans, a
/// representative's own cooperative — over a Jalali period and the one before it. From
/// kept sums, never a pass over the applications or loans. A wrong parameter is a 422
/// naming it.
#[utoipa::path(get, path = "/api/v1/dashboard", tag = "dashboard",
    security(("bearer" = [])), params(DashboardParams),
    responses((status = 200, body = DashboardDto), (status = 401, body = Problem),
              (status = 422, body = Problem, description = "A wrong `period`, `on`, `from` \
                or `to`, each named.")))]
pub async fn dashboard(
    State(state): State<AppState>,
    user: ApiUser,
    ApiQuery(query): ApiQuery<DashboardParams>,
) -> Result<Json<DashboardDto>, ApiError> {
    let found = dashboard::dashboard(
        &state.store,
        &user.principal,
        &DashboardQuery {
            period: query.period,
            on: query.on,
            from: query.from,
            to: query.to,
        },
        clock::now(),
    )
    .await?;
    Ok(Json(found.into()))
}

impl From<Span> for SpanDto {
    fn from(span: Span) -> Self {
        Self {
            from: span.from.to_string(),
            to: span.to.to_string(),
            period: span.key.map(|key| key.to_string()),
        }
    }
}

impl From<DashboardSums> for SumsDto {
    fn from(s: DashboardSums) -> Self {
        Self {
            submitted: s.submitted,
            eligible: s.eligible,
            approved: s.approved,
            referred: s.referred,
            contracted: s.contracted,
            disbursed: s.disbursed,
            approved_rial: s.approved_rial,
            disbursed_rial: s.disbursed_rial,
            women_disbursed_rial: s.women_disbursed_rial,
            repaid_rial: s.repaid_rial,
            approved_jobs: s.approved_jobs,
            approved_women_jobs: s.approved_women_jobs,
        }
    }
}

impl From<StepMedian> for StepMedianDto {
    fn from(m: StepMedian) -> Self {
        Self {
            step: m.step.code().to_owned(),
            applications: m.applications,
            median_days: m.median_days,
            previous_applications: m.previous_applications,
            previous_median_days: m.previous_median_days,
        }
    }
}

impl From<AgencyFigures> for AgencyFiguresDto {
    fn from(a: AgencyFigures) -> Self {
        Self {
            accounts: a.accounts,
            balance_rial: a.balance_rial,
            reserved_rial: a.reserved_rial,
            services: a.services,
            people: a.people,
        }
    }
}

impl From<AreaFigures> for AreaDto {
    fn from(a: AreaFigures) -> Self {
        Self {
            code: a.code,
            budget_rial: a.budget_rial,
            committed_rial: a.committed_rial,
            sums: a.sums.into(),
        }
    }
}

impl From<PortfolioPoint> for PortfolioPointDto {
    fn from(p: PortfolioPoint) -> Self {
        Self {
            current_rial: p.outstanding_rial - p.past_due_rial - p.deferred_rial - p.doubtful_rial,
            business_on: p.business_on,
            loans: p.loans,
            outstanding_rial: p.outstanding_rial,
            par30_rial: p.par30_rial,
            par90_rial: p.par90_rial,
            past_due_rial: p.past_due_rial,
            deferred_rial: p.deferred_rial,
            doubtful_rial: p.doubtful_rial,
        }
    }
}

impl From<Dashboard> for DashboardDto {
    fn from(d: Dashboard) -> Self {
        Self {
            period: d.period.into(),
            previous: d.previous.into(),
            totals: d.totals.into(),
            previous_totals: d.previous_totals.into(),
            steps: d.steps.into_iter().map(Into::into).collect(),
            underprivileged: d.underprivileged.into(),
            budget_rial: d.budget_rial,
            committed_rial: d.committed_rial,
            provinces: d.provinces.into_iter().map(Into::into).collect(),
            programs: d.programs.into_iter().map(Into::into).collect(),
            series: d
                .series
                .into_iter()
                .map(|(at, sums)| SeriesDto {
                    at: match at {
                        SeriesKey::Day(day) => day.to_string(),
                        SeriesKey::Month(month) => month.to_string(),
                    },
                    disbursed_rial: sums.disbursed_rial,
                    repaid_rial: sums.repaid_rial,
                })
                .collect(),
            verified_jobs: d.jobs.verified,
            cost_per_verified_job_rial: d.jobs.cost_per_verified_job_rial(),
            portfolio: d.portfolio.into_iter().map(Into::into).collect(),
            inbox: d
                .inbox
                .into_iter()
                .map(|a| WaitingDto {
                    id: a.id,
                    province: a.fields.province,
                    program: a.fields.program,
                    status: a.fields.status.code().to_owned(),
                    amount_rial: a.fields.amount_rial,
                    since: a.updated_at,
                })
                .collect(),
            inbox_total: d.inbox_total,
            agency: d.agency.map(Into::into),
        }
    }
}
