//! Key routing, focus first: an open overlay or form sees a key before anything else, then the
//! filter line while it is being typed, then the focused pane's key table. Ctrl-C always quits.

use ratatui::crossterm::event::{KeyEvent, KeyEventKind};

use super::{App, Overlay};
use crate::tui::keys::{self, Action, Binding, FormKind, HELP_KEY, InputEvent, Place, QUIT_KEY, b};
use crate::tui::msg::{Cmd, Level};

use ratatui::crossterm::event::KeyCode::{Char, Down, Enter, Esc, PageDown, PageUp, Up};

/// The details' keys, with `$scroll` before help where the details are taller than the
/// screen (offered only then, as a tall form offers PgDn).
macro_rules! details_keys {
    ($($scroll:expr),*) => {
        &[
            b(&[Esc, Enter], "Esc", Action::Back, "close", true),
            $($scroll,)*
            super::table_keys::REGISTER_KEY,
            b(
                &[Char('c')],
                "c",
                Action::OpenForm(FormKind::RegionChange),
                "change region",
                true,
            ),
            super::table_keys::DEREGISTER_KEY,
            // Shorter than the table's words: the popup lists its keys in two rows at 80.
            b(
                &[Char('n')],
                "n",
                Action::OpenForm(FormKind::Rename),
                "new display name",
                false,
            ),
            b(&[Char('y')], "y", Action::Copy, "copy id", true),
            b(
                &[Char('o')],
                "o",
                Action::OpenManager,
                "open in WhatsApp Manager",
                false,
            ),
            HELP_KEY,
            b(&[Char('q')], "q", Action::Quit, "quit", false),
        ]
    };
}

pub(crate) const DETAILS: &[Binding] = details_keys!();

/// The details on a screen too short for them.
pub(crate) const DETAILS_SCROLLING: &[Binding] = details_keys!(
    b(
        &[PageDown, Char('j'), Down],
        "PgDn",
        Action::PageDown,
        "scroll",
        true
    ),
    b(
        &[PageUp, Char('k'), Up],
        "PgUp",
        Action::PageUp,
        "scroll back",
        false
    )
);

pub(crate) const HELP: &[Binding] = &[
    b(
        &[Esc, Char('?'), Enter],
        "Esc/?",
        Action::Back,
        "close help",
        true,
    ),
    b(
        &[Char('j'), Down],
        "j/↓",
        Action::Down,
        "scroll down",
        false,
    ),
    b(&[Char('k'), Up], "k/↑", Action::Up, "scroll up", false),
    QUIT_KEY,
];

/// The help opened over a form: Esc goes back to the form, where Esc closes it (what a person
/// wants who asked for help in a form); `q` still asks before it quits.
pub(crate) const HELP_OVER_FORM: &[Binding] = &[
    b(
        &[Esc, Char('?'), Enter],
        "Esc/?",
        Action::Back,
        "back to the form (Esc there closes it)",
        true,
    ),
    HELP[1],
    HELP[2],
    QUIT_KEY,
];

pub(crate) const CONFIRM_QUIT: &[Binding] = &[
    b(&[Char('y'), Char('Y')], "y", Action::Yes, "quit now", true),
    b(
        &[Char('n'), Char('N'), Esc],
        "n/Esc",
        Action::No,
        "stay",
        true,
    ),
];

/// Quit comes first: the footer ends with the first quitting key it finds, and here `y`
/// reads, it does not quit.
pub(crate) const CONFIRM_FULL: &[Binding] = &[
    QUIT_KEY,
    b(&[Char('y'), Char('Y')], "y", Action::Yes, "read all", true),
    b(&[Char('n'), Char('N'), Esc], "n", Action::No, "no", true),
    HELP_KEY,
];

pub(crate) const ALERT: &[Binding] = &[
    b(&[Esc, Enter], "Esc", Action::Cancel, "close", true),
    HELP_KEY,
    QUIT_KEY,
];

impl App {
    /// How far the open details can scroll on this screen (0: they fit, or none is open).
    pub fn details_max_scroll(&self) -> usize {
        match &self.overlay {
            Some(Overlay::Details(details)) => crate::tui::view::details::max_scroll(self, details),
            _ => 0,
        }
    }

