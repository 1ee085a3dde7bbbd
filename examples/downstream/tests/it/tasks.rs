//! rockit-tasks beside this crate's own endpoints: `TasksExt::retry_failed` streams a listing with
//! rockit-tasks and triggers retries with `TriggerRetry`, and every failure is one error type.
//! The stream traits come from `rockit_tasks::prelude`, not from a dependency of this crate.

use std::time::Duration;

use downstream::{Error, ListApps, TasksExt};
use rockit_emulator::demo;
use rockit_tasks::prelude::*;
use rockit_tasks::{ListTasks, TaskStatus, Tasks, WaitOptions};

use crate::{Harness, task};

#[tokio::test]
async fn retry_failed_triggers_each_failed_task_of_the_listing_once() {
    let harness = Harness::start().await;
    let tasks = Tasks::new(harness.ops());
    // The stuck upload of build 2 becomes a failed task too.
    tasks.expire(&task(demo::STUCK_UPLOAD)).await.unwrap();
    harness.emulator.clear_requests();

    let retried = tasks.retry_failed(ListTasks::for_app("sushi").limit(2)).await.unwrap();
    assert_eq!(retried, [task(demo::STUCK_UPLOAD), task(demo::FAILED_DOWNLOAD)]);
    assert_eq!(harness.seen(|seen| seen.triggers.clone()), [demo::STUCK_UPLOAD, demo::FAILED_DOWNLOAD]);
    // One page held the whole listing (the server counted two), then one trigger per task.
    let calls: Vec<_> = harness
        .emulator
        .requests()
        .iter()
        .map(|request| {
            format!("{} {}?{}", request.method, request.raw_path, request.raw_query.as_deref().unwrap_or(""))
        })
        .collect();
    assert_eq!(
        calls,
        [
            "GET /be/v1/tasks?offset=0&limit=2&appName=sushi&status=failed",
            "POST /be/v1/trigger?",
            "POST /be/v1/trigger?"
        ]
    );

    // A listing with nothing failed retries nothing.
    assert!(tasks.retry_failed(ListTasks::for_app("udon")).await.unwrap().is_empty());
}

#[tokio::test]
async fn the_sdk_and_the_crate_fail_with_one_error_type() {
    let harness = Harness::start().await;
    // The demo admin may list tasks but not trigger retries.
    let tasks = Tasks::new(harness.admin());
    let err: Error = tasks.retry_failed(ListTasks::new()).await.unwrap_err();
    let Error::Transport { action, source } = &err else { panic!("{err:?}") };
    assert_eq!(action, "retry exampleorg-sushi-0003-1733240117-dltar");
    assert_eq!(source.permission(), Some("trigger.create"));
    assert!(err.is_auth());
    assert_eq!(
        err.to_string(),
        "retry exampleorg-sushi-0003-1733240117-dltar: POST /be/v1/trigger: 403 forbidden: not allowed (after 1 attempt)"
    );

    // The crate's own GET through the same client and the same error type.
    let err = tasks.call("list apps", &ListApps::new()).await.unwrap_err();
    assert_eq!(err.transport_error().and_then(rockit_transport::Error::permission), Some("apps.read"));
    // And one of rockit-tasks's own verbs, for comparison.
    let err = tasks.get(&task("exampleorg-ramen-0001-1733000000-dltar")).await.unwrap_err();
    assert!(err.is_not_found(), "{err}");

    let ops = Tasks::new(harness.ops());
    let page = ops.call("list apps", &ListApps::new().limit(1)).await.unwrap();
    assert_eq!(page.total_count, Some(4));
}

#[tokio::test]
async fn the_prelude_drives_every_stream_without_another_dependency() {
    let harness = Harness::start().await;
    let tasks = Tasks::new(harness.ops());
    let failed: Vec<_> = tasks.stream(ListTasks::for_status(TaskStatus::Failed)).try_collect().await.unwrap();
    assert_eq!(failed.iter().map(|task| task.name.as_str()).collect::<Vec<_>>(), [demo::FAILED_DOWNLOAD]);

    // A watch has no inherent `try_next`; `StreamExt::next` comes from the prelude.
    let options = WaitOptions::new().timeout(Duration::from_secs(30)).interval(Duration::from_millis(5));
    let mut watch = tasks.watch(&task(demo::RUNNING_DOWNLOAD), options);
    let first = watch.next().await.unwrap().unwrap();
    assert_eq!(first.details().map(|details| &details.status), Some(&TaskStatus::Running));
    harness.emulator.advance(demo::RUNNING_FINISHES_AFTER);
    let last = watch.next().await.unwrap().unwrap();
    assert_eq!(last.details().map(|details| &details.status), Some(&TaskStatus::Done));
    assert!(watch.next().await.is_none());
}
