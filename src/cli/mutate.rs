//! The mutating commands. Each validates everything before sending, checks the budget, runs
//! through the engine (audit lines around every call) and never retries.

use serde_json::{Value, json};

use super::args::{
    DeregisterArgs, Global, MethodArg, RegisterArgs, RequestCodeArgs, SetPinArgs, VerifyCodeArgs,
};
use super::context::{Context, block_on, parse_id};
use super::error::CliError;
use super::output::{budget_json, budget_line, print_json};
use super::plan_cmd::{plan_json, plan_text, prepare_error, storage_choice};
use super::secret_input::{SecretSource, read_secret};
use crate::engine::{
    Blocker, Budgets, Engine, Execution, MutationError, Plan, PlanKind, PrepareError, Request,
    Step, StepReport,
};
use crate::graph::{Answered, CodeMethod, NumberId};
use crate::secret::{Pin, VerificationCode};

pub fn register(global: &Global, args: RegisterArgs) -> Result<(), CliError> {
    let id = parse_id(global, &args.id)?;
    let source = match &args.pin.pin_env {
        Some(var) => SecretSource::Env(var),
        None => SecretSource::Stdin,
    };
    let raw = read_secret(source, "PIN")?;
    let pin =
        Pin::parse(&raw).map_err(|e| CliError::Usage(format!("the PIN {e}; nothing was sent")))?;
    let request = Request::Register(storage_choice(args.region, args.no_region));
    let ctx = Context::load(global)?;
    let engine = ctx.engine(ctx.profile_for(&id, global)?)?;
    let plan = prepare(&engine, &id, request, args.force)?;
    let confirmed = args.yes || plan.kind != PlanKind::RegionChange;
    send(
        &engine,
        &plan,
        Some(&pin),
        Flags {
            confirmed,
            force: args.force,
            json: args.json,
        },
    )
}

pub fn deregister(global: &Global, args: DeregisterArgs) -> Result<(), CliError> {
    let id = parse_id(global, &args.id)?;
    if !args.yes {
        // Only the config is read, for the hint's profile; nothing is made or sent.
        let target = Context::load_for_reading(global)
            .map_or_else(|_| id.to_string(), |ctx| ctx.hint(&id, global));
        return Err(CliError::Usage(format!(
            "deregistering {id} stops its messaging on Cloud API at once and turns local storage off (message history is kept); it uses 1 of the deregister budget. It does not delete the number: deleting one is done in WhatsApp Manager. Nothing was read or sent. `wareg plan deregister {target}` shows first whether anything stands in the way; add --yes to confirm."
        )));
    }
    let ctx = Context::load(global)?;
    let engine = ctx.engine(ctx.profile_for(&id, global)?)?;
    let plan = prepare(&engine, &id, Request::Deregister, args.force)?;
    send(
        &engine,
        &plan,
        None,
        Flags {
            confirmed: true,
            force: args.force,
            json: args.json,
        },
    )
}

pub fn set_pin(global: &Global, args: SetPinArgs) -> Result<(), CliError> {
    let id = parse_id(global, &args.id)?;
    let source = match &args.pin.pin_env {
        Some(var) => SecretSource::Env(var),
        None => SecretSource::Stdin,
    };
    let raw = read_secret(source, "new PIN")?;
    let pin =
        Pin::parse(&raw).map_err(|e| CliError::Usage(format!("the PIN {e}; nothing was sent")))?;
    let ctx = Context::load(global)?;
    let engine = ctx.engine(ctx.profile_for(&id, global)?)?;
    warn(
        block_on(engine.set_pin(&id, &pin))?
            .map_err(|e| CliError::mutation("POST /{id} (set PIN)", e))?,
    );
    finish(
        args.json,
        &id,
        "set-pin",
        "The two-step PIN is set. The old PIN was not needed; the API cannot turn two-step verification off.",
    )
}

pub fn request_code(global: &Global, args: RequestCodeArgs) -> Result<(), CliError> {
    let id = parse_id(global, &args.id)?;
    if !crate::graph::types::is_language_code(&args.language) {
        return Err(CliError::Usage(format!(
            "`{}` is not a language code: write it like en_US or de_DE",
            args.language
        )));
    }
    let method = match args.method {
        MethodArg::Sms => CodeMethod::Sms,
        MethodArg::Voice => CodeMethod::Voice,
    };
    let ctx = Context::load(global)?;
    let engine = ctx.engine(ctx.profile_for(&id, global)?)?;
    // Meta sends no code to a number already verified (136024): said before anything is sent.
    match block_on(engine.check_request_code(&id))? {
        Ok(Some(refusal)) if !args.force => {
            return Err(CliError::Blocked {
                message: refusal.with_force_hint(),
                plan: Value::Null,
            });
        }
        Ok(Some(_)) => eprintln!(
            "warning: its ownership is already verified (Meta answers 136024); sending anyway because of --force"
        ),
        Ok(None) => {}
        Err(e) => eprintln!(
            "warning: reading {id} first failed ({}); asking for the code anyway",
            e.short()
        ),
    }
    warn(
        block_on(engine.request_code(&id, method, &args.language))?
            .map_err(|e| CliError::mutation("POST /request_code", e))?,
    );
    let how = match method {
        CodeMethod::Sms => "by SMS",
        CodeMethod::Voice => "by a voice call",
    };
    finish(
        args.json,
        &id,
        "request-code",
        &format!(
            "Meta is sending a verification code {how}. Then run: wareg verify-code {} --code-stdin",
            engine.hint(&id)
        ),
    )
}

