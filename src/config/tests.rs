use super::*;

fn err(text: &str) -> ConfigError {
    Config::parse(text, Some(PathBuf::from("wareg.toml"))).unwrap_err()
}

const GOOD: &str = r#"
default_profile = "prod"

[profiles.prod]
api_version = "v20.0"
token_env = "WHATSAPP_TOKEN"
waba_id = "102290129340398"
timeout_secs = 5

[profiles.test]
base_url = "http://127.0.0.1:8787/"
token_command = ["pass", "show", "wa/test"]

[budget]
window_hours = 72
max_attempts = 8

[[numbers]]
id = "106540352242922"
label = "Support DE"

[[numbers]]
id = "106540352242923"
profile = "test"
"#;

#[test]
fn a_full_config_loads_with_defaults_filled_in() {
    let c = Config::parse(GOOD, None).unwrap();
    assert_eq!(c.default_profile, "prod");
    let prod = c.profile("prod").unwrap();
    assert_eq!(prod.base_url, DEFAULT_BASE_URL);
    assert_eq!(prod.api_version.to_string(), "v20.0");
    assert_eq!(prod.timeout, Duration::from_secs(5));
    let test = c.profile("test").unwrap();
    assert_eq!(test.base_url, "http://127.0.0.1:8787");
    assert_eq!(test.api_version, ApiVersion::DEFAULT);
    assert!(matches!(test.token, TokenSource::Command(_)));
    assert_eq!(c.numbers[0].profile, "prod");
    assert_eq!(c.numbers[1].profile, "test");
    assert_eq!(c.budget.max_attempts, 8);
    assert_eq!(c.budget.window, Duration::from_secs(72 * 3600));
}

#[test]
fn the_starter_file_is_a_valid_config() {
    let c = Config::parse(STARTER, None).unwrap();
    assert_eq!(c.default_profile, "prod");
    assert_eq!(c.budget, BudgetPolicy::default());
}

#[test]
fn unknown_key_is_located_and_lists_the_allowed_keys() {
    let e = err("[profiles.p]\ntoken_env = \"T\"\napi_verison = \"v25.0\"\n");
    let text = e.to_string();
    assert!(
        text.starts_with("wareg.toml:3:1: unknown field `api_verison`"),
        "{text}"
    );
    assert!(text.contains("api_version"), "{text}");
    assert!(text.contains("fix:"), "{text}");
}

#[test]
fn syntax_error_is_located() {
    let e = err("default_profile = \"p\"\n[profiles.p\n");
    assert_eq!(e.at.map(|a| a.0), Some(2), "{e}");
}

#[test]
fn bad_version_is_located_with_the_right_form() {
    let e = err("[profiles.p]\ntoken_env = \"T\"\napi_version = \"25\"\n");
    assert_eq!(e.at, Some((3, 15)), "{e}");
    assert!(e.to_string().contains("v25.0"), "{e}");
}

#[test]
fn non_numeric_number_id_is_located() {
    let e = err("[profiles.p]\ntoken_env = \"T\"\n[[numbers]]\nid = \"+49 30 1234\"\n");
    assert_eq!(e.at, Some((4, 6)), "{e}");
    assert!(e.to_string().contains("not a numeric id"), "{e}");
}

#[test]
fn unknown_profile_in_number_is_located() {
    let e = err("[profiles.p]\ntoken_env = \"T\"\n[[numbers]]\nid = \"1\"\nprofile = \"q\"\n");
    assert_eq!(e.at, Some((5, 11)), "{e}");
    assert!(e.to_string().contains("use one of: p"), "{e}");
}

#[test]
fn unknown_default_profile_is_reported() {
    let e = err("default_profile = \"x\"\n[profiles.p]\ntoken_env = \"T\"\n");
    assert_eq!(e.at, Some((1, 19)), "{e}");
}

#[test]
fn token_source_must_be_exactly_one() {
    let none = err("[profiles.p]\napi_version = \"v25.0\"\n");
    assert!(none.to_string().contains("has no token source"), "{none}");
    assert!(none.at.is_some());
    let two = err("[profiles.p]\ntoken_env = \"T\"\ntoken_file = \"/tmp/t\"\n");
    assert!(
        two.to_string().contains("more than one token source"),
        "{two}"
    );
}

