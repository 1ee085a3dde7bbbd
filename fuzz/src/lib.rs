//! Fuzz targets for everything that reads untrusted bytes in `rockit-model`, and a small fuzzing
//! engine that drives them on the stable toolchain for a bounded time.
//!
//! cargo-fuzz needs a nightly toolchain, which this project does not depend on, so this is the
//! stable equivalent. Inputs come from two sources:
//!
//! - **bytes**: byte- and token-level mutations of a seed corpus (the vendor's examples and the
//!   shapes the emulator sends), and of the inputs kept from earlier mutations;
//! - **structured**: the same, with one input in four a JSON tree of the wire types with hostile
//!   values, written by [`structured::Generator`] (a third of those with byte mutations on top).
//!
//! `cargo xtask fuzz` builds the fuzzer with LLVM's `SanitizerCoverage` (see [`coverage`]), which
//! stable rustc accepts as codegen flags: the engine then counts the edges each target's runs
//! reach and keeps every input that reaches a new one as a parent for later mutations (coverage
//! guidance, as libFuzzer does). A plain build (`cargo run -p rockit-fuzz`, the tests) runs the
//! same engine without coverage: it keeps random survivors as parents and reports no edge counts.
//! Per target and kind of input the fuzzer reports executions, executions per second, the share of
//! inputs that decoded, and the edges reached.
//!
//! Every target checks invariants beyond "does not panic": whatever decodes must re-encode and
//! decode to the same value, a task picked by name from a list envelope must be the one asked for
//! (or decode as the plain decoder does), and the typed views of a decoded value must not panic.
//! A decode error is never a failure. A failing input (a panic, which is how a broken invariant
//! shows) is minimised and written to `fuzz/regressions/`, whose files a test replays forever
//! after.
//!
//! AFL++ through afl.rs also works on the stable toolchain here (`cargo install cargo-afl` builds
//! AFL++ with the C compiler and make in about two minutes), but it needs a harness crate with the
//! `afl` dependency per target and runs each input through a fork server: in 60 s on the
//! `list_response` and `task_details` targets it ran 10,000 to 13,000 inputs a second, and the
//! queues it kept reached fewer edges (replayed with `rockit-fuzz --replay`, 1,291 and 2,742) than
//! this engine's byte mutations alone, with coverage guidance, in the same time (1,461 and
//! 3,364). So the engine stays in process, and afl.rs is the route for long campaigns.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

use rockit_model::{ErrorBody, TaskDetails, TaskListResponse, TaskName, TaskSummary, UpdateTask};
use serde::Serialize;
use serde::de::DeserializeOwned;

pub mod coverage;
pub mod structured;

use structured::Generator;

/// A fuzz target: a name, a function that panics when an invariant breaks, and the generator of
/// its structure-aware inputs.
#[derive(Debug, Clone, Copy)]
pub struct Target {
    /// The target's name, used on the command line and in regression file names.
    pub name: &'static str,
    /// Runs one input; returns whether it decoded (see each target for what that means).
    pub run: fn(&[u8]) -> bool,
    /// Writes one structure-aware input for this target.
    pub generate: fn(&mut Generator) -> Vec<u8>,
}

/// Every target.
pub const TARGETS: &[Target] = &[
    Target {
        name: "list_response",
        run: |bytes| round_trip::<TaskListResponse>(bytes),
        generate: Generator::list_response,
    },
    Target {
        name: "task_summary",
        run: |bytes| round_trip::<TaskSummary>(bytes),
        generate: Generator::task_summary,
    },
    Target { name: "task_details", run: task_details, generate: Generator::task_details },
    Target {
        name: "update_task",
        run: |bytes| round_trip::<UpdateTask>(bytes),
        generate: Generator::update_task,
    },
    Target { name: "error_body", run: error_body, generate: Generator::error_body },
    Target { name: "task_name", run: task_name, generate: Generator::task_name },
];

/// Decodes `bytes`; if that works, encoding and decoding again must give the same value.
/// Returns whether `bytes` decoded.
fn round_trip<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(bytes: &[u8]) -> bool {
    let Ok(value) = serde_json::from_slice::<T>(bytes) else { return false };
    assert_round_trip(&value);
    true
}

fn assert_round_trip<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(value: &T) {
    let encoded = serde_json::to_vec(value).expect("a decoded value encodes");
    let again: T = serde_json::from_slice(&encoded).expect("an encoded value decodes");
    assert_eq!(&again, value, "round trip changed the value");
}

