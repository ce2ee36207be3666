//! Persian text: one spelling for display (`normalize`), a folded key for search
//! (`search_key`) and Persian dictionary order (`persian_cmp`).
//!
//! The same name reaches taavon typed on Persian, Arabic and phone keyboards, pasted from
//! Word or from right-to-left web pages, and read from spreadsheets. Without folding, «علي»
//! typed on an Arabic keyboard and «علی» typed on a Persian one are different strings that
//! look alike, and a search for one misses the other.

use std::cmp::Ordering;

use crate::digits::to_ascii_digits;

const ZWNJ: char = '\u{200C}';

/// One spelling of Persian text for storage and display.
///
/// - Arabic letter forms become the Persian ones: ي and ى → ی, ك → ک. Tah marbuta ة → ه as
///   well: the Academy of Persian Language writes such words with ه («مؤسسه», «علامه»), and
///   in names ة nearly always comes from an Arabic keyboard layout. (The few set phrases
///   that keep ة, like «دایرةالمعارف», lose it; a search still finds them.)
/// - Arabic-Indic digits become Persian digits, which draw ۴ ۵ ۶ the Persian way. ASCII
///   digits are left alone: a registration number may be stored in them on purpose.
/// - Tatweel (ـ), short-vowel marks and other harakat are removed: they are decoration,
///   and «مُحَمَّد» is the same name as «محمد». A maddah or hamza written as a separate mark
///   after its letter is joined to it (ا + ٓ → آ, ه + ٔ → ۀ …), the way a keyboard types it.
/// - Direction marks, the byte-order mark and the zero-width joiner are removed: they are
///   invisible, and pasting adds them.
/// - Runs of white space become one space, with none at either end.
/// - The zero-width non-joiner (نیم‌فاصله) is kept between two visible characters, since it
///   changes how a word looks («می‌شود»), and dropped next to a space or at either end,
///   where it does nothing.
///
/// Normalising twice gives the same text as normalising once.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    let mut pending_zwnj = false;
    for c in text.chars() {
        let c = match c {
            'ي' | 'ى' => 'ی',
            'ك' => 'ک',
            'ة' => 'ه',
            '\u{0660}'..='\u{0669}' => char::from_u32(u32::from(c) - 0x0660 + 0x06F0).unwrap_or(c),
            '\u{0653}'..='\u{0655}' => {
                // A separate maddah or hamza joins the letter just before it, if any.
                if !pending_space && !pending_zwnj {
                    let joined = out.chars().next_back().and_then(|base| compose(base, c));
                    if let Some(joined) = joined {
                        out.pop();
                        out.push(joined);
                    }
                }
                continue;
            }
            '\u{0640}' | '\u{064B}'..='\u{065F}' | '\u{0670}' => continue,
            '\u{200D}' | '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{FEFF}' => continue,
            ZWNJ => {
                pending_zwnj = !out.is_empty() && !pending_space;
                continue;
            }
            other => other,
        };
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            pending_zwnj = false;
            continue;
        }
        if pending_space {
            out.push(' ');
        } else if pending_zwnj {
            out.push(ZWNJ);
        }
        pending_space = false;
        pending_zwnj = false;
        out.push(c);
    }
    out
}

