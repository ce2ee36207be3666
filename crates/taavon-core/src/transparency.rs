//! What the public transparency pages may show of an area's figures (issue 17; PRODUCT.md
//! §12): a count under five is shown as «fewer than five», and an amount or a share is
//! withheld when it rests on fewer than five loans or people, on either side of the share
//! (a share of a shown total gives its part back: 10 % of 10 jobs is one woman). Nothing
//! here names a person; the rule only keeps small groups from being singled out.

/// The smallest count shown as a number.
pub const FEWEST_SHOWN: i64 = 5;

/// A figure as the public may see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Disclosed<T> {
    Shown(T),
    /// Rests on fewer than `FEWEST_SHOWN` loans or people.
    Withheld,
}

impl<T: Copy> Disclosed<T> {
    pub fn shown(self) -> Option<T> {
        match self {
            Disclosed::Shown(value) => Some(value),
            Disclosed::Withheld => None,
        }
    }
}

/// A count: shown from five up.
pub fn count(n: i64) -> Disclosed<i64> {
    if n >= FEWEST_SHOWN {
        Disclosed::Shown(n)
    } else {
        Disclosed::Withheld
    }
}

/// A value resting on `behind` loans or people: shown when they are five or more.
pub fn resting_on<T>(value: T, behind: i64) -> Disclosed<T> {
    if behind >= FEWEST_SHOWN {
        Disclosed::Shown(value)
    } else {
        Disclosed::Withheld
    }
}

/// The share of `part` in `whole` in basis points (rounded half up), shown only when both
/// the part and the rest number five or more: either would otherwise follow from the
/// share and the whole.
pub fn share_bp(part: i64, part_count: i64, whole: i64, whole_count: i64) -> Disclosed<i64> {
    if part_count < FEWEST_SHOWN || whole_count - part_count < FEWEST_SHOWN || whole <= 0 {
        return Disclosed::Withheld;
    }
    let bp = (i128::from(part) * 20_000 + i128::from(whole)) / (2 * i128::from(whole));
    Disclosed::Shown(i64::try_from(bp).unwrap_or(10_000))
}

/// An area's sums over the loans first disbursed in it, as the store reads them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AreaSums {
    pub loans: i64,
    pub disbursed_rial: i64,
    /// Loans and rials in tier 1–2 (underprivileged) counties.
    pub underprivileged_loans: i64,
    pub underprivileged_rial: i64,
    pub planned_jobs: i64,
    pub verified_jobs: i64,
    pub verified_women: i64,
}

impl AreaSums {
    pub fn add(&mut self, other: &AreaSums) {
        self.loans += other.loans;
        self.disbursed_rial += other.disbursed_rial;
        self.underprivileged_loans += other.underprivileged_loans;
        self.underprivileged_rial += other.underprivileged_rial;
        self.planned_jobs += other.planned_jobs;
        self.verified_jobs += other.verified_jobs;
        self.verified_women += other.verified_women;
    }

    /// What the public sees of these sums.
    pub fn disclose(&self) -> PublicFigures {
        PublicFigures {
            loans: count(self.loans),
            disbursed_rial: resting_on(self.disbursed_rial, self.loans),
            underprivileged_share_bp: share_bp(
                self.underprivileged_rial,
                self.underprivileged_loans,
                self.disbursed_rial,
                self.loans,
            ),
            planned_jobs: resting_on(self.planned_jobs, self.loans).and_count(),
            verified_jobs: count(self.verified_jobs),
            women_share_bp: share_bp(
                self.verified_women,
                self.verified_women,
                self.verified_jobs,
                self.verified_jobs,
            ),
        }
    }
}

impl Disclosed<i64> {
    /// A shown number that is itself a count must also be five or more.
    fn and_count(self) -> Disclosed<i64> {
        match self {
            Disclosed::Shown(n) => count(n),
            Disclosed::Withheld => Disclosed::Withheld,
        }
    }
}

/// An area's figures as the public pages and the open-data files show them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PublicFigures {
    pub loans: Disclosed<i64>,
    pub disbursed_rial: Disclosed<i64>,
    /// Of the money, the share lent in tier 1–2 counties.
    pub underprivileged_share_bp: Disclosed<i64>,
    pub planned_jobs: Disclosed<i64>,
    pub verified_jobs: Disclosed<i64>,
    /// Of the verified jobs, women's share.
    pub women_share_bp: Disclosed<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_under_five_are_withheld_zero_included() {
        for n in 0..5 {
            assert_eq!(count(n), Disclosed::Withheld, "{n}");
        }
        assert_eq!(count(5), Disclosed::Shown(5));
    }

    #[test]
    fn money_behind_fewer_than_five_loans_is_withheld() {
        let one = AreaSums {
            loans: 1,
            disbursed_rial: 3_000_000_000,
            planned_jobs: 12,
            ..AreaSums::default()
        };
        let shown = one.disclose();
        assert_eq!(shown.disbursed_rial, Disclosed::Withheld);
        // Twelve planned jobs are one borrower's promise: withheld with the loan.
        assert_eq!(shown.planned_jobs, Disclosed::Withheld);
        let five = AreaSums {
            loans: 5,
            disbursed_rial: 9_000_000_000,
            planned_jobs: 4,
            ..AreaSums::default()
        };
        assert_eq!(
            five.disclose().disbursed_rial,
            Disclosed::Shown(9_000_000_000)
        );
        assert_eq!(five.disclose().planned_jobs, Disclosed::Withheld);
    }

    #[test]
    fn a_share_is_withheld_when_either_side_is_small() {
        // One woman in ten would follow from 10 % and the ten shown.
        assert_eq!(share_bp(1, 1, 10, 10), Disclosed::Withheld);
        // Nine women of ten leave one man.
        assert_eq!(share_bp(9, 9, 10, 10), Disclosed::Withheld);
        assert_eq!(share_bp(5, 5, 10, 10), Disclosed::Shown(5_000));
        assert_eq!(share_bp(2, 5, 3, 10), Disclosed::Shown(6_667));
        assert_eq!(share_bp(0, 0, 0, 0), Disclosed::Withheld);
    }

    #[test]
    fn sums_add_up_area_by_area() {
        let a = AreaSums {
            loans: 3,
            disbursed_rial: 30,
            underprivileged_loans: 1,
            underprivileged_rial: 10,
            planned_jobs: 6,
            verified_jobs: 2,
            verified_women: 1,
        };
        let mut total = a;
        total.add(&a);
        total.add(&a);
        assert_eq!(total.loans, 9);
        assert_eq!(total.disbursed_rial, 90);
        let shown = total.disclose();
        assert_eq!(shown.loans, Disclosed::Shown(9));
        assert_eq!(shown.verified_jobs, Disclosed::Shown(6));
        // Three underprivileged loans of nine: the part is too small.
        assert_eq!(shown.underprivileged_share_bp, Disclosed::Withheld);
    }
}
