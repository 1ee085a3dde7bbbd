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

#[tokio::test]
async fn an_error_names_the_permission_its_endpoint_declares() {
    let server = MockServer::start().await;
    server.default_reply(Reply::json(403, r#"{"status":"forbidden","message":"not allowed"}"#));
    let client = client(&server);
    let name: rockit_model::TaskName = "exampleorg-sushi-0002-1733149403-dltar".parse().unwrap();
    let update = client.execute(&rockit_model::UpdateTask::acknowledge(name.clone())).await.unwrap_err();
    assert_eq!((update.status(), update.permission()), (Some(403), Some("tasks.update")));
    let get = client.execute(&GetTask::new(name)).await.unwrap_err();
    assert_eq!(get.permission(), Some("tasks.read"));
    let list = client.execute(&ListTasks::new()).await.unwrap_err();
    assert_eq!(list.permission(), Some("tasks.read"));
    let downstream = client.execute(&crate::support::Trigger).await.unwrap_err();
    assert_eq!(downstream.permission(), Some("trigger.create"));
    let undeclared = client.execute(&crate::support::RawGet(vec!["be".into()])).await.unwrap_err();
    assert_eq!(undeclared.permission(), None);
    assert!(format!("{update:?}").contains(r#"permission: "tasks.update""#), "{update:?}");
}

#[tokio::test]
async fn details_in_a_list_envelope_decode_to_the_task_asked_for() {
    let server = MockServer::start().await;
    let body = serde_json::json!({"status": "success", "totalCount": 2, "tasks": [
        {"name": "exampleorg-sushi-0002-1733149403-dltar", "service": "engine", "status": "pending"},
        {"name": "exampleorg-sushi-0002-1733154780-dltar", "service": "engine", "status": "done"}
    ]});
    server.default_reply(Reply::json(200, body.to_string()));
    let client = client(&server);
    let name: rockit_model::TaskName = "exampleorg-sushi-0002-1733154780-dltar".parse().unwrap();
    let details = client.execute(&GetTask::new(name.clone())).await.unwrap();
    assert_eq!((details.name, details.status), (name, rockit_model::TaskStatus::Done));
    let absent: rockit_model::TaskName = "exampleorg-sushi-0003-1733240117-dltar".parse().unwrap();
    let err = client.execute(&GetTask::new(absent)).await.unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Decode { status: 200, .. }), "{err:?}");
    assert!(err.to_string().contains("does not hold task exampleorg-sushi-0003-1733240117-dltar"), "{err}");
}
