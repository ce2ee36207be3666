//! Jobs (issue 14): the SSO insured-worker lists (a streamed upload, then counts or
//! uploads by who asks), the hires a borrower reports on a loan with each one's
//! verification, the province's fraud signals, and a borrower's SSO workshop code.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use taavon_app::clock;
use taavon_app::impact::{
    self, Borrower, InsuredListView, InsuredUpload, ListFile, LoanJobsView, ReportMode, figures,
};
use tokio::io::AsyncWriteExt;
use utoipa::{IntoParams, ToSchema};

use crate::api::fields;
use crate::api::keyed::{IdempotencyKey, KeyOnly, Keyed};
use crate::api_json::ApiQuery;
use crate::auth::ApiUser;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// The media types of a list: CSV, or an Excel workbook.
pub const CSV: &str = "text/csv";
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The largest list accepted (a national month is ~15 million rows, under 1 GiB as CSV).
pub const INSURED_LIST_BYTES_MAX: u64 = 4 * 1024 * 1024 * 1024;

/// The routes whose body is streamed to disk rather than held (exempt from the 1 MiB
/// body limit; they have their own, `INSURED_LIST_BYTES_MAX`): the insured-worker lists
/// and an agency's services (`api::services`).
pub const STREAMED_ROUTES: [&str; 2] = ["/api/v1/impact/insured-lists", "/api/v1/services/imports"];

/// A stored upload of an insured-worker list.
#[derive(Serialize, ToSchema)]
pub struct InsuredUploadDto {
    pub id: i64,
    pub uploaded_by: String,
    pub uploaded_at: String,
    pub file_name: String,
    /// SHA-256 of the file's bytes, hexadecimal.
    pub content_sha256: String,
    pub rows: i64,
    pub workshops: i64,
    /// Jalali YYYY-MM.
    pub first_month: String,
    pub last_month: String,
}

/// What the stored lists hold: counts for everyone, uploads only for those who read rows.
#[derive(Serialize, ToSchema)]
pub struct InsuredListsDto {
    /// `rows` (SSO officers, the ministry, auditors) or `counts` (everyone else).
    pub view: String,
    pub rows: i64,
    pub workshops: i64,
    pub months: i64,
    pub upload_count: i64,
    /// Newest first, at most 100; empty for the `counts` view.
    pub uploads: Vec<InsuredUploadDto>,
}

/// The people hired for a loan, by national code.
#[derive(Deserialize, ToSchema)]
pub struct HiresDto {
    #[schema(value_type = Vec<fields::NationalCode>, max_items = 10000)]
    pub national_codes: Vec<String>,
}

/// One reported hire and why it is or is not a verified job.
#[derive(Serialize, ToSchema)]
pub struct HireDto {
    /// The national code, or `******` and its last four digits for a reader who may not
    /// know the person.
    pub national_code: String,
    /// verified, insured_before, not_insured, too_few_months, claimed_elsewhere, or
    /// no_workshop (the contract has no SSO workshop code, so it cannot be verified).
    pub status: String,
    /// A verified job held by a woman.
    pub woman: bool,
}

/// A job report or an amendment.
#[derive(Serialize, ToSchema)]
pub struct JobReportDto {
    pub id: i64,
    pub amendment: bool,
    pub hire_count: i64,
    pub reported_by: String,
    pub reported_at: String,
}

/// A loan's jobs: planned (on the application), reported and verified, kept apart.
#[derive(Serialize, ToSchema)]
pub struct LoanJobsDto {
    pub loan_id: i64,
    pub planned: i64,
    pub planned_women: i64,
    pub reported: u64,
    pub verified: u64,
    pub verified_women: u64,
    /// The contract's SSO workshop code, if it has one.
    pub workshop_code: Option<String>,
    pub national_codes_masked: bool,
    /// Whether the caller may report or amend the hires.
    pub may_report: bool,
    pub hires: Vec<HireDto>,
    pub reports: Vec<JobReportDto>,
}

