//! The sandbox's state and Meta's rules for it (docs/graph-api-facts.md §2, §5, §6): pure logic, no HTTP.

use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, VecDeque};
use std::time::{Duration, Instant};

use crate::graph::codes;

use super::seed::{Certificate, Misbehaviour, Seed};
use crate::graph::{ApiVersion, Region};

/// Meta's moving window for register and deregister, and its limit (docs/graph-api-facts.md §6).
pub const META_WINDOW: Duration = Duration::from_secs(72 * 3600);
pub const META_LIMIT: usize = 10;

/// A request as the sandbox saw it, with secrets blanked, for tests and the demo's log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    pub method: String,
    pub path: String,
    pub params: BTreeMap<String, String>,
    pub authorized: bool,
    /// When it arrived (before any `--latency-ms`), so a test can order it against a line
    /// written elsewhere (a bulk journal's `stopped`).
    pub at: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, Clone)]
pub struct SimNumber {
    pub id: String,
    pub display: String,
    pub name: String,
    pub status: String,
    pub registered: bool,
    pub verified: bool,
    pub pin: Option<String>,
    pub quality: String,
    /// Storage in force while registered.
    pub storage: Option<Region>,
    /// v21+: storage set with /settings while unregistered, applied by the next register.
    pub pending_storage: Option<Region>,
    pub coexistence: bool,
    pub misbehave: Option<Misbehaviour>,
    pub health: Option<String>,
    pub name_review: bool,
    /// The name in force's status; a review that ends (an added number's) ends at
    /// `name_review_until`.
    pub name_status: String,
    pub name_review_until: Option<Instant>,
    /// A requested display name, its status, and when its review ends (None: never, for a
    /// seeded one).
    pub new_name: Option<String>,
    pub new_name_status: Option<String>,
    pub new_name_until: Option<Instant>,
    pub certificate: Option<Certificate>,
    pub platform: Option<String>,
    pub limit: String,
    pub official: bool,
    /// Registers that went through since the last approval (the approved name applied).
    pub applied: bool,
    pub register_times: VecDeque<Instant>,
    pub deregister_times: VecDeque<Instant>,
    pub pending_code: Option<String>,
}

/// An answer: HTTP status and JSON body.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub status: u16,
    pub body: Value,
}

impl Reply {
    fn ok(body: Value) -> Reply {
        Reply { status: 200, body }
    }

    fn success() -> Reply {
        Reply::ok(json!({"success": true}))
    }
}

/// Meta's error envelope with a fresh trace id.
pub fn graph_error(status: u16, code: i64, message: &str, details: Option<&str>) -> Reply {
    let mut error = json!({
        "message": message,
        "type": "OAuthException",
        "code": code,
        "fbtrace_id": trace_id(),
    });
    if let Some(details) = details {
        error["error_data"] = json!({"messaging_product": "whatsapp", "details": details});
    }
    Reply {
        status,
        body: json!({"error": error}),
    }
}

fn trace_id() -> String {
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let tail: String = (0..20)
        .map(|_| alphabet[fastrand::usize(..alphabet.len())] as char)
        .collect();
    format!("A{tail}")
}

/// What every field the sandbox answers is called; the limit fields hang on the version.
pub const KNOWN_FIELDS: &[&str] = &[
    "id",
    "display_phone_number",
    "verified_name",
    "status",
    "code_verification_status",
    "quality_rating",
    "platform_type",
    "host_platform",
    "throughput",
    "name_status",
    "last_onboarded_time",
    "is_official_business_account",
    "account_mode",
    "is_pin_enabled",
    "is_on_biz_app",
    "new_name_status",
    "new_display_name",
    "health_status",
    "whatsapp_business_manager_messaging_limit",
    "messaging_limit_tier",
];
const DEFAULT_FIELDS: &str = "id,display_phone_number,verified_name,quality_rating";

pub struct World {
    pub waba_id: String,
    pub numbers: BTreeMap<String, SimNumber>,
    /// Keeps the WABA's listing order (seed order).
    pub order: Vec<String>,
    /// Every Graph call, a batch's requests each on their own (as Meta counts them).
    pub received: Vec<Received>,
    /// How many requests each batch request carried, in the order they came.
    pub batches: Vec<usize>,
    /// How long Meta reviews a display name (an added number's, a requested one).
    pub review_for: Duration,
}

