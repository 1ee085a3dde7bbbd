//! `rockit emulator` serves, and the other commands work against it by `--endpoint`; `--emulator`
//! runs a command against a built-in one (the README's first command).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use rockit_emulator::demo;

use crate::{BIN, rockit, rockit_env};

/// A running `rockit emulator`, killed on drop.
struct Served {
    child: Child,
    banner: Vec<String>,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `rockit emulator --listen 127.0.0.1:0 args...` and reads its banner up to the token.
async fn serve(args: &[&str]) -> Served {
    let mut child = Command::new(BIN)
        .args(["emulator", "--listen", "127.0.0.1:0"])
        .args(args)
        .env_remove("ROCKIT_EMULATOR_API_KEY")
        .env_remove("ROCKIT_EMULATOR_TOKEN")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("rockit emulator starts");
    let stdout = child.stdout.take().unwrap();
    let banner = tokio::task::spawn_blocking(move || {
        let mut banner = Vec::new();
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let last = line.starts_with("token: ");
            banner.push(line);
            if last {
                break;
            }
        }
        banner
    })
    .await
    .unwrap();
    Served { child, banner }
}

#[tokio::test]
async fn rockit_emulator_serves_the_other_commands() {
    let served = serve(&[]).await;
    let url =
        served.banner[0].strip_prefix("listening on ").expect("the first line names the URL").to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    assert_eq!(
        served.banner[1..],
        [
            "org: ExampleOrg",
            "user: adminPrincipal",
            "api-key: demo-api-key",
            "token: demo-token (expires after 300 s of emulator time)"
        ]
    );
    let env = [("ROCKIT_ENDPOINT", url.as_str()), ("ROCKIT_TOKEN", demo::TOKEN), ("ROCKIT_ORG", demo::ORG)];
    let run = rockit_env(&["tasks", "ack", demo::WARNED_PUBLISH], &env).await.expect(0);
    assert_eq!(run.stdout, format!("acknowledged {}\n", demo::WARNED_PUBLISH));
    // The acknowledgement persists in the served emulator.
    let run = rockit_env(&["tasks", "list", "--offset", "10"], &env).await.expect(0);
    let publish = run.stdout.lines().find(|line| line.starts_with(demo::WARNED_PUBLISH)).unwrap();
    assert!(publish.ends_with("ack"), "{publish}");
}

#[tokio::test]
async fn rockit_emulator_takes_the_emulator_flags() {
    let served =
        serve(&["--generate", "25", "--org", "Acme", "--user", "ci", "--api-key", "k", "--token-ttl", "0"])
            .await;
    assert_eq!(
        served.banner[1..4],
        ["org: Acme", "user: ci", "api-key: (as given by --api-key or ROCKIT_EMULATOR_API_KEY)"]
    );
    let url = served.banner[0].strip_prefix("listening on ").unwrap().to_owned();
    let run = rockit(&[
        "--endpoint",
        &url,
        "--org",
        "Acme",
        "--user",
        "ci",
        "--api-key",
        "k",
        "-o",
        "json",
        "tasks",
        "list",
    ])
    .await
    .expect(0);
    assert_eq!(run.json()["totalCount"], serde_json::json!(25));
}

#[tokio::test]
async fn rockit_emulator_refuses_remote_addresses() {
    let run = rockit(&["emulator", "--listen", "0.0.0.0:0"]).await.expect(2);
    assert!(run.stderr.starts_with("error: refusing to listen on 0.0.0.0:0"), "{}", run.stderr);
}

#[tokio::test]
async fn the_built_in_emulator_lists_the_demo_tasks() {
    let run = rockit(&["--emulator", "tasks", "list"]).await.expect(0);
    assert_eq!(run.stderr, "");
    assert!(run.stdout.starts_with("NAME "), "{}", run.stdout);
    assert!(
        run.stdout.contains(&format!("{}    sushi  0002   dltar    engine   pending", demo::STUCK_UPLOAD))
    );
    assert!(run.stdout.ends_with("\n10 of 13 tasks\n"), "{}", run.stdout);
}

#[tokio::test]
async fn the_built_in_emulator_ignores_the_environment_but_takes_credential_flags() {
    let env = [("ROCKIT_ENDPOINT", "https://unreachable.invalid"), ("ROCKIT_TOKEN", "real-looking")];
    let run = rockit_env(&["--emulator", "tasks", "show", demo::STUCK_UPLOAD], &env).await.expect(0);
    assert!(run.stdout.starts_with(&format!("name:         {}\n", demo::STUCK_UPLOAD)), "{}", run.stdout);
    let viewer = ["--emulator", "--user", demo::VIEWER_USER, "--api-key", demo::VIEWER_API_KEY];
    let run = rockit(&[&viewer[..], &["tasks", "expire", "--yes", demo::STUCK_UPLOAD]].concat()).await;
    assert!(run.one_line_error(3).contains("403 forbidden"));
}
