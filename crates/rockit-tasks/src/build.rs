//! Builds: the tasks of one build of an app grouped into the stages of its pipeline
//! (`Build`, `Stage`, `BuildState`), `Tasks::build` for one build and `Tasks::builds`, every build
//! of a listing, one at a time.
//!
//! What a build is, and the order of its stages, is our reading of the vendor's example [guess]:
//! see [`rockit_model::STAGE_ORDER`]. A stage can have several attempts (a retry is a new task of
//! the same kind with a later timestamp); the newest attempt decides the stage, the older ones are
//! kept as history ([`Stage::superseded`]). Kinds the order does not know take their place by
//! creation time.
//!
//! The `build` filter is a guess and `appName` matches parts of names (`sushi` also matches
//! `sushi2`), so a build keeps exactly the tasks whose parsed names say they belong to it: a server
//! that ignores the one or widens the other costs more requests, never a wrong answer.

use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::future::join;
use futures_util::{Stream, StreamExt as _};
use rockit_model::{BuildId, ListTasks, STAGE_ORDER, TaskKind, TaskName, TaskStatus, TaskSummary};

use crate::client::Tasks;
use crate::error::Result;
use crate::stream::TaskStream;

/// The page size of the listings behind [`Tasks::build`]: a build has a handful of tasks, so one
/// request usually holds it whole.
const BUILD_PAGE: u32 = 100;

/// One build of one app: its tasks grouped into stages in pipeline order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Build {
    id: BuildId,
    stages: Vec<Stage>,
    unacknowledged: Option<Vec<TaskName>>,
    /// The stage the build is expected to end with, and when that was judged (Unix seconds).
    expected: Option<(TaskKind, u64)>,
}

/// How long after its last stage appeared a build whose every stage is done, but which lacks the
/// stage it is expected to end with, still counts as running (waiting for that stage); later it
/// has stopped short. A guess: the vendor documents no gap between stages.
pub const STALL_AFTER: std::time::Duration = std::time::Duration::from_secs(15 * 60);

/// One stage of a build: every attempt of one kind of task, oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    kind: TaskKind,
    /// Oldest first; never empty. The last one is the current attempt.
    attempts: Vec<TaskSummary>,
}

/// Where a build stands, decided from the newest attempt of each stage.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum BuildState {
    /// A stage is pending or running (or in a state this SDK does not know), or no task of the
    /// build exists yet.
    Running,
    /// Every stage's newest attempt is done, and the build has the stage it is expected to end
    /// with (the last stage of the app's previous successful build), or nothing says which stage
    /// that is (see [`Build::expect_last_stage`]).
    Succeeded,
    /// Every stage's newest attempt is done, but the stage the build is expected to end with has
    /// not appeared yet, and the last stage appeared less than [`STALL_AFTER`] ago: the pipeline
    /// is most likely still going. Named `running`.
    Waiting {
        /// The stage the build is expected to end with.
        stage: TaskKind,
    },
    /// Every stage's newest attempt is done, but the stage the build is expected to end with has
    /// not appeared for [`STALL_AFTER`] since its last stage did: the pipeline stopped short.
    Stopped {
        /// The last stage the build has.
        after: TaskKind,
        /// The stage it was expected to end with.
        expected: TaskKind,
    },
    /// The newest attempt of `stage` failed (the first such stage in pipeline order).
    Failed {
        /// The failed stage.
        stage: TaskKind,
    },
    /// The newest attempt of `stage` was expired by an operator.
    Expired {
        /// The expired stage.
        stage: TaskKind,
    },
}

