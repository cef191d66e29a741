//! Bulk actions: one action over many numbers, planned first (a dry run that sends nothing),
//! then run with bounded concurrency through the engine (so every step is budget-gated,
//! audited and refused predictably), journaled so that a crash or a quit can be resumed
//! without sending anything twice.

pub mod journal;
mod pins;
mod plan;
pub mod result;
mod resume;
mod run;
mod seal;
mod stop;
mod tip;

pub use journal::{Entry, Journal, JournalState, NumberState, Sealing};
pub use pins::PinSource;
pub use plan::{BulkPlan, Choice, PlannedRow, RowPlan, Target, plan_all};
pub use result::{NumberResult, StepResult};
pub use resume::{ResumeChoice, resume_rows};
pub use run::{RunOptions, Summary, run};
pub use stop::StopSignal;

use serde::{Deserialize, Serialize};

use crate::engine::Request;
use crate::graph::{Region, StorageChoice};

/// What a bulk run does to each number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// Register numbers that are not registered (with a storage choice).
    Register,
    /// Register again numbers that are registered (e.g. after a display-name change).
    Reregister,
    /// Move registered numbers' local storage to a region (deregister, settings, register).
    Region,
    Deregister,
    /// Set (or change) the two-step PIN.
    SetPin,
}

impl Action {
    pub fn words(self) -> &'static str {
        match self {
            Action::Register => "register",
            Action::Reregister => "re-register",
            Action::Region => "region change",
            Action::Deregister => "deregister",
            Action::SetPin => "set PIN",
        }
    }

    /// Whether its calls carry a PIN (register does; a region change ends with one).
    pub fn needs_pin(self) -> bool {
        !matches!(self, Action::Deregister)
    }

    /// The engine request for each number; None for set-pin, which is one call and no plan.
    pub fn request(self, storage: StorageChoice) -> Option<Request> {
        match self {
            Action::Register => Some(Request::Register(storage)),
            Action::Reregister => Some(Request::Register(StorageChoice::Keep)),
            Action::Region => Some(Request::Register(storage)),
            Action::Deregister => Some(Request::Deregister),
            Action::SetPin => None,
        }
    }

    /// Whether a number's live state can tell after a crash if an interrupted step happened
    /// (a re-register or a PIN change leaves a connected number looking the same).
    pub fn readable_on_resume(self) -> bool {
        matches!(self, Action::Register | Action::Region | Action::Deregister)
    }
}

/// The storage a run asks for, from its journal's region (None: keep).
pub fn storage_of(region: Option<&str>) -> StorageChoice {
    match region {
        Some("off") => StorageChoice::Off,
        Some(code) => code
            .parse::<Region>()
            .map_or(StorageChoice::Keep, StorageChoice::Region),
        None => StorageChoice::Keep,
    }
}
