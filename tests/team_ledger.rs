//! The team ledger on a real PostgreSQL (a throwaway cluster, see common/pg.rs): two desks
//! (two data dirs, two configs, one database) share one budget; what a crash or a lost
//! database leaves is counted and pushed once; the ledger is adopted from a local trail.

mod common;

use common::pg;
use common::*;
use std::path::PathBuf;
use std::time::Duration;
use wareg::audit::{AuditRecord, Operation, Outcome, Phase};
use wareg::ledger::AuditLog;

/// One support desk: its own data dir and config, the shared sandbox and database.
struct Desk {
    dir: tempfile::TempDir,
    config: PathBuf,
    url: String,
}

impl Desk {
    fn new(base_url: &str, waba: &str, url: &str, operator: &str) -> Desk {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config.toml");
        std::fs::write(
            &config,
            format!(
                r#"default_profile = "sb"

[profiles.sb]
base_url = "{base_url}"
api_version = "v25.0"
token_env = "{TOKEN_VAR}"
waba_id = "{waba}"
timeout_secs = 5

[[numbers]]
id = "{PENDING}"
label = "Sales UK"

[ledger]
url_env = "WAREG_LEDGER_URL"
operator = "{operator}"
"#
            ),
        )
        .unwrap();
        Desk {
            dir,
            config,
            url: url.to_owned(),
        }
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn env(&self) -> Vec<(String, String)> {
        vec![
            ("WAREG_CONFIG".into(), self.config.display().to_string()),
            (
                "WAREG_DATA_DIR".into(),
                self.data_dir().display().to_string(),
            ),
            (TOKEN_VAR.into(), TOKEN.into()),
            ("WAREG_LEDGER_URL".into(), self.url.clone()),
        ]
    }

    fn run(&self, args: &[&str], stdin: Option<&str>) -> Run {
        self.run_with(args, stdin, &[])
    }

    fn run_with(&self, args: &[&str], stdin: Option<&str>, extra: &[(&str, &str)]) -> Run {
        let mut env = self.env();
        env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let run = run_wareg(args, stdin, &env);
        for text in [&run.stdout, &run.stderr] {
            assert!(!text.contains(pg::PASSWORD), "the password showed: {text}");
        }
        run
    }

    fn ledger(&self) -> wareg::ledger::PgLedger {
        let settings = wareg::ledger::pg::PgSettings::parse(
            &wareg::secret::Token::new(self.url.clone()),
            "wareg",
        )
        .unwrap();
        wareg::ledger::PgLedger::new(settings, &self.data_dir())
    }
}

/// A fresh database with the schema, or None when PostgreSQL is not here (skipped).
fn team_database() -> Option<String> {
    let url = pg::database()?;
    let settings =
        wareg::ledger::pg::PgSettings::parse(&wareg::secret::Token::new(url.clone()), "wareg")
            .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let applied = wareg::ledger::PgLedger::new(settings, dir.path())
        .init()
        .unwrap();
    assert_eq!(applied, ["V1 ledger", "V2 facts", "V3 storage"]);
    Some(url)
}

fn id(number: &str) -> wareg::graph::NumberId {
    wareg::graph::NumberId::parse(number).unwrap()
}

fn attempt(
    number: &str,
    op: Operation,
    ago: chrono::Duration,
    operator: &str,
    ended: bool,
) -> Vec<AuditRecord> {
    let mut intent = AuditRecord::intent(
        chrono::Utc::now() - ago,
        format!("seed-{}", fastrand::u64(..)),
        "sb",
        &id(number),
        op,
    );
    intent.operator = Some(operator.to_owned());
    let mut records = vec![intent.clone()];
    if ended {
        let mut outcome = intent;
        outcome.phase = Phase::Outcome;
        outcome.outcome = Some(Outcome::Error);
        outcome.code = Some(133005);
        records.push(outcome);
    }
    records
}

fn seed(ledger: &wareg::ledger::PgLedger, records: &[AuditRecord]) {
    use wareg::ledger::Ledger;
    for r in records {
        ledger.append(r).unwrap();
    }
}

/// The attempts a ledger's query hands over, in order, up to `most`.
fn asked(
    ledger: &dyn wareg::ledger::Ledger,
    query: &wareg::ledger::Query,
    most: usize,
) -> Vec<String> {
    let mut got = Vec::new();
    ledger
        .query(query, &mut |found| {
            got.push(found.map_or_else(|s| format!("skipped {}", s.line), |r| r.attempt));
            if got.len() == most {
                std::ops::ControlFlow::Break(())
            } else {
                std::ops::ControlFlow::Continue(())
            }
        })
        .unwrap();
    got
}

#[test]
fn the_team_ledger_answers_a_query_as_the_local_trail_does() {
    use wareg::ledger::{Ledger, LocalTrail, Query};
    let Some(url) = team_database() else { return };
    let desk = Desk::new("http://127.0.0.1:9", "1", &url, "ana@desk-1");
    let team = desk.ledger();
    let here = tempfile::tempdir().unwrap();
    let trail = LocalTrail::in_dir(here.path());
    let now = chrono::Utc::now();
    let writes = [
        (400, "old", PENDING, Operation::Register, "ana@desk-1"),
        (10, "ten", PENDING, Operation::SetPin, "ana@desk-2"),
        (2, "two", CONNECTED, Operation::Register, "bo@desk-2"),
        (1, "one", PENDING, Operation::Register, "an_@desk-9"),
    ];
    for (days, attempt, number, op, who) in writes {
        let mut r = AuditRecord::intent(
            now - chrono::Duration::days(days),
            attempt,
            "sb",
            &id(number),
            op,
        );
        r.operator = Some(who.into());
        team.append(&r).unwrap();
        trail.append(&r).unwrap();
    }
    let since = |days| Some(now - chrono::Duration::days(days));
    let queries = [
        (Query::default(), vec!["old", "ten", "two", "one"]),
        (
            Query {
                since: since(7),
                ..Query::default()
            },
            vec!["two", "one"],
        ),
        (
            Query {
                number: Some(id(PENDING)),
                op: Some(Operation::Register),
                ..Query::default()
            },
            vec!["old", "one"],
        ),
        (
            Query {
                op: Some(Operation::SetPin),
                since: since(30),
                ..Query::default()
            },
            vec!["ten"],
        ),
        (
            Query {
                operator: Some("ana".into()),
                ..Query::default()
            },
            vec!["old", "ten"],
        ),
        (
            Query {
                operator: Some("bo@desk-2".into()),
                ..Query::default()
            },
            vec!["two"],
        ),
        // A user's name is not a pattern: `_` is the character itself.
        (
            Query {
                operator: Some("a_a".into()),
                ..Query::default()
            },
            vec![],
        ),
        (
            Query {
                operator: Some("an_".into()),
                ..Query::default()
            },
            vec!["one"],
        ),
    ];
    for (query, expected) in &queries {
        assert_eq!(asked(&team, query, usize::MAX), *expected, "team {query:?}");
        assert_eq!(
            asked(&trail, query, usize::MAX),
            *expected,
            "trail {query:?}"
        );
    }
    assert_eq!(
        asked(&team, &Query::default(), 2),
        ["old", "ten"],
        "stops when told"
    );
}

#[test]
fn two_desks_four_processes_never_spend_the_last_attempt_twice() {
    for trial in 0..20 {
        let Some(url) = team_database() else { return };
        let rig = Rig::new("v25.0");
        let base = rig.sandbox.base_url();
        let waba = rig.sandbox.waba_id();
        let a = Desk::new(&base, &waba, &url, "ana@desk-1");
        let b = Desk::new(&base, &waba, &url, "bo@desk-2");
        let nine: Vec<AuditRecord> = (0..9)
            .flat_map(|_| {
                attempt(
                    PENDING,
                    Operation::Register,
                    chrono::Duration::hours(1),
                    "cy@desk-3",
                    true,
                )
            })
            .collect();
        seed(&a.ledger(), &nine);
        let args = ["register", PENDING, "--pin-stdin"];
        let children: Vec<_> = [&a, &b, &a, &b]
            .iter()
            .map(|desk| start_wareg(&args, Some("123456\n"), &desk.env()))
            .collect();
        let runs: Vec<Run> = children.into_iter().map(finish).collect();
        let registers = posts(&rig.sandbox)
            .iter()
            .filter(|p| p.ends_with("/register"))
            .count();
        assert_eq!(
            registers,
            1,
            "trial {trial}: {:?}",
            runs.iter().map(|r| &r.stderr).collect::<Vec<_>>()
        );
        let mut codes: Vec<i32> = runs.iter().map(|r| r.code).collect();
        codes.sort();
        assert_eq!(codes, [0, 2, 2, 2], "trial {trial}");
        for loser in runs.iter().filter(|r| r.code == 2) {
            assert!(
                loser.stderr.contains("Nothing was sent"),
                "trial {trial}: {}",
                loser.stderr
            );
            assert!(!loser.stderr.contains(pg::PASSWORD));
        }
    }
}

#[test]
fn over_tls_the_ledger_is_reached_only_when_the_system_trusts_the_certificate() {
    let Some(url) = team_database() else { return };
    let rig = Rig::new("v25.0");
    // postgres://postgres:PW@127.0.0.1:PORT/NAME, reached through a TLS front on localhost.
    let (before, rest) = url.split_once("@127.0.0.1:").unwrap();
    let (port, name) = rest.split_once('/').unwrap();
    let backend = format!("127.0.0.1:{port}").parse().unwrap();
    let front = tls::TlsFront::start(backend, tls::Preamble::PostgresSslRequest);
    let tls_url = format!("{before}@localhost:{}/{name}?sslmode=require", front.port);
    let desk = Desk::new(
        &rig.sandbox.base_url(),
        &rig.sandbox.waba_id(),
        &tls_url,
        "ana@desk-1",
    );

    let trusted = tls::trusted_ca();
    let status = desk.run_with(
        &["ledger", "status", "--json"],
        None,
        &[("SSL_CERT_FILE", &trusted)],
    );
    assert_eq!(status.code, 0, "{}", status.stderr);
    assert!(status.json().is_object(), "{}", status.stdout);
    assert!(front.handshakes() >= 1);

    let handshakes = front.handshakes();
    let unknown = tls::unknown_ca();
    let refused = desk.run_with(
        &["ledger", "status", "--json"],
        None,
        &[("SSL_CERT_FILE", &unknown)],
    );
    assert_ne!(refused.code, 0, "{}", refused.stdout);
    // The driver's words name the handshake, not the certificate (as before the switch).
    assert!(
        refused.stderr.contains("TLS handshake"),
        "{}",
        refused.stderr
    );
    assert_eq!(front.handshakes(), handshakes, "no handshake completed");
}

#[test]
fn an_unreachable_ledger_sends_nothing_and_says_so() {
    let rig = Rig::new("v25.0");
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("postgres://desk:{}@127.0.0.1:{closed}/wareg", pg::PASSWORD);
    let desk = Desk::new(
        &rig.sandbox.base_url(),
        &rig.sandbox.waba_id(),
        &url,
        "ana@desk-1",
    );
    let run = desk.run(&["register", PENDING, "--pin-stdin"], Some("123456\n"));
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("team ledger") && run.stderr.contains("127.0.0.1"),
        "{}",
        run.stderr
    );
    assert!(posts(&rig.sandbox).is_empty(), "nothing was sent");
    // A remote database without TLS is refused before any connection is tried.
    let remote = Desk::new(
        &rig.sandbox.base_url(),
        &rig.sandbox.waba_id(),
        &format!(
            "postgres://desk:{}@db.example.com/wareg?sslmode=disable",
            pg::PASSWORD
        ),
        "ana@desk-1",
    );
    let run = remote.run(&["register", PENDING, "--pin-stdin"], Some("123456\n"));
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("sslmode=disable"), "{}", run.stderr);
    assert!(posts(&rig.sandbox).is_empty());
}

