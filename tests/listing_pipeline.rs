//! The listing asks for the next page before the page it has is decoded (issue 14), on a real
//! loopback server: the requests go out ahead of the caller, no more than two pages ahead, and
//! a page whose rows are bad or a link that loops still ends the listing cleanly. Rows whose
//! id is not a number id are left out and said, by `numbers` and `next` alike.

mod common;

use serde_json::{Value, json};
use std::time::Duration;
use wareg::graph::retry::RetryPolicy;
use wareg::graph::{ApiVersion, ClientSettings, GraphClient, NumberId};
use wareg::secret::Token;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const WABA: &str = "999";

fn client(server: &MockServer) -> GraphClient {
    GraphClient::new(ClientSettings {
        base_url: server.uri(),
        version: "v25.0".parse::<ApiVersion>().unwrap(),
        token: Token::new("tok-123"),
        timeout: Duration::from_secs(5),
    })
    .unwrap()
    .with_retry(RetryPolicy {
        max_tries: 1,
        base_delay: Duration::from_millis(5),
    })
}

fn waba() -> NumberId {
    NumberId::parse(WABA).unwrap()
}

/// Page `after` (none: the first) answers `data` and links to `next`.
async fn page(server: &MockServer, after: Option<&str>, data: Value, next: Option<&str>) {
    let paging = match next {
        Some(next) => {
            json!({"next": format!("{}/v25.0/{WABA}/phone_numbers?limit=100&after={next}", server.uri())})
        }
        None => json!({"cursors": {}}),
    };
    let mock = Mock::given(method("GET")).and(path(format!("/v25.0/{WABA}/phone_numbers")));
    let mock = match after {
        Some(after) => mock.and(query_param("after", after)),
        None => mock.and(query_param("limit", "100")),
    };
    mock.respond_with(
        ResponseTemplate::new(200).set_body_json(json!({"data": data, "paging": paging})),
    )
    // The first page's matcher would match the others too: theirs are mounted first.
    .with_priority(if after.is_some() { 1 } else { 5 })
    .mount(server)
    .await;
}

/// The `after` cursor of every listing request the server got, in order ("" for the first).
async fn cursors(server: &MockServer) -> Vec<String> {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| {
            r.url
                .query_pairs()
                .find(|(k, _)| k == "after")
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default()
        })
        .collect()
}

/// Waits (up to 5 s) until the server has received `count` requests.
async fn until_received(server: &MockServer, count: usize) -> Vec<String> {
    for _ in 0..500 {
        let seen = cursors(server).await;
        if seen.len() >= count {
            return seen;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    cursors(server).await
}

fn ids(numbers: &[wareg::graph::PhoneNumber]) -> Vec<&str> {
    numbers.iter().map(|n| n.id.as_str()).collect()
}

#[tokio::test]
async fn the_next_pages_are_asked_for_before_any_page_is_decoded_and_no_more_than_two() {
    let server = MockServer::start().await;
    page(&server, Some("p4"), json!([{"id": "4"}]), None).await;
    page(&server, Some("p3"), json!([{"id": "3"}]), Some("p4")).await;
    page(&server, Some("p2"), json!([{"id": "2"}]), Some("p3")).await;
    page(&server, None, json!([{"id": "1"}]), Some("p2")).await;

    let mut pages = client(&server).list_number_pages(&waba());
    // Nothing has been taken, so nothing decoded: the second page is asked for regardless.
    assert_eq!(until_received(&server, 2).await, ["", "p2"]);
    // One page waits to be taken and one is held by the paging task: no third request yet.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        cursors(&server).await,
        ["", "p2"],
        "at most two pages ahead"
    );

    assert_eq!(ids(&pages.next_page().await.unwrap().unwrap()), ["1"]);
    // Taking the first page lets the paging task go on while the caller holds it.
    assert_eq!(until_received(&server, 3).await, ["", "p2", "p3"]);
    let mut rest = Vec::new();
    while let Some(page) = pages.next_page().await {
        rest.extend(page.unwrap());
    }
    assert_eq!(ids(&rest), ["2", "3", "4"], "every row, in page order");
    assert!(pages.next_page().await.is_none());
    assert_eq!(cursors(&server).await, ["", "p2", "p3", "p4"]);
}

#[tokio::test]
async fn a_page_whose_rows_do_not_decode_ends_the_listing_with_its_own_error() {
    let server = MockServer::start().await;
    // The link of the bad page is good, so the paging task may already be on the next pages;
    // they loop for ever, and still the bad page's error is the answer, and it stops.
    page(&server, Some("p3"), json!([{"id": "3"}]), Some("p2")).await;
    page(&server, Some("p2"), json!([{"id": "2"}]), Some("p3")).await;
    page(&server, None, json!([{"id": 1}]), Some("p2")).await;

    let err = client(&server).list_numbers(&waba()).await.unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("a field is not what the API documents"),
        "{text}"
    );
    assert!(
        !text.contains("leads back"),
        "the first failure in page order: {text}"
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    let sent = cursors(&server).await;
    assert!(sent.len() <= 3, "the paging task stopped: {sent:?}");
}

#[tokio::test]
async fn a_link_back_to_a_page_already_read_stops_with_the_rows_counted() {
    let server = MockServer::start().await;
    page(&server, Some("p3"), json!([{"id": "5"}]), Some("p2")).await;
    page(
        &server,
        Some("p2"),
        json!([{"id": "3"}, {"id": "4"}]),
        Some("p3"),
    )
    .await;
    page(&server, None, json!([{"id": "1"}, {"id": "2"}]), Some("p2")).await;

    let err = client(&server).list_numbers(&waba()).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "paging.next leads back to a page already read (after 3 pages, 5 numbers): the listing is stopped there"
    );
    assert_eq!(
        cursors(&server).await,
        ["", "p2", "p3"],
        "the loop is not followed"
    );
}

