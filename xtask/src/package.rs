//! The package step of `cargo xtask ci`: `cargo package` of the five published crates, with its
//! verify build, as crates.io would see them.
//!
//! Cargo verifies a crate that depends on another crate of the workspace against a local overlay
//! registry. It extracts that registry's crates into `$CARGO_HOME/registry/src/<overlay>/` and
//! builds them in the target directory, both keyed by name and version only, as if a registry
//! crate could never change: an earlier run's `0.1.0` (without the newest API) would be reused.
//! So this step removes such stale extractions of our own crates (no crate of those names exists
//! on crates.io) and verifies in a target directory of its own, `target/package-check`, emptied
//! first. That costs a build of the dependencies (a few minutes), never a false failure.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The crates `cargo package` packs; the internal ones (`publish = false`) depend on each other by
/// path only and are left out.
const PUBLISHED: &[&str] =
    &["rockit-model", "rockit-transport", "rockit-tasks", "rockit-emulator", "rockit-cli"];

/// Runs `cargo package` for the published crates after removing stale overlay extractions.
pub(crate) fn run(root: &Path) -> Result<(), String> {
    for stale in stale_extractions(&cargo_home()) {
        std::fs::remove_dir_all(&stale)
            .map_err(|err| format!("cannot remove the stale extraction {}: {err}", stale.display()))?;
    }
    let target = root.join("target").join("package-check");
    if target.exists() {
        std::fs::remove_dir_all(&target)
            .map_err(|err| format!("cannot empty {}: {err}", target.display()))?;
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut args = vec!["package".to_owned(), "--allow-dirty".to_owned()];
    for name in PUBLISHED {
        args.push("--package".to_owned());
        args.push((*name).to_owned());
    }
    println!("==> cargo {}", args.join(" "));
    let status = Command::new(&cargo)
        .args(&args)
        .env("CARGO_TARGET_DIR", &target)
        .current_dir(root)
        .status()
        .map_err(|err| format!("cannot run {cargo}: {err}"))?;
    if status.success() { Ok(()) } else { Err(format!("cargo package failed ({status})")) }
}

fn cargo_home() -> PathBuf {
    if let Some(home) = std::env::var_os("CARGO_HOME") {
        return PathBuf::from(home);
    }
    let home = std::env::var_os("HOME").map_or_else(|| PathBuf::from("."), PathBuf::from);
    home.join(".cargo")
}

/// Extracted sources of our published crates under `cargo_home`'s registries.
fn stale_extractions(cargo_home: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let Ok(registries) = std::fs::read_dir(cargo_home.join("registry").join("src")) else { return found };
    for registry in registries.flatten() {
        let Ok(crates) = std::fs::read_dir(registry.path()) else { continue };
        for krate in crates.flatten() {
            let name = krate.file_name();
            let name = name.to_string_lossy();
            let ours = PUBLISHED.iter().any(|published| {
                name.strip_prefix(published)
                    .and_then(|rest| rest.strip_prefix('-'))
                    .is_some_and(|version| version.starts_with(|ch: char| ch.is_ascii_digit()))
            });
            if ours {
                found.push(krate.path());
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_our_crates_extractions_are_stale() {
        let home = std::env::temp_dir().join(format!("rockit-xtask-package-{}", std::process::id()));
        let src = home.join("registry").join("src");
        for dir in [
            "-14cd1cce/rockit-model-0.1.0",
            "-14cd1cce/rockit-tasks-0.2.3",
            "index.crates.io/serde-1.0.0",
            "index.crates.io/rockit-modelling-1.0.0",
        ] {
            std::fs::create_dir_all(src.join(dir)).unwrap();
        }
        let mut stale: Vec<String> = stale_extractions(&home)
            .iter()
            .map(|path| path.strip_prefix(&src).unwrap().to_string_lossy().into_owned())
            .collect();
        stale.sort();
        std::fs::remove_dir_all(&home).unwrap();
        assert_eq!(stale, ["-14cd1cce/rockit-model-0.1.0", "-14cd1cce/rockit-tasks-0.2.3"]);
    }
}
