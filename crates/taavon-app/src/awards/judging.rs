//! Judging: the ministry appoints a festival's judges to panels; a round's entries get
//! their judges automatically (`assign_round`, from the rounds' moves); a judge marks an
//! entry per criterion and submits. A judge found in conflict with the cooperative when
//! they come to mark (the registry may have changed since the assignment) is refused and
//! the entry reassigned, in a transaction of its own so that the reassignment stands.

use std::collections::BTreeMap;

use taavon_core::access::{JudgePanel, Principal, Role, keeps_festivals};
use taavon_core::awards::assignment::{
    AssignmentRules, CooperativePeople, EntryToAssign, PanelJudge, Panels, conflict,
};
use taavon_core::awards::criteria::weighted_mark;
use taavon_core::awards::festival::{RoundKind, RoundState};
use taavon_core::awards::visibility::{Marker, accept_mark};
use taavon_core::calendar::JalaliDate;
use taavon_core::ids::NationalCode;
use taavon_core::limits::TextKind;
use taavon_core::timestamp::Timestamp;
use taavon_store::{AwardEntry, AwardFestival, Reader, Store, StoreError, WriteTx};

use super::entries::assigned_entries;
use super::{core_criteria, core_festival, festival_of, round_of};
use crate::AppError;
use crate::idempotency::{Begun, Idempotency, begin, finish_idempotent};
use crate::loans::business_date_in;

/// A judge's marks for an entry, one per criterion of its category (0–100 each).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MarksInput {
    pub marks: Vec<(String, u32)>,
}

/// An entry on a judge's list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JudgeEntry {
    pub entry: AwardEntry,
    pub round: RoundKind,
    pub round_state: RoundState,
    pub marked: bool,
    pub submitted: bool,
}

/// The most criteria one submission names (a bound on the list).
const MARKS_MAX: usize = 20;

/// Puts a judge's user on the festival's panel their role names (the ministry's);
/// `national_code` is the judge's own, compared with cooperatives' members and boards.
pub async fn appoint_judge(
    store: &Store,
    principal: &Principal,
    year: i32,
    user_id: i64,
    national_code: &str,
    idempotency: Option<Idempotency<'_>>,
    now: Timestamp,
) -> Result<i64, AppError> {
    crate::bounds::check_texts(&[("national_code", Some(national_code), TextKind::Identifier)])?;
    if !keeps_festivals(principal) {
        return Err(AppError::Forbidden);
    }
    let code = NationalCode::parse(national_code).map_err(|_| {
        AppError::invalid(
            "national_code",
            "national_code_checksum",
            "کد ملی واردشده معتبر نیست.",
            "Not a valid national code.",
        )
    })?;
    let mut write = match begin(store, principal, idempotency, now).await? {
        Begun::Replay(id) => return Ok(id),
        Begun::Fresh(write) => write,
    };
    let festival = festival_of(&mut write, year).await?;
    let user = write.user_by_id(user_id).await?;
    let panel = match user.map(|user| user.role) {
        Some(Role::Judge {
            festival_year,
            panel,
        }) if festival_year == year => panel,
        _ => {
            return Err(AppError::invalid(
                "user_id",
                "not_a_judge",
                "این کاربر داور این جشنواره نیست.",
                "The user is not a judge of this festival.",
            ));
        }
    };
    let province = match &panel {
        JudgePanel::Provincial(province) => Some(province),
        JudgePanel::National => None,
    };
    match write
        .insert_award_judge(festival.id, user_id, province, code.as_str())
        .await
    {
        Ok(()) => {}
        Err(StoreError::Duplicate { .. }) => {
            return Err(AppError::invalid(
                "user_id",
                "already_appointed",
                "این داور پیش‌تر منصوب شده است.",
                "The judge is already appointed.",
            ));
        }
        Err(other) => return Err(other.into()),
    }
    finish_idempotent(write, principal, idempotency, user_id).await
}

/// The entries assigned to the calling judge, with whether they marked and submitted.
pub async fn my_entries(store: &Store, principal: &Principal) -> Result<Vec<JudgeEntry>, AppError> {
    let Role::Judge { festival_year, .. } = &principal.role else {
        return Err(AppError::Forbidden);
    };
    let mut read = store.read().await?;
    let festival = festival_of(&mut read, *festival_year).await?;
    let assigned = assigned_entries(&mut read, festival.id, principal.user_id).await?;
    let mut listed = Vec::new();
    for entry in read.award_entries(festival.id, None, None).await? {
        if !assigned.contains(&entry.id) {
            continue;
        }
        let (round, round_state) = round_of(&festival, &entry);
        let marked = read
            .award_marks(festival.id, round, false)
            .await?
            .iter()
            .any(|m| m.entry_id == entry.id && m.judge_user_id == principal.user_id);
        let submitted = read
            .award_submissions(festival.id, round)
            .await?
            .contains(&(entry.id, principal.user_id));
        listed.push(JudgeEntry {
            entry,
            round,
            round_state,
            marked,
            submitted,
        });
    }
    read.finish().await?;
    Ok(listed)
}

