//! The ledger's one connection, lent to one call at a time. A call waits for it no longer than
//! its own deadline, and that deadline runs from when the call was asked for: a change asked
//! behind the TUI's start-up reads (each of which may wait a whole deadline on a ledger that
//! never answers) gives up within the ledger's timeout of being asked, not after theirs.

use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Instant;

use super::connect::Conn;

/// The connection (when one is open) and whether a call has it now.
#[derive(Default)]
struct Held {
    lent: bool,
    conn: Option<Conn>,
}

#[derive(Default)]
pub(super) struct Slot {
    held: Mutex<Held>,
    returned: Condvar,
}

/// The connection while one call has it (`None`: none is open yet, or the last one broke);
/// given back when dropped, whatever the call did.
pub(super) struct Lent<'a> {
    slot: &'a Slot,
    pub conn: Option<Conn>,
}

impl Slot {
    fn held(&self) -> MutexGuard<'_, Held> {
        // Nothing is left half-changed under this lock: a panic elsewhere does not spoil it.
        self.held.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The connection once no other call has it; `None` if `deadline` passes first.
    pub fn take(&self, deadline: Instant) -> Option<Lent<'_>> {
        let held = self.held();
        let left = deadline.saturating_duration_since(Instant::now());
        let (mut held, _) = self
            .returned
            .wait_timeout_while(held, left, |h| h.lent)
            .unwrap_or_else(|p| p.into_inner());
        if held.lent {
            return None;
        }
        held.lent = true;
        let conn = held.conn.take();
        Some(Lent { slot: self, conn })
    }

    /// The connection, when no call has it (for dropping it with the ledger).
    pub fn into_conn(self) -> Option<Conn> {
        self.held
            .into_inner()
            .unwrap_or_else(|p| p.into_inner())
            .conn
    }
}

impl Drop for Lent<'_> {
    fn drop(&mut self) {
        let mut held = self.slot.held();
        held.conn = self.conn.take();
        held.lent = false;
        drop(held);
        self.slot.returned.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_call_waits_for_the_connection_only_until_its_own_deadline() {
        let slot = Slot::default();
        let first = slot.take(Instant::now() + Duration::from_secs(5)).unwrap();
        assert!(first.conn.is_none(), "nothing is connected yet");
        // Another call has it: a deadline that passes while waiting gets nothing.
        assert!(
            slot.take(Instant::now() + Duration::from_millis(50))
                .is_none()
        );
        assert!(slot.take(Instant::now()).is_none());
        drop(first);
        // Given back: the next call has it at once.
        assert!(slot.take(Instant::now()).is_some());
        std::thread::scope(|scope| {
            let held = slot.take(Instant::now()).unwrap();
            let waiter = scope.spawn(|| {
                slot.take(Instant::now() + Duration::from_secs(30))
                    .is_some()
            });
            std::thread::sleep(Duration::from_millis(50));
            drop(held);
            assert!(
                waiter.join().unwrap(),
                "a waiter is woken when it is given back"
            );
        });
    }
}
