//! Fuzz targets for everything that reads untrusted bytes in `rockit-model`, and a small mutation
//! engine that drives them on the stable toolchain for a bounded time.
//!
//! cargo-fuzz needs a nightly toolchain, which this project's machines cannot install, so this is
//! the stable equivalent: inputs are mutated from a seed corpus (the vendor's examples and the
//! shapes the emulator sends) with byte- and token-level mutations. It is **not** coverage-guided;
//! it compensates with JSON-aware mutations and many iterations. Every target checks invariants
//! beyond "does not panic": whatever decodes must re-encode and decode to the same value.
//! A failing input is minimised and written to `fuzz/regressions/`, whose files a test replays
//! forever after.

use std::panic::{AssertUnwindSafe, catch_unwind};

use rockit_model::{ErrorBody, TaskDetails, TaskListResponse, TaskName, TaskSummary, UpdateTask};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// A fuzz target: a name and a function that panics when an invariant breaks.
#[derive(Debug, Clone, Copy)]
pub struct Target {
    /// The target's name, used on the command line and in regression file names.
    pub name: &'static str,
    /// Runs one input.
    pub run: fn(&[u8]),
}

/// Every target.
pub const TARGETS: &[Target] = &[
    Target { name: "list_response", run: |bytes| round_trip::<TaskListResponse>(bytes) },
    Target { name: "task_summary", run: |bytes| round_trip::<TaskSummary>(bytes) },
    Target { name: "task_details", run: task_details },
    Target { name: "update_task", run: |bytes| round_trip::<UpdateTask>(bytes) },
    Target { name: "error_body", run: error_body },
    Target { name: "task_name", run: task_name },
];

/// Decodes `bytes`; if that works, encoding and decoding again must give the same value.
fn round_trip<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(bytes: &[u8]) {
    let Ok(value) = serde_json::from_slice::<T>(bytes) else { return };
    let encoded = serde_json::to_vec(&value).expect("a decoded value encodes");
    let again: T = serde_json::from_slice(&encoded).expect("an encoded value decodes");
    assert_eq!(again, value, "round trip changed the value");
}

fn task_details(bytes: &[u8]) {
    round_trip::<TaskDetails>(bytes);
    if let Ok(details) = serde_json::from_slice::<TaskDetails>(bytes)
        && let Some(exception) = &details.exception
    {
        // The typed views never panic, whatever shape the server sent.
        let _ = (exception.http_download_failed(), exception.file_read_failed(), exception.error_message());
        let _ = details.warning.as_ref().map(|w| (w.message(), w.code()));
        let _ = details.created_at.as_ref().map(rockit_model::Timestamp::unix_seconds);
    }
}

fn error_body(bytes: &[u8]) {
    let body = ErrorBody::parse(bytes);
    let encoded = serde_json::to_vec(&body).expect("an error body encodes");
    assert_eq!(ErrorBody::parse(&encoded), body, "error body round trip");
}

fn task_name(bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    match text.parse::<TaskName>() {
        Ok(name) => {
            assert_eq!(name.as_str(), text, "a name is kept verbatim");
            assert!(
                !name.as_str().chars().any(|c| c.is_whitespace() || c.is_control() || "/\\?#%".contains(c)),
                "accepted a name that could change a URL: {name:?}"
            );
            assert!(name.as_str() != "." && name.as_str() != "..");
            if let Some(parts) = name.parts() {
                let rebuilt = format!(
                    "{}-{}-{}-{}",
                    parts.prefix(),
                    parts.build_str(),
                    parts.created_str(),
                    parts.kind_str()
                );
                assert_eq!(rebuilt, name.as_str(), "parts put back together give the name");
            }
        }
        Err(err) => assert!(!err.to_string().is_empty()),
    }
}

/// Runs `input` through `target`; returns the panic message if it panicked.
pub fn check(target: &Target, input: &[u8]) -> Option<String> {
    let outcome = catch_unwind(AssertUnwindSafe(|| (target.run)(input)));
    outcome.err().map(|panic| {
        panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_else(|| "non-text panic".to_owned())
    })
}

