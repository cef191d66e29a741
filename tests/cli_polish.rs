//! What the second fresh-eyes run found of the command line (fresh2-report.md items 13–19)
//! and two things it left out: a profile without a token in `numbers --refresh`, and hints
//! that repeat the `--config FILE` wareg was started with.

mod common;

use common::*;
use std::process::{Command, Stdio};
use wareg::sandbox::SandboxOptions;

#[test]
fn numbers_refresh_reads_every_profile_it_can_and_says_once_which_had_no_token() {
    let rig = Rig::new("v25.0");
    rig.two_profiles(&["106540352242999"]);
    let words = format!(
        "profile 'prod' has no token (the environment variable {UNSET_TOKEN} is not set or empty"
    );
    let run = rig.wareg(&["numbers", "--refresh"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(
        run.stderr.matches(&words).count(),
        1,
        "said once: {}",
        run.stderr
    );
    let line = |id: &str| {
        run.stdout
            .lines()
            .find(|l| l.starts_with(id))
            .unwrap_or_else(|| panic!("{id} not listed: {}", run.stdout))
            .to_owned()
    };
    // The other profile was read: its configured numbers and its WABA's listing.
    assert!(line(CONNECTED).contains("CONNECTED"), "{}", run.stdout);
    assert!(
        line("106540352242924").contains("UNVERIFIED"),
        "{}",
        run.stdout
    );
    // The tokenless profile's number is in the table, unread, without an error under it.
    assert!(line("106540352242999").contains('?'), "{}", run.stdout);
    assert!(!run.stdout.contains("has no token"), "{}", run.stdout);
    assert!(
        !rig.calls().iter().any(|c| c.contains("106540352242999")),
        "nothing sent for the profile without a token: {:?}",
        rig.calls()
    );

    let doc = rig.wareg(&["numbers", "--refresh", "--json"]);
    assert_eq!(doc.code, 2, "{}", doc.stderr);
    let doc = doc.json();
    assert_eq!(doc["not_read"][0]["profile"], "prod", "{doc}");
    assert_eq!(doc["exit_code"], 2);
    let numbers = doc["numbers"].as_array().unwrap();
    let status =
        |id: &str| numbers.iter().find(|n| n["id"] == id).unwrap()["live"]["status"].clone();
    assert_eq!(status(CONNECTED), "CONNECTED");
    assert!(status("106540352242999").is_null());

    // The CSV: the rows on stdout, the words on stderr.
    let csv = rig.wareg(&["numbers", "--refresh", "--csv"]);
    assert_eq!(csv.code, 2, "{}", csv.stderr);
    assert!(csv.stdout.lines().any(|l| l.starts_with(CONNECTED)));
    assert_eq!(csv.stderr.matches(&words).count(), 1, "{}", csv.stderr);
}

/// wareg run in `dir` with `args`, the rig's data dir and token but no `WAREG_CONFIG`: the
/// config comes from `--config` alone, as a person passes it.
fn wareg_in(rig: &Rig, dir: &std::path::Path, args: &[&str], stdin: Option<&str>) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_wareg"));
    cmd.args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("NO_COLOR", "1")
        .env("WAREG_DATA_DIR", rig.data_dir())
        .env(TOKEN_VAR, &rig.token)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    if let Some(text) = stdin {
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    finish(child)
}

#[test]
fn a_hint_repeats_the_config_wareg_was_started_with_and_works_pasted_in_another_directory() {
    let rig = Rig::new("v25.0");
    // Started with a config named relative to where wareg runs.
    let elsewhere = tempfile::tempdir().unwrap();
    let next = wareg_in(
        &rig,
        rig.dir.path(),
        &["--config", "config.toml", "next", PENDING, "--json"],
        None,
    );
    assert_eq!(next.code, 0, "{}", next.stderr);
    let action = next.json()["numbers"][0]["next"]["action"]
        .as_str()
        .unwrap()
        .to_owned();
    let config = std::path::absolute(&rig.config).unwrap();
    assert_eq!(
        action,
        format!(
            "wareg register {PENDING} --config {} --pin-stdin",
            config.display()
        )
    );
    // Pasted as printed, in a directory with no config.toml: it reads the same config.
    let words: Vec<&str> = action.split_whitespace().skip(1).collect();
    let run = wareg_in(&rig, elsewhere.path(), &words, Some("123456\n"));
    assert_eq!(run.code, 0, "{action}: {}", run.stderr);
    assert!(
        posts(&rig.sandbox).contains(&format!("/v25.0/{PENDING}/register")),
        "{:?}",
        rig.calls()
    );
    // Through WAREG_CONFIG (no --config given) a hint stays as it was.
    let next = rig.wareg(&["next", PENDING, "--json"]).json();
    assert!(
        !next["numbers"][0]["next"]["action"]
            .as_str()
            .unwrap_or_default()
            .contains("--config"),
        "{next}"
    );
}

#[test]
fn a_bulk_filter_says_what_it_matched_of_the_configured_numbers_and_what_it_did_not_look_at() {
    let rig = Rig::new("v25.0");
    const MEXICO: &str = "106540352242938";
    // Before any listing was kept: only what it matched of the config.
    let plan = rig.wareg(&["bulk", "register", "--filter", "next:register", "--dry-run"]);
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    assert!(
        plan.stdout
            .contains("\n  matched 1 of 2 configured numbers\n"),
        "{}",
        plan.stdout
    );
    // `next` lists the WABA (and keeps what it found): bulk still chooses among the config's
    // numbers, and says how many it did not look at and how to include them.
    let next = rig.wareg(&["next", "--json"]).json();
    let discovered = next["numbers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["id"] != PENDING && n["id"] != CONNECTED)
        .count();
    assert!(discovered > 2, "{next}");
    let plan = rig.wareg(&["bulk", "register", "--filter", "next:register", "--dry-run"]);
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    let words = format!(
        "matched 1 of 2 configured numbers; {discovered} more numbers the last listings found are not in the config, so not included (a bulk chooses among the config's [[numbers]]: add them there, or give their ids with --ids FILE)"
    );
    assert!(plan.stdout.contains(&words), "{}", plan.stdout);
    let doc = rig
        .wareg(&[
            "bulk",
            "register",
            "--filter",
            "status:flagged",
            "--dry-run",
            "--json",
        ])
        .json();
    assert_eq!(doc["chosen"]["looked_at"], 2, "{doc}");
    assert_eq!(doc["chosen"]["matched"], 0, "{doc}");
    assert_eq!(doc["chosen"]["discovered_not_included"], discovered);
    // Sent with --yes, a filter that matched nothing says so (not "every chosen number was
    // left out").
    let run = rig.wareg_with(
        &[
            "bulk",
            "register",
            "--filter",
            "status:flagged",
            "--pin-env",
            "PIN",
            "--yes",
        ],
        None,
        &[("PIN", "123456")],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("nothing to send: the filter matched no number"),
        "{}",
        run.stderr
    );
    // A plain --ids plan says nothing of it.
    let ids = rig.dir.path().join("ids.txt");
    std::fs::write(&ids, format!("{MEXICO}\n")).unwrap();
    let ids = ids.display().to_string();
    let plan = rig.wareg(&["bulk", "register", "--ids", &ids, "--dry-run"]);
    assert!(!plan.stdout.contains("matched"), "{}", plan.stdout);

    // --ids FILE takes a discovered number, read through the profile whose listing showed it
    // (not the default one, which here has no token).
    rig.two_profiles(&["106540352242999"]);
    let plan = rig.wareg(&["bulk", "register", "--ids", &ids, "--dry-run", "--json"]);
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    let doc = plan.json();
    assert_eq!(doc["plans"][0]["number"], MEXICO, "{doc}");
    assert_eq!(doc["plans"][0]["profile"], "sb", "{doc}");
}

/// Mobile numbers as their countries write them (national part, the country code apart),
/// in the formats of each country's numbering plan.
const REAL_NUMBERS: &[(&str, &str, &str)] = &[
    ("1", "201 555 0123", "United States"),
    ("1", "506 234 5678", "Canada"),
    ("+1", "876 210 1234", "Jamaica (NANP, shared code 1)"),
    ("7", "912 345 6789", "Russia"),
    ("7", "771 000 9998", "Kazakhstan"),
    ("20", "100 123 4567", "Egypt"),
    ("27", "71 123 4567", "South Africa"),
    ("33", "6 12 34 56 78", "France"),
    ("34", "612 34 56 78", "Spain"),
    ("39", "312 345 6789", "Italy"),
    ("44", "7400 123456", "United Kingdom"),
    ("+44", "20 7946 0123", "United Kingdom, London"),
    ("49", "1512 3456789", "Germany"),
    ("52", "55 1234 5678", "Mexico"),
    ("55", "11 96123-4567", "Brazil"),
    ("61", "412 345 678", "Australia"),
    ("62", "812-345-678", "Indonesia"),
    ("65", "8123 4567", "Singapore"),
    ("81", "90-1234-5678", "Japan"),
    ("86", "131 2345 6789", "China"),
    ("90", "501 234 5678", "Türkiye"),
    ("91", "81234 56789", "India"),
    ("92", "301 2345678", "Pakistan"),
    ("234", "802 123 4567", "Nigeria"),
    ("254", "712 123456", "Kenya"),
    ("262", "692 12 34 56", "Réunion"),
    ("354", "611 1234", "Iceland"),
    ("372", "5123 4567", "Estonia"),
    ("383", "43 201 234", "Kosovo"),
    ("590", "690 00 12 34", "Guadeloupe"),
    ("599", "9 518 1234", "Curaçao"),
    ("852", "5123 4567", "Hong Kong"),
    ("880", "1812-345678", "Bangladesh"),
    ("966", "51 234 5678", "Saudi Arabia"),
    ("970", "599 123 456", "Palestine"),
    ("971", "50 123 4567", "United Arab Emirates"),
    ("998", "91 234 56 78", "Uzbekistan"),
];

#[test]
fn every_assigned_country_code_is_taken_and_an_unassigned_one_refused_before_sending() {
    use wareg::graph::NewNumber;
    for (cc, phone, country) in REAL_NUMBERS {
        let number = NewNumber::parse(cc, phone, "Acme Test");
        assert!(number.is_ok(), "{country} +{cc} {phone}: {number:?}");
    }
    for (code, whose) in wareg::graph::country_codes::ASSIGNED {
        let number = NewNumber::parse(&code.to_string(), "7700900123", "Acme Test");
        assert!(number.is_ok(), "{code} ({whose}): {number:?}");
    }

    let rig = Rig::new("v25.0");
    let add = |cc: &str, phone: &str, name: &str| {
        rig.wareg(&["add", "--cc", cc, "--phone", phone, "--name", name])
    };
    // Real numbers of several countries go through to the sandbox.
    for (cc, phone, country) in REAL_NUMBERS.iter().step_by(6) {
        let run = add(cc, phone, "Acme Test");
        assert_eq!(run.code, 0, "{country}: {}", run.stderr);
    }
    let sent = posts(&rig.sandbox).len();
    let run = add("999", "7700900123", "Acme Test");
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "`999` is not a country calling code the ITU has assigned (ITU-T E.164), e.g. 44 for the UK or 1 for the US and Canada; nothing was sent"
        ),
        "{}",
        run.stderr
    );
    // Everything wrong is said at once.
    let run = add("999", "0770", "A");
    assert_eq!(run.code, 2, "{}", run.stderr);
    for words in [
        "`999` is not a country calling code",
        "`0770` is not a national phone number",
        "the display name must be 2 to 75 characters",
    ] {
        assert!(run.stderr.contains(words), "{words}: {}", run.stderr);
    }
    // A NANP area code typed into the country code: the 1 is the code, the rest the number.
    let run = add("1876", "2101234", "Acme Test");
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("`1` is one (North American Numbering Plan"),
        "{}",
        run.stderr
    );
    assert_eq!(posts(&rig.sandbox).len(), sent, "nothing was sent");
}

