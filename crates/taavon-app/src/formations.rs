//! Formation: founders apply to form a cooperative (at least seven, with capital, a
//! sector, a county and statute data); the provincial officer approves or rejects with
//! reasons; on approval it is registered with a registration number. Likely duplicates
//! (the same legal ID, a founder already on another forming cooperative) are flagged for
//! the reviewer, never merged.

use std::collections::HashSet;

use taavon_core::access::{self, Action, Decision, Principal, Resource};
use taavon_core::limits::TextKind;
use taavon_core::reference::ProvinceCode;
use taavon_core::registry::shares::{Register, ShareEntry};
use taavon_core::registry::{
    CooperativeStatus, FormationDecision, FormationRules, FormationStatus, ShareEntryKind,
};
use taavon_core::timestamp::Timestamp;
use taavon_store::{
    Formation, ListedFormation, NewMembership, Reader, ShareEntryRow, Store, Versioned,
};

use crate::bounds::{BoundedText, Lengths};
use crate::cooperatives::{CooperativeInput, KnownCodes, validate_cooperative_fields};
use crate::duplicate_flags::{self, DuplicateRule};
use crate::idempotency::{Begun, Idempotency, begin, finish_idempotent};
use crate::persons::{
    PersonInput, identity_conflicts, identity_mismatch, upsert_person, validate_person,
};
use crate::support::{SupportSettings, file_support_plan};
use crate::{AppError, FieldError};

/// A founder with the capital they subscribe and pay in now.
#[derive(Clone, Debug, Default)]
pub struct FounderInput {
    pub person: PersonInput,
    pub subscribed_rial: i64,
    pub paid_rial: i64,
}

/// The founders' application.
#[derive(Clone, Debug, Default)]
pub struct FormationInput {
    pub cooperative: CooperativeInput,
    pub founders: Vec<FounderInput>,
    pub statute: Option<String>,
}

impl BoundedText for FormationInput {
    fn check_lengths(&self, lengths: &mut Lengths) {
        lengths.nested("", &self.cooperative).optional(
            "statute",
            self.statute.as_deref(),
            TextKind::FreeText,
        );
        for (index, founder) in self.founders.iter().enumerate() {
            lengths.nested(&format!("founders[{index}]."), &founder.person);
        }
    }
}

/// Formations the principal may see.
pub async fn list_formations(
    store: &Store,
    principal: &Principal,
    limit: i64,
    offset: i64,
) -> Result<FormationPage, AppError> {
    let provinces: Vec<String> = match access::cooperative_scope(principal) {
        access::CooperativeScope::All => Vec::new(),
        access::CooperativeScope::Provinces(list) => {
            list.iter().map(|p| p.as_str().to_owned()).collect()
        }
        _ => return Ok(FormationPage::default()),
    };
    let (limit, offset) = crate::bounds::page(limit, offset, FORMATION_PAGE_MAX)?;
    let mut read = store.read().await?;
    let (mut listed, total) = read.formations(&provinces, limit, offset).await?;
    let formations = listed.iter_mut().map(|l| &mut l.formation).collect();
    redact_flags(&mut read, principal, formations).await?;
    read.finish().await?;
    Ok(FormationPage {
        formations: listed,
        total,
    })
}

/// The most formations one page lists.
pub const FORMATION_PAGE_MAX: i64 = 1000;

/// One page of the formations a principal reviews, each with its cooperative's name.
#[derive(Clone, Debug, Default)]
pub struct FormationPage {
    pub formations: Vec<ListedFormation>,
    /// How many formations there are in the principal's scope.
    pub total: i64,
}

