//! The mutating commands. Each validates everything before sending, checks the budget, runs
//! through the engine (audit lines around every call) and never retries.

use serde_json::{Value, json};

use super::args::{
    DeregisterArgs, Global, MethodArg, RegisterArgs, RequestCodeArgs, SetPinArgs, VerifyCodeArgs,
};
use super::context::{Context, block_on, parse_id};
use super::error::CliError;
use super::output::{budget_json, budget_line, print_json};
use super::secret_input::{SecretSource, read_secret};
use crate::audit::Operation;
use crate::engine::{Engine, Step, StepReport, deregister_plan, register_plan};
use crate::graph::{CodeMethod, NumberId, StorageChoice};
use crate::secret::{Pin, VerificationCode};

pub fn register(global: &Global, args: RegisterArgs) -> Result<(), CliError> {
    let id = parse_id(&args.id)?;
    let source = match &args.pin.pin_env {
        Some(var) => SecretSource::Env(var),
        None => SecretSource::Stdin,
    };
    let raw = read_secret(source, "PIN")?;
    let pin =
        Pin::parse(&raw).map_err(|e| CliError::Usage(format!("the PIN {e}; nothing was sent")))?;
    let choice = match (args.region, args.no_region) {
        (Some(region), _) => StorageChoice::Region(region),
        (None, true) => StorageChoice::Off,
        (None, false) => StorageChoice::Keep,
    };
    let ctx = Context::load(global)?;
    let profile = ctx.profile_for(&id, global)?;
    let engine = ctx.engine(profile)?;
    check_budget(&engine, &id, Operation::Register, args.force)?;
    let plan = register_plan(profile.api_version, choice);
    run_plan(
        &engine,
        &id,
        &plan,
        Some(&pin),
        args.force,
        "registered",
        args.json,
    )
}

pub fn deregister(global: &Global, args: DeregisterArgs) -> Result<(), CliError> {
    let id = parse_id(&args.id)?;
    if !args.yes {
        return Err(CliError::Usage(format!(
            "deregistering {id} stops its messaging on Cloud API at once and turns local storage off (message history is kept); it uses 1 of the deregister budget. Add --yes to confirm."
        )));
    }
    let ctx = Context::load(global)?;
    let profile = ctx.profile_for(&id, global)?;
    let engine = ctx.engine(profile)?;
    check_budget(&engine, &id, Operation::Deregister, args.force)?;
    run_plan(
        &engine,
        &id,
        &deregister_plan(),
        None,
        args.force,
        "deregistered",
        args.json,
    )
}

pub fn set_pin(global: &Global, args: SetPinArgs) -> Result<(), CliError> {
    let id = parse_id(&args.id)?;
    let source = match &args.pin.pin_env {
        Some(var) => SecretSource::Env(var),
        None => SecretSource::Stdin,
    };
    let raw = read_secret(source, "new PIN")?;
    let pin =
        Pin::parse(&raw).map_err(|e| CliError::Usage(format!("the PIN {e}; nothing was sent")))?;
    let ctx = Context::load(global)?;
    let engine = ctx.engine(ctx.profile_for(&id, global)?)?;
    block_on(engine.set_pin(&id, &pin))?
        .map_err(|e| CliError::mutation("POST /{id} (set PIN)", e))?;
    finish(
        args.json,
        &id,
        "set-pin",
        "The two-step PIN is set. The old PIN was not needed; the API cannot turn two-step verification off.",
    )
}

pub fn request_code(global: &Global, args: RequestCodeArgs) -> Result<(), CliError> {
    let id = parse_id(&args.id)?;
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
    block_on(engine.request_code(&id, method, &args.language))?
        .map_err(|e| CliError::mutation("POST /request_code", e))?;
    let how = match method {
        CodeMethod::Sms => "by SMS",
        CodeMethod::Voice => "by a voice call",
    };
    finish(
        args.json,
        &id,
        "request-code",
        &format!(
            "Meta is sending a verification code {how}. Then run: wareg verify-code {id} --code-stdin"
        ),
    )
}

