//! The two-step PIN form: the new PIN twice, masked. The old PIN is not needed, and the API
//! cannot turn two-step verification off.

use crate::config::ProfileName;
use ratatui::crossterm::event::{KeyCode, KeyEvent};

use super::{FormEvent, Phase, cycle};
use crate::graph::NumberId;
use crate::tui::widgets::SecretField;

/// PIN, confirmation, Set, Cancel.
pub const PIN_FIELDS: usize = 4;

#[derive(Debug)]
pub struct PinForm {
    pub id: NumberId,
    pub profile: ProfileName,
    pub first: SecretField,
    pub again: SecretField,
    pub focus: usize,
    pub phase: Phase,
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

    pub fn on_key(&mut self, key: &KeyEvent) -> FormEvent {
        if matches!(self.phase, Phase::InFlight { .. }) {
            return FormEvent::None;
        }
        match key.code {
            KeyCode::Esc => return FormEvent::Cancel,
            KeyCode::Tab | KeyCode::Down => self.focus = cycle(self.focus, PIN_FIELDS, true),
            KeyCode::BackTab | KeyCode::Up => self.focus = cycle(self.focus, PIN_FIELDS, false),
            _ => {
                let field = match self.focus {
                    0 => &mut self.first,
                    1 => &mut self.again,
                    2 => {
                        if key.code == KeyCode::Enter && self.problem().is_none() {
                            return FormEvent::Submit;
                        }
                        return FormEvent::None;
                    }
                    _ => {
                        if key.code == KeyCode::Enter {
                            return FormEvent::Cancel;
                        }
                        return FormEvent::None;
                    }
                };
                match key.code {
                    KeyCode::Char(c) => {
                        field.push(c);
                    }
                    KeyCode::Backspace => field.pop(),
                    KeyCode::Enter => self.focus = cycle(self.focus, PIN_FIELDS, true),
                    _ => {}
                }
                if matches!(self.phase, Phase::Failed(_)) {
                    self.phase = Phase::Editing;
                }
            }
        }
        FormEvent::None
    }
}