/// How long a display-name review lasts unless told (`wareg sandbox --name-review-secs`).
pub const DEFAULT_NAME_REVIEW: Duration = Duration::from_secs(30);

/// Meta's answer to a register that meets "Cannot Create Certificate" (docs/graph-api-facts.md §9).
fn cannot_create_certificate(cause: Certificate) -> Reply {
    let user = match cause {
        Certificate::ExistingAccount => {
            "This number is registered to an existing WhatsApp account. To use this number, disconnect it from the existing account."
        }
        Certificate::DisplayName => {
            "Your display name could not be processed. Please edit your display name and try again."
        }
    };
    let mut reply = graph_error(400, 100, "(#100) Cannot Create Certificate", None);
    reply.body["error"]["error_subcode"] = json!(2388001);
    reply.body["error"]["error_user_title"] = json!("Cannot Create Certificate");
    reply.body["error"]["error_user_msg"] = json!(user);
    reply
}

impl World {
    pub fn from_seed(seed: Seed) -> World {
        World::seeded(seed, DEFAULT_NAME_REVIEW, Instant::now())
    }

    /// The seeded world whose reviews last `review_for` from `now`.
    pub fn seeded(seed: Seed, review_for: Duration, now: Instant) -> World {
        let mut numbers = BTreeMap::new();
        let mut order = Vec::new();
        for n in seed.number {
            order.push(n.id.clone());
            let name_status = n.name_status.unwrap_or_else(|| "APPROVED".into());
            let name_review_until = (name_status == "PENDING_REVIEW").then(|| now + review_for);
            numbers.insert(
                n.id.clone(),
                SimNumber {
                    id: n.id,
                    display: n.display,
                    name: n.name,
                    status: n.status,
                    registered: n.registered,
                    verified: n.verified,
                    pin: n.pin,
                    quality: n.quality,
                    storage: n.storage.and_then(|s| s.parse().ok()),
                    pending_storage: None,
                    coexistence: n.coexistence,
                    misbehave: n.misbehave,
                    health: n.health,
                    name_review: n.name_review,
                    name_status,
                    name_review_until,
                    new_name: n.new_name,
                    new_name_status: n
                        .new_name_status
                        .or_else(|| n.name_review.then(|| "PENDING_REVIEW".into())),
                    new_name_until: None,
                    certificate: n.certificate,
                    platform: n.platform,
                    limit: n.limit.unwrap_or_else(|| "TIER_1K".into()),
                    official: n.official,
                    applied: false,
                    register_times: VecDeque::new(),
                    deregister_times: VecDeque::new(),
                    pending_code: None,
                },
            );
        }
        World {
            waba_id: seed.waba_id,
            numbers,
            order,
            received: Vec::new(),
            batches: Vec::new(),
            review_for,
        }
    }

    /// Ends the reviews due by `now`, as Meta decides them: a name holding "Bad" is declined,
    /// any other approved; an approved requested name becomes the verified name at once
    /// (docs/graph-api-facts.md §9), and waits for a re-register to apply.
    pub fn settle(&mut self, now: Instant) {
        for n in self.numbers.values_mut() {
            if n.name_review_until.is_some_and(|at| at <= now) {
                n.name_review_until = None;
                n.name_status = if n.name.contains("Bad") {
                    "DECLINED".into()
                } else {
                    "APPROVED".into()
                };
            }
            if n.new_name_until.is_some_and(|at| at <= now) {
                n.new_name_until = None;
                let name = n.new_name.clone().unwrap_or_default();
                if name.contains("Bad") {
                    n.new_name_status = Some("DECLINED".into());
                } else {
                    n.new_name_status = Some("APPROVED".into());
                    n.name = name;
                    n.name_status = "APPROVED".into();
                    n.applied = false;
                }
            }
        }
    }

    pub fn misbehaviour(&self, id: &str) -> Option<Misbehaviour> {
        self.numbers.get(id).and_then(|n| n.misbehave)
    }

