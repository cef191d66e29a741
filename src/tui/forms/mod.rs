//! The forms: register (and region change), deregister, two-step PIN, ownership verification.
//! Each is a list of fields and a focus index; the focused field gets every key first, so
//! typing `q` or `d` into a field never quits or deregisters. Esc cancels.

pub mod deregister;
mod engine_plan;
pub mod flow;
mod pin;
pub mod register;
mod verify;

pub use deregister::DeregisterForm;
pub use pin::PinForm;
pub use register::{Preflight, RegisterForm};
pub use verify::{VerifyForm, VerifyStage};

use chrono::{DateTime, Utc};

use crate::engine::Step;
use crate::tui::msg::RequestId;

#[derive(Debug)]
pub enum Form {
    Register(RegisterForm),
    Deregister(DeregisterForm),
    Pin(PinForm),
    Verify(VerifyForm),
}

impl Form {
    pub fn phase(&self) -> &Phase {
        match self {
            Form::Register(f) => &f.phase,
            Form::Deregister(f) => &f.phase,
            Form::Pin(f) => &f.phase,
            Form::Verify(f) => &f.phase,
        }
    }

    pub fn phase_mut(&mut self) -> &mut Phase {
        match self {
            Form::Register(f) => &mut f.phase,
            Form::Deregister(f) => &mut f.phase,
            Form::Pin(f) => &mut f.phase,
            Form::Verify(f) => &mut f.phase,
        }
    }
}

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
    pub unknown_outcome: bool,
    /// After an unknown outcome: the number as the engine read it back.
    pub readback: Option<String>,
    pub at: DateTime<Utc>,
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

/// What a key did to a form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormEvent {
    None,
    Cancel,
    Submit,
    /// The number is not ownership-verified: open the verify form instead.
    OpenVerify,
}

/// Moves a focus index forward or back over `count` fields, wrapping.
pub fn cycle(focus: usize, count: usize, forward: bool) -> usize {
    let count = count.max(1);
    if forward {
        (focus + 1) % count
    } else {
        (focus + count - 1) % count
    }
}
