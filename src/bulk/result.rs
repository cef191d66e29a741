//! What a bulk run did to each number and the state it left it in, in words, read from the
//! run's journal. The TUI's summary and `wareg bulk show` (text and `--json`) both say these
//! words; they are written here only.

use serde::Serialize;

use super::Action;
use super::journal::{Entry, JournalState, NumberState};

/// One number of a run, as the journal tells it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NumberResult {
    pub number: String,
    pub label: Option<String>,
    /// The display phone number the plan's read gave.
    pub display: Option<String>,
    pub state: NumberState,
    /// Each call sent (or refused before sending), in order.
    pub steps: Vec<StepResult>,
    /// How it ended, in Meta's words or wareg's (the journal's `finished` message).
    pub message: Option<String>,
    /// The state it was left in: "left DEREGISTERED: …" first of all.
    pub left: String,
}

/// One call of a number's plan and how it went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepResult {
    /// "deregister", "settings", "register", "set PIN".
    pub step: String,
    /// ok, error, unknown, not_sent, refused (as the journal has it).
    pub outcome: String,
    /// What Meta (or the gate) said, short: "133005 Two-step PIN mismatch".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// How a number stopped short of messaging, said the same wherever a person reads it.
const STOPPED: &str = "messaging is stopped until it is registered again";
/// How the state words start for a number a run left deregistered against its plan.
const LEFT_DEREGISTERED: &str = "left DEREGISTERED:";

impl StepResult {
    pub fn ok(&self) -> bool {
        self.outcome == "ok"
    }

    /// "✓ deregister", "✗ register 133005 Two-step PIN mismatch", "? register timeout…".
    pub fn words(&self) -> String {
        let mark = match self.outcome.as_str() {
            "ok" => "✓",
            "unknown" => "?",
            _ => "✗",
        };
        match (&self.detail, self.ok()) {
            (Some(detail), false) => format!("{mark} {} {detail}", self.step),
            _ => format!("{mark} {}", self.step),
        }
    }
}

impl NumberResult {
    /// A result known only by its end (no journal to read it from).
    pub fn bare(
        number: &str,
        state: NumberState,
        message: Option<String>,
        action: Action,
        run: &str,
    ) -> Self {
        let mut result = NumberResult {
            number: number.to_owned(),
            label: None,
            display: None,
            state,
            steps: Vec::new(),
            message,
            left: String::new(),
        };
        result.left = left_words(&result, Some(action), None, run);
        result
    }

    /// How people name it: label and display number, else whichever it has, else the id.
    pub fn name(&self) -> String {
        let clean = |s: &String| crate::clean::text(s, 60);
        match (
            self.label.as_ref().map(clean),
            self.display.as_ref().map(clean),
        ) {
            (Some(label), Some(display)) => format!("{label} {display}"),
            (Some(one), None) | (None, Some(one)) => one,
            (None, None) => self.number.clone(),
        }
    }

    /// What was done: each step with ✓/✗, or why nothing was.
    pub fn done(&self) -> String {
        if !self.steps.is_empty() {
            return self
                .steps
                .iter()
                .map(StepResult::words)
                .collect::<Vec<_>>()
                .join(" ");
        }
        match self.state {
            NumberState::NotStarted => "not started".into(),
            NumberState::Interrupted => "interrupted before a call ended".into(),
            NumberState::Done => "nothing needed sending".into(),
            _ => match &self.message {
                Some(why) => format!("✗ nothing sent: {}", crate::clean::text(why, 300)),
                None => format!("✗ nothing sent ({})", self.state.words()),
            },
        }
    }

    /// The one line both faces show: "Support DE +49 30 1234 · ✓ deregister ✗ register
    /// 133005 Two-step PIN mismatch · left DEREGISTERED: …".
    pub fn line(&self) -> String {
        format!("{} · {} · {}", self.name(), self.done(), self.left)
    }

