//! Verified jobs: whether a hire a borrower reported is a new job the Social Security
//! insured-worker lists confirm (PRODUCT.md §9; the rule of `shared/oracle/README.md`,
//! impact/).
//!
//! The rule has two parts, kept apart so a store can re-verify only what a new list or
//! report touches:
//! - `screen` looks at one hire alone: the person's months at the loan's workshop around
//!   the disbursement month say whether they were already employed there, never insured,
//!   insured too briefly, or are a candidate new job;
//! - `Claim` orders the candidates for one national code nationwide: a person is one job,
//!   and the loan disbursed first (then the smaller loan id) has it.
//!
//! `verify` applies both to whole files (the CLI and the oracle tests).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::calendar::{IsoDate, JalaliDate, JalaliMonth};
use crate::coded::coded_enum;
use crate::ids::{NationalCode, WorkshopCode};
use crate::registry::Gender;

pub mod figures;

/// The parameters of verification (configuration; the defaults are the oracle's).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VerificationRules {
    /// Months before the disbursement month in which any insurance at the workshop marks
    /// the person as an existing worker.
    pub lookback_months: u8,
    /// Months after the disbursement month that are searched for insured months.
    pub window_months: u8,
    /// Insured months needed within the window.
    pub months_required: u8,
    /// Days insured in a month for it to count.
    pub days_required: u8,
}

/// Why a hire is or is not a verified job.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum HireStatus {
    Verified,
    /// Insured at the workshop in the months before the disbursement: an existing worker.
    InsuredBefore,
    /// Never insured long enough in any month of the window.
    NotInsured,
    /// Insured long enough in some months of the window, but fewer than required.
    TooFewMonths,
    /// A new job, but another loan disbursed earlier claims the same person.
    ClaimedElsewhere,
}

coded_enum!(HireStatus {
    Verified = "verified",
    InsuredBefore = "insured_before",
    NotInsured = "not_insured",
    TooFewMonths = "too_few_months",
    ClaimedElsewhere = "claimed_elsewhere",
});

/// Where a reported hire stands: the rule's status, or why the rule cannot judge it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HireVerdict {
    Status(HireStatus),
    /// The loan's contract has no SSO workshop code, so no list can confirm the hire.
    NoWorkshop,
}

/// One month of a person's insurance at one workshop, as the list gives it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InsuredMonth {
    pub month: JalaliMonth,
    pub days: u8,
    pub gender: Gender,
}

/// What a hire's own insurance record says, before other loans' claims are weighed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Screening {
    InsuredBefore,
    NotInsured,
    TooFewMonths,
    /// A new job unless an earlier loan claims the person; `woman` from the gender on the
    /// list in the last month counted.
    Candidate {
        woman: bool,
    },
}

/// A loan's claim on a person who is a candidate new job. Claims order by disbursement
/// date, then loan id: the least claim wins.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Claim {
    pub disbursed_on: IsoDate,
    pub loan_id: i64,
}

/// A disbursed loan whose jobs are verified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedLoan {
    pub loan_id: i64,
    pub workshop: WorkshopCode,
    /// The day of the first disbursement.
    pub disbursed_on: JalaliDate,
    pub amount_rial: i64,
}

/// A hire a borrower reported for a loan.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ReportedHire {
    pub loan_id: i64,
    pub national_code: NationalCode,
}

/// One row of an insured-worker list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InsuredRow {
    pub workshop: WorkshopCode,
    pub national_code: NationalCode,
    pub gender: Gender,
    pub month: JalaliMonth,
    pub days: u8,
}

/// The verdict on one reported hire.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HireOutcome {
    pub loan_id: i64,
    pub national_code: NationalCode,
    pub status: HireStatus,
    /// A verified woman's job.
    pub woman: bool,
}

/// A loan's jobs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoanJobs {
    pub loan_id: i64,
    /// Distinct hires reported.
    pub reported: u32,
    pub verified: u32,
    pub verified_women: u32,
    /// Rials lent per verified job, rounded down; `None` when none is verified.
    pub cost_per_verified_job_rial: Option<i64>,
}

