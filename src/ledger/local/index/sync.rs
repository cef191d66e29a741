//! Keeping the index in step, under the trail's lock (the caller holds it): lines appended to
//! the trail since the index was last written are indexed; an index that is missing or out of
//! step is made again from the trail, from as far back as a read of the window goes. The
//! trail is only ever read here.

use chrono::{DateTime, Utc};
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::Path;

use super::check::check;
use super::line::{self, HEADER};
use crate::ledger::local::tail::{self, Flow, Horizon};

/// Brings the index of `trail` up to the trail's last whole line, or makes it again from the
/// trail's lines newer than `since` (and the slack a read of them goes past) when it is missing
/// or out of step. To be called with the trail's lock held.
pub fn sync(trail_path: &Path, index_path: &Path, since: DateTime<Utc>) -> io::Result<()> {
    let mut trail = match crate::private_file::open_read(trail_path) {
        Ok(f) => f,
        // No trail yet: nothing to index, and no file made for it.
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    let mut index = match open_index(index_path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return rebuild(&mut trail, index_path, since);
        }
        Err(e) => return Err(e),
    };
    let Some(checked) = check(&mut index, &trail)? else {
        return rebuild(&mut trail, index_path, since);
    };
    if checked.index_len > checked.entries_end {
        // A line torn by a crash: it indexed nothing that the next lines do not index again.
        index.set_len(checked.entries_end)?;
    }
    let whole_end = whole_lines_end(&mut trail, checked.covered, checked.trail_len)?;
    if whole_end <= checked.covered {
        return Ok(());
    }
    let mut bytes = vec![0u8; (whole_end - checked.covered) as usize];
    trail.seek(SeekFrom::Start(checked.covered))?;
    trail.read_exact(&mut bytes)?;
    let mut out = String::new();
    let mut at = checked.covered;
    // The bytes end with a newline: the piece after it is empty and not a line.
    let body = bytes.strip_suffix(b"\n").unwrap_or(&bytes);
    for raw in body.split(|b| *b == b'\n') {
        line::write(&mut out, at, raw);
        at += raw.len() as u64 + 1;
    }
    index.write_all(out.as_bytes())
}

fn open_index(path: &Path) -> io::Result<File> {
    crate::private_file::open_existing(path)
}

/// Makes the index of `trail_path` again, from where a read of the records newer than `since`
/// stops: for a read that found the index starting too late. With the trail's lock held.
pub fn remake(trail_path: &Path, index_path: &Path, since: DateTime<Utc>) -> io::Result<()> {
    match crate::private_file::open_read(trail_path) {
        Ok(mut trail) => rebuild(&mut trail, index_path, since),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

/// Makes the index again: the trail's whole lines from where a read of the window stops.
fn rebuild(trail: &mut File, index_path: &Path, since: DateTime<Utc>) -> io::Result<()> {
    let len = trail.metadata()?.len();
    let end = whole_lines_end(trail, 0, len)?;
    let mut horizon = Horizon::new(since);
    let mut lines: Vec<String> = Vec::new();
    let mut start = 0;
    let stopped = tail::lines_back(trail, 0, end, &mut |raw, at| {
        let mut text = String::new();
        let time = line::write(&mut text, at, raw);
        lines.push(text);
        start = at;
        match time {
            Some(time) if horizon.past(time) && horizon.done() => Flow::Stop,
            _ => Flow::Continue,
        }
    })?;
    if !stopped {
        start = 0;
    }
    let mut out = format!("{HEADER}\t{start}\n");
    for text in lines.iter().rev() {
        out.push_str(text);
    }
    // Written aside and moved over the old one: a reader sees the old index or the new one.
    let dir = index_path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".audit.index.")
        .tempfile_in(dir)?;
    tmp.write_all(out.as_bytes())?;
    tmp.persist(index_path).map_err(|e| e.error)?;
    Ok(())
}

/// Just past the last newline between `from` (a line's start) and `to`: where the whole lines
/// end (a line being written, or torn, may follow).
fn whole_lines_end(trail: &mut File, from: u64, to: u64) -> io::Result<u64> {
    let mut end = to;
    let mut buf = vec![0u8; 4096];
    while end > from {
        let lo = end.saturating_sub(buf.len() as u64).max(from);
        let piece = &mut buf[..(end - lo) as usize];
        trail.seek(SeekFrom::Start(lo))?;
        trail.read_exact(piece)?;
        if let Some(nl) = piece.iter().rposition(|b| *b == b'\n') {
            return Ok(lo + nl as u64 + 1);
        }
        end = lo;
    }
    Ok(from)
}
