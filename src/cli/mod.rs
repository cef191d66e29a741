//! The command line (docs/PRODUCT.md "Command line"): the TUI by default, and headless twins of
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

mod add_cmd;
mod args;
mod audit_cmd;
mod bulk_cmd;
mod config_cmd;
mod context;
mod error;
mod fleet_next;
mod fleet_progress;
mod kept;
mod ledger_cmd;
mod mutate;
mod next_cmd;
mod numbers;
mod output;
mod plan_cmd;
mod progress;
mod rename_cmd;
mod sandbox_cmd;
mod secret_input;
mod status;

pub use args::{Cli, Command, Global};
pub use context::{data_dir, open_store};
pub use error::CliError;

use clap::CommandFactory;
use std::process::ExitCode;

/// Runs a headless command (`main.rs` starts the TUI itself) and says how it ended.
pub fn main(cli: Cli) -> ExitCode {
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
    match cli.command {
        // A bug in the entry, not the user's: main.rs starts the TUI itself.
        None | Some(Command::Tui | Command::Demo) => Err(CliError::Local(
            "the TUI is started by wareg's entry".into(),
        )),
        Some(Command::Sandbox(args)) => sandbox_cmd::run(args),
        Some(Command::Numbers(args)) => numbers::run(&global, args),
        Some(Command::Status(args)) => status::run(&global, args),
        Some(Command::Next(args)) => next_cmd::run(&global, args),
        Some(Command::Add(args)) => add_cmd::run(&global, args),
        Some(Command::Rename(args)) => rename_cmd::run(&global, args),
        Some(Command::Register(args)) => mutate::register(&global, args),
        Some(Command::Deregister(args)) => mutate::deregister(&global, args),
        Some(Command::Plan(args)) => plan_cmd::run(&global, args),
        Some(Command::SetPin(args)) => mutate::set_pin(&global, args),
        Some(Command::RequestCode(args)) => mutate::request_code(&global, args),
        Some(Command::VerifyCode(args)) => mutate::verify_code(&global, args),
        Some(Command::Audit(args)) => audit_cmd::run(&global, args),
        Some(Command::Config { action }) => config_cmd::run(&global, action),
        Some(Command::Ledger { action }) => ledger_cmd::run(&global, action),
        Some(Command::Bulk { action }) => bulk_cmd::run_command(&global, action),
        Some(Command::Completions { shell }) => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "wareg", &mut script);
            say_inline!("{}", String::from_utf8_lossy(&script));
            Ok(())
        }
    }
}
