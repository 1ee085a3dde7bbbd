//! Only `401 token-expired` refreshes credentials: a plain `401 unauthorized` (a wrong key, a
//! revoked token) is returned at once, without asking the provider for new credentials and without
//! a second request.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use rockit_model::{ApiStatus, ListTasks, UpdateTask};
use rockit_test_support::mock::{MockServer, Reply};
use rockit_transport::{Client, CredentialFuture, CredentialProvider, Credentials};

use crate::support::TOKEN;

/// Counts how often it is asked for credentials and for fresh ones.
#[derive(Clone, Default)]
struct Counting {
    asked: Arc<AtomicUsize>,
    refreshes: Arc<AtomicUsize>,
}

impl CredentialProvider for Counting {
    fn credentials(&self) -> CredentialFuture<'_> {
        self.asked.fetch_add(1, Ordering::SeqCst);
        Box::pin(async { Ok(Credentials::token(TOKEN)) })
    }

    fn refresh(&self) -> CredentialFuture<'_> {
        self.refreshes.fetch_add(1, Ordering::SeqCst);
        Box::pin(async { Ok(Credentials::token(format!("{TOKEN}-fresh"))) })
    }
}

#[tokio::test]
async fn a_plain_401_does_not_refresh_or_repeat() {
    let server = MockServer::start().await;
    server.default_reply(Reply::json(401, r#"{"status":"unauthorized","message":"unknown token"}"#));
    let provider = Counting::default();
    let client =
        Client::builder().base_url(server.url()).credential_provider(provider.clone()).build().unwrap();

    let list = client.execute(&ListTasks::new()).await.unwrap_err();
    let update = client.execute(&UpdateTask::acknowledge("x".parse().unwrap())).await.unwrap_err();
    for err in [&list, &update] {
        assert_eq!(err.status(), Some(401));
        assert_eq!(err.api_code(), Some(&ApiStatus::Unauthorized), "{err}");
        assert!(err.is_auth());
        assert_eq!(err.attempts(), 1, "{err}");
    }
    assert_eq!(provider.refreshes.load(Ordering::SeqCst), 0, "no refresh for a plain 401");
    assert_eq!(provider.asked.load(Ordering::SeqCst), 2, "credentials asked once per call");
    assert_eq!(server.count(), 2, "one request per call");
    assert!(
        server.requests().iter().all(|r| r.header("x-rockit-beauth-token") == Some(TOKEN)),
        "no fresh token was ever sent"
    );

    // The same server saying `token-expired` does make the provider refresh: the provider and the
    // counting are not what kept the plain 401 from refreshing.
    server.script([
        Reply::json(401, r#"{"status":"token-expired"}"#),
        Reply::json(200, crate::support::LIST_OK),
    ]);
    client.execute(&ListTasks::new()).await.unwrap();
    assert_eq!(provider.refreshes.load(Ordering::SeqCst), 1);
    assert_eq!(server.count(), 4);
}
