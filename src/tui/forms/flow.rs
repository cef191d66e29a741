//! How forms open, take keys, send, and take replies: the App side of every form.

use crate::config::ProfileName;
use chrono::{DateTime, Utc};
use ratatui::crossterm::event::{KeyCode, KeyEvent};

use super::{
    DeregisterForm, Failure, Form, FormEvent, Phase, PinForm, RegisterForm, StepState, VerifyForm,
    VerifyStage,
};
use crate::graph::NumberId;
use crate::tui::app::{App, Mutation, Overlay, Pending, Storage};
use crate::tui::keys::Place;
use crate::tui::msg::{Cmd, Level, Reply, RequestId, StepFailure};

impl App {
    /// A form's place: what its focused field takes.
    pub(crate) fn form_place(&self, form: &Form) -> Place {
        use super::VerifyStage;
        use super::deregister::DeregisterField as D;
        use super::register::RegisterField as R;
        use crate::tui::keys::FieldKind as K;
        if matches!(form.phase(), Phase::InFlight { .. }) {
            return Place::Sending;
        }
        let kind = match form {
            Form::Register(f) if f.region.open.is_some() => return Place::Dropdown,
            Form::Register(f) => match f.focused(&self.register_preflight(f)) {
                R::Pin => K::Digits,
                R::Region => K::Choice,
                R::Override => K::Check,
                R::Submit | R::Cancel => K::Button,
            },
            Form::Deregister(f) => match f.focused(&self.deregister_check(f)) {
                D::Confirm => K::Digits,
                D::Override => K::Check,
                D::Submit | D::Cancel => K::Button,
            },
            Form::Pin(f) if f.focus < 2 => K::Digits,
            Form::Pin(_) => K::Button,
            Form::Verify(f) if f.focus + 2 >= f.field_count() => K::Button,
            Form::Verify(f) => match (f.stage, f.focus) {
                (VerifyStage::Request, 0) => K::Switch,
                (VerifyStage::Request, _) => K::Text,
                (VerifyStage::EnterCode, _) => K::Digits,
            },
        };
        Place::Field(kind)
    }

    fn row_profile(&self, id: &NumberId) -> Option<ProfileName> {
        self.table
            .find(id)
            .map(|i| self.table.rows[i].profile.clone())
    }

    /// Opens a form, has the engine count the budgets again (the form shows them as counted
    /// now; the engine counts once more under its lock at submit) and, if the number's storage
    /// is not known yet, reads it.
    fn open_form(&mut self, id: &NumberId, form: Form) -> Vec<Cmd> {
        self.overlay = Some(Overlay::Form(Box::new(form)));
        let mut cmds = vec![Cmd::LoadLedger];
        let Some(i) = self.table.find(id) else {
            return cmds;
        };
        let row = &self.table.rows[i];
        if matches!(row.storage, Storage::NotRead | Storage::Failed(_)) {
            let profile = row.profile.clone();
            cmds.push(self.read_settings(&profile, id));
        }
        cmds
    }

    fn register_form(&self, id: &NumberId, change_region: bool) -> Option<RegisterForm> {
        let profile = self.row_profile(id)?;
        let version = self.profile(&profile)?.version;
        let current = self
            .table
            .find(id)
            .and_then(|i| match &self.table.rows[i].storage {
                Storage::Known(s) => s.region(),
                _ => None,
            });
        Some(RegisterForm::new(
            id.clone(),
            profile,
            version,
            current,
            change_region,
        ))
    }

    pub(crate) fn open_register(&mut self, id: &NumberId) -> Vec<Cmd> {
        match self.register_form(id, false) {
            Some(form) => self.open_form(id, Form::Register(form)),
            None => Vec::new(),
        }
    }

    pub(crate) fn open_region_change(&mut self, id: &NumberId) -> Vec<Cmd> {
        match self.register_form(id, true) {
            Some(form) => self.open_form(id, Form::Register(form)),
            None => Vec::new(),
        }
    }

    pub(crate) fn open_deregister(&mut self, id: &NumberId) -> Vec<Cmd> {
        match self.row_profile(id) {
            Some(profile) => self.open_form(
                id,
                Form::Deregister(DeregisterForm::new(id.clone(), profile)),
            ),
            None => Vec::new(),
        }
    }

    pub(crate) fn open_pin(&mut self, id: &NumberId) -> Vec<Cmd> {
        if let Some(profile) = self.row_profile(id) {
            self.overlay = Some(Overlay::Form(Box::new(Form::Pin(PinForm::new(
                id.clone(),
                profile,
            )))));
        }
        Vec::new()
    }

    pub(crate) fn open_verify(&mut self, id: &NumberId) -> Vec<Cmd> {
        if let Some(profile) = self.row_profile(id) {
            self.overlay = Some(Overlay::Form(Box::new(Form::Verify(VerifyForm::new(
                id.clone(),
                profile,
            )))));
        }
        Vec::new()
    }

