//! The fleet view: configured numbers merged with those discovered through each profile's
//! WABA. A refresh reads the WABA listing page by page (100 a page) and reads individually only
//! the configured numbers the listing did not return, a bounded number at a time.

use futures::StreamExt;
use std::collections::{BTreeMap, HashMap};

use crate::config::Config;
use crate::graph::{ApiError, GraphClient, NumberId, PhoneNumber};

/// How many single-number reads may be in flight at once.
pub const READ_CONCURRENCY: usize = 8;

#[derive(Debug, Clone)]
pub struct FleetRow {
    pub id: NumberId,
    pub label: Option<String>,
    pub profile: String,
    /// Listed in the config (false: discovered through the WABA).
    pub configured: bool,
    /// The live read, once there is one.
    pub live: Option<Result<PhoneNumber, ApiError>>,
}

/// The configured numbers, in config order, with no live data yet.
pub fn configured_rows(config: &Config, only_profile: Option<&str>) -> Vec<FleetRow> {
    config
        .numbers
        .iter()
        .filter(|n| only_profile.is_none_or(|p| p == n.profile))
        .map(|n| FleetRow {
            id: n.id.clone(),
            label: n.label.clone(),
            profile: n.profile.clone(),
            configured: true,
            live: None,
        })
        .collect()
}

/// The profiles a fleet refresh reads: those of the configured numbers and the default one.
pub fn profiles_in_view(config: &Config, only_profile: Option<&str>) -> Vec<String> {
    if let Some(p) = only_profile {
        return vec![p.to_owned()];
    }
    let mut names: Vec<String> = config.numbers.iter().map(|n| n.profile.clone()).collect();
    names.push(config.default_profile.clone());
    names.sort();
    names.dedup();
    names
}

/// Folds a WABA listing into the rows: fills configured ones, appends discovered ones.
pub fn merge_listing(rows: &mut Vec<FleetRow>, profile: &str, listing: Vec<PhoneNumber>) {
    let index: HashMap<String, usize> = rows
        .iter()
        .enumerate()
        .filter(|(_, r)| r.profile == profile)
        .map(|(i, r)| (r.id.as_str().to_owned(), i))
        .collect();
    for number in listing {
        match index.get(&number.id) {
            Some(&i) => rows[i].live = Some(Ok(number)),
            None => {
                // The listing only holds ids Meta gave us; a non-numeric one is skipped.
                let Ok(id) = NumberId::parse(&number.id) else {
                    continue;
                };
                rows.push(FleetRow {
                    id,
                    label: None,
                    profile: profile.to_owned(),
                    configured: false,
                    live: Some(Ok(number)),
                });
            }
        }
    }
}

/// Reads every row's live status: one listing per profile with a WABA, then single reads for
/// the rest. `clients` holds a client for each profile in view.
pub async fn refresh(
    config: &Config,
    clients: &BTreeMap<String, GraphClient>,
    only_profile: Option<&str>,
) -> Vec<FleetRow> {
    let mut rows = configured_rows(config, only_profile);
    for (name, client) in clients {
        let Some(waba) = config.profile(name).and_then(|p| p.waba_id.clone()) else {
            continue;
        };
        match client.list_numbers(&waba).await {
            Ok(listing) => merge_listing(&mut rows, name, listing),
            Err(e) => {
                for row in rows.iter_mut().filter(|r| &r.profile == name) {
                    row.live = Some(Err(e.clone()));
                }
            }
        }
    }
    let pending: Vec<usize> = rows
        .iter()
        .enumerate()
        .filter(|(_, r)| r.live.is_none() && clients.contains_key(&r.profile))
        .map(|(i, _)| i)
        .collect();
    let reads = futures::stream::iter(pending.into_iter().map(|i| {
        let client = clients[&rows[i].profile].clone();
        let id = rows[i].id.clone();
        async move { (i, client.get_number(&id).await) }
    }))
    .buffer_unordered(READ_CONCURRENCY)
    .collect::<Vec<_>>()
    .await;
    for (i, result) in reads {
        rows[i].live = Some(result);
    }
    rows
}
