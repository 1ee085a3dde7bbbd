//! Builds at their edges: names that look like a build's but are not, in either listing order;
//! which earlier build says where a pipeline ends; errors the waiter polls through and errors it
//! stops at; warnings raised during a watch; and the small things (names, Display, Debug).

use std::time::Duration;

use rockit_emulator::{Emulator, Fault, Fixture, Matcher, Task};
use rockit_model::{BuildId, ListTasks, Order, Service, TaskKind, TaskStatus, Warning};
use rockit_tasks::{Build, BuildChange, BuildOutcome, BuildState, BuildTarget, BuildWaitOptions, Tasks};
use rockit_test_support::mock::{MockServer, Reply};
use rockit_transport::{Credentials, RetryPolicy};

use crate::support::{self, name};

fn id(raw: &str) -> BuildId {
    raw.parse().unwrap()
}

fn fast() -> BuildWaitOptions {
    BuildWaitOptions::new().interval(Duration::from_millis(10)).timeout(Duration::from_secs(10))
}

fn task(raw: &str, status: TaskStatus) -> Task {
    Task::new(name(raw), Service::Engine, status)
}

async fn emulator_with(tasks: Vec<Task>) -> (Emulator, Tasks) {
    let emulator = Emulator::builder().fixture(Fixture::tasks(tasks)).speed(0.0).start().await.unwrap();
    let client = support::tasks(&emulator);
    (emulator, client)
}

/// Every build the stream yields for `request`, as its id and its tasks' names.
async fn grouped(tasks: &Tasks, request: ListTasks) -> Vec<(String, Vec<String>)> {
    let mut builds = tasks.builds(request);
    let mut out = Vec::new();
    while let Some(build) = support::within(builds.try_next()).await.unwrap() {
        out.push((build.id().to_string(), build.tasks().map(|task| task.name.to_string()).collect()));
    }
    out
}

#[tokio::test]
async fn names_that_only_look_like_a_builds_stay_out_of_it_in_either_order() {
    let (_emulator, tasks) = emulator_with(
        [
            "exampleorg-sushi-0003-1733240117-dltar",
            "exampleorg-sushi-0003-1733240200-mkraw",
            // Not the naming convention (an empty or non-numeric creation time, an empty kind, a
            // dash in the kind): no build's.
            "exampleorg-sushi-0003--dltar",
            "exampleorg-sushi-0003-17-",
            "exampleorg-sushi-0003-17-x-dltar",
            "exampleorg-sushi-0003-x-dltar",
            // The next build, and build 3 written another way.
            "exampleorg-sushi-0004-1733240400-dltar",
            "exampleorg-sushi-03-1733240300-mkpat",
            // Another app's build of the same number, right after sushi's in name order.
            "exampleorg-sushi2-0003-1733240500-dltar",
        ]
        .into_iter()
        .map(|raw| task(raw, TaskStatus::Done))
        .collect(),
    )
    .await;
    let owned = |id: &str, names: &[&str]| (id.to_owned(), names.iter().map(|n| (*n).to_owned()).collect());
    assert_eq!(
        grouped(&tasks, ListTasks::new()).await,
        [
            owned(
                "sushi/3",
                &["exampleorg-sushi-0003-1733240117-dltar", "exampleorg-sushi-0003-1733240200-mkraw"]
            ),
            owned("sushi/4", &["exampleorg-sushi-0004-1733240400-dltar"]),
            owned("sushi/3", &["exampleorg-sushi-03-1733240300-mkpat"]),
            owned("sushi2/3", &["exampleorg-sushi2-0003-1733240500-dltar"]),
        ]
    );
    // Descending, the look-alikes come right after the build's own tasks.
    let mut descending = grouped(&tasks, ListTasks::new().order(Order::desc("name"))).await;
    for (_, names) in &mut descending {
        names.sort();
    }
    assert_eq!(
        descending,
        [
            owned("sushi2/3", &["exampleorg-sushi2-0003-1733240500-dltar"]),
            owned("sushi/3", &["exampleorg-sushi-03-1733240300-mkpat"]),
            owned("sushi/4", &["exampleorg-sushi-0004-1733240400-dltar"]),
            owned(
                "sushi/3",
                &["exampleorg-sushi-0003-1733240117-dltar", "exampleorg-sushi-0003-1733240200-mkraw"]
            ),
        ]
    );
}

