//! `wareg bulk register|reregister|region|deregister|set-pin`, `bulk resume ID`, `bulk show ID`.
//! The plan is always printed first; `--dry-run` stops there, `--yes` sends it. Exit codes:
//! 0 all done, 1 some Meta errors, 2 refused before sending, 3 some outcomes unknown.

use serde_json::{Value, json};
use std::collections::HashMap;

use super::args::{BulkArgs, BulkCommand, BulkPins, BulkResumeArgs, Global};
use super::context::{Context, block_on};
use super::error::CliError;
use super::output::print_json;
use super::progress::Progress;
use super::secret_input::{SecretSource, read_secret};
use crate::audit::Operation;
use crate::bulk::journal::begin;
use crate::bulk::{
    Action, BulkPlan, Choice, Entry, Journal, NumberResult, NumberState, PinSource, PlannedRow,
    ResumeChoice, RowPlan, RunOptions, Sealing, StopSignal, Summary, Target, plan_all, resume_rows,
    run, storage_of,
};
use crate::config::ProfileName;
use crate::engine::Engine;
use crate::fleet::filter::{Filter, glob_matches};
use crate::graph::{NumberId, StorageChoice};
use crate::secret::Pin;

pub fn run_command(global: &Global, command: BulkCommand) -> Result<(), CliError> {
    match command {
        BulkCommand::Register(a) => start(global, Action::Register, a),
        BulkCommand::Reregister(a) => start(global, Action::Reregister, a),
        BulkCommand::Region(a) => start(global, Action::Region, a),
        BulkCommand::Deregister(a) => start(global, Action::Deregister, a),
        BulkCommand::SetPin(a) => start(global, Action::SetPin, a),
        BulkCommand::Resume(a) => resume(global, a),
        BulkCommand::Show { id, json } => show(global, &id, json),
    }
}

fn start(global: &Global, action: Action, args: BulkArgs) -> Result<(), CliError> {
    let storage = match (args.region, args.no_region) {
        (Some(r), _) => StorageChoice::Region(r),
        (None, true) => StorageChoice::Off,
        (None, false) => StorageChoice::Keep,
    };
    if action == Action::Region && args.region.is_none() {
        return Err(CliError::Usage(
            "bulk region needs --region CC (the region to move the numbers' storage to)".into(),
        ));
    }
    let filter = args
        .filter
        .as_deref()
        .map(Filter::parse)
        .transpose()
        .map_err(CliError::Usage)?;
    let ctx = Context::load(global)?;
    let (targets, looked_at) = targets(&ctx, &args)?;
    // The PIN is read before anything is sent, and not at all for a dry run.
    let pins = if args.dry_run {
        PinSource::None
    } else {
        pins(&ctx, action, &args.pin, &targets)?
    };
    let engines = engines(&ctx, targets.iter().map(|t| t.profile.as_str()))?;
    let concurrency = usize::from(args.concurrency);
    let planning = Progress::spinner(format!(
        "bulk {}: reading {} to plan",
        action.words(),
        crate::plural::count(targets.len(), "number")
    ));
    let plan = block_on(plan_all(
        &engines,
        targets,
        action,
        storage,
        filter.as_ref(),
        args.force,
    ))?;
    planning.finish();
    let choice = (args.filter.is_some() || args.label.is_some()).then(|| Choice {
        looked_at,
        matched: plan.rows.len(),
        configured: args.ids.is_none(),
        discovered: ctx
            .known()
            .iter()
            .filter(|k| NumberId::parse(&k.id).is_ok_and(|id| ctx.config.number(&id).is_none()))
            .count(),
    });
    let region = match storage {
        StorageChoice::Region(r) => Some(r.code().to_owned()),
        StorageChoice::Off => Some("off".to_owned()),
        StorageChoice::Keep => None,
    };
    if !args.dry_run && args.yes && plan.to_send().next().is_none() {
        print_plan(action, &plan, concurrency, choice.as_ref());
        let why = if plan.rows.is_empty() {
            "the filter matched no number (see above)"
        } else {
            "every chosen number was left out (see above)"
        };
        return Err(CliError::Usage(format!(
            "nothing to send: {why}; no bulk run was started"
        )));
    }
    if args.dry_run || !args.yes {
        if args.json {
            print_json(&plan_json(
                action,
                &plan,
                concurrency,
                None,
                choice.as_ref(),
            ));
        } else {
            print_plan(action, &plan, concurrency, choice.as_ref());
        }
        if args.dry_run {
            return Ok(());
        }
        return Err(CliError::Usage(format!(
            "nothing was sent: add --yes to send this plan to {} (or --dry-run to only plan)",
            crate::plural::count(plan.to_send().count(), "number")
        )));
    }
    let operator = engines
        .values()
        .next()
        .map(|e| e.operator.clone())
        .unwrap_or_default();
    let (id, journal) = begin(&ctx.data_dir, action, region, &operator, &plan)
        .map_err(|e| CliError::Local(format!("cannot write the bulk journal: {e}")))?;
    let _claim = claim(&journal, &id)?;
    if !args.json {
        print_plan(action, &plan, concurrency, choice.as_ref());
        eprintln!(
            "bulk run {id} started (journal {})",
            journal.path().display()
        );
    }
    let options = RunOptions {
        concurrency,
        max_failures: args.max_failures.max(1),
        force: args.force,
        ..RunOptions::default()
    };
    let progress = run_progress(&pins, plan.to_send().count(), action);
    let stop = options.stop.clone();
    let summary = block_on(stopped_by_ctrl_c(
        &stop,
        &progress,
        run(
            plan.rows.clone(),
            &engines,
            &pins,
            &journal,
            options,
            &per_number(&progress, args.json),
        ),
    ))?;
    progress.finish();
    finish(
        &id,
        action,
        &summary,
        args.json,
        Some(plan_json(
            action,
            &plan,
            concurrency,
            Some(&id),
            choice.as_ref(),
        )),
    )
}

