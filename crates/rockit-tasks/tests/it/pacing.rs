//! How often `wait` polls: a fixed interval sets the pace, the backoff doubles up to its maximum,
//! and a poll that keeps failing at the deadline ends the wait.
//!
//! These tests run on real time (the emulator's clock is frozen; the waiter's is not), so they
//! assert only what holds however slow the machine is: a loaded machine polls less often, never
//! more. Every wait is bounded by a request count and a generous time limit, so a waiter that
//! runs away fails fast instead of hanging.

use std::time::Duration;

use rockit_emulator::{Fault, Matcher, demo};
use rockit_tasks::{WaitOptions, WaitOutcome};

use crate::support::{self, name};

#[tokio::test]
async fn a_fixed_interval_sets_the_pace() {
    let (emulator, tasks) = support::demo().await;
    let stuck = name(demo::STUCK_UPLOAD);
    let options = WaitOptions::new().interval(Duration::from_millis(10)).timeout(Duration::from_millis(400));
    let wait = support::bounded(&emulator, 100, tasks.wait(&stuck, options));
    let outcome = support::within(wait).await.unwrap();
    assert!(matches!(outcome, WaitOutcome::TimedOut { .. }), "{outcome:?}");
    // 41 polls on an idle machine; the default interval of 1 s would allow 2.
    let polls = emulator.request_count();
    assert!(polls >= 6, "{polls} polls in 400 ms at one every 10 ms");
}

#[tokio::test]
async fn the_backoff_doubles_up_to_the_maximum() {
    let (emulator, tasks) = support::demo().await;
    let stuck = name(demo::STUCK_UPLOAD);
    let options = WaitOptions::new()
        .min_interval(Duration::from_millis(10))
        .max_interval(Duration::from_secs(1))
        .timeout(Duration::from_millis(700));
    let wait = support::bounded(&emulator, 100, tasks.wait(&stuck, options));
    let outcome = support::within(wait).await.unwrap();
    assert!(matches!(outcome, WaitOutcome::TimedOut { .. }), "{outcome:?}");
    // Polls at 0, 10, 30, 70, 150, 310 and 630 ms, and a last look at 700 ms: at most 8, however
    // slowly the machine answers. Without the doubling there would be about 70.
    let polls = emulator.request_count();
    assert!((3..=8).contains(&polls), "{polls} polls");
}

#[tokio::test]
async fn the_maximum_interval_caps_the_backoff() {
    let (emulator, tasks) = support::demo().await;
    let stuck = name(demo::STUCK_UPLOAD);
    let options = WaitOptions::new()
        .min_interval(Duration::from_millis(10))
        .max_interval(Duration::from_millis(20))
        .timeout(Duration::from_millis(400));
    let wait = support::bounded(&emulator, 100, tasks.wait(&stuck, options));
    support::within(wait).await.unwrap();
    // At most one poll every 20 ms: about 21; a backoff without the cap would make 7.
    let polls = emulator.request_count();
    assert!(polls >= 9, "{polls} polls");
}

#[tokio::test]
async fn a_poll_that_keeps_failing_at_the_deadline_ends_the_wait() {
    let (emulator, tasks) = support::demo().await;
    let stuck = name(demo::STUCK_UPLOAD);
    // Every poll fails with a 503, retried by the transport and then by the waiter, until the
    // deadline: then the last look fails too, and the wait is over.
    emulator.script(Matcher::get_task(), 10_000, Fault::Unavailable);
    let options = WaitOptions::new().interval(Duration::from_millis(20)).timeout(Duration::from_millis(200));
    let wait = support::bounded(&emulator, 500, tasks.wait(&stuck, options));
    let outcome = support::within(wait).await.unwrap();
    let WaitOutcome::TimedOut { last, .. } = &outcome else { panic!("{outcome:?}") };
    assert!(last.is_none(), "no poll succeeded");
}
