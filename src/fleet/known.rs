//! The numbers wareg last read, kept so that a person can name a number as they know it (its
//! display number, its verified name) without a listing made just to find it: `known-numbers.json`
//! in the data dir (0600, read back with a cap). Written after every refresh from what was read;
//! a number not read again keeps its entry until it has not been seen for `FORGET_AFTER`.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::path::Path;

use super::Row;
use crate::graph::PhoneNumber;
use crate::private_file;

pub const KNOWN_FILE: &str = "known-numbers.json";
/// 20,000 numbers are about 3 MB.
const READ_CAP: u64 = 16 * 1024 * 1024;
/// An entry whose number was not read for this long is dropped: it was probably moved away.
const FORGET_AFTER: Duration = Duration::days(90);

/// What a listing said about one number, enough to find it by the names people use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Known {
    pub id: String,
    pub profile: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub seen: DateTime<Utc>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct KnownFile {
    numbers: Vec<Known>,
}

/// The numbers kept in `dir`; none when there is no file. A file that cannot be read (too big,
/// not wareg's JSON) is passed over with the words why: resolving a name then falls back to
/// the config alone.
pub fn load(dir: &Path) -> (Vec<Known>, Option<String>) {
    let path = dir.join(KNOWN_FILE);
    match private_file::read_capped(&path, READ_CAP) {
        Ok(bytes) => match serde_json::from_slice::<KnownFile>(&bytes) {
            Ok(file) => (file.numbers, None),
            Err(e) => (
                Vec::new(),
                Some(format!("{} was not read: {e}", path.display())),
            ),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => (Vec::new(), None),
        Err(e) => (
            Vec::new(),
            Some(format!("{} was not read: {e}", path.display())),
        ),
    }
}

/// What `rows` read: their display numbers and verified names.
pub fn of_rows(rows: &[Row], now: DateTime<Utc>) -> Vec<Known> {
    rows.iter()
        .filter_map(|row| Some(of_number(&row.profile, row.number()?, now)))
        .collect()
}

/// What a listing of `profile` read.
pub fn of_listing(profile: &str, numbers: &[PhoneNumber], now: DateTime<Utc>) -> Vec<Known> {
    numbers
        .iter()
        .map(|number| of_number(profile, number, now))
        .collect()
}

fn of_number(profile: &str, number: &PhoneNumber, now: DateTime<Utc>) -> Known {
    Known {
        id: number.id.clone(),
        profile: profile.to_owned(),
        display: number.display_phone_number.clone(),
        name: number.verified_name.clone(),
        seen: now,
    }
}

/// Keeps `read` in `dir`, with what was kept before for numbers not read now.
pub fn save(dir: &Path, read: Vec<Known>, now: DateTime<Utc>) -> std::io::Result<()> {
    if read.is_empty() {
        return Ok(());
    }
    let (before, _) = load(dir);
    let fresh: std::collections::HashSet<&str> = read.iter().map(|k| k.id.as_str()).collect();
    let mut numbers: Vec<Known> = before
        .into_iter()
        .filter(|k| !fresh.contains(k.id.as_str()) && now - k.seen < FORGET_AFTER)
        .collect();
    numbers.extend(read);
    let bytes = serde_json::to_vec(&KnownFile { numbers }).map_err(std::io::Error::other)?;
    crate::paths::create_private_dir(dir)?;
    private_file::replace(&dir.join(KNOWN_FILE), &bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::NumberId;

    fn read_row(id: &str, display: &str, name: &str, at: DateTime<Utc>) -> Vec<Known> {
        let number: PhoneNumber = serde_json::from_value(serde_json::json!({
            "id": id, "display_phone_number": display, "verified_name": name
        }))
        .unwrap();
        let row = Row::discovered(NumberId::parse(id).unwrap(), "prod", number, Utc::now());
        of_rows(&[row], at)
    }

    #[test]
    fn what_was_read_is_kept_with_what_was_kept_before_and_old_entries_go() {
        let dir = tempfile::tempdir().unwrap();
        let then = Utc::now() - Duration::days(100);
        save(dir.path(), read_row("1", "+1 555 0100", "Old", then), then).unwrap();
        let now = Utc::now();
        save(dir.path(), read_row("2", "+49 30 1", "Acme DE", now), now).unwrap();
        let (kept, warning) = load(dir.path());
        assert_eq!(warning, None);
        assert_eq!(
            kept.len(),
            1,
            "the entry unseen for 100 days went: {kept:?}"
        );
        save(dir.path(), read_row("3", "+44 20 1", "Acme UK", now), now).unwrap();
        let (kept, _) = load(dir.path());
        let ids: Vec<&str> = kept.iter().map(|k| k.id.as_str()).collect();
        assert_eq!(ids, ["2", "3"]);
        assert_eq!(kept[0].name.as_deref(), Some("Acme DE"));
    }

    #[test]
    fn a_file_that_is_not_wareg_s_is_passed_over_with_words() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(KNOWN_FILE), "not json").unwrap();
        let (kept, warning) = load(dir.path());
        assert!(kept.is_empty());
        assert!(warning.unwrap().contains("was not read"));
    }
}
