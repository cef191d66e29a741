//! Where the `[[numbers]]` entries are in the config's text, found with the lexer the TOML
//! crate itself parses with (`toml_parser`): the TUI validates everything else before it takes
//! the terminal and a large fleet's entries just after its first frame (issue 28: at 20,000
//! numbers the entries are most of the parse). Both parts are parsed by the real parser: the
//! rest of the file on a copy with the entries' lines blanked (spaces; every newline kept), the
//! entries a run at a time, each run a slice of the file, so that 20,000 of them never stand
//! in memory as one parsed tree and no second TOML reader exists.
//!
//! The scan only finds lines: a table header is a `[` that starts a line outside any array or
//! inline table. Whenever the text is not plainly that (a header it cannot read, brackets that
//! do not balance), there is no split and the config is parsed whole, as before.

use std::iter::Peekable;
use std::ops::Range;

use toml_parser::Source;
use toml_parser::lexer::{Lexer, Token, TokenKind};

/// The config's text in two parts.
#[derive(Debug)]
pub(super) struct Split {
    /// Everything but the `[[numbers]]` entries (their lines blank, or cut off at the end).
    pub head: String,
    /// Each entry's lines in the file: from its header's line to the next header's.
    pub entries: Vec<Range<usize>>,
}

/// The text's two parts; None when it has no `[[numbers]]` entry, or when the scan is not
/// sure where they are (then it is parsed whole).
pub(super) fn split(text: &str) -> Option<Split> {
    let mut tokens = Source::new(text).lex().peekable();
    let mut entries: Vec<Range<usize>> = Vec::new();
    // The entry whose lines are being read: where its header's line starts.
    let mut open: Option<usize> = None;
    // Arrays and inline tables may span lines; a `[` starting a line inside one is a value.
    let mut depth: usize = 0;
    let mut line_start = true;
    while let Some(token) = tokens.next() {
        match token.kind() {
            TokenKind::Newline => line_start = true,
            TokenKind::Whitespace => {}
            TokenKind::LeftSquareBracket if line_start && depth == 0 => {
                let entry = header(&mut tokens, text, token)?;
                let line = line_of(text, token.span().start());
                if let Some(start) = open.take() {
                    entries.push(start..line);
                }
                if entry {
                    open = Some(line);
                }
                line_start = false;
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
    }
    if depth != 0 {
        return None;
    }
    if let Some(start) = open {
        entries.push(start..text.len());
    }
    if entries.is_empty() {
        return None;
    }
    let mut head = blank(text, &entries)?;
    // Entries at the end of the file (the usual layout) are cut off, not blanked: the head's
    // parse does not walk 20,000 lines of spaces.
    let mut cut = text.len();
    for entry in entries.iter().rev() {
        if entry.end != cut {
            break;
        }
        cut = entry.start;
    }
    head.truncate(cut);
    Some(Split { head, entries })
}

/// The entries a run at a time: at most `most` entries whose lines follow each other, as one
/// range of the text (each parses alone as it would in the whole file).
pub(super) fn runs(entries: &[Range<usize>], most: usize) -> Vec<(usize, Range<usize>)> {
    let mut runs: Vec<(usize, Range<usize>)> = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        match runs.last_mut() {
            Some((first, run)) if run.end == entry.start && i - *first < most => {
                run.end = entry.end;
            }
            _ => runs.push((i, entry.clone())),
        }
    }
    runs
}

/// Reads the table header whose `[` is `open`: whether it is exactly `[[numbers]]`. None: not
/// a header this scan can read.
fn header(tokens: &mut Peekable<Lexer<'_>>, text: &str, open: Token) -> Option<bool> {
    let mut last = open;
    let next = |tokens: &mut Peekable<Lexer<'_>>, last: &mut Token| {
        let token = tokens.next()?;
        let adjacent = token.span().start() == last.span().end();
        *last = token;
        Some((token, adjacent))
    };
    let array = tokens.peek().is_some_and(|t| {
        t.kind() == TokenKind::LeftSquareBracket && t.span().start() == open.span().end()
    });
    if array {
        next(tokens, &mut last)?;
    }
    let mut keys = 0;
    let mut first_is_numbers = false;
    loop {
        let (mut key, _) = next(tokens, &mut last)?;
        while key.kind() == TokenKind::Whitespace {
            key = next(tokens, &mut last)?.0;
        }
        match key.kind() {
            TokenKind::Atom | TokenKind::BasicString | TokenKind::LiteralString => {}
            _ => return None,
        }
        if keys == 0 {
            let raw = text.get(key.span().start()..key.span().end())?;
            first_is_numbers = matches!(raw, "numbers" | "\"numbers\"" | "'numbers'");
        }
        keys += 1;
        let (mut after, _) = next(tokens, &mut last)?;
        while after.kind() == TokenKind::Whitespace {
            after = next(tokens, &mut last)?.0;
        }
        match after.kind() {
            TokenKind::Dot => {}
            TokenKind::RightSquareBracket => break,
            _ => return None,
        }
    }
    if array {
        let (close, adjacent) = next(tokens, &mut last)?;
        if close.kind() != TokenKind::RightSquareBracket || !adjacent {
            return None;
        }
    }
    Some(array && keys == 1 && first_is_numbers)
}

