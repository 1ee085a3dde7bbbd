//! `PATCH /be/v1/tasks`: acknowledging and expiring change what later reads return, repeating
//! them changes nothing, and bad bodies get 400 (never 500) without changing anything.

use std::time::Duration;

use rockit_emulator::demo;
use rockit_test_support::seed;
use serde_json::{Value, json};

use crate::client::Client;
use crate::{EPOCH, start_demo};

const EXAMPLE: &str =
    r#"send {"name": "<task name>", "acknowledged": true} or {"name": "<task name>", "expired": true}"#;

async fn details(client: &Client, name: &str) -> Value {
    let response = client.get(&format!("/be/v1/tasks/{name}")).await;
    assert_eq!(response.status, 200);
    response.json()
}

#[tokio::test]
async fn acknowledging_keeps_the_warning_and_is_idempotent() {
    let emulator = start_demo().await;
    let client = Client::admin(&emulator);
    // Before build 0003's later stages appear (demo::BUILD_3_STAGES), so the first page is the seed's.
    emulator.advance(Duration::from_secs(2));
    let body = json!({"name": demo::WARNED_PUBLISH, "acknowledged": true}).to_string();
    let response = client.patch(&body).await;
    assert_eq!(response.status, 200);
    // The answer is the first page, which this task is not on: the seed's response exactly.
    assert_eq!(response.json(), serde_json::from_str::<Value>(seed::response_body()).unwrap());
    let after = details(&client, demo::WARNED_PUBLISH).await;
    assert_eq!(
        after,
        json!({
            "name": demo::WARNED_PUBLISH, "service": "engine", "status": "done",
            "acknowledged": true, "expired": false,
            "warning": {
                "code": "origin-slow",
                "message": "CDN origin eu-central took 48 s to accept the upload; the release is published"
            },
            "createdAt": 1_733_155_401, "updatedAt": EPOCH + 2
        })
    );
    emulator.advance(Duration::from_secs(30));
    assert_eq!(client.patch(&body).await.status, 200);
    assert_eq!(details(&client, demo::WARNED_PUBLISH).await, after, "a repeat changes nothing");
}

#[tokio::test]
async fn acknowledged_false_takes_an_acknowledgement_back() {
    let emulator = start_demo().await;
    let client = Client::admin(&emulator);
    client.patch(&json!({"name": demo::WARNED_PUBLISH, "acknowledged": true}).to_string()).await;
    let response =
        client.patch(&json!({"name": demo::WARNED_PUBLISH, "acknowledged": false}).to_string()).await;
    assert_eq!(response.status, 200);
    assert_eq!(details(&client, demo::WARNED_PUBLISH).await["acknowledged"], json!(false));
}

#[tokio::test]
async fn expiring_fails_and_acknowledges_and_is_idempotent() {
    let emulator = start_demo().await;
    let client = Client::admin(&emulator);
    emulator.advance(Duration::from_secs(2));
    let body = json!({"name": demo::STUCK_UPLOAD, "expired": true}).to_string();
    let response = client.patch(&body).await;
    assert_eq!(response.status, 200);
    let page = response.json();
    assert_eq!(page["totalCount"], json!(13));
    assert_eq!(
        page["tasks"][5],
        json!({"name": demo::STUCK_UPLOAD, "service": "engine", "status": "failed"})
    );
    let expired = json!({
        "name": demo::STUCK_UPLOAD, "service": "engine", "status": "failed",
        "acknowledged": true, "expired": true,
        "warning": {
            "code": "upload-stalled",
            "message": "no data received for the native build tar since 1733149460; expire the task and import the build again"
        },
        "createdAt": 1_733_149_403, "updatedAt": EPOCH + 2
    });
    assert_eq!(details(&client, demo::STUCK_UPLOAD).await, expired);
    // Expiring starts nothing new: still 13 tasks, and no pending upload.
    let pending = client.get("/be/v1/tasks?status=pending").await.json();
    assert_eq!(pending, json!({"status": "success", "totalCount": 0, "tasks": []}));

    emulator.advance(Duration::from_secs(600));
    // By now build 0003's pipeline has added four tasks, after the first page.
    let repeat = client.patch(&body).await.json();
    assert_eq!(
        (&repeat["tasks"], &repeat["totalCount"]),
        (&page["tasks"], &json!(17)),
        "a repeat answers the same page"
    );
    assert_eq!(details(&client, demo::STUCK_UPLOAD).await, expired, "a repeat changes nothing");
    let both = json!({"name": demo::STUCK_UPLOAD, "acknowledged": true, "expired": true}).to_string();
    assert_eq!(client.patch(&both).await.status, 200);
    assert_eq!(details(&client, demo::STUCK_UPLOAD).await, expired);
}

