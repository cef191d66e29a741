//! The register form: masked PIN, region dropdown, a pre-flight panel, Register / Cancel.
//! When the number is connected and the chosen storage differs from the current one, the plan
//! becomes the guided region change: deregister, (settings), register.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::fields::{Field, cycle, focused, navigate};
use super::parts::{failure_lines, override_words, progress_lines, status_lines};
use super::{
    AfterReply, Failure, FormComponent, FormContent, FormContext, FormEvent, FormReply, Phase,
    Progress, StepState, Submission, VerifyForm,
};
use crate::config::ProfileName;
use crate::engine::{Blocker, Plan, PlanKind, Request, Step, StorageFact, storage_words};
use crate::graph::types::CodeVerification;
use crate::graph::{ApiVersion, NumberId, Region, StorageChoice};

/// The register form's width, its border included.
const FORM_WIDTH: u16 = 78;
use crate::tui::keys::{Action, FieldKind, InputEvent, Place};
use crate::tui::msg::EngineCall;
use crate::tui::view::popup::{button, button_row, field_label, masked_slots};
use crate::tui::widgets::region_select::option_label;
use crate::tui::widgets::secret_field::MASK;
use crate::tui::widgets::{RegionSelect, SecretField};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegisterField {
    Pin,
    /// The PIN once more, when none is set yet: this one becomes the two-step PIN.
    PinAgain,
    Region,
    Override,
    Submit,
    Cancel,
}

impl Field for RegisterField {
    fn kind(self) -> FieldKind {
        match self {
            RegisterField::Pin | RegisterField::PinAgain => FieldKind::Digits,
            RegisterField::Region => FieldKind::Choice,
            RegisterField::Override => FieldKind::Check,
            RegisterField::Submit | RegisterField::Cancel => FieldKind::Button,
        }
    }
}

#[derive(Debug)]
pub struct RegisterForm {
    pub id: NumberId,
    pub profile: ProfileName,
    pub version: ApiVersion,
    /// Opened as "change region" (from the details popup).
    pub change_region: bool,
    pub pin: SecretField,
    /// The PIN typed again, asked for when it will become the two-step PIN.
    pub again: SecretField,
    pub region: RegionSelect,
    pub override_budget: bool,
    /// Meta answered 133006: verification is needed whatever the status field says.
    pub needs_verification: bool,
    /// Meta refused this form's register with 2388001, which neither waiting nor sending again
    /// fixes (docs/graph-api-facts.md §9): the form sends nothing more. Opened again once the
    /// cause is fixed, it asks the person to say so (`Blocker::forced_once`).
    pub refused_certificate: bool,
    pub focus: usize,
    pub phase: Phase,
    pub progress: Progress,
}

/// Everything the form knows before sending, derived from the app each time it is needed.
/// The number's facts and budgets are the plan's (`plan.facts`, `plan.budgets`).
#[derive(Debug, Clone)]
pub struct Preflight {
    /// The storage region in force, when known.
    pub current: StorageFact,
    /// The engine's plan: steps, cost, blockers, and the facts and budgets it was made from.
    pub plan: Plan,
    /// Why Register is disabled, if it is.
    pub problems: Vec<String>,
    /// What the line under the buttons says: what the form still needs, or the override's tick
    /// (what stands in the way is said at the top, once).
    pub hint: Option<String>,
    /// The number must be verified first: the button offers that instead, and the form asks
    /// for nothing the verification does not use.
    pub verify_instead: bool,
    /// Nothing this form may send: it says why at the top and offers Cancel alone.
    pub nothing: Option<Nothing>,
    pub fields: Vec<RegisterField>,
}

/// Why the register form offers nothing to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Nothing {
    /// What no override passes and no choice in the form changes (coexistence, Meta's lock,
    /// a change in progress, a name in review or one Meta registers nothing with), in words.
    Blocked(Vec<String>),
    /// Meta refused this form's register with 2388001: the same request again only spends an
    /// attempt.
    Refused,
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

pub fn open(cx: &FormContext, id: &NumberId) -> Option<Box<dyn FormComponent>> {
    opened(cx, id, false)
}

/// The same form, opened as a region change (from the details popup).
pub fn open_region_change(cx: &FormContext, id: &NumberId) -> Option<Box<dyn FormComponent>> {
    opened(cx, id, true)
}

