//! The numbers table written out for other tools: CSV (RFC 4180 quoting, one header line) or
//! a JSON array, row by row as the rows come, so 20,000 numbers are never held twice. The CLI
//! writes `wareg numbers --csv` with it; the TUI can write its filtered table to a file by
//! turning its rows into [`ExportRow`]s.

use serde_json::{Value, json};
use std::borrow::Borrow;
use std::io::{self, Write};

use super::column::{Column, Facts, Screen, Value as CellValue};
use super::row::Row;
use crate::audit::BudgetBook;
use crate::clean::{MESSAGE_MAX, NAME_MAX};

/// The columns' keys, in order: the CSV header and the JSON keys.
pub fn columns() -> Vec<&'static str> {
    Column::ALL.iter().map(|c| c.key()).collect()
}

/// One number as the table shows it, every text cleaned for output: a value per column of
/// [`Column::ALL`]. An empty text is a value that is not known (not read, or not part of the
/// answer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportRow {
    values: Vec<Cell>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Cell {
    Text(String),
    Count(u32),
}

impl Default for ExportRow {
    /// Every value empty (a row built by hand, in tests and by `with`).
    fn default() -> ExportRow {
        ExportRow {
            values: vec![Cell::Text(String::new()); Column::ALL.len()],
        }
    }
}

impl ExportRow {
    /// A fleet row with its budgets, as every column says it.
    pub fn of(row: &Row, budgets: &BudgetBook) -> ExportRow {
        let screen = Screen::default();
        let facts = Facts {
            row,
            budgets,
            screen: &screen,
        };
        ExportRow {
            values: Column::ALL
                .iter()
                .map(|c| match c.value(&facts) {
                    CellValue::Count(n) => Cell::Count(n),
                    CellValue::Text(t) => Cell::Text(clean(*c, &t)),
                })
                .collect(),
        }
    }

    /// The same row with one column's text set (cleaned as every text is).
    pub fn with(mut self, column: Column, text: &str) -> ExportRow {
        self.values[position(column)] = Cell::Text(clean(column, text));
        self
    }

    /// The same row with one column's count set.
    pub fn with_count(mut self, column: Column, n: u32) -> ExportRow {
        self.values[position(column)] = Cell::Count(n);
        self
    }

    /// One column's value as text.
    pub fn text(&self, column: Column) -> String {
        match &self.values[position(column)] {
            Cell::Text(t) => t.clone(),
            Cell::Count(n) => n.to_string(),
        }
    }

    /// The row's values in [`columns`] order, as text.
    pub fn cells(&self) -> Vec<String> {
        Column::ALL.iter().map(|c| self.text(*c)).collect()
    }

    fn json(&self) -> Value {
        let mut object = serde_json::Map::new();
        for (column, cell) in Column::ALL.iter().zip(&self.values) {
            // Counts stay numbers for whoever reads the JSON.
            let value = match cell {
                Cell::Text(t) => json!(t),
                Cell::Count(n) => json!(n),
            };
            object.insert(column.key().to_owned(), value);
        }
        Value::Object(object)
    }
}

fn position(column: Column) -> usize {
    Column::ALL
        .iter()
        .position(|c| *c == column)
        .unwrap_or_default()
}

/// Text from the server, made safe to write: an error may be a sentence, the rest are names.
fn clean(column: Column, text: &str) -> String {
    let max = if column == Column::Error {
        MESSAGE_MAX
    } else {
        NAME_MAX
    };
    crate::clean::text(text, max)
}

/// Writes the header line and one line per row. Lines end in `\n` (what Unix tools expect;
/// spreadsheets read it too).
pub fn write_csv<R: Borrow<ExportRow>>(
    rows: impl IntoIterator<Item = R>,
    out: impl Write,
) -> io::Result<()> {
    // The csv crate quotes (RFC 4180: only a field that needs it, quotes doubled); the guard
    // is ours.
    let mut out = csv::Writer::from_writer(out);
    out.write_record(columns())?;
    for row in rows {
        let row = row.borrow();
        out.write_record(
            Column::ALL
                .iter()
                .map(|column| csv_cell(*column, &row.text(*column))),
        )?;
    }
    out.flush()
}

/// Writes a JSON array of objects keyed by [`columns`], one row a line.
pub fn write_json<R: Borrow<ExportRow>>(
    rows: impl IntoIterator<Item = R>,
    mut out: impl Write,
) -> io::Result<()> {
    out.write_all(b"[")?;
    for (i, row) in rows.into_iter().enumerate() {
        out.write_all(if i == 0 { b"\n" } else { b",\n" })?;
        serde_json::to_writer(&mut out, &row.borrow().json())?;
    }
    out.write_all(b"\n]\n")?;
    out.flush()
}

