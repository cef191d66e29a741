//! The real binary in a pseudo-terminal: keys in as bytes, the screen out through a vt100
//! parser (never the raw stream, since ratatui redraws only changed cells).

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::*;

pub const ROWS: u16 = 40;
pub const COLS: u16 = 120;

pub struct Pty {
    pub master: Box<dyn MasterPty + Send>,
    pub writer: Box<dyn Write + Send>,
    pub child: Box<dyn Child + Send + Sync>,
    pub screen: Arc<Mutex<vt100::Parser>>,
    pub raw: Arc<Mutex<Vec<u8>>>,
    /// Set when the reader has seen the end of the output (the program and its pty closed).
    drained: Arc<AtomicBool>,
}

impl Pty {
    /// The TUI against the rig's sandbox and data dir.
    pub fn spawn(rig: &Rig, extra_env: &[(&str, &str)]) -> Pty {
        let mut env: Vec<(String, String)> = rig.env(&[]);
        env.extend(
            extra_env
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string())),
        );
        Pty::spawn_with_env(&env, &[])
    }

    /// wareg with `args` (none: the TUI) against the rig.
    pub fn spawn_args(rig: &Rig, args: &[&str]) -> Pty {
        Pty::spawn_with_env(&rig.env(&[]), args)
    }

    /// The TUI against the rig, started in `dir` (where its exports go first).
    pub fn spawn_in(rig: &Rig, dir: &Path) -> Pty {
        Pty::spawn_with_env_in(&rig.env(&[]), &[], Some(dir))
    }

    /// wareg with `args` and exactly this environment for its config, data dir and token.
    pub fn spawn_with_env(env: &[(String, String)], args: &[&str]) -> Pty {
        Pty::spawn_with_env_in(env, args, None)
    }

    fn spawn_with_env_in(env: &[(String, String)], args: &[&str], cwd: Option<&Path>) -> Pty {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows: ROWS,
                cols: COLS,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("a pty");
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_wareg"));
        cmd.args(args);
        cmd.env("TERM", "xterm-256color");
        if let Some(dir) = cwd {
            cmd.cwd(dir);
        }
        for (k, v) in env {
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
        let drained = Arc::new(AtomicBool::new(false));
        let done = drained.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                s.lock().unwrap().process(&buf[..n]);
                r.lock().unwrap().extend_from_slice(&buf[..n]);
            }
            done.store(true, Ordering::Release);
        });
        let writer = pair.master.take_writer().unwrap();
        Pty {
            master: pair.master,
            writer,
            child,
            screen,
            raw,
            drained,
        }
    }

    pub fn send(&mut self, bytes: &str) {
        self.writer.write_all(bytes.as_bytes()).unwrap();
        self.writer.flush().unwrap();
    }

    /// Sends keys one at a time, each usually read as its own key press. A lone Esc must be
    /// the last key of a call: followed by another byte in the same read it is Alt+that key,
    /// so callers wait for the screen to show the Esc before sending more.
    pub fn keys(&mut self, keys: &[&str]) {
        assert!(
            !keys
                .split_last()
                .is_some_and(|(_, rest)| rest.contains(&ESC)),
            "Esc must be the last key sent in one call"
        );
        for key in keys {
            self.send(key);
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Makes the terminal `cols` x `rows`: the parser first, so the redraw the app makes on
    /// the resize lands in a screen of the new size.
    pub fn resize(&self, cols: u16, rows: u16) {
        self.screen.lock().unwrap().set_size(
            NonZeroU16::new(rows).unwrap(),
            NonZeroU16::new(cols).unwrap(),
        );
        self.master
            .resize(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("the pty resizes");
    }

    pub fn contents(&self) -> String {
        self.screen.lock().unwrap().screen().contents()
    }

    pub fn wait_for(&self, what: &str, check: impl Fn(&str) -> bool) -> String {
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

    pub fn wait_exit(&mut self) -> portable_pty::ExitStatus {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                // What the process wrote last is read once the reader reaches the end of the
                // output, which follows the exit; wait for that rather than for a guessed time.
                while !self.drained.load(Ordering::Acquire) && Instant::now() < deadline {
                    std::thread::sleep(Duration::from_millis(10));
                }
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

    /// Echo and canonical mode are on, as a shell needs them.
    pub fn assert_echo_on(&self) {
        #[cfg(unix)]
        {
            use nix::sys::termios::LocalFlags;
            let termios = self.master.get_termios().expect("the pty's attributes");
            assert!(
                termios.local_flags.contains(LocalFlags::ECHO),
                "echo is still off"
            );
            assert!(
                termios.local_flags.contains(LocalFlags::ICANON),
                "canonical mode is off"
            );
        }
    }

    /// The terminal is as the app found it: main screen, cursor visible, no mouse capture,
    /// canonical mode and echo back on.
    pub fn assert_restored(&self) {
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

pub const ENTER: &str = "\r";
pub const TAB: &str = "\t";
pub const ESC: &str = "\x1b";
pub const CTRL_C: &str = "\x03";

/// The screen line that holds `needle`.
pub fn row<'a>(screen: &'a str, needle: &str) -> &'a str {
    screen.lines().find(|l| l.contains(needle)).unwrap_or("")
}

impl Pty {
    /// Everything the program wrote, as text.
    pub fn output(&self) -> String {
        String::from_utf8_lossy(&self.raw.lock().unwrap()).into_owned()
    }
}
