//! How a repayment is split over what is due: each component in the product's order
//! takes what it can, and what no component takes is an overpayment (`unapplied`), kept
//! for the caller to refund or hold. The order is data (`LoanProduct::repayment_order`);
//! Iranian practice and the default is penalty → fee → profit → principal.

use crate::coded::coded_enum;

/// A part of what a borrower owes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Component {
    /// The late-payment charge (جریمه تأخیر).
    Penalty,
    /// The qard al-hasan service fee (کارمزد).
    Fee,
    Profit,
    Principal,
}

coded_enum!(Component {
    Penalty = "penalty",
    Fee = "fee",
    Profit = "profit",
    Principal = "principal",
});

/// The order a repayment is applied in unless the product says otherwise.
pub const DEFAULT_ORDER: [Component; 4] = [
    Component::Penalty,
    Component::Fee,
    Component::Profit,
    Component::Principal,
];

/// What is due, by component, in rials. A negative amount counts as nothing due.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Dues {
    pub penalty: i64,
    pub fee: i64,
    pub profit: i64,
    pub principal: i64,
}

/// How one repayment was applied. The five parts sum to the amount exactly.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Allocation {
    pub penalty: i64,
    pub fee: i64,
    pub profit: i64,
    pub principal: i64,
    /// The overpayment: what is left after every component in the order is paid.
    pub unapplied: i64,
}

impl Component {
    pub fn name_fa(self) -> &'static str {
        match self {
            Component::Penalty => "جریمه تأخیر",
            Component::Fee => "کارمزد",
            Component::Profit => "سود",
            Component::Principal => "اصل",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Component::Penalty => "Late charge",
            Component::Fee => "Fee",
            Component::Profit => "Profit",
            Component::Principal => "Principal",
        }
    }
}

impl Dues {
    pub fn get(&self, component: Component) -> i64 {
        match component {
            Component::Penalty => self.penalty,
            Component::Fee => self.fee,
            Component::Profit => self.profit,
            Component::Principal => self.principal,
        }
    }

    /// Everything due; i128 so that no sum of dues can overflow.
    pub fn total(&self) -> i128 {
        DEFAULT_ORDER
            .iter()
            .map(|&c| i128::from(self.get(c).max(0)))
            .sum()
    }
}

impl Allocation {
    /// What was applied, by component (for looking a component up by its code).
    pub fn applied(&self) -> Dues {
        Dues {
            penalty: self.penalty,
            fee: self.fee,
            profit: self.profit,
            principal: self.principal,
        }
    }

    fn slot(&mut self, component: Component) -> &mut i64 {
        match component {
            Component::Penalty => &mut self.penalty,
            Component::Fee => &mut self.fee,
            Component::Profit => &mut self.profit,
            Component::Principal => &mut self.principal,
        }
    }
}

/// Applies `amount` to `dues` in `order`. A component that appears twice is paid once; one
/// missing from the order is not paid. A non-positive amount applies nothing (it is all
/// `unapplied`), so the parts still sum to it.
pub fn allocate(amount: i64, order: &[Component], dues: &Dues) -> Allocation {
    let mut allocation = Allocation::default();
    let mut left = amount.max(0);
    for &component in order {
        let slot = allocation.slot(component);
        let take = (dues.get(component).max(0) - *slot).clamp(0, left);
        *slot += take;
        left -= take;
    }
    allocation.unapplied = amount - (amount.max(0) - left);
    allocation
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const DUES: Dues = Dues {
        penalty: 50,
        fee: 0,
        profit: 300,
        principal: 1_000,
    };

    fn parts(a: &Allocation) -> [i64; 5] {
        [a.penalty, a.fee, a.profit, a.principal, a.unapplied]
    }

    #[test]
    fn a_partial_payment_clears_penalty_then_fee_then_profit_before_principal() {
        // Establishes the default order on a payment smaller than the dues.
        assert_eq!(
            parts(&allocate(400, &DEFAULT_ORDER, &DUES)),
            [50, 0, 300, 50, 0]
        );
        assert_eq!(
            parts(&allocate(30, &DEFAULT_ORDER, &DUES)),
            [30, 0, 0, 0, 0]
        );
    }

    #[test]
    fn an_overpayment_is_left_unapplied() {
        // Establishes the overpayment after every component is paid in full.
        assert_eq!(
            parts(&allocate(2_000, &DEFAULT_ORDER, &DUES)),
            [50, 0, 300, 1_000, 650]
        );
    }

    #[test]
    fn the_order_is_data_repeats_pay_once_and_missing_components_are_not_paid() {
        // Establishes a product's own order, a repeated and a missing component.
        let principal_first = [
            Component::Principal,
            Component::Profit,
            Component::Principal,
        ];
        assert_eq!(
            parts(&allocate(1_100, &principal_first, &DUES)),
            [0, 0, 100, 1_000, 0]
        );
        assert_eq!(
            parts(&allocate(1_400, &principal_first, &DUES)),
            [0, 0, 300, 1_000, 100]
        );
    }

    #[test]
    fn nothing_is_applied_from_a_non_positive_amount_or_to_a_negative_due() {
        // Establishes the edges: zero and negative amounts, negative dues.
        assert_eq!(parts(&allocate(0, &DEFAULT_ORDER, &DUES)), [0; 5]);
        assert_eq!(
            parts(&allocate(-7, &DEFAULT_ORDER, &DUES)),
            [0, 0, 0, 0, -7]
        );
        let odd = Dues {
            penalty: -10,
            ..DUES
        };
        assert_eq!(parts(&allocate(20, &DEFAULT_ORDER, &odd)), [0, 0, 20, 0, 0]);
        assert_eq!(odd.total(), 1_300);
    }

    fn any_component() -> impl Strategy<Value = Component> {
        prop::sample::select(Component::ALL.to_vec())
    }

    proptest! {
        #[test]
        fn the_parts_of_any_allocation_sum_to_the_amount(
            amount in any::<i64>(),
            order in prop::collection::vec(any_component(), 0..8),
            dues in (any::<i64>(), any::<i64>(), any::<i64>(), any::<i64>()),
        ) {
            // Establishes that money is neither lost nor invented, and no part exceeds
            // its due or goes negative.
            let dues = Dues { penalty: dues.0, fee: dues.1, profit: dues.2, principal: dues.3 };
            let allocation = allocate(amount, &order, &dues);
            let sum: i128 = parts(&allocation).iter().map(|&p| i128::from(p)).sum();
            prop_assert_eq!(sum, i128::from(amount));
            for component in Component::ALL.iter().copied() {
                let part = allocation.applied().get(component);
                prop_assert!(part >= 0 && part <= dues.get(component).max(0));
            }
        }
    }
}
