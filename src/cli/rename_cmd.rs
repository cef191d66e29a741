//! `wareg rename ID --name "New Name" [--json] [--force]`: asks Meta for a new display name
//! (POST /{id}?new_display_name=…), planned first like a register (what stands in the way and
//! what follows: the review, then a re-register within 14 days), counted in its own budget of
//! 10 per 30 days, audited as `rename`.

use serde_json::json;

use super::args::{Global, RenameArgs};
use super::context::{Context, block_on, parse_id};
use super::error::CliError;
use super::output::print_json;
use super::plan_cmd::prepare_error;
use crate::engine::RenamePlan;
use crate::graph::DisplayName;

pub fn run(global: &Global, args: RenameArgs) -> Result<(), CliError> {
    let id = parse_id(global, &args.id)?;
    let name = DisplayName::parse(&args.name)
        .map_err(|e| CliError::Usage(format!("{e}; nothing was sent")))?;
    let ctx = Context::load(global)?;
    let engine = ctx.engine(ctx.profile_for(&id, global)?)?;
    let plan = block_on(engine.prepare_rename(&id, &name))?.map_err(|e| prepare_error(&id, e))?;
    if !args.json {
        say_inline!("{}", plan_text(&plan));
    }
    let blocking = plan.blocking(args.force);
    if !blocking.is_empty() {
        let reasons: Vec<String> = blocking.iter().map(|b| b.words()).collect();
        let hint = if blocking.iter().all(|b| b.overridable()) {
            " Add --force to send anyway."
        } else {
            ""
        };
        return Err(CliError::Blocked {
            message: format!(
                "refusing the display-name change of {id}: {}. Nothing was sent.{hint}",
                reasons.join("; ")
            ),
            plan: plan_json(&plan),
        });
    }
    for blocker in &plan.blockers {
        eprintln!(
            "warning: {}; sending anyway because of --force",
            blocker.words()
        );
    }
    block_on(engine.rename(&plan, args.force))?
        .map_err(|e| CliError::mutation(plan.describe(), e))
        .map(|answered| {
            if let Some(warning) = answered.warning {
                eprintln!("warning: {warning}");
            }
        })?;
    let target = engine.hint(&id);
    let message = format!(
        "Meta is reviewing '{name}' for {id}. `wareg next {target}` says when it is approved; then register it again within 14 days (wareg register {target} --pin-stdin) to apply it."
    );
    if args.json {
        print_json(
            &json!({"ok": true, "number": id, "result": "rename", "name": name.as_str(), "message": message, "plan": plan_json(&plan)}),
        );
    } else {
        say!("{message}");
    }
    Ok(())
}

fn plan_text(plan: &RenamePlan) -> String {
    let mut out = format!(
        "Plan for {} (display-name change):\n  1. {}\n",
        plan.number,
        plan.describe()
    );
    out.push_str(&format!(
        "  cost: 1 of the {} display-name changes Meta allows in 30 days ({} used)\n",
        plan.budget.limit, plan.budget.used
    ));
    for note in &plan.notes {
        out.push_str(&format!("  note: {note}\n"));
    }
    for blocker in &plan.blockers {
        let force = if blocker.overridable() {
            " (--force sends anyway)"
        } else {
            ""
        };
        out.push_str(&format!("  blocked: {}{force}\n", blocker.words()));
    }
    out
}

fn plan_json(plan: &RenamePlan) -> serde_json::Value {
    json!({
        "number": plan.number,
        "kind": "rename",
        "name": plan.name.as_str(),
        "steps": [plan.describe()],
        "budget": {"rename": super::output::budget_json(&plan.budget)},
        "notes": plan.notes,
        "blockers": plan.blockers.iter().map(|b| json!({
            "reason": b.words(),
            "overridable": b.overridable(),
        })).collect::<Vec<_>>(),
    })
}
