//! The benchmarks of issue 7, one function each, on a shared [`Ctx`]: latency, listing (with peak
//! heap), decode, concurrency and the emulator's throughput against the floor; of issue 14, the
//! requests an outage costs with and without the retry budget; and of issue 21, the requests many
//! build waits make of one ROCKIT Edge at the default pacing.

use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use anyhow::{Context as _, Result, ensure};
use axum::Router;
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use futures_util::{StreamExt as _, TryStreamExt as _};
use rockit_emulator::demo;
use rockit_model::{ListTasks, TaskListResponse, TaskName, TaskSummary};
use rockit_tasks::{BuildWaitOptions, Tasks};
use rockit_transport::{Client, Credentials, RetryPolicy};
use serde::Serialize;

use crate::baseline;
use crate::harness::{alternate, fan_out, float, held_by, peak_during};
use crate::report::{Figure, Row, Verdict};
use crate::server::{FLOOR_DETAIL, FLOOR_LIST, LIST_PAGE, ServerProcess};

/// The largest page the emulator serves, as the listing benchmark's page size.
const LARGEST_PAGE: u32 = {
    assert!(rockit_emulator::MAX_LIMIT <= u32::MAX as usize);
    #[allow(clippy::cast_possible_truncation)]
    let limit = rockit_emulator::MAX_LIMIT as u32;
    limit
};

/// The app of one fifth of the generated tasks, for a listing with a smaller total.
const ONE_APP: &str = "sushi";

/// Target ratios, from the issue.
const TARGET_CLIENT: f64 = 1.05;
/// `get` latency with headroom (issue 14): the SDK's cost per call is the one most callers pay.
const TARGET_LATENCY: f64 = 1.03;
const TARGET_DECODE: f64 = 1.10;
const TARGET_BUILDS: f64 = 1.10;
/// The most heap a stream may hold at once, in decoded pages.
const TARGET_STREAM_PAGES: f64 = 2.0;
/// The most requests per call an outage may cost once the retry budget is spent.
const TARGET_OUTAGE_REQUESTS: f64 = 1.2;
/// The most requests per second 50 build waits at the default pacing may make in all, over their
/// first ten minutes: the vendor's free tier allows 33 for the whole deployment \[infra\].
const TARGET_PACING_RATE: f64 = 10.0;
/// The concurrent build waits of the pacing row, as many CI jobs of one studio.
const PACING_WAITERS: usize = 50;
/// The emulator against the floor: task details, and 100-task pages.
const TARGET_EMULATOR_DETAILS: f64 = 1.10;
const TARGET_EMULATOR_LIST: f64 = 1.25;

/// How big each workload is.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Sizes {
    /// Generated tasks in the emulator, all of which the listing streams.
    pub(crate) tasks: usize,
    /// The listing's page size.
    pub(crate) page: u32,
    /// Sequential task-detail GETs per latency run.
    pub(crate) gets: usize,
    /// Tasks in the decode benchmark's list body.
    pub(crate) decode_tasks: usize,
    /// Decodes per decode run.
    pub(crate) decode_iterations: usize,
    /// Acknowledges per concurrency run.
    pub(crate) acks: usize,
    /// Concurrent callers of the concurrency benchmark.
    pub(crate) callers: usize,
    /// Requests per emulator run.
    pub(crate) emulator_requests: usize,
    /// Concurrent connections of the emulator benchmark.
    pub(crate) connections: usize,
    /// Distinct tasks the latency and concurrency benchmarks cycle through.
    pub(crate) distinct_names: usize,
    /// Calls per caller in each wave of the outage benchmark (its callers are `callers`).
    pub(crate) outage_calls: usize,
    /// How much faster than real time the pacing benchmark runs its waiters (their intervals and
    /// its ten minutes divided by this).
    pub(crate) pacing_speedup: u32,
}