fn resume(global: &Global, args: BulkResumeArgs) -> Result<(), CliError> {
    let ctx = Context::load(global)?;
    let journal = Journal::open(&ctx.data_dir, &args.id).map_err(CliError::Usage)?;
    // Two resumes of one run would both read, close and send for the same numbers.
    let _claim = claim(&journal, &args.id)?;
    let state = journal.read().map_err(|e| {
        CliError::Usage(format!(
            "bulk run {} cannot be resumed: {e}; nothing was sent",
            args.id
        ))
    })?;
    // A resume sends what the journal says: only one sealed by this data dir is followed.
    if state.sealing == Sealing::Unsealed {
        return Err(CliError::Usage(format!(
            "bulk run {id} was written by an earlier wareg, which did not seal its journals: it cannot be resumed, since its action and numbers could have been changed. `wareg bulk show {id}` shows it; start a new run for what is left; nothing was sent",
            id = args.id
        )));
    }
    let engines = engines(&ctx, state.numbers.iter().map(|(_, p, _)| p.as_str()))?;
    let storage = storage_of(state.region.as_deref());
    let choices = block_on(resume_rows(
        &state,
        &engines,
        storage,
        false,
        args.resend_unknown,
    ))?;
    let mut to_run: Vec<PlannedRow> = Vec::new();
    for (number, choice) in &choices {
        let line = match choice {
            ResumeChoice::Run(row) => {
                to_run.push(row.clone());
                format!("to send: {}", row.calls().join(", "))
            }
            ResumeChoice::Done(why) => why.clone(),
            ResumeChoice::Unknown(why) => format!("unknown: {why}"),
            ResumeChoice::Keep(state) => format!("{} earlier: left as it is", state.words()),
            ResumeChoice::Left(why) => why.clone(),
        };
        if !args.json {
            say!("  {number}: {line}");
        }
    }
    for (number, choice) in &choices {
        match choice {
            ResumeChoice::Done(why) => write(
                &journal,
                &Entry::Finished {
                    number: number.clone(),
                    state: NumberState::Done,
                    message: Some(why.clone()),
                },
            )?,
            ResumeChoice::Unknown(why) => write(
                &journal,
                &Entry::Finished {
                    number: number.clone(),
                    state: NumberState::Unknown,
                    message: Some(why.clone()),
                },
            )?,
            _ => {}
        }
    }
    if to_run.is_empty() && !args.yes {
        say!("nothing is left to send in bulk run {}", state.id);
    }
    if !args.yes && !to_run.is_empty() {
        return Err(CliError::Usage(format!(
            "nothing was sent: add --yes to send what is left of bulk run {} ({})",
            state.id,
            crate::plural::count(to_run.len(), "number")
        )));
    }
    let pins = if to_run.is_empty() {
        PinSource::None
    } else {
        let targets: Vec<Target> = to_run.iter().map(|r| r.target.clone()).collect();
        pins(&ctx, state.action, &args.pin, &targets)?
    };
    let options = RunOptions {
        concurrency: usize::from(args.concurrency),
        max_failures: args.max_failures.max(1),
        force: false,
        ..RunOptions::default()
    };
    let progress = run_progress(&pins, to_run.len(), state.action);
    let stop = options.stop.clone();
    let mut summary = block_on(stopped_by_ctrl_c(
        &stop,
        &progress,
        run(
            to_run,
            &engines,
            &pins,
            &journal,
            options,
            &per_number(&progress, args.json),
        ),
    ))?;
    progress.finish();
    for (number, choice) in choices {
        match choice {
            ResumeChoice::Done(why) => summary.numbers.push((number, NumberState::Done, Some(why))),
            ResumeChoice::Unknown(why) => {
                summary
                    .numbers
                    .push((number, NumberState::Unknown, Some(why)))
            }
            // What ended badly before still counts in the summary and the exit code.
            ResumeChoice::Keep(earlier) => summary.numbers.push((
                number,
                earlier,
                Some(format!("{} earlier; left as it is", earlier.words())),
            )),
            // Not started yet: it counts as such (exit 2), and a later resume asks again.
            ResumeChoice::Left(why) => {
                summary
                    .numbers
                    .push((number, NumberState::NotStarted, Some(why)))
            }
            ResumeChoice::Run(_) => {}
        }
    }
    if summary.results.is_empty() {
        // Nothing was left to run: the journal says how every number stands all the same.
        if let Ok(read) = journal.read() {
            summary.results = crate::bulk::result::results(&read);
        }
    }
    finish(&state.id, state.action, &summary, args.json, None)
}

