//! The app's side of every form, the same for all: open one, hand it keys, send what it
//! submits, hand it the replies, close it. Which form it is is the form's own business
//! (`forms::FormComponent`).

use crate::config::ProfileName;

use super::{App, Mutation, Overlay, Pending, Storage};
use crate::graph::{NumberId, catalogue};
use crate::tui::forms::{
    Failure, FormComponent, FormContext, FormEvent, FormReply, Phase, registry,
};
use crate::tui::keys::{Action, FormKind, InputEvent, Place};
use crate::tui::msg::{Cmd, Level, Reply, RequestId};

use crate::tui::keys::{Binding, HELP_KEY, b};
use ratatui::crossterm::event::KeyCode::Char;

pub(crate) const SENDING: &[Binding] = &[
    HELP_KEY,
    b(
        &[Char('q')],
        "q",
        Action::Quit,
        "quit (asks: a change is in flight)",
        true,
    ),
];

/// How many lines PgDn and PgUp move a tall form's body.
const FORM_SCROLL_STEP: usize = 5;

impl App {
    /// A form's place: what its focused field takes; a form sending takes no keys.
    pub(crate) fn form_place(&self, form: &dyn FormComponent) -> Place {
        match form.phase() {
            Phase::InFlight { .. } => Place::Sending,
            _ => self.with_form_context(form.number(), |cx| form.place(cx)),
        }
    }

    /// Runs `f` with what a form of number `id` may know: its row, its profile's version, the
    /// engine's plans for it, the theme and the clock; never the app itself.
    pub fn with_form_context<R>(&self, id: &NumberId, f: impl FnOnce(&FormContext) -> R) -> R {
        let row = self.table.find(id).map(|i| &self.table.rows[i]);
        let profile = row.map(|r| r.profile.clone());
        let version = profile
            .as_deref()
            .and_then(|p| self.profile(p))
            .map(|p| p.version);
        let planner = |request| {
            let profile = profile.as_deref().unwrap_or(&self.default_profile);
            self.plan_for(id, profile, request)
        };
        let mut cx = FormContext::new(
            &self.theme,
            self.clock,
            self.spinner,
            self.policy.window_words(),
            row,
            version,
            &planner,
        );
        cx.lock_wait = self.lock_waits.contains(id);
        cx.wabas = self.wabas();
        cx.renames = self
            .renames
            .budget(id.as_str(), crate::audit::Operation::Rename);
        f(&cx)
    }

    /// The profiles that name a WABA, with it: the default profile first, then by name.
    pub fn wabas(&self) -> Vec<(ProfileName, NumberId)> {
        let mut wabas: Vec<(ProfileName, NumberId)> = self
            .profiles
            .values()
            .filter_map(|p| Some((p.name.clone(), p.waba.clone()?)))
            .collect();
        wabas.sort_by_key(|(name, _)| (name != &self.default_profile, name.clone()));
        wabas
    }

    /// Opens a form that acts on the account rather than a number (add): on the default
    /// profile's WABA (the form offers the others). Without any WABA configured, says how to
    /// get one and opens nothing.
    pub(crate) fn open_account_form(&mut self, kind: FormKind) -> Vec<Cmd> {
        match self.wabas().first() {
            Some((_, waba)) => {
                let waba = waba.clone();
                self.open_form_of(kind, &waba)
            }
            None => {
                self.notice(
                    Level::Warn,
                    "no profile names a waba_id: add one to the profile in the config to add numbers here (or use wareg add --waba ID)",
                );
                Vec::new()
            }
        }
    }

    /// The profile of the number's row, if the number is in the table.
    pub fn row_profile(&self, id: &NumberId) -> Option<ProfileName> {
        self.table
            .find(id)
            .map(|i| self.table.rows[i].profile.clone())
    }

    /// Opens the form a key table names (`Action::OpenForm`) for a number.
    pub(crate) fn open_form_of(&mut self, kind: FormKind, id: &NumberId) -> Vec<Cmd> {
        // Every form ends in an intent in the ledger: none is opened while it does not answer.
        if self.refused_while_silent() {
            return Vec::new();
        }
        match self.with_form_context(id, |cx| registry::open(kind, cx, id)) {
            Some(form) => self.open_form(form),
            None => Vec::new(),
        }
    }

