//! What a judge may see and send, and who may enter the national round: each a pure
//! decision the app applies before it reads or writes.
//!
//! A judge sees the other judges' marks for an entry only after submitting their own (so
//! they cannot lean on them), and their names only once the round is closed (so nobody
//! knows whom to lobby while it is open).

use crate::awards::assignment::{Conflict, JudgeId};
use crate::awards::festival::{RoundState, Window};
use crate::awards::round::{EntryResult, Mark};
use crate::calendar::JalaliDate;

/// The other judges' marks for an entry, as much of them as the viewer may see.
#[derive(Clone, Debug, PartialEq)]
pub enum OthersMarks {
    /// The viewer has not submitted their own mark.
    Hidden,
    /// Marks without their judges, in ascending order (so the order gives no one away).
    Anonymous(Vec<f64>),
    /// The round is closed: marks with their judges.
    Named(Vec<(JudgeId, f64)>),
}

/// Why a judge's mark is refused.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum MarkRefusal {
    #[error("the round is {0}, not judging")]
    RoundNotJudging(RoundState),
    #[error("judging runs from {opens} to {closes}")]
    OutsideJudgingWindow {
        opens: JalaliDate,
        closes: JalaliDate,
    },
    #[error("the judge is not assigned to this entry")]
    NotAssigned,
    #[error("the judge is in conflict with the cooperative ({0})")]
    Conflicted(&'static str),
    #[error("the judge has already submitted a mark for this entry")]
    AlreadySubmitted,
    #[error("a mark is from 0 to 100, not {0}")]
    OutOfRange(f64),
}

/// Why an entry may not enter the national round.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NationalRefusal {
    #[error("the provincial round is {0}, not published")]
    ProvincialNotPublished(RoundState),
    #[error("the entry did not win its provincial round")]
    NotAProvincialWinner,
}

/// What a judge about to send a mark is, as the app has read it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Marker<'a, P> {
    pub assigned: bool,
    /// Their conflict with the cooperative, checked again now (data may have changed
    /// since the assignment).
    pub conflict: Option<&'a Conflict<P>>,
    pub already_submitted: bool,
}

/// The other judges' marks `viewer` may see; `marks` are the entry's submitted marks.
pub fn others_marks(viewer: JudgeId, state: RoundState, marks: &[Mark<JudgeId>]) -> OthersMarks {
    let submitted = marks.iter().any(|m| m.judge == viewer);
    let others = marks.iter().filter(|m| m.judge != viewer);
    match state {
        RoundState::Closed | RoundState::Published => {
            OthersMarks::Named(others.map(|m| (m.judge, m.score)).collect())
        }
        RoundState::OpenForEntries | RoundState::Judging if submitted => {
            let mut scores: Vec<f64> = others.map(|m| m.score).collect();
            scores.sort_by(f64::total_cmp);
            OthersMarks::Anonymous(scores)
        }
        RoundState::OpenForEntries | RoundState::Judging => OthersMarks::Hidden,
    }
}

/// Whether a judge's mark for an entry is taken, or the first reason it is not.
pub fn accept_mark<P>(
    state: RoundState,
    judging: Window,
    today: JalaliDate,
    marker: Marker<'_, P>,
    score: f64,
) -> Result<(), MarkRefusal> {
    if state != RoundState::Judging {
        return Err(MarkRefusal::RoundNotJudging(state));
    }
    if !judging.contains(today) {
        return Err(MarkRefusal::OutsideJudgingWindow {
            opens: judging.opens(),
            closes: judging.closes(),
        });
    }
    if !marker.assigned {
        return Err(MarkRefusal::NotAssigned);
    }
    if let Some(conflict) = marker.conflict {
        return Err(MarkRefusal::Conflicted(conflict.code()));
    }
    if marker.already_submitted {
        return Err(MarkRefusal::AlreadySubmitted);
    }
    if !(0.0..=100.0).contains(&score) {
        return Err(MarkRefusal::OutOfRange(score));
    }
    Ok(())
}

/// Whether an entry may enter the national round: only a winner of a published
/// provincial round (`provincial` is its provincial result, `None` if it had none).
pub fn admit_to_national(
    provincial_state: RoundState,
    provincial: Option<&EntryResult>,
) -> Result<(), NationalRefusal> {
    if provincial_state != RoundState::Published {
        return Err(NationalRefusal::ProvincialNotPublished(provincial_state));
    }
    match provincial {
        Some(result) if result.winner => Ok(()),
        _ => Err(NationalRefusal::NotAProvincialWinner),
    }
}

