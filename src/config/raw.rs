//! The file as written (with spans), and its validation into [`Config`].

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;
use toml::Spanned;

use super::located::{ConfigError, Locator};
use super::token::DEFAULT_TOKEN_TIMEOUT;
use super::{
    BudgetPolicy, Config, DEFAULT_BASE_URL, DEFAULT_TIMEOUT_SECS, LedgerConfig, NumberEntry,
    Profile, ProfileName, TokenSource,
};
use crate::graph::{ApiVersion, NumberId};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    default_profile: Option<Spanned<String>>,
    #[serde(default)]
    profiles: BTreeMap<String, Spanned<RawProfile>>,
    #[serde(default)]
    numbers: Vec<Spanned<RawNumber>>,
    budget: Option<RawBudget>,
    ledger: Option<Spanned<RawLedger>>,
    storage_max_age_days: Option<Spanned<u32>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLedger {
    /// Refused: a URL holds a password, which never goes in the TOML.
    url: Option<Spanned<String>>,
    url_env: Option<Spanned<String>>,
    url_command: Option<Spanned<Vec<String>>>,
    operator: Option<Spanned<String>>,
    schema: Option<Spanned<String>>,
    stale_intent_minutes: Option<Spanned<u64>>,
    timeout_secs: Option<Spanned<u64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProfile {
    base_url: Option<Spanned<String>>,
    api_version: Option<Spanned<String>>,
    token_env: Option<Spanned<String>>,
    token_command: Option<Spanned<Vec<String>>>,
    token_file: Option<Spanned<String>>,
    waba_id: Option<Spanned<String>>,
    business_id: Option<Spanned<String>>,
    timeout_secs: Option<Spanned<u64>>,
    read_budget_secs: Option<Spanned<u64>>,
    token_timeout_secs: Option<Spanned<u64>>,
    allow_insecure_http: Option<bool>,
    max_answer_mb: Option<Spanned<u64>>,
    pin_command: Option<Spanned<Vec<String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNumber {
    id: Spanned<String>,
    label: Option<String>,
    profile: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBudget {
    window_hours: Option<Spanned<u64>>,
    max_attempts: Option<Spanned<u32>>,
}

/// The `[[numbers]]` entries alone (the numbers part of a split text).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNumbers {
    #[serde(default)]
    numbers: Vec<Spanned<RawNumber>>,
}

/// Validates the whole text at once.
pub(super) fn parse(text: &str, file: Option<PathBuf>) -> Result<Config, ConfigError> {
    let (mut config, later) = parse_later(text, file)?;
    if let Some(later) = later {
        config.numbers = later.parse()?;
    }
    Ok(config)
}

/// The config's `[[numbers]]` entries, not validated yet: where they are in the file's text
/// and what they are checked against (the profiles the rest of the file names).
#[derive(Debug)]
pub struct LaterNumbers {
    text: String,
    /// Each entry's lines in `text`.
    entries: Vec<std::ops::Range<usize>>,
    file: Option<PathBuf>,
    /// The profiles' names, sorted.
    profiles: Vec<ProfileName>,
    default_profile: ProfileName,
    /// How many `[[numbers]]` entries there are.
    pub count: usize,
}

/// How many entries are parsed at once: what one parse holds in memory (a parsed tree of
/// 20,000 entries was tens of megabytes), not what it finds.
const ENTRIES_AT_ONCE: usize = 500;

impl LaterNumbers {
    /// The entries, validated as a whole parse validates them (located errors with the file's
    /// own lines and columns, an id listed twice anywhere), a run of them at a time.
    pub fn parse(self) -> Result<Vec<NumberEntry>, ConfigError> {
        let mut numbers = Vec::with_capacity(self.entries.len());
        // A set, not a scan of what came before: 20,000 numbers check in linear time.
        let mut seen = std::collections::HashSet::with_capacity(self.entries.len());
        for (first, run) in super::sections::runs(&self.entries, ENTRIES_AT_ONCE) {
            let loc = Locator {
                file: self.file.clone(),
                text: &self.text,
                base: run.start,
            };
            let part = self.text.get(run).unwrap_or_default();
            let document = toml::de::DeTable::parse(part).map_err(|e| syntax_error(&loc, &e))?;
            super::plain_text::check_from(&loc, document.get_ref(), first)?;
            let raw = RawNumbers::deserialize(toml::de::Deserializer::from(document))
                .map_err(|e| syntax_error(&loc, &e))?;
            let checked = Checked {
                profiles: &self.profiles,
                default_profile: &self.default_profile,
            };
            checked.numbers(&loc, &raw.numbers, &mut seen, &mut numbers)?;
        }
        Ok(numbers)
    }
}

/// Validates everything but the `[[numbers]]` entries, which come back unvalidated when the
/// text splits there (`sections`); a text that does not split is validated whole, numbers
/// included.
pub(super) fn parse_later(
    text: &str,
    file: Option<PathBuf>,
) -> Result<(Config, Option<LaterNumbers>), ConfigError> {
    let loc = Locator {
        file: file.clone(),
        text,
        base: 0,
    };
    let Some(split) = super::sections::split(text) else {
        return Ok((parse_whole(&loc, text)?, None));
    };
    let document = document(&loc, &split.head)?;
    // `numbers` given another way as well (`numbers = [...]`, `[numbers.x]`): only the whole
    // text says what is wrong with that.
    if document.get_ref().contains_key("numbers") {
        return Ok((parse_whole(&loc, text)?, None));
    }
    let raw = RawConfig::deserialize(toml::de::Deserializer::from(document))
        .map_err(|e| syntax_error(&loc, &e))?;
    let config = validate(&loc, &raw, file.clone())?;
    let later = LaterNumbers {
        text: text.to_owned(),
        count: split.entries.len(),
        entries: split.entries,
        file,
        profiles: config.profiles.keys().cloned().collect(),
        default_profile: config.default_profile.clone(),
    };
    Ok((config, Some(later)))
}

/// The text parsed by the TOML crate, every name and string in it checked to be plain text.
fn document<'t>(
    loc: &Locator,
    text: &'t str,
) -> Result<Spanned<toml::de::DeTable<'t>>, ConfigError> {
    let document = toml::de::DeTable::parse(text).map_err(|e| syntax_error(loc, &e))?;
    super::plain_text::check(loc, document.get_ref())?;
    Ok(document)
}

