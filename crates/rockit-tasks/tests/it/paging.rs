//! The arithmetic of paging, request by request, against a scripted server: where each request
//! starts, how a stream steps back when tasks before its cursor disappear and when it gives up,
//! and when a listing is over.
//!
//! Every server here answers the requests the test expects and then a final `400`, never
//! retried: a stream that asks for more than it should gets an error item and the test fails
//! at once, instead of running away until the harness gives up.

use futures_util::StreamExt;
use rockit_model::{ListTasks, Order, TaskName};
use rockit_tasks::{MAX_STEPS_BACK, StreamPosition, TaskStream, Tasks};
use rockit_test_support::mock::{MockServer, Reply};
use rockit_transport::{Client, Credentials, RetryPolicy};

/// Task `i`: `task-NNN`, so that name order is number order.
fn task(i: usize) -> String {
    format!("task-{i:03}")
}

/// A page holding `names`, of a listing of `total` tasks.
fn page(total: usize, names: &[usize]) -> Reply {
    let tasks: Vec<_> = names
        .iter()
        .map(|i| serde_json::json!({"name": task(*i), "service": "engine", "status": "done"}))
        .collect();
    Reply::json(
        200,
        serde_json::json!({"status": "success", "totalCount": total, "tasks": tasks}).to_string(),
    )
}

/// A server that answers `pages` in order, then `400` to anything more.
async fn server(pages: impl IntoIterator<Item = Reply>) -> MockServer {
    let server = MockServer::start().await;
    server.script(pages);
    server.default_reply(Reply::json(
        400,
        r#"{"status":"invalid-param","message":"the test expected no more requests"}"#,
    ));
    server
}

fn tasks(server: &MockServer) -> Tasks {
    Tasks::new(
        Client::builder()
            .base_url(server.url())
            .credentials(Credentials::api_key("o", "u", "k"))
            .retry_policy(RetryPolicy::none())
            .build()
            .unwrap(),
    )
}

/// Every name the stream yields, failing on the first error.
async fn drain(stream: &mut TaskStream) -> Vec<String> {
    let mut names = Vec::new();
    while let Some(item) = stream.next().await {
        names.push(item.unwrap().name.to_string());
    }
    names
}

/// The `offset` of every request, in order.
fn offsets(server: &MockServer) -> Vec<u64> {
    server
        .requests()
        .iter()
        .map(|request| {
            let query = request.raw_query.clone().unwrap_or_default();
            let offset = query.split('&').find_map(|pair| pair.strip_prefix("offset="));
            offset.expect("every page request names its offset").parse().unwrap()
        })
        .collect()
}

fn names(range: std::ops::Range<usize>) -> Vec<String> {
    range.map(task).collect()
}

#[tokio::test]
async fn each_page_starts_one_task_early_and_the_last_one_ends_the_listing() {
    let server = server([page(5, &[0, 1]), page(5, &[1, 2]), page(5, &[2, 3]), page(5, &[3, 4])]).await;
    let mut stream = tasks(&server).stream(ListTasks::new().limit(2));
    assert_eq!(drain(&mut stream).await, names(0..5));
    assert_eq!(offsets(&server), [0, 1, 2, 3]);
    let report = stream.report();
    assert_eq!((report.pages, report.yielded, report.skipped_repeats), (4, 5, 3));
    assert!(!report.total_changed && report.steps_back == 0 && !report.unordered, "{report:?}");
    assert_eq!(stream.position(), StreamPosition { offset: 5, last: Some(task(4).parse().unwrap()) });
}

