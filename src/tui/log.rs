//! The log pane's model: a bounded ring buffer that drops the oldest entry, never the newest.

use chrono::{DateTime, FixedOffset};
use std::collections::VecDeque;
use std::time::Duration;

use super::msg::Level;
use crate::graph::CallEvent;

/// The pane keeps at least this many entries (issue 3).
pub const LOG_CAPACITY: usize = 10_000;

#[derive(Debug, Clone)]
pub struct LogEntry {
    /// When it happened, as the user reads it (the app's clock).
    pub time: DateTime<FixedOffset>,
    pub level: Level,
    pub text: String,
}

impl LogEntry {
    /// `POST /v25.0/1065/register 400 123ms  133005 Two-step PIN mismatch [fbtrace A1] ...`
    pub fn from_call(event: &CallEvent, time: DateTime<FixedOffset>) -> LogEntry {
        // A try with no HTTP status (a timeout, a dropped connection) says so in words.
        let status = |s: Option<u16>| s.map_or(NO_ANSWER.to_owned(), |s| s.to_string());
        let path = event.described_path();
        let mut text = if event.earlier.is_empty() {
            format!(
                "{} {} {} {}",
                event.method,
                path,
                status(event.status),
                millis(event.duration)
            )
        } else {
            // A read tried again: one line with every try's status and the time they took;
            // the same answer each time is said once ("no answer (3 tries, 0.5 s)").
            let mut statuses: Vec<String> = event
                .earlier
                .iter()
                .copied()
                .chain([event.status])
                .map(status)
                .collect();
            if statuses.windows(2).all(|pair| pair[0] == pair[1]) {
                statuses.truncate(1);
            }
            format!(
                "{} {}: {} ({} tries, {:.1} s)",
                event.method,
                path,
                statuses.join(", "),
                event.attempt,
                event.duration.as_secs_f64()
            )
        };
        let level = match &event.error {
            None => Level::Info,
            Some(e) => {
                text.push_str("  ");
                text.push_str(&e.short());
                if let Some(trace) = e.trace_id() {
                    text.push_str(&format!(" [fbtrace_id {trace}]"));
                }
                match e.graph().and_then(|g| g.catalogue()) {
                    Some(entry) => text.push_str(&format!(" {}", entry.explanation)),
                    None => {
                        if let Some(g) = e.graph() {
                            text.push_str(&format!(" {}", g.meta_says()));
                        }
                    }
                }
                Level::Error
            }
        };
        LogEntry { time, level, text }
    }

    pub fn notice(time: DateTime<FixedOffset>, level: Level, text: impl Into<String>) -> LogEntry {
        LogEntry {
            time,
            level,
            text: text.into(),
        }
    }
}

/// Where a call's status goes when the server gave none.
const NO_ANSWER: &str = "no answer";

fn millis(d: Duration) -> String {
    format!("{}ms", d.as_millis())
}

#[derive(Debug, Clone)]
pub struct LogBuffer {
    entries: VecDeque<LogEntry>,
    capacity: usize,
}

impl Default for LogBuffer {
    fn default() -> Self {
        LogBuffer::with_capacity(LOG_CAPACITY)
    }
}

impl LogBuffer {
    pub fn with_capacity(capacity: usize) -> Self {
        LogBuffer {
            entries: VecDeque::with_capacity(capacity.min(1024)),
            capacity: capacity.max(1),
        }
    }

    pub fn push(&mut self, entry: LogEntry) {
        if self.entries.len() == self.capacity {
            self.entries.pop_front();
        }
        self.entries.push_back(entry);
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn get(&self, index: usize) -> Option<&LogEntry> {
        self.entries.get(index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_read_tried_again_is_one_line_with_every_try() {
        let event = CallEvent {
            method: "GET",
            path: "/v25.0/1065".into(),
            status: Some(502),
            duration: Duration::from_millis(5_080),
            attempt: 3,
            earlier: vec![Some(502), None],
            error: None,
            sandbox: false,
            batch_of: 0,
            calls_per_point: None,
            usage: None,
            throttle: None,
        };
        let entry = LogEntry::from_call(&event, crate::clock::Clock::System.local_now());
        assert_eq!(
            entry.text,
            "GET /v25.0/1065: 502, no answer, 502 (3 tries, 5.1 s)"
        );
        // No answer to any try: said once, in words (it was "---, ---, ---").
        let dropped = CallEvent {
            status: None,
            earlier: vec![None, None],
            ..event
        };
        let entry = LogEntry::from_call(&dropped, crate::clock::Clock::System.local_now());
        assert_eq!(entry.text, "GET /v25.0/1065: no answer (3 tries, 5.1 s)");
    }

    #[test]
    fn a_full_buffer_drops_the_oldest_and_keeps_the_newest() {
        let mut log = LogBuffer::with_capacity(3);
        for i in 0..5 {
            log.push(LogEntry::notice(
                crate::clock::Clock::System.local_now(),
                Level::Info,
                format!("line {i}"),
            ));
        }
        let texts: Vec<_> = (0..log.len())
            .filter_map(|i| log.get(i))
            .map(|e| e.text.clone())
            .collect();
        assert_eq!(texts, ["line 2", "line 3", "line 4"]);
        assert_eq!(LogBuffer::default().capacity, LOG_CAPACITY);
    }
}
