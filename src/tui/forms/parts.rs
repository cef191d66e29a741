//! Pieces every form draws: a plan's progress and a failure explained.

use ratatui::text::{Line, Span};

use super::FormContext;
use crate::audit::Budget;
use crate::engine::{Blocker, Plan};
use crate::graph::codes;
use crate::tui::forms::{Failure, Phase, StepState};
use crate::tui::view::popup::button_row;

use chrono::Duration as ChronoDuration;

const SPINNER: [&str; 4] = ["◐", "◓", "◑", "◒"];

pub fn progress_lines(
    cx: &FormContext,
    progress: &[(crate::engine::Step, StepState)],
) -> Vec<Line<'static>> {
    let theme = cx.theme;
    progress
        .iter()
        .enumerate()
        .map(|(i, (step, state))| {
            let (mark, style) = match state {
                StepState::Waiting => ("·".to_owned(), theme.dim()),
                StepState::Running => {
                    (SPINNER[cx.spinner % SPINNER.len()].to_owned(), theme.warn())
                }
                StepState::Done => ("✓".to_owned(), theme.good()),
                StepState::Failed => ("✗".to_owned(), theme.bad()),
                StepState::Skipped => ("–".to_owned(), theme.dim()),
            };
            let note = match state {
                StepState::Skipped => "  not sent",
                StepState::Running => "  in flight",
                _ => "",
            };
            Line::from(vec![
                Span::styled(format!("  {mark} "), style),
                Span::raw(format!("{}. {}", i + 1, step.describe())),
                Span::styled(note, theme.dim()),
            ])
        })
        .collect()
}

/// The failure in plain words, with what it means for the budget and what to do next.
pub fn failure_lines(
    cx: &FormContext,
    failure: &Failure,
    budget: Option<&Budget>,
) -> Vec<Line<'static>> {
    let theme = cx.theme;
    let mut lines = Vec::new();
    if failure.unknown_outcome {
        lines.push(Line::styled(
            "  ✗ Outcome unknown: it may or may not have happened.",
            theme.bad(),
        ));
        lines.push(Line::raw(match &failure.readback {
            Some(read) => format!("    wareg does not retry it; read back: {read}."),
            None => "    wareg does not retry it; the number's status is being read again.".into(),
        }));
    } else if let Some(entry) = failure.entry {
        lines.push(Line::styled(
            format!("  ✗ {} ({})", entry.title, entry.code),
            theme.bad(),
        ));
        lines.push(Line::raw(format!("    {}", entry.explanation)));
        lines.push(Line::raw(format!("    What to do: {}", entry.action)));
    }
    match (failure.code, budget) {
        (Some(codes::PIN_MISMATCH), Some(b)) => lines.push(Line::styled(
            format!(
                "    {} left in the window.",
                crate::plural::count(b.left() as usize, "register attempt")
            ),
            theme.warn(),
        )),
        (Some(codes::REGISTRATION_LOCKED), _) => lines.push(Line::styled(
            format!(
                "    Locked by Meta until about {}.",
                lock_end(&cx.clock, failure.at)
            ),
            theme.bad(),
        )),
        (Some(codes::NEEDS_VERIFICATION), _) => lines.push(Line::styled(
            "    The button now offers ownership verification.",
            theme.warn(),
        )),
        _ => {}
    }
    lines.push(Line::from(vec![
        Span::styled("    ", theme.dim()),
        Span::styled(failure.message.clone(), theme.dim()),
    ]));
    lines
}

/// The line under a form's buttons: why the button is disabled while editing, "sending…"
/// while in flight, and the failure explained after one (unless the form shows it elsewhere).
pub fn status_lines(
    cx: &FormContext,
    phase: &Phase,
    problem: Option<&str>,
    budget: Option<&Budget>,
    sending: &str,
) -> Vec<Line<'static>> {
    match phase {
        Phase::Failed(failure) => failure_lines(cx, failure, budget),
        // Held by the ledger: another desk is changing this number (the wait ends at the
        // ledger's deadline, nothing sent).
        Phase::InFlight { .. } if cx.lock_wait => vec![Line::styled(
            "  waiting for another desk's change of this number… (nothing is sent until it ends)",
            cx.theme.warn(),
        )],
        Phase::InFlight { .. } => vec![Line::styled(format!("  {sending}"), cx.theme.warn())],
        // A form with several problems gives one a line.
        Phase::Editing => problem
            .into_iter()
            .flat_map(str::lines)
            .map(|p| Line::styled(format!("  {p}"), cx.theme.dim()))
            .collect(),
    }
}

/// What a form always shows at its foot: its button and Cancel, then under them why the
/// button is disabled, that it is sending, or how it failed (see `status_lines`).
pub fn foot(
    cx: &FormContext,
    phase: &Phase,
    submit: (&str, bool, bool),
    cancel_focused: bool,
    problem: Option<&str>,
    budget: Option<&Budget>,
    sending: &str,
) -> Vec<Line<'static>> {
    let editing = !matches!(phase, Phase::InFlight { .. });
    let mut lines = vec![button_row(cx.theme, submit, cancel_focused, editing)];
    lines.extend(status_lines(cx, phase, problem, budget, sending));
    lines
}

/// The override checkbox's label and text: the budget when that is what it overrides, then
/// what a person states by ticking it after Meta's 2388001 (that its cause is fixed, which
/// no read shows: `Blocker::forced_once`, the words `--force` is offered with), else the
/// first other blocker the engine lets a person override.
pub fn override_words(plan: &Plan) -> (&'static str, String) {
    if plan.blockers.iter().any(Blocker::is_budget) {
        return (
            "Budget",
            "override budget (Meta may lock the number for 72 h)".into(),
        );
    }
    let fixed = plan
        .blockers
        .iter()
        .filter(|b| b.overridable())
        .find_map(|b| Some((b, b.forced_once()?)));
    if let Some((blocker, done)) = fixed {
        let name = match blocker {
            Blocker::OnExistingAccount(_) => "Freed",
            _ => "Name edited",
        };
        return (name, format!("{done} now"));
    }
    let why =
        plan.blockers
            .iter()
            .find(|b| b.overridable())
            .map_or_else(String::new, |b| match b {
                Blocker::NotRead => " (its status could not be read)".to_owned(),
                Blocker::NotRegistered(_) => " (it is not registered)".to_owned(),
                _ => String::new(),
            });
    ("Override", format!("send anyway{why}"))
}

/// Meta's lock after 133016 lasts 72 hours from the refused attempt.
pub fn lock_end(clock: &crate::clock::Clock, at: chrono::DateTime<chrono::Utc>) -> String {
    crate::clock::words(clock.local(at + ChronoDuration::hours(72)))
}
