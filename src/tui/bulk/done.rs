//! The bulk popup's summary: one entry per number of the run (label and number, each step
//! with ✓/✗, the state it was left in, "left DEREGISTERED: …" first of all), in the words
//! `wareg bulk show` prints (`crate::bulk::result`), and how to continue. An entry is wrapped,
//! never cut; Enter on the selected one opens its whole message.

use ratatui::Frame;
use ratatui::crossterm::event::KeyCode::{Char, Down, Enter, Esc, Up};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

use super::BulkKey;
use crate::bulk::{Action, NumberResult, NumberState, Summary};
use crate::tui::keys::{
    self, Action as Key, Binding, BulkStage, HELP_KEY, InputEvent, QUIT_KEY, b,
};
use crate::tui::theme::Theme;
use crate::tui::view::hanging::hang_at;
use crate::tui::view::popup::frame_popup;

/// The keys of the summary.
pub const KEYS: &[Binding] = &[
    b(
        &[Enter],
        "Enter",
        Key::Press,
        "opens the whole message",
        true,
    ),
    b(&[Down, Char('j')], "↑↓", Key::Down, "choose a number", true),
    b(&[Up, Char('k')], "k/↑", Key::Up, "previous number", false),
    b(&[Esc], "Esc", Key::Cancel, "closes", true),
    HELP_KEY,
    QUIT_KEY,
];

/// The keys while one number's whole message is open.
pub const MESSAGE_KEYS: &[Binding] = &[
    b(
        &[Enter, Esc],
        "Enter or Esc",
        Key::Cancel,
        "back to the summary",
        true,
    ),
    HELP_KEY,
    QUIT_KEY,
];

/// Where the run's id goes in the words when the journal never got one.
const NO_ID: &str = "ID";

#[derive(Debug)]
pub struct Done {
    pub action: Action,
    pub summary: Summary,
    pub id: Option<String>,
    /// One per number, in plan order: the journal's words for it.
    pub results: Vec<NumberResult>,
    /// The entry Enter opens.
    pub selected: usize,
    /// Its whole message is open over the summary.
    pub open: bool,
}

impl Done {
    pub fn new(action: Action, summary: Summary, id: Option<String>) -> Done {
        let results = summary.results_or_bare(action, id.as_deref().unwrap_or(NO_ID));
        Done {
            action,
            summary,
            id,
            results,
            selected: 0,
            open: false,
        }
    }

    pub fn stage(&self) -> BulkStage {
        if self.open {
            BulkStage::Message
        } else {
            BulkStage::Done
        }
    }

    pub fn on_input(&mut self, input: &InputEvent) -> BulkKey {
        if self.open {
            if input.action == Some(Key::Cancel) {
                self.open = false;
            }
            return BulkKey::Stay;
        }
        match input.action {
            Some(Key::Cancel) => return BulkKey::Close,
            Some(Key::Down) => {
                self.selected = (self.selected + 1).min(self.results.len().saturating_sub(1));
            }
            Some(Key::Up) => self.selected = self.selected.saturating_sub(1),
            Some(Key::Press) if !self.results.is_empty() => self.open = true,
            _ => {}
        }
        BulkKey::Stay
    }

