//! PINs for many numbers: one PIN for all (typed once, masked, or from the environment), or a
//! per-number command configured in the profile (`pin_command = ["pass", "show",
//! "whatsapp/{id}"]`), run without a shell and with a timeout. A PIN is never in wareg's argv,
//! the journal or a message.

use std::time::Duration;

use crate::config::TokenSource;
use crate::graph::NumberId;
use crate::secret::Pin;

#[derive(Clone)]
pub enum PinSource {
    /// No PIN is needed (deregister).
    None,
    One(Pin),
    /// The profile's argv template, `{id}` replaced by the number's id.
    PerNumber {
        argv: Vec<String>,
        timeout: Duration,
    },
}

impl PinSource {
    /// The PIN for `id`; the error never holds the PIN or what the command printed.
    pub fn pin_for(&self, id: &NumberId) -> Result<Option<Pin>, String> {
        match self {
            PinSource::None => Ok(None),
            PinSource::One(pin) => Ok(Some(pin.clone())),
            PinSource::PerNumber { argv, timeout } => {
                let argv: Vec<String> = argv
                    .iter()
                    .map(|a| a.replace("{id}", id.as_str()))
                    .collect();
                let program = argv.first().cloned().unwrap_or_default();
                // What the command printed on failure is never repeated: it may hold the PIN.
                let secret = TokenSource::Command(argv)
                    .resolve_within(*timeout)
                    .map_err(|e| match e {
                        crate::config::TokenError::CommandFailed { status, .. } => format!(
                            "pin_command `{program}` for {id} failed ({status}); what it printed is not shown"
                        ),
                        other => format!("pin_command for {id}: {}", other.to_string().replace("token_command", "pin_command")),
                    })?;
                Pin::parse(secret.expose().trim()).map(Some).map_err(|_| {
                    format!("pin_command `{program}` for {id} did not print a 6-digit PIN")
                })
            }
        }
    }
}