fn opened(cx: &FormContext, id: &NumberId, change_region: bool) -> Option<Box<dyn FormComponent>> {
    let mut form = RegisterForm::new(
        id.clone(),
        cx.profile()?.clone(),
        cx.version?,
        cx.region(),
        cx.storage(),
        change_region,
    );
    // A form that offers fewer fields (Cancel alone, or the verification) starts on its first.
    form.focus = form
        .focus
        .min(form.preflight(cx).fields.len().saturating_sub(1));
    Some(Box::new(form))
}

impl RegisterForm {
    pub fn new(
        id: NumberId,
        profile: ProfileName,
        version: ApiVersion,
        current: Option<Region>,
        storage: StorageFact,
        change_region: bool,
    ) -> Self {
        // Not read (or still being read): "none" must not be assumed, it would turn it off.
        let known = matches!(storage, StorageFact::On(_) | StorageFact::Off);
        RegisterForm {
            id,
            profile,
            version,
            change_region,
            pin: SecretField::new(6),
            again: SecretField::new(6),
            region: if known {
                RegionSelect::new(current)
            } else {
                RegionSelect::unread()
            },
            override_budget: false,
            needs_verification: false,
            refused_certificate: false,
            // The region change starts at the dropdown; a register at the PIN.
            focus: usize::from(change_region),
            phase: Phase::Editing,
            progress: Vec::new(),
        }
    }

    pub fn focused(&self, pre: &Preflight) -> RegisterField {
        focused(&pre.fields, self.focus).unwrap_or(RegisterField::Pin)
    }

    /// A deregister went through and a later step did not: the number cannot send now.
    pub fn left_deregistered(&self) -> bool {
        self.progress
            .iter()
            .any(|(s, st)| *s == Step::Deregister && *st == StepState::Done)
            && self.progress.iter().any(|(_, st)| *st == StepState::Failed)
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
        if self.region.leave {
            return StorageChoice::Keep;
        }
        match (self.region.value(), current) {
            (None, StorageFact::On(_)) => StorageChoice::Off,
            (None, _) => StorageChoice::Keep,
            (Some(r), _) => StorageChoice::Region(r),
        }
    }

    fn on_field_key(&mut self, input: &InputEvent, pre: &Preflight) -> FormEvent {
        let count = pre.fields.len();
        let Some(action) = input.action else {
            return FormEvent::None;
        };
        match (self.focused(pre), action) {
            (RegisterField::Pin, Action::Type) => {
                if let Some(c) = input.typed() {
                    self.pin.push(c);
                    self.edited();
                }
            }
            (RegisterField::Pin, Action::Erase) => {
                self.pin.pop();
                self.edited();
            }
            (RegisterField::PinAgain, Action::Type) => {
                if let Some(c) = input.typed() {
                    self.again.push(c);
                    self.edited();
                }
            }
            (RegisterField::PinAgain, Action::Erase) => {
                self.again.pop();
                self.edited();
            }
            (RegisterField::Pin | RegisterField::PinAgain, Action::Press) => {
                self.focus = cycle(self.focus, count, true)
            }
            (RegisterField::Region, Action::Press) => self.region.open(),
            (RegisterField::Override, Action::Press) => {
                self.override_budget = !self.override_budget;
            }
            (RegisterField::Submit, Action::Press) if pre.verify_instead => {
                // Opened from a register, it offers the register once verified, as it says.
                let mut verify = VerifyForm::new(self.id.clone(), self.profile.clone());
                verify.then_register = true;
                return FormEvent::Open(Box::new(verify));
            }
            (RegisterField::Submit, Action::Press) if pre.problems.is_empty() => {
                return FormEvent::Submit;
            }
            (RegisterField::Cancel, Action::Press) => return FormEvent::Cancel,
            _ => {}
        }
        FormEvent::None
    }

