//! The two-step PIN form: the new PIN twice, masked. The old PIN is not needed, and the API
//! cannot turn two-step verification off.

use ratatui::text::{Line, Span};

use super::fields::{Field, cycle, focused, navigate, press};
use super::parts::foot;
use super::{
    AfterReply, Failure, FormComponent, FormContent, FormContext, FormEvent, FormReply, Phase,
    Submission,
};
use crate::config::ProfileName;
use crate::graph::NumberId;
use crate::tui::keys::{Action, FieldKind, InputEvent, Place};
use crate::tui::msg::EngineCall;
use crate::tui::view::popup::{field_label, masked_slots};
use crate::tui::widgets::SecretField;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinField {
    New,
    Again,
    Set,
    Cancel,
}

impl Field for PinField {
    fn kind(self) -> FieldKind {
        match self {
            PinField::New | PinField::Again => FieldKind::Digits,
            PinField::Set | PinField::Cancel => FieldKind::Button,
        }
    }
}

const FIELDS: [PinField; 4] = [
    PinField::New,
    PinField::Again,
    PinField::Set,
    PinField::Cancel,
];

#[derive(Debug)]
pub struct PinForm {
    pub id: NumberId,
    pub profile: ProfileName,
    pub first: SecretField,
    pub again: SecretField,
    pub focus: usize,
    pub phase: Phase,
}

pub fn open(cx: &FormContext, id: &NumberId) -> Option<Box<dyn FormComponent>> {
    let profile = cx.profile()?.clone();
    Some(Box::new(PinForm::new(id.clone(), profile)))
}

impl PinForm {
    pub fn new(id: NumberId, profile: ProfileName) -> Self {
        PinForm {
            id,
            profile,
            first: SecretField::new(6),
            again: SecretField::new(6),
            focus: 0,
            phase: Phase::Editing,
        }
    }

    pub fn focused(&self) -> PinField {
        focused(&FIELDS, self.focus).unwrap_or(PinField::New)
    }

    /// Why Set is disabled, if it is.
    pub fn problem(&self) -> Option<String> {
        if let Some(p) = self.first.problem() {
            return Some(format!("new PIN: {p}"));
        }
        if !self.again.is_complete() {
            return Some("type the new PIN again".into());
        }
        (!self.first.same_as(&self.again)).then(|| "the two PINs differ".into())
    }
}

impl FormComponent for PinForm {
    crate::form_basics!();

    fn place(&self, _cx: &FormContext) -> Place {
        Place::Field(self.focused().kind())
    }

    fn on_key(&mut self, input: &InputEvent, _cx: &FormContext) -> FormEvent {
        if let Some(event) = navigate(input, &mut self.focus, FIELDS.len()) {
            return event;
        }
        let field = match self.focused() {
            PinField::New => &mut self.first,
            PinField::Again => &mut self.again,
            button => return press(input, button == PinField::Set, self.problem().is_none()),
        };
        match input.action {
            Some(Action::Type) => {
                if let Some(c) = input.typed() {
                    field.push(c);
                }
            }
            Some(Action::Erase) => field.pop(),
            Some(Action::Press) => self.focus = cycle(self.focus, FIELDS.len(), true),
            _ => {}
        }
        if matches!(self.phase, Phase::Failed(_)) {
            self.phase = Phase::Editing;
        }
        FormEvent::None
    }

    fn submit(&mut self, _cx: &FormContext) -> Option<Submission> {
        let pin = self.first.to_pin()?;
        Some(Submission {
            call: EngineCall::SetPin {
                id: self.id.clone(),
                pin,
            },
            notice: None,
        })
    }

    fn on_reply(&mut self, reply: FormReply<'_>) -> AfterReply {
        match reply.result {
            Ok(()) => AfterReply {
                close: true,
                done: Some("two-step PIN set"),
            },
            Err(e) => {
                self.first.clear();
                self.again.clear();
                self.focus = 0;
                self.phase = Phase::Failed(Failure::of(e, reply.now));
                AfterReply::default()
            }
        }
    }

    fn content(&self, cx: &FormContext) -> FormContent {
        let theme = cx.theme;
        let editing = !matches!(self.phase, Phase::InFlight { .. });
        let f = |field: PinField| editing && self.focused() == field;
        let lines: Vec<Line<'static>> = vec![
            Line::raw(
                "Sets or changes the two-step verification PIN (POST /{id} with the new PIN).",
            ),
            Line::raw("The old PIN is not needed. The API cannot turn two-step verification off."),
            Line::raw("The next register of this number must use the new PIN."),
            Line::raw(""),
            Line::from(vec![
                field_label(theme, "New PIN", f(PinField::New)),
                Span::raw(masked_slots(&self.first, 6)),
            ]),
            Line::from(vec![
                field_label(theme, "Again", f(PinField::Again)),
                Span::raw(masked_slots(&self.again, 6)),
            ]),
            Line::raw(""),
        ];
        let tail = foot(
            cx,
            &self.phase,
            ("Set PIN", f(PinField::Set), self.problem().is_none()),
            f(PinField::Cancel),
            self.problem().as_deref(),
            None,
            "sending…",
        );
        FormContent {
            title: format!(
                "Two-step PIN {} {}",
                self.id,
                cx.display_number().unwrap_or_default()
            ),
            width: 78,
            body: lines,
            tail,
        }
    }
}