pub fn verify_code(global: &Global, args: VerifyCodeArgs) -> Result<(), CliError> {
    let id = parse_id(global, &args.id)?;
    let source = match &args.code.code_env {
        Some(var) => SecretSource::Env(var),
        None => SecretSource::Stdin,
    };
    let raw = read_secret(source, "verification code")?;
    let code = VerificationCode::parse(&raw)
        .map_err(|e| CliError::Usage(format!("the verification code {e}; nothing was sent")))?;
    let ctx = Context::load(global)?;
    let engine = ctx.engine(ctx.profile_for(&id, global)?)?;
    warn(
        block_on(engine.verify_code(&id, &code))?
            .map_err(|e| CliError::mutation("POST /verify_code", e))?,
    );
    finish(
        args.json,
        &id,
        "verify-code",
        "Ownership verified: the number can now be registered.",
    )
}

/// The engine's plan from a live read; when the read fails, `--force` plans from nothing known
/// (the plan says so) instead of giving up.
fn prepare(
    engine: &Engine,
    id: &NumberId,
    request: Request,
    force: bool,
) -> Result<Plan, CliError> {
    match block_on(engine.prepare(id, request))? {
        Ok(plan) => Ok(plan),
        Err(PrepareError::Read(e)) if force => {
            eprintln!(
                "warning: reading {id} failed ({}); planning without it because of --force",
                e.short()
            );
            block_on(engine.prepare_unread(id, request))?.map_err(|e| prepare_error(id, e))
        }
        Err(PrepareError::Read(e)) => Err(CliError::api(
            format!("reading {id} before planning (nothing was sent; --force plans without it)"),
            e,
        )),
        Err(e) => Err(prepare_error(id, e)),
    }
}

struct Flags {
    /// The user confirmed what the plan's `confirm` asks for (`--yes`).
    confirmed: bool,
    force: bool,
    json: bool,
}

/// Refuses a blocked or unconfirmed plan (exit 2, nothing sent), else runs it through the
/// engine and reports each step; an unknown outcome comes with the number read back.
fn send(engine: &Engine, plan: &Plan, pin: Option<&Pin>, flags: Flags) -> Result<(), CliError> {
    if !flags.json {
        // The same plan the TUI's pre-flight shows, before anything is decided.
        say_inline!("{}", plan_text(plan));
    }
    let blocking = plan.blocking(flags.force);
    if !blocking.is_empty() {
        let reasons: Vec<String> = blocking.iter().map(|b| b.words()).collect();
        let mut hint = String::new();
        if blocking.iter().any(|b| b.is_budget()) {
            hint.push_str(" Meta locks a number for 72 hours on the 11th request in its window.");
        }
        if blocking.iter().all(|b| b.overridable()) {
            // After Meta's 2388001 a send helps only once its cause is fixed: said as such.
            let once: Vec<&str> = blocking.iter().filter_map(|b| b.forced_once()).collect();
            if once.is_empty() {
                hint.push_str(" Add --force to send anyway.");
            } else {
                hint.push_str(&format!(
                    " Once {}, add --force to send it.",
                    once.join(" and ")
                ));
            }
        }
        return Err(CliError::Blocked {
            message: format!(
                "refusing the {} of {}: {}. Nothing was sent.{hint}",
                plan.kind.words(),
                plan.number,
                reasons.join("; ")
            ),
            plan: plan_json(plan),
        });
    }
    if !flags.confirmed {
        return Err(CliError::Blocked {
            message: format!(
                "the {} of {} needs confirmation: {}. Nothing was sent. Add --yes to confirm.",
                plan.kind.words(),
                plan.number,
                plan.confirm.as_deref().unwrap_or("it changes the number"),
            ),
            plan: plan_json(plan),
        });
    }
    for blocker in &plan.blockers {
        eprintln!(
            "warning: {}; sending anyway because of --force",
            blocker.words()
        );
    }
    // The record says the budget was overridden only when it was.
    let forced = flags.force && plan.blockers.iter().any(Blocker::override_is_recorded);
    let (execution, budgets) = block_on(async {
        let execution = engine.execute(plan, pin, forced, |_, _| {}).await;
        // What the run left of the budget, read once it has ended.
        let budgets = engine.budgets_of(&plan.number).await.ok();
        (execution, budgets)
    })?;
    report(engine, plan, &execution, budgets, flags.json)
}

