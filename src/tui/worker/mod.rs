//! The background worker: runs `Cmd`s against the engine and sends the results back as `Msg`s.
//! At most `READ_CONCURRENCY` requests at once, never two mutations of one number at once, and
//! everything stops when the cancel token fires. It never touches the app's state.

mod engine_call;
pub mod kept_storage;
mod listing_room;
mod storage_reads;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex as StdMutex};

use tokio::sync::{Mutex, Semaphore, mpsc::UnboundedSender};
use tokio_util::sync::CancellationToken;

use super::msg::{BulkMsg, Cmd, Level, Msg, Reply, RequestId};
use crate::config::{BudgetPolicy, Profile, ProfileName};
use crate::engine::Engine;
use crate::fleet::READ_CONCURRENCY;
use crate::fleet::read_guard::Asker;
use crate::graph::{ClientSettings, GraphClient, NumberId, ThrottleBook};
use crate::ledger::Ledger;
use crate::secret::Pin;

/// Audit records the app keeps for the details popup.
pub const RECENT_RECORDS: usize = 2_000;

#[derive(Clone)]
pub struct Worker {
    inner: Arc<Inner>,
    /// Single reads wait here and are taken a few at a time by one task: thousands of them at
    /// start cost a channel send each, not a task each (the first frame is not held back).
    reads: UnboundedSender<Cmd>,
}

struct Inner {
    profiles: HashMap<ProfileName, Profile>,
    /// One ledger for every profile's engine: budgets are per number, whatever the profile.
    ledger: Arc<dyn Ledger>,
    /// Throttles Meta declared, shared with the CLI and other TUIs through the data dir.
    throttles: Arc<ThrottleBook>,
    /// Where bulk journals are written.
    data_dir: PathBuf,
    /// Asked by Esc (or `s`) to pause the running bulk: numbers in flight finish their plans.
    bulk_stop: crate::bulk::StopSignal,
    policy: BudgetPolicy,
    /// Who the records name and when an open intent counts as abandoned.
    ledger_config: crate::config::LedgerConfig,
    /// The config's default profile: the commands an engine suggests name any other.
    default_profile: ProfileName,
    tx: UnboundedSender<Msg>,
    /// Built on first use; the token is read then, not before.
    engines: Mutex<HashMap<ProfileName, Engine>>,
    /// Shared with the storage reads a batch left unanswered, asked alone on tasks of their own.
    permits: Arc<Semaphore>,
    /// Storage groups take their permits one group at a time (`storage_reads`).
    storage_turn: Mutex<()>,
    /// Storage reads of those groups waiting for permits.
    storage_pool: StdMutex<storage_reads::StoragePool>,
    number_locks: StdMutex<HashMap<NumberId, Arc<Mutex<()>>>>,
    /// The listing in flight per profile, so a new one can cancel it.
    /// Each profile's listing in flight: its request and its token.
    listings: StdMutex<HashMap<String, (RequestId, CancellationToken)>>,
    /// The pages of each listing in flight still to come, counted as spent by the reads
    /// nobody asked for.
    listing_room: listing_room::ListingRoom,
    /// Single reads of a profile stopped when its server answers none of them.
    read_stops: crate::fleet::read_stops::ReadStops,
    cancel: CancellationToken,
    /// Storage answers on their way to the ledger, a batch at a time.
    keep: UnboundedSender<kept_storage::Keep>,
    /// Which profiles' clients have answered (their usage is known).
    heard: Arc<kept_storage::Heard>,
    /// The background re-read of old storage, while it runs.
    reread: StdMutex<Option<CancellationToken>>,
}

