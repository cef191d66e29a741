//! The engine both faces share and the one place the safety rules live: plans are chosen by
//! `decide` from live facts (`prepare`), the budget is re-counted under the ledger's lock before
//! every budgeted intent is written (`execute`), outcomes are told apart (not sent, failed,
//! unknown) and an unknown outcome is always followed by a read-back of the number.

mod bulk_run;
mod decide;
pub mod hint;
mod next;
mod onboard;
mod plan;
mod prepare;
mod refusal;
mod rename;
mod sightings;
mod storage_kept;
mod unknown;

pub use bulk_run::RunAttempt;
pub use decide::{
    Blocker, Budgets, Facts, OpenIntent, Plan, PlanKind, Request, StorageFact, decide,
    health_words, pin_note, storage_words,
};
pub use next::{NextKey, NextStep, next_step};
pub use plan::{Step, StepReport, deregister_plan, region_change_plan, register_plan};
pub use prepare::PrepareError;
pub use refusal::Refusal;
pub use rename::{RENAME_POLICY, RenamePlan, decide_rename};
pub use sightings::{register_fact, sightings};
pub use storage_kept::StorageBatch;
pub use unknown::UnknownOutcome;

use chrono::{DateTime, Duration as ChronoDuration, Utc};
use std::io;
use std::path::Path;
use std::sync::Arc;

use crate::audit::{
    AuditRecord, BudgetBook, META_LOCK_HOURS, Operation, Outcome, Phase, new_attempt_id,
};
use crate::clock::Clock;
use crate::config::{BudgetPolicy, ProfileName};
use crate::graph::{
    Answered, ApiError, CodeMethod, GraphClient, MutationOutcome, NumberId, PhoneNumber, Region,
};
use crate::ledger::{self, Ledger, LocalTrail};
use crate::secret::{Pin, VerificationCode};

/// Why a mutation did not go through.
#[derive(Debug, thiserror::Error)]
pub enum MutationError {
    /// The intent could not be written, so nothing was sent.
    #[error("could not write the audit trail ({0}); nothing was sent")]
    Audit(String),
    /// The team ledger did not answer within its deadline (or another desk's change of the
    /// number outlasted it), so nothing was sent.
    #[error("{0}: nothing was sent")]
    LedgerSilent(String),
    /// Re-counted under the lock, the budget said no (another process may have just used the
    /// last attempt). Nothing was sent.
    #[error("{0}")]
    Refused(Refusal),
    #[error("{0}")]
    Api(#[from] ApiError),
}

impl MutationError {
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            MutationError::Api(e) => Some(e),
            _ => None,
        }
    }

    pub fn outcome(&self) -> MutationOutcome {
        match self {
            MutationError::Api(e) => e.mutation_outcome(),
            MutationError::Audit(_)
            | MutationError::LedgerSilent(_)
            | MutationError::Refused(_) => MutationOutcome::NotSent,
        }
    }

    /// A ledger call that failed before sending: a deadline says so in its own words.
    fn of_ledger(e: io::Error) -> MutationError {
        if ledger::timed_out(&e) {
            MutationError::LedgerSilent(e.to_string())
        } else {
            MutationError::Audit(e.to_string())
        }
    }

    /// True when the request may have reached Meta and we do not know what it did.
    pub fn outcome_unknown(&self) -> bool {
        self.outcome() == MutationOutcome::Unknown
    }
}

/// What running a plan came to: a report per step sent (it stops at the first failure) and,
/// after an unknown outcome, the number as read back.
#[derive(Debug)]
pub struct Execution {
    pub reports: Vec<StepReport>,
    pub readback: Option<Result<PhoneNumber, ApiError>>,
}

impl Execution {
    pub fn failure(&self) -> Option<&StepReport> {
        self.reports.iter().find(|r| r.result.is_err())
    }