/// Every loan's and hire's verdict, and the totals.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verification {
    /// By loan id.
    pub loans: Vec<LoanJobs>,
    /// By loan id, then national code.
    pub hires: Vec<HireOutcome>,
    pub reported: u32,
    pub verified: u32,
    pub verified_women: u32,
    /// Hires per status, every status present (zero when none).
    pub by_status: BTreeMap<HireStatus, u32>,
}

/// Why files could not be verified together.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum VerificationError {
    #[error("loan {0} appears twice")]
    DuplicateLoan(i64),
    #[error("a hire names loan {0}, which is not among the loans")]
    UnknownLoan(i64),
}

impl Default for VerificationRules {
    fn default() -> Self {
        Self {
            lookback_months: 3,
            window_months: 12,
            months_required: 3,
            days_required: 15,
        }
    }
}

impl HireStatus {
    pub fn name_fa(self) -> &'static str {
        match self {
            HireStatus::Verified => "تأییدشده",
            HireStatus::InsuredBefore => "بیمه‌شده پیش از پرداخت",
            HireStatus::NotInsured => "بیمه نشده",
            HireStatus::TooFewMonths => "ماه‌های بیمه کمتر از حد لازم",
            HireStatus::ClaimedElsewhere => "ثبت‌شده برای تسهیلات دیگر",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            HireStatus::Verified => "Verified",
            HireStatus::InsuredBefore => "Insured before disbursement",
            HireStatus::NotInsured => "Not insured",
            HireStatus::TooFewMonths => "Too few insured months",
            HireStatus::ClaimedElsewhere => "Claimed by another loan",
        }
    }

    /// Whether the status suggests a report to review: the person already worked there,
    /// or another loan claims them.
    pub fn is_fraud_signal(self) -> bool {
        matches!(
            self,
            HireStatus::InsuredBefore | HireStatus::ClaimedElsewhere
        )
    }
}

impl HireVerdict {
    pub const NO_WORKSHOP: &'static str = "no_workshop";

    pub fn code(self) -> &'static str {
        match self {
            HireVerdict::Status(status) => status.code(),
            HireVerdict::NoWorkshop => Self::NO_WORKSHOP,
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        match code {
            Self::NO_WORKSHOP => Some(HireVerdict::NoWorkshop),
            _ => HireStatus::parse(code).map(HireVerdict::Status),
        }
    }

    pub fn name_fa(self) -> &'static str {
        match self {
            HireVerdict::Status(status) => status.name_fa(),
            HireVerdict::NoWorkshop => "کد کارگاه در قرارداد ثبت نشده است",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            HireVerdict::Status(status) => status.name_en(),
            HireVerdict::NoWorkshop => "The contract has no workshop code",
        }
    }
}

impl VerificationRules {
    /// The months of the lists a hire's verification reads: from `lookback_months` before
    /// the disbursement month to `window_months` after it (inclusive).
    pub fn months_read(&self, disbursed: JalaliMonth) -> (JalaliMonth, JalaliMonth) {
        (
            disbursed.add_months(-i32::from(self.lookback_months)),
            disbursed.add_months(i32::from(self.window_months)),
        )
    }

    /// Screens one hire from the person's months at the loan's workshop (any order; months
    /// outside the rule's reach are ignored, a month listed twice counts its last row).
    pub fn screen(&self, disbursed: JalaliMonth, months: &[InsuredMonth]) -> Screening {
        let (first, last) = self.months_read(disbursed);
        let mut read: BTreeMap<JalaliMonth, &InsuredMonth> = BTreeMap::new();
        for month in months.iter().filter(|m| (first..=last).contains(&m.month)) {
            read.insert(month.month, month);
        }
        if read.range(first..disbursed).any(|(_, m)| m.days >= 1) {
            return Screening::InsuredBefore;
        }
        let counted: Vec<&InsuredMonth> = read
            .range(disbursed.add_months(1)..)
            .map(|(_, m)| *m)
            .filter(|m| m.days >= self.days_required)
            .collect();
        match counted.last() {
            None => Screening::NotInsured,
            Some(_) if counted.len() < usize::from(self.months_required) => Screening::TooFewMonths,
            Some(last) => Screening::Candidate {
                woman: last.gender == Gender::Female,
            },
        }
    }

