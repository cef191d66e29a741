//! `wareg numbers --csv` against the sandbox: one header line, one line per number with the
//! table's columns, RFC 4180 quoting, and names from the server that look like formulas kept
//! from running in a spreadsheet.

mod common;

use common::pty::Pty;
use common::*;
use wareg::fleet::export::columns;

/// RFC 4180 lines into fields: enough of a reader to check what a spreadsheet would see.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for line in text.lines() {
        let mut fields = Vec::new();
        let mut field = String::new();
        let mut quoted = false;
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            match (c, quoted) {
                ('"', true) if chars.peek() == Some(&'"') => {
                    field.push('"');
                    chars.next();
                }
                ('"', _) => quoted = !quoted,
                (',', false) => fields.push(std::mem::take(&mut field)),
                (c, _) => field.push(c),
            }
        }
        fields.push(field);
        rows.push(fields);
    }
    rows
}

/// The line of `id`, as column name → value.
fn line_of(rows: &[Vec<String>], id: &str) -> std::collections::HashMap<String, String> {
    let row = rows
        .iter()
        .find(|r| r[0] == id)
        .unwrap_or_else(|| panic!("no line for {id}: {rows:?}"));
    columns()
        .iter()
        .map(|c| c.to_string())
        .zip(row.iter().cloned())
        .collect()
}

