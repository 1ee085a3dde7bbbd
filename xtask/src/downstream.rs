//! The downstream step of `cargo xtask ci`: `examples/downstream`, a crate in a workspace of its own
//! that extends the SDK from outside as users do, gets the fmt check, clippy and its tests.
//!
//! It builds in this workspace's target directory, and its committed `Cargo.lock` must pin the
//! versions this workspace's lockfile pins (checked first): with the same versions, features
//! and profile, every registry crate is an artifact the workspace's own steps already built, and
//! only the rockit crates and the example itself compile. The step costs seconds, not minutes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Where the downstream workspace lives, relative to the repository root.
pub(crate) const DIR: &str = "examples/downstream";

/// Checks the downstream lockfile against ours, then runs fmt check, clippy and tests on the
/// downstream workspace.
pub(crate) fn run(root: &Path) -> Result<(), String> {
    let dir = root.join(DIR);
    lockfile_drift(root).map_err(|problems| {
        for problem in &problems {
            eprintln!("downstream: {problem}");
        }
        format!("{DIR}/Cargo.lock has drifted from Cargo.lock; {}", refresh_hint())
    })?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let manifest = dir.join("Cargo.toml");
    let manifest = manifest.to_string_lossy();
    let steps: [(&str, Vec<&str>); 3] = [
        ("fmt", vec!["fmt", "--manifest-path", &manifest, "--", "--check"]),
        (
            "clippy",
            vec!["clippy", "--manifest-path", &manifest, "--all-targets", "--locked", "--", "-D", "warnings"],
        ),
        ("test", vec!["test", "--manifest-path", &manifest, "--locked"]),
    ];
    let target_dir = target_dir(root);
    for (name, args) in steps {
        println!("==> downstream: cargo {}", args.join(" "));
        let status = Command::new(&cargo)
            .args(&args)
            .env("CARGO_TARGET_DIR", &target_dir)
            .current_dir(&dir)
            .status()
            .map_err(|err| format!("cannot run {cargo}: {err}"))?;
        if !status.success() {
            return Err(format!(
                "downstream step `{name}` failed ({status}); if cargo said the lock file needs to be \
                 updated, our crates' dependencies changed: {}",
                refresh_hint()
            ));
        }
    }
    Ok(())
}

/// `cargo xtask downstream --fresh`: the example as a user meets it. A copy in
/// `target/downstream-fresh/` with its path dependencies made absolute, no lockfile (cargo resolves
/// one, as for a new project, with the newest compatible versions) and a target directory of its
/// own, then its tests. It builds every dependency anew (117 crates): about 30 s on a 2-core
/// machine, as the example's dev profile builds dependencies without debug info. `ci` runs it
/// after the shared-target step, which catches most problems in seconds.
pub(crate) fn fresh(root: &Path) -> Result<(), String> {
    let work = root.join("target").join("downstream-fresh");
    let copy = work.join("downstream");
    if copy.exists() {
        std::fs::remove_dir_all(&copy).map_err(|err| format!("cannot empty {}: {err}", copy.display()))?;
    }
    copy_tree(&root.join(DIR), &copy)?;
    let _ = std::fs::remove_file(copy.join("Cargo.lock"));
    let manifest = copy.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest)
        .map_err(|err| format!("cannot read the copy's manifest: {err}"))?;
    let crates = root.join("crates");
    let text = text.replace("path = \"../../crates/", &format!("path = \"{}/", crates.display()));
    std::fs::write(&manifest, text).map_err(|err| format!("cannot write the copy's manifest: {err}"))?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    println!(
        "==> downstream --fresh: cargo test in {} with a lockfile and target of its own",
        copy.display()
    );
    let status = Command::new(&cargo)
        .args(["test", "--manifest-path"])
        .arg(&manifest)
        .env("CARGO_TARGET_DIR", work.join("target"))
        .current_dir(&copy)
        .status()
        .map_err(|err| format!("cannot run {cargo}: {err}"))?;
    if !status.success() {
        return Err(format!("the fresh downstream build or its tests failed ({status})"));
    }
    Ok(())
}

/// Copies the files of `from` below `to`, leaving out `target`.
fn copy_tree(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::create_dir_all(to).map_err(|err| format!("cannot create {}: {err}", to.display()))?;
    let entries = std::fs::read_dir(from).map_err(|err| format!("cannot read {}: {err}", from.display()))?;
    for entry in entries {
        let entry = entry.map_err(|err| format!("cannot read {}: {err}", from.display()))?;
        let (path, name) = (entry.path(), entry.file_name());
        if path.is_dir() {
            if name != "target" {
                copy_tree(&path, &to.join(&name))?;
            }
        } else {
            std::fs::copy(&path, to.join(&name))
                .map_err(|err| format!("cannot copy {}: {err}", path.display()))?;
        }
    }
    Ok(())
}

