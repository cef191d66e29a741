//! What a number command needs before it can send anything: the config, the number's profile,
//! its token, a client and the engine. Everything here fails with exit 2 and sends nothing.

use std::path::PathBuf;
use std::sync::Arc;

use super::args::Global;
use super::error::CliError;
use crate::config::{Config, ConfigError, Profile};
use crate::engine::Engine;
use crate::graph::{ClientSettings, GraphClient, NumberId, ThrottleBook};
use crate::ledger::{Ledger, Store};

pub struct Context {
    pub config: Config,
    pub data_dir: PathBuf,
    /// The numbers the last listings read (`fleet::known`), read once when first asked for.
    known: std::sync::OnceLock<Vec<crate::fleet::known::Known>>,
}

impl Context {
    pub fn load(global: &Global) -> Result<Context, CliError> {
        let path = crate::paths::config_file(global.config.as_deref()).ok_or_else(|| {
            CliError::Config(ConfigError::new(
                "cannot find a home directory for the config; pass --config FILE",
            ))
        })?;
        let config = Config::load(&path)?;
        for warning in config.warnings(chrono::Utc::now().date_naive()) {
            eprintln!("warning: {warning}");
        }
        let data_dir = data_dir()?;
        crate::logging::init_file(&data_dir);
        Ok(Context {
            config,
            data_dir,
            known: std::sync::OnceLock::new(),
        })
    }

    /// For a command that only reads: the data dir is not made when it does not exist yet
    /// (its trail is then empty), and no log file is started in it.
    pub fn load_for_reading(global: &Global) -> Result<Context, CliError> {
        let path = crate::paths::config_file(global.config.as_deref()).ok_or_else(|| {
            CliError::Config(ConfigError::new(
                "cannot find a home directory for the config; pass --config FILE",
            ))
        })?;
        let config = Config::load(&path)?;
        for warning in config.warnings(chrono::Utc::now().date_naive()) {
            eprintln!("warning: {warning}");
        }
        let data_dir = match existing_data_dir()? {
            Some(dir) => {
                crate::logging::init_file(&dir);
                dir
            }
            None => crate::paths::data_dir().ok_or_else(|| {
                CliError::Local("cannot find a data directory; set WAREG_DATA_DIR".into())
            })?,
        };
        Ok(Context {
            config,
            data_dir,
            known: std::sync::OnceLock::new(),
        })
    }

    /// The profile a number is read and changed through: `--profile`, else the configured
    /// number's, else the profile whose listing last showed it (so a discovered number found
    /// by its name is read where it was found, and a pasted `wareg register ID` works), else
    /// the default.
    pub fn profile_for(&self, id: &NumberId, global: &Global) -> Result<&Profile, CliError> {
        if global.profile.is_none()
            && self.config.number(id).is_none()
            && let Some(profile) = self.listed_in(id)
        {
            return Ok(profile);
        }
        Ok(self.config.profile_for(id, global.profile.as_deref())?)
    }

    /// How a command wareg suggests names `id`, so that it can be pasted as it is: "ID", or
    /// "ID --profile NAME" when its profile is not the default (`engine::hint`).
    pub fn hint(&self, id: &NumberId, global: &Global) -> String {
        let profile = self.profile_for(id, global).ok().and_then(|p| {
            crate::engine::hint::named_profile(&p.name, &self.config.default_profile)
        });
        crate::engine::hint::target(id, profile.as_ref())
    }

    /// The configured profile whose listing wareg last saw `id` in, if one did.
    fn listed_in(&self, id: &NumberId) -> Option<&Profile> {
        let name = &self.known_of(id)?.profile;
        self.config.profile(name)
    }

    /// The numbers the last listings read (`fleet::known`), read once.
    pub fn known(&self) -> &[crate::fleet::known::Known] {
        self.known
            .get_or_init(|| crate::fleet::known::load(&self.data_dir).0)
    }

    /// What the last listings read of `id`, if they saw it.
    pub fn known_of(&self, id: &NumberId) -> Option<&crate::fleet::known::Known> {
        self.known().iter().find(|k| k.id == id.as_str())
    }

    /// A client for `profile`, with its token read now.
    pub fn client(&self, profile: &Profile) -> Result<GraphClient, CliError> {
        client_for(profile, &self.data_dir)
    }

    /// The store behind the engine: the local trail in the data dir, or the team's ledger
    /// when `[ledger]` names one (its URL is read now; a failure is exit 2, nothing sent).
    pub fn store(&self) -> Result<Store, CliError> {
        open_store(&self.config, &self.data_dir)
    }