impl BuildState {
    /// The state's name: `running` (also while [waiting](Self::Waiting) for the expected last
    /// stage), `succeeded`, `stopped`, `failed` or `expired`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Running | Self::Waiting { .. } => "running",
            Self::Succeeded => "succeeded",
            Self::Stopped { .. } => "stopped",
            Self::Failed { .. } => "failed",
            Self::Expired { .. } => "expired",
        }
    }

    /// The stage that failed or was expired, if any.
    pub fn failed_stage(&self) -> Option<&TaskKind> {
        match self {
            Self::Failed { stage } | Self::Expired { stage } => Some(stage),
            Self::Running | Self::Succeeded | Self::Waiting { .. } | Self::Stopped { .. } => None,
        }
    }

    /// The stage the build is expected to end with and lacks: [`Waiting`](Self::Waiting) for it,
    /// or [`Stopped`](Self::Stopped) short of it.
    pub fn missing_stage(&self) -> Option<&TaskKind> {
        match self {
            Self::Waiting { stage } | Self::Stopped { expected: stage, .. } => Some(stage),
            _ => None,
        }
    }

    /// The state in words: `running`, `running, waiting for deploy`, `stopped after publish (no
    /// deploy)`, `failed mkdxf`, `succeeded`.
    pub fn describe(&self) -> String {
        match self {
            Self::Waiting { stage } => format!("running, waiting for {stage}"),
            Self::Stopped { after, expected } => format!("stopped after {after} (no {expected})"),
            Self::Failed { stage } | Self::Expired { stage } => format!("{} {stage}", self.as_str()),
            Self::Running | Self::Succeeded => self.as_str().to_owned(),
        }
    }
}

impl Stage {
    /// The kind of task this stage runs.
    pub fn kind(&self) -> &TaskKind {
        &self.kind
    }

    /// The newest attempt, which decides the stage.
    pub fn current(&self) -> &TaskSummary {
        // `attempts` is never empty: a stage exists because a task of its kind does.
        &self.attempts[self.attempts.len() - 1]
    }

    /// The state of the newest attempt.
    pub fn status(&self) -> &TaskStatus {
        &self.current().status
    }

    /// The older attempts, oldest first: history, superseded by [`Stage::current`].
    pub fn superseded(&self) -> &[TaskSummary] {
        &self.attempts[..self.attempts.len() - 1]
    }

    /// Every attempt, oldest first.
    pub fn attempts(&self) -> &[TaskSummary] {
        &self.attempts
    }

    /// When the first attempt was created, in Unix seconds (from its name).
    pub fn first_created(&self) -> u64 {
        created(&self.attempts[0])
    }
}

/// Unix seconds from the task's name; tasks in a build always follow the naming convention.
fn created(task: &TaskSummary) -> u64 {
    task.name.parts().map_or(0, |parts| parts.created_unix())
}

impl Build {
    /// The build `id` made of `tasks`: those whose names do not say they belong to it (per
    /// [`BuildId::contains`] with `org`) are left out. Stages come in pipeline order, attempts
    /// oldest first.
    pub fn from_tasks(id: BuildId, org: Option<&str>, tasks: impl IntoIterator<Item = TaskSummary>) -> Self {
        let entries: Vec<(TaskKind, TaskSummary)> = tasks
            .into_iter()
            .filter_map(|task| {
                let parts = task.name.parts()?;
                let kind = parts.kind();
                id.contains(&parts, org).then_some((kind, task))
            })
            .collect();
        Self::from_entries(id, entries)
    }

    /// The build `id` of tasks already known to belong to it, each with its kind as read from its
    /// name. Cheap on the common path (one attempt per stage, known kinds): one allocation per
    /// stage, no sorting beyond the stages themselves.
    fn from_entries(id: BuildId, entries: Vec<(TaskKind, TaskSummary)>) -> Self {
        let mut stages: Vec<Stage> = Vec::with_capacity(STAGE_ORDER.len());
        for (kind, task) in entries {
            match stages.iter_mut().find(|stage| stage.kind == kind) {
                Some(stage) => stage.attempts.push(task),
                None => stages.push(Stage { kind, attempts: vec![task] }),
            }
        }
        for stage in &mut stages {
            // Equivalent mutant: `>=` also sorts a single attempt, which leaves it as it is.
            if stage.attempts.len() > 1 {
                stage.attempts.sort_by_cached_key(|task| (created(task), task.name.clone()));
            }
        }
        Self { id, stages: order_stages(stages), unacknowledged: None, expected: None }
    }

