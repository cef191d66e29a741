//! Every screen, popup and form state drawn on ratatui's TestBackend at 80x24 and 120x40 and
//! compared with the reviewed snapshots in tests/snapshots. Times, durations and trace ids are
//! filtered; colour is off so that styles do not hide text.

mod common;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::time::Duration;

use common::app_fixture::*;
use wareg::graph::ApiError;
use wareg::tui::app::App;
use wareg::tui::msg::{Cmd, Level, Msg, Reply, RequestId, StepFailure};
use wareg::tui::run::buffer_text;

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

fn draw(app: &mut App, width: u16, height: u16) -> String {
    app.update(Msg::Resize(width, height));
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    let frame = terminal.draw(|f| wareg::tui::view::draw(f, app)).unwrap();
    buffer_text(frame.buffer)
}

fn snapshot(name: &str, build: impl Fn() -> App) {
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(r"\b\d{2}:\d{2}:\d{2}\b", "HH:MM:SS");
    settings.add_filter(
        r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun)( \d{2} \w{3})? \d{2}:\d{2}\b",
        "DAY HH:MM",
    );
    settings.bind(|| {
        for (w, h) in [(80, 24), (120, 40)] {
            let mut app = build();
            insta::assert_snapshot!(format!("{name}_{w}x{h}"), draw(&mut app, w, h));
        }
    });
}

// ---- issue 3: the numbers screen, the log pane, help, details ----------------------------

#[test]
fn numbers_loading() {
    snapshot("numbers_loading", || {
        let mut app = fresh();
        app.start();
        app
    });
}

#[test]
fn numbers_loaded_with_mixed_states_and_a_failed_read() {
    snapshot("numbers_loaded", loaded);
}

#[test]
fn numbers_filtered() {
    snapshot("numbers_filtered", || {
        let mut app = loaded();
        key(&mut app, KeyCode::Char('/'));
        typed(&mut app, "acme b");
        app
    });
}

#[test]
fn details_popup() {
    snapshot("details", || {
        let mut app = loaded();
        key(&mut app, KeyCode::Enter);
        app
    });
}

#[test]
fn help_overlay() {
    snapshot("help", || {
        let mut app = loaded();
        key(&mut app, KeyCode::Char('?'));
        app
    });
}

#[test]
fn log_pane_with_errors() {
    snapshot("log_errors", || {
        let mut app = loaded();
        app.update(call(
            "POST",
            "/v25.0/106540352242922/register",
            Some(400),
            Some(graph_error(
                133005,
                400,
                "(#133005) Two step verification PIN Mismatch",
            )),
        ));
        app.update(call(
            "GET",
            "/v25.0/106540352242932",
            Some(502),
            Some(ApiError::BadResponse {
                http_status: 502,
                content_type: "text/html".into(),
                expected: "the expected JSON",
                problem: "expected value".into(),
                snippet: "<html>".into(),
            }),
        ));
        app.update(call(
            "POST",
            "/v25.0/106540352242931/register",
            None,
            Some(ApiError::Timeout {
                after: Duration::from_secs(30),
            }),
        ));
        app.update(Msg::Notice(
            Level::Error,
            "profile prod: cannot read the token".into(),
        ));
        key(&mut app, KeyCode::Tab);
        app
    });
}

#[test]
fn terminal_too_small() {
    let mut app = loaded();
    insta::assert_snapshot!("too_small_50x10", draw(&mut app, 50, 10));
}

// ---- issue 4: the forms ----------------------------------------------------------------

fn open_on(app: &mut App, row: usize, form_key: char) -> Vec<Cmd> {
    keys(app, &[KeyCode::Char('g')]);
    for _ in 0..row {
        key(app, KeyCode::Char('j'));
    }
    let cmds = key(app, KeyCode::Char(form_key));
    answer_reads(app, cmds);
    Vec::new()
}

#[test]
fn register_empty() {
    snapshot("register_empty", || {
        let mut app = loaded();
        open_on(&mut app, 1, 'r');
        app
    });
}

#[test]
fn register_invalid_pin() {
    snapshot("register_invalid_pin", || {
        let mut app = loaded();
        open_on(&mut app, 1, 'r');
        typed(&mut app, "12a");
        app
    });
}

#[test]
fn register_valid() {
    snapshot("register_valid", || {
        let mut app = loaded();
        open_on(&mut app, 1, 'r');
        typed(&mut app, "123456");
        keys(
            &mut app,
            &[
                KeyCode::Tab,
                KeyCode::Enter,
                KeyCode::Char('c'),
                KeyCode::Enter,
                KeyCode::Tab,
            ],
        );
        app
    });
}

#[test]
fn register_dropdown_open_top() {
    snapshot("register_dropdown_top", || {
        let mut app = loaded();
        open_on(&mut app, 1, 'r');
        keys(&mut app, &[KeyCode::Tab, KeyCode::Enter]);
        app
    });
}

#[test]
fn register_dropdown_scrolled() {
    snapshot("register_dropdown_scrolled", || {
        let mut app = loaded();
        open_on(&mut app, 1, 'r');
        keys(
            &mut app,
            &[KeyCode::Tab, KeyCode::Enter, KeyCode::Char('z')],
        );
        app
    });
}

