//! The command line as clap sees it: [`Cli`], the global options, every subcommand and its flags,
//! and the help texts (exit codes, examples).
//!
//! Values are typed here: clap parses each one with a parser from `parse.rs` (durations, times,
//! task names, statuses, kinds, sort keys, page sizes, raw parameters), so every mistake is a clap
//! usage error naming the flag, the value and the fix, with exit code 2, before any request.

// Doc comments here are the help text clap prints verbatim: backticks would show up in it.
#![allow(clippy::doc_markdown)]

use std::time::Duration;

use clap::{ArgAction, Args, Parser, Subcommand, ValueEnum};
use clap_complete::Shell;
use rockit_emulator::cli::EmulatorArgs;
use rockit_model::{Order, TaskKind, TaskName, TaskStatus};

use crate::parse;

/// The text after the exit codes at the end of `rockit --help`.
const AFTER_EXIT_CODES: &str =
    "Configuration: --endpoint, --org, --user, --api-key, --token, --token-command and
--api-key-command fall back to ROCKIT_ENDPOINT, ROCKIT_ORG, ROCKIT_USER, ROCKIT_API_KEY,
ROCKIT_TOKEN, ROCKIT_TOKEN_COMMAND and ROCKIT_API_KEY_COMMAND, then to the profile (--profile,
ROCKIT_PROFILE or default_profile) of the config file (rockit config path). A flag beats the
environment, which beats the profile; the highest of them with a credential decides it. Use one
kind of credentials: an API key (with --org and --user) or a token, or a command printing one.
rockit auth status shows what is in use and where each value came from.

Try it without an account:
  rockit --emulator tasks list
  rockit --emulator tasks show exampleorg-sushi-0002-1733149403-dltar
  rockit --emulator builds wait sushi 3";

/// The ROCKIT Edge Tasks API from a terminal or a CI pipeline.
///
/// Lists pipeline tasks, shows their details, acknowledges warnings, expires broken uploads and
/// waits for steps to finish. Output is an aligned table for people or, with `--output json`,
/// one JSON document with the API's field names for scripts.
// `Debug` is derived: the secrets sit in `GlobalArgs` and `EmulatorArgs`, whose `Debug` redacts them.
#[derive(Debug, Parser)]
#[command(name = "rockit", version, after_help = format!("{}\n{AFTER_EXIT_CODES}", crate::exit::exit_codes_help()))]
pub struct Cli {
    #[command(flatten)]
    pub(crate) global: GlobalArgs,
    #[command(subcommand)]
    pub(crate) command: Command,
}

impl Cli {
    /// How many times `-v` was given: 0 quiet, 1 debug logs of rockit's crates, 2 or more trace
    /// logs of rockit's crates and debug logs of the HTTP stack.
    pub fn verbosity(&self) -> u8 {
        self.global.verbose
    }
}

