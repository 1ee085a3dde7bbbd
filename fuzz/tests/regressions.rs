//! Replays every saved failing input, and runs each target briefly and deterministically, so plain
//! `cargo test` exercises the fuzz targets.

use rockit_fuzz::{TARGETS, check, run};

#[test]
fn saved_regressions_pass() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("regressions");
    let mut replayed = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|ext| ext != "bin") {
            continue;
        }
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        let target = TARGETS.iter().find(|t| file.starts_with(&format!("{}-", t.name)));
        let target = target.unwrap_or_else(|| panic!("{file} names no target"));
        let input = std::fs::read(&path).unwrap();
        assert_eq!(check(target, &input), None, "{file} fails again");
        replayed += 1;
    }
    eprintln!("replayed {replayed} saved input(s)");
}

#[test]
fn every_target_survives_a_short_deterministic_run() {
    for target in TARGETS {
        let report = run(target, 42, 3_000, || true);
        assert_eq!(report.executions, 3_000, "{}", target.name);
        assert!(report.failures.is_empty(), "{}: {:?}", target.name, report.failures);
    }
}

#[test]
fn a_broken_invariant_is_caught_and_minimised() {
    let target = rockit_fuzz::Target {
        name: "demo",
        run: |bytes| assert!(!bytes.windows(3).any(|w| w == b"bad"), "found it"),
    };
    let failing = b"{\"status\":\"bad\",\"x\":1}";
    assert_eq!(check(&target, failing).as_deref(), Some("found it"));
    assert_eq!(rockit_fuzz::minimise(&target, failing), b"bad");
}
