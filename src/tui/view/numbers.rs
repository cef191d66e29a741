//! The numbers table. Only the rows on screen are built, so a frame costs the same with ten
//! numbers or ten thousand.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Row as TableRow, Table, TableState};

use crate::audit::Operation;
use crate::tui::app::{App, Focus, Live, Row, Storage};

struct Column {
    title: &'static str,
    width: Constraint,
    /// Shown only when the terminal is at least this wide.
    min_screen: u16,
}

const COLUMNS: [Column; 9] = [
    Column {
        title: "LABEL",
        width: Constraint::Min(10),
        min_screen: 0,
    },
    Column {
        title: "NUMBER",
        width: Constraint::Length(17),
        min_screen: 0,
    },
    Column {
        title: "NAME",
        width: Constraint::Length(16),
        min_screen: 110,
    },
    Column {
        title: "STATUS",
        width: Constraint::Length(12),
        min_screen: 0,
    },
    Column {
        title: "OWNERSHIP",
        width: Constraint::Length(12),
        min_screen: 0,
    },
    Column {
        title: "QUALITY",
        width: Constraint::Length(7),
        min_screen: 0,
    },
    Column {
        title: "PLATFORM",
        width: Constraint::Length(9),
        min_screen: 120,
    },
    Column {
        title: "STORAGE",
        width: Constraint::Length(7),
        min_screen: 0,
    },
    Column {
        title: "REG",
        width: Constraint::Length(5),
        min_screen: 0,
    },
];

pub fn table(frame: &mut Frame, area: Rect, app: &App) {
    let theme = &app.theme;
    let shown: Vec<usize> = (0..COLUMNS.len())
        .filter(|&i| area.width >= COLUMNS[i].min_screen)
        .collect();
    let page = area.height.saturating_sub(3) as usize;
    let t = &app.table;
    let end = (t.offset + page).min(t.visible.len());
    let rows: Vec<TableRow> = t.visible[t.offset.min(end)..end]
        .iter()
        .map(|&i| {
            let cells = cells(app, &t.rows[i]);
            TableRow::new(shown.iter().map(|&c| cells[c].clone()).collect::<Vec<_>>())
        })
        .collect();
    let header =
        TableRow::new(shown.iter().map(|&c| Cell::from(COLUMNS[c].title))).style(theme.title());

    let mut title = format!(" Numbers ({}", t.visible.len());
    if t.visible.len() != t.rows.len() {
        title.push_str(&format!(" of {}", t.rows.len()));
    }
    title.push(')');
    if !app.marked.is_empty() {
        title.push_str(&format!(" · {} marked (B bulk)", app.marked.len()));
    }
    if t.filtering || !t.filter.is_empty() {
        title.push_str(&format!(
            " · filter: {}{}",
            t.filter,
            if t.filtering { "▏" } else { "" }
        ));
    }
    title.push(' ');
    let mut block = Block::bordered().title(title);
    if app.focus == Focus::Table && app.overlay.is_none() {
        block = block.border_style(theme.focused_border());
    }
    let widths: Vec<Constraint> = shown.iter().map(|&c| COLUMNS[c].width).collect();
    let table = Table::new(rows, widths)
        .header(header)
        .block(block)
        .row_highlight_style(theme.selected())
        .column_spacing(1);
    let mut state = TableState::default();
    if !t.visible.is_empty() {
        state.select(Some(t.selected.saturating_sub(t.offset)));
    }
    frame.render_stateful_widget(table, area, &mut state);
    if t.visible.is_empty() {
        let inner = Rect::new(area.x + 2, area.y + 2, area.width.saturating_sub(4), 1);
        let text = if t.rows.is_empty() {
            "No numbers: add [[numbers]] or a waba_id to the profile (wareg config init)"
        } else {
            "No number matches the filter (Esc clears it)"
        };
        frame.render_widget(Line::styled(text, theme.dim()), inner);
    }
}

