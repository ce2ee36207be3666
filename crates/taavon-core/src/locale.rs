//! The two locales taavon speaks: Persian (the default) and English.

/// A reader's language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Locale {
    Fa,
    En,
}
