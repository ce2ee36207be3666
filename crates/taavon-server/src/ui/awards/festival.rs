//! The festivals' list, the ministry's new festival form (Jalali windows from the picker,
//! the categories with their quotas, the criteria's weights, the eligibility and
//! assignment settings), and one festival's page: its categories and rules, its two
//! rounds with the ministry's moves (each asked first: none can be undone), and the entry
//! form — a representative enters its own cooperative, an officer or the ministry
//! nominates one — with the cooperative's eligibility and its reasons shown before.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use taavon_app::awards::{
    self, AwardFestival, CategoryInput, CriterionInput, EntryInput, FestivalInput, RoundMove,
};
use taavon_app::{AppError, clock, cooperatives};
use taavon_core::access::{Principal, Role, keeps_festivals};
use taavon_core::awards::criteria::Criterion;
use taavon_core::awards::festival::{Category, RoundAction, RoundKind, RoundState};
use taavon_core::calendar::JalaliDate;

use super::{Words, words, year_text};
use crate::auth::UiUser;
use crate::state::AppState;
use crate::ui::csrf::CsrfForm;
use crate::ui::fields::Field;
use crate::ui::form_key::{self, Submission};
use crate::ui::form_state::{FormState, answer_form, render_form};
use crate::ui::i18n::Lang;
use crate::ui::page::{PageParts, error_page, layout};
use crate::ui::table::query::TableRequest;
use crate::ui::table::{Cell, ColumnSpec, DataTable, LISTED, Row, sortable};
use crate::ui::{Layout, answer, format, names, render};

/// This file's own words.
struct Own {
    new_festival: &'static str,
    create: &'static str,
    created: &'static str,
    entry_opens: &'static str,
    entry_closes: &'static str,
    judging_opens: &'static str,
    judging_closes: &'static str,
    judges_per_entry: &'static str,
    load_max: &'static str,
    registry_fresh_months: &'static str,
    registered_months_min: &'static str,
    rules: &'static str,
    categories: &'static str,
    take_part: &'static str,
    provincial_quota: &'static str,
    national_quota: &'static str,
    criteria: &'static str,
    weight_of: &'static str,
    rounds: &'static str,
    confirm_move: &'static str,
    moved: &'static str,
    enter_title: &'static str,
    nominate_title: &'static str,
    enter: &'static str,
    entered: &'static str,
    check: &'static str,
    eligible_now: &'static str,
    not_eligible_now: &'static str,
    entries_closed: &'static str,
    choose: &'static str,
    months: &'static str,
    form_has_errors: &'static str,
    results_public: &'static str,
    certificate_check: &'static str,
}

const OWN_FA: Own = Own {
    new_festival: "تعریف جشنواره تازه",
    create: "ثبت جشنواره",
    created: "جشنواره ثبت شد.",
    entry_opens: "آغاز ثبت‌نام",
    entry_closes: "پایان ثبت‌نام",
    judging_opens: "آغاز داوری",
    judging_closes: "پایان داوری",
    judges_per_entry: "شمار داوران هر پرونده",
    load_max: "بیشترین پرونده‌های هر داور",
    registry_fresh_months: "تازگی داده‌های ثبتی (ماه)",
    registered_months_min: "کمترین سابقه ثبت (ماه)",
    rules: "قواعد جشنواره",
    categories: "رشته‌ها و سهمیه‌ها",
    take_part: "این رشته در جشنواره باشد",
    provincial_quota: "سهمیه برگزیدگان هر استان",
    national_quota: "سهمیه برگزیدگان ملی",
    criteria: "معیارهای داوری و وزن آن‌ها",
    weight_of: "وزن معیار",
    rounds: "دورهای جشنواره",
    confirm_move: "این کار بازگشت‌پذیر نیست. ادامه می‌دهید؟",
    moved: "وضعیت دور جشنواره تغییر کرد.",
    enter_title: "ثبت‌نام تعاونی در جشنواره",
    nominate_title: "معرفی تعاونی به جشنواره",
    enter: "ثبت پرونده",
    entered: "پرونده جشنواره ثبت شد.",
    check: "بررسی شرایط",
    eligible_now: "این تعاونی امروز شرایط شرکت در جشنواره را دارد.",
    not_eligible_now: "این تعاونی امروز شرایط شرکت را ندارد؛ پرونده ثبت می‌شود ولی داوری نمی‌شود:",
    entries_closed: "ثبت‌نام این جشنواره باز نیست.",
    choose: "انتخاب کنید",
    months: "ماه",
    form_has_errors: "برخی خانه‌ها نیاز به اصلاح دارند.",
    results_public: "نتایج منتشرشده",
    certificate_check: "استعلام گواهی",
};

