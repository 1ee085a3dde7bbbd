//! The handle: base URL, request log, counters, signals to await, and shutdown.

use std::net::{IpAddr, Ipv4Addr};

use rockit_emulator::{Emulator, Fault, Matcher, demo};
use serde_json::json;
use tokio::net::TcpStream;

use crate::client::{Client, exchange, request_bytes};
use crate::{EPOCH, demo_builder, start_demo};

#[tokio::test]
async fn binds_a_free_loopback_port() {
    let first = start_demo().await;
    let second = start_demo().await;
    assert_eq!(first.addr().ip(), IpAddr::V4(Ipv4Addr::LOCALHOST));
    assert_ne!(first.addr().port(), second.addr().port());
    assert_eq!(first.base_url(), format!("http://127.0.0.1:{}", first.addr().port()));
    assert_eq!(first.url("/be/v1/tasks"), format!("{}/be/v1/tasks", first.base_url()));
    assert_eq!(first.unix_now(), EPOCH);
    assert!(first.speed().abs() < f64::EPSILON);
    assert_eq!(first.org(), demo::ORG);
}

#[tokio::test]
async fn a_taken_address_is_a_bind_error() {
    let first = start_demo().await;
    let err = Emulator::builder().listen(first.addr()).start().await.unwrap_err();
    assert!(err.to_string().starts_with(&format!("cannot listen on {}: ", first.addr())), "{err}");
}

#[tokio::test]
async fn the_log_records_what_was_sent_with_secrets_redacted() {
    let emulator = start_demo().await;
    let headers = vec![
        ("x-rockit-beauth-token".to_owned(), demo::TOKEN.to_owned()),
        ("x-rockit-orgname".to_owned(), demo::ORG.to_owned()),
        ("x-trace".to_owned(), "abc".to_owned()),
    ];
    let path = "/be/v1/tasks?order%5B%5D=-name&order[]=%2Bstatus&appName=su%20shi&limit=2";
    exchange(emulator.addr(), &request_bytes("GET", path, &headers, b"")).await.complete();
    let body = json!({"name": demo::WARNED_PUBLISH, "acknowledged": true}).to_string();
    exchange(emulator.addr(), &request_bytes("PATCH", "/be/v1/tasks", &headers, body.as_bytes()))
        .await
        .complete();

    let log = emulator.requests();
    assert_eq!(log.len(), 2);
    let list = &log[0];
    assert_eq!((list.id, list.method.as_str(), list.status), (1, "GET", Some(200)));
    assert_eq!(list.raw_path, "/be/v1/tasks");
    assert_eq!(
        list.raw_query.as_deref(),
        Some("order%5B%5D=-name&order[]=%2Bstatus&appName=su%20shi&limit=2")
    );
    assert_eq!(list.query_values("order[]").collect::<Vec<_>>(), ["-name", "+status"]);
    assert_eq!(list.query_values("appName").collect::<Vec<_>>(), ["su shi"]);
    assert_eq!(list.segments, ["be", "v1", "tasks"]);
    assert_eq!(list.header("x-rockit-beauth-token"), Some("[redacted]"));
    assert_eq!(list.header("X-Trace"), Some("abc"));
    assert_eq!(list.header("x-rockit-orgname"), Some("ExampleOrg"));
    assert!(list.body.is_empty());
    assert_eq!(list.fault, None);
    let update = &log[1];
    assert!(update.is("PATCH", "/be/v1/tasks"));
    assert_eq!(update.body_json(), Some(json!({"name": demo::WARNED_PUBLISH, "acknowledged": true})));
    let debug = format!("{log:?}");
    assert!(!debug.contains(demo::TOKEN), "no secret in the log");

    emulator.clear_requests();
    assert!(emulator.requests().is_empty());
    assert_eq!(emulator.request_count(), 0);
}

#[tokio::test]
async fn tests_can_await_requests_made_elsewhere() {
    let emulator = start_demo().await;
    emulator.script(Matcher::list_tasks(), 2, Fault::Unavailable);
    let client = Client::admin(&emulator);
    let background = tokio::spawn(async move {
        let mut attempts = 0;
        loop {
            attempts += 1;
            if client.get("/be/v1/tasks").await.status == 200 {
                return attempts;
            }
        }
    });
    emulator.wait_for_requests(3).await;
    assert_eq!(background.await.unwrap(), 3);
    assert_eq!(emulator.request_count(), 3);
}

