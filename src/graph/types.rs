//! The Graph objects wareg reads. Every field but `id` is optional and unknown keys are
//! ignored, because Meta's own sources disagree on which fields exist (docs/graph-api-facts.md §3, §7.7).

use serde::{Deserialize, Serialize};
use std::fmt;

pub use super::enums::{
    CodeVerification, NameStatus, NumberStatus, PlatformType, QualityRating, StorageStatus,
};
use super::region::Region;

/// The fields the numbers table needs (docs/graph-api-facts.md §3, "Suggested fields"), on v24 and later: the
/// messaging limit is `whatsapp_business_manager_messaging_limit` there (docs/graph-api-facts.md §9).
pub const FULL_FIELDS: &str = "id,display_phone_number,verified_name,status,code_verification_status,quality_rating,platform_type,throughput,name_status,new_name_status,new_display_name,last_onboarded_time,is_official_business_account,account_mode,is_pin_enabled,is_on_biz_app,health_status,whatsapp_business_manager_messaging_limit";
/// The same up to v23, where the messaging limit is still `messaging_limit_tier`.
pub const FULL_FIELDS_UP_TO_V23: &str = "id,display_phone_number,verified_name,status,code_verification_status,quality_rating,platform_type,throughput,name_status,new_name_status,new_display_name,last_onboarded_time,is_official_business_account,account_mode,is_pin_enabled,is_on_biz_app,health_status,messaging_limit_tier";

/// The table's fields for calls Meta answers with `version`'s rules.
pub fn full_fields(version: super::ApiVersion) -> &'static str {
    if version.major >= 24 {
        FULL_FIELDS
    } else {
        FULL_FIELDS_UP_TO_V23
    }
}
/// One bad field fails the whole call, so a read that fails on `FULL_FIELDS` falls back to this.
pub const MINIMAL_FIELDS: &str = "id,display_phone_number,verified_name,status";

/// A phone number ID or WABA ID: a numeric string, kept as text (docs/graph-api-facts.md §1).
/// Shared, not copied, when cloned: a number's id goes from its row to the table's index, to
/// every request and reply about it (at 20,000 numbers a copy each was megabytes).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct NumberId(std::sync::Arc<str>);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadId {
    #[error("an id is required: it is the numeric phone number ID, e.g. 106540352242922")]
    Empty,
    #[error(
        "`{0}` is not a numeric id: use the phone number ID (digits only, e.g. 106540352242922), not the phone number"
    )]
    NotNumeric(String),
}

impl NumberId {
    pub fn parse(raw: &str) -> Result<Self, BadId> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(BadId::Empty);
        }
        if !raw.bytes().all(|b| b.is_ascii_digit()) {
            return Err(BadId::NotNumeric(raw.to_owned()));
        }
        Ok(NumberId(raw.into()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for NumberId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Records and rows are matched against ids given as text (a filter, an index line).
impl PartialEq<str> for NumberId {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for NumberId {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Throughput {
    #[serde(default, deserialize_with = "crate::clean::opt_name")]
    pub level: Option<String>,
}

/// `GET /{id}` and the rows of `GET /{waba}/phone_numbers`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhoneNumber {
    #[serde(deserialize_with = "crate::clean::name")]
    pub id: String,
    #[serde(
        default,
        deserialize_with = "crate::clean::opt_name",
        skip_serializing_if = "Option::is_none"
    )]
    pub display_phone_number: Option<String>,
    #[serde(
        default,
        deserialize_with = "crate::clean::opt_name",
        skip_serializing_if = "Option::is_none"
    )]
    pub verified_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<NumberStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_verification_status: Option<CodeVerification>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quality_rating: Option<QualityRating>,
    #[serde(
        default,
        alias = "host_platform",
        skip_serializing_if = "Option::is_none"
    )]
    pub platform_type: Option<PlatformType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub throughput: Option<Throughput>,
    #[serde(
        default,
        deserialize_with = "crate::clean::opt_name",
        skip_serializing_if = "Option::is_none"
    )]
    pub name_status: Option<String>,
    #[serde(
        default,
        deserialize_with = "crate::clean::opt_name",
        skip_serializing_if = "Option::is_none"
    )]
    pub last_onboarded_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_official_business_account: Option<bool>,
    #[serde(
        default,
        deserialize_with = "crate::clean::opt_name",
        skip_serializing_if = "Option::is_none"
    )]
    pub account_mode: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_pin_enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_on_biz_app: Option<bool>,
    /// The status of a requested display-name change (a register fails while it is reviewed).
    #[serde(
        default,
        deserialize_with = "crate::clean::opt_name",
        skip_serializing_if = "Option::is_none"
    )]
    pub new_name_status: Option<String>,
    /// Whether the number can send, and which entity stops it (docs/graph-api-facts.md §8).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health_status: Option<Health>,
    /// The display name asked for with the last name change, whatever its review says.
    #[serde(
        default,
        deserialize_with = "crate::clean::opt_name",
        skip_serializing_if = "Option::is_none"
    )]
    pub new_display_name: Option<String>,
    /// The messaging limit on v24+ (Meta's example: `TIER_250`); an open set, shown as it comes.
    #[serde(
        default,
        deserialize_with = "limit",
        skip_serializing_if = "Option::is_none"
    )]
    pub whatsapp_business_manager_messaging_limit: Option<String>,
    /// The messaging limit up to v23 (deprecated since).
    #[serde(
        default,
        deserialize_with = "limit",
        skip_serializing_if = "Option::is_none"
    )]
    pub messaging_limit_tier: Option<String>,
}

