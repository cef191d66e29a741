//! The live log pane: newest at the bottom, following the tail unless scrolled back.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::tui::app::{App, Focus};
use crate::tui::msg::Level;

pub fn pane(frame: &mut Frame, area: Rect, app: &App) {
    let theme = &app.theme;
    let rows = area.height.saturating_sub(2) as usize;
    let width = area.width.saturating_sub(2).max(1) as usize;
    // Walk back from the newest entry shown until the pane is full; long entries wrap, so an
    // error's explanation and fbtrace_id stay readable on a narrow terminal.
    let end = app.log.len().saturating_sub(app.log_view.from_bottom);
    let mut lines: Vec<Line> = Vec::with_capacity(rows);
    let mut index = end;
    while index > 0 && lines.len() < rows {
        index -= 1;
        let Some(entry) = app.log.get(index) else {
            break;
        };
        let style = match entry.level {
            Level::Info => Style::new(),
            Level::Warn => theme.warn(),
            Level::Error => theme.bad(),
        };
        let pieces = wrap(&entry.text, width.saturating_sub(TIME_WIDTH).max(1));
        let mut entry_lines: Vec<Line> = Vec::with_capacity(pieces.len());
        for (i, piece) in pieces.into_iter().enumerate() {
            let lead = if i == 0 {
                Span::styled(entry.time.format("%H:%M:%S ").to_string(), theme.dim())
            } else {
                Span::raw(" ".repeat(TIME_WIDTH))
            };
            entry_lines.push(Line::from(vec![lead, Span::styled(piece, style)]));
        }
        // Newest last: push this entry's lines bottom-up, then flip once at the end.
        for line in entry_lines.into_iter().rev() {
            if lines.len() < rows {
                lines.push(line);
            }
        }
    }
    lines.reverse();
    let mut title = " Log ".to_owned();
    if app.log_view.from_bottom > 0 {
        title = format!(
            " Log · scrolled back {} · G follows the newest ",
            app.log_view.from_bottom
        );
    }
    let mut block = Block::bordered().title(title);
    if app.focus == Focus::Log && app.overlay.is_none() {
        block = block.border_style(theme.focused_border());
    }
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

/// "HH:MM:SS " before each entry.
const TIME_WIDTH: usize = 9;

/// Splits text into lines of at most `width` characters, at spaces where it can and mid-word
/// only for a word longer than a line (a path, a trace id).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut line_len = 0;
    for word in text.split(' ') {
        let mut word: Vec<char> = word.chars().collect();
        let needed = if line_len == 0 {
            word.len()
        } else {
            line_len + 1 + word.len()
        };
        if needed <= width {
            if line_len > 0 {
                line.push(' ');
                line_len += 1;
            }
            line.extend(word.iter());
            line_len += word.len();
            continue;
        }
        if line_len > 0 {
            lines.push(std::mem::take(&mut line));
        }
        while word.len() > width {
            lines.push(word.drain(..width).collect());
        }
        line_len = word.len();
        line.extend(word);
    }
    lines.push(line);
    lines
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn wraps_at_spaces_and_splits_only_long_words() {
        assert_eq!(
            wrap("GET /v25.0/1 200 3ms", 12),
            ["GET /v25.0/1", "200 3ms"]
        );
        assert_eq!(wrap("abcdefghij xy", 4), ["abcd", "efgh", "ij", "xy"]);
        assert_eq!(wrap("", 5), [""]);
        for line in wrap("a fairly long line of text that must wrap neatly", 10) {
            assert!(line.chars().count() <= 10, "{line}");
        }
    }
}
