//! Secrets never appear in output or in `-v` logs: every run here greps the real key and token
//! strings out of stdout and stderr.

use rockit_emulator::demo;
use rockit_model::{PERMISSION_TASKS_READ, PERMISSION_TASKS_UPDATE};

use crate::{Run, demo_builder, rockit, rockit_env};

const KEY: &str = "s3cr3t-KEY-7f2a9c";
const TOKEN: &str = "t0k3n-SECRET-41d8e";
const WRONG_KEY: &str = "wr0ng-KEY-SECRET-99";

#[track_caller]
fn assert_no_secret(run: &Run) {
    for secret in [KEY, TOKEN, WRONG_KEY] {
        assert!(!run.stdout.contains(secret), "{secret} in stdout: {run:#?}");
        assert!(!run.stderr.contains(secret), "{secret} in stderr: {run:#?}");
    }
}

#[tokio::test]
async fn keys_and_tokens_stay_out_of_output_and_logs() {
    let both = [PERMISSION_TASKS_READ, PERMISSION_TASKS_UPDATE];
    let emulator =
        demo_builder().api_key(demo::USER, KEY, both).token(TOKEN, demo::USER, both).start().await.unwrap();
    let url = emulator.base_url();
    let key = ["--endpoint", &url, "--org", demo::ORG, "--user", demo::USER, "--api-key", KEY, "-vv"];

    let run = rockit(&[&key[..], &["tasks", "list"]].concat()).await.expect(0);
    assert_no_secret(&run);
    assert!(run.stderr.contains("credentials=API key from --api-key"), "{}", run.stderr);
    assert!(run.stderr.contains("rockit.request"), "-vv logs every request: {}", run.stderr);

    let run =
        rockit(&[&key[..], &["tasks", "ack", demo::WARNED_PUBLISH, "-o", "json"]].concat()).await.expect(0);
    assert_no_secret(&run);

    let token = ["--endpoint", &url, "--token", TOKEN, "-vv", "tasks", "show", demo::STUCK_UPLOAD];
    let run = rockit(&token).await.expect(0);
    assert_no_secret(&run);
    assert!(run.stderr.contains("credentials=token from --token"), "{}", run.stderr);

    // From the environment, and refused by the server.
    let env = [
        ("ROCKIT_ENDPOINT", url.as_str()),
        ("ROCKIT_ORG", demo::ORG),
        ("ROCKIT_USER", demo::USER),
        ("ROCKIT_API_KEY", WRONG_KEY),
    ];
    let run = rockit_env(&["-vv", "tasks", "list"], &env).await.expect(3);
    assert_no_secret(&run);
    assert!(run.stderr.contains("401 unauthorized"), "{}", run.stderr);

    // Conflicting secrets are named by their source, never shown.
    let run =
        rockit_env(&["--token", TOKEN, "--api-key", WRONG_KEY, "-v", "tasks", "list"], &env).await.expect(2);
    assert_no_secret(&run);
    assert!(
        run.stderr.contains("both an API key (--api-key) and a token (--token) are set"),
        "{}",
        run.stderr
    );
}

/// Every error's Display, Debug and source chain, one after the other.
fn error_text(err: &dyn std::error::Error) -> String {
    use std::fmt::Write as _;
    let mut text = format!("{err}\n{err:?}\n");
    let mut source = err.source();
    while let Some(cause) = source {
        let _ = write!(text, "{cause}\n{cause:?}\n");
        source = cause.source();
    }
    text
}

