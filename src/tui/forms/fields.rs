//! One field model for every form: the fields it shows now, in order, and a focus index into
//! them. Each field says what kind of keys it takes, which is its place in the key tables.

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use super::FormEvent;
use crate::tui::keys::FieldKind;

/// A form's field: what it takes decides the key table (and so the footer) while it has focus.
pub trait Field: Copy + PartialEq {
    fn kind(self) -> FieldKind;
}

/// The focused field; the first when the focus is past the end (a field that went away).
pub fn focused<F: Field>(fields: &[F], focus: usize) -> Option<F> {
    fields.get(focus).or(fields.first()).copied()
}

/// Moves a focus index forward or back over `count` fields, wrapping.
pub fn cycle(focus: usize, count: usize, forward: bool) -> usize {
    let count = count.max(1);
    if forward {
        (focus + 1) % count
    } else {
        (focus + count - 1) % count
    }
}

/// The keys every form reads the same way: Esc cancels, Tab/↓ and Shift-Tab/↑ move between
/// its fields. `None` when the key is the focused field's.
pub fn navigate(key: &KeyEvent, focus: &mut usize, count: usize) -> Option<FormEvent> {
    match key.code {
        KeyCode::Esc => Some(FormEvent::Cancel),
        KeyCode::Tab | KeyCode::Down => {
            *focus = cycle(*focus, count, true);
            Some(FormEvent::None)
        }
        KeyCode::BackTab | KeyCode::Up => {
            *focus = cycle(*focus, count, false);
            Some(FormEvent::None)
        }
        _ => None,
    }
}

/// Enter on a button: the submit button submits when nothing is in the way; Cancel cancels.
pub fn press(key: &KeyEvent, submit: bool, ready: bool) -> FormEvent {
    match (key.code, submit) {
        (KeyCode::Enter, true) if ready => FormEvent::Submit,
        (KeyCode::Enter, false) => FormEvent::Cancel,
        _ => FormEvent::None,
    }
}
