//! A bulk plan's reads overlap as the fleet's do: the TUI's plan stage, `wareg bulk` and
//! `wareg bulk resume` keep `READ_CONCURRENCY` reads in flight, never more (issue 28 item 5).
//!
//! The server is the test's own: it holds every request until `READ_CONCURRENCY` are in flight
//! (or, as a way out for a client that never gets there, until `HOLD` has passed) and counts
//! the most it ever had at once. A client that reads fewer at a time waits out `HOLD` on every
//! round and shows its own number; one that reads more shows more. Nothing here is timed.

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::http::Uri;
use axum::response::IntoResponse;
use tokio::sync::watch;

use wareg::bulk::{Action, Target};
use wareg::fleet::READ_CONCURRENCY;
use wareg::graph::Region;
use wareg::tui::msg::{BulkMsg, Cmd, Msg};

/// The numbers planned: two full rounds of reads at `READ_CONCURRENCY`.
const NUMBERS: usize = 16;
/// How long a request waits for the others before it is answered anyway.
const HOLD: Duration = Duration::from_secs(1);

#[derive(Default)]
struct Count {
    in_flight: usize,
    peak: usize,
    reads: usize,
}

struct Gate {
    count: Mutex<Count>,
    /// Bumped each time `READ_CONCURRENCY` requests are in flight: the held ones go.
    release: watch::Sender<u64>,
}

impl Gate {
    fn peak(&self) -> (usize, usize) {
        let count = self.count.lock().unwrap();
        (count.peak, count.reads)
    }
}

async fn hold(gate: Arc<Gate>, uri: Uri) -> axum::response::Response {
    let (mut released, go) = {
        let mut count = gate.count.lock().unwrap();
        // Subscribed under the lock: a release after this point is seen.
        let released = gate.release.subscribe();
        count.in_flight += 1;
        count.reads += 1;
        count.peak = count.peak.max(count.in_flight);
        let go = count.in_flight >= READ_CONCURRENCY;
        if go {
            gate.release.send_modify(|n| *n += 1);
        }
        (released, go)
    };
    if !go {
        let _ = tokio::time::timeout(HOLD, released.changed()).await;
    }
    let answer = answer(uri.path());
    // Counted out before the answer leaves: the client's next request comes after it.
    gate.count.lock().unwrap().in_flight -= 1;
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        answer,
    )
        .into_response()
}

/// A connected number with local storage in India, as Meta writes them.
fn answer(path: &str) -> String {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    match segments[..] {
        [_, _, "settings"] => {
            r#"{"storage_configuration":{"status":"ENABLED","data_localization_region":"IN"}}"#
                .to_owned()
        }
        [_, id] => serde_json::json!({
            "id": id,
            "display_phone_number": "+1 555 0100",
            "verified_name": "Fleet",
            "status": "CONNECTED",
            "code_verification_status": "VERIFIED",
            "platform_type": "CLOUD_API",
            "quality_rating": "GREEN",
        })
        .to_string(),
        _ => "{}".to_owned(),
    }
}

struct Server {
    gate: Arc<Gate>,
    base: String,
    runtime: tokio::runtime::Runtime,
}

fn server() -> Server {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let gate = Arc::new(Gate {
        count: Mutex::default(),
        release: watch::channel(0).0,
    });
    let held = gate.clone();
    let app = Router::new().fallback(move |uri: Uri| hold(held.clone(), uri));
    let base = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        base
    });
    Server {
        gate,
        base,
        runtime,
    }
}

fn id(i: usize) -> String {
    (1_990_000_000_000_000u64 + i as u64).to_string()
}

/// A config naming `NUMBERS` numbers "Fleet 00001"… on the server, and its environment.
fn config(dir: &std::path::Path, base: &str) -> Vec<(String, String)> {
    let mut text = format!(
        "[profiles.gate]\nbase_url = \"{base}\"\ntoken_env = \"GATE_TOKEN\"\nwaba_id = \"1234567890\"\ntimeout_secs = 30\n"
    );
    for i in 0..NUMBERS {
        text.push_str(&format!(
            "[[numbers]]\nid = \"{}\"\nlabel = \"Fleet {:05}\"\n",
            id(i),
            i + 1
        ));
    }
    let path = dir.join("config.toml");
    std::fs::write(&path, text).unwrap();
    vec![
        ("WAREG_CONFIG".into(), path.display().to_string()),
        (
            "WAREG_DATA_DIR".into(),
            dir.join("data").display().to_string(),
        ),
        ("GATE_TOKEN".into(), "gate-token".into()),
    ]
}

