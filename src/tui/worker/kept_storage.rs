//! The worker's side of kept storage: every storage answer is handed to the ledger in
//! batches (one write for the answers that came together, not one per answer), the reads no
//! person asked for wait for the profile's first answer (its usage header) and are held back
//! above the high-water mark, and old kept values are re-read in the background a few at a
//! time, within a per-minute ceiling.

use std::collections::HashMap;
use std::sync::{Arc, Mutex as StdMutex};
use std::time::Duration;

use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};
use tokio::sync::watch;

use crate::audit::StorageEntry;
use crate::config::ProfileName;
use crate::fleet::read_guard::{Asker, ReadKind, allows, usage_words};
use crate::graph::types::Settings;
use crate::graph::{ApiError, NumberId};
use crate::ledger::Ledger;
use crate::tui::msg::{Level, Msg};

/// Old kept values re-read at once, and how often: at most 10 calls a minute, never a burst.
pub const REREAD_BATCH: usize = 5;
pub const REREAD_EVERY: Duration = Duration::from_secs(30);
/// The most entries handed to the ledger in one write.
const KEEP_BATCH: usize = 2_000;

/// What the keeper is handed: an answer's entry, or a request to say when everything handed
/// before it is written (on quit, so that the next start knows it).
pub enum Keep {
    Entry(StorageEntry),
    Flush(tokio::sync::oneshot::Sender<()>),
}

/// Hands storage answers to the ledger a batch at a time, on a task of its own.
pub fn keeper(ledger: Arc<dyn Ledger>, tx: UnboundedSender<Msg>) -> UnboundedSender<Keep> {
    let (entries, queue) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(keep(ledger, queue, tx));
    entries
}

/// Answers that trickle in are gathered this long, so that a start's thousands are a few
/// writes, not one per answer: each is synced, and a sync costs the process more than the
/// answers of a second (perf of a 1k start: 200 ms made the syncs 6 % of its CPU). Quitting
/// writes what is gathered at once (`Keep::Flush`); a crash loses at most this much, which
/// the next start reads again.
const GATHER: Duration = Duration::from_secs(1);

async fn keep(
    ledger: Arc<dyn Ledger>,
    mut queue: UnboundedReceiver<Keep>,
    tx: UnboundedSender<Msg>,
) {
    let mut told = false;
    while let Some(first) = queue.recv().await {
        let mut batch = Vec::new();
        let mut flushed = Vec::new();
        let mut next = Some(first);
        let gathering = tokio::time::sleep(GATHER);
        tokio::pin!(gathering);
        loop {
            match next.take() {
                Some(Keep::Entry(entry)) => batch.push(entry),
                Some(Keep::Flush(done)) => {
                    flushed.push(done);
                    break;
                }
                None => {}
            }
            if batch.len() >= KEEP_BATCH {
                break;
            }
            tokio::select! {
                more = queue.recv() => match more {
                    Some(more) => next = Some(more),
                    None => break,
                },
                _ = &mut gathering => break,
            }
        }
        if !batch.is_empty() {
            let written = crate::ledger::blocking(&ledger, move |l| l.note_storage(&batch)).await;
            if let Err(e) = written
                && !told
            {
                // Said once: the next start only reads that storage again.
                told = true;
                let _ = tx.send(Msg::Notice(
                    Level::Warn,
                    format!("cannot keep the storage read: {e}; it will be read again next time"),
                ));
            }
        }
        for done in flushed {
            let _ = done.send(());
        }
    }
}

/// Whether each profile's client has had an answer yet (its usage header is known).
#[derive(Default)]
pub struct Heard {
    profiles: StdMutex<HashMap<ProfileName, watch::Sender<bool>>>,
}

impl Heard {
    fn sender(&self, profile: &str) -> watch::Sender<bool> {
        let mut profiles = self.profiles.lock().unwrap_or_else(|p| p.into_inner());
        profiles
            .entry(ProfileName::from(profile))
            .or_insert_with(|| watch::channel(false).0)
            .clone()
    }

    /// Called on every answer of the profile's client.
    pub fn answered(&self, profile: &str) {
        self.sender(profile).send_replace(true);
    }

    /// Waits for the profile's first answer, at most `limit` (then the read goes as if
    /// nothing were reported).
    pub async fn wait(&self, profile: &str, limit: Duration) {
        let mut rx = self.sender(profile).subscribe();
        let _ = tokio::time::timeout(limit, rx.wait_for(|heard| *heard)).await;
    }
}

/// Why a read nobody asked for is held back at `usage`, or None when it may go.
pub fn held_back(asker: Asker, usage: Option<u32>) -> Option<String> {
    (!allows(asker, ReadKind::Storage, usage)).then(|| usage_words(usage.unwrap_or_default()))
}

/// The entry an answer makes, when it says the storage.
pub fn entry_of(
    id: &NumberId,
    answer: &Result<Settings, ApiError>,
    operator: &str,
) -> Option<StorageEntry> {
    let storage = answer.as_ref().ok()?.storage_configuration.clone()?;
    let mut entry = StorageEntry::new(id, storage, chrono::Utc::now());
    entry.operator = Some(operator.to_owned());
    Some(entry)
}
