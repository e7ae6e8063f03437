//! The capacity arithmetic of scaling policies, as pure functions, each
//! following the EC2 Auto Scaling User Guide's rules.

use crate::scenario::model::{AdjustmentType, StepAdjustment};

/// The change in instances that a `PercentChangeInCapacity` adjustment of
/// `percent` makes to `capacity`.
///
/// AWS ("Step and simple scaling policies", scaling adjustment types):
/// a result above 1 is rounded down (12.7 → 12), one between 0 and 1 is
/// rounded to 1, one between −1 and 0 to −1, and one below −1 is rounded
/// up (−6.67 → −6). With `MinAdjustmentMagnitude`, a change smaller than
/// it (in absolute value) becomes it.
pub fn percent_change(capacity: u32, percent: i64, min_magnitude: Option<u32>) -> i64 {
    let exact = f64::from(capacity) * percent as f64 / 100.0;
    let rounded = if exact > 1.0 {
        exact.floor()
    } else if exact > 0.0 {
        1.0
    } else if exact == 0.0 {
        0.0
    } else if exact >= -1.0 {
        -1.0
    } else {
        exact.ceil()
    } as i64;
    match min_magnitude {
        Some(m) if rounded != 0 && rounded.unsigned_abs() < u64::from(m) => {
            rounded.signum() * i64::from(m)
        }
        _ => rounded,
    }
}

/// The capacity an adjustment of `kind` and `amount` asks for, from
/// `capacity`, before the group's min and max apply.
pub fn adjusted_capacity(
    kind: AdjustmentType,
    capacity: u32,
    amount: i64,
    min_magnitude: Option<u32>,
) -> i64 {
    match kind {
        AdjustmentType::Change => i64::from(capacity) + amount,
        AdjustmentType::Exact => amount,
        AdjustmentType::Percent => {
            i64::from(capacity) + percent_change(capacity, amount, min_magnitude)
        }
    }
}

/// The step whose bounds hold `breach` (metric − threshold).
///
/// AWS (API reference, `StepAdjustment`): for an alarm on a metric above
/// its threshold the lower bound is inclusive and the upper exclusive
/// (lower 0, upper 10 at threshold 50 means 50 ≤ metric < 60); for a metric
/// below it, the lower bound is exclusive and the upper inclusive (lower
/// −10, upper 0 means 40 < metric ≤ 50).
pub fn step_for(steps: &[StepAdjustment], breach: f64, above: bool) -> Option<&StepAdjustment> {
    steps.iter().find(|s| {
        if above {
            s.lower <= breach && breach < s.upper
        } else {
            s.lower < breach && breach <= s.upper
        }
    })
}

/// Target tracking's capacity for scaling out: the load the `measured`
/// instances carry, spread so that each carries `target`, rounded up.
///
/// AWS publishes no formula; it says the policy keeps the metric at the
/// target assuming the metric changes in inverse proportion to capacity,
/// and that it rounds up when adding. `ceil(measured × metric / target)`
/// is that rule.
pub fn tracking_scale_out(measured: f64, metric: f64, target: f64) -> u32 {
    let needed = measured * metric / target;
    // A tiny tolerance keeps 2.0000000001 (floating-point noise) at 2.
    (needed - 1e-9).ceil().max(0.0) as u32
}