    /// "the number's status now reads CONNECTED", for the faces to show after an unknown.
    pub fn readback_words(&self) -> Option<String> {
        self.readback.as_ref().map(|read| match read {
            Ok(n) => format!(
                "the number's status now reads {}",
                n.status
                    .as_ref()
                    .map_or_else(|| "(not given)".to_owned(), |s| s.to_string())
            ),
            Err(e) => format!("reading the number's status failed too: {}", e.short()),
        })
    }
}

#[derive(Clone)]
pub struct Engine {
    pub client: GraphClient,
    pub ledger: Arc<dyn Ledger>,
    pub profile: ProfileName,
    pub policy: BudgetPolicy,
    pub clock: Clock,
    /// Written into every record: who ("support1@desk-2") and on which machine.
    pub operator: String,
    pub host: String,
    /// An intent without an outcome younger than this means the number is being changed now
    /// (here or at another desk); older, it was abandoned.
    pub stale_intent: std::time::Duration,
    /// The profile the commands it suggests name (`--profile NAME`): its own, when it is not
    /// the config's default (`with_default_profile`).
    pub hint_profile: Option<ProfileName>,
    /// The bulk run these calls belong to, named in every intent's detail ("…; bulk run
    /// ID"): a resume tells the run's own attempts from any other by it (`bulk_run.rs`).
    pub bulk_run: Option<String>,
    /// Where the storage it reads goes when it plans many numbers: gathered here and kept in
    /// one write (`StorageBatch`), not one synced write per number. None: kept at once.
    storage_batch: Option<StorageBatch>,
}

/// What a mutation is, for its two audit lines.
struct Intent<'a> {
    number: &'a NumberId,
    op: Operation,
    region: Option<Region>,
    detail: Option<String>,
    forced: bool,
}

impl Engine {
    /// An engine on the local trail in `data_dir`.
    pub fn new(client: GraphClient, data_dir: &Path, profile: &str, policy: BudgetPolicy) -> Self {
        Engine::with_ledger(
            client,
            Arc::new(LocalTrail::in_dir(data_dir)),
            profile,
            policy,
        )
    }

    pub fn with_ledger(
        client: GraphClient,
        ledger: Arc<dyn Ledger>,
        profile: &str,
        policy: BudgetPolicy,
    ) -> Self {
        Engine {
            client,
            ledger,
            profile: profile.into(),
            policy,
            clock: Clock::System,
            operator: crate::audit::default_operator(),
            host: crate::audit::hostname(),
            stale_intent: crate::config::LedgerConfig::default().stale_intent,
            hint_profile: None,
            bulk_run: None,
            storage_batch: None,
        }
    }

    /// The commands it suggests name its profile when that is not `default` (`engine::hint`).
    pub fn with_default_profile(mut self, default: &ProfileName) -> Self {
        self.hint_profile = hint::named_profile(&self.profile, default);
        self
    }

    /// How a command it suggests names `id` ("ID", or "ID --profile NAME").
    pub fn hint(&self, id: &NumberId) -> String {
        hint::target(id, self.hint_profile.as_ref())
    }

    /// The operator and the stale-intent age from the config's `[ledger]`.
    pub fn with_ledger_config(mut self, config: &crate::config::LedgerConfig) -> Self {
        if let Some(operator) = &config.operator {
            self.operator = operator.clone();
        }
        self.stale_intent = config.stale_intent;
        self
    }

    /// Records name `operator` instead of `$USER@hostname`.
    pub fn with_operator(mut self, operator: &str) -> Self {
        self.operator = operator.to_owned();
        self
    }

    /// Budgets of every number, counted from the ledger as it is now.
    pub async fn budgets(&self) -> io::Result<BudgetBook> {
        let (policy, now) = (self.policy, self.clock.now());
        ledger::blocking(&self.ledger, move |l| budget_book(l, policy, now)).await
    }

    /// The number's records that still matter at `now` (the budget window, Meta's lock).
    async fn records_of(&self, id: &NumberId, now: DateTime<Utc>) -> io::Result<Vec<AuditRecord>> {
        let (since, id) = (since(now, self.policy), id.clone());
        ledger::blocking(&self.ledger, move |l| l.read_since_of(since, &id)).await
    }

