//! Program pages: the list of funding lines and one program's rules and provincial
//! budgets with what is committed against them.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use taavon_app::rounds::{self, WhatIf};
use taavon_app::{AppError, clock, programs};
use taavon_core::access::{self, Action, Resource};
use taavon_core::allocation::BindingKind;
use taavon_core::loans::product::ContractType;
use taavon_core::programs::FundingSource;

use super::csrf::CsrfForm;
use super::form_key::Submission;
use super::format;
use super::i18n::{Lang, Text};
use super::names::{self, Names};
use super::page::{PageParts, error_page, layout, parts_text};
use super::table::query::TableRequest;
use super::table::{Cell, ColumnSpec, DataTable, LISTED, Row, sortable};
use super::{Layout, render};
use crate::auth::UiUser;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "programs.html")]
struct ProgramsPage {
    layout: Layout,
    table: DataTable,
    /// Whether the reader may define a program (the "new" button).
    may_create: bool,
}

fn program_columns(t: &'static Text) -> [ColumnSpec<usize>; 4] {
    [
        ColumnSpec::text(t.name).sorted_by("name", 0),
        ColumnSpec::text(t.funding_source).sorted_by("source", 1),
        ColumnSpec::text(t.date_from),
        ColumnSpec::text(t.date_to),
    ]
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
    /// Whether the reader may run a round (a national one reads every province).
    may_round: bool,
    /// Whether the reader may change the program and its budgets (the edit pages' links).
    may_edit_budgets: bool,
}

fn source_name(lang: super::i18n::Lang, source: FundingSource) -> String {
    lang.pick(source.name_fa(), source.name_en()).to_owned()
}

pub async fn list(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    Query(raw): Query<HashMap<String, String>>,
) -> Response {
    let t = parts_text(&parts);
    let layout = layout(&parts, t.programs_title, Some(&user)).await;
    let request = TableRequest::read(
        "/programs",
        &raw,
        &[],
        &sortable(&program_columns(t)),
        LISTED,
    );
    let request = match request {
        Ok(request) => request,
        Err(error) => return error_page(layout, &error),
    };
    let found = match programs::list_programs(&state.store, &user.principal).await {
        Ok(found) => found,
        Err(error) => return error_page(layout, &error),
    };
    let lang = request.language(layout.lang);
    let t = lang.text();
    let rows = found
        .iter()
        .map(|p| {
            Row::new(vec![
                Cell::text(lang.pick(&p.name_fa, &p.name_en)).link(format!("/programs/{}", p.code)),
                Cell::text(source_name(lang, p.funding_source)),
                Cell::date(lang, &p.opens_on),
                Cell::date(lang, &p.closes_on),
            ])
        })
        .collect();
    let table = DataTable::whole(lang, t.programs_title, &program_columns(t), &request, rows);
    match request.format {
        Some(format) => table.export(format, "programs"),
        None => render(&ProgramsPage {
            table,
            may_create: super::program_form::may_create(&user.principal),
            layout,
        }),
    }
}

pub async fn one(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    Path(code): Path<String>,
) -> Response {
    let mut layout = layout(&parts, parts_text(&parts).programs_title, Some(&user)).await;
    let (lang, t) = (layout.lang, layout.t);
    let detail = match programs::program_detail(&state.store, &user.principal, &code).await {
        Ok(detail) => detail,
        Err(error) => return error_page(layout, &error),
    };
    let names = match Names::load(&state.store, &user.principal).await {
        Ok(names) => names,
        Err(error) => return error_page(layout, &error),
    };
    let r = &detail.rules;
    let percent = |bp: u32| format::rate(lang, i64::from(bp));
    let rules = vec![
        (
            t.applicant_kinds.to_owned(),
            r.eligibility
                .applicant_kinds
                .iter()
                .map(|kind| names::applicant_kind(lang, kind))
                .collect::<Vec<_>>()
                .join(lang.pick("، ", ", ")),
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
        (
            t.contract_type.to_owned(),
            // The rules document was checked when the program was defined.
            ContractType::parse(&r.pricing.contract_type).map_or_else(
                || r.pricing.contract_type.clone(),
                |kind| names::contract_type(lang, kind),
            ),
        ),
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
                committed: lang.sum(committed),
                percent: (committed * 100 / i128::from(b.amount_rial.max(1))).clamp(0, 100) as i64,
            }
        })
        .collect();
    let p = &detail.program;
    layout.trail(
        &[(t.programs_title, "/programs")],
        lang.pick(&p.name_fa, &p.name_en),
    );
    render(&ProgramPage {
        name: lang.pick(&p.name_fa, &p.name_en).to_owned(),
        source: source_name(lang, p.funding_source),
        window: format!(
            "{} – {}",
            format::date(lang, &p.opens_on),
            format::date(lang, &p.closes_on)
        ),
        code: p.code.clone(),
        may_round: access::application_scope(&user.principal) == access::ApplicationScope::All,
        may_edit_budgets: super::budgets::may_edit(&user.principal),
        rules,
        budgets,
        layout,
    })
}

