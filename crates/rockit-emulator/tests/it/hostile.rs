//! Hostile input gets a 4xx with a JSON body: never a 500, never a panic, and the server keeps
//! serving.

use rockit_emulator::{MAX_BODY_BYTES, demo};
use serde_json::json;

use crate::client::{Client, Outcome, exchange, request_bytes};
use crate::start_demo;

fn admin_headers() -> Vec<(String, String)> {
    [("x-rockit-orgname", demo::ORG), ("x-rockit-username", demo::USER), ("x-rockit-api-key", demo::API_KEY)]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[tokio::test]
async fn oversized_bodies_get_413() {
    let emulator = start_demo().await;
    let too_big = format!(
        r#"{{"name": "{}", "expired": true, "pad": "{}"}}"#,
        demo::STUCK_UPLOAD,
        "x".repeat(MAX_BODY_BYTES)
    );
    let expected = json!({
        "status": "invalid-body",
        "message": "the request body is larger than 65536 bytes; send a smaller body"
    });
    let response = Client::admin(&emulator).patch(&too_big).await;
    assert_eq!(response.status, 413);
    assert_eq!(response.json(), expected);

    // The same in chunks, with no Content-Length to go by.
    let mut request =
        b"PATCH /be/v1/tasks HTTP/1.1\r\nhost: e\r\nconnection: close\r\ntransfer-encoding: chunked\r\n"
            .to_vec();
    for (name, value) in admin_headers() {
        request.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
    }
    request.extend_from_slice(b"\r\n");
    for chunk in too_big.as_bytes().chunks(8192) {
        request.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        request.extend_from_slice(chunk);
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"0\r\n\r\n");
    let response = exchange(emulator.addr(), &request).await.complete();
    assert_eq!(response.status, 413);
    assert_eq!(response.json(), expected);
    assert_eq!(emulator.task(demo::STUCK_UPLOAD).unwrap().expired, Some(false));

    // Just under the limit is fine.
    let pad = MAX_BODY_BYTES - 100;
    let fits = format!(
        r#"{{"name": "{}", "acknowledged": true, "pad": "{}"}}"#,
        demo::STUCK_UPLOAD,
        "x".repeat(pad)
    );
    assert!(fits.len() <= MAX_BODY_BYTES);
    assert_eq!(Client::admin(&emulator).patch(&fits).await.status, 200);
}

#[tokio::test]
async fn deeply_nested_json_is_an_invalid_body() {
    let emulator = start_demo().await;
    let nested = format!("{}{}", "[".repeat(20_000), "]".repeat(20_000));
    let response = Client::admin(&emulator).patch(&nested).await;
    assert_eq!(response.status, 400);
    assert_eq!(response.json()["status"], json!("invalid-body"));
}

#[tokio::test]
async fn undecodable_query_values_are_invalid_params() {
    let emulator = start_demo().await;
    let client = Client::admin(&emulator);
    let response = client.get("/be/v1/tasks?limit=%FF%FE").await;
    assert_eq!(response.status, 400);
    assert_eq!(
        response.json(),
        json!({"status": "invalid-param", "message": "invalid limit \"\u{FFFD}\u{FFFD}\": expected a whole number from 1 to 1000"})
    );
    let status = client.get("/be/v1/tasks?status=%FF").await;
    assert_eq!(status.json(), json!({"status": "success", "totalCount": 0, "tasks": []}));
    let many = format!("/be/v1/tasks?{}", "x=1&".repeat(5_000));
    assert_eq!(client.get(&many).await.status, 200);
    let long_value = format!("/be/v1/tasks?offset={}", "9".repeat(3_000));
    let response = client.get(&long_value).await;
    assert_eq!(response.status, 400);
    assert!(response.json()["message"].as_str().unwrap().len() < 200);
}

#[tokio::test]
async fn credentials_that_are_not_text_are_rejected() {
    let emulator = start_demo().await;
    let mut request = b"GET /be/v1/tasks HTTP/1.1\r\nhost: e\r\nconnection: close\r\n".to_vec();
    request.extend_from_slice(b"x-rockit-orgname: ExampleOrg\r\nx-rockit-username: adminPrincipal\r\n");
    request.extend_from_slice(b"x-rockit-api-key: demo-\xff-key\r\n\r\n");
    let response = exchange(emulator.addr(), &request).await.complete();
    assert_eq!(response.status, 401);
    assert_eq!(
        response.json(),
        json!({"status": "unauthorized", "message": "header x-rockit-api-key is not valid visible ASCII text"})
    );
}

#[tokio::test]
async fn wrong_methods_and_unknown_routes_get_json() {
    let emulator = start_demo().await;
    let client = Client::admin(&emulator);
    let delete = client.send("DELETE", "/be/v1/tasks", b"").await.complete();
    assert_eq!(delete.status, 405);
    assert_eq!(delete.header("allow"), Some("GET, PATCH"));
    assert_eq!(
        delete.json(),
        json!({"status": "not-found", "message": "DELETE is not supported on /be/v1/tasks; use GET, PATCH"})
    );
    let post = client.send("POST", &format!("/be/v1/tasks/{}", demo::STUCK_UPLOAD), b"{}").await.complete();
    assert_eq!(post.status, 405);
    assert_eq!(post.header("allow"), Some("GET"));
    let unknown = client.get("/be/v1/apps").await;
    assert_eq!(unknown.status, 404);
    assert_eq!(
        unknown.json(),
        json!({"status": "not-found", "message": "no route for GET \"/be/v1/apps\"; the emulator serves GET and PATCH /be/v1/tasks and GET /be/v1/tasks/{taskName}"})
    );
    assert_eq!(client.get("/be/v1/tasks/").await.status, 404);
}

#[tokio::test]
async fn garbage_on_the_wire_does_not_stop_the_server() {
    let emulator = start_demo().await;
    // hyper answers these itself (400 or 505) before any route runs; the point is the server survives.
    for garbage in
        [&b"\x00\x01\x02 not http\r\n\r\n"[..], b"GET / HTTP/9.9\r\n\r\n", b"GET /\xff\xfe HTTP/1.1\r\n\r\n"]
    {
        let outcome = exchange(emulator.addr(), garbage).await;
        if let Outcome::Complete(response) = outcome {
            assert_ne!(response.status, 200);
        }
    }
    let fine = exchange(emulator.addr(), &request_bytes("GET", "/be/v1/tasks", &admin_headers(), b"")).await;
    assert_eq!(fine.complete().status, 200);
    assert_eq!(emulator.counters().status(500), 0);
}
