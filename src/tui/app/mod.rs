//! The app's state and its one mutator, `update(msg) -> Vec<Cmd>`: pure, no I/O, so every
//! behaviour can be tested by feeding messages.

mod bulk_flow;
mod form_host;
mod keys_in;
mod ledger_state;
mod log_keys;
mod replies;
pub mod sort;
pub mod table;
mod table_keys;

pub use crate::fleet::{Live, Row, Storage};
pub use table::NumbersTable;

use crate::config::ProfileName;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use super::forms::FormComponent;
use super::keys::Place;
use super::log::{LogBuffer, LogEntry};
use super::msg::{Cmd, Level, Msg, RequestId};
use super::theme::Theme;
use crate::audit::{AuditRecord, BudgetBook};
use crate::clock::Clock;
use crate::config::{BudgetPolicy, Config};
use crate::fleet::Column;
use crate::fleet::{Fleet, ProfileView, Read};
use crate::graph::{ApiVersion, NumberId};

/// The table a place's keys resolve through, which its footer and help are written from; each
/// lives beside the code that handles it.
pub fn bindings(place: Place) -> &'static [super::keys::Binding] {
    match place {
        Place::Table => table_keys::TABLE,
        Place::Filter => table_keys::FILTER,
        Place::Log => log_keys::LOG,
        Place::Details => keys_in::DETAILS,
        Place::Help => keys_in::HELP,
        Place::ConfirmQuit => keys_in::CONFIRM_QUIT,
        Place::ConfirmFull => keys_in::CONFIRM_FULL,
        Place::Alert => keys_in::ALERT,
        Place::Sending => form_host::SENDING,
        Place::Field(kind) => super::keys::field_bindings(kind),
        Place::Dropdown => super::widgets::region_select::KEYS,
        Place::Bulk(stage) => super::bulk::bindings(stage),
    }
}

/// What the header shows and the forms need to know about a profile.
#[derive(Debug, Clone)]
pub struct ProfileInfo {
    pub name: ProfileName,
    pub version: ApiVersion,
    pub host: String,
    pub has_waba: bool,
    /// WhatsApp Manager's page for the profile's WABA (`o`), when a waba_id is configured.
    pub manager_url: Option<String>,
    /// The profile's WABA, where `a` adds a number.
    pub waba: Option<NumberId>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Table,
    Log,
}

/// What a request in flight is for, so its reply lands in the right place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pending {
    Listing {
        profile: ProfileName,
    },
    Number {
        id: NumberId,
    },
    Settings {
        id: NumberId,
    },
    /// A mutation run by a form (register, deregister, PIN, codes).
    Mutation {
        id: NumberId,
        what: Mutation,
    },
}

pub use super::msg::Mutation;

impl Pending {
    pub fn is_mutation(&self) -> bool {
        matches!(self, Pending::Mutation { .. })
    }
}

#[derive(Debug, Clone)]
pub struct Details {
    pub id: NumberId,
    /// The number's latest audit records, newest last.
    pub recent: Vec<AuditRecord>,
    /// Lines scrolled past, on a screen too short for them all.
    pub scroll: usize,
}

#[derive(Debug)]
pub enum Overlay {
    /// The help for a place, scrolled down this many lines, over the popup it was asked from.
    Help(Place, u16, Option<Box<Overlay>>),
    Details(Details),
    Form(Box<dyn FormComponent>),
    /// A problem the user must see (a token that could not be read).
    Alert(String),
    /// `F` over many numbers: its cost, asked before anything is sent.
    ConfirmFull(String),
    /// `q` while a mutation is in flight; holds what was open, to go back to on "no".
    ConfirmQuit(Option<Box<Overlay>>),
    /// A bulk action on the marked numbers: choose, plan, confirm, run, summary.
    Bulk(Box<super::bulk::BulkView>),
}

impl Overlay {
    /// A bulk run is sending here, or under the help shown over it.
    pub fn running_bulk(&self) -> Option<&super::bulk::BulkView> {
        match self {
            Overlay::Bulk(view) if view.running() => Some(view),
            Overlay::Help(_, _, Some(under)) => under.running_bulk(),
            _ => None,
        }
    }

