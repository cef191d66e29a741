//! `update()` tests: messages in, state and commands out. No terminal, no runtime.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::audit::Operation;
use crate::engine::Step;
use crate::graph::{PhoneNumber, Region};
use crate::tui::forms::{DeregisterForm, Phase, RegisterForm, downcast};
use crate::tui::msg::EngineCall;
use crate::tui::msg::Reply;

const CONFIG: &str = r#"
default_profile = "p"
[profiles.p]
token_env = "T"
waba_id = "999"
[[numbers]]
id = "100"
label = "Support DE"
[[numbers]]
id = "200"
label = "Sales UK"
"#;

pub(super) fn app() -> App {
    let config = Config::parse(CONFIG, None).unwrap();
    let mut app = App::new(&config, Theme { color: false }, None);
    app.size = (100, 30);
    app
}

pub(super) fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

pub(super) fn press(app: &mut App, codes: &[KeyCode]) -> Vec<Cmd> {
    codes.iter().flat_map(|c| app.update(key(*c))).collect()
}

pub(super) fn type_text(app: &mut App, text: &str) -> Vec<Cmd> {
    text.chars()
        .flat_map(|c| app.update(key(KeyCode::Char(c))))
        .collect()
}

fn number(id: &str, status: &str, display: &str) -> PhoneNumber {
    serde_json::from_value(serde_json::json!({
        "id": id, "status": status, "display_phone_number": display,
        "verified_name": format!("Name {id}"), "code_verification_status": "VERIFIED",
    }))
    .unwrap()
}

/// A listing as the worker hands it over (each number boxed).
fn boxed(numbers: Vec<PhoneNumber>) -> crate::graph::listing::Listed {
    numbers.into_iter().map(Box::new).collect()
}

fn listing_request(cmds: &[Cmd]) -> RequestId {
    cmds.iter()
        .find_map(|c| match c {
            Cmd::ListNumbers { request, .. } => Some(*request),
            _ => None,
        })
        .expect("a listing command")
}

/// Starts the app and answers the listing with numbers 100 (connected) and 300 (discovered).
pub(super) fn loaded() -> App {
    let mut app = app();
    let cmds = app.start();
    let request = listing_request(&cmds);
    let listing = vec![
        number("100", "CONNECTED", "+49 30 1234 5601"),
        number("300", "PENDING", "+1 555 0100"),
    ];
    app.update(Msg::Reply(request, Reply::Listing(Ok(boxed(listing)))));
    app
}

#[test]
fn start_reads_the_audit_the_waba_and_the_storage_of_configured_numbers() {
    let mut app = app();
    let cmds = app.start();
    assert!(matches!(cmds[0], Cmd::LoadLedger));
    assert!(matches!(&cmds[1], Cmd::ListNumbers { profile, .. } if profile == "p"));
    let settings = cmds
        .iter()
        .filter(|c| matches!(c, Cmd::ReadSettings { .. }))
        .count();
    assert_eq!(settings, 2);
    assert!(app.table.rows.iter().all(|r| r.live == Live::Loading));
    assert!(app.busy());
}

#[test]
fn a_listing_fills_rows_appends_discovered_ones_and_reads_the_rest() {
    let mut app = app();
    let cmds = app.start();
    let request = listing_request(&cmds);
    let listing = vec![
        number("100", "CONNECTED", "+49 30 1234 5601"),
        number("300", "PENDING", "+1 555 0100"),
    ];
    let cmds = app.update(Msg::Reply(request, Reply::Listing(Ok(boxed(listing)))));
    assert_eq!(app.table.rows.len(), 3);
    assert!(matches!(app.table.rows[0].live, Live::Loaded(_)));
    assert!(!app.table.rows[2].configured);
    assert_eq!(
        app.table.rows[2].storage,
        Storage::NotRead,
        "discovered numbers are read on demand"
    );
    // 200 was configured but not listed: read on its own.
    assert!(matches!(&cmds[..], [Cmd::ReadNumber { id, .. }] if id.as_str() == "200"));
}

#[test]
fn refresh_makes_earlier_replies_stale() {
    let mut app = app();
    let first = listing_request(&app.start());
    let cmds = press(&mut app, &[KeyCode::Char('R')]);
    let second = listing_request(&cmds);
    assert_ne!(first, second);
    app.update(Msg::Reply(
        first,
        Reply::Listing(Ok(boxed(vec![number("100", "BANNED", "x")]))),
    ));
    assert_eq!(
        app.table.rows[0].live,
        Live::Loading,
        "a stale reply changes nothing"
    );
    app.update(Msg::Reply(
        second,
        Reply::Listing(Ok(boxed(vec![number("100", "CONNECTED", "x")]))),
    ));
    assert!(matches!(app.table.rows[0].live, Live::Loaded(_)));
}

#[test]
fn navigation_stays_within_the_table() {
    let mut app = loaded();
    press(&mut app, &[KeyCode::Char('k')]);
    assert_eq!(app.table.selected, 0);
    press(&mut app, &[KeyCode::Char('j'), KeyCode::Down]);
    assert_eq!(app.table.selected, 2);
    press(&mut app, &[KeyCode::Char('j')]);
    assert_eq!(app.table.selected, 2);
    press(&mut app, &[KeyCode::Char('g')]);
    assert_eq!(app.table.selected, 0);
    app.update(Msg::Key(KeyEvent::new(
        KeyCode::Char('G'),
        KeyModifiers::SHIFT,
    )));
    assert_eq!(app.table.selected, 2);
    press(&mut app, &[KeyCode::PageUp]);
    assert_eq!(app.table.selected, 0);
}

#[test]
fn paging_scrolls_a_long_table() {
    let mut app = app();
    let request = listing_request(&app.start());
    let many: Vec<_> = (0..500)
        .map(|i| number(&format!("{}", 1000 + i), "CONNECTED", "+1"))
        .collect();
    app.update(Msg::Reply(request, Reply::Listing(Ok(boxed(many)))));
    let page = app.table_page();
    press(&mut app, &[KeyCode::PageDown, KeyCode::PageDown]);
    assert_eq!(app.table.selected, 2 * page);
    assert!(app.table.offset <= app.table.selected && app.table.selected < app.table.offset + page);
    press(&mut app, &[KeyCode::End]);
    assert_eq!(app.table.selected, app.table.visible.len() - 1);
    assert_eq!(app.table.offset, app.table.visible.len() - page);
}

