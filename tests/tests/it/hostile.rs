//! Hostile input end to end: any string is either refused as a task name or travels as exactly
//! one path segment; the emulator survives header floods; stalled responses are cut.

use std::fmt::Write as _;
use std::time::Duration;

use proptest::prelude::*;
use rockit_emulator::{Emulator, Fault, Fixture, Matcher, demo};
use rockit_model::{GetTask, MAX_TASK_NAME_LEN, TaskName, TaskNameError};
use rockit_tasks::Tasks;
use rockit_transport::{Client, Credentials, ErrorKind, RetryPolicy};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn client(emulator: &Emulator) -> Client {
    Client::builder()
        .base_url(emulator.base_url())
        .credentials(Credentials::api_key(demo::ORG, demo::USER, demo::API_KEY))
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap()
}

/// Why `raw` must be refused as a task name, by the rules `TaskName` documents (written out here
/// on their own, so that a validator that refuses too much or too little is caught); `None` for a
/// valid name.
fn expected_rejection(raw: &str) -> Option<TaskNameError> {
    if raw.is_empty() {
        return Some(TaskNameError::Empty);
    }
    if raw.len() > MAX_TASK_NAME_LEN {
        return Some(TaskNameError::TooLong { len: raw.len() });
    }
    if raw == "." || raw == ".." {
        return Some(TaskNameError::DotSegment);
    }
    raw.char_indices()
        .find(|(_, ch)| ch.is_control() || ch.is_whitespace() || "/\\?#%".contains(*ch))
        .map(|(index, ch)| TaskNameError::ForbiddenChar { ch, index })
}

/// Any input: one a user might type, or a valid name of any shape (so that many cases reach the
/// emulator).
fn any_input() -> impl Strategy<Value = String> {
    prop_oneof![
        rockit_test_support::strategies::any_name_input(),
        rockit_test_support::strategies::task_name().prop_map(TaskName::into_string),
    ]
}

/// The segments the emulator decoded from a `GET /be/v1/tasks/{name}`, which must answer 404.
fn segments_seen(name: TaskName) -> Vec<String> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let emulator = Emulator::builder().speed(0.0).start().await.unwrap();
        let err = client(&emulator).execute(&GetTask::new(name)).await.unwrap_err();
        assert_eq!(err.status(), Some(404), "{err}");
        emulator.requests().remove(0).segments
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// For any string, `TaskName` refuses it with the typed reason the rules give, or accepts it
    /// (exactly when the rules do) and the emulator decodes exactly that string as the one
    /// segment after `/be/v1/tasks/`.
    #[test]
    fn any_accepted_name_is_exactly_one_segment(raw in any_input()) {
        let expected = expected_rejection(&raw);
        match raw.parse::<TaskName>() {
            Err(err) => {
                prop_assert!(expected.is_some(), "refused a valid name {:?}: {}", raw, err);
                prop_assert!(
                    matches!(err, rockit_model::Error::InvalidTaskName { .. }),
                    "not a task name error: {:?}", err
                );
                prop_assert_eq!(err.task_name_error(), expected.as_ref(), "{:?}", raw);
            }
            Ok(name) => {
                prop_assert_eq!(expected, None, "accepted an invalid name {:?}", raw);
                prop_assert_eq!(name.as_str(), raw.as_str());
                let seen = segments_seen(name);
                prop_assert_eq!(seen, vec!["be".to_owned(), "v1".to_owned(), "tasks".to_owned(), raw]);
            }
        }
    }
}

#[test]
fn names_that_read_as_something_else_still_travel_as_one_exact_segment() {
    // Valid names whose characters change how they look: a bidi override, zero-width characters,
    // look-alikes of `/` and `\`, dots that are not a dot segment.
    for raw in [
        "exampleorg-sushi\u{202e}gpj.exe-0001-1-dltar",
        "a\u{200b}b",
        "\u{feff}name",
        "..\u{ff0f}etc\u{2215}passwd",
        "a\u{ff3c}b",
        "...",
    ] {
        assert_eq!(expected_rejection(raw), None, "{raw:?}");
        let name: TaskName = raw.parse().unwrap_or_else(|err| panic!("{raw:?}: {err}"));
        assert_eq!(segments_seen(name), ["be", "v1", "tasks", raw], "{raw:?}");
    }
}

