//! The budget window read through the index: the same lines, in the same order, with the same
//! stop as a backward read of the trail (`tail`), but the lines the index covers are read from
//! its short lines instead of parsing the trail's JSON. Three stretches, newest first: the
//! trail beyond what the index covers (appended by a wareg that keeps no index, or not yet
//! indexed), the index, and the trail before the index's start (when a read reaches that far).
//!
//! The index is read in two passes: backward, reading only each line's kind and time, to find
//! where the window ends; then forward over those lines, parsing them whole.

use chrono::{DateTime, Utc};
use std::fs::File;
use std::io::{self, Seek, SeekFrom};
use std::path::Path;

use super::check::{Checked, check, names_a_line};
use super::line::{self, Entry, Span};
use crate::audit::budget::BudgetFact;
use crate::audit::tail::{self, Flow, Horizon};
use crate::audit::{AuditRecord, BudgetBook, BudgetTally};
use crate::config::BudgetPolicy;

/// The records newer than a time, from the trail and its index.
#[derive(Debug, Default)]
pub struct Window {
    /// From the trail before the index's start, oldest first.
    before: Vec<AuditRecord>,
    /// The index's lines the read went through, newest chunk first.
    chunks: Vec<String>,
    /// Where, in the oldest chunk, the first line the read went through starts.
    first_line: usize,
    /// Whether the read went through the index's first line.
    from_index_start: bool,
    /// From the trail beyond what the index covers, oldest first.
    after: Vec<AuditRecord>,
    since: Option<DateTime<Utc>>,
    checked: Option<Checked>,
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

impl Window {
    /// The records newer than `since`, read the way `tail::read_since` reads them.
    pub fn read(trail: &Path, index: &Path, since: DateTime<Utc>) -> Result<Window, Unusable> {
        let mut trail = match File::open(trail) {
            Ok(f) => f,
            // No trail, no records, and no index needed.
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Window::default()),
            Err(e) => return Err(e.into()),
        };
        let mut index = match File::open(index) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(Unusable::Missing),
            Err(e) => return Err(e.into()),
        };
        let checked = check(&mut index, &trail)?.ok_or(Unusable::OutOfStep)?;
        let mut window = Window {
            lag: checked.trail_len - checked.covered,
            since: Some(since),
            checked: Some(checked),
            ..Window::default()
        };
        let mut horizon = Horizon::new(since);

        // Newest first: what the index does not cover yet.
        let mut after = beyond(&mut trail, checked.covered, checked.trail_len)?;
        let mut newest_first = Vec::new();
        let mut stopped = false;
        while let Some(record) = after.pop() {
            let time = record.time;
            if time > since {
                newest_first.push(record);
            }
            if horizon.past(time) && horizon.done() {
                stopped = true;
                break;
            }
        }
        newest_first.reverse();
        window.after = newest_first;
        if stopped || window.walk_index(&mut index, &checked, &mut horizon)? {
            return Ok(window);
        }

