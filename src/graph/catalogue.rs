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

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogueEntry {
    pub code: i64,
    pub title: String,
    pub explanation: String,
    pub action: String,
    pub retry: RetryAdvice,
    pub uses_budget: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogueFile {
    error: Vec<CatalogueEntry>,
}

const CATALOGUE_TOML: &str = include_str!("../../assets/error-catalogue.toml");

fn catalogue() -> &'static HashMap<i64, CatalogueEntry> {
    static CATALOGUE: OnceLock<HashMap<i64, CatalogueEntry>> = OnceLock::new();
    CATALOGUE.get_or_init(|| {
        // The file is compiled in and covered by a unit test, so a parse failure is a bug.
        let file: CatalogueFile =
            toml::from_str(CATALOGUE_TOML).expect("assets/error-catalogue.toml is valid");
        file.error.into_iter().map(|e| (e.code, e)).collect()
    })
}

/// The entry for a Graph error code. Codes 200-299 share the permission entry (facts §4).
pub fn lookup(code: i64) -> Option<&'static CatalogueEntry> {
    let table = catalogue();
    table.get(&code).or_else(|| {
        (200..300)
            .contains(&code)
            .then(|| table.get(&200))
            .flatten()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_of_the_facts_sheet_is_explained() {
        let codes = [
            0, 1, 2, 3, 4, 10, 12, 17, 33, 100, 190, 200, 368, 80007, 80008, 130429, 131000,
            131005, 131008, 131009, 131016, 131031, 131045, 131057, 133000, 133004, 133005, 133006,
            133008, 133009, 133010, 133015, 133016, 135000, 136024, 803,
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
    fn budget_lock_is_never_marked_retryable() {
        assert_eq!(lookup(133016).unwrap().retry, RetryAdvice::No);
        assert_eq!(lookup(133005).unwrap().retry, RetryAdvice::No);
    }
}
