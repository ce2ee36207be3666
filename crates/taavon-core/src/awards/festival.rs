//! The festival of one Jalali year: its categories (each with a provincial and a national
//! quota and its judging criteria), its entry and judging windows, and its two rounds with
//! the moves between their states.
//!
//! ```text
//! open_for_entries ─start_judging→ judging ─close→ closed ─publish→ published
//! ```
//!
//! Judging starts only once the judging window has opened (the entry window has closed by
//! then), and the national round only once the provincial round is published, since it
//! takes the provincial winners.

use std::collections::{BTreeMap, BTreeSet};

use crate::awards::criteria::Criterion;
use crate::calendar::JalaliDate;
use crate::coded::coded_enum;

/// The group every entry of the national round is ranked in, in place of a province
/// (`RoundRules::score` ranks within (group, category)).
pub const NATIONAL_GROUP: &str = "IR";

/// A category entries compete in (configurable per festival).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Category {
    /// Stable code, e.g. `women_led`.
    pub code: String,
    pub name_fa: String,
    pub name_en: String,
    /// Winners per province in the provincial round.
    pub provincial_quota: usize,
    /// Winners nation-wide in the national round.
    pub national_quota: usize,
    /// What judges mark in this category, with its weights.
    pub criteria: Vec<Criterion>,
}

/// A span of days, both ends included.
///
/// Invariant: `opens <= closes`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    opens: JalaliDate,
    closes: JalaliDate,
}

/// A festival.
///
/// Invariant (by `Festival::new`): at least one category, codes unique, the entry window
/// closes before the judging window opens, and both open in the festival's year.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Festival {
    year: i32,
    categories: Vec<Category>,
    entry_window: Window,
    judging_window: Window,
}

/// Why a festival's settings are refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FestivalError {
    #[error("the window opens on {opens} after it closes on {closes}")]
    WindowReversed {
        opens: JalaliDate,
        closes: JalaliDate,
    },
    #[error("the festival has no category")]
    NoCategory,
    #[error("category {0} is listed twice")]
    DuplicateCategory(String),
    #[error("judging opens on {judging_opens}, before entries close on {entries_close}")]
    WindowsOverlap {
        entries_close: JalaliDate,
        judging_opens: JalaliDate,
    },
    #[error("the {window} window opens outside the festival's year {year}")]
    OutsideYear { window: &'static str, year: i32 },
}

/// The two rounds of a festival.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RoundKind {
    Provincial,
    National,
}

coded_enum!(RoundKind {
    Provincial = "provincial",
    National = "national",
});

/// Where a round stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RoundState {
    OpenForEntries,
    Judging,
    /// Scores are final; judges' names may now be shown to the other judges.
    Closed,
    /// Results are on the public pages.
    Published,
}

coded_enum!(RoundState {
    OpenForEntries = "open_for_entries",
    Judging = "judging",
    Closed = "closed",
    Published = "published",
});

/// The moves of a round.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RoundAction {
    StartJudging,
    Close,
    Publish,
}

coded_enum!(RoundAction {
    StartJudging = "start_judging",
    Close = "close",
    Publish = "publish",
});

/// Why a round's move is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RoundMoveError {
    /// The round is not in the state the action leaves from: a conflict, 409.
    #[error("cannot {action} a {kind} round that is {state}")]
    NotFromState {
        kind: RoundKind,
        action: RoundAction,
        state: RoundState,
    },
    #[error("judging opens on {opens}")]
    JudgingNotOpen { opens: JalaliDate },
    /// The national round takes the provincial winners, known once they are published.
    #[error("the provincial round is {provincial}, not yet published")]
    ProvincialNotPublished { provincial: RoundState },
}

impl Category {
    /// The categories of the ministry's usual festival, one winner per province and three
    /// nation-wide each; a festival may use others.
    pub fn defaults() -> Vec<Category> {
        [
            ("women_led", "تعاونی‌های زنان", "Women-led cooperatives"),
            (
                "border_regions",
                "مناطق مرزی و کمتر برخوردار",
                "Border and underprivileged regions",
            ),
            ("agriculture", "کشاورزی", "Agriculture"),
            ("handicrafts", "صنایع دستی", "Handicrafts"),
            ("services", "خدمات", "Services"),
            ("housing", "مسکن", "Housing"),
            ("new_cooperatives", "تعاونی‌های نوپا", "New cooperatives"),
        ]
        .into_iter()
        .map(|(code, name_fa, name_en)| Category {
            code: code.into(),
            name_fa: name_fa.into(),
            name_en: name_en.into(),
            provincial_quota: 1,
            national_quota: 3,
            criteria: Criterion::defaults(),
        })
        .collect()
    }
}

