//! AWS's charging rules, as pure functions of usage and price.
//!
//! Each rule cites the AWS page it follows. Prices are per hour; durations
//! are whole seconds after AWS's rounding.

use super::money::Money;

/// Seconds in an hour.
const HOUR_S: i128 = 3_600;

/// Billable seconds of one EC2 Linux instance life: whole seconds, at
/// least 60.
///
/// AWS: "On-Demand Linux instances are billed per second, with a minimum
/// of 60 seconds" (EC2 pricing, per-second billing).
pub fn ec2_billable_seconds(life_ns: u64) -> u64 {
    life_ns.div_ceil(1_000_000_000).max(60)
}

/// Billable seconds of one RDS instance life: whole seconds, at least ten
/// minutes.
///
/// AWS: "billed in one-second increments, with a 10-minute minimum charge"
/// (RDS User Guide, On-Demand DB instances).
pub fn rds_billable_seconds(life_ns: u64) -> u64 {
    life_ns.div_ceil(1_000_000_000).max(600)
}

/// The charge for `seconds` at `usd_per_hour`.
pub fn charge_for_seconds(usd_per_hour: Money, seconds: u64) -> Money {
    usd_per_hour.mul_ratio(i128::from(seconds), HOUR_S)
}

/// LCUs consumed in one hour: the largest of the four dimensions, each
/// divided by what one LCU provides.
///
/// AWS: "you are charged only on the dimension with the highest usage"
/// (Elastic Load Balancing pricing, LCU details).
pub fn lcus_in_hour(
    new_connections_per_s: f64,
    active_connections_per_min: f64,
    processed_gb: f64,
    rule_evaluations_per_s: f64,
    per_lcu: &LcuCapacity,
) -> f64 {
    [
        new_connections_per_s / per_lcu.new_connections_per_s,
        active_connections_per_min / per_lcu.active_connections_per_min,
        processed_gb / per_lcu.processed_gb_per_hour,
        rule_evaluations_per_s / per_lcu.rule_evaluations_per_s,
    ]
    .into_iter()
    .fold(0.0, f64::max)
}

/// What one LCU provides in each dimension.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LcuCapacity {
    /// New connections per second.
    pub new_connections_per_s: f64,
    /// Active connections per minute.
    pub active_connections_per_min: f64,
    /// Processed GB per hour.
    pub processed_gb_per_hour: f64,
    /// Rule evaluations per second.
    pub rule_evaluations_per_s: f64,
}

/// Converts a fractional quantity (LCU-hours, GB-months) times a unit
/// price into money, keeping nine decimals of the quantity.
pub fn charge_for_quantity(unit_price: Money, quantity: f64) -> Money {
    const SCALE: f64 = 1e9;
    let scaled = (quantity * SCALE).round();
    unit_price.mul_ratio(scaled as i128, SCALE as i128)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ec2_rounds_up_to_seconds_with_a_minute_minimum() {
        assert_eq!(ec2_billable_seconds(40_000_000_000), 60);
        assert_eq!(ec2_billable_seconds(61_000_000_001), 62);
        assert_eq!(rds_billable_seconds(300_000_000_000), 600);
    }

    #[test]
    fn lcus_take_the_largest_dimension() {
        let per_lcu = LcuCapacity {
            new_connections_per_s: 25.0,
            active_connections_per_min: 3_000.0,
            processed_gb_per_hour: 1.0,
            rule_evaluations_per_s: 1_000.0,
        };
        // 50 new/s = 2 LCU; 2.5 GB = 2.5 LCU; the bytes win.
        assert_eq!(lcus_in_hour(50.0, 100.0, 2.5, 10.0, &per_lcu), 2.5);
    }
}
