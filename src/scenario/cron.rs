//! Cron recurrences of scheduled actions: the five fields of Unix cron
//! (minute, hour, day of month, month, day of week), as EC2 Auto Scaling
//! accepts them in `Recurrence`, evaluated in UTC.
//!
//! Each field is `*`, a number, a range `a-b`, a step `*/n` or `a-b/n`, or
//! a comma list of those. When both day fields are restricted, a day
//! matches if either does (Unix cron's rule).

use time::{Duration, OffsetDateTime};

/// A parsed cron expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cron {
    minutes: u64,
    hours: u64,
    days_of_month: u64,
    months: u64,
    days_of_week: u64,
    day_of_month_any: bool,
    day_of_week_any: bool,
}

/// The range of each field, in order.
const FIELDS: [(&str, u32, u32); 5] = [
    ("minute", 0, 59),
    ("hour", 0, 23),
    ("day of month", 1, 31),
    ("month", 1, 12),
    ("day of week", 0, 7),
];

impl Cron {
    /// Parses `text`; the error says which field is wrong and why.
    pub fn parse(text: &str) -> Result<Cron, String> {
        let fields: Vec<&str> = text.split_whitespace().collect();
        if fields.len() != 5 {
            return Err(format!(
                "`{text}` has {} fields: expected 5 (minute hour day-of-month month day-of-week), \
                 such as \"0 18 * * 1-5\"",
                fields.len()
            ));
        }
        let mut sets = [0u64; 5];
        for (i, field) in fields.iter().enumerate() {
            let (name, low, high) = FIELDS[i];
            sets[i] = parse_field(field, low, high)
                .map_err(|why| format!("{name} field `{field}`: {why}"))?;
        }
        // Sunday is both 0 and 7.
        if sets[4] & (1 << 7) != 0 {
            sets[4] |= 1;
        }
        Ok(Cron {
            minutes: sets[0],
            hours: sets[1],
            days_of_month: sets[2],
            months: sets[3],
            days_of_week: sets[4],
            day_of_month_any: fields[2] == "*",
            day_of_week_any: fields[4] == "*",
        })
    }

    /// True when the minute that starts at `t` (UTC) matches.
    pub fn matches(&self, t: OffsetDateTime) -> bool {
        let bit = |set: u64, v: u8| set & (1 << v) != 0;
        let dom = bit(self.days_of_month, t.day());
        let dow = bit(self.days_of_week, t.weekday().number_days_from_sunday());
        let day = match (self.day_of_month_any, self.day_of_week_any) {
            (true, true) => true,
            (false, true) => dom,
            (true, false) => dow,
            (false, false) => dom || dow,
        };
        bit(self.minutes, t.minute())
            && bit(self.hours, t.hour())
            && bit(self.months, u8::from(t.month()))
            && day
    }

    /// Every matching minute from `from` (inclusive) to `to` (exclusive).
    pub fn between(&self, from: OffsetDateTime, to: OffsetDateTime) -> Vec<OffsetDateTime> {
        let mut t = from.replace_second(0).unwrap_or(from).replace_nanosecond(0).unwrap_or(from);
        if t < from {
            t += Duration::minutes(1);
        }
        let mut found = Vec::new();
        while t < to {
            if self.matches(t) {
                found.push(t);
            }
            t += Duration::minutes(1);
        }
        found
    }
}

/// One field as a bit set of the values it allows.
fn parse_field(field: &str, low: u32, high: u32) -> Result<u64, String> {
    let mut set = 0u64;
    for part in field.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((range, step)) => {
                let step: u32 = step
                    .parse()
                    .ok()
                    .filter(|s| *s > 0)
                    .ok_or_else(|| format!("step `{step}` is not a whole number above 0"))?;
                (range, step)
            }
            None => (part, 1),
        };
        let (from, to) = if range == "*" {
            (low, high)
        } else if let Some((a, b)) = range.split_once('-') {
            (number(a, low, high)?, number(b, low, high)?)
        } else {
            let n = number(range, low, high)?;
            (n, if step > 1 { high } else { n })
        };
        if from > to {
            return Err(format!("range `{range}` runs backwards"));
        }
        let mut v = from;
        while v <= to {
            set |= 1 << v;
            v += step;
        }
    }
    Ok(set)
}

fn number(text: &str, low: u32, high: u32) -> Result<u32, String> {
    match text.parse::<u32>() {
        Ok(n) if (low..=high).contains(&n) => Ok(n),
        _ => Err(format!("`{text}` is not a whole number from {low} to {high}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn weekday_evenings_match_and_weekends_do_not() {
        let cron = Cron::parse("30 18 * * 1-5").unwrap();
        // 2026-03-02 is a Monday.
        assert!(cron.matches(datetime!(2026-03-02 18:30 UTC)));
        assert!(!cron.matches(datetime!(2026-03-02 18:31 UTC)));
        assert!(!cron.matches(datetime!(2026-03-07 18:30 UTC)));
    }

    #[test]
    fn steps_lists_and_sunday_as_seven() {
        let cron = Cron::parse("*/15 0,12 * * 7").unwrap();
        // 2026-03-08 is a Sunday.
        let hits = cron.between(datetime!(2026-03-08 00:00 UTC), datetime!(2026-03-09 00:00 UTC));
        assert_eq!(hits.len(), 8);
        assert_eq!(hits[1], datetime!(2026-03-08 00:15 UTC));
        assert_eq!(hits[4], datetime!(2026-03-08 12:00 UTC));
    }

    #[test]
    fn either_day_field_matches_when_both_are_restricted() {
        let cron = Cron::parse("0 0 1 * 1").unwrap();
        assert!(cron.matches(datetime!(2026-04-01 00:00 UTC))); // a Wednesday, the 1st
        assert!(cron.matches(datetime!(2026-04-06 00:00 UTC))); // a Monday
        assert!(!cron.matches(datetime!(2026-04-07 00:00 UTC)));
    }

    #[test]
    fn between_starts_at_the_next_whole_minute() {
        let cron = Cron::parse("* * * * *").unwrap();
        let hits =
            cron.between(datetime!(2026-03-02 10:00:30 UTC), datetime!(2026-03-02 10:03 UTC));
        assert_eq!(hits, vec![datetime!(2026-03-02 10:01 UTC), datetime!(2026-03-02 10:02 UTC)]);
    }

    #[test]
    fn bad_fields_are_named() {
        assert!(Cron::parse("0 18 * *").unwrap_err().contains("expected 5"));
        assert!(Cron::parse("61 * * * *").unwrap_err().contains("minute field"));
        assert!(Cron::parse("0 5-2 * * *").unwrap_err().contains("backwards"));
        assert!(Cron::parse("*/0 * * * *").unwrap_err().contains("step"));
    }
}
