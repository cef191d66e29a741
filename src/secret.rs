//! Secrets as types: the two-step PIN, ownership codes and the access token. Their values are
//! zeroized on drop, redacted in `Debug`/`Display`, and only reachable through `expose`, which
//! is called where a request body or header is built and nowhere else.

use std::fmt;
use zeroize::Zeroizing;

/// What every secret shows instead of its value.
pub const REDACTED: &str = "••••••";

/// Why a PIN or code was refused. The message never repeats the input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DigitsError {
    #[error("is empty: enter exactly 6 digits")]
    Empty,
    #[error("must be digits only (0-9): enter exactly 6 digits")]
    NotDigits,
    #[error("has {0} digits: enter exactly 6 digits")]
    WrongLength(usize),
}

/// Checks the shape shared by the two-step PIN and the ownership code: `^[0-9]{6}$`.
fn check_six_digits(value: &str) -> Result<(), DigitsError> {
    if value.is_empty() {
        return Err(DigitsError::Empty);
    }
    if !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(DigitsError::NotDigits);
    }
    match value.len() {
        6 => Ok(()),
        n => Err(DigitsError::WrongLength(n)),
    }
}

macro_rules! six_digit_secret {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq)]
        pub struct $name(Zeroizing<String>);

        impl $name {
            /// Accepts exactly six ASCII digits; surrounding whitespace (a trailing newline from
            /// stdin) is ignored.
            pub fn parse(raw: &str) -> Result<Self, DigitsError> {
                let trimmed = raw.trim();
                check_six_digits(trimmed)?;
                Ok(Self(Zeroizing::new(trimmed.to_owned())))
            }

            /// The digits, for building a request body. Never format this into text.
            pub fn expose(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "({})"), REDACTED)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(REDACTED)
            }
        }
    };
}

six_digit_secret!(
    /// The two-step verification PIN sent to `/register` and `POST /{id}`.
    Pin
);
six_digit_secret!(
    /// The ownership code received by SMS or voice, sent to `/verify_code`.
    VerificationCode
);

/// The Graph API access token.
#[derive(Clone)]
pub struct Token(Zeroizing<String>);

impl Token {
    pub fn new(value: impl Into<String>) -> Self {
        Self(Zeroizing::new(value.into()))
    }

    /// The raw token, for the `Authorization` header only.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.trim().is_empty()
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Token({REDACTED})")
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pin_accepts_exactly_six_digits() {
        assert_eq!(Pin::parse("123456\n").unwrap().expose(), "123456");
        assert_eq!(Pin::parse("12345"), Err(DigitsError::WrongLength(5)));
        assert_eq!(Pin::parse("1234567"), Err(DigitsError::WrongLength(7)));
        assert_eq!(Pin::parse("12a456"), Err(DigitsError::NotDigits));
        assert_eq!(Pin::parse("１２３４５６"), Err(DigitsError::NotDigits));
        assert_eq!(Pin::parse("  "), Err(DigitsError::Empty));
    }

    #[test]
    fn secrets_never_format_their_value() {
        let pin = Pin::parse("987654").unwrap();
        let code = VerificationCode::parse("135790").unwrap();
        let token = Token::new("EAAGsecret");
        for shown in [
            format!("{pin} {pin:?} {pin:#?}"),
            format!("{code} {code:?}"),
            format!("{token} {token:?}"),
        ] {
            assert!(!shown.contains("987654"));
            assert!(!shown.contains("135790"));
            assert!(!shown.contains("EAAGsecret"));
            assert!(shown.contains(REDACTED));
        }
    }

    #[test]
    fn errors_do_not_echo_the_input() {
        let err = Pin::parse("98765").unwrap_err().to_string();
        assert!(!err.contains("98765"), "{err}");
    }
}
