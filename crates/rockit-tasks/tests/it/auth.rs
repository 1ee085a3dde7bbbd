//! Permission errors, and token refresh in the middle of a stream.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures_util::StreamExt;
use rockit_emulator::{Emulator, Fixture, demo};
use rockit_model::ListTasks;
use rockit_tasks::Tasks;
use rockit_transport::{Client, CredentialFuture, CredentialProvider, Credentials};

use crate::support::{self, name, numbered, numbered_name};

#[tokio::test]
async fn a_read_only_credential_gets_a_typed_permission_error() {
    let (emulator, _) = support::demo().await;
    let viewer = Tasks::new(
        Client::builder()
            .base_url(emulator.base_url())
            .credentials(Credentials::api_key(demo::ORG, demo::VIEWER_USER, demo::VIEWER_API_KEY))
            .build()
            .unwrap(),
    );
    viewer.get(&name(demo::STUCK_UPLOAD)).await.unwrap();
    let err = viewer.acknowledge(&name(demo::STUCK_UPLOAD)).await.unwrap_err();
    assert!(err.is_auth(), "{err}");
    assert_eq!(err.transport_error().unwrap().status(), Some(403));
    assert!(
        err.to_string()
            .starts_with("acknowledge exampleorg-sushi-0002-1733149403-dltar: PATCH /be/v1/tasks: 403")
    );
    assert!(!emulator.task(demo::STUCK_UPLOAD).unwrap().acknowledged.unwrap_or(false));
}

/// Mints a new token from the emulator whenever the old one expires.
struct Relogin {
    emulator: Arc<Emulator>,
    current: std::sync::Mutex<String>,
    refreshes: AtomicUsize,
}

impl CredentialProvider for Relogin {
    fn credentials(&self) -> CredentialFuture<'_> {
        let token = self.current.lock().unwrap().clone();
        Box::pin(async move { Ok(Credentials::token_for_org(token, demo::ORG)) })
    }

    fn refresh(&self) -> CredentialFuture<'_> {
        let token = self.emulator.issue_token(demo::USER, ["tasks.read", "tasks.update"]);
        self.current.lock().unwrap().clone_from(&token);
        self.refreshes.fetch_add(1, Ordering::SeqCst);
        Box::pin(async move { Ok(Credentials::token_for_org(token, demo::ORG)) })
    }
}

#[tokio::test]
async fn an_expiring_token_is_refreshed_mid_stream_without_losing_or_repeating_items() {
    let emulator = Arc::new(
        Emulator::builder()
            .fixture(Fixture::tasks(numbered(100)))
            .demo_credentials()
            .token_ttl(Some(Duration::from_secs(300)))
            .speed(0.0)
            .start()
            .await
            .unwrap(),
    );
    let first = emulator.issue_token(demo::USER, ["tasks.read"]);
    let provider = Arc::new(Relogin {
        emulator: emulator.clone(),
        current: first.into(),
        refreshes: AtomicUsize::new(0),
    });
    let client = Client::builder()
        .base_url(emulator.base_url())
        .credential_provider(provider.clone())
        .build()
        .unwrap();
    let tasks = Tasks::new(client);
    let mut stream = tasks.stream(ListTasks::new().limit(10));
    let mut seen = Vec::new();
    support::within(async {
        while let Some(task) = stream.next().await {
            seen.push(task.unwrap().name);
            if seen.len() == 35 {
                emulator.advance(Duration::from_secs(301));
            }
        }
    })
    .await;
    assert_eq!(seen, (0..100).map(|i| numbered_name(i, "dltar")).collect::<Vec<_>>());
    assert_eq!(provider.refreshes.load(Ordering::SeqCst), 1);
    assert!(emulator.requests().iter().any(|r| r.status == Some(401)));
}
