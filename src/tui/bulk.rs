//! Bulk work in the TUI: marked rows, an action chosen for them, the engine's plan for each
//! (a dry run: nothing is sent), a typed confirmation (the count of numbers that will be
//! touched) with one masked PIN when the action needs one, then the run with a gauge, and a
//! summary with what to do for each failure. The worker runs the same `crate::bulk` code as
//! `wareg bulk`, journal included (so `wareg bulk resume ID` continues a run the TUI started).

use ratatui::crossterm::event::{KeyCode, KeyEvent};
use std::collections::BTreeMap;

use super::widgets::secret_field::SecretField;
use crate::bulk::{Action, BulkPlan, NumberState, RowPlan, Summary, Target};
use crate::graph::Region;

use crate::tui::keys::{Action as Key, Binding, HELP_KEY, b};
use ratatui::crossterm::event::KeyCode::{Char, Enter, Esc};

pub const KEYS: &[Binding] = &[
    b(&[Enter], "Enter", Key::Press, "go on", true),
    b(&[Esc], "Esc", Key::Cancel, "back (pauses a run)", true),
    HELP_KEY,
    b(
        &[Char('q')],
        "q",
        Key::Quit,
        "quit (asks while a run goes on)",
        true,
    ),
];

/// The actions offered, in the order shown.
pub const ACTIONS: [Action; 5] = [
    Action::Register,
    Action::Reregister,
    Action::Region,
    Action::Deregister,
    Action::SetPin,
];

#[derive(Debug)]
pub struct BulkView {
    pub targets: Vec<Target>,
    pub stage: Stage,
}

#[derive(Debug)]
pub enum Stage {
    /// Choosing the action (and, for a region change, the region).
    Choose { selected: usize, region: usize },
    /// The worker is reading and planning every number.
    Planning { action: Action },
    /// The plan, waiting for the typed count (and the PIN).
    Plan {
        action: Action,
        region: Option<Region>,
        plan: Box<BulkPlan>,
        typed: String,
        pin: SecretField,
        /// 0: the count field, 1: the PIN field.
        focus: usize,
        scroll: usize,
    },
    Running {
        action: Action,
        total: usize,
        states: BTreeMap<String, NumberState>,
        id: Option<String>,
        /// Esc was pressed: the numbers in flight finish, nothing new starts.
        paused: bool,
    },
    Done {
        action: Action,
        summary: Summary,
        id: Option<String>,
    },
}

/// What a key did to the bulk view.
pub enum BulkKey {
    Stay,
    Close,
    /// Plan the chosen action for the targets.
    Plan(Action, Option<Region>),
    /// Send the plan.
    Run,
    /// Start no new number (those in flight finish).
    Pause,
}

impl BulkView {
    pub fn new(targets: Vec<Target>) -> BulkView {
        BulkView {
            targets,
            stage: Stage::Choose {
                selected: 0,
                region: Region::ALL
                    .iter()
                    .position(|r| *r == Region::De)
                    .unwrap_or(0),
            },
        }
    }

    /// How many numbers the plan sends to (what the user types to confirm).
    pub fn sending(&self) -> usize {
        match &self.stage {
            Stage::Plan { plan, .. } => plan.to_send().count(),
            _ => 0,
        }
    }

    /// Whether the typed count matches and the PIN (when needed) is complete.
    pub fn ready(&self) -> bool {
        match &self.stage {
            Stage::Plan {
                action, typed, pin, ..
            } => {
                let n = self.sending();
                n > 0 && typed.trim() == n.to_string() && (!action.needs_pin() || pin.is_complete())
            }
            _ => false,
        }
    }