    /// `GET /{id}?fields=...`, answered by `version`'s rules.
    pub fn read_number(&self, version: ApiVersion, id: &str, fields: Option<&str>) -> Reply {
        let Some(n) = self.numbers.get(id) else {
            return unknown_object(id);
        };
        match select_fields(n, fields.unwrap_or(DEFAULT_FIELDS), version) {
            Ok(obj) => Reply::ok(obj),
            Err(reply) => reply,
        }
    }

    /// `GET /{waba}/phone_numbers?fields&limit&after`, paged with `paging.next` on `origin`.
    pub fn list_numbers(
        &self,
        version: &str,
        served: ApiVersion,
        waba: &str,
        params: &BTreeMap<String, String>,
        origin: &str,
    ) -> Reply {
        if waba != self.waba_id {
            return unknown_object(waba);
        }
        let fields = params
            .get("fields")
            .map(String::as_str)
            .unwrap_or("id,display_phone_number,verified_name");
        let limit = match params.get("limit").map(|l| l.parse::<usize>()) {
            None => 25,
            Some(Ok(l)) if (1..=100).contains(&l) => l,
            Some(_) => {
                return graph_error(
                    400,
                    100,
                    "(#100) Param limit must be a number between 1 and 100",
                    None,
                );
            }
        };
        let start = match params.get("after") {
            None => 0,
            Some(cursor) => match decode_cursor(cursor) {
                Some(i) => i,
                None => return graph_error(400, 100, "(#100) The after cursor is not valid", None),
            },
        };
        let mut data = Vec::new();
        for id in self.order.iter().skip(start).take(limit) {
            match select_fields(&self.numbers[id], fields, served) {
                Ok(obj) => data.push(obj),
                Err(reply) => return reply,
            }
        }
        let end = start + data.len();
        let mut paging =
            json!({"cursors": {"before": encode_cursor(start), "after": encode_cursor(end)}});
        if end < self.order.len() {
            let next = format!(
                "{origin}/{version}/{waba}/phone_numbers?fields={}&limit={limit}&after={}",
                fields,
                encode_cursor(end)
            );
            paging["next"] = json!(next);
        }
        Reply::ok(json!({"data": data, "paging": paging}))
    }

    pub fn read_settings(&self, id: &str) -> Reply {
        let Some(n) = self.numbers.get(id) else {
            return unknown_object(id);
        };
        let shown = if n.registered {
            n.storage
        } else {
            n.pending_storage
        };
        let storage = match shown {
            Some(r) => {
                json!({"status": "IN_COUNTRY_STORAGE_ENABLED", "data_localization_region": r.code()})
            }
            None => json!({"status": "DEFAULT"}),
        };
        Reply::ok(json!({"storage_configuration": storage}))
    }

    /// `POST /{id}/settings` with the documented body (docs/graph-api-facts.md §2.8).
    pub fn write_settings(&mut self, version: ApiVersion, id: &str, body: &Value) -> Reply {
        let Some(n) = self.numbers.get_mut(id) else {
            return unknown_object(id);
        };
        let Some(storage) = body.get("storage_configuration") else {
            return graph_error(
                400,
                100,
                "(#100) Only storage_configuration can be set in the sandbox",
                None,
            );
        };
        if !version.storage_via_settings() {
            return graph_error(
                400,
                100,
                "(#100) storage_configuration requires v21.0 or higher; on older versions send data_localization_region to /register",
                None,
            );
        }
        if n.registered {
            return graph_error(
                400,
                100,
                "(#100) Local storage can only be changed while the phone number is not registered",
                Some("Deregister the number, change the setting, then register it again."),
            );
        }
        match storage.get("status").and_then(Value::as_str) {
            Some("IN_COUNTRY_STORAGE_ENABLED") => {
                let region = storage
                    .get("data_localization_region")
                    .and_then(Value::as_str)
                    .unwrap_or("");
                match region.parse::<Region>() {
                    Ok(r) if region == r.code() => n.pending_storage = Some(r),
                    _ => return invalid_region(region),
                }
            }
            Some("IN_COUNTRY_STORAGE_DISABLED") => n.pending_storage = None,
            _ => {
                return graph_error(
                    400,
                    100,
                    "(#100) storage_configuration.status must be IN_COUNTRY_STORAGE_ENABLED or IN_COUNTRY_STORAGE_DISABLED",
                    None,
                );
            }
        }
        Reply::success()
    }

