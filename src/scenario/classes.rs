//! Building the request classes: `[request]` (one class) or
//! `[classes.NAME]` (several, with shares), and what each does at the
//! components it visits.

use std::path::Path;

use toml::Spanned;

use super::build::Defaults;
use super::components::ComponentNames;
use super::error::Problem;
use super::model::{ClassSpec, Component, ComponentKind, DbWork, QueryKind, RequestSpec};
use super::raw::{RawClass, RawTop, RawWork};
use super::values;

/// How far shares may be from adding up to 1 (rounding in the file).
const SHARE_TOLERANCE: f64 = 1e-6;

/// What the rest of the scenario does with a request's bytes and
/// connections, so that only the defaults a run uses are listed and a
/// queue's size limit is checked where the size is written.
#[derive(Debug, Clone, Copy)]
pub struct ByteUses {
    /// Bytes are billed or metered (anything but textbook stations).
    pub bytes: bool,
    /// Connections are metered (a load balancer's LCUs).
    pub connections: bool,
    /// The entry is a queue: each request is a message of at most this
    /// many bytes.
    pub max_message_bytes: Option<u32>,
}

impl ByteUses {
    /// What `components` do with bytes, for traffic entering at `entry`.
    pub fn of(components: &[Component], entry: usize) -> ByteUses {
        ByteUses {
            bytes: components.iter().any(|c| !matches!(c.kind, ComponentKind::Station(_))),
            connections: components.iter().any(|c| matches!(c.kind, ComponentKind::Alb(_))),
            max_message_bytes: match &components[entry].kind {
                ComponentKind::Sqs(queue) => Some(queue.facts.max_message_bytes),
                _ => None,
            },
        }
    }
}

/// The classes of a scenario; one called `default` when it has none.
pub fn build_classes(
    top: &RawTop,
    components: &[Component],
    names: &ComponentNames,
    base_dir: &Path,
    uses: ByteUses,
    defaults: &mut Defaults,
) -> Result<Vec<ClassSpec>, Problem> {
    let Some(classes) = &top.classes else {
        let raw = top.request.as_ref().map(|r| r.get_ref());
        let request = request_spec(
            raw.and_then(|r| r.request_bytes.as_ref()),
            raw.and_then(|r| r.response_bytes.as_ref()),
            raw.and_then(|r| r.requests_per_connection.as_ref()),
            "request",
            uses,
            defaults,
        )?;
        let class = ClassSpec {
            name: "default".into(),
            share: 1.0,
            request,
            cpu: Vec::new(),
            db: Vec::new(),
            service: Vec::new(),
            lambda_cpu: Vec::new(),
            cacheable: true,
        };
        return Ok(vec![class]);
    };
    if let Some(request) = &top.request {
        return Err(Problem::new(
            request.span(),
            "request",
            "give either [request] or [classes.NAME], not both",
        )
        .with_hint("move the bytes into each class"));
    }
    if classes.get_ref().is_empty() {
        return Err(Problem::new(classes.span(), "classes", "no classes defined"));
    }
    let mut built = Vec::new();
    let mut total = 0.0;
    for (name, raw) in classes.get_ref() {
        let key = format!("classes.{name}");
        super::build::check_name(name).map_err(|why| Problem::new(raw.span(), key.clone(), why))?;
        let class = build_class(name, raw, &key, components, names, base_dir, uses, defaults)?;
        total += class.share;
        built.push(class);
    }
    if (total - 1.0).abs() > SHARE_TOLERANCE {
        return Err(Problem::new(
            classes.span(),
            "classes",
            format!("the class shares add up to {total}, not 1"),
        ));
    }
    Ok(built)
}

/// One `[classes.NAME]`.
#[allow(clippy::too_many_arguments)]
fn build_class(
    name: &str,
    raw: &Spanned<RawClass>,
    key: &str,
    components: &[Component],
    names: &ComponentNames,
    base_dir: &Path,
    uses: ByteUses,
    defaults: &mut Defaults,
) -> Result<ClassSpec, Problem> {
    let r = raw.get_ref();
    let share = *r.share.get_ref();
    if !(0.0..=1.0).contains(&share) {
        return Err(Problem::new(
            r.share.span(),
            format!("{key}.share"),
            format!("{share}: a share is between 0 and 1"),
        ));
    }
    let request = request_spec(
        r.request_bytes.as_ref(),
        r.response_bytes.as_ref(),
        r.requests_per_connection.as_ref(),
        key,
        uses,
        defaults,
    )?;
    let mut class = ClassSpec {
        name: name.to_string(),
        share,
        request,
        cpu: Vec::new(),
        db: Vec::new(),
        service: Vec::new(),
        lambda_cpu: Vec::new(),
        cacheable: r.cacheable.as_ref().is_none_or(|c| *c.get_ref()),
    };
    if let Some(c) = &r.cacheable
        && !components.iter().any(|c| matches!(c.kind, ComponentKind::CloudFront(_)))
    {
        return Err(Problem::new(
            c.span(),
            format!("{key}.cacheable"),
            "says whether CloudFront may cache the class's answers, and the scenario has no \
             cloudfront component",
        )
        .with_hint("leave cacheable out, or put a cloudfront component at the entry"));
    }
    for (target, work) in r.work.iter().flatten() {
        let work_key = format!("{key}.work.{target}");
        let id = names.find(target).ok_or_else(|| names.unknown(target, work.span(), &work_key))?;
        add_work(&mut class, id, &components[id].kind, work, &work_key, base_dir, defaults)?;
    }
    Ok(class)
}