#[derive(Deserialize, Default)]
pub struct RoundQuery {
    /// What-if quotas in percent and the women's bonus; empty fields keep the program's.
    women_share: Option<String>,
    deprived_share: Option<String>,
    women_bonus: Option<String>,
    budget_percent: Option<String>,
    recorded: Option<i64>,
}

struct ScenarioColumn {
    name: String,
    quotas: String,
    objective: String,
    upper_bound: String,
    gap: String,
    funded: String,
    amount: String,
    achieved: String,
}

struct RoundRow {
    id: i64,
    province: String,
    sector: String,
    rank: String,
    amount: String,
    jobs: String,
    women_jobs: String,
    tier: String,
    funded: bool,
    binding: String,
    marginal: String,
}

/// An indicator under every scenario of a round.
struct IndicatorRow {
    name: &'static str,
    meaning: &'static str,
    values: Vec<String>,
}

/// The scenarios' indicators side by side, one row per indicator.
fn indicator_rows(lang: Lang, scenarios: &[rounds::ScenarioOutcome]) -> Vec<IndicatorRow> {
    let lines: Vec<_> = scenarios
        .iter()
        .map(|s| {
            s.indicators
                .as_ref()
                .map(|i| super::indicators::lines(lang, i))
        })
        .collect();
    let Some(named) = lines.iter().flatten().next() else {
        return Vec::new();
    };
    named
        .iter()
        .enumerate()
        .map(|(k, (name, _, meaning))| IndicatorRow {
            name,
            meaning,
            values: lines
                .iter()
                .map(|line| {
                    line.as_ref()
                        .and_then(|l| l.get(k))
                        .map_or_else(|| "—".to_owned(), |(_, value, _)| value.clone())
                })
                .collect(),
        })
        .collect()
}

/// A capped sector under the program's own policy.
struct SectorCapLine {
    sector: String,
    cap: String,
    achieved: String,
}

#[derive(Template)]
#[template(path = "round.html")]
struct RoundPage {
    layout: Layout,
    code: String,
    name: String,
    scenarios: Vec<ScenarioColumn>,
    provinces: Vec<BudgetLine>,
    sectors: Vec<SectorCapLine>,
    /// Each balanced-development indicator (name, meaning) with its value under each
    /// scenario, side by side; empty when no scenario funds anything.
    indicators: Vec<IndicatorRow>,
    indicators_heading: &'static str,
    indicators_note: &'static str,
    rows: Vec<RoundRow>,
    query: RoundQuery,
    may_record: bool,
    recorded: Option<String>,
    /// A fresh key for the record form (its `form_key`).
    form_key: String,
}

impl RoundPage {
    fn field(&self, name: &str) -> &str {
        let q = &self.query;
        match name {
            "women_share" => q.women_share.as_deref(),
            "deprived_share" => q.deprived_share.as_deref(),
            "women_bonus" => q.women_bonus.as_deref(),
            _ => q.budget_percent.as_deref(),
        }
        .unwrap_or("")
    }
}