/// Where the line holding `offset` starts.
fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .and_then(|before| before.rfind('\n'))
        .map_or(0, |newline| newline + 1)
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

    /// The head, and each entry's text.
    fn parts(text: &str) -> (String, Vec<&str>) {
        let s = split(text).unwrap();
        assert!(s.head.len() <= text.len());
        let entries = s.entries.iter().map(|e| &text[e.clone()]).collect();
        (s.head, entries)
    }

    #[test]
    fn entries_at_the_end_are_cut_from_the_head_and_each_is_its_own_lines() {
        let text = "[profiles.p]\ntoken_env = \"T\"\n\n[[numbers]]\nid = \"1\"\n# two\n[[numbers]]\nid = \"2\"\n";
        let (head, entries) = parts(text);
        assert_eq!(head, "[profiles.p]\ntoken_env = \"T\"\n\n");
        assert_eq!(
            entries,
            [
                "[[numbers]]\nid = \"1\"\n# two\n",
                "[[numbers]]\nid = \"2\"\n"
            ]
        );
    }

    #[test]
    fn a_table_after_the_entries_stays_in_the_head_and_ends_them() {
        let text =
            "[[numbers]]\nid = \"1\"\n[budget]\nmax_attempts = 5\n[[ \"numbers\" ]]\nid = \"2\"\n";
        let (head, entries) = parts(text);
        assert_eq!(head, "           \n        \n[budget]\nmax_attempts = 5\n");
        assert_eq!(
            entries,
            [
                "[[numbers]]\nid = \"1\"\n",
                "[[ \"numbers\" ]]\nid = \"2\"\n"
            ]
        );
    }

    #[test]
    fn runs_are_entries_that_follow_each_other_and_no_longer_than_asked() {
        let text = "[[numbers]]\nid = \"1\"\n[[numbers]]\nid = \"2\"\n[[numbers]]\nid = \"3\"\n[budget]\n[[numbers]]\nid = \"4\"\n";
        let s = split(text).unwrap();
        let runs: Vec<(usize, &str)> = runs(&s.entries, 2)
            .into_iter()
            .map(|(first, r)| (first, &text[r]))
            .collect();
        assert_eq!(
            runs,
            [
                (0, "[[numbers]]\nid = \"1\"\n[[numbers]]\nid = \"2\"\n"),
                (2, "[[numbers]]\nid = \"3\"\n"),
                (3, "[[numbers]]\nid = \"4\"\n"),
            ]
        );
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
        let (head, entries) = parts(text);
        assert_eq!(entries, ["[[numbers]]\nid = \"1\"\n"]);
        assert!(head.contains("\"[[numbers]]\""), "{head}");
        assert!(head.contains("\"\"\"\n[[numbers]]\n\"\"\""), "{head}");
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
            "[[numbers] ]\nid = \"1\"\n",
            "[[numbers\n",
        ] {
            assert!(split(text).is_none(), "{text:?}");
        }
    }

    #[test]
    fn a_header_that_only_starts_with_numbers_is_not_an_entry() {
        // `[numbers.x]` belongs in the head, where its parse refuses it.
        let text = "[[numbers]]\nid = \"1\"\n[numbers.x]\ny = 1\n";
        let (head, entries) = parts(text);
        assert_eq!(entries, ["[[numbers]]\nid = \"1\"\n"]);
        assert!(head.ends_with("[numbers.x]\ny = 1\n"), "{head:?}");
    }
}
