//! Key routing, focus first: an open overlay or form sees a key before anything else, then the
//! filter line while it is being typed, then the focused pane's key table. Ctrl-C always quits.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind};

use super::sort::Sort;
use super::{App, Details, Focus, Overlay, Storage};
use crate::fleet::export::ExportRow;
use crate::tui::keys::{self, Action, InputEvent, Place};
use crate::tui::msg::{Cmd, Level};

/// How many audit records the details popup shows.
const DETAILS_AUDIT: usize = 5;

impl App {
    pub(super) fn on_key(&mut self, key: KeyEvent) -> Vec<Cmd> {
        if key.kind == KeyEventKind::Release {
            return Vec::new();
        }
        if keys::is_ctrl_c(&key) {
            return self.quit_now();
        }
        let place = self.place();
        let action = keys::action(place, &key);
        match self.overlay.take() {
            Some(overlay) => self.on_overlay_key(overlay, place, action, key),
            None => match (place, action) {
                (_, None) => Vec::new(),
                (Place::Filter, Some(action)) => {
                    self.on_filter_action(action, &key);
                    Vec::new()
                }
                (Place::Log, Some(action)) => self.on_log_action(action),
                (_, Some(action)) => self.on_table_action(action),
            },
        }
    }

    fn on_overlay_key(
        &mut self,
        overlay: Overlay,
        place: Place,
        action: Option<Action>,
        key: KeyEvent,
    ) -> Vec<Cmd> {
        // Help and quit work the same over every popup; what is under comes back after.
        match (&overlay, action) {
            (Overlay::Help(..), _) | (Overlay::ConfirmQuit(_), _) => {}
            (_, Some(Action::Help)) => {
                self.overlay = Some(Overlay::Help(place, 0, Some(Box::new(overlay))));
                return Vec::new();
            }
            (_, Some(Action::Quit)) => return self.quit_or_confirm(Some(overlay)),
            _ => {}
        }
        match overlay {
            Overlay::Help(place, scroll, under) => match action {
                Some(Action::Back) => {
                    self.overlay = under.map(|o| *o);
                    Vec::new()
                }
                Some(Action::Quit) => self.quit_or_confirm(under.map(|o| *o)),
                Some(Action::Down) => {
                    let most = crate::tui::view::help::max_scroll(self, place);
                    self.overlay = Some(Overlay::Help(place, (scroll + 1).min(most), under));
                    Vec::new()
                }
                Some(Action::Up) => {
                    self.overlay = Some(Overlay::Help(place, scroll.saturating_sub(1), under));
                    Vec::new()
                }
                _ => {
                    self.overlay = Some(Overlay::Help(place, scroll, under));
                    Vec::new()
                }
            },
            Overlay::Details(details) => match action {
                Some(Action::Back) => Vec::new(),
                Some(Action::Copy) => {
                    let id = details.id.clone();
                    self.overlay = Some(Overlay::Details(details));
                    self.copy(id.to_string())
                }
                Some(Action::OpenManager) => {
                    let id = details.id.clone();
                    self.overlay = Some(Overlay::Details(details));
                    self.open_manager(&id)
                }
                Some(Action::OpenForm(kind)) => self.open_form_of(kind, &details.id),
                _ => {
                    self.overlay = Some(Overlay::Details(details));
                    Vec::new()
                }
            },
            Overlay::Form(form) => self.on_form_key(form, InputEvent { key, action }),
            Overlay::Bulk(view) => self.on_bulk_key(view, key),
            Overlay::Alert(text) => {
                if action != Some(Action::Cancel) {
                    self.overlay = Some(Overlay::Alert(text));
                }
                Vec::new()
            }
            Overlay::ConfirmQuit(under) => match action {
                Some(Action::Yes) => self.quit_now(),
                Some(Action::No) => {
                    self.overlay = under.map(|o| *o);
                    Vec::new()
                }
                _ => {
                    self.overlay = Some(Overlay::ConfirmQuit(under));
                    Vec::new()
                }
            },
        }
    }

    fn on_filter_action(&mut self, action: Action, key: &KeyEvent) {
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

    fn on_table_action(&mut self, action: Action) -> Vec<Cmd> {
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
            Action::FullRefresh => {
                self.notice(
                    Level::Info,
                    "refreshing every number and reading every storage setting again",
                );
                return self.full_refresh();
            }
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
            Action::OpenForm(kind) => {
                if let Some(id) = self.table.selected_row().map(|r| r.id.clone()) {
                    return self.open_form_of(kind, &id);
                }
            }
            Action::SwitchFocus => self.focus = Focus::Log,
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
                    Action::Sort => Sort::next(self.table.sort),
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

    fn on_log_action(&mut self, action: Action) -> Vec<Cmd> {
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

    fn open_details(&mut self) -> Vec<Cmd> {
        let Some(row) = self.table.selected_row() else {
            return Vec::new();
        };
        let (id, profile) = (row.id.clone(), row.profile.clone());
        let needs_storage = matches!(row.storage, Storage::NotRead | Storage::Failed(_));
        self.overlay = Some(Overlay::Details(Details {
            recent: self.recent_audit(&id, DETAILS_AUDIT),
            id: id.clone(),
        }));
        if needs_storage {
            vec![self.read_settings(&profile, &id)]
        } else {
            Vec::new()
        }
    }

    /// OSC 52 asks the terminal to copy; whether it did cannot be known, so the words say
    /// what was sent, and the value is in the log pane to copy by hand.
    fn copy(&mut self, text: String) -> Vec<Cmd> {
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
                "exporting {} shown numbers to {stem}.csv and .json",
                rows.len()
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
    fn open_manager(&mut self, id: &crate::graph::NumberId) -> Vec<Cmd> {
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

    /// Quits, or asks first while a change is in flight (the popup `under` comes back on no).
    /// Quits, or asks first when that would leave a change in flight or close a form whose
    /// typing is not sent yet (`q` on a form's button, or over it in help).
    pub(crate) fn quit_or_confirm(&mut self, under: Option<Overlay>) -> Vec<Cmd> {
        if self.mutation_in_flight() || under.as_ref().is_some_and(Overlay::holds_a_form) {
            self.overlay = Some(Overlay::ConfirmQuit(under.map(Box::new)));
            Vec::new()
        } else {
            self.quit_now()
        }
    }

    pub(crate) fn quit_now(&mut self) -> Vec<Cmd> {
        self.quit = true;
        self.inflight.clear();
        vec![Cmd::Quit]
    }
}