fn cells<'a>(app: &App, row: &'a Row) -> Vec<Cell<'a>> {
    let theme = &app.theme;
    let loading = || Cell::from(Span::styled("…", theme.dim()));
    let text = |value: Option<String>| {
        value.map_or_else(|| Cell::from(Span::styled("—", theme.dim())), Cell::from)
    };
    let label = if app.marked.contains(&row.id) {
        Cell::from(Span::styled(format!("● {}", row.title()), theme.accent()))
    } else {
        Cell::from(row.title().to_owned())
    };
    let budget = app.budgets.budget(row.id.as_str(), Operation::Register);
    let budget_style = match budget.left() {
        0 => theme.bad(),
        1..=3 => theme.warn(),
        _ => Style::new(),
    };
    let budget_cell = Cell::from(Span::styled(
        format!("{}/{}", budget.left(), budget.limit),
        budget_style,
    ));
    let storage = match &row.storage {
        Storage::NotRead => Cell::from(Span::styled("·", theme.dim())),
        Storage::Loading => loading(),
        Storage::Known(s) => Cell::from(s.summary()),
        Storage::Failed(_) => Cell::from(Span::styled("✗", theme.bad())),
    };
    match &row.live {
        Live::Loading => vec![
            label,
            loading(),
            loading(),
            loading(),
            loading(),
            loading(),
            loading(),
            storage,
            budget_cell,
        ],
        // A read failed after an earlier one worked: what was known stays, marked stale.
        Live::Failed(_) if row.last_good.is_some() => {
            let (n, at) = row.last_good.as_ref().expect("checked just above");
            let mut cells = loaded_cells(app, row, n, label, storage, budget_cell);
            let when = app.clock.local(*at).format("%H:%M");
            cells[3] = Cell::from(Span::styled(format!("stale {when}"), theme.bad()));
            cells
        }
        Live::Failed(why) => vec![
            label,
            Cell::from(Line::from(Span::styled(format!("✗ {why}"), theme.bad()))),
            text(None),
            Cell::from(Span::styled("read failed", theme.bad())),
            text(None),
            text(None),
            text(None),
            storage,
            budget_cell,
        ],
        Live::Loaded(n) => loaded_cells(app, row, n, label, storage, budget_cell),
    }
}

/// The cells of a number as read.
fn loaded_cells<'a>(
    app: &App,
    row: &Row,
    n: &crate::graph::PhoneNumber,
    label: Cell<'a>,
    storage: Cell<'a>,
    budget_cell: Cell<'a>,
) -> Vec<Cell<'a>> {
    let theme = &app.theme;
    let text = |value: Option<String>| {
        value.map_or_else(|| Cell::from(Span::styled("—", theme.dim())), Cell::from)
    };
    vec![
        label,
        text(n.display_phone_number.clone()),
        // A change in progress (here or at another desk) says so where the name stands.
        match app.open_intent_marker(row.id.as_str()) {
            Some((marker, true)) => Cell::from(Span::styled(marker, theme.bad())),
            Some((marker, false)) => Cell::from(Span::styled(marker, theme.warn())),
            None => text(n.verified_name.clone()),
        },
        status_cell(app, n),
        n.code_verification_status.as_ref().map_or_else(
            || text(None),
            |v| Cell::from(Span::styled(v.to_string(), theme.verification(v))),
        ),
        n.quality_rating.as_ref().map_or_else(
            || text(None),
            |q| Cell::from(Span::styled(q.to_string(), theme.quality(q))),
        ),
        if n.is_on_biz_app == Some(true) {
            // Register and deregister are not allowed for these: say so where it shows.
            Cell::from(Span::styled("coexist", theme.warn()))
        } else {
            text(n.platform_type.as_ref().map(|p| p.short().to_owned()))
        },
        storage,
        budget_cell,
    ]
}

/// The status, marked when the number cannot send freely: `CONNECTED !` (health LIMITED) or
/// `CONNECTED ✗` (BLOCKED); the details popup says why.
fn status_cell<'a>(app: &App, n: &crate::graph::PhoneNumber) -> Cell<'a> {
    let theme = &app.theme;
    let Some(status) = &n.status else {
        return Cell::from(Span::styled("—", theme.dim()));
    };
    match n.health_mark() {
        Some(mark @ "✗") => Cell::from(Span::styled(format!("{status} {mark}"), theme.bad())),
        Some(mark) => Cell::from(Span::styled(format!("{status} {mark}"), theme.warn())),
        None => Cell::from(Span::styled(status.to_string(), theme.status(status))),
    }
}
