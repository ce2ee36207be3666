//! The dashboard page (issue 17): the reader's scope over a Jalali period beside the
//! period before — cards, the funnel, money over time, budgets by program, the portfolio
//! by class with its PAR trend, a province map of a chosen measure and the provinces'
//! table (exported like every list), and the task inbox. The figures are
//! `taavon_app::dashboard`'s, the same as `GET /api/v1/dashboard`.

mod chart;
mod text;

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use taavon_app::AppError;
use taavon_app::dashboard::{self, Dashboard, DashboardQuery, PERIODS, SeriesKey, Span};
use taavon_app::rows::{DashboardSums, PortfolioPoint, ProvinceRow};
use taavon_core::access::{self, ApplicationScope, Principal};
use taavon_core::calendar::{JalaliDate, MONTHS_EN, MONTHS_FA};
use taavon_core::impact::figures::PeriodKey;

use super::fields::Field;
use super::i18n::Lang;
use super::names::{self, Names};
use super::page::{PageParts, error_page, layout};
use super::select::Choice;
use super::table::query::TableRequest;
use super::table::{Cell, ColumnSpec, DataTable, LISTED, Row, sortable};
use super::{Layout, format, render};
use crate::auth::UiUser;
use crate::map::{MapArea, choropleth_colour, choropleth_legend};
use crate::state::AppState;
use chart::{Chart, Series, Shape};
pub use text::DashboardText;

pub const PATH: &str = "/dashboard";
const FILTERS: [&str; 6] = ["period", "on", "from", "to", "measure", "per"];
/// The map's measures, in `DashboardText::measures` order.
const MEASURES: [&str; 5] = ["disbursed", "approved", "repaid", "submitted", "approvals"];

/// A figure with the period before it.
struct Card {
    label: &'static str,
    hint: &'static str,
    value: String,
    before: String,
}

/// A step of the funnel with its median days, this period and the one before.
struct StepRow {
    label: String,
    now: String,
    before: String,
}

