//! The numbers table. Only the rows on screen are built, so a frame costs the same with ten
//! numbers or ten thousand. Columns size to what those rows hold: the phone number is never
//! cut, anything else that must give way ends in `…`, and optional columns leave first.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Paragraph, Row as TableRow, Table, TableState, Wrap};

use crate::fleet::{Cell as CellText, Column, Facts, Screen, Tone};
use crate::tui::app::{App, Focus, NumbersTable};
use crate::tui::theme::Theme;
use crate::width;

/// The table's columns, left to right, and where the phone number is among them (it is
/// never cut).
const COLUMNS: [Column; Column::TABLE.len()] = Column::TABLE;

fn number_column() -> usize {
    COLUMNS
        .iter()
        .position(|c| *c == Column::Number)
        .unwrap_or_default()
}

/// What a formatted phone number usually takes: "+86 138 0013 8000".
const PHONE_WIDTH: usize = 17;

/// A label or a name this wide reads well enough; past it, optional columns are worth more.
const COMFORTABLE_TEXT: usize = 16;

/// Cells worth cutting (with `…`) to keep a column rather than leave it out.
const FEW_CUTS: usize = 6;

type Text = CellText;

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
    let number_column = number_column();
    let spec = |c: usize| COLUMNS[c].width().unwrap_or(WIDE);
    let natural: Vec<usize> = COLUMNS
        .iter()
        .enumerate()
        .map(|(c, col)| {
            let content = if c == number_column {
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
            content
                .max(width::of(col.title()))
                .clamp(spec(c).min, spec(c).max)
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
        if spec(c).max > COMFORTABLE_TEXT && c != number_column {
            w.min(COMFORTABLE_TEXT)
        } else {
            w
        }
    };
    // Every column cut as far as it may be (the phone number never is).
    let narrowest = |c: usize, w: usize| {
        if c == number_column {
            w
        } else {
            w.min(spec(c).min)
        }
    };
    let mut order: Vec<usize> = (0..COLUMNS.len())
        .filter(|&c| spec(c).drop_order.is_some() && Some(c) != keep)
        .collect();
    order.sort_by_key(|&c| spec(c).drop_order);
    for c in order {
        // An extra column (the id) stays only where nothing else would be cut for it.
        let fits = match spec(c).drop_order {
            Some(EXTRA) => total(&shown, &|_, w| w) <= space,
            Some(LAST_RESORT) => total(&shown, &narrowest) <= space,
            _ => total(&shown, &comfortable) <= space + FEW_CUTS,
        };
        if fits {
            break;
        }
        shown[c] = None;
    }
    // Then the widest of what may be cut gives a cell at a time until the row fits (a long
    // label first: it has the most to give, and the details show it whole); a column kept to
    // the last (NEXT) gives only when nothing else can, so its words stay whole.
    let cuttable = |shown: &[Option<usize>], c: usize| {
        c != number_column && shown[c].is_some_and(|w| w > spec(c).min)
    };
    while total(&shown, &|_, w| w) > space {
        let widest = |last: bool| {
            (0..COLUMNS.len())
                .filter(|&c| cuttable(&shown, c))
                .filter(|&c| (spec(c).drop_order == Some(LAST_RESORT)) == last)
                .max_by_key(|&c| shown[c].map(|w| w - spec(c).min))
        };
        match widest(false).or_else(|| widest(true)) {
            Some(c) => shown[c] = shown[c].map(|w| w - 1),
            None => break,
        }
    }
    shown
}

/// The rows a table `page` rows tall sizes its columns by: those on screen; while the filter
/// shows none, those on screen before it did (the header stays as it was).
fn sizing_rows(t: &NumbersTable, page: usize) -> &[usize] {
    if t.visible.is_empty() {
        &t.last_on_screen[..page.min(t.last_on_screen.len())]
    } else {
        let end = (t.offset + page).min(t.visible.len());
        &t.visible[t.offset.min(end)..end]
    }
}

/// The cells of the rows `of` (indices into the table's rows) and each column's width, sized
/// by them, on a table `space` cells wide inside its border (`None`: left out).
fn laid_out(app: &App, of: &[usize], space: usize) -> (Vec<Vec<Text>>, Vec<Option<usize>>) {
    let t = &app.table;
    let rows: Vec<&crate::fleet::Row> = of.iter().filter_map(|&i| t.rows.get(i)).collect();
    let texts: Vec<Vec<Text>> = rows.iter().map(|r| cells(app, r)).collect();
    let phones: Vec<usize> = rows
        .iter()
        .filter_map(|r| r.known_number())
        .filter_map(|n| n.display_phone_number.as_deref())
        .map(width::of)
        .collect();
    let keep = t
        .sort
        .and_then(|s| COLUMNS.iter().position(|c| *c == s.column));
    let widths = widths(&texts, &phones, space, keep);
    (texts, widths)
}

/// The columns the table shows as the app is now (its rows on screen, the screen's width, its
/// sort), left to right: what `s` steps through.
pub fn shown_columns(app: &App) -> Vec<Column> {
    let rows = sizing_rows(&app.table, app.table_page());
    let (_, widths) = laid_out(app, rows, app.size.0.saturating_sub(2) as usize);
    COLUMNS
        .iter()
        .zip(&widths)
        .filter_map(|(c, w)| w.map(|_| *c))
        .collect()
}

pub fn table(frame: &mut Frame, area: Rect, app: &App) {
    let theme = &app.theme;
    let page = area.height.saturating_sub(3) as usize;
    let t = &app.table;
    let (texts, widths) = laid_out(
        app,
        sizing_rows(t, page),
        area.width.saturating_sub(2) as usize,
    );
    // Sized by the rows last shown while none is, but only rows that pass are drawn.
    let texts = if t.visible.is_empty() {
        Vec::new()
    } else {
        texts
    };
    let fit = |text: &Text, w: usize| {
        Cell::from(Span::styled(
            width::ellipsize(&text.text, w).into_owned(),
            style(theme, &text.tone),
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
            .filter_map(|(col, w)| w.map(|w| fit(&CellText::plain(header_title(*col, w)), w))),
    )
    .style(theme.title());

    let mut title = format!(" Numbers ({}", t.visible.len());
    if let Some(coming) = app.numbers_coming {
        title = format!(
            " Numbers (reading {} from the config",
            crate::plural::thousands(coming as u64)
        );
    } else if t.visible.len() != t.rows.len() {
        title.push_str(&format!(" of {}", t.rows.len()));
    }
    title.push(')');
    if let Some(sort) = t.sort {
        title.push_str(&format!(" · sorted by {}", sort.describe()));
    }
    if !app.marked.is_empty() {
        // Marks the filter hides still take part in a bulk action: the title counts them.
        let hidden = app.marked.iter().filter(|id| !t.is_shown(id)).count();
        if hidden > 0 {
            title.push_str(&format!(
                " · {} marked, {hidden} hidden by the filter (B bulk)",
                app.marked.len()
            ));
        } else {
            title.push_str(&format!(" · {} marked (B bulk)", app.marked.len()));
        }
    }
    if t.filtering || !t.filter.is_empty() {
        title.push_str(&format!(
            " · filter: {}{}",
            t.filter,
            if t.filtering { "▏" } else { "" }
        ));
    }
    title.push(' ');
    let mut block = Block::bordered()
        .title(title)
        .title_bottom(scrolled_past(t, page));
    if let Some(held) = storage_held(app) {
        block = block.title_bottom(Line::from(held).right_aligned());
    }
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
        // Under the header, as many rows as the table has: the filter's words (the columns it
        // knows) wrap rather than end at the border.
        let inner = Rect::new(
            area.x + 2,
            area.y + 2,
            area.width.saturating_sub(4),
            area.height.saturating_sub(3),
        );
        let text = if let Some(coming) = app.numbers_coming {
            format!(
                "Checking the config's {} [[numbers]] entries…",
                crate::plural::thousands(coming as u64)
            )
        } else if t.rows.is_empty() {
            "No numbers: add [[numbers]] or a waba_id to the profile (wareg config init)".to_owned()
        } else if let Err(why) = crate::fleet::filter::Filter::parse(&t.filter) {
            // The grammar's own words: `foo:` is not a column…, `storage:` needs a value…
            format!("The filter is not understood: {why}")
        } else {
            "No number matches the filter (Esc clears it)".to_owned()
        };
        frame.render_widget(
            Paragraph::new(Line::styled(text, theme.dim())).wrap(Wrap { trim: true }),
            inner,
        );
    }
}

/// A column's title in `cells`: its own, or the text table's shorter one where it does not
/// fit whole ("REG" rather than "REG LE…" at 80 columns).
fn header_title(column: Column, cells: usize) -> &'static str {
    match column.text_width() {
        Some(text)
            if !text.title.is_empty()
                && width::of(column.title()) > cells
                && width::of(text.title) <= cells =>
        {
            text.title
        }
        _ => column.title(),
    }
}

/// " ▲ 3 above · ▼ 4 more below " in the table's bottom border: the rows a page does not
/// show, so a screen shorter than the fleet says there is more (the title's count alone
/// did not); nothing when every row is on screen.
fn scrolled_past(t: &NumbersTable, page: usize) -> String {
    let above = t.offset.min(t.visible.len());
    let below = t.visible.len().saturating_sub(t.offset + page);
    let mut parts = Vec::new();
    if above > 0 {
        parts.push(format!("▲ {above} above"));
    }
    if below > 0 {
        parts.push(format!("▼ {below} more below"));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(" {} ", parts.join(" · "))
    }
}

/// " storage of 16,461 not read (75 % used): F reads it " in the bottom border while the
/// reads nobody asked for are held back at the high-water mark: the log's notice of it is
/// soon pushed out by the listing's lines, and an empty STORAGE cell says nothing of why.
fn storage_held(app: &App) -> Option<String> {
    let at = app.storage_held_at?;
    let unread = app
        .table
        .rows
        .iter()
        .filter(|r| r.configured && r.storage == crate::fleet::Storage::NotRead)
        .count();
    (unread > 0).then(|| {
        format!(
            " storage of {} not read ({at} % used): F reads it ",
            crate::plural::thousands(unread as u64)
        )
    })
}

/// A row's cells as the columns say them, with what only the screen knows (the marks, a
/// change in progress, when a stale value was read).
fn cells(app: &App, row: &crate::fleet::Row) -> Vec<Text> {
    let screen = Screen {
        marked: app.marked.contains(&row.id),
        intent: app.open_intent_marker(row.id.as_str()),
        stale_since: row
            .last_good
            .as_ref()
            .map(|(_, at)| app.clock.local(*at).format("%H:%M").to_string()),
        storage_age: row
            .storage_read_at
            .and_then(|at| crate::audit::storage::age_words(at, app.clock.now())),
    };
    let facts = Facts {
        row,
        budgets: &app.budgets,
        screen: &screen,
    };
    COLUMNS.iter().map(|c| c.cell(&facts)).collect()
}

/// The theme's style for what a cell means.
fn style(theme: &Theme, tone: &Tone) -> Style {
    match tone {
        Tone::Plain => Style::new(),
        Tone::Dim => theme.dim(),
        Tone::Accent => theme.accent(),
        Tone::Warn => theme.warn(),
        Tone::Bad => theme.bad(),
        Tone::Status(s) => theme.status(s),
        Tone::Verification(v) => theme.verification(v),
        Tone::Quality(q) => theme.quality(q),
    }
}

/// The drop order of a column shown only when every column fits whole.
const EXTRA: u8 = crate::fleet::column::EXTRA;

/// The drop order of a column that leaves only when nothing else can give way.
const LAST_RESORT: u8 = crate::fleet::column::LAST_RESORT;

/// A column with no width hints of its own (never in `COLUMNS`).
const WIDE: crate::fleet::column::Width = crate::fleet::column::Width {
    min: 1,
    max: usize::MAX,
    drop_order: None,
};

#[cfg(test)]
mod tests {
    use super::*;

    /// Where the phone number is among the columns.
    const NUMBER_COLUMN: usize = 1;

    fn row(label: &str, phone: &str, name: &str) -> Vec<Text> {
        // A cell for every column, in the table's order, whatever that order is.
        COLUMNS
            .iter()
            .map(|c| {
                CellText::plain(match c {
                    Column::Label => label,
                    Column::Number => phone,
                    Column::Name => name,
                    Column::Status => "CONNECTED",
                    Column::Next => "register",
                    Column::Ownership => "NOT_VERIFIED",
                    Column::Quality => "GREEN",
                    Column::Limit => "TIER_250",
                    Column::Platform => "cloud",
                    Column::Storage => "DE",
                    Column::RegisterLeft => "10/10",
                    Column::Id => "106540352242922",
                    _ => "",
                })
            })
            .collect()
    }

    fn at(column: Column) -> usize {
        COLUMNS.iter().position(|c| *c == column).unwrap()
    }

    #[test]
    fn the_number_column_is_where_the_tests_look_for_it() {
        assert_eq!(number_column(), NUMBER_COLUMN);
        assert_eq!(row("a", "b", "c").len(), COLUMNS.len());
    }

    #[test]
    fn the_id_column_shows_when_there_is_room_and_goes_first_when_narrow() {
        let rows = vec![row("Support DE", "+49 30 1234 5601", "Acme DE")];
        let id = COLUMNS.iter().position(|c| *c == Column::Id).unwrap();
        assert_eq!(fit(&rows, 198)[id], Some(15));
        let narrow = fit(&rows, 100);
        assert_eq!(narrow[id], None, "{narrow:?}");
        let platform = COLUMNS.iter().position(|c| *c == Column::Platform).unwrap();
        assert!(
            narrow[platform].is_some(),
            "the id leaves before PLATFORM: {narrow:?}"
        );
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
        assert_eq!(
            w[at(Column::Platform)],
            None,
            "PLATFORM leaves first: {w:?}"
        );
        assert!(w[0].is_some_and(|w| w >= 8));
        assert!(used(&w) <= 78);
    }

    #[test]
    fn next_stays_at_80_columns_and_a_long_label_gives_way_first() {
        let mut long = row(
            "Shop app (coexistence)",
            "+34 91 123 4567",
            "Acme Shop Coexistence",
        );
        long[at(Column::Next)] = CellText::plain(crate::fleet::next::shown(
            crate::engine::NextKey::ManagedElsewhere,
        ));
        let rows = vec![long, row("Support DE", "+49 30 1234 5601", "Acme DE")];
        let phones = [15, 16];
        // Whatever the table is sorted by, NEXT is there.
        for keep in std::iter::once(None).chain((0..COLUMNS.len()).map(Some)) {
            let w = widths(&rows, &phones, 78, keep);
            assert!(w[at(Column::Next)].is_some(), "sorted by {keep:?}: {w:?}");
            assert!(used(&w) <= 78, "{w:?}");
        }
        let w = fit(&rows, 78);
        let label = w[0].unwrap();
        assert!(
            (8..22).contains(&label),
            "the label is cut, not left out: {w:?}"
        );
        // It gave way: NEXT's words are whole.
        assert_eq!(w[at(Column::Next)], Some(width::of("elsewhere")), "{w:?}");
    }

    /// Each step's words, beside the longest phone number, a long label and a marked
    /// status, are whole at 80 columns: the label gives way for them.
    #[test]
    fn every_next_step_is_whole_at_80_columns() {
        let rows: Vec<Vec<Text>> = crate::engine::NextKey::ORDER
            .iter()
            .map(|step| {
                let mut r = row(
                    "Personal phone Mexico City",
                    "+86 138 0013 8000",
                    "Acme Holdings International",
                );
                r[at(Column::Status)] = CellText::plain("DISCONNECTED !");
                r[at(Column::Next)] = CellText::plain(crate::fleet::next::shown(*step));
                r
            })
            .collect();
        let w = fit(&rows, 78);
        assert_eq!(
            w[at(Column::Next)],
            Some(crate::fleet::next::SHOWN_WIDTH),
            "{w:?}"
        );
        assert!(w[0].is_some_and(|label| label >= 8), "{w:?}");
        assert!(used(&w) <= 78, "{w:?}");
    }

    #[test]
    fn the_column_sorted_by_stays_on_a_narrow_screen() {
        let rows = vec![row(
            "Support Germany Berlin",
            "+49 30 1234 5601",
            "Acme Support Germany",
        )];
        let phones = [16];
        for (column, name) in [
            (at(Column::Name), "NAME"),
            (at(Column::Platform), "PLATFORM"),
        ] {
            assert_eq!(fit(&rows, 78)[column], None, "{name} leaves unsorted");
            let w = widths(&rows, &phones, 78, Some(column));
            assert!(w[column].is_some(), "{name} stays when sorted by: {w:?}");
            assert!(used(&w) <= 78, "{w:?}");
        }
    }
}
