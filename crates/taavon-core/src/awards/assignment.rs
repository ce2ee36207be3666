//! Judges for each entry, from the round's panel (the entry's province's panel in the
//! provincial round, the national panel in the national one): as many as the rules ask,
//! never one in conflict with the cooperative, none over the load limit, spread evenly,
//! and the same every time for the same input.
//!
//! A judge is in conflict with a cooperative they are a member or board member of, or
//! whose board has one of their relatives (when relatives are known). People are compared
//! by an identity `P` of the caller's choosing (the national code in the app).
//!
//! The assignment is greedy: the entries with the fewest judges free of conflict first,
//! each taking the least-loaded free judges (by judge id on ties). Without conflicts this
//! keeps every load within one of every other; with conflicts it may fail where a cleverer
//! search would succeed, and then says which entry it could not fill.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use crate::awards::festival::RoundKind;

/// A judge's user id.
pub type JudgeId = i64;

/// A judge on a panel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PanelJudge<P> {
    pub judge: JudgeId,
    pub person: P,
    /// Their relatives; `None` when the data does not exist.
    pub relatives: Option<BTreeSet<P>>,
}

/// The people of an entry's cooperative.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CooperativePeople<P> {
    pub members: BTreeSet<P>,
    pub board: BTreeSet<P>,
}

/// An entry to assign judges to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EntryToAssign<'a, P> {
    pub entry: i64,
    /// `IR-16` style; chooses the provincial panel.
    pub province: &'a str,
    pub people: &'a CooperativePeople<P>,
}

/// The festival's panels.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Panels<P> {
    /// By province (`IR-16` style).
    pub provincial: BTreeMap<String, Vec<PanelJudge<P>>>,
    pub national: Vec<PanelJudge<P>>,
}

/// Which panel.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum PanelName {
    Provincial(String),
    National,
}

/// Why a judge may not score a cooperative.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Conflict<P> {
    BoardMember,
    Member,
    RelativeOnBoard(P),
}

/// How many judges an entry gets and how many entries a judge may get.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AssignmentRules {
    pub judges_per_entry: usize,
    pub load_max: usize,
}

/// The judges of each entry of a round.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Assignment {
    /// By entry; each entry's judges in id order.
    pub judges: BTreeMap<i64, Vec<JudgeId>>,
}

/// A conflicted judge taken off an entry and the one put on in their place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reassignment {
    pub assignment: Assignment,
    pub removed: JudgeId,
    pub added: JudgeId,
}

/// A panel and the entries it judges.
type PanelEntries<'p, 'e, 'a, P> = (&'p [PanelJudge<P>], Vec<&'e EntryToAssign<'a, P>>);

/// Why judges cannot be assigned.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AssignmentError {
    #[error("province {province} has no panel")]
    NoPanel { province: String },
    /// Fewer judges on the panel are free of conflict with the entry than it needs.
    #[error(
        "the {panel} has {free} judges free of conflict with entry {entry}, {required} are needed"
    )]
    PanelTooSmall {
        panel: PanelName,
        entry: i64,
        free: usize,
        required: usize,
    },
    /// The panel cannot give every entry its judges within the load limit.
    #[error(
        "the {panel} has {judges} judges for {entries} entries: {required} judges each at most {load_max} entries per judge is too few"
    )]
    Overloaded {
        panel: PanelName,
        entries: usize,
        judges: usize,
        required: usize,
        load_max: usize,
    },
    /// Enough judges in all, but those free of conflict with this entry are full.
    #[error("the {panel}'s judges free of conflict with entry {entry} are at their load limit")]
    NoJudgeFree { panel: PanelName, entry: i64 },
    #[error("judge {judge} is not assigned to entry {entry}")]
    NotAssigned { entry: i64, judge: JudgeId },
}

impl Default for AssignmentRules {
    fn default() -> Self {
        Self {
            judges_per_entry: 3,
            load_max: 20,
        }
    }
}

impl fmt::Display for PanelName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PanelName::Provincial(province) => write!(f, "panel of {province}"),
            PanelName::National => f.write_str("national panel"),
        }
    }
}

impl AssignmentError {
    /// A stable machine code of the broken rule.
    pub fn rule(&self) -> &'static str {
        match self {
            AssignmentError::NoPanel { .. } => "no_panel",
            AssignmentError::PanelTooSmall { .. } => "panel_too_small",
            AssignmentError::Overloaded { .. } => "panel_overloaded",
            AssignmentError::NoJudgeFree { .. } => "no_judge_free",
            AssignmentError::NotAssigned { .. } => "not_assigned",
        }
    }
}

