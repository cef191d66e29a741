//! A bulk popup at each of its stages, for the snapshots and the key tables.

use std::time::Duration;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::app_fixture::loaded;
use wareg::tui::app::App;
use wareg::tui::msg::{Cmd, Msg};

fn key(app: &mut App, code: KeyCode) -> Vec<Cmd> {
    app.update(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn keys(app: &mut App, codes: &[KeyCode]) -> Vec<Cmd> {
    codes.iter().flat_map(|c| key(app, *c)).collect()
}

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        key(app, KeyCode::Char(c));
    }
}

/// The plan a bulk region change to DE would get for the first three rows, the fourth left out.
pub fn bulk_plan(app: &App) -> wareg::bulk::BulkPlan {
    planned(
        app,
        wareg::graph::types::NumberStatus::Connected,
        wareg::engine::Request::Register(wareg::graph::StorageChoice::Region(
            wareg::graph::Region::De,
        )),
        "already registered with this storage (DE)",
    )
}

/// The plan a bulk register would get for the first three rows (none registered yet), the
/// fourth left out for a reason longer than a row at 80 columns (the engine's words for a
/// number not verified).
pub fn bulk_register_plan(app: &App) -> wareg::bulk::BulkPlan {
    planned(
        app,
        wareg::graph::types::NumberStatus::Pending,
        wareg::engine::Request::Register(wareg::graph::StorageChoice::Keep),
        "ownership is not verified (NOT_VERIFIED): request a code by SMS or voice (v), then enter it; register after that",
    )
}

/// The first three rows planned with `request` as numbers of `status`, the fourth left out
/// for `skipped`.
fn planned(
    app: &App,
    status: wareg::graph::types::NumberStatus,
    request: wareg::engine::Request,
    skipped: &str,
) -> wareg::bulk::BulkPlan {
    use wareg::bulk::{PlannedRow, RowPlan, Target};
    use wareg::engine::{Budgets, Facts, StorageFact, decide};
    let version: wareg::graph::ApiVersion = "v25.0".parse().unwrap();
    let rows = app.table.rows[..4]
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let target = Target {
                id: row.id.clone(),
                profile: row.profile.clone(),
                label: row.label.clone(),
            };
            if i == 3 {
                return PlannedRow {
                    target,
                    plan: RowPlan::Skip(skipped.into()),
                    status: Some("CONNECTED".into()),
                    display: None,
                    next: None,
                };
            }
            let facts = Facts {
                status: Some(status.clone()),
                storage: Some(StorageFact::Off),
                ..Facts::default()
            };
            let budgets = Budgets {
                register: app
                    .budgets
                    .budget(row.id.as_str(), wareg::audit::Operation::Register),
                deregister: app
                    .budgets
                    .budget(row.id.as_str(), wareg::audit::Operation::Deregister),
            };
            let plan = decide(&row.id, version, &facts, request, &budgets);
            PlannedRow {
                target,
                plan: RowPlan::Send(Box::new(plan)),
                status: Some(status.to_string()),
                display: row.number().and_then(|n| n.display_phone_number.clone()),
                next: None,
            }
        })
        .collect();
    wareg::bulk::BulkPlan {
        rows,
        mean_read: Duration::from_millis(120),
    }
}

/// Four rows marked, the bulk popup at `stage`: 0 the table, 1 the plan, 2 running, 3 done.
pub fn bulk_at(stage: usize) -> App {
    use wareg::bulk::NumberState;
    use wareg::tui::msg::BulkMsg;
    let mut app = loaded();
    keys(&mut app, &[KeyCode::Char(' '); 4]);
    if stage == 0 {
        return app;
    }
    key(&mut app, KeyCode::Char('B'));
    keys(&mut app, &[KeyCode::Down, KeyCode::Down]);
    let cmds = key(&mut app, KeyCode::Enter);
    assert!(matches!(&cmds[..], [Cmd::BulkPlan { .. }]), "{cmds:?}");
    let plan = bulk_plan(&app);
    app.update(Msg::Bulk(BulkMsg::Planned {
        plan: Box::new(plan),
        region: Some(wareg::graph::Region::De),
    }));
    typed(&mut app, "3");
    if stage == 1 {
        return app;
    }
    assert!(
        key(&mut app, KeyCode::Enter).is_empty(),
        "nothing is sent before the PIN is typed"
    );
    key(&mut app, KeyCode::Tab);
    typed(&mut app, "246810");
    let cmds = key(&mut app, KeyCode::Enter);
    assert!(matches!(&cmds[..], [Cmd::BulkRun { .. }]), "{cmds:?}");
    app.update(Msg::Bulk(BulkMsg::Started("20261125-233000-1a2b".into())));
    let ids: Vec<String> = app.table.rows[..3]
        .iter()
        .map(|r| r.id.to_string())
        .collect();
    app.update(Msg::Bulk(BulkMsg::Progress(
        ids[0].clone(),
        NumberState::Done,
    )));
    app.update(Msg::Bulk(BulkMsg::Progress(
        ids[1].clone(),
        NumberState::Interrupted,
    )));
    if stage == 2 {
        return app;
    }
    app.update(Msg::Bulk(BulkMsg::Done(summary_of(&app))));
    app
}

