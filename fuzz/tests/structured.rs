//! The structure-aware generator keeps doing what it is for: most of its inputs decode, they hold
//! every shape and every kind of value the brief of the generator names, its hostile inputs are
//! refused for the reasons they were written for, and runs with it decode more than byte
//! mutations alone. Seeded and counted, never timed.

use std::collections::BTreeSet;

use rockit_fuzz::structured::{Generator, WANTED};
use rockit_fuzz::{Inputs, Options, TARGETS, check, coverage, run};
use rockit_model::{TaskDetails, TaskListResponse, TaskName};
use serde_json::Value;

/// Inputs per batch.
const BATCH: usize = 2_000;

/// Asserts that every label in `expected` was seen.
fn assert_seen(seen: &BTreeSet<&str>, expected: &[&str]) {
    let missing: Vec<_> = expected.iter().filter(|label| !seen.contains(*label)).collect();
    assert!(missing.is_empty(), "never generated: {missing:?}; seen: {seen:?}");
}

#[test]
fn generated_inputs_decode_at_the_stated_shares() {
    for target in TARGETS {
        let mut generator = Generator::new(7);
        let (mut clean, mut clean_decoded, mut hostile, mut hostile_decoded) = (0, 0, 0, 0);
        for _ in 0..BATCH {
            let input = (target.generate)(&mut generator);
            let decoded = check(target, &input).unwrap_or_else(|message| {
                panic!("{}: {message}: {}", target.name, String::from_utf8_lossy(&input))
            });
            if generator.is_hostile() {
                hostile += 1;
                hostile_decoded += usize::from(decoded);
            } else {
                clean += 1;
                clean_decoded += usize::from(decoded);
            }
        }
        let name = target.name;
        // Two inputs in five are hostile.
        assert!(clean >= BATCH / 2 && hostile >= BATCH / 4, "{name}: {clean} clean, {hostile} hostile");
        // Clean inputs decode, but for one in a hundred at most (a list envelope of several
        // tasks wrapped as `{"task": ...}`, which no name picks from).
        assert!(clean_decoded * 100 >= clean * 99, "{name}: {clean_decoded} of {clean} clean inputs decoded");
        // At least half of all inputs decode, and at least one hostile input in ten is refused.
        assert!(
            (clean_decoded + hostile_decoded) * 2 >= BATCH,
            "{name}: {clean_decoded} + {hostile_decoded}"
        );
        assert!(
            hostile_decoded * 10 <= hostile * 9,
            "{name}: {hostile_decoded} of {hostile} hostile decoded"
        );
    }
}

