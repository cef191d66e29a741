//! The Graph API client: one function per endpoint, timeouts from the profile, automatic
//! retries for reads only. Register and deregister are sent exactly once, whatever happens.

use reqwest::Method;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, Instant};
use url::Url;

use super::body::Body;
use super::errors::{ApiError, GraphError, body_snippet};
use super::new_number::{DisplayName, NewNumber};
use super::region::Region;
use super::retry::RetryPolicy;
use super::throttle::{Throttle, ThrottleBook, ThrottleScope};
use super::types::{Added, MINIMAL_FIELDS, NumberId, PhoneNumber, Settings, StorageConfig};
use super::version::ApiVersion;
use crate::secret::{Pin, Token, VerificationCode};

/// One finished HTTP exchange, for the log pane and the log file. Holds no secret: the token
/// travels in a header and PINs and codes in bodies, none of which are recorded.
#[derive(Debug, Clone)]
pub struct CallEvent {
    pub method: &'static str,
    /// Path and query, e.g. `/v25.0/1065/register`.
    pub path: String,
    pub status: Option<u16>,
    pub duration: Duration,
    /// 1 for the first try of a request, 2 and 3 for automatic retries of reads: a read that
    /// was tried again is reported once, when its last try ended, with `attempt` tries.
    pub attempt: u32,
    /// The statuses of the tries before the last (none for a read that took one try); the
    /// duration is then that of every try and the waits between them.
    pub earlier: Vec<Option<u16>>,
    pub error: Option<ApiError>,
    /// The answer said it came from a wareg sandbox, not from Meta.
    pub sandbox: bool,
    /// How many reads the request carried as one batch (0: a single call).
    pub batch_of: usize,
    /// The calls one point of the budget holds, as the usage header has shown them to this
    /// client so far (`read_pace`): the budget's size, which the header does not say.
    pub calls_per_point: Option<u64>,
    /// What the client knows of the call budgets after this answer.
    pub usage: Option<super::Usage>,
    /// The throttle Meta declared over this client's calls, as known after this answer.
    pub throttle: Option<super::Throttle>,
}

impl CallEvent {
    /// The path as a person reads it: a batch request says how many reads it carried.
    pub fn described_path(&self) -> String {
        match self.batch_of {
            0 => self.path.clone(),
            n => format!(
                "{} (one batch: {})",
                self.path,
                crate::plural::count(n, "storage read")
            ),
        }
    }
}

/// The header the built-in sandbox puts on every answer.
/// One try of a request: which it is (1, then 2 and 3 for a read tried again) and the time it
/// may take.
struct Try {
    attempt: u32,
    limit: Duration,
}

pub const SANDBOX_HEADER: &str = "x-wareg-sandbox";

/// Set once any client in this process got an answer from a sandbox (the CLI says so at the end).
pub static SANDBOX_SEEN: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

pub type CallObserver = Arc<dyn Fn(&CallEvent) + Send + Sync>;

/// Where and how to reach the Graph API: a profile, resolved.
#[derive(Debug, Clone)]
pub struct ClientSettings {
    pub base_url: String,
    pub version: ApiVersion,
    pub token: Token,
    pub timeout: Duration,
}

/// A mutation Meta took, and what was odd about its answer, if anything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Answered {
    pub warning: Option<String>,
}

/// How an ownership code is delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeMethod {
    Sms,
    Voice,
}

impl CodeMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            CodeMethod::Sms => "SMS",
            CodeMethod::Voice => "VOICE",
        }
    }
}

/// Cheap to clone: the worker hands a copy to each task.
#[derive(Clone)]
pub struct GraphClient {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    base: Url,
    version: ApiVersion,
    token: Token,
    timeout: Duration,
    retry: RetryPolicy,
    /// The time all tries of one read share; None: the timeout.
    read_budget: Option<Duration>,
    observer: Option<CallObserver>,
    /// Answers longer than this are cut and reported, never held whole.
    max_body: usize,
    /// The version Meta said it served (`facebook-api-version`), once an answer carried it.
    served: Arc<std::sync::Mutex<Option<ApiVersion>>>,
    /// The call budgets as the latest answers reported them.
    usage: Arc<std::sync::Mutex<super::Usage>>,
    /// Throttles Meta declared, shared with other processes when the book has a data dir.
    throttles: Arc<ThrottleBook>,
    /// Which throttles cover this client's calls.
    scope: ThrottleScope,
    /// Set once the server refused a batch request: reads then go one at a time.
    batch_refused: Arc<std::sync::atomic::AtomicBool>,
    /// How many reads may be in flight, learnt from the usage header.
    read_pace: Arc<std::sync::Mutex<super::read_pace::ReadPace>>,
    /// Listing pages answered so far, every listing of this client's: a caller that knows
    /// how many a listing will take sees how many are still to come (`listing_pages`).
    listing_pages: Arc<std::sync::atomic::AtomicU64>,
}

/// The least time a retry is started with: one that would have less is not sent.
const MIN_TRY: Duration = Duration::from_millis(500);

