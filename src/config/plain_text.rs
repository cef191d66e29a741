//! Every name and string in the config is plain text: a key (a profile's name) or a value (a
//! label, token_env, operator, a command's words) holding a control, bidi, zero-width or other
//! invisible character (Unicode's default-ignorable and format characters) is refused at load,
//! at its place in the file. Such a name would otherwise reach the terminal in `config check`,
//! in the table and in error lines, where it can set the window title, hide text, show it
//! reversed or look like another name. Comments are not values and are not checked.

use std::borrow::Cow;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::located::{ConfigError, Locator};
use crate::clean::{NAME_MAX, is_unsafe};

/// The first key or string in `table` that is not plain text, as a located error.
pub(super) fn check(loc: &Locator, table: &DeTable) -> Result<(), ConfigError> {
    check_from(loc, table, 0)
}

/// The same for a part of the file parsed alone whose arrays (the `[[numbers]]` entries of a
/// run) start at item `first` of the file's.
pub(super) fn check_from(loc: &Locator, table: &DeTable, first: usize) -> Result<(), ConfigError> {
    check_table(loc, table, "", first)
}

fn check_table(
    loc: &Locator,
    table: &DeTable,
    path: &str,
    first: usize,
) -> Result<(), ConfigError> {
    for (key, value) in table.iter() {
        let name = join(path, key.get_ref());
        if let Some(c) = key.get_ref().chars().find(|c| is_unsafe(*c)) {
            return Err(refusal(loc, key, &format!("the name `{name}`"), c));
        }
        check_value(loc, value, &name, first)?;
    }
    Ok(())
}

fn check_value(
    loc: &Locator,
    value: &Spanned<DeValue>,
    path: &str,
    first: usize,
) -> Result<(), ConfigError> {
    match value.get_ref() {
        DeValue::String(text) => match text.chars().find(|c| is_unsafe(*c)) {
            Some(c) => Err(refusal(loc, value, &format!("`{path}`"), c)),
            None => Ok(()),
        },
        DeValue::Table(table) => check_table(loc, table, path, 0),
        DeValue::Array(items) => items
            .iter()
            .enumerate()
            .try_for_each(|(i, item)| check_value(loc, item, &format!("{path}[{}]", first + i), 0)),
        _ => Ok(()),
    }
}

/// `profiles.sb`, with a key that is not a bare word quoted as TOML quotes it (and cleaned:
/// the message must not carry what it refuses).
fn join(path: &str, key: &str) -> String {
    let bare = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    let key: Cow<str> = if bare {
        key.into()
    } else {
        format!("\"{}\"", crate::clean::text(key, NAME_MAX)).into()
    };
    if path.is_empty() {
        key.into_owned()
    } else {
        format!("{path}.{key}")
    }
}

fn refusal<T>(loc: &Locator, at: &Spanned<T>, what: &str, c: char) -> ConfigError {
    let kind = if c.is_control() {
        "a control character"
    } else if matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
    {
        "a bidi control"
    } else {
        // Zero-width, default-ignorable or format (`clean::is_invisible`): it shows nothing, so
        // a name holding one looks like another name.
        "an invisible (zero-width or format) character"
    };
    loc.error(
        Some(at.span()),
        format!("{what} holds {kind} (U+{:04X})", c as u32),
    )
    .hint("names and values in the config are plain text: write it without control, bidi or zero-width characters (spaces are fine)")
}
