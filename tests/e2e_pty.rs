//! End to end: the real binary in a pseudo-terminal against the sandbox on loopback. Keys go in
//! as bytes; assertions read the screen as a vt100 parser sees it, never the raw stream. After
//! every exit the terminal must be given back: main screen, cursor shown, raw mode off.

mod common;

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::*;

const ROWS: u16 = 40;
const COLS: u16 = 120;

struct Pty {
    master: Box<dyn MasterPty + Send>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn Child + Send + Sync>,
    screen: Arc<Mutex<vt100::Parser>>,
    raw: Arc<Mutex<Vec<u8>>>,
}

impl Pty {
    fn spawn(rig: &Rig, extra_env: &[(&str, &str)]) -> Pty {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows: ROWS,
                cols: COLS,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("a pty");
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_wareg"));
        cmd.env("WAREG_CONFIG", rig.config.display().to_string());
        cmd.env("WAREG_DATA_DIR", rig.data_dir().display().to_string());
        cmd.env(TOKEN_VAR, &rig.token);
        cmd.env("TERM", "xterm-256color");
        for (k, v) in extra_env {
            cmd.env(k, v);
        }
        let child = pair
            .slave
            .spawn_command(cmd)
            .expect("wareg starts in the pty");
        drop(pair.slave);
        let screen = Arc::new(Mutex::new(vt100::Parser::new(
            NonZeroU16::new(ROWS).unwrap(),
            NonZeroU16::new(COLS).unwrap(),
            0,
        )));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let mut reader = pair.master.try_clone_reader().unwrap();
        let (s, r) = (screen.clone(), raw.clone());
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                s.lock().unwrap().process(&buf[..n]);
                r.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        let writer = pair.master.take_writer().unwrap();
        Pty {
            master: pair.master,
            writer,
            child,
            screen,
            raw,
        }
    }

    fn send(&mut self, bytes: &str) {
        self.writer.write_all(bytes.as_bytes()).unwrap();
        self.writer.flush().unwrap();
    }

