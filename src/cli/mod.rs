//! The command line (PRODUCT.md "Command line"): the TUI by default, and headless twins of
//! every TUI action for scripts, with `--json` and the exit codes 0/1/2/3.

/// `println!` for results on stdout, except that a reader who went away (`| head`, `| grep
/// -q`) is not an error: the command still ends with its own exit code instead of a panic.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

/// `print!` with the same tolerance as [`say!`].
macro_rules! say_inline {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout(), $($arg)*);
    }};
}

mod args;
mod audit_cmd;
mod bulk_cmd;
mod config_cmd;
mod context;
mod error;
mod fleet_progress;
mod ledger_cmd;
mod mutate;
mod numbers;
mod output;
mod plan_cmd;
mod progress;
mod sandbox_cmd;
mod secret_input;
mod status;
mod tui_cmd;

pub use args::{Cli, Command, Global};
pub use context::{data_dir, open_store};
pub use error::CliError;

use clap::{CommandFactory, Parser};
use std::process::ExitCode;

/// Parses argv and runs the command; the binary's `main` is only this.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let json = cli.json_output();
    let result = run(cli);
    if crate::graph::SANDBOX_SEEN.load(std::sync::atomic::Ordering::Relaxed) {
        eprintln!("note: these answers came from a wareg sandbox, not from Meta");
    }
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            err.report(json);
            ExitCode::from(err.exit_code())
        }
    }
}

fn run(cli: Cli) -> Result<(), CliError> {
    let global = cli.global();
    match cli.command.unwrap_or(Command::Tui) {
        Command::Tui => tui_cmd::run_tui(&global),
        Command::Demo => tui_cmd::run_demo(),
        Command::Sandbox(args) => sandbox_cmd::run(args),
        Command::Numbers(args) => numbers::run(&global, args),
        Command::Status(args) => status::run(&global, args),
        Command::Register(args) => mutate::register(&global, args),
        Command::Deregister(args) => mutate::deregister(&global, args),
        Command::Plan(args) => plan_cmd::run(&global, args),
        Command::SetPin(args) => mutate::set_pin(&global, args),
        Command::RequestCode(args) => mutate::request_code(&global, args),
        Command::VerifyCode(args) => mutate::verify_code(&global, args),
        Command::Audit(args) => audit_cmd::run(&global, args),
        Command::Config { action } => config_cmd::run(&global, action),
        Command::Ledger { action } => ledger_cmd::run(&global, action),
        Command::Bulk { action } => bulk_cmd::run_command(&global, action),
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "wareg", &mut script);
            say_inline!("{}", String::from_utf8_lossy(&script));
            Ok(())
        }
    }
}
