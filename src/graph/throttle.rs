//! Throttles Meta declared (docs/graph-api-facts.md §6: 80007/80008 for a WABA's call budget, 4 for the app's,
//! 17 for the user's, or a non-zero `estimated_time_to_regain_access`), kept in the data dir
//! so that every wareg process on the machine stays away until access returns: calls made
//! during a throttle push the recovery further out.
//!
//! A throttle is keyed by what it covers: `waba:{host}/{id}` for a WABA, `profile:{host}/{name}`
//! for what one token reaches (the app and the user). A client checks the keys of its profile.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The file in the data dir, and the lock that serialises its read-change-write.
pub const THROTTLE_FILE: &str = "throttle.json";
const THROTTLE_LOCK_FILE: &str = "throttle.lock";

/// Meta's throttle codes (docs/graph-api-facts.md §6): the WABA's budget (80007, 80008), the app's (4), the
/// user's (17).
pub fn is_throttle_code(code: i64) -> bool {
    use super::codes::*;
    matches!(
        code,
        APP_RATE_LIMIT | USER_RATE_LIMIT | WABA_RATE_LIMIT | WABA_TOO_MANY_CALLS
    )
}

/// One declared throttle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Throttle {
    /// When Meta said (or wareg assumed) access returns.
    pub until: DateTime<Utc>,
    /// The Graph code that declared it; none when only the usage header did.
    #[serde(default)]
    pub code: Option<i64>,
    /// What it covers, in words ("WABA 1029…", "profile `prod`").
    pub covers: String,
}

/// The longest wareg keeps away for one throttle, whatever Meta's estimate or the shared file
/// says: Meta's own windows are an hour or a day, and a throttle "until 2125" (a bad estimate,
/// a planted file) would otherwise stop every read of a desk for good.
pub const LONGEST: chrono::Duration = chrono::Duration::hours(24);

impl Throttle {
    /// This throttle as wareg obeys it, noted at `noted`: ending at most [`LONGEST`] after
    /// it, and its words cleaned (they may come from the shared file).
    pub fn bounded(self, noted: DateTime<Utc>) -> Throttle {
        Throttle {
            until: self.until.min(noted + LONGEST),
            code: self.code,
            covers: crate::clean::owned_text(self.covers, crate::clean::NAME_MAX),
        }
    }

    /// Whole minutes left at `now`, at least 1 while it runs.
    pub fn minutes_left(&self, now: DateTime<Utc>) -> Option<u64> {
        let left = (self.until - now).num_seconds();
        (left > 0).then(|| (left as u64).div_ceil(60).max(1))
    }

    /// "until Sat 05 Dec 14:05 UTC (about 12 min)".
    pub fn words(&self, now: DateTime<Utc>) -> String {
        let minutes = self.minutes_left(now).unwrap_or(0);
        format!(
            "until {} (about {minutes} min)",
            crate::clock::words_utc(self.until)
        )
    }
}

/// The keys a client checks and writes: its WABA (when known) and its profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThrottleScope {
    pub host: String,
    pub profile: String,
    pub waba: Option<String>,
}

impl ThrottleScope {
    pub fn waba_key(&self, waba: &str) -> String {
        format!("waba:{}/{waba}", self.host)
    }

    pub fn profile_key(&self) -> String {
        format!("profile:{}/{}", self.host, self.profile)
    }

    /// Every key whose throttle stops this client's reads.
    pub fn keys(&self) -> Vec<String> {
        let mut keys = vec![self.profile_key()];
        keys.extend(self.waba.iter().map(|w| self.waba_key(w)));
        keys
    }

    /// Where a throttle answered with `code` is written: a WABA's code covers the WABA (the
    /// profile when it names none); the app's and the user's cover what the token reaches.
    pub fn key_for_code(&self, code: Option<i64>) -> (String, String) {
        match (&self.waba, code) {
            (
                Some(waba),
                Some(super::codes::WABA_RATE_LIMIT | super::codes::WABA_TOO_MANY_CALLS) | None,
            ) => (self.waba_key(waba), format!("WABA {waba}")),
            _ => (
                self.profile_key(),
                format!("profile `{}` (its app or token)", self.profile),
            ),
        }
    }
}

/// How long what was read of the file is trusted before it is read again. Every call asks
/// the book (twice: before it is sent, and for its report), and a listing of 20,000 numbers is
/// 200 calls: reading the file each time was most of the system calls of a refresh. A throttle
/// another process records therefore stops this one's reads within this time; throttles this
/// process records (and every `note`, which reads the file under its lock) are seen at once.
pub const REREAD_AFTER: std::time::Duration = std::time::Duration::from_secs(1);

/// The throttles known to this process, and the file that shares them with the others.
#[derive(Debug, Default)]
pub struct ThrottleBook {
    dir: Option<PathBuf>,
    cache: Mutex<Cache>,
}

