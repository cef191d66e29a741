//! What wareg knows of each number's local storage (region, DEFAULT, off…) and when it read
//! it: Meta's `GET /{id}/settings` costs one call of the WABA's budget per number, and storage
//! changes only through a mutation, so a value read once is kept (the ledger stores it,
//! `note_storage`, `storage_of`) and read again only when it is old or a person asks.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

use crate::graph::NumberId;
use crate::graph::types::StorageConfig;

/// How old a kept value may be before it is read again, unless the config says otherwise.
pub const DEFAULT_MAX_AGE_DAYS: u32 = 30;

/// One number's storage as read (or as a mutation set it), and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StorageEntry {
    #[serde(deserialize_with = "number")]
    pub number: NumberId,
    pub storage: StorageConfig,
    pub read_at: DateTime<Utc>,
    /// Who read it ("support1@desk-2").
    #[serde(
        default,
        deserialize_with = "crate::clean::opt_name",
        skip_serializing_if = "Option::is_none"
    )]
    pub operator: Option<String>,
}

impl StorageEntry {
    /// A read at `read_at`, kept to the millisecond (as facts are): every store gives the same
    /// time back.
    pub fn new(number: &NumberId, storage: StorageConfig, read_at: DateTime<Utc>) -> Self {
        use chrono::SubsecRound;
        StorageEntry {
            number: number.clone(),
            storage,
            read_at: read_at.trunc_subsecs(3),
            operator: None,
        }
    }

    /// Whether it is older than `max_age` at `now` (and so read again, a few at a time).
    pub fn is_old(&self, now: DateTime<Utc>, max_age: Duration) -> bool {
        now - self.read_at > max_age
    }
}

/// A number id from a stored line: cleaned and checked like one from Meta.
fn number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<NumberId, D::Error> {
    let text = String::deserialize(d)?;
    NumberId::parse(&crate::clean::owned_text(text, crate::clean::NAME_MAX))
        .map_err(serde::de::Error::custom)
}

/// The newest entry of each number.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StorageBook {
    by_number: HashMap<String, StorageEntry>,
}

impl StorageBook {
    /// Keeps `entry` unless a newer read of the same number is already known.
    pub fn note(&mut self, entry: StorageEntry) {
        match self.by_number.get(entry.number.as_str()) {
            Some(known) if known.read_at > entry.read_at => {}
            _ => {
                self.by_number
                    .insert(entry.number.as_str().to_owned(), entry);
            }
        }
    }

    pub fn get(&self, number: &str) -> Option<&StorageEntry> {
        self.by_number.get(number)
    }

    /// Takes the number's entry out of the book.
    pub fn take(&mut self, number: &str) -> Option<StorageEntry> {
        self.by_number.remove(number)
    }

    pub fn len(&self) -> usize {
        self.by_number.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_number.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &StorageEntry> {
        self.by_number.values()
    }

    /// Folds in another book (the team ledger's over the local file): newest read wins.
    pub fn merge(&mut self, other: StorageBook) {
        for entry in other.by_number.into_values() {
            self.note(entry);
        }
    }
}

impl FromIterator<StorageEntry> for StorageBook {
    fn from_iter<I: IntoIterator<Item = StorageEntry>>(entries: I) -> Self {
        let mut book = StorageBook::default();
        for entry in entries {
            book.note(entry);
        }
        book
    }
}

/// "12 d", "3 h": how old a kept value is, for the STORAGE cell; None while it is under a
/// day old (a value read today is shown plain).
pub fn age_words(read_at: DateTime<Utc>, now: DateTime<Utc>) -> Option<String> {
    let age = now - read_at;
    (age >= Duration::days(1)).then(|| format!("{} d", age.num_days()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::types::StorageStatus;

    fn entry(number: &str, region: &str, days_ago: i64) -> StorageEntry {
        StorageEntry::new(
            &NumberId::parse(number).unwrap(),
            StorageConfig {
                status: StorageStatus::Enabled,
                data_localization_region: Some(region.into()),
            },
            Utc::now() - Duration::days(days_ago),
        )
    }

    #[test]
    fn the_newest_read_of_a_number_wins_whatever_the_order() {
        let book: StorageBook = [entry("1", "DE", 1), entry("1", "BR", 5)]
            .into_iter()
            .collect();
        assert_eq!(
            book.get("1").unwrap().storage.data_localization_region,
            Some("DE".into())
        );
        assert!(
            book.get("1")
                .unwrap()
                .is_old(Utc::now(), Duration::hours(12))
        );
        assert!(
            !book
                .get("1")
                .unwrap()
                .is_old(Utc::now(), Duration::days(30))
        );
        assert_eq!(
            age_words(Utc::now() - Duration::days(12), Utc::now()).as_deref(),
            Some("12 d")
        );
        assert_eq!(age_words(Utc::now() - Duration::hours(3), Utc::now()), None);
    }

    #[test]
    fn a_stored_line_with_a_number_that_is_not_an_id_is_refused() {
        let line = r#"{"number":"12\u001b[31m","storage":{"status":"DEFAULT"},"read_at":"2026-01-01T00:00:00Z"}"#;
        assert!(serde_json::from_str::<StorageEntry>(line).is_err());
        let line =
            r#"{"number":"12","storage":{"status":"DEFAULT"},"read_at":"2026-01-01T00:00:00Z"}"#;
        assert!(serde_json::from_str::<StorageEntry>(line).is_ok());
    }
}
