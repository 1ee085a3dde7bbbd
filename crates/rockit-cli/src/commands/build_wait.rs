//! `rockit builds wait APP BUILD [--for KIND] [--keep-going]`: follow a build's pipeline until it is
//! through (exit 0), a stage failed or was expired (4), or `--timeout` passed (5).
//!
//! It follows [`rockit_tasks::Tasks::watch_build`], which decides when the wait is over. On a
//! terminal a live view shows one line per stage, redrawn in place (like `gh run watch`);
//! elsewhere, one timestamped line per change goes to stderr, for CI logs. The outcome goes to
//! stdout.

use std::io::Write;
use std::time::{Duration, SystemTime};

use indicatif::{ProgressBar, ProgressStyle};
use rockit_model::{BuildId, Exception};
use rockit_tasks::{Build, BuildChange, BuildOutcome, BuildProgress, BuildTarget, BuildWaitOptions};
use serde::Serialize;

use super::builds::BuildDocument;
use crate::cli::{BuildWaitArgs, GlobalArgs};
use crate::connect::connect;
use crate::output::{self, Style};
use crate::{Exit, Io};

#[derive(Debug, Serialize)]
struct WaitDocument<'a> {
    /// `succeeded`, `failed` or `timedOut`.
    outcome: &'static str,
    /// What the wait waited for.
    target: String,
    build: BuildDocument<'a>,
    /// The failed stage's exception, in one line.
    #[serde(skip_serializing_if = "Option::is_none")]
    exception: Option<String>,
}

pub(crate) async fn run(global: &GlobalArgs, args: BuildWaitArgs, io: &mut Io<'_>) -> anyhow::Result<Exit> {
    let id = BuildId::new(&args.build.app, args.build.build)?;
    // The library's defaults, but for the first interval, which is --interval's.
    let defaults = *BuildWaitOptions::default().pacing();
    let timeout = global.timeout.unwrap_or(defaults.timeout);
    let json = super::json(global);
    let jsonl = super::jsonl(global);
    let connection = connect(global, io.var, false).await?;
    let mut options = BuildWaitOptions::new()
        .timeout(timeout)
        .min_interval(args.interval)
        .max_interval(args.interval.max(defaults.max_interval))
        .keep_going(args.keep_going);
    if let Some(kind) = args.until {
        options = options.until_stage(kind);
    }

    let live = io.live_progress() && !json && !jsonl;
    let view = LiveView::new(live, &id);
    let way = match (jsonl, json, live) {
        (true, _, _) => Way::Events,
        (_, true, _) => Way::Document,
        (_, _, true) => Way::Live,
        _ => Way::Log,
    };
    let mut step = Steps { id: &id, way, announced: false, view: &view };
    let mut watch = connection.tasks.watch_build(&id, options);
    let last = loop {
        let progress = match watch.try_next().await {
            Ok(Some(progress)) => progress,
            Ok(None) => {
                view.clear();
                anyhow::bail!("the watch of build {id} ended without an outcome");
            }
            Err(err) => {
                view.clear();
                return Err(err.into());
            }
        };
        step.report(&progress, io)?;
        if progress.outcome.is_some() {
            break progress;
        }
    };
    view.clear();

    let Some(outcome) = last.outcome.as_ref() else { unreachable!("the loop ends on an outcome") };
    // A failure's one-line exception, from the failed task's details.
    let exception = match outcome {
        BuildOutcome::Failed(build) => failed_exception(&connection.tasks, build).await,
        _ => None,
    };
    let exit = match outcome {
        BuildOutcome::Succeeded(_) => Exit::Success,
        BuildOutcome::Failed(_) => Exit::TaskFailed,
        _ => Exit::TimedOut,
    };
    if json || jsonl {
        let document = WaitDocument {
            outcome: match outcome {
                BuildOutcome::Succeeded(_) => "succeeded",
                BuildOutcome::Failed(_) => "failed",
                _ => "timedOut",
            },
            target: last.target.to_string(),
            build: BuildDocument::new(outcome.build()),
            exception,
        };
        if jsonl {
            // The last line: how the wait ended, with the same fields as `--output json`'s.
            output::event(io.stdout, "outcome", &document)?;
        } else {
            output::json(io.stdout, &document)?;
        }
    } else {
        let summary = outcome_line(&id, outcome, &last.target, last.elapsed, timeout, exception.as_deref());
        let style = Style::for_stdout(io);
        let color = match exit {
            Exit::Success => Some(output::Color::Green),
            _ => Some(output::Color::Red),
        };
        writeln!(io.stdout, "{}", style.paint(&output::terminal_text(&summary), color))?;
    }
    Ok(exit)
}

