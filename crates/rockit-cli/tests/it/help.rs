//! `--help` of every command and `rockit completions`.

use crate::rockit;

#[tokio::test]
async fn the_top_level_help_lists_the_commands_and_the_exit_codes() {
    let run = rockit(&["--help"]).await.expect(0);
    insta::assert_snapshot!("help", run.stdout);
}

#[tokio::test]
async fn every_command_has_help() {
    let commands: [&[&str]; 10] = [
        &["tasks"],
        &["tasks", "list"],
        &["tasks", "show"],
        &["tasks", "ack"],
        &["tasks", "expire"],
        &["tasks", "wait"],
        &["tasks", "watch"],
        &["emulator"],
        &["completions"],
        &[],
    ];
    for command in commands {
        let run = rockit(&[command, &["--help"]].concat()).await.expect(0);
        assert!(run.stdout.contains("Usage: rockit"), "{command:?}: {}", run.stdout);
        assert_eq!(run.stderr, "");
    }
    let wait = rockit(&["tasks", "wait", "--help"]).await.stdout;
    assert!(wait.contains("4 the task ended failed or expired; 5 --timeout passed first"), "{wait}");
    let emulator = rockit(&["emulator", "--help"]).await.stdout;
    for flag in ["--listen <ADDR>", "--fixture", "--generate", "--api-key", "--token-ttl", "--fault-rate"] {
        assert!(emulator.contains(flag), "{flag}: {emulator}");
    }
}

#[tokio::test]
async fn no_command_shows_the_usage_with_exit_2() {
    let run = rockit(&[]).await.expect(2);
    assert!(run.stderr.contains("Usage: rockit"), "{}", run.stderr);
}

#[tokio::test]
async fn completions_for_each_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let run = rockit(&["completions", shell]).await.expect(0);
        assert!(run.stdout.contains("rockit"), "{shell}");
        assert!(run.stdout.contains("endpoint"), "{shell}");
    }
    rockit(&["completions", "tcsh"]).await.expect(2);
}

#[tokio::test]
async fn completions_offer_the_values_of_enum_flags() {
    for shell in ["bash", "zsh", "fish"] {
        let script = rockit(&["completions", shell]).await.expect(0).stdout;
        // --status, --kind/--for and -o: their values, not file names.
        for value in [
            "pending running done failed expired",
            "dltar mkraw mkpat mkdxf publish deploy",
            "table json jsonl",
        ] {
            let found = script.contains(value)
                || value.split(' ').all(|word| {
                    script.contains(&format!(r"{word}\t")) || script.contains(&format!("'{word}'"))
                });
            assert!(found, "{shell}: {value}");
        }
    }
}

#[test]
fn completions_written_to_a_closed_pipe_end_quietly() {
    use std::process::{Command, Stdio};
    for shell in ["bash", "zsh"] {
        let mut child = Command::new(crate::BIN)
            .args(["completions", shell])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // The reader goes away before the script is written, as `| head -1` does after a line.
        drop(child.stdout.take());
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{shell}: {stderr}");
        assert!(!stderr.contains("panicked"), "{shell}: {stderr}");
    }
}
