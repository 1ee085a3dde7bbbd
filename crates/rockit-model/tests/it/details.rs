//! The typed views of task details: the warning flag, exception summaries, timestamps and the
//! status predicates the waiters decide on.

use rockit_model::{
    ApiStatus, Exception, FileReadFailed, HttpDownloadFailed, Service, TaskDetails, TaskName, TaskStatus,
    Timestamp, Warning,
};
use serde_json::json;

fn details() -> TaskDetails {
    let name: TaskName = "exampleorg-sushi-0003-1733200000-dltar".parse().unwrap();
    TaskDetails::new(name, Service::Engine, TaskStatus::Failed)
}

#[test]
fn a_warning_is_unacknowledged_until_acknowledged_is_true() {
    let mut task = details();
    assert!(!task.has_unacknowledged_warning(), "no warning");
    task.acknowledged = Some(false);
    assert!(!task.has_unacknowledged_warning(), "no warning, whatever the flag");
    task.warning = Some(Warning::new("size-mismatch", "smaller than announced"));
    assert!(task.has_unacknowledged_warning());
    task.acknowledged = None;
    assert!(task.has_unacknowledged_warning(), "a flag the server did not send is not an acknowledgement");
    task.acknowledged = Some(true);
    assert!(!task.has_unacknowledged_warning());
}

#[test]
fn details_that_are_not_an_object_say_what_was_expected() {
    let err = serde_json::from_str::<TaskDetails>("[1]").unwrap_err();
    assert!(err.to_string().contains("a task object, bare, wrapped"), "{err}");
}

#[test]
fn download_failures_summarise_the_facts_they_have() {
    let summary = |failure: HttpDownloadFailed| Exception::http_download(&failure).summary();
    let all = HttpDownloadFailed {
        http_status: Some(200),
        exit_code: Some(18),
        size_bytes_actual: Some(1024),
        size_bytes_expected: Some(4096),
        ..HttpDownloadFailed::default()
    };
    assert_eq!(summary(all), "download failed (HTTP 200, exit code 18, 1024 of 4096 bytes)");
    let actual_only = HttpDownloadFailed { size_bytes_actual: Some(1024), ..HttpDownloadFailed::default() };
    assert_eq!(summary(actual_only), "download failed (1024 bytes)");
    let expected_only =
        HttpDownloadFailed { size_bytes_expected: Some(4096), ..HttpDownloadFailed::default() };
    assert_eq!(summary(expected_only), "download failed");
}

#[test]
fn read_failures_summarise_the_facts_they_have() {
    let summary = |failure: FileReadFailed| Exception::file_read(&failure).summary();
    let file = |name: &str| Some(name.to_owned());
    let both = FileReadFailed {
        filename: file("game.pak"),
        type_expected: file("pak"),
        type_detected: file("zip"),
        ..FileReadFailed::default()
    };
    assert_eq!(summary(both), "cannot read game.pak (expected pak, found zip)");
    let expected = FileReadFailed {
        filename: file("game.pak"),
        type_expected: file("pak"),
        ..FileReadFailed::default()
    };
    assert_eq!(summary(expected), "cannot read game.pak (expected pak)");
    let detected = FileReadFailed { type_detected: file("zip"), ..FileReadFailed::default() };
    assert_eq!(summary(detected), "cannot read an input file");
}

#[test]
fn other_exceptions_summarise_as_their_message_or_their_json() {
    assert_eq!(Exception::error("disk full").summary(), "disk full");
    assert_eq!(Exception::error("disk full").error_message().as_deref(), Some("disk full"));
    let odd: Exception = serde_json::from_value(json!({"quota": {"left": 0}})).unwrap();
    assert_eq!(odd.summary(), r#"{"quota":{"left":0}}"#);
}

#[test]
fn a_read_failure_is_read_back_typed() {
    let failure = FileReadFailed { filename: Some("game.pak".to_owned()), ..FileReadFailed::default() };
    let exception = Exception::file_read(&failure);
    assert_eq!(exception.file_read_failed(), Some(failure));
    assert_eq!(exception.http_download_failed(), None);
    assert_eq!(Exception::error("x").file_read_failed(), None);
}

#[test]
fn timestamps_turn_into_millis_only_above_the_threshold() {
    assert_eq!(Timestamp(json!(100_000_000_000_u64)).unix_seconds(), Some(100_000_000_000));
    assert_eq!(Timestamp(json!(100_000_000_001_u64)).unix_seconds(), Some(100_000_000));
}

#[test]
fn status_predicates() {
    let success: Vec<_> = TaskStatus::KNOWN.iter().filter(|status| status.is_success()).collect();
    assert_eq!(success, [&TaskStatus::Done]);
    let failure: Vec<_> = TaskStatus::KNOWN.iter().filter(|status| status.is_failure()).collect();
    assert_eq!(failure, [&TaskStatus::Failed, &TaskStatus::Expired]);
    assert!(!TaskStatus::from("cancelled").is_failure());
    let api: Vec<_> = ApiStatus::KNOWN.iter().filter(|status| status.is_success()).collect();
    assert_eq!(api, [&ApiStatus::Success]);
}
