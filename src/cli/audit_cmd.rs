//! `wareg audit [ID] [--json]`: the trail, oldest first, newest last.

use serde_json::json;

use super::args::AuditArgs;
use super::context::{data_dir, parse_id};
use super::error::CliError;
use super::output::{local_time, print_json};
use crate::audit::{AuditLog, AuditRecord, Phase};

pub fn run(args: AuditArgs) -> Result<(), CliError> {
    let id = args.id.as_deref().map(parse_id).transpose()?;
    let log = AuditLog::in_dir(&data_dir()?);
    let read = log
        .read()
        .map_err(|e| CliError::Local(format!("cannot read {}: {e}", log.path().display())))?;
    for skipped in &read.skipped {
        eprintln!(
            "warning: {}:{}: {} (skipped)",
            log.path().display(),
            skipped.line,
            skipped.reason
        );
    }
    let records: Vec<&AuditRecord> = read
        .records
        .iter()
        .filter(|r| id.as_ref().is_none_or(|id| r.number == id.as_str()))
        .collect();
    if args.json {
        print_json(&json!({"path": log.path(), "records": records, "skipped": read.skipped.len()}));
        return Ok(());
    }
    if records.is_empty() {
        say!(
            "The audit trail ({}) has no records{}.",
            log.path().display(),
            id.map(|i| format!(" for {i}")).unwrap_or_default()
        );
        return Ok(());
    }
    for r in records {
        // The trail is a file anyone with the account can edit, and older versions of wareg
        // stored answers uncleaned: it is cleaned on the way to the terminal.
        say!("{}", crate::clean::text(&line(r), 2000));
    }
    Ok(())
}

fn line(r: &AuditRecord) -> String {
    let mut text = format!(
        "{}  {:<17} {:<12}",
        local_time(r.time),
        r.number,
        r.op.as_str()
    );
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
    text
}
