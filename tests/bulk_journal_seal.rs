//! Issue 27 item 8: a bulk journal is sealed (each line's MAC chained from the one before,
//! keyed by a per-data-dir key), and `bulk resume` refuses one that was changed: exit 2,
//! nothing sent. A journal of an earlier wareg (no seal) is shown, never resumed.

mod common;

use common::*;
use std::path::{Path, PathBuf};
use std::time::Duration;

const FLEET_PIN: &str = "000000";

/// A re-register of 8 numbers, killed once the first one has started: the rest is left.
fn an_unfinished_run(rig: &Rig) -> (String, PathBuf) {
    let args = [
        "bulk",
        "reregister",
        "--label",
        "Fleet *",
        "--concurrency",
        "1",
        "--pin-env",
        "FLEET_PIN",
        "--yes",
    ];
    let mut child = start_wareg(&args, None, &rig.env(&[("FLEET_PIN", FLEET_PIN)]));
    let bulk_dir = rig.data_dir().join("bulk");
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let journal = loop {
        let path = std::fs::read_dir(&bulk_dir).ok().and_then(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path()))
                .find(|p| p.extension().is_some_and(|x| x == "jsonl"))
        });
        if let Some(path) = path
            && read(&path).contains("\"kind\":\"started\"")
        {
            break path;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the run did not start"
        );
        std::thread::sleep(Duration::from_millis(5));
    };
    child.kill().unwrap();
    child.wait().unwrap();
    let id = journal.file_stem().unwrap().to_str().unwrap().to_owned();
    (id, journal)
}

fn resume(rig: &Rig, id: &str) -> Run {
    rig.wareg_with(
        &["bulk", "resume", id, "--pin-env", "FLEET_PIN", "--yes"],
        None,
        &[("FLEET_PIN", FLEET_PIN)],
    )
}

/// The journal with each line's `"mac"` taken out: what an earlier wareg wrote.
fn unsealed(text: &str) -> String {
    let mac = regex::Regex::new(r#","mac":"[0-9a-f]{64}"\}$"#).unwrap();
    text.lines()
        .map(|l| format!("{}\n", mac.replace(l, "}")))
        .collect()
}

fn refused(rig: &Rig, id: &str, journal: &Path, text: &str, why: &str) {
    let posts_before = posts(&rig.sandbox).len();
    std::fs::write(journal, text).unwrap();
    let run = resume(rig, id);
    assert_eq!(run.code, 2, "{why}: {}\n{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("nothing was sent"),
        "{why}: {}",
        run.stderr
    );
    assert_eq!(
        posts(&rig.sandbox).len(),
        posts_before,
        "{why}: sent {:?}",
        &posts(&rig.sandbox)[posts_before..]
    );
}

#[test]
fn a_changed_journal_is_refused_for_resume_and_nothing_is_sent() {
    let rig = fleet_rig(8, Duration::from_millis(150));
    let (id, journal) = an_unfinished_run(&rig);
    let original = read(&journal);
    assert!(original.contains("\"mac\":"), "sealed lines: {original}");
    let key = rig.data_dir().join("bulk-journal.key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the key is private");
    }

    // The header's action changed from re-register to deregister.
    let deregister = original.replacen("\"action\":\"reregister\"", "\"action\":\"deregister\"", 1);
    assert_ne!(deregister, original);
    refused(&rig, &id, &journal, &deregister, "action changed");

    // A number that is not in the run (nor in the config), planned by hand with a line
    // copied from another one, seal and all.
    let planned = original
        .lines()
        .find(|l| l.contains("\"kind\":\"planned\""))
        .unwrap();
    let stranger = planned.replace(&fleet_id(0), "1065999999999999");
    let mut added = original.clone();
    added.push_str(&format!("{stranger}\n"));
    refused(&rig, &id, &journal, &added, "a number added");

    // A planned number taken out of the middle.
    let mut lines: Vec<&str> = original.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.contains("\"kind\":\"planned\""))
        .unwrap();
    lines.remove(at + 1);
    let removed: String = lines.iter().map(|l| format!("{l}\n")).collect();
    refused(&rig, &id, &journal, &removed, "a line removed");

    // Written by an earlier wareg (no seal): shown, never resumed, and the message says why.
    let old = unsealed(&original);
    refused(&rig, &id, &journal, &old, "an earlier wareg's journal");
    let run = resume(&rig, &id);
    assert!(run.stderr.contains("earlier wareg"), "{}", run.stderr);
    let shown = rig.wareg(&["bulk", "show", &id]);
    assert_eq!(shown.code, 0, "{}", shown.stderr);
    assert!(shown.stderr.contains("not sealed"), "{}", shown.stderr);

    // Without the key nothing can be checked: refused too.
    std::fs::write(&journal, &original).unwrap();
    let saved_key = std::fs::read(&key).unwrap();
    std::fs::remove_file(&key).unwrap();
    refused(&rig, &id, &journal, &original, "the key is gone");
    std::fs::write(&key, saved_key).unwrap();

    // The journal as wareg wrote it resumes, and what it sends is the run's action.
    std::fs::write(&journal, &original).unwrap();
    let run = resume(&rig, &id);
    // The number the kill caught mid-way is unknown (a re-register cannot be told from a
    // read): exit 3, the rest done.
    assert_eq!(run.code, 3, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("7 done"), "{}", run.stdout);
    let posts = posts(&rig.sandbox);
    assert!(
        posts.iter().all(|p| p.ends_with("/register")),
        "only re-registers: {posts:?}"
    );
    assert!(!posts.iter().any(|p| p.contains("1065999999999999")));
    // Its lines still chain after the resume wrote to it.
    let again = resume(&rig, &id);
    assert_ne!(again.code, 2, "{}", again.stderr);
    assert!(again.stdout.contains("done before"), "{}", again.stdout);
}