/// Options every command accepts, before or after the subcommand.
///
/// They carry no clap `env` attribute: the `ROCKIT_*` variables are read in `connect.rs`, which
/// knows whether a value came from a flag or from the environment (error messages name the
/// source, and `--emulator` ignores the environment). Their ids equal those of the emulator's
/// `--org`, `--user`, `--api-key` and `--token`, so that clap keeps the emulator's own flags in
/// `rockit emulator` instead of clashing with these.
#[derive(Clone, Args)]
#[command(next_help_heading = "Global options")]
pub(crate) struct GlobalArgs {
    /// Base URL of the ROCKIT Edge host, like https://edge.example.com [env: ROCKIT_ENDPOINT]
    #[arg(long, global = true, value_name = "URL")]
    pub(crate) endpoint: Option<String>,
    /// Organization name, sent as x-rockit-orgname [env: ROCKIT_ORG]
    #[arg(long, global = true, value_name = "ORG")]
    pub(crate) org: Option<String>,
    /// Machine user's name, sent as x-rockit-username [env: ROCKIT_USER]
    #[arg(long, global = true, value_name = "USER")]
    pub(crate) user: Option<String>,
    /// Machine user's API key; needs --org and --user [env: ROCKIT_API_KEY]
    #[arg(long, global = true, value_name = "KEY")]
    pub(crate) api_key: Option<String>,
    /// Backend auth token of a user login, instead of an API key [env: ROCKIT_TOKEN]
    #[arg(long, global = true, value_name = "TOKEN")]
    pub(crate) token: Option<String>,
    /// A program that prints a fresh token (one line, or JSON with "token" and "expiresAt"); run
    /// again when the token expires. Split like a shell would, but not run through one
    /// [env: ROCKIT_TOKEN_COMMAND]
    #[arg(long, global = true, value_name = "COMMAND")]
    pub(crate) token_command: Option<String>,
    /// A program that prints the API key (for keys kept in a secret store) [env: ROCKIT_API_KEY_COMMAND]
    #[arg(long, global = true, value_name = "COMMAND")]
    pub(crate) api_key_command: Option<String>,
    /// The profile of the config file to use (`rockit config path` shows where it is)
    /// [env: ROCKIT_PROFILE]
    #[arg(long, global = true, value_name = "NAME")]
    pub(crate) profile: Option<String>,
    /// Output format: an aligned table for people, one JSON document for scripts, or (for waits,
    /// watches and lists) one JSON object per line as it happens
    #[arg(long, short = 'o', global = true, value_enum, default_value_t = OutputFormat::Table)]
    pub(crate) output: OutputFormat,
    /// Give up after this long, like 30s or 2m: each API call with its retries, or the whole wait
    /// for `tasks wait` and `tasks watch` (default there: 10m) and `builds wait` (30m)
    #[arg(long, global = true, value_name = "DURATION", value_parser = parse::duration)]
    pub(crate) timeout: Option<Duration>,
    /// Retries of a failed idempotent call (network errors, 429, 5xx) [default: 3]
    #[arg(long, global = true, value_name = "N")]
    pub(crate) retries: Option<u32>,
    /// A PEM file of CA certificates to trust besides the system's trust store: a studio's
    /// private CA, a TLS-inspecting proxy's [env: ROCKIT_CA_CERT]
    #[arg(long, global = true, value_name = "FILE")]
    pub(crate) ca_cert: Option<std::path::PathBuf>,
    /// Log to stderr (-v: requests and retries; -vv: more); secrets are never logged
    #[arg(short, long, global = true, action = ArgAction::Count)]
    pub(crate) verbose: u8,
    /// Run against a built-in emulator with the demo tasks: no account needed. Uses the demo
    /// credentials unless credential flags are given, and ignores the ROCKIT_* variables
    #[arg(long, global = true)]
    pub(crate) emulator: bool,
}

/// Shows every option but the API key and the token, which read `[redacted]` when set.
impl std::fmt::Debug for GlobalArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let Self {
            endpoint,
            org,
            user,
            api_key,
            token,
            token_command,
            api_key_command,
            profile,
            output,
            timeout,
            retries,
            ca_cert,
            verbose,
            emulator,
        } = self;
        f.debug_struct("GlobalArgs")
            .field("endpoint", endpoint)
            .field("org", org)
            .field("user", user)
            .field("api_key", &redacted(api_key.as_ref()))
            .field("token", &redacted(token.as_ref()))
            // A command line could hold a secret if someone wrote one into it.
            .field("token_command", &redacted(token_command.as_ref()))
            .field("api_key_command", &redacted(api_key_command.as_ref()))
            .field("profile", profile)
            .field("output", output)
            .field("timeout", timeout)
            .field("retries", retries)
            .field("ca_cert", ca_cert)
            .field("verbose", verbose)
            .field("emulator", emulator)
            .finish()
    }
}

/// `Some([redacted])` for a set secret, `None` for an unset one.
pub(crate) fn redacted<T>(secret: Option<&T>) -> Option<Redacted> {
    secret.map(|_| Redacted)
}

/// Stands in for a secret in `Debug` output.
pub(crate) struct Redacted;

impl std::fmt::Debug for Redacted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

/// `--output`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum OutputFormat {
    // Plain comments, not docs: clap would turn docs into a long "Possible values" list.
    // Aligned text for people; colours only on a terminal and never with NO_COLOR.
    Table,
    // One JSON document with the API's field names, for `jq` and scripts.
    Json,
    // One JSON object per line as it happens: the events of waits and watches, the items of lists.
    Jsonl,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// List, show, acknowledge, expire, wait for and watch tasks
    #[command(subcommand)]
    Tasks(TasksCommand),
    /// List and show builds (an app's upload and the pipeline of tasks it runs), and wait for one
    #[command(subcommand)]
    Builds(BuildsCommand),
    /// Show the credentials in use and check them against the server
    #[command(subcommand)]
    Auth(AuthCommand),
    /// Show the config file's location and its profiles (secrets redacted)
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Serve a local stand-in ROCKIT Edge (the demo tasks by default) until Ctrl-C
    ///
    /// Prints `listening on http://ADDR` and the credentials to use, then serves. Point the other
    /// commands at it with --endpoint and those credentials. The flags are those of the
    /// `rockit-emulator` binary.
    Emulator(EmulatorCommand),
    /// Print a shell completion script, e.g. `source <(rockit completions bash)` in ~/.bashrc
    ///
    /// No bash-completion package is needed for that; with it, saving the script as
    /// ~/.local/share/bash-completion/completions/rockit loads it on demand. Flag values complete,
    /// and `--profile` completes the profiles of the config file in use (bash, zsh and fish).
    Completions {
        /// The shell to complete for
        #[arg(value_enum)]
        shell: Shell,
    },
}

