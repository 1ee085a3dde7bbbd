//! `rockit-fuzz`: runs every fuzz target for a bounded time; `cargo xtask fuzz` calls it.
//!
//! ```text
//! rockit-fuzz [--seconds N] [--target NAME] [--seed S]
//! ```
//! Failing inputs are minimised and written to `fuzz/regressions/<target>-<n>.bin`; the exit code
//! is 1 if any target failed.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use rockit_fuzz::{TARGETS, run};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |flag: &str| args.iter().position(|a| a == flag).and_then(|i| args.get(i + 1)).cloned();
    let seconds: u64 = value("--seconds").and_then(|s| s.parse().ok()).unwrap_or(60);
    let seed: u64 = value("--seed").and_then(|s| s.parse().ok()).unwrap_or_else(|| fastrand::u64(..));
    let only = value("--target");
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
    let share = Duration::from_secs(seconds) / u32::try_from(targets.len()).unwrap_or(1);
    let regressions = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("regressions");
    let mut failed = false;
    println!("fuzzing {} target(s) for {seconds} s with seed {seed}", targets.len());
    for target in targets {
        let until = Instant::now() + share;
        let report = run(target, seed, u64::MAX, || Instant::now() < until);
        let per_second = report.executions / share.as_secs().max(1);
        println!(
            "{:<14} {:>10} executions ({per_second}/s), {} failure(s)",
            target.name,
            report.executions,
            report.failures.len()
        );
        for (index, (input, message)) in report.failures.iter().enumerate() {
            failed = true;
            let path = regressions.join(format!("{}-{seed}-{index}.bin", target.name));
            if let Err(err) = std::fs::write(&path, input) {
                eprintln!("error: cannot write {}: {err}", path.display());
            }
            println!("  {message}\n  minimised input ({} bytes) saved to {}", input.len(), path.display());
        }
    }
    if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS }
}
