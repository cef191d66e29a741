//! Many numbers' `/settings` read in one exchange: Graph's batch request (`POST /{v}/` with a
//! `batch` form parameter of up to 50 relative GETs, docs/graph-api-facts.md §2.10). Meta counts
//! every read in a batch as a call of its own, so a batch spends the same budget; what it
//! saves is the exchange per read (the TUI's start reads one per configured number).
//!
//! A server that does not take batches (an error that is not about the token, the budget or
//! a passing fault, or a 2xx that is not an answer per read) is remembered for the client's
//! life, said once in the log, and read one number at a time, as before. Only reads ever go
//! in a batch: a mutation is sent on its own, exactly once.

use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::atomic::Ordering;

use super::body::Body;
use super::client::{GraphClient, Resend, decode, redact};
use super::errors::ApiError;
use super::types::{NumberId, Settings};

/// Graph takes at most 50 requests in one batch.
pub const BATCH_MAX: usize = 50;

/// One read's answer inside a batch: its status and its body as a JSON string. Meta gives
/// `null` for a read it did not get to before the batch's own time ran out.
#[derive(Deserialize)]
struct Item {
    code: u16,
    #[serde(default)]
    body: Option<String>,
}

impl GraphClient {
    /// Each number's settings, in the order of `ids`: up to [`BATCH_MAX`] in one exchange at a
    /// time, each alone where the server takes no batches or skipped a read. The reads of one
    /// exchange are in flight together: pass as many as may be in flight at once.
    pub async fn get_settings_many(&self, ids: &[NumberId]) -> Vec<Result<Settings, ApiError>> {
        let mut answers = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(BATCH_MAX) {
            let batch = self.get_settings_batch(chunk).await;
            answers.extend(self.ask_unanswered(chunk, batch).await);
        }
        answers
    }

    /// [`GraphClient::get_settings_many`] of at most [`BATCH_MAX`] numbers, leaving out the
    /// reads the batch did not get to (`None`): the caller asks those alone, when it likes
    /// (a slow number then holds up only its own read).
    pub async fn get_settings_batch(
        &self,
        ids: &[NumberId],
    ) -> Vec<Option<Result<Settings, ApiError>>> {
        if ids.len() < 2 || ids.len() > BATCH_MAX || self.batches_refused() {
            return self
                .settings_one_by_one(ids)
                .await
                .into_iter()
                .map(Some)
                .collect();
        }
        let reads: Vec<Value> = ids
            .iter()
            .map(|id| json!({"method": "GET", "relative_url": format!("{}/settings", id.as_str())}))
            .collect();
        let batch = Value::Array(reads).to_string();
        let body = Body::batch_form(
            &[("batch", &batch), ("include_headers", "false")],
            ids.len(),
        );
        // Every read in it is a GET: the batch may be tried again like any read.
        let answer: Result<Vec<Option<Item>>, ApiError> = self
            .send_with(
                reqwest::Method::POST,
                self.url(&[""]),
                Some(body),
                Resend::Allowed,
                |status, content_type, bytes| decode(status, content_type, &bytes),
            )
            .await;
        let every = |e: ApiError| ids.iter().map(|_| Some(Err(e.clone()))).collect();
        match answer {
            Ok(items) if items.len() == ids.len() => items
                .into_iter()
                .map(|item| item.map(|item| self.decode_item(item)))
                .collect(),
            Ok(items) => every(miscounted(&format!(
                "the batch's answer has {} entries for {} reads",
                items.len(),
                ids.len()
            ))),
            Err(e) if refuses_batches(&e) => {
                self.refuse_batches(&e);
                self.settings_one_by_one(ids)
                    .await
                    .into_iter()
                    .map(Some)
                    .collect()
            }
            Err(e) => every(e),
        }
    }

    /// The batch's answers with the reads it did not get to asked alone, together.
    async fn ask_unanswered(
        &self,
        ids: &[NumberId],
        batch: Vec<Option<Result<Settings, ApiError>>>,
    ) -> Vec<Result<Settings, ApiError>> {
        let unanswered = ids
            .iter()
            .zip(&batch)
            .filter(|(_, answer)| answer.is_none())
            .map(|(id, _)| self.get_settings(id));
        let mut asked_again = futures::future::join_all(unanswered).await.into_iter();
        batch
            .into_iter()
            .map(|answer| {
                answer.unwrap_or_else(|| {
                    asked_again
                        .next()
                        .unwrap_or_else(|| Err(miscounted("a read was lost")))
                })
            })
            .collect()
    }

    /// The reads one at a time, all in flight together (as many as the caller may have).
    async fn settings_one_by_one(&self, ids: &[NumberId]) -> Vec<Result<Settings, ApiError>> {
        futures::future::join_all(ids.iter().map(|id| self.get_settings(id))).await
    }

    /// A read's answer as if it had come alone. The token is taken out again: inside the
    /// batch's JSON string a server could have written it with escapes the first pass missed.
    fn decode_item(&self, item: Item) -> Result<Settings, ApiError> {
        let body = redact(
            item.body.unwrap_or_default().into_bytes(),
            self.token_text(),
        );
        decode(item.code, "application/json (in a batch)", &body)
    }

    fn batches_refused(&self) -> bool {
        self.batch_refusal().load(Ordering::Relaxed)
    }

    fn refuse_batches(&self, why: &ApiError) {
        if !self.batch_refusal().swap(true, Ordering::Relaxed) {
            tracing::warn!(
                target: "wareg::api",
                "the server does not take batch requests ({}): storage is read one number at a time",
                why.short()
            );
        }
    }
}

/// Whether an error of the whole batch says the server takes no batches, rather than that
/// every read would fail too (the token, the budget) or that it failed in passing.
fn refuses_batches(e: &ApiError) -> bool {
    if e.is_systemic() || e.is_transient() {
        return false;
    }
    match e.last() {
        ApiError::Graph { http_status, .. } => (400..500).contains(http_status),
        // A 4xx that is not Graph's (no such path here), or a 2xx of another shape than one
        // answer per read; an answer too large to read is reported, not taken for a no.
        ApiError::BadResponse {
            http_status,
            expected,
            ..
        } => (400..500).contains(http_status) || *expected == "the expected JSON",
        _ => false,
    }
}

fn miscounted(problem: &str) -> ApiError {
    ApiError::BadResponse {
        http_status: 200,
        content_type: "application/json".into(),
        expected: "one answer per read of the batch",
        problem: problem.to_owned(),
        snippet: String::new(),
    }
}
