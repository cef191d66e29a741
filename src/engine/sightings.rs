//! What wareg must remember of a number that Graph does not keep (`audit::fact`): a requested
//! name seen approved (noted the first time it is seen, whichever face read it), a register
//! that worked, what Meta said when it refused one. Read into the facts every plan and next
//! step is judged with.

use super::{Engine, Facts, NextStep, StorageFact, next_step};
use crate::audit::{Fact, FactKind, Recorded};
use crate::graph::types::NameStatus;
use crate::graph::{ApiError, CertificateRefusal, NumberId, PhoneNumber};
use crate::ledger;

/// The facts a read of `number` shows that the ledger does not hold yet: an approval of a
/// requested name (its first sighting is `now`).
pub fn sightings(
    id: &NumberId,
    number: &PhoneNumber,
    recorded: &Recorded,
    now: chrono::DateTime<chrono::Utc>,
) -> Vec<Fact> {
    if number.new_name_state() != Some(NameStatus::Approved) {
        return Vec::new();
    }
    // Meta changes verified_name at the approval: it names the approved name when the
    // requested one is not given.
    let Some(name) = number
        .new_display_name
        .as_deref()
        .or(number.verified_name.as_deref())
    else {
        return Vec::new();
    };
    let known = recorded
        .approval
        .as_ref()
        .is_some_and(|fact| fact.value == name);
    if known {
        return Vec::new();
    }
    vec![Fact::new(id, FactKind::NameApproved, name, now)]
}

/// The fact a register's answer leaves: that it worked, or which cause of 2388001 Meta named
/// (with its words).
pub fn register_fact(
    id: &NumberId,
    result: &Result<(), &ApiError>,
    now: chrono::DateTime<chrono::Utc>,
) -> Option<Fact> {
    match result {
        Ok(()) => Some(Fact::new(id, FactKind::Registered, "register", now)),
        Err(error) => {
            let graph = error.graph()?;
            let kind = match graph.certificate_refusal()? {
                CertificateRefusal::OnExistingAccount => FactKind::OnExistingAccount,
                CertificateRefusal::DisplayName => FactKind::NameRefused,
                CertificateRefusal::Unclear => return None,
            };
            Some(Fact::new(id, kind, &graph.meta_says(), now))
        }
    }
}

impl Engine {
    /// The number's recorded facts, after noting what `number` (a read made just now) shows
    /// for the first time. A fact that cannot be written is logged: it is a hint, not a
    /// budget, and a read must not fail for it.
    pub async fn recorded(
        &self,
        id: &NumberId,
        number: Option<&PhoneNumber>,
    ) -> std::io::Result<Recorded> {
        let only: std::collections::HashSet<String> = [id.as_str().to_owned()].into();
        let book = ledger::blocking(&self.ledger, move |l| l.facts_of(Some(&only))).await?;
        let mut recorded = book.recorded(id.as_str());
        let now = self.clock.now();
        for mut fact in number
            .map(|n| sightings(id, n, &recorded, now))
            .unwrap_or_default()
        {
            fact.operator = Some(self.operator.clone());
            self.note_fact(fact.clone()).await;
            recorded.approval = Some(fact);
        }
        Ok(recorded)
    }

    /// Writes a fact; a failure is logged, never the caller's.
    pub async fn note_fact(&self, fact: Fact) {
        let written = ledger::blocking(&self.ledger, move |l| l.note_fact(&fact)).await;
        if let Err(e) = written {
            tracing::warn!(target: "wareg::ledger", "could not record a fact of the number: {e}");
        }
    }

    /// The facts of `number` as read now, with everything the ledger knows of it: its budgets,
    /// the change of it in progress, its recorded facts, Meta's throttle.
    pub async fn facts_of(
        &self,
        id: &NumberId,
        number: &PhoneNumber,
    ) -> std::io::Result<(Facts, super::Budgets)> {
        let (budgets, open, unknown) = self.number_ledger_state(id).await?;
        let mut facts = Facts::from_number(number, StorageFact::Unknown);
        facts.open_intent = open;
        facts.unknown_outcome = unknown;
        facts.throttled = self.client.throttle();
        facts.recorded = self.recorded(id, Some(number)).await?;
        facts.read_at = Some(self.clock.now());
        facts.profile = self.hint_profile.clone();
        Ok((facts, budgets))
    }

    /// The number's next step, from a read made just now.
    pub async fn next_of(&self, id: &NumberId, number: &PhoneNumber) -> std::io::Result<NextStep> {
        let (facts, budgets) = self.facts_of(id, number).await?;
        Ok(next_step(id, &facts, &budgets, self.clock.now()))
    }
}
