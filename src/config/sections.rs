//! Where the `[[numbers]]` entries are in the config's text, found with the lexer the TOML
//! crate itself parses with (`toml_parser`): the TUI validates everything else before it takes
//! the terminal and reads a large fleet's entries beside its first frame (issue 28: at 20,000
//! numbers the entries are most of the parse). Each part is then parsed by the real parser, on
//! a copy of the text in which the other part is blanked out (spaces; every newline kept), so
//! spans, lines and columns are the file's own and no second TOML reader exists.
//!
//! The scan only finds lines: a table header is a `[` that starts a line outside any array or
//! inline table. Whenever the text is not plainly that (a header it cannot read, brackets that
//! do not balance), there is no split and the config is parsed whole, as before.

use std::ops::Range;

use toml_parser::Source;
use toml_parser::lexer::{Token, TokenKind};

/// The config's text in two parts of the same length and the same lines.
#[derive(Debug)]
pub(super) struct Split {
    /// Everything but the `[[numbers]]` entries (those lines blank).
    pub head: String,
    /// Only the `[[numbers]]` entries (every other line blank).
    pub numbers: String,
    /// How many `[[numbers]]` entries there are.
    pub count: usize,
}

/// The text's two parts; None when it has no `[[numbers]]` entry, or when the scan is not
/// sure where they are (then it is parsed whole).
pub(super) fn split(text: &str) -> Option<Split> {
    let tokens = Source::new(text).lex().into_vec();
    let mut sections: Vec<Range<usize>> = Vec::new();
    let mut open: Option<usize> = None;
    let mut count = 0;
    // Arrays and inline tables may span lines; a `[` starting a line inside one is a value.
    let mut depth: usize = 0;
    let mut line_start = true;
    let mut i = 0;
    while let Some(token) = tokens.get(i) {
        match token.kind() {
            TokenKind::Newline => line_start = true,
            TokenKind::Whitespace => {}
            TokenKind::LeftSquareBracket if line_start && depth == 0 => {
                let (entry, next) = header(&tokens, text, i)?;
                let line = line_of(text, token.span().start());
                match (entry, open) {
                    (true, None) => open = Some(line),
                    (false, Some(start)) => {
                        sections.push(start..line);
                        open = None;
                    }
                    _ => {}
                }
                count += usize::from(entry);
                line_start = false;
                i = next;
                continue;
            }
            TokenKind::LeftSquareBracket | TokenKind::LeftCurlyBracket => {
                depth += 1;
                line_start = false;
            }
            TokenKind::RightSquareBracket | TokenKind::RightCurlyBracket => {
                depth = depth.checked_sub(1)?;
                line_start = false;
            }
            TokenKind::Eof => break,
            _ => line_start = false,
        }
        i += 1;
    }
    if depth != 0 {
        return None;
    }
    if let Some(start) = open {
        sections.push(start..text.len());
    }
    if sections.is_empty() {
        return None;
    }
    let numbers = blank(text, &complement(&sections, text.len()))?;
    // Entries at the end of the file (the usual layout) are cut off, not blanked: the head's
    // parse does not walk 20,000 lines of spaces.
    let mut head = blank(text, &sections)?;
    if let Some(last) = sections.last().filter(|s| s.end == text.len()) {
        head.truncate(last.start);
    }
    Some(Split {
        head,
        numbers,
        count,
    })
}

/// Reads the table header whose `[` is `tokens[at]`: whether it is exactly `[[numbers]]`, and
/// the index after its last `]`. None: not a header this scan can read.
fn header(tokens: &[Token], text: &str, at: usize) -> Option<(bool, usize)> {
    let adjacent = |i: usize, kind: TokenKind| {
        tokens.get(i).filter(|t| {
            t.kind() == kind
                && tokens
                    .get(i - 1)
                    .is_some_and(|p| p.span().end() == t.span().start())
        })
    };
    let mut i = at + 1;
    let array = adjacent(i, TokenKind::LeftSquareBracket).is_some();
    if array {
        i += 1;
    }
    let skip_space = |mut i: usize| {
        while tokens
            .get(i)
            .is_some_and(|t| t.kind() == TokenKind::Whitespace)
        {
            i += 1;
        }
        i
    };
    let mut keys = 0;
    let mut first_is_numbers = false;
    loop {
        i = skip_space(i);
        let key = tokens.get(i)?;
        match key.kind() {
            TokenKind::Atom | TokenKind::BasicString | TokenKind::LiteralString => {}
            _ => return None,
        }
        if keys == 0 {
            let raw = text.get(key.span().start()..key.span().end())?;
            first_is_numbers = matches!(raw, "numbers" | "\"numbers\"" | "'numbers'");
        }
        keys += 1;
        i = skip_space(i + 1);
        match tokens.get(i)?.kind() {
            TokenKind::Dot => i += 1,
            TokenKind::RightSquareBracket => break,
            _ => return None,
        }
    }
    i += 1;
    if array {
        adjacent(i, TokenKind::RightSquareBracket)?;
        i += 1;
    }
    Some((array && keys == 1 && first_is_numbers, i))
}

