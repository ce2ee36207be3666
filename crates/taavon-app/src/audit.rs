//! Reading and verifying the audit trail.

use taavon_core::access::{self, Action, Principal, Resource};
use taavon_core::calendar::{IsoDate, TEHRAN_OFFSET_SECONDS};
use taavon_core::limits::TextKind;
use taavon_core::timestamp::Timestamp;
use taavon_store::{
    Actor, AuditCheckpoint, AuditFilter, AuditHead, AuditKey, AuditRecord, AuditVerification, Store,
};

use crate::fields::optional_day;
use crate::{AppError, FieldError};

/// The most audit records one request returns.
pub const AUDIT_PAGE_MAX: i64 = 1_000;

/// The newest audit records (auditors and ministry admins only).
pub async fn list_audit(
    store: &Store,
    principal: &Principal,
    limit: i64,
    before_seq: Option<i64>,
) -> Result<Vec<AuditRecord>, AppError> {
    AppError::from_decision(access::decide(
        Some(principal),
        Action::Read,
        Resource::AuditTrail,
    ))?;
    let (limit, _) = crate::bounds::page(limit, 0, AUDIT_PAGE_MAX)?;
    let mut read = store.read().await?;
    let records = read.audit_records(limit, before_seq).await?;
    read.finish().await?;
    Ok(records)
}

/// An audit search as typed (the audit page's filters): every field optional, the dates
/// Tehran's calendar days in Jalali or Gregorian, in any digits, both days included.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditSearch {
    /// The actor as recorded (`user:1:admin`).
    pub actor: Option<String>,
    pub action: Option<String>,
    pub entity: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
}

impl AuditSearch {
    /// The store's filter, or every field that is not one, named.
    pub fn filter(&self) -> Result<AuditFilter, AppError> {
        crate::bounds::check_texts(&[
            ("actor", self.actor.as_deref(), TextKind::Reference),
            ("action", self.action.as_deref(), TextKind::Code),
            ("entity", self.entity.as_deref(), TextKind::Code),
            ("from", self.from.as_deref(), TextKind::Date),
            ("to", self.to.as_deref(), TextKind::Date),
        ])?;
        let mut errors = Vec::new();
        let (from, to) = (
            optional_day(&mut errors, "from", self.from.as_deref()),
            optional_day(&mut errors, "to", self.to.as_deref()),
        );
        if let (Some(from), Some(to)) = (from, to)
            && to < from
        {
            errors.push(FieldError::new(
                "to",
                "before_from",
                "«تا تاریخ» پیش از «از تاریخ» است.",
                "The end date is before the start date.",
            ));
        }
        let filter = AuditFilter {
            actor: non_empty(&self.actor),
            action: non_empty(&self.action),
            entity: non_empty(&self.entity),
            at_or_after: from.map(tehran_midnight),
            before: to.map(|day| {
                tehran_midnight(IsoDate::from_days_since_unix_epoch(
                    day.days_since_unix_epoch() + 1,
                ))
            }),
        };
        crate::bounds::valid(errors, filter)
    }
}

