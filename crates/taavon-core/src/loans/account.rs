//! A loan's account between business dates: what has fallen due, how a repayment spreads
//! over the installments, and the late-charge accumulators that let end of day charge a
//! whole portfolio in one statement.
//!
//! Days are whole days since 1970-01-01 (`IsoDate::days_since_unix_epoch`). The late
//! charge of an installment is `unpaid·(R+6)·days_late/36000`; summed over a loan it is
//! `(bp+600)·(frozen + unpaid·D − weight)/3 600 000`, where `unpaid` and `weight`
//! (Σ unpaid·due_day) run over the installments late at `D` and `frozen` holds the
//! rial-days of parts already paid late. End of day keeps those three numbers per loan
//! with set-based updates; this module computes the same numbers loan by loan, for
//! repayments and for tests that check end of day against it.

use crate::loans::late_charge::{LATE_CHARGE_DIVISOR, LATE_CHARGE_SPREAD_BP};
use crate::loans::repayment::{self, Component, Dues};

/// One installment as the account sees it: what it asks and what has been paid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InstallmentAccount {
    pub n: u16,
    pub due_day: i64,
    /// The last day it may be paid without a late charge (the due day, or the next
    /// working day when the due day is a Friday or an official holiday).
    pub late_after_day: i64,
    pub principal: i64,
    /// Profit including any grace profit spread onto the installment, less what an early
    /// settlement waived (what the installment still asks for).
    pub profit: i64,
    /// The fee, less what an early settlement waived.
    pub fee: i64,
    pub paid_principal: i64,
    pub paid_profit: i64,
    pub paid_fee: i64,
}

impl InstallmentAccount {
    fn unpaid(&self, component: Component) -> i64 {
        match component {
            Component::Principal => self.principal - self.paid_principal,
            Component::Profit => self.profit - self.paid_profit,
            Component::Fee => self.fee - self.paid_fee,
            Component::Penalty => 0,
        }
    }

    pub fn unpaid_total(&self) -> i64 {
        self.unpaid(Component::Principal)
            + self.unpaid(Component::Profit)
            + self.unpaid(Component::Fee)
    }

    /// Late at `day`: past the day it could be paid without a charge.
    pub fn is_late(&self, day: i64) -> bool {
        day > self.late_after_day
    }
}

/// The per-loan numbers end of day keeps, as of a closed day.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Aggregates {
    pub outstanding_principal: i64,
    /// Unpaid part of the installments due on or before the day.
    pub due_unpaid: i64,
    pub oldest_unpaid_due_day: Option<i64>,
    /// Unpaid part of the installments late at the day, and Σ unpaid·due_day over them.
    pub late_unpaid: i64,
    pub late_weight: i64,
}

/// The aggregates of a loan with `disbursed` principal paid out, as of `day`.
pub fn aggregates(installments: &[InstallmentAccount], disbursed: i64, day: i64) -> Aggregates {
    let mut totals = Aggregates {
        outstanding_principal: disbursed,
        ..Aggregates::default()
    };
    for i in installments {
        totals.outstanding_principal -= i.paid_principal;
        let unpaid = i.unpaid_total();
        if unpaid <= 0 {
            continue;
        }
        if i.due_day <= day {
            totals.due_unpaid += unpaid;
            totals.oldest_unpaid_due_day = Some(
                totals
                    .oldest_unpaid_due_day
                    .map_or(i.due_day, |oldest| oldest.min(i.due_day)),
            );
        }
        if i.is_late(day) {
            totals.late_unpaid += unpaid;
            totals.late_weight += unpaid.saturating_mul(i.due_day);
        }
    }
    totals
}

/// The late charge accrued to `day`: the formula end of day evaluates in SQL, rounded half
/// up (every term is non-negative).
pub fn late_charge_to_date(
    rate_bp: i64,
    frozen: i64,
    late_unpaid: i64,
    late_weight: i64,
    day: i64,
) -> i64 {
    let rial_days =
        i128::from(frozen) + i128::from(late_unpaid) * i128::from(day) - i128::from(late_weight);
    let charge = (i128::from(rate_bp) + i128::from(LATE_CHARGE_SPREAD_BP)) * rial_days.max(0);
    let divisor = i128::from(LATE_CHARGE_DIVISOR);
    i64::try_from((charge + divisor / 2) / divisor).unwrap_or(i64::MAX)
}

/// What one repayment does to one installment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Line {
    pub n: u16,
    pub principal: i64,
    pub profit: i64,
    pub fee: i64,
    /// Rial-days of lateness this part froze (it was paid after its due date).
    pub late_rial_days: i64,
    /// Profit and fee an early settlement took off the installment unpaid (never earned).
    pub waived_profit: i64,
    pub waived_fee: i64,
}