#[test]
fn the_filter_takes_typed_keys_and_esc_clears_it() {
    let mut app = loaded();
    press(&mut app, &[KeyCode::Char('/')]);
    let cmds = type_text(&mut app, "uk q");
    assert!(
        cmds.is_empty() && !app.quit,
        "typing q into the filter does not quit"
    );
    assert_eq!(app.table.filter, "uk q");
    press(&mut app, &[KeyCode::Backspace, KeyCode::Backspace]);
    assert_eq!(app.table.visible.len(), 1);
    assert_eq!(app.table.selected_row().unwrap().title(), "Sales UK");
    press(&mut app, &[KeyCode::Enter]);
    assert!(!app.table.filtering);
    press(&mut app, &[KeyCode::Esc]);
    assert_eq!(app.table.visible.len(), 3);
    // By number digits and by id.
    press(&mut app, &[KeyCode::Char('/')]);
    type_text(&mut app, "5550100");
    assert_eq!(app.table.visible.len(), 1);
    assert_eq!(app.table.selected_row().unwrap().id.as_str(), "300");
}

#[test]
fn quit_cancels_work_in_flight() {
    let mut app = app();
    app.start();
    assert!(app.busy());
    let cmds = press(&mut app, &[KeyCode::Char('q')]);
    assert!(matches!(cmds[..], [Cmd::Quit]));
    assert!(app.quit && !app.busy());
}

#[test]
fn quit_asks_while_a_mutation_is_in_flight_and_ctrl_c_never_asks() {
    let mut app = loaded();
    app.new_request(Pending::Mutation {
        id: NumberId::parse("100").unwrap(),
        what: Mutation::Plan(crate::engine::PlanKind::Register),
    });
    let cmds = press(&mut app, &[KeyCode::Char('q')]);
    assert!(cmds.is_empty() && matches!(app.overlay, Some(Overlay::ConfirmQuit(None))));
    press(&mut app, &[KeyCode::Char('n')]);
    assert!(app.overlay.is_none() && !app.quit);
    press(&mut app, &[KeyCode::Char('r')]);
    let cmds = app.update(Msg::Key(KeyEvent::new(
        KeyCode::Char('c'),
        KeyModifiers::CONTROL,
    )));
    assert!(
        matches!(cmds[..], [Cmd::Quit]) && app.quit,
        "Ctrl-C quits even from a form"
    );
}

#[test]
fn details_read_storage_on_demand_and_y_copies_the_id() {
    let mut app = loaded();
    press(&mut app, &[KeyCode::Char('G')]);
    let cmds = press(&mut app, &[KeyCode::Enter]);
    assert!(matches!(app.overlay, Some(Overlay::Details(_))));
    assert!(matches!(&cmds[..], [Cmd::ReadSettings { id, .. }] if id.as_str() == "300"));
    let cmds = press(&mut app, &[KeyCode::Char('y')]);
    assert!(matches!(&cmds[..], [Cmd::Copy(text)] if text == "300"));
    press(&mut app, &[KeyCode::Esc]);
    assert!(app.overlay.is_none());
}

#[test]
fn the_log_follows_the_tail_until_scrolled() {
    let mut app = loaded();
    for i in 0..50 {
        app.update(Msg::Notice(Level::Info, format!("line {i}")));
    }
    press(&mut app, &[KeyCode::Tab]);
    assert_eq!(app.focus, Focus::Log);
    press(&mut app, &[KeyCode::Char('k'), KeyCode::Char('k')]);
    assert_eq!(app.log_view.from_bottom, 2);
    app.update(Msg::Notice(Level::Info, "new".into()));
    assert_eq!(
        app.log_view.from_bottom, 3,
        "scrolled back stays on the same lines"
    );
    press(&mut app, &[KeyCode::Char('G')]);
    assert_eq!(app.log_view.from_bottom, 0);
    press(&mut app, &[KeyCode::Tab]);
    assert_eq!(app.focus, Focus::Table);
}

pub(super) fn register_form(app: &App) -> &RegisterForm {
    open_form::<RegisterForm>(app)
}

/// The open form, as the type the test expects.
pub(super) fn open_form<T: crate::tui::forms::FormComponent>(app: &App) -> &T {
    match &app.overlay {
        Some(Overlay::Form(form)) => downcast::<T>(form.as_ref())
            .unwrap_or_else(|| panic!("not the form expected: {form:?}")),
        other => panic!("no form open: {other:?}"),
    }
}

#[test]
fn keys_typed_into_the_pin_field_never_act_globally() {
    let mut app = loaded();
    press(&mut app, &[KeyCode::Char('j')]); // Sales UK (200)
    press(&mut app, &[KeyCode::Char('r')]);
    let cmds = type_text(&mut app, "1q2r3d45/6R7y");
    assert!(cmds.is_empty(), "{cmds:?}");
    assert!(!app.quit);
    let form = register_form(&app);
    assert_eq!(form.pin.len(), 6);
    assert_eq!(form.pin.to_pin().unwrap().expose(), "123456");
    // `?` is never a digit: it opens help over the form, and Esc brings the form back as it was.
    type_text(&mut app, "?");
    assert!(matches!(app.overlay, Some(Overlay::Help(..))));
    press(&mut app, &[KeyCode::Esc]);
    assert_eq!(register_form(&app).pin.len(), 6);
}