const OWN_EN: Own = Own {
    new_festival: "Set up a festival",
    create: "Create the festival",
    created: "The festival was created.",
    entry_opens: "Entries open",
    entry_closes: "Entries close",
    judging_opens: "Judging opens",
    judging_closes: "Judging closes",
    judges_per_entry: "Judges per entry",
    load_max: "Most entries per judge",
    registry_fresh_months: "Registry data fresh within (months)",
    registered_months_min: "Registered at least (months)",
    rules: "The festival's rules",
    categories: "Categories and quotas",
    take_part: "This category is in the festival",
    provincial_quota: "Winners per province",
    national_quota: "National winners",
    criteria: "Judging criteria and their weights",
    weight_of: "Weight of",
    rounds: "The festival's rounds",
    confirm_move: "This cannot be undone. Go on?",
    moved: "The round was moved on.",
    enter_title: "Enter the cooperative",
    nominate_title: "Nominate a cooperative",
    enter: "Enter",
    entered: "The entry was recorded.",
    check: "Check eligibility",
    eligible_now: "The cooperative is eligible today.",
    not_eligible_now: "The cooperative is not eligible today; the entry is recorded but not judged:",
    entries_closed: "The festival takes no entries now.",
    choose: "Choose",
    months: "months",
    form_has_errors: "Some fields need correcting.",
    results_public: "Published results",
    certificate_check: "Check a certificate",
};

fn own(lang: Lang) -> &'static Own {
    match lang {
        Lang::Fa => &OWN_FA,
        Lang::En => &OWN_EN,
    }
}

fn columns(w: &'static Words) -> Vec<ColumnSpec<usize>> {
    vec![
        ColumnSpec::text(w.year).sorted_by("year", 0),
        ColumnSpec::text(w.entry_window),
        ColumnSpec::text(w.judging_window),
        ColumnSpec::text(w.provincial_round),
        ColumnSpec::text(w.national_round),
    ]
}

/// A window's days as the reader reads them.
fn window(lang: Lang, opens: &str, closes: &str) -> String {
    let to = lang.pick("تا", "to");
    format!(
        "{} {to} {}",
        format::date(lang, opens),
        format::date(lang, closes)
    )
}

#[derive(Template)]
#[template(path = "awards/festivals.html")]
struct ListPage {
    layout: Layout,
    w: &'static Words,
    o: &'static Own,
    may_create: bool,
    table: DataTable,
}

/// `/awards`: every festival, the newest first.
pub async fn overview(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    Query(raw): Query<HashMap<String, String>>,
) -> Response {
    let lang = Lang::of(&parts);
    let (w, o) = (words(lang), own(lang));
    let layout = layout(&parts, w.festivals, Some(&user)).await;
    let specs = columns(w);
    let request = match TableRequest::read("/awards", &raw, &[], &sortable(&specs), LISTED) {
        Ok(request) => request,
        Err(error) => return error_page(layout, &error),
    };
    let festivals = match awards::festivals(&state.store).await {
        Ok(festivals) => festivals,
        Err(error) => return error_page(layout, &error),
    };
    let rows = festivals
        .iter()
        .map(|f| {
            let fields = &f.fields;
            Row::new(vec![
                Cell {
                    value: fields.year.to_string(),
                    ..Cell::text(year_text(lang, fields.year))
                }
                .link(format!("/awards/festivals/{}", fields.year)),
                Cell::text(window(lang, &fields.entry_opens, &fields.entry_closes)),
                Cell::text(window(lang, &fields.judging_opens, &fields.judging_closes)),
                Cell::text(names::award_round_state(lang, f.provincial)),
                Cell::text(names::award_round_state(lang, f.national)),
            ])
        })
        .collect();
    let table = DataTable::whole(lang, w.festivals, &specs, &request, rows);
    if let Some(format) = request.format {
        return table.export(format, "festivals");
    }
    render(&ListPage {
        w,
        o,
        may_create: keeps_festivals(&user.principal),
        table,
        layout,
    })
}

