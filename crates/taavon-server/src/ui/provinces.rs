//! The provinces: the map and table of all, and one province's counties with tiers.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use taavon_app::impact::figures::{self, JobsOf};
use taavon_app::{AppError, reference};
use taavon_core::access::{ApplicationScope, application_scope};
use taavon_core::reference::ProvinceCode;

use super::i18n::Text;
use super::impact::JobsBox;
use super::page::{PageParts, error_page, layout, parts_text};
use super::table::query::TableRequest;
use super::table::{Cell, ColumnSpec, DataTable, LISTED, Row, sortable};
use super::{Layout, render, synergy};
use crate::auth::UiUser;
use crate::map::{MapArea, choropleth_colour};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "provinces.html")]
struct ProvincesPage {
    layout: Layout,
    map_svg: String,
    table: DataTable,
}

fn columns(t: &'static Text) -> [ColumnSpec<usize>; 4] {
    [
        ColumnSpec::text(t.province).sorted_by("name", 0),
        ColumnSpec::number(t.population_1395).sorted_by("population", 1),
        ColumnSpec::number(t.counties).sorted_by("counties", 2),
        ColumnSpec::number(t.underprivileged_counties).sorted_by("underprivileged", 3),
    ]
}

pub async fn provinces(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: Option<UiUser>,
    Query(raw): Query<HashMap<String, String>>,
) -> Response {
    let t = parts_text(&parts);
    let layout = layout(&parts, t.provinces_title, user.as_ref()).await;
    let request = TableRequest::read("/provinces", &raw, &[], &sortable(&columns(t)), LISTED);
    let request = match request {
        Ok(request) => request,
        Err(error) => return error_page(layout, &error),
    };
    let reader = user.as_ref().map(|user| &user.principal);
    let rows = match reference::provinces(&state.store, reader).await {
        Ok(rows) => rows,
        Err(error) => return error_page(layout, &error),
    };
    let lang = request.language(layout.lang);
    let t = lang.text();
    let lines = rows
        .iter()
        .map(|p| {
            Row::new(vec![
                Cell::text(lang.pick(&p.name_fa, &p.name_en))
                    .link(format!("/provinces/{}", p.code)),
                Cell::number(lang, p.population_1395),
                Cell::number(lang, p.counties),
                Cell::number(lang, p.underprivileged_counties),
            ])
        })
        .collect();
    let table = DataTable::whole(lang, t.provinces_title, &columns(t), &request, lines)
        .with_totals(vec![
            Cell::text(t.total),
            Cell::number(lang, rows.iter().map(|p| p.population_1395).sum()),
            Cell::number(lang, rows.iter().map(|p| p.counties).sum()),
            Cell::number(lang, rows.iter().map(|p| p.underprivileged_counties).sum()),
        ]);
    if let Some(format) = request.format {
        return table.export(format, "provinces");
    }
    let share = |p: &taavon_app::rows::ProvinceRow| {
        if p.counties == 0 {
            0.0
        } else {
            p.underprivileged_counties as f64 / p.counties as f64
        }
    };
    let map_provinces: Vec<MapArea> = rows
        .iter()
        .map(|p| MapArea {
            code: p.code.clone(),
            fill: choropleth_colour(share(p), 0.0, 1.0).to_owned(),
            title: format!(
                "{}: {} {} / {}",
                lang.pick(&p.name_fa, &p.name_en),
                t.underprivileged_counties,
                lang.number(p.underprivileged_counties),
                lang.number(p.counties)
            ),
            href: Some(format!("/provinces/{}", p.code)),
        })
        .collect();
    render(&ProvincesPage {
        map_svg: state.maps.provinces.render(&map_provinces, t.map_label),
        table,
        layout,
    })
}

struct CountyLine {
    code: String,
    name: String,
    population: String,
    tier: String,
    tier_class: String,
}

#[derive(Template)]
#[template(path = "province.html")]
struct ProvincePage {
    layout: Layout,
    name: String,
    code: String,
    counties: Vec<CountyLine>,
    /// The province's jobs, within the reader's scope; none to a visitor.
    jobs: Option<JobsBox>,
    /// Its counties drawn by tier (none when the bundled boundaries lack the province).
    map_svg: Option<String>,
    map_note: &'static str,
}

/// A tier's fill, as the tier badges colour it (`.tier-N` in the style sheet).
fn tier_fill(tier: Option<i64>) -> &'static str {
    match tier {
        Some(1) => "#b30000",
        Some(2) => "#fc8d59",
        Some(3) => "#fdcc8a",
        Some(4) => "#fef0d9",
        _ => "#ddd",
    }
}

pub async fn province(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: Option<UiUser>,
    Path(code): Path<String>,
) -> Response {
    let t = parts_text(&parts);
    let mut layout = layout(&parts, t.province, user.as_ref()).await;
    let lang = layout.lang;
    let Ok(code) = ProvinceCode::parse(&code) else {
        return error_page(layout, &AppError::NotFound);
    };
    let reader = user.as_ref().map(|user| &user.principal);
    let (province, counties) = match reference::province(&state.store, reader, &code).await {
        Ok(found) => found,
        Err(error) => return error_page(layout, &error),
    };
    let jobs = match reader {
        Some(principal) if application_scope(principal) != ApplicationScope::None => {
            let of = JobsOf::Province(code.clone());
            match figures::jobs_of(&state.store, principal, &of).await {
                Ok(jobs) => Some(JobsBox::new(lang, &jobs)),
                Err(error) => return error_page(layout, &error),
            }
        }
        _ => None,
    };
    let name = lang.pick(&province.name_fa, &province.name_en).to_owned();
    layout.title = format!("{} {name}", t.province);
    layout.trail(&[(t.provinces_title, "/provinces")], &name);
    let map_svg = state.maps.counties(code.as_str()).map(|outlines| {
        let areas: Vec<MapArea> = counties
            .iter()
            .map(|c| MapArea {
                code: c.code.clone(),
                fill: tier_fill(c.tier).to_owned(),
                title: format!(
                    "{}: {} {}",
                    lang.pick(&c.name_fa, &c.name_en),
                    t.tier,
                    c.tier.map_or("—".into(), |tier| lang.number(tier))
                ),
                // A county's synergy figures are for the signed-in.
                href: user.as_ref().map(|_| synergy::county_href(&c.code)),
            })
            .collect();
        outlines.render(&areas, &format!("{} {}: {}", t.province, name, t.tier))
    });
    render(&ProvincePage {
        map_svg,
        map_note: lang.pick(
            "رنگ هر شهرستان سطح محرومیت آن است؛ تیره‌تر کم‌برخوردارتر.",
            "Each county's colour is its tier; darker is more underprivileged.",
        ),
        layout,
        code: code.as_str().to_owned(),
        counties: counties
            .iter()
            .map(|c| CountyLine {
                code: lang.digits(&c.code),
                name: lang.pick(&c.name_fa, &c.name_en).to_owned(),
                population: c.population_1395.map_or("—".into(), |p| lang.number(p)),
                tier: c.tier.map_or("—".into(), |tier| lang.number(tier)),
                tier_class: c.tier.map_or(String::new(), |tier| format!("tier-{tier}")),
            })
            .collect(),
        jobs,
        name,
    })
}