#[test]
fn numbers_keeps_label_and_name_apart_and_sizes_its_columns_to_their_values() {
    let rig = Rig::new("v25.0");
    const BILLING: &str = "106540352242925";
    const TIENDA: &str = COEXISTENCE;
    let run = rig.wareg(&["numbers", "--refresh"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let header = run.stdout.lines().next().unwrap().to_owned();
    let rows: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with(|c: char| c.is_ascii_digit()))
        .collect();
    let at = |line: &str, column: &str| -> usize {
        let start = header.find(column).unwrap();
        line.chars().take(start).count()
    };
    let cell = |line: &str, column: &str, next: Option<&str>| -> String {
        let from = at(&header, column);
        let to = next.map_or(usize::MAX, |n| at(&header, n));
        line.chars()
            .skip(from)
            .take(to.saturating_sub(from))
            .collect::<String>()
            .trim()
            .to_owned()
    };
    let row = |id: &str| *rows.iter().find(|l| l.starts_with(id)).unwrap();
    // LABEL is the config's label alone (what bulk --label matches); NAME is Meta's.
    assert_eq!(cell(row(CONNECTED), "LABEL", Some("NUMBER")), "Support DE");
    assert_eq!(
        cell(row(BILLING), "LABEL", Some("NUMBER")),
        "",
        "{}",
        run.stdout
    );
    assert_eq!(cell(row(BILLING), "NAME", Some("STATUS")), "Acme Billing");
    // Every cell starts where its title does, the longest NEXT value too.
    for line in &rows {
        for (column, next) in [("NAME", "STATUS"), ("STATUS", "OWNERSHIP")] {
            let text: String = line.chars().skip(at(&header, column)).collect();
            assert!(!text.starts_with(' '), "{column} of {line}\n{header}");
            let before: String = line.chars().take(at(&header, next)).collect();
            assert!(
                before.ends_with(' '),
                "{column} runs into {next}: {line}\n{header}"
            );
        }
    }
    // NEXT shows the step's words (README's table): the key is for filters and JSON.
    let tienda = row(TIENDA);
    assert_eq!(cell(tienda, "NEXT", None), "elsewhere");
}

#[test]
fn audit_names_the_number_an_add_added_and_keeps_its_columns_in_line_whatever_the_name() {
    let rig = Rig::new("v25.0");
    const BILLING: &str = "106540352242925"; // "Acme Billing +1 631-555-0142": a long name
    const MEXICO: &str = "106540352242938";
    let add = rig.wareg(&[
        "add",
        "--cc",
        "44",
        "--phone",
        "7700900123",
        "--name",
        "Acme Test",
    ]);
    assert_eq!(add.code, 0, "{}", add.stderr);
    let new = add
        .stdout
        .split(" as ")
        .nth(1)
        .and_then(|rest| rest.split(':').next())
        .unwrap()
        .to_owned();
    // Before any listing has seen it: named as the add asked for it.
    let audit = rig.wareg(&["audit"]);
    assert!(
        audit
            .stdout
            .contains(&format!("ok (added 'Acme Test' +44 7700900123 as {new})")),
        "{}",
        audit.stdout
    );
    assert!(
        audit
            .stdout
            .contains(&format!("WABA {}", rig.sandbox.waba_id())),
        "{}",
        audit.stdout
    );
    // `next` lists it (and keeps what it read): audit names it as next does.
    let next = rig.wareg(&["next"]);
    assert!(
        next.stdout
            .contains(&format!("{new}  Acme Test  +44 7700900123")),
        "{}",
        next.stdout
    );
    rig.wareg_stdin(&["register", MEXICO, "--pin-stdin"], "000000\n");
    rig.wareg(&["deregister", BILLING, "--yes"]);
    rig.wareg(&["deregister", CONNECTED, "--yes"]);
    let audit = rig.wareg(&["audit"]);
    assert!(
        audit
            .stdout
            .contains(&format!("ok (added Acme Test +44 7700900123 as {new})")),
        "{}",
        audit.stdout
    );
    assert!(
        audit
            .stdout
            .contains(&format!("Acme Billing +1 631-555-0142 ({BILLING})")),
        "{}",
        audit.stdout
    );
    // The operation starts at one column on every line, the long name's too.
    let lines: Vec<&str> = audit.stdout.lines().collect();
    assert_eq!(lines.len(), 4, "{}", audit.stdout);
    let op_at = |line: &str, at: usize| -> String {
        line.chars().skip(at).take_while(|c| *c != ' ').collect()
    };
    let at = lines[0].find("add").unwrap();
    for (line, op) in lines
        .iter()
        .zip(["add", "register", "deregister", "deregister"])
    {
        assert_eq!(op_at(line, at), op, "{}", audit.stdout);
    }
    // The records as stored align too.
    let raw = rig.wareg(&["audit", "--raw"]);
    let lines: Vec<&str> = raw.stdout.lines().collect();
    let at = lines[0].find("add").unwrap();
    for line in &lines {
        let op = op_at(line, at);
        assert!(
            ["add", "register", "deregister"].contains(&op.as_str()),
            "{op:?} at {at}: {}",
            raw.stdout
        );
    }
}

#[test]
fn a_refresh_whose_storage_is_held_back_shows_what_was_kept_and_what_yes_would_cost() {
    let rig = Rig::with(
        "v25.0",
        SandboxOptions {
            usage_floor: 80,
            ..SandboxOptions::default()
        },
    );
    // A person's --yes reads it at 80 %, and it is kept.
    let read = rig.wareg(&["numbers", "--refresh", "--storage", "--yes"]);
    assert_eq!(read.code, 0, "{}", read.stderr);
    let storage = |run: &Run| {
        let header = run
            .stdout
            .lines()
            .find(|l| l.starts_with("ID "))
            .unwrap_or_default()
            .to_owned();
        let line = run
            .stdout
            .lines()
            .find(|l| l.starts_with(CONNECTED))
            .unwrap_or_default()
            .to_owned();
        let Some(from) = header.find("STORAGE") else {
            panic!("no STORAGE column: {}\n{}", run.stdout, run.stderr);
        };
        line.chars()
            .skip(from)
            .take_while(|c| *c != ' ')
            .collect::<String>()
    };
    assert_eq!(storage(&read), "DE", "{}", read.stdout);
    // --yes would read every row listed, one call each.
    let listed = read
        .stdout
        .lines()
        .filter(|l| l.starts_with("1065"))
        .count();
    assert!(listed > 2, "{}", read.stdout);
    // Without --yes the mark holds it back: the kept value stands in, not "?".
    let held = rig.wareg(&["numbers", "--refresh", "--storage"]);
    assert_eq!(held.code, 0, "{}", held.stderr);
    assert_eq!(storage(&held), "DE", "{}", held.stdout);
    assert!(
        held.stdout.contains("Storage as last read")
            && held.stdout.contains("`--yes` reads the storage live"),
        "said to be kept: {}",
        held.stdout
    );
    assert!(
        held.stderr.contains("80 % used")
            && held
                .stderr
                .contains(&format!("--yes reads it anyway: {listed} calls, about")),
        "the cost beside --yes: {}",
        held.stderr
    );
}
