//! Issue 27 item 8: a bulk journal is sealed (each line's MAC chained from the one before,
//! keyed by a per-data-dir key), and `bulk resume` refuses one that was changed: exit 2,
//! nothing sent. A journal of an earlier wareg (no seal) is shown, never resumed. Its tip
//! (`<id>.tip`, sealed too) says how long wareg wrote it, so a journal cut at its end is
//! refused as well; and what the ledger says the run sent is checked against what the
//! journal says, so a journal put back to an earlier copy (tip and all) re-sends nothing.

mod common;

use common::*;
use std::path::{Path, PathBuf};
use std::time::Duration;

const FLEET_PIN: &str = "000000";

/// A re-register of the rig's numbers, killed while the first one's call is in flight (its
/// intent in the trail, so its `started` line and the journal's tip are written): the rest
/// is left.
fn an_unfinished_run(rig: &Rig) -> (String, PathBuf) {
    let args = [
        "bulk",
        "reregister",
        "--label",
        "Fleet *",
        "--concurrency",
        "1",
        "--pin-env",
        "FLEET_PIN",
        "--yes",
    ];
    let mut child = start_wareg(&args, None, &rig.env(&[("FLEET_PIN", FLEET_PIN)]));
    let bulk_dir = rig.data_dir().join("bulk");
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let journal = loop {
        let path = std::fs::read_dir(&bulk_dir).ok().and_then(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path()))
                .find(|p| p.extension().is_some_and(|x| x == "jsonl"))
        });
        if let Some(path) = path
            && open_intent(rig, &fleet_id(0))
        {
            break path;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the run did not start"
        );
        std::thread::sleep(Duration::from_millis(5));
    };
    child.kill().unwrap();
    child.wait().unwrap();
    let id = journal.file_stem().unwrap().to_str().unwrap().to_owned();
    (id, journal)
}

fn resume(rig: &Rig, id: &str) -> Run {
    rig.wareg_with(
        &["bulk", "resume", id, "--pin-env", "FLEET_PIN", "--yes"],
        None,
        &[("FLEET_PIN", FLEET_PIN)],
    )
}

/// The journal with each line's `"mac"` taken out: what an earlier wareg wrote.
fn unsealed(text: &str) -> String {
    let mac = regex::Regex::new(r#","mac":"[0-9a-f]{64}"\}$"#).unwrap();
    text.lines()
        .map(|l| format!("{}\n", mac.replace(l, "}")))
        .collect()
}

fn refused(rig: &Rig, id: &str, journal: &Path, text: &str, why: &str) -> Run {
    let posts_before = posts(&rig.sandbox).len();
    std::fs::write(journal, text).unwrap();
    let run = resume(rig, id);
    assert_eq!(run.code, 2, "{why}: {}\n{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("nothing was sent"),
        "{why}: {}",
        run.stderr
    );
    assert_eq!(
        posts(&rig.sandbox).len(),
        posts_before,
        "{why}: sent {:?}",
        &posts(&rig.sandbox)[posts_before..]
    );
    run
}

/// The journal's tip, beside it.
fn tip_of(journal: &Path) -> PathBuf {
    journal.with_extension("tip")
}

/// The first `n` lines of `text`.
fn first_lines(text: &str, n: usize) -> String {
    text.lines().take(n).map(|l| format!("{l}\n")).collect()
}

/// The trail's records of `number`, as JSON.
fn trail_of(rig: &Rig, number: &str) -> Vec<serde_json::Value> {
    read(&rig.audit_path())
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|r| r["number"] == number)
        .collect()
}

/// Whether the trail has an intent of `number` with no outcome.
fn open_intent(rig: &Rig, number: &str) -> bool {
    let records = trail_of(rig, number);
    records.iter().any(|intent| {
        intent["phase"] == "intent"
            && !records
                .iter()
                .any(|r| r["phase"] == "outcome" && r["attempt"] == intent["attempt"])
    })
}

