//! The bill of the serverless and network services: Lambda, API Gateway,
//! SQS, CloudFront and data out to the internet.
//!
//! These are priced per unit with monthly volume tiers and free tiers, so
//! the window's usage is first scaled to a 730-hour month, priced there
//! (tiers, then free tier when the account asks for it), and the window's
//! charge is that month's charge scaled back to the window. AWS adds up
//! Lambda duration per account and architecture, so functions of one
//! architecture share their tiers: each gets its share of the charge in
//! proportion to its usage.

use super::{LineItem, Window};
use crate::billing::money::Money;
use crate::billing::rules::charge_for_quantity;
use crate::catalogue::{LambdaArch, Tiers};
use crate::scenario::Scenario;
use crate::scenario::model::ComponentKind;
use crate::sim::Usage;

use super::BYTES_PER_GB;

/// Every serverless and network line of the bill.
pub(super) fn lines(scenario: &Scenario, usage: &Usage, window: &Window) -> Vec<LineItem> {
    let mut lines = lambda_lines(scenario, usage, window);
    let free = scenario.account.free_tier;
    for (id, requests) in &usage.api_requests {
        let ComponentKind::ApiGateway(spec) = &scenario.components[*id].kind else { continue };
        let what = if spec.rest { "REST API requests" } else { "HTTP API requests" };
        lines.push(
            Metered {
                service: "API Gateway",
                component: &scenario.components[*id].name,
                item: what,
                unit: "requests",
                quantity: *requests as f64,
                per: 1e6,
                tiers: &spec.tiers,
                free: 0.0,
                source: &spec.price_source,
            }
            .line(window),
        );
    }
    for (id, counts, empty) in &usage.sqs_requests {
        let ComponentKind::Sqs(spec) = &scenario.components[*id].kind else { continue };
        let requests =
            counts.send_requests + counts.receive_requests + counts.delete_requests + empty;
        let allowance = if free { spec.facts.free_requests as f64 } else { 0.0 };
        lines.push(
            Metered {
                service: "SQS",
                component: &scenario.components[*id].name,
                item: "standard queue requests (64 KB chunks, empty receives included)",
                unit: "requests",
                quantity: requests as f64,
                per: 1e6,
                tiers: &spec.facts.standard_tiers,
                free: allowance,
                source: &spec.price_source,
            }
            .line(window),
        );
    }
    for (id, counts) in &usage.edge {
        let ComponentKind::CloudFront(spec) = &scenario.components[*id].kind else { continue };
        let name = &scenario.components[*id].name;
        let facts = &spec.facts;
        let (free_gb, free_requests) =
            if free { (facts.free.0 as f64, facts.free.1 as f64) } else { (0.0, 0.0) };
        let per_request = Tiers(vec![crate::catalogue::PriceTier {
            up_to: None,
            usd: facts.usd_per_10k_requests,
        }]);
        lines.push(
            Metered {
                service: "CloudFront",
                component: name,
                item: "HTTPS requests",
                unit: "requests",
                quantity: counts.requests as f64,
                per: 1e4,
                tiers: &per_request,
                free: free_requests,
                source: &spec.price_source,
            }
            .line(window),
        );
        lines.push(
            Metered {
                service: "CloudFront",
                component: name,
                item: "data out to the internet",
                unit: "GB",
                quantity: counts.bytes_out as f64 / BYTES_PER_GB,
                per: 1.0,
                tiers: &facts.out_tiers,
                free: free_gb,
                source: &spec.price_source,
            }
            .line(window),
        );
    }
    if usage.internet_out_bytes > 0 {
        let transfer = &scenario.account.transfer;
        let allowance = if free { transfer.free_gb as f64 } else { 0.0 };
        lines.push(
            Metered {
                service: "Data transfer",
                component: "region",
                item: "data out to the internet",
                unit: "GB",
                quantity: usage.internet_out_bytes as f64 / BYTES_PER_GB,
                per: 1.0,
                tiers: &transfer.internet_out_tiers,
                free: allowance,
                source: &scenario.account.transfer_source,
            }
            .line(window),
        );
    }
    if usage.cross_az_bytes > 0 {
        let transfer = &scenario.account.transfer;
        // AWS: each GB crossing zones is charged as it leaves one and as
        // it enters the other.
        let price = transfer.cross_az_usd_per_gb_each_way * 2;
        let gb = usage.cross_az_bytes as f64 / BYTES_PER_GB;
        let charge = charge_for_quantity(price, gb);
        lines.push(LineItem {
            service: "Data transfer".into(),
            component: "region".into(),
            item: "between Availability Zones (both sides)".into(),
            quantity: gb,
            unit: "GB".into(),
            unit_price: price,
            window: charge,
            month: window.to_month(charge),
            price_source: scenario.account.transfer_source.clone(),
        });
    }
    lines
}

