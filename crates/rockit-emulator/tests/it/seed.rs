//! The vendor seed's story: its example request gets its example response.

use rockit_emulator::demo;
use rockit_test_support::seed;
use serde_json::{Value, json};

use crate::client::{Client, exchange, request_bytes};
use crate::start_demo;

fn seed_response() -> Value {
    serde_json::from_str(seed::response_body()).expect("the seed's response is JSON")
}

/// The curl sample's headers, with its placeholder credentials replaced by valid ones.
fn seed_headers() -> Vec<(String, String)> {
    seed::curl_headers()
        .into_iter()
        .map(|(name, value)| {
            let value = match name {
                "x-rockit-beauth-token" => demo::TOKEN,
                "x-rockit-api-key" => demo::API_KEY,
                _ => value,
            };
            (name.to_owned(), value.to_owned())
        })
        .collect()
}

#[tokio::test]
async fn the_first_page_is_the_seed_response() {
    let emulator = start_demo().await;
    let response = Client::admin(&emulator).get("/be/v1/tasks").await;
    assert_eq!(response.status, 200);
    assert_eq!(response.header("content-type"), Some("application/json"));
    assert_eq!(response.json(), seed_response());
}

#[tokio::test]
async fn the_seed_curl_request_gets_the_seed_envelope() {
    let emulator = start_demo().await;
    let headers = seed_headers();
    let names: Vec<&str> = headers.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(
        names,
        [
            "x-rockit-beauth-token",
            "x-rockit-orgname",
            "x-rockit-username",
            "x-rockit-api-key",
            "Content-Type"
        ]
    );
    // The seed's body names a placeholder task; name a real one that is not on the first page, so
    // expiring it leaves the first page exactly as the seed shows it.
    let mut body: Value = serde_json::from_str(seed::curl_body()).unwrap();
    assert_eq!(body, json!({"name": "exampleTaskname", "acknowledged": true, "expired": true}));
    body["name"] = json!(demo::FAILED_DOWNLOAD);
    let body = seed::to_vendor_json(&body);
    let response =
        exchange(emulator.addr(), &request_bytes("PATCH", "/be/v1/tasks", &headers, body.as_bytes()))
            .await
            .complete();
    assert_eq!(response.status, 200, "{}", String::from_utf8_lossy(&response.body));
    assert_eq!(response.json(), seed_response());

    let seen = &emulator.requests()[0];
    assert_eq!(seen.header("x-rockit-orgname"), Some("ExampleOrg"));
    assert_eq!(seen.header("x-rockit-beauth-token"), Some("[redacted]"));
    assert_eq!(seen.header("x-rockit-api-key"), Some("[redacted]"));
    let details = emulator.task(demo::FAILED_DOWNLOAD).unwrap();
    assert_eq!((details.acknowledged, details.expired), (Some(true), Some(true)));
}

#[tokio::test]
async fn the_seed_body_verbatim_names_no_task() {
    let emulator = start_demo().await;
    let response = exchange(
        emulator.addr(),
        &request_bytes("PATCH", "/be/v1/tasks", &seed_headers(), seed::curl_body().as_bytes()),
    )
    .await
    .complete();
    assert_eq!(response.status, 404);
    assert_eq!(
        response.json(),
        json!({"status": "failed", "error": "not-found", "message": "no task named \"exampleTaskname\"; list tasks to see their names"})
    );
}

#[tokio::test]
async fn the_demo_tells_the_seed_story_in_13_tasks() {
    let emulator = start_demo().await;
    let client = Client::admin(&emulator);
    let all = client.get("/be/v1/tasks?limit=20").await.json();
    assert_eq!(all["totalCount"], json!(13));
    assert_eq!(
        all["tasks"].as_array().unwrap()[10..],
        [
            json!({"name": "exampleorg-sushi-0002-1733155401-publish", "service": "engine", "status": "done"}),
            json!({"name": "exampleorg-sushi-0003-1733240117-dltar", "service": "engine", "status": "failed"}),
            json!({"name": "exampleorg-sushi-0003-1733241020-dltar", "service": "engine", "status": "running"}),
        ]
    );
    let second_page = client.get("/be/v1/tasks?offset=10").await.json();
    assert_eq!(second_page["tasks"], json!(all["tasks"].as_array().unwrap()[10..]));
}
