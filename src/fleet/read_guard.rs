//! Meta's per-WABA call budget guards every read no person asked for (the usage header says
//! how much is spent): from [`HIGH_WATER`] the start's storage reads, the background re-reads
//! of old storage and a full read of storage nobody confirmed stop; from [`PERSON_ONLY`] only
//! what a person asked for goes out. Reads that plan a mutation, or read back after one, are
//! never stopped: they are what a mutation needs to be safe.

/// From this share of the budget (percent) only what a person asked for is spent.
pub const HIGH_WATER: u32 = 75;
/// From this share, the reads the app makes on its own stop too.
pub const PERSON_ONLY: u32 = 90;

/// Who wants a read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Asker {
    /// The start reads what is not known.
    Start,
    /// A few old storage values re-read at a time, unasked.
    Background,
    /// `R`: the listing a person asked for; its storage reads of what is not known are
    /// extra.
    Refresh,
    /// A person asked for this read itself (details, a confirmed or small `F`, `--storage
    /// --yes`).
    Person,
    /// A mutation's plan or its read-back.
    Mutation,
}

/// What is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadKind {
    /// One `/settings` per number.
    Storage,
    /// One number's status (configured numbers the listing did not return).
    Number,
}

/// Whether `asker`'s read of `kind` may go out at `usage` percent (unknown: it may).
pub fn allows(asker: Asker, kind: ReadKind, usage: Option<u32>) -> bool {
    let usage = usage.unwrap_or(0);
    match (asker, kind) {
        (Asker::Mutation | Asker::Person, _) => true,
        (Asker::Start | Asker::Background | Asker::Refresh, ReadKind::Storage) => {
            usage < HIGH_WATER
        }
        (Asker::Start | Asker::Background, ReadKind::Number) => usage < PERSON_ONLY,
        (Asker::Refresh, ReadKind::Number) => true,
    }
}

/// The percent a read nobody asked for is weighed at while a listing is in flight: what the
/// header says and the points the listing's `pages_left` will take at `calls_per_point`. The
/// listing is the start's own cost and is never held back: reads sent beside it stop where
/// they would have had it ended first. Until a call's share is learnt (None) a point is
/// taken to hold [`LISTING_CALLS_PER_POINT`] calls.
pub fn with_listing_to_come(
    usage: Option<u32>,
    pages_left: u64,
    calls_per_point: Option<u64>,
) -> Option<u32> {
    let usage = usage?;
    // Never more than a point of Meta's largest WABA budget: a header that rose slowly
    // (another budget's, or a server's lie) does not shrink the room.
    let per_point = calls_per_point
        .unwrap_or(LISTING_CALLS_PER_POINT)
        .clamp(1, LISTING_CALLS_PER_POINT);
    let points = pages_left.div_ceil(per_point);
    Some(usage.saturating_add(u32::try_from(points).unwrap_or(u32::MAX)))
}

/// A point of a WABA with a registered number (5,000 calls an hour, facts §6): a listing of
/// many pages is of such a WABA (one with 200 has no registered number, so a few numbers).
pub const LISTING_CALLS_PER_POINT: u64 = 50;

/// "Meta's call budget is 80 % used".
pub fn usage_words(usage: u32) -> String {
    format!("Meta's call budget is {usage} % used")
}

/// The calls a WABA may make in Meta's hour: 5,000 once a number of it is registered, 200
/// before (facts §6).
pub fn waba_budget(any_registered: bool) -> u32 {
    if any_registered { 5_000 } else { 200 }
}

/// The calls a WABA may make in Meta's hour, as far as wareg can tell: what the usage header
/// has shown one point to hold (`calls_per_point`, the header says only the percent), else
/// what facts §6 say of a WABA with (or without) a registered number.
pub fn budget_of(calls_per_point: Option<u64>, any_registered: bool) -> u32 {
    match calls_per_point {
        // At most Meta's largest WABA budget: a header that rose slowly (another budget's,
        // or a server's lie) never makes the reads look cheaper than they are.
        Some(per_point) if per_point > 0 => u32::try_from(per_point.saturating_mul(100))
            .unwrap_or(u32::MAX)
            .min(waba_budget(true)),
        _ => waba_budget(any_registered),
    }
}

/// The calls left of `budget` at `usage` percent used (unknown: none used).
fn calls_left(usage: Option<u32>, budget: u32) -> u64 {
    let used = usage.unwrap_or(0).min(100);
    u64::from(budget) * u64::from(100 - used) / 100
}

/// [`budget_of`] the WABA `rows` belong to: one with a registered (connected) number has
/// 5,000 calls an hour until the header shows otherwise.
pub fn budget_of_rows(rows: &[super::Row], calls_per_point: Option<u64>) -> u32 {
    let any_registered = rows.iter().any(|r| {
        r.known_number()
            .is_some_and(|n| n.status == Some(crate::graph::types::NumberStatus::Connected))
    });
    budget_of(calls_per_point, any_registered)
}