    /// Marks `step` done or failed, starts the next, and skips the rest after a failure.
    fn advance(&mut self, step: Step, ok: bool) {
        let progress = &mut self.progress;
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

    pub fn preflight(&self, cx: &FormContext) -> Preflight {
        let form = self;
        let current = cx.storage();
        let choice = form.storage_choice(current);
        let plan = cx.plan(Request::Register(choice));
        let facts = &plan.facts;
        let nothing = form.nothing(cx, &plan, choice);
        let verify_instead = nothing.is_none()
            && (form.needs_verification
                || plan
                    .blockers
                    .iter()
                    .any(|b| matches!(b, Blocker::NotVerified(_))));
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
        // No PIN is set: the one typed becomes it, so it is typed twice, as `p` asks.
        let sets_pin = facts.pin_enabled == Some(false);
        if sets_pin && form.pin.problem().is_none() {
            if !form.again.is_complete() {
                problems.push("PIN: type it again (it becomes the two-step PIN)".into());
            } else if !form.pin.same_as(&form.again) {
                problems.push("PIN: the two PINs differ".into());
            }
        }
        if current == StorageFact::Reading && facts.connected() {
            problems.push("reading the current storage setting…".into());
        }
        // Opened to change the region, a plan that keeps it would spend a re-register on
        // nothing: say so and send nothing until another region is chosen.
        if form.change_region
            && facts.registered()
            && plan.kind != PlanKind::RegionChange
            && current != StorageFact::Reading
        {
            problems.push(format!(
                "local storage is already {}: choose another region (nothing to change)",
                storage_words(current)
            ));
        }
        // What the form still needs, under the buttons: the PIN's own note says its part.
        let mut hint = problems.iter().find(|p| !p.starts_with("PIN:")).cloned();
        let (label, _) = override_words(&plan);
        for blocker in plan.blocking(form.override_budget) {
            match blocker {
                // The button offers verification instead.
                Blocker::NotVerified(_) => {}
                b if b.overridable() => {
                    let tick = match b.forced_once() {
                        Some(done) => format!("once {done}, tick {label} to send it"),
                        None => "tick the override to send anyway".to_owned(),
                    };
                    problems.push(format!("{}: {tick}", b.words()));
                    hint.get_or_insert(tick);
                }
                Blocker::StorageUnknown if current == StorageFact::Reading => {}
                b => problems.push(b.words()),
            }
        }
        if nothing.is_some() {
            problems.push("nothing can be sent from this form".into());
        }
        let fields = if nothing.is_some() {
            vec![RegisterField::Cancel]
        } else if verify_instead {
            // The PIN and the region belong to the register that follows the verification.
            vec![RegisterField::Submit, RegisterField::Cancel]
        } else {
            let mut fields = vec![RegisterField::Pin];
            if sets_pin {
                fields.push(RegisterField::PinAgain);
            }
            fields.push(RegisterField::Region);
            if overridable {
                fields.push(RegisterField::Override);
            }
            fields.extend([RegisterField::Submit, RegisterField::Cancel]);
            fields
        };
        Preflight {
            current,
            plan,
            problems,
            hint: hint.filter(|_| nothing.is_none() && !verify_instead),
            verify_instead,
            nothing,
            fields,
        }
    }

    /// Whether the form may send anything at all: not after Meta refused its register with
    /// 2388001, nor while a blocker stands that no override passes and no region chosen here
    /// takes away (judged on the plan that keeps storage, whose blockers every other has).
    fn nothing(&self, cx: &FormContext, plan: &Plan, choice: StorageChoice) -> Option<Nothing> {
        if self.refused_certificate {
            return Some(Nothing::Refused);
        }
        let keeping;
        let kept = if choice == StorageChoice::Keep {
            plan
        } else {
            keeping = cx.plan(Request::Register(StorageChoice::Keep));
            &keeping
        };
        let words: Vec<String> = kept
            .blockers
            .iter()
            .filter(|b| !b.overridable())
            .map(Blocker::words)
            .collect();
        (!words.is_empty()).then_some(Nothing::Blocked(words))
    }
}

impl FormComponent for RegisterForm {
    crate::form_basics!();

    fn shows_plan(&self) -> bool {
        true
    }

    fn place(&self, cx: &FormContext) -> Place {
        if self.region.open.is_some() {
            return Place::Dropdown;
        }
        Place::Field(self.focused(&self.preflight(cx)).kind())
    }

    fn on_key(&mut self, input: &InputEvent, cx: &FormContext) -> FormEvent {
        // The open dropdown owns every key, Esc included.
        if self.region.open.is_some() {
            self.region.on_input(input, cx.clock.now());
            self.edited();
            return FormEvent::None;
        }
        let pre = self.preflight(cx);
        // Fields come and go with the plan (a change begun elsewhere leaves Cancel alone).
        self.focus = self.focus.min(pre.fields.len().saturating_sub(1));
        match navigate(input, &mut self.focus, pre.fields.len()) {
            Some(event) => event,
            None => self.on_field_key(input, &pre),
        }
    }