#[tokio::test]
async fn try_next_yields_the_tasks_then_none() {
    let server = server([page(2, &[0, 1])]).await;
    let mut stream = tasks(&server).stream(ListTasks::new().limit(2));
    assert_eq!(stream.try_next().await.unwrap().map(|task| task.name.to_string()), Some(task(0)));
    assert_eq!(stream.try_next().await.unwrap().map(|task| task.name.to_string()), Some(task(1)));
    assert!(stream.try_next().await.unwrap().is_none());
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn a_stream_steps_back_limit_minus_one_tasks_at_a_time_until_it_finds_its_place() {
    // Tasks 0 to 9, three a page. After task 6 is yielded, tasks 0 to 3 disappear: the listing
    // is tasks 4 to 9, and the page at offset 6 is empty.
    let server = server([
        page(10, &[0, 1, 2]),
        page(10, &[2, 3, 4]),
        page(10, &[4, 5, 6]),
        page(6, &[]),
        page(6, &[8, 9]),
        page(6, &[6, 7, 8]),
        page(6, &[8, 9]),
    ])
    .await;
    let mut stream = tasks(&server).stream(ListTasks::new().limit(3));
    assert_eq!(drain(&mut stream).await, names(0..10));
    assert_eq!(offsets(&server), [0, 2, 4, 6, 4, 2, 4]);
    let report = stream.report();
    assert_eq!((report.steps_back, report.skipped_repeats, report.pages), (2, 4, 7), "{report:?}");
    assert!(report.total_changed && !report.incomplete, "{report:?}");
    assert_eq!((report.first_total, report.last_total), (Some(10), Some(6)));
}

#[tokio::test]
async fn a_stream_gives_up_its_place_after_max_steps_back() {
    // Resumed after task 50 at offset 200, the stream never finds task 50 again: every page
    // starts after it. It steps back MAX_STEPS_BACK times, then takes the page it has.
    let steps = usize::try_from(MAX_STEPS_BACK).unwrap();
    let mut pages: Vec<_> = (0..steps).map(|_| page(300, &[60, 61])).collect();
    let last_offset = 199 - steps;
    pages.push(page(last_offset + 2, &[60, 61]));
    let server = server(pages).await;
    let position = StreamPosition { offset: 200, last: Some(task(50).parse::<TaskName>().unwrap()) };
    let mut stream = tasks(&server).stream_from(ListTasks::new().limit(2), position);
    assert_eq!(drain(&mut stream).await, [task(60), task(61)]);
    let expected: Vec<u64> = (last_offset..=199).rev().map(|offset| offset as u64).collect();
    assert_eq!(offsets(&server), expected);
    let report = stream.report();
    assert_eq!(report.steps_back, u64::from(MAX_STEPS_BACK));
    assert!(report.incomplete && report.may_have_missed(), "{report:?}");
}

#[tokio::test]
async fn a_page_with_a_name_twice_is_not_in_name_order() {
    let server = server([page(2, &[0, 0])]).await;
    let mut stream = tasks(&server).stream(ListTasks::new().limit(2));
    assert_eq!(drain(&mut stream).await, [task(0), task(0)]);
    assert!(stream.report().unordered, "{:?}", stream.report());
}

#[tokio::test]
async fn a_prefetching_stream_in_a_custom_order_asks_for_no_overlap() {
    let server = server([page(4, &[3, 2]), page(4, &[1, 0])]).await;
    let mut stream = tasks(&server).stream_prefetch(ListTasks::new().limit(2).order(Order::desc("name")));
    assert_eq!(drain(&mut stream).await, [task(3), task(2), task(1), task(0)]);
    assert_eq!(offsets(&server), [0, 2]);
    assert_eq!(stream.report().skipped_repeats, 0);
}

#[tokio::test]
async fn a_page_says_whether_another_follows_and_where_it_starts() {
    let server = server([page(3, &[0, 1]), page(3, &[2]), page(3, &[])]).await;
    let tasks = tasks(&server);
    let first = tasks.list(ListTasks::new().limit(2)).await.unwrap();
    assert!(first.has_next());
    let next = first.next_request().unwrap().clone();
    assert_eq!(next.page_offset(), Some(2));
    let second = tasks.list(next).await.unwrap();
    assert!(!second.has_next(), "3 of 3 tasks seen");
    assert_eq!(second.next_request(), None);
    let empty = tasks.list(ListTasks::new().offset(1)).await.unwrap();
    assert!(!empty.has_next(), "an empty page ends a listing, whatever the total says");
}