#[test]
fn register_sends_the_v25_plan_and_closes_on_success() {
    let mut app = loaded();
    // Number 300 is PENDING and verified.
    press(&mut app, &[KeyCode::Char('G'), KeyCode::Char('r')]);
    type_text(&mut app, "123456");
    press(&mut app, &[KeyCode::Tab, KeyCode::Enter]); // open the dropdown
    type_text(&mut app, "i"); // ID Indonesia
    type_text(&mut app, "i"); // IN India
    press(&mut app, &[KeyCode::Enter]);
    assert_eq!(register_form(&app).region.value(), Some(Region::In));
    // Storage of 300 is not read: the form asked for it when it opened; answer it.
    let settings_request = *app
        .inflight
        .iter()
        .find(|(_, p)| matches!(p, Pending::Settings { .. }))
        .unwrap()
        .0;
    app.update(Msg::Reply(
        settings_request,
        Reply::Settings(Ok(serde_json::from_str(
            r#"{"storage_configuration":{"status":"DEFAULT"}}"#,
        )
        .unwrap())),
    ));
    let cmds = press(&mut app, &[KeyCode::Tab, KeyCode::Enter]);
    let (request, steps) = match &cmds[..] {
        [
            Cmd::Engine {
                request,
                call:
                    EngineCall::RunPlan {
                        plan,
                        pin: Some(pin),
                        forced: false,
                    },
                ..
            },
        ] => {
            assert_eq!(pin.expose(), "123456");
            (*request, plan.steps.clone())
        }
        other => panic!("{other:?}"),
    };
    assert_eq!(
        steps,
        [
            Step::SetStorage(Some(Region::In)),
            Step::Register {
                region_in_body: None
            }
        ]
    );
    assert!(app.mutation_in_flight());
    // Keys are ignored while in flight (no double submit).
    assert!(press(&mut app, &[KeyCode::Enter]).is_empty());

    app.update(Msg::Reply(
        request,
        Reply::Step {
            step: steps[0],
            result: Ok(()),
            last: false,
        },
    ));
    assert!(matches!(register_form(&app).phase, Phase::InFlight { .. }));
    let cmds = app.update(Msg::Reply(
        request,
        Reply::Step {
            step: steps[1],
            result: Ok(()),
            last: true,
        },
    ));
    assert!(app.overlay.is_none(), "success closes the form");
    // The log names the number as the table does, with its id.
    let said: Vec<&str> = (0..app.log.len())
        .filter_map(|i| app.log.get(i).map(|e| e.text.as_str()))
        .collect();
    assert!(said.contains(&"Name 300 (300): registered"), "{said:?}");
    assert!(cmds.iter().any(|c| matches!(c, Cmd::LoadLedger)));
    assert!(
        cmds.iter()
            .any(|c| matches!(c, Cmd::ReadNumber { id, .. } if id.as_str() == "300"))
    );
}

#[test]
fn a_wrong_pin_keeps_the_form_open_and_wipes_the_pin() {
    let mut app = loaded();
    press(&mut app, &[KeyCode::Char('r')]); // 100, connected
    let settings_request = *app
        .inflight
        .iter()
        .find(|(_, p)| matches!(p, Pending::Settings { .. }))
        .unwrap()
        .0;
    app.update(Msg::Reply(
        settings_request,
        Reply::Settings(Ok(serde_json::from_str(
            r#"{"storage_configuration":{"status":"DEFAULT"}}"#,
        )
        .unwrap())),
    ));
    type_text(&mut app, "000000");
    let cmds = press(&mut app, &[KeyCode::Tab, KeyCode::Tab, KeyCode::Enter]);
    let Some(Cmd::Engine {
        request,
        call: EngineCall::RunPlan { plan, .. },
        ..
    }) = cmds.into_iter().next()
    else {
        panic!("no plan sent")
    };
    let steps = plan.steps.clone();
    let failure = crate::tui::msg::StepFailure {
        message: "Graph error 133005".into(),
        code: Some(133005),
        entry: None,
        unknown_outcome: false,
        readback: None,
    };
    app.update(Msg::Reply(
        request,
        Reply::Step {
            step: steps[0],
            result: Err(failure),
            last: true,
        },
    ));
    let form = register_form(&app);
    assert!(matches!(&form.phase, Phase::Failed(f) if f.code == Some(133005)));
    assert!(form.pin.is_empty(), "the PIN is wiped after a failure");
}

/// Ten register attempts on `id` that ended within the hour: its budget is used up (an intent
/// without its outcome would be a change in progress instead).
pub(super) fn exhaust_register(app: &mut App, id: &str) {
    let now = app.clock.now();
    let records: Vec<_> = (0..10)
        .flat_map(|i| {
            let intent = crate::audit::AuditRecord::intent(
                now - chrono::Duration::hours(1),
                format!("a{i}"),
                "p",
                &NumberId::parse(id).unwrap(),
                Operation::Register,
            );
            let mut outcome = intent.clone();
            outcome.phase = crate::audit::Phase::Outcome;
            outcome.outcome = Some(crate::audit::Outcome::Error);
            [intent, outcome]
        })
        .collect();
    let budgets = crate::audit::BudgetBook::new(&records, app.policy, now);
    app.update(Msg::Ledger {
        budgets,
        recent: records,
    });
}

#[test]
fn an_exhausted_budget_needs_the_explicit_override() {
    let mut app = loaded();
    exhaust_register(&mut app, "300");
    press(&mut app, &[KeyCode::Char('G'), KeyCode::Char('r')]);
    type_text(&mut app, "123456");
    // PIN, region, override, Register: Register does nothing yet.
    let cmds = press(
        &mut app,
        &[KeyCode::Tab, KeyCode::Tab, KeyCode::Tab, KeyCode::Enter],
    );
    assert!(cmds.is_empty(), "{cmds:?}");
    press(
        &mut app,
        &[KeyCode::BackTab, KeyCode::Char(' '), KeyCode::Tab],
    );
    let cmds = press(&mut app, &[KeyCode::Enter]);
    assert!(
        matches!(
            &cmds[..],
            [Cmd::Engine {
                call: EngineCall::RunPlan { forced: true, .. },
                ..
            }]
        ),
        "{cmds:?}"
    );
}

#[test]
fn deregister_needs_the_last_four_digits() {
    let mut app = loaded();
    press(&mut app, &[KeyCode::Char('d')]); // 100: +49 30 1234 5601
    type_text(&mut app, "5602");
    assert!(press(&mut app, &[KeyCode::Tab, KeyCode::Enter]).is_empty());
    press(&mut app, &[KeyCode::BackTab, KeyCode::Backspace]);
    type_text(&mut app, "1");
    let cmds = press(&mut app, &[KeyCode::Tab, KeyCode::Enter]);
    assert!(
        matches!(&cmds[..], [Cmd::Engine { call: EngineCall::RunPlan { plan, pin: None, .. }, .. }] if plan.steps == [Step::Deregister]),
        "{cmds:?}"
    );
}