#[tokio::test]
async fn a_build_stream_reports_its_listing_and_shows_where_it_is() {
    let (_emulator, tasks) = support::demo().await;
    let mut builds = tasks.builds(ListTasks::new().limit(4));
    let first = support::within(builds.try_next()).await.unwrap().unwrap();
    let debug = format!("{builds:?}");
    assert!(debug.starts_with("BuildStream { tasks: TaskStream"), "{debug}");
    assert!(debug.contains("current: Some((BuildId"), "{debug}");
    support::within(async { while builds.try_next().await.unwrap().is_some() {} }).await;
    let report = builds.report();
    assert_eq!(report.yielded, 13, "{report:?}");
    assert!(report.pages >= 4, "{report:?}");
    assert!(!first.is_empty());
}

#[tokio::test]
async fn states_targets_and_outcomes_have_their_names() {
    let states = [
        BuildState::Running,
        BuildState::Succeeded,
        BuildState::Failed { stage: TaskKind::Mkraw },
        BuildState::Expired { stage: TaskKind::Dltar },
    ];
    let names: Vec<&str> = states.iter().map(BuildState::as_str).collect();
    assert_eq!(names, ["running", "succeeded", "failed", "expired"]);
    assert_eq!(BuildTarget::Stage(TaskKind::Deploy).to_string(), "deploy done");
    assert_eq!(BuildTarget::Quiet(Duration::from_secs(60)).to_string(), "every stage done and quiet for 60s");

    let (_emulator, tasks) = support::demo().await;
    let outcome = tasks.wait_build(&id("sushi/1"), fast().until_stage(TaskKind::Deploy)).await.unwrap();
    assert!(outcome.is_success(), "{outcome:?}");
    assert_eq!(outcome.build().id(), &id("sushi/1"));
    let failed = BuildOutcome::Failed(Build::from_tasks(id("sushi/9"), None, []));
    assert!(!failed.is_success());

    let mut watch = tasks.watch_build(&id("sushi/1"), fast().until_stage(TaskKind::Deploy));
    assert_eq!(format!("{watch:?}"), "Watch { .. }");
    let progress = watch.try_next().await.unwrap().expect("one step");
    assert!(progress.outcome.as_ref().is_some_and(BuildOutcome::is_success), "{progress:?}");
    assert!(watch.try_next().await.unwrap().is_none(), "a watch ends after its outcome");
}

#[tokio::test]
async fn the_target_is_the_last_stage_of_the_newest_earlier_build_that_succeeded() {
    let (_emulator, tasks) = emulator_with(vec![
        task("exampleorg-pho-0001-1700000000-dltar", TaskStatus::Done),
        task("exampleorg-pho-0001-1700000100-mkraw", TaskStatus::Done),
        task("exampleorg-pho-0001-1700000200-publish", TaskStatus::Done),
        // Build 2 failed at mkraw: its last stage says nothing about where a pipeline ends.
        task("exampleorg-pho-0002-1700001000-dltar", TaskStatus::Done),
        task("exampleorg-pho-0002-1700001100-mkraw", TaskStatus::Failed),
        task("exampleorg-pho-0003-1700002000-dltar", TaskStatus::Done),
    ])
    .await;
    let mut watch = tasks.watch_build(&id("pho/3"), fast());
    let first = support::within(watch.try_next()).await.unwrap().unwrap();
    assert_eq!(first.target, BuildTarget::Stage(TaskKind::Publish));
    assert!(first.outcome.is_none(), "{:?}", first.outcome);
}

