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

/// Turns terminal echo off until dropped, and puts it back on if Ctrl-C interrupts the read:
/// the shell must never be left typing blind.
struct EchoOff {
    #[cfg(unix)]
    saved: libc::termios,
    #[cfg(unix)]
    previous_handler: libc::sighandler_t,
}

/// The attributes to restore from the SIGINT handler (set before the handler is installed).
#[cfg(unix)]
static SAVED_TERMIOS: std::sync::OnceLock<libc::termios> = std::sync::OnceLock::new();

#[cfg(unix)]
extern "C" fn restore_and_die(signal: libc::c_int) {
    // SAFETY: tcsetattr, signal and raise are async-signal-safe; SAVED_TERMIOS was set before
    // this handler could run and is never changed after.
    unsafe {
        if let Some(saved) = SAVED_TERMIOS.get() {
            libc::tcsetattr(0, libc::TCSANOW, saved);
        }
        libc::write(2, b"\n".as_ptr().cast(), 1);
        libc::signal(signal, libc::SIG_DFL);
        libc::raise(signal);
    }
}

impl EchoOff {
    #[cfg(unix)]
    fn new() -> Option<EchoOff> {
        // SAFETY: tcgetattr/tcsetattr on fd 0 with a zeroed termios the call fills in; the
        // handler only restores those attributes.
        unsafe {
            let mut term: libc::termios = std::mem::zeroed();
            if libc::tcgetattr(0, &mut term) != 0 {
                return None;
            }
            let saved = term;
            let _ = SAVED_TERMIOS.set(saved);
            let handler: extern "C" fn(libc::c_int) = restore_and_die;
            let previous_handler = libc::signal(libc::SIGINT, handler as libc::sighandler_t);
            term.c_lflag &= !libc::ECHO;
            term.c_lflag |= libc::ECHONL;
            if libc::tcsetattr(0, libc::TCSANOW, &term) != 0 {
                libc::signal(libc::SIGINT, previous_handler);
                return None;
            }
            Some(EchoOff {
                saved,
                previous_handler,
            })
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
        // SAFETY: restores the attributes read in `new` on the same fd, then the handler.
        unsafe {
            libc::tcsetattr(0, libc::TCSANOW, &self.saved);
            libc::signal(libc::SIGINT, self.previous_handler);
        }
    }
}
