//! A team ledger that lies (issue 27, items 1 and 2): a server that echoes the password it was
//! sent, and one that accepts TCP and never answers. The password is never printed; every
//! ledger call has a deadline, past which nothing is sent (exit 2); the TUI draws at once, says
//! the ledger is not answering, sends nothing that needs it and quits on `q`.

mod common;

use common::fake_pg::{Silent, echoing_password, echoing_password_as};
use common::pty::{Pty, row};
use common::*;
use std::time::{Duration, Instant};

/// Never to be printed, whatever the server says.
const PASSWORD: &str = "hunter2-echoed-back-9d1c";
const USER: &str = "desk-ana";

/// The rig's config with a team ledger (its URL from the environment), every call bounded by
/// `timeout_secs` when given.
fn with_ledger(rig: &Rig, timeout_secs: Option<u64>) {
    let mut text = std::fs::read_to_string(&rig.config).unwrap();
    text.push_str("\n[ledger]\nurl_env = \"WAREG_LEDGER_URL\"\noperator = \"ana@desk-1\"\n");
    if let Some(secs) = timeout_secs {
        text.push_str(&format!("timeout_secs = {secs}\n"));
    }
    std::fs::write(&rig.config, text).unwrap();
}

fn url(port: u16) -> String {
    format!("postgres://{USER}:{PASSWORD}@127.0.0.1:{port}/wareg")
}