    /// Which build this is.
    pub fn id(&self) -> &BuildId {
        &self.id
    }

    /// The stages, in pipeline order.
    pub fn stages(&self) -> &[Stage] {
        &self.stages
    }

    /// The stage of `kind`, if the build has one.
    pub fn stage(&self, kind: &TaskKind) -> Option<&Stage> {
        self.stages.iter().find(|stage| &stage.kind == kind)
    }

    /// Whether no task of the build exists (yet).
    pub fn is_empty(&self) -> bool {
        self.stages.is_empty()
    }

    /// Every task of the build, stage by stage, attempts oldest first.
    pub fn tasks(&self) -> impl Iterator<Item = &TaskSummary> {
        self.stages.iter().flat_map(|stage| stage.attempts.iter())
    }

    /// Where the build stands, from the newest attempt of each stage.
    pub fn state(&self) -> BuildState {
        for stage in &self.stages {
            match stage.status() {
                TaskStatus::Failed => return BuildState::Failed { stage: stage.kind.clone() },
                TaskStatus::Expired => return BuildState::Expired { stage: stage.kind.clone() },
                _ => {}
            }
        }
        if self.stages.is_empty() || self.stages.iter().any(|stage| !stage.status().is_success()) {
            return BuildState::Running;
        }
        match &self.expected {
            Some((stage, now)) if self.stage(stage).is_none() => {
                let quiet_since = self.last_created().unwrap_or(0);
                if now.saturating_sub(quiet_since) < STALL_AFTER.as_secs() {
                    BuildState::Waiting { stage: stage.clone() }
                } else {
                    let after = self.stages.last().map_or(TaskKind::Dltar, |last| last.kind.clone());
                    BuildState::Stopped { after, expected: stage.clone() }
                }
            }
            _ => BuildState::Succeeded,
        }
    }

    /// Says which stage the build is expected to end with (the last stage of the app's previous
    /// successful build, as [`Tasks::builds`], [`Tasks::build`] and [`Tasks::wait_build`] find
    /// it), judged at `now` (Unix seconds): a build whose every stage is done but lacks it is then
    /// [`Waiting`](BuildState::Waiting) or [`Stopped`](BuildState::Stopped), not `Succeeded`.
    pub fn expect_last_stage(&mut self, stage: TaskKind, now: u64) {
        self.expected = Some((stage, now));
    }

    /// The stage this build is expected to end with, if known.
    pub fn expected_last_stage(&self) -> Option<&TaskKind> {
        self.expected.as_ref().map(|(stage, _)| stage)
    }

    /// The last stage of this build if it succeeded by its own stages alone (every stage done):
    /// what the next build of the app is expected to end with.
    pub(crate) fn completed_last_stage(&self) -> Option<&TaskKind> {
        let done = !self.stages.is_empty() && self.stages.iter().all(|stage| stage.status().is_success());
        done.then(|| self.stages.last().map(|stage| &stage.kind)).flatten()
    }

    /// When the build's first task was created, in Unix seconds; `None` for an empty build.
    pub fn first_created(&self) -> Option<u64> {
        self.tasks().map(created).min()
    }

    /// When the build's last task was created, in Unix seconds; `None` for an empty build.
    pub fn last_created(&self) -> Option<u64> {
        self.tasks().map(created).max()
    }

    /// Superseded attempts that are still `pending` or `running`: a newer attempt replaced them,
    /// so they will most likely never finish on their own (the vendor's example has such a stuck
    /// upload). Expiring them tidies the build up.
    pub fn stuck_attempts(&self) -> impl Iterator<Item = &TaskSummary> {
        self.stages
            .iter()
            .flat_map(|stage| stage.superseded().iter())
            .filter(|task| matches!(task.status, TaskStatus::Pending | TaskStatus::Running))
    }

    /// Every task of the build that ended failed or expired, current or superseded.
    pub fn failures(&self) -> impl Iterator<Item = &TaskSummary> {
        self.tasks().filter(|task| task.status.is_failure())
    }

