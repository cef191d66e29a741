//! Graph's batch request, as the sandbox answers it: `POST /{v}/` with a `batch` form
//! parameter holding up to 50 relative requests, answered with one entry per request
//! (`{"code", "body"}`, the body a JSON string). Each request in it is one call of the budget
//! and one `Received`, as Meta counts them; the batch itself is only an exchange. A read of a
//! number that misbehaves on purpose is left unanswered (`null`, as Meta does for a request it
//! did not get to), so the client asks it alone and meets the misbehaviour there.

use axum::http::{HeaderMap, Method};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{Answer, BudgetState, Shared, answer, bearer, blank_secrets, count_read};
use crate::sandbox::world::{Received, Reply, graph_error};

/// Meta's limit on the requests in one batch.
const BATCH_MAX: usize = 50;

#[derive(Deserialize)]
struct Request {
    method: String,
    relative_url: String,
}

/// The batch's answer and where the budget stands after its reads.
pub(super) async fn answer_batch(
    shared: &Shared,
    version_text: &str,
    headers: &HeaderMap,
    batch: &str,
    at: chrono::DateTime<chrono::Utc>,
) -> (Reply, BudgetState) {
    let authorized = bearer(headers).is_some();
    let nothing_counted = count_read(shared, &Method::POST, authorized);
    let requests: Vec<Request> = match serde_json::from_str(batch) {
        Ok(requests) => requests,
        Err(_) => {
            let refusal = graph_error(
                400,
                100,
                "(#100) The parameter batch must be a JSON array of requests",
                None,
            );
            return (refusal, nothing_counted);
        }
    };
    if requests.len() > BATCH_MAX {
        let refusal = graph_error(
            400,
            100,
            "Too many requests in batch message. Maximum batch size is 50",
            None,
        );
        return (refusal, nothing_counted);
    }
    shared.world().batches.push(requests.len());
    let mut budget = nothing_counted;
    let mut entries = Vec::with_capacity(requests.len());
    for request in requests {
        let (entry, spent) = one(shared, version_text, headers, &request, authorized, at).await;
        budget = spent;
        entries.push(entry);
    }
    (
        Reply {
            status: 200,
            body: Value::Array(entries),
        },
        budget,
    )
}

/// One request of the batch: its entry, and the budget after it.
async fn one(
    shared: &Shared,
    version_text: &str,
    headers: &HeaderMap,
    request: &Request,
    authorized: bool,
    at: chrono::DateTime<chrono::Utc>,
) -> (Value, BudgetState) {
    let method = request
        .method
        .to_ascii_uppercase()
        .parse::<Method>()
        .unwrap_or(Method::GET);
    let relative = request.relative_url.trim_start_matches('/');
    let (path, query) = relative.split_once('?').unwrap_or((relative, ""));
    let mut segments: Vec<String> = path.split('/').map(str::to_owned).collect();
    // Relative to the batch's version unless the request names its own.
    if segments
        .first()
        .is_none_or(|s| s.parse::<crate::graph::ApiVersion>().is_err())
    {
        segments.insert(0, version_text.to_owned());
    }
    let params: serde_json::Map<String, Value> = url::form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
        .collect();
    let params = Value::Object(params);
    let full_path = format!("/{}", segments.join("/"));
    shared.world().received.push(Received {
        method: method.to_string(),
        path: full_path.clone(),
        params: blank_secrets(&params),
        authorized,
        at,
    });
    let budget = count_read(shared, &method, authorized);
    let reply = if method != Method::GET {
        Some(graph_error(
            400,
            100,
            "(#100) The sandbox takes only GET requests in a batch",
            None,
        ))
    } else if budget.regain_minutes > 0 {
        Some(graph_error(
            400,
            crate::graph::codes::WABA_TOO_MANY_CALLS,
            "(#80008) There have been too many calls to this WhatsApp Business account. Wait a bit and try again.",
            None,
        ))
    } else {
        match answer(shared, &method, &segments, headers, &params).await {
            Answer::Json(reply) => Some(reply),
            Answer::Bad(..) => None,
        }
    };
    let entry = match &reply {
        Some(reply) => json!({"code": reply.status, "body": reply.body.to_string()}),
        None => Value::Null,
    };
    let said = reply
        .as_ref()
        .map_or("null (not answered in the batch)".to_owned(), |r| {
            r.status.to_string()
        });
    shared.notice(format!("{method} {full_path} -> {said} (in a batch)"));
    (entry, budget)
}
