//! Backoff for reads. Exponential with full jitter, so many numbers failing together do not
//! retry in lockstep.

use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Tries in all, the first included.
    pub max_tries: u32,
    /// The ceiling of the wait before the second try; it doubles for each further try.
    pub base_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_tries: 3,
            base_delay: Duration::from_millis(250),
        }
    }
}

impl RetryPolicy {
    /// The wait before try number `attempt` (2 or more): random in [ceiling/2, ceiling].
    pub fn delay_before(&self, attempt: u32) -> Duration {
        let ceiling = self.base_delay * 2u32.saturating_pow(attempt.saturating_sub(2));
        let half = ceiling / 2;
        half + half.mul_f64(fastrand::f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_and_stay_within_their_ceiling() {
        let p = RetryPolicy::default();
        for _ in 0..100 {
            let second = p.delay_before(2);
            let third = p.delay_before(3);
            assert!(second >= Duration::from_millis(125) && second <= Duration::from_millis(250));
            assert!(third >= Duration::from_millis(250) && third <= Duration::from_millis(500));
        }
    }
}
