//! RDS instance classes, gp3 storage, billing rules and max_connections
//! formulas: the validated form of `rds.toml`.

use std::fmt;

use toml::Spanned;

use super::check::{positive_f64, positive_money, positive_u32};
use super::error::CatalogueError;
use super::files::FileText;
use super::raw::{RawBilling, RawCite, RawClass, RawGp3, RawMaxConnectionsRule, RawRdsFile};
use super::source::{Cited, SourceTable};
use crate::billing::money::Money;

/// A database engine the catalogue has RDS prices for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RdsEngine {
    /// RDS for MySQL.
    Mysql,
    /// RDS for PostgreSQL.
    Postgresql,
}

impl RdsEngine {
    /// Both engines, in a fixed order.
    pub const ALL: [RdsEngine; 2] = [RdsEngine::Mysql, RdsEngine::Postgresql];

    /// Returns the engine's lower-case name as scenarios and TOML keys write
    /// it: `mysql` or `postgresql`.
    pub fn key(self) -> &'static str {
        match self {
            RdsEngine::Mysql => "mysql",
            RdsEngine::Postgresql => "postgresql",
        }
    }
}

impl fmt::Display for RdsEngine {
    /// Writes the engine's product name: `MySQL` or `PostgreSQL`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RdsEngine::Mysql => "MySQL",
            RdsEngine::Postgresql => "PostgreSQL",
        })
    }
}

/// One RDS DB instance class, us-east-1, On-Demand, Single-AZ.
///
/// An engine price is `None` where the sources have none; such a class
/// cannot be priced for that engine. Each price comes with its own cite, and
/// the two are always both present or both absent.
#[derive(Debug, Clone, PartialEq)]
pub struct RdsClass {
    /// The class name, such as `db.r6g.large`.
    pub name: String,
    /// vCPUs.
    pub vcpus: u32,
    /// Memory in GiB.
    pub memory_gib: f64,
    /// The MySQL price per instance-hour.
    pub usd_per_hour_mysql: Option<Money>,
    /// The PostgreSQL price per instance-hour.
    pub usd_per_hour_postgresql: Option<Money>,
    /// Cites `usd_per_hour_mysql`.
    pub price_mysql: Option<Cited>,
    /// Cites `usd_per_hour_postgresql`.
    pub price_postgresql: Option<Cited>,
    /// Cites `vcpus` and `memory_gib`.
    pub spec: Cited,
}

impl RdsClass {
    /// Returns the Single-AZ price per instance-hour for `engine`, if known.
    pub fn usd_per_hour(&self, engine: RdsEngine) -> Option<Money> {
        match engine {
            RdsEngine::Mysql => self.usd_per_hour_mysql,
            RdsEngine::Postgresql => self.usd_per_hour_postgresql,
        }
    }

    /// Returns the cite of the price for `engine`, if the price is known.
    pub fn price_cite(&self, engine: RdsEngine) -> Option<&Cited> {
        match engine {
            RdsEngine::Mysql => self.price_mysql.as_ref(),
            RdsEngine::Postgresql => self.price_postgresql.as_ref(),
        }
    }
}

/// RDS gp3 storage prices and included performance, us-east-1.
#[derive(Debug, Clone, PartialEq)]
pub struct RdsStorageFacts {
    /// The price per GB of provisioned storage per month.
    pub gp3_usd_per_gb_month: Money,
    /// Cites `gp3_usd_per_gb_month`.
    pub gp3_price: Cited,
    /// IOPS included with a volume smaller than `gp3_large_volume_from_gb`.
    pub gp3_included_iops: u32,
    /// IOPS included with a volume of `gp3_large_volume_from_gb` or more.
    pub gp3_included_iops_large: u32,
    /// The volume size, in GB, from which the larger IOPS allowance applies.
    pub gp3_large_volume_from_gb: u32,
    /// Cites the three included-IOPS figures.
    pub gp3_included: Cited,
    /// The price per provisioned IOPS above the included ones, per month.
    pub gp3_usd_per_extra_iops_month: Money,
    /// Cites `gp3_usd_per_extra_iops_month`.
    pub gp3_extra_iops: Cited,
}

impl RdsStorageFacts {
    /// Returns the IOPS included with a gp3 volume of `volume_gb`.
    pub fn gp3_included_iops_for(&self, volume_gb: u32) -> u32 {
        if volume_gb >= self.gp3_large_volume_from_gb {
            self.gp3_included_iops_large
        } else {
            self.gp3_included_iops
        }
    }
}

