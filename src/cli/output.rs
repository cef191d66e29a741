//! Printing results: a human summary, or one JSON document under `--json`.

use chrono::{DateTime, Local, Utc};
use serde_json::{Value, json};

use crate::audit::Budget;
use crate::config::BudgetPolicy;

pub fn print_json(value: &Value) {
    // A serde_json::Value always serializes.
    let text = serde_json::to_string_pretty(value).unwrap_or_default();
    say!("{}", crate::clean::json_for_terminal(&text));
}

pub fn budget_json(budget: &Budget) -> Value {
    json!({
        "used": budget.used,
        "limit": budget.limit,
        "left": budget.left(),
        "next_free": budget.next_free,
        "locked_until": budget.locked_until,
    })
}

/// "9 of 10 left in the 7-day window" or "none left; the next frees up at ...".
pub fn budget_line(budget: &Budget, policy: &BudgetPolicy) -> String {
    let window = policy.window_words();
    // Meta's word first: while its lock lasts, the count does not matter.
    if let Some(until) = budget.locked_until {
        return format!(
            "locked by Meta (133016) until about {}; nothing can be sent before",
            local_time(until)
        );
    }
    match budget.next_free {
        Some(at) => format!(
            "none of {} left in the {window} window; the next attempt frees up at {}",
            budget.limit,
            local_time(at)
        ),
        None => format!(
            "{} of {} left in the {window} window",
            budget.left(),
            budget.limit
        ),
    }
}

pub fn local_time(at: DateTime<Utc>) -> String {
    at.with_timezone(&Local)
        .format("%Y-%m-%d %H:%M %Z")
        .to_string()
}

/// From this share of Meta's call budget on, plain output says so.
pub const USAGE_SHOWN_FROM: u32 = 50;

/// Meta's call budgets, when the answers put one at or above `USAGE_SHOWN_FROM` percent.
pub fn print_usage(usage: &crate::graph::Usage) {
    for (waba, w) in &usage.wabas {
        if w.percent >= USAGE_SHOWN_FROM || w.regain_minutes > 0 {
            let wait = if w.regain_minutes > 0 {
                format!("; calls work again in about {} min", w.regain_minutes)
            } else {
                String::new()
            };
            say!(
                "API budget of WABA {waba}: {} % used (shared with everything on this app){wait}",
                w.percent
            );
        }
    }
    if let Some(app) = usage.app_percent.filter(|p| *p >= USAGE_SHOWN_FROM) {
        say!("API budget of the app: {app} % used");
    }
}