#[test]
fn refresh_as_csv_has_a_header_and_a_line_per_number() {
    let rig = Rig::new("v25.0");
    let run = rig.wareg(&["numbers", "--refresh", "--csv"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let rows = parse_csv(&run.stdout);
    assert_eq!(rows[0], columns(), "one header line");
    assert_eq!(
        rows.len(),
        17,
        "a header, 2 configured + 14 discovered: {}",
        run.stdout
    );
    assert!(rows.iter().all(|r| r.len() == columns().len()), "{rows:?}");

    let connected = line_of(&rows, CONNECTED);
    assert_eq!(connected["label"], "Support DE");
    assert_eq!(connected["status"], "CONNECTED");
    assert_eq!(connected["ownership"], "VERIFIED");
    assert_eq!(connected["profile"], "sb");
    assert_eq!(connected["register_left"], "10");
    assert_eq!(connected["deregister_left"], "10");
    // A phone number cannot run anything: scripts get it as it is, without a quote.
    assert_eq!(connected["number"], "+49 30 1234 5601");
    assert_eq!(line_of(&rows, PENDING)["status"], "PENDING");
    // stdout is the CSV alone; stderr has only the usual note.
    assert!(
        run.stderr
            .lines()
            .all(|l| l.starts_with("note: these answers came from a wareg sandbox")),
        "{}",
        run.stderr
    );
}

#[test]
fn formula_names_from_the_server_are_defused_and_quoted() {
    let rig = Rig::new("v25.0");
    let evil = r#"=HYPERLINK("http://evil.example","click"), -1"#;
    rig.sandbox.with_world(|w| {
        w.numbers.get_mut(CONNECTED).unwrap().name = evil.into();
        w.numbers.get_mut(PENDING).unwrap().name = "@SUM(A1)".into();
    });
    let run = rig.wareg(&["numbers", "--refresh", "--csv"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .contains(r#""'=HYPERLINK(""http://evil.example"",""click""), -1""#),
        "quoted, quotes doubled, prefixed: {}",
        run.stdout
    );
    let rows = parse_csv(&run.stdout);
    assert_eq!(line_of(&rows, CONNECTED)["name"], format!("'{evil}"));
    assert_eq!(line_of(&rows, PENDING)["name"], "'@SUM(A1)");
    // No field of any line starts as a formula would.
    assert_no_formula(&rows);
}

/// No field of any line (after the header) has a formula at its first character that is not
/// a space, but a phone number in the number column.
fn assert_no_formula(rows: &[Vec<String>]) {
    let number = columns().iter().position(|c| *c == "number").unwrap();
    for row in &rows[1..] {
        for (i, field) in row.iter().enumerate() {
            let phone = i == number
                && field.strip_prefix('+').is_some_and(|rest| {
                    rest.chars()
                        .all(|c| c.is_ascii_digit() || " -()".contains(c))
                });
            assert!(
                phone || !field.trim_start().starts_with(['=', '+', '-', '@']),
                "{field:?} in {row:?}"
            );
        }
    }
}

#[test]
fn without_refresh_the_csv_has_the_configured_numbers_and_sends_nothing() {
    let rig = Rig::new("v25.0");
    let run = rig.wareg(&["numbers", "--csv"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let rows = parse_csv(&run.stdout);
    assert_eq!(rows.len(), 3, "{}", run.stdout);
    let sales = line_of(&rows, PENDING);
    assert_eq!(sales["label"], "Sales UK");
    assert_eq!(sales["status"], "", "not read: empty, not a guess");
    assert!(rig.calls().is_empty());
}

#[test]
fn csv_and_json_together_are_refused_before_anything_is_sent() {
    let rig = Rig::new("v25.0");
    let run = rig.wareg(&["numbers", "--refresh", "--csv", "--json"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(run.stderr.contains("cannot be used with"), "{}", run.stderr);
    assert!(rig.calls().is_empty());
}

#[test]
fn a_failed_read_is_in_the_error_column_and_the_exit_code() {
    let rig = Rig::new("v25.0");
    // Not in the WABA: read on its own, and the sandbox knows no such number.
    let unknown = "1065999999999999";
    let mut config = std::fs::read_to_string(&rig.config).unwrap();
    config.push_str(&format!(
        "\n[[numbers]]\nid = \"{unknown}\"\nlabel = \"Gone\"\n"
    ));
    std::fs::write(&rig.config, config).unwrap();
    let run = rig.wareg(&["numbers", "--refresh", "--csv"]);
    assert_eq!(
        run.code, 1,
        "a number that cannot be read fails the command: {}",
        run.stderr
    );
    let rows = parse_csv(&run.stdout);
    assert_eq!(rows.len(), 18, "{}", run.stdout);
    let gone = line_of(&rows, unknown);
    assert_eq!(gone["label"], "Gone");
    assert!(!gone["error"].is_empty(), "{gone:?}");
    assert_eq!(gone["status"], "");
    assert!(
        run.stderr.contains("some numbers could not be read"),
        "{}",
        run.stderr
    );
}

/// Issue 27 item 9: a tab or a carriage return (or spaces) in front of a formula does not get it
/// past the guard. Cleaning turns them into spaces, and the guard looks at the first character
/// that is not a space; a phone number in the number column still goes out as it is.
#[test]
fn a_formula_behind_a_tab_a_return_or_spaces_is_defused_too() {
    let rig = Rig::new("v25.0");
    rig.sandbox.with_world(|w| {
        w.numbers.get_mut(CONNECTED).unwrap().name = "\t=1+1".into();
        w.numbers.get_mut(PENDING).unwrap().name = "\r@SUM(A1)".into();
        w.numbers.get_mut(UNVERIFIED).unwrap().name = "   -2+3".into();
        w.numbers.get_mut(COEXISTENCE).unwrap().name = "\u{a0}+cmd|' /C calc'!A0".into();
    });
    let run = rig.wareg(&["numbers", "--refresh", "--csv"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let rows = parse_csv(&run.stdout);
    let header = &rows[0];
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let row_of = |id: &str| rows.iter().find(|r| r[0] == id).unwrap().clone();
    let (name, number) = (column("name"), column("number"));
    assert_eq!(row_of(CONNECTED)[name], "' =1+1", "{}", run.stdout);
    assert_eq!(row_of(PENDING)[name], "' @SUM(A1)", "{}", run.stdout);
    assert_eq!(row_of(UNVERIFIED)[name], "'   -2+3", "{}", run.stdout);
    assert_eq!(
        row_of(COEXISTENCE)[name],
        "'\u{a0}+cmd|' /C calc'!A0",
        "{}",
        run.stdout
    );
    assert_eq!(row_of(CONNECTED)[number], "+49 30 1234 5601");
    assert_no_formula(&rows);
    assert!(!run.stdout.contains(['\t', '\r']), "{:?}", run.stdout);
}

/// Issue 27 item 9: the phone-number exception holds in the number column only, and only for
/// a real phone number (`+`, digits, spaces, dashes, parentheses). A verified name `+1+1` is
/// arithmetic a spreadsheet runs (it shows 2), and so is a display number `+1+1`.
fn hostile_phone_likes(rig: &Rig) {
    rig.sandbox.with_world(|w| {
        w.numbers.get_mut(CONNECTED).unwrap().name = "+1+1".into();
        w.numbers.get_mut(PENDING).unwrap().name = "+44 7700 900123".into();
        w.numbers.get_mut(UNVERIFIED).unwrap().display = "+1+1".into();
    });
}

fn assert_phone_likes_guarded(rows: &[Vec<String>], text: &str) {
    assert_eq!(line_of(rows, CONNECTED)["name"], "'+1+1", "{text}");
    assert_eq!(line_of(rows, PENDING)["name"], "'+44 7700 900123", "{text}");
    assert_eq!(line_of(rows, UNVERIFIED)["number"], "'+1+1", "{text}");
    // A display number that is one stays as it is.
    assert_eq!(
        line_of(rows, CONNECTED)["number"],
        "+49 30 1234 5601",
        "{text}"
    );
    assert_no_formula(rows);
}

#[test]
fn a_phone_like_value_outside_the_number_column_is_guarded() {
    let rig = Rig::new("v25.0");
    hostile_phone_likes(&rig);
    let run = rig.wareg(&["numbers", "--refresh", "--csv"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_phone_likes_guarded(&parse_csv(&run.stdout), &run.stdout);
}

#[test]
fn the_tuis_export_guards_a_phone_like_name_too() {
    let rig = Rig::new("v25.0");
    hostile_phone_likes(&rig);
    let cwd = tempfile::tempdir().unwrap();
    let mut pty = Pty::spawn_in(&rig, cwd.path());
    pty.wait_for("the table read", |s| {
        common::pty::row(s, "Support DE").contains("CONNECTED")
    });
    pty.send("e");
    pty.wait_for("the export", |s| s.contains("exported "));
    pty.send("q");
    pty.wait_exit();
    let csv = std::fs::read_dir(cwd.path())
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "csv"))
        .expect("the export's CSV in the directory the TUI started in");
    let text = std::fs::read_to_string(csv).unwrap();
    assert_phone_likes_guarded(&parse_csv(&text), &text);
}
