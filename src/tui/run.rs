//! The event loop: `select!` over queued messages (first), terminal events and, only while
//! something is in flight, a spinner tick. A change is drawn once its frame is due (`pace`: at
//! once after a quiet moment, then at most every 16 ms after a key and every 100 ms after the
//! worker's answers, which wait in the queue meanwhile and are applied together), so an idle
//! app sleeps and uses no CPU.

use futures::{Stream, StreamExt};
use ratatui::Terminal;
use ratatui::backend::Backend;
use ratatui::crossterm::event::Event;
use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};

use super::app::App;
use super::msg::{Cmd, Level, Msg};
use super::view;
use super::worker::Worker;

/// How often the spinner turns while something is in flight.
const TICK: Duration = Duration::from_millis(100);
/// How often a throttle's countdown in the title is redrawn.
const COUNTDOWN_TICK: Duration = Duration::from_secs(5);
pub use super::pace::FRAME_GAP;
use super::pace::Pace;

/// Counters the tests read: how often the loop woke and drew.
#[derive(Debug, Default)]
pub struct LoopStats {
    pub wakeups: AtomicU64,
    pub draws: AtomicU64,
}

pub struct LoopHooks {
    pub stats: Arc<LoopStats>,
    /// Receives the screen's text after every draw (tests wait on it and search it).
    pub frames: Option<UnboundedSender<String>>,
    /// Puts text on the clipboard (OSC 52 on a real terminal).
    pub copy: Box<dyn FnMut(&str) + Send>,
    /// Opens a URL in a browser (tests put a recorder here).
    pub open: Box<dyn FnMut(&str) + Send>,
}

pub async fn run_loop<B, S>(
    terminal: &mut Terminal<B>,
    app: &mut App,
    mut events: S,
    worker: &Worker,
    mut rx: UnboundedReceiver<Msg>,
    mut hooks: LoopHooks,
) -> io::Result<()>
where
    B: Backend,
    B::Error: std::error::Error + Send + Sync + 'static,
    S: Stream<Item = io::Result<Event>> + Unpin,
{
    let size = terminal.size().map_err(io::Error::other)?;
    app.size = (size.width, size.height);
    let start = app.start();
    dispatch(start, worker, &mut hooks);
    let mut ticker = tokio::time::interval(TICK);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    // A throttle's countdown is in minutes: a redraw every few seconds keeps it true.
    let mut countdown = tokio::time::interval(COUNTDOWN_TICK);
    countdown.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut pace = Pace::new();
    loop {
        if pace.due(tokio::time::Instant::now()) {
            let completed = terminal
                .draw(|frame| view::draw(frame, app))
                .map_err(io::Error::other)?;
            pace.drawn(tokio::time::Instant::now());
            hooks.stats.draws.fetch_add(1, Ordering::Relaxed);
            if let Some(frames) = &hooks.frames {
                let _ = frames.send(buffer_text(completed.buffer));
            }
        }
        if app.quit && !pace.dirty() {
            break;
        }
        let next_frame = pace.next_frame();
        let frame_at = next_frame.unwrap_or_else(tokio::time::Instant::now);
        let msg = tokio::select! {
            biased;
            // A change waits for its frame. Until then the worker's messages wait in the queue
            // (no wakeup each) and are applied together just before it is drawn.
            _ = tokio::time::sleep_until(frame_at), if next_frame.is_some() => {
                apply_queued(app, &mut rx, worker, &mut hooks);
                continue;
            }
            Some(msg) = rx.recv(), if !pace.dirty() => msg,
            event = events.next() => match event {
                Some(Ok(Event::Key(key))) => Msg::Key(key),
                Some(Ok(Event::Resize(w, h))) => Msg::Resize(w, h),
                Some(Ok(_)) => continue,
                Some(Err(e)) => return Err(e),
                // The terminal went away: nothing more can be typed.
                None => break,
            },
            _ = ticker.tick(), if app.busy() && !pace.dirty() => Msg::Tick,
            _ = countdown.tick(), if app.counting_down() && !pace.dirty() => Msg::Tick,
        };
        hooks.stats.wakeups.fetch_add(1, Ordering::Relaxed);
        if matches!(msg, Msg::Key(_) | Msg::Resize(..)) {
            pace.typed();
        } else {
            pace.changed();
        }
        let cmds = app.update(msg);
        dispatch(cmds, worker, &mut hooks);
        // Then what is already queued, as one update before the frame.
        apply_queued(app, &mut rx, worker, &mut hooks);
    }
    worker.cancel();
    // What was read of storage is kept for the next start (a moment at most).
    worker.flush_kept(Duration::from_millis(500)).await;
    Ok(())
}

/// Applies every message already queued, then writes the notices they made to the log file.
fn apply_queued(
    app: &mut App,
    rx: &mut UnboundedReceiver<Msg>,
    worker: &Worker,
    hooks: &mut LoopHooks,
) {
    while let Ok(msg) = rx.try_recv() {
        let cmds = app.update(msg);
        dispatch(cmds, worker, hooks);
    }
    write_log_lines(app);
}

/// The app's notices go to the log file here, outside `update`.
fn write_log_lines(app: &mut App) {
    for (level, text) in app.take_log_lines() {
        match level {
            Level::Error => tracing::warn!(target: "wareg::tui", "{text}"),
            _ => tracing::info!(target: "wareg::tui", "{text}"),
        }
    }
}

fn dispatch(cmds: Vec<Cmd>, worker: &Worker, hooks: &mut LoopHooks) {
    for cmd in cmds {
        match cmd {
            Cmd::Copy(text) => (hooks.copy)(&text),
            Cmd::Open(url) => (hooks.open)(&url),
            Cmd::Quit => worker.cancel(),
            other => worker.spawn(other),
        }
    }
}

/// The buffer as lines of text, for tests.
pub fn buffer_text(buffer: &ratatui::buffer::Buffer) -> String {
    let area = buffer.area;
    let mut out = String::with_capacity((area.width as usize + 1) * area.height as usize);
    for y in area.top()..area.bottom() {
        for x in area.left()..area.right() {
            out.push_str(buffer[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}