    /// A deregister worked and no register followed: it cannot message, and `bulk resume`
    /// (or a register) is what brings it back.
    pub fn left_deregistered(&self) -> bool {
        self.left.starts_with(LEFT_DEREGISTERED)
    }

    /// The whole message, as Enter opens it in the TUI and `message` carries it in `--json`:
    /// how it ended in full, and what that means for messaging.
    pub fn whole_message(&self) -> Option<String> {
        let deregistered = self.left_deregistered();
        let message = self.message.clone().map(|m| crate::clean::text(&m, 2000));
        match message {
            // An earlier wareg wrote the consequence into the message itself.
            Some(m) if deregistered && !m.contains("DEREGISTERED") => {
                Some(format!("{m}; the number is now DEREGISTERED: {STOPPED}"))
            }
            Some(m) => Some(m),
            None if deregistered => Some(format!("the number is now DEREGISTERED: {STOPPED}")),
            None => None,
        }
    }

    /// Every line of the whole result, for the TUI's full view: the name and id, each step
    /// with what was said, the whole message and the state it was left in.
    pub fn full(&self) -> Vec<String> {
        let mut lines = vec![format!("{} ({})", self.name(), self.number)];
        for step in &self.steps {
            lines.push(format!("  {}", step.words()));
        }
        if self.steps.is_empty() {
            lines.push(format!("  {}", self.done()));
        }
        // Meta's words as they came; what they mean for messaging is the last line's.
        if let Some(message) = &self.message {
            lines.push(crate::clean::text(message, 2000));
        }
        lines.push(self.left.clone());
        lines
    }
}

/// Every planned number of the journal's run, in plan order, with its steps and its end.
pub fn results(state: &JournalState) -> Vec<NumberResult> {
    let mut out: Vec<NumberResult> = state
        .numbers
        .iter()
        .map(|(number, _, s)| NumberResult {
            number: number.clone(),
            label: None,
            display: None,
            state: *s,
            steps: Vec::new(),
            message: None,
            left: String::new(),
        })
        .collect();
    let index = |number: &str, out: &[NumberResult]| out.iter().position(|r| r.number == number);
    for entry in &state.entries {
        match entry {
            Entry::Planned {
                number,
                label,
                display,
                ..
            } => {
                if let Some(i) = index(number, &out) {
                    out[i].label.clone_from(label);
                    out[i].display.clone_from(display);
                }
            }
            Entry::Started { number, .. } => {
                // A resume starts it over: what it sends now is what counts.
                if let Some(i) = index(number, &out) {
                    out[i].message = None;
                }
            }
            Entry::Step {
                number,
                call,
                outcome,
                message,
            } => {
                if let Some(i) = index(number, &out) {
                    out[i].steps.push(StepResult {
                        step: step_name(call),
                        outcome: outcome.clone(),
                        detail: message.clone(),
                    });
                }
            }
            Entry::Finished {
                number, message, ..
            } => {
                if let Some(i) = index(number, &out) {
                    out[i].message.clone_from(message);
                }
            }
            _ => {}
        }
    }
    for result in &mut out {
        result.left = left_words(
            result,
            Some(state.action),
            state.region.as_deref(),
            &state.id,
        );
    }
    out
}

/// "POST /settings (local storage DE)" → "settings"; the PIN's call → "set PIN".
fn step_name(call: &str) -> String {
    let name = call
        .trim_start_matches("POST /")
        .split([' ', '('])
        .next()
        .unwrap_or_default();
    match name {
        "{id}" | "" => "set PIN".into(),
        other => other.to_owned(),
    }
}

