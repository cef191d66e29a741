//! Bulk actions with the real binary: the dry run is what the run sends, a systemic error
//! stops the run, a SIGKILL mid-run resumes without sending anything twice, and the budget is
//! never overspent with another process spending beside it.

mod common;

use common::*;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

const FLEET_PIN: &str = "000000";

fn pin_env() -> [(&'static str, &'static str); 1] {
    [("FLEET_PIN", FLEET_PIN)]
}

/// POSTs the sandbox received per number, as their last path segment, in order.
fn posts_by_number(rig: &Rig) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for path in posts(&rig.sandbox) {
        let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
        if let [_, id, call] = parts[..] {
            out.entry(id.to_owned()).or_default().push(call.to_owned());
        }
    }
    out
}

/// "POST /settings (local storage DE)" → "settings".
fn call_name(call: &str) -> String {
    call.trim_start_matches("POST /")
        .split([' ', '('])
        .next()
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn the_dry_run_sends_nothing_and_the_run_sends_exactly_its_plan() {
    let rig = fleet_rig(12, Duration::ZERO);
    let dry = rig.wareg_with(
        &[
            "bulk",
            "region",
            "--label",
            "Fleet *",
            "--region",
            "DE",
            "--dry-run",
            "--json",
        ],
        None,
        &[],
    );
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    assert!(posts(&rig.sandbox).is_empty(), "a dry run sends nothing");
    let plan = dry.json();
    let planned: BTreeMap<String, Vec<String>> = plan["plans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["number"].as_str().unwrap().to_owned(),
                p["calls"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| call_name(c.as_str().unwrap()))
                    .collect(),
            )
        })
        .collect();
    assert_eq!(planned.len(), 12);
    assert_eq!(plan["totals"]["requests"], 36);

    let run = rig.wareg_with(
        &[
            "bulk",
            "region",
            "--label",
            "Fleet *",
            "--region",
            "DE",
            "--pin-env",
            "FLEET_PIN",
            "--yes",
            "--json",
        ],
        None,
        &pin_env(),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = run.json();
    assert!(
        doc["numbers"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n["state"] == "done"),
        "{doc}"
    );
    assert_eq!(
        posts_by_number(&rig),
        planned,
        "the run sends the plan, number by number"
    );
    // A new PIN for many numbers reaches the sandbox, never the journal, the trail or output.
    let new_pin = "493817";
    let set = rig.wareg_with(
        &[
            "bulk",
            "set-pin",
            "--label",
            "Fleet 0000*",
            "--pin-env",
            "NEW_PIN",
            "--yes",
        ],
        None,
        &[("NEW_PIN", new_pin)],
    );
    assert_eq!(set.code, 0, "{}", set.stderr);
    assert_eq!(
        rig.sandbox
            .received()
            .iter()
            .filter(|r| r.method == "POST"
                && !r.path.ends_with("/register")
                && r.params.contains_key("pin"))
            .count(),
        9
    );
    let journal = std::fs::read_dir(rig.data_dir().join("bulk"))
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect::<String>();
    for text in [&journal, &set.stdout, &set.stderr, &read(&rig.audit_path())] {
        assert!(!text.contains(new_pin), "the PIN leaked: {text}");
    }
}

