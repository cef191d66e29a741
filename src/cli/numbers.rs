//! `wareg numbers [--refresh] [--json | --csv]`

use serde_json::{Value, json};
use std::collections::BTreeMap;

use super::args::{Global, NumbersArgs};
use super::context::{Context, NoToken, block_on, clients_in_view};
use super::error::CliError;
use super::fleet_progress;
use super::kept::Kept;
use super::output::{BudgetJson, JsonStream, print_usage, usage_lines};
use super::progress::Progress;
use crate::audit::{BudgetBook, Operation};
use crate::config::ProfileName;
use crate::fleet::column::TextWidth;
use crate::fleet::export::{self, ExportRow};
use crate::fleet::{self, Column, Facts, Fleet, Listing, Row, Screen};
use crate::graph::{ApiError, GraphClient, NumberId, PhoneNumber, Usage};
use crate::width;

pub fn run(global: &Global, args: NumbersArgs) -> Result<(), CliError> {
    // A listing from the config alone reads only: it makes no data dir.
    let ctx = if args.refresh {
        Context::load(global)?
    } else {
        Context::load_for_reading(global)?
    };
    let only = global.profile.as_deref();
    if let Some(p) = only.filter(|p| ctx.config.profile(p).is_none()) {
        return Err(CliError::Usage(format!("there is no profile named `{p}`")));
    }

    let mut clients = BTreeMap::new();
    // Profiles whose token cannot be read: the others are read all the same, and these are
    // said once (as `wareg next` says them).
    let mut no_token: Vec<NoToken> = Vec::new();
    // --storage held back at the high-water mark: the storage earlier reads kept stands in.
    let mut storage_held = false;
    let (rows, fleet) = if args.refresh {
        // Cleared before anything else is printed; on stderr, and only on a terminal.
        let progress = Progress::spinner("reading numbers");
        let observer = fleet_progress::observer(&progress);
        let (found, missing) = clients_in_view(&ctx, only)?;
        no_token = missing;
        for (name, client) in found {
            clients.insert(name, client.with_observer(observer.clone()));
        }
        let (mut rows, fleet) = block_on(fleet::refresh(&ctx.config, &clients, only))?;
        for row in rows.iter_mut() {
            if let Some(missing) = no_token.iter().find(|n| n.profile == row.profile) {
                row.set_failed(missing.not_read());
            }
        }
        if args.storage {
            let mut usage = Usage::default();
            for client in clients.values() {
                usage.merge(client.usage());
            }
            let asker = if args.yes {
                fleet::read_guard::Asker::Person
            } else {
                fleet::read_guard::Asker::Refresh
            };
            let used = usage.highest();
            if fleet::read_guard::allows(asker, fleet::read_guard::ReadKind::Storage, used) {
                block_on(fleet::read_storage(&mut rows, &clients, &fleet))?;
                // Kept for the TUI (and the other desks): it need not read them again.
                let operator = ctx
                    .config
                    .ledger
                    .operator
                    .clone()
                    .unwrap_or_else(crate::audit::default_operator);
                let entries = fleet::storage_entries(&rows, &operator);
                if let Err(e) = ctx.ledger()?.note_storage(&entries) {
                    eprintln!("warning: the storage read could not be kept: {e}");
                }
            } else {
                storage_held = true;
                eprintln!("warning: {}", held_storage_words(&rows, &clients, used));
            }
        }
        progress.finish();
        super::context::keep_known(&ctx.data_dir, &rows);
        (rows, fleet)
    } else {
        (fleet::configured_rows(&ctx.config, only), Fleet::default())
    };
    let ledger = ctx.ledger()?;
    // Nothing read now: what earlier reads kept stands in (and the numbers they listed).
    let mut rows = rows;
    let kept = if storage_held {
        Kept::storage_only(ledger.as_ref())
    } else if args.refresh {
        Kept::default()
    } else {
        Kept::load(&ctx, ledger.as_ref(), only, &mut rows)
    };
    // Freed with the process when the command ends, not one allocation at a time: at 20,000
    // rows that took 30 ms after the last line was written.
    let mut rows = std::mem::ManuallyDrop::new(rows);
    // Counted by the engine from the ledger, as every budget is: of the rows shown only.
    let shown = rows.iter().map(|r| r.id.as_str().to_owned()).collect();
    let book = crate::engine::budget_book_of(
        ledger.as_ref(),
        ctx.config.budget,
        chrono::Utc::now(),
        &shown,
    )
    .map_err(|e| CliError::Local(format!("cannot read the audit trail: {e}")))?;
    if args.refresh {
        // What each number needs next, from what was just read.
        super::fleet_next::fill(&ctx, &mut rows, &book, &clients)?;
    }
    // What Meta said about its call budgets while answering.
    let mut usage = Usage::default();
    for client in clients.values() {
        usage.merge(client.usage());
    }
    let failed = fleet.failed_listings();
    // Listed rows whose id is not a number id: left out, and said (exit 3 when nothing worse).
    let left_out = left_out_lines(&ctx.config, only, &fleet);

    let tokenless = |row: &Row| no_token.iter().any(|n| n.profile == row.profile);
    // A failed listing is an error for its profile even when single reads filled the rows.
    let worse = match failed.iter().max_by_key(|(_, e)| e.exit_code()) {
        Some((profile, e)) => Some(CliError::api(
            format!("profile {profile}: listing the WABA failed"),
            (*e).clone(),
        )),
        // Reads stopped at an error the whole profile shares: that error, once.
        None => match fleet.stops().next() {
            Some((profile, e)) => Some(CliError::api(
                format!("profile {profile}: its numbers could not be read"),
                e.clone(),
            )),
            None => worst_error(rows.iter().filter(|r| !tokenless(r)))
                .map(|e| CliError::api("some numbers could not be read", e.clone())),
        },
    };
    // What decides the exit: the worst of what failed, else a profile without a token (exit 2:
    // the config's), else listing rows left out. What does not decide it is said on stderr.
    let error = match worse {
        Some(e) => {
            if !args.json {
                for missing in &no_token {
                    eprintln!("{}", missing.words());
                }
            }
            Some(e)
        }
        None => NoToken::error_of(&no_token).or_else(|| left_out_error(&left_out)),
    };
    if args.json {
        // Written row by row; what sums them up (profiles, errors) follows the rows.
        let mut doc = JsonStream::start();
        doc.field("ok", &json!(error.is_none()));
        doc.start_array("numbers");
        for row in rows.iter() {
            doc.item(&row_json(row, &book, kept.json(row)));
        }
        doc.end_array();
        let profiles: Vec<Value> = fleet::profiles_in_view(&ctx.config, only)
            .iter()
            .map(|name| profile_json(name, &fleet))
            .collect();
        doc.field("profiles", &json!(profiles));
        doc.field("api_usage", &json!(usage));
        if !no_token.is_empty() {
            let not_read: Vec<Value> = no_token
                .iter()
                .map(|n| json!({"profile": n.profile, "why": crate::clean::uncut(&n.why)}))
                .collect();
            doc.field("not_read", &json!(not_read));
        }
        if let Some(e) = &error {
            // One document on stdout: the error goes in it, not in a second one.
            doc.field("error", &e.to_json()["error"]);
            doc.field("exit_code", &json!(e.exit_code()));
        }
        doc.finish();
        return error.map_or(Ok(()), |e| Err(CliError::InDocument(Box::new(e))));
    }
    if args.csv {
        // stdout is the CSV alone: what the table adds around it goes to stderr.
        for (profile, e) in &failed {
            eprintln!("{}", listing_failed(profile, e));
        }
        for line in &left_out {
            eprintln!("{line}");
        }
        for line in usage_lines(&usage) {
            eprintln!("{line}");
        }
        write_csv(&rows, &book)?;
        return error.map_or(Ok(()), Err);
    }
    for (profile, e) in &failed {
        say!("{}", listing_failed(profile, e));
    }
    for line in &left_out {
        say!("{line}");
    }
    print_usage(&usage);
    print_table(
        &rows,
        &book,
        args.refresh,
        &fleet,
        args.storage,
        &kept,
        &tokenless,
    );
    error.map_or(Ok(()), Err)
}

