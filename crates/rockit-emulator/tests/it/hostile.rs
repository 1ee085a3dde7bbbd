//! Hostile input gets a 4xx with a JSON body: never a 500, never a panic, and the server keeps
//! serving.

use rockit_emulator::{MAX_BODY_BYTES, demo};
use rockit_test_support::vendor_errors;
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
        "status": "failed", "error": "invalid-body",
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
    assert_eq!(response.json()["error"], json!("invalid-body"));
}

#[tokio::test]
async fn undecodable_query_values_are_invalid_params() {
    let emulator = start_demo().await;
    let client = Client::admin(&emulator);
    let response = client.get("/be/v1/tasks?limit=%FF%FE").await;
    assert_eq!(response.status, 400);
    assert_eq!(
        response.json(),
        json!({"status": "failed", "error": "invalid-param", "message": "invalid limit \"\u{FFFD}\u{FFFD}\": expected a whole number from 1 to 1000"})
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
        json!({"status": "failed", "error": "unauthorized", "message": "header x-rockit-api-key is not valid visible ASCII text"})
    );
}

#[tokio::test]
async fn wrong_methods_and_unknown_routes_get_the_firewalls_answers() {
    let emulator = start_demo().await;
    let client = Client::admin(&emulator);
    let anonymous = Client::anonymous(emulator.addr());
    let details = format!("/be/v1/tasks/{}", demo::STUCK_UPLOAD);
    // A method of the four the firewall knows that the route does not serve, or a path no route
    // serves: its 404, byte for byte, with or without credentials, and no Allow header.
    for (method, path) in [
        ("DELETE", "/be/v1/tasks"),
        ("POST", "/be/v1/tasks"),
        ("POST", details.as_str()),
        ("PATCH", details.as_str()),
        ("GET", "/be/v1/apps"),
        ("GET", "/be/v1/tasks/"),
        ("DELETE", "/nowhere"),
        ("GET", "/"),
        ("PATCH", "/_emulator/tokens"),
    ] {
        for who in [&client, &anonymous] {
            let response = who.send(method, path, b"").await.complete();
            assert_eq!(response.status, 404, "{method} {path}");
            assert_eq!(response.header("content-type"), Some("application/json"), "{method} {path}");
            assert_eq!(response.header("allow"), None, "{method} {path}");
            assert_eq!(
                String::from_utf8(response.body).unwrap(),
                vendor_errors::NOT_FOUND,
                "{method} {path}"
            );
        }
    }
    // Any other method, on any path: the firewall's 400. (A HEAD answer has its head only.)
    for who in [&client, &anonymous] {
        let Outcome::Truncated { head, body_received: 0, content_length } =
            who.send("HEAD", "/be/v1/tasks", b"").await
        else {
            panic!("a HEAD answer has no body")
        };
        assert!(head.starts_with("HTTP/1.1 400 Bad Request\r\n"), "{head}");
        assert_eq!(content_length, vendor_errors::BAD_REQUEST.len());
    }
    for (method, path) in [
        ("OPTIONS", "/be/v1/tasks"),
        ("PUT", "/be/v1/tasks"),
        ("PUT", details.as_str()),
        ("TRACE", "/nowhere"),
        ("BREW", "/be/v1/tasks"),
    ] {
        for who in [&client, &anonymous] {
            let response = who.send(method, path, b"").await.complete();
            assert_eq!(response.status, 400, "{method} {path}");
            assert_eq!(response.header("content-type"), Some("application/json"), "{method} {path}");
            assert_eq!(
                String::from_utf8(response.body).unwrap(),
                vendor_errors::BAD_REQUEST,
                "{method} {path}"
            );
        }
    }
    // All of them logged with their status, none faulted, and the store unchanged.
    let counters = emulator.counters();
    assert_eq!((counters.status(404), counters.status(400), counters.faults), (18, 12, 0));
    assert_eq!(emulator.task(demo::STUCK_UPLOAD).unwrap().expired, Some(false));
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
