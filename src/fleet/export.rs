//! The numbers table written out for other tools: CSV (RFC 4180 quoting, one header line) or
//! a JSON array, row by row as the rows come, so 20,000 numbers are never held twice. The CLI
//! writes `wareg numbers --csv` with it; the TUI can write its filtered table to a file by
//! turning its rows into [`ExportRow`]s.

use serde_json::{Value, json};
use std::borrow::Borrow;
use std::io::{self, Write};

use super::FleetRow;
use super::filter::Fields;
use crate::clean::{MESSAGE_MAX, NAME_MAX};

/// The columns, in order: the CSV header and the JSON keys.
pub const COLUMNS: [&str; 14] = [
    "id",
    "label",
    "number",
    "name",
    "profile",
    "status",
    "ownership",
    "quality",
    "platform",
    "health",
    "storage",
    "register_left",
    "deregister_left",
    "error",
];

/// One number as the table shows it, every text cleaned for output. An empty string is a
/// value that is not known (not read, or not part of the answer).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportRow {
    pub id: String,
    pub label: String,
    /// The display phone number.
    pub number: String,
    /// The verified business name.
    pub name: String,
    pub profile: String,
    pub status: String,
    /// Ownership (code) verification.
    pub ownership: String,
    pub quality: String,
    pub platform: String,
    /// LIMITED or BLOCKED when the number cannot send freely.
    pub health: String,
    /// The local storage region, "off", or empty when it was not read (`wareg numbers` does
    /// not read settings).
    pub storage: String,
    pub register_left: Option<u32>,
    pub deregister_left: Option<u32>,
    /// Why the number could not be read.
    pub error: String,
}

/// What a face knows of one number, to export it.
pub struct Parts<'a> {
    pub id: &'a str,
    pub label: Option<&'a str>,
    pub profile: &'a str,
    /// The number as read (or as last read, for a row whose latest read failed).
    pub live: Option<&'a crate::graph::PhoneNumber>,
    /// Why the latest read failed.
    pub error: Option<&'a str>,
    /// The local-storage setting as the table shows it, when it was read.
    pub storage: Option<&'a str>,
}

impl ExportRow {
    /// A fleet row with the budgets left for it; the columns are those the filter matches.
    pub fn of(row: &FleetRow, register_left: u32, deregister_left: u32) -> ExportRow {
        let error = match &row.live {
            Some(Err(e)) => Some(e.to_string()),
            _ => None,
        };
        ExportRow::from_parts(
            Parts {
                id: row.id.as_str(),
                label: row.label.as_deref(),
                profile: &row.profile,
                live: row.live.as_ref().and_then(|r| r.as_ref().ok()),
                error: error.as_deref(),
                storage: None,
            },
            register_left,
            deregister_left,
        )
    }

    /// A number from what a face knows of it (the TUI's rows carry storage and a last good
    /// read beside a failure; the CLI's do not).
    pub fn from_parts(parts: Parts, register_left: u32, deregister_left: u32) -> ExportRow {
        let fields = Fields::of(parts.id, parts.label, parts.profile, parts.live);
        let get = |key: &str| {
            fields
                .values
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| crate::clean::text(v, NAME_MAX))
                .unwrap_or_default()
        };
        ExportRow {
            id: get("id"),
            label: get("label"),
            number: get("number"),
            name: get("name"),
            profile: get("profile"),
            status: get("status"),
            ownership: get("ownership"),
            quality: get("quality"),
            platform: get("platform"),
            health: get("health"),
            storage: parts
                .storage
                .map(|s| crate::clean::text(s, NAME_MAX))
                .unwrap_or_default(),
            register_left: Some(register_left),
            deregister_left: Some(deregister_left),
            error: parts
                .error
                .map(|e| crate::clean::text(e, MESSAGE_MAX))
                .unwrap_or_default(),
        }
    }

    /// The row's values in [`COLUMNS`] order, as text.
    pub fn cells(&self) -> [String; 14] {
        let count = |n: Option<u32>| n.map(|n| n.to_string()).unwrap_or_default();
        [
            self.id.clone(),
            self.label.clone(),
            self.number.clone(),
            self.name.clone(),
            self.profile.clone(),
            self.status.clone(),
            self.ownership.clone(),
            self.quality.clone(),
            self.platform.clone(),
            self.health.clone(),
            self.storage.clone(),
            count(self.register_left),
            count(self.deregister_left),
            self.error.clone(),
        ]
    }

    fn json(&self) -> Value {
        let mut object = serde_json::Map::new();
        for (key, cell) in COLUMNS.iter().zip(self.cells()) {
            object.insert((*key).to_owned(), json!(cell));
        }
        // Counts stay numbers for whoever reads the JSON.
        object.insert("register_left".into(), json!(self.register_left));
        object.insert("deregister_left".into(), json!(self.deregister_left));
        Value::Object(object)
    }
}