#[test]
fn the_pin_form_needs_two_equal_pins() {
    let mut app = loaded();
    press(&mut app, &[KeyCode::Char('p')]);
    type_text(&mut app, "111111");
    press(&mut app, &[KeyCode::Tab]);
    type_text(&mut app, "111112");
    assert!(press(&mut app, &[KeyCode::Tab, KeyCode::Enter]).is_empty());
    press(&mut app, &[KeyCode::BackTab, KeyCode::Backspace]);
    type_text(&mut app, "1");
    let cmds = press(&mut app, &[KeyCode::Tab, KeyCode::Enter]);
    assert!(
        matches!(&cmds[..], [Cmd::Engine { call: EngineCall::SetPin { pin, .. }, .. }] if pin.expose() == "111111")
    );
}

#[test]
fn verification_requests_then_verifies() {
    let mut app = loaded();
    press(&mut app, &[KeyCode::Char('v'), KeyCode::Right]);
    let cmds = press(&mut app, &[KeyCode::Tab, KeyCode::Tab, KeyCode::Enter]);
    let Some(Cmd::Engine {
        request,
        call: EngineCall::RequestCode {
            method, language, ..
        },
        ..
    }) = cmds.into_iter().next()
    else {
        panic!()
    };
    assert_eq!(
        (method, language.as_str()),
        (crate::graph::CodeMethod::Voice, "en_US")
    );
    app.update(Msg::Reply(request, Reply::Simple(Ok(()))));
    type_text(&mut app, "654321");
    let cmds = press(&mut app, &[KeyCode::Tab, KeyCode::Enter]);
    let Some(Cmd::Engine {
        request,
        call: EngineCall::VerifyCode { code, .. },
        ..
    }) = cmds.into_iter().next()
    else {
        panic!()
    };
    assert_eq!(code.expose(), "654321");
    let cmds = app.update(Msg::Reply(request, Reply::Simple(Ok(()))));
    assert!(app.overlay.is_none());
    assert!(
        cmds.iter().any(|c| matches!(c, Cmd::ReadNumber { .. })),
        "re-reads so the table shows VERIFIED"
    );
}

#[test]
fn a_token_failure_is_shown_and_nothing_else_of_the_profile_stays_in_flight() {
    let mut app = app();
    let request = listing_request(&app.start());
    app.update(Msg::Reply(
        request,
        Reply::NoToken("the environment variable T is not set".into()),
    ));
    assert!(matches!(&app.overlay, Some(Overlay::Alert(text)) if text.contains("T is not set")));
    assert!(!app.busy());
    assert!(
        app.table
            .rows
            .iter()
            .all(|r| matches!(r.live, Live::Failed(_)))
    );
}

#[test]
fn clearing_the_filter_shows_the_whole_table_again() {
    let mut app = app();
    app.size = (120, 40);
    let request = listing_request(&app.start());
    let many: Vec<_> = (0..10)
        .map(|i| {
            number(
                &format!("{}", 1000 + i),
                "CONNECTED",
                &format!("+1 555 01{i:02}"),
            )
        })
        .collect();
    app.update(Msg::Reply(request, Reply::Listing(Ok(boxed(many)))));
    press(&mut app, &[KeyCode::Char('/')]);
    type_text(&mut app, "Name 1009");
    press(&mut app, &[KeyCode::Enter]);
    assert_eq!(app.table.visible.len(), 1);
    press(&mut app, &[KeyCode::Esc]);
    assert_eq!(app.table.visible.len(), 12);
    assert_eq!(app.table.offset, 0, "everything fits: no scrolling");
    assert_eq!(
        app.table.selected_row().unwrap().id.as_str(),
        "1009",
        "the selection is kept"
    );
}

#[test]
fn q_in_a_form_whose_request_runs_asks_and_no_returns_to_the_form() {
    let mut app = loaded();
    press(&mut app, &[KeyCode::Char('p')]);
    type_text(&mut app, "111111");
    press(&mut app, &[KeyCode::Tab]);
    type_text(&mut app, "111111");
    let cmds = press(&mut app, &[KeyCode::Tab, KeyCode::Enter]);
    assert!(matches!(
        &cmds[..],
        [Cmd::Engine {
            call: EngineCall::SetPin { .. },
            ..
        }]
    ));
    assert!(press(&mut app, &[KeyCode::Char('q')]).is_empty());
    assert!(matches!(app.overlay, Some(Overlay::ConfirmQuit(Some(_)))));
    press(&mut app, &[KeyCode::Char('n')]);
    assert!(
        matches!(app.overlay, Some(Overlay::Form(_))),
        "back to the form in flight"
    );
    press(&mut app, &[KeyCode::Char('q')]);
    let cmds = press(&mut app, &[KeyCode::Char('y')]);
    assert!(matches!(cmds[..], [Cmd::Quit]) && app.quit);
}

#[test]
fn a_recorded_133016_blocks_the_register_form_until_its_end() {
    let mut app = loaded();
    let at = chrono::Utc::now() - chrono::Duration::hours(1);
    let mut record = crate::audit::AuditRecord::intent(
        at,
        "x",
        "p",
        &NumberId::parse("300").unwrap(),
        Operation::Register,
    );
    let intent = record.clone();
    record.phase = crate::audit::Phase::Outcome;
    record.outcome = Some(crate::audit::Outcome::Error);
    record.code = Some(133016);
    let records = vec![intent, record];
    let budgets = crate::audit::BudgetBook::new(&records, app.policy, chrono::Utc::now());
    app.update(Msg::Ledger {
        budgets,
        recent: records,
    });
    press(&mut app, &[KeyCode::Char('G'), KeyCode::Char('r')]);
    type_text(&mut app, "123456");
    let form = register_form(&app);
    let pre = app.with_form_context(&form.id, |cx| form.preflight(cx));
    assert!(
        pre.problems
            .iter()
            .any(|p| p.contains("Meta locked register")),
        "{:?}",
        pre.problems
    );
    // Meta's lock cannot be overridden: no override is offered and Register does nothing.
    assert!(
        !pre.fields
            .contains(&crate::tui::forms::register::RegisterField::Override)
    );
    let cmds = press(&mut app, &[KeyCode::Tab, KeyCode::Tab, KeyCode::Enter]);
    assert!(cmds.is_empty(), "{cmds:?}");
}

