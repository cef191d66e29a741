//! What the engine keeps of a number's storage (`audit::storage`): every read of it (a plan's
//! live read) and every change it makes (storage set, storage off by a deregister), so that the
//! faces need not spend a call per number to know it again.

use super::{Engine, Step};
use crate::audit::StorageEntry;
use crate::graph::types::{StorageConfig, StorageStatus};
use crate::graph::{NumberId, Region};
use crate::ledger;

/// The storage a step leaves when Meta took it; None for a step that does not set it.
pub fn after_step(step: Step) -> Option<StorageConfig> {
    let on = |region: Region| StorageConfig {
        status: StorageStatus::Enabled,
        data_localization_region: Some(region.code().to_owned()),
    };
    let off = StorageConfig {
        status: StorageStatus::Disabled,
        data_localization_region: None,
    };
    match step {
        Step::SetStorage(Some(region)) => Some(on(region)),
        // Deregistering turns local storage off (facts §2.8).
        Step::SetStorage(None) | Step::Deregister => Some(off),
        Step::Register {
            region_in_body: Some(region),
        } => Some(on(region)),
        Step::Register {
            region_in_body: None,
        } => None,
    }
}

impl Engine {
    /// Keeps `storage` as the number's, read (or set) now. Best effort: a store that cannot
    /// take it only means the storage is read again later. An engine gathering storage
    /// ([`Engine::gathering_storage`]) only adds it to its batch.
    pub async fn keep_storage(&self, id: &NumberId, storage: StorageConfig) {
        let mut entry = StorageEntry::new(id, storage, self.clock.now());
        entry.operator = Some(self.operator.clone());
        if let Some(batch) = &self.storage_batch {
            return batch.add(entry);
        }
        write(&self.ledger, vec![entry]).await;
    }

    /// This engine, but the storage it reads is gathered into a new batch instead of written
    /// one read at a time: a plan of many numbers keeps its reads in one write
    /// ([`StorageBatch::keep`]), not one lock and sync per number, which held up the plan's
    /// reads behind each other (issue 28).
    pub fn gathering_storage(&self) -> (Engine, StorageBatch) {
        let batch = StorageBatch::default();
        let engine = Engine {
            storage_batch: Some(batch.clone()),
            ..self.clone()
        };
        (engine, batch)
    }
}

/// Storage reads gathered by an engine, to be kept together.
#[derive(Debug, Clone, Default)]
pub struct StorageBatch {
    entries: std::sync::Arc<std::sync::Mutex<Vec<StorageEntry>>>,
}

impl StorageBatch {
    fn add(&self, entry: StorageEntry) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.push(entry);
    }

    /// Keeps what was gathered so far in `engine`'s ledger, in one write.
    pub async fn keep(&self, engine: &Engine) {
        let entries = std::mem::take(&mut *self.entries.lock().unwrap_or_else(|p| p.into_inner()));
        if !entries.is_empty() {
            write(&engine.ledger, entries).await;
        }
    }
}

async fn write(store: &std::sync::Arc<dyn ledger::Ledger>, entries: Vec<StorageEntry>) {
    let written = ledger::blocking(store, move |l| l.note_storage(&entries)).await;
    if let Err(e) = written {
        tracing::warn!(target: "wareg::ledger", "could not keep the numbers' storage: {e}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_gathering_engine_keeps_its_storage_reads_in_one_write_when_asked() {
        let dir = tempfile::tempdir().unwrap();
        let client = crate::graph::GraphClient::new(crate::graph::ClientSettings {
            base_url: "http://127.0.0.1:9".into(),
            version: crate::graph::ApiVersion::DEFAULT,
            token: crate::secret::Token::new("t"),
            timeout: std::time::Duration::from_secs(1),
        })
        .unwrap();
        let ledger: std::sync::Arc<dyn ledger::Ledger> =
            std::sync::Arc::new(ledger::LocalTrail::in_dir(dir.path()));
        let engine = Engine::with_ledger(client, ledger.clone(), "p", Default::default());
        let (gathering, batch) = engine.gathering_storage();
        let de = after_step(Step::SetStorage("DE".parse().ok())).unwrap();
        for n in ["1065", "1066", "1067"] {
            gathering
                .keep_storage(&NumberId::parse(n).unwrap(), de.clone())
                .await;
        }
        assert_eq!(ledger.storage_of().unwrap().len(), 0, "nothing written yet");
        batch.keep(&gathering).await;
        assert_eq!(ledger.storage_of().unwrap().len(), 3);
        // The engine it came from still keeps each read at once.
        engine
            .keep_storage(&NumberId::parse("1068").unwrap(), de)
            .await;
        assert_eq!(ledger.storage_of().unwrap().len(), 4);
    }

    #[test]
    fn a_step_that_changes_storage_says_what_it_leaves() {
        let de: Region = "DE".parse().unwrap();
        assert_eq!(
            after_step(Step::SetStorage(Some(de))).unwrap().region(),
            Some(de)
        );
        assert_eq!(after_step(Step::Deregister).unwrap().region(), None);
        assert!(
            after_step(Step::Register {
                region_in_body: None
            })
            .is_none()
        );
    }
}
