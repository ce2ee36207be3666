//! The public transparency pages (issue 17), read without login and starting no session:
//! `/open` the nation by province, `/open?province=IR-16` one province by county — what
//! the programs budgeted, what was lent and where, the share lent in underprivileged
//! counties, planned and verified jobs and women's share of them — with a map, and the
//! same table as open data (`&format=csv|xlsx`).
//!
//! Every figure is the core's `PublicFigures` (no count under five, no amount or share
//! resting on fewer than five loans or people). The figures are computed at most once per
//! `open_figures::FRESH_FOR` per area and app server and the page says as of when; answers carry an
//! `ETag` and `Cache-Control: public, max-age=300`, so a proxy or a browser serves repeats.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use taavon_app::AppError;
use taavon_app::transparency::{OpenArea, OpenFigures};
use taavon_core::reference::ProvinceCode;
use taavon_core::transparency::{Disclosed, FEWEST_SHOWN};

use super::i18n::Lang;
use super::page::{PageParts, error_page, layout};
use super::select::province_choices;
use super::synergy::{ProvinceFilter, province_filter};
use super::table::query::TableRequest;
use super::table::{Cell, ColumnSpec, DataTable, LISTED, Row, sortable};
use super::{Layout, format};
use crate::map::{MapArea, choropleth_colour, choropleth_legend};
use crate::state::AppState;

pub const PATH: &str = "/open";

const CACHE_CONTROL: &str = "public, max-age=300";

