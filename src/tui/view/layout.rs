//! The screen's layout, shared by drawing and by `update` (which needs page sizes).

use ratatui::layout::{Constraint, Layout, Rect};

/// Below this the app only says it needs more room.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 15;

pub struct Areas {
    pub header: Rect,
    pub table: Rect,
    pub log: Rect,
    pub footer: Rect,
}

pub fn too_small(area: Rect) -> bool {
    area.width < MIN_WIDTH || area.height < MIN_HEIGHT
}

/// `log_focus`: the log pane has the keyboard, and takes half the height rather than a third
/// (9 lines instead of 5 at 80x24): it is being read.
pub fn areas(area: Rect, log_focus: bool) -> Areas {
    let share = if log_focus { 2 } else { 3 };
    let log_height = ((area.height.saturating_sub(2)) / share).max(5);
    let [header, table, log, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(4),
        Constraint::Length(log_height),
        Constraint::Length(1),
    ])
    .areas(area);
    Areas {
        header,
        table,
        log,
        footer,
    }
}

fn full(size: (u16, u16)) -> Rect {
    Rect::new(0, 0, size.0, size.1)
}

/// Data rows the table shows (inside its border, under its header row).
pub fn table_rows(size: (u16, u16), log_focus: bool) -> usize {
    areas(full(size), log_focus).table.height.saturating_sub(3) as usize
}

/// Lines the log pane shows inside its border.
pub fn log_rows(size: (u16, u16), log_focus: bool) -> usize {
    areas(full(size), log_focus).log.height.saturating_sub(2) as usize
}

/// Cells of a log line inside the pane's border.
pub fn log_width(size: (u16, u16)) -> usize {
    size.0.saturating_sub(2).max(1) as usize
}

/// A centred rectangle for popups, clamped to the screen.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect::new(
        area.x + (area.width - width) / 2,
        area.y + (area.height - height) / 2,
        width,
        height,
    )
}
