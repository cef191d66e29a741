//! The log file in the data dir (`wareg.log`). API calls are logged by the client as tracing
//! events; nothing secret is ever in an event. Nothing goes to stderr from here, so the TUI's
//! raw-mode screen is never scribbled on.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::prelude::*;

static LOG_PATH: OnceLock<Option<PathBuf>> = OnceLock::new();

/// Starts logging to `dir/wareg.log` once per process; later calls are no-ops. A log file
/// that cannot be opened only loses logging, never the command.
pub fn init_file(dir: &Path) -> Option<PathBuf> {
    LOG_PATH
        .get_or_init(|| {
            crate::paths::create_private_dir(dir).ok()?;
            let path = dir.join(crate::paths::LOG_FILE);
            // It names customers' numbers, like the trail: 0600.
            let file = crate::private_file::append(&path).ok()?;
            let layer = tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_writer(Mutex::new(file));
            let filter = Targets::new().with_target("wareg", LevelFilter::INFO);
            tracing_subscriber::registry()
                .with(layer.with_filter(filter))
                .try_init()
                .ok()?;
            Some(path)
        })
        .clone()
}