#[test]
fn r_reads_storage_only_where_it_is_not_known_and_f_reads_it_all() {
    let mut app = app();
    let cmds = app.start();
    let settings = |cmds: &[Cmd]| -> Vec<(RequestId, String)> {
        cmds.iter()
            .filter_map(|c| match c {
                Cmd::ReadSettings { request, id, .. } => Some((*request, id.to_string())),
                _ => None,
            })
            .collect()
    };
    let first = settings(&cmds);
    assert_eq!(
        first.len(),
        2,
        "the first refresh reads every configured storage once"
    );
    // One storage read answers, the other fails.
    app.update(Msg::Reply(
        first[0].0,
        Reply::Settings(Ok(serde_json::from_str(
            r#"{"storage_configuration":{"status":"DEFAULT"}}"#,
        )
        .unwrap())),
    ));
    app.update(Msg::Reply(
        first[1].0,
        Reply::Settings(Err(crate::graph::ApiError::Network("reset".into()))),
    ));
    let again = settings(&press(&mut app, &[KeyCode::Char('R')]));
    assert_eq!(
        again.iter().map(|(_, id)| id.as_str()).collect::<Vec<_>>(),
        [first[1].1.as_str()],
        "R reads only the storage that is not known"
    );
    let full = settings(&press(&mut app, &[KeyCode::Char('F')]));
    assert_eq!(full.len(), 2, "F reads every storage again");
}

#[test]
fn above_the_high_water_mark_r_reads_no_storage_but_f_still_does() {
    let mut app = app();
    app.start();
    let usage = |percent: u32| {
        let mut usage = crate::graph::Usage::default();
        usage.note(
            Some(&format!(r#"{{"1":[{{"call_count":{percent}}}]}}"#)),
            None,
        );
        usage
    };
    let storage_reads = |cmds: &[Cmd]| {
        cmds.iter()
            .filter(|c| matches!(c, Cmd::ReadSettings { .. }))
            .count()
    };
    let call = |app: &mut App, percent: u32| {
        app.update(Msg::Call(crate::graph::CallEvent {
            method: "GET",
            path: "/v25.0/1/phone_numbers".into(),
            status: Some(200),
            duration: std::time::Duration::ZERO,
            attempt: 1,
            earlier: Vec::new(),
            error: None,
            sandbox: false,
            batch_of: 0,
            calls_per_point: None,
            usage: Some(usage(percent)),
            throttle: None,
        }));
    };
    call(&mut app, USAGE_HIGH_WATER - 1);
    assert_eq!(storage_reads(&press(&mut app, &[KeyCode::Char('R')])), 2);
    call(&mut app, USAGE_HIGH_WATER);
    assert_eq!(
        storage_reads(&press(&mut app, &[KeyCode::Char('R')])),
        0,
        "R spends nothing extra at the high-water mark"
    );
    assert!(
        (0..app.log.len()).any(|i| app.log.get(i).is_some_and(|l| l.text.contains("75 % used")))
    );
    assert_eq!(
        storage_reads(&press(&mut app, &[KeyCode::Char('F')])),
        2,
        "F is asked for explicitly"
    );
}

#[test]
fn a_throttle_shows_a_countdown_and_a_register_meanwhile_needs_the_override() {
    let mut app = loaded();
    let until = app.clock.now() + chrono::Duration::minutes(12);
    app.update(Msg::Throttle(Some(crate::graph::Throttle {
        until,
        code: Some(80008),
        covers: "WABA 1".into(),
    })));
    assert!(app.counting_down());
    press(&mut app, &[KeyCode::Char('G'), KeyCode::Char('r')]);
    type_text(&mut app, "123456");
    let form = register_form(&app);
    let pre = app.with_form_context(&form.id, |cx| form.preflight(cx));
    assert!(
        pre.problems
            .iter()
            .any(|p| p.contains("Meta is throttling WABA 1") && p.contains("override")),
        "{:?}",
        pre.problems
    );
    assert!(
        pre.fields
            .contains(&crate::tui::forms::register::RegisterField::Override)
    );
    // When the throttle ends, the next tick clears it and says so.
    app.clock = crate::clock::Clock::Fixed((until + chrono::Duration::seconds(1)).fixed_offset());
    app.update(Msg::Tick);
    assert!(!app.counting_down());
}

#[test]
fn the_deregister_confirmation_says_when_digits_do_not_match_and_enter_confirms_there() {
    let mut app = loaded();
    press(&mut app, &[KeyCode::Char('d')]); // 100: +49 30 1234 5601
    type_text(&mut app, "5602");
    let form = open_form::<DeregisterForm>(&app);
    let check = app.with_form_context(&form.id, |cx| form.check(cx));
    assert!(
        check
            .problems
            .iter()
            .any(|p| p.contains("5602 does not match")),
        "{:?}",
        check.problems
    );
    // Enter in the field with wrong digits sends nothing; with the right ones it confirms.
    assert!(press(&mut app, &[KeyCode::Enter]).is_empty());
    press(&mut app, &[KeyCode::BackTab, KeyCode::Backspace]);
    type_text(&mut app, "1");
    let cmds = press(&mut app, &[KeyCode::Enter]);
    assert!(
        matches!(&cmds[..], [Cmd::Engine { call: EngineCall::RunPlan { plan, .. }, .. }] if plan.steps == [Step::Deregister]),
        "{cmds:?}"
    );
}

#[test]
fn a_failed_read_keeps_what_was_known_marked_stale_and_the_words_keep_the_phone_number() {
    let mut app = loaded();
    app.size = (120, 40);
    // R again: the listing fails, so each configured number is read alone, and that fails too.
    let cmds = press(&mut app, &[KeyCode::Char('R')]);
    let request = listing_request(&cmds);
    let cmds = app.update(Msg::Reply(
        request,
        Reply::Listing(Err(crate::graph::ApiError::Network("reset".into()))),
    ));
    for cmd in cmds {
        if let Cmd::ReadNumber { request, .. } = cmd {
            app.update(Msg::Reply(
                request,
                Reply::Number(Err(crate::graph::ApiError::Network("reset".into()))),
            ));
        }
    }
    let row = &app.table.rows[0];
    assert!(matches!(row.live, Live::Failed(_)));
    assert_eq!(
        row.known_number()
            .and_then(|n| n.display_phone_number.as_deref()),
        Some("+49 30 1234 5601")
    );
    let screen = {
        let mut terminal =
            ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 40)).unwrap();
        let frame = terminal.draw(|f| crate::tui::view::draw(f, &app)).unwrap();
        crate::tui::run::buffer_text(frame.buffer)
    };
    let line = screen
        .lines()
        .find(|l| l.contains("+49 30 1234 5601"))
        .unwrap_or_default();
    assert!(line.contains("stale"), "{screen}");
    // The deregister confirmation still names the phone number and asks for its digits.
    press(&mut app, &[KeyCode::Char('g'), KeyCode::Char('d')]);
    let form = open_form::<DeregisterForm>(&app);
    let check = app.with_form_context(&form.id, |cx| form.check(cx));
    assert_eq!(check.display, "+49 30 1234 5601");
    assert_eq!(check.last4, "5601");
}

