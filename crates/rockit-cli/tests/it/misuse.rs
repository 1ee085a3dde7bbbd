//! Misuse: each mistake ends with exit 2 (usage) or 3 (authentication) and one `error: …` line
//! that names the fix, before any request when the mistake can be seen locally.

use rockit_emulator::demo;

use crate::{admin, rockit, rockit_env, scrub, start_demo};

#[tokio::test]
async fn no_endpoint_says_how_to_configure_one_and_mentions_the_emulator() {
    let line = rockit(&["tasks", "list"]).await.one_line_error(2);
    assert_eq!(
        line,
        "no endpoint; pass --endpoint https://your-edge-host, set ROCKIT_ENDPOINT or `endpoint` in a profile \
         (rockit config path), or add --emulator to try the commands against built-in demo tasks"
    );
}

#[tokio::test]
async fn no_credentials() {
    let line = rockit_env(&["tasks", "list"], &[("ROCKIT_ENDPOINT", "https://edge.example.com")])
        .await
        .one_line_error(2);
    assert!(line.starts_with("no credentials; set an API key (--api-key, ROCKIT_API_KEY or `api_key` in a profile) with the org and user, or a token (--token, ROCKIT_TOKEN"), "{line}");
}

#[tokio::test]
async fn an_api_key_and_a_token_conflict_in_one_layer_and_a_flag_beats_the_environment() {
    let env =
        [("ROCKIT_ENDPOINT", "https://edge.example.com"), ("ROCKIT_TOKEN", "t"), ("ROCKIT_API_KEY", "k")];
    let line = rockit_env(&["tasks", "list"], &env).await.one_line_error(2);
    assert_eq!(
        line,
        "both an API key (ROCKIT_API_KEY) and a token (ROCKIT_TOKEN) are set; \
         a request carries exactly one kind of credentials, so keep one"
    );
    let line =
        rockit_env(&["--api-key", "k", "--token", "t", "tasks", "list"], &env[..1]).await.one_line_error(2);
    assert!(line.starts_with("both an API key (--api-key) and a token (--token) are set;"), "{line}");

    // Across layers the highest decides: the flag's API key is used, the variable's token is not.
    let emulator = start_demo().await;
    let url = emulator.base_url();
    let env = [("ROCKIT_TOKEN", "not-a-valid-token")];
    let run = rockit_env(&admin(&url, &["tasks", "list"]), &env).await.expect(0);
    assert!(run.stdout.ends_with("10 of 13 tasks\n"), "{}", run.stdout);
    assert!(
        emulator
            .requests()
            .iter()
            .all(|request| request.headers.iter().all(|(name, _)| name != "x-rockit-beauth-token"))
    );
}

#[tokio::test]
async fn an_api_key_names_what_it_lacks() {
    let env = [("ROCKIT_ENDPOINT", "https://edge.example.com"), ("ROCKIT_API_KEY", "k"), ("ROCKIT_ORG", "o")];
    let line = rockit_env(&["tasks", "list"], &env).await.one_line_error(2);
    assert_eq!(
        line,
        "an API key (ROCKIT_API_KEY) needs the organization and the machine user; set the user (--user, ROCKIT_USER or `user` in a profile)"
    );
}

#[tokio::test]
async fn a_flag_beats_the_environment() {
    let emulator = start_demo().await;
    let url = emulator.base_url();
    let env = [
        ("ROCKIT_ENDPOINT", "https://unreachable.invalid"),
        ("ROCKIT_ORG", "wrong"),
        ("ROCKIT_USER", demo::USER),
        ("ROCKIT_API_KEY", demo::API_KEY),
    ];
    let run = rockit_env(&["--endpoint", &url, "--org", demo::ORG, "tasks", "list"], &env).await.expect(0);
    assert!(run.stdout.ends_with("10 of 13 tasks\n"), "{}", run.stdout);
}

