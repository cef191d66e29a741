//! Everything that can happen to the app arrives as a `Msg`; everything the app wants done
//! leaves as a `Cmd`. `App::update` turns one into the other and is the only place state
//! changes.

use crate::config::ProfileName;
use ratatui::crossterm::event::KeyEvent;

use crate::audit::{AuditRecord, BudgetBook};
use crate::engine::{Plan, Step};
use crate::graph::types::Settings;
use crate::graph::{ApiError, CallEvent, CodeMethod, NumberId, PhoneNumber};
use crate::secret::{Pin, VerificationCode};

/// Tags a request so that a reply to something no longer wanted can be dropped.
pub type RequestId = u64;

#[derive(Debug)]
pub enum Msg {
    Key(KeyEvent),
    Resize(u16, u16),
    /// Advances the spinner while something is in flight, and a throttle's countdown.
    Tick,
    /// A reply from the worker.
    Reply(RequestId, Reply),
    /// An HTTP exchange finished (for the log pane).
    Call(CallEvent),
    /// A line for the log pane that is not an API call.
    Notice(Level, String),
    /// A line for the log pane alone, never written to the log file: the demo's sandbox
    /// notices, which carry verification codes (secrets, like the PIN, kept out of files).
    ScreenOnly(String),
    /// The engine counted the budgets again from the ledger; `recent` are the latest records.
    Ledger {
        budgets: BudgetBook,
        recent: Vec<AuditRecord>,
    },
    /// What the ledger keeps of the numbers' storage, read before the start: a number whose
    /// storage is known is not read again.
    KeptStorage(crate::audit::StorageBook),
    /// Storage re-read in the background (old kept values), a few answers at once; not
    /// requests of the app's, so nothing shows in flight.
    StorageReread(Vec<(NumberId, Result<Settings, ApiError>)>),
    /// The facts the ledger recorded of the numbers (an approval's first sighting…), for
    /// their next step.
    Facts(crate::audit::FactBook),
    /// The display-name changes counted again from the ledger (10 per number in 30 days).
    Renames(BudgetBook),
    /// The bulk run's plan, progress and end.
    Bulk(BulkMsg),
    /// A record the team ledger committed (another desk's, or this one's), as it happened.
    Colleague(Box<crate::audit::AuditRecord>),
    /// The team ledger's listener connected (true) or lost its connection (false).
    LedgerLive(bool),
    /// The team ledger answered (true) or a call to it ran past its deadline (false).
    LedgerAnswering(bool),
    /// A change of this number waits for another desk's change of it to end.
    LockWait(NumberId),
    /// The throttle Meta declared over these calls, as the data dir knows it (set by any
    /// wareg process on the machine); None when none runs.
    Throttle(Option<crate::graph::Throttle>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Warn,
    Error,
}

#[derive(Debug)]
pub enum Reply {
    Listing(Result<crate::graph::listing::Listed, ApiError>),
    /// Boxed: a number with its health is large, and replies travel by value.
    Number(Result<Box<PhoneNumber>, ApiError>),
    Settings(Result<Settings, ApiError>),
    /// One step of a plan finished; `last` is true when the plan stops here.
    Step {
        step: Step,
        result: Result<(), StepFailure>,
        last: bool,
    },
    /// set-pin, request-code, verify-code, rename.
    Simple(Result<(), StepFailure>),
    /// A number was added to a WABA through `profile`: its new id.
    Added {
        profile: ProfileName,
        result: Result<NumberId, StepFailure>,
    },
    /// The profile's token could not be read: nothing was sent.
    NoToken(String),
    /// Held back, nothing sent: Meta's call budget is too far spent for a read nobody asked
    /// for (`fleet::read_guard`); the words say how far.
    NotSent(String),
}

/// Why a mutation failed, as the form shows it.
#[derive(Debug, Clone)]
pub struct StepFailure {
    pub message: String,
    pub code: Option<i64>,
    /// The catalogue's entry for what Meta said, found by its code, subcode and words (100
    /// alone is a bad parameter; with 2388001 and Meta's message, a number on a WhatsApp
    /// account): the form explains it as the CLI does.
    pub entry: Option<&'static crate::graph::catalogue::CatalogueEntry>,
    pub unknown_outcome: bool,
    /// After an unknown outcome: "the number's status now reads …", read by the engine.
    pub readback: Option<String>,
}

#[derive(Debug)]
pub enum Cmd {
    ListNumbers {
        request: RequestId,
        profile: ProfileName,
        /// The profile's configured numbers: the pages the listing is expected to take, kept
        /// as spent for the reads nobody asked for while it is in flight.
        configured: usize,
    },
    ReadNumber {
        request: RequestId,
        profile: ProfileName,
        id: NumberId,
    },
    ReadSettings {
        request: RequestId,
        profile: ProfileName,
        id: NumberId,
        /// Who wants it: the worker holds back what the budget's high-water mark stops.
        asker: crate::fleet::read_guard::Asker,
    },
    /// Re-read these old kept storages in the background, a few at a time within a
    /// per-minute ceiling, while Meta's call budget allows.
    RereadStorage(Vec<(ProfileName, NumberId)>),
    /// Stop the background re-reads (a full read does them all).
    StopReread,
    /// A form's mutation: one engine request, run under the number's lock. The worker runs
    /// every kind the same way; only `EngineCall` says what it is.
    Engine {
        request: RequestId,
        profile: ProfileName,
        call: EngineCall,
    },
    LoadLedger,
    /// Read and plan every target (a dry run).
    BulkPlan {
        targets: Vec<crate::bulk::Target>,
        action: crate::bulk::Action,
        region: Option<crate::graph::Region>,
    },
    /// Send a bulk plan, journaled.
    BulkRun {
        plan: Box<crate::bulk::BulkPlan>,
        action: crate::bulk::Action,
        region: Option<crate::graph::Region>,
        pin: Option<Pin>,
    },
    /// Start no new number of the running bulk (Esc).
    BulkPause,
    /// Put text on the clipboard (OSC 52).
    Copy(String),
    /// Open a URL in a browser, where one can be started.
    Open(String),
    /// Write these rows (the table as filtered) to `{stem}.csv` and `{stem}.json`, in the
    /// first of `dirs` that takes them.
    Export {
        rows: Vec<crate::fleet::export::ExportRow>,
        stem: String,
        dirs: Vec<std::path::PathBuf>,
    },
    /// Stop everything in flight and leave.
    Quit,
}

/// What a form asks the engine to do: typed, so tests can read what would be sent.
#[derive(Debug)]
pub enum EngineCall {
    /// Run the engine's plan; the engine re-counts the budget under its lock before each
    /// budgeted step.
    RunPlan {
        plan: Box<Plan>,
        pin: Option<Pin>,
        forced: bool,
    },
    SetPin {
        id: NumberId,
        pin: Pin,
    },
    RequestCode {
        id: NumberId,
        method: CodeMethod,
        language: String,
    },
    VerifyCode {
        id: NumberId,
        code: VerificationCode,
    },
    /// Add a number to the WABA `waba` (the engine audits it under the WABA).
    AddNumber {
        waba: NumberId,
        number: crate::graph::NewNumber,
    },
    /// Ask for a new display name: the engine reads the number and plans it again (its
    /// rename budget counted under the ledger's lock), as `wareg rename` does.
    Rename {
        id: NumberId,
        name: crate::graph::DisplayName,
        forced: bool,
    },
}

impl EngineCall {
    /// The number it changes: two calls on one number never run at once.
    pub fn number(&self) -> &NumberId {
        match self {
            EngineCall::RunPlan { plan, .. } => &plan.number,
            EngineCall::SetPin { id, .. }
            | EngineCall::RequestCode { id, .. }
            | EngineCall::VerifyCode { id, .. }
            | EngineCall::Rename { id, .. } => id,
            EngineCall::AddNumber { waba, .. } => waba,
        }
    }

