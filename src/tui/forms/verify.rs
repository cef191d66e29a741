//! Ownership verification: pick SMS or voice and a language, request the code, then type the
//! six digits received.

use crate::config::ProfileName;
use ratatui::crossterm::event::{KeyCode, KeyEvent};

use super::{FormEvent, Phase, cycle};
use crate::graph::{CodeMethod, NumberId};
use crate::tui::widgets::SecretField;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VerifyStage {
    /// Method, language, Request code, Cancel.
    Request,
    /// Code, Verify, Cancel.
    EnterCode,
}

#[derive(Debug)]
pub struct VerifyForm {
    pub id: NumberId,
    pub profile: ProfileName,
    pub stage: VerifyStage,
    pub method: CodeMethod,
    pub language: String,
    pub code: SecretField,
    pub focus: usize,
    pub phase: Phase,
}

impl VerifyForm {
    pub fn new(id: NumberId, profile: ProfileName) -> Self {
        VerifyForm {
            id,
            profile,
            stage: VerifyStage::Request,
            method: CodeMethod::Sms,
            language: "en_US".into(),
            code: SecretField::new(6),
            focus: 0,
            phase: Phase::Editing,
        }
    }

    pub fn field_count(&self) -> usize {
        match self.stage {
            VerifyStage::Request => 4,
            VerifyStage::EnterCode => 3,
        }
    }

    /// Why the button is disabled, if it is.
    pub fn problem(&self) -> Option<String> {
        match self.stage {
            VerifyStage::Request => (!crate::graph::types::is_language_code(&self.language))
                .then(|| "language: write it like en_US".into()),
            VerifyStage::EnterCode => self.code.problem().map(|p| format!("code: {p}")),
        }
    }

    /// The code was requested: move on to typing it.
    pub fn code_sent(&mut self) {
        self.stage = VerifyStage::EnterCode;
        self.focus = 0;
        self.phase = Phase::Editing;
    }

    pub fn on_key(&mut self, key: &KeyEvent) -> FormEvent {
        if matches!(self.phase, Phase::InFlight { .. }) {
            return FormEvent::None;
        }
        let count = self.field_count();
        match key.code {
            KeyCode::Esc => return FormEvent::Cancel,
            KeyCode::Tab | KeyCode::Down => self.focus = cycle(self.focus, count, true),
            KeyCode::BackTab | KeyCode::Up => self.focus = cycle(self.focus, count, false),
            _ => {
                let button = self.focus + 1 >= count - 1;
                if button {
                    if key.code == KeyCode::Enter {
                        if self.focus == count - 1 {
                            return FormEvent::Cancel;
                        }
                        if self.problem().is_none() {
                            return FormEvent::Submit;
                        }
                    }
                    return FormEvent::None;
                }
                match (self.stage, self.focus) {
                    (VerifyStage::Request, 0) => {
                        if matches!(
                            key.code,
                            KeyCode::Left | KeyCode::Right | KeyCode::Char(' ') | KeyCode::Enter
                        ) {
                            self.method = match self.method {
                                CodeMethod::Sms => CodeMethod::Voice,
                                CodeMethod::Voice => CodeMethod::Sms,
                            };
                        }
                    }
                    (VerifyStage::Request, _) => match key.code {
                        KeyCode::Char(c)
                            if (c.is_ascii_alphabetic() || c == '_') && self.language.len() < 5 =>
                        {
                            self.language.push(c)
                        }
                        KeyCode::Backspace => {
                            self.language.pop();
                        }
                        KeyCode::Enter => self.focus = cycle(self.focus, count, true),
                        _ => {}
                    },
                    (VerifyStage::EnterCode, _) => match key.code {
                        KeyCode::Char(c) => {
                            self.code.push(c);
                        }
                        KeyCode::Backspace => self.code.pop(),
                        KeyCode::Enter => self.focus = cycle(self.focus, count, true),
                        _ => {}
                    },
                }
                if matches!(self.phase, Phase::Failed(_)) {
                    self.phase = Phase::Editing;
                }
            }
        }
        FormEvent::None
    }
}
