//! The one way async code calls a ledger. Every ledger call blocks (a file lock, an fsync, a
//! database round trip), so from async code it runs on the runtime's blocking threads, never
//! on a worker thread that other tasks (the TUI's loop, the other requests) are waiting for.

use std::io;
use std::sync::Arc;

use super::Ledger;

/// Runs `call` on `ledger` on a blocking thread and waits for it without blocking the runtime.
pub async fn blocking<T, F>(ledger: &Arc<dyn Ledger>, call: F) -> io::Result<T>
where
    T: Send + 'static,
    F: FnOnce(&dyn Ledger) -> io::Result<T> + Send + 'static,
{
    let ledger = ledger.clone();
    tokio::task::spawn_blocking(move || call(ledger.as_ref()))
        .await
        .map_err(|e| io::Error::other(format!("the ledger task stopped: {e}")))?
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::LocalTrail;

    #[tokio::test(flavor = "current_thread")]
    async fn a_call_runs_off_the_runtime_thread_and_its_answer_comes_back() {
        let dir = tempfile::tempdir().unwrap();
        let ledger: Arc<dyn Ledger> = Arc::new(LocalTrail::in_dir(dir.path()));
        let runtime_thread = std::thread::current().id();
        let (ran_on, read) = blocking(&ledger, |l| {
            Ok((std::thread::current().id(), l.recent(None, 1)?))
        })
        .await
        .unwrap();
        assert_ne!(ran_on, runtime_thread);
        assert!(read.is_empty());
        let failed = blocking(&ledger, |_| -> io::Result<()> { panic!("boom") }).await;
        assert!(
            failed
                .unwrap_err()
                .to_string()
                .starts_with("the ledger task stopped"),
            "a call that panics is an error, not a panic of the caller"
        );
    }
}
