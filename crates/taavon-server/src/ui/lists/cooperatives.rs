//! The cooperative list: search and filters kept in the address, sortable columns,
//! paging by number, and the same rows as a file.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use taavon_app::cooperatives::{self, CooperativeSearch};
use taavon_app::rows::{Cooperative, CooperativeColumn};
use taavon_app::{AppError, export, reference};
use taavon_core::access;
use taavon_core::registry::CooperativeStatus;

use super::super::i18n::{Lang, Text};
use super::super::names::{self, Names};
use super::super::page::{PageParts, error_page, layout, parts_text};
use super::super::select::{Choice, choices, province_choices};
use super::super::table::query::TableRequest;
use super::super::table::{Cell, ColumnSpec, DataTable, Pager, Row, Sorting, sortable};
use super::super::{Layout, render};
use crate::auth::UiUser;
use crate::state::AppState;

const PATH: &str = "/cooperatives";
const FILTERS: [&str; 4] = ["q", "province", "sector", "status"];

#[derive(Template)]
#[template(path = "cooperatives.html")]
struct CooperativesPage {
    layout: Layout,
    table: DataTable,
    kept: Vec<(&'static str, String)>,
    q: String,
    provinces: Vec<Choice>,
    sectors: Vec<Choice>,
    statuses: Vec<Choice>,
    may_create: bool,
}

fn columns(t: &'static Text) -> [ColumnSpec<CooperativeColumn>; 7] {
    [
        ColumnSpec::text(t.name).sorted_by("name", CooperativeColumn::Name),
        ColumnSpec::text(t.province).sorted_by("province", CooperativeColumn::Province),
        ColumnSpec::text(t.county).sorted_by("county", CooperativeColumn::County),
        ColumnSpec::text(t.kind).sorted_by("type", CooperativeColumn::Kind),
        ColumnSpec::text(t.sector).sorted_by("sector", CooperativeColumn::Sector),
        ColumnSpec::text(t.women_led),
        ColumnSpec::text(t.status).sorted_by("status", CooperativeColumn::Status),
    ]
}

const BY_NAME: Sorting<CooperativeColumn> = Sorting {
    key: "name",
    column: CooperativeColumn::Name,
    descending: false,
};

fn row(lang: Lang, names: &Names, c: &Cooperative) -> Row {
    let t = lang.text();
    let f = &c.fields;
    Row::new(vec![
        Cell::persian(f.name.clone()).link(format!("/cooperatives/{}", c.id)),
        Cell::text(names.province(lang, &f.province)),
        Cell::text(names.county(lang, &f.county)),
        Cell::text(names::kind(lang, f.kind)),
        Cell::text(names.sector(lang, &f.sector)),
        Cell::text(if f.women_led { t.yes } else { t.no }),
        Cell::text(names::cooperative_status(lang, f.status)),
    ])
}

pub async fn cooperatives(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    Query(raw): Query<HashMap<String, String>>,
) -> Response {
    let layout = layout(&parts, parts_text(&parts).cooperatives_title, Some(&user)).await;
    let specs = columns(layout.t);
    let request = TableRequest::read(PATH, &raw, &FILTERS, &sortable(&specs), BY_NAME);
    let request = match request {
        Ok(request) => request,
        Err(error) => return error_page(layout, &error),
    };
    let query = &request.query;
    let search = CooperativeSearch {
        q: query.owned("q"),
        province: query.owned("province"),
        sector: query.owned("sector"),
        status: query.owned("status"),
        ..CooperativeSearch::default()
    };
    let principal = &user.principal;
    let found = async {
        let mut filter = search.filter()?;
        filter.sort = request.sorting.store_order();
        let (cooperatives, total) = match request.format {
            Some(_) => (
                export::cooperatives_to_export(&state.store, principal, &filter).await?,
                0,
            ),
            None => {
                let page = cooperatives::list_cooperatives(
                    &state.store,
                    principal,
                    &filter,
                    request.size,
                    request.offset(),
                )
                .await?;
                (page.cooperatives, page.total)
            }
        };
        let tables = reference::name_tables(&state.store, Some(principal)).await?;
        Ok::<_, AppError>((cooperatives, total, tables))
    }
    .await;
    let (cooperatives, total, tables) = match found {
        Ok(found) => found,
        Err(error) => return error_page(layout, &error),
    };
    let (provinces, sectors) = (tables.provinces.clone(), tables.sectors.clone());
    let names = Names::new(tables);
    let lang = request.language(layout.lang);
    let t = lang.text();
    let rows = cooperatives.iter().map(|c| row(lang, &names, c)).collect();
    let table = DataTable::new(
        lang,
        t.cooperatives_title,
        &columns(t),
        Some(&request.sorting),
        query,
        rows,
    );
    if let Some(format) = request.format {
        return table.export(format, "cooperatives");
    }
    let table = table.with_pager(Pager::numbered(
        lang,
        query,
        request.page,
        request.size,
        total,
    ));
    let statuses = CooperativeStatus::ALL
        .iter()
        .map(|s| (s.code().to_owned(), names::cooperative_status(lang, *s)))
        .collect();
    render(&CooperativesPage {
        kept: query.kept_by_filter_form(),
        q: query.owned("q").unwrap_or_default(),
        provinces: province_choices(lang, provinces, query.get("province"), t.any),
        sectors: choices(
            sectors
                .into_iter()
                .map(|s| (s.code, lang.pick(&s.name_fa, &s.name_en).to_owned()))
                .collect(),
            query.get("sector"),
            t.any,
        ),
        statuses: choices(statuses, query.get("status"), t.any),
        may_create: access::keeps_registry(principal),
        table,
        layout,
    })
}
