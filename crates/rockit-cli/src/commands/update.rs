//! `rockit tasks ack NAME...` and `rockit tasks expire NAME... [--yes]`.
//!
//! Every name is checked before the first request. The tasks are processed in order, and a
//! failure does not stop the rest: each one is reported on stderr as it happens, and the exit code
//! is the worst seen ([`Exit::worst`]). Expiring asks for confirmation on a terminal and refuses
//! to run unconfirmed anywhere else.

use rockit_model::TaskName;
use rockit_tasks::Tasks;
use serde::Serialize;

use crate::cli::GlobalArgs;
use crate::connect::connect;
use crate::exit::usage;
use crate::{Exit, Io, output};

/// The two updates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Update {
    Acknowledge,
    Expire,
}

/// One task's line of the JSON document: `{"name", "acknowledged": true}`,
/// `{"name", "expired": true}`, or `{"name", "error"}` when the update failed.
#[derive(Debug, Serialize)]
struct Entry {
    name: TaskName,
    #[serde(skip_serializing_if = "Option::is_none")]
    acknowledged: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expired: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

#[derive(Debug, Serialize)]
struct Document {
    tasks: Vec<Entry>,
}

pub(super) async fn acknowledge(
    global: &GlobalArgs,
    names: &[TaskName],
    io: &mut Io<'_>,
) -> anyhow::Result<Exit> {
    apply(global, names, Update::Acknowledge, io).await
}

pub(super) async fn expire(
    global: &GlobalArgs,
    names: &[TaskName],
    yes: bool,
    io: &mut Io<'_>,
) -> anyhow::Result<Exit> {
    if !yes {
        confirm_expire(names, io)?;
    }
    apply(global, names, Update::Expire, io).await
}

/// Asks on a terminal; refuses elsewhere. `Ok` only for a `y` or `yes` answer.
fn confirm_expire(names: &[TaskName], io: &mut Io<'_>) -> anyhow::Result<()> {
    let count = match names.len() {
        1 => "1 task".to_owned(),
        n => format!("{n} tasks"),
    };
    if !(io.stdin_is_terminal && io.stdout_is_terminal) {
        return Err(usage(format!("refusing to expire {count} without confirmation; pass --yes")));
    }
    for name in names {
        writeln!(io.stderr, "  {}", output::terminal_text(name.as_str()))?;
    }
    write!(
        io.stderr,
        "expire {count}? Each becomes failed and acknowledged; this cannot be undone and starts no new upload. [y/N] "
    )?;
    io.stderr.flush()?;
    let mut answer = String::new();
    // A typed answer ends with the newline the terminal echoes; at the end of input (Ctrl-D)
    // there is none, so add one to keep what follows off the prompt's line.
    if io.stdin.read_line(&mut answer)? == 0 || !answer.ends_with('\n') {
        writeln!(io.stderr)?;
    }
    if matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes") {
        Ok(())
    } else {
        Err(usage("not confirmed; nothing was expired"))
    }
}

async fn apply(
    global: &GlobalArgs,
    names: &[TaskName],
    update: Update,
    io: &mut Io<'_>,
) -> anyhow::Result<Exit> {
    let json = super::json(global);
    let connection = connect(global, io.var, true).await?;
    let mut exit = Exit::Success;
    let mut entries = Vec::with_capacity(names.len());
    for name in names {
        match send(&connection.tasks, name, update).await {
            Ok(()) => {
                if !json {
                    let verb = match update {
                        Update::Acknowledge => "acknowledged",
                        Update::Expire => "expired",
                    };
                    writeln!(io.stdout, "{verb} {}", output::terminal_text(name.as_str()))?;
                }
                entries.push(Entry {
                    name: name.clone(),
                    acknowledged: (update == Update::Acknowledge).then_some(true),
                    expired: (update == Update::Expire).then_some(true),
                    error: None,
                });
            }
            Err(err) => {
                let err = anyhow::Error::new(err);
                exit = exit.worst(crate::connect::report_failure(&err, global, io.var, io.stderr));
                entries.push(Entry {
                    name: name.clone(),
                    acknowledged: None,
                    expired: None,
                    error: Some(output::terminal_text(&err.to_string())),
                });
            }
        }
    }
    if json {
        output::json(io.stdout, &Document { tasks: entries })?;
    }
    Ok(exit)
}

async fn send(tasks: &Tasks, name: &TaskName, update: Update) -> rockit_tasks::Result<()> {
    match update {
        Update::Acknowledge => tasks.acknowledge(name).await,
        Update::Expire => tasks.expire(name).await,
    }
}
