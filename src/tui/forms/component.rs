//! What a form is to the app: one component that owns its fields, keys, request, reply and
//! drawing. The app (`app/form_host.rs`) opens it, hands it keys (resolved once, through the
//! table of its focused field) and replies, sends what it submits and draws it, and never asks
//! which form it is. A form sees a `FormContext`, not the app.

use std::any::Any;

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::Rect;

use super::{FormContext, Phase};
use crate::config::ProfileName;
use crate::engine::Step;
use crate::graph::NumberId;
use crate::tui::keys::{InputEvent, Place};
use crate::tui::msg::{EngineCall, StepFailure};

pub trait FormComponent: std::fmt::Debug + Send + Any {
    /// The number it acts on.
    fn number(&self) -> &NumberId;
    /// The profile whose token sends its request.
    fn profile(&self) -> &ProfileName;
    fn phase(&self) -> &Phase;
    fn phase_mut(&mut self) -> &mut Phase;

    /// Whether it shows the engine's plan: opening it then counts the budgets again and reads
    /// the number's storage if it is not known (a call to Meta, so only forms that need it).
    fn shows_plan(&self) -> bool {
        false
    }

    /// Which key table reads its keys now: its focused field's kind, or its own place (an open
    /// list). Only asked while it is not sending.
    fn place(&self, cx: &FormContext) -> Place;

    /// A key and its action in the table of `place`, while it is not sending (the app keeps
    /// keys from a form in flight).
    fn on_key(&mut self, input: &InputEvent, cx: &FormContext) -> FormEvent;

    /// What pressing its button sends; `None` when nothing can be sent (the form stays).
    /// The app puts it in flight and sends `call` to the worker.
    fn submit(&mut self, cx: &FormContext) -> Option<Submission>;

    /// A reply to what it sent: a plan's step, or the end.
    fn on_reply(&mut self, reply: FormReply<'_>) -> AfterReply;

    /// Closed with Esc or Cancel: what the log must keep saying after it is gone, if anything.
    fn on_close(&self) -> Option<String> {
        None
    }

    /// What it shows: the host draws it in a popup, the body scrolling when the screen is too
    /// short for all of it, the tail (its buttons and what is said under them) always shown.
    fn content(&self, cx: &FormContext) -> FormContent;

    /// Drawn over the form once it is drawn (an open list); `inner` is the popup's inside.
    fn draw_over(&self, _frame: &mut Frame, _inner: Rect, _cx: &FormContext) {}
}

/// A form's popup: its title, how wide it asks to be, and its lines.
#[derive(Debug)]
pub struct FormContent {
    pub title: String,
    pub width: u16,
    /// The fields, a failure and the plan: what gives way (scrolls) on a short screen.
    pub body: Vec<ratatui::text::Line<'static>>,
    /// The buttons and what is said under them: always shown.
    pub tail: Vec<ratatui::text::Line<'static>>,
}

/// The four accessors every form writes the same way, for a form struct with the fields `id`
/// (`NumberId`), `profile` (`ProfileName`) and `phase` (`Phase`). Used inside its
/// `impl FormComponent` block.
#[macro_export]
macro_rules! form_basics {
    () => {
        fn number(&self) -> &$crate::graph::NumberId {
            &self.id
        }

        fn profile(&self) -> &$crate::config::ProfileName {
            &self.profile
        }

        fn phase(&self) -> &$crate::tui::forms::Phase {
            &self.phase
        }

        fn phase_mut(&mut self) -> &mut $crate::tui::forms::Phase {
            &mut self.phase
        }
    };
}

/// The open form as its own type, for tests and for a form that needs to know another.
pub fn downcast<T: FormComponent>(form: &dyn FormComponent) -> Option<&T> {
    (form as &dyn Any).downcast_ref::<T>()
}

/// What a key did to a form.
#[derive(Debug)]
pub enum FormEvent {
    None,
    Cancel,
    Submit,
    /// Close this form and open that one (register → verify ownership).
    Open(Box<dyn FormComponent>),
    /// Close this form and open the form of that kind for that number, as its key would
    /// (`registry::open`, with that number's context): the next step on the path from added to
    /// registered.
    OpenKind(crate::tui::keys::FormKind, NumberId),
}

/// What a form sends.
#[derive(Debug)]
pub struct Submission {
    pub call: EngineCall,
    /// Said in the log as it is sent ("sending deregister, then register…"), after the name.
    pub notice: Option<String>,
}

/// A reply, as the form sees it.
#[derive(Debug, Clone, Copy)]
pub struct FormReply<'a> {
    /// The plan step it is about; `None` for a single call.
    pub step: Option<Step>,
    pub result: &'a Result<(), StepFailure>,
    /// Nothing more will come for this request.
    pub finished: bool,
    /// The number the call made (an add), when it made one.
    pub created: Option<&'a NumberId>,
    pub now: DateTime<Utc>,
}

/// What the form made of a reply.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct AfterReply {
    pub close: bool,
    /// What happened, for the log: "registered".
    pub done: Option<&'static str>,
}
