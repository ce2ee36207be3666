//! The figures people quote about the jobs the pooled money created (PRODUCT.md §9):
//! per group (province, county, sector, program or bank) and Jalali period (month,
//! season or year) of the first disbursement — loans disbursed, planned / reported /
//! verified jobs, women's verified jobs and their share, verified jobs in
//! underprivileged counties (tiers 1–2), the cost per verified job and the verification
//! rate.
//!
//! The store sums per group and disbursement day (`FigureCell`, one grouped read); the
//! Jalali periods are folded here, where the calendar is.

use std::collections::BTreeMap;
use std::fmt;

use crate::calendar::{IsoDate, JalaliDate, JalaliMonth, MONTHS_EN, MONTHS_FA};
use crate::coded::coded_enum;
use crate::digits::to_persian_digits;

/// What the figures are grouped by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Grouping {
    Province,
    County,
    Sector,
    Program,
    Bank,
}

coded_enum!(Grouping {
    Province = "province",
    County = "county",
    Sector = "sector",
    Program = "program",
    Bank = "bank",
});

/// The Jalali period the figures are summed over.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Period {
    Month,
    /// Three months: spring is Farvardin–Khordad.
    Season,
    Year,
}

coded_enum!(Period {
    Month = "month",
    Season = "season",
    Year = "year",
});

/// One Jalali period.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PeriodKey {
    Month(JalaliMonth),
    /// A year and its season, 1 (spring) to 4 (winter).
    Season {
        year: i32,
        season: u8,
    },
    Year(i32),
}

const SEASONS_FA: [&str; 4] = ["بهار", "تابستان", "پاییز", "زمستان"];
const SEASONS_EN: [&str; 4] = ["Spring", "Summer", "Autumn", "Winter"];

/// Loans of one group first disbursed on one day, summed (what the store reads).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FigureCell {
    /// The group's code (a province, county, sector, program or bank code).
    pub group: String,
    pub disbursed_on: IsoDate,
    pub loans: i64,
    /// Rials disbursed on those loans so far.
    pub disbursed_rial: i64,
    /// Jobs the applications promised.
    pub planned: i64,
    /// Distinct hires reported.
    pub reported: i64,
    pub verified: i64,
    pub verified_women: i64,
    /// Verified jobs of loans in tier 1–2 counties.
    pub verified_underprivileged: i64,
}

/// The figures of one group in one period.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FigureRow {
    pub group: String,
    pub period: PeriodKey,
    pub jobs: Jobs,
}

/// Summed jobs and money, with what is derived from them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Jobs {
    pub loans: i64,
    pub disbursed_rial: i64,
    pub planned: i64,
    pub reported: i64,
    pub verified: i64,
    pub verified_women: i64,
    pub verified_underprivileged: i64,
}

impl PeriodKey {
    /// The period a day falls in.
    pub fn of(period: Period, day: IsoDate) -> Self {
        let month = JalaliMonth::of(JalaliDate::from(day));
        match period {
            Period::Month => PeriodKey::Month(month),
            Period::Season => PeriodKey::Season {
                year: month.year(),
                season: (month.month() - 1) / 3 + 1,
            },
            Period::Year => PeriodKey::Year(month.year()),
        }
    }

    /// The period's first month and how many months it spans.
    fn months(self) -> (JalaliMonth, i32) {
        let month = |month: PeriodKey| match month {
            PeriodKey::Month(month) => month,
            // The first month of a season or a year: Farvardin, then three on per season.
            PeriodKey::Season { year, season } => {
                JalaliMonth::farvardin(year).add_months(3 * (i32::from(season) - 1))
            }
            PeriodKey::Year(year) => JalaliMonth::farvardin(year),
        };
        let span = match self {
            PeriodKey::Month(_) => 1,
            PeriodKey::Season { .. } => 3,
            PeriodKey::Year(_) => 12,
        };
        (month(self), span)
    }

    /// The period's first and last days.
    pub fn days(self) -> (IsoDate, IsoDate) {
        let (first, span) = self.months();
        (
            first.first_day().to_iso(),
            first.add_months(span).first_day().to_iso().add_days(-1),
        )
    }

