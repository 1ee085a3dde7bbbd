//! 10. Scale: the task stream and the builds over ten times the main listing (1,000,000 tasks in
//!     a full run) against the same over the main listing, in the same run. The client's CPU time
//!     per task and its peak heap must not grow with the listing: memory is bounded by pages, work
//!     is linear. Wall time is reported beside: it also holds the server's work (the emulator's
//!     paging used to walk to each page's offset, which made it grow with the listing).

use std::hint::black_box;
use std::time::{Duration, Instant};

use anyhow::{Result, ensure};
use rockit_model::ListTasks;
use rockit_tasks::Tasks;

use crate::baseline;
use crate::harness::{float, median, peak_during, thread_cpu};
use crate::report::{Figure, Row, Verdict};
use crate::server::ServerProcess;

/// How much more time per task, or heap, the larger listing may take.
const TARGET_SCALE: f64 = 1.25;

/// One listing to measure: its client and size.
struct Listing {
    tasks: Tasks,
    total: usize,
}

/// Streams every task, or every build, of `listing`; how many tasks it saw.
async fn walk(listing: &Listing, page: u32, builds: bool) -> Result<usize> {
    let request = ListTasks::new().limit(page);
    let mut seen = 0;
    if builds {
        let mut stream = listing.tasks.builds(request);
        while let Some(build) = stream.try_next().await? {
            seen += build.tasks().count();
            black_box(build);
        }
    } else {
        let mut stream = listing.tasks.stream(request);
        while let Some(task) = stream.try_next().await? {
            seen += 1;
            black_box(task);
        }
    }
    ensure!(seen == listing.total, "saw {seen} of {} tasks", listing.total);
    Ok(seen)
}

/// Per task, the median wall time and client-thread CPU time of `rounds` walks; and the peak heap
/// of one more.
async fn measure(
    listing: &Listing,
    page: u32,
    builds: bool,
    rounds: usize,
) -> Result<(Duration, Duration, usize)> {
    let per_task = |time: Duration| time / u32::try_from(listing.total).unwrap_or(u32::MAX);
    let (mut walls, mut cpus) = (Vec::with_capacity(rounds), Vec::with_capacity(rounds));
    for _ in 0..rounds {
        let (started, cpu_before) = (Instant::now(), thread_cpu());
        walk(listing, page, builds).await?;
        walls.push(per_task(started.elapsed()));
        let cpu = thread_cpu().zip(cpu_before).map(|(after, before)| after.saturating_sub(before));
        cpus.push(per_task(cpu.unwrap_or_default()));
    }
    let (_, peak) = peak_during(async || walk(listing, page, builds).await).await?;
    Ok((median(&walls), median(&cpus), peak))
}

/// The rows: for the stream and for the builds, time per task and peak heap of the large listing
/// against the main one.
pub(crate) async fn scale(
    main: &ServerProcess,
    main_tasks: usize,
    page: u32,
    rounds: usize,
) -> Result<Vec<Row>> {
    let large_tasks = main_tasks * 10;
    eprintln!("bench: starting an emulator with {large_tasks} generated tasks for the scale rows");
    let large_server = ServerProcess::spawn(large_tasks)?;
    let small = Listing { tasks: baseline::rockit(&main.emulator)?, total: main_tasks };
    let large = Listing { tasks: baseline::rockit(&large_server.emulator)?, total: large_tasks };
    let rounds = rounds.clamp(1, 3);
    let mut rows = Vec::new();
    for (builds, what) in [(false, "stream"), (true, "builds")] {
        let (small_wall, small_cpu, small_peak) = measure(&small, page, builds, rounds).await?;
        let (large_wall, large_cpu, large_peak) = measure(&large, page, builds, rounds).await?;
        let per_task = |time: Duration| {
            let nanos = time.as_secs_f64() * 1e9;
            Figure::new(nanos, "ns", format!("{nanos:.0} ns/task"))
        };
        let ratio = |large: Duration, small: Duration| {
            large.as_secs_f64() / small.as_secs_f64().max(f64::MIN_POSITIVE)
        };
        let time_ratio = ratio(large_cpu, small_cpu);
        let wall_ratio = ratio(large_wall, small_wall);
        let heap = |peak: usize| Figure::new(float(peak), "bytes", format!("{} KiB", peak / 1024));
        let heap_ratio = float(large_peak) / float(small_peak.max(1));
        let verdict = |ratio: f64| if ratio <= TARGET_SCALE { Verdict::Ok } else { Verdict::Missed };
        rows.push(Row {
            id: if builds { "scale.builds_time" } else { "scale.stream_time" },
            title: format!(
                "scale: {what} of {large_tasks} tasks vs {main_tasks}, client CPU per task (wall {wall_ratio:.2}×)"
            ),
            rockit: per_task(large_cpu),
            baseline: Some(per_task(small_cpu)),
            ratio: Some(time_ratio),
            cpu_ratio: None,
            target: format!("≤ {TARGET_SCALE:.2}"),
            verdict: verdict(time_ratio),
            seconds: None,
        });
        rows.push(Row {
            id: if builds { "scale.builds_peak" } else { "scale.stream_peak" },
            title: format!("scale: {what} of {large_tasks} tasks vs {main_tasks}, peak heap"),
            rockit: heap(large_peak),
            baseline: Some(heap(small_peak)),
            ratio: Some(heap_ratio),
            cpu_ratio: None,
            target: format!("≤ {TARGET_SCALE:.2}"),
            verdict: verdict(heap_ratio),
            seconds: None,
        });
    }
    large_server.stop();
    Ok(rows)
}