fn parse_whole(loc: &Locator, text: &str) -> Result<Config, ConfigError> {
    let document = document(loc, text)?;
    let raw = RawConfig::deserialize(toml::de::Deserializer::from(document))
        .map_err(|e| syntax_error(loc, &e))?;
    let mut config = validate(loc, &raw, loc.file.clone())?;
    let profiles: Vec<ProfileName> = config.profiles.keys().cloned().collect();
    let checked = Checked {
        profiles: &profiles,
        default_profile: &config.default_profile,
    };
    let mut numbers = Vec::with_capacity(raw.numbers.len());
    let mut seen = std::collections::HashSet::with_capacity(raw.numbers.len());
    checked.numbers(loc, &raw.numbers, &mut seen, &mut numbers)?;
    config.numbers = numbers;
    Ok(config)
}

/// Everything but the numbers (left empty).
fn validate(loc: &Locator, raw: &RawConfig, file: Option<PathBuf>) -> Result<Config, ConfigError> {
    let mut profiles: BTreeMap<ProfileName, Profile> = BTreeMap::new();
    for (name, spanned) in &raw.profiles {
        let profile = validate_profile(loc, name, spanned)?;
        profiles.insert(name.as_str().into(), profile);
    }
    if profiles.is_empty() {
        return Err(loc.error(None, "the config defines no profile").hint(
            "add a [profiles.NAME] table with at least token_env = \"WHATSAPP_TOKEN\" (see `wareg config init`)",
        ));
    }
    let names: Vec<ProfileName> = profiles.keys().cloned().collect();

    let default_profile = match &raw.default_profile {
        Some(name) => {
            if !profiles.contains_key(name.get_ref().as_str()) {
                return Err(unknown_profile(loc, name, &names));
            }
            ProfileName::from(name.get_ref().as_str())
        }
        None if profiles.len() == 1 => profiles.keys().next().cloned().unwrap_or_default(),
        None => {
            return Err(loc
                .error(
                    Some(0..0),
                    "default_profile is missing and there is more than one profile",
                )
                .hint(format!(
                    "add default_profile = \"{}\" at the top",
                    profiles.keys().next().cloned().unwrap_or_default()
                )));
        }
    };

    let budget = validate_budget(loc, raw.budget.as_ref())?;
    let ledger = validate_ledger(loc, raw.ledger.as_ref())?;
    let storage_max_age_days = match &raw.storage_max_age_days {
        Some(days) if !(1..=3650).contains(days.get_ref()) => {
            return Err(loc
                .error(
                    Some(days.span()),
                    format!("storage_max_age_days = {} is out of range", days.get_ref()),
                )
                .hint("a number of days from 1 to 3650 (default 30)"));
        }
        Some(days) => *days.get_ref(),
        None => crate::audit::storage::DEFAULT_MAX_AGE_DAYS,
    };
    Ok(Config {
        storage_max_age_days,
        source: file,
        default_profile,
        profiles,
        numbers: Vec::new(),
        budget,
        ledger,
    })
}