#[tokio::test]
async fn header_floods_get_a_4xx_and_the_server_keeps_serving() {
    let emulator = Emulator::builder().fixture(Fixture::demo()).speed(0.0).start().await.unwrap();
    for (count, size) in [(2_000, 16), (1, 200_000)] {
        let mut stream = tokio::net::TcpStream::connect(emulator.addr()).await.unwrap();
        let mut request = String::from("GET /be/v1/tasks HTTP/1.1\r\nhost: x\r\n");
        for i in 0..count {
            let _ = write!(request, "x-flood-{i}: {}\r\n", "a".repeat(size));
        }
        request.push_str("connection: close\r\n\r\n");
        // The server may close the connection before it has read everything we send.
        let _ = stream.write_all(request.as_bytes()).await;
        let mut response = Vec::new();
        let _ = stream.read_to_end(&mut response).await;
        let head = String::from_utf8_lossy(&response[..response.len().min(12)]).into_owned();
        assert!(
            head.is_empty() || head.starts_with("HTTP/1.1 4"),
            "a flood of {count} headers of {size} bytes got {head:?}"
        );
    }
    let page = Tasks::new(client(&emulator)).list(rockit_model::ListTasks::new()).await.unwrap();
    assert_eq!(page.total_count, 13, "the emulator still serves");
}

#[tokio::test]
async fn a_stalled_response_is_cut_and_retried_when_idempotent() {
    let emulator = Emulator::builder().fixture(Fixture::demo()).speed(0.0).start().await.unwrap();
    let patient = Client::builder()
        .base_url(emulator.base_url())
        .credentials(Credentials::api_key(demo::ORG, demo::USER, demo::API_KEY))
        .timeout(Duration::from_millis(150))
        .retry_policy(RetryPolicy::default().base_delay(Duration::from_millis(1)))
        .build()
        .unwrap();
    let tasks = Tasks::new(patient.clone());
    let stuck: TaskName = demo::STUCK_UPLOAD.parse().unwrap();

    // A GET that stalls once is cut by the attempt timeout and retried on a new connection (the
    // emulator logs only answered requests, and the stalled one is abandoned by the client).
    emulator.script(Matcher::get_task(), 1, Fault::Delay(Duration::from_secs(30)));
    assert_eq!(tasks.get(&stuck).await.unwrap().name, stuck);
    assert_eq!(emulator.counters().connections, 2);
    assert_eq!(emulator.requests().len(), 1);

    // The overall deadline wins over the retries.
    emulator.script(Matcher::get_task(), 100, Fault::Delay(Duration::from_secs(2)));
    let bounded = Client::builder()
        .base_url(emulator.base_url())
        .credentials(Credentials::api_key(demo::ORG, demo::USER, demo::API_KEY))
        .timeout(Duration::from_millis(100))
        .deadline(Duration::from_millis(350))
        .retry_policy(RetryPolicy::default().max_attempts(100).base_delay(Duration::from_millis(1)))
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let err = bounded.execute(&GetTask::new(stuck.clone())).await.unwrap_err();
    assert!(err.is_timeout(), "{err}");
    // Each attempt but the last is cut by its 100 ms timeout, so an attempt starts 100 ms after the
    // one before it at the earliest, and none starts past the 350 ms deadline: at most 4 attempts
    // however slow the machine, and the time they took bounded from below.
    assert!((1..=4).contains(&err.attempts()), "{} attempts", err.attempts());
    assert!(started.elapsed() >= Duration::from_millis(100) * (err.attempts() - 1));
    emulator.clear_scripts();
}

#[tokio::test]
async fn a_stalled_non_idempotent_call_is_surfaced_not_repeated() {
    let emulator = Emulator::builder()
        .fixture(Fixture::demo())
        .speed(0.0)
        .demo_credentials()
        .mount(
            axum::Router::new()
                .route("/be/v1/trigger", axum::routing::post(|| async { r#"{"status":"success"}"# })),
        )
        .api_key("ops", "ops-key", ["trigger.create"])
        .start()
        .await
        .unwrap();
    emulator.script(Matcher::path_prefix("/be/v1/trigger"), 1, Fault::Delay(Duration::from_secs(30)));
    let client = Client::builder()
        .base_url(emulator.base_url())
        .credentials(Credentials::api_key(demo::ORG, "ops", "ops-key"))
        .timeout(Duration::from_millis(150))
        .build()
        .unwrap();
    let err = client.execute(&Trigger).await.unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Timeout { deadline: false }), "{err:?}");
    assert_eq!(err.attempts(), 1);
    // A repeat would need a second connection, the first one being stuck.
    assert_eq!(emulator.counters().connections, 1, "a POST that may have been applied is not sent again");
    assert!(emulator.requests().is_empty());
}

/// `POST /be/v1/trigger`, not idempotent.
struct Trigger;

impl rockit_model::Endpoint for Trigger {
    type Response = serde_json::Value;

    fn method(&self) -> rockit_model::Method {
        rockit_model::Method::Post
    }

    fn path(&self) -> rockit_model::PathSegments<'_> {
        rockit_model::PathSegments::from_static(&["be", "v1", "trigger"])
    }
}
