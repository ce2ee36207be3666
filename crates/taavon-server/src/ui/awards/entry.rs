//! One festival entry as its reader may see it — its eligibility with every reason, its
//! round and where that stands, its pre-score with each indicator's value and weight, the
//! results of the rounds the reader may see — and for a judge of the entry the marks form
//! per criterion, the submission (asked first) and the other judges' marks only as
//! `awards::visibility` allows: hidden before the judge submits, without names until the
//! round closes. Nobody else sees a judge's name or mark here.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use taavon_app::awards::{self, EntryView, MarksInput, OthersMarks};
use taavon_app::{AppError, clock};
use taavon_core::awards::festival::{RoundKind, RoundState};

use super::{score_text, words as shared_words, year_text};
use crate::auth::UiUser;
use crate::state::AppState;
use crate::ui::certificate;
use crate::ui::csrf::CsrfForm;
use crate::ui::fields::Field;
use crate::ui::form_key::{self, Submission};
use crate::ui::form_state::FormState;
use crate::ui::i18n::Lang;
use crate::ui::names;
use crate::ui::page::{PageParts, error_page, layout};
use crate::ui::{Layout, answer, render};

/// The words of these pages, Persian and English.
struct Words {
    entry_title: &'static str,
    cooperative: &'static str,
    category: &'static str,
    province: &'static str,
    round: &'static str,
    provincial: &'static str,
    national: &'static str,
    prescore: &'static str,
    eligibility_label: &'static str,
    indicator: &'static str,
    weight: &'static str,
    value: &'static str,
    planned_note: &'static str,
    results: &'static str,
    certificates: &'static str,
    certificate_link: &'static str,
    reasons: &'static str,
    your_marks: &'static str,
    submitted: &'static str,
    save: &'static str,
    submit: &'static str,
    confirm_submit: &'static str,
    others: &'static str,
    others_hidden: &'static str,
    others_anonymous: &'static str,
    others_named: &'static str,
    done_marked: &'static str,
    done_submitted: &'static str,
    mark_hint: &'static str,
}

const FA: Words = Words {
    entry_title: "پرونده جشنواره",
    cooperative: "تعاونی",
    category: "رشته",
    province: "استان",
    round: "دور",
    provincial: "استانی",
    national: "ملی",
    prescore: "امتیاز اولیه خودکار",
    eligibility_label: "شرایط شرکت",
    indicator: "شاخص",
    weight: "وزن",
    value: "امتیاز شاخص (از ۱۰۰)",
    planned_note: "اشتغال تا راستی‌آزمایی، از شغل‌های برنامه‌ریزی‌شده سنجیده می‌شود.",
    results: "نتیجه داوری",
    certificates: "گواهی برگزیدگی",
    certificate_link: "دریافت فایل گواهی",
    reasons: "دلایل نداشتن شرایط",
    your_marks: "نمره‌های شما",
    submitted: "نمره‌های شما فرستاده شده و نهایی است.",
    save: "نگه‌داشتن نمره‌ها",
    submit: "فرستادن نهایی نمره‌ها",
    confirm_submit: "نمره‌ها نهایی شود؟ پس از فرستادن تغییر نمی‌کند.",
    others: "نمره داوران دیگر",
    others_hidden: "نمره داوران دیگر پس از فرستادن نمره‌های خودتان دیده می‌شود.",
    others_anonymous: "نمره داوران دیگری که فرستاده‌اند، بی‌نام:",
    others_named: "دور بسته شده است؛ نمره داوران دیگر:",
    done_marked: "نمره‌ها نگه داشته شد.",
    done_submitted: "نمره‌ها فرستاده شد.",
    mark_hint: "از ۰ تا ۱۰۰",
};

const EN: Words = Words {
    entry_title: "Festival entry",
    cooperative: "Cooperative",
    category: "Category",
    province: "Province",
    round: "Round",
    provincial: "Provincial",
    national: "National",
    prescore: "Automatic pre-score",
    eligibility_label: "Eligibility",
    indicator: "Indicator",
    weight: "Weight",
    value: "Indicator score (of 100)",
    planned_note: "Until jobs are verified, planned jobs are counted.",
    results: "Result",
    certificates: "Certificate",
    certificate_link: "Download the certificate (PDF)",
    reasons: "Why it is not eligible",
    your_marks: "Your marks",
    submitted: "Your marks are submitted and final.",
    save: "Keep the marks",
    submit: "Submit the marks",
    confirm_submit: "Make the marks final? They cannot change after.",
    others: "Other judges' marks",
    others_hidden: "The other judges' marks show once you submit yours.",
    others_anonymous: "Marks of the other judges who submitted, without names:",
    others_named: "The round is closed; the other judges' marks:",
    done_marked: "The marks were kept.",
    done_submitted: "The marks were submitted.",
    mark_hint: "From 0 to 100",
};

fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::Fa => &FA,
        Lang::En => &EN,
    }
}

#[derive(Template)]
#[template(path = "awards_entry.html")]
struct EntryPage {
    layout: Layout,
    w: &'static Words,
    form_key: String,
    id: i64,
    number: String,
    cooperative: String,
    category: String,
    province: String,
    round: String,
    prescore: String,
    /// Each indicator of the pre-score: name, weight, value (or a dash: not measured).
    components: Vec<(String, String, String)>,
    /// Jobs were counted as planned (not yet verified).
    planned: bool,
    eligibility: &'static str,
    round_state: &'static str,
    /// The results of the rounds the reader may see: round, standing, rank, band.
    results: Vec<(&'static str, &'static str, String, &'static str)>,
    /// The winner's certificates: the round and the PDF's address.
    certificates: Vec<(&'static str, String)>,
    reasons: Vec<String>,
    judging: bool,
    submitted: bool,
    own_marks: Vec<String>,
    mark_fields: Vec<Field>,
    others_note: String,
    others: Vec<String>,
}

pub async fn entry(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    Path(id): Path<i64>,
) -> Response {
    let lang = Lang::of(&parts);
    let w = words(lang);
    let layout = layout(&parts, w.entry_title, Some(&user)).await;
    let settings = &state.config.awards;
    let view = match awards::entry_view(&state.store, &user.principal, settings, id).await {
        Ok(view) => view,
        Err(error) => return error_page(layout, &error),
    };
    let criteria = match awards::festival(&state.store, &user.principal, view.festival_year).await {
        Ok(festival) => festival
            .fields
            .categories
            .into_iter()
            .find(|c| c.code == view.entry.fields.category)
            .map(|c| c.criteria)
            .unwrap_or_default(),
        Err(error) => return error_page(layout, &error),
    };
    let mut layout = layout;
    let shared = shared_words(lang);
    let festival_path = format!("/awards/festivals/{}", view.festival_year);
    let festival_name = format!(
        "{} {}",
        shared.festival,
        year_text(lang, view.festival_year)
    );
    let steps: Vec<(&str, &str)> = match &user.principal.role {
        taavon_core::access::Role::Judge { .. } => vec![(shared.my_entries, "/awards/my-entries")],
        _ => vec![
            (shared.festivals, "/awards"),
            (festival_name.as_str(), festival_path.as_str()),
        ],
    };
    layout.trail(&steps, &format!("{} {}", w.entry_title, lang.id(id)));
    render(&entry_page(lang, layout, view, &criteria))
}

fn entry_page(
    lang: Lang,
    layout: Layout,
    view: EntryView,
    criteria: &[awards::AwardCriterion],
) -> EntryPage {
    let w = words(lang);
    let mark = |value: f64| lang.digits(&format!("{value:.1}"));
    let side = view.judging.as_ref();
    let own: HashMap<&str, i64> = side
        .map(|s| s.marks.iter().map(|(c, m)| (c.as_str(), *m)).collect())
        .unwrap_or_default();
    let values: HashMap<String, String> = criteria
        .iter()
        .map(|c| {
            let value = own
                .get(c.code.as_str())
                .map(|m| m.to_string())
                .unwrap_or_default();
            (c.code.clone(), value)
        })
        .collect();
    let state = FormState::with_values(values);
    let mark_fields = criteria
        .iter()
        .map(|c| {
            state
                .field("marks", &c.code, lang.pick(&c.name_fa, &c.name_en))
                .number()
                .required()
                .hint(w.mark_hint)
        })
        .collect();
    let own_marks = criteria
        .iter()
        .filter_map(|c| {
            own.get(c.code.as_str())
                .map(|m| format!("{}: {}", lang.pick(&c.name_fa, &c.name_en), lang.number(*m)))
        })
        .collect();
    let (others_note, others) = match side.map(|s| (&s.others, &s.other_judges)) {
        Some((OthersMarks::Anonymous(marks), _)) => (
            w.others_anonymous.to_owned(),
            marks.iter().map(|m| mark(*m)).collect(),
        ),
        Some((OthersMarks::Named(named), names)) => (
            w.others_named.to_owned(),
            named
                .iter()
                .map(|(judge, m)| {
                    let name = names
                        .iter()
                        .find(|(id, _)| id == judge)
                        .map_or("", |(_, name)| name.as_str());
                    format!("{name}: {}", mark(*m))
                })
                .collect(),
        ),
        _ => (w.others_hidden.to_owned(), Vec::new()),
    };
    EntryPage {
        w,
        form_key: form_key::fresh(),
        id: view.entry.id,
        number: lang.id(view.entry.id),
        cooperative: view.entry.cooperative_name.clone(),
        category: lang
            .pick(&view.category_name_fa, &view.category_name_en)
            .to_owned(),
        province: names::province_name(lang, view.entry.fields.province.as_str()),
        round: match (view.round, view.round_state) {
            (RoundKind::Provincial, _) => w.provincial.to_owned(),
            (RoundKind::National, RoundState::OpenForEntries) => w.provincial.to_owned(),
            (RoundKind::National, _) => w.national.to_owned(),
        },
        prescore: view
            .prescore
            .as_ref()
            .map_or_else(|| "—".to_owned(), |p| score_text(lang, p.total)),
        components: view
            .prescore
            .as_ref()
            .map(|p| {
                p.components
                    .iter()
                    .map(|c| {
                        let name = lang.pick(c.component.name_fa(), c.component.name_en());
                        let name = if c.planned {
                            format!("{name} *")
                        } else {
                            name.to_owned()
                        };
                        let value = c
                            .value
                            .map_or_else(|| "—".to_owned(), |v| score_text(lang, v));
                        (name, lang.number(i64::from(c.weight)), value)
                    })
                    .collect()
            })
            .unwrap_or_default(),
        planned: view
            .prescore
            .as_ref()
            .is_some_and(|p| p.components.iter().any(|c| c.planned)),
        eligibility: if view.entry.fields.eligible {
            shared_words(lang).eligible
        } else {
            shared_words(lang).not_eligible
        },
        round_state: names::award_round_state(lang, view.round_state),
        results: view
            .results
            .iter()
            .map(|r| {
                (
                    names::award_round(lang, r.round),
                    names::award_entry_status(lang, r.status, r.winner),
                    r.rank
                        .map_or_else(|| "—".to_owned(), |rank| lang.number(rank)),
                    r.band.map_or("—", |b| names::award_band(lang, b)),
                )
            })
            .collect(),
        certificates: view
            .certificates
            .iter()
            .map(|c| {
                (
                    names::award_round(lang, c.round),
                    certificate::pdf_path(&c.code),
                )
            })
            .collect(),
        reasons: view
            .entry
            .fields
            .reasons
            .iter()
            .map(|r| lang.pick(&r.message_fa, &r.message_en).to_owned())
            .collect(),
        judging: side.is_some(),
        submitted: side.is_some_and(|s| s.submitted),
        own_marks,
        mark_fields,
        others_note,
        others,
        layout,
    }
}

/// Back to the entry with what was done, or why not.
async fn back(
    parts: &axum::http::request::Parts,
    user: &UiUser,
    id: i64,
    success: &str,
    done: Result<i64, AppError>,
) -> Response {
    let w = words(Lang::of(parts));
    let to = format!("/awards/entries/{id}");
    answer::outcome(parts, user, w.entry_title, &to, success, done).await
}

pub async fn mark(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<HashMap<String, String>>,
) -> Response {
    let submission = Submission::of(&parts, &form);
    let mut marks = Vec::new();
    for (name, value) in &form {
        if matches!(name.as_str(), "csrf" | "form_key") {
            continue;
        }
        let digits = taavon_core::digits::to_ascii_digits(value.trim());
        let Ok(mark) = digits.parse::<u32>() else {
            let refused = AppError::invalid(
                name,
                "score_range",
                "هر نمره عددی از ۰ تا ۱۰۰ است.",
                "Each mark is a number from 0 to 100.",
            );
            return back(&parts, &user, id, "", Err(refused)).await;
        };
        marks.push((name.clone(), mark));
    }
    let done = awards::score(
        &state.store,
        &user.principal,
        id,
        &MarksInput { marks },
        submission.idempotency(),
        clock::now(),
    )
    .await;
    let success = words(Lang::of(&parts)).done_marked;
    back(&parts, &user, id, success, done).await
}

pub async fn submit(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<HashMap<String, String>>,
) -> Response {
    let submission = Submission::of(&parts, &form);
    let done = awards::submit(
        &state.store,
        &user.principal,
        id,
        submission.idempotency(),
        clock::now(),
    )
    .await;
    let success = words(Lang::of(&parts)).done_submitted;
    back(&parts, &user, id, success, done).await
}
