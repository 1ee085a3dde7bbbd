//! What the store holds: `Task` (a task's details plus an optional `Timeline`), the `Change`s a
//! timeline applies, and the task groups the `group` filter knows.

use std::time::Duration;

use rockit_model::{Exception, Service, TaskDetails, TaskName, TaskStatus, Timestamp, Warning};
use serde_json::Value;

/// A task to put into the emulator's store: its details and, optionally, a [`Timeline`] that plays
/// out on the emulator's clock from the moment the task enters the store.
///
/// Fields left unset get defaults when the task is stored: `acknowledged` and `expired` become
/// `false`, `createdAt` is read from the name (`<org>-<app>-<build>-<unix seconds>-<kind>`) or else
/// taken from the clock, and `updatedAt` defaults to `createdAt`.
///
/// ```
/// use std::time::Duration;
/// use rockit_emulator::{Change, Task, Timeline};
/// use rockit_model::{Exception, Service, TaskStatus};
///
/// let task = Task::new("exampleorg-sushi-0004-1733300000-mkraw".parse()?, Service::Engine, TaskStatus::Pending)
///     .timeline(
///         Timeline::new()
///             .at(Duration::from_secs(2), TaskStatus::Running)
///             .at(Duration::from_secs(9), Change::status(TaskStatus::Failed).exception(Exception::error("out of disk"))),
///     );
/// assert_eq!(task.details().status, TaskStatus::Pending);
/// # Ok::<(), rockit_model::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub struct Task {
    pub(crate) details: TaskDetails,
    pub(crate) timeline: Timeline,
    /// How long after insertion (or the emulator's start, for a fixture task) the task appears.
    pub(crate) appears_after: Option<Duration>,
}

impl Task {
    /// A task with only the three documented fields set.
    pub fn new(name: TaskName, service: Service, status: TaskStatus) -> Self {
        Self::from_details(TaskDetails::new(name, service, status))
    }

    /// A task with exactly these details and no timeline.
    pub fn from_details(details: TaskDetails) -> Self {
        Self { details, timeline: Timeline::new(), appears_after: None }
    }

    /// Sets the task's warning (unacknowledged unless [`Task::acknowledged`] says otherwise).
    pub fn warning(mut self, warning: Warning) -> Self {
        self.details.warning = Some(warning);
        self
    }

    /// Sets what went wrong in the task.
    pub fn exception(mut self, exception: Exception) -> Self {
        self.details.exception = Some(exception);
        self
    }

    /// Sets the `acknowledged` flag.
    pub fn acknowledged(mut self, acknowledged: bool) -> Self {
        self.details.acknowledged = Some(acknowledged);
        self
    }

    /// Sets the `expired` flag.
    pub fn expired(mut self, expired: bool) -> Self {
        self.details.expired = Some(expired);
        self
    }

    /// Sets `createdAt`, in Unix seconds.
    pub fn created_at(mut self, unix_seconds: u64) -> Self {
        self.details.created_at = Some(Timestamp::from_unix(unix_seconds));
        self
    }

    /// Sets `updatedAt`, in Unix seconds.
    pub fn updated_at(mut self, unix_seconds: u64) -> Self {
        self.details.updated_at = Some(Timestamp::from_unix(unix_seconds));
        self
    }

    /// Adds a field the model does not know; the details response carries it verbatim.
    pub fn extra(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.details.extra.insert(key.into(), value.into());
        self
    }

    /// Gives the task a timeline, replacing any earlier one.
    pub fn timeline(mut self, timeline: Timeline) -> Self {
        self.timeline = timeline;
        self
    }

    /// Keeps the task out of the store until `after` has passed on the emulator's clock since it
    /// was inserted (for a fixture task: since the emulator started). Until then no request sees
    /// it; from then on it is listed like any other task, and its timeline counts from that
    /// moment. This is how a pipeline's stages appear one after another.
    pub fn appears_after(mut self, after: Duration) -> Self {
        self.appears_after = Some(after);
        self
    }

    /// The task's details as they are before any timeline step.
    pub fn details(&self) -> &TaskDetails {
        &self.details
    }

    /// The task's name.
    pub fn name(&self) -> &TaskName {
        &self.details.name
    }

    /// The task's timeline.
    pub fn get_timeline(&self) -> &Timeline {
        &self.timeline
    }
}

impl From<TaskDetails> for Task {
    fn from(details: TaskDetails) -> Self {
        Self::from_details(details)
    }
}

