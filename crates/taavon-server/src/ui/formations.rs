//! The formation applications: the list an officer reviews (newest first, paged by
//! number, exported as the same rows) and the decisions on those still waiting.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use taavon_app::rows::ListedFormation;
use taavon_app::{AppError, clock, export, formations};
use taavon_core::access;
use taavon_core::registry::{FormationDecision, FormationStatus};

use super::answer;
use super::csrf::CsrfForm;
use super::i18n::{Lang, Text};
use super::names::{self, Names};
use super::page::{PageParts, error_page, layout, parts_text};
use super::table::query::TableRequest;
use super::table::{Cell, ColumnSpec, DataTable, LISTED, Pager, Row};
use super::{Layout, render};
use crate::auth::UiUser;
use crate::state::AppState;

const PATH: &str = "/formations";

/// A formation still waiting for a decision: the forms under the list.
struct Pending {
    id: i64,
    name: String,
}

#[derive(Template)]
#[template(path = "formations.html")]
struct FormationsPage {
    layout: Layout,
    table: DataTable,
    /// The formations of this page that wait for the reader's decision.
    pending: Vec<Pending>,
    /// Whether the reader may apply for a formation (the new form's link).
    may_start: bool,
    /// A fresh key for this rendering's forms (their `form_key`).
    form_key: String,
}

fn columns(t: &'static Text) -> [ColumnSpec<usize>; 6] {
    [
        ColumnSpec::number(t.number_sign.trim_end()),
        ColumnSpec::text(t.name),
        ColumnSpec::text(t.province),
        ColumnSpec::text(t.status),
        ColumnSpec::text(t.reason),
        ColumnSpec::text(t.duplicate_flags),
    ]
}

fn row(lang: Lang, names: &Names, listed: &ListedFormation) -> Row {
    let f = &listed.formation;
    let flags: Vec<serde_json::Value> =
        serde_json::from_str(&f.duplicate_flags).unwrap_or_default();
    Row::new(vec![
        Cell::id(lang, f.id),
        Cell::persian(listed.cooperative_name.clone())
            .link(format!("/cooperatives/{}", f.cooperative_id)),
        Cell::text(names.province(lang, &f.province)),
        Cell::text(names::status(lang, f.status.code())),
        Cell::persian(f.reason.clone().unwrap_or_default()),
        Cell::text(
            flags
                .iter()
                .map(|flag| names::duplicate_flag(lang, flag))
                .collect::<Vec<_>>()
                .join(lang.pick("، ", ", ")),
        ),
    ])
}

pub async fn formations(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    Query(raw): Query<HashMap<String, String>>,
) -> Response {
    let layout = layout(&parts, parts_text(&parts).formations_title, Some(&user)).await;
    let request = match TableRequest::read(PATH, &raw, &[], &[], LISTED) {
        Ok(request) => request,
        Err(error) => return error_page(layout, &error),
    };
    let principal = &user.principal;
    let found = async {
        let (listed, total) = match request.format {
            Some(_) => (
                export::formations_to_export(&state.store, principal).await?,
                0,
            ),
            None => {
                let page = formations::list_formations(
                    &state.store,
                    principal,
                    request.size,
                    request.offset(),
                )
                .await?;
                (page.formations, page.total)
            }
        };
        let names = Names::load(&state.store, principal).await?;
        Ok::<_, AppError>((listed, total, names))
    }
    .await;
    let (listed, total, names) = match found {
        Ok(found) => found,
        Err(error) => return error_page(layout, &error),
    };
    let lang = request.language(layout.lang);
    let t = lang.text();
    let rows = listed.iter().map(|l| row(lang, &names, l)).collect();
    let table = DataTable::new(
        lang,
        t.formations_title,
        &columns(t),
        None,
        &request.query,
        rows,
    );
    if let Some(format) = request.format {
        return table.export(format, "formations");
    }
    let table = table.with_pager(Pager::numbered(
        lang,
        &request.query,
        request.page,
        request.size,
        total,
    ));
    let pending = listed
        .into_iter()
        .filter(|l| l.formation.status == FormationStatus::Submitted)
        .map(|l| Pending {
            id: l.formation.id,
            name: l.cooperative_name,
        })
        .collect();
    render(&FormationsPage {
        may_start: access::keeps_registry(principal),
        form_key: super::form_key::fresh(),
        pending,
        table,
        layout,
    })
}

pub async fn formation_decision(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<HashMap<String, String>>,
) -> Response {
    // Only an approval approves: anything else the form posts is a rejection.
    let decision = form
        .get("decision")
        .and_then(|decision| FormationDecision::parse(decision))
        .unwrap_or(FormationDecision::Reject);
    let reason = form.get("reason").map(String::as_str);
    let submission = super::form_key::Submission::of(&parts, &form);
    let done = formations::decide(
        &state.store,
        &user.principal,
        &state.config.support,
        id,
        decision,
        reason,
        submission.idempotency(),
        clock::now(),
    )
    .await;
    let t = parts_text(&parts);
    answer::outcome(
        &parts,
        &user,
        t.formations_title,
        PATH,
        t.done_formation,
        done,
    )
    .await
}
