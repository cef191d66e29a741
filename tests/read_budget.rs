//! Issue 27 item 11: a read's tries share one time budget (the profile's timeout, or
//! `read_budget_secs`), so a server that never answers costs one timeout, not three; and the
//! log says how many tries a read took.

mod common;

use common::*;
use std::time::{Duration, Instant};

/// The rig's config with `extra` added to its profile.
fn with_profile_lines(rig: &Rig, extra: &str) {
    let text = std::fs::read_to_string(&rig.config).unwrap();
    let text = text.replace(
        "timeout_secs = 1\n",
        &format!("timeout_secs = 1\n{extra}\n"),
    );
    std::fs::write(&rig.config, text).unwrap();
}

#[test]
fn a_read_that_never_answers_costs_one_timeout_not_three() {
    // The slow number answers after 4 s; the profile's timeout is 1 s.
    let rig = Rig::new("v25.0");
    let started = Instant::now();
    let run = rig.wareg(&["status", SLOW]);
    let took = started.elapsed();
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(run.stderr.contains("timeout"), "{}", run.stderr);
    assert!(
        took < Duration::from_millis(2500),
        "3 tries of 1 s each would take 3.4 s or more: {took:?}"
    );
    let gets = rig
        .calls()
        .iter()
        .filter(|c| c.starts_with("GET") && c.ends_with(SLOW))
        .count();
    assert_eq!(gets, 1, "{:?}", rig.calls());
    let log = std::fs::read_to_string(rig.log_path()).unwrap();
    assert!(
        log.contains("gave up after 1 try"),
        "the log says how many tries: {log}"
    );
}

#[test]
fn read_budget_secs_lets_a_read_try_again_within_it() {
    let rig = Rig::new("v25.0");
    with_profile_lines(&rig, "read_budget_secs = 3");
    let started = Instant::now();
    let run = rig.wareg(&["status", SLOW]);
    let took = started.elapsed();
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(took < Duration::from_millis(4500), "{took:?}");
    let gets = rig
        .calls()
        .iter()
        .filter(|c| c.starts_with("GET") && c.ends_with(SLOW))
        .count();
    assert!(
        gets >= 2,
        "tries again within the budget: {:?}",
        rig.calls()
    );
    let log = std::fs::read_to_string(rig.log_path()).unwrap();
    assert!(
        log.contains(&format!("gave up after {gets} tries")),
        "{log}"
    );
}

#[test]
fn read_budget_secs_is_checked_like_the_other_limits() {
    let rig = Rig::new("v25.0");
    for bad in ["read_budget_secs = 0", "read_budget_secs = 601"] {
        let text = std::fs::read_to_string(&rig.config).unwrap();
        with_profile_lines(&rig, bad);
        let run = rig.wareg(&["config", "check"]);
        assert_eq!(run.code, 2, "{bad}: {}", run.stderr);
        assert!(
            run.stderr.contains(&format!("{bad} is out of range")),
            "{}",
            run.stderr
        );
        assert!(run.stderr.contains("config.toml:"), "{}", run.stderr);
        std::fs::write(&rig.config, text).unwrap();
    }
}
