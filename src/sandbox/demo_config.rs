//! The config `wareg demo` runs with: one profile on the in-process sandbox, every seeded
//! number with its label. Tests start the TUI on it too.

use std::collections::BTreeMap;
use std::time::Duration;

use super::Seed;
use crate::config::{BudgetPolicy, Config, NumberEntry, Profile, TokenSource};
use crate::graph::{ApiVersion, NumberId};

/// A config for the demo: one profile on the sandbox, every seeded number with its label.
pub fn demo_config(base_url: &str) -> Config {
    let seed = Seed::builtin(0);
    let profile = Profile {
        pin_command: None,
        name: "demo".into(),
        base_url: base_url.to_owned(),
        api_version: ApiVersion::DEFAULT,
        token: TokenSource::Sandbox,
        waba_id: NumberId::parse(&seed.waba_id).ok(),
        business_id: None,
        timeout: Duration::from_secs(5),
        read_budget: None,
        token_timeout: crate::config::DEFAULT_TOKEN_TIMEOUT,
        allow_insecure_http: false,
        max_answer_bytes: crate::graph::DEFAULT_MAX_BODY,
    };
    let numbers = seed
        .number
        .iter()
        .filter_map(|n| {
            Some(NumberEntry {
                id: NumberId::parse(&n.id).ok()?,
                label: Some(n.label.clone()),
                profile: "demo".into(),
            })
        })
        .collect();
    Config {
        source: None,
        default_profile: "demo".into(),
        profiles: BTreeMap::from([("demo".into(), profile)]),
        numbers,
        budget: BudgetPolicy::default(),
        ledger: crate::config::LedgerConfig::default(),
        storage_max_age_days: crate::audit::storage::DEFAULT_MAX_AGE_DAYS,
    }
}