    /// The number's budgets and the change of it still open, from one read of the ledger.
    pub async fn number_state(&self, id: &NumberId) -> io::Result<(Budgets, Option<OpenIntent>)> {
        let (budgets, open, _) = self.number_ledger_state(id).await?;
        Ok((budgets, open))
    }

    /// [`Engine::number_state`], and its newest attempt when its outcome is not known.
    pub async fn number_ledger_state(
        &self,
        id: &NumberId,
    ) -> io::Result<(Budgets, Option<OpenIntent>, Option<UnknownOutcome>)> {
        let now = self.clock.now();
        let mine = self.records_of(id, now).await?;
        let book = BudgetBook::new(&mine, self.policy, now);
        let all: Vec<&AuditRecord> = mine.iter().collect();
        Ok((
            Budgets {
                register: book.budget(id.as_str(), Operation::Register),
                deregister: book.budget(id.as_str(), Operation::Deregister),
            },
            OpenIntent::of(&mine, now, self.stale_intent),
            UnknownOutcome::of(&all, now, self.stale_intent),
        ))
    }

    /// After a crash of this desk's own run (a bulk resume): closes its intents on `id` that
    /// have no outcome with an "unknown" outcome saying `why` (they still count against the
    /// budget), so that the number is no longer "in progress". Other desks' are left alone.
    pub async fn close_own_open_intents(&self, id: &NumberId, why: &str) -> io::Result<usize> {
        self.close_own_open_intents_where(id, why, |_| true).await
    }

    /// [`Engine::close_own_open_intents`], of the open intents `which` chooses.
    async fn close_own_open_intents_where(
        &self,
        id: &NumberId,
        why: &str,
        which: impl Fn(&AuditRecord) -> bool,
    ) -> io::Result<usize> {
        let mine = self.records_of(id, self.clock.now()).await?;
        let own: Vec<AuditRecord> = open_intents(&mine)
            .into_iter()
            .filter(|r| {
                r.operator.as_deref() == Some(self.operator.as_str())
                    && r.host.as_deref() == Some(self.host.as_str())
                    && which(r)
            })
            .cloned()
            .collect();
        let outcomes: Vec<AuditRecord> = own
            .into_iter()
            .map(|mut outcome| {
                outcome.time = audit_time(&self.clock);
                outcome.phase = Phase::Outcome;
                outcome.outcome = Some(Outcome::Unknown);
                outcome.message = Some(why.to_owned());
                outcome
            })
            .collect();
        ledger::blocking(&self.ledger, move |l| {
            for outcome in &outcomes {
                l.append(outcome)?;
            }
            Ok(outcomes.len())
        })
        .await
    }

    pub async fn budgets_of(&self, id: &NumberId) -> io::Result<Budgets> {
        Ok(self.number_state(id).await?.0)
    }

    /// Runs a plan in order and stops at the first failure. Each budgeted step is admitted by
    /// the ledger under its lock, with the budget re-counted for what is left of the plan; an
    /// unknown outcome is followed by one read of the number. `on_step` hears of each step as
    /// it ends, with whether it is the last.
    pub async fn execute(
        &self,
        plan: &Plan,
        pin: Option<&Pin>,
        forced: bool,
        mut on_step: impl FnMut(&StepReport, bool),
    ) -> Execution {
        let id = &plan.number;
        let mut reports = Vec::new();
        // A face must not send a plan that nothing may override; if one tries, the engine
        // says no here rather than trusting it. Nor a plan made before a throttle Meta
        // declared since: the user chose to send without knowing of it.
        let unseen_throttle = self
            .client
            .throttle()
            .filter(|_| {
                !plan
                    .blockers
                    .iter()
                    .any(|b| matches!(b, Blocker::Throttled(_)))
            })
            .map(Blocker::Throttled);
        let refused = plan
            .blockers
            .iter()
            .find(|b| !b.overridable())
            .or(unseen_throttle.as_ref());
        if let (Some(blocker), Some(first)) = (refused, plan.steps.first()) {
            let refusal = Refusal::Plan {
                kind: plan.kind,
                number: id.clone(),
                blocker: blocker.clone(),
            };
            let report = StepReport {
                step: *first,
                result: Err(MutationError::Refused(refusal)),
                warning: None,
            };
            on_step(&report, true);
            reports.push(report);
            return Execution {
                reports,
                readback: None,
            };
        }
        for (index, step) in plan.steps.iter().enumerate() {
            let remaining = plan::budget_costs(&plan.steps[index..]);
            let result = self.run_step(id, *step, pin, forced, &remaining).await;
            let failed = result.is_err();
            let report = StepReport {
                step: *step,
                warning: result.as_ref().ok().and_then(|a| a.warning.clone()),
                result: result.map(|_| ()),
            };
            on_step(&report, failed || index + 1 == plan.steps.len());
            reports.push(report);
            if failed {
                break;
            }
        }
        let unknown = reports
            .last()
            .is_some_and(|r| r.result.as_ref().is_err_and(|e| e.outcome_unknown()));
        // Never retried: what happened is read instead.
        let readback = if unknown {
            Some(self.client.get_number(id).await)
        } else {
            None
        };
        Execution { reports, readback }
    }

