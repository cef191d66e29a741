//! The numbers table. Only the rows on screen are built, so a frame costs the same with ten
//! numbers or ten thousand. Columns size to what those rows hold: the phone number is never
//! cut, anything else that must give way ends in `…`, and optional columns leave first.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Row as TableRow, Table, TableState};

use crate::audit::Operation;
use crate::tui::app::{App, Focus, Live, Row, Storage};
use crate::width;

struct Column {
    title: &'static str,
    /// It can be cut down to this many cells (with `…`).
    min: usize,
    /// It never takes more than this many cells, however long its values.
    max: usize,
    /// Left out, in this order (1 first), when the screen is too narrow for every column.
    drop_order: Option<u8>,
}

const NUMBER_COLUMN: usize = 1;

/// A value still being read. Not `…`, which marks a value cut to fit its column.
pub const LOADING: &str = "⋯";

/// What a formatted phone number usually takes: "+86 138 0013 8000".
const PHONE_WIDTH: usize = 17;

/// A label or a name this wide reads well enough; past it, optional columns are worth more.
const COMFORTABLE_TEXT: usize = 16;

/// Cells worth cutting (with `…`) to keep a column rather than leave it out.
const FEW_CUTS: usize = 6;

const COLUMNS: [Column; 9] = [
    Column {
        title: "LABEL",
        min: 8,
        max: 40,
        drop_order: None,
    },
    Column {
        title: "NUMBER",
        min: 6,
        max: usize::MAX,
        drop_order: None,
    },
    Column {
        title: "NAME",
        min: 8,
        max: 30,
        drop_order: Some(2),
    },
    Column {
        title: "STATUS",
        min: 9,
        max: 14,
        drop_order: None,
    },
    Column {
        title: "OWNERSHIP",
        min: 7,
        max: 12,
        drop_order: Some(3),
    },
    Column {
        title: "QUALITY",
        min: 6,
        max: 7,
        drop_order: None,
    },
    Column {
        title: "PLATFORM",
        min: 8,
        max: 9,
        drop_order: Some(1),
    },
    Column {
        title: "STORAGE",
        min: 5,
        max: 10,
        drop_order: None,
    },
    Column {
        title: "REG LEFT",
        min: 5,
        max: 8,
        drop_order: None,
    },
];

/// One cell's text before it is fitted to its column.
#[derive(Clone)]
struct Text {
    text: String,
    style: Style,
}

fn plain(text: impl Into<String>) -> Text {
    Text {
        text: text.into(),
        style: Style::new(),
    }
}

fn styled(text: impl Into<String>, style: Style) -> Text {
    Text {
        text: text.into(),
        style,
    }
}

/// Each column's width for these rows on a table `space` cells wide (inside its border);
/// `None` for a column left out.
/// `keep` is a column that stays whatever the width (the one the table is sorted by: a sort
/// by a column nobody can see reads as no order at all).
fn widths(
    rows: &[Vec<Text>],
    phones: &[usize],
    space: usize,
    keep: Option<usize>,
) -> Vec<Option<usize>> {
    let natural: Vec<usize> = COLUMNS
        .iter()
        .enumerate()
        .map(|(c, col)| {
            let content = if c == NUMBER_COLUMN {
                // Real phone numbers size it whole; a failure's reason in their place gets
                // as much as a phone number takes, and is cut past that.
                let others = rows
                    .iter()
                    .map(|r| width::of(&r[c].text))
                    .max()
                    .unwrap_or(0);
                phones
                    .iter()
                    .copied()
                    .max()
                    .unwrap_or(0)
                    .max(others.min(PHONE_WIDTH))
            } else {
                rows.iter()
                    .map(|r| width::of(&r[c].text))
                    .max()
                    .unwrap_or(0)
            };
            content.max(width::of(col.title)).clamp(col.min, col.max)
        })
        .collect();
    let mut shown: Vec<Option<usize>> = natural.iter().copied().map(Some).collect();
    let total = |shown: &[Option<usize>], of: &dyn Fn(usize, usize) -> usize| {
        let cols: Vec<usize> = shown
            .iter()
            .enumerate()
            .filter_map(|(c, w)| w.map(|w| of(c, w)))
            .collect();
        cols.iter().sum::<usize>() + cols.len().saturating_sub(1)
    };
    // Optional columns leave while the rest would not fit at a comfortable width (long
    // labels and names count as COMFORTABLE_TEXT): better one column less than all cut.
    let comfortable = |c: usize, w: usize| {
        if COLUMNS[c].max > COMFORTABLE_TEXT && c != NUMBER_COLUMN {
            w.min(COMFORTABLE_TEXT)
        } else {
            w
        }
    };
    let mut order: Vec<usize> = (0..COLUMNS.len())
        .filter(|&c| COLUMNS[c].drop_order.is_some() && Some(c) != keep)
        .collect();
    order.sort_by_key(|&c| COLUMNS[c].drop_order);
    for c in order {
        if total(&shown, &comfortable) <= space + FEW_CUTS {
            break;
        }
        shown[c] = None;
    }
    // Then the widest of what may be cut gives a cell at a time until the row fits.
    while total(&shown, &|_, w| w) > space {
        let widest = (0..COLUMNS.len())
            .filter(|&c| c != NUMBER_COLUMN)
            .filter(|&c| shown[c].is_some_and(|w| w > COLUMNS[c].min))
            .max_by_key(|&c| shown[c].map(|w| w - COLUMNS[c].min));
        match widest {
            Some(c) => shown[c] = shown[c].map(|w| w - 1),
            None => break,
        }
    }
    shown
}

