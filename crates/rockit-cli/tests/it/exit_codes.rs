//! Exit codes the other modules do not reach: `tasks wait` and `tasks watch` on an expired task
//! exit 4, and `--timeout` cuts any other command's call with exit 1.

use std::time::{Duration, Instant};

use rockit_emulator::{Fault, Matcher, demo};
use rockit_model::TaskStatus;
use serde_json::json;

use crate::{admin, demo_builder, rockit, scrub, start_demo};

/// How long the emulator holds the answer in the `--timeout` tests: far longer than the timeout,
/// short enough that a binary ignoring `--timeout` ends the test (with exit 0) instead of hanging.
const HELD: Duration = Duration::from_secs(20);

#[tokio::test]
async fn waiting_for_a_task_expired_by_rockit_exits_4() {
    let emulator = start_demo().await;
    let url = emulator.base_url();
    rockit(&admin(&url, &["tasks", "expire", demo::STUCK_UPLOAD, "--yes"])).await.expect(0);
    // A bound in case the expiry were not seen as the end: exit 5 then, never a hang.
    let wait = ["tasks", "wait", demo::STUCK_UPLOAD, "--interval", "10ms", "--timeout", "5s"];

    let run = rockit(&admin(&url, &wait)).await.expect(4);
    assert_eq!(scrub(&run.stdout), format!("{} failed after [ELAPSED]\n", demo::STUCK_UPLOAD));
    let run = rockit(&admin(&url, &[&wait[..], &["-o", "json"]].concat())).await.expect(4);
    let document = run.json();
    assert_eq!(document["outcome"], json!("failed"));
    assert_eq!(document["task"]["name"], json!(demo::STUCK_UPLOAD));
    assert_eq!(document["task"]["expired"], json!(true));
    assert_eq!(document["task"]["acknowledged"], json!(true));
}

#[tokio::test]
async fn waiting_for_a_task_in_status_expired_exits_4() {
    // The vendor may report the status `expired` itself (the emulator says `failed`).
    let emulator = start_demo().await;
    emulator
        .update(demo::STUCK_UPLOAD, |task| {
            task.status = TaskStatus::Expired;
            task.expired = Some(true);
        })
        .unwrap();
    let url = emulator.base_url();
    for command in ["wait", "watch"] {
        let args = ["tasks", command, demo::STUCK_UPLOAD, "--interval", "10ms", "--timeout", "5s"];
        let run = rockit(&admin(&url, &args)).await.expect(4);
        let expected = match command {
            "wait" => format!("{} expired after [ELAPSED]\n", demo::STUCK_UPLOAD),
            _ => "[TIME] +[ELAPSED] expired\n".to_owned(),
        };
        assert_eq!(scrub(&run.stdout), expected, "{command}");
        let run = rockit(&admin(&url, &[&args[..], &["-o", "json"]].concat())).await.expect(4);
        assert_eq!(run.json()["outcome"], json!("failed"), "{command}");
    }
}

#[tokio::test]
async fn timeout_is_each_calls_deadline_for_show() {
    let emulator = start_demo().await;
    emulator.script(Matcher::get_task(), 1, Fault::Delay(HELD));
    let url = emulator.base_url();
    let started = Instant::now();
    let line = rockit(&admin(&url, &["--timeout", "300ms", "tasks", "show", demo::STUCK_UPLOAD]))
        .await
        .one_line_error(1);
    assert_eq!(
        line,
        format!(
            "get {0}: GET /be/v1/tasks/{0}: the call's deadline passed (after 1 attempt)",
            demo::STUCK_UPLOAD
        )
    );
    // The deadline, not the answer, ended the run: it was held for 20 s, and the binary waited
    // for the 300 ms deadline at least.
    assert!(started.elapsed() >= Duration::from_millis(300), "{:?}", started.elapsed());
    assert!(emulator.requests().is_empty(), "the held request was never answered");
}

#[tokio::test]
async fn timeout_is_each_calls_deadline_for_list() {
    // Every request is held, the marker queries included.
    let emulator = demo_builder().latency(HELD).start().await.unwrap();
    let url = emulator.base_url();
    let run = rockit(&admin(&url, &["--timeout", "300ms", "tasks", "list"])).await.expect(1);
    assert_eq!(run.stdout, "", "{run:#?}");
    assert!(
        run.stderr.starts_with("error: list tasks: GET /be/v1/tasks: the call's deadline passed"),
        "{run:#?}"
    );
    assert!(emulator.requests().is_empty(), "no held request was answered");
}

#[tokio::test]
async fn a_403_that_does_not_name_the_permission_gets_a_hint_that_does() {
    let server = rockit_test_support::mock::MockServer::start().await;
    server.default_reply(rockit_test_support::mock::Reply::json(
        403,
        r#"{"status":"forbidden","message":"access denied"}"#,
    ));
    let url = server.url();
    let run = rockit(&admin(&url, &["tasks", "ack", demo::WARNED_PUBLISH])).await.expect(3);
    assert!(
        run.stderr
            .trim_end()
            .ends_with("; this needs the tasks.update permission; use credentials that have it (in use: the API key from --api-key, the org from --org and the user from --user)"),
        "{}",
        run.stderr
    );
    assert_eq!(server.count(), 1, "a 403 is not retried");
}
