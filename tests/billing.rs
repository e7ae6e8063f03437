//! The EC2 bill against AWS's published price and per-second rule,
//! worked by hand. The hourly price is written here, not read from the
//! catalogue: m7i.large, us-east-1, Linux on-demand, 0.1008 USD/h (AWS
//! pricing data, January 2026).

use std::path::Path;

use cloudtwin::billing::bill::bill;
use cloudtwin::billing::meters::InstanceLife;
use cloudtwin::billing::money::Money;
use cloudtwin::catalogue::Catalogue;
use cloudtwin::engine::time::{SimDuration, SimTime};
use cloudtwin::scenario;
use cloudtwin::sim;

const M7I_LARGE_USD_PER_HOUR: f64 = 0.1008;

fn fleet_scenario() -> scenario::Scenario {
    let text = r#"
        [scenario]
        name = "bill"
        start = "2026-01-01T00:00:00Z"
        warmup = "0s"
        duration = "2h30m20s"
        seed = 1
        [traffic]
        entry = "web"
        rate = "1/s"
        [components.web]
        type = "ec2"
        instance_type = "m7i.large"
        count = 3
        workers = 10
        accept_queue = 10
        cpu = "1ms"
    "#;
    scenario::parse(Path::new("bill.toml"), text.to_string(), &Catalogue::builtin()).expect("valid")
}

/// The EC2 lines of a bill, window and month (the fleet also sends its
/// responses to the internet, billed on a data-transfer line).
fn ec2(bill: &cloudtwin::billing::bill::Bill) -> (Money, Money) {
    let lines = bill.lines.iter().filter(|l| l.service == "EC2");
    lines.fold((Money::ZERO, Money::ZERO), |(w, m), l| (w + l.window, m + l.month))
}

/// Rounds dollars to cents, half up, as a bill shows them.
fn cents(usd: f64) -> i64 {
    (usd * 100.0).round() as i64
}

#[test]
fn three_instances_for_an_odd_span_cost_the_published_arithmetic() {
    let s = fleet_scenario();
    let result = sim::run(&s, 0);
    let (window, _) = ec2(&bill(&s, &result.usage));
    // 3 instances × 9,020 s × 0.1008 USD/h = 0.757680 USD.
    let by_hand = 3.0 * 9_020.0 * M7I_LARGE_USD_PER_HOUR / 3_600.0;
    assert_eq!(window.format_usd(6), format!("{by_hand:.6}"));
    assert_eq!(cents(window.as_usd_f64()), cents(by_hand));
    assert_eq!(window.to_string(), "$0.76");
}

#[test]
fn an_instance_that_lived_forty_seconds_is_billed_a_minute() {
    let s = fleet_scenario();
    let mut usage = sim::run(&s, 0).usage;
    let launched = SimTime::ZERO + SimDuration::from_secs(600);
    usage.instance_lives[0]
        .1
        .push(InstanceLife { launched, terminated: launched + SimDuration::from_secs(40) });
    let (window, month) = ec2(&bill(&s, &usage));
    // (3 × 9,020 s + 60 s) × 0.1008 USD/h = 0.759360 USD.
    let by_hand = (3.0 * 9_020.0 + 60.0) * M7I_LARGE_USD_PER_HOUR / 3_600.0;
    assert_eq!(window.format_usd(6), format!("{by_hand:.6}"));
    assert_eq!(window.to_string(), "$0.76");
    // A month is 730 h of the same usage: (27,120 s / 9,020 s) × 730 h × price.
    let month_by_hand = 27_120.0 / 9_020.0 * 730.0 * M7I_LARGE_USD_PER_HOUR;
    assert_eq!(cents(month.as_usd_f64()), cents(month_by_hand));
}
