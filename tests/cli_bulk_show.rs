//! `wareg bulk show ID` against the sandbox: one line per number with its label and display
//! number, each step with ✓/✗, and the state it was left in ("left DEREGISTERED: …" whole), in
//! text and in `--json`, from the same journal words the TUI's summary shows.

mod common;

use common::*;
use std::time::Duration;

/// A region change with a wrong PIN for all: the first number goes alone, is deregistered,
/// has its storage set and its register refused (133005); the run stops before the others.
fn a_run_that_left_one_number_deregistered(rig: &Rig) -> String {
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
    run.json()["bulk"].as_str().unwrap().to_owned()
}

#[test]
fn bulk_show_names_each_number_says_each_step_and_the_state_it_was_left_in() {
    let rig = fleet_rig(3, Duration::ZERO);
    let id = a_run_that_left_one_number_deregistered(&rig);
    let shown = rig.wareg(&["bulk", "show", &id]);
    assert_eq!(shown.code, 0, "{}", shown.stderr);
    let lines: Vec<&str> = shown.stdout.lines().collect();
    let first = lines
        .iter()
        .find(|l| l.contains("Fleet 00001"))
        .unwrap_or_else(|| panic!("{}", shown.stdout));
    assert_eq!(
        first.trim(),
        format!(
            "Fleet 00001 +1 555-000-0000 · ✓ deregister ✓ settings ✗ register 133005 Two-step PIN mismatch · left DEREGISTERED: messaging is stopped until it is registered again (wareg bulk resume {id}, or register)"
        ),
        "{}",
        shown.stdout
    );
    let second = lines
        .iter()
        .find(|l| l.contains("Fleet 00002"))
        .unwrap_or_else(|| panic!("{}", shown.stdout));
    assert!(
        second.contains("+1 555-000-0001 · not started · left as it was: not started"),
        "{second}"
    );
    assert!(shown.stdout.contains("133005"), "{}", shown.stdout);

    let json = rig.wareg(&["bulk", "show", &id, "--json"]).json();
    let numbers = json["numbers"].as_array().unwrap();
    assert_eq!(numbers.len(), 3, "{json}");
    let first = &numbers[0];
    assert_eq!(first["label"], "Fleet 00001");
    assert_eq!(first["display"], "+1 555-000-0000");
    assert_eq!(first["state"], "failed");
    assert_eq!(first["profile"], "sb");
    let steps: Vec<(String, String)> = first["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["step"].as_str().unwrap().to_owned(),
                s["outcome"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        steps,
        [
            ("deregister".to_owned(), "ok".to_owned()),
            ("settings".into(), "ok".into()),
            ("register".into(), "error".into())
        ]
    );
    assert!(
        first["steps"][2]["detail"]
            .as_str()
            .unwrap()
            .starts_with("133005"),
        "{first}"
    );
    assert_eq!(
        first["left"],
        format!(
            "left DEREGISTERED: messaging is stopped until it is registered again (wareg bulk resume {id}, or register)"
        )
    );
    // The line is the text's, word for word; the message is the whole of how it ended.
    assert!(shown.stdout.contains(first["line"].as_str().unwrap()));
    assert!(
        first["message"].as_str().unwrap().contains("133005"),
        "{first}"
    );
    assert_eq!(numbers[1]["state"], "not_started");
    assert!(
        json["stopped"].as_str().unwrap().contains("133005"),
        "{json}"
    );

    // The words are true: resume with the right PIN registers the number it left
    // deregistered, and moves the others.
    let resumed = rig.wareg_with(
        &["bulk", "resume", &id, "--pin-env", "FLEET_PIN", "--yes"],
        None,
        &[("FLEET_PIN", "000000")],
    );
    assert_eq!(resumed.code, 0, "{}\n{}", resumed.stdout, resumed.stderr);
    let after = rig.wareg(&["bulk", "show", &id]);
    for n in 1..=3 {
        let line = after
            .stdout
            .lines()
            .find(|l| l.contains(&format!("Fleet 0000{n}")))
            .unwrap_or_else(|| panic!("{}", after.stdout));
        assert!(
            line.ends_with("left registered, local storage DE"),
            "{line}\n{}",
            after.stdout
        );
    }
    let status = rig.wareg(&["status", &fleet_id(0), "--json"]).json();
    assert_eq!(status["live"]["status"], "CONNECTED", "{status}");
    assert_eq!(
        status["storage"]["data_localization_region"], "DE",
        "{status}"
    );
}

#[test]
fn the_end_of_a_run_says_the_same_lines_as_bulk_show() {
    let rig = fleet_rig(2, Duration::ZERO);
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
        ],
        None,
        &[("BAD_PIN", "111111")],
    );
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let id = run
        .stderr
        .lines()
        .find_map(|l| l.strip_prefix("bulk run "))
        .and_then(|l| l.split(' ').next())
        .unwrap_or_else(|| panic!("{}", run.stderr))
        .to_owned();
    let shown = rig.wareg(&["bulk", "show", &id]);
    let numbered: Vec<&str> = shown
        .stdout
        .lines()
        .filter(|l| l.contains("Fleet 0000"))
        .collect();
    assert_eq!(numbered.len(), 2, "{}", shown.stdout);
    for line in numbered {
        assert!(run.stdout.contains(line), "{line}\nnot in:\n{}", run.stdout);
    }
    assert!(
        run.stdout.contains("continue with: wareg bulk resume"),
        "{}",
        run.stdout
    );
}

/// A run of one number says "1 number", not "1 numbers" (fresh-eyes finding).
#[test]
fn bulk_show_of_a_run_of_one_number_says_one_number() {
    let rig = fleet_rig(1, Duration::ZERO);
    let id = a_run_that_left_one_number_deregistered(&rig);
    let shown = rig.wareg(&["bulk", "show", &id]);
    assert_eq!(shown.code, 0, "{}", shown.stderr);
    let head = shown.stdout.lines().next().unwrap_or_default();
    assert!(
        head.starts_with(&format!(
            "bulk run {id}: region change of 1 number, started"
        )),
        "{}",
        shown.stdout
    );
}