    /// `POST /{id}/register`
    pub fn register(
        &mut self,
        version: ApiVersion,
        id: &str,
        params: &Value,
        now: Instant,
    ) -> Reply {
        let Some(n) = self.numbers.get_mut(id) else {
            return unknown_object(id);
        };
        if let Some(lock) = over_limit(&mut n.register_times, now) {
            return lock;
        }
        if params.get("messaging_product").and_then(Value::as_str) != Some("whatsapp") {
            return graph_error(
                400,
                100,
                "(#100) The parameter messaging_product is required and must be whatsapp",
                None,
            );
        }
        let Some(pin) = six_digit_pin(params) else {
            return graph_error(
                400,
                100,
                "(#100) Invalid parameter: pin must be 6 digits",
                None,
            );
        };
        let region = params
            .get("data_localization_region")
            .and_then(Value::as_str);
        if region.is_some() && version.storage_via_settings() {
            return graph_error(
                400,
                12,
                "(#12) Deprecated for versions v21.0 or higher",
                Some(
                    "Set data_localization_region with POST /{phone-number-id}/settings while the number is not registered.",
                ),
            );
        }
        let region = match region {
            Some(code) => match code.parse::<Region>() {
                Ok(r) if code == r.code() => Some(r),
                _ => return invalid_region(code),
            },
            None => None,
        };
        // Meta's wording for a number also used in the WhatsApp Business app (docs/graph-api-facts.md §8).
        if n.coexistence {
            return graph_error(
                400,
                100,
                "(#100) Register endpoint is not available for SMB businesses.",
                None,
            );
        }
        if let Some(cause) = n.certificate {
            return cannot_create_certificate(cause);
        }
        if matches!(n.name_status.as_str(), "NONE" | "EXPIRED" | "DECLINED") {
            return graph_error(
                400,
                100,
                &format!(
                    "(#100) The display name's status {} cannot be used to register the phone number for API use",
                    n.name_status
                ),
                None,
            );
        }
        if !n.verified {
            return graph_error(
                400,
                codes::NEEDS_VERIFICATION,
                "(#133006) Phone number re-verification needed",
                Some(
                    "Verify the phone number with request_code and verify_code before registering.",
                ),
            );
        }
        match &n.pin {
            Some(existing) if existing != pin => {
                return graph_error(
                    400,
                    codes::PIN_MISMATCH,
                    "(#133005) Two step verification PIN Mismatch",
                    Some("Two step verification PIN incorrect."),
                );
            }
            Some(_) => {}
            None => n.pin = Some(pin.to_owned()),
        }
        // Registering again a registered number (after a display-name change) leaves its
        // storage as it is; only deregistering turns it off (docs/graph-api-facts.md §8).
        if !n.registered {
            n.storage = if version.storage_via_settings() {
                n.pending_storage.take()
            } else {
                region
            };
        }
        n.registered = true;
        n.status = "CONNECTED".into();
        // While a requested name is reviewed a register changes nothing of the name (docs/graph-api-facts.md §9);
        // after an approval it applies it.
        if n.new_name_status.as_deref() == Some("APPROVED") {
            n.applied = true;
        }
        Reply::success()
    }

