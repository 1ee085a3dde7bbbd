//! `cargo xtask bench`: the benchmarks of `rockit-tests`' `bench` binary, plus the build footprint
//! of `rockit-tasks`, which only cargo itself can measure.
//!
//! The full run builds the binary in release and writes `target/bench/results.json`. `--quick`
//! runs tiny sizes from a dev build, so that CI reuses its test build: its figures are smoke-test
//! figures, not measurements, and it skips the footprint. A missed target never fails the command;
//! anything that fails to build or run does.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

/// What `cargo xtask bench` was asked to do.
#[derive(Debug, Default, PartialEq, Eq)]
struct Options {
    quick: bool,
    only: Vec<String>,
    footprint: bool,
}

/// The names `--only` takes: the `bench` binary's benchmarks (its list, one name a line, held to
/// its `Bench` enum by a test there), plus `footprint` (measured here).
fn names() -> impl Iterator<Item = &'static str> {
    include_str!("../../tests/src/bench/names.txt").lines().chain(["footprint"])
}

/// What `cargo xtask bench --help` prints.
fn usage() -> String {
    format!(
        "\
usage: cargo xtask bench [--quick] [--only NAME]... [--no-footprint]
  --quick          tiny sizes from a dev build, no footprint: a smoke test for CI, not a measurement
  --only NAME      run only NAME (repeatable): {}
  --no-footprint   skip the footprint (its clean release build of rockit-tasks takes minutes)",
        names().collect::<Vec<_>>().join(", ")
    )
}

/// `cargo xtask bench <args>`.
pub(crate) fn main(root: &Path, args: &[String]) -> Result<(), String> {
    if args.iter().any(|arg| arg == "--help" || arg == "-h") {
        println!("{}", usage());
        return Ok(());
    }
    run(root, &parse(args)?)
}

/// Reads the arguments after `bench`.
fn parse(args: &[String]) -> Result<Options, String> {
    let mut options = Options { footprint: true, ..Options::default() };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--quick" => options.quick = true,
            "--no-footprint" => options.footprint = false,
            "--only" => {
                let name = args.next().ok_or("--only needs a benchmark name")?;
                if !names().any(|known| known == name) {
                    let known: Vec<&str> = names().collect();
                    return Err(format!("unknown benchmark {name:?}; choose from {}", known.join(", ")));
                }
                options.only.push(name.clone());
            }
            other => return Err(format!("unknown argument {other:?}\n{}", usage())),
        }
    }
    Ok(options)
}

/// Runs the benchmarks as `options` say, from the workspace at `root`.
fn run(root: &Path, options: &Options) -> Result<(), String> {
    let started = Instant::now();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let wants = |name: &str| options.only.is_empty() || options.only.iter().any(|only| only == name);
    let mut bench_args: Vec<String> = Vec::new();
    for name in options.only.iter().filter(|name| *name != "footprint") {
        bench_args.extend(["--only".to_owned(), name.clone()]);
    }
    let out = root.join("target").join("bench");
    if options.quick {
        if !options.only.is_empty() && bench_args.is_empty() {
            return Err("--quick does not measure the footprint; drop --quick".to_owned());
        }
        println!("==> bench --quick: smoke-test figures from a dev build, not measurements");
        bench_args.extend(["--quick".to_owned(), "--out".to_owned()]);
        bench_args.push(out.join("quick.json").display().to_string());
        return run_bench(&cargo, root, &[], &bench_args, started);
    }
    if wants("footprint") && options.footprint {
        let footprint = footprint(&cargo, root)?;
        bench_args.extend([
            "--footprint-crates".to_owned(),
            footprint.crates.to_string(),
            "--footprint-build-secs".to_owned(),
            format!("{:.1}", footprint.build_secs),
        ]);
        if options.only.iter().all(|name| name == "footprint") && !options.only.is_empty() {
            println!(
                "footprint: {} crates in rockit-tasks' normal dependency tree; clean release build {:.1} s",
                footprint.crates, footprint.build_secs
            );
            return Ok(());
        }
    }
    bench_args.extend(["--out".to_owned(), out.join("results.json").display().to_string()]);
    run_bench(&cargo, root, &["--release"], &bench_args, started)
}

