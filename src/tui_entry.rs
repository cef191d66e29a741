//! Entry points of the interactive faces: `wareg` (the TUI on the configured profile) and
//! `wareg demo` (the TUI on an in-process sandbox with a throwaway data dir).

use crate::cli::CliError;
use crate::cli::Global;

pub fn run_tui(_global: &Global) -> Result<(), CliError> {
    Err(CliError::Usage(
        "the TUI is not built yet: use the subcommands (wareg --help)".into(),
    ))
}

pub fn run_demo() -> Result<(), CliError> {
    run_tui(&Global::default())
}
