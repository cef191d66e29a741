//! Exact request shapes, pinned with wiremock: method, path, bearer token, JSON body, nothing
//! secret in the URL; reads retried on transient failures, mutations sent exactly once.

use serde_json::json;
use std::time::Duration;
use wareg::graph::retry::RetryPolicy;
use wareg::graph::{ApiVersion, ClientSettings, GraphClient, NumberId, Region};
use wareg::secret::{Pin, Token, VerificationCode};
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const ID: &str = "106540352242922";

fn client(server: &MockServer, version: &str) -> GraphClient {
    GraphClient::new(ClientSettings {
        base_url: server.uri(),
        version: version.parse::<ApiVersion>().unwrap(),
        token: Token::new("tok-123"),
        timeout: Duration::from_secs(2),
    })
    .unwrap()
    .with_retry(RetryPolicy {
        max_tries: 3,
        base_delay: Duration::from_millis(5),
    })
}

fn id() -> NumberId {
    NumberId::parse(ID).unwrap()
}

fn ok() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({"success": true}))
}

async fn no_query_on_mutations(server: &MockServer) {
    for request in server.received_requests().await.unwrap() {
        if request.method.as_str() == "POST" {
            assert_eq!(
                request.url.query(),
                None,
                "nothing in the URL of {}",
                request.url
            );
        }
    }
}

#[tokio::test]
async fn register_sends_product_and_pin_with_bearer_auth() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/v25.0/{ID}/register")))
        .and(header("authorization", "Bearer tok-123"))
        .and(body_json(
            json!({"messaging_product": "whatsapp", "pin": "123456"}),
        ))
        .respond_with(ok())
        .expect(1)
        .mount(&server)
        .await;
    let pin = Pin::parse("123456").unwrap();
    client(&server, "v25.0")
        .register(&id(), &pin, None)
        .await
        .unwrap();
    no_query_on_mutations(&server).await;
}

#[tokio::test]
async fn register_on_v20_carries_the_region() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/v20.0/{ID}/register")))
        .and(body_json(json!({"messaging_product": "whatsapp", "pin": "123456", "data_localization_region": "CH"})))
        .respond_with(ok())
        .expect(1)
        .mount(&server)
        .await;
    let pin = Pin::parse("123456").unwrap();
    client(&server, "v20.0")
        .register(&id(), &pin, Some(Region::Ch))
        .await
        .unwrap();
}

#[tokio::test]
async fn settings_use_the_documented_body() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/v25.0/{ID}/settings")))
        .and(body_json(json!({"storage_configuration": {"status": "IN_COUNTRY_STORAGE_ENABLED", "data_localization_region": "AE"}})))
        .respond_with(ok())
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("/v25.0/{ID}/settings")))
        .and(body_json(
            json!({"storage_configuration": {"status": "IN_COUNTRY_STORAGE_DISABLED"}}),
        ))
        .respond_with(ok())
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server, "v25.0");
    c.set_storage(&id(), Some(Region::Ae)).await.unwrap();
    c.set_storage(&id(), None).await.unwrap();
}

#[tokio::test]
async fn deregister_pin_and_codes() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/v25.0/{ID}/deregister")))
        .respond_with(ok())
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("/v25.0/{ID}")))
        .and(body_json(json!({"pin": "654321"})))
        .respond_with(ok())
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("/v25.0/{ID}/request_code")))
        .and(body_json(
            json!({"code_method": "SMS", "language": "en_US"}),
        ))
        .respond_with(ok())
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("/v25.0/{ID}/verify_code")))
        .and(body_json(json!({"code": "112233"})))
        .respond_with(ok())
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server, "v25.0");
    c.deregister(&id()).await.unwrap();
    c.set_pin(&id(), &Pin::parse("654321").unwrap())
        .await
        .unwrap();
    c.request_code(&id(), wareg::graph::CodeMethod::Sms, "en_US")
        .await
        .unwrap();
    c.verify_code(&id(), &VerificationCode::parse("112233").unwrap())
        .await
        .unwrap();
    let requests = server.received_requests().await.unwrap();
    let deregister = requests
        .iter()
        .find(|r| r.url.path().ends_with("/deregister"))
        .unwrap();
    assert!(deregister.body.is_empty(), "deregister has no body");
    no_query_on_mutations(&server).await;
}

#[tokio::test]
async fn mutations_are_never_retried_even_when_transient() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503).set_body_json(
            json!({"error": {"message": "down", "type": "T", "code": 2, "is_transient": true}}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server, "v25.0")
        .register(&id(), &Pin::parse("123456").unwrap(), None)
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(2));
}

