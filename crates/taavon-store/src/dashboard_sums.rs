//! The dashboards' kept sums and how a read groups them: the types the daily figures
//! (`dashboard_figures`) and their months and running commitments (`dashboard_rollups`)
//! both speak, apart from either so neither imports the other back.

use taavon_core::access::ApplicationScope;
use taavon_core::applications::ApplicationState;
use taavon_core::calendar::IsoDate;

use crate::applications::code_list;
use crate::filter::{Conditions, Value};

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

/// Declares the kept sums once: `DashboardSums`' fields, `MEASURES` (the kept columns
/// of the same names, in the same order) and the sums as an array in that order, so the
/// list is written nowhere else.
macro_rules! kept_sums {
    ($($(#[$doc:meta])* $field:ident,)*) => {
        /// The kept sums, in the order of `MEASURES`.
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
        pub struct DashboardSums {
            $($(#[$doc])* pub $field: i64,)*
        }

        /// The kept columns, in the order of `DashboardSums`' fields.
        pub(crate) const MEASURES: [&str; MEASURE_COUNT] = [$(stringify!($field)),*];

        impl DashboardSums {
            pub(crate) fn from_array(sums: [i64; MEASURE_COUNT]) -> Self {
                let [$($field),*] = sums;
                Self { $($field),* }
            }

            fn to_array(self) -> [i64; MEASURE_COUNT] {
                [$(self.$field),*]
            }
        }
    };
}

/// How many sums are kept.
pub(crate) const MEASURE_COUNT: usize = 13;

kept_sums! {
    /// Applications submitted (left draft for review or eligibility).
    submitted,
    /// Found eligible (under review).
    eligible,
    approved,
    referred,
    contracted,
    /// Loans disbursed for the first time.
    disbursed,
    /// The amount of the applications approved.
    approved_rial,
    /// The amount entering (positive) or leaving (negative) the committed states —
    /// approved, referred, approved by the bank, contracted: summed from the beginning,
    /// what is committed at the end.
    committed_rial,
    /// Jobs the approved applications plan, and those for women.
    approved_jobs,
    approved_women_jobs,
    /// Disbursed net of reversals, and of that to women-led applicants.
    disbursed_rial,
    women_disbursed_rial,
    /// Repayments and settlements net of reversals.
    repaid_rial,
}

impl DashboardSums {
    /// Adds `other` to these sums.
    pub fn add(&mut self, other: &Self) {
        let mut sums = self.to_array();
        for (sum, more) in sums.iter_mut().zip(other.to_array()) {
            *sum += more;
        }
        *self = Self::from_array(sums);
    }
}

/// The bank an application event (`e`, of the application `a`) is kept under: the
/// referred one from the referral on, so a bank's funnel starts where its scope does;
/// none before.
pub(crate) fn event_bank_sql() -> String {
    use ApplicationState as S;
    let banked = code_list(&[S::Referred, S::BankApproved, S::BankRejected, S::Contracted]);
    format!(
        "CASE WHEN e.to_state IN ({banked}) OR e.from_state IN ({banked}) \
         THEN COALESCE(a.referred_bank, '') ELSE '' END"
    )
}

/// `SUM(measure)` of every kept measure in their order, for the backfills' groupings.
pub(crate) fn measure_sums_sql() -> String {
    MEASURES
        .iter()
        .map(|m| format!("SUM({m})"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Rows of one kept table (or of the records) between two days of its `day` column.
pub(crate) struct DaysRead<'a> {
    pub(crate) source: &'a str,
    pub(crate) day: &'static str,
    pub(crate) from: Option<IsoDate>,
    pub(crate) to: Option<IsoDate>,
}

impl DaysRead<'_> {
    /// The conditions reading these rows in `scope`; `None` when the scope sees nothing.
    pub(crate) fn conditions(&self, scope: &ApplicationScope) -> Option<Conditions> {
        let mut conditions = Conditions::default();
        if !conditions.in_scope(scope, "bank") {
            return None;
        }
        for (bound, compare) in [(self.from, ">="), (self.to, "<=")] {
            if let Some(bound) = bound {
                let p = conditions.bind(Value::Text(bound.to_string()));
                conditions.push(format!("{} {compare} {p}", self.day));
            }
        }
        Some(conditions)
    }
}

/// The condition on the records (`a`, the application) a recomputation reads in `scope`:
/// one cooperative's own, found by index before anything is computed; else all.
pub(crate) fn records_condition(scope: &ApplicationScope) -> String {
    match scope {
        ApplicationScope::Cooperative(id) => format!("a.cooperative_id = {id}"),
        _ => "true".to_owned(),
    }
}
