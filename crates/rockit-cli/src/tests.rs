//! In-process tests of [`crate::run`] for what a child process with pipes cannot show: a terminal
//! (confirmation prompts, colours, the live status line) and a controlled environment.

use std::io::Cursor;

use clap::Parser;
use rockit_emulator::{Emulator, Fixture, demo};
use rockit_model::TaskStatus;

use crate::{Cli, Exit, Io};

/// What a run printed, and how it ended.
struct Captured {
    exit: Exit,
    stdout: String,
    stderr: String,
}

/// Runs `rockit args...` against `emulator` as the demo admin, with `stdin` as input and every
/// stream a terminal when `terminal` is set; `vars` is the whole environment.
async fn run(
    emulator: &Emulator,
    args: &[&str],
    stdin: &str,
    terminal: bool,
    vars: &[(&str, &str)],
) -> Captured {
    let url = emulator.base_url();
    let mut all = vec![
        "rockit",
        "--endpoint",
        &url,
        "--org",
        demo::ORG,
        "--user",
        demo::USER,
        "--api-key",
        demo::API_KEY,
    ];
    all.extend_from_slice(args);
    let cli = Cli::try_parse_from(all).expect("valid arguments");
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let mut input = Cursor::new(stdin.as_bytes().to_vec());
    let var = |name: &str| vars.iter().find(|(key, _)| *key == name).map(|(_, value)| (*value).to_owned());
    let mut io = Io {
        stdout: &mut stdout,
        stderr: &mut stderr,
        stdin: &mut input,
        stdin_is_terminal: terminal,
        stdout_is_terminal: terminal,
        stderr_is_terminal: terminal,
        var: &var,
    };
    let exit = crate::run(cli, &mut io).await;
    Captured { exit, stdout: String::from_utf8(stdout).unwrap(), stderr: String::from_utf8(stderr).unwrap() }
}

async fn demo_emulator() -> Emulator {
    Emulator::builder().fixture(Fixture::demo()).speed(0.0).start().await.unwrap()
}

#[tokio::test]
async fn expire_asks_on_a_terminal_and_goes_ahead_on_yes() {
    let emulator = demo_emulator().await;
    let out = run(&emulator, &["tasks", "expire", demo::STUCK_UPLOAD], "y\n", true, &[]).await;
    assert_eq!(out.exit, Exit::Success, "{}", out.stderr);
    assert_eq!(
        out.stderr,
        format!(
            "  {}\nexpire 1 task? Each becomes failed and acknowledged; this cannot be undone and starts no new upload. [y/N] ",
            demo::STUCK_UPLOAD
        )
    );
    assert_eq!(out.stdout, format!("expired {}\n", demo::STUCK_UPLOAD));
    assert_eq!(emulator.task(demo::STUCK_UPLOAD).unwrap().status, TaskStatus::Failed);
}

#[tokio::test]
async fn expire_does_nothing_unless_the_answer_is_yes() {
    let emulator = demo_emulator().await;
    for answer in ["n\n", "nope\n", ""] {
        let out = run(&emulator, &["tasks", "expire", demo::STUCK_UPLOAD], answer, true, &[]).await;
        assert_eq!(out.exit, Exit::Usage, "{answer:?}");
        assert!(out.stderr.ends_with("error: not confirmed; nothing was expired\n"), "{}", out.stderr);
        assert!(out.stderr.contains("[y/N] "), "{}", out.stderr);
    }
    assert_eq!(emulator.request_count(), 0);
    // A terminal on stdin alone is not enough: a pipe on stdout means a script is running.
    let out = run(&emulator, &["tasks", "expire", demo::STUCK_UPLOAD], "y\n", false, &[]).await;
    assert_eq!(out.stderr, "error: refusing to expire 1 task without confirmation; pass --yes\n");
}

#[tokio::test]
async fn colours_on_a_terminal_unless_no_color() {
    let emulator = demo_emulator().await;
    let out = run(&emulator, &["tasks", "list"], "", true, &[]).await;
    assert!(out.stdout.contains("\x1b[33mpending\x1b[0m"), "{}", out.stdout);
    assert!(out.stdout.contains("\x1b[32mdone\x1b[0m"), "{}", out.stdout);
    assert!(out.stdout.contains("\x1b[33m!\x1b[0m"), "{}", out.stdout);
    let out = run(&emulator, &["tasks", "show", demo::FAILED_DOWNLOAD], "", true, &[]).await;
    assert!(out.stdout.contains("status:                \x1b[31mfailed\x1b[0m\n"), "{}", out.stdout);

    for vars in [&[("NO_COLOR", "1")][..], &[("TERM", "dumb")]] {
        let out = run(&emulator, &["tasks", "list"], "", true, vars).await;
        assert!(!out.stdout.contains('\x1b'), "{vars:?}: {}", out.stdout);
    }
    let out = run(&emulator, &["tasks", "list"], "", true, &[("NO_COLOR", "")]).await;
    assert!(out.stdout.contains('\x1b'), "an empty NO_COLOR does not count");
    let out = run(&emulator, &["tasks", "list", "-o", "json"], "", true, &[]).await;
    assert!(!out.stdout.contains('\x1b'), "JSON is never coloured");
}

