//! The ministry's festival of a Jalali year: its categories with quotas and criteria,
//! its entry and judging windows and its rules, checked by the core's `Festival::new`.

use taavon_core::access::{Principal, keeps_festivals};
use taavon_core::awards::assignment::AssignmentRules;
use taavon_core::awards::eligibility::EligibilityRules;
use taavon_core::awards::festival::{Category, Festival, Window};
use taavon_core::calendar::{JalaliDate, parse_date_any};
use taavon_core::limits::TextKind;
use taavon_core::timestamp::Timestamp;
use taavon_store::{
    AwardCategory, AwardCriterion, AwardFestival, NewAwardFestival, Store, StoreError,
};

use super::festival_of;
use crate::idempotency::{Begun, Idempotency, begin, finish_idempotent};
use crate::{AppError, FieldError};

/// A festival as the ministry sets it up; what is left out takes the defaults.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FestivalInput {
    pub year: i32,
    /// Days as typed (Jalali or ISO).
    pub entry_opens: String,
    pub entry_closes: String,
    pub judging_opens: String,
    pub judging_closes: String,
    pub judges_per_entry: Option<u32>,
    pub load_max: Option<u32>,
    pub registry_fresh_months: Option<u32>,
    pub registered_months_min: Option<u32>,
    /// None: the ministry's usual categories (`Category::defaults`).
    pub categories: Vec<CategoryInput>,
}

/// A category with its quotas; no criteria: the usual ones.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CategoryInput {
    pub code: String,
    pub name_fa: String,
    pub name_en: String,
    pub provincial_quota: u32,
    pub national_quota: u32,
    pub criteria: Vec<CriterionInput>,
}

/// A criterion judges mark, with its weight.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CriterionInput {
    pub code: String,
    pub name_fa: String,
    pub name_en: String,
    pub weight: u32,
}

/// The most categories and criteria a festival takes (a bound on every list).
const CATEGORIES_MAX: usize = 30;
const CRITERIA_MAX: usize = 20;

/// Creates the festival of a year (the ministry's).
pub async fn create_festival(
    store: &Store,
    principal: &Principal,
    input: &FestivalInput,
    idempotency: Option<Idempotency<'_>>,
    now: Timestamp,
) -> Result<AwardFestival, AppError> {
    check_bounds(input)?;
    if !keeps_festivals(principal) {
        return Err(AppError::Forbidden);
    }
    let new = festival_from(input)?;
    let mut write = match begin(store, principal, idempotency, now).await? {
        Begun::Replay(_) => return festival(store, principal, input.year).await,
        Begun::Fresh(write) => write,
    };
    let id = match write.insert_award_festival(&new).await {
        Ok(id) => id,
        Err(StoreError::Duplicate { .. }) => {
            return Err(AppError::invalid(
                "year",
                "taken",
                "جشنواره این سال پیش‌تر تعریف شده است.",
                "A festival of this year already exists.",
            ));
        }
        Err(other) => return Err(other.into()),
    };
    finish_idempotent(write, principal, idempotency, id).await?;
    festival(store, principal, input.year).await
}

/// The festival of a year with its rounds' states (anyone logged in: the festival's
/// settings are no secret).
pub async fn festival(
    store: &Store,
    _principal: &Principal,
    year: i32,
) -> Result<AwardFestival, AppError> {
    let mut read = store.read().await?;
    let festival = festival_of(&mut read, year).await?;
    read.finish().await?;
    Ok(festival)
}

fn check_bounds(input: &FestivalInput) -> Result<(), AppError> {
    let mut texts = vec![
        (
            "entry_opens",
            Some(input.entry_opens.as_str()),
            TextKind::Date,
        ),
        (
            "entry_closes",
            Some(input.entry_closes.as_str()),
            TextKind::Date,
        ),
        (
            "judging_opens",
            Some(input.judging_opens.as_str()),
            TextKind::Date,
        ),
        (
            "judging_closes",
            Some(input.judging_closes.as_str()),
            TextKind::Date,
        ),
    ];
    for category in &input.categories {
        texts.push((
            "categories.code",
            Some(category.code.as_str()),
            TextKind::Code,
        ));
        texts.push((
            "categories.name_fa",
            Some(category.name_fa.as_str()),
            TextKind::Name,
        ));
        texts.push((
            "categories.name_en",
            Some(category.name_en.as_str()),
            TextKind::Name,
        ));
        for criterion in &category.criteria {
            texts.push((
                "criteria.code",
                Some(criterion.code.as_str()),
                TextKind::Code,
            ));
            texts.push((
                "criteria.name_fa",
                Some(criterion.name_fa.as_str()),
                TextKind::Name,
            ));
            texts.push((
                "criteria.name_en",
                Some(criterion.name_en.as_str()),
                TextKind::Name,
            ));
        }
    }
    crate::bounds::check_texts(&texts)?;
    if input.categories.len() > CATEGORIES_MAX
        || input
            .categories
            .iter()
            .any(|c| c.criteria.len() > CRITERIA_MAX)
    {
        return Err(AppError::invalid(
            "categories",
            "too_many",
            "شمار رشته‌ها یا معیارها بیش از اندازه است.",
            "Too many categories or criteria.",
        ));
    }
    Ok(())
}

