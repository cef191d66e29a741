//! The bulk popup while the run goes on: a gauge, each number's state, and how to stop or
//! resume it. Esc (or `s`) pauses: the run stops as `wareg bulk` does on Ctrl-C (the numbers
//! in flight finish their plans, a region change is never left between deregister and
//! register, nothing new starts) and `wareg bulk resume` continues it.

use std::collections::BTreeMap;

use ratatui::Frame;
use ratatui::crossterm::event::KeyCode::{Char, Esc};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Gauge, Paragraph, Wrap};

use super::BulkKey;
use crate::bulk::{Action, NumberState, Target};
use crate::tui::keys::{self, Action as Key, Binding, HELP_KEY, InputEvent, b};
use crate::tui::theme::Theme;
use crate::tui::view::popup::{frame_popup, wrapped_height};

pub const KEYS: &[Binding] = &[
    b(&[Esc], "Esc", Key::Cancel, "pauses", true),
    // The same stop under the letter `wareg bulk` users look for; the footer names Esc.
    b(
        &[Char('s')],
        "s",
        Key::Cancel,
        "pauses too: numbers in flight finish their plans, none starts",
        false,
    ),
    HELP_KEY,
    b(
        &[Char('q')],
        "q",
        Key::Quit,
        "quit (asks while a run goes on)",
        true,
    ),
];

#[derive(Debug)]
pub struct Running {
    pub action: Action,
    pub total: usize,
    pub states: BTreeMap<String, NumberState>,
    /// The journal's id, once the run has started.
    pub id: Option<String>,
    /// Esc was pressed: the numbers in flight finish, nothing new starts.
    pub paused: bool,
}

impl Running {
    pub fn on_input(&mut self, input: &InputEvent) -> BulkKey {
        match input.action {
            // Steps in flight are never abandoned: nothing new starts; `q` asks.
            Some(Key::Cancel) if !self.paused => {
                self.paused = true;
                BulkKey::Pause
            }
            _ => BulkKey::Stay,
        }
    }

    pub fn draw(&self, frame: &mut Frame, screen: Rect, theme: &Theme, targets: &[Target]) {
        let Running {
            action,
            total,
            states,
            id,
            paused,
        } = self;
        let width = screen.width.saturating_sub(4).min(110);
        let height = screen.height.saturating_sub(2).min(30);
        let title = format!("Bulk {} — running", action.words());
        let inner = frame_popup(frame, screen, theme, &title, width, height);
        let hint = match (id, paused) {
            (Some(id), true) => format!(
                "pausing: the numbers in flight finish their plans, nothing new starts; continue with `wareg bulk resume {id}`"
            ),
            (Some(id), false) => format!(
                "{} · journal {id}: `wareg bulk resume {id}` continues it",
                keys::hints(KEYS)
            ),
            (None, _) => "starting…".into(),
        };
        // The hint wraps (the resume command is what a person copies), under the list.
        let hint = vec![Line::styled(hint, theme.dim())];
        let [gauge_area, list_area, hint_area] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(1),
            Constraint::Length(wrapped_height(&hint, inner.width)),
        ])
        .areas(inner);
        let finished = states
            .values()
            .filter(|s| !matches!(s, NumberState::NotStarted | NumberState::Interrupted))
            .count();
        frame.render_widget(
            Gauge::default()
                .gauge_style(theme.accent())
                .ratio(if *total == 0 {
                    1.0
                } else {
                    finished as f64 / *total as f64
                })
                .label(format!("{finished} of {total}")),
            gauge_area,
        );
        let lines: Vec<Line> = states
            .iter()
            .map(|(number, state)| {
                let style = match state {
                    NumberState::Done => theme.good(),
                    NumberState::Failed | NumberState::Refused => theme.bad(),
                    NumberState::Unknown => theme.warn(),
                    NumberState::Interrupted => theme.accent(),
                    _ => theme.dim(),
                };
                let words = if *state == NumberState::Interrupted {
                    "sending…"
                } else {
                    state.words()
                };
                let label = targets
                    .iter()
                    .find(|t| t.id.as_str() == number)
                    .and_then(|t| t.label.clone())
                    .unwrap_or_default();
                Line::styled(
                    format!("{:<28} {number}  {words}", crate::clean::text(&label, 28)),
                    style,
                )
            })
            .collect();
        frame.render_widget(Paragraph::new(lines), list_area);
        frame.render_widget(Paragraph::new(hint).wrap(Wrap { trim: true }), hint_area);
    }
}
