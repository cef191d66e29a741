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
use super::tip::{self, Tip};

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
        /// Its label in the config, so the results name it as people do.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        label: Option<String>,
        /// Its display phone number, as the plan's read gave it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        display: Option<String>,
    },
    /// The number is left out, and why.
    Skipped {
        number: String,
        reason: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        label: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        display: Option<String>,
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
    /// The run decided to stop: no number starts after this line; those in flight go on to
    /// the end of their plans.
    Stopping {
        reason: String,
        time: DateTime<Utc>,
    },
    /// The run stopped: the last number in flight has ended, and nothing is sent after this
    /// line. (An earlier wareg wrote only this line, when it decided to stop.)
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
    /// The run's id: the file's name, which its header must give too.
    id: String,
    /// The data dir's seal key (None: it has none, as an earlier wareg's data dir).
    key: Option<super::seal::Key>,
    /// The chain so far (its last seal, which the next line chains from, and its length):
    /// what the journal's tip says once a line is written.
    last: std::sync::Mutex<Tip>,
}

/// Whether a journal read back can be trusted to say what wareg wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sealing {
    /// Every line is sealed and the chain holds.
    Sealed,
    /// Written by an earlier wareg that did not seal its journals: it may be shown, never
    /// resumed (its action and numbers could have been changed).
    Unsealed,
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
    /// Why the run decided to stop (its `stopping` line), until a resume starts a number.
    pub stopping: Option<String>,
    /// Why the run stopped (its `stopped` line), until a resume starts a number.
    pub stopped: Option<String>,
    pub entries: Vec<Entry>,
    pub sealing: Sealing,
}

impl Journal {
    pub fn dir(data_dir: &Path) -> PathBuf {
        data_dir.join(crate::paths::BULK_DIR)
    }