fn binding_name(lang: Lang, binding: BindingKind) -> &'static str {
    match binding {
        BindingKind::ProvinceBudget => lang.pick("بودجه استان", "Province budget"),
        BindingKind::WomenShare => lang.pick("سهم طرح‌های زنان", "Women-led share"),
        BindingKind::DeprivedShare => lang.pick("سهم مناطق کم‌برخوردار", "Underprivileged share"),
        BindingKind::SectorCap => lang.pick("سقف سهم بخش", "Sector cap"),
        BindingKind::BelowCutoff => {
            lang.pick("اولویت کمتر از آستانه استان", "Below the province's cutoff")
        }
        BindingKind::None => "—",
    }
}

/// Reads a what-if field: percent (or a plain number for the bonus), Persian digits
/// allowed; an unreadable one is an error naming it.
fn what_if_number(text: Option<&str>, field: &str) -> Result<Option<f64>, AppError> {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    taavon_core::digits::to_ascii_digits(text)
        .replace('٫', ".")
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && *v >= 0.0)
        .map(Some)
        .ok_or_else(|| {
            AppError::invalid(
                field,
                "number",
                "یک عدد نامنفی بنویسید.",
                "Write a non-negative number.",
            )
        })
}

fn what_if_of(query: &RoundQuery) -> Result<Option<WhatIf>, AppError> {
    let women = what_if_number(query.women_share.as_deref(), "women_share")?;
    let deprived = what_if_number(query.deprived_share.as_deref(), "deprived_share")?;
    let bonus = what_if_number(query.women_bonus.as_deref(), "women_bonus")?;
    let budget = what_if_number(query.budget_percent.as_deref(), "budget_percent")?;
    if women.is_none() && deprived.is_none() && bonus.is_none() && budget.is_none() {
        return Ok(None);
    }
    let bp = |percent: f64| (percent * 100.0).round().min(f64::from(u32::MAX)) as u32;
    Ok(Some(WhatIf {
        name: "what-if".into(),
        women_share_bp: women.map(bp),
        deprived_share_bp: deprived.map(bp),
        tier_weights: None,
        women_bonus: bonus,
        budget_percent: budget.map(|p| p.round().min(f64::from(u32::MAX)) as u32),
    }))
}