/// Task details through both entry points: the plain decoder, and
/// [`TaskDetails::from_json_for`] asking for [`structured::WANTED`]. Decoded means either accepted
/// the input.
fn task_details(bytes: &[u8]) -> bool {
    let plain = serde_json::from_slice::<TaskDetails>(bytes);
    if let Ok(details) = &plain {
        assert_round_trip(details);
        // The typed views never panic, whatever shape the server sent.
        if let Some(exception) = &details.exception {
            let _ =
                (exception.http_download_failed(), exception.file_read_failed(), exception.error_message());
            assert!(!exception.summary().is_empty() || exception.error_message().as_deref() == Some(""));
        }
        let _ = details.warning.as_ref().map(|w| (w.message(), w.code()));
        let _ = details.created_at.as_ref().map(rockit_model::Timestamp::unix_seconds);
        let _ = details.updated_at.as_ref().map(rockit_model::Timestamp::unix_seconds);
        let _ = details.has_unacknowledged_warning();
        assert_eq!(details.summary().name, details.name);
    }
    let wanted: TaskName = structured::WANTED.parse().expect("the wanted name is valid");
    let picked = TaskDetails::from_json_for(bytes, &wanted);
    if let Ok(details) = &picked {
        assert_round_trip(details);
        // Only a list envelope is searched for the name asked for; a bare or wrapped task is
        // taken whatever its name, exactly as the plain decoder takes it.
        if details.name != wanted {
            assert_eq!(plain.as_ref().ok(), Some(details), "a task not picked by name decodes the same");
        }
    }
    plain.is_ok() || picked.is_ok()
}

/// An error body never fails to parse; decoded means it yielded something (a status, a message
/// or another field).
fn error_body(bytes: &[u8]) -> bool {
    let body = ErrorBody::parse(bytes);
    let encoded = serde_json::to_vec(&body).expect("an error body encodes");
    assert_eq!(ErrorBody::parse(&encoded), body, "error body round trip");
    body != ErrorBody::default()
}

/// Decoded means the text (read lossily as UTF-8) is a valid task name.
fn task_name(bytes: &[u8]) -> bool {
    let text = String::from_utf8_lossy(bytes);
    match text.parse::<TaskName>() {
        Ok(name) => {
            assert_eq!(name.as_str(), text, "a name is kept verbatim");
            assert!(
                !name.as_str().chars().any(|c| c.is_whitespace() || c.is_control() || "/\\?#%".contains(c)),
                "accepted a name that could change a URL: {name:?}"
            );
            assert!(name.as_str() != "." && name.as_str() != "..");
            assert!(name.as_str().len() <= rockit_model::MAX_TASK_NAME_LEN, "accepted a name too long");
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
            true
        }
        Err(err) => {
            assert!(!err.to_string().is_empty());
            false
        }
    }
}

/// Runs `input` through `target`: whether it decoded, or the panic message if it panicked.
pub fn check(target: &Target, input: &[u8]) -> Result<bool, String> {
    catch_unwind(AssertUnwindSafe(|| (target.run)(input))).map_err(|panic| {
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
            if check(target, &candidate).is_err() {
                best = candidate;
            } else {
                start += chunk;
            }
        }
        chunk /= 2;
    }
    best
}

/// Where a run's inputs come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inputs {
    /// Byte mutations of the seed corpus, and of the inputs kept from earlier mutations.
    Bytes,
    /// As `Bytes` for three inputs in four; the fourth is a fresh structure-aware input, in one
    /// case out of three with byte mutations on top.
    Structured,
}

impl Inputs {
    /// The name used on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Self::Bytes => "bytes",
            Self::Structured => "structured",
        }
    }
}

/// How [`run`] runs a target.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Seeds the mutations and the generator: a run is reproducible from it.
    pub seed: u64,
    /// Stop after this many executions (the seed corpus included).
    pub iterations: u64,
    /// Where the inputs come from.
    pub inputs: Inputs,
    /// In an instrumented build, keep exactly the inputs that reach a new edge as parents for
    /// later mutations. Without coverage (or with `false`), keep one survivor in 16 at random.
    pub guided: bool,
}

impl Options {
    /// Byte mutations only, guided when coverage is available.
    pub fn new(seed: u64, iterations: u64) -> Self {
        Self { seed, iterations, inputs: Inputs::Bytes, guided: true }
    }