#[derive(Debug, Default)]
struct Cache {
    entries: BTreeMap<String, Throttle>,
    /// When the file was last read (never: it is read at the first question).
    read_at: Option<std::time::Instant>,
    /// The file as it was when last read: while it stays so, it is not parsed again.
    seen: Option<Stamp>,
}

/// What changes when the file is written: wareg replaces it (a new inode each time), and an
/// edit in place changes its length or modification time.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Stamp {
    len: u64,
    modified: Option<std::time::SystemTime>,
    inode: u64,
}

impl Stamp {
    fn of(meta: &std::fs::Metadata) -> Stamp {
        #[cfg(unix)]
        let inode = std::os::unix::fs::MetadataExt::ino(meta);
        #[cfg(not(unix))]
        let inode = 0;
        Stamp {
            len: meta.len(),
            modified: meta.modified().ok(),
            inode,
        }
    }
}

/// Keeps the later end under `key`: a throttle is only ever extended.
fn extend(entries: &mut BTreeMap<String, Throttle>, key: &str, throttle: Throttle) {
    match entries.get(key) {
        Some(old) if old.until >= throttle.until => {}
        _ => {
            entries.insert(key.to_owned(), throttle);
        }
    }
}

impl ThrottleBook {
    /// Throttles seen by this process only (tests, a client without a data dir).
    pub fn in_memory() -> Self {
        ThrottleBook::default()
    }

    /// Throttles shared through `dir/throttle.json`.
    pub fn in_dir(dir: &Path) -> Self {
        ThrottleBook {
            dir: Some(dir.to_path_buf()),
            cache: Mutex::default(),
        }
    }

    /// The running throttle among `keys` that ends last, if any.
    pub fn active(&self, keys: &[String], now: DateTime<Utc>) -> Option<Throttle> {
        let cache = self.fresh_cache();
        keys.iter()
            .filter_map(|k| cache.entries.get(k))
            .filter(|t| t.until > now)
            .max_by_key(|t| t.until)
            .cloned()
    }

    /// Every running throttle, ending last first (for a face that names them all).
    pub fn all_active(&self, now: DateTime<Utc>) -> Vec<Throttle> {
        let cache = self.fresh_cache();
        let mut all: Vec<Throttle> = cache
            .entries
            .values()
            .filter(|t| t.until > now)
            .cloned()
            .collect();
        all.sort_by_key(|t| std::cmp::Reverse(t.until));
        all
    }

    /// What this process knows merged with what the file says (another process may have
    /// written it since), read again once `REREAD_AFTER` has passed: a clock, not the file's
    /// modification time, which not every file system keeps faithfully.
    /// A file that has not changed since it was last read is not parsed again, and one over
    /// its cap is never read (said once in the log, each time it changes).
    fn fresh_cache(&self) -> std::sync::MutexGuard<'_, Cache> {
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        let due = cache.read_at.is_none_or(|at| at.elapsed() >= REREAD_AFTER);
        if let (true, Some(path)) = (due, self.file()) {
            // Not through a link: one in the book's place is never read (`read_file`).
            let stamp = std::fs::symlink_metadata(&path).ok().map(|m| Stamp::of(&m));
            if stamp.is_none() || stamp != cache.seen {
                for (key, throttle) in read_file(&path, Utc::now()) {
                    extend(&mut cache.entries, &key, throttle);
                }
                cache.seen = stamp;
            }
            cache.read_at = Some(std::time::Instant::now());
        }
        cache
    }

    /// Records a throttle (an existing one under `key` is only ever extended) and shares it.
    /// A file that cannot be written is logged and the throttle kept in memory: this process
    /// still stays away.
    pub fn note(&self, key: &str, throttle: Throttle, now: DateTime<Utc>) {
        let throttle = throttle.bounded(now);
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        let merge = |entries: &mut BTreeMap<String, Throttle>| {
            entries.retain(|_, t| t.until > now);
            extend(entries, key, throttle.clone());
        };
        merge(&mut cache.entries);
        let Some(path) = self.file() else {
            return;
        };
        let written = (|| -> std::io::Result<BTreeMap<String, Throttle>> {
            let dir = path.parent().unwrap_or(Path::new("."));
            crate::paths::create_private_dir(dir)?;
            let _guard = crate::flock::FileLock::exclusive(&dir.join(THROTTLE_LOCK_FILE))?;
            let mut entries = read_file(&path, now);
            merge(&mut entries);
            crate::private_file::replace(&path, &serde_json::to_vec_pretty(&entries)?)?;
            Ok(entries)
        })();
        match written {
            Ok(entries) => {
                cache.entries = entries;
                cache.read_at = Some(std::time::Instant::now());
            }
            Err(e) => tracing::warn!(
                target: "wareg::graph",
                "cannot record the throttle in {}: {e}",
                path.display()
            ),
        }
    }

    fn file(&self) -> Option<PathBuf> {
        self.dir.as_ref().map(|d| d.join(THROTTLE_FILE))
    }
}

