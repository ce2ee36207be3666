//! The impact pages (issue 14): the figures page (planned, reported and verified jobs
//! per group and Jalali period, on the table component, exported like every list), and
//! the jobs box the cooperative and province pages show (the three numbers, each named).

mod text;

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use taavon_app::AppError;
use taavon_app::impact::LoanJobsView;
use taavon_app::impact::figures::{self, FiguresQuery, Grouping, Jobs, Period};

use super::fields::Field;
use super::names::{self, Names};
use super::page::{PageParts, error_page, layout};
use super::select::Choice;
use super::table::query::TableRequest;
use super::table::{Cell, ColumnSpec, DataTable, LISTED, Row, TableText, sortable};
use super::{Layout, render};
use crate::auth::UiUser;
use crate::state::AppState;
pub use text::ImpactText;

use super::i18n::Lang;

pub const PATH: &str = "/impact";
const FILTERS: [&str; 4] = ["by", "period", "from", "to"];

#[derive(Template)]
#[template(path = "impact.html")]
struct FiguresPage {
    layout: Layout,
    i: &'static ImpactText,
    groupings: Vec<Choice>,
    periods: Vec<Choice>,
    from: Field,
    to: Field,
    kept: Vec<(&'static str, String)>,
    table: DataTable,
}

/// A cooperative's or a province's jobs, each number named for what it counts.
pub struct JobsBox {
    pub heading: &'static str,
    pub note: &'static str,
    /// (label, what it counts, the number in the reader's digits).
    pub lines: Vec<(&'static str, &'static str, String)>,
}

impl JobsBox {
    /// A loan's jobs (planned on its application, reported, verified).
    pub fn of_loan(lang: Lang, view: &LoanJobsView) -> Self {
        let count = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        let jobs = Jobs {
            planned: view.planned,
            reported: count(view.reported),
            verified: count(view.verified),
            verified_women: count(view.verified_women),
            ..Jobs::default()
        };
        Self::new(lang, &jobs)
    }

