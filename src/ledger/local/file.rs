//! The trail on disk: append-only JSON lines. One `write` per record on a file opened with
//! O_APPEND, so two processes never interleave inside a line; a line torn by a crash is
//! skipped with a warning and never takes earlier records with it.

use std::io::{self, Write};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use crate::audit::{AuditRecord, SkippedLine};

#[derive(Debug, Clone)]
pub struct AuditLog {
    path: PathBuf,
}

#[derive(Debug, Clone, Default)]
pub struct AuditRead {
    pub records: Vec<AuditRecord>,
    pub skipped: Vec<SkippedLine>,
}

impl AuditLog {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        AuditLog { path: path.into() }
    }

    /// The trail in a data dir.
    pub fn in_dir(dir: &Path) -> Self {
        AuditLog::new(dir.join(crate::paths::AUDIT_FILE))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one record and flushes it to disk before returning, so an intent is on disk
    /// before its request leaves.
    pub fn append(&self, record: &AuditRecord) -> io::Result<()> {
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            crate::paths::create_private_dir(dir)?;
        }
        // Cleaned as every reader cleans it, which also bounds it: each text at most 500
        // characters, so that no record comes near the longest line a reader takes.
        let mut line = serde_json::to_vec(&record.clone().cleaned()).map_err(io::Error::other)?;
        line.push(b'\n');
        let mut file = crate::private_file::append(&self.path)?;
        if !crate::private_file::ends_with_newline(&mut file)? {
            // A crash left a torn line: close it so this record starts on a line of its own.
            line.insert(0, b'\n');
        }
        file.write_all(&line)?;
        file.sync_data()
    }

    /// Every readable record, oldest first. A missing file is an empty trail.
    pub fn read(&self) -> io::Result<AuditRead> {
        let text = match crate::private_file::read_capped(
            &self.path,
            crate::private_file::cap::READ_WHOLE,
        ) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(AuditRead::default()),
            Err(e) => {
                return Err(io::Error::new(
                    e.kind(),
                    format!("{}: {e}", self.path.display()),
                ));
            }
        };
        Ok(parse_trail(&text))
    }
}

impl AuditLog {
    /// Calls `visit` with each line's record (or why and where it was skipped), oldest first,
    /// holding one line at a time, until it says stop: the whole trail can be read in constant
    /// memory.
    pub fn for_each(
        &self,
        mut visit: impl FnMut(Result<AuditRecord, SkippedLine>) -> ControlFlow<()>,
    ) -> io::Result<()> {
        use super::lines::Flow;
        let mut file = match crate::private_file::open_read(&self.path) {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e),
        };
        let end = file.metadata()?.len();
        let mut line = 0;
        super::forward::lines_forward(&mut file, 0, end, &mut |read| {
            line += 1;
            let found = match read.bytes {
                // Longer than any record: passed over without holding it.
                None => Err(SkippedLine {
                    line,
                    reason: format!(
                        "unreadable line: longer than {}",
                        crate::private_file::size_words(super::lines::LINE_MAX)
                    ),
                }),
                Some(raw) if raw.iter().all(u8::is_ascii_whitespace) => return Flow::Continue,
                Some(raw) => super::tail::parse_line(raw, 0).map_err(|_| skipped(line, raw)),
            };
            match visit(found) {
                ControlFlow::Break(()) => Flow::Stop,
                ControlFlow::Continue(()) => Flow::Continue,
            }
        })?;
        Ok(())
    }
}

/// Why line `line` could not be read, said the way `read` says it.
fn skipped(line: usize, raw: &[u8]) -> SkippedLine {
    let e = serde_json::from_slice::<AuditRecord>(raw)
        .err()
        .map(|e| (e.is_eof(), e.to_string()))
        .unwrap_or((false, "unreadable".into()));
    SkippedLine {
        line,
        reason: if e.0 {
            "torn line (cut off, probably by a crash)".into()
        } else {
            format!("unreadable line: {}", e.1)
        },
    }
}

/// Parses trail bytes; lines that do not parse are reported, not fatal.
pub fn parse_trail(bytes: &[u8]) -> AuditRead {
    let mut out = AuditRead::default();
    for (index, raw) in bytes.split(|b| *b == b'\n').enumerate() {
        if raw.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match serde_json::from_slice::<AuditRecord>(raw) {
            // The file is outside wareg's control (older versions, hand edits): its text is
            // cleaned as it is read, like any other text from outside.
            Ok(record) => out.records.push(record.cleaned()),
            Err(_) => out.skipped.push(skipped(index + 1, raw)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::Operation;

    fn record(n: u32) -> AuditRecord {
        AuditRecord::intent(
            chrono::Utc::now(),
            format!("a{n}"),
            "p",
            &crate::graph::NumberId::parse("1").unwrap(),
            Operation::Register,
        )
    }

    #[test]
    fn torn_last_line_is_skipped_and_the_next_append_starts_clean() {
        let dir = tempfile::tempdir().unwrap();
        let log = AuditLog::in_dir(dir.path());
        log.append(&record(1)).unwrap();
        log.append(&record(2)).unwrap();
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(log.path())
            .unwrap();
        f.write_all(br#"{"time":"2026-11-24T10:00:00Z","attempt":"torn"#)
            .unwrap();
        drop(f);

        let read = log.read().unwrap();
        assert_eq!(read.records.len(), 2);
        assert_eq!(read.skipped.len(), 1);
        assert!(read.skipped[0].reason.contains("torn"));

        log.append(&record(3)).unwrap();
        let read = log.read().unwrap();
        let ids: Vec<_> = read.records.iter().map(|r| r.attempt.as_str()).collect();
        assert_eq!(ids, ["a1", "a2", "a3"]);
        assert_eq!(read.skipped.len(), 1, "only the torn line is lost");
    }

    #[test]
    fn the_longest_record_wareg_writes_is_far_below_the_longest_line_a_reader_takes() {
        let dir = tempfile::tempdir().unwrap();
        let log = AuditLog::in_dir(dir.path());
        // Every text as long as it can be, of characters four bytes long that JSON writes as
        // they are, with a quote and a backslash (two bytes each) in each; every field set.
        let huge = |n: usize| format!("\"\\{}", "\u{1F600}".repeat(n));
        let mut r = record(1);
        r.attempt = huge(10_000);
        r.profile = huge(10_000).into();
        r.number = crate::graph::NumberId::parse(&"9".repeat(crate::clean::NAME_MAX)).unwrap();
        r.region = Some(crate::graph::Region::In);
        r.phase = crate::audit::Phase::Outcome;
        r.forced = true;
        r.outcome = Some(crate::audit::Outcome::Error);
        r.code = Some(i64::MIN);
        r.locked_until = Some(chrono::Utc::now());
        for text in [
            &mut r.detail,
            &mut r.trace,
            &mut r.message,
            &mut r.operator,
            &mut r.host,
        ] {
            *text = Some(huge(1_000_000));
        }
        log.append(&r).unwrap();
        let written = std::fs::metadata(log.path()).unwrap().len();
        assert!(written < 12 * 1024, "{written} bytes");
        assert!(written * 5 < super::super::lines::LINE_MAX);
        let read = log.read().unwrap();
        assert_eq!(read.records, [r.cleaned()], "read back as written");
    }

    #[test]
    fn missing_trail_reads_empty() {
        let dir = tempfile::tempdir().unwrap();
        let read = AuditLog::in_dir(&dir.path().join("nope")).read().unwrap();
        assert!(read.records.is_empty() && read.skipped.is_empty());
    }
}