impl Window {
    pub fn new(opens: JalaliDate, closes: JalaliDate) -> Result<Self, FestivalError> {
        if opens > closes {
            return Err(FestivalError::WindowReversed { opens, closes });
        }
        Ok(Self { opens, closes })
    }

    pub fn opens(self) -> JalaliDate {
        self.opens
    }

    pub fn closes(self) -> JalaliDate {
        self.closes
    }

    pub fn contains(self, day: JalaliDate) -> bool {
        self.opens <= day && day <= self.closes
    }
}

impl Festival {
    pub fn new(
        year: i32,
        categories: Vec<Category>,
        entry_window: Window,
        judging_window: Window,
    ) -> Result<Self, FestivalError> {
        if categories.is_empty() {
            return Err(FestivalError::NoCategory);
        }
        let mut codes = BTreeSet::new();
        for category in &categories {
            if !codes.insert(category.code.as_str()) {
                return Err(FestivalError::DuplicateCategory(category.code.clone()));
            }
        }
        if judging_window.opens <= entry_window.closes {
            return Err(FestivalError::WindowsOverlap {
                entries_close: entry_window.closes,
                judging_opens: judging_window.opens,
            });
        }
        for (window, span) in [("entry", entry_window), ("judging", judging_window)] {
            if span.opens.year() != year {
                return Err(FestivalError::OutsideYear { window, year });
            }
        }
        Ok(Self {
            year,
            categories,
            entry_window,
            judging_window,
        })
    }

    pub fn year(&self) -> i32 {
        self.year
    }

    pub fn categories(&self) -> &[Category] {
        &self.categories
    }

    pub fn category(&self, code: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.code == code)
    }

    pub fn entry_window(&self) -> Window {
        self.entry_window
    }

    pub fn judging_window(&self) -> Window {
        self.judging_window
    }

    /// The quotas `RoundRules::score` takes for a round: per (province, category) in the
    /// provincial round, per (`NATIONAL_GROUP`, category) in the national one.
    pub fn round_quotas<'a>(
        &'a self,
        kind: RoundKind,
        provinces: &[&'a str],
    ) -> BTreeMap<(&'a str, &'a str), usize> {
        let mut quotas = BTreeMap::new();
        for category in &self.categories {
            match kind {
                RoundKind::Provincial => {
                    for province in provinces {
                        quotas.insert(
                            (*province, category.code.as_str()),
                            category.provincial_quota,
                        );
                    }
                }
                RoundKind::National => {
                    quotas.insert(
                        (NATIONAL_GROUP, category.code.as_str()),
                        category.national_quota,
                    );
                }
            }
        }
        quotas
    }

    /// The state a round moves to, or why it may not. `provincial` is the provincial
    /// round's state (read for the national round only).
    pub fn move_round(
        &self,
        kind: RoundKind,
        state: RoundState,
        action: RoundAction,
        provincial: RoundState,
        today: JalaliDate,
    ) -> Result<RoundState, RoundMoveError> {
        let next = match (state, action) {
            (RoundState::OpenForEntries, RoundAction::StartJudging) => RoundState::Judging,
            (RoundState::Judging, RoundAction::Close) => RoundState::Closed,
            (RoundState::Closed, RoundAction::Publish) => RoundState::Published,
            _ => {
                return Err(RoundMoveError::NotFromState {
                    kind,
                    action,
                    state,
                });
            }
        };
        if action == RoundAction::StartJudging {
            if kind == RoundKind::National && provincial != RoundState::Published {
                return Err(RoundMoveError::ProvincialNotPublished { provincial });
            }
            if today < self.judging_window.opens {
                return Err(RoundMoveError::JudgingNotOpen {
                    opens: self.judging_window.opens,
                });
            }
        }
        Ok(next)
    }
}

impl FestivalError {
    /// A stable machine code of the broken rule.
    pub fn rule(&self) -> &'static str {
        match self {
            FestivalError::WindowReversed { .. } => "window_reversed",
            FestivalError::NoCategory => "no_category",
            FestivalError::DuplicateCategory(_) => "duplicate_category",
            FestivalError::WindowsOverlap { .. } => "windows_overlap",
            FestivalError::OutsideYear { .. } => "outside_year",
        }
    }
}