    /// `POST /{waba}/phone_numbers` with `cc`, `phone_number` and `verified_name` (docs/graph-api-facts.md §9):
    /// a new number, neither verified nor registered, its name in review for `review_for`.
    pub fn add_number(&mut self, waba: &str, params: &Value, now: Instant) -> Reply {
        if waba != self.waba_id {
            return unknown_object(waba);
        }
        let text = |key: &str| params.get(key).and_then(Value::as_str).unwrap_or("");
        let (cc, phone, name) = (text("cc"), text("phone_number"), text("verified_name"));
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(cc) || cc.len() > 3 {
            return graph_error(
                400,
                100,
                "(#100) Param cc must be a country calling code",
                None,
            );
        }
        let phone_ok = digits(phone) && (7..=15).contains(&phone.len()) && !phone.starts_with('0');
        if !phone_ok {
            return graph_error(
                400,
                100,
                "(#100) Param phone_number must match ^[1-9][0-9]{6,14}$",
                None,
            );
        }
        if !(2..=75).contains(&name.chars().count()) {
            return graph_error(
                400,
                100,
                "(#100) Param verified_name must be 2 to 75 characters",
                None,
            );
        }
        let display = format!("+{cc} {phone}");
        if self.numbers.values().any(|n| n.display == display) {
            return graph_error(
                400,
                100,
                "(#100) This phone number is already in this WhatsApp Business Account",
                None,
            );
        }
        let id = (1_065_403_522_450_000u64..)
            .map(|n| n.to_string())
            .find(|id| !self.numbers.contains_key(id))
            .unwrap_or_default();
        self.order.push(id.clone());
        self.numbers.insert(
            id.clone(),
            SimNumber {
                id: id.clone(),
                display,
                name: name.to_owned(),
                status: "PENDING".into(),
                registered: false,
                verified: false,
                pin: None,
                quality: "NA".into(),
                storage: None,
                pending_storage: None,
                coexistence: false,
                misbehave: None,
                health: None,
                name_review: false,
                name_status: "PENDING_REVIEW".into(),
                name_review_until: Some(now + self.review_for),
                new_name: None,
                new_name_status: None,
                new_name_until: None,
                certificate: None,
                platform: None,
                limit: "TIER_250".into(),
                official: false,
                applied: false,
                register_times: VecDeque::new(),
                deregister_times: VecDeque::new(),
                pending_code: None,
            },
        );
        Reply::ok(json!({ "id": id }))
    }

    /// `POST /{id}?new_display_name=NAME` (docs/graph-api-facts.md §9): the name is reviewed for `review_for`.
    pub fn rename(&mut self, id: &str, params: &Value, now: Instant) -> Reply {
        let review_for = self.review_for;
        let Some(n) = self.numbers.get_mut(id) else {
            return unknown_object(id);
        };
        let name = params
            .get("new_display_name")
            .and_then(Value::as_str)
            .unwrap_or("");
        if !(2..=75).contains(&name.chars().count()) {
            return graph_error(
                400,
                100,
                "(#100) Param new_display_name must be 2 to 75 characters",
                None,
            );
        }
        n.new_name = Some(name.to_owned());
        n.new_name_status = Some("PENDING_REVIEW".into());
        n.new_name_until = Some(now + review_for);
        Reply::success()
    }

    /// `POST /{id}/deregister`
    pub fn deregister(&mut self, id: &str, now: Instant) -> Reply {
        let Some(n) = self.numbers.get_mut(id) else {
            return unknown_object(id);
        };
        if let Some(lock) = over_limit(&mut n.deregister_times, now) {
            return lock;
        }
        if n.coexistence {
            return graph_error(
                400,
                100,
                "(#100) Deregister endpoint is not available for API solution for SMB businesses.",
                None,
            );
        }
        if !n.registered {
            return graph_error(
                400,
                codes::NOT_REGISTERED,
                "(#133010) Phone number Not Registered",
                Some("The phone number is not registered on the WhatsApp Business Platform."),
            );
        }
        n.registered = false;
        n.storage = None;
        n.pending_storage = None;
        n.status = "DISCONNECTED".into();
        Reply::success()
    }

    /// `POST /{id}` with `pin`: set or change the PIN, no old PIN needed (docs/graph-api-facts.md §2.7).
    pub fn set_pin(&mut self, id: &str, params: &Value) -> Reply {
        let Some(n) = self.numbers.get_mut(id) else {
            return unknown_object(id);
        };
        let Some(pin) = six_digit_pin(params) else {
            return graph_error(
                400,
                100,
                "(#100) Invalid parameter: pin must be 6 digits",
                None,
            );
        };
        n.pin = Some(pin.to_owned());
        Reply::success()
    }