    fn submit(&mut self, cx: &FormContext) -> Option<Submission> {
        let pre = self.preflight(cx);
        let pin = self.pin.to_pin()?;
        self.progress = pre
            .plan
            .steps
            .iter()
            .map(|s| (*s, StepState::Waiting))
            .collect();
        if let Some(first) = self.progress.first_mut() {
            first.1 = StepState::Running;
        }
        Some(Submission {
            notice: Some(format!("sending {}", pre.plan.summary())),
            call: EngineCall::RunPlan {
                forced: self.override_budget && pre.budget_blocked(),
                plan: Box::new(pre.plan),
                pin: Some(pin),
            },
        })
    }

    fn on_reply(&mut self, reply: FormReply<'_>) -> AfterReply {
        if let Some(step) = reply.step {
            self.advance(step, reply.result.is_ok());
        }
        match reply.result {
            _ if !reply.finished => AfterReply::default(),
            Ok(()) => AfterReply {
                close: true,
                done: Some("registered"),
            },
            Err(e) => {
                // The next attempt is decided afresh: no PIN and no override carried over.
                self.pin.clear();
                self.again.clear();
                self.override_budget = false;
                self.focus = 0;
                self.needs_verification |= e.code == Some(crate::graph::codes::NEEDS_VERIFICATION);
                let failure = Failure::of(e, reply.now);
                self.refused_certificate |= failure.entry.and_then(|c| c.subcode)
                    == Some(crate::graph::codes::CANNOT_CREATE_CERTIFICATE);
                self.phase = Phase::Failed(failure);
                AfterReply::default()
            }
        }
    }

    /// Closing does not undo a deregister: the log keeps saying so after the form is gone.
    fn on_close(&self) -> Option<String> {
        self.left_deregistered().then(|| {
            "left deregistered; messaging is stopped until it is registered again".to_owned()
        })
    }

    fn content(&self, cx: &FormContext) -> FormContent {
        let form = self;
        let theme = cx.theme;
        let pre = form.preflight(cx);
        let focused = form.focused(&pre);
        let editing = form.phase == Phase::Editing || matches!(form.phase, Phase::Failed(_));
        let f = |field: RegisterField| editing && focused == field;
        // Asks for a PIN and a region only when it may send a register: a form that offers
        // nothing to send, or the verification first, says why and asks for nothing.
        let asks = pre.nothing.is_none() && !pre.verify_instead;

        let mut lines: Vec<Line<'static>> = form.top_lines(cx, &pre);
        if asks {
            lines.extend(form.field_lines(cx, &pre, &f));
        }
        if let Phase::Failed(failure) = &form.phase {
            lines.extend(failure_lines(cx, failure, Some(&pre.plan.budgets.register)));
            // What was sent, right under why it stopped: a small terminal cuts the bottom first.
            if !form.progress.is_empty() {
                lines.extend(progress_lines(cx, &form.progress));
            }
            if form.left_deregistered() {
                lines.push(Line::styled(
                    "  Messaging is stopped until it is registered again with the right PIN.",
                    theme.bad(),
                ));
            }
        }
        match &pre.nothing {
            Some(Nothing::Refused) => lines.extend(crate::tui::view::hanging::hang_at(
                Line::styled(
                    "  Nothing more is sent from this form: the same register again only spends an attempt. Once what Meta asks is done, open the form again (r) to send it.",
                    theme.warn(),
                ),
                FORM_WIDTH - 2,
                2,
            )),
            // After a failure, why nothing more can be sent comes under it.
            Some(Nothing::Blocked(words)) if matches!(form.phase, Phase::Failed(_)) => {
                lines.extend(nothing_lines(cx, words))
            }
            _ => {}
        }
        if !lines.is_empty() {
            lines.push(Line::raw(""));
        }
        lines.extend(form.preflight_lines(cx, &pre));
        lines.push(Line::raw(""));
        if pre.verify_instead {
            lines.extend(verify_lines(cx));
        } else if asks {
            lines.extend(form.plan_lines(cx, &pre));
        }
        let submit_label = if pre.verify_instead {
            "Verify ownership…"
        } else if pre.needs_deregister() {
            "Change region"
        } else {
            "Register"
        };
        let enabled = pre.verify_instead || pre.problems.is_empty();
        // The button row and what is said under it, always shown; a form that may send
        // nothing offers Cancel alone.
        let buttons = if pre.nothing.is_some() {
            Line::from(vec![
                Span::raw("  "),
                button(theme, "Cancel", f(RegisterField::Cancel), editing),
            ])
        } else {
            button_row(
                theme,
                (submit_label, f(RegisterField::Submit), enabled),
                f(RegisterField::Cancel),
                editing,
            )
        };
        let mut tail = vec![buttons];
        // A failure is shown under the fields, where a short terminal still has room for it.
        if !matches!(form.phase, Phase::Failed(_)) {
            tail.extend(status_lines(
                cx,
                &form.phase,
                pre.hint.as_deref(),
                None,
                "sending… (not retried automatically)",
            ));
        }
        let title = if form.change_region || pre.needs_deregister() {
            "Change local storage"
        } else {
            "Register"
        };
        let display = pre.plan.facts.display.clone().unwrap_or_default();
        FormContent {
            title: format!("{title} {} {display}", form.id),
            width: FORM_WIDTH,
            body: lines,
            tail,
        }
    }

