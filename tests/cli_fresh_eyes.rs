//! What a fresh-eyes run found of the command line (after issue 26): `next` per profile, hints
//! that can be pasted as they are, a declined display-name change flagged, an ambiguous name
//! refused with each number it matches, discovered numbers named as the TUI names them, one
//! next step for an outcome that is not known, and the demo's secrets and files.

mod common;

use common::*;
use std::time::Duration;
use wareg::sandbox::SandboxOptions;

const BRASIL: &str = "106540352242924";

#[test]
fn next_reads_each_profile_with_its_own_token_and_says_once_which_has_none() {
    let rig = Rig::new("v25.0");
    // The default profile has no token and nothing to read: it is not needed.
    rig.two_profiles(&[]);
    let all = rig.wareg(&["next"]);
    assert_eq!(all.code, 0, "{}", all.stderr);
    assert!(all.stdout.contains(PENDING) && all.stdout.contains(BRASIL));
    assert!(!all.stderr.contains("token"), "{}", all.stderr);
    let one = rig.wareg(&["next", PENDING]);
    assert_eq!(one.code, 0, "{}", one.stderr);
    assert!(one.stdout.contains("register:"), "{}", one.stdout);

    // A number of it asked about: said once, the other profile's numbers still shown.
    rig.two_profiles(&["106540352242999"]);
    let words = format!(
        "profile 'prod' has no token (the environment variable {UNSET_TOKEN} is not set or empty"
    );
    for args in [&["next"][..], &["next", "106540352242999", PENDING]] {
        let run = rig.wareg(args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert_eq!(
            run.stderr.matches(&words).count(),
            1,
            "{args:?}: said once: {}",
            run.stderr
        );
        assert!(
            run.stderr.contains("its numbers not read"),
            "{}",
            run.stderr
        );
        assert!(
            run.stdout.contains(&format!("{PENDING}  Sales UK")),
            "{args:?}: {}",
            run.stdout
        );
        assert!(
            !run.stdout.contains("106540352242999"),
            "its numbers are not listed one by one: {}",
            run.stdout
        );
    }
    let doc = rig.wareg(&["next", "--json"]);
    assert_eq!(doc.code, 2, "{}", doc.stderr);
    let doc = doc.json();
    assert_eq!(doc["not_read"][0]["profile"], "prod", "{doc}");
    assert_eq!(doc["exit_code"], 2);
    let numbers = doc["numbers"].as_array().unwrap();
    let prod = numbers
        .iter()
        .find(|n| n["id"] == "106540352242999")
        .unwrap();
    assert!(prod["next"].is_null(), "{prod}");
    assert_eq!(
        numbers.iter().find(|n| n["id"] == PENDING).unwrap()["next"]["step"],
        "register"
    );
    assert!(
        !rig.calls().iter().any(|c| c.contains("106540352242999")),
        "nothing sent for the profile without a token: {:?}",
        rig.calls()
    );
}

#[test]
fn a_declined_rename_is_flagged_by_next_status_and_the_next_column() {
    let rig = Rig::with(
        "v25.0",
        SandboxOptions {
            name_review: Duration::ZERO,
            ..SandboxOptions::default()
        },
    );
    let before = rig.wareg(&["next", CONNECTED, "--json"]).json();
    assert_eq!(before["numbers"][0]["next"]["step"], "none", "{before}");
    let run = rig.wareg(&["rename", CONNECTED, "--name", "Bad Name Ltd"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let next = rig.wareg(&["next", CONNECTED, "--json"]).json();
    let step = &next["numbers"][0]["next"];
    assert_eq!(step["step"], "edit_name", "{next}");
    let words = step["words"].as_str().unwrap();
    assert!(
        words.starts_with(
            "Meta declined the new display name 'Bad Name Ltd' (DECLINED): the number keeps 'Acme Support DE' and works as before"
        ),
        "{words}"
    );
    assert_eq!(
        step["action"],
        format!("wareg rename {CONNECTED} --name \"…\"")
    );
    // The same step in status and in the table's NEXT column (the TUI's, through one rule).
    assert_eq!(
        rig.wareg(&["status", CONNECTED, "--json"]).json()["next"],
        *step
    );
    let table = rig.wareg(&["numbers", "--refresh"]);
    let line = table
        .stdout
        .lines()
        .find(|l| l.starts_with(CONNECTED))
        .unwrap();
    assert!(line.trim_end().ends_with("edit name"), "{line}");
}

#[test]
fn an_ambiguous_beginning_of_a_verified_name_is_refused_with_each_number_it_matches() {
    let rig = Rig::new("v25.0");
    assert_eq!(rig.wareg(&["numbers", "--refresh"]).code, 0);
    let sent = rig.calls().len();
    for args in [
        &["status", "Acme B"][..],
        &["register", "acme b", "--pin-stdin"],
        &["plan", "register", "Acme B"],
    ] {
        let run = rig.wareg_stdin(args, "246810\n");
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(
            run.stderr.contains(
                "matches 2 numbers: Acme Brasil (+55 11 4002 8922), Acme Billing (+1 631-555-0142)"
            ),
            "{args:?}: {}",
            run.stderr
        );
    }
    assert_eq!(rig.calls().len(), sent, "nothing sent: {:?}", rig.calls());
    // A beginning only one name has finds it.
    let run = rig.wareg(&["status", "acme bra", "--json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["id"], BRASIL);
}

#[test]
fn a_hint_names_the_profile_when_it_is_not_the_default_and_works_pasted_as_it_is() {
    let rig = Rig::new("v25.0");
    rig.two_profiles(&[]);
    let sb = |id: &str| format!("{id} --profile sb");
    // The next step's command, in next and status.
    let next = rig.wareg(&["next", PENDING, "--json"]);
    assert_eq!(next.code, 0, "{}", next.stderr);
    let action = next.json()["numbers"][0]["next"]["action"].clone();
    assert_eq!(
        action,
        format!("wareg register {} --pin-stdin", sb(PENDING))
    );
    assert_eq!(
        rig.wareg(&["status", PENDING, "--json"]).json()["next"]["action"],
        action
    );
    // A deregister not confirmed, a rename, a code request: each names the profile.
    let run = rig.wareg(&["deregister", CONNECTED]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains(&format!("`wareg plan deregister {}`", sb(CONNECTED))),
        "{}",
        run.stderr
    );
    let run = rig.wareg(&["rename", PENDING, "--name", "Acme Sales"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .contains(&format!("`wareg next {}`", sb(PENDING)))
            && run
                .stdout
                .contains(&format!("(wareg register {} --pin-stdin)", sb(PENDING))),
        "{}",
        run.stdout
    );
    // A number just added is listed nowhere yet: each command of its path is pasted as it is.
    let add = rig.wareg(&[
        "--profile",
        "sb",
        "add",
        "--cc",
        "44",
        "--phone",
        "7700900123",
        "--name",
        "Acme UK",
    ]);
    assert_eq!(add.code, 0, "{}", add.stderr);
    let steps = add
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("Next: "))
        .unwrap_or_else(|| panic!("{}", add.stdout));
    let request = steps.split(", then ").next().unwrap();
    assert!(request.contains(" --profile sb "), "{request}");
    let words: Vec<&str> = request.split_whitespace().skip(1).collect();
    let run = rig.wareg(&words);
    assert_eq!(run.code, 0, "{request}: {}", run.stderr);
    let verify = run
        .stdout
        .split("Then run: ")
        .nth(1)
        .unwrap_or_else(|| panic!("{}", run.stdout));
    assert!(verify.contains(" --profile sb "), "{verify}");
    // In the default profile a hint stays as it was.
    let rig = Rig::new("v25.0");
    let next = rig.wareg(&["next", PENDING, "--json"]).json();
    assert_eq!(
        next["numbers"][0]["next"]["action"],
        format!("wareg register {PENDING} --pin-stdin")
    );
}

#[test]
fn discovered_numbers_are_named_by_what_was_last_read_in_next_audit_and_numbers() {
    let rig = Rig::new("v25.0");
    let listed = rig.wareg(&["numbers", "--refresh", "--storage"]);
    assert_eq!(listed.code, 0, "{}", listed.stderr);
    // next: the label or verified name and the display number, as the TUI shows them.
    let next = rig.wareg(&["next", BRASIL]);
    assert!(
        next.stdout
            .starts_with(&format!("{BRASIL}  Acme Brasil  +55 11 4002 8922\n")),
        "{}",
        next.stdout
    );
    let next = rig.wareg(&["next", PENDING]);
    assert!(
        next.stdout
            .starts_with(&format!("{PENDING}  Sales UK  +44 20 7946 0123\n")),
        "{}",
        next.stdout
    );
    // audit: the name and display number the last listing kept, beside the id.
    const MEXICO: &str = "106540352242938";
    rig.wareg_stdin(&["register", MEXICO, "--pin-stdin"], "000000\n");
    let audit = rig.wareg(&["audit"]);
    assert!(
        audit
            .stdout
            .contains(&format!("Acme Mexico +52 55 5000 1234 ({MEXICO})")),
        "{}",
        audit.stdout
    );
    let raw = rig.wareg(&["audit", "--raw"]);
    assert!(
        raw.stdout.contains("Acme Mexico +52 55 5000 1234"),
        "{}",
        raw.stdout
    );
    // numbers without --refresh: what was kept, and how old it is, with nothing read.
    let calls = rig.calls().len();
    let table = rig.wareg(&["numbers"]);
    assert_eq!(table.code, 0, "{}", table.stderr);
    assert_eq!(rig.calls().len(), calls, "nothing read");
    let line = |id: &str| {
        table
            .stdout
            .lines()
            .find(|l| l.starts_with(id))
            .unwrap_or_else(|| panic!("{id} not listed: {}", table.stdout))
            .to_owned()
    };
    let brasil = line(BRASIL);
    assert!(
        brasil.contains("Acme Brasil") && brasil.contains("+55 11 4002 8922"),
        "{brasil}"
    );
    let support = line(CONNECTED);
    assert!(
        support.contains("+49 30 1234 5601") && support.contains(" DE "),
        "{support}"
    );
    assert!(table.stdout.lines().next().unwrap().contains("STORAGE"));
    assert!(
        table
            .stdout
            .contains("Display numbers and names as wareg last listed them (the oldest ")
            && table.stdout.contains("under a minute ago"),
        "{}",
        table.stdout
    );
    let doc = rig.wareg(&["numbers", "--json"]).json();
    let kept = doc["numbers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == CONNECTED)
        .unwrap()["kept"]
        .clone();
    assert_eq!(kept["display_phone_number"], "+49 30 1234 5601", "{kept}");
    assert_eq!(kept["storage"]["summary"], "DE", "{kept}");
    // The CSV keeps an unread value empty.
    let csv = rig.wareg(&["numbers", "--csv"]);
    let row = csv
        .stdout
        .lines()
        .find(|l| l.starts_with(CONNECTED))
        .unwrap();
    assert!(!row.contains("+49 30"), "{row}");
}

/// A register whose outcome is not known, on a number whose reads then fail: the next step is
/// to read it (the rule the TUI's NEXT column uses too), until a read made after it works.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_outcome_asks_for_a_read_until_one_made_after_it_works() {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    const ID: &str = "106540352242950";
    let server = MockServer::start().await;
    let number = |status: &str| {
        ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "id": ID, "status": status, "code_verification_status": "VERIFIED",
            "display_phone_number": "+49 30 9999 0000", "verified_name": "Acme Unknown"
        }))
    };
    let mount_reads = |first: Option<ResponseTemplate>| {
        let server = &server;
        async move {
            if let Some(first) = first {
                Mock::given(method("GET"))
                    .and(path(format!("/v25.0/{ID}")))
                    .respond_with(first)
                    .up_to_n_times(1)
                    .with_priority(1)
                    .mount(server)
                    .await;
            }
            // Every later read is refused (not retried, not the whole profile's).
            Mock::given(method("GET"))
                .and(path(format!("/v25.0/{ID}")))
                .respond_with(ResponseTemplate::new(400).set_body_json(serde_json::json!({
                    "error": {"message": "(#100) Unsupported get request", "type": "GraphMethodException", "code": 100, "fbtrace_id": "Fb1"}
                })))
                .with_priority(5)
                .mount(server)
                .await;
        }
    };
    mount_reads(Some(number("PENDING"))).await;
    Mock::given(method("GET"))
        .and(path(format!("/v25.0/{ID}/settings")))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({"storage_configuration": {"status": "DEFAULT"}})),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("/v25.0/{ID}/register")))
        .respond_with(
            ResponseTemplate::new(502)
                .insert_header("content-type", "text/html")
                .set_body_string("<html><body>502 Bad Gateway</body></html>"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "default_profile = \"w\"\n[profiles.w]\nbase_url = \"{}\"\napi_version = \"v25.0\"\ntoken_env = \"{TOKEN_VAR}\"\ntimeout_secs = 5\n\n[[numbers]]\nid = \"{ID}\"\nlabel = \"Unknown DE\"\n",
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
    let wareg = |args: &'static [&'static str], stdin: Option<&'static str>| {
        let env = env.clone();
        tokio::task::spawn_blocking(move || run_wareg(args, stdin, &env))
    };
    let run = wareg(&["register", ID, "--pin-stdin"], Some("246810\n"))
        .await
        .unwrap();
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(run.stderr.contains("is unknown"), "{}", run.stderr);

    let run = wareg(&["next", ID, "--json"], None).await.unwrap();
    let doc = run.json();
    let next = &doc["numbers"][0]["next"];
    assert_eq!(next["step"], "check_outcome", "{doc}");
    assert!(
        next["words"]
            .as_str()
            .unwrap()
            .starts_with("the register sent by ")
            && next["words"]
                .as_str()
                .unwrap()
                .contains("has an unknown outcome ("),
        "{next}"
    );
    assert_eq!(next["action"], format!("wareg status {ID}"));
    assert!(
        doc["numbers"][0]["error"].is_string(),
        "the read failed: {doc}"
    );
    let text = wareg(&["next", ID], None).await.unwrap();
    assert!(
        text.stdout
            .contains("read first (check_outcome): the register sent by ")
            && text.stdout.contains("not read now: 100 "),
        "{}",
        text.stdout
    );
    let table = wareg(&["numbers", "--refresh"], None).await.unwrap();
    let line = table
        .stdout
        .lines()
        .find(|l| l.starts_with(ID))
        .unwrap()
        .to_owned();
    assert!(line.trim_end().ends_with("read first"), "{line}");

    // A read made after it shows what it did: the steps go on from there.
    server.reset().await;
    mount_reads(None).await;
    Mock::given(method("GET"))
        .and(path(format!("/v25.0/{ID}")))
        .respond_with(number("CONNECTED"))
        .with_priority(1)
        .mount(&server)
        .await;
    let run = wareg(&["next", ID, "--json"], None).await.unwrap();
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.json()["numbers"][0]["next"]["step"],
        "none",
        "{}",
        run.stdout
    );
    assert!(
        !server
            .received_requests()
            .await
            .unwrap()
            .iter()
            .any(|r| r.method.as_str() == "POST"),
        "never sent again"
    );
}