/// What happens when `calls` are more than is left of the budget, for a person to read
/// before confirming; None when they fit.
pub fn overrun_words(calls: usize, usage: Option<u32>, budget: u32) -> Option<&'static str> {
    (calls as u64 > calls_left(usage, budget)).then_some(
        "That is more than is left: once it is spent Meta refuses every call of this WABA \
         (80008) for up to an hour, registers and other tools too, and the rest is not read",
    )
}

/// "20,010 calls, about 400 % of what is left of the WABA's budget (5,000 calls an hour, 0 %
/// used)": the cost of reading `calls` storages, for a person to confirm.
pub fn cost_words(calls: usize, usage: Option<u32>, budget: u32) -> String {
    let share = match calls_left(usage, budget) {
        0 => "more than is left of the WABA's budget".to_owned(),
        left => format!(
            "about {} % of what is left of the WABA's budget",
            crate::plural::thousands((calls as u64 * 100).div_ceil(left))
        ),
    };
    let used = match usage {
        Some(u) => format!("{u} % used"),
        None => "use not reported yet".to_owned(),
    };
    format!(
        "{} calls, {share} ({} calls an hour, {used})",
        crate::plural::thousands(calls as u64),
        crate::plural::thousands(u64::from(budget))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listing_still_to_come_counts_as_spent_by_the_points_its_pages_take() {
        // 5,000 calls an hour: 50 a point; 105 pages to come are 3 points.
        assert_eq!(with_listing_to_come(Some(73), 105, Some(50)), Some(76));
        assert!(!allows(
            Asker::Start,
            ReadKind::Storage,
            with_listing_to_come(Some(73), 105, Some(50))
        ));
        assert_eq!(with_listing_to_come(Some(73), 0, Some(50)), Some(73));
        // 200 an hour: 2 calls a point; 10 pages are 5 points.
        assert_eq!(with_listing_to_come(Some(10), 10, Some(2)), Some(15));
        // Not learnt yet: 50 calls a point, so a 20k start's 201 pages are 5 points: a start
        // at 0 % reads, a second start at 74 % does not.
        assert_eq!(with_listing_to_come(Some(0), 201, None), Some(5));
        assert!(!allows(
            Asker::Start,
            ReadKind::Storage,
            with_listing_to_come(Some(74), 201, None)
        ));
        assert_eq!(with_listing_to_come(Some(10), 201, Some(0)), Some(211));
        // Nothing reported: nothing to weigh.
        assert_eq!(with_listing_to_come(None, 105, Some(50)), None);
    }

    #[test]
    fn the_mark_stops_unasked_reads_first_and_never_a_mutations() {
        for asker in [Asker::Start, Asker::Background, Asker::Refresh] {
            assert!(allows(asker, ReadKind::Storage, Some(74)));
            assert!(allows(asker, ReadKind::Storage, None));
            assert!(!allows(asker, ReadKind::Storage, Some(75)), "{asker:?}");
        }
        assert!(allows(Asker::Start, ReadKind::Number, Some(89)));
        assert!(!allows(Asker::Start, ReadKind::Number, Some(90)));
        assert!(allows(Asker::Refresh, ReadKind::Number, Some(99)));
        for asker in [Asker::Person, Asker::Mutation] {
            assert!(allows(asker, ReadKind::Storage, Some(100)));
        }
    }

    #[test]
    fn the_cost_is_said_in_calls_and_in_what_is_left() {
        let words = cost_words(20_010, Some(0), waba_budget(true));
        assert!(
            words.starts_with("20,010 calls, about 401 % of what is left"),
            "{words}"
        );
        assert!(words.contains("5,000 calls an hour, 0 % used"), "{words}");
        assert!(cost_words(150, Some(50), 200).contains("about 150 %"));
        assert!(cost_words(150, Some(100), 200).contains("more than is left"));
        assert!(cost_words(20_000, Some(74), 5_000).contains("about 1,539 %"));
    }

    #[test]
    fn the_budget_is_what_the_header_showed_a_point_to_hold_and_an_overrun_is_said() {
        assert_eq!(budget_of(Some(10), true), 1_000, "learnt beats the guess");
        assert_eq!(budget_of(None, true), 5_000);
        assert_eq!(budget_of(None, false), 200);
        assert_eq!(budget_of(Some(0), false), 200);
        assert_eq!(
            budget_of(Some(100_000), true),
            5_000,
            "never above Meta's largest"
        );
        assert_eq!(
            with_listing_to_come(Some(70), 201, Some(100_000)),
            Some(75),
            "a point never holds more than 50 calls"
        );
        assert_eq!(overrun_words(250, Some(75), 1_000), None, "250 fit in 25 %");
        assert!(
            overrun_words(251, Some(75), 1_000)
                .unwrap()
                .contains("80008")
        );
    }
}
