//! What a form may know of the app: the theme, the clock, the spinner, the budget window, its
//! number's row (profile, label, last read, storage) and version, and the engine's plan for a
//! request on that number as of now. Not the app itself: a form cannot reach another number,
//! the log or the table, so what it shows and sends is about its number alone.

use crate::clock::Clock;
use crate::config::ProfileName;
use crate::engine::{Plan, Request, StorageFact};
use crate::fleet::{Row, Storage};
use crate::graph::{ApiVersion, PhoneNumber, Region};
use crate::tui::theme::Theme;

pub struct FormContext<'a> {
    pub theme: &'a Theme,
    pub clock: Clock,
    /// The spinner's frame, for steps in flight.
    pub spinner: usize,
    /// The budget window in words ("72 h").
    pub window: String,
    /// The number's row, when the number is in the table.
    pub row: Option<&'a Row>,
    /// The API version of the row's profile.
    pub version: Option<ApiVersion>,
    /// The number's change in flight waits for another desk's change of it to end.
    pub lock_wait: bool,
    /// The profiles that name a WABA, with it, the default profile first (where a number can
    /// be added).
    pub wabas: Vec<(ProfileName, crate::graph::NumberId)>,
    /// Display-name changes of the number in Meta's 30 days (10 allowed), as last counted.
    pub renames: crate::audit::Budget,
    planner: &'a dyn Fn(Request) -> Plan,
}

impl<'a> FormContext<'a> {
    pub fn new(
        theme: &'a Theme,
        clock: Clock,
        spinner: usize,
        window: String,
        row: Option<&'a Row>,
        version: Option<ApiVersion>,
        planner: &'a dyn Fn(Request) -> Plan,
    ) -> FormContext<'a> {
        FormContext {
            theme,
            clock,
            spinner,
            window,
            row,
            version,
            lock_wait: false,
            wabas: Vec::new(),
            renames: crate::audit::Budget {
                used: 0,
                limit: crate::engine::RENAME_POLICY.max_attempts,
                next_free: None,
                locked_until: None,
            },
            planner,
        }
    }

    /// The engine's plan for `request` on the form's number, as of what the app knows now.
    pub fn plan(&self, request: Request) -> Plan {
        (self.planner)(request)
    }

    /// The number's facts as the engine's planner takes them from the app (its live read, the
    /// open change, Meta's throttle): those of a plan that changes nothing about storage.
    pub fn facts(&self) -> crate::engine::Facts {
        self.plan(Request::Register(crate::graph::StorageChoice::Keep))
            .facts
    }

    /// The profile of the number's row.
    pub fn profile(&self) -> Option<&ProfileName> {
        self.row.map(|r| &r.profile)
    }

    /// The number as last read successfully (even from a read that is now stale).
    pub fn known_number(&self) -> Option<&PhoneNumber> {
        self.row?.known_number()
    }

    /// The number's phone number as last read.
    pub fn display_number(&self) -> Option<String> {
        self.known_number()?.display_phone_number.clone()
    }

    /// The storage as the engine's planner understands it.
    pub fn storage(&self) -> StorageFact {
        storage_fact(self.row.map(|r| &r.storage))
    }

    /// The region in force, when storage is known to be on in one.
    pub fn region(&self) -> Option<Region> {
        match self.row.map(|r| &r.storage) {
            Some(Storage::Known(s)) => s.region(),
            _ => None,
        }
    }
}

/// A row's storage as the engine's planner understands it.
pub fn storage_fact(storage: Option<&Storage>) -> StorageFact {
    match storage {
        Some(Storage::Known(s)) => s.region().map_or(StorageFact::Off, StorageFact::On),
        Some(Storage::Loading) => StorageFact::Reading,
        _ => StorageFact::Unknown,
    }
}