    /// A form is open here, or under the help shown over it.
    pub fn holds_a_form(&self) -> bool {
        match self {
            Overlay::Form(_) => true,
            Overlay::Help(_, _, Some(under)) => under.holds_a_form(),
            _ => false,
        }
    }
}

/// Where the log pane is scrolled: 0 follows the newest entry.
#[derive(Debug, Clone, Copy, Default)]
pub struct LogView {
    /// Rows (as drawn at the screen's width) scrolled back from the newest.
    pub from_bottom: usize,
}

#[derive(Debug)]
pub struct App {
    pub theme: Theme,
    /// Every time the app reads or shows comes from here, so tests can fix it.
    pub clock: Clock,
    pub profiles: BTreeMap<ProfileName, ProfileInfo>,
    pub default_profile: ProfileName,
    pub log_path: Option<PathBuf>,
    /// Notices not yet written to the log file (see `take_log_lines`).
    log_out: Vec<(Level, String)>,
    /// Where `e` writes its files: the first that takes them (the start directory, then the
    /// data dir).
    pub export_dirs: Vec<PathBuf>,
    /// The clipboard and browser this terminal offers, so the app says what a key really did.
    pub surroundings: crate::tui::surroundings::Surroundings,
    pub table: NumbersTable,
    pub log: LogBuffer,
    pub log_view: LogView,
    pub focus: Focus,
    pub overlay: Option<Overlay>,
    pub inflight: BTreeMap<RequestId, Pending>,
    next_request: RequestId,
    /// Which listings are waiting, done or failed: the same machine `wareg numbers` runs.
    pub fleet: Fleet,
    pub policy: BudgetPolicy,
    pub budgets: BudgetBook,
    /// Display-name changes per number in Meta's 30 days (`engine::RENAME_POLICY`).
    pub renames: BudgetBook,
    /// What the ledger recorded of the numbers beyond their records (for their next step).
    pub facts: crate::audit::FactBook,
    pub audit: Vec<AuditRecord>,
    pub size: (u16, u16),
    /// An answer said it came from a wareg sandbox: the title says so.
    pub sandbox: bool,
    /// The highest share of Meta's call budgets the latest answer reported, in percent.
    pub api_usage: Option<u32>,
    /// The calls one point of the budget holds, as the latest answer's client had learnt:
    /// the budget F's question counts in (the header says only the percent).
    pub calls_per_point: Option<u64>,
    /// A throttle Meta declared: the title counts down to its end.
    pub throttle: Option<crate::graph::Throttle>,
    /// The team ledger in use, for the title; None on the local trail.
    pub ledger_name: Option<String>,
    /// A call to the team ledger ran past its deadline and none has answered since: the title
    /// says so and nothing that needs an intent is sent.
    pub ledger_silent: bool,
    /// Numbers whose change in flight waits for another desk's change of them to end.
    pub lock_waits: std::collections::HashSet<NumberId>,
    /// Who this desk's records name, to tell colleagues' records from its own.
    pub operator: String,
    /// When an open intent counts as abandoned.
    pub stale_intent: std::time::Duration,
    /// Numbers marked for a bulk action.
    pub marked: std::collections::BTreeSet<NumberId>,
    /// Changes in progress (or abandoned), by number, from the ledger's recent records.
    pub open_intents: HashMap<String, crate::engine::OpenIntent>,
    /// Each number's newest attempt whose outcome is not known (the NEXT column asks for a
    /// read until one made after it comes back).
    pub unknown_outcomes: HashMap<String, crate::engine::UnknownOutcome>,
    pub spinner: usize,
    /// How many lines of the open form's body are scrolled past (a form taller than the
    /// terminal); 0 when a form opens.
    pub form_scroll: usize,
    pub quit: bool,
    /// Kept storage of numbers no row shows yet (a discovered number takes its value when a
    /// listing brings it).
    pub kept_storage: crate::audit::StorageBook,
    /// A kept storage older than this is re-read in the background.
    pub storage_max_age: chrono::Duration,
    /// `F` over more configured numbers than this asks first, with the cost.
    pub confirm_full_over: usize,
    /// Who asked for the refresh under way: the follow-up reads of its listing are held to the
    /// high-water mark as it is.
    refresh_asker: Asker,
    /// The read guard's notice was said for the refresh under way.
    guard_told: bool,
    /// The usage (percent) at which the refresh under way held storage reads back: the
    /// table's bottom border says so while numbers' storage is left unread.
    pub storage_held_at: Option<u32>,
    /// How many of the config's `[[numbers]]` entries are being validated (a large fleet's,
    /// after the first frame and before the start): the first frame says so.
    pub numbers_coming: Option<usize>,
}