#[test]
fn a_kill_after_the_intent_leaves_it_counted_and_sync_pushes_nothing_twice() {
    let Some(url) = team_database() else { return };
    // A server that takes the number's read and never answers its register.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server =
        runtime.block_on(async {
            use wiremock::matchers::{method, path_regex};
            use wiremock::{Mock, MockServer, ResponseTemplate};
            let server = MockServer::start().await;
            Mock::given(method("GET"))
                .and(path_regex("/settings$"))
                .respond_with(ResponseTemplate::new(200).set_body_json(
                    serde_json::json!({"storage_configuration": {"status": "DEFAULT"}}),
                ))
                .mount(&server)
                .await;
            Mock::given(method("GET"))
                .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
                    "id": PENDING, "status": "PENDING", "code_verification_status": "VERIFIED",
                    "display_phone_number": "+44 20 7946 0123"
                })))
                .mount(&server)
                .await;
            Mock::given(method("POST"))
                .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(60)))
                .mount(&server)
                .await;
            server
        });
    let desk = Desk::new(&server.uri(), "102290129340398", &url, "ana@desk-1");
    let mut child = start_wareg(
        &["register", PENDING, "--pin-stdin"],
        Some("123456\n"),
        &desk.env(),
    );
    let ledger = desk.ledger();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        use wareg::ledger::Ledger;
        let recent = ledger.recent(Some(&id(PENDING)), 10).unwrap();
        if recent.iter().any(|r| r.phase == Phase::Intent) {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no intent reached the ledger"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // The intent is committed and the request is out: kill -9 now.
    child.kill().unwrap();
    child.wait().unwrap();

    let plan = desk.run(&["plan", "register", PENDING, "--json"], None);
    let doc: serde_json::Value = serde_json::from_str(&plan.stdout)
        .unwrap_or_else(|e| panic!("{e}: {} {}", plan.stdout, plan.stderr));
    assert_eq!(doc["plans"][0]["budget"]["register"]["used"], 1, "{doc}");
    assert!(
        plan.stdout.contains("ana@desk-1"),
        "the plan names whose change is still open: {}",
        plan.stdout
    );
    let again = desk.run(
        &["register", PENDING, "--pin-stdin", "--force"],
        Some("123456\n"),
    );
    assert_eq!(again.code, 2, "{}", again.stderr);
    assert!(
        again.stderr.contains("is running register"),
        "{}",
        again.stderr
    );
    for _ in 0..2 {
        let sync = desk.run(&["ledger", "sync"], None);
        assert_eq!(sync.code, 0, "{}", sync.stderr);
        assert!(sync.stdout.contains("pushed 0"), "{}", sync.stdout);
    }
    let status = desk.run(&["ledger", "status", "--json"], None);
    let doc: serde_json::Value = serde_json::from_str(&status.stdout).unwrap();
    assert_eq!(doc["records"], 1, "the intent alone, once: {doc}");
    drop(server);
}