    /// Opens a form. One that shows the engine's plan has the engine count the budgets again
    /// (the form shows them as counted now; the engine counts once more under its lock at
    /// submit) and, if the number's storage is not known yet, has it read.
    pub fn open_form(&mut self, form: Box<dyn FormComponent>) -> Vec<Cmd> {
        let mut cmds = Vec::new();
        if form.shows_plan() {
            cmds.push(Cmd::LoadLedger);
            if let Some(i) = self.table.find(form.number()) {
                let row = &self.table.rows[i];
                if matches!(row.storage, Storage::NotRead | Storage::Failed(_)) {
                    let (profile, id) = (row.profile.clone(), row.id.clone());
                    cmds.push(self.read_settings(&profile, &id, super::Asker::Mutation));
                }
            }
        }
        self.overlay = Some(Overlay::Form(form));
        self.form_scroll = 0;
        cmds
    }

    /// How far the open form's body can scroll on this screen (0: it fits, or no form is open).
    pub fn form_max_scroll(&self) -> usize {
        let Some(Overlay::Form(form)) = &self.overlay else {
            return 0;
        };
        let screen = ratatui::layout::Rect::new(0, 0, self.size.0, self.size.1);
        self.with_form_context(form.number(), |cx| {
            let content = form.content(cx);
            crate::tui::view::popup::form_layout(
                screen,
                content.width,
                content.body,
                content.tail,
                0,
                cx.theme,
            )
            .max_scroll
        })
    }

    pub(crate) fn on_form_key(
        &mut self,
        mut form: Box<dyn FormComponent>,
        input: InputEvent,
    ) -> Vec<Cmd> {
        // While its request runs, a form takes no input, so `q` can ask to quit from here.
        if matches!(form.phase(), Phase::InFlight { .. }) {
            if input.action == Some(Action::Quit) {
                self.overlay = Some(Overlay::ConfirmQuit(Some(Box::new(Overlay::Form(form)))));
            } else {
                self.overlay = Some(Overlay::Form(form));
            }
            return Vec::new();
        }
        // Scrolling a tall form is the host's: the form's fields keep their keys.
        let on_a_field = matches!(
            self.with_form_context(form.number(), |cx| form.place(cx)),
            Place::Field(_)
        );
        if let Some(action @ (Action::PageDown | Action::PageUp)) = input.action
            && on_a_field
        {
            self.overlay = Some(Overlay::Form(form));
            let most = self.form_max_scroll();
            self.form_scroll = match action {
                Action::PageDown => (self.form_scroll + FORM_SCROLL_STEP).min(most),
                _ => self.form_scroll.saturating_sub(FORM_SCROLL_STEP),
            };
            return Vec::new();
        }
        let id = form.number().clone();
        match self.with_form_context(&id, |cx| form.on_key(&input, cx)) {
            // Dropping the form zeroizes its secret buffers.
            FormEvent::Cancel => {
                if let Some(warning) = form.on_close() {
                    let name = self.name_of(form.number());
                    self.notice(Level::Warn, format!("{name}: {warning}"));
                }
                Vec::new()
            }
            FormEvent::None => {
                self.overlay = Some(Overlay::Form(form));
                Vec::new()
            }
            FormEvent::Open(next) => self.open_form(next),
            FormEvent::OpenKind(kind, id) => self.open_form_of(kind, &id),
            FormEvent::Submit => self.submit(form),
        }
    }

    fn submit(&mut self, mut form: Box<dyn FormComponent>) -> Vec<Cmd> {
        let id = form.number().clone();
        // The ledger stopped answering while the form was open: it stays open, nothing sent.
        if self.refused_while_silent() {
            self.overlay = Some(Overlay::Form(form));
            return Vec::new();
        }
        let Some(submission) = self.with_form_context(&id, |cx| form.submit(cx)) else {
            self.overlay = Some(Overlay::Form(form));
            return Vec::new();
        };
        let request = self.new_request(Pending::Mutation {
            id: form.number().clone(),
            what: submission.call.mutation(),
        });
        *form.phase_mut() = Phase::InFlight { request };
        if let Some(notice) = submission.notice {
            let name = self.name_of(form.number());
            self.notice(Level::Info, format!("{name}: {notice}"));
        }
        let cmd = Cmd::Engine {
            request,
            profile: form.profile().clone(),
            call: submission.call,
        };
        self.overlay = Some(Overlay::Form(form));
        vec![cmd]
    }

