//! HTTP for the sandbox: one handler that parses Graph paths, checks the token, applies the
//! world's rules and, for the misbehaving numbers, answers badly on purpose.

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

mod batch;

use super::EXPIRED_TOKEN;
use super::seed::{Misbehaviour, Seed};
use super::world::{Received, Reply, World, graph_error};
use crate::graph::ApiVersion;

/// Where the sandbox tells a person what it did (request lines, verification codes).
pub type NoticeSink = Arc<dyn Fn(String) + Send + Sync>;

#[derive(Clone)]
pub struct SandboxOptions {
    /// Added to every answer, to imitate a distant server.
    pub latency: Duration,
    /// Generated numbers added to the WABA, for scale.
    pub extra_numbers: usize,
    /// How long the slow number takes to answer.
    pub slow_for: Duration,
    pub notices: Option<NoticeSink>,
    /// The ownership code to send instead of a random one (tests that search for it).
    pub verification_code: Option<String>,
    /// Meta's per-WABA call budget for reads, enforced: past it, reads answer 80008 until
    /// calls leave the window. None: usage is reported against a nominal 5,000 and never
    /// enforced.
    pub call_budget: Option<CallBudget>,
    /// How long Meta reviews a display name: an added number's, a requested change.
    pub name_review: Duration,
    /// The least share of the budget (percent) the usage header reports, as if other tools
    /// on the app had spent it: for trying what wareg does near the high-water mark.
    pub usage_floor: usize,
}

/// How many reads the sandbox's WABA allows in a moving window (Meta: 200 or 5,000 an hour).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallBudget {
    pub calls: usize,
    pub window: Duration,
}

impl CallBudget {
    /// What `wareg demo` runs with: generous enough never to bite a person exploring.
    pub const DEMO: CallBudget = CallBudget {
        calls: 5_000,
        window: Duration::from_secs(3600),
    };
}

impl Default for SandboxOptions {
    fn default() -> Self {
        SandboxOptions {
            latency: Duration::ZERO,
            extra_numbers: 0,
            slow_for: Duration::from_secs(8),
            notices: None,
            verification_code: None,
            call_budget: None,
            name_review: super::world::DEFAULT_NAME_REVIEW,
            usage_floor: 0,
        }
    }
}

#[derive(Clone)]
struct Shared {
    world: Arc<Mutex<World>>,
    options: SandboxOptions,
    /// When each counted read arrived, oldest first, within the budget's window.
    reads: Arc<Mutex<std::collections::VecDeque<Instant>>>,
}

impl Shared {
    fn world(&self) -> MutexGuard<'_, World> {
        // A handler never panics while holding the lock, so poisoning is a bug; recover anyway.
        self.world.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn notice(&self, text: String) {
        if let Some(sink) = &self.options.notices {
            sink(text);
        }
    }
}

/// A sandbox serving on a loopback port until dropped.
pub struct RunningSandbox {
    pub addr: SocketAddr,
    world: Arc<Mutex<World>>,
    shutdown: Option<oneshot::Sender<()>>,
}

impl RunningSandbox {
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn waba_id(&self) -> String {
        self.lock().waba_id.clone()
    }

    /// Every request received so far, secrets blanked; a batch's requests each on their own.
    pub fn received(&self) -> Vec<Received> {
        self.lock().received.clone()
    }

    /// How many requests each batch request carried, in the order they came.
    pub fn batches(&self) -> Vec<usize> {
        self.lock().batches.clone()
    }

    pub fn pending_code(&self, id: &str) -> Option<String> {
        self.lock().pending_code(id)
    }

    /// Direct access for tests that need to arrange a state.
    pub fn with_world<R>(&self, f: impl FnOnce(&mut World) -> R) -> R {
        f(&mut self.lock())
    }