/// `wareg demo` in a pty: a code requested and verified through the TUI; its throw-away data
/// dir holds only files of the user's own (0600, the dir 0700, the pid file too) and its log
/// never the code, which the log pane shows (the demo's stand-in for the SMS).
#[test]
fn the_demo_keeps_its_files_private_and_never_writes_a_verification_code_to_its_log() {
    use common::pty::*;
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let env = vec![("TMPDIR".to_owned(), tmp.path().display().to_string())];
    let mut pty = Pty::spawn_with_env(&env, &["demo"]);
    pty.wait_for("the numbers", |s| {
        row(s, "New line BR").contains("UNVERIFIED")
    });
    pty.keys(&["g", "j", "j", "v"]);
    pty.wait_for("the verify form", |s| {
        s.contains("Verify ownership 106540352242924")
    });
    pty.keys(&[TAB, TAB, ENTER]);
    let said =
        regex::Regex::new(r"verification code for 106540352242924 \(.*\) is (\d{6})").unwrap();
    let screen = pty.wait_for("the code in the log pane", |s| said.is_match(s));
    let code = said.captures(&screen).unwrap()[1].to_owned();
    let mut keys: Vec<String> = code.chars().map(String::from).collect();
    keys.extend([TAB.to_owned(), ENTER.to_owned()]);
    pty.keys(&keys.iter().map(String::as_str).collect::<Vec<_>>());
    pty.wait_for("ownership verified", |s| s.contains("ownership verified"));

    let dirs: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("wareg-demo-")
        })
        .collect();
    assert_eq!(dirs.len(), 1, "{dirs:?}");
    let data = &dirs[0];
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(data), 0o700);
    let files: Vec<_> = std::fs::read_dir(data)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    assert!(files.iter().any(|f| f.ends_with("demo.pid")), "{files:?}");
    for file in &files {
        assert_eq!(mode(file), 0o600, "{}", file.display());
    }
    let log = read(&data.join("wareg.log"));
    assert!(log.contains("verify_code"), "the log is written: {log}");
    // The code as a word of its own, past each line's time stamp (whose microseconds are
    // six digits too).
    let as_word = regex::Regex::new(&format!(r"(^|\D){code}(\D|$)")).unwrap();
    let leaked = log
        .lines()
        .filter_map(|l| l.split_once(' ').map(|(_, rest)| rest))
        .any(|rest| as_word.is_match(rest));
    assert!(
        !leaked && !log.contains("verification code for"),
        "the code reached the log: {log}"
    );
    pty.keys(&["q"]);
    assert!(pty.wait_exit().success());
    pty.assert_restored();
    assert!(!data.exists(), "removed on exit");
}