/// Changes that happen to a task at set offsets of emulator time after it entered the store, such
/// as `pending` → `running` → `done`.
///
/// Steps apply in the order of their offsets (steps at the same offset in the order they were
/// added). They are applied when the emulator next looks at its store, so what a request sees
/// depends only on the emulator's clock, never on when a background job ran. Expiring a task stops
/// its timeline.
#[derive(Debug, Clone, Default, PartialEq)]
#[must_use]
pub struct Timeline {
    pub(crate) steps: Vec<Step>,
}

/// One step of a [`Timeline`].
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Step {
    pub(crate) after: Duration,
    pub(crate) change: Change,
}

impl Timeline {
    /// A timeline with no steps.
    pub fn new() -> Self {
        Self::default()
    }

    /// Applies `change` once `after` has passed on the emulator's clock since the task entered
    /// the store. A [`TaskStatus`] converts into a change of status alone.
    pub fn at(mut self, after: Duration, change: impl Into<Change>) -> Self {
        let step = Step { after, change: change.into() };
        let index = self.steps.partition_point(|existing| existing.after <= after);
        self.steps.insert(index, step);
        self
    }

    /// The number of steps.
    pub fn len(&self) -> usize {
        self.steps.len()
    }

    /// Whether there are no steps.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// The offsets of the steps, in the order they apply.
    pub fn offsets(&self) -> impl Iterator<Item = Duration> + '_ {
        self.steps.iter().map(|step| step.after)
    }
}

/// What one timeline step changes: a new status, a new warning, a new exception, or several.
///
/// A new warning is unacknowledged: raising it sets `acknowledged` back to `false`.
#[derive(Debug, Clone, Default, PartialEq)]
#[must_use]
pub struct Change {
    pub(crate) status: Option<TaskStatus>,
    pub(crate) warning: Option<Warning>,
    pub(crate) exception: Option<Exception>,
}

impl Change {
    /// A change of status.
    pub fn status(status: TaskStatus) -> Self {
        Self { status: Some(status), ..Self::default() }
    }

    /// Raising a warning, leaving the status as it is.
    pub fn raise(warning: Warning) -> Self {
        Self { warning: Some(warning), ..Self::default() }
    }

    /// Also raises `warning`.
    pub fn warning(mut self, warning: Warning) -> Self {
        self.warning = Some(warning);
        self
    }

    /// Also records `exception`.
    pub fn exception(mut self, exception: Exception) -> Self {
        self.exception = Some(exception);
        self
    }

    /// Applies the change to `details`.
    pub(crate) fn apply(&self, details: &mut TaskDetails) {
        if let Some(status) = &self.status {
            details.status = status.clone();
        }
        if let Some(warning) = &self.warning {
            details.warning = Some(warning.clone());
            details.acknowledged = Some(false);
        }
        if let Some(exception) = &self.exception {
            details.exception = Some(exception.clone());
        }
    }
}

impl From<TaskStatus> for Change {
    fn from(status: TaskStatus) -> Self {
        Self::status(status)
    }
}

/// The task groups the `group` filter knows, with the kinds in each. Group names and membership
/// are **guesses**: the vendor mentions task groups without naming them.
pub(crate) const GROUPS: &[(&str, &[&str])] =
    &[("upload", &["dltar"]), ("build", &["mkraw", "mkpat", "mkdxf"]), ("release", &["publish", "deploy"])];

/// The kinds of group `group`, if it is a known group.
pub(crate) fn group_kinds(group: &str) -> Option<&'static [&'static str]> {
    GROUPS.iter().find(|(name, _)| *name == group).map(|(_, kinds)| *kinds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeline_keeps_steps_in_offset_order() {
        let timeline = Timeline::new()
            .at(Duration::from_secs(5), TaskStatus::Done)
            .at(Duration::from_secs(1), TaskStatus::Running)
            .at(Duration::from_secs(5), Change::raise(Warning::new("late", "late")));
        let offsets: Vec<_> = timeline.offsets().map(|d| d.as_secs()).collect();
        assert_eq!(offsets, [1, 5, 5]);
        assert_eq!(timeline.steps[1].change, Change::status(TaskStatus::Done));
    }

    #[test]
    fn a_new_warning_is_unacknowledged() {
        let name: TaskName = "o-a-0001-1-dltar".parse().unwrap();
        let mut details = TaskDetails::new(name, Service::Engine, TaskStatus::Running);
        details.acknowledged = Some(true);
        Change::status(TaskStatus::Done).warning(Warning::new("w", "m")).apply(&mut details);
        assert_eq!(details.status, TaskStatus::Done);
        assert_eq!(details.acknowledged, Some(false));
    }

    #[test]
    fn groups_cover_the_known_kinds() {
        assert_eq!(group_kinds("upload"), Some(&["dltar"][..]));
        assert_eq!(group_kinds("release").map(<[_]>::len), Some(2));
        assert_eq!(group_kinds("other"), None);
    }
}
