//! Tables read from CSV files beside the scenario: a column of samples for
//! `empirical`, a row of percentiles for `percentiles`.
//!
//! Files have a header row; numbers are plain, in the table's `unit`.
//! Mistakes in a file are reported under the scenario key that names it,
//! with the file and line at the head of the message.

use std::fs::{self, File};
use std::path::Path;

use csv::StringRecord;

use super::percentiles::column_percent;
use super::{Params, Point, number_to_ns, percentile_table};
use crate::engine::dist::{Dist, QuantileTable};
use crate::scenario::error::Problem;
use crate::scenario::values::suggest;

/// `{ dist = "empirical", file, column, unit }`: every number in one column.
pub(super) fn empirical(params: &Params<'_>) -> Result<Dist, Problem> {
    let mut csv = CsvFile::open(params)?;
    let unit_ns = params.required_unit_ns()?;
    let (index, name) = csv.column(params)?;
    let mut samples = Vec::new();
    for record in csv.reader.records() {
        let (record, line) = located(params, &csv.shown, record)?;
        let cell = record.get(index).unwrap_or("");
        let ns = cell_ns(cell, &name, unit_ns)
            .map_err(|why| params.problem("file", format!("{}:{line}: {why}", csv.shown)))?;
        samples.push(ns);
    }
    if samples.len() < 2 {
        return Err(params.problem(
            "file",
            format!(
                "{} has {} value(s) in column `{name}`: an empirical distribution needs at \
                 least 2",
                csv.shown,
                samples.len()
            ),
        ));
    }
    let table = QuantileTable::from_samples(samples)
        .map_err(|e| params.problem("file", format!("{}: {e}", csv.shown)))?;
    Ok(Dist::Empirical(table))
}

/// `{ dist = "percentiles", file, row | key, unit }`: the percentile columns
/// (`p50`, `percentile_Average_50`, …) of one data row.
pub(super) fn percentile_row(params: &Params<'_>) -> Result<Dist, Problem> {
    let mut csv = CsvFile::open(params)?;
    let unit_ns = params.required_unit_ns()?;
    let columns: Vec<(usize, f64)> = csv
        .headers
        .iter()
        .enumerate()
        .filter_map(|(index, name)| column_percent(name).map(|percent| (index, percent)))
        .collect();
    if columns.is_empty() {
        return Err(params.problem(
            "file",
            format!(
                "{} has no percentile columns: expected names like `p50` or \
                 `percentile_Average_50`, found {}",
                csv.shown,
                csv.column_list()
            ),
        ));
    }
    let choice = RowChoice::read(params)?;
    let (record, line) = csv.find_row(params, &choice)?;

    let at = |why: String| params.problem("file", format!("{}:{line}: {why}", csv.shown));
    let mut points = Vec::new();
    for (index, percent) in columns {
        let (label, cell) = (&csv.headers[index], record.get(index).unwrap_or(""));
        let ns = cell_ns(cell, label, unit_ns).map_err(at)?;
        points.push(Point { label: label.to_string(), percent, ns, shown: cell.to_string() });
    }
    let table = percentile_table(points, &|_, why| at(why), &at)?;
    Ok(Dist::Empirical(table))
}

/// The number in one cell, in nanoseconds, or what is wrong with it.
fn cell_ns(cell: &str, column: &str, unit_ns: f64) -> Result<f64, String> {
    if cell.is_empty() {
        return Err(format!("column `{column}` is empty: expected a number"));
    }
    let number: f64 =
        cell.parse().map_err(|_| format!("`{cell}` in column `{column}` is not a number"))?;
    number_to_ns(number, unit_ns).map_err(|why| format!("`{cell}` in column `{column}` {why}"))
}

/// Which data row of a percentiles file to read.
enum RowChoice {
    /// The n-th data row, from 1.
    Number(u64),
    /// The row whose first column holds this text.
    Key(String),
}

impl RowChoice {
    /// Reads `row` or `key`; one of them is needed.
    fn read(params: &Params<'_>) -> Result<RowChoice, Problem> {
        let row_what = "the data row to read, counting from 1 below the header";
        let key_what = "the value in the first column of the row to read";
        match (params.has("row"), params.has("key")) {
            (true, true) => Err(params.problem("key", "give `row` or `key`, not both")),
            (true, false) => {
                let row = params.whole("row", row_what)?;
                if row < 1 {
                    return Err(params.problem("row", format!("row = {row}: expected {row_what}")));
                }
                Ok(RowChoice::Number(row as u64))
            }
            (false, true) => {
                let key = params.text("key", key_what)?.unwrap_or_default();
                Ok(RowChoice::Key(key.to_string()))
            }
            (false, false) => {
                Err(params.missing("row", &format!("{row_what} (or `key`, {key_what})")))
            }
        }
    }
}

/// An open CSV file and its header.
struct CsvFile {
    /// The path as shown in messages.
    shown: String,
    reader: csv::Reader<File>,
    headers: StringRecord,
}

