//! What a person types to add a number or change its display name, checked before anything
//! is sent (docs/graph-api-facts.md §9): a country code the ITU has assigned
//! (`country_codes`), the national number (`^[1-9][0-9]{6,14}$`) and a display name of 2 to 75
//! characters.

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
    #[error("`{0}` is not a country code: 1 to 3 digits, e.g. 44 or +44{1}")]
    CountryCode(String, PrefixHint),
    #[error(
        "`{0}` is not a country calling code the ITU has assigned (ITU-T E.164), e.g. 44 for the UK or 1 for the US and Canada{1}"
    )]
    UnassignedCountryCode(String, PrefixHint),
    #[error(
        "`{0}` is not a national phone number: 7 to 15 digits, not starting with 0 and without the country code (spaces and dashes are ignored)"
    )]
    Phone(String),
}

/// What a mistyped country code begins with, when that is an assigned code: "; `1` is one
/// (…): the digits after it belong to the number". Empty when it begins with none.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PrefixHint(String);

impl PrefixHint {
    fn of(digits: &str) -> PrefixHint {
        match super::country_codes::assigned_prefix(digits) {
            Some((code, whose)) => PrefixHint(format!(
                "; `{code}` is one ({whose}): the digits after it belong to the national number"
            )),
            None => PrefixHint::default(),
        }
    }
}

impl fmt::Display for PrefixHint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Which field of a new number a problem is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    CountryCode,
    Phone,
    Name,
}

impl BadInput {
    pub fn part(&self) -> Part {
        match self {
            BadInput::CountryCode(..) | BadInput::UnassignedCountryCode(..) => Part::CountryCode,
            BadInput::Phone(_) => Part::Phone,
            BadInput::NameLength(_) | BadInput::NameCharacters => Part::Name,
        }
    }
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
    /// The number, or the first thing wrong with it (in the fields' order).
    pub fn parse(cc: &str, phone: &str, name: &str) -> Result<NewNumber, BadInput> {
        NewNumber::check(cc, phone, name).map_err(|mut all| all.remove(0))
    }

    /// The number, or everything wrong with it, one problem per field in the fields' order
    /// (never empty), so a person fixes them all at once.
    pub fn check(cc: &str, phone: &str, name: &str) -> Result<NewNumber, Vec<BadInput>> {
        let cc = country_code(cc);
        let phone = national_number(phone);
        let name = DisplayName::parse(name);
        match (cc, phone, name) {
            (Ok(cc), Ok(phone), Ok(name)) => Ok(NewNumber { cc, phone, name }),
            (cc, phone, name) => Err([cc.err(), phone.err(), name.err()]
                .into_iter()
                .flatten()
                .collect()),
        }
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

/// The country code's digits (a leading `+` taken off): 1 to 3 digits the ITU has assigned.
fn country_code(raw: &str) -> Result<String, BadInput> {
    let digits = raw.trim().strip_prefix('+').unwrap_or(raw.trim());
    let numeric = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
    let hint = || {
        if numeric {
            PrefixHint::of(digits)
        } else {
            PrefixHint::default()
        }
    };
    if !numeric || digits.len() > 3 || digits.starts_with('0') {
        return Err(BadInput::CountryCode(crate::clean::text(raw, 40), hint()));
    }
    match digits.parse().ok().and_then(super::country_codes::assigned) {
        Some(_) => Ok(digits.to_owned()),
        None => Err(BadInput::UnassignedCountryCode(digits.to_owned(), hint())),
    }
}

/// The national number's digits (spaces and dashes taken out): 7 to 15, not starting with 0.
fn national_number(raw: &str) -> Result<String, BadInput> {
    let digits: String = raw.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    let ok = (7..=15).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0');
    if ok {
        Ok(digits)
    } else {
        Err(BadInput::Phone(crate::clean::text(raw, 40)))
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
                    Err(BadInput::CountryCode(..))
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

    #[test]
    fn a_country_code_the_itu_has_not_assigned_is_refused_with_what_it_begins_with() {
        let refused = |cc: &str| NewNumber::parse(cc, "7700900123", "Acme").unwrap_err();
        assert_eq!(
            refused("999").to_string(),
            "`999` is not a country calling code the ITU has assigned (ITU-T E.164), e.g. 44 for the UK or 1 for the US and Canada"
        );
        assert!(matches!(
            refused("+210"),
            BadInput::UnassignedCountryCode(..)
        ));
        // A NANP area code typed as part of the country code: the 1 is the code.
        let nanp = refused("126").to_string();
        assert!(
            nanp.ends_with(
                "; `1` is one (North American Numbering Plan (US, Canada, much of the Caribbean)): the digits after it belong to the national number"
            ),
            "{nanp}"
        );
        assert!(
            refused("1264")
                .to_string()
                .starts_with("`1264` is not a country code: 1 to 3 digits")
        );
        assert!(refused("1264").to_string().contains("`1` is one"));
    }

    #[test]
    fn every_field_is_checked_and_each_problem_said() {
        let all = NewNumber::check("999", "0770", "A").unwrap_err();
        assert!(matches!(
            all.as_slice(),
            [
                BadInput::UnassignedCountryCode(..),
                BadInput::Phone(_),
                BadInput::NameLength(1)
            ]
        ));
        assert_eq!(
            NewNumber::check("44", "7700900123", "Acme UK")
                .unwrap()
                .cc(),
            "44"
        );
    }
}
