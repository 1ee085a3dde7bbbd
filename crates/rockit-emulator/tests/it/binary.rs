//! The `rockit-emulator` binary: its first line names the address, then the credentials; it
//! serves the fixture it is given and stops cleanly on Ctrl-C.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};

use rockit_emulator::{MAINTENANCE_PATH, demo};
use rockit_test_support::vendor_errors;
use serde_json::json;

use crate::client::Client;

const BIN: &str = env!("CARGO_BIN_EXE_rockit-emulator");

/// A running emulator process, killed on drop if the test did not stop it.
struct Running {
    child: Child,
    addr: SocketAddr,
    banner: Vec<String>,
    stdout: tokio::sync::mpsc::UnboundedReceiver<String>,
}

impl Running {
    /// The next line the binary prints.
    async fn next_line(&mut self) -> Option<String> {
        self.stdout.recv().await
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the binary on a free port and reads its banner up to the token line. A thread keeps
/// reading stdout, so the child never writes into a closed pipe.
async fn spawn(args: &[&str]) -> Running {
    let mut child = Command::new(BIN)
        .args(["--listen", "127.0.0.1:0"])
        .args(args)
        .env_remove("ROCKIT_EMULATOR_LISTEN")
        .env_remove("ROCKIT_EMULATOR_API_KEY")
        .env_remove("ROCKIT_EMULATOR_TOKEN")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let stdout = child.stdout.take().unwrap();
    let (lines, mut received) = tokio::sync::mpsc::unbounded_channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = lines.send(line);
        }
    });
    let mut banner = Vec::new();
    while let Some(line) = received.recv().await {
        let last = line.starts_with("token: ");
        banner.push(line);
        if last {
            break;
        }
    }
    let addr = banner
        .first()
        .and_then(|line| line.strip_prefix("listening on http://"))
        .unwrap_or_else(|| panic!("unexpected first line: {banner:?}"))
        .parse()
        .expect("an address");
    Running { child, addr, banner, stdout: received }
}

#[tokio::test]
async fn serves_the_demo_and_prints_the_credentials() {
    let mut running = spawn(&[]).await;
    assert_eq!(
        running.banner[1..],
        [
            "org: ExampleOrg",
            "user: adminPrincipal",
            "api-key: demo-api-key",
            "token: demo-token (expires after 300 s of emulator time)",
        ]
    );
    assert_eq!(
        running.next_line().await.as_deref(),
        Some("read-only user: viewer with api-key demo-viewer-key")
    );
    let client = Client::api_key(running.addr, demo::ORG, demo::USER, demo::API_KEY);
    let page = client.get("/be/v1/tasks").await;
    assert_eq!(page.status, 200);
    let seed: serde_json::Value = serde_json::from_str(rockit_test_support::seed::response_body()).unwrap();
    assert_eq!(page.json(), seed);
    let viewer = Client::api_key(running.addr, demo::ORG, demo::VIEWER_USER, demo::VIEWER_API_KEY);
    assert_eq!(viewer.get("/be/v1/tasks").await.status, 200);
    assert_eq!(Client::token(running.addr, demo::TOKEN).get("/be/v1/tasks").await.status, 200);
}

#[tokio::test]
async fn takes_credentials_generated_tasks_and_json_fixtures() {
    let running = spawn(&[
        "--generate",
        "25",
        "--org",
        "Acme",
        "--user",
        "ci",
        "--api-key",
        "k",
        "--token",
        "t",
        "--token-ttl",
        "0",
    ])
    .await;
    assert_eq!(
        running.banner[1..],
        [
            "org: Acme",
            "user: ci",
            "api-key: (as given by --api-key or ROCKIT_EMULATOR_API_KEY)",
            "token: (as given by --token or ROCKIT_EMULATOR_TOKEN)"
        ]
    );
    let page = Client::api_key(running.addr, "acme", "ci", "k").get("/be/v1/tasks?limit=1").await.json();
    assert_eq!(page["totalCount"], json!(25));
    assert!(page["tasks"][0]["name"].as_str().unwrap().starts_with("acme-"));
    assert_eq!(
        Client::api_key(running.addr, demo::ORG, demo::USER, demo::API_KEY).get("/be/v1/tasks").await.status,
        401
    );

    // One flag alone: its credential is used, the other stays the demo one, and the demo's
    // read-only user is not offered.
    let key_only = spawn(&["--api-key", "k"]).await;
    assert_eq!(
        Client::api_key(key_only.addr, demo::ORG, demo::USER, "k").get("/be/v1/tasks").await.status,
        200
    );
    assert_eq!(Client::token(key_only.addr, demo::TOKEN).get("/be/v1/tasks").await.status, 200);
    assert!(!key_only.banner.iter().any(|line| line.starts_with("read-only user")), "{:?}", key_only.banner);

    let path = std::env::temp_dir().join(format!("rockit-emulator-fixture-{}.json", std::process::id()));
    std::fs::write(
        &path,
        r#"[{"name": "acme-game-0001-1700000000-dltar", "service": "engine", "status": "done"}]"#,
    )
    .unwrap();
    let from_file = spawn(&["--fixture", path.to_str().unwrap()]).await;
    let page = Client::api_key(from_file.addr, demo::ORG, demo::USER, demo::API_KEY)
        .get("/be/v1/tasks")
        .await
        .json();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(
        page,
        json!({"status": "success", "totalCount": 1, "tasks": [
            {"name": "acme-game-0001-1700000000-dltar", "service": "engine", "status": "done"}
        ]})
    );
}