impl CsvFile {
    /// Opens the table's `file`, relative to the scenario's folder, and
    /// reads its header.
    fn open(params: &Params<'_>) -> Result<CsvFile, Problem> {
        let what = "the path of a CSV file, relative to the scenario file's folder";
        let name = params.text("file", what)?.ok_or_else(|| params.missing("file", what))?;
        let path = params.base_dir.join(name);
        let shown = path.display().to_string();
        if !path.is_file() {
            let relative = "the path is relative to the scenario file's folder";
            let hint = match nearest_file(&path) {
                Some(near) => format!("did you mean `{near}`? ({relative})"),
                None => relative.to_string(),
            };
            return Err(params.problem("file", format!("no file at {shown}")).with_hint(hint));
        }
        let cannot = |e: csv::Error| params.problem("file", format!("cannot read {shown}: {e}"));
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .trim(csv::Trim::All)
            .from_path(&path)
            .map_err(cannot)?;
        let headers = reader.headers().map_err(cannot)?.clone();
        if headers.iter().all(str::is_empty) {
            return Err(params.problem("file", format!("{shown} is empty: expected a header row")));
        }
        Ok(CsvFile { shown, reader, headers })
    }

    /// The header's names, for messages.
    fn column_list(&self) -> String {
        self.headers.iter().map(|name| format!("`{name}`")).collect::<Vec<_>>().join(", ")
    }

    /// The index and name of the table's `column`, which may be left out
    /// when the file has one column.
    fn column(&self, params: &Params<'_>) -> Result<(usize, String), Problem> {
        let what = "the name of the column that holds the samples";
        let index = match params.text("column", what)? {
            Some(name) => self.headers.iter().position(|h| h == name).ok_or_else(|| {
                let problem = params.problem(
                    "column",
                    format!(
                        "{} has no column `{name}`: its columns are {}",
                        self.shown,
                        self.column_list()
                    ),
                );
                match suggest(name, self.headers.iter()) {
                    Some(near) => problem.with_hint(format!("did you mean `{near}`?")),
                    None => problem,
                }
            })?,
            None if self.headers.len() == 1 => 0,
            None => {
                return Err(params.missing(
                    "column",
                    &format!("{what}: {} has columns {}", self.shown, self.column_list()),
                ));
            }
        };
        let name = self.headers[index].to_string();
        if name.parse::<f64>().is_ok() {
            return Err(params
                .problem(
                    "file",
                    format!(
                        "{}:1: the first row holds the number `{name}`, not column names: the \
                         file needs a header row",
                        self.shown
                    ),
                )
                .with_hint("add a first line naming the column, such as `duration_ms`"));
        }
        Ok((index, name))
    }

    /// The chosen data row and its line.
    fn find_row(
        &mut self,
        params: &Params<'_>,
        choice: &RowChoice,
    ) -> Result<(StringRecord, u64), Problem> {
        let mut rows = 0u64;
        let mut first_column = Vec::new();
        for record in self.reader.records() {
            let (record, line) = located(params, &self.shown, record)?;
            rows += 1;
            let first = record.get(0).unwrap_or("");
            match choice {
                RowChoice::Number(n) if *n == rows => return Ok((record, line)),
                RowChoice::Key(key) if key == first => return Ok((record, line)),
                RowChoice::Key(_) => first_column.push(first.to_string()),
                RowChoice::Number(_) => {}
            }
        }
        Err(match choice {
            RowChoice::Number(n) => params.problem(
                "row",
                format!("row = {n} is past the end: {} has {rows} data row(s)", self.shown),
            ),
            RowChoice::Key(key) => {
                let problem = params.problem(
                    "key",
                    format!(
                        "{} has no row whose first column (`{}`) is `{key}`",
                        self.shown,
                        self.headers.get(0).unwrap_or("")
                    ),
                );
                match suggest(key, first_column.iter().map(String::as_str)) {
                    Some(near) => problem.with_hint(format!("did you mean `{near}`?")),
                    None => problem,
                }
            }
        })
    }
}

/// A record with its line in the file, or the error of an unreadable row.
fn located(
    params: &Params<'_>,
    shown: &str,
    record: Result<StringRecord, csv::Error>,
) -> Result<(StringRecord, u64), Problem> {
    match record {
        Ok(record) => {
            let line = record.position().map_or(0, |p| p.line());
            Ok((record, line))
        }
        Err(e) => {
            let line = e.position().map_or(0, |p| p.line());
            Err(params.problem("file", format!("{shown}:{line}: unreadable row: {e}")))
        }
    }
}

/// The name in `path`'s folder nearest to its file name, if one is close
/// enough to be a typo.
fn nearest_file(path: &Path) -> Option<String> {
    let folder = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let wanted = path.file_name()?.to_str()?;
    let names: Vec<String> = fs::read_dir(folder)
        .ok()?
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .collect();
    suggest(wanted, names.iter().map(String::as_str)).map(str::to_string)
}
