//! What must never be repeated from a ledger URL: its password and its user. A server can say
//! anything in its errors (a hostile one echoes the password it was sent), and so can the
//! driver or the migration runner quoting it: every word of theirs goes through
//! [`Secrets::scrub`] before it reaches a message, an error or the log.
//!
//! A server can also echo the password changed: upper-cased, or with zero-width characters
//! between its letters (cleaned, they print as `h�u�n�t�e�r�2`, still readable). What is left
//! after the literal replacements is therefore compared in a folded form (case-folded,
//! invisible, control and separator characters dropped, full-width letters as ASCII): if the
//! folded password is in it, the server's words are withheld whole.

use zeroize::Zeroizing;

/// A password shorter than this cannot be replaced without mangling ordinary words: words that
/// hold it are withheld whole instead.
const SHORTEST_REPLACED: usize = 4;

/// A user name shorter than this is too likely an ordinary word to be replaced.
const SHORTEST_USER: usize = 3;

/// What is said instead of words that still hold the password.
const WITHHELD: &str = "(the server's words are not shown: they could hold the password)";

pub(super) struct Secrets {
    /// The password as sent, and as written in the URL when that differs (percent-encoded).
    passwords: Vec<Zeroizing<String>>,
    user: Option<String>,
}

impl Secrets {
    pub(super) fn of(url: &str, config: &tokio_postgres::Config) -> Secrets {
        let mut passwords = Vec::new();
        if let Some(sent) = config.get_password() {
            passwords.push(Zeroizing::new(String::from_utf8_lossy(sent).into_owned()));
        }
        if let Some(written) = url::Url::parse(url)
            .ok()
            .and_then(|u| u.password().map(str::to_owned))
            .filter(|w| passwords.iter().all(|p| p.as_str() != w))
        {
            passwords.push(Zeroizing::new(written));
        }
        passwords.retain(|p| !p.is_empty());
        Secrets {
            passwords,
            user: config.get_user().map(str::to_owned),
        }
    }

    /// `text` with each password replaced by `[password removed]` and the user by `[user]`;
    /// withheld whole when a password is still in it in another form.
    pub(super) fn scrub(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for password in &self.passwords {
            if password.chars().count() < SHORTEST_REPLACED {
                if out.contains(password.as_str()) {
                    return WITHHELD.into();
                }
            } else {
                out = out.replace(password.as_str(), "[password removed]");
            }
        }
        let folded = Zeroizing::new(fold(&out));
        for password in &self.passwords {
            let password = Zeroizing::new(fold(password));
            if !password.is_empty() && folded.contains(password.as_str()) {
                return WITHHELD.into();
            }
        }
        if let Some(user) = self
            .user
            .as_deref()
            .filter(|u| u.chars().count() >= SHORTEST_USER)
        {
            out = out.replace(user, "[user]");
        }
        out
    }
}

/// `text` as it reads to a person, for comparing: case-folded (upper then lower, so that `ß`
/// and `SS` meet), full-width ASCII as ASCII, and whatever shows nothing or only a gap
/// dropped: controls, invisible and format characters, separators and spaces, and the `�`
/// that a byte which is not UTF-8 (or a cleaned character) becomes.
fn fold(text: &str) -> String {
    text.chars()
        .filter(|c| !crate::clean::is_unsafe(*c) && !c.is_whitespace() && *c != '\u{FFFD}')
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFF01 + 0x21).unwrap_or(c),
            c => c,
        })
        .flat_map(char::to_uppercase)
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secrets(url: &str) -> Secrets {
        Secrets::of(url, &url.parse().unwrap())
    }

    #[test]
    fn the_password_as_sent_and_as_written_and_the_user_are_taken_out() {
        let s = secrets("postgres://desk:p%40ss-word@127.0.0.1/wareg");
        let said = s.scrub("password p@ss-word or p%40ss-word is wrong for desk");
        assert_eq!(
            said,
            "password [password removed] or [password removed] is wrong for [user]"
        );
        let short = secrets("postgres://ab:pw@127.0.0.1/wareg");
        assert!(!short.scrub("you sent pw").contains("pw"));
        assert_eq!(short.scrub("fine words"), "fine words");
    }

    #[test]
    fn a_password_echoed_in_another_case_or_spread_out_withholds_the_words() {
        let s = secrets("postgres://desk-ana:Hunter2-stra%C3%9Fe@127.0.0.1/wareg");
        for echoed in [
            "password HUNTER2-STRASSE is wrong",
            "password h\u{200b}u\u{200b}n\u{200b}t\u{200b}e\u{200b}r\u{200b}2-straße",
            "password hunter2 - stra\u{E0101}ße",
            "password \u{FF48}unter2-STRAßE",
            "password h\u{1b}unter2\u{FFFD}-straße",
        ] {
            assert_eq!(s.scrub(echoed), WITHHELD, "{echoed:?}");
        }
        assert_eq!(
            s.scrub("password authentication failed for user \"desk-ana\""),
            "password authentication failed for user \"[user]\""
        );
    }
}
