//! Form fields as one component: each field is built here from its form's state (what
//! was typed, the reason it was refused) and rendered by the one macro of
//! `templates/fields.html` — its label, the control, a hint and the error, the error tied
//! to the control by `aria-invalid` and `aria-describedby`. Amounts get the separators
//! script (`data-amount`), dates the Jalali picker (`data-jalali`), a province select the
//! county select it narrows (`data-narrows`).

use std::collections::HashMap;

use taavon_app::reference::NameTables;

use super::form_state::FormState;
use super::i18n::Lang;
use super::select::Choice;

/// What kind of control a field is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Control {
    Text,
    /// Text read left to right (an identifier, a receipt number).
    Ltr,
    /// Rials, shown with thousands separators as typed.
    Amount,
    /// A small whole number (months, jobs).
    Number,
    /// A Jalali date with the picker.
    Date,
    Select,
    TextArea,
    Check,
}

/// Options as given: (value, label).
pub type Options = Vec<(String, String)>;

/// A group of a select's options (a province's counties).
pub struct ChoiceGroup {
    pub key: String,
    pub label: String,
    pub choices: Vec<Choice>,
}

/// One field of a form, ready to render.
pub struct Field {
    pub id: String,
    pub name: String,
    pub label: String,
    pub value: String,
    control: Control,
    pub required: bool,
    pub hint: String,
    pub error: String,
    pub choices: Vec<Choice>,
    pub groups: Vec<ChoiceGroup>,
    /// The select this one narrows (a province's county select), by id.
    pub narrows: String,
    /// The date picker's button text.
    pub picker: String,
    /// Its options name records in Persian whatever the page's language (cooperatives,
    /// members): marked `lang="fa"` so an English page reads them as such.
    pub persian: bool,
}

/// The id of field `name`'s control: `{prefix}-{name}`, unique on a page holding several
/// forms; the name alone on a page's one form (`prefix` empty).
fn control_id(prefix: &str, name: &str) -> String {
    let name = name.replace(['[', ']', '.'], "-");
    if prefix.is_empty() {
        name
    } else {
        format!("{prefix}-{name}")
    }
}

impl FormState {
    /// The field `name` of this form, its control's id from `control_id`.
    pub fn field(&self, prefix: &str, name: &str, label: &str) -> Field {
        Field {
            id: control_id(prefix, name),
            name: name.to_owned(),
            label: label.to_owned(),
            value: self.value(name).to_owned(),
            control: Control::Text,
            required: false,
            hint: String::new(),
            error: self.error(name).to_owned(),
            choices: Vec::new(),
            groups: Vec::new(),
            narrows: String::new(),
            picker: String::new(),
            persian: false,
        }
    }
}

impl Field {
    /// A list's date filter (its value kept in the address): the picker, no form state.
    pub fn date_filter(lang: Lang, name: &str, label: &str, value: &str) -> Field {
        let t = lang.text();
        FormState::with_values(HashMap::from([(name.to_owned(), value.to_owned())]))
            .field("", name, label)
            .date(t.calendar)
            .hint(t.date_hint)
    }

    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    pub fn hint(mut self, hint: &str) -> Self {
        hint.clone_into(&mut self.hint);
        self
    }

    pub fn ltr(mut self) -> Self {
        self.control = Control::Ltr;
        self
    }

    pub fn amount(mut self) -> Self {
        self.control = Control::Amount;
        self
    }

    pub fn number(mut self) -> Self {
        self.control = Control::Number;
        self
    }

    /// A Jalali date; `picker` is the text of the calendar's button.
    pub fn date(mut self, picker: &str) -> Self {
        self.control = Control::Date;
        picker.clone_into(&mut self.picker);
        self
    }

    pub fn text_area(mut self) -> Self {
        self.control = Control::TextArea;
        self
    }

    /// A check box, checked when the form's value is `1` (or `on`).
    pub fn check(mut self) -> Self {
        self.control = Control::Check;
        self
    }

