//! Text from outside (the Graph API, something pretending to be it, a token command's stderr)
//! is cleaned once, where it is parsed: control characters, DEL, bidi overrides and isolates,
//! zero-width and every other default-ignorable or format character become a visible `�`
//! (shown, not dropped: dropped, "sb" + U+E0101 would print as "sb"), line breaks and tabs
//! become spaces, and the text is capped with an ellipsis. Everything downstream (the terminal,
//! the log, the audit trail, `--json`) can then print what it holds.

mod invisible;

use serde::{Deserialize, Deserializer};

pub use invisible::is_invisible;

/// Names, numbers, enum values: what a table cell or a title shows.
pub const NAME_MAX: usize = 200;
/// Error messages and details.
pub const MESSAGE_MAX: usize = 500;
/// What replaces a character that must not reach a terminal.
pub const PLACEHOLDER: char = '\u{FFFD}';

/// Characters that can move the cursor, change the terminal, reorder text or hide in it:
/// controls, the line and paragraph separators, and every default-ignorable or format
/// character ([`is_invisible`]).
pub fn is_unsafe(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') || is_invisible(c)
}

/// `raw` made safe to print and at most `max` characters long (an ellipsis marks a cut).
pub fn text(raw: &str, max: usize) -> String {
    // Most text (ids, times, operators) is short printable ASCII: nothing to change.
    if raw.len() < max && is_printable_ascii(raw.as_bytes()) {
        return raw.to_owned();
    }
    let mut out = String::with_capacity(raw.len().min(max * 4));
    for (count, c) in raw.chars().enumerate() {
        if count == max {
            out.pop();
            out.push('…');
            return out;
        }
        out.push(match c {
            '\n' | '\r' | '\t' => ' ',
            c if is_unsafe(c) => PLACEHOLDER,
            c => c,
        });
    }
    out
}

/// [`text`] without a cap, borrowed when there is nothing to change: for names that were
/// checked where they were read (the config's) and are cleaned again on the way out anyway.
pub fn uncut(raw: &str) -> std::borrow::Cow<'_, str> {
    if is_clean(raw) {
        std::borrow::Cow::Borrowed(raw)
    } else {
        std::borrow::Cow::Owned(text(raw, raw.chars().count() + 1))
    }
}

/// [`text`] of a string already owned (what serde hands over): kept as it is, not copied,
/// when there is nothing to change. A page of 100 numbers has over a thousand of them.
pub fn owned_text(raw: String, max: usize) -> String {
    if raw.len() < max && is_printable_ascii(raw.as_bytes()) {
        raw
    } else {
        text(&raw, max)
    }
}

/// Every byte printable ASCII (space to `~`). Written without an early exit, a chunk at a
/// time, so that the compiler checks many bytes per instruction: `numbers --json` checks
/// megabytes of it.
fn is_printable_ascii(bytes: &[u8]) -> bool {
    bytes.chunks(64).all(|chunk| {
        chunk
            .iter()
            .fold(true, |plain, &b| plain & (b.wrapping_sub(0x20) < 0x5f))
    })
}

/// Like [`text`], but line breaks are kept (multi-line messages such as config errors).
pub fn lines(raw: &str, max: usize) -> String {
    raw.split('\n')
        .map(|line| text(line, max))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Whether `s` would come out of [`text`] unchanged (below any cap).
pub fn is_clean(s: &str) -> bool {
    !s.chars()
        .any(|c| is_unsafe(c) || matches!(c, '\n' | '\r' | '\t'))
}

/// serde: an optional name-like string, cleaned.
pub fn opt_name<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(Option::<String>::deserialize(d)?.map(|s| owned_text(s, NAME_MAX)))
}

/// serde: a name-like string, cleaned.
pub fn name<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(owned_text(String::deserialize(d)?, NAME_MAX))
}

/// serde: a message, cleaned.
pub fn message<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(owned_text(String::deserialize(d)?, MESSAGE_MAX))
}