/// The share of Meta's call budget (percent) above which a refresh spends nothing extra.
pub const USAGE_HIGH_WATER: u32 = crate::fleet::read_guard::HIGH_WATER;
/// `F` over more numbers than this asks first.
pub const CONFIRM_FULL_OVER: usize = 100;

pub use crate::fleet::read_guard::Asker;

impl App {
    pub fn new(config: &Config, theme: Theme, log_path: Option<PathBuf>) -> App {
        let profiles = config
            .profiles
            .values()
            .map(|p| {
                let host = url::Url::parse(&p.base_url)
                    .ok()
                    .and_then(|u| {
                        u.host_str().map(|h| match u.port() {
                            Some(port) => format!("{h}:{port}"),
                            None => h.to_owned(),
                        })
                    })
                    .unwrap_or_else(|| p.base_url.clone());
                let info = ProfileInfo {
                    name: p.name.clone(),
                    version: p.api_version,
                    host,
                    has_waba: p.waba_id.is_some(),
                    manager_url: p.waba_id.as_ref().map(|waba| {
                        crate::tui::surroundings::whatsapp_manager_url(
                            waba.as_str(),
                            p.business_id.as_ref().map(|b| b.as_str()),
                        )
                    }),
                    waba: p.waba_id.clone(),
                };
                (p.name.clone(), info)
            })
            .collect();
        let rows = crate::fleet::configured_rows(config, None);
        let mut app = App {
            theme,
            clock: Clock::System,
            profiles,
            default_profile: config.default_profile.clone(),
            log_path,
            surroundings: Default::default(),
            export_dirs: Vec::new(),
            log_out: Vec::new(),
            table: NumbersTable::new(rows),
            log: LogBuffer::default(),
            log_view: LogView::default(),
            focus: Focus::Table,
            overlay: None,
            inflight: BTreeMap::new(),
            next_request: 1,
            fleet: Fleet::default(),
            policy: config.budget,
            budgets: BudgetBook::default(),
            renames: BudgetBook::new(&[], crate::engine::RENAME_POLICY, chrono::Utc::now()),
            facts: Default::default(),
            audit: Vec::new(),
            size: (80, 24),
            sandbox: false,
            api_usage: None,
            calls_per_point: None,
            throttle: None,
            ledger_name: None,
            ledger_silent: false,
            lock_waits: Default::default(),
            operator: config
                .ledger
                .operator
                .clone()
                .unwrap_or_else(crate::audit::default_operator),
            stale_intent: config.ledger.stale_intent,
            open_intents: HashMap::new(),
            unknown_outcomes: HashMap::new(),
            marked: std::collections::BTreeSet::new(),
            spinner: 0,
            form_scroll: 0,
            quit: false,
            kept_storage: Default::default(),
            storage_max_age: chrono::Duration::days(i64::from(config.storage_max_age_days)),
            confirm_full_over: CONFIRM_FULL_OVER,
            refresh_asker: Asker::Start,
            guard_told: false,
            storage_held_at: None,
            numbers_coming: None,
        };
        for warning in config.warnings(app.clock.now().date_naive()) {
            app.notice(Level::Warn, warning);
        }
        app
    }

    /// The config's `count` entries are still being validated: the first frame says so.
    pub fn expect_numbers(&mut self, count: usize) {
        self.numbers_coming = Some(count);
    }

    /// The config's entries are in (before the start): their rows, what is kept of their
    /// storage, their next steps. The error of one that is wrong comes back.
    pub fn take_numbers(
        &mut self,
        entries: Result<Vec<crate::config::NumberEntry>, crate::config::ConfigError>,
    ) -> Result<(), crate::config::ConfigError> {
        self.numbers_coming = None;
        let mut rows = crate::fleet::rows_of(entries?);
        rows.append(&mut self.table.rows);
        self.table = NumbersTable::new(rows);
        self.apply_kept_storage();
        self.renew_next();
        Ok(())
    }