/// How long wareg stays away after a throttle code that came without an estimate, in minutes.
const THROTTLE_WITHOUT_ESTIMATE_MIN: u32 = 5;

/// The default cap on one answer: a page of 100 numbers is about 50 KB.
pub const DEFAULT_MAX_BODY: usize = 8 * 1024 * 1024;
/// Pages followed at most in one listing: 100,000 numbers at 100 a page.
pub const MAX_PAGES: usize = 1_000;

/// Whether a request may be sent again after a transient failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Resend {
    /// Reads: retried with backoff.
    Allowed,
    /// Mutations: exactly one try (docs/PRODUCT.md "never retried automatically").
    Never,
}

impl GraphClient {
    pub fn new(settings: ClientSettings) -> Result<Self, ApiError> {
        let base = Url::parse(settings.base_url.trim_end_matches('/')).map_err(|e| {
            ApiError::Refused(format!(
                "base_url `{}` is not a URL: {e}",
                settings.base_url
            ))
        })?;
        // Every request's path is built on the base; one that cannot carry a path (a `data:`
        // or `mailto:` URL) is refused here, so building a request's URL never fails.
        if base.cannot_be_a_base() {
            return Err(ApiError::Refused(format!(
                "base_url `{}` cannot carry a path: give an http(s) URL",
                settings.base_url
            )));
        }
        // reqwest is built without a provider of its own: it uses the process's default.
        crate::tls::install_default_provider();
        let http = reqwest::Client::builder()
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout.min(Duration::from_secs(10)))
            .user_agent(concat!("wareg/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ApiError::Network(format!("cannot set up HTTP: {e}")))?;
        Ok(GraphClient {
            inner: Arc::new(Inner {
                http,
                version: settings.version,
                token: settings.token,
                timeout: settings.timeout,
                retry: RetryPolicy::default(),
                read_budget: None,
                observer: None,
                max_body: DEFAULT_MAX_BODY,
                served: Arc::default(),
                usage: Arc::default(),
                throttles: Arc::new(ThrottleBook::in_memory()),
                scope: ThrottleScope {
                    host: base.host_str().unwrap_or_default().to_owned(),
                    profile: String::new(),
                    waba: None,
                },
                batch_refused: Arc::default(),
                read_pace: Arc::default(),
                listing_pages: Arc::default(),
                base,
            }),
        })
    }

    /// Every call is reported to `observer` when it ends (the log pane, the log file).
    pub fn with_observer(self, observer: CallObserver) -> Self {
        self.rebuild(|inner| inner.observer = Some(observer))
    }

    pub fn with_retry(self, retry: RetryPolicy) -> Self {
        self.rebuild(|inner| inner.retry = retry)
    }

    /// All tries of one read (and the waits between them) end within `budget`; None: within
    /// the timeout, so a server that never answers costs one timeout, not one per try.
    pub fn with_read_budget(self, budget: Option<Duration>) -> Self {
        self.rebuild(|inner| inner.read_budget = budget)
    }

    /// Throttles are shared through `book` (the data dir's) and keyed by this profile and
    /// its WABA, so every process using them stays away while Meta throttles.
    pub fn with_throttles(
        self,
        book: Arc<ThrottleBook>,
        profile: &str,
        waba: Option<&str>,
    ) -> Self {
        self.rebuild(|inner| {
            inner.throttles = book;
            inner.scope.profile = profile.to_owned();
            inner.scope.waba = waba.map(str::to_owned);
        })
    }

    /// Answers longer than `bytes` are cut there and reported as too large.
    pub fn with_max_body(self, bytes: usize) -> Self {
        self.rebuild(|inner| inner.max_body = bytes.max(1024))
    }

    fn rebuild(self, change: impl FnOnce(&mut Inner)) -> Self {
        let old = &self.inner;
        let mut inner = Inner {
            http: old.http.clone(),
            base: old.base.clone(),
            version: old.version,
            token: old.token.clone(),
            timeout: old.timeout,
            retry: old.retry,
            read_budget: old.read_budget,
            observer: old.observer.clone(),
            max_body: old.max_body,
            served: old.served.clone(),
            usage: old.usage.clone(),
            throttles: old.throttles.clone(),
            scope: old.scope.clone(),
            batch_refused: old.batch_refused.clone(),
            read_pace: old.read_pace.clone(),
            listing_pages: old.listing_pages.clone(),
        };
        change(&mut inner);
        GraphClient {
            inner: Arc::new(inner),
        }
    }

    /// How many reads may be in flight at once, and so go in one batch request: 8 until the
    /// usage header shows that more fit in one point of the budget (`read_pace`).
    pub fn reads_in_flight(&self) -> usize {
        self.inner
            .read_pace
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .in_flight()
    }

    /// The calls one point of the budget holds, as the usage header has shown so far
    /// (`read_pace`); None before it has shown a percent.
    pub fn calls_per_point(&self) -> Option<u64> {
        self.inner
            .read_pace
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .calls_per_point()
    }

    /// Listing pages this client has had answered, in all its listings.
    pub fn listing_pages(&self) -> u64 {
        self.inner
            .listing_pages
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    pub(super) fn count_listing_page(&self) {
        self.inner
            .listing_pages
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    pub(super) fn batch_refusal(&self) -> &std::sync::atomic::AtomicBool {
        &self.inner.batch_refused
    }

    /// The token as text, only to take it out of answers.
    pub(super) fn token_text(&self) -> &str {
        self.inner.token.expose()
    }

    pub fn version(&self) -> ApiVersion {
        self.inner.version
    }

    /// The version whose rules apply to this client's calls: what Meta said it served, else
    /// what it will serve for the configured one on `today` (a retired version is answered as
    /// the oldest live one).
    pub fn plan_version(&self, today: chrono::NaiveDate) -> ApiVersion {
        let served = *self.inner.served.lock().unwrap_or_else(|p| p.into_inner());
        served.unwrap_or_else(|| self.inner.version.served(today))
    }

    /// The call budgets as the latest answers reported them.
    pub fn usage(&self) -> super::Usage {
        self.inner
            .usage
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// The throttle Meta declared over this client's calls, if one is running.
    pub fn throttle(&self) -> Option<Throttle> {
        self.inner
            .throttles
            .active(&self.inner.scope.keys(), chrono::Utc::now())
    }

    /// Minutes left of a throttle Meta declared, if one is running.
    pub fn throttled_for(&self) -> Option<u64> {
        self.throttle()
            .and_then(|t| t.minutes_left(chrono::Utc::now()))
    }

    /// Starts (or extends) a throttle under `key`: `minutes` from Meta's estimate, else a
    /// default wait.
    fn note_throttle(&self, key: String, covers: String, code: Option<i64>, minutes: Option<u32>) {
        let now = chrono::Utc::now();
        let minutes = minutes
            .filter(|m| *m > 0)
            .unwrap_or(THROTTLE_WITHOUT_ESTIMATE_MIN);
        let throttle = Throttle {
            until: now + chrono::Duration::minutes(i64::from(minutes)),
            code,
            covers,
        };
        self.inner.throttles.note(&key, throttle, now);
    }

    fn note_usage(&self, headers: &reqwest::header::HeaderMap) -> Option<super::Usage> {
        let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        let business = text("x-business-use-case-usage");
        let app = text("x-app-usage");
        if business.is_none() && app.is_none() {
            return None;
        }
        let mut usage = self.inner.usage.lock().unwrap_or_else(|p| p.into_inner());
        usage.note(business, app);
        let regains: Vec<(String, u32)> = usage
            .wabas
            .iter()
            .filter(|(_, w)| w.regain_minutes > 0)
            .map(|(waba, w)| (waba.clone(), w.regain_minutes))
            .collect();
        let snapshot = usage.clone();
        drop(usage);
        let scope = &self.inner.scope;
        for (waba, minutes) in regains {
            self.note_throttle(
                scope.waba_key(&waba),
                format!("WABA {waba}"),
                None,
                Some(minutes),
            );
            // A profile that names no WABA cannot tell which keys its reads fall under.
            if scope.waba.is_none() {
                let (key, covers) = scope.key_for_code(None);
                self.note_throttle(key, covers, None, Some(minutes));
            }
        }
        Some(snapshot)
    }

    fn note_served_version(&self, headers: &reqwest::header::HeaderMap) {
        let Some(served) = headers
            .get("facebook-api-version")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<ApiVersion>().ok())
        else {
            return;
        };
        let mut slot = self.inner.served.lock().unwrap_or_else(|p| p.into_inner());
        if *slot != Some(served) && served != self.inner.version {
            tracing::warn!(target: "wareg::api", "Meta served {served} for calls made with {}", self.inner.version);
        }
        *slot = Some(served);
    }

    // ---- reads -------------------------------------------------------------------------

    /// The table's fields for the version Meta answers this client with (the messaging limit
    /// is another field from v24, docs/graph-api-facts.md §9).
    pub fn full_fields(&self) -> &'static str {
        super::types::full_fields(self.plan_version(chrono::Utc::now().date_naive()))
    }

    /// `GET /{id}` with the table's fields; if Meta rejects a field (code 100), once more with
    /// the minimal set, since one unknown field fails the whole call (docs/graph-api-facts.md §3).
    pub async fn get_number(&self, id: &NumberId) -> Result<PhoneNumber, ApiError> {
        match self.get_number_fields(id, self.full_fields()).await {
            Err(e) if e.code() == Some(100) => self.get_number_fields(id, MINIMAL_FIELDS).await,
            other => other,
        }
    }

    async fn get_number_fields(
        &self,
        id: &NumberId,
        fields: &str,
    ) -> Result<PhoneNumber, ApiError> {
        let mut url = self.url(&[id.as_str()]);
        url.query_pairs_mut().append_pair("fields", fields);
        self.send(Method::GET, url, None, Resend::Allowed).await
    }

    pub async fn get_settings(&self, id: &NumberId) -> Result<Settings, ApiError> {
        let url = self.url(&[id.as_str(), "settings"]);
        self.send(Method::GET, url, None, Resend::Allowed).await
    }

    // ---- mutations (never resent) ------------------------------------------------------

    /// `POST /{id}/register`. `region_in_body` is only for v20 and older; on v21+ the caller
    /// sets storage with [`GraphClient::set_storage`] first.
    pub async fn register(
        &self,
        id: &NumberId,
        pin: &Pin,
        region_in_body: Option<Region>,
    ) -> Result<Answered, ApiError> {
        #[derive(serde::Serialize)]
        struct Register<'a> {
            messaging_product: &'static str,
            pin: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            data_localization_region: Option<&'static str>,
        }
        let body = Body::secret(&Register {
            messaging_product: "whatsapp",
            pin: pin.expose(),
            data_localization_region: region_in_body.map(|r| r.code()),
        })?;
        self.mutate(&[id.as_str(), "register"], Some(body)).await
    }

    /// `POST /{id}/deregister`, no body.
    pub async fn deregister(&self, id: &NumberId) -> Result<Answered, ApiError> {
        self.mutate(&[id.as_str(), "deregister"], None).await
    }

    /// `POST /{id}/settings`: local storage on in `region`, or off with `None` (v21+, only while
    /// the number is unregistered). The documented body shape, not the spec's (docs/graph-api-facts.md §2.8).
    pub async fn set_storage(
        &self,
        id: &NumberId,
        region: Option<Region>,
    ) -> Result<Answered, ApiError> {
        let storage = match region {
            Some(r) => StorageConfig {
                status: super::types::StorageStatus::Enabled,
                data_localization_region: Some(r.code().to_owned()),
            },
            None => StorageConfig {
                status: super::types::StorageStatus::Disabled,
                data_localization_region: None,
            },
        };
        let body = Body::json(&json!({"storage_configuration": storage}))?;
        self.mutate(&[id.as_str(), "settings"], Some(body)).await
    }

    /// `POST /{id}` with `{"pin": ...}`: sets or changes the two-step PIN; no old PIN needed.
    pub async fn set_pin(&self, id: &NumberId, pin: &Pin) -> Result<Answered, ApiError> {
        #[derive(serde::Serialize)]
        struct SetPin<'a> {
            pin: &'a str,
        }
        let body = Body::secret(&SetPin { pin: pin.expose() })?;
        self.mutate(&[id.as_str()], Some(body)).await
    }

