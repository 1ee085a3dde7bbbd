//! Through emulator faults, streams and updates complete with correct results; with retries off
//! the errors surface typed.

use std::time::Duration;

use futures_util::TryStreamExt;
use rockit_emulator::{Emulator, Fault, Faults, Fixture, Matcher};
use rockit_model::ListTasks;
use rockit_tasks::Tasks;
use rockit_transport::RetryPolicy;

use crate::support;

fn mixed(rate: f64, seed: u64) -> Faults {
    Faults::new(rate).seed(seed).mix([
        (Fault::Unavailable, 1),
        (Fault::RateLimited { retry_after: Duration::ZERO }, 1),
        (Fault::Drop, 1),
        (Fault::Truncate, 1),
        (Fault::DropAfterApply, 1),
    ])
}

fn patient(emulator: &Emulator) -> Tasks {
    let policy = RetryPolicy::default()
        .max_attempts(12)
        .base_delay(Duration::from_millis(1))
        .max_delay(Duration::from_millis(5));
    Tasks::new(support::builder(emulator).retry_policy(policy).build().unwrap())
}

#[tokio::test]
async fn a_full_stream_survives_thirty_percent_faults() {
    let emulator = Emulator::builder()
        .fixture(Fixture::generated(2000))
        .speed(0.0)
        .faults(mixed(0.3, 7))
        .start()
        .await
        .unwrap();
    let names: Vec<_> = patient(&emulator)
        .stream(ListTasks::new().limit(100))
        .map_ok(|t| t.name)
        .try_collect()
        .await
        .unwrap();
    let mut expected: Vec<_> = emulator.tasks().into_iter().map(|t| t.name).collect();
    expected.sort();
    assert_eq!(names, expected);
    let faulted = emulator.requests().iter().filter(|r| r.fault.is_some()).count();
    assert!(faulted > 0, "faults were injected");
}

#[tokio::test]
async fn acknowledges_complete_through_faults() {
    let emulator = Emulator::builder()
        .fixture(Fixture::generated(60))
        .speed(0.0)
        .faults(mixed(0.3, 11))
        .start()
        .await
        .unwrap();
    let tasks = patient(&emulator);
    let names: Vec<_> = emulator.tasks().into_iter().map(|t| t.name).collect();
    for name in &names {
        tasks.acknowledge(name).await.unwrap();
    }
    emulator.set_faults(Faults::none()).unwrap();
    for name in &names {
        assert_eq!(emulator.task(name.as_str()).unwrap().acknowledged, Some(true), "{name}");
    }
    assert!(emulator.requests().iter().any(|r| r.fault == Some(Fault::DropAfterApply)));
}

#[tokio::test]
async fn without_retries_faults_surface_as_typed_errors() {
    let (emulator, _) = support::demo().await;
    let tasks = Tasks::new(support::builder(&emulator).retry_policy(RetryPolicy::none()).build().unwrap());
    emulator.script(Matcher::list_tasks(), 1, Fault::Unavailable);
    let err = tasks.list(ListTasks::new()).await.unwrap_err();
    assert_eq!(err.transport_error().unwrap().status(), Some(503));
    emulator.script(Matcher::list_tasks(), 1, Fault::Drop);
    let err = tasks.list(ListTasks::new()).await.unwrap_err();
    let transport = err.transport_error().unwrap();
    assert!(transport.is_retryable() && transport.status().is_none(), "{err}");
    assert!(err.to_string().starts_with("list tasks: GET /be/v1/tasks: "), "{err}");
    // Each cause of the chain reads once: no cause repeats the text of the one before it.
    let mut above = err.to_string();
    let mut cause = std::error::Error::source(&err);
    assert!(cause.is_some(), "a dropped connection has a cause below the line: {err:?}");
    while let Some(error) = cause {
        assert!(!above.ends_with(&error.to_string()), "{above:?} repeats its cause {error}");
        above = error.to_string();
        cause = error.source();
    }
    // The stream reports the error as an item and can be polled again to retry the page.
    emulator.script(Matcher::list_tasks(), 1, Fault::Unavailable);
    let mut stream = tasks.stream(ListTasks::new());
    let first = futures_util::StreamExt::next(&mut stream).await.unwrap().unwrap_err();
    assert_eq!(first.transport_error().and_then(rockit_transport::Error::status), Some(503), "{first}");
    let rest: Vec<_> = support::within(stream.try_collect()).await.unwrap();
    assert_eq!(rest.len(), 13);
}
