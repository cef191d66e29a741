//! One number as both faces know it: who it is (id, label, profile), its latest read, the last
//! good one when that read failed, and its storage setting. `wareg numbers` and the TUI table
//! hold the same `Row`; the fleet machine changes it, the columns (`column.rs`) read it.

use chrono::{DateTime, Utc};

use crate::config::{Config, ProfileName};
use crate::graph::types::StorageConfig;
use crate::graph::{ApiError, NumberId, PhoneNumber};

/// How a row starts the words of a read that was not sent (its profile's reads stopped).
pub const NOT_READ: &str = "not read: ";

/// The number's latest live read.
#[derive(Debug, Clone)]
pub enum Live {
    /// Not read since the last refresh began (or not read at all).
    Loading,
    Loaded(Box<PhoneNumber>),
    /// The read failed, or the fleet stopped waiting for it ("no longer listed").
    Failed(Box<ApiError>),
}

impl PartialEq for Live {
    /// Errors compare by what they say: an `ApiError` holds no value worth more than its words.
    fn eq(&self, other: &Live) -> bool {
        match (self, other) {
            (Live::Loading, Live::Loading) => true,
            (Live::Loaded(a), Live::Loaded(b)) => a == b,
            (Live::Failed(a), Live::Failed(b)) => a.to_string() == b.to_string(),
            _ => false,
        }
    }
}

/// The number's local-storage setting, read with a call of its own (`/settings`).
#[derive(Debug, Clone, PartialEq)]
pub enum Storage {
    /// Not read (discovered numbers are read on demand to spare the rate limit).
    NotRead,
    Loading,
    Known(StorageConfig),
    Failed(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub id: NumberId,
    pub label: Option<String>,
    pub profile: ProfileName,
    /// Listed in the config (false: discovered through the WABA).
    pub configured: bool,
    pub live: Live,
    pub storage: Storage,
    /// The last successful read and when it came, kept only while the live value is not that
    /// read (loading again, or failed): shown, marked stale, when a later read fails. Held
    /// once, not beside every loaded number.
    pub last_good: Option<(Box<PhoneNumber>, DateTime<Utc>)>,
    /// When the loaded value was read.
    read_at: Option<DateTime<Utc>>,
    /// What the number needs next, as the engine says from its read, budgets and recorded
    /// facts (`fleet::next`); None until it is worked out.
    pub next: Option<crate::engine::NextStep>,
    /// When the known storage was read (by this process or kept from an earlier one).
    pub storage_read_at: Option<DateTime<Utc>>,
}

impl Row {
    /// A configured number with nothing read yet.
    pub fn configured(id: NumberId, label: Option<String>, profile: ProfileName) -> Row {
        Row {
            id,
            label,
            profile,
            configured: true,
            live: Live::Loading,
            storage: Storage::NotRead,
            last_good: None,
            read_at: None,
            next: None,
            storage_read_at: None,
        }
    }

    /// A number a listing returned that the config does not name.
    pub fn discovered(
        id: NumberId,
        profile: &str,
        number: impl Into<Box<PhoneNumber>>,
        at: DateTime<Utc>,
    ) -> Row {
        Row {
            configured: false,
            live: Live::Loaded(number.into()),
            read_at: Some(at),
            ..Row::configured(id, None, ProfileName::from(profile))
        }
    }

    /// Takes in a storage read at `at` (now, or kept from before).
    pub fn set_storage(&mut self, storage: crate::graph::StorageConfig, at: DateTime<Utc>) {
        self.storage = Storage::Known(storage);
        self.storage_read_at = Some(at);
    }

    /// The number as read now.
    pub fn number(&self) -> Option<&PhoneNumber> {
        match &self.live {
            Live::Loaded(n) => Some(n.as_ref()),
            _ => None,
        }
    }

    /// The number as last read successfully (now, or before a read that failed).
    pub fn known_number(&self) -> Option<&PhoneNumber> {
        self.number()
            .or_else(|| self.last_good.as_ref().map(|(n, _)| n.as_ref()))
    }

    /// When [`Row::known_number`] was read.
    pub fn known_read_at(&self) -> Option<DateTime<Utc>> {
        match &self.live {
            Live::Loaded(_) => self.read_at,
            _ => self.last_good.as_ref().map(|(_, at)| *at),
        }
    }

    /// The label, else Meta's verified name (as last known).
    pub fn title(&self) -> &str {
        self.label
            .as_deref()
            .or_else(|| self.known_number().and_then(|n| n.verified_name.as_deref()))
            .unwrap_or("")
    }

