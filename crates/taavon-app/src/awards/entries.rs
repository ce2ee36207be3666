//! Entries: a representative enters its cooperative, a provincial officer (or the
//! ministry) nominates one; eligibility is checked on the snapshot taken from the data
//! that day, and an ineligible entry is kept with every reason, so its cooperative sees
//! why. Each reader sees the entries of their scope; a judge only those assigned to them.

use taavon_core::access::{
    AwardScope, Decision, Principal, award_scope, decide_award_entry, in_award_scope,
};
use taavon_core::awards::Mark;
use taavon_core::awards::criteria::weighted_mark;
use taavon_core::awards::eligibility::EligibilityRules;
use taavon_core::awards::festival::{RoundKind, RoundState};
use taavon_core::awards::prescore::Prescore;
use taavon_core::awards::visibility::{OthersMarks, others_marks};
use taavon_core::calendar::{IsoDate, JalaliDate};
use taavon_core::limits::TextKind;
use taavon_core::reference::ProvinceCode;
use taavon_core::timestamp::Timestamp;
use taavon_store::{
    AwardCertificate, AwardEntry, AwardEntryReason, AwardFestival, AwardResult, NewAwardEntry,
    Reader, Store, StoreError,
};

use super::{AwardSettings, core_festival, festival_of, round_of, snapshot, state_of};
use crate::AppError;
use crate::idempotency::{Begun, Idempotency, begin, finish_idempotent};
use crate::loans::business_date_in;

/// An entry as its representative or an officer puts it in.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EntryInput {
    pub year: i32,
    pub cooperative_id: i64,
    pub category: String,
}

/// One entry as its reader may see it.
#[derive(Clone, Debug, PartialEq)]
pub struct EntryView {
    pub festival_year: i32,
    pub entry: AwardEntry,
    pub category_name_fa: String,
    pub category_name_en: String,
    /// The automatic pre-score with its components and weights.
    pub prescore: Option<Prescore>,
    pub round: RoundKind,
    pub round_state: RoundState,
    /// The results of rounds the reader may see (published ones; the ministry and
    /// auditors also closed ones).
    pub results: Vec<AwardResult>,
    pub certificates: Vec<AwardCertificate>,
    /// For a judge of the entry: their own marks per criterion, whether submitted, and
    /// the others' marks as far as `awards::visibility` lets them see.
    pub judging: Option<JudgeSide>,
}

/// What a judge sees of their own marking of an entry.
#[derive(Clone, Debug, PartialEq)]
pub struct JudgeSide {
    pub marks: Vec<(String, i64)>,
    pub submitted: bool,
    pub others: OthersMarks,
    /// The other judges' names, once the round is closed (empty before).
    pub other_judges: Vec<(i64, String)>,
}

/// Enters (a representative) or nominates (an officer, the ministry) a cooperative.
pub async fn enter(
    store: &Store,
    principal: &Principal,
    settings: &AwardSettings,
    input: &EntryInput,
    idempotency: Option<Idempotency<'_>>,
    now: Timestamp,
) -> Result<EntryView, AppError> {
    crate::bounds::check_texts(&[("category", Some(input.category.as_str()), TextKind::Code)])?;
    let mut write = match begin(store, principal, idempotency, now).await? {
        Begun::Replay(id) => return entry_view(store, principal, settings, id).await,
        Begun::Fresh(write) => write,
    };
    // A cooperative outside the caller's scope answers as a missing one.
    let unknown = || {
        AppError::invalid(
            "cooperative_id",
            "unknown",
            "چنین تعاونی‌ای ثبت نشده است.",
            "No such cooperative is registered.",
        )
    };
    let cooperative = write
        .cooperative(input.cooperative_id)
        .await?
        .ok_or_else(unknown)?;
    let province = ProvinceCode::parse(&cooperative.fields.province).map_err(|_| unknown())?;
    let route = match decide_award_entry(principal, input.cooperative_id, &province) {
        Ok(route) => route,
        Err(Decision::OutOfScope) => return Err(unknown()),
        Err(decision) => {
            AppError::from_decision(decision)?;
            return Err(AppError::Forbidden);
        }
    };
    let festival = festival_of(&mut write, input.year).await?;
    let rules = core_festival(&festival)?;
    let today = business_date_in(&mut write, now).await?;
    let jalali_today = JalaliDate::from(today);
    if festival.provincial != RoundState::OpenForEntries
        || !rules.entry_window().contains(jalali_today)
    {
        return Err(AppError::invalid(
            "year",
            "entries_closed",
            &format!(
                "ثبت‌نام در جشنواره از {} تا {} است.",
                rules.entry_window().opens().format_long_fa(),
                rules.entry_window().closes().format_long_fa()
            ),
            "The festival takes no entries today.",
        ));
    }
    let category = input.category.trim();
    if rules.category(category).is_none() {
        return Err(AppError::invalid(
            "category",
            "unknown",
            "این رشته در جشنواره نیست.",
            "The festival has no such category.",
        ));
    }
    let (snapshot, reasons) = snapshot_and_reasons(
        &mut write,
        &festival,
        input.cooperative_id,
        &province,
        category,
        today,
    )
    .await
    .map_err(|error| match error {
        AppError::NotFound => unknown(),
        other => other,
    })?;
    let inserted = write
        .insert_award_entry(&NewAwardEntry {
            festival_id: festival.id,
            province,
            category: category.to_owned(),
            cooperative_id: input.cooperative_id,
            route,
            entered_by_user_id: principal.user_id,
            eligible: reasons.is_empty(),
            snapshot,
            reasons,
        })
        .await;
    let id = match inserted {
        Ok(id) => id,
        Err(StoreError::Duplicate { .. }) => {
            return Err(AppError::invalid(
                "category",
                "already_entered",
                "این تعاونی در این رشته پیش‌تر ثبت‌نام شده است.",
                "The cooperative has already entered this category.",
            ));
        }
        Err(other) => return Err(other.into()),
    };
    finish_idempotent(write, principal, idempotency, id).await?;
    entry_view(store, principal, settings, id).await
}

