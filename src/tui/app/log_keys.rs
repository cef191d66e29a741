//! The log pane's keys, while it has the focus: scrolling, and back to the table.

use super::{App, Focus, Overlay};
use crate::tui::keys::{Action, Binding, HELP_KEY, Place, QUIT_KEY, b};
use crate::tui::msg::Cmd;

use ratatui::crossterm::event::KeyCode::{
    BackTab, Char, Down, End, Esc, Home, PageDown, PageUp, Tab, Up,
};

pub(crate) const LOG: &[Binding] = &[
    b(
        &[Tab, BackTab, Esc],
        "Tab/Esc",
        Action::SwitchFocus,
        "back to the table",
        true,
    ),
    b(&[Char('j'), Down], "j/↓", Action::Down, "scroll down", true),
    b(&[Char('k'), Up], "k/↑", Action::Up, "scroll up", true),
    b(&[Char('g'), Home], "g", Action::Top, "oldest entry", false),
    b(
        &[Char('G'), End],
        "G",
        Action::Bottom,
        "follow the newest",
        true,
    ),
    b(&[PageDown], "PgDn", Action::PageDown, "page down", false),
    b(&[PageUp], "PgUp", Action::PageUp, "page up", false),
    HELP_KEY,
    QUIT_KEY,
];

impl App {
    /// Steps are rows as drawn: one for j/k, the pane's height for PgUp/PgDn, never past the
    /// oldest row.
    pub(super) fn on_log_action(&mut self, action: Action) -> Vec<Cmd> {
        let page = self.log_page().max(1);
        let step = page;
        let back = self.log_view.from_bottom;
        // As far back as the oldest row at the pane's top, counted only as far as needed.
        let top = |app: &App, wanted: usize| app.log_rows_back(wanted + page).saturating_sub(page);
        match action {
            Action::Up => self.log_view.from_bottom = (back + 1).min(top(self, back + 1)),
            Action::PageUp => self.log_view.from_bottom = (back + step).min(top(self, back + step)),
            Action::Top => self.log_view.from_bottom = top(self, usize::MAX - page),
            Action::Down => self.log_view.from_bottom = back.saturating_sub(1),
            Action::PageDown => self.log_view.from_bottom = back.saturating_sub(step),
            Action::Bottom => self.log_view.from_bottom = 0,
            Action::SwitchFocus | Action::Back => {
                // Back at the table, new lines (what y, o, e say) must be seen.
                self.log_view.from_bottom = 0;
                self.focus = Focus::Table;
                let page = self.table_page();
                self.table.scroll_into_view(page);
            }
            Action::Help => self.overlay = Some(Overlay::Help(Place::Log, 0, None)),
            Action::Quit => return self.quit_or_confirm(None),
            _ => {}
        }
        Vec::new()
    }
}
