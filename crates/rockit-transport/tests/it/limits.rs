//! The body cap at its exact edge, the cut of an error page that arrives in several chunks, and
//! the body excerpt that error messages show.

use rockit_model::ListTasks;
use rockit_test_support::mock::{MockServer, Reply};
use rockit_transport::{Client, DEFAULT_MAX_RESPONSE_BYTES, ErrorKind, RetryPolicy};

use crate::redaction::raw_server;
use crate::support::{api_key, builder};

/// A list body of exactly `len` bytes.
fn list_body(len: usize) -> String {
    let head = r#"{"status":"success","totalCount":0,"tasks":[],"pad":""#;
    let body = format!("{head}{}\"}}", "x".repeat(len - head.len() - 2));
    assert_eq!(body.len(), len);
    body
}

/// A chunked `status` response whose body arrives as `chunks`.
fn chunked(status: &str, chunks: &[Vec<u8>]) -> Vec<u8> {
    let mut reply =
        format!("HTTP/1.1 {status}\r\ncontent-type: text/plain\r\ntransfer-encoding: chunked\r\n\r\n")
            .into_bytes();
    for chunk in chunks {
        reply.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        reply.extend_from_slice(chunk);
        reply.extend_from_slice(b"\r\n");
    }
    reply.extend_from_slice(b"0\r\n\r\n");
    reply
}

/// The body excerpt of the `400` error a server answering `body` causes.
async fn excerpt_of(body: impl Into<String>) -> String {
    let server = MockServer::start().await;
    server.default_reply(Reply::raw(400, "text/plain", body.into()));
    let err = builder(&server).build().unwrap().execute(&ListTasks::new()).await.unwrap_err();
    let ErrorKind::Api { excerpt, .. } = err.kind() else { panic!("{err:?}") };
    excerpt.clone()
}

#[tokio::test]
async fn a_success_body_of_exactly_the_cap_is_read() {
    let server = MockServer::start().await;
    server.default_reply(Reply::json(200, list_body(1024)));
    let client = builder(&server).max_response_bytes(1024).build().unwrap();
    assert_eq!(client.execute(&ListTasks::new()).await.unwrap().total_count, 0);
    let over = builder(&server).max_response_bytes(1023).build().unwrap();
    let err = over.execute(&ListTasks::new()).await.unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::BodyTooLarge { limit: 1023 });
}

#[tokio::test]
async fn a_chunked_success_body_of_exactly_the_cap_is_read() {
    let body = list_body(1024).into_bytes();
    // The client decodes whatever the content type says (`chunked` writes text/plain).
    let (url, _server) =
        raw_server(move |_| chunked("200 OK", &[body[..600].to_vec(), body[600..].to_vec()]));
    let client =
        Client::builder().base_url(url).credentials(api_key()).max_response_bytes(1024).build().unwrap();
    assert_eq!(client.execute(&ListTasks::new()).await.unwrap().total_count, 0);
}

#[tokio::test]
async fn the_default_cap_is_8_mib() {
    assert_eq!(DEFAULT_MAX_RESPONSE_BYTES, 8 * 1024 * 1024);
    let server = MockServer::start().await;
    server.default_reply(Reply::json(200, list_body(2 * 1024 * 1024)));
    let client = Client::builder().base_url(server.url()).credentials(api_key()).build().unwrap();
    assert_eq!(client.execute(&ListTasks::new()).await.unwrap().total_count, 0, "2 MiB is under the cap");
}

#[tokio::test]
async fn an_error_page_in_several_chunks_is_cut_exactly_at_the_cap() {
    let (url, _server) = raw_server(|_| chunked("400 Bad Request", &[vec![b'a'; 60], vec![b'b'; 60]]));
    let client = Client::builder()
        .base_url(url)
        .credentials(api_key())
        .retry_policy(RetryPolicy::none())
        .max_response_bytes(100)
        .build()
        .unwrap();
    let err = client.execute(&ListTasks::new()).await.unwrap_err();
    let ErrorKind::Api { status, excerpt, .. } = err.kind() else { panic!("{err:?}") };
    assert_eq!(*status, 400);
    assert_eq!(excerpt, &format!("{}{}", "a".repeat(60), "b".repeat(40)));
}

#[tokio::test]
async fn an_excerpt_holds_200_characters_and_says_when_there_was_more() {
    assert_eq!(excerpt_of("x".repeat(200)).await, "x".repeat(200), "exactly 200: nothing left out");
    assert_eq!(excerpt_of("x".repeat(201)).await, format!("{}…", "x".repeat(200)));
    // Characters, not bytes: 200 two-byte characters fit, 150 are not cut.
    assert_eq!(excerpt_of("é".repeat(300)).await, format!("{}…", "é".repeat(200)));
    assert_eq!(excerpt_of("é".repeat(150)).await, "é".repeat(150));
    // 200 four-byte characters are 800 bytes, all shown; one byte more is left out.
    assert_eq!(excerpt_of("🍣".repeat(200)).await, "🍣".repeat(200));
    assert_eq!(excerpt_of(format!("{}x", "🍣".repeat(200))).await, format!("{}…", "🍣".repeat(200)));
}
