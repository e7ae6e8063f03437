//! Checking `lambda` and `api_gateway` components and the `[account]`
//! section, each default recorded with its source.

use std::path::Path;

use toml::Spanned;

use super::build::Defaults;
use super::components::ComponentNames;
use super::error::Problem;
use super::model::{AccountSpec, ApiGatewaySpec, ComponentKind, LambdaSpec};
use super::raw::{RawAccount, RawApiGateway, RawLambda};
use super::values;
use crate::catalogue::{Catalogue, LambdaArch};
use crate::engine::dist::Dist;
use crate::engine::time::SimDuration;

/// The runtimes whose cold starts the catalogue knows.
fn runtimes(catalogue: &Catalogue) -> Vec<&str> {
    catalogue.lambda().init_ms.iter().map(|r| r.runtime.as_str()).collect()
}

/// Checks `[account]`.
pub(super) fn account(
    raw: Option<&Spanned<RawAccount>>,
    catalogue: &Catalogue,
    has_lambda: bool,
    defaults: &mut Defaults,
) -> Result<AccountSpec, Problem> {
    let body = raw.map(|r| r.get_ref());
    let facts = catalogue.lambda();
    let lambda_concurrency = match body.and_then(|b| b.lambda_concurrency.as_ref()) {
        Some(v) => values::integer_in(v, "account.lambda_concurrency", 1, 10_000_000)?,
        None => {
            if has_lambda {
                defaults.used(
                    "account.lambda_concurrency",
                    facts.account_concurrency.to_string(),
                    format!(
                        "AWS: the default concurrency of an account in a region ({})",
                        catalogue.cite(&facts.limits)
                    ),
                );
            }
            facts.account_concurrency
        }
    };
    let free_tier = match body.and_then(|b| b.free_tier.as_ref()) {
        Some(v) => *v.get_ref(),
        None => {
            defaults.used(
                "account.free_tier",
                "false",
                "Assumption: the bill shows the full price; set free_tier = true to take AWS's \
                 monthly free tiers (Lambda, SQS, CloudFront, data out) off it",
            );
            false
        }
    };
    Ok(AccountSpec {
        lambda_concurrency,
        free_tier,
        transfer: catalogue.transfer().clone(),
        transfer_source: catalogue.cite(&catalogue.transfer().internet_out),
    })
}

/// Checks a Lambda function.
pub(super) fn lambda(
    raw: &RawLambda,
    key: &str,
    catalogue: &Catalogue,
    base_dir: &Path,
    defaults: &mut Defaults,
) -> Result<ComponentKind, Problem> {
    let facts = catalogue.lambda();
    let limits = catalogue.cite(&facts.limits);
    let (min_mb, max_mb, default_mb) = facts.memory_mb;
    let memory_mb = match &raw.memory {
        Some(m) => memory_mb(m, &format!("{key}.memory"), min_mb, max_mb)?,
        None => {
            defaults.used(
                format!("{key}.memory"),
                format!("{default_mb}MB"),
                format!("AWS: a new function's memory ({limits})"),
            );
            default_mb
        }
    };
    let arch = match &raw.architecture {
        None => {
            defaults.used(
                format!("{key}.architecture"),
                "x86_64",
                "AWS: a new function's default instruction set",
            );
            LambdaArch::X86_64
        }
        Some(a) => match a.get_ref().as_str() {
            "x86_64" => LambdaArch::X86_64,
            "arm64" => LambdaArch::Arm64,
            other => {
                return Err(Problem::new(
                    a.span(),
                    format!("{key}.architecture"),
                    format!("unknown architecture `{other}`: expected x86_64 or arm64"),
                ));
            }
        },
    };
    let cpu = values::distribution(&raw.cpu, &format!("{key}.cpu"), base_dir)?;
    let threads = match &raw.threads {
        Some(t) => values::integer_in(t, &format!("{key}.threads"), 1, 64)?,
        None => {
            defaults.used(
                format!("{key}.threads"),
                "1",
                "Assumption: the handler's work runs on one thread, so a share of a vCPU beyond \
                 one does not speed it up",
            );
            1
        }
    };
    let io = match &raw.io {
        Some(v) => Some(values::distribution(v, &format!("{key}.io"), base_dir)?),
        None => {
            defaults.used(
                format!("{key}.io"),
                "0ms",
                "Assumption: the function waits on nothing beyond its CPU time",
            );
            None
        }
    };
    let init = init(raw, key, arch, catalogue, base_dir, defaults)?;
    let idle_lifetime = match &raw.idle_lifetime {
        Some(v) => values::distribution(v, &format!("{key}.idle_lifetime"), base_dir)?,
        None => {
            defaults.used(
                format!("{key}.idle_lifetime"),
                "uniform 5m … 15m",
                "Assumption: AWS does not document how long an idle environment lives; about \
                 ten minutes is the usual observation (aws-facts §6.2, S20b)",
            );
            Dist::uniform(SimDuration::from_secs(300), SimDuration::from_secs(900))
        }
    };
    let (default_timeout_s, max_timeout_s) = facts.timeout_s;
    let timeout = match &raw.timeout {
        Some(t) => {
            let timeout = values::positive_duration(t, &format!("{key}.timeout"))?;
            if timeout > SimDuration::from_secs(u64::from(max_timeout_s)) {
                return Err(Problem::new(
                    t.span(),
                    format!("{key}.timeout"),
                    format!("a Lambda invocation may run at most {max_timeout_s} s"),
                ));
            }
            timeout
        }
        None => {
            defaults.used(
                format!("{key}.timeout"),
                format!("{default_timeout_s}s"),
                format!("AWS: a new function's timeout ({limits})"),
            );
            SimDuration::from_secs(u64::from(default_timeout_s))
        }
    };
    let reserved = match &raw.reserved_concurrency {
        Some(r) => {
            Some(values::integer_in(r, &format!("{key}.reserved_concurrency"), 0, 10_000_000)?)
        }
        None => None,
    };
    let provisioned = match &raw.provisioned_concurrency {
        Some(p) => values::integer_in(p, &format!("{key}.provisioned_concurrency"), 0, 10_000_000)?,
        None => 0,
    };
    if let (Some(r), Some(p)) = (reserved, &raw.provisioned_concurrency)
        && provisioned > r
    {
        return Err(Problem::new(
            p.span(),
            format!("{key}.provisioned_concurrency"),
            format!("{provisioned} environments do not fit in the reserved concurrency of {r}"),
        ));
    }
    Ok(ComponentKind::Lambda(Box::new(LambdaSpec {
        memory_mb,
        arch,
        cpu,
        threads,
        io,
        init,
        idle_lifetime,
        timeout,
        reserved,
        provisioned,
        price_source: catalogue.cite(&facts.duration),
        requests_source: catalogue.cite(&facts.requests),
        provisioned_source: catalogue.cite(&facts.provisioned_cite),
        facts: Box::new(facts.clone()),
    })))
}

