//! The fleet as one state machine, used by `wareg numbers` and the TUI table alike: configured
//! numbers, each profile's WABA listing and single reads. It decides what to read next and how
//! an answer changes the rows (the one `Row` both faces hold); each face runs the reads its own
//! way (awaited, or as worker jobs).

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};

use super::row::Row;
use crate::config::ProfileName;
use crate::graph::{ApiError, NumberId, PhoneNumber};

/// A read the face must run and feed back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Read {
    Listing { profile: ProfileName },
    Number { profile: ProfileName, id: NumberId },
}

/// Where a profile's listing stands.
#[derive(Debug, Clone)]
pub enum Listing {
    Waiting,
    Listed {
        count: usize,
    },
    /// The profile's listing failed: an error for that profile, whatever the single reads do.
    Failed(ApiError),
}

/// A profile as the fleet sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileView {
    pub name: ProfileName,
    pub has_waba: bool,
}

#[derive(Debug, Clone, Default)]
pub struct Fleet {
    listings: BTreeMap<ProfileName, Listing>,
    /// Profiles whose reads stopped at an error every other read would get too (a refused
    /// token, a missing permission, a throttle): told once, the rest not sent.
    stopped: BTreeMap<ProfileName, ApiError>,
    /// Per profile, the rows of its last listing whose id is not a number id.
    left_out: BTreeMap<ProfileName, usize>,
}

/// How many rows of a listing have an id that is not a number id: they cannot be read,
/// registered or deregistered, so they are left out, and the faces say how many.
pub fn not_number_ids(listing: &[Box<PhoneNumber>]) -> usize {
    listing
        .iter()
        .filter(|n| listed_id(&n.id).is_none())
        .count()
}

/// A listing row's id as a number id, exactly as the server wrote it. `NumberId::parse` trims
/// (right for what a person types), but an id `"123\n"` from a server is not the number 123:
/// one with any whitespace or control character in it (the cleaner has already made a line
/// break a space) is not a number id.
fn listed_id(raw: &str) -> Option<NumberId> {
    if raw
        .chars()
        .any(|c| c.is_whitespace() || crate::clean::is_unsafe(c))
    {
        return None;
    }
    NumberId::parse(raw).ok()
}

/// "2 rows had an id that is not a number id: left out".
pub fn left_out_words(count: usize) -> String {
    if count == 1 {
        "1 row had an id that is not a number id: left out".into()
    } else {
        format!("{count} rows had an id that is not a number id: left out")
    }
}

impl Fleet {
    /// Starts a refresh: every row waits; a listing per profile with a WABA, single reads for
    /// the rows of the others.
    pub fn refresh(&mut self, rows: &mut [Row], profiles: &[ProfileView]) -> Vec<Read> {
        self.listings.clear();
        self.stopped.clear();
        self.left_out.clear();
        for row in rows.iter_mut() {
            row.set_waiting();
        }
        let mut reads = Vec::new();
        for profile in profiles {
            if profile.has_waba {
                self.listings.insert(profile.name.clone(), Listing::Waiting);
                reads.push(Read::Listing {
                    profile: profile.name.clone(),
                });
            } else {
                reads.extend(rows.iter().filter(|r| profile.name == r.profile).map(|r| {
                    Read::Number {
                        profile: profile.name.clone(),
                        id: r.id.clone(),
                    }
                }));
            }
        }
        reads
    }

