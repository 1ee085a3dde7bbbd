//! Waits through the vendor's maintenance and rate limit answers, as the emulator gives them
//! byte for byte: the wait goes on at its own pace, reports the pause once and its end once, and
//! ends as it would have; a rate limit slows the waiter down instead of failing it.

use std::time::Duration;

use futures_util::StreamExt as _;
use rockit_emulator::demo;
use rockit_model::TaskStatus;
use rockit_tasks::{
    BuildChange, BuildOutcome, BuildWaitOptions, PauseReason, TaskEvent, WaitOptions, WaitOutcome,
};

use crate::support::{self, name};

/// How many requests the emulator has answered with `status`.
fn answered(emulator: &rockit_emulator::Emulator, status: u16) -> usize {
    emulator.requests().iter().filter(|request| request.status == Some(status)).count()
}

#[tokio::test]
async fn a_task_wait_goes_on_through_maintenance_and_says_so_once() {
    let (emulator, tasks) = support::demo().await;
    let stuck = name(demo::STUCK_UPLOAD);
    emulator.set_maintenance(true);
    let options = WaitOptions::new().interval(Duration::from_millis(20)).timeout(Duration::from_secs(15));
    let events = tokio::spawn({
        let tasks = tasks.clone();
        let stuck = stuck.clone();
        async move { tasks.watch(&stuck, options).collect::<Vec<_>>().await }
    });
    // Several polls meet the maintenance answer; then the Edge is back and the task is done.
    support::within(emulator.wait_for_requests(4)).await;
    emulator.set_maintenance(false);
    emulator.update(demo::STUCK_UPLOAD, |task| task.status = TaskStatus::Done).unwrap();
    let events: Vec<TaskEvent> =
        support::within(events).await.unwrap().into_iter().map(Result::unwrap).collect();
    let paused: Vec<_> = events
        .iter()
        .filter_map(|event| match event {
            TaskEvent::Paused(pause) => Some(pause),
            _ => None,
        })
        .collect();
    assert_eq!(paused.len(), 1, "one pause however many polls met it: {events:?}");
    assert_eq!(paused[0].reason, PauseReason::Maintenance);
    assert_eq!(paused[0].retry_after, Some(Duration::from_secs(900)));
    assert!(matches!(events.first(), Some(TaskEvent::Paused(_))), "{events:?}");
    let Some(TaskEvent::Finished(WaitOutcome::Succeeded(details))) = events.last() else {
        panic!("{events:?}")
    };
    assert_eq!(details.status, TaskStatus::Done);
    assert!(answered(&emulator, 503) >= 3, "the wait kept polling through maintenance");
}

#[tokio::test]
async fn wait_and_watch_end_as_they_would_have_after_maintenance() {
    let (emulator, tasks) = support::demo().await;
    let stuck = name(demo::STUCK_UPLOAD);
    emulator.set_maintenance(true);
    let options = || WaitOptions::new().interval(Duration::from_millis(20)).timeout(Duration::from_secs(15));
    let wait = tokio::spawn({
        let (tasks, stuck) = (tasks.clone(), stuck.clone());
        async move { tasks.wait(&stuck, options()).await }
    });
    let watch = tokio::spawn({
        let (tasks, stuck) = (tasks.clone(), stuck.clone());
        async move { tasks.watch(&stuck, options()).collect::<Vec<_>>().await }
    });
    support::within(emulator.wait_for_requests(6)).await;
    emulator.set_maintenance(false);
    emulator.update(demo::STUCK_UPLOAD, |task| task.status = TaskStatus::Failed).unwrap();
    let outcome = support::within(wait).await.unwrap().unwrap();
    assert!(matches!(outcome, WaitOutcome::Failed(_)), "{outcome:?}");
    // The watch reports the pause, and ends with the same outcome, without an error.
    let events: Vec<TaskEvent> =
        support::within(watch).await.unwrap().into_iter().map(Result::unwrap).collect();
    assert!(matches!(events.first(), Some(TaskEvent::Paused(_))), "{events:?}");
    assert!(matches!(events.last(), Some(TaskEvent::Finished(WaitOutcome::Failed(_)))), "{events:?}");
}

