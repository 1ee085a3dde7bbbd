//! `cargo xtask mutants [CRATE] [--file F] [--timeout S] [--jobs N] [--shard K/N] [--iterate]`:
//! mutation testing with cargo-mutants, one crate at a time against that crate's own tests, so a
//! crate's score says how well its own tests catch its own bugs. Not part of CI: a whole crate
//! takes tens of minutes. `--shard K/N` tests every N-th mutant (a sample, for the emulator and the
//! CLI, whose tests are slow); `--iterate` tests again only what the last run did not catch, and
//! scores those alone.

use std::path::Path;
use std::process::Command;

/// The crates held to the mutation-score target when no crate is named.
const DEFAULT_CRATES: &[&str] = &["rockit-model", "rockit-transport", "rockit-tasks"];

/// Seconds a mutant's tests may run before it counts as a timeout (caught, but slowly). The tests
/// bound their own work (request counts, 20 s for a wait), so a hang means a runaway mutant, not a
/// slow machine; a minute leaves a loaded 2-core machine room for the slowest test binary.
const DEFAULT_TIMEOUT: &str = "60";

/// Runs cargo-mutants on `CRATE` (or on each of [`DEFAULT_CRATES`]), installing it on first use,
/// and writes `target/mutants/CRATE/mutants.out/{caught,missed,timeout,unviable}.txt`.
pub(crate) fn mutants(root: &Path, args: &[String]) -> Result<(), String> {
    let options = Options::parse(args)?;
    install_if_missing(root)?;
    let crates: Vec<&str> = match &options.package {
        Some(package) => vec![package.as_str()],
        None => DEFAULT_CRATES.to_vec(),
    };
    let mut failures = Vec::new();
    for package in crates {
        let output = format!("target/mutants/{package}");
        std::fs::create_dir_all(root.join(&output))
            .map_err(|err| format!("cannot create {output}: {err}"))?;
        let mut forwarded = vec![
            "mutants",
            "--package",
            package,
            // Own tests only: a mutant of this crate counts as caught only by this crate's tests.
            "--test-workspace=false",
            "--timeout",
            &options.timeout,
            "--output",
            &output,
        ];
        for file in &options.files {
            forwarded.extend(["--file", file.as_str()]);
        }
        if let Some(jobs) = &options.jobs {
            forwarded.extend(["--jobs", jobs.as_str()]);
        }
        if let Some(shard) = &options.shard {
            forwarded.extend(["--shard", shard.as_str()]);
        }
        if options.iterate {
            forwarded.push("--iterate");
        }
        let result = cargo(root, &forwarded);
        if let Some(summary) = summary(&root.join(&output).join("mutants.out")) {
            println!("==> {package}: {summary}");
        }
        if let Err(err) = result {
            failures.push(format!("{package}: {err}; see {output}/mutants.out/missed.txt and timeout.txt"));
        }
    }
    if failures.is_empty() { Ok(()) } else { Err(failures.join("\n")) }
}

/// `caught C, timeout T, missed M, unviable U: score S %`, the score being the share of viable
/// mutants the tests caught, a timeout counting as caught; `None` if cargo-mutants wrote nothing.
fn summary(out: &Path) -> Option<String> {
    let count = |outcome: &str| -> Option<usize> {
        let text = std::fs::read_to_string(out.join(format!("{outcome}.txt"))).ok()?;
        Some(text.lines().filter(|line| !line.trim().is_empty()).count())
    };
    let (caught, timeout, missed, unviable) =
        (count("caught")?, count("timeout")?, count("missed")?, count("unviable")?);
    let viable = caught + timeout + missed;
    // Tenths of a percent, rounded down: integers print exactly.
    let score = ((caught + timeout) * 1000).checked_div(viable).unwrap_or(1000);
    // With `--iterate`, cargo-mutants lists what earlier runs caught *or found unviable* as
    // "previously caught", so it cannot join the score: it is named, not counted.
    let earlier = match count("previously_caught") {
        Some(before) if before > 0 => {
            format!(" (of this run; {before} caught or unviable in earlier runs, not tested again)")
        }
        _ => String::new(),
    };
    Some(format!(
        "caught {caught}, timeout {timeout}, missed {missed}, unviable {unviable}: score {}.{} %{earlier}",
        score / 10,
        score % 10
    ))
}

