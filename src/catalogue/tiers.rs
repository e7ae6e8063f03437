//! Volume-tiered prices: the first units of a month at one price, the next
//! at another. AWS prices Lambda duration, API Gateway and SQS requests,
//! CloudFront and internet data this way.

use toml::Spanned;

use super::error::CatalogueError;
use super::files::FileText;
use super::raw::RawTier;
use crate::billing::money::Money;
use crate::billing::rules::charge_for_quantity;

/// One tier: the price of each unit up to a cumulative bound.
#[derive(Debug, Clone, PartialEq)]
pub struct PriceTier {
    /// Units of a month up to which this tier applies; `None` for the last.
    pub up_to: Option<f64>,
    /// Price of one unit.
    pub usd: Money,
}

/// A list of tiers, bounds rising, the last unbounded.
#[derive(Debug, Clone, PartialEq)]
pub struct Tiers(pub Vec<PriceTier>);

impl Tiers {
    /// The charge for `quantity` units of one month, each at its tier's
    /// price divided by `per` (e.g. 1,000,000 for a price per million).
    pub fn charge(&self, quantity: f64, per: f64) -> Money {
        let mut total = Money::ZERO;
        let mut below = 0.0;
        for tier in &self.0 {
            let top = tier.up_to.unwrap_or(f64::INFINITY);
            let units = (quantity.min(top) - below).max(0.0);
            total += charge_for_quantity(tier.usd, units / per);
            if quantity <= top {
                break;
            }
            below = top;
        }
        total
    }

    /// The charge for `quantity` units of one month of which the first
    /// `free` are free: AWS counts the free units in the lowest tiers, so
    /// the paid units start where the free ones end, not at the bottom.
    pub fn charge_after_free(&self, quantity: f64, free: f64, per: f64) -> Money {
        self.charge(quantity, per) - self.charge(quantity.min(free.max(0.0)), per)
    }

    /// The first tier's price.
    pub fn first(&self) -> Money {
        self.0[0].usd
    }
}

/// Checks a tier list: bounds rising, prices above zero, only the last
/// without a bound.
pub(crate) fn build(
    raw: &Spanned<Vec<RawTier>>,
    field: &str,
    file: &FileText,
) -> Result<Tiers, CatalogueError> {
    let tiers = raw.get_ref();
    if tiers.is_empty() {
        return Err(file.error_at(Some(raw.span()), format!("`{field}` has no tiers")));
    }
    let mut built = Vec::with_capacity(tiers.len());
    let mut previous = 0.0;
    for (i, tier) in tiers.iter().enumerate() {
        let last = i + 1 == tiers.len();
        let up_to = match (&tier.up_to, last) {
            (Some(bound), false) => {
                let b = *bound.get_ref();
                if !(b > previous && b.is_finite()) {
                    let message = format!("`{field}`: tier bounds must rise (found {b})");
                    return Err(file.error_at(Some(bound.span()), message));
                }
                previous = b;
                Some(b)
            }
            (None, true) => None,
            (Some(bound), true) => {
                let message = format!("`{field}`: the last tier must have no `up_to`");
                return Err(file.error_at(Some(bound.span()), message));
            }
            (None, false) => {
                let message = format!("`{field}`: only the last tier may leave out `up_to`");
                return Err(file.error_at(Some(tier.usd.span()), message));
            }
        };
        let usd = super::check::positive_money(&tier.usd, field, file)?;
        built.push(PriceTier { up_to, usd });
    }
    Ok(Tiers(built))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd(text: &str) -> Money {
        Money::parse_usd(text).unwrap()
    }

    #[test]
    fn each_unit_is_priced_in_its_tier() {
        let tiers = Tiers(vec![
            PriceTier { up_to: Some(10.0), usd: usd("1.00") },
            PriceTier { up_to: Some(30.0), usd: usd("0.50") },
            PriceTier { up_to: None, usd: usd("0.10") },
        ]);
        assert_eq!(tiers.charge(5.0, 1.0), usd("5.00"));
        assert_eq!(tiers.charge(25.0, 1.0), usd("17.50"));
        assert_eq!(tiers.charge(40.0, 1.0), usd("21.00"));
        assert_eq!(tiers.charge(40.0, 10.0), usd("2.10"));
    }
}
