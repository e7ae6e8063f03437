//! Exact money: an integer count of picodollars (10⁻¹² USD).
//!
//! AWS publishes prices with up to ten decimal places (Lambda's
//! 0.0000166667 USD per GB-second), so cents or micro-dollars would round
//! the price itself. Picodollars hold every published price exactly, and an
//! `i128` holds any bill a simulation can produce.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Mul, Sub};

/// Picodollars in one US dollar.
const PICO_PER_USD: i128 = 1_000_000_000_000;

/// An exact amount of US dollars.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(i128);

/// Why a price string could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{text}` is not a price in dollars: expected digits with at most 12 decimals, like \"0.0416\""
)]
pub struct BadPrice {
    /// The text that was given.
    pub text: String,
}

impl Money {
    /// Nothing.
    pub const ZERO: Money = Money(0);

    /// An amount from a count of picodollars.
    pub const fn from_picodollars(pico: i128) -> Money {
        Money(pico)
    }

    /// The amount in picodollars.
    pub const fn picodollars(self) -> i128 {
        self.0
    }

    /// Reads a decimal dollar amount such as `"0.0416"` exactly.
    pub fn parse_usd(text: &str) -> Result<Money, BadPrice> {
        let bad = || BadPrice { text: text.to_string() };
        let trimmed = text.trim();
        let (negative, digits) = match trimmed.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, trimmed),
        };
        let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !all_digits(whole) || !all_digits(frac) || frac.len() > 12 {
            return Err(bad());
        }
        let whole: i128 = whole.parse().map_err(|_| bad())?;
        let frac_pico: i128 = if frac.is_empty() {
            0
        } else {
            frac.parse::<i128>().map_err(|_| bad())? * 10i128.pow(12 - frac.len() as u32)
        };
        let pico = whole.checked_mul(PICO_PER_USD).and_then(|w| w.checked_add(frac_pico));
        let pico = pico.ok_or_else(bad)?;
        Ok(Money(if negative { -pico } else { pico }))
    }

    /// This amount times `numerator / denominator`, rounded half away from
    /// zero to the picodollar. Used to turn an hourly price into the charge
    /// for a number of seconds without ever leaving integers.
    pub fn mul_ratio(self, numerator: i128, denominator: i128) -> Money {
        assert!(denominator > 0, "a ratio's denominator is positive");
        let product = self.0 * numerator;
        let half = denominator / 2;
        let rounded = if product >= 0 {
            (product + half) / denominator
        } else {
            (product - half) / denominator
        };
        Money(rounded)
    }

    /// The amount rounded half up to whole cents, as a bill shows it.
    pub fn round_to_cents(self) -> Money {
        Money(self.mul_ratio(1, PICO_PER_USD / 100).0 * (PICO_PER_USD / 100))
    }

    /// The amount in dollars as a float, for plots and ratios only.
    pub fn as_usd_f64(self) -> f64 {
        self.0 as f64 / PICO_PER_USD as f64
    }

    /// The amount written with `decimals` digits after the point, rounded
    /// half away from zero.
    pub fn format_usd(self, decimals: u32) -> String {
        let decimals = decimals.min(12);
        let step = 10i128.pow(12 - decimals);
        let units = self.mul_ratio(1, step).0;
        let sign = if units < 0 { "-" } else { "" };
        let units = units.abs();
        let scale = 10i128.pow(decimals);
        if decimals == 0 {
            format!("{sign}{units}")
        } else {
            format!("{sign}{}.{:0width$}", units / scale, units % scale, width = decimals as usize)
        }
    }
}

impl fmt::Display for Money {
    /// Writes dollars with cents, e.g. `$12.34`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "${}", self.format_usd(2))
    }
}

impl Add for Money {
    type Output = Money;
    fn add(self, rhs: Money) -> Money {
        Money(self.0 + rhs.0)
    }
}

impl AddAssign for Money {
    fn add_assign(&mut self, rhs: Money) {
        self.0 += rhs.0;
    }
}

impl Sub for Money {
    type Output = Money;
    fn sub(self, rhs: Money) -> Money {
        Money(self.0 - rhs.0)
    }
}

impl Mul<i128> for Money {
    type Output = Money;
    fn mul(self, rhs: i128) -> Money {
        Money(self.0 * rhs)
    }
}

impl Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, Add::add)
    }
}

impl serde::Serialize for Money {
    /// Serialises as a decimal string of dollars with all twelve places, so
    /// that JSON readers lose nothing and shards merge exactly.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.format_usd(12))
    }
}

impl<'de> serde::Deserialize<'de> for Money {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Money, D::Error> {
        let text = String::deserialize(deserializer)?;
        Money::parse_usd(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_published_prices_exactly() {
        assert_eq!(Money::parse_usd("0.0416").unwrap().picodollars(), 41_600_000_000);
        assert_eq!(Money::parse_usd("0.0000166667").unwrap().picodollars(), 16_666_700);
        assert_eq!(Money::parse_usd("12").unwrap().picodollars(), 12 * PICO_PER_USD);
        assert!(Money::parse_usd("1.2.3").is_err());
        assert!(Money::parse_usd("abc").is_err());
        assert!(Money::parse_usd("0.0000000000001").is_err());
    }

    #[test]
    fn hourly_price_times_seconds_stays_exact() {
        // 0.0416 USD/h for 9,020 s = 0.104231111... USD
        let cost = Money::parse_usd("0.0416").unwrap().mul_ratio(9_020, 3_600);
        assert_eq!(cost.format_usd(6), "0.104231");
        assert_eq!(cost.round_to_cents().format_usd(2), "0.10");
    }

    #[test]
    fn formats_negative_and_rounds_half_away_from_zero() {
        assert_eq!(Money::parse_usd("-0.005").unwrap().format_usd(2), "-0.01");
        assert_eq!(Money::parse_usd("0.005").unwrap().to_string(), "$0.01");
        assert_eq!(Money::parse_usd("0.0049").unwrap().to_string(), "$0.00");
    }
}
