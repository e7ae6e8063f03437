//! CloudFront and data transfer facts: the validated form of
//! `network.toml`.

use super::check::{positive_money, positive_u32};
use super::error::CatalogueError;
use super::files::FileText;
use super::raw::RawNetworkFile;
use super::source::{Cited, SourceTable};
use super::tiers::{self, Tiers};
use crate::billing::money::Money;

/// CloudFront prices (United States, Mexico, Canada and Europe) and
/// defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct CloudFrontFacts {
    /// Price per 10,000 HTTPS requests.
    pub usd_per_10k_requests: Money,
    /// Cites the request price.
    pub requests: Cited,
    /// Data out to the internet, tiers per GB per month.
    pub out_tiers: Tiers,
    /// Cites the data-out prices.
    pub out: Cited,
    /// Always-free GB out and requests per month.
    pub free: (u64, u64),
    /// Cites the free tier.
    pub free_tier: Cited,
    /// TTL of an object whose origin sets none, s.
    pub default_ttl_s: u32,
    /// Cites the default TTL.
    pub ttl: Cited,
}

/// Data transfer prices.
#[derive(Debug, Clone, PartialEq)]
pub struct TransferFacts {
    /// Internet egress from EC2, ELB and API Gateway, tiers per GB per
    /// month.
    pub internet_out_tiers: Tiers,
    /// Cites the egress prices.
    pub internet_out: Cited,
    /// Free GB out per month, over all services.
    pub free_gb: u64,
    /// Cites the free egress.
    pub free_tier: Cited,
    /// Price per GB crossing Availability Zones, charged on each side.
    pub cross_az_usd_per_gb_each_way: Money,
    /// Cites the cross-zone price.
    pub cross_az: Cited,
    /// True when an ALB's traffic to targets in other zones is free.
    pub alb_cross_zone_free: bool,
    /// Cites the ALB rule.
    pub alb_cross_zone: Cited,
}

/// Everything `network.toml` holds, checked.
pub(crate) struct NetworkFacts {
    pub cloudfront: CloudFrontFacts,
    pub transfer: TransferFacts,
}

/// Checks and converts `network.toml`.
pub(crate) fn build(
    raw: &RawNetworkFile,
    file: &FileText,
    sources: &SourceTable,
) -> Result<NetworkFacts, CatalogueError> {
    let cf = &raw.cloudfront;
    let dt = &raw.data_transfer;
    Ok(NetworkFacts {
        cloudfront: CloudFrontFacts {
            usd_per_10k_requests: positive_money(
                &cf.usd_per_10k_https_requests,
                "usd_per_10k_https_requests",
                file,
            )?,
            requests: sources.cite(&cf.requests, file)?,
            out_tiers: tiers::build(&cf.out_tiers, "out_tiers", file)?,
            out: sources.cite(&cf.out, file)?,
            free: (cf.free_gb, cf.free_requests),
            free_tier: sources.cite(&cf.free_tier, file)?,
            default_ttl_s: positive_u32(&cf.default_ttl_s, "default_ttl_s", file)?,
            ttl: sources.cite(&cf.ttl, file)?,
        },
        transfer: TransferFacts {
            internet_out_tiers: tiers::build(&dt.internet_out_tiers, "internet_out_tiers", file)?,
            internet_out: sources.cite(&dt.internet_out, file)?,
            free_gb: dt.free_gb,
            free_tier: sources.cite(&dt.free_tier, file)?,
            cross_az_usd_per_gb_each_way: positive_money(
                &dt.usd_per_gb_cross_az_each_way,
                "usd_per_gb_cross_az_each_way",
                file,
            )?,
            cross_az: sources.cite(&dt.cross_az, file)?,
            alb_cross_zone_free: dt.alb_cross_zone_free,
            alb_cross_zone: sources.cite(&dt.alb_cross_zone, file)?,
        },
    })
}