#[test]
fn nothing_is_chosen_by_accident_and_a_bulk_without_yes_sends_nothing() {
    let rig = fleet_rig(3, Duration::ZERO);
    let none = rig.wareg(&["bulk", "deregister", "--dry-run"]);
    assert_eq!(none.code, 2, "{}", none.stderr);
    assert!(none.stderr.contains("--ids"), "{}", none.stderr);
    let unconfirmed = rig.wareg(&["bulk", "deregister", "--label", "Fleet *"]);
    assert_eq!(unconfirmed.code, 2, "{}", unconfirmed.stderr);
    assert!(
        unconfirmed.stderr.contains("--yes"),
        "{}",
        unconfirmed.stderr
    );
    assert!(posts(&rig.sandbox).is_empty());
    // The filter grammar chooses by live state: only the pending number.
    let pending = rig.wareg(&[
        "bulk",
        "register",
        "--filter",
        "status:pending",
        "--dry-run",
        "--json",
    ]);
    let doc = pending.json();
    let numbers: Vec<&str> = doc["plans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["number"].as_str().unwrap())
        .collect();
    assert_eq!(numbers, [PENDING], "{doc}");
}

#[test]
fn a_systemic_error_stops_the_run_and_the_rest_is_not_started() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let third = fleet_id(2);
    let server = runtime.block_on(async {
        use wiremock::matchers::{method, path_regex};
        use wiremock::{Mock, MockServer, ResponseTemplate};
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
                "id": "1", "status": "CONNECTED", "code_verification_status": "VERIFIED",
                "display_phone_number": "+1 555"
            })))
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path_regex(format!("/{third}/deregister$")))
            .respond_with(ResponseTemplate::new(401).set_body_json(serde_json::json!({
                "error": {"message": "Error validating access token", "type": "OAuthException", "code": 190}
            })))
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"success": true})))
            .mount(&server)
            .await;
        server
    });
    let dir = tempfile::tempdir().unwrap();
    let ids: PathBuf = dir.path().join("ids.txt");
    std::fs::write(&ids, (0..6).map(|i| fleet_id(i) + "\n").collect::<String>()).unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[profiles.p]\nbase_url = \"{}\"\napi_version = \"v25.0\"\ntoken_env = \"{TOKEN_VAR}\"\n",
            server.uri()
        ),
    )
    .unwrap();
    let env = vec![
        ("WAREG_CONFIG".to_owned(), config.display().to_string()),
        (
            "WAREG_DATA_DIR".to_owned(),
            dir.path().join("data").display().to_string(),
        ),
        (TOKEN_VAR.to_owned(), TOKEN.to_owned()),
    ];
    let ids_arg = ids.display().to_string();
    let run = run_wareg(
        &[
            "bulk",
            "deregister",
            "--ids",
            &ids_arg,
            "--concurrency",
            "1",
            "--yes",
            "--json",
        ],
        None,
        &env,
    );
    assert_eq!(
        run.code, 1,
        "Meta refused one: {}\n{}",
        run.stdout, run.stderr
    );
    let doc = run.json();
    let states: Vec<&str> = doc["numbers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["state"].as_str().unwrap())
        .collect();
    assert_eq!(
        states,
        [
            "done",
            "done",
            "failed",
            "not_started",
            "not_started",
            "not_started"
        ]
    );
    assert!(doc["stopped"].as_str().unwrap().contains("190"), "{doc}");
    drop(server);
}

#[test]
fn a_sigkill_mid_region_change_resumes_without_sending_any_step_twice() {
    let rig = fleet_rig(30, Duration::from_millis(40));
    let args = [
        "bulk",
        "region",
        "--label",
        "Fleet *",
        "--region",
        "DE",
        "--pin-env",
        "FLEET_PIN",
        "--yes",
    ];
    let mut child = start_wareg(&args, None, &rig.env(&pin_env()));
    // Kill once a third of the numbers have finished.
    let bulk_dir = rig.data_dir().join("bulk");
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let journal = loop {
        // The run's journal (beside it is its lock file).
        let path = std::fs::read_dir(&bulk_dir).ok().and_then(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path()))
                .find(|p| p.extension().is_some_and(|x| x == "jsonl"))
        });
        if let Some(path) = path
            && std::fs::read_to_string(&path)
                .unwrap_or_default()
                .matches("\"kind\":\"finished\"")
                .count()
                >= 10
        {
            break path;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the run did not get going"
        );
        std::thread::sleep(Duration::from_millis(10));
    };
    child.kill().unwrap();
    child.wait().unwrap();
    let id = journal.file_stem().unwrap().to_str().unwrap().to_owned();
    let shown = rig.wareg(&["bulk", "show", &id, "--json"]);
    let interrupted = shown.json()["numbers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["state"] == "interrupted")
        .count();
    assert!(
        interrupted > 0,
        "the kill caught numbers mid-way: {}",
        shown.stdout
    );

    let resumed = rig.wareg_with(
        &[
            "bulk",
            "resume",
            &id,
            "--pin-env",
            "FLEET_PIN",
            "--yes",
            "--json",
        ],
        None,
        &pin_env(),
    );
    assert_eq!(resumed.code, 0, "{}\n{}", resumed.stdout, resumed.stderr);
    let sent = posts_by_number(&rig);
    assert_eq!(sent.len(), 30, "{sent:?}");
    for (number, calls) in &sent {
        for call in ["deregister", "settings", "register"] {
            assert_eq!(
                calls.iter().filter(|c| *c == call).count(),
                1,
                "{number}: {call} sent once: {calls:?}"
            );
        }
    }
    let after = rig.wareg(&["bulk", "show", &id, "--json"]);
    assert!(
        after.json()["numbers"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n["state"] == "done"),
        "{}",
        after.stdout
    );
}

