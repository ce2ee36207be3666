//! The two locales taavon speaks: Persian (the default) and English.

/// A reader's language.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Locale {
    /// Persian, right to left, Persian digits: what people see unless they ask otherwise.
    #[default]
    Fa,
    En,
}

impl Locale {
    /// The BCP 47 language tag (`fa`, `en`), as in `lang` attributes and `Accept-Language`.
    pub fn code(self) -> &'static str {
        match self {
            Locale::Fa => "fa",
            Locale::En => "en",
        }
    }

    /// The locale of a language tag; a region (`fa-IR`, `en-GB`) and case are ignored.
    pub fn parse(tag: &str) -> Option<Self> {
        let language = tag.split(['-', '_']).next().unwrap_or("");
        [Locale::Fa, Locale::En]
            .into_iter()
            .find(|locale| locale.code().eq_ignore_ascii_case(language))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_tags_read_with_or_without_a_region() {
        // Establishes the mapping from language tags, and Persian as the default.
        assert_eq!(Locale::parse("fa-IR"), Some(Locale::Fa));
        assert_eq!(Locale::parse("EN"), Some(Locale::En));
        assert_eq!(Locale::parse("de"), None);
        assert_eq!(Locale::default().code(), "fa");
    }
}
