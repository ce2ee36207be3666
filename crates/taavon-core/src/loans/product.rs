//! Loan products by Islamic contract type: what a facility's contract is, which rate its
//! schedule carries, the order repayments are applied in, and the day base.
//!
//! Qard al-hasan (قرض‌الحسنه) is an interest-free loan: it may carry a service fee
//! (کارمزد) but never profit, so its schedule is built on the fee rate and its "profit"
//! column is that fee. Every other contract type earns profit at the program's rate.
//!
//! A product also bounds what a rescheduling may agree to (`RescheduleLimits`): no
//! longer a schedule and no lower a rate than the program's pricing allows, so a
//! rescheduling cannot quietly forgive profit or stretch a loan without end.

use super::pricing::PricingRules;
use super::repayment::{Component, DEFAULT_ORDER};
use super::schedule::{DayBase, RateBp};
use crate::coded::coded_enum;

/// The Islamic contract a facility is made under.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ContractType {
    QardAlHasan,
    CivilPartnership,
    InstallmentSale,
    Joaleh,
    Murabaha,
    HirePurchase,
}

coded_enum!(ContractType {
    QardAlHasan = "qard_al_hasan",
    CivilPartnership = "civil_partnership",
    InstallmentSale = "installment_sale",
    Joaleh = "joaleh",
    Murabaha = "murabaha",
    HirePurchase = "hire_purchase",
});

/// A kind of facility a program lends under.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoanProduct {
    pub contract_type: ContractType,
    /// The yearly service fee of a qard al-hasan; zero for every other type.
    pub fee_rate: RateBp,
    /// Each component exactly once, the first paid first.
    pub repayment_order: Vec<Component>,
    pub day_base: DayBase,
}

/// What a rescheduling under a product may agree to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RescheduleLimits {
    /// The longest new schedule, grace included, in months.
    pub months_max: u16,
    /// The lowest yearly rate (for qard al-hasan, fee rate).
    pub rate_min: RateBp,
}

impl RescheduleLimits {
    /// The limits `pricing` sets for a loan contracted at `contracted_rate`: its stated
    /// `reschedule_months_max` and `reschedule_rate_bp_min`, or else the product's own
    /// term plus grace and the contracted rate.
    pub fn of(pricing: &PricingRules, contracted_rate: RateBp) -> RescheduleLimits {
        let months = pricing
            .reschedule_months_max
            .unwrap_or_else(|| pricing.term_months.saturating_add(pricing.grace_months));
        RescheduleLimits {
            months_max: u16::try_from(months).unwrap_or(u16::MAX),
            rate_min: pricing
                .reschedule_rate_bp_min
                .and_then(|bp| RateBp::new(bp).ok())
                .unwrap_or(contracted_rate),
        }
    }
}

/// Why a product, or a rate offered under it, was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProductError {
    #[error("the repayment order names each of penalty, fee, profit and principal once")]
    RepaymentOrder,
    #[error("only a qard al-hasan carries a fee rate")]
    FeeOutsideQardAlHasan,
    #[error("a qard al-hasan charges a fee, not profit")]
    ProfitOnQardAlHasan,
}

impl ContractType {
    pub fn name_fa(self) -> &'static str {
        match self {
            ContractType::QardAlHasan => "قرض‌الحسنه",
            ContractType::CivilPartnership => "مشارکت مدنی",
            ContractType::InstallmentSale => "فروش اقساطی",
            ContractType::Joaleh => "جعاله",
            ContractType::Murabaha => "مرابحه",
            ContractType::HirePurchase => "اجاره به شرط تملیک",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            ContractType::QardAlHasan => "Qard al-hasan",
            ContractType::CivilPartnership => "Civil partnership",
            ContractType::InstallmentSale => "Installment sale",
            ContractType::Joaleh => "Jo'aleh",
            ContractType::Murabaha => "Murabaha",
            ContractType::HirePurchase => "Hire purchase",
        }
    }

    /// Whether the contract earns profit (every type but qard al-hasan).
    pub fn earns_profit(self) -> bool {
        self != ContractType::QardAlHasan
    }
}

impl LoanProduct {
    /// A product of this type with the default repayment order, the 365 base and no fee.
    pub fn new(contract_type: ContractType) -> LoanProduct {
        LoanProduct {
            contract_type,
            fee_rate: RateBp::ZERO,
            repayment_order: DEFAULT_ORDER.to_vec(),
            day_base: DayBase::default(),
        }
    }

    pub fn validate(&self) -> Result<(), ProductError> {
        let order = &self.repayment_order;
        let each_once = order.len() == DEFAULT_ORDER.len()
            && DEFAULT_ORDER
                .iter()
                .all(|component| order.contains(component));
        if !each_once {
            return Err(ProductError::RepaymentOrder);
        }
        if self.contract_type.earns_profit() && !self.fee_rate.is_zero() {
            return Err(ProductError::FeeOutsideQardAlHasan);
        }
        Ok(())
    }