#[test]
fn a_bulk_run_never_overspends_with_another_process_spending_beside_it() {
    let rig = fleet_rig(6, Duration::from_millis(5));
    for i in 0..6 {
        seed_attempts(
            &rig.data_dir(),
            "sb",
            &fleet_id(i),
            wareg::audit::Operation::Register,
            9,
        );
    }
    let bulk = start_wareg(
        &[
            "bulk",
            "reregister",
            "--label",
            "Fleet *",
            "--pin-env",
            "FLEET_PIN",
            "--yes",
        ],
        None,
        &rig.env(&pin_env()),
    );
    let singles: Vec<_> = (0..6)
        .rev()
        .map(|i| {
            start_wareg(
                &["register", &fleet_id(i), "--pin-stdin"],
                Some(&format!("{FLEET_PIN}\n")),
                &rig.env(&[]),
            )
        })
        .collect();
    let bulk = finish(bulk);
    for single in singles {
        finish(single);
    }
    for (number, calls) in posts_by_number(&rig) {
        assert!(
            calls.iter().filter(|c| *c == "register").count() <= 1,
            "{number} overspent: {calls:?}\n{}",
            bulk.stderr
        );
    }
}

#[test]
fn a_wrong_pin_for_all_stops_after_the_first_number_and_says_it_is_now_deregistered() {
    let rig = fleet_rig(6, Duration::ZERO);
    let run = rig.wareg_with(
        &[
            "bulk",
            "region",
            "--label",
            "Fleet *",
            "--region",
            "DE",
            "--pin-env",
            "BAD_PIN",
            "--yes",
            "--json",
        ],
        None,
        &[("BAD_PIN", "111111")],
    );
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let doc = run.json();
    assert!(doc["stopped"].as_str().unwrap().contains("133005"), "{doc}");
    let numbers = doc["numbers"].as_array().unwrap();
    assert_eq!(numbers[0]["state"], "failed");
    assert!(
        numbers[0]["message"]
            .as_str()
            .unwrap()
            .contains("now DEREGISTERED"),
        "{doc}"
    );
    assert!(
        numbers[1..].iter().all(|n| n["state"] == "not_started"),
        "{doc}"
    );
    let deregistered = posts(&rig.sandbox)
        .iter()
        .filter(|p| p.ends_with("/deregister"))
        .count();
    assert_eq!(deregistered, 1, "only the first number went out alone");
}