    /// The period before: the month, season or year before.
    pub fn previous(self) -> Self {
        match self {
            PeriodKey::Month(month) => PeriodKey::Month(month.add_months(-1)),
            PeriodKey::Season { year, season: 1 } => PeriodKey::Season {
                year: year - 1,
                season: 4,
            },
            PeriodKey::Season { year, season } => PeriodKey::Season {
                year,
                season: season - 1,
            },
            PeriodKey::Year(year) => PeriodKey::Year(year - 1),
        }
    }

    /// `مهر ۱۴۰۳`, `پاییز ۱۴۰۳`, `۱۴۰۳`.
    pub fn name_fa(self) -> String {
        to_persian_digits(&self.named(&MONTHS_FA, &SEASONS_FA))
    }

    /// `Mehr 1403`, `Autumn 1403`, `1403`.
    pub fn name_en(self) -> String {
        self.named(&MONTHS_EN, &SEASONS_EN)
    }

    fn named(self, months: &[&str; 12], seasons: &[&str; 4]) -> String {
        match self {
            PeriodKey::Month(month) => {
                let name = months.get(usize::from(month.month() - 1)).unwrap_or(&"");
                format!("{name} {}", month.year())
            }
            PeriodKey::Season { year, season } => {
                let name = seasons.get(usize::from(season - 1)).unwrap_or(&"");
                format!("{name} {year}")
            }
            PeriodKey::Year(year) => year.to_string(),
        }
    }
}

/// `1403-07`, `1403-S3` (the third season), `1403`: a period in files and the API.
impl fmt::Display for PeriodKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PeriodKey::Month(month) => write!(f, "{month}"),
            PeriodKey::Season { year, season } => write!(f, "{year:04}-S{season}"),
            PeriodKey::Year(year) => write!(f, "{year:04}"),
        }
    }
}

impl Jobs {
    fn add(&mut self, cell: &FigureCell) {
        self.loans += cell.loans;
        self.disbursed_rial += cell.disbursed_rial;
        self.planned += cell.planned;
        self.reported += cell.reported;
        self.verified += cell.verified;
        self.verified_women += cell.verified_women;
        self.verified_underprivileged += cell.verified_underprivileged;
    }

    /// The sum of all cells (a page's totals, a cooperative's or a province's jobs).
    pub fn total<'a>(cells: impl IntoIterator<Item = &'a FigureCell>) -> Self {
        let mut jobs = Jobs::default();
        for cell in cells {
            jobs.add(cell);
        }
        jobs
    }

    /// Rials lent per verified job, rounded down; none when no job is verified.
    pub fn cost_per_verified_job_rial(&self) -> Option<i64> {
        (self.verified > 0).then(|| self.disbursed_rial / self.verified)
    }

    /// Women's share of the verified jobs, in basis points (rounded down).
    pub fn women_share_bp(&self) -> Option<i64> {
        basis_points(self.verified_women, self.verified)
    }

    /// Verified jobs per reported hire, in basis points (rounded down).
    pub fn verification_rate_bp(&self) -> Option<i64> {
        basis_points(self.verified, self.reported)
    }
}

fn basis_points(part: i64, whole: i64) -> Option<i64> {
    (whole > 0)
        .then(|| i64::try_from(i128::from(part) * 10_000 / i128::from(whole)).unwrap_or(i64::MAX))
}

