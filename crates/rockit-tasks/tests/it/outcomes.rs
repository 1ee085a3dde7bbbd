//! How a wait ends when something goes wrong or a predicate holds: a transient failure is polled
//! through, a missing task is an error at once, and a failure or a timeout is not a success.
//! Every wait is bounded by a request count and a time limit, so a waiter that runs away fails
//! fast instead of hanging.

use std::time::Duration;

use rockit_emulator::{Fault, Matcher, demo};
use rockit_model::TaskStatus;
use rockit_tasks::{WaitOptions, WaitOutcome};

use crate::support::{self, name};

fn fast() -> WaitOptions {
    WaitOptions::new().interval(Duration::from_millis(5)).timeout(Duration::from_secs(10))
}

#[tokio::test]
async fn a_poll_that_fails_transiently_is_polled_again() {
    let (emulator, tasks) = support::demo().await;
    let failed = name(demo::FAILED_DOWNLOAD);
    // The first poll fails all four of the transport's attempts; the waiter polls again.
    emulator.script(Matcher::get_task(), 4, Fault::Unavailable);
    let wait = support::bounded(&emulator, 50, tasks.wait(&failed, fast()));
    let outcome = support::within(wait).await.unwrap();
    assert!(matches!(outcome, WaitOutcome::Failed(_)), "{outcome:?}");
    assert!(!outcome.is_success());
    assert_eq!(emulator.request_count(), 5);
}

#[tokio::test]
async fn a_missing_task_is_an_error_at_once() {
    let (emulator, tasks) = support::demo().await;
    let missing = name("exampleorg-sushi-0009-1733240117-dltar");
    let wait = support::bounded(&emulator, 50, tasks.wait(&missing, fast()));
    let err = support::within(wait).await.unwrap_err();
    assert!(err.is_not_found(), "{err}");
    assert_eq!(emulator.request_count(), 1, "a 404 is neither retried nor polled again");
}

#[tokio::test]
async fn a_timed_out_wait_is_not_a_success() {
    let (emulator, tasks) = support::demo().await;
    let stuck = name(demo::STUCK_UPLOAD);
    let options = fast().timeout(Duration::from_millis(50));
    let wait = support::bounded(&emulator, 50, tasks.wait(&stuck, options));
    let outcome = support::within(wait).await.unwrap();
    assert!(matches!(outcome, WaitOutcome::TimedOut { .. }), "{outcome:?}");
    assert!(!outcome.is_success());
}

#[tokio::test]
async fn a_predicate_that_holds_at_once_ends_the_wait_at_once() {
    let (emulator, tasks) = support::demo().await;
    let stuck = name(demo::STUCK_UPLOAD);
    // The predicate is set first, so that every later setting must keep it.
    let options = WaitOptions::new()
        .until_matches(|details| details.status == TaskStatus::Pending)
        .interval(Duration::from_millis(5))
        .timeout(Duration::from_millis(300));
    let wait = support::bounded(&emulator, 100, tasks.wait(&stuck, options));
    let outcome = support::within(wait).await.unwrap();
    assert!(matches!(outcome, WaitOutcome::Matched(_)), "{outcome:?}");
    assert!(outcome.is_success());
    assert_eq!(emulator.request_count(), 1);
}

#[tokio::test]
async fn acknowledging_reaches_the_server() {
    let (emulator, tasks) = support::demo().await;
    let stuck = name(demo::STUCK_UPLOAD);
    assert_eq!(emulator.task(stuck.as_str()).unwrap().acknowledged, Some(false));
    tasks.acknowledge(&stuck).await.unwrap();
    assert_eq!(emulator.task(stuck.as_str()).unwrap().acknowledged, Some(true));
}

#[tokio::test]
async fn options_and_watches_print_what_they_hold() {
    let options = WaitOptions::new().interval(Duration::from_millis(5)).until_matches(|_| true);
    assert_eq!(
        format!("{options:?}"),
        "WaitOptions { pacing: Pacing { timeout: 600s, min_interval: 5ms, max_interval: 5ms }, until: Some(\"<predicate>\") }"
    );
    let (_emulator, tasks) = support::demo().await;
    let watch = tasks.watch(&name(demo::STUCK_UPLOAD), fast());
    assert_eq!(format!("{watch:?}"), "Watch { .. }");
}
