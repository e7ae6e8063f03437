//! EC2 instance types: the validated form of `ec2.toml`.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::check::{positive_f64, positive_money, positive_u32};
use super::error::CatalogueError;
use super::files::FileText;
use super::raw::{RawEc2File, RawFamily, RawInstance};
use super::source::{Cited, SourceTable};
use super::suggest;
use crate::billing::money::Money;

/// The instruction set of an instance's processor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
pub enum Architecture {
    /// Intel or AMD; one vCPU is one hyperthread of a core.
    #[serde(rename = "x86_64")]
    X86_64,
    /// AWS Graviton; one vCPU is one whole core.
    #[serde(rename = "arm64")]
    Arm64,
}

/// One EC2 instance type, us-east-1, On-Demand, Linux.
#[derive(Debug, Clone, PartialEq)]
pub struct Ec2Type {
    /// The type name, such as `c7g.large`.
    pub name: String,
    /// The family, the part of the name before the dot (`c7g`).
    pub family: String,
    /// Default vCPUs.
    pub vcpus: u32,
    /// Memory in GiB.
    pub memory_gib: f64,
    /// The On-Demand price per instance-hour.
    pub usd_per_hour: Money,
    /// The processor model, as AWS names it.
    pub processor: String,
    /// The instruction set.
    pub architecture: Architecture,
    /// CPU work a vCPU does per second, relative to the reference core named
    /// in the header of `ec2.toml` (built in: one m6i vCPU). Above zero.
    pub relative_speed: f64,
    /// CPU-credit figures, for burstable (T) types only.
    pub burstable: Option<BurstableFacts>,
    /// Cites `usd_per_hour`.
    pub price: Cited,
    /// Cites `vcpus` and `memory_gib`.
    pub spec: Cited,
    /// Cites `processor` and `architecture`.
    pub hardware: Cited,
    /// Cites `relative_speed`.
    pub speed: Cited,
}

/// CPU-credit figures of a burstable instance type.
///
/// AWS: one credit is one vCPU at 100 % for one minute; an instance earns
/// `baseline_per_vcpu × vcpus × 60` credits an hour and holds at most 24 hours
/// of earnings. The loader checks both identities.
#[derive(Debug, Clone, PartialEq)]
pub struct BurstableFacts {
    /// The share of each vCPU (0.2 = 20 %) usable forever without spending
    /// credits. In (0, 1].
    pub baseline_per_vcpu: f64,
    /// Credits earned per hour.
    pub credits_per_hour: u32,
    /// The most credits the instance can hold.
    pub max_credits: u32,
    /// What unlimited mode charges per vCPU-hour of surplus CPU.
    pub surplus_usd_per_vcpu_hour: Money,
    /// Cites the three credit figures.
    pub credits: Cited,
    /// Cites `surplus_usd_per_vcpu_hour`.
    pub surplus: Cited,
}

/// What every type of a family shares, after checking.
struct Family {
    processor: String,
    architecture: Architecture,
    relative_speed: f64,
    hardware: Cited,
    speed: Cited,
    /// The unlimited-mode surplus price and its cite, for burstable families.
    surplus: Option<(Money, Cited)>,
}

/// Checks and converts `ec2.toml`. Types keep the file's order.
pub(crate) fn build(
    raw: RawEc2File,
    file: &FileText,
    sources: &SourceTable,
) -> Result<Vec<Ec2Type>, CatalogueError> {
    let mut families = BTreeMap::new();
    for (name, family) in raw.family {
        let family = build_family(&name, family, file, sources)?;
        families.insert(name, family);
    }

    let mut types: Vec<Ec2Type> = Vec::with_capacity(raw.instance.len());
    for instance in raw.instance {
        if types.iter().any(|known| known.name == *instance.name.get_ref()) {
            let message = format!("instance type `{}` is listed twice", instance.name.get_ref());
            return Err(file.error_at(Some(instance.name.span()), message));
        }
        types.push(build_type(&instance, &families, file, sources)?);
    }
    Ok(types)
}

fn build_family(
    name: &str,
    raw: RawFamily,
    file: &FileText,
    sources: &SourceTable,
) -> Result<Family, CatalogueError> {
    let surplus = match (raw.burstable, raw.surplus_usd_per_vcpu_hour, raw.surplus) {
        (true, Some(price), Some(cite)) => Some((
            positive_money(&price, "surplus_usd_per_vcpu_hour", file)?,
            sources.cite(&cite, file)?,
        )),
        (false, None, None) => None,
        (true, ..) => {
            let message = format!(
                "family `{name}` is burstable but lacks \
                 `surplus_usd_per_vcpu_hour` or its `surplus` cite"
            );
            return Err(file.error_at(Some(raw.processor.span()), message));
        }
        (false, ..) => {
            let message = format!(
                "family `{name}` is not burstable but has \
                 `surplus_usd_per_vcpu_hour` or `surplus`"
            );
            return Err(file.error_at(Some(raw.processor.span()), message));
        }
    };
    Ok(Family {
        relative_speed: positive_f64(&raw.relative_speed, "relative_speed", file)?,
        processor: raw.processor.into_inner(),
        architecture: raw.architecture,
        hardware: sources.cite(&raw.hardware, file)?,
        speed: sources.cite(&raw.speed, file)?,
        surplus,
    })
}