impl Worker {
    /// `ledger` is the engine's store (the local trail or the team's); throttles are kept in
    /// `data_dir`.
    pub fn new(
        profiles: HashMap<ProfileName, Profile>,
        ledger: Arc<dyn Ledger>,
        data_dir: PathBuf,
        config: &crate::config::Config,
        tx: UnboundedSender<Msg>,
    ) -> Self {
        let (ledger_for_keep, tx_for_keep) = (ledger.clone(), tx.clone());
        let inner = Arc::new(Inner {
            profiles,
            ledger,
            throttles: Arc::new(ThrottleBook::in_dir(&data_dir)),
            data_dir: data_dir.clone(),
            bulk_stop: crate::bulk::StopSignal::default(),
            policy: config.budget,
            ledger_config: config.ledger.clone(),
            default_profile: config.default_profile.clone(),
            tx,
            engines: Mutex::new(HashMap::new()),
            permits: Arc::new(Semaphore::new(READ_CONCURRENCY)),
            storage_turn: Mutex::new(()),
            storage_pool: StdMutex::default(),
            number_locks: StdMutex::new(HashMap::new()),
            listings: StdMutex::new(HashMap::new()),
            listing_room: listing_room::ListingRoom::default(),
            read_stops: Default::default(),
            cancel: CancellationToken::new(),
            keep: kept_storage::keeper(ledger_for_keep, tx_for_keep),
            heard: Arc::default(),
            reread: StdMutex::new(None),
        });
        let (reads, queue) = tokio::sync::mpsc::unbounded_channel::<Cmd>();
        let runner = inner.clone();
        tokio::spawn(async move {
            use futures::StreamExt;
            let cancel = runner.cancel.clone();
            let queued = futures::stream::unfold(queue, |mut queue| async move {
                queue.recv().await.map(|cmd| (cmd, queue))
            });
            // What was queued together is taken together: storage reads in groups.
            let work = queued
                .ready_chunks(READ_CONCURRENCY * 8)
                .flat_map(|cmds| futures::stream::iter(storage_reads::gather(cmds)))
                .map(|work| {
                    let runner = runner.clone();
                    async move { runner.run_read(work).await }
                })
                .buffer_unordered(READ_CONCURRENCY * 2)
                .for_each(|_| async {});
            tokio::select! {
                _ = cancel.cancelled() => {}
                _ = work => {}
            }
        });
        Worker { inner, reads }
    }

    /// Stops everything in flight (on quit).
    pub fn cancel(&self) {
        self.inner.cancel.cancel();
    }

    /// Waits (at most `limit`) until every storage answer so far is in the ledger: the next
    /// start then knows it.
    pub async fn flush_kept(&self, limit: std::time::Duration) {
        let (done, written) = tokio::sync::oneshot::channel();
        if self
            .inner
            .keep
            .send(kept_storage::Keep::Flush(done))
            .is_ok()
        {
            let _ = tokio::time::timeout(limit, written).await;
        }
    }

    /// Starts a command in the background. `Copy` and `Quit` belong to the loop.
    pub fn spawn(&self, cmd: Cmd) {
        if matches!(cmd, Cmd::ReadNumber { .. } | Cmd::ReadSettings { .. }) {
            // The queue's task runs it; if the task is gone the app is quitting anyway.
            let _ = self.reads.send(cmd);
            return;
        }
        let inner = self.inner.clone();
        tokio::spawn(async move {
            let cancel = inner.cancel.clone();
            tokio::select! {
                _ = cancel.cancelled() => {}
                _ = inner.run(cmd) => {}
            }
        });
    }
}

impl Inner {
    fn send(&self, msg: Msg) {
        // The loop has gone only when the app is quitting; nothing is left to tell.
        let _ = self.tx.send(msg);
    }