    /// A new journal for a new run (the data dir's seal key is made if it has none).
    pub fn create(data_dir: &Path, id: &str) -> io::Result<Journal> {
        let dir = Journal::dir(data_dir);
        crate::paths::create_private_dir(&dir)?;
        // A link there would put the journals (and the run's locks) wherever it points.
        if crate::private_file::is_link(&dir) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                crate::private_file::link_refused(&dir),
            ));
        }
        let key = super::seal::Key::load_or_create(data_dir)?;
        let path = dir.join(format!("{id}.jsonl"));
        // The tip comes before the first line: a sealed journal without one was cut or
        // planted, never written by wareg.
        tip::write(&key, &path, id, &Tip::EMPTY)?;
        Ok(Journal {
            path,
            id: id.to_owned(),
            key: Some(key),
            last: std::sync::Mutex::new(Tip::EMPTY),
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
        Journal::at(path).map_err(|e| format!("cannot read the bulk journals' key: {e}"))
    }

    /// The journal at `path`, with its directory's seal key if it has one.
    fn at(path: PathBuf) -> io::Result<Journal> {
        // The key is in the data dir, beside the journals' directory.
        let key = match path.parent().and_then(Path::parent) {
            Some(data_dir) => super::seal::Key::load(data_dir)?,
            None => None,
        };
        let id = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_owned();
        Ok(Journal {
            path,
            id,
            key,
            last: std::sync::Mutex::new(Tip::EMPTY),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The run's id, as its file is named.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Held by the process running or resuming this bulk run (released when it ends or dies):
    /// a second process gets None and must not touch the run.
    pub fn claim(&self) -> io::Result<Option<crate::flock::FileLock>> {
        crate::flock::FileLock::try_exclusive(&self.path.with_extension("lock"))
    }

    /// Appends one entry, sealed after the line before it, flushes it to disk and then
    /// writes the journal's tip, before returning (see `bulk/tip.rs` for why in that
    /// order). Entries written at once (a run's numbers in parallel) take turns. An error
    /// after the line was written (its tip could not be) still counts the line: the next
    /// line chains from it.
    pub fn write(&self, entry: &Entry) -> io::Result<()> {
        let Some(key) = &self.key else {
            return Err(io::Error::other(
                "this data dir has no key to seal bulk journals with",
            ));
        };
        let body = serde_json::to_vec(entry).map_err(io::Error::other)?;
        let mut last = self.last.lock().unwrap_or_else(|p| p.into_inner());
        let (mut line, seal) = key.seal(&last.last, &body)?;
        line.push(b'\n');
        let mut file = crate::private_file::append(&self.path)?;
        if !crate::private_file::ends_with_newline(&mut file)? {
            // A crash left a torn line: this one starts on a line of its own.
            line.insert(0, b'\n');
        }
        file.write_all(&line)?;
        file.sync_data()?;
        *last = Tip {
            lines: last.lines + 1,
            last: seal,
        };
        // Only now that the line is on disk: a tip never counts a line the journal lacks.
        tip::write(key, &self.path, &self.id, &last)
            .map_err(|e| io::Error::new(e.kind(), format!("the journal's tip: {e}")))
    }

    /// Reads it back (up to its cap); a line torn by a crash is skipped. A sealed journal
    /// whose chain breaks, or whose lines name a number the run did not plan, is an error
    /// (`InvalidData`); an earlier wareg's unsealed one is read as it is and says so.
    pub fn read(&self) -> io::Result<JournalState> {
        // The tip before the journal: a run writing meanwhile only adds lines past it.
        let tip = self
            .key
            .as_ref()
            .map(|key| tip::read(key, &self.path, &self.id));
        let text =
            crate::private_file::read_text_capped(&self.path, crate::private_file::cap::JOURNAL)
                .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", self.path.display())))?;
        let (entries, sealing) = self.entries_of(&text, tip)?;
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
        let mut stopping = None;
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
                Entry::Skipped { number, reason, .. } => {
                    skipped.push((number.clone(), reason.clone()))
                }
                Entry::Started { number, .. } => {
                    // A number started after the run stopped: it was resumed.
                    if stopped.is_some() {
                        (stopping, stopped) = (None, None);
                    }
                    if let Some(s) = states.get_mut(number) {
                        s.1 = NumberState::Interrupted;
                    }
                }
                Entry::Finished { number, state, .. } => {
                    if let Some(s) = states.get_mut(number) {
                        s.1 = *state;
                    }
                }
                Entry::Stopping { reason, .. } => stopping = Some(reason.clone()),
                Entry::Stopped { reason, .. } => stopped = Some(reason.clone()),
                Entry::Header { .. } | Entry::Step { .. } => {}
            }
        }
        if sealing == Sealing::Sealed {
            self.check_bound(&id, &entries, &states)?;
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
            stopping,
            stopped,
            entries,
            sealing,
        })
    }

    /// The entries of a journal's text, each sealed line checked against the one before, and
    /// the chain against the journal's `tip` (read before the text): none of the lines it
    /// counts may be missing. A line a crash tore (no seal, no closing brace) is skipped and
    /// the chain goes on from the line before; a whole line without a seal is refused.
    fn entries_of(
        &self,
        text: &str,
        tip: Option<io::Result<Tip>>,
    ) -> io::Result<(Vec<Entry>, Sealing)> {
        use super::seal::Checked;
        let sealed = text
            .lines()
            .find(|l| !l.trim().is_empty())
            .is_some_and(super::seal::is_sealed);
        if !sealed {
            let entries = text
                .lines()
                .filter_map(|l| serde_json::from_str(l).ok())
                .collect();
            return Ok((entries, Sealing::Unsealed));
        }
        let Some(key) = &self.key else {
            return Err(self.tampered(
                "it is sealed, and the key it was sealed with (bulk-journal.key) is not in the data dir",
            ));
        };
        let tip = match tip {
            Some(Ok(tip)) => tip,
            Some(Err(e)) if e.kind() == io::ErrorKind::InvalidData => {
                return Err(self.tampered(&e.to_string()));
            }
            Some(Err(e)) => return Err(e),
            None => return Err(self.tampered("it is sealed, and the data dir has no key")),
        };
        let mut last = super::seal::START;
        let mut entries: Vec<Entry> = Vec::new();
        // The seal of the line the tip counts up to, once the chain reaches it.
        let mut at_tip = (tip.lines == 0).then_some(last);
        for (n, line) in text.lines().enumerate() {
            match key.check(&last, line) {
                Checked::Sealed(body, seal) => {
                    let entry = serde_json::from_str(&body).map_err(|e| {
                        self.tampered(&format!("line {} is sealed but unreadable: {e}", n + 1))
                    })?;
                    entries.push(entry);
                    last = seal;
                    if entries.len() as u64 == tip.lines {
                        at_tip = Some(seal);
                    }
                }
                // A crash tears a line before its closing brace, which comes after the seal:
                // a whole JSON line without one was written by someone else, not by a crash.
                Checked::Unsealed
                    if serde_json::from_str::<serde_json::Value>(line.trim()).is_ok() =>
                {
                    return Err(self.tampered(&format!(
                        "line {} is a whole line without a seal (added by hand)",
                        n + 1
                    )));
                }
                Checked::Unsealed => {}
                Checked::Broken => {
                    return Err(self.tampered(&format!(
                        "line {} does not follow the line before it (a line was changed, added, moved or removed)",
                        n + 1
                    )));
                }
            }
        }
        let lines = entries.len() as u64;
        if lines < tip.lines {
            let gone = tip.lines - lines;
            return Err(self.tampered(&format!(
                "{} cut off its end: its tip ({}) says wareg wrote {} sealed lines, and {lines} are there",
                match gone {
                    1 => "its last line was".to_owned(),
                    n => format!("its last {n} lines were"),
                },
                tip::path_of(&self.path).display(),
                tip.lines,
            )));
        }
        if at_tip != Some(tip.last) {
            return Err(self.tampered(&format!(
                "its sealed line {} is not the one its tip ({}) names",
                tip.lines,
                tip::path_of(&self.path).display()
            )));
        }
        *self.last.lock().unwrap_or_else(|p| p.into_inner()) = Tip { lines, last };
        Ok((entries, Sealing::Sealed))
    }

    /// What only a changed journal can say, even with its seals: a header naming another
    /// run, or a line about a number the run did not plan.
    fn check_bound(
        &self,
        id: &str,
        entries: &[Entry],
        planned: &BTreeMap<String, (String, NumberState)>,
    ) -> io::Result<()> {
        if self.id != id {
            return Err(self.tampered(&format!("its header names another run ({id})")));
        }
        for entry in entries {
            let number = match entry {
                Entry::Started { number, .. }
                | Entry::Step { number, .. }
                | Entry::Finished { number, .. } => number,
                _ => continue,
            };
            if !planned.contains_key(number) {
                return Err(
                    self.tampered(&format!("it names {number}, which the run did not plan"))
                );
            }
        }
        Ok(())
    }

    fn tampered(&self, why: &str) -> io::Error {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{} is not as wareg wrote it: {why}", self.path.display()),
        )
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
                label: row.target.label.clone(),
                display: row.display.clone(),
            },
            _ => Entry::Planned {
                number: row.target.id.as_str().to_owned(),
                profile: row.target.profile.to_string(),
                plan: row.kind().to_owned(),
                steps: row.calls(),
                label: row.target.label.clone(),
                display: row.display.clone(),
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
            // Only the journals: their tips and locks are beside them.
            if path.extension().is_none_or(|x| x != "jsonl") {
                return None;
            }
            let id = path.file_stem()?.to_str()?.to_owned();
            let state = Journal::at(path).ok()?.read().ok()?;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn header(id: &str) -> Entry {
        Entry::Header {
            id: id.into(),
            action: Action::Register,
            region: None,
            created: Utc::now(),
            operator: "t".into(),
        }
    }

    #[test]
    fn a_line_torn_by_a_crash_is_skipped_and_the_chain_goes_on_after_it() {
        let dir = tempfile::tempdir().unwrap();
        let id = "20260101-000000-abcd";
        let journal = Journal::create(dir.path(), id).unwrap();
        journal.write(&header(id)).unwrap();
        journal
            .write(&Entry::Planned {
                number: "1065".into(),
                profile: "p".into(),
                plan: "register".into(),
                steps: vec![],
                label: None,
                display: None,
            })
            .unwrap();
        // A crash in the middle of a line.
        let mut file = crate::private_file::append(journal.path()).unwrap();
        file.write_all(br#"{"kind":"started","number":"10"#)
            .unwrap();
        drop(file);

        let resumed = Journal::open(dir.path(), id).unwrap();
        let state = resumed.read().unwrap();
        assert_eq!(state.sealing, Sealing::Sealed);
        assert_eq!(state.numbers.len(), 1);
        resumed
            .write(&Entry::Started {
                number: "1065".into(),
                time: Utc::now(),
            })
            .unwrap();
        let state = Journal::open(dir.path(), id).unwrap().read().unwrap();
        assert_eq!(state.numbers[0].2, NumberState::Interrupted, "{state:?}");
        assert_eq!(state.entries.len(), 3);
    }

    fn planned(number: &str) -> Entry {
        Entry::Planned {
            number: number.into(),
            profile: "p".into(),
            plan: "register".into(),
            steps: vec![],
            label: None,
            display: None,
        }
    }

    #[test]
    fn a_journal_cut_at_its_end_is_refused_and_one_a_kill_left_past_its_tip_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let id = "20260101-000000-abd0";
        let journal = Journal::create(dir.path(), id).unwrap();
        journal.write(&header(id)).unwrap();
        journal.write(&planned("1065")).unwrap();
        journal.write(&planned("1066")).unwrap();
        let tip_path = tip::path_of(journal.path());
        let tip_before = std::fs::read(&tip_path).unwrap();
        journal
            .write(&Entry::Started {
                number: "1065".into(),
                time: Utc::now(),
            })
            .unwrap();
        let whole = std::fs::read_to_string(journal.path()).unwrap();
        let cut = |lines: usize| -> String {
            let kept: Vec<&str> = whole.lines().collect();
            kept[..kept.len() - lines]
                .iter()
                .map(|l| format!("{l}\n"))
                .collect()
        };

        // The `started` line cut off: the chain still holds, the tip says a line is gone.
        std::fs::write(journal.path(), cut(1)).unwrap();
        let e = Journal::open(dir.path(), id).unwrap().read().unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
        let words = e.to_string();
        assert!(
            words.contains("its last line was cut off its end"),
            "{words}"
        );
        assert!(
            words.contains(&format!("{id}.jsonl")),
            "it names the journal: {words}"
        );
        // Two lines cut.
        std::fs::write(journal.path(), cut(2)).unwrap();
        let e = Journal::open(dir.path(), id).unwrap().read().unwrap_err();
        assert!(e.to_string().contains("its last 2 lines were"), "{e}");

        // A kill between the `started` line and its tip: the journal is one line past its
        // tip. That is how wareg left it, and it reads, and goes on.
        std::fs::write(journal.path(), &whole).unwrap();
        std::fs::write(&tip_path, &tip_before).unwrap();
        let resumed = Journal::open(dir.path(), id).unwrap();
        let state = resumed.read().unwrap();
        assert_eq!(state.numbers[0].2, NumberState::Interrupted, "{state:?}");
        resumed
            .write(&Entry::Finished {
                number: "1065".into(),
                state: NumberState::Done,
                message: None,
            })
            .unwrap();
        let state = Journal::open(dir.path(), id).unwrap().read().unwrap();
        assert_eq!(state.numbers[0].2, NumberState::Done);
        // The tip caught up: now cutting that last line is seen.
        let whole = std::fs::read_to_string(journal.path()).unwrap();
        let kept: Vec<&str> = whole.lines().collect();
        let text: String = kept[..kept.len() - 1]
            .iter()
            .map(|l| format!("{l}\n"))
            .collect();
        std::fs::write(journal.path(), text).unwrap();
        assert!(Journal::open(dir.path(), id).unwrap().read().is_err());

        // Without its tip, a sealed journal is not trusted.
        std::fs::write(journal.path(), &whole).unwrap();
        std::fs::remove_file(&tip_path).unwrap();
        let e = Journal::open(dir.path(), id).unwrap().read().unwrap_err();
        assert!(e.to_string().contains("is missing"), "{e}");
    }

    #[test]
    fn a_tip_of_another_run_does_not_vouch_for_this_one() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = ("20260101-000000-abd1", "20260101-000000-abd2");
        for id in [a, b] {
            let journal = Journal::create(dir.path(), id).unwrap();
            journal.write(&header(id)).unwrap();
            journal.write(&planned("1065")).unwrap();
        }
        let tip_of = |id: &str| Journal::dir(dir.path()).join(format!("{id}.tip"));
        std::fs::copy(tip_of(b), tip_of(a)).unwrap();
        let e = Journal::open(dir.path(), a).unwrap().read().unwrap_err();
        assert!(e.to_string().contains("not as wareg wrote it"), "{e}");
    }

    #[test]
    fn a_line_about_a_number_the_run_did_not_plan_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let id = "20260101-000000-abce";
        let journal = Journal::create(dir.path(), id).unwrap();
        journal.write(&header(id)).unwrap();
        journal
            .write(&Entry::Started {
                number: "1065".into(),
                time: Utc::now(),
            })
            .unwrap();
        let e = Journal::open(dir.path(), id).unwrap().read().unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
        assert!(e.to_string().contains("did not plan"), "{e}");
        // A header naming another run, under this run's name.
        let other = "20260101-000000-abcf";
        let journal = Journal::create(dir.path(), other).unwrap();
        journal.write(&header(id)).unwrap();
        let e = Journal::open(dir.path(), other)
            .unwrap()
            .read()
            .unwrap_err();
        assert!(e.to_string().contains("another run"), "{e}");
    }
}