#[test]
fn a_run_is_held_by_one_process_and_a_pin_commands_output_is_never_repeated() {
    let rig = fleet_rig(3, Duration::ZERO);
    let mut text = std::fs::read_to_string(&rig.config).unwrap();
    text = text.replace(
        "timeout_secs = 10\n",
        "timeout_secs = 10\npin_command = [\"sh\", \"-c\", \"echo oops-secret-999 >&2; exit 3\"]\n",
    );
    std::fs::write(&rig.config, text).unwrap();
    let run = rig.wareg(&[
        "bulk",
        "set-pin",
        "--label",
        "Fleet *",
        "--pin-command",
        "--yes",
    ]);
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    let journal_dir = rig.data_dir().join("bulk");
    let journal = std::fs::read_dir(&journal_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .unwrap();
    for text in [&run.stdout, &run.stderr, &read(&journal)] {
        assert!(!text.contains("oops-secret"), "{text}");
    }
    assert!(
        run.stdout.contains("what it printed is not shown"),
        "{}",
        run.stdout
    );
    // While one process holds the run, a resume of it sends nothing.
    let id = journal.file_stem().unwrap().to_str().unwrap().to_owned();
    let held = wareg::bulk::Journal::open(&rig.data_dir(), &id).unwrap();
    let _claim = held.claim().unwrap().expect("nobody else holds it");
    let resumed = rig.wareg(&["bulk", "resume", &id, "--pin-command", "--yes"]);
    assert_eq!(resumed.code, 2, "{}", resumed.stderr);
    assert!(
        resumed.stderr.contains("another wareg"),
        "{}",
        resumed.stderr
    );
    assert!(posts(&rig.sandbox).is_empty());
}

/// The journal's entries in order, read (and their seals checked) as `bulk show` reads them.
fn journal_entries(rig: &Rig, id: &str) -> Vec<wareg::bulk::Entry> {
    wareg::bulk::Journal::open(&rig.data_dir(), id)
        .unwrap()
        .read()
        .unwrap()
        .entries
}

#[test]
fn a_stop_lets_the_numbers_in_flight_finish_and_the_journal_says_stopping_then_stopped() {
    use wareg::bulk::Entry;
    // Each call takes 120 ms: a region change is three of them, so numbers are in flight for
    // a while when Ctrl-C comes.
    let rig = fleet_rig(12, Duration::from_millis(120));
    let args = [
        "bulk",
        "region",
        "--label",
        "Fleet *",
        "--region",
        "DE",
        "--pin-env",
        "FLEET_PIN",
        "--concurrency",
        "3",
        "--yes",
    ];
    let child = start_wareg(&args, None, &rig.env(&pin_env()));
    let bulk_dir = rig.data_dir().join("bulk");
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    // Ctrl-C while numbers are in flight: more started than finished, after the first.
    let journal = loop {
        let path = std::fs::read_dir(&bulk_dir).ok().and_then(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path()))
                .find(|p| p.extension().is_some_and(|x| x == "jsonl"))
        });
        if let Some(path) = path {
            let text = read(&path);
            let started = text.matches("\"kind\":\"started\"").count();
            let finished = text.matches("\"kind\":\"finished\"").count();
            if started >= 2 && started > finished {
                break path;
            }
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the run did not get going"
        );
        std::thread::sleep(Duration::from_millis(5));
    };
    // SAFETY: kill(2) on the child this test started and has not reaped.
    assert_eq!(unsafe { libc::kill(child.id() as i32, libc::SIGINT) }, 0);
    let run = finish(child);
    assert_eq!(
        run.code, 2,
        "numbers were left not started: {}\n{}",
        run.stdout, run.stderr
    );
    assert!(run.stderr.contains("stopping:"), "{}", run.stderr);
    assert!(
        run.stdout.contains("continue with: wareg bulk resume"),
        "{}",
        run.stdout
    );
    let id = journal.file_stem().unwrap().to_str().unwrap().to_owned();
    let entries = journal_entries(&rig, &id);
    let at = |want: fn(&Entry) -> bool| entries.iter().position(want);
    let stopping = at(|e| matches!(e, Entry::Stopping { .. })).expect("a stopping line");
    let stopped = at(|e| matches!(e, Entry::Stopped { .. })).expect("a stopped line");
    assert!(stopping < stopped, "{entries:#?}");
    let Entry::Stopped {
        time: stopped_at, ..
    } = &entries[stopped]
    else {
        unreachable!()
    };
    let mut started: Vec<String> = Vec::new();
    let mut in_flight_at_stop = 0;
    for (i, entry) in entries.iter().enumerate() {
        match entry {
            Entry::Started { number, .. } => {
                assert!(
                    i < stopping,
                    "{number} started after `stopping`: {entries:#?}"
                );
                started.push(number.clone());
            }
            Entry::Finished { number, .. } => {
                assert!(i < stopped, "{number} ended after `stopped`: {entries:#?}");
                if i > stopping {
                    in_flight_at_stop += 1;
                }
            }
            Entry::Step { number, .. } => {
                assert!(i < stopped, "{number} sent after `stopped`: {entries:#?}")
            }
            _ => {}
        }
    }
    assert!(
        in_flight_at_stop > 0,
        "`stopping` is written when the stop is decided, before the numbers in flight end: {entries:#?}"
    );
    assert!(started.len() < 12, "numbers were left: {started:?}");
    // Every number that started finished its whole plan; none other was sent anything.
    let sent = posts_by_number(&rig);
    for number in &started {
        assert_eq!(
            sent.get(number).map(Vec::as_slice),
            Some(
                &[
                    "deregister".to_owned(),
                    "settings".into(),
                    "register".into()
                ][..]
            ),
            "{number} finished its plan"
        );
    }
    assert_eq!(sent.len(), started.len(), "{sent:?}");
    // The server saw nothing after `stopped` was written.
    let late: Vec<String> = rig
        .sandbox
        .received()
        .iter()
        .filter(|r| r.at > *stopped_at)
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert!(late.is_empty(), "sent after `stopped`: {late:?}");

    // The run resumes from there: every number ends done, each call sent once.
    let shown = rig.wareg(&["bulk", "show", &id]);
    assert!(shown.stdout.contains("Ctrl-C"), "{}", shown.stdout);
    let resumed = rig.wareg_with(
        &[
            "bulk",
            "resume",
            &id,
            "--pin-env",
            "FLEET_PIN",
            "--yes",
            "--json",
        ],
        None,
        &pin_env(),
    );
    assert_eq!(resumed.code, 0, "{}\n{}", resumed.stdout, resumed.stderr);
    let sent = posts_by_number(&rig);
    assert_eq!(sent.len(), 12, "{sent:?}");
    assert!(
        sent.values()
            .all(|calls| calls == &["deregister", "settings", "register"]),
        "{sent:?}"
    );
}
