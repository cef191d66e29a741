//! The forms of a number's life (issue 25), through the app: the add form and the guided path
//! it starts (request the code, verify, register), each step opened by its kind; the rename
//! form planned by the engine, its spent budget passed only with the override.

mod common;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use common::app_fixture::*;
use wareg::graph::NumberId;
use wareg::tui::app::{App, Overlay};
use wareg::tui::forms::{AddForm, RegisterForm, VerifyForm, VerifyStage, downcast};
use wareg::tui::msg::{Cmd, EngineCall, Level, Msg, Reply, RequestId};

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

/// The engine call among `cmds`, with its request and profile.
fn engine_call(cmds: Vec<Cmd>) -> Option<(RequestId, String, EngineCall)> {
    cmds.into_iter().find_map(|c| match c {
        Cmd::Engine {
            request,
            profile,
            call,
        } => Some((request, profile.to_string(), call)),
        _ => None,
    })
}

fn form<T: wareg::tui::forms::FormComponent>(app: &App) -> &T {
    let Some(Overlay::Form(form)) = &app.overlay else {
        panic!("no form open: {:?}", app.overlay)
    };
    downcast::<T>(form.as_ref()).expect("that form")
}

const NEW: &str = "1065403522450000";

/// The add form filled in and sent; the reply not given yet.
fn add_sent(app: &mut App, phone: &str) -> Option<(RequestId, String, EngineCall)> {
    key(app, KeyCode::Char('a'));
    typed(app, "44");
    key(app, KeyCode::Tab);
    typed(app, phone);
    key(app, KeyCode::Tab);
    typed(app, "Acme UK");
    engine_call(keys(app, &[KeyCode::Tab, KeyCode::Enter]))
}

#[test]
fn an_add_meta_would_refuse_sends_nothing() {
    let mut app = loaded();
    for phone in ["0770090012", "77009", "7700 9001 2345 6789"] {
        assert!(add_sent(&mut app, phone).is_none(), "{phone} is sent");
        let problem = form::<AddForm>(&app).number().unwrap_err();
        assert!(problem.contains("national phone number"), "{problem}");
        key(&mut app, KeyCode::Esc);
    }
}

#[test]
fn an_added_number_joins_the_table_and_its_path_goes_verify_then_register() {
    let mut app = loaded();
    let (request, profile, call) = add_sent(&mut app, "7700 900123").expect("Add sends");
    let EngineCall::AddNumber { waba, number } = call else {
        panic!("{call:?}")
    };
    assert_eq!(
        (waba.as_str(), profile.as_str()),
        ("102290129340398", "prod")
    );
    assert_eq!(number.words(), "+44 7700900123");
    assert_eq!(number.name().as_str(), "Acme UK");

    let new = NumberId::parse(NEW).unwrap();
    let cmds = app.update(Msg::Reply(
        request,
        Reply::Added {
            profile: "prod".into(),
            result: Ok(new.clone()),
        },
    ));
    assert!(app.table.find(&new).is_some(), "the new number has a row");
    assert!(
        cmds.iter()
            .any(|c| matches!(c, Cmd::ReadNumber { id, .. } if *id == new)),
        "and it is read: {cmds:?}"
    );
    assert_eq!(form::<AddForm>(&app).added.as_ref(), Some(&new));

    // The next step offered: the code, on the new number.
    key(&mut app, KeyCode::Enter);
    let verify = form::<VerifyForm>(&app);
    assert_eq!((&verify.id, verify.stage), (&new, VerifyStage::Request));
    let (request, _, call) = engine_call(keys(
        &mut app,
        &[KeyCode::Tab, KeyCode::Tab, KeyCode::Enter],
    ))
    .unwrap();
    assert!(matches!(call, EngineCall::RequestCode { ref id, .. } if *id == new));
    app.update(Msg::Reply(request, Reply::Simple(Ok(()))));
    typed(&mut app, "123456");
    let (request, _, call) = engine_call(keys(&mut app, &[KeyCode::Tab, KeyCode::Enter])).unwrap();
    assert!(matches!(call, EngineCall::VerifyCode { ref id, .. } if *id == new));
    app.update(Msg::Reply(request, Reply::Simple(Ok(()))));
    // Verified: the form stays and offers the register (a plain `v` closes instead).
    assert_eq!(form::<VerifyForm>(&app).stage, VerifyStage::Verified);
    key(&mut app, KeyCode::Enter);
    assert_eq!(form::<RegisterForm>(&app).id, new);
}

