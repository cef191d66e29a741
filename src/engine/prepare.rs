//! `prepare`: read what a plan needs, live (the number's status, ownership and coexistence, its
//! storage for a register, the budgets from the ledger as it is now) and let `decide` choose.

use super::{Budgets, Engine, Facts, OpenIntent, Plan, Request, StorageFact, decide};
use crate::graph::{ApiError, NumberId, PhoneNumber};

/// What the ledger says of a number before planning: its budgets and its change still open.
type LedgerState = (Budgets, Option<OpenIntent>);

#[derive(Debug, thiserror::Error)]
pub enum PrepareError {
    /// The number could not be read, so there is nothing safe to plan from.
    #[error("cannot read the number before planning: {0}")]
    Read(ApiError),
    #[error("cannot read the audit trail ({0})")]
    Ledger(String),
    /// The team ledger did not answer within its deadline.
    #[error("{0}: nothing was sent")]
    LedgerSilent(String),
}

impl PrepareError {
    /// A ledger read that failed: a deadline says so in its own words.
    pub fn of_ledger(e: std::io::Error) -> PrepareError {
        if crate::ledger::timed_out(&e) {
            PrepareError::LedgerSilent(e.to_string())
        } else {
            PrepareError::Ledger(e.to_string())
        }
    }
}

impl Engine {
    /// The ledger is asked first: one that does not answer stops the plan before Meta is
    /// asked anything.
    pub async fn prepare(&self, id: &NumberId, request: Request) -> Result<Plan, PrepareError> {
        let state = self.ledger_state(id).await?;
        let number = self
            .client
            .get_number(id)
            .await
            .map_err(PrepareError::Read)?;
        self.plan_from(id, request, Some(&number), state).await
    }

    /// A plan from a read the caller already made (a bulk run reads each number once).
    pub async fn prepare_with(
        &self,
        id: &NumberId,
        request: Request,
        number: &PhoneNumber,
    ) -> Result<Plan, PrepareError> {
        let state = self.ledger_state(id).await?;
        self.plan_from(id, request, Some(number), state).await
    }

    /// After a read of the number failed and the user insists (`--force`): a plan from nothing
    /// known, which carries the "not read" blocker for the faces to show.
    pub async fn prepare_unread(
        &self,
        id: &NumberId,
        request: Request,
    ) -> Result<Plan, PrepareError> {
        let state = self.ledger_state(id).await?;
        self.plan_from(id, request, None, state).await
    }

    async fn ledger_state(&self, id: &NumberId) -> Result<LedgerState, PrepareError> {
        self.number_state(id).await.map_err(PrepareError::of_ledger)
    }

    async fn plan_from(
        &self,
        id: &NumberId,
        request: Request,
        number: Option<&PhoneNumber>,
        (budgets, open_intent): LedgerState,
    ) -> Result<Plan, PrepareError> {
        let storage = match request {
            // Always read live (never the kept value): it plans a mutation. What it reads is
            // kept for the faces.
            Request::Register(_) => match self.client.get_settings(id).await {
                Ok(settings) => match settings.storage_configuration {
                    Some(config) => {
                        let fact = config.region().map_or(StorageFact::Off, StorageFact::On);
                        self.keep_storage(id, config).await;
                        fact
                    }
                    None => StorageFact::Off,
                },
                Err(_) => StorageFact::Unknown,
            },
            // Deregistering turns storage off whatever it was; no read needed.
            Request::Deregister => StorageFact::Unknown,
        };
        let mut facts = match number {
            Some(number) => Facts::from_number(number, storage),
            None => Facts {
                storage: Some(storage),
                ..Facts::default()
            },
        };
        facts.throttled = self.client.throttle();
        facts.open_intent = open_intent;
        facts.recorded = self
            .recorded(id, number)
            .await
            .map_err(PrepareError::of_ledger)?;
        facts.read_at = Some(self.clock.now());
        facts.profile = self.hint_profile.clone();
        let version = self.client.plan_version(self.clock.now().date_naive());
        Ok(decide(id, version, &facts, request, &budgets))
    }
}
