//! Share capital: the register's entries, the member balances they add up to, the
//! formation checks, and the yearly surplus shared out by share-days.

use std::collections::BTreeMap;

use super::FormationRules;

/// One entry of the share-capital register. Amounts are rials.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ShareEntry {
    /// A member commits to buy shares.
    Subscription { member: i64, amount: i64 },
    /// A member pays (part of) what they subscribed.
    Payment { member: i64, amount: i64 },
    /// Paid-in shares pass from one member to another.
    Transfer { from: i64, to: i64, amount: i64 },
    /// A leaving member takes paid-in capital back.
    Withdrawal { member: i64, amount: i64 },
}

impl ShareEntry {
    /// The entry as stored: its kind, the member, the receiving member of a transfer
    /// and the amount; `None` for a transfer without its receiver.
    pub fn of(
        kind: super::ShareEntryKind,
        member: i64,
        counterpart: Option<i64>,
        amount: i64,
    ) -> Option<ShareEntry> {
        use super::ShareEntryKind as K;
        Some(match kind {
            K::Subscription => ShareEntry::Subscription { member, amount },
            K::Payment => ShareEntry::Payment { member, amount },
            K::Withdrawal => ShareEntry::Withdrawal { member, amount },
            K::Transfer => ShareEntry::Transfer {
                from: member,
                to: counterpart?,
                amount,
            },
        })
    }

    pub fn kind(&self) -> super::ShareEntryKind {
        use super::ShareEntryKind as K;
        match self {
            ShareEntry::Subscription { .. } => K::Subscription,
            ShareEntry::Payment { .. } => K::Payment,
            ShareEntry::Transfer { .. } => K::Transfer,
            ShareEntry::Withdrawal { .. } => K::Withdrawal,
        }
    }
}

/// The largest amount one entry of the register may carry: the largest amount of any
/// request (`money::AMOUNT_MAX_RIAL`), far above any cooperative's capital, and small
/// enough that no sum over a register can overflow.
pub const SHARE_ENTRY_MAX_RIAL: i64 = crate::money::AMOUNT_MAX_RIAL;

/// The largest subscribed capital a register may reach: 10^17 rials. With it every
/// member's position and every total stays far inside `i64`, and share-days (capital ×
/// days) inside `u128`.
pub const REGISTER_CAPITAL_MAX_RIAL: i64 = 100_000_000_000_000_000;

/// One member's position in the register.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MemberCapital {
    pub subscribed: i64,
    pub paid: i64,
}

/// Why an entry cannot be applied to the register.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShareError {
    #[error("an amount must be positive")]
    NotPositive,
    #[error("member {member} would pay more than they subscribed")]
    PaidAboveSubscribed { member: i64 },
    #[error("member {member} has only {available} rials paid in")]
    InsufficientPaid { member: i64, available: i64 },
    #[error("a member cannot transfer shares to themselves")]
    SameMember,
    #[error("member {member} would hold more than the cap of {cap_permille}‰ of the capital")]
    AboveCap { member: i64, cap_permille: i64 },
    #[error("an entry may carry at most {SHARE_ENTRY_MAX_RIAL} rials")]
    EntryAboveMax,
    #[error("a register's subscribed capital may reach at most {REGISTER_CAPITAL_MAX_RIAL} rials")]
    CapitalAboveMax,
    #[error("the amounts are too large")]
    Overflow,
}

