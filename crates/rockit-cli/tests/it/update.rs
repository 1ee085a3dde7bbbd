//! `rockit tasks ack` and `rockit tasks expire`: names checked before any request, tasks
//! processed in order past failures, the worst exit code, the confirmation rule, and JSON.

use rockit_emulator::demo;
use rockit_model::TaskStatus;
use serde_json::json;

use crate::{admin, rockit, start_demo};

#[tokio::test]
async fn ack_acknowledges_each_task_in_order() {
    let emulator = start_demo().await;
    let url = emulator.base_url();
    let run =
        rockit(&admin(&url, &["tasks", "ack", demo::WARNED_PUBLISH, demo::STUCK_UPLOAD])).await.expect(0);
    assert_eq!(
        run.stdout,
        format!("acknowledged {}\nacknowledged {}\n", demo::WARNED_PUBLISH, demo::STUCK_UPLOAD)
    );
    assert_eq!(run.stderr, "");
    for name in [demo::WARNED_PUBLISH, demo::STUCK_UPLOAD] {
        assert_eq!(emulator.task(name).unwrap().acknowledged, Some(true), "{name}");
    }
    let bodies: Vec<_> = emulator.requests().iter().map(|r| r.body_json().unwrap()).collect();
    assert_eq!(
        bodies,
        [
            json!({"name": demo::WARNED_PUBLISH, "acknowledged": true}),
            json!({"name": demo::STUCK_UPLOAD, "acknowledged": true})
        ]
    );
}

#[tokio::test]
async fn ack_in_json() {
    let emulator = start_demo().await;
    let url = emulator.base_url();
    let run =
        rockit(&admin(&url, &["tasks", "acknowledge", demo::WARNED_PUBLISH, "-o", "json"])).await.expect(0);
    assert_eq!(run.json(), json!({"tasks": [{"name": demo::WARNED_PUBLISH, "acknowledged": true}]}));
}

#[tokio::test]
async fn one_invalid_name_stops_everything_before_the_first_request() {
    let emulator = start_demo().await;
    let url = emulator.base_url();
    let run = rockit(&admin(&url, &["tasks", "ack", demo::WARNED_PUBLISH, "bad name"])).await.expect(2);
    assert!(
        run.stderr.starts_with("error: invalid value 'bad name' for '<NAME>...': it contains ' '"),
        "{}",
        run.stderr
    );
    assert_eq!(emulator.request_count(), 0);
}

#[tokio::test]
async fn a_failure_does_not_stop_the_others_and_sets_the_exit_code() {
    let emulator = start_demo().await;
    let url = emulator.base_url();
    let missing = "exampleorg-sushi-0009-1733240117-dltar";
    let run = rockit(&admin(&url, &["tasks", "ack", missing, demo::WARNED_PUBLISH, "--output", "json"]))
        .await
        .expect(1);
    let document = run.json();
    assert_eq!(document["tasks"][0]["name"], json!(missing));
    assert!(document["tasks"][0]["error"].as_str().unwrap().contains("404 not-found"), "{document:#}");
    assert_eq!(document["tasks"][1], json!({"name": demo::WARNED_PUBLISH, "acknowledged": true}));
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(
        run.stderr.starts_with(&format!("error: acknowledge {missing}: PATCH /be/v1/tasks: 404 not-found"))
    );
    assert_eq!(emulator.task(demo::WARNED_PUBLISH).unwrap().acknowledged, Some(true));
}

#[tokio::test]
async fn expire_with_yes_fails_and_acknowledges_the_task() {
    let emulator = start_demo().await;
    let url = emulator.base_url();
    let run = rockit(&admin(&url, &["tasks", "expire", "--yes", demo::STUCK_UPLOAD])).await.expect(0);
    assert_eq!(run.stdout, format!("expired {}\n", demo::STUCK_UPLOAD));
    let task = emulator.task(demo::STUCK_UPLOAD).unwrap();
    assert_eq!((task.status, task.expired, task.acknowledged), (TaskStatus::Failed, Some(true), Some(true)));
    assert_eq!(
        emulator.requests()[0].body_json(),
        Some(json!({"name": demo::STUCK_UPLOAD, "expired": true}))
    );

    let run =
        rockit(&admin(&url, &["tasks", "expire", "-y", demo::STUCK_UPLOAD, "-o", "json"])).await.expect(0);
    assert_eq!(run.json(), json!({"tasks": [{"name": demo::STUCK_UPLOAD, "expired": true}]}));
}

#[tokio::test]
async fn expire_without_a_terminal_needs_yes() {
    let emulator = start_demo().await;
    let url = emulator.base_url();
    let line = rockit(&admin(&url, &["tasks", "expire", demo::STUCK_UPLOAD, demo::FAILED_DOWNLOAD]))
        .await
        .one_line_error(2);
    assert_eq!(line, "refusing to expire 2 tasks without confirmation; pass --yes");
    assert_eq!(emulator.request_count(), 0);
}

#[tokio::test]
async fn a_read_only_user_gets_exit_3() {
    let emulator = start_demo().await;
    let url = emulator.base_url();
    let args = [
        "--endpoint",
        &url,
        "--org",
        demo::ORG,
        "--user",
        demo::VIEWER_USER,
        "--api-key",
        demo::VIEWER_API_KEY,
        "tasks",
        "expire",
        "--yes",
        demo::STUCK_UPLOAD,
    ];
    let line = rockit(&args).await.one_line_error(3);
    assert!(line.contains("403 forbidden") && line.contains("tasks.update"), "{line}");
    assert_eq!(emulator.task(demo::STUCK_UPLOAD).unwrap().status, TaskStatus::Pending);
}