    pub async fn request_code(
        &self,
        id: &NumberId,
        method: CodeMethod,
        language: &str,
    ) -> Result<Answered, ApiError> {
        let body = Body::json(&json!({"code_method": method.as_str(), "language": language}))?;
        self.mutate(&[id.as_str(), "request_code"], Some(body))
            .await
    }

    pub async fn verify_code(
        &self,
        id: &NumberId,
        code: &VerificationCode,
    ) -> Result<Answered, ApiError> {
        #[derive(serde::Serialize)]
        struct Code<'a> {
            code: &'a str,
        }
        let body = Body::secret(&Code {
            code: code.expose(),
        })?;
        self.mutate(&[id.as_str(), "verify_code"], Some(body)).await
    }

    /// `POST /{waba}/phone_numbers` with `{cc, phone_number, verified_name}` (docs/graph-api-facts.md §9): adds a
    /// number to the WABA, not verified and not registered; the answer is its new id.
    pub async fn add_number(
        &self,
        waba: &NumberId,
        number: &NewNumber,
    ) -> Result<NumberId, ApiError> {
        let url = self.url(&[waba.as_str(), "phone_numbers"]);
        let body = Body::json(&json!({
            "cc": number.cc(),
            "phone_number": number.phone(),
            "verified_name": number.name().as_str(),
        }))?;
        let added: Added = self
            .send(Method::POST, url, Some(body), Resend::Never)
            .await?;
        NumberId::parse(&added.id).map_err(|_| ApiError::BadResponse {
            http_status: 200,
            content_type: "application/json".into(),
            expected: "a numeric phone number id",
            problem: "the id Meta gave is not numeric".into(),
            snippet: crate::clean::text(&added.id, 60),
        })
    }

    /// `POST /{id}?new_display_name=NAME` (docs/graph-api-facts.md §9): asks for a new display name, which Meta
    /// reviews; the number must be registered again within 14 days of the approval.
    pub async fn rename(&self, id: &NumberId, name: &DisplayName) -> Result<Answered, ApiError> {
        let mut url = self.url(&[id.as_str()]);
        url.query_pairs_mut()
            .append_pair("new_display_name", name.as_str());
        self.mutate_at(url, None).await
    }

    // ---- plumbing ----------------------------------------------------------------------

    pub(super) fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.inner.base.clone();
        {
            // `new` refused a base that cannot carry a path, so this always holds.
            if let Ok(mut path) = url.path_segments_mut() {
                path.pop_if_empty();
                path.push(&self.inner.version.to_string());
                path.extend(segments);
            }
        }
        url
    }

    /// A paging link is followed only to the host we were configured with: the token goes
    /// with every request, so an answer must not be able to send it elsewhere.
    pub(super) fn same_origin(&self, next: &str) -> Result<Url, ApiError> {
        let url = Url::parse(next)
            .map_err(|e| ApiError::Refused(format!("paging.next is not a URL ({e})")))?;
        if url.origin() != self.inner.base.origin() {
            return Err(ApiError::Refused(format!(
                "refusing to follow paging.next to another host ({}): the token would go with it",
                crate::clean::text(url.host_str().unwrap_or("?"), crate::clean::NAME_MAX)
            )));
        }
        // Meta's links carry access_token in the query; the token goes in the header instead,
        // so the URL (which is logged) never holds it.
        Ok(without_credentials(&url))
    }

    /// Sends a mutation once and reads its answer. Meta documents `{"success": true}`. A
    /// complete answer of another shape still means Meta took the request (it answered 2xx
    /// and the body is whole), so it counts as done, with a warning that quotes it; an answer
    /// cut off or unreadable stays an unknown outcome (decided in `decode`), and
    /// `{"success": false}` is a failure without a code, whose outcome is not known either.
    async fn mutate(&self, segments: &[&str], body: Option<Body>) -> Result<Answered, ApiError> {
        self.mutate_at(self.url(segments), body).await
    }

    /// [`GraphClient::mutate`] of a URL already made (one with a query).
    async fn mutate_at(&self, url: Url, body: Option<Body>) -> Result<Answered, ApiError> {
        let answer: Value = self.send(Method::POST, url, body, Resend::Never).await?;
        match answer.get("success").and_then(Value::as_bool) {
            Some(true) => Ok(Answered::default()),
            Some(false) => Err(ApiError::BadResponse {
                http_status: 200,
                content_type: "application/json".into(),
                expected: "a success",
                problem: "Meta answered success: false without an error".into(),
                snippet: r#"{"success":false}"#.into(),
            }),
            None => {
                let quoted = crate::clean::text(&answer.to_string(), 200);
                let warning = format!(
                    "Meta answered 2xx with {quoted} instead of {{\"success\": true}}; taken as done"
                );
                tracing::warn!(target: "wareg::api", "{warning}");
                Ok(Answered {
                    warning: Some(warning),
                })
            }
        }
    }

    async fn send<T: DeserializeOwned>(
        &self,
        method: Method,
        url: Url,
        body: Option<Body>,
        resend: Resend,
    ) -> Result<T, ApiError> {
        self.send_with(method, url, body, resend, |status, content_type, bytes| {
            decode(status, content_type, &bytes)
        })
        .await
    }

    /// `send` with the answer's (redacted, bounded) body handed to `parse` instead of being
    /// decoded whole: the listing reads only the paging link here and decodes the rows
    /// elsewhere, while the next page is on its way.
    pub(super) async fn send_with<T>(
        &self,
        method: Method,
        url: Url,
        body: Option<Body>,
        resend: Resend,
        parse: impl Fn(u16, &str, Vec<u8>) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let tries = match resend {
            Resend::Allowed => self.inner.retry.max_tries,
            Resend::Never => 1,
        };
        // While Meta throttles this client's calls, a read is not sent at all: calls made
        // during a throttle push the recovery further out (docs/graph-api-facts.md §6).
        if resend == Resend::Allowed
            && let Some(throttle) = self.throttle()
        {
            return Err(ApiError::Throttled(throttle));
        }
        let started = Instant::now();
        let budget = match resend {
            Resend::Allowed => self.inner.read_budget.unwrap_or(self.inner.timeout),
            Resend::Never => self.inner.timeout,
        };
        let deadline = started + budget;
        let mut attempt = 1;
        // Every try's call, reported together once the read ends (one log line, not three).
        let mut events = Vec::new();
        loop {
            // Each try gets what is left of the budget, at most the timeout.
            let limit = deadline
                .saturating_duration_since(Instant::now())
                .min(self.inner.timeout);
            let result = self
                .send_once(
                    &mut events,
                    method.clone(),
                    url.clone(),
                    body.as_ref(),
                    Try { attempt, limit },
                    &parse,
                )
                .await;
            if let Err(e) = &result
                && let Some(code) = e.code().filter(|c| super::throttle::is_throttle_code(*c))
            {
                // Never retried: a retry would only spend more of what is spent. Meta's own
                // estimate (read from the usage header) wins over the default wait.
                if self.throttle().is_none() {
                    let (key, covers) = self.inner.scope.key_for_code(Some(code));
                    self.note_throttle(key, covers, Some(code), None);
                }
                self.report_tries(events, started);
                return result.map_err(|e| ApiError::after_tries(e, attempt));
            }
            match result {
                Err(e) if attempt < tries && e.is_transient() => {
                    let wait = self.inner.retry.delay_before(attempt + 1);
                    // A try that could not get a fair share of a second is not started.
                    if Instant::now() + wait + MIN_TRY > deadline {
                        self.log_tries(&method, &url, attempt, started, Some(budget));
                        self.report_tries(events, started);
                        return Err(ApiError::after_tries(e, attempt));
                    }
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                }
                other => {
                    if attempt > 1 {
                        let spent = other.is_err().then_some(budget);
                        self.log_tries(&method, &url, attempt, started, spent);
                    }
                    self.report_tries(events, started);
                    // A read that failed after retries carries the count to whoever shows it.
                    return other.map_err(|e| ApiError::after_tries(e, attempt));
                }
            }
        }
    }

    /// How many tries a read took, in the log: "GET /v25.0/1065: 2 tries in 1.3 s", or
    /// "gave up after 1 try in 1.0 s (its budget is 1 s)" when it failed.
    fn log_tries(
        &self,
        method: &Method,
        url: &Url,
        tries: u32,
        started: Instant,
        gave_up_within: Option<Duration>,
    ) {
        let count = if tries == 1 {
            "1 try".to_owned()
        } else {
            format!("{tries} tries")
        };
        let took = format!("{:.1} s", started.elapsed().as_secs_f64());
        let path = path_and_query(url);
        match gave_up_within {
            Some(budget) => tracing::info!(
                target: "wareg::api",
                "{} {path}: gave up after {count} in {took} (its budget is {} s)",
                method_name(method),
                budget.as_secs()
            ),
            None => tracing::info!(
                target: "wareg::api",
                "{} {path}: {count} in {took}",
                method_name(method)
            ),
        }
    }

    async fn send_once<T>(
        &self,
        events: &mut Vec<CallEvent>,
        method: Method,
        url: Url,
        body: Option<&Body>,
        Try { attempt, limit }: Try,
        parse: &impl Fn(u16, &str, Vec<u8>) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let started = Instant::now();
        let mut request = self
            .inner
            .http
            .request(method.clone(), url.clone())
            .timeout(limit)
            .bearer_auth(self.inner.token.expose());
        request = match body {
            Some(body) => request
                .header(reqwest::header::CONTENT_TYPE, body.content_type())
                .body(reqwest::Body::from(body.bytes())),
            // The spec requires it even on some reads (GET /settings); harmless on the rest.
            None => request.header(reqwest::header::CONTENT_TYPE, "application/json"),
        };
        let mut sandbox = false;
        let mut usage = None;
        let (status, result) = match request.send().await {
            Err(e) => (None, Err(self.transport_error(&e, limit))),
            Ok(response) => {
                let status = response.status().as_u16();
                sandbox = response.headers().contains_key(SANDBOX_HEADER);
                self.note_served_version(response.headers());
                usage = self.note_usage(response.headers());
                if sandbox {
                    SANDBOX_SEEN.store(true, std::sync::atomic::Ordering::Relaxed);
                }
                let content_type = crate::clean::text(
                    response
                        .headers()
                        .get(reqwest::header::CONTENT_TYPE)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("no content type"),
                    crate::clean::NAME_MAX,
                );
                let result = match read_bounded(response, self.inner.max_body).await {
                    Err(AnswerFault::Broken(e)) => Err(self.transport_error(&e, limit)),
                    Err(AnswerFault::TooLarge { read, start }) => Err(ApiError::BadResponse {
                        http_status: status,
                        content_type,
                        expected: "an answer of a sensible size",
                        problem: format!(
                            "it is too large (more than {} bytes; wareg stopped reading after {read})",
                            self.inner.max_body
                        ),
                        snippet: body_snippet(&redact(start, self.inner.token.expose())),
                    }),
                    // The token is taken out before anything parses the answer, so a server
                    // that echoes it cannot put it on screen, in the log or in the trail.
                    Ok(bytes) => parse(
                        status,
                        &content_type,
                        redact(bytes, self.inner.token.expose()),
                    ),
                };
                (Some(status), result)
            }
        };
        if status.is_some() {
            // Meta counts each read of a batch as a call of its own.
            let calls = body.map_or(1, |b| b.batch_of().max(1)) as u64;
            self.inner
                .read_pace
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .answered(calls, usage.as_ref().and_then(super::Usage::highest));
        }
        events.push(CallEvent {
            method: method_name(&method),
            path: path_and_query(&url),
            status,
            duration: started.elapsed(),
            attempt,
            earlier: Vec::new(),
            error: result.as_ref().err().cloned(),
            sandbox,
            batch_of: body.map_or(0, Body::batch_of),
            calls_per_point: self.calls_per_point(),
            usage,
            throttle: self.throttle(),
        });
        result
    }

    /// Reports a request's tries as one call: the last try, with the statuses of those before
    /// it and the time all of them took.
    fn report_tries(&self, mut events: Vec<CallEvent>, started: Instant) {
        let Some(mut last) = events.pop() else {
            return;
        };
        if !events.is_empty() {
            last.earlier = events.iter().map(|e| e.status).collect();
            last.duration = started.elapsed();
        }
        self.report(last);
    }

    fn transport_error(&self, e: &reqwest::Error, limit: Duration) -> ApiError {
        let root = crate::clean::text(&root_cause(e), crate::clean::MESSAGE_MAX);
        let host = self.inner.base.host_str().unwrap_or("the server");
        // Checked before the timeout: a connect that timed out sent nothing either.
        if e.is_connect() {
            return ApiError::NotSent(format!("could not connect to {host}: {root}"));
        }
        if e.is_builder() {
            return ApiError::NotSent(format!("the request could not be built: {root}"));
        }
        if e.is_timeout() {
            // Whole seconds, rounded up: a last try may have had less than the timeout.
            return ApiError::Timeout {
                after: Duration::from_secs(limit.as_secs_f64().ceil() as u64),
            };
        }
        if e.is_body() || e.is_decode() {
            ApiError::Network(format!(
                "the connection broke while reading the answer: {root}"
            ))
        } else {
            ApiError::Network(format!("request to {host} failed: {root}"))
        }
    }

    fn report(&self, event: CallEvent) {
        tracing::info!(
            target: "wareg::api",
            method = event.method,
            path = %event.described_path(),
            status = event.status.unwrap_or(0),
            ms = event.duration.as_millis() as u64,
            attempt = event.attempt,
            error = event.error.as_ref().map(|e| e.to_string()).unwrap_or_default(),
            "api call"
        );
        if let Some(observer) = &self.inner.observer {
            observer(&event);
        }
    }
}

