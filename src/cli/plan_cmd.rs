//! `wareg plan register|deregister ID ...`: the engine's plan for each number, its cost and its
//! blockers, in words or as JSON. Sends nothing. The register and deregister commands print the
//! same plan through these functions before they send.

use serde_json::{Value, json};

use super::args::{Global, PlanAction, PlanArgs};
use super::context::{Context, block_on, parse_id};
use super::error::CliError;
use super::output::{budget_json, print_json};
use crate::engine::{Plan, PrepareError, Request, StorageFact, storage_words};
use crate::graph::{NumberId, StorageChoice};

pub fn run(global: &Global, args: PlanArgs) -> Result<(), CliError> {
    let (ids, request, json) = match args.action {
        PlanAction::Register {
            ids,
            region,
            no_region,
            json,
        } => (
            ids,
            Request::Register(storage_choice(region, no_region)),
            json,
        ),
        PlanAction::Deregister { ids, json } => (ids, Request::Deregister, json),
    };
    let ids = ids
        .iter()
        .map(|raw| parse_id(global, raw))
        .collect::<Result<Vec<NumberId>, CliError>>()?;
    let ctx = Context::load(global)?;
    let mut plans = Vec::new();
    for id in &ids {
        let engine = ctx.engine(ctx.profile_for(id, global)?)?;
        let plan = block_on(engine.prepare(id, request))?.map_err(|e| prepare_error(id, e))?;
        plans.push(plan);
    }
    if json {
        print_json(&json!({"ok": true, "plans": plans.iter().map(plan_json).collect::<Vec<_>>()}));
    } else {
        for plan in &plans {
            say_inline!("{}", plan_text(plan));
        }
    }
    Ok(())
}

/// The storage asked for by `--region CC` / `--no-region` / neither.
pub fn storage_choice(region: Option<crate::graph::Region>, no_region: bool) -> StorageChoice {
    match (region, no_region) {
        (Some(region), _) => StorageChoice::Region(region),
        (None, true) => StorageChoice::Off,
        (None, false) => StorageChoice::Keep,
    }
}

pub fn prepare_error(id: &NumberId, e: PrepareError) -> CliError {
    match e {
        // A read that was not sent says so itself.
        PrepareError::Read(api)
            if api.mutation_outcome() == crate::graph::MutationOutcome::NotSent =>
        {
            CliError::api(format!("reading {id} before planning"), api)
        }
        PrepareError::Read(api) => CliError::api(
            format!("reading {id} before planning (nothing was sent)"),
            api,
        ),
        PrepareError::Ledger(why) => CliError::Local(format!("cannot read the audit trail: {why}")),
        silent @ PrepareError::LedgerSilent(_) => CliError::Local(silent.to_string()),
    }
}

/// The plan as a person reads it, one item a line.
pub fn plan_text(plan: &Plan) -> String {
    let mut out = format!(
        "Plan for {} ({}, API {}):\n",
        plan.number,
        plan.kind.words(),
        plan.version
    );
    for (i, step) in plan.steps.iter().enumerate() {
        out.push_str(&format!("  {}. {}\n", i + 1, step.describe()));
    }
    if !plan.sendable() {
        out.push_str("  cost: nothing: it is blocked and cannot be sent (see below)\n");
    }
    for (op, cost) in plan.costs().into_iter().filter(|_| plan.sendable()) {
        if let Some(b) = plan.budgets.of(op) {
            let attempts = if cost == 1 { "" } else { "s" };
            // A budget already short of the cost is said as such, not as "0 left after".
            let after = match b.left().checked_sub(cost) {
                Some(left) => format!("{left} of {} left after", b.limit),
                None => format!("only {} of {} left: blocked", b.left(), b.limit),
            };
            out.push_str(&format!(
                "  cost: {cost} {op} attempt{attempts} ({after})\n"
            ));
        }
    }
    out.push_str(&format!("  now: {}\n", facts_line(plan)));
    out.push_str(&format!("  after: {}\n", plan.storage_after));
    for note in &plan.notes {
        out.push_str(&format!("  note: {note}\n"));
    }
    if let Some(why) = &plan.confirm {
        out.push_str(&format!("  needs confirmation: {why}\n"));
    }
    for blocker in &plan.blockers {
        let force = match (blocker.overridable(), blocker.forced_once()) {
            (true, Some(done)) => format!(" (once {done}, --force sends it)"),
            (true, None) => " (--force sends anyway)".to_owned(),
            (false, _) => String::new(),
        };
        out.push_str(&format!("  blocked: {}{force}\n", blocker.words()));
    }
    out
}

fn facts_line(plan: &Plan) -> String {
    let f = &plan.facts;
    let or_dash = |v: Option<String>| v.unwrap_or_else(|| "—".into());
    let mut parts = vec![
        format!(
            "status {}",
            or_dash(f.status.as_ref().map(|s| s.to_string()))
        ),
        format!(
            "ownership {}",
            or_dash(f.verified.as_ref().map(|s| s.to_string()))
        ),
    ];
    if let Some(storage) = f.storage.filter(|s| *s != StorageFact::Unknown) {
        parts.push(format!("storage {}", storage_words(storage)));
    }
    if f.coexistence == Some(true) {
        parts.push("coexistence".into());
    }
    parts.join(" · ")
}

pub fn plan_json(plan: &Plan) -> Value {
    let f = &plan.facts;
    json!({
        "number": plan.number,
        "kind": plan.kind.words(),
        "api_version": plan.version.to_string(),
        "steps": plan.steps.iter().map(|s| s.describe()).collect::<Vec<_>>(),
        // A plan nothing can send costs nothing.
        "cost": plan.costs().iter().filter(|_| plan.sendable()).map(|(op, n)| (op.as_str().to_owned(), json!(n))).collect::<serde_json::Map<_, _>>(),
        "sendable": plan.sendable(),
        "budget": {
            "register": budget_json(&plan.budgets.register),
            "deregister": budget_json(&plan.budgets.deregister),
        },
        "now": {
            "status": f.status,
            "ownership": f.verified,
            "coexistence": f.coexistence,
            "two_step_pin": f.pin_enabled,
            "storage": f.storage.map(storage_words),
        },
        "storage_after": plan.storage_after,
        "notes": plan.notes,
        "confirm": plan.confirm,
        "blockers": plan.blockers.iter().map(|b| json!({
            "reason": b.words(),
            "overridable": b.overridable(),
            "force_once": b.forced_once(),
        })).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::Budget;
    use crate::engine::{Budgets, Facts, decide};
    use crate::graph::{ApiVersion, NumberId, StorageChoice};

    fn budget(used: u32) -> Budget {
        Budget {
            used,
            limit: 10,
            next_free: None,
            locked_until: None,
        }
    }

    fn cost_line(register_used: u32) -> String {
        let plan = decide(
            &NumberId::parse("106540352242922").unwrap(),
            ApiVersion::DEFAULT,
            &Facts::default(),
            Request::Register(StorageChoice::Keep),
            &Budgets {
                register: budget(register_used),
                deregister: budget(0),
            },
        );
        plan_text(&plan)
            .lines()
            .find(|l| l.contains("cost:"))
            .unwrap_or_default()
            .to_owned()
    }

    #[test]
    fn the_cost_line_says_what_is_left_after_or_that_too_little_is_left() {
        assert_eq!(
            cost_line(3),
            "  cost: 1 register attempt (6 of 10 left after)"
        );
        assert_eq!(
            cost_line(10),
            "  cost: 1 register attempt (only 0 of 10 left: blocked)"
        );
    }
}
