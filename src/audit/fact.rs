//! Facts about a number that wareg learns and Graph does not keep for it: when wareg first saw
//! a requested display name approved (Graph gives no approval time, and a re-register must
//! follow within 14 days of it, docs/graph-api-facts.md §9), when a register last succeeded, and what Meta said
//! when it refused a register with 2388001. They are kept apart from the audit records, so
//! that budgets and `wareg audit` never see them; the ledger stores them (`note_fact`,
//! `facts_of`).

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

use crate::graph::NumberId;

/// How long after its approval a requested name waits to be applied by a re-register; past
/// it, Meta sends the name back to review (docs/graph-api-facts.md §9).
pub const REREGISTER_WITHIN_DAYS: i64 = 14;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FactKind {
    /// wareg saw `new_name_status` APPROVED: the value is the approved name, the time when
    /// wareg first saw it so.
    NameApproved,
    /// A register of the number succeeded (the value is its attempt).
    Registered,
    /// Meta refused a register (2388001): the number is on an existing WhatsApp account. The
    /// value is Meta's words.
    OnExistingAccount,
    /// Meta refused a register (2388001): the display name could not be processed. The value
    /// is Meta's words.
    NameRefused,
    /// Written by a newer wareg; kept out of every rule.
    #[serde(other)]
    Other,
}

impl FactKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FactKind::NameApproved => "name_approved",
            FactKind::Registered => "registered",
            FactKind::OnExistingAccount => "on_existing_account",
            FactKind::NameRefused => "name_refused",
            FactKind::Other => "other",
        }
    }

    pub fn parse(text: &str) -> FactKind {
        [
            FactKind::NameApproved,
            FactKind::Registered,
            FactKind::OnExistingAccount,
            FactKind::NameRefused,
        ]
        .into_iter()
        .find(|k| k.as_str() == text)
        .unwrap_or(FactKind::Other)
    }

    /// Whether a fact of this kind keeps its first time while its value stays the same (an
    /// approval counts from its first sighting); the others are replaced by a newer one.
    pub fn keeps_first(self) -> bool {
        self == FactKind::NameApproved
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fact {
    #[serde(deserialize_with = "number")]
    pub number: NumberId,
    pub kind: FactKind,
    #[serde(deserialize_with = "crate::clean::message")]
    pub value: String,
    pub time: DateTime<Utc>,
    /// Who saw it ("support1@desk-2").
    #[serde(
        default,
        deserialize_with = "crate::clean::opt_name",
        skip_serializing_if = "Option::is_none"
    )]
    pub operator: Option<String>,
}

fn number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<NumberId, D::Error> {
    let raw = String::deserialize(d)?;
    NumberId::parse(&crate::clean::owned_text(raw, crate::clean::NAME_MAX))
        .map_err(serde::de::Error::custom)
}

impl Fact {
    /// A fact at `time`, kept to the millisecond (as audit records are): every store gives the
    /// same time back, whatever precision it keeps.
    pub fn new(number: &NumberId, kind: FactKind, value: &str, time: DateTime<Utc>) -> Fact {
        use chrono::SubsecRound;
        Fact {
            number: number.clone(),
            kind,
            value: crate::clean::text(value, crate::clean::MESSAGE_MAX),
            time: time.trunc_subsecs(3),
            operator: None,
        }
    }

    /// Whether `self`, already known, gives way to `newer`: a new value of a kind that keeps
    /// its first sighting, or a later fact of any other kind.
    pub fn replaced_by(&self, newer: &Fact) -> bool {
        if self.kind.keeps_first() {
            self.value != newer.value
        } else {
            newer.time >= self.time
        }
    }
}

/// Every number's facts, one of each kind, as the ledger holds them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FactBook {
    facts: HashMap<(String, FactKind), Fact>,
}

impl FactBook {
    /// Takes in a fact the way the ledger keeps it: see [`Fact::replaced_by`].
    pub fn note(&mut self, fact: Fact) {
        let key = (fact.number.as_str().to_owned(), fact.kind);
        match self.facts.get(&key) {
            Some(known) if !known.replaced_by(&fact) => {}
            _ => {
                self.facts.insert(key, fact);
            }
        }
    }

    pub fn get(&self, number: &str, kind: FactKind) -> Option<&Fact> {
        self.facts.get(&(number.to_owned(), kind))
    }