/// The deepest nesting of arrays and objects in `value`.
fn depth(value: &Value) -> usize {
    match value {
        Value::Array(items) => 1 + items.iter().map(depth).max().unwrap_or(0),
        Value::Object(members) => 1 + members.values().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

/// Labels what a decoded task holds.
fn label_details(details: &TaskDetails, seen: &mut BTreeSet<&'static str>) {
    if let Some(exception) = &details.exception {
        if exception.http_download_failed().is_some() {
            seen.insert("httpDownloadFailed");
        }
        if exception.file_read_failed().is_some() {
            seen.insert("fileReadFailed");
        }
        if exception.error_message().is_some() {
            seen.insert("error");
        }
        if exception
            .fields
            .keys()
            .any(|k| !["httpDownloadFailed", "fileReadFailed", "error"].contains(&k.as_str()))
        {
            seen.insert("unknown exception kind");
        }
    }
    if details.extra.contains_key("exception") {
        seen.insert("exception of another shape, kept");
    }
    match details.warning.as_ref().map(|w| &w.0) {
        Some(Value::String(_)) => seen.insert("warning text"),
        Some(Value::Object(_)) => seen.insert("warning object"),
        _ => false,
    };
    for timestamp in [&details.created_at, &details.updated_at].into_iter().flatten() {
        match (&timestamp.0, timestamp.unix_seconds()) {
            (Value::Number(n), Some(_)) if n.as_u64() > Some(100_000_000_000) => {
                seen.insert("timestamp in ms")
            }
            (Value::Number(_), Some(_)) => seen.insert("timestamp in s"),
            (Value::Number(_), None) => seen.insert("timestamp not whole seconds"),
            (Value::String(_), Some(_)) => seen.insert("timestamp as numeric text"),
            (Value::String(_), None) => seen.insert("timestamp as other text"),
            _ => seen.insert("timestamp of another type"),
        };
    }
    let name = details.name.as_str();
    if name.len() == rockit_model::MAX_TASK_NAME_LEN {
        seen.insert("name of 256 bytes");
    }
    if name.contains(['\u{202e}', '\u{200b}']) {
        seen.insert("name with bidi or zero-width characters");
    }
    if details.status.is_unknown() || details.service.is_unknown() {
        seen.insert("unknown status or service");
    }
    if details.extra.values().any(|value| depth(value) >= 3) {
        seen.insert("nested unknown fields");
    }
    if details.extra.values().any(|value| depth(value) >= 90) {
        seen.insert("nesting close to the limit");
    }
}

#[test]
fn generated_details_hold_every_shape_and_kind_of_value() {
    let mut generator = Generator::new(11);
    let wanted: TaskName = WANTED.parse().unwrap();
    let mut seen = BTreeSet::new();
    for _ in 0..BATCH {
        let input = generator.task_details();
        if input.windows(3).any(|w| w == b"\\u0") {
            seen.insert("escaped characters");
        }
        let plain = serde_json::from_slice::<TaskDetails>(&input);
        let picked = TaskDetails::from_json_for(&input, &wanted);
        let ((Ok(details), _) | (_, Ok(details))) = (&plain, &picked) else {
            let message = plain.unwrap_err().to_string();
            for (cause, label) in [
                ("invalid task name", "refused: task name"),
                ("invalid type", "refused: wrong type"),
                ("surrogate", "refused: lone surrogate"),
                ("number out of range", "refused: number out of range"),
                ("recursion limit", "refused: nesting too deep"),
                ("list envelope with", "refused: envelope of several tasks"),
            ] {
                if message.contains(cause) {
                    seen.insert(label);
                }
            }
            continue;
        };
        let top: Value = serde_json::from_slice(&input).unwrap();
        seen.insert(if top.get("name").is_some() {
            "bare"
        } else if top.get("task").is_some() {
            "wrapped"
        } else {
            "envelope"
        });
        if plain.is_err() {
            seen.insert("picked by name from several tasks");
        }
        label_details(details, &mut seen);
    }
    assert_seen(
        &seen,
        &[
            "bare",
            "wrapped",
            "envelope",
            "picked by name from several tasks",
            "httpDownloadFailed",
            "fileReadFailed",
            "error",
            "unknown exception kind",
            "exception of another shape, kept",
            "warning text",
            "warning object",
            "timestamp in s",
            "timestamp in ms",
            "timestamp not whole seconds",
            "timestamp as numeric text",
            "timestamp as other text",
            "name of 256 bytes",
            "name with bidi or zero-width characters",
            "unknown status or service",
            "nested unknown fields",
            "nesting close to the limit",
            "escaped characters",
            "refused: task name",
            "refused: wrong type",
            "refused: lone surrogate",
            "refused: number out of range",
            "refused: nesting too deep",
            "refused: envelope of several tasks",
        ],
    );
}

#[test]
fn generated_lists_hold_edges_and_hostile_values() {
    let mut generator = Generator::new(13);
    let mut seen = BTreeSet::new();
    for _ in 0..BATCH {
        let input = generator.list_response();
        match serde_json::from_slice::<TaskListResponse>(&input) {
            Ok(list) => {
                seen.insert(match list.tasks.len() {
                    0 => "no tasks",
                    1..10 => "a few tasks",
                    _ => "ten tasks or more",
                });
                if list.total_count == u64::MAX {
                    seen.insert("count u64::MAX");
                }
                if list.status.is_unknown() {
                    seen.insert("unknown API status");
                }
                if list.tasks.iter().any(|task| task.status.is_unknown()) {
                    seen.insert("unknown task status");
                }
                if input.first() == Some(&b'[') {
                    seen.insert("envelope as an array");
                }
                if list.tasks.iter().any(|task| !task.name.as_str().is_ascii()) {
                    seen.insert("non-ASCII name");
                }
            }
            Err(err) => {
                let message = err.to_string();
                for (cause, label) in [
                    ("duplicate field", "refused: duplicated field"),
                    ("invalid task name", "refused: task name"),
                    ("invalid type", "refused: wrong type"),
                    ("invalid value", "refused: count out of range"),
                ] {
                    if message.contains(cause) {
                        seen.insert(label);
                    }
                }
            }
        }
    }
    assert_seen(
        &seen,
        &[
            "no tasks",
            "a few tasks",
            "ten tasks or more",
            "count u64::MAX",
            "unknown API status",
            "unknown task status",
            "envelope as an array",
            "non-ASCII name",
            "refused: duplicated field",
            "refused: task name",
            "refused: wrong type",
            "refused: count out of range",
        ],
    );
}

#[test]
fn generated_names_reach_both_sides_of_every_rule() {
    let mut generator = Generator::new(17);
    let mut seen = BTreeSet::new();
    for _ in 0..BATCH {
        let input = generator.task_name();
        let text = String::from_utf8_lossy(&input);
        match text.parse::<TaskName>() {
            Ok(name) => {
                if name.parts().is_some() {
                    seen.insert("conventional");
                } else {
                    seen.insert("unconventional");
                }
                if name.as_str().len() == 256 {
                    seen.insert("256 bytes");
                }
                if name.as_str().contains('\u{202e}') {
                    seen.insert("bidi override");
                }
            }
            Err(err) => {
                let reason = err.task_name_error().map(|reason| format!("{reason:?}")).unwrap_or_default();
                let label = reason.split([' ', '{', '(']).next().unwrap_or_default().to_owned();
                seen.insert(Box::leak(label.into_boxed_str()));
            }
        }
    }
    assert_seen(
        &seen,
        &[
            "conventional",
            "unconventional",
            "256 bytes",
            "bidi override",
            "Empty",
            "TooLong",
            "DotSegment",
            "ForbiddenChar",
        ],
    );
}

#[test]
fn structure_aware_runs_decode_more_than_byte_mutations() {
    for target in TARGETS {
        let bytes = run(target, &Options::new(42, 4_000), || true);
        let structured = run(target, &Options::new(42, 4_000).inputs(Inputs::Structured), || true);
        assert!(bytes.failures.is_empty() && structured.failures.is_empty(), "{}", target.name);
        assert_eq!((bytes.generated, structured.generated > 500), (0, true), "{}", target.name);
        assert!(
            structured.decoded > 2 * bytes.decoded + 100,
            "{}: {} decoded with structure-aware inputs, {} with byte mutations",
            target.name,
            structured.decoded,
            bytes.decoded
        );
    }
}

#[test]
fn a_plain_build_says_coverage_was_not_measured() {
    // The tests are not built with SanitizerCoverage: no guard was registered, so no edge count
    // is reported (rather than a count of 0).
    assert_eq!(coverage::instrumented_edges(), None);
    let report = run(&TARGETS[0], &Options::new(1, 100), || true);
    assert_eq!(report.edges, None);
}
