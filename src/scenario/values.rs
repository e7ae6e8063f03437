//! Reading single values: durations, rates, sizes, timestamps,
//! distributions and names, each with an error that says what was expected.

use std::ops::Range;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use toml::Spanned;

use super::error::Problem;
use super::raw::RawValue;
use super::units;
use crate::engine::time::SimDuration;

/// Distributions are read in their own module; they are values like the rest.
pub use super::dist_values::distribution;

/// The span of a spanned value.
pub fn span<T>(value: &Spanned<T>) -> Range<usize> {
    value.span()
}

/// A duration such as `"90s"`.
pub fn duration(value: &Spanned<String>, key: &str) -> Result<SimDuration, Problem> {
    if value.get_ref().trim_start().starts_with('-') {
        return Err(Problem::new(
            span(value),
            key,
            format!("`{}` is negative: expected {}", value.get_ref(), units::DURATION_FORM),
        ));
    }
    units::parse_duration(value.get_ref()).map_err(|form| {
        Problem::new(span(value), key, format!("`{}` is not {form}", value.get_ref()))
    })
}

/// A duration that must be longer than zero.
pub fn positive_duration(value: &Spanned<String>, key: &str) -> Result<SimDuration, Problem> {
    let parsed = duration(value, key)?;
    if parsed == SimDuration::ZERO {
        return Err(Problem::new(span(value), key, "expected a duration longer than zero"));
    }
    Ok(parsed)
}

/// The highest arrival rate a scenario may ask for: ten million requests per
/// second, a few times what the engine simulates per second of wall time.
pub const MAX_RATE_PER_S: f64 = 1e7;

/// A rate in requests per second such as `"250/s"`, which must be positive.
pub fn positive_rate(value: &Spanned<String>, key: &str) -> Result<f64, Problem> {
    let text = value.get_ref();
    if text.trim_start().starts_with('-') {
        return Err(Problem::new(
            span(value),
            key,
            format!("`{text}` is negative: a rate is more than zero"),
        ));
    }
    let rate = units::parse_rate(text)
        .map_err(|form| Problem::new(span(value), key, format!("`{text}` is not {form}")))?;
    if rate > MAX_RATE_PER_S {
        return Err(Problem::new(
            span(value),
            key,
            format!("`{text}` is above the limit of 10000000/s that one run can simulate"),
        ));
    }
    if !(rate > 0.0 && rate.is_finite()) {
        return Err(Problem::new(
            span(value),
            key,
            format!("`{text}`: a rate must be more than zero"),
        ));
    }
    Ok(rate)
}

/// A size in bytes such as `"20KiB"`.
pub fn size(value: &Spanned<String>, key: &str) -> Result<u64, Problem> {
    units::parse_size(value.get_ref()).map_err(|form| {
        Problem::new(span(value), key, format!("`{}` is not {form}", value.get_ref()))
    })
}

/// The most bytes one request or response may carry: 10 GiB.
///
/// Assumption: beyond this a transfer is a bulk download, not a request
/// the engine's meters are built for (and billions of them would overflow
/// the byte counters).
pub const MAX_MESSAGE_BYTES: u64 = 10 * 1_073_741_824;

/// The bytes of a request or response: a size of at most 10 GiB.
pub fn message_size(value: &Spanned<String>, key: &str) -> Result<u64, Problem> {
    let bytes = size(value, key)?;
    if bytes > MAX_MESSAGE_BYTES {
        return Err(Problem::new(
            span(value),
            key,
            format!(
                "`{}` is too large: a request or response carries at most 10GiB",
                value.get_ref()
            ),
        ));
    }
    Ok(bytes)
}

/// RDS allocated storage in GiB, from 20 to 65,536 (64 TiB).
///
/// AWS: RDS allocates storage in gibibytes and prices it per "GB-month"
/// meaning the same unit, so `"100GB"` and `"100GiB"` both mean 100 GiB,
/// as the console shows them.
pub fn storage_gib(value: &Spanned<String>, key: &str) -> Result<u64, Problem> {
    let text = value.get_ref().trim();
    let form = "a storage size like \"100GB\" or \"2TiB\" (GB and GiB both mean AWS's GiB)";
    let bad = || Problem::new(span(value), key, format!("`{text}` is not {form}"));
    let (number, unit) = split_size(text).ok_or_else(bad)?;
    let gib = match unit {
        "GB" | "GiB" => number,
        "TB" | "TiB" => number * 1024.0,
        _ => return Err(bad()),
    };
    if !(20.0..=65_536.0).contains(&gib) || gib.fract() != 0.0 {
        return Err(Problem::new(
            span(value),
            key,
            format!("`{text}`: RDS gp3 storage is a whole number of GiB from 20 to 65536 (64 TiB)"),
        ));
    }
    Ok(gib as u64)
}