    /// What it is, in the app's list of what is in flight.
    pub fn mutation(&self) -> Mutation {
        match self {
            EngineCall::RunPlan { plan, .. } => Mutation::Plan(plan.kind),
            EngineCall::SetPin { .. } => Mutation::SetPin,
            EngineCall::RequestCode { .. } => Mutation::RequestCode,
            EngineCall::VerifyCode { .. } => Mutation::VerifyCode,
            EngineCall::AddNumber { .. } => Mutation::Add,
            EngineCall::Rename { .. } => Mutation::Rename,
        }
    }
}

/// What a form sends: a plan of the engine's, or one of the single calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mutation {
    Plan(crate::engine::PlanKind),
    SetPin,
    RequestCode,
    VerifyCode,
    Add,
    Rename,
}

impl Mutation {
    pub fn words(self) -> &'static str {
        match self {
            Mutation::Plan(kind) => kind.words(),
            Mutation::SetPin => "set PIN",
            Mutation::RequestCode => "request code",
            Mutation::VerifyCode => "verify code",
            Mutation::Add => "add number",
            Mutation::Rename => "display-name change",
        }
    }
}

/// What the worker says about a bulk run.
#[derive(Debug)]
pub enum BulkMsg {
    Planned {
        plan: Box<crate::bulk::BulkPlan>,
        region: Option<crate::graph::Region>,
    },
    Started(String),
    Progress(String, crate::bulk::NumberState),
    Done(crate::bulk::Summary),
    /// Nothing was sent: the run could not begin (the journal, a token).
    Failed(String),
}
