//! A program defined or changed from the UI: its window and default bank, who may apply
//! (applicant kinds, sectors, county tiers, amounts, jobs), pricing by county tier, the
//! quotas and sector caps, and the priority score's weights. Through the same use cases
//! as the API (`programs::create_program`, `programs::update_program`), each form keyed by
//! its rendering's `form_key`; the form's fields are named by their path in the rule
//! document (`rules.pricing.term_months`), so the use case's errors land on them.
//!
//! Each province's priority sectors are kept as recorded (they are set through the API).

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use taavon_app::programs::{self, ProgramInput};
use taavon_app::rows::Program;
use taavon_app::{AppError, FieldError, clock, reference};
use taavon_core::access::{self, Action, Decision, Principal, Resource};
use taavon_core::loans::product::ContractType;
use taavon_core::programs::scoring::ScoringWeights;
use taavon_core::programs::{
    ApplicantKind, EligibilityRules, FundingSource, PricingRules, ProgramRules, QuotaRules,
};

use super::Layout;
use super::answer;
use super::csrf::CsrfForm;
use super::fields::Field;
use super::form_key::{self, Submission};
use super::form_state::{FormState, render_form};
use super::format;
use super::i18n::Lang;
use super::names;
use super::page::{PageParts, error_page, layout, parts_text};
use super::program_text::ProgramFormText;
use super::typed;
use crate::auth::UiUser;
use crate::state::AppState;

/// Whether `principal` may define new programs (the list's "new" button).
pub fn may_create(principal: &Principal) -> bool {
    access::decide(Some(principal), Action::Create, Resource::Program) == Decision::Allow
}

/// A titled group of fields and groups of check boxes; `error` is the use case's reason
/// about the section as a whole (the rates of all four tiers, the sector caps together).
struct Section {
    title: &'static str,
    hint: &'static str,
    error: String,
    fields: Vec<Field>,
    checks: Vec<CheckGroup>,
}

struct CheckGroup {
    id: String,
    legend: &'static str,
    hint: &'static str,
    error: String,
    boxes: Vec<Field>,
}

#[derive(Template)]
#[template(path = "program_form.html")]
struct ProgramFormPage {
    layout: Layout,
    w: &'static ProgramFormText,
    form_key: String,
    action: String,
    heading: String,
    /// The program's code when it is being changed (fixed then), empty for a new one.
    code: String,
    version: i64,
    sections: Vec<Section>,
    error: String,
}

/// The form's names of the rule document's check-box groups: each box is
/// `{group}.{code}`, the group's own name carries the use case's error.
const KINDS: &str = "rules.eligibility.applicant_kinds";
const SECTORS: &str = "rules.eligibility.sectors";
const TIERS: &str = "rules.eligibility.tiers";
const CAPS: &str = "rules.quotas.sector_caps_bp";
const RATES: &str = "rules.pricing.profit_rate_bp_by_tier";