pub fn verify_code(global: &Global, args: VerifyCodeArgs) -> Result<(), CliError> {
    let id = parse_id(&args.id)?;
    let source = match &args.code.code_env {
        Some(var) => SecretSource::Env(var),
        None => SecretSource::Stdin,
    };
    let raw = read_secret(source, "verification code")?;
    let code = VerificationCode::parse(&raw)
        .map_err(|e| CliError::Usage(format!("the verification code {e}; nothing was sent")))?;
    let ctx = Context::load(global)?;
    let engine = ctx.engine(ctx.profile_for(&id, global)?)?;
    block_on(engine.verify_code(&id, &code))?
        .map_err(|e| CliError::mutation("POST /verify_code", e))?;
    finish(
        args.json,
        &id,
        "verify-code",
        "Ownership verified: the number can now be registered.",
    )
}

/// At the limit the command refuses (exit 2, nothing sent) unless `--force`.
fn check_budget(
    engine: &Engine,
    id: &NumberId,
    op: Operation,
    force: bool,
) -> Result<(), CliError> {
    let budget = engine.budget(id, op).map_err(|e| {
        CliError::Local(format!(
            "cannot read the audit trail {}: {e}",
            engine.audit.path().display()
        ))
    })?;
    if budget.exhausted() && !force {
        return Err(CliError::Usage(format!(
            "refusing to {op} {id}: {}. Meta locks a number for 72 hours on the 11th request in its window. Nothing was sent; add --force to send anyway.",
            budget_line(&budget, &engine.policy)
        )));
    }
    if budget.exhausted() {
        eprintln!(
            "warning: the {op} budget for {id} is used up; sending anyway because of --force"
        );
    }
    Ok(())
}

fn run_plan(
    engine: &Engine,
    id: &NumberId,
    plan: &[Step],
    pin: Option<&Pin>,
    forced: bool,
    done_word: &str,
    json: bool,
) -> Result<(), CliError> {
    let reports = block_on(engine.run_plan(id, plan, pin, forced, |_, _| {}))?;
    let op = plan
        .iter()
        .rev()
        .map(Step::operation)
        .find(|o| o.is_budgeted());
    let budget = op.and_then(|op| engine.budget(id, op).ok().map(|b| (op, b)));
    let steps: Vec<Value> = reports.iter().map(step_json).collect();

    let Some(failed) = reports.iter().find(|r| r.result.is_err()) else {
        if json {
            let mut out = json!({"ok": true, "number": id, "result": done_word, "steps": steps});
            if let Some((op, b)) = &budget {
                out["budget"] = json!({op.as_str(): budget_json(b)});
            }
            print_json(&out);
        } else {
            println!("{id} {done_word}.");
            for r in &reports {
                println!("  {:<40} ok", r.step.describe());
            }
            if let Some((op, b)) = &budget {
                println!("{op} budget: {}", budget_line(b, &engine.policy));
            }
        }
        return Ok(());
    };

    let call = failed.step.describe();
    let Err(error) = &failed.result else {
        unreachable!("found as an error above")
    };
    if error.outcome_unknown() {
        // Never retried: say so, then read what actually happened.
        let status = match block_on(engine.client.get_number(id))? {
            Ok(n) => format!(
                "the number's status now reads {}",
                n.status
                    .map(|s| s.to_string())
                    .unwrap_or_else(|| "(not given)".into())
            ),
            Err(e) => format!("reading the number's status failed too: {}", e.short()),
        };
        let message = format!(
            "the outcome of {call} is unknown: {error}. It may or may not have happened; wareg does not retry it. {status}. Check with `wareg status {id}` before trying again."
        );
        return Err(CliError::Unknown {
            message,
            steps: Value::Array(steps),
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
    let done: Vec<String> = reports
        .iter()
        .filter(|r| r.result.is_ok())
        .map(|r| r.step.describe())
        .collect();
    if !done.is_empty() {
        context.push_str(&format!(" after {} succeeded", done.join(", ")));
    }
    Err(match error {
        crate::engine::MutationError::Audit(why) => CliError::Local(why.clone()),
        crate::engine::MutationError::Api(api) => CliError::api(context, api.clone()),
    })
}

fn step_json(report: &StepReport) -> Value {
    let result = match &report.result {
        Ok(()) => json!("ok"),
        Err(e) if e.outcome_unknown() => json!("unknown"),
        Err(_) => json!("error"),
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
        println!("{message}");
    }
    Ok(())
}