    pub(crate) fn on_form_key(&mut self, mut form: Box<Form>, key: KeyEvent) -> Vec<Cmd> {
        // While its request runs, a form takes no input, so `q` can ask to quit from here.
        if matches!(form.phase(), Phase::InFlight { .. }) && key.code == KeyCode::Char('q') {
            self.overlay = Some(Overlay::ConfirmQuit(Some(Box::new(Overlay::Form(form)))));
            return Vec::new();
        }
        let event = match form.as_mut() {
            Form::Register(f) => {
                let pre = self.register_preflight(f);
                f.on_key(&key, &pre, self.clock.now())
            }
            Form::Deregister(f) => {
                let check = self.deregister_check(f);
                f.on_key(&key, &check)
            }
            Form::Pin(f) => f.on_key(&key),
            Form::Verify(f) => f.on_key(&key),
        };
        match event {
            // Dropping the form zeroizes its PIN and code buffers.
            FormEvent::Cancel => {
                // Closing does not undo it: the log keeps saying so after the form is gone.
                if let Form::Register(f) = form.as_ref()
                    && f.left_deregistered()
                {
                    let name = self.name_of(&f.id);
                    self.notice(
                        Level::Warn,
                        format!("{name}: left deregistered; messaging is stopped until it is registered again"),
                    );
                }
                Vec::new()
            }
            FormEvent::None => {
                self.overlay = Some(Overlay::Form(form));
                Vec::new()
            }
            FormEvent::OpenVerify => {
                let id = match form.as_ref() {
                    Form::Register(f) => f.id.clone(),
                    _ => return Vec::new(),
                };
                self.open_verify(&id)
            }
            FormEvent::Submit => self.submit(form),
        }
    }

    fn submit(&mut self, mut form: Box<Form>) -> Vec<Cmd> {
        let cmd = match form.as_mut() {
            Form::Register(f) => {
                let pre = self.register_preflight(f);
                let Some(pin) = f.pin.to_pin() else {
                    return self.keep(form);
                };
                let request =
                    self.start_mutation(&f.id, Mutation::Plan(pre.plan.kind), &mut f.phase);
                f.progress = pre
                    .plan
                    .steps
                    .iter()
                    .map(|s| (*s, StepState::Waiting))
                    .collect();
                if let Some(first) = f.progress.first_mut() {
                    first.1 = StepState::Running;
                }
                self.notice(
                    Level::Info,
                    format!("{}: sending {}", self.name_of(&f.id), pre.plan.summary()),
                );
                Cmd::RunPlan {
                    request,
                    profile: f.profile.clone(),
                    forced: f.override_budget && pre.budget_blocked(),
                    plan: Box::new(pre.plan),
                    pin: Some(pin),
                }
            }
            Form::Deregister(f) => {
                let check = self.deregister_check(f);
                let request = self.start_mutation(
                    &f.id,
                    Mutation::Plan(crate::engine::PlanKind::Deregister),
                    &mut f.phase,
                );
                Cmd::RunPlan {
                    request,
                    profile: f.profile.clone(),
                    forced: f.override_budget
                        && check
                            .plan
                            .blockers
                            .iter()
                            .any(crate::engine::Blocker::override_is_recorded),
                    plan: Box::new(check.plan),
                    pin: None,
                }
            }
            Form::Pin(f) => {
                let Some(pin) = f.first.to_pin() else {
                    return self.keep(form);
                };
                let request = self.start_mutation(&f.id, Mutation::SetPin, &mut f.phase);
                Cmd::SetPin {
                    request,
                    profile: f.profile.clone(),
                    id: f.id.clone(),
                    pin,
                }
            }
            Form::Verify(f) => match f.stage {
                VerifyStage::Request => {
                    let request = self.start_mutation(&f.id, Mutation::RequestCode, &mut f.phase);
                    Cmd::RequestCode {
                        request,
                        profile: f.profile.clone(),
                        id: f.id.clone(),
                        method: f.method,
                        language: f.language.clone(),
                    }
                }
                VerifyStage::EnterCode => {
                    let Some(code) = f.code.to_code() else {
                        return self.keep(form);
                    };
                    let request = self.start_mutation(&f.id, Mutation::VerifyCode, &mut f.phase);
                    Cmd::VerifyCode {
                        request,
                        profile: f.profile.clone(),
                        id: f.id.clone(),
                        code,
                    }
                }
            },
        };
        self.overlay = Some(Overlay::Form(form));
        vec![cmd]
    }

    /// Records a mutation as in flight and puts its form into the in-flight phase.
    fn start_mutation(&mut self, id: &NumberId, what: Mutation, phase: &mut Phase) -> RequestId {
        let request = self.new_request(Pending::Mutation {
            id: id.clone(),
            what,
        });
        *phase = Phase::InFlight { request };
        request
    }

    fn keep(&mut self, form: Box<Form>) -> Vec<Cmd> {
        self.overlay = Some(Overlay::Form(form));
        Vec::new()
    }