fn assert_overlap(server: &Server, reads: usize, what: &str) {
    let (peak, counted) = server.gate.peak();
    assert_eq!(counted, reads, "{what}: the server saw {counted} requests");
    assert_eq!(
        peak, READ_CONCURRENCY,
        "{what}: at most {peak} reads were in flight at once, not the fleet's {READ_CONCURRENCY}"
    );
}

#[test]
fn the_tui_plan_stage_keeps_the_fleets_reads_in_flight() {
    let server = server();
    let dir = tempfile::tempdir().unwrap();
    let config = wareg::sandbox::demo_config(&server.base);
    let plan = server.runtime.block_on(async {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let ledger = Arc::new(wareg::ledger::LocalTrail::in_dir(dir.path()));
        let profiles: HashMap<_, _> = config.profiles.clone().into_iter().collect();
        let worker = wareg::tui::worker::Worker::new(
            profiles,
            ledger,
            dir.path().to_path_buf(),
            &config,
            tx,
        );
        let targets = (0..NUMBERS)
            .map(|i| Target {
                id: wareg::graph::NumberId::parse(&id(i)).unwrap(),
                profile: "demo".into(),
                label: Some(format!("Fleet {:05}", i + 1)),
            })
            .collect();
        worker.spawn(Cmd::BulkPlan {
            targets,
            action: Action::Region,
            region: Some(Region::De),
        });
        loop {
            match rx.recv().await.expect("the worker answers") {
                Msg::Bulk(BulkMsg::Planned { plan, .. }) => break plan,
                _ => continue,
            }
        }
    });
    assert_eq!(plan.rows.len(), NUMBERS);
    assert_eq!(plan.to_send().count(), NUMBERS, "{:?}", plan.rows);
    // Each number: its status, then its storage.
    assert_overlap(&server, 2 * NUMBERS, "the TUI's plan stage");
}

#[test]
fn the_cli_plan_keeps_the_fleets_reads_in_flight_whatever_the_run_concurrency() {
    let server = server();
    let dir = tempfile::tempdir().unwrap();
    let env = config(dir.path(), &server.base);
    // --concurrency is how many numbers are changed at once; the plan only reads.
    let run = common::run_wareg(
        &[
            "bulk",
            "region",
            "--label",
            "Fleet *",
            "--region",
            "DE",
            "--concurrency",
            "2",
            "--dry-run",
        ],
        None,
        &env,
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("16 numbers"), "{}", run.stdout);
    assert_overlap(&server, 2 * NUMBERS, "wareg bulk region --dry-run");
    // What the plan read of storage is kept (gathered, then written together).
    let kept = std::fs::read_to_string(dir.path().join("data").join("storage.jsonl")).unwrap();
    assert_eq!(kept.lines().count(), NUMBERS, "{kept}");
}

#[test]
fn the_resume_plan_keeps_the_fleets_reads_in_flight() {
    use wareg::bulk::{BulkPlan, PlannedRow, RowPlan};
    let server = server();
    let dir = tempfile::tempdir().unwrap();
    let env = config(dir.path(), &server.base);
    // A run that was planned and then stopped before it sent anything.
    let rows = (0..NUMBERS)
        .map(|i| PlannedRow {
            target: Target {
                id: wareg::graph::NumberId::parse(&id(i)).unwrap(),
                profile: "gate".into(),
                label: Some(format!("Fleet {:05}", i + 1)),
            },
            plan: RowPlan::SetPin,
            status: Some("CONNECTED".into()),
            display: None,
            next: None,
        })
        .collect();
    let plan = BulkPlan {
        rows,
        mean_read: Duration::from_millis(50),
    };
    let data = dir.path().join("data");
    let (run_id, _journal) =
        wareg::bulk::journal::begin(&data, Action::Region, Some("DE".into()), "test", &plan)
            .unwrap();
    // Without --yes it reads and decides every number, and sends nothing.
    let run = common::run_wareg(&["bulk", "resume", &run_id], None, &env);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("add --yes"), "{}", run.stderr);
    assert_overlap(&server, 2 * NUMBERS, "wareg bulk resume");
}
