//! The fleet view: configured numbers merged with those discovered through each profile's
//! WABA. A refresh reads the WABA listing page by page (100 a page) and reads individually only
//! the configured numbers the listing did not return, a bounded number at a time. What to read
//! and how answers change the rows is the state machine in `machine`, shared with the TUI.

pub mod export;
pub mod filter;
mod machine;

pub use machine::{Fleet, FleetSlot, Listing, ProfileView, Read};

use futures::StreamExt;
use std::collections::{BTreeMap, HashMap};

use crate::config::{Config, ProfileName};
use crate::graph::{ApiError, GraphClient, NumberId, PhoneNumber};

/// How many single-number reads may be in flight at once.
pub const READ_CONCURRENCY: usize = 8;

#[derive(Debug, Clone)]
pub struct FleetRow {
    pub id: NumberId,
    pub label: Option<String>,
    pub profile: ProfileName,
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
        .filter(|n| only_profile.is_none_or(|p| n.profile == p))
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
pub fn profiles_in_view(config: &Config, only_profile: Option<&str>) -> Vec<ProfileName> {
    if let Some(p) = only_profile {
        return vec![p.into()];
    }
    let mut names: Vec<ProfileName> = config.numbers.iter().map(|n| n.profile.clone()).collect();
    names.push(config.default_profile.clone());
    names.sort();
    names.dedup();
    names
}

impl FleetSlot for FleetRow {
    fn id(&self) -> &NumberId {
        &self.id
    }
    fn profile(&self) -> &str {
        &self.profile
    }
    fn configured(&self) -> bool {
        self.configured
    }
    fn waiting(&self) -> bool {
        self.live.is_none()
    }
    fn set_waiting(&mut self) {
        self.live = None;
    }
    fn set_read(
        &mut self,
        read: Result<PhoneNumber, ApiError>,
        _at: chrono::DateTime<chrono::Utc>,
    ) {
        self.live = Some(read);
    }
    fn set_gone(&mut self, why: &str) {
        self.live = Some(Err(ApiError::Refused(why.to_owned())));
    }
    fn discovered(
        id: NumberId,
        profile: &str,
        number: PhoneNumber,
        _at: chrono::DateTime<chrono::Utc>,
    ) -> Self {
        FleetRow {
            id,
            label: None,
            profile: profile.into(),
            configured: false,
            live: Some(Ok(number)),
        }
    }
}

/// The profiles in view with whether each lists its numbers through a WABA.
pub fn profile_views(config: &Config, names: &[ProfileName]) -> Vec<ProfileView> {
    names
        .iter()
        .filter_map(|name| config.profile(name))
        .map(|p| ProfileView {
            name: p.name.clone(),
            has_waba: p.waba_id.is_some(),
        })
        .collect()
}

/// Reads every row's live status through the fleet machine: one listing per profile with a
/// WABA, then single reads for the rest, `READ_CONCURRENCY` at a time. `clients` holds a
/// client for each profile in view. The machine comes back too: it knows which listings failed.
pub async fn refresh(
    config: &Config,
    clients: &BTreeMap<ProfileName, GraphClient>,
    only_profile: Option<&str>,
) -> (Vec<FleetRow>, Fleet) {
    let mut rows = configured_rows(config, only_profile);
    let names: Vec<ProfileName> = clients.keys().cloned().collect();
    let mut fleet = Fleet::default();
    let mut singles = Vec::new();
    for read in fleet.refresh(&mut rows, &profile_views(config, &names)) {
        match read {
            Read::Listing { profile } => {
                let waba = config.profile(&profile).and_then(|p| p.waba_id.clone());
                let (Some(waba), Some(client)) = (waba, clients.get(&profile)) else {
                    continue;
                };
                let result = client.list_numbers(&waba).await;
                singles.extend(
                    fleet
                        .on_listing(&mut rows, &profile, result, chrono::Utc::now())
                        .0,
                );
            }
            number => singles.push(number),
        }
    }
    let reads = futures::stream::iter(singles.into_iter().filter_map(|read| match read {
        Read::Number { profile, id } => {
            let client = clients.get(&profile)?.clone();
            Some(async move {
                let result = client.get_number(&id).await;
                (id, result)
            })
        }
        Read::Listing { .. } => None,
    }))
    .buffer_unordered(READ_CONCURRENCY)
    .collect::<Vec<_>>()
    .await;
    let index: HashMap<NumberId, usize> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.clone(), i))
        .collect();
    for (id, result) in reads {
        Fleet::on_number(
            index.get(&id).map(|&i| &mut rows[i]),
            result,
            chrono::Utc::now(),
        );
    }
    (rows, fleet)
}
