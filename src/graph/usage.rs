//! Meta's call-budget headers (docs/graph-api-facts.md §6): `X-Business-Use-Case-Usage` (per WABA, percentages
//! of the business-use-case budget, and minutes until access returns) and `X-App-Usage` (the
//! app's platform budget). Read on every answer so the faces can show how much is left.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One WABA's use of its budget, as the latest answer reported it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct WabaUsage {
    /// The highest of call count, CPU time and total time, in percent of the allowance.
    pub percent: u32,
    /// Meta's estimate of when calls work again, in minutes (0: not throttled).
    pub regain_minutes: u32,
}

/// A fall of a WABA's percent by at most this many points is an answer that was counted
/// earlier arriving later, not calls leaving the window.
const SMALL_FALL: u32 = 2;

/// What the latest answers said about the call budgets.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Usage {
    pub wabas: BTreeMap<String, WabaUsage>,
    /// The app's platform budget, in percent.
    pub app_percent: Option<u32>,
}

impl Usage {
    /// The highest percentage reported, for one figure in a title ("API 42 %").
    pub fn highest(&self) -> Option<u32> {
        self.wabas
            .values()
            .map(|w| w.percent)
            .chain(self.app_percent)
            .max()
    }

    /// Folds in what another client saw (several profiles in one command).
    pub fn merge(&mut self, other: Usage) {
        self.wabas.extend(other.wabas);
        self.app_percent = self.app_percent.max(other.app_percent);
    }

    /// Folds in what one answer's headers say (newer values replace older ones).
    pub fn note(&mut self, business: Option<&str>, app: Option<&str>) {
        if let Some(parsed) = business.and_then(parse_business) {
            for (waba, mut usage) in parsed {
                if let Some(old) = self.wabas.get(&waba)
                    && usage.percent < old.percent
                    && usage.percent + SMALL_FALL >= old.percent
                {
                    // Answers of calls in flight together come back in any order: one that
                    // was counted before the last says a point or two less. Taken as it came,
                    // the high-water mark let another batch through on it (a 20k start passed
                    // 75 % by 2.6 points). A larger fall is the window giving calls back.
                    usage.percent = old.percent;
                }
                self.wabas.insert(waba, usage);
            }
        }
        if let Some(percent) = app.and_then(parse_app) {
            self.app_percent = Some(percent);
        }
    }
}

#[derive(Deserialize)]
struct Entry {
    #[serde(default)]
    call_count: Option<f64>,
    #[serde(default)]
    total_cputime: Option<f64>,
    #[serde(default)]
    total_time: Option<f64>,
    #[serde(default)]
    estimated_time_to_regain_access: Option<f64>,
}

impl Entry {
    fn percent(&self) -> u32 {
        [self.call_count, self.total_cputime, self.total_time]
            .into_iter()
            .flatten()
            .fold(0.0_f64, f64::max)
            .clamp(0.0, 1000.0) as u32
    }
}

/// `{"<waba id>": [{"type": …, "call_count": 12, …}]}`; anything unreadable is ignored.
fn parse_business(header: &str) -> Option<BTreeMap<String, WabaUsage>> {
    let raw: BTreeMap<String, Vec<Entry>> = serde_json::from_str(header).ok()?;
    Some(
        raw.into_iter()
            // Keys are the server's text: only numeric ids are kept.
            .filter(|(id, _)| {
                !id.is_empty() && id.len() <= 32 && id.bytes().all(|b| b.is_ascii_digit())
            })
            .take(32)
            .map(|(id, entries)| {
                let usage = WabaUsage {
                    percent: entries.iter().map(Entry::percent).max().unwrap_or(0),
                    regain_minutes: entries
                        .iter()
                        .filter_map(|e| e.estimated_time_to_regain_access)
                        .fold(0.0_f64, f64::max)
                        // wareg keeps away for a day at most (throttle::LONGEST).
                        .clamp(0.0, super::throttle::LONGEST.num_minutes() as f64)
                        as u32,
                };
                (id, usage)
            })
            .collect(),
    )
}

fn parse_app(header: &str) -> Option<u32> {
    let entry: Entry = serde_json::from_str(header).ok()?;
    Some(entry.percent())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_headers_give_the_highest_share_and_the_wait() {
        let mut usage = Usage::default();
        usage.note(
            Some(r#"{"102290129340398":[{"type":"whatsapp_business_management","call_count":12,"total_cputime":3,"total_time":42,"estimated_time_to_regain_access":0}],"x\u001b":[{"call_count":99}]}"#),
            Some(r#"{"call_count":28,"total_time":25,"total_cputime":25}"#),
        );
        assert_eq!(usage.wabas.len(), 1, "a key that is not an id is dropped");
        assert_eq!(usage.wabas["102290129340398"].percent, 42);
        assert_eq!(usage.app_percent, Some(28));
        assert_eq!(usage.highest(), Some(42));
        usage.note(Some("not json"), None);
        assert_eq!(
            usage.highest(),
            Some(42),
            "an unreadable header changes nothing"
        );
        usage.note(
            Some(
                r#"{"102290129340398":[{"call_count":100,"estimated_time_to_regain_access":17}]}"#,
            ),
            None,
        );
        assert_eq!(
            usage.wabas["102290129340398"],
            WabaUsage {
                percent: 100,
                regain_minutes: 17
            }
        );
    }

    fn percent_after(usage: &mut Usage, call_count: u32) -> u32 {
        usage.note(
            Some(&format!(
                r#"{{"102290129340398":[{{"call_count":{call_count}}}]}}"#
            )),
            None,
        );
        usage.wabas["102290129340398"].percent
    }

    #[test]
    fn an_answer_counted_earlier_that_says_a_point_less_does_not_lower_the_share() {
        let mut usage = Usage::default();
        assert_eq!(percent_after(&mut usage, 75), 75);
        assert_eq!(percent_after(&mut usage, 74), 75, "counted before the last");
        assert_eq!(percent_after(&mut usage, 73), 75);
        assert_eq!(percent_after(&mut usage, 76), 76);
        assert_eq!(
            percent_after(&mut usage, 40),
            40,
            "the window gave calls back"
        );
    }
}
