//! A masked field for a PIN or a code: digits only, at most `max`, shown as `•`. The buffer is
//! zeroized when cleared or dropped, and nothing but the mask ever leaves it as text.

use std::fmt;
use zeroize::Zeroizing;

use crate::secret::{DigitsError, Pin, VerificationCode};

pub const MASK: char = '•';

#[derive(Clone)]
pub struct SecretField {
    value: Zeroizing<String>,
    max: usize,
    /// The last key was refused (not a digit, or the field is full): the form says why.
    pub refused: Option<&'static str>,
}

impl fmt::Debug for SecretField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretField({} of {})", self.value.len(), self.max)
    }
}

impl SecretField {
    pub fn new(max: usize) -> Self {
        SecretField {
            value: Zeroizing::new(String::with_capacity(max)),
            max,
            refused: None,
        }
    }

    /// Takes a typed character; returns whether it was accepted.
    pub fn push(&mut self, c: char) -> bool {
        self.refused = if !c.is_ascii_digit() {
            Some("digits only")
        } else if self.value.len() >= self.max {
            Some("already complete")
        } else {
            None
        };
        if self.refused.is_none() {
            self.value.push(c);
        }
        self.refused.is_none()
    }

    pub fn pop(&mut self) {
        self.value.pop();
        self.refused = None;
    }

    pub fn clear(&mut self) {
        // Zeroes the bytes before truncating, unlike String::clear.
        zeroize::Zeroize::zeroize(&mut *self.value);
        self.refused = None;
    }

    pub fn len(&self) -> usize {
        self.value.len()
    }

    pub fn is_empty(&self) -> bool {
        self.value.is_empty()
    }

    pub fn is_complete(&self) -> bool {
        self.value.len() == self.max
    }

    /// What is drawn: one mask character per digit.
    pub fn masked(&self) -> String {
        std::iter::repeat_n(MASK, self.value.len()).collect()
    }

    /// Why the content is not yet a valid value, for the inline message.
    pub fn problem(&self) -> Option<String> {
        match Pin::parse(&self.value) {
            Ok(_) => None,
            Err(DigitsError::Empty) => Some(format!("enter {} digits", self.max)),
            // Only digits can be typed here, so a wrong length is all that can be wrong.
            Err(DigitsError::WrongLength(n)) => Some(format!("{n} of {} digits", self.max)),
            Err(e) => Some(format!("{} of {} digits: {}", self.len(), self.max, e)),
        }
    }

    pub fn to_pin(&self) -> Option<Pin> {
        Pin::parse(&self.value).ok()
    }

    pub fn to_code(&self) -> Option<VerificationCode> {
        VerificationCode::parse(&self.value).ok()
    }

    /// Both fields hold the same digits (the PIN form's confirmation).
    pub fn same_as(&self, other: &SecretField) -> bool {
        *self.value == *other.value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_only_digits_up_to_the_limit_and_shows_only_the_mask() {
        let mut field = SecretField::new(6);
        for c in "1a2q3r4d5?6789".chars() {
            field.push(c);
        }
        assert_eq!(field.len(), 6);
        assert_eq!(field.masked(), "••••••");
        assert_eq!(field.to_pin().unwrap().expose(), "123456");
        assert!(!format!("{field:?}").contains("123456"));
        field.clear();
        assert!(field.is_empty());
        assert_eq!(field.problem().unwrap(), "enter 6 digits");
    }
}
