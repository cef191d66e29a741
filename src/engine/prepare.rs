//! `prepare`: read what a plan needs, live (the number's status, ownership and coexistence, its
//! storage for a register, the budgets from the ledger as it is now) and let `decide` choose.

use super::{Engine, Facts, Plan, Request, StorageFact, decide};
use crate::graph::{ApiError, NumberId, PhoneNumber};

#[derive(Debug, thiserror::Error)]
pub enum PrepareError {
    /// The number could not be read, so there is nothing safe to plan from.
    #[error("cannot read the number before planning: {0}")]
    Read(ApiError),
    #[error("cannot read the audit trail ({0})")]
    Ledger(String),
}

impl Engine {
    pub async fn prepare(&self, id: &NumberId, request: Request) -> Result<Plan, PrepareError> {
        let number = self
            .client
            .get_number(id)
            .await
            .map_err(PrepareError::Read)?;
        self.plan_from(id, request, Some(&number)).await
    }

    /// A plan from a read the caller already made (a bulk run reads each number once).
    pub async fn prepare_with(
        &self,
        id: &NumberId,
        request: Request,
        number: &PhoneNumber,
    ) -> Result<Plan, PrepareError> {
        self.plan_from(id, request, Some(number)).await
    }

    /// After a read of the number failed and the user insists (`--force`): a plan from nothing
    /// known, which carries the "not read" blocker for the faces to show.
    pub async fn prepare_unread(
        &self,
        id: &NumberId,
        request: Request,
    ) -> Result<Plan, PrepareError> {
        self.plan_from(id, request, None).await
    }

    async fn plan_from(
        &self,
        id: &NumberId,
        request: Request,
        number: Option<&PhoneNumber>,
    ) -> Result<Plan, PrepareError> {
        let storage = match request {
            Request::Register(_) => match self.client.get_settings(id).await {
                Ok(settings) => match settings.storage_configuration {
                    Some(config) => config.region().map_or(StorageFact::Off, StorageFact::On),
                    None => StorageFact::Off,
                },
                Err(_) => StorageFact::Unknown,
            },
            // Deregistering turns storage off whatever it was; no read needed.
            Request::Deregister => StorageFact::Unknown,
        };
        let (budgets, open_intent) = self
            .number_state(id)
            .await
            .map_err(|e| PrepareError::Ledger(e.to_string()))?;
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
            .map_err(|e| PrepareError::Ledger(e.to_string()))?;
        facts.read_at = Some(self.clock.now());
        let version = self.client.plan_version(self.clock.now().date_naive());
        Ok(decide(id, version, &facts, request, &budgets))
    }
}
