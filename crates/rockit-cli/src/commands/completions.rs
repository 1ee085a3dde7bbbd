//! `rockit completions SHELL`: clap's completion script, with the values clap cannot know
//! statically filled in where the shell can ask for them: `--profile` completes the profile names
//! of the config file in use, read when the user presses Tab (`rockit config list --names`; a
//! missing or broken file completes nothing, quietly). Enum values (`--status`, `--kind`, `--for`,
//! `-o`) are clap's own. Task and app names are not completed: each would cost a request to the
//! server per Tab, with credentials, which a shell should not make behind a keypress.

use clap::CommandFactory as _;
use clap_complete::Shell;

use crate::Cli;

/// What the shell runs to list the profile names.
const PROFILE_NAMES: &str = "rockit config list --names 2>/dev/null";

/// The completion script for `shell`.
pub(super) fn script(shell: Shell) -> String {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "rockit", &mut script);
    let script = String::from_utf8_lossy(&script).into_owned();
    match shell {
        Shell::Bash => bash(&script),
        Shell::Zsh => zsh(&script),
        Shell::Fish => fish(&script),
        // Elvish and PowerShell complete `--profile` as clap writes it: any word.
        _ => script,
    }
}

/// bash: each `--profile)` case completes the names instead of file names.
fn bash(script: &str) -> String {
    let mut out = String::with_capacity(script.len());
    let mut after_profile = false;
    for line in script.lines() {
        if after_profile && line.trim_start().starts_with("COMPREPLY=") {
            let indent = &line[..line.len() - line.trim_start().len()];
            // Read line by line and quoted, never through `compgen -W`, which would expand a name
            // again (`$(…)` in a profile's name would run on Tab).
            out.push_str(indent);
            out.push_str("COMPREPLY=(); while IFS= read -r name; do [[ \"$name\" == \"$cur\"* ]] && COMPREPLY+=(\"$(printf %q \"$name\")\"); done < <(");
            out.push_str(PROFILE_NAMES);
            out.push(')');
        } else {
            out.push_str(line);
        }
        out.push('\n');
        after_profile = line.trim() == "--profile)";
    }
    out
}

/// zsh: the `--profile` argument's action lists the names.
fn zsh(script: &str) -> String {
    const FILES: &str = ":NAME:_default' \\";
    each_line(script, |line| {
        let head = line.strip_suffix(FILES).filter(|_| line.starts_with("'--profile=["))?;
        Some(format!("{head}:NAME:{{compadd -- ${{(f)\"$({PROFILE_NAMES})\"}}}}' \\"))
    })
}

/// fish: `-l profile` completes the names, not files.
fn fish(script: &str) -> String {
    each_line(script, |line| {
        (line.contains(" -l profile ") && line.ends_with(" -r"))
            .then(|| format!("{line} -f -a \"({PROFILE_NAMES})\""))
    })
}

/// `script` with each line `rewrite` returns a replacement for replaced.
fn each_line(script: &str, rewrite: impl Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(script.len());
    for line in script.lines() {
        match rewrite(line) {
            Some(replaced) => out.push_str(&replaced),
            None => out.push_str(line),
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_profile_flag_of_each_shell_lists_the_names() {
        let bash = script(Shell::Bash);
        let cases = bash.matches("--profile)").count();
        assert!(cases > 5, "{cases}");
        assert_eq!(bash.matches("done < <(rockit config list --names 2>/dev/null)").count(), cases);
        let zsh = script(Shell::Zsh);
        assert_eq!(zsh.matches("'--profile=[").count(), zsh.matches("compadd -- ${(f)").count());
        assert!(
            !zsh.lines().any(|line| line.starts_with("'--profile=[") && line.contains("_default")),
            "a --profile left completing files"
        );
        let fish = script(Shell::Fish);
        assert_eq!(fish.matches(" -l profile ").count(), fish.matches("(rockit config list --names").count());
    }
}
