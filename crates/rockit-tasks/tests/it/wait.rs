//! `wait` and `watch` under the emulator's controlled clock.

use std::time::Duration;

use futures_util::StreamExt;
use rockit_emulator::demo;
use rockit_model::TaskStatus;
use rockit_tasks::{Error, TaskEvent, WaitOptions, WaitOutcome};

use crate::support::{self, name};

fn fast() -> WaitOptions {
    WaitOptions::new().min_interval(Duration::from_millis(5)).max_interval(Duration::from_millis(20))
}

#[tokio::test]
async fn wait_reaches_done_when_the_clock_moves() {
    let (emulator, tasks) = support::demo().await;
    let running = name(demo::RUNNING_DOWNLOAD);
    let mut waiter = tokio::spawn({
        let tasks = tasks.clone();
        let running = running.clone();
        async move { tasks.wait(&running, fast().timeout(Duration::from_secs(30))).await }
    });
    // Once the waiter has seen the task running, let the emulator's clock pass its finish time.
    tokio::select! {
        () = support::within(emulator.wait_for_requests(2)) => {}
        early = &mut waiter => panic!("the wait ended before the clock moved: {early:?}"),
    }
    assert_eq!(emulator.task(running.as_str()).unwrap().status, TaskStatus::Running);
    emulator.advance(demo::RUNNING_FINISHES_AFTER);
    let outcome = support::within(waiter).await.unwrap().unwrap();
    let WaitOutcome::Succeeded(details) = &outcome else { panic!("{outcome:?}") };
    assert_eq!(details.status, TaskStatus::Done);
    assert!(outcome.is_success());
}

#[tokio::test]
async fn wait_reports_a_failure_with_its_exception() {
    let (_emulator, tasks) = support::demo().await;
    let outcome = support::within(tasks.wait(&name(demo::FAILED_DOWNLOAD), fast())).await.unwrap();
    let WaitOutcome::Failed(details) = &outcome else { panic!("{outcome:?}") };
    assert!(details.exception.as_ref().unwrap().http_download_failed().is_some());
    let err = outcome.into_result().unwrap_err();
    assert!(matches!(err, Error::TaskFailed { .. }));
    assert!(err.is_failed() && !err.is_timeout() && !err.is_retryable(), "{err:?}");
    assert_eq!(
        err.to_string(),
        "task exampleorg-sushi-0003-1733240117-dltar ended failed: download failed (HTTP 200, exit code 18, 1073741824 of 2147483648 bytes)"
    );
}

#[tokio::test]
async fn wait_times_out_cleanly_with_the_last_details() {
    let (_emulator, tasks) = support::demo().await;
    let stuck = name(demo::STUCK_UPLOAD);
    let outcome =
        support::within(tasks.wait(&stuck, fast().timeout(Duration::from_millis(150)))).await.unwrap();
    let WaitOutcome::TimedOut { name: timed_out, last, waited } = &outcome else { panic!("{outcome:?}") };
    assert_eq!(timed_out, &stuck);
    assert_eq!(last.as_ref().unwrap().status, TaskStatus::Pending);
    assert!(*waited >= Duration::from_millis(150));
    let err = outcome.into_result().unwrap_err();
    assert!(err.to_string().ends_with("; it was still pending"), "{err}");
    assert!(err.is_timeout() && !err.is_failed(), "{err:?}");
}

#[tokio::test]
async fn wait_until_a_predicate_holds() {
    let (emulator, tasks) = support::demo().await;
    let stuck = name(demo::STUCK_UPLOAD);
    let options = fast().until_matches(|details| details.acknowledged == Some(true));
    let waiter = tokio::spawn({
        let tasks = tasks.clone();
        let stuck = stuck.clone();
        async move { tasks.wait(&stuck, options).await }
    });
    support::within(emulator.wait_for_requests(1)).await;
    tasks.acknowledge(&stuck).await.unwrap();
    let outcome = support::within(waiter).await.unwrap().unwrap();
    assert!(matches!(outcome, WaitOutcome::Matched(_)), "{outcome:?}");
}