/// The README's whole walkthrough with `-vv`, then a full SDK flow with TRACE logging, errors
/// included: not one byte of stdout, stderr, logs, error chains or snapshot files holds the key or
/// the token.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_walkthrough_and_a_full_sdk_flow_leak_nothing() {
    use std::time::Duration;

    use futures_util::{StreamExt, TryStreamExt};
    use rockit_tasks::{ListTasks, Tasks, WaitOptions};
    use rockit_transport::{Client, Credentials, RetryPolicy};

    let both = [PERMISSION_TASKS_READ, PERMISSION_TASKS_UPDATE];
    let emulator = demo_builder()
        .api_key(demo::USER, KEY, both)
        .token(TOKEN, demo::USER, both)
        .token_ttl(Some(Duration::from_secs(60)))
        .start()
        .await
        .unwrap();
    let url = emulator.base_url();
    let mut everything = String::new();

    // The CLI walkthrough, from the environment as the README recommends, with -vv logs.
    let env = [
        ("ROCKIT_ENDPOINT", url.as_str()),
        ("ROCKIT_ORG", demo::ORG),
        ("ROCKIT_USER", demo::USER),
        ("ROCKIT_API_KEY", KEY),
    ];
    // Each step with the exit code it must end with: a step that fails for another reason (a
    // refused key, a usage error) would also print no secret, and prove nothing.
    let walkthrough: &[(&[&str], i32)] = &[
        (&["tasks", "list", "--offset", "5"], 0),
        (&["tasks", "list", "--all", "-o", "json"], 0),
        (&["tasks", "show", demo::WARNED_PUBLISH], 0),
        (&["tasks", "ack", demo::WARNED_PUBLISH], 0),
        (&["tasks", "expire", demo::STUCK_UPLOAD, "--yes"], 0),
        (&["tasks", "show", demo::STUCK_UPLOAD, "-o", "json"], 0),
        (&["tasks", "list", "--status", "failed", "-o", "json"], 0),
        (&["tasks", "wait", demo::FAILED_DOWNLOAD, "--interval", "10ms"], 4),
        // Expired earlier in the walkthrough, the upload has failed: the watch ends at once.
        (&["tasks", "watch", demo::STUCK_UPLOAD, "--interval", "10ms", "--timeout", "50ms"], 4),
        (&["tasks", "show", "exampleorg-sushi-0009-1733240117-dltar"], 1),
    ];
    for (args, code) in walkthrough {
        let run = rockit_env(&[&["-vv"], *args].concat(), &env).await.expect(*code);
        everything.push_str(&run.stdout);
        everything.push_str(&run.stderr);
    }
    let token_env = [("ROCKIT_ENDPOINT", url.as_str()), ("ROCKIT_TOKEN", TOKEN)];
    let run = rockit_env(&["-vv", "tasks", "list"], &token_env).await.expect(0);
    everything.push_str(&run.stderr);
    assert!(everything.contains("rockit.request"), "the -vv logs were captured");

    // A full SDK flow with TRACE logging, a retried fault, an expired token and a 403.
    let (captured, _guard) = rockit_test_support::logs::capture_traces();
    let fast = RetryPolicy::default().base_delay(Duration::from_millis(1));
    let client = |credentials: Credentials| {
        Client::builder().base_url(&url).credentials(credentials).retry_policy(fast.clone()).build().unwrap()
    };
    let tasks = Tasks::new(client(Credentials::api_key(demo::ORG, demo::USER, KEY)));
    emulator.script(rockit_emulator::Matcher::list_tasks(), 1, rockit_emulator::Fault::Unavailable);
    let all: Vec<_> = tasks.stream(ListTasks::new().limit(4)).try_collect().await.unwrap();
    assert_eq!(all.len(), 13);
    let name = all[0].name.clone();
    tasks.get(&name).await.unwrap();
    tasks.acknowledge(&name).await.unwrap();
    tasks.expire(&name).await.unwrap();
    let options = WaitOptions::new().interval(Duration::from_millis(5)).timeout(Duration::from_millis(50));
    tasks.wait(&name, options.clone()).await.unwrap();
    let _ = tasks.watch(&name, options).collect::<Vec<_>>().await;
    let token_tasks = Tasks::new(client(Credentials::token_for_org(TOKEN, demo::ORG)));
    token_tasks.get(&name).await.unwrap();
    emulator.advance(Duration::from_secs(61));
    let expired = token_tasks.get(&name).await.unwrap_err();
    assert!(expired.is_auth(), "{expired}");
    everything.push_str(&error_text(&expired));
    emulator.add_api_key("viewer2", WRONG_KEY, [PERMISSION_TASKS_READ]);
    let viewer = Tasks::new(client(Credentials::api_key(demo::ORG, "viewer2", WRONG_KEY)));
    let forbidden = viewer.acknowledge(&name).await.unwrap_err();
    everything.push_str(&error_text(&forbidden));
    let debugs =
        format!("{tasks:?}{token_tasks:?}{viewer:?}{:?}", Credentials::api_key(demo::ORG, demo::USER, KEY));
    everything.push_str(&debugs);
    let logs = captured.text();
    assert!(logs.contains("retrying"), "the TRACE logs were captured: {logs}");
    everything.push_str(&logs);

    // Every snapshot file in the repository.
    let (texts, snapshots) = every_snapshot();
    assert!(snapshots >= 20, "found only {snapshots} snapshot files");
    everything.push_str(&texts);

    for secret in [KEY, TOKEN, WRONG_KEY] {
        assert!(!everything.contains(secret), "{secret} leaked");
    }
    assert!(everything.len() > 10_000, "all that output was really collected ({} bytes)", everything.len());
}

/// The text of every snapshot file under `crates/` and `tests/`, and how many there are.
fn every_snapshot() -> (String, usize) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let (mut texts, mut count) = (String::new(), 0);
    let mut dirs = vec![root.join("crates"), root.join("tests")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|ext| ext == "snap") {
                texts.push_str(&std::fs::read_to_string(&path).unwrap());
                count += 1;
            }
        }
    }
    (texts, count)
}