    pub fn draw(&self, frame: &mut Frame, screen: Rect, theme: &Theme) {
        let width = screen.width.saturating_sub(4).min(110);
        let height = screen.height.saturating_sub(2).min(30);
        let title = format!("Bulk {} — done", self.action.words());
        let inner = frame_popup(frame, screen, theme, &title, width, height);
        if self.open
            && let Some(result) = self.results.get(self.selected)
        {
            return self.draw_message(frame, inner, theme, result);
        }
        let mut head = vec![Line::raw(self.summary.tally().join(" · "))];
        if let Some(reason) = &self.summary.stopped {
            head.extend(hang_at(
                Line::styled(reason.clone(), theme.bad()),
                inner.width,
                2,
            ));
        }
        let mut tail = Vec::new();
        if let Some(id) = &self.id
            && (self.summary.count(NumberState::NotStarted) > 0
                || self.summary.count(NumberState::Unknown) > 0
                || self.results.iter().any(NumberResult::left_deregistered))
        {
            tail.push(Line::raw(format!(
                "continue with: wareg bulk resume {id} --yes"
            )));
        }
        for row in keys::hint_rows(KEYS, usize::from(inner.width)) {
            tail.push(Line::styled(row, theme.dim()));
        }
        let [head_area, list_area, tail_area] = Layout::vertical([
            Constraint::Length(head.len() as u16 + 1),
            Constraint::Min(1),
            Constraint::Length(tail.len() as u16),
        ])
        .areas(inner);
        frame.render_widget(Paragraph::new(head), head_area);
        frame.render_widget(Paragraph::new(self.entries(list_area, theme)), list_area);
        frame.render_widget(Paragraph::new(tail).wrap(Wrap { trim: false }), tail_area);
    }

    /// The entries' rows that fit in `area`, scrolled so the selected one is whole in view.
    fn entries(&self, area: Rect, theme: &Theme) -> Vec<Line<'static>> {
        let wrapped: Vec<Vec<Line<'static>>> = self
            .results
            .iter()
            .enumerate()
            .map(|(i, result)| {
                let mark = if i == self.selected { "› " } else { "  " };
                let mut style = state_style(theme, result);
                if i == self.selected {
                    style = style.patch(theme.selected());
                }
                let line = Line::styled(format!("{mark}{}", result.line()), style);
                hang_at(line, area.width, 2)
            })
            .collect();
        let rows = usize::from(area.height);
        if wrapped.iter().map(Vec::len).sum::<usize>() <= rows {
            return wrapped.into_iter().flatten().collect();
        }
        // Not all fit: the last row says so, and the entries shown start as late as needed
        // for the selected one to be whole in view.
        let room = rows.saturating_sub(1);
        let selected = self.selected.min(wrapped.len() - 1);
        let mut first = 0;
        while first < selected
            && wrapped[first..=selected]
                .iter()
                .map(Vec::len)
                .sum::<usize>()
                > room
        {
            first += 1;
        }
        let mut lines: Vec<Line<'static>> = Vec::new();
        let mut shown = 0;
        for entry in &wrapped[first..] {
            if lines.len() + entry.len() > room && shown > 0 {
                break;
            }
            lines.extend(entry.iter().take(room - lines.len()).cloned());
            shown += 1;
        }
        lines.push(Line::styled(
            format!(
                "⋯ {shown} of {} shown: ↑↓ moves, Enter opens one",
                crate::plural::count(wrapped.len(), "number")
            ),
            theme.dim(),
        ));
        lines
    }

    fn draw_message(&self, frame: &mut Frame, area: Rect, theme: &Theme, result: &NumberResult) {
        let mut lines: Vec<Line<'static>> = Vec::new();
        let full = result.full();
        let last = full.len().saturating_sub(1);
        for (i, text) in full.into_iter().enumerate() {
            let style = match i {
                0 => theme.title(),
                i if i == last => state_style(theme, result),
                _ => Style::default(),
            };
            lines.push(Line::styled(text, style));
        }
        lines.push(Line::raw(""));
        lines.push(Line::styled(keys::hints(MESSAGE_KEYS), theme.dim()));
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
    }
}

/// A number's colour: left DEREGISTERED or failed is bad, unknown a warning, done good.
fn state_style(theme: &Theme, result: &NumberResult) -> Style {
    if result.left_deregistered() {
        return theme.bad();
    }
    match result.state {
        NumberState::Done => theme.good(),
        NumberState::Failed | NumberState::Refused => theme.bad(),
        NumberState::Unknown | NumberState::Interrupted => theme.warn(),
        _ => theme.dim(),
    }
}