#[tokio::test]
async fn a_retryable_error_that_reaches_the_waiter_is_polled_through() {
    let (emulator, _) =
        emulator_with(vec![task("exampleorg-pho-0001-1700000000-dltar", TaskStatus::Done)]).await;
    // No retries in the client: the 503s reach the waiter itself.
    let tasks = Tasks::new(support::builder(&emulator).retry_policy(RetryPolicy::none()).build().unwrap());
    emulator.script(Matcher::list_tasks(), 4, Fault::Unavailable);
    let outcome = support::within(tasks.wait_build(&id("pho/1"), fast().until_stage(TaskKind::Dltar))).await;
    assert!(outcome.as_ref().is_ok_and(BuildOutcome::is_success), "{outcome:?}");
    assert_eq!(emulator.counters().status(503), 4);
}

#[tokio::test]
async fn an_error_that_retrying_cannot_mend_ends_the_wait_at_once() {
    let (emulator, _) =
        emulator_with(vec![task("exampleorg-pho-0001-1700000000-dltar", TaskStatus::Done)]).await;
    let wrong = support::builder(&emulator)
        .credentials(Credentials::api_key(
            rockit_emulator::demo::ORG,
            rockit_emulator::demo::USER,
            "wrong-key",
        ))
        .build()
        .unwrap();
    let options = fast().until_stage(TaskKind::Dltar).timeout(Duration::from_secs(5));
    let outcome = support::within(Tasks::new(wrong).wait_build(&id("pho/1"), options)).await;
    let err = outcome.expect_err("a wrong key is not waited out");
    assert_eq!(err.transport_error().and_then(rockit_transport::Error::status), Some(401), "{err}");
    assert!(err.is_auth() && !err.is_not_found(), "{err}");
    let missing =
        support::tasks(&emulator).get(&name("exampleorg-pho-0009-1700000000-dltar")).await.unwrap_err();
    assert!(missing.is_not_found() && !missing.is_auth(), "{missing}");
    assert!(emulator.counters().requests < 10, "{:?}", emulator.counters());
}

#[tokio::test]
async fn a_warning_on_a_build_is_reported_once_by_the_watch() {
    let (_emulator, tasks) = emulator_with(vec![
        task("exampleorg-pho-0001-1700000000-dltar", TaskStatus::Done)
            .warning(Warning::new("slow-download", "the download took 40 minutes")),
        task("exampleorg-pho-0001-1700000100-mkraw", TaskStatus::Running),
    ])
    .await;
    let mut watch = tasks
        .watch_build(&id("pho/1"), fast().until_stage(TaskKind::Mkraw).timeout(Duration::from_millis(300)));
    let mut raised = Vec::new();
    while let Some(progress) = support::within(watch.try_next()).await.unwrap() {
        raised.extend(progress.changes.into_iter().filter_map(|change| match change {
            BuildChange::WarningRaised { task } => Some(task.to_string()),
            _ => None,
        }));
    }
    assert_eq!(raised, ["exampleorg-pho-0001-1700000000-dltar"]);
}

#[tokio::test]
async fn a_server_that_ignores_the_acknowledged_filter_is_asked_for_warnings_once_per_wait() {
    // Every listing gets the same page, whatever its filters: the two marker queries overlap.
    let server = MockServer::start().await;
    let page = r#"{"status":"success","totalCount":1,"tasks":[
        {"name":"exampleorg-pho-0001-1700000000-dltar","service":"engine","status":"running"}]}"#;
    server.default_reply(Reply::json(200, page));
    let tasks = support::mock_tasks(&server);
    let options = fast().until_stage(TaskKind::Dltar).timeout(Duration::from_millis(300));
    let outcome = support::within(tasks.wait_build(&id("pho/1"), options)).await.unwrap();
    let BuildOutcome::TimedOut { build, .. } = &outcome else { panic!("{outcome:?}") };
    assert_eq!(build.unacknowledged_warnings(), None, "unknown, not \"none\"");

    let queries: Vec<String> =
        server.requests().iter().map(|request| request.raw_query.clone().unwrap_or_default()).collect();
    let builds = queries.iter().filter(|query| !query.contains("acknowledged=")).count();
    let marks = queries.len() - builds;
    assert!(builds >= 3, "the build was polled until the timeout: {queries:?}");
    assert_eq!(marks, 2, "the marker queries were asked once and not again: {queries:?}");
}
