//! Persons and their identity: a person's fields checked, one person per national code
//! (created if new, never merged), and a national code recorded under another identity
//! refused without naming what is recorded.

use taavon_core::ids::{MobileNumber, NationalCode};
use taavon_core::limits::TextKind;
use taavon_core::registry::{Gender, Identity};
use taavon_store::{NewPerson, Reader, WriteTx};

use crate::bounds::{BoundedText, Lengths};
use crate::fields::required_text;
use crate::{AppError, FieldError};

/// A person joining a cooperative (or applying as a founder or client).
#[derive(Clone, Debug, Default)]
pub struct PersonInput {
    pub national_code: String,
    pub first_name: String,
    pub last_name: String,
    pub gender: String,
    pub birth_year: Option<i64>,
    pub mobile: Option<String>,
}

impl BoundedText for PersonInput {
    fn check_lengths(&self, lengths: &mut Lengths) {
        lengths
            .text("national_code", &self.national_code, TextKind::Identifier)
            .text("first_name", &self.first_name, TextKind::Name)
            .text("last_name", &self.last_name, TextKind::Name)
            .text("gender", &self.gender, TextKind::Code)
            .optional("mobile", self.mobile.as_deref(), TextKind::Identifier);
    }
}

/// Checks a person's fields; `None` (with errors recorded) when they are wrong.
pub fn validate_person(
    errors: &mut Vec<FieldError>,
    input: &PersonInput,
    province: Option<&str>,
) -> Option<NewPerson> {
    let mut lengths = Lengths::default();
    input.check_lengths(&mut lengths);
    let too_long = lengths.into_errors();
    if !too_long.is_empty() {
        errors.extend(too_long);
        return None;
    }
    let national_code = match NationalCode::parse(&input.national_code) {
        Ok(code) => Some(code),
        Err(error) => {
            errors.push(FieldError::new(
                "national_code",
                error.rule(),
                &format!("کد ملی: {}", error.message_fa()),
                &format!("national_code: {error}"),
            ));
            None
        }
    };
    let first_name = required_text(errors, "first_name", &input.first_name, "نام");
    let last_name = required_text(errors, "last_name", &input.last_name, "نام خانوادگی");
    let gender = Gender::parse_loose(&input.gender);
    if gender.is_none() {
        errors.push(FieldError::new(
            "gender",
            "unknown",
            "جنسیت باید زن یا مرد باشد.",
            "gender must be female or male.",
        ));
    }
    if let Some(year) = input.birth_year
        && !(1900..=2030).contains(&year)
        && !(1280..=1410).contains(&year)
    {
        errors.push(FieldError::new(
            "birth_year",
            "range",
            "سال تولد پذیرفتنی نیست.",
            "birth_year must be a Gregorian (1900–2030) or Jalali (1280–1410) year.",
        ));
    }
    // A Jalali birth year is stored as the Gregorian year it mostly falls in.
    let birth_year = input.birth_year.map(|y| if y < 1500 { y + 621 } else { y });
    let mobile = match input
        .mobile
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty())
    {
        Some(text) => match MobileNumber::parse(text) {
            Ok(mobile) => Some(mobile.as_str().to_owned()),
            Err(error) => {
                errors.push(FieldError::new(
                    "mobile",
                    error.rule(),
                    &format!("شماره همراه: {}", error.message_fa()),
                    &format!("mobile: {error}"),
                ));
                None
            }
        },
        None => None,
    };
    // Without a province (its county was refused) the person's own errors are reported
    // but no person is made: a person always belongs to a province.
    Some(NewPerson {
        province: province?.to_owned(),
        national_code: national_code?.as_str().to_owned(),
        first_name,
        last_name,
        gender: gender?,
        birth_year,
        mobile,
    })
}

/// The person with this national code, created if new (one person per national code).
/// A national code recorded under another identity is refused with `field`, naming
/// nothing of what is recorded; the submitted identity never replaces it.
pub async fn upsert_person(
    write: &mut WriteTx,
    person: &NewPerson,
    field: &str,
) -> Result<i64, AppError> {
    match write.person_by_national_code(&person.national_code).await? {
        Some(existing) if same_identity(&existing.fields, person) => Ok(existing.id),
        Some(_) => Err(AppError::Invalid(vec![identity_mismatch(field)])),
        None => Ok(write.insert_person(person).await?),
    }
}

/// The positions in `persons` whose identity differs from the one recorded for their
/// national code, or (for a code not yet recorded) from its first occurrence in `persons`.
pub(crate) async fn identity_conflicts(
    read: &mut Reader,
    persons: &[&NewPerson],
) -> Result<Vec<usize>, AppError> {
    let codes: Vec<String> = persons.iter().map(|p| p.national_code.clone()).collect();
    let mut known: std::collections::HashMap<String, NewPerson> = read
        .persons_by_national_codes(&codes)
        .await?
        .into_iter()
        .map(|p| (p.fields.national_code.clone(), p.fields))
        .collect();
    let mut conflicts = Vec::new();
    for (index, person) in persons.iter().enumerate() {
        match known.get(&person.national_code) {
            Some(recorded) if !same_identity(recorded, person) => conflicts.push(index),
            Some(_) => {}
            None => {
                known.insert(person.national_code.clone(), (*person).clone());
            }
        }
    }
    Ok(conflicts)
}

/// The error for a national code recorded under another identity.
pub(crate) fn identity_mismatch(field: &str) -> FieldError {
    FieldError::new(
        field,
        "identity_mismatch",
        "این کد ملی با مشخصات دیگری ثبت شده است؛ نام، نام خانوادگی، جنسیت و سال تولد را با کارت ملی تطبیق دهید.",
        "This national code is recorded with other details; check the first and last name, gender and birth year against the national ID card.",
    )
}

fn identity(person: &NewPerson) -> Option<Identity<'_>> {
    Some(Identity {
        first_name: &person.first_name,
        last_name: &person.last_name,
        gender: person.gender,
        birth_year: person.birth_year,
    })
}

fn same_identity(recorded: &NewPerson, submitted: &NewPerson) -> bool {
    match (identity(recorded), identity(submitted)) {
        (Some(recorded), Some(submitted)) => recorded.matches(&submitted),
        _ => false,
    }
}
