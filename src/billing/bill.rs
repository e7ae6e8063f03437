//! The bill of one run: usage priced by AWS's rules, for the measured
//! window and projected to a month.
//!
//! A month is 730 hours, as AWS's pricing examples and calculator use. The
//! projection scales the window's usage to 730 hours first and prices it
//! after, so that hourly charges and (later) volume tiers apply to monthly
//! quantities.

use crate::billing::meters::{InstanceLife, LcuHour, clock_hours_touched};
use crate::billing::money::Money;
use crate::billing::rules::{
    LcuCapacity, charge_for_quantity, charge_for_seconds, ec2_billable_seconds, lcus_in_hour,
    rds_billable_seconds,
};
use crate::engine::time::{NANOS_PER_SEC, SimTime};
use crate::scenario::Scenario;
use crate::scenario::model::ComponentKind;
use crate::sim::Usage;

/// Hours in the month the projection uses.
pub const HOURS_PER_MONTH: i128 = 730;

/// Bytes in the GB that AWS bills: 2³⁰ (AWS bills data in binary gigabytes).
pub(crate) const BYTES_PER_GB: f64 = 1_073_741_824.0;

/// One charge on the bill.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct LineItem {
    /// AWS service: `EC2`, `ELB`, `RDS` or `ElastiCache`.
    pub service: String,
    /// The scenario component it belongs to.
    pub component: String,
    /// What is charged, e.g. `c7g.large instance-seconds`.
    pub item: String,
    /// Usage in the measured window, in `unit`.
    pub quantity: f64,
    /// Unit of `quantity`.
    pub unit: String,
    /// Price per unit as published.
    pub unit_price: Money,
    /// Charge for the measured window.
    pub window: Money,
    /// Charge projected to a 730-hour month.
    pub month: Money,
    /// Where the unit price comes from.
    pub price_source: String,
}

impl LineItem {
    /// The same line with the source of its unit price.
    fn cited(mut self, source: &str) -> LineItem {
        self.price_source = source.to_string();
        self
    }
}

/// The priced usage of a run.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Bill {
    /// The charges.
    pub lines: Vec<LineItem>,
    /// Sum for the measured window.
    pub window_total: Money,
    /// Sum projected to a month.
    pub month_total: Money,
}

mod serverless;

/// The measured window, in simulated time, and where it sits in its clock
/// hour.
struct Window {
    start: SimTime,
    end: SimTime,
    offset_into_hour_ns: u64,
}

impl Window {
    fn nanos(&self) -> u64 {
        self.end.since(self.start).as_nanos()
    }

    /// Scales a window charge to a month: × 730 h / window length.
    fn to_month(&self, charge_numerator: Money) -> Money {
        charge_numerator.mul_ratio(
            HOURS_PER_MONTH * 3_600 * i128::from(NANOS_PER_SEC),
            i128::from(self.nanos().max(1)),
        )
    }

    /// Months the window lasts (730-hour months).
    fn months(&self) -> f64 {
        self.nanos() as f64 / (HOURS_PER_MONTH as f64 * 3_600.0 * 1e9)
    }

    /// Scales a month's charge back to the window: × window / 730 h.
    fn share_of_month(&self, month: Money) -> Money {
        month.mul_ratio(
            i128::from(self.nanos().max(1)),
            HOURS_PER_MONTH * 3_600 * i128::from(NANOS_PER_SEC),
        )
    }
}

/// Prices the usage of a run of `scenario`.
pub fn bill(scenario: &Scenario, usage: &Usage) -> Bill {
    let start = SimTime::ZERO + scenario.warmup;
    let window = Window {
        start,
        end: start + scenario.duration,
        offset_into_hour_ns: (u64::from(scenario.start.minute()) * 60
            + u64::from(scenario.start.second()))
            * NANOS_PER_SEC
            + u64::from(scenario.start.nanosecond()),
    };
    let mut lines = Vec::new();
    for (id, lives) in &usage.instance_lives {
        if let ComponentKind::Ec2(spec) = &scenario.components[*id].kind {
            let seconds: u64 = lives
                .iter()
                .map(|life| billable_in_window(life, &window, ec2_billable_seconds))
                .sum();
            lines.push(
                timed_line(
                    "EC2",
                    &scenario.components[*id].name,
                    &spec.instance_type.name,
                    spec.instance_type.usd_per_hour,
                    seconds,
                    &window,
                )
                .cited(&spec.price_source),
            );
        }
    }
    for (id, credits) in &usage.surplus_credits {
        if let ComponentKind::Ec2(spec) = &scenario.components[*id].kind
            && let Some(line) =
                surplus_line(&scenario.components[*id].name, spec, *credits, &window)
        {
            lines.push(line);
        }
    }
    for (id, hours) in &usage.lcu_hours {
        if let ComponentKind::Alb(spec) = &scenario.components[*id].kind {
            lines.extend(alb_lines(&scenario.components[*id].name, spec, hours, &window));
        }
    }
    for (id, lives) in &usage.database_lives {
        if let ComponentKind::Rds(spec) = &scenario.components[*id].kind {
            lines.extend(rds_lines(&scenario.components[*id].name, spec, lives, &window));
        }
    }
    for (id, nodes) in &usage.cache_nodes {
        if let ComponentKind::Cache(spec) = &scenario.components[*id].kind {
            lines.push(cache_line(&scenario.components[*id].name, spec, *nodes, &window));
        }
    }
    lines.extend(serverless::lines(scenario, usage, &window));
    let window_total = lines.iter().map(|l| l.window).sum();
    let month_total = lines.iter().map(|l| l.month).sum();
    Bill { lines, window_total, month_total }
}

