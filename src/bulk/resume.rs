//! Resuming a bulk run after a crash or a quit: what finished stays finished; what never
//! started is planned again from a fresh read; what was interrupted is never re-sent blindly:
//! the number is read, this desk's open intent on it is closed as "unknown" (it still counts),
//! and the action's plan from the live state says what is left. Where a read cannot tell
//! whether the interrupted call happened (a re-register or a PIN change leaves a number
//! looking the same), the number is "unknown" and is sent again only when asked for.
//!
//! A journal can lose lines and still hold together (put back to an earlier copy, tip and
//! all). So a number it says never started is checked against the ledger first: if the run
//! began an attempt on it, the journal lost that, and the number is treated as interrupted
//! (read back first, never re-sent blindly), with the attempt named.

use futures::StreamExt;
use std::collections::HashMap;

use super::journal::{JournalState, NumberState};
use super::plan::{gathering_storage, keep_gathered, plan_one};
use super::{PlannedRow, RowPlan, Target};
use crate::config::ProfileName;
use crate::engine::{Engine, RunAttempt};
use crate::fleet::READ_CONCURRENCY;
use crate::graph::{NumberId, StorageChoice};

/// What a resume does with one number.
#[derive(Debug, Clone)]
pub enum ResumeChoice {
    /// Send this plan.
    Run(PlannedRow),
    /// Already finished (before, or as the fresh read shows now).
    Done(String),
    /// Cannot be told from a read; left until the user asks to send it again.
    Unknown(String),
    /// Finished earlier as failed, refused or skipped: left as it is.
    Keep(NumberState),
    /// Not started, and not sent this time either: why (the ledger could not be asked what
    /// the run sent it).
    Left(String),
}

/// Decides every number of the journal's run.
pub async fn resume_rows(
    state: &JournalState,
    engines: &HashMap<ProfileName, Engine>,
    storage: StorageChoice,
    force: bool,
    resend_unknown: bool,
) -> Vec<(String, ResumeChoice)> {
    // A number the run left deregistered against its plan (its register refused after the
    // deregister went through) is planned again from its live state: the results say
    // "wareg bulk resume ID" brings it back.
    let deregistered: std::collections::HashSet<String> = super::result::results(state)
        .into_iter()
        .filter(|r| r.left_deregistered())
        .map(|r| r.number)
        .collect();
    // Read as many at a time as a plan reads (the fleet's reads), in the journal's order, and
    // what they read of storage kept in one write at the end.
    let (engines, batches) = gathering_storage(engines);
    let engines = &engines;
    let how = Resuming {
        state,
        engines,
        storage,
        force,
        resend_unknown,
    };
    let decisions = state.numbers.iter().map(|(number, profile, was)| {
        let deregistered = &deregistered;
        async move {
            let choice = match was {
                NumberState::Failed | NumberState::Refused if deregistered.contains(number) => {
                    decide(how, number, profile, *was).await
                }
                NumberState::Done => ResumeChoice::Done("done before".into()),
                NumberState::NotStarted => {
                    match lost_attempt(number, profile, state, engines).await {
                        Err(why) => ResumeChoice::Left(why),
                        // The journal lost that the run sent it something: as if interrupted.
                        Ok(Some(lost)) => decide_lost(how, number, profile, &lost).await,
                        Ok(None) => decide(how, number, profile, *was).await,
                    }
                }
                NumberState::Interrupted => decide(how, number, profile, *was).await,
                NumberState::Unknown if resend_unknown => decide(how, number, profile, *was).await,
                other => ResumeChoice::Keep(*other),
            };
            (number.clone(), choice)
        }
    });
    let choices = futures::stream::iter(decisions)
        .buffered(READ_CONCURRENCY)
        .collect()
        .await;
    keep_gathered(engines, &batches).await;
    choices
}

/// What every number of one resume is decided with: the run, its engines and the flags given.
#[derive(Clone, Copy)]
struct Resuming<'a> {
    state: &'a JournalState,
    engines: &'a HashMap<ProfileName, Engine>,
    storage: StorageChoice,
    force: bool,
    resend_unknown: bool,
}

