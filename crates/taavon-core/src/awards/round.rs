//! Scoring a round of the festival (the rule of `shared/oracle/README.md`, awards/):
//! judges' scores without the conflicted ones, normalised per judge so that a strict and a
//! generous judge weigh alike, entries ranked within their province and category, and the
//! quota's winners.
//!
//! Scores are ratios of judges' marks, so they are floating point.

use std::collections::{BTreeMap, BTreeSet};

/// An entry of the round.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry<'a> {
    pub entry: i64,
    pub province: &'a str,
    pub category: &'a str,
    /// The automatic pre-score from indicators: it breaks ties, it never replaces judges.
    pub prescore: f64,
}

/// One judge's mark (0–100) for one entry.
#[derive(Clone, Debug, PartialEq)]
pub struct Mark<J> {
    pub judge: J,
    pub entry: i64,
    pub score: f64,
}

/// The rules of a round (configuration; the defaults are the oracle's).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RoundRules {
    /// Marks an entry needs, after exclusions, to be ranked.
    pub judges_required: usize,
}

/// Whether an entry could be ranked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryStatus {
    Ranked,
    /// Fewer marks than the rules require remain.
    Incomplete,
}

/// An entry's result.
#[derive(Clone, Debug, PartialEq)]
pub struct EntryResult {
    pub entry: i64,
    /// Marks that count (conflicted marks excluded).
    pub judges: usize,
    /// The mean of its marks' z-scores; `None` when incomplete.
    pub score: Option<f64>,
    /// 1 is first within its province and category; `None` when incomplete.
    pub rank: Option<u32>,
    pub winner: bool,
    pub status: EntryStatus,
}

/// The results of a round.
#[derive(Clone, Debug, PartialEq)]
pub struct RoundResult {
    /// By entry number.
    pub entries: Vec<EntryResult>,
    /// Marks left out because their judge has a conflict with the entry.
    pub excluded_marks: usize,
    pub winners: usize,
    pub incomplete: usize,
}

impl Default for RoundRules {
    fn default() -> Self {
        Self { judges_required: 3 }
    }
}

impl EntryStatus {
    pub fn code(self) -> &'static str {
        match self {
            EntryStatus::Ranked => "ranked",
            EntryStatus::Incomplete => "incomplete",
        }
    }
}

/// The z-scores of one judge's marks with the population standard deviation; all 0 when
/// the judge gave every entry the same mark.
pub fn z_scores(marks: &[f64]) -> Vec<f64> {
    if marks.is_empty() {
        return Vec::new();
    }
    let count = marks.len() as f64;
    let mean = marks.iter().sum::<f64>() / count;
    let variance = marks.iter().map(|m| (m - mean).powi(2)).sum::<f64>() / count;
    let deviation = variance.sqrt();
    marks
        .iter()
        .map(|m| {
            if deviation > 0.0 {
                (m - mean) / deviation
            } else {
                0.0
            }
        })
        .collect()
}