#[test]
fn an_outcome_that_cannot_reach_the_ledger_is_kept_and_pushed_once() {
    use wareg::ledger::Ledger;
    let Some(url) = team_database() else { return };
    let desk = Desk::new("http://127.0.0.1:9", "1", &url, "ana@desk-1");
    let ledger = desk.ledger();
    let records = attempt(
        PENDING,
        Operation::Register,
        chrono::Duration::zero(),
        "ana@desk-1",
        true,
    );
    ledger.append(&records[0]).unwrap();
    // The database goes away between the intent and the outcome.
    let gone_url = url.replace(&format!(":{}/", pg::cluster().unwrap().port), ":9/");
    let gone = Desk::new("http://127.0.0.1:9", "1", &gone_url, "ana@desk-1");
    let gone_ledger = wareg::ledger::PgLedger::new(
        wareg::ledger::pg::PgSettings::parse(&wareg::secret::Token::new(gone_url), "wareg")
            .unwrap(),
        &desk.data_dir(),
    );
    gone_ledger.append(&records[1]).unwrap();
    assert!(
        gone_ledger.append(&records[0]).is_err(),
        "an intent that cannot be written stops its request"
    );
    assert_eq!(
        ledger.pending().unwrap().len(),
        1,
        "the outcome is kept here"
    );
    // Counted meanwhile: this desk reads its waiting outcome with the ledger's records.
    let since = chrono::Utc::now() - chrono::Duration::days(1);
    let read = ledger.read_since(since).unwrap();
    assert_eq!(read.len(), 2, "{read:?}");
    drop(gone);
    let first = desk.run(&["ledger", "sync"], None);
    assert!(first.stdout.contains("pushed 1"), "{}", first.stdout);
    let second = desk.run(&["ledger", "sync"], None);
    assert!(second.stdout.contains("pushed 0"), "{}", second.stdout);
    assert_eq!(ledger.read_since(since).unwrap().len(), 2);
}

