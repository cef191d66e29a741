//! A progress line on stderr for work that takes a while: drawn only when stderr is a terminal
//! and only once the work has run for `SHOW_AFTER`, so quick commands, pipes, scripts and
//! `--json` see nothing of it. It shows counts and elapsed time, never a secret: callers pass
//! words and numbers, not what they send.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

/// Work shorter than this finishes without a progress line flashing by.
pub const SHOW_AFTER: Duration = Duration::from_secs(1);

/// How often the line redraws (its elapsed time moves even when no count does).
const TICK: Duration = Duration::from_millis(200);

pub struct Progress {
    bar: ProgressBar,
    /// Dropping the sender tells the timer thread that the work ended before `SHOW_AFTER`.
    cancel: Option<mpsc::Sender<()>>,
    timer: Option<JoinHandle<()>>,
}

impl Progress {
    /// A spinner with `message`, shown after `SHOW_AFTER` when stderr is a terminal.
    pub fn spinner(message: impl Into<String>) -> Progress {
        Progress::start(None, "{spinner} {msg} · {elapsed}", message.into())
    }

    /// A count towards `total` with `message`, under the same conditions.
    pub fn counter(total: u64, message: impl Into<String>) -> Progress {
        Progress::start(
            Some(total),
            "{spinner} {msg} {pos}/{len} · {elapsed}",
            message.into(),
        )
    }

    /// Never drawn; lines still go to stderr through [`Progress::eprintln`].
    pub fn hidden() -> Progress {
        Progress {
            bar: ProgressBar::hidden(),
            cancel: None,
            timer: None,
        }
    }

    fn start(total: Option<u64>, template: &str, message: String) -> Progress {
        // The bar exists either way, so callers never ask whether it is shown; it starts
        // hidden and only the timer below gives it the terminal.
        let bar = ProgressBar::with_draw_target(total, ProgressDrawTarget::hidden());
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style);
        }
        bar.set_message(message);
        if !std::io::stderr().is_terminal() {
            return Progress {
                bar,
                cancel: None,
                timer: None,
            };
        }
        let (cancel, cancelled) = mpsc::channel::<()>();
        let shown = bar.clone();
        let timer = std::thread::spawn(move || {
            if cancelled.recv_timeout(SHOW_AFTER) == Err(mpsc::RecvTimeoutError::Timeout) {
                shown.set_draw_target(ProgressDrawTarget::stderr());
                shown.enable_steady_tick(TICK);
            }
        });
        Progress {
            bar,
            cancel: Some(cancel),
            timer: Some(timer),
        }
    }

    pub fn inc(&self) {
        self.bar.inc(1);
    }

    /// Writes `line` to stderr above the progress line, which is drawn again after it: the
    /// two never share a terminal row.
    pub fn eprintln(&self, line: &str) {
        // `suspend` holds the bar while the line is written, even while it is still hidden
        // and the timer is about to show it.
        self.bar.suspend(|| eprintln!("{line}"));
    }

    /// Something that sets the message from another thread (an HTTP client's observer).
    pub fn messenger(&self) -> impl Fn(String) + Send + Sync + 'static {
        let bar = self.bar.clone();
        move |message| bar.set_message(message)
    }

    /// Clears the line, before what the command prints next: nothing of it stays.
    pub fn finish(self) {
        drop(self);
    }

    fn stop(&mut self) {
        drop(self.cancel.take());
        if let Some(timer) = self.timer.take() {
            let _ = timer.join();
        }
        self.bar.finish_and_clear();
    }
}

impl Drop for Progress {
    /// An early return (`?`) clears the line too, before the error is printed.
    fn drop(&mut self) {
        self.stop();
    }
}