    /// The commands to run at start: count the budgets, read every number's status and the
    /// storage nobody kept; old kept storage is re-read in the background, a few at a time.
    pub fn start(&mut self) -> Vec<Cmd> {
        let mut cmds = self.refresh_as(Asker::Start);
        let now = self.clock.now();
        let old: Vec<(ProfileName, NumberId)> = self
            .table
            .rows
            .iter()
            .filter(|r| r.configured && matches!(r.storage, Storage::Known(_)))
            .filter(|r| {
                r.storage_read_at
                    .is_some_and(|at| now - at > self.storage_max_age)
            })
            .map(|r| (r.profile.clone(), r.id.clone()))
            .collect();
        if !old.is_empty() {
            cmds.push(Cmd::RereadStorage(old));
        }
        cmds
    }

    /// Takes in what the ledger keeps of the numbers' storage: shown at once, and not read
    /// again while it is younger than `storage_max_age`.
    pub fn take_kept_storage(&mut self, book: crate::audit::StorageBook) {
        self.kept_storage = book;
        self.apply_kept_storage();
    }

    /// The kept storage of rows that do not know theirs yet (moved out of the book).
    pub(crate) fn apply_kept_storage(&mut self) {
        if self.kept_storage.is_empty() {
            return;
        }
        for row in &mut self.table.rows {
            if matches!(row.storage, Storage::NotRead)
                && let Some(entry) = self.kept_storage.take(row.id.as_str())
            {
                row.set_storage(entry.storage, entry.read_at);
            }
        }
    }

    /// The single mutator.
    pub fn update(&mut self, msg: Msg) -> Vec<Cmd> {
        match msg {
            Msg::Key(key) => self.on_key(key),
            Msg::Resize(w, h) => {
                self.size = (w, h);
                let page = self.table_page();
                self.table.scroll_into_view(page);
                // Rows are counted at the new width: no further back than the oldest.
                let back = self.log_view.from_bottom;
                if back > 0 {
                    let page = self.log_page();
                    let top = self.log_rows_back(back + page).saturating_sub(page);
                    self.log_view.from_bottom = back.min(top);
                }
                Vec::new()
            }
            Msg::Tick => {
                self.spinner = self.spinner.wrapping_add(1);
                if self
                    .throttle
                    .as_ref()
                    .is_some_and(|t| t.until <= self.clock.now())
                {
                    self.throttle = None;
                    self.notice(Level::Info, "Meta's throttle has ended: R reads again");
                }
                Vec::new()
            }
            Msg::Colleague(record) => self.on_colleague(*record),
            Msg::Bulk(msg) => self.on_bulk_msg(msg),
            Msg::LedgerLive(live) => {
                if live {
                    self.notice(
                        Level::Info,
                        "listening to the team ledger: colleagues' changes show as they happen",
                    );
                } else {
                    self.notice(Level::Warn, "lost the team ledger's live feed; reconnecting (budgets are still checked in the ledger before every send)");
                }
                Vec::new()
            }
            Msg::LedgerAnswering(answering) => {
                self.on_ledger_answering(answering);
                Vec::new()
            }
            Msg::LockWait(id) => {
                let name = self.name_of(&id);
                self.notice(
                    Level::Warn,
                    format!("{name}: waiting for another desk's change of this number…"),
                );
                self.lock_waits.insert(id);
                Vec::new()
            }
            Msg::Throttle(throttle) => {
                self.throttle = throttle;
                Vec::new()
            }
            Msg::Reply(request, reply) => self.on_reply(request, reply),
            Msg::Call(event) => {
                self.sandbox |= event.sandbox;
                if let Some(usage) = &event.usage {
                    self.api_usage = usage.highest();
                }
                self.calls_per_point = event.calls_per_point.or(self.calls_per_point);
                if event.throttle.is_some() && self.throttle.is_none() {
                    self.notice(
                        Level::Warn,
                        "Meta is throttling these calls: wareg sends no reads until the countdown in the title ends",
                    );
                }
                self.throttle = event.throttle.clone();
                self.push_log(LogEntry::from_call(&event, self.clock.local_now()));
                Vec::new()
            }
            Msg::Notice(level, text) => {
                self.notice(level, text);
                Vec::new()
            }
            Msg::ScreenOnly(text) => {
                self.push_log(LogEntry::notice(self.clock.local_now(), Level::Info, text));
                Vec::new()
            }
            Msg::Renames(book) => {
                self.renames = book;
                Vec::new()
            }
            Msg::KeptStorage(book) => {
                self.take_kept_storage(book);
                Vec::new()
            }
            Msg::StorageReread(answers) => {
                self.on_storage_reread(answers);
                Vec::new()
            }
            Msg::Facts(facts) => {
                self.facts = facts;
                self.renew_next();
                Vec::new()
            }
            Msg::Ledger { budgets, recent } => {
                self.budgets = budgets;
                self.audit = recent;
                self.open_intents = self.count_open_intents();
                self.unknown_outcomes = crate::engine::UnknownOutcome::by_number(
                    &self.audit,
                    self.clock.now(),
                    self.stale_intent,
                );
                self.renew_next();
                if self
                    .table
                    .sort
                    .is_some_and(|s| s.column == Column::RegisterLeft)
                {
                    self.table.refilter(&self.budgets);
                }
                Vec::new()
            }
        }
    }