#[derive(Template)]
#[template(path = "awards/festival_new.html")]
struct NewPage {
    layout: Layout,
    o: &'static Own,
    form_key: String,
    rules: Vec<Field>,
    categories: Vec<CategoryFields>,
    criteria: Vec<Field>,
    error: String,
}

struct CategoryFields {
    name: String,
    fields: Vec<Field>,
}

/// The form's fresh values: next days from the business date, the usual categories,
/// criteria and rules.
fn fresh_values(lang: Lang, today: JalaliDate) -> HashMap<String, String> {
    let day = |days: i64| format::date_input(lang, &today.to_iso().add_days(days).to_string());
    let mut values = HashMap::from([
        ("year".to_owned(), today.year().to_string()),
        ("entry_opens".to_owned(), day(1)),
        ("entry_closes".to_owned(), day(30)),
        ("judging_opens".to_owned(), day(31)),
        ("judging_closes".to_owned(), day(60)),
        ("judges_per_entry".to_owned(), "3".to_owned()),
        ("load_max".to_owned(), "20".to_owned()),
        ("registry_fresh_months".to_owned(), "12".to_owned()),
        ("registered_months_min".to_owned(), "12".to_owned()),
    ]);
    for category in Category::defaults() {
        values.insert(format!("{}.on", category.code), "1".to_owned());
        values.insert(
            format!("{}.provincial", category.code),
            category.provincial_quota.to_string(),
        );
        values.insert(
            format!("{}.national", category.code),
            category.national_quota.to_string(),
        );
    }
    for criterion in Criterion::defaults() {
        values.insert(
            format!("weight.{}", criterion.code),
            criterion.weight.to_string(),
        );
    }
    values
}

fn new_page(layout: Layout, form: &FormState, today: JalaliDate) -> Response {
    let lang = layout.lang;
    let o = own(lang);
    let t = lang.text();
    let years = [today.year(), today.year() + 1]
        .iter()
        .map(|y| (y.to_string(), year_text(lang, *y)))
        .collect();
    let p = "festival";
    let date = |name: &str, label: &str| {
        form.field(p, name, label)
            .date(t.calendar)
            .hint(t.date_hint)
            .required()
    };
    let count = |name: &str, label: &str| form.field(p, name, label).number().required();
    let rules = vec![
        form.field(p, "year", words(lang).year)
            .select(years, None)
            .required(),
        date("entry_opens", o.entry_opens),
        date("entry_closes", o.entry_closes),
        date("judging_opens", o.judging_opens),
        date("judging_closes", o.judging_closes),
        count("judges_per_entry", o.judges_per_entry),
        count("load_max", o.load_max),
        count("registry_fresh_months", o.registry_fresh_months),
        count("registered_months_min", o.registered_months_min),
    ];
    let categories = Category::defaults()
        .into_iter()
        .map(|c| CategoryFields {
            name: lang.pick(&c.name_fa, &c.name_en).to_owned(),
            fields: vec![
                form.field(p, &format!("{}.on", c.code), o.take_part)
                    .check(),
                count(&format!("{}.provincial", c.code), o.provincial_quota),
                count(&format!("{}.national", c.code), o.national_quota),
            ],
        })
        .collect();
    let criteria = Criterion::defaults()
        .into_iter()
        .map(|c| {
            let label = format!("{} «{}»", o.weight_of, lang.pick(&c.name_fa, &c.name_en));
            count(&format!("weight.{}", c.code), &label)
        })
        .collect();
    let refused = form.is_refused();
    let page = NewPage {
        o,
        form_key: form_key::fresh(),
        rules,
        categories,
        criteria,
        error: form.summary(o.form_has_errors),
        layout,
    };
    render_form(&page, refused)
}