/// Memory written `"1769MB"` or `"2GB"` (Lambda's MB are MiB, so `MiB`
/// and `GiB` mean the same), in range.
fn memory_mb(value: &Spanned<String>, key: &str, min: u32, max: u32) -> Result<u32, Problem> {
    let text = value.get_ref().trim();
    let parsed = if let Some(n) = text.strip_suffix("MB").or_else(|| text.strip_suffix("MiB")) {
        n.trim().parse::<u32>().ok()
    } else if let Some(n) = text.strip_suffix("GB").or_else(|| text.strip_suffix("GiB")) {
        n.trim()
            .parse::<f64>()
            .ok()
            .filter(|g| (g * 1024.0).fract() == 0.0)
            .map(|g| (g * 1024.0) as u32)
    } else {
        None
    };
    match parsed {
        Some(mb) if (min..=max).contains(&mb) => Ok(mb),
        Some(mb) => Err(Problem::new(
            value.span(),
            key,
            format!("{mb} MB is outside Lambda's range of {min} to {max} MB"),
        )),
        None => Err(Problem::new(
            value.span(),
            key,
            format!("`{text}` is not a memory size like \"1769MB\" or \"2GB\" (whole MB)"),
        )),
    }
}

/// The cold-start duration: given, or the runtime's typical range.
fn init(
    raw: &RawLambda,
    key: &str,
    arch: LambdaArch,
    catalogue: &Catalogue,
    base_dir: &Path,
    defaults: &mut Defaults,
) -> Result<Dist, Problem> {
    if let Some(value) = &raw.init {
        if let Some(runtime) = &raw.runtime {
            return Err(Problem::new(
                runtime.span(),
                format!("{key}.runtime"),
                "give `runtime` (for its typical cold start) or `init` (a distribution), not both",
            ));
        }
        return values::distribution(value, &format!("{key}.init"), base_dir);
    }
    let facts = catalogue.lambda();
    let runtime = match &raw.runtime {
        Some(r) => r,
        None => {
            return Err(Problem::new(
                raw.kind.span(),
                format!("{key}.runtime"),
                format!(
                    "missing: give `runtime` ({}) for its typical cold start, or `init` as a \
                     distribution",
                    runtimes(catalogue).join(", ")
                ),
            ));
        }
    };
    let Some(range) = facts.init_ms.iter().find(|r| r.runtime == *runtime.get_ref()) else {
        let known = runtimes(catalogue);
        let problem = Problem::new(
            runtime.span(),
            format!("{key}.runtime"),
            format!(
                "unknown runtime `{}`: expected one of {}",
                runtime.get_ref(),
                known.join(", ")
            ),
        );
        return Err(match values::suggest(runtime.get_ref(), known.into_iter()) {
            Some(near) => problem.with_hint(format!("did you mean `{near}`?")),
            None => problem,
        });
    };
    let (lo, hi) = match arch {
        LambdaArch::X86_64 => range.x86_64,
        LambdaArch::Arm64 => range.arm64,
    };
    defaults.used(
        format!("{key}.init"),
        format!("uniform {lo}ms … {hi}ms"),
        format!(
            "the {} range of typical (p50) cold starts on {} ({}); Assumption: uniform within it",
            runtime.get_ref(),
            if arch == LambdaArch::Arm64 { "arm64" } else { "x86_64" },
            catalogue.cite(&facts.init)
        ),
    );
    Ok(Dist::uniform(
        SimDuration::from_millis(u64::from(lo)),
        SimDuration::from_millis(u64::from(hi)),
    ))
}

