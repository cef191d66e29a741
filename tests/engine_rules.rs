//! The rules the engine owns, seen from outside: two processes never both spend the last
//! attempt; a region change is planned and confirmed in the CLI as in the TUI; what was never
//! sent is never counted, what may have happened is counted and read back; Meta's 133016 lock
//! blocks the next plan until its end.

mod common;

use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

use common::*;
use wareg::audit::{AuditRecord, BudgetBook, Operation, Outcome, Phase};
use wareg::config::BudgetPolicy;
use wareg::engine::{Blocker, Budgets, Engine, Facts, Request, StorageFact, decide};
use wareg::graph::types::{CodeVerification, NumberStatus};
use wareg::graph::{ApiVersion, ClientSettings, GraphClient, NumberId, StorageChoice};
use wareg::ledger::{AuditLog, Ledger, LocalTrail};
use wareg::secret::{Pin, Token};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const ID: &str = "106540352242922";

fn v25() -> ApiVersion {
    "v25.0".parse().unwrap()
}

#[test]
fn two_cli_processes_never_both_spend_the_last_attempt() {
    for trial in 0..20 {
        let rig = Rig::new("v25.0");
        seed_attempts(&rig.data_dir(), "sb", PENDING, Operation::Register, 9);
        let args = ["register", PENDING, "--pin-stdin"];
        let a = rig.start(&args, Some("123456\n"));
        let b = rig.start(&args, Some("123456\n"));
        let runs = [finish(a), finish(b)];
        let registers = posts(&rig.sandbox)
            .iter()
            .filter(|p| p.ends_with("/register"))
            .count();
        assert_eq!(registers, 1, "trial {trial}: {:?}", rig.calls());
        let mut codes: Vec<i32> = runs.iter().map(|r| r.code).collect();
        codes.sort();
        assert_eq!(
            codes,
            [0, 2],
            "trial {trial}: {:?}",
            runs.each_ref().map(|r| &r.stderr)
        );
        let loser = runs.iter().find(|r| r.code == 2).unwrap();
        // The loser met either the spent budget or the winner's register still running.
        assert!(
            (loser.stderr.contains("10 of 10") || loser.stderr.contains("is running register"))
                && loser.stderr.contains("Nothing was sent"),
            "trial {trial}: {}",
            loser.stderr
        );
    }
}

#[test]
fn cli_region_change_is_planned_confirmed_and_sent_in_order() {
    let rig = Rig::new("v25.0");
    let args = ["register", CONNECTED, "--region", "GB", "--pin-stdin"];
    let run = rig.wareg_stdin(&args, &format!("{CONNECTED_PIN}\n"));
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("--yes"), "{}", run.stderr);
    assert!(
        run.stdout.contains("region change"),
        "the plan is shown: {}",
        run.stdout
    );
    assert!(posts(&rig.sandbox).is_empty(), "nothing without --yes");

    let mut confirmed = args.to_vec();
    confirmed.extend(["--yes", "--json"]);
    let run = rig.wareg_stdin(&confirmed, &format!("{CONNECTED_PIN}\n"));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["plan"], "region change");
    assert_eq!(
        posts(&rig.sandbox),
        [
            format!("/v25.0/{CONNECTED}/deregister"),
            format!("/v25.0/{CONNECTED}/settings"),
            format!("/v25.0/{CONNECTED}/register"),
        ]
    );
    let status = rig.wareg(&["status", CONNECTED, "--json"]).json();
    assert_eq!(status["storage"]["data_localization_region"], "GB");
    assert_eq!(status["budget"]["register"]["used"], 1);
    assert_eq!(status["budget"]["deregister"]["used"], 1);
}

