//! Wrapping that keeps an indented line's indent: a failure's explanation that runs over the
//! popup's width continues under its own first word, not at the popup's edge.

use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthChar;

/// `line` as rows of at most `width` cells, each continuation indented like the first row,
/// when it starts with spaces and is too wide; otherwise the line as it is (ratatui wraps it).
pub fn hang(line: Line<'static>, width: u16) -> Vec<Line<'static>> {
    let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
    let indent = text.chars().take_while(|c| *c == ' ').count();
    hang_at(line, width, indent)
}

/// `line` as rows of at most `width` cells, each continuation indented by `indent` cells (a
/// value that wraps continues under its value, not under its name); the line as it is when
/// it fits.
pub fn hang_at(line: Line<'static>, width: u16, indent: usize) -> Vec<Line<'static>> {
    let width = usize::from(width);
    if line.width() <= width || indent == 0 || indent * 2 >= width {
        return vec![line];
    }
    let mut rows: Vec<Vec<Span<'static>>> = vec![Vec::new()];
    let mut used = 0;
    for (word, style) in pieces(&line) {
        let cells: usize = word.chars().map(|c| c.width().unwrap_or(0)).sum();
        let blank = word.chars().all(|c| c == ' ');
        if used + cells > width && used > indent {
            if blank {
                continue;
            }
            rows.push(vec![Span::raw(" ".repeat(indent))]);
            used = indent;
        }
        if used == indent && blank && rows.len() > 1 {
            continue;
        }
        // A word longer than a whole row is cut where the row ends.
        let mut rest = word.as_str();
        while used + cells_of(rest) > width && used < width {
            let cut = fit(rest, width - used);
            if cut == 0 {
                break;
            }
            // `rows` starts with one row and only grows.
            if let Some(row) = rows.last_mut() {
                row.push(Span::styled(rest[..cut].to_owned(), style));
            }
            rest = &rest[cut..];
            rows.push(vec![Span::raw(" ".repeat(indent))]);
            used = indent;
        }
        used += cells_of(rest);
        if let Some(row) = rows.last_mut() {
            row.push(Span::styled(rest.to_owned(), style));
        }
    }
    rows.into_iter()
        .map(|mut spans| {
            // A row ends at a word, not at the space before the next row's.
            while spans.len() > 1 && spans.last().is_some_and(|s| s.content.trim().is_empty()) {
                spans.pop();
            }
            Line::from(spans).style(line.style)
        })
        .collect()
}

/// The line's words and the runs of spaces between them, each with its span's style.
fn pieces(line: &Line<'static>) -> Vec<(String, Style)> {
    let mut out: Vec<(String, Style)> = Vec::new();
    for span in &line.spans {
        let mut current = String::new();
        for c in span.content.chars() {
            if !current.is_empty() && (c == ' ') != current.ends_with(' ') {
                out.push((std::mem::take(&mut current), span.style));
            }
            current.push(c);
        }
        if !current.is_empty() {
            out.push((current, span.style));
        }
    }
    out
}

fn cells_of(text: &str) -> usize {
    text.chars().map(|c| c.width().unwrap_or(0)).sum()
}

/// How many bytes of `text` fit in `cells`.
fn fit(text: &str, cells: usize) -> usize {
    let mut used = 0;
    for (i, c) in text.char_indices() {
        used += c.width().unwrap_or(0);
        if used > cells {
            return i;
        }
    }
    text.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(lines: &[Line]) -> Vec<String> {
        lines
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
            .collect()
    }

    #[test]
    fn a_long_indented_line_continues_under_its_indent() {
        let line = Line::from(vec![
            Span::raw("    "),
            Span::raw("Meta says the PIN does not match the two-step PIN of the number"),
        ]);
        let rows = hang(line, 30);
        assert_eq!(
            texts(&rows),
            [
                "    Meta says the PIN does not",
                "    match the two-step PIN of",
                "    the number",
            ]
        );
        assert!(rows.iter().all(|r| r.width() <= 30));
    }

    #[test]
    fn short_or_unindented_lines_are_left_to_the_paragraph() {
        let short = Line::raw("    fits");
        assert_eq!(hang(short.clone(), 30), vec![short]);
        let flush = Line::raw("no indent here, and far too long for the popup's width");
        assert_eq!(hang(flush.clone(), 30), vec![flush]);
    }

    #[test]
    fn a_word_longer_than_a_row_is_cut_and_styles_are_kept() {
        let bold = Style::new().bold();
        let line = Line::from(vec![
            Span::raw("  "),
            Span::styled("trace:", bold),
            Span::raw(" AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"),
        ]);
        let rows = hang(line, 20);
        assert!(rows.iter().all(|r| r.width() <= 20), "{:?}", texts(&rows));
        assert!(texts(&rows).iter().skip(1).all(|r| r.starts_with("  ")));
        assert_eq!(
            texts(&rows).concat().replace(' ', ""),
            "trace:AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"
        );
        assert_eq!(rows[0].spans[1].style, bold);
    }
}
