//! The festival of top cooperators (issue 16): the ministry's festival, panels and round
//! moves; entries and nominations; a judge's entries, marks and submission; and, without
//! login, a published round's results and the check of a certificate's code.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use taavon_app::awards::{
    self, AwardEntry, AwardFestival, AwardResult, CertificateCheck, EntryInput, EntryView,
    FestivalInput, JudgeEntry, MarksInput, OthersMarks, PublicResult,
};
use taavon_app::{AppError, clock};
use taavon_core::awards::festival::{RoundAction, RoundKind};
use utoipa::ToSchema;

use crate::api::fields;
use crate::api::keyed::{IdempotencyKey, KeyOnly, Keyed};
use crate::api::users::Created;
use crate::auth::ApiUser;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// The most categories, criteria and marks one request names.
const LIST_MAX: usize = 30;

/// A criterion of a category.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct AwardCriterionDto {
    #[schema(value_type = fields::Code)]
    pub code: String,
    #[schema(value_type = fields::Name)]
    pub name_fa: String,
    #[schema(value_type = fields::Name)]
    pub name_en: String,
    #[schema(minimum = 0, maximum = 1000)]
    pub weight: u32,
}

/// A category with its quotas; no criteria: the ministry's usual ones.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct AwardCategoryDto {
    #[schema(value_type = fields::Code)]
    pub code: String,
    #[schema(value_type = fields::Name)]
    pub name_fa: String,
    #[schema(value_type = fields::Name)]
    pub name_en: String,
    #[schema(minimum = 0, maximum = 1000)]
    pub provincial_quota: u32,
    #[schema(minimum = 0, maximum = 1000)]
    pub national_quota: u32,
    #[serde(default)]
    #[schema(max_items = 30)]
    pub criteria: Vec<AwardCriterionDto>,
}

/// A festival as the ministry sets it up (what is left out takes the defaults).
#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"year": 1404, "entry_opens": "1404/02/01", "entry_closes": "1404/03/31", "judging_opens": "1404/04/01", "judging_closes": "1404/05/31"}))]
pub struct AwardFestivalInputDto {
    #[schema(minimum = 1300, maximum = 1500)]
    pub year: i32,
    #[schema(value_type = fields::Date)]
    pub entry_opens: String,
    #[schema(value_type = fields::Date)]
    pub entry_closes: String,
    #[schema(value_type = fields::Date)]
    pub judging_opens: String,
    #[schema(value_type = fields::Date)]
    pub judging_closes: String,
    #[schema(minimum = 1, maximum = 20)]
    pub judges_per_entry: Option<u32>,
    #[schema(minimum = 1, maximum = 1000)]
    pub load_max: Option<u32>,
    #[schema(minimum = 0, maximum = 120)]
    pub registry_fresh_months: Option<u32>,
    #[schema(minimum = 0, maximum = 120)]
    pub registered_months_min: Option<u32>,
    #[serde(default)]
    #[schema(max_items = 30)]
    pub categories: Vec<AwardCategoryDto>,
}

/// A festival with its rounds' states.
#[derive(Serialize, ToSchema)]
pub struct AwardFestivalDto {
    pub id: i64,
    pub year: i32,
    /// ISO days.
    pub entry_opens: String,
    pub entry_closes: String,
    pub judging_opens: String,
    pub judging_closes: String,
    pub judges_per_entry: i64,
    pub load_max: i64,
    pub categories: Vec<AwardCategoryDto>,
    /// `open_for_entries`, `judging`, `closed` or `published`.
    pub provincial_round: String,
    pub national_round: String,
}

/// A judge put on the panel their role names.
#[derive(Deserialize, ToSchema)]
pub struct AwardJudgeInputDto {
    pub user_id: i64,
    #[schema(value_type = fields::NationalCode)]
    pub national_code: String,
}

/// A move of a round.
#[derive(Deserialize, ToSchema)]
pub struct AwardRoundMoveDto {
    #[schema(value_type = fields::AwardRoundAction)]
    pub action: String,
}

/// An entry or a nomination.
#[derive(Deserialize, ToSchema)]
pub struct AwardEntryInputDto {
    pub cooperative_id: i64,
    #[schema(value_type = fields::Code)]
    pub category: String,
}

/// Why an entry may not take part.
#[derive(Serialize, ToSchema)]
pub struct AwardReasonDto {
    pub code: String,
    pub message_fa: String,
    pub message_en: String,
}