fn exhaust(app: &mut App, id: &str, op: wareg::audit::Operation) {
    let records = (0..10)
        .map(|i| {
            wareg::audit::AuditRecord::intent(
                chrono::Utc::now() - chrono::Duration::hours(i),
                format!("a{i}"),
                "prod",
                id,
                op,
            )
        })
        .collect();
    app.update(Msg::Audit(records));
}

#[test]
fn register_budget_exhausted() {
    snapshot("register_budget_exhausted", || {
        let mut app = loaded();
        exhaust(
            &mut app,
            "106540352242923",
            wareg::audit::Operation::Register,
        );
        open_on(&mut app, 1, 'r');
        typed(&mut app, "123456");
        app
    });
}

#[test]
fn register_already_connected() {
    snapshot("register_connected", || {
        let mut app = loaded();
        open_on(&mut app, 0, 'r');
        typed(&mut app, "246810");
        app
    });
}

#[test]
fn register_not_verified() {
    snapshot("register_not_verified", || {
        let mut app = loaded();
        open_on(&mut app, 2, 'r');
        app
    });
}

fn submitted() -> (App, Vec<Cmd>) {
    let mut app = loaded();
    open_on(&mut app, 1, 'r');
    typed(&mut app, "123456");
    keys(
        &mut app,
        &[
            KeyCode::Tab,
            KeyCode::Enter,
            KeyCode::Char('g'),
            KeyCode::Enter,
        ],
    );
    let cmds = keys(&mut app, &[KeyCode::Tab, KeyCode::Enter]);
    (app, cmds)
}

fn plan_of(cmds: &[Cmd]) -> (RequestId, Vec<wareg::engine::Step>) {
    match cmds {
        [Cmd::RunPlan { request, steps, .. }] => (*request, steps.clone()),
        other => panic!("expected one plan, got {other:?}"),
    }
}

#[test]
fn register_in_flight() {
    snapshot("register_in_flight", || {
        let (mut app, cmds) = submitted();
        let (request, steps) = plan_of(&cmds);
        app.update(Msg::Reply(
            request,
            Reply::Step {
                step: steps[0],
                result: Ok(()),
                last: false,
            },
        ));
        app
    });
}

fn failed_with(code: i64, message: &str) -> App {
    let (mut app, cmds) = submitted();
    let (request, steps) = plan_of(&cmds);
    app.update(Msg::Reply(
        request,
        Reply::Step {
            step: steps[0],
            result: Ok(()),
            last: false,
        },
    ));
    let failure = StepFailure {
        message: message.into(),
        code: Some(code),
        unknown_outcome: false,
    };
    app.update(Msg::Reply(
        request,
        Reply::Step {
            step: steps[1],
            result: Err(failure),
            last: true,
        },
    ));
    app
}

#[test]
fn register_error_133005() {
    snapshot("register_error_133005", || {
        failed_with(
            133005,
            "Graph error 133005 (Two-step PIN mismatch), HTTP 400 fbtrace_id: AbCdEfGhIjKlMnOpQrStU",
        )
    });
}

#[test]
fn register_error_133016() {
    snapshot("register_error_133016", || {
        failed_with(
            133016,
            "Graph error 133016 (Registration rate limit exceeded), HTTP 400 fbtrace_id: AbCdEfGhIjKlMnOpQrStU",
        )
    });
}

#[test]
fn region_change_plan() {
    snapshot("region_change", || {
        let mut app = loaded();
        key(&mut app, KeyCode::Enter);
        let cmds = key(&mut app, KeyCode::Char('c'));
        answer_reads(&mut app, cmds);
        keys(
            &mut app,
            &[KeyCode::Enter, KeyCode::Char('c'), KeyCode::Enter],
        );
        app
    });
}

#[test]
fn deregister_before_typing() {
    snapshot("deregister_before", || {
        let mut app = loaded();
        open_on(&mut app, 0, 'd');
        app
    });
}

#[test]
fn deregister_after_typing() {
    snapshot("deregister_after", || {
        let mut app = loaded();
        open_on(&mut app, 0, 'd');
        typed(&mut app, "5601");
        key(&mut app, KeyCode::Tab);
        app
    });
}

#[test]
fn pin_form() {
    snapshot("pin_form", || {
        let mut app = loaded();
        open_on(&mut app, 0, 'p');
        typed(&mut app, "1357");
        app
    });
}

#[test]
fn verify_request_step() {
    snapshot("verify_request", || {
        let mut app = loaded();
        open_on(&mut app, 2, 'v');
        app
    });
}

#[test]
fn verify_code_step() {
    snapshot("verify_code", || {
        let mut app = loaded();
        open_on(&mut app, 2, 'v');
        let cmds = keys(&mut app, &[KeyCode::Tab, KeyCode::Tab, KeyCode::Enter]);
        let Some(Cmd::RequestCode { request, .. }) = cmds.into_iter().next() else {
            panic!("no request")
        };
        app.update(Msg::Reply(request, Reply::Simple(Ok(()))));
        typed(&mut app, "12");
        app
    });
}

#[test]
fn quit_while_a_mutation_is_in_flight() {
    snapshot("confirm_quit", || {
        let (mut app, _) = submitted();
        key(&mut app, KeyCode::Char('q'));
        app
    });
}