    /// The rate a schedule under this product carries when the program prices it at
    /// `profit_rate`: the profit rate, or for a qard al-hasan its fee rate, which refuses
    /// any profit.
    pub fn schedule_rate(&self, profit_rate: RateBp) -> Result<RateBp, ProductError> {
        if self.contract_type.earns_profit() {
            Ok(profit_rate)
        } else if profit_rate.is_zero() {
            Ok(self.fee_rate)
        } else {
            Err(ProductError::ProfitOnQardAlHasan)
        }
    }
}

impl ProductError {
    pub fn field(&self) -> &'static str {
        match self {
            ProductError::RepaymentOrder => "repayment_order",
            ProductError::FeeOutsideQardAlHasan => "fee_rate",
            ProductError::ProfitOnQardAlHasan => "profit_rate",
        }
    }

    pub fn rule(&self) -> &'static str {
        match self {
            ProductError::RepaymentOrder => "each_component_once",
            ProductError::FeeOutsideQardAlHasan => "qard_al_hasan_only",
            ProductError::ProfitOnQardAlHasan => "no_profit_on_qard_al_hasan",
        }
    }

    pub fn message_en(&self) -> String {
        self.to_string()
    }

    pub fn message_fa(&self) -> String {
        match self {
            ProductError::RepaymentOrder => {
                "ترتیب تسویه باید جریمه، کارمزد، سود و اصل را هر کدام یک بار نام ببرد."
            }
            ProductError::FeeOutsideQardAlHasan => "فقط قرض‌الحسنه نرخ کارمزد دارد.",
            ProductError::ProfitOnQardAlHasan => "قرض‌الحسنه کارمزد دارد، نه سود.",
        }
        .into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_contract_type_reads_back_from_its_code_with_both_names() {
        // Establishes the codes the program rules store and the names the UI shows.
        assert_eq!(ContractType::ALL.len(), 6);
        for &contract in ContractType::ALL {
            assert_eq!(ContractType::parse(contract.code()), Some(contract));
            assert!(!contract.name_fa().is_empty() && !contract.name_en().is_empty());
        }
        assert_eq!(ContractType::parse("loan"), None);
    }

    #[test]
    fn a_qard_al_hasan_schedule_carries_its_fee_and_refuses_profit() {
        // Establishes the fee-not-profit rule.
        let fee = RateBp::parse("4").unwrap();
        let qard = LoanProduct {
            fee_rate: fee,
            ..LoanProduct::new(ContractType::QardAlHasan)
        };
        assert_eq!(qard.validate(), Ok(()));
        assert_eq!(qard.schedule_rate(RateBp::ZERO), Ok(fee));
        let error = qard
            .schedule_rate(RateBp::parse("18").unwrap())
            .unwrap_err();
        assert_eq!(
            (error.field(), error.rule()),
            ("profit_rate", "no_profit_on_qard_al_hasan")
        );
        let murabaha = LoanProduct::new(ContractType::Murabaha);
        let rate = RateBp::parse("18").unwrap();
        assert_eq!(murabaha.schedule_rate(rate), Ok(rate));
        let with_fee = LoanProduct {
            fee_rate: fee,
            ..murabaha
        };
        assert_eq!(
            with_fee.validate(),
            Err(ProductError::FeeOutsideQardAlHasan)
        );
    }

    #[test]
    fn rescheduling_limits_come_from_the_pricing_or_default_to_the_products_term_and_the_contracted_rate()
     {
        // Establishes where a rescheduling's maximum term and minimum rate come from.
        let mut pricing = PricingRules {
            profit_rate_bp_by_tier: [400, 800, 1200, 1800],
            term_months: 60,
            grace_months: 6,
            contract_type: "civil_partnership".into(),
            reschedule_months_max: None,
            reschedule_rate_bp_min: None,
        };
        let contracted = RateBp::parse("18").unwrap();
        assert_eq!(
            RescheduleLimits::of(&pricing, contracted),
            RescheduleLimits {
                months_max: 66,
                rate_min: contracted
            }
        );
        pricing.reschedule_months_max = Some(84);
        pricing.reschedule_rate_bp_min = Some(1200);
        assert_eq!(
            RescheduleLimits::of(&pricing, contracted),
            RescheduleLimits {
                months_max: 84,
                rate_min: RateBp::parse("12").unwrap()
            }
        );
    }

    #[test]
    fn a_repayment_order_must_name_each_component_once() {
        // Establishes validation of the order, which is data per product.
        let mut product = LoanProduct::new(ContractType::CivilPartnership);
        product.repayment_order = vec![
            Component::Principal,
            Component::Profit,
            Component::Fee,
            Component::Penalty,
        ];
        assert_eq!(product.validate(), Ok(()));
        product.repayment_order = vec![
            Component::Principal,
            Component::Principal,
            Component::Fee,
            Component::Penalty,
        ];
        assert_eq!(product.validate(), Err(ProductError::RepaymentOrder));
        product.repayment_order.truncate(3);
        assert_eq!(product.validate(), Err(ProductError::RepaymentOrder));
    }
}
