//! The error answers the vendor's gateway and firewall write, verbatim ([infra] in API.md), from a
//! real HTTP server: the token is refreshed on the vendor's `token-expired`, maintenance and rate
//! limits end a call at once saying when to come back, and the firewall's bodies read as errors.
//! The older form, with the code in `status`, is covered by `refresh.rs` and `retries.rs`.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use rockit_model::{ApiStatus, ListTasks, UpdateTask};
use rockit_test_support::mock::{MockServer, Reply};
use rockit_test_support::vendor_errors;
use rockit_transport::{Client, CredentialFuture, CredentialProvider, Credentials, ErrorKind};

use crate::support::{LIST_OK, TOKEN, client};

fn maintenance() -> Reply {
    Reply::json(503, vendor_errors::MAINTENANCE)
        .with_header("retry-after", vendor_errors::MAINTENANCE_RETRY_AFTER)
}

fn rate_limited() -> Reply {
    Reply::json(429, vendor_errors::RATE_LIMITED)
        .with_header("retry-after", vendor_errors::RATE_LIMITED_RETRY_AFTER)
}

/// Hands out `TOKEN-<n>` where n counts refreshes.
#[derive(Clone, Default)]
struct Counting {
    refreshes: Arc<AtomicUsize>,
}

impl CredentialProvider for Counting {
    fn credentials(&self) -> CredentialFuture<'_> {
        let n = self.refreshes.load(Ordering::SeqCst);
        Box::pin(async move { Ok(Credentials::token(format!("{TOKEN}-{n}"))) })
    }

    fn refresh(&self) -> CredentialFuture<'_> {
        let n = self.refreshes.fetch_add(1, Ordering::SeqCst) + 1;
        Box::pin(async move { Ok(Credentials::token(format!("{TOKEN}-{n}"))) })
    }
}

#[tokio::test]
async fn the_vendors_token_expired_refreshes_the_token_once() {
    let server = MockServer::start().await;
    server.script([Reply::json(401, vendor_errors::TOKEN_EXPIRED), Reply::json(200, LIST_OK)]);
    let provider = Counting::default();
    let client =
        Client::builder().base_url(server.url()).credential_provider(provider.clone()).build().unwrap();
    client.execute(&ListTasks::new()).await.unwrap();
    assert_eq!(provider.refreshes.load(Ordering::SeqCst), 1);
    let tokens: Vec<_> =
        server.requests().iter().map(|r| r.header("x-rockit-beauth-token").unwrap().to_owned()).collect();
    assert_eq!(tokens, [format!("{TOKEN}-0"), format!("{TOKEN}-1")]);

    // A second expiry in a row is the answer.
    server.default_reply(Reply::json(401, vendor_errors::TOKEN_EXPIRED));
    let err = client.execute(&ListTasks::new()).await.unwrap_err();
    assert_eq!(err.api_code(), Some(&ApiStatus::TokenExpired));
    assert!(err.is_auth());
    assert_eq!(
        err.to_string(),
        "GET /be/v1/tasks: 401 token-expired: The authentication token has expired. (after 2 attempts)"
    );
}

#[tokio::test]
async fn maintenance_fails_at_once_with_one_request_and_says_when_to_come_back() {
    let server = MockServer::start().await;
    server.default_reply(maintenance());
    let client = client(&server);
    let started = std::time::Instant::now();
    let err = client.execute(&ListTasks::new()).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(30), "no waiting for the 900 s");
    assert_eq!(server.count(), 1);
    assert!(err.is_maintenance() && err.is_retry_later() && err.is_retryable(), "{err:?}");
    assert!(!err.is_auth() && !err.is_rate_limited());
    assert_eq!(err.status(), Some(503));
    assert_eq!(err.api_code(), Some(&ApiStatus::Maintenance));
    assert_eq!(err.retry_after(), Some(Duration::from_secs(900)));
    assert_eq!(
        err.to_string(),
        "GET /be/v1/tasks: ROCKIT Edge is in maintenance; it asks to retry in 15m (after 1 attempt)"
    );
    let ErrorKind::RetryLater { message, .. } = err.kind() else { panic!("{err:?}") };
    assert_eq!(message.as_deref(), Some("The service is in maintenance mode. Please retry later."));
}

