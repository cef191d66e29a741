//! The help overlay: the keys of the current place, from the key table itself.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::popup::{frame_popup, paragraph};
use crate::tui::app::App;
use crate::tui::keys::{Place, bindings};

pub fn overlay(frame: &mut Frame, screen: Rect, app: &App, place: Place) {
    let table = bindings(place);
    let height = table.len() as u16 + 8;
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
