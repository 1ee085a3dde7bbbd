//! `cargo xtask fuzz`, `cargo xtask soak` and `cargo xtask deny`: the longer reliability and supply
//! chain checks, each a thin wrapper over cargo so that xtask itself stays dependency-free.

use std::path::Path;
use std::process::Command;

/// Runs `cargo <args>` in `root` with `envs`, failing with a message naming the step.
fn cargo(root: &Path, args: &[&str], envs: &[(&str, String)]) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    println!("==> cargo {}", args.join(" "));
    let status = Command::new(&cargo)
        .args(args)
        .envs(envs.iter().map(|(k, v)| (*k, v.as_str())))
        .current_dir(root)
        .status()
        .map_err(|err| format!("cannot run {cargo}: {err}"))?;
    if status.success() { Ok(()) } else { Err(format!("`cargo {}` failed ({status})", args.join(" "))) }
}

/// The value after `flag` in `args`, if any.
fn flag<'a>(args: &'a [String], name: &str) -> Option<&'a str> {
    args.iter().position(|arg| arg == name).and_then(|i| args.get(i + 1)).map(String::as_str)
}

/// The `RUSTFLAGS` of the instrumented fuzzer: LLVM's `SanitizerCoverage`, edge level, with
/// `trace-pc-guard` callbacks that `fuzz/src/coverage.rs` defines. One file holds the string for
/// both (`rockit_fuzz::coverage::RUSTFLAGS` includes it too). Stable rustc accepts these codegen
/// flags; no nightly toolchain, no C compiler, nothing to install.
const FUZZ_COVERAGE_RUSTFLAGS: &str = include_str!("../../fuzz/coverage-rustflags");

/// `cargo xtask fuzz [--seconds N] [--seed S] [--target NAME] [--inputs both|bytes|structured]
/// [--unguided]`: every fuzz target for a bounded time (60 s in all by default), in release mode,
/// built with coverage instrumentation into `target/fuzz-cov` (its own directory, so the flags do
/// not invalidate the main build's cache). If that build fails, the plain build runs instead,
/// without coverage, and says so.
pub(crate) fn fuzz(root: &Path, args: &[String]) -> Result<(), String> {
    let mut forwarded = Vec::new();
    for name in ["--seconds", "--seed", "--target", "--inputs"] {
        if let Some(value) = flag(args, name) {
            forwarded.extend([name, value]);
        }
    }
    if args.iter().any(|arg| arg == "--unguided") {
        forwarded.push("--unguided");
    }
    let failed = |err: String| {
        format!("{err}; failing inputs were minimised into fuzz/regressions/, fix the bug and keep them")
    };
    match instrumented_fuzzer(root) {
        Ok(binary) => {
            println!("==> {} {}", binary.display(), forwarded.join(" "));
            let status = Command::new(&binary)
                .args(&forwarded)
                .current_dir(root)
                .status()
                .map_err(|err| format!("cannot run {}: {err}", binary.display()))?;
            if status.success() { Ok(()) } else { Err(failed(format!("the fuzzer failed ({status})"))) }
        }
        Err(reason) => {
            println!("warning: the coverage-instrumented build failed ({reason});");
            println!("warning: running the plain build instead: no edge counts, no coverage guidance");
            let mut plain = vec!["run", "--release", "--locked", "-p", "rockit-fuzz", "--"];
            plain.extend(forwarded);
            cargo(root, &plain, &[]).map_err(failed)
        }
    }
}

/// Builds rockit-fuzz with [`FUZZ_COVERAGE_RUSTFLAGS`]; returns the binary's path.
///
/// `--target <host>` keeps the flags off build scripts and proc macros (which would otherwise be
/// instrumented too, and fail to load without the hooks).
fn instrumented_fuzzer(root: &Path) -> Result<std::path::PathBuf, String> {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    let version =
        Command::new(&rustc).arg("-vV").output().map_err(|err| format!("cannot run {rustc}: {err}"))?;
    let version = String::from_utf8_lossy(&version.stdout);
    let host = version
        .lines()
        .find_map(|line| line.strip_prefix("host: "))
        .ok_or_else(|| format!("`{rustc} -vV` names no host"))?
        .trim()
        .to_owned();
    let mut flags = std::env::var("RUSTFLAGS").unwrap_or_default();
    flags.push(' ');
    flags.push_str(FUZZ_COVERAGE_RUSTFLAGS);
    let target_dir = Path::new("target").join("fuzz-cov");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let args = ["build", "--release", "--locked", "-p", "rockit-fuzz", "--target", &host, "--target-dir"];
    println!("==> RUSTFLAGS=\"{}\" cargo {} {}", flags.trim(), args.join(" "), target_dir.display());
    let status = Command::new(&cargo)
        .args(args)
        .arg(&target_dir)
        .env("RUSTFLAGS", flags.trim())
        // Would take precedence over RUSTFLAGS.
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .current_dir(root)
        .status()
        .map_err(|err| format!("cannot run {cargo}: {err}"))?;
    if !status.success() {
        return Err(format!("`cargo build` with coverage flags failed ({status})"));
    }
    Ok(root.join(target_dir).join(host).join("release").join("rockit-fuzz"))
}

/// `cargo xtask soak [--ops N] [--seed S]`: the mixed-fault soak at full size (20,000 operations by
/// default; CI runs 1,500 as part of the tests).
pub(crate) fn soak(root: &Path, args: &[String]) -> Result<(), String> {
    let ops = flag(args, "--ops").unwrap_or("20000").to_owned();
    let mut envs = vec![("ROCKIT_SOAK_OPS", ops)];
    if let Some(seed) = flag(args, "--seed") {
        envs.push(("ROCKIT_SOAK_SEED", seed.to_owned()));
    }
    cargo(
        root,
        &["test", "--release", "--locked", "-p", "rockit-tests", "--test", "it", "soak", "--", "--nocapture"],
        &envs,
    )
}

/// `cargo xtask deny [--advisories]`: licenses, bans and sources with `deny.toml`; advisories too
/// when asked, which needs the advisory database from the network. Installs cargo-deny if missing.
pub(crate) fn deny(root: &Path, args: &[String]) -> Result<(), String> {
    let installed =
        Command::new("cargo-deny").arg("--version").output().is_ok_and(|out| out.status.success());
    if !installed {
        println!("cargo-deny is not installed; installing it (takes several minutes on 2 cores)");
        cargo(root, &["install", "--locked", "cargo-deny"], &[])?;
    }
    let mut checks = vec!["deny", "--locked", "check", "licenses", "bans", "sources"];
    if args.iter().any(|arg| arg == "--advisories") {
        checks.push("advisories");
    }
    cargo(root, &checks, &[])
}
