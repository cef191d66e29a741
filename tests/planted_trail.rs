//! Issue 27 item 4, the trail: whatever is planted in `audit.jsonl` (a line of 300 MB after
//! the records, millions of short lines that are not records and have no time), every command
//! that reads it back stays within a bounded memory: a line longer than any record is passed
//! over as it is read, with a warning in the log, and the budget index keeps a short line per
//! record, not one per line. Each child's own peak resident size is the measure.

#![cfg(target_os = "linux")]

mod common;

use common::*;
use std::io::{Seek, SeekFrom, Write};

/// What no command may take, whatever the trail holds (an idle command takes 10-20 MiB).
const PEAK_MAX_MIB: i64 = 100;

/// `wareg args…` run to its end, and its own peak memory in MiB.
fn measured(rig: &Rig, args: &[&str], stdin: Option<&str>) -> (Run, i64) {
    let (run, kib) = finish_measured(start_wareg(args, stdin, &rig.env(&[])));
    (run, kib / 1024)
}

fn index_len(rig: &Rig) -> u64 {
    std::fs::metadata(rig.data_dir().join("audit.index"))
        .map(|m| m.len())
        .unwrap_or(0)
}

#[test]
fn a_line_of_300_mb_after_the_records_is_passed_over_in_bounded_memory() {
    let rig = Rig::new("v25.0");
    let run = rig.wareg_stdin(&["register", PENDING, "--pin-stdin"], "123456\n");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(index_len(&rig) > 0, "the session made the budget index");

    // 300 MB with no newline inside, then one: written as a hole, so it costs no disk and
    // no time, and reads back as 300 MB of zero bytes.
    let trail = rig.audit_path();
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .open(&trail)
        .unwrap();
    let end = file.seek(SeekFrom::End(0)).unwrap();
    file.seek(SeekFrom::Start(end + 300 * 1024 * 1024)).unwrap();
    file.write_all(b"\n").unwrap();
    drop(file);

    for args in [
        &["plan", "register", PENDING][..],
        &["numbers"],
        &["status", CONNECTED],
    ] {
        let (run, peak) = measured(&rig, args, None);
        eprintln!("{args:?}: peak {peak} MiB");
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
        assert!(
            peak < PEAK_MAX_MIB,
            "{args:?} took {peak} MiB over a 300 MB line"
        );
    }
    // Still counted: the attempt before the planted line is in the budget.
    let (run, _) = measured(&rig, &["plan", "register", PENDING, "--json"], None);
    assert!(run.stdout.contains("\"used\": 1"), "{}", run.stdout);
    let log = std::fs::read_to_string(rig.log_path()).unwrap();
    assert!(
        log.contains("is 300.0 MB, longer than any record (64 KB at most): passed over"),
        "said once, in the log: {log}"
    );
    assert!(index_len(&rig) < 4096, "{} bytes of index", index_len(&rig));

    let (run, peak) = measured(&rig, &["audit"], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("longer than 64 KB"), "{}", run.stderr);
    assert!(peak < PEAK_MAX_MIB, "audit took {peak} MiB");
    assert_eq!(
        posts(&rig.sandbox).len(),
        1,
        "only the first register was sent"
    );
}

#[test]
fn millions_of_lines_without_a_time_are_indexed_in_bounded_memory() {
    let rig = Rig::new("v25.0");
    let data = rig.data_dir();
    let mut builder = std::fs::DirBuilder::new();
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(&data).unwrap();
    // Lines that are not records have no time, so the index is made from the whole trail:
    // three million of them, with no index yet (what an upgrade finds).
    const LINES: usize = 3_000_000;
    let junk = b"{\"x\":1}\n".repeat(LINES / 100);
    let mut file = std::fs::File::create(rig.audit_path()).unwrap();
    for _ in 0..100 {
        file.write_all(&junk).unwrap();
    }
    drop(file);

    let (run, peak) = measured(&rig, &["numbers"], None);
    eprintln!("numbers: peak {peak} MiB");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        peak < PEAK_MAX_MIB,
        "numbers took {peak} MiB to index {LINES} lines"
    );
    // One index line stands for the whole run of lines that are not records.
    assert!(index_len(&rig) < 4096, "{} bytes of index", index_len(&rig));
    let (run, peak) = measured(&rig, &["plan", "register", PENDING, "--json"], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("\"used\": 0"), "{}", run.stdout);
    assert!(peak < PEAK_MAX_MIB, "plan took {peak} MiB");
}