    /// Every row's next step again, from its read, the budgets, the open intents, the
    /// recorded facts and Meta's throttle (an approval the reads show for the first time is
    /// counted from now).
    pub fn renew_next(&mut self) {
        self.renew_next_of(None);
    }

    /// [`App::renew_next`] of one row only (its read came back), or of every row.
    pub fn renew_next_of(&mut self, only: Option<&NumberId>) {
        let now = self.clock.now();
        let rows = match only.and_then(|id| self.table.find(id)) {
            Some(i) => &mut self.table.rows[i..=i],
            None if only.is_some() => return,
            None => &mut self.table.rows[..],
        };
        crate::fleet::next::sightings(rows, &mut self.facts, now);
        let throttles: HashMap<String, crate::graph::Throttle> = match &self.throttle {
            Some(t) => self
                .profiles
                .keys()
                .map(|p| (p.as_str().to_owned(), t.clone()))
                .collect(),
            None => HashMap::new(),
        };
        let ctx = crate::fleet::NextContext {
            budgets: &self.budgets,
            facts: &self.facts,
            open: &self.open_intents,
            unknown: &self.unknown_outcomes,
            throttles: &throttles,
            default_profile: &self.default_profile,
            now,
        };
        crate::fleet::next::fill(rows, &ctx);
    }

    /// The newest open intent of each number in the recent records.
    fn count_open_intents(&self) -> HashMap<String, crate::engine::OpenIntent> {
        let mut by_number: HashMap<&str, Vec<AuditRecord>> = HashMap::new();
        for record in &self.audit {
            by_number
                .entry(record.number.as_str())
                .or_default()
                .push(record.clone());
        }
        by_number
            .into_iter()
            .filter_map(|(number, records)| {
                crate::engine::OpenIntent::of(&records, self.clock.now(), self.stale_intent)
                    .map(|open| (number.to_owned(), open))
            })
            .collect()
    }

    /// The "in progress" or "abandoned" words for a number, as of now.
    pub fn open_intent_marker(&self, number: &str) -> Option<(String, bool)> {
        let open = self.open_intents.get(number)?;
        let abandoned = open.abandoned_at(self.clock.now(), self.stale_intent);
        let local = self.clock.local(open.since).format("%H:%M").to_string();
        let open = crate::engine::OpenIntent {
            abandoned,
            ..open.clone()
        };
        Some((open.marker(&local), abandoned))
    }

    /// A record another desk committed: said in the log pane, and the budgets and "in
    /// progress" markers counted again from the ledger.
    fn on_colleague(&mut self, record: crate::audit::AuditRecord) -> Vec<Cmd> {
        let who = record
            .operator
            .clone()
            .unwrap_or_else(|| "another wareg".into());
        if who != self.operator {
            let number = self.name_of(&record.number);
            let what = match (record.phase, record.outcome) {
                (crate::audit::Phase::Intent, _) => "started".to_owned(),
                (_, Some(outcome)) => match record.code {
                    Some(code) => format!("ended: {} {code}", outcome.as_str()),
                    None => format!("ended: {}", outcome.as_str()),
                },
                (_, None) => "ended".to_owned(),
            };
            self.notice(Level::Info, format!("{who}: {} {number} {what}", record.op));
        }
        vec![Cmd::LoadLedger]
    }

