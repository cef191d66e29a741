//! The engine both faces share: a Graph client bound to a profile, the audit trail around
//! every mutation, the budget, and the version-aware plans for register and region changes.

mod plan;

pub use plan::{Step, StepReport, deregister_plan, region_change_plan, register_plan};

use chrono::Utc;
use std::io;
use std::path::Path;

use crate::audit::{
    AuditLog, AuditRecord, Budget, BudgetBook, Operation, Outcome, Phase, new_attempt_id,
};
use crate::config::BudgetPolicy;
use crate::graph::{ApiError, CodeMethod, GraphClient, NumberId};
use crate::secret::{Pin, VerificationCode};

/// Why a mutation did not go through.
#[derive(Debug, thiserror::Error)]
pub enum MutationError {
    /// The intent could not be written, so nothing was sent.
    #[error("could not write the audit trail ({0}); nothing was sent")]
    Audit(String),
    #[error("{0}")]
    Api(#[from] ApiError),
}

impl MutationError {
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            MutationError::Api(e) => Some(e),
            MutationError::Audit(_) => None,
        }
    }

    /// True when the request may have reached Meta and we do not know what it did.
    pub fn outcome_unknown(&self) -> bool {
        self.api().is_some_and(|e| !e.outcome_known())
    }
}

#[derive(Clone)]
pub struct Engine {
    pub client: GraphClient,
    pub audit: AuditLog,
    pub profile: String,
    pub policy: BudgetPolicy,
}

/// What a mutation is, for its two audit lines.
struct Intent<'a> {
    number: &'a NumberId,
    op: Operation,
    region: Option<String>,
    detail: Option<String>,
    forced: bool,
}

impl Engine {
    pub fn new(client: GraphClient, data_dir: &Path, profile: &str, policy: BudgetPolicy) -> Self {
        Engine {
            client,
            audit: AuditLog::in_dir(data_dir),
            profile: profile.to_owned(),
            policy,
        }
    }

    /// Budgets of every number, from one read of the trail.
    pub fn budgets(&self) -> io::Result<BudgetBook> {
        let read = self.audit.read()?;
        Ok(BudgetBook::new(&read.records, self.policy, Utc::now()))
    }

    pub fn budget(&self, id: &NumberId, op: Operation) -> io::Result<Budget> {
        Ok(self.budgets()?.budget(id.as_str(), op))
    }

    /// Runs one step of a plan with its audit lines around it.
    pub async fn run_step(
        &self,
        id: &NumberId,
        step: Step,
        pin: Option<&Pin>,
        forced: bool,
    ) -> Result<(), MutationError> {
        let version = self.client.version();
        let intent = Intent {
            number: id,
            op: step.operation(),
            region: step.region().map(|r| r.code().to_owned()),
            detail: Some(format!("{} api {version}", step.describe())),
            forced,
        };
        self.audited(intent, async {
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
        .await
    }

    /// Runs a plan in order and stops at the first failure. `on_step` hears of each step as it
    /// ends, with whether it is the last (the TUI shows progress with it).
    pub async fn run_plan(
        &self,
        id: &NumberId,
        steps: &[Step],
        pin: Option<&Pin>,
        forced: bool,
        mut on_step: impl FnMut(&StepReport, bool),
    ) -> Vec<StepReport> {
        let mut reports = Vec::new();
        for (index, step) in steps.iter().enumerate() {
            let result = self.run_step(id, *step, pin, forced).await;
            let failed = result.is_err();
            let report = StepReport {
                step: *step,
                result,
            };
            on_step(&report, failed || index + 1 == steps.len());
            reports.push(report);
            if failed {
                break;
            }
        }
        reports
    }

    pub async fn set_pin(&self, id: &NumberId, pin: &Pin) -> Result<(), MutationError> {
        let intent = Intent {
            number: id,
            op: Operation::SetPin,
            region: None,
            detail: None,
            forced: false,
        };
        self.audited(intent, self.client.set_pin(id, pin)).await
    }

    pub async fn request_code(
        &self,
        id: &NumberId,
        method: CodeMethod,
        language: &str,
    ) -> Result<(), MutationError> {
        let intent = Intent {
            number: id,
            op: Operation::RequestCode,
            region: None,
            detail: Some(format!("method {} language {language}", method.as_str())),
            forced: false,
        };
        self.audited(intent, self.client.request_code(id, method, language))
            .await
    }

    pub async fn verify_code(
        &self,
        id: &NumberId,
        code: &VerificationCode,
    ) -> Result<(), MutationError> {
        let intent = Intent {
            number: id,
            op: Operation::VerifyCode,
            region: None,
            detail: None,
            forced: false,
        };
        self.audited(intent, self.client.verify_code(id, code))
            .await
    }

    /// Writes the intent (refusing to send if it cannot), awaits the call, writes the outcome.
    async fn audited(
        &self,
        intent: Intent<'_>,
        call: impl Future<Output = Result<(), ApiError>>,
    ) -> Result<(), MutationError> {
        let now = audit_now();
        let mut record = AuditRecord {
            region: intent.region,
            detail: intent.detail,
            forced: intent.forced,
            ..AuditRecord::intent(
                now,
                new_attempt_id(now),
                &self.profile,
                intent.number.as_str(),
                intent.op,
            )
        };
        self.audit
            .append(&record)
            .map_err(|e| MutationError::Audit(e.to_string()))?;

        let result = call.await;

        record.time = audit_now();
        record.phase = Phase::Outcome;
        match &result {
            Ok(()) => record.outcome = Some(Outcome::Ok),
            Err(e) => {
                record.outcome = Some(if e.outcome_known() {
                    Outcome::Error
                } else {
                    Outcome::Unknown
                });
                record.code = e.code();
                record.trace = e.trace_id().map(str::to_owned);
                record.message = Some(e.graph().map(|g| g.title()).unwrap_or_else(|| e.short()));
            }
        }
        if let Err(e) = self.audit.append(&record) {
            // The call has happened; losing its outcome line must not hide its result.
            tracing::warn!(target: "wareg::audit", "could not write the outcome to the audit trail: {e}");
        }
        result.map_err(MutationError::Api)
    }
}

/// Millisecond precision is enough for an audit line and keeps it readable.
fn audit_now() -> chrono::DateTime<Utc> {
    use chrono::SubsecRound;
    Utc::now().trunc_subsecs(3)
}
