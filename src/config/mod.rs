//! The TOML config (docs/PRODUCT.md "Configuration"): profiles, numbers, the budget window.
//! Unknown keys and bad values are errors located at file:line:col, found before the
//! terminal is taken over. The user's file is never rewritten.

mod located;
mod plain_text;
mod profile_name;
mod raw;
mod sections;
mod token;

pub use located::ConfigError;
pub use profile_name::ProfileName;
pub use raw::LaterNumbers;
pub use token::{DEFAULT_TOKEN_TIMEOUT, TokenError, TokenSource};

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::graph::{ApiVersion, NumberId};

pub const DEFAULT_BASE_URL: &str = "https://graph.facebook.com";
pub const DEFAULT_TIMEOUT_SECS: u64 = 30;
/// The commented starter that `wareg config init` writes.
pub const STARTER: &str = include_str!("../../assets/config.example.toml");

/// A validated config.
#[derive(Debug, Clone)]
pub struct Config {
    pub source: Option<PathBuf>,
    pub default_profile: ProfileName,
    pub profiles: BTreeMap<ProfileName, Profile>,
    pub numbers: Vec<NumberEntry>,
    pub budget: BudgetPolicy,
    pub ledger: LedgerConfig,
    /// A kept storage older than this many days is read again, a few at a time.
    pub storage_max_age_days: u32,
}

/// Where the engine keeps its records: the local trail (no URL), or a team's PostgreSQL.
#[derive(Debug, Clone)]
pub struct LedgerConfig {
    /// Where the database URL (with its password) comes from; never the URL itself.
    pub url: Option<TokenSource>,
    /// Who the records name; `$USER@hostname` when not set.
    pub operator: Option<String>,
    pub schema: String,
    /// An intent without an outcome older than this is "abandoned": it still counts, and a
    /// new mutation of its number needs an explicit override.
    pub stale_intent: Duration,
    /// How long any one call to the team ledger may take (connecting, signing in, each
    /// statement, waiting for another desk's lock) before it counts as not answering.
    pub timeout: Duration,
}

/// The team ledger's deadline when `[ledger] timeout_secs` is not set.
pub const DEFAULT_LEDGER_TIMEOUT: Duration = Duration::from_secs(10);

impl Default for LedgerConfig {
    fn default() -> Self {
        LedgerConfig {
            url: None,
            operator: None,
            schema: "wareg".into(),
            stale_intent: Duration::from_secs(10 * 60),
            timeout: DEFAULT_LEDGER_TIMEOUT,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Profile {
    pub name: ProfileName,
    pub base_url: String,
    pub api_version: ApiVersion,
    pub token: TokenSource,
    pub waba_id: Option<NumberId>,
    /// The Business Manager the WABA belongs to: `o` opens WhatsApp Manager inside it.
    pub business_id: Option<NumberId>,
    pub timeout: Duration,
    /// The time all tries of one read share (`read_budget_secs`); None: the timeout.
    pub read_budget: Option<Duration>,
    /// How long a token command may run before it is stopped.
    pub token_timeout: Duration,
    /// Plain http to a host other than this machine was asked for explicitly.
    pub allow_insecure_http: bool,
    /// An answer longer than this is cut and reported.
    pub max_answer_bytes: usize,
    /// Prints the PIN of the number whose id replaces `{id}` (bulk runs); no shell.
    pub pin_command: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberEntry {
    pub id: NumberId,
    pub label: Option<String>,
    pub profile: ProfileName,
}

/// How many register (or deregister) attempts a number may have in a moving window before
/// wareg asks for an explicit override. Meta's limit is 10 per 72 h; the default window is
/// a conservative 7 days (docs/PRODUCT.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BudgetPolicy {
    pub window: Duration,
    pub max_attempts: u32,
}

impl Default for BudgetPolicy {
    fn default() -> Self {
        BudgetPolicy {
            window: Duration::from_secs(7 * 24 * 3600),
            max_attempts: 10,
        }
    }
}

impl Config {
    /// What is valid but worth a warning, as of `today`: versions Meta retired or that are
    /// newer than wareg knows.
    pub fn warnings(&self, today: chrono::NaiveDate) -> Vec<String> {
        self.profiles
            .values()
            .filter_map(|p| {
                p.api_version
                    .warning(today)
                    .map(|w| format!("profile `{}`: {w}", p.name))
            })
            .collect()
    }
}

impl BudgetPolicy {
    /// "7-day" or "72-hour", for sentences about the window.
    pub fn window_words(&self) -> String {
        let hours = self.window.as_secs() / 3600;
        if hours.is_multiple_of(24) {
            format!("{}-day", hours / 24)
        } else {
            format!("{hours}-hour")
        }
    }
}

impl Config {
    /// Reads and validates the file at `path`.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        Config::parse(&read(path)?, Some(path.to_path_buf()))
    }

    /// Reads the file at `path` and validates all of it but, when it holds more than
    /// `later_over` `[[numbers]]` entries, those: they come back to be validated beside
    /// something else (the TUI's first frame) with [`LaterNumbers::parse`]. Until then
    /// `numbers` is empty.
    pub fn load_later(
        path: &Path,
        later_over: usize,
    ) -> Result<(Config, Option<LaterNumbers>), ConfigError> {
        let text = read(path)?;
        let (mut config, later) = raw::parse_later(&text, Some(path.to_path_buf()))?;
        match later {
            Some(later) if later.count > later_over => Ok((config, Some(later))),
            Some(later) => {
                config.numbers = later.parse()?;
                Ok((config, None))
            }
            None => Ok((config, None)),
        }
    }

    /// Validates config text; `file` is only used to locate errors.
    pub fn parse(text: &str, file: Option<PathBuf>) -> Result<Config, ConfigError> {
        raw::parse(text, file)
    }

    pub fn profile(&self, name: &str) -> Option<&Profile> {
        self.profiles.get(name)
    }

    /// The profile for a number: `--profile` wins, then the number's own, then the default.
    pub fn profile_for(&self, id: &NumberId, flag: Option<&str>) -> Result<&Profile, ConfigError> {
        let name = flag
            .map(ProfileName::from)
            .or_else(|| self.number(id).map(|n| n.profile.clone()))
            .unwrap_or_else(|| self.default_profile.clone());
        self.profile(&name).ok_or_else(|| {
            ConfigError::new(format!("there is no profile named `{name}`")).hint(format!(
                "use one of: {}",
                self.profiles
                    .keys()
                    .map(ProfileName::as_str)
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })
    }

    pub fn number(&self, id: &NumberId) -> Option<&NumberEntry> {
        self.numbers.iter().find(|n| &n.id == id)
    }
}

/// The config file's text, or why it cannot be read.
fn read(path: &Path) -> Result<String, ConfigError> {
    std::fs::read_to_string(path).map_err(|e| {
        let mut err = ConfigError::new(format!("cannot read the config file: {e}"));
        err.file = Some(path.to_path_buf());
        if e.kind() == std::io::ErrorKind::NotFound {
            err = err
                .hint("run `wareg config init` to write a commented starter, or try `wareg demo`");
        }
        err
    })
}

#[cfg(test)]
mod tests;
