//! Live team view: a connection of its own that LISTENs on the ledger's channel and hands every
//! record another desk (or this one) writes to `on_record` as it is committed. It reconnects
//! after a failure, a little later each time, and stops when `on_record` says so.

use postgres::fallible_iterator::FallibleIterator;
use std::time::Duration;

use super::{PgSettings, channel};
use crate::audit::AuditRecord;

/// Starts the listener thread. `on_record` returns false to stop listening (the face closed);
/// `on_state` hears when the listener connects (true) or lost its connection (false).
pub fn listen(
    settings: PgSettings,
    on_record: impl Fn(AuditRecord) -> bool + Send + 'static,
    on_state: impl Fn(bool) + Send + 'static,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let mut wait = Duration::from_millis(500);
        loop {
            match settings.connect() {
                Ok(mut client) => {
                    let listen = format!("LISTEN {}", channel(&settings.schema));
                    if client.batch_execute(&listen).is_ok() {
                        on_state(true);
                        wait = Duration::from_millis(500);
                        let mut notifications = client.notifications();
                        let mut iter = notifications.blocking_iter();
                        while let Ok(Some(note)) = iter.next() {
                            let Ok(record) = serde_json::from_str::<AuditRecord>(note.payload())
                            else {
                                continue;
                            };
                            if !on_record(record.cleaned()) {
                                return;
                            }
                        }
                    }
                    on_state(false);
                }
                Err(e) => {
                    tracing::warn!(target: "wareg::ledger", "cannot listen to the team ledger: {}", super::connect::words(&e))
                }
            }
            std::thread::sleep(wait);
            wait = (wait * 2).min(Duration::from_secs(30));
        }
    })
}