/// Usage priced per unit with monthly tiers.
struct Metered<'a> {
    service: &'a str,
    component: &'a str,
    item: &'a str,
    unit: &'a str,
    /// Units used in the window.
    quantity: f64,
    /// Units a tier's price is for (1,000,000 for a price per million).
    per: f64,
    tiers: &'a Tiers,
    /// Free units a month.
    free: f64,
    source: &'a str,
}

impl Metered<'_> {
    /// The line: the window's usage scaled to a month, less the free
    /// units, priced by the tiers, and scaled back to the window.
    fn line(&self, window: &Window) -> LineItem {
        let monthly = self.quantity / window.months();
        let month = self.tiers.charge_after_free(monthly, self.free, self.per);
        LineItem {
            service: self.service.into(),
            component: self.component.into(),
            item: self.item.into(),
            quantity: self.quantity,
            unit: self.unit.into(),
            // The first tier's price of one unit, so that quantity × unit
            // price is the charge below the first tier's bound.
            unit_price: self.tiers.first().mul_ratio(1, self.per as i128),
            window: window.share_of_month(month),
            month,
            price_source: self.source.into(),
        }
    }
}

/// Lambda requests, duration (tiers shared by the functions of one
/// architecture, then the free tier), and provisioned concurrency.
fn lambda_lines(scenario: &Scenario, usage: &Usage, window: &Window) -> Vec<LineItem> {
    let functions: Vec<_> = usage
        .lambda
        .iter()
        .filter_map(|(id, counts)| match &scenario.components[*id].kind {
            ComponentKind::Lambda(spec) => Some((*id, spec, counts)),
            _ => None,
        })
        .collect();
    let Some((_, first, _)) = functions.first() else { return Vec::new() };
    let facts = &first.facts;
    let free = scenario.account.free_tier;
    let months = window.months();
    let gb_s =
        |spec: &crate::scenario::model::LambdaSpec, ms: u64| ms as f64 / 1e3 * spec.memory_gb();
    // Monthly totals shared by the functions: requests, and GB-s per
    // architecture.
    let requests: f64 =
        functions.iter().map(|(_, _, c)| c.invocations as f64).sum::<f64>() / months;
    let arch_gb_s = |arch| -> f64 {
        functions
            .iter()
            .filter(|(_, s, _)| s.arch == arch)
            .map(|(_, s, c)| gb_s(s, c.billed_ms))
            .sum::<f64>()
            / months
    };
    let (x86, arm) = (arch_gb_s(LambdaArch::X86_64), arch_gb_s(LambdaArch::Arm64));
    // AWS: the free tier's 400,000 GB-s cover both architectures together;
    // it is spent on the x86_64 usage first (the dearer one).
    let mut free_gb_s = if free { facts.free_gb_s as f64 } else { 0.0 };
    let mut arch_charge = |arch, total: f64| -> Money {
        let covered = free_gb_s.min(total);
        free_gb_s -= covered;
        facts.tiers(arch).charge_after_free(total, covered, 1.0)
    };
    let x86_charge = arch_charge(LambdaArch::X86_64, x86);
    let arm_charge = arch_charge(LambdaArch::Arm64, arm);
    let free_requests = if free { facts.free_requests as f64 } else { 0.0 };
    let request_charge = charge_for_quantity(
        facts.usd_per_million_requests,
        (requests - free_requests).max(0.0) / 1e6,
    );

    let mut lines = Vec::new();
    for (id, spec, counts) in &functions {
        let name = &scenario.components[*id].name;
        let share = |mine: f64, all: f64| if all > 0.0 { mine / all } else { 0.0 };
        let request_share = share(counts.invocations as f64 / months, requests);
        let month = request_charge.mul_ratio((request_share * 1e9).round() as i128, 1_000_000_000);
        lines.push(LineItem {
            service: "Lambda".into(),
            component: name.clone(),
            item: "requests".into(),
            quantity: counts.invocations as f64,
            unit: "requests".into(),
            unit_price: facts.usd_per_million_requests.mul_ratio(1, 1_000_000),
            window: window.share_of_month(month),
            month,
            price_source: spec.requests_source.clone(),
        });
        let mine = gb_s(spec, counts.billed_ms);
        let (arch_total, arch_month) = match spec.arch {
            LambdaArch::X86_64 => (x86, x86_charge),
            LambdaArch::Arm64 => (arm, arm_charge),
        };
        let duration_share = share(mine / months, arch_total);
        let month = arch_month.mul_ratio((duration_share * 1e9).round() as i128, 1_000_000_000);
        let arch = if spec.arch == LambdaArch::Arm64 { "arm64" } else { "x86_64" };
        lines.push(LineItem {
            service: "Lambda".into(),
            component: name.clone(),
            item: format!("{arch} duration GB-s ({} MB, 1 ms rounding)", spec.memory_mb),
            quantity: mine,
            unit: "GB-s".into(),
            unit_price: facts.tiers(spec.arch).first(),
            window: window.share_of_month(month),
            month,
            price_source: spec.price_source.clone(),
        });
        if spec.provisioned > 0 {
            lines.extend(provisioned_lines(name, spec, counts, window));
        }
    }
    lines
}

