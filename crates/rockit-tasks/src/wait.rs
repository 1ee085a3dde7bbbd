//! Waiting for a task: `Tasks::wait`, `Tasks::watch` and `Tasks::watch_events`, their
//! `WaitOptions` and `WaitOutcome`, the polling loop behind them, `TaskWatch`, the stream of
//! status changes, and `TaskEvents`, the stream that also reports pauses.

use std::fmt;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_util::Stream;
use futures_util::stream::{self, BoxStream, StreamExt as _};
use rockit_model::{TaskDetails, TaskName, TaskStatus};
use tokio::time::Instant;

use crate::client::Tasks;
use crate::error::{Error, Result};
use crate::pacing::{Pace, Pause, Pauses};

/// How long the last look at a task, at the deadline, may take.
const LAST_LOOK: Duration = Duration::from_secs(5);

/// Longer than any wait can sensibly last; larger timeouts are clamped to it.
const FOREVER: Duration = Duration::from_secs(100 * 365 * 24 * 3600);

/// A condition on a task's details that ends a wait early.
type Predicate = Arc<dyn Fn(&TaskDetails) -> bool + Send + Sync>;

/// How [`Tasks::wait`] and [`Tasks::watch`] poll.
///
/// The interval starts at `min_interval`, doubles after every poll that shows no change up to
/// `max_interval`, and drops back to `min_interval` when the status changes. Each pause is the
/// interval less up to a fifth, at random, so that waiters started together spread out; a rate
/// limit (`429`) doubles the interval at once. Maintenance and rate limits do not end a wait: it
/// goes on at this pace, never slower than `max_interval`, until the timeout.
#[derive(Clone)]
#[must_use]
pub struct WaitOptions {
    pub(crate) timeout: Duration,
    pub(crate) min_interval: Duration,
    pub(crate) max_interval: Duration,
    pub(crate) until: Option<Predicate>,
}

impl Default for WaitOptions {
    /// 10 minutes in all, polling every 1 s at first and every 30 s at most.
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(600),
            min_interval: Duration::from_secs(1),
            max_interval: Duration::from_secs(30),
            until: None,
        }
    }
}

impl WaitOptions {
    /// The default options.
    pub fn new() -> Self {
        Self::default()
    }

    /// How long to wait in all before giving up.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The first (and shortest) pause between two polls.
    pub fn min_interval(mut self, interval: Duration) -> Self {
        self.min_interval = interval;
        self
    }

    /// The longest pause between two polls.
    pub fn max_interval(mut self, interval: Duration) -> Self {
        self.max_interval = interval;
        self
    }

    /// Both intervals at once: poll every `interval`, never backing off.
    pub fn interval(self, interval: Duration) -> Self {
        self.min_interval(interval).max_interval(interval)
    }

    /// Stops waiting as soon as `predicate` holds for the task's details, before any terminal
    /// state (for example "the warning was acknowledged").
    pub fn until(mut self, predicate: impl Fn(&TaskDetails) -> bool + Send + Sync + 'static) -> Self {
        self.until = Some(Arc::new(predicate));
        self
    }
}

impl fmt::Debug for WaitOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitOptions")
            .field("timeout", &self.timeout)
            .field("min_interval", &self.min_interval)
            .field("max_interval", &self.max_interval)
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
    /// The caller's [`WaitOptions::until`] predicate held.
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

/// The polling state shared by `wait` and `watch`.
struct Poller {
    tasks: Tasks,
    name: TaskName,
    options: WaitOptions,
    started: Instant,
    pace: Pace,
    pauses: Pauses,
    last_status: Option<TaskStatus>,
    last: Option<Box<TaskDetails>>,
    polled: bool,
}

/// One step of the poller.
enum Step {
    /// The status changed (or was seen for the first time).
    Changed(Box<TaskDetails>),
    /// The server asked to come back later; the wait goes on.
    Paused(Pause),
    /// The server answers again after a pause, and the status did not change.
    Resumed,
    /// The wait is over.
    Finished(WaitOutcome),
}

