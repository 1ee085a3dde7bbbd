//! Replays every saved input and the seed corpus through the targets, and runs each target
//! briefly and deterministically, so plain `cargo test` exercises the fuzz targets.

use std::collections::BTreeMap;
use std::path::Path;

use rockit_fuzz::structured::Generator;
use rockit_fuzz::{Inputs, Options, TARGETS, Target, check, corpus, run};
use rockit_model::{ErrorBody, TaskDetails, TaskListResponse, TaskName, TaskSummary, UpdateTask};

/// The targets a saved file is for: `<target>-…` names one, `all-…` every target.
fn targets_of(file: &str) -> Vec<&'static Target> {
    if file.starts_with("all-") {
        return TARGETS.iter().collect();
    }
    let target = TARGETS.iter().find(|t| file.starts_with(&format!("{}-", t.name)));
    vec![target.unwrap_or_else(|| panic!("{file} names no target (nor `all`)"))]
}

#[test]
fn saved_inputs_pass() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("regressions");
    let mut replayed: BTreeMap<&str, usize> = BTreeMap::new();
    let mut failures = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|ext| ext != "bin") {
            continue;
        }
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        let input = std::fs::read(&path).unwrap();
        for target in targets_of(&file) {
            if let Err(message) = check(target, &input) {
                failures.push(format!("{file} fails {} again: {message}", target.name));
            }
            *replayed.entry(target.name).or_default() += 1;
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    // The folder holds the model's hostile cases: every target must have had some to replay, or
    // this test could pass without running anything.
    for target in TARGETS {
        let count = replayed.get(target.name).copied().unwrap_or(0);
        assert!(count >= 20, "only {count} saved input(s) for {}", target.name);
    }
}

#[test]
fn the_seed_corpus_passes_every_target() {
    let corpus = corpus();
    for target in TARGETS {
        for input in &corpus {
            let outcome = check(target, input);
            assert!(outcome.is_ok(), "{}: {}: {outcome:?}", target.name, String::from_utf8_lossy(input));
        }
    }
    // The corpus reaches past the decoders' error paths: each decoding target gets an input it
    // decodes, so its round-trip invariants run on real values.
    let decodes = |decode: &dyn Fn(&[u8]) -> bool| corpus.iter().filter(|input| decode(input)).count();
    assert!(decodes(&|b| serde_json::from_slice::<TaskListResponse>(b).is_ok()) >= 1);
    assert!(decodes(&|b| serde_json::from_slice::<TaskSummary>(b).is_ok()) >= 1);
    assert!(decodes(&|b| serde_json::from_slice::<TaskDetails>(b).is_ok()) >= 2);
    assert!(decodes(&|b| serde_json::from_slice::<UpdateTask>(b).is_ok()) >= 1);
    assert!(decodes(&|b| ErrorBody::parse(b).code.is_some()) >= 1);
    assert!(decodes(&|b| std::str::from_utf8(b).is_ok_and(|s| s.parse::<TaskName>().is_ok())) >= 2);
}

#[test]
fn every_target_survives_a_short_deterministic_run() {
    for target in TARGETS {
        for inputs in [Inputs::Bytes, Inputs::Structured] {
            let report = run(target, &Options::new(42, 3_000).inputs(inputs), || true);
            assert_eq!(report.executions, 3_000, "{} {inputs:?}", target.name);
            assert!(report.failures.is_empty(), "{} {inputs:?}: {:?}", target.name, report.failures);
        }
    }
}

#[test]
fn a_broken_invariant_is_caught_and_minimised() {
    let target = Target {
        name: "demo",
        run: |bytes| {
            assert!(!bytes.windows(3).any(|w| w == b"bad"), "found it");
            true
        },
        generate: Generator::any_json,
    };
    let failing = b"{\"status\":\"bad\",\"x\":1}";
    assert_eq!(check(&target, failing), Err("found it".to_owned()));
    assert_eq!(check(&target, b"{}"), Ok(true));
    assert_eq!(rockit_fuzz::minimise(&target, failing), b"bad");
}