/// The exception summary of the first failed or expired stage's newest attempt.
async fn failed_exception(tasks: &rockit_tasks::Tasks, build: &Build) -> Option<String> {
    let stage = build.state().failed_stage().and_then(|kind| build.stage(kind))?;
    match tasks.get(&stage.current().name).await {
        Ok(details) => details.exception.as_ref().map(Exception::summary),
        Err(err) => {
            tracing::debug!("no exception for {}: {err}", stage.current().name);
            None
        }
    }
}

/// How each step of the watch is shown: as events (`--output jsonl`), or as lines, on a terminal
/// above the live line and elsewhere on stderr (under `--output json` only the pauses: stdout
/// keeps the one document, and a wait that seems to hang says why on stderr).
struct Steps<'a> {
    id: &'a BuildId,
    way: Way,
    /// Whether the line saying what the wait waits for was written.
    announced: bool,
    view: &'a LiveView,
}

/// Where the steps of a watch go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Way {
    /// `--output jsonl`: an event per change on stdout.
    Events,
    /// `--output json`: only the pauses, on stderr.
    Document,
    /// A terminal: lines above the live line.
    Live,
    /// Anything else: lines on stderr.
    Log,
}

impl Steps<'_> {
    fn report(&mut self, progress: &BuildProgress, io: &mut Io<'_>) -> std::io::Result<()> {
        if self.way == Way::Events {
            return progress.changes.iter().try_for_each(|change| change_event(io.stdout, change));
        }
        let pause = match progress.changes.first() {
            Some(BuildChange::Paused(pause)) => Some(pause),
            _ => None,
        };
        let mut lines = Vec::new();
        // Before the first look the target may not be known yet: a pause does not announce it.
        let json = self.way == Way::Document;
        if !self.announced && !json && pause.is_none() {
            lines.push(format!("waiting for build {:#} until {}", self.id, progress.target));
            self.announced = true;
        }
        let shown = progress
            .changes
            .iter()
            .filter(|change| !json || matches!(change, BuildChange::Paused(_) | BuildChange::Resumed));
        lines.extend(shown.map(|change| change_line(change, progress.elapsed)));
        for line in &lines {
            if self.way == Way::Live {
                self.view.println(line);
            } else {
                writeln!(io.stderr, "{line}")?;
            }
        }
        self.view.show(progress, pause);
        Ok(())
    }
}

/// A change as an event of `--output jsonl`: `stage`, `attempt`, `status`, `warning`, `pause`,
/// `resume`, with the task concerned and, where its name tells, when it was created.
fn change_event(out: &mut dyn Write, change: &BuildChange) -> std::io::Result<()> {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct TaskEvent<'a> {
        task: &'a rockit_model::TaskSummary,
        #[serde(skip_serializing_if = "Option::is_none")]
        created: Option<u64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        from: Option<&'a rockit_model::TaskStatus>,
        #[serde(skip_serializing_if = "Option::is_none")]
        supersedes: Option<&'a rockit_model::TaskName>,
    }
    #[derive(Serialize)]
    struct WarningEvent<'a> {
        task: &'a rockit_model::TaskName,
    }
    fn task<'a>(
        task: &'a rockit_model::TaskSummary,
        from: Option<&'a rockit_model::TaskStatus>,
        supersedes: Option<&'a rockit_model::TaskName>,
    ) -> TaskEvent<'a> {
        let created = task.name.parts().map(|parts| parts.created_unix());
        TaskEvent { task, created, from, supersedes }
    }
    match change {
        BuildChange::StageAppeared { task: summary } => {
            output::event(out, "stage", &task(summary, None, None))
        }
        BuildChange::AttemptStarted { task: summary, superseded } => {
            output::event(out, "attempt", &task(summary, None, Some(superseded)))
        }
        BuildChange::StatusChanged { task: summary, from } => {
            output::event(out, "status", &task(summary, Some(from), None))
        }
        BuildChange::WarningRaised { task } => output::event(out, "warning", &WarningEvent { task }),
        BuildChange::Paused(pause) => output::event(out, "pause", &output::PauseEvent::new(pause)),
        BuildChange::Resumed => output::event(out, "resume", &output::NoBody {}),
        // A change a newer SDK reports that this CLI does not name yet.
        _ => Ok(()),
    }
}

/// `+12.3s mkraw running exampleorg-…-mkraw (created 07:51:40)`, with the time of day it was seen
/// first; a stage or attempt that appeared also says when it was created, as its name tells.
fn change_line(change: &BuildChange, elapsed: Duration) -> String {
    let text = match change {
        BuildChange::StageAppeared { task } => {
            format!("{} {} {}{}", kind_of(task), task.status, task.name, created(task))
        }
        BuildChange::AttemptStarted { task, superseded } => {
            let created = created(task);
            format!(
                "{} retry {} {}{created} (supersedes {superseded})",
                kind_of(task),
                task.status,
                task.name
            )
        }
        BuildChange::StatusChanged { task, from } => {
            format!("{} {} {} (was {from})", kind_of(task), task.status, task.name)
        }
        BuildChange::WarningRaised { task } => format!("warning {task} (rockit tasks show {task})"),
        BuildChange::Paused(pause) => return super::wait::pause_line(Some(pause), elapsed),
        BuildChange::Resumed => return super::wait::pause_line(None, elapsed),
        _ => "changed".to_owned(),
    };
    output::terminal_text(&format!(
        "{} +{} {text}",
        output::time_of_day(SystemTime::now()),
        output::seconds(elapsed)
    ))
}

