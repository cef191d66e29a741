//! `wareg next [ID|LABEL…] [--json]`: what each number needs next, in words, with the command
//! that does it; every configured and discovered number when none is given. The same step as
//! the TUI's NEXT column and `status`, from the same rule.
//!
//! Each profile is read with its own token: a profile whose token cannot be read is said once
//! ("profile 'x' has no token (…): its numbers not read") and the other profiles' numbers are
//! shown; a profile with nothing to read (no WABA, no number asked about) needs no token.

use serde_json::{Value, json};
use std::collections::BTreeMap;

use super::args::{Global, NextArgs};
use super::context::{Context, NoToken, block_on, client_or_no_token, clients_in_view, parse_id};
use super::error::CliError;
use super::output::{local_time, print_json};
use crate::config::ProfileName;
use crate::fleet::{self, Row};
use crate::graph::GraphClient;

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
    let mut no_token: Vec<NoToken> = Vec::new();
    // Listed rows whose id is not a number id: left out, and said as `numbers` says it.
    let mut left_out = Vec::new();
    let mut rows = if ids.is_empty() {
        (clients, no_token) = clients_in_view(&ctx, only)?;
        let (rows, listed) = block_on(fleet::refresh(&ctx.config, &clients, only))?;
        left_out = super::numbers::left_out_lines(&ctx.config, only, &listed);
        super::context::keep_known(&ctx.data_dir, &rows);
        rows
    } else {
        let mut rows = Vec::new();
        for id in ids {
            let profile = ctx.profile_for(&id, global)?;
            let seen = clients.contains_key(&profile.name)
                || no_token.iter().any(|n| n.profile == profile.name);
            if !seen {
                match client_or_no_token(profile, &ctx.data_dir)? {
                    Ok(client) => {
                        clients.insert(profile.name.clone(), client);
                    }
                    Err(missing) => no_token.push(missing),
                }
            }
            let label = ctx.config.number(&id).and_then(|n| n.label.clone());
            rows.push(Row::configured(id, label, profile.name.clone()));
        }
        let reads = block_on(futures::future::join_all(rows.iter().map(|row| {
            let client = clients.get(&row.profile).cloned();
            async move {
                match client {
                    Some(client) => Some(client.get_number(&row.id).await),
                    None => None,
                }
            }
        })))?;
        let now = chrono::Utc::now();
        for (row, read) in rows.iter_mut().zip(reads) {
            if let Some(read) = read {
                row.set_read(read, now);
            }
        }
        rows
    };
    let tokenless = |row: &Row| no_token.iter().find(|n| n.profile == row.profile);
    for row in rows.iter_mut() {
        if let Some(missing) = tokenless(row) {
            row.set_failed(missing.not_read());
        }
    }
    let shown = rows.iter().map(|r| r.id.as_str().to_owned()).collect();
    let book = crate::engine::budget_book_of(
        ctx.ledger()?.as_ref(),
        ctx.config.budget,
        chrono::Utc::now(),
        &shown,
    )
    .map_err(|e| CliError::Local(format!("cannot read the audit trail: {e}")))?;
    super::fleet_next::fill(&ctx, &mut rows, &book, &clients)?;

    // What decides the exit: the worst read that failed, else a profile without a token
    // (exit 2: the config's). Whatever does not decide it is said on stderr, once.
    let worst = rows
        .iter()
        .filter(|r| tokenless(r).is_none())
        .filter_map(Row::error)
        .max_by_key(|e| e.exit_code())
        .cloned();
    let error = match worst {
        Some(e) => {
            for missing in &no_token {
                eprintln!("{}", missing.words());
            }
            Some(CliError::api("some numbers could not be read", e))
        }
        // Exit 3 for listing rows left out when nothing worse happened, as `numbers` does.
        None => NoToken::error_of(&no_token).or_else(|| super::numbers::left_out_error(&left_out)),
    };
    if args.json {
        let numbers: Vec<Value> = rows.iter().map(row_json).collect();
        let mut doc = json!({ "numbers": numbers });
        if !no_token.is_empty() {
            doc["not_read"] = no_token
                .iter()
                .map(|n| json!({"profile": n.profile, "why": crate::clean::uncut(&n.why)}))
                .collect();
        }
        if let Some(e) = &error {
            doc["error"] = e.to_json()["error"].clone();
            doc["exit_code"] = json!(e.exit_code());
        }
        print_json(&doc);
        return error.map_or(Ok(()), |e| Err(CliError::InDocument(Box::new(e))));
    }
    for line in &left_out {
        say!("{line}");
    }
    for row in rows.iter().filter(|r| tokenless(r).is_none()) {
        print_row(&ctx, row);
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

/// The number as the TUI names it (its label, else its verified name, and its display
/// number: as read now, else as the last listing kept them), then its step.
fn print_row(ctx: &Context, row: &Row) {
    let kept = ctx.known_of(&row.id);
    let title = Some(row.title())
        .filter(|t| !t.is_empty())
        .or_else(|| kept.and_then(|k| k.name.as_deref()));
    let display = row
        .known_number()
        .and_then(|n| n.display_phone_number.as_deref())
        .or_else(|| kept.and_then(|k| k.display.as_deref()));
    let names: Vec<&str> = [title, display].into_iter().flatten().collect();
    if names.is_empty() {
        say!("{}", row.id);
    } else {
        say!("{}  {}", row.id, crate::clean::text(&names.join("  "), 200));
    }
    match (&row.next, row.error()) {
        (Some(next), _) => {
            say!("  {}: {}", fleet::next::heading(next.step), next.words);
            if let Some(until) = next.until {
                say!("  until {}", local_time(until));
            }
            if let Some(action) = &next.action {
                say!("  do: {action}");
            }
            // The step stands on what was known before; the read just made did not work.
            if let Some(e) = row.error() {
                say!("  not read now: {}", e.short());
            }
        }
        (None, Some(e)) => say!("  not read: {e}"),
        (None, None) => say!("  not read"),
    }
}
