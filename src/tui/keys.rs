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
    /// Open this form for the selected number (`forms::registry::open`).
    OpenForm(FormKind),
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
    /// Type a character into the field or the filter line.
    Type,
    /// Delete the character before the cursor.
    Erase,
    /// Stop typing the filter and keep it.
    KeepFilter,
    /// Move to the next / previous field of a form.
    NextField,
    PrevField,
    /// Press the focused button, open the focused list, tick the focused box.
    Press,
    /// Cancel the form or close the dialog.
    Cancel,
    /// Pick the highlighted option of a list.
    Pick,
    /// Switch between two options (SMS or voice).
    Switch,
    /// Answer yes / no to a question.
    Yes,
    No,
    /// Sort by the next column.
    Sort,
    /// Turn the sort order around.
    ReverseSort,
    /// Open the number's WABA in WhatsApp Manager.
    OpenManager,
    /// Write the table as filtered to CSV and JSON files.
    Export,
}

/// The forms a key opens. A kind no key opens, or a key naming a form that does not exist,
/// does not compile: `forms::registry::open` matches every kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormKind {
    Register,
    /// The register form opened to change the local-storage region (from the details).
    RegionChange,
    Deregister,
    Pin,
    Verify,
}

/// A key as the app resolved it, once: the key and what the table of the place it was pressed
/// in binds it to. Components act on the action; the key is there for what it carries (the
/// character typed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InputEvent {
    pub key: KeyEvent,
    pub action: Option<Action>,
}

impl InputEvent {
    /// The character typed, when the action is typing.
    pub fn typed(&self) -> Option<char> {
        match (self.action, self.key.code) {
            (Some(Action::Type), KeyCode::Char(c)) => Some(c),
            _ => None,
        }
    }
}

/// Where keys are being read: each place has its own table, which the handler dispatches
/// from and the footer and help are written from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    Table,
    Log,
    Details,
    Help,
    /// The filter line while it is being typed.
    Filter,
    /// A form, by what its focused field takes.
    Field(FieldKind),
    /// The region dropdown, open.
    Dropdown,
    /// A form whose request is in flight: it takes no input.
    Sending,
    /// "Quit while a change is in flight?"
    ConfirmQuit,
    /// A problem explained in a dialog.
    Alert,
    /// The bulk popup: each stage says its own keys inside it; these work in every stage.
    Bulk,
}

/// What a form's focused field does with keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// PIN, code or digits: typed, masked.
    Digits,
    /// Free text (a language code).
    Text,
    /// Opens a list (the region).
    Choice,
    /// A checkbox (the override).
    Check,
    /// One of two (SMS or voice).
    Switch,
    /// A button.
    Button,
}

/// The keys of a binding: listed ones, or any printable character (a field's typing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keys {
    Codes(&'static [KeyCode]),
    /// Any printable character not bound otherwise in the place.
    Typing,
}

#[derive(Debug, Clone, Copy)]
pub struct Binding {
    pub keys: Keys,
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
        keys: Keys::Codes(keys),
        label,
        action,
        help,
        footer,
    }
}

/// Typing into a field or the filter line.
const fn typing(label: &'static str, help: &'static str) -> Binding {
    Binding {
        keys: Keys::Typing,
        label,
        action: Action::Type,
        help,
        footer: true,
    }
}

use KeyCode::{
    BackTab, Backspace, Char, Down, End, Enter, Esc, Home, Left, PageDown, PageUp, Right, Tab, Up,
};

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
    HELP_KEY,
    QUIT_KEY,
];

