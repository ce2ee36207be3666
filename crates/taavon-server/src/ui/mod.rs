//! The server-rendered Persian UI (English as the second locale).

mod answer;
mod application_form;
mod applications;
mod audit;
mod awards;
mod borrower;
mod budgets;
mod calendar;
mod certificate;
mod cooperative_page;
mod csrf;
mod dashboard;
mod deposits;
mod fields;
mod flash;
mod form_key;
mod form_state;
mod form_text;
mod format;
mod formation_form;
mod formations;
mod funds;
mod home;
pub mod i18n;
mod impact;
mod indicators;
mod language;
mod lists;
mod loan_forms;
mod loan_page;
mod loans;
mod names;
mod page;
mod people;
mod program_form;
mod program_text;
mod programs;
mod provinces;
mod registry;
mod routing;
mod select;
mod services;
mod session;
mod support;
mod synergy;
mod table;
pub mod transparency;
mod typed;
mod webhooks;

use askama::Template;
use axum::Router;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use taavon_core::access::{self, Action, CooperativeScope, Principal, Resource, Role};

use crate::state::AppState;
use i18n::{Lang, Text};
pub use page::not_found;

/// What every page's frame shows: language, navigation, the user, the CSRF token.
pub struct Layout {
    pub lang: Lang,
    pub t: &'static Text,
    /// The forms' words.
    pub f: &'static form_text::FormText,
    pub title: String,
    pub nav: Vec<NavItem>,
    pub user: Option<UserBadge>,
    pub csrf: String,
    pub path: String,
    /// The message the last action left (shown once).
    pub flash: Option<flash::Flash>,
    /// Now, as a printout's letterhead dates it.
    pub today: String,
    /// Where a detail page sits (home, its list, itself); empty on other pages.
    pub crumbs: Vec<Crumb>,
}

/// One step of the breadcrumb trail; the last one (the page itself) has no link.
pub struct Crumb {
    pub label: String,
    pub href: Option<String>,
    /// Record data in Persian (a cooperative's name), marked `lang="fa"` in English.
    pub persian: bool,
}

pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    pub active: bool,
}

pub struct UserBadge {
    pub name: String,
    pub role: String,
}