#[tokio::test]
async fn expiring_stops_the_timeline() {
    let emulator = start_demo().await;
    let client = Client::admin(&emulator);
    let response = client.patch(&json!({"name": demo::RUNNING_DOWNLOAD, "expired": true}).to_string()).await;
    assert_eq!(response.status, 200);
    emulator.advance(demo::RUNNING_FINISHES_AFTER * 10);
    let after = details(&client, demo::RUNNING_DOWNLOAD).await;
    assert_eq!(after["status"], json!("failed"));
    assert_eq!(after["updatedAt"], json!(EPOCH));
}

#[tokio::test]
async fn expiring_cannot_be_undone() {
    let emulator = start_demo().await;
    let client = Client::admin(&emulator);
    // On a task that is not expired, `expired: false` changes nothing.
    let noop = client.patch(&json!({"name": demo::FAILED_DOWNLOAD, "expired": false}).to_string()).await;
    assert_eq!(noop.status, 200);
    assert_eq!(details(&client, demo::FAILED_DOWNLOAD).await["updatedAt"], json!(1_733_240_342));

    client.patch(&json!({"name": demo::FAILED_DOWNLOAD, "expired": true}).to_string()).await;
    let expired = details(&client, demo::FAILED_DOWNLOAD).await;
    let undo = client.patch(&json!({"name": demo::FAILED_DOWNLOAD, "expired": false}).to_string()).await;
    assert_eq!(undo.status, 400);
    assert_eq!(
        undo.json(),
        json!({"status": "failed", "error": "invalid-param", "message": format!(
            "task \"{}\" is expired and expiring cannot be undone; retry the step to start over", demo::FAILED_DOWNLOAD
        )})
    );
    let unack =
        client.patch(&json!({"name": demo::FAILED_DOWNLOAD, "acknowledged": false}).to_string()).await;
    assert_eq!(unack.status, 400);
    assert_eq!(
        unack.json(),
        json!({"status": "failed", "error": "invalid-param", "message": format!(
            "an expired task stays acknowledged; drop \"acknowledged\": false from the request for \"{}\"",
            demo::FAILED_DOWNLOAD
        )})
    );
    assert_eq!(details(&client, demo::FAILED_DOWNLOAD).await, expired);
}

#[tokio::test]
async fn contradictory_flags_change_nothing() {
    let emulator = start_demo().await;
    let client = Client::admin(&emulator);
    let before = details(&client, demo::STUCK_UPLOAD).await;
    let response = client
        .patch(&json!({"name": demo::STUCK_UPLOAD, "acknowledged": false, "expired": true}).to_string())
        .await;
    assert_eq!(response.status, 400);
    assert_eq!(response.json()["error"], json!("invalid-param"));
    assert_eq!(details(&client, demo::STUCK_UPLOAD).await, before);
}

