//! Waiting for a task: `Tasks::wait` and `Tasks::watch`, their `WaitOptions`, `WaitOutcome` and
//! `TaskEvent`, and the task as a subject of the polling engine (`poll.rs`).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use rockit_model::{TaskDetails, TaskName, TaskStatus};

use crate::client::Tasks;
use crate::error::{Error, Result};
use crate::pacing::{Pacing, Pause, pacing_setters};
use crate::poll::{Judgement, Look, Poller, Subject, Watch};

/// A condition on a task's details that ends a wait early.
type Predicate = Arc<dyn Fn(&TaskDetails) -> bool + Send + Sync>;

/// How [`Tasks::wait`] and [`Tasks::watch`] wait: the [`Pacing`] (10 minutes in all by default,
/// polling every 1 s at first and every 30 s at most), and an optional condition that ends the
/// wait early.
#[derive(Clone)]
#[must_use]
pub struct WaitOptions {
    pacing: Pacing,
    until: Option<Predicate>,
}

impl Default for WaitOptions {
    /// 10 minutes in all, polling every 1 s at first and every 30 s at most.
    fn default() -> Self {
        Self { pacing: Pacing::new(Duration::from_secs(600)), until: None }
    }
}

impl WaitOptions {
    /// The default options.
    pub fn new() -> Self {
        Self::default()
    }

    pacing_setters!();

    /// Stops waiting as soon as `predicate` holds for the task's details, before any terminal
    /// state (for example "the warning was acknowledged"): the wait ends
    /// [`WaitOutcome::Matched`].
    pub fn until_matches(mut self, predicate: impl Fn(&TaskDetails) -> bool + Send + Sync + 'static) -> Self {
        self.until = Some(Arc::new(predicate));
        self
    }
}

impl fmt::Debug for WaitOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitOptions")
            .field("pacing", &self.pacing)
            .field("until", &self.until.as_ref().map(|_| "<predicate>"))
            .finish()
    }
}

/// How a wait ended.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum WaitOutcome {
    /// The task reached `done`.
    Succeeded(Box<TaskDetails>),
    /// The task reached `failed` or `expired`; the details hold the exception, if any.
    Failed(Box<TaskDetails>),
    /// The caller's [`WaitOptions::until_matches`] predicate held.
    Matched(Box<TaskDetails>),
    /// The timeout passed first.
    TimedOut {
        /// The task waited for.
        name: TaskName,
        /// The last details seen, if any poll succeeded.
        last: Option<Box<TaskDetails>>,
        /// How long the wait lasted.
        waited: Duration,
    },
}

impl WaitOutcome {
    /// The last details seen.
    pub fn details(&self) -> Option<&TaskDetails> {
        match self {
            Self::Succeeded(details) | Self::Failed(details) | Self::Matched(details) => Some(details),
            Self::TimedOut { last, .. } => last.as_deref(),
        }
    }

    /// Whether the task succeeded or the predicate held.
    pub fn is_success(&self) -> bool {
        matches!(self, Self::Succeeded(_) | Self::Matched(_))
    }

    /// The details on success; [`Error::TaskFailed`] or [`Error::WaitTimedOut`] otherwise.
    pub fn into_result(self) -> Result<TaskDetails> {
        match self {
            Self::Succeeded(details) | Self::Matched(details) => Ok(*details),
            Self::Failed(details) => Err(Error::TaskFailed { details }),
            Self::TimedOut { name, last, waited } => {
                Err(Error::WaitTimedOut { name, waited, last_status: last.map(|details| details.status) })
            }
        }
    }
}

/// What [`Tasks::watch`] reports, the last item being how the wait ended.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum TaskEvent {
    /// The task's status changed (or was seen for the first time), and the wait goes on.
    Changed(Box<TaskDetails>),
    /// The server asked to come back later (maintenance, a rate limit); the wait goes on at its
    /// own pace. Reported once per pause.
    Paused(Pause),
    /// The server answers again after a pause and the status did not change (a change after a
    /// pause is a [`Changed`](Self::Changed), which says as much).
    Resumed,
    /// How the wait ended; the last item.
    Finished(WaitOutcome),
}

