//! The argument grammar. Secrets have no argv form: only `--pin-stdin` / `--pin-env VAR`.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

use crate::graph::Region;

#[derive(Debug, Parser)]
#[command(
    name = "wareg",
    version,
    about = "List, inspect, register and deregister WhatsApp Business phone numbers on Meta's Cloud API"
)]
pub struct Cli {
    /// The config file (default: $WAREG_CONFIG, else the platform config dir).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The profile to use instead of the number's own or the default.
    #[arg(long, global = true, value_name = "NAME")]
    pub profile: Option<String>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The flags every command sees.
#[derive(Debug, Clone, Default)]
pub struct Global {
    pub config: Option<PathBuf>,
    pub profile: Option<String>,
}

impl Cli {
    pub fn global(&self) -> Global {
        Global {
            config: self.config.clone(),
            profile: self.profile.clone(),
        }
    }

    /// Whether errors should also go to stdout as JSON.
    pub fn json_output(&self) -> bool {
        match &self.command {
            Some(Command::Numbers(a)) => a.json,
            Some(Command::Status(a)) => a.json,
            Some(Command::Next(a)) => a.json,
            Some(Command::Add(a)) => a.json,
            Some(Command::Rename(a)) => a.json,
            Some(Command::Register(a)) => a.json,
            Some(Command::Deregister(a)) => a.json,
            Some(Command::SetPin(a)) => a.json,
            Some(Command::RequestCode(a)) => a.json,
            Some(Command::VerifyCode(a)) => a.json,
            Some(Command::Audit(a)) => a.json,
            Some(Command::Bulk { action }) => match action {
                BulkCommand::Register(a)
                | BulkCommand::Reregister(a)
                | BulkCommand::Region(a)
                | BulkCommand::Deregister(a)
                | BulkCommand::SetPin(a) => a.json,
                BulkCommand::Resume(a) => a.json,
                BulkCommand::Show { json, .. } => *json,
            },
            Some(Command::Plan(a)) => match &a.action {
                PlanAction::Register { json, .. } | PlanAction::Deregister { json, .. } => *json,
            },
            _ => false,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The TUI (the default command).
    #[command(hide = true)]
    Tui,
    /// The TUI against the built-in sandbox: no token, no network.
    Demo,
    /// Serve the sandbox Graph API alone (training, scripts, tests).
    #[command(after_help = SANDBOX_PROFILE_HELP)]
    Sandbox(SandboxArgs),
    /// Configured (and discovered) numbers; --refresh reads live status.
    Numbers(NumbersArgs),
    /// One number's live status, storage region and budget left.
    Status(StatusArgs),
    /// What each number needs next (verify, register, re-register to apply a name, wait for a
    /// review or Meta's lock…) and the command that does it; every number when none is given.
    Next(NextArgs),
    /// Add a number to a WABA (POST /{waba}/phone_numbers); then verify and register it.
    Add(AddArgs),
    /// Ask Meta for a new display name (POST /{id}?new_display_name=…): reviewed, then applied
    /// by a re-register within 14 days.
    Rename(RenameArgs),
    /// Register a number (POST /register), with local storage if asked.
    Register(RegisterArgs),
    /// Deregister a number (POST /deregister).
    Deregister(DeregisterArgs),
    /// What a register, re-register, region change or deregister would send, what it costs
    /// and what stands in the way; sends nothing.
    Plan(PlanArgs),
    /// Set or change the two-step verification PIN.
    SetPin(SetPinArgs),
    /// Ask Meta to send an ownership verification code by SMS or voice.
    RequestCode(RequestCodeArgs),
    /// Verify ownership with the code received.
    VerifyCode(VerifyCodeArgs),
    /// The audit trail, newest last.
    Audit(AuditArgs),
    /// One action over many numbers: planned first (--dry-run sends nothing), journaled,
    /// resumable.
    Bulk {
        #[command(subcommand)]
        action: BulkCommand,
    },
    /// The team ledger on PostgreSQL ([ledger] in the config): set it up, check it, adopt a
    /// desk's local trail, push outcomes kept while it was unreachable.
    Ledger {
        #[command(subcommand)]
        action: LedgerAction,
    },
    /// Where the config is; validate it; write a commented starter.
    Config {
        #[command(subcommand)]
        action: ConfigAction,
    },
    /// Print shell completions.
    Completions {
        /// The shell to print them for.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

/// How `wareg sandbox --help` says to point a profile at it (the banner prints the same lines
/// with the address and WABA it really has).
const SANDBOX_PROFILE_HELP: &str =
    "Point a profile at it (the banner prints these lines with its address and WABA):
    [profiles.sandbox]
    base_url = \"http://127.0.0.1:8787\"
    token_env = \"WAREG_SANDBOX_TOKEN\"   # export WAREG_SANDBOX_TOKEN=any-value
    waba_id = \"102290129340398\"
then: wareg --profile sandbox";

#[derive(Debug, Args)]
pub struct SandboxArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8787")]
    pub listen: String,
    /// Delay added to every answer, in milliseconds.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
    /// Extra generated numbers in the WABA, for scale tests.
    #[arg(long, default_value_t = 0)]
    pub numbers: usize,
    /// Enforce Meta's per-WABA call budget: at most this many reads per window, then 80008.
    #[arg(long)]
    pub call_budget: Option<usize>,
    /// The call budget's moving window, in seconds (Meta's is an hour).
    #[arg(long, default_value_t = 3600, requires = "call_budget")]
    pub budget_window_secs: u64,
    /// How long a display-name review lasts, in seconds (fractions allowed): an added
    /// number's name, a requested change. A name holding "Bad" is declined, any other approved.
    #[arg(long, default_value_t = 30.0, value_parser = review_secs)]
    pub name_review_secs: f64,
    /// Report at least this share of the call budget (percent) in the usage header, as if
    /// other tools had spent it (to try the high-water mark). A floor, not an amount added:
    /// under 75 the mark is reached only by calls of wareg's own (to see a start stop half way,
    /// give a small --call-budget instead).
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u8).range(0..=100))]
    pub usage_floor: u8,
}

/// Seconds from 0 to a day.
fn review_secs(text: &str) -> Result<f64, String> {
    let secs: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a number of seconds"))?;
    if (0.0..=86_400.0).contains(&secs) {
        Ok(secs)
    } else {
        Err(format!("`{text}` is not between 0 and 86400 seconds"))
    }
}

#[derive(Debug, Args)]
pub struct NumbersArgs {
    /// Read live status from the API.
    #[arg(long)]
    pub refresh: bool,
    /// Print the result as one JSON document on stdout.
    #[arg(long)]
    pub json: bool,
    /// Print the table as CSV on stdout: a header line, then one line per number.
    #[arg(long, conflicts_with = "json")]
    pub csv: bool,
    /// Also read each number's local-storage setting (one call per number, as the TUI's F);
    /// what it reads is kept for the TUI.
    #[arg(long, requires = "refresh")]
    pub storage: bool,
    /// With --storage: read it even when Meta's call budget is 75 % used or more (otherwise
    /// the storage reads are left out, with a warning).
    #[arg(long, requires = "storage")]
    pub yes: bool,
}

#[derive(Debug, Args)]
pub struct NextArgs {
    /// Phone number IDs or configured labels (default: every configured and discovered number).
    #[arg(value_name = "ID|LABEL")]
    pub ids: Vec<String>,
    /// Print the result as one JSON document on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// The WABA to add the number to (default: the profile's waba_id).
    #[arg(long, value_name = "ID")]
    pub waba: Option<String>,
    /// The country calling code, e.g. 44 (a leading + is fine).
    #[arg(long, value_name = "CC")]
    pub cc: String,
    /// The national number without the country code: 7 to 15 digits, not starting with 0
    /// (spaces and dashes are ignored).
    #[arg(long, value_name = "NATIONAL")]
    pub phone: String,
    /// The display name to ask for: 2 to 75 characters; Meta reviews it.
    #[arg(long, value_name = "NAME")]
    pub name: String,
    /// Print the result as one JSON document on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct RenameArgs {
    /// The phone number ID (or a configured label).
    pub id: String,
    /// The new display name: 2 to 75 characters; Meta reviews it.
    #[arg(long, value_name = "NAME")]
    pub name: String,
    /// Send even though 10 changes were asked for in 30 days, or the number is an official
    /// business account (whose name Meta changes through its support).
    #[arg(long)]
    pub force: bool,
    /// Print the result as one JSON document on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// The phone number ID.
    pub id: String,
    /// Print the result as one JSON document on stdout.
    #[arg(long)]
    pub json: bool,
}

/// Where a PIN comes from. Never argv.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct PinSource {
    /// Read the PIN from one line of stdin (not echoed on a terminal).
    #[arg(long)]
    pub pin_stdin: bool,
    /// Read the PIN from this environment variable.
    #[arg(long, value_name = "VAR")]
    pub pin_env: Option<String>,
}

