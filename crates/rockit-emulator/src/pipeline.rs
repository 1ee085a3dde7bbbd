//! Pipelines that play out on the emulator's clock: `BuildPlan`, the stages of a build with their
//! durations and an optional failing stage, turned into tasks that appear one after another.
//!
//! What a pipeline looks like is our reading of the vendor's example [guess]: the stages run in
//! the order `dltar`, `mkraw`, `mkpat`, `mkdxf`, `publish`, `deploy`, each as a new task named
//! `<org>-<app>-<build>-<unix seconds>-<kind>`; a first build has no `mkpat` (nothing to patch
//! against); a failed stage ends the build (nothing after it runs).

use std::time::Duration;

use rockit_model::{Exception, Service, TaskKind, TaskName, TaskStatus};

use crate::clock::Clock;
use crate::task::{Change, Task, Timeline};

/// The stages of one build, how long each runs, and whether one fails; see
/// [`crate::Emulator::start_build`].
///
/// ```
/// use std::time::Duration;
/// use rockit_emulator::BuildPlan;
/// use rockit_model::{Exception, TaskKind};
///
/// // The default pipeline, failing at the image step.
/// let plan = BuildPlan::new().fail_at(TaskKind::Mkdxf, Exception::error("mkdxf exited with code 1"));
/// assert_eq!(plan.stages().len(), 6);
/// // Two quick stages only.
/// let quick = BuildPlan::empty().stage(TaskKind::Dltar, Duration::from_secs(1)).stage(TaskKind::Mkraw, Duration::from_secs(1));
/// assert_eq!(quick.stages().len(), 2);
/// ```
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub struct BuildPlan {
    stages: Vec<(TaskKind, Duration)>,
    failure: Option<(TaskKind, Exception)>,
    gap: Duration,
}

impl Default for BuildPlan {
    /// All six stages, 2 s each with 1 s between them: about 17 s of emulator time.
    fn default() -> Self {
        let stages =
            rockit_model::STAGE_ORDER.iter().map(|kind| (kind.clone(), Duration::from_secs(2))).collect();
        Self { stages, failure: None, gap: Duration::from_secs(1) }
    }
}

impl BuildPlan {
    /// The default plan: see [`BuildPlan::default`].
    pub fn new() -> Self {
        Self::default()
    }

    /// A plan with no stages yet, to add them with [`BuildPlan::stage`].
    pub fn empty() -> Self {
        Self { stages: Vec::new(), ..Self::default() }
    }

    /// Adds a stage of `kind` that runs for `duration` (at least 1 s, so that every stage's task
    /// is created in a later second than the one before and sorts after it by name).
    pub fn stage(mut self, kind: TaskKind, duration: Duration) -> Self {
        self.stages.push((kind, duration.max(Duration::from_secs(1))));
        self
    }

    /// Leaves out the stage of `kind`.
    pub fn without(mut self, kind: &TaskKind) -> Self {
        self.stages.retain(|(stage, _)| stage != kind);
        self
    }

    /// Makes the stage of `kind` end `failed` with `exception`; no later stage runs.
    pub fn fail_at(mut self, kind: TaskKind, exception: Exception) -> Self {
        self.failure = Some((kind, exception));
        self
    }

    /// The pause between one stage's end and the next stage's task appearing.
    pub fn gap(mut self, gap: Duration) -> Self {
        self.gap = gap;
        self
    }

    /// The stages and their durations, in order.
    pub fn stages(&self) -> &[(TaskKind, Duration)] {
        &self.stages
    }

    /// The tasks of build `build` of the app whose names start with `prefix` (`<org>-<app>`), each
    /// appearing when the stage before it has ended: `pending` at first, `running` a quarter of
    /// its duration later, then `done` (or `failed`).
    pub(crate) fn tasks(
        &self,
        prefix: &str,
        build: u32,
        clock: &Clock,
    ) -> Result<Vec<Task>, rockit_model::Error> {
        let mut tasks = Vec::with_capacity(self.stages.len());
        let mut offset = Duration::ZERO;
        let mut last_created = 0;
        for (kind, duration) in &self.stages {
            let created = clock.unix_at(clock.now().saturating_add(offset)).max(last_created + 1);
            last_created = created;
            let name: TaskName = format!("{prefix}-{build:04}-{created}-{kind}").parse()?;
            let service = if *kind == TaskKind::Deploy { Service::Edge } else { Service::Engine };
            let failure = self.failure.as_ref().filter(|(failing, _)| failing == kind);
            let end = match failure {
                Some((_, exception)) => Change::status(TaskStatus::Failed).exception(exception.clone()),
                None => Change::status(TaskStatus::Done),
            };
            let timeline = Timeline::new().at(*duration / 4, TaskStatus::Running).at(*duration, end);
            tasks
                .push(Task::new(name, service, TaskStatus::Pending).timeline(timeline).appears_after(offset));
            if failure.is_some() {
                break;
            }
            offset = offset.saturating_add(*duration).saturating_add(self.gap);
        }
        Ok(tasks)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_appear_one_after_another_and_a_failure_ends_the_build() {
        let clock = Clock::new(1_700_000_000, 0.0);
        let plan = BuildPlan::new().fail_at(TaskKind::Mkdxf, Exception::error("boom"));
        let tasks = plan.tasks("acme-game", 7, &clock).unwrap();
        let names: Vec<&str> = tasks.iter().map(|task| task.name().as_str()).collect();
        assert_eq!(
            names,
            [
                "acme-game-0007-1700000000-dltar",
                "acme-game-0007-1700000003-mkraw",
                "acme-game-0007-1700000006-mkpat",
                "acme-game-0007-1700000009-mkdxf",
            ]
        );
        let appear: Vec<Option<Duration>> = tasks.iter().map(|task| task.appears_after).collect();
        assert_eq!(appear, [0, 3, 6, 9].map(|s| Some(Duration::from_secs(s))));
        assert_eq!(
            tasks[3].get_timeline().offsets().collect::<Vec<_>>(),
            [Duration::from_millis(500), Duration::from_secs(2)]
        );
        let mut sorted = names.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, names, "in name order, a build's tasks run in pipeline order");
    }
}
