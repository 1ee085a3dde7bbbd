//! Bodies that do not decode give typed errors with the status and an excerpt, never a panic.

use rockit_model::{ApiStatus, GetTask, ListTasks};
use rockit_test_support::mock::{MockServer, Reply};
use rockit_transport::ErrorKind;

use crate::support::client;

#[tokio::test]
async fn undecodable_bodies_are_decode_errors_with_an_excerpt() {
    let server = MockServer::start().await;
    server.script([
        Reply::json(200, r#"{"status":"success","totalCount":13,"tasks":[{"name":"#),
        Reply::raw(200, "text/html", "<html><body>Gateway says hi</body></html>"),
        Reply::json(200, r#"{"status":"success","totalCount":"13","tasks":[]}"#),
        Reply::json(200, ""),
    ]);
    let client = client(&server);
    let mut excerpts = Vec::new();
    for _ in 0..4 {
        let err = client.execute(&ListTasks::new()).await.unwrap_err();
        let ErrorKind::Decode { status, excerpt, .. } = err.kind() else {
            panic!("not a decode error: {err:?}")
        };
        assert_eq!(*status, 200);
        assert!(std::error::Error::source(&err).is_some(), "the serde error is kept as the source");
        assert_eq!(err.attempts(), 1, "decode errors are not retried");
        excerpts.push(excerpt.clone());
    }
    assert_eq!(
        excerpts,
        [
            r#"{"status":"success","totalCount":13,"tasks":[{"name":"#,
            "<html><body>Gateway says hi</body></html>",
            r#"{"status":"success","totalCount":"13","tasks":[]}"#,
            ""
        ]
    );
}

#[tokio::test]
async fn a_2xx_whose_status_is_not_success_is_an_api_error() {
    let server = MockServer::start().await;
    server.default_reply(Reply::json(200, r#"{"status":"missing-param","message":"name"}"#));
    let err = client(&server).execute(&ListTasks::new()).await.unwrap_err();
    assert_eq!(err.status(), Some(200));
    assert_eq!(err.api_code(), Some(&ApiStatus::MissingParam));
}

#[tokio::test]
async fn bare_details_with_their_own_status_decode() {
    let server = MockServer::start().await;
    server.default_reply(Reply::json(
        200,
        r#"{"name":"a-b-0001-1-dltar","service":"engine","status":"pending"}"#,
    ));
    let details = client(&server).execute(&GetTask::new("a-b-0001-1-dltar".parse().unwrap())).await.unwrap();
    assert_eq!(details.status, rockit_model::TaskStatus::Pending);
}

#[tokio::test]
async fn html_error_pages_become_api_errors_with_an_excerpt() {
    let server = MockServer::start().await;
    server.default_reply(Reply::raw(404, "text/html", "<h1>Not Found</h1>\n"));
    let err = client(&server).execute(&ListTasks::new()).await.unwrap_err();
    let ErrorKind::Api { status, code, message, excerpt, .. } = err.kind() else { panic!("{err:?}") };
    assert_eq!((*status, code, message), (404, &None, &None));
    assert_eq!(excerpt, "<h1>Not Found</h1> ");
    assert!(err.is_not_found());
}
