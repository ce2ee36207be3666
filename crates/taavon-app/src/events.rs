//! Events (issue 19): what a use case emits next to its audit entry, in the same write
//! transaction, and the scoped pull of them (`GET /api/v1/events`). The `data` of an
//! event is the resource as it stands after the change, read inside the transaction.

use std::collections::HashMap;

use serde_json::json;
use taavon_core::access::{Principal, event_scope};
use taavon_core::events::{EventConcern, EventType};
use taavon_core::ids::NationalCode;
use taavon_core::impact::HireStatus;
use taavon_core::loans::classification::LoanClass;
use taavon_core::support::{RequestStatus, Unit};
use taavon_store::{Application, EventRecord, Loan, NewEvent, NewSupportRequest, Store, WriteTx};

use crate::AppError;

/// The most events a page answers.
pub const EVENTS_PAGE_MAX: i64 = 1000;
/// The default page.
pub const EVENTS_PAGE_DEFAULT: i64 = 100;
/// How many stored events one page looks through for the reader's (so a narrow scope
/// over a busy stream answers a short page with a cursor further on, never a slow one).
const SCANNED_PER_PAGE: i64 = 5000;

/// A page of events and the cursor to ask after next (the last event looked at, so a
/// reader resumes past events outside its scope).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventPage {
    pub items: Vec<EventRecord>,
    pub next: i64,
}

/// A new public event id: `evt_` and 32 hex digits, the first 12 the milliseconds since
/// the Unix epoch and the other 20 random (UUIDv7's layout). Ids led by the time make the
/// unique index on `event_id` grow at its end, as the events' own sequence does; random
/// ids put each of a verification's hundreds of thousands of events on a random leaf.
pub fn new_event_id() -> String {
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| since.as_millis());
    let random = rand::random::<u128>() & ((1 << 80) - 1);
    format!("evt_{:032x}", (millis & ((1 << 48) - 1)) << 80 | random)
}

/// Emits one event with the change `write` holds.
pub fn emit(
    write: &mut WriteTx,
    event_type: EventType,
    concern: EventConcern,
    resource_id: impl ToString,
    data: serde_json::Value,
) {
    write.emit(NewEvent {
        event_id: new_event_id(),
        event_type,
        concern,
        resource_id: resource_id.to_string(),
        data,
    });
}

/// An application as its events show it.
pub fn application_data(application: &Application) -> serde_json::Value {
    let f = &application.fields;
    json!({
        "id": application.id,
        "status": f.status.code(),
        "province": f.province,
        "county": f.county,
        "program": f.program,
        "applicant_kind": f.applicant_kind.code(),
        "cooperative_id": f.cooperative_id,
        "client_id": f.client_id,
        "sector": f.sector,
        "amount_rial": f.amount_rial,
        "jobs": f.jobs,
        "women_jobs": f.women_jobs,
        "tier": application.tier,
        "referred_bank": application.referred_bank.as_ref().map(|b| b.as_str()),
        "referred_branch": application.referred_branch.as_ref().map(|b| b.as_str()),
        "version": application.version,
    })
}

/// A loan as its events show it.
pub fn loan_data(loan: &Loan) -> serde_json::Value {
    let f = &loan.fields;
    json!({
        "id": loan.id,
        "application_id": f.application_id,
        "province": f.province,
        "program": f.program,
        "cooperative_id": f.cooperative_id,
        "client_id": f.client_id,
        "bank": f.bank.as_str(),
        "branch": f.branch.as_str(),
        "contract_no": f.contract_no,
        "contract_type": f.contract_type.code(),
        "principal_rial": f.principal_rial,
        "rate_bp": f.rate_bp,
        "months": f.months,
        "contracted_on": f.contracted_on,
        "status": loan.status.code(),
        "disbursed_rial": loan.disbursed_rial,
        "outstanding_principal_rial": loan.state.outstanding_principal_rial,
        "class": loan.class.code(),
        "schedule_version": loan.schedule_version,
        "version": loan.version,
    })
}