async fn decide(how: Resuming<'_>, number: &str, profile: &str, was: NumberState) -> ResumeChoice {
    let Resuming {
        state,
        engines,
        storage,
        force,
        resend_unknown,
    } = how;
    let (Ok(id), Some(engine)) = (NumberId::parse(number), engines.get(profile)) else {
        return ResumeChoice::Keep(was);
    };
    let interrupted = matches!(was, NumberState::Interrupted | NumberState::Unknown);
    if interrupted {
        let why = format!(
            "interrupted in bulk run {}; closed on resume after reading the number",
            state.id
        );
        if let Err(e) = engine.close_own_open_intents(&id, &why).await {
            return ResumeChoice::Unknown(format!("cannot close the interrupted attempt: {e}"));
        }
        if !state.action.readable_on_resume() && !resend_unknown {
            return ResumeChoice::Unknown(format!(
                "a {} was interrupted and the number's state cannot tell whether it happened; resume with --resend-unknown to send it again",
                state.action.words()
            ));
        }
    }
    let target = Target {
        id,
        profile: profile.into(),
        label: None,
    };
    match plan_one(engine, target, state.action, storage, None, force).await {
        Some(PlannedRow {
            plan: RowPlan::Skip(reason),
            ..
        }) if reason.starts_with("already") => ResumeChoice::Done(format!("found done: {reason}")),
        Some(row) => ResumeChoice::Run(row),
        None => ResumeChoice::Keep(was),
    }
}

/// The newest attempt the run began on a number its journal says never started: what the
/// journal lost. An error when the ledger cannot tell.
async fn lost_attempt(
    number: &str,
    profile: &str,
    state: &JournalState,
    engines: &HashMap<ProfileName, Engine>,
) -> Result<Option<RunAttempt>, String> {
    let (Ok(id), Some(engine)) = (NumberId::parse(number), engines.get(profile)) else {
        // Nothing can be sent to it either (`decide` keeps it).
        return Ok(None);
    };
    let attempts = engine.attempts_of_run(&id, &state.id).await.map_err(|e| {
        format!(
            "left out: the ledger cannot be asked what bulk run {} sent it ({e}); nothing was sent to it",
            state.id
        )
    })?;
    Ok(attempts.into_iter().next_back())
}

/// A number the journal says never started though the run began `lost` on it: the journal
/// lost lines. It is read back first, as an interrupted number is; only this run's open
/// intents on it are closed (another change of it at this desk may be in progress now).
async fn decide_lost(
    how: Resuming<'_>,
    number: &str,
    profile: &str,
    lost: &RunAttempt,
) -> ResumeChoice {
    let Resuming {
        state,
        engines,
        resend_unknown,
        ..
    } = how;
    let (Ok(id), Some(engine)) = (NumberId::parse(number), engines.get(profile)) else {
        return ResumeChoice::Keep(NumberState::NotStarted);
    };
    let ended = match lost.outcome {
        None => "with no outcome".to_owned(),
        Some(outcome) => format!("which ended {}", outcome.as_str()),
    };
    let what = format!(
        "the ledger has a {} of it that bulk run {} began at {} ({}) {ended}, and the run's journal does not show it starting: the journal lost lines (cut, or put back to an earlier copy)",
        lost.op,
        state.id,
        crate::clock::words_utc(lost.time),
        lost.operator,
    );
    if lost.outcome.is_none() {
        let why = format!(
            "begun by bulk run {}, whose journal does not show it; closed on resume after reading the number",
            state.id
        );
        if let Err(e) = engine.close_open_intents_of_run(&id, &state.id, &why).await {
            return ResumeChoice::Unknown(format!("{what}; cannot close that attempt: {e}"));
        }
    }
    if !state.action.readable_on_resume() && !resend_unknown {
        return ResumeChoice::Unknown(format!(
            "{what}; whether a {} happened cannot be told from the number's state: resume with --resend-unknown to send it again",
            state.action.words()
        ));
    }
    match decide(how, number, profile, NumberState::NotStarted).await {
        ResumeChoice::Done(why) => ResumeChoice::Done(format!("{why} ({what})")),
        other => other,
    }
}
