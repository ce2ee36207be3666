//! Decimal arithmetic at a fixed number of significant digits, computed the way CPython's
//! `decimal` module (libmpdec) computes it, in integers.
//!
//! Why: the shared oracle (`shared/oracle/schedules.json`) was produced with Python
//! `decimal` in its default context (28 significant digits, round half to even after every
//! operation). Where the monthly rate `R/1200` has no finite decimal expansion (26.5 % is
//! 0.0220833…), its 28-digit value is a hair below the true rate, and a row whose exact
//! profit is `…981.5` rials comes out as `…981.4999…` and rounds down. Exact rational
//! arithmetic would round that row up and disagree with the oracle (and with every bank
//! system that computes the same way), so the schedule reproduces the decimal computation
//! step by step instead: each operation here is correctly rounded to the given precision,
//! half to even, exactly as libmpdec's `mpd_qmul`, `mpd_qdiv`, `mpd_qadd` and `mpd_qsub`;
//! `powi` follows libmpdec's integer power (`_mpd_qpow_int`).
//!
//! Only non-negative values occur in a schedule, so the type has no sign. A coefficient
//! has at most 38 digits, so it fits `u128`; products and scaled dividends need up to 77
//! digits and are held in a 256-bit integer.

use std::cmp::Ordering;

/// The context precision of CPython's `decimal` module, which the oracle used.
pub(crate) const PYTHON_PRECISION: u32 = 28;

/// The most significant digits a coefficient can hold (10^38 < 2^127).
const MAX_PRECISION: u32 = 38;

/// A non-negative decimal `coefficient · 10^exponent`.
///
/// Invariant: `coefficient < 10^38`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Decimal {
    coefficient: u128,
    exponent: i32,
}

/// How a dropped part is rounded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Rounding {
    /// Every intermediate result of libmpdec's default context.
    HalfEven,
    /// `quantize(Decimal(1), ROUND_HALF_UP)`, the oracle's rounding to whole rials.
    HalfUp,
}

impl Decimal {
    pub(crate) const ONE: Decimal = Decimal {
        coefficient: 1,
        exponent: 0,
    };

    /// The integer `value`, exactly (as `Decimal(int)` is exact whatever the precision).
    /// Values of 10^38 and more are not needed by a schedule and saturate.
    pub(crate) fn from_integer(value: u128) -> Self {
        Decimal::new(value, 0)
    }

    /// `coefficient · 10^exponent`, exactly (saturating like `from_integer`).
    pub(crate) fn new(coefficient: u128, exponent: i32) -> Self {
        Decimal {
            coefficient: coefficient.min(pow10_u128(MAX_PRECISION) - 1),
            exponent,
        }
    }

    /// `self · other`, correctly rounded to `precision` digits.
    pub(crate) fn mul(self, other: Decimal, precision: u32) -> Decimal {
        let product = U256::from_product(self.coefficient, other.coefficient);
        round(
            product,
            self.exponent.saturating_add(other.exponent),
            false,
            precision,
        )
    }

    /// `self / other`, correctly rounded to `precision` digits; dividing by zero gives
    /// zero (a schedule never divides by zero: its divisors are positive by construction).
    pub(crate) fn div(self, other: Decimal, precision: u32) -> Decimal {
        if self.coefficient == 0 || other.coefficient == 0 {
            return Decimal::new(0, 0);
        }
        let precision = precision.min(MAX_PRECISION);
        // Scale the dividend so the integer quotient has at least `precision + 1` digits;
        // the remainder then only decides the sticky digit. The scaled dividend has at
        // most precision + 1 + 38 digits, which fits 256 bits.
        let shift = (i64::from(precision) + 1 + i64::from(digits_u128(other.coefficient))
            - i64::from(digits_u128(self.coefficient)))
        .max(0) as u32;
        let dividend = U256::from(self.coefficient).mul_pow10(shift);
        let (quotient, remainder) = dividend.div_rem_u128(other.coefficient);
        let exponent = self
            .exponent
            .saturating_sub(other.exponent)
            .saturating_sub(shift as i32);
        round(quotient, exponent, remainder != 0, precision)
    }

