//! The dry run: each chosen number is read once and planned by the engine; numbers that are
//! blocked, or already in the state asked for, are left out with their reason. The run then
//! sends exactly these plans (their reads are not repeated).

use futures::StreamExt;
use std::collections::HashMap;
use std::time::{Duration, Instant};

use super::Action;
use crate::audit::Operation;
use crate::config::ProfileName;
use crate::engine::{Engine, Plan, PlanKind, StorageBatch};
use crate::fleet::filter::Filter;
use crate::fleet::{READ_CONCURRENCY, Row};
use crate::graph::{NumberId, PhoneNumber, StorageChoice};

/// A chosen number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub id: NumberId,
    pub profile: crate::config::ProfileName,
    pub label: Option<String>,
}

#[derive(Debug, Clone)]
pub enum RowPlan {
    /// The engine's plan, to be sent as it is.
    Send(Box<Plan>),
    /// One `POST /{id}` with the new PIN.
    SetPin,
    /// Left out: blocked, already done, or unreadable.
    Skip(String),
}

#[derive(Debug, Clone)]
pub struct PlannedRow {
    pub target: Target,
    pub plan: RowPlan,
    /// What the read said, for the summary and the journal.
    pub status: Option<String>,
    /// The display phone number the read gave, so results name the number as people do.
    pub display: Option<String>,
    /// The number's next step, when the filter chose by it (`next:register`).
    pub next: Option<crate::engine::NextStep>,
}

impl PlannedRow {
    /// The calls it will send, as a person reads them.
    pub fn calls(&self) -> Vec<String> {
        match &self.plan {
            RowPlan::Send(plan) => plan.steps.iter().map(|s| s.describe()).collect(),
            RowPlan::SetPin => vec!["POST /{id} (two-step PIN)".into()],
            RowPlan::Skip(_) => Vec::new(),
        }
    }

    /// What its plan leaves of the budgets it spends: "9/10" for the one it spends, "dereg
    /// 9/10, reg 9/10" for a region change; "—" when it spends none.
    pub fn budget_after(&self) -> String {
        let RowPlan::Send(plan) = &self.plan else {
            return "—".into();
        };
        let after: Vec<(Operation, String)> = plan
            .costs()
            .into_iter()
            .filter_map(|(op, cost)| {
                let b = plan.budgets.of(op)?;
                Some((op, format!("{}/{}", b.left().saturating_sub(cost), b.limit)))
            })
            .collect();
        match after.as_slice() {
            [] => "—".into(),
            [(_, one)] => one.clone(),
            many => many
                .iter()
                .map(|(op, left)| format!("{} {left}", short(*op)))
                .collect::<Vec<_>>()
                .join(", "),
        }
    }

    pub fn kind(&self) -> &'static str {
        match &self.plan {
            RowPlan::Send(plan) => plan.kind.words(),
            RowPlan::SetPin => "set PIN",
            RowPlan::Skip(_) => "skipped",
        }
    }
}

/// Every chosen number, planned, in the order chosen.
#[derive(Debug, Clone)]
pub struct BulkPlan {
    pub rows: Vec<PlannedRow>,
    /// The mean time of one read while planning, for the run's time estimate.
    pub mean_read: Duration,
}

impl BulkPlan {
    pub fn to_send(&self) -> impl Iterator<Item = &PlannedRow> {
        self.rows
            .iter()
            .filter(|r| !matches!(r.plan, RowPlan::Skip(_)))
    }

    /// Requests the run will send.
    pub fn requests(&self) -> usize {
        self.to_send().map(|r| r.calls().len()).sum()
    }

    /// The budget attempts the run spends, by operation (only those it spends).
    pub fn attempts(&self) -> Vec<(Operation, u32)> {
        let mut spent: Vec<(Operation, u32)> = Vec::new();
        for row in self.to_send() {
            if let RowPlan::Send(plan) = &row.plan {
                for (op, cost) in plan.costs() {
                    match spent.iter_mut().find(|(o, _)| *o == op) {
                        Some((_, n)) => *n += cost,
                        None => spent.push((op, cost)),
                    }
                }
            }
        }
        spent
    }

    /// The totals in words, plurals right: "2 numbers, 2 requests, 2 deregister attempts,
    /// about 3 s".
    pub fn totals(&self, concurrency: usize) -> String {
        let mut parts = vec![
            crate::plural::count(self.to_send().count(), "number"),
            crate::plural::count(self.requests(), "request"),
        ];
        let attempts = self.attempts();
        match attempts.as_slice() {
            [] => {}
            [(op, n)] => parts.push(crate::plural::count(*n as usize, &format!("{op} attempt"))),
            many => {
                let each: Vec<String> = many.iter().map(|(op, n)| format!("{n} {op}")).collect();
                parts.push(format!("{} attempts", each.join(" and ")));
            }
        }
        parts.push(format!(
            "about {} s",
            self.estimate(concurrency).as_secs().max(1)
        ));
        parts.join(", ")
    }

