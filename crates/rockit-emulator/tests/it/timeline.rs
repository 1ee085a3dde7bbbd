//! Timelines play out on the emulator's clock: tests drive it with `advance`, never by sleeping.

use std::time::Duration;

use rockit_emulator::{Change, Emulator, Error, Fixture, Task, Timeline, demo};
use rockit_model::{Exception, Service, TaskStatus, Warning};
use serde_json::json;

use crate::client::Client;
use crate::{EPOCH, start_demo};

#[tokio::test]
async fn the_demo_download_finishes_five_seconds_after_start() {
    let emulator = start_demo().await;
    let client = Client::admin(&emulator);
    let path = format!("/be/v1/tasks/{}", demo::RUNNING_DOWNLOAD);
    emulator.advance(demo::RUNNING_FINISHES_AFTER.saturating_sub(Duration::from_millis(1)));
    assert_eq!(client.get(&path).await.json()["status"], json!("running"));
    emulator.advance(Duration::from_millis(1));
    let done = client.get(&path).await.json();
    assert_eq!(
        done,
        json!({
            "name": demo::RUNNING_DOWNLOAD, "service": "engine", "status": "done",
            "acknowledged": false, "expired": false, "createdAt": 1_733_241_020, "updatedAt": EPOCH + 5
        })
    );
    let running = client.get("/be/v1/tasks?status=running").await.json();
    assert_eq!(running["totalCount"], json!(0));
    assert_eq!(client.get("/be/v1/tasks?status=done").await.json()["totalCount"], json!(11));
}

fn staged_task(name: &str) -> Task {
    Task::new(name.parse().unwrap(), Service::Engine, TaskStatus::Pending).timeline(
        Timeline::new()
            .at(Duration::from_secs(2), TaskStatus::Running)
            .at(Duration::from_secs(5), Change::raise(Warning::new("slow-disk", "disk is slow")))
            .at(Duration::from_secs(7), Change::raise(Warning::new("slower-disk", "disk is slower")))
            .at(
                Duration::from_secs(9),
                Change::status(TaskStatus::Failed).exception(Exception::error("disk full")),
            ),
    )
}

#[tokio::test]
async fn steps_apply_in_order_as_the_clock_passes_them() {
    let emulator = start_demo().await;
    let name = "exampleorg-sushi-0004-1733300000-mkraw";
    emulator.advance(Duration::from_secs(100));
    emulator.insert(staged_task(name));
    let client = Client::admin(&emulator);
    let path = format!("/be/v1/tasks/{name}");

    emulator.advance(Duration::from_secs(1));
    assert_eq!(client.get(&path).await.json()["status"], json!("pending"));
    emulator.advance(Duration::from_secs(1));
    let running = client.get(&path).await.json();
    assert_eq!(
        (running["status"].clone(), running["updatedAt"].clone()),
        (json!("running"), json!(EPOCH + 102))
    );

    emulator.advance(Duration::from_secs(4));
    let warned = client.get(&path).await.json();
    assert_eq!(warned["warning"], json!({"code": "slow-disk", "message": "disk is slow"}));
    assert_eq!(warned["acknowledged"], json!(false));
    client.patch(&json!({"name": name, "acknowledged": true}).to_string()).await;
    assert_eq!(client.get(&path).await.json()["acknowledged"], json!(true));

    // A new warning is unacknowledged again.
    emulator.advance(Duration::from_secs(1));
    let rewarned = client.get(&path).await.json();
    assert_eq!(rewarned["warning"]["code"], json!("slower-disk"));
    assert_eq!(rewarned["acknowledged"], json!(false));

    emulator.advance(Duration::from_secs(60));
    assert_eq!(
        client.get(&path).await.json(),
        json!({
            "name": name, "service": "engine", "status": "failed", "acknowledged": false, "expired": false,
            "warning": {"code": "slower-disk", "message": "disk is slower"},
            "exception": {"error": "disk full"},
            "createdAt": 1_733_300_000, "updatedAt": EPOCH + 109
        })
    );
}

#[tokio::test]
async fn one_big_advance_applies_every_step() {
    let emulator = start_demo().await;
    let name = "exampleorg-sushi-0004-1733300000-mkraw";
    emulator.insert(staged_task(name));
    emulator.advance(Duration::from_secs(3600));
    let details = emulator.task(name).unwrap();
    assert_eq!(details.status, TaskStatus::Failed);
    assert_eq!(details.warning.unwrap().code(), Some("slower-disk"));
    assert_eq!(details.updated_at.unwrap().unix_seconds(), Some(EPOCH + 9));
}

