//! Shared test rig: an in-process sandbox on a loopback port, a temp config and data dir,
//! and the real `wareg` binary run against them.
#![allow(dead_code)]

pub mod app_fixture;
pub mod bulk_fixture;
pub mod fake_pg;
pub mod pg;
pub mod pty;
pub mod scrub;
pub mod tls;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use wareg::audit::{AuditRecord, Operation};
use wareg::ledger::AuditLog;
use wareg::sandbox::{self, RunningSandbox, SandboxOptions};

pub const TOKEN_VAR: &str = "WAREG_TEST_TOKEN";
pub const TOKEN: &str = "test-token-not-secret";
/// A token variable no test sets: a profile naming it has no token.
pub const UNSET_TOKEN: &str = "WAREG_TEST_UNSET_TOKEN";

pub const CONNECTED: &str = "106540352242922"; // PIN 246810, storage DE
pub const CONNECTED_PIN: &str = "246810";
pub const PENDING: &str = "106540352242923"; // verified, unregistered, no PIN
pub const UNVERIFIED: &str = "106540352242924";
pub const COEXISTENCE: &str = "106540352242927";
pub const SLOW: &str = "106540352242931";
pub const HTML502: &str = "106540352242932";
pub const TRUNCATED: &str = "106540352242933";
pub const RESET: &str = "106540352242934";

pub struct Rig {
    // Field order matters: the sandbox stops before its runtime goes.
    pub sandbox: RunningSandbox,
    runtime: tokio::runtime::Runtime,
    pub dir: tempfile::TempDir,
    pub config: PathBuf,
    pub token: String,
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", self.stdout))
    }
}

impl Rig {
    /// The rig's numbers in profile `sb`, and a default profile `prod` whose token is not set;
    /// `prod_numbers` are configured in `prod`.
    pub fn two_profiles(&self, prod_numbers: &[&str]) {
        let base = self.sandbox.base_url();
        let mut text = format!(
            r#"default_profile = "prod"

[profiles.prod]
base_url = "{base}"
token_env = "{UNSET_TOKEN}"

[profiles.sb]
base_url = "{base}"
api_version = "v25.0"
token_env = "{TOKEN_VAR}"
waba_id = "{waba}"
timeout_secs = 1

[[numbers]]
id = "{PENDING}"
label = "Sales UK"
profile = "sb"

[[numbers]]
id = "{CONNECTED}"
label = "Support DE"
profile = "sb"
"#,
            waba = self.sandbox.waba_id(),
        );
        for id in prod_numbers {
            text.push_str(&format!(
                "\n[[numbers]]\nid = \"{id}\"\nprofile = \"prod\"\n"
            ));
        }
        std::fs::write(&self.config, text).unwrap();
    }

    /// A sandbox and a profile on `version` pointing at it.
    pub fn new(version: &str) -> Rig {
        Rig::with(
            version,
            SandboxOptions {
                slow_for: Duration::from_secs(4),
                ..SandboxOptions::default()
            },
        )
    }

    pub fn with(version: &str, options: SandboxOptions) -> Rig {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let sandbox = runtime.block_on(async {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            sandbox::start(listener, options).unwrap()
        });
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config.toml");
        let rig = Rig {
            sandbox,
            runtime,
            dir,
            config,
            token: TOKEN.into(),
        };
        rig.write_config(version, 1);
        rig
    }

    pub fn write_config(&self, version: &str, timeout_secs: u64) {
        self.write_config_at(&self.sandbox.base_url(), version, timeout_secs);
    }

    /// The same profile reaching the sandbox through `base` (a TLS front, say).
    pub fn write_config_at(&self, base: &str, version: &str, timeout_secs: u64) {
        let text = format!(
            r#"default_profile = "sb"

[profiles.sb]
base_url = "{base}"
api_version = "{version}"
token_env = "{TOKEN_VAR}"
waba_id = "{waba}"
timeout_secs = {timeout_secs}

[[numbers]]
id = "{PENDING}"
label = "Sales UK"

[[numbers]]
id = "{CONNECTED}"
label = "Support DE"
"#,
            waba = self.sandbox.waba_id(),
        );
        std::fs::write(&self.config, text).unwrap();
    }

    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    pub fn audit_path(&self) -> PathBuf {
        self.data_dir().join("audit.jsonl")
    }

    pub fn log_path(&self) -> PathBuf {
        self.data_dir().join("wareg.log")
    }

    pub fn wareg(&self, args: &[&str]) -> Run {
        self.wareg_with(args, None, &[])
    }

    pub fn wareg_stdin(&self, args: &[&str], stdin: &str) -> Run {
        self.wareg_with(args, Some(stdin), &[])
    }

    pub fn wareg_with(&self, args: &[&str], stdin: Option<&str>, env: &[(&str, &str)]) -> Run {
        run_wareg(args, stdin, &self.env(env))
    }

    /// Starts wareg against this rig without waiting for it.
    pub fn start(&self, args: &[&str], stdin: Option<&str>) -> Child {
        start_wareg(args, stdin, &self.env(&[]))
    }

    pub fn env(&self, extra: &[(&str, &str)]) -> Vec<(String, String)> {
        let mut env = vec![
            ("WAREG_CONFIG".to_owned(), self.config.display().to_string()),
            (
                "WAREG_DATA_DIR".to_owned(),
                self.data_dir().display().to_string(),
            ),
            (TOKEN_VAR.to_owned(), self.token.clone()),
        ];
        env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        env
    }