/// A hire the provincial officer should review.
#[derive(Serialize, ToSchema)]
pub struct FraudSignalDto {
    pub loan_id: i64,
    pub national_code: String,
    /// insured_before or claimed_elsewhere.
    pub status: String,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FraudSignalsQuery {
    #[param(value_type = fields::ProvinceCode)]
    pub province: String,
}

/// Which figures: the grouping, the Jalali period and the days of first disbursement.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FiguresParams {
    /// province (the default), county, sector, program or bank.
    /// Blank: by province.
    #[param(value_type = Option<fields::ImpactGrouping>)]
    pub by: Option<String>,
    /// month, season or year (the default): Jalali periods of the first disbursement.
    /// Blank: by year.
    #[param(value_type = Option<fields::ImpactPeriod>)]
    pub period: Option<String>,
    /// First disbursed on or after this day (Jalali `1403/07/01` or ISO `2024-09-22`).
    #[param(value_type = Option<fields::DateOrBlank>)]
    pub from: Option<String>,
    /// First disbursed on or before this day.
    #[param(value_type = Option<fields::DateOrBlank>)]
    pub to: Option<String>,
}

/// Jobs and money summed over loans.
#[derive(Serialize, ToSchema)]
pub struct JobsDto {
    /// Loans disbursed.
    pub loans: i64,
    /// Rials disbursed on them.
    pub disbursed_rial: i64,
    /// Jobs the applications planned.
    pub planned: i64,
    /// Hires the borrowers reported.
    pub reported: i64,
    /// Reported hires the insured-worker lists confirm.
    pub verified: i64,
    pub verified_women: i64,
    /// Women's share of the verified jobs, in basis points; null when none is verified.
    pub women_share_bp: Option<i64>,
    /// Verified jobs of loans in underprivileged counties (deprivation tiers 1–2).
    pub verified_underprivileged: i64,
    /// Rials disbursed per verified job, rounded down; null when none is verified.
    pub cost_per_verified_job_rial: Option<i64>,
    /// Verified per reported hire, in basis points; null when none is reported.
    pub verification_rate_bp: Option<i64>,
}

/// One group in one Jalali period.
#[derive(Serialize, ToSchema)]
pub struct FigureRowDto {
    /// The group's code (province, county, sector, program or bank).
    pub group: String,
    /// `1403-07` (month), `1403-S3` (the third season, autumn) or `1403` (year).
    pub period: String,
    #[serde(flatten)]
    pub jobs: JobsDto,
}

/// The figures and their totals.
#[derive(Serialize, ToSchema)]
pub struct FiguresDto {
    pub by: String,
    pub period: String,
    /// By period, then group.
    pub rows: Vec<FigureRowDto>,
    pub totals: JobsDto,
}

impl From<figures::Jobs> for JobsDto {
    fn from(j: figures::Jobs) -> Self {
        Self {
            loans: j.loans,
            disbursed_rial: j.disbursed_rial,
            planned: j.planned,
            reported: j.reported,
            verified: j.verified,
            verified_women: j.verified_women,
            women_share_bp: j.women_share_bp(),
            verified_underprivileged: j.verified_underprivileged,
            cost_per_verified_job_rial: j.cost_per_verified_job_rial(),
            verification_rate_bp: j.verification_rate_bp(),
        }
    }
}

/// A borrower's SSO workshop code; null clears it.
#[derive(Deserialize, Serialize, ToSchema)]
pub struct WorkshopCodeDto {
    #[schema(value_type = Option<fields::WorkshopCode>)]
    pub workshop_code: Option<String>,
}

impl From<InsuredUpload> for InsuredUploadDto {
    fn from(u: InsuredUpload) -> Self {
        Self {
            id: u.id,
            uploaded_by: u.uploaded_by,
            uploaded_at: u.uploaded_at,
            file_name: u.file_name,
            content_sha256: u.content_sha256,
            rows: u.row_count,
            workshops: u.workshop_count,
            first_month: u.first_month.to_string(),
            last_month: u.last_month.to_string(),
        }
    }
}

impl From<LoanJobsView> for LoanJobsDto {
    fn from(v: LoanJobsView) -> Self {
        Self {
            loan_id: v.loan_id,
            planned: v.planned,
            planned_women: v.planned_women,
            reported: v.reported,
            verified: v.verified,
            verified_women: v.verified_women,
            workshop_code: v.workshop.map(|w| w.as_str().to_owned()),
            national_codes_masked: v.national_codes_masked,
            may_report: v.may_report,
            hires: v
                .hires
                .into_iter()
                .map(|h| HireDto {
                    national_code: h.national_code,
                    status: h.verdict.code().to_owned(),
                    woman: h.woman,
                })
                .collect(),
            reports: v
                .reports
                .into_iter()
                .map(|r| JobReportDto {
                    id: r.id,
                    amendment: r.amendment,
                    hire_count: r.hire_count,
                    reported_by: r.reported_by,
                    reported_at: r.reported_at,
                })
                .collect(),
        }
    }
}

