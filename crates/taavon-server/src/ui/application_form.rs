//! The application form, to draft one and to revise a draft (or one found ineligible):
//! a representative applies for its own cooperative, chosen for it; an officer picks the
//! cooperative from those of its scope, found by a search. Every program's limits — the
//! amount's range, the amount per job, the fewest jobs, the term — are shown beside the
//! form, checked in the browser before it is sent (`forms.js`) and by the core's
//! `request_limits` when it arrives, each with the reason on its field. Amounts are
//! typed with separators in any digits.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use taavon_app::applications::{self, ApplicationInput};
use taavon_app::programs::{list_programs, parse_rules};
use taavon_app::rows::Application;
use taavon_app::{AppError, FieldError, clock, cooperatives};
use taavon_core::access::{Principal, Role, drafts_applications};
use taavon_core::programs::eligibility::request_limits;
use taavon_core::programs::{EligibilityRules, Financing};

use super::answer;
use super::csrf::CsrfForm;
use super::fields::Field;
use super::form_key::{self, Submission};
use super::form_state::FormState;
use super::i18n::Lang;
use super::page::{PageParts, error_page, layout, parts_text};
use super::typed;
use super::{Layout, render};
use crate::auth::UiUser;
use crate::state::AppState;

/// How many cooperatives an officer's search offers at once.
const FOUND_MAX: i64 = 50;

/// One program's limits, as the form shows them and its script checks them.
struct ProgramLimits {
    code: String,
    name: String,
    amount_range: String,
    per_job: String,
    min_jobs: String,
    term: String,
    min_amount: i64,
    max_amount: i64,
    /// Zero when the program sets no limit per job.
    max_per_job: i64,
    jobs_min: i64,
    /// The reasons the script shows, in the reader's language.
    amount_message: String,
    per_job_message: String,
    jobs_message: String,
}

/// Who applies: the representative's own cooperative (fixed), or the officer's choice.
enum Applicant {
    Own { id: i64, name: String },
    Chosen { search: String, choices: Box<Field> },
}

#[derive(Template)]
#[template(path = "application_form.html")]
struct ApplicationFormPage {
    layout: Layout,
    form_key: String,
    /// Where it posts: `/applications/new`, or the application's edit address.
    action: String,
    heading: String,
    /// The version a revision was read at.
    version: Option<i64>,
    applicant: Option<Applicant>,
    fields: Vec<Field>,
    limits: Vec<ProgramLimits>,
    form_error: String,
}

fn limits_of(
    lang: Lang,
    layout: &Layout,
    code: String,
    name: String,
    e: &EligibilityRules,
    term_months: u32,
) -> ProgramLimits {
    let (number, f) = (|n: i64| lang.number(n), layout.f);
    let per_job = e.max_amount_per_job_rial.unwrap_or(0);
    ProgramLimits {
        amount_range: format!(
            "{} – {}",
            number(e.min_amount_rial),
            number(e.max_amount_rial)
        ),
        per_job: e
            .max_amount_per_job_rial
            .map_or_else(|| "—".to_owned(), number),
        min_jobs: number(e.min_jobs),
        term: number(i64::from(term_months)),
        amount_message: f
            .limit_amount
            .replacen("{}", &number(e.min_amount_rial), 1)
            .replacen("{}", &number(e.max_amount_rial), 1),
        per_job_message: f.limit_per_job.replacen("{}", &number(per_job), 1),
        jobs_message: f.limit_jobs.replacen("{}", &number(e.min_jobs), 1),
        min_amount: e.min_amount_rial,
        max_amount: e.max_amount_rial,
        max_per_job: per_job,
        jobs_min: e.min_jobs,
        code,
        name,
    }
}

/// The programs' names (for the select) and limits, as the reader may read them.
async fn programs(
    state: &AppState,
    principal: &Principal,
    layout: &Layout,
) -> Result<
    (
        Vec<(String, String)>,
        Vec<ProgramLimits>,
        HashMap<String, EligibilityRules>,
    ),
    AppError,
> {
    let lang = layout.lang;
    let mut names = Vec::new();
    let mut limits = Vec::new();
    let mut rules = HashMap::new();
    for program in list_programs(&state.store, principal).await? {
        let parsed = parse_rules(&program)?;
        let name = lang.pick(&program.name_fa, &program.name_en).to_owned();
        names.push((program.code.clone(), name.clone()));
        limits.push(limits_of(
            lang,
            layout,
            program.code.clone(),
            name,
            &parsed.eligibility,
            parsed.pricing.term_months,
        ));
        rules.insert(program.code, parsed.eligibility);
    }
    Ok((names, limits, rules))
}

