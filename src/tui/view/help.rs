//! The help overlay: the keys of the current place, from the key table itself.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use ratatui::widgets::{Paragraph, Wrap};

use super::popup::{frame_popup, wrapped_height};
use crate::engine::NextKey;
use crate::tui::app::{App, bindings};
use crate::tui::keys::Place;

/// What the table's columns and marks mean, shown with the table's keys.
const LEGEND: [(&str, &str); 12] = [
    (
        "REG LEFT 9/10",
        "register attempts left in the budget window",
    ),
    ("STATUS !", "health LIMITED: sending limited; Enter: why"),
    ("STATUS ✗", "health BLOCKED: the number cannot send"),
    (
        "stale 14:05",
        "the last read failed; values as read at 14:05",
    ),
    (
        "coexist",
        "PLATFORM: the number is also used in the WhatsApp Business app (coexistence); Meta refuses register and deregister for it",
    ),
    ("STORAGE GB", "local storage on, in that region; off: none"),
    ("STORAGE ·", "storage not read yet (Enter reads it)"),
    ("⋯ / ✗", "being read / the read failed (Enter: why)"),
    (
        "failed ×3",
        "each of the read's 3 tries failed (Enter: why)",
    ),
    (
        "Acme Supp…",
        "cut to fit: a wider terminal or Enter shows it",
    ),
    ("—", "Meta gave no value"),
    ("● label", "marked for a bulk action (Space)"),
];

/// What each of the NEXT column's words asks of a person, in the order the steps win in (the
/// order `s` sorts NEXT by). The words are the table's own (`fleet::next::shown`); every step
/// has a line here, or this does not compile.
fn next_meaning(step: NextKey) -> &'static str {
    match step {
        NextKey::InProgress => "a change is running on it (here or elsewhere)",
        NextKey::CheckOutcome => "a change's outcome is not known: R reads it",
        NextKey::ManagedElsewhere => "managed in the WhatsApp Business app instead",
        NextKey::Explain => "a status wareg cannot change: Enter says why",
        NextKey::WaitLock => "Meta's 133016 lock: wait until it ends",
        NextKey::WaitThrottle => "Meta throttles the calls: wait until it ends",
        NextKey::FreeNumber => "in use by a WhatsApp account: Enter says how",
        NextKey::EditName => "the display name is refused: request one (n)",
        NextKey::WaitReview => "a new name is in Meta's review: wait for it",
        NextKey::Verify => "ownership not verified: verify it (v)",
        NextKey::Register => "verified, not registered: register it (r)",
        NextKey::Reregister => "re-register (r) to apply the approved name",
        NextKey::FixHealth => "Meta limits or blocks sending: Enter says why",
        NextKey::None => "nothing waits (or not read yet: R reads it)",
    }
}

const WIDTH: u16 = 64;

/// The help's lines for a place: its keys, then (for the table) the legend.
fn lines(app: &App, place: Place) -> Vec<Line<'static>> {
    let legend: &[(&str, &str)] = if place == Place::Table { &LEGEND } else { &[] };
    let mut lines: Vec<Line> = bindings(place)
        .iter()
        .map(|b| {
            Line::from(vec![
                Span::styled(format!("  {:<14}", b.label), app.theme.accent()),
                Span::raw(b.help),
            ])
        })
        .collect();
    lines.push(Line::from(vec![
        Span::styled(format!("  {:<14}", "Ctrl-C"), app.theme.accent()),
        Span::raw("quit at once, from anywhere"),
    ]));
    if !legend.is_empty() {
        // A meaning that wraps continues under itself, not under the mark.
        let entry = |mark: &str, meaning: &str| {
            super::hanging::hang_at(
                Line::from(vec![
                    Span::styled(format!("  {mark:<14}"), app.theme.warn()),
                    Span::raw(meaning.to_owned()),
                ]),
                WIDTH - 2,
                16,
            )
        };
        lines.push(Line::raw(""));
        lines.push(Line::styled("  What the table shows", app.theme.title()));
        for (mark, meaning) in legend {
            lines.extend(entry(mark, meaning));
        }
        lines.extend(entry(
            "NEXT",
            "what it needs next (Enter says it in full); filter with /next:register, /next:in_review",
        ));
        for step in NextKey::ORDER {
            let words = format!("  {}", crate::fleet::next::shown(step));
            lines.extend(entry(&words, next_meaning(step)));
        }
    }
    lines.push(Line::raw(""));
    let log = app.log_path.as_ref().map_or("no log file".to_owned(), |p| {
        format!("log file: {}", p.display())
    });
    lines.push(Line::styled(format!("  {log}"), app.theme.dim()));
    // Over a form, the way out of the form is Esc there (`q` is not: it would lose what is
    // typed).
    let close = if app.help_over_a_form() {
        "  Esc or ? closes this help; then Esc closes the form."
    } else {
        "  Esc or ? closes this help."
    };
    lines.push(Line::styled(close, app.theme.dim()));
    lines
}

/// How far `lines` can scroll on `screen`: 0 when they fit. The popup keeps clear of the
/// header and the footer (`frame_popup`), and its border takes two more rows.
fn overflow(lines: &[Line], screen: Rect) -> u16 {
    let inner_width = WIDTH.min(screen.width).saturating_sub(2);
    let room = screen.height.saturating_sub(4);
    wrapped_height(lines, inner_width).saturating_sub(room)
}

/// How far the help can scroll on this screen: 0 when it fits.
pub fn max_scroll(app: &App, place: Place) -> u16 {
    overflow(&lines(app, place), Rect::new(0, 0, app.size.0, app.size.1))
}

pub fn overlay(frame: &mut Frame, screen: Rect, app: &App, place: Place, scroll: u16) {
    let lines = lines(app, place);
    let inner_width = WIDTH.min(screen.width).saturating_sub(2);
    let height = wrapped_height(&lines, inner_width) + 2;
    let more = overflow(&lines, screen);
    let title = if more > 0 {
        "Help · Esc closes · j/k scroll"
    } else {
        "Help · Esc closes"
    };
    let inner = frame_popup(frame, screen, &app.theme, title, WIDTH, height);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((scroll.min(more), 0)),
        inner,
    );
}
