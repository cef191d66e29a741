//! What README promises, held against the binary: its sandbox config works as written against
//! `wareg sandbox` and says what the sandbox's own start-up lines say, and its words on a
//! display-name change say what the rename plan and the API facts say.

mod common;

use common::*;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

fn readme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap()
}

/// Whitespace folded to single spaces: a sentence wrapped across lines reads as one.
fn folded(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// README's `toml` block in its sandbox section.
fn sandbox_config(readme: &str) -> String {
    let section = readme
        .split("\n### The sandbox\n")
        .nth(1)
        .expect("README has a sandbox section");
    let section = section.split("\n## ").next().unwrap();
    let block = section
        .split("```toml\n")
        .nth(1)
        .expect("the sandbox section shows a config")
        .split("```")
        .next()
        .unwrap();
    block.to_owned()
}

/// A `wareg sandbox` this test started, ended when the test ends (passed or not).
struct Sandbox(Child);

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `wareg sandbox` on a free port, and the lines it printed before "press Ctrl-C to stop".
fn start_sandbox() -> (Sandbox, Vec<String>) {
    let mut sandbox = Sandbox(
        Command::new(env!("CARGO_BIN_EXE_wareg"))
            .args(["sandbox", "--listen", "127.0.0.1:0"])
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut lines = Vec::new();
    let mut out = BufReader::new(sandbox.0.stdout.take().unwrap());
    loop {
        let mut line = String::new();
        assert!(out.read_line(&mut line).unwrap() > 0, "{lines:?}");
        if line.contains("press Ctrl-C to stop") {
            break;
        }
        lines.push(line.trim_end().to_owned());
    }
    (sandbox, lines)
}

/// `key = value` of a config line, its comment left out.
fn setting(line: &str) -> Option<(String, String)> {
    let line = line.split(" #").next()?.trim();
    let (key, value) = line.split_once('=')?;
    Some((key.trim().to_owned(), value.trim().to_owned()))
}

#[test]
fn the_readme_sandbox_config_loads_and_reads_the_sandbox_as_wareg_sandbox_says() {
    let readme = readme();
    let config = sandbox_config(&readme);
    let (sandbox, said) = start_sandbox();
    let base = said
        .iter()
        .find_map(|l| l.strip_prefix("wareg sandbox listening on "))
        .unwrap()
        .to_owned();
    // The profile's lines README shows are the ones `wareg sandbox` prints, but for the port.
    let printed: Vec<(String, String)> = said.iter().filter_map(|l| setting(l)).collect();
    let shown: Vec<(String, String)> = config
        .lines()
        .skip_while(|l| !l.starts_with("[profiles.sandbox]"))
        .take_while(|l| !l.is_empty())
        .filter_map(setting)
        .collect();
    let port_free = |(k, v): &(String, String)| {
        let v = if k == "base_url" {
            "\"http://127.0.0.1:PORT\"".to_owned()
        } else {
            v.clone()
        };
        (k.clone(), v)
    };
    assert_eq!(
        printed.iter().map(port_free).collect::<Vec<_>>(),
        shown.iter().map(port_free).collect::<Vec<_>>(),
        "README:\n{config}\nwareg sandbox:\n{}",
        said.join("\n")
    );
    assert!(
        config.contains("base_url = \"http://127.0.0.1:8787\"")
            && readme.contains("wareg sandbox --listen 127.0.0.1:8787"),
        "README's base_url is where its sandbox command listens"
    );

    // Saved as README says, pointed at this sandbox's port, it loads and it reads.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sandbox.toml");
    std::fs::write(&path, config.replace("http://127.0.0.1:8787", &base)).unwrap();
    let path = path.display().to_string();
    let env = vec![
        (
            "WAREG_DATA_DIR".to_owned(),
            dir.path().join("data").display().to_string(),
        ),
        ("WAREG_SANDBOX_TOKEN".to_owned(), "any-value".to_owned()),
    ];
    let check = run_wareg(&["--config", &path, "config", "check"], None, &env);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
    let numbers = run_wareg(&["--config", &path, "numbers", "--refresh"], None, &env);
    let next = run_wareg(&["--config", &path, "next", "Support DE"], None, &env);
    drop(sandbox);
    assert_eq!(numbers.code, 0, "{}", numbers.stderr);
    let support = numbers
        .stdout
        .lines()
        .find(|l| l.starts_with(CONNECTED))
        .unwrap_or_else(|| panic!("{}", numbers.stdout));
    assert!(
        support.contains("Support DE") && support.contains("CONNECTED"),
        "{support}"
    );
    // The WABA's listing found the sandbox's other numbers.
    assert!(numbers.stdout.contains(PENDING), "{}", numbers.stdout);
    assert_eq!(next.code, 0, "{}", next.stderr);
    assert!(next.stdout.starts_with(CONNECTED), "{}", next.stdout);
}

#[test]
fn the_readme_says_what_the_rename_plan_and_the_facts_say_of_the_14_days() {
    let readme = folded(&readme());
    let facts = folded(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/docs/graph-api-facts.md"
        ))
        .unwrap(),
    );
    assert!(
        facts.contains(
            "Re-register within 14 days of the approval** (`POST /{id}/register` with the existing PIN), otherwise the name goes back to review."
        ),
        "the facts sheet changed: check README and the rename plan against it"
    );
    let rig = Rig::new("v25.0");
    let run = rig.wareg(&["rename", PENDING, "--name", "Acme Sales"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let plan = folded(&run.stdout);
    assert!(
        plan.contains("register the number again within 14 days")
            && plan.contains("or the name goes back to review"),
        "{plan}"
    );
    // README's onboarding section and its key table say the same.
    for said in [
        "it must follow within 14 days of the approval, or the name goes back to review",
        "a re-register within 14 days of the approval, or the name goes back to review",
    ] {
        assert!(readme.contains(said), "README does not say: {said}");
    }
}