    /// The tasks of the build with a warning nobody has acknowledged; `None` when not known (the
    /// build came from [`Tasks::builds`], which does not ask, or the server cannot tell).
    pub fn unacknowledged_warnings(&self) -> Option<&[TaskName]> {
        self.unacknowledged.as_deref()
    }

    /// Sets which of the build's tasks carry a warning nobody has acknowledged, from marks asked
    /// with filters covering the build (the others are left out).
    pub fn set_warnings(&mut self, marks: &crate::WarningMarks) {
        let unacknowledged: Option<Vec<TaskName>> = self
            .tasks()
            .map(|task| marks.mark(&task.name).map(|mark| (task, mark)))
            .filter_map(|known| match known {
                Some((task, crate::WarningMark::Unacknowledged)) => Some(Some(task.name.clone())),
                Some(_) => None,
                None => Some(None),
            })
            .collect();
        self.unacknowledged = unacknowledged;
    }
}

/// Known kinds in [`rockit_model::STAGE_ORDER`]; each unknown kind right after the last stage
/// created no later than it, so it keeps its creation-time position.
fn order_stages(mut stages: Vec<Stage>) -> Vec<Stage> {
    if stages.iter().all(|stage| stage.kind.stage_index().is_some()) {
        stages.sort_by_key(|stage| stage.kind.stage_index());
        return stages;
    }
    let (mut known, mut unknown): (Vec<Stage>, Vec<Stage>) =
        stages.into_iter().partition(|stage| stage.kind.stage_index().is_some());
    known.sort_by_key(|stage| stage.kind.stage_index());
    unknown.sort_by_key(Stage::first_created);
    for stage in unknown {
        let at = known
            .iter()
            .rposition(|other| other.first_created() <= stage.first_created())
            .map_or(0, |i| i + 1);
        known.insert(at, stage);
    }
    known
}

impl Tasks {
    /// The build `id`: every task of it, across pages, grouped into stages, with its
    /// unacknowledged warnings when the server can tell (two more small requests, run
    /// concurrently; see [`Tasks::warning_marks`]).
    ///
    /// An empty build ([`Build::is_empty`]) means no task of it exists (yet).
    ///
    /// The build is judged against the stage it is expected to end with
    /// ([`Build::expect_last_stage`]): the last stage of the nearest of the
    /// [`PREVIOUS_BUILDS`](crate::PREVIOUS_BUILDS) earlier builds whose every stage is done (one
    /// more listing, usually of one build).
    pub async fn build(&self, id: &BuildId) -> Result<Build> {
        let filters = ListTasks::for_build(id.app(), id.build());
        let (build, marks) = join(self.build_tasks(id), self.warning_marks(&filters)).await;
        let mut build = build?;
        // Marks are an extra: a server that cannot give them still gives the build.
        if let Ok(marks) = marks {
            build.set_warnings(&marks);
        }
        if !build.is_empty()
            && let Some(stage) = self.expected_last_stage(id).await?
        {
            build.expect_last_stage(stage, unix_now());
        }
        Ok(build)
    }

    /// The stage build `id` is expected to end with: the last stage of the nearest of the
    /// [`PREVIOUS_BUILDS`](crate::PREVIOUS_BUILDS) earlier builds whose every stage is done;
    /// `None` if there is none.
    pub(crate) async fn expected_last_stage(&self, id: &BuildId) -> Result<Option<TaskKind>> {
        let mut earlier = id.previous();
        for _ in 0..crate::PREVIOUS_BUILDS {
            let Some(id) = earlier else { break };
            let build = self.build_tasks(&id).await?;
            if let Some(stage) = build.completed_last_stage() {
                return Ok(Some(stage.clone()));
            }
            earlier = id.previous();
        }
        Ok(None)
    }

    /// The build `id` without asking for warnings: one filtered listing, every page.
    pub(crate) async fn build_tasks(&self, id: &BuildId) -> Result<Build> {
        let request = ListTasks::for_build(id.app(), id.build()).limit(BUILD_PAGE);
        let org = self.client().org().map(str::to_owned);
        let mut stream = self.stream(request);
        let mut tasks = Vec::new();
        while let Some(task) = stream.try_next().await? {
            tasks.push(task);
        }
        Ok(Build::from_tasks(id.clone(), org.as_deref(), tasks))
    }