    /// The open form, if the reply is for it.
    fn form_for(&mut self, request: RequestId) -> Option<&mut Form> {
        match &mut self.overlay {
            Some(Overlay::Form(form)) if form.phase() == &(Phase::InFlight { request }) => {
                Some(form.as_mut())
            }
            _ => None,
        }
    }

    pub(crate) fn on_form_reply(&mut self, request: RequestId, reply: Reply) -> Vec<Cmd> {
        let (result, finished) = match &reply {
            Reply::Step { result, last, .. } => (result.clone(), *last || result.is_err()),
            Reply::Simple(result) => (result.clone(), true),
            _ => return Vec::new(),
        };
        let now = self.clock.now();
        let mut cmds = Vec::new();
        let mut close = false;
        let mut number = None;
        let mut log = Vec::new();
        if let Some(form) = self.form_for(request) {
            match form {
                Form::Register(f) => {
                    number = Some(f.id.clone());
                    if let Reply::Step { step, .. } = &reply {
                        advance(&mut f.progress, *step, result.is_ok());
                    }
                    if finished {
                        match &result {
                            Ok(()) => {
                                close = true;
                                log.push((Level::Info, "registered"));
                            }
                            Err(e) => {
                                f.pin.clear();
                                f.focus = 0;
                                f.needs_verification |=
                                    e.code == Some(crate::graph::codes::NEEDS_VERIFICATION);
                                f.phase = Phase::Failed(failure(e, now));
                            }
                        }
                    }
                }
                Form::Deregister(f) => {
                    number = Some(f.id.clone());
                    match &result {
                        Ok(()) => {
                            close = true;
                            log.push((Level::Info, "deregistered"));
                        }
                        Err(e) => f.phase = Phase::Failed(failure(e, now)),
                    }
                }
                Form::Pin(f) => {
                    number = Some(f.id.clone());
                    match &result {
                        Ok(()) => {
                            close = true;
                            log.push((Level::Info, "two-step PIN set"));
                        }
                        Err(e) => {
                            f.first.clear();
                            f.again.clear();
                            f.focus = 0;
                            f.phase = Phase::Failed(failure(e, now));
                        }
                    }
                }
                Form::Verify(f) => {
                    number = Some(f.id.clone());
                    match (&result, f.stage) {
                        (Ok(()), VerifyStage::Request) => {
                            f.code_sent();
                            log.push((Level::Info, "verification code requested"));
                        }
                        (Ok(()), VerifyStage::EnterCode) => {
                            close = true;
                            log.push((Level::Info, "ownership verified"));
                        }
                        (Err(e), _) => {
                            f.code.clear();
                            f.phase = Phase::Failed(failure(e, now));
                        }
                    }
                }
            }
        } else if let Err(e) = &result {
            // The form was closed while its request ran: the log still says what happened.
            self.notice(
                Level::Error,
                format!("a closed form's request failed: {}", e.message),
            );
        }
        if let Some(id) = &number {
            let name = self.name_of(id);
            for (level, what) in log {
                self.notice(level, format!("{name}: {what}"));
            }
        }
        if close {
            self.overlay = None;
        }
        if finished {
            // What changed on Meta's side shows in the table; the budget comes from the trail.
            cmds.push(Cmd::LoadLedger);
            if let Some((id, profile)) =
                number.and_then(|id| self.row_profile(&id).map(|p| (id, p)))
            {
                cmds.push(self.read_number(&profile, &id));
                cmds.push(self.read_settings(&profile, &id));
            }
        }
        cmds
    }

    /// The token could not be read: nothing was sent.
    pub(crate) fn form_failed_without_sending(&mut self, why: &str) {
        if let Some(Overlay::Form(form)) = &mut self.overlay
            && matches!(form.phase(), Phase::InFlight { .. })
        {
            *form.phase_mut() = Phase::Failed(Failure {
                message: format!("nothing was sent: {why}"),
                code: None,
                unknown_outcome: false,
                readback: None,
                at: self.clock.now(),
            });
        }
    }
}

fn failure(e: &StepFailure, at: DateTime<Utc>) -> Failure {
    Failure {
        message: e.message.clone(),
        code: e.code,
        unknown_outcome: e.unknown_outcome,
        readback: e.readback.clone(),
        at,
    }
}

/// Marks `step` done or failed, starts the next, and skips the rest after a failure.
fn advance(progress: &mut super::Progress, step: crate::engine::Step, ok: bool) {
    let Some(index) = progress.iter().position(|(s, state)| {
        *s == step && matches!(state, StepState::Running | StepState::Waiting)
    }) else {
        return;
    };
    progress[index].1 = if ok {
        StepState::Done
    } else {
        StepState::Failed
    };
    for (i, entry) in progress.iter_mut().enumerate().skip(index + 1) {
        entry.1 = match (ok, i == index + 1) {
            (true, true) => StepState::Running,
            (true, false) => StepState::Waiting,
            (false, _) => StepState::Skipped,
        };
    }
}
