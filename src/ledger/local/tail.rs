//! Reading the trail from its end: the budget window and the screen need the last days, not a
//! year of history, so a command's cost follows the window, not the file's size. The trail is
//! append-only and every record is stamped when it is written, so records stand in time order
//! up to the clock differences between writers; a reader stops only once it is well past the
//! window (`CLOCK_SLACK`), which leaves room for those.

use chrono::{DateTime, Duration, Utc};
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::ops::ControlFlow;
use std::path::Path;

use super::lines::{Flow, LINE_MAX};
use crate::audit::{AuditRecord, SkippedLine};

/// How far past the asked-for start a backward read goes before it stops: a record written
/// later with a clock a little behind stands after newer ones.
pub const CLOCK_SLACK: Duration = Duration::hours(24);

/// How many records in a row must lie past the slack before a backward read stops, so that one
/// record from a badly set clock cannot hide the window behind it.
const OLD_IN_A_ROW: usize = 32;

/// Counts records past the slack, in a row.
pub(crate) struct Horizon {
    pub(crate) stop: DateTime<Utc>,
    /// `stop` as seconds and nanoseconds, which order times as they do: the index's lines are
    /// compared without making a date of each.
    stop_key: (i64, u32),
    old_in_a_row: usize,
}

/// A time as seconds and nanoseconds since the epoch (a leap second's nanoseconds go past a
/// billion), ordered as the times are.
pub(crate) fn time_key(time: DateTime<Utc>) -> (i64, u32) {
    (time.timestamp(), time.timestamp_subsec_nanos())
}

impl Horizon {
    pub(crate) fn new(since: DateTime<Utc>) -> Horizon {
        let stop = since - CLOCK_SLACK;
        Horizon {
            stop,
            stop_key: time_key(stop),
            old_in_a_row: 0,
        }
    }

    /// Whether a record of `time` is past the slack; `done` once enough came in a row.
    pub(crate) fn past(&mut self, time: DateTime<Utc>) -> bool {
        self.past_key(time_key(time))
    }

    /// [`Horizon::past`] of a time given by its [`time_key`].
    pub(crate) fn past_key(&mut self, key: (i64, u32)) -> bool {
        if key <= self.stop_key {
            self.old_in_a_row += 1;
            true
        } else {
            self.old_in_a_row = 0;
            false
        }
    }

    pub(crate) fn done(&self) -> bool {
        self.old_in_a_row >= OLD_IN_A_ROW
    }
}

/// The size of one backward read.
const CHUNK: u64 = 256 * 1024;

/// What stands for a line longer than [`LINE_MAX`] in a backward read: one byte that reads as
/// no record.
const TOO_LONG: &[u8] = &[0];

/// Calls `visit` with each line's record (or why it could not be read), newest first, until it
/// says stop or the file's start is reached. A missing file has no lines.
pub fn scan_back(
    path: &Path,
    mut visit: impl FnMut(Result<AuditRecord, SkippedLine>) -> Flow,
) -> io::Result<()> {
    scan_back_raw(path, |raw, near| visit(parse_line(raw, near)))
}

