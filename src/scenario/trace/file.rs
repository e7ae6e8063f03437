//! Reading a trace file: its layout (times, an index, or bare rows) and its
//! counts, plain or gzip.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::scenario::error::{ScenarioError, file_error};
use crate::scenario::traffic::rfc3339;

/// How the rows of a trace file say when they happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowClock {
    /// The first column holds times.
    Times,
    /// The first column numbers the rows.
    Index,
    /// Row n is the n-th interval.
    Rows,
}

/// What a trace file holds, read from its header and first row.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    /// Column names.
    pub headers: Vec<String>,
    /// How rows are placed in time.
    pub clock: RowClock,
    /// Columns other than the time column whose first value is a number.
    pub numeric: Vec<usize>,
}

impl Layout {
    /// The column that places rows in time, if any.
    pub fn time_column(&self) -> Option<usize> {
        (self.clock != RowClock::Rows).then_some(0)
    }
}

/// Counts per interval, read from a file.
#[derive(Debug, Clone, PartialEq)]
pub struct CountTrace {
    /// UTC start of the first row, when the rows carry times.
    pub first: Option<OffsetDateTime>,
    /// Length of one interval in nanoseconds: from the times, or as given.
    pub interval_ns: i64,
    /// Runs of consecutive intervals, in time order; between two runs the
    /// trace has no data.
    pub blocks: Vec<Block>,
}

/// Consecutive intervals of a [`CountTrace`].
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    /// Intervals since the first row at which the run starts.
    pub first_slot: i64,
    /// Requests counted in each interval.
    pub counts: Vec<f64>,
}