/// The form's values for `program` as it stands (what the edit form shows first).
fn values_of(lang: Lang, program: &Program, rules: &ProgramRules) -> HashMap<String, String> {
    let mut values = HashMap::new();
    let mut put = |name: String, value: String| {
        values.insert(name, value);
    };
    put("code".into(), program.code.clone());
    put(
        "funding_source".into(),
        program.funding_source.code().into(),
    );
    put("name_fa".into(), program.name_fa.clone());
    put("name_en".into(), program.name_en.clone());
    put(
        "opens_on".into(),
        format::date_input(lang, &program.opens_on),
    );
    put(
        "closes_on".into(),
        format::date_input(lang, &program.closes_on),
    );
    put(
        "bank".into(),
        program
            .bank
            .as_ref()
            .map(|bank| bank.as_str().to_owned())
            .unwrap_or_default(),
    );
    let e = &rules.eligibility;
    for kind in &e.applicant_kinds {
        put(format!("{KINDS}.{kind}"), "1".into());
    }
    for sector in &e.sectors {
        put(format!("{SECTORS}.{sector}"), "1".into());
    }
    for tier in &e.tiers {
        put(format!("{TIERS}.{tier}"), "1".into());
    }
    let amount = |rial: i64| lang.number(rial);
    put(
        "rules.eligibility.min_amount_rial".into(),
        amount(e.min_amount_rial),
    );
    put(
        "rules.eligibility.max_amount_rial".into(),
        amount(e.max_amount_rial),
    );
    put(
        "rules.eligibility.max_amount_per_job_rial".into(),
        e.max_amount_per_job_rial.map(amount).unwrap_or_default(),
    );
    put("rules.eligibility.min_jobs".into(), lang.number(e.min_jobs));
    let p = &rules.pricing;
    let percent = |bp: u32| format::rate(lang, i64::from(bp));
    for (tier, bp) in p.profit_rate_bp_by_tier.iter().enumerate() {
        put(format!("{RATES}[{tier}]"), percent(*bp));
    }
    let months = |m: u32| lang.number(i64::from(m));
    put("rules.pricing.term_months".into(), months(p.term_months));
    put("rules.pricing.grace_months".into(), months(p.grace_months));
    put(
        "rules.pricing.contract_type".into(),
        p.contract_type.clone(),
    );
    put(
        "rules.pricing.reschedule_months_max".into(),
        p.reschedule_months_max.map(months).unwrap_or_default(),
    );
    put(
        "rules.pricing.reschedule_rate_bp_min".into(),
        p.reschedule_rate_bp_min.map(percent).unwrap_or_default(),
    );
    let q = &rules.quotas;
    put(
        "rules.quotas.women_led_share_bp".into(),
        percent(q.women_led_share_bp),
    );
    put(
        "rules.quotas.deprived_share_bp".into(),
        percent(q.deprived_share_bp),
    );
    for (sector, bp) in &q.sector_caps_bp {
        put(format!("{CAPS}.{sector}"), percent(*bp));
    }
    values.extend(score_values(lang, &rules.scoring));
    values
}

/// The score's fields as the form shows them: each weight, and the cost per job for
/// full marks.
fn score_values(lang: Lang, scoring: &ScoringWeights) -> [(String, String); 6] {
    let weight = |name: &str, points: u32| {
        (
            format!("rules.scoring.{name}"),
            lang.number(i64::from(points)),
        )
    };
    [
        weight("jobs_per_rial", scoring.jobs_per_rial),
        weight("tier", scoring.tier),
        weight("women_jobs", scoring.women_jobs),
        weight("sector_priority", scoring.sector_priority),
        weight("development", scoring.development),
        (
            "rules.scoring.full_marks_rial_per_job".into(),
            lang.number(scoring.full_marks_rial_per_job),
        ),
    ]
}

/// A new program's first values: the default score and a cooperative applicant.
fn new_values(lang: Lang) -> HashMap<String, String> {
    let mut values: HashMap<String, String> = score_values(lang, &ScoringWeights::default()).into();
    values.insert(format!("{KINDS}.cooperative"), "1".into());
    values.insert("rules.pricing.grace_months".into(), lang.number(0));
    values.insert("rules.eligibility.min_jobs".into(), lang.number(0));
    values
}

