//! Issue 27 item 4: what wareg reads back from the data dir (the throttle book, a bulk journal,
//! the trail and its index, an ids file) is read with a cap, so a planted file of 150 MB costs
//! a few MB to get past, not twice its size. One test in its own binary: the peak memory of
//! the children it waited for is the measure.

mod common;

use common::*;

const BIG: usize = 150 * 1024 * 1024;

/// The largest resident size of any child waited for so far, in MB.
#[cfg(target_os = "linux")]
fn children_peak_mb() -> u64 {
    // SAFETY: getrusage writes into the struct it is given and nothing else.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    assert_eq!(
        unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) },
        0
    );
    // Linux gives ru_maxrss in KB.
    usage.ru_maxrss as u64 / 1024
}

#[cfg(target_os = "linux")]
#[test]
fn planted_huge_files_are_passed_over_in_a_few_mb() {
    let rig = Rig::new("v25.0");
    let data = rig.data_dir();
    let mut builder = std::fs::DirBuilder::new();
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.recursive(true).create(data.join("bulk")).unwrap();
    let baseline = rig.wareg(&["config", "check"]);
    assert_eq!(baseline.code, 0, "{}", baseline.stderr);
    let before = children_peak_mb();
    // One line of 150 MB: no newline inside, nothing that parses. Written a MB at a time, so
    // this process stays small too (a child starts as a copy of it).
    let planted = rig.dir.path().join("big");
    let mut file = std::fs::File::create(&planted).unwrap();
    let mb = vec![b'x'; 1024 * 1024];
    for _ in 0..BIG / mb.len() {
        std::io::Write::write_all(&mut file, &mb).unwrap();
    }
    std::io::Write::write_all(&mut file, b"\n").unwrap();
    drop(file);
    for name in [
        "audit.jsonl",
        "throttle.json",
        "bulk/20260101-000000-0000.jsonl",
    ] {
        std::fs::hard_link(&planted, data.join(name)).unwrap();
    }

    let plan = rig.wareg(&["plan", "register", PENDING]);
    assert_eq!(
        plan.code, 0,
        "the trail's planted line is passed over: {}",
        plan.stderr
    );
    let audit = rig.wareg(&["audit"]);
    assert_eq!(audit.code, 0, "{}", audit.stderr);
    assert!(
        audit.stderr.contains("longer than 64 KB"),
        "the line is reported, not read: {}",
        audit.stderr
    );
    let status = rig.wareg(&["status", CONNECTED]);
    assert_eq!(
        status.code, 0,
        "the oversized throttle book is not obeyed: {}",
        status.stderr
    );
    let show = rig.wareg(&["bulk", "show", "20260101-000000-0000"]);
    assert_eq!(show.code, 2, "{}", show.stderr);
    assert!(show.stderr.contains("over its cap"), "{}", show.stderr);
    let ids = rig.wareg_with(
        &[
            "bulk",
            "set-pin",
            "--ids",
            planted.to_str().unwrap(),
            "--pin-env",
            "P",
            "--yes",
        ],
        None,
        &[("P", "493817")],
    );
    assert_eq!(ids.code, 2, "{}", ids.stderr);
    assert!(ids.stderr.contains("over its cap"), "{}", ids.stderr);

    let peak = children_peak_mb();
    eprintln!("peak resident size of a child: {before} MB for config check, {peak} MB in all");
    assert!(
        peak < before + 40,
        "a child took {peak} MB (config check: {before} MB) over a 150 MB planted file"
    );
    assert!(posts(&rig.sandbox).is_empty());
}