impl TaskEvent {
    /// The details this event carries: the new status, or the last seen when the wait ended.
    pub fn details(&self) -> Option<&TaskDetails> {
        match self {
            Self::Changed(details) => Some(details),
            Self::Finished(outcome) => outcome.details(),
            _ => None,
        }
    }
}

impl Tasks {
    /// Polls the task until it reaches a terminal state, the options' predicate holds, or the
    /// timeout passes. Transient errors are retried by the transport, and a poll that still fails
    /// transiently is repeated while time is left; other errors end the wait.
    ///
    /// Maintenance (`503 maintenance`) and rate limits (`429`) are waited through at the options'
    /// pace, whatever `Retry-After` the server sends; [`Tasks::watch`] reports them.
    pub async fn wait(&self, name: &TaskName, options: WaitOptions) -> Result<WaitOutcome> {
        match TaskSubject::poller(self, name, options).finish().await? {
            TaskEvent::Finished(outcome) => Ok(outcome),
            other => unreachable!("a task wait ends with its outcome, not {other:?}"),
        }
    }

    /// What [`wait`](Self::wait) sees as it goes: the task's details each time its status
    /// changes, the pauses the server asks for (maintenance, a rate limit) and their end, and
    /// last, [`TaskEvent::Finished`] with the outcome. For progress displays.
    pub fn watch(&self, name: &TaskName, options: WaitOptions) -> Watch<TaskEvent> {
        TaskSubject::poller(self, name, options).into_watch()
    }
}

/// A task as the subject of a wait.
struct TaskSubject {
    tasks: Tasks,
    name: TaskName,
    until: Option<Predicate>,
    last_status: Option<TaskStatus>,
    last: Option<Box<TaskDetails>>,
}

impl TaskSubject {
    fn poller(tasks: &Tasks, name: &TaskName, options: WaitOptions) -> Poller<Self> {
        let subject = Self {
            tasks: tasks.clone(),
            name: name.clone(),
            until: options.until,
            last_status: None,
            last: None,
        };
        Poller::new(subject, &options.pacing)
    }
}

impl Subject for TaskSubject {
    type Seen = TaskDetails;
    type Item = TaskEvent;

    fn look(&mut self) -> impl Future<Output = Result<TaskDetails>> + Send {
        let (tasks, name) = (self.tasks.clone(), self.name.clone());
        async move { tasks.get(&name).await }
    }

    fn judge(&mut self, details: TaskDetails, look: Look) -> Judgement<TaskEvent> {
        let details = Box::new(details);
        let changed = self.last_status.as_ref() != Some(&details.status);
        self.last_status = Some(details.status.clone());
        self.last = Some(details.clone());
        let finished = |outcome| Judgement::Finished(TaskEvent::Finished(outcome));
        if self.until.as_ref().is_some_and(|until| until(&details)) {
            return finished(WaitOutcome::Matched(details));
        }
        if details.status.is_success() {
            return finished(WaitOutcome::Succeeded(details));
        }
        if details.status.is_terminal() {
            return finished(WaitOutcome::Failed(details));
        }
        if look.last {
            return Judgement::Finished(self.timed_out(look.elapsed));
        }
        if changed {
            return Judgement::Report { item: TaskEvent::Changed(details), news: true };
        }
        Judgement::Unchanged
    }

    fn paused(&self, pause: Pause, _elapsed: Duration) -> TaskEvent {
        TaskEvent::Paused(pause)
    }

    fn resumed(&self, _elapsed: Duration) -> TaskEvent {
        TaskEvent::Resumed
    }

    fn timed_out(&self, elapsed: Duration) -> TaskEvent {
        TaskEvent::Finished(WaitOutcome::TimedOut {
            name: self.name.clone(),
            last: self.last.clone(),
            waited: elapsed,
        })
    }
}
