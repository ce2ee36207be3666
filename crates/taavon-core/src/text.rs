//! Persian text: one spelling for display, and a folded key for search.

use crate::digits::to_ascii_digits;

const ZWNJ: char = '\u{200C}';

/// One spelling of Persian text for storage and display: Arabic yeh and kaf become
/// Persian (ي/ى→ی, ك→ک), tatweel and short-vowel marks go, runs of white space become
/// one space. The zero-width non-joiner is kept, since it changes how a word looks.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.chars() {
        let c = match c {
            'ي' | 'ى' => 'ی',
            'ك' => 'ک',
            'ة' => 'ه',
            // Tatweel and harakat (fatha, damma, kasra, tanwin, shadda, sukun).
            '\u{0640}' | '\u{064B}'..='\u{0652}' => continue,
            other => other,
        };
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.push(c);
    }
    out
}

/// The search key of a name: normalised, digits as ASCII, Latin in lower case, and the
/// zero-width non-joiner and spaces folded away, so «تعاونی‌ها», «تعاونی ها» and
/// «تعاونيها» all find each other.
pub fn search_key(text: &str) -> String {
    to_ascii_digits(&normalize(text))
        .chars()
        .filter(|c| *c != ZWNJ && !c.is_whitespace() && *c != '\u{200D}')
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arabic_letters_and_stray_marks_become_one_persian_spelling() {
        // Establishes the normalised display form.
        assert_eq!(normalize("  تعاوني   كشاورزي "), "تعاونی کشاورزی");
        assert_eq!(normalize("تعاونی\u{200C}ها"), "تعاونی\u{200C}ها");
        assert_eq!(normalize("مـــحمد"), "محمد");
    }

    #[test]
    fn spellings_of_one_name_share_a_search_key() {
        // Establishes that ZWNJ, spaces, Arabic letters and digits are folded in search.
        let key = search_key("تعاونی‌ها ۱۲");
        assert_eq!(search_key("تعاونی ها 12"), key);
        assert_eq!(search_key("تعاونيها ١٢"), key);
        assert_eq!(search_key("Taavon Ilam"), "taavonilam");
    }
}
