//! Values written the way people write them: `"90s"`, `"5m"`, `"250/s"`,
//! `"8ms"`, `"20KiB"`, `"100GB"`.
//!
//! Each parser returns the expected form as its error, so the scenario
//! loader can say what it wanted next to what it got.

use crate::engine::time::{NANOS_PER_SEC, SimDuration};

/// The accepted duration units and their length in nanoseconds.
const DURATION_UNITS: [(&str, u64); 8] = [
    ("ns", 1),
    ("us", 1_000),
    ("µs", 1_000),
    ("ms", 1_000_000),
    ("s", NANOS_PER_SEC),
    ("m", 60 * NANOS_PER_SEC),
    ("h", 3_600 * NANOS_PER_SEC),
    ("d", 86_400 * NANOS_PER_SEC),
];

/// What a duration looks like, for error messages.
pub const DURATION_FORM: &str = "a duration with its unit, like \"90s\", \"5m\", \"8ms\" or \"2h30m\" (units: ns us ms s m h d)";

/// What a rate looks like, for error messages.
pub const RATE_FORM: &str = "a rate with its unit, like \"250/s\", \"1200/m\" or \"90000/h\"";

/// What a size looks like, for error messages.
pub const SIZE_FORM: &str = "a size with its unit, like \"512B\", \"20KiB\", \"1.5MB\" or \"100GB\" (units: B KB MB GB TB KiB MiB GiB TiB)";

/// Splits `"12.5ms"` into (12.5, "ms"); `None` if there is no leading number.
fn split_number(text: &str) -> Option<(f64, &str)> {
    let mut end = text
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_digit() || *c == '.' || *c == '_'))
        .map_or(text.len(), |(i, _)| i);
    // An exponent (`1e3`, `2.5E-2`): no unit starts with `e`, so an `e`
    // followed by digits belongs to the number.
    let rest = &text.as_bytes()[end..];
    if end > 0 && matches!(rest.first(), Some(b'e' | b'E')) {
        let sign = usize::from(matches!(rest.get(1), Some(b'+' | b'-')));
        let digits = rest[1 + sign..].iter().take_while(|b| b.is_ascii_digit()).count();
        if digits > 0 {
            end += 1 + sign + digits;
        }
    }
    let number: String = text[..end].chars().filter(|c| *c != '_').collect();
    if number.is_empty() || number == "." {
        return None;
    }
    Some((number.parse().ok()?, &text[end..]))
}

/// Reads a duration such as `"90s"`, `"1.5h"` or `"2h30m20s"`.
pub fn parse_duration(text: &str) -> Result<SimDuration, &'static str> {
    let mut rest = text.trim();
    if rest.is_empty() {
        return Err(DURATION_FORM);
    }
    let mut total_ns = 0f64;
    while !rest.is_empty() {
        let (number, after) = split_number(rest).ok_or(DURATION_FORM)?;
        let unit_len = after.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(after.len());
        // Spaces may stand between a number and its unit, as in sizes and
        // rates: "5 ms", "1h 30m".
        let unit = after[..unit_len].trim();
        let (_, unit_ns) =
            DURATION_UNITS.iter().find(|(name, _)| *name == unit).ok_or(DURATION_FORM)?;
        total_ns += number * *unit_ns as f64;
        rest = after[unit_len..].trim_start();
    }
    if !total_ns.is_finite() || total_ns > u64::MAX as f64 / 2.0 {
        return Err("a duration under 146 years (the longest cloudtwin counts in nanoseconds)");
    }
    Ok(SimDuration(total_ns.round() as u64))
}

/// Reads a rate such as `"250/s"` and returns requests per second.
pub fn parse_rate(text: &str) -> Result<f64, &'static str> {
    let (count, per) = text.trim().split_once('/').ok_or(RATE_FORM)?;
    let (number, tail) = split_number(count.trim()).ok_or(RATE_FORM)?;
    if !tail.trim().is_empty() {
        return Err(RATE_FORM);
    }
    let seconds = match per.trim() {
        "s" | "sec" => 1.0,
        "m" | "min" => 60.0,
        "h" | "hour" => 3_600.0,
        _ => return Err(RATE_FORM),
    };
    Ok(number / seconds)
}

/// Reads a size such as `"20KiB"` or `"100GB"` and returns bytes.
pub fn parse_size(text: &str) -> Result<u64, &'static str> {
    let (number, unit) = split_number(text.trim()).ok_or(SIZE_FORM)?;
    let multiplier: f64 = match unit.trim() {
        "B" => 1.0,
        "KB" | "kB" => 1e3,
        "MB" => 1e6,
        "GB" => 1e9,
        "TB" => 1e12,
        "KiB" => 1024.0,
        "MiB" => 1024.0 * 1024.0,
        "GiB" => 1024.0 * 1024.0 * 1024.0,
        "TiB" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        _ => return Err(SIZE_FORM),
    };
    let bytes = number * multiplier;
    if !bytes.is_finite() || bytes > 1e18 {
        return Err("a size of at most 1 EB (10^18 bytes)");
    }
    Ok(bytes.round() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_in_every_unit_and_compound() {
        assert_eq!(parse_duration("90s"), Ok(SimDuration::from_secs(90)));
        assert_eq!(parse_duration("5m"), Ok(SimDuration::from_secs(300)));
        assert_eq!(parse_duration("8ms"), Ok(SimDuration::from_millis(8)));
        assert_eq!(parse_duration("1.5h"), Ok(SimDuration::from_secs(5_400)));
        assert_eq!(parse_duration("2h30m20s"), Ok(SimDuration::from_secs(9_020)));
        assert_eq!(parse_duration("250us"), Ok(SimDuration(250_000)));
        assert!(parse_duration("90").is_err());
        assert!(parse_duration("-5s").is_err());
        assert!(parse_duration("5 parsecs").is_err());
        assert!(parse_duration("").is_err());
    }

    #[test]
    fn rates_per_second_minute_hour() {
        assert_eq!(parse_rate("250/s"), Ok(250.0));
        assert_eq!(parse_rate("1200/m"), Ok(20.0));
        assert_eq!(parse_rate("7200/h"), Ok(2.0));
        assert!(parse_rate("250").is_err());
        assert!(parse_rate("-3/s").is_err());
        assert!(parse_rate("3/fortnight").is_err());
        assert_eq!(parse_rate("1e3/s"), Ok(1000.0));
        assert_eq!(parse_rate("2.5E-1/s"), Ok(0.25));
        assert_eq!(parse_duration("1e3ms"), Ok(SimDuration(1_000_000_000)));
        assert!(parse_rate("1e/s").is_err(), "an e with no digits is not an exponent");
    }

    #[test]
    fn sizes_decimal_and_binary() {
        assert_eq!(parse_size("512B"), Ok(512));
        assert_eq!(parse_size("20KiB"), Ok(20_480));
        assert_eq!(parse_size("1.5MB"), Ok(1_500_000));
        assert_eq!(parse_size("100GB"), Ok(100_000_000_000));
        assert!(parse_size("12").is_err());
    }
}
