//! The bulk popup's first stage: which action for the marked numbers (and, for a region
//! change, which region). Its keys, what they do and how it is drawn.

use ratatui::Frame;
use ratatui::crossterm::event::KeyCode::{Char, Down, Enter, Esc, Left, Right, Up};
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

use super::{ACTIONS, BulkKey};
use crate::bulk::Action;
use crate::graph::Region;
use crate::tui::keys::{self, Action as Key, Binding, HELP_KEY, InputEvent, QUIT_KEY, b};
use crate::tui::theme::Theme;
use crate::tui::view::popup::{frame_popup, popup_width, wrapped_height};

pub const KEYS: &[Binding] = &[
    b(&[Down, Char('j')], "↑↓", Key::Down, "choose", true),
    b(&[Up, Char('k')], "k/↑", Key::Up, "previous action", false),
    b(&[Right, Char('l')], "←→", Key::Right, "region", true),
    b(
        &[Left, Char('h')],
        "h/←",
        Key::Left,
        "previous region",
        false,
    ),
    b(&[Enter], "Enter", Key::Press, "plan (sends nothing)", true),
    b(&[Esc], "Esc", Key::Cancel, "close", true),
    HELP_KEY,
    QUIT_KEY,
];

#[derive(Debug)]
pub struct Choose {
    /// Index into `ACTIONS`.
    pub selected: usize,
    /// Index into `Region::ALL`, for a region change.
    pub region: usize,
}

impl Default for Choose {
    /// The first action, and Germany ready for a region change.
    fn default() -> Choose {
        Choose {
            selected: 0,
            region: Region::ALL
                .iter()
                .position(|r| *r == Region::De)
                .unwrap_or(0),
        }
    }
}

impl Choose {
    fn choosing_region(&self) -> bool {
        ACTIONS[self.selected] == Action::Region
    }

    pub fn on_input(&mut self, input: &InputEvent) -> BulkKey {
        let regions = Region::ALL.len();
        match input.action {
            Some(Key::Cancel) => return BulkKey::Close,
            Some(Key::Down) => self.selected = (self.selected + 1).min(ACTIONS.len() - 1),
            Some(Key::Up) => self.selected = self.selected.saturating_sub(1),
            Some(Key::Right) if self.choosing_region() => {
                self.region = (self.region + 1) % regions;
            }
            Some(Key::Left) if self.choosing_region() => {
                self.region = (self.region + regions - 1) % regions;
            }
            Some(Key::Press) => {
                let action = ACTIONS[self.selected];
                let chosen = self.choosing_region().then(|| Region::ALL[self.region]);
                return BulkKey::Plan(action, chosen);
            }
            _ => {}
        }
        BulkKey::Stay
    }

    /// `hidden`: the marked numbers the filter hides.
    pub fn draw(
        &self,
        frame: &mut Frame,
        screen: Rect,
        theme: &Theme,
        marked: usize,
        hidden: &[String],
    ) {
        let title = match hidden.len() {
            0 => format!("Bulk: {marked} marked"),
            n => format!("Bulk: {marked} marked, {n} hidden by the filter"),
        };
        let width = if hidden.is_empty() { 50 } else { 60 };
        let inner_width = popup_width(screen, width).saturating_sub(2);
        let mut lines = vec![Line::raw("What to do with the marked numbers:")];
        for (i, action) in ACTIONS.iter().enumerate() {
            let mut text = format!(
                " {} {}",
                if i == self.selected { "›" } else { " " },
                action.words()
            );
            if *action == Action::Region {
                text.push_str(&format!(" to ‹ {} ›", Region::ALL[self.region].code()));
            }
            let style = if i == self.selected {
                theme.selected()
            } else {
                ratatui::style::Style::new()
            };
            lines.push(Line::styled(text, style));
        }
        lines.push(Line::raw(""));
        if !hidden.is_empty() {
            lines.push(Line::styled(
                format!("also marked, hidden by the filter: {}", hidden.join(", ")),
                theme.warn(),
            ));
        }
        // The hints in whole pieces, as many rows as they take: none ends in `…`.
        for row in keys::hint_rows(KEYS, usize::from(inner_width)) {
            lines.push(Line::styled(row, theme.dim()));
        }
        let height = wrapped_height(&lines, inner_width) + 2;
        let inner = frame_popup(frame, screen, theme, &title, width, height);
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
    }
}