impl<P> Conflict<P> {
    /// A stable machine code of the conflict.
    pub fn code(&self) -> &'static str {
        match self {
            Conflict::BoardMember => "board_member",
            Conflict::Member => "member",
            Conflict::RelativeOnBoard(_) => "relative_on_board",
        }
    }
}

/// The judge's conflict with the cooperative, if any (the closest tie first).
pub fn conflict<P: Ord + Clone>(
    judge: &PanelJudge<P>,
    people: &CooperativePeople<P>,
) -> Option<Conflict<P>> {
    if people.board.contains(&judge.person) {
        return Some(Conflict::BoardMember);
    }
    if people.members.contains(&judge.person) {
        return Some(Conflict::Member);
    }
    let relatives = judge.relatives.as_ref()?;
    relatives
        .intersection(&people.board)
        .next()
        .map(|relative| Conflict::RelativeOnBoard(relative.clone()))
}

impl<P> Panels<P> {
    /// The panel that judges an entry of `province` in a round of `kind`.
    pub fn for_entry(
        &self,
        kind: RoundKind,
        province: &str,
    ) -> Result<(PanelName, &[PanelJudge<P>]), AssignmentError> {
        match kind {
            RoundKind::National => Ok((PanelName::National, &self.national)),
            RoundKind::Provincial => self
                .provincial
                .get(province)
                .map(|panel| (PanelName::Provincial(province.to_owned()), panel.as_slice()))
                .ok_or_else(|| AssignmentError::NoPanel {
                    province: province.to_owned(),
                }),
        }
    }
}

impl Assignment {
    /// How many entries each judge has.
    pub fn loads(&self) -> BTreeMap<JudgeId, usize> {
        let mut loads = BTreeMap::new();
        for judge in self.judges.values().flatten() {
            *loads.entry(*judge).or_insert(0) += 1;
        }
        loads
    }
}

