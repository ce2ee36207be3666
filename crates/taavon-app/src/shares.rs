//! The share-capital register: its entries and each member's position, an entry checked
//! against every rule before it is appended, and a year's surplus shared by share-days.

use taavon_core::access::{Action, Principal};
use taavon_core::limits::TextKind;
use taavon_core::registry::shares::{Register, ShareEntry};
use taavon_core::registry::{FormationRules, ShareEntryKind};
use taavon_core::timestamp::Timestamp;
use taavon_store::{ShareEntryRow, Store};

use crate::bounds::{BoundedText, Lengths};
use crate::cooperatives::{may, may_read_people};
use crate::fields::{optional_date, required_date, today_iso};
use crate::idempotency::{Begun, Idempotency, begin, finish_idempotent};
use crate::members::member_by_code;
use crate::{AppError, FieldError};

/// An entry for the share register; members are named by national code.
#[derive(Clone, Debug, Default)]
pub struct ShareInput {
    pub kind: String,
    pub national_code: String,
    /// The receiving member of a transfer.
    pub to_national_code: Option<String>,
    pub amount_rial: i64,
    pub entered_on: Option<String>,
}

impl BoundedText for ShareInput {
    fn check_lengths(&self, lengths: &mut Lengths) {
        lengths
            .text("kind", &self.kind, TextKind::Code)
            .text("national_code", &self.national_code, TextKind::Identifier)
            .optional(
                "to_national_code",
                self.to_national_code.as_deref(),
                TextKind::Identifier,
            )
            .optional("entered_on", self.entered_on.as_deref(), TextKind::Date);
    }
}

/// A cooperative's register: its entries and each member's position.
#[derive(Clone, Debug)]
pub struct ShareRegister {
    pub entries: Vec<ShareEntryRow>,
    /// (person id, subscribed, paid).
    pub balances: Vec<(i64, i64, i64)>,
    pub subscribed: i64,
    pub paid: i64,
}

/// The register of a cooperative with each member's position.
pub async fn share_register(
    store: &Store,
    principal: &Principal,
    cooperative_id: i64,
) -> Result<ShareRegister, AppError> {
    let mut read = store.read().await?;
    may_read_people(&mut read, principal, cooperative_id).await?;
    let entries = read.share_entries(cooperative_id).await?;
    read.finish().await?;
    register_of(entries)
}

/// Appends an entry to the share register after checking it against every rule.
pub async fn add_share_entry(
    store: &Store,
    principal: &Principal,
    cooperative_id: i64,
    input: &ShareInput,
    rules: &FormationRules,
    idempotency: Option<Idempotency<'_>>,
    now: Timestamp,
) -> Result<ShareRegister, AppError> {
    crate::bounds::check(input)?;
    let mut write = match begin(store, principal, idempotency, now).await? {
        Begun::Replay(_) => return share_register(store, principal, cooperative_id).await,
        Begun::Fresh(write) => write,
    };
    let cooperative = write
        .cooperative(cooperative_id)
        .await?
        .ok_or(AppError::NotFound)?;
    may(principal, Action::Update, &cooperative)?;
    let mut errors = Vec::new();
    let entered_on = optional_date(&mut errors, "entered_on", input.entered_on.as_deref())
        .unwrap_or_else(|| today_iso(now));
    let member = member_by_code(
        &mut write,
        &mut errors,
        cooperative_id,
        "national_code",
        &input.national_code,
    )
    .await?;
    let kind = ShareEntryKind::parse(&input.kind);
    let counterpart = match (kind, &input.to_national_code) {
        (Some(ShareEntryKind::Transfer), Some(code)) => {
            member_by_code(
                &mut write,
                &mut errors,
                cooperative_id,
                "to_national_code",
                code,
            )
            .await?
        }
        (Some(ShareEntryKind::Transfer), None) => {
            errors.push(FieldError::new(
                "to_national_code",
                "required",
                "کد ملی گیرنده لازم است.",
                "A transfer needs the receiving member.",
            ));
            None
        }
        _ => None,
    };
    errors.extend(FieldError::above_maximum("amount_rial", input.amount_rial));
    let entry = match (kind, member) {
        (Some(kind), Some(member)) => ShareEntry::of(kind, member, counterpart, input.amount_rial),
        (Some(_), None) => None,
        (None, _) => {
            errors.push(FieldError::new(
                "kind",
                "unknown",
                "نوع ثبت سهام باید پذیره‌نویسی، پرداخت، انتقال یا برداشت باشد.",
                "kind must be subscription, payment, transfer or withdrawal.",
            ));
            None
        }
    };
    let Some(entry) = entry.filter(|_| errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    let existing = write.share_entries(cooperative_id).await?;
    let mut register = register_model(&existing)?;
    register.apply(&entry, rules).map_err(|error| {
        AppError::invalid(
            "amount_rial",
            error.rule(),
            &error.message_fa(),
            &error.to_string(),
        )
    })?;
    let (person_id, counterpart_id) = match entry {
        ShareEntry::Transfer { from, to, .. } => (from, Some(to)),
        ShareEntry::Subscription { member, .. }
        | ShareEntry::Payment { member, .. }
        | ShareEntry::Withdrawal { member, .. } => (member, None),
    };
    let row = ShareEntryRow {
        id: 0,
        cooperative_id,
        kind: entry.kind(),
        person_id,
        counterpart_id,
        amount_rial: input.amount_rial,
        entered_on,
    };
    let id = write
        .insert_share_entry(&cooperative.fields.province, &row)
        .await?;
    finish_idempotent(write, principal, idempotency, id).await?;
    share_register(store, principal, cooperative_id).await
}

fn register_model(entries: &[ShareEntryRow]) -> Result<Register, AppError> {
    let model: Vec<ShareEntry> = entries.iter().filter_map(entry_of).collect();
    // Stored entries were checked when written; the cap is re-checked only for new ones.
    let lenient = FormationRules {
        member_cap_permille: 1000,
        ..FormationRules::default()
    };
    Register::from_entries(&model, &lenient).map_err(|error| {
        AppError::Internal(format!("stored share register breaks a rule: {error}"))
    })
}

fn entry_of(row: &ShareEntryRow) -> Option<ShareEntry> {
    ShareEntry::of(row.kind, row.person_id, row.counterpart_id, row.amount_rial)
}

fn register_of(entries: Vec<ShareEntryRow>) -> Result<ShareRegister, AppError> {
    let register = register_model(&entries)?;
    Ok(ShareRegister {
        balances: register
            .members
            .iter()
            .map(|(member, capital)| (*member, capital.subscribed, capital.paid))
            .collect(),
        subscribed: register.subscribed(),
        paid: register.paid(),
        entries,
    })
}

/// One member's part of a year's surplus.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SurplusPart {
    pub person_id: i64,
    pub share_days: u128,
    pub amount_rial: i64,
}