#[tokio::test]
async fn the_log_keeps_the_latest_requests_up_to_its_capacity() {
    let emulator = demo_builder().log_capacity(2).start().await.unwrap();
    let client = Client::admin(&emulator);
    for limit in 1..=4 {
        client.get(&format!("/be/v1/tasks?limit={limit}")).await;
    }
    let ids: Vec<u64> = emulator.requests().iter().map(|request| request.id).collect();
    assert_eq!(ids, [3, 4]);
    assert_eq!(emulator.counters().requests, 4);
}

#[tokio::test]
async fn shutdown_stops_the_server() {
    let emulator = start_demo().await;
    let addr = emulator.addr();
    assert_eq!(Client::admin(&emulator).get("/be/v1/tasks").await.status, 200);
    // An idle keep-alive connection does not hold the shutdown up.
    let _idle = TcpStream::connect(addr).await.unwrap();
    emulator.shutdown().await.unwrap();
    assert!(TcpStream::connect(addr).await.is_err(), "nothing listens any more");
}

#[tokio::test]
async fn dropping_the_handle_stops_the_server() {
    let emulator = start_demo().await;
    let addr = emulator.addr();
    let stopped = tokio::spawn(async move {
        // Polling is how to observe the listener closing; each attempt waits for the server task.
        loop {
            if TcpStream::connect(addr).await.is_err() {
                return;
            }
            tokio::task::yield_now().await;
        }
    });
    drop(emulator);
    // The timeout only guards against a hang; the loop ends as soon as the listener is gone.
    tokio::time::timeout(std::time::Duration::from_secs(10), stopped)
        .await
        .expect("the server stops")
        .unwrap();
}

/// Reads one response with a `content-length` from a kept-alive connection; `None` if the
/// connection closes first.
async fn read_one(stream: &mut TcpStream) -> Option<(u16, Vec<u8>)> {
    use tokio::io::AsyncReadExt;
    let mut received = Vec::new();
    let mut chunk = vec![0_u8; 4096];
    loop {
        if let Some(end) = received.windows(4).position(|window| window == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&received[..end]).to_ascii_lowercase();
            let status = head[9..12].parse().ok()?;
            let length: usize = head.split("content-length: ").nth(1)?.split("\r\n").next()?.parse().ok()?;
            if received.len() >= end + 4 + length {
                return Some((status, received[end + 4..end + 4 + length].to_vec()));
            }
        }
        match stream.read(&mut chunk).await {
            Ok(n) if n > 0 => received.extend_from_slice(&chunk[..n]),
            Ok(_) | Err(_) => return None,
        }
    }
}

#[tokio::test]
async fn kept_alive_connections_serve_many_requests_until_a_fault_cuts_one() {
    use tokio::io::AsyncWriteExt;
    let emulator = start_demo().await;
    let mut stream = TcpStream::connect(emulator.addr()).await.unwrap();
    let request = format!(
        "GET /be/v1/tasks?limit=1 HTTP/1.1\r\nhost: e\r\nx-rockit-beauth-token: {}\r\n\r\n",
        demo::TOKEN
    );
    for _ in 0..3 {
        stream.write_all(request.as_bytes()).await.unwrap();
        let (status, body) = read_one(&mut stream).await.expect("a response on the same connection");
        assert_eq!(status, 200);
        assert_eq!(serde_json::from_slice::<serde_json::Value>(&body).unwrap()["totalCount"], json!(13));
    }
    emulator.script(Matcher::list_tasks(), 1, Fault::Drop);
    stream.write_all(request.as_bytes()).await.unwrap();
    assert_eq!(read_one(&mut stream).await, None, "the cut connection closes without an answer");
    assert_eq!(emulator.counters().connections, 1);
    // A new connection is served as usual.
    assert_eq!(Client::token(emulator.addr(), demo::TOKEN).get("/be/v1/tasks").await.status, 200);
}