/// An entry.
#[derive(Serialize, ToSchema)]
pub struct AwardEntryDto {
    pub id: i64,
    pub province: String,
    pub category: String,
    pub cooperative_id: i64,
    pub cooperative_name: String,
    /// `entered` (by its representative) or `nominated` (by an officer).
    pub route: String,
    pub eligible: bool,
    pub national: bool,
    pub entered_at: String,
    pub reasons: Vec<AwardReasonDto>,
}

/// A component of the pre-score with its weight.
#[derive(Serialize, ToSchema)]
pub struct AwardPrescoreComponentDto {
    pub component: String,
    pub weight: u32,
    /// 0–100; none when there is nothing to measure.
    pub value: Option<f64>,
    pub planned: bool,
}

/// A round's result for an entry (the band, never the score).
#[derive(Serialize, ToSchema)]
pub struct AwardResultDto {
    pub round: String,
    pub status: String,
    pub rank: Option<i64>,
    pub winner: bool,
    pub band: Option<String>,
}

/// A judge's side of an entry: their marks, whether submitted, the others' marks as far
/// as they may see them (none before they submit; names only once the round closes).
#[derive(Serialize, ToSchema)]
pub struct AwardJudgeSideDto {
    pub marks: Vec<AwardMarkDto>,
    pub submitted: bool,
    /// `hidden`, `anonymous` or `named`.
    pub others_visibility: String,
    pub others_marks: Vec<f64>,
    pub other_judges: Vec<String>,
}

/// One entry as the caller may see it.
#[derive(Serialize, ToSchema)]
pub struct AwardEntryViewDto {
    pub festival_year: i32,
    pub entry: AwardEntryDto,
    pub category_name_fa: String,
    pub prescore: Option<f64>,
    pub prescore_components: Vec<AwardPrescoreComponentDto>,
    pub round: String,
    pub round_state: String,
    pub results: Vec<AwardResultDto>,
    pub certificate_codes: Vec<String>,
    pub judging: Option<AwardJudgeSideDto>,
}

/// A mark for one criterion.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct AwardMarkDto {
    #[schema(value_type = fields::Code)]
    pub criterion: String,
    #[schema(minimum = 0, maximum = 100)]
    pub mark: u32,
}

/// A judge's marks for an entry, one per criterion of its category.
#[derive(Deserialize, ToSchema)]
pub struct AwardMarksDto {
    #[schema(max_items = 30)]
    pub marks: Vec<AwardMarkDto>,
}

/// An entry on a judge's list.
#[derive(Serialize, ToSchema)]
pub struct AwardJudgeEntryDto {
    pub entry_id: i64,
    pub cooperative_name: String,
    pub province: String,
    pub category: String,
    pub round: String,
    pub round_state: String,
    pub marked: bool,
    pub submitted: bool,
}

/// A published result.
#[derive(Serialize, ToSchema)]
pub struct AwardPublicResultDto {
    pub entry_id: i64,
    pub cooperative_name: String,
    pub province: String,
    pub category: String,
    pub category_name_fa: String,
    pub rank: Option<i64>,
    pub winner: bool,
    pub band: Option<String>,
}

/// What a certificate's code vouches for.
#[derive(Serialize, ToSchema)]
pub struct AwardCertificateCheckDto {
    pub festival_year: i32,
    pub round: String,
    pub cooperative_name: String,
    pub province: String,
    pub category_name_fa: String,
    pub issued_on: String,
}

impl From<AwardFestival> for AwardFestivalDto {
    fn from(festival: AwardFestival) -> Self {
        let fields = festival.fields;
        Self {
            id: festival.id,
            year: fields.year,
            entry_opens: fields.entry_opens,
            entry_closes: fields.entry_closes,
            judging_opens: fields.judging_opens,
            judging_closes: fields.judging_closes,
            judges_per_entry: fields.judges_per_entry,
            load_max: fields.load_max,
            categories: fields
                .categories
                .into_iter()
                .map(|c| AwardCategoryDto {
                    code: c.code,
                    name_fa: c.name_fa,
                    name_en: c.name_en,
                    provincial_quota: u32::try_from(c.provincial_quota).unwrap_or(0),
                    national_quota: u32::try_from(c.national_quota).unwrap_or(0),
                    criteria: c
                        .criteria
                        .into_iter()
                        .map(|c| AwardCriterionDto {
                            code: c.code,
                            name_fa: c.name_fa,
                            name_en: c.name_en,
                            weight: u32::try_from(c.weight).unwrap_or(0),
                        })
                        .collect(),
                })
                .collect(),
            provincial_round: festival.provincial.code().into(),
            national_round: festival.national.code().into(),
        }
    }
}