    /// Folds a listing in: it fills configured rows and adds discovered ones; configured rows
    /// it did not cover are read singly. A failed listing is that profile's error; its
    /// configured rows are then read singly, its discovered rows are gone. Returns the single
    /// reads to run and how many rows were added.
    pub fn on_listing(
        &mut self,
        rows: &mut Vec<Row>,
        profile: &str,
        result: Result<crate::graph::listing::Listed, ApiError>,
        at: DateTime<Utc>,
    ) -> (Vec<Read>, usize) {
        let before = rows.len();
        match result {
            Ok(listing) => {
                let left_out = not_number_ids(&listing);
                self.left_out.insert(profile.into(), left_out);
                self.listings.insert(
                    profile.into(),
                    Listing::Listed {
                        count: listing.len() - left_out,
                    },
                );
                let index: HashMap<String, usize> = rows
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| r.profile == profile)
                    .map(|(i, r)| (r.id.as_str().to_owned(), i))
                    .collect();
                // Room for the discovered rows at once: pushed one by one, 10 new rows on
                // 20,000 doubled the rows' room (5 MB more).
                let new = listing
                    .iter()
                    .filter(|n| !index.contains_key(&n.id))
                    .count();
                rows.reserve_exact(new);
                for number in listing {
                    match index.get(&number.id) {
                        Some(&i) => rows[i].set_read_boxed(Ok(number), at),
                        None => {
                            // A row whose id is not a number id is left out (counted above).
                            if let Some(id) = listed_id(&number.id) {
                                rows.push(Row::discovered(id, profile, number, at));
                            }
                        }
                    }
                }
            }
            Err(e) => {
                self.listings.insert(profile.into(), Listing::Failed(e));
            }
        }
        let gone_why = match self.listings.get(profile) {
            Some(Listing::Failed(_)) => "listing failed",
            _ => "no longer listed",
        };
        if let Some(Listing::Failed(e)) = self.listings.get(profile)
            && e.is_systemic()
        {
            // Every single read would be refused the same way: none is sent.
            let e = e.clone();
            self.stop(rows, profile, e);
            return (Vec::new(), rows.len() - before);
        }
        let mut reads = Vec::new();
        for row in rows
            .iter_mut()
            .filter(|r| r.profile == profile && r.waiting())
        {
            if row.configured {
                reads.push(Read::Number {
                    profile: profile.into(),
                    id: row.id.clone(),
                });
            } else {
                row.set_gone(gone_why);
            }
        }
        (reads, rows.len() - before)
    }

    /// A single read came back for `row` (found by the face through its own index).
    pub fn on_number(
        row: Option<&mut Row>,
        result: Result<PhoneNumber, ApiError>,
        at: DateTime<Utc>,
    ) {
        if let Some(row) = row {
            row.set_read(result, at);
        }
    }

    /// A read of `profile` failed in a way every other would (`ApiError::is_systemic`): its
    /// rows still waiting say they were not read, and no more of its reads are sent.
    pub fn stop(&mut self, rows: &mut [Row], profile: &str, e: ApiError) {
        let not_read = not_read_after(&e);
        for row in rows
            .iter_mut()
            .filter(|r| r.profile == profile && r.waiting())
        {
            row.set_failed(not_read.clone());
        }
        self.stopped.entry(profile.into()).or_insert(e);
    }

    /// Why the reads of `profile` stopped, if they did.
    pub fn stopped(&self, profile: &str) -> Option<&ApiError> {
        self.stopped.get(profile)
    }

    /// Profiles whose reads stopped, with why (each told once).
    pub fn stops(&self) -> impl Iterator<Item = (&str, &ApiError)> {
        self.stopped.iter().map(|(p, e)| (p.as_str(), e))
    }

    pub fn listing(&self, profile: &str) -> Option<&Listing> {
        self.listings.get(profile)
    }

    /// How many rows of `profile`'s last listing were left out: their id is not a number id.
    pub fn left_out(&self, profile: &str) -> usize {
        self.left_out.get(profile).copied().unwrap_or(0)
    }

    /// Profiles whose listing failed, with why.
    pub fn failed_listings(&self) -> Vec<(&str, &ApiError)> {
        self.listings
            .iter()
            .filter_map(|(name, l)| match l {
                Listing::Failed(e) => Some((name.as_str(), e)),
                _ => None,
            })
            .collect()
    }
}

