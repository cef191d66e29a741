//! Replies from the worker. A reply whose request is no longer in flight (a refresh replaced
//! it, the form was closed) is stale and dropped.

use super::{App, Live, Overlay, Pending, Storage};
use crate::config::ProfileName;
use crate::fleet::Fleet;
use crate::graph::ApiError;
use crate::tui::msg::{Cmd, Level, Reply, RequestId};

impl App {
    pub(super) fn on_reply(&mut self, request: RequestId, reply: Reply) -> Vec<Cmd> {
        let Some(pending) = self.inflight.remove(&request) else {
            return Vec::new();
        };
        if let Reply::NoToken(why) = &reply {
            return self.on_no_token(&pending, why.clone());
        }
        match (pending, reply) {
            (Pending::Listing { profile }, Reply::Listing(result)) => {
                self.on_listing(&profile, result)
            }
            (Pending::Number { id }, Reply::Number(result)) => {
                let now = self.clock.now();
                let systemic = result.as_ref().err().filter(|e| e.is_systemic()).cloned();
                Fleet::on_number(self.table.row_mut(&id), result.map(|n| *n), now);
                self.renew_next_of(Some(&id));
                if let Some(e) = systemic {
                    self.stop_reads_of(&id, e);
                }
                Vec::new()
            }
            (Pending::Settings { id }, Reply::Settings(Err(e))) if e.is_systemic() => {
                if let Some(row) = self.table.row_mut(&id) {
                    row.storage = Storage::Failed(e.short());
                }
                self.stop_reads_of(&id, e);
                Vec::new()
            }
            (Pending::Settings { id }, Reply::NotSent(why)) => {
                if let Some(row) = self.table.row_mut(&id)
                    && row.storage == Storage::Loading
                {
                    row.storage = Storage::NotRead;
                }
                self.storage_held_back(why);
                Vec::new()
            }
            (Pending::Settings { id }, Reply::Settings(result)) => {
                let now = self.clock.now();
                if let Some(row) = self.table.row_mut(&id) {
                    match result {
                        Ok(settings) => match settings.storage_configuration {
                            Some(storage) => row.set_storage(storage, now),
                            None => row.storage = Storage::Failed("not given".into()),
                        },
                        // A read tried again says how often (the details show it).
                        Err(e) => row.storage = Storage::Failed(e.short_with_tries()),
                    }
                }
                Vec::new()
            }
            (Pending::Mutation { id, what }, reply) => {
                // Whatever the step came to, it is no longer waiting for another desk.
                self.lock_waits.remove(&id);
                let more_to_come = matches!(reply, Reply::Step { last: false, .. });
                if more_to_come {
                    self.inflight.insert(
                        request,
                        Pending::Mutation {
                            id: id.clone(),
                            what,
                        },
                    );
                }
                self.on_form_reply(request, &id, what, reply)
            }
            (pending, reply) => {
                // A worker bug, not a user error: say so and carry on.
                self.notice(
                    Level::Error,
                    format!("internal: unexpected reply {reply:?} for {pending:?}"),
                );
                Vec::new()
            }
        }
    }

    fn on_listing(
        &mut self,
        profile: &str,
        result: Result<crate::graph::listing::Listed, ApiError>,
    ) -> Vec<Cmd> {
        match &result {
            Ok(listing) => {
                let left_out = crate::fleet::not_number_ids(listing);
                self.notice(
                    Level::Info,
                    format!(
                        "profile {profile}: {} listed",
                        crate::plural::count(listing.len() - left_out, "number")
                    ),
                );
                if left_out > 0 {
                    self.notice(
                        Level::Warn,
                        format!(
                            "profile {profile}: {}",
                            crate::fleet::left_out_words(left_out)
                        ),
                    );
                }
            }
            Err(e) => self.notice(
                Level::Error,
                format!("profile {profile}: listing the WABA failed: {e}"),
            ),
        }
        let now = self.clock.now();
        let systemic = result.as_ref().err().filter(|e| e.is_systemic()).cloned();
        let untold = self.fleet.stopped(profile).is_none();
        let (reads, added) = self
            .fleet
            .on_listing(&mut self.table.rows, profile, result, now);
        if let Some(e) = systemic {
            self.stop_profile_reads(&ProfileName::from(profile), e, untold);
        }
        if added > 0 {
            self.table.reindex();
            self.apply_kept_storage();
        }
        self.renew_next();
        if added > 0 || !self.table.filter.is_empty() {
            // Names arrived: the filter may now match rows it could not before.
            self.table.refilter(&self.budgets);
        }
        self.guarded_fleet_reads(reads)
    }