/// Meta's whole answer to the third number's register: longer than any popup's line.
pub const LONG_MESSAGE: &str = "Graph error 133005 (Two-step PIN mismatch): type the number's current two-step PIN; Meta says: \"The PIN you entered does not match the two-step verification PIN of this phone number. Check the PIN with the number's owner, or reset it in WhatsApp Manager\" (fbtrace_id AbCdEfGh123)";

/// The run's end as the worker sends it: the journal the run wrote (a real one, sealed, in
/// a throwaway data dir), read back into each number's result. The first two numbers moved
/// to DE; the third was deregistered and its register refused, which leaves it DEREGISTERED.
pub fn summary_of(app: &App) -> wareg::bulk::Summary {
    use wareg::bulk::journal::{Entry, Journal};
    use wareg::bulk::{Action, NumberState, RowPlan};
    let dir = tempfile::tempdir().unwrap();
    let plan = bulk_plan(app);
    let id = "20261125-233000-1a2b";
    let journal = Journal::create(dir.path(), id).unwrap();
    journal
        .write(&Entry::Header {
            id: id.into(),
            action: Action::Region,
            region: Some("DE".into()),
            created: chrono::Utc::now(),
            operator: "ana@desk-1".into(),
        })
        .unwrap();
    for row in &plan.rows {
        let (number, label, display) = (
            row.target.id.to_string(),
            row.target.label.clone(),
            row.display.clone(),
        );
        journal
            .write(&match &row.plan {
                RowPlan::Skip(reason) => Entry::Skipped {
                    number,
                    reason: reason.clone(),
                    label,
                    display,
                },
                _ => Entry::Planned {
                    number,
                    profile: row.target.profile.to_string(),
                    plan: row.kind().into(),
                    steps: row.calls(),
                    label,
                    display,
                },
            })
            .unwrap();
    }
    let ids: Vec<String> = plan.to_send().map(|r| r.target.id.to_string()).collect();
    let step = |number: &str, call: &str, outcome: &str, message: Option<&str>| Entry::Step {
        number: number.to_owned(),
        call: call.to_owned(),
        outcome: outcome.to_owned(),
        message: message.map(str::to_owned),
    };
    for (i, number) in ids.iter().enumerate() {
        journal
            .write(&Entry::Started {
                number: number.clone(),
                time: chrono::Utc::now(),
            })
            .unwrap();
        journal
            .write(&step(number, "POST /deregister", "ok", None))
            .unwrap();
        journal
            .write(&step(
                number,
                "POST /settings (local storage DE)",
                "ok",
                None,
            ))
            .unwrap();
        let failed = i == 2;
        journal
            .write(&step(
                number,
                "POST /register",
                if failed { "error" } else { "ok" },
                failed.then_some("133005 Two-step PIN mismatch"),
            ))
            .unwrap();
        journal
            .write(&Entry::Finished {
                number: number.clone(),
                state: if failed {
                    NumberState::Failed
                } else {
                    NumberState::Done
                },
                message: failed.then(|| LONG_MESSAGE.to_owned()),
            })
            .unwrap();
    }
    let results = wareg::bulk::result::results(&journal.read().unwrap());
    wareg::bulk::Summary {
        numbers: results
            .iter()
            .map(|r| (r.number.clone(), r.state, r.message.clone()))
            .collect(),
        stopped: None,
        results,
    }
}
