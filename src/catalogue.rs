//! The catalogue: AWS prices, instance specs and service defaults that the
//! simulator prices and sizes components with.
//!
//! The data lives in TOML files under `models/` (`sources.toml`, `ec2.toml`,
//! `elb.toml`, `rds.toml`, `elasticache.toml`, `serverless.toml`,
//! `network.toml`), which are built into the binary. Each
//! figure names its source and the date of that source, so that a report can
//! say where a number comes from and how sure we are of it. A user can
//! replace any of these files with their own copy (`Catalogue::from_dir`);
//! each file's header says what it holds and in which units.
//!
//! Loading runs in two stages: serde structs that mirror the files (`raw`),
//! then checked domain types (`Ec2Type`, `RdsClass`, `AlbFacts`, …). Only the
//! domain types leave this module. The catalogue reads files and nothing else:
//! it knows nothing of scenarios, the engine or reports.

mod check;
mod ec2;
mod elasticache;
mod elb;
mod error;
mod files;
mod network;
mod raw;
mod rds;
mod serverless;
mod source;
mod suggest;
mod tiers;

use std::path::Path;

pub use ec2::{Architecture, BurstableFacts, Ec2Type};
pub use elasticache::{CacheDefaults, CacheEngine, CacheNodeType};
pub use elb::{AlbDefaults, AlbFacts, RoutingAlgorithm};
pub use error::{CatalogueError, Location, UnknownEntry};
pub use files::CatalogueFile;
pub use network::{CloudFrontFacts, TransferFacts};
pub use rds::{MaxConnectionsRule, RdsBillingFacts, RdsClass, RdsEngine, RdsStorageFacts};
pub use serverless::{ApiGatewayFacts, InitRange, LambdaArch, LambdaFacts, SqsFacts};
pub use source::{Cited, Confidence, Source};
pub use tiers::{PriceTier, Tiers};

use files::FileText;
use raw::{
    RawEc2File, RawElastiCacheFile, RawElbFile, RawNetworkFile, RawRdsFile, RawServerlessFile,
    RawSources,
};
use source::SourceTable;

/// The checked contents of the four catalogue files.
///
/// Lookups are by exact name; a miss returns an `UnknownEntry` that carries
/// the closest name, if any. Listings keep the order of the files.
#[derive(Debug, Clone)]
pub struct Catalogue {
    sources: Vec<Source>,
    ec2_types: Vec<Ec2Type>,
    alb: AlbFacts,
    rds_classes: Vec<RdsClass>,
    rds_storage: RdsStorageFacts,
    rds_billing: RdsBillingFacts,
    max_connections_mysql: MaxConnectionsRule,
    max_connections_postgresql: MaxConnectionsRule,
    cache_nodes: Vec<CacheNodeType>,
    cache_defaults: CacheDefaults,
    lambda: LambdaFacts,
    api_gateway: ApiGatewayFacts,
    sqs: SqsFacts,
    cloudfront: CloudFrontFacts,
    transfer: TransferFacts,
    files: Vec<CatalogueFile>,
}

impl Catalogue {
    /// Returns the catalogue built into the binary.
    ///
    /// Parses the embedded files on every call, so callers should keep the
    /// result rather than call this in a loop.
    pub fn builtin() -> Catalogue {
        Catalogue::load(files::builtin_files())
            .expect("the embedded catalogue is checked by the catalogue tests")
    }

    /// Loads the catalogue with a user's directory laid over the built-in one.
    ///
    /// Each of `sources.toml`, `ec2.toml`, `elb.toml` and `rds.toml` found in
    /// `dir` replaces the built-in file of that name as a whole; the others
    /// stay built-in. Fails if `dir` is not a directory, holds another `*.toml`
    /// file, or if any file in force is invalid; the error names the file,
    /// line and column. Citations in every file are checked against the
    /// `sources.toml` in force.
    pub fn from_dir(dir: &Path) -> Result<Catalogue, CatalogueError> {
        Catalogue::load(files::files_from_dir(dir)?)
    }