    /// `self + other`, correctly rounded to `precision` digits.
    pub(crate) fn add(self, other: Decimal, precision: u32) -> Decimal {
        let (a, b, exponent, sticky) = align(self, other, precision);
        round(a.wrapping_add(b), exponent, sticky, precision)
    }

    /// `self − other` for `self ≥ other`, correctly rounded to `precision` digits;
    /// zero when `other` is larger (values here have no sign).
    pub(crate) fn sub(self, other: Decimal, precision: u32) -> Decimal {
        if self.cmp_value(other) != Ordering::Greater {
            return Decimal::new(0, 0);
        }
        let (a, b, exponent, sticky) = align(self, other, precision);
        // A sticky `other` is a positive amount below the last aligned digit (and then
        // `b` is zero): `a − ε` is `a − 1` plus a positive fraction, sticky again.
        let difference = a.wrapping_sub(b);
        let difference = if sticky {
            difference.wrapping_sub(U256::from(1))
        } else {
            difference
        };
        round(difference, exponent, sticky, precision)
    }

    /// `self^n` as libmpdec computes it for an integer exponent (`_mpd_qpow_int`):
    /// left-to-right binary exponentiation, every product rounded half to even to
    /// `precision + digits(n) + 2` digits, then the result rounded to `precision`.
    pub(crate) fn powi(self, n: u32, precision: u32) -> Decimal {
        if n == 0 {
            return Decimal::ONE;
        }
        let working = precision + digits_u128(u128::from(n)) + 2;
        let mut result = self;
        let top = 31 - n.leading_zeros();
        for bit in (0..top).rev() {
            result = result.mul(result, working);
            if n & (1 << bit) != 0 {
                result = result.mul(self, working);
            }
        }
        round(
            U256::from(result.coefficient),
            result.exponent,
            false,
            precision,
        )
    }

    /// The nearest whole number, halves away from zero (`quantize(1, ROUND_HALF_UP)`).
    /// Saturates at `u128::MAX` for values a schedule never produces.
    pub(crate) fn to_integer_half_up(self) -> u128 {
        if self.exponent >= 0 {
            let scale = u32::try_from(self.exponent).unwrap_or(u32::MAX);
            return U256::from(self.coefficient)
                .checked_mul_pow10(scale)
                .and_then(U256::to_u128)
                .unwrap_or(u128::MAX);
        }
        let dropped = self.exponent.unsigned_abs();
        drop_digits(
            U256::from(self.coefficient),
            dropped,
            false,
            Rounding::HalfUp,
        )
        .to_u128()
        .unwrap_or(u128::MAX)
    }

    fn cmp_value(self, other: Decimal) -> Ordering {
        match (self.coefficient == 0, other.coefficient == 0) {
            (true, true) => return Ordering::Equal,
            (true, false) => return Ordering::Less,
            (false, true) => return Ordering::Greater,
            (false, false) => {}
        }
        // The position just above the leading digit decides, unless it is the same; then
        // both coefficients, aligned, have at most 38 digits.
        let top = |d: Decimal| i64::from(d.exponent) + i64::from(digits_u128(d.coefficient));
        top(self).cmp(&top(other)).then_with(|| {
            let exponent = self.exponent.min(other.exponent);
            let scaled =
                |d: Decimal| U256::from(d.coefficient).mul_pow10(d.exponent.abs_diff(exponent));
            scaled(self).cmp(&scaled(other))
        })
    }
}

