//! The `bench` binary behind `cargo xtask bench`: the SDK's conveniences against hand-written
//! reqwest + `serde_json`, side by side in one run, against one loopback emulator.
//!
//! Every benchmark runs a rockit workload and its baseline in alternating order for several rounds;
//! the ratio is the median over the rounds of each round's rockit/baseline, so that drift on a
//! noisy shared machine hits both sides alike. Ratios are
//! always *rockit cost / baseline cost* (cost = time, or heap bytes for the memory rows): at or
//! below the target passes. A missed target is reported, never an error: the binary exits non-zero
//! only when something fails to run.
//!
//! The emulator (and the "floor", a minimal axum server answering fixed bodies) runs in a child
//! process, this same binary started with `--serve`, so that the counting global allocator of the
//! measuring process sees the client's allocations only, and client and server do not share a
//! runtime.

mod baseline;
mod cases;
mod harness;
mod process;
mod report;
mod scale;
mod server;

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context as _, Result};
use clap::{Parser, ValueEnum};
use peak_alloc::PeakAlloc;

use crate::cases::Ctx;
use crate::report::{Footprint, Report};

/// Counts every allocation of the process, exactly: current and peak heap bytes.
#[global_allocator]
pub(crate) static HEAP: PeakAlloc = PeakAlloc;

/// Benchmarks the rockit SDK against hand-written reqwest + `serde_json`.
#[derive(Debug, Parser)]
#[command(name = "bench")]
struct Args {
    /// Tiny sizes and two rounds: a smoke test that the benchmarks still run, not a measurement.
    #[arg(long)]
    quick: bool,
    /// Runs only these benchmarks (repeatable); all of them by default.
    #[arg(long, value_enum)]
    only: Vec<Bench>,
    /// Rounds of alternating runs per benchmark [default: 7, or 2 with --quick].
    #[arg(long)]
    rounds: Option<usize>,
    /// Where to write the results as JSON.
    #[arg(long, value_name = "PATH")]
    out: Option<PathBuf>,
    /// Crates in rockit-tasks' normal dependency tree, as measured by `cargo xtask bench`.
    #[arg(long, value_name = "N", requires = "footprint_build_secs")]
    footprint_crates: Option<usize>,
    /// Seconds of rockit-tasks' clean release build, as measured by `cargo xtask bench`.
    #[arg(long, value_name = "SECS", requires = "footprint_crates")]
    footprint_build_secs: Option<f64>,
    /// The `rockit` binary of the whole-process benchmarks [default: `rockit` beside this binary,
    /// where `cargo xtask bench` builds it]
    #[arg(long, value_name = "PATH")]
    rockit: Option<PathBuf>,
    /// Internal: serve an emulator with this many generated tasks (and the floor server) until
    /// standard input closes.
    #[arg(long, value_name = "TASKS", hide = true)]
    serve: Option<usize>,
}

/// The benchmarks, by the name `--only` takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Bench {
    /// 1. Sequential task-detail GETs on one keep-alive connection.
    Latency,
    /// 2. Streaming every task at the largest page size, with peak heap.
    Listing,
    /// 3. Decoding one large list body.
    Decode,
    /// 4. Acknowledges from concurrent callers sharing one client.
    Concurrency,
    /// 5. The emulator's throughput against a minimal axum handler.
    Emulator,
    /// 6. Every build of the listing against the task stream alone, with peak heap.
    Builds,
    /// 7. Requests per call from concurrent callers during an outage, with and without the retry
    ///    budget.
    Outage,
    /// 8. Whole `rockit` processes against `curl`: one page, and every page.
    Process,
    /// 9. Requests per second of many concurrent build waits at the default pacing.
    Pacing,
    /// 10. The stream and the builds over ten times the tasks: time per task and peak heap.
    Scale,
}