    pub fn ledger(&self) -> Result<Arc<dyn Ledger>, CliError> {
        Ok(self.store()?.ledger())
    }

    pub fn engine(&self, profile: &Profile) -> Result<Engine, CliError> {
        Ok(Engine::with_ledger(
            self.client(profile)?,
            self.ledger()?,
            &profile.name,
            self.config.budget,
        )
        .with_ledger_config(&self.config.ledger)
        .with_default_profile(&self.config.default_profile))
    }
}

/// A client for `profile` whose throttles are shared through `data_dir` with every other
/// wareg process on the machine.
pub fn client_for(profile: &Profile, data_dir: &std::path::Path) -> Result<GraphClient, CliError> {
    let token = profile
        .token
        .resolve_within(profile.token_timeout)
        .map_err(|e| {
            CliError::Config(ConfigError::new(format!("profile `{}`: {e}", profile.name)))
        })?;
    client_with(profile, token, data_dir)
}

/// A profile whose token could not be read: its numbers are not read, and that is said once
/// (`words`), while the other profiles' numbers are read and shown.
#[derive(Debug, Clone)]
pub struct NoToken {
    pub profile: crate::config::ProfileName,
    pub why: String,
}

impl NoToken {
    /// "profile 'prod' has no token (…): its numbers not read", cleaned (the profile's name
    /// and the token's source come from the config).
    pub fn words(&self) -> String {
        crate::clean::uncut(&format!(
            "profile '{}' has no token ({}): its numbers not read",
            self.profile, self.why
        ))
        .into_owned()
    }

    /// The error of a command that read nothing worse than these profiles' missing tokens
    /// (a config error, every profile said in one line); None when every token was read.
    pub fn error_of(missing: &[NoToken]) -> Option<CliError> {
        (!missing.is_empty()).then(|| {
            CliError::Config(ConfigError::new(
                missing
                    .iter()
                    .map(NoToken::words)
                    .collect::<Vec<_>>()
                    .join("; "),
            ))
        })
    }

    /// What a number of this profile says in place of its read.
    pub fn not_read(&self) -> crate::graph::ApiError {
        crate::graph::ApiError::Refused(format!(
            "{}profile '{}' has no token",
            crate::fleet::NOT_READ,
            self.profile
        ))
    }
}

/// A client for `profile`, or why its token could not be read (`Err(NoToken)`: the command
/// goes on without the profile); any other failure stops the command.
pub fn client_or_no_token(
    profile: &Profile,
    data_dir: &std::path::Path,
) -> Result<Result<GraphClient, NoToken>, CliError> {
    match profile.token.resolve_within(profile.token_timeout) {
        Ok(token) => client_with(profile, token, data_dir).map(Ok),
        Err(e) => Ok(Err(NoToken {
            profile: profile.name.clone(),
            why: e.to_string(),
        })),
    }
}

/// A client for each profile in view (`--profile`, else all), and the profiles whose token
/// cannot be read, each once: `wareg next` and `numbers --refresh` read the others and say
/// which had none. A profile with nothing to read here (no WABA, no configured number in
/// view) needs no token and is not named.
pub fn clients_in_view(
    ctx: &Context,
    only: Option<&str>,
) -> Result<
    (
        std::collections::BTreeMap<crate::config::ProfileName, GraphClient>,
        Vec<NoToken>,
    ),
    CliError,
> {
    let mut clients = std::collections::BTreeMap::new();
    let mut no_token = Vec::new();
    for name in crate::fleet::profiles_in_view(&ctx.config, only) {
        let Some(profile) = ctx.config.profile(&name) else {
            continue;
        };
        match client_or_no_token(profile, &ctx.data_dir)? {
            Ok(client) => {
                clients.insert(name, client);
            }
            Err(missing) if has_reads(ctx, profile, only) => no_token.push(missing),
            Err(_) => {}
        }
    }
    Ok((clients, no_token))
}

/// Whether `profile` has anything to read here: a WABA to list, or a configured number in view.
fn has_reads(ctx: &Context, profile: &Profile, only: Option<&str>) -> bool {
    profile.waba_id.is_some()
        || ctx
            .config
            .numbers
            .iter()
            .any(|n| n.profile == profile.name && only.is_none_or(|p| n.profile == p))
}

fn client_with(
    profile: &Profile,
    token: crate::secret::Token,
    data_dir: &std::path::Path,
) -> Result<GraphClient, CliError> {
    GraphClient::new(ClientSettings {
        base_url: profile.base_url.clone(),
        version: profile.api_version,
        token,
        timeout: profile.timeout,
    })
    .map(|client| {
        client
            .with_max_body(profile.max_answer_bytes)
            .with_read_budget(profile.read_budget)
            .with_throttles(
                Arc::new(ThrottleBook::in_dir(data_dir)),
                &profile.name,
                profile.waba_id.as_ref().map(NumberId::as_str),
            )
    })
    .map_err(|e| CliError::Usage(e.to_string()))
}

