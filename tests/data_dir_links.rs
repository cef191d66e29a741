//! Issue 27 item 5: a symbolic link in the data dir is never followed. With a link planted
//! where wareg keeps a file (the trail, to a file outside or to /dev/null; the throttle book; a
//! bulk journal; the bulk dir; every other file it keeps there), the command refuses, exit 2,
//! naming the link; nothing is sent, and what the link points to keeps its content and mode.
//! A link planted after the data dir was checked is refused by the open itself. A data dir
//! that belongs to another user is refused (as ssh refuses such a `~/.ssh`).

#![cfg(unix)]

mod common;

use common::*;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// A data dir made as wareg makes it (0700), for links planted in it.
fn private_dir(dir: &Path) {
    let mut builder = std::fs::DirBuilder::new();
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.recursive(true).create(dir).unwrap();
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// A file outside the data dir that a link will point to: someone else's, 0644.
fn outside_file(rig: &Rig, name: &str) -> (PathBuf, String) {
    let path = rig.dir.path().join(name);
    let text = format!("not wareg's: {name}\n");
    std::fs::write(&path, &text).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    (path, text)
}

/// `run` refused the link at `link`: exit 2, the link named, nothing sent.
fn refused(rig: &Rig, run: &Run, link: &Path, calls_before: usize) {
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains(&link.display().to_string())
            && run.stderr.contains("is a symbolic link"),
        "the link is named: {}",
        run.stderr
    );
    assert!(run.stderr.contains("changed nothing"), "{}", run.stderr);
    assert_eq!(rig.calls().len(), calls_before, "sent {:?}", rig.calls());
    assert!(
        std::fs::symlink_metadata(link)
            .unwrap()
            .file_type()
            .is_symlink(),
        "the link itself is left where it was"
    );
}

fn register(rig: &Rig) -> Run {
    rig.wareg_stdin(
        &["register", PENDING, "--region", "de", "--pin-stdin"],
        "123456\n",
    )
}

#[test]
fn a_trail_that_is_a_link_to_a_file_outside_is_refused_and_the_file_is_untouched() {
    let rig = Rig::new("v25.0");
    private_dir(&rig.data_dir());
    let (outside, text) = outside_file(&rig, "someone-elses.jsonl");
    std::os::unix::fs::symlink(&outside, rig.audit_path()).unwrap();

    for run in [register(&rig), rig.wareg(&["audit"]), rig.wareg(&["tui"])] {
        refused(&rig, &run, &rig.audit_path(), 0);
    }
    assert_eq!(std::fs::read_to_string(&outside).unwrap(), text);
    assert_eq!(mode(&outside), 0o644, "never chmod-ed through the link");
}

#[test]
fn a_trail_that_is_a_link_to_dev_null_is_refused_and_dev_null_keeps_its_mode() {
    // An earlier wareg chmod-ed /dev/null to 0600 through such a link (as root, for every
    // user on the machine).
    let before = mode(Path::new("/dev/null"));
    let rig = Rig::new("v25.0");
    private_dir(&rig.data_dir());
    std::os::unix::fs::symlink("/dev/null", rig.audit_path()).unwrap();
    for run in [register(&rig), rig.wareg(&["status", CONNECTED])] {
        refused(&rig, &run, &rig.audit_path(), 0);
    }
    assert_eq!(mode(Path::new("/dev/null")), before);
}

#[test]
fn a_throttle_book_that_is_a_link_is_refused_and_its_target_is_untouched() {
    let rig = Rig::new("v25.0");
    private_dir(&rig.data_dir());
    let (outside, text) = outside_file(&rig, "throttle-target.json");
    let link = rig.data_dir().join("throttle.json");
    std::os::unix::fs::symlink(&outside, &link).unwrap();
    for run in [
        rig.wareg(&["status", CONNECTED]),
        rig.wareg(&["numbers", "--refresh"]),
    ] {
        refused(&rig, &run, &link, 0);
    }
    assert_eq!(std::fs::read_to_string(&outside).unwrap(), text);
    assert_eq!(mode(&outside), 0o644);
}

