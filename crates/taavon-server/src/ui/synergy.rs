//! The synergy figures of counties (issue 15): the county choropleth of one province on
//! the services page; the list of a province's (or the nation's) counties with their
//! services per 1 000 people, loans, verified jobs and support requests, on the table
//! component (exported and printed like every list); and one county's page, its
//! services by agency or bank and kind. The numbers are the API's
//! (`/api/v1/services/counties`), read through the same use case.

use std::collections::HashMap;
use std::sync::OnceLock;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use taavon_app::AppError;
use taavon_app::services::{self, CountySynergy};
use taavon_core::reference::{ProvinceCode, ReferenceData};

use super::i18n::Lang;
use super::names::{self, Names};
use super::page::{PageParts, error_page, layout};
use super::select::{Choice, province_choices};
use super::table::query::{ListQuery, TableRequest};
use super::table::{Cell, ColumnSpec, DataTable, LISTED, Row, sortable};
use super::{Layout, render};
use crate::auth::UiUser;
use crate::map::{MapArea, Maps, choropleth_colour, choropleth_legend};
use crate::state::AppState;

pub const LIST_PATH: &str = "/services/counties";
/// The services page (`services::PATH`, named here too: that module draws its maps
/// with this one's).
const SERVICES_PATH: &str = "/services";
const FILTERS: [&str; 1] = ["province"];

/// The figure in thousandths as a decimal with three places, in the reader's digits.
pub fn per_thousand(lang: Lang, milli: u64) -> String {
    lang.decimal(&format!("{}.{:03}", milli / 1000, milli % 1000))
}

/// A county's page.
pub fn county_href(code: &str) -> String {
    format!("{LIST_PATH}/{code}")
}

/// A bundled county's page address, kept for the process (a list's address is static);
/// none for a code that is no county.
fn county_path(code: &str) -> Option<&'static str> {
    static PATHS: OnceLock<HashMap<String, String>> = OnceLock::new();
    PATHS
        .get_or_init(|| {
            ReferenceData::bundled()
                .map(|data| {
                    data.counties
                        .iter()
                        .map(|c| (c.code.as_str().to_owned(), county_href(c.code.as_str())))
                        .collect()
                })
                .unwrap_or_default()
        })
        .get(code)
        .map(String::as_str)
}

/// A province's counties drawn by services per 1 000 people, with its legend and the
/// names of the counties the map has no outline for.
pub struct CountyMap {
    pub svg: String,
    pub legend: String,
    /// «…: پلدختر», or empty.
    pub without_outline: String,
}

impl CountyMap {
    /// The county map of `province`, when the bundled boundaries have it.
    pub fn of(
        maps: &Maps,
        lang: Lang,
        names: &Names,
        province: &ProvinceCode,
        counties: &[&CountySynergy],
    ) -> Option<Self> {
        let outlines = maps.counties(province.as_str())?;
        let max = counties
            .iter()
            .filter_map(|c| c.per_thousand_milli)
            .max()
            .unwrap_or(0);
        let areas: Vec<MapArea> = counties
            .iter()
            .map(|county| {
                let name = names.county(lang, &county.county);
                let (fill, figure) = match county.per_thousand_milli {
                    // A ratio for the colour only; the figure itself stays exact.
                    Some(milli) => (
                        choropleth_colour(milli as f64, 0.0, max as f64),
                        format!(
                            "{} {}",
                            per_thousand(lang, milli),
                            lang.pick("خدمت در هر هزار نفر", "services per 1 000 people")
                        ),
                    ),
                    None => (
                        "#ddd",
                        lang.pick("بدون جمعیت سرشماری", "no census population")
                            .to_owned(),
                    ),
                };
                MapArea {
                    code: county.county.clone(),
                    fill: fill.to_owned(),
                    title: format!("{name}: {figure}"),
                    href: Some(county_href(&county.county)),
                }
            })
            .collect();
        let missing: Vec<String> = maps
            .without_outline(province.as_str())
            .iter()
            .map(|code| names.county(lang, code))
            .collect();
        Some(Self {
            svg: outlines.render(
                &areas,
                &format!(
                    "{} {}: {}",
                    lang.pick("شهرستان‌های", "Counties of"),
                    names.province(lang, province.as_str()),
                    lang.pick("خدمت در هر هزار نفر", "services per 1 000 people")
                ),
            ),
            legend: per_thousand_legend(lang, max),
            without_outline: if missing.is_empty() {
                String::new()
            } else {
                format!(
                    "{} {}",
                    lang.pick("بدون مرز روی نقشه:", "Not on the map (no outline):"),
                    missing.join(lang.pick("، ", ", "))
                )
            },
        })
    }
}

