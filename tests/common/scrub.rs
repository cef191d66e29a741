//! Hides what changes from run to run in a drawn screen (clock times, dates, durations, trace
//! ids, loopback ports) and keeps the width of what it hides, so borders and columns stay where
//! they were and a snapshot still shows the layout faithfully.

use regex::{Captures, Regex};
use std::sync::LazyLock;

use ratatui::layout::Rect;

static CLOCK: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\b\d{2}:\d{2}:\d{2}\b").unwrap());
static DAY_TIME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun)( \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec))? \d{2}:\d{2}\b").unwrap()
});
static MONTH_DAY_TIME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b\d{2}-\d{2} \d{2}:\d{2}\b").unwrap());
/// An export's file name stamp: 20261124-233000.
static STAMP: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\b\d{8}-\d{6}\b").unwrap());
/// A stale row's "read at" time in the table.
static STALE_AT: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\bstale \d{2}:\d{2}\b").unwrap());
static MILLIS: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\b\d+ms\b").unwrap());
static TRACE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(fbtrace_id:? )([A-Za-z0-9_-]+)").unwrap());
static PORT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(127\.0\.0\.1|localhost):(\d+)").unwrap());

/// The clock column of the log pane: the first 8 cells of each line inside its border.
const CLOCK_MASK: &str = "hh:mm:ss";

/// `screen` is the drawn buffer, one line per row, of a `width` x `height` terminal.
pub fn scrub(screen: &str, width: u16, height: u16) -> String {
    let masked = mask_log_clock_column(screen, width, height);
    let text = CLOCK.replace_all(&masked, CLOCK_MASK);
    let text = DAY_TIME.replace_all(&text, |c: &Captures| same_width(&c[0], '#'));
    let text = MONTH_DAY_TIME.replace_all(&text, |c: &Captures| same_width(&c[0], '#'));
    let text = STALE_AT.replace_all(&text, "stale hh:mm");
    let text = STAMP.replace_all(&text, "yyyymmdd-hhmmss");
    let text = MILLIS.replace_all(&text, |c: &Captures| {
        format!("{}ms", "#".repeat(c[0].len() - 2))
    });
    let text = TRACE.replace_all(&text, |c: &Captures| {
        format!("{}{}", &c[1], "x".repeat(c[2].len()))
    });
    PORT.replace_all(&text, |c: &Captures| {
        format!("{}:{}", &c[1], "#".repeat(c[2].len()))
    })
    .into_owned()
}

/// Each character replaced by `with`, spaces and punctuation kept.
fn same_width(text: &str, with: char) -> String {
    text.chars()
        .map(|c| if c.is_alphanumeric() { with } else { c })
        .collect()
}

/// A popup can cover part of a log line's time and leave a digit or two beside it, where no
/// pattern can recognise a clock; the log pane's place is known from the app's own layout, so
/// a run of clock characters that starts right after its left border, and has the shape of
/// the start of `hh:mm:ss`, is masked cell by cell. Text of a popup that merely lies over the
/// pane does not start there, so it is kept.
fn mask_log_clock_column(screen: &str, width: u16, height: u16) -> String {
    let area = Rect::new(0, 0, width, height);
    if wareg::tui::view::layout::too_small(area) {
        return screen.to_owned();
    }
    // Where the pane is with the table focused (snapshots of the focused log have no popup
    // over it to leave a piece of a clock).
    let log = wareg::tui::view::layout::areas(area, false).log;
    let inside = (log.y + 1)..(log.y + log.height).saturating_sub(1);
    let start = log.x as usize + 1;
    screen
        .lines()
        .enumerate()
        .map(|(row, line)| {
            let mut cells: Vec<char> = line.chars().collect();
            if inside.contains(&(row as u16)) {
                let run = CLOCK_MASK
                    .chars()
                    .enumerate()
                    .take_while(|(i, shape)| {
                        cells.get(start + i).is_some_and(|c| {
                            if *shape == ':' {
                                *c == ':'
                            } else {
                                c.is_ascii_digit()
                            }
                        })
                    })
                    .count();
                for (i, mask) in CLOCK_MASK.chars().take(run).enumerate() {
                    cells[start + i] = mask;
                }
            }
            cells.into_iter().collect::<String>() + "\n"
        })
        .collect()
}