        // The index starts later than the read needs: the rest comes from the trail itself.
        window.from_index_start = true;
        if checked.start > 0 {
            window.started_late = true;
            let mut before = Vec::new();
            tail::lines_back(&mut trail, 0, checked.start, &mut |raw, at| {
                if raw.iter().all(u8::is_ascii_whitespace) {
                    return Flow::Continue;
                }
                let Ok(record) = tail::parse_line(raw, at) else {
                    return Flow::Continue;
                };
                let time = record.time;
                if time > since {
                    before.push(record);
                }
                if horizon.past(time) && horizon.done() {
                    Flow::Stop
                } else {
                    Flow::Continue
                }
            })?;
            before.reverse();
            window.before = before;
        }
        Ok(window)
    }

    /// The backward pass: keeps the index's chunks up to the line where the window ends,
    /// reading only each line's kind and time. Whether it stopped there (rather than at the
    /// index's start).
    fn walk_index(
        &mut self,
        index: &mut File,
        checked: &Checked,
        horizon: &mut Horizon,
    ) -> Result<bool, Unusable> {
        let mut bad = false;
        let chunks = &mut self.chunks;
        let first_line = &mut self.first_line;
        let stopped = tail::chunks_back(
            index,
            checked.entries_start,
            checked.entries_end,
            &mut |mut bytes, first, _| {
                bytes.drain(..first);
                let Ok(chunk) = String::from_utf8(bytes) else {
                    bad = true;
                    return Flow::Stop;
                };
                let mut end = chunk.len();
                let mut flow = Flow::Continue;
                // Every chunk ends with a newline: the index holds whole lines only.
                while end > 0 {
                    let start = chunk[..end - 1].rfind('\n').map_or(0, |nl| nl + 1);
                    *first_line = start;
                    if let Some(key) = line::time_key(&chunk[start..end - 1])
                        && horizon.past_key(key)
                        && horizon.done()
                    {
                        flow = Flow::Stop;
                        break;
                    }
                    end = start;
                }
                chunks.push(chunk);
                flow
            },
        )?;
        if bad {
            return Err(Unusable::OutOfStep);
        }
        Ok(stopped)
    }

    /// The forward pass: every index line the read went through, oldest first, checked to
    /// follow each other in the trail up to where the index ends.
    fn each_entry<'a>(&'a self, mut visit: impl FnMut(Entry<'a>)) -> Result<(), Unusable> {
        let Some(checked) = self.checked else {
            return Ok(());
        };
        let mut expected = self.from_index_start.then_some(checked.start);
        for (n, chunk) in self.chunks.iter().rev().enumerate() {
            let text = if n == 0 {
                &chunk[self.first_line..]
            } else {
                chunk.as_str()
            };
            for text in text.split_terminator('\n') {
                let entry = line::parse(text).ok_or(Unusable::OutOfStep)?;
                if expected.is_some_and(|at| at != entry.span.off) {
                    return Err(Unusable::OutOfStep);
                }
                expected = Some(entry.span.end());
                visit(entry);
            }
        }
        if expected.is_some_and(|at| at != checked.covered) {
            return Err(Unusable::OutOfStep);
        }
        Ok(())
    }

    /// Budgets as of `now` from every record of the window.
    pub fn budgets(
        &self,
        policy: BudgetPolicy,
        now: DateTime<Utc>,
    ) -> Result<BudgetBook, Unusable> {
        let since = self.since.unwrap_or(DateTime::<Utc>::MIN_UTC);
        let mut tally = BudgetTally::new(policy, now);
        for record in &self.before {
            tally.add(BudgetFact::of(record));
        }
        self.each_entry(|entry| {
            if let Some(fact) = entry.fact.filter(|f| f.time > since) {
                tally.add(fact);
            }
        })?;
        for record in &self.after {
            tally.add(BudgetFact::of(record));
        }
        Ok(tally.finish())
    }

    /// One number's records, oldest first, their lines read from the trail at the offsets the
    /// index gives. Out of step if a line is no longer the one indexed.
    pub fn records_of(&self, trail: &Path, number: &str) -> Result<Vec<AuditRecord>, Unusable> {
        let since = self.since.unwrap_or(DateTime::<Utc>::MIN_UTC);
        let mut out: Vec<AuditRecord> = self
            .before
            .iter()
            .filter(|r| r.number == number)
            .cloned()
            .collect();
        let mut mine: Vec<Span> = Vec::new();
        self.each_entry(|entry| {
            if entry
                .fact
                .is_some_and(|f| f.number == number && f.time > since)
            {
                mine.push(entry.span);
            }
        })?;
        if !mine.is_empty() {
            let file = File::open(trail)?;
            for span in mine {
                out.push(read_record(&file, span)?);
            }
        }
        out.extend(self.after.iter().filter(|r| r.number == number).cloned());
        Ok(out)
    }
}

/// The record on the trail line `span` names, if that line is still the one indexed.
fn read_record(trail: &File, span: Span) -> Result<AuditRecord, Unusable> {
    if !names_a_line(trail, span)? {
        return Err(Unusable::OutOfStep);
    }
    let mut raw = vec![0u8; span.len as usize];
    super::read_at(trail, &mut raw, span.off)?;
    tail::parse_line(&raw, span.off).map_err(|_| Unusable::OutOfStep)
}

/// The records of the trail's lines from `from` to `to`, oldest first; the last line may be
/// unfinished (a write under way, or torn), and is then passed over like any unreadable one.
fn beyond(trail: &mut File, from: u64, to: u64) -> io::Result<Vec<AuditRecord>> {
    if to <= from {
        return Ok(Vec::new());
    }
    let mut bytes = vec![0u8; (to - from) as usize];
    trail.seek(SeekFrom::Start(from))?;
    io::Read::read_exact(trail, &mut bytes)?;
    let mut records = Vec::new();
    let mut at = from;
    for raw in bytes.split(|b| *b == b'\n') {
        if !raw.iter().all(u8::is_ascii_whitespace)
            && let Ok(record) = tail::parse_line(raw, at)
        {
            records.push(record);
        }
        at += raw.len() as u64 + 1;
    }
    Ok(records)
}
