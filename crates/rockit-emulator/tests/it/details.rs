//! `GET /be/v1/tasks/{taskName}`: the details of one task, matched after percent-decoding one
//! path segment.

use rockit_emulator::{Task, demo};
use rockit_model::{Exception, FileReadFailed, Service, TaskStatus};
use serde_json::json;

use crate::client::Client;
use crate::start_demo;

#[tokio::test]
async fn details_of_the_demo_tasks() {
    let emulator = start_demo().await;
    let client = Client::admin(&emulator);
    let cases = [
        json!({
            "name": "exampleorg-sushi-0001-1732886919-dltar", "service": "engine", "status": "done",
            "acknowledged": false, "expired": false, "createdAt": 1_732_886_919, "updatedAt": 1_732_887_055
        }),
        json!({
            "name": demo::STUCK_UPLOAD, "service": "engine", "status": "pending",
            "acknowledged": false, "expired": false,
            "warning": {
                "code": "upload-stalled",
                "message": "no data received for the native build tar since 1733149460; expire the task and import the build again"
            },
            "createdAt": 1_733_149_403, "updatedAt": 1_733_149_460
        }),
        json!({
            "name": demo::WARNED_PUBLISH, "service": "engine", "status": "done",
            "acknowledged": false, "expired": false,
            "warning": {
                "code": "origin-slow",
                "message": "CDN origin eu-central took 48 s to accept the upload; the release is published"
            },
            "createdAt": 1_733_155_401, "updatedAt": 1_733_155_473
        }),
        json!({
            "name": demo::FAILED_DOWNLOAD, "service": "engine", "status": "failed",
            "acknowledged": false, "expired": false,
            "exception": {"httpDownloadFailed": {
                "httpStatus": 200, "exitCode": 18, "sizeBytesActual": 1_073_741_824_u64, "sizeBytesExpected": 2_147_483_648_u64
            }},
            "createdAt": 1_733_240_117, "updatedAt": 1_733_240_342
        }),
        json!({
            "name": demo::RUNNING_DOWNLOAD, "service": "engine", "status": "running",
            "acknowledged": false, "expired": false, "createdAt": 1_733_241_020, "updatedAt": 1_733_241_020
        }),
        json!({
            "name": "exampleorg-sushi-0001-1732887364-deploy", "service": "edge", "status": "done",
            "acknowledged": false, "expired": false, "createdAt": 1_732_887_364, "updatedAt": 1_732_887_410
        }),
    ];
    for expected in cases {
        let name = expected["name"].as_str().unwrap();
        let response = client.get(&format!("/be/v1/tasks/{name}")).await;
        assert_eq!(response.status, 200, "{name}");
        assert_eq!(response.header("content-type"), Some("application/json"));
        assert_eq!(response.json(), expected);
    }
}

#[tokio::test]
async fn unknown_task_is_404() {
    let emulator = start_demo().await;
    let response = Client::admin(&emulator).get("/be/v1/tasks/exampleorg-sushi-0009-1-dltar").await;
    assert_eq!(response.status, 404);
    assert_eq!(
        response.json(),
        json!({"status": "failed", "error": "not-found", "message": "no task named \"exampleorg-sushi-0009-1-dltar\"; list tasks to see their names"})
    );
}

#[tokio::test]
async fn names_are_matched_after_percent_decoding_one_segment() {
    let emulator = start_demo().await;
    let name = "exampleorg-sushi-0009-1733300000-mkraw:ünï+(1)";
    emulator.insert(Task::new(name.parse().unwrap(), Service::Engine, TaskStatus::Done));
    let client = Client::admin(&emulator);
    let encoded = "exampleorg-sushi-0009-1733300000-mkraw%3A%C3%BCn%C3%AF%2B%281%29";
    let response = client.get(&format!("/be/v1/tasks/{encoded}")).await;
    assert_eq!(response.status, 200);
    assert_eq!(response.json()["name"], json!(name));
    let request = emulator.requests().pop().unwrap();
    assert_eq!(request.raw_path, format!("/be/v1/tasks/{encoded}"));
    assert_eq!(request.segments, ["be", "v1", "tasks", name]);

    // Encoded demo names work too, character for character.
    let demo_encoded = demo::STUCK_UPLOAD.replace('-', "%2D");
    assert_eq!(client.get(&format!("/be/v1/tasks/{demo_encoded}")).await.json()["status"], json!("pending"));
}

#[tokio::test]
async fn a_segment_never_becomes_two() {
    let emulator = start_demo().await;
    let client = Client::admin(&emulator);
    let slash = client.get("/be/v1/tasks/exampleorg%2Fsushi").await;
    assert_eq!(slash.status, 404);
    assert_eq!(
        slash.json(),
        json!({"status": "failed", "error": "not-found", "message": "no task named \"exampleorg/sushi\"; list tasks to see their names"})
    );
    assert_eq!(emulator.requests().pop().unwrap().segments, ["be", "v1", "tasks", "exampleorg/sushi"]);

    let dots = client.get("/be/v1/tasks/%2E%2E").await;
    assert_eq!(dots.status, 404);
    assert_eq!(dots.json()["message"], json!("no task named \"..\"; list tasks to see their names"));

    let not_utf8 = client.get("/be/v1/tasks/%FF%FE").await;
    assert_eq!(not_utf8.status, 404);
    assert_eq!(
        not_utf8.json(),
        json!({"status": "failed", "error": "not-found", "message": "no task named \"%FF%FE\": the name is not valid UTF-8"})
    );

    // Two segments are another route, which does not exist: the firewall's 404.
    let two = client.get(&format!("/be/v1/tasks/{}/extra", demo::STUCK_UPLOAD)).await;
    assert_eq!(two.status, 404);
    assert_eq!(String::from_utf8(two.body).unwrap(), rockit_test_support::vendor_errors::NOT_FOUND);
}

#[tokio::test]
async fn fields_the_model_does_not_know_are_served_verbatim() {
    let emulator = start_demo().await;
    let name = "exampleorg-sushi-0004-1733300100-mkraw";
    emulator.insert(
        Task::new(name.parse().unwrap(), Service::from("render-farm"), TaskStatus::from("queued"))
            .exception(Exception::file_read(&FileReadFailed {
                filename: Some("game.pak".into()),
                type_expected: Some("pak".into()),
                type_detected: Some("zip".into()),
                ..FileReadFailed::default()
            }))
            .created_at(1_733_300_100)
            .extra("progress", json!({"percent": 40}))
            .extra("owner", "ci"),
    );
    let response = Client::admin(&emulator).get(&format!("/be/v1/tasks/{name}")).await;
    assert_eq!(
        response.json(),
        json!({
            "name": name, "service": "render-farm", "status": "queued",
            "acknowledged": false, "expired": false,
            "exception": {"fileReadFailed": {"filename": "game.pak", "typeExpected": "pak", "typeDetected": "zip"}},
            "createdAt": 1_733_300_100, "updatedAt": 1_733_300_100,
            "progress": {"percent": 40}, "owner": "ci"
        })
    );
}
