//! Exactly as many attempts as the policy allows, a broken connection retried for idempotent
//! calls, and `Retry-After` beyond the deadline. Each server answers with a final, non-retryable
//! error once the expected requests are spent, so a client that retries too often fails fast
//! instead of looping until the test harness gives up.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use rockit_model::ListTasks;
use rockit_test_support::mock::{MockServer, Reply};
use rockit_transport::{Client, RetryPolicy};

use crate::redaction::raw_server;
use crate::support::{LIST_OK, api_key, builder};

fn unavailable() -> Reply {
    Reply::json(503, r#"{"status":"unavailable"}"#)
}

/// What the server answers once the expected requests are spent: not retried by anyone.
fn spent() -> Reply {
    Reply::json(400, r#"{"status":"invalid-param","message":"the test expected no more requests"}"#)
}

#[tokio::test]
async fn the_number_of_attempts_is_exact() {
    let server = MockServer::start().await;
    server.script([unavailable(), unavailable(), unavailable()]);
    server.default_reply(spent());
    let client = builder(&server).retry_policy(RetryPolicy::default().max_attempts(3)).build().unwrap();
    let err = client.execute(&ListTasks::new()).await.unwrap_err();
    assert_eq!((err.status(), err.attempts(), server.count()), (Some(503), 3, 3), "{err}");

    let server = MockServer::start().await;
    server.script([unavailable()]);
    server.default_reply(spent());
    let client = builder(&server).retry_policy(RetryPolicy::none()).build().unwrap();
    let err = client.execute(&ListTasks::new()).await.unwrap_err();
    assert_eq!((err.status(), err.attempts(), server.count()), (Some(503), 1, 1), "{err}");
}

#[tokio::test]
async fn a_connection_broken_mid_response_is_retried_for_idempotent_calls() {
    let served = Arc::new(AtomicUsize::new(0));
    let (url, _server) = raw_server({
        let served = served.clone();
        move |_| {
            if served.fetch_add(1, Ordering::SeqCst) == 0 {
                // Announces 1000 bytes, sends 10 and closes the connection.
                b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{\"status\"".to_vec()
            } else {
                format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{LIST_OK}",
                    LIST_OK.len()
                )
                .into_bytes()
            }
        }
    });
    let client = Client::builder()
        .base_url(url)
        .credentials(api_key())
        .retry_policy(RetryPolicy::default().base_delay(Duration::from_millis(1)))
        .build()
        .unwrap();
    let page = client.execute(&ListTasks::new()).await.unwrap();
    assert_eq!(page.tasks.len(), 1);
    assert_eq!(served.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn retry_after_past_the_deadline_is_not_waited_for() {
    let server = MockServer::start().await;
    server.script([unavailable().with_header("retry-after", "30")]);
    server.default_reply(spent());
    let client = builder(&server)
        .retry_policy(RetryPolicy::default().max_delay(Duration::from_secs(60)))
        .deadline(Duration::from_secs(2))
        .build()
        .unwrap();
    // A bound, not a wait: the call must return at once; a client that sleeps 30 s fails here.
    let call = tokio::time::timeout(Duration::from_secs(10), client.execute(&ListTasks::new())).await;
    let err = call.expect("returns without waiting for Retry-After").unwrap_err();
    assert_eq!((err.status(), err.attempts(), server.count()), (Some(503), 1, 1), "{err}");

    // A delay that fits in the deadline is waited for, then the retry goes out.
    let server = MockServer::start().await;
    server.script([unavailable().with_header("retry-after", "1"), Reply::json(200, LIST_OK)]);
    server.default_reply(spent());
    let client = builder(&server)
        .retry_policy(RetryPolicy::default().max_delay(Duration::from_secs(60)))
        .deadline(Duration::from_secs(20))
        .build()
        .unwrap();
    client.execute(&ListTasks::new()).await.unwrap();
    assert_eq!(server.count(), 2);
}
