//! The portfolio per branch at a closed business date (the last one unless a date is
//! chosen): loans, outstanding principal, PAR, the Central Bank classes and provisions,
//! with a totals row, sortable in the server (a short list), and the same rows as a file.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use taavon_app::rows::PortfolioRow;
use taavon_app::{AppError, loans};
use taavon_core::loans::classification::LoanClass;

use super::super::fields::Field;
use super::super::format;
use super::super::i18n::{Lang, Text};
use super::super::names::{self, Names};
use super::super::page::{PageParts, error_page, layout, parts_text};
use super::super::table::query::TableRequest;
use super::super::table::{Cell, ColumnSpec, DataTable, LISTED, Row, TableText, sortable};
use super::super::{Layout, render};
use crate::auth::UiUser;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "portfolio.html")]
struct PortfolioPage {
    layout: Layout,
    /// The business date shown, and the field of the date asked for (as typed).
    date: String,
    asked: Field,
    kept: Vec<(&'static str, String)>,
    table: DataTable,
}

/// The columns (the Central Bank classes named by the core).
fn columns(lang: Lang, t: &'static Text, rial: &'static str) -> Vec<ColumnSpec<usize>> {
    let class = |c: LoanClass| lang.pick(c.name_fa(), c.name_en());
    vec![
        ColumnSpec::text(t.province).sorted_by("province", 0),
        ColumnSpec::text(t.bank).sorted_by("bank", 1),
        ColumnSpec::text(t.branch).sorted_by("branch", 2),
        ColumnSpec::number(t.loans_count).sorted_by("loans", 3),
        ColumnSpec::amount(t.outstanding, rial).sorted_by("outstanding", 4),
        ColumnSpec::number(t.par30)
            .explained(t.par30_long)
            .sorted_by("par30", 5),
        ColumnSpec::number(t.par90)
            .explained(t.par90_long)
            .sorted_by("par90", 6),
        ColumnSpec::amount(class(LoanClass::PastDue), rial).sorted_by("past_due", 7),
        ColumnSpec::amount(class(LoanClass::Deferred), rial).sorted_by("deferred", 8),
        ColumnSpec::amount(class(LoanClass::Doubtful), rial).sorted_by("doubtful", 9),
        ColumnSpec::amount(t.provision, rial).sorted_by("provision", 10),
    ]
}

/// A share of `whole` as a percentage with two decimals (none of nothing is 0).
fn percent(lang: Lang, part: i64, whole: i64) -> Cell {
    let bp = if whole <= 0 {
        0
    } else {
        i64::try_from(i128::from(part) * 10_000 / i128::from(whole)).unwrap_or(i64::MAX)
    };
    Cell::percent(lang, Some(bp))
}

/// A branch's figures, or their sum over the page's branches.
#[derive(Clone, Copy, Default)]
struct Figures {
    loans: i64,
    outstanding_rial: i64,
    par30_rial: i64,
    par90_rial: i64,
    past_due_rial: i64,
    deferred_rial: i64,
    doubtful_rial: i64,
    provision_rial: i64,
}

impl Figures {
    fn of(r: &PortfolioRow) -> Self {
        Self {
            loans: r.loans,
            outstanding_rial: r.outstanding_rial,
            par30_rial: r.par30_rial,
            par90_rial: r.par90_rial,
            past_due_rial: r.past_due_rial,
            deferred_rial: r.deferred_rial,
            doubtful_rial: r.doubtful_rial,
            provision_rial: r.provision_rial,
        }
    }

    fn plus(self, r: &PortfolioRow) -> Self {
        Self {
            loans: self.loans + r.loans,
            outstanding_rial: self.outstanding_rial + r.outstanding_rial,
            par30_rial: self.par30_rial + r.par30_rial,
            par90_rial: self.par90_rial + r.par90_rial,
            past_due_rial: self.past_due_rial + r.past_due_rial,
            deferred_rial: self.deferred_rial + r.deferred_rial,
            doubtful_rial: self.doubtful_rial + r.doubtful_rial,
            provision_rial: self.provision_rial + r.provision_rial,
        }
    }
}

fn cells(lang: Lang, r: Figures) -> Vec<Cell> {
    vec![
        Cell::number(lang, r.loans),
        Cell::number(lang, r.outstanding_rial),
        percent(lang, r.par30_rial, r.outstanding_rial),
        percent(lang, r.par90_rial, r.outstanding_rial),
        Cell::number(lang, r.past_due_rial),
        Cell::number(lang, r.deferred_rial),
        Cell::number(lang, r.doubtful_rial),
        Cell::number(lang, r.provision_rial),
    ]
}

pub async fn portfolio(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    Query(raw): Query<HashMap<String, String>>,
) -> Response {
    let t = parts_text(&parts);
    let layout = layout(&parts, t.portfolio_title, Some(&user)).await;
    let specs = columns(layout.lang, t, "");
    let request = TableRequest::read("/portfolio", &raw, &["date"], &sortable(&specs), LISTED);
    let request = match request {
        Ok(request) => request,
        Err(error) => return error_page(layout, &error),
    };
    let asked = request.query.owned("date");
    let found = async {
        let rows = loans::portfolio(&state.store, &user.principal, asked.as_deref()).await?;
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
    let lines = rows
        .iter()
        .map(|r| {
            let branch = Cell::text(names::branch(lang, r.branch.as_str())).link(format!(
                "/loans?branch={}&arrears=1",
                crate::auth::url_escape(r.branch.as_str())
            ));
            let mut row = vec![
                Cell::text(names.province(lang, &r.province)),
                Cell::text(names::bank(lang, r.bank.as_str())),
                branch,
            ];
            row.extend(cells(lang, Figures::of(r)));
            Row::new(row)
        })
        .collect();
    let totals = rows.iter().fold(Figures::default(), Figures::plus);
    let mut total_cells = vec![Cell::text(t.total), Cell::empty(), Cell::empty()];
    total_cells.extend(cells(lang, totals));
    let specs = columns(lang, t, TableText::of(lang).rial);
    let table =
        DataTable::whole(lang, t.portfolio_title, &specs, &request, lines).with_totals(total_cells);
    if let Some(format) = request.format {
        return table.export(format, "portfolio");
    }
    render(&PortfolioPage {
        date: rows
            .first()
            .map(|r| format::date(lang, &r.business_on))
            .unwrap_or_default(),
        asked: Field::date_filter(
            lang,
            "date",
            t.business_date,
            asked.as_deref().unwrap_or_default(),
        ),
        kept: request.query.kept_by_filter_form(),
        table,
        layout,
    })
}