    pub(super) fn on_key(&mut self, key: KeyEvent) -> Vec<Cmd> {
        if key.kind == KeyEventKind::Release {
            return Vec::new();
        }
        if keys::is_ctrl_c(&key) {
            return self.quit_now();
        }
        let place = self.place();
        let action = keys::action(self.bindings(), &key);
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
            Overlay::Details(mut details) => match action {
                Some(Action::Back) => Vec::new(),
                Some(action @ (Action::PageDown | Action::PageUp)) => {
                    // A page less a line, so the line read last stays in view; arrows go
                    // the same way a line at a time.
                    let step = if matches!(key.code, PageDown | PageUp) {
                        usize::from(self.size.1).saturating_sub(8).max(1)
                    } else {
                        1
                    };
                    let most = crate::tui::view::details::max_scroll(self, &details);
                    details.scroll = match action {
                        Action::PageDown => (details.scroll + step).min(most),
                        _ => details.scroll.saturating_sub(step),
                    };
                    self.overlay = Some(Overlay::Details(details));
                    Vec::new()
                }
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
            Overlay::Bulk(view) => self.on_bulk_key(view, InputEvent { key, action }),
            Overlay::Alert(text) => {
                if action != Some(Action::Cancel) {
                    self.overlay = Some(Overlay::Alert(text));
                }
                Vec::new()
            }
            Overlay::ConfirmFull(words) => match action {
                Some(Action::Yes) => self.full_refresh_confirmed(),
                Some(Action::No) => {
                    self.notice(Level::Info, "F: nothing was read");
                    Vec::new()
                }
                _ => {
                    self.overlay = Some(Overlay::ConfirmFull(words));
                    Vec::new()
                }
            },
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

    /// Quits, or asks first while a change is in flight (the popup `under` comes back on no).
    /// Quits, or asks first when that would leave a change in flight or close a form whose
    /// typing is not sent yet (`q` on a form's button, or over it in help).
    pub(crate) fn quit_or_confirm(&mut self, under: Option<Overlay>) -> Vec<Cmd> {
        // The popup a key came from is out of `self.overlay` while the key is handled: it is
        // asked about itself (a bulk run sending in it, a form open in it).
        let asks = under
            .as_ref()
            .is_some_and(|o| o.holds_a_form() || o.running_bulk().is_some());
        if self.mutation_in_flight() || asks {
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

#[cfg(test)]
mod tests {
    use crate::tui::app::bindings;
    use crate::tui::keys::*;
    use ratatui::crossterm::event::{KeyCode, KeyCode::Char, KeyEvent, KeyModifiers};

    fn key(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    #[test]
    fn keys_resolve_through_the_table() {
        assert_eq!(
            action(bindings(Place::Table), &key(Char('j'), KeyModifiers::NONE)),
            Some(Action::Down)
        );
        assert_eq!(
            action(bindings(Place::Table), &key(Char('G'), KeyModifiers::SHIFT)),
            Some(Action::Bottom)
        );
        assert_eq!(
            action(
                bindings(Place::Table),
                &key(Char('j'), KeyModifiers::CONTROL)
            ),
            None
        );
        assert!(is_ctrl_c(&key(Char('c'), KeyModifiers::CONTROL)));
    }

    #[test]
    fn every_action_in_a_table_has_help_text_and_the_footer_comes_from_it() {
        for place in PLACES {
            for binding in bindings(place) {
                assert!(!binding.help.is_empty() && !binding.label.is_empty());
            }
        }
        let footer = footer(bindings(Place::Table), 200);
        assert!(
            footer.contains("r register") && footer.ends_with("? help · q quit"),
            "{footer}"
        );
    }
}

#[cfg(test)]
mod footer_tests {
    use crate::tui::app::bindings;
    use crate::tui::keys::*;
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    #[test]
    fn the_footer_always_ends_with_help_and_quit_and_fits() {
        for place in PLACES {
            for width in [40, 60, 80, 120] {
                let line = footer(bindings(place), width);
                let help = if place == Place::Help {
                    "close help"
                } else {
                    "? help"
                };
                if place != Place::ConfirmQuit {
                    assert!(line.contains(help), "{place:?} at {width}: {line}");
                }
                assert!(
                    line.ends_with("q quit")
                        || line.ends_with("Ctrl-C quit")
                        || place == Place::ConfirmQuit,
                    "{place:?} at {width}: {line}"
                );
                let essentials = footer(bindings(place), 0);
                assert!(
                    crate::width::of(&line) <= width.max(crate::width::of(&essentials)),
                    "{place:?} at {width}: {line}"
                );
            }
        }
        // A field that takes typing takes q: Ctrl-C is the way out there.
        assert!(footer(bindings(Place::Field(FieldKind::Digits)), 80).ends_with("Ctrl-C quit"));
        assert!(footer(bindings(Place::Field(FieldKind::Button)), 80).ends_with("q quit"));
    }

    #[test]
    fn typing_is_what_no_listed_key_takes() {
        let key = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
        assert_eq!(
            action(bindings(Place::Filter), &key('x')),
            Some(Action::Type)
        );
        assert_eq!(
            action(bindings(Place::Filter), &key('?')),
            Some(Action::Help)
        );
        assert_eq!(
            action(bindings(Place::Field(FieldKind::Digits)), &key('q')),
            Some(Action::Type)
        );
        assert_eq!(
            action(bindings(Place::Field(FieldKind::Button)), &key('q')),
            Some(Action::Quit)
        );
        assert_eq!(action(bindings(Place::Table), &key('x')), None);
    }
}