/// What the numbers are checked against.
struct Checked<'a> {
    /// Sorted (a map's keys).
    profiles: &'a [ProfileName],
    default_profile: &'a ProfileName,
}

impl Checked<'_> {
    /// Validates `raw` onto `numbers`; `seen` holds the ids before them.
    fn numbers(
        &self,
        loc: &Locator,
        raw: &[Spanned<RawNumber>],
        seen: &mut std::collections::HashSet<NumberId>,
        numbers: &mut Vec<NumberEntry>,
    ) -> Result<(), ConfigError> {
        for spanned in raw {
            let n = spanned.get_ref();
            let id = NumberId::parse(n.id.get_ref())
                .map_err(|e| loc.error(Some(n.id.span()), format!("numbers.id: {e}")))?;
            if !seen.insert(id.clone()) {
                return Err(loc
                    .error(Some(n.id.span()), format!("number {id} is listed twice"))
                    .hint("keep one [[numbers]] entry per id"));
            }
            let profile = match &n.profile {
                Some(p) => match self
                    .profiles
                    .binary_search_by(|name| name.as_str().cmp(p.get_ref()))
                {
                    Ok(i) => self.profiles[i].clone(),
                    Err(_) => return Err(unknown_profile(loc, p, self.profiles)),
                },
                None => self.default_profile.clone(),
            };
            numbers.push(NumberEntry {
                id,
                label: n
                    .label
                    .as_deref()
                    .filter(|l| !l.trim().is_empty())
                    .map(|l| crate::clean::text(l, crate::clean::NAME_MAX)),
                profile,
            });
        }
        Ok(())
    }
}