/// Like [`scan_back`], with each line's bytes (and the byte offset it starts at) unparsed.
pub fn scan_back_raw(path: &Path, mut visit: impl FnMut(&[u8], u64) -> Flow) -> io::Result<()> {
    let mut file = match crate::private_file::open_read(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    let end = file.seek(SeekFrom::End(0))?;
    lines_back(&mut file, 0, end, &mut |raw, at| {
        if raw.iter().all(u8::is_ascii_whitespace) {
            Flow::Continue
        } else {
            visit(raw, at)
        }
    })
    .map(|_| ())
}

/// Every line of `file` between byte `lo` (a line's start) and `hi`, blank ones too, newest
/// first, without its newline and with the offset it starts at. Whether `visit` said stop.
pub fn lines_back(
    file: &mut File,
    lo: u64,
    hi: u64,
    visit: &mut dyn FnMut(&[u8], u64) -> Flow,
) -> io::Result<bool> {
    chunks_back(file, lo, hi, &mut |buf, first, at| {
        let chunk = &buf[first..];
        let mut line_end = chunk.len();
        while line_end > 0 {
            let line_start = chunk[..line_end - 1]
                .iter()
                .rposition(|b| *b == b'\n')
                .map_or(0, |nl| nl + 1);
            let raw = &chunk[line_start..line_end];
            let raw = raw.strip_suffix(b"\n").unwrap_or(raw);
            // A chunk holds lines a little longer than LINE_MAX whole: passed over all the
            // same, as every reader of the trail passes them over.
            let raw = if raw.len() as u64 > LINE_MAX {
                TOO_LONG
            } else {
                raw
            };
            if let Flow::Stop = visit(raw, at + line_start as u64) {
                return Flow::Stop;
            }
            line_end = line_start;
        }
        Flow::Continue
    })
}

/// The bytes of `file` between `lo` (a line's start) and `hi`, newest first, in chunks of
/// whole lines (the newest may lack its newline): `visit` gets a buffer whose lines start at
/// the index it is given, and the offset of that start in the file.
pub fn chunks_back(
    file: &mut File,
    lo: u64,
    hi: u64,
    visit: &mut dyn FnMut(Vec<u8>, usize, u64) -> Flow,
) -> io::Result<bool> {
    let mut end = hi;
    // The start of the line that began before the chunk read last, carried to the next chunk.
    let mut carry: Vec<u8> = Vec::new();
    // Inside a line longer than LINE_MAX: its bytes are dropped as they are read.
    let mut overlong = false;
    while end > lo {
        let start = end.saturating_sub(CHUNK).max(lo);
        let read = (end - start) as usize;
        let mut buf = Vec::with_capacity(read + carry.len());
        buf.resize(read, 0);
        file.seek(SeekFrom::Start(start))?;
        file.read_exact(&mut buf)?;
        if overlong {
            // The overlong line starts after the last newline read (or at the range's start);
            // one byte that reads as no record stands for it, and the lines before it in this
            // chunk are read again as the next chunk.
            let line_start = match memchr::memrchr(b'\n', &buf) {
                Some(nl) => start + nl as u64 + 1,
                None if start == lo => lo,
                None => {
                    end = start;
                    continue;
                }
            };
            overlong = false;
            if let Flow::Stop = visit(TOO_LONG.to_vec(), 0, line_start) {
                return Ok(true);
            }
            end = line_start;
            continue;
        }
        buf.extend_from_slice(&carry);
        // Every line after the chunk's first newline is whole; what stands before it may
        // continue in the previous chunk (unless this chunk starts the range).
        let first_whole = if start == lo {
            0
        } else {
            // Only the bytes just read can hold it: what was carried has no newline.
            match memchr::memchr(b'\n', &buf[..read]) {
                Some(at) => at + 1,
                None => {
                    // The line's own length: what was carried ends with its newline.
                    let len = buf.len() - usize::from(buf.last() == Some(&b'\n'));
                    overlong = len as u64 > LINE_MAX;
                    carry = if overlong { Vec::new() } else { buf };
                    end = start;
                    continue;
                }
            }
        };
        carry = buf[..first_whole].to_vec();
        if let Flow::Stop = visit(buf, first_whole, start + first_whole as u64) {
            return Ok(true);
        }
        end = start;
    }
    Ok(false)
}

/// One line as a record, cleaned like every text from outside.
pub fn parse_line(raw: &[u8], near_byte: u64) -> Result<AuditRecord, SkippedLine> {
    if !could_be_record(raw) {
        return Err(SkippedLine {
            line: 0,
            reason: format!("unreadable line near byte {near_byte}: not a record"),
        });
    }
    serde_json::from_slice::<AuditRecord>(raw)
        .map(AuditRecord::cleaned)
        .map_err(|e| SkippedLine {
            line: 0,
            reason: if e.is_eof() {
                format!("torn line near byte {near_byte} (cut off, probably by a crash)")
            } else {
                format!("unreadable line near byte {near_byte}: {e}")
            },
        })
}

/// The record on a line, if it is one, parsed as [`parse_line`] parses it (without the words
/// of why it is not: a reader that passes over what is not a record does not pay for them).
pub fn record_in(raw: &[u8]) -> Option<AuditRecord> {
    if !could_be_record(raw) {
        return None;
    }
    serde_json::from_slice::<AuditRecord>(raw)
        .ok()
        .map(AuditRecord::cleaned)
}

/// The fewest bytes a record's line can have: a record is a JSON object naming at least its
/// time, attempt, phase, profile, number and operation (49 bytes of keys alone), or the same
/// six values as an array (commas, brackets, quotes and a phase of six letters: 26 at least).
const RECORD_MIN: usize = 24;

/// Whether `raw` can be a record at all, which most junk is told not to be without a parse: a
/// trail planted with millions of short lines (or a file that is not a trail) is passed over
/// at the speed of reading it. Exact: a line this says no to never parses as a record.
fn could_be_record(raw: &[u8]) -> bool {
    raw.len() >= RECORD_MIN
        && matches!(
            raw.iter().find(|b| !b.is_ascii_whitespace()),
            Some(b'{' | b'[')
        )
}

/// Records newer than `since`, oldest first.
pub fn read_since(path: &Path, since: DateTime<Utc>) -> io::Result<Vec<AuditRecord>> {
    read_since_of(path, since, None)
}

/// Records newer than `since` (of one number, when given), oldest first. Other numbers' lines
/// are not parsed: only the time they start with is read, to know where the window ends.
pub fn read_since_of(
    path: &Path,
    since: DateTime<Utc>,
    number: Option<&str>,
) -> io::Result<Vec<AuditRecord>> {
    let needle = number.map(|n| format!("\"number\":\"{n}\"").into_bytes());
    let mut horizon = Horizon::new(since);
    let mut records = Vec::new();
    scan_back_raw(path, |raw, near| {
        let other = needle
            .as_ref()
            .is_some_and(|n| !raw.windows(n.len()).any(|w| w == n.as_slice()));
        let time = if other {
            match leading_time(raw) {
                Some(time) => time,
                None => return Flow::Continue,
            }
        } else {
            match parse_line(raw, near) {
                Ok(record) => {
                    let time = record.time;
                    if time > since && time > horizon.stop {
                        records.push(record);
                    }
                    time
                }
                Err(_) => return Flow::Continue,
            }
        };
        if horizon.past(time) && horizon.done() {
            return Flow::Stop;
        }
        Flow::Continue
    })?;
    records.reverse();
    Ok(records)
}

/// How many records a read of a window holds while it looks for the window's start: a longer
/// window is read again, forwards from its start, rather than held whole.
const HELD_MAX: usize = 50_000;

/// Hands `visit` the records newer than `since`, oldest first, exactly as [`read_since`] finds
/// them, until it says stop; never more than [`HELD_MAX`] of them are held at once. The
/// window's start is found from the file's end (holding what it passes, which is the answer
/// for a window of that size); a longer window is then read forwards from that start.
pub fn stream_since(
    path: &Path,
    since: DateTime<Utc>,
    visit: &mut dyn FnMut(AuditRecord) -> ControlFlow<()>,
) -> io::Result<()> {
    stream_since_holding(path, since, HELD_MAX, visit)
}

/// [`stream_since`] holding at most `held_max` records.
fn stream_since_holding(
    path: &Path,
    since: DateTime<Utc>,
    held_max: usize,
    visit: &mut dyn FnMut(AuditRecord) -> ControlFlow<()>,
) -> io::Result<()> {
    let mut file = match crate::private_file::open_read(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    let end = file.seek(SeekFrom::End(0))?;
    let mut horizon = Horizon::new(since);
    let mut held = Vec::new();
    let mut too_many = false;
    let mut start = 0;
    lines_back(&mut file, 0, end, &mut |raw, at| {
        if raw.iter().all(u8::is_ascii_whitespace) {
            return Flow::Continue;
        }
        let Ok(record) = parse_line(raw, at) else {
            return Flow::Continue;
        };
        let time = record.time;
        if time > since && !too_many {
            if held.len() < held_max {
                held.push(record);
            } else {
                too_many = true;
                held = Vec::new();
            }
        }
        if horizon.past(time) && horizon.done() {
            start = at;
            return Flow::Stop;
        }
        Flow::Continue
    })?;
    if !too_many {
        for record in held.into_iter().rev() {
            if visit(record).is_break() {
                break;
            }
        }
        return Ok(());
    }
    // The same lines, forwards: from where the backward read stopped to where it began.
    super::forward::lines_forward(&mut file, start, end, &mut |line| match line
        .bytes
        .and_then(record_in)
    {
        Some(record) if record.time > since => match visit(record) {
            ControlFlow::Break(()) => Flow::Stop,
            ControlFlow::Continue(()) => Flow::Continue,
        },
        _ => Flow::Continue,
    })?;
    Ok(())
}

/// The time a record line starts with (`{"time":"…"`, as wareg writes it), unparsed otherwise.
fn leading_time(raw: &[u8]) -> Option<DateTime<Utc>> {
    let rest = raw.strip_prefix(b"{\"time\":\"")?;
    let end = rest.iter().position(|b| *b == b'"')?;
    let text = std::str::from_utf8(&rest[..end]).ok()?;
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// The last `count` records that `keep` accepts, oldest first, looking no further back than
/// `horizon` (plus the slack).
pub fn read_last(
    path: &Path,
    count: usize,
    horizon: DateTime<Utc>,
    keep: impl Fn(&AuditRecord) -> bool,
) -> io::Result<Vec<AuditRecord>> {
    let mut horizon = Horizon::new(horizon);
    let mut records = Vec::new();
    if count == 0 {
        return Ok(records);
    }
    scan_back(path, |line| {
        if let Ok(record) = line {
            if horizon.past(record.time) {
                if horizon.done() {
                    return Flow::Stop;
                }
            } else if keep(&record) {
                records.push(record);
                if records.len() >= count {
                    return Flow::Stop;
                }
            }
        }
        Flow::Continue
    })?;
    records.reverse();
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::super::AuditLog;
    use super::*;
    use crate::audit::Operation;
    use std::io::Write;

    fn at(log: &AuditLog, time: DateTime<Utc>, n: usize) {
        let number = crate::graph::NumberId::parse(&format!("{}", n % 7)).unwrap();
        log.append(&AuditRecord::intent(
            time,
            format!("a{n}"),
            "p",
            &number,
            Operation::Register,
        ))
        .unwrap();
    }

    #[test]
    fn a_backward_read_finds_exactly_what_a_whole_read_finds_across_chunk_edges() {
        let dir = tempfile::tempdir().unwrap();
        let log = AuditLog::in_dir(dir.path());
        let now = Utc::now();
        // Enough lines to span several chunks, an hour apart, with a torn line in the middle.
        for n in 0..6_000 {
            at(&log, now - Duration::minutes(6_000 - n as i64), n);
            if n == 5_000 {
                let mut f = std::fs::OpenOptions::new()
                    .append(true)
                    .open(log.path())
                    .unwrap();
                f.write_all(b"{\"time\":\"2026-11-24T10:00:00Z\",\"att\n")
                    .unwrap();
            }
        }
        let since = now - Duration::minutes(2_500);
        let whole: Vec<AuditRecord> = log
            .read()
            .unwrap()
            .records
            .into_iter()
            .filter(|r| r.time > since)
            .collect();
        let tail = read_since(log.path(), since).unwrap();
        assert_eq!(tail.len(), 2_499);
        assert_eq!(tail, whole);
        let threes: Vec<AuditRecord> = whole.iter().filter(|r| r.number == "3").cloned().collect();
        assert_eq!(read_since_of(log.path(), since, Some("3")).unwrap(), threes);
        let last = read_last(log.path(), 3, now - Duration::days(30), |r| r.number == "3").unwrap();
        let ids: Vec<&str> = last.iter().map(|r| r.attempt.as_str()).collect();
        assert_eq!(ids, ["a5981", "a5988", "a5995"]);
        // Streamed, held whole or read again forwards from the window's start: the same.
        for held_max in [HELD_MAX, 10, 0] {
            let mut streamed = Vec::new();
            stream_since_holding(log.path(), since, held_max, &mut |r| {
                streamed.push(r);
                ControlFlow::Continue(())
            })
            .unwrap();
            assert_eq!(streamed, whole, "holding {held_max}");
            let mut first = Vec::new();
            stream_since_holding(log.path(), since, held_max, &mut |r| {
                first.push(r);
                ControlFlow::Break(())
            })
            .unwrap();
            assert_eq!(first, whole[..1], "a sink that says stop gets no more");
        }
    }

    #[test]
    fn records_beside_a_line_longer_than_any_record_are_all_found() {
        let dir = tempfile::tempdir().unwrap();
        let log = AuditLog::in_dir(dir.path());
        let now = Utc::now();
        let pad = |attempt: &str, len: usize| {
            let mut f = std::fs::OpenOptions::new()
                .append(true)
                .open(log.path())
                .unwrap();
            // A record of this window, padded: read whole it would count.
            let mut line = format!(
                r#"{{"time":"{}","attempt":"{attempt}","phase":"intent","profile":"p","number":"1","op":"register""#,
                now.to_rfc3339()
            )
            .into_bytes();
            line.resize(len - 1, b' ');
            f.write_all(&line).unwrap();
            f.write_all(b"}\n").unwrap();
        };
        // Lines before the long one in the chunk that finds its start, at the file's start
        // and further on; a long line within one chunk, and one across several; a line just
        // as long as a reader takes, which is read.
        for n in 0..3 {
            at(&log, now - Duration::minutes(10 - n), n as usize);
        }
        pad("long", 3 * CHUNK as usize);
        for n in 3..6 {
            at(&log, now - Duration::minutes(10 - n), n as usize);
        }
        pad("long", LINE_MAX as usize + 1);
        at(&log, now - Duration::minutes(2), 6);
        pad("longest", LINE_MAX as usize);
        pad("long", 3 * CHUNK as usize);
        let ids: Vec<String> = read_since(log.path(), now - Duration::hours(1))
            .unwrap()
            .into_iter()
            .map(|r| r.attempt)
            .collect();
        assert_eq!(ids, ["a0", "a1", "a2", "a3", "a4", "a5", "a6", "longest"]);
        let mut streamed = Vec::new();
        stream_since_holding(log.path(), now - Duration::hours(1), 0, &mut |r| {
            streamed.push(r.attempt);
            ControlFlow::Continue(())
        })
        .unwrap();
        assert_eq!(streamed, ids, "read forwards the same");
    }

    #[test]
    fn a_record_a_little_out_of_order_is_still_found() {
        let dir = tempfile::tempdir().unwrap();
        let log = AuditLog::in_dir(dir.path());
        let now = Utc::now();
        at(&log, now - Duration::days(30), 1);
        at(&log, now - Duration::hours(1), 2);
        // Written later by a process whose clock is two hours behind, then one ten days off.
        at(&log, now - Duration::hours(3), 3);
        at(&log, now - Duration::days(10), 4);
        at(&log, now - Duration::minutes(30), 5);
        let since = now - Duration::hours(4);
        let ids: Vec<String> = read_since(log.path(), since)
            .unwrap()
            .into_iter()
            .map(|r| r.attempt)
            .collect();
        assert_eq!(ids, ["a2", "a3", "a5"]);
        assert!(
            read_since(&dir.path().join("missing"), since)
                .unwrap()
                .is_empty()
        );
    }
}