/// How RDS bills instance time.
#[derive(Debug, Clone, PartialEq)]
pub struct RdsBillingFacts {
    /// The billing step: instance time is billed per this many seconds.
    pub granularity_s: u32,
    /// The least time billed at start and after each billable change.
    pub minimum_s: u32,
    /// How many instances a Multi-AZ (one standby) deployment bills.
    pub multi_az_instance_factor: u32,
    /// How many copies of the storage a Multi-AZ deployment bills.
    pub multi_az_storage_factor: u32,
    /// Cites all of these rules.
    pub cite: Cited,
}

/// An engine's default `max_connections`:
/// `min(DBInstanceClassMemory / memory_divisor_bytes, cap)`.
///
/// DBInstanceClassMemory is the class memory less what RDS keeps for the
/// operating system and its own processes. AWS does not publish that share,
/// so the class's full memory gives an upper bound.
#[derive(Debug, Clone, PartialEq)]
pub struct MaxConnectionsRule {
    /// The formula as the default parameter group writes it.
    pub formula: String,
    /// Bytes of DBInstanceClassMemory per allowed connection.
    pub memory_divisor_bytes: u64,
    /// The upper limit, if the formula has one.
    pub cap: Option<u32>,
    /// Cites the formula.
    pub cite: Cited,
}

impl MaxConnectionsRule {
    /// Returns the default max_connections for `class_memory_bytes` of
    /// DBInstanceClassMemory, rounded down as the parameter group does.
    pub fn connections_for(&self, class_memory_bytes: u64) -> u32 {
        let connections = class_memory_bytes / self.memory_divisor_bytes;
        let connections = u32::try_from(connections).unwrap_or(u32::MAX);
        self.cap.map_or(connections, |cap| connections.min(cap))
    }
}

/// Everything `rds.toml` holds, checked.
pub(crate) struct RdsFacts {
    pub classes: Vec<RdsClass>,
    pub storage: RdsStorageFacts,
    pub billing: RdsBillingFacts,
    pub max_connections_mysql: MaxConnectionsRule,
    pub max_connections_postgresql: MaxConnectionsRule,
}

/// Checks and converts `rds.toml`. Classes keep the file's order.
pub(crate) fn build(
    raw: &RawRdsFile,
    file: &FileText,
    sources: &SourceTable,
) -> Result<RdsFacts, CatalogueError> {
    let mut classes: Vec<RdsClass> = Vec::with_capacity(raw.class.len());
    for class in &raw.class {
        if classes.iter().any(|known| known.name == *class.name.get_ref()) {
            let message = format!("DB instance class `{}` is listed twice", class.name.get_ref());
            return Err(file.error_at(Some(class.name.span()), message));
        }
        classes.push(build_class(class, file, sources)?);
    }
    Ok(RdsFacts {
        classes,
        storage: build_storage(&raw.storage.gp3, file, sources)?,
        billing: build_billing(&raw.billing, file, sources)?,
        max_connections_mysql: build_max_connections(&raw.max_connections.mysql, file, sources)?,
        max_connections_postgresql: build_max_connections(
            &raw.max_connections.postgresql,
            file,
            sources,
        )?,
    })
}

fn build_class(
    raw: &RawClass,
    file: &FileText,
    sources: &SourceTable,
) -> Result<RdsClass, CatalogueError> {
    let name = raw.name.get_ref();
    if !name.starts_with("db.") {
        let hint = Some(format!("RDS class names start with `db.`, as in `db.{name}`"));
        let message = format!("DB instance class `{name}` does not start with `db.`");
        return Err(file.error_with_hint(Some(raw.name.span()), message, hint));
    }
    let mysql = engine_price(
        raw.usd_per_hour_mysql.as_ref(),
        raw.price_mysql.as_ref(),
        RdsEngine::Mysql,
        file,
        sources,
    )?;
    let postgresql = engine_price(
        raw.usd_per_hour_postgresql.as_ref(),
        raw.price_postgresql.as_ref(),
        RdsEngine::Postgresql,
        file,
        sources,
    )?;
    if mysql.is_none() && postgresql.is_none() {
        let message = format!("DB instance class `{name}` has no price for any engine");
        return Err(file.error_at(Some(raw.name.span()), message));
    }

    let (usd_per_hour_mysql, price_mysql) = mysql.unzip();
    let (usd_per_hour_postgresql, price_postgresql) = postgresql.unzip();
    Ok(RdsClass {
        name: name.clone(),
        vcpus: positive_u32(&raw.vcpus, "vcpus", file)?,
        memory_gib: positive_f64(&raw.memory_gib, "memory_gib", file)?,
        usd_per_hour_mysql,
        usd_per_hour_postgresql,
        price_mysql,
        price_postgresql,
        spec: sources.cite(&raw.spec, file)?,
    })
}

