//! `rockit tasks wait NAME` and `rockit tasks watch NAME`: poll a task until it ends, with a live
//! status line on a terminal and plain lines elsewhere.
//!
//! Both follow [`rockit_tasks::Tasks::watch`], the waiter that reports every status change
//! and every pause the server asks for (the same poller as `Tasks::wait`), so that the live line
//! can show the current status and say why nothing moves. `wait` prints the outcome; `watch`
//! prints a line per change. Both exit 0 when the task is done, 4 when it failed or expired, and 5
//! when `--timeout` passed first; maintenance and rate limits are waited through.

use std::time::{Duration, SystemTime};

use indicatif::{ProgressBar, ProgressStyle};
use rockit_model::{TaskDetails, TaskName};
use rockit_tasks::{Pause, TaskEvent, WaitOptions, WaitOutcome};
use serde::Serialize;
use tokio::time::Instant;

use super::show::exception_summary;
use crate::cli::{GlobalArgs, WaitArgs};
use crate::connect::connect;
use crate::{Exit, Io, output};

/// Which command runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// `tasks wait`: the outcome.
    Wait,
    /// `tasks watch`: every status change.
    Watch,
}

/// How the wait ended, as the JSON documents spell it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
enum Outcome {
    Succeeded,
    Failed,
    TimedOut,
}

impl Outcome {
    fn exit(self) -> Exit {
        match self {
            Self::Succeeded => Exit::Success,
            Self::Failed => Exit::TaskFailed,
            Self::TimedOut => Exit::TimedOut,
        }
    }
}

#[derive(Debug, Serialize)]
struct WaitDocument<'a> {
    outcome: Outcome,
    task: Option<&'a TaskDetails>,
}

/// The body of a `status` event of `--output jsonl`: the task's new details.
#[derive(Debug, Serialize)]
struct StatusEvent<'a> {
    task: &'a TaskDetails,
}

#[derive(Debug, Serialize)]
struct WatchDocument<'a> {
    outcome: Outcome,
    transitions: &'a [TaskDetails],
}

pub(crate) async fn run(
    global: &GlobalArgs,
    args: WaitArgs,
    mode: Mode,
    io: &mut Io<'_>,
) -> anyhow::Result<Exit> {
    let WaitArgs { name, interval } = args;
    // The library's defaults, but for the first interval, which is --interval's.
    let defaults = *WaitOptions::default().pacing();
    let timeout = global.timeout.unwrap_or(defaults.timeout);
    let json = super::json(global);
    let jsonl = super::jsonl(global);
    let connection = connect(global, io.var, false).await?;
    let options = WaitOptions::new()
        .timeout(timeout)
        .min_interval(interval)
        .max_interval(interval.max(defaults.max_interval));

    let started = Instant::now();
    let progress = Progress::new(io.live_progress() && !jsonl, &name);
    let mut watch = connection.tasks.watch(&name, options);
    let mut transitions: Vec<TaskDetails> = Vec::new();
    let mut paused = false;
    let outcome = loop {
        let event = match watch.try_next().await {
            Ok(Some(event)) => event,
            Ok(None) => {
                progress.clear();
                return Err(anyhow::anyhow!("the watch of {name} ended without a final status"));
            }
            Err(err) => {
                progress.clear();
                return Err(err.into());
            }
        };
        let (details, outcome) = match event {
            TaskEvent::Changed(details) => (Some(*details), None),
            TaskEvent::Finished(WaitOutcome::TimedOut { .. }) => break Outcome::TimedOut,
            TaskEvent::Finished(finished) => {
                let outcome = if finished.is_success() { Outcome::Succeeded } else { Outcome::Failed };
                let Some(details) = finished.details().cloned() else { break outcome };
                (Some(details), Some(outcome))
            }
            TaskEvent::Paused(pause) => {
                say_pause(&progress, Some(&pause), jsonl, started, io)?;
                paused = true;
                continue;
            }
            _ => (None, None),
        };
        // Any event after a pause says the server answers again: said once, before the news.
        if std::mem::take(&mut paused) {
            say_pause(&progress, None, jsonl, started, io)?;
        }
        let Some(details) = details else { continue };
        if jsonl && outcome.is_none() {
            output::event(io.stdout, "status", &StatusEvent { task: &details })?;
        }
        let line = transition_line(&details, started.elapsed());
        progress.status(&details);
        // `watch` prints its lines as its result; `wait` keeps stdout for the outcome and
        // shows progress on stderr when there is no live line (and no JSON to keep clean).
        match mode {
            _ if json || jsonl => {}
            Mode::Watch => progress.println(|| writeln!(io.stdout, "{line}"))?,
            Mode::Wait if !progress.is_live() => writeln!(io.stderr, "{line}")?,
            Mode::Wait => {}
        }
        transitions.push(details);
        if let Some(outcome) = outcome {
            break outcome;
        }
    };
    progress.clear();

    let ending =
        Ending { name: &name, outcome, transitions: &transitions, elapsed: started.elapsed(), timeout };
    write_ending(io, mode, (json, jsonl), &ending)?;
    Ok(outcome.exit())
}

