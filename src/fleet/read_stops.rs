//! When a profile's single reads stop before they are all sent: at an error every read of the
//! profile would share (a refused token, a throttle), or when the server answers none of them.
//! A listing that failed falls back to one read per configured number; against a server that
//! drops every connection that was 20,000 reads of three tries each, one after the other, for
//! nothing (fresh-eyes run 3, item 5).

use std::collections::HashMap;
use std::sync::Mutex;

use crate::config::ProfileName;
use crate::graph::ApiError;

/// Reads of one profile in a row that got no answer at all before the rest are not sent: more
/// than the reads in flight at once, so one slow number among answering ones never stops them.
pub const SILENT_IN_A_ROW: u32 = 2 * super::READ_CONCURRENCY as u32;

#[derive(Default)]
pub struct ReadStops {
    inner: Mutex<Stops>,
}

#[derive(Default)]
struct Stops {
    stopped: HashMap<ProfileName, ApiError>,
    silent: HashMap<ProfileName, u32>,
}

impl ReadStops {
    /// Whether `profile`'s reads not yet sent are not to be sent.
    pub fn stopped(&self, profile: &ProfileName) -> bool {
        self.stops().stopped.contains_key(profile)
    }

    /// What a read of `profile` not sent says, once its reads stopped.
    pub fn not_read(&self, profile: &ProfileName) -> Option<ApiError> {
        self.stops()
            .stopped
            .get(profile)
            .map(super::machine::not_read_after)
    }

    /// A new listing of `profile` begins: its reads may go again.
    pub fn clear(&self, profile: &ProfileName) {
        let mut stops = self.stops();
        stops.stopped.remove(profile);
        stops.silent.remove(profile);
    }

    /// A read of `profile` ended with `result`.
    pub fn saw<T>(&self, profile: &ProfileName, result: &Result<T, ApiError>) {
        let mut stops = self.stops();
        let e = match result {
            Ok(_) => {
                stops.silent.remove(profile);
                return;
            }
            Err(e) => e,
        };
        if e.is_systemic() {
            stops
                .stopped
                .entry(profile.clone())
                .or_insert_with(|| e.clone());
            return;
        }
        if !unanswered(e) {
            stops.silent.remove(profile);
            return;
        }
        let silent = stops.silent.entry(profile.clone()).or_default();
        *silent += 1;
        if *silent >= SILENT_IN_A_ROW {
            let why = ApiError::Refused(format!(
                "{SILENT_IN_A_ROW} reads in a row got no answer (the last: {}): the server is not answering",
                e.short()
            ));
            stops.stopped.entry(profile.clone()).or_insert(why);
        }
    }

    /// Each stopped profile and why.
    pub fn into_stops(self) -> HashMap<ProfileName, ApiError> {
        self.inner
            .into_inner()
            .unwrap_or_else(|p| p.into_inner())
            .stopped
    }

    fn stops(&self) -> std::sync::MutexGuard<'_, Stops> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// No HTTP answer came: the connection was refused, broke, or timed out (on every try).
fn unanswered(e: &ApiError) -> bool {
    matches!(
        e.last(),
        ApiError::Timeout { .. } | ApiError::NotSent(_) | ApiError::Network(_)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dropped() -> Result<(), ApiError> {
        Err(ApiError::Network("connection reset".into()))
    }

    #[test]
    fn a_server_that_answers_nothing_stops_the_profile_and_one_slow_number_does_not() {
        let p = ProfileName::from("p");
        let stops = ReadStops::default();
        // One number that never answers among numbers that do: never stopped.
        for _ in 0..100 {
            stops.saw(&p, &dropped());
            stops.saw(&p, &Ok::<(), ApiError>(()));
        }
        assert!(!stops.stopped(&p));
        // Any other failure (an answer of some kind) breaks the run too.
        for _ in 0..SILENT_IN_A_ROW - 1 {
            stops.saw(&p, &dropped());
        }
        stops.saw(
            &p,
            &Err::<(), _>(ApiError::Refused("an answer of some kind".into())),
        );
        assert!(!stops.stopped(&p));
        for _ in 0..SILENT_IN_A_ROW {
            stops.saw(&p, &dropped());
        }
        assert!(stops.stopped(&p));
        let why = stops.into_stops().remove(&p).unwrap().to_string();
        assert!(why.contains("no answer"), "{why}");
    }
}
