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

/// `cargo xtask fuzz [--seconds N] [--seed S] [--target NAME]`: every fuzz target for a bounded
/// time (60 s in all by default), in release mode.
pub(crate) fn fuzz(root: &Path, args: &[String]) -> Result<(), String> {
    let mut forwarded = vec!["run", "--release", "--locked", "-p", "rockit-fuzz", "--"];
    for name in ["--seconds", "--seed", "--target"] {
        if let Some(value) = flag(args, name) {
            forwarded.extend([name, value]);
        }
    }
    cargo(root, &forwarded, &[]).map_err(|err| {
        format!("{err}; failing inputs were minimised into fuzz/regressions/, fix the bug and keep them")
    })
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
