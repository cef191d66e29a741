//! `wareg numbers [--refresh] [--json]`

use serde_json::{Value, json};
use std::collections::BTreeMap;

use super::args::{Global, NumbersArgs};
use super::context::{Context, block_on, client_for};
use super::error::CliError;
use super::output::{budget_json, print_json};
use crate::audit::{BudgetBook, Operation};
use crate::fleet::{self, FleetRow};
use crate::graph::ApiError;

pub fn run(global: &Global, args: NumbersArgs) -> Result<(), CliError> {
    let ctx = Context::load(global)?;
    let only = global.profile.as_deref();
    if let Some(p) = only.filter(|p| ctx.config.profile(p).is_none()) {
        return Err(CliError::Usage(format!("there is no profile named `{p}`")));
    }
    let book = crate::audit::AuditLog::in_dir(&ctx.data_dir)
        .read()
        .map(|read| BudgetBook::new(&read.records, ctx.config.budget, chrono::Utc::now()))
        .map_err(|e| CliError::Local(format!("cannot read the audit trail: {e}")))?;

    let rows = if args.refresh {
        let mut clients = BTreeMap::new();
        for name in fleet::profiles_in_view(&ctx.config, only) {
            if let Some(profile) = ctx.config.profile(&name) {
                clients.insert(name, client_for(profile)?);
            }
        }
        block_on(fleet::refresh(&ctx.config, &clients, only))?
    } else {
        fleet::configured_rows(&ctx.config, only)
    };

    if args.json {
        let list: Vec<Value> = rows.iter().map(|r| row_json(r, &book)).collect();
        print_json(&json!({"numbers": list}));
    } else {
        print_table(&rows, &book, args.refresh);
    }
    match worst_error(&rows) {
        Some(e) => Err(CliError::api("some numbers could not be read", e.clone())),
        None => Ok(()),
    }
}

fn worst_error(rows: &[FleetRow]) -> Option<&ApiError> {
    let errors = rows.iter().filter_map(|r| r.live.as_ref()?.as_ref().err());
    let mut worst = None;
    for e in errors {
        // Network failures (exit 3) outrank Graph errors (exit 1).
        if worst.is_none_or(|w: &ApiError| e.exit_code() > w.exit_code()) {
            worst = Some(e);
        }
    }
    worst
}

fn row_json(row: &FleetRow, book: &BudgetBook) -> Value {
    let mut out = json!({
        "id": row.id,
        "label": row.label,
        "profile": row.profile,
        "configured": row.configured,
        "budget": {
            "register": budget_json(&book.budget(row.id.as_str(), Operation::Register)),
            "deregister": budget_json(&book.budget(row.id.as_str(), Operation::Deregister)),
        },
    });
    match &row.live {
        Some(Ok(n)) => out["live"] = json!(n),
        Some(Err(e)) => {
            out["error"] =
                json!({"message": e.to_string(), "detail": super::error::api_error_json(e)})
        }
        None => {}
    }
    out
}

fn print_table(rows: &[FleetRow], book: &BudgetBook, refreshed: bool) {
    if rows.is_empty() {
        println!(
            "No numbers configured. Add [[numbers]] entries or a waba_id to the profile, then try --refresh."
        );
        return;
    }
    println!(
        "{:<17} {:<24} {:<18} {:<12} {:<12} {:<8} {:>5} {:>5}",
        "ID", "LABEL", "NUMBER", "STATUS", "OWNERSHIP", "QUALITY", "REG", "DEREG"
    );
    for row in rows {
        let live = row.live.as_ref().and_then(|r| r.as_ref().ok());
        let text = |f: &dyn Fn(&crate::graph::PhoneNumber) -> Option<String>| {
            live.and_then(f)
                .unwrap_or_else(|| if refreshed { "?".into() } else { "-".into() })
        };
        let label = row
            .label
            .clone()
            .or_else(|| live.and_then(|n| n.verified_name.clone()))
            .unwrap_or_default();
        println!(
            "{:<17} {:<24} {:<18} {:<12} {:<12} {:<8} {:>5} {:>5}",
            row.id.as_str(),
            truncate(&label, 24),
            text(&|n| n.display_phone_number.clone()),
            text(&|n| n.status.as_ref().map(|s| s.to_string())),
            text(&|n| n.code_verification_status.as_ref().map(|s| s.to_string())),
            text(&|n| n.quality_rating.as_ref().map(|s| s.to_string())),
            book.budget(row.id.as_str(), Operation::Register).left(),
            book.budget(row.id.as_str(), Operation::Deregister).left(),
        );
        if let Some(Err(e)) = &row.live {
            println!("    error: {e}");
        }
    }
}

fn truncate(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_owned()
    } else {
        let mut cut: String = text.chars().take(width - 1).collect();
        cut.push('…');
        cut
    }
}