/// `13:28:39 +12.3s running`, with the failure's summary when there is one.
fn transition_line(details: &TaskDetails, elapsed: Duration) -> String {
    let mut line = format!(
        "{} +{} {}",
        output::time_of_day(SystemTime::now()),
        output::seconds(elapsed),
        details.status
    );
    if details.status.is_failure()
        && let Some(summary) = exception_summary(details)
    {
        line.push_str(": ");
        line.push_str(&summary);
    }
    // The status and the summary are server text.
    output::terminal_text(&line)
}

/// The result line of `tasks wait`, without control characters (it holds server text).
fn outcome_line(
    name: &TaskName,
    outcome: Outcome,
    last: Option<&TaskDetails>,
    elapsed: Duration,
    timeout: Duration,
) -> String {
    let after = output::seconds(elapsed);
    let line = match (outcome, last) {
        (Outcome::TimedOut, Some(last)) => {
            format!("{name} still {} after {after}; gave up (--timeout {})", last.status, human(timeout))
        }
        (Outcome::TimedOut, None) => {
            format!("{name} not seen after {after}; gave up (--timeout {})", human(timeout))
        }
        (_, Some(last)) => match exception_summary(last).filter(|_| outcome == Outcome::Failed) {
            Some(summary) => format!("{name} {} after {after}: {summary}", last.status),
            None => format!("{name} {} after {after}", last.status),
        },
        (_, None) => format!("{name} ended after {after}"),
    };
    output::terminal_text(&line)
}

/// How a wait or watch ended, for [`write_ending`].
struct Ending<'a> {
    name: &'a TaskName,
    outcome: Outcome,
    transitions: &'a [TaskDetails],
    elapsed: Duration,
    timeout: Duration,
}

/// Writes how the wait or watch ended: the outcome event (`jsonl`), the JSON document (`json`),
/// or the outcome line.
fn write_ending(
    io: &mut Io<'_>,
    mode: Mode,
    (json, jsonl): (bool, bool),
    ending: &Ending<'_>,
) -> anyhow::Result<()> {
    let (outcome, timeout) = (ending.outcome, ending.timeout);
    let last = ending.transitions.last();
    if jsonl {
        // The last line: how the wait ended, with the same fields as `--output json`'s document.
        output::event(io.stdout, "outcome", &WaitDocument { outcome, task: last })?;
    } else if json {
        let transitions = ending.transitions;
        match mode {
            Mode::Wait => output::json(io.stdout, &WaitDocument { outcome, task: last })?,
            Mode::Watch => output::json(io.stdout, &WatchDocument { outcome, transitions })?,
        }
    } else if mode == Mode::Wait {
        writeln!(io.stdout, "{}", outcome_line(ending.name, ending.outcome, last, ending.elapsed, timeout))?;
    } else if outcome == Outcome::TimedOut {
        writeln!(
            io.stdout,
            "gave up after {} (--timeout {})",
            output::seconds(ending.elapsed),
            human(timeout)
        )?;
    }
    Ok(())
}

/// Says that the server paused the wait (`pause`), or answers again (`None`): on the live line,
/// as a JSON event, or as a line on stderr.
fn say_pause(
    progress: &Progress,
    pause: Option<&Pause>,
    jsonl: bool,
    started: Instant,
    io: &mut Io<'_>,
) -> anyhow::Result<()> {
    progress.note(pause);
    match pause {
        Some(pause) if jsonl => output::event(io.stdout, "pause", &output::PauseEvent::new(pause))?,
        None if jsonl => output::event(io.stdout, "resume", &output::NoBody {})?,
        _ if !progress.is_live() => writeln!(io.stderr, "{}", pause_line(pause, started.elapsed()))?,
        _ => {}
    }
    Ok(())
}

