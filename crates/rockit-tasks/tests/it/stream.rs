//! `stream`: every task exactly once, in order, lazily, also while the listing changes.

use std::collections::HashSet;

use futures_util::{StreamExt, TryStreamExt};
use rockit_emulator::{Emulator, Fixture, Matcher};
use rockit_model::{ListTasks, Order, TaskName};
use rockit_tasks::{StreamPosition, TaskStream};

use crate::support::{self, numbered, numbered_name};

async fn names(stream: &mut TaskStream, count: usize) -> Vec<TaskName> {
    let mut out = Vec::with_capacity(count);
    for _ in 0..count {
        out.push(stream.next().await.expect("more tasks").unwrap().name);
    }
    out
}

fn list_requests(emulator: &Emulator) -> usize {
    let matcher = Matcher::list_tasks();
    emulator.requests().iter().filter(|r| matcher.matches(&r.method, &r.raw_path)).count()
}

#[tokio::test]
async fn ten_thousand_tasks_stream_once_each_in_order_page_by_page() {
    let emulator = Emulator::builder()
        .fixture(Fixture::generated(10_000))
        .speed(0.0)
        .log_capacity(100)
        .start()
        .await
        .unwrap();
    let tasks = support::tasks(&emulator);
    let mut stream = tasks.stream(ListTasks::new().limit(1000));

    let all = support::bounded(&emulator, 11, async {
        // Lazy: the first task costs one page.
        let mut all = names(&mut stream, 1).await;
        assert_eq!(stream.report().pages, 1);
        while let Some(task) = stream.next().await {
            all.push(task.unwrap().name);
        }
        all
    })
    .await;
    assert_eq!(all.len(), 10_000);
    assert!(all.windows(2).all(|pair| pair[0] < pair[1]), "strictly ascending, so no repeats");
    let mut expected: Vec<_> = emulator.tasks().into_iter().map(|t| t.name).collect();
    expected.sort();
    assert_eq!(all, expected);
    // 1000 per page, one of which overlaps the previous page: ceil((10000 - 1) / 999) pages.
    let report = stream.report().clone();
    assert_eq!(report.pages, 11);
    assert_eq!(emulator.counters().requests, 11);
    assert_eq!((report.yielded, report.skipped_repeats, report.total_changed), (10_000, 10, false));
}

#[tokio::test]
async fn inserts_and_removals_during_a_listing_yield_no_repeat_and_are_reported() {
    let emulator =
        Emulator::builder().fixture(Fixture::tasks(numbered(200))).speed(0.0).start().await.unwrap();
    let tasks = support::tasks(&emulator);
    let mut stream = tasks.stream(ListTasks::new().limit(10));
    let mut seen = support::bounded(&emulator, 60, names(&mut stream, 55)).await;
    assert_eq!(seen.last(), Some(&numbered_name(54, "dltar")));

    // Before the cursor: 7 removed, 3 inserted (the listing shifts left by 4). After it: 2 removed,
    // 2 inserted.
    for i in [3, 10, 20, 30, 40, 50, 52] {
        assert!(emulator.remove(numbered_name(i, "dltar").as_str()).is_some());
    }
    for i in [5, 15, 25] {
        emulator.insert(rockit_emulator::Task::new(
            numbered_name(i, "mkraw"),
            rockit_model::Service::Engine,
            rockit_model::TaskStatus::Done,
        ));
    }
    for i in [100, 150] {
        assert!(emulator.remove(numbered_name(i, "dltar").as_str()).is_some());
    }
    let added_later = [numbered_name(120, "mkraw"), numbered_name(199, "mkraw")];
    for name in &added_later {
        emulator.insert(rockit_emulator::Task::new(
            name.clone(),
            rockit_model::Service::Engine,
            rockit_model::TaskStatus::Done,
        ));
    }

    support::bounded(&emulator, 60, async {
        while let Some(task) = stream.next().await {
            seen.push(task.unwrap().name);
        }
    })
    .await;
    let unique: HashSet<_> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "no task yielded twice");
    assert!(seen.windows(2).all(|pair| pair[0] < pair[1]));
    // Every task that existed throughout the listing was yielded.
    let survivors = (55..200).filter(|i| ![100, 150].contains(i)).map(|i| numbered_name(i, "dltar"));
    for name in survivors.chain(added_later) {
        assert!(unique.contains(&name), "{name} missing");
    }
    let report = stream.report();
    assert!(report.total_changed);
    assert!(report.steps_back >= 1, "{report:?}");
}