impl Line {
    pub fn amount(&self) -> i64 {
        self.principal + self.profit + self.fee
    }
}

/// How a repayment is spent.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RepaymentPlan {
    pub penalty: i64,
    pub fee: i64,
    pub profit: i64,
    pub principal: i64,
    pub lines: Vec<Line>,
}

/// Why a repayment cannot be taken.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RepaymentError {
    #[error("the amount must be positive")]
    NotPositive,
    #[error("the amount exceeds everything owed ({owed} rials)")]
    MoreThanOwed { owed: i64 },
}

impl RepaymentError {
    /// The rule broken, for machine-readable errors on the `amount` field.
    pub fn rule(&self) -> &'static str {
        match self {
            RepaymentError::NotPositive => "positive",
            RepaymentError::MoreThanOwed { .. } => "at_most_owed",
        }
    }

    pub fn message_fa(&self) -> String {
        match self {
            RepaymentError::NotPositive => "مبلغ باید مثبت باشد".to_owned(),
            RepaymentError::MoreThanOwed { owed } => {
                format!(
                    "مبلغ از کل بدهی ({} ریال) بیشتر است",
                    crate::money::format_number(*owed, crate::locale::Locale::Fa)
                )
            }
        }
    }

    pub fn message_en(&self) -> String {
        self.to_string()
    }
}

/// The late charge still owed at `day` by a loan whose installments are `installments`.
pub fn penalty_due(
    rate_bp: i64,
    frozen: i64,
    penalty_paid: i64,
    installments: &[InstallmentAccount],
    day: i64,
) -> i64 {
    let totals = aggregates(installments, 0, day);
    (late_charge_to_date(rate_bp, frozen, totals.late_unpaid, totals.late_weight, day)
        - penalty_paid)
        .max(0)
}

/// Spends `amount` paid on `day`: the late charge and what has fallen due in the
/// product's `order` (oldest installment first within each component), then whole
/// future installments in schedule order, each in the same component order.
pub fn plan_repayment(
    amount: i64,
    order: &[Component],
    installments: &[InstallmentAccount],
    penalty_owed: i64,
    day: i64,
) -> Result<RepaymentPlan, RepaymentError> {
    if amount <= 0 {
        return Err(RepaymentError::NotPositive);
    }
    let owed = penalty_owed
        + installments
            .iter()
            .map(InstallmentAccount::unpaid_total)
            .sum::<i64>();
    if amount > owed {
        return Err(RepaymentError::MoreThanOwed { owed });
    }
    let (due, future): (Vec<&InstallmentAccount>, Vec<&InstallmentAccount>) =
        installments.iter().partition(|i| i.due_day <= day);
    let sum = |component| due.iter().map(|i| i.unpaid(component)).sum::<i64>();
    let dues = Dues {
        penalty: penalty_owed,
        fee: sum(Component::Fee),
        profit: sum(Component::Profit),
        principal: sum(Component::Principal),
    };
    let split = repayment::allocate(amount, order, &dues);
    let mut plan = RepaymentPlan {
        penalty: split.penalty,
        ..RepaymentPlan::default()
    };
    let mut lines: Vec<Line> = Vec::new();
    for component in [Component::Fee, Component::Profit, Component::Principal] {
        let mut left = match component {
            Component::Fee => split.fee,
            Component::Profit => split.profit,
            _ => split.principal,
        };
        for installment in &due {
            if left == 0 {
                break;
            }
            let part = left.min(installment.unpaid(component));
            if part > 0 {
                add_part(&mut lines, installment, component, part, day);
                left -= part;
            }
        }
    }
    let mut left = split.unapplied;
    for installment in &future {
        for component in order.iter().copied().filter(|c| *c != Component::Penalty) {
            let part = left.min(installment.unpaid(component));
            if part > 0 {
                add_part(&mut lines, installment, component, part, day);
                left -= part;
            }
        }
    }
    lines.sort_by_key(|line| line.n);
    for line in &lines {
        plan.fee += line.fee;
        plan.profit += line.profit;
        plan.principal += line.principal;
    }
    plan.lines = lines;
    Ok(plan)
}

fn add_part(
    lines: &mut Vec<Line>,
    installment: &InstallmentAccount,
    component: Component,
    part: i64,
    day: i64,
) {
    if let Some(line) = line_of(lines, installment.n) {
        match component {
            Component::Fee => line.fee += part,
            Component::Profit => line.profit += part,
            Component::Principal => line.principal += part,
            Component::Penalty => {}
        }
        if installment.is_late(day) {
            line.late_rial_days += part.saturating_mul(day - installment.due_day);
        }
    }
}

