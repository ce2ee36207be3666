//! Persian text: one spelling for display, and a folded key for search.

use std::cmp::Ordering;

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

/// The Persian alphabet in dictionary order; آ sorts with ا, and letters outside the
/// table (Latin, digits) sort by code point after it.
const ALPHABET: &str = "اآبپتثجچحخدذرزژسشصضطظعغفقکگلمنوهی";

/// Compares two names in Persian dictionary order (after normalisation, ignoring ZWNJ
/// and spaces, as a telephone book does). Ties fall back to code points so the order is
/// total and stable.
pub fn persian_cmp(a: &str, b: &str) -> Ordering {
    let rank = |c: char| -> (u32, u32) {
        match c {
            'آ' => (0, 1),
            _ => match ALPHABET.chars().position(|letter| letter == c) {
                Some(position) => (u32::try_from(position).unwrap_or(u32::MAX), 0),
                None => (u32::MAX, c as u32),
            },
        }
    };
    let (key_a, key_b) = (search_key(a), search_key(b));
    // Letters first (آ counts as ا), then the آ/ا distinction, then code points.
    let primary = |key: &str| key.chars().map(|c| rank(c).0).collect::<Vec<_>>();
    let secondary = |key: &str| key.chars().map(|c| rank(c).1).collect::<Vec<_>>();
    primary(&key_a)
        .cmp(&primary(&key_b))
        .then_with(|| secondary(&key_b).cmp(&secondary(&key_a)))
        .then_with(|| a.cmp(b))
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
    fn names_sort_in_persian_dictionary_order() {
        // Establishes Persian collation where code-point order is wrong (پ, چ, ژ, گ, ک).
        let mut names = vec![
            "گیلان",
            "کرمان",
            "پارس",
            "بوشهر",
            "آبادان",
            "اراک",
            "یزد",
            "چابهار",
            "ژیان",
        ];
        names.sort_by(|a, b| persian_cmp(a, b));
        assert_eq!(
            names,
            [
                "آبادان",
                "اراک",
                "بوشهر",
                "پارس",
                "چابهار",
                "ژیان",
                "کرمان",
                "گیلان",
                "یزد"
            ]
        );
        assert_eq!(
            persian_cmp("تعاونی‌ها", "تعاونيها").then(std::cmp::Ordering::Equal),
            persian_cmp("تعاونی‌ها", "تعاونيها")
        );
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
