//! taavon's HTTP server: the JSON API under `/api` and the server-rendered UI.
//!
//! Architecture invariant: this is the only crate that knows HTTP, HTML and JSON. It
//! turns requests into calls of `taavon-app` use cases and their results into responses;
//! it holds no business rule of its own.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

mod api;
mod api_json;
mod assets;
mod auth;
mod client_address;
mod error;
mod headers;
mod map;
mod open_figures;
mod plain_pages;
mod redirect;
mod session_store;
mod state;
mod ui;
mod webhooks;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, Request};
use axum::routing::get;
use tokio::net::TcpListener;
use tower_governor::GovernorLayer;
use tower_governor::governor::GovernorConfigBuilder;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};
use utoipa::OpenApi;
use utoipa_swagger_ui::SwaggerUi;

pub use api::{ApiDoc, UNKEYED_ROUTES};
pub use error::code_and_status;
pub use state::{AppState, ServerConfig};
use taavon_app::Store;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The name of the session cookie.
pub const SESSION_COOKIE: &str = "taavon_session";

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("the bundled map could not be read: {0}")]
    Map(String),
    #[error("the server failed: {0}")]
    Io(#[from] std::io::Error),
}

/// The whole application: API, UI, assets and their middleware.
pub fn app(store: Store, config: ServerConfig) -> Result<Router, ServeError> {
    let maps = map::Maps::bundled().map_err(ServeError::Map)?;
    let state = AppState {
        store: store.clone(),
        config: Arc::new(config.clone()),
        maps,
        open_figures: Arc::default(),
    };
    let idle = time::Duration::try_from(config.session_idle).unwrap_or(time::Duration::hours(8));
    // The idle deadline is rewritten at most every five minutes (a tenth of a short idle
    // span), so a page view writes nothing.
    let renew_after = (config.session_idle / 10).min(Duration::from_secs(5 * 60));
    let sessions = SessionManagerLayer::new(session_store::DatabaseSessions::new(
        store,
        config.session_lifetime,
        renew_after,
    ))
    .with_name(SESSION_COOKIE)
    .with_http_only(true)
    .with_same_site(SameSite::Strict)
    .with_secure(config.secure_cookies)
    .with_expiry(Expiry::OnInactivity(idle));
    // Login requests are rate-limited per address here (by the same address rule as the
    // use case's throttle, which counts attempts per user name and address).
    let per_minute = u64::from(config.login_requests_per_minute.max(1));
    let login_limit = GovernorConfigBuilder::default()
        .key_extractor(client_address::ClientKeyExtractor {
            trusted_proxies: config.trusted_proxies.clone().into(),
        })
        .period(Duration::from_millis(60_000 / per_minute))
        .burst_size(u32::try_from(per_minute).unwrap_or(30))
        .finish()
        .map(GovernorLayer::new);
    let mut logins = api::login_route().merge(ui::login_routes());
    if let Some(limit) = login_limit {
        logins = logins.layer(limit);
    }
    let router = Router::new()
        .merge(api::routes())
        .merge(ui::routes())
        .merge(logins)
        .route("/assets/{*path}", get(assets::serve))
        .merge(SwaggerUi::new("/api/docs").url("/api/openapi.json", ApiDoc::openapi()))
        .fallback(not_found)
        .with_state(state)
        .layer(axum::middleware::from_fn(error::problems_for_api))
        .layer(sessions)
        .layer(DefaultBodyLimit::max(headers::BODY_LIMIT_BYTES))
        .layer(axum::middleware::from_fn(headers::limit_body))
        .layer(axum::middleware::from_fn_with_state(
            config.secure_cookies,
            headers::security_headers,
        ))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(
            TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
                let id = request
                    .headers()
                    .get(REQUEST_ID)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-");
                tracing::info_span!("request", method = %request.method(), path = %request.uri().path(), request_id = %id)
            }),
        )
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .layer(axum::middleware::from_fn(counted));
    Ok(router)
}

/// Serves a request so that the write transactions it begins (its session's save
/// included) are counted (`Store::request_writes`): a test checks that reads write none.
async fn counted(
    request: Request<axum::body::Body>,
    next: axum::middleware::Next,
) -> axum::response::Response {
    Store::serving(next.run(request)).await
}

/// An address no route serves: a problem document under `/api/`, else the styled page
/// (with the menu of whoever is logged in).
async fn not_found(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: Request<axum::body::Body>,
) -> axum::response::Response {
    use axum::extract::OptionalFromRequestParts;
    use axum::response::IntoResponse;
    if request.uri().path().starts_with("/api/") {
        return error::ApiError(taavon_app::AppError::NotFound).into_response();
    }
    let (mut parts, _) = request.into_parts();
    let user = <auth::UiUser as OptionalFromRequestParts<AppState>>::from_request_parts(
        &mut parts, &state,
    )
    .await
    .ok()
    .flatten();
    ui::not_found(&parts, user.as_ref()).await
}

/// Serves until `shutdown` resolves, then finishes the requests in flight.
pub async fn serve(
    listener: TcpListener,
    store: Store,
    config: ServerConfig,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let deliveries = tokio::spawn(webhooks::deliver_forever(
        store.clone(),
        config.webhooks.clone(),
        config.webhook_timeout,
    ));
    let app = app(store.clone(), config)?;
    let purge = tokio::spawn(purge_expired_periodically(store));
    let served = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await;
    purge.abort();
    deliveries.abort();
    Ok(served?)
}

/// How often expired sessions, tokens and throttle counters are deleted.
const PURGE_EVERY: Duration = Duration::from_secs(10 * 60);

/// Deletes expired transport state at start and then every `PURGE_EVERY`; a failure is
/// logged and tried again next time.
async fn purge_expired_periodically(store: Store) {
    let mut interval = tokio::time::interval(PURGE_EVERY);
    loop {
        interval.tick().await;
        match taavon_app::auth::purge_expired(&store, taavon_app::clock::now()).await {
            Ok(purged) => tracing::debug!(?purged, "purged expired sessions and tokens"),
            Err(error) => tracing::warn!(%error, "purging expired sessions and tokens failed"),
        }
    }
}