    /// Every build of the tasks `request` matches, one at a time, built on the exactly-once task
    /// stream. In the server's default order (by name) a build's tasks are contiguous, so the
    /// stream holds one build and one page in memory, not the listing.
    ///
    /// Keep the default order: with a custom sort order (`ListTasks::order`) a build's tasks may
    /// be spread over the listing and come as several partial builds. Tasks whose names do not
    /// follow the naming convention belong to no build and are skipped. Warnings are not asked
    /// for ([`Build::unacknowledged_warnings`] is `None`). Each build is judged against the stage
    /// it is expected to end with ([`Build::expect_last_stage`]): the last stage of the app's
    /// previous build in the listing whose every stage is done.
    pub fn builds(&self, request: ListTasks) -> BuildStream {
        BuildStream {
            tasks: self.stream(request),
            org: self.client().org().map(str::to_owned),
            current: None,
            previous: None,
            now: unix_now(),
        }
    }
}

/// The stream returned by [`Tasks::builds`]: one [`Build`] per build of the listing.
///
/// After an error it can be polled again to retry the failed page, or dropped.
pub struct BuildStream {
    tasks: TaskStream,
    org: Option<String>,
    /// The build being collected.
    current: Option<Collecting>,
    /// The app (its `<org>-<app>` prefix) of the last build whose every stage was done, and that
    /// build's last stage: what the app's next builds are expected to end with.
    previous: Option<(String, TaskKind)>,
    /// When the stream was made (Unix seconds), to judge builds against.
    now: u64,
}

/// The build a [`BuildStream`] is collecting.
struct Collecting {
    /// `<org>-<app>-<build>-` as its first task's name writes it: the common case of a next task
    /// of the same build is recognised by this prefix, without reading the whole name.
    key: String,
    /// The length of the `<org>-<app>` prefix at the start of `key`.
    prefix_len: usize,
    /// The build number its tasks' names share.
    build: u32,
    id: BuildId,
    entries: Vec<(TaskKind, TaskSummary)>,
}

impl Collecting {
    /// The kind of `name` if it is a task of this build written like the first one:
    /// `<key><unix seconds>-<kind>`.
    ///
    /// A shortcut only: `None` sends the name to the full parse in `poll_next`, which decides the
    /// same for every name this accepts (so replacing the body with `None` is an equivalent
    /// mutant, slower but with the same builds); accepting a name it should not is what the tests
    /// catch.
    fn kind_of(&self, name: &str) -> Option<TaskKind> {
        let (created, kind) = name.strip_prefix(self.key.as_str())?.split_once('-')?;
        let plain = !created.is_empty() && created.bytes().all(|b| b.is_ascii_digit()) && !kind.is_empty();
        (plain && !kind.contains('-')).then(|| TaskKind::from(kind))
    }
}

impl BuildStream {
    /// The next build, `None` at the end: the stream consumed without importing a stream trait.
    pub async fn try_next(&mut self) -> Result<Option<Build>> {
        self.next().await.transpose()
    }

    /// What the underlying task listing observed.
    pub fn report(&self) -> &crate::ListingReport {
        self.tasks.report()
    }

    /// The collected build, judged against the app's previous completed build.
    fn finish(&mut self, current: Collecting) -> Build {
        let app = &current.key[..current.prefix_len];
        let mut build = Build::from_entries(current.id, current.entries);
        match &self.previous {
            Some((previous, stage)) if previous == app => build.expect_last_stage(stage.clone(), self.now),
            _ => {}
        }
        if let Some(stage) = build.completed_last_stage() {
            self.previous = Some((app.to_owned(), stage.clone()));
        }
        build
    }
}

