//! The command line as a support person used it for a day (issue 26): the audit trail read as
//! attempts, numbers found as people name them, read-only commands that write nothing, and the
//! sandbox saying how to point a profile at it.

mod common;

use common::*;

#[test]
fn audit_prints_one_line_per_attempt_and_raw_prints_the_records() {
    let rig = Rig::new("v25.0");
    rig.wareg_stdin(&["register", CONNECTED, "--pin-stdin"], "000000\n");
    let joined = rig.wareg(&["audit"]);
    assert_eq!(joined.code, 0, "{}", joined.stderr);
    let lines: Vec<&str> = joined.stdout.lines().collect();
    assert_eq!(lines.len(), 1, "one attempt, one line: {}", joined.stdout);
    let line = lines[0];
    for part in ["Support DE", CONNECTED, "register", "error 133005", "@"] {
        assert!(line.contains(part), "{part} missing: {line}");
    }
    let raw = rig.wareg(&["audit", "--raw"]);
    let lines: Vec<&str> = raw.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", raw.stdout);
    assert!(lines[0].contains(" sending") && lines[1].contains("error 133005"));
}

#[test]
fn a_time_is_written_one_way_with_its_zone_and_in_the_zone_tz_names() {
    let rig = Rig::new("v25.0");
    rig.wareg_stdin(&["register", CONNECTED, "--pin-stdin"], "000000\n");
    let when = regex::Regex::new(
        r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{2}:\d{2} (UTC|[+-]\d{2}:\d{2})\b",
    )
    .unwrap();
    let utc = rig.wareg(&["audit"]);
    let zone = |text: &str| {
        when.captures(text)
            .map(|c| c[3].to_owned())
            .unwrap_or_else(|| panic!("no time in words: {text}"))
    };
    assert_eq!(zone(&utc.stdout), "UTC");
    let kolkata = rig.wareg_with(&["audit"], None, &[("TZ", "IST-5:30")]);
    assert_eq!(zone(&kolkata.stdout), "+05:30");
}

#[test]
fn a_number_is_found_by_its_display_number_or_verified_name_and_a_slip_is_named() {
    let rig = Rig::new("v25.0");
    // Before any listing: a close label is named, nothing is sent.
    let slip = rig.wareg(&["status", "Suport DE"]);
    assert_eq!(slip.code, 2, "{}", slip.stderr);
    assert!(
        slip.stderr.contains("did you mean 'Support DE'?"),
        "{}",
        slip.stderr
    );
    assert!(rig.calls().is_empty(), "{:?}", rig.calls());
    // A listing keeps what it read; later commands find numbers by it without listing again.
    assert_eq!(rig.wareg(&["numbers", "--refresh"]).code, 0);
    let listings = || {
        rig.calls()
            .iter()
            .filter(|c| c.ends_with("/phone_numbers"))
            .count()
    };
    assert_eq!(listings(), 1);
    // New line BR is discovered, not configured: its display number in other spacing, and its
    // verified name in other case.
    for name in ["5511 4002-8922", "+55 (11) 40028922", "acme brasil"] {
        let run = rig.wareg(&["status", name, "--json"]);
        assert_eq!(run.code, 0, "{name}: {}", run.stderr);
        assert_eq!(run.json()["id"], "106540352242924", "{name}");
        assert!(run.stderr.contains("→ 106540352242924"), "{}", run.stderr);
    }
    assert_eq!(listings(), 1, "no listing was made to find a name");
    let miss = rig.wareg(&["plan", "register", "Acme Brazil"]);
    assert_eq!(miss.code, 2);
    assert!(
        miss.stderr.contains("did you mean 'Acme Brasil'?"),
        "{}",
        miss.stderr
    );
}

#[test]
fn a_number_found_through_another_profiles_listing_is_read_through_that_profile() {
    let rig = Rig::new("v25.0");
    // The default profile is another one, whose token is not even set.
    let config = std::fs::read_to_string(&rig.config).unwrap().replace(
        "default_profile = \"sb\"",
        "default_profile = \"prod\"\n\n[profiles.prod]\ntoken_env = \"WAREG_TEST_UNSET_TOKEN\"\n",
    );
    std::fs::write(&rig.config, config).unwrap();
    assert_eq!(
        rig.wareg(&["numbers", "--refresh", "--profile", "sb"]).code,
        0
    );
    // New line BR was listed by sb: found by its name and by its id, it is read there.
    for name in ["acme brasil", "106540352242924"] {
        let run = rig.wareg(&["status", name, "--json"]);
        assert_eq!(run.code, 0, "{name}: {}", run.stderr);
        assert_eq!(run.json()["id"], "106540352242924");
    }
}

