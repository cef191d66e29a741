//! The team ledger's budget gate at scale: one admission (advisory lock, the number's records
//! in the window, the check, the intent inserted, commit) against a ledger of 1,000,000 rows
//! on a loopback PostgreSQL. Prints p50 and p99 (BENCHMARKS.md).
//!
//! `cargo bench --bench ledger_admit` (needs PostgreSQL's server installed, like the tests).

#[path = "../tests/common/pg.rs"]
mod pg;

use std::time::{Duration, Instant};
use wareg::audit::{AuditRecord, BudgetBook, Operation};
use wareg::config::BudgetPolicy;
use wareg::ledger::{Ledger, PgLedger};

const ROWS: i64 = 1_000_000;
const NUMBERS: i64 = 1_000;
const SAMPLES: usize = 1_000;

fn main() {
    let Some(url) = pg::database() else {
        eprintln!("no PostgreSQL here: nothing measured");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let settings =
        wareg::ledger::pg::PgSettings::parse(&wareg::secret::Token::new(url.clone()), "wareg")
            .unwrap();
    let ledger = PgLedger::new(settings, dir.path());
    ledger.init().unwrap();
    let mut admin = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let filled = Instant::now();
    // A year of a busy team: 1M records over 1,000 numbers, intents and outcomes in turn.
    admin
        .batch_execute(&format!(
            "INSERT INTO wareg.records (time, attempt, phase, number, op, operator, host, record)
             SELECT now() - (i * interval '31 seconds'),
                    'fill-' || (i / 2),
                    CASE WHEN i % 2 = 0 THEN 'intent' ELSE 'outcome' END,
                    (1990000000000000 + i % {NUMBERS})::text,
                    'register', 'fill@desk', 'desk',
                    jsonb_build_object(
                        'time', to_char((now() - (i * interval '31 seconds')) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'),
                        'attempt', 'fill-' || (i / 2),
                        'phase', CASE WHEN i % 2 = 0 THEN 'intent' ELSE 'outcome' END,
                        'profile', 'p',
                        'number', (1990000000000000 + i % {NUMBERS})::text,
                        'op', 'register')
             FROM generate_series(1, {ROWS}) AS i;
             ANALYZE wareg.records;"
        ))
        .unwrap();
    eprintln!("filled {ROWS} rows in {:.1?}", filled.elapsed());

    let policy = BudgetPolicy::default();
    let mut took: Vec<Duration> = Vec::with_capacity(SAMPLES);
    for i in 0..SAMPLES {
        let number = wareg::graph::NumberId::parse(&format!(
            "{}",
            1_990_000_000_000_000i64 + (i as i64 * 7919) % NUMBERS
        ))
        .unwrap();
        let now = chrono::Utc::now();
        let intent =
            AuditRecord::intent(now, format!("bench-{i}"), "p", &number, Operation::Register);
        let since = now - chrono::Duration::days(7);
        let started = Instant::now();
        let admitted = ledger
            .admit(&intent, since, &mut |mine: &[AuditRecord]| {
                let book = BudgetBook::new(mine, policy, now);
                // The bench measures the gate, not the limit: never refuse.
                let _ = book.budget(number.as_str(), Operation::Register);
                true
            })
            .unwrap();
        took.push(started.elapsed());
        assert!(admitted);
    }
    took.sort();
    let at = |q: f64| took[((took.len() as f64 * q) as usize).min(took.len() - 1)];
    println!(
        "ledger admit at {ROWS} rows ({SAMPLES} samples, loopback): p50 {:.2?}, p99 {:.2?}, max {:.2?}",
        at(0.50),
        at(0.99),
        took[took.len() - 1]
    );
}