    async fn run_step(
        &self,
        id: &NumberId,
        step: Step,
        pin: Option<&Pin>,
        forced: bool,
        remaining: &[(Operation, u32)],
    ) -> Result<Answered, MutationError> {
        let version = self.client.version();
        let intent = Intent {
            number: id,
            op: step.operation(),
            region: step.region(),
            detail: Some(format!("{} api {version}", step.describe())),
            forced,
        };
        let gate = step.operation().is_budgeted().then_some(remaining);
        let result = self
            .audited(intent, gate, async {
                match step {
                    Step::SetStorage(region) => self.client.set_storage(id, region).await,
                    Step::Deregister => self.client.deregister(id).await,
                    Step::Register { region_in_body } => match pin {
                        Some(pin) => self.client.register(id, pin, region_in_body).await,
                        // A plan with a register step is always run with a PIN; reaching this
                        // is a bug in the caller, reported rather than panicking.
                        None => Err(ApiError::Refused(
                            "register needs a PIN; none was given".into(),
                        )),
                    },
                }
            })
            .await;
        if result.is_ok()
            && let Some(storage) = storage_kept::after_step(step)
        {
            self.keep_storage(id, storage).await;
        }
        if let Step::Register { .. } = step {
            // What the ledger must remember: an approved name is applied now, or which of
            // 2388001's causes Meta named.
            let answer = match &result {
                Ok(_) => Ok(()),
                Err(MutationError::Api(e)) => Err(e),
                Err(_) => return result,
            };
            if let Some(mut fact) = sightings::register_fact(id, &answer, self.clock.now()) {
                fact.operator = Some(self.operator.clone());
                self.note_fact(fact).await;
            }
        }
        result
    }

    pub async fn set_pin(&self, id: &NumberId, pin: &Pin) -> Result<Answered, MutationError> {
        let intent = Intent {
            number: id,
            op: Operation::SetPin,
            region: None,
            detail: None,
            forced: false,
        };
        self.audited(intent, None, self.client.set_pin(id, pin))
            .await
    }

    pub async fn request_code(
        &self,
        id: &NumberId,
        method: CodeMethod,
        language: &str,
    ) -> Result<Answered, MutationError> {
        let intent = Intent {
            number: id,
            op: Operation::RequestCode,
            region: None,
            detail: Some(format!("method {} language {language}", method.as_str())),
            forced: false,
        };
        self.audited(intent, None, self.client.request_code(id, method, language))
            .await
    }

    pub async fn verify_code(
        &self,
        id: &NumberId,
        code: &VerificationCode,
    ) -> Result<Answered, MutationError> {
        let intent = Intent {
            number: id,
            op: Operation::VerifyCode,
            region: None,
            detail: None,
            forced: false,
        };
        self.audited(intent, None, self.client.verify_code(id, code))
            .await
    }

