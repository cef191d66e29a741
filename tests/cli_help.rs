//! Every option, argument and subcommand of every command has help text: `--help` is the
//! first place a support person looks, and an option listed without words sends them to the
//! README instead.

use clap::CommandFactory;
use wareg::cli::Cli;

/// "wareg bulk register --json" for each argument without help, "wareg bulk" for each
/// subcommand without an about line, under `cmd`.
fn missing_help(cmd: &clap::Command, path: &str, out: &mut Vec<String>) {
    for arg in cmd.get_arguments() {
        // clap's own --help and --version come with their text.
        if matches!(arg.get_id().as_str(), "help" | "version") {
            continue;
        }
        let said = arg
            .get_help()
            .is_some_and(|h| !h.to_string().trim().is_empty());
        if !said {
            out.push(format!("{path} {}", arg.get_id()));
        }
    }
    for sub in cmd.get_subcommands() {
        let sub_path = format!("{path} {}", sub.get_name());
        // `help` is clap's generated subcommand.
        if sub.get_name() == "help" {
            continue;
        }
        let about = sub.get_about().map(|a| a.to_string()).unwrap_or_default();
        if about.trim().is_empty() {
            out.push(sub_path.clone());
        }
        missing_help(sub, &sub_path, out);
    }
}

#[test]
fn every_option_argument_and_subcommand_has_help() {
    let mut cmd = Cli::command();
    // Built, so that global options appear under every subcommand as users see them.
    cmd.build();
    let mut missing = Vec::new();
    missing_help(&cmd, "wareg", &mut missing);
    assert!(
        missing.is_empty(),
        "without help text:\n  {}",
        missing.join("\n  ")
    );
}

#[test]
fn the_walk_sees_every_command() {
    // A walk that stopped at the top would pass the test above without looking.
    let cmd = Cli::command();
    let bulk = cmd.find_subcommand("bulk").expect("wareg bulk");
    let register = bulk
        .find_subcommand("register")
        .expect("wareg bulk register");
    assert!(register.get_arguments().any(|a| a.get_id() == "json"));
    let mut missing = Vec::new();
    let bare = clap::Command::new("probe")
        .arg(clap::Arg::new("silent").long("silent"))
        .subcommand(clap::Command::new("quiet"));
    missing_help(&bare, "probe", &mut missing);
    assert_eq!(missing, ["probe silent", "probe quiet"]);
}