/// Keeps a judge's marks for an entry (until they submit, a judge may mark again).
pub async fn score(
    store: &Store,
    principal: &Principal,
    entry_id: i64,
    input: &MarksInput,
    idempotency: Option<Idempotency<'_>>,
    now: Timestamp,
) -> Result<i64, AppError> {
    let codes: Vec<(&str, Option<&str>, TextKind)> = input
        .marks
        .iter()
        .map(|(code, _)| ("marks.criterion", Some(code.as_str()), TextKind::Code))
        .collect();
    crate::bounds::check_texts(&codes)?;
    if input.marks.len() > MARKS_MAX {
        return Err(AppError::invalid(
            "marks",
            "too_many",
            "شمار نمره‌ها بیش از معیارهای رشته است.",
            "More marks than the category has criteria.",
        ));
    }
    refuse_if_conflicted(store, principal, entry_id, now).await?;
    let mut write = match begin(store, principal, idempotency, now).await? {
        Begun::Replay(id) => return Ok(id),
        Begun::Fresh(write) => write,
    };
    let judged = judged_entry(&mut write, principal, entry_id, now).await?;
    let marks: Vec<(&str, u32)> = input
        .marks
        .iter()
        .map(|(code, mark)| (code.trim(), *mark))
        .collect();
    let weighted = weighted_mark(&judged.criteria, &marks).map_err(|error| {
        AppError::invalid(
            "marks",
            error.rule(),
            "به هر معیار رشته یک نمره از ۰ تا ۱۰۰ بدهید.",
            &error.to_string(),
        )
    })?;
    judged.accept(weighted)?;
    let kept: Vec<(String, i64)> = marks
        .iter()
        .map(|(code, mark)| ((*code).to_owned(), i64::from(*mark)))
        .collect();
    write
        .put_award_marks(
            entry_id,
            judged.round,
            principal.user_id,
            &judged.entry.fields.province,
            &kept,
        )
        .await?;
    finish_idempotent(write, principal, idempotency, entry_id).await
}

/// Makes a judge's marks for an entry final; the other judges' submitted marks become
/// visible to them.
pub async fn submit(
    store: &Store,
    principal: &Principal,
    entry_id: i64,
    idempotency: Option<Idempotency<'_>>,
    now: Timestamp,
) -> Result<i64, AppError> {
    refuse_if_conflicted(store, principal, entry_id, now).await?;
    let mut write = match begin(store, principal, idempotency, now).await? {
        Begun::Replay(id) => return Ok(id),
        Begun::Fresh(write) => write,
    };
    let judged = judged_entry(&mut write, principal, entry_id, now).await?;
    let own: Vec<(String, u32)> = write
        .award_marks(judged.festival.id, judged.round, false)
        .await?
        .into_iter()
        .filter(|m| m.entry_id == entry_id && m.judge_user_id == principal.user_id)
        .map(|m| (m.criterion, u32::try_from(m.mark).unwrap_or(0)))
        .collect();
    let own: Vec<(&str, u32)> = own.iter().map(|(c, m)| (c.as_str(), *m)).collect();
    let weighted = weighted_mark(&judged.criteria, &own).map_err(|error| {
        AppError::invalid(
            "marks",
            error.rule(),
            "پیش از فرستادن، به همه معیارها نمره بدهید.",
            &error.to_string(),
        )
    })?;
    judged.accept(weighted)?;
    write
        .insert_award_submission(
            entry_id,
            judged.round,
            principal.user_id,
            &judged.entry.fields.province,
        )
        .await?;
    finish_idempotent(write, principal, idempotency, entry_id).await
}

/// An entry as a judge about to mark it finds it.
struct Judged {
    festival: AwardFestival,
    entry: AwardEntry,
    round: RoundKind,
    state: RoundState,
    criteria: Vec<taavon_core::awards::criteria::Criterion>,
    judging: taavon_core::awards::festival::Window,
    today: JalaliDate,
    assigned: bool,
    submitted: bool,
}

