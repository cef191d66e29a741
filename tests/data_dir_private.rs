//! Issue 27 items 4 and 7: every file wareg makes in the data dir is 0600 and every dir 0700,
//! after a session of CLI commands and a TUI run whose export lands there (trail, index, log,
//! throttle book, journal, locks, exports); what it reads back is read with a cap; and a
//! throttle lasts at most 24 hours, whether the server or the file says longer.

mod common;

use common::pty::Pty;
use common::*;
use std::path::Path;
use std::time::Duration;
use wareg::sandbox::{CallBudget, SandboxOptions};

/// A sandbox whose WABA allows `calls` reads in 30 days: past them, Meta's estimate of when
/// access returns is weeks away.
fn budgeted_rig(calls: usize) -> Rig {
    Rig::with(
        "v25.0",
        SandboxOptions {
            slow_for: Duration::from_secs(4),
            call_budget: Some(CallBudget {
                calls,
                window: Duration::from_secs(30 * 24 * 3600),
            }),
            ..SandboxOptions::default()
        },
    )
}

#[cfg(unix)]
fn modes_under(dir: &Path, out: &mut Vec<(String, u32, bool)>) {
    use std::os::unix::fs::PermissionsExt;
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let meta = std::fs::symlink_metadata(entry.path()).unwrap();
        let mode = meta.permissions().mode() & 0o777;
        out.push((entry.path().display().to_string(), mode, meta.is_dir()));
        if meta.is_dir() {
            modes_under(&entry.path(), out);
        }
    }
}

/// A data dir made as wareg makes it (0700), for files planted in it.
fn private_dir(dir: &Path) {
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.recursive(true).create(dir).unwrap();
}

/// Runs `status` until wareg keeps away for Meta's throttle (at most `tries` times).
fn spend_the_call_budget(rig: &Rig, tries: usize) -> Run {
    for _ in 0..tries {
        let run = rig.wareg(&["status", CONNECTED]);
        if run.stderr.contains("nothing was sent: Meta is throttling") {
            return run;
        }
    }
    panic!("the call budget was never spent");
}