#[tokio::test]
async fn reads_are_retried_on_transient_errors_then_succeed() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/v25.0/{ID}")))
        .respond_with(ResponseTemplate::new(500).set_body_json(
            json!({"error": {"message": "x", "type": "T", "code": 1, "is_transient": true}}),
        ))
        .up_to_n_times(2)
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/v25.0/{ID}")))
        .and(query_param("fields", wareg::graph::types::FULL_FIELDS))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"id": ID, "status": "CONNECTED"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let n = client(&server, "v25.0").get_number(&id()).await.unwrap();
    assert_eq!(n.status.unwrap().to_string(), "CONNECTED");
}

#[tokio::test]
async fn reads_give_up_after_three_tries() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(502).set_body_string("<html>bad gateway</html>"))
        .expect(3)
        .mount(&server)
        .await;
    let err = client(&server, "v25.0")
        .get_number(&id())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("HTTP 502"), "{err}");
}

#[tokio::test]
async fn a_read_that_failed_after_retries_carries_its_tries_and_a_single_try_does_not() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/v25.0/{ID}/settings")))
        .respond_with(ResponseTemplate::new(502).set_body_string("<html>bad gateway</html>"))
        .expect(3)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/v25.0/{ID}")))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({"error": {"message": "(#100) Unsupported get request", "type": "GraphMethodException", "code": 100}})))
        .mount(&server)
        .await;
    let c = client(&server, "v25.0");
    let err = c.get_settings(&id()).await.unwrap_err();
    assert_eq!(err.tries(), 3, "{err:?}");
    assert_eq!(err.tries_words().as_deref(), Some("after 3 tries"));
    assert!(
        err.short_with_tries().ends_with("; tried 3 times"),
        "{}",
        err.short_with_tries()
    );
    // It still says what the last try said, and is classified as that try was.
    assert!(err.to_string().contains("HTTP 502"), "{err}");
    assert!(matches!(
        err.last(),
        wareg::graph::ApiError::BadResponse {
            http_status: 502,
            ..
        }
    ));
    assert!(err.is_transient() && err.exit_code() == 3);
    // A refusal is not retried: one try, no count.
    let once = c.get_number(&id()).await.unwrap_err();
    assert_eq!(once.tries(), 1);
    assert_eq!(once.tries_words(), None);
    assert_eq!(once.code(), Some(100));
}

#[tokio::test]
async fn a_read_tried_three_times_is_observed_once_with_every_try() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(502).set_body_string("<html>bad gateway</html>"))
        .expect(3)
        .mount(&server)
        .await;
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = seen.clone();
    let c = client(&server, "v25.0").with_observer(std::sync::Arc::new(
        move |e: &wareg::graph::CallEvent| {
            sink.lock()
                .unwrap()
                .push((e.attempt, e.earlier.clone(), e.status));
        },
    ));
    c.get_number(&id()).await.unwrap_err();
    let seen = seen.lock().unwrap();
    assert_eq!(
        *seen,
        [(3, vec![Some(502), Some(502)], Some(502))],
        "one event for the read, not one per try"
    );
}

#[tokio::test]
async fn a_rejected_field_falls_back_to_the_minimal_set() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(query_param("fields", wareg::graph::types::FULL_FIELDS))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({"error": {"message": "(#100) Tried accessing nonexisting field (is_pin_enabled)", "type": "OAuthException", "code": 100}})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(query_param("fields", wareg::graph::types::MINIMAL_FIELDS))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"id": ID, "status": "PENDING"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let n = client(&server, "v25.0").get_number(&id()).await.unwrap();
    assert_eq!(n.id, ID);
}