/// Folds the cells into one row per period and group, ordered by period then group.
pub fn aggregate(cells: &[FigureCell], period: Period) -> Vec<FigureRow> {
    let mut rows: BTreeMap<(PeriodKey, &str), Jobs> = BTreeMap::new();
    for cell in cells {
        rows.entry((PeriodKey::of(period, cell.disbursed_on), &cell.group))
            .or_default()
            .add(cell);
    }
    rows.into_iter()
        .map(|((period, group), jobs)| FigureRow {
            group: group.to_owned(),
            period,
            jobs,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_period_spans_its_jalali_days_and_knows_the_one_before() {
        // Establishes the bounds of a month, a season and a leap year, and the periods
        // before them across a year's turn.
        let days = |key: PeriodKey| {
            let (first, last) = key.days();
            (first.to_string(), last.to_string())
        };
        let esfand = PeriodKey::Month(JalaliMonth::new(1403, 12).unwrap());
        assert_eq!(days(esfand), ("2025-02-19".into(), "2025-03-20".into()));
        let spring = PeriodKey::Season {
            year: 1404,
            season: 1,
        };
        assert_eq!(days(spring), ("2025-03-21".into(), "2025-06-21".into()));
        assert_eq!(
            days(PeriodKey::Year(1403)),
            ("2024-03-20".into(), "2025-03-20".into())
        );
        assert_eq!(
            spring.previous(),
            PeriodKey::Season {
                year: 1403,
                season: 4
            }
        );
        assert_eq!(
            PeriodKey::Month(JalaliMonth::new(1404, 1).unwrap()).previous(),
            esfand
        );
        assert_eq!(PeriodKey::Year(1404).previous(), PeriodKey::Year(1403));
    }

    fn cell(
        group: &str,
        day: &str,
        disbursed_rial: i64,
        reported: i64,
        verified: i64,
    ) -> FigureCell {
        FigureCell {
            group: group.into(),
            disbursed_on: IsoDate::parse(day).unwrap(),
            loans: 1,
            disbursed_rial,
            planned: 5,
            reported,
            verified,
            verified_women: verified / 2,
            verified_underprivileged: verified,
        }
    }

    #[test]
    fn days_fold_into_jalali_months_seasons_and_years() {
        // 2024-09-22 is 1 Mehr 1403 (autumn); 2024-09-21 is 31 Shahrivar (summer);
        // 2025-03-21 is 1 Farvardin 1404.
        let day = |text| IsoDate::parse(text).unwrap();
        let mehr = PeriodKey::of(Period::Month, day("2024-09-22"));
        assert_eq!(mehr.to_string(), "1403-07");
        assert_eq!(mehr.name_fa(), "مهر ۱۴۰۳");
        assert_eq!(mehr.name_en(), "Mehr 1403");
        assert_eq!(
            PeriodKey::of(Period::Season, day("2024-09-22")).to_string(),
            "1403-S3"
        );
        assert_eq!(
            PeriodKey::of(Period::Season, day("2024-09-21")).name_fa(),
            "تابستان ۱۴۰۳"
        );
        assert_eq!(
            PeriodKey::of(Period::Year, day("2025-03-20")).to_string(),
            "1403"
        );
        assert_eq!(
            PeriodKey::of(Period::Year, day("2025-03-21")).to_string(),
            "1404"
        );
    }

    #[test]
    fn cells_sum_per_period_and_group_with_shares_and_cost() {
        let cells = [
            cell("IR-16", "2024-09-22", 900_000_000, 4, 3),
            cell("IR-16", "2024-10-30", 100_000_000, 2, 1),
            cell("IR-20", "2024-09-23", 500_000_000, 2, 0),
            cell("IR-16", "2024-09-21", 50_000_000, 1, 1),
        ];
        let rows = aggregate(&cells, Period::Season);
        let keys: Vec<(String, &str)> = rows
            .iter()
            .map(|r| (r.period.to_string(), r.group.as_str()))
            .collect();
        assert_eq!(
            keys,
            [
                ("1403-S2".to_owned(), "IR-16"),
                ("1403-S3".to_owned(), "IR-16"),
                ("1403-S3".to_owned(), "IR-20"),
            ]
        );
        let autumn = &rows[1].jobs;
        assert_eq!((autumn.loans, autumn.planned, autumn.reported), (2, 10, 6));
        assert_eq!((autumn.verified, autumn.verified_women), (4, 1));
        assert_eq!(autumn.cost_per_verified_job_rial(), Some(250_000_000));
        assert_eq!(autumn.women_share_bp(), Some(2_500));
        assert_eq!(autumn.verification_rate_bp(), Some(6_666));
        let none = &rows[2].jobs;
        assert_eq!(none.cost_per_verified_job_rial(), None);
        assert_eq!(none.women_share_bp(), None);
        assert_eq!(none.verification_rate_bp(), Some(0));
        assert_eq!(Jobs::total(&cells).verified, 5);
        assert_eq!(Jobs::total(&[]).verification_rate_bp(), None);
    }
}
