//! The help overlay: the keys of the current place, from the key table itself.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::popup::{frame_popup, paragraph};
use crate::tui::app::App;
use crate::tui::keys::{Place, bindings};

/// What the table's marks mean, shown with the table's keys.
const LEGEND: [(&str, &str); 4] = [
    ("STATUS !", "health LIMITED: sending limited; Enter: why"),
    ("STATUS ✗", "health BLOCKED: the number cannot send"),
    ("coexist", "coexistence: cannot be (de)registered"),
    ("REG 9/10", "register attempts left in the budget window"),
];

pub fn overlay(frame: &mut Frame, screen: Rect, app: &App, place: Place) {
    let table = bindings(place);
    let legend: &[(&str, &str)] = if place == Place::Table { &LEGEND } else { &[] };
    let extra = if legend.is_empty() {
        0
    } else {
        legend.len() + 1
    };
    let height = (table.len() + extra) as u16 + 8;
    let inner = frame_popup(frame, screen, app, "Help", 60, height);
    let mut lines: Vec<Line> = table
        .iter()
        .map(|b| {
            Line::from(vec![
                Span::styled(format!("  {:<12}", b.label), app.theme.accent()),
                Span::raw(b.help),
            ])
        })
        .collect();
    lines.push(Line::from(vec![
        Span::styled(format!("  {:<12}", "Ctrl-C"), app.theme.accent()),
        Span::raw("quit at once, from anywhere"),
    ]));
    if !legend.is_empty() {
        lines.push(Line::raw(""));
        for (mark, meaning) in legend {
            lines.push(Line::from(vec![
                Span::styled(format!("  {mark:<12}"), app.theme.warn()),
                Span::raw(*meaning),
            ]));
        }
    }
    lines.push(Line::raw(""));
    let log = app.log_path.as_ref().map_or("no log file".to_owned(), |p| {
        format!("log file: {}", p.display())
    });
    lines.push(Line::styled(format!("  {log}"), app.theme.dim()));
    lines.push(Line::styled(
        "  Esc or ? closes this help.",
        app.theme.dim(),
    ));
    paragraph(frame, inner, lines);
}