    /// `POST /{id}/request_code`. Returns the code too, so the server can print it.
    pub fn request_code(
        &mut self,
        id: &str,
        params: &Value,
        fixed: Option<&str>,
    ) -> (Reply, Option<String>) {
        let Some(n) = self.numbers.get_mut(id) else {
            return (unknown_object(id), None);
        };
        if n.verified {
            return (
                graph_error(
                    400,
                    codes::ALREADY_VERIFIED,
                    "(#136024) Phone number already verified",
                    Some("The phone number's ownership is already verified: no code is sent."),
                ),
                None,
            );
        }
        let method = params
            .get("code_method")
            .and_then(Value::as_str)
            .unwrap_or("");
        if !matches!(method, "SMS" | "VOICE" | "IVR") {
            return (
                graph_error(
                    400,
                    100,
                    "(#100) code_method must be one of SMS, VOICE",
                    None,
                ),
                None,
            );
        }
        let language = params.get("language").and_then(Value::as_str).unwrap_or("");
        if language.is_empty() {
            return (
                graph_error(400, 100, "(#100) The parameter language is required", None),
                None,
            );
        }
        let code = fixed.map_or_else(
            || format!("{:06}", fastrand::u32(0..1_000_000)),
            str::to_owned,
        );
        n.pending_code = Some(code.clone());
        (Reply::success(), Some(code))
    }

    /// `POST /{id}/verify_code`
    pub fn verify_code(&mut self, id: &str, params: &Value) -> Reply {
        let Some(n) = self.numbers.get_mut(id) else {
            return unknown_object(id);
        };
        let code = params.get("code").and_then(Value::as_str).unwrap_or("");
        match &n.pending_code {
            Some(expected) if expected == code => {
                n.verified = true;
                n.pending_code = None;
                if n.status == "UNVERIFIED" {
                    n.status = "PENDING".into();
                }
                Reply::success()
            }
            _ => graph_error(
                400,
                136025,
                "(#136025) Verify code error",
                Some(
                    "The verification code is wrong or has expired. Request a new code and try again.",
                ),
            ),
        }
    }

    /// The code waiting to be verified, for tests and the demo.
    pub fn pending_code(&self, id: &str) -> Option<String> {
        self.numbers.get(id).and_then(|n| n.pending_code.clone())
    }
}

/// The `pin` parameter if it is six ASCII digits. Meta's own rule, checked here on its own so
/// that the sandbox does not trust the client's validation.
fn six_digit_pin(params: &Value) -> Option<&str> {
    let pin = params.get("pin").and_then(Value::as_str)?;
    (pin.len() == 6 && pin.bytes().all(|b| b.is_ascii_digit())).then_some(pin)
}

/// Records this request against the number's window; past the limit, 133016.
fn over_limit(times: &mut VecDeque<Instant>, now: Instant) -> Option<Reply> {
    while times
        .front()
        .is_some_and(|t| now.duration_since(*t) >= META_WINDOW)
    {
        times.pop_front();
    }
    if times.len() >= META_LIMIT {
        return Some(graph_error(
            400,
            codes::REGISTRATION_LOCKED,
            "(#133016) Account register deregister rate limit exceeded",
            Some("Registration or deregistration is blocked for this number for 72 hours."),
        ));
    }
    times.push_back(now);
    None
}

fn invalid_region(code: &str) -> Reply {
    graph_error(
        400,
        100,
        &format!("(#100) Invalid parameter: data_localization_region `{code}` is not supported"),
        None,
    )
}

fn unknown_object(id: &str) -> Reply {
    graph_error(
        400,
        100,
        &format!(
            "(#100) Unsupported get request. Object with ID '{id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation"
        ),
        None,
    )
}