#[test]
fn an_abandoned_change_still_counts_and_needs_force_which_the_record_keeps() {
    let Some(url) = team_database() else { return };
    let rig = Rig::new("v25.0");
    let desk = Desk::new(
        &rig.sandbox.base_url(),
        &rig.sandbox.waba_id(),
        &url,
        "ana@desk-1",
    );
    let open = attempt(
        PENDING,
        Operation::Register,
        chrono::Duration::minutes(20),
        "bo@desk-2",
        false,
    );
    seed(&desk.ledger(), &open);
    let refused = desk.run(&["register", PENDING, "--pin-stdin"], Some("123456\n"));
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(
        refused.stderr.contains("abandoned") && refused.stderr.contains("bo@desk-2"),
        "{}",
        refused.stderr
    );
    assert!(posts(&rig.sandbox).is_empty());
    let forced = desk.run(
        &["register", PENDING, "--pin-stdin", "--force"],
        Some("123456\n"),
    );
    assert_eq!(forced.code, 0, "{}", forced.stderr);
    assert_eq!(posts(&rig.sandbox).len(), 1);
    let audit = desk.run(&["audit", PENDING, "--json", "--operator", "ana"], None);
    let doc: serde_json::Value = serde_json::from_str(&audit.stdout).unwrap();
    let mine = doc["records"].as_array().unwrap();
    assert_eq!(mine.len(), 2, "{doc}");
    assert_eq!(mine[0]["forced"], true, "the override is recorded: {doc}");
    assert_eq!(mine[0]["operator"], "ana@desk-1");
    assert!(mine[0]["host"].is_string());
}

