//! The rounds' moves (the ministry's): judging starts — the national round admitting the
//! provincial winners only — with the judges assigned in the same transaction; closing
//! scores the round by the oracle's rule over the submitted marks, conflicted ones out,
//! and records the results; publishing puts them on the public pages and issues each
//! winner's certificate with its verification code.

use std::collections::BTreeSet;

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use taavon_core::access::{Principal, keeps_festivals};
use taavon_core::awards::certificate::{CertificateCode, CertificateSubject};
use taavon_core::awards::criteria::weighted_mark;
use taavon_core::awards::festival::{NATIONAL_GROUP, RoundAction, RoundKind};
use taavon_core::awards::visibility::admit_to_national;
use taavon_core::awards::{Entry, EntryResult, EntryStatus, Mark, RoundRules};
use taavon_core::calendar::JalaliDate;
use taavon_core::limits::TextKind;
use taavon_core::reference::ProvinceCode;
use taavon_core::timestamp::Timestamp;
use taavon_store::{AwardCertificate, AwardFestival, AwardResult, Reader, Store, WriteTx};

use super::judging::assign_round;
use super::{AwardSettings, core_criteria, core_festival, festival_of, snapshot, state_of};
use crate::AppError;
use crate::idempotency::{Begun, Idempotency, begin, finish_idempotent};
use crate::loans::business_date_in;

/// One line of a published round's results (never a judge's mark or the exact score).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicResult {
    pub entry_id: i64,
    pub cooperative_name: String,
    pub province: ProvinceCode,
    pub category: String,
    pub category_name_fa: String,
    pub category_name_en: String,
    /// Ranked, or incomplete (too few judges submitted; the public pages leave it out).
    pub status: EntryStatus,
    pub rank: Option<i64>,
    pub winner: bool,
    pub band: Option<taavon_core::awards::publication::ScoreBand>,
}

/// What the public check page says of a verification code that was issued.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateCheck {
    /// The code in its canonical printed form (as typed it may differ in case and separators).
    pub code: String,
    pub festival_year: i32,
    pub round: RoundKind,
    pub cooperative_name: String,
    pub province: ProvinceCode,
    pub category_name_fa: String,
    /// ISO day.
    pub issued_on: String,
}

/// A move of one round of a festival.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RoundMove {
    pub year: i32,
    pub kind: RoundKind,
    pub action: RoundAction,
}

/// Moves a festival's round (the ministry's).
pub async fn move_round(
    store: &Store,
    principal: &Principal,
    settings: &AwardSettings,
    RoundMove { year, kind, action }: RoundMove,
    idempotency: Option<Idempotency<'_>>,
    now: Timestamp,
) -> Result<AwardFestival, AppError> {
    if !keeps_festivals(principal) {
        return Err(AppError::Forbidden);
    }
    let mut write = match begin(store, principal, idempotency, now).await? {
        Begun::Replay(_) => return super::festival(store, principal, year).await,
        Begun::Fresh(write) => write,
    };
    let festival = festival_of(&mut write, year).await?;
    let rules = core_festival(&festival)?;
    let today = business_date_in(&mut write, now).await?;
    let from = state_of(&festival, kind);
    let to = rules
        .move_round(
            kind,
            from,
            action,
            festival.provincial,
            JalaliDate::from(today),
        )
        .map_err(|error| {
            let fa = match error.rule() {
                "judging_not_open" => "دوره داوری جشنواره هنوز آغاز نشده است.",
                "provincial_not_published" => "دور ملی پس از انتشار نتایج دور استانی آغاز می‌شود.",
                _ => "این دور در وضعیتی نیست که این کار را بپذیرد.",
            };
            AppError::invalid("action", error.rule(), fa, &error.to_string())
        })?;
    match action {
        RoundAction::StartJudging => {
            if kind == RoundKind::National {
                admit_winners(&mut write, &festival).await?;
            }
            assign_round(&mut write, &festival, kind).await?;
        }
        RoundAction::Close => {
            let results = score_round(&mut write, settings, &festival, kind).await?;
            write.insert_award_results(festival.id, &results).await?;
        }
        RoundAction::Publish => {
            issue_certificates(&mut write, settings, &festival, kind, &today.to_string()).await?;
        }
    }
    if !write.move_award_round(festival.id, kind, from, to).await? {
        return Err(AppError::Conflict(
            "the round was moved by another request".into(),
        ));
    }
    if action == RoundAction::Publish {
        // The published results are public: a national event, the festival its resource.
        crate::events::emit(
            &mut write,
            taavon_core::events::EventType::AwardPublished,
            taavon_core::events::EventConcern {
                province: String::new(),
                bank: None,
                agency: None,
                cooperative_id: None,
            },
            festival.id,
            serde_json::json!({
                "id": festival.id,
                "year": year,
                "round": kind.code(),
                "state": to.code(),
            }),
        );
    }
    finish_idempotent(write, principal, idempotency, festival.id).await?;
    super::festival(store, principal, year).await
}

