//! The UI's pages: one handler and one template struct per page.

use askama::Template;
use axum::extract::{Form, FromRequestParts, Path, Query, State};
use axum::http::StatusCode;
use axum::http::header::{HOST, ORIGIN, SET_COOKIE};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use taavon_app::auth::{self, Via};
use taavon_app::{AppError, clock, registry};
use taavon_core::access::{self, CooperativeScope, Principal};
use taavon_core::reference::ProvinceCode;
use tower_sessions::Session;

use super::format;
use super::i18n::{LANG_COOKIE, Lang};
use super::{Layout, render, role_name};
use crate::auth::{SESSION_STARTED, SESSION_USER, UiUser, csrf_matches, csrf_token, session_error};
use crate::client_address::ClientAddress;
use crate::map::{MapProvince, choropleth_colour};
use crate::redirect::local_path_or_home;
use crate::state::AppState;

/// A page's request parts, for the layout (language, path).
pub struct PageParts(pub Parts);

impl<S: Send + Sync> FromRequestParts<S> for PageParts {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(parts.clone()))
    }
}

pub(super) async fn layout(parts: &Parts, title: &str, user: Option<&UiUser>) -> Layout {
    let csrf = user.map_or_else(String::new, |user| csrf_token(&user.session));
    Layout::new(parts, title, user.map(|u| &u.principal), csrf)
}

/// An error page in the layout, for UI handlers.
pub(super) fn error_page(layout: Layout, error: &AppError) -> Response {
    let (status, message) = match error {
        AppError::NotFound => (StatusCode::NOT_FOUND, layout.t.not_found.to_owned()),
        AppError::Forbidden => (StatusCode::FORBIDDEN, layout.t.forbidden.to_owned()),
        AppError::FourEyes => (StatusCode::FORBIDDEN, layout.t.four_eyes.to_owned()),
        AppError::Invalid(errors) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            errors
                .iter()
                .map(|e| layout.lang.pick(&e.message_fa, &e.message_en).to_owned())
                .collect::<Vec<_>>()
                .join(" "),
        ),
        other => {
            tracing::error!(error = %other, "page failed");
            (StatusCode::INTERNAL_SERVER_ERROR, layout.t.error.to_owned())
        }
    };
    (status, render(&ErrorPage { layout, message })).into_response()
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    layout: Layout,
    message: String,
}

// ---- login and logout -------------------------------------------------------------

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    layout: Layout,
    error: Option<String>,
    username: String,
    next: String,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

pub async fn login_form(PageParts(parts): PageParts, Query(query): Query<NextQuery>) -> Response {
    let layout = Layout::new(
        &parts,
        Lang::of(&parts).text().login_title,
        None,
        String::new(),
    );
    render(&LoginPage {
        layout,
        error: None,
        username: String::new(),
        next: local_path_or_home(query.next.as_deref()),
    })
}

pub async fn login_submit(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    ClientAddress(source): ClientAddress,
    session: Session,
    Form(form): Form<LoginForm>,
) -> Response {
    let lang = Lang::of(&parts);
    let t = lang.text();
    // Without a session there is no CSRF token yet: a login form may only be posted
    // from this site (SameSite=Strict cookies cover everything after it).
    if !same_origin(&parts) {
        return (StatusCode::FORBIDDEN, "cross-site login refused").into_response();
    }
    let next = local_path_or_home(form.next.as_deref());
    let now = clock::now();
    let attempt = auth::LoginAttempt {
        username: &form.username,
        password: &form.password,
        via: Via::Ui,
        source,
    };
    let principal = match auth::login(&state.store, attempt, now).await {
        Ok((principal, _)) => principal,
        Err(error) => {
            let (status, message) = match &error {
                AppError::Throttled { .. } => {
                    (StatusCode::TOO_MANY_REQUESTS, t.login_throttled.to_owned())
                }
                AppError::BadCredentials => (StatusCode::UNAUTHORIZED, t.login_failed.to_owned()),
                AppError::Invalid(errors) => (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    errors
                        .iter()
                        .map(|e| lang.pick(&e.message_fa, &e.message_en))
                        .collect::<Vec<_>>()
                        .join(" "),
                ),
                other => {
                    tracing::error!(error = %other, "login failed");
                    (StatusCode::INTERNAL_SERVER_ERROR, t.error.to_owned())
                }
            };
            let layout = Layout::new(&parts, t.login_title, None, String::new());
            // Only a user name that could be one is shown back.
            let username = if matches!(error, AppError::Invalid(_)) {
                String::new()
            } else {
                form.username
            };
            let page = LoginPage {
                layout,
                error: Some(message),
                username,
                next,
            };
            return (status, render(&page)).into_response();
        }
    };
    // A new session id at login prevents session fixation (and gives new CSRF tokens).
    if let Err(error) = session.cycle_id().await {
        return session_error(&error);
    }
    if let Err(error) = session.insert(SESSION_USER, principal.user_id).await {
        return session_error(&error);
    }
    if let Err(error) = session.insert(SESSION_STARTED, now.unix_seconds()).await {
        return session_error(&error);
    }
    Redirect::to(&next).into_response()
}

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

