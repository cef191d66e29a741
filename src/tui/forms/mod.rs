//! The forms: register (and region change), deregister, two-step PIN, ownership verification,
//! adding a number and changing its display name.
//! Each form is one component in one file: its fields, its keys, what it sends, what it does
//! with the reply, and how it is drawn (`FormComponent`). The app hosts whichever is open
//! (`app/form_host.rs`) without knowing which it is.
//!
//! Adding a form: a new file here implementing `FormComponent`, its `mod` line below, its kind
//! in `keys::FormKind` and its arm in `registry::open`.

pub mod add;
mod component;
mod context;
pub mod deregister;
mod engine_plan;
pub mod fields;
pub mod parts;
pub mod pin;
pub mod register;
pub mod registry;
pub mod rename;
pub mod verify;

pub use add::AddForm;
pub use component::{
    AfterReply, FormComponent, FormContent, FormEvent, FormReply, Submission, downcast,
};
pub use context::{FormContext, storage_fact};
pub use deregister::DeregisterForm;
pub use fields::Field;
pub use pin::PinForm;
pub use register::{Preflight, RegisterForm};
pub use rename::RenameForm;
pub use verify::{VerifyForm, VerifyStage};

use chrono::{DateTime, Utc};

use crate::engine::Step;
use crate::tui::msg::{RequestId, StepFailure};

#[derive(Debug, Clone, PartialEq)]
pub enum Phase {
    Editing,
    InFlight { request: RequestId },
    Failed(Failure),
}

/// What went wrong, kept so the form can explain it (the catalogue's words are looked up by
/// code when drawn).
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub message: String,
    pub code: Option<i64>,
    /// What the catalogue says of it (see `StepFailure::entry`).
    pub entry: Option<&'static crate::graph::catalogue::CatalogueEntry>,
    pub unknown_outcome: bool,
    /// After an unknown outcome: the number as the engine read it back.
    pub readback: Option<String>,
    pub at: DateTime<Utc>,
}

impl Failure {
    pub fn of(e: &StepFailure, at: DateTime<Utc>) -> Failure {
        Failure {
            message: e.message.clone(),
            code: e.code,
            entry: e
                .entry
                .or_else(|| e.code.and_then(crate::graph::catalogue::lookup)),
            unknown_outcome: e.unknown_outcome,
            readback: e.readback.clone(),
            at,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepState {
    Waiting,
    Running,
    Done,
    Failed,
    /// Not sent because an earlier step failed.
    Skipped,
}

/// A plan's steps and how far they got, for the in-flight view.
pub type Progress = Vec<(Step, StepState)>;
