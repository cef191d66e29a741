//! The real event loop with injected keys, against the sandbox over loopback. Tests wait for
//! screen content (with a timeout), never for a fixed time.

mod common;

use futures::channel::mpsc as fmpsc;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tokio::sync::mpsc;

use common::posts;
use wareg::sandbox::{self, RunningSandbox, SandboxOptions};
use wareg::tui::run::{LoopHooks, LoopStats, run_loop};
use wareg::tui::theme::Theme;
use wareg::tui::{TuiSetup, assemble};

struct Session {
    keys: fmpsc::UnboundedSender<std::io::Result<Event>>,
    frames: mpsc::UnboundedReceiver<String>,
    /// Every frame seen so far.
    seen: Vec<String>,
    stats: Arc<LoopStats>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
    sandbox: RunningSandbox,
    data: tempfile::TempDir,
}

impl Session {
    async fn start(width: u16, height: u16) -> Session {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let sandbox = sandbox::start(
            listener,
            SandboxOptions {
                slow_for: Duration::from_secs(3),
                ..SandboxOptions::default()
            },
        )
        .unwrap();
        let mut config = wareg::sandbox::demo_config(&sandbox.base_url());
        config.profiles.get_mut("demo").unwrap().timeout = Duration::from_secs(1);
        Session::start_with(width, height, config, sandbox).await
    }

    /// A session on any config; `sandbox` is kept for the requests it saw.
    async fn start_with(
        width: u16,
        height: u16,
        config: wareg::config::Config,
        sandbox: RunningSandbox,
    ) -> Session {
        let data = tempfile::tempdir().unwrap();
        let store =
            wareg::ledger::Store::Local(Arc::new(wareg::ledger::LocalTrail::in_dir(data.path())));
        Session::start_on(width, height, config, sandbox, store, data).await
    }

    /// A session on a given store (the team ledger) and data dir.
    async fn start_on(
        width: u16,
        height: u16,
        config: wareg::config::Config,
        sandbox: RunningSandbox,
        store: wareg::ledger::Store,
        data: tempfile::TempDir,
    ) -> Session {
        let setup = TuiSetup {
            store,
            config,
            data_dir: data.path().to_path_buf(),
            log_path: None,
        };
        let (mut app, worker, _tx, rx) = assemble(&setup, Theme { color: false }).await;
        // Exports go to the session's own dir, never into the repository.
        app.export_dirs = vec![data.path().to_path_buf()];
        let (keys, events) = fmpsc::unbounded();
        let (frame_tx, frames) = mpsc::unbounded_channel();
        let stats = Arc::new(LoopStats::default());
        let hooks = LoopHooks {
            stats: stats.clone(),
            frames: Some(frame_tx),
            copy: Box::new(|_| {}),
            open: Box::new(|_| {}),
        };
        let task = tokio::spawn(async move {
            let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
            run_loop(&mut terminal, &mut app, events, &worker, rx, hooks).await
        });
        Session {
            keys,
            frames,
            seen: Vec::new(),
            stats,
            task,
            sandbox,
            data,
        }
    }

    fn press(&self, code: KeyCode) {
        self.keys
            .unbounded_send(Ok(Event::Key(KeyEvent::new(code, KeyModifiers::NONE))))
            .unwrap();
    }

    fn type_text(&self, text: &str) {
        for c in text.chars() {
            self.press(KeyCode::Char(c));
        }
    }

    /// Types `text` a key per frame: the loop draws keys that come together once (at most a
    /// frame every `FRAME_GAP`), so a test that searches every drawn state types as a person.
    async fn type_slowly(&self, text: &str) {
        for c in text.chars() {
            self.press(KeyCode::Char(c));
            tokio::time::sleep(wareg::tui::run::FRAME_GAP * 2).await;
        }
    }

    /// Waits until a drawn frame satisfies `check`; returns that frame.
    async fn wait_for(&mut self, what: &str, check: impl Fn(&str) -> bool) -> String {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        loop {
            let frame = tokio::time::timeout_at(deadline, self.frames.recv())
                .await
                .unwrap_or_else(|_| {
                    panic!(
                        "timed out waiting for {what}; last frame:\n{}",
                        self.seen.last().cloned().unwrap_or_default()
                    )
                })
                .expect("the loop stopped drawing");
            self.seen.push(frame.clone());
            if check(&frame) {
                return frame;
            }
        }
    }

    /// The drawn line that holds `needle`.
    fn line_with<'a>(frame: &'a str, needle: &str) -> &'a str {
        frame.lines().find(|l| l.contains(needle)).unwrap_or("")
    }
}