/// Both coefficients at one exponent, and whether an operand was replaced by a sticky
/// flag. When the smaller operand lies wholly below the digit after the rounding position
/// of the larger one, it can only break a tie, so it becomes a sticky flag: that keeps the
/// numbers within 256 bits and gives the same correctly rounded result libmpdec gives.
fn align(a: Decimal, b: Decimal, precision: u32) -> (U256, U256, i32, bool) {
    let (high, low, high_is_a) = if a.exponent >= b.exponent {
        (a, b, true)
    } else {
        (b, a, false)
    };
    let gap = high.exponent.abs_diff(low.exponent);
    let high_digits = digits_u128(high.coefficient);
    let low_digits = digits_u128(low.coefficient);
    let (high_scaled, low_value, exponent, sticky) = if low.coefficient == 0 {
        (
            U256::from(high.coefficient),
            U256::ZERO,
            high.exponent,
            false,
        )
    } else if gap + high_digits < low_digits + precision + 2 {
        // Exact: the scaled high operand has at most 38 + precision + 1 digits.
        (
            U256::from(high.coefficient).mul_pow10(gap),
            U256::from(low.coefficient),
            low.exponent,
            false,
        )
    } else {
        let shift = (precision + 2).saturating_sub(high_digits);
        (
            U256::from(high.coefficient).mul_pow10(shift),
            U256::ZERO,
            high.exponent.saturating_sub(shift as i32),
            true,
        )
    };
    if high_is_a {
        (high_scaled, low_value, exponent, sticky)
    } else {
        (low_value, high_scaled, exponent, sticky)
    }
}

/// `value · 10^exponent` (plus a positive amount below its last digit when `sticky`),
/// rounded half to even to `precision` significant digits.
fn round(value: U256, exponent: i32, sticky: bool, precision: u32) -> Decimal {
    let precision = precision.clamp(1, MAX_PRECISION);
    let mut value = value;
    let mut exponent = exponent;
    let mut digits = value.digits();
    if sticky && digits <= precision {
        // Give the sticky amount a digit position below the kept ones.
        let pad = precision + 1 - digits;
        value = value.mul_pow10(pad);
        exponent = exponent.saturating_sub(pad as i32);
        digits = precision + 1;
    }
    if digits <= precision {
        return Decimal::new(value.to_u128().unwrap_or(0), exponent);
    }
    let dropped = digits - precision;
    let mut kept = drop_digits(value, dropped, sticky, Rounding::HalfEven);
    exponent = exponent.saturating_add(dropped as i32);
    // Rounding 99…9 up gains a digit: 10^precision becomes 10^(precision−1) · 10.
    if kept == U256::from(pow10_u128(precision)) {
        kept = U256::from(pow10_u128(precision - 1));
        exponent = exponent.saturating_add(1);
    }
    Decimal::new(kept.to_u128().unwrap_or(0), exponent)
}

/// `value / 10^dropped`, rounded by `mode`; `sticky` marks a positive amount below
/// `value`'s last digit.
fn drop_digits(value: U256, dropped: u32, sticky: bool, mode: Rounding) -> U256 {
    if dropped == 0 {
        return value;
    }
    // All but the last (at most 19) dropped digits go first, leaving only a sticky flag;
    // one division by a u64 power of ten then yields the kept part and the rest, whose
    // leading digit decides and whose remainder is sticky. Usually that is one pass.
    let last = dropped.min(19);
    let (above, far_sticky) = value.div_pow10_sticky(dropped - last);
    let (kept, rest) = above.div_rem_u64(10u64.pow(last));
    let unit = 10u64.pow(last - 1);
    let first_dropped = rest / unit;
    let below_sticky = far_sticky || rest % unit != 0;
    let beyond = sticky || below_sticky;
    let up = match mode {
        Rounding::HalfUp => first_dropped >= 5,
        Rounding::HalfEven => {
            first_dropped > 5 || (first_dropped == 5 && (beyond || kept.is_odd()))
        }
    };
    if up {
        kept.wrapping_add(U256::from(1))
    } else {
        kept
    }
}

fn pow10_u128(exponent: u32) -> u128 {
    10u128.pow(exponent.min(MAX_PRECISION))
}

fn digits_u128(value: u128) -> u32 {
    value.checked_ilog10().map_or(1, |log| log + 1)
}

/// An unsigned 256-bit integer, four 64-bit limbs, least significant first. Only what the
/// decimal operations need; callers keep values within range (see the module comment).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct U256([u64; 4]);

impl From<u128> for U256 {
    fn from(value: u128) -> Self {
        U256([value as u64, (value >> 64) as u64, 0, 0])
    }
}

