//! One line of the index: where a trail line stands (offset, length, a hash of its bytes) and,
//! when the line is a record, what budgets read of it. Tab-separated text: the trail's text
//! fields are cleaned as they are parsed, so they hold no tab or line break.
//!
//! A record: `r` + phase + operation + outcome (one letter each), seconds, nanoseconds,
//! number, offset, length, hash, code, lock end (`secs.nanos`), attempt; `-` where there is
//! none. Anything else (torn lines, blank ones, junk): `x`, offset, length, hash, for the run
//! of such lines between two records (their newlines inside it). What every read needs of a
//! line comes first ([`head`]); the rest is parsed only for the lines it wants.
//!
//! The hash is of every byte the line stands for, or, past [`LINE_MAX`], of its first and last
//! [`ENDS`] bytes: a planted line of 300 MB is checked by reading 8 KB of it.

use chrono::DateTime;
use std::fmt::Write as _;

use crate::audit::budget::BudgetFact;
use crate::audit::{AuditRecord, Operation, Outcome, Phase};
use crate::ledger::local::forward::{ENDS, keep_last, last};
use crate::ledger::local::lines::LINE_MAX;

/// The index's first line, then the trail offset its first entry starts at.
/// Version 2 since records are typed: a line whose number or region version 1 took is not a
/// record now, so an index made by an older wareg is made again rather than trusted.
/// Version 3 since a run of lines that are not records is one line of the index, and a line
/// longer than [`LINE_MAX`] is not a record and is hashed by its ends.
pub const HEADER: &str = "wareg audit index 3";

/// Where a trail line stands: `len` bytes from `off`, not counting its newline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub off: u64,
    pub len: u64,
    pub hash: u32,
}

impl Span {
    /// The trail offset just past this line's newline.
    pub fn end(&self) -> u64 {
        // Saturating: the numbers come from a file, and no trail is that long.
        self.off.saturating_add(self.len).saturating_add(1)
    }
}

/// An index line read back: where its trail line stands and, for a record, its facts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry<'a> {
    pub span: Span,
    pub fact: Option<BudgetFact<'a>>,
}

const FNV_START: u32 = 0x811c_9dc5;

/// FNV-1a: enough to tell that a trail line is still the one that was indexed.
pub fn hash(bytes: &[u8]) -> u32 {
    fnv(FNV_START, bytes)
}

fn fnv(start: u32, bytes: &[u8]) -> u32 {
    bytes.iter().fold(start, |h: u32, b| {
        (h ^ u32::from(*b)).wrapping_mul(0x0100_0193)
    })
}

/// The hash of a span longer than [`LINE_MAX`]: of its first and last [`ENDS`] bytes.
pub fn ends_hash(head: &[u8], tail: &[u8]) -> u32 {
    fnv(hash(head), tail)
}

/// The hash of a span, made as its bytes are read (a line held whole, or a long one's ends),
/// holding no more than its two ends.
pub struct SpanHash {
    len: u64,
    /// Of every byte, while the span is short enough to be hashed whole.
    whole: u32,
    head: Vec<u8>,
    tail: Vec<u8>,
}

impl SpanHash {
    pub fn new() -> SpanHash {
        SpanHash {
            len: 0,
            whole: FNV_START,
            head: Vec::new(),
            tail: Vec::new(),
        }
    }

    /// The next bytes of the span, held whole (a line, or the newline after one).
    pub fn feed(&mut self, bytes: &[u8]) {
        self.len += bytes.len() as u64;
        if self.len <= LINE_MAX {
            self.whole = fnv(self.whole, bytes);
        }
        let room = ENDS - self.head.len();
        self.head.extend_from_slice(&bytes[..bytes.len().min(room)]);
        keep_last(&mut self.tail, bytes);
    }

    /// The next `len` bytes of the span, a line longer than [`LINE_MAX`] of which only the
    /// first and last [`ENDS`] were kept.
    pub fn feed_long(&mut self, len: u64, head: &[u8], tail: &[u8]) {
        self.len += len;
        let room = ENDS - self.head.len();
        self.head.extend_from_slice(&head[..head.len().min(room)]);
        keep_last(&mut self.tail, tail);
    }

    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn finish(&self) -> u32 {
        if self.len <= LINE_MAX {
            self.whole
        } else {
            ends_hash(&self.head, last(&self.tail))
        }
    }
}