#[tokio::test]
async fn a_custom_order_drops_repeats_and_reports_the_change() {
    let emulator =
        Emulator::builder().fixture(Fixture::tasks(numbered(60))).speed(0.0).start().await.unwrap();
    let tasks = support::tasks(&emulator);
    let mut stream = tasks.stream(ListTasks::new().limit(10).order(Order::desc("name")));
    let mut seen = support::bounded(&emulator, 10, names(&mut stream, 10)).await;
    assert_eq!(seen[0], numbered_name(59, "dltar"));
    // A task inserted before the cursor pushes the previous page's last task onto the next page.
    emulator.insert(rockit_emulator::Task::new(
        numbered_name(58, "mkraw"),
        rockit_model::Service::Engine,
        rockit_model::TaskStatus::Done,
    ));
    support::bounded(&emulator, 10, async {
        while let Some(task) = stream.next().await {
            seen.push(task.unwrap().name);
        }
    })
    .await;
    let unique: HashSet<_> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "no repeats");
    assert_eq!(seen.len(), 60);
    assert!(stream.report().total_changed);
    assert_eq!(stream.report().skipped_repeats, 1);
}

#[tokio::test]
async fn a_listing_resumes_from_a_saved_position() {
    let emulator =
        Emulator::builder().fixture(Fixture::tasks(numbered(45))).speed(0.0).start().await.unwrap();
    let tasks = support::tasks(&emulator);
    let mut first = tasks.stream(ListTasks::new().limit(10));
    let mut seen = support::bounded(&emulator, 10, names(&mut first, 17)).await;
    let saved = serde_json::to_string(&first.position()).unwrap();
    drop(first);
    let position: StreamPosition = serde_json::from_str(&saved).unwrap();
    let rest: Vec<_> = support::bounded(
        &emulator,
        10,
        tasks.stream_from(ListTasks::new().limit(10), position).map_ok(|t| t.name).try_collect(),
    )
    .await
    .unwrap();
    seen.extend(rest);
    assert_eq!(seen, (0..45).map(|i| numbered_name(i, "dltar")).collect::<Vec<_>>());
    // Resuming costs no step back: the first page overlaps exactly the last task yielded.
    let first_resumed = emulator.requests().into_iter().nth(2).unwrap();
    assert_eq!(first_resumed.raw_query.as_deref(), Some("offset=16&limit=10"));
}

#[tokio::test]
async fn prefetching_yields_the_same_tasks() {
    let emulator = Emulator::builder().fixture(Fixture::generated(500)).speed(0.0).start().await.unwrap();
    let tasks = support::tasks(&emulator);
    let plain: Vec<_> = support::bounded(
        &emulator,
        11,
        tasks.stream(ListTasks::new().limit(50)).map_ok(|t| t.name).try_collect(),
    )
    .await
    .unwrap();
    let prefetched: Vec<_> = support::bounded(
        &emulator,
        22,
        tasks.stream_prefetch(ListTasks::new().limit(50)).map_ok(|t| t.name).try_collect(),
    )
    .await
    .unwrap();
    assert_eq!(plain.len(), 500);
    assert_eq!(plain, prefetched);
    assert_eq!(list_requests(&emulator), 2 * 11);
}