#[tokio::test]
async fn a_failed_page_after_good_ones_is_the_listings_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(query_param("after", "p2"))
        .respond_with(ResponseTemplate::new(500).set_body_string("<html>down</html>"))
        .with_priority(1)
        .mount(&server)
        .await;
    page(&server, None, json!([{"id": "1"}]), Some("p2")).await;

    let mut pages = client(&server).list_number_pages(&waba());
    assert_eq!(ids(&pages.next_page().await.unwrap().unwrap()), ["1"]);
    let err = pages.next_page().await.unwrap().unwrap_err();
    assert!(err.to_string().contains("HTTP 500"), "{err}");
    assert!(pages.next_page().await.is_none(), "nothing after the error");
}

/// Issue 27 item 10: a listing whose rows carry ids that are not number ids, through the real
/// binary. `next` says how many it left out and exits 3, as `numbers` does; an id with a
/// line break or spaces around it is not a number id (it is counted, not trimmed into one).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ids_that_are_not_number_ids_are_left_out_and_said_by_next_and_numbers() {
    let server = MockServer::start().await;
    let row = |id: &str| {
        json!({"id": id, "display_phone_number": "+1 555-0100", "verified_name": "Acme",
               "status": "CONNECTED", "code_verification_status": "VERIFIED"})
    };
    let rows = json!([
        row("106540352242922"),
        row("abc"),
        row("123\n"),
        row(" 456"),
        row("12 34"),
        row("\t789\r\n"),
    ]);
    Mock::given(method("GET"))
        .and(path(format!("/v25.0/{WABA}/phone_numbers")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": rows, "paging": {}})))
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "default_profile = \"sb\"\n\n[profiles.sb]\nbase_url = \"{}\"\napi_version = \"v25.0\"\ntoken_env = \"{}\"\nwaba_id = \"{WABA}\"\n",
            server.uri(),
            common::TOKEN_VAR
        ),
    )
    .unwrap();
    let env = vec![
        ("WAREG_CONFIG".to_owned(), config.display().to_string()),
        (
            "WAREG_DATA_DIR".to_owned(),
            dir.path().join("data").display().to_string(),
        ),
        (common::TOKEN_VAR.to_owned(), common::TOKEN.to_owned()),
    ];
    let run = |args: &'static [&'static str]| {
        let env = env.clone();
        tokio::task::spawn_blocking(move || common::run_wareg(args, None, &env))
    };
    const SAID: &str = "profile sb: 5 rows had an id that is not a number id: left out";

    let next = run(&["next"]).await.unwrap();
    assert!(next.stdout.contains(SAID), "{}{}", next.stdout, next.stderr);
    assert_eq!(
        next.code, 3,
        "as numbers does: {}{}",
        next.stdout, next.stderr
    );
    assert!(next.stdout.contains("106540352242922"), "{}", next.stdout);
    for trimmed in ["123", "456", "789"] {
        assert!(
            !next
                .stdout
                .lines()
                .any(|l| l.trim_start().starts_with(trimmed)),
            "{trimmed} is not what the server sent: {}",
            next.stdout
        );
    }
    let json = run(&["next", "--json"]).await.unwrap();
    assert_eq!(json.code, 3, "{}{}", json.stdout, json.stderr);
    let doc: Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(doc["numbers"].as_array().unwrap().len(), 1, "{doc}");
    assert!(
        doc["error"].to_string().contains("5 rows had an id"),
        "{doc}"
    );

    let numbers = run(&["numbers", "--refresh", "--json"]).await.unwrap();
    assert_eq!(numbers.code, 3, "{}", numbers.stderr);
    let doc: Value = serde_json::from_str(&numbers.stdout).unwrap();
    assert_eq!(doc["profiles"][0]["left_out"], 5, "{doc}");
    assert_eq!(doc["profiles"][0]["count"], 1, "{doc}");
    let ids: Vec<&str> = doc["numbers"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n["id"].as_str())
        .collect();
    assert_eq!(ids, ["106540352242922"], "{doc}");
}