#[tokio::test]
async fn listing_follows_next_and_ignores_short_pages() {
    let server = MockServer::start().await;
    let base = server.uri();
    Mock::given(method("GET"))
        .and(path("/v25.0/999/phone_numbers"))
        .and(query_param("after", "p2"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"data": [{"id": "3"}], "paging": {"cursors": {}}})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v25.0/999/phone_numbers"))
        .and(query_param("after", "p1"))
        // An empty page that still has a next link is not the end (docs/graph-api-facts.md §3).
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": [], "paging": {"next": format!("{base}/v25.0/999/phone_numbers?after=p2")}})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v25.0/999/phone_numbers"))
        .and(query_param("limit", "100"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": [{"id": "1"}, {"id": "2"}], "paging": {"next": format!("{base}/v25.0/999/phone_numbers?after=p1")}})))
        .mount(&server)
        .await;
    let client = client(&server, "v25.0");
    let numbers = client
        .list_numbers(&NumberId::parse("999").unwrap())
        .await
        .unwrap();
    let ids: Vec<_> = numbers.iter().map(|n| n.id.as_str()).collect();
    assert_eq!(ids, ["1", "2", "3"]);
    // Every page answered is counted (the TUI keeps room for the pages still to come).
    assert_eq!(client.listing_pages(), 3);
}

#[tokio::test]
async fn paging_never_sends_the_token_to_another_host() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(
                json!({"data": [], "paging": {"next": "https://evil.example/steal"}}),
            ),
        )
        .mount(&server)
        .await;
    let err = client(&server, "v25.0")
        .list_numbers(&NumberId::parse("999").unwrap())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("another host"), "{err}");
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn every_call_is_observed_without_secrets() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(|_: &Request| {
            ResponseTemplate::new(400).set_body_json(json!({"error": {"message": "(#133005) Two step verification PIN Mismatch", "type": "OAuthException", "code": 133005, "fbtrace_id": "TRACE1"}}))
        })
        .mount(&server)
        .await;
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = seen.clone();
    let c = client(&server, "v25.0").with_observer(std::sync::Arc::new(
        move |e: &wareg::graph::CallEvent| {
            sink.lock().unwrap().push(format!("{e:?}"));
        },
    ));
    let _ = c
        .register(&id(), &Pin::parse("918273").unwrap(), None)
        .await;
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 1);
    assert!(
        seen[0].contains("133005") && seen[0].contains("TRACE1"),
        "{}",
        seen[0]
    );
    assert!(
        !seen[0].contains("918273") && !seen[0].contains("tok-123"),
        "{}",
        seen[0]
    );
}

#[tokio::test]
async fn the_settings_read_carries_the_content_type_the_spec_requires() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/v25.0/{ID}/settings")))
        .and(header("content-type", "application/json"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"storage_configuration": {"status": "DEFAULT"}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    client(&server, "v25.0").get_settings(&id()).await.unwrap();
}

#[tokio::test]
async fn an_odd_but_complete_2xx_answer_to_a_mutation_is_done_with_a_warning() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/v25.0/{ID}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": ID})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("/v25.0/{ID}/deregister")))
        .respond_with(ResponseTemplate::new(200).set_body_raw("{\"succ", "application/json"))
        .mount(&server)
        .await;
    let c = client(&server, "v25.0");
    let answered = c
        .set_pin(&id(), &Pin::parse("654321").unwrap())
        .await
        .unwrap();
    let warning = answered.warning.expect("a warning");
    assert!(
        warning.contains(&format!("{{\"id\":\"{ID}\"}}")),
        "{warning}"
    );
    // Cut off: Meta may or may not have acted on it.
    let cut = c.deregister(&id()).await.unwrap_err();
    assert!(!cut.outcome_known(), "{cut}");
}

#[tokio::test]
async fn the_listing_asks_for_coexistence_health_and_name_review_and_falls_back_on_100() {
    let fields = wareg::graph::types::FULL_FIELDS;
    for wanted in [
        "is_on_biz_app",
        "health_status",
        "name_status",
        "new_name_status",
    ] {
        assert!(
            fields.split(',').any(|f| f == wanted),
            "{wanted} in {fields}"
        );
    }
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v25.0/999/phone_numbers"))
        .and(query_param("fields", fields))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({"error": {"message": "(#100) Tried accessing nonexisting field (health_status)", "type": "OAuthException", "code": 100}})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v25.0/999/phone_numbers"))
        .and(query_param("fields", wareg::graph::types::MINIMAL_FIELDS))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"data": [{"id": "1", "status": "CONNECTED"}]})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let waba = NumberId::parse("999").unwrap();
    let listed = client(&server, "v25.0").list_numbers(&waba).await.unwrap();
    assert_eq!(listed.len(), 1, "one unknown field does not empty the list");
}

