//! The numbers table's keys and what they do: moving, the filter line, details, forms,
//! refresh, sort, copy, open, export and marks. The table below is what resolves a key here and
//! what the footer and help say.

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use super::sort::Sort;
use super::{App, Details, Focus, Overlay, Storage};
use crate::fleet::export::ExportRow;
use crate::tui::keys::{Action, Binding, FormKind, HELP_KEY, Place, QUIT_KEY, b, ctrl, typing};
use crate::tui::msg::{Cmd, Level};

use ratatui::crossterm::event::KeyCode::{
    Backspace, Char, Down, End, Enter, Esc, Home, PageDown, PageUp, Tab, Up,
};

/// How many audit records the details popup shows.
const DETAILS_AUDIT: usize = 5;

pub(crate) const TABLE: &[Binding] = &[
    b(
        &[Char('j'), Down],
        "j/↓",
        Action::Down,
        "next number",
        false,
    ),
    b(
        &[Char('k'), Up],
        "k/↑",
        Action::Up,
        "previous number",
        false,
    ),
    b(&[Char('g'), Home], "g", Action::Top, "first number", false),
    b(&[Char('G'), End], "G", Action::Bottom, "last number", false),
    b(&[PageDown], "PgDn", Action::PageDown, "page down", false),
    b(&[PageUp], "PgUp", Action::PageUp, "page up", false),
    b(&[Enter], "Enter", Action::Details, "details", true),
    REGISTER_KEY,
    DEREGISTER_KEY,
    b(
        &[Char('p')],
        "p",
        Action::OpenForm(FormKind::Pin),
        "two-step PIN",
        true,
    ),
    b(
        &[Char('v')],
        "v",
        Action::OpenForm(FormKind::Verify),
        "verify ownership",
        true,
    ),
    RENAME_KEY,
    b(
        &[Char('a')],
        "a",
        Action::OpenForm(FormKind::Add),
        "add a number (then verify, register)",
        false,
    ),
    b(&[Char('/')], "/", Action::Filter, "filter", true),
    b(&[Esc], "Esc", Action::Back, "clear the filter", false),
    b(
        &[Char('R')],
        "R",
        Action::Refresh,
        "refresh: listing + numbers not listed",
        true,
    ),
    b(
        &[Char('F')],
        "F",
        Action::FullRefresh,
        "also every storage, 1 call per number",
        false,
    ),
    b(
        &[Char('s')],
        "s",
        Action::Sort,
        "sort by the next column shown (LABEL first)",
        false,
    ),
    b(
        &[Char('S')],
        "S",
        Action::ReverseSort,
        "reverse the sort",
        false,
    ),
    b(&[Char('y')], "y", Action::Copy, "copy id", false),
    b(
        &[Char('o')],
        "o",
        Action::OpenManager,
        "open in WhatsApp Manager",
        false,
    ),
    b(
        &[Char('e')],
        "e",
        Action::Export,
        "export the rows shown (CSV, JSON)",
        false,
    ),
    b(
        &[Char(' ')],
        "Space",
        Action::Mark,
        "mark / unmark for bulk, then move down",
        false,
    ),
    b(
        &[Char('*')],
        "*",
        Action::MarkShown,
        "mark every number shown",
        false,
    ),
    b(&[Char('u')], "u", Action::Unmark, "clear the marks", false),
    b(
        &[Char('B')],
        "B",
        Action::Bulk,
        "bulk action on the marked",
        false,
    ),
    b(&[Tab], "Tab", Action::SwitchFocus, "focus the log", false),
    HELP_KEY,
    QUIT_KEY,
];

pub(crate) const FILTER: &[Binding] = &[
    b(
        &[Enter, Down, Up, Tab],
        "Enter",
        Action::KeepFilter,
        "keep the filter",
        true,
    ),
    b(&[Esc], "Esc", Action::Back, "clear it", true),
    b(
        &[Backspace],
        "Backspace",
        Action::Erase,
        "delete a letter",
        false,
    ),
    ctrl(
        'u',
        "Ctrl-U",
        Action::EraseAll,
        "clear the line (and keep typing)",
        false,
    ),
    HELP_KEY,
    typing("type", "to filter (status:pending: one column)"),
];

