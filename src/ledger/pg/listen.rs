//! Live team view: a connection of its own that LISTENs on the ledger's channel and hands every
//! record another desk (or this one) writes to `on_record` as it is committed. It reconnects
//! after a failure, a little later each time, and stops when `on_record` says so. Connecting
//! has the ledger's deadline: a server that accepts and never answers counts as not answering.

use std::time::{Duration, Instant};

use super::connect::{Failure, by};
use super::{PgSettings, channel};
use crate::audit::AuditRecord;

/// What the listener can say of the ledger, once per change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Feed {
    /// Connected and listening: the ledger answers.
    Live,
    /// The live connection was lost (or could not be made); reconnecting.
    Lost,
    /// Connecting or listening ran past the ledger's deadline: it does not answer.
    Silent,
}

/// Starts the listener thread. `on_record` returns false to stop listening (the face closed);
/// `on_state` hears when the feed changes.
pub fn listen(
    settings: PgSettings,
    on_record: impl Fn(AuditRecord) -> bool + Send + 'static,
    on_state: impl Fn(Feed) + Send + 'static,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let mut wait = Duration::from_millis(500);
        let mut last: Option<Feed> = None;
        let mut say = |now: Feed| {
            // A first failure to connect is not a lost feed: only the log hears of it.
            let first_refusal = last.is_none() && now == Feed::Lost;
            if last != Some(now) && !first_refusal {
                on_state(now);
            }
            last = Some(now);
        };
        loop {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            let ended = runtime.block_on(async {
                let deadline = Instant::now() + settings.timeout();
                let (client, mut notes) = settings.connect_listening(deadline).await?;
                let listen = format!(
                    "SET search_path TO {}; LISTEN {}",
                    settings.schema,
                    channel(&settings.schema)
                );
                by(deadline, client.batch_execute(&listen)).await??;
                say(Feed::Live);
                while let Some(note) = notes.recv().await {
                    let Ok(record) = serde_json::from_str::<AuditRecord>(note.payload()) else {
                        continue;
                    };
                    if !on_record(record.cleaned()) {
                        return Ok(true);
                    }
                }
                Ok::<_, Failure>(false)
            });
            // Dropping the runtime closes the connection, whatever state it is in.
            drop(runtime);
            match ended {
                Ok(true) => return,
                Ok(false) => {
                    say(Feed::Lost);
                    wait = Duration::from_millis(500);
                }
                Err(e) => {
                    say(if e.is_deadline() {
                        Feed::Silent
                    } else {
                        Feed::Lost
                    });
                    tracing::warn!(target: "wareg::ledger", "cannot listen to the team ledger: {}", settings.words(&e));
                }
            }
            std::thread::sleep(wait);
            wait = (wait * 2).min(Duration::from_secs(30));
        }
    })
}
