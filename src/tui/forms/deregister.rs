//! The deregister confirmation: what happens, the budget cost, and the last four digits of the
//! number typed to confirm.

use ratatui::text::{Line, Span};

use super::fields::{Field, cycle, focused, navigate};
use super::parts::{foot, override_words};
use super::{
    AfterReply, Failure, FormComponent, FormContent, FormContext, FormEvent, FormReply, Phase,
    Submission,
};
use crate::config::ProfileName;
use crate::engine::{Blocker, Plan, Request};
use crate::graph::NumberId;
use crate::graph::types::NumberStatus;
use crate::tui::keys::{Action, FieldKind, InputEvent, Place};
use crate::tui::msg::EngineCall;
use crate::tui::view::popup::field_label;

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

impl Field for DeregisterField {
    fn kind(self) -> FieldKind {
        match self {
            DeregisterField::Confirm => FieldKind::Digits,
            DeregisterField::Override => FieldKind::Check,
            DeregisterField::Submit | DeregisterField::Cancel => FieldKind::Button,
        }
    }
}

/// Everything the form knows before sending, derived from the app each time it is needed.
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

pub fn open(cx: &FormContext, id: &NumberId) -> Option<Box<dyn FormComponent>> {
    let profile = cx.profile()?.clone();
    Some(Box::new(DeregisterForm::new(id.clone(), profile)))
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
        focused(&check.fields, self.focus).unwrap_or(DeregisterField::Confirm)
    }

    pub fn check(&self, cx: &FormContext) -> DeregisterCheck {
        let plan = cx.plan(Request::Deregister);
        let display = plan
            .facts
            .display
            .clone()
            .unwrap_or_else(|| self.id.to_string());
        let digits: String = display.chars().filter(char::is_ascii_digit).collect();
        let last4 = digits[digits.len().saturating_sub(4)..].to_owned();
        let mut problems: Vec<String> = plan
            .blocking(self.override_budget)
            .into_iter()
            .map(|b| {
                if b.overridable() {
                    format!("{}: tick the override to send anyway", b.words())
                } else {
                    b.words()
                }
            })
            .collect();
        if self.typed.len() == 4 && self.typed != last4 {
            problems.push(format!(
                "{} does not match the last 4 digits of {display}",
                self.typed
            ));
        } else if self.typed != last4 {
            problems.push(format!("type the last 4 digits of {display} to confirm"));
        }
        // A plan nothing can send asks for no confirmation: only Cancel is offered.
        let fields = if plan.sendable() {
            let mut fields = vec![DeregisterField::Confirm];
            if plan.blockers.iter().any(Blocker::overridable) {
                fields.push(DeregisterField::Override);
            }
            fields.extend([DeregisterField::Submit, DeregisterField::Cancel]);
            fields
        } else {
            vec![DeregisterField::Cancel]
        };
        DeregisterCheck {
            display,
            last4,
            problems,
            fields,
            plan,
        }
    }
}

impl FormComponent for DeregisterForm {
    crate::form_basics!();

    fn shows_plan(&self) -> bool {
        true
    }

    fn place(&self, cx: &FormContext) -> Place {
        Place::Field(self.focused(&self.check(cx)).kind())
    }

    fn on_key(&mut self, input: &InputEvent, cx: &FormContext) -> FormEvent {
        let check = self.check(cx);
        let count = check.fields.len();
        if let Some(event) = navigate(input, &mut self.focus, count) {
            return event;
        }
        let ready = check.problems.is_empty();
        let Some(action) = input.action else {
            return FormEvent::None;
        };
        match (self.focused(&check), action) {
            (DeregisterField::Confirm, Action::Type) => {
                if let Some(c) = input.typed().filter(char::is_ascii_digit)
                    && self.typed.len() < 4
                {
                    self.typed.push(c);
                    self.phase = Phase::Editing;
                }
            }
            (DeregisterField::Confirm, Action::Erase) => {
                self.typed.pop();
            }
            // Digits that match and nothing else in the way: Enter confirms here.
            (DeregisterField::Confirm | DeregisterField::Submit, Action::Press) if ready => {
                return FormEvent::Submit;
            }
            (DeregisterField::Override, Action::Press) => {
                self.override_budget = !self.override_budget;
            }
            (DeregisterField::Confirm, Action::Press) => {
                self.focus = cycle(self.focus, count, true)
            }
            (DeregisterField::Cancel, Action::Press) => return FormEvent::Cancel,
            _ => {}
        }
        FormEvent::None
    }

