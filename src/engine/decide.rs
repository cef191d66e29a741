//! The one place a plan is chosen: from what is known of a number (its facts), what the user
//! asked for and its budgets, the steps to send, what they cost and what stands in the way, in
//! plain words. Pure, so both faces render the same plan and tests can state every rule.

use chrono::{DateTime, Utc};

use super::plan::{Step, deregister_plan, region_change_plan, register_plan};
use crate::audit::{Budget, Operation, Recorded};
use crate::graph::types::{CodeVerification, Health, NameStatus, NumberStatus, PlatformType};
use crate::graph::{ApiVersion, NumberId, PhoneNumber, Region, StorageChoice};

/// What the user asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Request {
    /// Register (or re-register) with a storage choice; on a connected number a different
    /// storage becomes the guided region change.
    Register(StorageChoice),
    Deregister,
}

/// The number's local storage as far as it is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StorageFact {
    /// Being read (the TUI's form waits for it).
    Reading,
    /// Could not be read.
    Unknown,
    Off,
    On(Region),
}

/// What was read of the number, live, before planning.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    pub display: Option<String>,
    pub status: Option<NumberStatus>,
    pub verified: Option<CodeVerification>,
    pub coexistence: Option<bool>,
    pub pin_enabled: Option<bool>,
    pub storage: Option<StorageFact>,
    /// A requested display name is under review: a register meanwhile has no effect (docs/graph-api-facts.md §9).
    pub name_review: bool,
    /// The display name in force, and the status of its review.
    pub verified_name: Option<String>,
    pub name_status: Option<NameStatus>,
    /// A requested new display name, and the status of its review.
    pub new_name: Option<String>,
    pub new_name_status: Option<NameStatus>,
    pub health: Option<Health>,
    pub platform: Option<PlatformType>,
    /// An official business account: Meta changes its name only through its support.
    pub official: Option<bool>,
    /// What the ledger recorded of the number beyond its records: an approval wareg saw, the
    /// last register that worked, what Meta said when it refused one.
    pub recorded: Recorded,
    /// When these facts were read: the time rules that count days judge by (now if not said).
    pub read_at: Option<DateTime<Utc>>,
    /// Meta throttles the profile's or WABA's calls: whether its call budget covers register
    /// and deregister is not documented, so sending is the user's explicit choice.
    pub throttled: Option<crate::graph::Throttle>,
    /// A change of the number that started (its intent is in the ledger) and has not ended.
    pub open_intent: Option<OpenIntent>,
    /// Its newest attempt, when its outcome is not known (ended unknown, or abandoned).
    pub unknown_outcome: Option<super::UnknownOutcome>,
    /// The profile the number is reached through, when it is not the config's default: the
    /// commands the words suggest name it (`--profile NAME`), so they can be pasted as they are.
    pub profile: Option<crate::config::ProfileName>,
}

/// An intent without its outcome: someone's work in progress, or an abandoned one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenIntent {
    pub operator: String,
    pub op: Operation,
    pub since: DateTime<Utc>,
    /// Older than the ledger's `stale_intent_minutes`.
    pub abandoned: bool,
}

impl OpenIntent {
    /// The newest open intent among a number's `records`, judged at `now`.
    pub fn of(
        records: &[crate::audit::AuditRecord],
        now: DateTime<Utc>,
        stale: std::time::Duration,
    ) -> Option<OpenIntent> {
        let open = super::open_intents(records).into_iter().next_back()?;
        let mut intent = OpenIntent {
            operator: open
                .operator
                .clone()
                .unwrap_or_else(|| "another wareg".into()),
            op: open.op,
            since: open.time,
            abandoned: false,
        };
        intent.abandoned = intent.abandoned_at(now, stale);
        Some(intent)
    }

    /// The newest open intent of each number among `records` (by id), judged at `now`.
    pub fn by_number(
        records: &[crate::audit::AuditRecord],
        now: DateTime<Utc>,
        stale: std::time::Duration,
    ) -> std::collections::HashMap<String, OpenIntent> {
        let mut by_number: std::collections::HashMap<&str, Vec<crate::audit::AuditRecord>> =
            std::collections::HashMap::new();
        for record in records {
            by_number
                .entry(record.number.as_str())
                .or_default()
                .push(record.clone());
        }
        by_number
            .into_iter()
            .filter_map(|(number, mine)| {
                OpenIntent::of(&mine, now, stale).map(|open| (number.to_owned(), open))
            })
            .collect()
    }