impl Sizes {
    /// The issue's sizes.
    pub(crate) fn full() -> Self {
        Self {
            tasks: 100_000,
            page: LARGEST_PAGE,
            gets: 5_000,
            decode_tasks: 10_000,
            decode_iterations: 20,
            acks: 20_000,
            callers: 64,
            emulator_requests: 20_000,
            connections: 64,
            distinct_names: 5_000,
            outage_calls: 10,
            pacing_speedup: 20,
        }
    }

    /// Tiny sizes that still exercise every code path (several pages, every benchmark).
    pub(crate) fn quick() -> Self {
        Self {
            tasks: 2_500,
            page: LARGEST_PAGE,
            gets: 200,
            decode_tasks: 1_000,
            decode_iterations: 3,
            acks: 500,
            callers: 64,
            emulator_requests: 500,
            connections: 64,
            distinct_names: 500,
            outage_calls: 2,
            pacing_speedup: 200,
        }
    }
}

/// What every benchmark shares: the servers, both clients and the names of some tasks.
pub(crate) struct Ctx {
    sizes: Sizes,
    rounds: usize,
    emulator: String,
    floor: String,
    detail_task: String,
    tasks: Tasks,
    http: reqwest::Client,
    names: Vec<String>,
    task_names: Vec<TaskName>,
}

impl Ctx {
    /// Builds both clients and reads the names of the first tasks.
    pub(crate) async fn new(server: &ServerProcess, sizes: Sizes, rounds: usize) -> Result<Self> {
        let http = baseline::client()?;
        let tasks = baseline::rockit(&server.emulator)?;
        let mut names = Vec::with_capacity(sizes.distinct_names);
        while names.len() < sizes.distinct_names.min(sizes.tasks) {
            let page = baseline::list_page(&http, &server.emulator, names.len() as u64, sizes.page).await?;
            ensure!(!page.tasks.is_empty(), "the emulator has fewer tasks than expected");
            names.extend(page.tasks.into_iter().map(|task| task.name));
        }
        names.truncate(sizes.distinct_names);
        let task_names = names.iter().map(TaskName::new).collect::<Result<_, _>>()?;
        Ok(Self {
            sizes,
            rounds,
            emulator: server.emulator.clone(),
            floor: server.floor.clone(),
            detail_task: server.detail_task.clone(),
            tasks,
            http,
            names,
            task_names,
        })
    }

    /// The page size every listing benchmark asks for.
    pub(crate) fn page(&self) -> u32 {
        self.sizes.page
    }

    fn name(&self, index: usize) -> &str {
        &self.names[index % self.names.len()]
    }

    fn task_name(&self, index: usize) -> &TaskName {
        &self.task_names[index % self.task_names.len()]
    }
}

/// How many alternating rounds each round of the short-request rows (`latency`, `emulator`) is cut
/// into. On a shared machine the speed of a core drifts by a quarter within seconds; pairs of 0.1 s
/// runs see the same machine far more often than pairs of 0.5 s runs, and the median of five times
/// as many ratios moves less.
const SLICES: usize = 5;

/// 1. Sequential task-detail GETs on one keep-alive connection: `Tasks::get` against reqwest +
///    `serde_json` into a plain struct, in short alternating rounds ([`SLICES`]).
pub(crate) async fn latency(ctx: &Ctx) -> Result<Vec<Row>> {
    let gets = ctx.sizes.gets;
    let per_round = gets.div_ceil(SLICES);
    let paired = alternate(
        ctx.rounds * SLICES,
        async || {
            for index in 0..per_round {
                black_box(ctx.tasks.get(ctx.task_name(index)).await?);
            }
            Ok(())
        },
        async || {
            for index in 0..per_round {
                black_box(baseline::get_task(&ctx.http, &ctx.emulator, ctx.name(index)).await?);
            }
            Ok(())
        },
    )
    .await?;
    let rounds = ctx.rounds * SLICES;
    let title =
        format!("latency: {gets} sequential task GETs, one connection ({rounds} rounds of {per_round})");
    Ok(vec![Row::timed(
        "latency",
        title,
        &paired,
        |total| Figure::per_op(total, per_round),
        Some(TARGET_LATENCY),
    )])
}

