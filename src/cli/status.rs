//! `wareg status ID [--json]`: live status, storage and budget left.

use serde_json::json;

use super::args::{Global, StatusArgs};
use super::context::{Context, block_on, parse_id};
use super::error::CliError;
use super::output::{budget_json, budget_line, print_json, print_usage};

pub fn run(global: &Global, args: StatusArgs) -> Result<(), CliError> {
    let id = parse_id(global, &args.id)?;
    let ctx = Context::load(global)?;
    let profile = ctx.profile_for(&id, global)?;
    let engine = ctx.engine(profile)?;
    // Only this number's records are parsed, while the number is read.
    let (number, settings, budgets) = block_on(async {
        tokio::join!(
            engine.client.get_number(&id),
            engine.client.get_settings(&id),
            engine.budgets_of(&id)
        )
    })?;
    let number = number.map_err(|e| CliError::api(format!("reading {id}"), e))?;
    let budgets =
        budgets.map_err(|e| CliError::Local(format!("cannot read the audit trail: {e}")))?;
    // What it needs next, by the rule every face uses (an approval seen now is noted).
    let next = block_on(engine.next_of(&id, &number))?
        .map_err(|e| CliError::Local(format!("cannot read the audit trail: {e}")))?;
    let (register, deregister) = (budgets.register, budgets.deregister);
    let storage = settings
        .as_ref()
        .ok()
        .and_then(|s| s.storage_configuration.clone());
    if let Some(storage) = &storage {
        // Kept for the TUI: its start need not read this number's storage again.
        block_on(engine.keep_storage(&id, storage.clone()))?;
    }
    let label = ctx.config.number(&id).and_then(|n| n.label.clone());

    if args.json {
        let mut out = json!({
            "id": id,
            "label": label,
            "profile": profile.name,
            "api_version": profile.api_version.to_string(),
            "live": number,
            "storage": storage,
            "budget": {"register": budget_json(&register), "deregister": budget_json(&deregister)},
            "next": next,
        });
        if let Err(e) = &settings {
            out["storage_error"] = json!(e.to_string());
        }
        out["api_usage"] = json!(engine.client.usage());
        print_json(&out);
        return Ok(());
    }

    let show = |v: Option<String>| v.unwrap_or_else(|| "(not given)".into());
    match &label {
        Some(label) => say!("{id}  {label}"),
        None => say!("{id}"),
    }
    say!(
        "  number        {}",
        show(number.display_phone_number.clone())
    );
    say!("  name          {}", show(number.verified_name.clone()));
    say!(
        "  status        {}",
        show(number.status.as_ref().map(|s| s.to_string()))
    );
    say!(
        "  ownership     {}",
        show(
            number
                .code_verification_status
                .as_ref()
                .map(|s| s.to_string())
        )
    );
    let pin = number.is_pin_enabled.map(|on| {
        if on {
            "set (register needs it)"
        } else {
            "not set (register sets it)"
        }
        .to_owned()
    });
    say!("  two-step PIN  {}", show(pin));
    if number.is_on_biz_app == Some(true) {
        say!("  coexistence   yes: also in the WhatsApp Business app (no register or deregister)");
    }
    if let Some(health) = &number.health_status {
        say!("  health        {}", show(health.can_send_message.clone()));
        for reason in health.reasons() {
            say!("                {reason}");
        }
    }
    say!(
        "  name status   {} / new name {}{}{}",
        show(number.name_status.clone()),
        show(number.new_name_status.clone()),
        number
            .new_display_name
            .as_deref()
            .map(|n| format!(" '{n}'"))
            .unwrap_or_default(),
        if number.name_under_review() {
            " (under review: register waits for it)"
        } else {
            ""
        }
    );
    if let Some(limit) = number.messaging_limit() {
        say!("  limit         {limit}");
    }
    say!(
        "  quality       {}",
        show(number.quality_rating.as_ref().map(|s| s.to_string()))
    );
    say!(
        "  platform      {}",
        show(number.platform_type.as_ref().map(|s| s.to_string()))
    );
    match (&storage, &settings) {
        (Some(s), _) => say!("  storage       {}", s.summary()),
        (None, Err(e)) => say!("  storage       unknown: {}", e.short()),
        (None, Ok(_)) => say!("  storage       (not given)"),
    }
    say!("  register      {}", budget_line(&register, &engine.policy));
    say!(
        "  deregister    {}",
        budget_line(&deregister, &engine.policy)
    );
    say!(
        "  next          {}: {}",
        crate::fleet::next::heading(next.step),
        next.words
    );
    if let Some(until) = next.until {
        say!("                until {}", super::output::local_time(until));
    }
    if let Some(action) = &next.action {
        say!("                do: {action}");
    }
    print_usage(&engine.client.usage());
    Ok(())
}
