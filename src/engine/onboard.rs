//! Onboarding a number: adding it to a WABA (`POST /{waba}/phone_numbers`, audited as `add`
//! under the WABA's id, the new id in its outcome), and the check before asking Meta for an
//! ownership code (none is sent to a number already verified: 136024).

use super::{Engine, Intent, MutationError, Refusal};
use crate::audit::Operation;
use crate::graph::types::CodeVerification;
use crate::graph::{ApiError, NewNumber, NumberId};

impl Engine {
    /// Adds `number` to the WABA `waba`, once; the answer is the new number's id. The number
    /// is then neither verified nor registered.
    pub async fn add_number(
        &self,
        waba: &NumberId,
        number: &NewNumber,
    ) -> Result<NumberId, MutationError> {
        let intent = Intent {
            number: waba,
            op: Operation::Add,
            region: None,
            detail: Some(format!(
                "add {} as '{}' to WABA {waba}",
                number.words(),
                number.name()
            )),
            forced: false,
        };
        self.audited(intent, None, self.client.add_number(waba, number))
            .await
    }

    /// Whether a code request for `id` is to be refused before sending: its ownership is
    /// already verified (Meta would answer 136024). `--force` may pass it (`can_force`).
    pub async fn check_request_code(&self, id: &NumberId) -> Result<Option<Refusal>, ApiError> {
        let number = self.client.get_number(id).await?;
        Ok(
            (number.code_verification_status == Some(CodeVerification::Verified))
                .then(|| Refusal::AlreadyVerified { number: id.clone() }),
        )
    }
}