/// `13:28:39 +12.3s ROCKIT Edge is in maintenance (it asks to retry in 15m); the wait goes on`, or
/// without a pause, that the server answers again.
pub(crate) fn pause_line(pause: Option<&Pause>, elapsed: Duration) -> String {
    let text = match pause {
        Some(pause) => format!("{pause}; the wait goes on"),
        None => "ROCKIT Edge answers again".to_owned(),
    };
    format!("{} +{} {text}", output::time_of_day(SystemTime::now()), output::seconds(elapsed))
}

fn human(duration: Duration) -> String {
    humantime::format_duration(duration).to_string()
}

/// The live status line on stderr: a spinner, the task, its status and the elapsed time. Hidden
/// when stderr is not a terminal.
struct Progress {
    bar: ProgressBar,
    live: bool,
}

impl Progress {
    fn new(live: bool, name: &TaskName) -> Self {
        if !live {
            return Self { bar: ProgressBar::hidden(), live };
        }
        let bar = ProgressBar::with_draw_target(None, crate::live::target());
        let style = ProgressStyle::with_template("{spinner} {msg} {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner());
        bar.set_style(style);
        bar.set_message(format!("{name} …"));
        bar.enable_steady_tick(output::LIVE_TICK);
        Self { bar, live }
    }

    fn is_live(&self) -> bool {
        self.live
    }

    fn status(&self, details: &TaskDetails) {
        // The spinner before it, the elapsed time after.
        let text = output::terminal_text(&format!("{} {}", details.name, details.status));
        self.bar.set_message(crate::live::fit(&text, 10));
    }

    /// Shows the pause the server asked for after the status, or no longer.
    fn note(&self, pause: Option<&Pause>) {
        let message = self.bar.message();
        let status = message.split(" · ").next().unwrap_or_default().to_owned();
        match pause {
            Some(pause) => {
                self.bar.set_message(crate::live::fit(&format!("{status} · {pause}; the wait goes on"), 10));
            }
            None if status != message => self.bar.set_message(status),
            None => {}
        }
    }

    /// Runs `print` with the live line out of the way.
    fn println(&self, print: impl FnOnce() -> std::io::Result<()>) -> std::io::Result<()> {
        self.bar.suspend(print)
    }

    fn clear(&self) {
        self.bar.finish_and_clear();
    }
}

/// A live view dropped before its end (Ctrl-C) erases itself instead of leaving a stale frame.
impl Drop for Progress {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}

#[cfg(test)]
mod tests {
    use rockit_model::{Exception, HttpDownloadFailed, Service, TaskStatus};

    use super::*;

    #[test]
    fn outcome_lines() {
        let name: TaskName = "exampleorg-sushi-0003-1733240117-dltar".parse().unwrap();
        let mut failed = TaskDetails::new(name.clone(), Service::Engine, TaskStatus::Failed);
        failed.exception = Some(Exception::http_download(&HttpDownloadFailed {
            http_status: Some(404),
            ..Default::default()
        }));
        let second = Duration::from_secs(1);
        assert_eq!(
            outcome_line(&name, Outcome::Failed, Some(&failed), second, second),
            "exampleorg-sushi-0003-1733240117-dltar failed after 1.0s: download failed (HTTP 404)"
        );
        let running = TaskDetails::new(name.clone(), Service::Engine, TaskStatus::Running);
        assert_eq!(
            outcome_line(&name, Outcome::TimedOut, Some(&running), second, second),
            "exampleorg-sushi-0003-1733240117-dltar still running after 1.0s; gave up (--timeout 1s)"
        );
        assert!(transition_line(&failed, second).ends_with(" +1.0s failed: download failed (HTTP 404)"));
        failed.exception = Some(Exception::error("bad\u{1b}[2J\nnews"));
        assert!(transition_line(&failed, second).ends_with(" failed: bad\u{fffd}[2J news"));
        assert!(
            outcome_line(&name, Outcome::Failed, Some(&failed), second, second)
                .ends_with(": bad\u{fffd}[2J news")
        );
    }
}
