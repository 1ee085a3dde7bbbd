//! Injected latency is really waited: `EmulatorBuilder::latency`, `Emulator::set_latency` and a
//! scripted `Fault::Delay` each hold the answer at least as long as asked. Only lower bounds on
//! elapsed time are checked, which a slow machine cannot break.

use std::time::{Duration, Instant};

use rockit_emulator::{Fault, Matcher, demo};

use crate::client::Client;
use crate::demo_builder;

const HOLD: Duration = Duration::from_millis(300);

/// Sends `GET path` and returns the status and how long the answer took.
async fn timed_get(client: &Client, path: &str) -> (u16, Duration) {
    let started = Instant::now();
    let response = client.get(path).await;
    (response.status, started.elapsed())
}

#[tokio::test]
async fn builder_latency_holds_every_answer() {
    let emulator = demo_builder().latency(HOLD).start().await.unwrap();
    let client = Client::admin(&emulator);
    for path in ["/be/v1/tasks", &format!("/be/v1/tasks/{}", demo::STUCK_UPLOAD), "/be/v1/nowhere"] {
        let (status, took) = timed_get(&client, path).await;
        assert!(took >= HOLD, "{path} answered {status} after only {took:?}");
    }
    assert_eq!(emulator.request_count(), 3);
}

#[tokio::test]
async fn latency_set_on_a_running_emulator_holds_later_answers() {
    let emulator = demo_builder().start().await.unwrap();
    let client = Client::admin(&emulator);
    emulator.set_latency(HOLD);
    let (status, took) = timed_get(&client, "/be/v1/tasks").await;
    assert_eq!(status, 200);
    assert!(took >= HOLD, "answered after only {took:?}");
}

#[tokio::test]
async fn a_scripted_delay_holds_the_matching_request_then_serves_it() {
    let emulator = demo_builder().start().await.unwrap();
    let client = Client::admin(&emulator);
    emulator.script(Matcher::get_task(), 1, Fault::Delay(HOLD));
    let (status, took) = timed_get(&client, &format!("/be/v1/tasks/{}", demo::STUCK_UPLOAD)).await;
    assert_eq!(status, 200, "served after the delay");
    assert!(took >= HOLD, "answered after only {took:?}");
    let logged = emulator.requests();
    assert_eq!(logged.len(), 1);
    assert_eq!(logged[0].fault, Some(Fault::Delay(HOLD)));
    assert_eq!(logged[0].status, Some(200));
}