/// The database's instance-hours (primary and replicas, each life with
/// its 10-minute minimum), storage and provisioned IOPS, each instance with
/// its own volume.
fn rds_lines(
    name: &str,
    spec: &crate::scenario::model::RdsSpec,
    lives: &[InstanceLife],
    window: &Window,
) -> Vec<LineItem> {
    let copies: i128 = if spec.multi_az { 2 } else { 1 };
    let mut lines = Vec::new();
    // lives[0] is the first primary and replicas follow; a Multi-AZ
    // standby doubles only the primary. A replica promoted after a failure
    // stays on the replica line, at the same hourly rate.
    let (primary, replicas) = lives.split_first().expect("a database has a primary");
    let label = if spec.multi_az {
        format!("{} Multi-AZ", spec.class.name)
    } else {
        spec.class.name.clone()
    };
    let seconds = billable_in_window(primary, window, rds_billable_seconds);
    lines.push(
        timed_line("RDS", name, &label, spec.usd_per_hour * copies, seconds, window)
            .cited(&spec.price_source),
    );
    if !replicas.is_empty() {
        let seconds: u64 = replicas
            .iter()
            .map(|life| billable_in_window(life, window, rds_billable_seconds))
            .sum();
        let what = format!("{} read replica", spec.class.name);
        lines.push(
            timed_line("RDS", name, &what, spec.usd_per_hour, seconds, window)
                .cited(&spec.price_source),
        );
    }
    let volumes = copies + replicas.len() as i128;
    lines.push(
        storage_line(name, spec.storage_gb * volumes as u64, spec.storage_usd_per_gb_month, window)
            .cited(&spec.storage_price_source),
    );
    if spec.extra_iops > 0 {
        lines.push(
            iops_line(
                name,
                u64::from(spec.extra_iops) * volumes as u64,
                spec.iops_usd_per_month,
                window,
            )
            .cited(&spec.iops_price_source),
        );
    }
    lines
}

/// ElastiCache node-hours: each node runs the whole window, and a partial
/// node-hour is billed as a full hour (aws-facts §4.2).
fn cache_line(
    component: &str,
    spec: &crate::scenario::model::CacheSpec,
    nodes: u32,
    window: &Window,
) -> LineItem {
    let hours_each = clock_hours_touched(window.offset_into_hour_ns, window.nanos());
    let node_hours = hours_each * u64::from(nodes);
    let charge = spec.usd_per_hour * i128::from(node_hours);
    LineItem {
        service: "ElastiCache".into(),
        component: component.into(),
        item: format!(
            "{} {} node-hours (partial hours billed as full)",
            spec.node_type.name,
            spec.engine.key()
        ),
        quantity: node_hours as f64,
        unit: "h".into(),
        unit_price: spec.usd_per_hour,
        window: charge,
        month: spec.usd_per_hour * (HOURS_PER_MONTH * i128::from(nodes)),
        price_source: spec.price_source.clone(),
    }
}

/// Provisioned gp3 IOPS beyond the included ones, prorated from the
/// monthly price.
fn iops_line(component: &str, iops: u64, usd_per_iops_month: Money, window: &Window) -> LineItem {
    let month = usd_per_iops_month * i128::from(iops);
    let window_charge = month
        .mul_ratio(i128::from(window.nanos()), HOURS_PER_MONTH * 3_600 * i128::from(NANOS_PER_SEC));
    LineItem {
        service: "RDS".into(),
        component: component.into(),
        item: "gp3 provisioned IOPS-months (beyond included)".into(),
        quantity: iops as f64 * window.nanos() as f64 / (730.0 * 3_600.0 * 1e9),
        unit: "IOPS-month".into(),
        unit_price: usd_per_iops_month,
        window: window_charge,
        month,
        price_source: String::new(),
    }
}

/// Billable seconds of one life inside the measured window. A life that
/// began inside the window gets the service's minimum; one that began in
/// the warm-up has already met it.
fn billable_in_window(life: &InstanceLife, window: &Window, rule: fn(u64) -> u64) -> u64 {
    let from = life.launched.max(window.start);
    let to = life.terminated.min(window.end);
    if to <= from {
        return 0;
    }
    let inside = to.since(from).as_nanos();
    if life.launched >= window.start { rule(inside) } else { inside.div_ceil(NANOS_PER_SEC) }
}

