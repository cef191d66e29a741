//! The two-step PIN form.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::form_common::status_lines;
use super::popup::{button_row, field_label, form_popup, masked_slots};
use crate::tui::app::App;
use crate::tui::forms::{Phase, PinForm};

pub fn draw(frame: &mut Frame, screen: Rect, app: &App, form: &PinForm) {
    let theme = &app.theme;
    let editing = !matches!(form.phase, Phase::InFlight { .. });
    let f = |i: usize| editing && form.focus == i;
    let mut lines: Vec<Line<'static>> = vec![
        Line::raw("Sets or changes the two-step verification PIN (POST /{id} with the new PIN)."),
        Line::raw("The old PIN is not needed. The API cannot turn two-step verification off."),
        Line::raw("The next register of this number must use the new PIN."),
        Line::raw(""),
        Line::from(vec![
            field_label(theme, "New PIN", f(0)),
            Span::raw(masked_slots(&form.first, 6)),
        ]),
        Line::from(vec![
            field_label(theme, "Again", f(1)),
            Span::raw(masked_slots(&form.again, 6)),
        ]),
        Line::raw(""),
        button_row(
            theme,
            ("Set PIN", f(2), form.problem().is_none()),
            f(3),
            editing,
        ),
    ];
    // The button row and what is said under it.
    let tail_from = lines.len() - 1;
    lines.extend(status_lines(
        app,
        &form.phase,
        form.problem().as_deref(),
        None,
        "sending…",
    ));
    let tail = lines.len() - tail_from;
    form_popup(
        frame,
        screen,
        app,
        &format!("Two-step PIN {}", form.id),
        78,
        lines,
        tail,
    );
}