/// The ids of the rows the filter shows, in order.
fn shown_ids(app: &App) -> Vec<&str> {
    app.table
        .visible
        .iter()
        .map(|&i| app.table.rows[i].id.as_str())
        .collect()
}

#[test]
fn the_filter_matches_status_and_columns_by_name() {
    let mut app = loaded();
    press(&mut app, &[KeyCode::Char('/')]);
    type_text(&mut app, "pending");
    assert_eq!(shown_ids(&app), ["300"]);
    press(&mut app, &[KeyCode::Esc, KeyCode::Char('/')]);
    type_text(&mut app, "status:conn");
    assert_eq!(shown_ids(&app), ["100"]);
}

#[test]
fn s_sorts_by_the_next_column_and_capital_s_turns_it_around_keeping_the_selection() {
    let mut app = loaded();
    let unsorted = shown_ids(&app)
        .iter()
        .map(|s| s.to_string())
        .collect::<Vec<_>>();
    press(&mut app, &[KeyCode::Char('j')]);
    let selected = app.table.selected_row().map(|r| r.id.clone());
    press(&mut app, &[KeyCode::Char('s')]);
    assert_eq!(
        app.table.sort.map(|s| s.column),
        Some(crate::fleet::Column::Label)
    );
    assert_eq!(app.table.selected_row().map(|r| r.id.clone()), selected);
    let by_label: Vec<String> = app
        .table
        .visible
        .iter()
        .map(|&i| app.table.rows[i].title().to_lowercase())
        .collect();
    let mut sorted = by_label.clone();
    sorted.sort();
    assert_eq!(by_label, sorted);
    press(&mut app, &[KeyCode::Char('S')]);
    let reversed: Vec<String> = app
        .table
        .visible
        .iter()
        .map(|&i| app.table.rows[i].title().to_lowercase())
        .collect();
    sorted.reverse();
    assert_eq!(reversed, sorted);
    // Every column shown once, then back to the order the numbers came in.
    for _ in 0..crate::tui::view::numbers::shown_columns(&app).len() {
        assert!(app.table.sort.is_some());
        press(&mut app, &[KeyCode::Char('s')]);
    }
    assert_eq!(app.table.sort, None);
    assert_eq!(shown_ids(&app), unsorted);
}

#[test]
fn sorting_puts_rows_with_nothing_known_last_either_way() {
    let mut app = app();
    app.start();
    // Nothing read: every status unknown; the order stays as it came.
    let before = shown_ids(&app)
        .iter()
        .map(|s| s.to_string())
        .collect::<Vec<_>>();
    press(&mut app, &[KeyCode::Char('s'); 4]);
    assert_eq!(shown_ids(&app), before);
    let mut app = loaded();
    press(&mut app, &[KeyCode::Char('s'); 4]);
    for _direction in ["ascending", "descending"] {
        let statuses: Vec<Option<String>> = app
            .table
            .visible
            .iter()
            .map(|&i| {
                app.table.rows[i]
                    .number()
                    .and_then(|n| n.status.as_ref().map(|s| s.to_string()))
            })
            .collect();
        let known = statuses.iter().take_while(|s| s.is_some()).count();
        assert!(
            statuses[known..].iter().all(Option::is_none),
            "{statuses:?}"
        );
        press(&mut app, &[KeyCode::Char('S')]);
    }
}

#[test]
fn the_filter_matches_the_storage_column() {
    let mut app = loaded();
    app.table.rows[0].storage = Storage::Known(crate::graph::types::StorageConfig {
        status: crate::graph::types::StorageStatus::Enabled,
        data_localization_region: Some("DE".into()),
    });
    press(&mut app, &[KeyCode::Char('/')]);
    type_text(&mut app, "storage:de");
    assert_eq!(shown_ids(&app), ["100"]);
}

/// The text of every entry in the log pane, oldest first.
fn log_texts(app: &App) -> Vec<String> {
    (0..app.log.len())
        .filter_map(|i| app.log.get(i).map(|e| e.text.clone()))
        .collect()
}

#[test]
fn copy_says_what_was_sent_and_inside_tmux_what_it_needs() {
    let mut app = loaded();
    let cmds = press(&mut app, &[KeyCode::Char('y')]);
    assert!(matches!(&cmds[..], [Cmd::Copy(text)] if text == "100"));
    let said = log_texts(&app).pop().unwrap_or_default();
    assert_eq!(said, "100: sent to the terminal's clipboard (OSC 52)");
    app.surroundings.tmux = true;
    press(&mut app, &[KeyCode::Char('y')]);
    let said = log_texts(&app).pop().unwrap_or_default();
    assert!(said.starts_with("100: sent to"), "{said}");
    assert!(said.contains("set-clipboard on"), "{said}");
}