/// The snapshot an entry of `cooperative_id` would be judged on `today`, as JSON, and
/// every reason it is not eligible (none: eligible), by the festival's own rules.
async fn snapshot_and_reasons(
    read: &mut Reader,
    festival: &AwardFestival,
    cooperative_id: i64,
    province: &ProvinceCode,
    category: &str,
    today: IsoDate,
) -> Result<(String, Vec<AwardEntryReason>), AppError> {
    let year_ago = JalaliDate::from(today).add_months(-12).to_iso().to_string();
    let facts = read
        .award_facts(cooperative_id, &today.to_string(), &year_ago)
        .await?
        .ok_or(AppError::NotFound)?;
    let snapshot = snapshot::from_facts(cooperative_id, province.as_str(), category, &facts, today)
        .ok_or_else(|| {
            AppError::Internal(format!(
                "cooperative {cooperative_id} has facts no snapshot takes"
            ))
        })?;
    let eligibility = EligibilityRules {
        registry_fresh_months: i32::try_from(festival.fields.registry_fresh_months).unwrap_or(12),
        registered_months_min: i32::try_from(festival.fields.registered_months_min).unwrap_or(12),
    };
    let reasons = eligibility
        .check(&snapshot)
        .iter()
        .map(|reason| AwardEntryReason {
            code: reason.code().to_owned(),
            message_fa: reason.message_fa(),
            message_en: reason.message_en(),
        })
        .collect();
    Ok((snapshot::to_json(&snapshot), reasons))
}

