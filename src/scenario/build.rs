//! Building a [`Scenario`] from the raw file: the `[scenario]`, `[traffic]`
//! and `[request]` sections, then the components.

use std::ops::Range;
use std::path::Path;

use serde::Deserialize;
use time::OffsetDateTime;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::components::{ComponentNames, build_components};
use super::error::{Problem, ScenarioError, Source};
use super::model::{Scenario, UsedDefault};
use super::raw::{RawScenario, RawTop};
use super::values;
use crate::catalogue::Catalogue;
use crate::engine::time::SimDuration;

/// Records defaults as they are filled in.
#[derive(Debug, Default)]
pub struct Defaults(pub Vec<UsedDefault>);

impl Defaults {
    /// Notes that `key` took `value` by default, because of `source`.
    pub fn used(
        &mut self,
        key: impl Into<String>,
        value: impl Into<String>,
        source: impl Into<String>,
    ) {
        self.0.push(UsedDefault { key: key.into(), value: value.into(), source: source.into() });
    }

    /// Takes back the default recorded for `key`: the run turned out not
    /// to use it.
    pub fn forget(&mut self, key: &str) {
        self.0.retain(|d| d.key != key);
    }
}

/// Builds the scenario, or the first mistake found.
pub fn build(
    source: &Source,
    catalogue: &Catalogue,
    overrides: &[super::overrides::Override],
) -> Result<Scenario, ScenarioError> {
    let mut root = DeTable::parse(&source.text).map_err(|e| toml_error(source, None, e))?;
    let root_span = root.span();
    // The sweep is the experiment's business (`sweep`); its values reach
    // the scenario as overrides.
    root.get_mut().remove("sweep");
    super::overrides::apply(root.get_mut(), overrides).map_err(|p| source.error(p))?;
    let components = root.get_mut().remove("components");
    let top_table = root.get_ref().clone();
    let top = RawTop::deserialize(toml::de::Deserializer::from(Spanned::new(
        root_span.clone(),
        top_table,
    )))
    .map_err(|e| toml_error(source, Some(root.get_ref()), e))?;

    let mut defaults = Defaults::default();
    let scenario_section =
        scenario_section(top.scenario.get_ref(), &mut defaults).map_err(|p| source.error(p))?;
    let components_table = match components {
        Some(value) => value,
        None => {
            return Err(source.error(
                Problem::new(0..0, "components", "the scenario has no `[components.NAME]` tables")
                    .with_hint(
                        "add at least one component, e.g. [components.web] with type = \"ec2\"",
                    ),
            ));
        }
    };
    let names = ComponentNames::collect(&components_table).map_err(|p| source.error(p))?;
    let clock = super::traffic::RunClock::new(&scenario_section);
    let components =
        build_components(source, &components_table, &names, catalogue, &clock, &mut defaults)?;

    let base_dir = source.path.parent().unwrap_or(Path::new("."));
    let traffic = super::traffic::traffic_section(
        top.traffic.get_ref(),
        &names,
        &components,
        &scenario_section,
        base_dir,
        top.users.is_some(),
        &mut defaults,
    )
    .map_err(|located| match located {
        super::traffic::Located::Here(p) => source.error(p),
        super::traffic::Located::Elsewhere(mut e) => {
            let context =
                format!("read as traffic.trace.file of {} (the scenario)", source.path.display());
            e.hint = Some(match e.hint.take() {
                Some(hint) => format!("{hint}\n  note: {context}"),
                None => context,
            });
            e
        }
    })?;
    let uses = super::classes::ByteUses::of(&components, traffic.entry);
    let classes =
        super::classes::build_classes(&top, &components, &names, base_dir, uses, &mut defaults)
            .map_err(|p| source.error(p))?;
    let client = super::client::build_client(top.client.as_ref(), &mut defaults)
        .map_err(|p| source.error(p))?;
    super::data_checks::check_data_tier(&components, &classes, &names)
        .map_err(|p| source.error(p))?;
    let faults = super::faults::build_faults(
        top.faults.as_ref(),
        &names,
        &components,
        &clock,
        &mut defaults,
    )
    .map_err(|p| source.error(p))?;
    // What a database does while it is down matters only if it fails.
    for (id, component) in components.iter().enumerate() {
        let fails = faults
            .iter()
            .any(|f| matches!(f.kind, super::model::FaultKind::DbFailure { db, .. } if db == id));
        if matches!(component.kind, super::model::ComponentKind::Rds(_)) && !fails {
            defaults.forget(&format!("components.{}.during_outage", component.name));
        }
    }
    let has_lambda =
        components.iter().any(|c| matches!(c.kind, super::model::ComponentKind::Lambda(_)));
    let account =
        super::serverless::account(top.account.as_ref(), catalogue, has_lambda, &mut defaults)
            .map_err(|p| source.error(p))?;
    check_reserved_concurrency(&components, &names, &account, catalogue)
        .map_err(|p| source.error(p))?;
    super::serverless_checks::check_queues(&components, &names).map_err(|p| source.error(p))?;
    super::serverless_checks::check_edges(&components, &classes, &names)
        .map_err(|p| source.error(p))?;
    let slos = super::slo::build_slos(top.slo.as_ref()).map_err(|p| source.error(p))?;
    let users = match &top.users {
        Some(raw) => Some(users_section(raw.get_ref(), base_dir).map_err(|p| source.error(p))?),
        None => None,
    };

    Ok(Scenario {
        name: scenario_section.name,
        file: source.path.clone(),
        start: scenario_section.start,
        warmup: scenario_section.warmup,
        duration: scenario_section.duration,
        seed: scenario_section.seed,
        traffic,
        classes,
        client,
        users,
        components,
        faults,
        account,
        defaults: defaults.0,
        slos,
        settings: overrides.iter().map(super::overrides::Override::setting).collect(),
    })
}