/// The POSTs the sandbox had for `number`.
fn posts_for(rig: &Rig, number: &str) -> usize {
    posts(&rig.sandbox)
        .iter()
        .filter(|p| p.contains(number))
        .count()
}

#[test]
fn a_changed_journal_is_refused_for_resume_and_nothing_is_sent() {
    let rig = fleet_rig(8, Duration::from_millis(150));
    let (id, journal) = an_unfinished_run(&rig);
    let original = read(&journal);
    assert!(original.contains("\"mac\":"), "sealed lines: {original}");
    let key = rig.data_dir().join("bulk-journal.key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the key is private");
    }

    // The header's action changed from re-register to deregister.
    let deregister = original.replacen("\"action\":\"reregister\"", "\"action\":\"deregister\"", 1);
    assert_ne!(deregister, original);
    refused(&rig, &id, &journal, &deregister, "action changed");

    // A number that is not in the run (nor in the config), planned by hand with a line
    // copied from another one, seal and all.
    let planned = original
        .lines()
        .find(|l| l.contains("\"kind\":\"planned\""))
        .unwrap();
    let stranger = planned.replace(&fleet_id(0), "1065999999999999");
    let mut added = original.clone();
    added.push_str(&format!("{stranger}\n"));
    refused(&rig, &id, &journal, &added, "a number added");

    // A whole line without a seal put in the middle (a crash only tears a line's end): refused,
    // not skipped without a word.
    let mut lines: Vec<&str> = original.lines().collect();
    let finished = format!(
        r#"{{"kind":"finished","number":"{}","outcome":"done"}}"#,
        fleet_id(1)
    );
    lines.insert(3, &finished);
    let inserted: String = lines.iter().map(|l| format!("{l}\n")).collect();
    let run = refused(&rig, &id, &journal, &inserted, "an unsealed line inserted");
    assert!(run.stderr.contains("without a seal"), "{}", run.stderr);

    // A planned number taken out of the middle.
    let mut lines: Vec<&str> = original.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.contains("\"kind\":\"planned\""))
        .unwrap();
    lines.remove(at + 1);
    let removed: String = lines.iter().map(|l| format!("{l}\n")).collect();
    refused(&rig, &id, &journal, &removed, "a line removed");

    // Written by an earlier wareg (no seal): shown, never resumed, and the message says why.
    let old = unsealed(&original);
    refused(&rig, &id, &journal, &old, "an earlier wareg's journal");
    let run = resume(&rig, &id);
    assert!(run.stderr.contains("earlier wareg"), "{}", run.stderr);
    let shown = rig.wareg(&["bulk", "show", &id]);
    assert_eq!(shown.code, 0, "{}", shown.stderr);
    assert!(shown.stderr.contains("not sealed"), "{}", shown.stderr);

    // Without the key nothing can be checked: refused too.
    std::fs::write(&journal, &original).unwrap();
    let saved_key = std::fs::read(&key).unwrap();
    std::fs::remove_file(&key).unwrap();
    refused(&rig, &id, &journal, &original, "the key is gone");
    std::fs::write(&key, saved_key).unwrap();

    // The journal as wareg wrote it resumes, and what it sends is the run's action.
    std::fs::write(&journal, &original).unwrap();
    let run = resume(&rig, &id);
    // The number the kill caught mid-way is unknown (a re-register cannot be told from a
    // read): exit 3, the rest done.
    assert_eq!(run.code, 3, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("7 done"), "{}", run.stdout);
    let posts = posts(&rig.sandbox);
    assert!(
        posts.iter().all(|p| p.ends_with("/register")),
        "only re-registers: {posts:?}"
    );
    assert!(!posts.iter().any(|p| p.contains("1065999999999999")));
    // Its lines still chain after the resume wrote to it.
    let again = resume(&rig, &id);
    assert_ne!(again.code, 2, "{}", again.stderr);
    assert!(again.stdout.contains("done before"), "{}", again.stdout);
}