impl From<AwardEntry> for AwardEntryDto {
    fn from(entry: AwardEntry) -> Self {
        Self {
            id: entry.id,
            province: entry.fields.province.as_str().into(),
            category: entry.fields.category,
            cooperative_id: entry.fields.cooperative_id,
            cooperative_name: entry.cooperative_name,
            route: entry.fields.route.code().into(),
            eligible: entry.fields.eligible,
            national: entry.national,
            entered_at: entry.entered_at,
            reasons: entry
                .fields
                .reasons
                .into_iter()
                .map(|r| AwardReasonDto {
                    code: r.code,
                    message_fa: r.message_fa,
                    message_en: r.message_en,
                })
                .collect(),
        }
    }
}

impl From<AwardResult> for AwardResultDto {
    fn from(result: AwardResult) -> Self {
        Self {
            round: result.round.code().into(),
            status: result.status.code().into(),
            rank: result.rank,
            winner: result.winner,
            band: result.band.map(|b| b.code().into()),
        }
    }
}

impl From<EntryView> for AwardEntryViewDto {
    fn from(view: EntryView) -> Self {
        let (prescore, prescore_components) = match view.prescore {
            Some(prescore) => (
                Some(prescore.total),
                prescore
                    .components
                    .into_iter()
                    .map(|c| AwardPrescoreComponentDto {
                        component: c.component.code().into(),
                        weight: c.weight,
                        value: c.value,
                        planned: c.planned,
                    })
                    .collect(),
            ),
            None => (None, Vec::new()),
        };
        Self {
            festival_year: view.festival_year,
            entry: view.entry.into(),
            category_name_fa: view.category_name_fa,
            prescore,
            prescore_components,
            round: view.round.code().into(),
            round_state: view.round_state.code().into(),
            results: view.results.into_iter().map(Into::into).collect(),
            certificate_codes: view.certificates.into_iter().map(|c| c.code).collect(),
            judging: view.judging.map(|side| {
                let (visibility, marks) = match side.others {
                    OthersMarks::Hidden => ("hidden", Vec::new()),
                    OthersMarks::Anonymous(marks) => ("anonymous", marks),
                    OthersMarks::Named(named) => {
                        ("named", named.into_iter().map(|(_, mark)| mark).collect())
                    }
                };
                AwardJudgeSideDto {
                    marks: side
                        .marks
                        .into_iter()
                        .map(|(criterion, mark)| AwardMarkDto {
                            criterion,
                            mark: u32::try_from(mark).unwrap_or(0),
                        })
                        .collect(),
                    submitted: side.submitted,
                    others_visibility: visibility.into(),
                    others_marks: marks,
                    other_judges: side
                        .other_judges
                        .into_iter()
                        .map(|(_, name)| name)
                        .collect(),
                }
            }),
        }
    }
}

impl From<JudgeEntry> for AwardJudgeEntryDto {
    fn from(listed: JudgeEntry) -> Self {
        Self {
            entry_id: listed.entry.id,
            cooperative_name: listed.entry.cooperative_name,
            province: listed.entry.fields.province.as_str().into(),
            category: listed.entry.fields.category,
            round: listed.round.code().into(),
            round_state: listed.round_state.code().into(),
            marked: listed.marked,
            submitted: listed.submitted,
        }
    }
}

impl From<PublicResult> for AwardPublicResultDto {
    fn from(result: PublicResult) -> Self {
        Self {
            entry_id: result.entry_id,
            cooperative_name: result.cooperative_name,
            province: result.province.as_str().into(),
            category: result.category,
            category_name_fa: result.category_name_fa,
            rank: result.rank,
            winner: result.winner,
            band: result.band.map(|b| b.code().into()),
        }
    }
}

impl From<CertificateCheck> for AwardCertificateCheckDto {
    fn from(check: CertificateCheck) -> Self {
        Self {
            festival_year: check.festival_year,
            round: check.round.code().into(),
            cooperative_name: check.cooperative_name,
            province: check.province.as_str().into(),
            category_name_fa: check.category_name_fa,
            issued_on: check.issued_on,
        }
    }
}

fn too_many(field: &str) -> ApiError {
    AppError::invalid(
        field,
        "too_many",
        "شمار اقلام بیش از اندازه است.",
        "Too many items.",
    )
    .into()
}

fn round_named(text: &str) -> Result<RoundKind, ApiError> {
    RoundKind::parse(text).ok_or_else(|| {
        AppError::invalid(
            "round",
            "unknown",
            "دور جشنواره یا استانی است یا ملی.",
            "round must be provincial or national.",
        )
        .into()
    })
}

#[utoipa::path(post, path = "/api/v1/awards/festivals", tag = "awards",
    request_body = AwardFestivalInputDto, security(("bearer" = [])),
    responses((status = 201, body = AwardFestivalDto), (status = 403, body = Problem),
              (status = 422, body = Problem)))]
