use std::process::ExitCode;

fn main() -> ExitCode {
    wareg::cli::main()
}
