//! Room kept for a listing in flight. A start's storage reads go out beside its listing (the
//! configured numbers are known before it answers) and, in batches, outrun it: weighed against
//! the usage header alone they stopped at the high-water mark and the listing's pages still
//! to come took the WABA past it (a 20k start: 75.6 % at the last storage read, 77.7 % when
//! the listing ended). So while a profile's listing is in flight, a read nobody asked for is
//! weighed at the usage plus the points its pages still to come will take.

use std::collections::HashMap;
use std::sync::Mutex as StdMutex;

use crate::config::ProfileName;
use crate::fleet::read_guard::{Asker, with_listing_to_come};
use crate::graph::GraphClient;
use crate::tui::msg::RequestId;

use super::kept_storage::held_back;

/// A listing page holds 100 numbers.
const PAGE: u64 = 100;

#[derive(Default)]
pub struct ListingRoom {
    /// Each profile's listing in flight: its request, the pages it is expected to take (one
    /// per 100 configured numbers, and one more: numbers of the WABA nobody configured, the
    /// last short page) and the client's pages answered when it began.
    in_flight: StdMutex<HashMap<ProfileName, Listing>>,
}

#[derive(Clone, Copy)]
struct Listing {
    request: RequestId,
    expected: u64,
    at_start: u64,
}

impl ListingRoom {
    /// `request` lists `profile`, of which `configured` numbers are configured.
    pub fn began(
        &self,
        profile: &ProfileName,
        request: RequestId,
        configured: usize,
        client: &GraphClient,
    ) {
        let listing = Listing {
            request,
            expected: configured as u64 / PAGE + 1,
            at_start: client.listing_pages(),
        };
        self.listings().insert(profile.clone(), listing);
    }

    /// `request`'s listing ended (or was cancelled); a newer one of the profile stays.
    pub fn ended(&self, profile: &ProfileName, request: RequestId) {
        let mut listings = self.listings();
        if listings.get(profile).is_some_and(|l| l.request == request) {
            listings.remove(profile);
        }
    }

    /// The pages the profile's listing in flight is still expected to take (0: none in
    /// flight, or it has taken as many as expected).
    fn pages_left(&self, profile: &ProfileName, client: &GraphClient) -> u64 {
        let Some(listing) = self.listings().get(profile).copied() else {
            return 0;
        };
        let answered = client.listing_pages().saturating_sub(listing.at_start);
        listing.expected.saturating_sub(answered)
    }

    /// Why `asker`'s storage read of `profile` is held back, or None when it may go: the
    /// high-water mark, with the pages of a listing in flight counted as spent.
    pub fn held_back(
        &self,
        asker: Asker,
        profile: &ProfileName,
        client: &GraphClient,
    ) -> Option<String> {
        let usage = client.usage().highest();
        let pages_left = self.pages_left(profile, client);
        let weighed = with_listing_to_come(usage, pages_left, client.calls_per_point());
        let why = held_back(asker, weighed)?;
        Some(match (usage, weighed) {
            (Some(now), Some(counted)) if counted > now => format!(
                "{} (and the listing's {} still to come take about {} % more)",
                crate::fleet::read_guard::usage_words(now),
                crate::plural::count(pages_left as usize, "page"),
                counted - now
            ),
            _ => why,
        })
    }

    fn listings(&self) -> std::sync::MutexGuard<'_, HashMap<ProfileName, Listing>> {
        self.in_flight.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::{ApiVersion, ClientSettings};

    fn client() -> GraphClient {
        GraphClient::new(ClientSettings {
            base_url: "http://127.0.0.1:9".into(),
            version: "v25.0".parse::<ApiVersion>().unwrap(),
            token: crate::secret::Token::new("t"),
            timeout: std::time::Duration::from_secs(1),
        })
        .unwrap()
    }

    #[test]
    fn a_listing_in_flight_keeps_a_page_per_hundred_configured_numbers_until_it_ends() {
        let demo = ProfileName::from("demo");
        let room = ListingRoom::default();
        let client = client();
        assert_eq!(room.pages_left(&demo, &client), 0, "no listing in flight");
        room.began(&demo, 7, 250, &client);
        assert_eq!(room.pages_left(&demo, &client), 3, "250 numbers: 3 pages");
        // A newer R's listing replaces this one: the older one's end leaves it be.
        room.began(&demo, 8, 250, &client);
        room.ended(&demo, 7);
        assert_eq!(room.pages_left(&demo, &client), 3);
        room.ended(&demo, 8);
        assert_eq!(room.pages_left(&demo, &client), 0);
        // Nothing reported yet: the read goes, as it does without a listing.
        room.began(&demo, 9, 20_000, &client);
        assert_eq!(room.pages_left(&demo, &client), 201);
        assert_eq!(room.held_back(Asker::Start, &demo, &client), None);
    }
}