    /// How the log names a number: "Support DE (1065…)" with its label or Meta's name, the
    /// bare id when neither is known.
    pub fn name_of(&self, id: &NumberId) -> String {
        match self.table.find(id).map(|i| self.table.rows[i].title()) {
            Some(title) if !title.is_empty() => format!("{title} ({id})"),
            _ => id.to_string(),
        }
    }

    /// The number's phone number as last read (even from a read that is now stale).
    pub fn display_number(&self, id: &NumberId) -> Option<String> {
        let row = &self.table.rows[self.table.find(id)?];
        row.known_number()?.display_phone_number.clone()
    }

    pub fn busy(&self) -> bool {
        !self.inflight.is_empty()
    }

    /// Whether the title counts down a throttle (the loop wakes now and then to redraw it).
    pub fn counting_down(&self) -> bool {
        self.throttle.is_some()
    }

    pub fn mutation_in_flight(&self) -> bool {
        self.inflight.values().any(Pending::is_mutation)
            || matches!(&self.overlay, Some(Overlay::Bulk(view)) if view.running())
    }

    /// The table keys resolve through now (the footer and help are written from it). A form
    /// taller than the terminal adds PgDn/PgUp to its field's keys.
    pub fn bindings(&self) -> &'static [super::keys::Binding] {
        match self.place() {
            Place::Field(kind) if self.form_max_scroll() > 0 => {
                super::keys::scrolling_field_bindings(kind)
            }
            Place::Details if self.details_max_scroll() > 0 => keys_in::DETAILS_SCROLLING,
            Place::Help if self.help_over_a_form() => keys_in::HELP_OVER_FORM,
            place => bindings(place),
        }
    }

    /// Where keys go now: the key table the handler, the footer and help use.
    pub fn place(&self) -> Place {
        match &self.overlay {
            Some(Overlay::Help(..)) => Place::Help,
            Some(Overlay::Details(_)) => Place::Details,
            Some(Overlay::Form(form)) => self.form_place(form.as_ref()),
            Some(Overlay::Alert(_)) => Place::Alert,
            Some(Overlay::ConfirmQuit(_)) => Place::ConfirmQuit,
            Some(Overlay::ConfirmFull(_)) => Place::ConfirmFull,
            Some(Overlay::Bulk(view)) => Place::Bulk(view.place()),
            None if self.table.filtering => Place::Filter,
            None if self.focus == Focus::Log => Place::Log,
            None => Place::Table,
        }
    }

    pub fn profile(&self, name: &str) -> Option<&ProfileInfo> {
        self.profiles.get(name)
    }

    /// The help is open over a form (its keys go back to the form, not out of it).
    pub fn help_over_a_form(&self) -> bool {
        matches!(&self.overlay, Some(Overlay::Help(_, _, Some(under))) if under.holds_a_form())
    }

    /// Rows the table shows, from the layout the view uses.
    pub fn table_page(&self) -> usize {
        super::view::layout::table_rows(self.size, self.log_focused())
    }

    pub fn log_page(&self) -> usize {
        super::view::layout::log_rows(self.size, self.log_focused())
    }

    /// The log pane has the keyboard (and, drawn, half the screen; also under the help or
    /// the quit question opened from it, so nothing moves beneath them).
    pub fn log_focused(&self) -> bool {
        self.focus == Focus::Log
    }

    /// Rows the newest log entries take on this screen, counted back until `enough` (the
    /// whole log's when it has fewer): a scroll step needs no more than that.
    pub(crate) fn log_rows_back(&self, enough: usize) -> usize {
        let width = super::view::layout::log_width(self.size);
        let mut rows = 0;
        for index in (0..self.log.len()).rev() {
            if rows >= enough {
                break;
            }
            if let Some(entry) = self.log.get(index) {
                rows += super::view::log_rows::rows_of(entry, width);
            }
        }
        rows
    }

    pub(crate) fn new_request(&mut self, pending: Pending) -> RequestId {
        let id = self.next_request;
        self.next_request += 1;
        self.inflight.insert(id, pending);
        id
    }

    pub(crate) fn push_log(&mut self, entry: LogEntry) {
        if self.log_view.from_bottom > 0 {
            // Scrolled back: keep the same rows in view as new ones arrive below them.
            let width = super::view::layout::log_width(self.size);
            self.log_view.from_bottom += super::view::log_rows::rows_of(&entry, width);
        }
        self.log.push(entry);
    }

    /// A line for the log pane, and for the log file: `update` writes nothing itself, the
    /// loop takes the lines with `take_log_lines` and writes them.
    pub(crate) fn notice(&mut self, level: Level, text: impl Into<String>) {
        let text = text.into();
        self.log_out.push((level, text.clone()));
        self.push_log(LogEntry::notice(self.clock.local_now(), level, text));
    }

    /// The notices since the last call, for the log file.
    pub fn take_log_lines(&mut self) -> Vec<(Level, String)> {
        std::mem::take(&mut self.log_out)
    }

    /// Re-reads every number and re-counts the budgets: old reads in flight become stale and
    /// their replies are dropped. What to read is the fleet machine's to say. Storage is read
    /// once per number and kept: it changes only through a mutation (which reads it again),
    /// so a refresh spends the WABA's call budget on the listing, not on one call per number.
    pub fn refresh(&mut self) -> Vec<Cmd> {
        self.refresh_as(Asker::Refresh)
    }

    /// Storage reads nobody asked for were held back (`why`): said once in the log, and
    /// kept in the table's bottom border while storage is left unread.
    pub(crate) fn storage_held_back(&mut self, why: String) {
        self.storage_held_at = Some(self.api_usage.unwrap_or_default());
        if !self.guard_told {
            self.guard_told = true;
            self.notice(
                Level::Warn,
                format!(
                    "{why}: storage is not read for the whole list (F does, at one call per number)"
                ),
            );
        }
    }

    /// `F`: a refresh that also reads every configured number's storage again. Over
    /// `confirm_full_over` numbers it asks first, with the cost.
    pub fn full_refresh(&mut self) -> Vec<Cmd> {
        let calls = self.table.rows.iter().filter(|r| r.configured).count();
        if calls > self.confirm_full_over {
            use crate::fleet::read_guard::{budget_of_rows, cost_words, overrun_words};
            let budget = budget_of_rows(&self.table.rows, self.calls_per_point);
            let overrun = overrun_words(calls, self.api_usage, budget)
                .map(|words| format!(" {words}."))
                .unwrap_or_default();
            self.overlay = Some(Overlay::ConfirmFull(format!(
                "F reads the storage of {}: {}.{overrun}",
                crate::plural::count_thousands(calls as u64, "configured number"),
                cost_words(calls, self.api_usage, budget)
            )));
            return Vec::new();
        }
        self.full_refresh_confirmed()
    }

    /// `F` as a person asked for it (small, or confirmed): every storage is read, whatever
    /// the high-water mark.
    pub fn full_refresh_confirmed(&mut self) -> Vec<Cmd> {
        self.notice(
            Level::Info,
            "refreshing every number and reading every storage setting again",
        );
        let mut cmds = vec![Cmd::StopReread];
        cmds.extend(self.refresh_as(Asker::Person));
        cmds
    }

    fn refresh_as(&mut self, asker: Asker) -> Vec<Cmd> {
        use crate::fleet::read_guard::{ReadKind, allows, usage_words};
        self.inflight.retain(|_, p| p.is_mutation());
        self.refresh_asker = asker;
        self.guard_told = false;
        self.storage_held_at = None;
        // Another process (the CLI, a second TUI) may have spent budget since the last count.
        let mut cmds = vec![Cmd::LoadLedger];
        let views: Vec<ProfileView> = self
            .profiles_in_view()
            .into_iter()
            .map(|p| ProfileView {
                name: p.name,
                has_waba: p.has_waba,
            })
            .collect();
        let reads = self.fleet.refresh(&mut self.table.rows, &views);
        cmds.extend(self.guarded_fleet_reads(reads));
        let all = asker == Asker::Person;
        // Above the high-water mark only what the user asked for is spent: `R` and the start
        // read the listing, not one storage per number (details and forms still read theirs).
        let sparing = !allows(asker, ReadKind::Storage, self.api_usage);
        let unknown = |r: &Row| r.configured && !matches!(r.storage, Storage::Known(_));
        if sparing && self.table.rows.iter().any(unknown) {
            self.storage_held_back(usage_words(self.api_usage.unwrap_or_default()));
        }
        let configured: Vec<(ProfileName, NumberId)> = self
            .table
            .rows
            .iter()
            .filter(|r| r.configured && !sparing)
            .filter(|r| all || unknown(r))
            .map(|r| (r.profile.clone(), r.id.clone()))
            .collect();
        cmds.reserve(configured.len());
        for (profile, id) in configured {
            cmds.push(self.read_settings_of(profile, id, asker));
        }
        cmds
    }

    /// The fleet machine's reads as worker commands.
    pub(crate) fn fleet_reads(&mut self, reads: Vec<Read>) -> Vec<Cmd> {
        reads
            .into_iter()
            .map(|read| match read {
                Read::Listing { profile } => {
                    let request = self.new_request(Pending::Listing {
                        profile: profile.clone(),
                    });
                    let configured = self
                        .table
                        .rows
                        .iter()
                        .filter(|r| r.configured && r.profile == profile)
                        .count();
                    Cmd::ListNumbers {
                        request,
                        profile,
                        configured,
                    }
                }
                Read::Number { profile, id } => self.read_number(&profile, &id),
            })
            .collect()
    }

    /// [`App::fleet_reads`] held to the high-water mark as the refresh's asker is: from
    /// `PERSON_ONLY` the start's single reads are not sent (their rows say why).
    pub(crate) fn guarded_fleet_reads(&mut self, reads: Vec<Read>) -> Vec<Cmd> {
        use crate::fleet::read_guard::{ReadKind, allows, usage_words};
        if allows(self.refresh_asker, ReadKind::Number, self.api_usage) {
            return self.fleet_reads(reads);
        }
        let why = usage_words(self.api_usage.unwrap_or_default());
        let (single, listings): (Vec<Read>, Vec<Read>) = reads
            .into_iter()
            .partition(|r| matches!(r, Read::Number { .. }));
        for read in &single {
            if let Read::Number { id, .. } = read
                && let Some(row) = self.table.row_mut(id)
            {
                row.set_failed(crate::graph::ApiError::Refused(format!(
                    "{}{why}",
                    crate::fleet::NOT_READ
                )));
            }
        }
        if !single.is_empty() {
            self.notice(
                Level::Warn,
                format!(
                    "{why}: {} not read on their own (R reads them)",
                    crate::plural::count(single.len(), "configured number")
                ),
            );
        }
        self.fleet_reads(listings)
    }

    fn profiles_in_view(&self) -> Vec<ProfileInfo> {
        let mut names: Vec<&str> = self.table.rows.iter().map(|r| r.profile.as_str()).collect();
        names.push(&self.default_profile);
        names.sort();
        names.dedup();
        names
            .iter()
            .filter_map(|n| self.profiles.get(*n).cloned())
            .collect()
    }

    pub(crate) fn read_number(&mut self, profile: &str, id: &NumberId) -> Cmd {
        let request = self.new_request(Pending::Number { id: id.clone() });
        Cmd::ReadNumber {
            request,
            profile: ProfileName::from(profile),
            id: id.clone(),
        }
    }

    pub(crate) fn read_settings(&mut self, profile: &str, id: &NumberId, asker: Asker) -> Cmd {
        self.read_settings_of(ProfileName::from(profile), id.clone(), asker)
    }

    /// [`App::read_settings`] with the row's own name and id (shared, not copied: the start
    /// sends one per configured number).
    fn read_settings_of(&mut self, profile: ProfileName, id: NumberId, asker: Asker) -> Cmd {
        if let Some(row) = self.table.row_mut(&id) {
            row.storage = Storage::Loading;
        }
        let request = self.new_request(Pending::Settings { id: id.clone() });
        Cmd::ReadSettings {
            request,
            profile,
            id,
            asker,
        }
    }

    /// The last few audit records of a number, newest last.
    pub fn recent_audit(&self, id: &NumberId, count: usize) -> Vec<AuditRecord> {
        let mut recent: Vec<AuditRecord> = self
            .audit
            .iter()
            .rev()
            .filter(|r| r.number == id.as_str())
            .take(count)
            .cloned()
            .collect();
        recent.reverse();
        recent
    }
}

#[cfg(test)]
mod form_tests;
#[cfg(test)]
mod tests;