/// 2. Every task at the largest page size: `Tasks::stream` against a hand-written pagination loop;
///    then the peak heap of streaming and of collecting everything, on each side.
pub(crate) async fn listing(ctx: &Ctx) -> Result<Vec<Row>> {
    let total = ctx.sizes.tasks as u64;
    let page = ctx.sizes.page;
    let all = || ListTasks::new().limit(page);
    let paired = alternate(
        ctx.rounds,
        async || {
            let seen = stream_each(&ctx.tasks, all(), |task| drop(black_box(task))).await?;
            ensure!(seen == total, "the stream yielded {seen} of {total} tasks");
            Ok(())
        },
        async || {
            let seen =
                baseline::list_all(&ctx.http, &ctx.emulator, page, |task| drop(black_box(task))).await?;
            ensure!(seen == total, "the loop saw {seen} of {total} tasks");
            Ok(())
        },
    )
    .await?;
    let title = format!("listing: stream {total} tasks, {page} per page");
    let mut rows = vec![Row::timed("listing", title, &paired, Figure::millis, Some(TARGET_CLIENT))];

    // One page's worth: the heap a decoded page holds, on each side.
    let body = baseline::get_bytes(&ctx.http, &format!("{}/be/v1/tasks?limit={page}", ctx.emulator)).await?;
    let rockit_page = held_by(|| Ok(serde_json::from_slice::<TaskListResponse>(&body)?))?;
    let baseline_page = held_by(|| Ok(serde_json::from_slice::<baseline::TaskList>(&body)?))?;

    let (_, rockit_peak) = peak_during(async || stream_each(&ctx.tasks, all(), drop).await).await?;
    let (_, baseline_peak) =
        peak_during(async || baseline::list_all(&ctx.http, &ctx.emulator, page, drop).await).await?;
    let pages = float(rockit_peak) / float(rockit_page);
    rows.push(Row {
        id: "listing.peak_stream",
        title: format!(
            "listing: peak heap streaming {total} tasks (page = {} KiB decoded)",
            rockit_page / 1024
        ),
        rockit: Figure::heap(rockit_peak, rockit_page),
        baseline: Some(Figure::heap(baseline_peak, baseline_page)),
        ratio: Some(float(rockit_peak) / float(baseline_peak)),
        target: format!("≤ {TARGET_STREAM_PAGES} pages"),
        cpu_ratio: None,
        verdict: if pages <= TARGET_STREAM_PAGES { Verdict::Ok } else { Verdict::Missed },
        seconds: None,
    });

    // The same with a fifth of the tasks: the peak must not grow with the total.
    let one_app = || ListTasks::for_app(ONE_APP).limit(page);
    let (fifth, rockit_fifth_peak) =
        peak_during(async || stream_each(&ctx.tasks, one_app(), drop).await).await?;
    let fifth_pages = float(rockit_fifth_peak) / float(rockit_page);
    rows.push(Row {
        id: "listing.peak_stream_fifth",
        title: format!("listing: peak heap streaming {fifth} tasks (appName={ONE_APP})"),
        rockit: Figure::heap(rockit_fifth_peak, rockit_page),
        baseline: None,
        ratio: None,
        target: format!("≤ {TARGET_STREAM_PAGES} pages"),
        cpu_ratio: None,
        verdict: if fifth_pages <= TARGET_STREAM_PAGES { Verdict::Ok } else { Verdict::Missed },
        seconds: None,
    });

    rows.push(collect_row(ctx, rockit_page, baseline_page).await?);
    Ok(rows)
}

