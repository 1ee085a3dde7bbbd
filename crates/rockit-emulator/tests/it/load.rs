//! Load: many concurrent requests, and a large store paged through in order.

use rockit_emulator::{Emulator, Fixture, MAX_LIMIT, demo};
use serde_json::json;

use crate::client::Client;
use crate::start_demo;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_requests_are_all_served() {
    const REQUESTS: usize = 1000;
    let emulator = start_demo().await;
    let client = Client::admin(&emulator);
    let details = format!("/be/v1/tasks/{}", demo::FAILED_DOWNLOAD);
    let mut handles = Vec::with_capacity(REQUESTS);
    for index in 0..REQUESTS {
        let client = client.clone();
        let path = match index % 3 {
            0 => "/be/v1/tasks".to_owned(),
            1 => format!("/be/v1/tasks?offset={}&limit=3&order[]=-created", index % 13),
            _ => details.clone(),
        };
        handles.push(tokio::spawn(async move { client.get(&path).await.status }));
    }
    let mut statuses = Vec::with_capacity(REQUESTS);
    for handle in handles {
        statuses.push(handle.await.expect("the request task does not panic"));
    }
    assert!(statuses.iter().all(|status| *status == 200), "{statuses:?}");
    let counters = emulator.counters();
    assert_eq!(
        (counters.requests, counters.status(200), counters.dropped),
        (REQUESTS as u64, REQUESTS as u64, 0)
    );
    assert_eq!(counters.connections, REQUESTS as u64);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_thousand_tasks_list_page_by_page_in_order() {
    const TASKS: usize = 100_000;
    let emulator = Emulator::builder()
        .fixture(Fixture::generated(TASKS))
        .speed(0.0)
        .log_capacity(0)
        .start()
        .await
        .unwrap();
    assert_eq!(emulator.task_count(), TASKS);
    let client = Client::admin(&emulator);
    let mut names: Vec<String> = Vec::with_capacity(TASKS);
    for offset in (0..TASKS).step_by(MAX_LIMIT) {
        let response = client.get(&format!("/be/v1/tasks?offset={offset}&limit={MAX_LIMIT}")).await;
        assert_eq!(response.status, 200);
        let page = response.json();
        assert_eq!(page["totalCount"], json!(TASKS), "offset {offset}");
        let tasks = page["tasks"].as_array().unwrap();
        assert_eq!(tasks.len(), MAX_LIMIT);
        names.extend(tasks.iter().map(|task| task["name"].as_str().unwrap().to_owned()));
    }
    assert_eq!(names.len(), TASKS);
    assert!(names.windows(2).all(|pair| pair[0] < pair[1]), "pages are in strict name order");
    let past = client.get(&format!("/be/v1/tasks?offset={TASKS}&limit={MAX_LIMIT}")).await.json();
    assert_eq!(past, json!({"status": "success", "totalCount": TASKS, "tasks": []}));
    let apps = ["sushi", "ramen", "tempura", "udon", "gyoza"];
    let mut per_app = Vec::new();
    for app in apps {
        let page = client.get(&format!("/be/v1/tasks?appName={app}&limit=1")).await.json();
        per_app.push(page["totalCount"].as_u64().unwrap());
    }
    assert_eq!(per_app.iter().sum::<u64>(), TASKS as u64, "{per_app:?}");
    // Builds go round the apps; udon and gyoza never deploy, so their builds are a task shorter.
    assert!(per_app.iter().all(|count| count.abs_diff(TASKS as u64 / 5) < TASKS as u64 / 25), "{per_app:?}");
    assert_eq!(emulator.counters().requests, 1 + (TASKS / MAX_LIMIT) as u64 + apps.len() as u64);
}