#[derive(Debug, Args)]
pub struct RegisterArgs {
    /// The phone number ID.
    pub id: String,
    /// Keep message data at rest in this region (AU ID IN JP SG KR DE CH GB BR BH ZA AE CA).
    #[arg(long, value_name = "CC", conflicts_with = "no_region")]
    pub region: Option<Region>,
    /// Register without local storage (turns it off on v21+).
    #[arg(long)]
    pub no_region: bool,
    #[command(flatten)]
    pub pin: PinSource,
    /// Confirm a region change of a registered number: messaging stops between the
    /// deregister and the register.
    #[arg(long)]
    pub yes: bool,
    /// Send even though the budget is used up, or the number's state says it would fail
    /// (once its cause is fixed, after Meta's 2388001); never for a coexistence number, Meta's
    /// 133016 lock, a change in progress or a display name in review.
    #[arg(long)]
    pub force: bool,
    /// Print the result as one JSON document on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(subcommand)]
    pub action: PlanAction,
}

#[derive(Debug, Subcommand)]
pub enum PlanAction {
    /// Plan a register: a re-register when connected, a region change when the storage asked
    /// for differs from the number's.
    Register {
        /// Phone number IDs.
        #[arg(required = true, value_name = "ID")]
        ids: Vec<String>,
        /// The local storage region to plan for.
        #[arg(long, value_name = "CC", conflicts_with = "no_region")]
        region: Option<Region>,
        /// Plan for no local storage.
        #[arg(long)]
        no_region: bool,
        /// Print the plans as one JSON document.
        #[arg(long)]
        json: bool,
    },
    /// Plan a deregister.
    Deregister {
        /// Phone number IDs.
        #[arg(required = true, value_name = "ID")]
        ids: Vec<String>,
        /// Print the plans as one JSON document.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub struct DeregisterArgs {
    /// The phone number ID.
    pub id: String,
    /// Confirm: messaging stops and local storage turns off.
    #[arg(long)]
    pub yes: bool,
    /// Send even though the budget is used up, Meta's lock is recorded, or the number is not
    /// registered (never for a coexistence number).
    #[arg(long)]
    pub force: bool,
    /// Print the result as one JSON document on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct SetPinArgs {
    /// The phone number ID.
    pub id: String,
    #[command(flatten)]
    pub pin: PinSource,
    /// Print the result as one JSON document on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum MethodArg {
    Sms,
    Voice,
}

#[derive(Debug, Args)]
pub struct RequestCodeArgs {
    /// The phone number ID.
    pub id: String,
    /// How Meta sends the code: a text message or a voice call.
    #[arg(long, value_enum)]
    pub method: MethodArg,
    /// The language of the message, e.g. en_US.
    #[arg(long, default_value = "en_US")]
    pub language: String,
    /// Send even though the number's ownership is already verified (Meta answers 136024).
    #[arg(long)]
    pub force: bool,
    /// Print the result as one JSON document on stdout.
    #[arg(long)]
    pub json: bool,
}

/// Where a verification code comes from. Never argv.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct CodeSource {
    /// Read the code from one line of stdin (not echoed on a terminal).
    #[arg(long)]
    pub code_stdin: bool,
    /// Read the code from this environment variable.
    #[arg(long, value_name = "VAR")]
    pub code_env: Option<String>,
}

