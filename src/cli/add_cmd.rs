//! `wareg add [--waba ID] --cc CC --phone NATIONAL --name "Display Name" [--json]`: adds a
//! number to a WABA (POST /{waba}/phone_numbers), audited as `add`, and prints its new id with
//! the `[[numbers]]` lines to paste into the config (which is never rewritten). The number then
//! needs its ownership verified, then a register.

use serde_json::json;

use super::args::{AddArgs, Global};
use super::context::{Context, block_on};
use super::error::CliError;
use super::output::print_json;
use crate::graph::{NewNumber, NumberId};

pub fn run(global: &Global, args: AddArgs) -> Result<(), CliError> {
    // Everything typed is checked before anything is read or sent, and all that is wrong
    // said at once.
    let number = NewNumber::check(&args.cc, &args.phone, &args.name).map_err(|all| {
        let words: Vec<String> = all.iter().map(ToString::to_string).collect();
        CliError::Usage(format!("{}; nothing was sent", words.join("; ")))
    })?;
    let waba = args
        .waba
        .as_deref()
        .map(|raw| NumberId::parse(raw).map_err(|e| CliError::Usage(format!("--waba: {e}"))))
        .transpose()?;
    let ctx = Context::load(global)?;
    let name = global
        .profile
        .clone()
        .unwrap_or_else(|| ctx.config.default_profile.to_string());
    let profile = ctx
        .config
        .profile(&name)
        .ok_or_else(|| CliError::Usage(format!("there is no profile named `{name}`")))?;
    let Some(waba) = waba.or_else(|| profile.waba_id.clone()) else {
        return Err(CliError::Usage(format!(
            "profile `{name}` names no waba_id: give the WABA with --waba ID. Nothing was sent"
        )));
    };
    let engine = ctx.engine(profile)?;
    let id = block_on(engine.add_number(&waba, &number))?
        .map_err(|e| CliError::mutation("POST /{waba}/phone_numbers", e))?;
    let lines = config_lines(
        &id,
        number.name().as_str(),
        &name,
        &ctx.config.default_profile,
    );
    // Not listed yet: without --profile a pasted command would look for it in the default.
    let target = engine.hint(&id);
    let steps = format!(
        "wareg request-code {target} --method sms, then wareg verify-code {target} --code-stdin, then wareg register {target} --pin-stdin"
    );
    if args.json {
        print_json(&json!({
            "ok": true,
            "id": id,
            "waba": waba,
            "number": number.words(),
            "name": number.name().as_str(),
            "config": lines,
            "next": steps,
        }));
        return Ok(());
    }
    say!(
        "Added {} to WABA {waba} as {id}: not verified and not registered yet; Meta reviews the name '{}'.",
        number.words(),
        number.name()
    );
    say!("Next: {steps}.");
    say!("To list it in the config (wareg does not change the file), add:");
    say!("");
    say_inline!("{lines}");
    Ok(())
}

/// The `[[numbers]]` entry for the new number, its label the display name asked for.
fn config_lines(id: &NumberId, label: &str, profile: &str, default: &str) -> String {
    let quoted = toml_string(label);
    let mut lines = format!("[[numbers]]\nid = \"{id}\"\nlabel = {quoted}\n");
    if profile != default {
        lines.push_str(&format!("profile = {}\n", toml_string(profile)));
    }
    lines
}

/// A TOML basic string: a name with a quote or a backslash stays one string. JSON's escapes
/// (\" \\ \n \t \uXXXX) are TOML's too, and the toml crate is built to parse only; the names
/// come checked (a display name of plain characters, a profile name with no control ones).
fn toml_string(text: &str) -> String {
    serde_json::Value::String(text.to_owned()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lines_to_paste_are_toml_that_reads_back() {
        let id = NumberId::parse("1065").unwrap();
        let lines = config_lines(&id, "Acme \"UK\" \\ Ltd", "prod", "default");
        let parsed: toml::Value = toml::from_str(&lines).unwrap();
        let entry = &parsed["numbers"][0];
        assert_eq!(entry["id"].as_str(), Some("1065"));
        assert_eq!(entry["label"].as_str(), Some("Acme \"UK\" \\ Ltd"));
        assert_eq!(entry["profile"].as_str(), Some("prod"));
        assert!(!config_lines(&id, "Acme", "prod", "prod").contains("profile"));
    }
}