#[test]
fn a_register_plan_for_a_flagged_or_blocked_number_says_a_register_does_not_fix_it() {
    let rig = Rig::new("v25.0");
    // Promo IN: FLAGGED, its health BLOCKED.
    let plan = rig.wareg(&["plan", "register", "106540352242926", "--json"]);
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    let notes = plan.json()["plans"][0]["notes"].to_string();
    assert!(
        notes.contains("FLAGGED and sending is BLOCKED")
            && notes.contains("re-registering does not fix it")
            && notes.contains("What to do:"),
        "{notes}"
    );
    // The same words in the text plan; a number whose health is fine says nothing of it.
    let text = rig.wareg(&["plan", "register", "106540352242926"]);
    assert!(
        text.stdout.contains("re-registering does not fix it"),
        "{}",
        text.stdout
    );
    let fine = rig.wareg(&["plan", "register", PENDING]);
    assert!(
        !fine.stdout.contains("re-registering does not fix"),
        "{}",
        fine.stdout
    );
}

#[test]
fn the_sandbox_banner_prints_config_lines_that_work_as_they_are() {
    use std::io::{BufRead, BufReader};
    let mut child = start_wareg(&["sandbox", "--listen", "127.0.0.1:0"], None, &[]);
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut lines = Vec::new();
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let last = line.contains("press Ctrl-C");
            lines.push(line);
            if last {
                break;
            }
        }
        let _ = tx.send(lines);
    });
    let banner = rx
        .recv_timeout(std::time::Duration::from_secs(20))
        .expect("the banner");
    // The profile lines, pasted into a config as they are, with the token they name.
    let profile: Vec<&str> = banner
        .iter()
        .skip_while(|l| !l.contains("[profiles.sandbox]"))
        .take(4)
        .map(|l| l.trim())
        .collect();
    assert_eq!(profile.len(), 4, "{banner:?}");
    assert!(
        profile[1].starts_with("base_url = \"http://127.0.0.1:"),
        "{banner:?}"
    );
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    let text = format!("default_profile = \"sandbox\"\n\n{}\n", profile.join("\n"));
    std::fs::write(&config, text).unwrap();
    let env = vec![
        ("WAREG_CONFIG".to_owned(), config.display().to_string()),
        (
            "WAREG_DATA_DIR".to_owned(),
            dir.path().join("data").display().to_string(),
        ),
        ("WAREG_SANDBOX_TOKEN".to_owned(), "any-value".to_owned()),
    ];
    let run = run_wareg(&["numbers", "--refresh"], None, &env);
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains(CONNECTED), "{}", run.stdout);
    // And --help says the same.
    let help = run_wareg(&["sandbox", "--help"], None, &[]);
    assert!(
        help.stdout.contains("[profiles.sandbox]"),
        "{}",
        help.stdout
    );
}

#[test]
fn config_check_says_ok_only_when_every_check_passed() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let token = dir.path().join("token");
    std::fs::write(&token, "not-a-real-token\n").unwrap();
    std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o644)).unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "default_profile = \"prod\"\n\n[profiles.prod]\ntoken_file = \"{}\"\n",
            token.display()
        ),
    )
    .unwrap();
    let env = vec![
        ("WAREG_CONFIG".to_owned(), config.display().to_string()),
        (
            "WAREG_DATA_DIR".to_owned(),
            dir.path().join("data").display().to_string(),
        ),
    ];
    let run = run_wareg(&["config", "check"], None, &env);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        !run.stdout.contains("OK"),
        "OK before a failure: {}",
        run.stdout
    );
    assert!(run.stderr.contains("token"), "{}", run.stderr);
    // Mended, it says OK.
    std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o600)).unwrap();
    let run = run_wareg(&["config", "check"], None, &env);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains(": OK"), "{}", run.stdout);
}

#[test]
fn commands_that_only_read_never_make_the_data_dir() {
    let rig = Rig::new("v25.0");
    let fresh = tempfile::tempdir().unwrap();
    let never = fresh.path().join("data-never-made");
    let mut env = rig.env(&[]);
    env.retain(|(k, _)| k != "WAREG_DATA_DIR");
    env.push(("WAREG_DATA_DIR".into(), never.display().to_string()));
    for args in [
        &["numbers"][..],
        &["numbers", "--json"],
        &["audit"],
        &["audit", "--json"],
        &["config", "path"],
        &["bulk", "show", "20261125-233000-1a2b"],
    ] {
        let run = run_wareg(args, None, &env);
        assert!(
            !never.exists(),
            "`wareg {}` made the data dir (exit {}): {}",
            args.join(" "),
            run.code,
            run.stderr
        );
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    }
    let audit = run_wareg(&["audit"], None, &env);
    assert_eq!(audit.code, 0, "{}", audit.stderr);
    assert!(audit.stdout.contains("has no records"), "{}", audit.stdout);
    let show = run_wareg(&["bulk", "show", "20261125-233000-1a2b"], None, &env);
    assert_eq!(show.code, 2, "{}", show.stderr);
    // A command that sends makes it, as before.
    let refresh = run_wareg(&["numbers", "--refresh"], None, &env);
    assert_eq!(refresh.code, 0, "{}", refresh.stderr);
    assert!(never.exists());
}

