//! How the interactive face starts (`main.rs` picks it): `wareg` (the TUI on the configured
//! profile) and `wareg demo` (the TUI on an in-process sandbox with a throwaway data dir).
//! Everything that can be wrong before the terminal is taken over is an error here, in words
//! (a large fleet's `[[numbers]]` entries are checked just after the first frame).

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
    // Everything that can be wrong with the config is reported here, before raw mode, but for
    // the entries of a fleet over `NUMBERS_LATER_OVER` numbers: those are checked once the
    // first frame is drawn (`tui::run`), and one that is wrong ends the TUI before anything
    // is sent, with the same located words.
    let path = crate::paths::config_file(config).ok_or_else(|| {
        StartError::Config(ConfigError::new(
            "cannot find a home directory; pass --config FILE",
        ))
    })?;
    let (mut config, numbers) = Config::load_later(&path, NUMBERS_LATER_OVER)?;
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
    // Outcomes waiting in the data dir are pushed once the TUI runs (`assemble`): a ledger
    // that does not answer must not keep the screen from being drawn.
    let store = crate::ledger::open(&config.ledger, &data_dir)
        .map_err(|e| StartError::Config(ConfigError::new(e.to_string())))?;
    let setup = TuiSetup {
        store,
        config,
        data_dir,
        log_path,
    };
    let runtime = runtime()?;
    let result = runtime.block_on(tui::run(setup, None, numbers));
    // A token command still running on a blocking thread must not keep a quit waiting: it
    // was killed at its own timeout anyway, and the process ends now.
    runtime.shutdown_timeout(SHUTDOWN_GRACE);
    result
}

/// A config with more `[[numbers]]` entries than this has them validated after the first
/// frame (issue 28: at 20,000 they were most of the time to it); up to it, every config error
/// is reported before the terminal is taken over (1,000 entries cost about a millisecond).
pub const NUMBERS_LATER_OVER: usize = 1_000;

/// How long quitting waits for background work before leaving without it.
const SHUTDOWN_GRACE: Duration = Duration::from_millis(300);

pub fn run_demo() -> Result<(), StartError> {
    let data = demo_data_dir()?;
    let log_path = crate::logging::init_file(data.path());
    let runtime = runtime()?;
    let result = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| StartError::Local(format!("cannot start the sandbox: {e}")))?;
        let (notice_tx, notice_rx) = tokio::sync::mpsc::unbounded_channel();
        // Said once, first in the log: the numbers whose failures the log shows on purpose.
        let slow_for = SandboxOptions::default().slow_for;
        if let Some(words) = sandbox::Seed::builtin(0).misbehaving_words(slow_for) {
            let _ = notice_tx.send(format!(
                "sandbox: {words}. Their errors below are expected (\"no answer\": the server sent none)"
            ));
        }
        let options = SandboxOptions {
            notices: Some(Arc::new(move |line: String| {
                // Request lines are already in the log pane; codes are what staff need.
                if line.starts_with("sandbox:") {
                    let _ = notice_tx.send(line);
                }
            })),
            call_budget: Some(sandbox::CallBudget::DEMO),
            slow_for,
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
        let result = tui::run(setup, Some(notice_rx), None).await;
        drop(running);
        result
    });
    runtime.shutdown_timeout(SHUTDOWN_GRACE);
    result
}

/// Where the demo keeps its trail: a fresh private dir, removed when the demo ends. One that a
/// killed demo left behind is removed first.
fn demo_data_dir() -> Result<tempfile::TempDir, StartError> {
    let root = std::env::temp_dir();
    sweep_stale_demo_dirs(&root);
    let mut builder = tempfile::Builder::new();
    builder.prefix(DEMO_PREFIX);
    // Made 0700 as it is made: never chmod-ed afterwards through its name.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o700));
    }
    let data = builder
        .tempdir_in(&root)
        .map_err(|e| StartError::Local(format!("cannot make a temporary data dir: {e}")))?;
    crate::private_file::create_new(&data.path().join(DEMO_OWNER))
        .and_then(|mut file| {
            std::io::Write::write_all(&mut file, std::process::id().to_string().as_bytes())
        })
        .map_err(|e| StartError::Local(format!("cannot write in the demo's data dir: {e}")))?;
    Ok(data)
}

/// The demo's data dirs are named so; each holds the id of the process that made it.
const DEMO_PREFIX: &str = "wareg-demo-";
const DEMO_OWNER: &str = "demo.pid";

/// Removes the demo data dirs under `root` whose demo is gone (killed before it could clean
/// up); never one of another user's, or one whose demo still runs. Returns how many went.
pub fn sweep_stale_demo_dirs(root: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(root) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        let ours = entry.file_name().to_string_lossy().starts_with(DEMO_PREFIX);
        // Not through a link, and only a dir this user owns.
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        if !ours || !meta.is_dir() || !owned_by_me(&meta) {
            continue;
        }
        let alive = crate::private_file::read_capped(&path.join(DEMO_OWNER), 64)
            .ok()
            .and_then(|pid| String::from_utf8(pid).ok()?.trim().parse::<u32>().ok())
            .is_some_and(process_runs);
        if !alive && std::fs::remove_dir_all(&path).is_ok() {
            removed += 1;
        }
    }
    removed
}

#[cfg(unix)]
fn owned_by_me(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    // SAFETY: geteuid has no preconditions and cannot fail.
    meta.uid() == unsafe { libc::geteuid() }
}

#[cfg(not(unix))]
fn owned_by_me(_meta: &std::fs::Metadata) -> bool {
    false
}

/// Whether a process with this id is running (on Linux, its /proc entry exists).
fn process_runs(pid: u32) -> bool {
    Path::new("/proc").join(pid.to_string()).exists()
}

fn runtime() -> Result<tokio::runtime::Runtime, StartError> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| StartError::Local(format!("cannot start the async runtime: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_demo_dir_whose_demo_is_gone_is_swept_and_a_running_ones_stays() {
        let root = tempfile::tempdir().unwrap();
        let gone = root.path().join(format!("{DEMO_PREFIX}gone"));
        let running = root.path().join(format!("{DEMO_PREFIX}running"));
        let other = root.path().join("not-a-demo");
        for dir in [&gone, &running, &other] {
            std::fs::create_dir(dir).unwrap();
        }
        // A process that has ended: its id names no process now.
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let dead = child.id();
        child.wait().unwrap();
        std::fs::write(gone.join(DEMO_OWNER), dead.to_string()).unwrap();
        std::fs::write(running.join(DEMO_OWNER), std::process::id().to_string()).unwrap();
        assert_eq!(sweep_stale_demo_dirs(root.path()), 1);
        assert!(!gone.exists());
        assert!(running.exists() && other.exists());
    }
}
