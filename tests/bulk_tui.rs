//! The TUI's bulk popup as a person meets it: what the title and the plan say about marks the
//! filter hides, what `q` does while a run is sending, and what the table reads again after.

mod common;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use common::bulk_fixture::bulk_at;
use wareg::tui::app::{App, Overlay};
use wareg::tui::msg::{Cmd, Msg};

fn key(app: &mut App, code: KeyCode) -> Vec<Cmd> {
    app.update(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn screen(app: &App) -> String {
    let mut terminal =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(app.size.0, app.size.1)).unwrap();
    let frame = terminal.draw(|f| wareg::tui::view::draw(f, app)).unwrap();
    wareg::tui::run::buffer_text(frame.buffer)
}

#[test]
fn q_while_a_bulk_run_is_sending_asks_first_and_says_how_to_resume() {
    let mut app = bulk_at(2);
    app.update(Msg::Resize(100, 30));
    let cmds = key(&mut app, KeyCode::Char('q'));
    assert!(!app.quit, "quit at once while a run was sending");
    assert!(!cmds.iter().any(|c| matches!(c, Cmd::Quit)), "{cmds:?}");
    assert!(matches!(app.overlay, Some(Overlay::ConfirmQuit(_))));
    let text = screen(&app);
    assert!(text.contains("A bulk run is sending"), "{text}");
    assert!(
        text.contains("wareg bulk resume 20261125-233000-1a2b"),
        "{text}"
    );
    // No: back to the run, still going.
    key(&mut app, KeyCode::Char('n'));
    assert!(matches!(&app.overlay, Some(Overlay::Bulk(view)) if view.running()));
    key(&mut app, KeyCode::Char('q'));
    let cmds = key(&mut app, KeyCode::Char('y'));
    assert!(app.quit && cmds.iter().any(|c| matches!(c, Cmd::Quit)));
}

#[test]
fn marks_the_filter_hides_are_counted_in_the_title_and_named_in_the_bulk_popup() {
    // Four rows marked, then a filter that shows one of them.
    let mut app = bulk_at(0);
    app.update(Msg::Resize(120, 40));
    key(&mut app, KeyCode::Char('/'));
    for c in "Support".chars() {
        key(&mut app, KeyCode::Char(c));
    }
    key(&mut app, KeyCode::Enter);
    let text = screen(&app);
    assert!(
        text.contains("4 marked, 3 hidden by the filter (B bulk)"),
        "{text}"
    );
    key(&mut app, KeyCode::Char('B'));
    let text = screen(&app);
    assert!(text.contains("4 marked, 3 hidden by the filter"), "{text}");
    assert!(
        text.contains("also marked, hidden by the filter: Sales UK"),
        "{text}"
    );
    // Help says what Space does to the selection.
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Char('?'));
    assert!(screen(&app).contains("mark / unmark for bulk, then move down"));
}

#[test]
fn after_a_run_every_number_sent_to_has_its_storage_read_again() {
    use wareg::bulk::{NumberState, Summary};
    use wareg::tui::msg::BulkMsg;
    let mut app = bulk_at(2);
    let ids: Vec<String> = app.table.rows[..3]
        .iter()
        .map(|r| r.id.to_string())
        .collect();
    let cmds = app.update(Msg::Bulk(BulkMsg::Done(Summary {
        numbers: vec![
            (ids[0].clone(), NumberState::Done, None),
            (ids[1].clone(), NumberState::Unknown, None),
            (ids[2].clone(), NumberState::NotStarted, None),
        ],
        stopped: None,
        results: Vec::new(),
    })));
    let settings: Vec<String> = cmds
        .iter()
        .filter_map(|c| match c {
            Cmd::ReadSettings { id, .. } => Some(id.to_string()),
            _ => None,
        })
        .collect();
    assert!(settings.contains(&ids[0]), "{cmds:?}");
    assert!(
        settings.contains(&ids[1]),
        "an unknown outcome may have changed it: {cmds:?}"
    );
    assert!(
        !settings.contains(&ids[2]),
        "nothing was sent to it: {cmds:?}"
    );
    assert!(
        cmds.iter().any(|c| matches!(c, Cmd::ListNumbers { .. })),
        "the status is read again too: {cmds:?}"
    );
}

#[test]
fn enter_on_a_summary_line_opens_its_whole_message_and_esc_goes_back() {
    use common::bulk_fixture::LONG_MESSAGE;
    use wareg::tui::keys::{BulkStage, Place};
    let mut app = bulk_at(3);
    app.update(Msg::Resize(80, 24));
    let summary = screen(&app);
    // One entry per number, named as people name them, the deregistered one's state whole.
    assert!(summary.contains("Support DE +49"), "{summary}");
    assert!(
        summary.contains("left DEREGISTERED: messaging is stopped"),
        "{summary}"
    );
    assert!(
        !summary.contains("reset it in WhatsApp Manager"),
        "{summary}"
    );
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.place(), Place::Bulk(BulkStage::Message));
    let opened = screen(&app);
    let flat: String = opened
        .lines()
        .map(|l| l.trim_matches(|c: char| c == '│' || c == ' ' || c == '…'))
        .collect::<Vec<_>>()
        .join(" ");
    for words in [
        "reset it in",
        "WhatsApp Manager",
        "AbCdEfGh123",
        "(106540352242924)",
    ] {
        assert!(opened.contains(words), "{words} not in:\n{opened}");
    }
    assert!(LONG_MESSAGE.len() > 200);
    assert!(
        flat.contains("✗ register 133005 Two-step PIN mismatch"),
        "{opened}"
    );
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.place(), Place::Bulk(BulkStage::Done));
    key(&mut app, KeyCode::Esc);
    assert!(app.overlay.is_none(), "Esc closes the summary");
}

#[test]
fn a_summary_longer_than_the_popup_scrolls_to_the_chosen_number_and_says_how_many_are_shown() {
    use wareg::bulk::{NumberState, Summary};
    use wareg::tui::msg::BulkMsg;
    let mut app = bulk_at(2);
    app.update(Msg::Resize(80, 24));
    let numbers: Vec<(String, NumberState, Option<String>)> = (0..12)
        .map(|i| {
            (
                format!("19900000000000{i:02}"),
                NumberState::Failed,
                Some("Graph error 133005 (Two-step PIN mismatch)".into()),
            )
        })
        .collect();
    app.update(Msg::Bulk(BulkMsg::Done(Summary {
        numbers,
        stopped: None,
        results: Vec::new(),
    })));
    let first = screen(&app);
    assert!(first.contains("› 1990000000000000"), "{first}");
    assert!(first.contains("of 12 numbers shown"), "{first}");
    assert!(!first.contains("1990000000000011"), "{first}");
    for _ in 0..11 {
        key(&mut app, KeyCode::Down);
    }
    let last = screen(&app);
    assert!(last.contains("› 1990000000000011"), "{last}");
    assert!(!last.contains("1990000000000000 "), "{last}");
}