/// A waiting application, as the inbox lists it.
struct Waiting {
    href: String,
    label: String,
    state: String,
    since: String,
    amount: String,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    layout: Layout,
    d: &'static DashboardText,
    scope: String,
    periods: Vec<Choice>,
    measures: Vec<Choice>,
    scales: Vec<Choice>,
    on: Field,
    from: Field,
    to: Field,
    kept: Vec<(&'static str, String)>,
    heading: String,
    as_of: String,
    /// False for a role whose scope holds no application (an agency, a judge).
    in_scope: bool,
    /// Where a role with nothing in scope here finds its own figures.
    elsewhere: Vec<(&'static str, &'static str)>,
    cards: Vec<Card>,
    /// An agency officer's agency, to date.
    agency_cards: Vec<Card>,
    charts: Vec<Chart>,
    steps: Vec<StepRow>,
    portfolio_as_of: Option<String>,
    portfolio_charts: Vec<Chart>,
    map_svg: Option<String>,
    legend_svg: String,
    table: DataTable,
    inbox: Vec<Waiting>,
    inbox_total: String,
    inbox_listed_all: bool,
}

/// `GET /dashboard`: the page, or its provinces' table as a file (`&format=`).
pub async fn page(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    Query(raw): Query<HashMap<String, String>>,
) -> Response {
    let d = DashboardText::of(Lang::of(&parts));
    let mut layout = layout(&parts, d.title, Some(&user)).await;
    let keys = sortable(&columns(d, ""));
    let request = match TableRequest::read(PATH, &raw, &FILTERS, &keys, LISTED) {
        Ok(request) => request,
        Err(error) => return error_page(layout, &error),
    };
    let query = DashboardQuery {
        period: request.query.owned("period"),
        on: request.query.owned("on"),
        from: request.query.owned("from"),
        to: request.query.owned("to"),
    };
    let now = taavon_app::clock::now();
    let found = async {
        let found = dashboard::dashboard(&state.store, &user.principal, &query, now).await?;
        let names = Names::load(&state.store, &user.principal).await?;
        let provinces = taavon_app::reference::provinces(&state.store, None).await?;
        Ok::<_, AppError>((found, names, provinces))
    }
    .await;
    let (found, names, provinces) = match found {
        Ok(found) => found,
        Err(error) => return error_page(layout, &error),
    };
    let table_lang = request.language(layout.lang);
    let table = provinces_table(table_lang, &request, &found, &names);
    if let Some(format) = request.format {
        return table.export(format, "dashboard-provinces");
    }
    let lang = layout.lang;
    let d = DashboardText::of(lang);
    let measure = request
        .query
        .owned("measure")
        .filter(|m| MEASURES.contains(&m.as_str()))
        .unwrap_or_else(|| "disbursed".to_owned());
    let per_capita = request.query.owned("per").as_deref() == Some("capita");
    let heading = format!(
        "{} · {} ({}: {})",
        d.title,
        span_name(lang, &found.period),
        d.previous,
        span_name(lang, &found.previous)
    );
    layout.title = heading.clone();
    let (map_svg, legend_svg) = match found.scope {
        ApplicationScope::Cooperative(_) | ApplicationScope::None => (None, String::new()),
        _ => map(&state, lang, &found, &provinces, &measure, per_capita),
    };
    let picked = |options: &[&'static str], labels: &[&'static str], at: &str| {
        options
            .iter()
            .zip(labels)
            .map(|(value, label)| Choice {
                value: (*value).to_owned(),
                label: (*label).to_owned(),
                selected: *value == at,
            })
            .collect::<Vec<_>>()
    };
    let period = query.period.clone().unwrap_or_else(|| "month".to_owned());
    let field = |name: &str, label: &str, value: &Option<String>| {
        Field::date_filter(lang, name, label, value.as_deref().unwrap_or_default())
    };
    let last_close = found
        .portfolio
        .last()
        .map(|p| format::date(lang, &p.business_on));
    render(&DashboardPage {
        scope: names::scope_text(lang, &user.principal),
        periods: picked(&PERIODS, &d.periods, &period),
        measures: picked(&MEASURES, &d.measures, &measure),
        scales: picked(
            &["absolute", "capita"],
            &[d.absolute, d.per_capita],
            if per_capita { "capita" } else { "absolute" },
        ),
        on: field("on", d.on, &query.on),
        from: field("from", d.from, &query.from),
        to: field("to", d.to, &query.to),
        kept: request.query.kept_by_filter_form(),
        heading,
        as_of: format!("{} {}", d.as_of, format::local_time(lang, now)),
        in_scope: found.scope != ApplicationScope::None,
        elsewhere: elsewhere(lang, &user.principal),
        cards: cards(lang, &found),
        agency_cards: agency_cards(lang, &found),
        charts: charts(lang, &found, &names),
        steps: step_rows(lang, &found),
        portfolio_as_of: last_close.map(|day| format!("{} {day}", d.portfolio_as_of)),
        portfolio_charts: portfolio_charts(lang, &found.portfolio),
        map_svg,
        legend_svg,
        table,
        inbox: found
            .inbox
            .iter()
            .map(|a| Waiting {
                href: format!("/applications/{}", a.id),
                label: format!(
                    "{} {}{} · {}",
                    d.application,
                    lang.text().number_sign,
                    lang.id(a.id),
                    names.province(lang, &a.fields.province)
                ),
                state: names::application_state(lang, a.fields.status),
                since: a
                    .updated_at
                    .as_deref()
                    .map(|at| format::instant(lang, at))
                    .unwrap_or_default(),
                amount: lang.number(a.fields.amount_rial),
            })
            .collect(),
        inbox_total: lang.number(found.inbox_total),
        inbox_listed_all: found.inbox_total <= i64::try_from(found.inbox.len()).unwrap_or(0),
        d,
        layout,
    })
}

/// A period's name: `مهر ۱۴۰۴`, or a range's two days.
fn span_name(lang: Lang, span: &Span) -> String {
    match span.key {
        Some(key) => lang.pick(&key.name_fa(), &key.name_en()).to_owned(),
        None => format!(
            "{} – {}",
            format::date(lang, &span.from.to_string()),
            format::date(lang, &span.to.to_string())
        ),
    }
}

/// Rials in millions, rounded half up (a chart's and a card's unit).
fn millions(rial: i64) -> i64 {
    (rial + 500_000).div_euclid(1_000_000)
}

/// `part` of `whole` in basis points; none of nothing.
fn share_bp(part: i64, whole: i64) -> Option<i64> {
    (whole > 0).then(|| i64::try_from(i128::from(part) * 10_000 / i128::from(whole)).unwrap_or(0))
}

fn percent(lang: Lang, bp: Option<i64>) -> String {
    Cell::percent(lang, bp).text
}

fn cards(lang: Lang, found: &Dashboard) -> Vec<Card> {
    let d = DashboardText::of(lang);
    let (now, before) = (&found.totals, &found.previous_totals);
    let money = |rial: i64| format!("{} {}", lang.number(millions(rial)), d.million_rial);
    let women_money = |s: &DashboardSums| share_bp(s.women_disbursed_rial, s.disbursed_rial);
    let women_jobs = |s: &DashboardSums| share_bp(s.approved_women_jobs, s.approved_jobs);
    let card = |label, hint, value: String, before: String| Card {
        label,
        hint,
        value,
        before,
    };
    vec![
        card(
            d.disbursed_rial,
            "",
            money(now.disbursed_rial),
            money(before.disbursed_rial),
        ),
        card(
            d.repaid_rial,
            "",
            money(now.repaid_rial),
            money(before.repaid_rial),
        ),
        card(
            d.approved_rial,
            "",
            money(now.approved_rial),
            money(before.approved_rial),
        ),
        card(
            d.committed,
            "",
            money(found.committed_rial),
            format!("{}: {}", d.budget, money(found.budget_rial)),
        ),
        card(
            d.approved_jobs,
            "",
            lang.number(now.approved_jobs),
            lang.number(before.approved_jobs),
        ),
        card(
            d.women_money,
            d.women_money_long,
            percent(lang, women_money(now)),
            percent(lang, women_money(before)),
        ),
        card(
            d.women_jobs,
            d.women_jobs_long,
            percent(lang, women_jobs(now)),
            percent(lang, women_jobs(before)),
        ),
        card(
            d.verified_jobs,
            d.verified_jobs_long,
            lang.number(found.jobs.verified),
            String::new(),
        ),
        card(
            d.cost_per_job,
            d.cost_per_job_long,
            found
                .jobs
                .cost_per_verified_job_rial()
                .map_or_else(|| "—".to_owned(), &money),
            String::new(),
        ),
        card(
            d.underprivileged,
            d.underprivileged_long,
            percent(
                lang,
                share_bp(found.underprivileged.disbursed_rial, now.disbursed_rial),
            ),
            String::new(),
        ),
    ]
}

/// An agency officer's agency: its deposits and services, to date (none for another
/// role).
fn agency_cards(lang: Lang, found: &Dashboard) -> Vec<Card> {
    let Some(agency) = &found.agency else {
        return Vec::new();
    };
    let d = DashboardText::of(lang);
    let money = |rial: i64| format!("{} {}", lang.number(millions(rial)), d.million_rial);
    let card = |label, value: String| Card {
        label,
        hint: "",
        value,
        before: String::new(),
    };
    vec![
        card(d.agency_balance, money(agency.balance_rial)),
        card(d.agency_reserved, money(agency.reserved_rial)),
        card(d.agency_services, lang.number(agency.services)),
        card(d.agency_people, lang.number(agency.people)),
    ]
}

/// The funnel's counts, submitted to disbursed.
fn funnel(s: &DashboardSums) -> Vec<i64> {
    vec![
        s.submitted,
        s.eligible,
        s.approved,
        s.referred,
        s.contracted,
        s.disbursed,
    ]
}

/// Each step of the funnel after submission, «ارسال‌شده ← واجد شرایط», with its median
/// days and how many applications reached it («۳ روز (۱۲ فقره)»), or a dash.
fn step_rows(lang: Lang, found: &Dashboard) -> Vec<StepRow> {
    let d = DashboardText::of(lang);
    let median = |days: Option<i64>, applications: i64| match days {
        Some(days) => format!(
            "{} {} ({} {})",
            lang.number(days),
            d.day_unit,
            lang.number(applications),
            d.count_unit
        ),
        None => "—".to_owned(),
    };
    d.steps
        .windows(2)
        .zip(&found.steps)
        .map(|(pair, step)| StepRow {
            label: pair.join(" ← "),
            now: median(step.median_days, step.applications),
            before: median(step.previous_median_days, step.previous_applications),
        })
        .collect()
}

/// A step of the series as the axis names it: a day's «۱ مهر», a month's «مهر ۱۴۰۴».
fn series_name(lang: Lang, key: SeriesKey) -> String {
    match key {
        SeriesKey::Day(day) => {
            let day = JalaliDate::from(day);
            let months = match lang {
                Lang::Fa => &MONTHS_FA,
                Lang::En => &MONTHS_EN,
            };
            let month = months
                .get(usize::from(day.month()).saturating_sub(1))
                .copied()
                .unwrap_or("");
            format!("{} {month}", lang.id(day.day()))
        }
        SeriesKey::Month(month) => {
            let key = PeriodKey::Month(month);
            lang.pick(&key.name_fa(), &key.name_en()).to_owned()
        }
    }
}

fn charts(lang: Lang, found: &Dashboard, names: &Names) -> Vec<Chart> {
    let d = DashboardText::of(lang);
    let count = |v: i64| lang.number(v);
    let money = |v: i64| lang.number(v);
    let steps: Vec<String> = d.steps.iter().map(|s| (*s).to_owned()).collect();
    let mut charts = vec![Chart::new(
        lang,
        Shape::Bars,
        d.funnel,
        &steps,
        &[
            Series {
                name: d.this_period.to_owned(),
                values: funnel(&found.totals),
            },
            Series {
                name: d.period_before.to_owned(),
                values: funnel(&found.previous_totals),
            },
        ],
        &count,
    )];
    let over_time = format!("{} ({})", d.over_time, d.million_rial);
    charts.push(Chart::new(
        lang,
        Shape::Bars,
        &over_time,
        &found
            .series
            .iter()
            .map(|(key, _)| series_name(lang, *key))
            .collect::<Vec<_>>(),
        &[
            Series {
                name: d.disbursed_rial.to_owned(),
                values: found
                    .series
                    .iter()
                    .map(|(_, s)| millions(s.disbursed_rial))
                    .collect(),
            },
            Series {
                name: d.repaid_rial.to_owned(),
                values: found
                    .series
                    .iter()
                    .map(|(_, s)| millions(s.repaid_rial))
                    .collect(),
            },
        ],
        &money,
    ));
    if !found.programs.is_empty() {
        let by_program = format!("{} ({})", d.by_program, d.million_rial);
        let values = |of: fn(&dashboard::AreaFigures) -> i64| {
            found.programs.iter().map(|p| millions(of(p))).collect()
        };
        charts.push(Chart::new(
            lang,
            Shape::Bars,
            &by_program,
            &found
                .programs
                .iter()
                .map(|p| names.program(lang, &p.code))
                .collect::<Vec<_>>(),
            &[
                Series {
                    name: d.budget.to_owned(),
                    values: values(|p| p.budget_rial),
                },
                Series {
                    name: d.committed.to_owned(),
                    values: values(|p| p.committed_rial),
                },
                Series {
                    name: d.disbursed_rial.to_owned(),
                    values: values(|p| p.sums.disbursed_rial),
                },
            ],
            &money,
        ));
    }
    charts
}

fn portfolio_charts(lang: Lang, points: &[PortfolioPoint]) -> Vec<Chart> {
    let Some(last) = points.last() else {
        return Vec::new();
    };
    let d = DashboardText::of(lang);
    let t = lang.text();
    let classes = format!("{} ({})", d.classes_heading, d.million_rial);
    let current =
        last.outstanding_rial - last.past_due_rial - last.deferred_rial - last.doubtful_rial;
    let months: Vec<String> = points
        .iter()
        .map(|p| format::date(lang, &p.business_on))
        .collect();
    let par = |of: fn(&PortfolioPoint) -> i64| {
        points
            .iter()
            .map(|p| share_bp(of(p), p.outstanding_rial).unwrap_or(0))
            .collect()
    };
    vec![
        Chart::new(
            lang,
            Shape::Bars,
            &classes,
            &d.classes
                .iter()
                .map(|c| (*c).to_owned())
                .collect::<Vec<_>>(),
            &[Series {
                name: d.outstanding.to_owned(),
                values: [
                    current,
                    last.past_due_rial,
                    last.deferred_rial,
                    last.doubtful_rial,
                ]
                .map(millions)
                .to_vec(),
            }],
            &|v| lang.number(v),
        ),
        Chart::new(
            lang,
            Shape::Lines,
            d.par_heading,
            &months,
            &[
                Series {
                    name: t.par30.to_owned(),
                    values: par(|p| p.par30_rial),
                },
                Series {
                    name: t.par90.to_owned(),
                    values: par(|p| p.par90_rial),
                },
            ],
            &|bp| percent(lang, Some(bp)),
        ),
    ]
}

/// The provinces' table: budget and what the period did, with the exports.
fn columns(d: &'static DashboardText, unit: &'static str) -> Vec<ColumnSpec<usize>> {
    vec![
        ColumnSpec::text(d.province).sorted_by("province", 0),
        ColumnSpec::amount(d.budget, unit).sorted_by("budget", 1),
        ColumnSpec::amount(d.committed, unit).sorted_by("committed", 2),
        ColumnSpec::amount(d.approved_rial, unit).sorted_by("approved", 3),
        ColumnSpec::amount(d.disbursed_rial, unit).sorted_by("disbursed", 4),
        ColumnSpec::amount(d.repaid_rial, unit).sorted_by("repaid", 5),
        ColumnSpec::amount(d.steps[0], d.count_unit).sorted_by("submitted", 6),
        ColumnSpec::amount(d.steps[2], d.count_unit).sorted_by("approvals", 7),
        ColumnSpec::amount(d.approved_jobs, d.job_unit).sorted_by("jobs", 8),
    ]
}

fn provinces_table(
    lang: Lang,
    request: &TableRequest<usize>,
    found: &Dashboard,
    names: &Names,
) -> DataTable {
    let d = DashboardText::of(lang);
    let rows = found
        .provinces
        .iter()
        .map(|p| {
            let money = |rial: i64| Cell::number(lang, millions(rial));
            Row::new(vec![
                Cell::text(names.province(lang, &p.code)).link(format!("/provinces/{}", p.code)),
                money(p.budget_rial),
                money(p.committed_rial),
                money(p.sums.approved_rial),
                money(p.sums.disbursed_rial),
                money(p.sums.repaid_rial),
                Cell::number(lang, p.sums.submitted),
                Cell::number(lang, p.sums.approved),
                Cell::number(lang, p.sums.approved_jobs),
            ])
        })
        .collect();
    let caption = format!("{} · {}", d.by_province, span_name(lang, &found.period));
    DataTable::whole(lang, caption, &columns(d, d.million_rial), request, rows)
}

/// The provinces coloured by `measure` (absolute, or per person or per 100 000
/// people), each a link to its page and named with its value on hover and focus.
fn map(
    state: &AppState,
    lang: Lang,
    found: &Dashboard,
    provinces: &[ProvinceRow],
    measure: &str,
    per_capita: bool,
) -> (Option<String>, String) {
    let d = DashboardText::of(lang);
    let counted = matches!(measure, "submitted" | "approvals");
    let of = |s: &DashboardSums| match measure {
        "approved" => s.approved_rial,
        "repaid" => s.repaid_rial,
        "submitted" => s.submitted,
        "approvals" => s.approved,
        _ => s.disbursed_rial,
    };
    let value = |p: &ProvinceRow| {
        let sums = found.provinces.iter().find(|a| a.code == p.code)?;
        let total = of(&sums.sums);
        Some(match (per_capita, counted) {
            (false, _) => total,
            (true, _) if p.population_1395 <= 0 => return None,
            (true, true) => total * 100_000 / p.population_1395,
            (true, false) => total / p.population_1395,
        })
    };
    let unit = match (per_capita, counted) {
        (false, true) => d.count_unit,
        (false, false) => lang.pick("ریال", "rials"),
        (true, true) => d.per_100k,
        (true, false) => d.per_person_rial,
    };
    let values: Vec<u64> = provinces
        .iter()
        .filter_map(value)
        .map(|v| u64::try_from(v).unwrap_or(0))
        .collect();
    let (min, max) = (
        values.iter().copied().min().unwrap_or(0),
        values.iter().copied().max().unwrap_or(0),
    );
    let areas: Vec<MapArea> = provinces
        .iter()
        .map(|p| {
            let v = value(p);
            let name = lang.pick(&p.name_fa, &p.name_en);
            MapArea {
                code: p.code.clone(),
                fill: v
                    .map_or("#ddd", |v| {
                        choropleth_colour(v.max(0) as f64, min as f64, max as f64)
                    })
                    .to_owned(),
                title: match v {
                    Some(v) => format!("{name}: {} {unit}", lang.number(v)),
                    None => name.to_owned(),
                },
                href: Some(format!("/provinces/{}", p.code)),
            }
        })
        .collect();
    let label = format!("{}: {} ({unit})", d.map_heading, measure_name(d, measure));
    let svg = state.maps.provinces.render(&areas, &label);
    let legend = if values.is_empty() {
        String::new()
    } else {
        choropleth_legend(min, max, &label, |from, to| {
            format!(
                "{} – {}",
                lang.number(i64::try_from(from).unwrap_or(i64::MAX)),
                lang.number(i64::try_from(to).unwrap_or(i64::MAX))
            )
        })
    };
    (Some(svg), legend)
}

fn measure_name(d: &DashboardText, measure: &str) -> &'static str {
    MEASURES
        .iter()
        .position(|m| *m == measure)
        .and_then(|at| d.measures.get(at))
        .copied()
        .unwrap_or("")
}

/// The pages that hold the figures of a role this dashboard has nothing for (an agency
/// officer's pooled funds, services and support requests), in the navigation's words.
fn elsewhere(lang: Lang, principal: &Principal) -> Vec<(&'static str, &'static str)> {
    let mut links = Vec::new();
    if access::ledger_view(principal) != access::LedgerView::None {
        links.push(("/funds", lang.text().nav_funds));
    }
    links.push((
        super::services::PATH,
        lang.pick("هم‌افزایی و کمبودها", "Synergy and gaps"),
    ));
    links.push((
        "/support",
        lang.pick("درخواست‌های حمایت", "Support requests"),
    ));
    links
}