/// Runs a bulk with Ctrl-C asking it to stop, as the TUI's Esc does: the run journals
/// `stopping`, lets every number in flight finish its plan (a region change is never left
/// between deregister and register), starts no other and journals `stopped`. A second
/// Ctrl-C says so again; only a kill ends it sooner (and `bulk resume` reads what it left).
async fn stopped_by_ctrl_c<F: std::future::Future>(
    stop: &StopSignal,
    progress: &Progress,
    run: F,
) -> F::Output {
    let listen = async {
        loop {
            if tokio::signal::ctrl_c().await.is_err() {
                // No handler could be installed: Ctrl-C keeps its default.
                std::future::pending::<()>().await;
            }
            let first = stop.request("stopped by Ctrl-C");
            progress.eprintln(if first {
                "stopping: the numbers in flight finish their plans, no other number starts (Ctrl-C again changes nothing; wareg bulk resume continues later)"
            } else {
                "still stopping: waiting for the numbers in flight to finish their plans"
            });
        }
    };
    // The listener is polled first, so Ctrl-C is ours before the run sends anything.
    let (listen, run) = (std::pin::pin!(listen), std::pin::pin!(run));
    match futures::future::select(listen, run).await {
        futures::future::Either::Left(((), run)) => run.await,
        futures::future::Either::Right((out, _)) => out,
    }
}

fn show(global: &Global, id: &str, as_json: bool) -> Result<(), CliError> {
    // Showing a run reads only: no data dir is made for it.
    let Some(data_dir) = super::context::existing_data_dir()? else {
        return Err(CliError::Usage(format!(
            "there is no bulk run `{id}`: no run has been journaled here yet"
        )));
    };
    let _ = global;
    let journal = Journal::open(&data_dir, id).map_err(CliError::Usage)?;
    let state = journal
        .read()
        .map_err(|e| CliError::Local(format!("cannot read the bulk journal: {e}")))?;
    if state.sealing == Sealing::Unsealed {
        eprintln!(
            "note: bulk run {id} was written by an earlier wareg: its journal is not sealed, so it is shown as it is and cannot be resumed"
        );
    }
    let results = crate::bulk::result::results(&state);
    if as_json {
        let profile_of = |number: &str| {
            state
                .numbers
                .iter()
                .find(|(n, _, _)| n == number)
                .map(|(_, p, _)| p.clone())
        };
        print_json(&json!({
            "id": state.id,
            "action": state.action,
            "region": state.region,
            "created": state.created,
            "stopping": state.stopping,
            "stopped": state.stopped,
            "numbers": results.iter().map(|r| {
                let mut doc = result_json(r);
                doc["profile"] = json!(profile_of(&r.number));
                doc
            }).collect::<Vec<_>>(),
            "skipped": skipped_of(&state).iter().map(|(n, name, why)| json!({"number": n, "name": name, "reason": why})).collect::<Vec<_>>(),
            "entries": state.entries,
        }));
        return Ok(());
    }
    say!(
        "bulk run {}: {} of {}, started {}",
        state.id,
        state.action.words(),
        crate::plural::count(state.numbers.len(), "number"),
        super::output::local_time(state.created)
    );
    for result in &results {
        say!("  {}", result.line());
    }
    for (_, name, why) in skipped_of(&state) {
        say!("  {name}: left out: {why}");
    }
    match (&state.stopping, &state.stopped) {
        (_, Some(reason)) => say!("  {reason}"),
        // Decided, and the numbers in flight had not all ended (or the run was killed then).
        (Some(reason), None) => say!("  stopping, and not seen to the end: {reason}"),
        (None, None) => {}
    }
    Ok(())
}

