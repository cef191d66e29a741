//! The command line as a support person used it for a day (issue 26): the audit trail read as
//! attempts, numbers found as people name them, read-only commands that write nothing, and the
//! sandbox saying how to point a profile at it.

mod common;

use common::*;

#[test]
fn audit_prints_one_line_per_attempt_and_raw_prints_the_records() {
    let rig = Rig::new("v25.0");
    rig.wareg_stdin(&["register", CONNECTED, "--pin-stdin"], "000000\n");
    let joined = rig.wareg(&["audit"]);
    assert_eq!(joined.code, 0, "{}", joined.stderr);
    let lines: Vec<&str> = joined.stdout.lines().collect();
    assert_eq!(lines.len(), 1, "one attempt, one line: {}", joined.stdout);
    let line = lines[0];
    for part in ["Support DE", CONNECTED, "register", "error 133005", "@"] {
        assert!(line.contains(part), "{part} missing: {line}");
    }
    let raw = rig.wareg(&["audit", "--raw"]);
    let lines: Vec<&str> = raw.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", raw.stdout);
    assert!(lines[0].contains(" sending") && lines[1].contains("error 133005"));
}
