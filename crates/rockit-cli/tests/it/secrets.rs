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
    assert!(
        run.stderr.contains("credentials=API key of adminPrincipal in ExampleOrg ([redacted])"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("rockit.request"), "-vv logs every request: {}", run.stderr);

    let run =
        rockit(&[&key[..], &["tasks", "ack", demo::WARNED_PUBLISH, "-o", "json"]].concat()).await.expect(0);
    assert_no_secret(&run);

    let token = ["--endpoint", &url, "--token", TOKEN, "-vv", "tasks", "show", demo::STUCK_UPLOAD];
    let run = rockit(&token).await.expect(0);
    assert_no_secret(&run);
    assert!(run.stderr.contains("credentials=auth token ([redacted])"), "{}", run.stderr);

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
    let run = rockit_env(&["--token", TOKEN, "-v", "tasks", "list"], &env).await.expect(2);
    assert_no_secret(&run);
}