/// Uploads a month's insured-worker list (SSO officers). The body is the file itself,
/// streamed to disk: CSV (UTF-8, a byte-order mark allowed) or XLSX, with the columns
/// workshop code, national code, gender, Jalali month, days insured (Persian or English
/// headers, any digits). A corrected list for a month replaces that month's rows of the
/// workshops it holds; the hires at those workshops are verified again. A file with a
/// bad row stores nothing: 422 names each, `rows[N].column` (N its line, 1 the header).
/// An `Idempotency-Key` retried with the same bytes answers the first upload.
#[utoipa::path(post, path = "/api/v1/impact/insured-lists", tag = "impact",
    security(("bearer" = [])),
    request_body(description = "The list's file.",
        content((String = "text/csv"),
                (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
    responses((status = 201, body = InsuredUploadDto),
              (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 413, body = Problem), (status = 415, body = Problem),
              (status = 422, body = Problem, description = "A bad row (each named), an empty \
                file, or an Idempotency-Key used with other bytes.")))]
pub async fn upload_list(
    State(state): State<AppState>,
    user: ApiUser,
    KeyOnly(key): KeyOnly,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let (file, extension) = match receive_table(&headers, body).await {
        Ok(received) => received,
        Err(response) => return Ok(response),
    };
    let name = format!("list.{extension}");
    let upload = impact::upload_insured_list(
        &state.store,
        &user.principal,
        ListFile {
            path: &file.path,
            name: &name,
        },
        &file.sha256,
        &state.config.impact,
        key.as_ref().map(IdempotencyKey::get),
        clock::now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(InsuredUploadDto::from(upload))).into_response())
}

/// What the insured-worker lists hold: every reader sees counts; SSO officers, the
/// ministry and auditors also see the uploads.
#[utoipa::path(get, path = "/api/v1/impact/insured-lists", tag = "impact",
    security(("bearer" = [])),
    responses((status = 200, body = InsuredListsDto), (status = 401, body = Problem)))]
pub async fn lists(
    State(state): State<AppState>,
    user: ApiUser,
) -> Result<Json<InsuredListsDto>, ApiError> {
    let view = impact::insured_lists(&state.store, &user.principal).await?;
    Ok(Json(InsuredListsDto {
        view: match view.view {
            InsuredListView::Rows => "rows",
            InsuredListView::Counts => "counts",
        }
        .to_owned(),
        rows: view.counts.rows,
        workshops: view.counts.workshops,
        months: view.counts.months,
        upload_count: view.counts.uploads,
        uploads: view.uploads.into_iter().map(Into::into).collect(),
    }))
}

/// A loan's jobs: planned, reported and verified, and each hire's status; national codes
/// masked for readers who may not know the people (a bank).
#[utoipa::path(get, path = "/api/v1/loans/{id}/hires", tag = "impact",
    security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = LoanJobsDto), (status = 401, body = Problem),
              (status = 404, body = Problem, description = "Unknown, or outside your scope.")))]
pub async fn hires(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<LoanJobsDto>, ApiError> {
    Ok(Json(
        impact::loan_jobs(&state.store, &user.principal, id)
            .await?
            .into(),
    ))
}

/// Reports people hired for a disbursed loan (added to those reported before): the
/// borrower's representative, or a provincial officer for an individual client's loan.
#[utoipa::path(post, path = "/api/v1/loans/{id}/hires", tag = "impact", request_body = HiresDto,
    security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 201, body = LoanJobsDto), (status = 401, body = Problem),
              (status = 403, body = Problem),
              (status = 404, body = Problem, description = "Unknown, or outside your scope."),
              (status = 409, body = Problem, description = "The loan is not disbursed yet."),
              (status = 422, body = Problem)))]
pub async fn report(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    Keyed { body, key }: Keyed<HiresDto>,
) -> Result<(StatusCode, Json<LoanJobsDto>), ApiError> {
    let jobs = report_with(&state, &user, id, &body, ReportMode::Add, key).await?;
    Ok((StatusCode::CREATED, Json(jobs)))
}

