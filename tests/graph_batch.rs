//! Storage reads in one batch request (issue 28 item 3), pinned with wiremock: the request's
//! exact shape, each answer in its place, a server that takes no batches read one at a time
//! (and asked once), and a batch answer that lies reported per read, never a panic.

use serde_json::{Value, json};
use std::time::Duration;
use wareg::graph::retry::RetryPolicy;
use wareg::graph::{ApiVersion, ClientSettings, GraphClient, NumberId};
use wareg::secret::Token;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const TOKEN: &str = "tok-batch-123";
const IDS: [&str; 3] = ["106540352242922", "106540352242923", "106540352242924"];

fn client(server: &MockServer) -> GraphClient {
    GraphClient::new(ClientSettings {
        base_url: server.uri(),
        version: "v25.0".parse::<ApiVersion>().unwrap(),
        token: Token::new(TOKEN),
        timeout: Duration::from_secs(2),
    })
    .unwrap()
    .with_retry(RetryPolicy {
        max_tries: 1,
        base_delay: Duration::from_millis(5),
    })
}

fn ids() -> Vec<NumberId> {
    IDS.iter().map(|id| NumberId::parse(id).unwrap()).collect()
}

fn storage(region: &str) -> String {
    json!({"storage_configuration": {"status": "IN_COUNTRY_STORAGE_ENABLED", "data_localization_region": region}})
        .to_string()
}

/// The `batch` form parameter of a request, parsed.
fn batch_of(request: &Request) -> Vec<Value> {
    let form: Vec<(String, String)> = url::form_urlencoded::parse(&request.body)
        .into_owned()
        .collect();
    let batch = form
        .iter()
        .find(|(k, _)| k == "batch")
        .map(|(_, v)| v.clone())
        .expect("a batch parameter");
    assert!(
        form.iter()
            .any(|(k, v)| k == "include_headers" && v == "false"),
        "{form:?}"
    );
    serde_json::from_str(&batch).unwrap()
}

fn region_of(answer: &Result<wareg::graph::types::Settings, wareg::graph::ApiError>) -> String {
    match answer {
        Ok(settings) => settings
            .storage_configuration
            .as_ref()
            .and_then(|s| s.data_localization_region.clone())
            .unwrap_or_default(),
        Err(e) => format!("error: {e}"),
    }
}

/// Fails the test (when the server is dropped) if any read is asked on its own.
async fn no_read_asked_alone(server: &MockServer) {
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_string(storage("BR")))
        .expect(0)
        .mount(server)
        .await;
}

/// With the batch refused on the server already mounted: two rounds of reads each go one at a
/// time (the refusal is remembered, the batch asked once), every number answering `region`.
async fn reads_twice_one_at_a_time_after_one_batch(server: &MockServer, region: &str) {
    for id in IDS {
        Mock::given(method("GET"))
            .and(path(format!("/v25.0/{id}/settings")))
            .respond_with(ResponseTemplate::new(200).set_body_string(storage(region)))
            .expect(2)
            .mount(server)
            .await;
    }
    let client = client(server);
    for _ in 0..2 {
        let answers = client.get_settings_many(&ids()).await;
        assert!(
            answers.iter().all(|a| region_of(a) == region),
            "{answers:?}"
        );
    }
}