#[tokio::test]
async fn watch_yields_each_transition_in_order() {
    let (emulator, tasks) = support::demo().await;
    let mut watch = tasks.watch(&name(demo::RUNNING_DOWNLOAD), fast());
    let first = support::within(watch.next()).await.unwrap().unwrap();
    assert!(
        matches!(&first, TaskEvent::Changed(details) if details.status == TaskStatus::Running),
        "{first:?}"
    );
    emulator.advance(demo::RUNNING_FINISHES_AFTER);
    // The last item carries the outcome, with the details it ended on.
    let second = support::within(watch.next()).await.unwrap().unwrap();
    let TaskEvent::Finished(WaitOutcome::Succeeded(details)) = &second else { panic!("{second:?}") };
    assert_eq!(details.status, TaskStatus::Done);
    assert_eq!(second.details().map(|details| &details.status), Some(&TaskStatus::Done));
    assert!(support::within(watch.next()).await.is_none());
}

#[tokio::test]
async fn watch_ends_with_the_timeout_as_its_outcome() {
    let (_emulator, tasks) = support::demo().await;
    let mut watch = tasks.watch(&name(demo::STUCK_UPLOAD), fast().timeout(Duration::from_millis(100)));
    let first = support::within(watch.next()).await.unwrap().unwrap();
    assert_eq!(first.details().map(|details| &details.status), Some(&TaskStatus::Pending));
    // A timeout is an outcome like the others, not an error; `into_result` makes it one.
    let last = support::within(watch.next()).await.unwrap().unwrap();
    let TaskEvent::Finished(outcome) = last else { panic!("{last:?}") };
    assert!(matches!(outcome, WaitOutcome::TimedOut { .. }), "{outcome:?}");
    let err = outcome.into_result().unwrap_err();
    assert!(matches!(err, Error::WaitTimedOut { .. }), "{err}");
    assert!(support::within(watch.next()).await.is_none());
}

#[tokio::test]
async fn a_task_that_finishes_during_the_last_pause_is_seen_finished() {
    let (emulator, tasks) = support::demo().await;
    let running = name(demo::RUNNING_DOWNLOAD);
    // One poll at the start, then a pause that the deadline cuts short: the task finishes during
    // that pause, and the last look at the deadline must report it done, not timed out.
    let options = WaitOptions::new().interval(Duration::from_secs(10)).timeout(Duration::from_millis(300));
    let waiter = tokio::spawn({
        let tasks = tasks.clone();
        let running = running.clone();
        async move { tasks.wait(&running, options).await }
    });
    support::within(emulator.wait_for_requests(1)).await;
    emulator.advance(demo::RUNNING_FINISHES_AFTER);
    let outcome = support::within(waiter).await.unwrap().unwrap();
    assert!(matches!(outcome, WaitOutcome::Succeeded(_)), "{outcome:?}");
    assert_eq!(emulator.request_count(), 2, "one poll, then one last look");
}

#[tokio::test]
async fn a_server_that_stays_down_until_the_deadline_ends_the_wait_as_timed_out() {
    let (emulator, _) = support::demo().await;
    // No retries in the client: every 503 reaches the waiter, the last one at its deadline.
    let tasks = rockit_tasks::Tasks::new(
        support::builder(&emulator).retry_policy(rockit_transport::RetryPolicy::none()).build().unwrap(),
    );
    emulator.script(rockit_emulator::Matcher::get_task(), 100_000, rockit_emulator::Fault::Unavailable);
    let stuck = name(demo::STUCK_UPLOAD);
    let outcome =
        support::within(tasks.wait(&stuck, fast().timeout(Duration::from_millis(150)))).await.unwrap();
    let WaitOutcome::TimedOut { last, waited, .. } = &outcome else { panic!("{outcome:?}") };
    assert!(last.is_none(), "never seen: {last:?}");
    assert!(*waited >= Duration::from_millis(150));
    assert!(emulator.counters().status(503) >= 2, "{:?}", emulator.counters());
}