#[tokio::test]
async fn filters_apply_to_every_page() {
    let (emulator, tasks) = support::demo().await;
    let sushi: Vec<_> =
        support::bounded(&emulator, 10, tasks.stream(ListTasks::for_app("ush").limit(4)).try_collect())
            .await
            .unwrap();
    assert_eq!(sushi.len(), 13);
    assert!(emulator.requests().iter().all(|r| r.query.contains(&("appName".to_owned(), "ush".to_owned()))));
}

#[tokio::test]
async fn acknowledging_while_streaming_unacknowledged_warnings_yields_every_task() {
    // Each acknowledgement removes a task before the cursor from the filtered listing: one step
    // back per page, far more than MAX_STEPS_BACK in all.
    let warned = (0..1000).map(|i| {
        rockit_emulator::Task::new(
            numbered_name(i, "dltar"),
            rockit_model::Service::Engine,
            rockit_model::TaskStatus::Done,
        )
        .warning(rockit_model::Warning::new("w", "check me"))
    });
    let emulator = Emulator::builder().fixture(Fixture::tasks(warned)).speed(0.0).start().await.unwrap();
    let tasks = support::tasks(&emulator);
    let mut stream = tasks.stream(ListTasks::unacknowledged_warnings().limit(10));
    let mut acknowledged = Vec::new();
    // A thousand acknowledgements and a few hundred pages.
    support::bounded(&emulator, 1500, async {
        while let Some(task) = stream.next().await {
            let task = task.unwrap();
            tasks.acknowledge(&task.name).await.unwrap();
            acknowledged.push(task.name);
        }
    })
    .await;
    assert_eq!(acknowledged, (0..1000).map(|i| numbered_name(i, "dltar")).collect::<Vec<_>>());
    let report = stream.report();
    assert!(report.steps_back > u64::from(rockit_tasks::MAX_STEPS_BACK), "{report:?}");
    assert!(!report.incomplete);
}

#[tokio::test]
async fn a_sort_order_given_as_a_raw_parameter_is_honoured() {
    let emulator =
        Emulator::builder().fixture(Fixture::tasks(numbered(60))).speed(0.0).start().await.unwrap();
    let tasks = support::tasks(&emulator);
    let names: Vec<_> = support::bounded(
        &emulator,
        10,
        tasks.stream(ListTasks::new().limit(10).param("order[]", "-name")).map_ok(|t| t.name).try_collect(),
    )
    .await
    .unwrap();
    assert_eq!(names, (0..60).rev().map(|i| numbered_name(i, "dltar")).collect::<Vec<_>>());
}

#[tokio::test]
async fn pages_out_of_name_order_fall_back_to_the_weaker_guarantee() {
    use rockit_test_support::mock::{MockServer, Reply};
    let server = MockServer::start().await;
    let page = |names: &[&str]| {
        let tasks: Vec<_> = names
            .iter()
            .map(|name| serde_json::json!({"name": name, "service": "engine", "status": "done"}))
            .collect();
        Reply::json(
            200,
            serde_json::json!({"status": "success", "totalCount": 4, "tasks": tasks}).to_string(),
        )
    };
    server.script([
        page(&["b-x-0001-1-dltar", "a-x-0001-1-dltar"]),
        page(&["d-x-0001-1-dltar", "c-x-0001-1-dltar"]),
    ]);
    let client = rockit_transport::Client::builder()
        .base_url(server.url())
        .credentials(rockit_transport::Credentials::api_key("o", "u", "k"))
        .build()
        .unwrap();
    let mut stream = rockit_tasks::Tasks::new(client).stream(ListTasks::new().limit(2));
    let mut names = Vec::new();
    while let Some(task) = stream.next().await {
        names.push(task.unwrap().name.to_string());
    }
    assert_eq!(names, ["b-x-0001-1-dltar", "a-x-0001-1-dltar", "d-x-0001-1-dltar", "c-x-0001-1-dltar"]);
    assert!(stream.report().unordered);
    let queries: Vec<_> = server.requests().iter().map(|r| r.raw_query.clone().unwrap()).collect();
    assert_eq!(queries, ["offset=0&limit=2", "offset=2&limit=2"], "no overlap once the order is not by name");
}
