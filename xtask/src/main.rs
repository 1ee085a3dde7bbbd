//! Project automation, run as `cargo xtask <command>`.
//!
//! - `ci`: exactly what CI runs, failing fast, in the order of [`STEPS`] (its one list): fmt check,
//!   clippy, tests, docs, packaging of the published crates (with its verify build), the
//!   downstream workspace in `examples/downstream` (in our target directory, then once more as a
//!   user builds it: its own lockfile resolved anew and its own target directory), the
//!   benchmarks' smoke run (`bench --quick`) and tidy (with the crate layering check).
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
        Some("tidy") => Step { name: "tidy", run: Run::Tidy }
            .run(&root, "cargo")
            .map_err(|problems| format!("tidy found {problems}")),
        Some("bench") => bench::main(&root, &args[1..]),
        Some("fuzz") => reliability::fuzz(&root, &args[1..]),
        Some("soak") => reliability::soak(&root, &args[1..]),
        Some("deny") => reliability::deny(&root, &args[1..]),
        Some("mutants") => mutants::mutants(&root, &args[1..]),
        Some("package") => package::run(&root),
        Some("downstream") => match args.get(1).map(String::as_str) {
            None => downstream::run(&root),
            Some("--fresh") => downstream::fresh(&root),
            Some(other) => Err(format!("unknown argument {other:?}; `cargo xtask downstream [--fresh]`")),
        },
        Some("help" | "--help" | "-h") | None => {
            println!("usage: cargo xtask <ci|tidy|package|downstream|bench|fuzz|soak|deny|mutants>");
            println!("  ci    {}, in this order, as CI runs them", step_names());
            println!("  tidy  the fast source checks only");
            println!("  package  cargo package of the published crates, with its verify build");
            println!(
                "  downstream  examples/downstream in our target dir (as ci does) [--fresh: as a user builds it, \
                 its own lockfile and target dir, minutes]"
            );
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
    run: Run,
}

/// What a step runs.
enum Run {
    /// `cargo <args>` with `env` set.
    Cargo { args: &'static [&'static str], env: &'static [(&'static str, &'static str)] },
    /// Every published crate packs and builds from its package alone, as crates.io would see it.
    Package,
    /// A workspace of its own that extends ours the way a user's would: path dependencies only.
    Downstream,
    /// The same workspace as a user builds it: its own lockfile, resolved anew, and target.
    DownstreamFresh,
    /// The benchmarks' smoke run keeps them from rotting; its figures are not judged.
    BenchQuick,
    /// The fast source checks.
    Tidy,
}

/// Everything `cargo xtask ci` runs, in order: the one list of CI's steps.
const STEPS: &[Step] = &[
    Step { name: "fmt", run: Run::Cargo { args: &["fmt", "--all", "--", "--check"], env: &[] } },
    Step {
        name: "clippy",
        run: Run::Cargo {
            args: &["clippy", "--workspace", "--all-targets", "--locked", "--", "-D", "warnings"],
            env: &[],
        },
    },
    Step {
        name: "test",
        run: Run::Cargo { args: &["test", "--workspace", "--locked"], env: &[("INSTA_UPDATE", "no")] },
    },
    Step {
        name: "doc",
        run: Run::Cargo {
            args: &["doc", "--workspace", "--no-deps", "--locked"],
            env: &[("RUSTDOCFLAGS", "-D warnings")],
        },
    },
    Step { name: "package", run: Run::Package },
    Step { name: "downstream", run: Run::Downstream },
    Step { name: "downstream --fresh", run: Run::DownstreamFresh },
    Step { name: "bench --quick", run: Run::BenchQuick },
    Step { name: "tidy", run: Run::Tidy },
];

impl Step {
    /// What the step's headline says it runs.
    fn describe(&self) -> String {
        match self.run {
            Run::Cargo { args, .. } => format!("cargo {}", args.join(" ")),
            Run::Package => "cargo package (the published crates, verified)".to_owned(),
            Run::Downstream => "downstream workspace (examples/downstream)".to_owned(),
            Run::DownstreamFresh => {
                "downstream workspace as a user builds it (own lockfile and target, ~30 s)".to_owned()
            }
            Run::BenchQuick => "cargo xtask bench --quick".to_owned(),
            Run::Tidy => "tidy".to_owned(),
        }
    }

    /// Runs the step in the workspace at `root`.
    fn run(&self, root: &Path, cargo: &str) -> Result<(), String> {
        match self.run {
            Run::Cargo { args, env } => {
                let status = Command::new(cargo)
                    .args(args)
                    .envs(env.iter().copied())
                    .current_dir(root)
                    .status()
                    .map_err(|err| format!("cannot run {cargo}: {err}"))?;
                if status.success() { Ok(()) } else { Err(status.to_string()) }
            }
            Run::Package => package::run(root),
            Run::Downstream => downstream::run(root),
            Run::DownstreamFresh => downstream::fresh(root),
            Run::BenchQuick => bench::main(root, &["--quick".to_owned()]),
            Run::Tidy => tidy::check(root).map_err(|problems| {
                for problem in &problems {
                    eprintln!("tidy: {problem}");
                }
                format!("{} problem(s)", problems.len())
            }),
        }
    }
}

fn ci(root: &Path) -> Result<(), String> {
    let started = Instant::now();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    for (index, step) in STEPS.iter().enumerate() {
        let step_started = Instant::now();
        println!("==> [{}/{}] {}", index + 1, STEPS.len(), step.describe());
        step.run(root, &cargo).map_err(|err| {
            format!("step `{}` failed ({err}); fix it and run `cargo xtask ci` again", step.name)
        })?;
        println!("==> {} ok in {:.1?}", step.name, step_started.elapsed());
    }
    println!("ci: all {} steps passed in {:.0?}", STEPS.len(), started.elapsed());
    Ok(())
}

/// The steps' names, for help: `fmt, clippy, … and tidy`.
fn step_names() -> String {
    let names: Vec<&str> = STEPS.iter().map(|step| step.name).collect();
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => names.concat(),
    }
}
