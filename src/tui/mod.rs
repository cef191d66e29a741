//! The TUI: the same engine as the command line, behind a ratatui face.

pub mod app;
pub mod bulk;
pub mod export;
pub mod forms;
pub mod keys;
pub mod log;
pub mod msg;
pub mod pace;
pub mod run;
pub mod start;
pub mod surroundings;
pub mod terminal;
pub mod theme;
pub mod view;
pub mod widgets;
pub mod worker;

use ratatui::crossterm::event::EventStream;
use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use tokio::sync::mpsc;

use crate::config::Config;
use app::App;
use msg::Msg;
use run::{LoopHooks, LoopStats};
use worker::Worker;

/// Everything the TUI needs, resolved before the terminal is taken over.
pub struct TuiSetup {
    /// The engine's store: the local trail, or the team ledger (which the TUI listens to).
    pub store: crate::ledger::Store,
    pub config: Config,
    pub data_dir: PathBuf,
    pub log_path: Option<PathBuf>,
}

/// Builds the app, its worker and its channel.
pub async fn assemble(
    setup: &TuiSetup,
    theme: theme::Theme,
) -> (
    App,
    Worker,
    mpsc::UnboundedSender<Msg>,
    mpsc::UnboundedReceiver<Msg>,
) {
    let (tx, rx) = mpsc::unbounded_channel();
    let profiles: HashMap<_, _> = setup
        .config
        .profiles
        .iter()
        .map(|(name, profile)| (name.clone(), profile.clone()))
        .collect();
    let worker = Worker::new(
        profiles,
        setup.store.ledger(),
        setup.data_dir.clone(),
        &setup.config,
        tx.clone(),
    );
    let mut app = App::new(&setup.config, theme, setup.log_path.clone());
    app.surroundings = surroundings::Surroundings::from_env();
    app.export_dirs = std::env::current_dir().into_iter().collect();
    app.export_dirs.push(setup.data_dir.clone());
    // The first frame shows true budgets: the window is read from the end of the local trail
    // before anything is drawn. The team ledger is never waited for here (one that accepts and
    // never answers would keep the screen blank until its deadline): the worker's first count
    // fills the budgets in, or says it is not answering.
    // What is kept of the numbers' storage is read beside it: the start reads only the
    // storage nobody knows. With a team ledger that is the desk's own copy (the table is not
    // waited for either).
    let ledger = setup.store.ledger();
    let local = setup.store.team().is_none();
    let data_dir = setup.data_dir.clone();
    let (first, kept) = tokio::join!(
        async {
            match local {
                true => Some(worker::first_read(&ledger, setup.config.budget).await),
                false => None,
            }
        },
        crate::ledger::blocking(&ledger, move |l| match local {
            true => l.storage_of(),
            false => crate::ledger::local::StorageFile::in_dir(&data_dir).read(),
        })
    );
    if let Some(Ok((budgets, recent))) = first {
        app.update(Msg::Ledger { budgets, recent });
    }
    match kept {
        Ok(book) => app.update(Msg::KeptStorage(book)),
        Err(e) => app.update(Msg::Notice(
            msg::Level::Warn,
            format!("the numbers' kept storage was not read: {e}"),
        )),
    };
    // A bulk run that a crash or a quit left half done is offered again, never resent unasked.
    for (id, left) in crate::bulk::journal::unfinished(&setup.data_dir) {
        app.update(Msg::Notice(
            msg::Level::Warn,
            format!(
                "bulk run {id} has {} not done (interrupted or not started): `wareg bulk resume {id}` shows what is left, --yes sends it",
                crate::plural::count(left, "number")
            ),
        ));
    }
    if let Some(team) = setup.store.team() {
        app.ledger_name = Some(team.describe_short());
        // Colleagues' records arrive as they are committed; the listener stops with the app.
        let records = tx.clone();
        let states = tx.clone();
        crate::ledger::pg::listen(
            team.settings().clone(),
            move |record| records.send(Msg::Colleague(Box::new(record))).is_ok(),
            move |feed| {
                use crate::ledger::pg::Feed;
                let said = match feed {
                    Feed::Live => vec![Msg::LedgerAnswering(true), Msg::LedgerLive(true)],
                    Feed::Lost => vec![Msg::LedgerLive(false)],
                    Feed::Silent => vec![Msg::LedgerAnswering(false)],
                };
                for msg in said {
                    let _ = states.send(msg);
                }
            },
        );
        // Outcomes an earlier run kept here while the ledger was unreachable, pushed in the
        // background; what came of it goes to the log pane.
        let (pusher, data_dir, notices) = (team.clone(), setup.data_dir.clone(), tx.clone());
        tokio::task::spawn_blocking(move || {
            if let Some(notice) = crate::ledger::sync_waiting(&pusher, &data_dir) {
                let level = if notice.starts_with("warning") {
                    msg::Level::Warn
                } else {
                    msg::Level::Info
                };
                let _ = notices.send(Msg::Notice(level, notice));
            }
        });
        // An admission waiting for another desk's change of its number shows in its form.
        let waits = tx.clone();
        team.on_wait(Arc::new(move |id| {
            let _ = waits.send(Msg::LockWait(id.clone()));
        }));
    }
    (app, worker, tx, rx)
}