#[tokio::test]
async fn a_wait_that_meets_only_maintenance_times_out_at_its_deadline() {
    let (emulator, tasks) = support::demo().await;
    emulator.set_maintenance(true);
    let options = WaitOptions::new().interval(Duration::from_millis(20)).timeout(Duration::from_millis(300));
    let outcome = support::within(tasks.wait(&name(demo::STUCK_UPLOAD), options)).await.unwrap();
    let WaitOutcome::TimedOut { last, .. } = &outcome else { panic!("{outcome:?}") };
    assert!(last.is_none());
    // One request per poll: the transport does not repeat what the server ruled out.
    assert_eq!(answered(&emulator, 503), emulator.requests().len());
}

#[tokio::test]
async fn a_rate_limit_slows_a_waiter_down_instead_of_failing_it() {
    let (emulator, tasks) = support::demo().await;
    // One request a second for everyone: the first poll passes, the next is limited.
    emulator.set_rate_limit(Some(1));
    let options = WaitOptions::new()
        .min_interval(Duration::from_millis(10))
        .max_interval(Duration::from_secs(1))
        .timeout(Duration::from_millis(1500));
    let events: Vec<TaskEvent> =
        support::within(tasks.watch(&name(demo::STUCK_UPLOAD), options).collect::<Vec<_>>())
            .await
            .into_iter()
            .map(Result::unwrap)
            .collect();
    assert!(matches!(events.last(), Some(TaskEvent::Finished(WaitOutcome::TimedOut { .. }))), "{events:?}");
    let pauses = events
        .iter()
        .filter(|event| matches!(event, TaskEvent::Paused(pause) if pause.reason == PauseReason::RateLimited))
        .count();
    assert_eq!(pauses, 1, "{events:?}");
    // Without slowing down, polls at 0, 10, 30, 70, … 1270 ms and a last look make 9 (more with
    // jitter); each 429 doubles the interval once more: polls at about 0, 10, 50, 210, 850 ms and
    // the last look, at most 7 with jitter, however slow the machine.
    let polls = emulator.requests().len();
    assert!(polls <= 7, "{polls} polls");
    assert!(answered(&emulator, 429) >= 1);
}

#[tokio::test]
async fn a_build_wait_goes_on_through_maintenance_and_reports_it_once_as_a_change() {
    let (emulator, tasks) = support::demo().await;
    emulator.set_maintenance(true);
    let options =
        BuildWaitOptions::new().interval(Duration::from_millis(20)).timeout(Duration::from_secs(15));
    let progress = tokio::spawn({
        let tasks = tasks.clone();
        async move { tasks.watch_build(&"sushi/3".parse().unwrap(), options).collect::<Vec<_>>().await }
    });
    support::within(emulator.wait_for_requests(4)).await;
    emulator.set_maintenance(false);
    // The demo's build 3 is through 13 s after the start.
    emulator.advance(demo::BUILD_3_DONE_AFTER + Duration::from_secs(1));
    let steps: Vec<_> = support::within(progress).await.unwrap().into_iter().map(Result::unwrap).collect();
    let changes: Vec<&BuildChange> = steps.iter().flat_map(|step| &step.changes).collect();
    let paused = changes.iter().filter(|change| matches!(change, BuildChange::Paused(_))).count();
    let resumed = changes.iter().filter(|change| matches!(change, BuildChange::Resumed)).count();
    assert_eq!((paused, resumed), (1, 1), "{changes:?}");
    assert!(
        matches!(steps[0].changes.as_slice(), [BuildChange::Paused(pause)] if pause.reason == PauseReason::Maintenance),
        "the first step is the pause alone: {:?}",
        steps[0]
    );
    let outcome = steps.last().and_then(|step| step.outcome.as_ref());
    assert!(matches!(outcome, Some(BuildOutcome::Succeeded(_))), "{outcome:?}");
}

#[tokio::test]
async fn a_single_call_in_maintenance_says_come_back_later_through_the_tasks_error() {
    let (emulator, tasks) = support::demo().await;
    emulator.set_maintenance(true);
    let err = tasks.get(&"exampleorg-sushi-0001-1732886919-dltar".parse().unwrap()).await.unwrap_err();
    assert!(err.is_retry_later() && err.is_retryable(), "{err:?}");
    assert!(!err.is_timeout() && !err.is_failed() && !err.is_auth(), "{err:?}");
    emulator.set_maintenance(false);
    let missing = tasks.get(&"exampleorg-sushi-0001-1-nothing".parse().unwrap()).await.unwrap_err();
    assert!(!missing.is_retry_later() && !missing.is_retryable() && missing.is_not_found(), "{missing:?}");
}