/// Who applies, as the form shows it: a representative's cooperative is fixed; an
/// officer chooses among the cooperatives its search finds in its scope.
async fn applicant(
    state: &AppState,
    principal: &Principal,
    layout: &Layout,
    form: &FormState,
    search: &str,
) -> Result<Applicant, AppError> {
    if let Role::CooperativeRepresentative { cooperative_id, .. } = principal.role {
        let own = cooperatives::get_cooperative(&state.store, principal, cooperative_id).await?;
        return Ok(Applicant::Own {
            id: cooperative_id,
            name: own.fields.name,
        });
    }
    let filter = cooperatives::filter_for_query(search);
    let page =
        cooperatives::list_cooperatives(&state.store, principal, &filter, FOUND_MAX, 0).await?;
    let mut options: Vec<(String, String)> = page
        .cooperatives
        .into_iter()
        .map(|c| (c.id.to_string(), c.fields.name))
        .collect();
    // The cooperative chosen before stays on offer when a new search leaves it out.
    let chosen = form.value("cooperative_id");
    if let Ok(id) = chosen.parse::<i64>()
        && !options.iter().any(|(value, _)| value == chosen)
        && let Ok(found) = cooperatives::get_cooperative(&state.store, principal, id).await
    {
        options.insert(0, (chosen.to_owned(), found.fields.name));
    }
    let f = layout.f;
    let blank = if options.is_empty() {
        f.no_cooperative_found
    } else {
        f.choose
    };
    Ok(Applicant::Chosen {
        search: search.to_owned(),
        choices: Box::new(
            form.field("application", "cooperative_id", f.applying_cooperative)
                .required()
                .select(options, Some(blank))
                .persian_names(),
        ),
    })
}

/// The form's fields but the applicant.
fn fields(layout: &Layout, form: &FormState, programs: Vec<(String, String)>) -> Vec<Field> {
    let (t, f) = (layout.t, layout.f);
    let financings = [Financing::Development, Financing::WorkingCapital]
        .iter()
        .map(|kind| {
            let label = match kind {
                Financing::Development => t.development,
                Financing::WorkingCapital => t.working_capital,
            };
            (kind.code().to_owned(), label.to_owned())
        })
        .collect();
    let prefix = "application";
    vec![
        form.field(prefix, "program", t.program)
            .required()
            .select(programs, None)
            .hint(f.program_limits_hint),
        form.field(prefix, "amount", t.amount_rial)
            .amount()
            .required(),
        form.field(prefix, "jobs", t.jobs).number().required(),
        form.field(prefix, "women_jobs", t.women_jobs).number(),
        form.field(prefix, "financing", t.financing)
            .select(financings, None),
        form.field(prefix, "purpose", t.purpose)
            .text_area()
            .required(),
    ]
}

/// What the page needs besides its fields.
struct Target {
    action: String,
    /// Where a refusal the form cannot show goes back to.
    back: String,
    heading: String,
    version: Option<i64>,
    status: StatusCode,
}

async fn form_page(
    state: &AppState,
    user: &UiUser,
    layout: Layout,
    form: FormState,
    search: &str,
    target: Target,
) -> Response {
    let principal = &user.principal;
    let found = async {
        let (names, limits, _) = programs(state, principal, &layout).await?;
        let applicant = if target.version.is_some() {
            None
        } else {
            Some(applicant(state, principal, &layout, &form, search).await?)
        };
        Ok::<_, AppError>((names, limits, applicant))
    }
    .await;
    let (names, limits, applicant) = match found {
        Ok(found) => found,
        Err(error) => return error_page(layout, &error),
    };
    let page = ApplicationFormPage {
        form_key: form_key::fresh(),
        action: target.action,
        heading: target.heading,
        version: target.version,
        applicant,
        fields: fields(&layout, &form, names),
        limits,
        form_error: form.summary(layout.t.form_has_errors),
        layout,
    };
    (target.status, render(&page)).into_response()
}