    /// The open form, taken out, if the reply is for it.
    fn take_form_for(&mut self, request: RequestId) -> Option<Box<dyn FormComponent>> {
        match self.overlay.take() {
            Some(Overlay::Form(form)) if form.phase() == &(Phase::InFlight { request }) => {
                Some(form)
            }
            other => {
                self.overlay = other;
                None
            }
        }
    }

    /// A reply to the mutation `what` of number `id`, for the form that sent it if it is still
    /// open. When it ends badly the log says so in one line, form open or not, so the log and
    /// `wareg.log` carry every verdict.
    pub(crate) fn on_form_reply(
        &mut self,
        request: RequestId,
        id: &NumberId,
        what: Mutation,
        reply: Reply,
    ) -> Vec<Cmd> {
        // An add answers with the new number: it joins the table (discovered through its
        // profile) and is read, so the next steps have its row.
        let mut cmds = Vec::new();
        let created = match &reply {
            Reply::Added {
                profile,
                result: Ok(new),
            } => {
                cmds.extend(self.add_row(profile, new));
                Some(new.clone())
            }
            _ => None,
        };
        let added: Result<(), crate::tui::msg::StepFailure>;
        let (step, result, finished) = match &reply {
            Reply::Step { step, result, last } => (Some(*step), result, *last || result.is_err()),
            Reply::Simple(result) => (None, result, true),
            Reply::Added { result, .. } => {
                added = result.as_ref().map(|_| ()).map_err(Clone::clone);
                (None, &added, true)
            }
            _ => return Vec::new(),
        };
        if let Some(mut form) = self.take_form_for(request) {
            let after = form.on_reply(FormReply {
                step,
                result,
                finished,
                created: created.as_ref(),
                now: self.clock.now(),
            });
            if let Some(done) = after.done {
                let name = self.name_of(id);
                self.notice(Level::Info, format!("{name}: {done}"));
            }
            if !after.close {
                self.overlay = Some(Overlay::Form(form));
            }
        }
        if let Err(e) = result {
            let name = self.name_of(id);
            let what = what.words();
            if e.unknown_outcome {
                let after = e.readback.as_deref().map_or_else(
                    || "its status is being read again".to_owned(),
                    |read| format!("read back: {read}"),
                );
                self.notice(
                    Level::Warn,
                    format!("{name}: {what}: outcome unknown, not retried; {after}"),
                );
            } else {
                let why = e
                    .entry
                    .or_else(|| e.code.and_then(catalogue::lookup))
                    .map_or_else(
                        || e.message.clone(),
                        |c| format!("{} ({})", c.title, c.code),
                    );
                self.notice(Level::Error, format!("{name}: {what} failed: {why}"));
            }
        }
        if finished {
            // What changed on Meta's side shows in the table (even when the form was closed
            // while it ran); the budget comes from the trail.
            cmds.push(Cmd::LoadLedger);
            if let Some(profile) = self.row_profile(id) {
                cmds.push(self.read_number(&profile, id));
                cmds.push(self.read_settings(&profile, id, super::Asker::Mutation));
            }
        }
        cmds
    }

    /// A number just added through `profile`: a row of its own (not in the config), read now.
    fn add_row(&mut self, profile: &ProfileName, id: &NumberId) -> Vec<Cmd> {
        if self.table.find(id).is_none() {
            let mut row = crate::fleet::Row::configured(id.clone(), None, profile.clone());
            row.configured = false;
            self.table.push(row);
            self.table.refilter(&self.budgets);
        }
        vec![self.read_number(profile, id)]
    }

    /// The token could not be read: nothing was sent.
    pub(crate) fn form_failed_without_sending(&mut self, why: &str) {
        if let Some(Overlay::Form(form)) = &mut self.overlay
            && matches!(form.phase(), Phase::InFlight { .. })
        {
            *form.phase_mut() = Phase::Failed(Failure {
                message: format!("nothing was sent: {why}"),
                code: None,
                entry: None,
                unknown_outcome: false,
                readback: None,
                at: self.clock.now(),
            });
        }
    }
}