/// The legend of a map of services per 1 000 people whose highest figure is `max`
/// (in thousandths).
pub fn per_thousand_legend(lang: Lang, max: u64) -> String {
    choropleth_legend(
        0,
        max,
        lang.pick(
            "راهنمای رنگ‌ها: خدمت در هر هزار نفر",
            "Legend: services per 1 000 people",
        ),
        |from, to| {
            format!(
                "{} {} {}",
                per_thousand(lang, from),
                lang.pick("تا", "to"),
                per_thousand(lang, to)
            )
        },
    )
}

#[derive(Template)]
#[template(path = "synergy_counties.html")]
struct CountiesPage {
    layout: Layout,
    note: &'static str,
    filter: ProvinceFilter,
    table: DataTable,
}

fn columns(lang: Lang) -> Vec<ColumnSpec<usize>> {
    let pick = |fa: &'static str, en: &'static str| lang.pick(fa, en);
    vec![
        ColumnSpec::text(pick("شهرستان", "County")).sorted_by("county", 0),
        ColumnSpec::text(pick("استان", "Province")).sorted_by("province", 1),
        ColumnSpec::amount(pick("جمعیت", "Population"), pick("نفر", "people"))
            .sorted_by("population", 2),
        ColumnSpec::amount(pick("خدمات", "Services"), pick("مورد", "services"))
            .sorted_by("services", 3),
        ColumnSpec::number(pick("خدمت در هر هزار نفر", "Per 1 000 people"))
            .sorted_by("per_thousand", 4),
        ColumnSpec::amount(
            pick("تسهیلات پرداخت‌شده", "Loans disbursed"),
            pick("فقره", "loans"),
        )
        .sorted_by("loans", 5)
        .explained(pick(
            "وام‌هایی که شما می‌توانید ببینید",
            "The loans you may see",
        )),
        ColumnSpec::amount(pick("مبلغ پرداخت‌شده", "Lent"), pick("ریال", "rials"))
            .sorted_by("disbursed", 6),
        ColumnSpec::amount(
            pick("اشتغال تأییدشده", "Verified jobs"),
            pick("نفر", "jobs"),
        )
        .sorted_by("jobs", 7),
        ColumnSpec::amount(
            pick("درخواست‌های حمایت باز", "Open support requests"),
            pick("مورد", "requests"),
        )
        .sorted_by("open", 8),
        ColumnSpec::number(pick(
            "میانگین زمان پاسخ (روز)",
            "Mean time to answer (days)",
        ))
        .sorted_by("answer", 9),
    ]
}