fn validate_profile(
    loc: &Locator,
    name: &str,
    spanned: &Spanned<RawProfile>,
) -> Result<Profile, ConfigError> {
    let p = spanned.get_ref();
    let base_url = match &p.base_url {
        Some(url) => {
            let text = url.get_ref().trim();
            let parsed = url::Url::parse(text)
                .ok()
                .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some());
            let Some(parsed) = parsed else {
                return Err(loc
                    .error(
                        Some(url.span()),
                        format!(
                            "base_url `{}` is not an http(s) URL",
                            crate::clean::text(text, 200)
                        ),
                    )
                    .hint(format!(
                        "write base_url = \"{DEFAULT_BASE_URL}\" or leave it out"
                    )));
            };
            // Never echo what was written: it may hold a password.
            if !parsed.username().is_empty() || parsed.password().is_some() {
                return Err(loc
                    .error(Some(url.span()), "base_url holds a user name or password")
                    .hint("remove the user:password@ part; the token is the only credential, and it comes from token_env, token_command or token_file"));
            }
            if parsed.query().is_some() || parsed.fragment().is_some() {
                return Err(loc
                    .error(
                        Some(url.span()),
                        "base_url has a query or fragment (?… or #…)",
                    )
                    .hint(format!(
                        "write only scheme, host and port, e.g. base_url = \"{DEFAULT_BASE_URL}\""
                    )));
            }
            if parsed.scheme() == "http"
                && !is_loopback(&parsed)
                && p.allow_insecure_http != Some(true)
            {
                return Err(loc
                    .error(
                        Some(url.span()),
                        "base_url uses plain http to a host that is not this machine: the token would cross the network in clear",
                    )
                    .hint("use https, or add allow_insecure_http = true to this profile if you really mean it"));
            }
            text.trim_end_matches('/').to_owned()
        }
        None => DEFAULT_BASE_URL.to_owned(),
    };
    let api_version = match &p.api_version {
        Some(v) => v
            .get_ref()
            .parse::<ApiVersion>()
            .map_err(|e| loc.error(Some(v.span()), format!("api_version: {e}")))?,
        None => ApiVersion::DEFAULT,
    };
    let waba_id = match &p.waba_id {
        Some(w) => Some(
            NumberId::parse(w.get_ref())
                .map_err(|e| loc.error(Some(w.span()), format!("waba_id: {e}")))?,
        ),
        None => None,
    };
    let business_id = match &p.business_id {
        Some(b) => Some(
            NumberId::parse(b.get_ref())
                .map_err(|e| loc.error(Some(b.span()), format!("business_id: {e}")))?,
        ),
        None => None,
    };
    let timeout = match &p.timeout_secs {
        Some(t) if *t.get_ref() == 0 || *t.get_ref() > 600 => {
            return Err(loc
                .error(
                    Some(t.span()),
                    format!("timeout_secs = {} is out of range", t.get_ref()),
                )
                .hint("use a number of seconds from 1 to 600, e.g. timeout_secs = 30"));
        }
        Some(t) => Duration::from_secs(*t.get_ref()),
        None => Duration::from_secs(DEFAULT_TIMEOUT_SECS),
    };
    let read_budget = match &p.read_budget_secs {
        Some(t) if *t.get_ref() == 0 || *t.get_ref() > 600 => {
            return Err(loc
                .error(
                    Some(t.span()),
                    format!("read_budget_secs = {} is out of range", t.get_ref()),
                )
                .hint("use a number of seconds from 1 to 600; without it a read's tries share timeout_secs"));
        }
        Some(t) => Some(Duration::from_secs(*t.get_ref())),
        None => None,
    };
    let token_timeout = match &p.token_timeout_secs {
        Some(t) if *t.get_ref() == 0 || *t.get_ref() > 600 => {
            return Err(loc
                .error(
                    Some(t.span()),
                    format!("token_timeout_secs = {} is out of range", t.get_ref()),
                )
                .hint("use a number of seconds from 1 to 600, e.g. token_timeout_secs = 10"));
        }
        Some(t) => Duration::from_secs(*t.get_ref()),
        None => DEFAULT_TOKEN_TIMEOUT,
    };
    let max_answer_bytes = match &p.max_answer_mb {
        Some(m) if *m.get_ref() == 0 || *m.get_ref() > 512 => {
            return Err(loc
                .error(
                    Some(m.span()),
                    format!("max_answer_mb = {} is out of range", m.get_ref()),
                )
                .hint("use a number of megabytes from 1 to 512; the default, 8, holds 16,000 numbers a page"));
        }
        Some(m) => *m.get_ref() as usize * 1024 * 1024,
        None => crate::graph::DEFAULT_MAX_BODY,
    };
    let token = validate_token_source(loc, name, spanned)?;
    let pin_command = match &p.pin_command {
        Some(cmd)
            if cmd
                .get_ref()
                .first()
                .is_none_or(|prog| prog.trim().is_empty()) =>
        {
            return Err(loc
                .error(Some(cmd.span()), "pin_command is empty")
                .hint("give the program and its arguments as a list, {id} standing for the number, e.g. pin_command = [\"pass\", \"show\", \"whatsapp/{id}\"]"));
        }
        Some(cmd) => Some(cmd.get_ref().clone()),
        None => None,
    };
    Ok(Profile {
        pin_command,
        name: name.into(),
        base_url,
        api_version,
        token,
        waba_id,
        business_id,
        timeout,
        read_budget,
        token_timeout,
        allow_insecure_http: p.allow_insecure_http == Some(true),
        max_answer_bytes,
    })
}

/// Plain http is fine to this machine (the sandbox, a local proxy), nowhere else.
fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