pub async fn logout(
    State(state): State<AppState>,
    user: UiUser,
    Form(form): Form<CsrfForm>,
) -> Response {
    if !csrf_matches(&user.session, Some(&form.csrf)) {
        return (StatusCode::FORBIDDEN, "invalid CSRF token").into_response();
    }
    if let Err(error) = auth::logout_session(&state.store, &user.principal, clock::now()).await {
        tracing::error!(%error, "recording a logout failed");
    }
    if let Err(error) = user.session.flush().await {
        return session_error(&error);
    }
    Redirect::to("/login").into_response()
}

/// Whether a form post comes from this site (by `Origin`, which browsers send on POST).
pub(super) fn same_origin(parts: &Parts) -> bool {
    let Some(origin) = parts.headers.get(ORIGIN).and_then(|v| v.to_str().ok()) else {
        // Non-browser clients send no Origin; they cannot carry a victim's cookies either.
        return true;
    };
    let host = parts
        .headers
        .get(HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    origin
        .split_once("://")
        .is_some_and(|(_, authority)| authority == host)
}

// ---- language ----------------------------------------------------------------------

#[derive(Deserialize)]
pub struct LanguageQuery {
    to: String,
    back: Option<String>,
}

pub async fn switch_language(Query(query): Query<LanguageQuery>) -> Response {
    let lang = if query.to == "en" { "en" } else { "fa" };
    let cookie = format!("{LANG_COOKIE}={lang}; Path=/; Max-Age=31536000; SameSite=Lax");
    (
        [(SET_COOKIE, cookie)],
        Redirect::to(&local_path_or_home(query.back.as_deref())),
    )
        .into_response()
}

// ---- home --------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    layout: Layout,
    display_role: String,
    scope: String,
    cooperatives: Option<String>,
    provinces: String,
    underprivileged_counties: String,
}

pub async fn home(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
) -> Response {
    let layout = layout(&parts, parts_text(&parts).nav_home, Some(&user)).await;
    let lang = layout.lang;
    let principal = &user.principal;
    let result = async {
        let cooperatives = match access::cooperative_scope(principal) {
            CooperativeScope::None => None,
            _ => Some(
                registry::list_cooperatives(&state.store, principal, &Default::default(), 1, 0)
                    .await?
                    .total,
            ),
        };
        let mut read = state.store.read().await?;
        let provinces = read.provinces().await?;
        read.finish().await?;
        Ok::<_, AppError>((cooperatives, provinces))
    }
    .await;
    match result {
        Ok((cooperatives, provinces)) => {
            let page = HomePage {
                display_role: role_name(lang, &principal.role),
                scope: scope_text(lang, principal),
                cooperatives: cooperatives.map(|n| lang.number(n)),
                provinces: lang.number(i64::try_from(provinces.len()).unwrap_or(0)),
                underprivileged_counties: lang
                    .number(provinces.iter().map(|p| p.underprivileged_counties).sum()),
                layout,
            };
            render(&page)
        }
        Err(error) => error_page(layout, &error),
    }
}

pub(super) fn parts_text(parts: &Parts) -> &'static super::i18n::Text {
    Lang::of(parts).text()
}

fn scope_text(lang: Lang, principal: &Principal) -> String {
    match access::cooperative_scope(principal) {
        CooperativeScope::All => lang.text().nation.to_owned(),
        CooperativeScope::Provinces(list) => list
            .iter()
            .map(ProvinceCode::as_str)
            .collect::<Vec<_>>()
            .join("، "),
        CooperativeScope::One(id) => format!(
            "{} #{}",
            lang.text().nav_cooperatives,
            lang.digits(&id.to_string())
        ),
        CooperativeScope::None => "—".to_owned(),
    }
}

// ---- provinces ---------------------------------------------------------------------

struct ProvinceLine {
    code: String,
    name: String,
    population: String,
    counties: String,
    underprivileged: String,
}

#[derive(Template)]
#[template(path = "provinces.html")]
struct ProvincesPage {
    layout: Layout,
    map_svg: String,
    provinces: Vec<ProvinceLine>,
    total_population: String,
}

