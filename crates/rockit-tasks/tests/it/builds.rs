//! Builds against the emulator: stages and attempts from the seed's names, exactly a build's own
//! tasks, builds streamed over a large listing, and waits that follow a pipeline as it plays out on
//! the emulator's clock (frozen, and advanced by the tests).

use std::collections::HashSet;
use std::time::Duration;

use futures_util::{StreamExt as _, TryStreamExt as _};
use rockit_emulator::{BuildPlan, Emulator, Faults, Fixture, Task, demo};
use rockit_model::{BuildId, Exception, ListTasks, Service, TaskKind, TaskStatus};
use rockit_tasks::{BuildChange, BuildOutcome, BuildState, BuildTarget, BuildWaitOptions, Tasks};

use crate::support::{self, name};

fn id(raw: &str) -> BuildId {
    raw.parse().unwrap()
}

fn fast() -> BuildWaitOptions {
    BuildWaitOptions::new().interval(Duration::from_millis(10)).timeout(Duration::from_secs(60))
}

/// Runs `wait` while moving the emulator's clock half a second after each request the waiter
/// makes, so the pipeline plays out as fast as the waiter polls; returns the wait's result. A wait
/// that does not end within [`support::within`]'s 20 s fails the test.
async fn drive<T: Send + 'static>(emulator: &Emulator, wait: tokio::task::JoinHandle<T>) -> T {
    support::within(async {
        while !wait.is_finished() {
            let seen = emulator.request_count();
            tokio::select! {
                () = emulator.wait_for_requests(seen + 1) => emulator.advance(Duration::from_millis(500)),
                () = tokio::time::sleep(Duration::from_millis(200)) => {}
            }
        }
    })
    .await;
    wait.await.unwrap()
}