impl Judged {
    /// The core's verdict on the mark (conflicts were dealt with before).
    fn accept(&self, weighted: f64) -> Result<(), AppError> {
        accept_mark::<String>(
            self.state,
            self.judging,
            self.today,
            Marker {
                assigned: self.assigned,
                conflict: None,
                already_submitted: self.submitted,
            },
            weighted,
        )
        .map_err(|refusal| {
            let fa = match refusal.rule() {
                "round_not_judging" => "داوری این دور باز نیست؛ نمره پذیرفته نمی‌شود.",
                "outside_judging_window" => "امروز در دوره داوری جشنواره نیست.",
                "already_submitted" => "نمره‌های این پرونده پیش‌تر فرستاده شده و نهایی است.",
                _ => "این نمره پذیرفته نمی‌شود.",
            };
            AppError::invalid("marks", refusal.rule(), fa, &refusal.to_string())
        })
    }
}

/// The entry a judge names, read for marking: not theirs (not a judge of its festival,
/// or not assigned) answers as a missing one.
async fn judged_entry(
    reader: &mut Reader,
    principal: &Principal,
    entry_id: i64,
    now: Timestamp,
) -> Result<Judged, AppError> {
    let Role::Judge { festival_year, .. } = &principal.role else {
        return Err(AppError::Forbidden);
    };
    let festival = festival_of(reader, *festival_year).await?;
    let entry = reader
        .award_entry(entry_id)
        .await?
        .filter(|e| e.fields.festival_id == festival.id)
        .ok_or(AppError::NotFound)?;
    let (round, state) = round_of(&festival, &entry);
    let assigned = reader
        .award_assignments(festival.id, round)
        .await?
        .iter()
        .any(|a| {
            a.entry_id == entry_id && a.judge_user_id == principal.user_id && a.conflict.is_none()
        });
    if !assigned {
        return Err(AppError::NotFound);
    }
    let submitted = reader
        .award_submissions(festival.id, round)
        .await?
        .contains(&(entry_id, principal.user_id));
    let criteria = festival
        .fields
        .categories
        .iter()
        .find(|c| c.code == entry.fields.category)
        .map(|c| core_criteria(&c.criteria))
        .unwrap_or_default();
    let judging = core_festival(&festival)?.judging_window();
    let today = JalaliDate::from(business_date_in(reader, now).await?);
    Ok(Judged {
        festival,
        entry,
        round,
        state,
        criteria,
        judging,
        today,
        assigned,
        submitted,
    })
}

/// Checks the calling judge against the entry's cooperative as the registry stands now;
/// in conflict, takes them off the entry, puts the least-loaded free judge of the panel
/// on in their place, commits that, and refuses the judge with the reason.
async fn refuse_if_conflicted(
    store: &Store,
    principal: &Principal,
    entry_id: i64,
    now: Timestamp,
) -> Result<(), AppError> {
    let Role::Judge { festival_year, .. } = &principal.role else {
        return Err(AppError::Forbidden);
    };
    let mut write = store.write(crate::auth::actor_of(principal), now).await?;
    let festival = festival_of(&mut write, *festival_year).await?;
    let Some(entry) = write
        .award_entry(entry_id)
        .await?
        .filter(|e| e.fields.festival_id == festival.id)
    else {
        write.rollback().await?;
        return Err(AppError::NotFound);
    };
    let (round, _) = round_of(&festival, &entry);
    let (judges, panels) = panels(&mut write, festival.id).await?;
    let people = people(&mut write, entry.fields.cooperative_id).await?;
    let Some(me) = judges.iter().find(|j| j.judge == principal.user_id) else {
        write.rollback().await?;
        return Err(AppError::NotFound);
    };
    let Some(found) = conflict(me, &people) else {
        write.rollback().await?;
        return Ok(());
    };
    let assignments = write.award_assignments(festival.id, round).await?;
    let was_assigned = assignments.iter().any(|a| {
        a.entry_id == entry_id && a.judge_user_id == principal.user_id && a.conflict.is_none()
    });
    if !was_assigned {
        write.rollback().await?;
        return Err(AppError::NotFound);
    }
    let mut current = taavon_core::awards::assignment::Assignment::default();
    for a in assignments.iter().filter(|a| a.conflict.is_none()) {
        current
            .judges
            .entry(a.entry_id)
            .or_default()
            .push(a.judge_user_id);
    }
    write
        .remove_award_assignment(entry_id, round, principal.user_id, found.code())
        .await?;
    let rules = assignment_rules(&festival);
    let panel = panels.for_entry(round, entry.fields.province.as_str());
    let reassigned = panel
        .and_then(|panel| rules.reassign(&current, panel, entry_id, &people, principal.user_id));
    let replaced = match reassigned {
        Ok(reassignment) => {
            write
                .insert_award_assignments(
                    entry_id,
                    round,
                    &entry.fields.province,
                    &[reassignment.added],
                )
                .await?;
            true
        }
        // The entry keeps fewer judges; the ministry sees it short on the festival's page.
        Err(_) => false,
    };
    write.commit().await?;
    let (fa, en) = if replaced {
        (
            "شما عضو یا عضو هیئت‌مدیره این تعاونی هستید و نمی‌توانید به آن نمره دهید؛ پرونده به داور دیگری سپرده شد.",
            "You are in conflict with this cooperative; the entry was reassigned to another judge.",
        )
    } else {
        (
            "شما عضو یا عضو هیئت‌مدیره این تعاونی هستید و نمی‌توانید به آن نمره دهید؛ داور آزاد دیگری برای این پرونده نماند.",
            "You are in conflict with this cooperative; no other judge of the panel is free.",
        )
    };
    Err(AppError::invalid("judge", "conflict", fa, en))
}

