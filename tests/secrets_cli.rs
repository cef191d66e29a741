//! A whole scripted CLI session with a recognisable PIN and token: neither may appear in
//! stdout, stderr, the audit trail or the log file.

mod common;

use common::*;

const PIN: &str = "918273";
const NEW_PIN: &str = "564738";
const TOKEN_VALUE: &str = "EAAGtok3nS3CR3Tvalue";

#[test]
fn no_secret_reaches_any_output_of_a_cli_session() {
    let mut rig = Rig::new("v25.0");
    rig.token = TOKEN_VALUE.into();
    let mut runs = Vec::new();
    runs.push(rig.wareg(&["numbers", "--refresh", "--json"]));
    runs.push(rig.wareg_stdin(
        &[
            "register",
            PENDING,
            "--region",
            "GB",
            "--pin-stdin",
            "--json",
        ],
        &format!("{PIN}\n"),
    ));
    runs.push(rig.wareg_stdin(&["register", CONNECTED, "--pin-stdin"], &format!("{PIN}\n"))); // 133005
    runs.push(rig.wareg_with(
        &["set-pin", CONNECTED, "--pin-env", "P"],
        None,
        &[("P", NEW_PIN)],
    ));
    runs.push(rig.wareg_stdin(
        &["register", CONNECTED, "--pin-stdin", "--json"],
        &format!("{NEW_PIN}\n"),
    ));
    runs.push(rig.wareg_stdin(
        &["register", HTML502, "--pin-stdin", "--json"],
        &format!("{PIN}\n"),
    ));
    runs.push(rig.wareg_stdin(
        &["register", PENDING, "--pin-stdin"],
        &format!("{}\n", &PIN[..5]),
    ));
    runs.push(rig.wareg(&["request-code", UNVERIFIED, "--method", "sms"]));
    let code = rig.sandbox.pending_code(UNVERIFIED).unwrap();
    runs.push(rig.wareg_stdin(
        &["verify-code", UNVERIFIED, "--code-stdin", "--json"],
        &format!("{code}\n"),
    ));
    runs.push(rig.wareg(&["deregister", PENDING, "--yes", "--json"]));
    runs.push(rig.wareg(&["status", CONNECTED]));
    runs.push(rig.wareg(&["audit", "--json"]));
    runs.push(rig.wareg(&["audit"]));

    assert!(
        runs.iter().any(|r| r.code == 0),
        "the session did real work"
    );
    assert!(runs.iter().any(|r| r.code == 1), "and met a Graph error");
    let audit = read(&rig.audit_path());
    let log = read(&rig.log_path());
    assert!(
        audit.contains("register") && log.contains("/register"),
        "the trail and log were written"
    );

    let secrets = [PIN, NEW_PIN, TOKEN_VALUE, &code, &PIN[..5]];
    for (i, run) in runs.iter().enumerate() {
        for secret in secrets {
            assert!(
                !run.stdout.contains(secret),
                "run {i} stdout holds a secret: {}",
                run.stdout
            );
            assert!(
                !run.stderr.contains(secret),
                "run {i} stderr holds a secret: {}",
                run.stderr
            );
        }
    }
    for secret in secrets {
        assert!(!audit.contains(secret), "the audit trail holds a secret");
        assert!(!log.contains(secret), "the log file holds a secret");
    }
}
