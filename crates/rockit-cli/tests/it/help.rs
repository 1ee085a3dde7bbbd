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

/// What bash completes after `words` (the last one being completed), with the script sourced and
/// `rockit` on the PATH reading the config file `config`.
fn bash_completes(config: &std::path::Path, words: &[&str]) -> Vec<String> {
    let bin_dir = std::path::Path::new(crate::BIN).parent().unwrap();
    let words: Vec<String> = words.iter().map(|word| format!("'{word}'")).collect();
    let program = format!(
        "source <(rockit completions bash); COMP_WORDS=(rockit {words}); COMP_CWORD={cword}; \
         _rockit rockit \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"; \
         printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        words = words.join(" "),
        cword = words.len(),
    );
    let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default());
    let output = std::process::Command::new("bash")
        .args(["--norc", "-c", &program])
        .env("PATH", path)
        .env("ROCKIT_CONFIG", config)
        .output()
        .expect("bash runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter(|line| !line.is_empty())
        .map(str::to_owned)
        .collect()
}

#[test]
fn bash_completes_the_profiles_of_the_config_file_in_use() {
    let dir = std::env::temp_dir().join(format!("rockit-completion-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("config.toml");
    let pwned = dir.join("pwned");
    // A profile whose name is shell code: completed as a quoted word, never run.
    let hostile = format!("s$(touch {})", pwned.display());
    std::fs::write(
        &config,
        format!("[profiles.staging]\norg = \"o\"\n\n[profiles.production]\n\n[profiles.sandbox]\n\n[profiles.\"{hostile}\"]\n"),
    )
    .unwrap();
    let mut all = bash_completes(&config, &["tasks", "list", "--profile", ""]);
    all.sort();
    let (quoted, plain): (Vec<String>, Vec<String>) =
        all.into_iter().partition(|name| name.starts_with("s\\$"));
    assert_eq!(plain, ["production", "sandbox", "staging"]);
    assert_eq!(quoted.len(), 1, "the shell-code name, quoted: {quoted:?}");
    let some = bash_completes(&config, &["--profile", "sa"]);
    assert_eq!(some, ["sandbox"]);
    assert!(!pwned.exists(), "a profile's name ran as a command");
    // No config file: nothing to offer, and nothing said.
    assert!(bash_completes(&dir.join("absent.toml"), &["--profile", ""]).is_empty());
    std::fs::remove_dir_all(&dir).unwrap();
}