impl PartialOrd for U256 {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for U256 {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.iter().rev().cmp(other.0.iter().rev())
    }
}

impl U256 {
    const ZERO: U256 = U256([0; 4]);
    const MAX: U256 = U256([u64::MAX; 4]);

    fn from_product(a: u128, b: u128) -> U256 {
        let (a_low, a_high) = (u128::from(a as u64), a >> 64);
        let (b_low, b_high) = (u128::from(b as u64), b >> 64);
        let (low_low, low_high, high_low, high_high) = (
            a_low * b_low,
            a_low * b_high,
            a_high * b_low,
            a_high * b_high,
        );
        // Column sums of 64-bit digits; each fits u128 with room for the carries.
        let column1 = (low_low >> 64) + u128::from(low_high as u64) + u128::from(high_low as u64);
        let column2 =
            (column1 >> 64) + (low_high >> 64) + (high_low >> 64) + u128::from(high_high as u64);
        let column3 = (column2 >> 64) + (high_high >> 64);
        U256([
            low_low as u64,
            column1 as u64,
            column2 as u64,
            column3 as u64,
        ])
    }

    fn is_zero(self) -> bool {
        self == U256::ZERO
    }

    fn is_odd(self) -> bool {
        self.0[0] & 1 == 1
    }

    fn to_u128(self) -> Option<u128> {
        (self.0[2] == 0 && self.0[3] == 0)
            .then(|| u128::from(self.0[0]) | (u128::from(self.0[1]) << 64))
    }

    fn wrapping_add(self, other: U256) -> U256 {
        let mut result = U256::ZERO;
        let mut carry = false;
        for ((limb, x), y) in result.0.iter_mut().zip(self.0).zip(other.0) {
            let (sum, c1) = x.overflowing_add(y);
            let (sum, c2) = sum.overflowing_add(u64::from(carry));
            *limb = sum;
            carry = c1 || c2;
        }
        result
    }

    fn wrapping_sub(self, other: U256) -> U256 {
        let mut result = U256::ZERO;
        let mut borrow = false;
        for ((limb, x), y) in result.0.iter_mut().zip(self.0).zip(other.0) {
            let (difference, b1) = x.overflowing_sub(y);
            let (difference, b2) = difference.overflowing_sub(u64::from(borrow));
            *limb = difference;
            borrow = b1 || b2;
        }
        result
    }

    /// `self · factor` and whether it overflowed 256 bits.
    fn overflowing_mul_u64(self, factor: u64) -> (U256, bool) {
        let mut result = U256::ZERO;
        let mut carry: u128 = 0;
        for (limb, x) in result.0.iter_mut().zip(self.0) {
            let t = u128::from(x) * u128::from(factor) + carry;
            *limb = t as u64;
            carry = t >> 64;
        }
        (result, carry != 0)
    }

    fn checked_mul_pow10(self, exponent: u32) -> Option<U256> {
        let mut value = self;
        let mut left = exponent;
        while left > 0 {
            let step = left.min(19);
            let (next, overflow) = value.overflowing_mul_u64(10u64.pow(step));
            if overflow {
                return None;
            }
            value = next;
            left -= step;
        }
        Some(value)
    }

    /// `self · 10^exponent`, saturating (never reached: callers stay within 10^77).
    fn mul_pow10(self, exponent: u32) -> U256 {
        self.checked_mul_pow10(exponent).unwrap_or(U256::MAX)
    }

    fn div_rem_u64(self, divisor: u64) -> (U256, u64) {
        let mut quotient = U256::ZERO;
        let mut remainder: u128 = 0;
        for (limb, x) in quotient.0.iter_mut().zip(self.0).rev() {
            if remainder == 0 {
                // The leading limbs of the values here are mostly zero or one word: a
                // 64-bit division is several times cheaper than a 128-bit one.
                *limb = x / divisor;
                remainder = u128::from(x % divisor);
            } else {
                let current = (remainder << 64) | u128::from(x);
                *limb = (current / u128::from(divisor)) as u64;
                remainder = current % u128::from(divisor);
            }
        }
        (quotient, remainder as u64)
    }