impl ShareError {
    pub fn rule(&self) -> &'static str {
        match self {
            ShareError::NotPositive => "amount_positive",
            ShareError::PaidAboveSubscribed { .. } => "paid_above_subscribed",
            ShareError::InsufficientPaid { .. } => "insufficient_paid",
            ShareError::SameMember => "same_member",
            ShareError::AboveCap { .. } => "member_cap",
            ShareError::EntryAboveMax => "amount_maximum",
            ShareError::CapitalAboveMax => "capital_max",
            ShareError::Overflow => "overflow",
        }
    }

    /// The rule broken, in Persian, for the person who typed the entry.
    pub fn message_fa(&self) -> String {
        use crate::digits::to_persian_digits;
        match self {
            ShareError::NotPositive => "مبلغ باید مثبت باشد.".into(),
            ShareError::PaidAboveSubscribed { .. } => {
                "پرداخت عضو از سرمایه تعهدشده‌اش بیشتر می‌شود.".into()
            }
            ShareError::InsufficientPaid { .. } => "سرمایه پرداخت‌شده عضو کافی نیست.".into(),
            ShareError::SameMember => "انتقال سهام به خود عضو ممکن نیست.".into(),
            ShareError::AboveCap { .. } => "سهم عضو از سقف مجاز سرمایه بیشتر می‌شود.".into(),
            ShareError::EntryAboveMax => format!(
                "مبلغ هر ثبت حداکثر {} ریال است.",
                to_persian_digits(&SHARE_ENTRY_MAX_RIAL.to_string())
            ),
            ShareError::CapitalAboveMax => format!(
                "سرمایه تعهدشده تعاونی حداکثر {} ریال است.",
                to_persian_digits(&REGISTER_CAPITAL_MAX_RIAL.to_string())
            ),
            ShareError::Overflow => "مبلغ‌ها بیش از اندازه بزرگ‌اند.".into(),
        }
    }
}

/// The register folded into balances per member.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Register {
    pub members: BTreeMap<i64, MemberCapital>,
}

impl Register {
    /// Folds entries in order; fails at the first entry that breaks a rule.
    pub fn from_entries<'a>(
        entries: impl IntoIterator<Item = &'a ShareEntry>,
        rules: &FormationRules,
    ) -> Result<Self, ShareError> {
        let mut register = Self::default();
        for entry in entries {
            register.apply(entry, rules)?;
        }
        Ok(register)
    }

    /// Applies one entry, checking every rule; on error nothing changes.
    pub fn apply(&mut self, entry: &ShareEntry, rules: &FormationRules) -> Result<(), ShareError> {
        let mut next = self.clone();
        let amount = match entry {
            ShareEntry::Subscription { amount, .. }
            | ShareEntry::Payment { amount, .. }
            | ShareEntry::Transfer { amount, .. }
            | ShareEntry::Withdrawal { amount, .. } => *amount,
        };
        if amount <= 0 {
            return Err(ShareError::NotPositive);
        }
        if amount > SHARE_ENTRY_MAX_RIAL {
            return Err(ShareError::EntryAboveMax);
        }
        match entry {
            ShareEntry::Subscription { member, amount } => {
                let capital = next.members.entry(*member).or_default();
                capital.subscribed = capital
                    .subscribed
                    .checked_add(*amount)
                    .ok_or(ShareError::Overflow)?;
            }
            ShareEntry::Payment { member, amount } => {
                let capital = next.members.entry(*member).or_default();
                let paid = capital
                    .paid
                    .checked_add(*amount)
                    .ok_or(ShareError::Overflow)?;
                if paid > capital.subscribed {
                    return Err(ShareError::PaidAboveSubscribed { member: *member });
                }
                capital.paid = paid;
            }
            ShareEntry::Transfer { from, to, amount } => {
                if from == to {
                    return Err(ShareError::SameMember);
                }
                next.take_paid(*from, *amount)?;
                let capital = next.members.entry(*to).or_default();
                capital.paid = capital
                    .paid
                    .checked_add(*amount)
                    .ok_or(ShareError::Overflow)?;
                capital.subscribed = capital
                    .subscribed
                    .checked_add(*amount)
                    .ok_or(ShareError::Overflow)?;
            }
            ShareEntry::Withdrawal { member, amount } => next.take_paid(*member, *amount)?,
        }
        next.check_cap(rules)?;
        *self = next;
        Ok(())
    }

    fn take_paid(&mut self, member: i64, amount: i64) -> Result<(), ShareError> {
        let capital = self.members.entry(member).or_default();
        if capital.paid < amount {
            return Err(ShareError::InsufficientPaid {
                member,
                available: capital.paid,
            });
        }
        capital.paid -= amount;
        capital.subscribed -= amount;
        Ok(())
    }

    fn check_cap(&self, rules: &FormationRules) -> Result<(), ShareError> {
        let total = total(self.members.values().map(|c| c.subscribed));
        if total > i128::from(REGISTER_CAPITAL_MAX_RIAL) {
            return Err(ShareError::CapitalAboveMax);
        }
        for (member, capital) in &self.members {
            // subscribed / total > cap / 1000, in integers.
            if i128::from(capital.subscribed) * 1000 > total * i128::from(rules.member_cap_permille)
            {
                return Err(ShareError::AboveCap {
                    member: *member,
                    cap_permille: rules.member_cap_permille,
                });
            }
        }
        Ok(())
    }

    /// Total subscribed capital (at most `REGISTER_CAPITAL_MAX_RIAL`, which `apply` keeps).
    pub fn subscribed(&self) -> i64 {
        total_rial(self.members.values().map(|c| c.subscribed))
    }

    /// Total paid-in capital; the cooperative's paid-in capital must always equal it.
    pub fn paid(&self) -> i64 {
        total_rial(self.members.values().map(|c| c.paid))
    }

    /// Whether at least the rules' fraction of the subscribed capital is paid in.
    pub fn enough_paid_to_register(&self, rules: &FormationRules) -> bool {
        let (paid, subscribed) = (i128::from(self.paid()), i128::from(self.subscribed()));
        subscribed > 0
            && paid * i128::from(rules.paid_denominator)
                >= subscribed * i128::from(rules.paid_numerator)
    }
}