impl Poller {
    fn new(tasks: Tasks, name: TaskName, options: WaitOptions) -> Self {
        let pace = Pace::new(options.min_interval, options.max_interval);
        Self {
            tasks,
            name,
            options,
            started: Instant::now(),
            pace,
            pauses: Pauses::default(),
            last_status: None,
            last: None,
            polled: false,
        }
    }

    fn timed_out(&self) -> WaitOutcome {
        WaitOutcome::TimedOut {
            name: self.name.clone(),
            last: self.last.clone(),
            waited: self.started.elapsed(),
        }
    }

    /// Polls until the status changes, a pause starts or ends, or the wait ends.
    async fn step(&mut self) -> Result<Step> {
        // Absurd timeouts (`--timeout 1000000y`) mean "practically forever", not an overflow.
        let deadline = self.started + self.options.timeout.min(FOREVER);
        loop {
            if self.polled {
                self.pace.pause(deadline).await;
            }
            self.polled = true;
            let left = deadline.saturating_duration_since(Instant::now());
            // At the deadline the task gets one last look, so that a task that finished during the
            // last pause is reported as finished, not as timed out.
            let last_look = left.is_zero();
            let budget = if last_look { LAST_LOOK } else { left };
            let details = match tokio::time::timeout(budget, self.tasks.get(&self.name)).await {
                Err(_) => return Ok(Step::Finished(self.timed_out())),
                // The transport retried within its budget, or the server asked to come back
                // later (maintenance, a rate limit): while the wait has time left, poll again.
                Ok(Err(err)) if err.transport_error().is_some_and(rockit_transport::Error::is_retryable) => {
                    if last_look {
                        return Ok(Step::Finished(self.timed_out()));
                    }
                    tracing::debug!(task = %self.name, error = %err, "poll failed; polling again");
                    let pause =
                        err.transport_error().and_then(|failure| self.pauses.failed(failure, &mut self.pace));
                    if let Some(pause) = pause {
                        return Ok(Step::Paused(pause));
                    }
                    continue;
                }
                Ok(Err(err)) => return Err(err),
                Ok(Ok(details)) => Box::new(details),
            };
            let resumed = self.pauses.answered();
            let changed = self.last_status.as_ref() != Some(&details.status);
            self.last_status = Some(details.status.clone());
            self.last = Some(details.clone());
            if let Some(until) = &self.options.until
                && until(&details)
            {
                return Ok(Step::Finished(WaitOutcome::Matched(details)));
            }
            if details.status.is_success() {
                return Ok(Step::Finished(WaitOutcome::Succeeded(details)));
            }
            if details.status.is_terminal() {
                return Ok(Step::Finished(WaitOutcome::Failed(details)));
            }
            if last_look {
                return Ok(Step::Finished(self.timed_out()));
            }
            if changed {
                self.pace.reset();
                return Ok(Step::Changed(details));
            }
            if resumed {
                return Ok(Step::Resumed);
            }
        }
    }
}

impl Tasks {
    /// Polls the task until it reaches a terminal state, the options' predicate holds, or the
    /// timeout passes. Transient errors are retried by the transport, and a poll that still fails
    /// transiently is repeated while time is left; other errors end the wait.
    ///
    /// Maintenance (`503 maintenance`) and rate limits (`429`) are waited through at the options'
    /// pace, whatever `Retry-After` the server sends; [`Tasks::watch_events`] reports them.
    pub async fn wait(&self, name: &TaskName, options: WaitOptions) -> Result<WaitOutcome> {
        let mut poller = Poller::new(self.clone(), name.clone(), options);
        loop {
            if let Step::Finished(outcome) = poller.step().await? {
                return Ok(outcome);
            }
        }
    }

