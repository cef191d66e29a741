//! The details popup: every field of the number, its storage setting, its budget and its
//! latest audit records.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Sparkline;

use super::popup::{form_layout, frame_popup, paragraph, popup_width, wrapped_height};
use crate::audit::{Operation, Phase};
use crate::tui::app::{App, Details, Live, Storage};
use crate::tui::keys::{self, Action, Place};

/// The popup's width, its border included: 76 at 80 columns, wider on a wider screen (long
/// words, like a next step's, wrap less), up to a width that still reads as one popup.
fn popup_cells(screen: Rect) -> u16 {
    screen.width.saturating_sub(20).clamp(76, 100)
}

/// The number's keys, in rows inside the popup under its lines: the footer has room for only
/// some of them at 80 columns (rename and copy were not said there).
fn key_rows(theme: &crate::tui::theme::Theme, width: u16) -> Vec<Line<'static>> {
    let pieces: Vec<String> = crate::tui::app::bindings(Place::Details)
        .iter()
        .filter(|b| {
            matches!(
                b.action,
                Action::OpenForm(_) | Action::Copy | Action::OpenManager
            )
        })
        .map(|b| format!("{} {}", b.label, b.help))
        .collect();
    keys::join_in_rows(&pieces, usize::from(width))
        .into_iter()
        .map(|row| Line::styled(row, theme.dim()))
        .collect()
}

/// A budget's timeline: drawn over the blank cells of body line `line`.
struct Timeline {
    line: usize,
    slices: Vec<u64>,
}

pub fn popup(frame: &mut Frame, screen: Rect, app: &App, details: &Details) {
    let Some((lines, timelines)) = body(app, details, screen) else {
        return;
    };
    let theme = &app.theme;
    let width = popup_cells(screen);
    let inner_width = popup_width(screen, width).saturating_sub(2);
    // Taller than the screen, it scrolls as a form does, and a line says how; the keys stay.
    let keys = key_rows(theme, inner_width);
    let layout = form_layout(screen, width, lines, keys, details.scroll, theme);
    let height = wrapped_height(&layout.lines, inner_width) + 2;
    let inner = frame_popup(
        frame,
        screen,
        theme,
        &format!("Number {}", details.id),
        width,
        height,
    );
    let rows: Vec<(u16, Vec<u64>)> = timelines
        .into_iter()
        .filter_map(|t| Some((layout.row_of(t.line, inner.width)?, t.slices)))
        .collect();
    paragraph(frame, inner, layout.lines);
    for (row, slices) in rows {
        if row >= inner.height {
            continue;
        }
        let area = Rect::new(
            inner.x + NAME_WIDTH as u16,
            inner.y + row,
            (TIMELINE_SLICES as u16).min(inner.width.saturating_sub(NAME_WIDTH as u16)),
            1,
        );
        let top = slices.iter().copied().max().unwrap_or(0).max(1);
        frame.render_widget(
            Sparkline::default()
                .data(&slices)
                .max(top)
                .style(theme.accent())
                .bar_set(TIMELINE_BARS),
            area,
        );
    }
}

/// How far the details can scroll on this screen: 0 when they fit.
pub fn max_scroll(app: &App, details: &Details) -> usize {
    let screen = Rect::new(0, 0, app.size.0, app.size.1);
    let width = popup_cells(screen);
    let keys = key_rows(&app.theme, popup_width(screen, width).saturating_sub(2));
    body(app, details, screen).map_or(0, |(lines, _)| {
        form_layout(screen, width, lines, keys, 0, &app.theme).max_scroll
    })
}

