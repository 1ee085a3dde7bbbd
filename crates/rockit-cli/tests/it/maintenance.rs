//! The vendor's own error answers ([infra] in API.md) through the binary: a token command refreshed
//! on the vendor's `token-expired`, maintenance and rate limits failing at once with exit code 6
//! and saying when to come back, and waits that go on through maintenance and say so once.

use std::time::Duration;

use rockit_emulator::{Emulator, demo};
use rockit_test_support::mock::{MockServer, Reply};
use rockit_test_support::vendor_errors;

use crate::{Run, admin, demo_builder, rockit, scrub};

const LIST_OK: &str = r#"{"status":"success","totalCount":1,"tasks":[{"name":"exampleorg-sushi-0001-1732886919-dltar","service":"engine","status":"done"}]}"#;

#[tokio::test]
async fn a_token_command_runs_twice_when_the_vendor_says_token_expired() {
    let server = MockServer::start().await;
    server.script([Reply::json(401, vendor_errors::TOKEN_EXPIRED)]);
    server.default_reply(Reply::json(200, LIST_OK));
    let dir = std::env::temp_dir().join(format!("rockit-cli-token-runs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let runs = dir.join("runs");
    let _ = std::fs::remove_file(&runs);
    let command = format!("sh -c 'echo run >> {0}; echo tok-$(wc -l < {0} | tr -d \" \")'", runs.display());
    let url = server.url();
    let run = rockit(&[
        "--endpoint",
        &url,
        "--org",
        demo::ORG,
        "--token-command",
        &command,
        "tasks",
        "list",
        "--no-markers",
    ])
    .await
    .expect(0);
    assert!(run.stdout.contains("exampleorg-sushi-0001-1732886919-dltar"), "{run:#?}");
    let ran = std::fs::read_to_string(&runs).unwrap().lines().count();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(ran, 2, "the command ran once, and once more after token-expired");
    let tokens: Vec<_> =
        server.requests().iter().map(|r| r.header("x-rockit-beauth-token").unwrap().to_owned()).collect();
    assert_eq!(tokens, ["tok-1", "tok-2"]);
}

#[tokio::test]
async fn maintenance_fails_at_once_with_exit_6_and_names_the_15_minutes() {
    let server = MockServer::start().await;
    server.default_reply(
        Reply::json(503, vendor_errors::MAINTENANCE)
            .with_header("retry-after", vendor_errors::MAINTENANCE_RETRY_AFTER),
    );
    let url = server.url();
    let line = rockit(&admin(&url, &["tasks", "list", "--no-markers"])).await.one_line_error(6);
    assert_eq!(
        line,
        "list tasks: GET /be/v1/tasks: ROCKIT Edge is in maintenance; it asks to retry in 15m (after 1 attempt)"
    );
    assert_eq!(server.count(), 1, "one request, not four");
    // An update is not repeated either, and says the same.
    let line = rockit(&admin(&url, &["tasks", "ack", demo::WARNED_PUBLISH])).await.one_line_error(6);
    assert!(
        line.ends_with("ROCKIT Edge is in maintenance; it asks to retry in 15m (after 1 attempt)"),
        "{line}"
    );
    assert_eq!(server.count(), 2);
}

#[tokio::test]
async fn the_firewalls_rate_limit_fails_at_once_with_exit_6() {
    let server = MockServer::start().await;
    server.default_reply(
        Reply::json(429, vendor_errors::RATE_LIMITED)
            .with_header("retry-after", vendor_errors::RATE_LIMITED_RETRY_AFTER),
    );
    let url = server.url();
    let line = rockit(&admin(&url, &["tasks", "list", "--no-markers"])).await.one_line_error(6);
    assert_eq!(
        line,
        "list tasks: GET /be/v1/tasks: ROCKIT Edge is limiting the rate of requests (429); it asks to retry in 1m (after 1 attempt)"
    );
    assert_eq!(server.count(), 1);
}

/// Runs `args` against `emulator` in maintenance; once the binary has met the maintenance answer
/// `polls` times, ends the maintenance and moves the emulator's clock by `then`.
async fn through_maintenance(emulator: &Emulator, args: &[&str], polls: u64, then: Duration) -> Run {
    emulator.set_maintenance(true);
    let args: Vec<String> = admin(&emulator.base_url(), args).into_iter().map(str::to_owned).collect();
    let run = tokio::spawn(async move {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        rockit(&args).await
    });
    tokio::time::timeout(Duration::from_secs(20), emulator.wait_for_requests(polls))
        .await
        .expect("the binary polls through maintenance");
    emulator.set_maintenance(false);
    emulator.advance(then);
    tokio::time::timeout(Duration::from_secs(30), run).await.expect("the wait ends").unwrap()
}

#[tokio::test]
async fn builds_wait_goes_on_through_maintenance_and_says_so_once() {
    let emulator = demo_builder().start().await.unwrap();
    let args = ["builds", "wait", "sushi", "3", "--interval", "50ms", "--timeout", "20s"];
    let run =
        through_maintenance(&emulator, &args, 5, demo::BUILD_3_DONE_AFTER + Duration::from_secs(1)).await;
    let run = run.expect(0);
    assert!(run.stdout.starts_with("sushi 0003 succeeded after "), "{run:#?}");
    let stderr = scrub(&run.stderr);
    let paused = "ROCKIT Edge is in maintenance (it asks to retry in 15m); the wait goes on";
    assert_eq!(stderr.matches(paused).count(), 1, "{stderr}");
    assert_eq!(stderr.matches("ROCKIT Edge answers again").count(), 1, "{stderr}");
    // The pause comes first, before the announcement of what the wait waits for.
    let first = stderr.lines().next().unwrap_or_default();
    assert!(first.ends_with(paused), "{stderr}");
    assert!(emulator.requests().iter().filter(|request| request.status == Some(503)).count() >= 5);
}

#[tokio::test]
async fn tasks_wait_goes_on_through_maintenance_and_says_so_once() {
    let emulator = demo_builder().start().await.unwrap();
    let args = ["tasks", "wait", demo::RUNNING_DOWNLOAD, "--interval", "50ms", "--timeout", "20s"];
    let run = through_maintenance(&emulator, &args, 3, demo::RUNNING_FINISHES_AFTER).await;
    let run = run.expect(0);
    assert!(run.stdout.starts_with(&format!("{} done after ", demo::RUNNING_DOWNLOAD)), "{run:#?}");
    let stderr = scrub(&run.stderr);
    assert_eq!(
        stderr.matches("ROCKIT Edge is in maintenance (it asks to retry in 15m); the wait goes on").count(),
        1,
        "{stderr}"
    );
    // The first answer after the pause brings news; the line that says so comes first.
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 3, "{stderr}");
    assert!(lines[1].ends_with("ROCKIT Edge answers again") && lines[2].ends_with(" done"), "{stderr}");
}

#[tokio::test]
async fn builds_wait_with_json_output_says_why_it_waits_on_stderr_only() {
    let emulator = demo_builder().start().await.unwrap();
    let args = ["-o", "json", "builds", "wait", "sushi", "3", "--interval", "50ms", "--timeout", "20s"];
    let run =
        through_maintenance(&emulator, &args, 3, demo::BUILD_3_DONE_AFTER + Duration::from_secs(1)).await;
    let run = run.expect(0);
    assert_eq!(run.json()["outcome"], "succeeded");
    let stderr = scrub(&run.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 2, "the pause and its end, nothing else: {stderr}");
    assert!(
        lines[0].ends_with("the wait goes on") && lines[1].ends_with("ROCKIT Edge answers again"),
        "{stderr}"
    );
}