#[tokio::test]
async fn missing_parameters_get_missing_param() {
    let emulator = start_demo().await;
    let client = Client::admin(&emulator);
    let cases = [
        (json!({"acknowledged": true}).to_string(), format!("missing \"name\"; {EXAMPLE}")),
        (json!({"name": null, "expired": true}).to_string(), format!("missing \"name\"; {EXAMPLE}")),
        (json!({"name": "", "expired": true}).to_string(), format!("\"name\" is empty; {EXAMPLE}")),
        (
            json!({"name": demo::STUCK_UPLOAD}).to_string(),
            format!("give \"acknowledged\" or \"expired\" (or both) for task \"{}\"", demo::STUCK_UPLOAD),
        ),
        (
            json!({"name": demo::STUCK_UPLOAD, "acknowledged": null}).to_string(),
            format!("give \"acknowledged\" or \"expired\" (or both) for task \"{}\"", demo::STUCK_UPLOAD),
        ),
        (String::new(), format!("the request body is empty; {EXAMPLE}")),
        ("  \n".to_owned(), format!("the request body is empty; {EXAMPLE}")),
    ];
    for (body, message) in cases {
        let response = client.send("PATCH", "/be/v1/tasks", body.as_bytes()).await.complete();
        assert_eq!(response.status, 400, "{body}");
        assert_eq!(
            response.json(),
            json!({"status": "failed", "error": "missing-param", "message": message}),
            "{body}"
        );
    }
    assert_eq!(details(&client, demo::STUCK_UPLOAD).await["status"], json!("pending"));
}

#[tokio::test]
async fn malformed_bodies_get_invalid_body() {
    let emulator = start_demo().await;
    let client = Client::admin(&emulator);
    let cases = [
        (json!([1, 2]).to_string(), format!("the request body is a JSON array, not an object; {EXAMPLE}")),
        ("\"expire\"".to_owned(), format!("the request body is a JSON string, not an object; {EXAMPLE}")),
        (
            json!({"name": 42, "expired": true}).to_string(),
            format!("\"name\" must be a string, not a JSON number; {EXAMPLE}"),
        ),
        (
            json!({"name": demo::STUCK_UPLOAD, "acknowledged": "yes"}).to_string(),
            "\"acknowledged\" must be true or false, not a JSON string".to_owned(),
        ),
        (
            json!({"name": demo::STUCK_UPLOAD, "expired": 1}).to_string(),
            "\"expired\" must be true or false, not a JSON number".to_owned(),
        ),
    ];
    for (body, message) in cases {
        let response = client.patch(&body).await;
        assert_eq!(response.status, 400, "{body}");
        assert_eq!(
            response.json(),
            json!({"status": "failed", "error": "invalid-body", "message": message}),
            "{body}"
        );
    }
    for body in ["{", "{\"name\": \"x\", \"expired\": true", "{\"name\": 'x'}", "\u{feff}{}", "nul"] {
        let response = client.patch(body).await;
        assert_eq!(response.status, 400, "{body}");
        let json = response.json();
        assert_eq!(json["error"], json!("invalid-body"), "{body}");
        let message = json["message"].as_str().unwrap();
        assert!(message.starts_with("the request body is not valid JSON ("), "{message}");
        assert!(message.ends_with(EXAMPLE), "{message}");
    }
    assert_eq!(details(&client, demo::STUCK_UPLOAD).await["status"], json!("pending"));
}

#[tokio::test]
async fn unknown_tasks_get_404_and_unknown_fields_are_ignored() {
    let emulator = start_demo().await;
    let client = Client::admin(&emulator);
    let response =
        client.patch(&json!({"name": "exampleorg-sushi-0009-1-dltar", "expired": true}).to_string()).await;
    assert_eq!(response.status, 404);
    assert_eq!(
        response.json(),
        json!({"status": "failed", "error": "not-found", "message": "no task named \"exampleorg-sushi-0009-1-dltar\"; list tasks to see their names"})
    );
    let extra =
        json!({"name": demo::WARNED_PUBLISH, "acknowledged": true, "comment": "seen", "expired": null});
    assert_eq!(client.patch(&extra.to_string()).await.status, 200);
    assert_eq!(details(&client, demo::WARNED_PUBLISH).await["acknowledged"], json!(true));
}
