//! A downstream listing paged by the transport's `Pager`: 10,000 apps stream exactly once, in
//! name order, with the heap of the consuming thread within two pages; and the apps that came and
//! went during a listing are neither repeated nor missed.

use std::sync::mpsc;
use std::time::Duration;

use downstream::{ListApps, TasksExt as _};
use rockit_tasks::Tasks;
use rockit_transport::Client;

use crate::{Harness, heap};

const APPS: usize = 10_000;
const PAGE: u32 = 500;

fn app(index: usize) -> (String, String, u32) {
    (format!("app-{index:05}"), format!("App number {index}"), u32::try_from(index % 97).unwrap_or(0))
}

/// The harness with `count` apps, served from a thread and runtime of its own (so that the test
/// thread's heap is the client's alone) until the returned sender is dropped.
fn serve_elsewhere(count: usize) -> (Client, mpsc::Sender<()>) {
    let (ready_tx, ready_rx) = mpsc::channel();
    let (stop_tx, stop_rx) = mpsc::channel::<()>();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Runtime::new().expect("a runtime for the emulator");
        runtime.block_on(async move {
            let harness = Harness::with_apps((0..count).map(app).collect()).await;
            ready_tx.send(harness.ops()).expect("the test waits for the emulator");
            // Serve until the test drops its sender.
            let _ = tokio::task::spawn_blocking(move || stop_rx.recv()).await;
            drop(harness);
        });
    });
    (ready_rx.recv().expect("the emulator starts"), stop_tx)
}

#[tokio::test]
async fn ten_thousand_apps_stream_exactly_once_within_two_pages_of_heap() {
    let (client, _serving) = serve_elsewhere(APPS);
    let tasks = Tasks::new(client.clone());
    heap::start();
    // A page as the client holds it, decoded; the first request also warms the connection.
    let before = heap::held();
    let page = client.execute(&ListApps::new().limit(PAGE)).await.unwrap();
    let page_bytes = heap::held() - before;
    assert_eq!(page.items.len(), PAGE as usize);
    drop(page);

    heap::reset_peak();
    let start = heap::held();
    let mut apps = tasks.apps(ListApps::new().limit(PAGE));
    let mut last = String::with_capacity(16);
    let mut count = 0;
    while let Some(app) = apps.try_next().await.unwrap() {
        // Strictly ascending names, as many as there are apps: each app exactly once.
        assert!(app.name > last, "{} after {last}", app.name);
        last.clone_from(&app.name);
        count += 1;
    }
    let peak = heap::peak() - start;
    assert_eq!(count, APPS);
    assert_eq!(last, app(APPS - 1).0);
    let report = apps.report();
    assert_eq!((report.yielded, report.last_total), (APPS as u64, Some(APPS as u64)));
    assert!(!report.may_have_missed(), "{report:?}");
    // 500, then 499 new a page (each overlaps the last by one): 1 + ceil(9,500 / 499) pages.
    assert_eq!(report.pages, 21);
    assert!(page_bytes > 0 && peak <= 2 * page_bytes, "peak {peak} B, a page {page_bytes} B");
    drop(apps);
    println!("peak {peak} B, {}% of a page of {page_bytes} B", peak * 100 / page_bytes);
}

#[tokio::test]
async fn apps_added_and_removed_mid_listing_are_neither_repeated_nor_missed() {
    let harness = Harness::with_apps((0..40).map(app).collect()).await;
    let tasks = Tasks::new(harness.ops());
    let mut apps = tasks.apps(ListApps::new().limit(10));
    let mut seen = Vec::new();
    while let Some(app) =
        tokio::time::timeout(Duration::from_secs(10), apps.try_next()).await.unwrap().unwrap()
    {
        if seen.len() == 15 {
            // Between pages: two apps before the cursor go, one comes, and one comes at the end.
            harness.seen(|seen| {
                seen.apps.retain(|(name, ..)| name != "app-00002" && name != "app-00011");
                seen.apps.insert(0, ("app-0000".to_owned(), String::new(), 1));
                seen.apps.push(("app-99999".to_owned(), String::new(), 1));
            });
        }
        seen.push(app.name);
    }
    let expected: Vec<String> = (0..40).map(|index| app(index).0).chain(["app-99999".to_owned()]).collect();
    assert_eq!(seen, expected, "every app that was there throughout, once, and the one added ahead");
    let report = apps.report();
    assert!(report.total_changed && report.steps_back > 0 && !report.may_have_missed(), "{report:?}");
}
