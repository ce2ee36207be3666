//! Program pages: the list of funding lines and one program's rules and provincial
//! budgets with what is committed against them.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use taavon_app::programs;
use taavon_core::programs::FundingSource;

use super::format;
use super::names::Names;
use super::pages::{PageParts, error_page, layout, parts_text};
use super::{Layout, render};
use crate::auth::UiUser;
use crate::state::AppState;

struct ProgramLine {
    code: String,
    name: String,
    source: String,
    window: String,
}

#[derive(Template)]
#[template(path = "programs.html")]
struct ProgramsPage {
    layout: Layout,
    programs: Vec<ProgramLine>,
}

struct BudgetLine {
    province: String,
    budget: String,
    committed: String,
    /// Committed as a share of the budget, 0..=100, for the bar.
    percent: i64,
}

#[derive(Template)]
#[template(path = "program.html")]
struct ProgramPage {
    layout: Layout,
    name: String,
    source: String,
    window: String,
    rules: Vec<(String, String)>,
    budgets: Vec<BudgetLine>,
    code: String,
}

fn source_name(lang: super::i18n::Lang, code: &str) -> String {
    FundingSource::parse(code).map_or_else(
        || code.to_owned(),
        |s| lang.pick(s.name_fa(), s.name_en()).to_owned(),
    )
}

pub async fn list(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
) -> Response {
    let layout = layout(&parts, parts_text(&parts).programs_title, Some(&user)).await;
    let lang = layout.lang;
    match programs::list_programs(&state.store, &user.principal).await {
        Ok(found) => render(&ProgramsPage {
            programs: found
                .into_iter()
                .map(|p| ProgramLine {
                    name: lang.pick(&p.name_fa, &p.name_en).to_owned(),
                    source: source_name(lang, &p.funding_source),
                    window: format!(
                        "{} – {}",
                        format::date(lang, &p.opens_on),
                        format::date(lang, &p.closes_on)
                    ),
                    code: p.code,
                })
                .collect(),
            layout,
        }),
        Err(error) => error_page(layout, &error),
    }
}

pub async fn one(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    Path(code): Path<String>,
) -> Response {
    let layout = layout(&parts, parts_text(&parts).programs_title, Some(&user)).await;
    let (lang, t) = (layout.lang, layout.t);
    let detail = match programs::program_detail(&state.store, &user.principal, &code).await {
        Ok(detail) => detail,
        Err(error) => return error_page(layout, &error),
    };
    let names = match Names::load(&state.store).await {
        Ok(names) => names,
        Err(error) => return error_page(layout, &error),
    };
    let r = &detail.rules;
    let percent = |bp: u32| lang.digits(&format!("{}٪", f64::from(bp) / 100.0));
    let rules = vec![
        (
            t.applicant_kinds.to_owned(),
            r.eligibility.applicant_kinds.join("، "),
        ),
        (
            t.amount_range.to_owned(),
            format!(
                "{} – {}",
                lang.number(r.eligibility.min_amount_rial),
                lang.number(r.eligibility.max_amount_rial)
            ),
        ),
        (t.min_jobs.to_owned(), lang.number(r.eligibility.min_jobs)),
        (
            t.profit_rate.to_owned(),
            r.pricing
                .profit_rate_bp_by_tier
                .iter()
                .map(|bp| percent(*bp))
                .collect::<Vec<_>>()
                .join(" / "),
        ),
        (
            t.term.to_owned(),
            lang.number(i64::from(r.pricing.term_months)),
        ),
        (
            t.grace.to_owned(),
            lang.number(i64::from(r.pricing.grace_months)),
        ),
        (t.contract_type.to_owned(), r.pricing.contract_type.clone()),
        (
            t.women_share.to_owned(),
            percent(r.quotas.women_led_share_bp),
        ),
        (
            t.deprived_share.to_owned(),
            percent(r.quotas.deprived_share_bp),
        ),
    ];
    let budgets = detail
        .budgets
        .iter()
        .filter(|b| b.amount_rial > 0)
        .map(|b| {
            let committed = detail
                .committed
                .iter()
                .find(|(p, _)| p == &b.province)
                .map_or(0, |(_, amount)| *amount);
            BudgetLine {
                province: names.province(lang, &b.province),
                budget: lang.number(b.amount_rial),
                committed: lang.number(committed),
                percent: (i128::from(committed) * 100 / i128::from(b.amount_rial.max(1)))
                    .clamp(0, 100) as i64,
            }
        })
        .collect();
    let p = &detail.program;
    render(&ProgramPage {
        name: lang.pick(&p.name_fa, &p.name_en).to_owned(),
        source: source_name(lang, &p.funding_source),
        window: format!(
            "{} – {}",
            format::date(lang, &p.opens_on),
            format::date(lang, &p.closes_on)
        ),
        code: p.code.clone(),
        rules,
        budgets,
        layout,
    })
}