/// The forms the table and the details popup both open.
pub(crate) const REGISTER_KEY: Binding = b(
    &[Char('r')],
    "r",
    Action::OpenForm(FormKind::Register),
    "register",
    true,
);
pub(crate) const RENAME_KEY: Binding = b(
    &[Char('n')],
    "n",
    Action::OpenForm(FormKind::Rename),
    "new display name (Meta reviews it)",
    false,
);
pub(crate) const DEREGISTER_KEY: Binding = b(
    &[Char('d')],
    "d",
    Action::OpenForm(FormKind::Deregister),
    "deregister",
    true,
);

impl App {
    pub(super) fn on_filter_action(&mut self, action: Action, key: &KeyEvent) {
        match action {
            Action::Back => {
                self.table.filtering = false;
                self.table.filter.clear();
                self.table.refilter(&self.budgets);
            }
            Action::KeepFilter => self.table.filtering = false,
            Action::Erase => {
                self.table.filter.pop();
                self.table.refilter(&self.budgets);
            }
            Action::EraseAll => {
                self.table.filter.clear();
                self.table.refilter(&self.budgets);
            }
            Action::Type => {
                if let KeyCode::Char(c) = key.code {
                    self.table.filter.push(c);
                    self.table.refilter(&self.budgets);
                }
            }
            Action::Help => self.overlay = Some(Overlay::Help(Place::Filter, 0, None)),
            _ => {}
        }
        let page = self.table_page();
        self.table.scroll_into_view(page);
    }
    pub(super) fn on_table_action(&mut self, action: Action) -> Vec<Cmd> {
        let page = self.table_page();
        match action {
            Action::Down => self.table.move_by(1, page),
            Action::Up => self.table.move_by(-1, page),
            Action::Top => self.table.move_to(0, page),
            Action::Bottom => self.table.move_to(usize::MAX, page),
            Action::PageDown => self.table.move_by(page as isize, page),
            Action::PageUp => self.table.move_by(-(page as isize), page),
            Action::Filter => self.table.filtering = true,
            Action::Back if !self.table.filter.is_empty() => {
                self.table.filter.clear();
                self.table.refilter(&self.budgets);
                self.table.scroll_into_view(page);
            }
            Action::Details => return self.open_details(),
            Action::Refresh => {
                self.notice(Level::Info, "refreshing every number");
                return self.refresh();
            }
            Action::FullRefresh => return self.full_refresh(),
            Action::Copy => {
                if let Some(row) = self.table.selected_row() {
                    let id = row.id.to_string();
                    return self.copy(id);
                }
            }
            Action::OpenManager => {
                if let Some(id) = self.table.selected_row().map(|r| r.id.clone()) {
                    return self.open_manager(&id);
                }
            }
            Action::Export => return self.export(),
            Action::OpenForm(kind) if !kind.acts_on_a_number() => {
                return self.open_account_form(kind);
            }
            Action::OpenForm(kind) => {
                if let Some(id) = self.table.selected_row().map(|r| r.id.clone()) {
                    return self.open_form_of(kind, &id);
                }
            }
            Action::SwitchFocus => {
                // The log grows while it has the keyboard: the selection stays in view.
                self.focus = Focus::Log;
                let page = self.table_page();
                self.table.scroll_into_view(page);
            }
            Action::Help => self.overlay = Some(Overlay::Help(Place::Table, 0, None)),
            Action::Quit => return self.quit_or_confirm(None),
            Action::Mark => {
                if let Some(id) = self.table.selected_row().map(|r| r.id.clone())
                    && !self.marked.remove(&id)
                {
                    self.marked.insert(id);
                }
                self.table.move_by(1, page);
            }
            Action::MarkShown => {
                let shown: Vec<_> = self
                    .table
                    .visible
                    .iter()
                    .map(|&i| self.table.rows[i].id.clone())
                    .collect();
                self.marked.extend(shown);
            }
            Action::Unmark => self.marked.clear(),
            Action::Sort | Action::ReverseSort => {
                self.table.sort = match action {
                    Action::Sort => Sort::next(
                        self.table.sort,
                        &crate::tui::view::numbers::shown_columns(self),
                    ),
                    _ => Some(Sort::reversed(self.table.sort)),
                };
                self.table.refilter(&self.budgets);
                self.table.scroll_into_view(page);
            }
            Action::Bulk => return self.open_bulk(),
            // Not the table's: other places' actions never reach here.
            _ => {}
        }
        Vec::new()
    }
    fn open_details(&mut self) -> Vec<Cmd> {
        let Some(row) = self.table.selected_row() else {
            return Vec::new();
        };
        let (id, profile) = (row.id.clone(), row.profile.clone());
        let needs_storage = matches!(row.storage, Storage::NotRead | Storage::Failed(_));
        self.overlay = Some(Overlay::Details(Details {
            recent: self.recent_audit(&id, DETAILS_AUDIT),
            id: id.clone(),
            scroll: 0,
        }));
        if needs_storage {
            vec![self.read_settings(&profile, &id, super::Asker::Person)]
        } else {
            Vec::new()
        }
    }
    /// OSC 52 asks the terminal to copy; whether it did cannot be known, so the words say
    /// what was sent, and the value is in the log pane to copy by hand.
    pub(super) fn copy(&mut self, text: String) -> Vec<Cmd> {
        let mut words = format!("{text}: sent to the terminal's clipboard (OSC 52)");
        if self.surroundings.tmux {
            words.push_str(
                "; inside tmux it arrives only with `set -g set-clipboard on` (or `allow-passthrough on`)",
            );
        }
        self.notice(Level::Info, words);
        vec![Cmd::Copy(text)]
    }
    /// `e`: the rows the filter shows, in the order shown, with what the table knows of them.
    fn export(&mut self) -> Vec<Cmd> {
        let rows: Vec<ExportRow> = self
            .table
            .visible
            .iter()
            .map(|&i| ExportRow::of(&self.table.rows[i], &self.budgets))
            .collect();
        if rows.is_empty() {
            self.notice(Level::Warn, "nothing to export: no number is shown");
            return Vec::new();
        }
        let stem = format!(
            "wareg-numbers-{}",
            self.clock.local(self.clock.now()).format("%Y%m%d-%H%M%S")
        );
        self.notice(
            Level::Info,
            format!(
                "exporting {} to {stem}.csv and .json",
                crate::plural::count(rows.len(), "shown number")
            ),
        );
        vec![Cmd::Export {
            rows,
            stem,
            dirs: self.export_dirs.clone(),
        }]
    }
    /// `o`: the number's WABA in WhatsApp Manager. The URL always goes to the log pane (over
    /// SSH there is no browser to start, and the URL is what the user needs).
    pub(super) fn open_manager(&mut self, id: &crate::graph::NumberId) -> Vec<Cmd> {
        let Some(i) = self.table.find(id) else {
            return Vec::new();
        };
        let profile = self.table.rows[i].profile.clone();
        let Some(url) = self
            .profiles
            .get(profile.as_str())
            .and_then(|p| p.manager_url.clone())
        else {
            self.notice(
                Level::Warn,
                format!("profile {profile} has no waba_id: add it to the config to open WhatsApp Manager"),
            );
            return Vec::new();
        };
        let name = self.name_of(id);
        if let Some(browser) = self.surroundings.browser.clone() {
            // Whether the browser starts is not known here: the words say what was asked.
            self.notice(
                Level::Info,
                format!("{name}: asked `{browser}` to open WhatsApp Manager: {url}"),
            );
            vec![Cmd::Open(url)]
        } else {
            self.notice(
                Level::Info,
                format!("{name}: no browser to start here (no $BROWSER or display); WhatsApp Manager: {url}"),
            );
            Vec::new()
        }
    }
}