impl RoundRules {
    /// Scores and ranks a round. `conflicts` are (judge, entry) pairs whose marks do not
    /// count; `quotas` give the winners per (province, category), a missing one being 0.
    pub fn score<J: Ord + Clone>(
        &self,
        entries: &[Entry<'_>],
        marks: &[Mark<J>],
        conflicts: &BTreeSet<(J, i64)>,
        quotas: &BTreeMap<(&str, &str), usize>,
    ) -> RoundResult {
        let (counted, excluded): (Vec<&Mark<J>>, Vec<&Mark<J>>) = marks
            .iter()
            .partition(|m| !conflicts.contains(&(m.judge.clone(), m.entry)));
        let mut by_judge: BTreeMap<&J, Vec<&Mark<J>>> = BTreeMap::new();
        for mark in &counted {
            by_judge.entry(&mark.judge).or_default().push(mark);
        }
        let mut normalised: BTreeMap<i64, Vec<f64>> = BTreeMap::new();
        for judged in by_judge.values() {
            let raw: Vec<f64> = judged.iter().map(|m| m.score).collect();
            for (mark, z) in judged.iter().zip(z_scores(&raw)) {
                normalised.entry(mark.entry).or_default().push(z);
            }
        }
        let mut results: BTreeMap<i64, EntryResult> = entries
            .iter()
            .map(|e| {
                let zs = normalised.get(&e.entry).map_or(&[][..], Vec::as_slice);
                let complete = zs.len() >= self.judges_required && !zs.is_empty();
                let result = EntryResult {
                    entry: e.entry,
                    judges: zs.len(),
                    score: complete.then(|| zs.iter().sum::<f64>() / zs.len() as f64),
                    rank: None,
                    winner: false,
                    status: if complete {
                        EntryStatus::Ranked
                    } else {
                        EntryStatus::Incomplete
                    },
                };
                (e.entry, result)
            })
            .collect();
        let mut groups: BTreeMap<(&str, &str), Vec<(&Entry<'_>, f64)>> = BTreeMap::new();
        for e in entries {
            if let Some(score) = results.get(&e.entry).and_then(|r| r.score) {
                groups
                    .entry((e.province, e.category))
                    .or_default()
                    .push((e, score));
            }
        }
        for (group, mut ranked) in groups {
            ranked.sort_by(|(a, a_score), (b, b_score)| {
                b_score
                    .total_cmp(a_score)
                    .then(b.prescore.total_cmp(&a.prescore))
                    .then(a.entry.cmp(&b.entry))
            });
            let winners = quotas.get(&group).copied().unwrap_or(0);
            for (place, (e, _)) in ranked.iter().enumerate() {
                if let Some(result) = results.get_mut(&e.entry) {
                    result.rank = u32::try_from(place + 1).ok();
                    result.winner = place < winners;
                }
            }
        }
        let entries: Vec<EntryResult> = results.into_values().collect();
        RoundResult {
            excluded_marks: excluded.len(),
            winners: entries.iter().filter(|e| e.winner).count(),
            incomplete: entries
                .iter()
                .filter(|e| e.status == EntryStatus::Incomplete)
                .count(),
            entries,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mark(judge: &'static str, entry: i64, score: f64) -> Mark<&'static str> {
        Mark {
            judge,
            entry,
            score,
        }
    }

    #[test]
    fn a_strict_and_a_generous_judge_weigh_alike() {
        // Establishes per-judge z-scores: the same order from both gives the same scores.
        let strict = z_scores(&[10.0, 20.0, 30.0]);
        let generous = z_scores(&[70.0, 80.0, 90.0]);
        assert_eq!(strict, generous);
        assert!((strict[2] - 1.224_744_871_391_589).abs() < 1e-12);
        assert_eq!(z_scores(&[55.0, 55.0]), [0.0, 0.0]);
        assert!(z_scores(&[]).is_empty());
    }

    #[test]
    fn conflicted_marks_are_excluded_and_short_entries_are_incomplete() {
        // Establishes exclusion, the three-judge minimum, ranking, ties on the pre-score
        // and the quota.
        let entries = [
            Entry {
                entry: 1,
                province: "IR-16",
                category: "women",
                prescore: 50.0,
            },
            Entry {
                entry: 2,
                province: "IR-16",
                category: "women",
                prescore: 60.0,
            },
            Entry {
                entry: 3,
                province: "IR-16",
                category: "women",
                prescore: 70.0,
            },
        ];
        let mut marks = Vec::new();
        for judge in ["a", "b", "c"] {
            marks.push(mark(judge, 1, 80.0));
            marks.push(mark(judge, 2, 80.0));
            marks.push(mark(judge, 3, 40.0));
        }
        let conflicts: BTreeSet<(&str, i64)> = [("c", 3)].into_iter().collect();
        let quotas: BTreeMap<(&str, &str), usize> = [(("IR-16", "women"), 1)].into_iter().collect();
        let round = RoundRules::default().score(&entries, &marks, &conflicts, &quotas);
        assert_eq!(round.excluded_marks, 1);
        assert_eq!(round.incomplete, 1);
        let third = &round.entries[2];
        assert_eq!(
            (third.judges, third.status, third.rank),
            (2, EntryStatus::Incomplete, None)
        );
        // Entries 1 and 2 tie on score; 2 has the higher pre-score and wins.
        let (first, second) = (&round.entries[0], &round.entries[1]);
        assert_eq!(first.score, second.score);
        assert_eq!((second.rank, second.winner), (Some(1), true));
        assert_eq!((first.rank, first.winner), (Some(2), false));
        assert_eq!(round.winners, 1);
    }
}