/// serde: an optional message, cleaned.
pub fn opt_message<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(Option::<String>::deserialize(d)?.map(|s| owned_text(s, MESSAGE_MAX)))
}

/// JSON for a terminal: serde_json escapes C0 controls only, so anything else that is not
/// plain printable text (C1, bidi, zero-width) is written as a `\uXXXX` escape too.
pub fn json_for_terminal(json: &str) -> std::borrow::Cow<'_, str> {
    // serde_json's output is mostly printable ASCII, which has nothing to escape: it goes out
    // as it is. Lines are checked one by one (a line break is kept as it is too).
    if json
        .split('\n')
        .all(|line| is_printable_ascii(line.as_bytes()))
    {
        return std::borrow::Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if is_unsafe(c) && c != '\n' {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_bidi_zero_width_and_c1_become_visible_placeholders() {
        let hostile = "A\u{1b}]52;c;aGk=\u{7}B\u{9b}31mC\u{202e}D\u{200b}E\u{7f}F\u{2066}G";
        let clean = text(hostile, 100);
        assert!(is_clean(&clean), "{clean:?}");
        assert_eq!(clean.chars().filter(|c| *c == PLACEHOLDER).count(), 7);
        assert!(clean.starts_with('A') && clean.ends_with('G'));
        assert_eq!(text("line\nbreak\ttab", 100), "line break tab");
    }

    #[test]
    fn an_owned_string_is_kept_when_clean_and_cleaned_like_text_otherwise() {
        let plain = String::from("Acme Support DE");
        let at = plain.as_ptr();
        let kept = owned_text(plain, NAME_MAX);
        assert_eq!(
            (kept.as_str(), kept.as_ptr()),
            ("Acme Support DE", at),
            "not copied"
        );
        let hostile = "A\u{1b}]52;c;aGk=\u{7}B\u{202e}D\tE\u{7f}".to_owned();
        assert_eq!(owned_text(hostile.clone(), 100), text(&hostile, 100));
        assert_eq!(owned_text("x".repeat(300), 10), text(&"x".repeat(300), 10));
        // Exactly `max` long goes through `text`, which keeps it whole.
        assert_eq!(owned_text("y".repeat(10), 10), "y".repeat(10));
    }

    #[test]
    fn long_text_is_capped_with_an_ellipsis() {
        let long = "x".repeat(1_000_000);
        let capped = text(&long, NAME_MAX);
        assert_eq!(capped.chars().count(), NAME_MAX);
        assert!(capped.ends_with('…'));
        assert_eq!(text("short", 10), "short");
        assert_eq!(text("exactly10!", 10), "exactly10!");
    }

    #[test]
    fn json_for_a_terminal_escapes_what_serde_leaves_raw() {
        let json =
            serde_json::to_string(&serde_json::json!({"n": "a\u{9b}b\u{202e}c\u{1b}"})).unwrap();
        let safe = json_for_terminal(&json);
        assert!(is_clean(&safe), "{safe}");
        assert!(safe.contains("\\u009b") && safe.contains("\\u202e") && safe.contains("\\u001b"));
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back["n"], "a\u{9b}b\u{202e}c\u{1b}");
    }

    #[test]
    fn plain_ascii_json_goes_out_as_it_is_and_a_raw_del_does_not() {
        let plain = "{\n\"n\":\"Acme \\u001b ok\"}";
        assert!(matches!(
            json_for_terminal(plain),
            std::borrow::Cow::Borrowed(p) if p == plain
        ));
        // serde_json leaves DEL raw; it is a control character, so it is escaped.
        let del = serde_json::to_string(&serde_json::json!({"n": "a\u{7f}b"})).unwrap();
        assert!(del.contains('\u{7f}'));
        assert_eq!(json_for_terminal(&del), "{\"n\":\"a\\u007fb\"}");
    }
}
