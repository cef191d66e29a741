//! The register form: masked PIN, region dropdown, a pre-flight panel, Register / Cancel.
//! When the number is connected and the chosen storage differs from the current one, the plan
//! becomes the guided region change: deregister, (settings), register.

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use super::{FormEvent, Phase, Progress, cycle};
use crate::audit::{Budget, Operation};
use crate::engine::{Step, region_change_plan, register_plan};
use crate::graph::types::{CodeVerification, NumberStatus};
use crate::graph::{ApiVersion, NumberId, Region, StorageChoice};
use crate::tui::app::{App, Storage};
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
    pub profile: String,
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
pub struct Preflight {
    pub display: Option<String>,
    pub status: Option<NumberStatus>,
    pub verified: Option<CodeVerification>,
    pub pin_enabled: Option<bool>,
    pub connected: bool,
    /// The storage region in force, when known.
    pub current: StorageKnown,
    pub register: Budget,
    pub deregister: Budget,
    pub plan: Vec<Step>,
    /// Why Register is disabled, if it is.
    pub problems: Vec<String>,
    /// The number must be verified first: the button offers that instead.
    pub verify_instead: bool,
    pub fields: Vec<RegisterField>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StorageKnown {
    Reading,
    Unknown,
    Off,
    On(Region),
}

impl Preflight {
    pub fn needs_deregister(&self) -> bool {
        self.plan.first() == Some(&Step::Deregister)
    }

    pub fn budget_exhausted(&self) -> bool {
        self.register.exhausted() || (self.needs_deregister() && self.deregister.exhausted())
    }
}

impl RegisterForm {
    pub fn new(
        id: NumberId,
        profile: String,
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

    pub fn on_key(&mut self, key: &KeyEvent, pre: &Preflight) -> FormEvent {
        if matches!(self.phase, Phase::InFlight { .. }) {
            return FormEvent::None;
        }
        // The open dropdown owns every key, Esc included.
        if self.region.open.is_some() {
            self.region.on_key(key);
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

    /// Any edit after a failure starts a fresh attempt.
    fn edited(&mut self) {
        if matches!(self.phase, Phase::Failed(_)) {
            self.phase = Phase::Editing;
            self.progress.clear();
        }
    }

    fn storage_choice(&self, current: StorageKnown) -> StorageChoice {
        match (self.region.value(), current) {
            (None, StorageKnown::On(_)) => StorageChoice::Off,
            (None, _) => StorageChoice::Keep,
            (Some(r), StorageKnown::On(c)) if r == c => StorageChoice::Keep,
            (Some(r), _) => StorageChoice::Region(r),
        }
    }
}

impl App {
    pub fn register_preflight(&self, form: &RegisterForm) -> Preflight {
        let row = self.table.find(&form.id).map(|i| &self.table.rows[i]);
        let number = row.and_then(|r| r.number());
        let status = number.and_then(|n| n.status.clone());
        let connected = status == Some(NumberStatus::Connected);
        let current = match row.map(|r| &r.storage) {
            Some(Storage::Known(s)) => s.region().map_or(StorageKnown::Off, StorageKnown::On),
            Some(Storage::Loading) => StorageKnown::Reading,
            _ => StorageKnown::Unknown,
        };
        let choice = form.storage_choice(current);
        let plan = if connected && choice != StorageChoice::Keep {
            region_change_plan(form.version, form.region.value())
        } else {
            register_plan(form.version, choice)
        };
        let verified = number.and_then(|n| n.code_verification_status.clone());
        let verify_instead = form.needs_verification
            || matches!(verified, Some(ref v) if *v != CodeVerification::Verified);
        let register = self.budgets.budget(form.id.as_str(), Operation::Register);
        let deregister = self.budgets.budget(form.id.as_str(), Operation::Deregister);

        let mut pre = Preflight {
            display: number.and_then(|n| n.display_phone_number.clone()),
            status,
            verified,
            pin_enabled: number.and_then(|n| n.is_pin_enabled),
            connected,
            current,
            register,
            deregister,
            plan,
            problems: Vec::new(),
            verify_instead,
            fields: Vec::new(),
        };
        if let Some(problem) = form.pin.problem() {
            pre.problems.push(format!("PIN: {problem}"));
        }
        if current == StorageKnown::Reading && connected {
            pre.problems
                .push("reading the current storage setting…".into());
        }
        if pre.budget_exhausted() && !form.override_budget {
            pre.problems
                .push("the budget is used up: tick \"override budget\" to send anyway".into());
        }
        pre.fields = vec![RegisterField::Pin, RegisterField::Region];
        if pre.budget_exhausted() {
            pre.fields.push(RegisterField::Override);
        }
        pre.fields
            .extend([RegisterField::Submit, RegisterField::Cancel]);
        pre
    }
}