async fn round_page(
    state: &AppState,
    parts: &axum::http::request::Parts,
    user: &UiUser,
    code: &str,
    query: RoundQuery,
    record: Option<&Submission>,
) -> Response {
    let mut layout = layout(parts, parts_text(parts).round_title, Some(user)).await;
    let (lang, t) = (layout.lang, layout.t);
    let what_ifs: Vec<WhatIf> = match what_if_of(&query) {
        Ok(w) => w.into_iter().collect(),
        Err(error) => return error_page(layout, &error),
    };
    let found = async {
        let detail = programs::program_detail(&state.store, &user.principal, code).await?;
        let result = rounds::run_round(
            &state.store,
            &user.principal,
            code,
            &what_ifs,
            record.is_some(),
            record.and_then(Submission::idempotency),
            clock::now(),
        )
        .await?;
        let names = Names::load(&state.store, &user.principal).await?;
        Ok::<_, AppError>((detail, result, names))
    }
    .await;
    let (detail, result, names) = match found {
        Ok(found) => found,
        Err(error) => return error_page(layout, &error),
    };
    if let Some(id) = result.recorded_round {
        return Redirect::to(&format!("/programs/{code}/round?recorded={id}")).into_response();
    }
    let percent = |share: f64| lang.percent(&format!("{:.1}", share * 100.0));
    let scenarios = result
        .scenarios
        .iter()
        .map(|s| ScenarioColumn {
            name: s.name.clone(),
            quotas: format!(
                "{} / {}",
                percent(f64::from(s.women_share_bp) / 10_000.0),
                percent(f64::from(s.deprived_share_bp) / 10_000.0)
            ),
            objective: lang.decimal(&format!("{:.1}", s.objective)),
            upper_bound: lang.decimal(&format!("{:.1}", s.upper_bound)),
            gap: lang.percent(&format!("{:.3}", s.gap * 100.0)),
            funded: lang.number(i64::try_from(s.funded_count).unwrap_or(i64::MAX)),
            amount: lang.number(s.funded_amount),
            achieved: format!("{} / {}", percent(s.shares[0]), percent(s.shares[1])),
        })
        .collect();
    let provinces = result
        .scenarios
        .first()
        .map(|s| {
            s.provinces
                .iter()
                .filter(|p| p.budget > 0)
                .map(|p| BudgetLine {
                    province: names.province(lang, &p.province),
                    budget: lang.number(p.budget),
                    committed: lang.number(p.used),
                    percent: (i128::from(p.used) * 100 / i128::from(p.budget.max(1))).clamp(0, 100)
                        as i64,
                })
                .collect()
        })
        .unwrap_or_default();
    let sectors = result
        .scenarios
        .first()
        .map(|s| {
            s.sectors
                .iter()
                .map(|c| SectorCapLine {
                    sector: names.sector(lang, &c.sector),
                    cap: percent(f64::from(c.cap_bp) / 10_000.0),
                    achieved: percent(if s.funded_amount > 0 {
                        c.funded_amount as f64 / s.funded_amount as f64
                    } else {
                        0.0
                    }),
                })
                .collect()
        })
        .unwrap_or_default();
    let rows = result
        .lines
        .iter()
        .map(|l| {
            let f = &l.application.fields;
            RoundRow {
                id: l.application.id,
                province: names.province(lang, &f.province),
                sector: names.sector(lang, &f.sector),
                rank: lang.number(i64::from(l.rank)),
                amount: lang.number(f.amount_rial),
                jobs: lang.number(f.jobs),
                women_jobs: lang.number(f.women_jobs),
                tier: lang.number(i64::from(l.tier)),
                funded: l.funded,
                binding: binding_name(lang, l.binding).to_owned(),
                marginal: lang.digits(&format!("{:.3e}", l.marginal_value)),
            }
        })
        .collect();
    let p = &detail.program;
    let program_href = format!("/programs/{}", p.code);
    layout.trail(
        &[
            (t.programs_title, "/programs"),
            (lang.pick(&p.name_fa, &p.name_en), &program_href),
        ],
        t.round_title,
    );
    let may_record = access::decide(Some(&user.principal), Action::Update, Resource::Program)
        == access::Decision::Allow;
    let recorded = query
        .recorded
        .map(|id| format!("{} {}", t.round_recorded, lang.number(id)));
    render(&RoundPage {
        indicators: indicator_rows(lang, &result.scenarios),
        indicators_heading: lang.pick(
            "شاخص‌های توسعهٔ متوازن (مبلغ تأمین‌شده به تفکیک شهرستان)",
            "Balanced-development indicators (amount funded by county)",
        ),
        indicators_note: super::indicators::note(lang),
        code: p.code.clone(),
        name: lang.pick(&p.name_fa, &p.name_en).to_owned(),
        scenarios,
        provinces,
        sectors,
        rows,
        query,
        may_record,
        recorded,
        form_key: super::form_key::fresh(),
        layout,
    })
}

pub async fn round(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    Path(code): Path<String>,
    Query(query): Query<RoundQuery>,
) -> Response {
    round_page(&state, &parts, &user, &code, query, None).await
}

pub async fn record_round(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    Path(code): Path<String>,
    CsrfForm(form): CsrfForm<HashMap<String, String>>,
) -> Response {
    // Keyed, so the round is recorded once however often the form is sent.
    let submission = Submission::of(&parts, &form);
    round_page(
        &state,
        &parts,
        &user,
        &code,
        RoundQuery::default(),
        Some(&submission),
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use taavon_core::allocation::BindingKind;

    #[test]
    fn every_binding_the_engine_reports_has_a_name_in_both_languages() {
        // Establishes that a new binding (as the sector cap was) cannot reach the round
        // page without a Persian and an English label.
        for code in BindingKind::ALL
            .iter()
            .copied()
            .filter(|c| *c != BindingKind::None)
        {
            for lang in [Lang::Fa, Lang::En] {
                assert_ne!(binding_name(lang, code), "—", "{code}");
            }
        }
        assert_eq!(
            binding_name(Lang::Fa, BindingKind::SectorCap),
            "سقف سهم بخش"
        );
    }
}
