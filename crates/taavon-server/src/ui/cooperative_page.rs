//! A cooperative's page: its facts, members and share register (to those the access
//! policy lets read them; a bank only for its borrowers), its applications, and the
//! forms of those who may change it: add a member, record a share entry (irreversible,
//! so confirmed), and a link to share a year's surplus by share-days (`surplus`). Every
//! part is read and written through the same scoped use cases as the API.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use taavon_app::impact::figures::{self, JobsOf};
use taavon_app::persons::PersonInput;
use taavon_app::rows::{ApplicationFilter, Person};
use taavon_app::shares::{self, ShareInput};
use taavon_app::{AppError, applications, clock};
use taavon_app::{cooperatives, members, support};
use taavon_core::access::{self, Action, Decision, Resource};
use taavon_core::reference::ProvinceCode;
use taavon_core::registry::{FormationRules, Gender, ShareEntryKind};

use super::Layout;
use super::csrf::CsrfForm;
use super::fields::Field;
use super::form_key::{self, Submission};
use super::form_state::{FormState, Refused, answer_form, render_form, state_of};
use super::format;
use super::i18n::Lang;
use super::impact::JobsBox;
use super::names::{self, Names};
use super::page::{PageParts, error_page, layout, parts_text};
use super::registry::editable;
use super::support::CooperativeSupport;
use super::typed::{self, given};
use crate::auth::UiUser;
use crate::state::AppState;

/// The forms of a cooperative page.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum CooperativeForm {
    Member,
    Share,
}

/// A form refused with field errors, shown again as typed.
type Failed = Refused<CooperativeForm>;

struct MemberLine {
    name: String,
    national_code: String,
    gender: String,
    subscribed: String,
    paid: String,
}

struct ApplicationLine {
    id: i64,
    program: String,
    amount: String,
    jobs: String,
    women_jobs: String,
    status: String,
}

struct EntryLine {
    date: String,
    kind: String,
    member: String,
    amount: String,
}

/// The people of a cooperative: its members and share register, shown only to those the
/// access policy lets read them (a bank only for its borrowers).
struct PeopleSection {
    members: Vec<MemberLine>,
    entries: Vec<EntryLine>,
    subscribed: String,
    paid: String,
}

/// One of the page's forms.
struct FormView {
    fields: Vec<Field>,
    error: String,
    /// Whether it came back refused (its folded box then opens).
    refused: bool,
}

