//! `rockit-fuzz`: runs every fuzz target for a bounded time; `cargo xtask fuzz` builds it with
//! coverage instrumentation and calls it.
//!
//! ```text
//! rockit-fuzz [--seconds N] [--target NAME] [--seed S] [--inputs both|bytes|structured] [--unguided]
//! rockit-fuzz --replay DIR [--target NAME]
//! ```
//! The time is shared equally among the targets, and each target's share among the kinds of
//! input (`both`, the default, runs byte mutations only, then structure-aware inputs, so the two
//! can be compared). Per target and kind the report gives executions, executions per second, the
//! share of inputs that decoded, the share of structure-aware inputs that decoded as generated
//! (without mutations on top), in an instrumented build the edges reached, and how many inputs
//! were kept as parents.
//! `--unguided` keeps random survivors as parents even when coverage is available (the engine
//! before coverage guidance), for comparison. `--replay DIR` runs every file in `DIR` once through
//! the targets instead and reports the same figures: what another fuzzer's corpus reaches, in
//! this binary's units.
//!
//! Failing inputs are minimised and written to `fuzz/regressions/<target>-<seed>-<n>.bin`; the exit
//! code is 1 if any target failed.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use rockit_fuzz::{Inputs, Options, RunReport, TARGETS, coverage, replay, run};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |flag: &str| args.iter().position(|a| a == flag).and_then(|i| args.get(i + 1)).cloned();
    let seconds: u64 = value("--seconds").and_then(|s| s.parse().ok()).unwrap_or(60);
    let seed: u64 = value("--seed").and_then(|s| s.parse().ok()).unwrap_or_else(|| fastrand::u64(..));
    let only = value("--target");
    let guided = !args.iter().any(|a| a == "--unguided");
    let kinds: &[Inputs] = match value("--inputs").as_deref() {
        None | Some("both") => &[Inputs::Bytes, Inputs::Structured],
        Some("bytes") => &[Inputs::Bytes],
        Some("structured") => &[Inputs::Structured],
        Some(other) => {
            eprintln!("error: --inputs {other}: expected both, bytes or structured");
            return ExitCode::from(2);
        }
    };
    let targets: Vec<_> =
        TARGETS.iter().filter(|t| only.as_deref().is_none_or(|name| name == t.name)).collect();
    if targets.is_empty() {
        eprintln!(
            "error: no target named {only:?}; targets: {:?}",
            TARGETS.iter().map(|t| t.name).collect::<Vec<_>>()
        );
        return ExitCode::from(2);
    }
    // Panics are expected and caught; keep their messages out of the output.
    std::panic::set_hook(Box::new(|_| {}));
    let runs = u32::try_from(targets.len() * kinds.len()).unwrap_or(u32::MAX);
    let share = Duration::from_secs(seconds) / runs.max(1);
    let regressions = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("regressions");
    match value("--replay") {
        Some(dir) => println!("replaying every file in {dir} through {} target(s)", targets.len()),
        None => println!("fuzzing {} target(s) for {seconds} s with seed {seed}", targets.len()),
    }
    print_header(guided);
    if let Some(dir) = value("--replay") {
        return replay_all(&dir, &targets);
    }
    let mut failed = false;
    for target in targets {
        let mut saved = 0;
        for &inputs in kinds {
            let until = Instant::now() + share;
            let options = Options { seed, iterations: u64::MAX, inputs, guided };
            let report = run(target, &options, || Instant::now() < until);
            print_row(target.name, inputs.name(), &report);
            for (input, message) in &report.failures {
                failed = true;
                let path = regressions.join(format!("{}-{seed}-{saved}.bin", target.name));
                saved += 1;
                if let Err(err) = std::fs::write(&path, input) {
                    eprintln!("error: cannot write {}: {err}", path.display());
                }
                println!(
                    "  {message}\n  minimised input ({} bytes) saved to {}",
                    input.len(),
                    path.display()
                );
            }
        }
    }
    if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS }
}

/// Says what coverage means in this build, and prints the table's header.
fn print_header(guided: bool) {
    match coverage::instrumented_edges() {
        Some(total) => println!(
            "coverage: SanitizerCoverage edges, {total} instrumented in this binary (every crate built from \
             source: rockit-model, serde, serde_json, the targets, the fuzzer; std is not); `edges` counts \
             those executed inside target runs; {}",
            if guided { "inputs reaching a new edge are kept as parents" } else { "unguided" }
        ),
        None => println!(
            "coverage: not measured (plain build; `cargo xtask fuzz` builds the instrumented one); \
             random survivors are kept as parents"
        ),
    }
    println!(
        "{:<14} {:<10} {:>11} {:>9} {:>8} {:>10} {:>7} {:>6} {:>8}",
        "target", "inputs", "executions", "exec/s", "decoded", "generated", "edges", "kept", "failures"
    );
}

/// `--replay DIR`: every file in `dir` through every target, once.
fn replay_all(dir: &str, targets: &[&rockit_fuzz::Target]) -> ExitCode {
    let inputs = match read_inputs(std::path::Path::new(&dir)) {
        Ok(inputs) => inputs,
        Err(err) => {
            eprintln!("error: cannot read {dir}: {err}");
            return ExitCode::from(2);
        }
    };
    let mut failed = false;
    for &target in targets {
        let report = replay(target, &inputs);
        print_row(target.name, "replay", &report);
        for (input, message) in &report.failures {
            failed = true;
            println!("  {message}\n  minimised input: {:?}", String::from_utf8_lossy(input));
        }
    }
    if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS }
}

/// Prints one line of the report table.
fn print_row(target: &str, inputs: &str, report: &RunReport) {
    #[allow(clippy::cast_precision_loss)] // Figures for people, to a few digits.
    let share = |part: u64, whole: u64| 100.0 * part as f64 / whole.max(1) as f64;
    #[allow(clippy::cast_precision_loss)]
    let per_second = report.executions as f64 / report.elapsed.as_secs_f64().max(1e-9);
    let generated = if report.generated == 0 {
        "-".to_owned()
    } else {
        format!("{:.1}%", share(report.generated_decoded, report.generated))
    };
    println!(
        "{target:<14} {inputs:<10} {:>11} {per_second:>9.0} {:>7.2}% {generated:>10} {:>7} {:>6} {:>8}",
        report.executions,
        share(report.decoded, report.executions),
        report.edges.map_or_else(|| "-".to_owned(), |edges| edges.to_string()),
        report.kept,
        report.failures.len()
    );
}

/// The contents of every file directly in `dir`, in name order (hidden files left out).
fn read_inputs(dir: &std::path::Path) -> std::io::Result<Vec<Vec<u8>>> {
    let mut paths: Vec<_> =
        std::fs::read_dir(dir)?.map(|entry| entry.map(|entry| entry.path())).collect::<Result<_, _>>()?;
    paths.retain(|path| {
        path.is_file() && !path.file_name().is_some_and(|name| name.to_string_lossy().starts_with('.'))
    });
    paths.sort();
    paths.iter().map(std::fs::read).collect()
}
