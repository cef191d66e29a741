//! The index must never change a budget or a record: every read through it is compared with
//! the same read of the trail alone, over trails written by this wareg, by one that keeps no
//! index, torn by crashes, with clocks set wrong, and with the index cut, lost or outdated.

use chrono::{DateTime, Duration, Utc};
use proptest::prelude::*;
use std::io::Write;
use std::path::Path;

use crate::audit::{AuditRecord, BudgetBook, Operation, Outcome, Phase};
use crate::config::BudgetPolicy;
use crate::graph::NumberId;
use crate::ledger::local::{index, tail};
use crate::ledger::{Ledger, LocalTrail};

const NUMBERS: [&str; 3] = ["15550001", "15550002", "15550003"];
const OPS: [Operation; 5] = [
    Operation::Register,
    Operation::Deregister,
    Operation::SetPin,
    Operation::Rename,
    Operation::Other,
];

fn id(number: &str) -> NumberId {
    NumberId::parse(number).unwrap()
}

fn now() -> DateTime<Utc> {
    "2026-11-24T12:00:00Z".parse().unwrap()
}

fn policy() -> BudgetPolicy {
    BudgetPolicy {
        window: std::time::Duration::from_secs(7 * 24 * 3600),
        max_attempts: 3,
    }
}

/// What happens to a data dir, in order.
#[derive(Debug, Clone)]
enum Step {
    /// An attempt's two lines, written by this wareg (`indexed`) or by one without the index;
    /// `minutes` is how long before `now` it started, `skew` moves the outcome's clock.
    Attempt {
        minutes: i64,
        skew: i64,
        number: usize,
        op: usize,
        end: usize,
        indexed: bool,
    },
    /// A crash mid-write: a line without its end (closed by the next append).
    Torn,
    /// A blank line, one that is not a record, a thousand short ones, or a record padded past
    /// the longest line a reader takes (within one backward chunk, or across several), which
    /// every read passes over.
    Junk(u8),
    /// The index cut short by `n` bytes (a crash while writing it, a full disk).
    CutIndex(u8),
    LoseIndex,
    /// A read of the budgets and of each number's records, compared with the trail's.
    Check,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        8 => (0i64..20 * 24 * 60, prop_oneof![4 => Just(0i64), 1 => -3000i64..3000], 0..3usize, 0..OPS.len(), 0..7usize, any::<bool>())
            .prop_map(|(minutes, skew, number, op, end, indexed)| Step::Attempt { minutes, skew, number, op, end, indexed }),
        1 => Just(Step::Torn),
        1 => (0u8..5).prop_map(Step::Junk),
        1 => any::<u8>().prop_map(Step::CutIndex),
        1 => Just(Step::LoseIndex),
        2 => Just(Step::Check),
    ]
}

fn lines(
    n: usize,
    minutes: i64,
    skew: i64,
    number: usize,
    op: usize,
    end: usize,
) -> Vec<AuditRecord> {
    let at = now() - Duration::minutes(minutes);
    // Some attempt ids repeat, across numbers too: an outcome frees every intent of its id.
    let attempt = if n.is_multiple_of(3) {
        format!("a{}", n % 4)
    } else {
        format!("a{n}")
    };
    let intent = AuditRecord::intent(at, attempt, "p", &id(NUMBERS[number]), OPS[op]);
    let mut outcome = intent.clone();
    outcome.phase = Phase::Outcome;
    outcome.time = at + Duration::minutes(skew);
    outcome.outcome = Some(match end {
        0 | 5 => Outcome::Ok,
        1 => Outcome::NotSent,
        2 => Outcome::Unknown,
        _ => Outcome::Error,
    });
    outcome.code = match end {
        3 => Some(190),
        4 => Some(133016),
        6 => Some(133005),
        _ => None,
    };
    if end == 5 {
        outcome.locked_until = Some(at + Duration::hours(30));
    }
    // Some attempts never end (a crash after the intent).
    if end == 2 && n.is_multiple_of(2) {
        vec![intent]
    } else {
        vec![intent, outcome]
    }
}