/// The popup's lines, each a row of the popup's inside (a value that wraps continues under
/// its value), and where each budget's timeline goes; `None` when the number is gone.
fn body(app: &App, details: &Details, screen: Rect) -> Option<(Vec<Line<'static>>, Vec<Timeline>)> {
    let row = app.table.find(&details.id).map(|i| &app.table.rows[i])?;
    let theme = &app.theme;
    let field = |name: &str, value: String| {
        Line::from(vec![
            Span::styled(format!("{name:<NAME_WIDTH$}"), theme.dim()),
            Span::raw(value),
        ])
    };
    let opt = |v: Option<String>| v.unwrap_or_else(|| "—".into());
    // What it needs next: the NEXT column's words, then the engine's (the step said whole),
    // under the names it may be about. A dash, not a colon: some words hold one ("wait: lock").
    let next = row.next.as_ref().map(|next| {
        let mut words = format!("{} — {}", crate::fleet::next::shown(next.step), next.words);
        if let Some(action) = &next.action {
            words.push_str(&format!(" ({action})"));
        }
        field("next step", words)
    });
    let mut lines = vec![
        field("label", opt(row.label.clone())),
        field("profile", row.profile.to_string()),
    ];

    match &row.live {
        Live::Loading => lines.extend([field("status", "reading…".into())].into_iter().chain(next)),
        Live::Failed(why) => lines.extend(
            [Line::styled(
                match why.tries_words() {
                    // A read tried again says how often before why its last try failed.
                    Some(tries) => format!("read failed {tries}: {why}"),
                    None => format!("read failed: {why}"),
                },
                theme.bad(),
            )]
            .into_iter()
            .chain(next),
        ),
        Live::Loaded(n) => {
            lines.push(field("number", opt(n.display_phone_number.clone())));
            lines.push(field("verified name", opt(n.verified_name.clone())));
            lines.push(field(
                "status",
                opt(n.status.as_ref().map(|s| s.to_string())),
            ));
            lines.push(field(
                "ownership",
                opt(n.code_verification_status.as_ref().map(|s| s.to_string())),
            ));
            let pin = n.is_pin_enabled.map(|on| {
                if on {
                    "set: register needs it"
                } else {
                    "not set: register sets it"
                }
                .to_owned()
            });
            lines.push(field("two-step PIN", opt(pin)));
            lines.push(field(
                "quality",
                opt(n.quality_rating.as_ref().map(|s| s.to_string())),
            ));
            lines.push(field(
                "platform",
                opt(n.platform_type.as_ref().map(|s| s.to_string())),
            ));
            lines.push(field(
                "throughput",
                opt(n.throughput.as_ref().and_then(|t| t.level.clone())),
            ));
            let review = if n.name_under_review() {
                " (a name change is under review: register waits for it)"
            } else {
                ""
            };
            lines.push(field(
                "name status",
                format!(
                    "{} / new name {}{review}",
                    opt(n.name_status.clone()),
                    opt(n.new_name_status.clone())
                ),
            ));
            if let Some(asked) = &n.new_display_name {
                lines.push(field(
                    "requested name",
                    format!(
                        "'{asked}': {}",
                        n.new_name_status
                            .as_deref()
                            .map_or("no review state given", review_words)
                    ),
                ));
            }
            if let Some(limit) = n.messaging_limit() {
                lines.push(field("messaging limit", limit.to_owned()));
            }
            lines.extend(next);
            if let Some(health) = &n.health_status {
                lines.push(field("health", opt(health.can_send_message.clone())));
                for reason in health.reasons() {
                    lines.push(Line::styled(format!("    {reason}"), theme.warn()));
                }
            }
            lines.push(field("account mode", opt(n.account_mode.clone())));
            if n.is_on_biz_app == Some(true) {
                lines.push(field(
                    "coexistence",
                    "yes: also in the WhatsApp Business app".into(),
                ));
            }
        }
    }
    let storage = match &row.storage {
        Storage::NotRead | Storage::Loading => "reading…".to_owned(),
        Storage::Known(s) => match s.region() {
            Some(r) => format!("in-country storage in {}", r.words()),
            None => s.summary(),
        },
        Storage::Failed(why) => format!("could not be read: {why}"),
    };
    lines.push(field("local storage", storage));
    // Each budget over its window: a bar per slice of it, drawn once the text is placed.
    let mut timelines = Vec::new();
    for op in [Operation::Register, Operation::Deregister] {
        let b = app.budgets.budget(row.id.as_str(), op);
        let times = app.budgets.attempt_times(row.id.as_str(), op);
        let mut words = format!(
            "{} of {} left ({} in the {} window)",
            b.left(),
            b.limit,
            crate::plural::count(times.len(), "attempt"),
            app.policy.window_words()
        );
        if let Some(until) = b.locked_until {
            words.push_str(&format!(
                "; Meta locked {op} (133016) until about {}",
                crate::clock::words(app.clock.local(until))
            ));
        }
        if let Some(at) = b.next_free {
            words.push_str(&format!(
                "; one frees up {}",
                crate::clock::words(app.clock.local(at))
            ));
        }
        lines.push(field(&format!("{op} budget"), words));
        // The bars are drawn over the blank cells; the words say what the line spans.
        lines.push(Line::from(vec![
            Span::raw(" ".repeat(NAME_WIDTH + TIMELINE_SLICES)),
            Span::styled(
                format!("  {} ago → now", window_span(app.policy.window)),
                theme.dim(),
            ),
        ]));
        timelines.push((
            lines.len() - 1,
            timeline(times, app.policy.window, app.clock.now()),
        ));
    }
    if let Some((marker, abandoned)) = app.open_intent_marker(row.id.as_str()) {
        let style = if abandoned { theme.bad() } else { theme.warn() };
        lines.push(Line::styled(format!("  change: {marker}"), style));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled("Latest audit records", theme.title()));
    if details.recent.is_empty() {
        lines.push(Line::styled("  none", theme.dim()));
    }
    for r in &details.recent {
        let what = match r.phase {
            Phase::Intent => "sending".to_owned(),
            Phase::Outcome => {
                let mut s = r.outcome.map(|o| o.as_str().to_owned()).unwrap_or_default();
                if let Some(code) = r.code {
                    s.push_str(&format!(" {code}"));
                }
                s
            }
        };
        lines.push(Line::raw(format!(
            "  {} {:<11} {what}",
            crate::clock::words(app.clock.local(r.time)),
            r.op.as_str()
        )));
    }
    // A value that wraps continues under its value, not under the field's name; each
    // timeline goes on the drawn line its blank cells begin.
    let width = popup_width(screen, popup_cells(screen)).saturating_sub(2);
    let mut drawn: Vec<Line<'static>> = Vec::new();
    let mut placed = Vec::new();
    for (index, line) in lines.into_iter().enumerate() {
        if let Some((_, slices)) = timelines.iter().find(|(i, _)| *i == index) {
            placed.push(Timeline {
                line: drawn.len(),
                slices: slices.clone(),
            });
        }
        let indented = line
            .spans
            .first()
            .is_some_and(|s| s.content.starts_with(' '));
        drawn.extend(if indented {
            super::hanging::hang(line, width)
        } else {
            super::hanging::hang_at(line, width, NAME_WIDTH)
        });
    }
    Some((drawn, placed))
}

