//! The entry picks the face: the TUI (`wareg`, `wareg demo`) or a headless command. Neither
//! face knows the other; both ask the same engine.

#![deny(clippy::unwrap_used, clippy::expect_used)]

use clap::Parser;
use std::process::ExitCode;

use wareg::cli::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The commands wareg suggests name the config it was started with, so they paste as they
    // are (the demo and the sandbox read none).
    if let Some(path) = &cli.config
        && !matches!(cli.command, Some(Command::Demo | Command::Sandbox(_)))
    {
        wareg::engine::hint::repeat_config(path);
    }
    match cli.command {
        None | Some(Command::Tui) => {
            let global = cli.global();
            started(wareg::tui::start::run_tui(
                global.config.as_deref(),
                global.profile.as_deref(),
            ))
        }
        Some(Command::Demo) => started(wareg::tui::start::run_demo()),
        Some(_) => wareg::cli::main(cli),
    }
}

/// How the TUI ended: a problem before (or after) the terminal was ours is said in words,
/// exit 2.
fn started(result: Result<(), wareg::tui::start::StartError>) -> ExitCode {
    if wareg::graph::SANDBOX_SEEN.load(std::sync::atomic::Ordering::Relaxed) {
        eprintln!("note: these answers came from a wareg sandbox, not from Meta");
    }
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", wareg::clean::lines(&e.to_string(), 4000));
            ExitCode::from(2)
        }
    }
}