async fn today(state: &AppState) -> Result<JalaliDate, AppError> {
    taavon_app::loans::business_date(&state.store, clock::now())
        .await
        .map(JalaliDate::from)
}

/// `/awards/festivals/new`: the ministry's form.
pub async fn new_form(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
) -> Response {
    let lang = Lang::of(&parts);
    let (w, o) = (words(lang), own(lang));
    let mut layout = layout(&parts, o.new_festival, Some(&user)).await;
    if !keeps_festivals(&user.principal) {
        return error_page(layout, &AppError::Forbidden);
    }
    layout.trail(&[(w.festivals, "/awards")], o.new_festival);
    let today = match today(&state).await {
        Ok(today) => today,
        Err(error) => return error_page(layout, &error),
    };
    let lang = layout.lang;
    new_page(
        layout,
        &FormState::with_values(fresh_values(lang, today)),
        today,
    )
}

/// A count as typed (any digits), or the reason naming `field`.
fn count_of(form: &HashMap<String, String>, field: &str) -> Result<u32, AppError> {
    let typed = form.get(field).map(String::as_str).unwrap_or("");
    taavon_core::digits::to_ascii_digits(typed.trim())
        .parse::<u32>()
        .map_err(|_| {
            AppError::invalid(
                field,
                "number",
                "این خانه عددی درست و نامنفی می‌خواهد.",
                "This field takes a whole number, zero or more.",
            )
        })
}

/// The festival the form describes; every count not a number is named.
fn festival_input(form: &HashMap<String, String>) -> Result<FestivalInput, AppError> {
    let mut errors = Vec::new();
    let mut count = |field: &str| match count_of(form, field) {
        Ok(n) => n,
        Err(AppError::Invalid(mut refused)) => {
            errors.append(&mut refused);
            0
        }
        Err(_) => 0,
    };
    let criteria: Vec<CriterionInput> = Criterion::defaults()
        .into_iter()
        .map(|c| CriterionInput {
            weight: count(&format!("weight.{}", c.code)),
            code: c.code,
            name_fa: c.name_fa,
            name_en: c.name_en,
        })
        .collect();
    let categories: Vec<CategoryInput> = Category::defaults()
        .into_iter()
        .filter(|c| form.get(&format!("{}.on", c.code)).is_some())
        .map(|c| CategoryInput {
            provincial_quota: count(&format!("{}.provincial", c.code)),
            national_quota: count(&format!("{}.national", c.code)),
            criteria: criteria.clone(),
            code: c.code,
            name_fa: c.name_fa,
            name_en: c.name_en,
        })
        .collect();
    let numbers = [
        "year",
        "judges_per_entry",
        "load_max",
        "registry_fresh_months",
        "registered_months_min",
    ]
    .map(&mut count);
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    if categories.is_empty() {
        return Err(AppError::invalid(
            "categories",
            "no_category",
            "دست‌کم یک رشته را برای جشنواره برگزینید.",
            "Choose at least one category.",
        ));
    }
    let [year, judges, load, fresh, registered] = numbers;
    let text = |name: &str| form.get(name).cloned().unwrap_or_default();
    Ok(FestivalInput {
        year: i32::try_from(year).unwrap_or(0),
        entry_opens: text("entry_opens"),
        entry_closes: text("entry_closes"),
        judging_opens: text("judging_opens"),
        judging_closes: text("judging_closes"),
        judges_per_entry: Some(judges),
        load_max: Some(load),
        registry_fresh_months: Some(fresh),
        registered_months_min: Some(registered),
        categories,
    })
}