#[test]
fn a_refused_token_is_told_once_and_stops_the_profiles_other_reads() {
    let mut rig = Rig::new("v25.0");
    // A configured number the WABA does not list: read on its own, were the token good.
    let mut config = std::fs::read_to_string(&rig.config).unwrap();
    config.push_str("\n[[numbers]]\nid = \"1065999999999999\"\nlabel = \"Gone\"\n");
    std::fs::write(&rig.config, config).unwrap();
    rig.token = wareg::sandbox::EXPIRED_TOKEN.into();
    let run = rig.wareg(&["numbers", "--refresh"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let said = format!("{}{}", run.stdout, run.stderr);
    let paragraphs = said.matches("new System User token").count();
    assert!(paragraphs <= 2, "told {paragraphs} times:\n{said}");
    assert_eq!(
        rig.calls().len(),
        1,
        "only the listing is sent: {:?}",
        rig.calls()
    );
    assert!(said.contains("not read"), "{said}");
}

#[test]
fn numbers_refresh_storage_reads_and_shows_storage_in_text_csv_and_json() {
    let rig = Rig::new("v25.0");
    let plain = rig.wareg(&["numbers", "--refresh"]);
    assert!(!plain.stdout.contains("STORAGE"), "{}", plain.stdout);
    assert!(!rig.calls().iter().any(|c| c.contains("/settings")));

    let text = rig.wareg(&["numbers", "--refresh", "--storage"]);
    assert_eq!(text.code, 0, "{}", text.stderr);
    assert!(
        text.stdout
            .lines()
            .next()
            .unwrap_or_default()
            .contains("STORAGE")
    );
    let line = text
        .stdout
        .lines()
        .find(|l| l.starts_with(CONNECTED))
        .unwrap_or_default();
    assert!(line.contains(" DE "), "{}", text.stdout);
    assert!(rig.calls().iter().any(|c| c.contains("/settings")));

    let csv = rig.wareg(&["numbers", "--refresh", "--storage", "--csv"]);
    let row = csv
        .stdout
        .lines()
        .find(|l| l.starts_with(CONNECTED))
        .unwrap_or_default();
    assert!(row.split(',').any(|cell| cell == "DE"), "{}", csv.stdout);

    let json = rig
        .wareg(&["numbers", "--refresh", "--storage", "--json"])
        .json();
    let connected = json["numbers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == CONNECTED)
        .cloned()
        .unwrap();
    assert_eq!(connected["storage"]["summary"], "DE", "{connected}");
    // --storage reads live, so it needs --refresh.
    let refused = rig.wareg(&["numbers", "--storage"]);
    assert_eq!(refused.code, 2, "{}", refused.stderr);
}

#[test]
fn a_blocked_plan_costs_nothing_and_bulk_totals_count_each_kind_in_words() {
    let rig = Rig::new("v25.0");
    // Coexistence: Meta allows no deregister; the plan says it costs nothing.
    let plan = rig.wareg(&["plan", "deregister", COEXISTENCE]);
    assert!(plan.stdout.contains("cost: nothing"), "{}", plan.stdout);
    assert!(
        !plan.stdout.contains("cost: 1 deregister"),
        "{}",
        plan.stdout
    );
    let json = rig.wareg(&["plan", "deregister", COEXISTENCE, "--json"]);
    let doc = json.json();
    let plan = &doc["plans"][0];
    assert_eq!(plan["sendable"], false, "{doc}");
    assert_eq!(plan["cost"], serde_json::json!({}), "{doc}");

    // A deregister plan shows the deregister budget, and its totals say "1 request".
    let dry = rig.wareg(&["bulk", "deregister", "--label", "Support*", "--dry-run"]);
    assert!(
        dry.stdout
            .contains("1 number, 1 request, 1 deregister attempt"),
        "{}",
        dry.stdout
    );
    assert!(dry.stdout.contains("LEFT AFTER"), "{}", dry.stdout);
    assert!(!dry.stdout.contains("register attempts"), "{}", dry.stdout);
}

#[test]
fn one_pin_for_many_numbers_says_how_many_have_a_pin_it_cannot_check() {
    let rig = Rig::new("v25.0");
    let dry = rig.wareg_stdin(
        &[
            "bulk",
            "reregister",
            "--label",
            "*",
            "--pin-stdin",
            "--dry-run",
        ],
        "246810\n",
    );
    assert!(
        dry.stdout.contains("a two-step PIN already") && dry.stdout.contains("--pin-command"),
        "{}\n{}",
        dry.stdout,
        dry.stderr
    );
}
