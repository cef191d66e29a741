//! What must never be repeated from a ledger URL: its password and its user. A server can say
//! anything in its errors (a hostile one echoes the password it was sent), and so can the
//! driver or the migration runner quoting it: every word of theirs goes through
//! [`Secrets::scrub`] before it reaches a message, an error or the log.

use zeroize::Zeroizing;

/// A password shorter than this cannot be replaced without mangling ordinary words: words that
/// hold it are withheld whole instead.
const SHORTEST_REPLACED: usize = 4;

/// A user name shorter than this is too likely an ordinary word to be replaced.
const SHORTEST_USER: usize = 3;

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

    /// `text` with each password replaced by `[password removed]` and the user by `[user]`.
    pub(super) fn scrub(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for password in &self.passwords {
            if password.chars().count() < SHORTEST_REPLACED {
                if out.contains(password.as_str()) {
                    return "(the server's words are not shown: they could hold the password)"
                        .into();
                }
            } else {
                out = out.replace(password.as_str(), "[password removed]");
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
}