/// Turns an HTTP answer into `T` or an error that says what came back; never panics.
pub fn decode<T: DeserializeOwned>(
    status: u16,
    content_type: &str,
    body: &[u8],
) -> Result<T, ApiError> {
    if (200..300).contains(&status) {
        return serde_json::from_slice(body).map_err(|e| {
            // A 200 carrying Meta's error envelope is still an error from Meta.
            match GraphError::from_body(body) {
                Some(error) => ApiError::Graph {
                    http_status: status,
                    error: Box::new(error),
                },
                None => bad_response(status, content_type, "the expected JSON", &e, body),
            }
        });
    }
    match GraphError::from_body(body) {
        Some(error) => Err(ApiError::Graph {
            http_status: status,
            error: Box::new(error),
        }),
        None => {
            let problem = serde_json::from_slice::<Value>(body)
                .err()
                .map(|e| json_problem(&e))
                .unwrap_or_else(|| "JSON without Meta's error envelope".into());
            Err(ApiError::BadResponse {
                http_status: status,
                content_type: content_type.to_owned(),
                expected: "a Graph error (JSON)",
                problem,
                snippet: body_snippet(body),
            })
        }
    }
}

fn bad_response(
    status: u16,
    content_type: &str,
    expected: &'static str,
    e: &serde_json::Error,
    body: &[u8],
) -> ApiError {
    let problem = if body.is_empty() {
        "the body is empty".to_owned()
    } else if e.is_eof() {
        format!("it is cut off after {} bytes", body.len())
    } else {
        json_problem(e)
    };
    ApiError::BadResponse {
        http_status: status,
        content_type: content_type.to_owned(),
        expected,
        problem,
        snippet: body_snippet(body),
    }
}