/// A charge per second at an hourly price.
fn timed_line(
    service: &str,
    component: &str,
    what: &str,
    usd_per_hour: Money,
    seconds: u64,
    window: &Window,
) -> LineItem {
    let charge = charge_for_seconds(usd_per_hour, seconds);
    let month = window.to_month(charge);
    LineItem {
        service: service.into(),
        component: component.into(),
        item: format!("{what} instance-hours"),
        quantity: seconds as f64 / 3_600.0,
        unit: "h".into(),
        unit_price: usd_per_hour,
        window: charge,
        month,
        price_source: String::new(),
    }
}

/// Unlimited-mode surplus CPU credits, per vCPU-hour.
///
/// AWS (EC2 User Guide, "Unlimited mode concepts"): surplus credits that
/// later earnings have not paid back when the instance stops, or beyond
/// what 24 hours of earnings could pay back, are charged per vCPU-hour; one
/// credit is one vCPU-minute. No line for standard mode or no surplus.
fn surplus_line(
    component: &str,
    spec: &crate::scenario::model::FleetSpec,
    credits: f64,
    window: &Window,
) -> Option<LineItem> {
    let price = spec.instance_type.burstable.as_ref()?.surplus_usd_per_vcpu_hour;
    let source = spec.credits.as_ref()?.surplus_price_source.clone();
    if credits <= 0.0 {
        return None;
    }
    let vcpu_hours = credits / 60.0;
    let charge = charge_for_quantity(price, vcpu_hours);
    Some(LineItem {
        service: "EC2".into(),
        component: component.into(),
        item: format!("{} unlimited-mode surplus CPU credits", spec.instance_type.family),
        quantity: vcpu_hours,
        unit: "vCPU-h".into(),
        unit_price: price,
        window: charge,
        month: window.to_month(charge),
        price_source: source,
    })
}

/// gp3 storage for the window, prorated from the monthly price.
fn storage_line(component: &str, gb: u64, usd_per_gb_month: Money, window: &Window) -> LineItem {
    let month = usd_per_gb_month * i128::from(gb);
    let window_charge = month
        .mul_ratio(i128::from(window.nanos()), HOURS_PER_MONTH * 3_600 * i128::from(NANOS_PER_SEC));
    LineItem {
        service: "RDS".into(),
        component: component.into(),
        item: "gp3 storage GB-months".into(),
        quantity: gb as f64 * window.nanos() as f64 / (730.0 * 3_600.0 * 1e9),
        unit: "GB-month".into(),
        unit_price: usd_per_gb_month,
        window: window_charge,
        month,
        price_source: String::new(),
    }
}

/// The ALB's hourly charge and LCU-hours.
fn alb_lines(
    component: &str,
    spec: &crate::scenario::model::AlbSpec,
    hours: &[LcuHour],
    window: &Window,
) -> Vec<LineItem> {
    let facts = &spec.facts;
    let alb_hours = clock_hours_touched(window.offset_into_hour_ns, window.nanos());
    let per_lcu = LcuCapacity {
        new_connections_per_s: facts.new_connections_per_lcu_per_s,
        active_connections_per_min: facts.active_connections_per_lcu_per_min,
        processed_gb_per_hour: facts.processed_gb_per_lcu_hour_ec2,
        rule_evaluations_per_s: facts.rule_evaluations_per_lcu_per_s,
    };
    // Assumption: a connection's requests come back to back, so each
    // connection is active in one minute only; active connections per
    // minute are then the new connections of that minute.
    let lcu_hours: f64 = hours
        .iter()
        .map(|h| {
            lcus_in_hour(
                h.new_connections / 3_600.0,
                h.new_connections / 60.0,
                h.processed_bytes as f64 / BYTES_PER_GB,
                h.billable_rule_evaluations as f64 / 3_600.0,
                &per_lcu,
            )
        })
        .sum();
    let hourly = facts.usd_per_hour * i128::from(alb_hours);
    let lcu_charge = charge_for_quantity(facts.usd_per_lcu_hour, lcu_hours);
    vec![
        LineItem {
            service: "ELB".into(),
            component: component.into(),
            item: "ALB hours (partial hours billed as full)".into(),
            quantity: alb_hours as f64,
            unit: "h".into(),
            unit_price: facts.usd_per_hour,
            window: hourly,
            month: facts.usd_per_hour * HOURS_PER_MONTH,
            price_source: spec.price_source.clone(),
        },
        LineItem {
            service: "ELB".into(),
            component: component.into(),
            item: "ALB LCU-hours".into(),
            quantity: lcu_hours,
            unit: "LCU-h".into(),
            unit_price: facts.usd_per_lcu_hour,
            window: lcu_charge,
            month: window.to_month(lcu_charge),
            price_source: spec.price_source.clone(),
        },
    ]
}
