//! The deregister confirmation: what happens, the budget cost, and the last four digits of the
//! number typed to confirm.

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use super::{FormEvent, Phase, cycle};
use crate::audit::{Budget, Operation};
use crate::graph::NumberId;
use crate::graph::types::NumberStatus;
use crate::tui::app::App;

#[derive(Debug)]
pub struct DeregisterForm {
    pub id: NumberId,
    pub profile: String,
    /// What the user typed to confirm (digits only, at most 4).
    pub typed: String,
    pub override_budget: bool,
    pub focus: usize,
    pub phase: Phase,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeregisterField {
    Confirm,
    Override,
    Submit,
    Cancel,
}

#[derive(Debug, Clone)]
pub struct DeregisterCheck {
    pub display: String,
    /// The four digits to type.
    pub last4: String,
    pub budget: Budget,
    pub coexistence: bool,
    pub status: Option<NumberStatus>,
    pub problems: Vec<String>,
    pub fields: Vec<DeregisterField>,
}

impl DeregisterForm {
    pub fn new(id: NumberId, profile: String) -> Self {
        DeregisterForm {
            id,
            profile,
            typed: String::new(),
            override_budget: false,
            focus: 0,
            phase: Phase::Editing,
        }
    }

    pub fn focused(&self, check: &DeregisterCheck) -> DeregisterField {
        check
            .fields
            .get(self.focus)
            .copied()
            .unwrap_or(DeregisterField::Confirm)
    }

    pub fn on_key(&mut self, key: &KeyEvent, check: &DeregisterCheck) -> FormEvent {
        if matches!(self.phase, Phase::InFlight { .. }) {
            return FormEvent::None;
        }
        let count = check.fields.len();
        match key.code {
            KeyCode::Esc => return FormEvent::Cancel,
            KeyCode::Tab | KeyCode::Down => self.focus = cycle(self.focus, count, true),
            KeyCode::BackTab | KeyCode::Up => self.focus = cycle(self.focus, count, false),
            _ => match self.focused(check) {
                DeregisterField::Confirm => match key.code {
                    KeyCode::Char(c) if c.is_ascii_digit() && self.typed.len() < 4 => {
                        self.typed.push(c);
                        self.phase = Phase::Editing;
                    }
                    KeyCode::Backspace => {
                        self.typed.pop();
                    }
                    KeyCode::Enter => self.focus = cycle(self.focus, count, true),
                    _ => {}
                },
                DeregisterField::Override => {
                    if matches!(key.code, KeyCode::Enter | KeyCode::Char(' ')) {
                        self.override_budget = !self.override_budget;
                    }
                }
                DeregisterField::Submit => {
                    if key.code == KeyCode::Enter && check.problems.is_empty() {
                        return FormEvent::Submit;
                    }
                }
                DeregisterField::Cancel => {
                    if key.code == KeyCode::Enter {
                        return FormEvent::Cancel;
                    }
                }
            },
        }
        FormEvent::None
    }
}

impl App {
    pub fn deregister_check(&self, form: &DeregisterForm) -> DeregisterCheck {
        let number = self
            .table
            .find(&form.id)
            .and_then(|i| self.table.rows[i].number());
        let display = number
            .and_then(|n| n.display_phone_number.clone())
            .unwrap_or_else(|| form.id.to_string());
        let digits: String = display.chars().filter(char::is_ascii_digit).collect();
        let last4 = digits[digits.len().saturating_sub(4)..].to_owned();
        let budget = self.budgets.budget(form.id.as_str(), Operation::Deregister);
        let coexistence = number.and_then(|n| n.is_on_biz_app) == Some(true);
        let mut problems = Vec::new();
        if coexistence {
            problems.push("this number is also used in the WhatsApp Business app (coexistence): Meta does not allow deregistering it".to_owned());
        }
        if form.typed != last4 {
            problems.push(format!("type the last 4 digits of {display} to confirm"));
        }
        if budget.exhausted() && !form.override_budget {
            problems.push(
                "the deregister budget is used up: tick \"override budget\" to send anyway".into(),
            );
        }
        let mut fields = vec![DeregisterField::Confirm];
        if budget.exhausted() {
            fields.push(DeregisterField::Override);
        }
        fields.extend([DeregisterField::Submit, DeregisterField::Cancel]);
        DeregisterCheck {
            display,
            last4,
            budget,
            coexistence,
            status: number.and_then(|n| n.status.clone()),
            problems,
            fields,
        }
    }
}