    /// The open region list, over the form.
    fn draw_over(&self, frame: &mut Frame, inner: Rect, cx: &FormContext) {
        // The region field is under the PIN (and the PIN again, when asked).
        let pre = self.preflight(cx);
        let above = u16::try_from(self.top_lines(cx, &pre).len()).unwrap_or(u16::MAX);
        let region_row = above + 1 + u16::from(pre.fields.contains(&RegisterField::PinAgain));
        self.region.draw_open(frame, inner, region_row, cx.theme);
    }
}

/// What the form says, part by part, in the order it shows them.
impl RegisterForm {
    /// What stands in the way, first, before anything is asked for: what nothing passes, or
    /// (when the form may send) what the override passes and what a region chosen here
    /// brings. A failure says its own, under the fields.
    fn top_lines(&self, cx: &FormContext, pre: &Preflight) -> Vec<Line<'static>> {
        let theme = cx.theme;
        if matches!(self.phase, Phase::Failed(_)) || pre.verify_instead {
            return Vec::new();
        }
        let mut lines = match &pre.nothing {
            Some(Nothing::Blocked(words)) => nothing_lines(cx, words),
            Some(Nothing::Refused) => Vec::new(),
            None => pre
                .plan
                .blockers
                .iter()
                .filter(|b| !matches!(b, Blocker::NotVerified(_)))
                .filter(|b| !(pre.current == StorageFact::Reading && **b == Blocker::StorageUnknown))
                .flat_map(|b| {
                    let (mark, style) = if b.overridable() {
                        ("!", theme.warn())
                    } else {
                        ("✗", theme.bad())
                    };
                    let words = match b {
                        // Its own words name a time the budget line below says in local time.
                        Blocker::BudgetExhausted { op, .. } => format!(
                            "the {op} budget is used up: Meta locks a number for 72 hours on the 11th request in its window"
                        ),
                        b => b.words(),
                    };
                    crate::tui::view::hanging::hang_at(
                        Line::styled(format!("  {mark} {words}"), style),
                        FORM_WIDTH - 2,
                        4,
                    )
                })
                .collect(),
        };
        // Set apart from the fields that follow (a form without them has its own gap).
        if !lines.is_empty() && pre.nothing.is_none() {
            lines.push(Line::raw(""));
        }
        lines
    }