/// Appends the index line of the record `r` standing at `off` for `len` bytes hashed `hash`.
pub fn write_record(out: &mut String, r: &AuditRecord, off: u64, len: u64, hash: u32) {
    let span = format!("{off}\t{len}\t{hash:08x}");
    let phase = match r.phase {
        Phase::Intent => 'i',
        Phase::Outcome => 'o',
    };
    let outcome = match r.outcome {
        None => '-',
        Some(Outcome::Ok) => 'k',
        Some(Outcome::Error) => 'e',
        Some(Outcome::Unknown) => 'u',
        Some(Outcome::NotSent) => 'n',
    };
    let _ = write!(
        out,
        "r{phase}{}{outcome}\t{}\t{}\t{}\t{span}\t",
        op_char(r.op),
        r.time.timestamp(),
        r.time.timestamp_subsec_nanos(),
        r.number,
    );
    match r.code {
        Some(code) => {
            let _ = write!(out, "{code}");
        }
        None => out.push('-'),
    }
    match r.locked_until {
        Some(t) => {
            let _ = write!(out, "\t{}.{}", t.timestamp(), t.timestamp_subsec_nanos());
        }
        None => out.push_str("\t-"),
    }
    let _ = writeln!(out, "\t{}", r.attempt);
}

/// Appends the index line of a run of lines that are not records.
pub fn write_gap(out: &mut String, off: u64, len: u64, hash: u32) {
    let _ = writeln!(out, "x\t{off}\t{len}\t{hash:08x}");
}

fn op_char(op: Operation) -> char {
    match op {
        Operation::Register => 'r',
        Operation::Deregister => 'd',
        Operation::Settings => 's',
        Operation::SetPin => 'p',
        Operation::RequestCode => 'c',
        Operation::VerifyCode => 'v',
        Operation::Add => 'a',
        Operation::Rename => 'n',
        Operation::Other => 'o',
    }
}

fn op_of(c: u8) -> Option<Operation> {
    Some(match c {
        b'r' => Operation::Register,
        b'd' => Operation::Deregister,
        b's' => Operation::Settings,
        b'p' => Operation::SetPin,
        b'c' => Operation::RequestCode,
        b'v' => Operation::VerifyCode,
        b'a' => Operation::Add,
        b'n' => Operation::Rename,
        b'o' => Operation::Other,
        _ => return None,
    })
}

/// What every read needs of an index line: its kind, time, number and span.
#[derive(Debug, Clone, Copy)]
pub struct Head<'a> {
    /// `r` + phase + operation + outcome for a record; None for a line that is not one.
    pub kind: Option<[u8; 4]>,
    /// The record's time as [`tail::time_key`] gives it.
    pub key: (i64, u32),
    pub number: &'a str,
    pub span: Span,
    rest: Fields<'a>,
}

/// The head of an index line (without its newline); None if it is not one this version writes.
pub fn head(line: &str) -> Option<Head<'_>> {
    let mut fields = Fields::new(line);
    let kind = fields.next()?.as_bytes();
    if kind == b"x" {
        let span = span(&mut fields)?;
        return fields.end().then_some(Head {
            kind: None,
            key: (0, 0),
            number: "",
            span,
            rest: fields,
        });
    }
    let &[b'r', phase, op, outcome] = kind else {
        return None;
    };
    let key = (int(fields.next()?)?, small(fields.next()?)?);
    let number = fields.next()?;
    let span = span(&mut fields)?;
    Some(Head {
        kind: Some([b'r', phase, op, outcome]),
        key,
        number,
        span,
        rest: fields,
    })
}

impl<'a> Head<'a> {
    /// The record's facts; None for a line that is not a record, or not one this version
    /// writes.
    pub fn fact(&self) -> Option<BudgetFact<'a>> {
        let [_, phase, op, outcome] = self.kind?;
        let mut fields = self.rest;
        let code = match fields.next()? {
            "-" => None,
            code => Some(int(code)?),
        };
        let locked_until = match fields.next()? {
            "-" => None,
            lock => {
                let (secs, nanos) = lock.split_once('.')?;
                Some(DateTime::from_timestamp(int(secs)?, small(nanos)?)?)
            }
        };
        let attempt = fields.next()?;
        if !fields.end() {
            return None;
        }
        Some(BudgetFact {
            time: DateTime::from_timestamp(self.key.0, self.key.1)?,
            attempt,
            phase: match phase {
                b'i' => Phase::Intent,
                b'o' => Phase::Outcome,
                _ => return None,
            },
            number: self.number,
            op: op_of(op)?,
            outcome: match outcome {
                b'-' => None,
                b'k' => Some(Outcome::Ok),
                b'e' => Some(Outcome::Error),
                b'u' => Some(Outcome::Unknown),
                b'n' => Some(Outcome::NotSent),
                _ => return None,
            },
            code,
            locked_until,
        })
    }
}

/// An index line (without its newline) read whole; None if it is not one this version writes.
pub fn parse(line: &str) -> Option<Entry<'_>> {
    let head = head(line)?;
    let fact = match head.kind {
        None => None,
        Some(_) => Some(head.fact()?),
    };
    Some(Entry {
        span: head.span,
        fact,
    })
}

fn span(fields: &mut Fields) -> Option<Span> {
    let off = uint(fields.next()?)?;
    let len = uint(fields.next()?)?;
    let hash = fields.next()?;
    if hash.len() != 8 {
        return None;
    }
    Some(Span {
        off,
        len,
        hash: u32::from_str_radix(hash, 16).ok()?,
    })
}