impl Stream for BuildStream {
    type Item = Result<Build>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            let task = match this.tasks.poll_next_unpin(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Err(err))) => return Poll::Ready(Some(Err(err))),
                Poll::Ready(None) => {
                    let current = this.current.take();
                    return Poll::Ready(current.map(|current| Ok(this.finish(current))));
                }
                Poll::Ready(Some(Ok(task))) => task,
            };
            // In name order a build's tasks are contiguous: the same prefix and build number as
            // the task before means the same build.
            if let Some(current) = this.current.as_mut()
                && let Some(kind) = current.kind_of(task.name.as_str())
            {
                current.entries.push((kind, task));
                continue;
            }
            let Some(parts) = task.name.parts() else { continue };
            let kind = parts.kind();
            if let Some(current) = this.current.as_mut()
                && current.build == parts.build()
                && current.key[..current.prefix_len] == *parts.prefix()
            {
                current.entries.push((kind, task));
                continue;
            }
            let next = Collecting {
                key: format!("{}-{}-", parts.prefix(), parts.build_str()),
                prefix_len: parts.prefix().len(),
                build: parts.build(),
                id: BuildId::of_task(&parts, this.org.as_deref()),
                entries: {
                    // Room for a whole pipeline with a retry: one allocation per build.
                    let mut entries = Vec::with_capacity(STAGE_ORDER.len() + 2);
                    entries.push((kind, task));
                    entries
                },
            };
            if let Some(finished) = this.current.replace(next) {
                return Poll::Ready(Some(Ok(this.finish(finished))));
            }
        }
    }
}

impl std::fmt::Debug for BuildStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BuildStream")
            .field("tasks", &self.tasks)
            .field("org", &self.org)
            .field("current", &self.current.as_ref().map(|current| (&current.id, current.entries.len())))
            .field("previous", &self.previous)
            .field("now", &self.now)
            .finish()
    }
}

/// The time now, in Unix seconds.
pub(crate) fn unix_now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |since| since.as_secs())
}

#[cfg(test)]
mod tests {
    use rockit_model::Service;

    use super::*;

    fn task(name: &str, status: TaskStatus) -> TaskSummary {
        TaskSummary::new(name.parse().unwrap(), Service::Engine, status)
    }

    fn kinds(build: &Build) -> Vec<&str> {
        build.stages().iter().map(|stage| stage.kind().as_str()).collect()
    }

    #[test]
    fn stages_follow_the_pipeline_and_the_newest_attempt_decides() {
        use TaskStatus::{Done, Pending};
        let id = BuildId::new("sushi", 2).unwrap();
        // The vendor's build 0002, shuffled, with a task of build 0001 and one of app sushi2.
        let build = Build::from_tasks(
            id,
            Some("ExampleOrg"),
            [
                task("exampleorg-sushi-0002-1733155262-mkdxf", Done),
                task("exampleorg-sushi-0002-1733154780-dltar", Done),
                task("exampleorg-sushi-0001-1732886919-dltar", Done),
                task("exampleorg-sushi2-0002-1733149403-dltar", Pending),
                task("exampleorg-sushi-0002-1733155066-mkpat", Done),
                task("exampleorg-sushi-0002-1733149403-dltar", Pending),
                task("exampleorg-sushi-0002-1733154909-mkraw", Done),
            ],
        );
        assert_eq!(kinds(&build), ["dltar", "mkraw", "mkpat", "mkdxf"]);
        let dltar = build.stage(&TaskKind::Dltar).unwrap();
        assert_eq!(dltar.current().name, "exampleorg-sushi-0002-1733154780-dltar");
        assert_eq!(dltar.superseded().len(), 1);
        assert_eq!(dltar.superseded()[0].status, Pending);
        assert_eq!(build.state(), BuildState::Succeeded, "the stuck upload is history");
        let stuck: Vec<&str> = build.stuck_attempts().map(|task| task.name.as_str()).collect();
        assert_eq!(stuck, ["exampleorg-sushi-0002-1733149403-dltar"]);
        assert_eq!(build.failures().count(), 0);
        assert_eq!(build.tasks().count(), 5);
        assert_eq!((build.first_created(), build.last_created()), (Some(1_733_149_403), Some(1_733_155_262)));
    }