/// What a read not sent says once its profile's reads stopped at `e`: a throttle says itself
/// (and when it ends); anything else, that it was not read and why.
pub(crate) fn not_read_after(e: &ApiError) -> ApiError {
    match e {
        ApiError::Throttled(_) => e.clone(),
        _ => ApiError::Refused(format!("{}{}", super::row::NOT_READ, e.short())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// What a test looks at in a row: the id read, or why the read failed; `None` while it waits.
    fn live(row: &Row) -> Option<Result<String, String>> {
        match &row.live {
            crate::fleet::Live::Loading => None,
            crate::fleet::Live::Loaded(n) => Some(Ok(n.id.clone())),
            crate::fleet::Live::Failed(e) => Some(Err(e.short())),
        }
    }

    fn configured(ids: &[&str]) -> Vec<Row> {
        ids.iter()
            .map(|id| Row::configured(NumberId::parse(id).unwrap(), None, "p".into()))
            .collect()
    }

    fn number(id: &str) -> PhoneNumber {
        serde_json::from_value(json!({"id": id, "status": "CONNECTED"})).unwrap()
    }

    fn with_waba() -> Vec<ProfileView> {
        vec![ProfileView {
            name: "p".into(),
            has_waba: true,
        }]
    }

    fn id(raw: &str) -> NumberId {
        NumberId::parse(raw).unwrap()
    }

    #[test]
    fn a_listing_fills_configured_rows_and_adds_discovered_ones() {
        let mut rows = configured(&["1", "2"]);
        let mut fleet = Fleet::default();
        let reads = fleet.refresh(&mut rows, &with_waba());
        assert_eq!(
            reads,
            [Read::Listing {
                profile: "p".into()
            }]
        );
        let (reads, added) = fleet.on_listing(
            &mut rows,
            "p",
            Ok(vec![
                number("1").into(),
                number("2").into(),
                number("3").into(),
            ]),
            Utc::now(),
        );
        assert!(reads.is_empty());
        assert_eq!(added, 1);
        assert!(rows.iter().all(|r| matches!(live(r), Some(Ok(_)))));
        assert!(fleet.failed_listings().is_empty());
        assert!(matches!(
            fleet.listing("p"),
            Some(Listing::Listed { count: 3 })
        ));
    }

    #[test]
    fn a_failed_listing_is_the_profiles_error_and_falls_back_to_single_reads() {
        let mut rows = configured(&["1", "2"]);
        let mut fleet = Fleet::default();
        fleet.refresh(&mut rows, &with_waba());
        // A discovered row from an earlier refresh.
        rows.push(Row::discovered(id("9"), "p", number("9"), Utc::now()));
        rows[2].set_waiting();
        let (reads, added) = fleet.on_listing(
            &mut rows,
            "p",
            Err(ApiError::Timeout {
                after: std::time::Duration::from_secs(1),
            }),
            Utc::now(),
        );
        assert_eq!(added, 0);
        assert_eq!(
            reads,
            [
                Read::Number {
                    profile: "p".into(),
                    id: id("1")
                },
                Read::Number {
                    profile: "p".into(),
                    id: id("2")
                },
            ]
        );
        assert_eq!(live(&rows[2]), Some(Err("listing failed".into())));
        let failed = fleet.failed_listings();
        assert_eq!(failed.len(), 1);
        assert_eq!(failed[0].0, "p");
        Fleet::on_number(rows.get_mut(0), Ok(number("1")), Utc::now());
        assert!(matches!(live(&rows[0]), Some(Ok(_))));
        assert_eq!(
            fleet.failed_listings().len(),
            1,
            "single reads do not clear the profile's error"
        );
    }

    #[test]
    fn a_partial_listing_reads_the_rest_singly() {
        let mut rows = configured(&["1", "2", "3"]);
        let mut fleet = Fleet::default();
        fleet.refresh(&mut rows, &with_waba());
        let (reads, _) = fleet.on_listing(&mut rows, "p", Ok(vec![number("2").into()]), Utc::now());
        assert_eq!(
            reads,
            [
                Read::Number {
                    profile: "p".into(),
                    id: id("1")
                },
                Read::Number {
                    profile: "p".into(),
                    id: id("3")
                },
            ]
        );
        Fleet::on_number(
            rows.get_mut(2),
            Err(ApiError::Network("reset".into())),
            Utc::now(),
        );
        assert_eq!(live(&rows[2]), Some(Err("network: reset".into())));
    }

    #[test]
    fn a_paging_error_mid_way_fails_the_listing_and_a_discovered_row_is_gone() {
        // The client turns a failed later page into an error for the whole listing.
        let mut rows = configured(&["1"]);
        let mut fleet = Fleet::default();
        fleet.refresh(&mut rows, &with_waba());
        fleet.on_listing(
            &mut rows,
            "p",
            Ok(vec![number("1").into(), number("5").into()]),
            Utc::now(),
        );
        fleet.refresh(&mut rows, &with_waba());
        let page_error = ApiError::Refused("refusing to follow paging.next to another host".into());
        let (reads, _) = fleet.on_listing(&mut rows, "p", Err(page_error), Utc::now());
        assert_eq!(
            reads,
            [Read::Number {
                profile: "p".into(),
                id: id("1")
            }]
        );
        assert_eq!(live(&rows[1]), Some(Err("listing failed".into())));
        assert!(fleet.failed_listings()[0].1.short().contains("paging.next"));
    }

    #[test]
    fn profiles_without_a_waba_are_read_singly() {
        let mut rows = configured(&["1", "2"]);
        let mut fleet = Fleet::default();
        let reads = fleet.refresh(
            &mut rows,
            &[ProfileView {
                name: "p".into(),
                has_waba: false,
            }],
        );
        assert_eq!(reads.len(), 2);
        assert!(fleet.listing("p").is_none());
    }
}