/// Nothing in flight and no cell of the table still waiting ("⋯"); the log pane is ignored.
fn settled(frame: &str) -> bool {
    let table = frame.split("┌ Log").next().unwrap_or(frame);
    !table.contains("in flight") && !table.contains('⋯')
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_table_fills_from_the_sandbox_and_a_register_flow_goes_through() {
    let mut s = Session::start(120, 40).await;
    let frame = s
        .wait_for("the table to fill", |f| {
            Session::line_with(f, "Sales UK").contains("PENDING")
        })
        .await;
    assert!(Session::line_with(&frame, "Support DE").contains("CONNECTED"));
    assert!(Session::line_with(&frame, "New line BR").contains("NOT_VERIFIED"));
    assert!(
        frame.starts_with(" wareg  SANDBOX "),
        "the title says sandbox: {frame}"
    );

    // Sales UK is the second row: register it with local storage in the UK.
    s.press(KeyCode::Char('j'));
    s.press(KeyCode::Char('r'));
    s.wait_for("the register form", |f| {
        f.contains("Register 106540352242923")
    })
    .await;
    // No PIN is set yet: the one typed becomes it, so it is typed twice.
    s.type_text("135246");
    s.press(KeyCode::Tab);
    s.type_text("135246");
    s.press(KeyCode::Tab);
    s.press(KeyCode::Enter);
    s.wait_for("the dropdown", |f| f.contains("letters jump"))
        .await;
    s.type_text("g");
    s.press(KeyCode::Enter);
    s.wait_for("GB chosen", |f| {
        f.contains("GB  United Kingdom ▾") && f.contains("POST /settings (local storage GB)")
    })
    .await;
    s.press(KeyCode::Tab);
    s.press(KeyCode::Enter);
    let frame = s
        .wait_for("the number connected with GB storage", |f| {
            !f.contains("Register 106540352242923")
                && Session::line_with(f, "Sales UK").contains("CONNECTED")
                && Session::line_with(f, "Sales UK").contains("GB")
        })
        .await;
    assert!(
        Session::line_with(&frame, "Sales UK").contains("9/10"),
        "the budget shows the attempt: {frame}"
    );

    assert_eq!(
        posts(&s.sandbox),
        [
            "/v25.0/106540352242923/settings",
            "/v25.0/106540352242923/register"
        ]
    );

    // Quit: the loop ends cleanly.
    s.press(KeyCode::Char('q'));
    s.task.await.unwrap().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_app_does_not_wake_or_draw() {
    let mut s = Session::start(100, 30).await;
    // The slow number answers after 3 s and is retried; wait until everything has settled.
    s.wait_for("every read to settle", settled).await;
    let draws = s.stats.draws.load(Ordering::Relaxed);
    let wakeups = s.stats.wakeups.load(Ordering::Relaxed);
    // A quiet period is what is being measured here, not a synchronisation.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        s.stats.draws.load(Ordering::Relaxed),
        draws,
        "no draw while idle"
    );
    assert_eq!(
        s.stats.wakeups.load(Ordering::Relaxed),
        wakeups,
        "no wakeup while idle"
    );
    // A key still wakes it at once.
    s.press(KeyCode::Char('j'));
    s.wait_for("a redraw after a key", |_| true).await;
    assert!(s.stats.wakeups.load(Ordering::Relaxed) > wakeups);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_typed_pin_never_reaches_a_frame_the_log_or_the_audit_trail() {
    const PIN: &str = "918273";
    let mut s = Session::start(80, 24).await;
    // This test owns the process's log file (the other tests of this binary log there too).
    let log_path = wareg::logging::init_file(s.data.path()).expect("a log file");
    s.wait_for("the table to fill", |f| {
        Session::line_with(f, "Support DE").contains("CONNECTED")
    })
    .await;
    // Support DE has PIN 246810: this PIN is wrong, so the form shows Meta's 133005.
    s.press(KeyCode::Char('r'));
    s.wait_for("the register form", |f| {
        f.contains("Register 106540352242922")
    })
    .await;
    s.type_slowly(PIN).await;
    s.wait_for("the masked PIN", |f| f.contains("••••••  ✓"))
        .await;
    s.press(KeyCode::Tab);
    s.press(KeyCode::Tab);
    s.press(KeyCode::Enter);
    s.wait_for("the PIN mismatch", |f| {
        f.contains("Two-step PIN mismatch (133005)")
    })
    .await;
    // And through the PIN form, twice.
    s.press(KeyCode::Esc);
    s.press(KeyCode::Char('p'));
    s.type_slowly(PIN).await;
    s.press(KeyCode::Tab);
    s.type_slowly(PIN).await;
    s.press(KeyCode::Tab);
    s.press(KeyCode::Enter);
    s.wait_for("the PIN set", |f| f.contains("two-step PIN set"))
        .await;
    s.press(KeyCode::Char('q'));
    s.task.await.unwrap().unwrap();
    while let Ok(frame) = s.frames.try_recv() {
        s.seen.push(frame);
    }

    assert!(s.seen.len() > 10);
    for frame in &s.seen {
        // Five-digit pieces too; none can be a chance port number (91827 > 65535, 18273 < 32768).
        for probe in [PIN, &PIN[..5], &PIN[1..]] {
            assert!(!frame.contains(probe), "a frame shows {probe}:\n{frame}");
        }
    }
    let audit = std::fs::read_to_string(s.data.path().join("audit.jsonl")).unwrap();
    assert!(
        audit.contains("set_pin") && audit.contains("133005"),
        "{audit}"
    );
    assert!(!audit.contains(PIN));
    let log = std::fs::read_to_string(&log_path).unwrap();
    assert!(
        log.contains("/register"),
        "the log file has the calls: {log}"
    );
    assert!(!log.contains(PIN) && !log.contains(&PIN[..5]));
    let requests = format!("{:?}", s.sandbox.received());
    assert!(
        !requests.contains(PIN),
        "the sandbox's own journal blanks secrets too"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deregister_region_change_pin_and_verification_flows_reach_the_sandbox() {
    let mut s = Session::start(120, 40).await;
    s.wait_for("the table", |f| {
        Session::line_with(f, "Support DE").contains("CONNECTED")
            && Session::line_with(f, "Support DE").contains("DE ")
    })
    .await;

    // Region change on Support DE (storage DE, PIN 246810): details, c, pick CH, PIN.
    s.press(KeyCode::Enter);
    s.wait_for("details", |f| f.contains("in-country storage in DE"))
        .await;
    s.press(KeyCode::Char('c'));
    s.wait_for("the region change form", |f| {
        f.contains("Change local storage 106540352242922")
    })
    .await;
    s.press(KeyCode::Enter);
    s.type_text("c");
    s.press(KeyCode::Enter);
    s.press(KeyCode::BackTab);
    s.type_text("246810");
    s.wait_for("the three-step plan", |f| {
        f.contains("1. POST /deregister") && f.contains("2. POST /settings (local storage CH)")
    })
    .await;
    s.press(KeyCode::Tab);
    s.press(KeyCode::Tab);
    s.press(KeyCode::Enter);
    s.wait_for("Support DE now in CH", |f| {
        !f.contains("Change local storage") && Session::line_with(f, "Support DE").contains("CH ")
    })
    .await;
    assert_eq!(
        posts(&s.sandbox),
        [
            "/v25.0/106540352242922/deregister",
            "/v25.0/106540352242922/settings",
            "/v25.0/106540352242922/register"
        ]
    );

    // Deregister Billing US (+1 631-555-0142): the 4th row.
    s.press(KeyCode::Char('g'));
    for _ in 0..3 {
        s.press(KeyCode::Char('j'));
    }
    s.press(KeyCode::Char('d'));
    s.wait_for("the deregister form", |f| {
        f.contains("Deregister 106540352242925")
    })
    .await;
    s.type_text("0142");
    s.press(KeyCode::Tab);
    s.press(KeyCode::Enter);
    s.wait_for("Billing US disconnected", |f| {
        Session::line_with(f, "Billing US").contains("DISCONNECTED")
    })
    .await;
    assert_eq!(
        posts(&s.sandbox).last().unwrap(),
        "/v25.0/106540352242925/deregister"
    );

    // New PIN on Billing US.
    s.press(KeyCode::Char('p'));
    s.type_text("112233");
    s.press(KeyCode::Tab);
    s.type_text("112233");
    s.press(KeyCode::Tab);
    s.press(KeyCode::Enter);
    s.wait_for("the PIN set", |f| f.contains("two-step PIN set"))
        .await;
    assert_eq!(posts(&s.sandbox).last().unwrap(), "/v25.0/106540352242925");
    assert_eq!(
        s.sandbox
            .with_world(|w| w.numbers["106540352242925"].pin.clone())
            .as_deref(),
        Some("112233")
    );

    // Verify New line BR (3rd row) by voice, with the code the sandbox sent.
    s.press(KeyCode::Char('g'));
    s.press(KeyCode::Char('j'));
    s.press(KeyCode::Char('j'));
    s.press(KeyCode::Char('v'));
    s.wait_for("the verify form", |f| {
        f.contains("Verify ownership 106540352242924")
    })
    .await;
    s.press(KeyCode::Right);
    s.press(KeyCode::Tab);
    s.press(KeyCode::Tab);
    s.press(KeyCode::Enter);
    s.wait_for("step 2", |f| f.contains("Step 2 of 2")).await;
    let code = s
        .sandbox
        .pending_code("106540352242924")
        .expect("a code was sent");
    s.type_text(&code);
    s.press(KeyCode::Tab);
    s.press(KeyCode::Enter);
    s.wait_for("New line BR verified", |f| {
        !f.contains("Verify ownership")
            && Session::line_with(f, "New line BR").contains("VERIFIED")
            && !Session::line_with(f, "New line BR").contains("NOT_VERIFIED")
    })
    .await;
    let received = s.sandbox.received();
    let request_code = received
        .iter()
        .find(|r| r.path.ends_with("/request_code"))
        .unwrap();
    assert_eq!(request_code.params["code_method"], "VOICE");
    assert_eq!(request_code.params["language"], "en_US");
    assert!(received.iter().any(|r| r.path.ends_with("/verify_code")));

    let audit = std::fs::read_to_string(s.data.path().join("audit.jsonl")).unwrap();
    for op in [
        "\"deregister\"",
        "\"settings\"",
        "\"register\"",
        "\"set_pin\"",
        "\"request_code\"",
        "\"verify_code\"",
    ] {
        assert!(audit.contains(op), "{op} missing from the audit trail");
    }
    s.press(KeyCode::Char('q'));
    s.task.await.unwrap().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_are_reported_and_the_other_numbers_keep_working() {
    let mut s = Session::start(120, 40).await;
    let frame = s
        .wait_for("every read to settle", |f| {
            settled(f) && Session::line_with(f, "Billing US").contains("CONNECTED")
        })
        .await;
    // The misbehaving numbers' storage reads failed (✗), the others read fine. (Found by
    // their names: their long labels may be cut to keep a column.)
    assert!(
        Session::line_with(&frame, "Gateway trouble").contains('✗'),
        "{frame}"
    );
    assert!(
        Session::line_with(&frame, "Acme Truncated").contains('✗'),
        "{frame}"
    );
    assert!(
        Session::line_with(&frame, "Acme Reset").contains('✗'),
        "{frame}"
    );
    assert!(
        Session::line_with(&frame, "Slow line").contains('✗'),
        "{frame}"
    );
    assert!(
        Session::line_with(&frame, "Support DE").contains("DE "),
        "{frame}"
    );

    // A register on the HTML 502 number: the outcome is unknown and said so.
    s.press(KeyCode::Char('/'));
    s.type_text("Gateway");
    s.press(KeyCode::Enter);
    s.press(KeyCode::Char('r'));
    s.wait_for("the form", |f| f.contains("Register 106540352242932"))
        .await;
    s.type_text("246810");
    // Register waits for the storage read, which fails on this number; then it may go.
    s.wait_for("the storage read to fail", |f| {
        f.contains("storage now   not known")
    })
    .await;
    s.press(KeyCode::Tab);
    s.press(KeyCode::Tab);
    s.press(KeyCode::Enter);
    let frame = s
        .wait_for("the unknown outcome", |f| f.contains("Outcome unknown"))
        .await;
    assert!(frame.contains("HTTP 502"), "{frame}");
    // The engine read the number back once and the form says what it found.
    let frame = s
        .wait_for("the read-back", |f| f.contains("read back:"))
        .await;
    assert!(
        frame.contains("read back: reading the number's status failed"),
        "{frame}"
    );
    s.press(KeyCode::Esc);
    s.press(KeyCode::Esc);
    // The rest of the app still works: a refresh reads the good numbers again.
    s.press(KeyCode::Char('R'));
    s.wait_for("the refreshed table", |f| {
        settled(f) && Session::line_with(f, "Billing US").contains("CONNECTED")
    })
    .await;
    let audit = std::fs::read_to_string(s.data.path().join("audit.jsonl")).unwrap();
    let outcome = audit.lines().find(|l| l.contains("\"outcome\":")).unwrap();
    assert!(outcome.contains("\"outcome\":\"unknown\""), "{outcome}");
    assert_eq!(
        posts(&s.sandbox)
            .iter()
            .filter(|p| p.ends_with("/register"))
            .count(),
        1,
        "never retried"
    );
    s.press(KeyCode::Char('q'));
    s.task.await.unwrap().unwrap();
}

/// Issue 26 item 21: the sandbox's gateway answers every storage read of one number with an
/// HTML 502; the client tries it again while its time budget lasts (2 or 3 tries in 1 s), and
/// the count its log line gives reaches the details the person opens.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_storage_read_that_failed_after_retries_says_how_often_in_the_details() {
    let mut s = Session::start(120, 40).await;
    s.wait_for("every read to settle", |f| {
        settled(f) && Session::line_with(f, "Gateway trouble").contains('✗')
    })
    .await;
    s.press(KeyCode::Char('/'));
    s.type_text("Gateway");
    s.press(KeyCode::Enter);
    // The details read the storage again (it failed): tried again, and they say how often.
    s.press(KeyCode::Enter);
    let frame = s
        .wait_for("the details of the failed read", |f| {
            f.contains("could not be read") && f.contains("; tried")
        })
        .await;
    assert!(frame.contains("HTTP 502"), "{frame}");
    // The count after "; tried", wherever the popup's width wraps the line.
    let said = frame.split("; tried").nth(1).and_then(|r| {
        r.split_whitespace()
            .find(|w| w.chars().all(|c| c.is_ascii_digit()))
    });
    let logged = frame
        .lines()
        .filter(|l| l.contains("106540352242932/settings: 502"))
        .filter_map(|l| l.split(" tries").next()?.rsplit('(').next())
        .next_back();
    assert!(said.is_some() && said != Some("1"), "{frame}");
    assert_eq!(
        said, logged,
        "the details and the log count the same tries: {frame}"
    );
    s.press(KeyCode::Char('q'));
    s.task.await.unwrap().unwrap();
}

/// The demo config pointed somewhere else, with a token from a command.
async fn session_against(base_url: &str, token: &str) -> Session {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let unused = sandbox::start(listener, SandboxOptions::default()).unwrap();
    let mut config = wareg::sandbox::demo_config(base_url);
    let profile = config.profiles.get_mut("demo").unwrap();
    profile.timeout = Duration::from_secs(1);
    profile.token = wareg::config::TokenSource::Command(vec!["echo".into(), token.into()]);
    Session::start_with(120, 40, config, unused).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connection_refused_is_shown_per_row_and_in_the_log() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let mut s = session_against(&format!("http://127.0.0.1:{port}"), "t").await;
    let frame = s
        .wait_for("the failed reads", |f| {
            settled(f) && Session::line_with(f, "Support DE").contains("✗ network: could")
        })
        .await;
    assert!(
        frame.contains("could not connect to 127.0.0.1"),
        "the log pane says why: {frame}"
    );
    // Still responsive: help opens and quitting works.
    s.press(KeyCode::Char('?'));
    s.wait_for("help", |f| f.contains("Help · Esc closes"))
        .await;
    s.press(KeyCode::Char('q'));
    s.task.await.unwrap().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_token_is_explained_in_the_log() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let sandbox = sandbox::start(listener, SandboxOptions::default()).unwrap();
    let mut s = session_against(&sandbox.base_url(), wareg::sandbox::EXPIRED_TOKEN).await;
    let frame = s
        .wait_for("the 190 explained", |f| {
            f.contains("190 Access token expired or invalid")
        })
        .await;
    assert!(
        frame.contains("new System User token") || frame.contains("expired, was revoked"),
        "{frame}"
    );
    // The frame that showed the 190 may already be the last one: an idle app draws no more.
    let every_row_failed =
        |f: &str| settled(f) && Session::line_with(f, "Support DE").contains("190");
    if !every_row_failed(&frame) {
        s.wait_for("every row failed", every_row_failed).await;
    }
    s.press(KeyCode::Char('q'));
    s.task.await.unwrap().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_enum_values_and_extra_fields_are_shown_not_fatal() {
    use wiremock::matchers::{method, path_regex};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let server = MockServer::start().await;
    let listing = serde_json::json!({"data": [
        {"id": "106540352242922", "display_phone_number": "+49 30 1234 5601", "status": "HIBERNATING",
         "quality_rating": "PURPLE", "code_verification_status": "PARTLY", "platform_type": "MOON_API",
         "brand_new_field": {"nested": [1, 2, 3]}, "throughput": {"level": "WARP", "extra": true}},
    ]});
    Mock::given(method("GET"))
        .and(path_regex(r"/phone_numbers$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(listing))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path_regex(r"/settings$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"storage_configuration": {"status": "IN_COUNTRY_STORAGE_SOMEDAY"}, "calling": {"x": 1}})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(400).set_body_json(serde_json::json!({"error": {"message": "(#100) no such object", "type": "OAuthException", "code": 100, "fbtrace_id": "T"}})))
        .mount(&server)
        .await;
    let mut s = session_against(&server.uri(), "t").await;
    let frame = s
        .wait_for("the odd values", |f| {
            Session::line_with(f, "Support DE").contains("HIBERNATING")
        })
        .await;
    let row = Session::line_with(&frame, "Support DE");
    assert!(
        row.contains("PURPLE") && row.contains("PARTLY") && row.contains("MOON_API"),
        "{row}"
    );
    // Shown as Meta sent it (cut to the column's width).
    s.wait_for("the odd storage status", |f| {
        Session::line_with(f, "Support DE").contains("IN_COUN")
    })
    .await;
    s.press(KeyCode::Char('q'));
    s.task.await.unwrap().unwrap();
}

/// A config file for the CLI on the session's sandbox and data dir, as a second desk would
/// have it.
fn cli_env(s: &Session) -> Vec<(String, String)> {
    let config = s.data.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "default_profile = \"demo\"\n[profiles.demo]\nbase_url = \"{}\"\napi_version = \"v25.0\"\ntoken_env = \"{}\"\n",
            s.sandbox.base_url(),
            common::TOKEN_VAR
        ),
    )
    .unwrap();
    vec![
        ("WAREG_CONFIG".into(), config.display().to_string()),
        ("WAREG_DATA_DIR".into(), s.data.path().display().to_string()),
        (common::TOKEN_VAR.into(), common::TOKEN.into()),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tui_and_the_cli_never_both_spend_the_last_attempt() {
    for trial in 0..20 {
        let mut s = Session::start(120, 40).await;
        common::seed_attempts(
            s.data.path(),
            "demo",
            "106540352242923",
            wareg::audit::Operation::Register,
            9,
        );
        s.wait_for("the table to fill", |f| {
            Session::line_with(f, "Sales UK").contains("PENDING")
        })
        .await;
        s.press(KeyCode::Char('j'));
        s.press(KeyCode::Char('r'));
        // The form counts the budget again as it opens: one attempt left.
        s.wait_for("the register form with 1 left", |f| {
            f.contains("Register 106540352242923") && f.contains("1 of 10 left")
        })
        .await;
        // No PIN is set yet: it is typed twice.
        s.type_text("123456");
        s.press(KeyCode::Tab);
        s.type_text("123456");
        s.press(KeyCode::Tab);
        s.press(KeyCode::Tab);
        let env = cli_env(&s);
        let cli = tokio::task::spawn_blocking(move || {
            common::finish(common::start_wareg(
                &["register", "106540352242923", "--pin-stdin"],
                Some("123456\n"),
                &env,
            ))
        });
        s.press(KeyCode::Enter);
        // The TUI sends and wins or loses the race, or its form has already counted the CLI's
        // attempt (the budget is spent: Enter lands on the override, or Register is blocked).
        let frame = s
            .wait_for("the TUI's attempt to end", |f| {
                f.contains("(106540352242923): registered")
                    || f.contains("refusing to")
                    || f.contains("[x] override budget")
                    || f.contains("budget is used up")
            })
            .await;
        let cli = cli.await.unwrap();
        let registers = posts(&s.sandbox)
            .iter()
            .filter(|p| p.ends_with("/register"))
            .count();
        assert_eq!(registers, 1, "trial {trial}: cli {}\n{frame}", cli.stderr);
        let tui_won = frame.contains("(106540352242923): registered");
        assert_eq!(
            cli.code,
            if tui_won { 2 } else { 0 },
            "trial {trial}: {}",
            cli.stderr
        );
        s.press(KeyCode::Esc);
        s.press(KeyCode::Char('q'));
        s.task.await.unwrap().unwrap();
    }
}

/// Requests the sandbox received so far, as "METHOD /path".
fn received_calls(s: &Session) -> Vec<String> {
    s.sandbox
        .received()
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

/// The demo config with `fleet` of the sandbox's generated numbers configured ("Fleet 00001"…).
fn fleet_config(sandbox: &RunningSandbox, fleet: u64) -> wareg::config::Config {
    let mut config = wareg::sandbox::demo_config(&sandbox.base_url());
    config.numbers = (0..fleet)
        .map(|i| wareg::config::NumberEntry {
            id: wareg::graph::NumberId::parse(&(1_990_000_000_000_000u64 + i).to_string()).unwrap(),
            label: Some(format!("Fleet {:05}", i + 1)),
            profile: "demo".into(),
        })
        .collect();
    config
}

/// What a TUI start and three `R`s cost over `fleet` configured numbers that the listing all
/// returns: (listing pages, calls of the start, calls of each `R`).
async fn counted_refresh(fleet: u64) -> (usize, usize, Vec<Vec<String>>) {
    let sandbox = sandbox_with(SandboxOptions {
        extra_numbers: fleet as usize,
        ..SandboxOptions::default()
    })
    .await;
    let config = fleet_config(&sandbox, fleet);
    let mut s = Session::start_with(120, 40, config, sandbox).await;
    s.wait_for("the first refresh", |f| {
        settled(f) && f.contains("Fleet 00001") && f.contains("CONNECTED")
    })
    .await;
    let first = received_calls(&s);
    let pages = first
        .iter()
        .filter(|c| c.ends_with("/phone_numbers"))
        .count();
    let mut refreshes = Vec::new();
    for _ in 0..3 {
        let before = received_calls(&s).len();
        s.press(KeyCode::Char('R'));
        s.wait_for("R to start", |f| f.contains("in flight")).await;
        s.wait_for("R to settle", settled).await;
        refreshes.push(received_calls(&s)[before..].to_vec());
    }
    s.press(KeyCode::Char('q'));
    s.task.await.unwrap().unwrap();
    (pages, first.len(), refreshes)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refresh_of_310_numbers_costs_the_listing_pages_not_one_call_per_number() {
    let (pages, start, refreshes) = counted_refresh(310).await;
    assert_eq!(pages, 4, "about 323 numbers at 100 a page");
    assert_eq!(
        start,
        pages + 310,
        "the first start reads each storage once"
    );
    for spent in refreshes {
        assert!(
            spent.len() <= pages + 2,
            "R costs the listing pages plus at most a handful: {spent:?}"
        );
        assert!(
            spent.iter().all(|c| c.ends_with("/phone_numbers")),
            "{spent:?}"
        );
    }
}

/// The figures in BENCHMARKS.md ("calls per refresh"): `cargo test --release --test
/// tui_runner -- --ignored calls_per_refresh --nocapture`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement for BENCHMARKS.md, not a check"]
async fn calls_per_refresh_at_1k_and_10k() {
    for fleet in [1_000, 10_000] {
        let (pages, start, refreshes) = counted_refresh(fleet).await;
        let per_r: Vec<usize> = refreshes.iter().map(Vec::len).collect();
        println!(
            "{fleet} configured numbers: {pages} listing pages; TUI start {start} calls; each R {per_r:?} calls"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_throttle_met_in_the_tui_stops_its_reads_and_the_clis_with_a_countdown() {
    let sandbox = sandbox_with(SandboxOptions {
        call_budget: Some(wareg::sandbox::CallBudget {
            calls: 40,
            window: Duration::from_secs(3600),
        }),
        ..SandboxOptions::default()
    })
    .await;
    let mut config = wareg::sandbox::demo_config(&sandbox.base_url());
    // Only numbers that answer at once: a refresh ends when its reads do.
    config
        .numbers
        .retain(|n| matches!(n.label.as_deref(), Some("Sales UK" | "Support DE")));
    let mut s = Session::start_with(120, 40, config, sandbox).await;
    s.wait_for("the first refresh", |f| {
        Session::line_with(f, "Sales UK").contains("PENDING") && settled(f)
    })
    .await;
    // Refresh until "Meta" throttles; the title then counts down.
    let mut throttled = false;
    for _ in 0..40 {
        s.press(KeyCode::Char('R'));
        let frame = s
            .wait_for("R to end", |f| {
                f.contains("THROTTLED") || (settled(f) && !f.contains("in flight"))
            })
            .await;
        if frame.contains("THROTTLED") {
            throttled = true;
            break;
        }
    }
    assert!(throttled, "a budget of 40 runs out");
    let frame = s
        .wait_for("the countdown", |f| {
            f.contains("THROTTLED by Meta: reads resume in 60 min")
        })
        .await;
    assert!(frame.contains("THROTTLED"));
    let sent = received_calls(&s).len();
    s.press(KeyCode::Char('R'));
    s.wait_for("R to end", |f| !f.contains("in flight")).await;
    assert_eq!(received_calls(&s).len(), sent, "R sends nothing meanwhile");

    // Another process on the same data dir knows it too.
    let env = cli_env(&s);
    let config = s.data.path().join("config.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        format!("{text}waba_id = \"{}\"\n", s.sandbox.waba_id()),
    )
    .unwrap();
    let out = tokio::task::spawn_blocking(move || {
        common::run_wareg(&["numbers", "--refresh"], None, &env)
    })
    .await
    .unwrap();
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("nothing was sent"), "{}", out.stderr);
    assert_eq!(received_calls(&s).len(), sent, "nor does the CLI");
    s.press(KeyCode::Char('q'));
    s.task.await.unwrap().unwrap();
}

/// The team ledger's live view: another desk's register shows in the log pane and the budget
/// column without a refresh; its change in progress is marked on the row and refuses this
/// desk's register until it ends.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_colleagues_register_shows_live_and_a_change_in_progress_blocks_this_desk() {
    let Some(url) = tokio::task::spawn_blocking(common::pg::database)
        .await
        .unwrap()
    else {
        return;
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let sandbox = sandbox::start(listener, SandboxOptions::default()).unwrap();
    let mut config = wareg::sandbox::demo_config(&sandbox.base_url());
    config
        .numbers
        .retain(|n| matches!(n.label.as_deref(), Some("Sales UK" | "Support DE")));
    config.ledger.operator = Some("ana@desk-1".into());
    let data = tempfile::tempdir().unwrap();
    let settings =
        wareg::ledger::pg::PgSettings::parse(&wareg::secret::Token::new(url.clone()), "wareg")
            .unwrap();
    let team = Arc::new(wareg::ledger::PgLedger::new(settings.clone(), data.path()));
    let init = team.clone();
    tokio::task::spawn_blocking(move || init.init().unwrap())
        .await
        .unwrap();
    let store = wareg::ledger::Store::Team(team);
    let mut s = Session::start_on(160, 40, config, sandbox, store, data).await;
    s.wait_for("the table and the live feed", |f| {
        Session::line_with(f, "Sales UK").contains("PENDING")
            && f.contains("team ledger 127.0.0.1")
            && f.contains("listening to the team ledger")
    })
    .await;

    // Another desk (its own data dir and config) registers Sales UK with the CLI.
    let other = tempfile::tempdir().unwrap();
    let config_path = other.path().join("config.toml");
    std::fs::write(
        &config_path,
        format!(
            "default_profile = \"demo\"\n[profiles.demo]\nbase_url = \"{}\"\napi_version = \"v25.0\"\ntoken_env = \"{}\"\n[ledger]\nurl_env = \"WAREG_LEDGER_URL\"\noperator = \"bo@desk-2\"\n",
            s.sandbox.base_url(),
            common::TOKEN_VAR
        ),
    )
    .unwrap();
    let env = vec![
        ("WAREG_CONFIG".to_owned(), config_path.display().to_string()),
        (
            "WAREG_DATA_DIR".to_owned(),
            other.path().join("data").display().to_string(),
        ),
        (common::TOKEN_VAR.to_owned(), common::TOKEN.to_owned()),
        ("WAREG_LEDGER_URL".to_owned(), url.clone()),
    ];
    let out = tokio::task::spawn_blocking(move || {
        common::run_wareg(
            &["register", "106540352242923", "--pin-stdin"],
            Some("123456\n"),
            &env,
        )
    })
    .await
    .unwrap();
    assert_eq!(out.code, 0, "{}", out.stderr);
    let frame = s
        .wait_for("the colleague's register, live", |f| {
            f.contains("bo@desk-2: register Sales UK (106540352242923) ended: ok")
                && Session::line_with(f, "Sales UK").contains("9/10")
        })
        .await;
    assert!(!frame.contains(common::pg::PASSWORD));

    // bo@desk-2 starts a deregister of Support DE and has not ended it.
    let mut open = wareg::audit::AuditRecord::intent(
        chrono::Utc::now(),
        "bo-open",
        "demo",
        &wareg::graph::NumberId::parse("106540352242922").unwrap(),
        wareg::audit::Operation::Deregister,
    );
    open.operator = Some("bo@desk-2".into());
    let writer = wareg::ledger::PgLedger::new(settings, other.path());
    tokio::task::spawn_blocking(move || {
        use wareg::ledger::Ledger;
        writer.append(&open).unwrap()
    })
    .await
    .unwrap();
    s.wait_for("the in-progress marker", |f| {
        Session::line_with(f, "Support DE").contains("⧗ bo@desk-2")
    })
    .await;
    s.press(KeyCode::Enter);
    s.wait_for("the whole marker in the details", |f| {
        f.contains("change: ⧗ bo@desk-2 deregistering since")
    })
    .await;
    s.press(KeyCode::Esc);
    // This desk's deregister of it is refused with the reason, and nothing is sent.
    s.press(KeyCode::Char('g'));
    s.press(KeyCode::Char('d'));
    s.wait_for("the deregister form's refusal", |f| {
        f.contains("bo@desk-2 is running deregister")
    })
    .await;
    assert!(
        !posts(&s.sandbox).iter().any(|p| p.ends_with("/deregister")),
        "nothing was sent"
    );
    s.press(KeyCode::Esc);
    s.press(KeyCode::Char('q'));
    s.task.await.unwrap().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_frame_shows_true_budgets_from_a_long_trail() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let sandbox = sandbox::start(listener, SandboxOptions::default()).unwrap();
    let config = wareg::sandbox::demo_config(&sandbox.base_url());
    let data = tempfile::tempdir().unwrap();
    // A year of other numbers' history in front of this week's 9 attempts on Sales UK.
    let log = wareg::ledger::AuditLog::in_dir(data.path());
    let mut text = String::new();
    for i in 0..20_000i64 {
        let r = wareg::audit::AuditRecord::intent(
            chrono::Utc::now() - chrono::Duration::days(365) + chrono::Duration::minutes(i),
            format!("old-{i}"),
            "demo",
            &wareg::graph::NumberId::parse("106540352242922").unwrap(),
            wareg::audit::Operation::Register,
        );
        text.push_str(&serde_json::to_string(&r).unwrap());
        text.push('\n');
    }
    std::fs::write(log.path(), text).unwrap();
    common::seed_attempts(
        data.path(),
        "demo",
        "106540352242923",
        wareg::audit::Operation::Register,
        9,
    );
    let store =
        wareg::ledger::Store::Local(Arc::new(wareg::ledger::LocalTrail::in_dir(data.path())));
    let mut s = Session::start_on(120, 40, config, sandbox, store, data).await;
    let first = s.frames.recv().await.expect("a first frame");
    let line = Session::line_with(&first, "Sales UK");
    assert!(line.contains("1/10"), "{first}");
    assert!(
        Session::line_with(&first, "Support DE").contains("10/10"),
        "a year-old history does not count: {first}"
    );
    s.press(KeyCode::Char('q'));
    s.task.await.unwrap().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bulk_deregister_marked_in_the_tui_is_planned_confirmed_and_sent_once() {
    let mut s = Session::start(120, 40).await;
    s.wait_for("the table", |f| {
        Session::line_with(f, "Support DE").contains("CONNECTED")
    })
    .await;
    // Support DE is the first row; mark it and open the bulk popup.
    s.press(KeyCode::Char(' '));
    s.wait_for("the mark", |f| f.contains("1 marked")).await;
    s.press(KeyCode::Char('B'));
    for _ in 0..3 {
        s.press(KeyCode::Down);
    }
    s.press(KeyCode::Enter);
    s.wait_for("the plan", |f| f.contains("Type 1 to confirm"))
        .await;
    assert!(
        !posts(&s.sandbox).iter().any(|p| p.ends_with("/deregister")),
        "planning sends nothing"
    );
    s.press(KeyCode::Enter);
    s.type_text("1");
    s.press(KeyCode::Enter);
    s.wait_for("the summary", |f| {
        f.contains("Bulk deregister — done") && f.contains("1 done")
    })
    .await;
    let deregisters: Vec<String> = posts(&s.sandbox)
        .into_iter()
        .filter(|p| p.ends_with("/deregister"))
        .collect();
    assert_eq!(deregisters, ["/v25.0/106540352242922/deregister"]);
    assert!(
        std::fs::read_dir(s.data.path().join("bulk"))
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "jsonl"))
            })
            .count()
            == 1,
        "the run has its journal"
    );
    s.press(KeyCode::Esc);
    s.press(KeyCode::Char('q'));
    s.task.await.unwrap().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn esc_pauses_a_running_bulk_the_numbers_in_flight_finish_and_nothing_new_starts() {
    let sandbox = sandbox_with(SandboxOptions {
        extra_numbers: 12,
        latency: Duration::from_millis(150),
        ..SandboxOptions::default()
    })
    .await;
    let config = fleet_config(&sandbox, 12);
    let mut s = Session::start_with(120, 40, config, sandbox).await;
    s.wait_for("the table", |f| {
        settled(f) && Session::line_with(f, "Fleet 00001").contains("CONNECTED")
    })
    .await;
    // Only the fleet: the filter shows its 12 rows, `*` marks them.
    s.press(KeyCode::Char('/'));
    s.type_text("Fleet");
    s.press(KeyCode::Enter);
    s.press(KeyCode::Char('*'));
    s.wait_for("the marks", |f| f.contains("12 marked")).await;
    s.press(KeyCode::Char('B'));
    for _ in 0..3 {
        s.press(KeyCode::Down);
    }
    s.press(KeyCode::Enter);
    s.wait_for("the plan", |f| f.contains("Type 12 to confirm"))
        .await;
    s.type_text("12");
    s.press(KeyCode::Enter);
    // The journal's id says the run has started (the footer names Esc from the first frame).
    s.wait_for("the run", |f| f.contains("Esc pauses · journal"))
        .await;
    s.press(KeyCode::Esc);
    let frame = s
        .wait_for("the summary", |f| f.contains("Bulk deregister — done"))
        .await;
    assert!(frame.contains("not started"), "{frame}");
    assert!(frame.contains("paused"), "{frame}");
    let sent = posts(&s.sandbox)
        .iter()
        .filter(|p| p.ends_with("/deregister"))
        .count();
    assert!(
        (1..12).contains(&sent),
        "in flight finished, the rest waits: {sent}"
    );
    s.press(KeyCode::Esc);
    s.press(KeyCode::Char('q'));
    s.task.await.unwrap().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bulk_run_left_half_done_is_offered_at_start() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let sandbox = sandbox::start(listener, SandboxOptions::default()).unwrap();
    let config = wareg::sandbox::demo_config(&sandbox.base_url());
    let data = tempfile::tempdir().unwrap();
    let journal = wareg::bulk::Journal::create(data.path(), "20261125-010203-abcd").unwrap();
    for entry in [
        wareg::bulk::Entry::Header {
            id: "20261125-010203-abcd".into(),
            action: wareg::bulk::Action::Deregister,
            region: None,
            created: chrono::Utc::now(),
            operator: "ana@desk-1".into(),
        },
        wareg::bulk::Entry::Planned {
            number: "106540352242922".into(),
            profile: "demo".into(),
            plan: "deregister".into(),
            steps: vec!["POST /deregister".into()],
            label: None,
            display: None,
        },
    ] {
        journal.write(&entry).unwrap();
    }
    let store =
        wareg::ledger::Store::Local(Arc::new(wareg::ledger::LocalTrail::in_dir(data.path())));
    let mut s = Session::start_on(160, 40, config, sandbox, store, data).await;
    s.wait_for("the offer", |f| {
        f.contains("bulk run 20261125-010203-abcd has 1 number not done")
    })
    .await;
    assert!(posts(&s.sandbox).is_empty(), "nothing is resent unasked");
    s.press(KeyCode::Char('q'));
    s.task.await.unwrap().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e_exports_the_filtered_table_to_csv_and_json_and_says_where() {
    let mut s = Session::start(120, 40).await;
    s.wait_for("every read to settle", |f| {
        settled(f) && Session::line_with(f, "Support DE").contains("CONNECTED")
    })
    .await;
    s.press(KeyCode::Char('/'));
    s.type_text("status:connected");
    s.press(KeyCode::Enter);
    s.press(KeyCode::Char('e'));
    let frame = s
        .wait_for("the export to be written", |f| f.contains("exported "))
        .await;
    let csv = std::fs::read_dir(s.data.path())
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "csv"))
        .unwrap_or_else(|| panic!("no CSV in the data dir: {frame}"));
    let text = std::fs::read_to_string(&csv).unwrap();
    let rows: Vec<&str> = text.lines().skip(1).collect();
    assert!(!rows.is_empty(), "{text}");
    // Only what the filter showed, each a connected number.
    assert!(rows.iter().all(|r| r.contains(",CONNECTED,")), "{text}");
    assert!(rows.iter().any(|r| r.contains("Support DE")), "{text}");
    assert!(!text.contains("Sales UK"), "{text}");
    let json = csv.with_extension("json");
    let parsed: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(parsed.as_array().map(Vec::len), Some(rows.len()));
    let name = csv.file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        frame.contains(&format!("exported {} number", rows.len()))
            && frame.contains("wareg-numbers-"),
        "the log says where: {name}\n{frame}"
    );
    s.press(KeyCode::Char('q'));
    s.task.await.unwrap().unwrap();
}

/// A deregister sent while another desk is changing the same number: the form says it waits
/// for that desk (not just "sending…"), sends nothing meanwhile, and goes on once it has ended.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_form_shows_the_wait_for_another_desks_change_of_its_number() {
    let Some(url) = tokio::task::spawn_blocking(common::pg::database)
        .await
        .unwrap()
    else {
        return;
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let sandbox = sandbox::start(listener, SandboxOptions::default()).unwrap();
    let mut config = wareg::sandbox::demo_config(&sandbox.base_url());
    config
        .numbers
        .retain(|n| matches!(n.label.as_deref(), Some("Sales UK" | "Support DE")));
    config.ledger.operator = Some("bo@desk-2".into());
    let data = tempfile::tempdir().unwrap();
    let settings =
        wareg::ledger::pg::PgSettings::parse(&wareg::secret::Token::new(url.clone()), "wareg")
            .unwrap()
            .with_timeout(Duration::from_secs(8));
    let team = Arc::new(wareg::ledger::PgLedger::new(settings, data.path()));
    let init = team.clone();
    tokio::task::spawn_blocking(move || init.init().unwrap())
        .await
        .unwrap();
    let store = wareg::ledger::Store::Team(team);
    let mut s = Session::start_on(160, 40, config, sandbox, store, data).await;
    s.wait_for("the table and the live feed", |f| {
        Session::line_with(f, "Support DE").contains("CONNECTED")
            && f.contains("listening to the team ledger")
    })
    .await;

    // ana@desk-1 is in the middle of a change of Support DE.
    let holder_url = url.clone();
    let release = tokio::task::spawn_blocking(move || {
        common::pg::hold_the_lock(&holder_url, "106540352242922", Duration::from_secs(20))
    })
    .await
    .unwrap();
    s.press(KeyCode::Char('g'));
    s.press(KeyCode::Char('d'));
    s.wait_for("the deregister form", |f| {
        f.contains("Deregister 106540352242922")
    })
    .await;
    // The last four digits of +49 30 1234 5601, then the button.
    s.type_text("5601");
    s.press(KeyCode::Tab);
    s.press(KeyCode::Enter);
    let frame = s
        .wait_for("the form saying it waits", |f| {
            f.contains("waiting for another desk's change of this number… (nothing is sent")
        })
        .await;
    assert!(frame.contains("Deregister 106540352242922"), "{frame}");
    assert!(
        !posts(&s.sandbox).iter().any(|p| p.ends_with("/deregister")),
        "nothing is sent while the other desk's change runs"
    );
    // ana's change ends: the deregister goes on.
    let _ = release.send(());
    s.wait_for("Support DE deregistered", |f| {
        !f.contains("Deregister 1065")
            && Session::line_with(f, "Support DE").contains("DISCONNECTED")
    })
    .await;
    assert_eq!(
        posts(&s.sandbox)
            .iter()
            .filter(|p| p.ends_with("/deregister"))
            .count(),
        1
    );
    s.press(KeyCode::Char('q'));
    s.task.await.unwrap().unwrap();
}

/// `/settings` reads the sandbox received so far.
fn storage_reads(s: &Session) -> usize {
    received_calls(s)
        .iter()
        .filter(|c| c.starts_with("GET ") && c.ends_with("/settings"))
        .count()
}

/// A sandbox holding `fleet` generated numbers that reports at least `usage_floor` % of its
/// call budget used.
async fn fleet_sandbox(fleet: u64, usage_floor: usize) -> RunningSandbox {
    sandbox_with(SandboxOptions {
        extra_numbers: fleet as usize,
        usage_floor,
        ..SandboxOptions::default()
    })
    .await
}

/// A sandbox on a free loopback port.
async fn sandbox_with(options: SandboxOptions) -> RunningSandbox {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    sandbox::start(listener, options).unwrap()
}

fn local_store(data: &tempfile::TempDir) -> wareg::ledger::Store {
    wareg::ledger::Store::Local(Arc::new(wareg::ledger::LocalTrail::in_dir(data.path())))
}

/// Quits `s` and hands back its sandbox and data dir for the next start.
async fn quit(s: Session) -> (RunningSandbox, tempfile::TempDir) {
    s.press(KeyCode::Char('q'));
    s.task.await.unwrap().unwrap();
    (s.sandbox, s.data)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_start_on_the_same_data_dir_reads_no_storage_it_knows() {
    let sandbox = fleet_sandbox(40, 0).await;
    let config = fleet_config(&sandbox, 40);
    let mut s = Session::start_with(120, 40, config.clone(), sandbox).await;
    s.wait_for("the first start", |f| {
        settled(f) && Session::line_with(f, "Fleet 00001").contains("off")
    })
    .await;
    assert_eq!(
        storage_reads(&s),
        40,
        "the first start reads each storage once"
    );
    let (sandbox, data) = quit(s).await;
    assert!(
        data.path().join("storage.jsonl").exists(),
        "what it read is kept in the data dir"
    );
    let before = sandbox.received().len();
    let store = local_store(&data);
    let mut s = Session::start_on(120, 40, config, sandbox, store, data).await;
    let frame = s
        .wait_for("the second start", |f| {
            settled(f) && f.contains("numbers listed")
        })
        .await;
    assert!(
        Session::line_with(&frame, "Fleet 00001").contains("off"),
        "the kept storage is shown: {frame}"
    );
    let second: Vec<String> = received_calls(&s)[before..].to_vec();
    assert!(
        second.iter().all(|c| c.ends_with("/phone_numbers")),
        "the second start costs the listing pages only: {second:?}"
    );
    assert!(!second.is_empty(), "the listing was read");
    s.press(KeyCode::Char('q'));
    s.task.await.unwrap().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_start_at_80_percent_usage_reads_no_storage_at_all() {
    let sandbox = fleet_sandbox(40, 80).await;
    let config = fleet_config(&sandbox, 40);
    let mut s = Session::start_with(120, 40, config, sandbox).await;
    let frame = s
        .wait_for("the start to hold its storage reads back", |f| {
            settled(f) && f.contains("80 % used")
        })
        .await;
    assert!(
        !Session::line_with(&frame, "Fleet 00001").contains("off"),
        "nothing was read: {frame}"
    );
    assert_eq!(storage_reads(&s), 0, "{:?}", received_calls(&s));
    // R spends nothing extra either; a person's F still reads (40 numbers: no question).
    s.press(KeyCode::Char('R'));
    s.wait_for("R to settle", |f| settled(f) && !f.contains("in flight"))
        .await;
    assert_eq!(storage_reads(&s), 0);
    s.press(KeyCode::Char('F'));
    s.wait_for("F to read", |f| {
        settled(f) && Session::line_with(f, "Fleet 00001").contains("off")
    })
    .await;
    assert_eq!(storage_reads(&s), 40, "F is a person's ask");
    s.press(KeyCode::Char('q'));
    s.task.await.unwrap().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_start_a_point_under_the_mark_leaves_that_point_to_its_listing() {
    // 74 %: under the mark, but the listing's pages still to come (300 configured numbers,
    // 4 pages, 100 ms each) are still to be paid, and the header shows whole points: the
    // start's storage reads, which go once the first page has answered, are held back.
    let sandbox = sandbox_with(SandboxOptions {
        extra_numbers: 300,
        usage_floor: 74,
        latency: Duration::from_millis(100),
        ..SandboxOptions::default()
    })
    .await;
    let config = fleet_config(&sandbox, 300);
    let mut s = Session::start_with(120, 40, config, sandbox).await;
    let frame = s
        .wait_for("the start to hold its storage reads back", |f| {
            settled(f) && f.contains("numbers listed") && f.contains("still to come")
        })
        .await;
    assert!(
        !Session::line_with(&frame, "Fleet 00001").contains("off"),
        "nothing was read: {frame}"
    );
    assert_eq!(storage_reads(&s), 0, "{:?}", received_calls(&s));
    // Long after the log's notice has scrolled away, the table's border says why.
    assert!(
        frame.contains("storage of 300 not read (74 % used): F reads it"),
        "{frame}"
    );
    s.press(KeyCode::Char('q'));
    s.task.await.unwrap().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fs_question_counts_in_the_budget_the_usage_header_has_shown() {
    // A WABA of 1,000 calls an hour, not the 5,000 a registered number's WABA is said to have:
    // the start's 122 calls showed about 10 a point.
    let sandbox = sandbox_with(SandboxOptions {
        extra_numbers: 120,
        call_budget: Some(sandbox::CallBudget {
            calls: 1_000,
            window: Duration::from_secs(3600),
        }),
        ..SandboxOptions::default()
    })
    .await;
    let config = fleet_config(&sandbox, 120);
    let mut s = Session::start_with(120, 40, config, sandbox).await;
    s.wait_for("the first start", |f| {
        settled(f) && Session::line_with(f, "Fleet 00001").contains("off")
    })
    .await;
    s.press(KeyCode::Char('F'));
    let frame = s
        .wait_for("the question", |f| f.contains("Read every storage?"))
        .await;
    // "(1,000 calls an hour, 12 % used)", the line wrapped anywhere after its number.
    let budget: u32 = frame
        .split("budget (")
        .nth(1)
        .and_then(|after| after.split(" calls").next())
        .map(|n| n.replace(',', ""))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no budget in the question: {frame}"));
    assert!(
        (800..=1_000).contains(&budget),
        "the budget as the header showed it, at most its true size: {budget} in {frame}"
    );
    s.press(KeyCode::Char('n'));
    s.press(KeyCode::Char('q'));
    s.task.await.unwrap().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn f_over_100_numbers_asks_first_with_the_cost() {
    let sandbox = fleet_sandbox(120, 0).await;
    let config = fleet_config(&sandbox, 120);
    let mut s = Session::start_with(120, 40, config, sandbox).await;
    s.wait_for("the first start", |f| {
        settled(f) && Session::line_with(f, "Fleet 00001").contains("off")
    })
    .await;
    let first = storage_reads(&s);
    assert_eq!(first, 120);
    s.press(KeyCode::Char('F'));
    let frame = s
        .wait_for("the question", |f| f.contains("Read every storage?"))
        .await;
    assert!(
        frame.contains("120 configured numbers: 120 calls"),
        "the cost in calls: {frame}"
    );
    assert!(
        frame.contains("% of what is left of the WABA's budget"),
        "and in what is left: {frame}"
    );
    assert_eq!(
        storage_reads(&s),
        first,
        "nothing is sent before the answer"
    );
    s.press(KeyCode::Char('n'));
    s.wait_for("the question to close", |f| {
        !f.contains("Read every storage?")
    })
    .await;
    assert_eq!(storage_reads(&s), first, "no sends nothing");
    s.press(KeyCode::Char('F'));
    s.wait_for("the question", |f| f.contains("Read every storage?"))
        .await;
    s.press(KeyCode::Char('y'));
    // 120 reads go in a few batches: F may be done before a frame shows it in flight.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while storage_reads(&s) < first + 120 && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    s.wait_for("F to settle", settled).await;
    assert_eq!(storage_reads(&s), first + 120, "yes reads them all");
    s.press(KeyCode::Char('q'));
    s.task.await.unwrap().unwrap();
}

/// Issue 28 item 3: the start's storage reads are answered by a few exchanges, not one each,
/// and no more of them are in flight than the budget allows: 8 while a read is half a point of
/// a 200-call hour, more (up to Graph's 50) once the usage header shows they fit in one point.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_starts_storage_reads_go_together_in_batches_the_budget_allows() {
    for (budget, fleet) in [(200, 40), (5_000, 300)] {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let sandbox = sandbox::start(
            listener,
            SandboxOptions {
                extra_numbers: fleet as usize,
                call_budget: Some(wareg::sandbox::CallBudget {
                    calls: budget,
                    window: Duration::from_secs(3600),
                }),
                ..SandboxOptions::default()
            },
        )
        .unwrap();
        let config = fleet_config(&sandbox, fleet);
        let mut s = Session::start_with(120, 40, config, sandbox).await;
        s.wait_for("the first start", |f| {
            settled(f) && Session::line_with(f, "Fleet 00001").contains("off")
        })
        .await;
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while storage_reads(&s) < fleet as usize && std::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert_eq!(storage_reads(&s), fleet as usize, "each storage read once");
        let batches = s.sandbox.batches();
        // A read alone is still one exchange: one may go alone when only one permit is free.
        let exchanges = batches.len() + (fleet as usize - batches.iter().sum::<usize>());
        assert!(
            exchanges <= fleet as usize / 8 + 4,
            "{fleet} reads in a few exchanges, not one each: batches {batches:?}"
        );
        let largest = batches.iter().copied().max().unwrap_or(0);
        if budget == 200 {
            assert!(largest <= 8, "a read is half a point here: {batches:?}");
        } else {
            assert!(
                (9..=50).contains(&largest),
                "50 reads are one point of 5,000: {batches:?}"
            );
        }
        s.press(KeyCode::Char('q'));
        s.task.await.unwrap().unwrap();
    }
}