/// The shared file; missing or unreadable is "no throttle known" (it is a cache of Meta's
/// answers, never a source of truth). It is read up to its cap, and each throttle in it is
/// obeyed for at most [`LONGEST`] after the file was written (and never from a time to come).
fn read_file(path: &Path, now: DateTime<Utc>) -> BTreeMap<String, Throttle> {
    let file = match crate::private_file::open_read(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return BTreeMap::new(),
        Err(e) => {
            tracing::warn!(
                target: "wareg::graph",
                "the throttle book was not read: {e}"
            );
            return BTreeMap::new();
        }
    };
    let written = file
        .metadata()
        .and_then(|m| m.modified())
        .map(DateTime::<Utc>::from)
        .map_or(now, |at| at.min(now));
    let bytes = match crate::private_file::read_file_capped(
        file,
        crate::private_file::cap::THROTTLE_BOOK,
    ) {
        Ok(bytes) => bytes,
        Err(e) => {
            tracing::warn!(
                target: "wareg::graph",
                "the throttle book {} was not read ({e}): throttles other wareg processes recorded in it are not seen; remove it if it is not wareg's",
                path.display()
            );
            return BTreeMap::new();
        }
    };
    let entries: BTreeMap<String, Throttle> = serde_json::from_slice(&bytes).unwrap_or_default();
    entries
        .into_iter()
        .map(|(key, throttle)| (key, throttle.bounded(written)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope(waba: Option<&str>) -> ThrottleScope {
        ThrottleScope {
            host: "graph.facebook.com".into(),
            profile: "prod".into(),
            waba: waba.map(str::to_owned),
        }
    }

    #[test]
    fn a_throttle_noted_by_one_book_is_seen_by_another_on_the_same_dir() {
        let dir = tempfile::tempdir().unwrap();
        let now = Utc::now();
        let s = scope(Some("42"));
        let (key, covers) = s.key_for_code(Some(80008));
        assert_eq!(key, "waba:graph.facebook.com/42");
        let throttle = Throttle {
            until: now + chrono::Duration::minutes(12),
            code: Some(80008),
            covers,
        };
        ThrottleBook::in_dir(dir.path()).note(&key, throttle.clone(), now);
        let other = ThrottleBook::in_dir(dir.path());
        assert_eq!(other.active(&s.keys(), now), Some(throttle.clone()));
        assert_eq!(
            other.active(&scope(Some("43")).keys(), now),
            None,
            "another WABA is not throttled"
        );
        assert_eq!(
            other.active(&s.keys(), now + chrono::Duration::minutes(13)),
            None,
            "it ends"
        );
        // A shorter estimate never shortens a running throttle.
        let shorter = Throttle {
            until: now + chrono::Duration::minutes(1),
            ..throttle.clone()
        };
        other.note(&key, shorter, now);
        assert_eq!(
            ThrottleBook::in_dir(dir.path()).active(&s.keys(), now),
            Some(throttle)
        );
    }

    #[test]
    fn a_throttle_another_process_records_is_seen_within_the_reread_time() {
        let dir = tempfile::tempdir().unwrap();
        let now = Utc::now();
        let s = scope(Some("42"));
        let (key, covers) = s.key_for_code(Some(80008));
        let reader = ThrottleBook::in_dir(dir.path());
        assert_eq!(reader.active(&s.keys(), now), None, "nothing recorded yet");
        // Another process (another book on the same dir) records one.
        let throttle = Throttle {
            until: now + chrono::Duration::minutes(12),
            code: Some(80008),
            covers,
        };
        ThrottleBook::in_dir(dir.path()).note(&key, throttle.clone(), now);
        let started = std::time::Instant::now();
        while reader.active(&s.keys(), now).is_none() {
            assert!(
                started.elapsed() < REREAD_AFTER * 3,
                "not seen after {:?}",
                started.elapsed()
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        assert_eq!(reader.active(&s.keys(), now), Some(throttle));
    }

    #[test]
    fn app_and_user_codes_cover_the_profile_and_a_bad_file_is_no_throttle() {
        let s = scope(Some("42"));
        assert_eq!(s.key_for_code(Some(4)).0, "profile:graph.facebook.com/prod");
        assert_eq!(
            s.key_for_code(Some(17)).0,
            "profile:graph.facebook.com/prod"
        );
        assert_eq!(
            scope(None).key_for_code(Some(80007)).0,
            "profile:graph.facebook.com/prod"
        );
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(THROTTLE_FILE), "not json").unwrap();
        assert_eq!(
            ThrottleBook::in_dir(dir.path()).active(&s.keys(), Utc::now()),
            None
        );
    }
}
