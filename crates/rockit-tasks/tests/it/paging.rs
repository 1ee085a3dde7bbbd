//! The arithmetic of paging, request by request, against a scripted server: where each request
//! starts, how a stream steps back when tasks before its cursor disappear and when it gives up,
//! and when a listing is over.
//!
//! Every server here answers the requests the test expects and then a final `400`, never
//! retried: a stream that asks for more than it should gets an error item and the test fails
//! at once, instead of running away until the harness gives up.

use std::io::{Read, Write};
use std::sync::mpsc;
use std::time::Duration;

use futures_util::StreamExt;
use rockit_emulator::{Emulator, Fixture};
use rockit_model::{ListTasks, Order, TaskName};
use rockit_tasks::{MAX_STEPS_BACK, StreamPosition, TaskStream, Tasks};
use rockit_test_support::mock::{MockServer, Reply};
use rockit_transport::{Client, Credentials, RetryPolicy};

use crate::support;

/// Task `i`: `task-NNN`, so that name order is number order.
fn task(i: usize) -> String {
    format!("task-{i:03}")
}

/// The body of a page holding `names`, of a listing of `total` tasks.
fn page_body(total: usize, names: &[usize]) -> String {
    let tasks: Vec<_> = names
        .iter()
        .map(|i| serde_json::json!({"name": task(*i), "service": "engine", "status": "done"}))
        .collect();
    serde_json::json!({"status": "success", "totalCount": total, "tasks": tasks}).to_string()
}

/// A page holding `names`, of a listing of `total` tasks.
fn page(total: usize, names: &[usize]) -> Reply {
    Reply::json(200, page_body(total, names))
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
    tasks_at(&server.url())
}

fn tasks_at(url: &str) -> Tasks {
    Tasks::new(
        Client::builder()
            .base_url(url)
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
    assert_eq!(
        (stream.report().pages, stream.report().skipped_repeats),
        (2, 0),
        "no request after the last page"
    );
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

#[tokio::test]
async fn a_prefetching_stream_asks_for_the_next_page_while_the_current_one_is_consumed() {
    let emulator =
        Emulator::builder().fixture(Fixture::tasks(support::numbered(4))).speed(0.0).start().await.unwrap();
    let mut stream = support::tasks(&emulator).stream_prefetch(ListTasks::new().limit(2));
    stream.next().await.unwrap().unwrap();
    // The stream is not polled again: the second page is asked for in the background.
    support::within(emulator.wait_for_requests(2)).await;
    assert_eq!(drain(&mut stream).await.len(), 3);
}

#[tokio::test]
async fn dropping_a_prefetching_stream_cancels_its_background_fetch() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (events, seen) = mpsc::channel();
    let _server = std::thread::spawn(move || {
        // The first page, then the connection closes: the prefetch comes on a new one.
        let (mut first, _) = listener.accept().unwrap();
        read_request(&mut first);
        let body = page_body(4, &[0, 1]);
        let head = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
            body.len()
        );
        first.write_all(format!("{head}{body}").as_bytes()).unwrap();
        drop(first);
        // The prefetch is never answered; reading on tells when the client hangs up.
        let (mut second, _) = listener.accept().unwrap();
        read_request(&mut second);
        events.send("asked").unwrap();
        let mut rest = [0_u8; 1024];
        while matches!(second.read(&mut rest), Ok(read) if read > 0) {}
        events.send("hung up").unwrap();
    });
    let next_event = |seen: mpsc::Receiver<&'static str>| {
        tokio::task::spawn_blocking(move || (seen.recv_timeout(Duration::from_secs(20)), seen))
    };

    let mut stream = tasks_at(&url).stream_prefetch(ListTasks::new().limit(2));
    assert_eq!(stream.next().await.unwrap().unwrap().name.to_string(), task(0));
    let (event, seen) = next_event(seen).await.unwrap();
    assert_eq!(event, Ok("asked"));
    drop(stream);
    // The client's attempt timeout is 30 s: only the cancelled fetch hangs up sooner.
    let (event, _) = next_event(seen).await.unwrap();
    assert_eq!(event, Ok("hung up"), "the background fetch outlived its stream");
}

/// Reads one request without a body: up to the blank line after the headers.
fn read_request(stream: &mut std::net::TcpStream) {
    let mut request = Vec::new();
    let mut buffer = [0_u8; 1024];
    while !request.windows(4).any(|window| window == b"\r\n\r\n") {
        let read = stream.read(&mut buffer).unwrap();
        assert!(read > 0, "the client hung up mid-request");
        request.extend_from_slice(&buffer[..read]);
    }
}

#[tokio::test]
async fn a_stream_prints_its_request_position_and_report() {
    let server = server([page(3, &[0, 1])]).await;
    let mut stream = tasks(&server).stream(ListTasks::new().limit(2));
    stream.next().await.unwrap().unwrap();
    let debug = format!("{stream:?}");
    assert!(debug.starts_with("TaskStream { request: ListTasks {"), "{debug}");
    assert!(
        debug.contains(
            "position: StreamPosition { offset: 1, last: Some(\"task-000\") }, buffered: 1, done: false"
        ),
        "{debug}"
    );
}
