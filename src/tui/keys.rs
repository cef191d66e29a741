//! The keys' shared vocabulary: actions, bindings, places, the tables every form field shares,
//! and how a key resolves in a table and a table writes the footer. Each component keeps its
//! own table beside the code that handles it (the numbers table in `app/table_keys.rs`, the
//! region list in `widgets/region_select.rs`, the bulk stages in `bulk/`…); the same table
//! decides what a key does and writes the footer hints and the help, so they never drift.

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
    /// The previous / next option of a choice shown side by side (the bulk region).
    Left,
    Right,
    /// Type a character into the field or the filter line.
    Type,
    /// Delete the character before the cursor.
    Erase,
    /// Clear the whole line (Ctrl-U).
    EraseAll,
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
    /// Sort by the column after the one sorted by now.
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
    /// The verify form on the path from added to registered: once verified it offers the
    /// register form.
    VerifyThenRegister,
    /// Add a number to a profile's WABA (`a`): it acts on the account, not on a number.
    Add,
    /// Ask Meta for a new display name (`n`).
    Rename,
}

impl FormKind {
    /// Whether the form acts on the selected number (every one but Add, which makes one).
    pub fn acts_on_a_number(self) -> bool {
        self != FormKind::Add
    }
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
    /// "F reads N storages at this cost: read them all?"
    ConfirmFull,
    /// A problem explained in a dialog.
    Alert,
    /// The bulk popup, at one of its stages (each has its own keys).
    Bulk(BulkStage),
}

/// The bulk popup's stages, by the keys they take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BulkStage {
    /// Choosing the action (and the region).
    Choose,
    /// The worker reads and plans every number.
    Planning,
    /// The plan, waiting for the typed count; `pin`: and for the PIN.
    Confirm {
        pin: bool,
    },
    Running,
    /// The summary: one entry per number.
    Done,
    /// One number's whole message, opened from the summary.
    Message,
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
    /// Free text of any printable character (a display name).
    Name,
    /// One of several shown side by side (the profile whose WABA gets the number).
    Pick,
    /// A button.
    Button,
}