/// The command line of `cargo xtask mutants`.
#[derive(Debug)]
struct Options {
    package: Option<String>,
    files: Vec<String>,
    timeout: String,
    jobs: Option<String>,
    /// `K/N`: every N-th mutant only, a sample for crates too slow to run whole.
    shard: Option<String>,
    /// Test again only what the last run did not catch (and mutants new since).
    iterate: bool,
}

impl Options {
    fn parse(args: &[String]) -> Result<Self, String> {
        let mut options = Options {
            package: None,
            files: Vec::new(),
            timeout: DEFAULT_TIMEOUT.to_owned(),
            jobs: None,
            shard: None,
            iterate: false,
        };
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            let mut value = |name: &str| {
                args.next().cloned().ok_or_else(|| format!("{name} needs a value; run `cargo xtask help`"))
            };
            match arg.as_str() {
                "--file" | "-f" => options.files.push(value("--file")?),
                "--timeout" | "-t" => options.timeout = value("--timeout")?,
                "--jobs" | "-j" => options.jobs = Some(value("--jobs")?),
                "--shard" => options.shard = Some(value("--shard")?),
                "--iterate" => options.iterate = true,
                flag if flag.starts_with('-') => {
                    return Err(format!("unknown option {flag:?} for `cargo xtask mutants`"));
                }
                package if options.package.is_none() => options.package = Some(package.to_owned()),
                extra => return Err(format!("one crate at a time, got a second one: {extra:?}")),
            }
        }
        Ok(options)
    }
}

/// Installs cargo-mutants with `cargo install --locked` unless `cargo mutants --version` works.
fn install_if_missing(root: &Path) -> Result<(), String> {
    let installed = Command::new(cargo_program())
        .args(["mutants", "--version"])
        .output()
        .is_ok_and(|out| out.status.success());
    if !installed {
        println!("cargo-mutants is not installed; installing it (takes several minutes on 2 cores)");
        cargo(root, &["install", "--locked", "cargo-mutants"])?;
    }
    Ok(())
}

/// Runs `cargo <args>` in `root`, failing with a message naming the command.
fn cargo(root: &Path, args: &[&str]) -> Result<(), String> {
    let cargo = cargo_program();
    println!("==> cargo {}", args.join(" "));
    let status = Command::new(&cargo)
        .args(args)
        .current_dir(root)
        .status()
        .map_err(|err| format!("cannot run {cargo}: {err}"))?;
    if status.success() { Ok(()) } else { Err(format!("`cargo {}` failed ({status})", args.join(" "))) }
}

fn cargo_program() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(raw: &[&str]) -> Vec<String> {
        raw.iter().map(|arg| (*arg).to_owned()).collect()
    }

    #[test]
    fn options_take_a_crate_files_a_shard_and_iterate() {
        let options = Options::parse(&args(&[
            "rockit-emulator",
            "--file",
            "src/store.rs",
            "--shard",
            "1/8",
            "--iterate",
        ]))
        .unwrap();
        assert_eq!(options.package.as_deref(), Some("rockit-emulator"));
        assert_eq!(options.files, ["src/store.rs"]);
        assert_eq!((options.shard.as_deref(), options.iterate), (Some("1/8"), true));
        assert_eq!(options.timeout, DEFAULT_TIMEOUT);
        assert!(Options::parse(&args(&["--shard"])).unwrap_err().contains("--shard needs a value"));
        assert!(Options::parse(&args(&["--bogus"])).unwrap_err().contains("unknown option"));
        assert!(Options::parse(&args(&["a", "b"])).unwrap_err().contains("one crate at a time"));
    }

    #[test]
    fn the_score_counts_timeouts_as_caught_and_names_earlier_runs() {
        let out = std::env::temp_dir().join(format!("xtask-mutants-{}", std::process::id()));
        std::fs::create_dir_all(&out).unwrap();
        for (name, lines) in [("caught", 6), ("timeout", 1), ("missed", 1), ("unviable", 3)] {
            std::fs::write(out.join(format!("{name}.txt")), "m\n".repeat(lines)).unwrap();
        }
        assert_eq!(summary(&out).unwrap(), "caught 6, timeout 1, missed 1, unviable 3: score 87.5 %");
        std::fs::write(out.join("previously_caught.txt"), "m\n".repeat(12)).unwrap();
        assert_eq!(
            summary(&out).unwrap(),
            "caught 6, timeout 1, missed 1, unviable 3: score 87.5 % (of this run; 12 caught or unviable \
             in earlier runs, not tested again)"
        );
        std::fs::remove_dir_all(&out).unwrap();
    }
}
