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

use super::builds::{BuildDocument, status_cell};
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
    let mut watch = connection.tasks.watch_build(&id, options);
    let mut announced = false;
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
        let pause = match progress.changes.first() {
            Some(BuildChange::Paused(pause)) => Some(pause),
            _ => None,
        };
        // Before the first look the target may not be known yet: a pause does not announce it.
        if !announced && !json && !jsonl && !live && pause.is_none() {
            writeln!(io.stderr, "waiting for build {id:#} until {}", progress.target)?;
            announced = true;
        }
        if jsonl {
            for change in &progress.changes {
                change_event(io.stdout, change)?;
            }
        } else if live {
            view.note(pause);
            if pause.is_none() {
                view.show(&progress);
            }
        } else {
            // Under `--output json` only the pauses: stdout keeps the one document, and a wait
            // that seems to hang says why on stderr.
            let shown = progress
                .changes
                .iter()
                .filter(|change| !json || matches!(change, BuildChange::Paused(_) | BuildChange::Resumed));
            for change in shown {
                writeln!(io.stderr, "{}", change_line(change, progress.elapsed))?;
            }
        }
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

/// `+12.3s mkraw running exampleorg-…-mkraw`, with the time of day first.
fn change_line(change: &BuildChange, elapsed: Duration) -> String {
    let text = match change {
        BuildChange::StageAppeared { task } => {
            format!("{} {} {}", kind_of(task), task.status, task.name)
        }
        BuildChange::AttemptStarted { task, superseded } => {
            format!("{} retry {} {} (supersedes {superseded})", kind_of(task), task.status, task.name)
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
    /// The stage lines last shown, and the pause shown below them, if any.
    shown: std::cell::RefCell<(String, Option<String>)>,
}

impl LiveView {
    fn new(live: bool, id: &BuildId) -> Self {
        if !live {
            return Self { bar: ProgressBar::hidden(), shown: std::cell::RefCell::default() };
        }
        let bar = ProgressBar::with_draw_target(None, output::live_target());
        let style = ProgressStyle::with_template("{spinner} {prefix} {elapsed}\n{msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner());
        bar.set_style(style);
        bar.set_prefix(format!("{id:#}"));
        bar.enable_steady_tick(output::LIVE_TICK);
        Self { bar, shown: std::cell::RefCell::default() }
    }

    /// Shows the pause the server asked for below the stages, or no longer.
    fn note(&self, pause: Option<&rockit_tasks::Pause>) {
        let note = pause.map(|pause| format!("  {pause}; the wait goes on"));
        let mut shown = self.shown.borrow_mut();
        if shown.1 != note {
            shown.1 = note;
            self.draw(&shown);
        }
    }

    fn draw(&self, (lines, note): &(String, Option<String>)) {
        match note {
            // Before the first answer there are no stage lines yet.
            Some(note) if lines.is_empty() => self.bar.set_message(output::terminal_text(note)),
            Some(note) => self.bar.set_message(format!("{lines}\n{}", output::terminal_text(note))),
            None => self.bar.set_message(lines.clone()),
        }
    }

    fn show(&self, progress: &BuildProgress) {
        let build = &progress.build;
        let mut lines = vec![format!("  waiting until {}", progress.target)];
        if build.is_empty() {
            lines.push("  (no task of the build yet)".to_owned());
        }
        for stage in build.stages() {
            let (status, _) = status_cell(stage.status());
            let retried = if stage.superseded().is_empty() {
                String::new()
            } else {
                format!(" (attempt {})", stage.attempts().len())
            };
            lines.push(format!(
                "  {:<8} {status:<5} {}{retried}",
                stage.kind().as_str(),
                stage.current().name
            ));
        }
        // Each line is cleaned on its own: server text never adds a line break.
        let lines: Vec<String> = lines.iter().map(|line| output::terminal_text(line)).collect();
        let mut shown = self.shown.borrow_mut();
        shown.0 = lines.join("\n");
        self.draw(&shown);
    }

    fn clear(&self) {
        self.bar.finish_and_clear();
    }
}