/// Admits the provincial winners to the national round; nobody else gets in.
async fn admit_winners(write: &mut WriteTx, festival: &AwardFestival) -> Result<(), AppError> {
    let results = write
        .award_results(festival.id, RoundKind::Provincial)
        .await?;
    let admitted: Vec<i64> = results
        .iter()
        .filter(|result| {
            let provincial = EntryResult {
                entry: result.entry_id,
                judges: usize::try_from(result.judges).unwrap_or(0),
                score: None,
                rank: result.rank.and_then(|r| u32::try_from(r).ok()),
                winner: result.winner,
                status: result.status,
            };
            admit_to_national(festival.provincial, Some(&provincial)).is_ok()
        })
        .map(|result| result.entry_id)
        .collect();
    write.admit_award_entries(festival.id, &admitted).await?;
    Ok(())
}

/// Scores a round by the core's rule over the submitted marks, each the judge's weighted
/// mark; marks of judges taken off for a conflict do not count.
async fn score_round(
    write: &mut WriteTx,
    settings: &AwardSettings,
    festival: &AwardFestival,
    kind: RoundKind,
) -> Result<Vec<AwardResult>, AppError> {
    let entries: Vec<taavon_store::AwardEntry> = write
        .award_entries(festival.id, None, None)
        .await?
        .into_iter()
        .filter(|e| match kind {
            RoundKind::Provincial => e.fields.eligible,
            RoundKind::National => e.national,
        })
        .collect();
    let marks = write.award_marks(festival.id, kind, true).await?;
    let conflicts: BTreeSet<(i64, i64)> = write
        .award_assignments(festival.id, kind)
        .await?
        .into_iter()
        .filter(|a| a.conflict.is_some())
        .map(|a| (a.judge_user_id, a.entry_id))
        .collect();
    let mut judged: Vec<Mark<i64>> = Vec::new();
    for entry in &entries {
        let criteria = festival
            .fields
            .categories
            .iter()
            .find(|c| c.code == entry.fields.category)
            .map(|c| core_criteria(&c.criteria))
            .unwrap_or_default();
        let mut judges: Vec<i64> = marks
            .iter()
            .filter(|m| m.entry_id == entry.id)
            .map(|m| m.judge_user_id)
            .collect();
        judges.dedup();
        for judge in judges {
            let own: Vec<(&str, u32)> = marks
                .iter()
                .filter(|m| m.entry_id == entry.id && m.judge_user_id == judge)
                .map(|m| (m.criterion.as_str(), u32::try_from(m.mark).unwrap_or(0)))
                .collect();
            if let Ok(score) = weighted_mark(&criteria, &own) {
                judged.push(Mark {
                    judge,
                    entry: entry.id,
                    score,
                });
            }
        }
    }
    let core_entries: Vec<Entry<'_>> = entries
        .iter()
        .map(|entry| Entry {
            entry: entry.id,
            province: match kind {
                RoundKind::Provincial => entry.fields.province.as_str(),
                RoundKind::National => NATIONAL_GROUP,
            },
            category: entry.fields.category.as_str(),
            prescore: snapshot::from_json(&entry.fields.snapshot)
                .map_or(0.0, |s| settings.prescore.prescore(&s.indicators).total),
        })
        .collect();
    let provinces: Vec<&str> = entries
        .iter()
        .map(|e| e.fields.province.as_str())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let rules = core_festival(festival)?;
    let quotas = rules.round_quotas(kind, &provinces);
    let round = RoundRules {
        judges_required: usize::try_from(festival.fields.judges_per_entry).unwrap_or(3),
    }
    .score(&core_entries, &judged, &conflicts, &quotas);
    Ok(round
        .entries
        .iter()
        .filter_map(|result| {
            let entry = entries.iter().find(|e| e.id == result.entry)?;
            Some(AwardResult {
                entry_id: result.entry,
                round: kind,
                province: entry.fields.province.clone(),
                judges: i64::try_from(result.judges).unwrap_or(i64::MAX),
                status: result.status,
                rank: result.rank.map(i64::from),
                winner: result.winner,
                band: match result.status {
                    EntryStatus::Ranked => result.score.map(|s| settings.bands.band(s)),
                    EntryStatus::Incomplete => None,
                },
            })
        })
        .collect())
}