#[test]
fn plan_prints_steps_cost_and_blockers_and_sends_nothing() {
    let rig = Rig::new("v25.0");
    let run = rig.wareg(&[
        "plan", "register", CONNECTED, PENDING, "--region", "IN", "--json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let plans = run.json()["plans"].clone();
    assert_eq!(plans[0]["kind"], "region change");
    assert_eq!(
        plans[0]["steps"],
        json!([
            "POST /deregister",
            "POST /settings (local storage IN)",
            "POST /register"
        ])
    );
    assert_eq!(plans[0]["cost"], json!({"deregister": 1, "register": 1}));
    assert_eq!(plans[1]["kind"], "register");
    let run = rig.wareg(&["plan", "deregister", COEXISTENCE, PENDING]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("blocked: the number is also used in the WhatsApp Business app"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("blocked: the number is not registered (status PENDING)"),
        "{}",
        run.stdout
    );
    assert!(posts(&rig.sandbox).is_empty());
}

fn engine_for(base_url: &str, token: &str, data: &std::path::Path) -> Engine {
    let client = GraphClient::new(ClientSettings {
        base_url: base_url.to_owned(),
        version: v25(),
        token: Token::new(token),
        timeout: Duration::from_secs(2),
    })
    .unwrap();
    Engine::new(client, data, "p", BudgetPolicy::default())
}

fn register_plan(facts: Facts) -> wareg::engine::Plan {
    let id = NumberId::parse(ID).unwrap();
    let budgets = Budgets {
        register: BudgetBook::default().budget(ID, Operation::Register),
        deregister: BudgetBook::default().budget(ID, Operation::Deregister),
    };
    decide(
        &id,
        v25(),
        &facts,
        Request::Register(StorageChoice::Keep),
        &budgets,
    )
}

fn pending_facts() -> Facts {
    Facts {
        status: Some(NumberStatus::Pending),
        verified: Some(CodeVerification::Verified),
        storage: Some(StorageFact::Off),
        ..Facts::default()
    }
}

/// The stand-in answers the one register it expects with Meta's error envelope.
async fn register_answers(server: &MockServer, status: u16, error: serde_json::Value) {
    Mock::given(method("POST"))
        .and(path(format!("/v25.0/{ID}/register")))
        .respond_with(ResponseTemplate::new(status).set_body_json(json!({ "error": error })))
        .expect(1)
        .mount(server)
        .await;
}

fn outcomes(data: &std::path::Path) -> Vec<AuditRecord> {
    AuditLog::in_dir(data)
        .read()
        .unwrap()
        .records
        .into_iter()
        .filter(|r| r.phase == Phase::Outcome)
        .collect()
}

#[tokio::test]
async fn refused_connections_and_bad_token_headers_are_not_sent_and_not_counted() {
    let data = tempfile::tempdir().unwrap();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let pin = Pin::parse("123456").unwrap();
    let refused = engine_for(&format!("http://127.0.0.1:{port}"), "t", data.path());
    let run = refused
        .execute(
            &register_plan(pending_facts()),
            Some(&pin),
            false,
            |_, _| {},
        )
        .await;
    assert!(
        run.readback.is_none(),
        "nothing to read back after not sending"
    );

    let server = MockServer::start().await;
    let newline = engine_for(&server.uri(), "abc\ndef", data.path());
    newline
        .execute(
            &register_plan(pending_facts()),
            Some(&pin),
            false,
            |_, _| {},
        )
        .await;
    assert!(server.received_requests().await.unwrap().is_empty());

    let outcomes = outcomes(data.path());
    assert_eq!(outcomes.len(), 2);
    assert!(
        outcomes.iter().all(|r| r.outcome == Some(Outcome::NotSent)),
        "{outcomes:?}"
    );
    let budget = refused
        .budgets_of(&NumberId::parse(ID).unwrap())
        .await
        .unwrap();
    assert_eq!(budget.register.used, 0, "not sent is never counted");
}

#[tokio::test]
async fn a_500_on_register_is_unknown_counted_and_read_back_once() {
    let data = tempfile::tempdir().unwrap();
    let server = MockServer::start().await;
    register_answers(
        &server,
        500,
        json!({"message": "An unknown error occurred", "type": "OAuthException", "code": 1, "is_transient": true, "fbtrace_id": "Tr1"}),
    )
    .await;
    Mock::given(method("GET"))
        .and(path(format!("/v25.0/{ID}")))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"id": ID, "status": "CONNECTED"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let engine = engine_for(&server.uri(), "t", data.path());
    let pin = Pin::parse("123456").unwrap();
    let run = engine
        .execute(
            &register_plan(pending_facts()),
            Some(&pin),
            false,
            |_, _| {},
        )
        .await;
    let failed = run.failure().expect("the register failed");
    assert!(failed.result.as_ref().unwrap_err().outcome_unknown());
    assert_eq!(
        run.readback_words().as_deref(),
        Some("the number's status now reads CONNECTED")
    );
    assert_eq!(outcomes(data.path())[0].outcome, Some(Outcome::Unknown));
    let budget = engine
        .budgets_of(&NumberId::parse(ID).unwrap())
        .await
        .unwrap();
    assert_eq!(budget.register.used, 1, "an unknown outcome is counted");
}

#[tokio::test]
async fn meta_133016_locks_the_operation_and_blocks_the_next_plan_until_its_end() {
    let data = tempfile::tempdir().unwrap();
    let server = MockServer::start().await;
    register_answers(
        &server,
        400,
        json!({"message": "(#133016) Registration rate limit exceeded", "type": "OAuthException", "code": 133016, "fbtrace_id": "Lk1"}),
    )
    .await;
    let engine = engine_for(&server.uri(), "t", data.path());
    let pin = Pin::parse("123456").unwrap();
    engine
        .execute(
            &register_plan(pending_facts()),
            Some(&pin),
            false,
            |_, _| {},
        )
        .await;
    let outcome = &outcomes(data.path())[0];
    let until = outcome.locked_until.expect("the lock is recorded");
    assert_eq!(until, outcome.time + chrono::Duration::hours(72));

    let id = NumberId::parse(ID).unwrap();
    let budgets = engine.budgets_of(&id).await.unwrap();
    assert_eq!(budgets.register.locked_until, Some(until));
    let plan = decide(
        &id,
        v25(),
        &pending_facts(),
        Request::Register(StorageChoice::Keep),
        &budgets,
    );
    assert!(
        plan.blockers.contains(&Blocker::LockedByMeta {
            op: Operation::Register,
            until
        }),
        "{:?}",
        plan.blockers
    );
    // The other operation is not locked.
    let plan = decide(&id, v25(), &pending_facts(), Request::Deregister, &budgets);
    assert!(
        !plan.blockers.iter().any(Blocker::is_budget),
        "{:?}",
        plan.blockers
    );
    // And the engine itself refuses it under the lock, even with a stale plan in hand.
    let stale = register_plan(pending_facts());
    let run = engine.execute(&stale, Some(&pin), false, |_, _| {}).await;
    let refused = run
        .failure()
        .unwrap()
        .result
        .as_ref()
        .unwrap_err()
        .to_string();
    assert!(refused.contains("Meta locked register"), "{refused}");
    assert_eq!(
        server.received_requests().await.unwrap().len(),
        1,
        "the second was not sent"
    );
}

#[test]
fn a_recorded_133016_blocks_the_cli_until_its_end() {
    let rig = Rig::new("v25.0");
    seed_meta_lock(&rig.data_dir(), "sb", PENDING);
    let run = rig.wareg_stdin(&["register", PENDING, "--pin-stdin"], "123456\n");
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("Meta locked register"),
        "{}",
        run.stderr
    );
    assert!(posts(&rig.sandbox).is_empty());
    let plan = rig.wareg(&["plan", "register", PENDING, "--json"]).json();
    assert!(
        plan["plans"][0]["budget"]["register"]["locked_until"].is_string(),
        "{plan}"
    );
}

#[test]
fn the_ledger_admits_through_the_same_lock_as_other_processes() {
    // An in-process admission and a CLI process race on the last attempt: one wins.
    let rig = Rig::new("v25.0");
    seed_attempts(&rig.data_dir(), "sb", PENDING, Operation::Register, 9);
    let trail: Arc<dyn Ledger> = Arc::new(LocalTrail::in_dir(&rig.data_dir()));
    let child = rig.start(&["register", PENDING, "--pin-stdin"], Some("123456\n"));
    let intent = AuditRecord::intent(
        chrono::Utc::now(),
        "inproc",
        "sb",
        &NumberId::parse(PENDING).unwrap(),
        Operation::Register,
    );
    let since = chrono::Utc::now() - chrono::Duration::days(7);
    let admitted_here = trail
        .admit(&intent, since, &mut |mine: &[AuditRecord]| {
            let book = BudgetBook::new(mine, BudgetPolicy::default(), chrono::Utc::now());
            !book.budget(PENDING, Operation::Register).exhausted()
        })
        .unwrap();
    let run = finish(child);
    let cli_sent = posts(&rig.sandbox).iter().any(|p| p.ends_with("/register"));
    assert!(
        admitted_here != cli_sent,
        "exactly one of the two: here {admitted_here}, cli {cli_sent}, {}",
        run.stderr
    );
}

#[test]
fn a_flagged_number_is_registered_so_another_region_is_a_region_change() {
    let id = NumberId::parse(ID).unwrap();
    let facts = Facts {
        status: Some(NumberStatus::Flagged),
        verified: Some(CodeVerification::Verified),
        storage: Some(StorageFact::On(wareg::graph::Region::In)),
        ..Facts::default()
    };
    let budgets = register_plan(pending_facts()).budgets;
    let plan = decide(
        &id,
        v25(),
        &facts,
        Request::Register(StorageChoice::Region(wareg::graph::Region::De)),
        &budgets,
    );
    assert_eq!(plan.kind, wareg::engine::PlanKind::RegionChange);
    assert_eq!(plan.steps[0], wareg::engine::Step::Deregister);
    assert!(plan.confirm.is_some());
}

#[test]
fn re_registering_keeps_storage_as_the_plan_says() {
    let rig = Rig::new("v25.0");
    let plan = rig.wareg(&["plan", "register", CONNECTED, "--json"]).json();
    assert_eq!(plan["plans"][0]["kind"], "re-register");
    assert_eq!(
        plan["plans"][0]["storage_after"],
        "local storage stays DE, EU (Germany)"
    );
    // Asking for the region in force is the same plan: nothing about storage is sent.
    let run = rig.wareg_stdin(
        &["register", CONNECTED, "--region", "DE", "--pin-stdin"],
        &format!("{CONNECTED_PIN}\n"),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("after: local storage stays DE"),
        "{}",
        run.stdout
    );
    assert_eq!(
        posts(&rig.sandbox),
        [format!("/v25.0/{CONNECTED}/register")]
    );
    let status = rig.wareg(&["status", CONNECTED, "--json"]).json();
    assert_eq!(status["storage"]["data_localization_region"], "DE");
}

#[tokio::test]
async fn force_does_not_override_metas_lock() {
    let data = tempfile::tempdir().unwrap();
    let server = MockServer::start().await;
    seed_meta_lock(data.path(), "p", ID);
    let engine = engine_for(&server.uri(), "t", data.path());
    let pin = Pin::parse("123456").unwrap();
    let run = engine
        .execute(&register_plan(pending_facts()), Some(&pin), true, |_, _| {})
        .await;
    let refused = run
        .failure()
        .unwrap()
        .result
        .as_ref()
        .unwrap_err()
        .to_string();
    assert!(refused.contains("Meta locked register"), "{refused}");
    assert!(server.received_requests().await.unwrap().is_empty());
    let budgets = engine
        .budgets_of(&NumberId::parse(ID).unwrap())
        .await
        .unwrap();
    let plan = decide(
        &NumberId::parse(ID).unwrap(),
        v25(),
        &pending_facts(),
        Request::Register(StorageChoice::Keep),
        &budgets,
    );
    assert!(
        !plan.blocking(true).is_empty(),
        "--force leaves the lock standing"
    );
}

#[tokio::test]
async fn the_engine_refuses_a_plan_nothing_may_override_even_if_a_face_sends_it() {
    let data = tempfile::tempdir().unwrap();
    let server = MockServer::start().await;
    let engine = engine_for(&server.uri(), "t", data.path());
    let coexistence = Facts {
        coexistence: Some(true),
        ..pending_facts()
    };
    let plan = register_plan(coexistence);
    let pin = Pin::parse("123456").unwrap();
    let run = engine.execute(&plan, Some(&pin), true, |_, _| {}).await;
    let refused = run
        .failure()
        .unwrap()
        .result
        .as_ref()
        .unwrap_err()
        .to_string();
    assert!(refused.contains("coexistence"), "{refused}");
    assert!(server.received_requests().await.unwrap().is_empty());
    assert!(
        AuditLog::in_dir(data.path())
            .read()
            .unwrap()
            .records
            .is_empty()
    );
}

#[test]
fn a_status_wareg_does_not_know_blocks_a_storage_change() {
    let id = NumberId::parse(ID).unwrap();
    let facts = Facts {
        status: Some(NumberStatus::parse("CONNECTED_SOMEHOW")),
        ..pending_facts()
    };
    let budgets = register_plan(pending_facts()).budgets;
    let plan = decide(
        &id,
        v25(),
        &facts,
        Request::Register(StorageChoice::Region(wareg::graph::Region::De)),
        &budgets,
    );
    assert!(
        plan.blockers
            .contains(&Blocker::StatusUnknown("CONNECTED_SOMEHOW".into())),
        "{:?}",
        plan.blockers
    );
    // Keeping storage as it is needs no such certainty.
    let keep = decide(
        &id,
        v25(),
        &facts,
        Request::Register(StorageChoice::Keep),
        &budgets,
    );
    assert!(keep.blockers.is_empty(), "{:?}", keep.blockers);
}

/// A register while a requested name is in review "has no effect" (docs/graph-api-facts.md §9):
/// it is refused with nothing to override, so `--force` and the TUI's override leave it standing
/// and the engine refuses it even if a face sent it. Its words say what to do instead.
#[tokio::test]
async fn a_register_while_a_name_is_in_review_is_refused_with_nothing_to_override() {
    let plan = register_plan(Facts {
        name_review: true,
        ..pending_facts()
    });
    assert_eq!(plan.blockers, [Blocker::NameUnderReview]);
    assert!(!plan.sendable());
    assert_eq!(plan.blocking(true), [&Blocker::NameUnderReview]);
    assert!(
        Blocker::NameUnderReview
            .words()
            .contains("wait for Meta's decision"),
        "{}",
        Blocker::NameUnderReview.words()
    );
    let data = tempfile::tempdir().unwrap();
    let server = MockServer::start().await;
    let engine = engine_for(&server.uri(), "t", data.path());
    let pin = Pin::parse("123456").unwrap();
    let run = engine.execute(&plan, Some(&pin), true, |_, _| {}).await;
    assert!(run.failure().is_some());
    assert!(server.received_requests().await.unwrap().is_empty());
}

/// After Meta's 2388001 a register may be forced, but only as the statement that its cause is
/// fixed: both faces say it in the words the blocker gives ("once …").
#[test]
fn a_register_after_metas_2388001_is_forced_only_once_its_cause_is_fixed() {
    let at = chrono::Utc::now();
    let on_account = Blocker::OnExistingAccount(at);
    assert!(on_account.overridable());
    assert_eq!(
        on_account.forced_once(),
        Some("it is disconnected from that WhatsApp account")
    );
    assert_eq!(
        Blocker::NameRefused(at).forced_once(),
        Some("the display name is edited")
    );
    for plain in [
        Blocker::NotRead,
        Blocker::Coexistence,
        Blocker::NameUnderReview,
    ] {
        assert_eq!(plain.forced_once(), None, "{plain:?}");
    }
}
