//! The read queue's storage reads, gathered: reads queued together for one profile by one
//! asker go out as one batch request of up to `READ_CONCURRENCY` (the start queues one per
//! configured number). A batch holds one concurrency permit per read in it (as many as are
//! free, at least one), so no more reads are in flight than one at a time would have had:
//! the budget's high-water mark is passed by no more reads than before, and a mutation
//! holding a permit never makes a batch wait for it. A read queued alone is sent alone.

use super::{Inner, kept_storage};
use crate::config::ProfileName;
use crate::fleet::READ_CONCURRENCY;
use crate::fleet::read_guard::Asker;
use crate::graph::NumberId;
use crate::tui::msg::{Cmd, Msg, Reply, RequestId};

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
/// in groups of at most `READ_CONCURRENCY`, in the order they were queued; everything else
/// (and a storage read with no company) alone.
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
    /// Between one and `wanted` permits: one waited for, then as many more as are free. Groups
    /// take their turn here, so a group finds the permits a finished batch gave back together
    /// instead of each group taking one of them.
    async fn permits_for(&self, wanted: usize) -> Option<Vec<tokio::sync::SemaphorePermit<'_>>> {
        let _turn = self.storage_turn.lock().await;
        let mut permits = vec![self.permits.acquire().await.ok()?];
        while permits.len() < wanted {
            match self.permits.try_acquire() {
                Ok(permit) => permits.push(permit),
                Err(_) => break,
            }
        }
        Some(permits)
    }

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

    /// A group's reads in one batch request, under the same rules as one read: a token that
    /// cannot be read is said per read, reads nobody asked for wait for the profile's usage
    /// and are held back above the high-water mark.
    async fn read_storage_together(
        &self,
        profile: ProfileName,
        asker: Asker,
        reads: Vec<(RequestId, NumberId)>,
    ) {
        let answer_all = |reply: &dyn Fn() -> Reply| {
            for (request, _) in &reads {
                self.send(Msg::Reply(*request, reply()));
            }
        };
        let engine = match self.engine(&profile).await {
            Ok(engine) => engine,
            Err(why) => return answer_all(&|| Reply::NoToken(why.clone())),
        };
        let unasked = !matches!(asker, Asker::Person | Asker::Mutation);
        let held_back = || {
            unasked
                .then(|| kept_storage::held_back(asker, engine.client.usage().highest()))
                .flatten()
        };
        if unasked {
            let limit = self
                .profiles
                .get(profile.as_str())
                .map_or(std::time::Duration::from_secs(30), |p| p.timeout);
            self.heard.wait(&profile, limit).await;
            if let Some(why) = held_back() {
                return answer_all(&|| Reply::NotSent(why.clone()));
            }
        }
        let mut reads = reads.into_iter().peekable();
        while reads.peek().is_some() {
            let Some(permits) = self.permits_for(reads.len()).await else {
                return;
            };
            let part: Vec<(RequestId, NumberId)> = reads.by_ref().take(permits.len()).collect();
            // Checked again: the budget may have passed the mark while it waited.
            if let Some(why) = held_back() {
                for (request, _) in part.into_iter().chain(reads) {
                    self.send(Msg::Reply(request, Reply::NotSent(why.clone())));
                }
                return;
            }
            let ids: Vec<NumberId> = part.iter().map(|(_, id)| id.clone()).collect();
            let answers = engine.client.get_settings_many(&ids).await;
            drop(permits);
            for ((request, id), answer) in part.into_iter().zip(answers) {
                if let Some(entry) = kept_storage::entry_of(&id, &answer, &engine.operator) {
                    let _ = self.keep.send(kept_storage::Keep::Entry(entry));
                }
                self.send(Msg::Reply(request, Reply::Settings(answer)));
            }
        }
    }
}
