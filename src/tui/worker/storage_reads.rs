//! The read queue's storage reads, gathered: reads queued together for one profile by one
//! asker go out as batch requests (the start queues one per configured number). One batch is
//! in flight at a time and holds the concurrency permits free when its turn comes (at least
//! one, a mutation holding one never makes it wait): a read per permit, plus as many as the
//! usage header shows fit in one point of the budget beyond the 8 permits
//! (`graph::read_pace`, up to 50). So no more reads are in flight than that allows: the
//! budget's high-water mark is passed by about one point at most. A read queued alone is sent
//! alone.

use super::{Inner, kept_storage};
use crate::config::ProfileName;
use crate::fleet::READ_CONCURRENCY;
use crate::fleet::read_guard::Asker;
use crate::graph::NumberId;
use crate::tui::msg::{Cmd, Msg, Reply, RequestId};

/// Storage reads waiting for permits, by profile and asker.
pub(super) type StoragePool = std::collections::HashMap<(ProfileName, Asker), Pending>;

/// One key's reads waiting, and whether a task is draining them.
#[derive(Default)]
pub(super) struct Pending {
    reads: Vec<(RequestId, NumberId)>,
    draining: bool,
}

/// Says the key is no longer drained when its drainer ends early (the permits closed, its
/// task cancelled on quit); a drainer that found the pool empty says so itself.
struct Draining<'a> {
    inner: &'a Inner,
    key: &'a (ProfileName, Asker),
    /// False once the drainer said so itself, with the pool in hand.
    armed: bool,
}

impl Drop for Draining<'_> {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        let mut pool = self.inner.pool();
        if let Some(pending) = pool.get_mut(self.key) {
            pending.draining = false;
        }
    }
}

/// A storage answer to the app, and to the keeper so that the next start knows it.
fn answer_storage(
    keep: &tokio::sync::mpsc::UnboundedSender<kept_storage::Keep>,
    tx: &tokio::sync::mpsc::UnboundedSender<Msg>,
    engine: &crate::engine::Engine,
    request: RequestId,
    id: &NumberId,
    answer: Result<crate::graph::types::Settings, crate::graph::ApiError>,
) {
    if let Some(entry) = kept_storage::entry_of(id, &answer, &engine.operator) {
        let _ = keep.send(kept_storage::Keep::Entry(entry));
    }
    // The loop has gone only when the app is quitting: nothing is left to tell.
    let _ = tx.send(Msg::Reply(request, Reply::Settings(answer)));
}

/// What the read queue's task runs: a command alone, or storage reads gathered.
pub(super) enum ReadWork {
    One(Cmd),
    Storage {
        profile: ProfileName,
        asker: Asker,
        reads: Vec<(RequestId, NumberId)>,
    },
}

/// The commands that were queued together, as work: storage reads of one profile and asker
/// in groups of at most `READ_CONCURRENCY` (each group puts its reads in the pool, where the
/// batches are cut), in the order they were queued; everything else (and a storage read with
/// no company) alone.
pub(super) fn gather(cmds: Vec<Cmd>) -> Vec<ReadWork> {
    let mut work: Vec<ReadWork> = Vec::new();
    for cmd in cmds {
        let Cmd::ReadSettings {
            request,
            profile,
            id,
            asker,
        } = cmd
        else {
            work.push(ReadWork::One(cmd));
            continue;
        };
        let open = work.iter_mut().rev().find_map(|w| match w {
            ReadWork::Storage {
                profile: p,
                asker: a,
                reads,
            } if *p == profile && *a == asker && reads.len() < READ_CONCURRENCY => Some(reads),
            _ => None,
        });
        match open {
            Some(reads) => reads.push((request, id)),
            None => work.push(ReadWork::Storage {
                profile,
                asker,
                reads: vec![(request, id)],
            }),
        }
    }
    work.into_iter()
        .map(|w| match w {
            ReadWork::Storage {
                profile,
                asker,
                mut reads,
            } if reads.len() == 1 => {
                let (request, id) = reads.remove(0);
                ReadWork::One(Cmd::ReadSettings {
                    request,
                    profile,
                    id,
                    asker,
                })
            }
            other => other,
        })
        .collect()
}

impl Inner {
    pub(super) async fn run_read(&self, work: ReadWork) {
        match work {
            ReadWork::One(cmd) => self.run(cmd).await,
            ReadWork::Storage {
                profile,
                asker,
                reads,
            } => self.read_storage_together(profile, asker, reads).await,
        }
    }

