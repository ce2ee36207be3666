//! The results shown on the public pages: each ranked entry with its category, province,
//! rank and score band, never the judges' marks or the exact score (a z-score read
//! against its neighbours would let one work back to individual marks).
//!
//! The bands cut the entry's score, the mean of its marks' z-scores: 0 is the average
//! entry of the judges who scored it, 1 is one standard deviation above.

use crate::awards::festival::RoundState;
use crate::awards::round::{Entry, EntryStatus, RoundResult};
use crate::coded::coded_enum;

/// A score band.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ScoreBand {
    /// Score of `excellent_from` or more.
    Excellent,
    VeryGood,
    Good,
    /// Below the average of its judges' entries; taking part is still commended.
    Commended,
}

coded_enum!(ScoreBand {
    Excellent = "excellent",
    VeryGood = "very_good",
    Good = "good",
    Commended = "commended",
});

/// Where the bands begin (configurable; scores are z-score means).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BandRules {
    pub excellent_from: f64,
    pub very_good_from: f64,
    pub good_from: f64,
}

/// One published result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublishedResult<'a> {
    pub entry: i64,
    pub province: &'a str,
    pub category: &'a str,
    pub rank: u32,
    pub winner: bool,
    pub band: ScoreBand,
}

/// Why results may not be published yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the round is {0}; results are published once it is closed")]
pub struct NotClosed(pub RoundState);

impl Default for BandRules {
    fn default() -> Self {
        Self {
            excellent_from: 1.0,
            very_good_from: 0.5,
            good_from: 0.0,
        }
    }
}

impl ScoreBand {
    pub fn name_fa(self) -> &'static str {
        match self {
            ScoreBand::Excellent => "عالی",
            ScoreBand::VeryGood => "بسیار خوب",
            ScoreBand::Good => "خوب",
            ScoreBand::Commended => "شایسته تقدیر",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            ScoreBand::Excellent => "Excellent",
            ScoreBand::VeryGood => "Very good",
            ScoreBand::Good => "Good",
            ScoreBand::Commended => "Commended",
        }
    }
}

impl BandRules {
    pub fn band(&self, score: f64) -> ScoreBand {
        if score >= self.excellent_from {
            ScoreBand::Excellent
        } else if score >= self.very_good_from {
            ScoreBand::VeryGood
        } else if score >= self.good_from {
            ScoreBand::Good
        } else {
            ScoreBand::Commended
        }
    }

    /// The public results of a closed round: its ranked entries by province, category
    /// and rank (incomplete entries have no rank and are not published).
    pub fn publish<'a>(
        &self,
        state: RoundState,
        entries: &[Entry<'a>],
        round: &RoundResult,
    ) -> Result<Vec<PublishedResult<'a>>, NotClosed> {
        if !matches!(state, RoundState::Closed | RoundState::Published) {
            return Err(NotClosed(state));
        }
        let mut published: Vec<PublishedResult<'a>> = round
            .entries
            .iter()
            .filter(|result| result.status == EntryStatus::Ranked)
            .filter_map(|result| {
                let entry = entries.iter().find(|e| e.entry == result.entry)?;
                Some(PublishedResult {
                    entry: result.entry,
                    province: entry.province,
                    category: entry.category,
                    rank: result.rank?,
                    winner: result.winner,
                    band: self.band(result.score?),
                })
            })
            .collect();
        published.sort_by_key(|p| (p.province, p.category, p.rank));
        Ok(published)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::awards::round::EntryResult;

    #[test]
    fn bands_cut_the_score_at_their_lower_bounds() {
        // Establishes each band's lower bound is inside it.
        let rules = BandRules::default();
        let cases = [
            (1.3, ScoreBand::Excellent),
            (1.0, ScoreBand::Excellent),
            (0.99, ScoreBand::VeryGood),
            (0.5, ScoreBand::VeryGood),
            (0.0, ScoreBand::Good),
            (-0.01, ScoreBand::Commended),
        ];
        for (score, band) in cases {
            assert_eq!(rules.band(score), band, "{score}");
        }
        assert_eq!(ScoreBand::Commended.name_fa(), "شایسته تقدیر");
    }

    #[test]
    fn only_a_closed_rounds_ranked_entries_are_published_without_scores() {
        // Establishes the state rule, that incomplete entries are left out, and the order.
        let entries = [
            Entry {
                entry: 1,
                province: "IR-23",
                category: "housing",
                prescore: 10.0,
            },
            Entry {
                entry: 2,
                province: "IR-16",
                category: "housing",
                prescore: 10.0,
            },
            Entry {
                entry: 3,
                province: "IR-16",
                category: "housing",
                prescore: 10.0,
            },
        ];
        let result = |entry, score: Option<f64>, rank, winner| EntryResult {
            entry,
            judges: 3,
            score,
            rank,
            winner,
            status: if score.is_some() {
                EntryStatus::Ranked
            } else {
                EntryStatus::Incomplete
            },
        };
        let round = RoundResult {
            entries: vec![
                result(1, Some(1.2), Some(1), true),
                result(2, Some(-0.4), Some(1), true),
                result(3, None, None, false),
            ],
            excluded_marks: 0,
            winners: 2,
            incomplete: 1,
        };
        let rules = BandRules::default();
        assert_eq!(
            rules.publish(RoundState::Judging, &entries, &round),
            Err(NotClosed(RoundState::Judging))
        );
        let published = rules.publish(RoundState::Closed, &entries, &round).unwrap();
        let shown: Vec<(i64, &str, ScoreBand)> = published
            .iter()
            .map(|p| (p.entry, p.province, p.band))
            .collect();
        assert_eq!(
            shown,
            [
                (2, "IR-16", ScoreBand::Commended),
                (1, "IR-23", ScoreBand::Excellent)
            ]
        );
    }
}