/// Issues a certificate to each winner of a round.
async fn issue_certificates(
    write: &mut WriteTx,
    settings: &AwardSettings,
    festival: &AwardFestival,
    kind: RoundKind,
    today: &str,
) -> Result<(), AppError> {
    let results = write.award_results(festival.id, kind).await?;
    for result in results.iter().filter(|r| r.winner) {
        let entry = write.award_entry(result.entry_id).await?.ok_or_else(|| {
            AppError::Internal(format!("result of a missing entry {}", result.entry_id))
        })?;
        let code = certificate_code(
            settings,
            &CertificateSubject {
                festival_year: festival.fields.year,
                entry: result.entry_id,
                cooperative_id: entry.fields.cooperative_id,
            },
            kind,
        )?;
        write
            .insert_award_certificate(&AwardCertificate {
                entry_id: result.entry_id,
                round: kind,
                province: result.province.clone(),
                code: code.to_string(),
                issued_on: today.to_owned(),
            })
            .await?;
    }
    Ok(())
}

/// The verification code of a certificate: HMAC-SHA256 with the configured secret over
/// the core's message (the round appended, so a provincial and a national certificate of
/// one entry differ).
fn certificate_code(
    settings: &AwardSettings,
    subject: &CertificateSubject,
    kind: RoundKind,
) -> Result<CertificateCode, AppError> {
    if settings.certificate_secret.is_empty() {
        return Err(AppError::Internal(
            "no certificate secret is configured; codes would be forgeable".into(),
        ));
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(&settings.certificate_secret)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    mac.update(format!("{}/{kind}", subject.message()).as_bytes());
    CertificateCode::from_digest(&mac.finalize().into_bytes())
        .map_err(|e| AppError::Internal(e.to_string()))
}

/// Every result of a closed round, each with its cooperative and category, ordered by
/// province, category and rank (the incomplete ones last in theirs).
pub(super) async fn result_lines(
    read: &mut Reader,
    festival: &AwardFestival,
    kind: RoundKind,
) -> Result<Vec<PublicResult>, AppError> {
    let results = read.award_results(festival.id, kind).await?;
    let entries = read.award_entries(festival.id, None, None).await?;
    let mut lines: Vec<PublicResult> = results
        .into_iter()
        .filter_map(|result| {
            let entry = entries.iter().find(|e| e.id == result.entry_id)?;
            let category = festival
                .fields
                .categories
                .iter()
                .find(|c| c.code == entry.fields.category)?;
            Some(PublicResult {
                entry_id: result.entry_id,
                cooperative_name: entry.cooperative_name.clone(),
                province: result.province,
                category: category.code.clone(),
                category_name_fa: category.name_fa.clone(),
                category_name_en: category.name_en.clone(),
                status: result.status,
                rank: result.rank,
                winner: result.winner,
                band: result.band,
            })
        })
        .collect();
    lines.sort_by(|a, b| {
        let rank = |r: &PublicResult| r.rank.unwrap_or(i64::MAX);
        (a.province.as_str(), &a.category, rank(a)).cmp(&(
            b.province.as_str(),
            &b.category,
            rank(b),
        ))
    });
    Ok(lines)
}

/// What a verification code vouches for, if it was issued (no login).
pub async fn check_certificate(
    store: &Store,
    typed: &str,
) -> Result<Option<CertificateCheck>, AppError> {
    crate::bounds::check_texts(&[("code", Some(typed), TextKind::Code)])?;
    let Ok(code) = CertificateCode::parse(typed) else {
        return Err(AppError::invalid(
            "code",
            "format",
            "کد رهگیری ده نویسه است (نمونه: 7K2QD-M9XAT).",
            "A verification code has ten letters and digits (e.g. 7K2QD-M9XAT).",
        ));
    };
    let code = code.to_string();
    let mut read = store.read().await?;
    let Some(certificate) = read.award_certificate_by_code(&code).await? else {
        read.finish().await?;
        return Ok(None);
    };
    let entry = read
        .award_entry(certificate.entry_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let year = read
        .award_festival_year(entry.fields.festival_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let festival = festival_of(&mut read, year).await?;
    read.finish().await?;
    Ok(Some(CertificateCheck {
        code,
        festival_year: year,
        round: certificate.round,
        cooperative_name: entry.cooperative_name,
        province: certificate.province,
        category_name_fa: festival
            .fields
            .categories
            .iter()
            .find(|c| c.code == entry.fields.category)
            .map(|c| c.name_fa.clone())
            .unwrap_or_default(),
        issued_on: certificate.issued_on,
    }))
}