fn validate_token_source(
    loc: &Locator,
    name: &str,
    spanned: &Spanned<RawProfile>,
) -> Result<TokenSource, ConfigError> {
    let p = spanned.get_ref();
    let given = [
        p.token_env.is_some(),
        p.token_command.is_some(),
        p.token_file.is_some(),
    ];
    match given.iter().filter(|g| **g).count() {
        0 => {
            return Err(loc
                .error(Some(spanned.span()), format!("profile `{name}` has no token source"))
                .hint("add one of token_env = \"WHATSAPP_TOKEN\", token_command = [\"pass\", \"show\", \"wa/prod\"] or token_file = \"~/.config/wareg/token\""));
        }
        1 => {}
        _ => {
            return Err(loc
                .error(
                    Some(spanned.span()),
                    format!("profile `{name}` has more than one token source"),
                )
                .hint("keep exactly one of token_env, token_command, token_file"));
        }
    }
    if let Some(var) = &p.token_env {
        let v = var.get_ref().trim();
        if !is_env_name(v) {
            return Err(loc
                .error(
                    Some(var.span()),
                    "token_env must name an environment variable",
                )
                .hint("write token_env = \"WHATSAPP_TOKEN\" (the name, never the token itself: letters, digits and _, not starting with a digit)"));
        }
        return Ok(TokenSource::Env(v.to_owned()));
    }
    if let Some(cmd) = &p.token_command {
        if cmd
            .get_ref()
            .first()
            .is_none_or(|prog| prog.trim().is_empty())
        {
            return Err(loc
                .error(Some(cmd.span()), "token_command is empty")
                .hint("give the program and its arguments as a list, e.g. token_command = [\"pass\", \"show\", \"wa/prod\"]"));
        }
        return Ok(TokenSource::Command(cmd.get_ref().clone()));
    }
    let file = p
        .token_file
        .as_ref()
        .map(|f| f.get_ref().trim())
        .unwrap_or_default();
    if file.is_empty() {
        return Err(loc
            .error(p.token_file.as_ref().map(|f| f.span()), "token_file is empty")
            .hint("give the path of a file that holds only the token, readable by you alone (chmod 600)"));
    }
    Ok(TokenSource::File(expand_home(file)))
}

/// A name a shell can set: a letter or `_`, then letters, digits and `_` (POSIX's portable
/// names, lower case allowed).
fn is_env_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Meta counts register and deregister requests over a moving 72-hour window (docs/graph-api-facts.md §6, §8).
const META_WINDOW_HOURS: u64 = 72;

fn validate_budget(loc: &Locator, raw: Option<&RawBudget>) -> Result<BudgetPolicy, ConfigError> {
    let mut policy = BudgetPolicy::default();
    let Some(raw) = raw else { return Ok(policy) };
    if let Some(hours) = &raw.window_hours {
        if *hours.get_ref() < META_WINDOW_HOURS {
            return Err(loc
                .error(
                    Some(hours.span()),
                    format!(
                        "window_hours = {} is shorter than Meta's window of {META_WINDOW_HOURS} hours: attempts older than it still count at Meta, so wareg would undercount and let the 11th through",
                        hours.get_ref()
                    ),
                )
                .hint("use 72 (Meta's window) to 2160; the default is 168 (7 days)"));
        }
        if *hours.get_ref() > 24 * 90 {
            return Err(loc
                .error(
                    Some(hours.span()),
                    format!("window_hours = {} is out of range", hours.get_ref()),
                )
                .hint("use 72 (Meta's window) to 2160; the default is 168 (7 days)"));
        }
        policy.window = Duration::from_secs(hours.get_ref() * 3600);
    }
    if let Some(max) = &raw.max_attempts {
        if *max.get_ref() == 0 || *max.get_ref() > 10 {
            return Err(loc
                .error(
                    Some(max.span()),
                    format!("max_attempts = {} is out of range", max.get_ref()),
                )
                .hint("use 1 to 10: Meta locks the number on the 11th request in its window"));
        }
        policy.max_attempts = *max.get_ref();
    }
    Ok(policy)
}