/// Refuses reserved or provisioned concurrency that leaves the account
/// less than AWS's minimum of unreserved concurrency (provisioned
/// environments of a function without a reservation come out of the
/// unreserved pool).
fn check_reserved_concurrency(
    components: &[super::model::Component],
    names: &ComponentNames,
    account: &super::model::AccountSpec,
    catalogue: &Catalogue,
) -> Result<(), Problem> {
    let minimum = catalogue.lambda().unreserved_minimum;
    let most = account.lambda_concurrency.saturating_sub(minimum);
    let mut reserved = 0u32;
    for (id, component) in components.iter().enumerate() {
        let super::model::ComponentKind::Lambda(spec) = &component.kind else { continue };
        let (set_aside, key) = match spec.reserved {
            Some(r) => (r, "reserved_concurrency"),
            None => (spec.provisioned, "provisioned_concurrency"),
        };
        if set_aside == 0 {
            continue;
        }
        reserved = reserved.saturating_add(set_aside);
        if reserved > most {
            return Err(Problem::new(
                names.entries[id].2.clone(),
                format!("components.{}.{key}", component.name),
                format!(
                    "the functions reserve or provision {reserved} of the account's {} \
                     concurrent executions: AWS keeps at least {minimum} unreserved",
                    account.lambda_concurrency
                ),
            )
            .with_hint("lower the reservation or provisioned concurrency, or raise account.lambda_concurrency"));
        }
    }
    Ok(())
}

/// Turns a TOML or serde error into a located scenario error, naming the
/// key at the error's position when the tree is known.
fn toml_error(
    source: &Source,
    root: Option<&DeTable<'_>>,
    error: toml::de::Error,
) -> ScenarioError {
    let span = error.span().unwrap_or(0..0);
    // A missing top-level table is reported against the whole document:
    // no key covers it more closely than the root.
    let whole_document = span.start == 0 && span.end >= source.text.trim_end().len();
    let mut key = match root {
        Some(table) if !whole_document => key_path_at(table, span.start),
        _ => String::new(),
    };
    // A syntax error leaves no tree to find the key in; for a duplicate
    // the span covers the repeated key itself, so its text names it.
    if key.is_empty() && error.message().contains("duplicate key") {
        let repeated =
            source.text.get(span.clone()).unwrap_or_default().trim_matches(['[', ']', ' ']);
        key = match enclosing_table(&source.text, span.start) {
            Some(table) if !source.text[span.clone()].trim_start().starts_with('[') => {
                format!("{table}.{repeated}")
            }
            _ => repeated.to_string(),
        };
    }
    let message = plain_message(error.message());
    let top_level = key.is_empty() || !key.contains('.') && !key.contains('[');
    let hint = if message.contains("unknown field") {
        unknown_field_hint(&message)
    } else if message.contains("missing field") && top_level && !key.starts_with("users") {
        Some("a scenario has [scenario] (name, start, duration), [traffic] and [components.NAME] tables; scenarios/three-tier.toml is a complete example".to_string())
    } else if message.contains("missing field") {
        Some("GUIDE.md lists each table's keys; scenarios/ has complete examples".to_string())
    } else if ["faults", "slo"].contains(&key.as_str()) && message.contains("expected a sequence") {
        Some(format!("write each one as its own [[{key}]] table (two brackets)"))
    } else {
        value_hint(&message)
    };
    let mut problem = Problem::new(span, key, message);
    problem.hint = hint;
    source.error(problem)
}