fn select_fields(n: &SimNumber, fields: &str, version: ApiVersion) -> Result<Value, Reply> {
    let mut obj = Map::new();
    for field in fields.split(',').map(str::trim).filter(|f| !f.is_empty()) {
        let value = match field {
            "id" => json!(n.id),
            "display_phone_number" => json!(n.display),
            "verified_name" => json!(n.name),
            "status" => json!(n.status),
            "code_verification_status" => json!(if n.verified {
                "VERIFIED"
            } else {
                "NOT_VERIFIED"
            }),
            "quality_rating" => json!(n.quality),
            "platform_type" | "host_platform" => match &n.platform {
                Some(platform) => json!(platform),
                None if n.registered => json!("CLOUD_API"),
                None => json!("NOT_APPLICABLE"),
            },
            "throughput" => {
                json!({"level": if n.registered { "STANDARD" } else { "NOT_APPLICABLE" }})
            }
            "name_status" => json!(n.name_status),
            "new_name_status" => json!(n.new_name_status.as_deref().unwrap_or("NONE")),
            // Graph leaves out a field with no value.
            "new_display_name" => match &n.new_name {
                Some(name) => json!(name),
                None => continue,
            },
            "health_status" => health_status(n),
            "last_onboarded_time" => json!("2026-03-02T09:30:00+0000"),
            "is_official_business_account" => json!(n.official),
            "account_mode" => json!("LIVE"),
            "is_pin_enabled" => json!(n.pin.is_some()),
            "is_on_biz_app" => json!(n.coexistence),
            // The limit is another field from v24 (docs/graph-api-facts.md §9); the old one is still served.
            "whatsapp_business_manager_messaging_limit" if version.major >= 24 => json!(n.limit),
            "messaging_limit_tier" => json!(n.limit),
            other => {
                return Err(graph_error(
                    400,
                    100,
                    &format!(
                        "(#100) Tried accessing nonexisting field ({other}) on node type (WhatsAppBusinessPhoneNumber)"
                    ),
                    None,
                ));
            }
        };
        obj.insert(field.to_owned(), value);
    }
    obj.entry("id").or_insert_with(|| json!(n.id));
    Ok(Value::Object(obj))
}

/// `health_status` (docs/graph-api-facts.md §8): AVAILABLE, or the seeded limit with the entity that causes it.
fn health_status(n: &SimNumber) -> Value {
    match n.health.as_deref() {
        None | Some("AVAILABLE") => json!({"can_send_message": "AVAILABLE",
            "entities": [{"entity_type": "PHONE_NUMBER", "id": n.id, "can_send_message": "AVAILABLE"}]}),
        Some(level) => json!({"can_send_message": level, "entities": [
            {"entity_type": "PHONE_NUMBER", "id": n.id, "can_send_message": "AVAILABLE"},
            {"entity_type": "WABA", "id": "102290129340398", "can_send_message": level,
             "errors": [{"error_code": 141006, "error_description": "A payment method is missing on the WhatsApp Business Account.",
                         "possible_solution": "Add a payment method in WhatsApp Manager."}]}
        ]}),
    }
}

fn encode_cursor(i: usize) -> String {
    format!("QVFI{i:x}")
}