    pub fn len(&self) -> usize {
        self.facts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.facts.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Fact> {
        self.facts.values()
    }

    /// What the rules need of one number's facts.
    pub fn recorded(&self, number: &str) -> Recorded {
        let of = |kind| self.get(number, kind).cloned();
        Recorded {
            approval: of(FactKind::NameApproved),
            registered: self.get(number, FactKind::Registered).map(|f| f.time),
            on_existing_account: of(FactKind::OnExistingAccount),
            name_refused: of(FactKind::NameRefused),
        }
    }
}

/// One number's facts as the engine's rules read them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recorded {
    /// The approved name wareg saw, and when it first saw it approved.
    pub approval: Option<Fact>,
    /// When a register of the number last succeeded (as wareg recorded it).
    pub registered: Option<DateTime<Utc>>,
    pub on_existing_account: Option<Fact>,
    pub name_refused: Option<Fact>,
}

impl Recorded {
    /// No register of the number recorded since `fact`.
    fn unanswered(&self, fact: &Fact) -> bool {
        self.registered.is_none_or(|at| at < fact.time)
    }

    /// The approved name that waits to be applied by a re-register at `now`: first seen less
    /// than 14 days ago, and no register recorded since.
    pub fn approval_waiting(&self, now: DateTime<Utc>) -> Option<&Fact> {
        self.approval
            .as_ref()
            .filter(|f| now < reregister_by(f.time) && self.unanswered(f))
    }

    /// Meta said the number is on an existing WhatsApp account, and no register worked since.
    pub fn on_existing_account(&self) -> Option<&Fact> {
        self.on_existing_account
            .as_ref()
            .filter(|f| self.unanswered(f))
    }

    /// Meta said the display name could not be processed, and no register worked since.
    pub fn name_refused(&self) -> Option<&Fact> {
        self.name_refused.as_ref().filter(|f| self.unanswered(f))
    }
}

/// The last moment to re-register after an approval first seen at `seen`.
pub fn reregister_by(seen: DateTime<Utc>) -> DateTime<Utc> {
    seen + Duration::days(REREGISTER_WITHIN_DAYS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id() -> NumberId {
        NumberId::parse("1065").unwrap()
    }

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    #[test]
    fn an_approval_counts_from_its_first_sighting_and_a_new_name_starts_again() {
        let mut book = FactBook::default();
        let first = Fact::new(
            &id(),
            FactKind::NameApproved,
            "Acme New",
            at("2026-12-02T09:00:00Z"),
        );
        book.note(first.clone());
        book.note(Fact::new(
            &id(),
            FactKind::NameApproved,
            "Acme New",
            at("2026-12-05T09:00:00Z"),
        ));
        assert_eq!(book.get("1065", FactKind::NameApproved), Some(&first));
        let other = Fact::new(
            &id(),
            FactKind::NameApproved,
            "Acme Newer",
            at("2026-12-06T09:00:00Z"),
        );
        book.note(other.clone());
        assert_eq!(book.get("1065", FactKind::NameApproved), Some(&other));
        // Other kinds: the later one stands, whatever order they come in.
        let late = Fact::new(
            &id(),
            FactKind::Registered,
            "a2",
            at("2026-12-07T00:00:00Z"),
        );
        book.note(late.clone());
        book.note(Fact::new(
            &id(),
            FactKind::Registered,
            "a1",
            at("2026-12-01T00:00:00Z"),
        ));
        assert_eq!(book.get("1065", FactKind::Registered), Some(&late));
    }

    #[test]
    fn an_approval_waits_fourteen_days_from_its_first_sighting_unless_a_register_follows() {
        let seen = at("2026-12-02T09:00:00Z");
        let recorded = Recorded {
            approval: Some(Fact::new(&id(), FactKind::NameApproved, "Acme New", seen)),
            ..Recorded::default()
        };
        let waits = |now: &str| recorded.approval_waiting(at(now)).is_some();
        assert!(waits("2026-12-02T09:00:00Z"));
        assert!(waits("2026-12-16T08:59:59Z"), "13 days 23:59:59 after");
        assert!(
            !waits("2026-12-16T09:00:00Z"),
            "14 days after: back to review"
        );
        assert_eq!(reregister_by(seen), at("2026-12-16T09:00:00Z"));
        let before = Recorded {
            registered: Some(at("2026-12-01T00:00:00Z")),
            ..recorded.clone()
        };
        assert!(
            before
                .approval_waiting(at("2026-12-03T00:00:00Z"))
                .is_some(),
            "a register before the approval does not apply it"
        );
        let after = Recorded {
            registered: Some(at("2026-12-03T00:00:00Z")),
            ..recorded
        };
        assert!(after.approval_waiting(at("2026-12-04T00:00:00Z")).is_none());
    }
}
