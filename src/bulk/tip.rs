//! The bulk journal's tip: how many sealed lines its chain has and the seal of the last one,
//! kept beside it (`bulk/<id>.tip`, 0600) and sealed under the data dir's key with the run's
//! id. The chain proves that no line was changed, added, moved or taken out of the middle; it
//! cannot prove that none was taken off the end (what is left still chains). The tip can: a
//! journal shorter than its tip, or whose line at the tip's count is not the one the tip
//! names, lost its end, and a resume refuses it.
//!
//! Crash safety. Each line is written and flushed before the tip is replaced (written beside,
//! then renamed over), so whenever wareg dies the tip counts this line or the one before: a
//! journal may run past its tip, never fall short of it. A reader reads the tip before the
//! journal for the same reason: a run writing meanwhile only adds lines past the tip read.
//! So a journal longer than its tip is taken as it is (a kill between a line and its tip
//! leaves one more line; a tip that could not be written, more).
//!
//! The one line a kill can leave past the tip could be cut unseen. That is safe: nothing a
//! run does follows a line until `Journal::write` has written its tip too, and a run sends
//! nothing for a number whose `started` line could not be written whole. So a `started` line
//! past its tip had nothing sent after it, and a `step` or `finished` line cut off leaves its
//! number interrupted, which a resume reads back and never re-sends blindly.

use serde::{Deserialize, Serialize};
use std::io;
use std::path::{Path, PathBuf};

use super::seal::{Key, Seal};

/// A tip is one short line; anything much longer was not written by wareg.
const CAP: u64 = 512;

/// Where the chain ends: its sealed lines, and the last one's seal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tip {
    pub lines: u64,
    pub last: Seal,
}

impl Tip {
    /// A chain with no line yet.
    pub const EMPTY: Tip = Tip {
        lines: 0,
        last: super::seal::START,
    };
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Stored {
    lines: u64,
    last: String,
    mac: String,
}

/// The tip's file beside `journal` (`<id>.jsonl` → `<id>.tip`).
pub fn path_of(journal: &Path) -> PathBuf {
    journal.with_extension("tip")
}

/// Replaces the tip of run `run`'s journal at `journal` with `tip`, whole or not at all.
pub fn write(key: &Key, journal: &Path, run: &str, tip: &Tip) -> io::Result<()> {
    let stored = Stored {
        lines: tip.lines,
        last: tip.last.to_hex(),
        mac: key.seal_tip(run, tip.lines, &tip.last),
    };
    let mut bytes = serde_json::to_vec(&stored).map_err(io::Error::other)?;
    bytes.push(b'\n');
    crate::private_file::replace(&path_of(journal), &bytes)
}

/// The tip of run `run`'s journal at `journal`, checked against the key. One missing, over
/// its cap, or not sealed by this key for this run is an `InvalidData` error in words that
/// follow "the journal is not as wareg wrote it: "; one that cannot be opened (a link in its
/// place) is the open's error.
pub fn read(key: &Key, journal: &Path, run: &str) -> io::Result<Tip> {
    let path = path_of(journal);
    let invalid = |why: String| io::Error::new(io::ErrorKind::InvalidData, why);
    let not_ours = || {
        invalid(format!(
            "its tip ({}), which says how many lines wareg wrote, is not as wareg wrote it",
            path.display()
        ))
    };
    let bytes = match crate::private_file::read_capped(&path, CAP) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(invalid(format!(
                "its tip ({}), which says how many lines wareg wrote, is missing, so lines may have been cut off its end",
                path.display()
            )));
        }
        Err(e) if e.kind() == io::ErrorKind::FileTooLarge => return Err(not_ours()),
        Err(e) => return Err(e),
    };
    let stored: Stored = serde_json::from_slice(&bytes).map_err(|_| not_ours())?;
    let last = Seal::from_hex(&stored.last).ok_or_else(not_ours)?;
    if !key.check_tip(run, stored.lines, &last, &stored.mac) {
        return Err(not_ours());
    }
    Ok(Tip {
        lines: stored.lines,
        last,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tip_reads_back_only_unchanged_for_its_own_run_and_key() {
        let dir = tempfile::tempdir().unwrap();
        let key = Key::load_or_create(dir.path()).unwrap();
        let journal = dir.path().join("20260101-000000-abcd.jsonl");
        let run = "20260101-000000-abcd";
        let (_, seal) = key.seal(&super::super::seal::START, b"{}").unwrap();
        let tip = Tip {
            lines: 7,
            last: seal,
        };
        write(&key, &journal, run, &tip).unwrap();
        assert_eq!(read(&key, &journal, run).unwrap(), tip);
        let e = read(&key, &journal, "20260101-000000-abce")
            .unwrap_err()
            .to_string();
        assert!(e.contains("not as wareg wrote it"), "another run's: {e}");
        let other = tempfile::tempdir().unwrap();
        let stranger = Key::load_or_create(other.path()).unwrap();
        assert!(read(&stranger, &journal, run).is_err(), "another key's");

        let text = std::fs::read_to_string(path_of(&journal)).unwrap();
        std::fs::write(
            path_of(&journal),
            text.replace("\"lines\":7", "\"lines\":6"),
        )
        .unwrap();
        let e = read(&key, &journal, run).unwrap_err().to_string();
        assert!(e.contains("not as wareg wrote it"), "a count changed: {e}");

        std::fs::remove_file(path_of(&journal)).unwrap();
        let e = read(&key, &journal, run).unwrap_err().to_string();
        assert!(e.contains("is missing"), "{e}");
        assert!(e.contains(".tip"), "it names the file: {e}");
    }
}
