//! Issue 27 item 6: names and values in the config that carry control, bidi or zero-width
//! characters (an OSC title sequence in a profile name, a right-to-left override in a label, an
//! escape in token_env) are refused when the config is loaded, with the place in the file, and
//! nothing of them reaches the terminal; token_env must be an environment variable's name;
//! ordinary names with spaces keep working.

mod common;

use common::*;

/// A config with one profile `profile` (its default), one number labelled `label`, the
/// token from `token_env`, and `extra` at the end.
fn config(rig: &Rig, profile: &str, label: &str, token_env: &str, extra: &str) -> String {
    format!(
        r#"default_profile = "{profile}"

[profiles."{profile}"]
base_url = "{base}"
token_env = "{token_env}"
waba_id = "{waba}"

[[numbers]]
id = "{PENDING}"
label = "{label}"
{extra}"#,
        base = rig.sandbox.base_url(),
        waba = rig.sandbox.waba_id(),
    )
}

/// The 1-based line of `config` that holds `marker`.
fn line_of(config: &str, marker: &str) -> usize {
    config
        .lines()
        .position(|l| l.contains(marker))
        .unwrap_or_else(|| panic!("{marker} not in {config}"))
        + 1
}

fn assert_nothing_raw(run: &Run) {
    for (name, out) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
        assert!(
            !out.chars().any(|c| wareg::clean::is_unsafe(c) && c != '\n'),
            "{name} carries a raw control, bidi or zero-width character: {out:?}"
        );
    }
}

#[test]
fn hostile_characters_in_config_names_are_refused_at_load_with_the_place() {
    let rig = Rig::new("v25.0");
    // (profile, label, token_env, extra, the line's marker, what the error says)
    let cases = [
        (
            r"sb\u001b]0;pwned\u0007",
            "Sales UK",
            TOKEN_VAR,
            "",
            "default_profile =",
            "U+001B",
        ),
        (
            "sb",
            "Sales UK",
            TOKEN_VAR,
            "[profiles.\"x\\u001b]0;title\\u0007\"]\ntoken_env = \"X\"\n",
            "[profiles.\"x",
            "U+001B",
        ),
        ("sb", r"Sales \u202eKU", TOKEN_VAR, "", "label =", "U+202E"),
        ("sb", "Sales\u{200b}UK", TOKEN_VAR, "", "label =", "U+200B"),
        (
            "sb",
            "Sales UK",
            r"WAREG_TEST_TOKEN\u001b[2J",
            "",
            "token_env =",
            "U+001B",
        ),
        (
            "sb",
            "Sales UK",
            TOKEN_VAR,
            "[ledger]\nurl_env = \"WAREG_LEDGER_URL\"\noperator = \"ops\u{2066}desk\"\n",
            "operator =",
            "U+2066",
        ),
        (
            "sb",
            "Sales UK",
            TOKEN_VAR,
            "[ledger]\nurl_env = \"WAREG_\\u0085URL\"\n",
            "url_env =",
            "U+0085",
        ),
        // Invisible characters outside the usual zero-width ones (Default_Ignorable_Code_Point
        // and format characters): a look-alike profile name or label.
        (
            r"sb\U000E0101",
            "Sales UK",
            TOKEN_VAR,
            "",
            "default_profile =",
            "U+E0101",
        ),
        (
            "sb",
            r"Sales UK\U0001D173",
            TOKEN_VAR,
            "",
            "label =",
            "U+1D173",
        ),
        (
            "sb",
            r"Sales\U0001BCA0 UK",
            TOKEN_VAR,
            "",
            "label =",
            "U+1BCA0",
        ),
        (
            "sb",
            r"Sales UK\U00013430",
            TOKEN_VAR,
            "",
            "label =",
            "U+13430",
        ),
        (
            "sb",
            r"Sales UK\U000E01EF",
            TOKEN_VAR,
            "",
            "label =",
            "U+E01EF",
        ),
        ("sb", r"\u0600Sales UK", TOKEN_VAR, "", "label =", "U+0600"),
    ];
    for (profile, label, token_env, extra, marker, says) in cases {
        let text = config(&rig, profile, label, token_env, extra);
        std::fs::write(&rig.config, &text).unwrap();
        for args in [&["config", "check"][..], &["numbers"][..]] {
            let run = rig.wareg(args);
            assert_eq!(
                run.code, 2,
                "{args:?} {marker}: {}{}",
                run.stdout, run.stderr
            );
            let at = format!("config.toml:{}:", line_of(&text, marker));
            assert!(
                run.stderr.contains(&at),
                "{marker}: wants {at}: {}",
                run.stderr
            );
            assert!(run.stderr.contains(says), "{marker}: {}", run.stderr);
            assert_nothing_raw(&run);
        }
    }
    assert!(rig.calls().is_empty(), "{:?}", rig.calls());
}

