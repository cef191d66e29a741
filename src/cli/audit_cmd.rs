//! `wareg audit [ID] [--since DURATION|DATE] [--op OP] [--operator NAME] [--raw] [--json]`:
//! the trail, oldest first, newest last; as text one line per attempt (its intent and outcome
//! joined), with `--raw` or `--json` the records as stored. Without `--since` the whole trail
//! is streamed a line at a time; with it only the window is read, from the end of the file.

use std::collections::HashMap;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::args::{AuditArgs, Global};
use super::context::{configured_labels, data_dir, parse_id};
use super::error::CliError;
use super::output::local_time;
use crate::audit::{AuditRecord, Operation, Phase};
use crate::ledger::{Ledger, LocalTrail, Query, Store};

pub fn run(global: &Global, args: AuditArgs) -> Result<(), CliError> {
    let number = args
        .id
        .as_deref()
        .or(args.number.as_deref())
        .map(|raw| parse_id(global, raw))
        .transpose()?;
    let op = args.op.as_deref().map(parse_op).transpose()?;
    let filtered = args.since.is_some() || args.op.is_some() || args.operator.is_some();
    let since = args
        .since
        .as_deref()
        .map(|s| parse_since(s, Utc::now()))
        .transpose()
        .map_err(CliError::Usage)?;
    let query = Query {
        number,
        op,
        operator: args.operator.clone(),
        since,
    };
    // With a team ledger configured, the team's history is the one to read; both stores
    // answer the same query.
    let store = store(global)?;
    let place = match &store {
        Store::Local(trail) => trail.log().path().to_path_buf(),
        Store::Team(team) => PathBuf::from(team.describe()),
    };
    let mut out = Printer::new(args.json, args.raw, &place, number_names(global));
    store
        .ledger()
        .query(&query, &mut |found| {
            match found {
                Ok(record) => out.record(&record),
                Err(skipped) => out.skipped(&skipped),
            }
            ControlFlow::Continue(())
        })
        .map_err(|e| {
            CliError::Local(match &store {
                Store::Local(_) => format!("cannot read {}: {e}", place.display()),
                Store::Team(_) => format!("cannot read the team ledger: {e}"),
            })
        })?;
    out.finish(query.number.as_ref(), filtered);
    Ok(())
}

/// Writes records as they come: one JSON document whose `records` array grows line by line,
/// or one text line each.
struct Printer<'a> {
    json: bool,
    /// Text as stored: a line per record, not per attempt.
    raw: bool,
    /// Intents whose outcome has not come yet, by attempt: printed with it (few at a time:
    /// only attempts not ended).
    open: HashMap<String, AuditRecord>,
    /// The trail's path, or the team ledger's description.
    place: &'a Path,
    printed: usize,
    skipped: usize,
    /// How text lines name each number beside its id: its configured label, else its verified
    /// name and display number as the last listing kept them.
    labels: HashMap<String, String>,
}

impl<'a> Printer<'a> {
    fn new(json: bool, raw: bool, place: &'a Path, labels: HashMap<String, String>) -> Self {
        if json {
            let path = serde_json::to_string(place).unwrap_or_else(|_| "null".into());
            say_inline!(
                "{{\"path\":{},\"records\":[",
                crate::clean::json_for_terminal(&path)
            );
        }
        Printer {
            json,
            raw,
            open: HashMap::new(),
            place,
            printed: 0,
            skipped: 0,
            labels,
        }
    }

    fn record(&mut self, r: &AuditRecord) {
        if self.json {
            let text = serde_json::to_string(r).unwrap_or_else(|_| "null".into());
            let comma = if self.printed == 0 { "" } else { "," };
            say_inline!("{comma}\n{}", crate::clean::json_for_terminal(&text));
        } else if self.raw {
            // The trail is a file anyone with the account can edit, and older versions of
            // wareg stored answers uncleaned: it is cleaned on the way to the terminal.
            // Every line has the name's place once any number has a name, so they align.
            let label = (!self.labels.is_empty()).then(|| {
                self.labels
                    .get(r.number.as_str())
                    .map_or("", String::as_str)
            });
            say!("{}", crate::clean::text(&line(r, label), 2000));
        } else {
            match r.phase {
                Phase::Intent => {
                    self.open.insert(r.attempt.clone(), r.clone());
                    return;
                }
                Phase::Outcome => {
                    let intent = self.open.remove(&r.attempt);
                    self.attempt(intent.as_ref(), Some(r));
                }
            }
        }
        self.printed += 1;
    }