/// Emits `event_type` for a support request: whom it concerns is its province, its
/// cooperative and the unit it was routed to (an agency or a bank).
pub fn emit_support_request(
    write: &mut WriteTx,
    event_type: EventType,
    id: i64,
    request: &NewSupportRequest,
    status: RequestStatus,
) {
    let (bank, agency) = match &request.unit {
        Unit::Bank(bank) => (Some(bank.as_str().to_owned()), None),
        Unit::Agency(agency) => (None, Some(agency.as_str().to_owned())),
        Unit::ProvincialOffice => (None, None),
    };
    let concern = EventConcern {
        province: request.province.as_str().to_owned(),
        bank,
        agency,
        cooperative_id: request.cooperative_id,
    };
    let data = json!({
        "id": id,
        "province": request.province.as_str(),
        "cooperative_id": request.cooperative_id,
        "client_id": request.client_id,
        "kind": request.kind.code(),
        "topic": request.topic,
        "unit_kind": request.unit.kind().code(),
        "unit_code": request.unit.code(),
        "status": status.code(),
        "filed_on": request.filed_on,
        "deadline": request.deadline,
    });
    emit(write, event_type, concern, id, data);
}

/// Emits `event_type` for the application `id` as it stands in `write`.
pub async fn emit_application(
    write: &mut WriteTx,
    event_type: EventType,
    id: i64,
) -> Result<(), AppError> {
    let application = write
        .application(id)
        .await?
        .ok_or_else(|| AppError::Internal("an application vanished in its own move".into()))?;
    let concern = EventConcern {
        province: application.fields.province.clone(),
        bank: application
            .referred_bank
            .as_ref()
            .map(|b| b.as_str().to_owned()),
        agency: None,
        cooperative_id: application.fields.cooperative_id,
    };
    emit(
        write,
        event_type,
        concern,
        id,
        application_data(&application),
    );
    Ok(())
}

/// Emits `event_type` for the loan `id` as it stands in `write`, with `extra` (the
/// transaction that caused it) under `transaction`.
pub async fn emit_loan(
    write: &mut WriteTx,
    event_type: EventType,
    id: i64,
    extra: Option<serde_json::Value>,
) -> Result<(), AppError> {
    let loan = write
        .loan(id)
        .await?
        .ok_or_else(|| AppError::Internal("a loan vanished in its own change".into()))?;
    let mut data = loan_data(&loan);
    if let (Some(extra), Some(object)) = (extra, data.as_object_mut()) {
        object.insert("transaction".into(), extra);
    }
    emit(write, event_type, loan_concern(&loan), id, data);
    Ok(())
}

/// Emits `loan.class_changed` for each loan end of day moved to another CBI class (with
/// the class it left), the loans read back in the batch's transaction.
pub async fn emit_class_changes(
    write: &mut WriteTx,
    changes: &[(i64, LoanClass)],
) -> Result<(), AppError> {
    let ids: Vec<i64> = changes.iter().map(|(id, _)| *id).collect();
    let previous: HashMap<i64, LoanClass> = changes.iter().copied().collect();
    for loan in write.loans_by_ids(&ids).await? {
        let mut data = loan_data(&loan);
        if let (Some(object), Some(from)) = (data.as_object_mut(), previous.get(&loan.id)) {
            object.insert("previous_class".into(), from.code().into());
        }
        emit(
            write,
            EventType::LoanClassChanged,
            loan_concern(&loan),
            loan.id,
            data,
        );
    }
    Ok(())
}

/// A newly verified hire: the loan that claims it, the person and whether a woman holds
/// the job.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedHire {
    pub loan_id: i64,
    pub national_code: NationalCode,
    pub woman: bool,
    pub upload_id: Option<i64>,
}

