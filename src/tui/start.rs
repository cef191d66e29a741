//! How the interactive face starts (`main.rs` picks it): `wareg` (the TUI on the configured
//! profile) and `wareg demo` (the TUI on an in-process sandbox with a throwaway data dir).
//! Everything that can be wrong before the terminal is taken over is an error here, in words.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use crate::config::{Config, ConfigError};
use crate::sandbox::{self, SandboxOptions, demo_config};
use crate::tui::{self, TuiSetup};

/// Why the TUI did not start (or ended badly); nothing was sent. Exit code 2.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("{0}")]
    Config(#[from] ConfigError),
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Local(String),
}

/// The TUI on the config at `config` (else the usual place), with `profile` as the default.
pub fn run_tui(config: Option<&Path>, profile: Option<&str>) -> Result<(), StartError> {
    // Everything that can be wrong with the config is reported here, before raw mode.
    let path = crate::paths::config_file(config).ok_or_else(|| {
        StartError::Config(ConfigError::new(
            "cannot find a home directory; pass --config FILE",
        ))
    })?;
    let mut config = Config::load(&path)?;
    if let Some(p) = profile {
        if config.profile(p).is_none() {
            return Err(StartError::Usage(format!(
                "there is no profile named `{p}`"
            )));
        }
        config.default_profile = p.into();
    }
    let data_dir = crate::paths::data_dir().ok_or_else(|| {
        StartError::Local("cannot find a data directory; set WAREG_DATA_DIR".into())
    })?;
    for notice in crate::paths::prepare_data_dir(&data_dir).map_err(StartError::Local)? {
        eprintln!("warning: {notice}");
    }
    let log_path = crate::logging::init_file(&data_dir);
    let (store, notices) = crate::ledger::open_and_sync(&config.ledger, &data_dir)
        .map_err(|e| StartError::Config(ConfigError::new(e.to_string())))?;
    for notice in notices {
        eprintln!("{notice}");
    }
    let setup = TuiSetup {
        store,
        config,
        data_dir,
        log_path,
    };
    let runtime = runtime()?;
    let result = runtime.block_on(tui::run(setup, None));
    // A token command still running on a blocking thread must not keep a quit waiting: it
    // was killed at its own timeout anyway, and the process ends now.
    runtime.shutdown_timeout(SHUTDOWN_GRACE);
    result.map_err(|e| StartError::Local(format!("terminal: {e}")))
}

/// How long quitting waits for background work before leaving without it.
const SHUTDOWN_GRACE: Duration = Duration::from_millis(300);

pub fn run_demo() -> Result<(), StartError> {
    let data = tempfile::tempdir()
        .map_err(|e| StartError::Local(format!("cannot make a temporary data dir: {e}")))?;
    let log_path = crate::logging::init_file(data.path());
    let runtime = runtime()?;
    let result = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| StartError::Local(format!("cannot start the sandbox: {e}")))?;
        let (notice_tx, notice_rx) = tokio::sync::mpsc::unbounded_channel();
        let options = SandboxOptions {
            notices: Some(Arc::new(move |line: String| {
                // Request lines are already in the log pane; codes are what staff need.
                if line.starts_with("sandbox:") {
                    let _ = notice_tx.send(line);
                }
            })),
            call_budget: Some(sandbox::CallBudget::DEMO),
            ..SandboxOptions::default()
        };
        let running = sandbox::start(listener, options)
            .map_err(|e| StartError::Local(format!("cannot start the sandbox: {e}")))?;
        let config = demo_config(&running.base_url());
        let setup = TuiSetup {
            store: crate::ledger::Store::Local(Arc::new(crate::ledger::LocalTrail::in_dir(
                data.path(),
            ))),
            config,
            data_dir: data.path().to_path_buf(),
            log_path,
        };
        let result = tui::run(setup, Some(notice_rx)).await;
        drop(running);
        result.map_err(|e| StartError::Local(format!("terminal: {e}")))
    });
    runtime.shutdown_timeout(SHUTDOWN_GRACE);
    result
}

fn runtime() -> Result<tokio::runtime::Runtime, StartError> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| StartError::Local(format!("cannot start the async runtime: {e}")))
}