#[test]
fn a_journal_cut_at_its_end_is_refused_and_nothing_is_sent() {
    let rig = fleet_rig(8, Duration::from_millis(150));
    let (id, journal) = an_unfinished_run(&rig);
    let original = read(&journal);
    let lines: Vec<&str> = original.lines().collect();
    assert!(
        tip_of(&journal).exists(),
        "a tip beside {}",
        journal.display()
    );
    let says_cut = |run: &Run, why: &str| {
        assert!(
            run.stderr.contains(&journal.display().to_string())
                && run.stderr.contains("cut off its end"),
            "{why}: the message names the journal and what is wrong: {}",
            run.stderr
        );
    };

    // The last line cut off: what is left still chains.
    let run = refused(
        &rig,
        &id,
        &journal,
        &first_lines(&original, lines.len() - 1),
        "the last line cut",
    );
    says_cut(&run, "the last line cut");

    // The last `started` line cut (with what followed it): the number would look never sent.
    let started = lines
        .iter()
        .rposition(|l| l.contains("\"kind\":\"started\""))
        .unwrap();
    let run = refused(
        &rig,
        &id,
        &journal,
        &first_lines(&original, started),
        "the last started line cut",
    );
    says_cut(&run, "the last started line cut");

    // The last three lines cut: two planned numbers would drop out of the run unseen.
    let run = refused(
        &rig,
        &id,
        &journal,
        &first_lines(&original, lines.len() - 3),
        "three lines cut",
    );
    assert!(
        run.stderr.contains("its last 3 lines were"),
        "{}",
        run.stderr
    );

    // Without its tip the journal is not trusted either.
    let tip = std::fs::read(tip_of(&journal)).unwrap();
    std::fs::remove_file(tip_of(&journal)).unwrap();
    let run = refused(&rig, &id, &journal, &original, "the tip removed");
    assert!(run.stderr.contains("is missing"), "{}", run.stderr);
    std::fs::write(tip_of(&journal), tip).unwrap();

    // Whole, it resumes.
    std::fs::write(&journal, &original).unwrap();
    let run = resume(&rig, &id);
    assert_eq!(run.code, 3, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("7 done"), "{}", run.stdout);
}

#[test]
fn a_kill_mid_run_resumes_as_wareg_left_it_even_between_a_line_and_its_tip() {
    // A real kill -9 mid-run: the journal and its tip as the kill left them.
    let rig = fleet_rig(4, Duration::from_millis(150));
    let (id, _) = an_unfinished_run(&rig);
    let run = resume(&rig, &id);
    assert_eq!(run.code, 3, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("3 done"), "{}", run.stdout);

    // A kill between a line and its tip (too short a moment to hit with a real kill): the
    // journal is one line past its tip, written here as the run writes it.
    use wareg::bulk::{Action, Entry, Journal};
    let rig = fleet_rig(4, Duration::ZERO);
    let id = "20260101-000000-0a0a";
    let journal = Journal::create(&rig.data_dir(), id).unwrap();
    journal
        .write(&Entry::Header {
            id: id.into(),
            action: Action::Reregister,
            region: None,
            created: chrono::Utc::now(),
            operator: "test".into(),
        })
        .unwrap();
    for i in 0..4 {
        journal
            .write(&Entry::Planned {
                number: fleet_id(i),
                profile: "sb".into(),
                plan: "re-register".into(),
                steps: vec!["POST /{id}/register".into()],
                label: None,
                display: None,
            })
            .unwrap();
    }
    let tip = std::fs::read(tip_of(journal.path())).unwrap();
    journal
        .write(&Entry::Started {
            number: fleet_id(0),
            time: chrono::Utc::now(),
        })
        .unwrap();
    std::fs::write(tip_of(journal.path()), tip).unwrap();
    let run = resume(&rig, id);
    assert_eq!(run.code, 3, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("3 done"), "{}", run.stdout);
    assert_eq!(
        posts_for(&rig, &fleet_id(0)),
        0,
        "the interrupted one is not re-sent"
    );
    // The resume's own lines brought the tip up to date: it reads whole again.
    let again = resume(&rig, id);
    assert_ne!(again.code, 2, "{}", again.stderr);
}

