//! Graph API versions (`v25.0`). The version decides how local storage is set (docs/graph-api-facts.md §5).

use chrono::NaiveDate;
use std::fmt;
use std::str::FromStr;

/// A day as year, month, day (a `NaiveDate` cannot be built in a const).
type Ymd = (i32, u32, u32);

/// The Graph versions wareg knows and the day Meta stops serving each (docs/graph-api-facts.md §1, §9): the one table
/// every rule about versions reads. `None`: no date announced yet.
const VERSIONS: &[(u32, Option<Ymd>)] = &[
    (19, Some((2026, 5, 21))),
    (20, Some((2026, 9, 24))),
    (21, Some((2027, 1, 21))),
    (22, Some((2027, 5, 20))),
    (23, Some((2027, 10, 8))),
    (24, Some((2028, 2, 18))),
    (25, Some((2028, 7, 29))),
    (26, None),
    (27, None),
];

/// Where a configured version stands on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VersionStanding {
    Live,
    /// Meta no longer serves it: calls to it are answered as the oldest live version.
    Retired {
        on: Option<NaiveDate>,
        served_as: ApiVersion,
    },
    /// Newer than any wareg knows: planned with the newest rules wareg knows.
    Newer {
        newest_known: ApiVersion,
    },
}

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

    fn major_version(major: u32) -> ApiVersion {
        ApiVersion { major, minor: 0 }
    }

    fn retirement(major: u32) -> Option<Option<NaiveDate>> {
        VERSIONS
            .iter()
            .find(|(m, _)| *m == major)
            .map(|(_, d)| d.and_then(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d)))
    }

    /// The oldest version Meta still serves on `today`.
    pub fn oldest_live(today: NaiveDate) -> ApiVersion {
        VERSIONS
            .iter()
            .find(|(major, _)| {
                ApiVersion::retirement(*major)
                    .flatten()
                    .is_none_or(|until| today < until)
            })
            .map_or(ApiVersion::DEFAULT, |(major, _)| {
                ApiVersion::major_version(*major)
            })
    }

    pub fn standing(self, today: NaiveDate) -> VersionStanding {
        let newest = VERSIONS.last().map_or(25, |(m, _)| *m);
        if self.major > newest {
            return VersionStanding::Newer {
                newest_known: ApiVersion::major_version(newest),
            };
        }
        let served_as = ApiVersion::oldest_live(today);
        match ApiVersion::retirement(self.major) {
            // Older than any in the table: long retired.
            None if self.major < served_as.major => VersionStanding::Retired {
                on: None,
                served_as,
            },
            Some(Some(until)) if today >= until => VersionStanding::Retired {
                on: Some(until),
                served_as,
            },
            _ => VersionStanding::Live,
        }
    }

    /// The version whose rules Meta will apply to a call made with this one on `today`.
    pub fn served(self, today: NaiveDate) -> ApiVersion {
        match self.standing(today) {
            VersionStanding::Retired { served_as, .. } => served_as,
            _ => self,
        }
    }

    /// A sentence for a version that is not simply live, for warnings.
    pub fn warning(self, today: NaiveDate) -> Option<String> {
        match self.standing(today) {
            VersionStanding::Live => None,
            VersionStanding::Retired { on, served_as } => Some(format!(
                "api_version {self} is retired{}: Meta answers it as {served_as}, so wareg plans with {served_as}'s rules{}; set api_version = \"{}\"",
                on.map(|d| format!(" since {d}")).unwrap_or_default(),
                if served_as.storage_via_settings() && !self.storage_via_settings() {
                    " (local storage with /settings, not in the register body)"
                } else {
                    ""
                },
                ApiVersion::DEFAULT
            )),
            VersionStanding::Newer { newest_known } => Some(format!(
                "api_version {self} is newer than wareg knows ({newest_known}); it plans with the newest rules it knows"
            )),
        }
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

    #[test]
    fn retired_versions_are_planned_as_the_oldest_live_one() {
        let day = |s: &str| s.parse::<NaiveDate>().unwrap();
        let v: fn(&str) -> ApiVersion = |s| s.parse().unwrap();
        // Before v20's retirement it is live and plans with the region in the body.
        assert_eq!(v("v20.0").served(day("2026-09-23")), v("v20.0"));
        assert_eq!(v("v20.0").served(day("2026-11-25")), v("v21.0"));
        assert!(v("v20.0").served(day("2026-11-25")).storage_via_settings());
        assert_eq!(v("v0.0").served(day("2026-11-25")), v("v21.0"));
        let warning = v("v20.0").warning(day("2026-11-25")).unwrap();
        assert!(
            warning.contains("retired since 2026-09-24") && warning.contains("/settings"),
            "{warning}"
        );
        assert!(v("v25.0").warning(day("2026-11-25")).is_none());
        // v27.0 came out on Nov 4 2026: known, live, no retirement date yet.
        assert_eq!(
            v("v27.0").standing(day("2026-12-01")),
            VersionStanding::Live
        );
        assert!(v("v28.0").warning(day("2026-12-01")).is_some());
        assert_eq!(v("v99.0").served(day("2026-11-25")), v("v99.0"));
        assert!(
            v("v99.0")
                .warning(day("2026-11-25"))
                .unwrap()
                .contains("newer than wareg knows")
        );
        // On v21's last day it is still served; the day after, v22 is the oldest live one.
        assert_eq!(ApiVersion::oldest_live(day("2027-01-20")), v("v21.0"));
        assert_eq!(ApiVersion::oldest_live(day("2027-01-21")), v("v22.0"));
    }
}
