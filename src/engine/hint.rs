//! How a command that wareg suggests ("wareg register ID --pin-stdin") names its number, so
//! that it can be pasted as it is: the id, and `--profile NAME` whenever the number is reached
//! through a profile other than the config's default. Without it a number wareg has not
//! listed (one just added, say) would be looked for in the default profile.

use crate::config::ProfileName;
use crate::graph::NumberId;

/// "106540352242922", or "106540352242922 --profile staging" when `profile` is named.
pub fn target(id: &NumberId, profile: Option<&ProfileName>) -> String {
    match profile {
        Some(name) => format!("{id} --profile {}", shell_word(name)),
        None => id.to_string(),
    }
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
            target(&id, named_profile(&staging, &prod).as_ref()),
            "106540352242922 --profile staging"
        );
        assert_eq!(target(&id, None), "106540352242922");
        for (name, word) in [
            ("eu west", "'eu west'"),
            ("bo's desk", r"'bo'\''s desk'"),
            ("a$b", "'a$b'"),
        ] {
            assert_eq!(
                target(&id, Some(&ProfileName::new(name))),
                format!("106540352242922 --profile {word}")
            );
        }
    }
}