/// The search key of a name: the normalised text with
/// - the zero-width non-joiner and spaces removed, so «تعاونی‌ها», «تعاونی ها» and
///   «تعاونيها» all give «تعاونیها» (the price: «آب انبار» also finds «آبانبار»);
/// - the hamza and maddah forms folded to their bare letters (آ أ إ ٱ → ا, ؤ → و, ئ → ی,
///   ۀ → ه), since people type «مسیول» for «مسئول» and «اب» for «آب» on phone keyboards;
/// - digits in ASCII and Latin letters in lower case.
///
/// Keys are compared for equality or by substring (`LIKE`), never shown.
pub fn search_key(text: &str) -> String {
    to_ascii_digits(&normalize(text))
        .chars()
        .filter(|c| *c != ZWNJ && !c.is_whitespace())
        .map(|c| match c {
            'آ' | 'أ' | 'إ' | 'ٱ' => 'ا',
            'ؤ' => 'و',
            'ئ' => 'ی',
            'ۀ' => 'ه',
            other => other,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// Compares two names in Persian dictionary order.
///
/// The letters follow the Persian alphabet (`LETTERS`); Persian sorts before Latin, digits
/// before letters, and white space and punctuation before digits, as in CLDR's Persian
/// collation, which is what ICU would do; this small table stands in for an ICU collator,
/// which would be a large dependency for a pure crate. Like ICU it compares in three
/// passes: first the letters (a letter's variants and the case of Latin letters count as
/// the same letter), then the variants (ا before ٱ, ی before ي), then case and digit
/// script; the zero-width non-joiner, direction marks, tatweel and harakat are ignored.
/// A last tie-break on the text itself makes the order total, so names that differ only
/// in invisible characters still sort the same way every time.
pub fn persian_cmp(a: &str, b: &str) -> Ordering {
    // Each pass walks the two strings afresh, so nothing is allocated; most pairs are
    // decided by the first pass at their first differing letter.
    weights(a)
        .map(|w| w.0)
        .cmp(weights(b).map(|w| w.0))
        .then_with(|| weights(a).map(|w| w.1).cmp(weights(b).map(|w| w.1)))
        .then_with(|| weights(a).map(|w| w.2).cmp(weights(b).map(|w| w.2)))
        .then_with(|| a.cmp(b))
}

/// The Persian alphabet in dictionary order, each letter followed by the variants that
/// sort as that letter (in the order they break ties), after CLDR's Persian tailoring:
/// آ is a letter of its own before ا (as in Dehkhoda and Moein); hamza ء comes after ا and
/// carries the seated hamzas أ إ ؤ ئ; Arabic ك ة ى ي are variants of ک ه ی.
const LETTERS: [&[char]; 34] = [
    &['آ'],
    &['ا', 'ٱ'],
    &['ء', 'أ', 'إ', 'ؤ', 'ئ'],
    &['ب'],
    &['پ'],
    &['ت'],
    &['ث'],
    &['ج'],
    &['چ'],
    &['ح'],
    &['خ'],
    &['د'],
    &['ذ'],
    &['ر'],
    &['ز'],
    &['ژ'],
    &['س'],
    &['ش'],
    &['ص'],
    &['ض'],
    &['ط'],
    &['ظ'],
    &['ع'],
    &['غ'],
    &['ف'],
    &['ق'],
    &['ک', 'ك'],
    &['گ'],
    &['ل'],
    &['م'],
    &['ن'],
    &['و'],
    &['ه', 'ة', 'ۀ', 'ھ'],
    &['ی', 'ى', 'ي'],
];

/// `LETTERS` as a lookup over U+0600..=U+06FF, built at compile time: entry
/// `1 + rank * 8 + variant`, or 0 for a character that is not a Persian letter.
const LETTER_WEIGHTS: [u16; 256] = letter_weights();

// Compile-time only: an index out of bounds fails the build, not a run.
#[allow(clippy::indexing_slicing)]
const fn letter_weights() -> [u16; 256] {
    let mut table = [0u16; 256];
    let mut rank = 0;
    while rank < LETTERS.len() {
        let mut variant = 0;
        while variant < LETTERS[rank].len() {
            let index = LETTERS[rank][variant] as usize - 0x0600;
            table[index] = (1 + rank * 8 + variant) as u16;
            variant += 1;
        }
        rank += 1;
    }
    table
}

/// Primary weight bases: white space < punctuation and symbols < digits < Persian letters
/// < Latin letters < letters of other scripts.
const PRIMARY_PUNCTUATION: u32 = 1;
const PRIMARY_DIGIT: u32 = 0x20_0000;
const PRIMARY_PERSIAN: u32 = 0x30_0000;
const PRIMARY_LATIN: u32 = 0x40_0000;
const PRIMARY_OTHER: u32 = 0x50_0000;

/// The (primary, secondary, tertiary) weights of each character that counts in sorting.
fn weights(text: &str) -> impl Iterator<Item = (u32, u8, u8)> + '_ {
    text.chars().filter_map(weight)
}

fn weight(c: char) -> Option<(u32, u8, u8)> {
    let code = u32::from(c);
    match c {
        // Invisible or decorative: no weight at all.
        ZWNJ
        | '\u{200D}'
        | '\u{200E}'
        | '\u{200F}'
        | '\u{061C}'
        | '\u{FEFF}'
        | '\u{0640}'
        | '\u{064B}'..='\u{065F}'
        | '\u{0670}' => None,
        '0'..='9' => Some((PRIMARY_DIGIT + code - u32::from('0'), 0, 0)),
        '\u{06F0}'..='\u{06F9}' => Some((PRIMARY_DIGIT + code - 0x06F0, 0, 1)),
        '\u{0660}'..='\u{0669}' => Some((PRIMARY_DIGIT + code - 0x0660, 0, 2)),
        'a'..='z' => Some((PRIMARY_LATIN + code, 0, 0)),
        'A'..='Z' => Some((PRIMARY_LATIN + code + 32, 0, 1)),
        _ if c.is_whitespace() => Some((0, 0, 0)),
        '\u{0600}'..='\u{06FF}' => {
            let packed = LETTER_WEIGHTS
                .get((code - 0x0600) as usize)
                .copied()
                .unwrap_or(0);
            if packed == 0 && c.is_alphanumeric() {
                Some((PRIMARY_OTHER + code, 0, 0))
            } else if packed == 0 {
                // Arabic-script punctuation (، ؛ ؟ ٬) sorts with the other punctuation.
                Some((PRIMARY_PUNCTUATION + code, 0, 0))
            } else {
                let packed = u32::from(packed - 1);
                Some((PRIMARY_PERSIAN + packed / 8, (packed % 8) as u8, 0))
            }
        }
        _ if c.is_alphanumeric() => Some((PRIMARY_OTHER + code, 0, 0)),
        _ => Some((PRIMARY_PUNCTUATION + code, 0, 0)),
    }
}

/// The precomposed letter for a base letter followed by a combining maddah (U+0653),
/// hamza above (U+0654) or hamza below (U+0655), as Unicode's canonical composition has it.
fn compose(base: char, mark: char) -> Option<char> {
    match (base, mark) {
        ('ا', '\u{0653}') => Some('آ'),
        ('ا', '\u{0654}') => Some('أ'),
        ('ا', '\u{0655}') => Some('إ'),
        ('و', '\u{0654}') => Some('ؤ'),
        ('ی', '\u{0654}') => Some('ئ'),
        ('ه', '\u{0654}') => Some('ۀ'),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn arabic_letters_and_stray_marks_become_one_persian_spelling() {
        // Establishes the normalised display form.
        assert_eq!(normalize("  تعاوني   كشاورزي "), "تعاونی کشاورزی");
        assert_eq!(normalize("تعاونی\u{200C}ها"), "تعاونی\u{200C}ها");
        assert_eq!(normalize("مـــحمد"), "محمد");
        assert_eq!(normalize("مُحَمَّد"), "محمد");
        assert_eq!(normalize("مؤسسة"), "مؤسسه");
        assert_eq!(normalize("پلاک ١٢"), "پلاک ۱۲");
        assert_eq!(normalize("پلاک 12"), "پلاک 12");
        assert_eq!(normalize("\u{200F}علی\u{200E}"), "علی");
    }

    #[test]
    fn separate_maddah_and_hamza_marks_join_their_letters() {
        // Establishes composition of decomposed آ and ۀ as a keyboard would type them.
        assert_eq!(normalize("ا\u{0653}ب"), "آب");
        assert_eq!(normalize("خانه\u{0654}"), "خانۀ");
        assert_eq!(normalize("مسی\u{0654}ول"), "مسئول");
        // A mark with no letter before it is dropped, not joined across a space.
        assert_eq!(normalize("ا \u{0653}ب"), "ا ب");
    }

    #[test]
    fn a_zero_width_non_joiner_is_kept_only_inside_a_word() {
        // Establishes where ZWNJ survives normalisation.
        assert_eq!(
            normalize("\u{200C}می\u{200C}\u{200C}شود\u{200C}"),
            "می\u{200C}شود"
        );
        assert_eq!(normalize("تعاونی\u{200C} ها"), "تعاونی ها");
        assert_eq!(normalize("تعاونی \u{200C}ها"), "تعاونی ها");
    }

    #[test]
    fn spellings_of_one_name_share_a_search_key() {
        // Establishes that ZWNJ, spaces, Arabic letters, hamza forms and digits are folded.
        let key = search_key("تعاونی‌ها ۱۲");
        assert_eq!(search_key("تعاونی ها 12"), key);
        assert_eq!(search_key("تعاونيها ١٢"), key);
        assert_eq!(search_key("مسئول"), search_key("مسیول"));
        assert_eq!(search_key("آب"), search_key("اب"));
        assert_eq!(search_key("Taavon Ilam"), "taavonilam");
    }

    #[test]
    fn names_sort_in_persian_dictionary_order() {
        // Establishes Persian collation where code-point order is wrong (پ چ ژ ک گ come
        // after the Arabic letters in Unicode), with آ as its own letter before ا.
        let mut names = vec![
            "گیلان",
            "کرمان",
            "پارس",
            "بوشهر",
            "اراک",
            "آبادان",
            "یزد",
            "چابهار",
            "ژیان",
            "هرمزگان",
            "ورامین",
            "Zanjan",
            "۱۲ فروردین",
            "اردبیل",
        ];
        names.sort_by(|a, b| persian_cmp(a, b));
        assert_eq!(
            names,
            [
                "۱۲ فروردین",
                "آبادان",
                "اراک",
                "اردبیل",
                "بوشهر",
                "پارس",
                "چابهار",
                "ژیان",
                "کرمان",
                "گیلان",
                "ورامین",
                "هرمزگان",
                "یزد",
                "Zanjan",
            ]
        );
    }

    #[test]
    fn arabic_forms_sort_with_their_persian_letters_and_break_ties_after_them() {
        // Establishes the second pass: variants count as their letter, and only decide
        // when everything else is equal.
        assert_eq!(persian_cmp("علي", "علی"), Ordering::Greater);
        assert_eq!(persian_cmp("علي", "علیا"), Ordering::Less);
        // ك is ک: «كرج» sorts by its letters, before «کرد».
        assert_eq!(persian_cmp("كرج", "کرد"), Ordering::Less);
        // Invisible characters do not count, but the order stays total.
        assert_eq!(persian_cmp("می‌شود", "میشود"), Ordering::Greater);
        assert_eq!(persian_cmp("میشود", "می‌شود"), Ordering::Less);
        // Words sort word by word: a space comes before any letter.
        assert_eq!(persian_cmp("آب انبار", "آباد"), Ordering::Less);
        // Persian punctuation sorts with punctuation, before digits and letters.
        assert_eq!(persian_cmp("الف، ب", "الف1"), Ordering::Less);
    }

    proptest! {
        #[test]
        fn normalising_is_idempotent_and_search_keys_ignore_it(text in "[\\u{0600}-\\u{06FF}\\u{200C}-\\u{200F} a-zA-Z0-9]{0,24}") {
            // Establishes normalize(normalize(x)) = normalize(x) and that a key is the same
            // whether the text was normalised first or not.
            let once = normalize(&text);
            prop_assert_eq!(normalize(&once), once.clone());
            prop_assert_eq!(search_key(&once), search_key(&text));
        }

        #[test]
        fn persian_order_is_a_total_order(a in "[\\u{0621}-\\u{064A}\\u{067E}\\u{06A9}\\u{06CC} ]{0,6}", b in "[\\u{0621}-\\u{064A}\\u{067E}\\u{06A9}\\u{06CC} ]{0,6}", c in "[\\u{0621}-\\u{064A}\\u{067E}\\u{06A9}\\u{06CC} ]{0,6}") {
            // Establishes antisymmetry, consistency with equality and transitivity, which
            // sorting relies on.
            prop_assert_eq!(persian_cmp(&a, &b), persian_cmp(&b, &a).reverse());
            prop_assert_eq!(persian_cmp(&a, &b) == Ordering::Equal, a == b);
            if persian_cmp(&a, &b) != Ordering::Greater && persian_cmp(&b, &c) != Ordering::Greater {
                prop_assert_ne!(persian_cmp(&a, &c), Ordering::Greater);
            }
        }
    }
}
