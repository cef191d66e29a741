//! Running a bulk plan: `concurrency` numbers at a time, each through the engine (budget gate
//! under the ledger's lock, audit, no retries). It stops starting new numbers after
//! `max_failures` failures, at once on a systemic error (the token, a locked account, 133016
//! on two numbers, a throttle, the network gone), or when a stop is asked for from outside
//! (`RunOptions::stop`). A stop is journaled twice: `stopping` when it is decided (no number
//! starts after that line), `stopped` once the last number in flight has finished its plan
//! (nothing is sent after that line).

use crate::config::ProfileName;
use crate::graph::codes;
use futures::StreamExt;
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::journal::{Entry, Journal, NumberState};
use super::result::NumberResult;
use super::{PinSource, PlannedRow, RowPlan, StopSignal};
use crate::engine::{Blocker, Engine, MutationError};
use crate::graph::{ApiError, MutationOutcome};

#[derive(Debug, Clone)]
pub struct RunOptions {
    pub concurrency: usize,
    pub max_failures: usize,
    /// Overridable blockers were accepted when planning (`--force`): the intents record it.
    pub force: bool,
    /// Asked from outside (the TUI's Esc, Ctrl-C in the CLI) to stop: numbers in flight
    /// finish their plans, no new one starts, and `wareg bulk resume` continues later.
    pub stop: StopSignal,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            concurrency: 4,
            max_failures: 3,
            force: false,
            stop: StopSignal::default(),
        }
    }
}

/// How a run ended, number by number.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// (number, state, what happened / what to do)
    pub numbers: Vec<(String, NumberState, Option<String>)>,
    pub stopped: Option<String>,
    /// Every number of the run's journal as it tells it once the run ended (empty when the
    /// journal could not be read back: then `numbers` is all there is).
    pub results: Vec<NumberResult>,
}

impl Summary {
    pub fn count(&self, state: NumberState) -> usize {
        self.numbers.iter().filter(|(_, s, _)| *s == state).count()
    }

    /// The journal's results, or (without them) what the run itself knows of each number.
    pub fn results_or_bare(&self, action: super::Action, run: &str) -> Vec<NumberResult> {
        if !self.results.is_empty() {
            return self.results.clone();
        }
        self.numbers
            .iter()
            .map(|(n, s, m)| NumberResult::bare(n, *s, m.clone(), action, run))
            .collect()
    }

    /// "2 done", "1 failed"…, in that order, for the states that occurred.
    pub fn tally(&self) -> Vec<String> {
        [
            NumberState::Done,
            NumberState::Failed,
            NumberState::Unknown,
            NumberState::Refused,
            NumberState::NotStarted,
        ]
        .into_iter()
        .filter_map(|state| {
            let n = self.count(state);
            (n > 0).then(|| format!("{n} {}", state.words()))
        })
        .collect()
    }

    /// docs/PRODUCT.md's exit codes: 3 if an outcome is unknown, else 1 if Meta refused one, else 2
    /// if one was refused before sending or never started, else 0.
    pub fn exit_code(&self) -> u8 {
        if self.count(NumberState::Unknown) > 0 || self.count(NumberState::Interrupted) > 0 {
            3
        } else if self.count(NumberState::Failed) > 0 {
            1
        } else if self.count(NumberState::Refused) > 0 || self.count(NumberState::NotStarted) > 0 {
            2
        } else {
            0
        }
    }
}

/// What one number came to, and the error that decided it.
struct Ended {
    state: NumberState,
    message: Option<String>,
    error: Option<ApiError>,
}