/// What is wrong with an answer, in words: serde's own text ("expected value at line 1
/// column 1") says where, not what.
fn json_problem(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let at = format!("line {}, column {}", e.line(), e.column());
    match e.classify() {
        Category::Eof => "it is cut off".to_owned(),
        Category::Syntax => format!("it is not JSON (the first fault at {at})"),
        // serde quotes the offending text, which came from the server: cleaned.
        Category::Data => format!(
            "a field is not what the API documents ({})",
            crate::clean::text(&e.to_string(), crate::clean::MESSAGE_MAX)
        ),
        Category::Io => "it could not be read".to_owned(),
    }
}

fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut current = e;
    while let Some(next) = current.source() {
        current = next;
    }
    current.to_string()
}

fn method_name(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        _ => "OTHER",
    }
}

/// The path and query for the log; the long, constant `fields` list is shortened.
/// Query parameters that carry a credential: never logged, never followed.
fn is_credential(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    [
        "access_token",
        "appsecret_proof",
        "client_secret",
        "token",
        "password",
        "secret",
    ]
    .iter()
    .any(|c| name == *c || name.ends_with(&format!("_{c}")))
}

/// `url` with every credential-like query parameter removed.
fn without_credentials(url: &Url) -> Url {
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| !is_credential(k))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let mut out = url.clone();
    if kept.is_empty() {
        out.set_query(None);
    } else {
        out.query_pairs_mut().clear().extend_pairs(kept);
    }
    out
}

