//! One person, all agencies (issue 15): the search by national code (either digits; a
//! wrong code refused naming the rule, in Persian) and the person's page over the person
//! view use case — the services every agency delivered, the support requests filed for
//! them, their applications and loans as a client and their memberships, as far as the reader may
//! see; every view audited by the use case, as through the API. An agency officer, shown
//! only its own services, sees the national code masked.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use taavon_app::AppError;
use taavon_app::clock;
use taavon_app::person_view::{self, PersonOverview};
use taavon_core::access::{Decision, Principal, decide_person_view};
use taavon_core::digits::to_ascii_digits;
use taavon_core::ids::NationalCode;

use super::i18n::Lang;
use super::names::{self, Names};
use super::page::{PageParts, error_page, layout};
use super::support::status_name;
use super::{Layout, format, render};
use crate::auth::UiUser;
use crate::state::AppState;

pub const PATH: &str = "/people";

/// Whether `principal` may look anyone up at all (a provincial officer may, though only
/// people known in its province are found).
pub fn may_search(principal: &Principal) -> bool {
    decide_person_view(Some(principal), &[]) != Err(Decision::Forbidden)
}

/// The search form's words and state.
pub struct Search {
    pub label: &'static str,
    pub hint: &'static str,
    pub button: &'static str,
    pub value: String,
    pub error: Option<String>,
}

impl Search {
    pub fn new(lang: Lang, value: String, error: Option<String>) -> Self {
        Self {
            label: lang.pick("کد ملی", "National code"),
            hint: lang.pick(
                "ده رقم، با رقم‌های فارسی یا لاتین",
                "Ten digits, Persian or Latin",
            ),
            button: lang.pick("جست‌وجوی شخص", "Find the person"),
            value,
            error,
        }
    }
}

#[derive(Template)]
#[template(path = "people_search.html")]
struct SearchPage {
    layout: Layout,
    note: &'static str,
    search: Search,
}

/// The search: blank shows the form; a valid code goes to the person's page; a wrong
/// one comes back with its rule named (422).
pub async fn search(
    PageParts(parts): PageParts,
    user: UiUser,
    Query(raw): Query<HashMap<String, String>>,
) -> Response {
    let lang = Lang::of(&parts);
    let title = lang.pick("یک نفر، همه دستگاه‌ها", "One person, all agencies");
    let layout = layout(&parts, title, Some(&user)).await;
    if !may_search(&user.principal) {
        return error_page(layout, &AppError::Forbidden);
    }
    let typed = raw
        .get("national_code")
        .map(|t| t.trim().to_owned())
        .unwrap_or_default();
    let mut status = StatusCode::OK;
    let mut error = None;
    if !typed.is_empty() {
        match NationalCode::parse(&to_ascii_digits(&typed)) {
            Ok(code) => return Redirect::to(&format!("{PATH}/{}", code.as_str())).into_response(),
            Err(refusal) => {
                status = StatusCode::UNPROCESSABLE_ENTITY;
                error = Some(format!(
                    "{} {}",
                    lang.pick("کد ملی:", "National code:"),
                    lang.pick(&refusal.message_fa(), &refusal.to_string())
                ));
            }
        }
    }
    let page = SearchPage {
        note: lang.pick(
            "خدمات همه دستگاه‌ها، درخواست‌های حمایت، درخواست‌های تسهیلات و عضویت‌های یک نفر، تا جایی که نقش شما اجازه می‌دهد. هر مشاهده در رویدادنگار ثبت می‌شود.",
            "One person's services from every agency, support requests, applications and memberships, as far as your role allows. Every view is recorded in the audit trail.",
        ),
        search: Search::new(lang, typed, error),
        layout,
    };
    (status, render(&page)).into_response()
}

/// One part of the page: a heading and a table (or a note that it is empty).
pub struct Part {
    pub id: &'static str,
    pub heading: &'static str,
    pub headers: Vec<&'static str>,
    /// Each row's cells: text and, for the first, a link.
    pub rows: Vec<Vec<(String, Option<String>)>>,
}