/// The form read back into a program's input: every number as typed (any digits,
/// separators), each one it could not read named.
fn input_of(
    form: &HashMap<String, String>,
    code: String,
    sectors: &[String],
    kept: Option<&Program>,
) -> Result<ProgramInput, Vec<FieldError>> {
    let mut read = Reader {
        form,
        errors: Vec::new(),
    };
    let ticked = |group: &str, codes: &mut dyn Iterator<Item = String>| -> Vec<String> {
        codes
            .filter(|code| {
                form.get(&format!("{group}.{code}"))
                    .is_some_and(|v| v == "1")
            })
            .collect()
    };
    let applicant_kinds = ticked(
        KINDS,
        &mut ApplicantKind::ALL.iter().map(|k| k.code().into()),
    );
    let chosen_sectors = ticked(SECTORS, &mut sectors.iter().cloned());
    let tiers = ticked(TIERS, &mut (1..=4).map(|tier: u8| tier.to_string()))
        .iter()
        .filter_map(|tier| tier.parse().ok())
        .collect();
    let eligibility = EligibilityRules {
        applicant_kinds,
        sectors: chosen_sectors,
        tiers,
        min_amount_rial: read.whole("rules.eligibility.min_amount_rial", true),
        max_amount_rial: read.whole("rules.eligibility.max_amount_rial", true),
        max_amount_per_job_rial: read.optional_whole("rules.eligibility.max_amount_per_job_rial"),
        min_jobs: read.whole("rules.eligibility.min_jobs", false),
    };
    let mut rates = [0; 4];
    for (tier, rate) in rates.iter_mut().enumerate() {
        *rate = read.percent(&format!("{RATES}[{tier}]"), true).unwrap_or(0);
    }
    let pricing = PricingRules {
        profit_rate_bp_by_tier: rates,
        term_months: read.count("rules.pricing.term_months", true).unwrap_or(0),
        grace_months: read.count("rules.pricing.grace_months", false).unwrap_or(0),
        contract_type: read.text("rules.pricing.contract_type"),
        reschedule_months_max: read.count("rules.pricing.reschedule_months_max", false),
        reschedule_rate_bp_min: read.percent("rules.pricing.reschedule_rate_bp_min", false),
    };
    let quotas = QuotaRules {
        women_led_share_bp: read
            .percent("rules.quotas.women_led_share_bp", false)
            .unwrap_or(0),
        deprived_share_bp: read
            .percent("rules.quotas.deprived_share_bp", false)
            .unwrap_or(0),
        sector_caps_bp: sectors
            .iter()
            .filter_map(|sector| {
                read.percent(&format!("{CAPS}.{sector}"), false)
                    .map(|bp| (sector.clone(), bp))
            })
            .collect(),
    };
    let mut weight = |name: &str| {
        read.count(&format!("rules.scoring.{name}"), true)
            .unwrap_or(0)
    };
    let scoring = ScoringWeights {
        jobs_per_rial: weight("jobs_per_rial"),
        tier: weight("tier"),
        women_jobs: weight("women_jobs"),
        sector_priority: weight("sector_priority"),
        development: weight("development"),
        full_marks_rial_per_job: read.whole("rules.scoring.full_marks_rial_per_job", true),
    };
    // Kept as recorded: the form does not show them.
    let sector_priorities = kept
        .and_then(|program| programs::parse_rules(program).ok())
        .map(|rules| rules.sector_priorities)
        .unwrap_or_default();
    let rules = ProgramRules {
        eligibility,
        pricing,
        quotas,
        scoring,
        sector_priorities,
    };
    if !read.errors.is_empty() {
        return Err(read.errors);
    }
    let rules = serde_json::to_value(&rules).map_err(|error| {
        vec![FieldError::new(
            "form",
            "format",
            "قواعد برنامه نوشته نشد.",
            &format!("The rules could not be written: {error}"),
        )]
    })?;
    Ok(ProgramInput {
        code,
        funding_source: read.text("funding_source"),
        name_fa: read.text("name_fa"),
        name_en: read.text("name_en"),
        opens_on: read.text("opens_on"),
        closes_on: read.text("closes_on"),
        rules,
        tier_classification_id: kept.and_then(|program| program.tier_classification_id),
        bank: typed::given(form, "bank"),
    })
}

/// Reads a form's fields as numbers, keeping each error.
struct Reader<'a> {
    form: &'a HashMap<String, String>,
    errors: Vec<FieldError>,
}

impl Reader<'_> {
    fn text(&self, name: &str) -> String {
        self.form.get(name).cloned().unwrap_or_default()
    }

    fn kept<T>(
        &mut self,
        read: Result<Option<T>, FieldError>,
        name: &str,
        required: bool,
    ) -> Option<T> {
        match read {
            Ok(None) if required => {
                self.errors.push(FieldError::new(
                    name,
                    "required",
                    "این خانه را پر کنید.",
                    "Fill in this field.",
                ));
                None
            }
            Ok(value) => value,
            Err(error) => {
                self.errors.push(error);
                None
            }
        }
    }

    fn optional_whole(&mut self, name: &str) -> Option<i64> {
        self.kept(typed::whole(name, &self.text(name)), name, false)
    }

    /// A whole number (0 when blank and not required).
    fn whole(&mut self, name: &str, required: bool) -> i64 {
        self.kept(typed::whole(name, &self.text(name)), name, required)
            .unwrap_or(0)
    }

    /// A whole number of months or points: 0 or more.
    fn count(&mut self, name: &str, required: bool) -> Option<u32> {
        let value = self.kept(typed::whole(name, &self.text(name)), name, required)?;
        self.in_range(name, value)
    }

    /// A percentage in basis points: 0 or more.
    fn percent(&mut self, name: &str, required: bool) -> Option<u32> {
        let value = self.kept(typed::percent_bp(name, &self.text(name)), name, required)?;
        self.in_range(name, value)
    }

    fn in_range(&mut self, name: &str, value: i64) -> Option<u32> {
        let fits = u32::try_from(value).ok();
        if fits.is_none() {
            self.errors.push(FieldError::new(
                name,
                "range",
                "عددی از صفر به بالا بنویسید.",
                "Write a number of zero or more.",
            ));
        }
        fits
    }
}

