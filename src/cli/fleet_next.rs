//! The rows' next steps as `wareg next` and `numbers --refresh` say them: the fleet's reads,
//! the budget book, the ledger's recorded facts and recent records (what is in progress) and
//! each profile's throttle, through `fleet::next`, the rule the TUI table uses. An approval a
//! read shows for the first time is noted in the ledger here.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::context::Context;
use super::error::CliError;
use crate::audit::{BudgetBook, FactBook};
use crate::config::ProfileName;
use crate::engine::{OpenIntent, UnknownOutcome};
use crate::fleet::{NextContext, Row};
use crate::graph::GraphClient;

/// How many of the latest records are looked at for changes in progress (as the TUI does).
const RECENT_RECORDS: usize = 500;

pub fn fill(
    ctx: &Context,
    rows: &mut [Row],
    book: &BudgetBook,
    clients: &BTreeMap<ProfileName, GraphClient>,
) -> Result<(), CliError> {
    let ledger = ctx.ledger()?;
    let now = chrono::Utc::now();
    let shown: HashSet<String> = rows.iter().map(|r| r.id.as_str().to_owned()).collect();
    // Facts are hints: a ledger that cannot give them leaves the steps without them.
    let mut facts = ledger.facts_of(Some(&shown)).unwrap_or_else(|e| {
        eprintln!("warning: the facts recorded of the numbers could not be read: {e}");
        FactBook::default()
    });
    let operator = ctx
        .config
        .ledger
        .operator
        .clone()
        .unwrap_or_else(crate::audit::default_operator);
    for mut fact in crate::fleet::next::sightings(rows, &mut facts, now) {
        fact.operator = Some(operator.clone());
        if let Err(e) = ledger.note_fact(&fact) {
            eprintln!(
                "warning: could not record that {} was approved: {e}",
                fact.number
            );
        }
    }
    let recent = ledger
        .recent(None, RECENT_RECORDS)
        .map_err(|e| CliError::Local(format!("cannot read the audit trail: {e}")))?;
    let open = OpenIntent::by_number(&recent, now, ctx.config.ledger.stale_intent);
    let unknown = UnknownOutcome::by_number(&recent, now, ctx.config.ledger.stale_intent);
    let throttles: HashMap<String, crate::graph::Throttle> = clients
        .iter()
        .filter_map(|(name, client)| Some((name.as_str().to_owned(), client.throttle()?)))
        .collect();
    let next = NextContext {
        budgets: book,
        facts: &facts,
        open: &open,
        unknown: &unknown,
        throttles: &throttles,
        default_profile: &ctx.config.default_profile,
        now,
    };
    crate::fleet::next::fill(rows, &next);
    Ok(())
}
