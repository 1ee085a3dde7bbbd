//! Waiting for a build: `Tasks::wait_build` and `Tasks::watch_build`, `BuildWaitOptions`,
//! `BuildOutcome`, and the changes (`BuildChange`) a watch reports as the pipeline moves.
//!
//! Which stage ends a wait is a choice: the caller's ([`BuildWaitOptions::until`]), or by default
//! the last stage of the app's newest earlier build that succeeded (looking back at most
//! [`PREVIOUS_BUILDS`] builds; a build still running or one that failed says nothing about where
//! a pipeline ends) — a studio that never deploys is not waited on for a deploy — or, when there is
//! no such build, "every stage done and nothing new for a quiet period"
//! ([`BuildWaitOptions::quiet_period`]). Like the stage order, this rests on our reading of the
//! vendor's example [guess].

use std::collections::HashSet;
use std::fmt;
use std::time::Duration;

use rockit_model::{BuildId, ListTasks, TaskKind, TaskName, TaskStatus, TaskSummary};
use tokio::time::Instant;

use crate::build::{Build, BuildState};
use crate::client::Tasks;
use crate::error::{Error, Result};
use crate::pacing::{Pacing, Pause, pacing_setters};
use crate::poll::{Judgement, Look, Poller, Subject, Watch};
/// How many earlier builds a wait looks at, newest first, for one that succeeded; one listing each,
/// once, at the start.
pub const PREVIOUS_BUILDS: u32 = 5;

/// How [`Tasks::wait_build`] and [`Tasks::watch_build`] wait: which stage ends the wait, whether
/// a failed stage does, the [`Pacing`] (30 minutes in all by default, polling every 1 s at first
/// and every 30 s at most, as for a single task), and the quiet period.
#[derive(Debug, Clone)]
#[must_use]
pub struct BuildWaitOptions {
    pacing: Pacing,
    until: Option<TaskKind>,
    keep_going: bool,
    quiet_period: Duration,
}

impl Default for BuildWaitOptions {
    /// Until the previous build's last stage; fail fast; 30 minutes in all; polls every 1 s at
    /// first and every 30 s at most; a quiet period of 60 s.
    fn default() -> Self {
        Self {
            pacing: Pacing::new(Duration::from_secs(30 * 60)),
            until: None,
            keep_going: false,
            quiet_period: Duration::from_secs(60),
        }
    }
}

impl BuildWaitOptions {
    /// The default options.
    pub fn new() -> Self {
        Self::default()
    }

    pacing_setters!();

    /// Waits until the newest attempt of the stage of `kind` is done (such as `TaskKind::Deploy`).
    pub fn until_stage(mut self, kind: TaskKind) -> Self {
        self.until = Some(kind);
        self
    }

    /// Keeps waiting when a stage fails or is expired, for a retry (a newer attempt of the same
    /// kind) to succeed, instead of ending the wait at once.
    pub fn keep_going(mut self, keep_going: bool) -> Self {
        self.keep_going = keep_going;
        self
    }

    /// Without a stage to wait for (no [`until_stage`](Self::until_stage), no previous build):
    /// how long every stage must stay done with nothing new before the build counts as finished.
    pub fn quiet_period(mut self, quiet: Duration) -> Self {
        self.quiet_period = quiet;
        self
    }
}

/// What ends a wait successfully.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum BuildTarget {
    /// The newest attempt of this stage is done.
    Stage(TaskKind),
    /// Every stage is done and nothing changed for this long.
    Quiet(Duration),
}

impl fmt::Display for BuildTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Stage(kind) => write!(f, "{kind} done"),
            Self::Quiet(quiet) => write!(f, "every stage done and quiet for {}s", quiet.as_secs()),
        }
    }
}

/// How a build wait ended.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum BuildOutcome {
    /// The target was reached.
    Succeeded(Build),
    /// A stage's newest attempt failed or was expired ([`Build::state`] says which).
    Failed(Build),
    /// The timeout passed first.
    TimedOut {
        /// The build as last seen (empty if it never appeared).
        build: Build,
        /// How long the wait lasted.
        waited: Duration,
    },
}

impl BuildOutcome {
    /// The build as last seen.
    pub fn build(&self) -> &Build {
        match self {
            Self::Succeeded(build) | Self::Failed(build) | Self::TimedOut { build, .. } => build,
        }
    }

    /// Whether the target was reached.
    pub fn is_success(&self) -> bool {
        matches!(self, Self::Succeeded(_))
    }