impl RoundMoveError {
    /// A stable machine code of the broken rule.
    pub fn rule(&self) -> &'static str {
        match self {
            RoundMoveError::NotFromState { .. } => "state",
            RoundMoveError::JudgingNotOpen { .. } => "judging_not_open",
            RoundMoveError::ProvincialNotPublished { .. } => "provincial_not_published",
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn day(text: &str) -> JalaliDate {
        JalaliDate::parse(text).unwrap()
    }

    pub(crate) fn festival() -> Festival {
        Festival::new(
            1404,
            Category::defaults(),
            Window::new(day("1404-02-01"), day("1404-03-31")).unwrap(),
            Window::new(day("1404-04-01"), day("1404-05-31")).unwrap(),
        )
        .unwrap()
    }

    #[test]
    fn a_festival_refuses_overlapping_windows_and_duplicate_categories() {
        // Establishes the festival's invariant, one broken rule at a time.
        let entries = Window::new(day("1404-02-01"), day("1404-03-31")).unwrap();
        let judging = Window::new(day("1404-04-01"), day("1404-05-31")).unwrap();
        assert_eq!(
            Window::new(day("1404-03-01"), day("1404-02-01"))
                .unwrap_err()
                .rule(),
            "window_reversed"
        );
        let cases: [(Vec<Category>, Window, Window, &str); 4] = [
            (Vec::new(), entries, judging, "no_category"),
            (
                [Category::defaults(), Category::defaults()].concat(),
                entries,
                judging,
                "duplicate_category",
            ),
            (Category::defaults(), judging, entries, "windows_overlap"),
            (
                Category::defaults(),
                entries,
                Window::new(day("1405-01-10"), day("1405-01-20")).unwrap(),
                "outside_year",
            ),
        ];
        for (categories, entry_window, judging_window, rule) in cases {
            let error = Festival::new(1404, categories, entry_window, judging_window).unwrap_err();
            assert_eq!(error.rule(), rule);
        }
        let festival = festival();
        assert_eq!(festival.categories().len(), 7);
        assert_eq!(festival.category("housing").unwrap().name_fa, "مسکن");
        assert!(festival.entry_window().contains(day("1404-03-31")));
        assert!(!festival.entry_window().contains(day("1404-04-01")));
    }

    #[test]
    fn rounds_move_forward_one_state_at_a_time() {
        // Establishes every allowed move and the refusals: wrong state, too early, and a
        // national round before the provincial winners are published.
        use RoundAction::*;
        use RoundKind::*;
        use RoundState::*;
        let festival = festival();
        let judging_day = day("1404-04-02");
        let cases = [
            (
                Provincial,
                OpenForEntries,
                StartJudging,
                Published,
                judging_day,
                Ok(Judging),
            ),
            (
                Provincial,
                Judging,
                Close,
                OpenForEntries,
                judging_day,
                Ok(Closed),
            ),
            (
                Provincial,
                Closed,
                Publish,
                OpenForEntries,
                judging_day,
                Ok(Published),
            ),
            (
                National,
                OpenForEntries,
                StartJudging,
                Published,
                judging_day,
                Ok(Judging),
            ),
            (
                Provincial,
                OpenForEntries,
                Close,
                Published,
                judging_day,
                Err("state"),
            ),
            (
                Provincial,
                Published,
                Publish,
                Published,
                judging_day,
                Err("state"),
            ),
            (
                Provincial,
                Judging,
                StartJudging,
                Published,
                judging_day,
                Err("state"),
            ),
            (
                Provincial,
                OpenForEntries,
                StartJudging,
                Published,
                day("1404-03-15"),
                Err("judging_not_open"),
            ),
            (
                National,
                OpenForEntries,
                StartJudging,
                Closed,
                judging_day,
                Err("provincial_not_published"),
            ),
        ];
        for (kind, state, action, provincial, today, want) in cases {
            let got = festival
                .move_round(kind, state, action, provincial, today)
                .map_err(|e| e.rule());
            assert_eq!(got, want, "{kind} {state} {action}");
        }
    }

    #[test]
    fn quotas_are_per_province_in_the_provincial_round_and_national_in_the_other() {
        // Establishes the quota map handed to `RoundRules::score` for each round.
        let festival = festival();
        let provincial = festival.round_quotas(RoundKind::Provincial, &["IR-16", "IR-23"]);
        assert_eq!(provincial.len(), 14);
        assert_eq!(provincial[&("IR-23", "housing")], 1);
        let national = festival.round_quotas(RoundKind::National, &["IR-16"]);
        assert_eq!(national.len(), 7);
        assert_eq!(national[&(NATIONAL_GROUP, "women_led")], 3);
    }
}