pub async fn create_festival(
    State(state): State<AppState>,
    user: ApiUser,
    Keyed { body, key }: Keyed<AwardFestivalInputDto>,
) -> Result<(StatusCode, Json<AwardFestivalDto>), ApiError> {
    if body.categories.len() > LIST_MAX
        || body.categories.iter().any(|c| c.criteria.len() > LIST_MAX)
    {
        return Err(too_many("categories"));
    }
    let input = FestivalInput {
        year: body.year,
        entry_opens: body.entry_opens,
        entry_closes: body.entry_closes,
        judging_opens: body.judging_opens,
        judging_closes: body.judging_closes,
        judges_per_entry: body.judges_per_entry,
        load_max: body.load_max,
        registry_fresh_months: body.registry_fresh_months,
        registered_months_min: body.registered_months_min,
        categories: body
            .categories
            .into_iter()
            .map(|c| awards::CategoryInput {
                code: c.code,
                name_fa: c.name_fa,
                name_en: c.name_en,
                provincial_quota: c.provincial_quota,
                national_quota: c.national_quota,
                criteria: c
                    .criteria
                    .into_iter()
                    .map(|c| awards::CriterionInput {
                        code: c.code,
                        name_fa: c.name_fa,
                        name_en: c.name_en,
                        weight: c.weight,
                    })
                    .collect(),
            })
            .collect(),
    };
    let festival = awards::create_festival(
        &state.store,
        &user.principal,
        &input,
        key.as_ref().map(IdempotencyKey::get),
        clock::now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(festival.into())))
}

#[utoipa::path(get, path = "/api/v1/awards/festivals/{year}", tag = "awards",
    params(("year" = i32, Path, minimum = 1300, maximum = 1500)), security(("bearer" = [])),
    responses((status = 200, body = AwardFestivalDto), (status = 404, body = Problem)))]
pub async fn festival(
    State(state): State<AppState>,
    user: ApiUser,
    Path(year): Path<i32>,
) -> Result<Json<AwardFestivalDto>, ApiError> {
    Ok(Json(
        awards::festival(&state.store, &user.principal, year)
            .await?
            .into(),
    ))
}

#[utoipa::path(post, path = "/api/v1/awards/festivals/{year}/judges", tag = "awards",
    params(("year" = i32, Path, minimum = 1300, maximum = 1500)),
    request_body = AwardJudgeInputDto, security(("bearer" = [])),
    responses((status = 201, body = Created), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn appoint_judge(
    State(state): State<AppState>,
    user: ApiUser,
    Path(year): Path<i32>,
    Keyed { body, key }: Keyed<AwardJudgeInputDto>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let id = awards::appoint_judge(
        &state.store,
        &user.principal,
        year,
        body.user_id,
        &body.national_code,
        key.as_ref().map(IdempotencyKey::get),
        clock::now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

#[utoipa::path(post, path = "/api/v1/awards/festivals/{year}/rounds/{round}/moves", tag = "awards",
    params(("year" = i32, Path, minimum = 1300, maximum = 1500),
           ("round" = fields::AwardRoundCode, Path)),
    request_body = AwardRoundMoveDto, security(("bearer" = [])),
    responses((status = 200, body = AwardFestivalDto), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem),
              (status = 422, body = Problem)))]
pub async fn move_round(
    State(state): State<AppState>,
    user: ApiUser,
    Path((year, round)): Path<(i32, String)>,
    Keyed { body, key }: Keyed<AwardRoundMoveDto>,
) -> Result<Json<AwardFestivalDto>, ApiError> {
    let kind = round_named(&round)?;
    let action = RoundAction::parse(&body.action).ok_or_else(|| {
        ApiError::from(AppError::invalid(
            "action",
            "unknown",
            "کار دور یکی از آغاز داوری، بستن یا انتشار است.",
            "action must be start_judging, close or publish.",
        ))
    })?;
    let festival = awards::move_round(
        &state.store,
        &user.principal,
        &state.config.awards,
        awards::RoundMove { year, kind, action },
        key.as_ref().map(IdempotencyKey::get),
        clock::now(),
    )
    .await?;
    Ok(Json(festival.into()))
}

#[utoipa::path(get, path = "/api/v1/awards/festivals/{year}/entries", tag = "awards",
    params(("year" = i32, Path, minimum = 1300, maximum = 1500)), security(("bearer" = [])),
    responses((status = 200, body = [AwardEntryDto]), (status = 403, body = Problem),
              (status = 404, body = Problem)))]