    /// One PIN for many numbers: how many of them already have a two-step PIN (the one typed
    /// must be theirs, and wareg cannot check it before sending), with the way round it.
    pub fn pin_warning(&self) -> Option<String> {
        let with_pin = self
            .to_send()
            .filter(|row| match &row.plan {
                RowPlan::Send(plan) => plan.needs_pin() && plan.facts.pin_enabled == Some(true),
                _ => false,
            })
            .count();
        (with_pin > 0).then(|| {
            format!(
                "{} a two-step PIN already: the one PIN given must be theirs (wareg cannot check it; a wrong one costs an attempt each). For numbers with different PINs use --pin-command",
                match with_pin {
                    1 => "1 number has".to_owned(),
                    n => format!("{n} numbers have"),
                }
            )
        })
    }

    /// Bulk registers meet Meta's cap on registered numbers per business portfolio
    /// (docs/graph-api-facts.md §9): said wherever a bulk register is planned (the CLI's
    /// plan, the TUI's).
    pub fn cap_note(&self, action: Action) -> Option<&'static str> {
        (action == Action::Register && self.to_send().next().is_some()).then_some(
            "Meta caps a business portfolio at 2 registered numbers until the business is verified (20 after verification or a 2,000 messaging limit); registers past the cap are refused",
        )
    }

    /// A rough wall time: the calls in waves of `concurrency`, each about as long as a read.
    pub fn estimate(&self, concurrency: usize) -> Duration {
        let per_number = self.to_send().map(|r| r.calls().len()).max().unwrap_or(0) as u32;
        let waves = self.to_send().count().div_ceil(concurrency.max(1)) as u32;
        self.mean_read * per_number * waves
    }
}

/// What a bulk's filter (or label glob) looked at and what it matched, for the words beside
/// the plan. Without `--ids` a bulk chooses among the config's `[[numbers]]` only (README
/// "Bulk actions"), so the numbers a listing discovered are never looked at: a filter that
/// matches few or none of the configured ones says so, and says what it did not look at,
/// rather than print an empty plan as if the fleet had nothing to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Choice {
    /// How many numbers the filter looked at.
    pub looked_at: usize,
    pub matched: usize,
    /// They were the config's numbers (else the `--ids` file's).
    pub configured: bool,
    /// Numbers the last listings found that the config does not list: not looked at.
    pub discovered: usize,
}

impl Choice {
    /// "matched 0 of 1 configured number; 15 more numbers the last listings found are not in
    /// the config, so not included (…)"; None when it matched all it could have.
    pub fn words(&self) -> Option<String> {
        let missed = self.configured && self.discovered > 0;
        if self.matched == self.looked_at && !missed {
            return None;
        }
        let of = if self.configured {
            crate::plural::count(self.looked_at, "configured number")
        } else {
            format!(
                "{} in the --ids file",
                crate::plural::count(self.looked_at, "number")
            )
        };
        let mut words = format!("matched {} of {of}", self.matched);
        if missed {
            words.push_str(&format!(
                "; {} the last listings found {} not in the config, so not included (a bulk chooses among the config's [[numbers]]: add them there, or give their ids with --ids FILE)",
                crate::plural::count(self.discovered, "more number"),
                if self.discovered == 1 { "is" } else { "are" }
            ));
        }
        Some(words)
    }
}

/// How a budget's operation is written in a narrow column.
fn short(op: Operation) -> &'static str {
    match op {
        Operation::Register => "reg",
        Operation::Deregister => "dereg",
        other => other.as_str(),
    }
}

/// Reads and plans every target, as many at a time as the fleet's reads
/// ([`READ_CONCURRENCY`]), in the order given. `filter` (when it needs live data) drops the
/// numbers it does not match; `force` lets overridable blockers through.
///
/// Not the run's concurrency: that is how many numbers are changed at once, and a plan only
/// reads. The plan's calls cost the WABA's budget the same however many go at once; at the
/// run's 4 the CLI's plan took twice its limit of reads × latency / 8 (issue 28).
pub async fn plan_all(
    engines: &HashMap<ProfileName, Engine>,
    targets: Vec<Target>,
    action: Action,
    storage: StorageChoice,
    filter: Option<&Filter>,
    force: bool,
) -> BulkPlan {
    let started = Instant::now();
    let count = targets.len();
    let (engines, batches) = gathering_storage(engines);
    let rows: Vec<Option<PlannedRow>> = futures::stream::iter(targets.into_iter().map(|target| {
        let engine = engines.get(&target.profile);
        async move {
            let Some(engine) = engine else {
                return Some(skip(target, "no profile for it".into(), None));
            };
            plan_one(engine, target, action, storage, filter, force).await
        }
    }))
    .buffered(READ_CONCURRENCY)
    .collect()
    .await;
    keep_gathered(&engines, &batches).await;
    let reads = count.max(1) as u32;
    BulkPlan {
        rows: rows.into_iter().flatten().collect(),
        mean_read: started.elapsed() * READ_CONCURRENCY as u32 / reads,
    }
}