    /// Old kept storage read again in the background: a value that came back replaces the
    /// kept one (a failed re-read leaves it: it is still the last known).
    pub(super) fn on_storage_reread(
        &mut self,
        answers: Vec<(
            crate::graph::NumberId,
            Result<crate::graph::types::Settings, ApiError>,
        )>,
    ) {
        let now = self.clock.now();
        for (id, answer) in answers {
            let Some(row) = self.table.row_mut(&id) else {
                continue;
            };
            // A read a person started since is the one to wait for.
            if row.storage == Storage::Loading {
                continue;
            }
            if let Ok(Some(storage)) = answer.map(|s| s.storage_configuration) {
                row.set_storage(storage, now);
            }
        }
    }

    /// The read of `id` failed in a way all its profile's reads would.
    fn stop_reads_of(&mut self, id: &crate::graph::NumberId, e: ApiError) {
        if let Some(profile) = self.row_profile(id) {
            let untold = self.fleet.stopped(&profile).is_none();
            self.stop_profile_reads(&profile, e, untold);
        }
    }

    /// A read of `profile` failed in a way every other would (a refused token, a missing
    /// permission, a throttle): the reads of it still in flight are dropped, its rows say they
    /// were not read, and the log says it once (`tell`: not said yet).
    fn stop_profile_reads(&mut self, profile: &ProfileName, e: ApiError, tell: bool) {
        self.fleet.stop(&mut self.table.rows, profile, e.clone());
        let why = format!("{}{}", crate::fleet::NOT_READ, e.short());
        for row in self.table.rows.iter_mut().filter(|r| &r.profile == profile) {
            if row.storage == Storage::Loading {
                row.storage = Storage::Failed(why.clone());
            }
        }
        let ids: std::collections::HashSet<_> = self
            .table
            .rows
            .iter()
            .filter(|r| &r.profile == profile)
            .map(|r| r.id.clone())
            .collect();
        self.inflight.retain(|_, p| match p {
            Pending::Listing { profile: p } => p != profile,
            Pending::Number { id } | Pending::Settings { id } => !ids.contains(id),
            Pending::Mutation { .. } => true,
        });
        if tell {
            self.notice(
                Level::Error,
                format!(
                    "profile {profile}: {}: its other reads are not sent (they would say the same)",
                    e.short()
                ),
            );
        }
    }

    fn on_no_token(&mut self, pending: &Pending, why: String) -> Vec<Cmd> {
        let profile = match pending {
            Pending::Listing { profile } => Some(profile.clone()),
            Pending::Number { id } | Pending::Settings { id } | Pending::Mutation { id, .. } => {
                self.table
                    .find(id)
                    .map(|i| self.table.rows[i].profile.clone())
            }
        };
        if let Some(profile) = &profile {
            for row in self.table.rows.iter_mut().filter(|r| &r.profile == profile) {
                if row.live == Live::Loading {
                    row.set_failed(ApiError::Refused("no token".into()));
                }
                if row.storage == Storage::Loading {
                    row.storage = Storage::Failed("no token".into());
                }
            }
            // Every other request of this profile will fail the same way.
            let ids: Vec<_> = self
                .table
                .rows
                .iter()
                .filter(|r| &r.profile == profile)
                .map(|r| r.id.clone())
                .collect();
            self.inflight.retain(|_, p| match p {
                Pending::Listing { profile: p } => p != profile,
                Pending::Number { id } | Pending::Settings { id } => !ids.contains(id),
                Pending::Mutation { .. } => true,
            });
        }
        if let Pending::Mutation { .. } = pending {
            self.form_failed_without_sending(&why);
        }
        let already_alerting = matches!(self.overlay, Some(Overlay::Alert(_)));
        // A running process never sees a variable exported later: R cannot help there. A file
        // or a command is read again on R (only an engine that got its token is kept).
        let what_to_do = if why.contains("environment variable") {
            "a running wareg cannot see a variable exported later: quit (q), export it, and start wareg again"
        } else {
            "fix the token file or command, then press R: the token is read again"
        };
        let text = format!("cannot read the token: {why}. Nothing was sent; {what_to_do}.");
        self.notice(Level::Error, text.clone());
        if !already_alerting && !matches!(self.overlay, Some(Overlay::Form(_))) {
            self.overlay = Some(Overlay::Alert(text));
        }
        Vec::new()
    }
}