    /// One line for an attempt: its intent and its outcome (either may be missing from the
    /// records read: an outcome whose intent is older than the window, an attempt not ended).
    fn attempt(&self, intent: Option<&AuditRecord>, outcome: Option<&AuditRecord>) {
        let Some(first) = intent.or(outcome) else {
            return;
        };
        let label = self.labels.get(first.number.as_str()).map(String::as_str);
        let added = outcome
            .filter(|o| o.op == Operation::Add)
            .and_then(|o| added_words(o, intent, &self.labels));
        say!(
            "{}",
            crate::clean::text(
                &attempt_line(intent, outcome, first, label, added.as_deref()),
                2000
            )
        );
    }

    fn skipped(&mut self, skipped: &crate::audit::SkippedLine) {
        self.skipped += 1;
        eprintln!(
            "warning: {}:{}: {} (skipped)",
            self.place.display(),
            skipped.line,
            skipped.reason
        );
    }

    fn finish(mut self, id: Option<&crate::graph::NumberId>, filtered: bool) {
        // Attempts with no outcome yet (in flight, or abandoned): said last, oldest first.
        let mut open: Vec<AuditRecord> = std::mem::take(&mut self.open).into_values().collect();
        open.sort_by_key(|r| r.time);
        for intent in &open {
            self.attempt(Some(intent), None);
            self.printed += 1;
        }
        let whose = id.map(|i| format!(" for {i}")).unwrap_or_default();
        if self.json {
            say!("\n],\"skipped\":{}}}", self.skipped);
        } else if self.printed == 0 && filtered {
            say!(
                "No record of the audit trail ({}) matches{whose}.",
                self.place.display()
            );
        } else if self.printed == 0 {
            say!(
                "The audit trail ({}) has no records{whose}.",
                self.place.display()
            );
        }
    }
}

/// The team ledger, when a config exists and names one; else the local trail. No config at all
/// is the local trail; a config that does not load is an error (its ledger might be the one
/// meant).
fn store(global: &Global) -> Result<Store, CliError> {
    // Reading the trail makes no data dir: where none is yet, the trail is empty.
    let local = || -> Result<Store, CliError> {
        let dir = match super::context::existing_data_dir()? {
            Some(dir) => dir,
            None => crate::paths::data_dir().ok_or_else(|| {
                CliError::Local("cannot find a data directory; set WAREG_DATA_DIR".into())
            })?,
        };
        Ok(Store::Local(Arc::new(LocalTrail::in_dir(&dir))))
    };
    let Some(path) = crate::paths::config_file(global.config.as_deref()) else {
        return local();
    };
    if !path.exists() {
        return local();
    }
    let config = crate::config::Config::load(&path)?;
    if config.ledger.url.is_none() {
        return local();
    }
    super::context::open_store(&config, &data_dir()?)
}

/// The configured labels by number id, and for the numbers without one what the last listings
/// kept ("Acme Brasil +55 11 4002 8922"). Read only: a data dir not made yet holds nothing.
fn number_names(global: &Global) -> HashMap<String, String> {
    let mut names = configured_labels(global);
    let Some(dir) = crate::paths::data_dir().filter(|d| d.exists()) else {
        return names;
    };
    for known in crate::fleet::known::load(&dir).0 {
        let said: Vec<&str> = [known.name.as_deref(), known.display.as_deref()]
            .into_iter()
            .flatten()
            .collect();
        if !said.is_empty() {
            names.entry(known.id).or_insert_with(|| said.join(" "));
        }
    }
    names
}

