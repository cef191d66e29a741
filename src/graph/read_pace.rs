//! How many reads may be in flight at once (and so in one batch request): as many as the
//! usage header shows fit in one percentage point of the budget, so that reads sent together
//! pass a budget mark (the 75 % high-water mark, Meta's 100 %) by about 1 % at most. Meta's
//! WABA budget is 200 or 5,000 calls an hour (docs/graph-api-facts.md §6) and the header says
//! only the percent used, so the share of one read is learnt from the answers: the calls
//! answered since the first header against the points the percent rose meanwhile. Until the
//! header has shown that much, 8 (the reads one at a time always had in flight).

/// Reads in flight before the usage header says more may be.
pub const FLOOR: usize = 8;
/// Graph takes at most 50 requests in one batch.
pub const CEILING: usize = 50;
/// A rise of this many points tells a call's share of the budget.
pub const LEARNT_RISE: u64 = 2;
/// A fall of the percent by this many points or more is the moving window giving calls back.
const FALL_RESTARTS: u32 = 3;

#[derive(Debug, Default, Clone)]
pub struct ReadPace {
    /// Calls answered by this client (a batch's reads each).
    calls: u64,
    /// The percent used when counting began, and the calls answered by then. Reset when the
    /// percent falls by `FALL_RESTARTS` or more (calls left the window): the rise is counted
    /// from there.
    baseline: Option<(u32, u64)>,
    latest: u32,
}

impl ReadPace {
    /// `calls` more calls were answered, after which the header said `percent` was used (the
    /// highest of the budgets it named), if it said.
    pub fn answered(&mut self, calls: u64, percent: Option<u32>) {
        self.calls += calls;
        let Some(percent) = percent else {
            return;
        };
        match self.baseline {
            // Answers of calls in flight together come back in any order: one that set off
            // before the last may say a point or two less. A larger fall is the window
            // giving calls back: counting starts again from there.
            Some(_) if percent + FALL_RESTARTS <= self.latest => {
                self.baseline = Some((percent, self.calls));
                self.latest = percent;
            }
            Some(_) => self.latest = self.latest.max(percent),
            None => {
                self.baseline = Some((percent, self.calls));
                self.latest = percent;
            }
        }
    }

    /// Reads that may be in flight at once: the calls seen per point of the percent's rise
    /// (counting one point more than it rose: the header rounds), within 8 and 50.
    pub fn in_flight(&self) -> usize {
        let Some((calls, rise)) = self.rise() else {
            return FLOOR;
        };
        usize::try_from(calls / (rise + 1))
            .unwrap_or(CEILING)
            .clamp(FLOOR, CEILING)
    }

    /// The calls one point of the budget holds, once the percent has risen by
    /// [`LEARNT_RISE`] points since counting began (before, a call's share is known too
    /// roughly: one call that moved the rounding would count as a point's worth).
    pub fn calls_per_point(&self) -> Option<u64> {
        let (calls, rise) = self.rise()?;
        (rise >= LEARNT_RISE).then(|| calls / (rise + 1))
    }

    /// The calls answered since counting began, and the points the percent rose since.
    fn rise(&self) -> Option<(u64, u64)> {
        let (base, at) = self.baseline?;
        Some((
            self.calls.saturating_sub(at),
            u64::from(self.latest.saturating_sub(base)),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The percent Meta would report after `calls` calls of a `budget`-call hour.
    fn percent(calls: u64, budget: u64) -> u32 {
        (calls * 100 / budget) as u32
    }

    fn after(budget: u64, reads: u64, step: u64) -> ReadPace {
        let mut pace = ReadPace::default();
        let mut done = 0;
        while done < reads {
            done += step;
            pace.answered(step, Some(percent(done, budget)));
        }
        pace
    }

    #[test]
    fn a_point_holds_the_calls_seen_per_point_of_rise_and_nothing_is_known_before_a_percent() {
        assert_eq!(ReadPace::default().calls_per_point(), None);
        // 5,000 an hour: 16 calls moved the percent by a point at most: not learnt yet.
        assert_eq!(after(5_000, 16, 8).calls_per_point(), None);
        let learnt = after(5_000, 1_000, 8).calls_per_point().unwrap();
        assert!((40..=50).contains(&learnt), "{learnt}");
        // Never more than a point holds: at 200 an hour a call is half a point.
        assert!(after(200, 100, 8).calls_per_point().unwrap() <= 2);
    }

    #[test]
    fn nothing_known_is_eight_at_once() {
        assert_eq!(ReadPace::default().in_flight(), FLOOR);
        let mut pace = ReadPace::default();
        pace.answered(1, None);
        assert_eq!(pace.in_flight(), FLOOR);
    }

    #[test]
    fn a_200_call_budget_keeps_eight_and_a_5000_call_one_grows_to_fifty() {
        // 200 an hour: each read is half a point; 8 at once already pass a mark by 4 points.
        assert_eq!(after(200, 100, 8).in_flight(), FLOOR);
        // 5,000 an hour: 50 reads are one point.
        let early = after(5_000, 16, 8).in_flight();
        assert!(early <= 16, "{early}");
        let learnt = after(5_000, 1_000, 8).in_flight();
        assert!((40..=CEILING).contains(&learnt), "{learnt}");
        // Whatever the budget, reads at once never pass more than about one point of it.
        for budget in [200, 1_000, 5_000, 100_000] {
            let pace = after(budget, 2_000, 8);
            let points = pace.in_flight() as f64 * 100.0 / budget as f64;
            assert!(
                pace.in_flight() == FLOOR || points <= 1.05,
                "{budget}: {} at once is {points} points",
                pace.in_flight()
            );
        }
    }

    #[test]
    fn others_spending_the_same_budget_make_it_smaller_not_larger() {
        let mut alone = ReadPace::default();
        alone.answered(1, Some(10));
        alone.answered(100, Some(12));
        assert_eq!(alone.in_flight(), 100 / 3);
        // The same 100 reads of ours while another tool spent 20 points of the same budget.
        let mut shared = ReadPace::default();
        shared.answered(1, Some(10));
        shared.answered(100, Some(32));
        assert_eq!(shared.in_flight(), FLOOR);
    }

    #[test]
    fn an_answer_that_set_off_earlier_and_says_less_changes_nothing() {
        let mut pace = ReadPace::default();
        pace.answered(1, Some(10));
        pace.answered(1_000, Some(30));
        pace.answered(1, Some(29));
        assert_eq!(pace.in_flight(), 1_001 / 21);
    }

    #[test]
    fn a_percent_that_falls_starts_counting_again() {
        let mut pace = ReadPace::default();
        pace.answered(1, Some(10));
        pace.answered(1_000, Some(30));
        assert_eq!(pace.in_flight(), 1_000 / 21);
        pace.answered(8, Some(5));
        assert_eq!(pace.in_flight(), FLOOR, "nothing counted since it fell");
    }
}
