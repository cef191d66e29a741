//! The local store's facts (`audit::fact`): a small JSON-lines file of their own in the data
//! dir (`facts.jsonl`, 0600), never the trail, so that budgets, the index and `wareg audit`
//! never see them. A fact is one appended line; reading folds the lines into a book (the rule
//! of `Fact::replaced_by`). The file is read with a cap, and rewritten folded (forgetting what
//! no rule looks at any more) once it grows past a size, under the trail's lock.

use chrono::{DateTime, Duration, Utc};
use std::collections::HashSet;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::audit::{Fact, FactBook};

pub const FACTS_FILE: &str = "facts.jsonl";

/// What is read at most: a fact is about 200 bytes, and the file is folded at `FOLD_AT`.
pub const READ_CAP: u64 = 4 * 1024 * 1024;
/// Past this size an append folds the file (one line per number and kind).
const FOLD_AT: u64 = 256 * 1024;
/// Facts older than this are dropped when the file is folded: no rule looks that far back
/// (an approval waits 14 days).
const FORGET_AFTER: Duration = Duration::days(90);

#[derive(Debug, Clone)]
pub struct FactFile {
    path: PathBuf,
    /// `FOLD_AT`, smaller in tests.
    fold_at: u64,
}

impl FactFile {
    pub fn in_dir(dir: &Path) -> Self {
        FactFile {
            path: dir.join(FACTS_FILE),
            fold_at: FOLD_AT,
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends `fact`; the caller holds the trail's lock. Folds the file when it has grown.
    pub fn append(&self, fact: &Fact, now: DateTime<Utc>) -> io::Result<()> {
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            crate::paths::create_private_dir(dir)?;
        }
        let mut line = serde_json::to_vec(fact).map_err(io::Error::other)?;
        line.push(b'\n');
        let mut file = crate::private_file::append(&self.path)?;
        file.write_all(&line)?;
        file.sync_data()?;
        if file.metadata()?.len() > self.fold_at {
            self.fold(now)?;
        }
        Ok(())
    }

    /// Every fact (of the numbers in `only`), folded. A missing file holds none; a file over
    /// the cap is an error, and nothing of it is read.
    pub fn read(&self, only: Option<&HashSet<String>>) -> io::Result<FactBook> {
        let bytes = match read_capped(&self.path, READ_CAP) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(FactBook::default()),
            Err(e) => return Err(e),
        };
        let mut book = FactBook::default();
        for raw in bytes.split(|b| *b == b'\n') {
            if raw.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            // A torn line or one from a newer wareg is passed over: facts are hints, never
            // the budget.
            let Ok(fact) = serde_json::from_slice::<Fact>(raw) else {
                continue;
            };
            if only.is_none_or(|only| only.contains(fact.number.as_str())) {
                book.note(fact);
            }
        }
        Ok(book)
    }

    /// Rewrites the file with one line per number and kind, dropping what is too old to matter.
    fn fold(&self, now: DateTime<Utc>) -> io::Result<()> {
        let book = self.read(None)?;
        let mut out = Vec::new();
        for fact in book.iter().filter(|f| now - f.time < FORGET_AFTER) {
            out.extend(serde_json::to_vec(fact).map_err(io::Error::other)?);
            out.push(b'\n');
        }
        let dir = self.path.parent().unwrap_or(Path::new("."));
        // tempfile makes it 0600; moved over the old one, a reader sees one or the other.
        let mut tmp = tempfile::Builder::new()
            .prefix(".facts.")
            .tempfile_in(dir)?;
        tmp.write_all(&out)?;
        tmp.as_file().sync_data()?;
        tmp.persist(&self.path).map_err(|e| e.error)?;
        Ok(())
    }
}

/// The whole file if it is at most `cap` bytes; larger, an error and nothing read.
fn read_capped(path: &Path, cap: u64) -> io::Result<Vec<u8>> {
    crate::private_file::read_capped(path, cap).map_err(|e| match e.kind() {
        io::ErrorKind::FileTooLarge => io::Error::other(format!(
            "{} is larger than {} KB: not read",
            path.display(),
            cap / 1024
        )),
        _ => e,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::FactKind;
    use crate::graph::NumberId;

    fn fact(number: &str, kind: FactKind, value: &str, days_ago: i64) -> Fact {
        Fact::new(
            &NumberId::parse(number).unwrap(),
            kind,
            value,
            Utc::now() - Duration::days(days_ago),
        )
    }

    #[test]
    fn facts_are_folded_on_read_and_the_file_stays_small_and_private() {
        let dir = tempfile::tempdir().unwrap();
        let file = FactFile {
            fold_at: 8 * 1024,
            ..FactFile::in_dir(dir.path())
        };
        assert!(file.read(None).unwrap().is_empty(), "no file, no facts");
        let first = fact("1", FactKind::NameApproved, "Acme New", 3);
        file.append(&first, Utc::now()).unwrap();
        file.append(
            &fact("1", FactKind::NameApproved, "Acme New", 1),
            Utc::now(),
        )
        .unwrap();
        file.append(&fact("2", FactKind::Registered, "a1", 0), Utc::now())
            .unwrap();
        std::fs::OpenOptions::new()
            .append(true)
            .open(file.path())
            .and_then(|mut f| f.write_all(b"{\"torn\n"))
            .unwrap();
        let book = file.read(None).unwrap();
        assert_eq!(book.get("1", FactKind::NameApproved), Some(&first));
        assert_eq!(book.len(), 2);
        let only: HashSet<String> = ["2".to_owned()].into();
        assert_eq!(file.read(Some(&only)).unwrap().len(), 1);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(file.path()).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // Many sightings of the same facts fold into one line each, the old ones forgotten.
        file.append(&fact("3", FactKind::Registered, "old", 200), Utc::now())
            .unwrap();
        for n in 0..400 {
            file.append(
                &fact("2", FactKind::Registered, &format!("a{n}"), 0),
                Utc::now(),
            )
            .unwrap();
        }
        let len = std::fs::metadata(file.path()).unwrap().len();
        assert!(len <= file.fold_at, "{len}");
        let book = file.read(None).unwrap();
        assert_eq!(book.get("1", FactKind::NameApproved), Some(&first));
        assert!(book.get("3", FactKind::Registered).is_none(), "forgotten");
        assert_eq!(
            book.get("2", FactKind::Registered)
                .map(|f| f.value.as_str()),
            Some("a399")
        );
    }

    #[test]
    fn a_file_over_its_cap_is_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let file = FactFile::in_dir(dir.path());
        std::fs::write(file.path(), vec![b' '; READ_CAP as usize + 1]).unwrap();
        let error = file.read(None).unwrap_err().to_string();
        assert!(error.contains("not read"), "{error}");
    }
}