    async fn engine(&self, profile: &str) -> Result<Engine, String> {
        let mut engines = self.engines.lock().await;
        if let Some(engine) = engines.get(profile) {
            return Ok(engine.clone());
        }
        let p = self
            .profiles
            .get(profile)
            .cloned()
            .ok_or_else(|| format!("there is no profile named `{profile}`"))?;
        let source = p.token.clone();
        let limit = p.token_timeout;
        let token = tokio::task::spawn_blocking(move || source.resolve_within(limit))
            .await
            .map_err(|e| format!("the token reader stopped: {e}"))?
            .map_err(|e| format!("profile `{profile}`: {e}"))?;
        let tx = self.tx.clone();
        let heard = self.heard.clone();
        let answered = profile.to_owned();
        let client = GraphClient::new(ClientSettings {
            base_url: p.base_url.clone(),
            version: p.api_version,
            token,
            timeout: p.timeout,
        })
        .map_err(|e| e.to_string())?
        .with_max_body(p.max_answer_bytes)
        .with_read_budget(p.read_budget)
        .with_throttles(
            self.throttles.clone(),
            profile,
            p.waba_id.as_ref().map(NumberId::as_str),
        )
        .with_observer(Arc::new(move |event| {
            heard.answered(&answered);
            let _ = tx.send(Msg::Call(event.clone()));
        }));
        let engine = Engine::with_ledger(client, self.ledger.clone(), profile, self.policy)
            .with_ledger_config(&self.ledger_config)
            .with_default_profile(&self.default_profile);
        engines.insert(profile.into(), engine.clone());
        Ok(engine)
    }

    /// Cancels the profile's listing in flight, if any, and returns the token of the new one.
    /// Tasks may start out of order under load: an older request that starts after a newer
    /// one is cancelled at once instead of cancelling the newer (whose reply is the one the
    /// app waits for).
    fn replace_listing(&self, profile: &str, request: RequestId) -> CancellationToken {
        let fresh = self.cancel.child_token();
        let mut listings = self.listings.lock().unwrap_or_else(|p| p.into_inner());
        match listings.get(profile) {
            Some((current, _)) if *current > request => {
                fresh.cancel();
                return fresh;
            }
            _ => {}
        }
        if let Some((_, old)) = listings.insert(profile.to_owned(), (request, fresh.clone())) {
            old.cancel();
        }
        fresh
    }

    fn number_lock(&self, id: &NumberId) -> Arc<Mutex<()>> {
        let mut locks = self.number_locks.lock().unwrap_or_else(|p| p.into_inner());
        locks.entry(id.clone()).or_default().clone()
    }

