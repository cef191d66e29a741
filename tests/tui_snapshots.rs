//! Every screen, popup and form state drawn on ratatui's TestBackend at 80x24 and 120x40 and
//! compared with the reviewed snapshots in tests/snapshots. Times, durations and trace ids are
//! filtered; colour is off so that styles do not hide text.

mod common;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::time::Duration;

use common::app_fixture::*;
use common::bulk_fixture::bulk_at;
use common::scrub::scrub;
use wareg::clock::Clock;
use wareg::graph::ApiError;
use wareg::tui::app::App;
use wareg::tui::msg::{Cmd, EngineCall, Level, Msg, Reply, RequestId, StepFailure};
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

/// Draws the app `build` makes at both sizes and compares it with the reviewed snapshot. It is
/// drawn twice, on a fixed clock late in the evening and on one early the next morning: after
/// scrubbing the two must be the same, so no snapshot depends on the hour or the day, even where
/// a popup leaves only a digit of a clock in view. Both are in UTC: every time a person reads
/// carries its zone ("Sat 05 Dec 18:19 UTC"), so another offset is rightly another screen
/// (clock.rs tests the words in other offsets).
fn snapshot(name: &str, build: impl Fn() -> App) {
    let morning = Clock::fixed("2026-11-25T04:07:09+00:00").unwrap();
    for (w, h) in [(80, 24), (120, 40)] {
        let scrubbed = scrub(&draw(&mut build(), w, h), w, h);
        let other = scrub(&with_clock(morning, || draw(&mut build(), w, h)), w, h);
        assert_eq!(
            scrubbed, other,
            "{name} at {w}x{h} shows something that depends on the clock"
        );
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), scrubbed);
    }
}

#[test]
fn the_log_pane_shows_the_injected_clock_in_its_own_offset() {
    let screen = draw(&mut loaded(), 120, 40);
    assert!(screen.contains("│23:30:00 GET /v25.0/"), "{screen}");
    let kolkata = Clock::fixed("2026-11-24T23:30:00+05:30").unwrap();
    let screen = with_clock(kolkata, || draw(&mut loaded(), 120, 40));
    assert!(screen.contains("│23:30:00 GET /v25.0/"), "{screen}");
}