/// The numbers a run left out: (id, how people name it, why).
fn skipped_of(state: &crate::bulk::JournalState) -> Vec<(String, String, String)> {
    state
        .entries
        .iter()
        .filter_map(|entry| match entry {
            Entry::Skipped {
                number,
                reason,
                label,
                display,
            } => {
                let name = NumberResult {
                    number: number.clone(),
                    label: label.clone(),
                    display: display.clone(),
                    state: NumberState::Skipped,
                    steps: Vec::new(),
                    message: None,
                    left: String::new(),
                }
                .name();
                Some((number.clone(), name, reason.clone()))
            }
            _ => None,
        })
        .collect()
}

/// A number's result as `--json` gives it (`bulk show` and the end of a run alike): the
/// journal's words, and `message` the whole of how it ended.
fn result_json(result: &NumberResult) -> Value {
    json!({
        "number": result.number,
        "label": result.label,
        "display": result.display,
        "state": result.state,
        "steps": result.steps,
        "left": result.left,
        "line": result.line(),
        "message": result.whole_message(),
    })
}

/// The chosen numbers: the ids file (else every configured number), narrowed by the label
/// glob; the filter is applied to the live reads while planning. Choosing nothing is refused:
/// a bulk run never means "all" by accident.
/// The numbers chosen, and how many the choice looked at (the `--ids` file's, else the
/// config's) before `--label` kept some.
fn targets(ctx: &Context, args: &BulkArgs) -> Result<(Vec<Target>, usize), CliError> {
    if args.ids.is_none() && args.label.is_none() && args.filter.is_none() {
        return Err(CliError::Usage(
            "choose the numbers with --ids FILE, --label GLOB or --filter EXPR".into(),
        ));
    }
    let config = &ctx.config;
    let mut targets: Vec<Target> = match &args.ids {
        Some(file) => {
            let text =
                crate::private_file::read_named_text_capped(file, crate::private_file::cap::IDS)
                    .map_err(|e| {
                        CliError::Usage(format!(
                            "cannot read {}: {e}; nothing was sent",
                            file.display()
                        ))
                    })?;
            let mut seen = std::collections::HashSet::new();
            let mut out = Vec::new();
            for (n, line) in text.lines().enumerate() {
                // A byte-order mark (Windows exports) is not part of the first id.
                let line = line.trim_start_matches('\u{feff}');
                let line = line.split('#').next().unwrap_or_default().trim();
                if line.is_empty() {
                    continue;
                }
                let id = NumberId::parse(line)
                    .map_err(|e| CliError::Usage(format!("{}:{}: {e}", file.display(), n + 1)))?;
                if !seen.insert(id.clone()) {
                    continue;
                }
                let entry = config.number(&id);
                // A number the config does not list is read through the profile whose listing
                // last showed it, as `wareg register ID` would (else the default).
                let profile = ctx
                    .profile_for(&id, &Global::default())
                    .map(|p| p.name.clone())
                    .unwrap_or_else(|_| config.default_profile.clone());
                out.push(Target {
                    profile,
                    label: entry.and_then(|e| e.label.clone()),
                    id,
                });
            }
            out
        }
        None => config
            .numbers
            .iter()
            .map(|n| Target {
                id: n.id.clone(),
                profile: n.profile.clone(),
                label: n.label.clone(),
            })
            .collect(),
    };
    let looked_at = targets.len();
    if let Some(glob) = &args.label {
        targets.retain(|t| t.label.as_deref().is_some_and(|l| glob_matches(glob, l)));
    }
    if targets.is_empty() {
        return Err(CliError::Usage(
            "no number is chosen: check --ids, --label and the config's [[numbers]]".into(),
        ));
    }
    Ok((targets, looked_at))
}

