//! How the log pane cuts an entry into rows: the pane draws them, and the app counts them to
//! scroll by rows (it never imports the pane, which reads the app).

use super::super::log::LogEntry;

/// "HH:MM:SS " before each entry.
pub const TIME_WIDTH: usize = 9;

/// One drawn row of an entry: its text, and whether it starts at the pane's edge rather than
/// under the entry's text (a URL too long for the text column takes the whole width).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogRow {
    pub text: String,
    pub flush: bool,
}

/// The rows `entry` takes in a pane `width` cells wide inside its border.
pub fn entry_rows(entry: &LogEntry, width: usize) -> Vec<LogRow> {
    wrap(
        &entry.text,
        width.saturating_sub(TIME_WIDTH).max(1),
        width.max(1),
    )
}

/// How many rows `entry` takes in a pane `width` cells wide (what a scroll step counts).
pub fn rows_of(entry: &LogEntry, width: usize) -> usize {
    entry_rows(entry, width).len()
}

/// Splits text into rows of at most `width` characters, at spaces where it can and mid-word
/// only for a word longer than a row (a path, a trace id). A URL is never broken where it
/// could be whole: it starts a row of its own when it does not fit where the line is, and one
/// longer than the text column takes the pane's `full` width, from its edge, so a terminal
/// still sees it as one link; one longer still is broken after a `/`, `?` or `&`.
fn wrap(text: &str, width: usize, full: usize) -> Vec<LogRow> {
    let width = width.max(1);
    let row = |text: String, flush: bool| LogRow { text, flush };
    let mut rows: Vec<LogRow> = Vec::new();
    let mut line = String::new();
    let mut line_len = 0;
    for word in text.split(' ') {
        let mut chars: Vec<char> = word.chars().collect();
        let needed = if line_len == 0 {
            chars.len()
        } else {
            line_len + 1 + chars.len()
        };
        if needed <= width {
            if line_len > 0 {
                line.push(' ');
                line_len += 1;
            }
            line.extend(chars.iter());
            line_len += chars.len();
            continue;
        }
        if line_len > 0 {
            rows.push(row(std::mem::take(&mut line), false));
            line_len = 0;
        }
        if is_url(word) && chars.len() > width {
            // The entry's first row holds its time: the URL starts on the next.
            if rows.is_empty() {
                rows.push(row(String::new(), false));
            }
            rows.extend(url_pieces(word, full).into_iter().map(|p| row(p, true)));
            continue;
        }
        while chars.len() > width {
            rows.push(row(chars.drain(..width).collect(), false));
        }
        line_len = chars.len();
        line.extend(chars);
    }
    if line_len > 0 || rows.is_empty() {
        rows.push(row(line, false));
    }
    rows
}

fn is_url(word: &str) -> bool {
    word.starts_with("https://") || word.starts_with("http://")
}

/// A URL in pieces of at most `width` characters, each ending after a `/`, `?` or `&` where
/// one is in reach (cut anywhere only where none is).
fn url_pieces(url: &str, width: usize) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut rest: Vec<char> = url.chars().collect();
    while rest.len() > width {
        let cut = rest[..width]
            .iter()
            .rposition(|c| matches!(c, '/' | '?' | '&'))
            .map_or(width, |at| at + 1);
        pieces.push(rest.drain(..cut).collect());
    }
    pieces.push(rest.into_iter().collect());
    pieces
}

#[cfg(test)]
mod tests {
    use super::{LogRow, url_pieces, wrap};

    fn texts(rows: &[LogRow]) -> Vec<&str> {
        rows.iter().map(|r| r.text.as_str()).collect()
    }

    #[test]
    fn wraps_at_spaces_and_splits_only_long_words() {
        assert_eq!(
            texts(&wrap("GET /v25.0/1 200 3ms", 12, 20)),
            ["GET /v25.0/1", "200 3ms"]
        );
        assert_eq!(
            texts(&wrap("abcdefghij xy", 4, 8)),
            ["abcd", "efgh", "ij", "xy"]
        );
        assert_eq!(texts(&wrap("", 5, 8)), [""]);
        for row in wrap("a fairly long line of text that must wrap neatly", 10, 14) {
            assert!(row.text.chars().count() <= 10, "{row:?}");
            assert!(!row.flush);
        }
    }

    #[test]
    fn a_url_is_whole_on_a_row_of_its_own_and_takes_the_full_width_when_it_must() {
        let url = "https://business.facebook.com/wa/manage/phone-numbers/?waba_id=102290129340398";
        assert_eq!(url.len(), 78);
        // At 80 columns: 69 cells of text column, 78 of pane.
        let rows = wrap(&format!("Support DE: WhatsApp Manager: {url}"), 69, 78);
        assert_eq!(texts(&rows), ["Support DE: WhatsApp Manager:", url]);
        assert!(rows[1].flush, "from the pane's edge: {rows:?}");
        // Where it fits the text column, it is an ordinary word.
        let rows = wrap(&format!("see {url}"), 100, 109);
        assert_eq!(texts(&rows), [format!("see {url}").as_str()]);
        // Longer than the pane: broken after a separator, never inside a number.
        let long = "https://business.facebook.com/wa/manage/phone-numbers/?business_id=7788990011&waba_id=102290129340398";
        let pieces = url_pieces(long, 78);
        assert_eq!(pieces.concat(), long);
        assert!(
            pieces[0].ends_with('&') || pieces[0].ends_with('?'),
            "{pieces:?}"
        );
        assert!(pieces.iter().all(|p| p.chars().count() <= 78));
    }
}
