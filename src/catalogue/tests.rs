//! Tests of the built-in catalogue data and of loading user overrides.

use std::fs;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::*;
use crate::billing::money::Money;

fn usd(text: &str) -> Money {
    Money::parse_usd(text).unwrap()
}

/// A fresh, empty directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path =
            std::env::temp_dir().join(format!("cloudtwin-catalogue-{}-{n}", std::process::id()));
        let _ = fs::remove_dir_all(&path);
        fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }

    fn write(&self, name: &str, text: &str) {
        fs::write(self.0.join(name), text).unwrap();
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// The built-in text of `name` with `from` replaced by `to` (which must occur).
fn builtin_with(name: &str, from: &str, to: &str) -> String {
    let index = files::FILE_NAMES.iter().position(|file| *file == name).unwrap();
    let text = files::builtin_files()[index].text.to_string();
    assert!(text.contains(from), "{name} does not contain {from:?}");
    text.replacen(from, to, 1)
}

/// The error message of loading `dir`, which must fail.
fn load_error(dir: &TempDir) -> String {
    Catalogue::from_dir(&dir.0).unwrap_err().to_string()
}

#[test]
fn builtin_loads() {
    let catalogue = Catalogue::builtin();
    assert!(catalogue.ec2_types().count() >= 50);
    assert!(catalogue.rds_classes().count() >= 20);
    assert!(catalogue.files().iter().all(|file| file.path.is_none()));
}

#[test]
fn ec2_spot_values_match_aws_facts() {
    let catalogue = Catalogue::builtin();
    let t3 = catalogue.ec2_type("t3.medium").unwrap();
    assert_eq!((t3.vcpus, t3.memory_gib, t3.usd_per_hour), (2, 4.0, usd("0.0416")));
    assert_eq!(t3.architecture, Architecture::X86_64);

    let c7g = catalogue.ec2_type("c7g.large").unwrap();
    assert_eq!(c7g.usd_per_hour, usd("0.0725"));
    assert_eq!(c7g.architecture, Architecture::Arm64);
    assert!(c7g.burstable.is_none());

    assert_eq!(catalogue.ec2_type("r7g.4xlarge").unwrap().usd_per_hour, usd("0.8568"));
    assert_eq!(catalogue.ec2_type("m5.large").unwrap().usd_per_hour, usd("0.096"));
}

#[test]
fn burstable_types_carry_credit_figures() {
    let catalogue = Catalogue::builtin();
    let credits = catalogue.ec2_type("t3.micro").unwrap().burstable.as_ref().unwrap();
    assert_eq!(
        (credits.baseline_per_vcpu, credits.credits_per_hour, credits.max_credits),
        (0.10, 12, 288)
    );
    let credits = catalogue.ec2_type("t4g.xlarge").unwrap().burstable.as_ref().unwrap();
    assert_eq!((credits.credits_per_hour, credits.max_credits), (96, 2304));
    assert_eq!(credits.surplus_usd_per_vcpu_hour, usd("0.04"));
}

#[test]
fn ec2_prices_scale_linearly_with_size_within_a_family() {
    // AWS prices each size of these families at exactly twice the one below,
    // so a break in the pattern is a typo in ec2.toml.
    let catalogue = Catalogue::builtin();
    for ty in catalogue.ec2_types() {
        let per_vcpu = ty.usd_per_hour.mul_ratio(1, i128::from(ty.vcpus));
        let large = catalogue.ec2_type(&format!("{}.large", ty.family)).unwrap();
        let large_per_vcpu = large.usd_per_hour.mul_ratio(1, i128::from(large.vcpus));
        if ty.burstable.is_none() {
            assert_eq!(per_vcpu, large_per_vcpu, "{}", ty.name);
        }
    }
}

#[test]
fn alb_prices_and_lcu_dimensions() {
    let alb = Catalogue::builtin().alb().clone();
    assert_eq!((alb.usd_per_hour, alb.usd_per_lcu_hour), (usd("0.0225"), usd("0.008")));
    assert_eq!(alb.new_connections_per_lcu_per_s, 25.0);
    assert_eq!(alb.active_connections_per_lcu_per_min, 3000.0);
    assert_eq!(
        (alb.processed_gb_per_lcu_hour_ec2, alb.processed_gb_per_lcu_hour_lambda),
        (1.0, 0.4)
    );
    assert_eq!((alb.rule_evaluations_per_lcu_per_s, alb.free_rules_per_request), (1000.0, 10));
    assert!(alb.partial_hour_billed_as_full_hour);
    assert_eq!(alb.defaults.routing_algorithm, RoutingAlgorithm::RoundRobin);
    assert_eq!(
        (alb.defaults.health_check_interval_s, alb.defaults.health_check_timeout_s),
        (30, 5)
    );
}

#[test]
fn rds_spot_values_match_aws_facts() {
    let catalogue = Catalogue::builtin();
    let r6g = catalogue.rds_class("db.r6g.large").unwrap();
    assert_eq!(r6g.usd_per_hour(RdsEngine::Postgresql), Some(usd("0.225")));
    assert_eq!(r6g.usd_per_hour(RdsEngine::Mysql), Some(usd("0.215")));
    assert_eq!((r6g.vcpus, r6g.memory_gib), (2, 16.0));

    // PostgreSQL db.r7g prices were not found, so there is none.
    let r7g = catalogue.rds_class("db.r7g.large").unwrap();
    assert_eq!(r7g.usd_per_hour(RdsEngine::Postgresql), None);
    assert!(r7g.price_cite(RdsEngine::Postgresql).is_none());

    let m7g = catalogue.rds_class("db.m7g.large").unwrap();
    assert_eq!(m7g.price_cite(RdsEngine::Postgresql).unwrap().confidence, Confidence::Unverified);
}

#[test]
fn cache_spot_values_match_aws_facts() {
    let catalogue = Catalogue::builtin();
    let r7g = catalogue.cache_node_type("cache.r7g.large").unwrap();
    assert_eq!(r7g.usd_per_hour(CacheEngine::Redis), usd("0.219"));
    assert_eq!(r7g.usd_per_hour(CacheEngine::Memcached), usd("0.219"));
    assert_eq!(r7g.usd_per_hour(CacheEngine::Valkey), usd("0.1752"));
    assert_eq!((r7g.vcpus, r7g.memory_gib), (2, 13.07));
    for node in catalogue.cache_node_types() {
        // S21: Valkey is 0.8 times the Redis OSS rate for every type.
        assert_eq!(
            node.usd_per_hour_valkey,
            node.usd_per_hour_redis.mul_ratio(4, 5),
            "{}",
            node.name
        );
    }
    assert_eq!(catalogue.cache_defaults().reserved_memory_percent, 25);
    let unknown = catalogue.cache_node_type("r7g.large").unwrap_err();
    assert_eq!(unknown.suggestion.as_deref(), Some("cache.r7g.large"));
}

#[test]
fn serverless_and_network_spot_values_match_aws_facts() {
    let catalogue = Catalogue::builtin();
    let l = catalogue.lambda();
    assert_eq!(l.usd_per_million_requests, usd("0.20"));
    assert_eq!(l.tiers(LambdaArch::X86_64).first(), usd("0.0000166667"));
    assert_eq!(l.tiers(LambdaArch::Arm64).first(), usd("0.0000133334"));
    assert_eq!(
        l.provisioned_prices(LambdaArch::X86_64),
        (usd("0.0000041667"), usd("0.0000097222"))
    );
    assert_eq!((l.free_requests, l.free_gb_s), (1_000_000, 400_000));
    assert_eq!((l.memory_mb, l.mb_per_vcpu), ((128, 10_240, 128), 1_769));
    assert_eq!((l.account_concurrency, l.scaling_per_10s), (1_000, 1_000));
    assert_eq!(catalogue.api_gateway().http_tiers.first(), usd("1.00"));
    assert_eq!(catalogue.api_gateway().rest_tiers.first(), usd("3.50"));
    assert_eq!(catalogue.sqs().standard_tiers.first(), usd("0.40"));
    assert_eq!(catalogue.sqs().chunk_bytes, 65_536);
    assert_eq!(catalogue.cloudfront().usd_per_10k_requests, usd("0.0100"));
    assert_eq!(catalogue.cloudfront().out_tiers.first(), usd("0.085"));
    assert_eq!(catalogue.transfer().internet_out_tiers.first(), usd("0.09"));
    assert_eq!(catalogue.transfer().cross_az_usd_per_gb_each_way, usd("0.01"));
}

#[test]
fn rds_storage_billing_and_max_connections() {
    let catalogue = Catalogue::builtin();
    let storage = catalogue.rds_storage();
    assert_eq!(storage.gp3_usd_per_gb_month, usd("0.115"));
    assert_eq!(storage.gp3_usd_per_extra_iops_month, usd("0.02"));
    assert_eq!(
        (storage.gp3_included_iops_for(100), storage.gp3_included_iops_for(400)),
        (3000, 12000)
    );

    let billing = catalogue.rds_billing();
    assert_eq!(
        (billing.granularity_s, billing.minimum_s, billing.multi_az_instance_factor),
        (1, 600, 2)
    );

    // 16 GiB: MySQL 17,179,869,184 / 12,582,880 = 1,365; PostgreSQL
    // 17,179,869,184 / 9,531,392 = 1,802. 64 GiB of PostgreSQL hits the cap.
    let gib = 1u64 << 30;
    assert_eq!(catalogue.rds_max_connections(RdsEngine::Mysql).connections_for(16 * gib), 1365);
    assert_eq!(
        catalogue.rds_max_connections(RdsEngine::Postgresql).connections_for(16 * gib),
        1802
    );
    assert_eq!(
        catalogue.rds_max_connections(RdsEngine::Postgresql).connections_for(64 * gib),
        5000
    );
}

#[test]
fn unknown_names_get_a_suggestion() {
    let catalogue = Catalogue::builtin();
    let err = catalogue.ec2_type("c7g.larg").unwrap_err();
    assert_eq!(err.to_string(), "unknown instance type `c7g.larg`");
    assert_eq!(err.suggestion.as_deref(), Some("c7g.large"));

    let err = catalogue.rds_class("db.r6g.lage").unwrap_err();
    assert_eq!(err.suggestion.as_deref(), Some("db.r6g.large"));
    let err = catalogue.rds_class("r6g.large").unwrap_err();
    assert_eq!(err.suggestion.as_deref(), Some("db.r6g.large"));

    assert_eq!(catalogue.ec2_type("quantum-computer").unwrap_err().suggestion, None);
}

#[test]
fn every_cited_source_exists_and_every_source_is_cited() {
    // Loading already rejects unknown keys; this also catches sources.toml
    // entries that nothing uses any more.
    let catalogue = Catalogue::builtin();
    let mut cites: Vec<&Cited> = Vec::new();
    for ty in catalogue.ec2_types() {
        cites.extend([&ty.price, &ty.spec, &ty.hardware, &ty.speed]);
        if let Some(credits) = &ty.burstable {
            cites.extend([&credits.credits, &credits.surplus]);
        }
    }
    let alb = catalogue.alb();
    cites.extend([
        &alb.price,
        &alb.partial_hour,
        &alb.lcu_dimensions,
        &alb.free_rules,
        &alb.defaults.cite,
    ]);
    for class in catalogue.rds_classes() {
        cites.push(&class.spec);
        cites.extend(RdsEngine::ALL.iter().filter_map(|engine| class.price_cite(*engine)));
    }
    let storage = catalogue.rds_storage();
    cites.extend([
        &storage.gp3_price,
        &storage.gp3_included,
        &storage.gp3_extra_iops,
        &catalogue.rds_billing().cite,
    ]);
    cites.extend(RdsEngine::ALL.iter().map(|engine| &catalogue.rds_max_connections(*engine).cite));
    for node in catalogue.cache_node_types() {
        cites.extend([&node.spec, &node.price]);
    }
    cites.extend([&catalogue.cache_defaults().reserved, &catalogue.cache_defaults().billing]);
    let l = catalogue.lambda();
    cites.extend([&l.requests, &l.duration, &l.provisioned_cite, &l.free_tier, &l.limits, &l.init]);
    let a = catalogue.api_gateway();
    cites.extend([&a.price, &a.limits]);
    let q = catalogue.sqs();
    cites.extend([&q.price, &q.billing, &q.defaults, &q.esm_cite, &q.quotas]);
    let c = catalogue.cloudfront();
    cites.extend([&c.requests, &c.out, &c.free_tier, &c.ttl]);
    let t = catalogue.transfer();
    cites.extend([&t.internet_out, &t.free_tier, &t.cross_az, &t.alb_cross_zone]);

    let used: Vec<&str> = cites
        .iter()
        .flat_map(|cite| std::iter::once(&cite.source).chain(&cite.also))
        .map(String::as_str)
        .collect();
    for key in &used {
        assert!(catalogue.source(key).is_some(), "cited source {key} is missing");
    }
    for source in catalogue.sources() {
        assert!(used.contains(&source.key.as_str()), "source {} is never cited", source.key);
    }
}

#[test]
fn cite_names_source_title_and_date() {
    let catalogue = Catalogue::builtin();
    let price = &catalogue.ec2_type("t3.medium").unwrap().price;
    let line = catalogue.cite(price);
    assert!(
        line.starts_with(
            "S1: Karpenter on-demand price table generated from AWS pricing data (2026-01-19)"
        ),
        "{line}"
    );
    let weak = catalogue.rds_class("db.m7g.large").unwrap().price_postgresql.as_ref().unwrap();
    assert!(
        catalogue.cite(weak).contains("; confidence U; may be the MySQL rate"),
        "{}",
        catalogue.cite(weak)
    );
}

#[test]
fn from_dir_replaces_only_the_files_it_holds() {
    let dir = TempDir::new();
    dir.write(
        "elb.toml",
        &builtin_with("elb.toml", "usd_per_hour = \"0.0225\"", "usd_per_hour = \"0.0243\""),
    );
    let catalogue = Catalogue::from_dir(&dir.0).unwrap();
    assert_eq!(catalogue.alb().usd_per_hour, usd("0.0243"));
    assert_eq!(catalogue.ec2_type("t3.medium").unwrap().usd_per_hour, usd("0.0416"));
    let elb = catalogue.files().iter().find(|file| file.name == "elb.toml").unwrap();
    assert_eq!(elb.path.as_deref(), Some(dir.0.join("elb.toml").as_path()));
}

#[test]
fn broken_toml_reports_file_line_and_column() {
    let dir = TempDir::new();
    dir.write("ec2.toml", "[family.t3]\nprocessor = \"x\"\narchitecture = \"x86_64\n");
    let message = load_error(&dir);
    let expected = format!("{}:3:", dir.0.join("ec2.toml").display());
    assert!(message.starts_with(&expected), "{message}");
}

#[test]
fn unknown_field_reports_its_line() {
    let dir = TempDir::new();
    dir.write("rds.toml", &builtin_with("rds.toml", "minimum_s = 600", "minimum_seconds = 600"));
    let message = load_error(&dir);
    assert!(message.contains("rds.toml:"), "{message}");
    assert!(message.contains("unknown field `minimum_seconds`"), "{message}");
}

#[test]
fn bad_values_are_rejected_with_their_position() {
    let dir = TempDir::new();
    let text =
        builtin_with("ec2.toml", "name = \"t3.nano\"\nvcpus = 2", "name = \"t3.nano\"\nvcpus = 0");
    let line = text.lines().position(|line| line == "vcpus = 0").unwrap() + 1;
    dir.write("ec2.toml", &text);
    let message = load_error(&dir);
    assert!(
        message.contains(&format!("ec2.toml:{line}:9: `vcpus` = 0: must be above zero")),
        "{message}"
    );
}

#[test]
fn unknown_source_key_is_rejected_with_a_hint() {
    let dir = TempDir::new();
    dir.write("elb.toml", &builtin_with("elb.toml", "source = \"S10\"", "source = \"S100\""));
    let message = load_error(&dir);
    assert!(
        message.contains("source `S100` is not in sources.toml\n  hint: did you mean `S10`?"),
        "{message}"
    );
}

#[test]
fn duplicate_names_are_rejected() {
    let dir = TempDir::new();
    dir.write(
        "rds.toml",
        &builtin_with("rds.toml", "name = \"db.t4g.small\"", "name = \"db.t4g.micro\""),
    );
    assert!(load_error(&dir).contains("DB instance class `db.t4g.micro` is listed twice"));
}

#[test]
fn credit_figures_must_match_aws_definitions() {
    let dir = TempDir::new();
    dir.write(
        "ec2.toml",
        &builtin_with("ec2.toml", "credits_per_hour = 12", "credits_per_hour = 13"),
    );
    assert!(load_error(&dir).contains("AWS defines it as baseline × vCPUs × 60 = 12"));
}

#[test]
fn user_sources_must_cover_the_builtin_citations() {
    let dir = TempDir::new();
    dir.write("sources.toml", "[S1]\ntitle = \"mine\"\nas_of = \"2026\"\nconfidence = \"P\"\n");
    let message = load_error(&dir);
    assert!(message.starts_with("built-in models/ec2.toml:"), "{message}");
}

#[test]
fn misnamed_override_is_an_error() {
    let dir = TempDir::new();
    dir.write("ec2s.toml", "");
    let message = load_error(&dir);
    assert!(message.contains("not a catalogue file\n  hint: did you mean ec2.toml?"), "{message}");
}

#[test]
fn missing_directory_is_an_error() {
    let dir = TempDir::new();
    let missing = dir.0.join("nope");
    let err = Catalogue::from_dir(&missing).unwrap_err();
    assert!(matches!(err, CatalogueError::NotADirectory { .. }));
}
