//! Every place's key table against what its keys really do: each hinted key changes
//! something there (the screen, where keys go next, or commands sent), and each key that
//! changes something is in the table (so the footer or help names it). Plus the footer of
//! every place at 60, 80 and 120 columns.

mod common;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use common::app_fixture::*;
use common::bulk_fixture::{bulk_at, bulk_plan};
use wareg::tui::app::{App, bindings};
use wareg::tui::keys::{self, BulkStage, FieldKind, Keys, PLACES, Place};
use wareg::tui::msg::{BulkMsg, Cmd, Level, Msg, Reply};

fn press(app: &mut App, code: KeyCode) -> Vec<Cmd> {
    app.update(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn presses(app: &mut App, codes: &[KeyCode]) -> Vec<Cmd> {
    codes.iter().flat_map(|c| press(app, *c)).collect()
}

fn typed(app: &mut App, text: &str) -> Vec<Cmd> {
    text.chars()
        .flat_map(|c| press(app, KeyCode::Char(c)))
        .collect()
}

/// An app in `place`, in a state where every key of the place has something to act on
/// (a selection in the middle, a filter to clear, a log to scroll…).
fn app_in(place: Place) -> App {
    use KeyCode::*;
    let mut app = loaded();
    app.update(Msg::Resize(100, 30));
    match place {
        Place::Table => {
            typed(&mut app, "/acme");
            presses(&mut app, &[Enter, Char('j'), Char(' ')]);
        }
        Place::Log => {
            for i in 0..40 {
                app.update(Msg::Notice(Level::Info, format!("line {i}")));
            }
            presses(&mut app, &[Tab, Char('k'), Char('k')]);
        }
        Place::Details => {
            press(&mut app, Enter);
        }
        Place::Help => {
            app.update(Msg::Resize(80, 24));
            presses(&mut app, &[Char('?'), Char('j')]);
        }
        Place::Filter => {
            typed(&mut app, "/ac");
        }
        Place::Field(FieldKind::Digits) => {
            presses(&mut app, &[Char('j'), Char('r')]);
            typed(&mut app, "12");
        }
        Place::Field(FieldKind::Choice) => {
            // Past the PIN and the PIN again (none is set: it is asked twice).
            presses(&mut app, &[Char('j'), Char('r'), Tab, Tab]);
        }
        Place::Field(FieldKind::Button) => {
            // Cancel: Enter on it always does something (Register needs a PIN first).
            presses(&mut app, &[Char('j'), Char('r'), BackTab]);
        }
        Place::Dropdown => {
            presses(
                &mut app,
                &[Char('j'), Char('r'), Tab, Tab, Enter, Down, Down],
            );
        }
        Place::Field(FieldKind::Switch) => {
            presses(&mut app, &[Char('j'), Char('v')]);
        }
        Place::Field(FieldKind::Text) => {
            // The language field holds en_US, its longest; one letter less leaves room.
            presses(&mut app, &[Char('j'), Char('v'), Tab, Backspace]);
        }
        Place::Field(FieldKind::Name) => {
            // The rename form's new name, part typed (Backspace has a letter to delete).
            presses(&mut app, &[Char('j'), Char('n')]);
            typed(&mut app, "Acme");
        }
        Place::Field(FieldKind::Pick) => {
            // Two profiles name a WABA: the add form starts on the choice of one.
            app = fresh_with_two_wabas();
            app.update(Msg::Resize(100, 30));
            press(&mut app, Char('a'));
        }
        Place::Field(FieldKind::Check) => {
            // Deregister a number that is not registered: the override is offered.
            presses(&mut app, &[Char('j'), Char('d')]);
            typed(&mut app, "0123");
            press(&mut app, Tab);
        }
        Place::Sending | Place::ConfirmQuit => {
            presses(&mut app, &[Char('j'), Char('r')]);
            typed(&mut app, "123456");
            press(&mut app, Tab);
            typed(&mut app, "123456");
            presses(&mut app, &[Tab, Tab, Enter]);
            if place == Place::ConfirmQuit {
                press(&mut app, Char('q'));
            }
        }
        Place::ConfirmFull => {
            // F over more numbers than it reads unasked.
            app.confirm_full_over = 0;
            press(&mut app, Char('F'));
        }
        Place::Alert => {
            let cmds = presses(&mut app, &[Char('R')]);
            let listing = cmds
                .iter()
                .find_map(|c| match c {
                    Cmd::ListNumbers { request, .. } => Some(*request),
                    _ => None,
                })
                .expect("R lists");
            app.update(Msg::Reply(listing, Reply::NoToken("T is not set".into())));
        }
        Place::Bulk(stage) => {
            app = match stage {
                BulkStage::Running => bulk_at(2),
                BulkStage::Done | BulkStage::Message => bulk_at(3),
                _ => bulk_at(0),
            };
            app.update(Msg::Resize(100, 30));
            // On the middle number of the summary, so ↑ and ↓ both have somewhere to go.
            if stage == BulkStage::Done {
                press(&mut app, Down);
            }
            if stage == BulkStage::Message {
                press(&mut app, Enter);
            }
            if matches!(stage, BulkStage::Choose | BulkStage::Planning) {
                // On the region change, so ←/→ have a region to move.
                presses(&mut app, &[Char('B'), Down, Down]);
            }
            if stage == BulkStage::Planning {
                press(&mut app, Enter);
            }
            if let BulkStage::Confirm { pin } = stage {
                // Deregister takes no PIN; the region change does.
                let down = if pin { 2 } else { 3 };
                press(&mut app, Char('B'));
                presses(&mut app, &vec![Down; down]);
                press(&mut app, Enter);
                let plan = bulk_plan(&app);
                app.update(Msg::Bulk(BulkMsg::Planned {
                    plan: Box::new(plan),
                    region: None,
                }));
                // Ready to send, on the count, scrolled a little: every key has work.
                typed(&mut app, "3");
                if pin {
                    press(&mut app, Tab);
                    typed(&mut app, "246810");
                    press(&mut app, Tab);
                }
                press(&mut app, PageDown);
            }
        }
    }
    assert_eq!(app.place(), place, "the fixture did not reach {place:?}");
    app
}

/// What a key may have changed.
fn fingerprint(app: &App, cmds: &[Cmd]) -> String {
    let mut terminal = Terminal::new(TestBackend::new(app.size.0, app.size.1)).unwrap();
    let frame = terminal.draw(|f| wareg::tui::view::draw(f, app)).unwrap();
    // The text and what a plain-text screen cannot show (the highlighted row, focus).
    format!(
        "{}\n{:?} quit={} cmds={} selected={} offset={} log_from_bottom={} focus={:?} marked={} overlay={:?}",
        wareg::tui::run::buffer_text(frame.buffer),
        app.place(),
        app.quit,
        cmds.len(),
        app.table.selected,
        app.table.offset,
        app.log_view.from_bottom,
        app.focus,
        app.marked.len(),
        app.overlay
    )
}

fn does_something(place: Place, code: KeyCode) -> bool {
    does_something_with(place, KeyEvent::new(code, KeyModifiers::NONE))
}

fn does_something_with(place: Place, key: KeyEvent) -> bool {
    let before = fingerprint(&app_in(place), &[]);
    let mut app = app_in(place);
    let cmds = app.update(Msg::Key(key));
    fingerprint(&app, &cmds) != before
}

/// Every key a person is likely to press.
fn candidates() -> Vec<KeyCode> {
    use KeyCode::*;
    let mut keys: Vec<KeyCode> = (0x20u8..0x7f).map(|b| Char(b as char)).collect();
    keys.extend([
        Enter, Esc, Tab, BackTab, Up, Down, Left, Right, Home, End, PageUp, PageDown, Backspace,
        Delete, Insert,
    ]);
    keys
}

fn covered(place: Place, code: KeyCode) -> bool {
    keys::action(bindings(place), &KeyEvent::new(code, KeyModifiers::NONE)).is_some()
}

#[test]
fn every_hinted_key_does_something_where_it_is_hinted() {
    let mut idle = Vec::new();
    for place in PLACES {
        for binding in bindings(place) {
            let codes: Vec<KeyCode> = match binding.keys {
                Keys::Ctrl(c) => {
                    let key = KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL);
                    if !does_something_with(place, key) {
                        idle.push(format!("{place:?}: Ctrl-{c} ({})", binding.help));
                    }
                    continue;
                }
                Keys::Codes(codes) => codes.to_vec(),
                // A sample of what the field takes.
                Keys::Typing => vec![KeyCode::Char(match place {
                    Place::Field(FieldKind::Digits) | Place::Bulk(BulkStage::Confirm { .. }) => '5',
                    Place::Dropdown => 'g',
                    _ => 'a',
                })],
            };
            for code in codes {
                if !does_something(place, code) {
                    idle.push(format!("{place:?}: {code:?} ({})", binding.help));
                }
            }
        }
    }
    assert!(idle.is_empty(), "hinted but idle:\n{}", idle.join("\n"));
}

#[test]
fn every_key_that_does_something_is_in_its_places_table() {
    let mut hidden = Vec::new();
    for place in PLACES {
        for code in candidates() {
            if !covered(place, code) && does_something(place, code) {
                hidden.push(format!("{place:?}: {code:?}"));
            }
        }
    }
    assert!(
        hidden.is_empty(),
        "does something but no table says so:\n{}",
        hidden.join("\n")
    );
}

#[test]
fn the_footer_of_every_place_at_60_80_and_120_columns() {
    for width in [60u16, 80, 120] {
        let mut text = String::new();
        for place in PLACES {
            let mut app = app_in(place);
            app.update(Msg::Resize(width, 24));
            let mut terminal = Terminal::new(TestBackend::new(width, 24)).unwrap();
            let frame = terminal.draw(|f| wareg::tui::view::draw(f, &app)).unwrap();
            let screen = wareg::tui::run::buffer_text(frame.buffer);
            let footer = screen
                .lines()
                .last()
                .unwrap_or_default()
                .trim_end()
                .to_owned();
            assert!(
                footer.contains("help") || place == Place::ConfirmQuit,
                "{place:?} at {width}: {footer}"
            );
            text.push_str(&format!("{place:?}\n{footer}\n"));
        }
        insta::assert_snapshot!(format!("footers_{width}"), text);
    }
}