    /// Parses and checks the files, `sources.toml` first.
    fn load(
        [sources_file, ec2_file, elb_file, rds_file, cache_file, serverless_file, network_file]: [FileText;
            files::FILE_COUNT],
    ) -> Result<Catalogue, CatalogueError> {
        let sources = SourceTable::build(sources_file.parse::<RawSources>()?, &sources_file)?;
        let ec2_types = ec2::build(ec2_file.parse::<RawEc2File>()?, &ec2_file, &sources)?;
        let alb = elb::build(&elb_file.parse::<RawElbFile>()?.alb, &elb_file, &sources)?;
        let rds = rds::build(&rds_file.parse::<RawRdsFile>()?, &rds_file, &sources)?;
        let cache =
            elasticache::build(&cache_file.parse::<RawElastiCacheFile>()?, &cache_file, &sources)?;

        let serverless = serverless::build(
            &serverless_file.parse::<RawServerlessFile>()?,
            &serverless_file,
            &sources,
        )?;
        let network =
            network::build(&network_file.parse::<RawNetworkFile>()?, &network_file, &sources)?;

        let files =
            [sources_file, ec2_file, elb_file, rds_file, cache_file, serverless_file, network_file]
                .map(|file| file.origin)
                .to_vec();
        Ok(Catalogue {
            sources: sources.sources.into_values().collect(),
            ec2_types,
            alb,
            rds_classes: rds.classes,
            rds_storage: rds.storage,
            rds_billing: rds.billing,
            max_connections_mysql: rds.max_connections_mysql,
            max_connections_postgresql: rds.max_connections_postgresql,
            cache_nodes: cache.nodes,
            cache_defaults: cache.defaults,
            lambda: serverless.lambda,
            api_gateway: serverless.api_gateway,
            sqs: serverless.sqs,
            cloudfront: network.cloudfront,
            transfer: network.transfer,
            files,
        })
    }

    /// Returns the EC2 instance type called `name`, such as `c7g.large`.
    pub fn ec2_type(&self, name: &str) -> Result<&Ec2Type, UnknownEntry> {
        self.ec2_types.iter().find(|ty| ty.name == name).ok_or_else(|| UnknownEntry {
            kind: "instance type",
            name: name.to_string(),
            suggestion: suggest::closest(name, self.ec2_type_names()),
        })
    }

    /// Returns every EC2 instance type, in file order.
    pub fn ec2_types(&self) -> impl Iterator<Item = &Ec2Type> {
        self.ec2_types.iter()
    }

    /// Returns the name of every EC2 instance type, in file order.
    pub fn ec2_type_names(&self) -> impl Iterator<Item = &str> {
        self.ec2_types.iter().map(|ty| ty.name.as_str())
    }

    /// Returns the RDS DB instance class called `name`, such as
    /// `db.r6g.large`.
    pub fn rds_class(&self, name: &str) -> Result<&RdsClass, UnknownEntry> {
        self.rds_classes.iter().find(|class| class.name == name).ok_or_else(|| UnknownEntry {
            kind: "DB instance class",
            name: name.to_string(),
            // A missing `db.` prefix is the likeliest slip for users who
            // know the EC2 names, and similarity alone misses it.
            suggestion: suggest::closest(name, self.rds_class_names())
                .or_else(|| suggest::closest(&format!("db.{name}"), self.rds_class_names())),
        })
    }

    /// Returns every RDS DB instance class, in file order.
    pub fn rds_classes(&self) -> impl Iterator<Item = &RdsClass> {
        self.rds_classes.iter()
    }

    /// Returns the name of every RDS DB instance class, in file order.
    pub fn rds_class_names(&self) -> impl Iterator<Item = &str> {
        self.rds_classes.iter().map(|class| class.name.as_str())
    }