#[derive(Debug, Args)]
pub struct VerifyCodeArgs {
    /// The phone number ID.
    pub id: String,
    #[command(flatten)]
    pub code: CodeSource,
    /// Print the result as one JSON document on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Only this number's records.
    pub id: Option<String>,
    /// The same as ID, as a flag (the team ledger's spelling).
    #[arg(long, value_name = "ID", conflicts_with = "id")]
    pub number: Option<String>,
    /// Only records newer than this: a duration back from now (30m, 72h, 7d, 2w) or a date
    /// (2026-11-01, UTC midnight) or an RFC 3339 time. Without it, the whole trail.
    #[arg(long, value_name = "DURATION|DATE")]
    pub since: Option<String>,
    /// Only this operation (register, deregister, settings, set-pin, request-code, verify-code,
    /// add, rename).
    #[arg(long, value_name = "OP")]
    pub op: Option<String>,
    /// Only this operator: `user@host` exactly, or a user on any host.
    #[arg(long, value_name = "NAME")]
    pub operator: Option<String>,
    /// Print the records as stored (an intent and its outcome on lines of their own) instead
    /// of one line per attempt.
    #[arg(long)]
    pub raw: bool,
    /// Print the result as one JSON document on stdout (the records as stored).
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum BulkCommand {
    /// Register numbers that are not registered.
    Register(BulkArgs),
    /// Register again numbers that are registered (e.g. after a display-name change).
    Reregister(BulkArgs),
    /// Move registered numbers' local storage to --region (deregister, settings, register).
    Region(BulkArgs),
    /// Deregister numbers.
    Deregister(BulkArgs),
    /// Set the two-step PIN of numbers.
    SetPin(BulkArgs),
    /// Continue a bulk run after a crash or a quit: nothing is sent twice.
    Resume(BulkResumeArgs),
    /// A bulk run's plan and where each number stands.
    Show {
        /// The bulk run id (printed when it started).
        id: String,
        /// Print it as one JSON document.
        #[arg(long)]
        json: bool,
    },
}

/// Which numbers, how, and with what PIN.
#[derive(Debug, Args)]
pub struct BulkArgs {
    /// A file of phone number IDs, one per line (# starts a comment).
    #[arg(long, value_name = "FILE")]
    pub ids: Option<std::path::PathBuf>,
    /// Configured numbers whose label matches this glob (* and ?), e.g. "Support *".
    #[arg(long, value_name = "GLOB")]
    pub label: Option<String>,
    /// Numbers whose live state matches, e.g. "status:connected quality:red" or "next:register"
    /// (words match anywhere; key:value one column: label number name id status ownership
    /// quality platform health storage limit profile, and next, which matches the step whole).
    #[arg(long, value_name = "EXPR")]
    pub filter: Option<String>,
    /// The local storage region (region change; register with storage).
    #[arg(long, value_name = "CC", conflicts_with = "no_region")]
    pub region: Option<Region>,
    /// Register without local storage.
    #[arg(long)]
    pub no_region: bool,
    #[command(flatten)]
    pub pin: BulkPins,
    /// Print the plan and send nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Send: the plan is printed first either way.
    #[arg(long)]
    pub yes: bool,
    /// Plan past overridable blockers (a spent budget, an abandoned change); recorded.
    #[arg(long)]
    pub force: bool,
    /// Numbers changed at once (the plan's reads go 8 at a time, as the fleet's do).
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=32))]
    pub concurrency: u16,
    /// Stop starting new numbers after this many failures.
    #[arg(long, default_value_t = 3)]
    pub max_failures: usize,
    /// Print the plan (and the result) as one JSON document.
    #[arg(long)]
    pub json: bool,
}