/// Emits `job.verified` for each hire verification turned `verified`. Its `data` is the
/// hire as the loan's jobs show it to a reader who may not know the person — the national
/// code masked — since the one stored event reaches a bank too, which sees hires masked
/// (`access::sees_hire_national_codes`); with the loan it belongs to and whom it concerns.
pub async fn emit_verified_hires(
    write: &mut WriteTx,
    hires: &[VerifiedHire],
) -> Result<(), AppError> {
    if hires.is_empty() {
        return Ok(());
    }
    let mut ids: Vec<i64> = hires.iter().map(|h| h.loan_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let loans: HashMap<i64, Loan> = write
        .loans_by_ids(&ids)
        .await?
        .into_iter()
        .map(|loan| (loan.id, loan))
        .collect();
    for hire in hires {
        let loan = loans
            .get(&hire.loan_id)
            .ok_or_else(|| AppError::Internal("a verified hire's loan vanished".into()))?;
        let masked = hire.national_code.masked();
        let id = format!("{}:{masked}", loan.id);
        let data = json!({
            "id": id,
            "loan_id": loan.id,
            "national_code": masked,
            "status": HireStatus::Verified.code(),
            "woman": hire.woman,
            "upload_id": hire.upload_id,
            "province": loan.fields.province,
            "bank": loan.fields.bank.as_str(),
            "cooperative_id": loan.fields.cooperative_id,
            "client_id": loan.fields.client_id,
        });
        // Ordered with the person's claim on this loan; the id kept internally is whole.
        let resource = format!("{}:{}", loan.id, hire.national_code.as_str());
        emit(
            write,
            EventType::JobVerified,
            loan_concern(loan),
            resource,
            data,
        );
    }
    Ok(())
}

/// Whom a loan's events concern: its province, its bank, its cooperative.
pub fn loan_concern(loan: &Loan) -> EventConcern {
    EventConcern {
        province: loan.fields.province.clone(),
        bank: Some(loan.fields.bank.as_str().to_owned()),
        agency: None,
        cooperative_id: loan.fields.cooperative_id,
    }
}

/// The events after `after` the principal may read, of `types` (all if empty), at most
/// `limit` of them.
pub async fn list_events(
    store: &Store,
    principal: &Principal,
    after: i64,
    types: &[EventType],
    limit: i64,
) -> Result<EventPage, AppError> {
    if !(1..=EVENTS_PAGE_MAX).contains(&limit) {
        return Err(AppError::invalid(
            "limit",
            "range",
            "تعداد در هر صفحه باید بین ۱ و ۱۰۰۰ باشد.",
            "limit is between 1 and 1000.",
        ));
    }
    if after < 0 {
        return Err(AppError::invalid(
            "after",
            "minimum",
            "نشانگر نباید منفی باشد.",
            "after is a cursor, 0 or more.",
        ));
    }
    let scope = event_scope(principal);
    let mut read = store.read().await?;
    let mut items = Vec::new();
    let mut next = after;
    let mut scanned = 0;
    while scanned < SCANNED_PER_PAGE && (items.len() as i64) < limit {
        let batch = read.events_after(next, limit.max(200)).await?;
        let Some(last) = batch.last() else { break };
        let last_id = last.id;
        scanned += batch.len() as i64;
        for event in batch {
            if (items.len() as i64) == limit {
                break;
            }
            next = event.id;
            if scope.permits(&event.concern)
                && (types.is_empty() || types.contains(&event.event_type))
            {
                items.push(event);
            }
        }
        if next != last_id {
            break;
        }
    }
    read.finish().await?;
    Ok(EventPage { items, next })
}

#[cfg(test)]
mod tests {
    use super::new_event_id;

    #[test]
    fn an_event_id_is_evt_and_32_hex_digits() {
        let id = new_event_id();
        let hex = id.strip_prefix("evt_").expect("evt_ prefix");
        assert_eq!(hex.len(), 32, "{id}");
        assert!(
            hex.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        );
    }

    #[test]
    fn event_ids_of_later_milliseconds_sort_after_earlier_ones() {
        let earlier = new_event_id();
        std::thread::sleep(std::time::Duration::from_millis(2));
        let later = new_event_id();
        assert!(earlier < later, "{earlier} then {later}");
        let now: u128 = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis();
        let stamped = u128::from_str_radix(&later[4..16], 16).unwrap();
        assert!(
            now.abs_diff(stamped) < 60_000,
            "{later} is stamped {stamped}, now {now}"
        );
    }

    #[test]
    fn event_ids_of_one_millisecond_still_differ() {
        let ids: std::collections::HashSet<String> = (0..1000).map(|_| new_event_id()).collect();
        assert_eq!(ids.len(), 1000);
    }
}