#[tokio::test]
async fn health_and_name_review_are_read_into_the_number() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/v25.0/{ID}")))
        .and(query_param("fields", wareg::graph::types::FULL_FIELDS))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": ID, "status": "CONNECTED", "is_on_biz_app": true, "new_name_status": "PENDING_REVIEW",
            "health_status": {"can_send_message": "BLOCKED", "entities": [
                {"entity_type": "BUSINESS", "id": "77", "can_send_message": "BLOCKED",
                 "errors": [{"error_code": 131031, "error_description": "Account locked", "possible_solution": "See Business Support Home"}],
                 "additional_info": ["x"], "something_new": 1}]}
        })))
        .mount(&server)
        .await;
    let n = client(&server, "v25.0").get_number(&id()).await.unwrap();
    assert_eq!(n.is_on_biz_app, Some(true));
    assert!(n.name_under_review());
    let health = n.health_status.unwrap();
    assert_eq!(health.limit(), Some("BLOCKED"));
    assert_eq!(
        health.reasons(),
        ["BUSINESS 77: BLOCKED — Account locked What to do: See Business Support Home"]
    );
}

#[tokio::test]
async fn re_registering_with_the_storage_in_force_sends_a_plain_register() {
    use wareg::engine::{Budgets, Facts, Request, StorageFact, decide};
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/v25.0/{ID}/register")))
        .and(body_json(
            json!({"messaging_product": "whatsapp", "pin": "123456"}),
        ))
        .respond_with(ok())
        .expect(1)
        .mount(&server)
        .await;
    let facts = Facts {
        status: Some(wareg::graph::types::NumberStatus::Connected),
        verified: Some(wareg::graph::types::CodeVerification::Verified),
        storage: Some(StorageFact::On(Region::De)),
        ..Facts::default()
    };
    let budgets = Budgets {
        register: wareg::audit::BudgetBook::default().budget(ID, wareg::audit::Operation::Register),
        deregister: wareg::audit::BudgetBook::default()
            .budget(ID, wareg::audit::Operation::Deregister),
    };
    let plan = decide(
        &id(),
        "v25.0".parse().unwrap(),
        &facts,
        Request::Register(wareg::graph::StorageChoice::Region(Region::De)),
        &budgets,
    );
    assert_eq!(plan.storage_after, "local storage stays DE, EU (Germany)");
    assert_eq!(
        plan.steps,
        [wareg::engine::Step::Register {
            region_in_body: None
        }]
    );
    let c = client(&server, "v25.0");
    c.register(&id(), &Pin::parse("123456").unwrap(), None)
        .await
        .unwrap();
}

#[tokio::test]
async fn the_version_meta_says_it_served_is_the_one_plans_follow() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/v20.0/{ID}")))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("facebook-api-version", "v21.0")
                .set_body_json(json!({"id": ID, "status": "PENDING"})),
        )
        .mount(&server)
        .await;
    let c = client(&server, "v20.0");
    // Before v20's retirement and before any answer, v20's own rules apply.
    let before: chrono::NaiveDate = "2026-09-01".parse().unwrap();
    assert_eq!(c.plan_version(before).to_string(), "v20.0");
    c.get_number(&id()).await.unwrap();
    assert_eq!(c.plan_version(before).to_string(), "v21.0");
    assert!(c.plan_version(before).storage_via_settings());
}

#[tokio::test]
async fn the_call_budget_headers_are_read_on_every_answer() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/v25.0/{ID}")))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header(
                    "x-business-use-case-usage",
                    r#"{"102290129340398":[{"type":"whatsapp_business_management","call_count":81,"total_cputime":3,"total_time":4,"estimated_time_to_regain_access":0}]}"#,
                )
                .insert_header("x-app-usage", r#"{"call_count":28,"total_time":25,"total_cputime":25}"#)
                .set_body_json(json!({"id": ID})),
        )
        .mount(&server)
        .await;
    let seen = std::sync::Arc::new(std::sync::Mutex::new(None));
    let events = seen.clone();
    let c = client(&server, "v25.0").with_observer(std::sync::Arc::new(move |e| {
        *events.lock().unwrap() = e.usage.clone();
    }));
    c.get_number(&id()).await.unwrap();
    let usage = c.usage();
    assert_eq!(usage.wabas["102290129340398"].percent, 81);
    assert_eq!(usage.app_percent, Some(28));
    assert_eq!(usage.highest(), Some(81));
    assert_eq!(
        seen.lock().unwrap().as_ref().and_then(|u| u.highest()),
        Some(81)
    );
}