#[derive(Debug, Args)]
pub(crate) struct EmulatorCommand {
    #[command(flatten)]
    pub(crate) args: EmulatorArgs,
}

#[derive(Debug, Subcommand)]
pub(crate) enum TasksCommand {
    /// List tasks as a table with a `shown of total` footer
    ///
    /// Columns: NAME, APP, BUILD, KIND, SERVICE, STATUS, CREATED (UTC, from the task's name) and
    /// FLAGS: `!` marks a warning nobody acknowledged yet, `ack` an acknowledged one, `?` that the
    /// server could not tell (-v says why); --no-markers leaves the column out. One page (10 tasks
    /// by default) unless --all.
    List(ListArgs),
    /// Show one task's details: status, warning, exception and every field the server sent
    Show {
        /// The task's full name, as `tasks list` prints it
        #[arg(value_parser = parse::task_name)]
        name: TaskName,
    },
    /// Acknowledge the warnings of tasks (marks them reviewed; fixes and retries nothing)
    ///
    /// Every name is checked before the first request. The tasks are processed in order; a
    /// failure does not stop the others, and the exit code is the worst one seen.
    #[command(visible_alias = "acknowledge")]
    Ack {
        /// Full task names
        #[arg(required = true, value_name = "NAME", value_parser = parse::task_name)]
        names: Vec<TaskName>,
    },
    /// Expire tasks: marks them failed and acknowledged; starts no new upload; cannot be undone
    ///
    /// Asks for confirmation when stdin and stdout are a terminal; elsewhere it refuses to run
    /// without --yes. The tasks are processed in order; a failure does not stop the others, and
    /// the exit code is the worst one seen.
    Expire {
        /// Full task names
        #[arg(required = true, value_name = "NAME", value_parser = parse::task_name)]
        names: Vec<TaskName>,
        /// Do not ask for confirmation (needed when not on a terminal)
        #[arg(short, long)]
        yes: bool,
    },
    /// Wait until a task is done (exit 0), failed or expired (exit 4), or --timeout passes (exit 5)
    ///
    /// Shows a live status line with the elapsed time on a terminal, plain lines on stderr
    /// otherwise, then prints the final status. The global --timeout bounds the whole wait
    /// (default 10m). Polls every --interval at first and backs off to at most 30s (or
    /// --interval, if longer) while nothing changes.
    #[command(after_help = WAIT_EXIT_CODES)]
    Wait(WaitArgs),
    /// Print a line at every status change of a task until it ends; exits like `tasks wait`
    ///
    /// Each line reads `HH:MM:SS +ELAPSED STATUS` (time of day in UTC, seconds since the start);
    /// a live status line follows on a terminal. The global --timeout bounds the whole watch
    /// (default 10m); polling works as for `tasks wait`.
    #[command(after_help = WAIT_EXIT_CODES)]
    Watch(WaitArgs),
}

#[derive(Debug, Subcommand)]
pub(crate) enum AuthCommand {
    /// The endpoint, org, user and kind of credentials in use, where each came from (flag,
    /// variable, profile), then one cheap call (GET /be/v1/tasks?limit=1): ok, or what is wrong
    Status,
}

