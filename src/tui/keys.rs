//! The key table. The same table decides what a key does and writes the footer hints and the
//! help overlay, so the three never drift apart.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Up,
    Down,
    Top,
    Bottom,
    PageUp,
    PageDown,
    Filter,
    Back,
    Details,
    Refresh,
    /// Refresh and read every number's storage again (one call per configured number).
    FullRefresh,
    Copy,
    Register,
    Deregister,
    SetPin,
    Verify,
    ChangeRegion,
    SwitchFocus,
    Help,
    Quit,
    /// Mark or unmark the selected number for a bulk action.
    Mark,
    /// Mark every number the filter shows.
    MarkShown,
    /// Clear the marks.
    Unmark,
    /// A bulk action on the marked numbers.
    Bulk,
    /// Sort by the next column.
    Sort,
    /// Turn the sort order around.
    ReverseSort,
    /// Open the number's WABA in WhatsApp Manager.
    OpenManager,
    /// Write the table as filtered to CSV and JSON files.
    Export,
}

/// Where keys are being read: each place has its own table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    Table,
    Log,
    Details,
    Help,
    Form,
}

pub struct Binding {
    pub keys: &'static [KeyCode],
    /// How the keys are written in hints: "j/↓".
    pub label: &'static str,
    pub action: Action,
    pub help: &'static str,
    /// Shown in the one-line footer (the help overlay shows all).
    pub footer: bool,
}

const fn b(
    keys: &'static [KeyCode],
    label: &'static str,
    action: Action,
    help: &'static str,
    footer: bool,
) -> Binding {
    Binding {
        keys,
        label,
        action,
        help,
        footer,
    }
}

use KeyCode::{BackTab, Char, Down, End, Enter, Esc, Home, PageDown, PageUp, Tab, Up};

const TABLE: &[Binding] = &[
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
    b(&[Char('r')], "r", Action::Register, "register", true),
    b(&[Char('d')], "d", Action::Deregister, "deregister", true),
    b(&[Char('p')], "p", Action::SetPin, "two-step PIN", true),
    b(&[Char('v')], "v", Action::Verify, "verify ownership", true),
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
        "sort by the next column",
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
        "mark / unmark for bulk",
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
    b(&[Char('?')], "?", Action::Help, "help", true),
    b(&[Char('q')], "q", Action::Quit, "quit", true),
];

const LOG: &[Binding] = &[
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
    b(
        &[Tab, BackTab, Esc],
        "Tab/Esc",
        Action::SwitchFocus,
        "back to the table",
        true,
    ),
    b(&[Char('?')], "?", Action::Help, "help", true),
    b(&[Char('q')], "q", Action::Quit, "quit", true),
];

const DETAILS: &[Binding] = &[
    b(&[Esc, Enter], "Esc", Action::Back, "close", true),
    b(&[Char('r')], "r", Action::Register, "register", true),
    b(
        &[Char('c')],
        "c",
        Action::ChangeRegion,
        "change region",
        true,
    ),
    b(&[Char('d')], "d", Action::Deregister, "deregister", true),
    b(&[Char('y')], "y", Action::Copy, "copy id", true),
    b(
        &[Char('o')],
        "o",
        Action::OpenManager,
        "open in WhatsApp Manager",
        false,
    ),
    b(&[Char('?')], "?", Action::Help, "help", true),
    b(&[Char('q')], "q", Action::Quit, "quit", false),
];

const HELP: &[Binding] = &[
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
    b(&[Char('q')], "q", Action::Quit, "quit", true),
];

/// Forms read their own keys (the focused field first); this table is for hints and help.
const FORM: &[Binding] = &[
    b(&[Tab], "Tab", Action::Down, "next field", true),
    b(&[BackTab], "Shift-Tab", Action::Up, "previous field", true),
    b(&[Enter], "Enter", Action::Details, "open / press", true),
    b(&[Esc], "Esc", Action::Back, "cancel", true),
];

pub fn bindings(place: Place) -> &'static [Binding] {
    match place {
        Place::Table => TABLE,
        Place::Log => LOG,
        Place::Details => DETAILS,
        Place::Help => HELP,
        Place::Form => FORM,
    }
}

/// The action bound to `key` in `place`. Shift is part of the character ('G'), so it is
/// ignored for characters; any other modifier means "not ours".
pub fn action(place: Place, key: &KeyEvent) -> Option<Action> {
    let plain = match key.code {
        KeyCode::Char(_) | KeyCode::BackTab => (key.modifiers - KeyModifiers::SHIFT).is_empty(),
        _ => key.modifiers.is_empty(),
    };
    if !plain {
        return None;
    }
    bindings(place)
        .iter()
        .find(|binding| binding.keys.contains(&key.code))
        .map(|binding| binding.action)
}

/// Ctrl-C quits from anywhere; nothing can swallow it.
pub fn is_ctrl_c(key: &KeyEvent) -> bool {
    key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL)
}

/// The footer line for a place: "Enter details · r register · ...".
pub fn footer(place: Place) -> String {
    bindings(place)
        .iter()
        .filter(|binding| binding.footer)
        .map(|binding| format!("{} {}", binding.label, binding.help))
        .collect::<Vec<_>>()
        .join(" · ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    #[test]
    fn keys_resolve_through_the_table() {
        assert_eq!(
            action(Place::Table, &key(Char('j'), KeyModifiers::NONE)),
            Some(Action::Down)
        );
        assert_eq!(
            action(Place::Table, &key(Char('G'), KeyModifiers::SHIFT)),
            Some(Action::Bottom)
        );
        assert_eq!(
            action(Place::Table, &key(Char('j'), KeyModifiers::CONTROL)),
            None
        );
        assert!(is_ctrl_c(&key(Char('c'), KeyModifiers::CONTROL)));
    }

    #[test]
    fn every_action_in_a_table_has_help_text_and_the_footer_comes_from_it() {
        for place in [
            Place::Table,
            Place::Log,
            Place::Details,
            Place::Help,
            Place::Form,
        ] {
            for binding in bindings(place) {
                assert!(!binding.help.is_empty() && !binding.label.is_empty());
            }
        }
        let footer = footer(Place::Table);
        assert!(
            footer.contains("r register") && footer.contains("? help"),
            "{footer}"
        );
    }
}
