//! A form as it is shown again after a refusal: the values as they were typed and each
//! field's reason in the reader's language, so a template marks the field
//! (`aria-invalid`, `aria-describedby` to its message) and nothing typed is lost.

use std::collections::HashMap;

use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use taavon_app::FieldError;

use super::i18n::Lang;
use super::render;

/// A page holding a form: answered 422 when it shows the form refused (what was typed
/// and why), 200 otherwise.
pub fn render_form(page: &impl Template, refused: bool) -> Response {
    let status = if refused {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    (status, render(page)).into_response()
}

/// Which form of a page holding several was refused, and as what: the page shows that one
/// as typed and the others fresh.
pub struct Refused<F> {
    pub form: F,
    pub state: FormState,
}

/// The state `form` starts from: the refused one if it is this form, else `fresh`.
pub fn state_of<F: PartialEq>(
    refused: &mut Option<Refused<F>>,
    form: F,
    fresh: &[(&str, String)],
) -> FormState {
    match refused.take_if(|r| r.form == form) {
        Some(refused) => refused.state,
        None => FormState::with_values(
            fresh
                .iter()
                .map(|(name, value)| ((*name).to_owned(), value.clone()))
                .collect(),
        ),
    }
}

/// The answer to a form's post: the page again with the form as typed when its fields
/// were refused (`again`, given the reasons), else back to `to` with `success` or the
/// precise reason of any other refusal (`answer::outcome`).
pub async fn answer_form<T, Again, Shown>(
    (parts, user): (&axum::http::request::Parts, &crate::auth::UiUser),
    (title, to, success): (&str, &str, &str),
    done: Result<T, taavon_app::AppError>,
    again: Again,
) -> Response
where
    Again: FnOnce(Vec<FieldError>) -> Shown,
    Shown: Future<Output = Response>,
{
    match done {
        Err(taavon_app::AppError::Invalid(errors)) => again(errors).await,
        done => super::answer::outcome(parts, user, title, to, success, done).await,
    }
}

/// One form's values and field errors (both empty for a fresh form).
#[derive(Default)]
pub struct FormState {
    values: HashMap<String, String>,
    errors: HashMap<String, String>,
}

impl FormState {
    /// A fresh form with these values (defaults or the record's).
    pub fn with_values(values: HashMap<String, String>) -> Self {
        Self {
            values,
            errors: HashMap::new(),
        }
    }

    /// The form as submitted, with the reasons it was refused. An error names the field
    /// as the use case calls it; `renamed` maps such names to the form's own (`amount_rial`
    /// → `amount`). An error of a field the form does not have is kept under `form`.
    pub fn refused(
        lang: Lang,
        values: HashMap<String, String>,
        errors: &[FieldError],
        renamed: &[(&str, &str)],
    ) -> Self {
        let mut state = Self::with_values(values);
        for error in errors {
            let field = renamed
                .iter()
                .find(|(from, _)| *from == error.field)
                .map_or(error.field.as_str(), |(_, to)| *to);
            let field = if state.values.contains_key(field) {
                field
            } else {
                "form"
            };
            let message = lang.pick(&error.message_fa, &error.message_en);
            state
                .errors
                .entry(field.to_owned())
                .and_modify(|found| {
                    found.push(' ');
                    found.push_str(message);
                })
                .or_insert_with(|| message.to_owned());
        }
        state
    }

    pub fn value(&self, field: &str) -> &str {
        self.values.get(field).map_or("", String::as_str)
    }

    pub fn error(&self, field: &str) -> &str {
        self.errors.get(field).map_or("", String::as_str)
    }

    pub fn is_refused(&self) -> bool {
        !self.errors.is_empty()
    }

    /// What the top of a refused form says (announced as an alert): its own reason, or
    /// `fields_wrong` when only fields were refused; nothing for a fresh form.
    pub fn summary(&self, fields_wrong: &str) -> String {
        match self.errors.get("form") {
            Some(reason) => reason.clone(),
            None if self.is_refused() => fields_wrong.to_owned(),
            None => String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_form_keeps_what_was_typed_and_puts_each_reason_on_its_field() {
        // Establishes the inline errors: the use case's field name is mapped to the
        // form's, a reason for a field the form lacks is the form's own, and what was
        // typed stays.
        let values = HashMap::from([
            ("amount".to_owned(), "۱۲۳".to_owned()),
            ("note".to_owned(), "قسط".to_owned()),
        ]);
        let errors = [
            FieldError::new("amount_rial", "positive", "مبلغ مثبت", "positive"),
            FieldError::new("loan", "state", "وضعیت", "state"),
        ];
        let state = FormState::refused(Lang::Fa, values, &errors, &[("amount_rial", "amount")]);
        assert_eq!(state.value("amount"), "۱۲۳");
        assert_eq!(state.error("amount"), "مبلغ مثبت");
        assert_eq!(state.error("form"), "وضعیت");
        assert!(state.error("note").is_empty() && state.is_refused());
    }
}