/// What the form is for: a new program, or a change to `code` at `version`.
enum Target {
    New,
    Change { code: String, version: i64 },
}

async fn form_page(
    state: &AppState,
    user: &UiUser,
    layout: Layout,
    target: Target,
    refused: Option<FormState>,
) -> Response {
    let (lang, w) = (layout.lang, layout.lang.program_form());
    let found = async {
        let tables = reference::name_tables(&state.store, Some(&user.principal)).await?;
        let banks = reference::banks(&state.store, Some(&user.principal)).await?;
        let detail = match &target {
            Target::New => None,
            Target::Change { code, .. } => {
                Some(programs::program_detail(&state.store, &user.principal, code).await?)
            }
        };
        Ok::<_, AppError>((tables, banks, detail))
    }
    .await;
    let (tables, banks, detail) = match found {
        Ok(found) => found,
        Err(error) => return error_page(layout, &error),
    };
    let refused_form = refused.is_some();
    let form = refused.unwrap_or_else(|| {
        FormState::with_values(match &detail {
            Some(detail) => values_of(lang, &detail.program, &detail.rules),
            None => new_values(lang),
        })
    });
    let t = layout.t;
    let field = |name: &str, label: &str| form.field("", name, label);
    let checks = |group: &str, legend, hint, boxes: Vec<(String, String)>| CheckGroup {
        id: group.replace('.', "-"),
        legend,
        hint,
        error: form.error(group).to_owned(),
        boxes: boxes
            .into_iter()
            .map(|(code, label)| field(&format!("{group}.{code}"), &label).check())
            .collect(),
    };
    let sector_names: Vec<(String, String)> = tables
        .sectors
        .iter()
        .map(|s| (s.code.clone(), lang.pick(&s.name_fa, &s.name_en).to_owned()))
        .collect();
    let mut definition = Vec::new();
    if matches!(target, Target::New) {
        definition.push(field("code", w.code).ltr().required().hint(w.code_hint));
    }
    definition.extend([
        field("name_fa", w.name_fa).required(),
        field("name_en", w.name_en).required(),
        field("funding_source", t.funding_source)
            .select(
                FundingSource::ALL
                    .iter()
                    .map(|s| {
                        (
                            s.code().to_owned(),
                            lang.pick(s.name_fa(), s.name_en()).to_owned(),
                        )
                    })
                    .collect(),
                None,
            )
            .required(),
        field("opens_on", w.opens_on)
            .date(t.calendar)
            .required()
            .hint(t.date_hint),
        field("closes_on", w.closes_on)
            .date(t.calendar)
            .required()
            .hint(t.date_hint),
        field("bank", w.default_bank).select(
            banks
                .iter()
                .map(|b| (b.bank.code.clone(), names::bank(lang, &b.bank.code)))
                .collect(),
            Some(w.no_bank),
        ),
    ]);
    let sections = vec![
        Section {
            title: w.definition,
            hint: "",
            error: String::new(),
            fields: definition,
            checks: Vec::new(),
        },
        Section {
            title: w.eligibility,
            hint: "",
            error: String::new(),
            fields: vec![
                field("rules.eligibility.min_amount_rial", w.min_amount)
                    .amount()
                    .required(),
                field("rules.eligibility.max_amount_rial", w.max_amount)
                    .amount()
                    .required(),
                field("rules.eligibility.max_amount_per_job_rial", w.max_per_job)
                    .amount()
                    .hint(w.max_per_job_hint),
                field("rules.eligibility.min_jobs", t.min_jobs).number(),
            ],
            checks: vec![
                checks(
                    KINDS,
                    t.applicant_kinds,
                    "",
                    ApplicantKind::ALL
                        .iter()
                        .map(|k| (k.code().to_owned(), names::applicant_kind(lang, k.code())))
                        .collect(),
                ),
                checks(SECTORS, w.sectors, w.sectors_hint, sector_names.clone()),
                checks(
                    TIERS,
                    w.tiers,
                    w.tiers_hint,
                    (1..)
                        .zip(w.tier_n)
                        .map(|(tier, name): (u8, _)| (tier.to_string(), name.to_owned()))
                        .collect(),
                ),
            ],
        },
        Section {
            title: w.pricing,
            hint: w.rate_hint,
            error: form.error(RATES).to_owned(),
            fields: w
                .rate_tier
                .iter()
                .enumerate()
                .map(|(tier, label)| {
                    field(&format!("{RATES}[{tier}]"), label)
                        .number()
                        .required()
                })
                .chain([
                    field("rules.pricing.term_months", w.term_months)
                        .number()
                        .required(),
                    field("rules.pricing.grace_months", w.grace_months).number(),
                    field("rules.pricing.contract_type", t.contract_type)
                        .select(
                            ContractType::ALL
                                .iter()
                                .map(|c| (c.code().to_owned(), names::contract_type(lang, *c)))
                                .collect(),
                            None,
                        )
                        .required(),
                    field(
                        "rules.pricing.reschedule_months_max",
                        w.reschedule_months_max,
                    )
                    .number()
                    .hint(w.optional_hint),
                    field(
                        "rules.pricing.reschedule_rate_bp_min",
                        w.reschedule_rate_min,
                    )
                    .number()
                    .hint(w.optional_hint),
                ])
                .collect(),
            checks: Vec::new(),
        },
        Section {
            title: w.quotas,
            hint: w.percent_hint,
            error: form.error(CAPS).to_owned(),
            fields: [
                field("rules.quotas.women_led_share_bp", t.women_share).number(),
                field("rules.quotas.deprived_share_bp", t.deprived_share).number(),
            ]
            .into_iter()
            .chain(sector_names.iter().map(|(code, name)| {
                field(
                    &format!("{CAPS}.{code}"),
                    &format!("{}: {name}", w.sector_caps),
                )
                .number()
                .hint(w.sector_caps_hint)
            }))
            .collect(),
            checks: Vec::new(),
        },
        Section {
            title: w.scoring,
            hint: w.scoring_hint,
            error: String::new(),
            fields: [
                ("jobs_per_rial", w.weight_jobs),
                ("tier", w.weight_tier),
                ("women_jobs", w.weight_women),
                ("sector_priority", w.weight_priority),
                ("development", w.weight_development),
            ]
            .into_iter()
            .map(|(name, label)| {
                field(&format!("rules.scoring.{name}"), label)
                    .number()
                    .required()
            })
            .chain(
                [field("rules.scoring.full_marks_rial_per_job", w.full_marks)
                    .amount()
                    .required()],
            )
            .collect(),
            checks: Vec::new(),
        },
    ];
    let mut layout = layout;
    let (action, heading, code, version) = match (&target, &detail) {
        (Target::Change { code, version }, Some(detail)) => {
            let name = lang.pick(&detail.program.name_fa, &detail.program.name_en);
            let program = format!("/programs/{code}");
            layout.trail(
                &[(t.programs_title, "/programs"), (name, program.as_str())],
                w.edit_program,
            );
            (
                format!("/programs/{code}/edit"),
                format!("{}: {name}", w.edit_program),
                code.clone(),
                // A refused change keeps the version it was made against.
                if refused_form {
                    *version
                } else {
                    detail.program.version
                },
            )
        }
        _ => {
            layout.trail(&[(t.programs_title, "/programs")], w.new_program);
            (
                "/programs/new".to_owned(),
                w.new_program.to_owned(),
                String::new(),
                0,
            )
        }
    };
    let page = ProgramFormPage {
        w,
        form_key: form_key::fresh(),
        action,
        heading,
        code,
        version,
        sections,
        error: form.summary(t.form_has_errors),
        layout,
    };
    render_form(&page, refused_form)
}