/// The tab-separated fields of a line, split by hand: a read goes through thousands of lines,
/// and the general splitters cost more than the parse.
#[derive(Debug, Clone, Copy)]
struct Fields<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Fields<'a> {
    fn new(text: &'a str) -> Self {
        Fields { text, at: 0 }
    }

    fn next(&mut self) -> Option<&'a str> {
        let rest = self.text.get(self.at..)?;
        let len = rest.bytes().position(|b| b == b'\t').unwrap_or(rest.len());
        self.at += len + 1;
        rest.get(..len)
    }

    /// Whether every field was read.
    fn end(&self) -> bool {
        self.at > self.text.len()
    }
}

/// Digits only (no sign, no `+`), as this module writes them.
fn uint(text: &str) -> Option<u64> {
    if text.is_empty() || text.len() > 19 {
        return None;
    }
    text.bytes().try_fold(0u64, |n, b| {
        b.is_ascii_digit().then(|| n * 10 + u64::from(b - b'0'))
    })
}

fn int(text: &str) -> Option<i64> {
    match text.strip_prefix('-') {
        Some(digits) => i64::try_from(uint(digits)?).ok().map(|n| -n),
        None => i64::try_from(uint(text)?).ok(),
    }
}

fn small(text: &str) -> Option<u32> {
    u32::try_from(uint(text)?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::local::tail;

    fn record(line: &str) -> AuditRecord {
        tail::parse_line(line.as_bytes(), 0).unwrap()
    }

    #[test]
    fn a_record_reads_back_as_the_facts_budgets_take_from_it() {
        let lines = [
            r#"{"time":"2026-11-24T10:00:00.123Z","attempt":"a 1","phase":"intent","profile":"p","number":"15550001","op":"register"}"#,
            r#"{"time":"2026-11-24T10:00:01.5Z","attempt":"a 1","phase":"outcome","profile":"p","number":"15550001","op":"deregister","outcome":"error","code":133016,"locked_until":"2026-11-27T10:00:01Z"}"#,
            // A leap second, a tab cleaned out of the attempt (a number is digits only), an
            // operation from a newer wareg.
            r#"{"time":"2016-12-31T23:59:60.25Z","attempt":"a\tb","phase":"outcome","profile":"p","number":"12","op":"teleport","outcome":"not_sent"}"#,
        ];
        for (n, line) in lines.iter().enumerate() {
            let mut out = String::new();
            let (off, len) = (40 * n as u64, line.len() as u64);
            write_record(&mut out, &record(line), off, len, hash(line.as_bytes()));
            let text = out.strip_suffix('\n').unwrap();
            let entry = parse(text).unwrap_or_else(|| panic!("{text}"));
            let r = record(line);
            assert_eq!(entry.fact, Some(BudgetFact::of(&r)), "{text}");
            assert_eq!(
                entry.span,
                Span {
                    off: 40 * n as u64,
                    len: line.len() as u64,
                    hash: hash(line.as_bytes())
                }
            );
        }
    }

    #[test]
    fn a_gap_reads_back_as_no_record_and_a_bad_index_line_is_refused() {
        let mut out = String::new();
        write_gap(&mut out, 7, 35, 0x1234_abcd);
        write_gap(&mut out, 50, 2, 3);
        let entries: Vec<Entry> = out.lines().map(|l| parse(l).unwrap()).collect();
        assert!(entries.iter().all(|e| e.fact.is_none()));
        assert_eq!(entries[0].span.hash, 0x1234_abcd);
        assert_eq!(entries[1].span.end(), 53);
        for bad in [
            "",
            "x\t1\t2",
            "x\t1\t2\tzz",
            "x\t1\t2\t0000000z",
            "x\t1\t2\t00000003\textra",
            "x\t+1\t2\t00000003",
            "riq-\t10\t0\tn\t1\t2\t00000003\t-\t-\ta",
            "rir-\t10\t0\tn\t1\t2\t00000003\t-\t-",
            "rir-\t10\t0\tn\t1\t2\t00000003\t-\t-\ta\tb",
            "rir-\t10\t0\tn\t1\t2\t00000003\tcode\t-\ta",
            "rir-\t10\t5000000000\tn\t1\t2\t00000003\t-\t-\ta",
            "rir-\t10\t0\tn\t1\t2\t00000003\t-\t5\ta",
        ] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
        // From a file: no sum of its numbers overflows.
        let huge = parse("x\t9999999999999999999\t9999999999999999999\t00000000").unwrap();
        assert_eq!(huge.span.end(), u64::MAX);
        let good = "rir-\t-10\t7\tn\t1\t2\t00000003\t-\t-\t";
        let entry = parse(good).unwrap();
        assert_eq!(entry.fact.map(|f| (f.number, f.attempt)), Some(("n", "")));
        assert_eq!(entry.fact.map(|f| tail::time_key(f.time)), Some((-10, 7)));
    }
}