/// A sum of rials in `i128`, which no number of `i64` values in memory can overflow.
fn total(values: impl Iterator<Item = i64>) -> i128 {
    values.map(i128::from).sum()
}

/// A sum of a register's rials; the register's maximum keeps it inside `i64`, and were
/// that ever broken the sum would stop at the bound instead of wrapping around.
fn total_rial(values: impl Iterator<Item = i64>) -> i64 {
    let sum = total(values);
    i64::try_from(sum).unwrap_or(if sum < 0 { i64::MIN } else { i64::MAX })
}

/// Shares `total` rials among members in proportion to their share-days (paid-in rials
/// × days held), in whole rials, largest remainder first, so the parts sum to `total`
/// exactly. Ties in the remainder go to the earlier member in the list.
pub fn distribute_surplus(total: i64, share_days: &[(i64, u128)]) -> Vec<(i64, i64)> {
    crate::money::apportion(total, share_days)
}

/// A change to one member's paid-in capital on a day (days since 1970-01-01).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PaidChange {
    pub day: i64,
    pub member: i64,
    pub delta: i64,
}

impl ShareEntry {
    /// How the entry moves paid-in capital (a subscription moves none).
    pub fn paid_changes(&self, day: i64) -> Vec<PaidChange> {
        match *self {
            ShareEntry::Subscription { .. } => Vec::new(),
            ShareEntry::Payment { member, amount } => vec![PaidChange {
                day,
                member,
                delta: amount,
            }],
            ShareEntry::Withdrawal { member, amount } => vec![PaidChange {
                day,
                member,
                delta: -amount,
            }],
            ShareEntry::Transfer { from, to, amount } => vec![
                PaidChange {
                    day,
                    member: from,
                    delta: -amount,
                },
                PaidChange {
                    day,
                    member: to,
                    delta: amount,
                },
            ],
        }
    }
}

