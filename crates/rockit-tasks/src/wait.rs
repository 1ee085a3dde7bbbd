//! Waiting for a task: `WaitOptions`, `WaitOutcome`, the polling loop behind `Tasks::wait`, and
//! `TaskWatch`, the stream of status changes behind `Tasks::watch`.

use std::fmt;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_core::Stream;
use rockit_model::{TaskDetails, TaskName, TaskStatus};
use tokio::time::Instant;

use crate::client::Tasks;
use crate::error::{Error, Result};

/// How long the last look at a task, at the deadline, may take.
const LAST_LOOK: Duration = Duration::from_secs(5);

/// Longer than any wait can sensibly last; larger timeouts are clamped to it.
const FOREVER: Duration = Duration::from_secs(100 * 365 * 24 * 3600);

/// A condition on a task's details that ends a wait early.
type Predicate = Arc<dyn Fn(&TaskDetails) -> bool + Send + Sync>;

/// How [`Tasks::wait`] and [`Tasks::watch`] poll.
///
/// The interval starts at `min_interval`, doubles after every poll that shows no change up to
/// `max_interval`, and drops back to `min_interval` when the status changes.
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
    interval: Duration,
    last_status: Option<TaskStatus>,
    last: Option<Box<TaskDetails>>,
    polled: bool,
}

/// One step of the poller.
enum Step {
    /// The status changed (or was seen for the first time).
    Changed(Box<TaskDetails>),
    /// The wait is over.
    Finished(WaitOutcome),
}

impl Poller {
    fn new(tasks: Tasks, name: TaskName, options: WaitOptions) -> Self {
        let interval = options.min_interval;
        Self {
            tasks,
            name,
            options,
            started: Instant::now(),
            interval,
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

    /// Polls until the status changes or the wait ends.
    async fn step(&mut self) -> Result<Step> {
        // Absurd timeouts (`--timeout 1000000y`) mean "practically forever", not an overflow.
        let deadline = self.started + self.options.timeout.min(FOREVER);
        loop {
            if self.polled {
                let pause = self.interval.min(deadline.saturating_duration_since(Instant::now()));
                tokio::time::sleep(pause).await;
                self.interval = self
                    .interval
                    .saturating_mul(2)
                    .min(self.options.max_interval)
                    .max(self.options.min_interval);
            }
            self.polled = true;
            let left = deadline.saturating_duration_since(Instant::now());
            // At the deadline the task gets one last look, so that a task that finished during the
            // last pause is reported as finished, not as timed out.
            let last_look = left.is_zero();
            let budget = if last_look { LAST_LOOK } else { left };
            let details = match tokio::time::timeout(budget, self.tasks.get(&self.name)).await {
                Err(_) => return Ok(Step::Finished(self.timed_out())),
                Ok(Err(err))
                    if last_look
                        && err.transport_error().is_some_and(rockit_transport::Error::is_retryable) =>
                {
                    return Ok(Step::Finished(self.timed_out()));
                }
                // The transport retried within its budget; the wait has time left, so poll again.
                Ok(Err(err)) if err.transport_error().is_some_and(rockit_transport::Error::is_retryable) => {
                    tracing::debug!(task = %self.name, error = %err, "poll failed; polling again");
                    continue;
                }
                Ok(Err(err)) => return Err(err),
                Ok(Ok(details)) => Box::new(details),
            };
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
                self.interval = self.options.min_interval;
                return Ok(Step::Changed(details));
            }
        }
    }
}

pub(crate) async fn wait(tasks: Tasks, name: TaskName, options: WaitOptions) -> Result<WaitOutcome> {
    let mut poller = Poller::new(tasks, name, options);
    loop {
        if let Step::Finished(outcome) = poller.step().await? {
            return Ok(outcome);
        }
    }
}

type StepFuture = Pin<Box<dyn std::future::Future<Output = (Poller, Result<Step>)> + Send>>;

/// The stream returned by [`Tasks::watch`]: the task's details each time its status changes,
/// first observation and terminal state included. It ends after the terminal state, after the
/// [`until`](WaitOptions::until) predicate held, or with an [`Error::WaitTimedOut`] item.
pub struct TaskWatch {
    state: WatchState,
}

enum WatchState {
    Idle(Box<Poller>),
    Polling(StepFuture),
    Done,
}

impl TaskWatch {
    pub(crate) fn new(tasks: Tasks, name: TaskName, options: WaitOptions) -> Self {
        Self { state: WatchState::Idle(Box::new(Poller::new(tasks, name, options))) }
    }
}

impl Stream for TaskWatch {
    type Item = Result<TaskDetails>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        loop {
            match std::mem::replace(&mut self.state, WatchState::Done) {
                WatchState::Done => return Poll::Ready(None),
                WatchState::Idle(mut poller) => {
                    self.state = WatchState::Polling(Box::pin(async move {
                        let step = poller.step().await;
                        (*poller, step)
                    }));
                }
                WatchState::Polling(mut future) => {
                    let Poll::Ready((poller, step)) = future.as_mut().poll(cx) else {
                        self.state = WatchState::Polling(future);
                        return Poll::Pending;
                    };
                    return Poll::Ready(Some(match step {
                        Ok(Step::Changed(details)) => {
                            self.state = WatchState::Idle(Box::new(poller));
                            Ok(*details)
                        }
                        Ok(Step::Finished(WaitOutcome::TimedOut { name, last, waited })) => {
                            Err(Error::WaitTimedOut {
                                name,
                                waited,
                                last_status: last.map(|details| details.status),
                            })
                        }
                        Ok(Step::Finished(outcome)) => match outcome.details() {
                            Some(details) => Ok(details.clone()),
                            None => continue,
                        },
                        Err(err) => Err(err),
                    }));
                }
            }
        }
    }
}

impl fmt::Debug for TaskWatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match &self.state {
            WatchState::Idle(_) => "idle",
            WatchState::Polling(_) => "polling",
            WatchState::Done => "done",
        };
        f.debug_struct("TaskWatch").field("state", &state).finish()
    }
}
