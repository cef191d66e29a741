//! The clock the app reads: the system's, or a fixed instant in a fixed offset, so that what
//! is drawn (log times, "next frees up", lock ends) never depends on the hour or the time zone
//! a test happens to run in.

use chrono::{DateTime, FixedOffset, Local, Utc};

#[derive(Debug, Clone, Copy, Default)]
pub enum Clock {
    /// The system clock, shown in the local time zone.
    #[default]
    System,
    /// Always this instant, shown in its own offset.
    Fixed(DateTime<FixedOffset>),
}

impl Clock {
    /// A fixed clock from an RFC 3339 time such as `2026-11-24T23:30:00Z`; a bad literal is a
    /// bug in the caller (tests and benches), so it panics.
    pub fn fixed(rfc3339: &str) -> Clock {
        Clock::Fixed(DateTime::parse_from_rfc3339(rfc3339).expect("an RFC 3339 time"))
    }

    pub fn now(&self) -> DateTime<Utc> {
        match self {
            Clock::System => Utc::now(),
            Clock::Fixed(at) => at.with_timezone(&Utc),
        }
    }

    /// `time` as the user reads it: local time, or the fixed clock's offset.
    pub fn local(&self, time: DateTime<Utc>) -> DateTime<FixedOffset> {
        match self {
            Clock::System => time.with_timezone(&Local).fixed_offset(),
            Clock::Fixed(at) => time.with_timezone(at.offset()),
        }
    }

    pub fn local_now(&self) -> DateTime<FixedOffset> {
        self.local(self.now())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fixed_clock_reads_and_shows_its_own_time_whatever_the_time_zone() {
        let clock = Clock::fixed("2026-11-24T23:30:00+00:00");
        assert_eq!(clock.now().to_rfc3339(), "2026-11-24T23:30:00+00:00");
        assert_eq!(clock.local_now().format("%H:%M:%S").to_string(), "23:30:00");
        let later: DateTime<Utc> = "2026-11-25T01:02:03Z".parse().unwrap();
        assert_eq!(
            clock.local(later).format("%a %H:%M").to_string(),
            "Wed 01:02"
        );
        let kolkata = Clock::fixed("2026-11-24T23:30:00+05:30");
        assert_eq!(kolkata.local_now().format("%H:%M").to_string(), "23:30");
    }
}