/// The data dir, made private (created 0700, refused if others can write to it); what was
/// found and fixed is said on stderr.
pub fn data_dir() -> Result<PathBuf, CliError> {
    let dir = crate::paths::data_dir().ok_or_else(|| {
        CliError::Local("cannot find a data directory; set WAREG_DATA_DIR".into())
    })?;
    for notice in crate::paths::prepare_data_dir(&dir).map_err(CliError::Local)? {
        eprintln!("warning: {notice}");
    }
    Ok(dir)
}

/// The data dir when it exists (checked as `data_dir` checks it); `None` when nothing has
/// made it yet: a command that only reads does not make it.
pub fn existing_data_dir() -> Result<Option<PathBuf>, CliError> {
    match crate::paths::data_dir() {
        Some(dir) if dir.exists() => data_dir().map(Some),
        _ => Ok(None),
    }
}

/// A phone number ID, a configured label (or a label's unique beginning, ignoring case), or a
/// display number or verified name wareg has read (fleet::resolve says in what order); which
/// number a name resolved to is said on stderr. Nothing is read from Meta to find it.
pub fn parse_id(global: &Global, raw: &str) -> Result<NumberId, CliError> {
    let path = crate::paths::config_file(global.config.as_deref());
    let configured = match path.filter(|p| p.exists()) {
        Some(p) => Config::load(&p)?.numbers,
        None => Vec::new(),
    };
    // What the last listings read; a data dir that is not there yet holds nothing.
    let known = match crate::paths::data_dir().filter(|d| d.exists()) {
        Some(dir) => {
            let (known, warning) = crate::fleet::known::load(&dir);
            if let Some(w) = warning {
                eprintln!("warning: {w}");
            }
            known
        }
        None => Vec::new(),
    };
    match crate::fleet::resolve::find(raw, &configured, &known).map_err(CliError::Usage)? {
        crate::fleet::resolve::Found::Id(id) => Ok(id),
        crate::fleet::resolve::Found::Named(id) => {
            eprintln!("{} → {id}", crate::clean::text(raw, 60));
            Ok(id)
        }
    }
}

/// Keeps the display numbers and names `rows` read, so that later commands find numbers by
/// them; a failure to write is a warning (the command itself went through).
pub fn keep_known(data_dir: &std::path::Path, rows: &[crate::fleet::Row]) {
    let now = chrono::Utc::now();
    if let Err(e) =
        crate::fleet::known::save(data_dir, crate::fleet::known::of_rows(rows, now), now)
    {
        eprintln!(
            "warning: cannot keep the numbers read in {}: {e}",
            data_dir.display()
        );
    }
}

/// Each configured number's label by its id, to name numbers in output; empty without a
/// config (or with one that does not load: the commands that need it say why).
pub fn configured_labels(global: &Global) -> std::collections::HashMap<String, String> {
    crate::paths::config_file(global.config.as_deref())
        .filter(|p| p.exists())
        .and_then(|p| Config::load(&p).ok())
        .map(|config| {
            config
                .numbers
                .iter()
                .filter_map(|n| Some((n.id.as_str().to_owned(), n.label.clone()?)))
                .collect()
        })
        .unwrap_or_default()
}

/// A current-thread runtime for one command; the CLI does one thing at a time.
pub fn block_on<F: Future>(future: F) -> Result<F::Output, CliError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| CliError::Local(format!("cannot start the async runtime: {e}")))?;
    Ok(runtime.block_on(future))
}

/// The config's store; on the team ledger, outcomes this desk kept while the database was
/// unreachable are pushed first (best effort: they wait for the next start otherwise).
pub fn open_store(
    config: &crate::config::Config,
    data_dir: &std::path::Path,
) -> Result<Store, CliError> {
    let (store, notices) = crate::ledger::open_and_sync(&config.ledger, data_dir)
        .map_err(|e| CliError::Config(ConfigError::new(e.to_string())))?;
    for notice in notices {
        eprintln!("{notice}");
    }
    if let Some(team) = store.team() {
        let secs = team.settings().timeout().as_secs();
        team.on_wait(Arc::new(move |id| {
            eprintln!(
                "{id}: waiting for another desk's change of this number… (up to {secs} s, then nothing is sent)"
            );
        }));
    }
    Ok(store)
}