#[test]
fn the_scrubber_hides_a_clock_cut_by_a_popup_and_keeps_widths() {
    let line = "│1│Latest audit records";
    let mut screen = String::new();
    for row in 0..24 {
        screen.push_str(if row == 18 {
            line
        } else {
            "│23:30:00 x 17ms fbtrace_id AbC"
        });
        screen.push('\n');
    }
    let scrubbed = scrub(&screen, 80, 24);
    let rows: Vec<&str> = scrubbed.lines().collect();
    assert_eq!(rows[18], "│h│Latest audit records");
    assert_eq!(rows[0], "│hh:mm:ss x ##ms fbtrace_id xxx");
    for (a, b) in screen.lines().zip(scrubbed.lines()) {
        assert_eq!(a.chars().count(), b.chars().count());
    }
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
fn numbers_at_200_columns_show_the_id_column() {
    let (w, h) = (200, 30);
    let screen = scrub(&draw(&mut loaded(), w, h), w, h);
    assert!(
        screen.contains("REG LEFT ID") && screen.contains("106540352242922"),
        "{screen}"
    );
    insta::assert_snapshot!("numbers_loaded_200x30", screen);
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

/// The details take the width a wide screen has (up to 100 columns; 76 at 80), and list
/// every key that acts on the number inside the popup, where the footer at 80 columns has
/// room for only some (d, n and y were missing).
#[test]
fn details_use_a_wide_screen_and_list_every_key_of_the_number() {
    for (w, h, popup) in [(80, 24, 76), (120, 40, 100), (200, 50, 100)] {
        let mut app = loaded();
        key(&mut app, KeyCode::Enter);
        let screen = draw(&mut app, w, h);
        // The popup's top border, from its corner to its other corner.
        let top = screen
            .lines()
            .find_map(|l| l.split_once("┌ Number 1065").map(|(_, rest)| rest))
            .unwrap_or_default();
        let across =
            "┌ Number 1065".chars().count() + top.chars().take_while(|c| *c != '┐').count() + 1;
        assert_eq!(across, popup, "at {w}x{h}: {screen}");
        for keys in [
            "r register",
            "c change region",
            "d deregister",
            "n new display name",
            "y copy id",
            "o open in WhatsApp Manager",
        ] {
            assert!(screen.contains(keys), "at {w}x{h}, {keys}: {screen}");
        }
    }
}

/// The fixture with the configured "Old line" failing on each of its 3 tries (an HTML 502).
fn failed_after_three_tries() -> App {
    let mut app = fresh();
    let cmds = app.start();
    answer_reads_with(&mut app, cmds, |_| {
        ApiError::after_tries(
            ApiError::BadResponse {
                http_status: 502,
                content_type: "text/html".into(),
                expected: "the expected JSON",
                problem: "expected value".into(),
                snippet: "<html>bad gateway</html>".into(),
            },
            3,
        )
    });
    app
}

/// Issue 26 item 21: a read that failed after retries says so on its row and in its details.
#[test]
fn a_read_that_failed_after_retries_says_how_often_on_its_row_and_in_its_details() {
    let screen = draw(&mut failed_after_three_tries(), 80, 24);
    let row = screen.lines().find(|l| l.contains("Old line")).unwrap();
    assert!(row.contains("failed ×3"), "{screen}");
    snapshot("details_failed_after_retries", || {
        let mut app = failed_after_three_tries();
        keys(
            &mut app,
            &[KeyCode::Char('j'), KeyCode::Char('j'), KeyCode::Char('j')],
        );
        key(&mut app, KeyCode::Enter);
        app
    });
}

#[test]
fn details_of_a_limited_number_with_a_name_under_review() {
    snapshot("details_limited", || {
        let mut app = loaded();
        keys(&mut app, &[KeyCode::Char('G'), KeyCode::Enter]);
        app
    });
}

/// The fixture with Meta's usage header saying `percent` % of the WABA's call budget is spent.
fn with_usage(percent: u32) -> App {
    let mut app = loaded();
    let mut usage = wareg::graph::Usage::default();
    let header = format!(r#"{{"102290129340398":[{{"call_count":{percent},"total_time":7}}]}}"#);
    usage.note(Some(&header), None);
    app.update(Msg::Call(wareg::graph::CallEvent {
        usage: Some(usage),
        ..match call(
            "GET",
            "/v25.0/102290129340398/phone_numbers",
            Some(200),
            None,
        ) {
            Msg::Call(event) => event,
            _ => unreachable!("call() makes a Call"),
        }
    }));
    app
}

#[test]
fn past_half_the_call_budget_the_title_draws_a_gauge() {
    snapshot("numbers_api_gauge", || with_usage(81));
}

#[test]
fn numbers_with_the_call_budget_in_the_title() {
    snapshot("numbers_api_usage", || {
        let mut app = loaded();
        let mut usage = wareg::graph::Usage::default();
        usage.note(
            Some(r#"{"102290129340398":[{"call_count":42,"total_time":7}]}"#),
            None,
        );
        app.update(Msg::Call(wareg::graph::CallEvent {
            usage: Some(usage),
            ..match call(
                "GET",
                "/v25.0/102290129340398/phone_numbers",
                Some(200),
                None,
            ) {
                Msg::Call(event) => event,
                _ => unreachable!("call() makes a Call"),
            }
        }));
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

/// Help over a form: its footer and last line say Esc goes back to the form (where Esc closes
/// it), not that `q` quits.
#[test]
fn help_over_a_form() {
    snapshot("help_over_form", || {
        let mut app = loaded();
        open_on(&mut app, 1, 'r');
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

/// The log pane with the keyboard: half the screen, scrolled back a page (of rows as drawn:
/// each entry whole or cut only at the top), and `o`'s URL on a row of its own, whole where
/// the pane is wide enough for it (80 columns are: it starts at the pane's edge).
#[test]
fn log_pane_scrolled_back_a_page() {
    snapshot("log_scrolled", || {
        let mut app = loaded();
        for i in 0..20 {
            app.update(Msg::Notice(
                Level::Info,
                format!(
                    "bulk run {i}: a notice that wraps onto a second row at 80 columns, as many do"
                ),
            ));
            app.update(Msg::Notice(Level::Warn, format!("short {i}")));
        }
        keys(&mut app, &[KeyCode::Tab, KeyCode::PageUp]);
        app
    });
    snapshot("log_manager_url", || {
        let mut app = loaded();
        for i in 0..3 {
            app.update(Msg::Notice(Level::Info, format!("line {i}")));
        }
        key(&mut app, KeyCode::Char('o'));
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

/// Before a PIN is typed the plan says so: no masks as if one were filled in (fresh2 item 6).
#[test]
fn register_empty() {
    let build = || {
        let mut app = loaded();
        open_on(&mut app, 1, 'r');
        app
    };
    let screen = draw(&mut build(), 120, 40);
    assert!(
        screen.contains("1. POST /register  pin: not typed yet"),
        "{screen}"
    );
    assert!(!screen.contains('•'), "{screen}");
    snapshot("register_empty", build);
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
        // No PIN is set: it is typed twice.
        typed(&mut app, "123456");
        key(&mut app, KeyCode::Tab);
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
        keys(&mut app, &[KeyCode::Tab, KeyCode::Tab, KeyCode::Enter]);
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
            &[
                KeyCode::Tab,
                KeyCode::Tab,
                KeyCode::Enter,
                KeyCode::Char('z'),
            ],
        );
        app
    });
}

#[test]
fn register_dropdown_type_ahead_over_names() {
    snapshot("register_dropdown_type_ahead", || {
        let mut app = loaded();
        open_on(&mut app, 1, 'r');
        keys(&mut app, &[KeyCode::Tab, KeyCode::Tab, KeyCode::Enter]);
        // "ger" finds EU (Germany) by a word of its name.
        typed(&mut app, "ger");
        app
    });
}

fn exhaust(app: &mut App, id: &str, op: wareg::audit::Operation) {
    let now = app.clock.now();
    // Ten attempts that ended: an intent alone would be a change in progress.
    let records: Vec<_> = (0..10)
        .flat_map(|i| {
            let intent = wareg::audit::AuditRecord::intent(
                now - chrono::Duration::hours(i),
                format!("a{i}"),
                "prod",
                &wareg::graph::NumberId::parse(id).unwrap(),
                op,
            );
            let mut outcome = intent.clone();
            outcome.phase = wareg::audit::Phase::Outcome;
            outcome.outcome = Some(wareg::audit::Outcome::Error);
            [intent, outcome]
        })
        .collect();
    let budgets = wareg::audit::BudgetBook::new(&records, app.policy, now);
    app.update(Msg::Ledger {
        budgets,
        recent: records,
    });
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
fn details_draw_each_budget_over_its_window() {
    snapshot("details_budget_timeline", || {
        let mut app = loaded();
        exhaust(
            &mut app,
            "106540352242923",
            wareg::audit::Operation::Register,
        );
        keys(&mut app, &[KeyCode::Char('j'), KeyCode::Enter]);
        app
    });
}

/// Details taller than the screen scroll (PgDn a page, ↓ a line) and say how; the budget
/// timelines move with their lines. At 120x40 they fit and nothing scrolls.
#[test]
fn details_taller_than_the_screen_scroll_and_say_how() {
    let build = || {
        let mut app = loaded();
        exhaust(
            &mut app,
            "106540352242923",
            wareg::audit::Operation::Register,
        );
        app.update(Msg::Resize(80, 24));
        keys(&mut app, &[KeyCode::Char('j'), KeyCode::Enter]);
        app
    };
    let mut app = build();
    let screen = draw(&mut app, 80, 24);
    assert!(screen.contains("more lines: PgDn scrolls"), "{screen}");
    assert!(
        screen.contains("PgDn scroll"),
        "the footer offers it: {screen}"
    );
    snapshot("details_scrolled", || {
        let mut app = build();
        keys(&mut app, &[KeyCode::PageDown, KeyCode::Down]);
        app
    });
    // As far as it goes and no further: the last audit record is in view.
    let mut app = build();
    keys(&mut app, &[KeyCode::PageDown; 5]);
    let screen = draw(&mut app, 80, 24);
    assert!(screen.contains("Latest audit records"), "{screen}");
    assert!(!screen.contains("more lines"), "{screen}");
    keys(&mut app, &[KeyCode::PageUp; 5]);
    assert_eq!(draw(&mut app, 80, 24), draw(&mut build(), 80, 24));
}

/// The register form says the plan's notes as `wareg plan` does ("note: …"): here that the
/// register applies Meta's approved name. The PIN's and the health's notes are said once, in
/// the pre-flight.
#[test]
fn register_says_the_plans_notes_as_the_cli_does() {
    let build = || {
        let mut app = loaded();
        let id = wareg::graph::NumberId::parse("106540352242922").unwrap();
        if let Some(row) = app.table.row_mut(&id)
            && let wareg::tui::app::Live::Loaded(number) = &mut row.live
        {
            number.new_display_name = Some("Acme Support Berlin".into());
            number.new_name_status = Some("APPROVED".into());
        }
        app.renew_next();
        open_on(&mut app, 0, 'r');
        app
    };
    let screen = draw(&mut build(), 120, 40);
    assert!(
        screen.contains("note: it applies the approved display name: verified name becomes"),
        "{screen}"
    );
    assert!(screen.contains("Support Berlin'"), "{screen}");
    assert!(
        !screen.contains("the PIN given must be that PIN"),
        "{screen}"
    );
    snapshot("register_notes", build);
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

/// The plan says what the button does: "Verify ownership…" opens the code form, so the form
/// shows the two requests it sends and asks for no PIN or region, which belong to the register
/// that follows (fresh2 item 9). New line BR, here without its coexistence.
#[test]
fn register_not_verified() {
    let build = || {
        let mut app = loaded();
        let id = wareg::graph::NumberId::parse("106540352242924").unwrap();
        if let Some(row) = app.table.row_mut(&id)
            && let wareg::tui::app::Live::Loaded(number) = &mut row.live
        {
            number.is_on_biz_app = None;
        }
        app.renew_next();
        open_on(&mut app, 2, 'r');
        app
    };
    let screen = draw(&mut build(), 120, 40);
    assert!(screen.contains("[ Verify ownership… ]"), "{screen}");
    assert!(screen.contains("1. POST /request_code"), "{screen}");
    assert!(!screen.contains("Will send"), "{screen}");
    assert!(!screen.contains("POST /register"), "{screen}");
    assert!(!screen.contains("PIN  "), "{screen}");
    snapshot("register_not_verified", build);
}

/// A number nothing can be sent for (New line BR is managed in the WhatsApp Business app) says
/// so once, at the top, with what to do instead; it asks for no PIN, plans nothing and offers
/// Cancel alone, not even the verification (fresh2 item 8).
#[test]
fn register_coexistence() {
    let build = || {
        let mut app = loaded();
        open_on(&mut app, 2, 'r');
        app
    };
    let screen = draw(&mut build(), 120, 40);
    assert_eq!(screen.matches("Nothing can be sent").count(), 1, "{screen}");
    assert!(screen.contains("nothing here needs doing"), "{screen}");
    for absent in [
        "PIN  ",
        "Will send",
        "[ Register ]",
        "Verify ownership",
        "POST /",
    ] {
        assert!(!screen.contains(absent), "{absent}: {screen}");
    }
    assert!(screen.contains("[ Cancel ]"), "{screen}");
    snapshot("register_coexistence", build);
}

/// Acme Billing's requested name is in review: a register would have no effect, and nothing
/// overrides it (README, Onboarding). Said at the top, before anything else; no override, no
/// PIN, no plan (fresh2 item 7).
#[test]
fn register_while_a_name_is_in_review() {
    let build = || {
        let mut app = loaded();
        open_on(&mut app, 5, 'r');
        app
    };
    let screen = draw(&mut build(), 120, 40);
    let reason = screen
        .find("Nothing can be sent: the requested display name is under review")
        .unwrap_or_else(|| panic!("{screen}"));
    let preflight = screen
        .find("Pre-flight")
        .unwrap_or_else(|| panic!("{screen}"));
    assert!(reason < preflight, "said first: {screen}");
    for absent in ["Override", "send anyway", "Will send", "[ Register ]"] {
        assert!(!screen.contains(absent), "{absent}: {screen}");
    }
    snapshot("register_name_in_review", build);
}

fn on_existing_account() -> wareg::graph::GraphError {
    let body = serde_json::json!({"error": {
        "message": "(#100) Invalid parameter", "type": "OAuthException", "code": 100,
        "error_subcode": 2388001,
        "error_user_msg": "This number is registered to an existing WhatsApp account. To use this number, disconnect it from the existing account.",
        "fbtrace_id": "AbCdEfGhIjKlMnOpQrStU"}});
    wareg::graph::GraphError::from_body(body.to_string().as_bytes()).unwrap()
}

/// Sales UK's register refused by Meta with 2388001, "registered to an existing WhatsApp
/// account": sending it again only spends an attempt, so the form offers no override and no
/// PIN, only Cancel, and says how to go on (fresh2 item 10).
fn refused_on_existing_account() -> App {
    let mut app = loaded();
    open_on(&mut app, 1, 'r');
    typed(&mut app, "123456");
    key(&mut app, KeyCode::Tab);
    typed(&mut app, "123456");
    let cmds = keys(&mut app, &[KeyCode::Tab, KeyCode::Tab, KeyCode::Enter]);
    let (request, steps) = plan_of(&cmds);
    let failure = StepFailure {
        message: "Graph error 100, HTTP 400. Meta says: This number is registered to an existing WhatsApp account. fbtrace_id: AbCdEfGhIjKlMnOpQrStU".into(),
        code: Some(100),
        entry: on_existing_account().catalogue(),
        unknown_outcome: false,
        readback: None,
    };
    // The read back it asks for stays in flight: the form is drawn as it is meanwhile.
    app.update(Msg::Reply(
        request,
        Reply::Step {
            step: steps[0],
            result: Err(failure),
            last: true,
        },
    ));
    // What the ledger keeps of it reaches the app, as after a real refusal.
    let mut book = wareg::audit::FactBook::default();
    book.note(wareg::audit::fact::Fact {
        number: wareg::graph::NumberId::parse("106540352242923").unwrap(),
        kind: wareg::audit::fact::FactKind::OnExistingAccount,
        value: "This number is registered to an existing WhatsApp account.".into(),
        time: app.clock.now(),
        operator: None,
    });
    app.update(Msg::Facts(book));
    app
}

#[test]
fn register_refused_as_on_an_existing_account_offers_nothing_more() {
    let screen = draw(&mut refused_on_existing_account(), 120, 40);
    assert!(
        screen.contains("Number is on an existing WhatsApp account"),
        "{screen}"
    );
    assert!(screen.contains("open the form again (r)"), "{screen}");
    for absent in [
        "Override",
        "Freed",
        "send anyway",
        "PIN  ",
        "Will send",
        "[ Register ]",
    ] {
        assert!(!screen.contains(absent), "{absent}: {screen}");
    }
    // Enter is on Cancel: it closes the form and sends nothing.
    let mut app = refused_on_existing_account();
    let cmds = keys(
        &mut app,
        &[KeyCode::Tab, KeyCode::Char(' '), KeyCode::Enter],
    );
    assert!(
        !cmds.iter().any(|c| matches!(c, Cmd::Engine { .. })),
        "{cmds:?}"
    );
    assert!(app.overlay.is_none());
    snapshot(
        "register_refused_on_existing_account",
        refused_on_existing_account,
    );
}

/// Opened again after that refusal, the form asks for what forcing it states, in the CLI's
/// words ("once it is disconnected from that WhatsApp account"), not "send anyway"; the reason
/// is at the top.
#[test]
fn register_after_that_refusal_asks_whether_the_number_is_freed() {
    let build = || {
        let mut app = refused_on_existing_account();
        key(&mut app, KeyCode::Esc);
        open_on(&mut app, 1, 'r');
        app
    };
    let screen = draw(&mut build(), 120, 40);
    assert!(
        screen.contains("Freed           [ ] it is disconnected from that WhatsApp account now"),
        "{screen}"
    );
    assert!(!screen.contains("send anyway"), "{screen}");
    let reason = screen
        .find("because the number is on")
        .unwrap_or_else(|| panic!("{screen}"));
    let pin = screen.find("PIN  ").unwrap_or_else(|| panic!("{screen}"));
    assert!(reason < pin, "said before the fields: {screen}");
    snapshot("register_after_refusal_freed", build);
}

fn submitted() -> (App, Vec<Cmd>) {
    let mut app = loaded();
    open_on(&mut app, 1, 'r');
    // No PIN is set: it is typed twice.
    typed(&mut app, "123456");
    key(&mut app, KeyCode::Tab);
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
        [
            Cmd::Engine {
                request,
                call: EngineCall::RunPlan { plan, .. },
                ..
            },
        ] => (*request, plan.steps.clone()),
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
        entry: wareg::graph::catalogue::lookup(code),
        unknown_outcome: false,
        readback: None,
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
        let Some(Cmd::Engine {
            request,
            call: EngineCall::RequestCode { .. },
            ..
        }) = cmds.into_iter().next()
        else {
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

/// The action chooser: its hints wrap in whole pieces ("Enter plan (sends nothing)" was cut
/// at 80 columns), and the marks the filter hides are listed whole.
#[test]
fn bulk_choose_shows_its_hints_whole() {
    snapshot("bulk_choose", || {
        let mut app = bulk_at(0);
        key(&mut app, KeyCode::Char('B'));
        app
    });
    let mut app = bulk_at(0);
    key(&mut app, KeyCode::Char('/'));
    typed(&mut app, "acme");
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Char('B'));
    let screen = draw(&mut app, 80, 24);
    assert!(screen.contains("Enter plan (sends nothing)"), "{screen}");
    assert!(
        screen.contains("hidden by the filter: Old line"),
        "{screen}"
    );
    assert!(
        screen.contains("(106540352242929)"),
        "listed whole: {screen}"
    );
}

/// A bulk register's plan says Meta's cap on registered numbers, in the words `wareg bulk
/// register` prints (BulkPlan::cap_note), wrapped whole.
#[test]
fn a_bulk_register_plan_says_metas_cap_on_registered_numbers() {
    let build = || {
        let mut app = bulk_at(0);
        key(&mut app, KeyCode::Char('B'));
        let cmds = key(&mut app, KeyCode::Enter);
        assert!(matches!(&cmds[..], [Cmd::BulkPlan { .. }]), "{cmds:?}");
        let plan = common::bulk_fixture::bulk_register_plan(&app);
        app.update(Msg::Bulk(wareg::tui::msg::BulkMsg::Planned {
            plan: Box::new(plan),
            region: None,
        }));
        app
    };
    let screen = draw(&mut build(), 120, 40);
    assert!(
        screen.contains("Meta caps a business portfolio at 2 registered numbers"),
        "{screen}"
    );
    assert!(
        screen.contains("registers past the cap are refused"),
        "whole: {screen}"
    );
    // At 80 columns: the budget column says it is what is left after the run (the table
    // behind says 10/10), and a left-out reason wraps whole instead of ending in `…`.
    let screen = draw(&mut build(), 80, 24);
    let header = screen.lines().find(|l| l.contains("NUMBER")).unwrap();
    assert!(header.contains("LEFT AFTER"), "{screen}");
    assert!(
        screen.contains("then enter it; register after that") && !screen.contains("request a…"),
        "{screen}"
    );
    snapshot("bulk_register_plan", build);
}

#[test]
fn bulk_marked_rows() {
    snapshot("bulk_marked", || bulk_at(0));
}

#[test]
fn bulk_plan_table() {
    snapshot("bulk_plan", || bulk_at(1));
}

#[test]
fn bulk_running_gauge() {
    snapshot("bulk_running", || bulk_at(2));
}

#[test]
fn bulk_summary() {
    snapshot("bulk_summary", || bulk_at(3));
}

// ---- issue 16: stale rows, sort, the status filter, the legend ----------------------------

#[test]
fn a_failed_reread_keeps_the_row_marked_stale() {
    snapshot("numbers_stale", || {
        let mut app = loaded();
        let cmds = key(&mut app, KeyCode::Char('R'));
        let listing = cmds
            .iter()
            .find_map(|c| match c {
                Cmd::ListNumbers { request, .. } => Some(*request),
                _ => None,
            })
            .expect("R lists the WABA");
        let reads = app.update(Msg::Reply(
            listing,
            Reply::Listing(Err(ApiError::Network("connection reset".into()))),
        ));
        for cmd in reads {
            if let Cmd::ReadNumber { request, .. } = cmd {
                app.update(Msg::Reply(
                    request,
                    Reply::Number(Err(ApiError::Network("connection reset".into()))),
                ));
            }
        }
        app
    });
}

#[test]
fn numbers_sorted_by_status_descending() {
    snapshot("numbers_sorted", || {
        let mut app = loaded();
        // LABEL, NUMBER, STATUS (NAME is not shown at 80 columns); then the other way round.
        typed(&mut app, "sssS");
        app
    });
}

/// The fixture with a label longer than the 80-column table gives it.
fn with_a_long_label() -> App {
    let mut app = loaded();
    app.table.rows[2].label = Some("Shop app (coexistence)".into());
    app
}

/// NEXT stays at 80 columns however the table is sorted (the columns used to come and go
/// with the sort and the rows on screen); the long label is cut for it.
#[test]
fn next_stays_at_80_columns_with_a_long_label_whatever_the_sort() {
    snapshot("numbers_long_label", with_a_long_label);
    let mut app = with_a_long_label();
    for sort in 0..=wareg::fleet::Column::TABLE.len() {
        let screen = draw(&mut app, 80, 24);
        let header = screen.lines().nth(2).unwrap_or_default();
        assert!(header.contains("NEXT"), "after {sort} s presses: {screen}");
        // The label is cut (whole in the details), never left out.
        let row = screen.lines().find(|l| l.contains("│Shop")).unwrap();
        assert!(
            row.contains('…') && !row.contains("(coexistence)"),
            "{screen}"
        );
        key(&mut app, KeyCode::Char('s'));
    }
}

/// The fixture with ten more numbers: more rows than 80x24 shows (12), fewer than 120x40.
fn with_many_numbers() -> App {
    let mut app = loaded();
    let now = app.clock.now();
    for i in 0..10 {
        let id = format!("10654035224300{i}");
        let mut row = wareg::fleet::Row::configured(
            wareg::graph::NumberId::parse(&id).unwrap(),
            Some(format!("Branch {i:02}")),
            "prod".into(),
        );
        row.set_read(
            Ok(number(
                &id,
                &format!("+49 30 1234 57{i:02}"),
                &format!("Acme Branch {i:02}"),
                "CONNECTED",
                "VERIFIED",
                "GREEN",
                true,
            )),
            now,
        );
        app.table.push(row);
    }
    app.renew_next();
    app
}

/// A table taller than the screen says so in its bottom border: how many rows are below,
/// and once scrolled, how many above; every row on screen, nothing.
#[test]
fn a_table_taller_than_the_screen_says_how_many_rows_are_above_and_below() {
    snapshot("numbers_more_below", with_many_numbers);
    snapshot("numbers_more_above_and_below", || {
        let mut app = with_many_numbers();
        // Down past the first page at 80x24 (12 rows), then three more.
        typed(&mut app, &"j".repeat(14));
        app
    });
    let bottom = |app: &mut App| {
        let screen = draw(app, 80, 24);
        let line = screen.lines().nth(15).unwrap_or_default().to_owned();
        assert!(line.starts_with('└'), "{screen}");
        line
    };
    let mut app = with_many_numbers();
    assert!(bottom(&mut app).contains("▼ 4 more below"));
    typed(&mut app, "G");
    let line = bottom(&mut app);
    assert!(line.contains("▲ 4 above") && !line.contains('▼'), "{line}");
    assert!(!bottom(&mut loaded()).contains('▼'), "6 rows fit");
}

/// `s` steps through the columns the screen shows, left to right, then back to the order
/// read: at 80 columns never NAME, OWNERSHIP, PLATFORM, LIMIT or ID, which it does not show.
#[test]
fn s_sorts_only_by_the_columns_shown_at_each_width() {
    use wareg::fleet::Column;
    for (w, h) in [(80, 24), (120, 40)] {
        let mut app = loaded();
        app.update(Msg::Resize(w, h));
        let mut walked = Vec::new();
        loop {
            key(&mut app, KeyCode::Char('s'));
            let Some(sort) = app.table.sort else { break };
            let screen = draw(&mut app, w, h);
            let header = screen.lines().nth(2).unwrap_or_default();
            assert!(header.contains(sort.column.title()), "{screen}");
            walked.push(sort.column.title());
            assert!(walked.len() <= Column::TABLE.len(), "{walked:?}");
        }
        let expected: &[&str] = if w == 80 {
            &[
                "LABEL", "NUMBER", "STATUS", "NEXT", "QUALITY", "STORAGE", "REG LEFT",
            ]
        } else {
            &[
                "LABEL",
                "NUMBER",
                "NAME",
                "STATUS",
                "NEXT",
                "OWNERSHIP",
                "QUALITY",
                "PLATFORM",
                "STORAGE",
                "REG LEFT",
            ]
        };
        assert_eq!(walked, expected, "at {w}x{h}");
    }
}

/// A filter that matches nothing leaves the header as it was over the rows it showed last,
/// rather than the columns that fit no row at all (NAME and OWNERSHIP came in at 80).
#[test]
fn a_filter_that_matches_nothing_keeps_the_header_as_it_was() {
    for (w, h) in [(80, 24), (120, 40)] {
        let header = |app: &mut App| {
            draw(app, w, h)
                .lines()
                .nth(2)
                .unwrap_or_default()
                .to_owned()
        };
        let mut app = loaded();
        let before = header(&mut app);
        key(&mut app, KeyCode::Char('/'));
        typed(&mut app, "zzz");
        assert!(app.table.visible.is_empty());
        let screen = draw(&mut app, w, h);
        assert!(screen.contains("No number matches"), "{screen}");
        assert_eq!(header(&mut app), before, "at {w}x{h}");
        // Narrowed to one row first, then to none: the header of that one row stays.
        key(&mut app, KeyCode::Esc);
        key(&mut app, KeyCode::Char('/'));
        typed(&mut app, "status:pend");
        assert_eq!(app.table.visible.len(), 1);
        let one = header(&mut app);
        typed(&mut app, "x");
        assert!(app.table.visible.is_empty());
        assert_eq!(header(&mut app), one, "at {w}x{h}");
    }
}

/// A filter the grammar refuses says why where the rows would be, wrapped, not cut at the
/// border (the columns it names are the useful part).
#[test]
fn a_filter_that_is_not_understood_says_why_in_full() {
    snapshot("numbers_filter_not_understood", || {
        let mut app = loaded();
        key(&mut app, KeyCode::Char('/'));
        typed(&mut app, "foo:x");
        app
    });
}

#[test]
fn numbers_filtered_by_status() {
    snapshot("numbers_status_filter", || {
        let mut app = loaded();
        key(&mut app, KeyCode::Char('/'));
        typed(&mut app, "status:connected");
        key(&mut app, KeyCode::Enter);
        app
    });
}

#[test]
fn help_scrolled_to_the_legend() {
    snapshot("help_legend", || {
        let mut app = loaded();
        key(&mut app, KeyCode::Char('?'));
        // Far more than it can scroll: the scroll stops at the legend's end.
        for _ in 0..60 {
            key(&mut app, KeyCode::Char('j'));
        }
        app
    });
}

#[test]
fn export_says_what_it_writes() {
    snapshot("export_message", || {
        let mut app = loaded();
        key(&mut app, KeyCode::Char('/'));
        typed(&mut app, "status:connected");
        key(&mut app, KeyCode::Enter);
        let cmds = key(&mut app, KeyCode::Char('e'));
        assert!(
            matches!(&cmds[..], [Cmd::Export { rows, .. }] if rows.len() == 2),
            "{cmds:?}"
        );
        app
    });
}

/// Support DE (connected, storage DE) changed to GB with a wrong PIN: deregister and settings
/// went through, register was refused (133005).
fn failed_region_change() -> App {
    let mut app = loaded();
    // Support DE (connected, storage DE): change the region to GB with a wrong PIN.
    key(&mut app, KeyCode::Enter);
    let cmds = key(&mut app, KeyCode::Char('c'));
    answer_reads(&mut app, cmds);
    // The change starts on the region: pick GB, then the PIN, then Change region.
    keys(
        &mut app,
        &[
            KeyCode::Enter,
            KeyCode::Char('g'),
            KeyCode::Char('b'),
            KeyCode::Enter,
            KeyCode::BackTab,
        ],
    );
    typed(&mut app, "111111");
    let cmds = keys(&mut app, &[KeyCode::Tab, KeyCode::Tab, KeyCode::Enter]);
    let (request, steps) = plan_of(&cmds);
    for step in &steps[..steps.len() - 1] {
        app.update(Msg::Reply(
            request,
            Reply::Step {
                step: *step,
                result: Ok(()),
                last: false,
            },
        ));
    }
    let failure = StepFailure {
        message: "Graph error 133005, HTTP 400. Meta says: Two step verification PIN incorrect. fbtrace_id: AbCdEfGhIjKlMnOpQrStU".into(),
        code: Some(133005),
        entry: wareg::graph::catalogue::lookup(133005),
        unknown_outcome: false,
        readback: None,
    };
    app.update(Msg::Reply(
        request,
        Reply::Step {
            step: steps[steps.len() - 1],
            result: Err(failure),
            last: true,
        },
    ));
    app
}

#[test]
fn a_failed_region_change_fits_a_small_terminal_with_its_buttons() {
    snapshot("region_change_failed", failed_region_change);
}

#[test]
fn closing_a_failed_region_change_says_the_number_is_left_deregistered() {
    let mut app = failed_region_change();
    key(&mut app, KeyCode::Esc);
    assert!(app.overlay.is_none());
    let last = app
        .log
        .get(app.log.len() - 1)
        .map(|e| e.text.clone())
        .unwrap_or_default();
    assert!(
        last.contains("left deregistered; messaging is stopped"),
        "{last}"
    );
}

#[test]
fn bulk_summary_whole_message() {
    // The number left DEREGISTERED, its whole message opened with Enter.
    snapshot("bulk_summary_message", || {
        let mut app = bulk_at(3);
        keys(&mut app, &[KeyCode::Down, KeyCode::Down, KeyCode::Enter]);
        app
    });
}

// ---- issue 25: the next step, adding a number, its display name -------------------------

#[test]
fn numbers_sorted_by_their_next_step() {
    // s walks the sort through the columns; NEXT sorts in the steps' order (what stops
    // everything first, none last).
    snapshot("numbers_next_sorted", || {
        let mut app = loaded();
        for _ in 0..8 {
            if app
                .table
                .sort
                .is_some_and(|s| s.column == wareg::fleet::Column::Next)
            {
                break;
            }
            key(&mut app, KeyCode::Char('s'));
        }
        assert!(
            app.table
                .sort
                .is_some_and(|s| s.column == wareg::fleet::Column::Next),
            "s reaches the NEXT column"
        );
        app
    });
}

#[test]
fn numbers_filtered_by_a_next_step() {
    snapshot("numbers_next_filter", || {
        let mut app = loaded();
        key(&mut app, KeyCode::Char('/'));
        typed(&mut app, "next:register");
        key(&mut app, KeyCode::Enter);
        app
    });
}

/// `/next:` takes a step's key or the words its NEXT cell shows: both pick the same rows.
#[test]
fn the_next_filter_takes_the_words_the_column_shows() {
    let shown = |filter: &str| {
        let mut app = loaded();
        key(&mut app, KeyCode::Char('/'));
        typed(&mut app, filter);
        key(&mut app, KeyCode::Enter);
        let t = &app.table;
        t.visible
            .iter()
            .map(|&i| t.rows[i].id.to_string())
            .collect::<Vec<_>>()
    };
    for (key, words) in [
        ("next:wait_review", "next:in_review"),
        ("next:managed_elsewhere", "next:elsewhere"),
        ("next:fix_health", "next:fix-health"),
    ] {
        let by_key = shown(key);
        assert_eq!(by_key.len(), 1, "{key}: {by_key:?}");
        assert_eq!(shown(words), by_key, "{words}");
    }
}

/// The add form with `cc`, `phone` and `name` typed.
fn add_form(cc: &str, phone: &str, name: &str) -> App {
    let mut app = loaded();
    key(&mut app, KeyCode::Char('a'));
    typed(&mut app, cc);
    key(&mut app, KeyCode::Tab);
    typed(&mut app, phone);
    key(&mut app, KeyCode::Tab);
    typed(&mut app, name);
    app
}

#[test]
fn add_form_empty() {
    snapshot("add_empty", || add_form("", "", ""));
}

#[test]
fn add_form_with_a_number_meta_would_refuse() {
    // A national number starting with 0: refused as `wareg add` refuses it, nothing to send.
    snapshot("add_invalid", || add_form("44", "07700 900123", "Acme UK"));
}

#[test]
fn add_form_says_every_problem_at_once() {
    // A country code the ITU has not assigned, a national number too short and a name of one
    // letter: each said on its own line, as `wareg add` says them.
    snapshot("add_every_problem", || add_form("999", "0770", "A"));
}

#[test]
fn add_form_ready() {
    snapshot("add_ready", || add_form("+44", "7700 900123", "Acme UK"));
}

/// The add form sent and answered with the new id.
fn added() -> App {
    let mut app = add_form("44", "7700900123", "Acme UK");
    let cmds = keys(&mut app, &[KeyCode::Tab, KeyCode::Enter]);
    let Some(Cmd::Engine {
        request,
        call: EngineCall::AddNumber { .. },
        profile,
    }) = cmds.into_iter().next()
    else {
        panic!("Add sends the add")
    };
    let new = wareg::graph::NumberId::parse("1065403522450000").unwrap();
    app.update(Msg::Reply(
        request,
        Reply::Added {
            profile,
            result: Ok(new),
        },
    ));
    app
}

#[test]
fn add_form_offers_the_code_once_added() {
    snapshot("add_done", added);
}

#[test]
fn rename_form_typed() {
    snapshot("rename_typed", || {
        let mut app = loaded();
        open_on(&mut app, 0, 'n');
        typed(&mut app, "Acme Support Berlin");
        app
    });
}

#[test]
fn rename_form_with_its_budget_spent_offers_the_override() {
    snapshot("rename_budget_spent", || {
        let mut app = loaded();
        let now = app.clock.now();
        let records: Vec<wareg::audit::AuditRecord> = (0..10)
            .map(|i| {
                rename_record(
                    "106540352242922",
                    now - chrono::Duration::days(20) + chrono::Duration::hours(i),
                )
            })
            .collect();
        app.update(Msg::Renames(wareg::audit::BudgetBook::new(
            &records,
            wareg::engine::RENAME_POLICY,
            now,
        )));
        open_on(&mut app, 0, 'n');
        typed(&mut app, "Acme Support Berlin");
        keys(&mut app, &[KeyCode::Tab]);
        app
    });
}

/// A display-name change that went out at `at`.
fn rename_record(id: &str, at: chrono::DateTime<chrono::Utc>) -> wareg::audit::AuditRecord {
    wareg::audit::AuditRecord::intent(
        at,
        format!("r{}", at.timestamp()),
        "prod",
        &wareg::graph::NumberId::parse(id).unwrap(),
        wareg::audit::Operation::Rename,
    )
}

#[test]
fn details_of_a_number_with_a_requested_name_its_limit_and_meta_s_lock() {
    // Support DE has asked for a new name (approved), reads its messaging limit, and Meta
    // locked register after a 133016: the details say the lock, the name and the next step.
    snapshot("details_life", || {
        let mut app = loaded();
        let id = wareg::graph::NumberId::parse("106540352242922").unwrap();
        if let Some(row) = app.table.row_mut(&id)
            && let wareg::tui::app::Live::Loaded(number) = &mut row.live
        {
            number.new_display_name = Some("Acme Support Berlin".into());
            number.new_name_status = Some("APPROVED".into());
            number.whatsapp_business_manager_messaging_limit = Some("TIER_2K".into());
        }
        let now = app.clock.now();
        let intent = wareg::audit::AuditRecord::intent(
            now - chrono::Duration::hours(2),
            "lock",
            "prod",
            &id,
            wareg::audit::Operation::Register,
        );
        let mut outcome = intent.clone();
        outcome.phase = wareg::audit::Phase::Outcome;
        outcome.outcome = Some(wareg::audit::Outcome::Error);
        outcome.code = Some(133016);
        outcome.locked_until = Some(now + chrono::Duration::hours(70));
        let records = vec![intent, outcome];
        let budgets = wareg::audit::BudgetBook::new(&records, app.policy, now);
        app.update(Msg::Ledger {
            budgets,
            recent: records,
        });
        keys(&mut app, &[KeyCode::Char('g'), KeyCode::Enter]);
        app
    });
}
