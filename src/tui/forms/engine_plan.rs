//! The forms' plans come from the engine's `decide`, fed with what the table knows of the
//! number (its last live read) and the budgets the engine last counted; the forms add only what
//! belongs to typing (a PIN that is not 6 digits, a confirmation not yet typed).

use crate::audit::Operation;
use crate::engine::{Budgets, Facts, Plan, Request, StorageFact, decide};
use crate::graph::{ApiVersion, NumberId};
use crate::tui::app::App;

impl App {
    /// The storage of a row as the engine's planner understands it.
    pub(crate) fn storage_fact(&self, id: &NumberId) -> StorageFact {
        super::storage_fact(self.table.find(id).map(|i| &self.table.rows[i].storage))
    }

    pub(crate) fn budgets_of(&self, id: &NumberId) -> Budgets {
        Budgets {
            register: self.budgets.budget(id.as_str(), Operation::Register),
            deregister: self.budgets.budget(id.as_str(), Operation::Deregister),
        }
    }

    /// The engine's plan for `request` on the number, as of what the app knows now. A number
    /// not in the table (gone after a refresh) is planned from nothing known.
    pub(crate) fn plan_for(&self, id: &NumberId, profile: &str, request: Request) -> Plan {
        // Planned with the rules of the version Meta will serve (a retired one is answered as
        // the oldest live one).
        let version = self
            .profile(profile)
            .map_or(ApiVersion::DEFAULT, |p| p.version)
            .served(self.clock.now().date_naive());
        let row = self.table.find(id).map(|i| &self.table.rows[i]);
        // Planned from the live read only; a stale one lends its phone number to the words.
        let known_display = row
            .and_then(|r| r.known_number())
            .and_then(|n| n.display_phone_number.clone());
        let mut facts = match row.and_then(|r| r.number()) {
            Some(number) => Facts::from_number(number, self.storage_fact(id)),
            None => Facts {
                storage: Some(self.storage_fact(id)),
                ..Facts::default()
            },
        };
        let mine: Vec<crate::audit::AuditRecord> = self
            .audit
            .iter()
            .filter(|r| r.number == id.as_str())
            .cloned()
            .collect();
        facts.open_intent =
            crate::engine::OpenIntent::of(&mine, self.clock.now(), self.stale_intent);
        facts.display = facts.display.or(known_display);
        facts.throttled = self.throttle.clone().filter(|t| t.until > self.clock.now());
        // The commands the plan's words suggest name a profile that is not the default.
        facts.profile = crate::engine::hint::named_profile(&profile.into(), &self.default_profile);
        // What the ledger recorded of it (an approved name to apply, Meta's 2388001), as the
        // CLI's plan has it, seen at the app's clock.
        facts.recorded = self.facts.recorded(id.as_str());
        facts.read_at = Some(self.clock.now());
        decide(id, version, &facts, request, &self.budgets_of(id))
    }
}