    /// The build on success; [`Error::BuildFailed`] or [`Error::BuildWaitTimedOut`] otherwise.
    pub fn into_result(self) -> Result<Build> {
        match self {
            Self::Succeeded(build) => Ok(build),
            Self::Failed(build) => Err(Error::BuildFailed { build: Box::new(build) }),
            Self::TimedOut { build, waited } => {
                Err(Error::BuildWaitTimedOut { id: build.id().clone(), waited })
            }
        }
    }
}

/// One thing that changed in a build between two polls.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum BuildChange {
    /// A stage's first task appeared.
    StageAppeared {
        /// The stage's task.
        task: TaskSummary,
    },
    /// A new attempt of a stage appeared (a retry); the one it supersedes is named.
    AttemptStarted {
        /// The new attempt.
        task: TaskSummary,
        /// The attempt it supersedes.
        superseded: TaskName,
    },
    /// A task's status changed.
    StatusChanged {
        /// The task, with its new status.
        task: TaskSummary,
        /// Its status before.
        from: TaskStatus,
    },
    /// A task now carries a warning nobody has acknowledged.
    WarningRaised {
        /// The task.
        task: TaskName,
    },
    /// The server asked to come back later (maintenance, a rate limit); the wait goes on at its
    /// own pace, never slower than its maximum interval. Reported once per pause, alone in its
    /// step, whose build is the one last seen (empty if none was yet) and whose target is the
    /// quiet rule if the target was not resolved yet.
    Paused(Pause),
    /// The server answers again after a pause; the first change of its step.
    Resumed,
}

/// One step of a build watch: the build as it stands, what changed since the last step, and, on
/// the last step, how the wait ended.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct BuildProgress {
    /// The build now.
    pub build: Build,
    /// What changed since the previous step (on the first step: every stage, as appeared).
    pub changes: Vec<BuildChange>,
    /// What ends the wait.
    pub target: BuildTarget,
    /// How long the watch has run.
    pub elapsed: Duration,
    /// `Some` on the last step.
    pub outcome: Option<BuildOutcome>,
}

impl Tasks {
    /// Polls the build until it reaches its target (see the module docs and
    /// [`BuildWaitOptions`]), a stage fails or is expired (unless
    /// [`keep_going`](BuildWaitOptions::keep_going)), or the timeout passes. A build that has not
    /// appeared yet is waited for. Transient errors are retried by the transport, and a poll that
    /// still fails transiently is repeated while time is left; other errors end the wait.
    /// Maintenance (`503 maintenance`) and rate limits (`429`) are waited through at the options'
    /// pace, whatever `Retry-After` the server sends; [`Tasks::watch_build`] reports them.
    pub async fn wait_build(&self, id: &BuildId, options: BuildWaitOptions) -> Result<BuildOutcome> {
        match BuildSubject::poller(self, id, options).finish().await?.outcome {
            Some(outcome) => Ok(outcome),
            None => unreachable!("a build wait's last step carries its outcome"),
        }
    }

    /// The build each time something in it changes — a stage appeared, a retry started, a status
    /// changed, a warning was raised, the server paused or answers again — until the wait ends;
    /// the last item carries the outcome. For live views such as `rockit builds wait`.
    pub fn watch_build(&self, id: &BuildId, options: BuildWaitOptions) -> Watch<BuildProgress> {
        BuildSubject::poller(self, id, options).into_watch()
    }
}

/// What one look at a build saw: the target (resolved on the first look) and the build.
struct Seen {
    target: BuildTarget,
    build: Build,
}

/// A build as the subject of a wait.
struct BuildSubject {
    tasks: Tasks,
    id: BuildId,
    keep_going: bool,
    quiet_period: Duration,
    target: Option<BuildTarget>,
    /// The build as last reported, and when it last changed.
    last: Option<Build>,
    changed_at: Instant,
    /// Tasks already reported as warned.
    warned: HashSet<TaskName>,
    /// Whether the server can say which tasks carry warnings; `false` stops asking.
    marks_supported: bool,
}

impl BuildSubject {
    fn poller(tasks: &Tasks, id: &BuildId, options: BuildWaitOptions) -> Poller<Self> {
        let subject = Self {
            tasks: tasks.clone(),
            id: id.clone(),
            target: options.until.map(BuildTarget::Stage),
            keep_going: options.keep_going,
            quiet_period: options.quiet_period,
            last: None,
            changed_at: Instant::now(),
            warned: HashSet::new(),
            marks_supported: true,
        };
        Poller::new(subject, &options.pacing)
    }

