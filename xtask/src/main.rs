//! Project automation, run as `cargo xtask <command>`.
//!
//! - `ci`: exactly what CI runs, in order, failing fast: fmt check, clippy, tests, packaging of
//!   the published crates (with its verify build), docs, the benchmarks' smoke run
//!   (`bench --quick`), tidy (with the crate layering check), and the downstream workspace in
//!   `examples/downstream` (fmt, clippy, tests, sharing our target directory).
//! - `tidy`: the fast source checks alone (they also run as `#[test]`s of this crate).
//! - `bench`: the SDK against hand-written reqwest + `serde_json`, and its build footprint.
//! - `fuzz`, `soak`, `deny`: bounded fuzzing, the full-size fault soak, and cargo-deny.

mod bench;
mod downstream;
mod mutants;
mod package;
mod reliability;
mod tidy;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = repo_root();
    let result = match args.first().map(String::as_str) {
        Some("ci") => ci(&root),
        Some("tidy") => tidy::check(&root).map_err(|problems| {
            for problem in &problems {
                eprintln!("tidy: {problem}");
            }
            format!("tidy found {} problem(s)", problems.len())
        }),
        Some("bench") => bench::main(&root, &args[1..]),
        Some("fuzz") => reliability::fuzz(&root, &args[1..]),
        Some("soak") => reliability::soak(&root, &args[1..]),
        Some("deny") => reliability::deny(&root, &args[1..]),
        Some("mutants") => mutants::mutants(&root, &args[1..]),
        Some("package") => package::run(&root),
        Some("help" | "--help" | "-h") | None => {
            println!("usage: cargo xtask <ci|tidy|bench|fuzz|soak|deny>");
            println!(
                "  ci    fmt check, clippy, tests, package, docs, bench --quick and tidy, as CI runs them"
            );
            println!("  tidy  the fast source checks only");
            println!("  package  cargo package of the published crates, with its verify build");
            println!("  bench benchmarks against hand-written reqwest + serde_json (`bench --help`)");
            println!(
                "  fuzz  every fuzz target for a bounded time, coverage-instrumented [--seconds 60] [--seed S] \
                 [--target NAME] [--inputs both|bytes|structured] [--unguided]"
            );
            println!("  soak  the mixed-fault soak at full size [--ops 20000] [--seed S]");
            println!("  deny  cargo-deny: licenses, bans, sources [--advisories]");
            println!(
                "  mutants  cargo-mutants, own tests only [CRATE] [--file F] [--timeout 60] [--jobs N] [--shard K/N] [--iterate]"
            );
            return ExitCode::SUCCESS;
        }
        Some(other) => Err(format!("unknown command {other:?}; run `cargo xtask help`")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root: the parent of this crate's manifest directory.
fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives one level below the root").to_owned()
}

/// One step of the CI pipeline.
struct Step {
    name: &'static str,
    args: &'static [&'static str],
    env: &'static [(&'static str, &'static str)],
}

const STEPS: &[Step] = &[
    Step { name: "fmt", args: &["fmt", "--all", "--", "--check"], env: &[] },
    Step {
        name: "clippy",
        args: &["clippy", "--workspace", "--all-targets", "--locked", "--", "-D", "warnings"],
        env: &[],
    },
    Step { name: "test", args: &["test", "--workspace", "--locked"], env: &[("INSTA_UPDATE", "no")] },
    Step {
        name: "doc",
        args: &["doc", "--workspace", "--no-deps", "--locked"],
        env: &[("RUSTDOCFLAGS", "-D warnings")],
    },
];

fn ci(root: &Path) -> Result<(), String> {
    let started = Instant::now();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    for (index, step) in STEPS.iter().enumerate() {
        let step_started = Instant::now();
        println!("==> [{}/{}] cargo {}", index + 1, STEPS.len() + 4, step.args.join(" "));
        let status = Command::new(&cargo)
            .args(step.args)
            .envs(step.env.iter().copied())
            .current_dir(root)
            .status()
            .map_err(|err| format!("cannot run {cargo}: {err}"))?;
        if !status.success() {
            return Err(format!(
                "step `{}` failed ({status}); fix it and run `cargo xtask ci` again",
                step.name
            ));
        }
        println!("==> {} ok in {:.1?}", step.name, step_started.elapsed());
    }
    // Every published crate packs and builds from its package alone, as crates.io would see it.
    let step_started = Instant::now();
    println!("==> [{}/{}] cargo package (the published crates, verified)", STEPS.len() + 1, STEPS.len() + 4);
    package::run(root).map_err(|err| format!("step `package` failed: {err}"))?;
    println!("==> package ok in {:.1?}", step_started.elapsed());
    // A workspace of its own that extends ours the way a user's would: path dependencies only.
    let step_started = Instant::now();
    println!("==> [{}/{}] downstream workspace (examples/downstream)", STEPS.len() + 2, STEPS.len() + 4);
    downstream::run(root).map_err(|err| format!("step `downstream` failed: {err}"))?;
    println!("==> downstream ok in {:.1?}", step_started.elapsed());
    // The benchmarks' smoke run keeps them from rotting; its figures are not judged.
    let step_started = Instant::now();
    println!("==> [{}/{}] cargo xtask bench --quick", STEPS.len() + 3, STEPS.len() + 4);
    bench::main(root, &["--quick".to_owned()])
        .map_err(|err| format!("step `bench --quick` failed: {err}"))?;
    println!("==> bench --quick ok in {:.1?}", step_started.elapsed());
    println!("==> [{n}/{n}] tidy", n = STEPS.len() + 4);
    if let Err(problems) = tidy::check(root) {
        for problem in &problems {
            eprintln!("tidy: {problem}");
        }
        return Err(format!("step `tidy` found {} problem(s)", problems.len()));
    }
    println!("ci: all {} steps passed in {:.0?}", STEPS.len() + 4, started.elapsed());
    Ok(())
}
