//! When the loop draws: a change a person made (a key, a resize) is drawn at most `FRAME_GAP`
//! after the last frame; a change only the worker made (answers, notices, the spinner) waits
//! `QUIET_GAP`, so that the answers that arrive meanwhile are applied together and drawn in one
//! frame. A start's thousands of storage answers (8 in flight) were drawn up to 60 times a
//! second, and drawing was half of the TUI's CPU per answer (issue 28, BENCHMARKS.md).

use std::time::Duration;
use tokio::time::Instant;

/// The least time between two frames after a key. A key after a quiet moment is drawn at once.
pub const FRAME_GAP: Duration = Duration::from_millis(16);
/// The least time between two frames that only the worker asked for: the spinner's pace, so
/// answers ride along with the frames a busy app draws anyway.
pub const QUIET_GAP: Duration = Duration::from_millis(100);

/// What the loop has to draw and when it last did.
#[derive(Debug, Default)]
pub struct Pace {
    drawn_at: Option<Instant>,
    /// Something changed since the last frame.
    dirty: bool,
    /// A person changed it (a key or a resize): drawn on the short gap.
    typed: bool,
}

impl Pace {
    /// Nothing drawn yet: the first frame is due at once.
    pub fn new() -> Pace {
        Pace {
            dirty: true,
            ..Pace::default()
        }
    }

    /// The worker changed something.
    pub fn changed(&mut self) {
        self.dirty = true;
    }

    /// A person changed something.
    pub fn typed(&mut self) {
        self.dirty = true;
        self.typed = true;
    }

    pub fn dirty(&self) -> bool {
        self.dirty
    }

    /// When the next frame may be drawn (before the first, any time is); None when nothing
    /// waits to be drawn.
    pub fn next_frame(&self) -> Option<Instant> {
        if !self.dirty {
            return None;
        }
        let gap = if self.typed { FRAME_GAP } else { QUIET_GAP };
        Some(self.drawn_at.map_or(Instant::now(), |at| at + gap))
    }

    /// Whether a frame is due at `now`.
    pub fn due(&self, now: Instant) -> bool {
        match (self.dirty, self.drawn_at) {
            (false, _) => false,
            (true, None) => true,
            (true, Some(_)) => self.next_frame().is_some_and(|at| at <= now),
        }
    }

    /// A frame was drawn at `now`.
    pub fn drawn(&mut self, now: Instant) {
        self.drawn_at = Some(now);
        self.dirty = false;
        self.typed = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    /// Frames drawn when a change comes every `every` for `over`, each a key or not.
    fn frames(every: Duration, over: Duration, typed: bool) -> usize {
        let start = Instant::now();
        let mut pace = Pace::new();
        pace.drawn(start);
        let mut drawn = 0;
        let mut now = start;
        while now < start + over {
            now += every;
            if typed {
                pace.typed();
            } else {
                pace.changed();
            }
            if pace.due(now) {
                pace.drawn(now);
                drawn += 1;
            }
        }
        drawn
    }

    #[test]
    fn answers_that_come_together_are_drawn_together() {
        // 160 answers a second (8 in flight at 50 ms) for a second: ten frames, not sixty.
        assert_eq!(frames(Duration::from_micros(6_250), 1_000 * MS, false), 10);
    }

    #[test]
    fn keys_are_drawn_on_the_short_gap_and_a_key_after_quiet_at_once() {
        // A key every 4 ms for 160 ms: a frame every FRAME_GAP.
        assert_eq!(frames(4 * MS, 160 * MS, true), 10);
        let start = Instant::now();
        let mut pace = Pace::new();
        // Asked with a time taken before it was made: still due.
        assert!(pace.due(start - 5 * MS), "the first frame is due at once");
        pace.drawn(start);
        assert_eq!(pace.next_frame(), None, "nothing to draw, no wakeup");
        // A key after a quiet moment.
        pace.typed();
        assert!(pace.due(start + 20 * MS));
        // An answer after it waits for the quiet gap; a key then shortens it again.
        pace.drawn(start + 20 * MS);
        pace.changed();
        assert!(!pace.due(start + 40 * MS));
        assert!(pace.due(start + 120 * MS));
        pace.typed();
        assert!(pace.due(start + 40 * MS));
    }
}