/// The peak heap of collecting every task, on each side (reported, not judged).
async fn collect_row(ctx: &Ctx, rockit_page: usize, baseline_page: usize) -> Result<Row> {
    let total = ctx.sizes.tasks as u64;
    let page = ctx.sizes.page;
    let all = || ListTasks::new().limit(page);
    let (collected, rockit_all) = peak_during(async || {
        let tasks: Vec<TaskSummary> = ctx.tasks.stream(all()).try_collect().await?;
        Ok(tasks)
    })
    .await?;
    ensure!(collected.len() as u64 == total, "collected {} of {total} tasks", collected.len());
    drop(collected);
    let (collected, baseline_all) = peak_during(async || {
        let mut tasks = Vec::new();
        baseline::list_all(&ctx.http, &ctx.emulator, page, |task| tasks.push(task)).await?;
        Ok(tasks)
    })
    .await?;
    drop(collected);
    Ok(Row {
        id: "listing.peak_collect",
        title: format!("listing: peak heap collecting all {total} tasks"),
        rockit: Figure::heap(rockit_all, rockit_page),
        baseline: Some(Figure::heap(baseline_all, baseline_page)),
        ratio: Some(float(rockit_all) / float(baseline_all)),
        cpu_ratio: None,
        target: "-".to_owned(),
        verdict: Verdict::Reported,
        seconds: None,
    })
}

/// 6. Every build of the listing: `Tasks::builds` against the task stream alone, and the peak heap
///    of the builds stream, which must hold one build and the stream's pages, not the listing.
pub(crate) async fn builds(ctx: &Ctx) -> Result<Vec<Row>> {
    let total = ctx.sizes.tasks as u64;
    let page = ctx.sizes.page;
    let all = || ListTasks::new().limit(page);
    let count_builds = async || {
        let mut builds = ctx.tasks.builds(all());
        let (mut count, mut tasks) = (0_u64, 0_u64);
        while let Some(build) = builds.try_next().await? {
            count += 1;
            tasks += build.tasks().count() as u64;
            black_box(build);
        }
        ensure!(tasks == total, "the builds held {tasks} of {total} tasks");
        Ok(count)
    };
    let paired = alternate(
        ctx.rounds,
        async || count_builds().await.map(drop),
        async || {
            let seen = stream_each(&ctx.tasks, all(), |task| drop(black_box(task))).await?;
            ensure!(seen == total, "the stream yielded {seen} of {total} tasks");
            Ok(())
        },
    )
    .await?;
    let title = format!("builds: every build of {total} tasks vs the task stream alone");
    let mut rows = vec![Row::timed("builds", title, &paired, Figure::millis, Some(TARGET_BUILDS))];

    let body = baseline::get_bytes(&ctx.http, &format!("{}/be/v1/tasks?limit={page}", ctx.emulator)).await?;
    let page_bytes = held_by(|| Ok(serde_json::from_slice::<TaskListResponse>(&body)?))?;
    // The largest build of the listing, held whole: a build's share of the bound.
    let mut largest = 0;
    let mut builds = ctx.tasks.builds(all());
    while let Some(build) = builds.try_next().await? {
        let tasks: Vec<TaskSummary> = build.tasks().cloned().collect();
        largest = largest
            .max(held_by(|| Ok(rockit_tasks::Build::from_tasks(build.id().clone(), None, tasks.clone())))?);
    }
    let (count, peak) = peak_during(count_builds).await?;
    let bound = 2 * page_bytes + largest;
    rows.push(Row {
        id: "builds.peak",
        title: format!(
            "builds: peak heap of {count} builds (one build ≤ {largest} B, page = {} KiB)",
            page_bytes / 1024
        ),
        rockit: Figure::heap(peak, page_bytes),
        baseline: None,
        ratio: None,
        target: "≤ 1 build + 2 pages".to_owned(),
        cpu_ratio: None,
        verdict: if peak <= bound { Verdict::Ok } else { Verdict::Missed },
        seconds: None,
    });
    Ok(rows)
}

/// Streams `request`, handing every task to `each`; returns how many there were.
async fn stream_each(tasks: &Tasks, request: ListTasks, mut each: impl FnMut(TaskSummary)) -> Result<u64> {
    let mut stream = tasks.stream(request);
    let mut seen = 0;
    while let Some(task) = stream.next().await {
        each(task?);
        seen += 1;
    }
    Ok(seen)
}

