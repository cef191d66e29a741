//! The bulk journal: one append-only JSON-lines file per bulk run in the data dir
//! (`bulk/<id>.jsonl`), each line flushed to disk before the run goes on. It says what was
//! planned, what started, what each step did and how each number ended, so a run that crashed
//! or was quit can be resumed without sending anything twice. No PIN is ever written: there is
//! no field for one.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::Action;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Entry {
    Header {
        id: String,
        action: Action,
        /// The region asked for (region change, register with a region).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        region: Option<String>,
        created: DateTime<Utc>,
        operator: String,
    },
    /// The number will be sent these calls.
    Planned {
        number: String,
        profile: String,
        plan: String,
        steps: Vec<String>,
    },
    /// The number is left out, and why.
    Skipped {
        number: String,
        reason: String,
    },
    Started {
        number: String,
        time: DateTime<Utc>,
    },
    Step {
        number: String,
        call: String,
        /// ok, error, unknown, not_sent, refused
        outcome: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        message: Option<String>,
    },
    Finished {
        number: String,
        state: NumberState,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        message: Option<String>,
    },
    /// The run stopped starting new numbers.
    Stopped {
        reason: String,
        time: DateTime<Utc>,
    },
}

/// Where a number of a bulk run stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NumberState {
    NotStarted,
    /// Started and not finished: a crash or a quit in the middle.
    Interrupted,
    Done,
    Failed,
    /// Whether it happened is not known (a lost answer that a read could not settle).
    Unknown,
    /// Refused before sending (budget, a change in progress).
    Refused,
    Skipped,
}

impl NumberState {
    pub fn words(self) -> &'static str {
        match self {
            NumberState::NotStarted => "not started",
            NumberState::Interrupted => "interrupted",
            NumberState::Done => "done",
            NumberState::Failed => "failed",
            NumberState::Unknown => "unknown",
            NumberState::Refused => "refused",
            NumberState::Skipped => "skipped",
        }
    }
}

pub struct Journal {
    path: PathBuf,
}

/// A journal read back: its header and where each number stands.
#[derive(Debug, Clone)]
pub struct JournalState {
    pub id: String,
    pub action: Action,
    pub region: Option<String>,
    pub created: DateTime<Utc>,
    /// Planned numbers in plan order, with their profile and state.
    pub numbers: Vec<(String, String, NumberState)>,
    pub skipped: Vec<(String, String)>,
    pub stopped: Option<String>,
    pub entries: Vec<Entry>,
}

impl Journal {
    pub fn dir(data_dir: &Path) -> PathBuf {
        data_dir.join("bulk")
    }

    /// A new journal for a new run.
    pub fn create(data_dir: &Path, id: &str) -> io::Result<Journal> {
        let dir = Journal::dir(data_dir);
        crate::paths::create_private_dir(&dir)?;
        Ok(Journal {
            path: dir.join(format!("{id}.jsonl")),
        })
    }

    /// The journal of run `id`; a name that is not a run id is refused (it names a file).
    pub fn open(data_dir: &Path, id: &str) -> Result<Journal, String> {
        if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(format!("`{id}` is not a bulk run id"));
        }
        let path = Journal::dir(data_dir).join(format!("{id}.jsonl"));
        if !path.exists() {
            return Err(format!(
                "there is no bulk run {id} in {}",
                Journal::dir(data_dir).display()
            ));
        }
        Ok(Journal { path })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Held by the process running or resuming this bulk run (released when it ends or dies):
    /// a second process gets None and must not touch the run.
    pub fn claim(&self) -> io::Result<Option<crate::flock::FileLock>> {
        crate::flock::FileLock::try_exclusive(&self.path.with_extension("lock"))
    }

    /// Appends one entry and flushes it to disk before returning.
    pub fn write(&self, entry: &Entry) -> io::Result<()> {
        let mut line = serde_json::to_vec(entry).map_err(io::Error::other)?;
        line.push(b'\n');
        let mut file = crate::private_file::append(&self.path)?;
        file.write_all(&line)?;
        file.sync_data()
    }

