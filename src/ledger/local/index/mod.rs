//! The budget index: a short line per trail line, kept in `audit.index` beside the trail, so
//! that budgets and one number's records are read without parsing the window's JSON. The
//! trail stays the only source of truth: the index is written after the trail under the
//! trail's lock, names the trail bytes each of its lines stands for (offset, length, hash),
//! and is checked against them before it is trusted. Lines a wareg without the index appended
//! are parsed from the trail; an index that is missing or out of step (a trail replaced,
//! truncated, or a v1 data dir) is made again from the trail, or the trail is read as before.

mod check;
mod line;
mod make;
mod read;
mod scan;
mod sync;

#[cfg(test)]
mod tests;

pub use read::{budgets, records_of};
pub use scan::{Scan, Unusable};
pub use sync::{remake, sync};

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// The index of the trail at `trail`: `audit.index` beside `audit.jsonl`.
pub fn path_of(trail: &Path) -> PathBuf {
    trail.with_extension("index")
}

/// `buf.len()` bytes of `file` from `at`.
fn read_at(file: &File, buf: &mut [u8], at: u64) -> io::Result<()> {
    let mut file = file;
    file.seek(SeekFrom::Start(at))?;
    file.read_exact(buf)
}
