//! Reading a PIN or a code from stdin or an environment variable, never argv. On a terminal
//! the typed digits are not echoed.

use std::io::{BufRead, IsTerminal, Write};
use zeroize::Zeroizing;

use super::error::CliError;

pub enum SecretSource<'a> {
    Stdin,
    Env(&'a str),
}

/// The raw text (validated by the caller's type); `what` names it in messages ("PIN").
pub fn read_secret(source: SecretSource<'_>, what: &str) -> Result<Zeroizing<String>, CliError> {
    match source {
        SecretSource::Env(var) => std::env::var(var).map(Zeroizing::new).map_err(|_| {
            CliError::Usage(format!(
                "the environment variable {var} (the {what}) is not set"
            ))
        }),
        SecretSource::Stdin => {
            let stdin = std::io::stdin();
            let on_terminal = stdin.is_terminal();
            if on_terminal {
                eprint!("{what} (not shown): ");
                let _ = std::io::stderr().flush();
            }
            let echo = on_terminal.then(EchoOff::new).flatten();
            let mut line = Zeroizing::new(String::new());
            let read = stdin.lock().read_line(&mut line);
            drop(echo);
            if on_terminal {
                eprintln!();
            }
            match read {
                Ok(0) => Err(CliError::Usage(format!(
                    "no {what} on stdin: give it as one line"
                ))),
                Ok(_) => Ok(line),
                Err(e) => Err(CliError::Usage(format!(
                    "cannot read the {what} from stdin: {e}"
                ))),
            }
        }
    }
}

/// Turns terminal echo off until dropped.
struct EchoOff {
    #[cfg(unix)]
    saved: libc::termios,
}

impl EchoOff {
    #[cfg(unix)]
    fn new() -> Option<EchoOff> {
        // SAFETY: tcgetattr/tcsetattr on fd 0 with a zeroed termios the call fills in.
        unsafe {
            let mut term: libc::termios = std::mem::zeroed();
            if libc::tcgetattr(0, &mut term) != 0 {
                return None;
            }
            let saved = term;
            term.c_lflag &= !libc::ECHO;
            term.c_lflag |= libc::ECHONL;
            if libc::tcsetattr(0, libc::TCSANOW, &term) != 0 {
                return None;
            }
            Some(EchoOff { saved })
        }
    }

    #[cfg(not(unix))]
    fn new() -> Option<EchoOff> {
        None
    }
}

impl Drop for EchoOff {
    fn drop(&mut self) {
        #[cfg(unix)]
        // SAFETY: restores the attributes read in `new` on the same fd.
        unsafe {
            libc::tcsetattr(0, libc::TCSANOW, &self.saved);
        }
    }
}
