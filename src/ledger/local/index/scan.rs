//! The budget window read through the index: the same lines, in the same order, with the same
//! stop as a backward read of the trail (`tail`), but the lines the index covers are read from
//! its short lines instead of parsing the trail's JSON. Three stretches, newest first: the
//! trail beyond what the index covers (appended by a wareg that keeps no index, or not yet
//! indexed), the index, and the trail before the index's start (when a read reaches that far).

use chrono::{DateTime, Utc};
use std::fs::File;
use std::io;
use std::path::Path;

use super::check::{Checked, check};
use super::line::{self, Head};
use crate::audit::AuditRecord;
use crate::ledger::local::lines::Flow;
use crate::ledger::local::tail::{self, Horizon, time_key};

/// How far behind the trail an index is still read through, the rest parsed from the trail.
const BEYOND_MAX: u64 = 4 * 1024 * 1024;

/// What a read hands each record of the window to, newest first.
pub trait Visit {
    /// A record the index covers, of which only the head is parsed yet; false if the rest of
    /// its line does not read (the index is then out of step).
    fn indexed(&mut self, head: &Head<'_>) -> bool;
    /// A record read from the trail itself.
    fn record(&mut self, record: AuditRecord);
}

/// How a read through the index went.
#[derive(Debug, Default, Clone, Copy)]
pub struct Scan {
    /// How many trail bytes the index is behind.
    pub lag: u64,
    /// The read went on into the trail before the index's start: the index starts too late
    /// for this window (a longer budget window than the one it was made for).
    pub started_late: bool,
}

/// Why the index could not be used; the trail itself is then read.
#[derive(Debug)]
pub enum Unusable {
    Missing,
    OutOfStep,
    Io(io::Error),
}

impl From<io::Error> for Unusable {
    fn from(e: io::Error) -> Self {
        Unusable::Io(e)
    }
}

/// Hands `visit` the records newer than `since`, as `tail::read_since` finds them. On an error
/// what `visit` was given is to be dropped.
pub fn scan(
    trail: &Path,
    index: &Path,
    since: DateTime<Utc>,
    visit: &mut dyn Visit,
) -> Result<Scan, Unusable> {
    let mut trail = match crate::private_file::open_read(trail) {
        Ok(f) => f,
        // No trail, no records, and no index needed.
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Scan::default()),
        Err(e) => return Err(e.into()),
    };
    let mut index = match crate::private_file::open_read(index) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(Unusable::Missing),
        Err(e) => return Err(e.into()),
    };
    let checked = check(&mut index, &trail)?.ok_or(Unusable::OutOfStep)?;
    // What the index does not cover is parsed below, a line at a time: more than a few MB
    // of it means the index is far behind (the caller brings it up to date, or reads the
    // trail itself).
    if checked.trail_len - checked.covered > BEYOND_MAX {
        return Err(Unusable::OutOfStep);
    }
    let mut scan = Scan {
        lag: checked.trail_len - checked.covered,
        started_late: false,
    };
    let mut horizon = Horizon::new(since);

    // What the index does not cover yet, newest first; its last line may be unfinished (a
    // write under way, or torn), and is then passed over like any unreadable one.
    let ended = tail::lines_back(
        &mut trail,
        checked.covered,
        checked.trail_len,
        &mut |raw, _| match tail::record_in(raw) {
            Some(record) => {
                let time = record.time;
                if time > since {
                    visit.record(record);
                }
                if horizon.past(time) && horizon.done() {
                    Flow::Stop
                } else {
                    Flow::Continue
                }
            }
            None => Flow::Continue,
        },
    )?;
    if ended {
        return Ok(scan);
    }

    if walk_index(&mut index, &checked, &mut horizon, since, visit)? {
        return Ok(scan);
    }

    // The index starts later than the read needs: the rest comes from the trail itself.
    if checked.start > 0 {
        scan.started_late = true;
        tail::lines_back(&mut trail, 0, checked.start, &mut |raw, at| {
            if raw.iter().all(u8::is_ascii_whitespace) {
                return Flow::Continue;
            }
            let Ok(record) = tail::parse_line(raw, at) else {
                return Flow::Continue;
            };
            let time = record.time;
            if time > since {
                visit.record(record);
            }
            if horizon.past(time) && horizon.done() {
                Flow::Stop
            } else {
                Flow::Continue
            }
        })?;
    }
    Ok(scan)
}

/// The index's lines, newest first, each checked to end where the next one starts in the
/// trail; whether the window ended in the index (rather than at its start).
fn walk_index(
    index: &mut File,
    checked: &Checked,
    horizon: &mut Horizon,
    since: DateTime<Utc>,
    visit: &mut dyn Visit,
) -> Result<bool, Unusable> {
    let mut expected_end = checked.covered;
    let mut bad = false;
    let since_key = time_key(since);
    let stopped = tail::chunks_back(
        index,
        checked.entries_start,
        checked.entries_end,
        &mut |bytes, first, _| {
            let Ok(chunk) = std::str::from_utf8(&bytes[first..]) else {
                bad = true;
                return Flow::Stop;
            };
            // Every chunk ends with a newline: the index holds whole lines only.
            let mut end = chunk.len();
            while end > 0 {
                let start = chunk[..end - 1].rfind('\n').map_or(0, |nl| nl + 1);
                let head = line::head(&chunk[start..end - 1]);
                end = start;
                let Some(head) = head.filter(|h| h.span.end() == expected_end) else {
                    bad = true;
                    return Flow::Stop;
                };
                expected_end = head.span.off;
                if head.kind.is_none() {
                    continue;
                }
                if head.key > since_key && !visit.indexed(&head) {
                    bad = true;
                    return Flow::Stop;
                }
                if horizon.past_key(head.key) && horizon.done() {
                    return Flow::Stop;
                }
            }
            Flow::Continue
        },
    )?;
    if bad || (!stopped && expected_end != checked.start) {
        return Err(Unusable::OutOfStep);
    }
    Ok(stopped)
}
