//! `wareg ledger init|status|import|sync`: the team ledger's life cycle. All of them need
//! `[ledger]` in the config; without it they say so and change nothing (exit 2).

use serde_json::json;
use std::sync::Arc;

use super::args::{Global, LedgerAction};
use super::context::Context;
use super::error::CliError;
use super::output::print_json;
use super::progress::Progress;
use crate::ledger::{AuditLog, PgLedger};

pub fn run(global: &Global, action: LedgerAction) -> Result<(), CliError> {
    let ctx = Context::load(global)?;
    let team = team(&ctx)?;
    let failed = |what: &str, e: std::io::Error| CliError::Local(format!("{what}: {e}"));
    match action {
        LedgerAction::Init => {
            let applied = team.init().map_err(|e| failed("ledger init", e))?;
            if applied.is_empty() {
                say!("{}: the schema is up to date", team.settings().describe());
            } else {
                say!(
                    "{}: applied {}",
                    team.settings().describe(),
                    applied.join(", ")
                );
            }
            say!(
                "desks need only: GRANT USAGE ON SCHEMA {s} TO desk; GRANT SELECT, INSERT ON {s}.records TO desk; GRANT SELECT, INSERT, UPDATE ON {s}.facts TO desk; GRANT SELECT, INSERT, UPDATE ON {s}.storage TO desk;",
                s = team.settings().schema
            );
        }
        LedgerAction::Status { json } => {
            let status = team.status().map_err(|e| failed("ledger status", e))?;
            if json {
                print_json(&json!(status));
            } else {
                say!("{}", status.ledger);
                let latest = crate::ledger::pg::latest_schema();
                match status.schema_version {
                    Some(v) if v < latest => say!(
                        "  schema version {v}: this wareg knows {latest}; run `wareg ledger init` (the facts of numbers need it)"
                    ),
                    Some(v) => say!("  schema version {v}"),
                    None => say!("  no schema yet: run `wareg ledger init`"),
                }
                say!(
                    "  {}, the latest {}",
                    crate::plural::count(status.records as usize, "record"),
                    status
                        .latest
                        .map(super::output::local_time)
                        .unwrap_or_else(|| "—".into())
                );
                say!(
                    "  {} outcome(s) of this desk waiting to be pushed",
                    status.pending_here
                );
            }
        }
        LedgerAction::Import { from } => {
            let dir = from.unwrap_or_else(|| ctx.data_dir.clone());
            let trail = AuditLog::in_dir(&dir);
            if !trail.path().exists() {
                return Err(CliError::Usage(format!(
                    "there is no audit trail at {}",
                    trail.path().display()
                )));
            }
            let progress = Progress::spinner("pushing the audit trail into the team ledger");
            let report = team.import(&trail);
            progress.finish();
            let report = report.map_err(|e| failed("ledger import", e))?;
            say!(
                "read {} records from {}: {} new to the ledger, {} already there{}",
                report.read,
                trail.path().display(),
                report.inserted,
                report.read - report.inserted,
                if report.skipped_lines > 0 {
                    format!(", {} unreadable lines skipped", report.skipped_lines)
                } else {
                    String::new()
                }
            );
        }
        LedgerAction::Sync => {
            let pushed = team.sync_pending().map_err(|e| failed("ledger sync", e))?;
            say!(
                "pushed {pushed} outcome(s) to {}",
                team.settings().describe()
            );
        }
    }
    Ok(())
}

fn team(ctx: &Context) -> Result<Arc<PgLedger>, CliError> {
    // Opened without the automatic push of waiting outcomes: `sync` does it in the open.
    let store = crate::ledger::open(&ctx.config.ledger, &ctx.data_dir)
        .map_err(|e| CliError::Config(crate::config::ConfigError::new(e.to_string())))?;
    store.team().cloned().ok_or_else(|| {
        CliError::Usage(
            "no team ledger is configured: add [ledger] url_env = \"WAREG_LEDGER_URL\" to the config (the local audit trail needs no set-up)".into(),
        )
    })
}