#[tokio::test]
async fn reads_go_as_one_batch_request_and_each_answer_keeps_its_place() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v25.0/"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            {"code": 200, "body": storage("DE")},
            {"code": 400, "body": json!({"error": {"code": 100, "message": "(#100) Unsupported get request", "type": "OAuthException"}}).to_string()},
            null,
        ])))
        .expect(1)
        .mount(&server)
        .await;
    // The read the batch did not get to is asked alone, once.
    Mock::given(method("GET"))
        .and(path(format!("/v25.0/{}/settings", IDS[2])))
        .respond_with(ResponseTemplate::new(200).set_body_string(storage("IN")))
        .expect(1)
        .mount(&server)
        .await;

    let answers = client(&server).get_settings_many(&ids()).await;

    assert_eq!(region_of(&answers[0]), "DE");
    assert_eq!(
        answers[1].as_ref().err().and_then(|e| e.code()),
        Some(100),
        "{:?}",
        answers[1]
    );
    assert_eq!(region_of(&answers[2]), "IN");
    let requests = server.received_requests().await.unwrap();
    let batch = batch_of(&requests[0]);
    let urls: Vec<&str> = batch
        .iter()
        .map(|r| {
            assert_eq!(r["method"], "GET", "only reads go in a batch");
            r["relative_url"].as_str().unwrap()
        })
        .collect();
    assert_eq!(
        urls,
        IDS.iter()
            .map(|id| format!("{id}/settings"))
            .collect::<Vec<_>>()
    );
    assert!(
        !requests[0].url.as_str().contains(TOKEN)
            && !String::from_utf8_lossy(&requests[0].body).contains(TOKEN),
        "the token goes in the header only"
    );
}

#[tokio::test]
async fn a_server_that_takes_no_batches_is_read_one_at_a_time_and_asked_only_once() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v25.0/"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "error": {"code": 100, "message": "(#100) Batch requests are not supported here", "type": "OAuthException"}
        })))
        .expect(1)
        .mount(&server)
        .await;
    reads_twice_one_at_a_time_after_one_batch(&server, "BR").await;
}

#[tokio::test]
async fn a_throttled_batch_is_not_tried_again_one_read_at_a_time() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v25.0/"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "error": {"code": 80008, "message": "(#80008) There have been too many calls to this WhatsApp Business account.", "type": "OAuthException"}
        })))
        .expect(1)
        .mount(&server)
        .await;
    no_read_asked_alone(&server).await;
    let answers = client(&server).get_settings_many(&ids()).await;
    assert!(
        answers
            .iter()
            .all(|a| a.as_ref().err().and_then(|e| e.code()) == Some(80008)),
        "every read says the throttle: {answers:?}"
    );
}

#[tokio::test]
async fn a_batch_answer_with_the_wrong_count_is_an_error_for_each_read() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            {"code": 200, "body": storage("DE")},
        ])))
        .mount(&server)
        .await;
    let answers = client(&server).get_settings_many(&ids()).await;
    assert_eq!(answers.len(), 3);
    for answer in &answers {
        let text = answer.as_ref().unwrap_err().to_string();
        assert!(text.contains("1 entries for 3 reads"), "{text}");
    }
}

#[tokio::test]
async fn a_batch_answer_cannot_smuggle_the_token_or_escape_sequences_into_an_error() {
    let server = MockServer::start().await;
    // The token written with JSON escapes inside the read's body string: the raw answer
    // holds no copy of it, the decoded body does.
    let escaped: String = TOKEN
        .chars()
        .map(|c| format!("\\u{:04x}", c as u32))
        .collect();
    let body = format!(
        r#"{{"error":{{"code":100,"message":"bad token {escaped} \u001b[31mred\u001b[0m","type":"OAuthException"}}}}"#
    );
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            {"code": 400, "body": body},
            {"code": 200, "body": format!("not json {escaped}")},
            {"code": 200, "body": storage("DE")},
        ])))
        .mount(&server)
        .await;
    let answers = client(&server).get_settings_many(&ids()).await;
    for answer in &answers[..2] {
        let e = answer.as_ref().unwrap_err();
        let shown = format!("{e} {}", e.short());
        assert!(!shown.contains(TOKEN), "the token is taken out: {shown}");
        assert!(
            !shown.contains('\u{1b}'),
            "no escape reaches a screen: {shown:?}"
        );
    }
    assert_eq!(region_of(&answers[2]), "DE");
}