#[tokio::test]
async fn a_throttle_is_never_retried_and_stops_every_read_until_access_returns() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(400)
                .insert_header(
                    "x-business-use-case-usage",
                    r#"{"102290129340398":[{"call_count":100,"estimated_time_to_regain_access":17}]}"#,
                )
                .set_body_json(json!({"error": {"message": "(#80008) There have been too many calls to this WhatsApp Business account.", "type": "OAuthException", "code": 80008, "fbtrace_id": "Th1"}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server, "v25.0");
    let first = c.get_number(&id()).await.unwrap_err();
    assert_eq!(first.code(), Some(80008), "{first}");
    assert_eq!(c.throttled_for(), Some(17));
    let second = c.get_settings(&id()).await.unwrap_err();
    assert!(
        second.to_string().contains("(about 17 min)") && second.exit_code() == 2,
        "{second}"
    );
    // wiremock checks on drop that only the first call reached the server.
}

#[tokio::test]
async fn add_rename_and_the_read_are_sent_as_meta_documents_them() {
    use wareg::graph::{DisplayName, NewNumber};
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v25.0/102290129340398/phone_numbers"))
        .and(header("authorization", "Bearer tok-123"))
        .and(body_json(
            json!({"cc": "44", "phone_number": "7700900123", "verified_name": "Acme UK"}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "106540352249999"})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("/v25.0/{ID}")))
        .and(query_param("new_display_name", "Acme Support & Co"))
        .respond_with(ok())
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server, "v25.0");
    let waba = NumberId::parse("102290129340398").unwrap();
    let new = NewNumber::parse("+44", "7700 900123", "Acme UK").unwrap();
    assert_eq!(
        c.add_number(&waba, &new).await.unwrap().as_str(),
        "106540352249999"
    );
    c.rename(&id(), &DisplayName::parse(" Acme Support & Co ").unwrap())
        .await
        .unwrap();
    let requests = server.received_requests().await.unwrap();
    let rename = requests
        .iter()
        .find(|r| {
            r.url
                .query()
                .is_some_and(|q| q.contains("new_display_name"))
        })
        .unwrap();
    assert!(
        rename.body.is_empty(),
        "the name is in the query, not a body"
    );
    // A non-numeric id in the answer is not taken as one.
    let odd = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "not-a-number"})))
        .expect(1)
        .mount(&odd)
        .await;
    let error = client(&odd, "v25.0")
        .add_number(&waba, &new)
        .await
        .unwrap_err();
    assert!(error.to_string().contains("not numeric"), "{error}");
}

#[tokio::test]
async fn the_read_asks_for_the_requested_name_and_the_limit_field_of_its_version() {
    for (version, limit_field, absent) in [
        (
            "v25.0",
            "whatsapp_business_manager_messaging_limit",
            "messaging_limit_tier",
        ),
        (
            "v23.0",
            "messaging_limit_tier",
            "whatsapp_business_manager_messaging_limit",
        ),
    ] {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path(format!("/{version}/{ID}")))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "id": ID, "status": "CONNECTED", "new_display_name": "Acme New",
                "new_name_status": "DEFERRED", limit_field: "TIER_250",
            })))
            .expect(1)
            .mount(&server)
            .await;
        let n = client(&server, version).get_number(&id()).await.unwrap();
        let requests = server.received_requests().await.unwrap();
        let fields: Vec<String> = requests[0]
            .url
            .query_pairs()
            .find(|(k, _)| k == "fields")
            .map(|(_, v)| v.split(',').map(str::to_owned).collect())
            .unwrap();
        for wanted in [
            "new_display_name",
            "new_name_status",
            "name_status",
            limit_field,
        ] {
            assert!(fields.iter().any(|f| f == wanted), "{version}: {wanted}");
        }
        assert!(!fields.iter().any(|f| f == absent), "{version}: {absent}");
        assert_eq!(n.new_display_name.as_deref(), Some("Acme New"));
        assert!(n.name_under_review(), "DEFERRED is still undecided");
        assert_eq!(n.messaging_limit(), Some("TIER_250"));
    }
    // A limit in another shape is read, not a failure of the whole number.
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": ID, "whatsapp_business_manager_messaging_limit": {"current_limit": "TIER_UNLIMITED"},
        })))
        .mount(&server)
        .await;
    let n = client(&server, "v25.0").get_number(&id()).await.unwrap();
    assert_eq!(n.messaging_limit(), Some("TIER_UNLIMITED"));
}

#[test]
fn a_base_url_that_cannot_carry_a_path_is_refused_when_the_client_is_made() {
    let made = GraphClient::new(ClientSettings {
        base_url: "mailto:graph@example.com".into(),
        version: "v25.0".parse::<ApiVersion>().unwrap(),
        token: Token::new("tok-123"),
        timeout: Duration::from_secs(2),
    });
    let Err(e) = made else {
        panic!("a mailto: base was taken")
    };
    assert!(e.to_string().contains("cannot carry a path"), "{e}");
}