pub async fn new_form(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
) -> Response {
    let w = Lang::of(&parts).program_form();
    let layout = layout(&parts, w.new_program, Some(&user)).await;
    if !may_create(&user.principal) {
        return error_page(layout, &AppError::Forbidden);
    }
    form_page(&state, &user, layout, Target::New, None).await
}

pub async fn edit_form(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    Path(code): Path<String>,
) -> Response {
    let w = Lang::of(&parts).program_form();
    let layout = layout(&parts, w.edit_program, Some(&user)).await;
    if !super::budgets::may_edit(&user.principal) {
        return error_page(layout, &AppError::Forbidden);
    }
    let target = Target::Change { code, version: 0 };
    form_page(&state, &user, layout, target, None).await
}

pub async fn new_submit(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    CsrfForm(form): CsrfForm<HashMap<String, String>>,
) -> Response {
    let code = form
        .get("code")
        .map(|c| c.trim().to_owned())
        .unwrap_or_default();
    submit(state, parts, user, form, Target::New, code).await
}

pub async fn edit_submit(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    Path(code): Path<String>,
    CsrfForm(form): CsrfForm<HashMap<String, String>>,
) -> Response {
    let version = form
        .get("version")
        .and_then(|version| version.trim().parse().ok())
        .unwrap_or(0);
    let target = Target::Change {
        code: code.clone(),
        version,
    };
    submit(state, parts, user, form, target, code).await
}