/// The name of the `[table]` whose header comes last before `offset`, if
/// any: where a key that the parser could not place was written.
fn enclosing_table(text: &str, offset: usize) -> Option<String> {
    text.get(..offset)?
        .lines()
        .rev()
        .map(str::trim)
        .find(|line| line.starts_with('['))
        .map(|header| header.split(']').next().unwrap_or("").trim_matches(['[', ' ']).to_string())
}

/// The dotted path of the deepest key whose key or value covers `offset`.
///
/// The whole tree is searched: a `[table]` header's span does not cover the
/// lines of its keys, so descending only into covering tables would stop at
/// the header.
pub fn key_path_at(table: &DeTable<'_>, offset: usize) -> String {
    fn search(table: &DeTable<'_>, offset: usize, path: &mut Vec<String>, best: &mut Vec<String>) {
        let covers = |r: Range<usize>| r.start <= offset && offset < r.end.max(r.start + 1);
        for (key, value) in table.iter() {
            path.push(key.get_ref().to_string());
            if (covers(key.span()) || covers(value.span())) && path.len() > best.len() {
                *best = path.clone();
            }
            match value.get_ref() {
                DeValue::Table(inner) => search(inner, offset, path, best),
                DeValue::Array(items) => {
                    // An array of tables, such as [[faults]]: name each entry
                    // by its index, as `faults[0].target`.
                    for (i, item) in items.iter().enumerate() {
                        if let DeValue::Table(inner) = item.get_ref() {
                            let last = path.pop().unwrap_or_default();
                            path.push(format!("{last}[{i}]"));
                            if covers(item.span()) && path.len() >= best.len() {
                                *best = path.clone();
                            }
                            search(inner, offset, path, best);
                            path.pop();
                            path.push(last);
                        }
                    }
                }
                _ => {}
            }
            path.pop();
        }
    }
    let mut best = Vec::new();
    search(table, offset, &mut Vec::new(), &mut best);
    best.join(".")
}

/// A hint for a value of the wrong type, such as a bare number where a
/// duration, rate or size with its unit is expected.
pub fn value_hint(message: &str) -> Option<String> {
    message.contains("expected a string").then(|| {
        "durations, rates and sizes are strings with their unit, like \"10m\", \"250/s\", \"2KiB\" or \"1769MB\"".to_string()
    })
}

/// A hint for serde's "unknown field `x`, expected one of `a`, `b`": the
/// nearest valid key, or the list of valid keys.
pub fn unknown_field_hint(message: &str) -> Option<String> {
    let quoted: Vec<&str> = message.split('`').skip(1).step_by(2).collect();
    let (unknown, valid) = quoted.split_first()?;
    let valid: Vec<&str> = valid.iter().copied().filter(|k| *k != "type").collect();
    Some(match values::suggest(unknown, valid.iter().copied()) {
        Some(near) => format!("did you mean `{near}`?"),
        None => format!("the keys here are {}", valid.join(", ")),
    })
}

/// Rewrites serde's type names in a message into words a scenario author
/// uses.
pub fn plain_message(message: &str) -> String {
    // A whole number too large for any integer reaches serde as an i128 or
    // u128 it cannot place: say so in words.
    if let Some(start) = message.find("invalid type: integer `")
        && (message.contains("as i128") || message.contains("as u128"))
    {
        let number = message[start + 23..].split('`').next().unwrap_or_default();
        return format!("`{number}` is too large: expected a whole number in range");
    }
    message
        .trim()
        .replace('\n', " ")
        .replace("expected i64", "expected a whole number")
        .replace("expected f64", "expected a number")
        .replace("expected a boolean", "expected true or false")
        .replace("a integer", "an integer")
}

