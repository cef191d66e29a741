//! The bulk journal's tip: how many sealed lines its chain has and the seal of the last one,
//! kept beside it (`bulk/<id>.tip`, 0600) and sealed under the data dir's key with the run's
//! id. The chain proves that no line was changed, added, moved or taken out of the middle; it
//! cannot prove that none was taken off the end (what is left still chains). The tip can: a
//! journal shorter than its tip, or whose line at the tip's count is not the one the tip
//! names, lost its end, and a resume refuses it.
//!
//! It is kept in two slots, written in turn (the count's parity picks the slot) in place, and
//! the valid slot with the higher count is the tip: a write caught half-way (a kill, a reader
//! reading meanwhile, a power cut) spoils at most the slot being written, and the other still
//! counts the line before. It is not flushed to disk: a line is, before its tip is written,
//! so whatever reaches the disk the tip never counts more than the journal holds. (Each
//! write flushed, as the journal's lines are, cost 4 to 7 ms a line on the project's
//! machine: a run's every line would wait for it, under the journal's lock.)
//!
//! So a journal may run past its tip, never fall short of it, and a reader reads the tip
//! before the journal (a run writing meanwhile only adds lines past it). A journal past its
//! tip is taken as it is: a kill between a line and its tip leaves one line past it, and
//! so does a newer slot spoilt (by a power cut, or by hand: then that one line could be cut
//! unseen). One line of slack is safe. Nothing a run does follows a line until
//! `Journal::write` has written its tip, and a run sends nothing for a number whose
//! `started` line could not be written whole: a `started` line past its tip after a kill had
//! nothing sent after it; one cut by hand leaves its number not started, and the ledger then
//! shows that the run sent it something (a resume reads it back, `bulk/resume.rs`); a `step`
//! or `finished` line cut off leaves its number interrupted, which a resume reads back and
//! never re-sends blindly. A copy of the journal and its tip put back whole is the same case
//! as the hand-cut `started` line, on any number of numbers.

use serde::{Deserialize, Serialize};
use std::io;
use std::path::{Path, PathBuf};

use super::seal::{Key, Seal};

/// The size of a slot: one sealed tip (about 170 bytes) padded with spaces, ending in a
/// newline. Two slots fit in the disk's smallest write (512 bytes).
const SLOT: usize = 256;
const SLOTS: u64 = 2;

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

/// Writes `tip` as the tip of run `run`'s journal at `journal`, into its slot (the other
/// slot keeps the tip before).
pub fn write(key: &Key, journal: &Path, run: &str, tip: &Tip) -> io::Result<()> {
    let stored = Stored {
        lines: tip.lines,
        last: tip.last.to_hex(),
        mac: key.seal_tip(run, tip.lines, &tip.last),
    };
    let mut bytes = serde_json::to_vec(&stored).map_err(io::Error::other)?;
    if bytes.len() >= SLOT {
        // A count and two MACs: never near it.
        return Err(io::Error::other("a journal tip outgrew its slot"));
    }
    bytes.resize(SLOT - 1, b' ');
    bytes.push(b'\n');
    let slot = tip.lines % SLOTS;
    crate::private_file::write_in_place(&path_of(journal), slot * SLOT as u64, &bytes)
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
    let bytes = match crate::private_file::read_capped(&path, SLOTS * SLOT as u64) {
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
    bytes
        .chunks(SLOT)
        .filter_map(|slot| slot_tip(key, run, slot))
        .max_by_key(|tip| tip.lines)
        .ok_or_else(not_ours)
}

/// The tip in one slot, if it holds one sealed for this run (a slot half-written, empty or
/// changed holds none).
fn slot_tip(key: &Key, run: &str, slot: &[u8]) -> Option<Tip> {
    let stored: Stored = serde_json::from_slice(slot.trim_ascii_end()).ok()?;
    let last = Seal::from_hex(&stored.last)?;
    key.check_tip(run, stored.lines, &last, &stored.mac)
        .then_some(Tip {
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

        // The next tip goes to the other slot; the newer one is the tip.
        let (_, next) = key.seal(&seal, b"{}").unwrap();
        let newer = Tip {
            lines: 8,
            last: next,
        };
        write(&key, &journal, run, &newer).unwrap();
        assert_eq!(read(&key, &journal, run).unwrap(), newer);
        assert_eq!(std::fs::metadata(path_of(&journal)).unwrap().len(), 512);
        // The newer slot half-written (a kill, a power cut): the one before is the tip.
        let mut bytes = std::fs::read(path_of(&journal)).unwrap();
        bytes[40..80].fill(b'0');
        std::fs::write(path_of(&journal), &bytes).unwrap();
        assert_eq!(read(&key, &journal, run).unwrap(), tip);

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
