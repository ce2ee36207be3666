//! Loan lists: the list (the arrears list per branch with a filter) and the portfolio
//! per branch at the last closed business date; the names of a loan's class, status and
//! rate the loan pages share. One loan's page is `loan_page`, its forms `loan_forms`.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;
use taavon_app::AppError;
use taavon_app::loans;
use taavon_app::rows::{Loan, LoanFilter};
use taavon_core::loans::LoanStatus;
use taavon_core::loans::classification::LoanClass;

use super::format;
use super::i18n::Lang;
use super::names::{self, Names};
use super::page::{PageParts, error_page, layout, parts_text};
use super::registry::{Choice, choices};
use super::{Layout, render};
use crate::auth::UiUser;
use crate::state::AppState;

pub(super) fn class_name(lang: Lang, class: LoanClass) -> String {
    lang.pick(class.name_fa(), class.name_en()).to_owned()
}

pub(super) fn status_name(lang: Lang, status: LoanStatus) -> String {
    let (fa, en) = match status {
        LoanStatus::Contracted => ("قرارداد منعقد شده", "Contracted"),
        LoanStatus::Active => ("جاری", "Active"),
        LoanStatus::Settled => ("تسویه‌شده", "Settled"),
    };
    lang.pick(fa, en).to_owned()
}

struct LoanLine {
    id: i64,
    contract_no: String,
    province: String,
    branch: String,
    principal: String,
    outstanding: String,
    overdue: String,
    days_overdue: String,
    class: String,
    class_code: String,
}

#[derive(Template)]
#[template(path = "loans.html")]
struct LoansPage {
    layout: Layout,
    loans: Vec<LoanLine>,
    classes: Vec<Choice>,
    branch: String,
    in_arrears: bool,
    total: String,
}

#[derive(Deserialize)]
pub struct LoansQuery {
    class: Option<String>,
    branch: Option<String>,
    arrears: Option<String>,
}

fn line(lang: Lang, names: &Names, l: &Loan) -> LoanLine {
    LoanLine {
        id: l.id,
        contract_no: lang.digits(&l.fields.contract_no),
        province: names.province(lang, &l.fields.province),
        branch: names::branch(lang, l.fields.branch.as_str()),
        principal: lang.number(l.fields.principal_rial),
        outstanding: lang.number(l.state.outstanding_principal_rial),
        overdue: lang.number(l.state.due_unpaid_rial),
        days_overdue: lang.number(l.state.days_overdue),
        class: class_name(lang, l.class),
        class_code: l.class.code().to_owned(),
    }
}

pub async fn list(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    Query(query): Query<LoansQuery>,
) -> Response {
    let layout = layout(&parts, parts_text(&parts).loans_title, Some(&user)).await;
    let lang = layout.lang;
    let class = query.class.filter(|c| !c.is_empty());
    let branch = query.branch.filter(|b| !b.is_empty());
    let in_arrears = query.arrears.is_some_and(|a| a == "1" || a == "on");
    let filter = LoanFilter {
        class: class.clone(),
        branch: branch.clone(),
        in_arrears,
        ..LoanFilter::default()
    };
    let found = async {
        let (loans, total) =
            loans::list_loans(&state.store, &user.principal, &filter, 500, 0).await?;
        let names = Names::load(&state.store, &user.principal).await?;
        Ok::<_, AppError>((loans.iter().map(|l| line(lang, &names, l)).collect(), total))
    }
    .await;
    let classes = LoanClass::ALL
        .iter()
        .map(|c| {
            (
                c.code().to_owned(),
                lang.pick(c.name_fa(), c.name_en()).to_owned(),
            )
        })
        .collect();
    match found {
        Ok((loans, total)) => render(&LoansPage {
            classes: choices(classes, class.as_deref(), layout.t.any),
            branch: branch.unwrap_or_default(),
            in_arrears,
            total: lang.number(total),
            loans,
            layout,
        }),
        Err(error) => error_page(layout, &error),
    }
}

struct PortfolioLine {
    province: String,
    bank: String,
    branch: String,
    loans: String,
    outstanding: String,
    par30: String,
    par90: String,
    past_due: String,
    deferred: String,
    doubtful: String,
    provision: String,
}

#[derive(Template)]
#[template(path = "portfolio.html")]
struct PortfolioPage {
    layout: Layout,
    date: String,
    lines: Vec<PortfolioLine>,
    totals: PortfolioLine,
    past_due_label: String,
    deferred_label: String,
    doubtful_label: String,
}

fn percent(lang: Lang, part: i64, whole: i64) -> String {
    if whole <= 0 {
        return lang.percent("0");
    }
    let bp = i128::from(part) * 10_000 / i128::from(whole);
    lang.percent(&format!("{}.{:02}", bp / 100, bp % 100))
}

pub async fn portfolio(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
) -> Response {
    let layout = layout(&parts, parts_text(&parts).portfolio_title, Some(&user)).await;
    let lang = layout.lang;
    let found = async {
        let rows = loans::portfolio(&state.store, &user.principal, None).await?;
        let names = Names::load(&state.store, &user.principal).await?;
        Ok::<_, AppError>((rows, names))
    }
    .await;
    let (rows, names) = match found {
        Ok(found) => found,
        Err(error) => return error_page(layout, &error),
    };
    let sum = |pick: fn(&taavon_app::rows::PortfolioRow) -> i64| rows.iter().map(pick).sum::<i64>();
    let outstanding = sum(|r| r.outstanding_rial);
    let totals = PortfolioLine {
        province: String::new(),
        bank: String::new(),
        branch: String::new(),
        loans: lang.number(sum(|r| r.loans)),
        outstanding: lang.number(outstanding),
        par30: percent(lang, sum(|r| r.par30_rial), outstanding),
        par90: percent(lang, sum(|r| r.par90_rial), outstanding),
        past_due: lang.number(sum(|r| r.past_due_rial)),
        deferred: lang.number(sum(|r| r.deferred_rial)),
        doubtful: lang.number(sum(|r| r.doubtful_rial)),
        provision: lang.number(sum(|r| r.provision_rial)),
    };
    let date = rows
        .first()
        .map(|r| format::date(lang, &r.business_on))
        .unwrap_or_default();
    let lines = rows
        .iter()
        .map(|r| PortfolioLine {
            province: names.province(lang, &r.province),
            bank: names::bank(lang, &r.bank),
            branch: names::branch(lang, &r.branch),
            loans: lang.number(r.loans),
            outstanding: lang.number(r.outstanding_rial),
            par30: percent(lang, r.par30_rial, r.outstanding_rial),
            par90: percent(lang, r.par90_rial, r.outstanding_rial),
            past_due: lang.number(r.past_due_rial),
            deferred: lang.number(r.deferred_rial),
            doubtful: lang.number(r.doubtful_rial),
            provision: lang.number(r.provision_rial),
        })
        .collect();
    render(&PortfolioPage {
        past_due_label: class_name(lang, LoanClass::PastDue),
        deferred_label: class_name(lang, LoanClass::Deferred),
        doubtful_label: class_name(lang, LoanClass::Doubtful),
        date,
        lines,
        totals,
        layout,
    })
}