fn build_type(
    raw: &RawInstance,
    families: &BTreeMap<String, Family>,
    file: &FileText,
    sources: &SourceTable,
) -> Result<Ec2Type, CatalogueError> {
    let name_span = raw.name.span();
    let name = raw.name.get_ref().clone();
    let family_name = match name.split_once('.') {
        Some((family, size)) if !family.is_empty() && !size.is_empty() => family.to_string(),
        _ => {
            let message = format!("instance type `{name}` is not of the form FAMILY.SIZE");
            return Err(file.error_at(Some(name_span), message));
        }
    };
    let Some(family) = families.get(&family_name) else {
        let hint =
            suggest::closest(&family_name, families.keys().map(String::as_str)).map(|close| {
                format!("did you mean `{close}`? Each family needs a [family.NAME] table")
            });
        let message = format!(
            "instance type `{name}`: family `{family_name}` has no [family.{family_name}] table"
        );
        return Err(file.error_with_hint(Some(name_span), message, hint));
    };

    let vcpus = positive_u32(&raw.vcpus, "vcpus", file)?;
    let burstable = match &family.surplus {
        Some(surplus) => Some(build_credits(raw, vcpus, surplus, file, sources)?),
        None if raw.baseline_per_vcpu.is_some()
            || raw.credits_per_hour.is_some()
            || raw.max_credits.is_some()
            || raw.credits.is_some() =>
        {
            let message = format!(
                "instance type `{name}` has credit figures \
                 but family `{family_name}` is not burstable"
            );
            return Err(file.error_at(Some(name_span), message));
        }
        None => None,
    };

    Ok(Ec2Type {
        vcpus,
        memory_gib: positive_f64(&raw.memory_gib, "memory_gib", file)?,
        usd_per_hour: positive_money(&raw.usd_per_hour, "usd_per_hour", file)?,
        processor: family.processor.clone(),
        architecture: family.architecture,
        relative_speed: family.relative_speed,
        burstable,
        price: sources.cite(&raw.price, file)?,
        spec: sources.cite(&raw.spec, file)?,
        hardware: family.hardware.clone(),
        speed: family.speed.clone(),
        name,
        family: family_name,
    })
}

/// Checks a burstable type's credit figures against AWS's definitions.
fn build_credits(
    raw: &RawInstance,
    vcpus: u32,
    (surplus_price, surplus_cite): &(Money, Cited),
    file: &FileText,
    sources: &SourceTable,
) -> Result<BurstableFacts, CatalogueError> {
    let name = raw.name.get_ref();
    let missing = |field: &str| {
        let message = format!("burstable instance type `{name}` lacks `{field}`");
        file.error_at(Some(raw.name.span()), message)
    };
    let baseline = raw.baseline_per_vcpu.as_ref().ok_or_else(|| missing("baseline_per_vcpu"))?;
    let per_hour = raw.credits_per_hour.as_ref().ok_or_else(|| missing("credits_per_hour"))?;
    let max = raw.max_credits.as_ref().ok_or_else(|| missing("max_credits"))?;
    let cite = raw.credits.as_ref().ok_or_else(|| missing("credits"))?;

    let baseline_per_vcpu = positive_f64(baseline, "baseline_per_vcpu", file)?;
    if baseline_per_vcpu > 1.0 {
        let message =
            format!("`baseline_per_vcpu` = {baseline_per_vcpu}: a share of one vCPU, at most 1");
        return Err(file.error_at(Some(baseline.span()), message));
    }
    // AWS (S3): credits earned per hour = baseline × vCPUs × 60 minutes.
    let earned = baseline_per_vcpu * f64::from(vcpus) * 60.0;
    if (earned - f64::from(*per_hour.get_ref())).abs() > 1e-6 {
        let message = format!(
            "`credits_per_hour` = {}: AWS defines it as baseline × vCPUs × 60 = {earned}",
            per_hour.get_ref()
        );
        return Err(file.error_at(Some(per_hour.span()), message));
    }
    // AWS (S3): an instance holds at most the credits it earns in 24 hours.
    if u64::from(*max.get_ref()) != 24 * u64::from(*per_hour.get_ref()) {
        let message =
            format!("`max_credits` = {}: AWS defines it as 24 × credits_per_hour", max.get_ref());
        return Err(file.error_at(Some(max.span()), message));
    }

    Ok(BurstableFacts {
        baseline_per_vcpu,
        credits_per_hour: *per_hour.get_ref(),
        max_credits: *max.get_ref(),
        surplus_usd_per_vcpu_hour: *surplus_price,
        credits: sources.cite(cite, file)?,
        surplus: surplus_cite.clone(),
    })
}
