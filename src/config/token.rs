//! Token sources: an environment variable, a command (argv, no shell), or a private file.
//! The token itself is never written, shown or put into an error message.

use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::secret::Token;

#[derive(Debug, Clone)]
pub enum TokenSource {
    Env(String),
    Command(Vec<String>),
    File(PathBuf),
    /// The built-in sandbox's fixed token (`wareg demo`); never read from a config file.
    Sandbox,
}

/// How long a token command may take unless the profile says otherwise.
pub const DEFAULT_TOKEN_TIMEOUT: Duration = Duration::from_secs(10);

/// Reads a pipe to its end on a thread of its own (capped: a token is short, an error line too).
fn drain(mut pipe: impl Read + Send + 'static) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut out = Vec::new();
        let _ = pipe.by_ref().take(64 * 1024).read_to_end(&mut out);
        // Keep reading (and dropping) so the command never blocks on a full pipe.
        let _ = std::io::copy(&mut pipe, &mut std::io::sink());
        out
    })
}

/// The token every sandbox accepts; it guards nothing real.
pub const SANDBOX_TOKEN: &str = "wareg-sandbox-token";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the environment variable {0} is not set or empty: export it before starting wareg")]
    EnvMissing(String),
    #[error("token_command `{program}` could not be started: {why}")]
    CommandNotStarted { program: String, why: String },
    #[error("token_command `{program}` failed ({status}){stderr}")]
    CommandFailed {
        program: String,
        status: String,
        stderr: String,
    },
    #[error("token_command `{0}` printed nothing")]
    CommandEmpty(String),
    #[error(
        "token_command `{program}` did not finish within {secs} s and was stopped (raise token_timeout_secs if it needs longer, e.g. to ask for a passphrase)"
    )]
    CommandTimedOut { program: String, secs: u64 },
    #[error("cannot read token_file {0}: {1}")]
    FileUnreadable(PathBuf, String),
    #[error(
        "token_file {path} can be read by others (mode {mode:o}); a token there can be copied by anyone on this machine. Run: chmod 600 {path}"
    )]
    FileTooOpen { path: PathBuf, mode: u32 },
    #[error("token_file {0} is empty")]
    FileEmpty(PathBuf),
    #[error(
        "the token from {0} has a line break or another control character inside: it is not a token (check what the source prints)"
    )]
    Malformed(String),
}

impl TokenSource {
    /// Reads the token, giving a token command the default time. Blocking: call before raw
    /// mode or from a blocking task.
    pub fn resolve(&self) -> Result<Token, TokenError> {
        self.resolve_within(DEFAULT_TOKEN_TIMEOUT)
    }

    /// Reads the token; a token command that takes longer than `limit` is killed. A token with
    /// a line break or another control character inside could never be sent as a header: it is
    /// refused here, as the config problem it is.
    pub fn resolve_within(&self, limit: Duration) -> Result<Token, TokenError> {
        let token = self.read_within(limit)?;
        if token.expose().chars().any(char::is_control) {
            return Err(TokenError::Malformed(self.describe()));
        }
        Ok(token)
    }

    fn read_within(&self, limit: Duration) -> Result<Token, TokenError> {
        match self {
            TokenSource::Env(var) => std::env::var(var)
                .ok()
                .filter(|v| !v.trim().is_empty())
                .map(|v| Token::new(v.trim()))
                .ok_or_else(|| TokenError::EnvMissing(var.clone())),
            TokenSource::Command(argv) => run_token_command(argv, limit),
            TokenSource::File(path) => read_token_file(path),
            TokenSource::Sandbox => Ok(Token::new(SANDBOX_TOKEN)),
        }
    }

    /// Where the token comes from, for `config check` and the help screen.
    pub fn describe(&self) -> String {
        match self {
            TokenSource::Env(var) => format!("environment variable {var}"),
            TokenSource::Command(argv) => format!("command {}", argv.join(" ")),
            TokenSource::File(path) => format!("file {}", path.display()),
            TokenSource::Sandbox => "the sandbox's built-in token".into(),
        }
    }
}

fn run_token_command(argv: &[String], limit: Duration) -> Result<Token, TokenError> {
    let program = argv.first().cloned().unwrap_or_default();
    let mut child = Command::new(&program)
        .args(&argv[1..])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| TokenError::CommandNotStarted {
            program: program.clone(),
            why: e.to_string(),
        })?;
    // Read both pipes on threads so a chatty command cannot block on a full pipe while we
    // wait, and wait with a deadline so a hanging one cannot hang wareg.
    let stdout = child.stdout.take().map(drain);
    let stderr = child.stderr.take().map(drain);
    let deadline = Instant::now() + limit;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(10)),
            Ok(None) | Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(TokenError::CommandTimedOut {
                    program,
                    secs: limit.as_secs(),
                });
            }
        }
    };
    let collect = |h: Option<std::thread::JoinHandle<Vec<u8>>>| {
        h.and_then(|h| h.join().ok()).unwrap_or_default()
    };
    let output = std::process::Output {
        status,
        stdout: collect(stdout),
        stderr: collect(stderr),
    };
    if !output.status.success() {
        // Its stderr explains the failure ("not in the password store"); its stdout might be
        // a partial secret and is never shown.
        let first = String::from_utf8_lossy(&output.stderr)
            .lines()
            .next()
            .map(|l| format!(": {}", crate::clean::text(l, 200)))
            .unwrap_or_default();
        return Err(TokenError::CommandFailed {
            program,
            status: output.status.to_string(),
            stderr: first,
        });
    }
    let token = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    if token.is_empty() {
        return Err(TokenError::CommandEmpty(program));
    }
    Ok(Token::new(token))
}

fn read_token_file(path: &PathBuf) -> Result<Token, TokenError> {
    let meta = std::fs::metadata(path)
        .map_err(|e| TokenError::FileUnreadable(path.clone(), e.to_string()))?;
    check_private(path, &meta)?;
    let text = std::fs::read_to_string(path)
        .map_err(|e| TokenError::FileUnreadable(path.clone(), e.to_string()))?;
    let token = text.trim();
    if token.is_empty() {
        return Err(TokenError::FileEmpty(path.clone()));
    }
    Ok(Token::new(token))
}

#[cfg(unix)]
fn check_private(path: &std::path::Path, meta: &std::fs::Metadata) -> Result<(), TokenError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(TokenError::FileTooOpen {
            path: path.to_path_buf(),
            mode,
        });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_: &std::path::Path, _: &std::fs::Metadata) -> Result<(), TokenError> {
    Ok(())
}
