//! The bulk overlay's flow in the app: open it on the marked rows, hand planning and running
//! to the worker, and follow its messages.

use super::{App, Overlay, Storage};
use crate::bulk::NumberState;
use crate::bulk::Target;
use crate::graph::NumberId;
use crate::tui::bulk::{BulkKey, BulkView, Stage};
use crate::tui::keys::InputEvent;
use crate::tui::msg::{BulkMsg, Cmd, Level};

impl App {
    pub(super) fn open_bulk(&mut self) -> Vec<Cmd> {
        if self.marked.is_empty() {
            self.notice(
                Level::Info,
                "mark numbers first: Space marks one, * every number shown",
            );
            return Vec::new();
        }
        let targets: Vec<Target> = self
            .table
            .rows
            .iter()
            .filter(|r| self.marked.contains(&r.id))
            .map(|r| Target {
                id: r.id.clone(),
                profile: r.profile.clone(),
                label: r.label.clone(),
            })
            .collect();
        let hidden: Vec<String> = self
            .marked
            .iter()
            .filter(|id| !self.table.is_shown(id))
            .map(|id| self.name_of(id))
            .collect();
        self.overlay = Some(Overlay::Bulk(Box::new(BulkView::new(targets, hidden))));
        Vec::new()
    }

    pub(super) fn on_bulk_key(&mut self, mut view: Box<BulkView>, input: InputEvent) -> Vec<Cmd> {
        let cmds = match view.on_input(&input) {
            BulkKey::Stay => Vec::new(),
            BulkKey::Close => return Vec::new(),
            BulkKey::Plan(action, region) => {
                view.stage = Stage::Planning { action };
                vec![Cmd::BulkPlan {
                    targets: view.targets.clone(),
                    action,
                    region,
                }]
            }
            BulkKey::Run if self.refused_while_silent() => Vec::new(),
            BulkKey::Run => match view.start_run() {
                Some((action, region, plan, pin)) => vec![Cmd::BulkRun {
                    plan: Box::new(plan),
                    action,
                    region,
                    pin,
                }],
                None => Vec::new(),
            },
            BulkKey::Pause => vec![Cmd::BulkPause],
        };
        self.overlay = Some(Overlay::Bulk(view));
        cmds
    }

    pub(super) fn on_bulk_msg(&mut self, msg: BulkMsg) -> Vec<Cmd> {
        let Some(Overlay::Bulk(view)) = &mut self.overlay else {
            // The overlay was closed (planning only: a run keeps it open): the answer is moot.
            if let BulkMsg::Done(summary) = msg {
                self.notice(
                    Level::Info,
                    format!(
                        "bulk run ended: {} done",
                        summary.count(crate::bulk::NumberState::Done)
                    ),
                );
            }
            return Vec::new();
        };
        match msg {
            BulkMsg::Planned { plan, region } => view.planned(*plan, region),
            BulkMsg::Started(id) => {
                view.started(id.clone());
                self.notice(
                    Level::Info,
                    format!("bulk run {id} started; `wareg bulk show {id}` tells where it stands"),
                );
            }
            BulkMsg::Progress(number, state) => view.progress(&number, state),
            BulkMsg::Done(summary) => {
                // Every number something was sent to may have changed: its status (the
                // refresh) and its storage (read again here, not kept from before).
                let touched: Vec<NumberId> = summary
                    .numbers
                    .iter()
                    .filter(|(_, state, _)| {
                        matches!(
                            state,
                            NumberState::Done | NumberState::Unknown | NumberState::Failed
                        )
                    })
                    .filter_map(|(number, _, _)| NumberId::parse(number).ok())
                    .collect();
                view.finished(summary);
                self.marked.clear();
                let mut cmds = self.refresh();
                for id in touched {
                    let reading = self
                        .table
                        .find(&id)
                        .is_some_and(|i| self.table.rows[i].storage == Storage::Loading);
                    if let Some(profile) = self.row_profile(&id).filter(|_| !reading) {
                        cmds.push(self.read_settings(&profile, &id, super::Asker::Mutation));
                    }
                }
                return cmds;
            }
            BulkMsg::Failed(why) => {
                self.overlay = None;
                self.notice(Level::Error, format!("the bulk run did not start: {why}"));
            }
        }
        Vec::new()
    }
}