    /// Whether it is older than `stale` at `now` (or was found so before).
    pub fn abandoned_at(&self, now: DateTime<Utc>, stale: std::time::Duration) -> bool {
        let stale = chrono::Duration::from_std(stale).unwrap_or(chrono::Duration::MAX);
        self.abandoned || now - self.since >= stale
    }

    /// "⧗ support1@desk-2 registering since 12:03" (the time as `local` shows it).
    pub fn marker(&self, local: &str) -> String {
        if self.abandoned {
            format!("abandoned by {} ({} at {local})", self.operator, self.op)
        } else {
            format!("⧗ {} {} since {local}", self.operator, ing(self.op))
        }
    }
}

fn ing(op: Operation) -> String {
    match op {
        Operation::Register => "registering".into(),
        Operation::Deregister => "deregistering".into(),
        other => format!("running {other}"),
    }
}

impl Facts {
    pub fn from_number(number: &PhoneNumber, storage: StorageFact) -> Facts {
        Facts {
            display: number.display_phone_number.clone(),
            status: number.status.clone(),
            verified: number.code_verification_status.clone(),
            coexistence: number.is_on_biz_app,
            pin_enabled: number.is_pin_enabled,
            storage: Some(storage),
            name_review: number.name_under_review(),
            verified_name: number.verified_name.clone(),
            name_status: number.name_state(),
            new_name: number.new_display_name.clone(),
            new_name_status: number.new_name_state(),
            health: number.health_status.clone(),
            platform: number.platform_type.clone(),
            official: number.is_official_business_account,
            throttled: None,
            open_intent: None,
            unknown_outcome: None,
            recorded: Recorded::default(),
            read_at: None,
            profile: None,
        }
    }

    /// The approved name a register would apply now (wareg saw it approved less than 14 days
    /// ago and recorded no register since).
    pub fn name_to_apply(&self, now: DateTime<Utc>) -> Option<&str> {
        self.recorded
            .approval_waiting(now)
            .map(|fact| fact.value.as_str())
    }

    pub fn connected(&self) -> bool {
        self.status == Some(NumberStatus::Connected)
    }

    /// Registered on Cloud API (whatever its quality or limits): storage cannot change in
    /// place, so another region means a region change.
    pub fn registered(&self) -> bool {
        matches!(
            self.status,
            Some(
                NumberStatus::Connected
                    | NumberStatus::Flagged
                    | NumberStatus::Restricted
                    | NumberStatus::RateLimited
            )
        )
    }

    /// Statuses in which the number is known not to be registered on Cloud API.
    /// A status is given but is none of the values wareg plans with.
    pub fn status_unknown(&self) -> Option<String> {
        match &self.status {
            Some(NumberStatus::Unknown(raw)) => Some(raw.clone()),
            Some(NumberStatus::NotKnown) => Some("UNKNOWN".into()),
            _ => None,
        }
    }

    pub fn known_unregistered(&self) -> bool {
        matches!(
            self.status,
            Some(NumberStatus::Disconnected | NumberStatus::Pending | NumberStatus::Unverified)
        )
    }