    /// The PIN (twice when it becomes the two-step PIN), the region and the override.
    fn field_lines(
        &self,
        cx: &FormContext,
        pre: &Preflight,
        f: &dyn Fn(RegisterField) -> bool,
    ) -> Vec<Line<'static>> {
        let form = self;
        let theme = cx.theme;
        let mut lines = Vec::new();
        let pin_note = match (&form.pin.refused, form.pin.problem()) {
            (Some(why), _) => Span::styled(format!("  {why}"), theme.warn()),
            (None, Some(p)) => Span::styled(format!("  {p}"), theme.dim()),
            (None, None) => Span::styled("  ✓", theme.good()),
        };
        lines.push(Line::from(vec![
            field_label(theme, "PIN", f(RegisterField::Pin)),
            Span::raw(masked_slots(&form.pin, 6)),
            pin_note,
        ]));
        if pre.fields.contains(&RegisterField::PinAgain) {
            let note = if !form.again.is_complete() {
                Span::styled("  it becomes the two-step PIN", theme.dim())
            } else if form.pin.same_as(&form.again) {
                Span::styled("  ✓", theme.good())
            } else {
                Span::styled("  the two PINs differ", theme.warn())
            };
            lines.push(Line::from(vec![
                field_label(theme, "PIN again", f(RegisterField::PinAgain)),
                Span::raw(masked_slots(&form.again, 6)),
                note,
            ]));
        }
        let region_text = if form.region.leave {
            match pre.current {
                StorageFact::On(r) => format!("[ leave as it is ({}) ▾ ]", r.code()),
                StorageFact::Off => "[ leave as it is (none) ▾ ]".to_owned(),
                _ => "[ not read: leave as it is ▾ ]".to_owned(),
            }
        } else {
            format!("[ {} ▾ ]", option_label(form.region.chosen))
        };
        lines.push(Line::from(vec![
            field_label(theme, "Local storage", f(RegisterField::Region)),
            Span::raw(region_text),
        ]));
        if pre.fields.contains(&RegisterField::Override) {
            let mark = if form.override_budget { "[x]" } else { "[ ]" };
            let (name, what) = override_words(&pre.plan);
            lines.push(Line::from(vec![
                field_label(theme, name, f(RegisterField::Override)),
                Span::styled(format!("{mark} {what}"), theme.bad()),
            ]));
        }
        lines
    }

    /// What is known of the number: ownership, its PIN, status, health, storage, budgets.
    fn preflight_lines(&self, cx: &FormContext, pre: &Preflight) -> Vec<Line<'static>> {
        let theme = cx.theme;
        let facts = &pre.plan.facts;
        let asks = pre.nothing.is_none() && !pre.verify_instead;
        let mut lines = vec![Line::styled("Pre-flight", theme.title())];
        let item = |name: &str, value: String, style| {
            Line::from(vec![
                Span::styled(format!("  {name:<14}"), theme.dim()),
                Span::styled(value, style),
            ])
        };
        let plain = ratatui::style::Style::new();
        match &facts.verified {
            Some(CodeVerification::Verified) => {
                lines.push(item("ownership", "VERIFIED".into(), theme.good()))
            }
            Some(other) if pre.verify_instead => lines.push(item(
                "ownership",
                format!("{other}: verify first (the button below offers it)"),
                theme.bad(),
            )),
            Some(other) => lines.push(item("ownership", other.to_string(), theme.bad())),
            None => lines.push(item("ownership", "not known".into(), theme.dim())),
        }
        // What the PIN must be, where one is asked for.
        if asks {
            let pin_state = match facts.pin_enabled {
                Some(true) => "set: the PIN must match it (a wrong PIN costs budget)".to_owned(),
                Some(false) => "not set: this PIN becomes the two-step PIN".to_owned(),
                None => "not known".to_owned(),
            };
            lines.push(item("two-step PIN", pin_state, plain));
        }
        if facts.connected() && asks && pre.plan.sendable() {
            lines.push(item(
                "status",
                "CONNECTED: registering again is allowed but costs budget".into(),
                theme.warn(),
            ));
        } else {
            lines.push(item(
                "status",
                facts
                    .status
                    .as_ref()
                    .map_or("not known".into(), |s| s.to_string()),
                plain,
            ));
        }
        // FLAGGED or health LIMITED/BLOCKED: a register does not change it (issue 26 item 13).
        if let Some(health) = crate::engine::health_words(facts) {
            // Continues under its value when it wraps (the form's inner width).
            lines.extend(crate::tui::view::hanging::hang_at(
                item("health", health, theme.bad()),
                FORM_WIDTH - 2,
                16,
            ));
        }
        lines.push(item("storage now", storage_words(pre.current), plain));
        let budget_style = |left: u32| if left == 0 { theme.bad() } else { plain };
        lines.push(item(
            "register",
            budget_text(cx, &pre.plan.budgets.register),
            budget_style(pre.plan.budgets.register.left()),
        ));
        if pre.needs_deregister() {
            lines.push(item(
                "deregister",
                budget_text(cx, &pre.plan.budgets.deregister),
                budget_style(pre.plan.budgets.deregister.left()),
            ));
        }
        lines
    }

    /// What the next press sends (in flight: how far it got), then the plan's notes.
    fn plan_lines(&self, cx: &FormContext, pre: &Preflight) -> Vec<Line<'static>> {
        let form = self;
        let theme = cx.theme;
        let mut lines = Vec::new();
        if pre.needs_deregister() {
            lines.push(Line::styled(
                "Will change the region: deregister, then register again",
                theme.warn(),
            ));
            lines.push(Line::raw(
                "  (messaging stops until the register succeeds, and a wrong PIN leaves it deregistered; costs 1 deregister + 1 register)",
            ));
        } else {
            lines.push(Line::styled("Will send", theme.title()));
        }
        // In flight: how far it got. Otherwise what the next press sends (after a failure, what
        // was sent is shown above, with the failure).
        if matches!(form.phase, Phase::InFlight { .. }) {
            lines.extend(progress_lines(cx, &form.progress));
        } else {
            for (i, step) in pre.plan.steps.iter().enumerate() {
                let pin = if step.operation() == crate::audit::Operation::Register {
                    format!("  {}", pin_words(&form.pin))
                } else {
                    String::new()
                };
                lines.push(Line::raw(format!("  {}. {}{pin}", i + 1, step.describe())));
            }
            if !pre.needs_deregister() {
                // A region change says what happens to storage in its heading.
                lines.push(Line::styled(
                    format!("  then {}", pre.plan.storage_after),
                    theme.dim(),
                ));
            }
        }
        // The plan's notes, in the words `wareg plan` prints them ("note: …"), but those the
        // pre-flight above says already: the health in the same words, the PIN in its own.
        let said = [
            crate::engine::health_words(&pre.plan.facts),
            crate::engine::pin_note(&pre.plan.facts).map(str::to_owned),
        ];
        for note in pre
            .plan
            .notes
            .iter()
            .filter(|n| !said.contains(&Some((*n).clone())))
        {
            lines.extend(crate::tui::view::hanging::hang_at(
                Line::styled(format!("  note: {note}"), theme.warn()),
                FORM_WIDTH - 2,
                8,
            ));
        }
        lines.push(Line::raw(""));
        lines
    }
}

