//! Credentials travel only over https or to loopback, never across a redirect, and response
//! bodies are bounded.

use std::time::Duration;

use rockit_model::ListTasks;
use rockit_test_support::mock::{MockServer, Reply};
use rockit_transport::{Client, ErrorKind};

use crate::support::{api_key, builder, client};

#[test]
fn plain_http_to_other_hosts_is_refused_at_build_time() {
    for url in ["http://edge.example.com", "http://10.0.0.1:8080/", "http://127.0.0.1.example.com"] {
        let err = Client::builder().base_url(url).credentials(api_key()).build().unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::InsecureEndpoint { .. }), "{url}: {err}");
        assert!(err.to_string().contains("allow_insecure_http(true)"), "{err}");
    }
    let opted_in = Client::builder()
        .base_url("http://edge.example.com")
        .credentials(api_key())
        .allow_insecure_http(true);
    assert!(opted_in.build().is_ok());
}

#[test]
fn https_and_loopback_http_are_accepted() {
    for url in [
        "https://edge.example.com",
        "http://127.0.0.1:8080",
        "http://127.3.2.1",
        "http://localhost:1/x/",
        "http://[::1]:9",
    ] {
        let client = Client::builder().base_url(url).credentials(api_key()).build();
        assert!(client.is_ok(), "{url}: {:?}", client.err());
    }
}

#[test]
fn malformed_endpoints_are_refused_with_a_hint() {
    let cases = [
        ("edge.example.com", "is not a URL"),
        ("ftp://edge.example.com", "must use https"),
        ("https://user:pw@edge.example.com", "must not carry a user name or password"),
        ("https://edge.example.com/?x=1", "must not have a query"),
    ];
    for (url, expected) in cases {
        let err = Client::builder().base_url(url).credentials(api_key()).build().unwrap_err();
        assert!(err.to_string().contains(expected), "{url}: {err}");
        assert!(!err.to_string().contains("pw@"), "{err}");
    }
}

#[tokio::test]
async fn redirects_are_not_followed_so_credentials_stay_home() {
    let elsewhere = MockServer::start().await;
    let server = MockServer::start().await;
    let location = format!("{}/be/v1/tasks", elsewhere.url());
    server.default_reply(Reply::json(302, "").with_header("location", &location));
    let err = client(&server).execute(&ListTasks::new()).await.unwrap_err();
    let ErrorKind::Redirect { status, location: seen } = err.kind() else { panic!("{err:?}") };
    assert_eq!(*status, 302);
    assert_eq!(seen.as_deref(), Some(location.as_str()));
    assert_eq!(elsewhere.count(), 0, "the redirect target must not be contacted");
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let server = MockServer::start().await;
    let big = format!(r#"{{"status":"success","totalCount":0,"tasks":[],"pad":"{}"}}"#, "x".repeat(4096));
    server.default_reply(Reply::json(200, big));
    let client = builder(&server).max_response_bytes(1024).build().unwrap();
    let err = client.execute(&ListTasks::new()).await.unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::BodyTooLarge { limit: 1024 });
    assert_eq!(err.attempts(), 1, "a too-large body is not retried");
}

#[tokio::test]
async fn streamed_bodies_without_a_length_are_bounded_too() {
    let (url, _server) = crate::redaction::raw_server(|_| {
        let mut reply =
            b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n"
                .to_vec();
        for _ in 0..64 {
            reply.extend_from_slice(b"400\r\n");
            reply.extend_from_slice(&[b' '; 0x400]);
            reply.extend_from_slice(b"\r\n");
        }
        reply.extend_from_slice(b"0\r\n\r\n");
        reply
    });
    let client = Client::builder()
        .base_url(url)
        .credentials(api_key())
        .max_response_bytes(16 * 1024)
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let err = client.execute(&ListTasks::new()).await.unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::BodyTooLarge { limit: 16 * 1024 });
}

#[tokio::test]
async fn a_huge_error_page_keeps_its_status_and_is_retried() {
    let server = MockServer::start().await;
    let page = format!("<html>{}</html>", "busy ".repeat(10_000));
    server.script([Reply::raw(503, "text/html", page), Reply::json(200, crate::support::LIST_OK)]);
    let client = builder(&server).max_response_bytes(4096).build().unwrap();
    client.execute(&ListTasks::new()).await.unwrap();
    assert_eq!(server.count(), 2, "the 503 was retried, not refused as too large");
}

#[test]
fn endpoints_in_messages_hide_user_info_and_query() {
    for (url, hidden) in
        [("https://edge.example.com/x?key=SECRET1 y", "SECRET1"), ("ftp://bob:SECRET2@edge", "SECRET2")]
    {
        let err = Client::builder().base_url(url).credentials(api_key()).build().unwrap_err();
        assert!(!err.to_string().contains(hidden), "{err}");
        let debug = format!("{:?}", Client::builder().base_url(url));
        assert!(!debug.contains(hidden), "{debug}");
    }
}

#[test]
fn credentials_set_in_code_survive_an_environment_without_any() {
    let client = Client::builder()
        .credentials(api_key())
        .from_env_with(|name| (name == "ROCKIT_ENDPOINT").then(|| "https://edge.example.com".to_owned()))
        .build();
    assert!(client.is_ok(), "{:?}", client.err());
}