    /// The stage that ends the wait: the caller's, else the last stage of the previous build,
    /// else the quiet rule. Asked once, at the start.
    async fn resolve_target(&mut self) -> Result<BuildTarget> {
        if let Some(target) = &self.target {
            return Ok(target.clone());
        }
        let target = match self.tasks.expected_last_stage(&self.id).await? {
            Some(stage) => BuildTarget::Stage(stage),
            None => BuildTarget::Quiet(self.quiet_period),
        };
        tracing::debug!(build = %self.id, %target, "waiting for the build");
        self.target = Some(target.clone());
        Ok(target)
    }

    /// One look: the target (resolved on the first look) and the build, with its warnings when
    /// the server can tell.
    async fn poll(&mut self) -> Result<Seen> {
        let target = self.resolve_target().await?;
        let mut seen = self.look(target).await?;
        // Judged as list and show judge it: against the stage the wait waits for.
        if let BuildTarget::Stage(stage) = &seen.target
            && !seen.build.is_empty()
        {
            seen.build.expect_last_stage(stage.clone(), crate::build::unix_now());
        }
        Ok(seen)
    }

    /// The build, with its warnings when the server can tell.
    async fn look(&mut self, target: BuildTarget) -> Result<Seen> {
        if !self.marks_supported {
            return Ok(Seen { target, build: self.tasks.build_tasks(&self.id).await? });
        }
        let filters = ListTasks::for_build(self.id.app(), self.id.build());
        let (build, marks) =
            futures_util::future::join(self.tasks.build_tasks(&self.id), self.tasks.warning_marks(&filters))
                .await;
        let mut build = build?;
        match marks {
            Ok(marks) if marks.unknown().is_none() => build.set_warnings(&marks),
            // A server that cannot tell is not asked again: no extra requests for nothing.
            Ok(marks) => {
                tracing::debug!(build = %self.id, reason = ?marks.unknown(), "no warnings for this build");
                self.marks_supported = false;
            }
            Err(err) => tracing::debug!(build = %self.id, error = %err, "no warnings this time"),
        }
        Ok(Seen { target, build })
    }

    fn new_warnings(&mut self, build: &Build) -> Vec<BuildChange> {
        let Some(warned) = build.unacknowledged_warnings() else { return Vec::new() };
        warned
            .iter()
            .filter(|name| self.warned.insert((*name).clone()))
            .map(|name| BuildChange::WarningRaised { task: name.clone() })
            .collect()
    }

    fn decide(&self, target: &BuildTarget, build: &Build, now: Instant) -> Option<BuildOutcome> {
        if let BuildState::Failed { .. } | BuildState::Expired { .. } = build.state()
            && !self.keep_going
        {
            return Some(BuildOutcome::Failed(build.clone()));
        }
        let reached = match target {
            BuildTarget::Stage(kind) => build.stage(kind).is_some_and(|stage| stage.status().is_success()),
            BuildTarget::Quiet(quiet) => {
                build.state() == BuildState::Succeeded
                    && now.saturating_duration_since(self.changed_at) >= *quiet
            }
        };
        reached.then(|| BuildOutcome::Succeeded(build.clone()))
    }

    /// A step that reports `changes` alone: the build as last seen (empty if none was yet), and
    /// the quiet rule as the target if it was not resolved yet.
    fn report(
        &self,
        changes: Vec<BuildChange>,
        elapsed: Duration,
        outcome: Option<BuildOutcome>,
    ) -> BuildProgress {
        let build = self.last.clone().unwrap_or_else(|| Build::from_tasks(self.id.clone(), None, []));
        BuildProgress {
            build,
            changes,
            target: self.target.clone().unwrap_or(BuildTarget::Quiet(self.quiet_period)),
            elapsed,
            outcome,
        }
    }
}

impl Subject for BuildSubject {
    type Seen = Seen;
    type Item = BuildProgress;

    fn unseen(&self) -> bool {
        self.last.as_ref().is_none_or(Build::is_empty)
    }

    fn look(&mut self) -> impl Future<Output = Result<Seen>> + Send {
        self.poll()
    }