#[tokio::test]
async fn advance_task_applies_the_next_step_now() {
    let emulator = start_demo().await;
    let name = "exampleorg-sushi-0004-1733300000-mkraw";
    emulator.insert(staged_task(name));
    assert_eq!(emulator.advance_task(name).unwrap().status, TaskStatus::Running);
    assert!(emulator.advance_task(name).unwrap().warning.is_some());
    emulator.advance_task(name).unwrap();
    let failed = emulator.advance_task(name).unwrap();
    assert_eq!(failed.status, TaskStatus::Failed);
    assert_eq!(failed.updated_at.as_ref().and_then(rockit_model::Timestamp::unix_seconds), Some(EPOCH));
    let err = emulator.advance_task(name).unwrap_err();
    assert!(matches!(err, Error::TimelineFinished { .. }), "{err}");
    assert!(matches!(emulator.advance_task("nope").unwrap_err(), Error::UnknownTask { .. }));
    // Advancing the clock past the old offsets changes nothing more.
    emulator.advance(Duration::from_secs(60));
    assert_eq!(emulator.task(name).unwrap(), failed);
}

#[tokio::test]
async fn speed_scales_real_time() {
    // At a billion emulator seconds per real second, the 5 s step is due by the first request.
    let emulator = Emulator::builder().fixture(Fixture::demo()).speed(1e9).start().await.unwrap();
    assert!((emulator.speed() - 1e9).abs() < 1.0, "{}", emulator.speed());
    let client = Client::admin(&emulator);
    let details = client.get(&format!("/be/v1/tasks/{}", demo::RUNNING_DOWNLOAD)).await.json();
    assert_eq!(details["status"], json!("done"));
    emulator.set_speed(0.0).unwrap();
    let frozen = emulator.now();
    client.get("/be/v1/tasks").await;
    assert_eq!(emulator.now(), frozen);
    assert!(emulator.set_speed(-1.0).is_err());
    assert!(emulator.speed().abs() < f64::EPSILON, "a refused speed changes nothing");
    assert!(Emulator::builder().speed(f64::NAN).start().await.is_err());
}

#[tokio::test]
async fn json_fixture_timelines_play_out() {
    let fixture = Fixture::from_json(
        r#"[{"name": "acme-game-0002-1700000600-dltar", "service": "engine", "status": "pending",
             "timeline": [{"after": 1, "status": "running"},
                          {"after": 2.5, "status": "failed", "exception": {"error": "disk full"}}]}]"#,
    )
    .unwrap();
    let emulator =
        Emulator::builder().fixture(fixture).speed(0.0).epoch(1_700_001_000).start().await.unwrap();
    let client = Client::admin(&emulator);
    let path = "/be/v1/tasks/acme-game-0002-1700000600-dltar";
    emulator.advance(Duration::from_millis(2499));
    assert_eq!(client.get(path).await.json()["status"], json!("running"));
    emulator.advance(Duration::from_millis(1));
    assert_eq!(
        client.get(path).await.json(),
        json!({
            "name": "acme-game-0002-1700000600-dltar", "service": "engine", "status": "failed",
            "acknowledged": false, "expired": false, "exception": {"error": "disk full"},
            "createdAt": 1_700_000_600, "updatedAt": 1_700_001_002
        })
    );
}

#[tokio::test]
async fn the_store_can_be_changed_live() {
    let emulator = start_demo().await;
    let client = Client::admin(&emulator);
    let updated =
        emulator.update(demo::STUCK_UPLOAD, |details| details.status = TaskStatus::Running).unwrap();
    assert_eq!(updated.updated_at.unwrap().unix_seconds(), Some(EPOCH));
    assert_eq!(client.get("/be/v1/tasks?status=running").await.json()["totalCount"], json!(2));
    assert!(matches!(emulator.update("nope", |_| {}), Err(Error::UnknownTask { .. })));
    let removed = emulator.remove(demo::STUCK_UPLOAD).unwrap();
    assert_eq!(removed.status, TaskStatus::Running);
    assert_eq!(emulator.task_count(), 12);
    assert_eq!(client.get("/be/v1/tasks").await.json()["totalCount"], json!(12));
    let previous = emulator.insert(Task::from_details(removed.clone()));
    assert_eq!(previous, None);
    assert_eq!(
        emulator.insert(Task::from_details(removed)).map(|details| details.status),
        Some(TaskStatus::Running)
    );
    assert_eq!(emulator.tasks().len(), 13);
}