#[test]
fn a_journal_put_back_to_an_earlier_copy_resends_nothing_the_ledger_says_the_run_sent() {
    let rig = fleet_rig(8, Duration::from_millis(150));
    let args = [
        "bulk",
        "reregister",
        "--label",
        "Fleet *",
        "--concurrency",
        "1",
        "--pin-env",
        "FLEET_PIN",
        "--yes",
    ];
    let mut child = start_wareg(&args, None, &rig.env(&[("FLEET_PIN", FLEET_PIN)]));
    let bulk_dir = rig.data_dir().join("bulk");
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let wait_for = |what: &str, done: &dyn Fn() -> bool| {
        while !done() {
            assert!(std::time::Instant::now() < deadline, "{what}");
            std::thread::sleep(Duration::from_millis(5));
        }
    };
    // An earlier copy of the journal and its tip, taken while the first number is in flight
    // (the tip first: the journal then holds at least what it counts).
    wait_for("the first number was not sent", &|| {
        open_intent(&rig, &fleet_id(0))
    });
    let journal = std::fs::read_dir(&bulk_dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .unwrap();
    let earlier_tip = std::fs::read(tip_of(&journal)).unwrap();
    let earlier = read(&journal);
    // Killed while the third number's register is in flight: the second one's went through.
    wait_for("the third number was not sent", &|| {
        open_intent(&rig, &fleet_id(2))
    });
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(open_intent(&rig, &fleet_id(2)), "killed in flight");
    assert!(!open_intent(&rig, &fleet_id(1)), "the second one ended");
    assert_eq!(posts_for(&rig, &fleet_id(1)), 1);
    // (The third's may not have reached the sandbox before the kill.)
    let sent_before = [1, 2].map(|i| posts_for(&rig, &fleet_id(i)));
    let id = journal.file_stem().unwrap().to_str().unwrap().to_owned();

    // Put back: it chains, its tip vouches for it, and the second and third numbers never
    // started as far as it says.
    std::fs::write(&journal, &earlier).unwrap();
    std::fs::write(tip_of(&journal), &earlier_tip).unwrap();
    assert!(!earlier.contains(&format!("\"started\",\"number\":\"{}\"", fleet_id(1))));
    let posts_before = posts(&rig.sandbox).len();
    let run = resume(&rig, &id);
    // The first is unknown (interrupted); the second and third are unknown too, named from
    // the ledger; the other five are sent.
    assert_eq!(run.code, 3, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("5 done"), "{}", run.stdout);
    for (i, before) in [1, 2].into_iter().zip(sent_before) {
        assert_eq!(
            posts_for(&rig, &fleet_id(i)),
            before,
            "{} was not sent again: {}",
            fleet_id(i),
            run.stdout
        );
        let line = run
            .stdout
            .lines()
            .find(|l| l.contains(&fleet_id(i)) && l.contains("unknown:"))
            .unwrap_or_else(|| panic!("{} is unknown: {}", fleet_id(i), run.stdout));
        assert!(
            line.contains(&format!("bulk run {id} began"))
                && line.contains("journal lost lines")
                && line.contains("--resend-unknown"),
            "{line}"
        );
    }
    let line = |i: usize| {
        run.stdout
            .lines()
            .find(|l| l.contains(&fleet_id(i)) && l.contains("unknown:"))
            .unwrap()
            .to_owned()
    };
    assert!(line(1).contains("which ended ok"), "{}", line(1));
    assert!(line(2).contains("with no outcome"), "{}", line(2));
    // The third one's attempt was read back and closed as unknown (it still counts).
    assert!(
        !open_intent(&rig, &fleet_id(2)),
        "{:?}",
        trail_of(&rig, &fleet_id(2))
    );
    assert!(
        trail_of(&rig, &fleet_id(2))
            .iter()
            .any(|r| r["outcome"] == "unknown"),
        "{:?}",
        trail_of(&rig, &fleet_id(2))
    );
    let sent: Vec<String> = posts(&rig.sandbox)[posts_before..].to_vec();
    assert_eq!(sent.len(), 5, "{sent:?}");
    // Every intent of the run names it.
    for r in trail_of(&rig, &fleet_id(3)) {
        if r["phase"] == "intent" {
            assert!(
                r["detail"]
                    .as_str()
                    .is_some_and(|d| d.ends_with(&format!("bulk run {id}"))),
                "{r}"
            );
        }
    }
}

#[test]
fn a_number_whose_started_line_cannot_be_written_is_not_sent() {
    use std::collections::HashMap;
    use wareg::bulk::{
        Action, Entry, Journal, NumberState, PinSource, PlannedRow, RowPlan, RunOptions, Target,
    };
    use wareg::graph::{ClientSettings, GraphClient, NumberId};
    let rig = fleet_rig(2, Duration::ZERO);
    let id = "20260101-000000-0b0b";
    let journal = Journal::create(&rig.data_dir(), id).unwrap();
    journal
        .write(&Entry::Header {
            id: id.into(),
            action: Action::SetPin,
            region: None,
            created: chrono::Utc::now(),
            operator: "test".into(),
        })
        .unwrap();
    let rows: Vec<PlannedRow> = (0..2)
        .map(|i| PlannedRow {
            target: Target {
                id: NumberId::parse(&fleet_id(i)).unwrap(),
                profile: "sb".into(),
                label: None,
            },
            plan: RowPlan::SetPin,
            status: None,
            display: None,
            next: None,
        })
        .collect();
    for row in &rows {
        journal
            .write(&Entry::Planned {
                number: row.target.id.to_string(),
                profile: "sb".into(),
                plan: "set PIN".into(),
                steps: row.calls(),
                label: None,
                display: None,
            })
            .unwrap();
    }
    // The tip cannot be written from here on (a directory in its place): each line's write
    // fails after the line itself.
    let tip = tip_of(journal.path());
    let saved_tip = std::fs::read(&tip).unwrap();
    std::fs::remove_file(&tip).unwrap();
    std::fs::create_dir(&tip).unwrap();
    let client = GraphClient::new(ClientSettings {
        base_url: rig.sandbox.base_url(),
        version: "v25.0".parse().unwrap(),
        token: wareg::secret::Token::new(rig.token.clone()),
        timeout: Duration::from_secs(5),
    })
    .unwrap();
    let engine = wareg::engine::Engine::new(
        client,
        &rig.data_dir(),
        "sb",
        wareg::config::BudgetPolicy::default(),
    );
    let engines = HashMap::from([("sb".into(), engine)]);
    let pins = PinSource::One(wareg::secret::Pin::parse(FLEET_PIN).unwrap());
    let summary = rig.block_on(wareg::bulk::run(
        rows,
        &engines,
        &pins,
        &journal,
        RunOptions::default(),
        &|_, _| {},
    ));
    assert!(posts(&rig.sandbox).is_empty(), "{:?}", posts(&rig.sandbox));
    assert_eq!(
        summary.count(NumberState::NotStarted),
        2,
        "{:?}",
        summary.numbers
    );
    let stopped = summary.stopped.clone().unwrap_or_default();
    assert!(
        stopped.contains("the bulk journal cannot be written"),
        "{stopped}"
    );

    // Once the tip can be written again (the last one back: the journal is a few lines past
    // it), the run is resumed from where it is. The first number's `started` line is there,
    // so it reads as interrupted, and a PIN change is sent again only when asked.
    std::fs::remove_dir(&tip).unwrap();
    std::fs::write(&tip, saved_tip).unwrap();
    let run = rig.wareg_with(
        &[
            "bulk",
            "resume",
            id,
            "--pin-env",
            "FLEET_PIN",
            "--resend-unknown",
            "--yes",
        ],
        None,
        &[("FLEET_PIN", FLEET_PIN)],
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(posts(&rig.sandbox).len(), 2, "{:?}", posts(&rig.sandbox));
}