    async fn run(&self, cmd: Cmd) {
        match cmd {
            Cmd::LoadLedger => self.load_ledger().await,
            Cmd::BulkPlan {
                targets,
                action,
                region,
            } => self.bulk_plan(targets, action, region).await,
            Cmd::BulkRun {
                plan,
                action,
                region,
                pin,
            } => self.bulk_run(*plan, action, region, pin).await,
            Cmd::BulkPause => {
                self.bulk_stop.request("paused");
            }
            Cmd::Copy(_) | Cmd::Open(_) | Cmd::Quit => {}
            Cmd::Export { rows, stem, dirs } => {
                let written = tokio::task::spawn_blocking(move || {
                    crate::tui::export::write_files(&rows, &dirs, &stem).map(|p| (rows.len(), p))
                })
                .await;
                self.send(match written {
                    Ok(Ok((n, (csv, json)))) => Msg::Notice(
                        Level::Info,
                        format!(
                            "exported {}: {} and {}",
                            crate::plural::count(n, "number"),
                            csv.display(),
                            json.display()
                        ),
                    ),
                    Ok(Err(why)) => Msg::Notice(Level::Error, format!("export failed: {why}")),
                    Err(e) => Msg::Notice(Level::Error, format!("export failed: {e}")),
                });
            }
            Cmd::ListNumbers {
                request,
                profile,
                configured,
            } => {
                let waba = self
                    .profiles
                    .get(profile.as_str())
                    .and_then(|p| p.waba_id.clone());
                // A newer listing of the profile (a second R) replaces this one: its reply
                // would be stale anyway, and its pages would only spend the WABA's budget.
                let superseded = self.replace_listing(&profile, request);
                self.read_stops.clear(&profile);
                let data_dir = self.data_dir.clone();
                let listed = profile.to_string();
                let (room, listing) = (&self.listing_room, &profile);
                tokio::select! {
                    _ = superseded.cancelled() => {}
                    _ = self.with_engine(request, &profile, None, |engine| async move {
                        room.began(listing, request, configured, &engine.client);
                        let result = match waba {
                            Some(waba) => engine.client.list_numbers(&waba).await,
                            None => Ok(Vec::new()),
                        };
                        let result = match result {
                            // Kept so the CLI finds these numbers by display number or name;
                            // best effort: the listing itself went through. Written from
                            // the listing, which the blocking task hands back.
                            Ok(numbers) => {
                                let now = chrono::Utc::now();
                                tokio::task::spawn_blocking(move || {
                                    let _ = crate::fleet::known::save_listing(
                                        &data_dir, &listed, &numbers, now,
                                    );
                                    numbers
                                })
                                .await
                                .map_err(|e| {
                                    crate::graph::ApiError::Refused(format!(
                                        "the listing was read but lost while it was kept ({e}): R reads it again"
                                    ))
                                })
                            }
                            Err(e) => Err(e),
                        };
                        Reply::Listing(result)
                    }) => {}
                }
                self.listing_room.ended(&profile, request);
            }
            Cmd::ReadNumber {
                request,
                profile,
                id,
            } => {
                // After a failed listing each configured number is read alone: a server that
                // answers none of them stops the rest (`fleet::read_stops`), as in the CLI.
                // Looked at once the read holds a permit: the reads ahead of it may have
                // stopped them while it waited.
                let (stops, reading) = (&self.read_stops, &profile);
                self.with_engine(request, &profile, None, |engine| async move {
                    if let Some(not_read) = stops.not_read(reading) {
                        return Reply::Number(Err(not_read));
                    }
                    let result = engine.client.get_number(&id).await;
                    stops.saw(reading, &result);
                    Reply::Number(result.map(Box::new))
                })
                .await
            }
            Cmd::ReadSettings {
                request,
                profile,
                id,
                asker,
            } => {
                let unasked = !matches!(asker, Asker::Person | Asker::Mutation);
                if unasked && let Ok(engine) = self.engine(&profile).await {
                    // Nobody asked for this one: it waits (holding no permit) for the
                    // profile's first answer to know the usage, and is held back above the
                    // high-water mark.
                    let limit = self
                        .profiles
                        .get(profile.as_str())
                        .map_or(std::time::Duration::from_secs(30), |p| p.timeout);
                    self.heard.wait(&profile, limit).await;
                    if let Some(why) = self.listing_room.held_back(asker, &profile, &engine.client)
                    {
                        return self.send(Msg::Reply(request, Reply::NotSent(why)));
                    }
                }
                let reading = &profile;
                self.with_engine(request, &profile, None, |engine| async move {
                    // Checked again: the budget may have passed the mark while it waited.
                    if unasked
                        && let Some(why) =
                            self.listing_room.held_back(asker, reading, &engine.client)
                    {
                        return Reply::NotSent(why);
                    }
                    let answer = engine.client.get_settings(&id).await;
                    if let Some(entry) = kept_storage::entry_of(&id, &answer, &engine.operator) {
                        let _ = self.keep.send(kept_storage::Keep::Entry(entry));
                    }
                    Reply::Settings(answer)
                })
                .await
            }
            Cmd::RereadStorage(reads) => self.reread(reads).await,
            Cmd::StopReread => {
                let running = self.reread.lock().unwrap_or_else(|p| p.into_inner()).take();
                if let Some(token) = running {
                    token.cancel();
                }
            }
            Cmd::Engine {
                request,
                profile,
                call,
            } => {
                let lock = self.number_lock(call.number());
                self.with_engine(request, &profile, Some(lock), |engine| {
                    engine_call::run(call, engine, request, self.tx.clone())
                })
                .await
            }
        }
    }