#[tokio::test]
async fn the_bodys_retry_after_stands_in_for_a_missing_header() {
    let server = MockServer::start().await;
    server.default_reply(Reply::json(503, vendor_errors::MAINTENANCE));
    let err = client(&server).execute(&ListTasks::new()).await.unwrap_err();
    assert_eq!(err.retry_after(), Some(Duration::from_secs(900)));
    assert!(err.is_retry_later());
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn an_update_in_maintenance_is_not_sent_again_and_says_so() {
    let server = MockServer::start().await;
    server.default_reply(maintenance());
    let name = "exampleorg-sushi-0001-1732886919-dltar".parse().unwrap();
    let err = client(&server).execute(&UpdateTask::acknowledge(name)).await.unwrap_err();
    assert!(err.is_maintenance() && err.is_retry_later(), "{err:?}");
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn the_firewalls_rate_limit_fails_at_once_saying_when() {
    let server = MockServer::start().await;
    server.default_reply(rate_limited());
    let err = client(&server).execute(&ListTasks::new()).await.unwrap_err();
    assert_eq!(server.count(), 1);
    assert!(err.is_rate_limited() && err.is_retry_later() && !err.is_maintenance(), "{err:?}");
    assert_eq!(err.retry_after(), Some(Duration::from_secs(60)));
    assert_eq!(
        err.to_string(),
        "GET /be/v1/tasks: ROCKIT Edge is limiting the rate of requests (429); it asks to retry in 1m (after 1 attempt)"
    );
}

#[tokio::test]
async fn a_short_retry_after_is_waited_for_and_the_call_succeeds() {
    let server = MockServer::start().await;
    server.script([
        Reply::json(503, vendor_errors::MAINTENANCE).with_header("retry-after", "0"),
        Reply::json(200, LIST_OK),
    ]);
    let page = client(&server).execute(&ListTasks::new()).await.unwrap();
    assert_eq!(page.total_count, 1);
    assert_eq!(server.count(), 2);
}

#[tokio::test]
async fn the_firewalls_404_and_400_are_errors_with_their_message() {
    let server = MockServer::start().await;
    server.default_reply(Reply::json(404, vendor_errors::NOT_FOUND));
    let err = client(&server).execute(&ListTasks::new()).await.unwrap_err();
    assert!(err.is_not_found() && !err.is_retryable());
    assert_eq!(err.api_code(), None);
    assert_eq!(err.to_string(), "GET /be/v1/tasks: 404: Not Found (after 1 attempt)");
    server.default_reply(Reply::json(400, vendor_errors::BAD_REQUEST));
    let err = client(&server).execute(&ListTasks::new()).await.unwrap_err();
    assert_eq!(err.to_string(), "GET /be/v1/tasks: 400: Bad Request (after 1 attempt)");
}

#[tokio::test]
async fn a_short_retry_after_that_keeps_failing_ends_as_the_servers_answer() {
    // The server asks for no wait at all, four times: the client made every attempt it may, so
    // the error is the answer itself, not a request to come back later.
    let server = MockServer::start().await;
    server.default_reply(Reply::json(503, vendor_errors::MAINTENANCE).with_header("retry-after", "0"));
    let err = client(&server).execute(&ListTasks::new()).await.unwrap_err();
    assert_eq!(server.count(), 4);
    assert!(!err.is_retry_later() && err.is_maintenance() && err.is_retryable(), "{err:?}");
    assert!(matches!(err.kind(), ErrorKind::Api { status: 503, .. }), "{err:?}");
}