/// The form's numbers as typed, and the program's limits they break (on their fields).
fn read_numbers(
    form: &HashMap<String, String>,
    rules: Option<&EligibilityRules>,
    limits: Option<&ProgramLimits>,
) -> Result<(i64, i64, i64), Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut number = |field: &str| {
        typed::whole(field, form.get(field).map_or("", String::as_str))
            .map_err(|error| errors.push(error))
            .ok()
            .flatten()
            .unwrap_or(0)
    };
    let (amount, jobs, women_jobs) = (number("amount"), number("jobs"), number("women_jobs"));
    if let (Some(rules), Some(limits), true) = (rules, limits, errors.is_empty()) {
        for unmet in request_limits(rules, amount, jobs) {
            let (field, message) = match unmet.code {
                "jobs_min" => ("jobs", &limits.jobs_message),
                "amount_per_job" => ("amount", &limits.per_job_message),
                _ => ("amount", &limits.amount_message),
            };
            errors.push(FieldError::new(field, unmet.code, message, message));
        }
    }
    if errors.is_empty() {
        Ok((amount, jobs, women_jobs))
    } else {
        Err(errors)
    }
}

fn input_of(
    form: &HashMap<String, String>,
    (amount, jobs, women_jobs): (i64, i64, i64),
) -> ApplicationInput {
    let text = |name: &str| form.get(name).cloned().unwrap_or_default();
    ApplicationInput {
        program: text("program"),
        cooperative_id: form
            .get("cooperative_id")
            .and_then(|id| id.trim().parse().ok()),
        client_id: None,
        amount_rial: amount,
        jobs,
        women_jobs,
        purpose: text("purpose"),
        financing: form.get("financing").cloned().filter(|f| !f.is_empty()),
        county: None,
        sector: None,
    }
}

/// The numbers checked against the chosen program's limits, or the errors.
async fn checked(
    state: &AppState,
    principal: &Principal,
    layout: &Layout,
    form: &HashMap<String, String>,
) -> Result<Result<(i64, i64, i64), Vec<FieldError>>, AppError> {
    let (_, limits, rules) = programs(state, principal, layout).await?;
    let program = form.get("program").map_or("", String::as_str);
    let limits = limits.iter().find(|l| l.code == program);
    Ok(read_numbers(form, rules.get(program), limits))
}

pub async fn new_form(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let mut layout = layout(&parts, parts_text(&parts).new_application, Some(&user)).await;
    let t = layout.t;
    layout.trail(
        &[(t.applications_title, "/applications")],
        t.new_application,
    );
    if !drafts_applications(&user.principal.role) {
        return error_page(layout, &AppError::Forbidden);
    }
    let search = query.get("q").cloned().unwrap_or_default();
    let form = FormState::with_values(query);
    let target = Target {
        action: "/applications/new".into(),
        back: "/applications/new".into(),
        heading: layout.t.new_application.to_owned(),
        version: None,
        status: StatusCode::OK,
    };
    form_page(&state, &user, layout, form, &search, target).await
}

pub async fn new_submit(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    CsrfForm(mut form): CsrfForm<HashMap<String, String>>,
) -> Response {
    let title = parts_text(&parts).new_application;
    let page_layout = layout(&parts, title, Some(&user)).await;
    if let Role::CooperativeRepresentative { cooperative_id, .. } = user.principal.role {
        form.insert("cooperative_id".into(), cooperative_id.to_string());
    }
    let submission = Submission::of(&parts, &form);
    let done = match checked(&state, &user.principal, &page_layout, &form).await {
        Err(error) => Err(error),
        Ok(Err(errors)) => Err(AppError::Invalid(errors)),
        Ok(Ok(numbers)) => {
            let input = input_of(&form, numbers);
            applications::create_application(
                &state.store,
                &user.principal,
                &input,
                submission.idempotency(),
                clock::now(),
            )
            .await
        }
    };
    let target = Target {
        action: "/applications/new".into(),
        back: "/applications/new".into(),
        heading: page_layout.t.new_application.to_owned(),
        version: None,
        status: StatusCode::UNPROCESSABLE_ENTITY,
    };
    let search = form.get("q").cloned().unwrap_or_default();
    finish(
        &parts,
        &user,
        (&state, page_layout),
        form,
        &search,
        target,
        done,
    )
    .await
}

