//! What earlier reads left for `wareg numbers` without `--refresh` (which reads nothing): the
//! display numbers and verified names of the last listings (`fleet::known`) and the storage
//! last read (the ledger's storage book), each with when it was read, so the table shows them
//! in place of `-` and says how old they are. They are never passed off as a read: the rows
//! keep no live value, the CSV keeps its empty cells, and `--json` gives them under `kept`.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use std::collections::HashMap;

use super::context::Context;
use crate::audit::StorageEntry;
use crate::fleet::Row;
use crate::fleet::known::Known;

#[derive(Default)]
pub struct Kept {
    known: HashMap<String, Known>,
    storage: HashMap<String, StorageEntry>,
    /// Only storage was loaded, for a refresh whose storage reads were held back.
    storage_only: bool,
}

impl Kept {
    /// What was kept of the rows in view; the numbers the last listings of the profiles in
    /// view showed that the config does not name are added to `rows`, as `numbers --refresh`
    /// would list them. A storage book that cannot be read leaves storage out, said once.
    pub fn load(
        ctx: &Context,
        ledger: &dyn crate::ledger::Ledger,
        only: Option<&str>,
        rows: &mut Vec<Row>,
    ) -> Kept {
        let in_view = |profile: &str| {
            only.is_none_or(|p| p == profile) && ctx.config.profile(profile).is_some()
        };
        let mut known: HashMap<String, Known> = HashMap::new();
        for k in ctx.known().iter().filter(|k| in_view(&k.profile)) {
            known.entry(k.id.clone()).or_insert_with(|| k.clone());
        }
        let listed: std::collections::HashSet<String> =
            rows.iter().map(|r| r.id.as_str().to_owned()).collect();
        let mut discovered: Vec<&Known> =
            known.values().filter(|k| !listed.contains(&k.id)).collect();
        discovered.sort_by(|a, b| a.id.cmp(&b.id));
        for k in discovered {
            if let Ok(id) = crate::graph::NumberId::parse(&k.id) {
                let mut row = Row::configured(id, None, k.profile.as_str().into());
                row.configured = false;
                rows.push(row);
            }
        }
        Kept {
            known,
            storage: kept_storage(ledger),
            storage_only: false,
        }
    }

    /// Only the storage earlier reads kept: for a refresh that read its rows live but not
    /// their storage (held back at the high-water mark).
    pub fn storage_only(ledger: &dyn crate::ledger::Ledger) -> Kept {
        Kept {
            known: HashMap::new(),
            storage: kept_storage(ledger),
            storage_only: true,
        }
    }

    pub fn known(&self, row: &Row) -> Option<&Known> {
        self.known.get(row.id.as_str())
    }

    pub fn storage(&self, row: &Row) -> Option<&StorageEntry> {
        self.storage.get(row.id.as_str())
    }

    /// Whether any of `rows` has storage kept (the table then shows its STORAGE column).
    pub fn any_storage(&self, rows: &[Row]) -> bool {
        rows.iter().any(|r| self.storage(r).is_some())
    }

    /// `{"display_phone_number", "verified_name", "seen", "storage": {summary, read_at}}`, as
    /// far as it is known; None when nothing was kept of the row.
    pub fn json(&self, row: &Row) -> Option<Value> {
        let (known, storage) = (self.known(row), self.storage(row));
        if known.is_none() && storage.is_none() {
            return None;
        }
        let mut out = json!({});
        if let Some(k) = known {
            out["display_phone_number"] = json!(k.display);
            out["verified_name"] = json!(k.name);
            out["seen"] = json!(k.seen);
        }
        if let Some(s) = storage {
            out["storage"] = json!({"summary": s.storage.summary(), "read_at": s.read_at});
        }
        Some(out)
    }

    /// "Numbers and names as the last listing read them (Sat 05 Dec 18:19 UTC, 3 h ago);
    /// storage as last read (2 d ago, and older). …": how old what the table shows of `rows`
    /// is, by its oldest value; None when it shows nothing kept.
    pub fn age_line(&self, rows: &[Row], now: DateTime<Utc>) -> Option<String> {
        let oldest = |times: &mut dyn Iterator<Item = DateTime<Utc>>| times.min();
        let names = oldest(&mut rows.iter().filter_map(|r| self.known(r).map(|k| k.seen)));
        let storage = oldest(
            &mut rows
                .iter()
                .filter_map(|r| self.storage(r).map(|s| s.read_at)),
        );
        let when = |at: DateTime<Utc>| {
            format!(
                "{}, {} ago",
                crate::clock::words_utc(at),
                super::output::ago(at, now)
            )
        };
        let mut parts = Vec::new();
        if let Some(at) = names {
            parts.push(format!(
                "display numbers and names as wareg last listed them (the oldest {})",
                when(at)
            ));
        }
        if let Some(at) = storage {
            parts.push(format!("storage as last read (the oldest {})", when(at)));
        }
        if parts.is_empty() {
            return None;
        }
        let mut line = parts.join("; ");
        if let Some(first) = line.get(..1) {
            line = format!("{}{}", first.to_uppercase(), &line[1..]);
        }
        let live = if self.storage_only {
            "`--yes` reads the storage live (the high-water mark held it back)"
        } else {
            "`wareg numbers --refresh` reads them live"
        };
        Some(format!("{line}. {live}."))
    }
}

/// Each number's storage as last read, by id; said on stderr (and none) when it cannot be read.
fn kept_storage(ledger: &dyn crate::ledger::Ledger) -> HashMap<String, StorageEntry> {
    match ledger.storage_of() {
        Ok(book) => book
            .iter()
            .map(|entry| (entry.number.as_str().to_owned(), entry.clone()))
            .collect(),
        Err(e) => {
            eprintln!("warning: the storage last read could not be read: {e}");
            HashMap::new()
        }
    }
}
