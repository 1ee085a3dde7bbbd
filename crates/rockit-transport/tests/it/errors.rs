//! What an error tells its caller: the predicates callers branch on, the request it belongs to,
//! and its message when the server sent a code without a message.

use rockit_model::{ListTasks, Method};
use rockit_test_support::mock::{MockServer, Reply};
use rockit_transport::{Client, Error, ErrorKind, RetryPolicy};

use crate::support::{api_key, builder};

/// The error of a `GET /be/v1/tasks` answered once with `status` and `body`, without retries.
async fn answered(status: u16, body: &str) -> Error {
    let server = MockServer::start().await;
    server.default_reply(Reply::json(status, body));
    let client = builder(&server).retry_policy(RetryPolicy::none()).build().unwrap();
    client.execute(&ListTasks::new()).await.unwrap_err()
}

/// `(is_retryable, is_timeout, is_auth, is_not_found)`.
fn predicates(err: &Error) -> (bool, bool, bool, bool) {
    (err.is_retryable(), err.is_timeout(), err.is_auth(), err.is_not_found())
}

#[tokio::test]
async fn each_status_answers_exactly_its_own_predicates() {
    assert_eq!(predicates(&answered(503, r#"{"status":"unavailable"}"#).await), (true, false, false, false));
    assert_eq!(predicates(&answered(401, r#"{"status":"unauthorized"}"#).await), (false, false, true, false));
    assert_eq!(predicates(&answered(403, r#"{"status":"forbidden"}"#).await), (false, false, true, false));
    assert_eq!(predicates(&answered(404, r#"{"status":"not-found"}"#).await), (false, false, false, true));
    assert_eq!(
        predicates(&answered(400, r#"{"status":"missing-param"}"#).await),
        (false, false, false, false)
    );
}

#[tokio::test]
async fn a_refused_connection_is_retryable_and_names_its_request() {
    // Bind and drop a listener: the port is then (almost certainly) closed.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let client = Client::builder()
        .base_url(format!("http://127.0.0.1:{port}"))
        .credentials(api_key())
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let err = client.execute(&ListTasks::new()).await.unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Connect), "{err:?}");
    assert_eq!(predicates(&err), (true, false, false, false));
    assert_eq!((err.method(), err.path(), err.status()), (Some(Method::Get), Some("/be/v1/tasks"), None));
}

#[tokio::test]
async fn a_code_without_a_message_is_shown_alone() {
    let err = answered(503, r#"{"status":"unavailable"}"#).await;
    assert_eq!(err.to_string(), "GET /be/v1/tasks: 503 unavailable (after 1 attempt)");
    assert_eq!((err.method(), err.path()), (Some(Method::Get), Some("/be/v1/tasks")));
    let err = answered(502, "").await;
    assert_eq!(err.to_string(), "GET /be/v1/tasks: 502 (after 1 attempt)");
    let err = answered(502, "<html>bad gateway</html>").await;
    assert_eq!(
        err.to_string(),
        r#"GET /be/v1/tasks: 502: body starts "<html>bad gateway</html>" (after 1 attempt)"#
    );
}
