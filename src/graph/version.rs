//! Graph API versions (`v25.0`). The version decides how local storage is set (facts §5).

use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ApiVersion {
    pub major: u32,
    pub minor: u32,
}

impl ApiVersion {
    pub const DEFAULT: ApiVersion = ApiVersion {
        major: 25,
        minor: 0,
    };

    /// From v21 the region is set with `POST /{id}/settings` while the number is unregistered;
    /// up to v20 it goes in the register body.
    pub fn storage_via_settings(self) -> bool {
        self.major >= 21
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an API version: write it like \"v25.0\" (v, major, dot, minor)")]
pub struct BadVersion(pub String);

impl FromStr for ApiVersion {
    type Err = BadVersion;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || BadVersion(s.to_owned());
        let rest = s.strip_prefix('v').ok_or_else(bad)?;
        let (major, minor) = rest.split_once('.').ok_or_else(bad)?;
        let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
        if !digits(major) || !digits(minor) {
            return Err(bad());
        }
        Ok(ApiVersion {
            major: major.parse().map_err(|_| bad())?,
            minor: minor.parse().map_err(|_| bad())?,
        })
    }
}

impl fmt::Display for ApiVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v{}.{}", self.major, self.minor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_decides_storage_flow() {
        let v20: ApiVersion = "v20.0".parse().unwrap();
        let v21: ApiVersion = "v21.0".parse().unwrap();
        assert!(!v20.storage_via_settings());
        assert!(v21.storage_via_settings());
        assert_eq!(v21.to_string(), "v21.0");
        for bad in ["25.0", "v25", "v25.", "vx.0", "v25.0.1", ""] {
            assert!(bad.parse::<ApiVersion>().is_err(), "{bad}");
        }
    }
}
