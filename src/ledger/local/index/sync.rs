//! Keeping the index in step, under the trail's lock (the caller holds it): lines appended to
//! the trail since the index was last written are indexed; an index that is missing or out of
//! step is made again from the trail, from as far back as a read of the window goes. The
//! trail is only ever read here.

use chrono::{DateTime, Utc};
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::Path;

use super::check::check;
use super::line::HEADER;
use super::make::{self, Maker};
use crate::ledger::local::forward;
use crate::ledger::local::lines::Flow;
use crate::ledger::local::tail::{self, Horizon};

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
            return rebuild(trail_path, &mut trail, index_path, since);
        }
        Err(e) => return Err(e),
    };
    let Some(checked) = check(&mut index, &trail)? else {
        return rebuild(trail_path, &mut trail, index_path, since);
    };
    if checked.index_len > checked.entries_end {
        // A line torn by a crash: it indexed nothing that the next lines do not index again.
        index.set_len(checked.entries_end)?;
    }
    if checked.trail_len <= checked.covered {
        return Ok(());
    }
    // Read a line at a time and written a few KB at a time: what was appended may be a
    // planted 300 MB line, or millions of junk ones.
    let mut maker = Maker::new(&index);
    index_lines(
        trail_path,
        &mut trail,
        checked.covered,
        checked.trail_len,
        &mut maker,
    )?;
    maker.finish()?;
    Ok(())
}

/// Hands `maker` the trail's lines from `from` to `to` that end with a newline (one that
/// does not may still be being written); says when one is too long to be a record.
fn index_lines<W: Write>(
    trail_path: &Path,
    trail: &mut File,
    from: u64,
    to: u64,
    maker: &mut Maker<W>,
) -> io::Result<()> {
    let mut written = Ok(());
    forward::lines_forward(trail, from, to, &mut |line| {
        if !line.ended {
            return Flow::Stop;
        }
        if line.bytes.is_none() {
            make::warn_overlong(trail_path, line);
        }
        written = maker.add(line);
        if written.is_err() {
            Flow::Stop
        } else {
            Flow::Continue
        }
    })?;
    written
}

fn open_index(path: &Path) -> io::Result<File> {
    crate::private_file::open_existing(path)
}

/// Makes the index of `trail_path` again, from where a read of the records newer than `since`
/// stops: for a read that found the index starting too late. With the trail's lock held.
pub fn remake(trail_path: &Path, index_path: &Path, since: DateTime<Utc>) -> io::Result<()> {
    match crate::private_file::open_read(trail_path) {
        Ok(mut trail) => rebuild(trail_path, &mut trail, index_path, since),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

/// Makes the index again: the trail's whole lines from where a read of the window stops. Two
/// reads, neither holding more than a line: backwards from the end to find where the window's
/// read stops, then forwards from there, each line's index line written as it is made (a
/// trail whose lines have no time is read to its start, and must not be held a line each).
fn rebuild(
    trail_path: &Path,
    trail: &mut File,
    index_path: &Path,
    since: DateTime<Utc>,
) -> io::Result<()> {
    let len = trail.metadata()?.len();
    let end = whole_lines_end(trail, 0, len)?;
    let mut horizon = Horizon::new(since);
    let mut start = 0;
    let stopped = tail::lines_back(trail, 0, end, &mut |raw, at| {
        start = at;
        match tail::record_in(raw) {
            Some(record) if horizon.past(record.time) && horizon.done() => Flow::Stop,
            _ => Flow::Continue,
        }
    })?;
    if !stopped {
        start = 0;
    }
    // Written aside and moved over the old one: a reader sees the old index or the new one.
    let dir = index_path.parent().unwrap_or(Path::new("."));
    let tmp = tempfile::Builder::new()
        .prefix(".audit.index.")
        .tempfile_in(dir)?;
    let mut out = io::BufWriter::new(tmp);
    writeln!(out, "{HEADER}\t{start}")?;
    let mut maker = Maker::new(out);
    index_lines(trail_path, trail, start, end, &mut maker)?;
    let tmp = maker.finish()?.into_inner().map_err(|e| e.into_error())?;
    tmp.persist(index_path).map_err(|e| e.error)?;
    Ok(())
}

/// Just past the last newline between `from` (a line's start) and `to`: where the whole lines
/// end (a line being written, or torn, may follow).
fn whole_lines_end(trail: &mut File, from: u64, to: u64) -> io::Result<u64> {
    let mut end = to;
    let mut buf = vec![0u8; 64 * 1024];
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
