//! A display-name change (`POST /{id}?new_display_name=…`, docs/graph-api-facts.md §9): planned like a register
//! (what stands in the way, in words) and counted in a budget of its own, 10 changes per 30
//! days per number, refused at the limit unless forced. Meta reviews the name; once it is
//! approved the number must be registered again within 14 days for the name to apply.

use chrono::Duration as ChronoDuration;

use super::{Blocker, Engine, Facts, MutationError, PrepareError, StorageFact};
use crate::audit::{Budget, BudgetBook, Operation};
use crate::config::BudgetPolicy;
use crate::graph::{Answered, DisplayName, NumberId};

/// Meta's limit on display-name changes: 10 per 30 days (docs/graph-api-facts.md §9).
pub const RENAME_POLICY: BudgetPolicy = BudgetPolicy {
    window: std::time::Duration::from_secs(30 * 24 * 3600),
    max_attempts: 10,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenamePlan {
    pub number: NumberId,
    pub name: DisplayName,
    pub facts: Facts,
    /// Display-name changes asked for in the last 30 days.
    pub budget: Budget,
    pub blockers: Vec<Blocker>,
    /// What follows, in words: the review, then a re-register within 14 days.
    pub notes: Vec<String>,
}

impl RenamePlan {
    /// What still stops it when `force` is given.
    pub fn blocking(&self, force: bool) -> Vec<&Blocker> {
        self.blockers
            .iter()
            .filter(|b| !(force && b.overridable()))
            .collect()
    }

    /// "POST /{id}?new_display_name=Acme New".
    pub fn describe(&self) -> String {
        format!("POST /{}?new_display_name={}", self.number, self.name)
    }
}

/// Chooses what a rename of `number` to `name` meets, from its facts and its rename budget.
pub fn decide_rename(
    number: &NumberId,
    facts: &Facts,
    name: &DisplayName,
    budget: &Budget,
) -> RenamePlan {
    let mut blockers = Vec::new();
    if facts.status.is_none() {
        blockers.push(Blocker::NotRead);
    }
    if facts.official == Some(true) {
        blockers.push(Blocker::OfficialAccount);
    }
    if let Some(throttle) = &facts.throttled {
        blockers.push(Blocker::Throttled(throttle.clone()));
    }
    match &facts.open_intent {
        Some(open) if open.abandoned => blockers.push(Blocker::Abandoned(open.clone())),
        Some(open) => blockers.push(Blocker::InProgress(open.clone())),
        None => {}
    }
    if budget.used + 1 > budget.limit {
        blockers.push(Blocker::BudgetExhausted {
            op: Operation::Rename,
            budget: *budget,
        });
    }
    let target = super::hint::target(number, facts.profile.as_ref());
    let mut notes = vec![format!(
        "Meta reviews the new name; once it is approved, register the number again within 14 days (wareg register {target} --pin-stdin) or the name goes back to review"
    )];
    if facts.verified_name.as_deref() == Some(name.as_str()) {
        notes.push(format!(
            "'{name}' is already the number's display name: the change would only spend one of the {} allowed in 30 days",
            budget.limit
        ));
    }
    if let Some(review) = facts.new_name_status.as_ref().filter(|s| s.in_review()) {
        // Meta does not always say which name is in review: then say so, never a stand-in
        // that reads like a real name.
        let asked = facts.new_name.as_deref().map_or_else(
            || "the name asked for before".to_owned(),
            |n| format!("'{n}'"),
        );
        notes.push(format!(
            "{asked} is still under review ({review}): a new request takes its place"
        ));
    }
    notes.push(format!(
        "{} of {} display-name changes left in 30 days after this",
        budget.left().saturating_sub(1),
        budget.limit
    ));
    RenamePlan {
        number: number.clone(),
        name: name.clone(),
        facts: facts.clone(),
        budget: *budget,
        blockers,
        notes,
    }
}

impl Engine {
    /// Reads the number's rename budget (first: a ledger that does not answer stops it before
    /// Meta is asked anything) and the number, and plans the change.
    pub async fn prepare_rename(
        &self,
        id: &NumberId,
        name: &DisplayName,
    ) -> Result<RenamePlan, PrepareError> {
        let (budget, open) = self
            .rename_state(id)
            .await
            .map_err(PrepareError::of_ledger)?;
        let number = self
            .client
            .get_number(id)
            .await
            .map_err(PrepareError::Read)?;
        let mut facts = Facts::from_number(&number, StorageFact::Unknown);
        facts.throttled = self.client.throttle();
        facts.open_intent = open;
        facts.profile = self.hint_profile.clone();
        Ok(decide_rename(id, &facts, name, &budget))
    }

    /// The number's rename budget (its last 30 days) and the change of it still open.
    async fn rename_state(
        &self,
        id: &NumberId,
    ) -> std::io::Result<(Budget, Option<super::OpenIntent>)> {
        let now = self.clock.now();
        let since = now - ChronoDuration::days(30);
        let records = {
            let id = id.clone();
            crate::ledger::blocking(&self.ledger, move |l| l.read_since_of(since, &id)).await?
        };
        let book = BudgetBook::new(&records, RENAME_POLICY, now);
        let (_, open) = self.number_state(id).await?;
        Ok((book.budget(id.as_str(), Operation::Rename), open))
    }

    /// Sends the rename once: refused here (nothing sent) when a blocker nothing overrides is
    /// in the plan, or when, counted again under the ledger's lock, the budget has no room
    /// and `force` is not given (which the record says when it is).
    pub async fn rename(&self, plan: &RenamePlan, force: bool) -> Result<Answered, MutationError> {
        if let Some(blocker) = plan.blocking(force).first() {
            return Err(MutationError::Refused(super::Refusal::Rename {
                number: plan.number.clone(),
                blocker: (*blocker).clone(),
            }));
        }
        let forced = force && plan.blockers.iter().any(Blocker::override_is_recorded);
        let intent = super::Intent {
            number: &plan.number,
            op: Operation::Rename,
            region: None,
            detail: Some(format!("new display name '{}'", plan.name)),
            forced,
        };
        let costs = [(Operation::Rename, 1)];
        self.audited(
            intent,
            Some(&costs),
            self.client.rename(&plan.number, &plan.name),
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::types::NumberStatus;

    fn budget(used: u32) -> Budget {
        Budget {
            used,
            limit: 10,
            next_free: None,
            locked_until: None,
        }
    }

    #[test]
    fn a_rename_is_refused_at_ten_in_30_days_and_an_official_account_goes_through_support() {
        let id = NumberId::parse("1065").unwrap();
        let name = DisplayName::parse("Acme New").unwrap();
        let facts = Facts {
            status: Some(NumberStatus::Connected),
            ..Facts::default()
        };
        let fine = decide_rename(&id, &facts, &name, &budget(9));
        assert!(fine.blockers.is_empty(), "{:?}", fine.blockers);
        assert!(
            fine.notes.iter().any(|n| n.contains("within 14 days")),
            "{:?}",
            fine.notes
        );
        assert!(
            fine.notes
                .iter()
                .any(|n| n == "0 of 10 display-name changes left in 30 days after this")
        );
        let spent = decide_rename(&id, &facts, &name, &budget(10));
        assert!(matches!(
            spent.blockers.as_slice(),
            [Blocker::BudgetExhausted {
                op: Operation::Rename,
                ..
            }]
        ));
        assert!(spent.blocking(true).is_empty(), "--force passes it");
        assert!(spent.blockers[0].override_is_recorded());
        let official = Facts {
            official: Some(true),
            ..facts
        };
        let plan = decide_rename(&id, &official, &name, &budget(0));
        assert_eq!(plan.blockers, [Blocker::OfficialAccount]);
        assert!(plan.blockers[0].words().contains("direct support"));
        assert_eq!(plan.describe(), "POST /1065?new_display_name=Acme New");
    }

    #[test]
    fn a_name_in_review_is_named_and_an_unnamed_one_is_not_given_a_stand_in() {
        use crate::graph::types::NameStatus;
        let id = NumberId::parse("1065").unwrap();
        let name = DisplayName::parse("Acme New").unwrap();
        let unnamed = Facts {
            status: Some(NumberStatus::Connected),
            new_name_status: Some(NameStatus::PendingReview),
            ..Facts::default()
        };
        let plan = decide_rename(&id, &unnamed, &name, &budget(0));
        let note = plan.notes.iter().find(|n| n.contains("still under review"));
        assert_eq!(
            note.map(String::as_str),
            Some(
                "the name asked for before is still under review (PENDING_REVIEW): a new request takes its place"
            ),
            "{:?}",
            plan.notes
        );
        let named = Facts {
            new_name: Some("Acme Old".into()),
            ..unnamed
        };
        let plan = decide_rename(&id, &named, &name, &budget(0));
        assert!(
            plan.notes
                .iter()
                .any(|n| n.starts_with("'Acme Old' is still under review")),
            "{:?}",
            plan.notes
        );
    }
}
