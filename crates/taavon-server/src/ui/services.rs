//! The synergy page (issue 15): the gap list — underprivileged counties ranked by
//! services per 1 000 population, lowest first, with what each agency or bank would have
//! to deliver there to reach its own national rate — on the table component (exported and
//! printed like every list), the province choropleth of services per 1 000 population,
//! and a chart of each agency's share, drawn in the server as an accessible SVG (a title,
//! a description and the figures as text beside every bar). Everything comes from the
//! county figures the store keeps with the records, never a scan of them.

use std::collections::HashMap;
use std::fmt::Write as _;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use taavon_app::AppError;
use taavon_app::services::{self, CountySynergy, Gap};
use taavon_core::services::Provider;

use super::i18n::Lang;
use super::names::{self, Names};
use super::page::{PageParts, error_page, layout};
use super::people::{self, Search};
use super::synergy::{
    self, CountyMap, ProvinceFilter, filtered, per_thousand, per_thousand_legend,
};
use super::table::query::TableRequest;
use super::table::{Cell, ColumnSpec, DataTable, LISTED, Row, sortable};
use super::{Layout, render};
use crate::auth::UiUser;
use crate::map::{MapArea, choropleth_colour, escape};
use crate::state::AppState;

pub const PATH: &str = "/services";
const FILTERS: [&str; 1] = ["province"];

#[derive(Template)]
#[template(path = "services.html")]
struct GapPage {
    layout: Layout,
    note: &'static str,
    filter: ProvinceFilter,
    map_svg: String,
    map_legend: String,
    map_note: &'static str,
    /// The counties the chosen province's map has no outline for, named.
    without_outline: String,
    /// The chosen province's counties' figures.
    counties_href: String,
    counties_link: &'static str,
    /// The person search, for the roles that may look people up.
    search: Option<Search>,
    shares_heading: &'static str,
    shares_svg: String,
    table: DataTable,
}

/// The gap list's columns.
fn columns(lang: Lang) -> Vec<ColumnSpec<usize>> {
    let pick = |fa: &'static str, en: &'static str| lang.pick(fa, en);
    vec![
        ColumnSpec::text(pick("شهرستان", "County")),
        ColumnSpec::text(pick("استان", "Province")).sorted_by("province", 1),
        ColumnSpec::number(pick("سطح محرومیت", "Tier")).sorted_by("tier", 2),
        ColumnSpec::amount(pick("جمعیت", "Population"), pick("نفر", "people"))
            .sorted_by("population", 3),
        ColumnSpec::amount(pick("خدمات", "Services"), pick("مورد", "services"))
            .sorted_by("services", 4),
        ColumnSpec::number(pick("خدمت در هر هزار نفر", "Per 1 000 people"))
            .sorted_by("per_thousand", 5),
        ColumnSpec::text(pick("کمبود به تفکیک دستگاه", "Missing, by agency")).explained(pick(
            "آنچه هر دستگاه باید در این شهرستان ارائه کند تا به نرخ کشوری خود برسد",
            "What each agency or bank would deliver here at its own national rate",
        )),
    ]
}