#[derive(Template)]
#[template(path = "open.html")]
struct OpenPage {
    layout: Layout,
    intro: &'static str,
    as_of: String,
    cards: Vec<(&'static str, String)>,
    filter: ProvinceFilter,
    map_svg: Option<String>,
    legend_svg: String,
    map_note: String,
    programs_heading: String,
    /// Each program's name and budget over the area, in the reader's digits.
    programs: Vec<(String, String)>,
    no_programs: &'static str,
    indicators_heading: &'static str,
    /// (name, value, what it means).
    indicators: Vec<(&'static str, String, &'static str)>,
    indicators_note: &'static str,
    table: DataTable,
    note: String,
    links: Vec<(String, &'static str)>,
}

fn area_columns(lang: Lang, counties: bool) -> Vec<ColumnSpec<usize>> {
    let pick = |fa: &'static str, en: &'static str| lang.pick(fa, en);
    let mut columns = vec![if counties {
        ColumnSpec::text(pick("شهرستان", "County")).sorted_by("area", 0)
    } else {
        ColumnSpec::text(pick("استان", "Province")).sorted_by("area", 0)
    }];
    if counties {
        columns.push(
            ColumnSpec::text(pick("کم‌برخوردار", "Underprivileged")).explained(pick(
                "در دو سطح نخست محرومیت",
                "In the two most deprived tiers",
            )),
        );
    }
    columns.extend([
        ColumnSpec::amount(pick("جمعیت", "Population"), pick("نفر", "people")),
        ColumnSpec::amount(
            pick("وام پرداخت‌شده", "Loans disbursed"),
            pick("فقره", "loans"),
        ),
        ColumnSpec::amount(
            pick("مبلغ پرداخت‌شده", "Amount disbursed"),
            pick("میلیون ریال", "million rials"),
        ),
        ColumnSpec::amount(
            pick(
                "سهم شهرستان‌های کم‌برخوردار",
                "Share to underprivileged counties",
            ),
            pick("درصد", "%"),
        ),
        ColumnSpec::amount(pick("اشتغال تعهدشده", "Jobs planned"), pick("نفر", "jobs")),
        ColumnSpec::amount(
            pick("اشتغال تأییدشده", "Jobs verified"),
            pick("نفر", "jobs"),
        ),
        ColumnSpec::amount(
            pick(
                "سهم زنان از اشتغال تأییدشده",
                "Women's share of verified jobs",
            ),
            pick("درصد", "%"),
        ),
    ]);
    columns
}

/// A count as the public sees it: «fewer than 5» below five.
fn count_cell(lang: Lang, figure: Disclosed<i64>) -> Cell {
    match figure {
        Disclosed::Shown(n) => Cell::number(lang, n),
        Disclosed::Withheld => Cell::text(fewer_than(lang)).numeric(),
    }
}

/// An amount or share resting on few loans or people: a dash, explained under the table.
fn withheld_or(figure: Disclosed<i64>, shown: impl FnOnce(i64) -> Cell) -> Cell {
    match figure {
        Disclosed::Shown(value) => shown(value),
        Disclosed::Withheld => Cell::text("—").numeric(),
    }
}

fn fewer_than(lang: Lang) -> String {
    format!(
        "{} {}",
        lang.pick("کمتر از", "fewer than"),
        lang.number(FEWEST_SHOWN)
    )
}

fn area_row(lang: Lang, area: &OpenArea, counties: bool) -> Row {
    let f = &area.figures;
    let name = lang.pick(&area.name_fa, &area.name_en).to_owned();
    let mut cells = vec![if counties {
        Cell::text(name)
    } else {
        Cell::text(name).link(province_href(&area.code))
    }];
    if counties {
        cells.push(Cell::text(if area.tier.is_some_and(|t| t <= 2) {
            lang.pick("بله", "yes")
        } else {
            lang.pick("خیر", "no")
        }));
    }
    cells.extend([
        area.population
            .map_or_else(Cell::empty, |p| Cell::number(lang, p)),
        count_cell(lang, f.loans),
        withheld_or(f.disbursed_rial, |r| Cell::number(lang, millions(r))),
        withheld_or(f.underprivileged_share_bp, |bp| {
            Cell::percent(lang, Some(bp))
        }),
        count_cell(lang, f.planned_jobs),
        count_cell(lang, f.verified_jobs),
        withheld_or(f.women_share_bp, |bp| Cell::percent(lang, Some(bp))),
    ]);
    Row::new(cells)
}

/// Rials in millions, rounded half up: public figures are statistics, and a whole rial
/// amount would be as precise as one contract.
fn millions(rial: i64) -> i64 {
    (rial + 500_000).div_euclid(1_000_000)
}

pub fn province_href(code: &str) -> String {
    format!("{PATH}?province={code}")
}

/// `GET /open`, `GET /open?province=`: the public figures, or their file.
pub async fn page(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    Query(raw): Query<HashMap<String, String>>,
) -> Response {
    let lang = Lang::of(&parts);
    let title = lang.pick("شفافیت: تسهیلات و اشتغال", "Transparency: loans and jobs");
    let mut layout = layout(&parts, title, None).await;
    let counties_asked = raw.get("province").is_some_and(|p| !p.trim().is_empty());
    let specs = area_columns(lang, counties_asked);
    let request = match TableRequest::read(PATH, &raw, &["province"], &sortable(&specs), LISTED) {
        Ok(request) => request,
        Err(error) => return error_page(layout, &error),
    };
    let read = async {
        let province = province_filter(request.query.owned("province").as_deref())?;
        let (as_of, figures) = state
            .open_figures
            .figures(&state.store, province.as_ref())
            .await?;
        let provinces = taavon_app::reference::provinces(&state.store, None).await?;
        Ok::<_, AppError>((province, as_of, figures, provinces))
    }
    .await;
    let (province, as_of, figures, provinces) = match read {
        Ok(read) => read,
        Err(error) => return error_page(layout, &error),
    };
    let table_lang = request.language(lang);
    let counties = province.is_some();
    let place = figures.province.as_ref().map_or_else(
        || lang.pick("کل کشور", "The whole country").to_owned(),
        |p| lang.pick(&p.name_fa, &p.name_en).to_owned(),
    );
    let caption = format!(
        "{} · {place}",
        table_lang.pick("تسهیلات و اشتغال", "Loans and jobs")
    );
    let rows = figures
        .areas
        .iter()
        .map(|a| area_row(table_lang, a, counties))
        .collect();
    let table = DataTable::whole(
        table_lang,
        caption,
        &area_columns(table_lang, counties),
        &request,
        rows,
    );
    if let Some(format) = request.format {
        let file = match &province {
            Some(code) => format!("open-data-{}", code.as_str()),
            None => "open-data".to_owned(),
        };
        return cacheable(&parts, table.export(format, &file)).await;
    }
    layout.title = format!("{title} · {place}");
    if let Some(p) = &figures.province {
        layout.trail(&[(title, PATH)], lang.pick(&p.name_fa, &p.name_en));
    }
    let (map_svg, legend_svg) = map(&state, lang, &figures, province.as_ref());
    let total = &figures.total;
    let percent = |bp: Disclosed<i64>| match bp {
        Disclosed::Shown(bp) => lang.percent(&format!("{}.{:02}", bp / 100, bp % 100)),
        Disclosed::Withheld => "—".to_owned(),
    };
    let count = |n: Disclosed<i64>| {
        n.shown()
            .map_or_else(|| fewer_than(lang), |n| lang.number(n))
    };
    let cards = vec![
        (
            lang.pick("وام‌های پرداخت‌شده", "Loans disbursed"),
            count(total.loans),
        ),
        (
            lang.pick("مبلغ پرداخت‌شده (میلیون ریال)", "Disbursed (million rials)"),
            total
                .disbursed_rial
                .shown()
                .map_or_else(|| "—".to_owned(), |r| lang.number(millions(r))),
        ),
        (
            lang.pick(
                "سهم شهرستان‌های کم‌برخوردار",
                "Share to underprivileged counties",
            ),
            percent(total.underprivileged_share_bp),
        ),
        (
            lang.pick("اشتغال تعهدشده", "Jobs planned"),
            count(total.planned_jobs),
        ),
        (
            lang.pick("اشتغال تأییدشده", "Jobs verified"),
            count(total.verified_jobs),
        ),
        (
            lang.pick(
                "سهم زنان از اشتغال تأییدشده",
                "Women's share of verified jobs",
            ),
            percent(total.women_share_bp),
        ),
    ];
    let programs_heading = format!(
        "{} · {place}",
        lang.pick("برنامه‌ها و اعتبار مصوب", "Programs and their budgets")
    );
    let programs = figures
        .programs
        .iter()
        .map(|p| {
            (
                lang.pick(&p.name_fa, &p.name_en).to_owned(),
                format!(
                    "{} {}",
                    lang.number(millions(p.budget_rial)),
                    lang.pick("میلیون ریال", "million rials")
                ),
            )
        })
        .collect();
    let filter = ProvinceFilter {
        action: PATH,
        label: lang.pick("استان", "Province"),
        show: lang.pick("نمایش", "Show"),
        choices: province_choices(
            lang,
            provinces,
            province.as_ref().map(ProvinceCode::as_str),
            lang.pick("کل کشور", "The whole country"),
        ),
        kept: request.query.kept_by_filter_form(),
    };
    let page = OpenPage {
        intro: lang.pick(
            "آنچه صندوق‌های مشترک وزارت تعاون و دستگاه‌های تابعه وام داده‌اند، کجا و با چه اشتغالی. \
             اشتغال تأییدشده یعنی بیمه‌شدهٔ تأمین اجتماعی پس از پرداخت وام.",
            "What the ministry's pooled funds have lent, where, and with what jobs. A verified job \
             is one insured by Social Security after the loan was paid.",
        ),
        as_of: format!(
            "{} {}",
            lang.pick("به‌روز تا", "As of"),
            format::local_time(lang, as_of)
        ),
        cards,
        filter,
        map_svg,
        legend_svg,
        map_note: lang
            .pick(
                "رنگ هر ناحیه مبلغ پرداخت‌شده به ازای هر نفر جمعیت است؛ خاکستری: کمتر از ۵ وام.",
                "Each area's colour is the amount disbursed per person; grey: fewer than 5 loans.",
            )
            .to_owned(),
        programs_heading,
        programs,
        no_programs: lang.pick("برنامه‌ای ثبت نشده است.", "No programs yet."),
        indicators_heading: lang.pick(
            "شاخص‌های توسعهٔ متوازن (مبلغ پرداخت‌شده به تفکیک شهرستان)",
            "Balanced-development indicators (amount disbursed by county)",
        ),
        indicators: figures
            .indicators
            .as_ref()
            .map(|i| super::indicators::lines(lang, i))
            .unwrap_or_default(),
        indicators_note: super::indicators::note(lang),
        table,
        note: lang
            .pick(
                "برای حفظ حریم خصوصی، شمار کمتر از ۵ نشان داده نمی‌شود و مبلغ یا سهمی که بر کمتر از ۵ وام یا نفر استوار است با «—» آمده است.",
                "For privacy, counts under 5 are not shown, and an amount or share resting on fewer than 5 loans or people is shown as «—».",
            )
            .to_owned(),
        links: vec![(
            "/awards/results".to_owned(),
            lang.pick("نتایج جشنوارهٔ تعاونگران برتر", "Festival results"),
        )],
        layout,
    };
    // A failed render is a 500, which `cacheable` passes through uncached.
    let mut response = super::render(&page);
    response.headers_mut().insert(
        header::CONTENT_LANGUAGE,
        HeaderValue::from_static(lang.code()),
    );
    cacheable(&parts, response).await
}

/// The areas coloured by rials disbursed per person (withheld areas grey), each a link
/// to its page: provinces nationally, a province's counties on its page.
fn map(
    state: &AppState,
    lang: Lang,
    figures: &OpenFigures,
    province: Option<&ProvinceCode>,
) -> (Option<String>, String) {
    let per_person = |a: &OpenArea| {
        let rial = a.figures.disbursed_rial.shown()?;
        let people = a.population.filter(|p| *p > 0)?;
        Some(u64::try_from(rial / people).unwrap_or(0))
    };
    let values: Vec<u64> = figures.areas.iter().filter_map(per_person).collect();
    let (min, max) = (
        values.iter().copied().min().unwrap_or(0),
        values.iter().copied().max().unwrap_or(0),
    );
    let areas: Vec<MapArea> = figures
        .areas
        .iter()
        .map(|a| {
            let value = per_person(a);
            let name = lang.pick(&a.name_fa, &a.name_en);
            MapArea {
                code: a.code.clone(),
                fill: value
                    .map_or("#ddd", |v| {
                        choropleth_colour(v as f64, min as f64, max as f64)
                    })
                    .to_owned(),
                title: match value {
                    Some(v) => format!(
                        "{name}: {} {}",
                        lang.number(i64::try_from(v).unwrap_or(i64::MAX)),
                        lang.pick("ریال برای هر نفر", "rials per person")
                    ),
                    None => format!(
                        "{name}: {}",
                        lang.pick("کمتر از ۵ وام", "fewer than 5 loans")
                    ),
                },
                href: province.is_none().then(|| province_href(&a.code)),
            }
        })
        .collect();
    let label = lang.pick(
        "نقشهٔ مبلغ پرداخت‌شده به ازای هر نفر",
        "Map of the amount disbursed per person",
    );
    let svg = match province {
        Some(code) => state
            .maps
            .counties(code.as_str())
            .map(|outlines| outlines.render(&areas, label)),
        None => Some(state.maps.provinces.render(&areas, label)),
    };
    // No legend for a map with nothing to colour: every area is grey and the note says why.
    let legend = if values.is_empty() {
        String::new()
    } else {
        choropleth_legend(min, max, label, |from, to| {
            format!(
                "{} – {} {}",
                lang.number(i64::try_from(from).unwrap_or(i64::MAX)),
                lang.number(i64::try_from(to).unwrap_or(i64::MAX)),
                lang.pick("ریال", "rials")
            )
        })
    };
    (svg, legend)
}

/// A public answer: `ETag` over its body, `Cache-Control: public`, and 304 when the
/// client already holds it. `Vary: Cookie` because the language is a cookie.
async fn cacheable(parts: &Parts, response: Response) -> Response {
    if !response.status().is_success() {
        return response;
    }
    let (mut head, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let digest = Sha256::digest(&bytes);
    let tag: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    let etag = format!("\"{tag}\"");
    let cached = parts
        .headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|v| {
            let v = v.trim();
            v == "*" || v.trim_start_matches("W/") == etag
        });
    let headers = &mut head.headers;
    if let Ok(value) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, value);
    }
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(CACHE_CONTROL),
    );
    headers.insert(header::VARY, HeaderValue::from_static("Cookie"));
    if cached {
        head.status = StatusCode::NOT_MODIFIED;
        return Response::from_parts(head, axum::body::Body::empty());
    }
    Response::from_parts(head, axum::body::Body::from(bytes))
}