/// `POST /awards/festivals`.
pub async fn create(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    CsrfForm(form): CsrfForm<HashMap<String, String>>,
) -> Response {
    let submission = Submission::of(&parts, &form);
    let done = match festival_input(&form) {
        Ok(input) => {
            awards::create_festival(
                &state.store,
                &user.principal,
                &input,
                submission.idempotency(),
                clock::now(),
            )
            .await
        }
        Err(error) => Err(error),
    };
    let lang = Lang::of(&parts);
    let (w, o) = (words(lang), own(lang));
    let to = match &done {
        Ok(festival) => format!("/awards/festivals/{}", festival.fields.year),
        Err(_) => "/awards/festivals/new".to_owned(),
    };
    let (state, parts, user) = (&state, &parts, &user);
    answer_form(
        (parts, user),
        (o.new_festival, &to, o.created),
        done,
        |errors| async move {
            let mut layout = layout(parts, o.new_festival, Some(user)).await;
            layout.trail(&[(w.festivals, "/awards")], o.new_festival);
            let today = match today(state).await {
                Ok(today) => today,
                Err(error) => return error_page(layout, &error),
            };
            // A check box left unticked is absent from the form: keep it so.
            let refused = FormState::refused(lang, form, &errors, &[]);
            new_page(layout, &refused, today)
        },
    )
    .await
}

struct CategoryLine {
    name: String,
    provincial_quota: String,
    national_quota: String,
    criteria: String,
}

struct RoundLine {
    name: &'static str,
    state: &'static str,
    kind: &'static str,
    /// The ministry's next move of the round (its code; empty: none) and its button.
    action: &'static str,
    action_label: &'static str,
}

/// The entry form as the reader may send it.
struct EntryForm {
    title: &'static str,
    fields: Vec<Field>,
    /// The eligibility check's cooperative select (an officer's), sent by GET.
    check: Option<Field>,
    /// The cooperative's eligibility today: none asked yet, or its reasons (empty:
    /// eligible).
    reasons: Option<Vec<String>>,
}