    /// Sends keys one at a time so each is read as its own key press.
    fn keys(&mut self, keys: &[&str]) {
        for key in keys {
            self.send(key);
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn contents(&self) -> String {
        self.screen.lock().unwrap().screen().contents()
    }

    fn wait_for(&self, what: &str, check: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let screen = self.contents();
            if check(&screen) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    fn wait_exit(&mut self) -> portable_pty::ExitStatus {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                // Let the reader drain what the process wrote last.
                std::thread::sleep(Duration::from_millis(200));
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "wareg did not exit; screen:\n{}",
                self.contents()
            );
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    /// The terminal is as the app found it: main screen, cursor visible, no mouse capture,
    /// canonical mode and echo back on.
    fn assert_restored(&self) {
        let parser = self.screen.lock().unwrap();
        let screen = parser.screen();
        assert!(!screen.alternate_screen(), "still on the alternate screen");
        assert!(!screen.hide_cursor(), "the cursor is still hidden");
        assert_eq!(screen.mouse_protocol_mode(), vt100::MouseProtocolMode::None);
        let raw = self.raw.lock().unwrap();
        let text = String::from_utf8_lossy(&raw);
        let entered = text
            .find("\x1b[?1049h")
            .expect("entered the alternate screen");
        let left = text
            .rfind("\x1b[?1049l")
            .expect("left the alternate screen");
        assert!(left > entered);
        #[cfg(unix)]
        {
            use nix::sys::termios::LocalFlags;
            if let Some(termios) = self.master.get_termios() {
                assert!(
                    termios.local_flags.contains(LocalFlags::ICANON),
                    "raw mode is still on"
                );
                assert!(
                    termios.local_flags.contains(LocalFlags::ECHO),
                    "echo is still off"
                );
            }
        }
    }
}

const ENTER: &str = "\r";
const TAB: &str = "\t";
const ESC: &str = "\x1b";
const CTRL_C: &str = "\x03";

fn row<'a>(screen: &'a str, needle: &str) -> &'a str {
    screen.lines().find(|l| l.contains(needle)).unwrap_or("")
}

#[test]
fn register_then_deregister_through_the_tui() {
    let rig = Rig::new("v25.0");
    let mut pty = Pty::spawn(&rig, &[]);
    pty.wait_for("the numbers", |s| {
        row(s, "Sales UK").contains("PENDING") && row(s, "Support DE").contains("CONNECTED")
    });

    // Sales UK: register with a PIN and GB storage picked from the dropdown.
    pty.keys(&["g", "r"]);
    pty.wait_for("the register form", |s| {
        s.contains("Register 106540352242923")
    });
    pty.keys(&["2", "4", "6", "8", "0", "2", TAB, ENTER]);
    pty.wait_for("the dropdown", |s| s.contains("letters jump"));
    pty.keys(&["g", ENTER]);
    pty.wait_for("GB chosen", |s| s.contains("GB  United Kingdom"));
    pty.keys(&[TAB, ENTER]);
    pty.wait_for("Sales UK connected", |s| {
        !s.contains("Register 1065")
            && row(s, "Sales UK").contains("CONNECTED")
            && row(s, "Sales UK").contains("GB")
    });

    // Then deregister it, typing the last four digits (+44 20 7946 0123).
    pty.keys(&["d"]);
    pty.wait_for("the deregister confirmation", |s| {
        s.contains("Deregister 106540352242923")
    });
    pty.keys(&["0", "1", "2", "3", TAB, ENTER]);
    pty.wait_for("Sales UK disconnected", |s| {
        !s.contains("Deregister 1065") && row(s, "Sales UK").contains("DISCONNECTED")
    });

    let posts: Vec<String> = rig
        .sandbox
        .received()
        .into_iter()
        .filter(|r| r.method == "POST")
        .map(|r| r.path)
        .collect();
    assert_eq!(
        posts,
        [
            "/v25.0/106540352242923/settings",
            "/v25.0/106540352242923/register",
            "/v25.0/106540352242923/deregister"
        ]
    );
    pty.keys(&["q"]);
    let status = pty.wait_exit();
    assert!(status.success(), "{status:?}");
    pty.assert_restored();
    let audit = read(&rig.audit_path());
    assert_eq!(
        audit.lines().count(),
        6,
        "intent and outcome of three calls: {audit}"
    );
}

#[test]
fn ctrl_c_quits_cleanly_while_a_request_is_in_flight() {
    let rig = Rig::with(
        "v25.0",
        wareg::sandbox::SandboxOptions {
            slow_for: Duration::from_secs(30),
            ..Default::default()
        },
    );
    rig.write_config("v25.0", 30);
    let mut pty = Pty::spawn(&rig, &[]);
    pty.wait_for("the numbers", |s| {
        row(s, "Support DE").contains("CONNECTED")
    });
    // Set a PIN on the slow number: the answer takes 30 s.
    pty.keys(&["/"]);
    pty.send("106540352242931");
    pty.keys(&[ENTER]);
    pty.wait_for("the filtered row", |s| s.contains("Numbers (1 of"));
    pty.keys(&["p"]);
    pty.wait_for("the PIN form", |s| {
        s.contains("Two-step PIN 106540352242931")
    });
    pty.keys(&[
        "2", "4", "6", "8", "1", "0", TAB, "2", "4", "6", "8", "1", "0", TAB, ENTER,
    ]);
    pty.wait_for("the request in flight", |s| s.contains("sending"));
    let started = Instant::now();
    pty.send(CTRL_C);
    let status = pty.wait_exit();
    assert!(status.success(), "{status:?}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "quit did not wait for the slow answer"
    );
    pty.assert_restored();
    let audit = read(&rig.audit_path());
    assert!(
        audit.contains("\"phase\":\"intent\""),
        "the attempt was recorded before it was sent: {audit}"
    );
}

#[test]
fn q_typed_into_a_field_does_not_quit_and_esc_closes_the_form() {
    let rig = Rig::new("v25.0");
    let mut pty = Pty::spawn(&rig, &[]);
    pty.wait_for("the numbers", |s| {
        row(s, "Support DE").contains("CONNECTED")
    });
    pty.keys(&["p", "q", "?", "d", "1"]);
    let screen = pty.wait_for("one digit in the PIN field", |s| s.contains("•_____"));
    assert!(screen.contains("Two-step PIN"));
    pty.keys(&[ESC]);
    pty.wait_for("the form closed", |s| !s.contains("Two-step PIN 1065"));
    pty.keys(&["q"]);
    assert!(pty.wait_exit().success());
    pty.assert_restored();
}

#[test]
fn a_panic_restores_the_terminal() {
    let rig = Rig::new("v25.0");
    let mut pty = Pty::spawn(&rig, &[("WAREG_TEST_PANIC", "1")]);
    let status = pty.wait_exit();
    assert!(!status.success());
    pty.assert_restored();
    let text = String::from_utf8_lossy(&pty.raw.lock().unwrap()).into_owned();
    let entered = text.find("\x1b[?1049h").unwrap();
    let restored_at = entered + text[entered..].find("\x1b[?1049l").unwrap();
    let message_at = text
        .find("deliberate panic")
        .expect("the panic message is shown");
    assert!(
        restored_at < message_at,
        "the terminal is restored before the message is printed"
    );
}

#[test]
fn a_config_error_is_reported_before_the_terminal_is_taken() {
    let rig = Rig::new("v25.0");
    std::fs::write(&rig.config, "[profiles.p]\ntoken_env = \"T\"\nbogus = 1\n").unwrap();
    let mut pty = Pty::spawn(&rig, &[]);
    let status = pty.wait_exit();
    assert_eq!(status.exit_code(), 2);
    let text = String::from_utf8_lossy(&pty.raw.lock().unwrap()).into_owned();
    assert!(
        !text.contains("\x1b[?1049h"),
        "the alternate screen was never entered"
    );
    assert!(
        pty.contents().contains(":3:1: unknown field `bogus`"),
        "{}",
        pty.contents()
    );
}