/// Whether a cooperative would be eligible if it entered the festival of `year` today,
/// with every reason it would not (the entry form shows them before it is sent). Only
/// those who may enter or nominate it ask; for anyone else it is not found.
pub async fn eligibility(
    store: &Store,
    principal: &Principal,
    year: i32,
    cooperative_id: i64,
    now: Timestamp,
) -> Result<Vec<AwardEntryReason>, AppError> {
    let mut read = store.read().await?;
    let cooperative = read
        .cooperative(cooperative_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let province =
        ProvinceCode::parse(&cooperative.fields.province).map_err(|_| AppError::NotFound)?;
    match decide_award_entry(principal, cooperative_id, &province) {
        Ok(_) => {}
        Err(Decision::OutOfScope) => return Err(AppError::NotFound),
        Err(_) => return Err(AppError::Forbidden),
    }
    let festival = festival_of(&mut read, year).await?;
    let today = business_date_in(&mut read, now).await?;
    let (_, reasons) =
        snapshot_and_reasons(&mut read, &festival, cooperative_id, &province, "", today).await?;
    read.finish().await?;
    Ok(reasons)
}

/// The entries of a festival the reader may list (a judge: those assigned to them).
pub async fn list_entries(
    store: &Store,
    principal: &Principal,
    year: i32,
) -> Result<Vec<AwardEntry>, AppError> {
    let mut read = store.read().await?;
    let festival = festival_of(&mut read, year).await?;
    let entries = entries_in_scope(&mut read, principal, &festival).await?;
    read.finish().await?;
    Ok(entries)
}

/// The entries of `festival` in the reader's award scope.
pub(super) async fn entries_in_scope(
    read: &mut Reader,
    principal: &Principal,
    festival: &AwardFestival,
) -> Result<Vec<AwardEntry>, AppError> {
    Ok(match award_scope(principal) {
        AwardScope::All => read.award_entries(festival.id, None, None).await?,
        AwardScope::Province(province) => {
            read.award_entries(festival.id, Some(&province), None)
                .await?
        }
        AwardScope::Cooperative(id) => read.award_entries(festival.id, None, Some(id)).await?,
        AwardScope::Assigned { judge, .. } => {
            let assigned = assigned_entries(read, festival.id, judge).await?;
            read.award_entries(festival.id, None, None)
                .await?
                .into_iter()
                .filter(|entry| assigned.contains(&entry.id))
                .collect()
        }
        AwardScope::None => return Err(AppError::Forbidden),
    })
}

/// One entry as the reader may see it; outside their scope, not found.
pub async fn entry_view(
    store: &Store,
    principal: &Principal,
    settings: &AwardSettings,
    id: i64,
) -> Result<EntryView, AppError> {
    let mut read = store.read().await?;
    let view = entry_view_in(&mut read, principal, settings, id).await?;
    read.finish().await?;
    Ok(view)
}

pub(super) async fn entry_view_in(
    read: &mut Reader,
    principal: &Principal,
    settings: &AwardSettings,
    id: i64,
) -> Result<EntryView, AppError> {
    let entry = read.award_entry(id).await?.ok_or(AppError::NotFound)?;
    let year = read
        .award_festival_year(entry.fields.festival_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let scope = award_scope(principal);
    let assigned = match &scope {
        AwardScope::Assigned {
            judge,
            festival_year,
        } if *festival_year == year => assigned_entries(read, entry.fields.festival_id, *judge)
            .await?
            .contains(&id),
        _ => false,
    };
    if !in_award_scope(
        &scope,
        &entry.fields.province,
        entry.fields.cooperative_id,
        assigned,
    ) {
        return Err(AppError::NotFound);
    }
    let festival = festival_of(read, year).await?;
    let (round, round_state) = round_of(&festival, &entry);
    let category = festival
        .fields
        .categories
        .iter()
        .find(|c| c.code == entry.fields.category);
    let prescore = snapshot::from_json(&entry.fields.snapshot)
        .map(|s| settings.prescore.prescore(&s.indicators));
    let sees_closed = matches!(scope, AwardScope::All);
    let mut results = Vec::new();
    for kind in RoundKind::ALL {
        let state = state_of(&festival, *kind);
        let visible =
            state == RoundState::Published || (sees_closed && state == RoundState::Closed);
        if visible {
            results.extend(
                read.award_results(festival.id, *kind)
                    .await?
                    .into_iter()
                    .filter(|r| r.entry_id == id),
            );
        }
    }
    let certificates = read.award_certificates(id).await?;
    let judging = if assigned {
        Some(
            judge_side(
                read,
                &festival,
                &entry,
                round,
                round_state,
                principal.user_id,
            )
            .await?,
        )
    } else {
        None
    };
    Ok(EntryView {
        festival_year: year,
        category_name_fa: category.map(|c| c.name_fa.clone()).unwrap_or_default(),
        category_name_en: category.map(|c| c.name_en.clone()).unwrap_or_default(),
        entry,
        prescore,
        round,
        round_state,
        results,
        certificates,
        judging,
    })
}

/// The ids of the entries a judge is assigned to now, in either round.
pub(super) async fn assigned_entries(
    read: &mut Reader,
    festival_id: i64,
    judge: i64,
) -> Result<Vec<i64>, AppError> {
    let mut ids = Vec::new();
    for kind in RoundKind::ALL {
        ids.extend(
            read.award_assignments(festival_id, *kind)
                .await?
                .into_iter()
                .filter(|a| a.judge_user_id == judge && a.conflict.is_none())
                .map(|a| a.entry_id),
        );
    }
    Ok(ids)
}

async fn judge_side(
    read: &mut Reader,
    festival: &taavon_store::AwardFestival,
    entry: &AwardEntry,
    round: RoundKind,
    state: RoundState,
    judge: i64,
) -> Result<JudgeSide, AppError> {
    let criteria = festival
        .fields
        .categories
        .iter()
        .find(|c| c.code == entry.fields.category)
        .map(|c| super::core_criteria(&c.criteria))
        .unwrap_or_default();
    let all = read.award_marks(festival.id, round, false).await?;
    let marks: Vec<(String, i64)> = all
        .iter()
        .filter(|m| m.entry_id == entry.id && m.judge_user_id == judge)
        .map(|m| (m.criterion.clone(), m.mark))
        .collect();
    let submitted_pairs = read.award_submissions(festival.id, round).await?;
    let submitted = submitted_pairs.contains(&(entry.id, judge));
    // The others' marks count only once submitted; each is their weighted mark.
    let submitted_marks: Vec<Mark<i64>> = submitted_pairs
        .iter()
        .filter(|(e, _)| *e == entry.id)
        .filter_map(|(_, j)| {
            let own: Vec<(&str, u32)> = all
                .iter()
                .filter(|m| m.entry_id == entry.id && m.judge_user_id == *j)
                .map(|m| (m.criterion.as_str(), u32::try_from(m.mark).unwrap_or(0)))
                .collect();
            weighted_mark(&criteria, &own).ok().map(|score| Mark {
                judge: *j,
                entry: entry.id,
                score,
            })
        })
        .collect();
    let others = others_marks(judge, state, &submitted_marks);
    let other_judges = if let OthersMarks::Named(named) = &others {
        let panel = read.award_panel(festival.id).await?;
        named
            .iter()
            .filter_map(|(id, _)| {
                panel
                    .iter()
                    .find(|j| j.user_id == *id)
                    .map(|j| (*id, j.display_name.clone()))
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(JudgeSide {
        marks,
        submitted,
        others,
        other_judges,
    })
}
