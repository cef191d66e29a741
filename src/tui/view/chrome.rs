//! The header (profile, version, host, requests in flight) and the footer (key hints from the
//! key table).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::tui::app::App;
use crate::tui::keys;

const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

pub fn header(frame: &mut Frame, area: Rect, app: &App) {
    let theme = &app.theme;
    let mut spans = vec![Span::styled(" wareg ", theme.accent())];
    if app.sandbox {
        spans.push(Span::styled(" SANDBOX ", theme.warn()));
    }
    if let Some(p) = app.profile(&app.default_profile) {
        spans.push(Span::raw(format!(
            " profile {} · {} · {} ",
            p.name, p.version, p.host
        )));
    }
    spans.push(Span::styled(
        format!(
            "│ {} ",
            crate::plural::count(app.table.rows.len(), "number")
        ),
        theme.dim(),
    ));
    if let Some(ledger) = &app.ledger_name {
        spans.push(Span::styled(format!("│ {ledger} "), theme.accent()));
    }
    if let Some(throttle) = &app.throttle {
        let minutes = throttle.minutes_left(app.clock.now()).unwrap_or(0);
        spans.push(Span::styled(
            format!("│ THROTTLED by Meta: reads resume in {minutes} min "),
            theme.bad(),
        ));
    } else if let Some(percent) = app.api_usage {
        // Meta's call budget for the WABA: spent by everything on the same app, not just us.
        let style = match percent {
            0..=49 => theme.dim(),
            50..=79 => theme.warn(),
            _ => theme.bad(),
        };
        spans.push(Span::styled(format!("│ API {percent} % "), style));
    }
    if app.busy() {
        let frame_char = SPINNER[app.spinner % SPINNER.len()];
        spans.push(Span::styled(
            format!("│ {frame_char} {} in flight", app.inflight.len()),
            theme.warn(),
        ));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

pub fn footer(frame: &mut Frame, area: Rect, app: &App) {
    let hints = keys::footer(app.bindings(), area.width.saturating_sub(1) as usize);
    frame.render_widget(
        Paragraph::new(Line::styled(format!(" {hints}"), app.theme.dim())),
        area,
    );
}
