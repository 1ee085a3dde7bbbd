//! Project automation, run as `cargo xtask <command>`.
//!
//! - `ci`: exactly what CI runs, in order, failing fast: fmt check, clippy, tests, docs, tidy.
//! - `tidy`: the fast source checks alone (they also run as `#[test]`s of this crate).

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
        Some("help" | "--help" | "-h") | None => {
            println!("usage: cargo xtask <ci|tidy>");
            println!("  ci    fmt check, clippy, tests, docs and tidy, as CI runs them");
            println!("  tidy  the fast source checks only");
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
        println!("==> [{}/{}] cargo {}", index + 1, STEPS.len() + 1, step.args.join(" "));
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
    println!("==> [{n}/{n}] tidy", n = STEPS.len() + 1);
    if let Err(problems) = tidy::check(root) {
        for problem in &problems {
            eprintln!("tidy: {problem}");
        }
        return Err(format!("step `tidy` found {} problem(s)", problems.len()));
    }
    println!("ci: all {} steps passed in {:.0?}", STEPS.len() + 1, started.elapsed());
    Ok(())
}
