//! The deregister confirmation: what happens, the budget cost, and the last four digits of the
//! number typed to confirm.

use crate::config::ProfileName;
use ratatui::crossterm::event::{KeyCode, KeyEvent};

use super::{FormEvent, Phase, cycle};
use crate::engine::{Blocker, Plan, Request};
use crate::graph::NumberId;
use crate::tui::app::App;

#[derive(Debug)]
pub struct DeregisterForm {
    pub id: NumberId,
    pub profile: ProfileName,
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
    pub problems: Vec<String>,
    pub fields: Vec<DeregisterField>,
    /// The engine's plan, sent as it is; the number's facts and budgets are its own.
    pub plan: Plan,
}

impl DeregisterForm {
    pub fn new(id: NumberId, profile: ProfileName) -> Self {
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
                    // Digits that match and nothing else in the way: Enter confirms here.
                    KeyCode::Enter if check.problems.is_empty() => return FormEvent::Submit,
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
        let plan = self.plan_for(&form.id, &form.profile, Request::Deregister);
        let display = plan
            .facts
            .display
            .clone()
            .unwrap_or_else(|| form.id.to_string());
        let digits: String = display.chars().filter(char::is_ascii_digit).collect();
        let last4 = digits[digits.len().saturating_sub(4)..].to_owned();
        let mut problems: Vec<String> = plan
            .blocking(form.override_budget)
            .into_iter()
            .map(|b| {
                if b.overridable() {
                    format!("{}: tick the override to send anyway", b.words())
                } else {
                    b.words()
                }
            })
            .collect();
        if form.typed.len() == 4 && form.typed != last4 {
            problems.push(format!(
                "{} does not match the last 4 digits of {display}",
                form.typed
            ));
        } else if form.typed != last4 {
            problems.push(format!("type the last 4 digits of {display} to confirm"));
        }
        let mut fields = vec![DeregisterField::Confirm];
        if plan.blockers.iter().any(Blocker::overridable) {
            fields.push(DeregisterField::Override);
        }
        fields.extend([DeregisterField::Submit, DeregisterField::Cancel]);
        DeregisterCheck {
            display,
            last4,
            problems,
            fields,
            plan,
        }
    }
}
