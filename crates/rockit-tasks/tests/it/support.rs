//! Emulators and clients for the Tasks tests.

use std::time::Duration;

use rockit_emulator::{Emulator, Fixture, demo};
use rockit_model::{Service, TaskName, TaskStatus};
use rockit_tasks::Tasks;
use rockit_transport::{Client, ClientBuilder, Credentials, RetryPolicy};

/// A builder for `emulator` with the demo admin's API key and fast retries.
pub(crate) fn builder(emulator: &Emulator) -> ClientBuilder {
    Client::builder()
        .base_url(emulator.base_url())
        .credentials(Credentials::api_key(demo::ORG, demo::USER, demo::API_KEY))
        .retry_policy(
            RetryPolicy::default().base_delay(Duration::from_millis(2)).max_delay(Duration::from_millis(20)),
        )
}

/// A Tasks client for a scripted mock server: an API key and no retries, so each reply the server
/// is given reaches the code under test.
pub(crate) fn mock_tasks(server: &rockit_test_support::mock::MockServer) -> Tasks {
    Tasks::new(
        Client::builder()
            .base_url(server.url())
            .credentials(Credentials::api_key("ExampleOrg", "admin", "k"))
            .retry_policy(RetryPolicy::none())
            .build()
            .unwrap(),
    )
}

pub(crate) fn tasks(emulator: &Emulator) -> Tasks {
    Tasks::new(builder(emulator).build().unwrap())
}

/// The demo fixture on a frozen clock, and a client for it.
pub(crate) async fn demo() -> (Emulator, Tasks) {
    let emulator = Emulator::builder().fixture(Fixture::demo()).speed(0.0).start().await.unwrap();
    let tasks = tasks(&emulator);
    (emulator, tasks)
}

/// `count` tasks named `acme-game-NNNN-<created>-dltar`, whose name order is their number order.
pub(crate) fn numbered(count: usize) -> Vec<rockit_emulator::Task> {
    (0..count)
        .map(|i| rockit_emulator::Task::new(numbered_name(i, "dltar"), Service::Engine, TaskStatus::Done))
        .collect()
}

pub(crate) fn numbered_name(i: usize, kind: &str) -> TaskName {
    format!("acme-game-{i:04}-{}-{kind}", 1_700_000_000 + i).parse().unwrap()
}

pub(crate) fn name(raw: &str) -> TaskName {
    raw.parse().unwrap()
}

/// Runs `work`, failing the test as soon as `emulator` has answered more than `max_requests`
/// requests: a listing that runs away fails at once instead of hanging until the harness gives up.
pub(crate) async fn bounded<T>(emulator: &Emulator, max_requests: u64, work: impl Future<Output = T>) -> T {
    tokio::select! {
        out = work => out,
        () = emulator.wait_for_requests(max_requests + 1) => {
            panic!("more than {max_requests} requests: the listing ran away")
        }
    }
}

/// Awaits `work` for at most 20 s of real time: far longer than any test here waits, far shorter
/// than the mutation harness's patience, so a wait that runs away fails fast instead of hanging.
pub(crate) async fn within<T>(work: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(20), work).await.expect("finished within 20 s")
}