fn decode_cursor(cursor: &str) -> Option<usize> {
    usize::from_str_radix(cursor.strip_prefix("QVFI")?, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn world() -> World {
        World::from_seed(Seed::builtin(0))
    }

    const CONNECTED: &str = "106540352242922";
    const PENDING: &str = "106540352242923";
    const UNVERIFIED: &str = "106540352242924";

    fn v(s: &str) -> ApiVersion {
        s.parse().unwrap()
    }

    fn code(r: &Reply) -> Option<i64> {
        r.body["error"]["code"].as_i64()
    }

    #[test]
    fn pin_must_match_an_existing_pin_and_otherwise_becomes_it() {
        let mut w = world();
        let now = Instant::now();
        let wrong = w.register(
            v("v25.0"),
            CONNECTED,
            &json!({"messaging_product":"whatsapp","pin":"000000"}),
            now,
        );
        assert_eq!(code(&wrong), Some(133005));
        let right = w.register(
            v("v25.0"),
            CONNECTED,
            &json!({"messaging_product":"whatsapp","pin":"246810"}),
            now,
        );
        assert_eq!(right.status, 200);
        let fresh = w.register(
            v("v25.0"),
            PENDING,
            &json!({"messaging_product":"whatsapp","pin":"777777"}),
            now,
        );
        assert_eq!(fresh.status, 200);
        assert_eq!(w.numbers[PENDING].pin.as_deref(), Some("777777"));
    }

    #[test]
    fn the_eleventh_request_in_the_window_is_locked() {
        let mut w = world();
        let now = Instant::now();
        for _ in 0..10 {
            let r = w.register(
                v("v25.0"),
                CONNECTED,
                &json!({"messaging_product":"whatsapp","pin":"000000"}),
                now,
            );
            assert_eq!(code(&r), Some(133005));
        }
        let r = w.register(
            v("v25.0"),
            CONNECTED,
            &json!({"messaging_product":"whatsapp","pin":"246810"}),
            now,
        );
        assert_eq!(code(&r), Some(133016));
        let later = now + META_WINDOW;
        let r = w.register(
            v("v25.0"),
            CONNECTED,
            &json!({"messaging_product":"whatsapp","pin":"246810"}),
            later,
        );
        assert_eq!(r.status, 200);
    }

    #[test]
    fn storage_rules_follow_the_version() {
        let mut w = world();
        let now = Instant::now();
        let body =
            json!({"messaging_product":"whatsapp","pin":"123456","data_localization_region":"DE"});
        assert_eq!(code(&w.register(v("v25.0"), PENDING, &body, now)), Some(12));
        assert_eq!(w.register(v("v20.0"), PENDING, &body, now).status, 200);
        assert_eq!(w.numbers[PENDING].storage, Some(Region::De));

        // v21+: settings only while unregistered, then a plain register applies it.
        let settings = json!({"storage_configuration":{"status":"IN_COUNTRY_STORAGE_ENABLED","data_localization_region":"IN"}});
        assert_eq!(
            code(&w.write_settings(v("v25.0"), PENDING, &settings)),
            Some(100)
        );
        assert_eq!(w.deregister(PENDING, now).status, 200);
        assert_eq!(
            w.numbers[PENDING].storage, None,
            "deregister turns storage off"
        );
        assert_eq!(w.write_settings(v("v25.0"), PENDING, &settings).status, 200);
        let plain = json!({"messaging_product":"whatsapp","pin":"123456"});
        assert_eq!(w.register(v("v25.0"), PENDING, &plain, now).status, 200);
        assert_eq!(w.numbers[PENDING].storage, Some(Region::In));
    }

    #[test]
    fn verification_gates_registration() {
        let mut w = world();
        let now = Instant::now();
        let body = json!({"messaging_product":"whatsapp","pin":"123456"});
        assert_eq!(
            code(&w.register(v("v25.0"), UNVERIFIED, &body, now)),
            Some(133006)
        );
        let (reply, sent) = w.request_code(
            UNVERIFIED,
            &json!({"code_method":"SMS","language":"en_US"}),
            None,
        );
        assert_eq!(reply.status, 200);
        assert_eq!(
            code(&w.verify_code(UNVERIFIED, &json!({"code":"not-it"}))),
            Some(136025),
            "a wrong code is Meta's verify-code error (docs/graph-api-facts.md §8)"
        );
        assert_eq!(
            w.verify_code(UNVERIFIED, &json!({"code": sent.unwrap()}))
                .status,
            200
        );
        assert_eq!(w.register(v("v25.0"), UNVERIFIED, &body, now).status, 200);
    }

    #[test]
    fn deregister_rules() {
        let mut w = world();
        let now = Instant::now();
        assert_eq!(code(&w.deregister(PENDING, now)), Some(133010));
        assert_eq!(
            code(&w.deregister("106540352242927", now)),
            Some(100),
            "coexistence"
        );
    }

    #[test]
    fn listing_pages_until_there_is_no_next() {
        let w = World::from_seed(Seed::builtin(250));
        let mut params = BTreeMap::new();
        params.insert("limit".to_owned(), "100".to_owned());
        params.insert("fields".to_owned(), "id,status".to_owned());
        let mut seen = 0;
        let mut pages = 0;
        loop {
            let r = w.list_numbers("v25.0", v("v25.0"), &w.waba_id.clone(), &params, "http://h");
            pages += 1;
            seen += r.body["data"].as_array().unwrap().len();
            match r.body["paging"]["next"].as_str() {
                Some(next) => {
                    let after = next.rsplit("after=").next().unwrap().to_owned();
                    params.insert("after".into(), after);
                }
                None => break,
            }
        }
        assert_eq!(seen, w.order.len());
        assert_eq!(pages, w.order.len().div_ceil(100));
    }

    #[test]
    fn unknown_field_fails_the_whole_read() {
        let w = world();
        let r = w.read_number(v("v25.0"), CONNECTED, Some("id,unified_cert_status"));
        assert_eq!(code(&r), Some(100));
        assert!(
            r.body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("nonexisting field")
        );
    }
}
