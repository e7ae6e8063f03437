//! Application Load Balancer prices, LCU dimensions and defaults: the
//! validated form of `elb.toml`.

use serde::Deserialize;

use super::check::{positive_f64, positive_money, positive_u32};
use super::error::CatalogueError;
use super::files::FileText;
use super::raw::{RawAlb, RawAlbDefaults};
use super::source::{Cited, SourceTable};
use crate::billing::money::Money;

/// How an ALB target group picks a target for a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoutingAlgorithm {
    /// Each healthy target in turn.
    RoundRobin,
    /// The target with the fewest requests in flight.
    LeastOutstandingRequests,
}

/// What an Application Load Balancer costs, and the settings AWS gives a new
/// one, in us-east-1.
///
/// AWS: each hour is billed at `usd_per_hour` plus `usd_per_lcu_hour` times
/// the largest of the four LCU dimension counts, where one LCU covers the
/// per-LCU figures below.
#[derive(Debug, Clone, PartialEq)]
pub struct AlbFacts {
    /// The price per load-balancer-hour.
    pub usd_per_hour: Money,
    /// The price per LCU-hour.
    pub usd_per_lcu_hour: Money,
    /// Cites both prices.
    pub price: Cited,
    /// Whether a partial hour is billed as a whole one.
    pub partial_hour_billed_as_full_hour: bool,
    /// Cites the partial-hour rule.
    pub partial_hour: Cited,
    /// New connections per second, averaged over the hour, in one LCU.
    pub new_connections_per_lcu_per_s: f64,
    /// Active connections, sampled per minute, in one LCU.
    pub active_connections_per_lcu_per_min: f64,
    /// GB processed per hour in one LCU for EC2, container and IP targets.
    pub processed_gb_per_lcu_hour_ec2: f64,
    /// GB processed per hour in one LCU for Lambda targets.
    pub processed_gb_per_lcu_hour_lambda: f64,
    /// Rule evaluations per second in one LCU.
    pub rule_evaluations_per_lcu_per_s: f64,
    /// Cites the five LCU dimension figures.
    pub lcu_dimensions: Cited,
    /// Rules processed per request that do not count as rule evaluations.
    pub free_rules_per_request: u32,
    /// Cites `free_rules_per_request`.
    pub free_rules: Cited,
    /// The settings of a new ALB and target group.
    pub defaults: AlbDefaults,
}

/// The settings AWS gives a new ALB and its target groups (instance and IP
/// targets).
#[derive(Debug, Clone, PartialEq)]
pub struct AlbDefaults {
    /// How targets are picked.
    pub routing_algorithm: RoutingAlgorithm,
    /// How long a deregistering target keeps its in-flight requests.
    pub deregistration_delay_s: u32,
    /// Time between health checks of one target.
    pub health_check_interval_s: u32,
    /// Time after which a health check counts as failed.
    pub health_check_timeout_s: u32,
    /// Consecutive passed checks that make an unhealthy target healthy.
    pub healthy_threshold: u32,
    /// Consecutive failed checks that make a healthy target unhealthy.
    pub unhealthy_threshold: u32,
    /// Time an idle connection is kept open.
    pub idle_timeout_s: u32,
    /// Cites all of these defaults.
    pub cite: Cited,
}

/// Checks and converts the `[alb]` table of `elb.toml`.
pub(crate) fn build(
    raw: &RawAlb,
    file: &FileText,
    sources: &SourceTable,
) -> Result<AlbFacts, CatalogueError> {
    let lcu = &raw.lcu;
    Ok(AlbFacts {
        usd_per_hour: positive_money(&raw.usd_per_hour, "usd_per_hour", file)?,
        usd_per_lcu_hour: positive_money(&raw.usd_per_lcu_hour, "usd_per_lcu_hour", file)?,
        price: sources.cite(&raw.price, file)?,
        partial_hour_billed_as_full_hour: raw.partial_hour_billed_as_full_hour,
        partial_hour: sources.cite(&raw.partial_hour, file)?,
        new_connections_per_lcu_per_s: positive_f64(
            &lcu.new_connections_per_s,
            "new_connections_per_s",
            file,
        )?,
        active_connections_per_lcu_per_min: positive_f64(
            &lcu.active_connections_per_min,
            "active_connections_per_min",
            file,
        )?,
        processed_gb_per_lcu_hour_ec2: positive_f64(
            &lcu.processed_gb_per_hour_ec2,
            "processed_gb_per_hour_ec2",
            file,
        )?,
        processed_gb_per_lcu_hour_lambda: positive_f64(
            &lcu.processed_gb_per_hour_lambda,
            "processed_gb_per_hour_lambda",
            file,
        )?,
        rule_evaluations_per_lcu_per_s: positive_f64(
            &lcu.rule_evaluations_per_s,
            "rule_evaluations_per_s",
            file,
        )?,
        lcu_dimensions: sources.cite(&lcu.dimensions, file)?,
        free_rules_per_request: lcu.free_rules_per_request,
        free_rules: sources.cite(&lcu.free_rules, file)?,
        defaults: build_defaults(&raw.defaults, file, sources)?,
    })
}

fn build_defaults(
    raw: &RawAlbDefaults,
    file: &FileText,
    sources: &SourceTable,
) -> Result<AlbDefaults, CatalogueError> {
    Ok(AlbDefaults {
        routing_algorithm: raw.routing_algorithm,
        deregistration_delay_s: raw.deregistration_delay_s,
        health_check_interval_s: positive_u32(
            &raw.health_check_interval_s,
            "health_check_interval_s",
            file,
        )?,
        health_check_timeout_s: positive_u32(
            &raw.health_check_timeout_s,
            "health_check_timeout_s",
            file,
        )?,
        healthy_threshold: positive_u32(&raw.healthy_threshold, "healthy_threshold", file)?,
        unhealthy_threshold: positive_u32(&raw.unhealthy_threshold, "unhealthy_threshold", file)?,
        idle_timeout_s: positive_u32(&raw.idle_timeout_s, "idle_timeout_s", file)?,
        cite: sources.cite(&raw.cite, file)?,
    })
}