#[test]
fn bad_values_are_located() {
    let url = err("[profiles.p]\ntoken_env = \"T\"\nbase_url = \"graph.facebook.com\"\n");
    assert_eq!(url.at.map(|a| a.0), Some(3), "{url}");
    let timeout = err("[profiles.p]\ntoken_env = \"T\"\ntimeout_secs = 0\n");
    assert!(
        timeout
            .to_string()
            .contains("timeout_secs = 0 is out of range"),
        "{timeout}"
    );
    let wrong_type = err("[profiles.p]\ntoken_env = \"T\"\ntimeout_secs = \"30\"\n");
    assert_eq!(wrong_type.at.map(|a| a.0), Some(3), "{wrong_type}");
    let budget = err("[profiles.p]\ntoken_env = \"T\"\n[budget]\nmax_attempts = 11\n");
    assert!(budget.to_string().contains("11th"), "{budget}");
    let dup =
        err("[profiles.p]\ntoken_env = \"T\"\n[[numbers]]\nid = \"1\"\n[[numbers]]\nid = \"1\"\n");
    assert!(dup.to_string().contains("listed twice"), "{dup}");
}

#[test]
fn no_profiles_and_ambiguous_default_are_errors() {
    assert!(err("").to_string().contains("no profile"));
    let e = err("[profiles.a]\ntoken_env = \"T\"\n[profiles.b]\ntoken_env = \"T\"\n");
    assert!(e.to_string().contains("default_profile is missing"), "{e}");
}

#[cfg(unix)]
#[test]
fn token_file_readable_by_others_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("token");
    std::fs::write(&path, "EAAGsecret\n").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let e = TokenSource::File(path.clone()).resolve().unwrap_err();
    let text = e.to_string();
    assert!(text.contains("chmod 600") && text.contains("644"), "{text}");
    assert!(!text.contains("EAAGsecret"));
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    let token = TokenSource::File(path).resolve().unwrap();
    assert_eq!(token.expose(), "EAAGsecret");
}

#[test]
fn token_command_runs_without_a_shell() {
    let ok = TokenSource::Command(vec!["echo".into(), "tok; rm -rf /".into()])
        .resolve()
        .unwrap();
    assert_eq!(ok.expose(), "tok; rm -rf /");
    let failed = TokenSource::Command(vec!["false".into()])
        .resolve()
        .unwrap_err();
    assert!(
        matches!(failed, TokenError::CommandFailed { .. }),
        "{failed}"
    );
    let missing = TokenSource::Command(vec!["no-such-program-wareg".into()])
        .resolve()
        .unwrap_err();
    assert!(
        matches!(missing, TokenError::CommandNotStarted { .. }),
        "{missing}"
    );
}

#[test]
fn a_window_shorter_than_metas_is_refused_where_it_is_written() {
    let short = err("[profiles.p]\ntoken_env = \"T\"\n[budget]\nwindow_hours = 24\n");
    assert_eq!(short.at.map(|a| a.0), Some(4), "{short}");
    assert!(
        short
            .to_string()
            .contains("shorter than Meta's window of 72 hours"),
        "{short}"
    );
    let meta = Config::parse(
        "[profiles.p]\ntoken_env = \"T\"\n[budget]\nwindow_hours = 72\n",
        None,
    );
    assert!(meta.is_ok());
}

#[test]
fn retired_and_newer_versions_load_with_a_warning_and_malformed_ones_do_not_load() {
    let today: chrono::NaiveDate = "2026-11-25".parse().unwrap();
    let config = |v: &str| {
        Config::parse(
            &format!("[profiles.p]\ntoken_env = \"T\"\napi_version = \"{v}\"\n"),
            None,
        )
    };
    let retired = config("v20.0").unwrap().warnings(today);
    assert_eq!(retired.len(), 1);
    assert!(
        retired[0].contains("retired since 2026-09-24"),
        "{retired:?}"
    );
    let ancient = config("v0.0").unwrap().warnings(today);
    assert!(ancient[0].contains("answers it as v21.0"), "{ancient:?}");
    let newer = config("v99.0").unwrap().warnings(today);
    assert!(newer[0].contains("newer than wareg knows"), "{newer:?}");
    assert!(config("v25.0").unwrap().warnings(today).is_empty());
    for malformed in ["25.0", "v25", "latest"] {
        assert!(config(malformed).is_err(), "{malformed}");
    }
}

