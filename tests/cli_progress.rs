//! Progress on long CLI work: drawn on stderr when it is a terminal and the work lasts past
//! about a second, cleared before the result; never written into a pipe.

mod common;

use std::time::Duration;

use common::pty::*;
use common::*;
use wareg::sandbox::SandboxOptions;

/// A WABA of 1,010 numbers answering each page after `latency`: 11 pages.
fn slow_fleet(latency: Duration) -> Rig {
    Rig::with(
        "v25.0",
        SandboxOptions {
            latency,
            extra_numbers: 1_000,
            slow_for: Duration::from_secs(4),
            ..SandboxOptions::default()
        },
    )
}

#[test]
fn a_slow_refresh_shows_progress_on_a_terminal_and_clears_it() {
    // 11 pages at 300 ms: over 3 s, so the line is up for two seconds or more.
    let rig = slow_fleet(Duration::from_millis(300));
    let mut pty = Pty::spawn_args(&rig, &["numbers", "--refresh"]);
    let screen = pty.wait_for("the progress line", |s| s.contains("pages listed"));
    let line = row(&screen, "pages listed");
    assert!(
        line.contains("reading numbers:") && line.contains("numbers)"),
        "{line}"
    );
    let elapsed = regex::Regex::new(r"· \d+s").unwrap();
    assert!(elapsed.is_match(line), "the elapsed time is shown: {line}");
    let status = pty.wait_exit();
    assert!(status.success(), "{}", pty.contents());
    // The table's start has scrolled away by now: read it back from the scrollback.
    let top = top_of_output(&pty.output());
    assert!(
        top.contains("Support DE") && top.contains("ID "),
        "the table follows: {top}"
    );
    assert!(
        !top.contains("pages listed") && !top.contains("reading numbers"),
        "the progress line is cleared before the table: {top}"
    );
    assert!(
        !pty.output().contains(TOKEN),
        "the token never reaches the terminal"
    );
}

/// The first screenful of everything written, as a terminal with scrollback shows it.
fn top_of_output(raw: &str) -> String {
    let rows = std::num::NonZeroU16::new(ROWS).unwrap();
    let cols = std::num::NonZeroU16::new(COLS).unwrap();
    let mut parser = vt100::Parser::new(rows, cols, 5_000);
    parser.process(raw.as_bytes());
    // Clamped to the history there is: the view scrolls to its top.
    parser.screen_mut().set_scrollback(usize::MAX);
    parser.screen().contents()
}

#[test]
fn a_piped_refresh_writes_no_progress() {
    let rig = slow_fleet(Duration::from_millis(150));
    for args in [
        &["numbers", "--refresh"][..],
        &["numbers", "--refresh", "--json"][..],
    ] {
        let run = rig.wareg(args);
        assert_eq!(run.code, 0, "{}", run.stderr);
        // Only the usual note is on stderr: no progress words, no carriage returns or escapes.
        for line in run.stderr.lines() {
            assert!(
                line.starts_with("note: these answers came from a wareg sandbox"),
                "{args:?}: unexpected stderr line {line:?}"
            );
        }
        assert!(!run.stderr.contains('\r') && !run.stderr.contains('\x1b'));
    }
}

#[test]
fn a_quick_refresh_on_a_terminal_shows_no_progress() {
    // One page at no latency ends well within the second before the line would show.
    let rig = Rig::new("v25.0");
    let mut pty = Pty::spawn_args(&rig, &["numbers", "--refresh"]);
    assert!(pty.wait_exit().success(), "{}", pty.contents());
    assert!(
        !pty.output().contains("reading numbers"),
        "{}",
        pty.output()
    );
}

#[test]
fn a_bulk_run_counts_on_a_terminal_and_its_number_lines_stay_whole() {
    let rig = fleet_rig(12, Duration::from_millis(150));
    let env = rig.env(&[("FLEET_PIN", "135790")]);
    let args = [
        "bulk",
        "set-pin",
        "--label",
        "Fleet *",
        "--pin-env",
        "FLEET_PIN",
        "--concurrency",
        "1",
        "--yes",
    ];
    let mut pty = Pty::spawn_with_env(&env, &args);
    let screen = pty.wait_for("the run's count", |s| s.contains("numbers ended"));
    let line = row(&screen, "numbers ended");
    assert!(
        regex::Regex::new(r"bulk set PIN: numbers ended \d+/12 · \d+s")
            .unwrap()
            .is_match(line),
        "{line}"
    );
    let status = pty.wait_exit();
    assert!(status.success(), "{}", pty.contents());
    let top = top_of_output(&pty.output());
    // A number's line is "  ID: state"; the plan's lines name it as "ID (label)".
    let number_line = regex::Regex::new(r"^\s*1990000000000\d{3}:").unwrap();
    let done: Vec<&str> = top.lines().filter(|l| number_line.is_match(l)).collect();
    assert_eq!(done.len(), 12, "one line per number: {top}");
    let whole = regex::Regex::new(r"^  1990000000000\d{3}: done\s*$").unwrap();
    for l in &done {
        assert!(
            whole.is_match(l),
            "a number's line is whole, with nothing of the progress line in it: {l:?}"
        );
    }
    assert!(!top.contains("numbers ended"), "cleared at the end: {top}");
    assert!(!pty.output().contains("135790"), "the PIN is never shown");
}