    /// Writes the intent (through the budget gate when `gate` lists what the rest of the plan
    /// spends; refusing to send if it cannot be written), awaits the call, writes the outcome.
    async fn audited<T: Said>(
        &self,
        intent: Intent<'_>,
        gate: Option<&[(Operation, u32)]>,
        call: impl Future<Output = Result<T, ApiError>>,
    ) -> Result<T, MutationError> {
        let now = audit_time(&self.clock);
        let mut record = AuditRecord {
            region: intent.region,
            detail: self.detail_in_run(intent.detail),
            forced: intent.forced,
            operator: Some(self.operator.clone()),
            host: Some(self.host.clone()),
            ..AuditRecord::intent(
                now,
                new_attempt_id(now),
                self.profile.clone(),
                intent.number,
                intent.op,
            )
        };
        match gate {
            Some(costs) => self.admit(&record, costs, intent.forced).await?,
            None => {
                let intent = record.clone();
                ledger::blocking(&self.ledger, move |l| l.append(&intent))
                    .await
                    .map_err(MutationError::of_ledger)?
            }
        }

        let result = call.await;

        record.time = audit_time(&self.clock);
        record.phase = Phase::Outcome;
        match &result {
            Ok(answered) => {
                record.outcome = Some(Outcome::Ok);
                // An odd but complete answer is kept in the trail, in its cleaned words.
                record.message = answered.said();
            }
            Err(e) => {
                record.outcome = Some(match e.mutation_outcome() {
                    MutationOutcome::NotSent => Outcome::NotSent,
                    MutationOutcome::Failed => Outcome::Error,
                    MutationOutcome::Unknown => Outcome::Unknown,
                });
                record.code = e.code();
                record.trace = e.trace_id().map(str::to_owned);
                record.message = Some(e.graph().map(|g| g.title()).unwrap_or_else(|| e.short()));
                if e.code() == Some(crate::graph::codes::REGISTRATION_LOCKED) {
                    record.locked_until =
                        Some(record.time + ChronoDuration::hours(META_LOCK_HOURS));
                }
            }
        }
        let outcome = record;
        if let Err(e) = ledger::blocking(&self.ledger, move |l| l.append(&outcome)).await {
            // The call has happened; losing its outcome line must not hide its result.
            tracing::warn!(target: "wareg::audit", "could not write the outcome to the audit trail: {e}");
        }
        result.map_err(MutationError::Api)
    }

    /// The budget gate: under the ledger's lock, re-count this number's attempts from the
    /// ledger as it is now and write the intent only if what the plan still spends fits (or the
    /// user forced it, which the record says) and Meta has not locked the operation. Each
    /// operation is counted in its own window (a rename's is 30 days).
    async fn admit(
        &self,
        record: &AuditRecord,
        costs: &[(Operation, u32)],
        forced: bool,
    ) -> Result<(), MutationError> {
        let record = record.clone();
        let costs = costs.to_vec();
        let policy = self.policy;
        let now = self.clock.now();
        let usual = since(now, policy);
        let since = costs
            .iter()
            .map(|(op, _)| since(now, policy_of(*op, policy)))
            .fold(usual, DateTime::min);
        let stale = self.stale_intent;
        let refused = ledger::blocking(&self.ledger, move |ledger| {
            let number = record.number.clone();
            let mut refused = None;
            ledger.admit(&record, since, &mut |mine: &[AuditRecord]| {
                // What is in progress is judged on the usual window, whatever the operation.
                let recent: Vec<AuditRecord> =
                    mine.iter().filter(|r| r.time > usual).cloned().collect();
                refused = in_progress(&number, &recent, now, stale, forced).or_else(|| {
                    costs.iter().find_map(|(op, cost)| {
                        let book = BudgetBook::new(mine, policy_of(*op, policy), now);
                        refusal(
                            &number,
                            *op,
                            *cost,
                            &book.budget(number.as_str(), *op),
                            forced,
                        )
                    })
                });
                refused.is_none()
            })?;
            Ok(refused)
        })
        .await
        .map_err(MutationError::of_ledger)?;
        match refused {
            None => Ok(()),
            Some(refusal) => Err(MutationError::Refused(refusal)),
        }
    }
}