    /// `self / 10^exponent` and whether the remainder is non-zero.
    fn div_pow10_sticky(self, exponent: u32) -> (U256, bool) {
        let mut value = self;
        let mut sticky = false;
        let mut left = exponent;
        while left > 0 && !value.is_zero() {
            let step = left.min(19);
            let (next, remainder) = value.div_rem_u64(10u64.pow(step));
            sticky |= remainder != 0;
            value = next;
            left -= step;
        }
        (value, sticky)
    }

    /// Schoolbook binary long division by a divisor below 2^127 (a coefficient).
    fn div_rem_u128(self, divisor: u128) -> (U256, u128) {
        if let Ok(small) = u64::try_from(divisor) {
            let (quotient, remainder) = self.div_rem_u64(small);
            return (quotient, u128::from(remainder));
        }
        let mut quotient = U256::ZERO;
        let mut remainder: u128 = 0;
        for (limb, x) in quotient.0.iter_mut().zip(self.0).rev() {
            for bit in (0..64).rev() {
                // remainder < divisor < 2^127, so the shift cannot overflow.
                remainder = (remainder << 1) | u128::from((x >> bit) & 1);
                if remainder >= divisor {
                    remainder -= divisor;
                    *limb |= 1 << bit;
                }
            }
        }
        (quotient, remainder)
    }

    /// The number of decimal digits (1 for zero).
    fn digits(self) -> u32 {
        if let Some(small) = self.to_u128() {
            return digits_u128(small);
        }
        // 2^(bits − 1) ≤ self, and 0.30102 < log10 2, so 10^power ≤ self to begin with;
        // the estimate is at most one short.
        let bits = 256 - self.leading_zeros();
        let mut power = (bits - 1) * 30_102 / 100_000;
        while U256::from(1)
            .checked_mul_pow10(power + 1)
            .is_some_and(|next| self >= next)
        {
            power += 1;
        }
        power + 1
    }