#[test]
fn o_opens_whatsapp_manager_where_a_browser_can_start_and_always_logs_the_url() {
    let url = "https://business.facebook.com/wa/manage/phone-numbers/?waba_id=999";
    // Over SSH: nothing to start, the URL is in the log pane.
    let mut app = loaded();
    let cmds = press(&mut app, &[KeyCode::Char('o')]);
    assert!(cmds.is_empty(), "{cmds:?}");
    let said = log_texts(&app).pop().unwrap_or_default();
    assert!(said.starts_with("Support DE (100): no browser"), "{said}");
    assert!(said.ends_with(url), "{said}");
    // With a browser: the same URL goes to the opener, from the details popup too.
    app.surroundings.browser = Some("firefox".into());
    press(&mut app, &[KeyCode::Enter]);
    let cmds = press(&mut app, &[KeyCode::Char('o')]);
    assert!(matches!(&cmds[..], [Cmd::Open(u)] if u == url), "{cmds:?}");
    assert!(
        matches!(app.overlay, Some(Overlay::Details(_))),
        "details stay open"
    );
    assert!(log_texts(&app).pop().unwrap_or_default().contains(url));
}

#[test]
fn o_without_a_waba_id_says_what_to_configure() {
    let config = Config::parse(
        "default_profile = \"p\"\n[profiles.p]\ntoken_env = \"T\"\n[[numbers]]\nid = \"100\"\n",
        None,
    )
    .unwrap();
    let mut app = App::new(&config, Theme { color: false }, None);
    app.surroundings.browser = Some("firefox".into());
    let cmds = press(&mut app, &[KeyCode::Char('o')]);
    assert!(cmds.is_empty());
    assert!(
        log_texts(&app)
            .pop()
            .unwrap_or_default()
            .contains("no waba_id")
    );
}

/// The same messages on the same fixed clock give the same state: `update` reads no clock
/// and writes no log of its own (its notices leave through `take_log_lines`).
#[test]
fn update_on_a_fixed_clock_is_repeatable() {
    let run = || {
        let mut app = app();
        app.clock = crate::clock::Clock::fixed("2026-11-24T23:30:00+00:00").unwrap();
        let start = app.start();
        let mut cmds = format!("{start:?}");
        let listing = vec![
            number("100", "CONNECTED", "+49 30 1234 5601"),
            number("300", "PENDING", "+1 555 0100"),
        ];
        let reply = Msg::Reply(listing_request(&start), Reply::Listing(Ok(boxed(listing))));
        for msg in [
            reply,
            key(KeyCode::Char('R')),
            key(KeyCode::Char('s')),
            key(KeyCode::Char('/')),
            key(KeyCode::Char('x')),
            key(KeyCode::Esc),
            key(KeyCode::Char('r')),
            key(KeyCode::Tab),
            key(KeyCode::Enter),
            key(KeyCode::Char('g')),
            key(KeyCode::Char('b')),
            key(KeyCode::Esc),
        ] {
            cmds.push_str(&format!("{:?}", app.update(msg)));
        }
        let screen = {
            let mut terminal =
                ratatui::Terminal::new(ratatui::backend::TestBackend::new(100, 30)).unwrap();
            let frame = terminal.draw(|f| crate::tui::view::draw(f, &app)).unwrap();
            crate::tui::run::buffer_text(frame.buffer)
        };
        (screen, log_texts(&app), app.take_log_lines().len(), cmds)
    };
    let first = run();
    assert!(first.2 > 0, "notices wait for the loop to write them");
    assert_eq!(first, run());
}

#[test]
fn a_filter_the_grammar_refuses_says_why_where_the_rows_would_be() {
    let mut app = loaded();
    press(&mut app, &[KeyCode::Char('/')]);
    type_text(&mut app, "foo:bar");
    let screen = {
        let mut terminal =
            ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 40)).unwrap();
        let frame = terminal.draw(|f| crate::tui::view::draw(f, &app)).unwrap();
        crate::tui::run::buffer_text(frame.buffer)
    };
    assert!(
        screen.contains("The filter is not understood: `foo:` is not a column"),
        "{screen}"
    );
}

#[test]
fn leaving_the_log_pane_follows_the_newest_again() {
    let mut app = loaded();
    for i in 0..40 {
        app.update(Msg::Notice(Level::Info, format!("line {i}")));
    }
    press(
        &mut app,
        &[KeyCode::Tab, KeyCode::Char('k'), KeyCode::Char('k')],
    );
    assert_eq!(app.log_view.from_bottom, 2);
    press(&mut app, &[KeyCode::Tab]);
    assert_eq!(app.log_view.from_bottom, 0, "what y, o and e say is seen");
}

#[test]
fn export_tells_a_failed_storage_read_from_one_not_made() {
    let mut app = loaded();
    app.table.rows[0].storage = Storage::Failed("timeout after 5s".into());
    let cmds = press(&mut app, &[KeyCode::Char('e')]);
    let Some(Cmd::Export { rows, .. }) = cmds.into_iter().next() else {
        panic!("no export")
    };
    assert_eq!(
        rows[0].text(crate::fleet::Column::Error),
        "storage: timeout after 5s"
    );
    assert_eq!(
        rows[1].text(crate::fleet::Column::Error),
        "",
        "storage not read is not an error"
    );
}

#[test]
fn verifying_a_number_already_verified_says_so() {
    let mut app = loaded();
    press(&mut app, &[KeyCode::Char('v')]); // 100: VERIFIED
    let screen = {
        let mut terminal =
            ratatui::Terminal::new(ratatui::backend::TestBackend::new(100, 30)).unwrap();
        let frame = terminal.draw(|f| crate::tui::view::draw(f, &app)).unwrap();
        crate::tui::run::buffer_text(frame.buffer)
    };
    assert!(screen.contains("Ownership is already VERIFIED"), "{screen}");
}

