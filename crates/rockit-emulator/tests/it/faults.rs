//! Injected faults: scripted ones for exact tests, random ones at a seeded rate, and what each
//! does to the store.

use std::time::Duration;

use rockit_emulator::{Emulator, Fault, Faults, Matcher, demo};
use rockit_model::Method;
use rockit_test_support::vendor_errors;
use serde_json::json;

use crate::client::{Client, Outcome};
use crate::{demo_builder, start_demo};

fn expire_body() -> String {
    json!({"name": demo::STUCK_UPLOAD, "expired": true}).to_string()
}

#[tokio::test]
async fn scripted_faults_hit_the_next_matching_requests_only() {
    let emulator = start_demo().await;
    emulator.script(Matcher::list_tasks(), 2, Fault::Unavailable);
    let client = Client::admin(&emulator);
    let details = format!("/be/v1/tasks/{}", demo::STUCK_UPLOAD);
    let first = client.get("/be/v1/tasks").await;
    assert_eq!(first.status, 503);
    assert_eq!(
        first.json(),
        json!({"status": "failed", "error": "unavailable", "message": "the service is unavailable (injected fault); retry later"})
    );
    assert_eq!(client.get(&details).await.status, 200, "another route is not affected");
    assert_eq!(client.get("/be/v1/tasks?limit=3").await.status, 503);
    assert_eq!(client.get("/be/v1/tasks").await.status, 200);

    let statuses: Vec<_> = emulator.requests().iter().map(|request| request.status).collect();
    assert_eq!(statuses, [Some(503), Some(200), Some(503), Some(200)]);
    let counters = emulator.counters();
    assert_eq!(
        (counters.requests, counters.faults, counters.status(503), counters.status(200)),
        (4, 2, 2, 2)
    );
}

#[tokio::test]
async fn rate_limits_carry_retry_after() {
    let emulator = start_demo().await;
    emulator.script(Matcher::any(), 1, Fault::RateLimited { retry_after: Duration::ZERO });
    emulator.script(Matcher::any(), 1, Fault::RateLimited { retry_after: Duration::from_millis(1500) });
    emulator.script(Matcher::any(), 1, Fault::rate_limited());
    let client = Client::admin(&emulator);
    for expected in ["0", "2", "1"] {
        let response = client.get("/be/v1/tasks").await;
        assert_eq!(response.status, 429);
        assert_eq!(response.header("retry-after"), Some(expected));
        assert_eq!(response.header("content-type"), Some("application/json"));
        // The vendor firewall's body, byte for byte, whatever the Retry-After.
        assert_eq!(String::from_utf8(response.body).unwrap(), vendor_errors::RATE_LIMITED);
    }
}

#[tokio::test]
async fn faults_strike_before_authentication_and_state_changes() {
    let emulator = start_demo().await;
    emulator.script(Matcher::update_task(), 1, Fault::Unavailable);
    let anonymous = Client::anonymous(emulator.addr());
    assert_eq!(anonymous.patch(&expire_body()).await.status, 503);
    emulator.script(Matcher::update_task(), 1, Fault::Unavailable);
    assert_eq!(Client::admin(&emulator).patch(&expire_body()).await.status, 503);
    assert_eq!(
        emulator.task(demo::STUCK_UPLOAD).unwrap().expired,
        Some(false),
        "a faulted PATCH changes nothing"
    );
}

#[tokio::test]
async fn a_dropped_connection_gets_no_answer_and_changes_nothing() {
    let emulator = start_demo().await;
    emulator.script(Matcher::update_task(), 1, Fault::Drop);
    let client = Client::admin(&emulator);
    let outcome = client.send("PATCH", "/be/v1/tasks", expire_body().as_bytes()).await;
    assert!(matches!(outcome, Outcome::NoResponse), "{outcome:?}");
    assert_eq!(emulator.task(demo::STUCK_UPLOAD).unwrap().expired, Some(false));
    let logged = emulator.requests().pop().unwrap();
    assert_eq!((logged.status, logged.fault), (None, Some(Fault::Drop)));
    assert_eq!(emulator.counters().dropped, 1);
    // The next attempt goes through.
    assert_eq!(client.patch(&expire_body()).await.status, 200);
}

#[tokio::test]
async fn drop_after_apply_loses_the_answer_of_an_applied_request() {
    let emulator = start_demo().await;
    emulator.script(Matcher::update_task(), 1, Fault::DropAfterApply);
    let client = Client::admin(&emulator);
    let outcome = client.send("PATCH", "/be/v1/tasks", expire_body().as_bytes()).await;
    assert!(matches!(outcome, Outcome::NoResponse), "{outcome:?}");
    let expired = emulator.task(demo::STUCK_UPLOAD).unwrap();
    assert_eq!(expired.expired, Some(true), "the request was applied");
    // The client's retry is harmless: expiring is idempotent.
    assert_eq!(client.patch(&expire_body()).await.status, 200);
    assert_eq!(emulator.task(demo::STUCK_UPLOAD).unwrap(), expired);
}