fn raw_append(path: &Path, bytes: &[u8]) {
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .unwrap();
    f.write_all(bytes).unwrap();
}

fn junk(kind: u8) -> Vec<u8> {
    match kind {
        0 => b"  \n".to_vec(),
        1 => b"not json\n".to_vec(),
        2 => b"{\"x\":1}\n".repeat(1000),
        _ => {
            let at = (now() - Duration::hours(1)).to_rfc3339();
            let record = format!(
                r#"{{"time":"{at}","attempt":"pad","phase":"intent","profile":"p","number":"{}","op":"register""#,
                NUMBERS[0]
            );
            let long = crate::ledger::local::lines::LINE_MAX as usize
                + if kind == 3 { 10 } else { 600 * 1024 };
            let mut line = record.into_bytes();
            line.resize(long - 2, b' ');
            line.extend_from_slice(b"}\n");
            line
        }
    }
}

fn run(dir: &Path, steps: &[Step]) {
    let trail = LocalTrail::in_dir(dir);
    let log = trail.log().clone();
    let index_path = index::path_of(log.path());
    for (n, step) in steps.iter().enumerate() {
        match step {
            Step::Attempt {
                minutes,
                skew,
                number,
                op,
                end,
                indexed,
            } => {
                for record in lines(n, *minutes, *skew, *number, *op, *end) {
                    if *indexed {
                        trail.append(&record).unwrap();
                    } else {
                        log.append(&record).unwrap();
                    }
                }
            }
            Step::Torn => raw_append(
                log.path(),
                br#"{"time":"2026-11-20T10:00:00Z","attempt":"to"#,
            ),
            Step::Junk(kind) => raw_append(log.path(), &junk(*kind)),
            Step::CutIndex(by) => {
                if let Ok(meta) = std::fs::metadata(&index_path) {
                    let f = std::fs::OpenOptions::new()
                        .write(true)
                        .open(&index_path)
                        .unwrap();
                    f.set_len(meta.len().saturating_sub(u64::from(*by)))
                        .unwrap();
                }
            }
            Step::LoseIndex => {
                let _ = std::fs::remove_file(&index_path);
            }
            Step::Check => same_as_the_trail(&trail),
        }
    }
    same_as_the_trail(&trail);
}