/// The state a number was left in, from its steps: a deregister that worked with no
/// register after it leaves it DEREGISTERED, whatever else happened.
fn left_words(
    result: &NumberResult,
    action: Option<Action>,
    region: Option<&str>,
    run: &str,
) -> String {
    let last_of = |step: &str| result.steps.iter().rposition(|s| s.step == step && s.ok());
    let deregistered = match (last_of("deregister"), last_of("register")) {
        (Some(d), Some(r)) => d > r,
        (Some(_), None) => true,
        _ => false,
    };
    let resume = format!("wareg bulk resume {run}");
    if deregistered && action == Some(Action::Deregister) {
        return format!("left DEREGISTERED, as asked: {STOPPED}");
    }
    if deregistered {
        return format!("{LEFT_DEREGISTERED} {STOPPED} ({resume}, or register)");
    }
    match result.state {
        NumberState::Done => match (action, region) {
            (Some(Action::SetPin), _) => "left with the new two-step PIN".into(),
            (Some(Action::Region), Some(region)) | (Some(Action::Register), Some(region))
                if region != "off" =>
            {
                format!("left registered, local storage {region}")
            }
            _ => "left registered".into(),
        },
        NumberState::Unknown => format!(
            "left unknown: Meta may have applied it; read it (wareg status {}) before sending again",
            result.number
        ),
        NumberState::Interrupted => {
            format!("left interrupted: {resume} reads it and finishes it")
        }
        NumberState::NotStarted => format!("left as it was: not started ({resume})"),
        NumberState::Failed | NumberState::Refused | NumberState::Skipped => {
            "left as it was".into()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(step: &str, outcome: &str, detail: Option<&str>) -> StepResult {
        StepResult {
            step: step.into(),
            outcome: outcome.into(),
            detail: detail.map(Into::into),
        }
    }

    fn result(state: NumberState, steps: Vec<StepResult>, action: Action) -> NumberResult {
        let mut r = NumberResult {
            number: "1065".into(),
            label: Some("Support DE".into()),
            display: Some("+49 30 1234".into()),
            state,
            steps,
            message: None,
            left: String::new(),
        };
        r.left = left_words(&r, Some(action), Some("DE"), "20261125-233000-1a2b");
        r
    }

    #[test]
    fn a_region_change_that_failed_after_its_deregister_is_left_deregistered() {
        let r = result(
            NumberState::Failed,
            vec![
                step("deregister", "ok", None),
                step("settings", "ok", None),
                step("register", "error", Some("133005 Two-step PIN mismatch")),
            ],
            Action::Region,
        );
        assert_eq!(
            r.line(),
            "Support DE +49 30 1234 · ✓ deregister ✓ settings ✗ register 133005 Two-step PIN mismatch · left DEREGISTERED: messaging is stopped until it is registered again (wareg bulk resume 20261125-233000-1a2b, or register)"
        );
        assert!(r.whole_message().unwrap().contains("now DEREGISTERED"));
    }

    #[test]
    fn what_it_was_left_in_follows_the_steps_and_the_action() {
        let done = result(
            NumberState::Done,
            vec![step("deregister", "ok", None), step("register", "ok", None)],
            Action::Region,
        );
        assert_eq!(done.left, "left registered, local storage DE");
        let deregistered = result(
            NumberState::Done,
            vec![step("deregister", "ok", None)],
            Action::Deregister,
        );
        assert!(deregistered.left.starts_with("left DEREGISTERED, as asked"));
        let refused = result(NumberState::Refused, vec![], Action::Register);
        assert_eq!(refused.left, "left as it was");
        assert_eq!(refused.done(), "✗ nothing sent (refused)");
        let waiting = result(NumberState::NotStarted, vec![], Action::Register);
        assert!(
            waiting
                .left
                .contains("wareg bulk resume 20261125-233000-1a2b")
        );
    }

    #[test]
    fn a_number_without_label_or_display_is_named_by_its_id() {
        let r = NumberResult::bare("1065", NumberState::Done, None, Action::Register, "x");
        assert_eq!(r.name(), "1065");
        assert_eq!(step_name("POST /settings (local storage DE)"), "settings");
        assert_eq!(step_name("POST /{id} (two-step PIN)"), "set PIN");
        assert_eq!(step_name("POST /register (region DE in body)"), "register");
    }
}