#[tokio::test]
async fn values_are_checked_before_any_request() {
    let emulator = start_demo().await;
    let url = emulator.base_url();
    // clap rejects each value with its reason: `error: invalid value 'RAW' for '--flag <V>': REASON`.
    let cases: [(&[&str], &str); 8] = [
        (&["tasks", "show", "a/b"], "invalid value 'a/b' for '<NAME>': it contains '/' at byte 1"),
        (
            &["--timeout", "10x", "tasks", "list"],
            r#"invalid value '10x' for '--timeout <DURATION>': unknown time unit "x""#,
        ),
        (
            &["tasks", "list", "--status", "runing"],
            "invalid value 'runing' for '--status <STATUS>': use one of pending, running, done, failed, expired, or --param status=runing",
        ),
        (
            &["tasks", "list", "--kind", "upload"],
            "invalid value 'upload' for '--kind <KIND>': use one of dltar,",
        ),
        (
            &["tasks", "list", "--sort", "-size"],
            "invalid value '-size' for '--sort <[-]FIELD>': sort by name, status",
        ),
        (&["tasks", "list", "--since", "yesterday"], "invalid value 'yesterday' for '--since <T>': "),
        (
            &["tasks", "list", "--limit", "0"],
            "invalid value '0' for '--limit <N>': ask for at least 1 task per page",
        ),
        (
            &["tasks", "ack", "ok-name", "bad name"],
            "invalid value 'bad name' for '<NAME>...': it contains ' ' at byte 3",
        ),
    ];
    for (args, expected) in cases {
        let run = rockit(&admin(&url, args)).await.expect(2);
        assert_eq!(run.stdout, "", "{args:?}");
        let first = run.stderr.lines().next().unwrap_or_default();
        assert!(
            first.strip_prefix("error: ").is_some_and(|line| line.starts_with(expected)),
            "{args:?}: {}",
            run.stderr
        );
    }
    assert_eq!(emulator.request_count(), 0);
}

#[tokio::test]
async fn clap_rejects_unknown_flags_with_exit_2() {
    let run = rockit(&["tasks", "list", "--stauts", "done"]).await.expect(2);
    assert!(run.stderr.starts_with("error: unexpected argument '--stauts' found"), "{}", run.stderr);
    assert!(run.stderr.contains("--status"), "clap suggests the right flag: {}", run.stderr);
}

#[tokio::test]
async fn bad_endpoints_are_usage_errors() {
    let args = ["--org", "o", "--user", "u", "--api-key", "k", "tasks", "list"];
    let line = rockit(&[&["--endpoint", "edge.example.com"][..], &args].concat()).await.one_line_error(2);
    assert!(line.contains("write it like https://edge.example.com"), "{line}");
    let line =
        rockit(&[&["--endpoint", "http://edge.example.com"][..], &args].concat()).await.one_line_error(2);
    assert_eq!(
        line,
        "refusing to send credentials over plain http to http://edge.example.com/; \
         use https (plain http is allowed only to loopback addresses)"
    );
    let line = rockit(&[&["--emulator", "--endpoint", "https://edge.example.com"][..], &args].concat())
        .await
        .one_line_error(2);
    assert_eq!(line, "--emulator and --endpoint both name a server; pass only one");
}

#[tokio::test]
async fn wrong_credentials_exit_3_with_a_hint() {
    let emulator = start_demo().await;
    let url = emulator.base_url();
    let args =
        ["--endpoint", &url, "--org", demo::ORG, "--user", demo::USER, "--api-key", "nope", "tasks", "list"];
    let line = rockit(&args).await.one_line_error(3);
    assert!(line.starts_with("list tasks: GET /be/v1/tasks: 401 unauthorized: "), "{line}");
    // The hint names the credentials in use and where each came from.
    assert!(
        line.ends_with("; check the API key from --api-key, the org from --org and the user from --user"),
        "{line}"
    );
    let env = [("ROCKIT_ORG", demo::ORG), ("ROCKIT_USER", demo::USER), ("ROCKIT_API_KEY", "nope")];
    let line = rockit_env(&["--endpoint", &url, "tasks", "list"], &env).await.one_line_error(3);
    assert!(
        line.ends_with(
            "; check the API key from ROCKIT_API_KEY, the org from ROCKIT_ORG and the user from ROCKIT_USER"
        ),
        "{line}"
    );
    let line = rockit(&[
        "--endpoint",
        &url,
        "--org",
        demo::ORG,
        "--token-command",
        "echo not-a-token",
        "tasks",
        "list",
    ])
    .await
    .one_line_error(3);
    assert!(
        line.ends_with("; check the token command (echo) from --token-command and the org from --org"),
        "{line}"
    );
}

#[tokio::test]
async fn an_unreachable_server_exits_1_and_verbose_shows_the_causes() {
    // A port that was free a moment ago: nothing listens there.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let line = rockit(&admin(&url, &["--retries", "0", "tasks", "list"])).await.one_line_error(1);
    assert_eq!(
        scrub(&line),
        "list tasks: GET /be/v1/tasks: cannot connect to the server; check the endpoint URL and your network (after 1 attempt)"
    );
    let run = rockit(&admin(&url, &["--retries", "0", "-v", "tasks", "list"])).await.expect(1);
    assert!(run.stderr.contains("\n  caused by: "), "{}", run.stderr);
}
