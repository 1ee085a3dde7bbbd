//! `Tasks::warning_marks`: which listed tasks carry a warning, and when that cannot be known.

use rockit_model::{ListTasks, TaskName};
use rockit_tasks::{MAX_WARNING_MARKS, MarksUnknown, WarningMark};
use rockit_test_support::mock::{MockServer, Reply};
use rockit_test_support::seed;

use crate::support::{demo, mock_tasks, name};

#[tokio::test]
async fn the_demo_marks_its_unacknowledged_and_acknowledged_warnings() {
    let (emulator, tasks) = demo().await;
    let marks = tasks.warning_marks(&ListTasks::for_app("sushi")).await.unwrap();
    assert_eq!(marks.unknown(), None);
    let mark = |raw: &str| marks.mark(&name(raw));
    assert_eq!(mark("exampleorg-sushi-0002-1733149403-dltar"), Some(WarningMark::Unacknowledged));
    assert_eq!(mark("exampleorg-sushi-0002-1733155401-publish"), Some(WarningMark::Unacknowledged));
    assert_eq!(mark("exampleorg-sushi-0001-1732886919-dltar"), Some(WarningMark::None));

    // Two queries, each with the caller's filters, one page of 100 each.
    let queries: Vec<String> =
        emulator.requests().iter().map(|request| request.raw_query.clone().unwrap_or_default()).collect();
    assert_eq!(queries.len(), 2, "{queries:?}");
    for acknowledged in ["false", "true"] {
        let wanted = format!("offset=0&limit=100&appName=sushi&acknowledged={acknowledged}");
        assert!(queries.contains(&wanted), "{wanted} in {queries:?}");
    }

    // Acknowledging moves a task from one kind to the other.
    tasks.acknowledge(&name("exampleorg-sushi-0002-1733155401-publish")).await.unwrap();
    let marks = tasks.warning_marks(&ListTasks::new()).await.unwrap();
    assert_eq!(
        marks.mark(&name("exampleorg-sushi-0002-1733155401-publish")),
        Some(WarningMark::Acknowledged)
    );
    assert_eq!(
        marks.mark(&name("exampleorg-sushi-0002-1733149403-dltar")),
        Some(WarningMark::Unacknowledged)
    );
}

#[tokio::test]
async fn a_server_that_ignores_the_filter_gives_unknown_marks_not_a_mark_on_every_task() {
    let server = MockServer::start().await;
    server.default_reply(Reply::json(200, seed::response_body()));
    let marks = mock_tasks(&server).warning_marks(&ListTasks::new()).await.unwrap();
    assert_eq!(marks.unknown(), Some(&MarksUnknown::FilterIgnored));
    let listed: TaskName = name("exampleorg-sushi-0001-1732886919-dltar");
    assert_eq!(marks.mark(&listed), None);
    // The seed's 13 tasks take two pages of 10 for each query (the server ignores `limit` too).
    assert_eq!(server.count(), 4);
}

#[tokio::test]
async fn more_warnings_than_the_cap_give_unknown_marks_after_one_page_each() {
    let server = MockServer::start().await;
    let over = serde_json::json!({"status": "success", "totalCount": MAX_WARNING_MARKS + 1, "tasks": []});
    server.default_reply(Reply::json(200, over.to_string()));
    let marks = mock_tasks(&server).warning_marks(&ListTasks::new()).await.unwrap();
    assert_eq!(marks.unknown(), Some(&MarksUnknown::TooMany { limit: 500 }));
    assert_eq!(server.count(), 2, "one page per query, no more");

    // Exactly at the cap the marks are still known.
    let server = MockServer::start().await;
    let at = serde_json::json!({"status": "success", "totalCount": MAX_WARNING_MARKS, "tasks": []});
    server.default_reply(Reply::json(200, at.to_string()));
    let marks = mock_tasks(&server).warning_marks(&ListTasks::new()).await.unwrap();
    assert_eq!(marks.unknown(), None);
}

#[tokio::test]
async fn a_failing_query_is_an_error_naming_the_listing() {
    let server = MockServer::start().await;
    server.default_reply(Reply::json(
        400,
        r#"{"status":"invalid-param","message":"unknown parameter acknowledged"}"#,
    ));
    let err = mock_tasks(&server).warning_marks(&ListTasks::new()).await.unwrap_err();
    assert_eq!(err.transport_error().and_then(rockit_transport::Error::status), Some(400));
    assert!(err.to_string().starts_with("list tasks: GET /be/v1/tasks: 400 invalid-param"), "{err}");
}
