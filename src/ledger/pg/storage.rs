//! The team ledger's kept storage (`audit::storage`): the `storage` table (schema version 3),
//! one row per number, replaced only by a newer read; a batch of reads is one statement. The
//! desk's own file in the data dir is written too and read beside it, so a desk that loses
//! the database still knows what it read.

use std::io;

use super::PgLedger;
use crate::audit::{StorageBook, StorageEntry};
use crate::graph::NumberId;
use crate::graph::types::{StorageConfig, StorageStatus};

/// Writes `entries` to the table (and the desk's file). A table that cannot be written is
/// an error after the file has them.
pub(super) fn note(ledger: &PgLedger, entries: &[StorageEntry]) -> io::Result<()> {
    if entries.is_empty() {
        return Ok(());
    }
    let local = ledger.storage_file.append(entries);
    let numbers: Vec<String> = entries
        .iter()
        .map(|e| e.number.as_str().to_owned())
        .collect();
    let statuses: Vec<String> = entries
        .iter()
        .map(|e| e.storage.status.as_str().to_owned())
        .collect();
    let regions: Vec<Option<String>> = entries
        .iter()
        .map(|e| e.storage.data_localization_region.clone())
        .collect();
    let times: Vec<chrono::DateTime<chrono::Utc>> = entries.iter().map(|e| e.read_at).collect();
    let operators: Vec<Option<String>> = entries.iter().map(|e| e.operator.clone()).collect();
    ledger.run(async move |client| {
        // One row per number: the newest read wins, whichever desk sends it first. A batch
        // naming a number twice keeps its newest (ON CONFLICT may not touch a row twice).
        let params: [&(dyn tokio_postgres::types::ToSql + Sync); 5] =
            [&numbers, &statuses, &regions, &times, &operators];
        client
            .execute(
                "INSERT INTO storage (number, status, region, read_at, operator)
                 SELECT DISTINCT ON (number) number, status, region, read_at, operator
                 FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::text[])
                      AS t(number, status, region, read_at, operator)
                 ORDER BY number, read_at DESC
                 ON CONFLICT (number) DO UPDATE
                 SET status = EXCLUDED.status, region = EXCLUDED.region,
                     read_at = EXCLUDED.read_at, operator = EXCLUDED.operator, written_at = now()
                 WHERE EXCLUDED.read_at >= storage.read_at",
                &params,
            )
            .await?;
        Ok(())
    })?;
    local
}

/// The table's rows with the desk's file folded in (the newest read of each number wins).
pub(super) fn read(ledger: &PgLedger) -> io::Result<StorageBook> {
    let rows = ledger.run(async move |client| {
        Ok(client
            .query(
                "SELECT number, status, region, read_at, operator FROM storage",
                &[],
            )
            .await?)
    })?;
    let mut book: StorageBook = rows.iter().filter_map(entry_of).collect();
    // The file is a hint beside the table: one that cannot be read leaves the table's.
    if let Ok(local) = ledger.storage_file.read() {
        book.merge(local);
    }
    Ok(book)
}

/// One row as an entry, cleaned like everything read from outside; a row wareg cannot read
/// is left out (that number's storage is then read again).
fn entry_of(row: &tokio_postgres::Row) -> Option<StorageEntry> {
    let clean = |text: String| crate::clean::owned_text(text, crate::clean::NAME_MAX);
    let number = NumberId::parse(&clean(row.try_get::<_, String>(0).ok()?)).ok()?;
    let status = StorageStatus::parse(&clean(row.try_get::<_, String>(1).ok()?));
    let region = row.try_get::<_, Option<String>>(2).ok()?.map(clean);
    let mut entry = StorageEntry::new(
        &number,
        StorageConfig {
            status,
            data_localization_region: region,
        },
        row.try_get(3).ok()?,
    );
    entry.operator = row.try_get::<_, Option<String>>(4).ok()?.map(clean);
    Some(entry)
}
