//! The 14 local-storage regions (docs/graph-api-facts.md §5), with their names and groups, so that a dropdown or
//! a `--region` flag can only ever produce a value Meta accepts.

use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RegionGroup {
    Apac,
    Europe,
    Latam,
    Mea,
    Noram,
}

impl RegionGroup {
    pub fn label(self) -> &'static str {
        match self {
            RegionGroup::Apac => "APAC",
            RegionGroup::Europe => "Europe",
            RegionGroup::Latam => "LATAM",
            RegionGroup::Mea => "MEA",
            RegionGroup::Noram => "NORAM",
        }
    }
}

macro_rules! regions {
    ($($variant:ident => $code:literal, $name:literal, $group:ident;)*) => {
        /// A `data_localization_region` code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Region { $($variant),* }

        impl Region {
            /// Grouped as the dropdown shows them: APAC, Europe, LATAM, MEA, NORAM.
            pub const ALL: [Region; 14] = [$(Region::$variant),*];

            pub fn code(self) -> &'static str {
                match self { $(Region::$variant => $code),* }
            }

            pub fn name(self) -> &'static str {
                match self { $(Region::$variant => $name),* }
            }

            /// The code and the name for a sentence, never parentheses in parentheses:
            /// "DE, EU (Germany)", "GB, United Kingdom".
            pub fn words(self) -> String {
                format!("{}, {}", self.code(), self.name())
            }

            pub fn group(self) -> RegionGroup {
                match self { $(Region::$variant => RegionGroup::$group),* }
            }
        }
    };
}

regions! {
    Au => "AU", "Australia", Apac;
    Id => "ID", "Indonesia", Apac;
    In => "IN", "India", Apac;
    Jp => "JP", "Japan", Apac;
    Sg => "SG", "Singapore", Apac;
    Kr => "KR", "South Korea", Apac;
    De => "DE", "EU (Germany)", Europe;
    Ch => "CH", "Switzerland", Europe;
    Gb => "GB", "United Kingdom", Europe;
    Br => "BR", "Brazil", Latam;
    Bh => "BH", "Bahrain", Mea;
    Za => "ZA", "South Africa", Mea;
    Ae => "AE", "United Arab Emirates", Mea;
    Ca => "CA", "Canada", Noram;
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown region `{0}`: use one of AU, ID, IN, JP, SG, KR, DE, CH, GB, BR, BH, ZA, AE, CA")]
pub struct UnknownRegion(pub String);

impl FromStr for Region {
    type Err = UnknownRegion;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim();
        Region::ALL
            .into_iter()
            .find(|r| r.code().eq_ignore_ascii_case(wanted))
            .ok_or_else(|| UnknownRegion(wanted.to_owned()))
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl serde::Serialize for Region {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> serde::Deserialize<'de> for Region {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        raw.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_fourteen_codes_round_trip_and_are_grouped_in_order() {
        let codes: Vec<_> = Region::ALL.iter().map(|r| r.code()).collect();
        assert_eq!(
            codes,
            [
                "AU", "ID", "IN", "JP", "SG", "KR", "DE", "CH", "GB", "BR", "BH", "ZA", "AE", "CA"
            ]
        );
        for r in Region::ALL {
            assert_eq!(r.code().to_lowercase().parse::<Region>(), Ok(r));
        }
        let groups: Vec<_> = Region::ALL.iter().map(|r| r.group()).collect();
        let mut sorted = groups.clone();
        sorted.sort();
        assert_eq!(groups, sorted, "ALL must be grouped for the dropdown");
    }

    #[test]
    fn us_is_not_a_region() {
        let err = "US".parse::<Region>().unwrap_err();
        assert!(err.to_string().contains("unknown region `US`"));
    }
}