    fn submit(&mut self, cx: &FormContext) -> Option<Submission> {
        let check = self.check(cx);
        let forced = self.override_budget
            && check
                .plan
                .blockers
                .iter()
                .any(Blocker::override_is_recorded);
        Some(Submission {
            call: EngineCall::RunPlan {
                plan: Box::new(check.plan),
                pin: None,
                forced,
            },
            notice: None,
        })
    }

    fn on_reply(&mut self, reply: FormReply<'_>) -> AfterReply {
        match reply.result {
            _ if !reply.finished => AfterReply::default(),
            Ok(()) => AfterReply {
                close: true,
                done: Some("deregistered"),
            },
            Err(e) => {
                // The next attempt is confirmed afresh: nothing typed or ticked carries over.
                self.typed.clear();
                self.override_budget = false;
                self.focus = 0;
                self.phase = Phase::Failed(Failure::of(e, reply.now));
                AfterReply::default()
            }
        }
    }

    fn content(&self, cx: &FormContext) -> FormContent {
        let theme = cx.theme;
        let check = self.check(cx);
        let editing = !matches!(self.phase, Phase::InFlight { .. });
        let f = |field: DeregisterField| editing && self.focused(&check) == field;
        let mut lines: Vec<Line<'static>> = vec![
            Line::styled("Deregistering this number:", theme.title()),
            Line::raw("  • stops its messaging on Cloud API at once;"),
            Line::raw("  • turns local storage off (it must be set again when registering);"),
            Line::raw("  • keeps the number and its message history (nothing is deleted)."),
            Line::raw(""),
        ];
        let b = &check.plan.budgets.deregister;
        let budget_style = if b.left() <= 1 {
            theme.bad()
        } else {
            theme.warn()
        };
        if check.plan.sendable() {
            lines.push(Line::styled(
                format!(
                    "It uses 1 of the deregister budget: {} of {} left in the {} window.",
                    b.left(),
                    b.limit,
                    cx.window
                ),
                budget_style,
            ));
        } else {
            lines.push(Line::styled(
                "It cannot be sent, so it costs nothing and asks for no confirmation.",
                theme.warn(),
            ));
        }
        if check.plan.facts.coexistence == Some(true) {
            lines.push(Line::styled(
                "This number is used in the WhatsApp Business app too (coexistence):",
                theme.bad(),
            ));
            lines.push(Line::styled(
                "Meta does not allow deregistering it.",
                theme.bad(),
            ));
        }
        if let Some(status) = check
            .plan
            .facts
            .status
            .as_ref()
            .filter(|s| **s != NumberStatus::Connected)
        {
            lines.push(Line::styled(
                format!("Its status is {status}: if it is not registered Meta answers 133010, and the attempt still counts."),
                theme.warn(),
            ));
        }
        lines.push(Line::raw(""));
        if !check.plan.sendable() {
            for blocker in &check.plan.blockers {
                lines.push(Line::styled(
                    format!("  ✗ {}", blocker.words()),
                    theme.bad(),
                ));
            }
            lines.push(Line::raw(""));
            let tail = foot(
                cx,
                &self.phase,
                ("Deregister", false, false),
                f(DeregisterField::Cancel),
                None,
                None,
                "",
            );
            return FormContent {
                title: format!("Deregister {} {}", self.id, check.display),
                width: 78,
                body: lines,
                tail,
            };
        }
        let typed = format!("{}{}", self.typed, "_".repeat(4 - self.typed.len()));
        let hint = if self.typed == check.last4 {
            Span::styled("  ✓", theme.good())
        } else {
            Span::styled(
                format!("  the last 4 digits of {}", check.display),
                theme.dim(),
            )
        };
        lines.push(Line::from(vec![
            field_label(theme, "Type to confirm", f(DeregisterField::Confirm)),
            Span::raw(typed),
            hint,
        ]));
        if check.fields.contains(&DeregisterField::Override) {
            let mark = if self.override_budget { "[x]" } else { "[ ]" };
            let (name, what) = override_words(&check.plan);
            lines.push(Line::from(vec![
                field_label(theme, name, f(DeregisterField::Override)),
                Span::styled(format!("{mark} {what}"), theme.bad()),
            ]));
        }
        lines.push(Line::raw(""));
        let tail = foot(
            cx,
            &self.phase,
            (
                "Deregister",
                f(DeregisterField::Submit),
                check.problems.is_empty(),
            ),
            f(DeregisterField::Cancel),
            // Why the button is dimmed, except what the digits field's own note says already.
            check
                .problems
                .iter()
                .find(|p| !p.starts_with("type the last 4 digits"))
                .map(String::as_str),
            Some(&check.plan.budgets.deregister),
            "sending POST /deregister… (not retried automatically)",
        );
        FormContent {
            title: format!("Deregister {} {}", self.id, check.display),
            width: 78,
            body: lines,
            tail,
        }
    }
}