#[derive(Template)]
#[template(path = "cooperative.html")]
struct CooperativePage {
    layout: Layout,
    id: i64,
    form_key: String,
    /// Whether the user may change any of its fields (the edit form's link).
    may_edit: bool,
    name: String,
    facts: Vec<(&'static str, String)>,
    people: Option<PeopleSection>,
    applications: Vec<ApplicationLine>,
    /// Its loans' planned, reported and verified jobs, within the reader's scope.
    jobs: JobsBox,
    /// Its support requests the reader may read (the plan after formation among them).
    support: CooperativeSupport,
    /// The forms of those who may change the cooperative's members and register.
    member_form: Option<FormView>,
    share_form: Option<FormView>,
}

pub(super) fn entry_kind(lang: Lang, kind: ShareEntryKind) -> String {
    let (fa, en) = match kind {
        ShareEntryKind::Subscription => ("پذیره‌نویسی", "Subscription"),
        ShareEntryKind::Payment => ("پرداخت", "Payment"),
        ShareEntryKind::Transfer => ("انتقال", "Transfer"),
        ShareEntryKind::Withdrawal => ("برداشت", "Withdrawal"),
    };
    lang.pick(fa, en).to_owned()
}

pub(super) fn person_name(person: &Person) -> String {
    format!("{} {}", person.fields.first_name, person.fields.last_name)
}

fn people_section(
    lang: Lang,
    members: &[Person],
    register: &shares::ShareRegister,
) -> PeopleSection {
    let balances: HashMap<i64, (i64, i64)> = register
        .balances
        .iter()
        .map(|(p, s, paid)| (*p, (*s, *paid)))
        .collect();
    let person_names: HashMap<i64, String> =
        members.iter().map(|m| (m.id, person_name(m))).collect();
    PeopleSection {
        members: members
            .iter()
            .map(|m| {
                let (subscribed, paid) = balances.get(&m.id).copied().unwrap_or((0, 0));
                MemberLine {
                    name: person_name(m),
                    national_code: lang.digits(&m.fields.national_code),
                    gender: names::gender(lang, m.fields.gender),
                    subscribed: lang.number(subscribed),
                    paid: lang.number(paid),
                }
            })
            .collect(),
        entries: register
            .entries
            .iter()
            .map(|e| EntryLine {
                date: format::date(lang, &e.entered_on),
                kind: entry_kind(lang, e.kind),
                member: person_names.get(&e.person_id).cloned().unwrap_or_default(),
                amount: lang.number(e.amount_rial),
            })
            .collect(),
        subscribed: lang.number(register.subscribed),
        paid: lang.number(register.paid),
    }
}

/// The state a form starts from, and whether it is the refused one.
fn form_state(failed: &mut Option<Failed>, form: CooperativeForm) -> (FormState, bool) {
    let refused = failed.as_ref().is_some_and(|f| f.form == form);
    (state_of(failed, form, &[]), refused)
}

fn view(fields: Vec<Field>, state: &FormState, refused: bool, fields_wrong: &str) -> FormView {
    FormView {
        fields,
        error: state.summary(fields_wrong),
        refused,
    }
}

/// The member form's fields.
fn member_fields(layout: &Layout, state: &FormState) -> Vec<Field> {
    let (lang, t, f) = (layout.lang, layout.t, layout.f);
    let genders = Gender::ALL
        .iter()
        .map(|g| (g.code().to_owned(), names::gender(lang, *g)))
        .collect();
    let prefix = "member";
    vec![
        state
            .field(prefix, "national_code", t.national_code)
            .ltr()
            .required(),
        state.field(prefix, "first_name", f.first_name).required(),
        state.field(prefix, "last_name", f.last_name).required(),
        state
            .field(prefix, "gender", t.gender)
            .required()
            .select(genders, Some(f.choose)),
        state
            .field(prefix, "birth_year", f.birth_year)
            .number()
            .hint(f.birth_year_hint),
        state.field(prefix, "mobile", f.mobile).ltr(),
        state
            .field(prefix, "joined_on", f.joined_on)
            .date(t.calendar)
            .hint(t.date_hint),
    ]
}

/// The share entry form's fields: the members are chosen, not typed.
fn share_fields(layout: &Layout, state: &FormState, members: &[Person]) -> Vec<Field> {
    let (lang, t, f) = (layout.lang, layout.t, layout.f);
    let kinds = ShareEntryKind::ALL
        .iter()
        .map(|&kind| (kind.code().to_owned(), entry_kind(lang, kind)))
        .collect();
    let people: Vec<(String, String)> = members
        .iter()
        .map(|m| {
            let code = &m.fields.national_code;
            (
                code.clone(),
                format!("{} ({})", person_name(m), lang.digits(code)),
            )
        })
        .collect();
    let prefix = "share";
    vec![
        state
            .field(prefix, "kind", t.entry_kind)
            .required()
            .select(kinds, None),
        state
            .field(prefix, "national_code", f.member)
            .required()
            .select(people.clone(), Some(f.choose))
            .persian_names(),
        state
            .field(prefix, "to_national_code", f.to_member)
            .select(people, Some(f.none))
            .persian_names()
            .hint(f.to_member_hint),
        state
            .field(prefix, "amount", t.amount_rial)
            .amount()
            .required(),
        state
            .field(prefix, "entered_on", t.date)
            .date(t.calendar)
            .hint(t.date_hint),
    ]
}

pub async fn one(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    Path(id): Path<i64>,
) -> Response {
    page(&state, &parts, &user, id, None).await
}

/// A cooperative's page, with a refused form shown again (then answered 422).
async fn page(
    state: &AppState,
    parts: &axum::http::request::Parts,
    user: &UiUser,
    id: i64,
    mut failed: Option<Failed>,
) -> Response {
    let t = parts_text(parts);
    let mut layout = layout(parts, t.cooperatives_title, Some(user)).await;
    let lang = layout.lang;
    let principal = &user.principal;
    let found = async {
        let cooperative = cooperatives::get_cooperative(&state.store, principal, id).await?;
        let people = match members::members(&state.store, principal, id).await {
            Ok(members) => Some((
                members,
                shares::share_register(&state.store, principal, id).await?,
            )),
            Err(AppError::Forbidden) => None,
            Err(error) => return Err(error),
        };
        let filter = ApplicationFilter {
            cooperative_id: Some(id),
            ..ApplicationFilter::default()
        };
        let applications =
            applications::list_applications(&state.store, principal, &filter, 200, 0).await?;
        let jobs = figures::jobs_of(&state.store, principal, &JobsOf::Cooperative(id)).await?;
        let requests = support::cooperative_requests(&state.store, principal, id).await?;
        let today = taavon_app::loans::business_date(&state.store, clock::now()).await?;
        Ok::<_, AppError>((
            cooperative,
            people,
            applications.applications,
            jobs,
            (requests, today.to_string()),
            Names::load(&state.store, &user.principal).await?,
        ))
    }
    .await;
    let (cooperative, people, applications, jobs, (requests, today), names) = match found {
        Ok(found) => found,
        Err(error) => return error_page(layout, &error),
    };
    let f = &cooperative.fields;
    layout.title = f.name.clone();
    layout.record_trail(&[(t.cooperatives_title, "/cooperatives")], &f.name);
    let optional =
        |value: &Option<String>| value.as_deref().map_or("—".into(), |v| lang.digits(v));
    let date = |value: &Option<String>| {
        value
            .as_deref()
            .map_or("—".into(), |d| format::date(lang, d))
    };
    // The members and register change by those who may update the cooperative.
    let may_update = ProvinceCode::parse(&f.province).is_ok_and(|province| {
        access::decide(
            Some(principal),
            Action::Update,
            Resource::Cooperative {
                id: Some(id),
                province: &province,
            },
        ) == Decision::Allow
    });
    let refused = failed.is_some();
    let (member_form, share_form) = match (&people, may_update) {
        (Some((members, _)), true) => {
            let (member, member_refused) = form_state(&mut failed, CooperativeForm::Member);
            let (share, share_refused) = form_state(&mut failed, CooperativeForm::Share);
            (
                Some(view(
                    member_fields(&layout, &member),
                    &member,
                    member_refused,
                    t.form_has_errors,
                )),
                Some(view(
                    share_fields(&layout, &share, members),
                    &share,
                    share_refused,
                    t.form_has_errors,
                )),
            )
        }
        _ => (None, None),
    };
    let page = CooperativePage {
        id,
        form_key: form_key::fresh(),
        may_edit: !editable(principal, &cooperative).is_empty(),
        name: f.name.clone(),
        facts: vec![
            (t.province, names.province(lang, &f.province)),
            (t.county, names.county(lang, &f.county)),
            (t.kind, names::kind(lang, f.kind)),
            (t.sector, names.sector(lang, &f.sector)),
            (t.legal_id, optional(&f.legal_id)),
            (t.registration_number, optional(&f.registration_number)),
            (t.founded_on, date(&f.founded_on)),
            (
                t.women_led,
                if f.women_led { t.yes } else { t.no }.to_owned(),
            ),
            (t.status, names::cooperative_status(lang, f.status)),
        ],
        people: people
            .as_ref()
            .map(|(members, register)| people_section(lang, members, register)),
        applications: applications
            .iter()
            .map(|a| ApplicationLine {
                id: a.id,
                program: names.program(lang, &a.fields.program),
                amount: lang.number(a.fields.amount_rial),
                jobs: lang.number(a.fields.jobs),
                women_jobs: lang.number(a.fields.women_jobs),
                status: names::application_state(lang, a.fields.status),
            })
            .collect(),
        jobs: JobsBox::new(lang, &jobs),
        support: CooperativeSupport::new(lang, &requests, &today),
        member_form,
        share_form,
        layout,
    };
    let refused_form = refused;
    render_form(&page, refused_form)
}

/// What a cooperative form's post answers: back to the page with `success`, the page
/// again with the form as typed when its fields were refused, or the reason as the
/// page's message for any other refusal.
async fn answer<T>(
    (state, parts, user): (&AppState, &axum::http::request::Parts, &UiUser),
    (id, form, kind): (i64, HashMap<String, String>, CooperativeForm),
    success: &str,
    done: Result<T, AppError>,
) -> Response {
    let (title, to) = (
        parts_text(parts).cooperatives_title,
        format!("/cooperatives/{id}"),
    );
    answer_form(
        (parts, user),
        (title, &to, success),
        done,
        |errors| async move {
            let renamed = [("amount_rial", "amount")];
            let failed = Failed {
                form: kind,
                state: FormState::refused(Lang::of(parts), form, &errors, &renamed),
            };
            page(state, parts, user, id, Some(failed)).await
        },
    )
    .await
}

/// Adds a member (the person created if their national code is new).
pub async fn add_member(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<HashMap<String, String>>,
) -> Response {
    let submission = Submission::of(&parts, &form);
    let birth_year = typed::whole(
        "birth_year",
        form.get("birth_year").map_or("", String::as_str),
    );
    let done = match birth_year {
        Err(error) => Err(AppError::Invalid(vec![error])),
        Ok(birth_year) => {
            let input = PersonInput {
                national_code: given(&form, "national_code").unwrap_or_default(),
                first_name: given(&form, "first_name").unwrap_or_default(),
                last_name: given(&form, "last_name").unwrap_or_default(),
                gender: given(&form, "gender").unwrap_or_default(),
                birth_year,
                mobile: given(&form, "mobile"),
            };
            members::add_member(
                &state.store,
                &user.principal,
                id,
                &input,
                given(&form, "joined_on").as_deref(),
                submission.idempotency(),
                clock::now(),
            )
            .await
        }
    };
    let success = Lang::of(&parts).forms().done_member;
    let context = (&state, &parts, &user);
    answer(context, (id, form, CooperativeForm::Member), success, done).await
}

/// Records an entry in the share register (never edited: a mistake is undone by
/// another entry).
pub async fn add_share(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<HashMap<String, String>>,
) -> Response {
    let submission = Submission::of(&parts, &form);
    let amount = typed::whole("amount", form.get("amount").map_or("", String::as_str));
    let done = match amount {
        Err(error) => Err(AppError::Invalid(vec![error])),
        Ok(amount) => {
            let input = ShareInput {
                kind: given(&form, "kind").unwrap_or_default(),
                national_code: given(&form, "national_code").unwrap_or_default(),
                to_national_code: given(&form, "to_national_code"),
                amount_rial: amount.unwrap_or(0),
                entered_on: given(&form, "entered_on"),
            };
            shares::add_share_entry(
                &state.store,
                &user.principal,
                id,
                &input,
                &FormationRules::default(),
                submission.idempotency(),
                clock::now(),
            )
            .await
        }
    };
    let success = Lang::of(&parts).forms().done_share;
    let context = (&state, &parts, &user);
    answer(context, (id, form, CooperativeForm::Share), success, done).await
}

struct SurplusLine {
    member: String,
    share_days: String,
    amount: String,
}

#[derive(Template)]
#[template(path = "surplus.html")]
struct SurplusPage {
    layout: Layout,
    id: i64,
    name: String,
    fields: Vec<Field>,
    lines: Vec<SurplusLine>,
    total: String,
    asked: bool,
}

/// A year's surplus shared among the members by their paid-in share-days: the form,
/// and once asked the distribution (in whole rials summing to the total). Nothing is
/// written, so it is a GET form.
pub async fn surplus(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    Path(id): Path<i64>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let mut layout = layout(&parts, parts_text(&parts).cooperatives_title, Some(&user)).await;
    let lang = layout.lang;
    let principal = &user.principal;
    let found = async {
        let cooperative = cooperatives::get_cooperative(&state.store, principal, id).await?;
        let members = members::members(&state.store, principal, id).await?;
        Ok::<_, AppError>((cooperative, members))
    }
    .await;
    let (cooperative, members) = match found {
        Ok(found) => found,
        Err(error) => return error_page(layout, &error),
    };
    let (t, f) = (layout.t, layout.f);
    layout.title = format!("{} — {}", f.surplus_title, cooperative.fields.name);
    let page = format!("/cooperatives/{id}");
    layout.trail(
        &[
            (t.cooperatives_title, "/cooperatives"),
            (cooperative.fields.name.as_str(), page.as_str()),
        ],
        f.surplus_title,
    );
    // The cooperative's name is Persian whatever the page's language.
    for crumb in &mut layout.crumbs {
        crumb.persian |= crumb.label == cooperative.fields.name;
    }
    let asked = ["from", "to", "total"]
        .iter()
        .any(|k| query.contains_key(*k));
    let distribution = if asked {
        let total = typed::whole("total", query.get("total").map_or("", String::as_str));
        match total {
            Err(error) => Err(AppError::Invalid(vec![error])),
            Ok(total) => {
                shares::surplus_distribution(
                    &state.store,
                    principal,
                    id,
                    query.get("from").map_or("", String::as_str),
                    query.get("to").map_or("", String::as_str),
                    total.unwrap_or(0),
                )
                .await
            }
        }
    } else {
        Ok(Vec::new())
    };
    let (parts_found, form) = match distribution {
        Ok(found) => (found, FormState::with_values(query)),
        Err(AppError::Invalid(errors)) => (
            Vec::new(),
            FormState::refused(lang, query, &errors, &[("total_rial", "total")]),
        ),
        Err(error) => return error_page(layout, &error),
    };
    let names: HashMap<i64, String> = members.iter().map(|m| (m.id, person_name(m))).collect();
    let total: i64 = parts_found.iter().map(|p| p.amount_rial).sum();
    let fields = vec![
        form.field("surplus", "from", f.period_from)
            .date(t.calendar)
            .required(),
        form.field("surplus", "to", f.period_to)
            .date(t.calendar)
            .required(),
        form.field("surplus", "total", f.surplus_total)
            .amount()
            .required(),
    ];
    let refused = form.is_refused();
    let page = SurplusPage {
        id,
        name: cooperative.fields.name,
        fields,
        lines: parts_found
            .iter()
            .map(|p| SurplusLine {
                member: names.get(&p.person_id).cloned().unwrap_or_default(),
                share_days: lang.sum(i128::try_from(p.share_days).unwrap_or(i128::MAX)),
                amount: lang.number(p.amount_rial),
            })
            .collect(),
        total: lang.number(total),
        asked: asked && !refused,
        layout,
    };
    let refused_form = refused;
    render_form(&page, refused_form)
}
