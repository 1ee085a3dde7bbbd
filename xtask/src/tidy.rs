//! Fast source checks: every `.rs` file opens with a `//!` paragraph, no test is ignored, and no
//! `todo!` or `dbg!` is left in library code.

use std::path::{Path, PathBuf};

/// Runs every check on the workspace at `root`; returns one line per problem.
pub(crate) fn check(root: &Path) -> Result<(), Vec<String>> {
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
    if problems.is_empty() { Ok(()) } else { Err(problems) }
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
        let problems = check(&dir).unwrap_err();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(problems.len(), 3, "{problems:#?}");
        assert!(problems[0].contains("crates/demo/src/lib.rs: must start with a `//!` line"));
        assert!(problems[1].contains("more.rs:2: ignored test"));
        assert!(problems[2].contains("more.rs:3: `dbg!(` left in library code"));
    }
}