/// Shares `total_rial` among the members in proportion to their share-days between
/// `from` (inclusive) and `to` (exclusive), in whole rials summing exactly to the total.
pub async fn surplus_distribution(
    store: &Store,
    principal: &Principal,
    cooperative_id: i64,
    from: &str,
    to: &str,
    total_rial: i64,
) -> Result<Vec<SurplusPart>, AppError> {
    crate::bounds::check_texts(&[
        ("from", Some(from), TextKind::Date),
        ("to", Some(to), TextKind::Date),
    ])?;
    let mut errors = Vec::new();
    let start = required_date(&mut errors, "from", from);
    let end = required_date(&mut errors, "to", to);
    if let Some(error) = FieldError::above_maximum("total_rial", total_rial) {
        errors.push(error);
    } else if total_rial < 0 {
        errors.push(FieldError::new(
            "total_rial",
            "amount_positive",
            "مبلغ مازاد نمی‌تواند منفی باشد.",
            "total_rial must not be negative.",
        ));
    }
    let days = |iso: &Option<String>| {
        iso.as_deref()
            .and_then(|d| taavon_core::calendar::IsoDate::parse(d).ok())
            .map(|d| d.days_since_unix_epoch())
    };
    let (Some(start), Some(end)) = (days(&start), days(&end)) else {
        return Err(AppError::Invalid(errors));
    };
    if end <= start {
        errors.push(FieldError::new(
            "to",
            "after_from",
            "پایان دوره باید پس از آغاز آن باشد.",
            "to must be after from.",
        ));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let register = share_register(store, principal, cooperative_id).await?;
    let changes: Vec<taavon_core::registry::shares::PaidChange> = register
        .entries
        .iter()
        .filter_map(|row| {
            let day = taavon_core::calendar::IsoDate::parse(&row.entered_on)
                .ok()?
                .days_since_unix_epoch();
            Some(entry_of(row)?.paid_changes(day))
        })
        .flatten()
        .collect();
    let weights = taavon_core::registry::shares::share_days(&changes, start, end);
    let parts = taavon_core::registry::shares::distribute_surplus(total_rial, &weights);
    Ok(weights
        .into_iter()
        .zip(parts)
        .map(|((person_id, share_days), (_, amount_rial))| SurplusPart {
            person_id,
            share_days,
            amount_rial,
        })
        .collect())
}