impl Layout {
    pub fn new(parts: &Parts, title: &str, principal: Option<&Principal>, csrf: String) -> Self {
        let lang = Lang::of(parts);
        let t = lang.text();
        let path = parts.uri.path().to_owned();
        let mut nav = Vec::new();
        let mut push = |href: &'static str, label: &'static str| {
            let active = if href == "/" {
                path == "/"
            } else {
                path.starts_with(href)
            };
            nav.push(NavItem {
                href,
                label,
                active,
            });
        };
        if principal.is_some() {
            push("/", t.nav_home);
        }
        if principal.is_some_and(|p| access::application_scope(p) != access::ApplicationScope::None)
        {
            push(dashboard::PATH, dashboard::DashboardText::of(lang).title);
        }
        push("/provinces", t.nav_provinces);
        // What the pooled money did, for everyone (no login).
        push(transparency::PATH, lang.pick("شفافیت", "Transparency"));
        if let Some(principal) = principal {
            if access::cooperative_scope(principal) != CooperativeScope::None {
                push("/cooperatives", t.nav_cooperatives);
            }
            if access::keeps_registry(principal) {
                push("/formations", t.nav_formations);
            }
            push("/programs", t.nav_programs);
            if access::application_scope(principal) != access::ApplicationScope::None {
                push("/applications", t.nav_applications);
            }
            if access::reads_loans(principal) {
                push("/loans", t.nav_loans);
                push("/portfolio", t.portfolio_title);
            }
            if access::application_scope(principal) != access::ApplicationScope::None {
                push(impact::PATH, impact::ImpactText::of(lang).title);
            }
            // Every signed-in role reads the synergy figures: they name no one.
            push(
                services::PATH,
                lang.pick("هم‌افزایی و کمبودها", "Synergy and gaps"),
            );
            if people::may_search(principal) {
                push(people::PATH, lang.pick("جست‌وجوی شخص", "Find a person"));
            }
            let ledger = access::ledger_view(principal);
            if ledger != access::LedgerView::None {
                push("/funds", t.nav_funds);
            }
            if ledger == access::LedgerView::All {
                push("/ledger", t.trial_balance_title);
            }
            // The dates every deadline and late charge counts by: for those who work
            // with loans and those who keep the calendar.
            if access::reads_loans(principal) || access::keeps_calendar(principal) {
                push("/calendar", lang.forms().calendar_title);
            }
            // The festival of top cooperators: a judge's own entries, or the festivals
            // for the roles with entries in their scope.
            match access::award_scope(principal) {
                access::AwardScope::Assigned { .. } => push(
                    "/awards/my-entries",
                    lang.pick("پرونده‌های داوری من", "My entries to judge"),
                ),
                access::AwardScope::None => {}
                _ => push(
                    "/awards",
                    lang.pick("جشنواره تعاونگران برتر", "Top cooperators festival"),
                ),
            }
            // Every role has support requests: its own, its unit's or its province's.
            push(
                "/support",
                lang.pick("درخواست‌های حمایت", "Support requests"),
            );
            // The systems that are told of events keep their webhook subscriptions.
            if access::keeps_webhooks(principal) {
                push(webhooks::PATH, webhooks::words(lang).title);
            }
            if access::decide(Some(principal), Action::Read, Resource::AuditTrail)
                == access::Decision::Allow
            {
                push("/audit", t.nav_audit);
            }
        }
        // The festival's published results are public.
        if principal.is_none() {
            push(
                "/awards/results",
                lang.pick("نتایج جشنواره تعاونگران برتر", "Festival results"),
            );
        }
        // The API's documentation, for the roles that work through the API.
        if principal.is_some_and(access::uses_api) {
            push("/api/docs/", t.nav_api);
        }
        let user = principal.map(|p| UserBadge {
            name: p.username.clone(),
            role: role_name(lang, &p.role),
        });
        Self {
            lang,
            t,
            f: lang.forms(),
            title: title.to_owned(),
            nav,
            user,
            csrf,
            path,
            flash: None,
            crumbs: Vec::new(),
            today: format::local_time(lang, taavon_app::clock::now()),
        }
    }
}

impl Layout {
    /// The breadcrumb trail of a detail page: home, then `steps` (a label and the link
    /// of each list or parent page), then `here`, the page itself.
    pub fn trail(&mut self, steps: &[(&str, &str)], here: &str) {
        self.crumbs = std::iter::once((self.t.nav_home, "/"))
            .chain(steps.iter().copied())
            .map(|(label, href)| Crumb {
                label: label.to_owned(),
                href: Some(href.to_owned()),
                persian: false,
            })
            .chain(std::iter::once(Crumb {
                label: here.to_owned(),
                href: None,
                persian: false,
            }))
            .collect();
    }

    /// As `trail`, the page being a record named in Persian whatever the language.
    pub fn record_trail(&mut self, steps: &[(&str, &str)], name: &str) {
        self.trail(steps, name);
        if let Some(here) = self.crumbs.last_mut() {
            here.persian = true;
        }
    }
}

/// A role with its scope, as the UI names it.
pub fn role_name(lang: Lang, role: &Role) -> String {
    let kind = role.kind();
    let name = lang.pick(kind.name_fa(), kind.name_en());
    match role {
        Role::ProvincialOfficer { province } => {
            format!("{name} ({})", names::province_name(lang, province.as_str()))
        }
        Role::BankOfficer { bank, .. } => format!("{name} ({})", names::bank(lang, bank.as_str())),
        Role::AgencyOfficer { agency, .. } => {
            format!("{name} ({})", names::agency(lang, agency.as_str()))
        }
        _ => name.to_owned(),
    }
}

/// Renders a template, or a plain error page if rendering fails.
pub fn render(template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => Html(html).into_response(),
        Err(error) => {
            tracing::error!(%error, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, Html(FAILED_PAGE)).into_response()
        }
    }
}