    /// Verifies every reported hire of `loans` against the insured-worker `rows`.
    pub fn verify(
        &self,
        loans: &[VerifiedLoan],
        hires: &[ReportedHire],
        rows: &[InsuredRow],
    ) -> Result<Verification, VerificationError> {
        let mut by_id: BTreeMap<i64, &VerifiedLoan> = BTreeMap::new();
        for loan in loans {
            if by_id.insert(loan.loan_id, loan).is_some() {
                return Err(VerificationError::DuplicateLoan(loan.loan_id));
            }
        }
        let hires: BTreeSet<&ReportedHire> = hires.iter().collect();
        if let Some(hire) = hires.iter().find(|h| !by_id.contains_key(&h.loan_id)) {
            return Err(VerificationError::UnknownLoan(hire.loan_id));
        }
        let mut months: HashMap<(&WorkshopCode, &NationalCode), Vec<InsuredMonth>> = HashMap::new();
        for row in rows {
            months
                .entry((&row.workshop, &row.national_code))
                .or_default()
                .push(InsuredMonth {
                    month: row.month,
                    days: row.days,
                    gender: row.gender,
                });
        }
        let screened: Vec<(&ReportedHire, &VerifiedLoan, Screening)> = hires
            .iter()
            .filter_map(|hire| {
                let loan = by_id.get(&hire.loan_id)?;
                let record = months
                    .get(&(&loan.workshop, &hire.national_code))
                    .map_or(&[][..], Vec::as_slice);
                let screening = self.screen(JalaliMonth::of(loan.disbursed_on), record);
                Some((*hire, *loan, screening))
            })
            .collect();
        let mut first_claims: HashMap<&NationalCode, Claim> = HashMap::new();
        for (hire, loan, screening) in &screened {
            if matches!(screening, Screening::Candidate { .. }) {
                let claim = Claim {
                    disbursed_on: loan.disbursed_on.to_iso(),
                    loan_id: loan.loan_id,
                };
                first_claims
                    .entry(&hire.national_code)
                    .and_modify(|first| *first = (*first).min(claim))
                    .or_insert(claim);
            }
        }
        let outcomes: Vec<HireOutcome> = screened
            .iter()
            .map(|(hire, loan, screening)| {
                let (status, woman) = match *screening {
                    Screening::InsuredBefore => (HireStatus::InsuredBefore, false),
                    Screening::NotInsured => (HireStatus::NotInsured, false),
                    Screening::TooFewMonths => (HireStatus::TooFewMonths, false),
                    Screening::Candidate { woman } => {
                        let wins = first_claims
                            .get(&hire.national_code)
                            .is_some_and(|first| first.loan_id == loan.loan_id);
                        if wins {
                            (HireStatus::Verified, woman)
                        } else {
                            (HireStatus::ClaimedElsewhere, false)
                        }
                    }
                };
                HireOutcome {
                    loan_id: hire.loan_id,
                    national_code: hire.national_code.clone(),
                    status,
                    woman,
                }
            })
            .collect();
        Ok(summarise(&by_id, outcomes))
    }
}

/// The statuses of every hire of one national code nationwide, from each one's claim and
/// screening: the step `verify` takes over whole files, for the subset a store re-verifies
/// when a list or a report touches the person. Only candidates claim; the least claim
/// among them is the verified one.
pub fn settle(hires: &[(Claim, Screening)]) -> Vec<HireStatus> {
    let first = hires
        .iter()
        .filter(|(_, screening)| matches!(screening, Screening::Candidate { .. }))
        .map(|(claim, _)| *claim)
        .min();
    hires
        .iter()
        .map(|(claim, screening)| match screening {
            Screening::InsuredBefore => HireStatus::InsuredBefore,
            Screening::NotInsured => HireStatus::NotInsured,
            Screening::TooFewMonths => HireStatus::TooFewMonths,
            Screening::Candidate { .. } if first == Some(*claim) => HireStatus::Verified,
            Screening::Candidate { .. } => HireStatus::ClaimedElsewhere,
        })
        .collect()
}

