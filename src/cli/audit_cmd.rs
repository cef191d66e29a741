//! `wareg audit [ID] [--since DURATION|DATE] [--op OP] [--operator NAME] [--json]`: the trail,
//! oldest first, newest last. Without `--since` the whole trail is streamed a line at a time;
//! with it only the window is read, from the end of the file.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::args::{AuditArgs, Global};
use super::context::{configured_labels, data_dir, parse_id};
use super::error::CliError;
use super::output::local_time;
use crate::audit::{AuditRecord, Operation, Phase};
use crate::graph::NumberId;
use crate::ledger::local::tail;
use crate::ledger::pg::AuditQuery;
use crate::ledger::{AuditLog, Ledger, PgLedger};

/// Which records the user asked for.
struct Filter {
    id: Option<NumberId>,
    op: Option<Operation>,
    operator: Option<String>,
}

impl Filter {
    fn keeps(&self, r: &AuditRecord) -> bool {
        self.id.as_ref().is_none_or(|id| r.number == id.as_str())
            && self.op.is_none_or(|op| r.op == op)
            && self.operator.as_deref().is_none_or(|wanted| {
                r.operator.as_deref().is_some_and(|who| {
                    who == wanted || who.split_once('@').is_some_and(|(user, _)| user == wanted)
                })
            })
    }
}

pub fn run(global: &Global, args: AuditArgs) -> Result<(), CliError> {
    let filter = Filter {
        id: args
            .id
            .as_deref()
            .or(args.number.as_deref())
            .map(|raw| parse_id(global, raw))
            .transpose()?,
        op: args.op.as_deref().map(parse_op).transpose()?,
        operator: args.operator.clone(),
    };
    let filtered = args.since.is_some() || args.op.is_some() || args.operator.is_some();
    let since = args
        .since
        .as_deref()
        .map(|s| parse_since(s, Utc::now()))
        .transpose()
        .map_err(CliError::Usage)?;
    // With a team ledger configured, the team's history is the one to read.
    if let Some(team) = team_ledger(global)? {
        let query = AuditQuery {
            since,
            number: filter.id.as_ref().map(|id| id.as_str().to_owned()),
            op: filter.op.map(|op| {
                serde_json::to_value(op)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default()
            }),
            operator: filter.operator.clone(),
        };
        let log = AuditLog::new(team.describe());
        let mut out = Printer::new(args.json, &log, configured_labels(global));
        team.query(&query, &mut |record| out.record(&record))
            .map_err(|e| CliError::Local(format!("cannot read the team ledger: {e}")))?;
        out.finish(filter.id.as_ref(), filtered);
        return Ok(());
    }
    let log = AuditLog::in_dir(&data_dir()?);
    let unreadable =
        |e: std::io::Error| CliError::Local(format!("cannot read {}: {e}", log.path().display()));
    let mut out = Printer::new(args.json, &log, configured_labels(global));
    match since {
        Some(since) => {
            for record in tail::read_since(log.path(), since).map_err(unreadable)? {
                if filter.keeps(&record) {
                    out.record(&record);
                }
            }
        }
        None => log
            .for_each(|line| match line {
                Ok(record) if filter.keeps(&record) => out.record(&record),
                Ok(_) => {}
                Err(skipped) => out.skipped(&skipped),
            })
            .map_err(unreadable)?,
    }
    out.finish(filter.id.as_ref(), filtered);
    Ok(())
}

/// Writes records as they come: one JSON document whose `records` array grows line by line,
/// or one text line each.
struct Printer<'a> {
    json: bool,
    log: &'a AuditLog,
    printed: usize,
    skipped: usize,
    /// Configured labels by number id: text lines name the number as the config does.
    labels: HashMap<String, String>,
}

impl<'a> Printer<'a> {
    fn new(json: bool, log: &'a AuditLog, labels: HashMap<String, String>) -> Self {
        if json {
            let path = serde_json::to_string(&log.path()).unwrap_or_else(|_| "null".into());
            say_inline!(
                "{{\"path\":{},\"records\":[",
                crate::clean::json_for_terminal(&path)
            );
        }
        Printer {
            json,
            log,
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
        } else {
            // The trail is a file anyone with the account can edit, and older versions of
            // wareg stored answers uncleaned: it is cleaned on the way to the terminal.
            let label = self.labels.get(r.number.as_str()).map(String::as_str);
            say!("{}", crate::clean::text(&line(r, label), 2000));
        }
        self.printed += 1;
    }

    fn skipped(&mut self, skipped: &crate::audit::SkippedLine) {
        self.skipped += 1;
        eprintln!(
            "warning: {}:{}: {} (skipped)",
            self.log.path().display(),
            skipped.line,
            skipped.reason
        );
    }

    fn finish(self, id: Option<&NumberId>, filtered: bool) {
        let whose = id.map(|i| format!(" for {i}")).unwrap_or_default();
        if self.json {
            say!("\n],\"skipped\":{}}}", self.skipped);
        } else if self.printed == 0 && filtered {
            say!(
                "No record of the audit trail ({}) matches{whose}.",
                self.log.path().display()
            );
        } else if self.printed == 0 {
            say!(
                "The audit trail ({}) has no records{whose}.",
                self.log.path().display()
            );
        }
    }
}

/// The team ledger, when a config exists and names one. No config at all is the local trail;
/// a config that does not load is an error (its ledger might be the one meant).
fn team_ledger(global: &Global) -> Result<Option<std::sync::Arc<PgLedger>>, CliError> {
    let Some(path) = crate::paths::config_file(global.config.as_deref()) else {
        return Ok(None);
    };
    if !path.exists() {
        return Ok(None);
    }
    let config = crate::config::Config::load(&path)?;
    if config.ledger.url.is_none() {
        return Ok(None);
    }
    let store = super::context::open_store(&config, &data_dir()?)?;
    Ok(store.team().cloned())
}

fn parse_op(text: &str) -> Result<Operation, CliError> {
    let all = [
        Operation::Register,
        Operation::Deregister,
        Operation::Settings,
        Operation::SetPin,
        Operation::RequestCode,
        Operation::VerifyCode,
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

fn line(r: &AuditRecord, label: Option<&str>) -> String {
    // As text: the id's `Display` writes it without the padding.
    let mut text = format!("{}  {:<17} ", local_time(r.time), r.number.as_str());
    if let Some(label) = label {
        text.push_str(&format!("{:<16} ", crate::width::ellipsize(label, 16)));
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