    /// The task's details each time its status changes, until a terminal state; for progress
    /// displays.
    pub fn watch(&self, name: &TaskName, options: WaitOptions) -> TaskWatch {
        TaskWatch::new(Poller::new(self.clone(), name.clone(), options))
    }

    /// What [`watch`](Self::watch) reports, and also when the server asks to come back later
    /// (maintenance, a rate limit) and when it answers again, while the wait goes on; the last
    /// item is the outcome. For displays that tell a person why nothing moves.
    pub fn watch_events(&self, name: &TaskName, options: WaitOptions) -> TaskEvents {
        TaskEvents::new(Poller::new(self.clone(), name.clone(), options))
    }
}

/// What [`Tasks::watch_events`] reports.
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

/// The stream returned by [`Tasks::watch_events`]: it ends after [`TaskEvent::Finished`], or
/// after an error that ended the wait.
pub struct TaskEvents {
    inner: BoxStream<'static, Result<TaskEvent>>,
}

impl TaskEvents {
    fn new(poller: Poller) -> Self {
        let inner = stream::unfold(Some(poller), |state| async move {
            let mut poller = state?;
            let event = match poller.step().await {
                Ok(Step::Changed(details)) => TaskEvent::Changed(details),
                Ok(Step::Paused(pause)) => TaskEvent::Paused(pause),
                Ok(Step::Resumed) => TaskEvent::Resumed,
                Ok(Step::Finished(outcome)) => return Some((Ok(TaskEvent::Finished(outcome)), None)),
                Err(err) => return Some((Err(err), None)),
            };
            Some((Ok(event), Some(poller)))
        });
        Self { inner: inner.boxed() }
    }

    /// The next event, `None` after the last: the stream consumed without importing a stream
    /// trait.
    pub async fn try_next(&mut self) -> Result<Option<TaskEvent>> {
        self.next().await.transpose()
    }
}

impl Stream for TaskEvents {
    type Item = Result<TaskEvent>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.poll_next_unpin(cx)
    }
}

impl fmt::Debug for TaskEvents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskEvents").finish_non_exhaustive()
    }
}

/// The stream returned by [`Tasks::watch`]: the task's details each time its status changes,
/// first observation and terminal state included. It ends after the terminal state, after the
/// [`until`](WaitOptions::until) predicate held, or with an [`Error::WaitTimedOut`] item.
pub struct TaskWatch {
    inner: BoxStream<'static, Result<TaskDetails>>,
}

impl TaskWatch {
    fn new(poller: Poller) -> Self {
        // Each step polls until a change or the end; the state is `None` once the watch is over.
        // Pauses are not changes of the task: the step after them is awaited.
        let inner = stream::unfold(Some(poller), |state| async move {
            let mut poller = state?;
            let mut step = poller.step().await;
            while let Ok(Step::Paused(_) | Step::Resumed) = step {
                step = poller.step().await;
            }
            let item = match step {
                Ok(Step::Changed(details)) => return Some((Ok(*details), Some(poller))),
                Ok(Step::Paused(_) | Step::Resumed) => unreachable!("skipped above"),
                Ok(Step::Finished(WaitOutcome::TimedOut { name, last, waited })) => {
                    Err(Error::WaitTimedOut { name, waited, last_status: last.map(|details| details.status) })
                }
                Ok(Step::Finished(outcome)) => Ok(outcome.details()?.clone()),
                Err(err) => Err(err),
            };
            Some((item, None))
        });
        Self { inner: inner.boxed() }
    }
}

impl Stream for TaskWatch {
    type Item = Result<TaskDetails>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.poll_next_unpin(cx)
    }
}

impl fmt::Debug for TaskWatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskWatch").finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forever_is_a_century_that_an_instant_still_reaches() {
        // Longer timeouts are clamped to it: it must outlast any real wait, and adding it to now
        // must not overflow.
        assert_eq!(FOREVER.as_secs() / (365 * 24 * 3600), 100);
        assert!(Instant::now().checked_add(FOREVER).is_some());
    }
}