/// Writes the header line and one line per row. Lines end in `\n` (what Unix tools expect;
/// spreadsheets read it too).
pub fn write_csv<R: Borrow<ExportRow>>(
    rows: impl IntoIterator<Item = R>,
    mut out: impl Write,
) -> io::Result<()> {
    writeln!(out, "{}", COLUMNS.join(","))?;
    for row in rows {
        let cells = row.borrow().cells();
        let line: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
        writeln!(out, "{}", line.join(","))?;
    }
    out.flush()
}

/// Writes a JSON array of objects keyed by [`COLUMNS`], one row a line.
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

/// One CSV field. Names come from the server: one that starts like a formula (`=`, `+`, `-`,
/// `@`) gets a leading `'` so a spreadsheet shows it instead of running it; a phone number is
/// left as it is. Quoted, with quotes doubled, when it holds a comma, a quote or a line break.
fn csv_cell(text: &str) -> String {
    // A phone number ("+49 30 1234 5601") starts with + but cannot run anything: left as it is,
    // so scripts read the number and not a quote in front of it.
    let phone = text.starts_with('+')
        && text
            .chars()
            .all(|c| c.is_ascii_digit() || " +-().".contains(c));
    let guarded = if text.starts_with(['=', '+', '-', '@']) && !phone {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(label: &str, name: &str) -> ExportRow {
        ExportRow {
            id: "1065".into(),
            label: label.into(),
            name: name.into(),
            register_left: Some(9),
            deregister_left: Some(10),
            ..ExportRow::default()
        }
    }

    fn csv(rows: &[ExportRow]) -> String {
        let mut out = Vec::new();
        write_csv(rows, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn quoting_follows_rfc_4180() {
        assert_eq!(csv_cell("plain"), "plain");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell(""), "");
    }

    #[test]
    fn formula_starts_are_defused() {
        for bad in [
            "=HYPERLINK(\"x\")",
            "+1+cmd|' /C calc'!A0",
            "-2+3",
            "@SUM(A1)",
        ] {
            let cell = csv_cell(bad);
            let inner = cell.trim_start_matches('"');
            assert!(inner.starts_with('\''), "{bad} → {cell}");
        }
        assert_eq!(csv_cell("=1,2"), "\"'=1,2\"");
        assert_eq!(csv_cell("Sales = UK"), "Sales = UK");
        // Phone numbers stay as they are.
        assert_eq!(csv_cell("+49 30 1234 5601"), "+49 30 1234 5601");
        assert_eq!(csv_cell("+1 (631) 555-0142"), "+1 (631) 555-0142");
    }

    #[test]
    fn one_header_then_a_line_per_row() {
        let text = csv(&[row("Sales, UK", "=cmd"), row("Support", "Acme")]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0], COLUMNS.join(","));
        assert_eq!(lines[1], "1065,\"Sales, UK\",,'=cmd,,,,,,,,9,10,");
        assert_eq!(lines[2], "1065,Support,,Acme,,,,,,,,9,10,");
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
        assert_eq!(first.as_object().unwrap().len(), COLUMNS.len());

        let mut empty = Vec::new();
        write_json(std::iter::empty::<ExportRow>(), &mut empty).unwrap();
        assert_eq!(serde_json::from_slice::<Value>(&empty).unwrap(), json!([]));
    }
}