    /// Reads it back (up to its cap); a line torn by a crash is skipped.
    pub fn read(&self) -> io::Result<JournalState> {
        let text =
            crate::private_file::read_text_capped(&self.path, crate::private_file::cap::JOURNAL)
                .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", self.path.display())))?;
        let entries: Vec<Entry> = text
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect();
        let Some(Entry::Header {
            id,
            action,
            region,
            created,
            ..
        }) = entries.first().cloned()
        else {
            return Err(io::Error::other(format!(
                "{} does not start with a bulk header",
                self.path.display()
            )));
        };
        let mut order = Vec::new();
        let mut states: BTreeMap<String, (String, NumberState)> = BTreeMap::new();
        let mut skipped = Vec::new();
        let mut stopped = None;
        for entry in &entries {
            match entry {
                Entry::Planned {
                    number, profile, ..
                } => {
                    if !states.contains_key(number) {
                        order.push(number.clone());
                    }
                    states.insert(number.clone(), (profile.clone(), NumberState::NotStarted));
                }
                Entry::Skipped { number, reason } => skipped.push((number.clone(), reason.clone())),
                Entry::Started { number, .. } => {
                    if let Some(s) = states.get_mut(number) {
                        s.1 = NumberState::Interrupted;
                    }
                }
                Entry::Finished { number, state, .. } => {
                    if let Some(s) = states.get_mut(number) {
                        s.1 = *state;
                    }
                }
                Entry::Stopped { reason, .. } => stopped = Some(reason.clone()),
                Entry::Header { .. } | Entry::Step { .. } => {}
            }
        }
        let numbers = order
            .into_iter()
            .filter_map(|n| states.remove(&n).map(|(p, s)| (n, p, s)))
            .collect();
        Ok(JournalState {
            id,
            action,
            region,
            created,
            numbers,
            skipped,
            stopped,
            entries,
        })
    }
}

/// Starts the journal of a new run: its header, then each number planned or left out.
pub fn begin(
    data_dir: &Path,
    action: Action,
    region: Option<String>,
    operator: &str,
    plan: &super::BulkPlan,
) -> io::Result<(String, Journal)> {
    let now = Utc::now();
    let id = new_id(now);
    let journal = Journal::create(data_dir, &id)?;
    journal.write(&Entry::Header {
        id: id.clone(),
        action,
        region,
        created: now,
        operator: operator.to_owned(),
    })?;
    for row in &plan.rows {
        journal.write(&match &row.plan {
            super::RowPlan::Skip(reason) => Entry::Skipped {
                number: row.target.id.as_str().to_owned(),
                reason: reason.clone(),
            },
            _ => Entry::Planned {
                number: row.target.id.as_str().to_owned(),
                profile: row.target.profile.to_string(),
                plan: row.kind().to_owned(),
                steps: row.calls(),
            },
        })?;
    }
    Ok((id, journal))
}

/// Bulk runs in `data_dir` that left numbers not started or interrupted: (id, how many).
pub fn unfinished(data_dir: &Path) -> Vec<(String, usize)> {
    let Ok(entries) = std::fs::read_dir(Journal::dir(data_dir)) else {
        return Vec::new();
    };
    let mut out: Vec<(String, usize)> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let path = e.path();
            let id = path.file_stem()?.to_str()?.to_owned();
            let state = Journal { path }.read().ok()?;
            let left = state
                .numbers
                .iter()
                .filter(|(_, _, s)| matches!(s, NumberState::NotStarted | NumberState::Interrupted))
                .count();
            (left > 0).then_some((id, left))
        })
        .collect();
    out.sort();
    out
}

/// A fresh run id: its start time and a little randomness ("20261125-031501-3f2a").
pub fn new_id(now: DateTime<Utc>) -> String {
    format!("{}-{:04x}", now.format("%Y%m%d-%H%M%S"), fastrand::u16(..))
}