/// Amends a loan's job report: the hires become exactly those named.
#[utoipa::path(put, path = "/api/v1/loans/{id}/hires", tag = "impact", request_body = HiresDto,
    security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = LoanJobsDto), (status = 401, body = Problem),
              (status = 403, body = Problem),
              (status = 404, body = Problem, description = "Unknown, or outside your scope."),
              (status = 409, body = Problem, description = "The loan is not disbursed yet."),
              (status = 422, body = Problem)))]
pub async fn amend(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    Keyed { body, key }: Keyed<HiresDto>,
) -> Result<Json<LoanJobsDto>, ApiError> {
    Ok(Json(
        report_with(&state, &user, id, &body, ReportMode::Replace, key).await?,
    ))
}

/// The fraud signals of a province (its provincial officer alone): hires insured at the
/// workshop before the loan, or claimed by another loan disbursed earlier.
#[utoipa::path(get, path = "/api/v1/impact/fraud-signals", tag = "impact",
    security(("bearer" = [])), params(FraudSignalsQuery),
    responses((status = 200, body = [FraudSignalDto]), (status = 401, body = Problem),
              (status = 403, body = Problem),
              (status = 404, body = Problem, description = "Another province's.")))]
pub async fn fraud_signals(
    State(state): State<AppState>,
    user: ApiUser,
    ApiQuery(query): ApiQuery<FraudSignalsQuery>,
) -> Result<Json<Vec<FraudSignalDto>>, ApiError> {
    let signals = impact::fraud_signals(&state.store, &user.principal, &query.province).await?;
    Ok(Json(
        signals
            .into_iter()
            .map(|s| FraudSignalDto {
                loan_id: s.loan_id,
                national_code: s.national_code.as_str().to_owned(),
                status: s.status.code().to_owned(),
            })
            .collect(),
    ))
}

/// The impact figures over the loans in the caller's scope (a provincial officer's
/// province, a bank's loans, a representative's cooperative): per group and Jalali period
/// of first disbursement, loans and rials disbursed, planned / reported / verified jobs,
/// women's verified jobs and their share, verified jobs in underprivileged counties, the
/// cost per verified job and the verification rate. A wrong parameter is a 422 naming it.
#[utoipa::path(get, path = "/api/v1/impact/figures", tag = "impact",
    security(("bearer" = [])), params(FiguresParams),
    responses((status = 200, body = FiguresDto), (status = 401, body = Problem),
              (status = 422, body = Problem, description = "A wrong `by`, `period`, `from` \
                or `to`, each named.")))]
pub async fn figures(
    State(state): State<AppState>,
    user: ApiUser,
    ApiQuery(query): ApiQuery<FiguresParams>,
) -> Result<Json<FiguresDto>, ApiError> {
    let found = figures::figures(
        &state.store,
        &user.principal,
        &figures::FiguresQuery {
            by: query.by,
            period: query.period,
            from: query.from,
            to: query.to,
        },
    )
    .await?;
    Ok(Json(FiguresDto {
        by: found.grouping.code().to_owned(),
        period: found.period.code().to_owned(),
        rows: found
            .rows
            .into_iter()
            .map(|r| FigureRowDto {
                group: r.group,
                period: r.period.to_string(),
                jobs: r.jobs.into(),
            })
            .collect(),
        totals: found.totals.into(),
    }))
}

/// Sets a cooperative's SSO workshop code (the ministry or the province's officers; a
/// representative may not: it decides which insured workers are its jobs). Its loans
/// that follow the registry take the new code and their hires are verified again.
#[utoipa::path(put, path = "/api/v1/cooperatives/{id}/workshop-code", tag = "impact",
    request_body = WorkshopCodeDto, security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = WorkshopCodeDto), (status = 401, body = Problem),
              (status = 403, body = Problem),
              (status = 404, body = Problem, description = "Unknown, or outside your scope."),
              (status = 422, body = Problem)))]
pub async fn cooperative_workshop(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    Keyed { body, key }: Keyed<WorkshopCodeDto>,
) -> Result<Json<WorkshopCodeDto>, ApiError> {
    set_workshop(&state, &user, Borrower::Cooperative(id), body, key).await
}