/// A messaging limit as it comes: a string, a number, or an object holding one (Meta
/// documents a string; anything else is read rather than failing the whole number).
fn limit<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    fn text_of(value: &serde_json::Value) -> Option<String> {
        match value {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            serde_json::Value::Object(map) => map.values().find_map(text_of),
            _ => None,
        }
    }
    let value = serde_json::Value::deserialize(d)?;
    Ok(text_of(&value)
        .map(|s| crate::clean::owned_text(s, crate::clean::NAME_MAX))
        .filter(|s| !s.is_empty()))
}

/// `health_status`: what explains "connected but cannot send". Every field optional and
/// every string cleaned; unknown keys ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    #[serde(
        default,
        deserialize_with = "crate::clean::opt_name",
        skip_serializing_if = "Option::is_none"
    )]
    pub can_send_message: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub entities: Vec<HealthEntity>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthEntity {
    #[serde(
        default,
        deserialize_with = "crate::clean::opt_name",
        skip_serializing_if = "Option::is_none"
    )]
    pub entity_type: Option<String>,
    #[serde(
        default,
        deserialize_with = "crate::clean::opt_name",
        skip_serializing_if = "Option::is_none"
    )]
    pub id: Option<String>,
    #[serde(
        default,
        deserialize_with = "crate::clean::opt_name",
        skip_serializing_if = "Option::is_none"
    )]
    pub can_send_message: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<HealthError>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthError {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<i64>,
    #[serde(
        default,
        deserialize_with = "crate::clean::opt_message",
        skip_serializing_if = "Option::is_none"
    )]
    pub error_description: Option<String>,
    #[serde(
        default,
        deserialize_with = "crate::clean::opt_message",
        skip_serializing_if = "Option::is_none"
    )]
    pub possible_solution: Option<String>,
}

impl Health {
    /// "LIMITED" or "BLOCKED" when the number cannot send freely; None when AVAILABLE or unknown.
    pub fn limit(&self) -> Option<&str> {
        self.can_send_message
            .as_deref()
            .filter(|c| !c.eq_ignore_ascii_case("AVAILABLE"))
    }

    /// Why, in one line: each limited entity with its first error and what to do.
    pub fn reasons(&self) -> Vec<String> {
        self.entities
            .iter()
            .filter(|e| {
                e.can_send_message
                    .as_deref()
                    .is_some_and(|c| !c.eq_ignore_ascii_case("AVAILABLE"))
            })
            .map(|e| {
                let mut line = format!(
                    "{} {}: {}",
                    e.entity_type.as_deref().unwrap_or("entity"),
                    e.id.as_deref().unwrap_or("?"),
                    e.can_send_message.as_deref().unwrap_or("?")
                );
                if let Some(err) = e.errors.first() {
                    if let Some(d) = &err.error_description {
                        line.push_str(&format!(" — {d}"));
                    }
                    if let Some(s) = &err.possible_solution {
                        line.push_str(&format!(" What to do: {s}"));
                    }
                }
                line
            })
            .collect()
    }
}

impl PhoneNumber {
    /// The mark beside the status when the number cannot send freely: `!` limited, `✗`
    /// blocked (the same in the TUI table and `wareg numbers`).
    pub fn health_mark(&self) -> Option<&'static str> {
        let limit = self.health_status.as_ref()?.limit()?;
        Some(if limit.eq_ignore_ascii_case("BLOCKED") {
            "✗"
        } else {
            "!"
        })
    }

    /// What a support person should know about the number beyond its status, in words.
    pub fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        if let Some(health) = &self.health_status
            && let Some(limit) = health.limit()
        {
            notes.push(format!("health {limit}"));
            notes.extend(health.reasons());
        }
        if self.is_on_biz_app == Some(true) {
            notes.push(
                "coexistence: also in the WhatsApp Business app, no register or deregister".into(),
            );
        }
        if self.name_under_review() {
            notes.push("a display name change is under review: register waits for it".into());
        }
        notes
    }

    /// A requested display name is being reviewed (or Meta deferred its decision): a register
    /// meanwhile has no effect (docs/graph-api-facts.md §9).
    pub fn name_under_review(&self) -> bool {
        self.new_name_state().is_some_and(|s| s.in_review())
    }

    /// The status of the display name in force.
    pub fn name_state(&self) -> Option<NameStatus> {
        self.name_status.as_deref().map(NameStatus::parse)
    }

    /// The status of the requested display name, if one was asked for.
    pub fn new_name_state(&self) -> Option<NameStatus> {
        self.new_name_status.as_deref().map(NameStatus::parse)
    }

    /// The messaging limit, from whichever field the version has.
    pub fn messaging_limit(&self) -> Option<&str> {
        self.whatsapp_business_manager_messaging_limit
            .as_deref()
            .or(self.messaging_limit_tier.as_deref())
    }
}

