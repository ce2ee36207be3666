//! The audit trail page: the newest records and whether the chain verifies.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use taavon_app::AppError;

use super::page::{PageParts, error_page, layout, parts_text};
use super::{Layout, render};
use super::{format, names};
use crate::auth::UiUser;
use crate::state::AppState;

struct AuditLine {
    seq: String,
    at: String,
    actor: String,
    /// Whether a column holds a code or login name (shown left to right) rather than words.
    actor_is_code: bool,
    action_is_code: bool,
    entity_is_code: bool,
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
        let verification = taavon_app::audit::verify_for(&state.store, &user.principal).await?;
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
            .map(|b| {
                format!(
                    "{}{} — {}",
                    layout.t.number_sign,
                    lang.number(b.seq),
                    b.reason
                )
            })
            .unwrap_or_default(),
        records: records
            .into_iter()
            .map(|r| {
                let (actor, actor_is_code) = names::audit_actor(lang, &r.actor);
                let action = names::audit_action(lang, &r.action);
                let entity = names::audit_entity(lang, &r.entity);
                AuditLine {
                    seq: lang.number(r.seq),
                    at: format::instant(lang, &r.at),
                    actor,
                    actor_is_code,
                    action_is_code: action.is_none(),
                    action: action.map_or(r.action, str::to_owned),
                    entity: match entity {
                        Some(entity) => format!("{entity} {}", lang.digits(&r.entity_id)),
                        None => format!("{} {}", r.entity, r.entity_id),
                    },
                    entity_is_code: entity.is_none(),
                }
            })
            .collect(),
        layout,
    })
}
