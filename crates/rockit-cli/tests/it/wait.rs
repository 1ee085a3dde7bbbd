//! `rockit tasks wait` and `rockit tasks watch`: the three endings (done → 0, failed → 4, timed
//! out → 5) in table and JSON output. Time moves by advancing the emulator's frozen clock after
//! the first poll was answered, never by sleeping.

use rockit_emulator::{Emulator, demo};
use serde_json::json;

use crate::{Run, admin, rockit, scrub, start_demo};

/// Runs `rockit ... tasks <command> RUNNING_DOWNLOAD --interval 10ms [extra]`, and once the first
/// poll has been answered moves the emulator's clock past the moment the download finishes.
async fn finish_while_running(emulator: &Emulator, command: &str, extra: &[&str]) -> Run {
    let url = emulator.base_url();
    let mut args: Vec<String> =
        admin(&url, &["tasks", command, demo::RUNNING_DOWNLOAD, "--interval", "10ms"])
            .into_iter()
            .chain(extra.iter().copied())
            .map(str::to_owned)
            .collect();
    args.push("--timeout".into());
    args.push("1m".into());
    let child = tokio::spawn(async move {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        rockit(&args).await
    });
    emulator.wait_for_requests(1).await;
    emulator.advance(demo::RUNNING_FINISHES_AFTER);
    child.await.expect("the run finishes")
}

#[tokio::test]
async fn wait_until_done() {
    let emulator = start_demo().await;
    let run = finish_while_running(&emulator, "wait", &[]).await.expect(0);
    assert_eq!(scrub(&run.stdout), format!("{} done after [ELAPSED]\n", demo::RUNNING_DOWNLOAD));
    // Without a terminal, progress comes as plain lines on stderr.
    assert_eq!(scrub(&run.stderr), "[TIME] +[ELAPSED] running\n[TIME] +[ELAPSED] done\n");
}

#[tokio::test]
async fn wait_until_done_in_json() {
    let emulator = start_demo().await;
    let run = finish_while_running(&emulator, "wait", &["-o", "json"]).await.expect(0);
    assert_eq!(run.stderr, "", "JSON runs keep stderr quiet without a terminal");
    let document = run.json();
    assert_eq!(document["outcome"], json!("succeeded"));
    assert_eq!(document["task"]["name"], json!(demo::RUNNING_DOWNLOAD));
    assert_eq!(document["task"]["status"], json!("done"));
    assert_eq!(document["task"]["service"], json!("engine"));
}

#[tokio::test]
async fn wait_for_a_failed_task_exits_4_with_the_exception() {
    let emulator = start_demo().await;
    let url = emulator.base_url();
    let run = rockit(&admin(&url, &["tasks", "wait", demo::FAILED_DOWNLOAD])).await.expect(4);
    assert_eq!(
        scrub(&run.stdout),
        format!(
            "{} failed after [ELAPSED]: download failed (HTTP 200, exit code 18, 1073741824 of 2147483648 bytes)\n",
            demo::FAILED_DOWNLOAD
        )
    );
    let run = rockit(&admin(&url, &["tasks", "wait", demo::FAILED_DOWNLOAD, "-o", "json"])).await.expect(4);
    let document = run.json();
    assert_eq!(document["outcome"], json!("failed"));
    assert_eq!(document["task"]["exception"]["httpDownloadFailed"]["httpStatus"], json!(200));
}

#[tokio::test]
async fn wait_times_out_with_exit_5() {
    let emulator = start_demo().await;
    let url = emulator.base_url();
    let args = ["tasks", "wait", demo::STUCK_UPLOAD, "--interval", "10ms", "--timeout", "200ms"];
    let run = rockit(&admin(&url, &args)).await.expect(5);
    assert_eq!(
        scrub(&run.stdout),
        format!("{} still pending after [ELAPSED]; gave up (--timeout 200ms)\n", demo::STUCK_UPLOAD)
    );
    let run = rockit(&admin(&url, &[&args[..], &["-o", "json"]].concat())).await.expect(5);
    let document = run.json();
    assert_eq!(document["outcome"], json!("timedOut"));
    assert_eq!(document["task"]["status"], json!("pending"));
}

#[tokio::test]
async fn watch_prints_each_transition() {
    let emulator = start_demo().await;
    let run = finish_while_running(&emulator, "watch", &[]).await.expect(0);
    assert_eq!(scrub(&run.stdout), "[TIME] +[ELAPSED] running\n[TIME] +[ELAPSED] done\n");
    assert_eq!(run.stderr, "");
}

#[tokio::test]
async fn watch_in_json_lists_the_transitions() {
    let emulator = start_demo().await;
    let run = finish_while_running(&emulator, "watch", &["--output", "json"]).await.expect(0);
    let document = run.json();
    assert_eq!(document["outcome"], json!("succeeded"));
    let statuses: Vec<&str> =
        document["transitions"].as_array().unwrap().iter().map(|t| t["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["running", "done"]);
    assert_eq!(document["transitions"][0]["name"], json!(demo::RUNNING_DOWNLOAD));
}

#[tokio::test]
async fn watch_ends_like_wait() {
    let emulator = start_demo().await;
    let url = emulator.base_url();
    let run = rockit(&admin(&url, &["tasks", "watch", demo::FAILED_DOWNLOAD])).await.expect(4);
    assert_eq!(
        scrub(&run.stdout),
        "[TIME] +[ELAPSED] failed: download failed (HTTP 200, exit code 18, 1073741824 of 2147483648 bytes)\n"
    );
    let args = ["tasks", "watch", demo::STUCK_UPLOAD, "--interval", "10ms", "--timeout", "100ms"];
    let run = rockit(&admin(&url, &args)).await.expect(5);
    assert_eq!(scrub(&run.stdout), "[TIME] +[ELAPSED] pending\ngave up after [ELAPSED] (--timeout 100ms)\n");
    let run = rockit(&admin(&url, &[&args[..], &["-o", "json"]].concat())).await.expect(5);
    let document = run.json();
    assert_eq!(document["outcome"], json!("timedOut"));
    assert_eq!(document["transitions"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_zero_interval_is_a_usage_error() {
    let emulator = start_demo().await;
    let url = emulator.base_url();
    let run =
        rockit(&admin(&url, &["tasks", "wait", demo::STUCK_UPLOAD, "--interval", "0s"])).await.expect(2);
    assert_eq!(
        run.stderr.lines().next().unwrap_or_default(),
        "error: invalid value '0s' for '--interval <DURATION>': it must be longer than zero, like 30s"
    );
    assert_eq!(emulator.request_count(), 0);
}

#[cfg(unix)]
#[tokio::test]
async fn ctrl_c_ends_a_wait_with_exit_130() {
    let emulator = start_demo().await;
    let url = emulator.base_url();
    let args = admin(&url, &["tasks", "wait", demo::STUCK_UPLOAD, "--interval", "50ms", "--timeout", "1m"]);
    let mut child = std::process::Command::new(crate::BIN)
        .args(&args)
        .env("ROCKIT_CONFIG", "/nonexistent/rockit-tests/config.toml")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Once it polls, interrupt it as a terminal's Ctrl-C does.
    emulator.wait_for_requests(2).await;
    let killed = std::process::Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(killed.success());
    let output = tokio::task::spawn_blocking(move || {
        child.wait().unwrap();
        child.wait_with_output().unwrap()
    })
    .await
    .unwrap();
    assert_eq!(output.status.code(), Some(130), "{output:?}");
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.ends_with("interrupted\n"), "{stderr}");
}
