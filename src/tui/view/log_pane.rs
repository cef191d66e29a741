//! The live log pane: newest at the bottom, following the tail unless scrolled back.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::tui::app::{App, Focus};
use crate::tui::msg::Level;

pub fn pane(frame: &mut Frame, area: Rect, app: &App) {
    let theme = &app.theme;
    let rows = area.height.saturating_sub(2) as usize;
    let end = app.log.len().saturating_sub(app.log_view.from_bottom);
    let start = end.saturating_sub(rows);
    let lines: Vec<Line> = app
        .log
        .window(start, end - start)
        .map(|entry| {
            let style = match entry.level {
                Level::Info => ratatui::style::Style::new(),
                Level::Warn => theme.warn(),
                Level::Error => theme.bad(),
            };
            Line::from(vec![
                Span::styled(entry.time.format("%H:%M:%S ").to_string(), theme.dim()),
                Span::styled(entry.text.as_str(), style),
            ])
        })
        .collect();
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