#[derive(Template)]
#[template(path = "person.html")]
struct PersonPage {
    layout: Layout,
    note: &'static str,
    facts: Vec<(&'static str, String)>,
    parts: Vec<Part>,
    empty: &'static str,
    search: Search,
}

/// The person's page, audited by the use case.
pub async fn person(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    Path(code): Path<String>,
) -> Response {
    let lang = Lang::of(&parts);
    let mut layout = layout(
        &parts,
        lang.pick("یک نفر، همه دستگاه‌ها", "One person, all agencies"),
        Some(&user),
    )
    .await;
    let found = async {
        let overview =
            person_view::person_overview(&state.store, &user.principal, &code, clock::now())
                .await?;
        let names = Names::load(&state.store, &user.principal).await?;
        Ok::<_, AppError>((overview, names))
    }
    .await;
    let (overview, names) = match found {
        Ok(found) => found,
        Err(error) => return error_page(layout, &error),
    };
    let shown_code = if overview.whole {
        overview.national_code.clone()
    } else {
        NationalCode::parse(&overview.national_code)
            .map_or_else(|_| overview.national_code.clone(), |c| c.masked())
    };
    let name = overview.person.as_ref().map_or_else(
        || lang.pick("ثبت‌نشده", "Not registered").to_owned(),
        |p| format!("{} {}", p.fields.first_name, p.fields.last_name),
    );
    layout.title = format!("{} {name}", lang.pick("شخص:", "Person:"));
    let here = layout.title.clone();
    layout.trail(&[(lang.pick("جست‌وجوی شخص", "Find a person"), PATH)], &here);
    let mut facts = vec![
        (lang.pick("نام", "Name"), name),
        (
            lang.pick("کد ملی", "National code"),
            lang.digits(&shown_code),
        ),
    ];
    if let Some(person) = &overview.person {
        facts.push((
            lang.pick("استان محل سکونت", "Province of residence"),
            names.province(lang, &person.fields.province),
        ));
    }
    render(&PersonPage {
        note: if overview.whole {
            lang.pick(
                "این مشاهده با نام شما در رویدادنگار ثبت شد.",
                "This view was recorded in the audit trail under your name.",
            )
        } else {
            lang.pick(
                "نقش شما تنها خدمات دستگاه خودتان به این شخص را می‌بیند؛ این مشاهده در رویدادنگار ثبت شد.",
                "Your role sees only your agency's services to this person; this view was recorded in the audit trail.",
            )
        },
        facts,
        parts: person_parts(lang, &names, &overview),
        empty: lang.pick("موردی نیست.", "None."),
        search: Search::new(lang, String::new(), None),
        layout,
    })
}

/// The parts the reader may see: the services always, the rest when the view is whole.
fn person_parts(lang: Lang, names: &Names, overview: &PersonOverview) -> Vec<Part> {
    let plain = |text: String| (text, None);
    let mut parts = vec![Part {
        id: "services",
        heading: lang.pick("خدمات دریافتی", "Services received"),
        headers: vec![
            lang.pick("تاریخ ارائه", "Delivered on"),
            lang.pick("دستگاه یا بانک", "Agency or bank"),
            lang.pick("نوع خدمت", "Kind"),
            lang.pick("شهرستان", "County"),
            lang.pick("مبلغ (ریال)", "Amount (rials)"),
        ],
        rows: overview
            .services
            .iter()
            .map(|s| {
                vec![
                    plain(format::date(lang, &s.delivered_on)),
                    plain(names::provider(lang, &s.provider)),
                    plain(names::service_kind(lang, s.kind)),
                    plain(names.county(lang, &s.county)),
                    plain(s.amount_rial.map_or_else(|| "—".into(), |a| lang.number(a))),
                ]
            })
            .collect(),
    }];
    if !overview.whole {
        return parts;
    }
    parts.push(Part {
        id: "requests",
        heading: lang.pick("درخواست‌های حمایت", "Support requests"),
        headers: vec![
            lang.pick("شماره", "Number"),
            lang.pick("موضوع", "Topic"),
            lang.pick("وضعیت", "Status"),
            lang.pick("تاریخ ثبت", "Filed on"),
        ],
        rows: overview
            .support_requests
            .iter()
            .map(|r| {
                vec![
                    (lang.id(r.id), Some(format!("/support/{}", r.id))),
                    plain(lang.pick(&r.topic_name_fa, &r.topic_name_en).to_owned()),
                    plain(status_name(lang, r.status).to_owned()),
                    plain(format::date(lang, &r.fields.filed_on)),
                ]
            })
            .collect(),
    });
    parts.push(Part {
        id: "applications",
        heading: lang.pick("درخواست‌های تسهیلات", "Applications"),
        headers: vec![
            lang.pick("شماره", "Number"),
            lang.pick("برنامه", "Program"),
            lang.pick("وضعیت", "Status"),
            lang.pick("مبلغ (ریال)", "Amount (rials)"),
        ],
        rows: overview
            .applications
            .iter()
            .map(|a| {
                vec![
                    (lang.id(a.id), Some(format!("/applications/{}", a.id))),
                    plain(names.program(lang, &a.fields.program)),
                    plain(names::application_state(lang, a.fields.status)),
                    plain(lang.number(a.fields.amount_rial)),
                ]
            })
            .collect(),
    });
    parts.push(Part {
        id: "loans",
        heading: lang.pick("تسهیلات دریافتی", "Loans"),
        headers: vec![
            lang.pick("شماره قرارداد", "Contract number"),
            lang.pick("بانک", "Bank"),
            lang.pick("وضعیت", "Status"),
            lang.pick("مبلغ قرارداد (ریال)", "Principal (rials)"),
            lang.pick("تاریخ قرارداد", "Contracted on"),
        ],
        rows: overview
            .loans
            .iter()
            .map(|l| {
                vec![
                    (
                        lang.digits(&l.fields.contract_no),
                        Some(format!("/loans/{}", l.id)),
                    ),
                    plain(names::bank(lang, l.fields.bank.as_str())),
                    plain(super::loans::status_name(lang, l.status)),
                    plain(lang.number(l.fields.principal_rial)),
                    plain(format::date(lang, &l.fields.contracted_on)),
                ]
            })
            .collect(),
    });
    parts.push(Part {
        id: "memberships",
        heading: lang.pick("عضویت در تعاونی‌ها", "Memberships"),
        headers: vec![
            lang.pick("تعاونی", "Cooperative"),
            lang.pick("استان", "Province"),
            lang.pick("تاریخ عضویت", "Joined on"),
            lang.pick("تاریخ خروج", "Left on"),
        ],
        rows: overview
            .memberships
            .iter()
            .map(|m| {
                vec![
                    (
                        m.cooperative_name.clone(),
                        Some(format!("/cooperatives/{}", m.cooperative_id)),
                    ),
                    plain(names.province(lang, &m.province)),
                    plain(format::date(lang, &m.joined_on)),
                    plain(
                        m.exited_on
                            .as_deref()
                            .map_or_else(|| "—".into(), |d| format::date(lang, d)),
                    ),
                ]
            })
            .collect(),
    });
    parts
}
