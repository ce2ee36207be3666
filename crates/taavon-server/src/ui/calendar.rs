//! The working calendar: the open business date and the official holidays (besides
//! Fridays) every due date and late charge counts by. Anyone logged in reads it; the
//! ministry adds and removes holidays and opens a later business date
//! (`access::keeps_calendar`), each through the app's use cases and confirmed where it
//! cannot be undone.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use taavon_app::{AppError, clock, loans};
use taavon_core::access::keeps_calendar;

use super::Layout;
use super::answer;
use super::csrf::CsrfForm;
use super::fields::Field;
use super::form_key::{self, Submission};
use super::form_state::{FormState, answer_form, render_form};
use super::format;
use super::i18n::Lang;
use super::page::{PageParts, error_page, layout};
use crate::auth::UiUser;
use crate::state::AppState;

const FA_GONE: &str = "این روز در فهرست تعطیلات نیست (شاید پیش‌تر حذف شده باشد).";
const EN_GONE: &str = "This day is not listed as a holiday (it may have been removed already).";

struct HolidayLine {
    day: String,
    /// The ISO day, as the removal's address names it.
    iso: String,
    name: String,
}

#[derive(Template)]
#[template(path = "calendar.html")]
struct CalendarPage {
    layout: Layout,
    form_key: String,
    business_date: String,
    holidays: Vec<HolidayLine>,
    /// The ministry's forms.
    may_keep: bool,
    holiday_fields: Vec<Field>,
    date_fields: Vec<Field>,
    /// Whether the business date's form came back refused (its folded box then opens).
    date_refused: bool,
    holiday_error: String,
    date_error: String,
}

/// Which of the page's forms was refused.
#[derive(Clone, Copy, PartialEq, Eq)]
enum CalendarForm {
    Holiday,
    BusinessDate,
}

async fn calendar_page(
    state: &AppState,
    user: &UiUser,
    layout: Layout,
    refused: Option<(CalendarForm, FormState)>,
) -> Response {
    let lang = layout.lang;
    let (t, f) = (layout.t, layout.f);
    let found = async {
        let business_date = loans::business_date(&state.store, clock::now()).await?;
        let holidays = loans::holidays(&state.store).await?;
        Ok::<_, AppError>((business_date, holidays))
    }
    .await;
    let (business_date, holidays) = match found {
        Ok(found) => found,
        Err(error) => return error_page(layout, &error),
    };
    let refused_form = refused.is_some();
    let (holiday, date) = match refused {
        Some((CalendarForm::Holiday, form)) => (form, FormState::default()),
        Some((CalendarForm::BusinessDate, form)) => (FormState::default(), form),
        None => (FormState::default(), FormState::default()),
    };
    let page = CalendarPage {
        form_key: form_key::fresh(),
        business_date: format::date(lang, &business_date.to_string()),
        holidays: holidays
            .into_iter()
            .map(|h| HolidayLine {
                day: format::date(lang, &h.day),
                iso: h.day,
                name: h.name,
            })
            .collect(),
        may_keep: keeps_calendar(&user.principal),
        holiday_fields: vec![
            holiday
                .field("holiday", "day", f.day)
                .date(t.calendar)
                .required()
                .hint(t.date_hint),
            holiday.field("holiday", "name", f.holiday_name).required(),
        ],
        date_fields: vec![
            date.field("business-date", "open_on", f.open_on)
                .date(t.calendar)
                .required()
                .hint(f.open_on_hint),
        ],
        date_refused: date.is_refused(),
        holiday_error: holiday.summary(t.form_has_errors),
        date_error: date.summary(t.form_has_errors),
        layout,
    };
    render_form(&page, refused_form)
}

fn title(parts: &axum::http::request::Parts) -> &'static str {
    Lang::of(parts).forms().calendar_title
}

pub async fn calendar(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
) -> Response {
    let layout = layout(&parts, title(&parts), Some(&user)).await;
    calendar_page(&state, &user, layout, None).await
}

/// Back to the calendar with what was done, the page again with the form as typed when
/// its fields were refused, or the reason as the page's message.
async fn answer<T>(
    (state, parts, user): (&AppState, &axum::http::request::Parts, &UiUser),
    (form, kind): (HashMap<String, String>, CalendarForm),
    success: &str,
    done: Result<T, AppError>,
) -> Response {
    answer_form(
        (parts, user),
        (title(parts), "/calendar", success),
        done,
        |errors| async move {
            let layout = layout(parts, title(parts), Some(user)).await;
            let refused = FormState::refused(layout.lang, form, &errors, &[]);
            calendar_page(state, user, layout, Some((kind, refused))).await
        },
    )
    .await
}

pub async fn add_holiday(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    CsrfForm(form): CsrfForm<HashMap<String, String>>,
) -> Response {
    let submission = Submission::of(&parts, &form);
    let text = |name: &str| form.get(name).cloned().unwrap_or_default();
    let done = loans::add_holiday(
        &state.store,
        &user.principal,
        &text("day"),
        &text("name"),
        submission.idempotency(),
        clock::now(),
    )
    .await;
    let success = Lang::of(&parts).forms().done_holiday_added;
    let context = (&state, &parts, &user);
    answer(context, (form, CalendarForm::Holiday), success, done).await
}

/// Removes a listed holiday; removing it twice finds it gone, so a double submission
/// removes it once and says so the second time.
pub async fn remove_holiday(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    Path(day): Path<String>,
    CsrfForm(_form): CsrfForm<HashMap<String, String>>,
) -> Response {
    let f = Lang::of(&parts).forms();
    let done = match loans::remove_holiday(&state.store, &user.principal, &day, clock::now()).await
    {
        // Most often the same form sent twice: say it is gone rather than "not found".
        Err(AppError::NotFound) => Err(AppError::invalid("day", "not_listed", FA_GONE, EN_GONE)),
        done => done,
    };
    let success = f.done_holiday_removed;
    answer::outcome(&parts, &user, title(&parts), "/calendar", success, done).await
}

/// Opens a later business date (setting the date it already is changes nothing more
/// than the first time, so a double submission acts once).
pub async fn open_business_date(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    CsrfForm(form): CsrfForm<HashMap<String, String>>,
) -> Response {
    let typed = form.get("open_on").cloned().unwrap_or_default();
    let done = loans::open_business_date(&state.store, &user.principal, &typed, clock::now()).await;
    let success = Lang::of(&parts).forms().done_business_date;
    let context = (&state, &parts, &user);
    answer(context, (form, CalendarForm::BusinessDate), success, done).await
}