/// Runs `rows` (skipped ones are ignored) and journals every start, step and end.
pub async fn run(
    rows: Vec<PlannedRow>,
    engines: &HashMap<ProfileName, Engine>,
    pins: &PinSource,
    journal: &Journal,
    options: RunOptions,
    on_number: &(dyn Fn(&str, NumberState) + Sync),
) -> Summary {
    // Every intent the run writes names it, so a resume can ask the ledger what it sent.
    let engines: HashMap<ProfileName, Engine> = engines
        .iter()
        .map(|(profile, engine)| (profile.clone(), engine.clone().in_bulk_run(journal.id())))
        .collect();
    let engines = &engines;
    // Why the run stops, once it was decided. Starting a number and deciding to stop both
    // hold this lock while they write their line, so no `started` can follow `stopping`.
    let stopping: Mutex<Option<String>> = Mutex::new(None);
    let failures = AtomicUsize::new(0);
    let locks_seen = AtomicUsize::new(0);
    let halt = |reason: String| {
        let mut stopping = stopping.lock().unwrap_or_else(|p| p.into_inner());
        if stopping.is_none() {
            let _ = journal.write(&Entry::Stopping {
                reason: reason.clone(),
                time: chrono::Utc::now(),
            });
            *stopping = Some(reason);
        }
    };
    let sendable: Vec<PlannedRow> = rows
        .into_iter()
        .filter(|r| !matches!(r.plan, RowPlan::Skip(_)))
        .collect();
    let one = |row: PlannedRow| {
        let (stopping, halt, failures, locks_seen, options) =
            (&stopping, &halt, &failures, &locks_seen, &options);
        async move {
            let number = row.target.id.as_str().to_owned();
            {
                // Checked as the number's turn comes, not when the run began.
                let mut stopping = stopping.lock().unwrap_or_else(|p| p.into_inner());
                if stopping.is_some() {
                    drop(stopping);
                    on_number(&number, NumberState::NotStarted);
                    return (number, NumberState::NotStarted, None);
                }
                let started = journal.write(&Entry::Started {
                    number: number.clone(),
                    time: chrono::Utc::now(),
                });
                if let Err(e) = started {
                    // A number is sent only once its `started` line and the journal's tip
                    // are on disk: otherwise a resume could not know it was in flight (and
                    // the line could be cut unseen). Nothing more starts either.
                    let reason = format!(
                        "stopped before {number}: the bulk journal cannot be written ({e}), and nothing is sent that it does not record"
                    );
                    let _ = journal.write(&Entry::Stopping {
                        reason: reason.clone(),
                        time: chrono::Utc::now(),
                    });
                    *stopping = Some(reason);
                    drop(stopping);
                    on_number(&number, NumberState::NotStarted);
                    return (number, NumberState::NotStarted, None);
                }
            }
            on_number(&number, NumberState::Interrupted);
            let ended = run_one(&row, engines, pins, journal, options.force).await;
            let _ = journal.write(&Entry::Finished {
                number: number.clone(),
                state: ended.state,
                message: ended.message.clone(),
            });
            on_number(&number, ended.state);
            let one_pin = matches!(pins, PinSource::One(_));
            if let Some(reason) = ended
                .error
                .as_ref()
                .and_then(|e| systemic(e, locks_seen, one_pin))
            {
                halt(format!("stopped after {number}: {reason}"));
            } else if matches!(ended.state, NumberState::Failed | NumberState::Unknown)
                && failures.fetch_add(1, Ordering::SeqCst) + 1 >= options.max_failures
            {
                halt(format!(
                    "stopped starting new numbers: {} failures reached (numbers already in flight finished)",
                    options.max_failures
                ));
            }
            (number, ended.state, ended.message)
        }
    };
    let work = async {
        // With one PIN for every number, the first number goes alone: a wrong PIN then stops
        // the run after one number instead of after as many as run at once (a region change
        // would leave each of them deregistered).
        let mut rows = sendable.into_iter();
        let mut results: Vec<(String, NumberState, Option<String>)> = Vec::new();
        if matches!(pins, PinSource::One(_))
            && let Some(first) = rows.next()
        {
            results.push(one(first).await);
        }
        results.extend(
            futures::stream::iter(rows.map(one))
                .buffered(options.concurrency.max(1))
                .collect::<Vec<_>>()
                .await,
        );
        results
    };
    // A stop asked from outside is decided (and journaled) when it is asked, not when the
    // next number's turn comes; the work goes on until the numbers in flight have ended.
    let asked = async {
        let why = options.stop.requested().await;
        halt(format!(
            "{why}: the numbers in flight finished their plans, nothing new started"
        ));
    };
    let numbers = {
        let (work, asked) = (std::pin::pin!(work), std::pin::pin!(asked));
        match futures::future::select(work, asked).await {
            futures::future::Either::Left((numbers, _)) => numbers,
            futures::future::Either::Right(((), work)) => work.await,
        }
    };
    let stopped = stopping.into_inner().unwrap_or_else(|p| p.into_inner());
    if let Some(reason) = &stopped {
        // Every number that started has ended: from here on nothing is sent.
        let _ = journal.write(&Entry::Stopped {
            reason: reason.clone(),
            time: chrono::Utc::now(),
        });
    }
    let results = journal
        .read()
        .map(|state| super::result::results(&state))
        .unwrap_or_default();
    Summary {
        numbers,
        stopped,
        results,
    }
}

