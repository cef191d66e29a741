//! A number's whole life through the CLI against the sandbox (issue 25): added, verified and
//! registered with `wareg next` saying each step; a display name asked for, reviewed, then
//! applied by a re-register within 14 days; what Meta's 2388001 means either way; what is
//! refused before anything is sent (an expired name, a code for a verified number, a
//! deregister while Meta's lock on register runs).

mod common;

use common::*;
use std::time::Duration;
use wareg::audit::Operation;
use wareg::sandbox::SandboxOptions;

const BILLING: &str = "106540352242925";
const REBRAND: &str = "106540352242936";
const EXPIRED: &str = "106540352242937";
const ON_WHATSAPP: &str = "106540352242938";
const ODD_NAME: &str = "106540352242939";

/// A rig whose name reviews end after `review`.
fn rig_reviewing(review: Duration) -> Rig {
    Rig::with(
        "v25.0",
        SandboxOptions {
            slow_for: Duration::from_secs(4),
            name_review: review,
            ..SandboxOptions::default()
        },
    )
}

/// `wareg next ID --json`'s one number.
fn next_of(rig: &Rig, id: &str) -> serde_json::Value {
    let run = rig.wareg(&["next", id, "--json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = run.json();
    assert_eq!(doc["numbers"].as_array().map(Vec::len), Some(1), "{doc}");
    assert_eq!(doc["numbers"][0]["id"], id);
    doc["numbers"][0]["next"].clone()
}

fn register_posts(rig: &Rig, id: &str) -> usize {
    posts(&rig.sandbox)
        .iter()
        .filter(|p| p.ends_with(&format!("{id}/register")))
        .count()
}

#[test]
fn an_added_number_is_carried_to_registered_with_next_saying_each_step() {
    let rig = Rig::new("v25.0");
    // Bad input is refused before anything is read or sent.
    for bad in [
        ["--cc", "44", "--phone", "0770090", "--name", "Acme UK"],
        ["--cc", "44", "--phone", "7700900123", "--name", "A"],
        ["--cc", "0", "--phone", "7700900123", "--name", "Acme UK"],
    ] {
        let mut args = vec!["add"];
        args.extend(bad);
        let run = rig.wareg(&args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains("nothing was sent"), "{}", run.stderr);
    }
    assert!(posts(&rig.sandbox).is_empty());

    let run = rig.wareg(&[
        "add",
        "--cc",
        "+44",
        "--phone",
        "7700 900123",
        "--name",
        "Acme UK \"New\"",
        "--json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let added = run.json();
    let id = added["id"].as_str().unwrap().to_owned();
    assert_eq!(added["waba"], rig.sandbox.waba_id());
    assert_eq!(added["number"], "+44 7700900123");
    // The lines to paste are TOML naming the new id; the config itself is untouched.
    let lines: toml::Value = toml::from_str(added["config"].as_str().unwrap()).unwrap();
    assert_eq!(lines["numbers"][0]["id"].as_str(), Some(id.as_str()));
    assert_eq!(
        lines["numbers"][0]["label"].as_str(),
        Some("Acme UK \"New\"")
    );
    assert!(!read(&rig.config).contains(&id));
    let text = rig.wareg(&[
        "add",
        "--cc",
        "44",
        "--phone",
        "7700900124",
        "--name",
        "Acme Two",
    ]);
    assert!(text.stdout.contains("[[numbers]]"), "{}", text.stdout);

    let next = next_of(&rig, &id);
    assert_eq!(next["step"], "verify", "{next}");
    assert_eq!(
        next["action"],
        format!("wareg request-code {id} --method sms")
    );
    let run = rig.wareg(&["request-code", &id, "--method", "sms"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let code = rig.sandbox.pending_code(&id).expect("a code was sent");
    let run = rig.wareg_stdin(&["verify-code", &id, "--code-stdin"], &format!("{code}\n"));
    assert_eq!(run.code, 0, "{}", run.stderr);

    let next = next_of(&rig, &id);
    assert_eq!(next["step"], "register", "{next}");
    assert_eq!(next["action"], format!("wareg register {id} --pin-stdin"));
    let run = rig.wareg_stdin(&["register", &id, "--pin-stdin"], "135790\n");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(next_of(&rig, &id)["step"], "none");
    // add is audited under the WABA, with the new id in its outcome.
    let audit = read(&rig.audit_path());
    assert!(audit.contains("\"op\":\"add\""), "{audit}");
    assert!(audit.contains(&format!("added as {id}")), "{audit}");
}

#[test]
fn a_new_name_is_reviewed_then_applied_by_a_re_register_within_14_days() {
    // A review that outlasts any slow machine: it ends when the test ends it below.
    let rig = rig_reviewing(Duration::from_secs(600));
    let run = rig.wareg(&["rename", CONNECTED, "--name", "Acme Support Berlin"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("within 14 days"), "{}", run.stdout);
    let renames: Vec<_> = rig
        .sandbox
        .received()
        .into_iter()
        .filter(|r| r.params.contains_key("new_display_name"))
        .collect();
    assert_eq!(renames.len(), 1);
    assert_eq!(renames[0].params["new_display_name"], "Acme Support Berlin");

    // In review: next says so, and a register is refused before sending.
    let next = next_of(&rig, CONNECTED);
    assert_eq!(next["step"], "wait_review", "{next}");
    assert!(next.get("action").is_none());
    let run = rig.wareg_stdin(
        &["register", CONNECTED, "--pin-stdin"],
        &format!("{CONNECTED_PIN}\n"),
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("would have no effect"),
        "{}",
        run.stderr
    );
    assert_eq!(register_posts(&rig, CONNECTED), 0);

    // The review ends by the sandbox's clock (moved past it here, never waited for): asked
    // again until wareg sees it has (counted, not timed).
    rig.sandbox
        .with_world(|w| w.settle(std::time::Instant::now() + Duration::from_secs(601)));
    let mut asked = 0;
    let next = loop {
        asked += 1;
        let next = next_of(&rig, CONNECTED);
        if next["step"] != "wait_review" || asked == 50 {
            break next;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(next["step"], "reregister", "after {asked} asks: {next}");
    let words = next["words"].as_str().unwrap();
    assert!(
        words.starts_with("re-register by ")
            && words.contains(
                "to apply 'Acme Support Berlin' (14 days from when wareg first saw it approved, "
            )
            && words.ends_with("unless it was re-registered outside wareg"),
        "{words}"
    );
    let until: chrono::DateTime<chrono::Utc> = next["until"].as_str().unwrap().parse().unwrap();
    let days = (until - chrono::Utc::now()).num_hours();
    assert!((13 * 24..=14 * 24).contains(&days), "{until}");
    // Seen again, it still counts from its first sighting.
    assert_eq!(next_of(&rig, CONNECTED)["until"], next["until"]);
    // The plan says what the register does to the name.
    let plan = rig.wareg(&["plan", "register", CONNECTED]);
    assert!(
        plan.stdout
            .contains("verified name becomes 'Acme Support Berlin'"),
        "{}",
        plan.stdout
    );

    let run = rig.wareg_stdin(
        &["register", CONNECTED, "--pin-stdin"],
        &format!("{CONNECTED_PIN}\n"),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(register_posts(&rig, CONNECTED), 1);
    assert!(rig.sandbox.with_world(|w| w.numbers[CONNECTED].applied));
    let status = rig.wareg(&["status", CONNECTED]);
    assert!(
        status.stdout.contains("name          Acme Support Berlin"),
        "{}",
        status.stdout
    );
    assert!(
        status.stdout.contains("next          none"),
        "{}",
        status.stdout
    );
    // The sighting is a fact of its own: the audit holds the rename and the register only.
    let audit = rig.wareg(&["audit", "--json"]).json();
    let ops: Vec<&str> = audit["records"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["op"].as_str())
        .collect();
    assert!(
        ops.iter().all(|op| ["rename", "register"].contains(op)),
        "{ops:?}"
    );
    assert!(rig.data_dir().join("facts.jsonl").exists());
}

#[test]
fn a_name_holding_bad_is_declined_and_renames_have_a_budget_of_ten_in_30_days() {
    let rig = rig_reviewing(Duration::ZERO);
    let run = rig.wareg(&["rename", CONNECTED, "--name", "Bad Name Ltd"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let status = rig.wareg(&["status", CONNECTED, "--json"]).json();
    assert_eq!(status["live"]["new_name_status"], "DECLINED");
    assert_eq!(status["live"]["verified_name"], "Acme Support DE");
    // Bad input is refused before anything is sent.
    let run = rig.wareg(&["rename", CONNECTED, "--name", "X"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    seed_attempts(&rig.data_dir(), "sb", PENDING, Operation::Rename, 10);
    let before = posts(&rig.sandbox).len();
    let run = rig.wareg(&["rename", PENDING, "--name", "Acme Sales"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("rename budget is used up (10 of 10"),
        "{}",
        run.stderr
    );
    assert_eq!(posts(&rig.sandbox).len(), before, "nothing was sent");
    let run = rig.wareg(&["rename", PENDING, "--name", "Acme Sales", "--force"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(posts(&rig.sandbox).len(), before + 1);
    let audit = read(&rig.audit_path());
    assert!(
        audit
            .lines()
            .any(|l| l.contains("\"op\":\"rename\"") && l.contains("\"forced\":true")),
        "the override is recorded: {audit}"
    );
}

#[test]
fn cannot_create_certificate_is_read_by_metas_words_either_way() {
    let rig = Rig::new("v25.0");
    let run = rig.wareg_stdin(&["register", ON_WHATSAPP, "--pin-stdin"], "135790\n");
    assert_eq!(run.code, 1, "{}", run.stderr);
    for said in [
        "Number is on an existing WhatsApp account",
        "disconnect it from that account",
        "Meta says: This number is registered to an existing WhatsApp account",
    ] {
        assert!(run.stderr.contains(said), "{said}: {}", run.stderr);
    }
    let next = next_of(&rig, ON_WHATSAPP);
    assert_eq!(next["step"], "free_number", "{next}");

    let run = rig.wareg_stdin(&["register", ODD_NAME, "--pin-stdin", "--json"], "135790\n");
    assert_eq!(run.code, 1, "{}", run.stderr);
    let detail = &run.json()["error"]["detail"];
    assert_eq!(detail["subcode"], 2388001);
    assert_eq!(detail["title"], "Display name could not be processed");
    assert!(
        detail["meta_says"]
            .as_str()
            .unwrap()
            .starts_with("Your display name could not be processed"),
        "{detail}"
    );
    assert_eq!(detail["retry"], "do not retry");
    for text in [&run.stderr, &detail.to_string()] {
        let lower = text.to_lowercase();
        assert!(
            !lower.contains("under review") && !lower.contains("wait"),
            "{text}"
        );
    }
    let next = next_of(&rig, ODD_NAME);
    assert_eq!(next["step"], "edit_name", "{next}");
    assert_eq!(
        next["action"],
        format!("wareg rename {ODD_NAME} --name \"…\"")
    );
}

#[test]
fn after_meta_said_the_number_is_on_a_whatsapp_account_a_register_is_refused_until_forced() {
    let rig = Rig::new("v25.0");
    let run = rig.wareg_stdin(&["register", ON_WHATSAPP, "--pin-stdin"], "135790\n");
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(register_posts(&rig, ON_WHATSAPP), 1);
    // The plan says it, the register refuses it with nothing sent, and the bulk plan too.
    let plan = rig.wareg(&["plan", "register", ON_WHATSAPP]);
    assert!(
        plan.stdout
            .contains("on an existing WhatsApp account: disconnect it"),
        "{}",
        plan.stdout
    );
    let again = rig.wareg_stdin(&["register", ON_WHATSAPP, "--pin-stdin"], "135790\n");
    assert_eq!(again.code, 2, "{}", again.stderr);
    assert!(
        again.stderr.contains("only spends an attempt"),
        "{}",
        again.stderr
    );
    assert_eq!(register_posts(&rig, ON_WHATSAPP), 1, "nothing was sent");
    // --force is offered as what it states, in the words the TUI's "Freed" tick uses: Meta's
    // 2388001 is not fixed by sending again (docs/graph-api-facts.md §9).
    assert!(
        again.stderr.contains(
            "Once it is disconnected from that WhatsApp account, add --force to send it."
        ),
        "{}",
        again.stderr
    );
    assert!(!again.stderr.contains("send anyway"), "{}", again.stderr);
    assert!(
        plan.stdout
            .contains("(once it is disconnected from that WhatsApp account, --force sends it)"),
        "{}",
        plan.stdout
    );
    // Freed meanwhile, a person may say so: --force sends it once.
    let forced = rig.wareg_stdin(
        &["register", ON_WHATSAPP, "--pin-stdin", "--force"],
        "135790\n",
    );
    assert_eq!(forced.code, 1, "{}", forced.stderr);
    assert_eq!(register_posts(&rig, ON_WHATSAPP), 2);
}

#[test]
fn an_expired_name_and_a_code_for_a_verified_number_are_refused_with_nothing_sent() {
    let rig = Rig::new("v25.0");
    for force in [false, true] {
        let mut args = vec!["register", EXPIRED, "--pin-stdin"];
        if force {
            args.push("--force");
        }
        let run = rig.wareg_stdin(&args, "135790\n");
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(
            run.stderr.contains("the display name's status is EXPIRED"),
            "{}",
            run.stderr
        );
    }
    assert_eq!(next_of(&rig, EXPIRED)["step"], "edit_name");

    let run = rig.wareg(&["request-code", PENDING, "--method", "sms"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("already verified") && run.stderr.contains("--force"),
        "{}",
        run.stderr
    );
    assert!(posts(&rig.sandbox).is_empty(), "{:?}", posts(&rig.sandbox));
    // Forced, it goes out once and Meta answers 136024, read as "already verified".
    let run = rig.wareg(&["request-code", PENDING, "--method", "sms", "--force"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("Number already verified"),
        "{}",
        run.stderr
    );
    assert_eq!(posts(&rig.sandbox).len(), 1);
}

#[test]
fn a_deregister_while_metas_lock_on_register_runs_is_refused_and_force_sends_it_once() {
    let rig = Rig::new("v25.0");
    seed_meta_lock(&rig.data_dir(), "sb", CONNECTED);
    let run = rig.wareg(&["deregister", CONNECTED, "--yes"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("register is locked until ")
            && run
                .stderr
                .contains("a deregister now leaves the number unable to message until then")
            && run.stderr.contains("--force"),
        "{}",
        run.stderr
    );
    assert!(
        run.stdout
            .contains("deleting one is done in WhatsApp Manager"),
        "{}",
        run.stdout
    );
    assert!(posts(&rig.sandbox).is_empty());
    // The lock shows where the number is looked at.
    let next = next_of(&rig, CONNECTED);
    assert_eq!(next["step"], "wait_lock", "{next}");
    assert!(next["until"].is_string());
    let status = rig.wareg(&["status", CONNECTED]);
    assert!(
        status.stdout.contains("locked by Meta"),
        "{}",
        status.stdout
    );
    let numbers = rig.wareg(&["numbers", "--refresh"]);
    let line = numbers
        .stdout
        .lines()
        .find(|l| l.starts_with(CONNECTED))
        .unwrap_or_default();
    assert!(line.contains(" lock "), "{line}");

    let run = rig.wareg(&["deregister", CONNECTED, "--yes", "--force"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        posts(&rig.sandbox),
        [format!("/v25.0/{CONNECTED}/deregister")]
    );
}

#[test]
fn next_covers_every_number_and_bulk_picks_by_the_exact_step() {
    let rig = Rig::new("v25.0");
    // REBRAND waits for a re-register: next:register must not pick it.
    let mut config = read(&rig.config);
    config.push_str(&format!(
        "\n[[numbers]]\nid = \"{REBRAND}\"\nlabel = \"Rebrand FR\"\n\n[[numbers]]\nid = \"{BILLING}\"\nlabel = \"Billing US\"\n"
    ));
    std::fs::write(&rig.config, config).unwrap();
    let run = rig.wareg(&["next", "--json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = run.json();
    let numbers = doc["numbers"].as_array().unwrap();
    assert_eq!(numbers.len(), 16, "every configured and discovered number");
    let step = |id: &str| {
        numbers
            .iter()
            .find(|n| n["id"] == id)
            .map(|n| n["next"]["step"].clone())
            .unwrap_or_default()
    };
    for (id, expected) in [
        (PENDING, "register"),
        (CONNECTED, "none"),
        (UNVERIFIED, "verify"),
        (BILLING, "wait_review"),
        ("106540352242926", "fix_health"),
        (COEXISTENCE, "managed_elsewhere"),
        ("106540352242935", "verify"),
        (REBRAND, "reregister"),
        (EXPIRED, "edit_name"),
        ("106540352242940", "explain"),
    ] {
        assert_eq!(step(id), expected, "{id}");
    }
    // Each entry is exactly id, label and next (and error when it could not be read).
    let first = numbers.iter().find(|n| n["id"] == PENDING).unwrap();
    let mut keys: Vec<&str> = first
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort();
    assert_eq!(keys, ["id", "label", "next"]);
    assert_eq!(first["label"], "Sales UK");
    // The same step in numbers --json, status --json, and the text and CSV tables.
    let listed = rig.wareg(&["numbers", "--refresh", "--json"]).json();
    let pending = listed["numbers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == PENDING)
        .unwrap()
        .clone();
    assert_eq!(pending["next"], first["next"]);
    assert_eq!(
        rig.wareg(&["status", PENDING, "--json"]).json()["next"],
        first["next"]
    );
    // The text table says each step in the TUI's words, whole and inside the NEXT column
    // (`managed_elsewhere` used to run past it); files and JSON keep the keys.
    let table = rig.wareg(&["numbers", "--refresh"]);
    let header = table.stdout.lines().next().unwrap();
    let next_at = header.find("NEXT").unwrap();
    let cell = |id: &str| {
        let line = table.stdout.lines().find(|l| l.starts_with(id)).unwrap();
        assert!(
            line.trim_end().chars().count() <= next_at + 12,
            "past the NEXT column: {line}"
        );
        line.chars()
            .skip(next_at)
            .collect::<String>()
            .trim()
            .to_owned()
    };
    for (id, words) in [
        (COEXISTENCE, "elsewhere"),
        (BILLING, "in review"),
        ("106540352242926", "fix health"),
        (REBRAND, "reregister"),
        (PENDING, "register"),
    ] {
        assert_eq!(cell(id), words, "{id}");
    }
    let csv = rig.wareg(&["numbers", "--refresh", "--csv"]);
    assert!(csv.stdout.lines().next().unwrap().contains(",next,"));
    assert!(
        csv.stdout
            .lines()
            .any(|l| l.starts_with(COEXISTENCE) && l.contains(",managed_elsewhere,")),
        "{}",
        csv.stdout
    );
    assert!(
        csv.stdout
            .lines()
            .any(|l| l.starts_with(REBRAND) && l.contains(",reregister,")),
        "{}",
        csv.stdout
    );

    let run = rig.wareg(&[
        "bulk",
        "register",
        "--filter",
        "next:register",
        "--dry-run",
        "--json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let plan = run.json();
    let picked: Vec<&str> = plan["plans"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["number"].as_str())
        .collect();
    assert_eq!(picked, [PENDING], "{plan}");
    assert_eq!(plan["plans"][0]["next"]["step"], "register");
    assert!(
        plan["notes"][0]
            .as_str()
            .unwrap()
            .contains("2 registered numbers until the business is verified"),
        "{plan}"
    );
    let text = rig.wareg(&["bulk", "register", "--filter", "next:register", "--dry-run"]);
    assert!(text.stdout.contains("(next: register)"), "{}", text.stdout);
    let rereg = rig.wareg(&[
        "bulk",
        "reregister",
        "--filter",
        "next:reregister",
        "--dry-run",
        "--json",
    ]);
    assert_eq!(rereg.json()["plans"][0]["number"], REBRAND);
    assert!(posts(&rig.sandbox).is_empty(), "dry runs send nothing");
}

#[test]
fn a_number_that_cannot_be_read_has_no_next_step_and_says_why() {
    let rig = Rig::new("v25.0");
    let run = rig.wareg(&["next", "1065999999999999", PENDING, "--json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let doc = run.json();
    let gone = &doc["numbers"][0];
    assert!(
        gone["next"].is_null() && gone["error"].is_string(),
        "{gone}"
    );
    assert!(gone["label"].is_null());
    assert_eq!(doc["numbers"][1]["next"]["step"], "register");
    let text = rig.wareg(&["next", PENDING]);
    assert!(
        text.stdout
            .contains("register: verified but not registered")
            && text
                .stdout
                .contains(&format!("do: wareg register {PENDING} --pin-stdin")),
        "{}",
        text.stdout
    );
}