    /// Gets the profile's engine (reporting a token failure as such), takes the number's lock
    /// for mutations, then a concurrency permit, runs `work` and sends its reply.
    async fn with_engine<'a, F, Fut>(
        &'a self,
        request: RequestId,
        profile: &str,
        lock: Option<Arc<Mutex<()>>>,
        work: F,
    ) where
        F: FnOnce(Engine) -> Fut,
        Fut: Future<Output = Reply> + 'a,
    {
        let engine = match self.engine(profile).await {
            Ok(engine) => engine,
            Err(why) => return self.send(Msg::Reply(request, Reply::NoToken(why))),
        };
        let _number = match &lock {
            Some(lock) => Some(lock.lock().await),
            None => None,
        };
        let Ok(_permit) = self.permits.acquire().await else {
            return;
        };
        let reply = work(engine).await;
        self.send(Msg::Reply(request, reply));
    }

    /// One engine per profile the targets use; a profile whose token cannot be read is left
    /// out (its numbers are then skipped by the plan with why).
    async fn bulk_engines(
        &self,
        profiles: impl Iterator<Item = ProfileName>,
    ) -> HashMap<ProfileName, Engine> {
        let mut engines = HashMap::new();
        for profile in profiles {
            if engines.contains_key(&profile) {
                continue;
            }
            match self.engine(&profile).await {
                Ok(engine) => {
                    engines.insert(profile, engine);
                }
                Err(why) => self.send(Msg::Notice(Level::Error, why)),
            }
        }
        engines
    }

    async fn bulk_plan(
        &self,
        targets: Vec<crate::bulk::Target>,
        action: crate::bulk::Action,
        region: Option<crate::graph::Region>,
    ) {
        let engines = self
            .bulk_engines(targets.iter().map(|t| t.profile.clone()))
            .await;
        let storage = region.map_or(
            crate::graph::StorageChoice::Keep,
            crate::graph::StorageChoice::Region,
        );
        // The plan's reads go as many at a time as the fleet's (plan_all says so).
        let plan = crate::bulk::plan_all(&engines, targets, action, storage, None, false).await;
        self.send(Msg::Bulk(BulkMsg::Planned {
            plan: Box::new(plan),
            region,
        }));
    }

    async fn bulk_run(
        &self,
        plan: crate::bulk::BulkPlan,
        action: crate::bulk::Action,
        region: Option<crate::graph::Region>,
        pin: Option<Pin>,
    ) {
        // A new run starts unstopped (Esc from now on stops this one).
        self.bulk_stop.reset();
        let engines = self
            .bulk_engines(plan.rows.iter().map(|r| r.target.profile.clone()))
            .await;
        let operator = engines
            .values()
            .next()
            .map(|e| e.operator.clone())
            .unwrap_or_default();
        let begun = crate::bulk::journal::begin(
            &self.data_dir,
            action,
            region.map(|r| r.code().to_owned()),
            &operator,
            &plan,
        );
        let (id, journal) = match begun {
            Ok(begun) => begun,
            Err(e) => {
                return self.send(Msg::Bulk(BulkMsg::Failed(format!(
                    "cannot write the bulk journal: {e}"
                ))));
            }
        };
        let Ok(Some(_claim)) = journal.claim() else {
            return self.send(Msg::Bulk(BulkMsg::Failed(
                "cannot lock the bulk run's journal".into(),
            )));
        };
        self.send(Msg::Bulk(BulkMsg::Started(id)));
        let pins = match pin {
            Some(pin) => crate::bulk::PinSource::One(pin),
            None => crate::bulk::PinSource::None,
        };
        let tx = self.tx.clone();
        let summary = crate::bulk::run(
            plan.rows,
            &engines,
            &pins,
            &journal,
            crate::bulk::RunOptions {
                stop: self.bulk_stop.clone(),
                ..crate::bulk::RunOptions::default()
            },
            &move |number: &str, state| {
                let _ = tx.send(Msg::Bulk(BulkMsg::Progress(number.to_owned(), state)));
            },
        )
        .await;
        self.send(Msg::Bulk(BulkMsg::Done(summary)));
    }

    /// Re-reads old kept storage: `REREAD_BATCH` at a time every `REREAD_EVERY`, each batch
    /// only while the budget is under the high-water mark (the first one past it stops the
    /// pass, said once). Its answers reach the app a batch per message.
    async fn reread(&self, reads: Vec<(ProfileName, NumberId)>) {
        let token = self.cancel.child_token();
        if let Some(old) = self
            .reread
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .replace(token.clone())
        {
            old.cancel();
        }
        for batch in reads.chunks(kept_storage::REREAD_BATCH) {
            tokio::select! {
                _ = token.cancelled() => return,
                _ = tokio::time::sleep(kept_storage::REREAD_EVERY) => {}
            }
            let mut answers = Vec::with_capacity(batch.len());
            let mut reads = Vec::new();
            for (profile, id) in batch {
                let Ok(engine) = self.engine(profile).await else {
                    continue;
                };
                if let Some(why) =
                    self.listing_room
                        .held_back(Asker::Background, profile, &engine.client)
                {
                    self.send(Msg::Notice(
                        Level::Warn,
                        format!("{why}: old storage values are not read again (F reads them all)"),
                    ));
                    return;
                }
                reads.push(async move {
                    let Ok(_permit) = self.permits.acquire().await else {
                        return None;
                    };
                    let answer = engine.client.get_settings(id).await;
                    if let Some(entry) = kept_storage::entry_of(id, &answer, &engine.operator) {
                        let _ = self.keep.send(kept_storage::Keep::Entry(entry));
                    }
                    Some((id.clone(), answer))
                });
            }
            tokio::select! {
                _ = token.cancelled() => return,
                done = futures::future::join_all(reads) => answers.extend(done.into_iter().flatten()),
            }
            self.send(Msg::StorageReread(answers));
        }
    }

    /// The engine counts the budgets from the ledger as it is now; the app only shows them.
    async fn load_ledger(&self) {
        let read = first_read(&self.ledger, self.policy).await;
        let throttle = self
            .throttles
            .all_active(chrono::Utc::now())
            .into_iter()
            .next();
        self.send(Msg::Throttle(throttle));
        // Only a deadline makes it "not answering": a refusal is an answer, said as such.
        self.send(Msg::LedgerAnswering(
            !read.as_ref().is_err_and(crate::ledger::timed_out),
        ));
        match read {
            Ok((budgets, recent)) => self.send(Msg::Ledger { budgets, recent }),
            Err(e) => self.send(Msg::Notice(
                Level::Error,
                format!("cannot read the audit trail: {e}"),
            )),
        }
        // The rename form's budget: its own window (30 days), so its own count.
        let renames = crate::ledger::blocking(&self.ledger, |l| {
            crate::engine::budget_book(l, crate::engine::RENAME_POLICY, chrono::Utc::now())
        })
        .await;
        if let Ok(book) = renames {
            self.send(Msg::Renames(book));
        }
        // Facts are hints for the next step: one that cannot be read is left out quietly.
        if let Ok(facts) = crate::ledger::blocking(&self.ledger, |l| l.facts_of(None)).await {
            self.send(Msg::Facts(facts));
        }
    }
}