/// "profile sb: 2 rows had an id that is not a number id: left out", for each profile in view
/// whose listing had such rows (`wareg next` says the same).
pub(super) fn left_out_lines(
    config: &crate::config::Config,
    only: Option<&str>,
    fleet: &Fleet,
) -> Vec<String> {
    fleet::profiles_in_view(config, only)
        .iter()
        .filter(|name| fleet.left_out(name) > 0)
        .map(|name| {
            format!(
                "profile {name}: {}",
                fleet::left_out_words(fleet.left_out(name))
            )
        })
        .collect()
}

/// Why `--storage` read nothing, and what `--yes` would cost: its calls, their share of what
/// is left of the budget (as large as the answers have shown it), and what an overrun does.
fn held_storage_words(
    rows: &[Row],
    clients: &BTreeMap<ProfileName, GraphClient>,
    used: Option<u32>,
) -> String {
    use fleet::read_guard::{budget_of_rows, cost_words, overrun_words, usage_words};
    // What `read_storage` would read: every row the refresh read, configured or not.
    let calls = rows.iter().filter(|r| r.number().is_some()).count();
    // The smallest budget any profile's answers showed: the share is not understated.
    let per_point = clients
        .values()
        .filter_map(GraphClient::calls_per_point)
        .min();
    let budget = budget_of_rows(rows, per_point);
    let overrun = overrun_words(calls, used, budget)
        .map(|words| format!(" {words}."))
        .unwrap_or_default();
    format!(
        "{}: storage is not read (one call per number). --yes reads it anyway: {}.{overrun}",
        usage_words(used.unwrap_or_default()),
        cost_words(calls, used, budget)
    )
}

