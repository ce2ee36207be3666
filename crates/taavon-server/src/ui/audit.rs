//! The audit trail page: whether the chain verifies, and its records newest first with
//! filters (who, what, which kind of record, a Jalali date range) kept in the address,
//! paged by cursor (the trail only grows: a page continues before the last record
//! shown), and the same records as a file. Every code is named (`names`), every actor
//! is the person's name, every instant Jalali in Tehran's time.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use taavon_app::AppError;
use taavon_app::audit::{self, AuditSearch};
use taavon_app::rows::AuditRecord;

use super::fields::Field;
use super::i18n::{Lang, Text};
use super::names;
use super::page::{PageParts, error_page, layout, parts_text};
use super::select::{Choice, choices};
use super::table::query::TableRequest;
use super::table::{Cell, ColumnSpec, DataTable, Pager, Row, Sorting};
use super::{Layout, format, render};
use crate::auth::UiUser;
use crate::state::AppState;

const PATH: &str = "/audit";
const FILTERS: [&str; 5] = ["actor", "action", "entity", "from", "to"];

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    layout: Layout,
    intact: bool,
    checked: String,
    broken_at: String,
    table: DataTable,
    kept: Vec<(&'static str, String)>,
    /// The actors, each marked whether its label is a person's name in Persian.
    actors: Vec<(Choice, bool)>,
    actions: Vec<Choice>,
    entities: Vec<Choice>,
    from: Field,
    to: Field,
}

/// The trail is read newest first only; its columns do not sort.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Order {
    Newest,
}

const NEWEST_FIRST: Sorting<Order> = Sorting {
    key: "newest",
    column: Order::Newest,
    descending: true,
};

fn columns(t: &'static Text) -> [ColumnSpec<Order>; 5] {
    [
        ColumnSpec::number(t.number_sign.trim_end()),
        ColumnSpec::text(t.at),
        ColumnSpec::text(t.actor),
        ColumnSpec::text(t.action),
        ColumnSpec::text(t.entity),
    ]
}

/// Who did it, as the page names them: the person's name when the actor is a user with
/// one, else what `names::audit_actor` makes of the label.
fn actor_cell(lang: Lang, people: &HashMap<String, String>, actor: &str) -> Cell {
    match people.get(actor) {
        Some(name) => Cell::persian(name.clone()),
        None => match names::audit_actor(lang, actor) {
            (name, true) => Cell::ltr(name),
            (name, false) => Cell::text(name),
        },
    }
}

fn row(lang: Lang, people: &HashMap<String, String>, r: &AuditRecord) -> Row {
    let action = match names::audit_action(lang, &r.action) {
        Some(action) => Cell::text(action),
        None => Cell::ltr(r.action.clone()),
    };
    let coded = names::audit_coded_target(lang, &r.entity, &r.entity_id);
    let entity = match (coded, names::audit_entity(lang, &r.entity)) {
        (Some(target), _) => Cell::text(target),
        (None, Some(entity)) => Cell::text(format!("{entity} {}", lang.digits(&r.entity_id))),
        (None, None) => Cell::ltr(format!("{} {}", r.entity, r.entity_id)),
    };
    Row::new(vec![
        Cell::id(lang, r.seq),
        Cell::text(format::instant(lang, &r.at)),
        actor_cell(lang, people, &r.actor),
        action,
        entity,
    ])
}

pub async fn audit(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    Query(raw): Query<HashMap<String, String>>,
) -> Response {
    let layout = layout(&parts, parts_text(&parts).audit_title, Some(&user)).await;
    let request = TableRequest::read(PATH, &raw, &FILTERS, &[], NEWEST_FIRST);
    let request = match request {
        Ok(request) => request,
        Err(error) => return error_page(layout, &error),
    };
    let query = &request.query;
    let lang = request.language(layout.lang);
    let t = lang.text();
    let principal = &user.principal;
    let search = AuditSearch {
        actor: query.owned("actor"),
        action: query.owned("action"),
        entity: query.owned("entity"),
        from: query.owned("from"),
        to: query.owned("to"),
    };
    let found = async {
        let records = match request.format {
            Some(_) => {
                taavon_app::export::audit_to_export(&state.store, principal, &search).await?
            }
            // One more than a page, to know whether an older page exists.
            None => {
                audit::search_audit(
                    &state.store,
                    principal,
                    &search,
                    request.size + 1,
                    request.before,
                )
                .await?
            }
        };
        let actors = audit::actors(&state.store, principal).await?;
        let verification = match request.format {
            Some(_) => None,
            None => Some(audit::verify_for(&state.store, principal).await?),
        };
        Ok::<_, AppError>((records, actors, verification))
    }
    .await;
    let (mut records, actors, verification) = match found {
        Ok(found) => found,
        Err(error) => return error_page(layout, &error),
    };
    let people: HashMap<String, String> = actors
        .iter()
        .filter_map(|(actor, name)| Some((actor.clone(), name.clone()?)))
        .collect();
    let page_size = usize::try_from(request.size).unwrap_or(usize::MAX);
    let more = records.len() > page_size && request.format.is_none();
    if more {
        records.truncate(page_size);
    }
    let rows = records.iter().map(|r| row(lang, &people, r)).collect();
    let table = DataTable::new(lang, t.audit_title, &columns(t), None, query, rows);
    if let Some(format) = request.format {
        return table.export(format, "audit");
    }
    let older = more.then(|| records.last().map(|r| r.seq)).flatten();
    let table = table.with_pager(Pager::by_cursor(
        lang,
        query,
        request.size,
        ("before", older),
        records.len(),
        None,
    ));
    let persian: Vec<bool> = actors
        .iter()
        .map(|(actor, _)| actor_cell(lang, &people, actor).persian)
        .collect();
    let actor_choices = actors
        .iter()
        .map(|(actor, _)| (actor.clone(), actor_cell(lang, &people, actor).text))
        .collect();
    // The first choice is «any», never a name.
    let actor_choices = choices(actor_choices, query.get("actor"), t.any)
        .into_iter()
        .zip(std::iter::once(false).chain(persian))
        .collect();
    let labelled = |table: &[(&'static str, &'static str, &'static str)]| {
        table
            .iter()
            .map(|(code, fa, en)| ((*code).to_owned(), lang.pick(fa, en).to_owned()))
            .collect::<Vec<_>>()
    };
    let (intact, checked, broken_at) = match verification {
        Some(v) => (
            v.first_broken.is_none(),
            lang.number(i64::try_from(v.records_checked).unwrap_or(i64::MAX)),
            v.first_broken
                .map(|b| format!("{}{} — {}", t.number_sign, lang.number(b.seq), b.reason))
                .unwrap_or_default(),
        ),
        None => (true, String::new(), String::new()),
    };
    render(&AuditPage {
        intact,
        checked,
        broken_at,
        kept: query.kept_by_filter_form(),
        actors: actor_choices,
        actions: choices(labelled(&names::AUDIT_ACTIONS), query.get("action"), t.any),
        entities: choices(labelled(&names::AUDIT_ENTITIES), query.get("entity"), t.any),
        from: Field::date_filter(
            lang,
            "from",
            t.date_from,
            query.get("from").unwrap_or_default(),
        ),
        to: Field::date_filter(lang, "to", t.date_to, query.get("to").unwrap_or_default()),
        table,
        layout,
    })
}