    #[test]
    fn the_first_failed_or_expired_newest_attempt_decides_a_failure() {
        use TaskStatus::{Done, Expired, Failed, Running};
        let id = || BuildId::new("app", 1).unwrap();
        let build = |tasks: Vec<TaskSummary>| Build::from_tasks(id(), Some("org"), tasks);
        let failed_retried = build(vec![
            task("org-app-0001-10-dltar", Failed),
            task("org-app-0001-20-dltar", Done),
            task("org-app-0001-30-mkraw", Running),
        ]);
        assert_eq!(failed_retried.state(), BuildState::Running);
        assert_eq!(failed_retried.failures().count(), 1, "a superseded failure is still a failure to show");
        assert_eq!(failed_retried.stuck_attempts().count(), 0, "a failed attempt is not stuck");
        let failed = build(vec![task("org-app-0001-10-dltar", Done), task("org-app-0001-30-mkraw", Failed)]);
        assert_eq!(failed.state(), BuildState::Failed { stage: TaskKind::Mkraw });
        assert_eq!(failed.state().failed_stage(), Some(&TaskKind::Mkraw));
        let expired =
            build(vec![task("org-app-0001-10-dltar", Expired), task("org-app-0001-30-mkraw", Failed)]);
        assert_eq!(expired.state(), BuildState::Expired { stage: TaskKind::Dltar }, "pipeline order decides");
        let empty = build(vec![]);
        assert!(empty.is_empty());
        assert_eq!(empty.state(), BuildState::Running);
        assert_eq!(empty.first_created(), None);
    }

    #[test]
    fn a_build_without_its_expected_last_stage_waits_then_stops() {
        let at = 1_733_000_000;
        let tasks = ["dltar", "mkraw", "publish"].iter().enumerate().map(|(step, kind)| {
            task(&format!("exampleorg-sushi-0002-{}-{kind}", at + step as u64), TaskStatus::Done)
        });
        let mut build = Build::from_tasks("sushi/2".parse().unwrap(), Some("exampleorg"), tasks);
        assert_eq!(build.state(), BuildState::Succeeded, "nothing says what it ends with");
        let stall = STALL_AFTER.as_secs();
        build.expect_last_stage(TaskKind::Deploy, at + 2 + stall - 1);
        assert_eq!(build.state(), BuildState::Waiting { stage: TaskKind::Deploy });
        build.expect_last_stage(TaskKind::Deploy, at + 2 + stall);
        assert_eq!(
            build.state(),
            BuildState::Stopped { after: TaskKind::Publish, expected: TaskKind::Deploy }
        );
        assert_eq!(build.state().describe(), "stopped after publish (no deploy)");
        assert_eq!(build.state().missing_stage(), Some(&TaskKind::Deploy));
        // Having it, or ending with it, is success; a running stage is running whatever is expected.
        build.expect_last_stage(TaskKind::Publish, at + 2 + stall);
        assert_eq!(build.state(), BuildState::Succeeded);
        let running = Build::from_tasks(
            "sushi/2".parse().unwrap(),
            Some("exampleorg"),
            [task("exampleorg-sushi-0002-1733000000-dltar", TaskStatus::Running)],
        );
        let mut running = running;
        running.expect_last_stage(TaskKind::Deploy, at + 10 * stall);
        assert_eq!(running.state(), BuildState::Running);
    }

    #[test]
    fn unknown_kinds_keep_their_creation_time_position() {
        use TaskStatus::Done;
        let build = Build::from_tasks(
            BuildId::new("app", 1).unwrap(),
            Some("org"),
            [
                task("org-app-0001-40-publish", Done),
                task("org-app-0001-10-dltar", Done),
                task("org-app-0001-35-scan", Done),
                task("org-app-0001-20-mkraw", Done),
                task("org-app-0001-5-prepare", Done),
                task("org-app-0001-50-notify", Done),
            ],
        );
        assert_eq!(kinds(&build), ["prepare", "dltar", "mkraw", "scan", "publish", "notify"]);
        assert_eq!(build.state(), BuildState::Succeeded);
    }
}
