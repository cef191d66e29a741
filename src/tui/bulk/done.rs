//! The bulk popup's summary: what the run did, what failed and why, and how to continue.

use ratatui::Frame;
use ratatui::crossterm::event::KeyCode::{Enter, Esc};
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::BulkKey;
use crate::bulk::{Action, NumberState, Summary};
use crate::tui::keys::{self, Action as Key, Binding, HELP_KEY, InputEvent, QUIT_KEY, b};
use crate::tui::theme::Theme;
use crate::tui::view::popup::frame_popup;

pub const KEYS: &[Binding] = &[
    b(&[Enter, Esc], "Enter or Esc", Key::Cancel, "closes", true),
    HELP_KEY,
    QUIT_KEY,
];

#[derive(Debug)]
pub struct Done {
    pub action: Action,
    pub summary: Summary,
    pub id: Option<String>,
}

impl Done {
    pub fn on_input(&mut self, input: &InputEvent) -> BulkKey {
        match input.action {
            Some(Key::Cancel) => BulkKey::Close,
            _ => BulkKey::Stay,
        }
    }

    pub fn draw(&self, frame: &mut Frame, screen: Rect, theme: &Theme) {
        let Done {
            action,
            summary,
            id,
        } = self;
        let width = screen.width.saturating_sub(4).min(110);
        let height = screen.height.saturating_sub(2).min(30);
        let title = format!("Bulk {} — done", action.words());
        let inner = frame_popup(frame, screen, theme, &title, width, height);
        let mut lines: Vec<Line> = summary.tally().into_iter().map(Line::raw).collect();
        if let Some(reason) = &summary.stopped {
            lines.push(Line::styled(reason.clone(), theme.bad()));
        }
        for (number, state, message) in &summary.numbers {
            if let (NumberState::Failed | NumberState::Unknown | NumberState::Refused, Some(m)) =
                (state, message)
            {
                lines.push(Line::styled(
                    format!("{number} {}: {}", state.words(), crate::clean::text(m, 300)),
                    theme.warn(),
                ));
            }
        }
        if let Some(id) = id
            && (summary.count(NumberState::NotStarted) > 0
                || summary.count(NumberState::Unknown) > 0)
        {
            lines.push(Line::raw(format!(
                "continue with: wareg bulk resume {id} --yes"
            )));
        }
        lines.push(Line::raw(""));
        lines.push(Line::styled(keys::hints(KEYS), theme.dim()));
        frame.render_widget(
            Paragraph::new(lines).wrap(ratatui::widgets::Wrap { trim: false }),
            inner,
        );
    }
}
