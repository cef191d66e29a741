//! Meta's per-WABA call budget (docs/graph-api-facts.md §6), enforced by the sandbox: wareg stops at the first
//! throttle, across processes, says when access returns, and asks before a mutation meanwhile.

mod common;

use common::*;
use std::time::Duration;
use wareg::sandbox::{CallBudget, SandboxOptions};

fn budget_rig(calls: usize) -> Rig {
    Rig::with(
        "v25.0",
        SandboxOptions {
            call_budget: Some(CallBudget {
                calls,
                window: Duration::from_secs(3600),
            }),
            ..SandboxOptions::default()
        },
    )
}

#[test]
fn the_first_80008_stops_every_read_of_the_waba_in_every_later_process() {
    let rig = budget_rig(40);
    // Each refresh costs one listing page; the 41st read is refused by "Meta".
    let mut throttled = None;
    for run in 0..60 {
        let out = rig.wareg(&["numbers", "--refresh"]);
        if out.code != 0 {
            throttled = Some((run, out));
            break;
        }
    }
    let (run, out) = throttled.expect("the budget of 40 runs out");
    assert_eq!(run, 40, "forty refreshes fit in a budget of forty reads");
    assert_eq!(
        out.code, 1,
        "Meta answered with the throttle code: {}",
        out.stderr
    );
    assert!(out.stderr.contains("80008"), "{}", out.stderr);
    assert!(
        out.stderr.contains("until ") && out.stderr.contains(" min)"),
        "the CLI names when access returns: {}",
        out.stderr
    );
    let sent = rig.calls().len();
    assert_eq!(sent, 41, "one refused read, never retried");

    // The next commands know it from the data dir and send nothing at all.
    let again = rig.wareg(&["numbers", "--refresh", "--json"]);
    assert_eq!(again.code, 2, "{}", again.stderr);
    assert!(
        again.stderr.contains("nothing was sent") && again.stderr.contains("WABA"),
        "{}",
        again.stderr
    );
    let status = rig.wareg(&["status", CONNECTED, "--json"]);
    assert_eq!(status.code, 2, "{}", status.stderr);
    assert!(
        status.json()["error"]["detail"]["access_returns"].is_string(),
        "{}",
        status.stdout
    );
    assert_eq!(rig.calls().len(), sent, "no read left the machine");

    // A mutation meanwhile needs --force, and then it goes out once.
    let register = rig.wareg_stdin(&["register", PENDING, "--pin-stdin"], "123456\n");
    assert_eq!(register.code, 2, "{}", register.stderr);
    assert!(register.stderr.contains("--force"), "{}", register.stderr);
    assert!(posts(&rig.sandbox).is_empty(), "nothing was sent");
    let forced = rig.wareg_stdin(
        &["register", PENDING, "--pin-stdin", "--force", "--json"],
        "123456\n",
    );
    assert!(
        forced.stderr.contains("throttling"),
        "the warning names the throttle: {}",
        forced.stderr
    );
    assert_eq!(
        posts(&rig.sandbox),
        [format!("/v25.0/{PENDING}/register")],
        "{}",
        forced.stderr
    );
}

#[test]
fn without_a_budget_the_sandbox_reports_usage_and_never_throttles() {
    let rig = Rig::new("v25.0");
    for _ in 0..3 {
        let out = rig.wareg(&["numbers", "--refresh", "--json"]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert!(out.json()["api_usage"].is_object(), "{}", out.stdout);
    }
}