    fn storage(&self) -> StorageFact {
        self.storage.unwrap_or(StorageFact::Unknown)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanKind {
    Register,
    /// Register again a number that is connected (e.g. after a display-name change).
    Reregister,
    /// Deregister, (settings), register: messaging stops in between.
    RegionChange,
    Deregister,
}

impl PlanKind {
    pub fn words(self) -> &'static str {
        match self {
            PlanKind::Register => "register",
            PlanKind::Reregister => "re-register",
            PlanKind::RegionChange => "region change",
            PlanKind::Deregister => "deregister",
        }
    }
}

/// Something that stops a plan from being sent, in words a support person acts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Blocker {
    /// The number could not be read: nothing is known of its state.
    NotRead,
    /// Also used in the WhatsApp Business app: Meta refuses register and deregister.
    Coexistence,
    /// Deregistering a number that is not registered only spends budget.
    NotRegistered(String),
    /// Ownership is not verified: Meta answers 133006.
    NotVerified(String),
    /// A requested display name is under review: a register has no effect until Meta decides
    /// (docs/graph-api-facts.md §9), so it would only spend an attempt: nothing to override.
    NameUnderReview,
    /// The display name's status (NONE, EXPIRED, DECLINED) is one Meta registers no number
    /// with: nothing to override, the name must be fixed first.
    NameUnusable(NameStatus),
    /// Meta's 133016 lock on register is recorded: a deregister now leaves the number unable
    /// to message until the lock ends.
    RegisterLocked(DateTime<Utc>),
    /// Meta refused a register (100/2388001) saying the number is on an existing WhatsApp
    /// account, and no register worked since: another one only spends an attempt until the
    /// number is freed (overridable: the person may have freed it meanwhile).
    OnExistingAccount(DateTime<Utc>),
    /// Meta refused a register (100/2388001) saying the display name could not be processed,
    /// and no register worked since: edit the name first (overridable likewise).
    NameRefused(DateTime<Utc>),
    /// An official business account: Meta changes its display name only through its direct
    /// support, so a rename through the API is likely refused.
    OfficialAccount,
    /// The current storage could not be read, so whether the plan changes it is not known.
    StorageUnknown,
    /// A status wareg does not know: whether the number is registered (and so whether storage
    /// may be set) cannot be told.
    StatusUnknown(String),
    /// The counted attempts in the window are used up.
    BudgetExhausted { op: Operation, budget: Budget },
    /// Meta answered 133016: the operation is locked until then.
    LockedByMeta { op: Operation, until: DateTime<Utc> },
    /// Meta throttles these calls (80007/80008/4/17) until then.
    Throttled(crate::graph::Throttle),
    /// Someone (here or at another desk) is changing the number right now.
    InProgress(OpenIntent),
    /// A change of the number started and never ended; it still counts.
    Abandoned(OpenIntent),
}

impl Blocker {
    /// Whether `--force` (the TUI's "override") may send anyway. Coexistence never: Meta
    /// refuses it whatever is sent; nor Meta's 133016 lock: every request in it is refused
    /// and pushes nothing forward; unknown storage needs a fresh read, not courage; nor a
    /// name in review: Meta says a register meanwhile "has no effect" (docs/graph-api-facts.md
    /// §9), so a forced one could only spend an attempt, and waiting is the only way on.
    pub fn overridable(&self) -> bool {
        !matches!(
            self,
            Blocker::Coexistence
                | Blocker::StorageUnknown
                | Blocker::LockedByMeta { .. }
                | Blocker::InProgress(_)
                | Blocker::NameUnusable(_)
                | Blocker::NameUnderReview
        )
    }