/// Target tracking's capacity for scaling in from `desired`: it removes
/// only whole instances it is sure are not needed, rounding the removable
/// amount down (AWS: "rounds down when removing").
pub fn tracking_scale_in(desired: u32, measured: f64, metric: f64, target: f64) -> u32 {
    let needed = measured * metric / target;
    let removable = (f64::from(desired) - needed + 1e-9).floor().max(0.0) as u32;
    desired - removable.min(desired)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// AWS's examples for PercentChangeInCapacity (User Guide, "Scaling
    /// adjustment types"): 10 % of 10 instances adds 1; 12.7 rounds down to
    /// 12; 0.67 rounds to 1; −6.67 rounds to −6; −0.67 rounds to −1.
    #[test]
    fn percent_change_rounds_as_aws_documents() {
        assert_eq!(percent_change(10, 10, None), 1);
        assert_eq!(percent_change(127, 10, None), 12);
        assert_eq!(percent_change(67, 1, None), 1);
        assert_eq!(percent_change(667, -1, None), -6);
        assert_eq!(percent_change(67, -1, None), -1);
        assert_eq!(percent_change(0, 50, None), 0);
    }

    /// AWS's MinAdjustmentMagnitude example: with a 25 % increase on a
    /// group of 4 (one instance) and a minimum magnitude of 2, the group
    /// grows by 2.
    #[test]
    fn minimum_magnitude_lifts_small_changes() {
        assert_eq!(percent_change(4, 25, Some(2)), 2);
        assert_eq!(percent_change(40, 25, Some(2)), 10);
        assert_eq!(percent_change(4, -25, Some(2)), -2);
    }

    #[test]
    fn adjustment_types() {
        assert_eq!(adjusted_capacity(AdjustmentType::Change, 5, 3, None), 8);
        assert_eq!(adjusted_capacity(AdjustmentType::Change, 5, -7, None), -2);
        assert_eq!(adjusted_capacity(AdjustmentType::Exact, 5, 2, None), 2);
        assert_eq!(adjusted_capacity(AdjustmentType::Percent, 10, 50, None), 15);
    }

    /// AWS's StepAdjustment examples at threshold 50: lower 0, upper 10
    /// holds 50 ≤ metric < 60; lower −10, upper 0 holds 40 < metric ≤ 50.
    #[test]
    fn step_bounds_follow_the_side_of_the_threshold() {
        let out = [
            StepAdjustment { lower: 0.0, upper: 10.0, adjustment: 1 },
            StepAdjustment { lower: 10.0, upper: 20.0, adjustment: 2 },
            StepAdjustment { lower: 20.0, upper: f64::INFINITY, adjustment: 3 },
        ];
        assert_eq!(step_for(&out, 50.0 - 50.0, true).unwrap().adjustment, 1);
        assert_eq!(step_for(&out, 59.9 - 50.0, true).unwrap().adjustment, 1);
        assert_eq!(step_for(&out, 60.0 - 50.0, true).unwrap().adjustment, 2);
        assert_eq!(step_for(&out, 95.0 - 50.0, true).unwrap().adjustment, 3);
        assert!(step_for(&out, -1.0, true).is_none());
        let inward = [
            StepAdjustment { lower: f64::NEG_INFINITY, upper: -10.0, adjustment: -2 },
            StepAdjustment { lower: -10.0, upper: 0.0, adjustment: -1 },
        ];
        assert_eq!(step_for(&inward, 50.0 - 50.0, false).unwrap().adjustment, -1);
        assert_eq!(step_for(&inward, 40.0 - 50.0, false).unwrap().adjustment, -2);
        assert_eq!(step_for(&inward, 40.1 - 50.0, false).unwrap().adjustment, -1);
    }

    /// Hand-worked: 4 instances at 90 % CPU against a 50 % target carry
    /// 3.6 instances' worth of target load → 7.2 → 8 instances.
    #[test]
    fn tracking_scale_out_rounds_up() {
        assert_eq!(tracking_scale_out(4.0, 90.0, 50.0), 8);
        assert_eq!(tracking_scale_out(4.0, 50.0, 50.0), 4);
        assert_eq!(tracking_scale_out(10.0, 51.0, 50.0), 11);
        // 1,500 requests per target per minute on 3 targets at a target of
        // 1,000 → 4.5 → 5.
        assert_eq!(tracking_scale_out(3.0, 1_500.0, 1_000.0), 5);
    }

    /// Hand-worked: 10 instances at 30 % against 50 % need 6 → remove 4.
    /// 10 at 44 % need 8.8 → 1.2 removable → remove 1, keep 9.
    #[test]
    fn tracking_scale_in_rounds_the_removal_down() {
        assert_eq!(tracking_scale_in(10, 10.0, 30.0, 50.0), 6);
        assert_eq!(tracking_scale_in(10, 10.0, 44.0, 50.0), 9);
        assert_eq!(tracking_scale_in(10, 10.0, 49.0, 50.0), 10);
        assert_eq!(tracking_scale_in(3, 3.0, 0.0, 50.0), 0);
    }
}
