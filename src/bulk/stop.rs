//! A stop asked of a running bulk from outside it (the TUI's Esc or `s`, Ctrl-C in the CLI):
//! the run writes `stopping` when it sees the ask, lets every number in flight finish its
//! whole plan (a region change is never left between deregister and register), starts no
//! other number, and writes `stopped` once the last one in flight has ended.

use std::sync::Arc;
use tokio::sync::watch;

/// Shared by whoever may ask for the stop and the run that honours it; cloning shares it.
#[derive(Debug, Clone)]
pub struct StopSignal {
    /// Why the stop was asked for, once it was.
    asked: Arc<watch::Sender<Option<String>>>,
}

impl Default for StopSignal {
    fn default() -> Self {
        StopSignal {
            asked: Arc::new(watch::Sender::new(None)),
        }
    }
}

impl StopSignal {
    /// Asks for the stop, saying why; false when it was asked for already (the first why
    /// stays).
    pub fn request(&self, why: &str) -> bool {
        self.asked.send_if_modified(|asked| {
            if asked.is_some() {
                return false;
            }
            *asked = Some(why.to_owned());
            true
        })
    }

    /// Why the stop was asked for, if it was.
    pub fn asked(&self) -> Option<String> {
        self.asked.borrow().clone()
    }

    /// Forgets an earlier ask: a new run starts unstopped.
    pub fn reset(&self) {
        self.asked.send_replace(None);
    }

    /// Waits until the stop is asked for, and says why.
    pub async fn requested(&self) -> String {
        let mut seen = self.asked.subscribe();
        loop {
            if let Some(why) = seen.borrow_and_update().clone() {
                return why;
            }
            if seen.changed().await.is_err() {
                // The sender lives in `self`: it cannot go while we wait on it.
                std::future::pending::<()>().await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_first_ask_is_kept_and_wakes_the_waiter() {
        let stop = StopSignal::default();
        let waiter = {
            let stop = stop.clone();
            tokio::spawn(async move { stop.requested().await })
        };
        tokio::task::yield_now().await;
        assert!(stop.request("Ctrl-C"));
        assert!(!stop.request("again"));
        assert_eq!(waiter.await.unwrap(), "Ctrl-C");
        assert_eq!(stop.asked().as_deref(), Some("Ctrl-C"));
        stop.reset();
        assert_eq!(stop.asked(), None);
    }
}