/// The keys of a binding: listed ones, or any printable character (a field's typing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keys {
    Codes(&'static [KeyCode]),
    /// Any printable character not bound otherwise in the place.
    Typing,
    /// The letter with Ctrl held (Ctrl-U), as a line editor takes it.
    Ctrl(char),
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

pub const fn b(
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

/// `letter` with Ctrl held: a line editor's key (Ctrl-U clears the line).
pub const fn ctrl(
    letter: char,
    label: &'static str,
    action: Action,
    help: &'static str,
    footer: bool,
) -> Binding {
    Binding {
        keys: Keys::Ctrl(letter),
        label,
        action,
        help,
        footer,
    }
}

/// Typing into a field or the filter line.
pub const fn typing(label: &'static str, help: &'static str) -> Binding {
    Binding {
        keys: Keys::Typing,
        label,
        action: Action::Type,
        help,
        footer: true,
    }
}

use KeyCode::{BackTab, Backspace, Char, Down, Enter, Esc, Left, PageDown, PageUp, Right, Tab, Up};

/// `?` opens the help of the place, over it.
pub const HELP_KEY: Binding = b(&[Char('?')], "?", Action::Help, "help", true);
/// `q` quits (asking while a change is in flight), where nothing takes it as typing.
pub const QUIT_KEY: Binding = b(&[Char('q')], "q", Action::Quit, "quit", true);

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

/// Scrolling a form taller than the terminal: offered only while it is.
const FORM_SCROLL: [Binding; 2] = [
    b(
        &[PageDown],
        "PgDn",
        Action::PageDown,
        "scroll the form",
        true,
    ),
    b(&[PageUp], "PgUp", Action::PageUp, "scroll it back", false),
];

/// A field's two tables (as it is, and in a form taller than the terminal): its own keys, then
/// moving between fields (and scrolling) and help, and `q` to quit unless the field takes
/// typing (`typing;` first).
macro_rules! field_tables {
    ($plain:ident, $scrolling:ident, typing; $($own:expr),* $(,)?) => {
        const $plain: &[Binding] =
            &[$($own,)* FIELD_NAV[0], FIELD_NAV[1], FIELD_NAV[2], HELP_KEY];
        const $scrolling: &[Binding] = &[
            $($own,)* FIELD_NAV[0], FIELD_NAV[1], FIELD_NAV[2], FORM_SCROLL[0], FORM_SCROLL[1],
            HELP_KEY,
        ];
    };
    ($plain:ident, $scrolling:ident; $($own:expr),* $(,)?) => {
        const $plain: &[Binding] =
            &[$($own,)* FIELD_NAV[0], FIELD_NAV[1], FIELD_NAV[2], HELP_KEY, QUIT_KEY];
        const $scrolling: &[Binding] = &[
            $($own,)* FIELD_NAV[0], FIELD_NAV[1], FIELD_NAV[2], FORM_SCROLL[0], FORM_SCROLL[1],
            HELP_KEY, QUIT_KEY,
        ];
    };
}

/// Typed into: the characters, Backspace, and Enter, which presses the field (on to the next
/// one; the deregister digits send from there when all is in order).
macro_rules! typing_field {
    ($plain:ident, $scrolling:ident, $label:expr, $help:expr, $erase:expr) => {
        field_tables!($plain, $scrolling, typing;
            typing($label, $help),
            b(&[Backspace], "Backspace", Action::Erase, $erase, false),
            b(&[Enter], "Enter", Action::Press, "next field", false),
        );
    };
}

typing_field!(
    DIGITS_FIELD,
    DIGITS_SCROLLING,
    "0-9",
    "type digits",
    "delete a digit"
);
typing_field!(
    TEXT_FIELD,
    TEXT_SCROLLING,
    "a-z",
    "type the language (en_US)",
    "delete a letter"
);
field_tables!(CHOICE_FIELD, CHOICE_SCROLLING;
    b(&[Enter, Char(' ')], "Enter", Action::Press, "open the list", true),
);
// Enter moves on rather than ticks: a reflexive Enter Enter must not switch a safety off.
field_tables!(CHECK_FIELD, CHECK_SCROLLING;
    b(&[Char(' ')], "Space", Action::Press, "tick / untick", true),
    b(&[Enter], "Enter", Action::NextField, "next field", false),
);
field_tables!(SWITCH_FIELD, SWITCH_SCROLLING;
    b(&[Left, Right, Char(' '), Enter], "←/→", Action::Switch, "SMS or voice", true),
);
typing_field!(
    NAME_FIELD,
    NAME_SCROLLING,
    "Aa",
    "type the name",
    "delete a character"
);
field_tables!(PICK_FIELD, PICK_SCROLLING;
    b(&[Right, Char(' ')], "→", Action::Right, "next profile (its WABA)", true),
    b(&[Left], "←", Action::Left, "previous profile", false),
    b(&[Enter], "Enter", Action::NextField, "next field", false),
);
field_tables!(BUTTON, BUTTON_SCROLLING; b(&[Enter], "Enter", Action::Press, "press", true));

/// The table of a form field in a form taller than the terminal: its own, and PgDn/PgUp.
pub fn scrolling_field_bindings(kind: FieldKind) -> &'static [Binding] {
    match kind {
        FieldKind::Digits => DIGITS_SCROLLING,
        FieldKind::Text => TEXT_SCROLLING,
        FieldKind::Choice => CHOICE_SCROLLING,
        FieldKind::Check => CHECK_SCROLLING,
        FieldKind::Switch => SWITCH_SCROLLING,
        FieldKind::Name => NAME_SCROLLING,
        FieldKind::Pick => PICK_SCROLLING,
        FieldKind::Button => BUTTON_SCROLLING,
    }
}

/// The table of a form field by what it takes: the vocabulary every form shares.
pub fn field_bindings(kind: FieldKind) -> &'static [Binding] {
    match kind {
        FieldKind::Digits => DIGITS_FIELD,
        FieldKind::Text => TEXT_FIELD,
        FieldKind::Choice => CHOICE_FIELD,
        FieldKind::Check => CHECK_FIELD,
        FieldKind::Switch => SWITCH_FIELD,
        FieldKind::Name => NAME_FIELD,
        FieldKind::Pick => PICK_FIELD,
        FieldKind::Button => BUTTON,
    }
}