#[test]
fn a_local_trail_of_100k_records_imports_once() {
    let Some(url) = team_database() else { return };
    let desk = Desk::new("http://127.0.0.1:9", "1", &url, "ana@desk-1");
    let from = tempfile::tempdir().unwrap();
    let now = chrono::Utc::now();
    let mut text = String::new();
    for i in 0..100_000u64 {
        let mut r = AuditRecord::intent(
            now - chrono::Duration::minutes(i as i64),
            format!("imp-{}", i / 2),
            "sb",
            &id(&format!("{}", 1_990_000_000_000_000u64 + i % 1000)),
            Operation::Register,
        );
        if i % 2 == 1 {
            r.phase = Phase::Outcome;
            r.outcome = Some(Outcome::Ok);
        }
        text.push_str(&serde_json::to_string(&r).unwrap());
        text.push('\n');
    }
    std::fs::write(AuditLog::in_dir(from.path()).path(), text).unwrap();
    let dir = from.path().display().to_string();
    let first = desk.run(&["ledger", "import", "--from", &dir], None);
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert!(
        first
            .stdout
            .contains("100000 new to the ledger, 0 already there"),
        "{}",
        first.stdout
    );
    let second = desk.run(&["ledger", "import", "--from", &dir], None);
    assert!(
        second
            .stdout
            .contains("0 new to the ledger, 100000 already there"),
        "{}",
        second.stdout
    );
    let status = desk.run(&["ledger", "status", "--json"], None);
    let doc: serde_json::Value = serde_json::from_str(&status.stdout).unwrap();
    assert_eq!(doc["records"], 100_000);
    assert_eq!(doc["schema_version"], 3);
    // config check connects and names the ledger, never its password.
    let check = desk.run(&["config", "check"], None);
    assert_eq!(check.code, 0, "{}", check.stderr);
    assert!(
        check
            .stdout
            .contains("reachable, schema version 3, 100000 records"),
        "{}",
        check.stdout
    );
}

