//! The error catalogue: Graph code -> title, plain explanation, what to do, whether a retry is
//! safe and whether the attempt used registration budget. The data lives in
//! `assets/error-catalogue.toml` and is compiled into the binary.

use serde::Deserialize;
use std::collections::HashMap;
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RetryAdvice {
    /// An automatic backoff is fine (for reads).
    Safe,
    /// Wait for the stated time, then a person may try again.
    Wait,
    /// Someone has to act first.
    No,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogueEntry {
    pub code: i64,
    /// A reading of the code for this subcode only.
    #[serde(default)]
    pub subcode: Option<i64>,
    /// A reading of the code for messages that hold this text only (case-insensitive).
    #[serde(default)]
    pub message_contains: Option<String>,
    pub title: String,
    pub explanation: String,
    pub action: String,
    pub retry: RetryAdvice,
    pub uses_budget: bool,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogueFile {
    error: Vec<CatalogueEntry>,
}

const CATALOGUE_TOML: &str = include_str!("../../assets/error-catalogue.toml");

fn catalogue() -> &'static HashMap<i64, Vec<CatalogueEntry>> {
    static CATALOGUE: OnceLock<HashMap<i64, Vec<CatalogueEntry>>> = OnceLock::new();
    CATALOGUE.get_or_init(|| {
        // The file is compiled in and a unit test parses it; were it broken, errors would be
        // shown with Meta's own words only (and the error said in the log), never a panic
        // while an error is being explained.
        let file: CatalogueFile = match toml::from_str(CATALOGUE_TOML) {
            Ok(file) => file,
            Err(e) => {
                tracing::error!("assets/error-catalogue.toml does not parse: {e}");
                CatalogueFile::default()
            }
        };
        let mut table: HashMap<i64, Vec<CatalogueEntry>> = HashMap::new();
        for entry in file.error {
            table.entry(entry.code).or_default().push(entry);
        }
        table
    })
}

impl CatalogueEntry {
    fn is_general(&self) -> bool {
        self.subcode.is_none() && self.message_contains.is_none()
    }
}

/// The general entry for a Graph error code. Codes 200-299 share the permission entry
/// (docs/graph-api-facts.md §4).
pub fn lookup(code: i64) -> Option<&'static CatalogueEntry> {
    let table = catalogue();
    let general = |c: i64| table.get(&c)?.iter().find(|e| e.is_general());
    general(code).or_else(|| (200..300).contains(&code).then(|| general(200)).flatten())
}

/// The most specific entry for an error: by subcode and a phrase of Meta's words, then by
/// subcode, then by a phrase of Meta's words, then the code's general entry (docs/graph-api-facts.md §8: code
/// 100 says many different things; §9: 2388001 itself has two meanings, told apart by the
/// user message). `message` is all Meta said (its message and user message).
pub fn lookup_error(
    code: i64,
    subcode: Option<i64>,
    message: &str,
) -> Option<&'static CatalogueEntry> {
    let entries = catalogue()
        .get(&code)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let message = message.to_lowercase();
    let says = |e: &CatalogueEntry| {
        e.message_contains
            .as_deref()
            .is_some_and(|m| message.contains(&m.to_lowercase()))
    };
    let same_subcode = |e: &CatalogueEntry| e.subcode.is_some() && e.subcode == subcode;
    entries
        .iter()
        .find(|e| same_subcode(e) && says(e))
        .or_else(|| {
            entries
                .iter()
                .find(|e| same_subcode(e) && e.message_contains.is_none())
        })
        .or_else(|| entries.iter().find(|e| e.subcode.is_none() && says(e)))
        .or_else(|| lookup(code))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_of_the_facts_sheet_is_explained() {
        let codes = [
            0, 1, 2, 3, 4, 10, 12, 17, 33, 100, 190, 200, 368, 80007, 80008, 130429, 131000,
            131005, 131008, 131009, 131016, 131031, 131045, 131057, 133000, 133004, 133005, 133006,
            133008, 133009, 133010, 133015, 133016, 135000, 136024, 136025, 803,
        ];
        for code in codes {
            let entry = lookup(code).unwrap_or_else(|| panic!("code {code} missing"));
            assert!(!entry.title.is_empty() && !entry.explanation.is_empty());
            assert!(!entry.action.is_empty());
        }
        assert_eq!(lookup(299).unwrap().code, 200);
        assert!(lookup(999_999).is_none());
    }

    #[test]
    fn code_100_is_read_by_subcode_and_by_message() {
        // 2388001 never means "wait": Meta's user message says which cause it is, and without
        // one the entry names both (docs/graph-api-facts.md §9).
        let certificate =
            lookup_error(100, Some(2388001), "(#100) Cannot Create Certificate").unwrap();
        assert_eq!(certificate.title, "Cannot create the number's certificate");
        let account = lookup_error(
            100,
            Some(2388001),
            "(#100) Cannot Create Certificate This number is registered to an existing WhatsApp account. To use this number, disconnect it from the existing account.",
        )
        .unwrap();
        assert_eq!(account.title, "Number is on an existing WhatsApp account");
        assert!(account.action.contains("disconnect"), "{}", account.action);
        let name = lookup_error(
            100,
            Some(2388001),
            "Cannot Create Certificate Your display name could not be processed. Please edit your display name and try again.",
        )
        .unwrap();
        assert_eq!(name.title, "Display name could not be processed");
        assert!(
            name.action.contains("Edit the display name"),
            "{}",
            name.action
        );
        for entry in [certificate, account, name] {
            assert_eq!(entry.retry, RetryAdvice::No);
            let words =
                format!("{} {} {}", entry.title, entry.explanation, entry.action).to_lowercase();
            assert!(
                !words.contains("wait") && !words.contains("under review"),
                "{words}"
            );
        }
        let coex = lookup_error(
            100,
            None,
            "Register endpoint is not available for SMB businesses.",
        )
        .unwrap();
        assert_eq!(coex.title, "Not allowed for a coexistence number");
        let region = lookup_error(100, None, "Expected data localization region: 'IN'").unwrap();
        assert_eq!(region.title, "Local storage must be set first");
        let missing = lookup_error(
            100,
            Some(33),
            "Unsupported get request. Object with ID '1' does not exist",
        )
        .unwrap();
        assert!(!missing.uses_budget);
        assert_eq!(
            lookup_error(100, None, "(#100) Tried accessing nonexisting field")
                .unwrap()
                .title,
            "Invalid parameter"
        );
        assert!(lookup(133005).unwrap().action.contains("wareg set-pin"));
    }

    #[test]
    fn a_code_request_for_a_verified_number_is_said_as_such() {
        let entry = lookup(136024).unwrap();
        assert_eq!(entry.title, "Number already verified");
        assert!(!entry.uses_budget);
    }

    #[test]
    fn budget_lock_is_never_marked_retryable() {
        assert_eq!(lookup(133016).unwrap().retry, RetryAdvice::No);
        assert_eq!(lookup(133005).unwrap().retry, RetryAdvice::No);
    }
}
