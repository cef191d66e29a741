//! A TUI app in known states, without a terminal or a network: the fixture of the snapshot
//! and fuzz tests.

use serde_json::json;
use std::cell::Cell;
use std::time::Duration;

use wareg::clock::Clock;
use wareg::config::Config;
use wareg::graph::{ApiError, CallEvent, GraphError, PhoneNumber};
use wareg::tui::app::App;
use wareg::tui::msg::{Cmd, Msg, Reply, RequestId};
use wareg::tui::theme::Theme;

pub const CONFIG: &str = r#"
default_profile = "prod"
[profiles.prod]
base_url = "https://graph.facebook.com"
api_version = "v25.0"
token_env = "WHATSAPP_TOKEN"
waba_id = "102290129340398"
[[numbers]]
id = "106540352242922"
label = "Support DE"
[[numbers]]
id = "106540352242923"
label = "Sales UK"
[[numbers]]
id = "106540352242924"
label = "New line BR"
[[numbers]]
id = "106540352242929"
label = "Old line"
"#;

pub fn number(
    id: &str,
    display: &str,
    name: &str,
    status: &str,
    verified: &str,
    quality: &str,
    pin: bool,
) -> PhoneNumber {
    serde_json::from_value(json!({
        "id": id, "display_phone_number": display, "verified_name": name, "status": status,
        "code_verification_status": verified, "quality_rating": quality,
        "platform_type": if status == "CONNECTED" || status == "FLAGGED" { "CLOUD_API" } else { "NOT_APPLICABLE" },
        "is_pin_enabled": pin,
    }))
    .unwrap()
}

/// The listing, with what real numbers show besides: a blocked health on the flagged number,
/// a limited one and a name under review on Billing, coexistence on the Brazilian line.
pub fn listing() -> Vec<PhoneNumber> {
    let mut numbers = plain_listing();
    let health = |level: &str| {
        serde_json::from_value(json!({"can_send_message": level, "entities": [
            {"entity_type": "WABA", "id": "102290129340398", "can_send_message": level,
             "errors": [{"error_code": 141006, "error_description": "A payment method is missing.",
                         "possible_solution": "Add one in WhatsApp Manager."}]}]}))
        .unwrap()
    };
    numbers[3].health_status = Some(health("BLOCKED"));
    numbers[4].health_status = Some(health("LIMITED"));
    numbers[4].new_name_status = Some("PENDING_REVIEW".into());
    numbers[2].is_on_biz_app = Some(true);
    numbers
}

fn plain_listing() -> Vec<PhoneNumber> {
    vec![
        number(
            "106540352242922",
            "+49 30 1234 5601",
            "Acme Support DE",
            "CONNECTED",
            "VERIFIED",
            "GREEN",
            true,
        ),
        number(
            "106540352242923",
            "+44 20 7946 0123",
            "Acme Sales UK",
            "PENDING",
            "VERIFIED",
            "NA",
            false,
        ),
        number(
            "106540352242924",
            "+55 11 4002 8922",
            "Acme Brasil",
            "UNVERIFIED",
            "NOT_VERIFIED",
            "NA",
            false,
        ),
        number(
            "106540352242926",
            "+91 22 6000 1234",
            "Acme India",
            "FLAGGED",
            "VERIFIED",
            "RED",
            true,
        ),
        number(
            "106540352242925",
            "+1 631-555-0142",
            "Acme Billing",
            "CONNECTED",
            "VERIFIED",
            "YELLOW",
            true,
        ),
    ]
}

pub fn settings(status: &str, region: Option<&str>) -> Reply {
    let mut storage = json!({"status": status});
    if let Some(r) = region {
        storage["data_localization_region"] = json!(r);
    }
    Reply::Settings(Ok(serde_json::from_value(
        json!({"storage_configuration": storage}),
    )
    .unwrap()))
}

