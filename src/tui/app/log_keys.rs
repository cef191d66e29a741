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
    pub(super) fn on_log_action(&mut self, action: Action) -> Vec<Cmd> {
        let page = self.log_page().max(1);
        let top = self.log.len().saturating_sub(page);
        let view = &mut self.log_view;
        match action {
            Action::Up => view.from_bottom = (view.from_bottom + 1).min(top),
            Action::Down => view.from_bottom = view.from_bottom.saturating_sub(1),
            Action::Top => view.from_bottom = top,
            Action::Bottom => view.from_bottom = 0,
            Action::PageUp => view.from_bottom = (view.from_bottom + page).min(top),
            Action::PageDown => view.from_bottom = view.from_bottom.saturating_sub(page),
            Action::SwitchFocus | Action::Back => {
                // Back at the table, new lines (what y, o, e say) must be seen.
                view.from_bottom = 0;
                self.focus = Focus::Table;
            }
            Action::Help => self.overlay = Some(Overlay::Help(Place::Log, 0, None)),
            Action::Quit => return self.quit_or_confirm(None),
            _ => {}
        }
        Vec::new()
    }
}
