//! Printing results: a human summary, or one JSON document under `--json`.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::audit::Budget;
use crate::config::BudgetPolicy;

pub fn print_json(value: &Value) {
    // A serde_json::Value always serializes.
    let text = serde_json::to_string_pretty(value).unwrap_or_default();
    say!("{}", crate::clean::json_for_terminal(&text));
}

pub fn budget_json(budget: &Budget) -> Value {
    json!(BudgetJson::from(budget))
}

/// A budget as `--json` shows it; serialized straight to the output where many are written
/// (`numbers --json`), through [`budget_json`] elsewhere. Keys in alphabetical order, as a
/// JSON value writes them.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct BudgetJson {
    pub left: u32,
    pub limit: u32,
    pub locked_until: Option<DateTime<Utc>>,
    pub next_free: Option<DateTime<Utc>>,
    pub used: u32,
}

impl From<&Budget> for BudgetJson {
    fn from(budget: &Budget) -> Self {
        BudgetJson {
            left: budget.left(),
            limit: budget.limit,
            locked_until: budget.locked_until,
            next_free: budget.next_free,
            used: budget.used,
        }
    }
}

/// "9 of 10 left in the 7-day window" or "none left; the next frees up at ...".
pub fn budget_line(budget: &Budget, policy: &BudgetPolicy) -> String {
    let window = policy.window_words();
    // Meta's word first: while its lock lasts, the count does not matter.
    if let Some(until) = budget.locked_until {
        return format!(
            "locked by Meta (133016) until about {}; nothing can be sent before",
            local_time(until)
        );
    }
    match budget.next_free {
        Some(at) => format!(
            "none of {} left in the {window} window; the next attempt frees up at {}",
            budget.limit,
            local_time(at)
        ),
        None => format!(
            "{} of {} left in the {window} window",
            budget.left(),
            budget.limit
        ),
    }
}

pub fn local_time(at: DateTime<Utc>) -> String {
    crate::clock::words_utc(at)
}

/// How long before `now` `at` was, roughly: "under a minute", "12 min", "3 h", "5 d".
pub fn ago(at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let age = now - at;
    match (age.num_days(), age.num_hours(), age.num_minutes()) {
        (d, _, _) if d >= 1 => format!("{d} d"),
        (_, h, _) if h >= 1 => format!("{h} h"),
        (_, _, m) if m >= 1 => format!("{m} min"),
        _ => "under a minute".into(),
    }
}

/// From this share of Meta's call budget on, plain output says so.
pub const USAGE_SHOWN_FROM: u32 = 50;

/// Meta's call budgets, when the answers put one at or above `USAGE_SHOWN_FROM` percent.
pub fn print_usage(usage: &crate::graph::Usage) {
    for line in usage_lines(usage) {
        say!("{line}");
    }
}

/// What [`print_usage`] says, for output that puts it elsewhere (stderr beside a CSV).
pub fn usage_lines(usage: &crate::graph::Usage) -> Vec<String> {
    let mut lines = Vec::new();
    for (waba, w) in &usage.wabas {
        if w.percent >= USAGE_SHOWN_FROM || w.regain_minutes > 0 {
            let wait = if w.regain_minutes > 0 {
                format!("; calls work again in about {} min", w.regain_minutes)
            } else {
                String::new()
            };
            lines.push(format!(
                "API budget of WABA {waba}: {} % used (shared with everything on this app){wait}",
                w.percent
            ));
        }
    }
    if let Some(app) = usage.app_percent.filter(|p| *p >= USAGE_SHOWN_FROM) {
        lines.push(format!("API budget of the app: {app} % used"));
    }
    lines
}

/// One JSON document written as it is produced: rows go out one by one instead of being held
/// as a whole tree (20,000 numbers would be hundreds of MB). A reader that went away (`| head`)
/// ends the writing quietly, like `say!`.
pub struct JsonStream {
    out: std::io::BufWriter<std::io::StdoutLock<'static>>,
    /// Whether the object (or the open array) has had a member yet.
    first: bool,
    /// Each value is written here first (to be made safe for a terminal), reused.
    buf: Vec<u8>,
}

impl JsonStream {
    pub fn start() -> Self {
        let mut stream = JsonStream {
            out: std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout().lock()),
            first: true,
            buf: Vec::new(),
        };
        stream.write("{");
        stream
    }

    fn write(&mut self, text: &str) {
        use std::io::Write as _;
        let _ = self.out.write_all(text.as_bytes());
    }

    fn comma(&mut self) {
        if !std::mem::replace(&mut self.first, false) {
            self.write(",");
        }
    }

    fn key(&mut self, key: &str) {
        self.comma();
        let key = serde_json::to_string(key).unwrap_or_default();
        self.write(&format!("\n{key}:"));
    }

    /// `"key": value`.
    pub fn field<T: serde::Serialize + ?Sized>(&mut self, key: &str, value: &T) {
        self.key(key);
        self.value(value);
    }

    /// `"key": [` — items follow with `item`, then `end_array`.
    pub fn start_array(&mut self, key: &str) {
        self.key(key);
        self.write("[");
        self.first = true;
    }

    pub fn item<T: serde::Serialize + ?Sized>(&mut self, value: &T) {
        self.comma();
        self.write("\n");
        self.value(value);
    }

    pub fn end_array(&mut self) {
        self.write("\n]");
        self.first = false;
    }

    fn value<T: serde::Serialize + ?Sized>(&mut self, value: &T) {
        // Serialized straight from the caller's types (no tree of values per row), then made
        // safe for a terminal. What is written here always serializes (no map with non-string
        // keys), and serde_json writes UTF-8; `null` stands in should either ever fail.
        let mut buf = std::mem::take(&mut self.buf);
        buf.clear();
        let text = match serde_json::to_writer(&mut buf, value) {
            Ok(()) => std::str::from_utf8(&buf).unwrap_or("null"),
            Err(_) => "null",
        };
        self.write(&crate::clean::json_for_terminal(text));
        self.buf = buf;
    }

    pub fn finish(mut self) {
        use std::io::Write as _;
        self.write("\n}\n");
        let _ = self.out.flush();
    }
}