/// Every place with one table for all its states, for the tests that walk them.
pub const PLACES: [Place; 25] = [
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
    Place::Field(FieldKind::Name),
    Place::Field(FieldKind::Pick),
    Place::Dropdown,
    Place::Sending,
    Place::ConfirmQuit,
    Place::ConfirmFull,
    Place::Alert,
    Place::Bulk(BulkStage::Choose),
    Place::Bulk(BulkStage::Planning),
    Place::Bulk(BulkStage::Confirm { pin: false }),
    Place::Bulk(BulkStage::Confirm { pin: true }),
    Place::Bulk(BulkStage::Running),
    Place::Bulk(BulkStage::Done),
    Place::Bulk(BulkStage::Message),
];

/// The action bound to `key` in `table`: a listed key first, then typing. Shift is part of
/// the character ('G'), so it is ignored for characters; any other modifier means "not ours".
pub fn action(table: &[Binding], key: &KeyEvent) -> Option<Action> {
    if key.modifiers == KeyModifiers::CONTROL
        && let KeyCode::Char(c) = key.code
    {
        return table
            .iter()
            .find(|binding| binding.keys == Keys::Ctrl(c.to_ascii_lowercase()))
            .map(|binding| binding.action);
    }
    let plain = match key.code {
        KeyCode::Char(_) | KeyCode::BackTab => (key.modifiers - KeyModifiers::SHIFT).is_empty(),
        _ => key.modifiers.is_empty(),
    };
    if !plain {
        return None;
    }
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

/// A component's own hints, as it writes them inside itself: its footer bindings but help
/// and quit, which the footer always says ("↑↓ choose · Enter plan (sends nothing)").
pub fn hints(table: &[Binding]) -> String {
    hint_pieces(table).join(" · ")
}

/// [`hints`] in rows of at most `width` cells, each row whole hints: a popup narrower than
/// its hints shows them all, none cut ("↑↓ choose · ←→ region" / "Enter plan (sends nothing)
/// · Esc close").
pub fn hint_rows(table: &[Binding], width: usize) -> Vec<String> {
    join_in_rows(&hint_pieces(table), width)
}

/// `pieces` joined with " · " in rows of at most `width` cells, a row broken only between two
/// pieces (a piece wider than a row has one to itself).
pub fn join_in_rows(pieces: &[String], width: usize) -> Vec<String> {
    let mut rows: Vec<String> = Vec::new();
    for piece in pieces {
        match rows.last_mut() {
            Some(row) if crate::width::of(row) + 3 + crate::width::of(piece) <= width => {
                row.push_str(" · ");
                row.push_str(piece);
            }
            _ => rows.push(piece.clone()),
        }
    }
    rows
}

fn hint_pieces(table: &[Binding]) -> Vec<String> {
    table
        .iter()
        .filter(|b| b.footer && !matches!(b.action, Action::Help | Action::Quit))
        .map(|b| format!("{} {}", b.label, b.help))
        .collect()
}

/// The footer line for a place's table at `width` columns: its hints in table order as far as
/// they fit, and always how to get help and how to quit at the end (`q`, or Ctrl-C where a
/// field takes q as typing).
pub fn footer(table: &[Binding], width: usize) -> String {
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
