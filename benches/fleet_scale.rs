//! Fleet-scale benchmarks (criterion): drawing and updating the TUI with 10,000 numbers and
//! 100,000 log entries, parsing a page of 100 numbers, and counting budgets from an audit trail
//! of 100,000 records. Budgets are in BENCHMARKS.md.

use criterion::{Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::hint::black_box;
use std::time::Duration;

use wareg::audit::{AuditRecord, BudgetBook, Operation, Phase};
use wareg::config::{BudgetPolicy, Config};
use wareg::graph::PhoneNumber;
use wareg::graph::client::decode;
use wareg::graph::types::NumbersPage;
use wareg::tui::app::App;
use wareg::tui::log::{LogBuffer, LogEntry};
use wareg::tui::msg::{Cmd, Level, Msg, Reply};
use wareg::tui::theme::Theme;

const NUMBERS: usize = 10_000;
const LOG_ENTRIES: usize = 100_000;

fn number_json(i: usize) -> serde_json::Value {
    let status = ["CONNECTED", "PENDING", "FLAGGED"][i % 3];
    let quality = ["GREEN", "YELLOW", "RED", "NA"][i % 4];
    serde_json::json!({
        "id": format!("{}", 1_990_000_000_000_000u64 + i as u64),
        "display_phone_number": format!("+1 555-{:03}-{:04}", i / 10_000, i % 10_000),
        "verified_name": format!("Fleet line {i}"),
        "status": status,
        "code_verification_status": "VERIFIED",
        "quality_rating": quality,
        "platform_type": "CLOUD_API",
        "throughput": {"level": "STANDARD"},
        "is_pin_enabled": true,
    })
}

fn fleet_app() -> App {
    app_with(NUMBERS, LOG_ENTRIES)
}

fn app_with(numbers: usize, log_entries: usize) -> App {
    let config = Config::parse("[profiles.p]\ntoken_env = \"T\"\nwaba_id = \"1\"\n", None).unwrap();
    let mut app = App::new(&config, Theme { color: true }, None);
    app.size = (120, 40);
    let cmds = app.start();
    let listing: Vec<PhoneNumber> = (0..numbers)
        .map(|i| serde_json::from_value(number_json(i)).unwrap())
        .collect();
    for cmd in cmds {
        if let Cmd::ListNumbers { request, .. } = cmd {
            app.update(Msg::Reply(
                request,
                Reply::Listing(Ok(listing.iter().cloned().map(Box::new).collect())),
            ));
        }
    }
    let mut log = LogBuffer::with_capacity(log_entries);
    for i in 0..log_entries {
        let level = if i % 10 == 0 {
            Level::Error
        } else {
            Level::Info
        };
        log.push(LogEntry::notice(
            wareg::clock::Clock::System.local_now(),
            level,
            format!(
                "GET /v25.0/{}?fields=… 200 {}ms",
                1_990_000_000_000_000u64 + i as u64,
                i % 300
            ),
        ));
    }
    app.log = log;
    assert_eq!(app.table.rows.len(), numbers);
    app
}

fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn draw(c: &mut Criterion) {
    // The same frame with a hundred times less data: the two must cost about the same, since
    // only visible rows and log lines are drawn.
    for (numbers, log_entries, name) in [
        (
            NUMBERS,
            LOG_ENTRIES,
            "draw numbers + log, 120x40, 10k numbers, 100k log entries",
        ),
        (
            100,
            1000,
            "draw numbers + log, 120x40, 100 numbers, 1k log entries",
        ),
    ] {
        let mut app = app_with(numbers, log_entries);
        // Somewhere in the middle of the table, where nothing is cheap by accident.
        for _ in 0..(numbers / 50) {
            app.update(key(KeyCode::PageDown));
        }
        let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
        c.bench_function(name, |b| {
            b.iter(|| {
                terminal
                    .draw(|f| wareg::tui::view::draw(f, black_box(&app)))
                    .unwrap();
            })
        });
    }
}

fn navigate(c: &mut Criterion) {
    let mut app = fleet_app();
    app.update(key(KeyCode::PageDown));
    let mut down = true;
    c.bench_function("update: navigation key, 10k numbers", |b| {
        b.iter(|| {
            down = !down;
            black_box(app.update(key(if down {
                KeyCode::Char('j')
            } else {
                KeyCode::Char('k')
            })));
        })
    });
}

fn filter(c: &mut Criterion) {
    let mut app = fleet_app();
    app.update(key(KeyCode::Char('/')));
    app.update(key(KeyCode::Char('l')));
    let mut typing = true;
    c.bench_function("update: filter keystroke, 10k numbers", |b| {
        b.iter(|| {
            typing = !typing;
            black_box(app.update(key(if typing {
                KeyCode::Char('5')
            } else {
                KeyCode::Backspace
            })));
        })
    });
}

fn parse_page(c: &mut Criterion) {
    let page = serde_json::json!({
        "data": (0..100).map(number_json).collect::<Vec<_>>(),
        "paging": {"cursors": {"before": "QVFIa", "after": "QVFIb"}, "next": "https://graph.facebook.com/v25.0/1/phone_numbers?after=QVFIb"},
    })
    .to_string();
    c.bench_function("parse a page of 100 numbers", |b| {
        b.iter(|| {
            decode::<NumbersPage>(200, "application/json", black_box(page.as_bytes())).unwrap()
        })
    });
}

fn budgets(c: &mut Criterion) {
    let now = chrono::Utc::now();
    let records: Vec<AuditRecord> = (0..100_000)
        .map(|i| AuditRecord {
            time: now - chrono::Duration::minutes(i as i64 % 20_000),
            attempt: format!("a{}", i / 2),
            phase: if i % 2 == 0 {
                Phase::Intent
            } else {
                Phase::Outcome
            },
            profile: "p".into(),
            number: wareg::graph::NumberId::parse(&format!(
                "{}",
                1_990_000_000_000_000u64 + (i as u64 / 2) % 1000
            ))
            .unwrap(),
            op: if i % 6 < 4 {
                Operation::Register
            } else {
                Operation::Deregister
            },
            region: None,
            detail: None,
            forced: false,
            outcome: (i % 2 == 1).then_some(wareg::audit::Outcome::Error),
            code: (i % 2 == 1).then_some([133005, 190, 100][i % 3]),
            trace: None,
            message: None,
            locked_until: None,
            operator: None,
            host: None,
        })
        .collect();
    c.bench_function("budgets from 100k audit records", |b| {
        b.iter(|| BudgetBook::new(black_box(&records), BudgetPolicy::default(), now))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));
    targets = draw, navigate, filter, parse_page, budgets
}
criterion_main!(benches);