/// Submits a formation: creates the cooperative in status `forming`, its founders as
/// members, their capital in the share register, and the formation for review.
pub async fn submit(
    store: &Store,
    principal: &Principal,
    input: &FormationInput,
    rules: &FormationRules,
    idempotency: Option<Idempotency<'_>>,
    now: Timestamp,
) -> Result<Formation, AppError> {
    crate::bounds::check(input)?;
    let mut write = match begin(store, principal, idempotency, now).await? {
        Begun::Replay(id) => return read_formation(store, principal, id).await,
        Begun::Fresh(write) => write,
    };
    let known = KnownCodes::load(&mut write).await?;
    let mut cooperative = input.cooperative.clone();
    cooperative.status = Some("forming".into());
    let mut errors = Vec::new();
    let fields = validate_cooperative_fields(&known, &cooperative)
        .map_err(|e| errors.extend(e))
        .ok();
    if input.founders.len() < rules.founders_min {
        errors.push(FieldError::new(
            "founders",
            "founders_min",
            &format!(
                "دست‌کم {} مؤسس لازم است.",
                taavon_core::digits::to_persian_digits(&rules.founders_min.to_string())
            ),
            &format!("At least {} founders are required.", rules.founders_min),
        ));
    }
    // The founders belong to the cooperative's province, known from its county even when
    // another of its fields was refused.
    let province = fields.as_ref().map(|f| f.province.clone()).or_else(|| {
        known
            .province_of(&taavon_core::digits::to_ascii_digits(
                cooperative.county.trim(),
            ))
            .map(str::to_owned)
    });
    let mut persons = Vec::new();
    for (i, founder) in input.founders.iter().enumerate() {
        let mut founder_errors = Vec::new();
        if let Some(person) =
            validate_person(&mut founder_errors, &founder.person, province.as_deref())
        {
            persons.push(person);
        }
        let too_large = FieldError::above_maximum("subscribed_rial", founder.subscribed_rial)
            .or_else(|| FieldError::above_maximum("paid_rial", founder.paid_rial));
        if let Some(error) = too_large {
            founder_errors.push(error);
        } else if founder.subscribed_rial <= 0
            || founder.paid_rial < 0
            || founder.paid_rial > founder.subscribed_rial
        {
            founder_errors.push(FieldError::new(
                "paid_rial",
                "capital",
                "سرمایه تعهدی باید مثبت و پرداختی از آن بیشتر نباشد.",
                "subscribed_rial must be positive and paid_rial at most subscribed_rial.",
            ));
        }
        errors.extend(founder_errors.into_iter().map(|mut e| {
            e.field = format!("founders[{i}].{}", e.field);
            e
        }));
    }
    let codes: Vec<String> = persons.iter().map(|p| p.national_code.clone()).collect();
    let mut unique = codes.clone();
    unique.sort();
    unique.dedup();
    if unique.len() != codes.len() {
        errors.push(FieldError::new(
            "founders",
            "duplicate_founder",
            "یک مؤسس دو بار آمده است.",
            "A founder appears twice.",
        ));
    }
    // The capital rules: one third paid before registration, the per-member cap.
    let model: Vec<ShareEntry> = input
        .founders
        .iter()
        .enumerate()
        .flat_map(|(i, f)| {
            let member = i as i64;
            [ShareEntry::Subscription {
                member,
                amount: f.subscribed_rial.max(1),
            }]
            .into_iter()
            .chain((f.paid_rial > 0).then_some(ShareEntry::Payment {
                member,
                amount: f.paid_rial.min(f.subscribed_rial.max(1)),
            }))
        })
        .collect();
    match Register::from_entries(&model, rules) {
        Ok(register) if !register.enough_paid_to_register(rules) => errors.push(FieldError::new(
            "founders",
            "paid_share",
            "دست‌کم یک‌سوم سرمایه باید پرداخت شده باشد.",
            "At least one third of the capital must be paid in.",
        )),
        Ok(_) => {}
        Err(error) => errors.push(FieldError::new(
            "founders",
            error.rule(),
            "سهم یک مؤسس از سقف مجاز بیشتر است.",
            &error.to_string(),
        )),
    }
    let Some(fields) = fields.filter(|_| errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    let code = ProvinceCode::parse(&fields.province)
        .map_err(|_| AppError::Internal(fields.province.clone()))?;
    AppError::from_decision(access::decide(
        Some(principal),
        Action::Create,
        Resource::Formation { province: &code },
    ))?;
    // A founder already recorded under another identity is refused, never merged.
    let mismatches = identity_conflicts(&mut write, &persons.iter().collect::<Vec<_>>()).await?;
    if !mismatches.is_empty() {
        return Err(AppError::Invalid(
            mismatches
                .into_iter()
                .map(|i| identity_mismatch(&format!("founders[{i}].national_code")))
                .collect(),
        ));
    }
    // Likely duplicates, flagged for the reviewer.
    let mut flags = Vec::new();
    let mut legal_id_taken = false;
    if let Some(legal_id) = &fields.legal_id
        && let Some(id) = write.cooperative_id_by_legal_id(legal_id).await?
    {
        legal_id_taken = true;
        flags.push(
            serde_json::json!({ "rule": DuplicateRule::SameLegalId.code(), "cooperative_id": id }),
        );
    }
    for (id, name) in write.forming_cooperatives_of(&codes).await? {
        flags.push(serde_json::json!({ "rule": DuplicateRule::FounderOnFormingCooperative.code(), "cooperative_id": id, "name": name }));
    }
    let mut stored = fields.clone();
    if legal_id_taken {
        // Keep the application; the reviewer sees the flag. The legal ID stays unique.
        stored.legal_id = None;
    }
    let cooperative_id = write.insert_cooperative(&stored).await?;
    let today = taavon_core::calendar::IsoDate::tehran_today(now.unix_seconds()).to_string();
    for (i, (person, founder)) in persons.iter().zip(&input.founders).enumerate() {
        let person_id =
            upsert_person(&mut write, person, &format!("founders[{i}].national_code")).await?;
        write
            .insert_membership(&NewMembership {
                province: stored.province.clone(),
                cooperative_id,
                person_id,
                board_role: Some("founder".into()),
                joined_on: today.clone(),
            })
            .await?;
        for (kind, amount) in [
            (ShareEntryKind::Subscription, founder.subscribed_rial),
            (ShareEntryKind::Payment, founder.paid_rial),
        ] {
            if amount > 0 {
                write
                    .insert_share_entry(
                        &stored.province,
                        &ShareEntryRow {
                            id: 0,
                            cooperative_id,
                            kind,
                            person_id,
                            counterpart_id: None,
                            amount_rial: amount,
                            entered_on: today.clone(),
                        },
                    )
                    .await?;
            }
        }
    }
    let id = write
        .insert_formation(
            &stored.province,
            cooperative_id,
            input.statute.as_deref(),
            &serde_json::Value::Array(flags),
        )
        .await?;
    let id = finish_idempotent(write, principal, idempotency, id).await?;
    read_formation(store, principal, id).await
}

async fn read_formation(
    store: &Store,
    principal: &Principal,
    id: i64,
) -> Result<Formation, AppError> {
    let mut read = store.read().await?;
    let mut formation = read.formation(id).await?.ok_or(AppError::NotFound)?;
    redact_flags(&mut read, principal, vec![&mut formation]).await?;
    read.finish().await?;
    Ok(formation)
}

/// Names in the formations' duplicate flags only the cooperatives the principal may
/// read (a founder's forming cooperative may lie in another province).
pub(crate) async fn redact_flags(
    reader: &mut Reader,
    principal: &Principal,
    formations: Vec<&mut Formation>,
) -> Result<(), AppError> {
    const ID_KEY: &str = "cooperative_id";
    let named: Vec<i64> = formations
        .iter()
        .flat_map(|f| duplicate_flags::named_ids(&f.duplicate_flags, ID_KEY))
        .collect();
    if named.is_empty() {
        return Ok(());
    }
    let visible: HashSet<i64> = reader
        .cooperative_provinces(&named)
        .await?
        .into_iter()
        .filter(|(id, province)| {
            ProvinceCode::parse(province).is_ok_and(|province| {
                access::decide(
                    Some(principal),
                    Action::Read,
                    Resource::Cooperative {
                        id: Some(*id),
                        province: &province,
                    },
                ) == Decision::Allow
            })
        })
        .map(|(id, _)| id)
        .collect();
    for formation in formations {
        formation.duplicate_flags =
            duplicate_flags::redacted(&formation.duplicate_flags, ID_KEY, &visible);
    }
    Ok(())
}

/// The provincial decision: `approve` registers the cooperative with a registration
/// number; `reject` needs a reason. Of concurrent decisions exactly one wins (409 for
/// the others). An approval files the support plan after formation in the same
/// transaction (`support::file_support_plan`).
#[allow(clippy::too_many_arguments)]
pub async fn decide(
    store: &Store,
    principal: &Principal,
    support: &SupportSettings,
    formation_id: i64,
    decision: FormationDecision,
    reason: Option<&str>,
    idempotency: Option<Idempotency<'_>>,
    now: Timestamp,
) -> Result<Formation, AppError> {
    crate::bounds::check_texts(&[("reason", reason, TextKind::Reason)])?;
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    if decision == FormationDecision::Reject && reason.is_none() {
        return Err(AppError::invalid(
            "reason",
            "required",
            "رد درخواست بدون دلیل ممکن نیست.",
            "A rejection needs a reason.",
        ));
    }
    let mut write = match begin(store, principal, idempotency, now).await? {
        Begun::Replay(id) => return read_formation(store, principal, id).await,
        Begun::Fresh(write) => write,
    };
    let formation = write
        .formation(formation_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let code = ProvinceCode::parse(&formation.province)
        .map_err(|_| AppError::Internal(formation.province.clone()))?;
    AppError::from_decision(access::decide(
        Some(principal),
        Action::Update,
        Resource::Formation { province: &code },
    ))?;
    if formation.status != FormationStatus::Submitted
        || !write
            .decide_formation(&formation, decision.status(), reason)
            .await?
    {
        return Err(AppError::Conflict(format!(
            "formation {formation_id} was already decided"
        )));
    }
    let cooperative = write
        .cooperative(formation.cooperative_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut fields = cooperative.fields.clone();
    let today = taavon_core::calendar::IsoDate::tehran_today(now.unix_seconds()).to_string();
    if decision == FormationDecision::Approve {
        fields.status = CooperativeStatus::Registered;
        fields.registration_number = Some(format!(
            "{}-{}",
            code.sci_code(),
            10_000 + formation.cooperative_id
        ));
        fields.registered_on = Some(today);
    } else {
        fields.status = CooperativeStatus::Dissolved;
    }
    match write
        .update_cooperative(cooperative.id, cooperative.version, &fields, reason)
        .await?
    {
        Versioned::Updated(_) => {}
        _ => {
            return Err(AppError::Conflict(
                "the cooperative changed during the decision".into(),
            ));
        }
    }
    if decision == FormationDecision::Approve {
        file_support_plan(
            &mut write,
            support,
            cooperative.id,
            &code,
            principal.user_id,
            now,
        )
        .await?;
    }
    finish_idempotent(write, principal, idempotency, formation_id).await?;
    read_formation(store, principal, formation_id).await
}