/// The seed corpus: the vendor's examples and the shapes the SDK and emulator exchange.
pub fn corpus() -> Vec<Vec<u8>> {
    let seed = rockit_test_support::seed::response_body();
    let mut corpus: Vec<Vec<u8>> = vec![
        seed.as_bytes().to_vec(),
        rockit_test_support::seed::request_body().as_bytes().to_vec(),
        br#"{"name":"exampleorg-sushi-0001-1732886919-dltar","service":"engine","status":"done"}"#.to_vec(),
        br#"{"status":"success","task":{"name":"exampleorg-sushi-0003-1733240117-dltar","service":"engine","status":"failed","acknowledged":false,"expired":false,"warning":{"code":"w","message":"m"},"exception":{"httpDownloadFailed":{"httpStatus":200,"exitCode":18,"sizeBytesActual":1,"sizeBytesExpected":2}},"createdAt":1733240117,"updatedAt":"1733240342","extra":[1,{"a":null}]}}"#.to_vec(),
        br#"{"name":"a-b-0001-1-mkraw","service":"engine","status":"failed","exception":{"fileReadFailed":{"filename":"x.pak","typeExpected":"pak","typeDetected":"zip"},"error":"boom"}}"#.to_vec(),
        br#"{"status":"token-expired","message":"log in again"}"#.to_vec(),
        br#"{"name":"exampleTaskname","acknowledged":true}"#.to_vec(),
        b"exampleorg-sushi-0002-1733149403-dltar".to_vec(),
        b"my-org-app-name-0001-17-kind".to_vec(),
    ];
    corpus.push(b"<html>502</html>".to_vec());
    corpus
}

/// Tokens that JSON-aware mutations insert.
const TOKENS: &[&[u8]] = &[
    b"{",
    b"}",
    b"[",
    b"]",
    b",",
    b":",
    b"\"",
    b"null",
    b"true",
    b"-0",
    b"1e999",
    b"18446744073709551616",
    b"-9223372036854775809",
    b"0.1e-400",
    b"\\u0000",
    b"\\ud800",
    b"\xff",
    b"\xc3\x28",
    b"\"task\":",
    b"\"status\":",
    b"\"name\":",
    b"\"exception\":",
    b"\"..\"",
    b"\"a/b\"",
    b"\"%2F\"",
    b" ",
    b"\t",
    b"-",
];

/// Returns a mutation of `input`.
pub fn mutate(rng: &mut fastrand::Rng, input: &[u8], corpus: &[Vec<u8>]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..rng.usize(1..=4) {
        let at = if out.is_empty() { 0 } else { rng.usize(..=out.len()) };
        match rng.u8(0..7) {
            0 if !out.is_empty() => {
                let i = rng.usize(..out.len());
                out[i] ^= 1 << rng.u8(0..8);
            }
            1 if !out.is_empty() => {
                let end = (at + rng.usize(1..16)).min(out.len());
                let start = at.min(end);
                out.drain(start..end);
            }
            2 => {
                let token = TOKENS[rng.usize(..TOKENS.len())];
                out.splice(at..at, token.iter().copied());
            }
            3 if !out.is_empty() => {
                let start = rng.usize(..out.len());
                let end = (start + rng.usize(1..64)).min(out.len());
                let chunk = out[start..end].to_vec();
                out.splice(at..at, chunk);
            }
            4 => {
                let other = &corpus[rng.usize(..corpus.len())];
                if !other.is_empty() {
                    let start = rng.usize(..other.len());
                    let end = (start + rng.usize(1..128)).min(other.len());
                    out.splice(at..at, other[start..end].iter().copied());
                }
            }
            5 if !out.is_empty() => {
                let i = rng.usize(..out.len());
                out[i] = rng.u8(..);
            }
            _ => out.truncate(at),
        }
    }
    out
}

/// Shrinks a failing input while it still fails: drop chunks, then single bytes.
pub fn minimise(target: &Target, input: &[u8]) -> Vec<u8> {
    let mut best = input.to_vec();
    let mut chunk = best.len() / 2;
    while chunk > 0 {
        let mut start = 0;
        while start < best.len() {
            let end = (start + chunk).min(best.len());
            let mut candidate = best.clone();
            candidate.drain(start..end);
            if check(target, &candidate).is_some() {
                best = candidate;
            } else {
                start += chunk;
            }
        }
        chunk /= 2;
    }
    best
}

/// What a run found.
#[derive(Debug, Default)]
pub struct RunReport {
    /// Inputs executed.
    pub executions: u64,
    /// Failing inputs, minimised, with their panic message.
    pub failures: Vec<(Vec<u8>, String)>,
}

/// Runs `target` for `iterations` mutated inputs from a seeded generator.
pub fn run(target: &Target, seed: u64, iterations: u64, mut keep_going: impl FnMut() -> bool) -> RunReport {
    let corpus = corpus();
    let mut pool = corpus.clone();
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut report = RunReport::default();
    for input in &corpus {
        report.executions += 1;
        if let Some(message) = check(target, input) {
            report.failures.push((minimise(target, input), message));
        }
    }
    while report.executions < iterations && keep_going() {
        let parent = &pool[rng.usize(..pool.len())];
        let input = mutate(&mut rng, parent, &corpus);
        report.executions += 1;
        if let Some(message) = check(target, &input) {
            report.failures.push((minimise(target, &input), message));
            if report.failures.len() >= 5 {
                break;
            }
        } else if pool.len() < 4096 && rng.u8(0..16) == 0 {
            // Keep some survivors as parents, so mutations can stack up.
            pool.push(input);
        }
    }
    report
}