/// One engine per profile in use; every token is read now, before anything is sent.
fn engines<'a>(
    ctx: &Context,
    profiles: impl Iterator<Item = &'a str>,
) -> Result<HashMap<ProfileName, Engine>, CliError> {
    let mut engines = HashMap::new();
    for name in profiles {
        if engines.contains_key(name) {
            continue;
        }
        let profile = ctx
            .config
            .profile(name)
            .ok_or_else(|| CliError::Usage(format!("there is no profile named `{name}`")))?;
        engines.insert(name.into(), ctx.engine(profile)?);
    }
    Ok(engines)
}

fn pins(
    ctx: &Context,
    action: Action,
    given: &BulkPins,
    targets: &[Target],
) -> Result<PinSource, CliError> {
    if !action.needs_pin() {
        return Ok(PinSource::None);
    }
    let one = |source: SecretSource| -> Result<PinSource, CliError> {
        let raw = read_secret(source, "PIN for every number")?;
        let pin = Pin::parse(&raw)
            .map_err(|e| CliError::Usage(format!("the PIN {e}; nothing was sent")))?;
        Ok(PinSource::One(pin))
    };
    if given.pin_stdin {
        return one(SecretSource::Stdin);
    }
    if let Some(var) = &given.pin_env {
        return one(SecretSource::Env(var));
    }
    if given.pin_command {
        let mut commands = targets
            .iter()
            .filter_map(|t| ctx.config.profile(&t.profile))
            .map(|p| (p.name.clone(), p.pin_command.clone(), p.token_timeout));
        let Some((name, Some(argv), timeout)) = commands.next() else {
            return Err(CliError::Usage(
                "--pin-command needs pin_command = [\"pass\", \"show\", \"whatsapp/{id}\"] in the numbers' profile".into(),
            ));
        };
        if commands.any(|(_, other, _)| other.as_ref() != Some(&argv)) {
            return Err(CliError::Usage(format!(
                "the chosen numbers' profiles have different pin_command settings; run one bulk per profile (profile `{name}` first)"
            )));
        }
        return Ok(PinSource::PerNumber { argv, timeout });
    }
    Err(CliError::Usage(format!(
        "a bulk {} needs PINs: --pin-stdin or --pin-env VAR (one PIN for all), or --pin-command (the profile's pin_command per number)",
        action.words()
    )))
}

/// This process's hold on the run, or exit 2 when another wareg runs it now.
fn claim(journal: &Journal, id: &str) -> Result<crate::flock::FileLock, CliError> {
    journal
        .claim()
        .map_err(|e| CliError::Local(format!("cannot lock bulk run {id}: {e}")))?
        .ok_or_else(|| {
            CliError::Usage(format!(
                "bulk run {id} is being run or resumed by another wareg right now; nothing was sent"
            ))
        })
}

fn write(journal: &Journal, entry: &Entry) -> Result<(), CliError> {
    journal
        .write(entry)
        .map_err(|e| CliError::Local(format!("cannot write the bulk journal: {e}")))
}

fn name_of(row: &PlannedRow) -> String {
    match &row.target.label {
        Some(label) => format!("{} ({label})", row.target.id),
        None => row.target.id.to_string(),
    }
}

fn print_plan(action: Action, plan: &BulkPlan, concurrency: usize, choice: Option<&Choice>) {
    let sending: Vec<&PlannedRow> = plan.to_send().collect();
    let left_out: Vec<&PlannedRow> = plan
        .rows
        .iter()
        .filter(|r| matches!(r.plan, RowPlan::Skip(_)))
        .collect();
    say!(
        "Bulk {}: {} to send, {} left out",
        action.words(),
        crate::plural::count(sending.len(), "number"),
        left_out.len()
    );
    if let Some(words) = choice.and_then(Choice::words) {
        say!("  {words}");
    }
    if !sending.is_empty() {
        say!(
            "  {:<40} {:<14} {:>10}  CALLS",
            "NUMBER",
            "PLAN",
            "LEFT AFTER"
        );
        for row in &sending {
            say!(
                "  {:<40} {:<14} {:>10}  {}{}",
                crate::clean::text(&name_of(row), 40),
                row.kind(),
                row.budget_after(),
                row.calls().join(", "),
                row.next
                    .as_ref()
                    .map(|n| format!("  (next: {})", n.step))
                    .unwrap_or_default()
            );
        }
    }
    if let Some(note) = plan.cap_note(action) {
        say!("  note: {note}");
    }
    for row in &left_out {
        if let RowPlan::Skip(reason) = &row.plan {
            say!(
                "  left out {}: {reason}",
                crate::clean::text(&name_of(row), 60)
            );
        }
    }
    say!(
        "  total: {} at {concurrency} at a time",
        plan.totals(concurrency)
    );
    if let Some(warning) = plan.pin_warning() {
        say!("  note: {warning}");
    }
}