/// Back to the application with what was done; the form again as typed when a field was
/// refused; the reason on the form for any other refusal it can say.
async fn finish(
    parts: &axum::http::request::Parts,
    user: &UiUser,
    (state, layout): (&AppState, Layout),
    form: HashMap<String, String>,
    search: &str,
    target: Target,
    done: Result<Application, AppError>,
) -> Response {
    let lang = layout.lang;
    let f = layout.f;
    match done {
        Ok(application) => {
            let to = format!("/applications/{}", application.id);
            let success = if target.version.is_some() {
                f.done_revised
            } else {
                layout.t.done_application
            };
            answer::outcome(parts, user, &layout.title, &to, success, Ok(())).await
        }
        Err(AppError::Invalid(errors)) => {
            let state_of = FormState::refused(lang, form, &errors, &[("amount_rial", "amount")]);
            form_page(state, user, layout, state_of, search, target).await
        }
        Err(AppError::NotFound) if target.version.is_none() => {
            let message = f.cooperative_out_of_scope;
            let errors = [FieldError::new(
                "cooperative_id",
                "out_of_scope",
                message,
                message,
            )];
            let state_of = FormState::refused(lang, form, &errors, &[]);
            form_page(state, user, layout, state_of, search, target).await
        }
        Err(error) => answer::refused(parts, user, &layout.title, &target.back, &error).await,
    }
}

/// The values a revision starts from: the application as recorded.
fn recorded(lang: Lang, application: &Application) -> HashMap<String, String> {
    let f = &application.fields;
    HashMap::from([
        ("program".to_owned(), f.program.clone()),
        ("amount".to_owned(), lang.number(f.amount_rial)),
        ("jobs".to_owned(), lang.number(f.jobs)),
        ("women_jobs".to_owned(), lang.number(f.women_jobs)),
        ("financing".to_owned(), f.financing.code().to_owned()),
        ("purpose".to_owned(), f.purpose.clone()),
    ])
}

fn revision_target(layout: &Layout, id: i64, version: i64, status: StatusCode) -> Target {
    Target {
        action: format!("/applications/{id}/edit"),
        back: format!("/applications/{id}"),
        heading: format!(
            "{} {}{}",
            layout.f.edit_application,
            layout.t.number_sign,
            layout.lang.id(id)
        ),
        version: Some(version),
        status,
    }
}

/// The form to revise a draft, or an application found ineligible, as recorded; only
/// for its applicant's side (`may_revise`).
pub async fn edit_form(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    Path(id): Path<i64>,
) -> Response {
    let mut layout = layout(&parts, parts_text(&parts).applications_title, Some(&user)).await;
    let t = layout.t;
    let number = format!("{}{}", t.number_sign, layout.lang.id(id));
    let page = format!("/applications/{id}");
    layout.trail(
        &[
            (t.applications_title, "/applications"),
            (number.as_str(), page.as_str()),
        ],
        layout.f.edit_application,
    );
    let detail =
        match applications::application_detail(&state.store, &user.principal, id, clock::now())
            .await
        {
            Ok(detail) if detail.may_revise => detail,
            Ok(_) => return error_page(layout, &AppError::Forbidden),
            Err(error) => return error_page(layout, &error),
        };
    let application = &detail.application;
    let form = FormState::with_values(recorded(layout.lang, application));
    let target = revision_target(&layout, id, application.version, StatusCode::OK);
    form_page(&state, &user, layout, form, "", target).await
}

pub async fn edit_submit(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<HashMap<String, String>>,
) -> Response {
    let page_layout = layout(&parts, parts_text(&parts).applications_title, Some(&user)).await;
    let version = form
        .get("version")
        .and_then(|v| v.parse().ok())
        .unwrap_or_default();
    let submission = Submission::of(&parts, &form);
    let done = match checked(&state, &user.principal, &page_layout, &form).await {
        Err(error) => Err(error),
        Ok(Err(errors)) => Err(AppError::Invalid(errors)),
        Ok(Ok(numbers)) => {
            let input = input_of(&form, numbers);
            applications::revise_application(
                &state.store,
                &user.principal,
                id,
                version,
                &input,
                submission.idempotency(),
                clock::now(),
            )
            .await
        }
    };
    let target = revision_target(&page_layout, id, version, StatusCode::UNPROCESSABLE_ENTITY);
    finish(&parts, &user, (&state, page_layout), form, "", target, done).await
}