impl AssignmentRules {
    /// Assigns judges to every entry of a round of `kind`.
    pub fn assign<P: Ord + Clone>(
        &self,
        kind: RoundKind,
        panels: &Panels<P>,
        entries: &[EntryToAssign<'_, P>],
    ) -> Result<Assignment, AssignmentError> {
        let mut by_panel: BTreeMap<PanelName, PanelEntries<'_, '_, '_, P>> = BTreeMap::new();
        for entry in entries {
            let (name, panel) = panels.for_entry(kind, entry.province)?;
            by_panel
                .entry(name)
                .or_insert((panel, Vec::new()))
                .1
                .push(entry);
        }
        let mut assignment = Assignment::default();
        // One load per judge across panels, in case a judge sits on more than one.
        let mut loads: BTreeMap<JudgeId, usize> = BTreeMap::new();
        for (name, (panel, entries)) in by_panel {
            let required = entries.len().saturating_mul(self.judges_per_entry);
            if required > panel.len().saturating_mul(self.load_max) {
                return Err(AssignmentError::Overloaded {
                    panel: name,
                    entries: entries.len(),
                    judges: panel.len(),
                    required: self.judges_per_entry,
                    load_max: self.load_max,
                });
            }
            let mut free: Vec<(&EntryToAssign<'_, P>, Vec<&PanelJudge<P>>)> = entries
                .into_iter()
                .map(|entry| {
                    let judges = panel
                        .iter()
                        .filter(|judge| conflict(judge, entry.people).is_none())
                        .collect();
                    (entry, judges)
                })
                .collect();
            // The most constrained entries first, so they are not left with full judges.
            free.sort_by_key(|(entry, judges)| (judges.len(), entry.entry));
            for (entry, judges) in free {
                if judges.len() < self.judges_per_entry {
                    return Err(AssignmentError::PanelTooSmall {
                        panel: name,
                        entry: entry.entry,
                        free: judges.len(),
                        required: self.judges_per_entry,
                    });
                }
                let chosen = self.least_loaded(&judges, &loads, &[]);
                if chosen.len() < self.judges_per_entry {
                    return Err(AssignmentError::NoJudgeFree {
                        panel: name,
                        entry: entry.entry,
                    });
                }
                for judge in &chosen {
                    *loads.entry(*judge).or_insert(0) += 1;
                }
                let mut chosen = chosen;
                chosen.sort_unstable();
                assignment.judges.insert(entry.entry, chosen);
            }
        }
        Ok(assignment)
    }

    /// Takes `refused` (found in conflict after the assignment) off `entry` and puts the
    /// least-loaded free judge of the entry's panel in their place.
    pub fn reassign<P: Ord + Clone>(
        &self,
        assignment: &Assignment,
        (panel_name, panel): (PanelName, &[PanelJudge<P>]),
        entry: i64,
        people: &CooperativePeople<P>,
        refused: JudgeId,
    ) -> Result<Reassignment, AssignmentError> {
        let current = assignment
            .judges
            .get(&entry)
            .filter(|judges| judges.contains(&refused))
            .ok_or(AssignmentError::NotAssigned {
                entry,
                judge: refused,
            })?;
        let free: Vec<&PanelJudge<P>> = panel
            .iter()
            .filter(|judge| conflict(judge, people).is_none())
            .collect();
        let mut taken = current.clone();
        taken.push(refused);
        let loads = assignment.loads();
        let added = self
            .least_loaded(&free, &loads, &taken)
            .first()
            .copied()
            .ok_or(AssignmentError::NoJudgeFree {
                panel: panel_name,
                entry,
            })?;
        let mut judges: Vec<JudgeId> = current.iter().copied().filter(|j| *j != refused).collect();
        judges.push(added);
        judges.sort_unstable();
        let mut next = assignment.clone();
        next.judges.insert(entry, judges);
        Ok(Reassignment {
            assignment: next,
            removed: refused,
            added,
        })
    }

    /// Up to `judges_per_entry` of `judges`, not in `taken` and under the load limit, the
    /// least loaded first and then by id.
    fn least_loaded<P>(
        &self,
        judges: &[&PanelJudge<P>],
        loads: &BTreeMap<JudgeId, usize>,
        taken: &[JudgeId],
    ) -> Vec<JudgeId> {
        let mut open: Vec<(usize, JudgeId)> = judges
            .iter()
            .map(|judge| (loads.get(&judge.judge).copied().unwrap_or(0), judge.judge))
            .filter(|(load, judge)| *load < self.load_max && !taken.contains(judge))
            .collect();
        open.sort_unstable();
        open.dedup_by_key(|(_, judge)| *judge);
        open.into_iter()
            .take(self.judges_per_entry)
            .map(|(_, judge)| judge)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn judge(id: JudgeId) -> PanelJudge<u32> {
        PanelJudge {
            judge: id,
            person: id as u32,
            relatives: None,
        }
    }

    fn people(members: &[u32], board: &[u32]) -> CooperativePeople<u32> {
        CooperativePeople {
            members: members.iter().copied().collect(),
            board: board.iter().copied().collect(),
        }
    }

    fn panels(
        provincial: &[(&str, Vec<PanelJudge<u32>>)],
        national: Vec<PanelJudge<u32>>,
    ) -> Panels<u32> {
        Panels {
            provincial: provincial
                .iter()
                .map(|(province, judges)| ((*province).to_owned(), judges.clone()))
                .collect(),
            national,
        }
    }

    #[test]
    fn conflicts_are_membership_board_seats_and_relatives_on_the_board() {
        // Establishes each kind of conflict, and that relatives count only on the board.
        let mut related = judge(1);
        related.relatives = Some([50, 60].into_iter().collect());
        let cases = [
            (judge(1), people(&[1], &[1]), Some("board_member")),
            (judge(1), people(&[1], &[]), Some("member")),
            (
                related.clone(),
                people(&[], &[60]),
                Some("relative_on_board"),
            ),
            (related, people(&[50], &[]), None),
            (judge(1), people(&[2], &[3]), None),
        ];
        for (judge, people, want) in cases {
            assert_eq!(conflict(&judge, &people).map(|c| c.code()), want);
        }
    }

    #[test]
    fn each_entry_gets_its_judges_from_its_provinces_panel_balanced() {
        // Establishes panels per province, the national panel, even spread and that a
        // conflicted judge is passed over.
        let nobody = people(&[], &[]);
        let member_of_one = people(&[11], &[]);
        let panels = panels(
            &[
                ("IR-16", (10..15).map(judge).collect()),
                ("IR-23", (20..23).map(judge).collect()),
            ],
            (30..34).map(judge).collect(),
        );
        let mut entries: Vec<EntryToAssign<'_, u32>> = (1..=5)
            .map(|entry| EntryToAssign {
                entry,
                province: "IR-16",
                people: &nobody,
            })
            .collect();
        entries[0].people = &member_of_one;
        entries.push(EntryToAssign {
            entry: 6,
            province: "IR-23",
            people: &nobody,
        });
        let rules = AssignmentRules {
            judges_per_entry: 3,
            load_max: 3,
        };
        let assignment = rules
            .assign(RoundKind::Provincial, &panels, &entries)
            .unwrap();
        assert!(!assignment.judges[&1].contains(&11));
        assert_eq!(assignment.judges[&6], [20, 21, 22]);
        let loads = assignment.loads();
        let provincial: Vec<usize> = (10..15).map(|j| loads[&j]).collect();
        assert_eq!(provincial, [3, 3, 3, 3, 3]);
        let national = rules
            .assign(RoundKind::National, &panels, &entries[..4])
            .unwrap();
        let loads = national.loads();
        assert_eq!(loads.keys().copied().collect::<Vec<_>>(), [30, 31, 32, 33]);
        assert!(loads.values().all(|load| *load == 3));
    }

    #[test]
    fn a_panel_too_small_says_which_and_why() {
        // Establishes each error with its context.
        let nobody = people(&[], &[]);
        let three_judges_members = people(&[10, 11, 12], &[]);
        let panels = panels(&[("IR-16", (10..14).map(judge).collect())], Vec::new());
        let entry = |entry, people| EntryToAssign {
            entry,
            province: "IR-16",
            people,
        };
        let rules = AssignmentRules {
            judges_per_entry: 3,
            load_max: 2,
        };
        let cases = [
            (
                vec![entry(1, &three_judges_members)],
                RoundKind::Provincial,
                "panel_too_small",
            ),
            (
                (1..=3).map(|e| entry(e, &nobody)).collect(),
                RoundKind::Provincial,
                "panel_overloaded",
            ),
            (
                vec![EntryToAssign {
                    entry: 1,
                    province: "IR-01",
                    people: &nobody,
                }],
                RoundKind::Provincial,
                "no_panel",
            ),
            (
                vec![entry(1, &nobody)],
                RoundKind::National,
                "panel_overloaded",
            ),
        ];
        for (entries, kind, rule) in cases {
            let error = rules.assign(kind, &panels, &entries).unwrap_err();
            assert_eq!(error.rule(), rule, "{error}");
        }
        let error = rules
            .assign(
                RoundKind::Provincial,
                &panels,
                &[entry(7, &three_judges_members)],
            )
            .unwrap_err();
        assert_eq!(
            error,
            AssignmentError::PanelTooSmall {
                panel: PanelName::Provincial("IR-16".into()),
                entry: 7,
                free: 1,
                required: 3,
            }
        );
        assert_eq!(
            error.to_string(),
            "the panel of IR-16 has 1 judges free of conflict with entry 7, 3 are needed"
        );
    }

    #[test]
    fn a_conflict_found_later_is_refused_and_reassigned() {
        // Establishes that the conflicted judge leaves, the least-loaded free judge joins,
        // and that no free judge, or a judge not on the entry, is an error.
        let nobody = people(&[], &[]);
        let panels = panels(&[("IR-16", (10..15).map(judge).collect())], Vec::new());
        let entries: Vec<EntryToAssign<'_, u32>> = (1..=3)
            .map(|entry| EntryToAssign {
                entry,
                province: "IR-16",
                people: &nobody,
            })
            .collect();
        let rules = AssignmentRules {
            judges_per_entry: 3,
            load_max: 2,
        };
        let assignment = rules
            .assign(RoundKind::Provincial, &panels, &entries)
            .unwrap();
        assert_eq!(assignment.judges[&1], [10, 11, 12]);
        let panel = panels.for_entry(RoundKind::Provincial, "IR-16").unwrap();
        let found = people(&[10], &[]);
        let moved = rules
            .reassign(&assignment, panel.clone(), 1, &found, 10)
            .unwrap();
        assert_eq!((moved.removed, moved.added), (10, 14));
        assert_eq!(moved.assignment.judges[&1], [11, 12, 14]);
        assert_eq!(
            rules
                .reassign(&assignment, panel.clone(), 1, &found, 13)
                .unwrap_err()
                .rule(),
            "not_assigned"
        );
        let everyone = people(&[13, 14], &[10]);
        assert_eq!(
            rules
                .reassign(&assignment, panel, 1, &everyone, 10)
                .unwrap_err()
                .rule(),
            "no_judge_free"
        );
    }

    proptest! {
        #[test]
        fn assignments_are_complete_free_of_conflict_within_load_and_even(
            judges in 3usize..9,
            load_max in 1usize..6,
            memberships in proptest::collection::vec(proptest::collection::btree_set(0u32..12, 0..3), 0..10),
        ) {
            // Establishes the invariants of every assignment that succeeds, that it
            // succeeds whenever nobody is in conflict and the panel is large enough, and
            // that a reassignment keeps them.
            let panel: Vec<PanelJudge<u32>> = (0..judges as JudgeId).map(judge).collect();
            let panels = panels(&[("IR-16", panel.clone())], Vec::new());
            let people: Vec<CooperativePeople<u32>> = memberships
                .into_iter()
                .map(|members| CooperativePeople { members, board: BTreeSet::new() })
                .collect();
            let entries: Vec<EntryToAssign<'_, u32>> = people
                .iter()
                .zip(1..)
                .map(|(people, entry)| EntryToAssign { entry, province: "IR-16", people })
                .collect();
            let rules = AssignmentRules { judges_per_entry: 3, load_max };
            let result = rules.assign(RoundKind::Provincial, &panels, &entries);
            let conflicted = entries
                .iter()
                .any(|e| panel.iter().any(|j| conflict(j, e.people).is_some()));
            if !conflicted && entries.len() * 3 <= judges * load_max {
                prop_assert!(result.is_ok(), "{result:?}");
            }
            let Ok(assignment) = result else { return Ok(()) };
            let check = |assignment: &Assignment| -> Result<(), TestCaseError> {
                prop_assert_eq!(assignment.judges.len(), entries.len());
                for entry in &entries {
                    let chosen = &assignment.judges[&entry.entry];
                    let distinct: BTreeSet<&JudgeId> = chosen.iter().collect();
                    prop_assert_eq!(distinct.len(), 3);
                    for id in chosen {
                        let on_panel = panel.iter().find(|j| j.judge == *id).unwrap();
                        prop_assert!(conflict(on_panel, entry.people).is_none());
                    }
                }
                prop_assert!(assignment.loads().values().all(|load| *load <= load_max));
                Ok(())
            };
            check(&assignment)?;
            if !conflicted && !entries.is_empty() {
                let loads: Vec<usize> =
                    (0..judges as JudgeId).map(|j| assignment.loads().get(&j).copied().unwrap_or(0)).collect();
                let (low, high) = (loads.iter().min().unwrap(), loads.iter().max().unwrap());
                prop_assert!(high - low <= 1, "{loads:?}");
            }
            if let Some(first) = entries.first() {
                let refused = assignment.judges[&first.entry][0];
                let found = CooperativePeople {
                    members: first.people.members.iter().copied().chain([refused as u32]).collect(),
                    board: BTreeSet::new(),
                };
                let entries_after: Vec<EntryToAssign<'_, u32>> = entries
                    .iter()
                    .map(|e| if e.entry == first.entry { EntryToAssign { people: &found, ..*e } } else { *e })
                    .collect();
                let panel_of = panels.for_entry(RoundKind::Provincial, "IR-16").unwrap();
                if let Ok(moved) = rules.reassign(&assignment, panel_of, first.entry, &found, refused) {
                    prop_assert!(!moved.assignment.judges[&first.entry].contains(&refused));
                    let check_after = |assignment: &Assignment| -> Result<(), TestCaseError> {
                        for entry in &entries_after {
                            for id in &assignment.judges[&entry.entry] {
                                let on_panel = panel.iter().find(|j| j.judge == *id).unwrap();
                                prop_assert!(conflict(on_panel, entry.people).is_none());
                            }
                            prop_assert_eq!(assignment.judges[&entry.entry].len(), 3);
                        }
                        prop_assert!(assignment.loads().values().all(|load| *load <= load_max));
                        Ok(())
                    };
                    check_after(&moved.assignment)?;
                }
            }
        }
    }
}