impl MarkRefusal {
    /// A stable machine code of the broken rule.
    pub fn rule(&self) -> &'static str {
        match self {
            MarkRefusal::RoundNotJudging(_) => "round_not_judging",
            MarkRefusal::OutsideJudgingWindow { .. } => "outside_judging_window",
            MarkRefusal::NotAssigned => "not_assigned",
            MarkRefusal::Conflicted(_) => "conflict",
            MarkRefusal::AlreadySubmitted => "already_submitted",
            MarkRefusal::OutOfRange(_) => "score_range",
        }
    }
}

impl NationalRefusal {
    /// A stable machine code of the broken rule.
    pub fn rule(&self) -> &'static str {
        match self {
            NationalRefusal::ProvincialNotPublished(_) => "provincial_not_published",
            NationalRefusal::NotAProvincialWinner => "not_provincial_winner",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::awards::festival::tests::{day, festival};
    use crate::awards::round::EntryStatus;

    fn marks() -> Vec<Mark<JudgeId>> {
        [(1, 70.0), (2, 90.0), (3, 60.0)]
            .into_iter()
            .map(|(judge, score)| Mark {
                judge,
                entry: 5,
                score,
            })
            .collect()
    }

    #[test]
    fn others_marks_show_after_ones_own_and_names_after_the_round_closes() {
        // Establishes the three views: hidden before submitting, anonymous after, named
        // once closed.
        let submitted = marks();
        let cases = [
            (4, RoundState::Judging, OthersMarks::Hidden),
            (
                2,
                RoundState::Judging,
                OthersMarks::Anonymous(vec![60.0, 70.0]),
            ),
            (
                2,
                RoundState::Closed,
                OthersMarks::Named(vec![(1, 70.0), (3, 60.0)]),
            ),
            (
                4,
                RoundState::Published,
                OthersMarks::Named(vec![(1, 70.0), (2, 90.0), (3, 60.0)]),
            ),
        ];
        for (viewer, state, want) in cases {
            assert_eq!(
                others_marks(viewer, state, &submitted),
                want,
                "{viewer} {state}"
            );
        }
        assert_eq!(
            others_marks(1, RoundState::Judging, &submitted[..1]),
            OthersMarks::Anonymous(Vec::new())
        );
    }

    #[test]
    fn a_mark_is_refused_when_the_round_is_closed_or_the_judge_may_not_give_it() {
        // Establishes each refusal, in the order they are checked.
        let judging = festival().judging_window();
        let inside = day("1404-04-10");
        let fine = Marker::<u32> {
            assigned: true,
            conflict: None,
            already_submitted: false,
        };
        let member = Conflict::Member;
        let cases = [
            (RoundState::Judging, inside, fine, 80.0, Ok(())),
            (
                RoundState::Closed,
                inside,
                fine,
                80.0,
                Err("round_not_judging"),
            ),
            (
                RoundState::Published,
                inside,
                fine,
                80.0,
                Err("round_not_judging"),
            ),
            (
                RoundState::Judging,
                day("1404-06-01"),
                fine,
                80.0,
                Err("outside_judging_window"),
            ),
            (
                RoundState::Judging,
                inside,
                Marker {
                    assigned: false,
                    ..fine
                },
                80.0,
                Err("not_assigned"),
            ),
            (
                RoundState::Judging,
                inside,
                Marker {
                    conflict: Some(&member),
                    ..fine
                },
                80.0,
                Err("conflict"),
            ),
            (
                RoundState::Judging,
                inside,
                Marker {
                    already_submitted: true,
                    ..fine
                },
                80.0,
                Err("already_submitted"),
            ),
            (RoundState::Judging, inside, fine, 100.5, Err("score_range")),
            (
                RoundState::Judging,
                inside,
                fine,
                f64::NAN,
                Err("score_range"),
            ),
        ];
        for (state, today, marker, score, want) in cases {
            let got = accept_mark(state, judging, today, marker, score).map_err(|e| e.rule());
            assert_eq!(got, want, "{state} {today} {score}");
        }
    }

    #[test]
    fn the_national_round_takes_only_published_provincial_winners() {
        // Establishes the admission rule.
        let result = |winner| EntryResult {
            entry: 5,
            judges: 3,
            score: Some(0.5),
            rank: Some(if winner { 1 } else { 2 }),
            winner,
            status: EntryStatus::Ranked,
        };
        let (winner, runner_up) = (result(true), result(false));
        let cases = [
            (RoundState::Published, Some(&winner), Ok(())),
            (
                RoundState::Published,
                Some(&runner_up),
                Err("not_provincial_winner"),
            ),
            (RoundState::Published, None, Err("not_provincial_winner")),
            (
                RoundState::Closed,
                Some(&winner),
                Err("provincial_not_published"),
            ),
        ];
        for (state, provincial, want) in cases {
            assert_eq!(
                admit_to_national(state, provincial).map_err(|e| e.rule()),
                want
            );
        }
    }
}