    fn leading_zeros(self) -> u32 {
        let mut zeros = 0;
        for limb in self.0.iter().rev() {
            zeros += limb.leading_zeros();
            if *limb != 0 {
                break;
            }
        }
        zeros
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: u32 = PYTHON_PRECISION;

    fn d(coefficient: u128, exponent: i32) -> Decimal {
        Decimal::new(coefficient, exponent)
    }

    /// The value without trailing zeros, as Python's `normalize().as_tuple()` gives it.
    fn parts(value: Decimal) -> (u128, i32) {
        let (mut coefficient, mut exponent) = (value.coefficient, value.exponent);
        while coefficient != 0 && coefficient % 10 == 0 {
            coefficient /= 10;
            exponent += 1;
        }
        (coefficient, exponent)
    }

    // Expected values below are CPython 3.11's `decimal` in the default context.

    #[test]
    fn the_monthly_rate_of_26_5_percent_and_its_growth_match_python() {
        // Establishes division, addition and libmpdec's integer power.
        let rate = d(265, -1).div(d(1200, 0), P);
        assert_eq!(parts(rate), (2208333333333333333333333333, -29));
        let growth = Decimal::ONE.add(rate, P);
        assert_eq!(parts(growth), (1022083333333333333333333333, -27));
        let power = growth.powi(120, P);
        assert_eq!(parts(power), (1375171234711249418962063546, -26));
        assert_eq!(
            parts(power.sub(Decimal::ONE, P)),
            (1275171234711249418962063546, -26)
        );
        let monthly_1_percent = Decimal::ONE.add(d(1, 0).div(d(1200, 0), P), P);
        assert_eq!(
            parts(monthly_1_percent.powi(360, P)),
            (134969017944032880081657577, -26)
        );
    }

    #[test]
    fn division_rounds_the_last_digit_half_to_even() {
        // Establishes correctly rounded quotients, also far from the unit.
        assert_eq!(
            parts(d(1, 0).div(d(3, 0), P)),
            (3333333333333333333333333333, -28)
        );
        assert_eq!(
            parts(d(2, 0).div(d(3, 0), P)),
            (6666666666666666666666666667, -28)
        );
        assert_eq!(
            parts(d(7, 0).div(d(3, -34), P)),
            (2333333333333333333333333333, 7)
        );
        assert_eq!(parts(d(7, 0).div(d(0, 0), P)), (0, 0));
    }

    #[test]
    fn products_and_sums_round_ties_to_even_and_respect_a_sticky_tail() {
        // Establishes the half-even rule on exact ties and the tail below the ulp.
        let big = 10u128.pow(27);
        assert_eq!(
            parts(d(big + 1, 0).mul(d(big + 1, 0), P)),
            (1000000000000000000000000002, 27)
        );
        assert_eq!(parts(d(big * 10 + 5, -1).mul(Decimal::ONE, P)), (1, 27));
        assert_eq!(parts(d(big, 0).add(d(5, -1), P)), (1, 27));
        assert_eq!(
            parts(d(big + 1, 0).add(d(5, -1), P)),
            (1000000000000000000000000002, 0)
        );
        let just_above_half = d(50_000_000_000_000_000_001, -20);
        assert_eq!(
            parts(d(big, 0).add(just_above_half, P)),
            (1000000000000000000000000001, 0)
        );
    }

    #[test]
    fn operands_far_below_the_rounding_digit_act_only_as_a_tail() {
        // Establishes the sticky replacement in addition and subtraction.
        assert_eq!(parts(d(1, 30).add(d(1, -10), P)), (1, 30));
        assert_eq!(parts(Decimal::ONE.add(d(1, -40), P)), (1, 0));
        assert_eq!(parts(Decimal::ONE.sub(d(1, -40), P)), (1, 0));
        assert_eq!(parts(d(1, 28).sub(d(1, -40), P)), (1, 28));
        // 10^28 + 5 is a tie at 28 digits: even without a tail, up with one, and a tail
        // taken away leaves it below the tie.
        let tie = d(10u128.pow(28) + 5, 0);
        assert_eq!(parts(tie.add(Decimal::new(0, 0), P)), (1, 28));
        assert_eq!(
            parts(tie.add(d(1, -40), P)),
            (1000000000000000000000000001, 1)
        );
        assert_eq!(parts(tie.sub(d(1, -40), P)), (1, 28));
        assert_eq!(parts(d(1, 0).sub(d(2, 0), P)), (0, 0));
    }

    #[test]
    fn rounding_to_rials_takes_halves_up() {
        // Establishes quantize(1, ROUND_HALF_UP) on ties, below ties and tiny values.
        assert_eq!(d(25, -1).to_integer_half_up(), 3);
        assert_eq!(d(5, -1).to_integer_half_up(), 1);
        assert_eq!(d(49999, -5).to_integer_half_up(), 0);
        assert_eq!(d(1, -60).to_integer_half_up(), 0);
        assert_eq!(d(12, 3).to_integer_half_up(), 12_000);
    }

    #[test]
    fn wide_products_and_quotients_are_exact() {
        // Establishes the 256-bit helpers against u128 where both apply.
        let a = 123_456_789_012_345_678_901_234_567u128;
        let b = 987_654_321_098_765_432_109u128;
        let product = U256::from_product(a, b);
        let (quotient, remainder) = product.div_rem_u128(b);
        assert_eq!((quotient.to_u128(), remainder), (Some(a), 0));
        let (quotient, remainder) = product.wrapping_add(U256::from(7)).div_rem_u128(a);
        assert_eq!((quotient.to_u128(), remainder), (Some(b), 7));
        assert_eq!(U256::from(u128::MAX).digits(), 39);
        assert_eq!(product.digits(), 48);
        assert_eq!(U256::from(0).digits(), 1);
        for power in 38..=77 {
            let exact = U256::from(1).mul_pow10(power);
            assert_eq!(exact.digits(), power + 1);
            assert_eq!(exact.wrapping_sub(U256::from(1)).digits(), power);
        }
    }
}