/// The line of installment `n`, added if the plan has none yet.
fn line_of(lines: &mut Vec<Line>, n: u16) -> Option<&mut Line> {
    let index = match lines.iter().position(|line| line.n == n) {
        Some(index) => index,
        None => {
            lines.push(Line {
                n,
                ..Line::default()
            });
            lines.len() - 1
        }
    };
    lines.get_mut(index)
}

/// Applies (or, with `sign` −1, undoes) a repayment's lines to the installments. A
/// waived part lowers what the installment asks for.
pub fn apply_lines(installments: &mut [InstallmentAccount], lines: &[Line], sign: i64) {
    for line in lines {
        if let Some(i) = installments.iter_mut().find(|i| i.n == line.n) {
            i.paid_principal += sign * line.principal;
            i.paid_profit += sign * line.profit;
            i.paid_fee += sign * line.fee;
            i.profit -= sign * line.waived_profit;
            i.fee -= sign * line.waived_fee;
        }
    }
}

/// How an early settlement closes every installment.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SettlementPlan {
    /// The late charge and the unpaid parts of the installments fallen due.
    pub due: Dues,
    /// The principal of the installments not yet due, still unpaid.
    pub principal_not_due: i64,
    /// Profit (qard al-hasan: fee) charged on the installments not yet due: what was
    /// earned, less what the borrower already paid ahead on them.
    pub earned: i64,
    /// Profit and fee already paid ahead on the installments not yet due; it counts
    /// towards what was earned.
    pub prepaid: i64,
    /// Profit and fee of the installments not yet due that is not charged.
    pub waived: i64,
    /// Every installment left with something unpaid, paid or waived to nothing.
    pub lines: Vec<Line>,
}

impl SettlementPlan {
    /// What the borrower pays.
    pub fn total(&self) -> i64 {
        let due = i64::try_from(self.due.total()).unwrap_or(i64::MAX);
        due.saturating_add(self.principal_not_due)
            .saturating_add(self.earned)
    }

    /// The lines' sums by component (the late charge is in `due.penalty`).
    pub fn paid(&self) -> Dues {
        self.lines.iter().fold(
            Dues {
                penalty: self.due.penalty,
                ..Dues::default()
            },
            |sum, line| Dues {
                fee: sum.fee + line.fee,
                profit: sum.profit + line.profit,
                principal: sum.principal + line.principal,
                ..sum
            },
        )
    }
}

/// Closes a facility on `day`: the late charge, every unpaid part fallen due, all the
/// principal not yet due, and of the profit (or fee) of the installments not yet due only
/// `earned` (the profit accrued to the day plus any spread grace profit, as
/// `settlement::settlement` computes it), taken from the earliest installments first. What
/// the borrower already paid ahead on those installments counts towards `earned`; the
/// rest of their profit and fee is waived, so every installment ends with nothing unpaid
/// and no money is charged that was not earned. `earned` beyond what the installments
/// not yet due still ask for cannot be charged on them and is not.
pub fn plan_settlement(
    installments: &[InstallmentAccount],
    penalty_owed: i64,
    earned: i64,
    day: i64,
) -> SettlementPlan {
    let (due, future): (Vec<&InstallmentAccount>, Vec<&InstallmentAccount>) =
        installments.iter().partition(|i| i.due_day <= day);
    let mut plan = SettlementPlan {
        due: Dues {
            penalty: penalty_owed.max(0),
            ..Dues::default()
        },
        ..SettlementPlan::default()
    };
    let mut lines: Vec<Line> = Vec::new();
    for installment in &due {
        for component in [Component::Fee, Component::Profit, Component::Principal] {
            let part = installment.unpaid(component);
            if part > 0 {
                add_part(&mut lines, installment, component, part, day);
            }
        }
    }
    plan.due = lines.iter().fold(plan.due, |sum, line| Dues {
        fee: sum.fee + line.fee,
        profit: sum.profit + line.profit,
        principal: sum.principal + line.principal,
        ..sum
    });
    plan.prepaid = future.iter().map(|i| i.paid_profit + i.paid_fee).sum();
    let mut left = (earned - plan.prepaid).max(0);
    for installment in &future {
        let principal = installment.unpaid(Component::Principal);
        if principal > 0 {
            add_part(
                &mut lines,
                installment,
                Component::Principal,
                principal,
                day,
            );
            plan.principal_not_due += principal;
        }
        for component in [Component::Profit, Component::Fee] {
            let unpaid = installment.unpaid(component);
            let part = left.min(unpaid).max(0);
            if part > 0 {
                add_part(&mut lines, installment, component, part, day);
                left -= part;
                plan.earned += part;
            }
            let waived = unpaid - part;
            if waived > 0 {
                waive(&mut lines, installment.n, component, waived);
                plan.waived += waived;
            }
        }
    }
    lines.sort_by_key(|line| line.n);
    plan.lines = lines;
    plan
}