/// One CSV field before quoting. Names come from the server: one that starts like a formula
/// (`=`, `+`, `-`, `@`) gets a leading `'` so a spreadsheet shows it instead of running it; a
/// phone number in the number column is left as it is.
fn csv_cell(column: Column, text: &str) -> String {
    // Cleaned here too (whoever made the row), and guarded after cleaning: a tab or a
    // carriage return in front of `=` becomes a space, and a spreadsheet skips spaces. No cell
    // is longer than a message.
    let text = crate::clean::text(text, MESSAGE_MAX);
    // A phone number ("+49 30 1234 5601") starts with + but cannot run anything: left as it is,
    // so scripts read the number and not a quote in front of it. Only in the number column: a
    // verified name `+1+1` is arithmetic a spreadsheet runs.
    let phone = column == Column::Number && is_phone_like(&text);
    if text.trim_start().starts_with(['=', '+', '-', '@']) && !phone {
        format!("'{text}")
    } else {
        text
    }
}

/// `+`, then digits with spaces, dashes and parentheses between them ("+1 (631) 555-0142"): no
/// second `+`, nothing a formula could be made of.
fn is_phone_like(text: &str) -> bool {
    text.strip_prefix('+').is_some_and(|rest| {
        rest.starts_with(|c: char| c.is_ascii_digit() || c == '(')
            && rest.chars().any(|c| c.is_ascii_digit())
            && rest
                .chars()
                .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '(' | ')'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(label: &str, name: &str) -> ExportRow {
        ExportRow::default()
            .with(Column::Id, "1065")
            .with(Column::Label, label)
            .with(Column::Name, name)
            .with_count(Column::RegisterLeft, 9)
            .with_count(Column::DeregisterLeft, 10)
    }

    /// One cell of the name column as `write_csv` writes it: guarded, then quoted by the csv
    /// writer.
    fn field(text: &str) -> String {
        field_in(Column::Name, text)
    }

    fn field_in(column: Column, text: &str) -> String {
        let mut out = csv::Writer::from_writer(Vec::new());
        out.write_record([csv_cell(column, text).as_str(), "end"])
            .unwrap();
        let line = String::from_utf8(out.into_inner().unwrap()).unwrap();
        line.strip_suffix(",end\n").unwrap().to_owned()
    }

    fn csv(rows: &[ExportRow]) -> String {
        let mut out = Vec::new();
        write_csv(rows, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn quoting_follows_rfc_4180() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field(""), "");
    }

    #[test]
    fn formula_starts_are_defused() {
        for bad in [
            "=HYPERLINK(\"x\")",
            "+1+cmd|' /C calc'!A0",
            "-2+3",
            "@SUM(A1)",
        ] {
            let cell = field(bad);
            let inner = cell.trim_start_matches('"');
            assert!(inner.starts_with('\''), "{bad} → {cell}");
        }
        assert_eq!(field("=1,2"), "\"'=1,2\"");
        assert_eq!(field("Sales = UK"), "Sales = UK");
        // Behind a tab, a carriage return or spaces: cleaned to spaces, then guarded.
        assert_eq!(field("\t=1+1"), "' =1+1");
        assert_eq!(field("\r\n@SUM(A1)"), "'  @SUM(A1)");
        assert_eq!(field("  -2"), "'  -2");
        // Phone numbers in the number column stay as they are; nowhere else, and only when
        // they are only a phone number.
        let number = |text| field_in(Column::Number, text);
        assert_eq!(number("+49 30 1234 5601"), "+49 30 1234 5601");
        assert_eq!(number("+1 (631) 555-0142"), "+1 (631) 555-0142");
        assert_eq!(field("+49 30 1234 5601"), "'+49 30 1234 5601");
        for not_a_phone in ["+1+1", "+1.5", "+-1", "+ 1", "+", "+()"] {
            assert_eq!(number(not_a_phone), format!("'{not_a_phone}"));
        }
    }

    #[test]
    fn one_header_then_a_line_per_row() {
        let text = csv(&[row("Sales, UK", "=cmd"), row("Support", "Acme")]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0], columns().join(","));
        // The next step and the limit (empty: not worked out, not read) before the error.
        assert_eq!(lines[1], "1065,\"Sales, UK\",,'=cmd,,,,,,,,9,10,,,");
        assert_eq!(lines[2], "1065,Support,,Acme,,,,,,,,9,10,,,");
    }

    #[test]
    fn json_is_an_array_keyed_by_the_columns() {
        let mut out = Vec::new();
        write_json([row("Sales UK", "=cmd")], &mut out).unwrap();
        let value: Value = serde_json::from_slice(&out).unwrap();
        let first = &value[0];
        assert_eq!(first["label"], "Sales UK");
        assert_eq!(first["name"], "=cmd", "JSON keeps the value as it is");
        assert_eq!(first["register_left"], 9);
        assert_eq!(first.as_object().unwrap().len(), columns().len());

        let mut empty = Vec::new();
        write_json(std::iter::empty::<ExportRow>(), &mut empty).unwrap();
        assert_eq!(serde_json::from_slice::<Value>(&empty).unwrap(), json!([]));
    }
}
