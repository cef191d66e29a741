//! The real binary against the sandbox over loopback: happy paths, bad input, budget, faults.

mod common;

use common::*;
use wareg::audit::Operation;

#[test]
fn numbers_refresh_lists_configured_and_discovered_numbers() {
    let rig = Rig::new("v25.0");
    let run = rig.wareg(&["numbers", "--refresh", "--json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let list = run.json()["numbers"].as_array().unwrap().clone();
    assert_eq!(list.len(), 16, "2 configured + 14 discovered");
    assert_eq!(list[0]["id"], PENDING);
    assert_eq!(list[0]["label"], "Sales UK");
    assert_eq!(list[0]["live"]["status"], "PENDING");
    assert_eq!(list[1]["live"]["status"], "CONNECTED");
    assert!(
        list.iter()
            .any(|n| n["configured"] == false && n["live"]["status"] == "UNVERIFIED")
    );
    assert_eq!(
        rig.calls(),
        ["GET /v25.0/102290129340398/phone_numbers"],
        "one page, no per-number reads"
    );
}

#[test]
fn numbers_without_refresh_sends_nothing() {
    let rig = Rig::new("v25.0");
    let run = rig.wareg(&["numbers"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("Sales UK") && run.stdout.contains(CONNECTED),
        "{}",
        run.stdout
    );
    assert!(rig.calls().is_empty());
}

#[test]
fn over_https_the_graph_is_reached_only_when_the_system_trusts_the_certificate() {
    let rig = Rig::new("v25.0");
    let front = tls::TlsFront::start(rig.sandbox.addr, tls::Preamble::None);
    rig.write_config_at(&format!("https://localhost:{}", front.port), "v25.0", 5);

    let trusted = tls::trusted_ca();
    let run = rig.wareg_with(
        &["numbers", "--refresh", "--json"],
        None,
        &[("SSL_CERT_FILE", &trusted)],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.json()["numbers"].as_array().unwrap().len(),
        16,
        "2 configured + 14 discovered"
    );
    assert_eq!(rig.calls(), ["GET /v25.0/102290129340398/phone_numbers"]);
    assert!(front.handshakes() >= 1);

    // The same server under a CA the system does not trust: refused before anything is sent.
    let handshakes = front.handshakes();
    let unknown = tls::unknown_ca();
    let run = rig.wareg_with(
        &["numbers", "--refresh", "--json"],
        None,
        &[("SSL_CERT_FILE", &unknown)],
    );
    assert_ne!(run.code, 0, "{}", run.stdout);
    assert!(
        run.stderr.contains("invalid peer certificate"),
        "{}",
        run.stderr
    );
    assert_eq!(front.handshakes(), handshakes, "no handshake completed");
    assert_eq!(rig.calls().len(), 1, "nothing more reached the sandbox");
}

#[test]
fn register_on_v25_sets_storage_with_settings_then_registers_plainly() {
    let rig = Rig::new("v25.0");
    let run = rig.wareg_stdin(
        &[
            "register",
            PENDING,
            "--region",
            "de",
            "--pin-stdin",
            "--json",
        ],
        "123456\n",
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = run.json();
    assert_eq!(out["ok"], true);
    assert_eq!(out["steps"][0]["call"], "POST /settings (local storage DE)");
    assert_eq!(out["budget"]["register"]["left"], 9);
    let received: Vec<_> = rig
        .sandbox
        .received()
        .into_iter()
        .filter(|r| r.method == "POST")
        .collect();
    assert_eq!(
        posts(&rig.sandbox),
        [
            format!("/v25.0/{PENDING}/settings"),
            format!("/v25.0/{PENDING}/register")
        ]
    );
    assert!(received[0].params["storage_configuration"].contains("IN_COUNTRY_STORAGE_ENABLED"));
    assert!(received[0].params["storage_configuration"].contains("\"DE\""));
    assert!(!received[1].params.contains_key("data_localization_region"));
    assert_eq!(received[1].params["messaging_product"], "whatsapp");

    let status = rig.wareg(&["status", PENDING, "--json"]);
    assert_eq!(status.code, 0, "{}", status.stderr);
    assert!(
        status
            .stderr
            .contains("came from a wareg sandbox, not from Meta"),
        "the sandbox says what it is: {}",
        status.stderr
    );
    let s = status.json();
    assert_eq!(s["live"]["status"], "CONNECTED");
    assert_eq!(s["storage"]["data_localization_region"], "DE");
    assert_eq!(s["budget"]["register"]["used"], 1);
}

/// v20 was retired on 2026-09-24 (docs/graph-api-facts.md §1) and Meta answers it as the oldest live version:
/// a v20 profile is warned about and planned with the v21+ storage flow, as Meta will apply it.
#[test]
fn a_retired_v20_profile_gets_the_v21_storage_flow() {
    let rig = Rig::new("v20.0");
    let run = rig.wareg_stdin(
        &["register", PENDING, "--region", "IN", "--pin-stdin"],
        "123456\n",
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("api_version v20.0 is retired since 2026-09-24"),
        "{}",
        run.stderr
    );
    assert!(
        run.stdout.contains("API v21.0"),
        "planned as v21: {}",
        run.stdout
    );
    let received: Vec<_> = rig
        .sandbox
        .received()
        .into_iter()
        .filter(|r| r.method == "POST")
        .collect();
    assert_eq!(
        received.iter().map(|r| r.path.as_str()).collect::<Vec<_>>(),
        [
            format!("/v20.0/{PENDING}/settings"),
            format!("/v20.0/{PENDING}/register")
        ]
    );
    assert!(!received[1].params.contains_key("data_localization_region"));
    let status = rig.wareg(&["status", PENDING, "--json"]).json();
    assert_eq!(status["storage"]["data_localization_region"], "IN");
}

#[test]
fn bad_pins_are_refused_before_anything_is_sent() {
    let rig = Rig::new("v25.0");
    for (pin, why) in [
        ("12345\n", "5 digits"),
        ("1234567\n", "7 digits"),
        ("12a456\n", "digits only"),
        ("\n", "empty"),
    ] {
        let run = rig.wareg_stdin(&["register", PENDING, "--pin-stdin"], pin);
        assert_eq!(run.code, 2, "{pin:?}: {}", run.stderr);
        assert!(run.stderr.contains(why), "{pin:?}: {}", run.stderr);
        assert!(run.stderr.contains("nothing was sent"), "{}", run.stderr);
    }
    let run = rig.wareg_with(
        &["register", PENDING, "--pin-env", "THE_PIN"],
        None,
        &[("THE_PIN", "98765")],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        !run.stderr.contains("98765"),
        "the error must not echo the PIN"
    );
    assert!(rig.calls().is_empty(), "{:?}", rig.calls());
    assert!(
        !rig.audit_path().exists(),
        "nothing to audit when nothing was sent"
    );
}

#[test]
fn unknown_region_and_bad_id_are_usage_errors() {
    let rig = Rig::new("v25.0");
    let run = rig.wareg_stdin(
        &["register", PENDING, "--region", "US", "--pin-stdin"],
        "123456\n",
    );
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("unknown region `US`"), "{}", run.stderr);
    let run = rig.wareg_stdin(&["register", "+4930123", "--pin-stdin"], "123456\n");
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("not a numeric id"), "{}", run.stderr);
    let run = rig.wareg(&["register", PENDING]);
    assert_eq!(run.code, 2, "a PIN source is required");
    assert!(rig.calls().is_empty());
}

#[test]
fn wrong_pin_is_a_graph_error_named_and_explained() {
    let rig = Rig::new("v25.0");
    let run = rig.wareg_stdin(&["register", CONNECTED, "--pin-stdin"], "000000\n");
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("133005"), "{}", run.stderr);
    assert!(
        run.stderr.contains("Two-step PIN mismatch"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("fbtrace_id: A"), "{}", run.stderr);
    assert!(
        run.stderr.contains("9 of 10 left"),
        "budget after the attempt: {}",
        run.stderr
    );
}

#[test]
fn an_exhausted_budget_refuses_locally_unless_forced() {
    let rig = Rig::new("v25.0");
    seed_attempts(&rig.data_dir(), "sb", PENDING, Operation::Register, 10);
    let run = rig.wareg_stdin(&["register", PENDING, "--pin-stdin"], "123456\n");
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("refusing the register"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("frees up at"), "{}", run.stderr);
    assert!(run.stderr.contains("--force"), "{}", run.stderr);
    assert!(posts(&rig.sandbox).is_empty());

    let run = rig.wareg_stdin(&["register", PENDING, "--pin-stdin", "--force"], "123456\n");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(posts(&rig.sandbox), [format!("/v25.0/{PENDING}/register")]);
    let trail = read(&rig.audit_path());
    assert!(trail.contains("\"forced\":true"), "{trail}");
}

#[test]
fn the_sandbox_locks_the_eleventh_request_with_133016() {
    let rig = Rig::new("v25.0");
    let mut last = None;
    for _ in 0..11 {
        last = Some(rig.wareg_stdin(
            &["register", CONNECTED, "--pin-stdin", "--force"],
            "000000\n",
        ));
    }
    let run = last.unwrap();
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("133016") && run.stderr.contains("72 hours"),
        "{}",
        run.stderr
    );
}

#[test]
fn deregister_needs_yes_and_reports_133010_for_unregistered_numbers() {
    let rig = Rig::new("v25.0");
    let run = rig.wareg(&["deregister", CONNECTED]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("--yes") && run.stderr.contains("local storage"),
        "{}",
        run.stderr
    );
    assert!(rig.calls().is_empty());

    let run = rig.wareg(&["deregister", CONNECTED, "--yes", "--json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["budget"]["deregister"]["left"], 9);
    let status = rig.wareg(&["status", CONNECTED, "--json"]).json();
    assert_eq!(status["live"]["status"], "DISCONNECTED");
    assert_eq!(
        status["storage"]["status"], "DEFAULT",
        "deregister turns local storage off"
    );

    // The engine refuses what it knows would only spend budget; --force sends anyway.
    let before = posts(&rig.sandbox).len();
    let run = rig.wareg(&["deregister", PENDING, "--yes"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("not registered"), "{}", run.stderr);
    assert_eq!(posts(&rig.sandbox).len(), before, "nothing was sent");
    let run = rig.wareg(&["deregister", PENDING, "--yes", "--force"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("133010"), "{}", run.stderr);
    let run = rig.wareg(&["deregister", COEXISTENCE, "--yes", "--force"]);
    assert_eq!(run.code, 2, "coexistence cannot be forced: {}", run.stderr);
    assert!(run.stderr.contains("coexistence"), "{}", run.stderr);
    assert_eq!(posts(&rig.sandbox).len(), before + 1);
}

#[test]
fn ownership_verification_then_register() {
    let rig = Rig::new("v25.0");
    let run = rig.wareg_stdin(&["register", UNVERIFIED, "--pin-stdin"], "123456\n");
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("ownership is not verified") && run.stderr.contains("--force"),
        "{}",
        run.stderr
    );
    assert!(posts(&rig.sandbox).is_empty(), "nothing was sent");
    // Forced, Meta's own answer says the same.
    let run = rig.wareg_stdin(
        &["register", UNVERIFIED, "--pin-stdin", "--force"],
        "123456\n",
    );
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("133006") && run.stderr.contains("request-code"),
        "{}",
        run.stderr
    );

    let run = rig.wareg(&[
        "request-code",
        UNVERIFIED,
        "--method",
        "voice",
        "--language",
        "de_DE",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let sent = rig.sandbox.received().last().cloned().unwrap();
    assert_eq!(sent.params["code_method"], "VOICE");
    assert_eq!(sent.params["language"], "de_DE");

    let code = rig.sandbox.pending_code(UNVERIFIED).unwrap();
    let wrong = if code == "111111" { "222222" } else { "111111" };
    let run = rig.wareg_stdin(
        &["verify-code", UNVERIFIED, "--code-stdin"],
        &format!("{wrong}\n"),
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let run = rig.wareg_with(
        &["verify-code", UNVERIFIED, "--code-env", "CODE"],
        None,
        &[("CODE", &code)],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let status = rig.wareg(&["status", UNVERIFIED, "--json"]).json();
    assert_eq!(status["live"]["code_verification_status"], "VERIFIED");

    let run = rig.wareg_stdin(&["register", UNVERIFIED, "--pin-stdin"], "123456\n");
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn request_code_rejects_a_bad_language_locally() {
    let rig = Rig::new("v25.0");
    let run = rig.wareg(&[
        "request-code",
        UNVERIFIED,
        "--method",
        "sms",
        "--language",
        "english",
    ]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("en_US"), "{}", run.stderr);
    assert!(rig.calls().is_empty());
}

#[test]
fn set_pin_then_register_needs_the_new_pin() {
    let rig = Rig::new("v25.0");
    let run = rig.wareg_with(
        &["set-pin", CONNECTED, "--pin-env", "NEWPIN"],
        None,
        &[("NEWPIN", "135790")],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("cannot turn two-step verification off"),
        "{}",
        run.stdout
    );
    let run = rig.wareg_stdin(
        &["register", CONNECTED, "--pin-stdin"],
        &format!("{CONNECTED_PIN}\n"),
    );
    assert_eq!(run.code, 1, "the old PIN no longer matches");
    let run = rig.wareg_stdin(&["register", CONNECTED, "--pin-stdin"], "135790\n");
    assert_eq!(run.code, 0, "{}", run.stderr);
}

fn assert_unknown_outcome(rig: &Rig, number: &str, expect: &str) {
    // The number's reads misbehave too: without --force nothing is sent.
    let run = rig.wareg_stdin(&["register", number, "--pin-stdin"], "246810\n");
    assert_eq!(run.code, 3, "{number}: {}", run.stderr);
    assert!(
        run.stderr.contains("before planning (nothing was sent"),
        "{}",
        run.stderr
    );
    assert!(posts(&rig.sandbox).is_empty());
    let run = rig.wareg_stdin(
        &["register", number, "--pin-stdin", "--json", "--force"],
        "246810\n",
    );
    assert_eq!(run.code, 3, "{number}: {}", run.stderr);
    assert!(
        run.stderr.contains("outcome of POST /register is unknown"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains(expect), "{number}: {}", run.stderr);
    assert!(run.stderr.contains("does not retry"), "{}", run.stderr);
    let out = run.json();
    assert_eq!(out["error"]["kind"], "unknown_outcome");
    assert_eq!(out["steps"][0]["result"], "unknown");
    let registers = rig
        .calls()
        .iter()
        .filter(|c| c.as_str() == format!("POST /v25.0/{number}/register"))
        .count();
    assert_eq!(registers, 1, "register is never retried: {:?}", rig.calls());
    let calls = rig.calls();
    let sent = calls
        .iter()
        .position(|c| c == &format!("POST /v25.0/{number}/register"))
        .unwrap();
    assert!(
        calls[sent..].contains(&format!("GET /v25.0/{number}")),
        "after an unknown outcome the status is read: {calls:?}"
    );
    let trail = read(&rig.audit_path());
    let outcome = trail.lines().rev().find(|l| l.contains(number)).unwrap();
    assert!(outcome.contains("\"outcome\":\"unknown\""), "{outcome}");
}

#[test]
fn html_502_is_reported_plainly_and_the_outcome_is_unknown() {
    let rig = Rig::new("v25.0");
    assert_unknown_outcome(&rig, HTML502, "HTTP 502 (text/html");
}

#[test]
fn truncated_json_is_reported_plainly() {
    let rig = Rig::new("v25.0");
    assert_unknown_outcome(&rig, TRUNCATED, "cut off after");
}

#[test]
fn a_dropped_connection_is_reported_plainly() {
    let rig = Rig::new("v25.0");
    assert_unknown_outcome(&rig, RESET, "network failure");
}

/// A register that gets no answer in time: unknown, never resent, read back once. The reads
/// answer at once here (a stand-in that is slow only on the register), so the test measures
/// the one timeout and nothing else.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_answer_times_out_and_is_not_retried() {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let server = MockServer::start().await;
    let number = serde_json::json!({"id": SLOW, "status": "CONNECTED", "code_verification_status": "VERIFIED"});
    Mock::given(method("GET"))
        .and(path(format!("/v25.0/{SLOW}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(number))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/v25.0/{SLOW}/settings")))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({"storage_configuration": {"status": "DEFAULT"}})),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("/v25.0/{SLOW}/register")))
        .respond_with(ResponseTemplate::new(200).set_delay(std::time::Duration::from_secs(3)))
        .expect(1)
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "default_profile = \"w\"\n[profiles.w]\nbase_url = \"{}\"\napi_version = \"v25.0\"\ntoken_env = \"{TOKEN_VAR}\"\ntimeout_secs = 1\n",
            server.uri()
        ),
    )
    .unwrap();
    let env = vec![
        ("WAREG_CONFIG".to_owned(), config.display().to_string()),
        (
            "WAREG_DATA_DIR".to_owned(),
            dir.path().display().to_string(),
        ),
        (TOKEN_VAR.to_owned(), TOKEN.to_owned()),
    ];
    let run = tokio::task::spawn_blocking(move || {
        run_wareg(
            &["register", SLOW, "--pin-stdin", "--json"],
            Some("246810\n"),
            &env,
        )
    })
    .await
    .unwrap();
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(
        run.stderr.contains("no answer within 1s (timeout)"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("does not retry"), "{}", run.stderr);
    assert!(
        run.stderr.contains("status now reads CONNECTED"),
        "{}",
        run.stderr
    );
    let out = run.json();
    assert_eq!(out["steps"][0]["result"], "unknown");
    assert_eq!(out["read_back"]["status"], "CONNECTED");
    let calls: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| format!("{} {}", r.method, r.url.path()))
        .collect();
    let sent = calls
        .iter()
        .position(|c| c == &format!("POST /v25.0/{SLOW}/register"))
        .unwrap();
    assert_eq!(
        calls[sent + 1..],
        [format!("GET /v25.0/{SLOW}")],
        "one read back after the unknown outcome: {calls:?}"
    );
    let trail = read(&dir.path().join("audit.jsonl"));
    assert!(
        trail
            .lines()
            .last()
            .unwrap()
            .contains("\"outcome\":\"unknown\""),
        "{trail}"
    );
}

#[test]
fn reads_of_misbehaving_numbers_fail_cleanly_with_exit_3() {
    let rig = Rig::new("v25.0");
    let run = rig.wareg(&["status", HTML502]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(run.stderr.contains("502"), "{}", run.stderr);
    let gets = rig
        .calls()
        .iter()
        .filter(|c| c.starts_with(&format!("GET /v25.0/{HTML502}")))
        .count();
    assert!(gets >= 3, "reads are retried on 5xx: {:?}", rig.calls());
    assert!(!run.stderr.contains("panicked"));
}

#[test]
fn connection_refused_is_a_network_failure() {
    let rig = Rig::new("v25.0");
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let text =
        read(&rig.config).replace(&rig.sandbox.base_url(), &format!("http://127.0.0.1:{port}"));
    std::fs::write(&rig.config, text).unwrap();
    let run = rig.wareg(&["status", CONNECTED]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(run.stderr.contains("could not connect"), "{}", run.stderr);
}

#[test]
fn an_expired_token_is_explained() {
    let mut rig = Rig::new("v25.0");
    rig.token = wareg::sandbox::EXPIRED_TOKEN.into();
    let run = rig.wareg(&["status", CONNECTED, "--json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("190") && run.stderr.contains("new System User token"),
        "{}",
        run.stderr
    );
    let out = run.json();
    assert_eq!(out["error"]["detail"]["code"], 190);
    assert_eq!(out["error"]["detail"]["subcode"], 463);
}

#[test]
fn a_missing_token_is_a_config_error_and_sends_nothing() {
    let rig = Rig::new("v25.0");
    let run = rig.wareg_with(&["status", CONNECTED], None, &[(TOKEN_VAR, "")]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains(TOKEN_VAR), "{}", run.stderr);
    assert!(rig.calls().is_empty());
}

#[test]
fn audit_lists_intent_and_outcome() {
    let rig = Rig::new("v25.0");
    rig.wareg_stdin(&["register", CONNECTED, "--pin-stdin"], "000000\n");
    let run = rig.wareg(&["audit", CONNECTED, "--json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let records = run.json()["records"].as_array().unwrap().clone();
    assert_eq!(records.len(), 2);
    assert_eq!(records[0]["phase"], "intent");
    assert_eq!(records[1]["outcome"], "error");
    assert_eq!(records[1]["code"], 133005);
    assert!(records[1]["trace"].as_str().unwrap().starts_with('A'));
    assert!(
        records[0]["operator"]
            .as_str()
            .is_some_and(|o| o.contains('@')),
        "every record names its operator: {}",
        records[0]
    );
    let text = rig.wareg(&["audit"]);
    assert!(text.stdout.contains("133005"), "{}", text.stdout);
    // Text lines name the number with its configured label.
    let line = text
        .stdout
        .lines()
        .find(|l| l.contains(CONNECTED))
        .unwrap_or_default();
    assert!(line.contains("Support DE"), "{}", text.stdout);
}

#[test]
fn audit_filters_by_window_operation_and_operator_and_streams_valid_json() {
    let rig = Rig::new("v25.0");
    let log = wareg::ledger::AuditLog::in_dir(&rig.data_dir());
    let now = chrono::Utc::now();
    let rec = |days: i64, n: &str, op: Operation, who: &str| {
        let mut r = wareg::audit::AuditRecord::intent(
            now - chrono::Duration::days(days),
            format!("{n}-{days}"),
            "sb",
            &wareg::graph::NumberId::parse(n).unwrap(),
            op,
        );
        r.operator = Some(who.to_owned());
        log.append(&r).unwrap();
    };
    rec(400, CONNECTED, Operation::Register, "ana@desk-1");
    rec(10, CONNECTED, Operation::Deregister, "ana@desk-1");
    rec(2, PENDING, Operation::Register, "bo@desk-2");
    rec(1, CONNECTED, Operation::Register, "bo@desk-2");
    let attempts = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["audit", "--json"];
        all.extend_from_slice(args);
        let run = rig.wareg(&all);
        assert_eq!(run.code, 0, "{}", run.stderr);
        run.json()["records"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["attempt"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(attempts(&[]).len(), 4, "without --since, the whole trail");
    assert_eq!(
        attempts(&["--since", "7d"]),
        [format!("{PENDING}-2"), format!("{CONNECTED}-1")]
    );
    assert_eq!(
        attempts(&["--op", "register", "--operator", "ana"]),
        [format!("{CONNECTED}-400")]
    );
    assert_eq!(
        attempts(&[CONNECTED, "--operator", "bo@desk-2"]),
        [format!("{CONNECTED}-1")]
    );
    assert_eq!(
        attempts(&["--number", CONNECTED, "--operator", "bo@desk-2"]),
        [format!("{CONNECTED}-1")]
    );
    assert!(attempts(&["--operator", "bo@desk-1"]).is_empty());
    let bad = rig.wareg(&["audit", "--since", "yesterday"]);
    assert_eq!(bad.code, 2, "{}", bad.stderr);
    assert!(bad.stderr.contains("--since"), "{}", bad.stderr);
    let bad = rig.wareg(&["audit", "--op", "fly"]);
    assert_eq!(bad.code, 2, "{}", bad.stderr);
    assert!(bad.stderr.contains("deregister"), "{}", bad.stderr);
}

#[test]
fn audit_of_an_old_trail_names_the_lines_that_are_not_records_and_prints_the_rest() {
    let rig = Rig::new("v25.0");
    let path = wareg::ledger::AuditLog::in_dir(&rig.data_dir())
        .path()
        .to_path_buf();
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let at = (chrono::Utc::now() - chrono::Duration::hours(2)).to_rfc3339();
    // What an older wareg or a hand wrote: a phone number for an id, a region that is none
    // of the 14, a region in lower case, and a line cut off by a crash.
    let line = |attempt: &str, number: &str, region: &str| {
        format!(
            r#"{{"time":"{at}","attempt":"{attempt}","phase":"intent","profile":"sb","number":"{number}","op":"register"{region}}}"#
        )
    };
    let text = [
        line("plain", CONNECTED, ""),
        line("phone", "+44 20 7946 0123", ""),
        line("us", CONNECTED, r#","region":"US""#),
        line("in", CONNECTED, r#","region":"in""#),
        r#"{"time":"2026-11-24T10:00:00Z","att"#.to_owned(),
    ]
    .join("\n");
    std::fs::write(&path, text).unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        let private = |p: &std::path::Path, mode| {
            std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap()
        };
        private(path.parent().unwrap(), 0o700);
        private(&path, 0o600);
    }
    let whole = rig.wareg(&["audit", "--json"]);
    assert_eq!(whole.code, 0, "{}", whole.stderr);
    let doc = whole.json();
    let attempts: Vec<&str> = doc["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["attempt"].as_str().unwrap())
        .collect();
    assert_eq!(attempts, ["plain", "in"]);
    assert_eq!(doc["records"][1]["region"], "IN");
    assert_eq!(doc["skipped"], 3);
    let warnings: Vec<&str> = whole.stderr.lines().collect();
    assert_eq!(warnings.len(), 3, "{}", whole.stderr);
    let shown = path.display().to_string();
    assert!(
        warnings[0].starts_with(&format!(
            "warning: {shown}:2: unreadable line: `+44 20 7946 0123` is not a numeric id"
        )) && warnings[0].ends_with("(skipped)"),
        "{}",
        whole.stderr
    );
    assert!(
        warnings[1].starts_with(&format!(
            "warning: {shown}:3: unreadable line: unknown region `US`"
        )),
        "{}",
        whole.stderr
    );
    assert_eq!(
        warnings[2],
        format!("warning: {shown}:5: torn line (cut off, probably by a crash) (skipped)")
    );
    // Read from the end, the window's good lines; the rest is passed over without a word.
    let window = rig.wareg(&["audit", "--since", "1d", "--raw"]);
    assert_eq!(window.code, 0, "{}", window.stderr);
    assert!(window.stderr.is_empty(), "{}", window.stderr);
    let lines: Vec<&str> = window.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", window.stdout);
    // The id in its column of 17, as always.
    assert!(
        lines[0].contains(&format!("  {CONNECTED}   "))
            && lines[0].ends_with(" register     sending  profile sb"),
        "{}",
        window.stdout
    );
    assert!(lines[1].contains(" region IN "), "{}", window.stdout);
    // The budget counts both good attempts, as before.
    let status = rig.wareg(&["status", CONNECTED, "--json"]);
    assert_eq!(status.code, 0, "{}", status.stderr);
    assert_eq!(
        status.json()["budget"]["register"]["used"],
        2,
        "{}",
        status.stdout
    );
}

#[test]
fn config_commands() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sub").join("config.toml");
    let p = path.display().to_string();
    let run = run_wareg(&["--config", &p, "config", "init"], None, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(read(&path).contains("[profiles.prod]"));
    let again = run_wareg(&["--config", &p, "config", "init"], None, &[]);
    assert_eq!(again.code, 2);
    assert!(again.stderr.contains("already exists"), "{}", again.stderr);
    let check = run_wareg(&["--config", &p, "config", "check"], None, &[]);
    assert_eq!(check.code, 0, "{}", check.stderr);

    std::fs::write(&path, "[profiles.prod]\ntoken_env = \"T\"\ntimeout = 3\n").unwrap();
    let bad = run_wareg(&["--config", &p, "config", "check"], None, &[]);
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr
            .contains(&format!("{p}:3:1: unknown field `timeout`")),
        "{}",
        bad.stderr
    );

    let env = [("WAREG_CONFIG".to_owned(), p.clone())];
    let path_run = run_wareg(&["config", "path"], None, &env);
    assert_eq!(path_run.stdout.trim(), p);
}

#[test]
fn completions_are_generated() {
    let run = run_wareg(&["completions", "bash"], None, &[]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("register") && run.stdout.contains("--pin-stdin"));
}

#[test]
fn a_failed_listing_is_an_error_for_its_profile() {
    let rig = Rig::new("v25.0");
    let text = read(&rig.config).replace(&rig.sandbox.waba_id(), "999000111");
    std::fs::write(&rig.config, text).unwrap();
    let run = rig.wareg(&["numbers", "--refresh", "--json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("profile sb: listing the WABA failed"),
        "{}",
        run.stderr
    );
    let out = run.json();
    assert_eq!(out["profiles"][0]["name"], "sb");
    assert_eq!(out["profiles"][0]["listing"], "failed");
    assert_eq!(out["profiles"][0]["error"]["code"], 100);
    // The configured numbers were still read one by one.
    assert_eq!(out["numbers"][0]["live"]["status"], "PENDING", "{out}");

    // With no configured numbers it is still an error, never "No numbers configured".
    let text = read(&rig.config);
    let cut = text.find("[[numbers]]").unwrap();
    std::fs::write(&rig.config, &text[..cut]).unwrap();
    let run = rig.wareg(&["numbers", "--refresh"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        !run.stdout.contains("No numbers configured"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("listing the WABA failed"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_sandbox_listening_beyond_this_machine_warns() {
    use std::io::{BufRead, BufReader};
    let mut child = start_wareg(&["sandbox", "--listen", "0.0.0.0:0"], None, &[]);
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut first = String::new();
        let _ = BufReader::new(stderr).read_line(&mut first);
        let _ = tx.send(first);
    });
    let first = rx.recv_timeout(std::time::Duration::from_secs(10));
    child.kill().unwrap();
    child.wait().unwrap();
    let first = first.expect("a line on stderr");
    assert!(first.contains("reachable from other machines"), "{first}");
}

#[test]
fn status_shows_coexistence_health_and_name_review() {
    let rig = Rig::new("v25.0");
    let run = rig.wareg(&["status", "106540352242925"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("health        LIMITED"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("payment method is missing"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("PENDING_REVIEW (under review"),
        "{}",
        run.stdout
    );
    let json = rig.wareg(&["status", "106540352242926", "--json"]).json();
    assert_eq!(json["live"]["health_status"]["can_send_message"], "BLOCKED");
    let run = rig.wareg(&["status", COEXISTENCE]);
    assert!(run.stdout.contains("coexistence   yes"), "{}", run.stdout);
    // The plan refuses a register while the name is reviewed, before anything is sent.
    let run = rig.wareg_stdin(&["register", "106540352242925", "--pin-stdin"], "135790\n");
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("display name is under review"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("would have no effect"),
        "{}",
        run.stderr
    );
    // Nothing to override: a register meanwhile "has no effect" (docs/graph-api-facts.md §9),
    // so --force is refused the same way, with what to do instead, and nothing is sent.
    let run = rig.wareg_stdin(
        &["register", "106540352242925", "--pin-stdin", "--force"],
        "135790\n",
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("wait for Meta's decision"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("--force"), "{}", run.stderr);
    let plan = rig.wareg(&["plan", "register", "106540352242925"]);
    let blocked = plan
        .stdout
        .lines()
        .find(|l| l.contains("blocked: the requested display name is under review"))
        .unwrap_or_else(|| panic!("{}", plan.stdout));
    assert!(!blocked.contains("--force"), "{blocked}");
    let after = rig.wareg(&["status", "106540352242925", "--json"]).json();
    assert_eq!(after["next"]["step"], "wait_review");
    assert_eq!(
        posts(&rig.sandbox)
            .iter()
            .filter(|p| p.ends_with("/register"))
            .count(),
        0,
        "nothing was sent"
    );
}

#[test]
fn the_sandbox_reports_call_budget_usage_and_json_carries_it() {
    let rig = Rig::new("v25.0");
    let out = rig.wareg(&["status", CONNECTED, "--json"]).json();
    let waba = rig.sandbox.waba_id();
    assert!(
        out["api_usage"]["wabas"][&waba]["percent"].is_u64(),
        "{out}"
    );
    let out = rig.wareg(&["numbers", "--refresh", "--json"]).json();
    assert!(out["api_usage"]["wabas"][&waba].is_object(), "{out}");
}

#[test]
fn a_reader_that_went_away_is_not_a_crash_and_the_exit_code_stays_true() {
    // stdout is a pipe whose reading end is already closed: every write fails with EPIPE.
    let run_closed = |args: &[&str]| {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_wareg"));
        cmd.args(args)
            .stdout(writer)
            .stderr(std::process::Stdio::piped())
            .stdin(std::process::Stdio::piped());
        cmd
    };
    let rig = Rig::new("v25.0");
    for (args, stdin, code) in [
        (vec!["status", CONNECTED], None, 0),
        (vec!["numbers", "--refresh", "--json"], None, 0),
        (vec!["plan", "register", PENDING], None, 0),
        (vec!["completions", "bash"], None, 0),
        (
            vec!["register", PENDING, "--pin-stdin", "--json"],
            Some("123456\n"),
            0,
        ),
        (vec!["deregister", UNVERIFIED, "--yes"], None, 2),
    ] {
        let mut cmd = run_closed(&args);
        for (k, v) in rig.env(&[]) {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().unwrap();
        {
            use std::io::Write;
            let mut pipe = child.stdin.take().unwrap();
            let _ = pipe.write_all(stdin.unwrap_or("").as_bytes());
        }
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_eq!(out.status.code(), Some(code), "{args:?}: {stderr}");
    }
}

#[test]
fn a_label_or_its_unique_beginning_stands_for_the_number() {
    let rig = Rig::new("v25.0");
    let exact = rig.wareg(&["status", "Support DE", "--json"]);
    assert_eq!(exact.code, 0, "{}", exact.stderr);
    assert_eq!(exact.json()["id"], CONNECTED, "{}", exact.stdout);
    assert!(
        exact.stderr.contains(&format!("Support DE → {CONNECTED}")),
        "it says which number: {}",
        exact.stderr
    );
    let prefix = rig.wareg(&["plan", "deregister", "sup", "--json"]);
    assert_eq!(prefix.code, 0, "{}", prefix.stderr);
    assert!(prefix.stdout.contains(CONNECTED), "{}", prefix.stdout);
    let ambiguous = rig.wareg(&["status", "s"]);
    assert_eq!(ambiguous.code, 2, "{}", ambiguous.stderr);
    assert!(
        ambiguous.stderr.contains("matches 2 labels")
            && ambiguous.stderr.contains(CONNECTED)
            && ambiguous.stderr.contains(PENDING),
        "{}",
        ambiguous.stderr
    );
    let unknown = rig.wareg(&["deregister", "Nobody", "--yes"]);
    assert_eq!(unknown.code, 2, "{}", unknown.stderr);
    assert!(
        unknown.stderr.contains("not a numeric id") && unknown.stderr.contains("configured label"),
        "{}",
        unknown.stderr
    );
    assert!(
        rig.calls().iter().all(|c| c.starts_with("GET")),
        "{:?}",
        rig.calls()
    );
}