/// Budgets and records through the index equal those from the trail alone, for a window
/// shorter and one longer than the index was made for.
fn same_as_the_trail(trail: &LocalTrail) {
    let path = trail.log().path();
    for days in [3, 8, 30] {
        let since = now() - Duration::days(days);
        let records = tail::read_since(path, since).unwrap();
        let expected = BudgetBook::new(&records, policy(), now());
        let got = trail.budgets(since, policy(), now(), None).unwrap();
        for number in NUMBERS {
            // A book of one number (what `wareg numbers` counts for the rows it shows).
            let only: std::collections::HashSet<String> = [number.to_owned()].into();
            let one = trail.budgets(since, policy(), now(), Some(&only)).unwrap();
            for op in OPS {
                assert_eq!(
                    got.budget(number, op),
                    expected.budget(number, op),
                    "{number} {op} since {days} days"
                );
                assert_eq!(one.budget(number, op), expected.budget(number, op));
            }
            let mine: Vec<AuditRecord> = records
                .iter()
                .filter(|r| r.number == number)
                .cloned()
                .collect();
            // Compared with the whole parse: the trail's own one-number read reads only the
            // leading time of other lines, torn ones too, and may stop earlier.
            assert_eq!(trail.read_since_of(since, &id(number)).unwrap(), mine);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn reads_through_the_index_equal_reads_of_the_trail(steps in proptest::collection::vec(step(), 1..70)) {
        let dir = tempfile::tempdir().unwrap();
        run(dir.path(), &steps);
    }
}

/// An old trail of `count` attempts, one every `every` minutes up to `now`, written without
/// an index (a v1 data dir), straight to the file.
fn v1_trail(path: &Path, count: usize, every: i64) {
    let mut out = Vec::new();
    for n in 0..count {
        let minutes = (count - n) as i64 * every;
        for record in lines(n, minutes, 0, n % 3, n % 4, n % 7) {
            serde_json::to_writer(&mut out, &record).unwrap();
            out.push(b'\n');
        }
    }
    raw_append(path, &out);
}

#[test]
fn a_v1_trail_across_many_chunks_reads_the_same_and_its_index_is_made_once() {
    let dir = tempfile::tempdir().unwrap();
    let trail = LocalTrail::in_dir(dir.path());
    // About 9 MB of trail and 3 MB of index: several chunks of each.
    v1_trail(trail.log().path(), 20_000, 3);
    let index_path = index::path_of(trail.log().path());
    assert!(!index_path.exists());
    same_as_the_trail(&trail);
    let made = inode(&index_path);
    // A clock set a day back, then the old version again, then this one.
    let mut skewed = lines(90_000, 24 * 60, 0, 1, 0, 0);
    skewed.truncate(1);
    trail.append(&skewed[0]).unwrap();
    v1_trail(trail.log().path(), 40, 1);
    trail.append(&lines(90_001, 0, 0, 2, 1, 0)[0]).unwrap();
    same_as_the_trail(&trail);
    // Brought up to date by the appends, not made again.
    assert_eq!(inode(&index_path), made);
    let text = std::fs::read_to_string(&index_path).unwrap();
    assert!(text.starts_with(super::line::HEADER));
    let last = text.lines().last().unwrap();
    assert!(
        last.contains("\t15550003\t") && last.ends_with("\ta90001"),
        "{last}"
    );
}

fn inode(path: &Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).unwrap().ino()
}

#[test]
fn an_index_that_names_other_bytes_is_not_trusted() {
    let dir = tempfile::tempdir().unwrap();
    let trail = LocalTrail::in_dir(dir.path());
    v1_trail(trail.log().path(), 300, 60);
    same_as_the_trail(&trail);
    // The trail replaced by another one of the same length, its last line too: every line says
    // another number. (An edit that keeps the last line and every length is not noticed: the
    // trail is append-only, and only its last indexed line is checked.)
    let text = std::fs::read_to_string(trail.log().path()).unwrap();
    std::fs::write(trail.log().path(), text.replace("1555000", "1555009")).unwrap();
    same_as_the_trail(&trail);
    assert!(
        trail
            .read_since_of(now() - Duration::days(8), &id("15550001"))
            .unwrap()
            .is_empty()
    );
    // Cut short, then grown past where it was, with different lines.
    std::fs::write(trail.log().path(), &text[..text.len() / 2]).unwrap();
    same_as_the_trail(&trail);
    v1_trail(trail.log().path(), 300, 1);
    same_as_the_trail(&trail);
    // Gone: no records, whatever the index says.
    std::fs::remove_file(trail.log().path()).unwrap();
    same_as_the_trail(&trail);
    assert!(
        trail
            .read_since_of(now() - Duration::days(30), &id("15550002"))
            .unwrap()
            .is_empty()
    );
}

#[test]
fn an_empty_data_dir_gets_no_index_from_a_read() {
    let dir = tempfile::tempdir().unwrap();
    let trail = LocalTrail::in_dir(dir.path());
    same_as_the_trail(&trail);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn an_index_an_older_wareg_made_is_made_again() {
    let dir = tempfile::tempdir().unwrap();
    let trail = LocalTrail::in_dir(dir.path());
    v1_trail(trail.log().path(), 300, 60);
    same_as_the_trail(&trail);
    let index_path = index::path_of(trail.log().path());
    // Version 1 took lines whose number or region is not one as records.
    let text = std::fs::read_to_string(&index_path).unwrap();
    let old = text.replacen(super::line::HEADER, "wareg audit index 1", 1);
    assert_ne!(old, text);
    std::fs::write(&index_path, old).unwrap();
    same_as_the_trail(&trail);
    let text = std::fs::read_to_string(&index_path).unwrap();
    assert!(text.starts_with(super::line::HEADER), "made again");
}
