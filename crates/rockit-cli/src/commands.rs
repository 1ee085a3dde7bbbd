//! Dispatch from a parsed [`Cli`] to the command that runs it. The `tasks` commands live in the
//! submodules; `emulator` and `completions` are small enough to live here.

mod auth;
mod build_wait;
mod builds;
mod completions;
mod list;
mod show;
mod update;
mod wait;

use crate::cli::{AuthCommand, BuildsCommand, Command, GlobalArgs, OutputFormat, TasksCommand};
use crate::{Cli, Exit, Io};

/// Runs the command. Errors are returned for the caller to print and map to an exit code;
/// outcomes that are not errors but not success either (a failed task after `wait`) come back as
/// an [`Exit`].
pub(crate) async fn run(cli: Cli, io: &mut Io<'_>) -> anyhow::Result<Exit> {
    let Cli { global, command } = cli;
    if jsonl(&global) && !streams(&command) {
        return Err(crate::exit::usage(
            "--output jsonl is for waits, watches and lists (tasks list/wait/watch, builds list/wait); use --output json",
        ));
    }
    match command {
        Command::Tasks(command) => tasks(&global, command, io).await,
        Command::Auth(AuthCommand::Status) => auth::status(&global, io).await,
        Command::Config(command) => auth::config(&command, &global, io),
        Command::Builds(command) => match command {
            BuildsCommand::List(args) => builds::list(&global, args, io).await,
            BuildsCommand::Show(args) => builds::show(&global, &args, io).await,
            BuildsCommand::Wait(args) => build_wait::run(&global, args, io).await,
        },
        Command::Emulator(command) => {
            rockit_emulator::cli::run(command.args, &mut io.stdout, &mut io.stderr).await?;
            Ok(Exit::Success)
        }
        Command::Completions { shell } => {
            // Written whole from a buffer: clap_complete panics on a failed write, and a reader
            // that went away (`| head -1`) must end the command quietly, as everywhere else.
            io.stdout.write_all(completions::script(shell).as_bytes())?;
            Ok(Exit::Success)
        }
    }
}

async fn tasks(global: &GlobalArgs, command: TasksCommand, io: &mut Io<'_>) -> anyhow::Result<Exit> {
    match command {
        TasksCommand::List(args) => list::run(global, args, io).await,
        TasksCommand::Show { name } => show::run(global, &name, io).await,
        TasksCommand::Ack { names } => update::acknowledge(global, &names, io).await,
        TasksCommand::Expire { names, yes } => update::expire(global, &names, yes, io).await,
        TasksCommand::Wait(args) => wait::run(global, args, wait::Mode::Wait, io).await,
        TasksCommand::Watch(args) => wait::run(global, args, wait::Mode::Watch, io).await,
    }
}

/// Whether the command prints JSON.
fn json(global: &GlobalArgs) -> bool {
    global.output == OutputFormat::Json
}

/// Whether the command prints one JSON object per line as it happens.
fn jsonl(global: &GlobalArgs) -> bool {
    global.output == OutputFormat::Jsonl
}

/// Whether the command has a stream of objects to print (`--output jsonl`).
fn streams(command: &Command) -> bool {
    matches!(
        command,
        Command::Tasks(TasksCommand::List(_) | TasksCommand::Wait(_) | TasksCommand::Watch(_))
            | Command::Builds(BuildsCommand::List(_) | BuildsCommand::Wait(_))
    )
}