pub fn table(frame: &mut Frame, area: Rect, app: &App) {
    let theme = &app.theme;
    let page = area.height.saturating_sub(3) as usize;
    let t = &app.table;
    let end = (t.offset + page).min(t.visible.len());
    let on_screen = &t.visible[t.offset.min(end)..end];
    let texts: Vec<Vec<Text>> = on_screen.iter().map(|&i| cells(app, &t.rows[i])).collect();
    let phones: Vec<usize> = on_screen
        .iter()
        .filter_map(|&i| t.rows[i].known_number())
        .filter_map(|n| n.display_phone_number.as_deref())
        .map(width::of)
        .collect();
    let keep = t.sort.map(|s| s.column.index());
    let widths = widths(&texts, &phones, area.width.saturating_sub(2) as usize, keep);
    let fit = |text: &Text, w: usize| {
        Cell::from(Span::styled(
            width::ellipsize(&text.text, w).into_owned(),
            text.style,
        ))
    };
    let rows: Vec<TableRow> = texts
        .iter()
        .map(|row| {
            TableRow::new(
                row.iter()
                    .zip(&widths)
                    .filter_map(|(text, w)| w.map(|w| fit(text, w))),
            )
        })
        .collect();
    let header = TableRow::new(
        COLUMNS
            .iter()
            .zip(&widths)
            .filter_map(|(col, w)| w.map(|w| fit(&plain(col.title), w))),
    )
    .style(theme.title());

    let mut title = format!(" Numbers ({}", t.visible.len());
    if t.visible.len() != t.rows.len() {
        title.push_str(&format!(" of {}", t.rows.len()));
    }
    title.push(')');
    if let Some(sort) = t.sort {
        title.push_str(&format!(" · sorted by {}", sort.describe()));
    }
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
    let constraints: Vec<Constraint> = widths
        .iter()
        .flatten()
        .map(|&w| Constraint::Length(w as u16))
        .collect();
    let table = Table::new(rows, constraints)
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
            "No numbers: add [[numbers]] or a waba_id to the profile (wareg config init)".to_owned()
        } else if let Err(why) = crate::fleet::filter::Filter::parse(&t.filter) {
            // The grammar's own words: `foo:` is not a column…, `storage:` needs a value…
            format!("The filter is not understood: {why}")
        } else {
            "No number matches the filter (Esc clears it)".to_owned()
        };
        frame.render_widget(Line::styled(text, theme.dim()), inner);
    }
}

fn cells(app: &App, row: &Row) -> Vec<Text> {
    let theme = &app.theme;
    let loading = || styled(LOADING, theme.dim());
    let none = || styled("—", theme.dim());
    let label = if app.marked.contains(&row.id) {
        styled(format!("● {}", row.title()), theme.accent())
    } else {
        plain(row.title())
    };
    let budget = app.budgets.budget(row.id.as_str(), Operation::Register);
    let budget_style = match budget.left() {
        0 => theme.bad(),
        1..=3 => theme.warn(),
        _ => Style::new(),
    };
    let budget_cell = styled(format!("{}/{}", budget.left(), budget.limit), budget_style);
    let storage = match &row.storage {
        Storage::NotRead => styled("·", theme.dim()),
        Storage::Loading => loading(),
        Storage::Known(s) => plain(s.summary()),
        Storage::Failed(_) => styled("✗", theme.bad()),
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
            cells[3] = styled(format!("stale {when}"), theme.bad());
            cells
        }
        Live::Failed(why) => vec![
            label,
            styled(format!("✗ {why}"), theme.bad()),
            none(),
            styled("read failed", theme.bad()),
            none(),
            none(),
            none(),
            storage,
            budget_cell,
        ],
        Live::Loaded(n) => loaded_cells(app, row, n, label, storage, budget_cell),
    }
}