/// `body` with every occurrence of `secret` replaced. Most answers hold no token: those are
/// handed back as they are, found with one fast search instead of copied byte by byte.
pub(super) fn redact(body: Vec<u8>, secret: &str) -> Vec<u8> {
    if secret.len() < 4 {
        return body;
    }
    // A JSON string may write the token with `\u` escapes, which no search of the bytes
    // finds and parsing then spells out: such an answer is parsed, its strings cleaned and
    // written again. Most answers have no `\u` at all and skip this.
    let body = if memchr::memmem::find(&body, b"\\u").is_some() {
        redact_json_strings(body, secret)
    } else {
        body
    };
    let secret = secret.as_bytes();
    let finder = memchr::memmem::Finder::new(secret);
    let Some(first) = finder.find(&body) else {
        return body;
    };
    let mut out = Vec::with_capacity(body.len());
    let mut rest = &body[..];
    let mut at = Some(first);
    while let Some(i) = at {
        out.extend_from_slice(&rest[..i]);
        out.extend_from_slice(b"[token removed]");
        rest = &rest[i + secret.len()..];
        at = finder.find(rest);
    }
    out.extend_from_slice(rest);
    out
}

/// `body` parsed as JSON with `secret` taken out of every string (keys too), written again;
/// a body that is not JSON is handed back as it is (it fails to decode, and its snippet shows
/// the escapes, not the token they spell).
fn redact_json_strings(body: Vec<u8>, secret: &str) -> Vec<u8> {
    fn clean(value: &mut Value, secret: &str) {
        match value {
            Value::String(text) if text.contains(secret) => {
                *text = text.replace(secret, "[token removed]");
            }
            Value::Array(items) => items.iter_mut().for_each(|v| clean(v, secret)),
            Value::Object(map) => {
                let entries = std::mem::take(map);
                for (key, mut v) in entries {
                    clean(&mut v, secret);
                    map.insert(key.replace(secret, "[token removed]"), v);
                }
            }
            _ => {}
        }
    }
    match serde_json::from_slice::<Value>(&body) {
        Ok(mut value) => {
            clean(&mut value, secret);
            serde_json::to_vec(&value).unwrap_or(body)
        }
        Err(_) => body,
    }
}