/// Splits `"100GB"` into (100.0, "GB").
fn split_size(text: &str) -> Option<(f64, &str)> {
    let end = text.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
    Some((text[..end].parse().ok()?, text[end..].trim()))
}

/// A whole number in `min..=max`.
pub fn integer_in(value: &Spanned<i64>, key: &str, min: i64, max: i64) -> Result<u32, Problem> {
    let n = *value.get_ref();
    if n < min || n > max {
        return Err(Problem::new(
            span(value),
            key,
            format!("{n} is out of range: expected a whole number from {min} to {max}"),
        ));
    }
    Ok(n as u32)
}

/// A UTC timestamp, written as a TOML date-time or an RFC 3339 string such
/// as `"1998-06-30T18:00:00Z"`.
pub fn timestamp(value: &RawValue, key: &str) -> Result<OffsetDateTime, Problem> {
    let text = match value.get_ref() {
        toml::Value::String(s) => s.clone(),
        toml::Value::Datetime(d) => d.to_string(),
        other => {
            return Err(Problem::new(
                span(value),
                key,
                format!(
                    "expected a UTC time like \"2026-03-02T14:00:00Z\", found {}",
                    a_type(other)
                ),
            ));
        }
    };
    OffsetDateTime::parse(&text, &Rfc3339).map_err(|error| {
        // A well-formed time with an impossible part (February 30th, hour
        // 25) is named as such, not as a format error.
        let problem = match error {
            time::error::Parse::TryFromParsed(why) => {
                format!("`{text}` is not a real time: {why}")
            }
            _ => format!(
                "`{text}` is not a UTC time: expected RFC 3339 like \"2026-03-02T14:00:00Z\""
            ),
        };
        Problem::new(span(value), key, problem).with_hint(
            "give the date, a `T`, the time with seconds, and `Z` (or an offset like +02:00)",
        )
    })
}

/// The closest of `candidates` to `name`, if it is close enough to be a
/// plausible typo.
///
/// Close means a Jaro–Winkler similarity above 0.8, or at most two
/// edits (swaps count as one) for names of three letters or more, which
/// catches transposed letters in short names (`wbe` for `web`).
pub fn suggest<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .map(|candidate| (strsim::jaro_winkler(name, candidate), candidate))
        .filter(|(score, candidate)| {
            *score > 0.8 || (name.len() >= 3 && strsim::damerau_levenshtein(name, candidate) <= 2)
        })
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| candidate)
}

/// The region of the catalogue's prices, and so of every zone.
const REGION: &str = "us-east-1";

/// A list of Availability Zone names such as `["us-east-1a", "us-east-1b"]`,
/// or `default` when the key is left out (recorded as a default).
pub fn zones(
    value: &Option<Spanned<Vec<Spanned<String>>>>,
    key: &str,
    default: &[&str],
    defaults: &mut super::build::Defaults,
) -> Result<Vec<String>, Problem> {
    let Some(list) = value else {
        defaults.used(
            key,
            format!(
                "[{}]",
                default.iter().map(|z| format!("\"{z}\"")).collect::<Vec<_>>().join(", ")
            ),
            "Assumption: spread over zones as AWS recommends; the zones set which traffic crosses \
             between them (billed per GB each way)",
        );
        return Ok(default.iter().map(|z| z.to_string()).collect());
    };
    if list.get_ref().is_empty() {
        return Err(Problem::new(span(list), key, "expected at least one zone"));
    }
    let mut zones = Vec::new();
    for zone in list.get_ref() {
        let name = zone.get_ref().trim();
        let valid = name.len() >= 2
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && name.ends_with(|c: char| c.is_ascii_lowercase());
        if !valid {
            return Err(Problem::new(
                span(zone),
                key,
                format!("`{name}` is not a zone name like \"us-east-1a\""),
            ));
        }
        let in_region = name.strip_prefix(REGION).is_some_and(|letter| {
            letter.len() == 1 && ('a'..='f').contains(&letter.as_bytes()[0].into())
        });
        if !in_region {
            return Err(Problem::new(
                span(zone),
                key,
                format!(
                    "`{name}` is not a zone of {REGION}, the region whose prices the catalogue \
                     holds: expected {REGION}a to {REGION}f"
                ),
            ));
        }
        if zones.iter().any(|z| z == name) {
            return Err(Problem::new(span(zone), key, format!("zone `{name}` is listed twice")));
        }
        zones.push(name.to_string());
    }
    Ok(zones)
}

/// What kind of value a TOML value is, as a scenario author would say it
/// ("a whole number", "a list").
pub fn a_type(value: &toml::Value) -> &'static str {
    match value {
        toml::Value::String(_) => "a string",
        toml::Value::Integer(_) => "a whole number",
        toml::Value::Float(_) => "a number",
        toml::Value::Boolean(_) => "true or false",
        toml::Value::Datetime(_) => "a date",
        toml::Value::Array(_) => "a list",
        toml::Value::Table(_) => "a table",
    }
}