/// The checked `[scenario]` section.
pub(super) struct ScenarioSection {
    pub(super) name: String,
    pub(super) start: OffsetDateTime,
    pub(super) warmup: SimDuration,
    pub(super) duration: SimDuration,
    pub(super) seed: u64,
}

/// Checks `[scenario]`.
fn scenario_section(
    raw: &RawScenario,
    defaults: &mut Defaults,
) -> Result<ScenarioSection, Problem> {
    let name = raw.name.get_ref().clone();
    check_name(&name).map_err(|why| Problem::new(raw.name.span(), "scenario.name", why))?;
    let start = values::timestamp(&raw.start, "scenario.start")?;
    if !(1970..=9000).contains(&start.year()) {
        return Err(Problem::new(
            raw.start.span(),
            "scenario.start",
            format!(
                "year {} is out of range: expected a start between 1970 and 9000",
                start.year()
            ),
        ));
    }
    let warmup = match &raw.warmup {
        Some(w) => values::duration(w, "scenario.warmup")?,
        None => {
            defaults.used(
                "scenario.warmup",
                "0s",
                "Assumption: no warm-up unless asked; statistics start at once",
            );
            SimDuration::ZERO
        }
    };
    let duration = values::positive_duration(&raw.duration, "scenario.duration")?;
    if duration < SimDuration::from_secs(60) {
        return Err(Problem::new(
            raw.duration.span(),
            "scenario.duration",
            format!("{duration} is too short: the measured window lasts at least 1m"),
        )
        .with_hint("EC2 bills at least 60 s per instance; a shorter window cannot be priced or projected to a month meaningfully"));
    }
    let limit = SimDuration::from_secs(366 * 86_400);
    if warmup + duration > limit {
        return Err(Problem::new(
            raw.duration.span(),
            "scenario.duration",
            "warm-up plus duration is longer than a year",
        ));
    }
    let seed = match &raw.seed {
        Some(seed) if *seed.get_ref() < 0 => {
            return Err(Problem::new(
                seed.span(),
                "scenario.seed",
                "expected a whole number of 0 or more",
            ));
        }
        Some(seed) => *seed.get_ref() as u64,
        None => {
            defaults.used("scenario.seed", "1", "Assumption: a fixed seed so that runs repeat");
            1
        }
    };
    Ok(ScenarioSection { name, start, warmup, duration, seed })
}

/// Checks `[users]`.
fn users_section(
    raw: &super::raw::RawUsers,
    base_dir: &Path,
) -> Result<super::model::UsersSpec, Problem> {
    let count = values::integer_in(&raw.count, "users.count", 1, 1_000_000)?;
    let think = values::distribution(&raw.think, "users.think", base_dir)?;
    if think.mean() == crate::engine::time::SimDuration::ZERO {
        return Err(Problem::new(
            raw.think.span(),
            "users.think",
            "the think time is zero: users would send requests without pause, and with \
             zero-time service simulated time could stand still",
        )
        .with_hint("give a think time above zero, such as \"1s\" or { dist = \"exponential\", mean = \"2s\" }"));
    }
    Ok(super::model::UsersSpec { count, think })
}

/// A name that is safe as a folder and a CSV column: letters, digits, `-`,
/// `_` and `.`, starting with a letter or digit.
pub fn check_name(name: &str) -> Result<(), String> {
    let first_ok = name.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
    let rest_ok = name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !first_ok || !rest_ok || name.contains("..") || name.len() > 100 {
        return Err(format!(
            "`{name}` is not a usable name: expected letters, digits, '-', '_' or '.', starting with a letter or digit (at most 100)"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_could_escape_the_output_folder_are_refused() {
        assert!(check_name("worldcup98").is_ok());
        assert!(check_name("three-tier_v2.1").is_ok());
        for bad in ["../../x", "..", ".", "a/b", "", "a\\b", "/abs", "x..y"] {
            assert!(check_name(bad).is_err(), "{bad} accepted");
        }
    }
}
