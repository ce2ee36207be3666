//! The home page: the user's role and scope, and the counts it may see.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use taavon_app::{AppError, cooperatives, reference};
use taavon_core::access::{self, ApplicationScope, CooperativeScope};

use super::page::{PageParts, error_page, layout, parts_text};
use super::{Layout, names, render, role_name};
use crate::auth::UiUser;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    layout: Layout,
    display_role: String,
    scope: String,
    cooperatives: Option<String>,
    provinces: String,
    underprivileged_counties: String,
    /// The dashboard's name, for a role whose scope holds applications.
    dashboard: Option<&'static str>,
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
                cooperatives::list_cooperatives(&state.store, principal, &Default::default(), 1, 0)
                    .await?
                    .total,
            ),
        };
        let provinces = reference::provinces(&state.store, Some(principal)).await?;
        Ok::<_, AppError>((cooperatives, provinces))
    }
    .await;
    match result {
        Ok((cooperatives, provinces)) => {
            let page = HomePage {
                display_role: role_name(lang, &principal.role),
                scope: names::scope_text(lang, principal),
                cooperatives: cooperatives.map(|n| lang.number(n)),
                provinces: lang.number(i64::try_from(provinces.len()).unwrap_or(0)),
                underprivileged_counties: lang
                    .number(provinces.iter().map(|p| p.underprivileged_counties).sum()),
                dashboard: (access::application_scope(principal) != ApplicationScope::None)
                    .then(|| super::dashboard::DashboardText::of(lang).title),
                layout,
            };
            render(&page)
        }
        Err(error) => error_page(layout, &error),
    }
}
