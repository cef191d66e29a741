//! A form is one component: this file adds a new one (a quick two-step PIN form with a single
//! field) without touching anything in `src`, and runs it through the real app, the real
//! worker and the sandbox over loopback: opened, typed into (its keys, not the table's), drawn,
//! submitted as an engine request, answered, closed and logged.

mod common;

use std::sync::Arc;
use std::time::Duration;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::text::Line;

use common::posts;
use wareg::config::ProfileName;
use wareg::graph::NumberId;
use wareg::sandbox::{self, SandboxOptions};
use wareg::tui::app::{App, Overlay};
use wareg::tui::forms::{
    AfterReply, Failure, FormComponent, FormContent, FormContext, FormEvent, FormReply, Phase,
    Submission,
};
use wareg::tui::keys::{FieldKind, InputEvent, Place};
use wareg::tui::msg::{Cmd, EngineCall, Msg};
use wareg::tui::run::buffer_text;
use wareg::tui::theme::Theme;
use wareg::tui::widgets::SecretField;
use wareg::tui::{TuiSetup, assemble};

/// The new form: six digits, Enter sends them as the two-step PIN.
#[derive(Debug)]
struct QuickPin {
    id: NumberId,
    profile: ProfileName,
    pin: SecretField,
    phase: Phase,
}

impl FormComponent for QuickPin {
    wareg::form_basics!();

    fn place(&self, _cx: &FormContext) -> Place {
        Place::Field(FieldKind::Digits)
    }

    fn on_key(&mut self, input: &InputEvent, _cx: &FormContext) -> FormEvent {
        match input.key.code {
            KeyCode::Esc => FormEvent::Cancel,
            KeyCode::Enter if self.pin.is_complete() => FormEvent::Submit,
            KeyCode::Char(c) => {
                self.pin.push(c);
                FormEvent::None
            }
            KeyCode::Backspace => {
                self.pin.pop();
                FormEvent::None
            }
            _ => FormEvent::None,
        }
    }

    fn submit(&mut self, _cx: &FormContext) -> Option<Submission> {
        Some(Submission {
            call: EngineCall::SetPin {
                id: self.id.clone(),
                pin: self.pin.to_pin()?,
            },
            notice: Some("sending a quick PIN".into()),
        })
    }

    fn on_reply(&mut self, reply: FormReply<'_>) -> AfterReply {
        match reply.result {
            Ok(()) => AfterReply {
                close: true,
                done: Some("quick PIN set"),
            },
            Err(e) => {
                self.phase = Phase::Failed(Failure::of(e, reply.now));
                AfterReply::default()
            }
        }
    }

    fn content(&self, _cx: &FormContext) -> FormContent {
        let dots = "•".repeat(self.pin.len());
        FormContent {
            title: format!("Quick PIN {}", self.id),
            width: 40,
            body: vec![Line::raw(format!("PIN {dots}"))],
            tail: Vec::new(),
        }
    }
}

fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn screen(app: &App) -> String {
    let mut terminal = Terminal::new(TestBackend::new(100, 30)).unwrap();
    let frame = terminal.draw(|f| wareg::tui::view::draw(f, app)).unwrap();
    buffer_text(frame.buffer)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_form_written_outside_the_crate_runs_through_the_app_the_worker_and_the_sandbox() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let sandbox = sandbox::start(listener, SandboxOptions::default()).unwrap();
    let config = wareg::sandbox::demo_config(&sandbox.base_url());
    let data = tempfile::tempdir().unwrap();
    let setup = TuiSetup {
        store: wareg::ledger::Store::Local(Arc::new(wareg::ledger::LocalTrail::in_dir(
            data.path(),
        ))),
        config,
        data_dir: data.path().to_path_buf(),
        log_path: None,
    };
    let (mut app, worker, _tx, mut rx) = assemble(&setup, Theme { color: false }).await;

    // Runs commands on the worker and feeds its messages back until `done` holds.
    let mut pump = async |app: &mut App, cmds: Vec<Cmd>, done: &dyn Fn(&App) -> bool| {
        cmds.into_iter().for_each(|c| worker.spawn(c));
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        while !done(app) {
            let msg = tokio::time::timeout_at(deadline, rx.recv())
                .await
                .expect("the app reached the state in time")
                .expect("the worker is running");
            for cmd in app.update(msg) {
                worker.spawn(cmd);
            }
        }
    };
    let cmds = app.start();
    pump(&mut app, cmds, &|app: &App| {
        !app.table.rows.is_empty() && app.table.rows.iter().all(|r| r.number().is_some())
    })
    .await;

    let row = &app.table.rows[0];
    let (id, profile) = (row.id.clone(), row.profile.clone());
    let opened = app.open_form(Box::new(QuickPin {
        id: id.clone(),
        profile,
        pin: SecretField::new(6),
        phase: Phase::Editing,
    }));
    assert!(
        opened.is_empty(),
        "a form that shows no plan reads nothing when opened: {opened:?}"
    );
    assert_eq!(app.place(), Place::Field(FieldKind::Digits));

    // Its keys are its own: `q` and `d` are typed into the field (and refused as not digits),
    // they neither quit nor open another form.
    for code in [KeyCode::Char('q'), KeyCode::Char('d')] {
        assert!(app.update(key(code)).is_empty());
    }
    for c in "424242".chars() {
        assert!(app.update(key(KeyCode::Char(c))).is_empty());
    }
    let shown = screen(&app);
    assert!(shown.contains(&format!("Quick PIN {id}")), "{shown}");
    assert!(shown.contains("PIN ••••••"), "{shown}");
    assert!(
        !shown.contains("424242"),
        "the PIN never reaches the screen"
    );
    // The footer is written from the digits field's key table.
    assert!(shown.contains("Ctrl-C quit"), "{shown}");

    let cmds = app.update(key(KeyCode::Enter));
    assert!(
        matches!(&cmds[..], [Cmd::Engine { call: EngineCall::SetPin { pin, .. }, .. }] if pin.expose() == "424242"),
        "{cmds:?}"
    );
    assert_eq!(app.place(), Place::Sending);
    assert!(app.mutation_in_flight());

    pump(&mut app, cmds, &|app: &App| app.overlay.is_none()).await;
    assert!(
        posts(&sandbox).contains(&format!("/v25.0/{id}")),
        "the worker sent the form's request: {:?}",
        posts(&sandbox)
    );
    let log: Vec<String> = (0..app.log.len())
        .filter_map(|i| app.log.get(i).map(|e| e.text.clone()))
        .collect();
    assert!(
        log.iter().any(|l| l.ends_with(": sending a quick PIN")),
        "{log:?}"
    );
    assert!(
        log.iter().any(|l| l.ends_with(": quick PIN set")),
        "{log:?}"
    );
    assert!(
        !log.iter().any(|l| l.contains("424242")),
        "the PIN never reaches the log: {log:?}"
    );
    assert!(!matches!(app.overlay, Some(Overlay::Form(_))));
    worker.cancel();
}
