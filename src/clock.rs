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
    /// A fixed clock from an RFC 3339 time such as `2026-11-24T23:30:00Z` (tests and benches).
    pub fn fixed(rfc3339: &str) -> Result<Clock, chrono::ParseError> {
        DateTime::parse_from_rfc3339(rfc3339).map(Clock::Fixed)
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
            Clock::System => in_reader_zone(time),
            Clock::Fixed(at) => time.with_timezone(at.offset()),
        }
    }

    pub fn local_now(&self) -> DateTime<FixedOffset> {
        self.local(self.now())
    }
}

/// `time` in the zone a person reads times in: the local zone when `TZ` names one, else UTC.
/// A server's own zone is not the reader's (support staff log in from elsewhere), so it is
/// never guessed from /etc/localtime.
pub fn in_reader_zone(time: DateTime<Utc>) -> DateTime<FixedOffset> {
    match std::env::var_os("TZ") {
        Some(tz) if !tz.is_empty() => time.with_timezone(&Local).fixed_offset(),
        _ => time.fixed_offset(),
    }
}

/// The one way a time is written for a person, with its zone: "Sat 05 Dec 18:19 UTC"
/// ("Sat 05 Dec 19:19 +01:00" elsewhere). Plans, locks, budgets, details and the CLI all
/// use it, so a time read in one place is recognised in another.
pub fn words(time: DateTime<FixedOffset>) -> String {
    let zone = if time.offset().local_minus_utc() == 0 {
        "UTC".to_owned()
    } else {
        time.format("%:z").to_string()
    };
    format!("{} {zone}", time.format("%a %d %b %H:%M"))
}

/// [`words`] of a time in the reader's zone ([`in_reader_zone`]).
pub fn words_utc(time: DateTime<Utc>) -> String {
    words(in_reader_zone(time))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_time_is_written_one_way_with_its_zone() {
        let at: DateTime<Utc> = "2026-12-05T18:19:00Z".parse().unwrap();
        assert_eq!(words(at.fixed_offset()), "Sat 05 Dec 18:19 UTC");
        let paris = FixedOffset::east_opt(3600).unwrap();
        assert_eq!(words(at.with_timezone(&paris)), "Sat 05 Dec 19:19 +01:00");
        let kolkata = Clock::fixed("2026-12-05T23:49:00+05:30").unwrap();
        assert_eq!(words(kolkata.local(at)), "Sat 05 Dec 23:49 +05:30");
    }

    #[test]
    fn a_fixed_clock_reads_and_shows_its_own_time_whatever_the_time_zone() {
        let clock = Clock::fixed("2026-11-24T23:30:00+00:00").unwrap();
        assert_eq!(clock.now().to_rfc3339(), "2026-11-24T23:30:00+00:00");
        assert_eq!(clock.local_now().format("%H:%M:%S").to_string(), "23:30:00");
        let later: DateTime<Utc> = "2026-11-25T01:02:03Z".parse().unwrap();
        assert_eq!(
            clock.local(later).format("%a %H:%M").to_string(),
            "Wed 01:02"
        );
        let kolkata = Clock::fixed("2026-11-24T23:30:00+05:30").unwrap();
        assert_eq!(kolkata.local_now().format("%H:%M").to_string(), "23:30");
    }
}
