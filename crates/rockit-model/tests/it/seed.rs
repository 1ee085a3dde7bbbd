//! The vendor's example request and response work byte for byte.

use rockit_model::{ApiStatus, Endpoint, Service, TaskListResponse, TaskName, TaskStatus, UpdateTask};
use rockit_test_support::seed;

fn seed_update() -> UpdateTask {
    let name: TaskName = "exampleTaskname".parse().unwrap();
    UpdateTask::acknowledge(name).expired(true)
}

#[test]
fn request_body_encodes_to_the_seed_bytes() {
    let update = seed_update();
    assert_eq!(seed::to_vendor_json(&update), seed::request_body());
    let sent: serde_json::Value = serde_json::from_slice(update.body().unwrap().unwrap().as_bytes()).unwrap();
    let expected: serde_json::Value = serde_json::from_str(seed::curl_body()).unwrap();
    assert_eq!(sent, expected);
}

#[test]
fn request_body_decodes_from_the_seed() {
    let decoded: UpdateTask = serde_json::from_str(seed::request_body()).unwrap();
    assert_eq!(decoded, seed_update());
}

#[test]
fn response_decodes_and_reencodes_to_the_seed_bytes() {
    let response: TaskListResponse = serde_json::from_str(seed::response_body()).unwrap();
    assert_eq!(response.status, ApiStatus::Success);
    assert_eq!(response.total_count, 13);
    assert_eq!(response.tasks.len(), 10);
    assert_eq!(response.tasks[0].name, "exampleorg-sushi-0001-1732886919-dltar");
    assert_eq!(response.tasks[4].service, Service::Edge);
    assert_eq!(response.tasks[5].status, TaskStatus::Pending);
    assert_eq!(seed::to_vendor_json(&response), seed::response_body());
    let value: serde_json::Value = serde_json::from_str(seed::response_body()).unwrap();
    assert_eq!(serde_json::to_value(&response).unwrap(), value);
}

#[test]
fn every_seed_task_follows_the_naming_convention() {
    let response: TaskListResponse = serde_json::from_str(seed::response_body()).unwrap();
    let kinds: Vec<_> = response
        .tasks
        .iter()
        .map(|task| task.name.parts().expect("conventional").kind_str().to_owned())
        .collect();
    assert_eq!(
        kinds,
        ["dltar", "mkraw", "mkdxf", "publish", "deploy", "dltar", "dltar", "mkraw", "mkpat", "mkdxf"]
    );
    assert!(
        response
            .tasks
            .iter()
            .all(|task| task.name.parts().unwrap().app(Some("exampleorg")).named() == Some("sushi"))
    );
}