/// The cells of a number as read.
fn loaded_cells(
    app: &App,
    row: &Row,
    n: &crate::graph::PhoneNumber,
    label: Text,
    storage: Text,
    budget_cell: Text,
) -> Vec<Text> {
    let theme = &app.theme;
    let text = |value: Option<String>| value.map_or_else(|| styled("—", theme.dim()), plain);
    vec![
        label,
        text(n.display_phone_number.clone()),
        // A change in progress (here or at another desk) says so where the name stands.
        match app.open_intent_marker(row.id.as_str()) {
            Some((marker, true)) => styled(marker, theme.bad()),
            Some((marker, false)) => styled(marker, theme.warn()),
            None => text(n.verified_name.clone()),
        },
        status_cell(app, n),
        n.code_verification_status.as_ref().map_or_else(
            || text(None),
            |v| styled(v.to_string(), theme.verification(v)),
        ),
        n.quality_rating
            .as_ref()
            .map_or_else(|| text(None), |q| styled(q.to_string(), theme.quality(q))),
        if n.is_on_biz_app == Some(true) {
            // Register and deregister are not allowed for these: say so where it shows.
            styled("coexist", theme.warn())
        } else {
            text(n.platform_type.as_ref().map(|p| p.short().to_owned()))
        },
        storage,
        budget_cell,
    ]
}

/// The status, marked when the number cannot send freely: `CONNECTED !` (health LIMITED) or
/// `CONNECTED ✗` (BLOCKED); the details popup says why.
fn status_cell(app: &App, n: &crate::graph::PhoneNumber) -> Text {
    let theme = &app.theme;
    let Some(status) = &n.status else {
        return styled("—", theme.dim());
    };
    match n.health_mark() {
        Some(mark @ "✗") => styled(format!("{status} {mark}"), theme.bad()),
        Some(mark) => styled(format!("{status} {mark}"), theme.warn()),
        None => styled(status.to_string(), theme.status(status)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(label: &str, phone: &str, name: &str) -> Vec<Text> {
        let mut cells = vec![plain(label), plain(phone), plain(name)];
        cells.extend(
            ["CONNECTED", "NOT_VERIFIED", "GREEN", "cloud", "DE", "10/10"]
                .into_iter()
                .map(plain),
        );
        cells
    }

    fn fit(rows: &[Vec<Text>], space: usize) -> Vec<Option<usize>> {
        let phones: Vec<usize> = rows.iter().map(|r| width::of(&r[1].text)).collect();
        widths(rows, &phones, space, None)
    }

    fn used(widths: &[Option<usize>]) -> usize {
        let shown: Vec<usize> = widths.iter().flatten().copied().collect();
        shown.iter().sum::<usize>() + shown.len() - 1
    }

    #[test]
    fn the_phone_number_is_never_cut_and_the_row_fits() {
        let long = "A label far longer than any column would ever give it room for";
        let rows = vec![row(
            long,
            "+86 138 0013 8000",
            "Acme Holdings International",
        )];
        for space in [58, 78, 118, 198] {
            let w = fit(&rows, space);
            assert_eq!(w[NUMBER_COLUMN], Some(17), "at {space}");
            assert!(used(&w) <= space, "at {space}: {w:?}");
        }
    }

    #[test]
    fn columns_take_what_their_values_need_and_no_more() {
        let rows = vec![row("Support DE", "+49 30 1234 5601", "Acme DE")];
        let w = fit(&rows, 198);
        // LABEL: the header is the widest; nothing is left out at 200 columns.
        assert_eq!(w[0], Some(10));
        assert_eq!(w[NUMBER_COLUMN], Some(16));
        assert!(w.iter().all(Option::is_some), "{w:?}");
        // Long labels are capped, never the whole screen.
        let rows = vec![row(&"x".repeat(150), "+49 30 1234 5601", "Acme DE")];
        assert_eq!(fit(&rows, 198)[0], Some(40));
    }

    #[test]
    fn optional_columns_leave_before_labels_are_cut_to_nothing() {
        let rows = vec![row(
            "Support Germany Berlin",
            "+49 30 1234 5601",
            "Acme Support Germany",
        )];
        let w = fit(&rows, 78);
        assert_eq!(w[6], None, "PLATFORM leaves first: {w:?}");
        assert!(w[0].is_some_and(|w| w >= 8));
        assert!(used(&w) <= 78);
    }

    #[test]
    fn the_column_sorted_by_stays_on_a_narrow_screen() {
        let rows = vec![row(
            "Support Germany Berlin",
            "+49 30 1234 5601",
            "Acme Support Germany",
        )];
        let phones = [16];
        for (column, name) in [(2, "NAME"), (6, "PLATFORM")] {
            assert_eq!(fit(&rows, 78)[column], None, "{name} leaves unsorted");
            let w = widths(&rows, &phones, 78, Some(column));
            assert!(w[column].is_some(), "{name} stays when sorted by: {w:?}");
            assert!(used(&w) <= 78, "{w:?}");
        }
    }
}
