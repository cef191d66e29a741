//! The phone-number enums of docs/graph-api-facts.md §3. Every source disagrees on their value sets, so each one
//! keeps an `Unknown(String)` arm: a value Meta adds tomorrow is shown, not a parse failure.

macro_rules! open_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident => $($text:literal)|+),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $($variant,)*
            Unknown(String),
        }

        impl $name {
            /// Case-insensitive; the first spelling is the canonical one.
            pub fn parse(raw: &str) -> Self {
                $(if [$($text),+].iter().any(|t| t.eq_ignore_ascii_case(raw)) {
                    return $name::$variant;
                })*
                $name::Unknown(raw.to_owned())
            }

            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => open_enum!(@first $($text),+),)*
                    $name::Unknown(raw) => raw,
                }
            }
        }

        impl From<&str> for $name {
            fn from(raw: &str) -> Self {
                $name::parse(raw)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let raw = String::deserialize(d)?;
                Ok($name::parse(&crate::clean::text(&raw, crate::clean::NAME_MAX)))
            }
        }
    };
    (@first $first:literal $(, $rest:literal)*) => { $first };
}

open_enum!(
    /// `status`: whether the number is connected to Cloud API.
    NumberStatus {
        Connected => "CONNECTED",
        Disconnected => "DISCONNECTED",
        Pending => "PENDING",
        Unverified => "UNVERIFIED",
        Flagged => "FLAGGED",
        Restricted => "RESTRICTED",
        RateLimited => "RATE_LIMITED",
        Banned => "BANNED",
        Deleted => "DELETED",
        Migrated => "MIGRATED",
        Linked => "LINKED",
        Unlinked => "UNLINKED",
        NotKnown => "UNKNOWN",
    }
);

open_enum!(
    /// `code_verification_status`: ownership (SMS/voice code), not two-step verification.
    CodeVerification {
        Verified => "VERIFIED",
        NotVerified => "NOT_VERIFIED" | "UNVERIFIED",
        Expired => "EXPIRED",
    }
);

open_enum!(
    /// `quality_rating`; Meta sends `NA` or `UNKNOWN` for "no rating yet".
    QualityRating {
        Green => "GREEN",
        Yellow => "YELLOW",
        Red => "RED",
        NotRated => "NA" | "UNKNOWN",
    }
);

open_enum!(
    /// `platform_type` (the spec calls it `host_platform`).
    PlatformType {
        CloudApi => "CLOUD_API",
        OnPremise => "ON_PREMISE",
        NotApplicable => "NOT_APPLICABLE",
    }
);

impl PlatformType {
    /// A narrow form for the table.
    pub fn short(&self) -> &str {
        match self {
            PlatformType::CloudApi => "cloud",
            PlatformType::OnPremise => "on-prem",
            PlatformType::NotApplicable => "n/a",
            PlatformType::Unknown(raw) => raw,
        }
    }
}

open_enum!(
    /// `name_status` (the display name in force) and `new_name_status` (a requested change),
    /// docs/graph-api-facts.md §8, §9. `DEFERRED` is a decision Meta can give a request too.
    NameStatus {
        Approved => "APPROVED",
        PendingReview => "PENDING_REVIEW",
        Deferred => "DEFERRED",
        Declined => "DECLINED" | "REJECTED",
        Expired => "EXPIRED",
        NoName => "NONE",
        AvailableWithoutReview => "AVAILABLE_WITHOUT_REVIEW",
    }
);

impl NameStatus {
    /// A requested name Meta has not decided on yet: a register meanwhile has no effect.
    pub fn in_review(&self) -> bool {
        matches!(self, NameStatus::PendingReview | NameStatus::Deferred)
    }

    /// A name status with which Meta refuses to register the number for API use (docs/graph-api-facts.md §9).
    pub fn unusable(&self) -> bool {
        matches!(
            self,
            NameStatus::Declined | NameStatus::Expired | NameStatus::NoName
        )
    }
}

open_enum!(
    /// `storage_configuration.status` from `GET /{id}/settings`; the spec writes it lowercase.
    StorageStatus {
        Enabled => "IN_COUNTRY_STORAGE_ENABLED",
        Disabled => "IN_COUNTRY_STORAGE_DISABLED",
        Default => "DEFAULT",
        NoStorage => "NO_STORAGE_ENABLED",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values_parse_case_insensitively_and_unknown_ones_survive() {
        assert_eq!(NumberStatus::parse("connected"), NumberStatus::Connected);
        assert_eq!(QualityRating::parse("NA"), QualityRating::NotRated);
        assert_eq!(QualityRating::parse("UNKNOWN"), QualityRating::NotRated);
        assert_eq!(
            StorageStatus::parse("in_country_storage_enabled"),
            StorageStatus::Enabled
        );
        let odd = NumberStatus::parse("SUSPENDED_BY_MARS");
        assert_eq!(odd, NumberStatus::Unknown("SUSPENDED_BY_MARS".into()));
        assert_eq!(odd.to_string(), "SUSPENDED_BY_MARS");
        let json: CodeVerification = serde_json::from_str("\"UNVERIFIED\"").unwrap();
        assert_eq!(json, CodeVerification::NotVerified);
    }
}
