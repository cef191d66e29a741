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
    /// take it only means the storage is read again later.
    pub async fn keep_storage(&self, id: &NumberId, storage: StorageConfig) {
        let mut entry = StorageEntry::new(id, storage, self.clock.now());
        entry.operator = Some(self.operator.clone());
        let written = ledger::blocking(&self.ledger, move |l| l.note_storage(&[entry])).await;
        if let Err(e) = written {
            tracing::warn!(target: "wareg::ledger", "could not keep the number's storage: {e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