#[derive(Template)]
#[template(path = "awards/festival.html")]
struct FestivalPage {
    layout: Layout,
    w: &'static Words,
    o: &'static Own,
    form_key: String,
    year: i32,
    heading: String,
    entry_window: String,
    judging_window: String,
    rules: Vec<(&'static str, String)>,
    categories: Vec<CategoryLine>,
    rounds: Vec<RoundLine>,
    may_follow: bool,
    may_keep: bool,
    may_rank: bool,
    published: bool,
    entry_form: Option<EntryForm>,
    entries_closed: bool,
}

/// The move the ministry may make of a round in `state` (the national round's start
/// waits for the provincial results).
fn next_action(kind: RoundKind, state: RoundState, provincial: RoundState) -> Option<RoundAction> {
    match state {
        RoundState::OpenForEntries
            if kind == RoundKind::National && provincial != RoundState::Published =>
        {
            None
        }
        RoundState::OpenForEntries => Some(RoundAction::StartJudging),
        RoundState::Judging => Some(RoundAction::Close),
        RoundState::Closed => Some(RoundAction::Publish),
        RoundState::Published => None,
    }
}

/// Who enters or nominates on this page: a representative its own cooperative, an
/// officer one of its province, the ministry any.
fn enters(principal: &Principal) -> bool {
    matches!(
        principal.role,
        Role::CooperativeRepresentative { .. }
            | Role::ProvincialOfficer { .. }
            | Role::MinistryAdmin
    )
}

/// The entry form: the category (and an officer's cooperative), the eligibility of the
/// cooperative asked about.
async fn entry_form(
    state: &AppState,
    principal: &Principal,
    lang: Lang,
    festival: &AwardFestival,
    form: &FormState,
    asked: Option<i64>,
) -> Result<EntryForm, AppError> {
    let o = own(lang);
    let categories = festival
        .fields
        .categories
        .iter()
        .map(|c| (c.code.clone(), lang.pick(&c.name_fa, &c.name_en).to_owned()))
        .collect();
    let category = form
        .field("entry", "category", words(lang).category)
        .select(categories, Some(o.choose))
        .required();
    let (title, own_cooperative) = match principal.role {
        Role::CooperativeRepresentative { cooperative_id, .. } => {
            (o.enter_title, Some(cooperative_id))
        }
        _ => (o.nominate_title, None),
    };
    let mut fields = Vec::new();
    let mut check = None;
    if own_cooperative.is_none() {
        let page =
            cooperatives::list_cooperatives(&state.store, principal, &Default::default(), 500, 0)
                .await?;
        let options: Vec<(String, String)> = page
            .cooperatives
            .into_iter()
            .map(|c| (c.id.to_string(), c.fields.name))
            .collect();
        let chosen = asked.map(|id| id.to_string()).unwrap_or_default();
        let picked = FormState::with_values(HashMap::from([(
            "cooperative_id".to_owned(),
            if form.value("cooperative_id").is_empty() {
                chosen.clone()
            } else {
                form.value("cooperative_id").to_owned()
            },
        )]));
        fields.push(
            picked
                .field("entry", "cooperative_id", words(lang).cooperative)
                .select(options.clone(), Some(o.choose))
                .required()
                .persian_names(),
        );
        check = Some(
            FormState::with_values(HashMap::from([("cooperative".to_owned(), chosen)]))
                .field("check", "cooperative", words(lang).cooperative)
                .select(options, Some(o.choose))
                .required()
                .persian_names(),
        );
    }
    fields.push(category);
    let about = own_cooperative.or(asked);
    let reasons = match about {
        Some(id) => Some(
            awards::eligibility(
                &state.store,
                principal,
                festival.fields.year,
                id,
                clock::now(),
            )
            .await?
            .into_iter()
            .map(|r| lang.pick(&r.message_fa, &r.message_en).to_owned())
            .collect(),
        ),
        None => None,
    };
    Ok(EntryForm {
        title,
        fields,
        check,
        reasons,
    })
}

async fn festival_page(
    state: &AppState,
    user: &UiUser,
    mut layout: Layout,
    year: i32,
    form: &FormState,
    asked: Option<i64>,
) -> Response {
    let lang = layout.lang;
    let (w, o) = (words(lang), own(lang));
    let festival = match awards::festival(&state.store, &user.principal, year).await {
        Ok(festival) => festival,
        Err(error) => return error_page(layout, &error),
    };
    let heading = format!("{} {}", w.festival, year_text(lang, year));
    heading.clone_into(&mut layout.title);
    layout.trail(&[(w.festivals, "/awards")], &heading);
    let principal = &user.principal;
    let fields = &festival.fields;
    let scope = taavon_core::access::award_scope(principal);
    let open = festival.provincial == RoundState::OpenForEntries;
    let entry_form = if open && enters(principal) {
        match entry_form(state, principal, lang, &festival, form, asked).await {
            Ok(entry_form) => Some(entry_form),
            Err(error) => return error_page(layout, &error),
        }
    } else {
        None
    };
    let months = |n: i64| format!("{} {}", lang.number(n), o.months);
    let may_keep = keeps_festivals(principal);
    let rounds = RoundKind::ALL
        .iter()
        .map(|kind| {
            let state = match kind {
                RoundKind::Provincial => festival.provincial,
                RoundKind::National => festival.national,
            };
            let next = next_action(*kind, state, festival.provincial).filter(|_| may_keep);
            RoundLine {
                name: match kind {
                    RoundKind::Provincial => w.provincial_round,
                    RoundKind::National => w.national_round,
                },
                state: names::award_round_state(lang, state),
                kind: kind.code(),
                action: next.map_or("", |a| a.code()),
                action_label: next.map_or("", |a| names::award_round_action(lang, a)),
            }
        })
        .collect();
    let page = FestivalPage {
        w,
        o,
        form_key: form_key::fresh(),
        year,
        entry_window: window(lang, &fields.entry_opens, &fields.entry_closes),
        judging_window: window(lang, &fields.judging_opens, &fields.judging_closes),
        rules: vec![
            (o.judges_per_entry, lang.number(fields.judges_per_entry)),
            (o.load_max, lang.number(fields.load_max)),
            (
                o.registry_fresh_months,
                months(fields.registry_fresh_months),
            ),
            (
                o.registered_months_min,
                months(fields.registered_months_min),
            ),
        ],
        categories: fields
            .categories
            .iter()
            .map(|c| CategoryLine {
                name: lang.pick(&c.name_fa, &c.name_en).to_owned(),
                provincial_quota: lang.number(c.provincial_quota),
                national_quota: lang.number(c.national_quota),
                criteria: c
                    .criteria
                    .iter()
                    .map(|k| {
                        format!(
                            "{} ({})",
                            lang.pick(&k.name_fa, &k.name_en),
                            lang.number(k.weight)
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(lang.pick("، ", ", ")),
            })
            .collect(),
        rounds,
        may_follow: scope != taavon_core::access::AwardScope::None,
        may_keep,
        may_rank: taavon_core::access::follows_judging(principal)
            && [festival.provincial, festival.national].iter().any(|s| {
                taavon_core::access::results_scope(Some(principal), *s)
                    != taavon_core::access::AwardScope::None
            }),
        published: festival.provincial == RoundState::Published,
        entries_closed: !open && enters(principal),
        entry_form,
        heading,
        layout,
    };
    render_form(&page, form.is_refused())
}

/// `/awards/festivals/{year}`; `?cooperative=` asks a cooperative's eligibility.
pub async fn one(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    Path(year): Path<i32>,
    Query(raw): Query<HashMap<String, String>>,
) -> Response {
    let w = words(Lang::of(&parts));
    let layout = layout(&parts, w.festival, Some(&user)).await;
    let asked = match raw.get("cooperative").map(|c| c.trim()) {
        None | Some("") => None,
        Some(typed) => match taavon_core::digits::to_ascii_digits(typed).parse::<i64>() {
            Ok(id) => Some(id),
            Err(_) => {
                let refused = AppError::invalid(
                    "cooperative",
                    "format",
                    "تعاونی را از فهرست برگزینید.",
                    "Choose the cooperative from the list.",
                );
                return error_page(layout, &refused);
            }
        },
    };
    festival_page(&state, &user, layout, year, &FormState::default(), asked).await
}

/// `POST /awards/festivals/{year}/entries`: an entry or a nomination.
pub async fn enter(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    Path(year): Path<i32>,
    CsrfForm(form): CsrfForm<HashMap<String, String>>,
) -> Response {
    let submission = Submission::of(&parts, &form);
    let cooperative_id = match user.principal.role {
        Role::CooperativeRepresentative { cooperative_id, .. } => Some(cooperative_id),
        _ => form.get("cooperative_id").and_then(|typed| {
            taavon_core::digits::to_ascii_digits(typed.trim())
                .parse::<i64>()
                .ok()
        }),
    };
    let done = match cooperative_id {
        Some(cooperative_id) => {
            awards::enter(
                &state.store,
                &user.principal,
                &state.config.awards,
                &EntryInput {
                    year,
                    cooperative_id,
                    category: form.get("category").cloned().unwrap_or_default(),
                },
                submission.idempotency(),
                clock::now(),
            )
            .await
        }
        None => Err(AppError::invalid(
            "cooperative_id",
            "required",
            "تعاونی را از فهرست برگزینید.",
            "Choose the cooperative from the list.",
        )),
    };
    let lang = Lang::of(&parts);
    let (w, o) = (words(lang), own(lang));
    let to = match &done {
        Ok(view) => format!("/awards/entries/{}", view.entry.id),
        Err(_) => format!("/awards/festivals/{year}"),
    };
    let (state, parts, user) = (&state, &parts, &user);
    answer_form(
        (parts, user),
        (w.festival, &to, o.entered),
        done,
        |errors| async move {
            let layout = layout(parts, w.festival, Some(user)).await;
            let asked = cooperative_id
                .filter(|_| !matches!(user.principal.role, Role::CooperativeRepresentative { .. }));
            let refused = FormState::refused(lang, form, &errors, &[]);
            festival_page(state, user, layout, year, &refused, asked).await
        },
    )
    .await
}

/// `POST /awards/festivals/{year}/moves`: the ministry moves a round on.
pub async fn move_round(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    Path(year): Path<i32>,
    CsrfForm(form): CsrfForm<HashMap<String, String>>,
) -> Response {
    let submission = Submission::of(&parts, &form);
    let field = |name: &str| form.get(name).map(String::as_str).unwrap_or("");
    let done = match (
        RoundKind::parse(field("round")),
        RoundAction::parse(field("action")),
    ) {
        (Some(kind), Some(action)) => {
            awards::move_round(
                &state.store,
                &user.principal,
                &state.config.awards,
                RoundMove { year, kind, action },
                submission.idempotency(),
                clock::now(),
            )
            .await
        }
        _ => Err(AppError::invalid(
            "action",
            "unknown",
            "این کار برای دورهای جشنواره تعریف نشده است.",
            "No such move of a festival's round.",
        )),
    };
    let lang = Lang::of(&parts);
    let to = format!("/awards/festivals/{year}");
    answer::outcome(
        &parts,
        &user,
        words(lang).festival,
        &to,
        own(lang).moved,
        done,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ministry_is_offered_each_rounds_one_next_move() {
        // Establishes the buttons of the rounds: one move from each state, none after
        // publication, and the national round's start only once the provincial results
        // are published.
        let (p, n) = (RoundKind::Provincial, RoundKind::National);
        assert_eq!(
            next_action(p, RoundState::OpenForEntries, RoundState::OpenForEntries),
            Some(RoundAction::StartJudging)
        );
        assert_eq!(
            next_action(n, RoundState::OpenForEntries, RoundState::Closed),
            None
        );
        assert_eq!(
            next_action(n, RoundState::OpenForEntries, RoundState::Published),
            Some(RoundAction::StartJudging)
        );
        assert_eq!(
            next_action(p, RoundState::Judging, RoundState::Judging),
            Some(RoundAction::Close)
        );
        assert_eq!(
            next_action(p, RoundState::Closed, RoundState::Closed),
            Some(RoundAction::Publish)
        );
        assert_eq!(
            next_action(p, RoundState::Published, RoundState::Published),
            None
        );
    }

    #[test]
    fn a_festival_form_names_every_count_that_is_not_a_number() {
        // Establishes that bad counts are refused naming their fields, and that no
        // category chosen is refused as such.
        let mut form = fresh_values(Lang::Fa, JalaliDate::new(1405, 9, 15).unwrap());
        form.insert("load_max".into(), "بیست".into());
        form.insert("weight.governance".into(), "-1".into());
        let Err(AppError::Invalid(errors)) = festival_input(&form) else {
            panic!("refused");
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert!(fields.contains(&"load_max") && fields.contains(&"weight.governance"));
        let mut none = fresh_values(Lang::Fa, JalaliDate::new(1405, 9, 15).unwrap());
        none.retain(|name, _| !name.ends_with(".on"));
        let Err(AppError::Invalid(errors)) = festival_input(&none) else {
            panic!("refused");
        };
        assert_eq!(errors[0].rule, "no_category");
        let good = festival_input(&fresh_values(
            Lang::Fa,
            JalaliDate::new(1405, 9, 15).unwrap(),
        ))
        .unwrap();
        assert_eq!(good.year, 1405);
        assert_eq!(good.categories.len(), Category::defaults().len());
    }
}