#[cfg(unix)]
#[test]
fn every_file_wareg_makes_in_the_data_dir_is_0600_and_every_dir_0700() {
    use std::os::unix::fs::PermissionsExt;
    // What a desk usually has: files made without a mode would come out 0644.
    // SAFETY: umask only sets this process's file-creation mask; nothing is shared.
    unsafe { libc::umask(0o022) };
    let rig = budgeted_rig(40);
    let data = rig.data_dir();

    let run = rig.wareg(&["numbers", "--refresh"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = rig.wareg_stdin(
        &["register", PENDING, "--region", "de", "--pin-stdin"],
        "123456\n",
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let ids = rig.dir.path().join("ids.txt");
    std::fs::write(&ids, format!("{CONNECTED}\n")).unwrap();
    let run = rig.wareg_with(
        &[
            "bulk",
            "set-pin",
            "--ids",
            ids.to_str().unwrap(),
            "--pin-env",
            "NEW_PIN",
            "--yes",
        ],
        None,
        &[("NEW_PIN", "493817")],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(rig.wareg(&["audit"]).code, 0);

    // The TUI, started in the data dir: its export lands there.
    let mut pty = Pty::spawn_in(&rig, &data);
    pty.wait_for("the table", |s| s.contains("Support DE"));
    pty.send("e");
    pty.wait_for("the export", |s| s.contains("exported "));
    pty.send("q");
    pty.wait_exit();

    let throttled = spend_the_call_budget(&rig, 60);
    assert!(
        throttled.stderr.contains("throttling"),
        "{}",
        throttled.stderr
    );

    let mut modes = Vec::new();
    modes_under(&data, &mut modes);
    let names: Vec<&str> = modes
        .iter()
        .filter_map(|(p, _, _)| Path::new(p).file_name()?.to_str())
        .collect();
    for wanted in [
        "audit.jsonl",
        "audit.lock",
        "wareg.log",
        "throttle.json",
        "bulk",
    ] {
        assert!(names.contains(&wanted), "no {wanted} in {names:?}");
    }
    assert!(
        names.iter().any(|n| n.ends_with(".csv")) && names.iter().any(|n| n.ends_with(".json")),
        "the TUI's export is in the data dir: {names:?}"
    );
    assert!(
        names
            .iter()
            .any(|n| n.ends_with(".jsonl") && *n != "audit.jsonl"),
        "a bulk journal: {names:?}"
    );
    assert!(
        names.iter().any(|n| n.ends_with(".tip")),
        "a bulk journal's tip: {names:?}"
    );
    let loose: Vec<String> = modes
        .iter()
        .filter(|(_, mode, dir)| *mode != if *dir { 0o700 } else { 0o600 })
        .map(|(p, mode, _)| format!("{p} {mode:o}"))
        .collect();
    assert!(loose.is_empty(), "not private: {loose:#?}");
    let dir_mode = std::fs::metadata(&data).unwrap().permissions().mode() & 0o777;
    assert_eq!(dir_mode, 0o700);

    // The same files found readable by others (an older wareg's, another umask's): every one
    // is tightened by the next command, through the opened file, not only the trail, the log
    // and the trail's lock.
    for (path, _, dir) in &modes {
        if !*dir {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o644)).unwrap();
        }
    }
    let run = rig.wareg(&["audit"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for name in ["throttle.json", "bulk-journal.key", "audit.index"] {
        assert!(
            run.stderr.contains(&format!(
                "{name} was readable by others (mode 644); it is now 0600"
            )),
            "{name}: {}",
            run.stderr
        );
    }
    let mut after = Vec::new();
    modes_under(&data, &mut after);
    let loose: Vec<String> = after
        .iter()
        .filter(|(_, mode, dir)| !*dir && *mode != 0o600)
        .map(|(p, mode, _)| format!("{p} {mode:o}"))
        .collect();
    assert!(loose.is_empty(), "left loose: {loose:#?}");
}

/// The `until` of "until 2026-01-02 03:04 UTC (about N min)" in a message, as minutes left.
fn minutes_said(text: &str) -> u64 {
    let at = text
        .find("(about ")
        .unwrap_or_else(|| panic!("no 'about N min' in {text}"));
    text[at + 7..]
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no minutes in {text}"))
}

#[test]
fn a_throttle_from_the_server_lasts_at_most_24_hours() {
    let rig = budgeted_rig(3);
    let run = spend_the_call_budget(&rig, 10);
    assert!(run.stderr.contains("throttling"), "{}", run.stderr);
    let minutes = minutes_said(&run.stderr);
    assert!(
        minutes <= 24 * 60,
        "Meta said weeks; wareg waits at most a day: {minutes} min\n{}",
        run.stderr
    );
    let book: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(rig.data_dir().join("throttle.json")).unwrap(),
    )
    .unwrap();
    let day = chrono::Utc::now() + chrono::Duration::hours(24) + chrono::Duration::minutes(1);
    for (key, throttle) in book.as_object().unwrap() {
        let until: chrono::DateTime<chrono::Utc> =
            throttle["until"].as_str().unwrap().parse().unwrap();
        assert!(until <= day, "{key} until {until}");
    }
}

#[test]
fn a_throttle_planted_in_the_file_lasts_at_most_24_hours_and_its_words_are_cleaned() {
    let rig = Rig::new("v25.0");
    private_dir(&rig.data_dir());
    let book = serde_json::json!({
        "profile:127.0.0.1/sb": {
            "until": "2125-01-01T00:00:00Z",
            "code": 80008,
            "covers": "profile \u{1b}]0;owned\u{7}sb"
        }
    });
    std::fs::write(rig.data_dir().join("throttle.json"), book.to_string()).unwrap();
    let run = rig.wareg(&["status", CONNECTED]);
    assert_ne!(
        run.code, 0,
        "still throttled, for a day at most: {}",
        run.stderr
    );
    assert!(run.stderr.contains("is throttling"), "{}", run.stderr);
    assert!(!run.stderr.contains("2125"), "{}", run.stderr);
    assert!(minutes_said(&run.stderr) <= 24 * 60, "{}", run.stderr);
    assert!(
        !run.stderr.contains('\u{1b}') && !run.stdout.contains('\u{1b}'),
        "{:?}",
        run.stderr
    );
    assert!(rig.calls().is_empty(), "{:?}", rig.calls());
}

#[test]
fn a_huge_throttle_book_is_not_read_and_says_so() {
    let rig = Rig::new("v25.0");
    private_dir(&rig.data_dir());
    // 40 MB of one JSON string: valid, and far more than a throttle book ever holds.
    let mut text = String::from(
        "{\"profile:127.0.0.1/sb\": {\"until\": \"2125-01-01T00:00:00Z\", \"covers\": \"",
    );
    text.push_str(&"x".repeat(40 * 1024 * 1024));
    text.push_str("\"}}");
    std::fs::write(rig.data_dir().join("throttle.json"), text).unwrap();
    let run = rig.wareg(&["status", CONNECTED]);
    assert_eq!(
        run.code, 0,
        "the oversized book is not obeyed: {}",
        run.stderr
    );
    let log = std::fs::read_to_string(rig.log_path()).unwrap();
    assert!(
        log.contains("throttle.json") && log.contains("not read"),
        "the log says why: {log}"
    );
}

#[test]
fn an_ids_file_over_its_cap_is_refused_before_anything_is_sent() {
    let rig = Rig::new("v25.0");
    let ids = rig.dir.path().join("ids.txt");
    let mut text = format!("{CONNECTED}\n");
    text.push_str(&"# padding\n".repeat(2 * 1024 * 1024));
    std::fs::write(&ids, text).unwrap();
    let run = rig.wareg_with(
        &[
            "bulk",
            "set-pin",
            "--ids",
            ids.to_str().unwrap(),
            "--pin-env",
            "NEW_PIN",
            "--yes",
        ],
        None,
        &[("NEW_PIN", "493817")],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("ids.txt"), "{}", run.stderr);
    assert!(run.stderr.contains("MB"), "{}", run.stderr);
    assert!(posts(&rig.sandbox).is_empty());
}
