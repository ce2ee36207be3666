//! The festival of top cooperators in the UI (issue 16), a file per side: `festival` the
//! festivals' list, the ministry's new festival form and one festival's page (its
//! categories and rules, its rounds and their moves, the entry or nomination form with
//! the cooperative's eligibility shown before); `lists` the festival's entries (with the
//! judging's progress for those who follow it), the panel with the appointment form, a
//! closed round's ranking and a judge's own entries; `public` the published results and
//! the certificate check, without login; `entry` one entry, with the judge's marks form.
//! Every code is shown by its label (`names`), every number in the reader's digits and
//! every day in Jalali; every list has its export and print.

mod entry;
mod festival;
mod lists;
mod public;

pub use entry::{entry, mark, submit};
pub use festival::{create, enter, move_round, new_form, one, overview};
pub use lists::{appoint, entries, my_entries, panel, ranking};
pub use public::{certificate_check, results};

use std::collections::HashMap;

use taavon_app::AppError;
use taavon_app::awards::{self, AwardFestival};

use super::i18n::Lang;

/// The words the festival's pages share, Persian and English.
pub(super) struct Words {
    pub festivals: &'static str,
    pub festival: &'static str,
    pub year: &'static str,
    pub entry_window: &'static str,
    pub judging_window: &'static str,
    pub provincial_round: &'static str,
    pub national_round: &'static str,
    pub number: &'static str,
    pub cooperative: &'static str,
    pub province: &'static str,
    pub category: &'static str,
    pub route: &'static str,
    pub eligibility: &'static str,
    pub eligible: &'static str,
    pub not_eligible: &'static str,
    pub prescore: &'static str,
    pub round: &'static str,
    pub state: &'static str,
    pub judges_submitted: &'static str,
    pub rank: &'static str,
    pub standing: &'static str,
    pub band: &'static str,
    pub entries: &'static str,
    pub ranking: &'static str,
    pub results: &'static str,
    pub panel: &'static str,
    pub my_entries: &'static str,
    pub judge: &'static str,
    pub marked: &'static str,
    pub submitted: &'static str,
    pub yes: &'static str,
    pub no: &'static str,
    pub none: &'static str,
    pub of: &'static str,
}

const FA: Words = Words {
    festivals: "جشنواره تعاونگران برتر",
    festival: "جشنواره تعاونگران برتر سال",
    year: "سال",
    entry_window: "دوره ثبت‌نام",
    judging_window: "دوره داوری",
    provincial_round: "دور استانی",
    national_round: "دور ملی",
    number: "شماره پرونده",
    cooperative: "تعاونی",
    province: "استان",
    category: "رشته",
    route: "راه ورود",
    eligibility: "شرایط شرکت",
    eligible: "دارای شرایط",
    not_eligible: "بدون شرایط",
    prescore: "امتیاز اولیه",
    round: "دور",
    state: "وضعیت دور",
    judges_submitted: "داوران نمره‌داده",
    rank: "رتبه",
    standing: "نتیجه",
    band: "سطح امتیاز",
    entries: "پرونده‌های جشنواره",
    ranking: "رتبه‌بندی دور",
    results: "نتایج جشنواره تعاونگران برتر",
    panel: "هیئت داوران",
    my_entries: "پرونده‌های داوری من",
    judge: "داور",
    marked: "نمره داده‌اید",
    submitted: "فرستاده‌اید",
    yes: "بله",
    no: "خیر",
    none: "—",
    of: "از",
};

const EN: Words = Words {
    festivals: "Festival of top cooperators",
    festival: "Festival of top cooperators",
    year: "Year",
    entry_window: "Entry window",
    judging_window: "Judging window",
    provincial_round: "Provincial round",
    national_round: "National round",
    number: "Entry number",
    cooperative: "Cooperative",
    province: "Province",
    category: "Category",
    route: "How it came in",
    eligibility: "Eligibility",
    eligible: "Eligible",
    not_eligible: "Not eligible",
    prescore: "Pre-score",
    round: "Round",
    state: "Round state",
    judges_submitted: "Judges submitted",
    rank: "Rank",
    standing: "Result",
    band: "Score band",
    entries: "Festival entries",
    ranking: "Round ranking",
    results: "Results of the festival of top cooperators",
    panel: "Panel of judges",
    my_entries: "My entries to judge",
    judge: "Judge",
    marked: "Marked",
    submitted: "Submitted",
    yes: "Yes",
    no: "No",
    none: "—",
    of: "of",
};

pub(super) fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::Fa => &FA,
        Lang::En => &EN,
    }
}

/// A Jalali year in the reader's digits, never grouped (`۱۴۰۵`).
pub(super) fn year_text(lang: Lang, year: i32) -> String {
    lang.digits(&year.to_string())
}

/// A pre-score or mark to one decimal, in the reader's digits.
pub(super) fn score_text(lang: Lang, score: f64) -> String {
    lang.decimal(&format!("{score:.1}"))
}

/// The festival a list page shows: the `year` its address names, or the newest one
/// (`None` when there is none yet).
pub(super) async fn festival_asked(
    store: &taavon_app::Store,
    raw: &HashMap<String, String>,
    newest: impl Fn(&AwardFestival) -> bool,
) -> Result<Option<AwardFestival>, AppError> {
    let festivals = awards::festivals(store).await?;
    match raw.get("year").map(|y| y.trim()).filter(|y| !y.is_empty()) {
        Some(typed) => {
            let digits = taavon_core::digits::to_ascii_digits(typed);
            let year = digits.parse::<i32>().map_err(|_| {
                AppError::invalid(
                    "year",
                    "format",
                    "سال جشنواره را با رقم بنویسید.",
                    "Write the festival's year in digits.",
                )
            })?;
            festivals
                .into_iter()
                .find(|f| f.fields.year == year)
                .map(Some)
                .ok_or(AppError::NotFound)
        }
        None => Ok(festivals.into_iter().find(|f| newest(f))),
    }
}
