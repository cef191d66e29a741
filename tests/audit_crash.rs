//! Crash safety of the audit trail: a child process appends records and is killed with SIGKILL
//! at random points, many times. The trail must always parse, only a torn last line may be
//! skipped, no earlier record may be lost, and the budget count must stay right. Two processes
//! appending at once must never interleave inside a line.

use std::collections::BTreeMap;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use wareg::audit::{AuditRecord, BudgetBook, Operation};
use wareg::config::BudgetPolicy;
use wareg::ledger::AuditLog;

const NUMBER: &str = "106540352242922";

fn record(writer: &str, seq: u64, padding: usize) -> AuditRecord {
    AuditRecord {
        // A long line makes an interleaved or torn write easy to see.
        detail: Some("x".repeat(padding)),
        ..AuditRecord::intent(
            chrono::Utc::now(),
            format!("{writer}-{seq}"),
            "crash",
            &wareg::graph::NumberId::parse(NUMBER).unwrap(),
            Operation::Register,
        )
    }
}

/// Not a test of its own: the body of the child processes, run by the tests below through
/// this same test binary.
#[test]
fn child_appender() {
    let Some(path) = std::env::var_os("WAREG_APPEND_TO") else {
        return;
    };
    let writer = std::env::var("WAREG_APPENDER").unwrap_or_default();
    let count: u64 = std::env::var("WAREG_APPEND_COUNT")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(u64::MAX);
    let padding = std::env::var("WAREG_APPEND_PADDING")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(64);
    let log = AuditLog::new(path);
    for seq in 0..count {
        log.append(&record(&writer, seq, padding)).unwrap();
    }
}

fn spawn_appender(
    path: &std::path::Path,
    writer: &str,
    count: Option<u64>,
    padding: usize,
) -> Child {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args([
        "child_appender",
        "--exact",
        "--test-threads=1",
        "--nocapture",
    ])
    .env("WAREG_APPEND_TO", path)
    .env("WAREG_APPENDER", writer)
    .env("WAREG_APPEND_PADDING", padding.to_string())
    .stdout(Stdio::null())
    .stderr(Stdio::null());
    if let Some(count) = count {
        cmd.env("WAREG_APPEND_COUNT", count.to_string());
    }
    cmd.spawn().unwrap()
}

/// Per writer, the sequence numbers found; they must be 0..n without a gap.
fn sequences(records: &[AuditRecord]) -> BTreeMap<String, Vec<u64>> {
    let mut seen: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    for r in records {
        let (writer, seq) = r.attempt.rsplit_once('-').unwrap();
        seen.entry(writer.to_owned())
            .or_default()
            .push(seq.parse().unwrap());
    }
    seen
}

#[test]
fn sigkill_at_random_points_never_loses_an_earlier_record() {
    const ROUNDS: usize = 25;
    let dir = tempfile::tempdir().unwrap();
    let log = AuditLog::in_dir(dir.path());
    let mut before: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    let mut torn_total = 0;
    for round in 0..ROUNDS {
        let mut child = spawn_appender(log.path(), &format!("w{round:02}"), None, 512);
        std::thread::sleep(Duration::from_millis(20 + fastrand::u64(0..60)));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();

        let read = log.read().unwrap();
        // Each kill can tear at most the line being written at that moment.
        assert!(
            read.skipped.len() <= round + 1,
            "round {round}: {:?}",
            read.skipped
        );
        torn_total = read.skipped.len();
        let after = sequences(&read.records);
        for (writer, seqs) in &after {
            let expected: Vec<u64> = (0..seqs.len() as u64).collect();
            assert_eq!(
                seqs, &expected,
                "round {round}: writer {writer} lost a record in the middle"
            );
        }
        for (writer, seqs) in &before {
            assert_eq!(
                after.get(writer),
                Some(seqs),
                "round {round}: an earlier record of {writer} was lost"
            );
        }
        // The budget counts exactly the intents that parse.
        let policy = BudgetPolicy {
            window: Duration::from_secs(3600),
            max_attempts: 10,
        };
        let book = BudgetBook::new(&read.records, policy, chrono::Utc::now());
        assert_eq!(
            book.budget(NUMBER, Operation::Register).used as usize,
            read.records.len()
        );
        before = after;
    }
    let writers_with_records = before.len();
    assert!(
        writers_with_records >= ROUNDS / 2,
        "the children wrote in most rounds ({writers_with_records})"
    );
    eprintln!(
        "{ROUNDS} kills, {} records kept, {torn_total} torn lines skipped",
        before.values().map(Vec::len).sum::<usize>()
    );
}

#[test]
fn two_writers_at_once_never_interleave_lines() {
    const EACH: u64 = 300;
    let dir = tempfile::tempdir().unwrap();
    let log = AuditLog::in_dir(dir.path());
    let mut a = spawn_appender(log.path(), "a", Some(EACH), 3000);
    let mut b = spawn_appender(log.path(), "b", Some(EACH), 3000);
    assert!(a.wait().unwrap().success());
    assert!(b.wait().unwrap().success());
    let read = log.read().unwrap();
    assert!(read.skipped.is_empty(), "{:?}", read.skipped);
    let seen = sequences(&read.records);
    assert_eq!(seen["a"], (0..EACH).collect::<Vec<_>>());
    assert_eq!(seen["b"], (0..EACH).collect::<Vec<_>>());
}
