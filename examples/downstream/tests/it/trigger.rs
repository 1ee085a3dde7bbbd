//! `POST /be/v1/trigger`: the exact request on the wire, the permission a `403` is missing, and a
//! `503` that is returned, never retried, because a retry is not idempotent.

use downstream::{PERMISSION_TRIGGER_CREATE, TriggerRetry};
use rockit_emulator::{Fault, Matcher, demo};
use rockit_model::{ApiStatus, Method, StatusResponse};
use rockit_transport::ErrorKind;

use crate::{Harness, headers, pairs, task};

#[tokio::test]
async fn the_request_is_exactly_the_documented_one() {
    let harness = Harness::start().await;
    let answer = harness.ops().execute(&TriggerRetry::new(task(demo::FAILED_DOWNLOAD))).await.unwrap();
    assert_eq!(answer, StatusResponse::success());
    assert_eq!(harness.seen(|seen| seen.triggers.clone()), [demo::FAILED_DOWNLOAD]);

    let request = harness.only_request();
    assert_eq!(request.method, "POST");
    assert_eq!(request.raw_path, "/be/v1/trigger");
    assert_eq!(request.raw_query, None);
    assert_eq!(&request.body[..], br#"{"taskName":"exampleorg-sushi-0003-1733240117-dltar"}"#);
    // A body brings `content-type` and `content-length`; the credentials are the API key's three.
    assert_eq!(
        headers(&request),
        pairs(&[
            ("accept", "application/json"),
            ("content-length", "53"),
            ("content-type", "application/json"),
            ("host", "127.0.0.1"),
            ("user-agent", "rockit-rs"),
            ("x-rockit-api-key", "[redacted]"),
            ("x-rockit-orgname", "ExampleOrg"),
            ("x-rockit-username", "ops"),
        ])
    );
    assert_eq!(request.status, Some(200));
}

#[tokio::test]
async fn a_403_that_names_no_permission_still_names_it_in_the_error() {
    let harness = Harness::start().await;
    let err = harness.admin().execute(&TriggerRetry::new(task(demo::FAILED_DOWNLOAD))).await.unwrap_err();
    assert_eq!(err.status(), Some(403));
    assert_eq!(err.api_code(), Some(&ApiStatus::Forbidden));
    assert!(err.is_auth());
    // The server's message says nothing about which permission; the endpoint does.
    assert_eq!(err.to_string(), "POST /be/v1/trigger: 403 forbidden: not allowed (after 1 attempt)");
    assert_eq!(err.permission(), Some(PERMISSION_TRIGGER_CREATE));
    assert_eq!(err.permission(), Some("trigger.create"));
    assert!(harness.seen(|seen| seen.triggers.is_empty()));
}

#[tokio::test]
async fn a_503_on_the_post_is_returned_after_one_attempt() {
    let harness = Harness::start().await;
    harness.emulator.script(Matcher::new(Method::Post, "/be/v1/trigger"), 1, Fault::Unavailable);
    let ops = harness.ops();
    let retry = TriggerRetry::new(task(demo::FAILED_DOWNLOAD));

    let err = ops.execute(&retry).await.unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(err.attempts(), 1);
    assert!(err.is_retryable(), "a later identical call may succeed: the caller decides");
    assert!(matches!(err.kind(), ErrorKind::Api { status: 503, .. }), "{err:?}");
    assert_eq!(err.permission(), Some("trigger.create"));
    let request = harness.only_request();
    assert_eq!(
        (request.method.as_str(), request.status, request.fault),
        ("POST", Some(503), Some(Fault::Unavailable))
    );
    assert!(harness.seen(|seen| seen.triggers.is_empty()), "the fault struck before the route");

    // The script is spent: the caller's own repeat goes through, once.
    assert!(ops.execute(&retry).await.unwrap().is_success());
    assert_eq!(harness.seen(|seen| seen.triggers.len()), 1);
    assert_eq!(harness.only_request().status, Some(200));
}