#[tokio::test]
async fn starts_in_maintenance_and_limits_the_rate() {
    let running = spawn(&["--maintenance", "--rate-limit", "1"]).await;
    let client = Client::api_key(running.addr, demo::ORG, demo::USER, demo::API_KEY);
    let answer = client.get("/be/v1/tasks").await;
    assert_eq!((answer.status, answer.header("retry-after")), (503, Some("900")));
    assert_eq!(String::from_utf8(answer.body).unwrap(), vendor_errors::MAINTENANCE);

    let off = Client::anonymous(running.addr).send("POST", MAINTENANCE_PATH, br#"{"enabled":false}"#).await;
    assert_eq!(off.complete().json(), json!({"status": "success", "maintenance": false}));
    let started = std::time::Instant::now();
    let statuses: Vec<u16> = {
        let mut statuses = Vec::new();
        for _ in 0..10 {
            let response = client.get("/be/v1/tasks?limit=1").await;
            if response.status == 429 {
                assert_eq!(response.header("retry-after"), Some("60"));
                assert_eq!(String::from_utf8(response.body).unwrap(), vendor_errors::RATE_LIMITED);
            }
            statuses.push(response.status);
        }
        statuses
    };
    let elapsed = started.elapsed();
    let elapsed = elapsed.as_secs() + u64::from(elapsed.subsec_nanos() > 0);
    let ok = statuses.iter().map(|status| u64::from(*status == 200)).sum::<u64>();
    assert!(statuses.contains(&429), "{statuses:?}");
    assert!(ok <= 1 + elapsed + 2, "{ok} answered in {elapsed} s at 1/s: {statuses:?}");
}

#[test]
fn refuses_remote_addresses_and_bad_fixtures() {
    let remote = Command::new(BIN).args(["--listen", "0.0.0.0:0"]).output().unwrap();
    assert_eq!(remote.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&remote.stderr);
    assert!(
        stderr.contains("refusing to listen on 0.0.0.0:0") && stderr.contains("--allow-remote"),
        "{stderr}"
    );

    let missing = Command::new(BIN)
        .args(["--listen", "127.0.0.1:0", "--fixture", "/nonexistent/tasks.json"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&missing.stderr);
    assert!(stderr.contains("cannot read fixture file /nonexistent/tasks.json"), "{stderr}");

    let both = Command::new(BIN).args(["--fixture", "demo", "--generate", "5"]).output().unwrap();
    assert_eq!(both.status.code(), Some(2), "clap rejects --fixture with --generate");
}

#[cfg(unix)]
#[tokio::test]
async fn stops_cleanly_on_ctrl_c_and_on_sigterm() {
    for signal in ["-INT", "-TERM"] {
        let mut running = spawn(&[]).await;
        assert_eq!(
            Client::api_key(running.addr, demo::ORG, demo::USER, demo::API_KEY)
                .get("/be/v1/tasks")
                .await
                .status,
            200
        );
        let pid = running.child.id().to_string();
        let sent = Command::new("kill").args([signal, &pid]).status().unwrap();
        assert!(sent.success());
        let mut waiting = tokio::task::spawn_blocking(move || {
            let status = running.child.wait().unwrap();
            let mut stderr = String::new();
            std::io::Read::read_to_string(running.child.stderr.as_mut().unwrap(), &mut stderr).unwrap();
            (status, stderr)
        });
        let Ok(status) = tokio::time::timeout(std::time::Duration::from_secs(20), &mut waiting).await else {
            Command::new("kill").args(["-KILL", &pid]).status().unwrap();
            panic!("{signal}: still running 20 s after the signal");
        };
        let status = status.unwrap();
        assert!(status.0.success(), "{signal}: {:?}: {}", status.0, status.1);
        assert!(status.1.contains("shutting down"), "{signal}: {}", status.1);
    }
}