pub async fn provinces(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: Option<UiUser>,
) -> Response {
    let t = parts_text(&parts);
    let layout = layout(&parts, t.provinces_title, user.as_ref()).await;
    let lang = layout.lang;
    let rows = match read_provinces(&state).await {
        Ok(rows) => rows,
        Err(error) => return error_page(layout, &error),
    };
    let share = |p: &taavon_store::ProvinceRow| {
        if p.counties == 0 {
            0.0
        } else {
            p.underprivileged_counties as f64 / p.counties as f64
        }
    };
    let map_provinces: Vec<MapProvince> = rows
        .iter()
        .map(|p| MapProvince {
            code: p.code.clone(),
            fill: choropleth_colour(share(p), 0.0, 1.0).to_owned(),
            title: format!(
                "{}: {} {} / {}",
                lang.pick(&p.name_fa, &p.name_en),
                t.underprivileged_counties,
                lang.number(p.underprivileged_counties),
                lang.number(p.counties)
            ),
            href: Some(format!("/provinces/{}", p.code)),
        })
        .collect();
    let page = ProvincesPage {
        map_svg: state.map.render(&map_provinces, t.map_label),
        total_population: lang.number(rows.iter().map(|p| p.population_1395).sum()),
        provinces: rows
            .iter()
            .map(|p| ProvinceLine {
                code: p.code.clone(),
                name: lang.pick(&p.name_fa, &p.name_en).to_owned(),
                population: lang.number(p.population_1395),
                counties: lang.number(p.counties),
                underprivileged: lang.number(p.underprivileged_counties),
            })
            .collect(),
        layout,
    };
    render(&page)
}

async fn read_provinces(state: &AppState) -> Result<Vec<taavon_store::ProvinceRow>, AppError> {
    let mut read = state.store.read().await?;
    let rows = read.provinces().await?;
    read.finish().await?;
    Ok(rows)
}

struct CountyLine {
    code: String,
    name: String,
    population: String,
    tier: String,
    tier_class: String,
}

#[derive(Template)]
#[template(path = "province.html")]
struct ProvincePage {
    layout: Layout,
    name: String,
    code: String,
    counties: Vec<CountyLine>,
}

pub async fn province(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: Option<UiUser>,
    Path(code): Path<String>,
) -> Response {
    let t = parts_text(&parts);
    let mut layout = layout(&parts, t.province, user.as_ref()).await;
    let lang = layout.lang;
    let Ok(code) = ProvinceCode::parse(&code) else {
        return error_page(layout, &AppError::NotFound);
    };
    let result = async {
        let mut read = state.store.read().await?;
        let provinces = read.provinces().await?;
        let counties = read.counties(Some(code.as_str())).await?;
        read.finish().await?;
        Ok::<_, AppError>((provinces, counties))
    }
    .await;
    let (provinces, counties) = match result {
        Ok(found) => found,
        Err(error) => return error_page(layout, &error),
    };
    let Some(province) = provinces.iter().find(|p| p.code == code.as_str()) else {
        return error_page(layout, &AppError::NotFound);
    };
    let name = lang.pick(&province.name_fa, &province.name_en).to_owned();
    layout.title = format!("{} {name}", t.province);
    render(&ProvincePage {
        layout,
        code: code.as_str().to_owned(),
        counties: counties
            .iter()
            .map(|c| CountyLine {
                code: lang.digits(&c.code),
                name: lang.pick(&c.name_fa, &c.name_en).to_owned(),
                population: c.population_1395.map_or("—".into(), |p| lang.number(p)),
                tier: c.tier.map_or("—".into(), |tier| lang.number(tier)),
                tier_class: c.tier.map_or(String::new(), |tier| format!("tier-{tier}")),
            })
            .collect(),
        name,
    })
}

// ---- audit -------------------------------------------------------------------------

struct AuditLine {
    seq: String,
    at: String,
    actor: String,
    action: String,
    entity: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    layout: Layout,
    intact: bool,
    checked: String,
    broken_at: String,
    records: Vec<AuditLine>,
}

pub async fn audit(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
) -> Response {
    let t = parts_text(&parts);
    let layout = layout(&parts, t.audit_title, Some(&user)).await;
    let lang = layout.lang;
    let result = async {
        let records =
            taavon_app::audit::list_audit(&state.store, &user.principal, 200, None).await?;
        let verification = taavon_app::audit::verify(&state.store).await?;
        Ok::<_, AppError>((records, verification))
    }
    .await;
    let (records, verification) = match result {
        Ok(found) => found,
        Err(error) => return error_page(layout, &error),
    };
    render(&AuditPage {
        intact: verification.first_broken.is_none(),
        checked: lang.number(i64::try_from(verification.records_checked).unwrap_or(i64::MAX)),
        broken_at: verification
            .first_broken
            .map(|b| format!("#{} — {}", lang.number(b.seq), b.reason))
            .unwrap_or_default(),
        records: records
            .into_iter()
            .map(|r| AuditLine {
                seq: lang.number(r.seq),
                at: format::instant(lang, &r.at),
                actor: r.actor,
                action: r.action,
                entity: format!("{} {}", r.entity, r.entity_id),
            })
            .collect(),
        layout,
    })
}
