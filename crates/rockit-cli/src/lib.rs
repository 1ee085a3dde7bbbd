//! `rockit`, the ROCKIT Edge Tasks API from a terminal or a CI pipeline: everything the
//! [`rockit_tasks::Tasks`] client can do, as an aligned table for people or one JSON document for
//! scripts.
//!
//! ```text
//! rockit [global options] tasks list   [--app NAME] [--status S] [--kind K] [--group G] [--build N]
//!                                      [--since T] [--until T] [--sort [-]FIELD] [--limit N]
//!                                      [--offset N] [--all] [--param KEY=VALUE]
//! rockit [global options] tasks show   NAME
//! rockit [global options] tasks ack    NAME...
//! rockit [global options] tasks expire NAME... [--yes]
//! rockit [global options] tasks wait   NAME [--timeout 10m] [--interval 2s]
//! rockit [global options] tasks watch  NAME [--timeout 10m] [--interval 2s]
//! rockit [global options] builds list [--app NAME] [--since T] [--limit N | --all]
//! rockit [global options] builds show APP BUILD
//! rockit [global options] builds wait APP BUILD [--for KIND] [--keep-going] [--interval 2s]
//! rockit emulator [the rockit-emulator flags]
//! rockit completions SHELL
//! ```
//!
//! The binary is a thin shell around this library: [`Cli`] is the parsed command line, [`Io`]
//! the process's streams, terminals and environment, and [`run`] executes a command and returns
//! its [`Exit`] code. Tests drive [`run`] in-process with captured output; the integration
//! tests run the real binary against an emulator.
//!
//! # Exit codes
//!
//! [`Exit`] lists them, each with its meaning ([`Exit::meaning`]); `rockit --help` and the README
//! print the same texts.
//!
//! Errors print one line, `error: …`, on stderr; with `-v` the chain of causes follows.

mod cli;
mod commands;
mod connect;
mod exit;
mod live;
mod output;
mod parse;
#[cfg(test)]
mod tests;

use std::io::{BufRead, IsTerminal, Write};

pub use crate::cli::Cli;
pub use crate::exit::Exit;

/// What a command reads from and writes to: the streams, whether each is a terminal, and the
/// environment variables.
///
/// Commands print only through these, so that tests can capture everything. `stdin` is read only
/// to confirm `tasks expire` on a terminal.
pub struct Io<'a> {
    /// Where results go.
    pub stdout: &'a mut dyn Write,
    /// Where errors, notes and progress go.
    pub stderr: &'a mut dyn Write,
    /// Where confirmations come from.
    pub stdin: &'a mut dyn BufRead,
    /// Whether stdin is a terminal.
    pub stdin_is_terminal: bool,
    /// Whether stdout is a terminal: colours, and confirmations (with stdin).
    pub stdout_is_terminal: bool,
    /// Whether stderr is a terminal: live status lines.
    pub stderr_is_terminal: bool,
    /// Looks up an environment variable (`ROCKIT_*`, `NO_COLOR`, `TERM`).
    pub var: &'a dyn Fn(&str) -> Option<String>,
}

impl Io<'_> {
    /// Whether progress may be drawn live on stderr: a terminal that is not dumb (`TERM=dumb`),
    /// and not a CI job (`CI` set), whose runner records every redraw into its log.
    pub fn live_progress(&self) -> bool {
        let set = |name: &str| (self.var)(name).is_some_and(|value| !value.is_empty());
        self.stderr_is_terminal && !set("CI") && (self.var)("TERM").as_deref() != Some("dumb")
    }

    /// Runs `f` with the process's own streams and environment.
    pub fn with_std<T>(f: impl FnOnce(&mut Io<'_>) -> T) -> T {
        let stdin = std::io::stdin();
        let stdin_is_terminal = stdin.is_terminal();
        let mut stdin = stdin.lock();
        let mut stdout = std::io::stdout();
        let mut stderr = std::io::stderr();
        let var = |name: &str| std::env::var(name).ok();
        let mut io = Io {
            stdin_is_terminal,
            stdout_is_terminal: stdout.is_terminal(),
            stderr_is_terminal: stderr.is_terminal(),
            stdout: &mut stdout,
            stderr: &mut stderr,
            stdin: &mut stdin,
            var: &var,
        };
        f(&mut io)
    }
}

impl std::fmt::Debug for Io<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Io")
            .field("stdin_is_terminal", &self.stdin_is_terminal)
            .field("stdout_is_terminal", &self.stdout_is_terminal)
            .field("stderr_is_terminal", &self.stderr_is_terminal)
            .finish_non_exhaustive()
    }
}

/// Runs the command `cli` describes, printing through `io`; returns how the process should exit.
///
/// Errors are printed here as one `error: …` line (with the cause chain when `-v` was given);
/// this function never panics on bad input or a failing server.
pub async fn run(cli: Cli, io: &mut Io<'_>) -> Exit {
    let global = cli.global.clone();
    match commands::run(cli, io).await {
        Ok(exit) => exit,
        // The reader went away (`rockit tasks list | head`): stop quietly, as command-line tools do.
        Err(error) if exit::is_broken_pipe(&error) => Exit::Success,
        Err(error) => crate::connect::report_failure(&error, &global, io.var, io.stderr),
    }
}

/// Like [`run`], ending at Ctrl-C (SIGINT) with [`Exit::Interrupted`]: the command is dropped
/// first, which erases a live view, and `interrupted` is the last line on stderr. `rockit emulator`
/// handles Ctrl-C itself (a graceful shutdown, exit 0). What the binary runs; tests call [`run`].
pub async fn run_until_interrupted(cli: Cli, io: &mut Io<'_>) -> Exit {
    if matches!(cli.command, cli::Command::Emulator(_)) {
        return run(cli, io).await;
    }
    let finished = {
        let command = run(cli, io);
        tokio::pin!(command);
        tokio::select! {
            // The command first: a confirmation prompt blocks in its first poll, before the
            // handler exists, so Ctrl-C there ends the process as usual (exit 130).
            biased;
            exit = &mut command => Some(exit),
            () = interrupted() => None,
        }
        // The command, its live view with it, is dropped here.
    };
    finished.unwrap_or_else(|| {
        let _ = writeln!(io.stderr, "interrupted");
        Exit::Interrupted
    })
}

/// Resolves at Ctrl-C; never, where no handler can be installed.
async fn interrupted() {
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// The examples of this crate's README, compiled and run as doctests so that they stay true.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
