//! Index lines made from trail lines as they are read forwards: a line for each record, and one
//! for each run of lines between two records that are not records (torn, blank, junk, longer
//! than any record), so that the index stays about a short line per record whatever else the
//! trail holds. What is written is handed to the file a few KB at a time: a trail of any size
//! is indexed in constant memory.

use std::io::{self, Write};
use std::path::Path;

use super::line::{self, SpanHash};
use crate::ledger::local::forward::Line;
use crate::ledger::local::lines::LINE_MAX;
use crate::ledger::local::tail;

/// How much index text is gathered before it is written.
const WRITE_AT: usize = 64 * 1024;

pub struct Maker<W: Write> {
    out: W,
    text: String,
    /// The run of lines that are not records being read: where it starts, and its hash.
    gap: Option<(u64, SpanHash)>,
}

impl<W: Write> Maker<W> {
    pub fn new(out: W) -> Self {
        Maker {
            out,
            text: String::new(),
            gap: None,
        }
    }

    /// The next trail line (one that ends with its newline), parsed the way every reader of
    /// the trail parses it.
    pub fn add(&mut self, line: &Line<'_>) -> io::Result<()> {
        let record = line
            .bytes
            .filter(|raw| !raw.iter().all(u8::is_ascii_whitespace))
            .and_then(tail::record_in);
        match (record, line.bytes) {
            (Some(record), Some(raw)) => {
                self.end_gap();
                line::write_record(&mut self.text, &record, line.off, line.len, line::hash(raw));
            }
            _ => {
                let (_, hash) = match &mut self.gap {
                    Some(gap) => {
                        // The newline of the run's line before this one is in the run.
                        gap.1.feed(b"\n");
                        gap
                    }
                    None => self.gap.insert((line.off, SpanHash::new())),
                };
                match line.bytes {
                    Some(raw) => hash.feed(raw),
                    None => hash.feed_long(line.len, line.head, line.tail),
                }
            }
        }
        if self.text.len() >= WRITE_AT {
            self.out.write_all(self.text.as_bytes())?;
            self.text.clear();
        }
        Ok(())
    }

    /// Writes what is left; the writer, to be flushed or persisted.
    pub fn finish(mut self) -> io::Result<W> {
        self.end_gap();
        self.out.write_all(self.text.as_bytes())?;
        Ok(self.out)
    }

    fn end_gap(&mut self) {
        if let Some((off, hash)) = self.gap.take() {
            line::write_gap(&mut self.text, off, hash.len(), hash.finish());
        }
    }
}

/// Said once, when the line is indexed: every later read passes over it in silence.
pub fn warn_overlong(trail: &Path, line: &Line<'_>) {
    tracing::warn!(
        target: "wareg::audit",
        "{}: the line at byte {} is {}, longer than any record ({} at most): passed over, not read",
        trail.display(),
        line.off,
        crate::private_file::size_words(line.len),
        crate::private_file::size_words(LINE_MAX)
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::local::forward::lines_forward;
    use crate::ledger::local::index::check::names_a_line;
    use crate::ledger::local::index::line::{Span, parse};
    use crate::ledger::local::lines::Flow;
    use std::fs::File;

    fn record(attempt: &str) -> String {
        format!(
            r#"{{"time":"2026-11-24T10:00:00Z","attempt":"{attempt}","phase":"intent","profile":"p","number":"15550001","op":"register"}}"#
        )
    }

    fn file_of(bytes: &[u8]) -> File {
        let mut file = tempfile::tempfile().unwrap();
        std::io::Write::write_all(&mut file, bytes).unwrap();
        file
    }

    /// What `Maker` makes of `trail`: each index line's span, and whether it is a record.
    fn index_of(trail: &[u8]) -> Vec<(bool, Span)> {
        let mut file = file_of(trail);
        let mut maker = Maker::new(Vec::new());
        lines_forward(&mut file, 0, trail.len() as u64, &mut |line| {
            assert!(line.ended);
            maker.add(line).unwrap();
            Flow::Continue
        })
        .unwrap();
        let text = String::from_utf8(maker.finish().unwrap()).unwrap();
        text.lines()
            .map(|l| {
                let entry = parse(l).unwrap_or_else(|| panic!("{l}"));
                (entry.fact.is_some(), entry.span)
            })
            .collect()
    }

    #[test]
    fn a_run_of_lines_that_are_not_records_is_one_index_line_whatever_its_size() {
        let one = record("a1");
        let two = record("a2");
        let junk = "{\"x\":1}\n".repeat(200_000);
        let long = "y".repeat(3 * LINE_MAX as usize);
        let trail = format!("{one}\n{junk}\n  \n{long}\n{two}\nnot a record\n");
        let index = index_of(trail.as_bytes());
        let gap_len = (junk.len() + 4 + long.len()) as u64;
        let at_two = one.len() as u64 + 1 + gap_len + 1;
        let kinds: Vec<(bool, u64, u64)> = index.iter().map(|(r, s)| (*r, s.off, s.len)).collect();
        assert_eq!(
            kinds,
            [
                (true, 0, one.len() as u64),
                (false, one.len() as u64 + 1, gap_len),
                (true, at_two, two.len() as u64),
                (false, at_two + two.len() as u64 + 1, 12),
            ]
        );
        let file = file_of(trail.as_bytes());
        for (_, span) in &index {
            assert!(names_a_line(&file, *span).unwrap(), "{span:?}");
        }
        // The long run is checked by its ends: a change there, or a line cut short, is seen.
        let long_run = index[1].1;
        let mut changed = trail.clone().into_bytes();
        changed[(long_run.end() - 10) as usize] = b'z';
        assert!(!names_a_line(&file_of(&changed), long_run).unwrap());
        changed = trail.clone().into_bytes();
        changed[(long_run.off + 3) as usize] = b'z';
        assert!(!names_a_line(&file_of(&changed), long_run).unwrap());
        changed = trail.into_bytes();
        changed[(long_run.end() - 1) as usize] = b'z';
        assert!(!names_a_line(&file_of(&changed), long_run).unwrap());
    }
}