#[tokio::test]
async fn on_a_terminal_wait_and_watch_use_the_live_line_instead_of_plain_lines() {
    let emulator = demo_emulator().await;
    let out = run(&emulator, &["tasks", "wait", demo::FAILED_DOWNLOAD], "", true, &[]).await;
    assert_eq!(out.exit, Exit::TaskFailed);
    assert_eq!(out.stderr, "", "the live line draws on the real terminal, not as lines");
    assert!(out.stdout.starts_with(&format!("{} failed after ", demo::FAILED_DOWNLOAD)), "{}", out.stdout);

    let out = run(&emulator, &["tasks", "watch", demo::FAILED_DOWNLOAD], "", true, &[]).await;
    assert_eq!(out.exit, Exit::TaskFailed);
    assert_eq!(out.stdout.lines().count(), 1, "{}", out.stdout);
    assert!(out.stdout.contains(" failed: download failed (HTTP 200"), "{}", out.stdout);
}

#[tokio::test]
async fn in_ci_or_on_a_dumb_terminal_waits_print_plain_lines_instead_of_a_live_view() {
    let emulator = demo_emulator().await;
    for vars in [[("CI", "true")], [("TERM", "dumb")]] {
        let out = run(&emulator, &["tasks", "wait", demo::FAILED_DOWNLOAD], "", true, &vars).await;
        assert_eq!(out.exit, Exit::TaskFailed);
        // The one line per change a log wants, not spinner frames.
        assert!(
            out.stderr.ends_with(
                " failed: download failed (HTTP 200, exit code 18, 1073741824 of 2147483648 bytes)\n"
            ),
            "{vars:?}: {}",
            out.stderr
        );
        let out =
            run(&emulator, &["builds", "wait", "sushi", "3", "--timeout", "1ms"], "", true, &vars).await;
        assert!(out.stderr.starts_with("waiting for build sushi 0003 until "), "{vars:?}: {}", out.stderr);
    }
    // An empty CI is no CI.
    let out = run(&emulator, &["tasks", "wait", demo::FAILED_DOWNLOAD], "", true, &[("CI", "")]).await;
    assert_eq!(out.stderr, "");
}

#[tokio::test]
async fn the_environment_configures_when_flags_do_not() {
    let emulator = demo_emulator().await;
    let url = emulator.base_url();
    let vars = [
        ("ROCKIT_ENDPOINT", url.as_str()),
        ("ROCKIT_ORG", demo::ORG),
        ("ROCKIT_USER", demo::VIEWER_USER),
        ("ROCKIT_API_KEY", demo::VIEWER_API_KEY),
    ];
    let cli = Cli::try_parse_from(["rockit", "tasks", "ack", demo::STUCK_UPLOAD]).unwrap();
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let var = |name: &str| vars.iter().find(|(key, _)| *key == name).map(|(_, value)| (*value).to_owned());
    let mut io = Io {
        stdout: &mut stdout,
        stderr: &mut stderr,
        stdin: &mut Cursor::new(Vec::new()),
        stdin_is_terminal: false,
        stdout_is_terminal: false,
        stderr_is_terminal: false,
        var: &var,
    };
    assert_eq!(crate::run(cli, &mut io).await, Exit::Auth, "the viewer may read but not acknowledge");
    let stderr = String::from_utf8(stderr).unwrap();
    assert!(stderr.contains(r#"403 forbidden: user "viewer" lacks the permission tasks.update"#), "{stderr}");
}

#[test]
fn the_readmes_exit_codes_are_the_exit_types() {
    let readme = include_str!("../../../README.md");
    let rows: Vec<(u8, &str)> = readme
        .lines()
        .skip_while(|line| *line != "| exit code | meaning |")
        .skip(2)
        .take_while(|line| line.starts_with('|'))
        .filter_map(|line| {
            let (code, meaning) = line.trim_matches('|').split_once('|')?;
            Some((code.trim().parse().ok()?, meaning.trim()))
        })
        .collect();
    let expected: Vec<(u8, &str)> =
        crate::Exit::ALL.iter().map(|exit| (exit.code(), exit.meaning())).collect();
    assert_eq!(rows, expected);
}