/// What a rescheduling on `day` does to the installments it replaces: the unpaid profit
/// and fee fallen due are capitalised (paid by the new schedule's principal), and the
/// lateness of every unpaid part already late is frozen, since those installments leave
/// the current schedule and the late charge to date must not change. Unpaid principal is
/// carried by the new schedule, so no line pays it.
pub fn plan_capitalisation(installments: &[InstallmentAccount], day: i64) -> Vec<Line> {
    let mut lines: Vec<Line> = Vec::new();
    for installment in installments.iter().filter(|i| i.due_day <= day) {
        for component in [Component::Fee, Component::Profit] {
            let part = installment.unpaid(component);
            if part > 0 {
                add_part(&mut lines, installment, component, part, day);
            }
        }
        let principal = installment.unpaid(Component::Principal);
        if principal > 0
            && installment.is_late(day)
            && let Some(line) = line_of(&mut lines, installment.n)
        {
            line.late_rial_days += principal.saturating_mul(day - installment.due_day);
        }
    }
    lines.sort_by_key(|line| line.n);
    lines
}

fn waive(lines: &mut Vec<Line>, n: u16, component: Component, part: i64) {
    if let Some(line) = line_of(lines, n) {
        match component {
            Component::Fee => line.waived_fee += part,
            _ => line.waived_profit += part,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::loans::repayment::DEFAULT_ORDER;

    fn installment(n: u16, due_day: i64, principal: i64, profit: i64) -> InstallmentAccount {
        InstallmentAccount {
            n,
            due_day,
            late_after_day: due_day,
            principal,
            profit,
            fee: 0,
            paid_principal: 0,
            paid_profit: 0,
            paid_fee: 0,
        }
    }

    #[test]
    fn the_accumulated_formula_equals_the_charge_per_installment() {
        // Two late installments of 1 000 000 and 500 000 at 18 %: 24 % a year on each
        // for its own days late.
        let installments = [
            installment(1, 100, 900_000, 100_000),
            installment(2, 130, 450_000, 50_000),
        ];
        let day = 160;
        let totals = aggregates(&installments, 1_350_000, day);
        let expected = (1_000_000_i128 * 2400 * 60 + 500_000 * 2400 * 30 + 1_800_000) / 3_600_000;
        assert_eq!(
            i128::from(late_charge_to_date(
                1800,
                0,
                totals.late_unpaid,
                totals.late_weight,
                day
            )),
            expected
        );
    }

    #[test]
    fn a_due_date_on_a_holiday_is_not_late_until_the_next_working_day_passes() {
        let mut friday = installment(1, 100, 1000, 0);
        friday.late_after_day = 101;
        assert_eq!(aggregates(&[friday.clone()], 1000, 101).late_unpaid, 0);
        assert_eq!(aggregates(&[friday.clone()], 1000, 101).due_unpaid, 1000);
        // Once late, days count from the due date itself.
        let totals = aggregates(&[friday], 1000, 102);
        assert_eq!(totals.late_unpaid * 102 - totals.late_weight, 2000);
    }

    #[test]
    fn a_repayment_pays_the_charge_then_due_components_oldest_first() {
        let installments = [
            installment(1, 100, 900, 100),
            installment(2, 130, 900, 90),
            installment(3, 160, 900, 80),
        ];
        let plan = plan_repayment(1150, &DEFAULT_ORDER, &installments, 50, 140).unwrap();
        assert_eq!(plan.penalty, 50);
        // Profit of both due installments first (190), then principal oldest first.
        assert_eq!(plan.profit, 190);
        assert_eq!(plan.principal, 910);
        assert_eq!(
            plan.lines.iter().map(Line::amount).sum::<i64>() + plan.penalty,
            1150
        );
        let first = plan.lines.iter().find(|l| l.n == 1).unwrap();
        assert_eq!((first.principal, first.profit), (900, 100));
        assert_eq!(first.late_rial_days, 1000 * 40);
    }

    #[test]
    fn a_payment_beyond_the_dues_pays_future_installments_in_order() {
        let installments = [installment(1, 100, 900, 100), installment(2, 130, 900, 90)];
        let plan = plan_repayment(1500, &DEFAULT_ORDER, &installments, 0, 100).unwrap();
        let second = plan.lines.iter().find(|l| l.n == 2).unwrap();
        assert_eq!((second.profit, second.principal), (90, 410));
        assert_eq!(second.late_rial_days, 0);
        assert_eq!(
            plan_repayment(3000, &DEFAULT_ORDER, &installments, 0, 100),
            Err(RepaymentError::MoreThanOwed { owed: 1990 })
        );
        assert_eq!(
            plan_repayment(0, &DEFAULT_ORDER, &installments, 0, 100),
            Err(RepaymentError::NotPositive)
        );
    }

    #[test]
    fn undoing_lines_restores_the_installments() {
        let mut installments = vec![installment(1, 100, 900, 100), installment(2, 130, 900, 90)];
        let before = installments.clone();
        let plan = plan_repayment(1200, &DEFAULT_ORDER, &installments, 0, 131).unwrap();
        apply_lines(&mut installments, &plan.lines, 1);
        assert_eq!(aggregates(&installments, 1800, 131).due_unpaid, 1990 - 1200);
        apply_lines(&mut installments, &plan.lines, -1);
        assert_eq!(installments, before);
    }

    #[test]
    fn a_settlement_pays_the_arrears_and_the_principal_and_only_the_earned_profit() {
        // Establishes what an early settlement charges and that it leaves nothing unpaid.
        let mut installments = vec![
            installment(1, 100, 900, 100),
            installment(2, 130, 900, 90),
            installment(3, 160, 900, 80),
            installment(4, 190, 900, 70),
        ];
        installments[0].paid_profit = 100;
        let plan = plan_settlement(&installments, 50, 60, 140);
        assert_eq!(
            plan.due,
            Dues {
                penalty: 50,
                fee: 0,
                profit: 90,
                principal: 1800
            }
        );
        assert_eq!(plan.principal_not_due, 1800);
        // Earned profit on the earliest installment not yet due; the rest is waived.
        assert_eq!((plan.earned, plan.prepaid, plan.waived), (60, 0, 20 + 70));
        let third = plan.lines.iter().find(|l| l.n == 3).unwrap();
        assert_eq!((third.profit, third.waived_profit), (60, 20));
        assert_eq!(third.late_rial_days, 0);
        let first = plan.lines.iter().find(|l| l.n == 1).unwrap();
        assert_eq!(
            first.late_rial_days,
            900 * 40,
            "a late part freezes its days"
        );
        assert_eq!(plan.total(), 50 + 90 + 1800 + 1800 + 60);
        let paid = plan.paid();
        assert_eq!(
            paid.penalty + paid.fee + paid.profit + paid.principal,
            plan.total(),
            "the lines and the late charge are exactly what is paid"
        );
        apply_lines(&mut installments, &plan.lines, 1);
        assert!(installments.iter().all(|i| i.unpaid_total() == 0));
        assert_eq!(
            aggregates(&installments, 3600, 140).outstanding_principal,
            0
        );
    }

    #[test]
    fn profit_paid_ahead_counts_towards_the_earned_profit_of_a_settlement() {
        // Establishes that a borrower who prepaid profit is not charged it twice.
        let mut installments = vec![installment(1, 100, 900, 100), installment(2, 130, 900, 90)];
        installments[0].paid_profit = 40;
        let plan = plan_settlement(&installments, 0, 60, 90);
        assert_eq!((plan.earned, plan.prepaid, plan.waived), (20, 40, 40 + 90));
        let more = plan_settlement(&installments, 0, 10, 90);
        assert_eq!((more.earned, more.waived), (0, 60 + 90));
        assert_eq!(more.total(), 1800);
    }

    #[test]
    fn a_rescheduling_capitalises_the_due_profit_and_freezes_all_lateness() {
        // Establishes that the late charge to date is unchanged by a rescheduling while
        // only the due profit is settled by it.
        let mut installments = vec![
            installment(1, 100, 900, 100),
            installment(2, 130, 900, 90),
            installment(3, 160, 900, 80),
        ];
        installments[0].paid_profit = 40;
        let day = 140;
        let before = aggregates(&installments, 2700, day);
        let lines = plan_capitalisation(&installments, day);
        assert_eq!(
            lines
                .iter()
                .map(|l| (l.n, l.principal, l.profit))
                .collect::<Vec<_>>(),
            vec![(1, 0, 60), (2, 0, 90)]
        );
        let frozen: i64 = lines.iter().map(|l| l.late_rial_days).sum();
        assert_eq!(frozen, before.late_unpaid * day - before.late_weight);
    }
}
