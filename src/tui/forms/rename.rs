//! The display-name change (`n`): the new name, checked as `graph::DisplayName` checks it,
//! planned by the engine's `decide_rename` from what the table knows (what stands in the way,
//! the budget of 10 changes in 30 days, what follows: Meta's review, then a re-register within
//! 14 days of the approval), the override offered where the engine lets a person pass a
//! blocker, as in the register form. Sent like `wareg rename`: the engine reads the number and
//! plans it once more, the budget counted under the ledger's lock.

use ratatui::text::{Line, Span};

use super::fields::{Field, cycle, focused, navigate};
use super::parts::foot;
use super::{
    AfterReply, Failure, FormComponent, FormContent, FormContext, FormEvent, FormReply, Phase,
    Submission,
};
use crate::config::ProfileName;
use crate::engine::{RenamePlan, decide_rename};
use crate::graph::new_number::NAME_MAX;
use crate::graph::{DisplayName, NumberId};
use crate::tui::keys::{Action, FieldKind, InputEvent, Place};
use crate::tui::msg::EngineCall;
use crate::tui::view::popup::field_label;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RenameField {
    Name,
    Override,
    Submit,
    Cancel,
}

impl Field for RenameField {
    fn kind(self) -> FieldKind {
        match self {
            RenameField::Name => FieldKind::Name,
            RenameField::Override => FieldKind::Check,
            RenameField::Submit | RenameField::Cancel => FieldKind::Button,
        }
    }
}

#[derive(Debug)]
pub struct RenameForm {
    pub id: NumberId,
    pub profile: ProfileName,
    pub name: String,
    /// Send past what the engine lets a person override (the budget…).
    pub override_blockers: bool,
    pub focus: usize,
    pub phase: Phase,
}

pub fn open(cx: &FormContext, id: &NumberId) -> Option<Box<dyn FormComponent>> {
    let profile = cx.profile()?.clone();
    Some(Box::new(RenameForm::new(id.clone(), profile)))
}

/// What the form would send, as the engine plans it now; or why the name is not one.
pub struct Preview {
    pub plan: Result<RenamePlan, String>,
    pub fields: Vec<RenameField>,
}

impl Preview {
    /// Why the button is disabled, if it is.
    pub fn problem(&self, forced: bool) -> Option<String> {
        match &self.plan {
            Err(why) => Some(why.clone()),
            // The blocker's words are in the plan above the buttons.
            Ok(plan) => plan.blocking(forced).first().map(|b| {
                if b.overridable() {
                    "blocked (see above): tick the override to send anyway".to_owned()
                } else {
                    "blocked (see above): nothing here overrides it".to_owned()
                }
            }),
        }
    }
}

impl RenameForm {
    pub fn new(id: NumberId, profile: ProfileName) -> RenameForm {
        RenameForm {
            id,
            profile,
            name: String::new(),
            override_blockers: false,
            focus: 0,
            phase: Phase::Editing,
        }
    }

    /// The engine's plan for the name typed, from the number's facts as the table knows them
    /// and the rename budget as last counted.
    pub fn preview(&self, cx: &FormContext) -> Preview {
        let plan = if self.name.trim().is_empty() {
            Err("type the new display name".to_owned())
        } else {
            DisplayName::parse(&self.name)
                .map(|name| decide_rename(&self.id, &cx.facts(), &name, &cx.renames))
                .map_err(|e| e.to_string())
        };
        let overridable = plan
            .as_ref()
            .is_ok_and(|p| p.blockers.iter().any(|b| b.overridable()));
        let mut fields = vec![RenameField::Name];
        if overridable {
            fields.push(RenameField::Override);
        }
        fields.extend([RenameField::Submit, RenameField::Cancel]);
        Preview { plan, fields }
    }

    pub fn focused(&self, preview: &Preview) -> RenameField {
        focused(&preview.fields, self.focus).unwrap_or(RenameField::Name)
    }
}

impl FormComponent for RenameForm {
    crate::form_basics!();

    fn place(&self, cx: &FormContext) -> Place {
        Place::Field(self.focused(&self.preview(cx)).kind())
    }

    fn on_key(&mut self, input: &InputEvent, cx: &FormContext) -> FormEvent {
        let preview = self.preview(cx);
        let count = preview.fields.len();
        if let Some(event) = navigate(input, &mut self.focus, count) {
            return event;
        }
        match (self.focused(&preview), input.action) {
            (RenameField::Name, Some(Action::Type)) => {
                if let Some(c) = input.typed()
                    && !c.is_control()
                    && self.name.chars().count() < NAME_MAX
                {
                    self.name.push(c);
                }
            }
            (RenameField::Name, Some(Action::Erase)) => {
                self.name.pop();
            }
            (RenameField::Name, Some(Action::Press)) => self.focus = cycle(self.focus, count, true),
            (RenameField::Override, Some(Action::Press)) => {
                self.override_blockers = !self.override_blockers;
            }
            (RenameField::Submit, Some(Action::Press))
                if preview.problem(self.override_blockers).is_none() =>
            {
                return FormEvent::Submit;
            }
            (RenameField::Cancel, Some(Action::Press)) => return FormEvent::Cancel,
            _ => {}
        }
        if matches!(self.phase, Phase::Failed(_)) {
            self.phase = Phase::Editing;
        }
        FormEvent::None
    }

