//! How a command that wareg suggests ("wareg register ID --pin-stdin") names its number, so
//! that it can be pasted as it is: the id, `--profile NAME` whenever the number is reached
//! through a profile other than the config's default, and the `--config FILE` wareg was
//! started with, if it was. Without the profile a number wareg has not listed (one just added,
//! say) would be looked for in the default profile; without the config a pasted command would
//! read another config (or none) and not know the number's profile at all.

use std::path::Path;
use std::sync::OnceLock;

use crate::config::ProfileName;
use crate::graph::NumberId;

/// The `--config FILE` of this process, as a shell word of its absolute path. How wareg was
/// started is one fact for the whole process (as `TZ` is for the times it writes): set once
/// by `main.rs` before any command runs, never changed, read by every hint.
static CONFIG_FLAG: OnceLock<String> = OnceLock::new();

/// Every command suggested from now on repeats `--config path` (`main.rs`, when wareg was run
/// with `--config`). Absolute, so that a hint pasted in another directory reads the same file.
pub fn repeat_config(path: &Path) {
    let path = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let _ = CONFIG_FLAG.set(shell_word(&path.to_string_lossy()));
}

/// "106540352242922", or "106540352242922 --profile staging" when `profile` is named, with
/// "--config FILE" after it when wareg was started with one ([`repeat_config`]).
pub fn target(id: &NumberId, profile: Option<&ProfileName>) -> String {
    target_with(id, profile, CONFIG_FLAG.get().map(String::as_str))
}

fn target_with(id: &NumberId, profile: Option<&ProfileName>, config: Option<&str>) -> String {
    let mut out = id.to_string();
    if let Some(name) = profile {
        out.push_str(&format!(" --profile {}", shell_word(name)));
    }
    if let Some(config) = config {
        out.push_str(&format!(" --config {config}"));
    }
    out
}

/// The profile a hint must name: `profile`, unless it is the `default` one.
pub fn named_profile(profile: &ProfileName, default: &ProfileName) -> Option<ProfileName> {
    (profile != default).then(|| profile.clone())
}

/// A name as one shell word: as it is when no shell reads anything into it, else in single
/// quotes (a quote inside closed, escaped and opened again). Config names hold no control
/// characters (refused at load).
fn shell_word(name: &str) -> String {
    let plain = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.@%+=:,/".contains(c));
    if plain {
        name.to_owned()
    } else {
        format!("'{}'", name.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_profile_is_named_when_it_is_not_the_default_and_quoted_when_a_shell_needs_it() {
        let id = NumberId::parse("106540352242922").unwrap();
        let (prod, staging) = (ProfileName::new("prod"), ProfileName::new("staging"));
        assert_eq!(named_profile(&prod, &prod), None);
        assert_eq!(
            target_with(&id, named_profile(&staging, &prod).as_ref(), None),
            "106540352242922 --profile staging"
        );
        assert_eq!(target_with(&id, None, None), "106540352242922");
        for (name, word) in [
            ("eu west", "'eu west'"),
            ("bo's desk", r"'bo'\''s desk'"),
            ("a$b", "'a$b'"),
        ] {
            assert_eq!(
                target_with(&id, Some(&ProfileName::new(name)), None),
                format!("106540352242922 --profile {word}")
            );
        }
    }

    #[test]
    fn the_config_wareg_was_started_with_follows_the_profile() {
        let id = NumberId::parse("106540352242922").unwrap();
        let config = shell_word("/home/ana/wareg configs/staging.toml");
        assert_eq!(config, "'/home/ana/wareg configs/staging.toml'");
        assert_eq!(
            target_with(&id, Some(&ProfileName::new("staging")), Some(&config)),
            "106540352242922 --profile staging --config '/home/ana/wareg configs/staging.toml'"
        );
        assert_eq!(
            target_with(&id, None, Some("/etc/wareg.toml")),
            "106540352242922 --config /etc/wareg.toml"
        );
    }
}
