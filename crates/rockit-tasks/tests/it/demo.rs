//! Each call against the demo fixture, with expectations taken from the vendor seed.

use rockit_emulator::demo;
use rockit_model::{ListTasks, Service, TaskKind, TaskStatus};
use rockit_tasks::{Error, UpdateTask};
use rockit_test_support::seed;

use crate::support::{self, name};

#[tokio::test]
async fn list_returns_the_seed_page() {
    let (_emulator, tasks) = support::demo().await;
    let page = tasks.list(ListTasks::new()).await.unwrap();
    let expected: serde_json::Value = serde_json::from_str(seed::response_body()).unwrap();
    assert_eq!(page.total_count, 13);
    assert_eq!((page.offset, page.limit), (0, 10));
    assert_eq!(serde_json::to_value(&page.tasks).unwrap(), expected["tasks"]);
    let next = page.next_request().expect("3 more tasks");
    let last = tasks.list(next.clone()).await.unwrap();
    assert_eq!(last.offset, 10);
    assert_eq!(last.tasks.len(), 3);
    assert!(!last.has_next());
}

#[tokio::test]
async fn get_shows_details_and_not_found_names_the_task() {
    let (_emulator, tasks) = support::demo().await;
    let details = tasks.get(&name(demo::FAILED_DOWNLOAD)).await.unwrap();
    assert_eq!(details.status, TaskStatus::Failed);
    assert_eq!(details.service, Service::Engine);
    let download =
        details.exception.as_ref().and_then(rockit_model::Exception::http_download_failed).unwrap();
    assert_eq!(
        (download.size_bytes_actual, download.size_bytes_expected),
        (Some(1_073_741_824), Some(2_147_483_648))
    );

    let missing = name("exampleorg-sushi-0009-1733240117-dltar");
    let err = tasks.get(&missing).await.unwrap_err();
    assert!(err.is_not_found(), "{err}");
    assert!(
        err.to_string().starts_with("get exampleorg-sushi-0009-1733240117-dltar: GET /be/v1/tasks/"),
        "{err}"
    );
}

#[tokio::test]
async fn acknowledge_then_get_shows_the_warning_reviewed_and_repeating_is_harmless() {
    let (_emulator, tasks) = support::demo().await;
    let warned = name(demo::WARNED_PUBLISH);
    let before = tasks.get(&warned).await.unwrap();
    assert!(before.has_unacknowledged_warning());
    tasks.acknowledge(&warned).await.unwrap();
    let after = tasks.get(&warned).await.unwrap();
    assert_eq!(after.acknowledged, Some(true));
    assert_eq!(after.warning, before.warning, "the warning stays visible");
    assert_eq!(after.status, TaskStatus::Done);
    tasks.acknowledge(&warned).await.unwrap();
    assert_eq!(tasks.get(&warned).await.unwrap(), after);
}

#[tokio::test]
async fn expire_marks_the_stuck_upload_failed_expired_and_acknowledged() {
    let (emulator, tasks) = support::demo().await;
    let stuck = name(demo::STUCK_UPLOAD);
    assert_eq!(tasks.get(&stuck).await.unwrap().status, TaskStatus::Pending);
    tasks.expire(&stuck).await.unwrap();
    let after = tasks.get(&stuck).await.unwrap();
    assert_eq!(
        (after.status.clone(), after.expired, after.acknowledged),
        (TaskStatus::Failed, Some(true), Some(true))
    );
    tasks.expire(&stuck).await.unwrap();
    assert_eq!(tasks.get(&stuck).await.unwrap(), after);
    assert_eq!(emulator.task_count(), 13, "expiring starts nothing new");
}

#[tokio::test]
async fn update_refuses_an_update_without_flags() {
    let (emulator, tasks) = support::demo().await;
    let err = tasks.update(UpdateTask::new(name(demo::STUCK_UPLOAD))).await.unwrap_err();
    assert!(matches!(err, Error::EmptyUpdate { .. }));
    assert_eq!(
        err.to_string(),
        "update of task exampleorg-sushi-0002-1733149403-dltar sets no flag; set acknowledged and/or expired"
    );
    assert_eq!(emulator.request_count(), 0);
    let both = UpdateTask::acknowledge(name(demo::STUCK_UPLOAD)).expired(true);
    let answer = tasks.update(both).await.unwrap();
    assert_eq!(answer.total_count, 13);
}

#[tokio::test]
async fn convenience_filters_go_through_the_query() {
    let (emulator, tasks) = support::demo().await;
    let build_two = tasks.list(ListTasks::for_build("sushi", 2).limit(50)).await.unwrap();
    let kinds: Vec<_> = build_two.tasks.iter().map(|t| t.name.parts().unwrap().kind()).collect();
    assert_eq!(build_two.total_count, 6);
    assert_eq!(kinds[..2], [TaskKind::Dltar, TaskKind::Dltar]);
    assert!(build_two.tasks.iter().all(|t| t.name.parts().unwrap().build() == 2));

    let warned = tasks.list(ListTasks::unacknowledged_warnings()).await.unwrap();
    let names: Vec<_> = warned.tasks.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, [demo::STUCK_UPLOAD, demo::WARNED_PUBLISH]);

    let pending = tasks.list(ListTasks::for_status(TaskStatus::Pending)).await.unwrap();
    assert_eq!(pending.total_count, 1);
    let seen = emulator.requests();
    assert_eq!(seen[0].raw_query.as_deref(), Some("limit=50&appName=sushi&build=2"));
    assert_eq!(seen[1].raw_query.as_deref(), Some("acknowledged=false"));
}
