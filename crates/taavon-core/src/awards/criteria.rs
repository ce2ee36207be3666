//! A judge's mark for an entry from their marks per criterion: each criterion 0–100, the
//! mark their weighted mean (weights per category). The mark is what the round's scoring
//! then normalises per judge (`awards::Mark::score`).

/// A criterion judges mark, with its weight in its category.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Criterion {
    /// Stable code, e.g. `governance`.
    pub code: String,
    pub name_fa: String,
    pub name_en: String,
    pub weight: u32,
}

/// Why a judge's marks per criterion are refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CriteriaError {
    #[error("criterion {0} has no mark")]
    Missing(String),
    #[error("criterion {0} is not one of the category's")]
    Unknown(String),
    #[error("criterion {0} is marked twice")]
    Duplicate(String),
    #[error("criterion {criterion} is marked {mark}; marks are from 0 to 100")]
    OutOfRange { criterion: String, mark: u32 },
    #[error("the category's criteria weigh nothing")]
    NoWeight,
}

impl Criterion {
    /// The ministry's usual criteria, alike for every category; a festival may weigh
    /// them differently per category.
    pub fn defaults() -> Vec<Criterion> {
        [
            (
                "economic_performance",
                "عملکرد اقتصادی",
                "Economic performance",
                30,
            ),
            (
                "jobs_and_inclusion",
                "اشتغال و مشارکت",
                "Jobs and inclusion",
                30,
            ),
            (
                "governance",
                "حکمرانی و شفافیت",
                "Governance and transparency",
                20,
            ),
            ("innovation", "نوآوری", "Innovation", 20),
        ]
        .into_iter()
        .map(|(code, name_fa, name_en, weight)| Criterion {
            code: code.into(),
            name_fa: name_fa.into(),
            name_en: name_en.into(),
            weight,
        })
        .collect()
    }
}

impl CriteriaError {
    /// A stable machine code of the broken rule.
    pub fn rule(&self) -> &'static str {
        match self {
            CriteriaError::Missing(_) => "criterion_missing",
            CriteriaError::Unknown(_) => "criterion_unknown",
            CriteriaError::Duplicate(_) => "criterion_duplicate",
            CriteriaError::OutOfRange { .. } => "score_range",
            CriteriaError::NoWeight => "no_weight",
        }
    }
}

/// A judge's mark (0–100) from their marks per criterion, `(criterion code, mark)`, each
/// criterion of the category marked exactly once.
pub fn weighted_mark(criteria: &[Criterion], marks: &[(&str, u32)]) -> Result<f64, CriteriaError> {
    for (index, (code, mark)) in marks.iter().enumerate() {
        if !criteria.iter().any(|c| c.code == *code) {
            return Err(CriteriaError::Unknown((*code).to_owned()));
        }
        if marks.iter().take(index).any(|(earlier, _)| earlier == code) {
            return Err(CriteriaError::Duplicate((*code).to_owned()));
        }
        if *mark > 100 {
            return Err(CriteriaError::OutOfRange {
                criterion: (*code).to_owned(),
                mark: *mark,
            });
        }
    }
    let mut weighted = 0u64;
    let mut weights = 0u64;
    for criterion in criteria {
        let (_, mark) = marks
            .iter()
            .find(|(code, _)| *code == criterion.code)
            .ok_or_else(|| CriteriaError::Missing(criterion.code.clone()))?;
        weighted += u64::from(criterion.weight) * u64::from(*mark);
        weights += u64::from(criterion.weight);
    }
    if weights == 0 {
        return Err(CriteriaError::NoWeight);
    }
    Ok(weighted as f64 / weights as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mark_is_the_weighted_mean_of_the_criteria() {
        // Establishes the weighting with the default criteria.
        let criteria = Criterion::defaults();
        let marks = [
            ("economic_performance", 80),
            ("jobs_and_inclusion", 60),
            ("governance", 100),
            ("innovation", 50),
        ];
        // (2400 + 1800 + 2000 + 1000) / 100
        assert_eq!(weighted_mark(&criteria, &marks), Ok(72.0));
    }

    #[test]
    fn every_criterion_is_marked_once_within_range() {
        // Establishes each refusal.
        let criteria = Criterion::defaults();
        let complete = [
            ("economic_performance", 80),
            ("jobs_and_inclusion", 60),
            ("governance", 100),
            ("innovation", 50),
        ];
        let cases: [(Vec<(&str, u32)>, &str); 4] = [
            (complete[..3].to_vec(), "criterion_missing"),
            (
                [&complete[..], &[("beauty", 10)]].concat(),
                "criterion_unknown",
            ),
            (
                [&complete[..], &[("governance", 10)]].concat(),
                "criterion_duplicate",
            ),
            (
                [&complete[..3], &[("innovation", 101)]].concat(),
                "score_range",
            ),
        ];
        for (marks, rule) in cases {
            assert_eq!(
                weighted_mark(&criteria, &marks).map_err(|e| e.rule()),
                Err(rule)
            );
        }
        let weightless: Vec<Criterion> = criteria
            .into_iter()
            .map(|c| Criterion { weight: 0, ..c })
            .collect();
        assert_eq!(
            weighted_mark(&weightless, &complete).map_err(|e| e.rule()),
            Err("no_weight")
        );
    }
}