    /// The same options with inputs from `inputs`.
    #[must_use]
    pub fn inputs(mut self, inputs: Inputs) -> Self {
        self.inputs = inputs;
        self
    }
}

/// What a run did and found.
#[derive(Debug, Default)]
pub struct RunReport {
    /// Inputs executed.
    pub executions: u64,
    /// Inputs the target decoded (see each target for what that means).
    pub decoded: u64,
    /// Structure-aware inputs executed as generated, without byte mutations on top.
    pub generated: u64,
    /// How many of those decoded.
    pub generated_decoded: u64,
    /// Edges reached by the target's runs, or `None` when the build is not instrumented.
    pub edges: Option<usize>,
    /// Inputs kept as parents for later mutations, beyond the seed corpus.
    pub kept: usize,
    /// How long the run took, minimising failures included.
    pub elapsed: Duration,
    /// Failing inputs, minimised, with their panic message.
    pub failures: Vec<(Vec<u8>, String)>,
}

/// The most parents kept.
const POOL_LIMIT: usize = 4096;

/// In structure-aware runs, one input in this many is a fresh one from the generator. Generating
/// and decoding a deep input costs several times a byte mutation of a short one, so a larger
/// share would starve the mutations that reach the decoders' error paths.
const FRESH_ONE_IN: u32 = 4;

/// Runs `target` on the seed corpus, then on generated inputs until `options.iterations`
/// executions, `keep_going` returning `false` or five failures. Coverage, when the build has it,
/// is counted from zero for each run.
pub fn run(target: &Target, options: &Options, mut keep_going: impl FnMut() -> bool) -> RunReport {
    let started = Instant::now();
    let corpus = corpus();
    let mut pool = corpus.clone();
    let mut rng = fastrand::Rng::with_seed(options.seed);
    let mut generator = Generator::new(options.seed.rotate_left(32) ^ 0x5eed);
    let guided = options.guided && coverage::instrumented_edges().is_some();
    let mut report = RunReport::default();
    coverage::reset();
    for input in &corpus {
        execute(target, input, &mut report);
    }
    while report.executions < options.iterations && keep_going() && report.failures.len() < 5 {
        let fresh = options.inputs == Inputs::Structured && rng.u32(0..FRESH_ONE_IN) == 0;
        let mutated = !fresh || rng.u8(0..3) == 0;
        let input = if fresh {
            let generated = (target.generate)(&mut generator);
            if mutated { mutate(&mut rng, &generated, &pool) } else { generated }
        } else {
            let parent = rng.usize(..pool.len());
            mutate(&mut rng, &pool[parent], &pool)
        };
        let decoded_before = report.decoded;
        let (passed, new_edges) = execute(target, &input, &mut report);
        if fresh && !mutated {
            report.generated += 1;
            report.generated_decoded += report.decoded - decoded_before;
        }
        // Keep some survivors as parents, so mutations can stack up: with coverage, those that
        // reached something new.
        let keep = passed && if guided { new_edges } else { rng.u8(0..16) == 0 };
        if keep && pool.len() < POOL_LIMIT {
            pool.push(input);
            report.kept += 1;
        }
    }
    report.edges = coverage::instrumented_edges().map(|_| coverage::reached());
    report.elapsed = started.elapsed();
    report
}

/// Runs `target` on each of `inputs` once, with coverage counted from zero: what a corpus found
/// elsewhere (another fuzzer's queue, `fuzz/regressions/`) reaches, in the same units as [`run`].
pub fn replay(target: &Target, inputs: &[Vec<u8>]) -> RunReport {
    let started = Instant::now();
    let mut report = RunReport::default();
    coverage::reset();
    for input in inputs {
        execute(target, input, &mut report);
    }
    report.edges = coverage::instrumented_edges().map(|_| coverage::reached());
    report.elapsed = started.elapsed();
    report
}

/// Runs one input with coverage recorded; returns whether it passed and whether it reached a new
/// edge. A failure is minimised (without recording) into the report.
fn execute(target: &Target, input: &[u8], report: &mut RunReport) -> (bool, bool) {
    let before = coverage::reached();
    report.executions += 1;
    let outcome = coverage::record(|| check(target, input));
    let new_edges = coverage::reached() > before;
    match outcome {
        Ok(decoded) => {
            report.decoded += u64::from(decoded);
            (true, new_edges)
        }
        Err(message) => {
            report.failures.push((minimise(target, input), message));
            (false, new_edges)
        }
    }
}
