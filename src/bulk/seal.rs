//! The bulk journal's seal. A resume sends what its journal says (the action, the region, the
//! numbers and their profiles), so a journal someone edited would be followed: each line
//! carries an HMAC-SHA256 of its JSON chained from the line before (the header's from a fixed
//! start), under a random key kept in the data dir (`bulk-journal.key`, 0600, as hex). A line changed,
//! added, moved or removed breaks the chain at the next sealed line, and a resume refuses it.
//!
//! A line is the entry's JSON with `,"mac":"<64 hex digits>"` as its last member: still one
//! JSON object that every reader of the journal parses, and the MAC covers exactly the bytes
//! of the JSON without it (the line with that member cut out), whatever order serde writes.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use std::io;
use std::path::{Path, PathBuf};

/// The key's file, in the data dir.
pub const KEY_FILE: &str = "bulk-journal.key";
const KEY_LEN: usize = 32;
/// What every chain starts from: the header is sealed after it.
pub const START: Seal = Seal([0; 32]);
/// Marks the MAC input as a journal line's, of this format.
const DOMAIN: &[u8] = b"wareg bulk journal seal 1\n";
/// Marks the MAC input as a journal tip's (`bulk/tip.rs`): a tip's MAC never passes for a
/// line's, nor a line's for a tip's.
const TIP_DOMAIN: &[u8] = b"wareg bulk journal tip 1\n";
const MEMBER: &str = ",\"mac\":\"";
/// `,"mac":"` + 64 hex digits + `"}`.
const SUFFIX_LEN: usize = MEMBER.len() + 64 + 2;

/// One line's MAC, which the next line's chains from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seal([u8; 32]);

impl Seal {
    /// As a tip writes it: 64 hex digits.
    pub fn to_hex(self) -> String {
        hex(&self.0)
    }

    /// Read back from 64 hex digits; None for anything else.
    pub fn from_hex(digits: &str) -> Option<Seal> {
        unhex(digits).map(Seal)
    }
}

/// The data dir's key. Kept out of `Debug` and zeroed when dropped.
pub struct Key(zeroize::Zeroizing<[u8; KEY_LEN]>);

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Key(…)")
    }
}

impl Key {
    fn path(data_dir: &Path) -> PathBuf {
        data_dir.join(KEY_FILE)
    }

    /// The key of `data_dir`, made (random, 0600) if it has none yet. Two processes making it
    /// at once: one writes it, the other reads what it wrote.
    pub fn load_or_create(data_dir: &Path) -> io::Result<Key> {
        if let Some(key) = Key::load(data_dir)? {
            return Ok(key);
        }
        let mut bytes = zeroize::Zeroizing::new([0u8; KEY_LEN]);
        getrandom::fill(bytes.as_mut_slice()).map_err(|e| io::Error::other(e.to_string()))?;
        match crate::private_file::create_new(&Key::path(data_dir)) {
            Ok(mut file) => {
                let text = zeroize::Zeroizing::new(format!("{}\n", hex(bytes.as_slice())));
                io::Write::write_all(&mut file, text.as_bytes())?;
                file.sync_all()?;
                Ok(Key(bytes))
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Key::load(data_dir)?
                .ok_or_else(|| io::Error::other("the journal key vanished as it was made")),
            Err(e) => Err(e),
        }
    }

    /// The key of `data_dir`; None when there is none (a data dir of an earlier wareg).
    pub fn load(data_dir: &Path) -> io::Result<Option<Key>> {
        let path = Key::path(data_dir);
        let text = match crate::private_file::read_capped(&path, 2 * KEY_LEN as u64 + 1) {
            Ok(bytes) => zeroize::Zeroizing::new(bytes),
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io::Error::new(e.kind(), format!("{}: {e}", path.display()))),
        };
        let digits = std::str::from_utf8(&text).unwrap_or_default().trim_end();
        let mut key = zeroize::Zeroizing::new([0u8; KEY_LEN]);
        let damaged = || {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{} is not a journal key (it is damaged)", path.display()),
            )
        };
        if digits.len() != 2 * KEY_LEN {
            return Err(damaged());
        }
        for (i, byte) in key.iter_mut().enumerate() {
            *byte = digits
                .get(i * 2..i * 2 + 2)
                .and_then(|d| u8::from_str_radix(d, 16).ok())
                .ok_or_else(damaged)?;
        }
        Ok(Some(Key(key)))
    }

    fn mac(&self, prev: &Seal, body: &[u8]) -> Hmac<Sha256> {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(self.0.as_slice())
            .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
        mac.update(DOMAIN);
        mac.update(&prev.0);
        mac.update(body);
        mac
    }

    /// The sealed line for `body` (one JSON object), and its seal for the next line.
    pub fn seal(&self, prev: &Seal, body: &[u8]) -> io::Result<(Vec<u8>, Seal)> {
        let Some(open) = body.strip_suffix(b"}") else {
            return Err(io::Error::other("a journal entry is not a JSON object"));
        };
        let seal = Seal(self.mac(prev, body).finalize().into_bytes().into());
        let mut line = Vec::with_capacity(body.len() + SUFFIX_LEN);
        line.extend_from_slice(open);
        line.extend_from_slice(MEMBER.as_bytes());
        line.extend_from_slice(hex(&seal.0).as_bytes());
        line.extend_from_slice(b"\"}");
        Ok((line, seal))
    }

    /// The MAC of a journal's tip: run `run`'s chain has `lines` sealed lines, the last sealed
    /// `last` (`START` when there are none). The run's id is in it, so one run's tip never
    /// passes for another's.
    fn tip_mac(&self, run: &str, lines: u64, last: &Seal) -> Hmac<Sha256> {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(self.0.as_slice())
            .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
        mac.update(TIP_DOMAIN);
        mac.update(&(run.len() as u64).to_be_bytes());
        mac.update(run.as_bytes());
        mac.update(&lines.to_be_bytes());
        mac.update(&last.0);
        mac
    }

    /// A tip's MAC, as 64 hex digits.
    pub fn seal_tip(&self, run: &str, lines: u64, last: &Seal) -> String {
        hex(&self.tip_mac(run, lines, last).finalize().into_bytes())
    }

    /// Whether `given` (64 hex digits) is this tip's MAC, compared in constant time.
    pub fn check_tip(&self, run: &str, lines: u64, last: &Seal, given: &str) -> bool {
        unhex(given)
            .is_some_and(|given| self.tip_mac(run, lines, last).verify_slice(&given).is_ok())
    }

    /// Whether `line` is sealed as following `prev`: its JSON without the seal and its seal.
    pub fn check(&self, prev: &Seal, line: &str) -> Checked {
        let Some((body, given)) = split(line) else {
            return Checked::Unsealed;
        };
        let mac = self.mac(prev, body.as_bytes());
        let expected = Seal(mac.clone().finalize().into_bytes().into());
        // Compared in constant time.
        if mac.verify_slice(&given).is_ok() {
            Checked::Sealed(body, expected)
        } else {
            Checked::Broken
        }
    }
}