    /// A drop-down of `options` (value, label), the form's value chosen; `blank` is the
    /// label of an empty first option, if there is one.
    pub fn select(mut self, options: Options, blank: Option<&str>) -> Self {
        self.control = Control::Select;
        let chosen = self.value.clone();
        self.choices = blank
            .map(|label| (String::new(), label.to_owned()))
            .into_iter()
            .chain(options)
            .map(|(value, label)| Choice {
                selected: value == chosen,
                value,
                label,
            })
            .collect();
        self
    }

    /// A drop-down whose options come in groups (`optgroup`), after an empty option.
    pub fn grouped(mut self, groups: Vec<(String, String, Options)>) -> Self {
        self.control = Control::Select;
        let chosen = self.value.clone();
        self.choices = vec![Choice {
            value: String::new(),
            label: "—".to_owned(),
            selected: chosen.is_empty(),
        }];
        self.groups = groups
            .into_iter()
            .map(|(key, label, options)| ChoiceGroup {
                key,
                label,
                choices: options
                    .into_iter()
                    .map(|(value, label)| Choice {
                        selected: value == chosen,
                        value,
                        label,
                    })
                    .collect(),
            })
            .collect();
        self
    }

    /// Marks the options as records' Persian names.
    pub fn persian_names(mut self) -> Self {
        self.persian = true;
        self
    }

    /// Marks this select as narrowing the select `id` to the group of its value.
    pub fn narrowing(mut self, id: &str) -> Self {
        id.clone_into(&mut self.narrows);
        self
    }

    pub fn is_select(&self) -> bool {
        self.control == Control::Select
    }

    pub fn is_text_area(&self) -> bool {
        self.control == Control::TextArea
    }

    pub fn is_check(&self) -> bool {
        self.control == Control::Check
    }

    pub fn checked(&self) -> bool {
        matches!(self.value.as_str(), "1" | "on" | "true")
    }

    pub fn is_ltr(&self) -> bool {
        matches!(
            self.control,
            Control::Ltr | Control::Amount | Control::Number | Control::Date
        )
    }

    pub fn is_numeric(&self) -> bool {
        matches!(self.control, Control::Amount | Control::Number)
    }

    pub fn is_amount(&self) -> bool {
        self.control == Control::Amount
    }

    pub fn is_date(&self) -> bool {
        self.control == Control::Date
    }

    /// The ids that describe the control: its hint and its error.
    pub fn described_by(&self) -> String {
        let mut ids = Vec::new();
        if !self.hint.is_empty() {
            ids.push(format!("{}-hint", self.id));
        }
        if !self.error.is_empty() {
            ids.push(format!("{}-error", self.id));
        }
        ids.join(" ")
    }
}

/// The province select and the county select it narrows, as a registry form asks for
/// a county; the province follows the county chosen, if one was.
pub fn county_fields(
    lang: Lang,
    state: &FormState,
    prefix: &str,
    tables: &NameTables,
    (province_label, county_label, any): (&str, &str, &str),
) -> (Field, Field) {
    let county = state.value("county");
    let mut province = state.field(prefix, "province", province_label);
    if let Some(found) = tables.counties.iter().find(|c| c.code == county) {
        province.value.clone_from(&found.province);
    }
    let named = |code: &str, fa: &str, en: &str| (code.to_owned(), lang.pick(fa, en).to_owned());
    let province = province
        .select(
            tables
                .provinces
                .iter()
                .map(|p| named(&p.code, &p.name_fa, &p.name_en))
                .collect(),
            Some(any),
        )
        .narrowing(&control_id(prefix, "county"));
    let county = state
        .field(prefix, "county", county_label)
        .required()
        .grouped(
            tables
                .provinces
                .iter()
                .map(|p| {
                    let (key, label) = named(&p.code, &p.name_fa, &p.name_en);
                    let counties = tables
                        .counties
                        .iter()
                        .filter(|c| c.province == p.code)
                        .map(|c| named(&c.code, &c.name_fa, &c.name_en))
                        .collect();
                    (key, label, counties)
                })
                .collect(),
        );
    (province, county)
}
