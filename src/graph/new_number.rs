//! What a person types to add a number or change its display name, checked before anything
//! is sent (docs/graph-api-facts.md §9): a country code, the national number (`^[1-9][0-9]{6,14}$`) and a
//! display name of 2 to 75 characters.

use std::fmt;

/// A display name as Meta takes it: 2 to 75 characters, trimmed, nothing a terminal would
/// act on (control, bidi or zero-width characters are refused, not replaced).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

/// The shortest and longest display name Meta accepts.
pub const NAME_MIN: usize = 2;
pub const NAME_MAX: usize = 75;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadInput {
    #[error(
        "the display name must be {NAME_MIN} to {NAME_MAX} characters (it has {0} after trimming)"
    )]
    NameLength(usize),
    #[error(
        "the display name holds a control, bidi or zero-width character: type it again as plain text"
    )]
    NameCharacters,
    #[error("`{0}` is not a country code: 1 to 3 digits, e.g. 44 or +44")]
    CountryCode(String),
    #[error(
        "`{0}` is not a national phone number: 7 to 15 digits, not starting with 0 and without the country code (spaces and dashes are ignored)"
    )]
    Phone(String),
}

impl DisplayName {
    pub fn parse(raw: &str) -> Result<DisplayName, BadInput> {
        let name = raw.trim();
        if !crate::clean::is_clean(name) {
            return Err(BadInput::NameCharacters);
        }
        let length = name.chars().count();
        if !(NAME_MIN..=NAME_MAX).contains(&length) {
            return Err(BadInput::NameLength(length));
        }
        Ok(DisplayName(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DisplayName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A number to add to a WABA: country code, national number and the display name it asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNumber {
    cc: String,
    phone: String,
    name: DisplayName,
}

impl NewNumber {
    pub fn parse(cc: &str, phone: &str, name: &str) -> Result<NewNumber, BadInput> {
        let cc_digits = cc.trim().strip_prefix('+').unwrap_or(cc.trim());
        let cc_ok = (1..=3).contains(&cc_digits.len())
            && cc_digits.bytes().all(|b| b.is_ascii_digit())
            && !cc_digits.starts_with('0');
        if !cc_ok {
            return Err(BadInput::CountryCode(crate::clean::text(cc, 40)));
        }
        let digits: String = phone.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        let phone_ok = (7..=15).contains(&digits.len())
            && digits.bytes().all(|b| b.is_ascii_digit())
            && !digits.starts_with('0');
        if !phone_ok {
            return Err(BadInput::Phone(crate::clean::text(phone, 40)));
        }
        Ok(NewNumber {
            cc: cc_digits.to_owned(),
            phone: digits,
            name: DisplayName::parse(name)?,
        })
    }

    pub fn cc(&self) -> &str {
        &self.cc
    }

    pub fn phone(&self) -> &str {
        &self.phone
    }

    pub fn name(&self) -> &DisplayName {
        &self.name
    }

    /// "+44 7700900123", for messages and the audit trail.
    pub fn words(&self) -> String {
        format!("+{} {}", self.cc, self.phone)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_display_name_is_2_to_75_plain_characters() {
        assert_eq!(DisplayName::parse("  Acme  ").unwrap().as_str(), "Acme");
        assert_eq!(DisplayName::parse("A"), Err(BadInput::NameLength(1)));
        assert!(DisplayName::parse(&"é".repeat(75)).is_ok());
        assert_eq!(
            DisplayName::parse(&"n".repeat(76)),
            Err(BadInput::NameLength(76))
        );
        assert_eq!(
            DisplayName::parse("Acme\u{202e}moc"),
            Err(BadInput::NameCharacters)
        );
        assert_eq!(
            DisplayName::parse("Acme\nCo"),
            Err(BadInput::NameCharacters)
        );
    }

    #[test]
    fn a_new_number_needs_a_country_code_and_a_national_number() {
        let ok = NewNumber::parse("+44", "7700 900-123", "Acme UK").unwrap();
        assert_eq!((ok.cc(), ok.phone()), ("44", "7700900123"));
        assert_eq!(ok.words(), "+44 7700900123");
        for cc in ["", "0", "1234", "4a", "+"] {
            assert!(
                matches!(
                    NewNumber::parse(cc, "7700900123", "Acme"),
                    Err(BadInput::CountryCode(_))
                ),
                "{cc:?}"
            );
        }
        for phone in ["", "123456", "0770090012", "1234567890123456", "77OO900123"] {
            assert!(
                matches!(
                    NewNumber::parse("44", phone, "Acme"),
                    Err(BadInput::Phone(_))
                ),
                "{phone:?}"
            );
        }
        assert!(matches!(
            NewNumber::parse("44", "7700900123", "A"),
            Err(BadInput::NameLength(1))
        ));
    }
}
