//! The heap the fleet-scale paths hold at their worst, counted by this test binary's own
//! allocator (bytes asked for, not time): a 20,000-entry config's parse, a 20,000-number
//! listing folded into the TUI's rows, and the numbers kept after a listing (issue 28: the
//! TUI's peak RSS at 20k numbers was 82-85 MiB). One test, so nothing else allocates beside
//! what is counted.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use wareg::config::Config;
use wareg::graph::PhoneNumber;
use wareg::tui::app::App;
use wareg::tui::msg::{Cmd, Msg, Reply};
use wareg::tui::theme::Theme;

struct Counting;

static HELD: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(bytes: usize) {
    let held = HELD.fetch_add(bytes, Relaxed) + bytes;
    PEAK.fetch_max(held, Relaxed);
}

// SAFETY: every call goes to the system allocator unchanged; only sizes are counted.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        unsafe { System.dealloc(p, layout) };
        HELD.fetch_sub(layout.size(), Relaxed);
    }

    unsafe fn realloc(&self, p: *mut u8, layout: Layout, size: usize) -> *mut u8 {
        let q = unsafe { System.realloc(p, layout, size) };
        if !q.is_null() {
            // Counted as a copy: the new block before the old one goes.
            grew(size);
            HELD.fetch_sub(layout.size(), Relaxed);
        }
        q
    }
}

#[global_allocator]
static COUNTING: Counting = Counting;

/// What `f` returns, and the most it held at once beyond what was held when it began.
fn peak_of<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let before = HELD.load(Relaxed);
    PEAK.store(before, Relaxed);
    let out = f();
    (out, PEAK.load(Relaxed) - before)
}

const FLEET: usize = 20_000;
const MB: usize = 1 << 20;

fn id(i: usize) -> String {
    (1_990_000_000_000_000u64 + i as u64).to_string()
}

fn config_text() -> String {
    let mut text = String::from("[profiles.p]\ntoken_env = \"T\"\nwaba_id = \"999\"\n");
    for i in 0..FLEET {
        text.push_str(&format!(
            "\n[[numbers]]\nid = \"{}\"\nlabel = \"Fleet {:05}\"\n",
            id(i),
            i + 1
        ));
    }
    text
}

fn listing() -> wareg::graph::listing::Listed {
    (0..FLEET + 10)
        .map(|i| {
            let number: PhoneNumber = serde_json::from_value(serde_json::json!({
                "id": id(i), "display_phone_number": format!("+1 555-{:03}-{:04}", i / 10_000, i % 10_000),
                "verified_name": format!("Fleet line {i}"), "status": "CONNECTED",
                "quality_rating": "GREEN", "code_verification_status": "VERIFIED",
            }))
            .unwrap();
            Box::new(number)
        })
        .collect()
}

#[test]
fn fleet_scale_paths_hold_what_they_keep_and_little_more() {
    // The config: a parsed tree of 20,000 entries at once was about 30 MB; a run of entries
    // at a time, the entries themselves and a few MB.
    let text = config_text();
    let (config, parse_peak) = peak_of(|| Config::parse(&text, None).unwrap());
    assert_eq!(config.numbers.len(), FLEET);
    eprintln!("config parse: peak {:.1} MB", parse_peak as f64 / MB as f64);
    assert!(
        parse_peak < 8 * MB,
        "the parse held {parse_peak} bytes at once"
    );

    // The listing folded into the rows: each number's box is taken as it is (a copy of
    // 20,000 numbers was 8 MB more at once).
    let mut app = App::new(&config, Theme { color: false }, None);
    drop(config);
    let start = app.start();
    let request = start
        .iter()
        .find_map(|c| match c {
            Cmd::ListNumbers { request, .. } => Some(*request),
            _ => None,
        })
        .unwrap();
    drop(start);
    let numbers = listing();
    let first: *const PhoneNumber = &*numbers[0];
    let (_, fold_peak) = peak_of(|| app.update(Msg::Reply(request, Reply::Listing(Ok(numbers)))));
    eprintln!("listing fold: peak {:.1} MB", fold_peak as f64 / MB as f64);
    let row = app.table.rows[0].number().unwrap();
    assert!(
        std::ptr::eq(row, first),
        "the row holds the listing's own box"
    );
    assert_eq!(app.table.rows.len(), FLEET + 10);
    assert!(
        fold_peak < 5 * MB,
        "the fold held {fold_peak} bytes at once"
    );

    // What a listing read, kept for the CLI: written from the listing, the file streamed
    // (a copy of every id and name, and the whole JSON in memory, were 8 MB more).
    let dir = tempfile::tempdir().unwrap();
    let numbers = listing();
    let now = chrono::Utc::now();
    wareg::fleet::known::save_listing(dir.path(), "p", &numbers, now).unwrap();
    let (saved, save_peak) =
        peak_of(|| wareg::fleet::known::save_listing(dir.path(), "p", &numbers, now));
    saved.unwrap();
    eprintln!("known save: peak {:.1} MB", save_peak as f64 / MB as f64);
    assert!(
        save_peak < 2 * MB,
        "the save held {save_peak} bytes at once"
    );
    assert_eq!(wareg::fleet::known::load(dir.path()).0.len(), FLEET + 10);
}
