//! The header (profile, version, host, requests in flight) and the footer (key hints from the
//! key table).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{LineGauge, Paragraph};

use crate::tui::app::App;
use crate::tui::keys;

const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/// Never left out of the header.
const KEEP: u8 = u8::MAX;

pub fn header(frame: &mut Frame, area: Rect, app: &App) {
    let theme = &app.theme;
    let plain = ratatui::style::Style::new();
    // The parts in the order shown, each with when it gives way on a narrow screen (0 first):
    // the host goes first, the throttle's countdown never (it says why nothing is read).
    let mut parts: Vec<(u8, String, ratatui::style::Style)> =
        vec![(KEEP, " wareg ".into(), theme.accent())];
    if app.sandbox {
        parts.push((KEEP, " SANDBOX ".into(), theme.warn()));
    }
    if let Some(p) = app.profile(&app.default_profile) {
        parts.push((7, format!(" profile {}", p.name), plain));
        parts.push((2, format!(" · {}", p.version), plain));
        parts.push((0, format!(" · {}", p.host), plain));
        parts.push((7, " ".into(), plain));
    }
    parts.push((
        6,
        format!(
            "│ {} ",
            crate::plural::count(app.numbers_coming.unwrap_or(app.table.rows.len()), "number")
        ),
        theme.dim(),
    ));
    if app.ledger_name.is_some() && app.ledger_silent {
        // It says why nothing is sent: never left out.
        parts.push((KEEP, "│ team ledger not answering ".into(), theme.bad()));
    } else if let Some(ledger) = &app.ledger_name {
        parts.push((5, format!("│ {ledger} "), theme.accent()));
    }
    if let Some(throttle) = &app.throttle {
        let minutes = throttle.minutes_left(app.clock.now()).unwrap_or(0);
        parts.push((KEEP, "│ THROTTLED".into(), theme.bad()));
        parts.push((1, " by Meta".into(), theme.bad()));
        parts.push((
            KEEP,
            format!(": reads resume in {minutes} min "),
            theme.bad(),
        ));
    } else if let Some(percent) = app.api_usage {
        // Meta's call budget for the WABA: spent by everything on the same app, not just us.
        let style = match percent {
            0..=49 => theme.dim(),
            50..=79 => theme.warn(),
            _ => theme.bad(),
        };
        if percent > 50 {
            // Past half, a gauge: drawn over the blank cells once the line is placed.
            parts.push((4, "│ API ".into(), style));
            parts.push((3, GAUGE_CELLS.into(), style));
            parts.push((4, format!(" {percent} % "), style));
        } else {
            parts.push((4, format!("│ API {percent} % "), style));
        }
    }
    if app.busy() {
        let frame_char = SPINNER[app.spinner % SPINNER.len()];
        parts.push((8, format!("│ {frame_char}"), theme.warn()));
        parts.push((
            3,
            format!(" {} in flight", app.inflight.len()),
            theme.warn(),
        ));
    }
    let spans = fitted(parts, usize::from(area.width));
    let gauge_at = spans
        .iter()
        .position(|s| s.content == GAUGE_CELLS)
        .map(|i| spans[..i].iter().map(|s| s.width()).sum::<usize>());
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
    if let (Some(x), Some(percent)) = (gauge_at, app.api_usage) {
        let cells = Rect::new(
            area.x + u16::try_from(x).unwrap_or(u16::MAX),
            area.y,
            GAUGE_CELLS.len() as u16,
            1,
        )
        .intersection(area);
        let style = if percent >= 80 {
            theme.bad()
        } else {
            theme.warn()
        };
        frame.render_widget(
            LineGauge::default()
                .ratio(f64::from(percent.min(100)) / 100.0)
                .label("")
                // Full and empty cells differ without colour too (NO_COLOR).
                .filled_symbol("█")
                .unfilled_symbol("░")
                .filled_style(style)
                .unfilled_style(theme.dim()),
            cells,
        );
    }
}

/// Where the call-budget gauge is drawn in the title: this many blank cells.
const GAUGE_CELLS: &str = "          ";

/// The parts that fit in `width`: those that give way first are left out until the line fits.
fn fitted(mut parts: Vec<(u8, String, ratatui::style::Style)>, width: usize) -> Vec<Span<'static>> {
    let total = |parts: &[(u8, String, ratatui::style::Style)]| -> usize {
        parts
            .iter()
            .map(|(_, text, _)| crate::width::of(text))
            .sum()
    };
    while total(&parts) > width {
        let Some(weakest) = parts
            .iter()
            .enumerate()
            .filter(|(_, (give, _, _))| *give != KEEP)
            .min_by_key(|(_, (give, _, _))| *give)
            .map(|(i, _)| i)
        else {
            break;
        };
        parts.remove(weakest);
    }
    let mut spans: Vec<Span<'static>> = parts
        .into_iter()
        .map(|(_, text, style)| Span::styled(text, style))
        .collect();
    // A separator never ends the line.
    if spans.last().is_some_and(|last| last.content.trim() == "│") {
        spans.pop();
    }
    spans
}

pub fn footer(frame: &mut Frame, area: Rect, app: &App) {
    let hints = keys::footer(app.bindings(), area.width.saturating_sub(1) as usize);
    frame.render_widget(
        Paragraph::new(Line::styled(format!(" {hints}"), app.theme.dim())),
        area,
    );
}
