//! Snapshots of every wire type's JSON, every endpoint's description and every error text.

use std::fmt::Write as _;

use insta::{assert_json_snapshot, assert_snapshot};
use rockit_model::{
    Endpoint, ErrorBody, Exception, FileReadFailed, HttpDownloadFailed, ListTasks, Order, Service,
    TaskDetails, TaskKind, TaskListResponse, TaskName, TaskStatus, TaskSummary, Timestamp, UpdateTask,
    Warning,
};
use rockit_test_support::seed;

fn name(raw: &str) -> TaskName {
    raw.parse().unwrap()
}

/// Method, path segments, query pairs and body of an endpoint, one item a line.
fn describe<E: Endpoint>(endpoint: &E) -> String {
    let mut out = format!("{} {}\n", endpoint.method(), endpoint.path());
    let segments: Vec<_> = endpoint.path().iter().map(str::to_owned).collect();
    writeln!(out, "segments: {segments:?}").unwrap();
    for (key, value) in endpoint.query().iter() {
        writeln!(out, "query: {key}={value}").unwrap();
    }
    match endpoint.body().unwrap() {
        Some(body) => writeln!(out, "body: {}", String::from_utf8_lossy(body.as_bytes())).unwrap(),
        None => writeln!(out, "body: none").unwrap(),
    }
    writeln!(out, "idempotent: {}", endpoint.idempotent()).unwrap();
    writeln!(out, "permission: {:?}", endpoint.permission()).unwrap();
    out
}

fn failed_download() -> TaskDetails {
    let mut details =
        TaskDetails::new(name("exampleorg-sushi-0003-1733200000-dltar"), Service::Engine, TaskStatus::Failed);
    details.acknowledged = Some(false);
    details.expired = Some(false);
    details.warning = Some(Warning::new("size-mismatch", "downloaded tar is smaller than announced"));
    details.exception = Some(Exception::http_download(&HttpDownloadFailed {
        http_status: Some(404),
        exit_code: Some(22),
        size_bytes_actual: Some(1024),
        size_bytes_expected: Some(4096),
        ..HttpDownloadFailed::default()
    }));
    details.created_at = Some(Timestamp::from_unix(1_733_200_000));
    details.updated_at = Some(Timestamp::from_unix(1_733_200_042));
    details.extra.insert("retries".to_owned(), 2.into());
    details
}

#[test]
fn wire_types_json() {
    let response: TaskListResponse = serde_json::from_str(seed::response_body()).unwrap();
    assert_json_snapshot!("task_list_response", response);
    assert_json_snapshot!(
        "task_summary",
        TaskSummary::new(name("exampleorg-sushi-0001-1732887364-deploy"), Service::Edge, TaskStatus::Done)
    );
    assert_json_snapshot!("task_details_failed_download", failed_download());
    let mut build_failure =
        TaskDetails::new(name("exampleorg-sushi-0003-1733200100-mkraw"), Service::Engine, TaskStatus::Failed);
    build_failure.exception = Some(Exception::file_read(&FileReadFailed {
        filename: Some("game.pak".to_owned()),
        type_expected: Some("pak".to_owned()),
        type_detected: Some("zip".to_owned()),
        ..FileReadFailed::default()
    }));
    assert_json_snapshot!("task_details_file_read_failed", build_failure);
    assert_json_snapshot!(
        "error_body",
        ErrorBody::new(rockit_model::ApiStatus::MissingParam, "name is required")
    );
    assert_json_snapshot!("update_acknowledge", UpdateTask::acknowledge(name("exampleTaskname")));
    assert_json_snapshot!("update_expire", UpdateTask::expire(name("exampleTaskname")));
    assert_json_snapshot!(
        "enums_unknown",
        (TaskStatus::from("cancelled"), TaskKind::from("mkzip"), Service::from("cdn"))
    );
}

#[test]
fn endpoint_descriptions() {
    assert_snapshot!("list_default", describe(&ListTasks::new()));
    let everything = ListTasks::new()
        .offset(20)
        .limit(100)
        .app("sushi")
        .status(TaskStatus::Failed)
        .kind(TaskKind::Dltar)
        .group("upload")
        .created_after(1_733_000_000)
        .created_before(1_734_000_000)
        .acknowledged(false)
        .build(2)
        .order(Order::desc("created"))
        .order(Order::asc("name"))
        .param("x-debug", "1 2&3");
    assert_snapshot!("list_every_parameter", describe(&everything));
    assert_snapshot!(
        "get_task",
        describe(&rockit_model::GetTask::new(name("exampleorg-sushi-0002-1733149403-dltar")))
    );
    assert_snapshot!(
        "update_both_flags",
        describe(&UpdateTask::acknowledge(name("exampleTaskname")).expired(true))
    );
}

#[test]
fn error_texts() {
    let texts: Vec<String> = ["", "..", "a/b", "x y", "tab\there", "100%", &"n".repeat(300), "q?", "é\u{7}"]
        .iter()
        .map(|raw| raw.parse::<TaskName>().unwrap_err().to_string())
        .collect();
    assert_snapshot!("invalid_task_name", texts.join("\n"));
    let orders: Vec<String> = ["", "-", "+"]
        .iter()
        .map(|raw| raw.parse::<rockit_model::Order>().unwrap_err().to_string())
        .collect();
    assert_snapshot!("invalid_order", orders.join("\n"));
}
