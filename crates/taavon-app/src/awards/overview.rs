//! What the festival's pages list beyond one entry: every festival, a festival's entries
//! in the reader's scope with their pre-score and — for the ministry and the provinces'
//! officers — how far their judging has come (judges assigned, judges submitted; never
//! who or what), a closed round's ranking as far as `access::results_scope` lets the
//! reader see it, and the ministry's panel with the judge users still to appoint.

use taavon_core::access::{
    AwardScope, JudgePanel, Principal, Role, award_scope, follows_judging, keeps_festivals,
    results_scope,
};
use taavon_core::awards::EntryStatus;
use taavon_core::awards::festival::{RoundKind, RoundState};
use taavon_store::{AwardEntry, AwardFestival, AwardPanelJudge, Reader, Store};

use super::entries::entries_in_scope;
use super::rounds::result_lines;
use super::{AwardSettings, PublicResult, festival_of, round_of, snapshot, state_of};
use crate::AppError;

/// An entry on a festival's list.
#[derive(Clone, Debug, PartialEq)]
pub struct EntryLine {
    pub entry: AwardEntry,
    pub category_name_fa: String,
    pub category_name_en: String,
    /// The automatic pre-score's total (0–100).
    pub prescore: Option<f64>,
    pub round: RoundKind,
    pub round_state: RoundState,
    /// How far the judging of the entry's round has come, for those who follow it.
    pub progress: Option<JudgingProgress>,
}

/// How many judges an entry has in its round and how many of them submitted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JudgingProgress {
    pub judges: usize,
    pub submitted: usize,
}

/// A festival's panel as the ministry keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PanelView {
    pub judges: Vec<AwardPanelJudge>,
    /// Users with a judge's role in this festival not yet appointed: (user id, name,
    /// panel).
    pub candidates: Vec<(i64, String, JudgePanel)>,
}

/// Every festival, newest first (their settings are no secret).
pub async fn festivals(store: &Store) -> Result<Vec<AwardFestival>, AppError> {
    let mut read = store.read().await?;
    let mut listed = Vec::new();
    for year in read.award_festival_years().await? {
        listed.push(festival_of(&mut read, year).await?);
    }
    read.finish().await?;
    Ok(listed)
}

/// A festival's entries the reader may list, each with its pre-score and, for those who
/// follow the judging, its progress.
pub async fn festival_entries(
    store: &Store,
    principal: &Principal,
    settings: &AwardSettings,
    year: i32,
) -> Result<Vec<EntryLine>, AppError> {
    let mut read = store.read().await?;
    let festival = festival_of(&mut read, year).await?;
    let entries = entries_in_scope(&mut read, principal, &festival).await?;
    let progress = if follows_judging(principal) {
        Some(progress_of(&mut read, &festival).await?)
    } else {
        None
    };
    read.finish().await?;
    Ok(entries
        .into_iter()
        .map(|entry| {
            let (round, round_state) = round_of(&festival, &entry);
            let category = festival
                .fields
                .categories
                .iter()
                .find(|c| c.code == entry.fields.category);
            let judging = progress.as_ref().map(|all| {
                let assigned = all
                    .iter()
                    .filter(|(kind, id, _)| *kind == round && *id == entry.id);
                JudgingProgress {
                    judges: assigned.clone().count(),
                    submitted: assigned.filter(|(_, _, submitted)| *submitted).count(),
                }
            });
            EntryLine {
                category_name_fa: category.map(|c| c.name_fa.clone()).unwrap_or_default(),
                category_name_en: category.map(|c| c.name_en.clone()).unwrap_or_default(),
                prescore: snapshot::from_json(&entry.fields.snapshot)
                    .map(|s| settings.prescore.prescore(&s.indicators).total),
                round,
                round_state,
                progress: judging,
                entry,
            }
        })
        .collect())
}

/// Every current assignment of the festival as (round, entry, submitted).
async fn progress_of(
    read: &mut Reader,
    festival: &AwardFestival,
) -> Result<Vec<(RoundKind, i64, bool)>, AppError> {
    let mut lines = Vec::new();
    for kind in RoundKind::ALL {
        let submitted = read.award_submissions(festival.id, *kind).await?;
        lines.extend(
            read.award_assignments(festival.id, *kind)
                .await?
                .into_iter()
                .filter(|a| a.conflict.is_none())
                .map(|a| {
                    let done = submitted.contains(&(a.entry_id, a.judge_user_id));
                    (*kind, a.entry_id, done)
                }),
        );
    }
    Ok(lines)
}

/// A round's results as far as the reader may see them (`access::results_scope`): a
/// published round's whole, a closed one's to the ministry, and to a provincial officer
/// their province's; for anyone else, and for a round still open, not found.
pub async fn round_results(
    store: &Store,
    principal: Option<&Principal>,
    year: i32,
    kind: RoundKind,
) -> Result<Vec<PublicResult>, AppError> {
    let mut read = store.read().await?;
    let festival = festival_of(&mut read, year).await?;
    let scope = results_scope(principal, state_of(&festival, kind));
    let lines = match scope {
        AwardScope::None | AwardScope::Cooperative(_) | AwardScope::Assigned { .. } => {
            return Err(AppError::NotFound);
        }
        AwardScope::All => result_lines(&mut read, &festival, kind).await?,
        AwardScope::Province(province) => result_lines(&mut read, &festival, kind)
            .await?
            .into_iter()
            .filter(|line| line.province == province)
            .collect(),
    };
    read.finish().await?;
    Ok(lines)
}

/// A published round's results for the public pages (no login): the ranked entries; a
/// round not yet published answers as a missing one.
pub async fn public_results(
    store: &Store,
    year: i32,
    kind: RoundKind,
) -> Result<Vec<PublicResult>, AppError> {
    Ok(round_results(store, None, year, kind)
        .await?
        .into_iter()
        .filter(|r| r.status == EntryStatus::Ranked)
        .collect())
}

/// The festival's panel and the judge users not yet on it (the ministry's and auditors').
pub async fn panel(store: &Store, principal: &Principal, year: i32) -> Result<PanelView, AppError> {
    if !keeps_festivals(principal) && award_scope(principal) != AwardScope::All {
        return Err(AppError::Forbidden);
    }
    let mut read = store.read().await?;
    let festival = festival_of(&mut read, year).await?;
    let judges = read.award_panel(festival.id).await?;
    let candidates = read
        .users()
        .await?
        .into_iter()
        .filter(|user| user.active && !judges.iter().any(|j| j.user_id == user.id))
        .filter_map(|user| match user.role {
            Role::Judge {
                festival_year,
                panel,
            } if festival_year == year => Some((user.id, user.display_name, panel)),
            _ => None,
        })
        .collect();
    read.finish().await?;
    Ok(PanelView { judges, candidates })
}
