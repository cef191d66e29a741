//! Bulk work in the TUI: marked rows, an action chosen for them, the engine's plan for each
//! (a dry run: nothing is sent), a typed confirmation (the count of numbers that will be
//! touched) with one masked PIN when the action needs one, then the run with a gauge, and a
//! summary with what to do for each failure. The worker runs the same `crate::bulk` code as
//! `wareg bulk`, journal included (so `wareg bulk resume ID` continues a run the TUI started).
//!
//! The popup is one component: each stage is a file with its state, its keys (the table the
//! app resolves keys through, which the footer, the help and its own hints are written from),
//! what the keys do, and its drawing.

mod choose;
mod confirm;
mod done;
mod running;

use std::collections::BTreeMap;

use ratatui::Frame;
use ratatui::crossterm::event::KeyCode::Esc;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

pub use choose::Choose;
pub use confirm::Confirm;
pub use done::Done;
pub use running::Running;

use crate::bulk::{Action, BulkPlan, NumberState, RowPlan, Summary, Target};
use crate::graph::Region;
use crate::tui::keys::{Action as Key, Binding, BulkStage, HELP_KEY, InputEvent, QUIT_KEY, b};
use crate::tui::theme::Theme;
use crate::tui::view::popup::frame_popup;

/// The actions offered, in the order shown.
pub const ACTIONS: [Action; 5] = [
    Action::Register,
    Action::Reregister,
    Action::Region,
    Action::Deregister,
    Action::SetPin,
];

/// The keys while the worker reads and plans.
const PLANNING_KEYS: &[Binding] = &[
    b(&[Esc], "Esc", Key::Cancel, "close", true),
    HELP_KEY,
    QUIT_KEY,
];

#[derive(Debug)]
pub struct BulkView {
    pub targets: Vec<Target>,
    /// The marked numbers the filter hides (they take part all the same), as the log names them.
    pub hidden: Vec<String>,
    pub stage: Stage,
}

#[derive(Debug)]
pub enum Stage {
    /// Choosing the action (and, for a region change, the region).
    Choose(Choose),
    /// The worker is reading and planning every number.
    Planning {
        action: Action,
    },
    /// The plan, waiting for the typed count (and the PIN).
    Confirm(Confirm),
    Running(Running),
    Done(Done),
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

/// The table keys resolve through at a stage.
pub fn bindings(stage: BulkStage) -> &'static [Binding] {
    match stage {
        BulkStage::Choose => choose::KEYS,
        BulkStage::Planning => PLANNING_KEYS,
        BulkStage::Confirm { pin: false } => confirm::KEYS,
        BulkStage::Confirm { pin: true } => confirm::KEYS_WITH_PIN,
        BulkStage::Running => running::KEYS,
        BulkStage::Done => done::KEYS,
        BulkStage::Message => done::MESSAGE_KEYS,
    }
}

impl BulkView {
    pub fn new(targets: Vec<Target>, hidden: Vec<String>) -> BulkView {
        BulkView {
            targets,
            hidden,
            stage: Stage::Choose(Choose::default()),
        }
    }

    /// Which stage's keys apply now.
    pub fn place(&self) -> BulkStage {
        match &self.stage {
            Stage::Choose(_) => BulkStage::Choose,
            Stage::Planning { .. } => BulkStage::Planning,
            Stage::Confirm(confirm) => confirm.stage(),
            Stage::Running(_) => BulkStage::Running,
            Stage::Done(done) => done.stage(),
        }
    }

    /// A key, with its action in the stage's table.
    pub fn on_input(&mut self, input: &InputEvent) -> BulkKey {
        match &mut self.stage {
            Stage::Choose(choose) => choose.on_input(input),
            Stage::Planning { .. } => match input.action {
                Some(Key::Cancel) => BulkKey::Close,
                _ => BulkKey::Stay,
            },
            Stage::Confirm(confirm) => confirm.on_input(input),
            Stage::Running(running) => running.on_input(input),
            Stage::Done(done) => done.on_input(input),
        }
    }

    pub fn draw(&self, frame: &mut Frame, screen: Rect, theme: &Theme) {
        match &self.stage {
            Stage::Choose(choose) => {
                choose.draw(frame, screen, theme, self.targets.len(), &self.hidden)
            }
            Stage::Planning { action } => {
                let title = format!("Bulk {}", action.words());
                let inner = frame_popup(frame, screen, theme, &title, 50, 5);
                let marked = self.targets.len();
                frame.render_widget(
                    Paragraph::new(vec![
                        Line::raw(format!(
                            "Reading and planning {}…",
                            crate::plural::count(marked, "number")
                        )),
                        Line::styled("nothing is sent until you confirm", theme.dim()),
                    ]),
                    inner,
                );
            }
            Stage::Confirm(confirm) => confirm.draw(frame, screen, theme, &self.hidden),
            Stage::Running(running) => running.draw(frame, screen, theme, &self.targets),
            Stage::Done(done) => done.draw(frame, screen, theme),
        }
    }

    /// The plan arrived from the worker.
    pub fn planned(&mut self, plan: BulkPlan, region: Option<Region>) {
        if let Stage::Planning { action } = self.stage {
            self.stage = Stage::Confirm(Confirm::new(action, region, plan));
        }
    }

    /// The rows to send and the PIN, taken as the run starts.
    pub fn start_run(
        &mut self,
    ) -> Option<(Action, Option<Region>, BulkPlan, Option<crate::secret::Pin>)> {
        let Stage::Confirm(confirm) = std::mem::replace(
            &mut self.stage,
            Stage::Planning {
                action: Action::Register,
            },
        ) else {
            return None;
        };
        let Confirm {
            action,
            region,
            plan,
            pin,
            ..
        } = confirm;
        let states = plan
            .to_send()
            .map(|r| (r.target.id.as_str().to_owned(), NumberState::NotStarted))
            .collect::<BTreeMap<_, _>>();
        self.stage = Stage::Running(Running {
            action,
            total: states.len(),
            states,
            id: None,
            paused: false,
        });
        Some((action, region, *plan, pin.to_pin()))
    }

    /// The run's journal has its id.
    pub fn started(&mut self, id: String) {
        if let Stage::Running(running) = &mut self.stage {
            running.id = Some(id);
        }
    }

    pub fn progress(&mut self, number: &str, state: NumberState) {
        if let Stage::Running(running) = &mut self.stage {
            running.states.insert(number.to_owned(), state);
        }
    }

    pub fn finished(&mut self, summary: Summary) {
        if let Stage::Running(running) = &mut self.stage {
            let (action, id) = (running.action, running.id.take());
            self.stage = Stage::Done(Done::new(action, summary, id));
        }
    }

    /// The journal of the run, once it has one.
    pub fn journal(&self) -> Option<&str> {
        match &self.stage {
            Stage::Running(running) => running.id.as_deref(),
            Stage::Done(done) => done.id.as_deref(),
            _ => None,
        }
    }

    pub fn running(&self) -> bool {
        matches!(self.stage, Stage::Running(_) | Stage::Planning { .. })
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
