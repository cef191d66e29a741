//! The fleet view: configured numbers merged with those discovered through each profile's
//! WABA. A refresh reads the WABA listing page by page (100 a page) and reads individually only
//! the configured numbers the listing did not return, a bounded number at a time. What to read
//! and how answers change the rows is the state machine in `machine`, shared with the TUI.

pub mod column;
pub mod export;
pub mod filter;
pub mod known;
mod machine;
pub mod next;
pub mod read_guard;
pub mod read_stops;
pub mod resolve;
mod row;

pub use column::{Cell, Column, Facts, Screen, Tone};
pub use machine::{Fleet, Listing, ProfileView, Read, left_out_words, not_number_ids};
pub use next::NextContext;
pub use row::{Live, NOT_READ, Row, Storage, configured_rows, rows_of};

use futures::StreamExt;
use std::collections::{BTreeMap, HashMap};

use crate::config::{Config, ProfileName};
use crate::graph::{GraphClient, NumberId};

/// How many single-number reads may be in flight at once.
pub const READ_CONCURRENCY: usize = 8;

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
) -> (Vec<Row>, Fleet) {
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
    // A read that fails for its whole profile (a refused token…), or a run of reads the
    // server does not answer, stops that profile's reads not yet sent (`read_stops`).
    let stops = read_stops::ReadStops::default();
    let stops_ref = &stops;
    let reads = futures::stream::iter(singles.into_iter().filter_map(|read| match read {
        Read::Number { profile, id } => {
            let client = clients.get(&profile)?.clone();
            Some(async move {
                if stops_ref.stopped(&profile) {
                    return (profile, id, None);
                }
                let result = client.get_number(&id).await;
                stops_ref.saw(&profile, &result);
                (profile, id, Some(result))
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
    for (_, id, result) in reads {
        if let Some(result) = result {
            Fleet::on_number(
                index.get(&id).map(|&i| &mut rows[i]),
                result,
                chrono::Utc::now(),
            );
        }
    }
    for (profile, e) in stops.into_stops() {
        fleet.stop(&mut rows, &profile, e);
    }
    (rows, fleet)
}

/// What `rows` read of storage, as entries for the ledger to keep.
pub fn storage_entries(rows: &[Row], operator: &str) -> Vec<crate::audit::StorageEntry> {
    rows.iter()
        .filter_map(|r| match (&r.storage, r.storage_read_at) {
            (Storage::Known(storage), Some(at)) => {
                let mut entry = crate::audit::StorageEntry::new(&r.id, storage.clone(), at);
                entry.operator = Some(operator.to_owned());
                Some(entry)
            }
            _ => None,
        })
        .collect()
}

/// Reads the local-storage setting of every row that was read (one `/settings` call each,
/// as many in flight as the budget allows, sent together as one batch request where the
/// server takes batches), skipping the profiles whose reads stopped. A failed read is the
/// row's `Storage::Failed`, with why.
pub async fn read_storage(
    rows: &mut [Row],
    clients: &BTreeMap<ProfileName, GraphClient>,
    fleet: &Fleet,
) {
    let mut wanted: BTreeMap<&ProfileName, Vec<(usize, NumberId)>> = BTreeMap::new();
    for (i, row) in rows.iter().enumerate() {
        if row.number().is_some() && fleet.stopped(&row.profile).is_none() {
            wanted
                .entry(&row.profile)
                .or_default()
                .push((i, row.id.clone()));
        }
    }
    // One batch at a time, of as many reads as may be in flight (8, up to 50 once the usage
    // header shows they fit in one point of the budget: `graph::read_pace`).
    let mut answers = Vec::new();
    for (profile, reads) in wanted {
        let Some(client) = clients.get(profile) else {
            continue;
        };
        let mut reads = reads.as_slice();
        while !reads.is_empty() {
            let (part, rest) = reads.split_at(client.reads_in_flight().min(reads.len()));
            reads = rest;
            let ids: Vec<NumberId> = part.iter().map(|(_, id)| id.clone()).collect();
            let read = client.get_settings_many(&ids).await;
            answers.extend(part.iter().map(|(i, _)| *i).zip(read));
        }
    }
    let now = chrono::Utc::now();
    for (i, answer) in answers {
        match answer {
            Ok(settings) => match settings.storage_configuration {
                Some(storage) => rows[i].set_storage(storage, now),
                None => rows[i].storage = Storage::Failed("not given".into()),
            },
            Err(e) => rows[i].storage = Storage::Failed(e.short()),
        }
    }
}
