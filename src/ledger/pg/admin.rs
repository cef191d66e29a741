//! Adopting and looking after the team ledger: `wareg ledger init` (the schema, through
//! versioned migrations embedded in the binary), `status`, `import` (a desk's local trail,
//! idempotent by attempt id) and the audit query behind `wareg audit`.

use chrono::{DateTime, Utc};
use std::io;
use std::ops::ControlFlow;

use super::{PgLedger, record_of};
use crate::audit::AuditRecord;
use crate::ledger::{AuditLog, Query, Sink};

/// The migrations in assets/migrations, by file stem (`V{version}__{name}`), embedded in the
/// binary. Listed here rather than found by refinery's `embed_migrations!`: that macro is a
/// proc-macro crate that builds refinery-core, regex and url a second time for the compiler;
/// the runner it generates is exactly this. A migration file not listed here fails
/// `every_migration_file_is_embedded`.
const MIGRATIONS: &[(&str, &str)] = &[
    (
        "V1__ledger",
        include_str!("../../../assets/migrations/V1__ledger.sql"),
    ),
    (
        "V2__facts",
        include_str!("../../../assets/migrations/V2__facts.sql"),
    ),
    (
        "V3__storage",
        include_str!("../../../assets/migrations/V3__storage.sql"),
    ),
];

/// The runner over [`MIGRATIONS`]; refinery computes each one's checksum from its name and SQL,
/// as it did for the macro's.
fn migrations() -> Result<refinery_core::Runner, String> {
    let migrations = MIGRATIONS
        .iter()
        .map(|(name, sql)| refinery_core::Migration::unapplied(name, sql))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())?;
    Ok(refinery_core::Runner::new(&migrations))
}

/// The newest schema version this wareg's migrations make.
pub fn latest_schema() -> i64 {
    // The version is the number after V in each listed name.
    MIGRATIONS
        .iter()
        .filter_map(|(name, _)| name.strip_prefix('V')?.split("__").next()?.parse().ok())
        .max()
        .unwrap_or_default()
}

/// What `wareg ledger status` reports.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LedgerStatus {
    pub ledger: String,
    pub schema_version: Option<i64>,
    pub records: i64,
    pub latest: Option<DateTime<Utc>>,
    /// Outcomes of this desk still waiting in the data dir.
    pub pending_here: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct ImportReport {
    pub read: usize,
    /// New to the ledger; the rest were there already.
    pub inserted: usize,
    pub skipped_lines: usize,
}

/// Rows inserted per transaction during an import.
const IMPORT_BATCH: usize = 2_000;

impl PgLedger {
    /// Creates the schema if needed and applies the migrations it lacks; returns the versions
    /// applied now. Needs a role that may create tables (the desks' role needs less).
    pub fn init(&self) -> io::Result<Vec<String>> {
        let schema = self.settings.schema.clone();
        let failed = |e: String| io::Error::other(format!("the migration failed: {e}"));
        let runner = migrations().map_err(failed)?;
        let scrubbed = |e: String| failed(self.settings.scrub(&e));
        self.run(async move |client| {
            client
                .batch_execute(&format!(
                    "CREATE SCHEMA IF NOT EXISTS {schema}; SET search_path TO {schema}"
                ))
                .await?;
            Ok(runner
                .run_async(client)
                .await
                .map(|report| {
                    report
                        .applied_migrations()
                        .iter()
                        .map(|m| format!("V{} {}", m.version(), m.name()))
                        .collect::<Vec<_>>()
                })
                .map_err(|e| e.to_string()))
        })?
        // The runner may quote the server: its words lose the URL's password like any.
        .map_err(scrubbed)
    }

    pub fn status(&self) -> io::Result<LedgerStatus> {
        let (schema_version, records, latest) = self.run(async |client| {
            let version = client
                .query_opt(
                    "SELECT max(version)::bigint FROM refinery_schema_history",
                    &[],
                )
                .await
                .ok()
                .flatten()
                .and_then(|row| row.try_get::<_, Option<i64>>(0).ok().flatten());
            let row = client
                .query_one("SELECT count(*), max(time) FROM records", &[])
                .await?;
            // A server that answers with other types is an error, not a panic.
            Ok((version, row.try_get::<_, i64>(0)?, row.try_get(1)?))
        })?;
        Ok(LedgerStatus {
            ledger: self.settings.describe(),
            schema_version,
            records,
            latest,
            pending_here: self.pending()?.len(),
        })
    }

    /// Pushes a local trail into the ledger, streamed in batches; a record already there
    /// (same attempt and phase) is kept once, so running it twice changes nothing.
    pub fn import(&self, trail: &AuditLog) -> io::Result<ImportReport> {
        let mut report = ImportReport {
            read: 0,
            inserted: 0,
            skipped_lines: 0,
        };
        let mut batch = Vec::with_capacity(IMPORT_BATCH);
        let mut failure = None;
        trail.for_each(|line| {
            match line {
                Ok(record) => {
                    report.read += 1;
                    batch.push(record);
                    if batch.len() == IMPORT_BATCH {
                        match self.insert_batch(std::mem::take(&mut batch)) {
                            Ok(n) => report.inserted += n,
                            Err(e) => {
                                failure = Some(e);
                                return ControlFlow::Break(());
                            }
                        }
                    }
                }
                Err(_) => report.skipped_lines += 1,
            }
            ControlFlow::Continue(())
        })?;
        if let Some(e) = failure {
            return Err(e);
        }
        report.inserted += self.insert_batch(batch)?;
        Ok(report)
    }

