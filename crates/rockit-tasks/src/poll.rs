//! The one polling engine behind every wait: `Poller` sleeps at the waiter's [`Pace`], gives the
//! thing waited for a last look at the deadline, polls through transient errors and pauses
//! (maintenance, rate limits), and asks its [`Subject`] what each look means; `Watch`, the one
//! stream type of every watch, yields what the subject makes of each step.
//!
//! A task wait and a build wait are two subjects: each says how to look (one request, or a
//! listing and its warnings), what a look changed, and when the wait is over.

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_util::Stream;
use futures_util::stream::{self, BoxStream, StreamExt as _};
use tokio::time::Instant;

use crate::error::Result;
use crate::pacing::{Pace, Pacing, Pause, Pauses};

/// How long the last look, at the deadline, may take.
const LAST_LOOK: Duration = Duration::from_secs(5);

/// Longer than any wait can sensibly last; larger timeouts are clamped to it.
pub(crate) const FOREVER: Duration = Duration::from_secs(100 * 365 * 24 * 3600);

/// What a look meant, as the subject judges it.
pub(crate) enum Judgement<T> {
    /// Worth reporting; `news` when something changed (the pace starts again from its shortest
    /// interval), not when the report only says the server answers again.
    Report { item: T, news: bool },
    /// The wait is over; the last item.
    Finished(T),
    /// Nothing to report: poll again.
    Unchanged,
}

/// One look, for the subject's judgement.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Look {
    /// The last look at the deadline: a wait not over now has timed out.
    pub(crate) last: bool,
    /// Whether this look ends a pause (the server answers again).
    pub(crate) resumed: bool,
    /// How long the wait has run.
    pub(crate) elapsed: Duration,
}

/// The thing a wait is for: how to look at it and what a look means.
pub(crate) trait Subject: Send + 'static {
    /// What one look sees.
    type Seen: Send;
    /// What the wait reports.
    type Item: Send + 'static;

    /// One look (one or a few requests).
    fn look(&mut self) -> impl Future<Output = Result<Self::Seen>> + Send;

    /// What the look means.
    fn judge(&mut self, seen: Self::Seen, look: Look) -> Judgement<Self::Item>;

    /// The report of a pause.
    fn paused(&self, pause: Pause, elapsed: Duration) -> Self::Item;

    /// The report that the server answers again, when the look brought nothing else.
    fn resumed(&self, elapsed: Duration) -> Self::Item;

    /// The last item of a wait whose deadline passed.
    fn timed_out(&self, elapsed: Duration) -> Self::Item;

    /// Whether what is waited for has not appeared yet: then the poller keeps the shortest
    /// interval instead of backing off, so that the wait notices it within one interval (the
    /// upload happens elsewhere, and the caller asked for `--interval`). A rate limit still slows
    /// it down. By default, never.
    fn unseen(&self) -> bool {
        false
    }
}

/// One wait: its subject, its pace, and where it stands.
pub(crate) struct Poller<S> {
    subject: S,
    pace: Pace,
    pauses: Pauses,
    started: Instant,
    deadline: Instant,
    polled: bool,
    /// Whether the last look failed: the pace backs off then, even for what has not appeared.
    failed: bool,
}

impl<S: Subject> Poller<S> {
    pub(crate) fn new(subject: S, pacing: &Pacing) -> Self {
        let started = Instant::now();
        // Absurd timeouts (`--timeout 1000000y`) mean "practically forever", not an overflow.
        let deadline = started + pacing.timeout.min(FOREVER);
        Self {
            subject,
            pace: Pace::new(pacing),
            pauses: Pauses::default(),
            started,
            deadline,
            polled: false,
            failed: false,
        }
    }

    /// Polls until there is something to report; `true` with the last item.
    pub(crate) async fn step(&mut self) -> Result<(S::Item, bool)> {
        loop {
            if self.polled {
                // What has not appeared is looked for at the shortest interval, unless the server
                // failed the last look: then it gets the usual back-off.
                self.pace.pause(self.deadline, self.failed || !self.subject.unseen()).await;
            }
            self.polled = true;
            self.failed = false;
            let left = self.deadline.saturating_duration_since(Instant::now());
            // At the deadline the subject gets one last look, so that what finished during the
            // last pause is reported as finished, not as timed out.
            let last = left.is_zero();
            let budget = if last { LAST_LOOK } else { left };
            let seen = match tokio::time::timeout(budget, self.subject.look()).await {
                Err(_) => return Ok((self.subject.timed_out(self.started.elapsed()), true)),
                // The transport retried within its budget, or the server asked to come back
                // later (maintenance, a rate limit): while the wait has time left, poll again.
                Ok(Err(err)) if err.transport_error().is_some_and(rockit_transport::Error::is_retryable) => {
                    if last {
                        return Ok((self.subject.timed_out(self.started.elapsed()), true));
                    }
                    tracing::debug!(error = %err, "poll failed; polling again");
                    self.failed = true;
                    let pause =
                        err.transport_error().and_then(|failure| self.pauses.failed(failure, &mut self.pace));
                    if let Some(pause) = pause {
                        return Ok((self.subject.paused(pause, self.started.elapsed()), false));
                    }
                    continue;
                }
                Ok(Err(err)) => return Err(err),
                Ok(Ok(seen)) => seen,
            };
            let look = Look { last, resumed: self.pauses.answered(), elapsed: self.started.elapsed() };
            match self.subject.judge(seen, look) {
                Judgement::Report { item, news } => {
                    if news {
                        self.pace.reset();
                    }
                    return Ok((item, false));
                }
                Judgement::Finished(item) => return Ok((item, true)),
                Judgement::Unchanged if look.resumed => {
                    return Ok((self.subject.resumed(look.elapsed), false));
                }
                Judgement::Unchanged => {}
            }
        }
    }

    /// Steps until the last item.
    pub(crate) async fn finish(mut self) -> Result<S::Item> {
        loop {
            if let (item, true) = self.step().await? {
                return Ok(item);
            }
        }
    }

    /// The steps as a stream that ends after the last item or an error.
    pub(crate) fn into_watch(self) -> Watch<S::Item> {
        let inner = stream::unfold(Some(self), |state| async move {
            let mut poller = state?;
            match poller.step().await {
                Ok((item, false)) => Some((Ok(item), Some(poller))),
                Ok((item, true)) => Some((Ok(item), None)),
                Err(err) => Some((Err(err), None)),
            }
        });
        Watch { inner: inner.boxed() }
    }
}

/// A watch: what a wait reports as it goes, the last item carrying how it ended
/// ([`TaskEvent::Finished`](crate::TaskEvent::Finished), [`BuildProgress::outcome`](crate::BuildProgress::outcome)).
/// It ends after that item, or after an error that ended the wait. Returned by
/// [`Tasks::watch`](crate::Tasks::watch) and [`Tasks::watch_build`](crate::Tasks::watch_build).
pub struct Watch<T> {
    inner: BoxStream<'static, Result<T>>,
}

impl<T> Watch<T> {
    /// The next item, `None` after the last: the watch consumed without importing a stream
    /// trait.
    pub async fn try_next(&mut self) -> Result<Option<T>> {
        self.inner.next().await.transpose()
    }
}

impl<T> Stream for Watch<T> {
    type Item = Result<T>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.poll_next_unpin(cx)
    }
}

impl<T> fmt::Debug for Watch<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Watch").finish_non_exhaustive()
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