    /// Requests the sandbox received, as "METHOD /path".
    pub fn calls(&self) -> Vec<String> {
        self.sandbox
            .received()
            .iter()
            .map(|r| format!("{} {}", r.method, r.path))
            .collect()
    }

    pub fn block_on<F: std::future::Future>(&self, f: F) -> F::Output {
        self.runtime.block_on(f)
    }
}

/// The paths of the POSTs a sandbox received, in order.
pub fn posts(sandbox: &RunningSandbox) -> Vec<String> {
    sandbox
        .received()
        .into_iter()
        .filter(|r| r.method == "POST")
        .map(|r| r.path)
        .collect()
}

pub fn run_wareg(args: &[&str], stdin: Option<&str>, env: &[(String, String)]) -> Run {
    finish(start_wareg(args, stdin, env))
}

/// Starts wareg (stdin written and closed) without waiting for it, so that two can run at once.
pub fn start_wareg(args: &[&str], stdin: Option<&str>, env: &[(String, String)]) -> Child {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_wareg"));
    cmd.args(args)
        .env_remove("WAREG_CONFIG")
        .env_remove("WAREG_DATA_DIR")
        // A proxy set on the machine running the tests must not catch loopback traffic.
        .env_remove("HTTP_PROXY")
        .env_remove("http_proxy")
        .env_remove("HTTPS_PROXY")
        .env_remove("https_proxy")
        .env_remove("ALL_PROXY")
        .env_remove("all_proxy")
        // Times are written in UTC unless TZ names a zone: a test that wants one says so.
        .env_remove("TZ")
        .env("NO_COLOR", "1")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("wareg binary runs");
    if let Some(text) = stdin {
        let mut pipe = child.stdin.take().expect("stdin was piped");
        match pipe.write_all(text.as_bytes()) {
            // wareg may rightly refuse its arguments and exit before it reads stdin.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
            other => other.expect("writing wareg's stdin"),
        }
    }
    child
}

pub fn finish(child: Child) -> Run {
    let out = child.wait_with_output().expect("waiting for wareg");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// [`finish`], with the child's own peak resident size in KiB (Linux: `ru_maxrss` from wait4
/// on that one process, so other tests running beside it do not count).
#[cfg(unix)]
// wait4 below reaps the child, which clippy cannot see.
#[allow(clippy::zombie_processes)]
pub fn finish_measured(mut child: Child) -> (Run, i64) {
    use std::io::Read;
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            String::from_utf8_lossy(&bytes).into_owned()
        })
    };
    let stdout = drain(Box::new(child.stdout.take().expect("stdout was piped")));
    let stderr = drain(Box::new(child.stderr.take().expect("stderr was piped")));
    let mut status = 0;
    // SAFETY: wait4 on our own child's pid with zeroed out-parameters it fills in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    let run = Run {
        code,
        stdout: stdout.join().expect("stdout drained"),
        stderr: stderr.join().expect("stderr drained"),
    };
    (run, usage.ru_maxrss)
}

/// Writes a register attempt an hour old that Meta answered with 133016 (its lock).
pub fn seed_meta_lock(data_dir: &Path, profile: &str, number: &str) {
    let log = AuditLog::in_dir(data_dir);
    let at = chrono::Utc::now() - chrono::Duration::hours(1);
    let number = wareg::graph::NumberId::parse(number).unwrap();
    let mut record = AuditRecord::intent(at, "locked", profile, &number, Operation::Register);
    log.append(&record).unwrap();
    record.phase = wareg::audit::Phase::Outcome;
    record.outcome = Some(wareg::audit::Outcome::Error);
    record.code = Some(133016);
    log.append(&record).unwrap();
}

/// Writes `n` register or deregister intents an hour old, as if earlier attempts were made.
pub fn seed_attempts(data_dir: &Path, profile: &str, number: &str, op: Operation, n: usize) {
    let log = AuditLog::in_dir(data_dir);
    let number = wareg::graph::NumberId::parse(number).unwrap();
    for i in 0..n {
        // Attempts that ended (Meta answered): an intent alone would be a change in progress.
        let intent = AuditRecord::intent(
            chrono::Utc::now() - chrono::Duration::hours(1),
            format!("seed{i}"),
            profile,
            &number,
            op,
        );
        let mut outcome = intent.clone();
        outcome.phase = wareg::audit::Phase::Outcome;
        outcome.outcome = Some(wareg::audit::Outcome::Error);
        outcome.code = Some(133005);
        log.append(&intent).unwrap();
        log.append(&outcome).unwrap();
    }
}

pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

/// The id of the `i`th generated number the sandbox adds (`extra_numbers`).
pub fn fleet_id(i: usize) -> String {
    (1_990_000_000_000_000u64 + i as u64).to_string()
}

/// A rig whose config lists `n` generated (connected) numbers labelled "Fleet 00001"….
pub fn fleet_rig(n: usize, latency: Duration) -> Rig {
    let rig = Rig::with(
        "v25.0",
        SandboxOptions {
            extra_numbers: n,
            latency,
            ..SandboxOptions::default()
        },
    );
    let mut text = std::fs::read_to_string(&rig.config).unwrap();
    for i in 0..n {
        text.push_str(&format!(
            "\n[[numbers]]\nid = \"{}\"\nlabel = \"Fleet {:05}\"\n",
            fleet_id(i),
            i + 1
        ));
    }
    std::fs::write(
        &rig.config,
        text.replace("timeout_secs = 1", "timeout_secs = 10"),
    )
    .unwrap();
    rig
}
