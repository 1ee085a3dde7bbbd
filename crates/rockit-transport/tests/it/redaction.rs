//! Secrets never reach Debug, Display, errors or tracing output; and every error kind's text.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::Duration;

use rockit_model::{ListTasks, PathSegments};
use rockit_test_support::mock::{MockServer, Reply};
use rockit_test_support::snapshots::scrub;
use rockit_transport::{Client, Credentials, Error, RetryPolicy};

use crate::support::{API_KEY, LIST_OK, RawGet, TOKEN, Trigger, api_key, builder, client};

/// A one-connection-at-a-time TCP server that answers every request with `reply(request)` and
/// then closes the connection: for responses no HTTP framework would send.
pub(crate) fn raw_server(
    reply: impl Fn(&[u8]) -> Vec<u8> + Send + 'static,
) -> (String, std::thread::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut buffer = [0_u8; 8192];
            let read = stream.read(&mut buffer).unwrap_or(0);
            let _ = stream.write_all(&reply(&buffer[..read]));
        }
    });
    (url, handle)
}

fn assert_no_secret(text: &str) {
    assert!(!text.contains(API_KEY), "API key leaked: {text}");
    assert!(!text.contains(TOKEN), "token leaked: {text}");
    assert!(!text.contains("SECRET"), "secret fragment leaked: {text}");
}

#[tokio::test]
async fn tracing_at_trace_level_never_shows_a_secret() {
    let (captured, _guard) = rockit_test_support::logs::capture_traces();

    let server = MockServer::start().await;
    server.script([Reply::json(503, r#"{"status":"unavailable"}"#), Reply::json(200, LIST_OK)]);
    client(&server).execute(&ListTasks::new()).await.unwrap();
    let token_client = Client::builder()
        .base_url(server.url())
        .credentials(Credentials::token(TOKEN))
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    server.script([Reply::json(401, r#"{"status":"token-expired"}"#)]);
    let err = token_client.execute(&ListTasks::new()).await.unwrap_err();
    tracing::error!(error = %err, debug = ?err, "call failed");

    let output = captured.text();
    assert!(output.contains("retrying"), "the capture works and shows retries: {output}");
    assert!(output.contains("rockit.request"), "calls run in a span: {output}");
    assert_no_secret(&output);
}

#[tokio::test]
async fn debug_and_display_of_configuration_and_credentials_are_redacted() {
    let server = MockServer::start().await;
    let texts = [
        format!("{:?}", api_key()),
        format!("{}", api_key()),
        format!("{:?}", Credentials::token_for_org(TOKEN, "ExampleOrg")),
        format!("{}", Credentials::token(TOKEN)),
        format!("{:?}", builder(&server)),
        format!("{:?}", client(&server)),
    ];
    for text in &texts {
        assert_no_secret(text);
    }
    assert!(texts[0].contains("[redacted]") && texts[2].contains("[redacted]"), "{texts:?}");
}

/// One error of every kind, produced by real calls.
async fn every_error_kind() -> Vec<Error> {
    let mut errors = Vec::new();
    errors.push(Client::builder().credentials(api_key()).build().unwrap_err());
    errors.push(
        Client::builder().base_url("http://edge.example.com").credentials(api_key()).build().unwrap_err(),
    );
    let server = MockServer::start().await;
    let fast = builder(&server).retry_policy(RetryPolicy::none()).timeout(Duration::from_millis(100));
    let client = fast.build().unwrap();
    errors.push(client.execute(&RawGet(vec!["be".into(), "..".into()])).await.unwrap_err());
    let token_client =
        Client::builder().base_url(server.url()).credentials(Credentials::token(TOKEN)).build().unwrap();
    server.script([Reply::json(401, r#"{"status":"token-expired","message":"log in again"}"#)]);
    errors.push(token_client.execute(&ListTasks::new()).await.unwrap_err());
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let nowhere = Client::builder()
        .base_url(format!("http://{closed}"))
        .credentials(api_key())
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    errors.push(nowhere.execute(&ListTasks::new()).await.unwrap_err());
    server.script([Reply::Stall]);
    errors.push(client.execute(&Trigger).await.unwrap_err());
    server.script([Reply::Stall]);
    let deadline = builder(&server).deadline(Duration::from_millis(100)).build().unwrap();
    errors.push(deadline.execute(&ListTasks::new()).await.unwrap_err());
    let (url, _raw) = raw_server(|_| b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n{\"status\"".to_vec());
    let cut = Client::builder()
        .base_url(url)
        .credentials(api_key())
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    errors.push(cut.execute(&ListTasks::new()).await.unwrap_err());
    server.script([Reply::json(400, r#"{"status":"missing-param","message":"name is required"}"#)]);
    errors.push(client.execute(&ListTasks::new()).await.unwrap_err());
    server.script([Reply::raw(502, "text/html", "<html>bad gateway</html>")]);
    errors.push(client.execute(&ListTasks::new()).await.unwrap_err());
    server.script([Reply::json(200, r#"{"status":"success","tasks":[]}"#)]);
    errors.push(client.execute(&ListTasks::new()).await.unwrap_err());
    server.script([Reply::json(200, "x".repeat(64))]);
    errors.push(
        builder(&server)
            .max_response_bytes(16)
            .build()
            .unwrap()
            .execute(&ListTasks::new())
            .await
            .unwrap_err(),
    );
    server
        .script([Reply::json(301, "").with_header("location", "https://elsewhere.example.com/be/v1/tasks")]);
    errors.push(client.execute(&ListTasks::new()).await.unwrap_err());
    errors
}

#[tokio::test]
async fn every_error_kind_reads_well_and_holds_no_secret() {
    let errors = every_error_kind().await;
    let mut lines = Vec::new();
    for error in &errors {
        let display = error.to_string();
        assert_no_secret(&display);
        assert_no_secret(&format!("{error:?}"));
        let mut source = std::error::Error::source(error);
        while let Some(cause) = source {
            assert_no_secret(&cause.to_string());
            source = cause.source();
        }
        lines.push(scrub(&display));
    }
    insta::assert_snapshot!("error_display", lines.join("\n"));
    assert_eq!(PathSegments::from_static(&["be"]).to_string(), "/be");
}

#[test]
fn settings_and_resolutions_never_print_a_command_s_arguments_or_a_secret() {
    let env = |name: &str| match name {
        "ROCKIT_TOKEN_COMMAND" => Some("vault read --password=hunter2-SECRET token".to_owned()),
        "ROCKIT_ENDPOINT" => Some("https://edge.example.com".to_owned()),
        _ => None,
    };
    let settings = rockit_transport::Settings::from_env(env).unwrap();
    let resolved = rockit_transport::Resolver::new().env(settings.clone()).resolve().unwrap();
    let shown = format!("{settings:?} {resolved:?}");
    assert!(!shown.contains("hunter2") && !shown.contains("--password"), "{shown}");
    assert!(shown.contains("vault"), "the program is named: {shown}");
    let mut with_key = rockit_transport::Settings::default();
    with_key.api_key = Some(rockit_transport::SecretString::from(API_KEY));
    assert_no_secret(&format!("{with_key:?}"));
}