/// Runs the TUI on the real terminal until the user quits. `notices` carries lines from an
/// in-process sandbox (the demo) into the log pane. `numbers` are a large fleet's
/// `[[numbers]]` entries, not validated yet: they are, once the first frame is drawn, and the
/// app starts with them; one that is wrong ends the TUI before anything is sent.
pub async fn run(
    setup: TuiSetup,
    notices: Option<mpsc::UnboundedReceiver<String>>,
    numbers: Option<crate::config::LaterNumbers>,
) -> Result<(), start::StartError> {
    let (mut app, worker, tx, rx) = assemble(&setup, theme::Theme::from_env()).await;
    if let Some(mut notices) = notices {
        // What was said before the start (the demo's word on its misbehaving numbers) is
        // in the log before any call's line.
        while let Ok(line) = notices.try_recv() {
            app.update(Msg::ScreenOnly(line));
        }
        let tx = tx.clone();
        tokio::spawn(async move {
            while let Some(line) = notices.recv().await {
                // Shown, never written to wareg.log: they carry verification codes.
                let _ = tx.send(Msg::ScreenOnly(line));
            }
        });
    }
    let terminal_error = |e: std::io::Error| start::StartError::Local(format!("terminal: {e}"));
    let mut guard = terminal::TerminalGuard::enter().map_err(terminal_error)?;
    // Only in the debug build the tests run: it proves that a panic still restores the
    // terminal, and the release binary has no such door.
    #[cfg(debug_assertions)]
    if std::env::var_os("WAREG_TEST_PANIC").is_some() {
        guard
            .terminal
            .draw(|f| view::draw(f, &app))
            .map_err(terminal_error)?;
        panic!("WAREG_TEST_PANIC: deliberate panic to test terminal restoration");
    }
    if let Some(numbers) = numbers {
        // The first frame says what is being read; the entries are checked after it, here on
        // this thread (the start waits for them anyway, and nothing else needs the CPU).
        app.expect_numbers(numbers.count);
        guard
            .terminal
            .draw(|f| view::draw(f, &app))
            .map_err(terminal_error)?;
        if let Err(e) = app.take_numbers(numbers.parse()) {
            drop(guard);
            return Err(start::StartError::Config(e));
        }
    }
    let surroundings = app.surroundings.clone();
    let browser = surroundings.browser.clone();
    let hooks = LoopHooks {
        stats: Arc::new(LoopStats::default()),
        frames: None,
        copy: Box::new(move |text: &str| {
            let mut out = std::io::stdout();
            let _ = out.write_all(surroundings::osc52(text, surroundings.tmux).as_bytes());
            let _ = out.flush();
        }),
        open: Box::new(move |url: &str| {
            if let Some(browser) = &browser {
                surroundings::open_url(browser, url);
            }
        }),
    };
    let result = run::run_loop(
        &mut guard.terminal,
        &mut app,
        EventStream::new(),
        &worker,
        rx,
        hooks,
    )
    .await;
    drop(guard);
    result.map_err(terminal_error)
}
