//! Ledger pages: the pooled funds (agencies' deposits, program funds, loan books) and
//! the trial balance.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use taavon_app::AppError;
use taavon_app::funds::chart::AccountKind;
use taavon_app::funds::reports;
use taavon_core::access;

use super::i18n::Lang;
use super::names::Names;
use super::page::{PageParts, error_page, layout, parts_text};
use super::{Layout, render};
use crate::auth::UiUser;
use crate::state::AppState;

fn kind_name(lang: Lang, kind: &str) -> String {
    AccountKind::parse(kind).map_or_else(
        || kind.to_owned(),
        |kind| lang.pick(kind.name_fa(), kind.name_en()).to_owned(),
    )
}

struct FundRow {
    kind: String,
    name: String,
    province: String,
    balance: String,
    reserved: String,
}

#[derive(Template)]
#[template(path = "funds.html")]
struct FundsPage {
    layout: Layout,
    /// Whether the reader may read the whole ledger's trial balance.
    may_trial_balance: bool,
    rows: Vec<FundRow>,
}

pub async fn pooled(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
) -> Response {
    let layout = layout(&parts, parts_text(&parts).funds_title, Some(&user)).await;
    let lang = layout.lang;
    let found = async {
        let lines = reports::pooled_funds(&state.store, &user.principal).await?;
        let names = Names::load(&state.store, &user.principal).await?;
        Ok::<_, AppError>((lines, names))
    }
    .await;
    match found {
        Ok((lines, names)) => render(&FundsPage {
            may_trial_balance: access::ledger_view(&user.principal) == access::LedgerView::All,
            rows: lines
                .iter()
                .map(|l| FundRow {
                    kind: kind_name(lang, &l.kind),
                    name: lang.digits(&l.name),
                    province: l
                        .province
                        .as_deref()
                        .map(|p| names.province(lang, p))
                        .unwrap_or_default(),
                    balance: lang.number(l.balance),
                    reserved: lang.number(l.reserved),
                })
                .collect(),
            layout,
        }),
        Err(error) => error_page(layout, &error),
    }
}

struct BalanceRow {
    kind: String,
    province: String,
    accounts: String,
    debits: String,
    credits: String,
    pending: String,
}

#[derive(Template)]
#[template(path = "trial_balance.html")]
struct TrialBalancePage {
    layout: Layout,
    rows: Vec<BalanceRow>,
    debits: String,
    credits: String,
    balanced: bool,
}

pub async fn trial_balance(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
) -> Response {
    let layout = layout(&parts, parts_text(&parts).trial_balance_title, Some(&user)).await;
    let lang = layout.lang;
    let found = async {
        let rows = reports::trial_balance(&state.store, &user.principal).await?;
        let names = Names::load(&state.store, &user.principal).await?;
        Ok::<_, AppError>((rows, names))
    }
    .await;
    let (rows, names) = match found {
        Ok(found) => found,
        Err(error) => return error_page(layout, &error),
    };
    let debits: i128 = rows.iter().map(|r| r.debits_posted).sum();
    let credits: i128 = rows.iter().map(|r| r.credits_posted).sum();
    render(&TrialBalancePage {
        rows: rows
            .iter()
            .map(|r| BalanceRow {
                kind: kind_name(lang, &r.kind),
                province: r
                    .province
                    .as_deref()
                    .map(|p| names.province(lang, p))
                    .unwrap_or_default(),
                accounts: lang.number(r.accounts),
                debits: lang.sum(r.debits_posted),
                credits: lang.sum(r.credits_posted),
                pending: lang.sum(r.debits_pending),
            })
            .collect(),
        debits: lang.sum(debits),
        credits: lang.sum(credits),
        balanced: debits == credits,
        layout,
    })
}
