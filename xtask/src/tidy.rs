//! Fast source checks: every `.rs` file opens with a `//!` paragraph, no test is ignored, no
//! `todo!` or `dbg!` is left in library code, no file of a published crate is over 800 lines, no
//! two files of a crate import each other (directly
//! or round a longer circle), and the crates depend on each other only in the direction
//! ARCHITECTURE.md gives (read from `cargo metadata`).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// The layering of ARCHITECTURE.md: each workspace crate and the workspace crates its normal and
/// build dependencies may name. `model ← transport ← tasks ← cli`; the emulator depends on the
/// model only; the CLI embeds the emulator. Crates not listed (tests, fuzz, xtask) are free.
const LAYERS: &[(&str, &[&str])] = &[
    ("rockit-model", &[]),
    ("rockit-transport", &["rockit-model"]),
    ("rockit-tasks", &["rockit-model", "rockit-transport"]),
    ("rockit-emulator", &["rockit-model"]),
    ("rockit-cli", &["rockit-model", "rockit-transport", "rockit-tasks", "rockit-emulator"]),
    ("rockit-test-support", &["rockit-model"]),
];

/// Runs every check on the workspace at `root`; returns one line per problem.
pub(crate) fn check(root: &Path) -> Result<(), Vec<String>> {
    let mut problems = source_problems(root);
    problems.extend(module_cycles(root));
    match metadata(root) {
        Ok(metadata) => problems.extend(layering_problems(&metadata)),
        Err(problem) => problems.push(problem),
    }
    if problems.is_empty() { Ok(()) } else { Err(problems) }
}

/// `cargo metadata --no-deps` of the workspace at `root`: the declared dependencies, unresolved.
fn metadata(root: &Path) -> Result<Value, String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = Command::new(cargo)
        .args(["metadata", "--no-deps", "--format-version", "1", "--offline"])
        .current_dir(root)
        .output()
        .map_err(|err| format!("cannot run cargo metadata: {err}"))?;
    if !output.status.success() {
        return Err(format!("cargo metadata failed: {}", String::from_utf8_lossy(&output.stderr).trim()));
    }
    serde_json::from_slice(&output.stdout).map_err(|err| format!("cargo metadata printed no JSON: {err}"))
}

/// A line per dependency between workspace crates that points against [`LAYERS`].
fn layering_problems(metadata: &Value) -> Vec<String> {
    let packages = metadata["packages"].as_array().map(Vec::as_slice).unwrap_or_default();
    let members: Vec<&str> = packages.iter().filter_map(|package| package["name"].as_str()).collect();
    let mut problems = Vec::new();
    for package in packages {
        let Some(name) = package["name"].as_str() else { continue };
        let Some((_, allowed)) = LAYERS.iter().find(|(layer, _)| *layer == name) else { continue };
        let dependencies = package["dependencies"].as_array().map(Vec::as_slice).unwrap_or_default();
        for dependency in dependencies {
            let Some(target) = dependency["name"].as_str() else { continue };
            // Dev-dependencies (`"kind": "dev"`) may reach anywhere: tests run against the emulator.
            let normal = dependency["kind"].is_null() || dependency["kind"] == "build";
            if normal && members.contains(&target) && !allowed.contains(&target) {
                problems.push(format!(
                    "{name} depends on {target}, against the layering in ARCHITECTURE.md \
                     (model <- transport <- tasks <- cli; emulator <- model only)"
                ));
            }
        }
    }
    problems
}

/// The per-file checks.
fn source_problems(root: &Path) -> Vec<String> {
    let mut files = Vec::new();
    collect_rust_files(root, &mut files);
    files.sort();
    let mut problems = Vec::new();
    // Built from pieces so that this file does not trip its own checks.
    let ignore_attr = concat!("#[", "ignore");
    let forbidden_macros = [concat!("todo", "!("), concat!("dbg", "!(")];
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else {
            problems.push(format!("{}: not valid UTF-8", relative(root, path)));
            continue;
        };
        let shown = relative(root, path);
        if is_crate_source(&shown) && text.lines().count() > MAX_FILE_LINES {
            problems.push(format!(
                "{shown}: {} lines, over {MAX_FILE_LINES}; split it by what its parts are about",
                text.lines().count()
            ));
        }
        if !text.starts_with("//!") {
            problems.push(format!("{shown}: must start with a `//!` line saying what lives in the file"));
        }
        for (number, line) in text.lines().enumerate() {
            if line.trim_start().starts_with(ignore_attr) {
                problems.push(format!("{shown}:{}: ignored test; fix it or delete it", number + 1));
            }
            if is_library_code(&shown) {
                for forbidden in forbidden_macros {
                    if line.contains(forbidden) && !line.trim_start().starts_with("//") {
                        problems.push(format!("{shown}:{}: `{forbidden}` left in library code", number + 1));
                    }
                }
            }
        }
    }
    problems
}