/// The error of a command whose listings held rows it left out (exit 3), when nothing worse
/// happened.
pub(super) fn left_out_error(lines: &[String]) -> Option<CliError> {
    lines.first().map(|line| {
        CliError::api(
            "a listing held rows wareg cannot use",
            crate::graph::ApiError::Refused(line.clone()),
        )
    })
}

/// The line for a profile whose listing failed, cleaned as a whole: the profile's name comes
/// from the config and the error's words from the server.
fn listing_failed(profile: &str, e: &impl std::fmt::Display) -> String {
    crate::clean::uncut(&format!("profile {profile}: listing the WABA failed: {e}")).into_owned()
}

/// The rows as CSV on stdout, each written as it is made. A reader that went away (`| head`)
/// ends it quietly, as for the table.
fn write_csv(rows: &[Row], book: &BudgetBook) -> Result<(), CliError> {
    let out = std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout().lock());
    let export_rows = rows.iter().map(|row| ExportRow::of(row, book));
    match export::write_csv(export_rows, out) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(CliError::Local(format!(
            "cannot write the CSV to stdout: {e}"
        ))),
        _ => Ok(()),
    }
}

fn profile_json(name: &str, fleet: &Fleet) -> Value {
    match fleet.listing(name) {
        None => json!({"name": name, "listing": "none"}),
        Some(Listing::Waiting) => json!({"name": name, "listing": "not read"}),
        Some(Listing::Listed { count }) => {
            json!({"name": name, "listing": "ok", "count": count, "left_out": fleet.left_out(name)})
        }
        Some(Listing::Failed(e)) => {
            json!({"name": name, "listing": "failed", "error": super::error::api_error_json(e), "message": e.to_string()})
        }
    }
}

fn worst_error<'a>(rows: impl Iterator<Item = &'a Row>) -> Option<&'a ApiError> {
    let errors = rows.filter_map(Row::error);
    let mut worst = None;
    for e in errors {
        // Network failures (exit 3) outrank Graph errors (exit 1).
        if worst.is_none_or(|w: &ApiError| e.exit_code() > w.exit_code()) {
            worst = Some(e);
        }
    }
    worst
}

/// One row of `numbers --json`, serialized straight to the output: at 20,000 rows, a tree of
/// JSON values per row cost more than reading the listing. The keys are in the order the
/// document has always had them (alphabetical); `live` has the API's fields in their order.
#[derive(serde::Serialize)]
struct RowJson<'a> {
    budget: RowBudgets,
    configured: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<Value>,
    id: &'a NumberId,
    /// Without `--refresh` (or with its storage held back): what earlier reads kept of it,
    /// with when (`cli::kept`).
    #[serde(skip_serializing_if = "Option::is_none")]
    kept: Option<Value>,
    label: &'a Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    live: Option<&'a PhoneNumber>,
    /// What it needs next (null when it was not read).
    next: Option<&'a crate::engine::NextStep>,
    profile: &'a str,
    /// The local-storage setting, when it was read (`--storage`).
    #[serde(skip_serializing_if = "Option::is_none")]
    storage: Option<Value>,
}

#[derive(serde::Serialize)]
struct RowBudgets {
    deregister: BudgetJson,
    register: BudgetJson,
}

fn row_json<'a>(row: &'a Row, book: &BudgetBook, kept: Option<Value>) -> RowJson<'a> {
    let budget = |op| BudgetJson::from(&book.budget(row.id.as_str(), op));
    RowJson {
        budget: RowBudgets {
            deregister: budget(Operation::Deregister),
            register: budget(Operation::Register),
        },
        configured: row.configured,
        error: row
            .error()
            .map(|e| json!({"message": e.to_string(), "detail": super::error::api_error_json(e)})),
        id: &row.id,
        kept,
        label: &row.label,
        live: row.number(),
        next: row.next.as_ref(),
        profile: &row.profile,
        storage: match &row.storage {
            crate::fleet::Storage::Known(s) => Some(json!({
                "summary": s.summary(),
                "status": s.status.as_str(),
                "region": s.data_localization_region,
            })),
            crate::fleet::Storage::Failed(why) => Some(json!({"error": why})),
            _ => None,
        },
    }
}