    pub fn on_key(&mut self, key: &KeyEvent) -> BulkKey {
        let ready = self.ready();
        match &mut self.stage {
            Stage::Choose { selected, region } => match key.code {
                KeyCode::Esc => BulkKey::Close,
                KeyCode::Down | KeyCode::Char('j') => {
                    *selected = (*selected + 1).min(ACTIONS.len() - 1);
                    BulkKey::Stay
                }
                KeyCode::Up | KeyCode::Char('k') => {
                    *selected = selected.saturating_sub(1);
                    BulkKey::Stay
                }
                KeyCode::Right | KeyCode::Char('l') if ACTIONS[*selected] == Action::Region => {
                    *region = (*region + 1) % Region::ALL.len();
                    BulkKey::Stay
                }
                KeyCode::Left | KeyCode::Char('h') if ACTIONS[*selected] == Action::Region => {
                    *region = (*region + Region::ALL.len() - 1) % Region::ALL.len();
                    BulkKey::Stay
                }
                KeyCode::Enter => {
                    let action = ACTIONS[*selected];
                    let chosen = (action == Action::Region).then(|| Region::ALL[*region]);
                    BulkKey::Plan(action, chosen)
                }
                _ => BulkKey::Stay,
            },
            Stage::Planning { .. } => match key.code {
                KeyCode::Esc => BulkKey::Close,
                _ => BulkKey::Stay,
            },
            Stage::Plan {
                action,
                typed,
                pin,
                focus,
                scroll,
                ..
            } => match key.code {
                KeyCode::Esc => BulkKey::Close,
                KeyCode::Tab | KeyCode::BackTab if action.needs_pin() => {
                    *focus = 1 - *focus;
                    BulkKey::Stay
                }
                KeyCode::PageDown => {
                    *scroll += 5;
                    BulkKey::Stay
                }
                KeyCode::PageUp => {
                    *scroll = scroll.saturating_sub(5);
                    BulkKey::Stay
                }
                KeyCode::Enter if ready => BulkKey::Run,
                KeyCode::Enter => BulkKey::Stay,
                KeyCode::Backspace => {
                    if *focus == 0 {
                        typed.pop();
                    } else {
                        pin.pop();
                    }
                    BulkKey::Stay
                }
                KeyCode::Char(c) if c.is_ascii_digit() => {
                    if *focus == 0 {
                        if typed.len() < 6 {
                            typed.push(c);
                        }
                    } else {
                        pin.push(c);
                    }
                    BulkKey::Stay
                }
                _ => BulkKey::Stay,
            },
            // Esc pauses: steps in flight are never abandoned, nothing new starts; `q` asks.
            Stage::Running { paused, .. } => match key.code {
                KeyCode::Esc if !*paused => {
                    *paused = true;
                    BulkKey::Pause
                }
                _ => BulkKey::Stay,
            },
            Stage::Done { .. } => match key.code {
                KeyCode::Esc | KeyCode::Enter => BulkKey::Close,
                _ => BulkKey::Stay,
            },
        }
    }

    /// The plan arrived from the worker.
    pub fn planned(&mut self, plan: BulkPlan, region: Option<Region>) {
        if let Stage::Planning { action } = self.stage {
            self.stage = Stage::Plan {
                action,
                region,
                plan: Box::new(plan),
                typed: String::new(),
                pin: SecretField::new(6),
                focus: 0,
                scroll: 0,
            };
        }
    }

    /// The rows to send and the PIN, taken as the run starts.
    pub fn start_run(
        &mut self,
    ) -> Option<(Action, Option<Region>, BulkPlan, Option<crate::secret::Pin>)> {
        let Stage::Plan {
            action,
            region,
            plan,
            pin,
            ..
        } = std::mem::replace(
            &mut self.stage,
            Stage::Planning {
                action: Action::Register,
            },
        )
        else {
            return None;
        };
        let states = plan
            .to_send()
            .map(|r| (r.target.id.as_str().to_owned(), NumberState::NotStarted))
            .collect::<BTreeMap<_, _>>();
        self.stage = Stage::Running {
            action,
            total: states.len(),
            states,
            id: None,
            paused: false,
        };
        Some((action, region, *plan, pin.to_pin()))
    }

    pub fn progress(&mut self, number: &str, state: NumberState) {
        if let Stage::Running { states, .. } = &mut self.stage {
            states.insert(number.to_owned(), state);
        }
    }

    pub fn finished(&mut self, summary: Summary) {
        if let Stage::Running { action, id, .. } = &mut self.stage {
            let (action, id) = (*action, id.take());
            self.stage = Stage::Done {
                action,
                summary,
                id,
            };
        }
    }

    pub fn running(&self) -> bool {
        matches!(self.stage, Stage::Running { .. } | Stage::Planning { .. })
    }
}

/// The rows a plan leaves out, with why.
pub fn left_out(plan: &BulkPlan) -> Vec<(String, String)> {
    plan.rows
        .iter()
        .filter_map(|r| match &r.plan {
            RowPlan::Skip(why) => Some((
                r.target
                    .label
                    .clone()
                    .unwrap_or_else(|| r.target.id.to_string()),
                why.clone(),
            )),
            _ => None,
        })
        .collect()
}