    /// The latest read was not sent (a throttle, or its profile's reads stopped): nothing
    /// failed on the number itself.
    pub fn not_sent(&self) -> bool {
        match &self.live {
            Live::Failed(e) => match e.as_ref() {
                ApiError::Throttled(_) => true,
                ApiError::Refused(why) => why.starts_with(NOT_READ),
                _ => false,
            },
            _ => false,
        }
    }

    /// Why the latest read failed.
    pub fn error(&self) -> Option<&ApiError> {
        match &self.live {
            Live::Failed(e) => Some(e),
            _ => None,
        }
    }

    /// The storage setting as the table shows it ("DE", "off"), when it was read.
    pub fn storage_summary(&self) -> Option<String> {
        match &self.storage {
            Storage::Known(s) => Some(s.summary()),
            _ => None,
        }
    }

    /// No live read has come back since the last refresh.
    pub fn waiting(&self) -> bool {
        matches!(self.live, Live::Loading)
    }

    /// A refresh began: the row waits for its read, keeping what it knew.
    pub fn set_waiting(&mut self) {
        self.keep_last_good();
        self.live = Live::Loading;
    }

    /// A read came back `at` (the face's clock: the TUI shows when a stale value was read).
    pub fn set_read(&mut self, read: Result<PhoneNumber, ApiError>, at: DateTime<Utc>) {
        self.set_read_boxed(read.map(Box::new), at);
    }

    /// The same with the number boxed already (a listing's): the row takes the box.
    pub fn set_read_boxed(&mut self, read: Result<Box<PhoneNumber>, ApiError>, at: DateTime<Utc>) {
        match read {
            Ok(number) => {
                self.live = Live::Loaded(number);
                self.read_at = Some(at);
                self.last_good = None;
            }
            Err(e) => self.set_failed(e),
        }
    }

    /// A discovered number the listing no longer returns, or whose listing failed.
    pub fn set_gone(&mut self, why: &str) {
        self.set_failed(ApiError::Refused(why.to_owned()));
    }

    /// The read failed (or could not be made: "no token"); what was known stays, stale.
    pub fn set_failed(&mut self, e: ApiError) {
        self.keep_last_good();
        self.live = Live::Failed(Box::new(e));
    }

    /// Moves a loaded value to `last_good` before the live value changes.
    fn keep_last_good(&mut self) {
        if let (Live::Loaded(_), Some(at)) = (&self.live, self.read_at) {
            let Live::Loaded(number) = std::mem::replace(&mut self.live, Live::Loading) else {
                return;
            };
            self.last_good = Some((number, at));
        }
    }
}

/// The configured numbers, in config order, with no live data yet.
pub fn configured_rows(config: &Config, only_profile: Option<&str>) -> Vec<Row> {
    config
        .numbers
        .iter()
        .filter(|n| only_profile.is_none_or(|p| n.profile == p))
        .map(|n| Row::configured(n.id.clone(), n.label.clone(), n.profile.clone()))
        .collect()
}

/// The rows of the config's entries, taken over (no copy of their strings).
pub fn rows_of(entries: Vec<crate::config::NumberEntry>) -> Vec<Row> {
    entries
        .into_iter()
        .map(|n| Row::configured(n.id, n.label, n.profile))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn number(name: &str) -> PhoneNumber {
        PhoneNumber {
            id: "1".into(),
            verified_name: Some(name.into()),
            ..PhoneNumber::default()
        }
    }

    #[test]
    fn a_failed_read_keeps_the_last_good_one_and_a_good_read_drops_it() {
        let at = Utc::now();
        let mut row = Row::configured(NumberId::parse("1").unwrap(), None, "p".into());
        row.set_read(Ok(number("Acme")), at);
        assert!(row.last_good.is_none(), "a loaded value is held once");
        row.set_waiting();
        assert_eq!(
            row.known_number().map(|n| n.verified_name.clone()),
            Some(Some("Acme".into()))
        );
        row.set_read(Err(ApiError::Refused("timeout".into())), at);
        assert_eq!(row.title(), "Acme", "the stale name still names it");
        assert_eq!(row.last_good.as_ref().map(|(_, t)| *t), Some(at));
        row.set_read(Ok(number("Acme 2")), at);
        assert!(row.last_good.is_none());
        assert_eq!(row.title(), "Acme 2");
    }
}