#[test]
fn an_approval_first_seen_at_one_desk_counts_at_another_and_a_register_there_applies_it() {
    let Some(url) = team_database() else { return };
    // The other desk runs as a role with only README's grants.
    let mut admin = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    admin
        .batch_execute(
            "CREATE ROLE desk LOGIN;
             GRANT USAGE ON SCHEMA wareg TO desk;
             GRANT SELECT, INSERT ON wareg.records TO desk;
             GRANT SELECT, INSERT, UPDATE ON wareg.facts TO desk;",
        )
        .unwrap();
    let desk_url = url.replacen("postgres://postgres:", "postgres://desk:", 1);
    let rig = Rig::new("v25.0");
    let (base, waba) = (rig.sandbox.base_url(), rig.sandbox.waba_id());
    let a = Desk::new(&base, &waba, &url, "ana@desk-1");
    let b = Desk::new(&base, &waba, &desk_url, "bo@desk-2");
    const REBRAND: &str = "106540352242936";
    let next = |desk: &Desk| {
        let run = desk.run(&["next", REBRAND, "--json"], None);
        assert_eq!(run.code, 0, "{}", run.stderr);
        run.json()["numbers"][0]["next"].clone()
    };
    let first = next(&a);
    assert_eq!(first["step"], "reregister", "{first}");
    std::thread::sleep(Duration::from_millis(20));
    let there = next(&b);
    assert_eq!(there["step"], "reregister");
    assert_eq!(
        there["until"], first["until"],
        "counted from the first desk's sighting"
    );
    // A fact, not a record: budgets and the audit never see it.
    let ledger = a.ledger();
    assert_eq!(
        ledger.status().unwrap().records,
        0,
        "no record was written for it"
    );
    let facts = wareg::ledger::Ledger::facts_of(&ledger, None).unwrap();
    let seen = facts
        .get(REBRAND, wareg::audit::FactKind::NameApproved)
        .expect("the approval is in the ledger");
    assert_eq!(seen.value, "Acme France");
    assert_eq!(seen.operator.as_deref(), Some("ana@desk-1"));
    assert!(!a.data_dir().join("facts.jsonl").exists(), "nothing local");

    let run = b.run(&["register", REBRAND, "--pin-stdin"], Some("369258\n"));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        next(&a)["step"],
        "none",
        "the register at desk 2 applied it"
    );
}