/// The target directory to share: the workspace's own, as cargo would pick it for us.
fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from)
}

fn refresh_hint() -> String {
    format!(
        "refresh it from ours with `cp Cargo.lock {DIR}/Cargo.lock && cargo tree --offline --manifest-path \
         {DIR}/Cargo.toml > /dev/null` (cargo drops what the example does not use and keeps our versions)"
    )
}

/// One line per registry package whose version in the downstream lockfile is not one that ours
/// pins.
fn lockfile_drift(root: &Path) -> Result<(), Vec<String>> {
    let read = |path: PathBuf| {
        std::fs::read_to_string(&path).map_err(|err| vec![format!("cannot read {}: {err}", path.display())])
    };
    let ours = read(root.join("Cargo.lock"))?;
    let theirs = read(root.join(DIR).join("Cargo.lock"))?;
    drift(&locked_versions(&ours), &locked_versions(&theirs))
}

/// The registry packages of a `Cargo.lock`: name → versions (a crate may be locked at several).
/// Path packages (ours, and the example) have no `source` and are left out.
fn locked_versions(lockfile: &str) -> BTreeMap<String, Vec<String>> {
    let mut versions: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for package in lockfile.split("[[package]]").skip(1) {
        let field = |key: &str| {
            package.lines().find_map(|line| {
                let value = line.strip_prefix(key)?.trim_start().strip_prefix('=')?.trim();
                Some(value.trim_matches('"').to_owned())
            })
        };
        if let (Some(name), Some(version), Some(_source)) = (field("name"), field("version"), field("source"))
        {
            versions.entry(name).or_default().push(version);
        }
    }
    versions
}

fn drift(
    ours: &BTreeMap<String, Vec<String>>,
    theirs: &BTreeMap<String, Vec<String>>,
) -> Result<(), Vec<String>> {
    let mut problems = Vec::new();
    for (name, versions) in theirs {
        for version in versions {
            if !ours.get(name).is_some_and(|known| known.contains(version)) {
                let known = ours.get(name).map_or_else(|| "nothing".to_owned(), |known| known.join(", "));
                problems.push(format!("{name} {version} is locked there, Cargo.lock has {known}"));
            }
        }
    }
    if problems.is_empty() { Ok(()) } else { Err(problems) }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCK: &str = r#"
version = 4

[[package]]
name = "axum"
version = "0.8.9"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "00"
dependencies = [
 "axum-core",
]

[[package]]
name = "rockit-model"
version = "0.1.0"
dependencies = [
 "serde",
]

[[package]]
name = "serde"
version = "1.0.228"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "serde"
version = "1.0.229"
source = "registry+https://github.com/rust-lang/crates.io-index"
"#;

    #[test]
    fn registry_packages_are_read_with_every_version() {
        let versions = locked_versions(LOCK);
        assert_eq!(versions.keys().collect::<Vec<_>>(), ["axum", "serde"]);
        assert_eq!(versions["serde"], ["1.0.228", "1.0.229"]);
    }

    #[test]
    fn a_version_ours_does_not_lock_is_drift() {
        let ours = locked_versions(LOCK);
        let theirs = locked_versions(&LOCK.replace("0.8.9", "0.8.10").replace("1.0.228", "1.0.229"));
        assert_eq!(drift(&ours, &theirs).unwrap_err(), ["axum 0.8.10 is locked there, Cargo.lock has 0.8.9"]);
        let extra =
            format!("{LOCK}\n[[package]]\nname = \"anyhow\"\nversion = \"1.0.0\"\nsource = \"registry+x\"\n");
        assert_eq!(
            drift(&ours, &locked_versions(&extra)).unwrap_err(),
            ["anyhow 1.0.0 is locked there, Cargo.lock has nothing"]
        );
        assert_eq!(drift(&ours, &ours), Ok(()));
    }

    /// The repository's downstream lockfile pins our versions: plain `cargo test` catches drift.
    #[test]
    fn the_downstream_lockfile_pins_our_versions() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        if let Err(problems) = lockfile_drift(root) {
            panic!("{}\n{}", problems.join("\n"), refresh_hint());
        }
    }
}