    /// Returns the ElastiCache node type called `name`, such as
    /// `cache.r7g.large`.
    pub fn cache_node_type(&self, name: &str) -> Result<&CacheNodeType, UnknownEntry> {
        self.cache_nodes.iter().find(|node| node.name == name).ok_or_else(|| UnknownEntry {
            kind: "cache node type",
            name: name.to_string(),
            suggestion: suggest::closest(name, self.cache_nodes.iter().map(|n| n.name.as_str()))
                .or_else(|| {
                    suggest::closest(
                        &format!("cache.{name}"),
                        self.cache_nodes.iter().map(|n| n.name.as_str()),
                    )
                }),
        })
    }

    /// Returns every ElastiCache node type, in file order.
    pub fn cache_node_types(&self) -> impl Iterator<Item = &CacheNodeType> {
        self.cache_nodes.iter()
    }

    /// Returns the ElastiCache node defaults.
    pub fn cache_defaults(&self) -> &CacheDefaults {
        &self.cache_defaults
    }

    /// Returns the Lambda prices, limits and cold-start times.
    pub fn lambda(&self) -> &LambdaFacts {
        &self.lambda
    }

    /// Returns the API Gateway prices and limits.
    pub fn api_gateway(&self) -> &ApiGatewayFacts {
        &self.api_gateway
    }

    /// Returns the SQS prices and defaults.
    pub fn sqs(&self) -> &SqsFacts {
        &self.sqs
    }

    /// Returns the CloudFront prices and defaults.
    pub fn cloudfront(&self) -> &CloudFrontFacts {
        &self.cloudfront
    }

    /// Returns the data transfer prices.
    pub fn transfer(&self) -> &TransferFacts {
        &self.transfer
    }

    /// Returns the Application Load Balancer prices, LCU dimensions and
    /// defaults.
    pub fn alb(&self) -> &AlbFacts {
        &self.alb
    }

    /// Returns the one-line citation of the ALB default routing algorithm,
    /// for the list of defaults a scenario relied on.
    pub fn cite_alb_routing_default(&self) -> String {
        self.cite(&self.alb.defaults.cite)
    }

    /// Returns the RDS gp3 storage prices and included IOPS.
    pub fn rds_storage(&self) -> &RdsStorageFacts {
        &self.rds_storage
    }

    /// Returns the RDS billing rules (granularity, minimum, Multi-AZ).
    pub fn rds_billing(&self) -> &RdsBillingFacts {
        &self.rds_billing
    }

    /// Returns the default max_connections rule of `engine`.
    pub fn rds_max_connections(&self, engine: RdsEngine) -> &MaxConnectionsRule {
        match engine {
            RdsEngine::Mysql => &self.max_connections_mysql,
            RdsEngine::Postgresql => &self.max_connections_postgresql,
        }
    }

    /// Returns the source with key `key`, such as `S1`.
    pub fn source(&self, key: &str) -> Option<&Source> {
        self.sources.iter().find(|source| source.key == key)
    }

    /// Returns every source, ordered by key.
    pub fn sources(&self) -> impl Iterator<Item = &Source> {
        self.sources.iter()
    }

    /// Returns where each of the files in force came from, for logs.
    pub fn files(&self) -> &[CatalogueFile] {
        &self.files
    }

    /// Returns a one-line citation for reports, such as
    /// "S1: Karpenter on-demand price table generated from AWS pricing data
    /// (2026-01-19)", followed by any agreeing sources, a confidence that
    /// differs from the source's, and the note.
    ///
    /// A key this catalogue does not know (possible only for a `Cited` built
    /// by hand) is shown without a title.
    pub fn cite(&self, cited: &Cited) -> String {
        let source = self.source(&cited.source);
        let mut parts = vec![match source {
            Some(source) => format!("{}: {} ({})", cited.source, source.title, cited.as_of),
            None => format!("{} ({})", cited.source, cited.as_of),
        }];
        if !cited.also.is_empty() {
            parts.push(format!("also {}", cited.also.join(", ")));
        }
        if source.is_some_and(|source| source.confidence != cited.confidence) {
            parts.push(format!("confidence {}", cited.confidence.letter()));
        }
        parts.extend(cited.note.clone());
        parts.join("; ")
    }
}

#[cfg(test)]
mod tests;
