//! The options of a drop-down, for the list filters and the form fields alike: the one
//! shape every select is rendered from.

use super::i18n::Lang;

/// An option of a filter's drop-down.
pub(super) struct Choice {
    pub(super) value: String,
    pub(super) label: String,
    pub(super) selected: bool,
}

pub(super) fn choices(
    options: Vec<(String, String)>,
    selected: Option<&str>,
    any: &str,
) -> Vec<Choice> {
    std::iter::once(Choice {
        value: String::new(),
        label: any.to_owned(),
        selected: selected.is_none(),
    })
    .chain(options.into_iter().map(|(value, label)| Choice {
        selected: selected == Some(value.as_str()),
        value,
        label,
    }))
    .collect()
}

/// The provinces as a filter's choices, named in `lang`.
pub(super) fn province_choices(
    lang: Lang,
    provinces: Vec<taavon_app::rows::ProvinceRow>,
    selected: Option<&str>,
    any: &str,
) -> Vec<Choice> {
    choices(
        provinces
            .into_iter()
            .map(|p| (p.code, lang.pick(&p.name_fa, &p.name_en).to_owned()))
            .collect(),
        selected,
        any,
    )
}