async fn submit(
    state: AppState,
    parts: axum::http::request::Parts,
    user: UiUser,
    form: HashMap<String, String>,
    target: Target,
    code: String,
) -> Response {
    let w = Lang::of(&parts).program_form();
    let title = match target {
        Target::New => w.new_program,
        Target::Change { .. } => w.edit_program,
    };
    let found = async {
        let tables = reference::name_tables(&state.store, Some(&user.principal)).await?;
        let kept = match &target {
            Target::New => None,
            Target::Change { code, .. } => Some(
                programs::program_detail(&state.store, &user.principal, code)
                    .await?
                    .program,
            ),
        };
        Ok::<_, AppError>((tables, kept))
    }
    .await;
    let (tables, kept) = match found {
        Ok(found) => found,
        Err(error) => return error_page(layout(&parts, title, Some(&user)).await, &error),
    };
    let sectors: Vec<String> = tables.sectors.into_iter().map(|s| s.code).collect();
    let submission = Submission::of(&parts, &form);
    let done = match input_of(&form, code.clone(), &sectors, kept.as_ref()) {
        Err(errors) => Err(AppError::Invalid(errors)),
        Ok(input) => match &target {
            Target::New => {
                programs::create_program(
                    &state.store,
                    &user.principal,
                    &input,
                    submission.idempotency(),
                    clock::now(),
                )
                .await
            }
            Target::Change { version, .. } => {
                programs::update_program(
                    &state.store,
                    &user.principal,
                    &input,
                    *version,
                    submission.idempotency(),
                    clock::now(),
                )
                .await
            }
        },
    };
    match done {
        Err(AppError::Invalid(errors)) => {
            let layout = layout(&parts, title, Some(&user)).await;
            let mut values = form;
            // A group's error shows on the group, so its name is one of the form's.
            for group in [KINDS, SECTORS, TIERS, RATES, CAPS] {
                values.entry(group.to_owned()).or_default();
            }
            let refused = FormState::refused(layout.lang, values, &errors, &[]);
            form_page(&state, &user, layout, target, Some(refused)).await
        }
        done => {
            let success = match target {
                Target::New => w.done_created,
                Target::Change { .. } => w.done_updated,
            };
            let to = done
                .as_ref()
                .map(|program| format!("/programs/{}", program.code))
                .unwrap_or_else(|_| match &target {
                    Target::New => "/programs/new".to_owned(),
                    Target::Change { code, .. } => format!("/programs/{code}/edit"),
                });
            answer::outcome(
                &parts,
                &user,
                parts_text(&parts).programs_title,
                &to,
                success,
                done,
            )
            .await
        }
    }
}