    pub fn new(lang: Lang, jobs: &Jobs) -> Self {
        let i = ImpactText::of(lang);
        let share = Cell::percent(lang, jobs.women_share_bp()).text;
        Self {
            heading: i.jobs_heading,
            note: i.jobs_note,
            lines: vec![
                (i.planned, i.planned_long, lang.number(jobs.planned)),
                (i.reported, i.reported_long, lang.number(jobs.reported)),
                (i.verified, i.verified_long, lang.number(jobs.verified)),
                (
                    i.verified_women,
                    i.women_share,
                    if share.is_empty() {
                        lang.number(jobs.verified_women)
                    } else {
                        format!("{} ({share})", lang.number(jobs.verified_women))
                    },
                ),
            ],
        }
    }
}

/// Each reported hire of a loan and its verification in words; national codes as the
/// reader may see them (masked by the use case for those who may not).
pub struct HiresSection {
    pub heading: &'static str,
    pub empty: &'static str,
    pub code_label: &'static str,
    pub verdict_label: &'static str,
    /// Said when the codes are masked.
    pub masked: Option<&'static str>,
    /// (national code in the reader's digits, verdict in words).
    pub hires: Vec<(String, String)>,
}

impl HiresSection {
    pub fn new(lang: Lang, view: &LoanJobsView) -> Self {
        let i = ImpactText::of(lang);
        Self {
            heading: i.hires_heading,
            empty: i.no_hires,
            code_label: i.national_code,
            verdict_label: i.verdict,
            masked: view.national_codes_masked.then_some(i.codes_masked),
            hires: view
                .hires
                .iter()
                .map(|h| {
                    (
                        lang.digits(&h.national_code),
                        lang.pick(h.verdict.name_fa(), h.verdict.name_en())
                            .to_owned(),
                    )
                })
                .collect(),
        }
    }
}

/// The columns: the group, the period, then the figures with their units.
fn columns(
    i: &'static ImpactText,
    grouping: Grouping,
    rial: &'static str,
) -> Vec<ColumnSpec<usize>> {
    vec![
        ColumnSpec::text(i.grouping(grouping)).sorted_by("group", 0),
        ColumnSpec::text(i.period).sorted_by("period", 1),
        ColumnSpec::amount(i.loans, i.loan_unit).sorted_by("loans", 2),
        ColumnSpec::amount(i.disbursed, rial).sorted_by("disbursed", 3),
        ColumnSpec::amount(i.planned, i.job_unit)
            .explained(i.planned_long)
            .sorted_by("planned", 4),
        ColumnSpec::amount(i.reported, i.job_unit)
            .explained(i.reported_long)
            .sorted_by("reported", 5),
        ColumnSpec::amount(i.verified, i.job_unit)
            .explained(i.verified_long)
            .sorted_by("verified", 6),
        ColumnSpec::amount(i.verified_women, i.job_unit).sorted_by("women", 7),
        ColumnSpec::number(i.women_share).sorted_by("women_share", 8),
        ColumnSpec::amount(i.underprivileged, i.job_unit)
            .explained(i.underprivileged_long)
            .sorted_by("underprivileged", 9),
        ColumnSpec::amount(i.cost_per_job, rial).sorted_by("cost", 10),
        ColumnSpec::number(i.verification_rate)
            .explained(i.verification_rate_long)
            .sorted_by("rate", 11),
    ]
}

fn figure_cells(lang: Lang, jobs: &Jobs) -> Vec<Cell> {
    vec![
        Cell::number(lang, jobs.loans),
        Cell::number(lang, jobs.disbursed_rial),
        Cell::number(lang, jobs.planned),
        Cell::number(lang, jobs.reported),
        Cell::number(lang, jobs.verified),
        Cell::number(lang, jobs.verified_women),
        Cell::percent(lang, jobs.women_share_bp()),
        Cell::number(lang, jobs.verified_underprivileged),
        jobs.cost_per_verified_job_rial()
            .map_or_else(Cell::empty, |cost| Cell::number(lang, cost)),
        Cell::percent(lang, jobs.verification_rate_bp()),
    ]
}

/// A group's name in `lang` (never its code).
fn group_name(lang: Lang, names: &Names, grouping: Grouping, code: &str) -> String {
    match grouping {
        Grouping::Province => names.province(lang, code),
        Grouping::County => names.county(lang, code),
        Grouping::Sector => names.sector(lang, code),
        Grouping::Program => names.program(lang, code),
        Grouping::Bank => names::bank(lang, code),
    }
}

pub async fn figures_page(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    Query(raw): Query<HashMap<String, String>>,
) -> Response {
    let i = ImpactText::of(super::i18n::Lang::of(&parts));
    let layout = layout(&parts, i.title, Some(&user)).await;
    // The sortable keys are the same whatever the grouping.
    let keys = sortable(&columns(i, Grouping::Province, ""));
    let request = match TableRequest::read(PATH, &raw, &FILTERS, &keys, LISTED) {
        Ok(request) => request,
        Err(error) => return error_page(layout, &error),
    };
    let query = FiguresQuery {
        by: request.query.owned("by"),
        period: request.query.owned("period"),
        from: request.query.owned("from"),
        to: request.query.owned("to"),
    };
    let found = async {
        let found = figures::figures(&state.store, &user.principal, &query).await?;
        let names = Names::load(&state.store, &user.principal).await?;
        Ok::<_, AppError>((found, names))
    }
    .await;
    let (found, names) = match found {
        Ok(found) => found,
        Err(error) => return error_page(layout, &error),
    };
    let lang = request.language(layout.lang);
    let i = ImpactText::of(lang);
    let lines = found
        .rows
        .iter()
        .map(|r| {
            let mut cells = vec![
                Cell::text(group_name(lang, &names, found.grouping, &r.group)),
                Cell::text(
                    lang.pick(&r.period.name_fa(), &r.period.name_en())
                        .to_owned(),
                ),
            ];
            cells.extend(figure_cells(lang, &r.jobs));
            Row::new(cells)
        })
        .collect();
    let mut totals = vec![Cell::text(lang.text().total), Cell::empty()];
    totals.extend(figure_cells(lang, &found.totals));
    let specs = columns(i, found.grouping, TableText::of(lang).rial);
    let table = DataTable::whole(lang, i.title, &specs, &request, lines).with_totals(totals);
    if let Some(format) = request.format {
        return table.export(format, "impact-figures");
    }
    let i = ImpactText::of(layout.lang);
    render(&FiguresPage {
        groupings: Grouping::ALL
            .iter()
            .map(|g| Choice {
                value: g.code().to_owned(),
                label: i.grouping(*g).to_owned(),
                selected: *g == found.grouping,
            })
            .collect(),
        periods: Period::ALL
            .iter()
            .map(|p| Choice {
                value: p.code().to_owned(),
                label: i.period_name(*p).to_owned(),
                selected: *p == found.period,
            })
            .collect(),
        from: Field::date_filter(
            layout.lang,
            "from",
            i.from,
            query.from.as_deref().unwrap_or_default(),
        ),
        to: Field::date_filter(
            layout.lang,
            "to",
            i.to,
            query.to.as_deref().unwrap_or_default(),
        ),
        kept: request.query.kept_by_filter_form(),
        table,
        i,
        layout,
    })
}