/// The stored festival of `input`, every rule of the core's `Festival::new` checked.
fn festival_from(input: &FestivalInput) -> Result<NewAwardFestival, AppError> {
    let mut errors = Vec::new();
    let mut day = |field: &'static str, text: &str| -> Option<JalaliDate> {
        match parse_date_any(text) {
            Ok(day) => Some(JalaliDate::from(day)),
            Err(_) => {
                errors.push(FieldError::new(
                    field,
                    "date",
                    "تاریخ را به شکل ۱۴۰۴/۰۲/۰۱ بنویسید.",
                    "Write the day as 1404/02/01.",
                ));
                None
            }
        }
    };
    let days = [
        day("entry_opens", &input.entry_opens),
        day("entry_closes", &input.entry_closes),
        day("judging_opens", &input.judging_opens),
        day("judging_closes", &input.judging_closes),
    ];
    let [
        Some(entry_opens),
        Some(entry_closes),
        Some(judging_opens),
        Some(judging_closes),
    ] = days
    else {
        return Err(AppError::Invalid(errors));
    };
    let categories: Vec<Category> = if input.categories.is_empty() {
        Category::defaults()
    } else {
        let defaults = Category::defaults()
            .into_iter()
            .next()
            .map(|c| c.criteria)
            .unwrap_or_default();
        input
            .categories
            .iter()
            .map(|category| Category {
                code: category.code.trim().to_owned(),
                name_fa: taavon_core::text::normalize(category.name_fa.trim()),
                name_en: category.name_en.trim().to_owned(),
                provincial_quota: category.provincial_quota as usize,
                national_quota: category.national_quota as usize,
                criteria: if category.criteria.is_empty() {
                    defaults.clone()
                } else {
                    category
                        .criteria
                        .iter()
                        .map(|c| taavon_core::awards::criteria::Criterion {
                            code: c.code.trim().to_owned(),
                            name_fa: taavon_core::text::normalize(c.name_fa.trim()),
                            name_en: c.name_en.trim().to_owned(),
                            weight: c.weight,
                        })
                        .collect()
                },
            })
            .collect()
    };
    let refused =
        |field: &str, rule: &str, fa: &str, en: &str| Err(AppError::invalid(field, rule, fa, en));
    for category in &categories {
        if category.code.is_empty() || category.name_fa.is_empty() {
            return refused(
                "categories",
                "required",
                "هر رشته کد و نام فارسی دارد.",
                "Every category has a code and a Persian name.",
            );
        }
        if category.criteria.iter().map(|c| c.weight).sum::<u32>() == 0 {
            return refused(
                "criteria",
                "no_weight",
                "معیارهای هر رشته باید وزن داشته باشند.",
                "Each category's criteria must weigh something.",
            );
        }
    }
    let windows = (
        Window::new(entry_opens, entry_closes),
        Window::new(judging_opens, judging_closes),
    );
    let checked = match windows {
        (Ok(entries), Ok(judging)) => {
            Festival::new(input.year, categories.clone(), entries, judging)
        }
        (Err(error), _) | (_, Err(error)) => Err(error),
    };
    if let Err(error) = checked {
        let field = match error.rule() {
            "no_category" | "duplicate_category" => "categories",
            "windows_overlap" => "judging_opens",
            "outside_year" => "year",
            _ => "entry_opens",
        };
        return refused(
            field,
            error.rule(),
            "دوره‌های جشنواره درست نیست: دوره ثبت‌نام پیش از دوره داوری و هر دو در سال جشنواره باشند و رشته‌ها یکتا.",
            &error.to_string(),
        );
    }
    let assignment = AssignmentRules::default();
    let eligibility = EligibilityRules::default();
    let positive = |value: Option<u32>, default: usize| -> i64 {
        value.map_or(default as i64, |v| i64::from(v.max(1)))
    };
    Ok(NewAwardFestival {
        year: input.year,
        entry_opens: entry_opens.to_iso().to_string(),
        entry_closes: entry_closes.to_iso().to_string(),
        judging_opens: judging_opens.to_iso().to_string(),
        judging_closes: judging_closes.to_iso().to_string(),
        judges_per_entry: positive(input.judges_per_entry, assignment.judges_per_entry),
        load_max: positive(input.load_max, assignment.load_max),
        registry_fresh_months: input
            .registry_fresh_months
            .map_or(i64::from(eligibility.registry_fresh_months), i64::from),
        registered_months_min: input
            .registered_months_min
            .map_or(i64::from(eligibility.registered_months_min), i64::from),
        categories: categories
            .into_iter()
            .map(|category| AwardCategory {
                code: category.code,
                name_fa: category.name_fa,
                name_en: category.name_en,
                provincial_quota: category.provincial_quota as i64,
                national_quota: category.national_quota as i64,
                criteria: category
                    .criteria
                    .into_iter()
                    .map(|c| AwardCriterion {
                        code: c.code,
                        name_fa: c.name_fa,
                        name_en: c.name_en,
                        weight: i64::from(c.weight),
                    })
                    .collect(),
            })
            .collect(),
    })
}
