//! One field model for every form: the fields it shows now, in order, and a focus index into
//! them. Each field says what kind of keys it takes, which is its place in the key tables.

use super::FormEvent;
use crate::tui::keys::{Action, FieldKind, InputEvent};

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

/// The actions every form takes the same way: Cancel, and moving between its fields. `None`
/// when the action is the focused field's.
pub fn navigate(input: &InputEvent, focus: &mut usize, count: usize) -> Option<FormEvent> {
    match input.action? {
        Action::Cancel => Some(FormEvent::Cancel),
        Action::NextField => {
            *focus = cycle(*focus, count, true);
            Some(FormEvent::None)
        }
        Action::PrevField => {
            *focus = cycle(*focus, count, false);
            Some(FormEvent::None)
        }
        _ => None,
    }
}

/// A button pressed: the submit button submits when nothing is in the way; Cancel cancels.
pub fn press(input: &InputEvent, submit: bool, ready: bool) -> FormEvent {
    match (input.action, submit) {
        (Some(Action::Press), true) if ready => FormEvent::Submit,
        (Some(Action::Press), false) => FormEvent::Cancel,
        _ => FormEvent::None,
    }
}