fn count(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

fn gap_row(lang: Lang, names: &Names, gap: &Gap) -> Row {
    let missing: Vec<String> = gap
        .shortfalls
        .iter()
        .map(|s| {
            format!(
                "{}: {} {} {}",
                names::provider(lang, &s.provider),
                lang.number(count(s.delivered)),
                lang.pick("از", "of"),
                lang.number(count(s.expected)),
            )
        })
        .collect();
    let mut rate = Cell::number(lang, count(gap.per_thousand_milli));
    rate.text = per_thousand(lang, gap.per_thousand_milli);
    Row::new(vec![
        Cell::text(names.county(lang, &gap.county)),
        Cell::text(names.province(lang, &gap.province)),
        Cell::number(lang, i64::from(gap.tier.get())),
        Cell::number(lang, count(gap.population)),
        Cell::number(lang, count(gap.services)),
        rate,
        Cell::text(missing.join(lang.pick("؛ ", "; "))),
    ])
}

pub async fn gap_page(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    Query(raw): Query<HashMap<String, String>>,
) -> Response {
    let lang = Lang::of(&parts);
    let title = lang.pick("هم‌افزایی و فهرست کمبودها", "Synergy and the gap list");
    let layout = layout(&parts, title, Some(&user)).await;
    let keys = sortable(&columns(lang));
    let request = match TableRequest::read(PATH, &raw, &FILTERS, &keys, LISTED) {
        Ok(request) => request,
        Err(error) => return error_page(layout, &error),
    };
    let found = async {
        let (province, filter, names) = filtered(&state, &user, lang, PATH, &request.query).await?;
        let gaps = services::gaps(&state.store, &user.principal, province.as_ref()).await?;
        let counties =
            services::service_synergy(&state.store, &user.principal, province.as_ref()).await?;
        Ok::<_, AppError>((province, gaps, counties, filter, names))
    }
    .await;
    let (province, gaps, counties, filter, names) = match found {
        Ok(found) => found,
        Err(error) => return error_page(layout, &error),
    };
    let table_lang = request.language(layout.lang);
    let lines = gaps
        .iter()
        .map(|gap| gap_row(table_lang, &names, gap))
        .collect();
    let table = DataTable::whole(
        table_lang,
        table_lang.pick(
            "شهرستان‌های کم‌برخوردار، کمترین خدمت سرانه نخست",
            "Underprivileged counties, least served per person first",
        ),
        &columns(table_lang),
        &request,
        lines,
    );
    if let Some(format) = request.format {
        return table.export(format, "gap-list");
    }
    let in_view: Vec<&CountySynergy> = counties
        .iter()
        .filter(|c| province.as_ref().is_none_or(|p| c.province == p.as_str()))
        .collect();
    let county_map = province
        .as_ref()
        .and_then(|province| CountyMap::of(state.maps, lang, &names, province, &in_view));
    let (map_svg, map_legend, without_outline) = match county_map {
        Some(map) => (map.svg, map.legend, map.without_outline),
        None => {
            let areas = province_map(lang, &names, &counties);
            let max = areas.iter().map(|(_, milli)| *milli).max().unwrap_or(0);
            let areas: Vec<MapArea> = areas.into_iter().map(|(area, _)| area).collect();
            (
                state.maps.provinces.render(
                    &areas,
                    lang.pick(
                        "نقشه استان‌ها: خدمت در هر هزار نفر",
                        "Provinces: services per 1 000 people",
                    ),
                ),
                per_thousand_legend(lang, max),
                String::new(),
            )
        }
    };
    render(&GapPage {
        note: lang.pick(
            "خدمات همه دستگاه‌ها و بانک‌ها در هر شهرستان، از ارقام تجمیعی که با هر ثبت در همان تراکنش به‌روز می‌شود. «کمبود» یعنی کمتر از نرخ کشوری همان دستگاه به ازای جمعیت شهرستان.",
            "What every agency and bank delivered in each county, from the figures kept with each record in the same transaction. \"Missing\" is below that agency's own national rate for the county's population.",
        ),
        filter,
        map_svg,
        map_legend,
        map_note: if province.is_some() {
            lang.pick(
                "رنگ تیره‌تر: خدمت سرانه بیشتر. هر شهرستان را برای ارقام آن بگشایید.",
                "Darker: more services per person. Open a county for its figures.",
            )
        } else {
            lang.pick(
                "رنگ تیره‌تر: خدمت سرانه بیشتر. یک استان را برای نقشه شهرستان‌هایش بگشایید.",
                "Darker: more services per person. Open a province for its counties' map.",
            )
        },
        without_outline,
        counties_href: match &province {
            Some(province) => format!("{}?province={}", synergy::LIST_PATH, province.as_str()),
            None => synergy::LIST_PATH.to_owned(),
        },
        search: people::may_search(&user.principal)
            .then(|| Search::new(lang, String::new(), None)),
        counties_link: lang.pick(
            "ارقام هم‌افزایی شهرستان‌ها: خدمات، تسهیلات، اشتغال و درخواست‌های حمایت",
            "The counties' synergy figures: services, loans, jobs and support requests",
        ),
        shares_heading: lang.pick("سهم هر دستگاه از خدمات", "Each agency's share of the services"),
        shares_svg: shares_chart(lang, &in_view),
        table,
        layout,
    })
}

/// Services per 1 000 people in each province, summed from its counties' figures: each
/// province as drawn, with its figure in thousandths.
fn province_map(lang: Lang, names: &Names, counties: &[CountySynergy]) -> Vec<(MapArea, u64)> {
    let mut sums: HashMap<&str, (u64, u64)> = HashMap::new();
    for county in counties {
        let entry = sums.entry(county.province.as_str()).or_default();
        entry.0 += county.services;
        entry.1 += county.population.unwrap_or(0);
    }
    let rate = |(services, population): (u64, u64)| {
        taavon_core::services::per_thousand_milli(services, population)
    };
    let max = sums.values().map(|s| rate(*s)).max().unwrap_or(0);
    sums.iter()
        .map(|(code, sum)| {
            let milli = rate(*sum);
            let area = MapArea {
                code: (*code).to_owned(),
                // A ratio for the colour only; the figure itself stays exact in the title.
                fill: choropleth_colour(milli as f64, 0.0, max as f64).to_owned(),
                title: format!(
                    "{}: {} {}",
                    names.province(lang, code),
                    per_thousand(lang, milli),
                    lang.pick("در هر هزار نفر", "per 1 000 people")
                ),
                href: Some(format!("{PATH}?province={code}")),
            };
            (area, milli)
        })
        .collect()
}

/// Each provider's share of the services in view, as horizontal bars with their figures
/// written beside them (the chart is readable without colour, and its title and
/// description say what it shows to a screen reader).
fn shares_chart(lang: Lang, counties: &[&CountySynergy]) -> String {
    let mut by_provider: HashMap<&Provider, u64> = HashMap::new();
    for figure in counties.iter().flat_map(|c| &c.figures) {
        *by_provider.entry(&figure.provider).or_default() +=
            u64::try_from(figure.services).unwrap_or(0);
    }
    let mut shares: Vec<(&Provider, u64)> = by_provider.into_iter().collect();
    shares.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    let total: u64 = shares.iter().map(|(_, n)| n).sum();
    let title = lang.pick(
        "سهم هر دستگاه از خدمات",
        "Each agency's share of the services",
    );
    let bar_height = 28;
    let height = 20 + bar_height * shares.len().max(1);
    let mut svg = format!(
        "<svg class=\"shares-chart\" role=\"img\" aria-labelledby=\"shares-title shares-desc\" \
         viewBox=\"0 0 800 {height}\" xmlns=\"http://www.w3.org/2000/svg\">\
         <title id=\"shares-title\">{title}</title><desc id=\"shares-desc\">{}</desc>",
        escape(&format!(
            "{} {}",
            lang.number(count(total)),
            lang.pick("خدمت در همه", "services in all")
        )),
    );
    if total == 0 {
        let _ = write!(
            svg,
            "<text x=\"400\" y=\"30\" text-anchor=\"middle\">{}</text>",
            lang.pick("هنوز خدمتی ثبت نشده است.", "No service is recorded yet.")
        );
    }
    let rtl = lang == Lang::Fa;
    for ((provider, services), row) in shares.iter().zip(0usize..) {
        let y = 10 + row * bar_height;
        // Widths in whole pixels of 400, the share in basis points for the text.
        let width = services.saturating_mul(400) / total.max(1);
        let basis_points = services.saturating_mul(10_000) / total.max(1);
        let percent = lang.digits(&format!("{}.{:02}", basis_points / 100, basis_points % 100));
        let x = if rtl { 800 - 220 - width } else { 220 };
        let label_x = if rtl { 790 } else { 10 };
        let _ = write!(
            svg,
            "<g><text x=\"{label_x}\" y=\"{}\" direction=\"{}\" text-anchor=\"start\">{}</text>\
             <rect x=\"{x}\" y=\"{y}\" width=\"{width}\" height=\"{}\" fill=\"#2b6cb0\"></rect>\
             <text x=\"{}\" y=\"{}\" direction=\"{}\">{} ({}{})</text></g>",
            y + 18,
            if rtl { "rtl" } else { "ltr" },
            escape(&names::provider(lang, provider)),
            bar_height - 8,
            if rtl {
                x.saturating_sub(8)
            } else {
                x + width + 8
            },
            y + 18,
            if rtl { "rtl" } else { "ltr" },
            lang.number(count(*services)),
            percent,
            lang.pick("٪", "%"),
        );
    }
    svg.push_str("</svg>");
    svg
}
