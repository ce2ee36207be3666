//! The dashboards' kept sums and how a read groups them: the types the daily figures
//! (`dashboard_figures`) and their months and running commitments (`dashboard_rollups`)
//! both speak, apart from either so neither imports the other back.

use taavon_core::calendar::IsoDate;

/// The kept sums, in the order of `MEASURES`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DashboardSums {
    /// Applications submitted (left draft for review or eligibility).
    pub submitted: i64,
    /// Found eligible (under review).
    pub eligible: i64,
    pub approved: i64,
    pub referred: i64,
    pub contracted: i64,
    /// Loans disbursed for the first time.
    pub disbursed: i64,
    /// The amount of the applications approved.
    pub approved_rial: i64,
    /// The amount entering (positive) or leaving (negative) the committed states —
    /// approved, referred, approved by the bank, contracted: summed from the beginning,
    /// what is committed at the end.
    pub committed_rial: i64,
    /// Jobs the approved applications plan, and those for women.
    pub approved_jobs: i64,
    pub approved_women_jobs: i64,
    /// Disbursed net of reversals, and of that to women-led applicants.
    pub disbursed_rial: i64,
    pub women_disbursed_rial: i64,
    /// Repayments and settlements net of reversals.
    pub repaid_rial: i64,
}

/// How the figures are grouped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DashboardGrouping {
    /// By day (the over-time charts of a month or less).
    Day,
    /// By Jalali month, each labelled with its first day (the longer over-time charts).
    Month,
    /// By province × program × underprivileged (budgets, shares, the map).
    Area,
}

/// Which days the figures sum, within the reader's scope.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DashboardFilter {
    pub grouping: DashboardGrouping,
    /// On or after / on or before (ISO days).
    pub from: Option<IsoDate>,
    pub to: Option<IsoDate>,
}

/// One group's sums: `day` set by day or month, the area's fields by area (the others
/// empty).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DashboardCell {
    pub day: String,
    pub province: String,
    pub program: String,
    pub underprivileged: bool,
    pub sums: DashboardSums,
}

/// The kept columns, in the order of `DashboardSums`' fields.
pub(crate) const MEASURES: [&str; 13] = [
    "submitted",
    "eligible",
    "approved",
    "referred",
    "contracted",
    "disbursed",
    "approved_rial",
    "committed_rial",
    "approved_jobs",
    "approved_women_jobs",
    "disbursed_rial",
    "women_disbursed_rial",
    "repaid_rial",
];

impl DashboardSums {
    pub(crate) fn from_array(v: [i64; 13]) -> Self {
        let [
            submitted,
            eligible,
            approved,
            referred,
            contracted,
            disbursed,
            approved_rial,
            committed_rial,
            approved_jobs,
            approved_women_jobs,
            disbursed_rial,
            women_disbursed_rial,
            repaid_rial,
        ] = v;
        Self {
            submitted,
            eligible,
            approved,
            referred,
            contracted,
            disbursed,
            approved_rial,
            committed_rial,
            approved_jobs,
            approved_women_jobs,
            disbursed_rial,
            women_disbursed_rial,
            repaid_rial,
        }
    }

    fn to_array(self) -> [i64; 13] {
        [
            self.submitted,
            self.eligible,
            self.approved,
            self.referred,
            self.contracted,
            self.disbursed,
            self.approved_rial,
            self.committed_rial,
            self.approved_jobs,
            self.approved_women_jobs,
            self.disbursed_rial,
            self.women_disbursed_rial,
            self.repaid_rial,
        ]
    }

    /// Adds `other` to these sums.
    pub fn add(&mut self, other: &Self) {
        let mut sums = self.to_array();
        for (sum, more) in sums.iter_mut().zip(other.to_array()) {
            *sum += more;
        }
        *self = Self::from_array(sums);
    }
}