/// Why an answer's body could not be read whole.
enum AnswerFault {
    Broken(reqwest::Error),
    /// More than the cap: how much was read, and its start for the message.
    TooLarge {
        read: usize,
        start: Vec<u8>,
    },
}

/// Reads an answer in chunks, stopping at `max` bytes: a huge or endless body costs at most
/// that much memory.
async fn read_bounded(mut response: reqwest::Response, max: usize) -> Result<Vec<u8>, AnswerFault> {
    let declared = response.content_length().unwrap_or(0) as usize;
    let mut body = Vec::with_capacity(declared.min(max).min(64 * 1024));
    while let Some(chunk) = response.chunk().await.map_err(AnswerFault::Broken)? {
        let read = body.len() + chunk.len();
        if read > max {
            body.truncate(160);
            return Err(AnswerFault::TooLarge { read, start: body });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn path_and_query(url: &Url) -> String {
    let query: Vec<String> = url
        .query_pairs()
        .map(|(k, v)| {
            if k == "fields" {
                format!("{k}=…")
            } else if is_credential(&k) {
                format!("{k}=[removed]")
            } else {
                format!("{k}={}", crate::clean::text(&v, crate::clean::NAME_MAX))
            }
        })
        .collect();
    if query.is_empty() {
        url.path().to_owned()
    } else {
        format!("{}?{}", url.path(), query.join("&"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::types::Success;

    #[test]
    fn decode_reports_html_and_truncation_plainly() {
        let html =
            decode::<PhoneNumber>(502, "text/html", b"<html><body>Bad Gateway</body></html>");
        let text = html.unwrap_err().to_string();
        assert!(
            text.contains("HTTP 502") && text.contains("text/html"),
            "{text}"
        );
        assert!(text.contains("<html>"), "{text}");
        assert!(
            text.contains("it is not JSON (the first fault at line 1, column 1)"),
            "{text}"
        );
        assert!(
            !text.contains("expected value"),
            "serde's own words: {text}"
        );

        let cut = decode::<PhoneNumber>(200, "application/json", br#"{"id":"1065","display_ph"#);
        let text = cut.unwrap_err().to_string();
        assert!(text.contains("cut off after"), "{text}");
    }

    #[test]
    fn redact_takes_out_every_copy_of_the_token_and_leaves_the_rest() {
        let token = "EAAB-secret";
        assert_eq!(redact(b"no token here".to_vec(), token), b"no token here");
        let body =
            b"EAAB-secret at the start, EAAB-secretEAAB-secret twice, EAAB- not one, EAAB-secret";
        assert_eq!(
            String::from_utf8(redact(body.to_vec(), token)).unwrap(),
            "[token removed] at the start, [token removed][token removed] twice, EAAB- not one, [token removed]"
        );
        // Too short to search for without mangling ordinary text.
        assert_eq!(redact(b"abc abc".to_vec(), "abc"), b"abc abc");
    }

    #[test]
    fn decode_reads_graph_errors_even_on_200() {
        let body = br#"{"error":{"message":"m","type":"T","code":190,"fbtrace_id":"X"}}"#;
        let err = decode::<Success>(200, "application/json", body).unwrap_err();
        assert_eq!(err.code(), Some(190));
    }
}
