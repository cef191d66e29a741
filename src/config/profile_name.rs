//! A profile's name, as a type of its own, from the config through the fleet, bulk runs and
//! the TUI: they carry many strings (ids, labels, words for the log), and a profile name passed
//! where a label belongs should not compile. It is written as the plain string it is.

use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

/// Written as the plain string it is (JSON output, journals).
#[derive(
    Debug,
    Clone,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(transparent)]
pub struct ProfileName(Arc<str>);

impl ProfileName {
    pub fn new(name: impl Into<String>) -> ProfileName {
        ProfileName(name.into().into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Deref for ProfileName {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

/// Maps keyed by name can be asked with a `&str`.
impl Borrow<str> for ProfileName {
    fn borrow(&self) -> &str {
        &self.0
    }
}

/// Cleaned for a terminal: the config refuses a name that needs it, but a name can come from
/// elsewhere (a journal, code), and it is printed in many places.
impl fmt::Display for ProfileName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::clean::uncut(&self.0))
    }
}

impl From<&str> for ProfileName {
    fn from(name: &str) -> Self {
        ProfileName(name.into())
    }
}

impl From<String> for ProfileName {
    fn from(name: String) -> Self {
        ProfileName(name.into())
    }
}

impl PartialEq<str> for ProfileName {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for ProfileName {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}