/// The festival's assignment rules.
pub(super) fn assignment_rules(festival: &AwardFestival) -> AssignmentRules {
    AssignmentRules {
        judges_per_entry: usize::try_from(festival.fields.judges_per_entry).unwrap_or(3),
        load_max: usize::try_from(festival.fields.load_max).unwrap_or(20),
    }
}

/// The festival's judges and its panels as the core takes them (people by national
/// code; relatives are not recorded, so none is compared).
pub(super) async fn panels(
    reader: &mut Reader,
    festival_id: i64,
) -> Result<(Vec<PanelJudge<String>>, Panels<String>), AppError> {
    let mut provincial: BTreeMap<String, Vec<PanelJudge<String>>> = BTreeMap::new();
    let mut national = Vec::new();
    let mut all = Vec::new();
    for judge in reader.award_panel(festival_id).await? {
        let panel_judge = PanelJudge {
            judge: judge.user_id,
            person: judge.national_code.clone(),
            relatives: None,
        };
        all.push(panel_judge.clone());
        match judge.province {
            Some(province) => provincial
                .entry(province.as_str().to_owned())
                .or_default()
                .push(panel_judge),
            None => national.push(panel_judge),
        }
    }
    Ok((
        all,
        Panels {
            provincial,
            national,
        },
    ))
}

/// A cooperative's members and board by national code.
pub(super) async fn people(
    reader: &mut Reader,
    cooperative_id: i64,
) -> Result<CooperativePeople<String>, AppError> {
    let (members, board) = reader.cooperative_people_codes(cooperative_id).await?;
    Ok(CooperativePeople {
        members: members.into_iter().collect(),
        board: board.into_iter().collect(),
    })
}

/// Assigns judges to every entry of a round that starts judging: the eligible entries
/// in the provincial round, the admitted ones in the national.
pub(super) async fn assign_round(
    write: &mut WriteTx,
    festival: &AwardFestival,
    kind: RoundKind,
) -> Result<usize, AppError> {
    let entries: Vec<AwardEntry> = write
        .award_entries(festival.id, None, None)
        .await?
        .into_iter()
        .filter(|e| match kind {
            RoundKind::Provincial => e.fields.eligible,
            RoundKind::National => e.national,
        })
        .collect();
    let (_, panels) = panels(write, festival.id).await?;
    let mut people_of = Vec::with_capacity(entries.len());
    for entry in &entries {
        people_of.push(people(write, entry.fields.cooperative_id).await?);
    }
    let to_assign: Vec<EntryToAssign<'_, String>> = entries
        .iter()
        .zip(&people_of)
        .map(|(entry, people)| EntryToAssign {
            entry: entry.id,
            province: entry.fields.province.as_str(),
            people,
        })
        .collect();
    let assignment = assignment_rules(festival)
        .assign(kind, &panels, &to_assign)
        .map_err(|error| {
            let fa = match &error {
                taavon_core::awards::assignment::AssignmentError::NoPanel { .. } => {
                    "استانی که پرونده دارد هیئت داوری ندارد."
                }
                _ => "داوران هیئت برای پرونده‌ها بس نیستند (با شمار داور هر پرونده، سقف بار هر داور و تعارض منافع).",
            };
            AppError::invalid("panel", error.rule(), fa, &error.to_string())
        })?;
    for entry in &entries {
        if let Some(judges) = assignment.judges.get(&entry.id) {
            write
                .insert_award_assignments(entry.id, kind, &entry.fields.province, judges)
                .await?;
        }
    }
    Ok(entries.len())
}
