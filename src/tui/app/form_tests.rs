//! The forms' safety rules as a support person meets them: nothing of an attempt carries over
//! to the next, a guard is never switched off by a reflexive Enter, a half-filled form is not
//! lost to `q` unasked, and every attempt that ends badly says so in the log.

use ratatui::crossterm::event::KeyCode;

use super::tests::{exhaust_register, loaded, open_form, press, register_form, type_text};
use super::*;
use crate::engine::Step;
use crate::tui::forms::{DeregisterForm, Phase, VerifyForm};
use crate::tui::keys::FieldKind;
use crate::tui::msg::{EngineCall, Reply, StepFailure};

fn failure(code: i64, unknown_outcome: bool) -> StepFailure {
    StepFailure {
        message: format!("Graph error {code}"),
        code: Some(code),
        entry: None,
        unknown_outcome,
        readback: unknown_outcome.then(|| "CONNECTED".to_owned()),
    }
}

/// The request of the one engine call the keys sent.
fn sent(cmds: &[Cmd]) -> RequestId {
    match cmds {
        [Cmd::Engine { request, .. }] => *request,
        other => panic!("expected one engine call, got {other:?}"),
    }
}

fn log_text(app: &App) -> String {
    (0..app.log.len())
        .filter_map(|i| app.log.get(i).map(|e| e.text.clone()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Number 300 (PENDING, so deregistering it needs the override): its form, with the last four
/// digits typed and the override ticked.
fn deregister_300_ready(app: &mut App) {
    press(app, &[KeyCode::Char('G'), KeyCode::Char('d')]);
    type_text(app, "0100");
    press(app, &[KeyCode::Tab, KeyCode::Char(' ')]);
    let form = open_form::<DeregisterForm>(app);
    assert!(form.override_budget && form.typed == "0100");
}

#[test]
fn enter_on_an_override_moves_on_and_only_space_ticks_it() {
    let mut app = loaded();
    press(&mut app, &[KeyCode::Char('G'), KeyCode::Char('d')]);
    type_text(&mut app, "0100");
    press(&mut app, &[KeyCode::Tab]);
    assert_eq!(app.place(), Place::Field(FieldKind::Check));
    press(&mut app, &[KeyCode::Enter]);
    assert!(!open_form::<DeregisterForm>(&app).override_budget);
    assert_eq!(
        app.place(),
        Place::Field(FieldKind::Button),
        "Enter moved on"
    );
    press(&mut app, &[KeyCode::BackTab, KeyCode::Char(' ')]);
    assert!(open_form::<DeregisterForm>(&app).override_budget);
}

#[test]
fn a_failed_deregister_keeps_neither_the_typed_digits_nor_the_override() {
    let mut app = loaded();
    deregister_300_ready(&mut app);
    let cmds = press(&mut app, &[KeyCode::Tab, KeyCode::Enter]);
    let request = sent(&cmds);
    app.update(Msg::Reply(
        request,
        Reply::Step {
            step: Step::Deregister,
            result: Err(failure(133010, false)),
            last: true,
        },
    ));
    let form = open_form::<DeregisterForm>(&app);
    assert!(matches!(form.phase, Phase::Failed(_)));
    assert!(form.typed.is_empty() && !form.override_budget && form.focus == 0);
    // Enter again sends nothing: the digits must be typed again.
    assert!(press(&mut app, &[KeyCode::Enter]).is_empty());
    let log = log_text(&app);
    assert!(
        log.contains("deregister failed:") && log.contains("(133010)"),
        "{log}"
    );
}

#[test]
fn an_unknown_outcome_is_said_in_the_log_with_what_was_read_back() {
    let mut app = loaded();
    deregister_300_ready(&mut app);
    let request = sent(&press(&mut app, &[KeyCode::Tab, KeyCode::Enter]));
    let cmds = app.update(Msg::Reply(
        request,
        Reply::Step {
            step: Step::Deregister,
            result: Err(failure(1, true)),
            last: true,
        },
    ));
    let log = log_text(&app);
    assert!(
        log.contains("deregister: outcome unknown, not retried; read back: CONNECTED"),
        "{log}"
    );
    assert!(open_form::<DeregisterForm>(&app).typed.is_empty());
    assert!(
        cmds.iter().all(|c| !matches!(c, Cmd::Engine { .. })),
        "never sent again by itself: {cmds:?}"
    );
}

#[test]
fn a_failed_register_unticks_the_budget_override() {
    let mut app = loaded();
    exhaust_register(&mut app, "300");
    press(&mut app, &[KeyCode::Char('G'), KeyCode::Char('r')]);
    type_text(&mut app, "123456");
    // PIN, region, override (ticked), Register.
    let cmds = press(
        &mut app,
        &[
            KeyCode::Tab,
            KeyCode::Tab,
            KeyCode::Char(' '),
            KeyCode::Tab,
            KeyCode::Enter,
        ],
    );
    let [
        Cmd::Engine {
            request,
            call: EngineCall::RunPlan {
                forced: true, plan, ..
            },
            ..
        },
    ] = &cmds[..]
    else {
        panic!("expected the forced plan: {cmds:?}")
    };
    app.update(Msg::Reply(
        *request,
        Reply::Step {
            step: plan.steps[0],
            result: Err(failure(133016, false)),
            last: true,
        },
    ));
    let form = register_form(&app);
    assert!(!form.override_budget, "the next attempt is decided afresh");
    assert!(form.pin.is_empty());
    assert!(log_text(&app).contains("register failed:"));
}

#[test]
fn after_a_wrong_code_the_next_digits_go_into_the_code_field() {
    let mut app = loaded();
    press(&mut app, &[KeyCode::Char('v')]);
    let request = sent(&press(
        &mut app,
        &[KeyCode::Tab, KeyCode::Tab, KeyCode::Enter],
    ));
    app.update(Msg::Reply(request, Reply::Simple(Ok(()))));
    type_text(&mut app, "111111");
    let request = sent(&press(&mut app, &[KeyCode::Tab, KeyCode::Enter]));
    app.update(Msg::Reply(
        request,
        Reply::Simple(Err(failure(136025, false))),
    ));
    type_text(&mut app, "507417");
    let form = open_form::<VerifyForm>(&app);
    assert_eq!(
        form.code.len(),
        6,
        "the new code was typed into the code field"
    );
    assert_eq!(app.place(), Place::Field(FieldKind::Digits));
}

#[test]
fn q_with_a_form_open_asks_first_and_no_returns_to_the_form() {
    let mut app = loaded();
    press(&mut app, &[KeyCode::Char('r')]);
    type_text(&mut app, "1234");
    // On the region field `q` is not typing: it asks, and `n` gives the form back as it was.
    press(&mut app, &[KeyCode::Tab, KeyCode::Char('q')]);
    assert!(matches!(app.overlay, Some(Overlay::ConfirmQuit(Some(_)))));
    assert!(!app.quit);
    press(&mut app, &[KeyCode::Char('n')]);
    assert_eq!(register_form(&app).pin.len(), 4);
    // From the help over the form, too.
    press(&mut app, &[KeyCode::Char('?'), KeyCode::Char('q')]);
    assert!(matches!(app.overlay, Some(Overlay::ConfirmQuit(Some(_)))));
    assert!(!app.quit);
    press(&mut app, &[KeyCode::Char('y')]);
    assert!(app.quit);
}