#[tokio::test]
async fn the_seed_builds_group_into_stages_with_attempts() {
    let (_emulator, tasks) = support::demo().await;
    let first = support::within(tasks.build(&id("sushi/1"))).await.unwrap();
    let kinds: Vec<&str> = first.stages().iter().map(|stage| stage.kind().as_str()).collect();
    assert_eq!(kinds, ["dltar", "mkraw", "mkdxf", "publish", "deploy"], "no mkpat in a first build");
    assert_eq!(first.state(), BuildState::Succeeded);
    assert_eq!((first.first_created(), first.last_created()), (Some(1_732_886_919), Some(1_732_887_364)));
    assert_eq!(first.unacknowledged_warnings(), Some(&[][..]));

    let second = tasks.build(&id("sushi 0002")).await.unwrap();
    let dltar = second.stage(&TaskKind::Dltar).unwrap();
    assert_eq!(dltar.current().name, "exampleorg-sushi-0002-1733154780-dltar");
    assert_eq!(dltar.current().status, TaskStatus::Done);
    let superseded: Vec<&str> = dltar.superseded().iter().map(|task| task.name.as_str()).collect();
    assert_eq!(superseded, [demo::STUCK_UPLOAD]);
    // The stuck upload is superseded, so nothing failed; but 0001 deployed and 0002, done through
    // publish long ago, never did: it stopped short, it did not succeed.
    let stopped = BuildState::Stopped { after: TaskKind::Publish, expected: TaskKind::Deploy };
    assert_eq!(second.state(), stopped);
    assert_eq!(second.expected_last_stage(), Some(&TaskKind::Deploy));
    assert_eq!(second.stages().len(), 5);
    assert_eq!(
        second.unacknowledged_warnings().unwrap(),
        [name(demo::STUCK_UPLOAD), name(demo::WARNED_PUBLISH)]
    );

    let third = tasks.build(&id("sushi/3")).await.unwrap();
    assert_eq!(third.state(), BuildState::Running, "the retried download is still running");
    assert_eq!(third.stage(&TaskKind::Dltar).unwrap().attempts().len(), 2);
    assert!(tasks.build(&id("sushi/9")).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_build_keeps_exactly_its_own_tasks_whatever_the_filters_match() {
    let (emulator, tasks) = support::demo().await;
    // `appName=sushi` also matches `sushi2`, and a server may ignore the guessed `build` filter.
    for other in ["exampleorg-sushi2-0002-1733150000-dltar", "exampleorg-sushi-0020-1733150000-dltar"] {
        emulator.insert(Task::new(name(other), Service::Engine, TaskStatus::Failed));
    }
    let build = support::within(tasks.build(&id("sushi/2"))).await.unwrap();
    assert!(build.tasks().all(|task| task.name.as_str().starts_with("exampleorg-sushi-0002-")));
    assert_eq!(build.tasks().count(), 6);
    let stopped = BuildState::Stopped { after: TaskKind::Publish, expected: TaskKind::Deploy };
    assert_eq!(build.state(), stopped, "another app's failure is noise, not a failure");
}

#[tokio::test]
async fn builds_stream_one_build_at_a_time_over_a_hundred_thousand_tasks() {
    const TASKS: usize = 100_000;
    let emulator = Emulator::builder()
        .fixture(Fixture::generated(TASKS))
        .speed(0.0)
        .log_capacity(16)
        .start()
        .await
        .unwrap();
    let tasks = support::tasks(&emulator);
    let mut builds = tasks.builds(ListTasks::new().limit(1_000));
    let first = support::within(builds.try_next()).await.unwrap().unwrap();
    assert_eq!(
        emulator.request_count(),
        1,
        "the first build comes with the first page, not after the listing"
    );
    assert_eq!(first.id().to_string(), "gyoza/1");

    let mut seen = HashSet::from([first.id().clone()]);
    let mut count = first.tasks().count();
    support::within(async {
        while let Some(build) = builds.try_next().await.unwrap() {
            assert!(!build.is_empty());
            assert!(seen.insert(build.id().clone()), "{} came twice", build.id());
            count += build.tasks().count();
        }
    })
    .await;
    assert_eq!(count, TASKS, "every task in exactly one build");
    assert!(seen.len() > TASKS / 7, "{} builds", seen.len());
    assert!(builds.report().pages <= (TASKS / 999 + 2) as u64, "{:?}", builds.report());
}

#[tokio::test]
async fn a_wait_follows_a_build_that_appears_later_to_the_stage_the_last_good_build_reached() {
    let (emulator, tasks) = support::demo().await;
    let four = id("sushi/4");
    let mut watch = tasks.watch_build(&four, fast());
    let first = support::within(watch.next()).await.unwrap().unwrap();
    // Build 3 is still running, so build 2 (which ended at publish) says where a pipeline ends.
    assert_eq!(first.target, BuildTarget::Stage(TaskKind::Publish));
    assert!(first.build.is_empty() && first.outcome.is_none());

    let started = emulator.start_build("sushi", &BuildPlan::new()).unwrap();
    assert_eq!(started, four);
    let rest = tokio::spawn(async move {
        let mut changes = Vec::new();
        while let Some(progress) = watch.next().await {
            let progress = progress.unwrap();
            changes.extend(progress.changes);
            if let Some(outcome) = progress.outcome {
                return (outcome, changes);
            }
        }
        unreachable!("a watch ends with an outcome")
    });
    let (outcome, changes) = drive(&emulator, rest).await;
    let BuildOutcome::Succeeded(build) = &outcome else { panic!("{outcome:?}") };
    assert_eq!(build.stage(&TaskKind::Publish).unwrap().status(), &TaskStatus::Done);
    let appeared: Vec<String> = changes
        .iter()
        .filter_map(|change| match change {
            BuildChange::StageAppeared { task } => Some(task.name.parts().unwrap().kind_str().to_owned()),
            _ => None,
        })
        .collect();
    assert_eq!(appeared[..5], ["dltar", "mkraw", "mkpat", "mkdxf", "publish"]);
    assert!(
        changes.iter().any(|change| matches!(change, BuildChange::StatusChanged { from: TaskStatus::Running, task } if task.status == TaskStatus::Done)),
        "{changes:?}"
    );
}

#[tokio::test]
async fn a_failed_stage_ends_the_wait_unless_it_keeps_going_for_a_retry() {
    let (emulator, tasks) = support::demo().await;
    let plan = BuildPlan::new().fail_at(TaskKind::Mkdxf, Exception::error("mkdxf exited with code 1"));
    let build = emulator.start_build("ramen", &plan).unwrap();
    assert_eq!(build, id("ramen/1"));
    let wait = tokio::spawn({
        let tasks = tasks.clone();
        let build = build.clone();
        async move { tasks.wait_build(&build, fast().until_stage(TaskKind::Deploy)).await }
    });
    let outcome = drive(&emulator, wait).await.unwrap();
    let BuildOutcome::Failed(failed) = &outcome else { panic!("{outcome:?}") };
    assert_eq!(failed.state(), BuildState::Failed { stage: TaskKind::Mkdxf });
    assert!(failed.stage(&TaskKind::Publish).is_none(), "nothing runs after a failure");

    // Keeping going, the wait sees the failure and goes on until a retry of the stage is done.
    let keep_going = tokio::spawn({
        let tasks = tasks.clone();
        let build = build.clone();
        async move { tasks.wait_build(&build, fast().until_stage(TaskKind::Mkdxf).keep_going(true)).await }
    });
    support::within(emulator.wait_for_requests(emulator.request_count() + 6)).await;
    assert!(!keep_going.is_finished(), "a failure does not end a wait that keeps going");
    let failed_at = failed.stage(&TaskKind::Mkdxf).unwrap().current().name.parts().unwrap().created_unix();
    let retry = format!("exampleorg-ramen-0001-{}-mkdxf", failed_at + 60);
    emulator.insert(Task::new(name(&retry), Service::Engine, TaskStatus::Done));
    let outcome = drive(&emulator, keep_going).await.unwrap();
    let BuildOutcome::Succeeded(retried) = &outcome else { panic!("{outcome:?}") };
    let stage = retried.stage(&TaskKind::Mkdxf).unwrap();
    assert_eq!((stage.current().name.as_str(), stage.superseded().len()), (retry.as_str(), 1));
}

#[tokio::test]
async fn without_an_earlier_build_the_wait_ends_after_a_quiet_period() {
    let (emulator, tasks) = support::demo().await;
    let plan = BuildPlan::empty()
        .stage(TaskKind::Dltar, Duration::from_secs(1))
        .stage(TaskKind::Mkraw, Duration::from_secs(1));
    let build = emulator.start_build("udon", &plan).unwrap();
    let quiet = Duration::from_millis(300);
    let wait = tokio::spawn({
        let tasks = tasks.clone();
        async move { tasks.watch_build(&build, fast().quiet_period(quiet)).collect::<Vec<_>>().await }
    });
    let steps = drive(&emulator, wait).await;
    let steps: Vec<_> = steps.into_iter().map(Result::unwrap).collect();
    assert_eq!(steps[0].target, BuildTarget::Quiet(quiet));
    let last = steps.last().unwrap();
    let Some(BuildOutcome::Succeeded(done)) = &last.outcome else { panic!("{:?}", last.outcome) };
    assert_eq!(done.stages().len(), 2);
    assert!(done.stages().iter().all(|stage| stage.status() == &TaskStatus::Done));
    // The build was all done at some step before the last: the wait held on for the quiet period.
    let all_done_at = steps.iter().position(|step| step.build.state() == BuildState::Succeeded).unwrap();
    assert!(all_done_at < steps.len() - 1 || last.elapsed >= quiet, "{steps:#?}");
    assert!(last.elapsed >= quiet);
}

#[tokio::test]
async fn faults_during_a_wait_are_retried_and_the_wait_still_ends_right() {
    let emulator = Emulator::builder()
        .fixture(Fixture::demo())
        .speed(0.0)
        .faults(Faults::new(0.3).seed(11))
        .start()
        .await
        .unwrap();
    let tasks: Tasks = support::tasks(&emulator);
    let wait = tokio::spawn({
        let tasks = tasks.clone();
        async move { tasks.wait_build(&id("sushi/3"), fast()).await }
    });
    let outcome = drive(&emulator, wait).await.unwrap();
    let BuildOutcome::Succeeded(build) = &outcome else { panic!("{outcome:?}") };
    let kinds: Vec<&str> = build.stages().iter().map(|stage| stage.kind().as_str()).collect();
    assert_eq!(kinds, ["dltar", "mkraw", "mkpat", "mkdxf", "publish"]);
    assert!(emulator.counters().faults > 0, "faults struck: {:?}", emulator.counters());
}

#[tokio::test]
async fn a_wait_times_out_with_the_build_as_last_seen() {
    let (_emulator, tasks) = support::demo().await;
    let outcome = tasks.wait_build(&id("sushi/3"), fast().timeout(Duration::from_millis(200))).await.unwrap();
    let BuildOutcome::TimedOut { build, waited } = &outcome else { panic!("{outcome:?}") };
    assert_eq!(build.state(), BuildState::Running);
    assert!(*waited >= Duration::from_millis(200));
    assert!(!outcome.is_success());
}

/// Waits two seconds for `sushi/9`, which never appears, polling 100 ms apart at first and backing
/// off to 10 s while nothing changes; the outcome and how many looks the wait took (one listing of
/// the build per look; the others ask for its warnings).
async fn looks_for_a_missing_build(emulator: &Emulator, tasks: &Tasks) -> (BuildOutcome, usize) {
    let options = BuildWaitOptions::new()
        .min_interval(Duration::from_millis(100))
        .max_interval(Duration::from_secs(10))
        .until_stage(TaskKind::Deploy)
        .timeout(Duration::from_secs(2));
    let outcome = support::within(tasks.wait_build(&id("sushi/9"), options)).await.unwrap();
    let looks = emulator
        .requests()
        .iter()
        .filter(|request| request.query_values("acknowledged").next().is_none())
        .count();
    (outcome, looks)
}

#[tokio::test]
async fn a_build_not_there_yet_is_looked_for_at_the_shortest_interval() {
    // Backing off, two seconds hold five looks (0.1 + 0.2 + 0.4 + 0.8 s of pauses); at the
    // shortest interval, about twenty.
    let emulator = Emulator::builder().start().await.unwrap();
    let (outcome, looks) = looks_for_a_missing_build(&emulator, &support::tasks(&emulator)).await;
    assert!(matches!(&outcome, BuildOutcome::TimedOut { build, .. } if build.is_empty()), "{outcome:?}");
    assert!(looks >= 10, "{looks} looks in 2 s");
}

#[tokio::test]
async fn a_build_not_there_yet_behind_a_failing_server_is_looked_for_with_back_off() {
    // Every request answers 503: the looks fail, and the pace backs off although the build has not
    // appeared, instead of repeating every 100 ms.
    let emulator = Emulator::builder()
        .faults(Faults::new(1.0).mix([(rockit_emulator::Fault::Unavailable, 1)]))
        .start()
        .await
        .unwrap();
    let client = support::builder(&emulator).retry_policy(rockit_transport::RetryPolicy::none()).build();
    let (outcome, looks) = looks_for_a_missing_build(&emulator, &Tasks::new(client.unwrap())).await;
    assert!(matches!(&outcome, BuildOutcome::TimedOut { .. }), "{outcome:?}");
    assert!((2..=7).contains(&looks), "{looks} looks in 2 s");
}

#[tokio::test]
async fn a_listing_judges_each_build_against_the_apps_previous_complete_one() {
    let emulator = Emulator::builder().start().await.unwrap();
    let tasks = support::tasks(&emulator);
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let old = now - 3 * 24 * 3600;
    let stages = |app: &str, build: u32, at: u64, kinds: &[&str]| {
        for (step, kind) in kinds.iter().enumerate() {
            let name = format!("exampleorg-{app}-{build:04}-{}-{kind}", at + step as u64);
            emulator.insert(Task::new(name.parse().unwrap(), Service::Engine, TaskStatus::Done));
        }
    };
    let full = ["dltar", "mkraw", "mkdxf", "publish", "deploy"];
    let short = ["dltar", "mkraw", "mkdxf", "publish"];
    stages("ramen", 1, old, &full);
    stages("ramen", 2, old + 600, &short); // long done, never deployed
    stages("udon", 1, old, &full);
    stages("udon", 2, now - 60, &short); // deploy may still come
    stages("soba", 1, old, &short); // nothing says what soba ends with
    let builds: Vec<_> =
        support::within(tasks.builds(ListTasks::new()).try_collect::<Vec<_>>()).await.unwrap();
    let judged: Vec<(String, BuildState)> =
        builds.iter().map(|build| (build.id().to_string(), build.state())).collect();
    assert_eq!(
        judged,
        [
            ("ramen/1".to_owned(), BuildState::Succeeded),
            (
                "ramen/2".to_owned(),
                BuildState::Stopped { after: TaskKind::Publish, expected: TaskKind::Deploy }
            ),
            ("soba/1".to_owned(), BuildState::Succeeded),
            ("udon/1".to_owned(), BuildState::Succeeded),
            ("udon/2".to_owned(), BuildState::Waiting { stage: TaskKind::Deploy }),
        ]
    );
    assert_eq!(builds[4].state().as_str(), "running");
    assert_eq!(builds[4].state().describe(), "running, waiting for deploy");
    // `build` and the listing agree.
    let shown = support::within(tasks.build(&id("ramen/2"))).await.unwrap();
    assert_eq!(shown.state(), judged[1].1);
}