    fn submit(&mut self, cx: &FormContext) -> Option<Submission> {
        let preview = self.preview(cx);
        let plan = preview.plan.ok()?;
        let forced = self.override_blockers && plan.blockers.iter().any(|b| b.overridable());
        Some(Submission {
            notice: Some(format!("asking Meta to review the name '{}'", plan.name)),
            call: EngineCall::Rename {
                id: self.id.clone(),
                name: plan.name,
                forced,
            },
        })
    }

    fn on_reply(&mut self, reply: FormReply<'_>) -> AfterReply {
        match reply.result {
            Ok(()) => AfterReply {
                close: true,
                done: Some(
                    "display-name change requested: Meta reviews it; once approved, register it again within 14 days to apply it",
                ),
            },
            Err(e) => {
                // The next attempt is decided afresh: no override carried over.
                self.override_blockers = false;
                self.focus = 0;
                self.phase = Phase::Failed(Failure::of(e, reply.now));
                AfterReply::default()
            }
        }
    }

    fn content(&self, cx: &FormContext) -> FormContent {
        let theme = cx.theme;
        let preview = self.preview(cx);
        let editing = !matches!(self.phase, Phase::InFlight { .. });
        let focused = self.focused(&preview);
        let f = |field: RenameField| editing && focused == field;
        let number = cx.known_number();
        let opt = |v: Option<&String>| v.cloned().unwrap_or_else(|| "—".into());
        let mut lines: Vec<Line<'static>> = vec![
            Line::raw("Asks Meta for a new display name; Meta reviews it before it applies."),
            Line::raw(""),
            Line::from(vec![
                Span::styled("  name now        ", theme.dim()),
                Span::raw(opt(number.and_then(|n| n.verified_name.as_ref()))),
            ]),
        ];
        if let Some(asked) = number.and_then(|n| n.new_display_name.as_ref()) {
            let state = number
                .and_then(|n| n.new_name_status.clone())
                .unwrap_or_else(|| "status not given".into());
            lines.push(Line::from(vec![
                Span::styled("  requested       ", theme.dim()),
                Span::raw(format!("'{asked}' ({state})")),
            ]));
        }
        let budget = cx.renames;
        let budget_style = if budget.left() == 0 {
            theme.bad()
        } else {
            ratatui::style::Style::new()
        };
        lines.push(Line::from(vec![
            Span::styled("  budget          ", theme.dim()),
            Span::styled(
                format!(
                    "{} of {} display-name changes left in 30 days",
                    budget.left(),
                    budget.limit
                ),
                budget_style,
            ),
        ]));
        lines.push(Line::raw(""));
        lines.push(Line::from(vec![
            field_label(theme, "New name", f(RenameField::Name)),
            if self.name.is_empty() {
                Span::styled("2-75 characters", theme.dim())
            } else {
                Span::raw(self.name.clone())
            },
        ]));
        if preview.fields.contains(&RenameField::Override) {
            let mark = if self.override_blockers { "[x]" } else { "[ ]" };
            lines.push(Line::from(vec![
                field_label(theme, "Override", f(RenameField::Override)),
                Span::styled(format!("{mark} send anyway"), theme.bad()),
            ]));
        }
        if let Phase::Failed(failure) = &self.phase {
            lines.extend(super::parts::failure_lines(cx, failure, None));
        }
        lines.push(Line::raw(""));
        lines.push(Line::styled("Will send", theme.title()));
        match &preview.plan {
            Ok(plan) => {
                lines.push(Line::raw(format!("  1. {}", plan.describe())));
                for blocker in &plan.blockers {
                    lines.push(Line::styled(
                        format!("  blocked: {}", blocker.words()),
                        theme.warn(),
                    ));
                }
                lines.push(Line::styled("What follows", theme.title()));
                for note in &plan.notes {
                    lines.push(Line::raw(format!("  {note}")));
                }
            }
            Err(_) => lines.push(Line::raw(format!(
                "  1. POST /{}?new_display_name=…",
                self.id
            ))),
        }
        lines.push(Line::raw(""));
        let problem = preview.problem(self.override_blockers);
        let tail = foot(
            cx,
            match &self.phase {
                Phase::Failed(_) => &Phase::Editing,
                phase => phase,
            },
            ("Request name", f(RenameField::Submit), problem.is_none()),
            f(RenameField::Cancel),
            problem.as_deref(),
            None,
            "sending… (not retried automatically)",
        );
        FormContent {
            title: format!(
                "Display name {} {}",
                self.id,
                cx.display_number().unwrap_or_default()
            ),
            width: 78,
            body: lines,
            tail,
        }
    }
}
