//! `rockit tasks show NAME`: every field of the details, exception and unknown fields included,
//! as `key: value` lines and as the details object in JSON.

use rockit_emulator::demo;
use serde_json::json;

use crate::{admin, rockit, start_demo};

#[tokio::test]
async fn a_failed_download_with_its_exception() {
    let emulator = start_demo().await;
    let url = emulator.base_url();
    let run = rockit(&admin(&url, &["tasks", "show", demo::FAILED_DOWNLOAD])).await.expect(0);
    assert_eq!(run.stderr, "");
    insta::assert_snapshot!("show_failed_download", run.stdout);
}

#[tokio::test]
async fn a_warning_and_the_fields_the_model_does_not_know() {
    let emulator = start_demo().await;
    emulator
        .update(demo::STUCK_UPLOAD, |task| {
            task.extra.insert("region".to_owned(), json!("eu-central"));
            task.extra.insert("progress".to_owned(), json!({"bytes": 0, "of": 2_147_483_648_u64}));
        })
        .unwrap();
    let url = emulator.base_url();
    let run = rockit(&admin(&url, &["tasks", "show", demo::STUCK_UPLOAD])).await.expect(0);
    insta::assert_snapshot!("show_stuck_upload", run.stdout);
}

#[tokio::test]
async fn json_is_the_details_object() {
    let emulator = start_demo().await;
    emulator
        .update(demo::FAILED_DOWNLOAD, |task| drop(task.extra.insert("attempt".into(), json!(3))))
        .unwrap();
    let url = emulator.base_url();
    let run =
        rockit(&admin(&url, &["--output", "json", "tasks", "show", demo::FAILED_DOWNLOAD])).await.expect(0);
    let details = run.json();
    assert_eq!(details["name"], json!(demo::FAILED_DOWNLOAD));
    assert_eq!(details["service"], json!("engine"));
    assert_eq!(details["status"], json!("failed"));
    assert_eq!(details["acknowledged"], json!(false));
    assert_eq!(details["expired"], json!(false));
    assert_eq!(details["createdAt"], json!(1_733_240_117));
    assert_eq!(details["updatedAt"], json!(EPOCH_UPDATE));
    assert_eq!(
        details["exception"],
        json!({"httpDownloadFailed": {
            "httpStatus": 200,
            "exitCode": 18,
            "sizeBytesActual": 1_073_741_824,
            "sizeBytesExpected": 2_147_483_648_u64,
        }})
    );
    assert_eq!(details["attempt"], json!(3), "unknown fields survive");
    assert_eq!(details.as_object().unwrap().len(), 9, "{details:#}");
}

/// `Emulator::update` stamps `updatedAt` with emulator time: the fixed epoch, as the clock is frozen.
const EPOCH_UPDATE: u64 = crate::EPOCH;

#[tokio::test]
async fn an_unknown_task_is_an_api_error() {
    let emulator = start_demo().await;
    let url = emulator.base_url();
    let line = rockit(&admin(&url, &["tasks", "show", "exampleorg-sushi-0009-1733240117-dltar"]))
        .await
        .one_line_error(1);
    assert!(line.contains("404 not-found"), "{line}");
}

#[tokio::test]
async fn server_text_cannot_send_terminal_escapes() {
    use rockit_model::{Exception, Service, TaskStatus, Warning};

    const EVIL: &str = "exampleorg-evil-0001-1733240117-dltar";
    let emulator = start_demo().await;
    emulator.insert(
        rockit_emulator::Task::new(
            EVIL.parse().unwrap(),
            Service::Unknown("svc\u{1b}[5m".into()),
            TaskStatus::Unknown("queued\u{9b}2J\r".into()),
        )
        .warning(Warning::new("x", "evil\u{1b}]52;c;AAAA\u{7}\nline"))
        .exception(Exception::error("bad\u{1b}[2J\tnews\u{7f}"))
        .extra("k\u{1b}[31m", "v\u{1b}[2J\nforged: line"),
    );
    let url = emulator.base_url();
    for args in [vec!["tasks", "show", EVIL], vec!["tasks", "list", "--all"]] {
        let run = rockit(&admin(&url, &args)).await.expect(0);
        for bad in ['\u{1b}', '\u{7}', '\u{9b}', '\r', '\t', '\u{7f}'] {
            assert!(!run.stdout.contains(bad), "{bad:?} in {:?}", run.stdout);
        }
        assert!(!run.stdout.lines().any(|line| line.starts_with("line") || line.starts_with("forged")));
        let evil = run.stdout.lines().find(|line| line.contains("evil")).unwrap();
        if args[1] == "list" {
            assert!(evil.contains("svc\u{fffd}[5m") && evil.contains("queued\u{fffd}2J "), "{evil}");
        }
    }
    let run = rockit(&admin(&url, &["tasks", "show", EVIL])).await.expect(0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(lines.contains(&"warning:      x: evil\u{fffd}]52;c;AAAA\u{fffd} line"), "{}", run.stdout);
    // Values of unknown fields print as JSON, which escapes control characters itself.
    assert!(lines.contains(&"k\u{fffd}[31m:       \"v\\u001b[2J\\nforged: line\""), "{}", run.stdout);
    assert!(lines.contains(&"exception:    bad\u{fffd}[2J news\u{fffd}"), "{}", run.stdout);
    assert!(lines.contains(&"status:       queued\u{fffd}2J "), "{}", run.stdout);
}