/// The PIN in the plan, as far as the masked field shows it: one mask per digit once all
/// six are typed, else that it is not (never a digit, nor a count the field does not show).
fn pin_words(pin: &SecretField) -> String {
    if pin.is_complete() {
        format!("pin {}", MASK.to_string().repeat(pin.len()))
    } else if pin.is_empty() {
        "pin: not typed yet".to_owned()
    } else {
        "pin: not complete".to_owned()
    }
}

/// "✗ Nothing can be sent: …", once for each reason, wrapped under its words.
fn nothing_lines(cx: &FormContext, words: &[String]) -> Vec<Line<'static>> {
    words
        .iter()
        .flat_map(|w| {
            crate::tui::view::hanging::hang_at(
                Line::styled(format!("  ✗ Nothing can be sent: {w}"), cx.theme.bad()),
                FORM_WIDTH - 2,
                4,
            )
        })
        .collect()
}

/// What the "Verify ownership…" button does, in place of a register plan: it opens the code
/// form, which sends these two, and offers the register once verified.
fn verify_lines(cx: &FormContext) -> Vec<Line<'static>> {
    vec![
        Line::styled(
            "Verify ownership first (the button opens it)",
            cx.theme.title(),
        ),
        Line::raw("  1. POST /request_code  a 6-digit code to the number, by SMS or voice"),
        Line::raw("  2. POST /verify_code   the code it receives"),
        Line::styled(
            "  then the register: the PIN and local storage are asked for there",
            cx.theme.dim(),
        ),
        Line::raw(""),
    ]
}

fn budget_text(cx: &FormContext, budget: &crate::audit::Budget) -> String {
    let window = &cx.window;
    match budget.next_free {
        Some(at) => format!(
            // Short enough that the date and time stay on one row at 80 columns.
            "0 of {} left ({window} window); one frees up {}",
            budget.limit,
            crate::clock::words(cx.clock.local(at))
        ),
        None => format!(
            "{} of {} left in the {window} window",
            budget.left(),
            budget.limit
        ),
    }
}