/// Provisioned concurrency: the configured memory for the whole window
/// (metered in 5-minute steps) and the duration of invocations it served.
fn provisioned_lines(
    name: &str,
    spec: &crate::scenario::model::LambdaSpec,
    counts: &crate::components::lambda::LambdaCounts,
    window: &Window,
) -> Vec<LineItem> {
    let facts = &spec.facts;
    let (configured_price, duration_price) = facts.provisioned_prices(spec.arch);
    let step = u64::from(facts.provisioned_metering_s) * 1_000_000_000;
    let enabled_s = (window.nanos().div_ceil(step) * step) as f64 / 1e9;
    let configured = f64::from(spec.provisioned) * spec.memory_gb() * enabled_s;
    let configured_charge = charge_for_quantity(configured_price, configured);
    let used = counts.provisioned_billed_ms as f64 / 1e3 * spec.memory_gb();
    let used_charge = charge_for_quantity(duration_price, used);
    let source = spec.provisioned_source.clone();
    vec![
        LineItem {
            service: "Lambda".into(),
            component: name.into(),
            item: format!(
                "provisioned concurrency GB-s ({} × {} MB, 5-minute steps)",
                spec.provisioned, spec.memory_mb
            ),
            quantity: configured,
            unit: "GB-s".into(),
            unit_price: configured_price,
            window: configured_charge,
            month: window.to_month(charge_for_quantity(
                configured_price,
                f64::from(spec.provisioned) * spec.memory_gb() * window.nanos() as f64 / 1e9,
            )),
            price_source: source.clone(),
        },
        LineItem {
            service: "Lambda".into(),
            component: name.into(),
            item: "provisioned concurrency duration GB-s".into(),
            quantity: used,
            unit: "GB-s".into(),
            unit_price: duration_price,
            window: used_charge,
            month: window.to_month(used_charge),
            price_source: source,
        },
    ]
}
