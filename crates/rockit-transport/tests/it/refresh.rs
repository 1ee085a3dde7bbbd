//! A `401 token-expired` makes the provider refresh once and the request repeat once.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use rockit_model::{ApiStatus, ListTasks};
use rockit_test_support::mock::{MockServer, Reply};
use rockit_transport::{Client, CredentialFuture, CredentialProvider, Credentials};

use crate::support::{LIST_OK, TOKEN};

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

fn expired() -> Reply {
    Reply::json(401, r#"{"status":"token-expired","message":"log in again"}"#)
}

#[tokio::test]
async fn one_expiry_refreshes_once_and_repeats_once() {
    let server = MockServer::start().await;
    server.script([expired(), Reply::json(200, LIST_OK)]);
    let provider = Counting::default();
    let client =
        Client::builder().base_url(server.url()).credential_provider(provider.clone()).build().unwrap();
    client.execute(&ListTasks::new()).await.unwrap();
    assert_eq!(provider.refreshes.load(Ordering::SeqCst), 1);
    let tokens: Vec<_> =
        server.requests().iter().map(|r| r.header("x-rockit-beauth-token").unwrap().to_owned()).collect();
    assert_eq!(tokens, [format!("{TOKEN}-0"), format!("{TOKEN}-1")]);
}

#[tokio::test]
async fn a_second_expiry_is_returned() {
    let server = MockServer::start().await;
    server.default_reply(expired());
    let provider = Counting::default();
    let client =
        Client::builder().base_url(server.url()).credential_provider(provider.clone()).build().unwrap();
    let err = client.execute(&ListTasks::new()).await.unwrap_err();
    assert_eq!(err.api_code(), Some(&ApiStatus::TokenExpired));
    assert_eq!(err.status(), Some(401));
    assert!(err.is_auth());
    assert_eq!(provider.refreshes.load(Ordering::SeqCst), 1);
    assert_eq!(server.count(), 2);
    assert_eq!(err.to_string(), "GET /be/v1/tasks: 401 token-expired: log in again (after 2 attempts)");
}

#[tokio::test]
async fn static_credentials_cannot_refresh() {
    let server = MockServer::start().await;
    server.default_reply(expired());
    let client =
        Client::builder().base_url(server.url()).credentials(Credentials::token(TOKEN)).build().unwrap();
    let err = client.execute(&ListTasks::new()).await.unwrap_err();
    assert_eq!(err.api_code(), Some(&ApiStatus::TokenExpired), "the server's answer is kept: {err}");
    assert!(err.is_auth());
    let cause = std::error::Error::source(&err).expect("the refresh failure is the cause").to_string();
    assert!(cause.contains("cannot refresh it; log in again"), "{cause}");
    assert_eq!(server.count(), 1);
}