/// Checks that an engine's price and its cite come together.
fn engine_price(
    price: Option<&Spanned<Money>>,
    cite: Option<&RawCite>,
    engine: RdsEngine,
    file: &FileText,
    sources: &SourceTable,
) -> Result<Option<(Money, Cited)>, CatalogueError> {
    let key = engine.key();
    match (price, cite) {
        (Some(price), Some(cite)) => {
            let field = format!("usd_per_hour_{key}");
            Ok(Some((positive_money(price, &field, file)?, sources.cite(cite, file)?)))
        }
        (None, None) => Ok(None),
        (Some(price), None) => {
            let message = format!("`usd_per_hour_{key}` has no `price_{key}` cite");
            Err(file.error_at(Some(price.span()), message))
        }
        (None, Some(cite)) => {
            let message =
                format!("`price_{key}` cites a price that is missing: add `usd_per_hour_{key}`");
            Err(file.error_at(Some(cite.source.span()), message))
        }
    }
}

fn build_storage(
    raw: &RawGp3,
    file: &FileText,
    sources: &SourceTable,
) -> Result<RdsStorageFacts, CatalogueError> {
    Ok(RdsStorageFacts {
        gp3_usd_per_gb_month: positive_money(&raw.usd_per_gb_month, "usd_per_gb_month", file)?,
        gp3_price: sources.cite(&raw.price, file)?,
        gp3_included_iops: positive_u32(&raw.included_iops, "included_iops", file)?,
        gp3_included_iops_large: positive_u32(
            &raw.included_iops_large,
            "included_iops_large",
            file,
        )?,
        gp3_large_volume_from_gb: positive_u32(
            &raw.large_volume_from_gb,
            "large_volume_from_gb",
            file,
        )?,
        gp3_included: sources.cite(&raw.included, file)?,
        gp3_usd_per_extra_iops_month: positive_money(
            &raw.usd_per_iops_month,
            "usd_per_iops_month",
            file,
        )?,
        gp3_extra_iops: sources.cite(&raw.extra_iops, file)?,
    })
}

fn build_billing(
    raw: &RawBilling,
    file: &FileText,
    sources: &SourceTable,
) -> Result<RdsBillingFacts, CatalogueError> {
    Ok(RdsBillingFacts {
        granularity_s: positive_u32(&raw.granularity_s, "granularity_s", file)?,
        minimum_s: raw.minimum_s,
        multi_az_instance_factor: positive_u32(
            &raw.multi_az_instance_factor,
            "multi_az_instance_factor",
            file,
        )?,
        multi_az_storage_factor: positive_u32(
            &raw.multi_az_storage_factor,
            "multi_az_storage_factor",
            file,
        )?,
        cite: sources.cite(&raw.cite, file)?,
    })
}

/// Checks a max_connections rule. The formula text is what a reader sees and
/// the divisor and cap are what the simulator uses, so they must agree.
fn build_max_connections(
    raw: &RawMaxConnectionsRule,
    file: &FileText,
    sources: &SourceTable,
) -> Result<MaxConnectionsRule, CatalogueError> {
    let formula = raw.formula.get_ref();
    let divisor = *raw.memory_divisor_bytes.get_ref();
    if divisor == 0 {
        return Err(file.error_at(
            Some(raw.memory_divisor_bytes.span()),
            "`memory_divisor_bytes` = 0: must be above zero",
        ));
    }
    if !formula.contains(&format!("/{divisor}")) {
        let message = format!(
            "`formula` = \"{formula}\" does not divide by memory_divisor_bytes = {divisor}"
        );
        return Err(file.error_at(Some(raw.formula.span()), message));
    }
    let cap = raw.cap.as_ref().map(|cap| *cap.get_ref());
    if let Some(cap) = cap.filter(|cap| !formula.contains(&cap.to_string())) {
        let message = format!("`formula` = \"{formula}\" does not mention cap = {cap}");
        return Err(file.error_at(Some(raw.formula.span()), message));
    }
    Ok(MaxConnectionsRule {
        formula: formula.clone(),
        memory_divisor_bytes: divisor,
        cap,
        cite: sources.cite(&raw.cite, file)?,
    })
}