/// A line per circle of files that import each other (`crate::…` paths) inside one crate's `src`
/// under `crates/`. The crate root (`lib.rs`, `main.rs`), which declares and re-exports every
/// module, is left out.
fn module_cycles(root: &Path) -> Vec<String> {
    let Ok(crates) = std::fs::read_dir(root.join("crates")) else { return Vec::new() };
    let mut dirs: Vec<PathBuf> =
        crates.flatten().map(|entry| entry.path().join("src")).filter(|src| src.is_dir()).collect();
    dirs.sort();
    let mut problems = Vec::new();
    for src in dirs {
        let mut files = Vec::new();
        collect_rust_files(&src, &mut files);
        files.sort();
        let module = |path: &Path| -> Option<String> {
            let rel = relative(&src, path);
            let rel = rel.strip_suffix(".rs")?;
            let rel = rel.strip_suffix("/mod").unwrap_or(rel);
            (!matches!(rel, "lib" | "main") && !rel.starts_with("bin/")).then(|| rel.replace('/', "::"))
        };
        let modules: Vec<(String, &PathBuf)> =
            files.iter().filter_map(|path| Some((module(path)?, path))).collect();
        let names: Vec<&str> = modules.iter().map(|(name, _)| name.as_str()).collect();
        let edges: Vec<Vec<usize>> = modules
            .iter()
            .map(|(from, path)| {
                let text = std::fs::read_to_string(path).unwrap_or_default();
                let mut to: Vec<usize> =
                    imported(&text, &names).into_iter().filter(|&at| names[at] != from).collect();
                to.sort_unstable();
                to.dedup();
                to
            })
            .collect();
        for circle in circles(&edges) {
            let mut shown: Vec<String> = circle.iter().map(|&at| relative(root, modules[at].1)).collect();
            shown.push(shown[0].clone());
            problems.push(format!(
                "module cycle: {}; move what both need into one of them or a third",
                shown.join(" -> ")
            ));
        }
    }
    problems
}

/// The modules (indexes into `names`) that `crate::…` paths in `text` reach: the longest known
/// prefix of each path, with `{a, b}` groups opened one level.
fn imported(text: &str, names: &[&str]) -> Vec<usize> {
    let mut found = Vec::new();
    for (at, _) in text.match_indices("crate::") {
        if text[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == '$') {
            continue;
        }
        let rest = &text[at + "crate::".len()..];
        let paths: Vec<&str> = match rest.strip_prefix('{') {
            // `crate::{a::X, b::{Y, Z}}`: each item, its own groups cut at the brace.
            Some(group) => {
                let mut depth = 0_usize;
                let mut end = group.len();
                for (index, c) in group.char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' if depth == 0 => {
                            end = index;
                            break;
                        }
                        '}' => depth -= 1,
                        _ => {}
                    }
                }
                group[..end].split(',').collect()
            }
            None => vec![rest],
        };
        for path in paths {
            let path: String = path
                .trim_start()
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            let segments: Vec<&str> = path.split("::").filter(|segment| !segment.is_empty()).collect();
            let longest = (1..=segments.len()).rev().find_map(|len| {
                let candidate = segments[..len].join("::");
                names.iter().position(|name| *name == candidate)
            });
            found.extend(longest);
        }
    }
    found
}

/// Each circle of the graph once, as the modules round it, smallest index first.
fn circles(edges: &[Vec<usize>]) -> Vec<Vec<usize>> {
    fn walk(edges: &[Vec<usize>], start: usize, at: usize, path: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
        for &next in &edges[at] {
            if next == start {
                out.push(path.clone());
            } else if next > start && !path.contains(&next) && path.len() < 6 {
                path.push(next);
                walk(edges, start, next, path, out);
                path.pop();
            }
        }
    }
    let mut out = Vec::new();
    for start in 0..edges.len() {
        walk(edges, start, start, &mut vec![start], &mut out);
    }
    out
}

/// The most lines a source file of `crates/*/src` may have; functions are held to 80 by clippy
/// (`clippy.toml`).
const MAX_FILE_LINES: usize = 800;

/// Sources of the published crates: `crates/*/src`.
fn is_crate_source(relative: &str) -> bool {
    relative.starts_with("crates/") && relative.contains("/src/")
}

/// Library sources: `crates/*/src`, except binaries' `main.rs` and `bin/`.
fn is_library_code(relative: &str) -> bool {
    relative.starts_with("crates/")
        && relative.contains("/src/")
        && !relative.ends_with("/main.rs")
        && !relative.contains("/src/bin/")
}

fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root).unwrap_or(path).to_string_lossy().replace('\\', "/")
}

fn collect_rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') || name == "target" || name == "fuzz_target" {
            continue;
        }
        if path.is_dir() {
            collect_rust_files(&path, out);
        } else if name.ends_with(".rs") {
            out.push(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workspace_is_tidy() {
        let root = crate::repo_root();
        if let Err(problems) = check(&root) {
            panic!("tidy problems:\n{}", problems.join("\n"));
        }
    }

    #[test]
    fn tidy_catches_each_problem() {
        let dir = std::env::temp_dir().join(format!("rockit-tidy-{}", std::process::id()));
        let src = dir.join("crates/demo/src");
        std::fs::create_dir_all(&src).unwrap();
        std::fs::write(src.join("lib.rs"), "fn f() {}\n").unwrap();
        std::fs::write(
            src.join("more.rs"),
            format!("//! ok\n{}]\nfn g() {{ {}1); }}\n", concat!("#[", "ignore"), concat!("dbg", "!(")),
        )
        .unwrap();
        std::fs::write(src.join("long.rs"), format!("//! long\n{}", "fn f() {}\n".repeat(MAX_FILE_LINES)))
            .unwrap();
        let problems = source_problems(&dir);
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(problems.len(), 4, "{problems:#?}");
        assert!(problems[1].contains("long.rs: 801 lines, over 800"), "{problems:#?}");
        let problems: Vec<String> =
            problems.into_iter().filter(|problem| !problem.contains("long.rs")).collect();
        assert!(problems[0].contains("crates/demo/src/lib.rs: must start with a `//!` line"));
        assert!(problems[1].contains("more.rs:2: ignored test"));
        assert!(problems[2].contains("more.rs:3: `dbg!(` left in library code"));
    }

    #[test]
    fn tidy_catches_files_that_import_each_other() {
        let dir = std::env::temp_dir().join(format!("rockit-tidy-cycles-{}", std::process::id()));
        let src = dir.join("crates/demo/src");
        std::fs::create_dir_all(src.join("deep")).unwrap();
        std::fs::write(src.join("lib.rs"), "//! root\npub use crate::a::A;\n").unwrap();
        std::fs::write(src.join("a.rs"), "//! a\nuse crate::b::B;\npub struct A;\n").unwrap();
        std::fs::write(src.join("b.rs"), "//! b\nuse crate::{deep::c::C, A};\npub struct B;\n").unwrap();
        std::fs::write(src.join("deep/c.rs"), "//! c\nfn f() -> crate::a::A { todo() }\n").unwrap();
        std::fs::write(src.join("d.rs"), "//! d, imports only\nuse crate::a::A;\n").unwrap();
        let problems = module_cycles(&dir);
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(
            problems,
            vec![
                "module cycle: crates/demo/src/a.rs -> crates/demo/src/b.rs -> crates/demo/src/deep/c.rs -> crates/demo/src/a.rs; move what both need into one of them or a third"
                    .to_owned()
            ]
        );
    }

    #[test]
    fn tidy_catches_a_dependency_against_the_layering() {
        let package = |name: &str, deps: &[(&str, Option<&str>)]| {
            let deps: Vec<Value> =
                deps.iter().map(|(dep, kind)| serde_json::json!({"name": dep, "kind": kind})).collect();
            serde_json::json!({"name": name, "dependencies": deps})
        };
        let workspace = |model_deps: &[(&str, Option<&str>)], emulator_deps: &[(&str, Option<&str>)]| {
            serde_json::json!({"packages": [
                package("rockit-model", model_deps),
                package("rockit-transport", &[("rockit-model", None), ("reqwest", None)]),
                package("rockit-emulator", emulator_deps),
                package("rockit-tests", &[("rockit-cli", None)]),
                package("rockit-cli", &[]),
                package("rockit-tasks", &[]),
            ]})
        };
        // As ARCHITECTURE.md says: no problem; dev-dependencies and external crates are free.
        let good = workspace(&[("serde", None), ("rockit-tasks", Some("dev"))], &[("rockit-model", None)]);
        assert_eq!(layering_problems(&good), Vec::<String>::new());
        // The model reaching up, and the emulator reaching into the client side.
        let bad = workspace(
            &[("rockit-transport", None)],
            &[("rockit-model", None), ("rockit-tasks", Some("build"))],
        );
        let problems = layering_problems(&bad);
        assert_eq!(problems.len(), 2, "{problems:#?}");
        assert!(problems[0].starts_with("rockit-model depends on rockit-transport, against the layering"));
        assert!(problems[1].starts_with("rockit-emulator depends on rockit-tasks"));
    }
}