/// The log pane scrolls by rows as drawn: an entry that wraps to three rows takes three `k`
/// presses, a page is the pane's height, and the top stops at the oldest row.
#[test]
fn the_log_scrolls_a_row_or_a_page_at_a_time_and_stops_at_the_oldest_row() {
    let mut app = loaded();
    app.update(Msg::Resize(80, 24));
    let long = "a notice long enough to wrap onto three rows of the 80-column log pane, \
                which leaves sixty-nine cells of text beside each entry's time, so that \
                this one takes three";
    for i in 0..10 {
        app.update(Msg::Notice(Level::Info, format!("short {i}")));
        app.update(Msg::Notice(Level::Info, format!("{long} ({i})")));
    }
    let width = crate::tui::view::layout::log_width(app.size);
    let rows: usize = (0..app.log.len())
        .filter_map(|i| app.log.get(i))
        .map(|e| crate::tui::view::log_rows::rows_of(e, width))
        .sum();
    press(&mut app, &[KeyCode::Tab]);
    let page = app.log_page();
    assert_eq!(page, 9, "the focused pane takes half of 80x24");
    press(&mut app, &[KeyCode::Char('k')]);
    assert_eq!(app.log_view.from_bottom, 1, "one row, not one entry");
    press(&mut app, &[KeyCode::PageUp]);
    assert_eq!(app.log_view.from_bottom, 1 + page);
    press(&mut app, &[KeyCode::PageDown, KeyCode::PageDown]);
    assert_eq!(app.log_view.from_bottom, 0);
    press(&mut app, &[KeyCode::Char('g')]);
    assert_eq!(
        app.log_view.from_bottom,
        rows - page,
        "the oldest row at the top"
    );
    press(&mut app, &[KeyCode::Char('k'), KeyCode::PageUp]);
    assert_eq!(app.log_view.from_bottom, rows - page, "never past it");
    // Scrolled back, a new entry of three rows keeps the same rows in view.
    app.update(Msg::Notice(Level::Info, long.into()));
    assert_eq!(app.log_view.from_bottom, rows - page + 3);
}

/// Counts of one say one (fresh-eyes finding: "register of 1 numbers").
#[test]
fn a_count_of_one_is_singular_in_the_bulk_planning_and_the_export() {
    let mut app = loaded();
    press(
        &mut app,
        &[KeyCode::Char(' '), KeyCode::Char('B'), KeyCode::Enter],
    );
    let screen = {
        let mut terminal =
            ratatui::Terminal::new(ratatui::backend::TestBackend::new(100, 30)).unwrap();
        let frame = terminal.draw(|f| crate::tui::view::draw(f, &app)).unwrap();
        crate::tui::run::buffer_text(frame.buffer)
    };
    assert!(
        screen.contains("Reading and planning 1 number…"),
        "{screen}"
    );
    let mut app = loaded();
    press(&mut app, &[KeyCode::Char('/')]);
    type_text(&mut app, "Support");
    press(&mut app, &[KeyCode::Enter, KeyCode::Char('e')]);
    assert!(
        log_texts(&app)
            .iter()
            .any(|l| l.starts_with("exporting 1 shown number to ")),
        "{:?}",
        log_texts(&app)
    );
}

/// Ctrl-U clears the filter line and leaves it open for typing, as in a shell.
#[test]
fn ctrl_u_clears_the_filter_line() {
    let mut app = loaded();
    press(&mut app, &[KeyCode::Char('/')]);
    type_text(&mut app, "acme");
    app.update(Msg::Key(KeyEvent::new(
        KeyCode::Char('u'),
        KeyModifiers::CONTROL,
    )));
    assert_eq!(app.table.filter, "");
    assert!(app.table.filtering, "still typing");
    assert_eq!(app.table.visible.len(), app.table.rows.len());
    type_text(&mut app, "sup");
    assert_eq!(app.table.filter, "sup");
}

/// Help over a form says Esc goes back to the form, where Esc closes it (`q` still asks
/// first, as form_tests hold).
#[test]
fn help_over_a_form_says_esc_goes_back_to_the_form_and_closes_it() {
    let mut app = loaded();
    press(&mut app, &[KeyCode::Char('r')]);
    type_text(&mut app, "12");
    press(&mut app, &[KeyCode::Char('?')]);
    let footer = crate::tui::keys::footer(app.bindings(), 100);
    assert!(
        footer.starts_with("Esc/? back to the form (Esc there closes it)"),
        "{footer}"
    );
    press(&mut app, &[KeyCode::Esc]);
    assert!(
        matches!(app.overlay, Some(Overlay::Form(_))),
        "back to the form"
    );
    press(&mut app, &[KeyCode::Esc]);
    assert!(app.overlay.is_none(), "Esc there closes it");
}

#[test]
fn entries_checked_after_the_first_frame_become_rows_that_keep_their_kept_storage() {
    // A large fleet's start: the entries come after the ledger's kept storage was read.
    let head = Config::parse("[profiles.p]\ntoken_env = \"T\"\nwaba_id = \"999\"\n", None).unwrap();
    let mut app = App::new(&head, Theme { color: false }, None);
    app.expect_numbers(2);
    let mut book = crate::audit::StorageBook::default();
    let storage = crate::graph::types::StorageConfig {
        status: crate::graph::types::StorageStatus::Enabled,
        data_localization_region: Some("DE".into()),
    };
    book.note(crate::audit::StorageEntry::new(
        &NumberId::parse("100").unwrap(),
        storage.clone(),
        app.clock.now(),
    ));
    app.update(Msg::KeptStorage(book));
    let entries = Config::parse(CONFIG, None).unwrap().numbers;
    app.take_numbers(Ok(entries)).unwrap();
    assert_eq!(app.numbers_coming, None);
    assert_eq!(app.table.rows.len(), 2);
    assert_eq!(app.table.rows[0].storage, Storage::Known(storage));
    assert_eq!(app.table.rows[0].label.as_deref(), Some("Support DE"));
    // The start reads only the storage nobody kept.
    let cmds = app.start();
    let read: Vec<&str> = cmds
        .iter()
        .filter_map(|c| match c {
            Cmd::ReadSettings { id, .. } => Some(id.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(read, ["200"]);
}

#[test]
fn a_wrong_entry_checked_after_the_first_frame_comes_back_and_leaves_no_rows() {
    let head = Config::parse("[profiles.p]\ntoken_env = \"T\"\n", None).unwrap();
    let mut app = App::new(&head, Theme { color: false }, None);
    app.expect_numbers(1);
    let wrong = crate::config::ConfigError::new("numbers.id: `x` is not a numeric id");
    assert_eq!(app.take_numbers(Err(wrong.clone())), Err(wrong));
    assert!(app.table.rows.is_empty());
}