/// ` (created 07:51:40)` from the task's name, with the date when that was not today (UTC); empty
/// for a name that does not tell.
fn created(task: &rockit_model::TaskSummary) -> String {
    let Some(parts) = task.name.parts() else { return String::new() };
    let at = parts.created_at();
    let today = output::utc_seconds(unix(SystemTime::now())).get(..10).map(str::to_owned);
    let full = output::utc_seconds(parts.created_unix());
    if full.get(..10).map(str::to_owned) == today {
        format!(" (created {})", output::time_of_day(at))
    } else {
        format!(" (created {full})")
    }
}

fn unix(at: SystemTime) -> u64 {
    at.duration_since(std::time::UNIX_EPOCH).map_or(0, |since| since.as_secs())
}

fn kind_of(task: &rockit_model::TaskSummary) -> String {
    task.name.parts().map(|parts| parts.kind_str().to_owned()).unwrap_or_default()
}

/// The result line: `sushi 0003 succeeded after 13.2s (publish done)`, `… failed after 8.1s:
/// mkdxf failed: …`, `… still running after 1.0s; gave up (--timeout 1s)`.
fn outcome_line(
    id: &BuildId,
    outcome: &BuildOutcome,
    target: &BuildTarget,
    elapsed: Duration,
    timeout: Duration,
    exception: Option<&str>,
) -> String {
    let after = output::seconds(elapsed);
    match outcome {
        BuildOutcome::Succeeded(_) => format!("{id:#} succeeded after {after} ({target})"),
        BuildOutcome::Failed(build) => {
            let state = build.state();
            let failed = state.failed_stage().map(ToString::to_string).unwrap_or_default();
            let mut line = format!("{id:#} failed after {after}: {failed} {}", state.as_str());
            if let Some(exception) = exception {
                line.push_str(": ");
                line.push_str(exception);
            }
            line
        }
        BuildOutcome::TimedOut { build, .. } if build.is_empty() => {
            format!(
                "{id:#} not seen after {after}; gave up (--timeout {})",
                humantime::format_duration(timeout)
            )
        }
        BuildOutcome::TimedOut { build, .. } => format!(
            "{id:#} still {} after {after}, waiting until {target}; gave up (--timeout {})",
            build.state().as_str(),
            humantime::format_duration(timeout)
        ),
        _ => format!("{id:#} ended after {after}"),
    }
}

/// The live view on stderr: a header with a spinner and the elapsed time, then one line per stage,
/// redrawn in place. Hidden when stderr is not a terminal.
struct LiveView {
    bar: ProgressBar,
}

impl LiveView {
    fn new(live: bool, id: &BuildId) -> Self {
        if !live {
            return Self { bar: ProgressBar::hidden() };
        }
        let bar = ProgressBar::with_draw_target(None, crate::live::target());
        let style = ProgressStyle::with_template("{spinner} {prefix} {elapsed} · {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner());
        bar.set_style(style);
        bar.set_prefix(format!("{id:#}"));
        bar.set_message("waiting for the first answer");
        bar.enable_steady_tick(output::LIVE_TICK);
        Self { bar }
    }

    /// Writes `line` above the live line, which stays below it.
    fn println(&self, line: &str) {
        self.bar.println(line);
    }

    /// The live line's text: the newest stage and its status, or the pause the server asked for.
    fn show(&self, progress: &BuildProgress, pause: Option<&rockit_tasks::Pause>) {
        let text = match (pause, progress.build.stages().last()) {
            (Some(pause), _) => format!("{pause}; the wait goes on"),
            (None, None) => format!("no task of the build yet; until {}", progress.target),
            (None, Some(stage)) => {
                let count = progress.build.stages().len();
                let stages = if count == 1 { "stage" } else { "stages" };
                format!(
                    "{} {}, {count} {stages} so far; until {}",
                    stage.kind(),
                    stage.status(),
                    progress.target
                )
            }
        };
        // Spinner, build, elapsed time and ` · ` before it.
        let taken = self.bar.prefix().len() + 12;
        self.bar.set_message(crate::live::fit(&output::terminal_text(&text), taken));
    }

    fn clear(&self) {
        self.bar.finish_and_clear();
    }
}

/// A live view dropped before its end (Ctrl-C) erases itself instead of leaving a stale frame.
impl Drop for LiveView {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}