    fn lock(&self) -> MutexGuard<'_, World> {
        self.world.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Drop for RunningSandbox {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Serves the seeded world on `listener`. Must be called inside a tokio runtime.
pub fn start(listener: TcpListener, options: SandboxOptions) -> std::io::Result<RunningSandbox> {
    let addr = listener.local_addr()?;
    let world = Arc::new(Mutex::new(World::seeded(
        Seed::builtin(options.extra_numbers),
        options.name_review,
        Instant::now(),
    )));
    let shared = Shared {
        world: world.clone(),
        options,
        reads: Arc::default(),
    };
    let app = Router::new().fallback(handle).with_state(shared);
    let (tx, rx) = oneshot::channel::<()>();
    tokio::spawn(async move {
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await;
        if let Err(e) = served {
            tracing::warn!(target: "wareg::sandbox", "sandbox server stopped: {e}");
        }
    });
    Ok(RunningSandbox {
        addr,
        world,
        shutdown: Some(tx),
    })
}

/// The nominal call allowance the sandbox reports its usage against when it enforces none.
const SANDBOX_CALL_ALLOWANCE: usize = 5_000;

/// The WABA's call budget after one request.
struct BudgetState {
    percent: usize,
    /// Non-zero while the budget is spent: Meta's `estimated_time_to_regain_access`.
    regain_minutes: u64,
}

/// Counts an authorized read (Meta's budget covers the management reads) and says where the
/// budget stands: spent when the window already held `calls` reads before this one.
fn count_read(shared: &Shared, method: &Method, authorized: bool) -> BudgetState {
    let budget = shared.options.call_budget.unwrap_or(CallBudget {
        calls: SANDBOX_CALL_ALLOWANCE,
        window: Duration::from_secs(3600),
    });
    let mut reads = shared.reads.lock().unwrap_or_else(|p| p.into_inner());
    let now = Instant::now();
    while reads
        .front()
        .is_some_and(|t| now.duration_since(*t) >= budget.window)
    {
        reads.pop_front();
    }
    let spent = shared.options.call_budget.is_some() && reads.len() >= budget.calls;
    if *method == Method::GET && authorized {
        reads.push_back(now);
    }
    let percent = (reads.len() * 100 / budget.calls.max(1))
        .max(shared.options.usage_floor)
        .min(100);
    let regain_minutes = if spent {
        // When enough reads leave the window for one more to fit.
        let frees = reads.len() + 1 - budget.calls;
        let at = reads.get(frees - 1).map_or(now, |t| *t + budget.window);
        at.saturating_duration_since(now)
            .as_secs()
            .div_ceil(60)
            .max(1)
    } else {
        0
    };
    BudgetState {
        percent,
        regain_minutes,
    }
}

async fn handle(
    State(shared): State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let at = chrono::Utc::now();
    if !shared.options.latency.is_zero() {
        tokio::time::sleep(shared.options.latency).await;
    }
    let params = collect_params(&uri, &headers, &body);
    let authorized = bearer(&headers).is_some();
    let segments: Vec<String> = uri
        .path()
        .trim_matches('/')
        .split('/')
        .map(str::to_owned)
        .collect();
    // A batch is only an exchange: its requests are what is received and counted.
    let batch = match (&method, &segments[..], params.get("batch")) {
        (&Method::POST, [version], Some(Value::String(batch))) if authorized => {
            Some((version.clone(), batch.clone()))
        }
        _ => None,
    };
    let (reply, budget) = match &batch {
        Some((version, batch)) => {
            let (reply, budget) = batch::answer_batch(&shared, version, &headers, batch, at).await;
            (Answer::Json(reply), budget)
        }
        None => {
            shared.world().received.push(Received {
                method: method.to_string(),
                path: uri.path().to_owned(),
                params: blank_secrets(&params),
                authorized,
                at,
            });
            let budget = count_read(&shared, &method, authorized);
            // Only reads are refused: whether the budget covers register and deregister is
            // not documented (docs/graph-api-facts.md §6), and the sandbox does not invent it.
            let reply = if budget.regain_minutes > 0 && method == Method::GET {
                // Like Meta: a throttled read is refused, and still counted.
                Answer::Json(graph_error(
                    400,
                    crate::graph::codes::WABA_TOO_MANY_CALLS,
                    "(#80008) There have been too many calls to this WhatsApp Business account. Wait a bit and try again.",
                    None,
                ))
            } else {
                answer(&shared, &method, &segments, &headers, &params).await
            };
            (reply, budget)
        }
    };
    let mut response = match reply {
        Answer::Json(reply) => json_response(&reply),
        Answer::Bad(kind, reply) => misbehave(kind, &reply, shared.options.slow_for).await,
    };
    // Says "this is not Meta" to every client, so faces can show it.
    response.headers_mut().insert(
        crate::graph::SANDBOX_HEADER,
        axum::http::HeaderValue::from_static("1"),
    );
    // As Meta does: how much of the WABA's call budget is used, and when a spent one returns.
    let waba = shared.world().waba_id.clone();
    let usage = serde_json::json!({ waba: [{
        "type": "whatsapp_business_management",
        "call_count": budget.percent,
        "total_cputime": 1, "total_time": 1,
        "estimated_time_to_regain_access": budget.regain_minutes
    }]});
    if let Ok(value) = axum::http::HeaderValue::from_str(&usage.to_string()) {
        response
            .headers_mut()
            .insert("x-business-use-case-usage", value);
    }
    // As Meta does: which version's rules applied.
    if let Some(served) = segments
        .first()
        .and_then(|v| v.parse::<ApiVersion>().ok())
        .map(|v| v.served(chrono::Utc::now().date_naive()))
        && let Ok(value) = axum::http::HeaderValue::from_str(&served.to_string())
    {
        response.headers_mut().insert("facebook-api-version", value);
    }
    let what = if batch.is_some() {
        " (a batch: its requests are above)"
    } else {
        ""
    };
    shared.notice(format!(
        "{method} {} -> {}{what}",
        uri.path(),
        response.status().as_u16()
    ));
    response
}

enum Answer {
    Json(Reply),
    /// The real answer, to be spoiled in the given way.
    Bad(Misbehaviour, Reply),
}

async fn answer(
    shared: &Shared,
    method: &Method,
    segments: &[String],
    headers: &HeaderMap,
    params: &Value,
) -> Answer {
    match bearer(headers) {
        None => {
            return Answer::Json(graph_error(
                401,
                190,
                "An active access token must be used to query information about the current user.",
                None,
            ));
        }
        Some(token) if token == EXPIRED_TOKEN => {
            let mut reply = graph_error(
                401,
                190,
                "Error validating access token: Session has expired on Tuesday, 24-Nov-26 09:00:00 PST.",
                None,
            );
            reply.body["error"]["error_subcode"] = json!(463);
            return Answer::Json(reply);
        }
        Some(_) => {}
    }
    let Some((version_text, rest)) = segments.split_first() else {
        return Answer::Json(unknown_path());
    };
    let Ok(asked) = version_text.parse::<ApiVersion>() else {
        return Answer::Json(graph_error(
            400,
            2500,
            "Unknown path components: the path must start with a version such as /v25.0",
            None,
        ));
    };
    // Like Meta: a retired version is answered as the oldest live one (docs/graph-api-facts.md §1).
    let version = asked.served(chrono::Utc::now().date_naive());
    let id = rest.first().cloned().unwrap_or_default();
    let spoil = shared.world().misbehaviour(&id);
    let reply = {
        let mut world = shared.world();
        let now = Instant::now();
        // Reviews end by the clock, seen by whatever asks next.
        world.settle(now);
        let text = |key: &str| params.get(key).and_then(Value::as_str).map(str::to_owned);
        match (method.clone(), rest.get(1).map(String::as_str), rest.len()) {
            (Method::GET, None, 1) => world.read_number(version, &id, text("fields").as_deref()),
            (Method::POST, None, 1) if params.get("new_display_name").is_some() => {
                world.rename(&id, params, now)
            }
            (Method::POST, None, 1) => world.set_pin(&id, params),
            (Method::POST, Some("phone_numbers"), 2) => world.add_number(&id, params, now),
            (Method::GET, Some("phone_numbers"), 2) => {
                let origin = headers
                    .get(header::HOST)
                    .and_then(|h| h.to_str().ok())
                    .map(|h| format!("http://{h}"))
                    .unwrap_or_default();
                let flat = flatten(params);
                // Listing is not spoiled: only calls on the misbehaving number itself are.
                return Answer::Json(world.list_numbers(
                    version_text,
                    version,
                    &id,
                    &flat,
                    &origin,
                ));
            }
            (Method::GET, Some("settings"), 2) => world.read_settings(&id),
            (Method::POST, Some("settings"), 2) => world.write_settings(version, &id, params),
            (Method::POST, Some("register"), 2) => world.register(version, &id, params, now),
            (Method::POST, Some("deregister"), 2) => world.deregister(&id, now),
            (Method::POST, Some("request_code"), 2) => {
                let (reply, code) =
                    world.request_code(&id, params, shared.options.verification_code.as_deref());
                if let Some(code) = code {
                    let display = world
                        .numbers
                        .get(&id)
                        .map(|n| n.display.clone())
                        .unwrap_or_default();
                    drop(world);
                    shared.notice(format!(
                        "sandbox: verification code for {id} ({display}) is {code}"
                    ));
                }
                reply
            }
            (Method::POST, Some("verify_code"), 2) => world.verify_code(&id, params),
            _ => unknown_path(),
        }
    };
    match spoil {
        Some(kind) => Answer::Bad(kind, reply),
        None => Answer::Json(reply),
    }
}

fn unknown_path() -> Reply {
    graph_error(400, 100, "(#100) Unknown path components", None)
}

fn json_response(reply: &Reply) -> Response {
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        reply.body.to_string(),
    )
        .into_response()
}

async fn misbehave(kind: Misbehaviour, reply: &Reply, slow_for: Duration) -> Response {
    match kind {
        Misbehaviour::Slow => {
            tokio::time::sleep(slow_for).await;
            json_response(reply)
        }
        Misbehaviour::Html502 => (
            StatusCode::BAD_GATEWAY,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body><center><h1>502 Bad Gateway</h1></center></body>\r\n</html>\r\n",
        )
            .into_response(),
        Misbehaviour::Truncated => {
            let full = reply.body.to_string();
            let cut = full[..full.len() / 2].to_owned();
            (StatusCode::OK, [(header::CONTENT_TYPE, "application/json")], cut).into_response()
        }
        Misbehaviour::Reset => {
            let first = Bytes::from(reply.body.to_string()[..4].to_owned());
            let chunks: Vec<Result<Bytes, std::io::Error>> = vec![
                Ok(first),
                Err(std::io::Error::new(std::io::ErrorKind::ConnectionReset, "sandbox drops the connection")),
            ];
            Response::builder()
                .status(StatusCode::OK)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from_stream(futures::stream::iter(chunks)))
                .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
        }
    }
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

/// Query parameters and a JSON or form body, merged (Meta accepts both, docs/graph-api-facts.md §1).
fn collect_params(uri: &Uri, headers: &HeaderMap, body: &Bytes) -> Value {
    let mut params = Map::new();
    if let Some(query) = uri.query() {
        for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
            params.insert(k.into_owned(), Value::String(v.into_owned()));
        }
    }
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if is_form {
        for (k, v) in url::form_urlencoded::parse(body) {
            params.insert(k.into_owned(), Value::String(v.into_owned()));
        }
    } else if let Ok(Value::Object(obj)) = serde_json::from_slice::<Value>(body) {
        params.extend(obj);
    }
    Value::Object(params)
}

fn flatten(params: &Value) -> BTreeMap<String, String> {
    params
        .as_object()
        .map(|obj| {
            obj.iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        v.as_str()
                            .map(str::to_owned)
                            .unwrap_or_else(|| v.to_string()),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// What the journal keeps of a request: everything but the PIN and the code.
fn blank_secrets(params: &Value) -> BTreeMap<String, String> {
    let mut flat = flatten(params);
    for key in ["pin", "code"] {
        if let Some(v) = flat.get_mut(key) {
            *v = format!("<{} chars>", v.chars().count());
        }
    }
    flat
}