/// Clones of `engines` that gather the storage their plans read (each profile's batch beside
/// it): a plan of many numbers keeps what it read in one write per profile at its end, not one
/// locked, synced write per number (200 of them held a 200-number plan up by a second).
pub(super) fn gathering_storage(
    engines: &HashMap<ProfileName, Engine>,
) -> (
    HashMap<ProfileName, Engine>,
    HashMap<ProfileName, StorageBatch>,
) {
    let mut gathering = HashMap::new();
    let mut batches = HashMap::new();
    for (profile, engine) in engines {
        let (engine, batch) = engine.gathering_storage();
        gathering.insert(profile.clone(), engine);
        batches.insert(profile.clone(), batch);
    }
    (gathering, batches)
}

/// Keeps what [`gathering_storage`]'s engines read.
pub(super) async fn keep_gathered(
    engines: &HashMap<ProfileName, Engine>,
    batches: &HashMap<ProfileName, StorageBatch>,
) {
    for (profile, batch) in batches {
        if let Some(engine) = engines.get(profile) {
            batch.keep(engine).await;
        }
    }
}

fn skip(target: Target, reason: String, status: Option<String>) -> PlannedRow {
    PlannedRow {
        target,
        plan: RowPlan::Skip(reason),
        status,
        display: None,
        next: None,
    }
}

pub(super) async fn plan_one(
    engine: &Engine,
    target: Target,
    action: Action,
    storage: StorageChoice,
    filter: Option<&Filter>,
    force: bool,
) -> Option<PlannedRow> {
    let number = match engine.client.get_number(&target.id).await {
        Ok(number) => number,
        Err(e) => return Some(skip(target, format!("cannot be read: {}", e.short()), None)),
    };
    let mut next = None;
    if let Some(filter) = filter {
        // Storage costs a call of its own: read only when the filter names it.
        let mut row = Row::configured(
            target.id.clone(),
            target.label.clone(),
            target.profile.clone(),
        );
        row.set_read(Ok(number.clone()), chrono::Utc::now());
        if filter.needs_storage() {
            match engine.client.get_settings(&target.id).await {
                Ok(settings) => {
                    if let Some(storage) = settings.storage_configuration {
                        engine.keep_storage(&target.id, storage.clone()).await;
                        row.storage = crate::fleet::Storage::Known(storage);
                    }
                }
                Err(e) => {
                    let why = format!("storage cannot be read: {}", e.short());
                    return Some(skip(target, why, None));
                }
            }
        }
        if filter.needs_next() {
            // The step the engine gives from this read and the ledger, as `wareg next` says it.
            match engine.next_of(&target.id, &number).await {
                Ok(step) => row.next = Some(step),
                Err(e) => {
                    let why = format!("its next step cannot be told: {e}");
                    return Some(skip(target, why, None));
                }
            }
        }
        if !filter.matches(&row) {
            return None;
        }
        next = row.next;
    }
    let status = number.status.as_ref().map(|s| s.to_string());
    let display = number.display_phone_number.clone();
    let Some(request) = action.request(storage) else {
        return Some(PlannedRow {
            next,
            display,
            ..set_pin_row(target, &number, status)
        });
    };
    let plan = match engine.prepare_with(&target.id, request, &number).await {
        Ok(plan) => plan,
        Err(e) => {
            return Some(PlannedRow {
                display,
                ..skip(target, e.to_string(), status)
            });
        }
    };
    if let Some(reason) = already_done(action, &plan) {
        return Some(PlannedRow {
            next,
            display,
            ..skip(target, reason, status)
        });
    }
    if let Some(blocker) = plan.blocking(force).first() {
        return Some(PlannedRow {
            next,
            display,
            ..skip(target, blocker.words(), status)
        });
    }
    Some(PlannedRow {
        target,
        plan: RowPlan::Send(Box::new(plan)),
        status,
        display,
        next,
    })
}

fn set_pin_row(target: Target, number: &PhoneNumber, status: Option<String>) -> PlannedRow {
    if number.is_on_biz_app == Some(true) {
        return skip(
            target,
            "the number is also used in the WhatsApp Business app (coexistence)".into(),
            status,
        );
    }
    PlannedRow {
        target,
        plan: RowPlan::SetPin,
        status,
        display: None,
        next: None,
    }
}

/// Why the number needs nothing: it is already in the state the action asks for.
fn already_done(action: Action, plan: &Plan) -> Option<String> {
    let status = plan
        .facts
        .status
        .as_ref()
        .map(|s| s.to_string())
        .unwrap_or_default();
    match action {
        Action::Register if plan.kind == PlanKind::Reregister => {
            Some(format!("already registered ({status})"))
        }
        Action::Region if plan.kind == PlanKind::Reregister => Some(format!(
            "already registered with this storage ({})",
            plan.storage_after
        )),
        Action::Reregister if !plan.facts.registered() => Some(format!(
            "not registered ({status}): use bulk register for it"
        )),
        _ => None,
    }
}
