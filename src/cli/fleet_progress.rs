//! What a fleet refresh has done so far, counted from the calls its clients finish: listing
//! pages (and the numbers they can hold), then the numbers read one by one. The words carry
//! counts only: no path, id or header of a call reaches the terminal.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use super::progress::Progress;
use crate::graph::{CallEvent, CallObserver};

/// A page holds at most this many numbers unless its link asks for another `limit`.
const PAGE_LIMIT: u64 = 100;

#[derive(Default)]
struct Counts {
    pages: AtomicU64,
    /// The numbers the pages read so far can hold: every page but a WABA's last is full.
    listed: AtomicU64,
    singles: AtomicU64,
}

/// An observer for each client of a refresh, reporting to `progress`.
pub fn observer(progress: &Progress) -> CallObserver {
    let counts = Arc::new(Counts::default());
    let say = progress.messenger();
    Arc::new(move |event: &CallEvent| {
        if event.method != "GET" {
            return;
        }
        let path = event.path.split('?').next().unwrap_or_default();
        if path.ends_with("/phone_numbers") {
            if event.error.is_some() {
                return;
            }
            counts.pages.fetch_add(1, Ordering::Relaxed);
            counts
                .listed
                .fetch_add(page_limit(&event.path), Ordering::Relaxed);
        } else {
            // A single read counts once, answered or not: not at an attempt that is tried again.
            if will_retry(event) {
                return;
            }
            counts.singles.fetch_add(1, Ordering::Relaxed);
        }
        say(words(&counts));
    })
}

/// Whether the client reads again after this attempt: a transient failure before the retry
/// policy's last try, or Meta refusing a field (code 100: once more with the minimal fields).
fn will_retry(event: &CallEvent) -> bool {
    let tries = crate::graph::retry::RetryPolicy::default().max_tries;
    event
        .error
        .as_ref()
        .is_some_and(|e| (e.is_transient() && event.attempt < tries) || e.code() == Some(100))
}

fn page_limit(path_and_query: &str) -> u64 {
    path_and_query
        .split_once('?')
        .map(|(_, query)| query)
        .into_iter()
        .flat_map(|q| q.split('&'))
        .find_map(|pair| pair.strip_prefix("limit=")?.parse().ok())
        .unwrap_or(PAGE_LIMIT)
}

fn words(counts: &Counts) -> String {
    let pages = counts.pages.load(Ordering::Relaxed);
    let listed = counts.listed.load(Ordering::Relaxed);
    let singles = counts.singles.load(Ordering::Relaxed);
    let mut out = format!(
        "reading numbers: {} listed (~{})",
        crate::plural::count(pages as usize, "page"),
        crate::plural::count(listed as usize, "number")
    );
    if singles > 0 {
        out.push_str(&format!(", {singles} read one by one"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_counts_its_limit() {
        assert_eq!(
            page_limit("/v25.0/1/phone_numbers?fields=id&limit=100"),
            100
        );
        assert_eq!(page_limit("/v25.0/1/phone_numbers?limit=25&after=x"), 25);
        assert_eq!(page_limit("/v25.0/1/phone_numbers"), PAGE_LIMIT);
    }

    #[test]
    fn the_words_carry_counts() {
        let counts = Counts::default();
        counts.pages.store(3, Ordering::Relaxed);
        counts.listed.store(300, Ordering::Relaxed);
        assert_eq!(
            words(&counts),
            "reading numbers: 3 pages listed (~300 numbers)"
        );
        counts.singles.store(2, Ordering::Relaxed);
        assert!(words(&counts).ends_with(", 2 read one by one"));
    }
}