/// The page of a failure in rendering itself: no template, so it is plain, but styled
/// and in both languages rather than English text.
pub(crate) const FAILED_PAGE: &str = "<!doctype html><html lang=\"fa\" dir=\"rtl\"><head><meta charset=\"utf-8\">\
<title>خطا · تعاون</title><link rel=\"stylesheet\" href=\"/assets/css/taavon.css\"></head><body>\
<main id=\"content\"><section class=\"card narrow\"><h1>خطا</h1><p>خطایی در سامانه رخ داد؛ \
دوباره تلاش کنید.</p><p lang=\"en\" dir=\"ltr\">Something went wrong; please try again.</p>\
<p><a href=\"/\">بازگشت به صفحه اصلی</a></p></section></main></body></html>";

/// The page of a database that is unavailable before a page could even read its session:
/// no layout (it needs the session), so plain, styled and in both languages.
pub(crate) const UNAVAILABLE_PAGE: &str = "<!doctype html><html lang=\"fa\" dir=\"rtl\"><head><meta charset=\"utf-8\">\
<title>در دسترس نیست · تعاون</title><link rel=\"stylesheet\" href=\"/assets/css/taavon.css\"></head><body>\
<main id=\"content\"><section class=\"card narrow\"><h1>در دسترس نیست</h1><p>پایگاه داده هم‌اکنون در \
دسترس نیست و کاری انجام نشد؛ چند لحظه دیگر دوباره بکوشید.</p><p lang=\"en\" dir=\"ltr\">The database \
is unavailable right now and nothing was done; please try again in a moment.</p>\
<p><a href=\"/\">بازگشت به صفحه اصلی</a></p></section></main></body></html>";