impl Block {
    /// The slot just after the block.
    pub fn end_slot(&self) -> i64 {
        self.first_slot + self.counts.len() as i64
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

/// Opens the file as CSV, decompressing it if it starts like gzip.
fn open_csv(path: &Path) -> Result<csv::Reader<Box<dyn Read>>, ScenarioError> {
    let cannot = |e: std::io::Error| file_error(path, format!("cannot read the trace: {e}"));
    let mut reader = BufReader::new(File::open(path).map_err(cannot)?);
    let is_gzip = reader.fill_buf().map_err(cannot)?.starts_with(&[0x1f, 0x8b]);
    let input: Box<dyn Read> = if is_gzip {
        Box::new(flate2::bufread::MultiGzDecoder::new(reader))
    } else {
        Box::new(reader)
    };
    Ok(csv::ReaderBuilder::new().has_headers(true).trim(csv::Trim::All).from_reader(input))
}

/// Whether `text` is an RFC 3339 time.
pub(super) fn is_time(text: &str) -> bool {
    OffsetDateTime::parse(text, &Rfc3339).is_ok()
}

/// Whether a column's name says that it numbers the rows.
fn is_index_name(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    name == "index"
        || name.ends_with("_index")
        || ["minute", "second", "hour"].contains(&name.as_str())
}

/// Reads the header and the first row.
pub fn read_layout(path: &Path) -> Result<Layout, ScenarioError> {
    let mut reader = open_csv(path)?;
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| file_error(path, format!("cannot read the trace header: {e}")))?
        .iter()
        .map(str::to_string)
        .collect();
    if headers.iter().any(|h| is_time(h) || h.parse::<f64>().is_ok()) {
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
    let mut first = csv::StringRecord::new();
    let has_row = reader
        .read_record(&mut first)
        .map_err(|e| file_error(path, format!("cannot read the trace: {e}")))?;
    if !has_row {
        return Err(file_error(path, "the trace has a header but no rows"));
    }
    let clock = if is_time(&first[0]) {
        RowClock::Times
    } else if headers.len() > 1 && is_index_name(&headers[0]) {
        RowClock::Index
    } else {
        RowClock::Rows
    };
    let skip = if clock == RowClock::Rows { None } else { Some(0) };
    let numeric = (0..headers.len())
        .filter(|i| Some(*i) != skip && first.get(*i).is_some_and(|v| v.parse::<f64>().is_ok()))
        .collect();
    Ok(Layout { headers, clock, numeric })
}

/// Reads every row's count from `column`. `interval_ns` is the length of a
/// row for files without times; files with times set their own.
pub fn read_counts(
    path: &Path,
    layout: &Layout,
    column: usize,
    interval_ns: Option<i64>,
) -> Result<CountTrace, ScenarioError> {
    let mut reader = open_csv(path)?;
    let name = layout.headers[column].as_str();
    let time_name = layout.headers[0].as_str();
    let mut trace =
        CountTrace { first: None, interval_ns: interval_ns.unwrap_or(0), blocks: Vec::new() };
    let mut first_index: Option<i64> = None;
    let mut record = csv::StringRecord::new();
    let mut row: i64 = 0;
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                return Err(line_error(path, line, "", format!("unreadable row: {e}")));
            }
        }
        let line = record.position().map_or(0, |p| p.line());
        let text = record.get(column).unwrap_or("");
        let count: f64 = text
            .parse()
            .ok()
            .filter(|c: &f64| c.is_finite())
            .ok_or_else(|| line_error(path, line, name, format!("`{text}` is not a number")))?;
        if count < 0.0 {
            return Err(line_error(
                path,
                line,
                name,
                format!("{count} is negative: a count is 0 or more"),
            ));
        }
        let at = &record[0];
        let slot = match layout.clock {
            RowClock::Rows => row,
            RowClock::Index => {
                let index: i64 = at.parse().map_err(|_| {
                    line_error(path, line, time_name, format!("`{at}` is not a whole row number"))
                })?;
                index - *first_index.get_or_insert(index)
            }
            RowClock::Times => {
                let time = OffsetDateTime::parse(at, &Rfc3339).map_err(|_| {
                    line_error(
                        path,
                        line,
                        time_name,
                        format!("`{at}` is not a time like 1998-06-30T00:00:00Z"),
                    )
                })?;
                time_slot(&mut trace, time).map_err(|why| line_error(path, line, time_name, why))?
            }
        };
        push(&mut trace, slot, count).map_err(|()| {
            line_error(
                path,
                line,
                time_name,
                format!("`{at}` does not come after the row before: rows must be in time order"),
            )
        })?;
        row += 1;
    }
    if trace.interval_ns <= 0 {
        return Err(file_error(path, "the trace needs at least two rows to know its interval"));
    }
    Ok(trace)
}

/// The slot of a row's time, learning the first time and the interval from
/// the first two rows.
fn time_slot(trace: &mut CountTrace, time: OffsetDateTime) -> Result<i64, String> {
    let Some(first) = trace.first else {
        trace.first = Some(time);
        return Ok(0);
    };
    let since = (time - first).whole_nanoseconds();
    if trace.interval_ns == 0 {
        if since <= 0 {
            return Err("times must increase".into());
        }
        trace.interval_ns = since.min(i64::MAX as i128) as i64;
    }
    let interval = i128::from(trace.interval_ns);
    if since % interval != 0 {
        return Err(format!(
            "{} is off the trace's step of {} s: rows must start on whole intervals",
            rfc3339(time),
            interval as f64 / 1e9
        ));
    }
    Ok((since / interval).clamp(i64::MIN as i128, i64::MAX as i128) as i64)
}

/// Adds a row at `slot`, starting a new block after a gap; `Err` if the slot
/// does not come after the previous one.
fn push(trace: &mut CountTrace, slot: i64, count: f64) -> Result<(), ()> {
    match trace.blocks.last_mut() {
        Some(block) if slot == block.end_slot() => block.counts.push(count),
        Some(block) if slot < block.end_slot() => return Err(()),
        _ => trace.blocks.push(Block { first_slot: slot, counts: vec![count] }),
    }
    Ok(())
}