    fn judge(&mut self, Seen { target, build }: Seen, look: Look) -> Judgement<BuildProgress> {
        let mut changes = diff(self.last.as_ref(), &build);
        changes.extend(self.new_warnings(&build));
        let now = Instant::now();
        let news = !changes.is_empty();
        if news {
            self.changed_at = now;
        }
        if look.resumed {
            // Said first: the news that follows came from the server answering again.
            changes.insert(0, BuildChange::Resumed);
        }
        let outcome = self.decide(&target, &build, now);
        let first = self.last.is_none();
        self.last = Some(build.clone());
        let outcome = outcome.or_else(|| {
            look.last.then(|| BuildOutcome::TimedOut { build: build.clone(), waited: look.elapsed })
        });
        let finished = outcome.is_some();
        let progress = BuildProgress { build, changes, target, elapsed: look.elapsed, outcome };
        if finished {
            Judgement::Finished(progress)
        } else if first || !progress.changes.is_empty() {
            Judgement::Report { item: progress, news }
        } else {
            Judgement::Unchanged
        }
    }

    fn paused(&self, pause: Pause, elapsed: Duration) -> BuildProgress {
        self.report(vec![BuildChange::Paused(pause)], elapsed, None)
    }

    fn resumed(&self, elapsed: Duration) -> BuildProgress {
        self.report(vec![BuildChange::Resumed], elapsed, None)
    }

    fn timed_out(&self, elapsed: Duration) -> BuildProgress {
        let build = self.last.clone().unwrap_or_else(|| Build::from_tasks(self.id.clone(), None, []));
        self.report(Vec::new(), elapsed, Some(BuildOutcome::TimedOut { build, waited: elapsed }))
    }
}

/// What changed from `before` to `after`: stages that appeared, new attempts, status changes.
fn diff(before: Option<&Build>, after: &Build) -> Vec<BuildChange> {
    let mut changes = Vec::new();
    for stage in after.stages() {
        let old = before.and_then(|before| before.stage(stage.kind()));
        for (index, task) in stage.attempts().iter().enumerate() {
            let seen = old.and_then(|old| old.attempts().iter().find(|seen| seen.name == task.name));
            match seen {
                Some(seen) if seen.status != task.status => {
                    changes
                        .push(BuildChange::StatusChanged { task: task.clone(), from: seen.status.clone() });
                }
                Some(_) => {}
                None => {
                    let superseded =
                        index.checked_sub(1).map(|previous| stage.attempts()[previous].name.clone());
                    match superseded {
                        Some(superseded) => {
                            changes.push(BuildChange::AttemptStarted { task: task.clone(), superseded });
                        }
                        // A stage's first attempt, or an older attempt that appeared after a
                        // newer one.
                        None => changes.push(BuildChange::StageAppeared { task: task.clone() }),
                    }
                }
            }
        }
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(raw: &str, status: TaskStatus) -> TaskSummary {
        TaskSummary::new(raw.parse().unwrap(), rockit_model::Service::Engine, status)
    }

    fn build(tasks: &[(&str, TaskStatus)]) -> Build {
        let tasks = tasks.iter().map(|(raw, status)| summary(raw, status.clone()));
        Build::from_tasks("pho/1".parse().unwrap(), Some("ExampleOrg"), tasks)
    }

    #[test]
    fn diff_names_appeared_stages_new_attempts_and_status_changes() {
        const A1: &str = "exampleorg-pho-0001-1700000000-dltar";
        const A2: &str = "exampleorg-pho-0001-1700000100-dltar";
        const RAW: &str = "exampleorg-pho-0001-1700000200-mkraw";
        let (running, done, failed) = (TaskStatus::Running, TaskStatus::Done, TaskStatus::Failed);
        // A stage that appears with two attempts at once: the first appeared, the second retried it.
        let first = build(&[(A1, failed.clone()), (A2, running.clone())]);
        assert_eq!(
            diff(None, &first),
            [
                BuildChange::StageAppeared { task: summary(A1, failed.clone()) },
                BuildChange::AttemptStarted {
                    task: summary(A2, running.clone()),
                    superseded: A1.parse().unwrap()
                },
            ]
        );
        assert_eq!(diff(Some(&first), &first), []);
        let second = build(&[(A1, failed.clone()), (A2, done.clone()), (RAW, running.clone())]);
        assert_eq!(
            diff(Some(&first), &second),
            [
                BuildChange::StatusChanged { task: summary(A2, done.clone()), from: running.clone() },
                BuildChange::StageAppeared { task: summary(RAW, running.clone()) },
            ]
        );
        // An older attempt seen only after a newer one counts as appeared, superseding nothing.
        let newer_only = build(&[(A2, done.clone())]);
        assert_eq!(
            diff(Some(&newer_only), &build(&[(A1, failed.clone()), (A2, done)])),
            [BuildChange::StageAppeared { task: summary(A1, failed) }]
        );
    }
}
