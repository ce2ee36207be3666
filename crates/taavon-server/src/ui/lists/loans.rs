//! The loan list (the arrears list per branch): filters by province, branch, class and
//! arrears kept in the address, sortable columns, paging by cursor (the national list is
//! long: a page continues after the last loan shown, in the list's order, however many
//! came before), and the same rows as a file.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use taavon_app::loans::{self, LoanSearch};
use taavon_app::rows::{Loan, LoanColumn};
use taavon_app::{AppError, export, reference};
use taavon_core::loans::classification::LoanClass;

use super::super::i18n::{Lang, Text};
use super::super::loans::class_name;
use super::super::names::{self, Names};
use super::super::page::{PageParts, error_page, layout, parts_text};
use super::super::select::{Choice, choices, province_choices};
use super::super::table::query::TableRequest;
use super::super::table::{Cell, ColumnSpec, DataTable, Pager, Row, Sorting, TableText, sortable};
use super::super::{Layout, render};
use crate::auth::UiUser;
use crate::state::AppState;

const PATH: &str = "/loans";
const FILTERS: [&str; 4] = ["province", "branch", "class", "arrears"];

#[derive(Template)]
#[template(path = "loans.html")]
struct LoansPage {
    layout: Layout,
    table: DataTable,
    kept: Vec<(&'static str, String)>,
    provinces: Vec<Choice>,
    branches: Vec<Choice>,
    classes: Vec<Choice>,
    in_arrears: bool,
}

fn columns(t: &'static Text, rial: &'static str) -> [ColumnSpec<LoanColumn>; 8] {
    [
        ColumnSpec::text(t.contract_no).sorted_by("contract", LoanColumn::ContractNo),
        ColumnSpec::text(t.province).sorted_by("province", LoanColumn::Province),
        ColumnSpec::text(t.branch).sorted_by("branch", LoanColumn::Branch),
        ColumnSpec::amount(t.principal, rial).sorted_by("principal", LoanColumn::Principal),
        ColumnSpec::amount(t.outstanding, rial).sorted_by("outstanding", LoanColumn::Outstanding),
        ColumnSpec::amount(t.overdue, rial).sorted_by("overdue", LoanColumn::Overdue),
        ColumnSpec::number(t.days_overdue).sorted_by("days_overdue", LoanColumn::DaysOverdue),
        ColumnSpec::text(t.loan_class).sorted_by("class", LoanColumn::Class),
    ]
}

const MOST_OVERDUE_FIRST: Sorting<LoanColumn> = Sorting {
    key: "days_overdue",
    column: LoanColumn::DaysOverdue,
    descending: true,
};

fn row(lang: Lang, names: &Names, l: &Loan) -> Row {
    Row::new(vec![
        Cell::text(lang.digits(&l.fields.contract_no)).link(format!("/loans/{}", l.id)),
        Cell::text(names.province(lang, &l.fields.province)),
        Cell::text(names::branch(lang, l.fields.branch.as_str())),
        Cell::number(lang, l.fields.principal_rial),
        Cell::number(lang, l.state.outstanding_principal_rial),
        Cell::number(lang, l.state.due_unpaid_rial),
        Cell::number(lang, l.state.days_overdue),
        Cell::text(class_name(lang, l.class)),
    ])
    .with_class(format!("class-{}", l.class.code()))
}

pub async fn list(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    Query(raw): Query<HashMap<String, String>>,
) -> Response {
    let layout = layout(&parts, parts_text(&parts).loans_title, Some(&user)).await;
    let specs = columns(layout.t, "");
    let request = TableRequest::read(PATH, &raw, &FILTERS, &sortable(&specs), MOST_OVERDUE_FIRST);
    let request = match request {
        Ok(request) => request,
        Err(error) => return error_page(layout, &error),
    };
    let query = &request.query;
    let lang = request.language(layout.lang);
    let t = lang.text();
    let principal = &user.principal;
    let in_arrears = matches!(query.get("arrears"), Some("1" | "on"));
    let search = LoanSearch {
        province: query.owned("province"),
        branch: query.owned("branch"),
        class: query.owned("class"),
        in_arrears,
        ..LoanSearch::default()
    };
    let found = async {
        let mut filter = search.filter()?;
        filter.sort = request.sorting.store_order();
        filter.after_loan = request.after;
        let totals = loans::loan_totals(&state.store, principal, &filter).await?;
        let (loans, total) = match request.format {
            Some(_) => (
                export::loans_to_export(&state.store, principal, &filter).await?,
                0,
            ),
            // One more than a page, to know whether a next page exists.
            None => {
                loans::list_loans(&state.store, principal, &filter, request.size + 1, 0).await?
            }
        };
        let names = Names::load(&state.store, principal).await?;
        let tables = reference::name_tables(&state.store, Some(principal)).await?;
        let banks = reference::banks(&state.store, Some(principal)).await?;
        Ok::<_, AppError>((loans, total, totals, names, tables.provinces, banks))
    }
    .await;
    let (mut loans, total, totals, names, provinces, banks) = match found {
        Ok(found) => found,
        Err(error) => return error_page(layout, &error),
    };
    let page_size = usize::try_from(request.size).unwrap_or(usize::MAX);
    let more = loans.len() > page_size && request.format.is_none();
    if more {
        loans.truncate(page_size);
    }
    let rows = loans.iter().map(|l| row(lang, &names, l)).collect();
    let table = DataTable::new(
        lang,
        t.loans_title,
        &columns(t, TableText::of(lang).rial),
        Some(&request.sorting),
        query,
        rows,
    )
    .with_totals(vec![
        Cell::text(t.total),
        Cell::empty(),
        Cell::empty(),
        Cell::sum(lang, totals.principal_rial),
        Cell::sum(lang, totals.outstanding_principal_rial),
        Cell::sum(lang, totals.due_unpaid_rial),
        Cell::empty(),
        Cell::empty(),
    ]);
    if let Some(format) = request.format {
        return table.export(format, "loans");
    }
    let next = more.then(|| loans.last().map(|l| l.id)).flatten();
    let table = table.with_pager(Pager::by_cursor(
        lang,
        query,
        request.size,
        ("after", next),
        loans.len(),
        Some(total),
    ));
    let classes = LoanClass::ALL
        .iter()
        .map(|c| (c.code().to_owned(), class_name(lang, *c)))
        .collect();
    let branches = banks
        .iter()
        .flat_map(|bank| &bank.branches)
        .map(|b| {
            (
                b.code.to_string(),
                lang.pick(&b.name_fa, &b.name_en).to_owned(),
            )
        })
        .collect();
    render(&LoansPage {
        kept: query.kept_by_filter_form(),
        provinces: province_choices(lang, provinces, query.get("province"), t.any),
        branches: choices(branches, query.get("branch"), t.any),
        classes: choices(classes, query.get("class"), t.any),
        in_arrears,
        table,
        layout,
    })
}