/// 3. One large list body decoded into `rockit-model`'s `TaskListResponse` and into the plain
///    struct.
pub(crate) async fn decode(ctx: &Ctx) -> Result<Vec<Row>> {
    let body = list_body(ctx, ctx.sizes.decode_tasks).await?;
    let iterations = ctx.sizes.decode_iterations;
    let paired = alternate(
        ctx.rounds,
        async || {
            for _ in 0..iterations {
                black_box(serde_json::from_slice::<TaskListResponse>(black_box(&body))?);
            }
            Ok(())
        },
        async || {
            for _ in 0..iterations {
                black_box(serde_json::from_slice::<baseline::TaskList>(black_box(&body))?);
            }
            Ok(())
        },
    )
    .await?;
    let bytes = body.len() * iterations;
    let show = |total: Duration| {
        let rate = float(bytes) / total.as_secs_f64() / 1e6;
        let each = total.as_secs_f64() * 1e3 / float(iterations);
        Figure::new(rate, "MB/s", format!("{rate:.0} MB/s ({each:.2} ms)"))
    };
    let title = format!("decode: {}-task list body ({} KiB)", ctx.sizes.decode_tasks, body.len() / 1024);
    Ok(vec![Row::timed("decode", title, &paired, show, Some(TARGET_DECODE))])
}

/// A list body of the first `count` tasks, in the emulator's encoding, built from its pages.
async fn list_body(ctx: &Ctx, count: usize) -> Result<Vec<u8>> {
    let mut tasks = Vec::with_capacity(count);
    while tasks.len() < count {
        let url = format!("{}/be/v1/tasks?offset={}&limit={}", ctx.emulator, tasks.len(), ctx.sizes.page);
        let page: TaskListResponse = serde_json::from_slice(&baseline::get_bytes(&ctx.http, &url).await?)?;
        ensure!(!page.tasks.is_empty(), "the emulator has fewer than {count} tasks");
        tasks.extend(page.tasks);
    }
    tasks.truncate(count);
    Ok(serde_json::to_vec(&TaskListResponse::success(tasks.len() as u64, tasks))?)
}

/// 4. Acknowledges from concurrent callers sharing one client.
pub(crate) async fn concurrency(ctx: &Ctx) -> Result<Vec<Row>> {
    let (acks, callers) = (ctx.sizes.acks, ctx.sizes.callers);
    let paired = alternate(
        ctx.rounds,
        async || {
            fan_out(callers, acks, async |index| Ok(ctx.tasks.acknowledge(ctx.task_name(index)).await?)).await
        },
        async || {
            fan_out(callers, acks, async |index| {
                baseline::acknowledge(&ctx.http, &ctx.emulator, ctx.name(index)).await
            })
            .await
        },
    )
    .await?;
    let title = format!("concurrency: {acks} acknowledges, {callers} callers, one client");
    Ok(vec![Row::timed(
        "concurrency",
        title,
        &paired,
        |total| Figure::rate(total, acks),
        Some(TARGET_CLIENT),
    )])
}