fn parse_op(text: &str) -> Result<Operation, CliError> {
    let all = [
        Operation::Register,
        Operation::Deregister,
        Operation::Settings,
        Operation::SetPin,
        Operation::RequestCode,
        Operation::VerifyCode,
        Operation::Add,
        Operation::Rename,
    ];
    all.into_iter()
        .find(|op| op.as_str() == text.trim().to_ascii_lowercase())
        .ok_or_else(|| {
            let names: Vec<&str> = all.iter().map(|op| op.as_str()).collect();
            CliError::Usage(format!(
                "--op `{text}` is not an operation; use one of: {}",
                names.join(", ")
            ))
        })
}

/// `30m`, `72h`, `7d`, `2w` back from `now`; a date (UTC midnight); or an RFC 3339 time.
pub fn parse_since(text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    let text = text.trim();
    let unit = text.chars().last().unwrap_or(' ');
    if let Ok(n) = text[..text.len().saturating_sub(unit.len_utf8())].parse::<i64>() {
        let back = match unit {
            'm' => Duration::try_minutes(n),
            'h' => Duration::try_hours(n),
            'd' => Duration::try_days(n),
            'w' => Duration::try_weeks(n),
            _ => None,
        };
        if let Some(back) = back.filter(|_| n >= 0) {
            return now
                .checked_sub_signed(back)
                .ok_or_else(|| format!("--since `{text}` reaches before the calendar starts"));
        }
    }
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(date.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc());
    }
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Ok(time.with_timezone(&Utc));
    }
    Err(format!(
        "--since `{text}` is neither a duration (30m, 72h, 7d, 2w) nor a date (2026-11-01) nor an RFC 3339 time"
    ))
}

/// At most this much of a number's name beside its id (a label, or a verified name and
/// display number: "Acme Nederland +31 20 555 0100" fits).
const NAME_WIDTH: usize = 32;

/// The cells an attempt line gives its number: the name, cut to fit, and the id in brackets
/// ("Acme Billing +1 631-555-0142 (106540352242925)"). Every line pads to it, so a long name
/// never pushes what follows out of line.
const NUMBER_CELL: usize = 48;

/// "Acme Billing +1 631-555-0142 (106540352242925)" in [`NUMBER_CELL`] cells: the name cut
/// with `…` to leave the id whole.
fn number_cell(name: Option<&str>, id: &str) -> String {
    let text = match name {
        Some(name) => {
            let room = NUMBER_CELL.saturating_sub(crate::width::of(id) + 3);
            format!("{} ({id})", crate::width::ellipsize(name, room))
        }
        None => id.to_owned(),
    };
    crate::width::pad(&text, NUMBER_CELL)
}

/// How an `add` names the number it added: as the other lines name it (its label, else what
/// the last listing kept), else as the add asked for it ("'Acme Test' +44 7700900123", from
/// the intent's detail), and its new id. None when the outcome names no new id.
fn added_words(
    outcome: &AuditRecord,
    intent: Option<&AuditRecord>,
    labels: &HashMap<String, String>,
) -> Option<String> {
    let new = outcome.message.as_deref()?.strip_prefix("added as ")?;
    let new = crate::graph::NumberId::parse(new).ok()?;
    // "add +44 7700900123 as 'Acme Test' to WABA …", as the engine writes it.
    let asked = || {
        let detail = intent?.detail.as_deref()?.strip_prefix("add ")?;
        let (number, rest) = detail.split_once(" as '")?;
        let (name, _) = rest.rsplit_once("' to WABA ")?;
        Some(format!("'{name}' {number}"))
    };
    let name = labels.get(new.as_str()).cloned().or_else(asked);
    Some(match name {
        Some(name) => format!("added {name} as {new}"),
        None => format!("added as {new}"),
    })
}