/// `storage_configuration` from `GET /{id}/settings`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StorageConfig {
    pub status: StorageStatus,
    #[serde(
        default,
        deserialize_with = "crate::clean::opt_name",
        skip_serializing_if = "Option::is_none"
    )]
    pub data_localization_region: Option<String>,
}

impl StorageConfig {
    /// The region when local storage is on and the code is one we know.
    pub fn region(&self) -> Option<Region> {
        match self.status {
            StorageStatus::Enabled => self.data_localization_region.as_deref()?.parse().ok(),
            _ => None,
        }
    }

    /// What the table's storage column shows: the region code, "off", or Meta's raw status.
    pub fn summary(&self) -> String {
        match (&self.status, &self.data_localization_region) {
            (StorageStatus::Enabled, Some(region)) => region.clone(),
            (StorageStatus::Disabled | StorageStatus::Default, _) => "off".into(),
            (StorageStatus::NoStorage, _) => "no storage".into(),
            (other, _) => other.as_str().to_owned(),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Settings {
    #[serde(default)]
    pub storage_configuration: Option<StorageConfig>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Paging {
    #[serde(default)]
    pub next: Option<String>,
}

/// One page of `GET /{waba}/phone_numbers`.
#[derive(Debug, Clone, Deserialize)]
pub struct NumbersPage {
    pub data: Vec<PhoneNumber>,
    #[serde(default)]
    pub paging: Option<Paging>,
}

/// `POST /{waba}/phone_numbers`: the new number's id.
#[derive(Debug, Clone, Deserialize)]
pub struct Added {
    #[serde(deserialize_with = "crate::clean::name")]
    pub id: String,
}

/// `{"success": true}`, the answer of every mutation.
#[derive(Debug, Clone, Deserialize)]
pub struct Success {
    pub success: bool,
}

/// What local storage a register should end up with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StorageChoice {
    /// Leave storage as it is (no flag given).
    Keep,
    /// Register without local storage (`--no-region`).
    Off,
    /// Keep message data at rest in this region (`--region CC`).
    Region(Region),
}

/// A `language` for `request_code`: a locale like `en_US`; a bare `en` is accepted too
/// (docs/graph-api-facts.md §2.5).
pub fn is_language_code(lang: &str) -> bool {
    let (lang, region) = match lang.split_once('_') {
        Some((l, r)) => (l, Some(r)),
        None => (lang, None),
    };
    let lower = lang.len() == 2 && lang.bytes().all(|b| b.is_ascii_lowercase());
    lower && region.is_none_or(|r| r.len() == 2 && r.bytes().all(|b| b.is_ascii_uppercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_codes() {
        for ok in ["en_US", "de_DE", "en"] {
            assert!(is_language_code(ok), "{ok}");
        }
        for bad in ["EN_us", "english", "en-US", "", "e_US", "en_"] {
            assert!(!is_language_code(bad), "{bad}");
        }
    }

    #[test]
    fn ids_must_be_numeric() {
        assert!(NumberId::parse("106540352242922").is_ok());
        assert!(matches!(
            NumberId::parse("+49 30 123"),
            Err(BadId::NotNumeric(_))
        ));
        assert_eq!(NumberId::parse(" "), Err(BadId::Empty));
    }

    #[test]
    fn phone_number_tolerates_unknown_values_and_extra_fields() {
        let json = r#"{"id":"1","status":"HIBERNATING","quality_rating":"UNKNOWN",
            "host_platform":"CLOUD_API","brand_new_field":{"x":1}}"#;
        let n: PhoneNumber = serde_json::from_str(json).unwrap();
        assert_eq!(n.status, Some(NumberStatus::Unknown("HIBERNATING".into())));
        assert_eq!(n.quality_rating, Some(QualityRating::NotRated));
        assert_eq!(n.platform_type, Some(PlatformType::CloudApi));
    }

    #[test]
    fn storage_summary_reads_lowercase_spec_values() {
        let s: StorageConfig = serde_json::from_str(r#"{"status":"default"}"#).unwrap();
        assert_eq!(s.summary(), "off");
        let s: StorageConfig = serde_json::from_str(
            r#"{"status":"IN_COUNTRY_STORAGE_ENABLED","data_localization_region":"BR"}"#,
        )
        .unwrap();
        assert_eq!(s.region(), Some(Region::Br));
        assert_eq!(s.summary(), "BR");
    }
}