/// 5. The emulator's throughput for task details and 100-task pages against the floor, a minimal
///    axum handler answering the same bytes, with the same load generator.
pub(crate) async fn emulator(ctx: &Ctx) -> Result<Vec<Row>> {
    let load = baseline::client()?;
    let (requests, connections) = (ctx.sizes.emulator_requests, ctx.sizes.connections);
    let routes = [
        (
            "emulator.details",
            "task details",
            format!("/be/v1/tasks/{}", ctx.detail_task),
            FLOOR_DETAIL,
            TARGET_EMULATOR_DETAILS,
        ),
        (
            "emulator.list",
            "100-task pages",
            format!("/be/v1/tasks?limit={LIST_PAGE}"),
            FLOOR_LIST,
            TARGET_EMULATOR_LIST,
        ),
    ];
    let mut rows = Vec::new();
    for (id, what, path, floor_path, target) in routes {
        let emulator_url = format!("{}{path}", ctx.emulator);
        let floor_url = format!("{}{floor_path}", ctx.floor);
        let emulator_body = baseline::get_bytes(&load, &emulator_url).await?;
        let floor_body = baseline::get_bytes(&load, &floor_url).await?;
        if emulator_body != floor_body {
            eprintln!(
                "bench: warning: the floor's {what} body ({} bytes) differs from the emulator's ({} bytes)",
                floor_body.len(),
                emulator_body.len()
            );
        }
        let per_round = requests.div_ceil(SLICES);
        let hammer = async |url: &str| {
            fan_out(connections, per_round, async |_| {
                black_box(baseline::get_bytes(&load, url).await?);
                Ok(())
            })
            .await
        };
        let rounds = ctx.rounds * SLICES;
        let paired =
            alternate(rounds, async || hammer(&emulator_url).await, async || hammer(&floor_url).await)
                .await
                .with_context(|| format!("emulator {what}"))?;
        let title = format!(
            "emulator: {what} ({} B), {connections} connections, {rounds} rounds of {per_round} requests",
            emulator_body.len()
        );
        let mut row = Row::timed(id, title, &paired, |total| Figure::rate(total, per_round), Some(target));
        // The load generator's CPU is the same code on both sides: not a figure of the servers.
        row.cpu_ratio = None;
        rows.push(row);
    }
    Ok(rows)
}

/// 7. An outage: `callers` concurrent callers sharing one client make `outage_calls` calls each,
///    twice over, against a server that answers every request `503`: the default client (whose
///    retry budget the first wave spends) against the same client with the budget disabled. The
///    figures are requests per call in the second wave, once the budget is spent.
pub(crate) async fn outage(ctx: &Ctx) -> Result<Vec<Row>> {
    let (callers, calls) = (ctx.sizes.callers, ctx.sizes.outage_calls);
    let server = UnavailableServer::start().await?;
    let wave = async |client: &Client| {
        let before = server.requests();
        fan_out(callers, callers * calls, async |_| {
            let result = client.execute(&ListTasks::new()).await;
            ensure!(
                result.as_ref().is_err_and(|err| err.status() == Some(503)),
                "a call to the always-503 server ended otherwise: {result:?}"
            );
            Ok(())
        })
        .await?;
        Ok::<_, anyhow::Error>(float(server.requests() - before) / float(callers * calls))
    };
    let client = |policy: RetryPolicy| {
        Client::builder()
            .base_url(&server.url)
            .credentials(Credentials::api_key(demo::ORG, demo::USER, demo::API_KEY))
            .retry_policy(policy)
            .build()
    };
    let budgeted = client(RetryPolicy::default())?;
    let spending = wave(&budgeted).await?;
    let spent = wave(&budgeted).await?;
    let unbudgeted = client(RetryPolicy::default().no_budget())?;
    let without_first = wave(&unbudgeted).await?;
    let without = wave(&unbudgeted).await?;
    server.stop();
    let show = |per_call: f64, first: f64| {
        Figure::new(per_call, "req/call", format!("{per_call:.2} req/call (first wave {first:.2})"))
    };
    Ok(vec![Row {
        id: "outage",
        title: format!(
            "outage: always-503 server, {callers} callers × {calls} calls, requests per call once the \
             budget is spent (baseline: no budget)"
        ),
        rockit: show(spent, spending),
        baseline: Some(show(without, without_first)),
        ratio: Some(spent / without),
        target: format!("≤ {TARGET_OUTAGE_REQUESTS} once spent"),
        cpu_ratio: None,
        verdict: if spent <= TARGET_OUTAGE_REQUESTS { Verdict::Ok } else { Verdict::Missed },
        seconds: None,
    }])
}