/// The bars of a timeline: a slice with no attempt is a dot, so the window's length shows.
const TIMELINE_BARS: ratatui::symbols::bar::Set = ratatui::symbols::bar::Set {
    empty: "·",
    ..ratatui::symbols::bar::NINE_LEVELS
};

/// How many slices a budget's window is drawn in.
const TIMELINE_SLICES: usize = 24;

/// How long the window is, in words: "7 days", "72 hours".
fn window_span(window: std::time::Duration) -> String {
    let hours = window.as_secs() / 3600;
    if hours.is_multiple_of(24) {
        crate::plural::count(hours as usize / 24, "day")
    } else {
        crate::plural::count(hours as usize, "hour")
    }
}

/// Attempts per slice of the window ending `now`, oldest slice first.
fn timeline(
    times: &[chrono::DateTime<chrono::Utc>],
    window: std::time::Duration,
    now: chrono::DateTime<chrono::Utc>,
) -> Vec<u64> {
    let mut slices = vec![0u64; TIMELINE_SLICES];
    let window = chrono::Duration::from_std(window).unwrap_or(chrono::Duration::days(7));
    let start = now - window;
    let slice = window.num_seconds().max(1) as f64 / TIMELINE_SLICES as f64;
    for t in times.iter().filter(|t| **t > start && **t <= now) {
        let at = ((*t - start).num_seconds() as f64 / slice) as usize;
        slices[at.min(TIMELINE_SLICES - 1)] += 1;
    }
    slices
}

/// A requested name's review state in words: in review, approved (re-register to apply it),
/// declined; any other state as Meta gives it.
fn review_words(state: &str) -> &str {
    match state {
        "PENDING_REVIEW" | "DEFERRED" => "under review (a register waits for it)",
        "APPROVED" => "approved: register it again within 14 days to apply it",
        "DECLINED" | "REJECTED" => "declined by Meta: request another",
        other => other,
    }
}

/// The field names' column, before the values.
const NAME_WIDTH: usize = 18;