fn validate_ledger(
    loc: &Locator,
    raw: Option<&Spanned<RawLedger>>,
) -> Result<LedgerConfig, ConfigError> {
    let mut ledger = LedgerConfig::default();
    let Some(spanned) = raw else {
        return Ok(ledger);
    };
    let raw = spanned.get_ref();
    if let Some(url) = &raw.url {
        // Never echo what was written: it holds a password.
        return Err(loc
            .error(Some(url.span()), "[ledger] url would put the database password in the config file")
            .hint("write url_env = \"WAREG_LEDGER_URL\" (the variable's name) or url_command = [\"pass\", \"show\", \"wareg/ledger\"]"));
    }
    ledger.url = match (&raw.url_env, &raw.url_command) {
        (Some(_), Some(_)) => {
            return Err(loc
                .error(
                    Some(spanned.span()),
                    "[ledger] has both url_env and url_command",
                )
                .hint("keep one of them"));
        }
        (Some(var), None) => {
            let v = var.get_ref().trim();
            if !is_env_name(v) {
                return Err(loc
                    .error(
                        Some(var.span()),
                        "url_env must name an environment variable",
                    )
                    .hint(
                        "write url_env = \"WAREG_LEDGER_URL\" (the name, never the URL itself)",
                    ));
            }
            Some(TokenSource::Env(v.to_owned()))
        }
        (None, Some(cmd)) => {
            if cmd.get_ref().first().is_none_or(|p| p.trim().is_empty()) {
                return Err(loc
                    .error(Some(cmd.span()), "url_command is empty")
                    .hint("give the program and its arguments as a list, e.g. url_command = [\"pass\", \"show\", \"wareg/ledger\"]"));
            }
            Some(TokenSource::Command(cmd.get_ref().clone()))
        }
        (None, None) => {
            return Err(loc
                .error(Some(spanned.span()), "[ledger] names no database")
                .hint("add url_env = \"WAREG_LEDGER_URL\", or remove [ledger] to keep the local audit trail"));
        }
    };
    if let Some(op) = &raw.operator {
        let text = op.get_ref().trim();
        if text.is_empty() || text.chars().any(char::is_control) || text.len() > 64 {
            return Err(loc
                .error(
                    Some(op.span()),
                    "operator must be a short name without control characters",
                )
                .hint("e.g. operator = \"support1@desk-2\"; the default is $USER@hostname"));
        }
        ledger.operator = Some(text.to_owned());
    }
    if let Some(schema) = &raw.schema {
        let text = schema.get_ref();
        let valid = text.len() <= 63
            && text
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
            && text
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !valid {
            return Err(loc
                .error(Some(schema.span()), format!("schema `{}` is not a plain lower-case name", crate::clean::text(text, 64)))
                .hint("use lower-case letters, digits and _, starting with a letter, e.g. schema = \"wareg\""));
        }
        ledger.schema = text.clone();
    }
    if let Some(minutes) = &raw.stale_intent_minutes {
        if *minutes.get_ref() == 0 || *minutes.get_ref() > 24 * 60 {
            return Err(loc
                .error(
                    Some(minutes.span()),
                    format!(
                        "stale_intent_minutes = {} is out of range",
                        minutes.get_ref()
                    ),
                )
                .hint("use 1 to 1440; the default is 10"));
        }
        ledger.stale_intent = Duration::from_secs(minutes.get_ref() * 60);
    }
    if let Some(secs) = &raw.timeout_secs {
        if *secs.get_ref() == 0 || *secs.get_ref() > 600 {
            return Err(loc
                .error(
                    Some(secs.span()),
                    format!("timeout_secs = {} is out of range", secs.get_ref()),
                )
                .hint("use 1 to 600; the default is 10"));
        }
        ledger.timeout = Duration::from_secs(*secs.get_ref());
    }
    Ok(ledger)
}

fn unknown_profile(loc: &Locator, name: &Spanned<String>, profiles: &[ProfileName]) -> ConfigError {
    loc.error(
        Some(name.span()),
        format!("there is no profile named `{}`", name.get_ref()),
    )
    .hint(format!(
        "use one of: {} (or add [profiles.{}])",
        profiles
            .iter()
            .map(ProfileName::as_str)
            .collect::<Vec<_>>()
            .join(", "),
        name.get_ref()
    ))
}

fn syntax_error(loc: &Locator, e: &toml::de::Error) -> ConfigError {
    let message = e.message().trim().to_owned();
    let mut err = loc.error(e.span(), message.clone());
    if message.starts_with("unknown field") {
        err = err.hint("remove or rename the key; the keys allowed here are listed above");
    } else if message.contains("missing field") {
        err = err.hint("add the key named above");
    } else if message.starts_with("invalid type") {
        err = err.hint("check the value's type: strings in quotes, numbers without, lists in [ ]");
    }
    err
}

fn expand_home(path: &str) -> PathBuf {
    match path.strip_prefix("~/") {
        Some(rest) => directories::BaseDirs::new()
            .map(|d| d.home_dir().join(rest))
            .unwrap_or_else(|| PathBuf::from(path)),
        None => PathBuf::from(path),
    }
}
