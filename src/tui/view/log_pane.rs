//! The live log pane: newest at the bottom, following the tail unless scrolled back. Entries
//! wrap into rows, and the pane scrolls by rows (`App::log_view` counts them from the bottom),
//! so every step is one row, a page is the pane's height, and the newest row is always whole.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::log_rows::{TIME_WIDTH, entry_rows};
use crate::tui::app::{App, Focus};
use crate::tui::msg::Level;

pub fn pane(frame: &mut Frame, area: Rect, app: &App) {
    let theme = &app.theme;
    let rows = area.height.saturating_sub(2) as usize;
    let width = area.width.saturating_sub(2).max(1) as usize;
    // Walk back from the newest entry until the rows scrolled past and the pane's are there;
    // long entries wrap, so an error's explanation and fbtrace_id stay readable on a narrow
    // terminal. Scrolled back further than the log reaches (after a resize), the oldest rows
    // fill the pane.
    let wanted = app.log_view.from_bottom.saturating_add(rows);
    let mut lines: Vec<Line> = Vec::with_capacity(wanted.min(rows * 4));
    let mut index = app.log.len();
    while index > 0 && lines.len() < wanted {
        index -= 1;
        let Some(entry) = app.log.get(index) else {
            break;
        };
        let style = match entry.level {
            Level::Info => Style::new(),
            Level::Warn => theme.warn(),
            Level::Error => theme.bad(),
        };
        // Newest last: this entry's rows bottom-up, then flipped once at the end.
        for (i, row) in entry_rows(entry, width).into_iter().enumerate().rev() {
            if lines.len() == wanted {
                break;
            }
            let lead = match (i, row.flush) {
                (0, _) => Span::styled(entry.time.format("%H:%M:%S ").to_string(), theme.dim()),
                (_, true) => Span::raw(""),
                (_, false) => Span::raw(" ".repeat(TIME_WIDTH)),
            };
            lines.push(Line::from(vec![lead, Span::styled(row.text, style)]));
        }
    }
    let skip = app
        .log_view
        .from_bottom
        .min(lines.len().saturating_sub(rows));
    let mut lines: Vec<Line> = lines.into_iter().skip(skip).take(rows).collect();
    lines.reverse();
    let mut title = " Log ".to_owned();
    if app.log_view.from_bottom > 0 {
        title = format!(
            " Log · scrolled back {} · G follows the newest ",
            crate::plural::count(app.log_view.from_bottom, "line")
        );
    }
    let mut block = Block::bordered().title(title);
    if app.focus == Focus::Log && app.overlay.is_none() {
        block = block.border_style(theme.focused_border());
    }
    frame.render_widget(Paragraph::new(lines).block(block), area);
}