fn count(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// Tenths as a decimal with one place (`12.5`), in the reader's digits.
fn tenths(lang: Lang, value: u64) -> String {
    lang.decimal(&format!("{}.{}", value / 10, value % 10))
}

/// A figure shown as `text` and filed as `value`; empty when there is none.
fn figure(shown: Option<(String, String)>) -> Cell {
    match shown {
        Some((text, value)) => Cell {
            value,
            ..Cell::text(text).numeric()
        },
        None => Cell::empty().numeric(),
    }
}

/// One county's line: its figures, its name linked to its page.
fn county_row(lang: Lang, names: &Names, county: &CountySynergy) -> Row {
    let per_thousand_cell = figure(county.per_thousand_milli.map(|milli| {
        (
            per_thousand(lang, milli),
            format!("{}.{:03}", milli / 1000, milli % 1000),
        )
    }));
    let answer = figure(
        county
            .mean_days_to_answer_tenths
            .map(|t| (tenths(lang, t), format!("{}.{}", t / 10, t % 10))),
    );
    Row::new(vec![
        Cell::text(names.county(lang, &county.county)).link(county_href(&county.county)),
        Cell::text(names.province(lang, &county.province)),
        figure(
            county
                .population
                .map(|p| (lang.number(count(p)), p.to_string())),
        ),
        Cell::number(lang, count(county.services)),
        per_thousand_cell,
        Cell::number(lang, count(county.loans)),
        Cell::number(lang, count(county.disbursed_rial)),
        Cell::number(lang, count(county.verified_jobs)),
        Cell::number(lang, count(county.open_requests)),
        answer,
    ])
}

/// The counties' synergy figures, of a province or the nation.
pub async fn counties_page(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    Query(raw): Query<HashMap<String, String>>,
) -> Response {
    let lang = Lang::of(&parts);
    let title = lang.pick("ارقام هم‌افزایی شهرستان‌ها", "The counties' synergy figures");
    let mut layout = layout(&parts, title, Some(&user)).await;
    layout.trail(&[(lang.pick("هم‌افزایی", "Synergy"), SERVICES_PATH)], title);
    let keys = sortable(&columns(lang));
    let request = match TableRequest::read(LIST_PATH, &raw, &FILTERS, &keys, LISTED) {
        Ok(request) => request,
        Err(error) => return error_page(layout, &error),
    };
    let found = async {
        let (province, filter, names) =
            filtered(&state, &user, lang, LIST_PATH, &request.query).await?;
        let counties = services::synergy(&state.store, &user.principal, province.as_ref()).await?;
        Ok::<_, AppError>((counties, filter, names))
    }
    .await;
    let (counties, filter, names) = match found {
        Ok(found) => found,
        Err(error) => return error_page(layout, &error),
    };
    let table_lang = request.language(layout.lang);
    let lines = counties
        .iter()
        .map(|county| county_row(table_lang, &names, county))
        .collect();
    let table = DataTable::whole(
        table_lang,
        table_lang.pick(
            "خدمات، تسهیلات، اشتغال و درخواست‌های حمایت هر شهرستان",
            "Each county's services, loans, jobs and support requests",
        ),
        &columns(table_lang),
        &request,
        lines,
    );
    if let Some(format) = request.format {
        return table.export(format, "county-synergy");
    }
    render(&CountiesPage {
        note: lang.pick(
            "خدمات همه دستگاه‌ها و بانک‌ها از ارقام تجمیعی ثبت‌ها؛ تسهیلات و اشتغال تأییدشده در محدوده دسترسی شما؛ درخواست‌های حمایت بسته‌نشده و میانگین روزهای تقویمی تا نخستین پاسخ.",
            "Every agency's and bank's services from the figures kept with the records; loans and verified jobs within what you may see; support requests not closed and the mean calendar days to the first answer.",
        ),
        filter,
        table,
        layout,
    })
}

/// The province filter of a synergy list (the gap list, the counties' figures): the
/// form's words, the provinces to choose from and the table settings it keeps.
pub struct ProvinceFilter {
    pub action: &'static str,
    pub label: &'static str,
    pub show: &'static str,
    pub choices: Vec<Choice>,
    pub kept: Vec<(&'static str, String)>,
}

/// What a synergy list reads first: the province asked for (checked), its filter's form
/// and the names the list shows.
pub async fn filtered(
    state: &AppState,
    user: &UiUser,
    lang: Lang,
    action: &'static str,
    query: &ListQuery,
) -> Result<(Option<ProvinceCode>, ProvinceFilter, Names), AppError> {
    let selected = query.owned("province");
    let province = province_filter(selected.as_deref())?;
    let names = Names::load(&state.store, &user.principal).await?;
    let provinces = taavon_app::reference::provinces(&state.store, Some(&user.principal)).await?;
    let filter = ProvinceFilter {
        action,
        label: lang.pick("استان", "Province"),
        show: lang.pick("نمایش", "Show"),
        choices: province_choices(
            lang,
            provinces,
            selected.as_deref().filter(|p| !p.is_empty()),
            lang.pick("همه کشور", "The whole country"),
        ),
        kept: query.kept_by_filter_form(),
    };
    Ok((province, filter, names))
}

/// A province filter as typed: blank is the nation.
pub(super) fn province_filter(selected: Option<&str>) -> Result<Option<ProvinceCode>, AppError> {
    match selected.filter(|p| !p.is_empty()) {
        Some(code) => ProvinceCode::parse(code).map(Some).map_err(|_| {
            AppError::invalid(
                "province",
                "province_code",
                "استان شناخته نیست.",
                "Unknown province.",
            )
        }),
        None => Ok(None),
    }
}

#[derive(Template)]
#[template(path = "synergy_county.html")]
struct CountyPage {
    layout: Layout,
    facts: Vec<(&'static str, String)>,
    table: DataTable,
}

fn figure_columns(lang: Lang) -> Vec<ColumnSpec<usize>> {
    let pick = |fa: &'static str, en: &'static str| lang.pick(fa, en);
    vec![
        ColumnSpec::text(pick("دستگاه یا بانک", "Agency or bank")).sorted_by("provider", 0),
        ColumnSpec::text(pick("نوع خدمت", "Kind of service")).sorted_by("kind", 1),
        ColumnSpec::amount(pick("خدمات", "Services"), pick("مورد", "services"))
            .sorted_by("services", 2),
        ColumnSpec::amount(pick("نفرات", "People reached"), pick("نفر", "people"))
            .sorted_by("people", 3),
    ]
}

/// One county's figures: what it holds, then its services by provider and kind.
pub async fn county_page(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    Path(code): Path<String>,
    Query(raw): Query<HashMap<String, String>>,
) -> Response {
    let lang = Lang::of(&parts);
    let mut layout = layout(&parts, lang.pick("شهرستان", "County"), Some(&user)).await;
    let keys = sortable(&figure_columns(lang));
    let Some(path) = county_path(&code) else {
        return error_page(layout, &AppError::NotFound);
    };
    let request = match TableRequest::read(path, &raw, &[], &keys, LISTED) {
        Ok(request) => request,
        Err(error) => return error_page(layout, &error),
    };
    let found = async {
        let county = services::county_synergy(&state.store, &user.principal, &code).await?;
        let names = Names::load(&state.store, &user.principal).await?;
        Ok::<_, AppError>((county, names))
    }
    .await;
    let (county, names) = match found {
        Ok(found) => found,
        Err(error) => return error_page(layout, &error),
    };
    let name = names.county(lang, &county.county);
    let province = names.province(lang, &county.province);
    layout.title = format!("{} {name}", lang.pick("هم‌افزایی در شهرستان", "Synergy in"));
    let in_province = format!("{}?province={}", LIST_PATH, county.province);
    layout.trail(
        &[
            (lang.pick("هم‌افزایی", "Synergy"), SERVICES_PATH),
            (province.as_str(), in_province.as_str()),
        ],
        &name,
    );
    let table_lang = request.language(layout.lang);
    let lines = county
        .figures
        .iter()
        .map(|figure| {
            Row::new(vec![
                Cell::text(names::provider(table_lang, &figure.provider)),
                Cell::text(names::service_kind(table_lang, figure.kind)),
                Cell::number(table_lang, figure.services),
                Cell::number(table_lang, figure.people),
            ])
        })
        .collect();
    let table = DataTable::whole(
        table_lang,
        format!(
            "{} {}",
            table_lang.pick(
                "خدمات به تفکیک دستگاه و نوع در",
                "Services by agency and kind in"
            ),
            names.county(table_lang, &county.county)
        ),
        &figure_columns(table_lang),
        &request,
        lines,
    );
    if let Some(format) = request.format {
        return table.export(format, "county-services");
    }
    let dash = || "—".to_owned();
    let facts = vec![
        (lang.pick("استان", "Province"), province),
        (
            lang.pick("سطح محرومیت", "Tier"),
            county
                .tier
                .map_or_else(dash, |t| lang.number(i64::from(t.get()))),
        ),
        (
            lang.pick("جمعیت (سرشماری ۱۳۹۵)", "Population (1395 census)"),
            county
                .population
                .map_or_else(dash, |p| lang.number(count(p))),
        ),
        (
            lang.pick("خدمات ثبت‌شده", "Services recorded"),
            lang.number(count(county.services)),
        ),
        (
            lang.pick("خدمت در هر هزار نفر", "Services per 1 000 people"),
            county
                .per_thousand_milli
                .map_or_else(dash, |m| per_thousand(lang, m)),
        ),
        (
            lang.pick(
                "تسهیلات پرداخت‌شده (در محدوده دسترسی شما)",
                "Loans disbursed (that you may see)",
            ),
            lang.number(count(county.loans)),
        ),
        (
            lang.pick("مبلغ پرداخت‌شده (ریال)", "Lent (rials)"),
            lang.number(count(county.disbursed_rial)),
        ),
        (
            lang.pick("اشتغال تأییدشده", "Verified jobs"),
            lang.number(count(county.verified_jobs)),
        ),
        (
            lang.pick("درخواست‌های حمایت باز", "Open support requests"),
            lang.number(count(county.open_requests)),
        ),
        (
            lang.pick("درخواست‌های پاسخ‌داده‌شده", "Support requests answered"),
            lang.number(count(county.answered_requests)),
        ),
        (
            lang.pick(
                "میانگین زمان تا نخستین پاسخ",
                "Mean time to the first answer",
            ),
            county.mean_days_to_answer_tenths.map_or_else(dash, |t| {
                format!("{} {}", tenths(lang, t), lang.pick("روز", "days"))
            }),
        ),
    ];
    render(&CountyPage {
        layout,
        facts,
        table,
    })
}
