//! Integration tests of the `rockit` binary: the real executable, run as a child process against
//! an emulator started by the test, with asserted exit codes, snapshots of its output and its
//! JSON parsed back field by field.

mod builds;
mod credentials;
mod deceptive;
mod emulator;
mod exit_codes;
mod help;
mod jsonl;
mod list;
mod live;
mod maintenance;
mod misuse;
mod network;
mod secrets;
mod show;
mod update;
mod wait;

use std::process::{Command, Stdio};

use rockit_emulator::{Emulator, EmulatorBuilder, Fixture, demo};
use serde_json::Value;

/// The binary under test.
pub(crate) const BIN: &str = env!("CARGO_BIN_EXE_rockit");

/// The Unix time emulator time zero maps to: after every demo task's creation, so that
/// `updatedAt` values written by the tests are predictable.
pub(crate) const EPOCH: u64 = 1_733_300_000;

/// Variables of the test's own environment that must not leak into the binary's.
const CLEARED: &[&str] = &[
    "ROCKIT_ENDPOINT",
    "ROCKIT_ORG",
    "ROCKIT_USER",
    "ROCKIT_API_KEY",
    "ROCKIT_TOKEN",
    "ROCKIT_TOKEN_COMMAND",
    "ROCKIT_API_KEY_COMMAND",
    "ROCKIT_PROFILE",
    "ROCKIT_CONFIG",
    "XDG_CONFIG_HOME",
    "ROCKIT_EMULATOR_LISTEN",
    "ROCKIT_EMULATOR_API_KEY",
    "ROCKIT_EMULATOR_TOKEN",
    "NO_COLOR",
    "TERM",
    "ROCKIT_CA_CERT",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
];

/// The demo fixture with a frozen clock and a fixed epoch.
pub(crate) fn demo_builder() -> EmulatorBuilder {
    Emulator::builder().fixture(Fixture::demo()).speed(0.0).epoch(EPOCH)
}

/// A started demo emulator (frozen clock, fixed epoch).
pub(crate) async fn start_demo() -> Emulator {
    demo_builder().start().await.expect("the demo emulator starts")
}

/// What a run of the binary left behind.
#[derive(Debug)]
pub(crate) struct Run {
    /// The exit code.
    pub(crate) code: i32,
    /// Everything it printed on stdout.
    pub(crate) stdout: String,
    /// Everything it printed on stderr.
    pub(crate) stderr: String,
}

impl Run {
    /// Stdout parsed as one JSON document.
    pub(crate) fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|err| panic!("stdout is not JSON ({err}): {self:?}"))
    }

    /// Asserts the exit code, showing the output when it differs.
    #[track_caller]
    pub(crate) fn expect(self, code: i32) -> Self {
        assert_eq!(self.code, code, "exit code of {self:#?}");
        self
    }

    /// Asserts a usage/auth/API error: nothing on stdout, exactly one `error: …` line on stderr.
    #[track_caller]
    pub(crate) fn one_line_error(self, code: i32) -> String {
        let run = self.expect(code);
        assert_eq!(run.stdout, "", "{run:#?}");
        let lines: Vec<&str> = run.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "one line on stderr: {run:#?}");
        let line =
            lines[0].strip_prefix("error: ").unwrap_or_else(|| panic!("starts with `error: `: {run:#?}"));
        assert!(!line.contains("panicked") && !line.contains("Error {"), "{line}");
        line.to_owned()
    }
}

/// Runs `rockit args...` with `env` as its only `ROCKIT_*` variables, no colours, stdin and
/// stdout not terminals. The child runs on a blocking thread so the emulator keeps serving.
pub(crate) async fn rockit_env(args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut command = Command::new(BIN);
    command.args(args).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    for name in CLEARED {
        command.env_remove(name);
    }
    command.env("NO_COLOR", "1");
    // No config file of the machine's user: tests that want one set ROCKIT_CONFIG themselves.
    command.env("ROCKIT_CONFIG", "/nonexistent/rockit-tests/config.toml");
    command.envs(env.iter().copied());
    let output = tokio::task::spawn_blocking(move || command.output().expect("the binary runs"))
        .await
        .expect("the blocking thread finishes");
    Run {
        code: output.status.code().expect("the binary exits with a code, not a signal"),
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    }
}

/// Runs `rockit args...` with an empty `ROCKIT_*` environment.
pub(crate) async fn rockit(args: &[&str]) -> Run {
    rockit_env(args, &[]).await
}

/// `--endpoint URL --org ORG --user USER --api-key KEY` for the demo admin at `url`, followed by
/// `args`.
pub(crate) fn admin<'a>(url: &'a str, args: &[&'a str]) -> Vec<&'a str> {
    let mut all =
        vec!["--endpoint", url, "--org", demo::ORG, "--user", demo::USER, "--api-key", demo::API_KEY];
    all.extend_from_slice(args);
    all
}

/// Replaces what changes from run to run in human output: loopback ports, times of day
/// (`13:28:39` → `[TIME]`) and elapsed seconds (`+12.3s`, `after 0.1s` → `[ELAPSED]`).
pub(crate) fn scrub(text: &str) -> String {
    let text = rockit_test_support::snapshots::scrub(text);
    text.lines()
        .map(|line| line.split(' ').map(scrub_word).collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join("\n")
        + if text.ends_with('\n') { "\n" } else { "" }
}

fn scrub_word(word: &str) -> String {
    let bytes = word.as_bytes();
    let is_time = bytes.len() == 8
        && bytes.iter().enumerate().all(|(i, b)| if i % 3 == 2 { *b == b':' } else { b.is_ascii_digit() });
    if is_time {
        return "[TIME]".to_owned();
    }
    let (sign, rest) = word.strip_prefix('+').map_or(("", word), |rest| ("+", rest));
    let (number, tail) = match rest.find('s') {
        Some(at) => (&rest[..at], &rest[at + 1..]),
        None => return word.to_owned(),
    };
    let is_seconds = number.split_once('.').is_some_and(|(whole, tenths)| {
        !whole.is_empty()
            && tenths.len() == 1
            && whole.bytes().all(|b| b.is_ascii_digit())
            && tenths.bytes().all(|b| b.is_ascii_digit())
    });
    if is_seconds { format!("{sign}[ELAPSED]{tail}") } else { word.to_owned() }
}

#[test]
fn scrub_replaces_times_and_elapsed_seconds() {
    assert_eq!(
        scrub("13:28:39 +12.3s running\nx done after 0.1s: y\nhttp://127.0.0.1:4242 1.5 2024-12-02 14:23\n"),
        "[TIME] +[ELAPSED] running\nx done after [ELAPSED]: y\nhttp://127.0.0.1:[PORT] 1.5 2024-12-02 14:23\n"
    );
}