fn attempts(plan: &BulkPlan) -> (u32, u32) {
    let spent = plan.attempts();
    let of = |op| spent.iter().find(|(o, _)| *o == op).map_or(0, |(_, n)| *n);
    (of(Operation::Register), of(Operation::Deregister))
}

fn plan_json(
    action: Action,
    plan: &BulkPlan,
    concurrency: usize,
    id: Option<&str>,
    choice: Option<&Choice>,
) -> Value {
    let (register, deregister) = attempts(plan);
    let chosen = choice.map(|c| {
        json!({
            "looked_at": c.looked_at,
            "from": if c.configured { "config" } else { "ids" },
            "matched": c.matched,
            "discovered_not_included": if c.configured { c.discovered } else { 0 },
            "words": c.words(),
        })
    });
    json!({
        "chosen": chosen,
        "bulk": id,
        "action": action,
        "plans": plan.to_send().map(|row| json!({
            "number": row.target.id,
            "label": row.target.label,
            "profile": row.target.profile,
            "plan": row.kind(),
            "calls": row.calls(),
            "left_after": row.budget_after(),
            "status": row.status,
            "next": row.next,
        })).collect::<Vec<_>>(),
        "notes": plan.cap_note(action).into_iter().collect::<Vec<_>>(),
        "left_out": plan.rows.iter().filter_map(|row| match &row.plan {
            RowPlan::Skip(reason) => Some(json!({"number": row.target.id, "label": row.target.label, "reason": reason})),
            _ => None,
        }).collect::<Vec<_>>(),
        "pin_warning": plan.pin_warning(),
        "totals": {
            "numbers": plan.to_send().count(),
            "requests": plan.requests(),
            "register_attempts": register,
            "deregister_attempts": deregister,
            "estimate_secs": plan.estimate(concurrency).as_secs(),
        },
    })
}

/// Per-number lines on stderr (stdout stays the result), written above the progress line so
/// that neither cuts into the other; the count moves as each number ends.
fn per_number(progress: &Progress, json: bool) -> impl Fn(&str, NumberState) + Sync + '_ {
    move |number: &str, state: NumberState| {
        // Interrupted is what a number is while it is worked on: it has not ended yet.
        if state == NumberState::Interrupted {
            return;
        }
        progress.inc();
        if !json {
            progress.eprintln(&format!("  {number}: {}", state.words()));
        }
    }
}

/// The run's progress line: the action and a count, never a PIN. None for PINs from a
/// pin_command, which may ask on the terminal itself (a pinentry): a line redrawn under its
/// prompt would garble it.
fn run_progress(pins: &PinSource, numbers: usize, action: Action) -> Progress {
    if matches!(pins, PinSource::PerNumber { .. }) {
        return Progress::hidden();
    }
    Progress::counter(
        numbers as u64,
        format!("bulk {}: numbers ended", action.words()),
    )
}

fn finish(
    id: &str,
    action: Action,
    summary: &Summary,
    as_json: bool,
    plan: Option<Value>,
) -> Result<(), CliError> {
    let code = summary.exit_code();
    let results = summary.results_or_bare(action, id);
    if as_json {
        let mut doc = json!({
            "ok": code == 0,
            "bulk": id,
            "exit_code": code,
            "stopped": summary.stopped,
            "numbers": results.iter().map(result_json).collect::<Vec<_>>(),
        });
        if let Some(plan) = plan {
            doc["plan"] = plan;
        }
        print_json(&doc);
    } else {
        say!("Bulk run {id}:");
        for line in summary.tally() {
            say!("  {line}");
        }
        for result in &results {
            say!("  {}", result.line());
        }
        if let Some(reason) = &summary.stopped {
            say!("  {reason}");
        }
        if summary.count(NumberState::NotStarted) > 0
            || summary.count(NumberState::Unknown) > 0
            || results.iter().any(NumberResult::left_deregistered)
        {
            say!("  continue with: wareg bulk resume {id} --yes");
        }
    }
    match code {
        0 => Ok(()),
        code => Err(CliError::BulkEnded {
            id: id.to_owned(),
            code,
        }),
    }
}