    /// A group's reads in batch requests, under the same rules as one read: a token that
    /// cannot be read is said per read, reads nobody asked for wait for the profile's usage
    /// and are held back above the high-water mark. The reads wait in the worker's pool with
    /// those of other groups of the same profile and asker: whichever group's turn finds free
    /// permits takes as many reads as it has permits, so a read left over by one batch goes
    /// in the next rather than alone.
    async fn read_storage_together(
        &self,
        profile: ProfileName,
        asker: Asker,
        reads: Vec<(RequestId, NumberId)>,
    ) {
        let engine = match self.engine(&profile).await {
            Ok(engine) => engine,
            Err(why) => {
                for (request, _) in reads {
                    self.send(Msg::Reply(request, Reply::NoToken(why.clone())));
                }
                return;
            }
        };
        let unasked = !matches!(asker, Asker::Person | Asker::Mutation);
        let reading = profile.clone();
        let held_back = || {
            unasked
                .then(|| self.listing_room.held_back(asker, &reading, &engine.client))
                .flatten()
        };
        if unasked {
            let limit = self
                .profiles
                .get(profile.as_str())
                .map_or(std::time::Duration::from_secs(30), |p| p.timeout);
            self.heard.wait(&profile, limit).await;
        }
        let key = (profile, asker);
        {
            let mut pool = self.pool();
            let pending = pool.entry(key.clone()).or_default();
            pending.reads.extend(reads);
            // One task drains a key's reads; the others only add theirs and go, so that the
            // read queue keeps filling the pool while a batch is in flight (tasks waiting
            // their turn with nothing of their own held the queue back to 8 a batch).
            if pending.draining {
                return;
            }
            pending.draining = true;
        }
        let mut done = Draining {
            inner: self,
            key: &key,
            armed: true,
        };
        loop {
            // One batch of storage at a time, sized by the permits free when its turn comes:
            // batches in flight side by side would split the permits between them, a few
            // each, as they come back at different times.
            let turn = self.storage_turn.lock().await;
            let waiting = {
                let mut pool = self.pool();
                let pending = pool.entry(key.clone()).or_default();
                if pending.reads.is_empty() {
                    // In the same hold of the lock as the look: a read added after it finds
                    // no drainer and starts one, none is left behind.
                    pending.draining = false;
                    done.armed = false;
                    return;
                }
                pending.reads.len()
            };
            let Some(permits) = self.permits_for(waiting).await else {
                return;
            };
            // A read per permit, and as many more as the budget shows fit in one point of
            // it beyond the 8 (`read_pace`): reads in flight stay within what it allows.
            let beyond = engine
                .client
                .reads_in_flight()
                .saturating_sub(READ_CONCURRENCY);
            let part: Vec<(RequestId, NumberId)> = match self.pool().get_mut(&key) {
                Some(pending) => {
                    let take = (permits.len() + beyond).min(pending.reads.len());
                    pending.reads.drain(..take).collect()
                }
                None => Vec::new(),
            };
            // Checked for each batch: the budget may have passed the mark meanwhile.
            if let Some(why) = held_back() {
                for (request, _) in part {
                    self.send(Msg::Reply(request, Reply::NotSent(why.clone())));
                }
                continue;
            }
            let ids: Vec<NumberId> = part.iter().map(|(_, id)| id.clone()).collect();
            let batch = engine.client.get_settings_batch(&ids).await;
            drop(permits);
            drop(turn);
            for ((request, id), answer) in part.into_iter().zip(batch) {
                match answer {
                    Some(answer) => {
                        answer_storage(&self.keep, &self.tx, &engine, request, &id, answer)
                    }
                    None => self.ask_alone(&engine, request, id),
                }
            }
        }
    }

    /// A read the batch did not answer, asked alone on a task of its own (holding a permit):
    /// a slow number holds up only its own read, not the batches after it.
    fn ask_alone(&self, engine: &crate::engine::Engine, request: RequestId, id: NumberId) {
        let (permits, engine) = (self.permits.clone(), engine.clone());
        let (keep, tx, cancel) = (self.keep.clone(), self.tx.clone(), self.cancel.clone());
        tokio::spawn(async move {
            let read = async {
                let Ok(_permit) = permits.acquire_owned().await else {
                    return;
                };
                let answer = engine.client.get_settings(&id).await;
                answer_storage(&keep, &tx, &engine, request, &id, answer);
            };
            tokio::select! {
                _ = cancel.cancelled() => {}
                _ = read => {}
            }
        });
    }

    fn pool(&self) -> std::sync::MutexGuard<'_, StoragePool> {
        self.storage_pool.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Between one and `wanted` permits: one waited for, then as many more as are free
    /// (called in the storage turn).
    async fn permits_for(&self, wanted: usize) -> Option<Vec<tokio::sync::SemaphorePermit<'_>>> {
        let mut permits = vec![self.permits.acquire().await.ok()?];
        while permits.len() < wanted.min(READ_CONCURRENCY) {
            match self.permits.try_acquire() {
                Ok(permit) => permits.push(permit),
                Err(_) => break,
            }
        }
        Some(permits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(request: RequestId, profile: &str, asker: Asker) -> Cmd {
        Cmd::ReadSettings {
            request,
            profile: ProfileName::from(profile),
            id: NumberId::parse(&(1_000 + request).to_string()).unwrap(),
            asker,
        }
    }

    fn shape(work: &[ReadWork]) -> Vec<String> {
        work.iter()
            .map(|w| match w {
                ReadWork::One(Cmd::ReadSettings { request, .. }) => format!("one {request}"),
                ReadWork::One(_) => "other".into(),
                ReadWork::Storage { profile, reads, .. } => format!(
                    "{profile}: {:?}",
                    reads.iter().map(|(r, _)| *r).collect::<Vec<_>>()
                ),
            })
            .collect()
    }

    #[test]
    fn reads_queued_together_are_grouped_by_profile_and_asker_eight_at_most() {
        let mut cmds: Vec<Cmd> = (1..=10).map(|r| read(r, "a", Asker::Start)).collect();
        cmds.push(read(11, "b", Asker::Start));
        cmds.push(read(12, "a", Asker::Person));
        cmds.push(read(13, "b", Asker::Start));
        cmds.push(Cmd::StopReread);
        assert_eq!(
            shape(&gather(cmds)),
            [
                "a: [1, 2, 3, 4, 5, 6, 7, 8]",
                "a: [9, 10]",
                "b: [11, 13]",
                "one 12",
                "other",
            ]
        );
    }
}