#[tokio::test]
async fn a_truncated_body_stops_half_way() {
    let emulator = start_demo().await;
    emulator.script(Matcher::list_tasks(), 1, Fault::Truncate);
    let client = Client::admin(&emulator);
    let full = client.send("GET", "/be/v1/tasks?limit=2", b"").await;
    let Outcome::Truncated { head, body_received, content_length } = full else {
        panic!("expected a truncated response, got {full:?}")
    };
    assert!(head.starts_with("HTTP/1.1 200 OK"), "{head}");
    assert_eq!(body_received, content_length / 2);
    let complete = client.get("/be/v1/tasks?limit=2").await;
    assert_eq!(complete.body.len(), content_length);
    let logged = &emulator.requests()[0];
    assert_eq!((logged.status, logged.fault.clone()), (Some(200), Some(Fault::Truncate)));

    // A truncated PATCH was served, so it applied.
    emulator.script(Matcher::update_task(), 1, Fault::Truncate);
    let outcome = client.send("PATCH", "/be/v1/tasks", expire_body().as_bytes()).await;
    assert!(matches!(outcome, Outcome::Truncated { .. }), "{outcome:?}");
    assert_eq!(emulator.task(demo::STUCK_UPLOAD).unwrap().expired, Some(true));
}

#[tokio::test]
async fn delays_and_latency_still_answer() {
    let emulator = demo_builder().latency(Duration::from_millis(1)).start().await.unwrap();
    emulator.script(Matcher::get_task(), 1, Fault::Delay(Duration::from_millis(5)));
    let client = Client::admin(&emulator);
    let response = client.get(&format!("/be/v1/tasks/{}", demo::STUCK_UPLOAD)).await;
    assert_eq!(response.status, 200);
    emulator.set_latency(Duration::ZERO);
    assert_eq!(emulator.requests()[0].fault, Some(Fault::Delay(Duration::from_millis(5))));
}

#[tokio::test]
async fn scripts_match_by_method_and_path_and_can_be_cleared() {
    let emulator = start_demo().await;
    emulator.script(Matcher::new(Method::Get, "/be/v1/tasks/nope"), 1, Fault::Unavailable);
    emulator.script(
        Matcher::path_prefix("/be/v1/tasks/"),
        5,
        Fault::RateLimited { retry_after: Duration::ZERO },
    );
    let client = Client::admin(&emulator);
    assert_eq!(client.get("/be/v1/tasks").await.status, 200);
    assert_eq!(client.get("/be/v1/tasks/nope").await.status, 503);
    assert_eq!(client.get("/be/v1/tasks/nope").await.status, 429);
    emulator.clear_scripts();
    assert_eq!(client.get("/be/v1/tasks/nope").await.status, 404);
}

/// Sends `count` list requests one after another; returns each one's outcome as a short label.
async fn labels(emulator: &Emulator, count: usize) -> Vec<&'static str> {
    let client = Client::admin(emulator);
    let mut labels = Vec::with_capacity(count);
    for _ in 0..count {
        labels.push(match client.send("GET", "/be/v1/tasks?limit=1", b"").await {
            Outcome::Complete(response) if response.status == 200 => "ok",
            Outcome::Complete(response) if response.status == 503 => "503",
            Outcome::Complete(response) if response.status == 429 => "429",
            Outcome::Complete(response) => panic!("unexpected status {}", response.status),
            Outcome::NoResponse => "dropped",
            Outcome::Truncated { .. } => "truncated",
        });
    }
    labels
}

fn every_kind(rate: f64, seed: u64) -> Faults {
    Faults::new(rate).seed(seed).mix([
        (Fault::Unavailable, 1),
        (Fault::RateLimited { retry_after: Duration::ZERO }, 1),
        (Fault::Delay(Duration::from_millis(1)), 1),
        (Fault::Drop, 1),
        (Fault::Truncate, 1),
    ])
}

#[tokio::test]
async fn random_faults_occur_at_the_rate_and_repeat_under_a_seed() {
    const REQUESTS: usize = 400;
    let first = demo_builder().faults(every_kind(0.3, 7)).start().await.unwrap();
    let outcomes = labels(&first, REQUESTS).await;
    let faulted = first.counters().faults;
    assert!((80..=160).contains(&faulted), "{faulted} faults in {REQUESTS} requests at rate 0.3");
    for label in ["503", "429", "dropped", "truncated"] {
        let count = outcomes.iter().filter(|outcome| **outcome == label).count();
        assert!((8..=50).contains(&count), "{count} × {label}");
    }
    // What the client saw matches what the emulator logged, request by request.
    for (outcome, request) in outcomes.iter().zip(first.requests()) {
        let expected = match request.fault {
            None | Some(Fault::Delay(_)) => "ok",
            Some(Fault::Unavailable) => "503",
            Some(Fault::RateLimited { .. }) => "429",
            Some(Fault::Drop) => "dropped",
            Some(Fault::Truncate) => "truncated",
            Some(other) => panic!("unexpected fault {other:?}"),
        };
        assert_eq!(*outcome, expected, "request {}", request.id);
    }

    let same_seed = demo_builder().faults(every_kind(0.3, 7)).start().await.unwrap();
    assert_eq!(labels(&same_seed, REQUESTS).await, outcomes, "the same seed gives the same faults");
    let other_seed = demo_builder().faults(every_kind(0.3, 8)).start().await.unwrap();
    assert_ne!(labels(&other_seed, REQUESTS).await, outcomes);
}

#[tokio::test]
async fn fault_settings_change_at_run_time() {
    let emulator = start_demo().await;
    emulator.set_faults(Faults::new(1.0).mix([(Fault::Unavailable, 1)])).unwrap();
    assert_eq!(labels(&emulator, 3).await, ["503", "503", "503"]);
    emulator.set_faults(Faults::none()).unwrap();
    assert_eq!(labels(&emulator, 2).await, ["ok", "ok"]);
    assert!(emulator.set_faults(Faults::new(2.0)).is_err());
    assert!(Emulator::builder().faults(Faults::new(-0.1)).start().await.is_err());
}
