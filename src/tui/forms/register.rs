//! The register form: masked PIN, region dropdown, a pre-flight panel, Register / Cancel.
//! When the number is connected and the chosen storage differs from the current one, the plan
//! becomes the guided region change: deregister, (settings), register.

use crate::config::ProfileName;
use chrono::{DateTime, Utc};
use ratatui::crossterm::event::{KeyCode, KeyEvent};

use super::{FormEvent, Phase, Progress, cycle};
use crate::engine::{Blocker, Plan, PlanKind, Request, StorageFact};
use crate::graph::{ApiVersion, NumberId, Region, StorageChoice};
use crate::tui::app::App;
use crate::tui::widgets::{RegionSelect, SecretField};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegisterField {
    Pin,
    Region,
    Override,
    Submit,
    Cancel,
}

#[derive(Debug)]
pub struct RegisterForm {
    pub id: NumberId,
    pub profile: ProfileName,
    pub version: ApiVersion,
    /// Opened as "change region" (from the details popup).
    pub change_region: bool,
    pub pin: SecretField,
    pub region: RegionSelect,
    pub override_budget: bool,
    /// Meta answered 133006: verification is needed whatever the status field says.
    pub needs_verification: bool,
    pub focus: usize,
    pub phase: Phase,
    pub progress: Progress,
}

/// Everything the form knows before sending, derived from the app each time it is needed.
#[derive(Debug, Clone)]
/// The number's facts and budgets are the plan's (`plan.facts`, `plan.budgets`).
pub struct Preflight {
    /// The storage region in force, when known.
    pub current: StorageFact,
    /// The engine's plan: steps, cost, blockers, and the facts and budgets it was made from.
    pub plan: Plan,
    /// Why Register is disabled, if it is.
    pub problems: Vec<String>,
    /// The number must be verified first: the button offers that instead.
    pub verify_instead: bool,
    pub fields: Vec<RegisterField>,
}

impl Preflight {
    pub fn needs_deregister(&self) -> bool {
        self.plan.kind == PlanKind::RegionChange
    }

    /// The budget (or Meta's lock) stands in the way: the override is offered.
    pub fn budget_blocked(&self) -> bool {
        self.plan.blockers.iter().any(Blocker::override_is_recorded)
    }
}

impl RegisterForm {
    pub fn new(
        id: NumberId,
        profile: ProfileName,
        version: ApiVersion,
        current: Option<Region>,
        change_region: bool,
    ) -> Self {
        RegisterForm {
            id,
            profile,
            version,
            change_region,
            pin: SecretField::new(6),
            region: RegionSelect::new(current),
            override_budget: false,
            needs_verification: false,
            // The region change starts at the dropdown; a register at the PIN.
            focus: usize::from(change_region),
            phase: Phase::Editing,
            progress: Vec::new(),
        }
    }

    pub fn focused(&self, pre: &Preflight) -> RegisterField {
        pre.fields
            .get(self.focus)
            .copied()
            .unwrap_or(RegisterField::Pin)
    }

    pub fn on_key(&mut self, key: &KeyEvent, pre: &Preflight, now: DateTime<Utc>) -> FormEvent {
        if matches!(self.phase, Phase::InFlight { .. }) {
            return FormEvent::None;
        }
        // The open dropdown owns every key, Esc included.
        if self.region.open.is_some() {
            self.region.on_key(key, now);
            self.edited();
            return FormEvent::None;
        }
        let count = pre.fields.len();
        match key.code {
            KeyCode::Esc => return FormEvent::Cancel,
            KeyCode::Tab | KeyCode::Down => self.focus = cycle(self.focus, count, true),
            KeyCode::BackTab | KeyCode::Up => self.focus = cycle(self.focus, count, false),
            _ => match self.focused(pre) {
                RegisterField::Pin => match key.code {
                    KeyCode::Char(c) => {
                        self.pin.push(c);
                        self.edited();
                    }
                    KeyCode::Backspace => {
                        self.pin.pop();
                        self.edited();
                    }
                    KeyCode::Enter => self.focus = cycle(self.focus, count, true),
                    _ => {}
                },
                RegisterField::Region => {
                    if matches!(key.code, KeyCode::Enter | KeyCode::Char(' ')) {
                        self.region.open();
                    }
                }
                RegisterField::Override => {
                    if matches!(key.code, KeyCode::Enter | KeyCode::Char(' ')) {
                        self.override_budget = !self.override_budget;
                    }
                }
                RegisterField::Submit => {
                    if key.code == KeyCode::Enter {
                        if pre.verify_instead {
                            return FormEvent::OpenVerify;
                        }
                        if pre.problems.is_empty() {
                            return FormEvent::Submit;
                        }
                    }
                }
                RegisterField::Cancel => {
                    if key.code == KeyCode::Enter {
                        return FormEvent::Cancel;
                    }
                }
            },
        }
        FormEvent::None
    }

    /// A deregister went through and a later step did not: the number cannot send now.
    pub fn left_deregistered(&self) -> bool {
        self.progress
            .iter()
            .any(|(s, st)| *s == crate::engine::Step::Deregister && *st == super::StepState::Done)
            && self
                .progress
                .iter()
                .any(|(_, st)| *st == super::StepState::Failed)
    }

    /// Any edit after a failure starts a fresh attempt.
    fn edited(&mut self) {
        if matches!(self.phase, Phase::Failed(_)) {
            self.phase = Phase::Editing;
            self.progress.clear();
        }
    }

    /// What the dropdown asks for: "none" turns storage off only where it is on.
    fn storage_choice(&self, current: StorageFact) -> StorageChoice {
        match (self.region.value(), current) {
            (None, StorageFact::On(_)) => StorageChoice::Off,
            (None, _) => StorageChoice::Keep,
            (Some(r), _) => StorageChoice::Region(r),
        }
    }
}

impl App {
    pub fn register_preflight(&self, form: &RegisterForm) -> Preflight {
        let current = self.storage_fact(&form.id);
        let request = Request::Register(form.storage_choice(current));
        let plan = self.plan_for(&form.id, &form.profile, request);
        let facts = &plan.facts;
        let verify_instead = form.needs_verification
            || plan
                .blockers
                .iter()
                .any(|b| matches!(b, Blocker::NotVerified(_)));
        // The override is offered for what a person may override and the form does not offer
        // another way round (an unverified number gets "Verify ownership…" instead).
        let overridable = plan
            .blockers
            .iter()
            .any(|b| b.overridable() && !matches!(b, Blocker::NotVerified(_)));
        let mut problems = Vec::new();
        if let Some(problem) = form.pin.problem() {
            problems.push(format!("PIN: {problem}"));
        }
        if current == StorageFact::Reading && facts.connected() {
            problems.push("reading the current storage setting…".into());
        }
        for blocker in plan.blocking(form.override_budget) {
            match blocker {
                // The button offers verification instead.
                Blocker::NotVerified(_) => {}
                // The budget line above already says when the next attempt frees up.
                Blocker::BudgetExhausted { op, .. } => problems.push(format!(
                    "the {op} budget is used up: tick the override to send anyway"
                )),
                b if b.overridable() => {
                    problems.push(format!("{}: tick the override to send anyway", b.words()))
                }
                Blocker::StorageUnknown if current == StorageFact::Reading => {}
                b => problems.push(b.words()),
            }
        }
        let mut fields = vec![RegisterField::Pin, RegisterField::Region];
        if overridable {
            fields.push(RegisterField::Override);
        }
        fields.extend([RegisterField::Submit, RegisterField::Cancel]);
        Preflight {
            current,
            plan,
            problems,
            verify_instead,
            fields,
        }
    }
}
