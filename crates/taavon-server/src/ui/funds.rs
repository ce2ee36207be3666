//! Ledger pages: the pooled funds (agencies' deposits, program funds, loan books) and
//! the trial balance.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use taavon_app::AppError;
use taavon_app::funds::chart::{AccountKind, FundHolder};
use taavon_app::funds::reports::{self, FundLine};
use taavon_core::access;

use super::i18n::{Lang, Text};
use super::names::{self, Names};
use super::page::{PageParts, error_page, layout, parts_text};
use super::table::query::TableRequest;
use super::table::{Cell, ColumnSpec, DataTable, LISTED, Row, TableText, sortable};
use super::{Layout, render};
use crate::auth::UiUser;
use crate::state::AppState;

fn kind_name(lang: Lang, kind: &str) -> String {
    AccountKind::parse(kind).map_or_else(
        || kind.to_owned(),
        |kind| lang.pick(kind.name_fa(), kind.name_en()).to_owned(),
    )
}

/// An account in words: the agency and the bank it deposited at, or the program (the
/// province has its own column); the stored name only for an account the chart did not name.
fn account_cell(lang: Lang, names: &Names, line: &FundLine) -> Cell {
    match &line.holder {
        Some(FundHolder::AgencyAtBank { agency, bank }) => Cell::text(format!(
            "{} {} {}",
            names::agency(lang, agency),
            lang.text().deposited_at,
            names::bank(lang, bank)
        )),
        Some(FundHolder::ProgramInProvince { program, .. }) => {
            Cell::text(names.program(lang, program))
        }
        None => Cell::ltr(lang.digits(&line.name)),
    }
}

#[derive(Template)]
#[template(path = "funds.html")]
struct FundsPage {
    layout: Layout,
    /// Whether the reader may read the whole ledger's trial balance.
    may_trial_balance: bool,
    /// Whether the reader records deposits of some agency (the deposit form's link).
    may_deposit: bool,
    table: DataTable,
}

fn fund_columns(t: &'static Text, rial: &'static str) -> [ColumnSpec<usize>; 5] {
    [
        ColumnSpec::text(t.kind).sorted_by("kind", 0),
        ColumnSpec::text(t.account),
        ColumnSpec::text(t.province).sorted_by("province", 2),
        ColumnSpec::amount(t.held, rial).sorted_by("held", 3),
        ColumnSpec::amount(t.reserved, rial).sorted_by("reserved", 4),
    ]
}

pub async fn pooled(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    Query(raw): Query<HashMap<String, String>>,
) -> Response {
    let t = parts_text(&parts);
    let layout = layout(&parts, t.funds_title, Some(&user)).await;
    let specs = fund_columns(t, "");
    let request = match TableRequest::read("/funds", &raw, &[], &sortable(&specs), LISTED) {
        Ok(request) => request,
        Err(error) => return error_page(layout, &error),
    };
    let found = async {
        let lines = reports::pooled_funds(&state.store, &user.principal).await?;
        let names = Names::load(&state.store, &user.principal).await?;
        let depositing =
            super::deposits::depositing_agencies(&state.store, &user.principal).await?;
        Ok::<_, AppError>((lines, names, !depositing.is_empty()))
    }
    .await;
    let (lines, names, may_deposit) = match found {
        Ok(found) => found,
        Err(error) => return error_page(layout, &error),
    };
    let lang = request.language(layout.lang);
    let t = lang.text();
    let rows = lines
        .iter()
        .map(|l| {
            Row::new(vec![
                Cell::text(kind_name(lang, &l.kind)),
                account_cell(lang, &names, l),
                Cell::text(
                    l.province
                        .as_deref()
                        .map(|p| names.province(lang, p))
                        .unwrap_or_default(),
                ),
                Cell::number(lang, l.balance),
                Cell::number(lang, l.reserved),
            ])
        })
        .collect();
    let specs = fund_columns(t, TableText::of(lang).rial);
    let table = DataTable::whole(lang, t.funds_title, &specs, &request, rows);
    match request.format {
        Some(format) => table.export(format, "funds"),
        None => render(&FundsPage {
            may_trial_balance: access::ledger_view(&user.principal) == access::LedgerView::All,
            may_deposit,
            table,
            layout,
        }),
    }
}

#[derive(Template)]
#[template(path = "trial_balance.html")]
struct TrialBalancePage {
    layout: Layout,
    table: DataTable,
    balanced: bool,
}

fn balance_columns(t: &'static Text, rial: &'static str) -> [ColumnSpec<usize>; 6] {
    [
        ColumnSpec::text(t.kind).sorted_by("kind", 0),
        ColumnSpec::text(t.province).sorted_by("province", 1),
        ColumnSpec::number(t.loans_count).sorted_by("accounts", 2),
        ColumnSpec::amount(t.debits_posted, rial).sorted_by("debits", 3),
        ColumnSpec::amount(t.credits_posted, rial).sorted_by("credits", 4),
        ColumnSpec::amount(t.pending, rial).sorted_by("pending", 5),
    ]
}

pub async fn trial_balance(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    Query(raw): Query<HashMap<String, String>>,
) -> Response {
    let t = parts_text(&parts);
    let layout = layout(&parts, t.trial_balance_title, Some(&user)).await;
    let specs = balance_columns(t, "");
    let request = match TableRequest::read("/ledger", &raw, &[], &sortable(&specs), LISTED) {
        Ok(request) => request,
        Err(error) => return error_page(layout, &error),
    };
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
    let lang = request.language(layout.lang);
    let t = lang.text();
    let debits: i128 = rows.iter().map(|r| r.debits_posted).sum();
    let credits: i128 = rows.iter().map(|r| r.credits_posted).sum();
    let pending: i128 = rows.iter().map(|r| r.debits_pending).sum();
    let lines = rows
        .iter()
        .map(|r| {
            Row::new(vec![
                Cell::text(kind_name(lang, &r.kind)),
                Cell::text(
                    r.province
                        .as_deref()
                        .map(|p| names.province(lang, p))
                        .unwrap_or_default(),
                ),
                Cell::number(lang, r.accounts),
                Cell::sum(lang, r.debits_posted),
                Cell::sum(lang, r.credits_posted),
                Cell::sum(lang, r.debits_pending),
            ])
        })
        .collect();
    let specs = balance_columns(t, TableText::of(lang).rial);
    let table =
        DataTable::whole(lang, t.trial_balance_title, &specs, &request, lines).with_totals(vec![
            Cell::text(t.total),
            Cell::empty(),
            Cell::number(lang, rows.iter().map(|r| r.accounts).sum()),
            Cell::sum(lang, debits),
            Cell::sum(lang, credits),
            Cell::sum(lang, pending),
        ]);
    match request.format {
        Some(format) => table.export(format, "trial-balance"),
        None => render(&TrialBalancePage {
            table,
            balanced: debits == credits,
            layout,
        }),
    }
}