/// 8. Many CI jobs waiting for builds of one ROCKIT Edge: [`PACING_WAITERS`] concurrent
///    `wait_build`s at the default [`BuildWaitOptions`] for a build that keeps running, against one
///    emulator, for ten minutes; the figure is the requests per second they make in all. Time runs
///    `pacing_speedup` times faster (intervals, jitter and the ten minutes divided alike; a request
///    takes well under a millisecond here), so the row takes 30 s, and the rate is scaled back.
pub(crate) async fn pacing(ctx: &Ctx) -> Result<Vec<Row>> {
    const WINDOW: Duration = Duration::from_secs(600);
    let speedup = ctx.sizes.pacing_speedup;
    let emulator = rockit_emulator::Emulator::builder()
        .fixture(rockit_emulator::Fixture::demo())
        .speed(0.0)
        .start()
        .await
        .context("cannot start the pacing benchmark's emulator")?;
    let tasks = baseline::rockit(&emulator.base_url())?;
    // The demo's sushi 0003 is running, and its frozen clock keeps it so.
    let build: rockit_tasks::BuildId = "sushi/3".parse()?;
    let defaults = *BuildWaitOptions::default().pacing();
    let (min, max) = (defaults.min_interval, defaults.max_interval);
    let options = BuildWaitOptions::default()
        .min_interval(min / speedup)
        .max_interval(max / speedup)
        .timeout(WINDOW / speedup);
    let started = tokio::time::Instant::now();
    let first_minute = async {
        tokio::time::sleep(WINDOW / 10 / speedup).await;
        emulator.request_count()
    };
    let waits = futures_util::future::join_all(
        (0..PACING_WAITERS).map(|_| tasks.wait_build(&build, options.clone())),
    );
    let (outcomes, first) = futures_util::future::join(waits, first_minute).await;
    let elapsed = started.elapsed();
    for outcome in outcomes {
        ensure!(matches!(outcome?, rockit_tasks::BuildOutcome::TimedOut { .. }), "a wait ended early");
    }
    let total = emulator.request_count();
    // Rates at the default pacing: the requests over the unscaled time.
    #[allow(clippy::cast_precision_loss)] // request counts are far below 2^52
    let scaled = |requests: u64, over: Duration| requests as f64 / (over * speedup).as_secs_f64();
    let rate = scaled(total, elapsed);
    let first_rate = scaled(first, WINDOW / 10 / speedup);
    Ok(vec![Row {
        id: "pacing",
        title: format!(
            "pacing: {PACING_WAITERS} concurrent build waits at the default pacing for 10 minutes, requests per second in all (time {speedup}× faster)"
        ),
        rockit: Figure::new(rate, "req/s", format!("{rate:.1} req/s (first minute {first_rate:.1})")),
        baseline: None,
        ratio: None,
        target: format!("≤ {TARGET_PACING_RATE} req/s"),
        cpu_ratio: None,
        verdict: if rate <= TARGET_PACING_RATE { Verdict::Ok } else { Verdict::Missed },
        seconds: None,
    }])
}

/// An in-process axum server on `127.0.0.1:0` that answers every request `503
/// {"status":"unavailable"}` and counts them.
struct UnavailableServer {
    url: String,
    requests: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl UnavailableServer {
    async fn start() -> Result<Self> {
        let requests = Arc::new(AtomicUsize::new(0));
        let counter = requests.clone();
        let app = Router::new().fallback(move || {
            counter.fetch_add(1, Ordering::Relaxed);
            std::future::ready((
                StatusCode::SERVICE_UNAVAILABLE,
                [(CONTENT_TYPE, "application/json")],
                r#"{"status":"unavailable"}"#,
            ))
        });
        let listener =
            tokio::net::TcpListener::bind("127.0.0.1:0").await.context("cannot bind the outage server")?;
        let url = format!("http://{}", listener.local_addr()?);
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Self { url, requests, task })
    }

    /// Requests received so far.
    fn requests(&self) -> usize {
        self.requests.load(Ordering::Relaxed)
    }

    fn stop(self) {
        self.task.abort();
    }
}