/// A config file of `text` in a fresh dir (the dir goes with the returned guard).
fn file(text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wareg.toml");
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

#[test]
fn entries_between_other_tables_load_as_if_the_file_were_read_whole() {
    let text = r#"
[[numbers]]
id = "1"
label = "One"

[budget]
max_attempts = 5

[[numbers]]
id = "2"
profile = "q"

[profiles.p]
token_env = "T"
pin_command = ["pass", "[[numbers]]", """
[[numbers]]\
"""]

[profiles.q]
token_env = "T"
"#;
    let text = format!("default_profile = \"p\"\n{text}");
    let c = Config::parse(&text, None).unwrap();
    let ids: Vec<(&str, &str)> = c
        .numbers
        .iter()
        .map(|n| (n.id.as_str(), n.profile.as_str()))
        .collect();
    assert_eq!(ids, [("1", "p"), ("2", "q")]);
    assert_eq!(c.budget.max_attempts, 5);
    let pin = c.profile("p").unwrap().pin_command.clone().unwrap();
    assert_eq!(pin, ["pass", "[[numbers]]", "[[numbers]]"]);
}

#[test]
fn a_wrong_entry_is_located_the_same_whether_checked_now_or_later() {
    // Characters of more than one byte before it, in the rest of the file and in its line.
    let text = "[profiles.p]\ntoken_env = \"T\"\npin_command = [\"pass\", \"Zoë\"]\n\
        [[numbers]]\nid = \"1\"\nlabel = \"Zürich\"\n\
        [[numbers]]\nid = \"2\"\nlabel = \"Köln\" \nlabl = \"x\"\n";
    let now = err(text);
    assert_eq!(now.at, Some((10, 1)), "{now}");
    assert!(now.message.starts_with("unknown field `labl`"), "{now}");
    let (_dir, path) = file(text);
    let (config, later) = Config::load_later(&path, 1).unwrap();
    assert!(config.numbers.is_empty());
    let later = later.unwrap().parse().unwrap_err();
    assert_eq!((later.at, &later.message), (now.at, &now.message));
    assert_eq!(later.file.as_deref(), Some(path.as_path()));
    // A control character in a label: refused at its place, with its path.
    let text = "[profiles.p]\ntoken_env = \"T\"\n[[numbers]]\nid = \"1\"\n[[numbers]]\nid = \"2\"\nlabel = \"a\\u0007\"\n";
    let (_dir, path) = file(text);
    let later = Config::load_later(&path, 1)
        .unwrap()
        .1
        .unwrap()
        .parse()
        .unwrap_err();
    assert_eq!(later.at, Some((7, 9)), "{later}");
    assert!(later.message.contains("`numbers[1].label`"), "{later}");
}

#[test]
fn only_a_fleet_larger_than_asked_is_left_for_later() {
    let text = "[profiles.p]\ntoken_env = \"T\"\n[[numbers]]\nid = \"1\"\n[[numbers]]\nid = \"2\"\nlabel = \"Two\"\n[[numbers]]\nid = \"3\"\n";
    let (_dir, path) = file(text);
    let whole = Config::load(&path).unwrap();
    assert_eq!(whole.numbers.len(), 3);
    let (head, later) = Config::load_later(&path, 2).unwrap();
    let later = later.expect("3 entries are more than 2");
    assert_eq!(later.count, 3);
    assert!(head.numbers.is_empty());
    assert_eq!(later.parse().unwrap(), whole.numbers);
    let (now, later) = Config::load_later(&path, 3).unwrap();
    assert!(later.is_none());
    assert_eq!(now.numbers, whole.numbers);
    // Everything else is checked before: a wrong value in the rest fails the load itself.
    let (_dir, path) =
        file(&text.replace("token_env = \"T\"", "token_env = \"T\"\ntimeout_secs = 0"));
    assert!(Config::load_later(&path, 0).is_err());
}

#[test]
fn numbers_written_two_ways_are_refused_as_the_whole_file_says() {
    let e = err("numbers = []\n[profiles.p]\ntoken_env = \"T\"\n[[numbers]]\nid = \"1\"\n");
    assert!(e.at.is_some(), "{e}");
    let e = err("[profiles.p]\ntoken_env = \"T\"\n[[numbers]]\nid = \"1\"\n[numbers.x]\ny = 1\n");
    assert!(e.at.is_some(), "{e}");
}

#[test]
fn entries_checked_a_run_at_a_time_say_their_place_in_the_whole_file() {
    let mut text = String::from("[profiles.p]\ntoken_env = \"T\"\n");
    for i in 0..1_200 {
        text.push_str(&format!("[[numbers]]\nid = \"{}\"\n", 1_000 + i));
    }
    // Entry 1,100 (index 1,099) holds a control character; entry 1,150 repeats entry 3's id.
    let bell = text.replacen(
        "id = \"2099\"\n",
        "id = \"2099\"\nlabel = \"a\\u0007\"\n",
        1,
    );
    let e = err(&bell);
    assert!(e.message.contains("`numbers[1099].label`"), "{e}");
    assert_eq!(e.at, Some((2 + 1_099 * 2 + 3, 9)), "{e}");
    let twice = text.replacen("id = \"2149\"", "id = \"1003\"", 1);
    let e = err(&twice);
    assert!(e.message.contains("number 1003 is listed twice"), "{e}");
    assert_eq!(e.at, Some((2 + 1_149 * 2 + 2, 6)), "{e}");
    assert_eq!(Config::parse(&text, None).unwrap().numbers.len(), 1_200);
}
