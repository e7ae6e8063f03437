//! Reading a trace of request counts per interval from a CSV file.
//!
//! The file has a header and two columns: the UTC start of each interval
//! (RFC 3339) and the count of requests in it, as the traces under
//! `scenarios/data/` are written. Intervals must be equal and consecutive.

use std::path::Path;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::error::{ScenarioError, file_error};

/// Counts per interval, read from a file.
#[derive(Debug, Clone, PartialEq)]
pub struct CountTrace {
    /// UTC start of the first interval.
    pub first: OffsetDateTime,
    /// Length of every interval in seconds.
    pub interval_s: i64,
    /// Requests counted in each interval.
    pub counts: Vec<f64>,
}

impl CountTrace {
    /// UTC end of the last interval.
    pub fn end(&self) -> OffsetDateTime {
        self.first + time::Duration::seconds(self.interval_s * self.counts.len() as i64)
    }
}

/// An error on one line of the trace.
fn line_error(path: &Path, line: u64, column: &str, problem: String) -> ScenarioError {
    ScenarioError {
        file: path.to_path_buf(),
        line: line as usize,
        column: 1,
        key: column.to_string(),
        problem,
        hint: None,
    }
}

/// Reads and checks a trace file.
pub fn read_count_trace(path: &Path) -> Result<CountTrace, ScenarioError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .trim(csv::Trim::All)
        .from_path(path)
        .map_err(|e| file_error(path, format!("cannot read the trace: {e}")))?;
    let headers = reader
        .headers()
        .map_err(|e| file_error(path, format!("cannot read the trace header: {e}")))?
        .clone();
    if headers.len() != 2 {
        return Err(file_error(
            path,
            format!(
                "expected two columns (interval start in UTC, request count), found {}",
                headers.len()
            ),
        ));
    }
    if OffsetDateTime::parse(&headers[0], &Rfc3339).is_ok() || headers[1].parse::<f64>().is_ok() {
        return Err(ScenarioError {
            file: path.to_path_buf(),
            line: 1,
            column: 1,
            key: String::new(),
            problem: "the first row holds data, not column names: the trace needs a header row"
                .into(),
            hint: Some("add a first line such as `minute_start_utc,requests`".into()),
        });
    }
    let count_column = headers[1].to_string();
    let mut times: Vec<OffsetDateTime> = Vec::new();
    let mut counts: Vec<f64> = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            line_error(path, line, "", format!("unreadable row: {e}"))
        })?;
        let line = record.position().map_or(0, |p| p.line());
        let time = OffsetDateTime::parse(&record[0], &Rfc3339).map_err(|_| {
            line_error(
                path,
                line,
                &headers[0],
                format!("`{}` is not a UTC time like 1998-06-30T00:00:00Z", &record[0]),
            )
        })?;
        let count: f64 =
            record[1].parse().ok().filter(|c: &f64| c.is_finite()).ok_or_else(|| {
                line_error(path, line, &count_column, format!("`{}` is not a number", &record[1]))
            })?;
        if count < 0.0 {
            return Err(line_error(
                path,
                line,
                &count_column,
                format!("{count} is negative: a count is 0 or more"),
            ));
        }
        if times.len() >= 2 {
            let step = times[1] - times[0];
            if time - times[times.len() - 1] != step {
                return Err(line_error(
                    path,
                    line,
                    &headers[0],
                    format!(
                        "{} breaks the trace's step of {} s: rows must be consecutive and equally spaced",
                        &record[0],
                        step.whole_seconds()
                    ),
                ));
            }
        } else if let Some(previous) = times.last()
            && time <= *previous
        {
            return Err(line_error(path, line, &headers[0], "times must increase".to_string()));
        }
        times.push(time);
        counts.push(count);
    }
    if times.len() < 2 {
        return Err(file_error(path, "the trace needs at least two rows to know its interval"));
    }
    let interval_s = (times[1] - times[0]).whole_seconds();
    if interval_s <= 0 {
        return Err(file_error(path, "the trace's interval is shorter than a second"));
    }
    Ok(CountTrace { first: times[0], interval_s, counts })
}