#[test]
fn another_desks_change_of_a_number_is_waited_for_said_and_given_up_at_the_deadline() {
    let Some(url) = team_database() else { return };
    let rig = Rig::new("v25.0");
    let desk = Desk::new(
        &rig.sandbox.base_url(),
        &rig.sandbox.waba_id(),
        &url,
        "bo@desk-2",
    );
    let mut config = std::fs::read_to_string(&desk.config).unwrap();
    config.push_str("timeout_secs = 3\n");
    std::fs::write(&desk.config, config).unwrap();

    // ana's change outlasts bo's deadline: bo is told he waits, then gives up, nothing sent.
    let release = pg::hold_the_lock(&url, PENDING, Duration::from_secs(12));
    let started = std::time::Instant::now();
    let run = desk.run(&["register", PENDING, "--pin-stdin"], Some("123456\n"));
    let took = started.elapsed();
    let _ = release.send(());
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("waiting for another desk's change of this number…"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(
            "another desk's change of this number did not end within 3 s: nothing was sent"
        ),
        "{}",
        run.stderr
    );
    assert!(
        took >= Duration::from_secs(2) && took < Duration::from_secs(10),
        "gave up after {took:?}"
    );
    assert!(posts(&rig.sandbox).is_empty(), "nothing was sent");

    // ana's change ends within bo's wait (6 s now): his register goes on once it has.
    let config = std::fs::read_to_string(&desk.config).unwrap();
    std::fs::write(
        &desk.config,
        config.replace("timeout_secs = 3\n", "timeout_secs = 6\n"),
    )
    .unwrap();
    let release = pg::hold_the_lock(&url, PENDING, Duration::from_millis(3500));
    let run = desk.run(&["register", PENDING, "--pin-stdin"], Some("123456\n"));
    drop(release);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("waiting for another desk's change of this number…"),
        "{}",
        run.stderr
    );
    assert_eq!(posts(&rig.sandbox), [format!("/v25.0/{PENDING}/register")]);
}

#[test]
fn storage_read_at_one_desk_is_known_at_the_other() {
    let Some(url) = team_database() else { return };
    // The other desk runs as a role with only README's grants.
    let mut admin = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    admin
        .batch_execute(
            // Roles are the cluster's: this test's desk has a name of its own.
            "CREATE ROLE storage_desk LOGIN;
             GRANT USAGE ON SCHEMA wareg TO storage_desk;
             GRANT SELECT, INSERT ON wareg.records TO storage_desk;
             GRANT SELECT, INSERT, UPDATE ON wareg.facts TO storage_desk;
             GRANT SELECT, INSERT, UPDATE ON wareg.storage TO storage_desk;",
        )
        .unwrap();
    let desk_url = url.replacen("postgres://postgres:", "postgres://storage_desk:", 1);
    let rig = Rig::new("v25.0");
    let (base, waba) = (rig.sandbox.base_url(), rig.sandbox.waba_id());
    let a = Desk::new(&base, &waba, &url, "ana@desk-1");
    let b = Desk::new(&base, &waba, &desk_url, "bo@desk-2");
    let kept = |desk: &Desk| {
        wareg::ledger::Ledger::storage_of(&desk.ledger())
            .unwrap()
            .get(PENDING)
            .cloned()
    };
    assert!(kept(&b).is_none(), "nothing known yet");
    let run = a.run(&["numbers", "--refresh", "--storage"], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let seen = kept(&b).expect("desk 1's read is known at desk 2");
    assert_eq!(seen.operator.as_deref(), Some("ana@desk-1"));
    assert!(
        !b.data_dir().join("storage.jsonl").exists(),
        "desk 2 has it from the ledger, not from a file of its own"
    );
    // Desk 2 (README's grants only) reads it again: a newer read replaces it for both.
    std::thread::sleep(Duration::from_millis(20));
    let run = b.run(&["status", PENDING], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let again = kept(&a).expect("still known");
    assert_eq!(again.operator.as_deref(), Some("bo@desk-2"));
    assert!(again.read_at > seen.read_at);
    assert_eq!(again.storage, seen.storage);
    assert_eq!(
        a.ledger().status().unwrap().records,
        0,
        "a kept storage is no record"
    );
}