pub fn graph_error(code: i64, status: u16, message: &str) -> ApiError {
    let body = json!({"error": {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "AbCdEfGhIjKlMnOpQrStU"}});
    ApiError::Graph {
        http_status: status,
        error: Box::new(GraphError::from_body(body.to_string().as_bytes()).unwrap()),
    }
}

/// Answers every read the app has in flight: the listing, single reads and settings.
pub fn answer_reads(app: &mut App, cmds: Vec<Cmd>) {
    // The configured "Old line" is not in the WABA and its read fails.
    answer_reads_with(app, cmds, |id| {
        graph_error(
            100,
            400,
            &format!("(#100) Unsupported get request. Object with ID '{id}' does not exist"),
        )
    })
}

/// `answer_reads` with the single reads (of numbers not listed) failing with `failure`.
pub fn answer_reads_with(app: &mut App, cmds: Vec<Cmd>, failure: impl Fn(&str) -> ApiError) {
    let mut queue = cmds;
    while let Some(cmd) = queue.pop() {
        let (request, reply): (RequestId, Reply) = match cmd {
            Cmd::ListNumbers { request, .. } => (
                request,
                Reply::Listing(Ok(listing().into_iter().map(Box::new).collect())),
            ),
            Cmd::ReadNumber { request, id, .. } => {
                (request, Reply::Number(Err(failure(id.as_str()))))
            }
            Cmd::ReadSettings { request, id, .. } => match id.as_str() {
                "106540352242922" => (request, settings("IN_COUNTRY_STORAGE_ENABLED", Some("DE"))),
                "106540352242926" => (request, settings("IN_COUNTRY_STORAGE_ENABLED", Some("IN"))),
                _ => (request, settings("DEFAULT", None)),
            },
            _ => continue,
        };
        queue.extend(app.update(Msg::Reply(request, reply)));
    }
}

pub fn call(method: &'static str, path: &str, status: Option<u16>, error: Option<ApiError>) -> Msg {
    Msg::Call(CallEvent {
        method,
        path: path.into(),
        status,
        duration: Duration::from_millis(123),
        attempt: 1,
        earlier: Vec::new(),
        error,
        sandbox: false,
        batch_of: 0,
        calls_per_point: None,
        usage: None,
        throttle: None,
    })
}

/// The fixture's clock: late in the evening, when a clock that leaks into a snapshot shows
/// digits that differ from a daytime run's.
pub const CLOCK: &str = "2026-11-24T23:30:00+00:00";

thread_local! {
    static FIXTURE_CLOCK: Cell<Clock> = Cell::new(Clock::fixed(CLOCK).unwrap());
}

/// Builds the fixture's apps with `clock` while `build` runs.
pub fn with_clock<T>(clock: Clock, build: impl FnOnce() -> T) -> T {
    let before = FIXTURE_CLOCK.replace(clock);
    let out = build();
    FIXTURE_CLOCK.set(before);
    out
}

pub fn fresh() -> App {
    let config = Config::parse(CONFIG, None).unwrap();
    let mut app = App::new(
        &config,
        Theme { color: false },
        Some("/home/staff/.local/share/wareg/wareg.log".into()),
    );
    app.clock = FIXTURE_CLOCK.get();
    app
}

/// The fixture's config with a second profile naming a WABA of its own: the add form then
/// offers the choice of profile.
pub fn fresh_with_two_wabas() -> App {
    let text = format!(
        "{CONFIG}\n[profiles.eu]\nbase_url = \"https://graph.facebook.com\"\napi_version = \"v25.0\"\ntoken_env = \"WHATSAPP_TOKEN_EU\"\nwaba_id = \"102290129340777\"\n"
    );
    let config = Config::parse(&text, None).unwrap();
    let mut app = App::new(&config, Theme { color: false }, None);
    app.clock = FIXTURE_CLOCK.get();
    app
}

pub fn loaded() -> App {
    let mut app = fresh();
    let cmds = app.start();
    app.update(call(
        "GET",
        "/v25.0/102290129340398/phone_numbers?fields=…&limit=100",
        Some(200),
        None,
    ));
    answer_reads(&mut app, cmds);
    app
}