/// The jobs of a loan from its hires' outcomes.
pub fn loan_jobs(loan_id: i64, amount_rial: i64, outcomes: &[HireOutcome]) -> LoanJobs {
    let count = |keep: &dyn Fn(&HireOutcome) -> bool| -> u32 {
        u32::try_from(outcomes.iter().filter(|o| keep(o)).count()).unwrap_or(u32::MAX)
    };
    let verified = count(&|o| o.status == HireStatus::Verified);
    LoanJobs {
        loan_id,
        reported: count(&|_| true),
        verified,
        verified_women: count(&|o| o.status == HireStatus::Verified && o.woman),
        cost_per_verified_job_rial: cost_per_job(amount_rial, verified),
    }
}

/// Rials lent per verified job, rounded down; `None` when no job is verified.
pub fn cost_per_job(amount_rial: i64, verified: u32) -> Option<i64> {
    (verified > 0).then(|| amount_rial.div_euclid(i64::from(verified)))
}

fn summarise(loans: &BTreeMap<i64, &VerifiedLoan>, hires: Vec<HireOutcome>) -> Verification {
    let mut by_status: BTreeMap<HireStatus, u32> =
        HireStatus::ALL.iter().map(|status| (*status, 0)).collect();
    for hire in &hires {
        *by_status.entry(hire.status).or_default() += 1;
    }
    let loans: Vec<LoanJobs> = loans
        .values()
        .map(|loan| {
            // Hires are sorted by loan id, so each loan's hires are one run.
            let start = hires.partition_point(|h| h.loan_id < loan.loan_id);
            let end = hires.partition_point(|h| h.loan_id <= loan.loan_id);
            loan_jobs(
                loan.loan_id,
                loan.amount_rial,
                hires.get(start..end).unwrap_or(&[]),
            )
        })
        .collect();
    Verification {
        reported: loans.iter().map(|l| l.reported).sum(),
        verified: loans.iter().map(|l| l.verified).sum(),
        verified_women: loans.iter().map(|l| l.verified_women).sum(),
        loans,
        hires,
        by_status,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn month(text: &str) -> JalaliMonth {
        JalaliMonth::parse(text).unwrap()
    }

    fn insured(text: &str, days: u8, gender: Gender) -> InsuredMonth {
        InsuredMonth {
            month: month(text),
            days,
            gender,
        }
    }

    #[test]
    fn a_person_insured_in_the_three_months_before_is_an_existing_worker() {
        // Establishes the lookback: one day in d−3…d−1 suffices, d−4 and d do not count.
        let rules = VerificationRules::default();
        let d = month("1403-02");
        let later: Vec<InsuredMonth> = ["1403-03", "1403-04", "1403-05"]
            .iter()
            .map(|m| insured(m, 30, Gender::Male))
            .collect();
        let with = |extra: InsuredMonth| {
            let mut months = later.clone();
            months.push(extra);
            rules.screen(d, &months)
        };
        assert_eq!(
            with(insured("1402-11", 1, Gender::Male)),
            Screening::InsuredBefore
        );
        assert_eq!(
            with(insured("1403-01", 1, Gender::Male)),
            Screening::InsuredBefore
        );
        assert_eq!(
            with(insured("1402-10", 30, Gender::Male)),
            Screening::Candidate { woman: false }
        );
        assert_eq!(
            with(insured("1403-02", 30, Gender::Male)),
            Screening::Candidate { woman: false }
        );
        assert_eq!(
            with(insured("1403-01", 0, Gender::Male)),
            Screening::Candidate { woman: false }
        );
    }

    #[test]
    fn months_count_only_inside_the_window_and_with_fifteen_days() {
        // Establishes not_insured / too_few_months / candidate and the window's ends.
        let rules = VerificationRules::default();
        let d = month("1403-10");
        assert_eq!(rules.screen(d, &[]), Screening::NotInsured);
        assert_eq!(
            rules.screen(d, &[insured("1403-11", 14, Gender::Female)]),
            Screening::NotInsured
        );
        let two = [
            insured("1403-11", 15, Gender::Female),
            insured("1404-10", 31, Gender::Female),
            insured("1404-11", 31, Gender::Female),
        ];
        assert_eq!(rules.screen(d, &two), Screening::TooFewMonths);
        let three = [
            insured("1403-11", 15, Gender::Male),
            insured("1404-01", 20, Gender::Male),
            insured("1404-10", 31, Gender::Female),
        ];
        assert_eq!(
            rules.screen(d, &three),
            Screening::Candidate { woman: true }
        );
        assert_eq!(rules.months_read(d), (month("1403-07"), month("1404-10")));
    }

    #[test]
    fn settling_one_person_gives_the_earliest_candidate_the_job() {
        // Establishes settle: non-candidates keep their screening, the least claim wins.
        let claim = |day: &str, loan_id| Claim {
            disbursed_on: JalaliDate::parse(day).unwrap().to_iso(),
            loan_id,
        };
        let hires = [
            (
                claim("1403-01-20", 1),
                Screening::Candidate { woman: false },
            ),
            (claim("1403-01-01", 9), Screening::InsuredBefore),
            (claim("1403-01-10", 3), Screening::Candidate { woman: true }),
            (claim("1403-01-10", 2), Screening::Candidate { woman: true }),
        ];
        assert_eq!(
            settle(&hires),
            [
                HireStatus::ClaimedElsewhere,
                HireStatus::InsuredBefore,
                HireStatus::ClaimedElsewhere,
                HireStatus::Verified
            ]
        );
        assert_eq!(settle(&hires[1..2]), [HireStatus::InsuredBefore]);
    }

    #[test]
    fn a_person_is_one_job_and_the_loan_disbursed_first_has_it() {
        // Establishes claimed_elsewhere, the tie on the disbursement day, and the counts.
        let person = NationalCode::with_check_digit("001234567").unwrap();
        let workshop = WorkshopCode::parse("1000000001").unwrap();
        let loan = |loan_id, day: &str| VerifiedLoan {
            loan_id,
            workshop: workshop.clone(),
            disbursed_on: JalaliDate::parse(day).unwrap(),
            amount_rial: 1_000_000_001,
        };
        let loans = [
            loan(3, "1403-01-10"),
            loan(2, "1403-01-10"),
            loan(1, "1403-01-20"),
        ];
        let hires: Vec<ReportedHire> = [1, 2, 3, 2]
            .into_iter()
            .map(|loan_id| ReportedHire {
                loan_id,
                national_code: person.clone(),
            })
            .collect();
        let rows: Vec<InsuredRow> = ["1403-02", "1403-03", "1403-04"]
            .iter()
            .map(|m| InsuredRow {
                workshop: workshop.clone(),
                national_code: person.clone(),
                gender: Gender::Female,
                month: month(m),
                days: 30,
            })
            .collect();
        let result = VerificationRules::default()
            .verify(&loans, &hires, &rows)
            .unwrap();
        let statuses: Vec<(i64, HireStatus)> =
            result.hires.iter().map(|h| (h.loan_id, h.status)).collect();
        assert_eq!(
            statuses,
            [
                (1, HireStatus::ClaimedElsewhere),
                (2, HireStatus::Verified),
                (3, HireStatus::ClaimedElsewhere)
            ]
        );
        assert_eq!(
            (result.reported, result.verified, result.verified_women),
            (3, 1, 1)
        );
        let second = result.loans.iter().find(|l| l.loan_id == 2).unwrap();
        assert_eq!(second.cost_per_verified_job_rial, Some(1_000_000_001));
        let first = result.loans.iter().find(|l| l.loan_id == 1).unwrap();
        assert_eq!(first.cost_per_verified_job_rial, None);
        assert_eq!(result.by_status[&HireStatus::NotInsured], 0);
        assert_eq!(
            VerificationRules::default().verify(
                &loans,
                &[ReportedHire {
                    loan_id: 9,
                    national_code: person
                }],
                &rows
            ),
            Err(VerificationError::UnknownLoan(9))
        );
    }
}