/// Every other file wareg keeps in the data dir, each a link in turn.
#[test]
fn a_link_in_the_place_of_any_file_wareg_keeps_is_refused() {
    let rig = Rig::new("v25.0");
    private_dir(&rig.data_dir());
    let (outside, text) = outside_file(&rig, "target");
    for name in [
        "audit.index",
        "audit.lock",
        "facts.jsonl",
        "wareg.log",
        "throttle.lock",
        "bulk-journal.key",
        "ledger-pending.jsonl",
        "ledger-pending.lock",
    ] {
        let link = rig.data_dir().join(name);
        std::os::unix::fs::symlink(&outside, &link).unwrap();
        let run = rig.wareg(&["status", CONNECTED]);
        refused(&rig, &run, &link, 0);
        std::fs::remove_file(&link).unwrap();
    }
    assert_eq!(std::fs::read_to_string(&outside).unwrap(), text);
    assert_eq!(mode(&outside), 0o644);
    // With the links gone, the same command works.
    let run = rig.wareg(&["status", CONNECTED]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn a_fifo_in_the_place_of_the_throttle_book_is_refused_without_waiting() {
    let rig = Rig::new("v25.0");
    private_dir(&rig.data_dir());
    let fifo = rig.data_dir().join("throttle.json");
    let name = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path; mkfifo only makes the node.
    assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0);
    let run = rig.wareg(&["status", CONNECTED]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains(&fifo.display().to_string())
            && run.stderr.contains("is not a regular file"),
        "{}",
        run.stderr
    );
    assert!(rig.calls().is_empty(), "sent {:?}", rig.calls());
}

/// A bulk run that ended, for its journal.
fn a_bulk_run(rig: &Rig) -> (String, PathBuf) {
    let ids = rig.dir.path().join("ids.txt");
    std::fs::write(&ids, format!("{CONNECTED}\n")).unwrap();
    let run = rig.wareg_with(
        &[
            "bulk",
            "set-pin",
            "--ids",
            ids.to_str().unwrap(),
            "--pin-env",
            "NEW_PIN",
            "--yes",
        ],
        None,
        &[("NEW_PIN", "493817")],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let journal = std::fs::read_dir(rig.data_dir().join("bulk"))
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .expect("a journal");
    let id = journal.file_stem().unwrap().to_str().unwrap().to_owned();
    (id, journal)
}

#[test]
fn a_bulk_journal_that_is_a_link_is_refused_by_show_and_resume() {
    let rig = Rig::new("v25.0");
    let (id, journal) = a_bulk_run(&rig);
    // The journal moved outside, a link left in its place.
    let outside = rig.dir.path().join("journal-outside.jsonl");
    std::fs::rename(&journal, &outside).unwrap();
    std::fs::set_permissions(&outside, std::fs::Permissions::from_mode(0o644)).unwrap();
    let text = std::fs::read_to_string(&outside).unwrap();
    std::os::unix::fs::symlink(&outside, &journal).unwrap();
    let calls = rig.calls().len();
    for run in [
        rig.wareg(&["bulk", "show", &id]),
        rig.wareg_with(
            &["bulk", "resume", &id, "--pin-env", "NEW_PIN", "--yes"],
            None,
            &[("NEW_PIN", "493817")],
        ),
        rig.wareg(&["status", CONNECTED]),
    ] {
        refused(&rig, &run, &journal, calls);
    }
    assert_eq!(std::fs::read_to_string(&outside).unwrap(), text);
    assert_eq!(mode(&outside), 0o644);
}

#[test]
fn a_bulk_journal_tip_that_is_a_link_is_refused_by_show_and_resume() {
    let rig = Rig::new("v25.0");
    let (id, journal) = a_bulk_run(&rig);
    let tip = journal.with_extension("tip");
    let outside = rig.dir.path().join("tip-outside");
    std::fs::rename(&tip, &outside).unwrap();
    std::fs::set_permissions(&outside, std::fs::Permissions::from_mode(0o644)).unwrap();
    let text = std::fs::read_to_string(&outside).unwrap();
    std::os::unix::fs::symlink(&outside, &tip).unwrap();
    let calls = rig.calls().len();
    for run in [
        rig.wareg(&["bulk", "show", &id]),
        rig.wareg_with(
            &["bulk", "resume", &id, "--pin-env", "NEW_PIN", "--yes"],
            None,
            &[("NEW_PIN", "493817")],
        ),
    ] {
        refused(&rig, &run, &tip, calls);
    }
    assert_eq!(std::fs::read_to_string(&outside).unwrap(), text);
    assert_eq!(mode(&outside), 0o644);
}

#[test]
fn a_bulk_dir_that_is_a_link_is_refused() {
    let rig = Rig::new("v25.0");
    private_dir(&rig.data_dir());
    let elsewhere = rig.dir.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    let link = rig.data_dir().join("bulk");
    std::os::unix::fs::symlink(&elsewhere, &link).unwrap();
    let ids = rig.dir.path().join("ids.txt");
    std::fs::write(&ids, format!("{CONNECTED}\n")).unwrap();
    let run = rig.wareg_with(
        &[
            "bulk",
            "set-pin",
            "--ids",
            ids.to_str().unwrap(),
            "--pin-env",
            "NEW_PIN",
            "--yes",
        ],
        None,
        &[("NEW_PIN", "493817")],
    );
    refused(&rig, &run, &link, 0);
    assert_eq!(std::fs::read_dir(&elsewhere).unwrap().count(), 0);
}

/// The data dir is checked when a command starts; a link planted after that (a race) is
/// refused by the open itself.
#[test]
fn a_link_planted_after_the_check_is_refused_by_the_open() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    private_dir(&data);
    let outside = dir.path().join("outside");
    std::fs::write(&outside, "theirs\n").unwrap();
    std::fs::set_permissions(&outside, std::fs::Permissions::from_mode(0o644)).unwrap();
    assert!(wareg::paths::prepare_data_dir(&data).is_ok());

    std::os::unix::fs::symlink(&outside, data.join("audit.jsonl")).unwrap();
    let record = wareg::audit::AuditRecord::intent(
        chrono::Utc::now(),
        "a1",
        "p",
        &wareg::graph::NumberId::parse(CONNECTED).unwrap(),
        wareg::audit::Operation::Register,
    );
    let log = wareg::ledger::AuditLog::in_dir(&data);
    let e = log.append(&record).unwrap_err().to_string();
    assert!(e.contains("is a symbolic link"), "{e}");
    let e = log.read().unwrap_err().to_string();
    assert!(e.contains("is a symbolic link"), "{e}");

    // The throttle book: a throttle noted is kept in memory, the link and its target stay.
    std::os::unix::fs::symlink(&outside, data.join("throttle.json")).unwrap();
    let book = wareg::graph::ThrottleBook::in_dir(&data);
    let now = chrono::Utc::now();
    book.note(
        "profile:x",
        wareg::graph::Throttle {
            until: now + chrono::Duration::minutes(5),
            code: Some(80008),
            covers: "profile `x`".into(),
        },
        now,
    );
    assert!(
        std::fs::symlink_metadata(data.join("throttle.json"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(std::fs::read_to_string(&outside).unwrap(), "theirs\n");
    assert_eq!(mode(&outside), 0o644);
}

/// The uid wareg is to find owning the data dir: `nobody`'s.
const NOBODY: u32 = 65534;

#[test]
fn a_data_dir_of_another_user_is_refused_and_nothing_is_sent() {
    // SAFETY: geteuid has no preconditions and cannot fail.
    if unsafe { libc::geteuid() } != 0 {
        eprintln!(
            "skipped: giving the data dir to another user needs root (CI runs as root); this run is not root"
        );
        return;
    }
    let rig = Rig::new("v25.0");
    let data = rig.data_dir();
    private_dir(&data);
    let trail = rig.audit_path();
    std::fs::write(&trail, "").unwrap();
    std::fs::set_permissions(&trail, std::fs::Permissions::from_mode(0o644)).unwrap();
    for path in [&data, &trail] {
        std::os::unix::fs::chown(path, Some(NOBODY), Some(NOBODY)).unwrap();
    }
    for run in [
        register(&rig),
        rig.wareg(&["status", CONNECTED]),
        rig.wareg(&["audit"]),
        rig.wareg(&["tui"]),
    ] {
        assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
        assert!(
            run.stderr.contains(&data.display().to_string())
                && run.stderr.contains("belongs to another user"),
            "{}",
            run.stderr
        );
        assert!(run.stderr.contains("sent nothing"), "{}", run.stderr);
    }
    assert!(rig.calls().is_empty(), "sent {:?}", rig.calls());
    assert_eq!(mode(&trail), 0o644, "not tightened: not wareg's to change");
    assert_eq!(std::fs::read(&trail).unwrap().len(), 0);
    assert_eq!(std::fs::read_dir(&data).unwrap().count(), 1, "nothing made");
}

/// `private_file` is the only way wareg opens a file: a new file in the data dir opened any
/// other way would follow a link. The files listed here are the user's own, outside the data
/// dir (the config, the token file, the config `config init` writes), or a dir.
#[test]
fn only_private_file_opens_files() {
    let allowed = [
        "src/private_file.rs",
        "src/config/mod.rs",
        "src/config/token.rs",
        "src/config/tests.rs",
        "src/cli/config_cmd.rs",
    ];
    let opens = [
        "OpenOptions::new(",
        "File::open(",
        "File::create(",
        "fs::write(",
        "fs::read(",
        "fs::read_to_string(",
        "fs::set_permissions(",
        "fs::copy(",
    ];
    let mut found = Vec::new();
    let mut stack = vec![PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/src"))];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().filter_map(Result::ok) {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let rel = path
                .strip_prefix(env!("CARGO_MANIFEST_DIR"))
                .unwrap()
                .display()
                .to_string();
            let test_module = rel.ends_with("/tests.rs");
            if allowed.contains(&rel.as_str()) || !rel.ends_with(".rs") || test_module {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            // A file's tests follow its code; they plant files as they like.
            let code = text.split("#[cfg(test)]").next().unwrap_or_default();
            for (n, line) in code.lines().enumerate() {
                if opens.iter().any(|o| line.contains(o)) {
                    found.push(format!("{rel}:{}: {}", n + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "open data-dir files through private_file: {found:#?}"
    );
}