fn main() -> std::process::ExitCode {
    let args = Args::parse();
    let result = match args.serve {
        Some(tasks) => server::serve(tasks),
        None => run(&args),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("bench: error: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> Result<()> {
    let started = Instant::now();
    let sizes = if args.quick { cases::Sizes::quick() } else { cases::Sizes::full() };
    let rounds = args.rounds.unwrap_or(if args.quick { 2 } else { 7 }).max(1);
    let wanted = |bench: Bench| args.only.is_empty() || args.only.contains(&bench);
    let profile = if cfg!(debug_assertions) { "dev" } else { "release" };
    if args.quick || profile == "dev" {
        println!(
            "bench: {} mode, {profile} build: the figures below are smoke-test figures, not measurements",
            if args.quick { "quick" } else { "full" }
        );
    }
    eprintln!("bench: starting an emulator with {} generated tasks", sizes.tasks);
    let server = server::ServerProcess::spawn(sizes.tasks)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the client's runtime")?;
    let sizes_tasks = sizes.tasks;
    let mut report = Report::new(args.quick, profile, rounds, sizes.clone());
    runtime.block_on(async {
        let ctx = Ctx::new(&server, sizes, rounds).await?;
        if wanted(Bench::Latency) {
            report.extend(cases::latency(&ctx).await.context("latency benchmark")?);
        }
        if wanted(Bench::Listing) {
            report.extend(cases::listing(&ctx).await.context("listing benchmark")?);
        }
        if wanted(Bench::Decode) {
            report.extend(cases::decode(&ctx).await.context("decode benchmark")?);
        }
        if wanted(Bench::Concurrency) {
            report.extend(cases::concurrency(&ctx).await.context("concurrency benchmark")?);
        }
        if wanted(Bench::Emulator) {
            report.extend(cases::emulator(&ctx).await.context("emulator benchmark")?);
        }
        if wanted(Bench::Builds) {
            report.extend(cases::builds(&ctx).await.context("builds benchmark")?);
        }
        if wanted(Bench::Outage) {
            report.extend(cases::outage(&ctx).await.context("outage benchmark")?);
        }
        if wanted(Bench::Pacing) {
            report.extend(cases::pacing(&ctx).await.context("pacing benchmark")?);
        }
        if wanted(Bench::Scale) {
            let page = ctx.page();
            report.extend(scale::scale(&server, sizes_tasks, page, rounds).await.context("scale benchmark")?);
        }
        if wanted(Bench::Process) {
            match args.rockit.clone().or_else(process::rockit_beside_bench) {
                Some(rockit) => {
                    let setup = process::Processes {
                        rockit,
                        emulator: server.emulator.clone(),
                        tasks: sizes_tasks,
                        invocations: if args.quick { 3 } else { 20 },
                        rounds,
                    };
                    report.extend(process::process(&setup).await.context("process benchmark")?);
                }
                None => eprintln!(
                    "bench: note: no `rockit` binary beside the bench binary (build rockit-cli, or pass \
                     --rockit PATH); the whole-process rows are left out"
                ),
            }
        }
        anyhow::Ok(())
    })?;
    drop(runtime);
    server.stop();
    if let (Some(crates), Some(secs)) = (args.footprint_crates, args.footprint_build_secs) {
        report.footprint(&Footprint { crates, build_secs: secs });
    }
    print!("{}", report.table());
    if let Some(path) = &args.out {
        report.write_json(path)?;
        println!("bench: wrote {} in {:.0?}", path.display(), started.elapsed());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use clap::ValueEnum as _;

    use super::Bench;

    /// The benchmarks' names, one a line, in the order they run: the one list, which `cargo
    /// xtask bench` includes too to check its arguments before it builds anything.
    const BENCHES: &str = include_str!("names.txt");

    #[test]
    fn xtask_knows_every_benchmark_by_its_name() {
        let names: Vec<String> = Bench::value_variants()
            .iter()
            .filter_map(|bench| bench.to_possible_value().map(|value| value.get_name().to_owned()))
            .collect();
        assert_eq!(names, BENCHES.lines().collect::<Vec<_>>());
    }
}