/// Sets an individual client's SSO workshop code (the ministry or the province's
/// officers).
#[utoipa::path(put, path = "/api/v1/clients/{id}/workshop-code", tag = "impact",
    request_body = WorkshopCodeDto, security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = WorkshopCodeDto), (status = 401, body = Problem),
              (status = 403, body = Problem),
              (status = 404, body = Problem, description = "Unknown, or outside your scope."),
              (status = 422, body = Problem)))]
pub async fn client_workshop(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    Keyed { body, key }: Keyed<WorkshopCodeDto>,
) -> Result<Json<WorkshopCodeDto>, ApiError> {
    set_workshop(&state, &user, Borrower::Client(id), body, key).await
}

async fn set_workshop(
    state: &AppState,
    user: &ApiUser,
    borrower: Borrower,
    body: WorkshopCodeDto,
    key: Option<IdempotencyKey>,
) -> Result<Json<WorkshopCodeDto>, ApiError> {
    let code = impact::set_borrower_workshop(
        &state.store,
        &user.principal,
        borrower,
        body.workshop_code.as_deref(),
        &state.config.impact,
        key.as_ref().map(IdempotencyKey::get),
        clock::now(),
    )
    .await?;
    Ok(Json(WorkshopCodeDto {
        workshop_code: code.map(|c| c.as_str().to_owned()),
    }))
}

async fn report_with(
    state: &AppState,
    user: &ApiUser,
    loan_id: i64,
    body: &HiresDto,
    mode: ReportMode,
    key: Option<IdempotencyKey>,
) -> Result<LoanJobsDto, ApiError> {
    impact::report_hires(
        &state.store,
        &user.principal,
        loan_id,
        &body.national_codes,
        mode,
        &state.config.impact,
        key.as_ref().map(IdempotencyKey::get),
        clock::now(),
    )
    .await?;
    Ok(impact::loan_jobs(&state.store, &user.principal, loan_id)
        .await?
        .into())
}

/// `csv` or `xlsx` from the request's media type.
/// A table file's body by its media type (CSV or XLSX), streamed to disk: the file and
/// its extension, or the answer refusing it (415 for another type, 413 over the limit).
pub(crate) async fn receive_table(
    headers: &HeaderMap,
    body: Body,
) -> Result<(Received, &'static str), Response> {
    let Some(extension) = list_extension(headers) else {
        return Err(ApiError::unreadable(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("Expected `Content-Type: {CSV}` or `{XLSX}`"),
        ));
    };
    Ok((receive(body, extension).await?, extension))
}

fn list_extension(headers: &HeaderMap) -> Option<&'static str> {
    let mime = headers
        .get(header::CONTENT_TYPE)?
        .to_str()
        .ok()?
        .split(';')
        .next()?
        .trim()
        .to_ascii_lowercase();
    match mime.as_str() {
        CSV => Some("csv"),
        XLSX => Some("xlsx"),
        _ => None,
    }
}

/// A received list on disk, removed when dropped.
pub(crate) struct Received {
    pub(crate) path: PathBuf,
    pub(crate) sha256: String,
}

impl Drop for Received {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Streams the body to a temporary file, hashing it on the way: memory holds one frame
/// at a time whatever the file's size. Over `INSURED_LIST_BYTES_MAX` is refused (413).
async fn receive(body: Body, extension: &str) -> Result<Received, Response> {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let path = std::env::temp_dir().join(format!(
        "taavon-upload-{}-{}-{}.{extension}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    ));
    let internal = |error: std::io::Error| {
        ApiError(taavon_app::AppError::Internal(format!(
            "receiving a list: {error}"
        )))
        .into_response()
    };
    let mut file = tokio::fs::File::create(&path).await.map_err(internal)?;
    let mut received = Received {
        path,
        sha256: String::new(),
    };
    let mut hasher = Sha256::new();
    let mut length = 0u64;
    let mut body = body;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|error| {
            ApiError::unreadable(
                StatusCode::BAD_REQUEST,
                format!("reading the body: {error}"),
            )
        })?;
        let Ok(data) = frame.into_data() else {
            continue;
        };
        length += u64::try_from(data.len()).unwrap_or(u64::MAX);
        if length > INSURED_LIST_BYTES_MAX {
            return Err(ApiError::unreadable(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("A list is at most {INSURED_LIST_BYTES_MAX} bytes."),
            ));
        }
        hasher.update(&data);
        file.write_all(&data).await.map_err(internal)?;
    }
    file.flush().await.map_err(internal)?;
    received.sha256 = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok(received)
}