/// Checks an API Gateway API.
pub(super) fn api_gateway(
    raw: &RawApiGateway,
    key: &str,
    names: &ComponentNames,
    catalogue: &Catalogue,
    defaults: &mut Defaults,
) -> Result<ComponentKind, Problem> {
    let facts = catalogue.api_gateway();
    let limits = catalogue.cite(&facts.limits);
    let rest = match &raw.api {
        None => {
            defaults.used(
                format!("{key}.api"),
                "http",
                "Assumption: an HTTP API, the cheaper kind AWS recommends for new APIs",
            );
            false
        }
        Some(a) => match a.get_ref().as_str() {
            "http" => false,
            "rest" => true,
            other => {
                return Err(Problem::new(
                    a.span(),
                    format!("{key}.api"),
                    format!("unknown API kind `{other}`: expected http or rest"),
                ));
            }
        },
    };
    let target = names.resolve(&raw.target, &format!("{key}.target"))?;
    if !["lambda", "alb", "ec2"].contains(&names.kind_of(target)) {
        return Err(Problem::new(
            raw.target.span(),
            format!("{key}.target"),
            format!(
                "`{}` is of type `{}`: an API integrates with a lambda, alb or ec2 component",
                raw.target.get_ref(),
                names.kind_of(target)
            ),
        ));
    }
    let latency = match &raw.latency {
        Some(l) => values::duration(l, &format!("{key}.latency"))?,
        None => {
            let ms = if rest { 10 } else { 5 };
            defaults.used(
                format!("{key}.latency"),
                format!("{ms}ms"),
                "Assumption: AWS publishes no figure for the time API Gateway adds; HTTP APIs \
                 add less than REST APIs",
            );
            SimDuration::from_millis(ms)
        }
    };
    let (http_s, rest_s) = facts.timeout_s;
    let most = u64::from(if rest { rest_s } else { http_s });
    let timeout = match &raw.timeout {
        Some(t) => {
            let timeout = values::positive_duration(t, &format!("{key}.timeout"))?;
            if timeout > SimDuration::from_secs(most) {
                return Err(Problem::new(
                    t.span(),
                    format!("{key}.timeout"),
                    format!("the integration timeout is at most {most} s ({limits})"),
                ));
            }
            timeout
        }
        None => {
            defaults.used(format!("{key}.timeout"), format!("{most}s"), format!("AWS: {limits}"));
            SimDuration::from_secs(most)
        }
    };
    let rate_limit_per_s = match &raw.rate_limit {
        Some(r) => values::positive_rate(r, &format!("{key}.rate_limit"))?,
        None => {
            defaults.used(
                format!("{key}.rate_limit"),
                format!("{}/s", facts.throttle_rate_per_s),
                format!("AWS: the account's steady-state throttle ({limits})"),
            );
            f64::from(facts.throttle_rate_per_s)
        }
    };
    let burst = match &raw.burst {
        Some(b) => values::integer_in(b, &format!("{key}.burst"), 1, 100_000_000)?,
        None => {
            defaults.used(
                format!("{key}.burst"),
                facts.throttle_burst.to_string(),
                format!("AWS: the account's burst, a token bucket ({limits})"),
            );
            facts.throttle_burst
        }
    };
    Ok(ComponentKind::ApiGateway(Box::new(ApiGatewaySpec {
        rest,
        target,
        latency,
        timeout,
        rate_limit_per_s,
        burst,
        tiers: if rest { facts.rest_tiers.clone() } else { facts.http_tiers.clone() },
        price_source: catalogue.cite(&facts.price),
        facts: Box::new(facts.clone()),
    })))
}