#[tokio::test]
async fn an_endless_batch_answer_is_cut_at_the_cap_and_reported() {
    let server = MockServer::start().await;
    let huge = format!("[{}]", "{\"code\":200,\"body\":\"x\"},".repeat(200_000));
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", "application/json")
                .set_body_string(huge),
        )
        .mount(&server)
        .await;
    let answers = client(&server)
        .with_max_body(64 * 1024)
        .get_settings_many(&ids())
        .await;
    for answer in &answers {
        let text = answer.as_ref().unwrap_err().to_string();
        assert!(text.contains("too large"), "{text}");
    }
}

#[tokio::test]
async fn a_single_answer_cannot_spell_the_token_with_json_escapes_either() {
    let server = MockServer::start().await;
    let escaped: String = TOKEN
        .chars()
        .map(|c| format!("\\u{:04x}", c as u32))
        .collect();
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(400).set_body_string(format!(
            r#"{{"error":{{"code":100,"message":"bad token {escaped}","type":"OAuthException"}}}}"#
        )))
        .mount(&server)
        .await;
    let e = client(&server).get_settings(&ids()[0]).await.unwrap_err();
    let shown = format!("{e} {}", e.short());
    assert!(!shown.contains(TOKEN), "{shown}");
    assert!(shown.contains("[token removed]"), "{shown}");
}

#[tokio::test]
async fn a_batch_that_never_answers_ends_at_the_timeout_with_an_error_for_each_read() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!([null, null, null]))
                .set_delay(Duration::from_secs(30)),
        )
        .mount(&server)
        .await;
    // A hang is no refusal: the reads are not asked again one by one behind it.
    no_read_asked_alone(&server).await;
    let (client, ids) = (client(&server), ids());
    let reads = client.get_settings_many(&ids);
    // Bounded by the client's 2 s timeout (one try), far short of the server's 30 s.
    let answers = tokio::time::timeout(Duration::from_secs(15), reads)
        .await
        .expect("the hang is cut by the client's timeout");
    assert_eq!(answers.len(), 3);
    for answer in &answers {
        let e = answer.as_ref().unwrap_err();
        assert!(e.is_transient(), "a timeout, said as one: {e}");
    }
}

#[tokio::test]
async fn a_batch_that_answers_no_read_has_each_asked_alone_once() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([null, null, null])))
        .expect(1)
        .mount(&server)
        .await;
    for id in IDS {
        Mock::given(method("GET"))
            .and(path(format!("/v25.0/{id}/settings")))
            .respond_with(ResponseTemplate::new(200).set_body_string(storage("SG")))
            .expect(1)
            .mount(&server)
            .await;
    }
    let answers = client(&server).get_settings_many(&ids()).await;
    assert!(answers.iter().all(|a| region_of(a) == "SG"), "{answers:?}");
}

#[tokio::test]
async fn a_read_with_a_status_no_http_has_is_an_error_for_that_read_alone() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            {"code": 200, "body": storage("DE")},
            {"code": 999, "body": storage("IN")},
            {"code": 200},
        ])))
        .expect(1)
        .mount(&server)
        .await;
    let answers = client(&server).get_settings_many(&ids()).await;
    assert_eq!(region_of(&answers[0]), "DE");
    let odd = answers[1].as_ref().unwrap_err().to_string();
    assert!(odd.contains("999"), "the status it was given: {odd}");
    assert!(
        answers[2].is_err(),
        "a 200 with no body is no settings: {:?}",
        answers[2]
    );
}

#[tokio::test]
async fn a_batch_answer_of_another_shape_is_taken_as_no_batches_and_each_read_asked_alone() {
    let server = MockServer::start().await;
    // The code as a string, a status beyond u16: not Graph's shape of an answer per read.
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            {"code": "200", "body": storage("DE")},
            {"code": 70000, "body": storage("DE")},
            {"code": 200, "body": storage("DE")},
        ])))
        .expect(1)
        .mount(&server)
        .await;
    reads_twice_one_at_a_time_after_one_batch(&server, "AU").await;
}