async fn run_one(
    row: &PlannedRow,
    engines: &HashMap<ProfileName, Engine>,
    pins: &PinSource,
    journal: &Journal,
    force: bool,
) -> Ended {
    let number = row.target.id.as_str().to_owned();
    let Some(engine) = engines.get(&row.target.profile) else {
        return refused(format!("no profile `{}`", row.target.profile));
    };
    // A pin_command is a process waited on: off the async threads.
    let (source, id) = (pins.clone(), row.target.id.clone());
    let pin = match tokio::task::spawn_blocking(move || source.pin_for(&id)).await {
        Ok(Ok(pin)) => pin,
        Ok(Err(why)) => return refused(why),
        Err(e) => return refused(format!("the PIN reader stopped: {e}")),
    };
    match &row.plan {
        RowPlan::Skip(_) => refused("skipped".into()),
        RowPlan::SetPin => {
            let Some(pin) = pin else {
                return refused("no PIN was given".into());
            };
            let result = engine.set_pin(&row.target.id, &pin).await;
            let _ = journal.write(&step_entry(
                &number,
                "POST /{id} (two-step PIN)",
                &result.as_ref().map(|_| ()),
            ));
            ended_by(result.err())
        }
        RowPlan::Send(plan) => {
            let forced = force && plan.blockers.iter().any(Blocker::override_is_recorded);
            let execution = engine
                .execute(plan, pin.as_ref(), forced, |report, _| {
                    let _ = journal.write(&step_entry(
                        &number,
                        &report.step.describe(),
                        &report.result.as_ref().map(|_| ()),
                    ));
                })
                .await;
            let mut ended = ended_by(
                execution
                    .failure()
                    .and_then(|f| f.result.as_ref().err().cloned_error()),
            );
            // What a deregister that worked left it in is said by `result` from the steps.
            if ended.state == NumberState::Unknown
                && let Some(words) = execution.readback_words()
            {
                ended.message = Some(format!("{}; {words}", ended.message.unwrap_or_default()));
            }
            ended
        }
    }
}

/// `MutationError` is not `Clone`; what the run needs of it is.
trait ClonedError {
    fn cloned_error(self) -> Option<MutationError>;
}

impl ClonedError for Option<&MutationError> {
    fn cloned_error(self) -> Option<MutationError> {
        self.map(|e| match e {
            MutationError::Audit(why) => MutationError::Audit(why.clone()),
            MutationError::LedgerSilent(why) => MutationError::LedgerSilent(why.clone()),
            MutationError::Refused(r) => MutationError::Refused(r.clone()),
            MutationError::Api(api) => MutationError::Api(api.clone()),
        })
    }
}

fn refused(why: String) -> Ended {
    Ended {
        state: NumberState::Refused,
        message: Some(why),
        error: None,
    }
}

fn ended_by(error: Option<MutationError>) -> Ended {
    match error {
        None => Ended {
            state: NumberState::Done,
            message: None,
            error: None,
        },
        Some(MutationError::Audit(why)) => refused(format!("nothing was sent: {why}")),
        Some(silent @ MutationError::LedgerSilent(_)) => refused(silent.to_string()),
        Some(MutationError::Refused(r)) => refused(r.to_string()),
        Some(MutationError::Api(api)) => Ended {
            state: match api.mutation_outcome() {
                MutationOutcome::Unknown => NumberState::Unknown,
                MutationOutcome::NotSent => NumberState::Refused,
                MutationOutcome::Failed => NumberState::Failed,
            },
            message: Some(api.to_string()),
            error: Some(api),
        },
    }
}

fn step_entry(number: &str, call: &str, result: &Result<(), &MutationError>) -> Entry {
    let (outcome, message) = match result {
        Ok(()) => ("ok", None),
        Err(MutationError::Api(api)) => (
            match api.mutation_outcome() {
                MutationOutcome::Unknown => "unknown",
                MutationOutcome::NotSent => "not_sent",
                MutationOutcome::Failed => "error",
            },
            Some(api.short()),
        ),
        Err(e) => ("refused", Some(e.to_string())),
    };
    Entry::Step {
        number: number.to_owned(),
        call: call.to_owned(),
        outcome: outcome.to_owned(),
        message,
    }
}

/// An error that says the next numbers would fail the same way: stop at once.
fn systemic(error: &ApiError, locks_seen: &AtomicUsize, one_pin: bool) -> Option<String> {
    if matches!(error.last(), ApiError::NotSent(_) | ApiError::Throttled(_)) {
        return Some(format!("nothing can reach Meta now ({})", error.short()));
    }
    match error.code()? {
        codes::TOKEN_INVALID => {
            Some("the access token was refused (190): fix the token, then resume".into())
        }
        codes::ACCOUNT_LOCKED => Some("the business account is locked (131031)".into()),
        // One PIN for every number was refused: the next numbers would be refused too (and a
        // region change would leave each of them deregistered).
        codes::PIN_MISMATCH if one_pin => Some(
            "the PIN given for every number was refused (133005): check it, then resume".into(),
        ),
        code if crate::graph::throttle::is_throttle_code(code) => Some(format!(
            "Meta is throttling these calls ({code}): resume when access returns"
        )),
        codes::REGISTRATION_LOCKED if locks_seen.fetch_add(1, Ordering::SeqCst) + 1 >= 2 => Some(
            "Meta locked registration (133016) on two numbers: the budgets are not what wareg counted".into(),
        ),
        _ => None,
    }
}
