//! The numbers wareg last read, kept so that a person can name a number as they know it (its
//! display number, its verified name) without a listing made just to find it: `known-numbers.json`
//! in the data dir (0600, read back with a cap). Written after every refresh from what was read;
//! a number not read again keeps its entry until it has not been seen for `FORGET_AFTER`.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
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
    let fresh = read.iter().map(|k| k.id.as_str()).collect();
    write(dir, &fresh, || read.iter().map(Entry::of), now)
}

/// Keeps what a listing of `profile` read, written from the listing itself: at 20,000 numbers
/// a copy of their ids and names was 5 MB more beside the listing (the TUI keeps it while
/// the rows still wait for it).
pub fn save_listing(
    dir: &Path,
    profile: &str,
    numbers: &[Box<PhoneNumber>],
    now: DateTime<Utc>,
) -> std::io::Result<()> {
    let fresh = numbers.iter().map(|n| n.id.as_str()).collect();
    let entries = || {
        numbers.iter().map(move |n| Entry {
            id: &n.id,
            profile,
            display: n.display_phone_number.as_deref(),
            name: n.verified_name.as_deref(),
            seen: now,
        })
    };
    write(dir, &fresh, entries, now)
}

/// One entry as written: a `Known` of borrowed words.
#[derive(Serialize)]
struct Entry<'a> {
    id: &'a str,
    profile: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    display: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    seen: DateTime<Utc>,
}

impl<'a> Entry<'a> {
    fn of(known: &'a Known) -> Entry<'a> {
        Entry {
            id: &known.id,
            profile: &known.profile,
            display: known.display.as_deref(),
            name: known.name.as_deref(),
            seen: known.seen,
        }
    }
}

/// Writes what `read` makes (the numbers read now, by id in `fresh`) after what the file kept
/// of numbers not read now and seen within `FORGET_AFTER`. The old file is read as a stream
/// and only what stays is kept; the new one is written as it is made: neither is held whole.
fn write<'a, I>(
    dir: &Path,
    fresh: &std::collections::HashSet<&str>,
    read: impl Fn() -> I,
    now: DateTime<Utc>,
) -> std::io::Result<()>
where
    I: Iterator<Item = Entry<'a>>,
{
    if fresh.is_empty() {
        return Ok(());
    }
    let path = dir.join(KNOWN_FILE);
    let stays = |k: &Known| !fresh.contains(k.id.as_str()) && now - k.seen < FORGET_AFTER;
    // Unreadable, too big or not wareg's: made again from what was read now.
    let kept = private_file::open_read(&path)
        .ok()
        .and_then(|file| {
            let capped = std::io::Read::take(std::io::BufReader::new(file), READ_CAP);
            let mut json = serde_json::Deserializer::from_reader(capped);
            serde::de::DeserializeSeed::deserialize(KeptFile(&stays), &mut json).ok()
        })
        .unwrap_or_default();
    let numbers = Numbers {
        kept: &kept,
        read: &read,
    };
    crate::paths::create_private_dir(dir)?;
    private_file::replace_with(&path, |file| {
        serde_json::to_writer(file, &Out { numbers }).map_err(std::io::Error::other)
    })
}

#[derive(Serialize)]
struct Out<N> {
    numbers: N,
}

/// The file's numbers as written: the kept ones, then those read now.
struct Numbers<'k, R> {
    kept: &'k [Known],
    read: &'k R,
}

impl<'a, R, I> Serialize for Numbers<'_, R>
where
    R: Fn() -> I,
    I: Iterator<Item = Entry<'a>>,
{
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = s.serialize_seq(None)?;
        for known in self.kept {
            seq.serialize_element(&Entry::of(known))?;
        }
        for entry in (self.read)() {
            seq.serialize_element(&entry)?;
        }
        seq.end()
    }
}

/// The old file read for what `stays` keeps: each entry is dropped as soon as it is read.
struct KeptFile<'f>(&'f dyn Fn(&Known) -> bool);

impl<'de> serde::de::DeserializeSeed<'de> for KeptFile<'_> {
    type Value = Vec<Known>;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Vec<Known>, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> serde::de::Visitor<'de> for KeptFile<'_> {
    type Value = Vec<Known>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("wareg's known numbers")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Vec<Known>, A::Error> {
        let mut kept = Vec::new();
        while let Some(key) = map.next_key::<Cow<str>>()? {
            match key.as_ref() {
                "numbers" => kept = map.next_value_seed(KeptNumbers(self.0))?,
                _ => {
                    map.next_value::<serde::de::IgnoredAny>()?;
                }
            }
        }
        Ok(kept)
    }
}

struct KeptNumbers<'f>(&'f dyn Fn(&Known) -> bool);

impl<'de> serde::de::DeserializeSeed<'de> for KeptNumbers<'_> {
    type Value = Vec<Known>;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Vec<Known>, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> serde::de::Visitor<'de> for KeptNumbers<'_> {
    type Value = Vec<Known>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a list of known numbers")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<Known>, A::Error> {
        let mut kept = Vec::new();
        while let Some(known) = seq.next_element::<Known>()? {
            if (self.0)(&known) {
                kept.push(known);
            }
        }
        Ok(kept)
    }
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