    fn insert_batch(&self, batch: Vec<AuditRecord>) -> io::Result<usize> {
        if batch.is_empty() {
            return Ok(0);
        }
        // One statement per batch, its columns as arrays. An import is history, not news: the
        // other desks are not notified of each line.
        let mut time = Vec::with_capacity(batch.len());
        let mut attempt = Vec::with_capacity(batch.len());
        let mut phase = Vec::with_capacity(batch.len());
        let mut number = Vec::with_capacity(batch.len());
        let mut op = Vec::with_capacity(batch.len());
        let mut operator = Vec::with_capacity(batch.len());
        let mut host = Vec::with_capacity(batch.len());
        let mut json = Vec::with_capacity(batch.len());
        for record in batch {
            let value = serde_json::to_value(&record).unwrap_or_default();
            phase.push(value["phase"].as_str().unwrap_or_default().to_owned());
            op.push(value["op"].as_str().unwrap_or_default().to_owned());
            time.push(record.time);
            attempt.push(record.attempt);
            number.push(record.number.as_str().to_owned());
            operator.push(record.operator);
            host.push(record.host);
            json.push(value);
        }
        self.run(async move |client| {
            let inserted = client
                .execute(
                    "INSERT INTO records (time, attempt, phase, number, op, operator, host, record)
                     SELECT * FROM UNNEST($1::timestamptz[], $2::text[], $3::text[], $4::text[],
                                          $5::text[], $6::text[], $7::text[], $8::jsonb[])
                     ON CONFLICT (attempt, phase) DO NOTHING",
                    &[
                        &time, &attempt, &phase, &number, &op, &operator, &host, &json,
                    ],
                )
                .await?;
            Ok(inserted as usize)
        })
    }

    /// The ledger's query: filtered in the database, oldest first, each record handed to
    /// `sink` as it arrives (the result is never held whole).
    pub(super) fn query_records(&self, query: &Query, sink: &mut Sink<'_>) -> io::Result<()> {
        let number = query.number.as_ref().map(|n| n.as_str().to_owned());
        // As the trail spells it ("set_pin").
        let op = query.op.map(|op| {
            serde_json::to_value(op)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default()
        });
        // As long as the history: each row has the deadline, not the whole stream (nor, on
        // the server, the statement).
        let step = self.settings.timeout();
        self.call(super::Bound::Steps, async move |client| {
            use futures::StreamExt;
            let user_only = query
                .operator
                .as_deref()
                .filter(|o| !o.contains('@'))
                .map(|o| format!("{o}@%"))
                .unwrap_or_default();
            let tx = within(step, client.transaction()).await?;
            within(step, tx.batch_execute("SET LOCAL statement_timeout = 0")).await?;
            let rows = within(
                step,
                tx.query_raw(
                    "SELECT record FROM records
                     WHERE ($1::timestamptz IS NULL OR time > $1)
                       AND ($2::text IS NULL OR number = $2)
                       AND ($3::text IS NULL OR op = $3)
                       AND ($4::text IS NULL OR operator = $4 OR operator LIKE $5)
                     ORDER BY time, seq",
                    [
                        &query.since as &(dyn tokio_postgres::types::ToSql + Sync),
                        &number,
                        &op,
                        &query.operator,
                        &user_only,
                    ],
                ),
            )
            .await?;
            let mut rows = std::pin::pin!(rows);
            while let Some(row) = within(step, async { rows.next().await.transpose() }).await? {
                // LIKE reads `_` and `%` in a user's name as wildcards: the query has the
                // last word, as it has on the local trail.
                if let Some(record) = record_of(&row).filter(|r| query.keeps(r))
                    && sink(Ok(record)).is_break()
                {
                    break;
                }
            }
            Ok(())
        })
    }
}

/// One step of a stream, given up on after `step`.
async fn within<T>(
    step: std::time::Duration,
    work: impl Future<Output = Result<T, tokio_postgres::Error>>,
) -> Result<T, super::Failure> {
    Ok(tokio::time::timeout(step, work)
        .await
        .map_err(|_| super::Failure::TimedOut)??)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_latest_schema_is_the_newest_migration_and_what_the_runner_knows() {
        let runner = migrations().unwrap();
        let newest = runner
            .get_migrations()
            .iter()
            .map(|m| i64::from(m.version()))
            .max();
        assert_eq!(Some(latest_schema()), newest);
        assert_eq!(latest_schema(), MIGRATIONS.len() as i64);
    }

    #[test]
    fn every_migration_file_is_embedded() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/migrations");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter_map(|name| name.strip_suffix(".sql").map(str::to_owned))
            .collect();
        on_disk.sort();
        let mut embedded: Vec<String> = MIGRATIONS.iter().map(|(n, _)| n.to_string()).collect();
        embedded.sort();
        assert_eq!(embedded, on_disk, "list every file of {dir} in MIGRATIONS");
        for (name, sql) in MIGRATIONS {
            let file = std::fs::read_to_string(format!("{dir}/{name}.sql")).unwrap();
            assert_eq!(*sql, file, "{name}");
        }
        let runner = migrations().unwrap();
        let versions: Vec<_> = runner
            .get_migrations()
            .iter()
            .map(|m| (m.version(), m.name().to_owned()))
            .collect();
        assert_eq!(
            versions,
            [
                (1, "ledger".to_owned()),
                (2, "facts".to_owned()),
                (3, "storage".to_owned())
            ]
        );
    }
}
