//! The application list (the queue): filters by program, province and status kept in the
//! address, sortable columns, paging by number, and the same rows as a file.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use taavon_app::applications::{self, ApplicationSearch};
use taavon_app::rows::{Application, ApplicationColumn};
use taavon_app::{AppError, Store, export, programs, reference};
use taavon_core::access::{Principal, drafts_applications};
use taavon_core::applications::ApplicationState;

use super::super::applications::score_text;
use super::super::i18n::{Lang, Text};
use super::super::names::{self, Names};
use super::super::page::{PageParts, error_page, layout, parts_text};
use super::super::select::{Choice, choices, province_choices};
use super::super::table::query::TableRequest;
use super::super::table::{Cell, ColumnSpec, DataTable, Pager, Row, Sorting, TableText, sortable};
use super::super::{Layout, render};
use crate::auth::UiUser;
use crate::state::AppState;

const PATH: &str = "/applications";
const FILTERS: [&str; 3] = ["program", "province", "status"];

#[derive(Template)]
#[template(path = "applications.html")]
struct ApplicationsPage {
    layout: Layout,
    table: DataTable,
    kept: Vec<(&'static str, String)>,
    programs: Vec<Choice>,
    provinces: Vec<Choice>,
    statuses: Vec<Choice>,
    may_apply: bool,
}

fn columns(t: &'static Text, rial: &'static str) -> [ColumnSpec<ApplicationColumn>; 9] {
    [
        ColumnSpec::number(t.number_sign.trim_end()).sorted_by("number", ApplicationColumn::Id),
        ColumnSpec::text(t.applicant),
        ColumnSpec::text(t.program).sorted_by("program", ApplicationColumn::Program),
        ColumnSpec::text(t.province).sorted_by("province", ApplicationColumn::Province),
        ColumnSpec::amount(t.amount, rial).sorted_by("amount", ApplicationColumn::Amount),
        ColumnSpec::number(t.jobs).sorted_by("jobs", ApplicationColumn::Jobs),
        ColumnSpec::number(t.women_jobs).sorted_by("women_jobs", ApplicationColumn::WomenJobs),
        ColumnSpec::number(t.score).sorted_by("score", ApplicationColumn::Score),
        ColumnSpec::text(t.status).sorted_by("status", ApplicationColumn::Status),
    ]
}

const NEWEST_FIRST: Sorting<ApplicationColumn> = Sorting {
    key: "number",
    column: ApplicationColumn::Id,
    descending: true,
};

async fn rows(
    store: &Store,
    principal: &Principal,
    lang: Lang,
    names: &Names,
    applications: &[Application],
) -> Result<Vec<Row>, AppError> {
    let applicants = applications::applicant_names(store, principal, applications).await?;
    let mut rows = Vec::with_capacity(applications.len());
    for (a, applicant) in applications.iter().zip(applicants) {
        let f = &a.fields;
        rows.push(Row::new(vec![
            Cell::id(lang, a.id).link(format!("/applications/{}", a.id)),
            Cell::persian(applicant.unwrap_or_else(|| "—".to_owned())),
            Cell::text(names.program(lang, &f.program)),
            Cell::text(names.province(lang, &f.province)),
            Cell::number(lang, f.amount_rial),
            Cell::number(lang, f.jobs),
            Cell::number(lang, f.women_jobs),
            Cell::text(score_text(lang, a.score_x100)).numeric(),
            Cell::text(names::application_state(lang, f.status)),
        ]));
    }
    Ok(rows)
}

pub async fn queue(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    Query(raw): Query<HashMap<String, String>>,
) -> Response {
    let layout = layout(&parts, parts_text(&parts).applications_title, Some(&user)).await;
    let specs = columns(layout.t, "");
    let request = TableRequest::read(PATH, &raw, &FILTERS, &sortable(&specs), NEWEST_FIRST);
    let request = match request {
        Ok(request) => request,
        Err(error) => return error_page(layout, &error),
    };
    let query = &request.query;
    let lang = request.language(layout.lang);
    let t = lang.text();
    let principal = &user.principal;
    let search = ApplicationSearch {
        program: query.owned("program"),
        province: query.owned("province"),
        status: query.owned("status"),
        ..ApplicationSearch::default()
    };
    let found = async {
        let mut filter = search.filter()?;
        filter.sort = request.sorting.store_order();
        let totals = applications::application_totals(&state.store, principal, &filter).await?;
        let (applications, total) = match request.format {
            Some(_) => (
                export::applications_to_export(&state.store, principal, &filter).await?,
                0,
            ),
            None => {
                let page = applications::list_applications(
                    &state.store,
                    principal,
                    &filter,
                    request.size,
                    request.offset(),
                )
                .await?;
                (page.applications, page.total)
            }
        };
        let names = Names::load(&state.store, principal).await?;
        let rows = rows(&state.store, principal, lang, &names, &applications).await?;
        let programs = programs::list_programs(&state.store, principal).await?;
        let provinces = reference::name_tables(&state.store, Some(principal))
            .await?
            .provinces;
        Ok::<_, AppError>((rows, total, totals, programs, provinces))
    }
    .await;
    let (rows, total, totals, program_list, provinces) = match found {
        Ok(found) => found,
        Err(error) => return error_page(layout, &error),
    };
    let table = DataTable::new(
        lang,
        t.applications_title,
        &columns(t, TableText::of(lang).rial),
        Some(&request.sorting),
        query,
        rows,
    )
    .with_totals(vec![
        Cell::text(t.total),
        Cell::empty(),
        Cell::empty(),
        Cell::empty(),
        Cell::sum(lang, totals.amount_rial),
        Cell::sum(lang, totals.jobs),
        Cell::sum(lang, totals.women_jobs),
        Cell::empty(),
        Cell::empty(),
    ]);
    if let Some(format) = request.format {
        return table.export(format, "applications");
    }
    let table = table.with_pager(Pager::numbered(
        lang,
        query,
        request.page,
        request.size,
        total,
    ));
    let statuses = ApplicationState::ALL
        .iter()
        .map(|s| (s.code().to_owned(), names::application_state(lang, *s)))
        .collect();
    render(&ApplicationsPage {
        kept: query.kept_by_filter_form(),
        programs: choices(
            program_list
                .into_iter()
                .map(|p| {
                    let name = lang.pick(&p.name_fa, &p.name_en).to_owned();
                    (p.code, name)
                })
                .collect(),
            query.get("program"),
            t.any,
        ),
        provinces: province_choices(lang, provinces, query.get("province"), t.any),
        statuses: choices(statuses, query.get("status"), t.any),
        may_apply: drafts_applications(&principal.role),
        table,
        layout,
    })
}