fn print_table(
    rows: &[Row],
    book: &BudgetBook,
    refreshed: bool,
    fleet: &Fleet,
    with_storage: bool,
    kept: &Kept,
    tokenless: &dyn Fn(&Row) -> bool,
) {
    let listing_failed = !fleet.failed_listings().is_empty();
    if rows.is_empty() && listing_failed {
        return;
    }
    if rows.is_empty() && !refreshed {
        say!(
            "No numbers configured. Add [[numbers]] entries, or list a profile's WABA with --refresh (it needs waba_id)."
        );
        return;
    }
    if rows.is_empty() {
        say!("No numbers: none configured and no WABA listed any.");
        return;
    }
    // STORAGE when it was read (--storage) or kept from an earlier read, before the budgets.
    let with_storage = with_storage || (!refreshed && kept.any_storage(rows));
    let mut columns: Vec<Column> = Column::TEXT.to_vec();
    if let Some(at) = columns.iter().position(|c| *c == Column::RegisterLeft) {
        columns.splice(at..at, with_storage.then_some(Column::Storage));
    }
    let columns: Vec<(Column, TextWidth)> = columns
        .into_iter()
        .filter_map(|c| Some((c, c.text_width()?)))
        .collect();
    let unknown = if refreshed { "?" } else { "-" };
    let screen = Screen::default();
    let cells = |row: &Row| -> Vec<String> {
        let facts = Facts {
            row,
            budgets: book,
            screen: &screen,
        };
        columns
            .iter()
            .map(|(c, _)| kept_words(*c, row, kept).unwrap_or_else(|| c.words(&facts, unknown)))
            .collect()
    };
    // Each column as wide as the longest value it prints (a label or a name cut at its most):
    // a long value (a NEXT step in words, a long name) never pushes the columns after it out of
    // line. The rows are worded twice, once to measure, so none is held.
    let mut widths: Vec<usize> = columns.iter().map(|(_, w)| width::of(w.title)).collect();
    for row in rows {
        for ((_, w), (at, text)) in columns.iter().zip(widths.iter_mut().zip(cells(row))) {
            let cells = width::of(&text);
            *at = (*at).max(if w.cut { cells.min(w.width) } else { cells });
        }
    }
    let line = |texts: Vec<String>| -> String {
        let line: Vec<String> = columns
            .iter()
            .zip(&widths)
            .zip(texts)
            .map(|(((_, w), &cells), text)| match (w.right, w.cut) {
                (true, _) => width::pad_left(&text, cells),
                (false, true) => width::pad(&width::ellipsize(&text, cells), cells),
                (false, false) => width::pad(&text, cells),
            })
            .collect();
        line.join("  ").trim_end().to_owned()
    };
    say!(
        "{}",
        line(columns.iter().map(|(_, w)| w.title.to_owned()).collect())
    );
    for row in rows {
        say!("{}", line(cells(row)));
        // A profile's reads stopped at one error for all, or its token could not be read:
        // said once, not under each number.
        if let Some(e) = row
            .error()
            .filter(|_| fleet.stopped(&row.profile).is_none() && !tokenless(row))
        {
            say!("    error: {e}");
        }
        for note in row.number().map(|n| n.notes()).unwrap_or_default() {
            say!("    {note}");
        }
    }
    for (profile, e) in fleet.stops() {
        let unread = rows
            .iter()
            .filter(|r| r.profile == profile && r.number().is_none())
            .count();
        say!(
            "{} of profile {profile} not read: {} stops every read of it (said above)",
            crate::plural::count(unread, "number"),
            e.short()
        );
    }
    // Nothing kept is loaded for a refresh that read what it shows.
    if let Some(line) = kept.age_line(rows, chrono::Utc::now()) {
        say!("{line}");
    }
}

/// What an earlier read kept of a value the row has not read now: its name, its display
/// number, its storage ("DE · 12 d" once a day old, as the TUI writes a kept value).
fn kept_words(column: Column, row: &Row, kept: &Kept) -> Option<String> {
    let known = || kept.known(row);
    let text = match column {
        Column::Name if row.number().is_none() => known()?.name.clone()?,
        Column::Number if row.number().is_none() => known()?.display.clone()?,
        Column::Storage if row.storage == crate::fleet::Storage::NotRead => {
            let entry = kept.storage(row)?;
            let summary = entry.storage.summary();
            match crate::audit::storage::age_words(entry.read_at, chrono::Utc::now()) {
                Some(age) => format!("{summary} · {age}"),
                None => summary,
            }
        }
        _ => return None,
    };
    Some(crate::clean::text(&text, 200))
}