/// `cargo build [profile] -p rockit-cli`, for the whole-process rows (the bench finds `rockit`
/// beside itself), then `cargo run [profile] -p rockit-tests --bin bench -- <args>`.
fn run_bench(
    cargo: &str,
    root: &Path,
    profile: &[&str],
    bench_args: &[String],
    started: Instant,
) -> Result<(), String> {
    println!("==> cargo build {} -p rockit-cli --bin rockit", profile.join(" "));
    let status = Command::new(cargo)
        .arg("build")
        .args(profile)
        .args(["--locked", "--package", "rockit-cli", "--bin", "rockit"])
        .current_dir(root)
        .status()
        .map_err(|err| format!("cannot run {cargo}: {err}"))?;
    if !status.success() {
        return Err(format!("cannot build rockit for the whole-process benchmarks ({status})"));
    }
    println!("==> cargo run {} -p rockit-tests --bin bench -- {}", profile.join(" "), bench_args.join(" "));
    let status = Command::new(cargo)
        .arg("run")
        .args(profile)
        .args(["--locked", "--package", "rockit-tests", "--bin", "bench", "--"])
        .args(bench_args)
        .current_dir(root)
        .status()
        .map_err(|err| format!("cannot run {cargo}: {err}"))?;
    if !status.success() {
        return Err(format!("the benchmarks failed ({status})"));
    }
    println!("==> bench done in {:.0?}", started.elapsed());
    Ok(())
}

/// What the footprint step measured.
struct Footprint {
    crates: usize,
    build_secs: f64,
}

/// Counts rockit-tasks' normal dependencies and times its clean release build in a target
/// directory of its own, so the workspace's `target/` stays as it is.
fn footprint(cargo: &str, root: &Path) -> Result<Footprint, String> {
    println!("==> footprint: cargo tree -p rockit-tasks -e normal");
    let output = Command::new(cargo)
        .args(["tree", "--locked", "--package", "rockit-tasks", "--edges", "normal", "--prefix", "none"])
        .current_dir(root)
        .stderr(Stdio::inherit())
        .output()
        .map_err(|err| format!("cannot run {cargo} tree: {err}"))?;
    if !output.status.success() {
        return Err(format!("cargo tree failed ({})", output.status));
    }
    let crates = count_crates(&String::from_utf8_lossy(&output.stdout));
    let target_dir = root.join("target").join("bench").join("footprint");
    if target_dir.exists() {
        std::fs::remove_dir_all(&target_dir)
            .map_err(|err| format!("cannot empty {}: {err}", target_dir.display()))?;
    }
    println!("==> footprint: clean release build of rockit-tasks (minutes; skip it with --no-footprint)");
    let build_started = Instant::now();
    let status = Command::new(cargo)
        .args(["build", "--release", "--locked", "--quiet", "--package", "rockit-tasks", "--target-dir"])
        .arg(&target_dir)
        .current_dir(root)
        .status()
        .map_err(|err| format!("cannot run {cargo} build: {err}"))?;
    let build_secs = build_started.elapsed().as_secs_f64();
    if !status.success() {
        return Err(format!("the clean build of rockit-tasks failed ({status})"));
    }
    // Hundreds of megabytes that the next measurement would delete anyway.
    let _ = std::fs::remove_dir_all(&target_dir);
    println!("==> footprint: {crates} crates, clean release build in {build_secs:.1} s");
    Ok(Footprint { crates, build_secs })
}

/// The distinct packages in `cargo tree --prefix none` output, the root included: repeated
/// subtrees are printed again (marked `(*)`), so lines are deduplicated by name and version.
fn count_crates(tree: &str) -> usize {
    tree.lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            Some((words.next()?, words.next()?))
        })
        .collect::<BTreeSet<_>>()
        .len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|arg| (*arg).to_owned()).collect()
    }

    #[test]
    fn parses_flags_and_checks_names() {
        assert_eq!(parse(&[]).unwrap(), Options { quick: false, only: vec![], footprint: true });
        assert_eq!(
            parse(&args(&["--quick", "--only", "decode", "--no-footprint"])).unwrap(),
            Options { quick: true, only: vec!["decode".to_owned()], footprint: false }
        );
        assert!(parse(&args(&["--only", "speed"])).unwrap_err().contains("unknown benchmark"));
        assert!(parse(&args(&["--only"])).is_err());
        assert!(parse(&args(&["--fast"])).is_err());
    }

    #[test]
    fn crates_are_counted_once_each() {
        let tree = "\
rockit-tasks v0.1.0 (/w/crates/rockit-tasks)
futures-core v0.3.31
rockit-model v0.1.0 (/w/crates/rockit-model)
serde v1.0.219
serde_derive v1.0.219 (proc-macro)
serde v1.0.219 (*)
";
        assert_eq!(count_crates(tree), 5);
        assert_eq!(count_crates(""), 0);
    }
}