/// wareg run to its end, or killed (and the test failed) after `limit`; how long it took.
fn run_within(
    rig: &Rig,
    limit: Duration,
    args: &[&str],
    stdin: Option<&str>,
    port: u16,
) -> (Run, Duration) {
    let started = Instant::now();
    let mut child = start_wareg(args, stdin, &rig.env(&[("WAREG_LEDGER_URL", &url(port))]));
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > limit {
            let _ = child.kill();
            let left = finish(child);
            panic!(
                "wareg {args:?} still waited for the ledger after {limit:?}; stderr: {}",
                left.stderr
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    (finish(child), started.elapsed())
}

#[test]
fn a_server_that_echoes_the_password_never_gets_it_printed() {
    let rig = Rig::new("v25.0");
    with_ledger(&rig, None);
    let port = echoing_password();
    for args in [
        &["config", "check"][..],
        &["ledger", "status"],
        &["ledger", "status", "--json"],
        &["audit"],
        &["audit", "--json"],
        &["register", PENDING, "--pin-stdin"],
    ] {
        let (run, _) = run_within(&rig, Duration::from_secs(30), args, Some("123456\n"), port);
        assert_eq!(run.code, 2, "{args:?}: {}{}", run.stdout, run.stderr);
        for (name, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
            assert!(
                !text.contains(PASSWORD),
                "{args:?}: the password reached {name}: {text}"
            );
            // Nor the user, not even in wareg's own name for the ledger.
            assert!(
                !text.contains(USER),
                "{args:?}: the user reached {name}: {text}"
            );
        }
        assert!(
            run.stderr.contains("127.0.0.1:"),
            "{args:?}: the ledger is still named, by host, port and database: {}",
            run.stderr
        );
        // The server's words are said, without what they must not repeat.
        assert!(
            run.stderr
                .contains("is not the password of user \"[user]\""),
            "{args:?}: {}",
            run.stderr
        );
        assert!(
            run.stderr.contains("[password removed]"),
            "{args:?}: {}",
            run.stderr
        );
    }
    // Nor the log in the data dir.
    let log = std::fs::read_to_string(rig.log_path()).unwrap_or_default();
    assert!(!log.contains(PASSWORD), "{log}");
    assert!(!log.contains(USER), "{log}");
    assert!(posts(&rig.sandbox).is_empty(), "nothing was sent");
}

/// The password with a zero-width space between its letters: cleaned, it would print as
/// `h�u�n�t�e�r�2…`, which anyone can read.
fn spread_out(password: &str) -> String {
    let letters: Vec<String> = password.chars().map(String::from).collect();
    letters.join("\u{200b}")
}

#[test]
fn a_server_that_echoes_the_password_changed_gets_its_words_withheld() {
    let rig = Rig::new("v25.0");
    with_ledger(&rig, None);
    for (how, shown) in [
        (
            "upper-cased",
            (|p: &str| p.to_uppercase()) as fn(&str) -> String,
        ),
        ("spread out", spread_out),
    ] {
        let port = echoing_password_as(shown);
        for args in [&["config", "check"][..], &["audit"]] {
            let (run, _) = run_within(&rig, Duration::from_secs(30), args, None, port);
            assert_eq!(run.code, 2, "{how} {args:?}: {}{}", run.stdout, run.stderr);
            let said = format!("{}{}", run.stdout, run.stderr);
            // Whatever survives cleaning, read as a person reads it.
            let read: String = said
                .chars()
                .filter(|c| c.is_ascii_graphic())
                .flat_map(char::to_lowercase)
                .collect();
            assert!(
                !read.contains(PASSWORD),
                "{how} {args:?}: the password can be read: {said}"
            );
            assert!(
                run.stderr.contains("the server's words are not shown"),
                "{how} {args:?}: {}",
                run.stderr
            );
        }
    }
    let log = std::fs::read_to_string(rig.log_path()).unwrap_or_default();
    assert!(
        !log.to_lowercase()
            .replace(['\u{200b}', '\u{fffd}'], "")
            .contains(PASSWORD),
        "{log}"
    );
}

#[test]
fn a_ledger_that_accepts_and_never_answers_stops_every_command_at_its_deadline() {
    let rig = Rig::new("v25.0");
    with_ledger(&rig, Some(1));
    let silent = Silent::start();
    let (run, took) = run_within(
        &rig,
        Duration::from_secs(20),
        &["register", PENDING, "--pin-stdin"],
        Some("123456\n"),
        silent.port,
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("the team ledger did not answer within 1 s: nothing was sent"),
        "{}",
        run.stderr
    );
    assert!(took < Duration::from_secs(8), "took {took:?}");
    assert!(silent.accepted() >= 1, "the ledger was asked");
    // The ledger is asked before Meta: Meta heard nothing at all, not even a read.
    assert_eq!(rig.calls(), Vec::<String>::new());

    for args in [
        &["deregister", CONNECTED, "--yes"][..],
        &["audit"],
        &["ledger", "status"],
        &["config", "check"],
    ] {
        let (run, took) = run_within(&rig, Duration::from_secs(20), args, None, silent.port);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(
            run.stderr
                .contains("the team ledger did not answer within 1 s"),
            "{args:?}: {}",
            run.stderr
        );
        assert!(took < Duration::from_secs(8), "{args:?} took {took:?}");
    }
    assert!(posts(&rig.sandbox).is_empty(), "nothing was sent");
}

#[test]
fn the_ledger_timeout_is_checked_where_it_is_written() {
    let rig = Rig::new("v25.0");
    for bad in [0, 601] {
        rig.write_config("v25.0", 1);
        with_ledger(&rig, Some(bad));
        let text = std::fs::read_to_string(&rig.config).unwrap();
        let run = rig.wareg_with(&["config", "check"], None, &[("WAREG_LEDGER_URL", &url(9))]);
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(
            run.stderr
                .contains(&format!("timeout_secs = {bad} is out of range")),
            "{}",
            run.stderr
        );
        // Located: the line it is on (the last `timeout_secs`, under [ledger]).
        let line = text
            .lines()
            .collect::<Vec<_>>()
            .iter()
            .rposition(|l| l.starts_with("timeout_secs = "))
            .unwrap()
            + 1;
        assert!(
            run.stderr.contains(&format!(":{line}:")),
            "line {line}: {}",
            run.stderr
        );
        assert!(run.stderr.contains("use 1 to 600"), "{}", run.stderr);
    }
}

#[test]
fn the_tui_draws_at_once_says_the_ledger_is_not_answering_sends_no_change_and_quits_on_q() {
    let rig = Rig::new("v25.0");
    with_ledger(&rig, Some(3));
    let silent = Silent::start();
    let started = Instant::now();
    let mut pty = Pty::spawn(&rig, &[("WAREG_LEDGER_URL", &url(silent.port))]);
    pty.wait_for("the first frame", |s| {
        s.contains("Sales UK") && s.contains("team ledger 127.0.0.1")
    });
    let first_frame = started.elapsed();
    assert!(
        first_frame < Duration::from_millis(2500),
        "the first frame took {first_frame:?}: it waited for the ledger"
    );
    let screen = pty.wait_for("the title saying so", |s| {
        s.lines()
            .next()
            .is_some_and(|title| title.contains("team ledger not answering"))
    });
    // Meta is still read: the table fills in.
    assert!(row(&screen, "Sales UK").contains("PENDING"), "{screen}");
    // A change needs the ledger: no form opens, and nothing is sent.
    pty.keys(&["g", "r"]);
    pty.wait_for("the refusal", |s| {
        s.contains("the team ledger is not answering: nothing was sent")
    });
    assert!(
        !pty.contents().contains("Register 106540352242923"),
        "{}",
        pty.contents()
    );
    assert!(posts(&rig.sandbox).is_empty(), "nothing was sent");
    // q quits at once, whatever the ledger is doing.
    let asked = Instant::now();
    pty.keys(&["q"]);
    let status = pty.wait_exit();
    assert!(status.success(), "{status:?}");
    assert!(
        asked.elapsed() < Duration::from_secs(2),
        "quitting took {:?}",
        asked.elapsed()
    );
    pty.assert_restored();
    assert!(!pty.output().contains(PASSWORD));
}

/// The TUI's start-up reads (the trail, the facts, the rename budget…) and then a change, all
/// asked of one ledger that accepts and never answers. Each call's deadline runs from when it
/// was asked: the change gives up within the ledger's timeout of being confirmed, with nothing
/// written, rather than queueing behind the reads for a deadline each (27 s at the default 10).
#[test]
fn a_change_asked_behind_other_ledger_calls_gives_up_within_its_own_deadline() {
    use std::sync::Arc;
    use wareg::audit::{AuditRecord, Operation};
    use wareg::graph::NumberId;
    use wareg::ledger::pg::PgSettings;
    use wareg::ledger::{Ledger, PgLedger};

    const TIMEOUT: Duration = Duration::from_secs(2);
    const READS: usize = 4;
    let silent = Silent::start();
    let dir = tempfile::tempdir().unwrap();
    let settings = PgSettings::parse(&wareg::secret::Token::new(url(silent.port)), "wareg")
        .unwrap()
        .with_timeout(TIMEOUT);
    let ledger = Arc::new(PgLedger::new(settings, dir.path()));
    let since = chrono::Utc::now() - chrono::Duration::days(7);

    let started = Instant::now();
    let reads: Vec<_> = (0..READS)
        .map(|_| {
            let ledger = ledger.clone();
            std::thread::spawn(move || {
                let asked = Instant::now();
                let read = ledger.read_since(since);
                (read.map(|r| r.len()), asked.elapsed())
            })
        })
        .collect();
    // The first read has the connection (the port took it); the others wait behind it.
    while silent.accepted() == 0 {
        assert!(started.elapsed() < TIMEOUT, "no read reached the ledger");
        std::thread::sleep(Duration::from_millis(5));
    }
    std::thread::sleep(Duration::from_millis(200));

    let number = NumberId::parse(PENDING).unwrap();
    let intent = AuditRecord::intent(
        chrono::Utc::now(),
        "a-1",
        "sandbox",
        &number,
        Operation::Register,
    );
    let asked = Instant::now();
    let mut asked_the_budget = false;
    let change = ledger.admit(&intent, since, &mut |_| {
        asked_the_budget = true;
        true
    });
    let took = asked.elapsed();
    let e = change.expect_err("a ledger that never answers admits nothing");
    assert_eq!(e.kind(), std::io::ErrorKind::TimedOut, "{e}");
    assert!(
        e.to_string()
            .contains("the team ledger did not answer within 2 s"),
        "{e}"
    );
    assert!(!asked_the_budget, "no record was read, so none was judged");
    // Generous: the change's own deadline, plus room for a loaded machine; queued behind the
    // reads it ended about READS + 1 deadlines after it was asked.
    assert!(
        took < 2 * TIMEOUT,
        "the change took {took:?}: it waited for the reads' deadlines before its own"
    );

    // Every read ended by its own deadline too, not one after another.
    for read in reads {
        let (read, took) = read.join().unwrap();
        let e = read.expect_err("nothing was read");
        assert_eq!(e.kind(), std::io::ErrorKind::TimedOut, "{e}");
        assert!(took < 2 * TIMEOUT, "a read took {took:?}");
    }
}