/// Every UI route.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home::home))
        .route(dashboard::PATH, get(dashboard::page))
        .route("/logout", post(session::logout))
        .route("/provinces", get(provinces::provinces))
        .route("/provinces/{code}", get(provinces::province))
        .route("/cooperatives", get(lists::cooperatives::cooperatives))
        .route(
            "/cooperatives/new",
            get(registry::new_cooperative_form).post(registry::new_cooperative_submit),
        )
        .route("/cooperatives/{id}", get(cooperative_page::one))
        .route(
            "/cooperatives/{id}/members",
            post(cooperative_page::add_member),
        )
        .route(
            "/cooperatives/{id}/shares",
            post(cooperative_page::add_share),
        )
        .route("/cooperatives/{id}/surplus", get(cooperative_page::surplus))
        .route(
            "/cooperatives/{id}/edit",
            get(registry::edit_cooperative_form).post(registry::edit_cooperative_submit),
        )
        .route("/formations", get(formations::formations))
        .route(
            "/formations/new",
            get(formation_form::new_form).post(formation_form::new_submit),
        )
        .route(
            "/formations/{id}/decision",
            post(formations::formation_decision),
        )
        .route("/programs", get(programs::list))
        .route(
            "/programs/new",
            get(program_form::new_form).post(program_form::new_submit),
        )
        .route("/programs/{code}", get(programs::one))
        .route(
            "/programs/{code}/edit",
            get(program_form::edit_form).post(program_form::edit_submit),
        )
        .route(
            "/programs/{code}/budgets",
            get(budgets::edit_form).post(budgets::edit_submit),
        )
        .route(
            "/programs/{code}/round",
            get(programs::round).post(programs::record_round),
        )
        .route("/applications", get(lists::applications::queue))
        .route(
            "/applications/new",
            get(application_form::new_form).post(application_form::new_submit),
        )
        .route("/applications/{id}", get(applications::one))
        .route(
            "/applications/{id}/edit",
            get(application_form::edit_form).post(application_form::edit_submit),
        )
        .route(
            "/applications/{id}/transitions",
            post(applications::take_step),
        )
        .route("/applications/{id}/contract", post(loan_forms::contract))
        .route("/loans", get(lists::loans::list))
        .route("/loans/{id}", get(loan_page::one))
        .route("/loans/{id}/disbursements", post(loan_forms::disburse))
        .route("/loans/{id}/repayments", post(loan_forms::repay))
        .route(
            "/loans/{id}/settlement",
            get(loan_page::quote).post(loan_forms::settle),
        )
        .route("/loans/{id}/reschedule", post(loan_forms::reschedule))
        .route(
            "/loans/{id}/transactions/{transaction_id}/reversal",
            post(loan_forms::reverse),
        )
        .route(
            "/loans/{id}/proposals/{proposal_id}/approval",
            post(loan_forms::approve_proposal),
        )
        .route(
            "/loans/{id}/proposals/{proposal_id}/rejection",
            post(loan_forms::reject_proposal),
        )
        .route("/portfolio", get(lists::portfolio::portfolio))
        .route(impact::PATH, get(impact::figures_page))
        .route(services::PATH, get(services::gap_page))
        .route("/services/counties", get(synergy::counties_page))
        .route("/people", get(people::search))
        .route("/people/{national_code}", get(people::person))
        .route("/services/counties/{code}", get(synergy::county_page))
        .route("/funds", get(funds::pooled))
        .route(
            "/funds/deposits",
            get(deposits::new_form).post(deposits::new_submit),
        )
        .route("/calendar", get(calendar::calendar))
        .route("/calendar/holidays", post(calendar::add_holiday))
        .route(
            "/calendar/holidays/{day}/removal",
            post(calendar::remove_holiday),
        )
        .route(
            "/calendar/business-date",
            post(calendar::open_business_date),
        )
        .route("/ledger", get(funds::trial_balance))
        .route("/support", get(support::list).post(support::file))
        .route("/support/new", get(support::new_form))
        .route("/support/routing", get(routing::page))
        .route("/support/topics", post(routing::put_topic))
        .route("/support/routing-rules", post(routing::set_rule))
        .route("/support/{id}", get(support::one))
        .route("/support/{id}/assignment", post(support::take))
        .route("/support/{id}/transitions", post(support::move_to))
        .route("/support/{id}/messages", post(support::reply))
        .route("/support/{id}/rating", post(support::rate))
        .route("/support/attachments/{id}", get(support::download))
        .route("/awards", get(awards::overview))
        .route("/awards/festivals", post(awards::create))
        .route("/awards/festivals/new", get(awards::new_form))
        .route("/awards/festivals/{year}", get(awards::one))
        .route("/awards/festivals/{year}/entries", post(awards::enter))
        .route("/awards/festivals/{year}/moves", post(awards::move_round))
        .route("/awards/entries", get(awards::entries))
        .route("/awards/ranking", get(awards::ranking))
        .route("/awards/panel", get(awards::panel).post(awards::appoint))
        .route("/awards/my-entries", get(awards::my_entries))
        .route("/awards/results", get(awards::results))
        .route("/awards/certificates", get(awards::certificate_check))
        .route("/awards/entries/{id}", get(awards::entry))
        .route("/awards/entries/{id}/marks", post(awards::mark))
        .route("/awards/entries/{id}/submission", post(awards::submit))
        .route("/awards/certificates/{code}/pdf", get(certificate::pdf))
        .route(webhooks::PATH, get(webhooks::list).post(webhooks::create))
        .route("/webhooks/{id}", get(webhooks::one))
        .route("/webhooks/{id}/secret", post(webhooks::rotate))
        .route("/webhooks/{id}/removal", post(webhooks::delete))
        .route(
            "/webhooks/{id}/deliveries/{delivery_id}/replay",
            post(webhooks::replay),
        )
        .route(transparency::PATH, get(transparency::page))
        .route("/audit", get(audit::audit))
        .route("/lang", get(language::switch_language))
}

/// The login form's routes, separate so they can carry the rate limit.
pub fn login_routes() -> Router<AppState> {
    Router::new().route(
        "/login",
        get(session::login_form).post(session::login_submit),
    )
}
