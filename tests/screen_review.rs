//! The screen as a support person found it after a day's use (issue 26): what the title keeps
//! when it is cut, popups at the screen's edge, details that wrap, storage in words.

mod common;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use common::app_fixture::*;
use wareg::tui::app::App;
use wareg::tui::msg::{Cmd, Msg};

fn key(app: &mut App, code: KeyCode) -> Vec<Cmd> {
    app.update(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn screen(app: &mut App, width: u16, height: u16) -> String {
    app.update(Msg::Resize(width, height));
    let mut terminal =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(width, height)).unwrap();
    let frame = terminal.draw(|f| wareg::tui::view::draw(f, app)).unwrap();
    wareg::tui::run::buffer_text(frame.buffer)
}

#[test]
fn the_throttle_countdown_is_what_the_title_keeps_at_80_columns() {
    let mut app = loaded();
    let until = app.clock.now() + chrono::Duration::minutes(2);
    app.update(Msg::Throttle(Some(wareg::graph::Throttle {
        until,
        code: Some(80008),
        covers: "WABA 102290129340398".into(),
    })));
    // Something in flight too: the longest title there is.
    key(&mut app, KeyCode::Char('R'));
    let text = screen(&mut app, 80, 24);
    let title = text.lines().next().unwrap_or_default();
    assert!(
        title.contains("THROTTLED: reads resume in 2 min"),
        "{title}"
    );
    assert!(
        !title.trim_end().ends_with('│'),
        "a dangling separator: {title}"
    );
    // With room, it says who throttles and the profile stays.
    let text = screen(&mut app, 200, 40);
    let title = text.lines().next().unwrap_or_default();
    assert!(
        title.contains("THROTTLED by Meta: reads resume in 2 min"),
        "{title}"
    );
    assert!(title.contains("graph.facebook.com"), "{title}");
}

#[test]
fn a_popup_at_80_columns_leaves_no_piece_of_the_table_border_beside_it() {
    let mut app = loaded();
    key(&mut app, KeyCode::Char('d'));
    let text = screen(&mut app, 80, 24);
    for line in text.lines() {
        assert!(
            !["└│", "┌│", "│┐", "│┘", "││"]
                .iter()
                .any(|pair| line.contains(pair)),
            "a table corner beside the popup's border: {line}\n{text}"
        );
    }
}

#[test]
fn details_wrap_under_their_value_and_storage_has_no_parentheses_in_parentheses() {
    let mut app = loaded();
    key(&mut app, KeyCode::Enter);
    let text = screen(&mut app, 80, 24);
    assert!(
        text.contains("in-country storage in DE, EU (Germany)"),
        "{text}"
    );
    assert!(!text.contains("(EU (Germany))"), "{text}");
    // The last row, limited, has a name under review: a long status line wraps under its value.
    let mut app = loaded();
    key(&mut app, KeyCode::Char('G'));
    key(&mut app, KeyCode::Enter);
    let text = screen(&mut app, 80, 24);
    let continued: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("review: register waits"))
        .collect();
    assert!(!continued.is_empty(), "{text}");
    for line in continued {
        // Inside the table's border and the popup's.
        let inside = line.split('│').nth(2).unwrap_or_default();
        assert!(
            inside.starts_with(&" ".repeat(18)),
            "not under its value: {line}"
        );
    }
}

#[test]
fn a_refused_token_stops_the_profiles_other_reads_and_is_said_once() {
    use wareg::tui::msg::Reply;
    let mut app = loaded();
    let cmds = key(&mut app, KeyCode::Char('R'));
    let listing = cmds
        .iter()
        .find_map(|c| match c {
            Cmd::ListNumbers { request, .. } => Some(*request),
            _ => None,
        })
        .expect("R lists");
    let settings: Vec<_> = cmds
        .iter()
        .filter_map(|c| match c {
            Cmd::ReadSettings { request, .. } => Some(*request),
            _ => None,
        })
        .collect();
    let refused = graph_error(
        190,
        401,
        "Error validating access token: Session has expired",
    );
    let after = app.update(Msg::Reply(listing, Reply::Listing(Err(refused.clone()))));
    assert!(
        !after.iter().any(|c| matches!(c, Cmd::ReadNumber { .. })),
        "no number is read singly after the token was refused: {after:?}"
    );
    // The storage reads already out come back refused too: nothing more is said of them.
    for request in settings {
        app.update(Msg::Reply(request, Reply::Settings(Err(refused.clone()))));
    }
    let told = (0..app.log.len())
        .filter_map(|i| app.log.get(i).map(|e| e.text.clone()))
        .filter(|t| t.contains("its other reads are not sent"))
        .count();
    assert_eq!(told, 1);
    assert!(!app.busy(), "nothing of the profile stays in flight");
}

#[test]
fn rows_a_throttle_kept_from_reading_show_what_was_known_then_and_after() {
    use wareg::tui::msg::Reply;
    let mut app = loaded();
    let throttle = wareg::graph::Throttle {
        until: app.clock.now() + chrono::Duration::minutes(2),
        code: Some(80008),
        covers: "WABA 102290129340398".into(),
    };
    app.update(Msg::Throttle(Some(throttle.clone())));
    let cmds = key(&mut app, KeyCode::Char('R'));
    for cmd in cmds {
        let (request, reply) = match cmd {
            Cmd::ListNumbers { request, .. } => (
                request,
                Reply::Listing(Err(wareg::graph::ApiError::Throttled(throttle.clone()))),
            ),
            Cmd::ReadSettings { request, .. } => (
                request,
                Reply::Settings(Err(wareg::graph::ApiError::Throttled(throttle.clone()))),
            ),
            _ => continue,
        };
        app.update(Msg::Reply(request, reply));
    }
    let during = screen(&mut app, 120, 40);
    let row = during
        .lines()
        .find(|l| l.contains("Support DE"))
        .unwrap_or_default()
        .to_owned();
    assert!(row.contains("+49 30 1234 5601"), "{during}");
    assert!(!row.contains("read failed"), "{row}");
    // The throttle ends: the same rows still show what was known.
    app.clock = wareg::clock::Clock::fixed("2026-11-24T23:45:00+00:00").unwrap();
    app.update(Msg::Tick);
    let after = screen(&mut app, 120, 40);
    let row = after
        .lines()
        .find(|l| l.contains("Support DE"))
        .unwrap_or_default()
        .to_owned();
    assert!(
        row.contains("+49 30 1234 5601") && !row.contains("read failed"),
        "{after}"
    );
    assert!(!after.contains("read failed"), "{after}");
}
