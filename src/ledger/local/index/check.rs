//! Whether the index is in step with the trail: its header, its last whole line, and that line
//! checked against the trail bytes it names. Cheap (two small reads of each file), so every
//! reader does it before trusting the index.

use super::line::{self, HEADER, Span};
use super::read_at;
use crate::ledger::local::forward::ENDS;
use crate::ledger::local::lines::LINE_MAX;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};

/// What an index that is in step with the trail covers.
#[derive(Debug, Clone, Copy)]
pub struct Checked {
    /// The trail offset of the index's first entry: the trail before it is not indexed.
    pub start: u64,
    /// Where the entries begin in the index file.
    pub entries_start: u64,
    /// Just past the index's last whole line (a line torn by a crash may follow).
    pub entries_end: u64,
    pub index_len: u64,
    /// The trail offset just past the last indexed line: the trail beyond it is not indexed.
    pub covered: u64,
    pub trail_len: u64,
}

/// Longer than any index line: its two free fields are cleaned to 200 characters each.
const LAST_LINE_MAX: u64 = 8 * 1024;

/// The index read against the trail; None if it is not in step (made by something else, for
/// another trail, torn in its header, or naming trail bytes that are not there).
pub fn check(index: &mut File, trail: &File) -> io::Result<Option<Checked>> {
    let Some((start, entries_start)) = header(index)? else {
        return Ok(None);
    };
    let index_len = index.metadata()?.len();
    let Some((entries_end, last)) = last_line(index, entries_start, index_len)? else {
        return Ok(None);
    };
    let last = match last {
        Some(text) => match line::parse(&text) {
            Some(entry) => Some(entry.span),
            None => return Ok(None),
        },
        None => None,
    };
    // Read after the index: a writer appends to the trail before the index, so the trail is
    // never shorter than an index line read before it says.
    let trail_len = trail.metadata()?.len();
    let covered = last.map_or(start, |span| span.end());
    if covered > trail_len {
        return Ok(None);
    }
    let in_step = match last {
        Some(span) => names_a_line(trail, span)?,
        None => start == 0 || byte_at(trail, start - 1)? == b'\n',
    };
    Ok(in_step.then_some(Checked {
        start,
        entries_start,
        entries_end,
        index_len,
        covered,
        trail_len,
    }))
}

/// The trail offset after the header, and where the entries begin.
fn header(index: &mut File) -> io::Result<Option<(u64, u64)>> {
    let mut head = Vec::with_capacity(64);
    index.seek(SeekFrom::Start(0))?;
    index.by_ref().take(64).read_to_end(&mut head)?;
    let Some(nl) = head.iter().position(|b| *b == b'\n') else {
        return Ok(None);
    };
    let start = std::str::from_utf8(&head[..nl])
        .ok()
        .and_then(|h| h.strip_prefix(HEADER))
        .and_then(|h| h.strip_prefix('\t'))
        .and_then(|s| s.parse().ok());
    Ok(start.map(|s| (s, nl as u64 + 1)))
}

/// Just past the last whole line, and that line if it is an entry (not the header).
fn last_line(index: &File, from: u64, len: u64) -> io::Result<Option<(u64, Option<String>)>> {
    let lo = len.saturating_sub(LAST_LINE_MAX).max(from - 1);
    let mut tail = vec![0u8; (len - lo) as usize];
    read_at(index, &mut tail, lo)?;
    // The header's newline stands at `from - 1`, so some newline is always found.
    let Some(end) = tail.iter().rposition(|b| *b == b'\n') else {
        return Ok(None);
    };
    let entries_end = lo + end as u64 + 1;
    if entries_end == from {
        return Ok(Some((entries_end, None)));
    }
    let Some(begin) = tail[..end].iter().rposition(|b| *b == b'\n') else {
        return Ok(None);
    };
    let text = String::from_utf8(tail[begin + 1..end].to_vec()).ok();
    Ok(text.map(|t| (entries_end, Some(t))))
}

/// Whether `span` is a whole line of the trail (or a run of them) with the bytes it was indexed
/// with. A span longer than [`LINE_MAX`] was hashed by its ends, and only they are read.
pub fn names_a_line(trail: &File, span: Span) -> io::Result<bool> {
    if span.len > LINE_MAX {
        return long_span_is(trail, span);
    }
    let lo = span.off.saturating_sub(1);
    let mut bytes = vec![0u8; (span.end() - lo) as usize];
    match read_at(trail, &mut bytes, lo) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(false),
        Err(e) => return Err(e),
    }
    let (body, newline) = bytes.split_at(bytes.len() - 1);
    let body = if span.off == 0 {
        body
    } else {
        match body.split_first() {
            Some((b'\n', body)) => body,
            _ => return Ok(false),
        }
    };
    Ok(newline == b"\n" && line::hash(body) == span.hash)
}

/// [`names_a_line`] of a span longer than [`LINE_MAX`]: a line starts where it does and ends
/// where it does, and its ends are the bytes indexed.
fn long_span_is(trail: &File, span: Span) -> io::Result<bool> {
    let ends = ENDS as u64;
    let Some(tail_at) = span.off.checked_add(span.len - ends) else {
        return Ok(false);
    };
    let mut head = vec![0u8; ENDS];
    let mut tail = vec![0u8; ENDS + 1];
    for (buf, at) in [(&mut head, span.off), (&mut tail, tail_at)] {
        match read_at(trail, buf, at) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(false),
            Err(e) => return Err(e),
        }
    }
    let starts = span.off == 0 || byte_at(trail, span.off - 1)? == b'\n';
    let newline = tail.pop();
    Ok(starts && newline == Some(b'\n') && line::ends_hash(&head, &tail) == span.hash)
}

fn byte_at(file: &File, at: u64) -> io::Result<u8> {
    let mut b = [0u8; 1];
    read_at(file, &mut b, at)?;
    Ok(b[0])
}