/// An attempt as one line: when it was sent, who sent it, which number, what, and how it
/// ended ("no outcome recorded" while it is in flight or if it was abandoned).
/// An `add` is recorded under its WABA: `added` names the number it added (`added_words`).
fn attempt_line(
    intent: Option<&AuditRecord>,
    outcome: Option<&AuditRecord>,
    first: &AuditRecord,
    label: Option<&str>,
    added: Option<&str>,
) -> String {
    let who = first
        .operator
        .as_deref()
        .or(outcome.and_then(|o| o.operator.as_deref()))
        .unwrap_or("-");
    let number = if first.op == Operation::Add {
        crate::width::pad(&format!("WABA {}", first.number.as_str()), NUMBER_CELL)
    } else {
        number_cell(label, first.number.as_str())
    };
    let mut text = format!(
        "{}  {} {number} {:<12}",
        local_time(first.time),
        crate::width::pad(&crate::width::ellipsize(who, 20), 20),
        first.op.as_str()
    );
    match outcome {
        Some(o) => {
            text.push(' ');
            text.push_str(o.outcome.map(|o| o.as_str()).unwrap_or("ended"));
            if let Some(code) = o.code {
                text.push_str(&format!(" {code}"));
            }
            if let Some(msg) = added.or(o.message.as_deref()) {
                text.push_str(&format!(" ({msg})"));
            }
            if let Some(trace) = &o.trace {
                text.push_str(&format!(" fbtrace_id {trace}"));
            }
        }
        None => text.push_str(" no outcome recorded (in flight, or abandoned)"),
    }
    if intent.is_none() {
        text.push_str(" [its intent is older than what was read]");
    }
    if let Some(region) = intent.and_then(|i| i.region) {
        text.push_str(&format!(" region {region}"));
    }
    if intent.is_some_and(|i| i.forced) {
        text.push_str(" [budget overridden]");
    }
    text.push_str(&format!("  profile {}", first.profile));
    text
}

fn line(r: &AuditRecord, label: Option<&str>) -> String {
    // As text: the id's `Display` writes it without the padding.
    let mut text = format!("{}  {:<17} ", local_time(r.time), r.number.as_str());
    if let Some(label) = label {
        // Padded to its most, so the operation stays in line whatever the name's length.
        text.push_str(&crate::width::pad(
            &crate::width::ellipsize(label, NAME_WIDTH),
            NAME_WIDTH + 1,
        ));
    }
    text.push_str(&format!("{:<12}", r.op.as_str()));
    match r.phase {
        Phase::Intent => text.push_str(" sending"),
        Phase::Outcome => {
            let outcome = r.outcome.map(|o| o.as_str()).unwrap_or_default();
            text.push_str(&format!(" {outcome}"));
            if let Some(code) = r.code {
                text.push_str(&format!(" {code}"));
            }
            if let Some(msg) = &r.message {
                text.push_str(&format!(" ({msg})"));
            }
            if let Some(trace) = &r.trace {
                text.push_str(&format!(" fbtrace_id {trace}"));
            }
        }
    }
    if let Some(region) = &r.region {
        text.push_str(&format!(" region {region}"));
    }
    if r.forced {
        text.push_str(" [budget overridden]");
    }
    text.push_str(&format!("  profile {}", r.profile));
    if let Some(who) = &r.operator {
        text.push_str(&format!("  by {who}"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_takes_durations_dates_and_times_and_refuses_the_rest() {
        let now = DateTime::parse_from_rfc3339("2026-11-25T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let at = |s: &str| parse_since(s, now).map(|t| t.to_rfc3339());
        assert_eq!(at("72h").unwrap(), "2026-11-22T12:00:00+00:00");
        assert_eq!(at("30m").unwrap(), "2026-11-25T11:30:00+00:00");
        assert_eq!(at("2w").unwrap(), "2026-11-11T12:00:00+00:00");
        assert_eq!(at("2026-11-01").unwrap(), "2026-11-01T00:00:00+00:00");
        assert_eq!(
            at("2026-11-24T10:00:00+02:00").unwrap(),
            "2026-11-24T08:00:00+00:00"
        );
        for bad in ["", "7", "7y", "-3d", "yesterday", "99999999999999d"] {
            assert!(at(bad).is_err(), "{bad}");
        }
    }
}