#[derive(Debug, Subcommand)]
pub(crate) enum ConfigCommand {
    /// Print where the config file is (ROCKIT_CONFIG, or the platform's config directory)
    Path,
    /// List the profiles; `*` marks the default
    List {
        /// Only the names, one a line, and nothing when there is no file (what shell completion
        /// reads)
        #[arg(long)]
        names: bool,
    },
    /// Show a profile's settings, secrets redacted (the default profile without a name)
    Show {
        /// The profile's name
        profile: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum BuildsCommand {
    /// List builds, one row per build with a cell per pipeline stage
    ///
    /// Rows come in name order (app, then build number) and show the last --limit builds of the
    /// listing: with --app, that app's newest. Stage cells: done, run (running), pend (pending),
    /// FAIL (failed), exp (expired), `-` (skipped: a later stage ran), empty (not reached yet); a
    /// `*` marks a stage that was retried. STATE is decided from each stage's newest attempt.
    List(BuildsListArgs),
    /// Show one build: its stages with their newest attempts, superseded attempts, failures with
    /// their exceptions, unacknowledged warnings, and what to do next
    Show(BuildArgs),
    /// Wait for a build's pipeline: exit 0 when it is through, 4 when a stage failed or was
    /// expired, 5 when --timeout passes first
    ///
    /// Waits until the stage --for is done or, by default, until the stage the app's previous build
    /// reached last is done (without a previous build: until every stage is done and nothing new
    /// appeared for a minute). A build that has not appeared yet is waited for. On a terminal a
    /// live view shows one line per stage; elsewhere one timestamped line per change (for CI
    /// logs). The global --timeout bounds the whole wait (default 30m).
    #[command(after_help = BUILD_WAIT_EXIT_CODES)]
    Wait(BuildWaitArgs),
}

/// The exit codes of `builds wait`.
const BUILD_WAIT_EXIT_CODES: &str = "\
Exit codes: 0 the build is through; 1 API or network error; 2 usage error; 3 authentication or
permission error; 4 a stage failed or was expired; 5 --timeout passed first.

In CI, after the upload: rockit builds wait \"$APP\" \"$BUILD\" --for deploy --timeout 45m || exit $?";

#[derive(Debug, Args)]
pub(crate) struct BuildsListArgs {
    /// Only builds of apps whose name contains NAME
    #[arg(long, value_name = "NAME")]
    pub(crate) app: Option<String>,
    /// Only tasks created at or after T: Unix seconds, a date (2024-12-01) or a UTC date and time
    #[arg(long, value_name = "T", value_parser = parse::unix_time)]
    pub(crate) since: Option<u64>,
    /// How many builds to show: the last N of the listing
    #[arg(long, value_name = "N", default_value_t = 20, value_parser = parse::limit)]
    pub(crate) limit: u32,
    /// Every build of the listing
    #[arg(long, conflicts_with = "limit")]
    pub(crate) all: bool,
}

#[derive(Debug, Args)]
pub(crate) struct BuildArgs {
    /// The app's name, without the org (as the APP column shows it)
    #[arg(value_parser = parse::app)]
    pub(crate) app: String,
    /// The build number: 3 or 0003
    #[arg(value_parser = parse::build_number)]
    pub(crate) build: u32,
}

#[derive(Debug, Args)]
pub(crate) struct BuildWaitArgs {
    #[command(flatten)]
    pub(crate) build: BuildArgs,
    /// Wait until this stage is done: dltar, mkraw, mkpat, mkdxf, publish or deploy
    #[arg(long = "for", value_name = "KIND", value_parser = parse::kinds())]
    pub(crate) until: Option<TaskKind>,
    /// Keep waiting when a stage fails or is expired, for a retry of it to succeed
    #[arg(long)]
    pub(crate) keep_going: bool,
    /// How often to poll at first, like 2s or 500ms (backs off to 30s while nothing changes; a
    /// build not seen yet is looked for every DURATION)
    #[arg(long, value_name = "DURATION", default_value = "2s", value_parser = parse::duration)]
    pub(crate) interval: Duration,
}

/// The exit codes of `tasks wait` and `tasks watch`.
const WAIT_EXIT_CODES: &str = "\
Exit codes: 0 done; 1 API or network error; 2 usage error; 3 authentication or permission error;
4 the task ended failed or expired; 5 --timeout passed first.";

#[derive(Debug, Args)]
pub(crate) struct ListArgs {
    /// Only tasks of apps whose name contains NAME
    #[arg(long, value_name = "NAME")]
    pub(crate) app: Option<String>,
    /// Only tasks of this build number
    #[arg(long, value_name = "N")]
    pub(crate) build: Option<u32>,
    /// Only tasks in this state: pending, running, done, failed or expired
    #[arg(long, value_name = "STATUS", value_parser = parse::statuses())]
    pub(crate) status: Option<TaskStatus>,
    /// Only tasks of this kind: dltar, mkraw, mkpat, mkdxf, publish or deploy
    #[arg(long, value_name = "KIND", value_parser = parse::kinds())]
    pub(crate) kind: Option<TaskKind>,
    /// Only tasks of this task group (the emulator knows upload, build and release)
    #[arg(long, value_name = "GROUP")]
    pub(crate) group: Option<String>,
    /// Only tasks created at or after T: Unix seconds, a date (2024-12-01) or a UTC date and time
    /// (2024-12-01T10:00:00Z)
    #[arg(long, value_name = "T", value_parser = parse::unix_time)]
    pub(crate) since: Option<u64>,
    /// Only tasks created before T (same forms as --since)
    #[arg(long, value_name = "T", value_parser = parse::unix_time)]
    pub(crate) until: Option<u64>,
    /// Sort by name, status, service, kind (or type) or created; a leading `-` sorts descending.
    /// Repeat for more keys
    #[arg(long, value_name = "[-]FIELD", allow_hyphen_values = true, value_parser = parse::sort_key)]
    pub(crate) sort: Vec<Order>,
    /// Tasks per page (the server's default is 10); with --all, the size of each page fetched
    /// (default 500)
    #[arg(long, value_name = "N", value_parser = parse::limit)]
    pub(crate) limit: Option<u32>,
    /// Skip the first N matching tasks
    #[arg(long, value_name = "N")]
    pub(crate) offset: Option<u64>,
    /// Every matching task, fetched page by page
    #[arg(long)]
    pub(crate) all: bool,
    /// Leave out the FLAGS column and the two extra requests that find the warnings
    #[arg(long)]
    pub(crate) no_markers: bool,
    /// Send another query parameter verbatim, for filters this CLI does not know; repeatable
    #[arg(long, value_name = "KEY=VALUE", value_parser = parse::param)]
    pub(crate) param: Vec<(String, String)>,
}

#[derive(Debug, Args)]
pub(crate) struct WaitArgs {
    /// The task's full name, as `tasks list` prints it
    #[arg(value_parser = parse::task_name)]
    pub(crate) name: TaskName,
    /// How often to poll at first, like 2s or 500ms
    #[arg(long, value_name = "DURATION", default_value = "2s", value_parser = parse::duration)]
    pub(crate) interval: Duration,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn the_timeout_help_states_the_librarys_wait_defaults() {
        let command = Cli::command();
        let timeout = command.get_arguments().find(|arg| arg.get_id() == "timeout").unwrap();
        let help = timeout.get_long_help().or(timeout.get_help()).unwrap().to_string();
        let human = |duration: Duration| humantime::format_duration(duration).to_string();
        let task = human(rockit_tasks::WaitOptions::default().pacing().timeout);
        let build = human(rockit_tasks::BuildWaitOptions::default().pacing().timeout);
        assert!(help.contains(&format!("`tasks watch` (default there: {task})")), "{help}");
        assert!(help.contains(&format!("`builds wait` ({build})")), "{help}");
    }

    #[test]
    fn global_options_go_anywhere_and_emulator_keeps_its_own_flags() {
        let cli =
            Cli::try_parse_from(["rockit", "tasks", "list", "--output", "json", "--org", "Acme"]).unwrap();
        assert_eq!(cli.global.output, OutputFormat::Json);
        assert_eq!(cli.global.org.as_deref(), Some("Acme"));

        let cli = Cli::try_parse_from(["rockit", "emulator", "--org", "Acme", "--api-key", "k"]).unwrap();
        let Command::Emulator(emulator) = cli.command else { panic!("emulator") };
        assert_eq!(emulator.args.org, "Acme");
        assert_eq!(emulator.args.api_key.as_deref(), Some("k"));

        let cli = Cli::try_parse_from(["rockit", "tasks", "wait", "x", "--timeout", "10m"]).unwrap();
        assert_eq!(cli.global.timeout, Some(Duration::from_secs(600)));
    }
}

#[cfg(test)]
mod debug_tests {
    use clap::Parser as _;

    use super::Cli;

    #[test]
    fn debug_output_redacts_the_secrets() {
        let cli =
            Cli::try_parse_from(["rockit", "--api-key", "SECRET1", "--token", "SECRET2", "tasks", "list"])
                .unwrap();
        let debug = format!("{cli:?} {cli:#?}");
        assert!(!debug.contains("SECRET1") && !debug.contains("SECRET2"), "{debug}");
        assert!(debug.contains("api_key: Some([redacted])"), "{debug}");

        // `rockit emulator` hands the same flags to the emulator's own arguments.
        let cli = Cli::try_parse_from(["rockit", "emulator", "--api-key", "SECRET1", "--token", "SECRET2"])
            .unwrap();
        let debug = format!("{cli:?}");
        assert!(!debug.contains("SECRET1") && !debug.contains("SECRET2"), "{debug}");
    }
}