fn report(
    engine: &Engine,
    plan: &Plan,
    execution: &Execution,
    budgets: Option<Budgets>,
    json: bool,
) -> Result<(), CliError> {
    let id = &plan.number;
    for warning in execution.reports.iter().filter_map(|r| r.warning.as_ref()) {
        eprintln!("warning: {warning}");
    }
    let done_word = match plan.kind {
        PlanKind::Deregister => "deregistered",
        PlanKind::RegionChange => "re-registered with the new local storage",
        PlanKind::Register | PlanKind::Reregister => "registered",
    };
    let op = plan
        .steps
        .iter()
        .rev()
        .map(Step::operation)
        .find(|o| o.is_budgeted());
    let budget = op.and_then(|op| {
        budgets
            .as_ref()
            .and_then(|b| b.of(op).copied().map(|b| (op, b)))
    });
    let steps: Vec<Value> = execution.reports.iter().map(step_json).collect();

    let Some(failed) = execution.failure() else {
        if json {
            let mut out = json!({"ok": true, "number": id, "result": done_word, "plan": plan.kind.words(), "steps": steps});
            if let Some((op, b)) = &budget {
                out["budget"] = json!({op.as_str(): budget_json(b)});
            }
            print_json(&out);
        } else {
            say!("{id} {done_word}.");
            for r in &execution.reports {
                say!("  {:<40} ok", r.step.describe());
            }
            if let Some((op, b)) = &budget {
                say!("{op} budget: {}", budget_line(b, &engine.policy));
            }
        }
        return Ok(());
    };

    let call = failed.step.describe();
    let Err(error) = &failed.result else {
        unreachable!("found as an error above")
    };
    if error.outcome_unknown() {
        let status = execution
            .readback_words()
            .unwrap_or_else(|| "the number was not read back".into());
        let message = format!(
            "the outcome of {call} is unknown: {error}. It may or may not have happened; wareg does not retry it. {}. Check with `wareg status {}` before trying again.",
            capitalised(&status),
            engine.hint(id)
        );
        let read_back = match &execution.readback {
            Some(Ok(number)) => json!({"status": number.status}),
            _ => Value::Null,
        };
        return Err(CliError::Unknown {
            message,
            steps: Value::Array(steps),
            read_back,
        });
    }

    let mut context = format!("{call} failed");
    let budget_matters = error.api().is_some_and(|api| {
        api.graph().is_some_and(|g| g.used_budget()) || api.code() == Some(133016)
    });
    if let (true, Some((op, b))) = (budget_matters, &budget) {
        context.push_str(&format!(
            " ({op} budget: {})",
            budget_line(b, &engine.policy)
        ));
    }
    let done: Vec<String> = execution
        .reports
        .iter()
        .filter(|r| r.result.is_ok())
        .map(|r| r.step.describe())
        .collect();
    if !done.is_empty() {
        context.push_str(&format!(" after {} succeeded", done.join(", ")));
    }
    let deregistered = execution
        .reports
        .iter()
        .any(|r| r.step == Step::Deregister && r.result.is_ok());
    if deregistered && plan.kind == PlanKind::RegionChange {
        context.push_str(&format!(
            ". The number is now DEREGISTERED: messaging is stopped until it is registered again (wareg register {} --pin-stdin)",
            engine.hint(id)
        ));
    }
    Err(match error {
        MutationError::Api(api) => CliError::api(context, api.clone()),
        MutationError::Audit(why) => CliError::Local(why.clone()),
        silent @ MutationError::LedgerSilent(_) => CliError::Local(silent.to_string()),
        MutationError::Refused(refusal) => CliError::Blocked {
            message: if done.is_empty() {
                refusal.with_force_hint()
            } else {
                format!(
                    "{} (after {} succeeded)",
                    refusal.with_force_hint(),
                    done.join(", ")
                )
            },
            plan: plan_json(plan),
        },
    })
}

/// An odd but accepted answer, said on stderr (stdout stays the result).
fn warn(answered: Answered) {
    if let Some(warning) = answered.warning {
        eprintln!("warning: {warning}");
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn step_json(report: &StepReport) -> Value {
    let result = match &report.result {
        Ok(()) => json!("ok"),
        Err(e) => match e.outcome() {
            crate::graph::MutationOutcome::Unknown => json!("unknown"),
            crate::graph::MutationOutcome::NotSent => json!("not sent"),
            crate::graph::MutationOutcome::Failed => json!("error"),
        },
    };
    let mut out = json!({"call": report.step.describe(), "result": result});
    if let Err(e) = &report.result {
        out["error"] = match e.api() {
            Some(api) => super::error::api_error_json(api),
            None => json!({"summary": e.to_string()}),
        };
    }
    out
}

fn finish(json: bool, id: &NumberId, op: &str, message: &str) -> Result<(), CliError> {
    if json {
        print_json(&json!({"ok": true, "number": id, "result": op, "message": message}));
    } else {
        say!("{message}");
    }
    Ok(())
}
