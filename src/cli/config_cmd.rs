//! `wareg config path|check|init`

use std::io::Write;

use super::args::{ConfigAction, Global};
use super::error::CliError;
use crate::config::{Config, ConfigError, STARTER, TokenSource};

pub fn run(global: &Global, action: ConfigAction) -> Result<(), CliError> {
    let path = crate::paths::config_file(global.config.as_deref()).ok_or_else(|| {
        CliError::Config(ConfigError::new(
            "cannot find a home directory; pass --config FILE",
        ))
    })?;
    match action {
        ConfigAction::Path => {
            let state = if path.exists() {
                "exists"
            } else {
                "does not exist yet: `wareg config init` writes a starter"
            };
            say!("{}", path.display());
            eprintln!("({state})");
            Ok(())
        }
        ConfigAction::Check => {
            // Everything is checked before anything is said on stdout: OK only when all passed.
            let config = Config::load(&path)?;
            let mut report = Vec::new();
            // What the config names was checked at load, and is cleaned here anyway.
            let shown = |s: &str| crate::clean::uncut(s).into_owned();
            for warning in config.warnings(chrono::Utc::now().date_naive()) {
                eprintln!("warning: {}", shown(&warning));
            }
            report.push(format!("  default profile: {}", config.default_profile));
            for p in config.profiles.values() {
                let token = match &p.token {
                    TokenSource::Env(var) if std::env::var_os(var).is_none() => {
                        format!("{} (NOT SET now)", shown(&p.token.describe()))
                    }
                    TokenSource::File(_) => match p.token.resolve() {
                        Ok(_) => shown(&p.token.describe()),
                        Err(e) => {
                            return Err(CliError::Config(ConfigError::new(format!(
                                "profile `{}`: {e}",
                                p.name
                            ))));
                        }
                    },
                    _ => shown(&p.token.describe()),
                };
                report.push(format!(
                    "  profile {}: {} {} token from {token}",
                    p.name,
                    shown(&p.base_url),
                    p.api_version
                ));
                if p.allow_insecure_http && p.base_url.starts_with("http://") {
                    eprintln!(
                        "warning: profile {}: allow_insecure_http sends the token in clear over the network to {}",
                        p.name,
                        shown(&p.base_url)
                    );
                }
            }
            report.push(format!("  numbers: {}", config.numbers.len()));
            report.push(format!(
                "  budget: {} attempts per {} hours",
                config.budget.max_attempts,
                config.budget.window.as_secs() / 3600
            ));
            if config.ledger.url.is_none() {
                report.push("  ledger: the local audit trail in the data dir".into());
                print_ok(&path, &report);
                return Ok(());
            }
            // The team ledger is checked for real: a desk that cannot reach it sends nothing.
            let store = crate::ledger::open(&config.ledger, &super::context::data_dir()?)
                .map_err(|e| CliError::Config(ConfigError::new(e.to_string())))?;
            if let Some(team) = store.team() {
                let status = team.status().map_err(|e| CliError::Local(e.to_string()))?;
                report.push(format!(
                    "  ledger: {} — reachable, schema version {}, {} records",
                    status.ledger,
                    status.schema_version.map_or_else(
                        || "none (run `wareg ledger init`)".into(),
                        |v| v.to_string()
                    ),
                    status.records
                ));
            }
            print_ok(&path, &report);
            Ok(())
        }
        ConfigAction::Init => {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|e| {
                    CliError::Local(format!("cannot create {}: {e}", dir.display()))
                })?;
            }
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
                .map_err(|e| match e.kind() {
                    std::io::ErrorKind::AlreadyExists => CliError::Usage(format!(
                        "{} already exists; it was not changed. Edit it, or check it with `wareg config check`",
                        path.display()
                    )),
                    _ => CliError::Local(format!("cannot write {}: {e}", path.display())),
                })?;
            file.write_all(STARTER.as_bytes())
                .map_err(|e| CliError::Local(format!("cannot write {}: {e}", path.display())))?;
            say!("wrote {}", path.display());
            say!("next: set the token source, add your numbers, then run `wareg config check`");
            Ok(())
        }
    }
}

/// `config check`'s verdict, said only once every check passed, then what it found.
fn print_ok(path: &std::path::Path, report: &[String]) {
    say!("{}: OK", crate::clean::uncut(&path.display().to_string()));
    for line in report {
        say!("{line}");
    }
}
