//! `--output jsonl`: one JSON object per line as it happens, for CI systems and bots. Waits and
//! watches write their events (`status`, `stage`, `attempt`, `warning`, `pause`, `resume`) and
//! last the `outcome`, with `--output json`'s field names; lists write their items. Each line is
//! parsed back; the event streams are pinned by snapshots with the times scrubbed.

use std::time::Duration;

use insta::assert_snapshot;
use rockit_emulator::{Emulator, demo};
use serde_json::Value;

use crate::{Run, admin, demo_builder, rockit, start_demo};

/// Every line of stdout as JSON, with each event's `time` checked as RFC 3339 and replaced by
/// `[time]` (and a task's `updatedAt`, which follows the emulator's clock, by `[updated]`).
fn lines(run: &Run) -> Vec<Value> {
    run.stdout
        .lines()
        .map(|line| {
            let mut value: Value = serde_json::from_str(line).unwrap_or_else(|err| panic!("{err}: {line}"));
            if let Some(time) = value.get_mut("time") {
                let text = time.as_str().expect("time is a string");
                assert!(humantime::parse_rfc3339(text).is_ok(), "{text}");
                *time = Value::from("[time]");
            }
            if let Some(updated) = value.pointer_mut("/task/updatedAt") {
                *updated = Value::from("[updated]");
            }
            value
        })
        .collect()
}

fn snapshot(values: &[Value]) -> String {
    values.iter().map(Value::to_string).collect::<Vec<_>>().join("\n")
}

/// Runs `args` against `emulator` in maintenance until the binary met it `polls` times, then ends
/// the maintenance and moves the emulator's clock by `then`.
async fn through_maintenance(emulator: &Emulator, args: &[&str], polls: u64, then: Duration) -> Run {
    emulator.set_maintenance(true);
    let args: Vec<String> = admin(&emulator.base_url(), args).into_iter().map(str::to_owned).collect();
    let run = tokio::spawn(async move {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        rockit(&args).await
    });
    tokio::time::timeout(Duration::from_secs(20), emulator.wait_for_requests(polls)).await.unwrap();
    emulator.set_maintenance(false);
    emulator.advance(then);
    tokio::time::timeout(Duration::from_secs(30), run).await.unwrap().unwrap()
}

#[tokio::test]
async fn a_task_wait_writes_its_events_and_last_its_outcome() {
    let emulator = demo_builder().start().await.unwrap();
    let args =
        ["-o", "jsonl", "tasks", "wait", demo::RUNNING_DOWNLOAD, "--interval", "50ms", "--timeout", "20s"];
    let run = through_maintenance(&emulator, &args, 3, demo::RUNNING_FINISHES_AFTER).await.expect(0);
    assert_eq!(run.stderr, "", "logs would go to stderr; there are none");
    assert!(
        run.stdout.lines().all(|line| line.starts_with(r#"{"type":""#)),
        "the type first: {}",
        run.stdout
    );
    let events = lines(&run);
    let types: Vec<&str> = events.iter().map(|event| event["type"].as_str().unwrap()).collect();
    assert_eq!(types, ["pause", "resume", "outcome"]);
    assert_snapshot!("task_wait_events", snapshot(&events));
}

#[tokio::test]
async fn a_task_watch_writes_each_status_as_it_changes() {
    let emulator = start_demo().await;
    let url = emulator.base_url();
    let args = admin(&url, &["-o", "jsonl", "tasks", "watch", demo::RUNNING_DOWNLOAD, "--interval", "20ms"]);
    let args: Vec<String> = args.into_iter().map(str::to_owned).collect();
    let run = tokio::spawn(async move {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        rockit(&args).await
    });
    emulator.wait_for_requests(2).await;
    emulator.advance(demo::RUNNING_FINISHES_AFTER);
    let run = tokio::time::timeout(Duration::from_secs(30), run).await.unwrap().unwrap().expect(0);
    let events = lines(&run);
    assert_eq!(events.first().unwrap()["type"], "status");
    assert_eq!(events.first().unwrap()["task"]["status"], "running");
    let last = events.last().unwrap();
    assert_eq!(
        (&last["type"], &last["outcome"], &last["task"]["status"]),
        (&"outcome".into(), &"succeeded".into(), &"done".into())
    );
}

#[tokio::test]
async fn a_build_wait_writes_each_change_and_last_its_outcome() {
    let emulator = demo_builder().start().await.unwrap();
    let args = ["-o", "jsonl", "builds", "wait", "sushi", "3", "--interval", "50ms", "--timeout", "20s"];
    let run = through_maintenance(&emulator, &args, 3, demo::BUILD_3_DONE_AFTER + Duration::from_secs(1))
        .await
        .expect(0);
    assert_eq!(run.stderr, "");
    let events = lines(&run);
    assert_eq!(events.last().unwrap()["type"], "outcome");
    assert_eq!(events.last().unwrap()["outcome"], "succeeded");
    assert_snapshot!("build_wait_events", snapshot(&events));
}

#[tokio::test]
async fn lists_write_one_item_per_line() {
    let emulator = start_demo().await;
    let url = emulator.base_url();
    let run = rockit(&admin(&url, &["-o", "jsonl", "tasks", "list", "--all"])).await.expect(0);
    let tasks = lines(&run);
    assert_eq!(tasks.len(), 13);
    assert!(tasks.iter().all(|task| task["name"].is_string() && task.get("type").is_none()), "{tasks:?}");
    let run = rockit(&admin(&url, &["-o", "jsonl", "tasks", "list"])).await.expect(0);
    assert_eq!(lines(&run).len(), 10, "one page");
    let run = rockit(&admin(&url, &["-o", "jsonl", "builds", "list"])).await.expect(0);
    let builds = lines(&run);
    assert_eq!(builds.iter().map(|build| build["build"].as_u64().unwrap()).collect::<Vec<_>>(), [1, 2, 3]);
}

#[tokio::test]
async fn commands_without_a_stream_refuse_jsonl() {
    let emulator = start_demo().await;
    let url = emulator.base_url();
    let line =
        rockit(&admin(&url, &["-o", "jsonl", "tasks", "show", demo::STUCK_UPLOAD])).await.one_line_error(2);
    assert_eq!(
        line,
        "--output jsonl is for waits, watches and lists (tasks list/wait/watch, builds list/wait); use --output json"
    );
    assert!(emulator.requests().is_empty(), "refused before any request");
}