/// A class's work at one component, checked against what that component
/// does.
fn add_work(
    class: &mut ClassSpec,
    id: usize,
    kind: &ComponentKind,
    work: &Spanned<RawWork>,
    key: &str,
    base_dir: &Path,
    defaults: &mut Defaults,
) -> Result<(), Problem> {
    let w = work.get_ref();
    let allowed: &[&str] = match kind {
        ComponentKind::Ec2(_) | ComponentKind::Lambda(_) => &["cpu"],
        ComponentKind::Rds(_) => &["query", "queries", "kind", "keys"],
        ComponentKind::Station(_) => &["service"],
        ComponentKind::Alb(_)
        | ComponentKind::Cache(_)
        | ComponentKind::ApiGateway(_)
        | ComponentKind::Sqs(_)
        | ComponentKind::CloudFront(_) => &[],
    };
    let given = [
        ("cpu", w.cpu.is_some()),
        ("query", w.query.is_some()),
        ("queries", w.queries.is_some()),
        ("kind", w.kind.is_some()),
        ("keys", w.keys.is_some()),
        ("service", w.service.is_some()),
    ];
    if let Some((field, _)) =
        given.iter().find(|(field, present)| *present && !allowed.contains(field))
    {
        let expected = if allowed.is_empty() {
            format!("nothing: a {} component does no per-class work", kind.type_name())
        } else {
            allowed.join(", ")
        };
        return Err(Problem::new(
            work.span(),
            format!("{key}.{field}"),
            format!(
                "`{field}` is not work {} {} component does: expected {expected}",
                if kind.type_name().starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" },
                kind.type_name()
            ),
        ));
    }
    match kind {
        ComponentKind::Ec2(_) => {
            if let Some(cpu) = &w.cpu {
                class.cpu.push((id, values::distribution(cpu, &format!("{key}.cpu"), base_dir)?));
            }
        }
        ComponentKind::Station(_) => {
            if let Some(service) = &w.service {
                class.service.push((
                    id,
                    values::distribution(service, &format!("{key}.service"), base_dir)?,
                ));
            }
        }
        ComponentKind::Rds(_) => {
            let query = w
                .query
                .as_ref()
                .map(|q| values::distribution(q, &format!("{key}.query"), base_dir))
                .transpose()?;
            let queries = match &w.queries {
                Some(n) => values::integer_in(n, &format!("{key}.queries"), 0, 100)?,
                None => 1,
            };
            let kind = match w.kind.as_ref().map(|k| (k.get_ref().as_str(), k.span())) {
                Some(("read", _)) => QueryKind::Read,
                Some(("write", _)) => QueryKind::Write,
                Some((other, span)) => {
                    return Err(Problem::new(
                        span,
                        format!("{key}.kind"),
                        format!("`{other}`: expected read or write"),
                    ));
                }
                None => {
                    defaults.used(
                        format!("{key}.kind"),
                        "read",
                        "Assumption: a query reads unless the class says it writes",
                    );
                    QueryKind::Read
                }
            };
            let keys = w
                .keys
                .as_ref()
                .map(|k| super::keys::key_space(k, &format!("{key}.keys"), base_dir))
                .transpose()?;
            class.db.push((id, DbWork { query, keys, queries, kind }));
        }
        ComponentKind::Lambda(_) => {
            if let Some(cpu) = &w.cpu {
                let dist = values::distribution(cpu, &format!("{key}.cpu"), base_dir)?;
                class.lambda_cpu.push((id, dist));
            }
        }
        ComponentKind::Alb(_)
        | ComponentKind::Cache(_)
        | ComponentKind::ApiGateway(_)
        | ComponentKind::Sqs(_)
        | ComponentKind::CloudFront(_) => {}
    }
    Ok(())
}

/// Bytes and connections of a class, filling defaults for what is left out.
fn request_spec(
    request_bytes: Option<&Spanned<String>>,
    response_bytes: Option<&Spanned<String>>,
    requests_per_connection: Option<&Spanned<f64>>,
    prefix: &str,
    uses: ByteUses,
    defaults: &mut Defaults,
) -> Result<RequestSpec, Problem> {
    let mut spec =
        RequestSpec { request_bytes: 1_024, response_bytes: 10_240, requests_per_connection: 1.0 };
    let source = "Assumption: a small API call";
    match request_bytes {
        Some(v) => {
            let key = format!("{prefix}.request_bytes");
            spec.request_bytes = values::message_size(v, &key)?;
            if let Some(most) = uses.max_message_bytes
                && spec.request_bytes > u64::from(most)
            {
                return Err(Problem::new(
                    v.span(),
                    key,
                    format!(
                        "{} bytes: each request is a message to the queue at the entry, and SQS \
                         takes messages of at most {most} bytes (1 MiB)",
                        spec.request_bytes
                    ),
                )
                .with_hint("send a reference to the payload (in S3, say) instead"));
            }
        }
        None if uses.bytes => defaults.used(format!("{prefix}.request_bytes"), "1KiB", source),
        None => {}
    }
    match response_bytes {
        Some(v) => {
            spec.response_bytes = values::message_size(v, &format!("{prefix}.response_bytes"))?
        }
        None if uses.bytes => defaults.used(format!("{prefix}.response_bytes"), "10KiB", source),
        None => {}
    }
    match requests_per_connection {
        Some(v) if !(*v.get_ref() >= 1.0 && v.get_ref().is_finite()) => {
            return Err(Problem::new(
                v.span(),
                format!("{prefix}.requests_per_connection"),
                "expected a number of 1 or more",
            ));
        }
        Some(v) => spec.requests_per_connection = *v.get_ref(),
        None if !uses.connections => {}
        None => defaults.used(
            format!("{prefix}.requests_per_connection"),
            "1",
            "Assumption: no keep-alive, one new connection per request (the most LCU-hungry case)",
        ),
    }
    Ok(spec)
}