fn non_empty(text: &Option<String>) -> Option<String> {
    text.as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

/// The instant a day begins in Tehran, as the trail stores instants (RFC 3339, UTC).
fn tehran_midnight(day: IsoDate) -> String {
    let seconds = day.days_since_unix_epoch() * 86_400 - TEHRAN_OFFSET_SECONDS;
    Timestamp::from_unix_millis_clamped(seconds * 1000).to_string()
}

/// The audit records `search` matches, newest first, `limit` at most, before the record
/// `before_seq` when given (auditors and ministry admins only).
pub async fn search_audit(
    store: &Store,
    principal: &Principal,
    search: &AuditSearch,
    limit: i64,
    before_seq: Option<i64>,
) -> Result<Vec<AuditRecord>, AppError> {
    AppError::from_decision(access::decide(
        Some(principal),
        Action::Read,
        Resource::AuditTrail,
    ))?;
    let filter = search.filter()?;
    let (limit, _) = crate::bounds::page(limit, 0, AUDIT_PAGE_MAX)?;
    let mut read = store.read().await?;
    let records = read
        .audit_records_matching(&filter, limit, before_seq)
        .await?;
    read.finish().await?;
    Ok(records)
}

/// Every actor the trail names, each with the name of the person behind it (the user's
/// display name; the system's actors keep their label), for the audit page's filter and
/// to show people rather than login names.
pub async fn actors(
    store: &Store,
    principal: &Principal,
) -> Result<Vec<(String, Option<String>)>, AppError> {
    AppError::from_decision(access::decide(
        Some(principal),
        Action::Read,
        Resource::AuditTrail,
    ))?;
    let mut read = store.read().await?;
    let actors = read.audit_actors().await?;
    let users = read.users().await?;
    read.finish().await?;
    Ok(actors
        .into_iter()
        .map(|actor| {
            let name = users
                .iter()
                .find(|user| {
                    let recorded = Actor::User {
                        id: user.id,
                        username: user.username.clone(),
                    };
                    recorded.label() == actor
                })
                .map(|user| user.display_name.clone());
            (actor, name)
        })
        .collect())
}

/// As `verify`, for a reader of the audit trail (auditors and ministry admins): the
/// audit page's check, asked of the policy like the records it lists.
pub async fn verify_for(
    store: &Store,
    principal: &Principal,
) -> Result<AuditVerification, AppError> {
    AppError::from_decision(access::decide(
        Some(principal),
        Action::Read,
        Resource::AuditTrail,
    ))?;
    verify(store).await
}

/// Recomputes the whole hash chain (and, with the store's audit key, every MAC): the
/// operator's check (`taavon audit verify`), which asks no policy.
pub async fn verify(store: &Store) -> Result<AuditVerification, AppError> {
    Ok(store.verify_audit().await?)
}

/// As `verify`, and against a checkpoint kept elsewhere: nothing up to it changed and
/// nothing was cut.
pub async fn verify_since(
    store: &Store,
    checkpoint: &AuditCheckpoint,
) -> Result<AuditVerification, AppError> {
    Ok(store.verify_audit_since(checkpoint).await?)
}

/// The chain's head with a MAC, to keep elsewhere; `Err` with the verification when the
/// chain is broken (a checkpoint of a broken chain would vouch for the break).
pub async fn checkpoint(
    store: &Store,
) -> Result<Result<AuditCheckpoint, AuditVerification>, AppError> {
    let verification = store.verify_audit().await?;
    if verification.first_broken.is_some() {
        return Ok(Err(verification));
    }
    Ok(Ok(store.audit_checkpoint(&verification)?))
}

/// Where the chain ends and whether it is keyed.
pub async fn head(store: &Store) -> Result<AuditHead, AppError> {
    let mut read = store.read().await?;
    let head = read.audit_head().await?;
    read.finish().await?;
    Ok(head)
}

/// A new random audit key.
pub fn generate_key() -> AuditKey {
    let mut bytes = [0u8; 32];
    rand::fill(&mut bytes[..]);
    AuditKey::from_bytes(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_audit_search_takes_jalali_days_in_any_digits_as_tehran_days() {
        // Establishes the date range: both days included, each a whole day in Tehran
        // (which starts at 20:30 UTC the evening before).
        let search = AuditSearch {
            from: Some("۱۴۰۴/۰۶/۰۹".into()),
            to: Some("1404/06/09".into()),
            action: Some(" loan.transaction ".into()),
            ..AuditSearch::default()
        };
        let filter = search.filter().unwrap();
        assert_eq!(
            filter.at_or_after.as_deref(),
            Some("2025-08-30T20:30:00.000Z")
        );
        assert_eq!(filter.before.as_deref(), Some("2025-08-31T20:30:00.000Z"));
        assert_eq!(filter.action.as_deref(), Some("loan.transaction"));
        assert_eq!(filter.actor, None);
    }

    #[test]
    fn an_audit_search_names_a_bad_date_and_a_range_that_ends_before_it_starts() {
        // Establishes that bad input is refused naming the field and its rule.
        let bad = AuditSearch {
            from: Some("1404/13/40".into()),
            ..AuditSearch::default()
        };
        let AppError::Invalid(errors) = bad.filter().unwrap_err() else {
            panic!("not a field error")
        };
        assert_eq!(errors[0].field, "from");
        let backwards = AuditSearch {
            from: Some("1404/06/10".into()),
            to: Some("1404/06/09".into()),
            ..AuditSearch::default()
        };
        let AppError::Invalid(errors) = backwards.filter().unwrap_err() else {
            panic!("not a field error")
        };
        assert_eq!(
            (errors[0].field.as_str(), errors[0].rule.as_str()),
            ("to", "before_from")
        );
    }
}