const LOG: &[Binding] = &[
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

const DETAILS: &[Binding] = &[
    b(&[Esc, Enter], "Esc", Action::Back, "close", true),
    REGISTER_KEY,
    b(
        &[Char('c')],
        "c",
        Action::OpenForm(FormKind::RegionChange),
        "change region",
        true,
    ),
    DEREGISTER_KEY,
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
    QUIT_KEY,
];

const FILTER: &[Binding] = &[
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
    HELP_KEY,
    typing("type", "to filter (status:pending: one column)"),
];

/// The forms the table and the details popup both open.
const REGISTER_KEY: Binding = b(
    &[Char('r')],
    "r",
    Action::OpenForm(FormKind::Register),
    "register",
    true,
);
const DEREGISTER_KEY: Binding = b(
    &[Char('d')],
    "d",
    Action::OpenForm(FormKind::Deregister),
    "deregister",
    true,
);

/// `?` opens the help of the place, over it.
const HELP_KEY: Binding = b(&[Char('?')], "?", Action::Help, "help", true);
/// `q` quits (asking while a change is in flight), where nothing takes it as typing.
const QUIT_KEY: Binding = b(&[Char('q')], "q", Action::Quit, "quit", true);

// A form's keys by what its focused field takes. Tab and Esc work everywhere; a field that
// takes typing takes q too, so there Ctrl-C is the way out.
const FIELD_NAV: [Binding; 3] = [
    b(&[Tab, Down], "Tab", Action::NextField, "next field", true),
    b(
        &[BackTab, Up],
        "Shift-Tab",
        Action::PrevField,
        "previous field",
        false,
    ),
    b(&[Esc], "Esc", Action::Cancel, "cancel", true),
];

/// A field's table: its own keys, then moving between fields and help, and `q` to quit
/// unless the field takes typing (`typing;` first).
macro_rules! field_keys {
    (typing; $($own:expr),* $(,)?) => {
        &[$($own,)* FIELD_NAV[0], FIELD_NAV[1], FIELD_NAV[2], HELP_KEY]
    };
    ($($own:expr),* $(,)?) => {
        &[$($own,)* FIELD_NAV[0], FIELD_NAV[1], FIELD_NAV[2], HELP_KEY, QUIT_KEY]
    };
}

/// Typed into: the characters, Backspace, and Enter, which presses the field (on to the next
/// one; the deregister digits send from there when all is in order).
macro_rules! typing_field {
    ($label:expr, $help:expr, $erase:expr) => {
        field_keys!(typing;
            typing($label, $help),
            b(&[Backspace], "Backspace", Action::Erase, $erase, false),
            b(&[Enter], "Enter", Action::Press, "next field", false),
        )
    };
}

const DIGITS_FIELD: &[Binding] = typing_field!("0-9", "type digits", "delete a digit");
const TEXT_FIELD: &[Binding] = typing_field!("a-z", "type the language (en_US)", "delete a letter");
const CHOICE_FIELD: &[Binding] = field_keys!(b(
    &[Enter, Char(' ')],
    "Enter",
    Action::Press,
    "open the list",
    true
));
// Enter moves on rather than ticks: a reflexive Enter Enter must not switch a safety off.
const CHECK_FIELD: &[Binding] = field_keys!(
    b(&[Char(' ')], "Space", Action::Press, "tick / untick", true),
    b(&[Enter], "Enter", Action::NextField, "next field", false),
);
const SWITCH_FIELD: &[Binding] = field_keys!(b(
    &[Left, Right, Char(' '), Enter],
    "←/→",
    Action::Switch,
    "SMS or voice",
    true
));
const BUTTON: &[Binding] = field_keys!(b(&[Enter], "Enter", Action::Press, "press", true));

const DROPDOWN: &[Binding] = &[
    b(&[Down, Tab], "↓", Action::Down, "next region", false),
    b(&[Up, BackTab], "↑", Action::Up, "previous region", false),
    b(&[PageDown], "PgDn", Action::PageDown, "page down", false),
    b(&[PageUp], "PgUp", Action::PageUp, "page up", false),
    b(&[Home], "Home", Action::Top, "first", false),
    b(&[End], "End", Action::Bottom, "last", false),
    b(&[Enter, Char(' ')], "Enter", Action::Pick, "pick", true),
    b(&[Esc], "Esc", Action::Cancel, "close the list", true),
    HELP_KEY,
    typing("letters", "jump (gb, ger)"),
];

const SENDING: &[Binding] = &[
    HELP_KEY,
    b(
        &[Char('q')],
        "q",
        Action::Quit,
        "quit (asks: a change is in flight)",
        true,
    ),
];

const CONFIRM_QUIT: &[Binding] = &[
    b(&[Char('y'), Char('Y')], "y", Action::Yes, "quit now", true),
    b(
        &[Char('n'), Char('N'), Esc],
        "n/Esc",
        Action::No,
        "stay",
        true,
    ),
];

const ALERT: &[Binding] = &[
    b(&[Esc, Enter], "Esc", Action::Cancel, "close", true),
    HELP_KEY,
    QUIT_KEY,
];

const BULK: &[Binding] = &[
    b(&[Enter], "Enter", Action::Press, "go on", true),
    b(&[Esc], "Esc", Action::Cancel, "back (pauses a run)", true),
    HELP_KEY,
    b(
        &[Char('q')],
        "q",
        Action::Quit,
        "quit (asks while a run goes on)",
        true,
    ),
];

pub fn bindings(place: Place) -> &'static [Binding] {
    match place {
        Place::Table => TABLE,
        Place::Log => LOG,
        Place::Details => DETAILS,
        Place::Help => HELP,
        Place::Filter => FILTER,
        Place::Field(FieldKind::Digits) => DIGITS_FIELD,
        Place::Field(FieldKind::Text) => TEXT_FIELD,
        Place::Field(FieldKind::Choice) => CHOICE_FIELD,
        Place::Field(FieldKind::Check) => CHECK_FIELD,
        Place::Field(FieldKind::Switch) => SWITCH_FIELD,
        Place::Field(FieldKind::Button) => BUTTON,
        Place::Dropdown => DROPDOWN,
        Place::Sending => SENDING,
        Place::ConfirmQuit => CONFIRM_QUIT,
        Place::Alert => ALERT,
        Place::Bulk => BULK,
    }
}