/// A line as the chain sees it.
#[derive(Debug, PartialEq, Eq)]
pub enum Checked {
    /// Sealed after the line before it: its JSON without the seal, and the seal.
    Sealed(String, Seal),
    /// It carries a seal that does not follow the line before it.
    Broken,
    /// It carries no seal: an earlier wareg's line, or one torn by a crash.
    Unsealed,
}

/// Whether a line carries a seal at all (an earlier wareg's lines do not).
pub fn is_sealed(line: &str) -> bool {
    split(line).is_some()
}

/// The JSON without its seal, and the seal's bytes, when `line` ends in one.
fn split(line: &str) -> Option<(String, [u8; 32])> {
    let cut = line.len().checked_sub(SUFFIX_LEN)?;
    let suffix = line.get(cut..)?;
    let digits = suffix.strip_prefix(MEMBER)?.strip_suffix("\"}")?;
    let given = unhex(digits)?;
    Some((format!("{}}}", &line[..cut]), given))
}

/// 32 bytes from exactly 64 hex digits.
fn unhex(digits: &str) -> Option<[u8; 32]> {
    // Hex digits only: `from_str_radix` would also take a sign ("+a"), a second spelling.
    if digits.len() != 64 || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let mut bytes = [0u8; 32];
    for (i, byte) in bytes.iter_mut().enumerate() {
        *byte = u8::from_str_radix(digits.get(i * 2..i * 2 + 2)?, 16).ok()?;
    }
    Some(bytes)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_line_checks_only_after_its_own_predecessor_and_only_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let key = Key::load_or_create(dir.path()).unwrap();
        let again = Key::load_or_create(dir.path()).unwrap();
        let (first, seal) = key.seal(&START, br#"{"kind":"header","id":"x"}"#).unwrap();
        let first = String::from_utf8(first).unwrap();
        assert!(
            first.starts_with(r#"{"kind":"header","id":"x","mac":""#),
            "{first}"
        );
        let value: serde_json::Value = serde_json::from_str(&first).unwrap();
        assert_eq!(value["id"], "x", "still one JSON object");
        assert_eq!(
            again.check(&START, &first),
            Checked::Sealed(r#"{"kind":"header","id":"x"}"#.into(), seal),
            "the same key, read back"
        );
        let (second, _) = key.seal(&seal, br#"{"kind":"started"}"#).unwrap();
        let second = String::from_utf8(second).unwrap();
        assert!(matches!(key.check(&seal, &second), Checked::Sealed(..)));
        assert_eq!(key.check(&START, &second), Checked::Broken, "moved");
        let changed = first.replace("\"x\"", "\"y\"");
        assert_eq!(key.check(&START, &changed), Checked::Broken, "changed");
        assert_eq!(
            key.check(&START, r#"{"kind":"header","id":"x"}"#),
            Checked::Unsealed
        );
        let other = tempfile::tempdir().unwrap();
        let stranger = Key::load_or_create(other.path()).unwrap();
        assert_eq!(
            stranger.check(&START, &first),
            Checked::Broken,
            "another key"
        );
        assert_eq!(format!("{key:?}"), "Key(…)");
    }
}