#[test]
fn a_failed_add_stays_in_the_form_and_says_why() {
    let mut app = loaded();
    let (request, _, _) = add_sent(&mut app, "7700900123").unwrap();
    app.update(Msg::Reply(
        request,
        Reply::Added {
            profile: "prod".into(),
            result: Err(wareg::tui::msg::StepFailure {
                message: "This phone number is already in this WhatsApp Business Account".into(),
                code: Some(100),
                entry: None,
                unknown_outcome: false,
                readback: None,
            }),
        },
    ));
    let add = form::<AddForm>(&app);
    assert!(add.added.is_none());
    assert!(matches!(add.phase, wareg::tui::forms::Phase::Failed(_)));
    assert_eq!(app.table.rows.len(), 6, "no row for a number not added");
}

#[test]
fn with_two_profiles_naming_a_waba_the_add_form_offers_the_choice() {
    let mut app = fresh_with_two_wabas();
    key(&mut app, KeyCode::Char('a'));
    assert_eq!(
        form::<AddForm>(&app).profile.as_str(),
        "prod",
        "the default first"
    );
    key(&mut app, KeyCode::Right);
    assert_eq!(form::<AddForm>(&app).id.as_str(), "102290129340777");
    key(&mut app, KeyCode::Tab);
    typed(&mut app, "44");
    key(&mut app, KeyCode::Tab);
    typed(&mut app, "7700900123");
    key(&mut app, KeyCode::Tab);
    typed(&mut app, "Acme EU");
    let (_, profile, call) = engine_call(keys(&mut app, &[KeyCode::Tab, KeyCode::Enter])).unwrap();
    assert_eq!(profile, "eu", "sent with the chosen profile's token");
    assert!(
        matches!(call, EngineCall::AddNumber { ref waba, .. } if waba.as_str() == "102290129340777")
    );
}

#[test]
fn without_a_waba_a_says_how_to_get_one_and_opens_nothing() {
    let config = wareg::config::Config::parse(
        "default_profile = \"p\"\n[profiles.p]\ntoken_env = \"T\"\n[[numbers]]\nid = \"1065\"\n",
        None,
    )
    .unwrap();
    let mut app = App::new(&config, wareg::tui::theme::Theme { color: false }, None);
    key(&mut app, KeyCode::Char('a'));
    assert!(app.overlay.is_none());
    let said: Vec<(Level, String)> = app.take_log_lines();
    assert!(
        said.iter()
            .any(|(_, l)| l.contains("no profile names a waba_id")),
        "{said:?}"
    );
}

/// Ten display-name changes of Support DE in the last 30 days.
fn renames_spent(app: &mut App) {
    let now = app.clock.now();
    let id = NumberId::parse("106540352242922").unwrap();
    let records: Vec<_> = (0..10)
        .map(|i| {
            wareg::audit::AuditRecord::intent(
                now - chrono::Duration::days(3) + chrono::Duration::hours(i),
                format!("r{i}"),
                "prod",
                &id,
                wareg::audit::Operation::Rename,
            )
        })
        .collect();
    app.update(Msg::Renames(wareg::audit::BudgetBook::new(
        &records,
        wareg::engine::RENAME_POLICY,
        now,
    )));
}

#[test]
fn a_rename_is_sent_as_planned_and_a_spent_budget_needs_the_override() {
    let mut app = loaded();
    // Support DE, the first row: a name too short is never sent.
    keys(&mut app, &[KeyCode::Char('g'), KeyCode::Char('n')]);
    typed(&mut app, "A");
    assert!(engine_call(keys(&mut app, &[KeyCode::Tab, KeyCode::Enter])).is_none());
    key(&mut app, KeyCode::Esc);

    keys(&mut app, &[KeyCode::Char('n')]);
    typed(&mut app, "Acme Support Berlin");
    let (_, _, call) = engine_call(keys(&mut app, &[KeyCode::Tab, KeyCode::Enter])).unwrap();
    let EngineCall::Rename { id, name, forced } = call else {
        panic!("{call:?}")
    };
    assert_eq!(
        (id.as_str(), name.as_str(), forced),
        ("106540352242922", "Acme Support Berlin", false)
    );

    // Ten in 30 days: refused until the override is ticked, then sent forced.
    let mut app = loaded();
    renames_spent(&mut app);
    keys(&mut app, &[KeyCode::Char('g'), KeyCode::Char('n')]);
    typed(&mut app, "Acme Support Berlin");
    // Name, Override, Rename, Cancel: Tab Tab reaches the button.
    assert!(
        engine_call(keys(
            &mut app,
            &[KeyCode::Tab, KeyCode::Tab, KeyCode::Enter]
        ))
        .is_none()
    );
    let (_, _, call) = engine_call(keys(
        &mut app,
        &[
            KeyCode::BackTab,
            KeyCode::Char(' '),
            KeyCode::Tab,
            KeyCode::Enter,
        ],
    ))
    .expect("sent with the override");
    assert!(
        matches!(call, EngineCall::Rename { forced: true, .. }),
        "{call:?}"
    );
}