/// Each member's share-days over the days `start..end`: paid-in rials held × days held.
/// A change counts from its own day on.
pub fn share_days(changes: &[PaidChange], start: i64, end: i64) -> Vec<(i64, u128)> {
    let mut members: BTreeMap<i64, (i64, i64, u128)> = BTreeMap::new(); // balance, since, total
    let mut sorted = changes.to_vec();
    sorted.sort_by_key(|c| c.day);
    for change in sorted {
        let day = change.day.clamp(start, end);
        let (balance, since, total) = members.entry(change.member).or_insert((0, start, 0));
        let held = u128::try_from((day - *since).max(0)).unwrap_or(0);
        *total += u128::try_from((*balance).max(0)).unwrap_or(0) * held;
        *balance += change.delta;
        *since = day;
    }
    members
        .into_iter()
        .map(|(member, (balance, since, total))| {
            let held = u128::try_from((end - since).max(0)).unwrap_or(0);
            (
                member,
                total + u128::try_from(balance.max(0)).unwrap_or(0) * held,
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn rules() -> FormationRules {
        FormationRules::default()
    }

    #[test]
    fn the_register_reconciles_subscriptions_payments_transfers_and_withdrawals() {
        // Establishes the balances each entry kind leaves behind.
        let entries = [
            ShareEntry::Subscription {
                member: 1,
                amount: 900,
            },
            ShareEntry::Subscription {
                member: 2,
                amount: 600,
            },
            ShareEntry::Payment {
                member: 1,
                amount: 300,
            },
            ShareEntry::Payment {
                member: 2,
                amount: 600,
            },
            ShareEntry::Transfer {
                from: 2,
                to: 3,
                amount: 200,
            },
            ShareEntry::Withdrawal {
                member: 2,
                amount: 100,
            },
        ];
        let register = Register::from_entries(&entries, &rules()).unwrap();
        assert_eq!(register.paid(), 800);
        assert_eq!(
            register.members[&2],
            MemberCapital {
                subscribed: 300,
                paid: 300
            }
        );
        assert_eq!(
            register.members[&3],
            MemberCapital {
                subscribed: 200,
                paid: 200
            }
        );
        assert!(register.enough_paid_to_register(&rules()));
    }

    #[test]
    fn bad_entries_are_refused_and_change_nothing() {
        // Establishes each rule of the register.
        let mut register = Register::default();
        register
            .apply(
                &ShareEntry::Subscription {
                    member: 1,
                    amount: 100,
                },
                &rules(),
            )
            .unwrap();
        let before = register.clone();
        for (entry, rule) in [
            (
                ShareEntry::Payment {
                    member: 1,
                    amount: 101,
                },
                "paid_above_subscribed",
            ),
            (
                ShareEntry::Withdrawal {
                    member: 1,
                    amount: 1,
                },
                "insufficient_paid",
            ),
            (
                ShareEntry::Payment {
                    member: 1,
                    amount: 0,
                },
                "amount_positive",
            ),
            (
                ShareEntry::Transfer {
                    from: 1,
                    to: 1,
                    amount: 1,
                },
                "same_member",
            ),
        ] {
            assert_eq!(register.apply(&entry, &rules()).unwrap_err().rule(), rule);
            assert_eq!(register, before);
        }
        let capped = FormationRules {
            member_cap_permille: 500,
            ..rules()
        };
        let mut two = Register::default();
        two.apply(
            &ShareEntry::Subscription {
                member: 1,
                amount: 100,
            },
            &FormationRules::default(),
        )
        .unwrap();
        two.apply(
            &ShareEntry::Subscription {
                member: 2,
                amount: 100,
            },
            &capped,
        )
        .unwrap();
        assert_eq!(
            two.apply(
                &ShareEntry::Subscription {
                    member: 1,
                    amount: 1
                },
                &capped
            )
            .unwrap_err()
            .rule(),
            "member_cap"
        );
    }

    #[test]
    fn an_entry_above_the_maximum_is_refused_and_the_totals_never_overflow() {
        // Establishes the register's bounds: no entry above `SHARE_ENTRY_MAX_RIAL` (so an
        // `i64::MAX` subscription cannot freeze the register by overflowing its sums), no
        // capital above `REGISTER_CAPITAL_MAX_RIAL`, and totals that stay exact up to it.
        let mut register = Register::default();
        for amount in [i64::MAX, SHARE_ENTRY_MAX_RIAL + 1] {
            let huge = ShareEntry::Subscription { member: 1, amount };
            assert_eq!(
                register.apply(&huge, &rules()).unwrap_err(),
                ShareError::EntryAboveMax
            );
        }
        assert_eq!(register, Register::default());
        let full = REGISTER_CAPITAL_MAX_RIAL / SHARE_ENTRY_MAX_RIAL;
        for member in 0..full {
            register
                .apply(
                    &ShareEntry::Subscription {
                        member,
                        amount: SHARE_ENTRY_MAX_RIAL,
                    },
                    &rules(),
                )
                .unwrap();
        }
        assert_eq!(register.subscribed(), REGISTER_CAPITAL_MAX_RIAL);
        let one_more = ShareEntry::Subscription {
            member: 0,
            amount: 1,
        };
        let error = register.apply(&one_more, &rules()).unwrap_err();
        assert_eq!(error.rule(), "capital_max");
        assert!(error.message_fa().contains("ریال"));
        assert_eq!(register.subscribed(), REGISTER_CAPITAL_MAX_RIAL);
        let one = ShareEntry::Payment {
            member: 0,
            amount: SHARE_ENTRY_MAX_RIAL,
        };
        register.apply(&one, &rules()).unwrap();
        assert_eq!(register.paid(), SHARE_ENTRY_MAX_RIAL);
    }

    #[test]
    fn the_largest_surplus_over_the_largest_register_is_shared_exactly() {
        // Establishes that the surplus cannot overflow: the largest total over a full
        // register held two centuries still sums to the total in whole rials.
        let days = 73_000u128;
        let capital = u128::try_from(REGISTER_CAPITAL_MAX_RIAL).unwrap();
        // total × weight is about 2^135, beyond `u128`.
        let weights = [(1, capital * days), (2, 2 * capital * days)];
        let parts = distribute_surplus(i64::MAX, &weights);
        assert_eq!(parts, [(1, i64::MAX / 3), (2, i64::MAX / 3 * 2 + 1)]);
    }

    #[test]
    fn the_surplus_goes_by_share_days_and_the_remainders_by_largest_remainder() {
        // Establishes whole-rial parts that sum exactly to the total.
        let parts = distribute_surplus(100, &[(1, 1), (2, 1), (3, 1)]);
        assert_eq!(parts, [(1, 34), (2, 33), (3, 33)]);
        let parts = distribute_surplus(1000, &[(1, 300 * 365), (2, 100 * 365), (3, 0)]);
        assert_eq!(parts, [(1, 750), (2, 250), (3, 0)]);
    }

    #[test]
    fn share_days_weigh_capital_by_the_days_it_was_held() {
        // Establishes the share-day measure the surplus is shared by.
        let changes = [
            PaidChange {
                day: 0,
                member: 1,
                delta: 100,
            },
            PaidChange {
                day: 10,
                member: 2,
                delta: 100,
            },
            PaidChange {
                day: 20,
                member: 1,
                delta: -100,
            },
        ];
        assert_eq!(share_days(&changes, 0, 30), [(1, 2000), (2, 2000)]);
        // Before the year, capital counts from the first day of the year.
        assert_eq!(
            share_days(
                &[PaidChange {
                    day: -5,
                    member: 1,
                    delta: 10
                }],
                0,
                3
            ),
            [(1, 30)]
        );
    }

    proptest! {
        #[test]
        fn surplus_parts_always_sum_to_the_total(
            total in 0i64..10_000_000_000_000,
            weights in proptest::collection::vec(0u128..1_000_000_000_000, 1..50)
        ) {
            // Establishes the exact-sum invariant of the distribution.
            let share_days: Vec<(i64, u128)> = weights.iter().enumerate().map(|(i, w)| (i as i64, *w)).collect();
            let parts = distribute_surplus(total, &share_days);
            let sum: i64 = parts.iter().map(|(_, p)| p).sum();
            if weights.iter().any(|w| *w > 0) {
                prop_assert_eq!(sum, total);
            } else {
                prop_assert_eq!(sum, 0);
            }
            prop_assert!(parts.iter().all(|(_, p)| *p >= 0));
        }
    }
}
