//! A cooperative's members: who they are (for those who may read its people) and
//! adding one, the person created if their national code is new.

use taavon_core::access::{Action, Principal};
use taavon_core::ids::NationalCode;
use taavon_core::limits::TextKind;
use taavon_core::timestamp::Timestamp;
use taavon_store::{NewMembership, Person, Store, WriteTx};

use crate::cooperatives::{may, may_read_people};
use crate::fields::{optional_date, today_iso};
use crate::idempotency::{Begun, Idempotency, begin, finish_idempotent};
use crate::persons::{PersonInput, upsert_person, validate_person};
use crate::{AppError, FieldError};

/// The current members of a cooperative, if the principal reads its people (a bank only
/// those of its borrowers).
pub async fn members(
    store: &Store,
    principal: &Principal,
    cooperative_id: i64,
) -> Result<Vec<Person>, AppError> {
    let mut read = store.read().await?;
    may_read_people(&mut read, principal, cooperative_id).await?;
    let members = read.members_of(cooperative_id).await?;
    read.finish().await?;
    Ok(members)
}

/// Adds a member (creating the person if their national code is new).
pub async fn add_member(
    store: &Store,
    principal: &Principal,
    cooperative_id: i64,
    input: &PersonInput,
    joined_on: Option<&str>,
    idempotency: Option<Idempotency<'_>>,
    now: Timestamp,
) -> Result<Person, AppError> {
    crate::bounds::check_texts(&[("joined_on", joined_on, TextKind::Date)])?;
    let mut write = match begin(store, principal, idempotency, now).await? {
        Begun::Replay(id) => return person_by_id(store, cooperative_id, id).await,
        Begun::Fresh(write) => write,
    };
    let cooperative = write
        .cooperative(cooperative_id)
        .await?
        .ok_or(AppError::NotFound)?;
    may(principal, Action::Update, &cooperative)?;
    let mut errors = Vec::new();
    let joined_on =
        optional_date(&mut errors, "joined_on", joined_on).unwrap_or_else(|| today_iso(now));
    let person = validate_person(&mut errors, input, Some(&cooperative.fields.province));
    let Some(person) = person.filter(|_| errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    let person_id = upsert_person(&mut write, &person, "national_code").await?;
    if write.is_member(cooperative_id, person_id).await? {
        return Err(AppError::invalid(
            "national_code",
            "already_member",
            "این شخص هم‌اکنون عضو این تعاونی است.",
            "This person is already a member of this cooperative.",
        ));
    }
    write
        .insert_membership(&NewMembership {
            province: cooperative.fields.province.clone(),
            cooperative_id,
            person_id,
            board_role: None,
            joined_on,
        })
        .await?;
    let person_id = finish_idempotent(write, principal, idempotency, person_id).await?;
    person_by_id(store, cooperative_id, person_id).await
}

async fn person_by_id(
    store: &Store,
    cooperative_id: i64,
    person_id: i64,
) -> Result<Person, AppError> {
    let mut read = store.read().await?;
    let members = read.members_of(cooperative_id).await?;
    read.finish().await?;
    members
        .into_iter()
        .find(|p| p.id == person_id)
        .ok_or(AppError::NotFound)
}

pub(crate) async fn member_by_code(
    write: &mut WriteTx,
    errors: &mut Vec<FieldError>,
    cooperative_id: i64,
    field: &str,
    text: &str,
) -> Result<Option<i64>, AppError> {
    let code = match NationalCode::parse(text) {
        Ok(code) => code,
        Err(error) => {
            errors.push(FieldError::new(
                field,
                error.rule(),
                &format!("کد ملی: {}", error.message_fa()),
                &format!("{field}: {error}"),
            ));
            return Ok(None);
        }
    };
    let person = write.person_by_national_code(code.as_str()).await?;
    match person {
        Some(person) if write.is_member(cooperative_id, person.id).await? => Ok(Some(person.id)),
        _ => {
            errors.push(FieldError::new(
                field,
                "not_member",
                "این شخص عضو این تعاونی نیست.",
                "This person is not a member of this cooperative.",
            ));
            Ok(None)
        }
    }
}