/// Where the PINs of a bulk run come from. Never argv.
#[derive(Debug, Args)]
#[group(multiple = false)]
pub struct BulkPins {
    /// One PIN for all numbers, from one line of stdin (not echoed on a terminal).
    #[arg(long)]
    pub pin_stdin: bool,
    /// One PIN for all numbers, from this environment variable.
    #[arg(long, value_name = "VAR")]
    pub pin_env: Option<String>,
    /// Each number's PIN from the profile's pin_command ({id} replaced by the number's id).
    #[arg(long)]
    pub pin_command: bool,
}

#[derive(Debug, Args)]
pub struct BulkResumeArgs {
    /// The bulk run id (printed when it started).
    pub id: String,
    #[command(flatten)]
    pub pin: BulkPins,
    /// Send again the numbers whose interrupted call a read cannot settle (a re-register, a
    /// PIN change).
    #[arg(long)]
    pub resend_unknown: bool,
    /// Send: what is left is printed first either way.
    #[arg(long)]
    pub yes: bool,
    /// Numbers changed at once (what is left is read 8 at a time, as the fleet's reads are).
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=32))]
    pub concurrency: u16,
    /// Stop starting new numbers after this many failures.
    #[arg(long, default_value_t = 3)]
    pub max_failures: usize,
    /// Print the result as one JSON document.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum LedgerAction {
    /// Create the schema and apply the migrations it lacks (needs a role that may create tables).
    Init,
    /// Which ledger, its schema version, how many records, and outcomes waiting here.
    Status {
        /// Print the result as one JSON document on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Push a local audit trail into the ledger; a record already there is kept once.
    Import {
        /// The data dir whose audit.jsonl to push (default: this desk's).
        #[arg(long, value_name = "DIR")]
        from: Option<std::path::PathBuf>,
    },
    /// Push the outcomes kept here while the ledger was unreachable.
    Sync,
}

#[derive(Debug, Subcommand)]
pub enum ConfigAction {
    /// Print where the config file is looked for.
    Path,
    /// Validate the config file.
    Check,
    /// Write a commented starter config (never over an existing file).
    Init,
}
