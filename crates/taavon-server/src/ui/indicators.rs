//! The balanced-development indicators as a reader sees them (the transparency pages,
//! an allocation round's what-ifs): each with its name and what it says, and the note
//! that a pro-poor allocation raises the Gini.

use taavon_core::indicators::Indicators;

use super::i18n::Lang;

/// The indicators as a reader sees them, each with what it says.
pub(super) fn lines(lang: Lang, i: &Indicators) -> Vec<(&'static str, String, &'static str)> {
    let figure = |x: f64| lang.decimal(&format!("{x:.3}"));
    vec![
        (
            lang.pick("ضریب جینی سرانه", "Per-capita Gini"),
            figure(i.gini),
            lang.pick(
                "۰ برابر کامل؛ ۱ نابرابر کامل",
                "0 perfectly even; 1 wholly uneven",
            ),
        ),
        (
            lang.pick("شاخص تایل", "Theil T"),
            figure(i.theil),
            lang.pick(
                "نابرابری سرانه، بخش‌پذیر",
                "per-capita inequality, decomposable",
            ),
        ),
        (
            lang.pick("تایل میان استان‌ها", "Theil between provinces"),
            figure(i.theil_between),
            lang.pick("سهم تفاوت استان‌ها", "the part due to provinces differing"),
        ),
        (
            lang.pick("تایل درون استان‌ها", "Theil within provinces"),
            figure(i.theil_within),
            lang.pick(
                "سهم تفاوت شهرستان‌های یک استان",
                "the part within each province",
            ),
        ),
        (
            lang.pick(
                "شاخص تمرکز بر پایهٔ محرومیت",
                "Concentration index by deprivation",
            ),
            figure(i.concentration_index),
            lang.pick(
                "منفی: به سود محروم‌ترها",
                "negative: in favour of the most deprived",
            ),
        ),
    ]
}

/// What a reader must know to read them: a pro-poor allocation raises the Gini.
pub(super) fn note(lang: Lang) -> &'static str {
    lang.pick(
        "پرداختِ بیشتر به شهرستان‌های محروم ضریب جینی سرانه را بالا می‌برد؛ شاخص تمرکز منفی یعنی پول نخست به محروم‌ترها رسیده است.",
        "Lending more to deprived counties raises the per-capita Gini; a negative concentration index means the money reached the most deprived first.",
    )
}