/// Every place with one table for all its states, for the tests that walk them (the bulk
/// popup's stages each say their keys inside it).
pub const PLACES: [Place; 15] = [
    Place::Table,
    Place::Log,
    Place::Details,
    Place::Help,
    Place::Filter,
    Place::Field(FieldKind::Digits),
    Place::Field(FieldKind::Text),
    Place::Field(FieldKind::Choice),
    Place::Field(FieldKind::Check),
    Place::Field(FieldKind::Switch),
    Place::Field(FieldKind::Button),
    Place::Dropdown,
    Place::Sending,
    Place::ConfirmQuit,
    Place::Alert,
];

/// The action bound to `key` in `place`: a listed key first, then typing. Shift is part of
/// the character ('G'), so it is ignored for characters; any other modifier means "not ours".
pub fn action(place: Place, key: &KeyEvent) -> Option<Action> {
    let plain = match key.code {
        KeyCode::Char(_) | KeyCode::BackTab => (key.modifiers - KeyModifiers::SHIFT).is_empty(),
        _ => key.modifiers.is_empty(),
    };
    if !plain {
        return None;
    }
    let table = bindings(place);
    table
        .iter()
        .find(|binding| matches!(binding.keys, Keys::Codes(codes) if codes.contains(&key.code)))
        .or_else(|| {
            matches!(key.code, KeyCode::Char(c) if !c.is_control())
                .then(|| table.iter().find(|binding| binding.keys == Keys::Typing))
                .flatten()
        })
        .map(|binding| binding.action)
}

/// Ctrl-C quits from anywhere; nothing can swallow it.
pub fn is_ctrl_c(key: &KeyEvent) -> bool {
    key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL)
}

/// The footer line for a place at `width` columns: its hints in table order as far as they
/// fit, and always how to get help and how to quit at the end (`q`, or Ctrl-C where a field
/// takes q as typing).
pub fn footer(place: Place, width: usize) -> String {
    let table = bindings(place);
    let hint = |binding: &Binding| format!("{} {}", binding.label, binding.help);
    let is_help = |binding: &&Binding| binding.action == Action::Help;
    let is_quit = |binding: &&Binding| matches!(binding.action, Action::Quit | Action::Yes);
    let mut always: Vec<String> = table.iter().filter(is_help).map(hint).collect();
    match table.iter().find(is_quit) {
        Some(quit) if quit.action == Action::Quit => always.push("q quit".into()),
        Some(_) => {}
        None => always.push("Ctrl-C quit".into()),
    }
    let mut shown: Vec<String> = Vec::new();
    let tail = always.join(" · ");
    let mut used = crate::width::of(&tail);
    for binding in table
        .iter()
        .filter(|b| b.footer && !is_help(b) && b.action != Action::Quit)
    {
        let text = hint(binding);
        let cost = crate::width::of(&text) + 3;
        if used + cost > width {
            continue;
        }
        used += cost;
        shown.push(text);
    }
    shown.extend(always);
    shown.join(" · ")
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
        for place in PLACES {
            for binding in bindings(place) {
                assert!(!binding.help.is_empty() && !binding.label.is_empty());
            }
        }
        let footer = footer(Place::Table, 200);
        assert!(
            footer.contains("r register") && footer.ends_with("? help · q quit"),
            "{footer}"
        );
    }
}

#[cfg(test)]
mod footer_tests {
    use super::*;

    #[test]
    fn the_footer_always_ends_with_help_and_quit_and_fits() {
        for place in PLACES {
            for width in [40, 60, 80, 120] {
                let line = footer(place, width);
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
                let essentials = footer(place, 0);
                assert!(
                    crate::width::of(&line) <= width.max(crate::width::of(&essentials)),
                    "{place:?} at {width}: {line}"
                );
            }
        }
        // A field that takes typing takes q: Ctrl-C is the way out there.
        assert!(footer(Place::Field(FieldKind::Digits), 80).ends_with("Ctrl-C quit"));
        assert!(footer(Place::Field(FieldKind::Button), 80).ends_with("q quit"));
    }

    #[test]
    fn typing_is_what_no_listed_key_takes() {
        let key = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
        assert_eq!(action(Place::Filter, &key('x')), Some(Action::Type));
        assert_eq!(action(Place::Filter, &key('?')), Some(Action::Help));
        assert_eq!(
            action(Place::Field(FieldKind::Digits), &key('q')),
            Some(Action::Type)
        );
        assert_eq!(
            action(Place::Field(FieldKind::Button), &key('q')),
            Some(Action::Quit)
        );
        assert_eq!(action(Place::Table, &key('x')), None);
    }
}