/// What the app shows of the ledger: every number's budgets as of now and the recent records.
pub async fn first_read(
    ledger: &Arc<dyn Ledger>,
    policy: BudgetPolicy,
) -> std::io::Result<(crate::audit::BudgetBook, Vec<crate::audit::AuditRecord>)> {
    crate::ledger::blocking(ledger, move |ledger| {
        let budgets = crate::engine::budget_book(ledger, policy, chrono::Utc::now())?;
        let recent = ledger.recent(None, RECENT_RECORDS)?;
        Ok((budgets, recent))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A worker for the demo profile reaching `base`, its messages, and its data dir.
    fn demo_worker(
        base: &str,
    ) -> (
        Worker,
        tokio::sync::mpsc::UnboundedReceiver<Msg>,
        tempfile::TempDir,
    ) {
        let dir = tempfile::tempdir().unwrap();
        let config = crate::sandbox::demo_config(base);
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let ledger = Arc::new(crate::ledger::LocalTrail::in_dir(dir.path()));
        let worker = Worker::new(
            config.profiles.clone().into_iter().collect(),
            ledger,
            dir.path().to_path_buf(),
            &config,
            tx,
        );
        (worker, rx, dir)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn single_reads_stop_when_the_server_answers_none_and_a_new_listing_lets_them_go() {
        // Accepts and closes at once: no read is ever answered.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let accepted = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = accepted.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                drop(stream);
            }
        });
        let (worker, mut rx, _dir) = demo_worker(&base);
        const READS: u64 = 100;
        for request in 0..READS {
            worker.spawn(Cmd::ReadNumber {
                request,
                profile: "demo".into(),
                id: NumberId::parse(&(1_990_000_000_000_000 + request).to_string()).unwrap(),
            });
        }
        let mut not_read = 0;
        let mut replies = 0;
        while replies < READS {
            let msg = tokio::time::timeout(std::time::Duration::from_secs(60), rx.recv())
                .await
                .expect("every read answered")
                .expect("the worker runs");
            if let Msg::Reply(_, Reply::Number(Err(e))) = msg {
                replies += 1;
                not_read += usize::from(e.to_string().contains("not answering"));
            }
        }
        assert!(
            not_read > 50,
            "{not_read} of {READS} said why they were not read"
        );
        let connections = accepted.load(std::sync::atomic::Ordering::SeqCst);
        assert!(
            connections <= 3 * (crate::fleet::read_stops::SILENT_IN_A_ROW as usize + 8),
            "{connections} connections for {READS} reads"
        );
        // R lists again: the profile's reads may go again (this one is sent, and fails).
        worker.spawn(Cmd::ListNumbers {
            request: READS,
            profile: "demo".into(),
            configured: 0,
        });
        loop {
            let msg = tokio::time::timeout(std::time::Duration::from_secs(60), rx.recv())
                .await
                .expect("the listing answered");
            if let Some(Msg::Reply(READS, _)) = msg {
                break;
            }
        }
        worker.spawn(Cmd::ReadNumber {
            request: READS + 1,
            profile: "demo".into(),
            id: NumberId::parse("1990000000000000").unwrap(),
        });
        loop {
            let msg = tokio::time::timeout(std::time::Duration::from_secs(60), rx.recv())
                .await
                .expect("the read answered");
            if let Some(Msg::Reply(_, Reply::Number(Err(e)))) = msg {
                assert!(!e.to_string().contains("not answering"), "sent: {e}");
                break;
            }
        }
        assert!(accepted.load(std::sync::atomic::Ordering::SeqCst) > connections);
        worker.cancel();
    }

    #[tokio::test]
    async fn an_older_listing_that_starts_late_never_cancels_the_newer_one() {
        let (worker, _rx, _dir) = demo_worker("http://127.0.0.1:9");
        // The second R's task ran first; the first R's task starts after it.
        let newer = worker.inner.replace_listing("demo", 7);
        let older = worker.inner.replace_listing("demo", 6);
        assert!(older.is_cancelled(), "the stale one stops at once");
        assert!(!newer.is_cancelled(), "the one the app waits for goes on");
        let newest = worker.inner.replace_listing("demo", 8);
        assert!(newer.is_cancelled() && !newest.is_cancelled());
    }
}
