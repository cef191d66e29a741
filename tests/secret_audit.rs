//! The secret audit: one scripted session, headless commands and the TUI in a pseudo-terminal,
//! with a recognisable PIN, code and token. Then every byte wareg wrote is searched: stdout,
//! stderr, the terminal stream and screen, the log file, the audit trail, the snapshots
//! directory, and the argv of every process wareg started (the token command). Zero hits.

mod common;

use common::pty::*;
use common::*;

const PIN: &str = "918273";
const NEW_PIN: &str = "564738";
const TOKEN_VALUE: &str = "EAAGtok3nS3CR3Tvalue";
const CODE: &str = "860431";

/// A config whose token comes from a command that records its own argv.
fn use_token_command(rig: &Rig) -> std::path::PathBuf {
    let script = rig.dir.path().join("token.sh");
    let argv_log = rig.dir.path().join("argv.log");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\necho \"$0 $*\" >> '{}'\necho {TOKEN_VALUE}\n",
            argv_log.display()
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o700)).unwrap();
    }
    let text = read(&rig.config).replace(
        &format!("token_env = \"{TOKEN_VAR}\""),
        &format!(
            "token_command = [\"{}\", \"--account\", \"wa/sandbox\"]",
            script.display()
        ),
    );
    std::fs::write(&rig.config, text).unwrap();
    argv_log
}

#[test]
fn no_secret_reaches_any_byte_wareg_writes() {
    let mut rig = Rig::with(
        "v25.0",
        wareg::sandbox::SandboxOptions {
            verification_code: Some(CODE.into()),
            ..Default::default()
        },
    );
    rig.token = "unused".into();
    let argv_log = use_token_command(&rig);

    // Headless half.
    let mut runs = vec![
        rig.wareg(&["numbers", "--refresh", "--json"]),
        rig.wareg_stdin(
            &[
                "register",
                PENDING,
                "--region",
                "GB",
                "--pin-stdin",
                "--json",
            ],
            &format!("{PIN}\n"),
        ),
        rig.wareg_stdin(&["register", CONNECTED, "--pin-stdin"], &format!("{PIN}\n")), // 133005
        rig.wareg_with(
            &["set-pin", CONNECTED, "--pin-env", "P"],
            None,
            &[("P", NEW_PIN)],
        ),
        rig.wareg_stdin(
            &["register", CONNECTED, "--pin-stdin", "--json"],
            &format!("{NEW_PIN}\n"),
        ),
        rig.wareg_stdin(
            &["register", HTML502, "--pin-stdin", "--json"],
            &format!("{PIN}\n"),
        ),
        rig.wareg_stdin(
            &["register", PENDING, "--pin-stdin"],
            &format!("{}\n", &PIN[..5]),
        ),
        rig.wareg(&["request-code", UNVERIFIED, "--method", "sms"]),
    ];
    assert_eq!(rig.sandbox.pending_code(UNVERIFIED).as_deref(), Some(CODE));
    runs.push(rig.wareg_stdin(
        &["verify-code", UNVERIFIED, "--code-stdin", "--json"],
        &format!("{CODE}\n"),
    ));
    runs.push(rig.wareg(&["deregister", PENDING, "--yes", "--json"]));
    runs.push(rig.wareg(&["status", CONNECTED]));
    assert!(runs.iter().any(|r| r.code == 0) && runs.iter().any(|r| r.code == 1));

    // Interactive half: a register with a wrong PIN and a PIN change, typed in the TUI.
    let mut pty = Pty::spawn(&rig, &[]);
    pty.wait_for("the numbers", |s| {
        row(s, "Support DE").contains("CONNECTED")
    });
    pty.keys(&["g", "j", "r"]);
    pty.wait_for("the register form", |s| {
        s.contains("Register 106540352242922")
    });
    for digit in PIN.chars() {
        pty.send(&digit.to_string());
    }
    pty.wait_for("the masked PIN", |s| s.contains("••••••  ✓"));
    pty.keys(&[TAB, TAB, ENTER]);
    // The form's own failure section, not the log pane's line (which comes first, while the
    // form is still in flight and ignores every key, Esc included).
    pty.wait_for("the PIN mismatch in the form", |s| {
        s.contains("Two-step PIN mismatch (133005)")
    });
    // A lone Esc followed at once by a letter reads as Alt+letter when both bytes arrive in
    // one read (as they do on a loaded machine): wait for the Esc to land before `p`. The
    // footer says where the keys go, so a screen caught halfway through a redraw of the popup
    // cannot pass for a closed form.
    pty.keys(&[ESC]);
    pty.wait_for("the form closed", |s| {
        !s.contains("Register 106540352242922") && !s.contains("Tab next field")
    });
    pty.keys(&["p"]);
    pty.wait_for("the PIN form", |s| {
        s.contains("Two-step PIN 106540352242922")
    });
    pty.send(PIN);
    pty.keys(&[TAB]);
    pty.send(PIN);
    pty.keys(&[TAB, ENTER]);
    pty.wait_for("the PIN set", |s| s.contains("two-step PIN set"));
    pty.keys(&["q"]);
    assert!(pty.wait_exit().success());
    let screen_stream = pty.output();
    let final_screen = pty.contents();

    // Everything written, gathered.
    let mut written: Vec<(String, String)> = Vec::new();
    for (i, run) in runs.iter().enumerate() {
        written.push((format!("run {i} stdout"), run.stdout.clone()));
        written.push((format!("run {i} stderr"), run.stderr.clone()));
    }
    written.push(("terminal stream".into(), screen_stream));
    written.push(("terminal screen".into(), final_screen));
    written.push(("audit trail".into(), read(&rig.audit_path())));
    written.push(("log file".into(), read(&rig.log_path())));
    let argv = read(&argv_log);
    assert!(
        argv.contains("--account wa/sandbox"),
        "the token command ran: {argv}"
    );
    written.push(("argv of the token command".into(), argv));
    let snapshots = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    for entry in std::fs::read_dir(&snapshots).unwrap() {
        let path = entry.unwrap().path();
        written.push((path.display().to_string(), read(&path)));
    }
    assert!(
        written
            .iter()
            .any(|(name, text)| name == "log file" && text.contains("/register"))
    );
    assert!(
        written
            .iter()
            .any(|(name, text)| name == "audit trail" && text.contains("set_pin"))
    );

    for secret in [PIN, NEW_PIN, TOKEN_VALUE, CODE, &PIN[..5]] {
        for (name, text) in &written {
            assert!(
                !text.contains(secret),
                "{name} holds a secret ({} chars)",
                secret.len()
            );
        }
    }
}