    /// What a person states by forcing it, when forcing is only right once something was
    /// done: Meta's 2388001 is "not fixed by waiting or by retrying" (docs/graph-api-facts.md
    /// §9), so a register after it goes out only once the cause is fixed, which no read shows.
    /// Both faces say it in these words ("once …, --force sends it"; the TUI's tick).
    pub fn forced_once(&self) -> Option<&'static str> {
        match self {
            Blocker::OnExistingAccount(_) => Some("it is disconnected from that WhatsApp account"),
            Blocker::NameRefused(_) => Some("the display name is edited"),
            _ => None,
        }
    }

    /// Whether overriding it is written into the intent (`forced`), so the trail shows who
    /// went past a spent budget or an abandoned change.
    pub fn override_is_recorded(&self) -> bool {
        self.is_budget()
            || matches!(
                self,
                Blocker::Abandoned(_)
                    | Blocker::RegisterLocked(_)
                    | Blocker::OnExistingAccount(_)
                    | Blocker::NameRefused(_)
            )
    }

    pub fn is_budget(&self) -> bool {
        matches!(
            self,
            Blocker::BudgetExhausted { .. } | Blocker::LockedByMeta { .. }
        )
    }

    pub fn words(&self) -> String {
        match self {
            Blocker::NotRead => "the number's status could not be read, so wareg cannot check this plan against it".into(),
            Blocker::Coexistence => "the number is also used in the WhatsApp Business app (coexistence): Meta allows neither register nor deregister for it; it is managed in that app, and nothing here needs doing".into(),
            Blocker::NotRegistered(status) => format!("the number is not registered (status {status}): deregistering it would only use budget"),
            Blocker::NotVerified(status) => format!("ownership is not verified ({status}): request and enter a verification code first"),
            Blocker::StatusUnknown(status) => format!("the number's status `{status}` is not one wareg knows, so it cannot tell whether the number is registered and storage may be set"),
            Blocker::NameUnderReview => "the requested display name is under review: a register now would have no effect (it spends an attempt and applies nothing until Meta decides); wait for Meta's decision, then register within 14 days of an approval to apply the name".into(),
            Blocker::NameUnusable(status) => format!("the display name's status is {status}: Meta registers no number for API use with it; fix the name first (request a new one with wareg rename, or edit it in WhatsApp Manager)"),
            Blocker::RegisterLocked(until) => format!(
                "register is locked until {}: a deregister now leaves the number unable to message until then",
                crate::clock::words_utc(*until)
            ),
            Blocker::OnExistingAccount(at) => format!(
                "Meta refused a register on {} because the number is on an existing WhatsApp account: disconnect it from that account first (delete the account in the WhatsApp app on the phone); a register before that only spends an attempt",
                crate::clock::words_utc(*at)
            ),
            Blocker::NameRefused(at) => format!(
                "Meta refused a register on {} because the display name could not be processed: edit the name first (wareg rename, or WhatsApp Manager); a register before that only spends an attempt",
                crate::clock::words_utc(*at)
            ),
            Blocker::OfficialAccount => "this is an official business account: Meta changes its display name only through its direct support, and is likely to refuse a request sent here".into(),
            Blocker::StorageUnknown => "the current local storage could not be read, so wareg cannot tell whether this changes it: read the number again".into(),
            Blocker::BudgetExhausted { op, budget } => {
                let next = budget
                    .next_free
                    .map(|at| {
                        format!(
                            "; the next attempt frees up at {}",
                            crate::clock::words_utc(at)
                        )
                    })
                    .unwrap_or_default();
                format!(
                    "the {op} budget is used up ({} of {} in the window{next})",
                    budget.used, budget.limit
                )
            }
            Blocker::LockedByMeta { op, until } => format!(
                "Meta locked {op} for this number (133016) until about {}",
                crate::clock::words_utc(*until)
            ),
            Blocker::InProgress(open) => format!(
                "{} is running {} on this number since {} and it has not ended: wait for it",
                open.operator,
                open.op,
                crate::clock::words_utc(open.since)
            ),
            Blocker::Abandoned(open) => format!(
                "a {} by {} at {} was abandoned without an outcome (it still counts): check the number's status first",
                open.op,
                open.operator,
                crate::clock::words_utc(open.since)
            ),
            Blocker::Throttled(t) => format!(
                "Meta is throttling {} {}: its call budget is spent, and whether it covers register and deregister is not documented",
                t.covers,
                t.words(Utc::now())
            ),
        }
    }
}

/// The budgets a plan is judged against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budgets {
    pub register: Budget,
    pub deregister: Budget,
}