pub async fn entries(
    State(state): State<AppState>,
    user: ApiUser,
    Path(year): Path<i32>,
) -> Result<Json<Vec<AwardEntryDto>>, ApiError> {
    let entries = awards::list_entries(&state.store, &user.principal, year).await?;
    Ok(Json(entries.into_iter().map(Into::into).collect()))
}

#[utoipa::path(post, path = "/api/v1/awards/festivals/{year}/entries", tag = "awards",
    params(("year" = i32, Path, minimum = 1300, maximum = 1500)),
    request_body = AwardEntryInputDto, security(("bearer" = [])),
    responses((status = 201, body = AwardEntryViewDto), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn enter(
    State(state): State<AppState>,
    user: ApiUser,
    Path(year): Path<i32>,
    Keyed { body, key }: Keyed<AwardEntryInputDto>,
) -> Result<(StatusCode, Json<AwardEntryViewDto>), ApiError> {
    let view = awards::enter(
        &state.store,
        &user.principal,
        &state.config.awards,
        &EntryInput {
            year,
            cooperative_id: body.cooperative_id,
            category: body.category,
        },
        key.as_ref().map(IdempotencyKey::get),
        clock::now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(view.into())))
}

#[utoipa::path(get, path = "/api/v1/awards/entries/{id}", tag = "awards",
    params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = AwardEntryViewDto), (status = 404, body = Problem)))]
pub async fn entry(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<AwardEntryViewDto>, ApiError> {
    let view = awards::entry_view(&state.store, &user.principal, &state.config.awards, id).await?;
    Ok(Json(view.into()))
}

#[utoipa::path(post, path = "/api/v1/awards/entries/{id}/marks", tag = "awards",
    params(("id" = i64, Path)), request_body = AwardMarksDto, security(("bearer" = [])),
    responses((status = 200, body = Created), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn mark(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    Keyed { body, key }: Keyed<AwardMarksDto>,
) -> Result<Json<Created>, ApiError> {
    if body.marks.len() > LIST_MAX {
        return Err(too_many("marks"));
    }
    let id = awards::score(
        &state.store,
        &user.principal,
        id,
        &MarksInput {
            marks: body
                .marks
                .into_iter()
                .map(|m| (m.criterion, m.mark))
                .collect(),
        },
        key.as_ref().map(IdempotencyKey::get),
        clock::now(),
    )
    .await?;
    Ok(Json(Created { id }))
}

#[utoipa::path(post, path = "/api/v1/awards/entries/{id}/submission", tag = "awards",
    params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = Created), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn submit(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    KeyOnly(key): KeyOnly,
) -> Result<Json<Created>, ApiError> {
    let id = awards::submit(
        &state.store,
        &user.principal,
        id,
        key.as_ref().map(IdempotencyKey::get),
        clock::now(),
    )
    .await?;
    Ok(Json(Created { id }))
}

#[utoipa::path(get, path = "/api/v1/awards/my-entries", tag = "awards",
    security(("bearer" = [])),
    responses((status = 200, body = [AwardJudgeEntryDto]), (status = 403, body = Problem),
              (status = 404, body = Problem)))]
pub async fn my_entries(
    State(state): State<AppState>,
    user: ApiUser,
) -> Result<Json<Vec<AwardJudgeEntryDto>>, ApiError> {
    let listed = awards::my_entries(&state.store, &user.principal).await?;
    Ok(Json(listed.into_iter().map(Into::into).collect()))
}

#[utoipa::path(get, path = "/api/v1/awards/festivals/{year}/rounds/{round}/results", tag = "awards",
    params(("year" = i32, Path, minimum = 1300, maximum = 1500),
           ("round" = fields::AwardRoundCode, Path)),
    responses((status = 200, body = [AwardPublicResultDto]), (status = 404, body = Problem),
              (status = 422, body = Problem)))]
pub async fn results(
    State(state): State<AppState>,
    Path((year, round)): Path<(i32, String)>,
) -> Result<Json<Vec<AwardPublicResultDto>>, ApiError> {
    let kind = round_named(&round)?;
    let results = awards::public_results(&state.store, year, kind).await?;
    Ok(Json(results.into_iter().map(Into::into).collect()))
}

#[utoipa::path(get, path = "/api/v1/awards/certificates/{code}", tag = "awards",
    params(("code" = fields::CertificateCodeText, Path)),
    responses((status = 200, body = AwardCertificateCheckDto), (status = 404, body = Problem),
              (status = 422, body = Problem)))]
pub async fn certificate(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<Json<AwardCertificateCheckDto>, ApiError> {
    let check = awards::check_certificate(&state.store, &code)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(check.into()))
}