/// What a mutation's answer leaves in its outcome record.
trait Said {
    fn said(&self) -> Option<String>;
}

impl Said for Answered {
    /// An odd but complete answer, in its cleaned words.
    fn said(&self) -> Option<String> {
        self.warning.clone()
    }
}

impl Said for NumberId {
    /// The id a number was added under.
    fn said(&self) -> Option<String> {
        Some(format!("added as {self}"))
    }
}

/// The window and limit an operation is counted with: wareg's own for display-name changes,
/// the configured one (Meta's) for the rest.
fn policy_of(op: Operation, policy: BudgetPolicy) -> BudgetPolicy {
    match op {
        Operation::Rename => rename::RENAME_POLICY,
        _ => policy,
    }
}

/// A change of the number that started and has not ended (an intent without its outcome): one
/// younger than `stale` is someone's work in progress and refuses this one outright; an older
/// one was abandoned (a crash, a lost connection): it still counts, and only an explicit
/// override (`--force`, recorded in the intent) goes past it.
fn in_progress(
    number: &NumberId,
    mine: &[AuditRecord],
    now: DateTime<Utc>,
    stale: std::time::Duration,
    forced: bool,
) -> Option<Refusal> {
    let open = OpenIntent::of(mine, now, stale)?;
    let number = number.clone();
    if !open.abandoned {
        return Some(Refusal::InProgress {
            number,
            open,
            stale_minutes: stale.as_secs() / 60,
        });
    }
    (!forced).then_some(Refusal::Abandoned { number, open })
}

/// Intents with no outcome of the same attempt, oldest first.
pub fn open_intents(records: &[AuditRecord]) -> Vec<&AuditRecord> {
    let ended: std::collections::HashSet<&str> = records
        .iter()
        .filter(|r| r.phase == Phase::Outcome)
        .map(|r| r.attempt.as_str())
        .collect();
    records
        .iter()
        .filter(|r| r.phase == Phase::Intent && !ended.contains(r.attempt.as_str()))
        .collect()
}

/// Why `cost` more attempts of `op` may not be sent, if they may not.
fn refusal(
    number: &NumberId,
    op: Operation,
    cost: u32,
    budget: &crate::audit::Budget,
    forced: bool,
) -> Option<Refusal> {
    let number = number.clone();
    if let Some(until) = budget.locked_until {
        // Meta's lock is not ours to override: every request in it is refused.
        Some(Refusal::LockedByMeta { number, op, until })
    } else if !forced && budget.used + cost > budget.limit {
        Some(Refusal::BudgetUsedUp {
            number,
            op,
            budget: *budget,
        })
    } else {
        None
    }
}

/// Records older than this do not matter: the budget window, and never less than Meta's lock.
fn since(now: DateTime<Utc>, policy: BudgetPolicy) -> DateTime<Utc> {
    let window = ChronoDuration::from_std(policy.window).unwrap_or(ChronoDuration::MAX);
    now.checked_sub_signed(window.max(ChronoDuration::hours(META_LOCK_HOURS)))
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// Budgets of every number from a ledger, as of `now`.
pub fn budget_book(
    ledger: &dyn Ledger,
    policy: BudgetPolicy,
    now: DateTime<Utc>,
) -> io::Result<BudgetBook> {
    ledger.budgets(since(now, policy), policy, now, None)
}

/// Budgets of the numbers in `only` from a ledger, as of `now`: what a view of those numbers
/// needs, without counting the others' records.
pub fn budget_book_of(
    ledger: &dyn Ledger,
    policy: BudgetPolicy,
    now: DateTime<Utc>,
    only: &std::collections::HashSet<String>,
) -> io::Result<BudgetBook> {
    ledger.budgets(since(now, policy), policy, now, Some(only))
}

/// Millisecond precision is enough for an audit line and keeps it readable.
fn audit_time(clock: &Clock) -> DateTime<Utc> {
    use chrono::SubsecRound;
    clock.now().trunc_subsecs(3)
}