#[test]
fn token_env_must_be_an_environment_variable_name() {
    let rig = Rig::new("v25.0");
    for bad in ["WAREG TEST TOKEN", "9LIVES", "WAREG-TEST", "ünïcode"] {
        let text = config(&rig, "sb", "Sales UK", bad, "");
        std::fs::write(&rig.config, &text).unwrap();
        let run = rig.wareg(&["config", "check"]);
        assert_eq!(run.code, 2, "{bad}: {}{}", run.stdout, run.stderr);
        let at = format!("config.toml:{}:", line_of(&text, "token_env ="));
        assert!(run.stderr.contains(&at), "{bad}: {}", run.stderr);
        assert!(
            run.stderr
                .contains("token_env must name an environment variable"),
            "{bad}: {}",
            run.stderr
        );
    }
}

#[test]
fn ordinary_names_with_spaces_keep_working() {
    let rig = Rig::new("v25.0");
    let text = config(
        &rig,
        "Acme Prod (EU)",
        "Support DE – Berlin, 2nd line",
        TOKEN_VAR,
        "",
    );
    std::fs::write(&rig.config, &text).unwrap();
    let run = rig.wareg(&["config", "check"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("profile Acme Prod (EU):"),
        "{}",
        run.stdout
    );
    let run = rig.wareg(&["numbers"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("Support DE – Berlin"), "{}", run.stdout);
}

/// Refused at load, and cleaned on the way out anyway: a name that got past the loader
/// (built by code, not read from a file) is written without its escapes.
#[test]
fn a_profile_name_is_written_clean_whatever_it_holds() {
    let name = wareg::config::ProfileName::from("sb\u{1b}]0;pwned\u{7}\u{202e}");
    let shown = format!("profile {name}: listing the WABA failed");
    assert!(wareg::clean::is_clean(&shown), "{shown:?}");
    assert!(shown.starts_with("profile sb"), "{shown}");
}

/// Issue 27 item 6, as the red team found it: two profiles whose names print the same (`sb` and
/// `sb` + U+E0101, a variation selector from the supplement). Refused at load, located,
/// nothing of it printed raw.
#[test]
fn a_look_alike_profile_name_made_with_an_invisible_character_is_refused() {
    let rig = Rig::new("v25.0");
    let text = format!(
        r#"default_profile = "sb"

[profiles.sb]
base_url = "{base}"
token_env = "{TOKEN_VAR}"
waba_id = "{waba}"

[profiles."sb\U000E0101"]
base_url = "http://127.0.0.1:9"
token_env = "{TOKEN_VAR}"

[[numbers]]
id = "{CONNECTED}"
label = "Sales UK"
"#,
        base = rig.sandbox.base_url(),
        waba = rig.sandbox.waba_id(),
    );
    std::fs::write(&rig.config, &text).unwrap();
    for args in [
        &["config", "check"][..],
        &["numbers"],
        &["status", CONNECTED],
    ] {
        let run = rig.wareg(args);
        assert_eq!(run.code, 2, "{args:?}: {}{}", run.stdout, run.stderr);
        let at = format!("config.toml:{}:", line_of(&text, "[profiles.\"sb\\U"));
        assert!(
            run.stderr.contains(&at),
            "{args:?}: wants {at}: {}",
            run.stderr
        );
        assert!(run.stderr.contains("U+E0101"), "{}", run.stderr);
        assert!(
            run.stderr.contains("an invisible"),
            "said what it is: {}",
            run.stderr
        );
        assert_nothing_raw(&run);
        assert!(
            !format!("{}{}", run.stdout, run.stderr).contains('\u{E0101}'),
            "{}",
            run.stderr
        );
    }
    assert!(rig.calls().is_empty(), "{:?}", rig.calls());
}

/// What the loader refuses and the cleaner shows as `�` is exactly Unicode's
/// Default_Ignorable_Code_Point set and general category Cf (the regex crate's tables), plus
/// the controls and the line and paragraph separators: checked for every code point.
#[test]
fn every_default_ignorable_and_format_character_is_unsafe() {
    let invisible = regex::Regex::new(r"^[\p{Default_Ignorable_Code_Point}\p{Cf}]$").unwrap();
    let mut missed = Vec::new();
    let mut extra = Vec::new();
    for c in (0..=0x10FFFF_u32).filter_map(char::from_u32) {
        let mut buf = [0u8; 4];
        let expected = invisible.is_match(c.encode_utf8(&mut buf));
        if expected != wareg::clean::is_invisible(c) {
            if expected { &mut missed } else { &mut extra }.push(format!("U+{:04X}", c as u32));
        }
        let unsafe_expected = expected || c.is_control() || matches!(c, '\u{2028}' | '\u{2029}');
        assert_eq!(
            wareg::clean::is_unsafe(c),
            unsafe_expected,
            "U+{:04X}",
            c as u32
        );
    }
    assert!(missed.is_empty(), "not refused: {missed:?}");
    assert!(extra.is_empty(), "refused but neither DI nor Cf: {extra:?}");
    // On the way out, each becomes a visible placeholder: a name that got past the loader
    // does not print as the name it imitates.
    for c in [
        '\u{E0101}',
        '\u{1D173}',
        '\u{1BCA0}',
        '\u{13430}',
        '\u{E01EF}',
    ] {
        let name = wareg::config::ProfileName::from(format!("sb{c}"));
        assert_eq!(name.to_string(), "sb\u{FFFD}", "U+{:04X}", c as u32);
        assert_eq!(
            wareg::clean::text(&format!("Sales UK{c}"), 100),
            "Sales UK\u{FFFD}"
        );
    }
}
