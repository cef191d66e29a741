//! A throwaway PostgreSQL cluster for the team-ledger tests: one per test binary (`initdb` in a
//! temp dir, `pg_ctl start` on a free loopback port, as the `postgres` user when running as
//! root, since initdb refuses root), one database per test, stopped when the binary exits.
//!
//! Where no server is installed the tests say so and skip, unless `WAREG_REQUIRE_PG=1` (CI),
//! where a missing server fails the run.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

pub struct PgCluster {
    pub port: u16,
    dir: PathBuf,
    bin: PathBuf,
}

static CLUSTER: OnceLock<Result<PgCluster, String>> = OnceLock::new();
static DATABASES: AtomicUsize = AtomicUsize::new(0);

/// The binary's cluster, started on first use; None (with the reason printed) when PostgreSQL
/// is not installed here and CI did not require it.
pub fn cluster() -> Option<&'static PgCluster> {
    match CLUSTER.get_or_init(start) {
        Ok(cluster) => Some(cluster),
        Err(why) if std::env::var("WAREG_REQUIRE_PG").is_ok_and(|v| v == "1") => {
            panic!("WAREG_REQUIRE_PG=1 but no PostgreSQL could be started: {why}")
        }
        Err(why) => {
            eprintln!("SKIPPED (no PostgreSQL here): {why}");
            None
        }
    }
}

/// A fresh database on the cluster, as a URL with a password in it (trust authentication
/// ignores it; the tests check it never shows).
pub fn database() -> Option<String> {
    let cluster = cluster()?;
    let name = format!(
        "t{}_{}",
        std::process::id(),
        DATABASES.fetch_add(1, Ordering::SeqCst)
    );
    let mut admin = postgres::Client::connect(
        &format!(
            "host=127.0.0.1 port={} user=postgres dbname=postgres",
            cluster.port
        ),
        postgres::NoTls,
    )
    .expect("the test cluster accepts connections");
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .expect("create a test database");
    Some(format!(
        "postgres://postgres:{PASSWORD}@127.0.0.1:{}/{name}",
        cluster.port
    ))
}

/// Never to be seen in any output.
pub const PASSWORD: &str = "pw-never-shown-7f3a";

fn bin_dir() -> Result<PathBuf, String> {
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output()
        && out.status.success()
    {
        let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if dir.join("initdb").exists() {
            return Ok(dir);
        }
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map_err(|_| "no /usr/lib/postgresql (apt-get install -y postgresql)".to_owned())?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|bin| bin.join("initdb").exists())
        .collect();
    found.sort();
    found
        .pop()
        .ok_or_else(|| "no initdb under /usr/lib/postgresql/*/bin".to_owned())
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// Runs a server program, as `postgres` when this process is root.
fn server_cmd(bin: &Path, program: &str) -> Command {
    if is_root() {
        let mut cmd = Command::new("runuser");
        cmd.args(["-u", "postgres", "--"]).arg(bin.join(program));
        cmd
    } else {
        Command::new(bin.join(program))
    }
}

fn run(cmd: &mut Command, what: &str) -> Result<(), String> {
    let out = cmd.output().map_err(|e| format!("{what}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{what} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

fn start() -> Result<PgCluster, String> {
    let bin = bin_dir()?;
    let dir = std::env::temp_dir().join(format!("wareg-pg-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    if is_root() {
        run(
            Command::new("chown").args(["postgres:", &dir.display().to_string()]),
            "chown the cluster dir",
        )?;
    }
    let data = dir.join("data");
    run(
        server_cmd(&bin, "initdb")
            .args(["-D", &data.display().to_string()])
            .args(["-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"]),
        "initdb",
    )?;
    let mut last = String::new();
    for _ in 0..5 {
        let port = free_port();
        let options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c max_connections=200",
            dir.display()
        );
        let started = run(
            server_cmd(&bin, "pg_ctl")
                .args(["-D", &data.display().to_string()])
                .args(["-l", &dir.join("log").display().to_string()])
                .args(["-o", &options, "-w", "-t", "30", "start"]),
            "pg_ctl start",
        );
        match started {
            Ok(()) => {
                let cluster = PgCluster {
                    port,
                    dir: dir.clone(),
                    bin: bin.clone(),
                };
                register_stop();
                return Ok(cluster);
            }
            // Most likely the port was taken between choosing and binding: try another.
            Err(e) => last = e,
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    Err(last)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(54329)
}

extern "C" fn stop_cluster() {
    if let Some(Ok(cluster)) = CLUSTER.get() {
        let _ = server_cmd(&cluster.bin, "pg_ctl")
            .args(["-D", &cluster.dir.join("data").display().to_string()])
            .args(["-m", "immediate", "stop"])
            .output();
        let _ = std::fs::remove_dir_all(&cluster.dir);
    }
}

fn register_stop() {
    // SAFETY: registers a plain function to run at process exit.
    unsafe {
        libc::atexit(stop_cluster);
    }
}

/// Another desk (ana@desk-1) in the middle of an admission of `number`: its transaction holds
/// the number's lock until the returned sender says to let go, or `at_most` passes. It admits
/// nothing, so the number's records stay as they were.
pub fn hold_the_lock(
    url: &str,
    number: &str,
    at_most: std::time::Duration,
) -> std::sync::mpsc::Sender<()> {
    let settings =
        wareg::ledger::pg::PgSettings::parse(&wareg::secret::Token::new(url.to_owned()), "wareg")
            .unwrap()
            .with_timeout(std::time::Duration::from_secs(30));
    let number = wareg::graph::NumberId::parse(number).unwrap();
    let (release, released) = std::sync::mpsc::channel::<()>();
    let (held, holding) = std::sync::mpsc::channel::<()>();
    std::thread::spawn(move || {
        use wareg::ledger::Ledger;
        let dir = tempfile::tempdir().unwrap();
        let ledger = wareg::ledger::PgLedger::new(settings, dir.path());
        let now = chrono::Utc::now();
        let mut intent = wareg::audit::AuditRecord::intent(
            now,
            "ana-holding",
            "sb",
            &number,
            wareg::audit::Operation::Register,
        );
        intent.operator = Some("ana@desk-1".into());
        let released = std::sync::Mutex::new(released);
        let admitted = ledger.admit(&intent, now - chrono::Duration::days(7), &mut |_| {
            let _ = held.send(());
            let _ = released.lock().unwrap().recv_timeout(at_most);
            false
        });
        assert!(matches!(admitted, Ok(false)), "{admitted:?}");
    });
    holding
        .recv_timeout(std::time::Duration::from_secs(20))
        .expect("the other desk holds the lock");
    release
}
