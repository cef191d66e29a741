//! `wareg next [ID|LABEL…] [--json]`: what each number needs next, in words, with the command
//! that does it; every configured and discovered number when none is given. The same step as
//! the TUI's NEXT column and `status`, from the same rule.

use serde_json::{Value, json};
use std::collections::BTreeMap;

use super::args::{Global, NextArgs};
use super::context::{Context, block_on, client_for, parse_id};
use super::error::CliError;
use super::output::{local_time, print_json};
use crate::config::ProfileName;
use crate::fleet::{self, Row};
use crate::graph::{ApiError, GraphClient};

pub fn run(global: &Global, args: NextArgs) -> Result<(), CliError> {
    let ids = args
        .ids
        .iter()
        .map(|raw| parse_id(global, raw))
        .collect::<Result<Vec<_>, CliError>>()?;
    let ctx = Context::load(global)?;
    let only = global.profile.as_deref();
    if let Some(p) = only.filter(|p| ctx.config.profile(p).is_none()) {
        return Err(CliError::Usage(format!("there is no profile named `{p}`")));
    }
    let mut clients: BTreeMap<ProfileName, GraphClient> = BTreeMap::new();
    let mut rows = if ids.is_empty() {
        for name in fleet::profiles_in_view(&ctx.config, only) {
            if let Some(profile) = ctx.config.profile(&name) {
                clients.insert(name, client_for(profile, &ctx.data_dir)?);
            }
        }
        let rows = block_on(fleet::refresh(&ctx.config, &clients, only))?.0;
        super::context::keep_known(&ctx.data_dir, &rows);
        rows
    } else {
        let mut rows = Vec::new();
        for id in ids {
            let profile = ctx.profile_for(&id, global)?;
            if !clients.contains_key(&profile.name) {
                clients.insert(profile.name.clone(), ctx.client(profile)?);
            }
            let label = ctx.config.number(&id).and_then(|n| n.label.clone());
            rows.push(Row::configured(id, label, profile.name.clone()));
        }
        let reads = block_on(futures::future::join_all(rows.iter().map(|row| {
            let client = clients.get(&row.profile).cloned();
            async move {
                match client {
                    Some(client) => client.get_number(&row.id).await,
                    None => Err(ApiError::Refused("no profile for it".into())),
                }
            }
        })))?;
        let now = chrono::Utc::now();
        for (row, read) in rows.iter_mut().zip(reads) {
            row.set_read(read, now);
        }
        rows
    };
    let shown = rows.iter().map(|r| r.id.as_str().to_owned()).collect();
    let book = crate::engine::budget_book_of(
        ctx.ledger()?.as_ref(),
        ctx.config.budget,
        chrono::Utc::now(),
        &shown,
    )
    .map_err(|e| CliError::Local(format!("cannot read the audit trail: {e}")))?;
    super::fleet_next::fill(&ctx, &mut rows, &book, &clients)?;

    let worst = rows
        .iter()
        .filter_map(Row::error)
        .max_by_key(|e| e.exit_code())
        .cloned();
    let error = worst.map(|e| CliError::api("some numbers could not be read", e));
    if args.json {
        let numbers: Vec<Value> = rows.iter().map(row_json).collect();
        let mut doc = json!({ "numbers": numbers });
        if let Some(e) = &error {
            doc["error"] = e.to_json()["error"].clone();
            doc["exit_code"] = json!(e.exit_code());
        }
        print_json(&doc);
        return error.map_or(Ok(()), |e| Err(CliError::InDocument(Box::new(e))));
    }
    for row in &rows {
        print_row(row);
    }
    error.map_or(Ok(()), Err)
}

/// `{"id": …, "label": …|null, "next": {step, words, until?, action?}}`; a number that could
/// not be read has `"next": null` and says why in `error`.
fn row_json(row: &Row) -> Value {
    let mut out = json!({"id": row.id, "label": row.label, "next": row.next});
    if let Some(e) = row.error() {
        out["error"] = json!(e.to_string());
    }
    out
}

fn print_row(row: &Row) {
    match &row.label {
        Some(label) => say!("{}  {label}", row.id),
        None => say!("{}", row.id),
    }
    match (&row.next, row.error()) {
        (Some(next), _) => {
            say!("  {}: {}", next.step, next.words);
            if let Some(until) = next.until {
                say!("  until {}", local_time(until));
            }
            if let Some(action) = &next.action {
                say!("  do: {action}");
            }
        }
        (None, Some(e)) => say!("  not read: {e}"),
        (None, None) => say!("  not read"),
    }
}
