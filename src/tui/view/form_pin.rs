//! The two-step PIN form.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::form_common::status_lines;
use super::popup::{button, field_label, form_popup};
use crate::tui::app::App;
use crate::tui::forms::{Phase, PinForm};
use crate::tui::widgets::SecretField;

pub fn draw(frame: &mut Frame, screen: Rect, app: &App, form: &PinForm) {
    let theme = &app.theme;
    let editing = !matches!(form.phase, Phase::InFlight { .. });
    let f = |i: usize| editing && form.focus == i;
    let masked = |field: &SecretField| format!("{}{}", field.masked(), "_".repeat(6 - field.len()));
    let mut lines: Vec<Line<'static>> = vec![
        Line::raw("Sets or changes the two-step verification PIN (POST /{id} with the new PIN)."),
        Line::raw("The old PIN is not needed. The API cannot turn two-step verification off."),
        Line::raw("The next register of this number must use the new PIN."),
        Line::raw(""),
        Line::from(vec![
            field_label(theme, "New PIN", f(0)),
            Span::raw(masked(&form.first)),
        ]),
        Line::from(vec![
            field_label(theme, "Again", f(1)),
            Span::raw(masked(&form.again)),
        ]),
        Line::raw(""),
        Line::from(vec![
            Span::raw("  "),
            button(theme, "Set PIN", f(2), editing && form.problem().is_none()),
            Span::raw("  "),
            button(theme, "Cancel", f(3), editing),
        ]),
    ];
    lines.extend(status_lines(
        app,
        &form.phase,
        form.problem().as_deref(),
        None,
        "sending…",
    ));
    form_popup(
        frame,
        screen,
        app,
        &format!("Two-step PIN {}", form.id),
        78,
        lines,
    );
}