/// Where the line holding `offset` starts.
fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .and_then(|before| before.rfind('\n'))
        .map_or(0, |newline| newline + 1)
}

/// The ranges of `0..len` not in `ranges` (sorted, apart).
fn complement(ranges: &[Range<usize>], len: usize) -> Vec<Range<usize>> {
    let mut out = Vec::with_capacity(ranges.len() + 1);
    let mut at = 0;
    for r in ranges {
        if r.start > at {
            out.push(at..r.start);
        }
        at = r.end;
    }
    if at < len {
        out.push(at..len);
    }
    out
}

/// `text` with every byte in `ranges` but newlines made a space. The ranges are whole lines,
/// so no character is cut and the result is text again (None if it were not).
fn blank(text: &str, ranges: &[Range<usize>]) -> Option<String> {
    let mut bytes = text.as_bytes().to_vec();
    for r in ranges {
        for b in bytes.get_mut(r.clone())? {
            if *b != b'\n' {
                *b = b' ';
            }
        }
    }
    String::from_utf8(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(text: &str) -> (String, String, usize) {
        let s = split(text).unwrap();
        assert_eq!(
            s.numbers.len(),
            text.len(),
            "the numbers part keeps every offset"
        );
        assert!(s.head.len() <= text.len());
        (s.head, s.numbers, s.count)
    }

    #[test]
    fn entries_at_the_end_are_cut_from_the_head_and_kept_in_place_in_their_part() {
        let text =
            "[profiles.p]\ntoken_env = \"T\"\n\n[[numbers]]\nid = \"1\"\n[[numbers]]\nid = \"2\"\n";
        let (head, numbers, count) = parts(text);
        assert_eq!(head, "[profiles.p]\ntoken_env = \"T\"\n\n");
        assert_eq!(count, 2);
        assert_eq!(
            numbers,
            "            \n               \n\n[[numbers]]\nid = \"1\"\n[[numbers]]\nid = \"2\"\n"
        );
    }

    #[test]
    fn a_table_after_the_entries_stays_in_the_head_and_ends_the_section() {
        let text =
            "[[numbers]]\nid = \"1\"\n[budget]\nmax_attempts = 5\n[[ \"numbers\" ]]\nid = \"2\"\n";
        let (head, numbers, count) = parts(text);
        assert_eq!(count, 2);
        assert_eq!(head, "           \n        \n[budget]\nmax_attempts = 5\n");
        assert!(numbers.starts_with("[[numbers]]\nid = \"1\"\n        \n"));
        assert!(numbers.ends_with("[[ \"numbers\" ]]\nid = \"2\"\n"));
    }

    #[test]
    fn brackets_inside_strings_and_multi_line_arrays_are_not_headers() {
        let text = concat!(
            "[profiles.p]\n",
            "token_command = [\n",
            "[\"nested\"],\n",
            "\"[[numbers]]\",\n",
            "]\n",
            "pin_command = [\"\"\"\n[[numbers]]\n\"\"\"]\n",
            "[[numbers]]\n",
            "id = \"1\"\n",
        );
        let (head, _, count) = parts(text);
        assert_eq!(count, 1);
        assert!(head.contains("\"[[numbers]]\""), "{head}");
        assert!(head.contains("\"\"\"\n[[numbers]]\n\"\"\""), "{head}");
        assert!(!head.contains("id = \"1\""), "{head}");
    }

    #[test]
    fn what_the_scan_cannot_read_is_not_split() {
        for text in [
            // No entry at all.
            "[profiles.p]\ntoken_env = \"T\"\n",
            // Brackets that do not balance: the parser says where.
            "[profiles.p]\nx = [\n[[numbers]]\nid = \"1\"\n",
            "x = ]\n[[numbers]]\nid = \"1\"\n",
            // A header it cannot read.
            "[ [numbers] ]\nid = \"1\"\n",
            "[[numbers]\nid = \"1\"\n",
        ] {
            assert!(split(text).is_none(), "{text:?}");
        }
    }

    #[test]
    fn a_header_that_only_starts_with_numbers_is_not_an_entry() {
        // `[numbers.x]` belongs in the head, where its parse refuses it.
        let text = "[[numbers]]\nid = \"1\"\n[numbers.x]\ny = 1\n";
        let (head, _, count) = parts(text);
        assert_eq!(count, 1);
        assert!(head.ends_with("[numbers.x]\ny = 1\n"), "{head:?}");
    }
}