impl Budgets {
    pub fn of(&self, op: Operation) -> Option<&Budget> {
        match op {
            Operation::Register => Some(&self.register),
            Operation::Deregister => Some(&self.deregister),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub number: NumberId,
    pub version: ApiVersion,
    pub kind: PlanKind,
    pub steps: Vec<Step>,
    pub facts: Facts,
    pub budgets: Budgets,
    pub blockers: Vec<Blocker>,
    /// What happens to local storage, in words ("local storage stays DE (…)").
    pub storage_after: String,
    /// What else the user should know (which PIN is needed).
    pub notes: Vec<String>,
    /// Why an explicit confirmation is needed before sending (messaging stops).
    pub confirm: Option<String>,
}

impl Plan {
    /// Attempts of `op` the plan spends.
    pub fn cost(&self, op: Operation) -> u32 {
        self.steps.iter().filter(|s| s.operation() == op).count() as u32
    }

    /// The budgeted operations the plan spends, with their cost.
    pub fn costs(&self) -> Vec<(Operation, u32)> {
        super::plan::budget_costs(&self.steps)
    }

    /// What still stops it when `force` is given.
    /// Whether it can be sent at all: no blocker stands that no override passes (Meta's
    /// lock, coexistence, a change in progress…). A plan that cannot be sent costs nothing.
    pub fn sendable(&self) -> bool {
        self.blockers.iter().all(Blocker::overridable)
    }

    pub fn blocking(&self, force: bool) -> Vec<&Blocker> {
        self.blockers
            .iter()
            .filter(|b| !(force && b.overridable()))
            .collect()
    }

    pub fn needs_pin(&self) -> bool {
        self.steps
            .iter()
            .any(|s| s.operation() == Operation::Register)
    }

    /// One line: "region change: 1. POST /deregister, 2. POST /settings (…), 3. POST /register".
    pub fn summary(&self) -> String {
        let steps: Vec<String> = self
            .steps
            .iter()
            .enumerate()
            .map(|(i, s)| format!("{}. {}", i + 1, s.describe()))
            .collect();
        format!("{}: {}", self.kind.words(), steps.join(", "))
    }
}

/// Chooses the plan. Storage that equals the current one is "keep"; a different storage on a
/// connected number is a region change; everything in the way is a blocker.
pub fn decide(
    number: &NumberId,
    version: ApiVersion,
    facts: &Facts,
    request: Request,
    budgets: &Budgets,
) -> Plan {
    let mut blockers = Vec::new();
    let mut notes = Vec::new();
    let mut confirm = None;
    let storage_after;
    if facts.status.is_none() {
        blockers.push(Blocker::NotRead);
    }
    if facts.coexistence == Some(true) {
        blockers.push(Blocker::Coexistence);
    }
    if let Some(throttle) = &facts.throttled {
        blockers.push(Blocker::Throttled(throttle.clone()));
    }
    match &facts.open_intent {
        Some(open) if open.abandoned => blockers.push(Blocker::Abandoned(open.clone())),
        Some(open) => blockers.push(Blocker::InProgress(open.clone())),
        None => {}
    }
    let (kind, steps) = match request {
        Request::Deregister => {
            if facts.known_unregistered() {
                let status = facts.status.as_ref().map(|s| s.to_string());
                blockers.push(Blocker::NotRegistered(status.unwrap_or_default()));
            } else {
                confirm = Some(
                    "messaging on Cloud API stops at once and local storage turns off (message history is kept)"
                        .to_owned(),
                );
            }
            if let Some(until) = budgets.register.locked_until {
                blockers.push(Blocker::RegisterLocked(until));
            }
            notes.push(
                "deregistering does not delete the number: deleting one is done in WhatsApp Manager (the API cannot)"
                    .to_owned(),
            );
            storage_after = "local storage turns off".to_owned();
            (PlanKind::Deregister, deregister_plan())
        }
        Request::Register(wanted) => {
            let current = facts.storage();
            let choice = normalise(wanted, current);
            if let Some(v) = &facts.verified
                && *v != CodeVerification::Verified
            {
                blockers.push(Blocker::NotVerified(v.to_string()));
            }
            if facts.name_review {
                blockers.push(Blocker::NameUnderReview);
            }
            if let Some(fact) = facts.recorded.on_existing_account() {
                blockers.push(Blocker::OnExistingAccount(fact.time));
            }
            if let Some(fact) = facts.recorded.name_refused() {
                blockers.push(Blocker::NameRefused(fact.time));
            }
            if let Some(status) = facts.name_status.as_ref().filter(|s| s.unusable()) {
                blockers.push(Blocker::NameUnusable(status.clone()));
            }
            let registered = facts.registered();
            let storage_unknown = matches!(current, StorageFact::Unknown | StorageFact::Reading);
            // Setting storage is allowed only while unregistered: with a status wareg cannot
            // read, a storage change could meet a registered number.
            if let Some(status) = facts.status_unknown()
                && choice != StorageChoice::Keep
            {
                blockers.push(Blocker::StatusUnknown(status));
            }
            if registered && choice != StorageChoice::Keep && storage_unknown {
                blockers.push(Blocker::StorageUnknown);
            }
            if registered && choice != StorageChoice::Keep {
                let region = match choice {
                    StorageChoice::Region(r) => Some(r),
                    _ => None,
                };
                storage_after = format!(
                    "local storage becomes {}",
                    storage_words(region.map_or(StorageFact::Off, StorageFact::On))
                );
                confirm = Some(format!(
                    "messaging stops between the deregister and the register; {storage_after}"
                ));
                (PlanKind::RegionChange, region_change_plan(version, region))
            } else {
                storage_after = match (choice, current) {
                    (StorageChoice::Keep, StorageFact::Unknown | StorageFact::Reading) => {
                        "local storage is left as it is (not read)".to_owned()
                    }
                    (StorageChoice::Keep, now) => {
                        format!("local storage stays {}", storage_words(now))
                    }
                    (StorageChoice::Off, _) => "local storage turns off".to_owned(),
                    (StorageChoice::Region(r), _) => {
                        format!(
                            "local storage becomes {}",
                            storage_words(StorageFact::On(r))
                        )
                    }
                };
                let kind = if registered {
                    PlanKind::Reregister
                } else {
                    PlanKind::Register
                };
                (kind, register_plan(version, choice))
            }
        }
    };
    let registers = steps.iter().any(|s| matches!(s, Step::Register { .. }));
    if registers && let Some(name) = facts.name_to_apply(facts.read_at.unwrap_or_else(Utc::now)) {
        notes.push(format!(
            "it applies the approved display name: verified name becomes '{name}'"
        ));
    }
    if registers && let Some(health) = health_words(facts) {
        notes.push(health);
    }
    if registers && let Some(pin) = pin_note(facts) {
        notes.push(pin.to_owned());
    }
    let plan = Plan {
        number: number.clone(),
        version,
        kind,
        steps,
        facts: facts.clone(),
        budgets: *budgets,
        blockers,
        storage_after,
        notes,
        confirm,
    };
    let mut budget_blockers = Vec::new();
    for (op, cost) in plan.costs() {
        let Some(budget) = budgets.of(op) else {
            continue;
        };
        if let Some(until) = budget.locked_until {
            budget_blockers.push(Blocker::LockedByMeta { op, until });
        }
        if budget.used + cost > budget.limit {
            budget_blockers.push(Blocker::BudgetExhausted {
                op,
                budget: *budget,
            });
        }
    }
    Plan {
        blockers: plan.blockers.into_iter().chain(budget_blockers).collect(),
        ..plan
    }
}

/// Asking for the storage already in force is keeping it.
fn normalise(wanted: StorageChoice, current: StorageFact) -> StorageChoice {
    match (wanted, current) {
        (StorageChoice::Region(r), StorageFact::On(c)) if r == c => StorageChoice::Keep,
        (StorageChoice::Off, StorageFact::Off) => StorageChoice::Keep,
        (choice, _) => choice,
    }
}

pub fn storage_words(storage: StorageFact) -> String {
    match storage {
        StorageFact::On(r) => r.words(),
        StorageFact::Off => "off (default storage)".into(),
        StorageFact::Reading => "reading…".into(),
        StorageFact::Unknown => "not known".into(),
    }
}

/// What a register cannot change about a number that is FLAGGED or whose health limits or
/// blocks sending: said in its plan, with each entity's possible solution, so nobody
/// re-registers hoping it helps (the next step's `fix_health` says the same).
/// A register's note on the two-step PIN, when it is known whether one is set (a face that
/// says it in words of its own, as the TUI's pre-flight does, knows which note it is).
pub fn pin_note(facts: &Facts) -> Option<&'static str> {
    match facts.pin_enabled? {
        true => Some("a two-step PIN is set: the PIN given must be that PIN"),
        false => Some("no two-step PIN is set: the PIN given becomes it"),
    }
}

pub fn health_words(facts: &Facts) -> Option<String> {
    let flagged = matches!(facts.status, Some(NumberStatus::Flagged));
    let what = match (flagged, facts.health.as_ref().and_then(|h| h.limit())) {
        (true, Some(limit)) => format!("the number is FLAGGED and sending is {limit}"),
        (true, None) => "the number is FLAGGED (its quality is low)".to_owned(),
        (false, Some(limit)) => format!("sending is {limit}"),
        (false, None) => return None,
    };
    let reasons = facts
        .health
        .as_ref()
        .map(|h| h.reasons())
        .unwrap_or_default();
    let why = if reasons.is_empty() {
        String::new()
    } else {
        format!(": {}", reasons.join("; ").trim_end_matches('.'))
    };
    Some(format!("{what}{why}; re-registering does not fix it"))
}
