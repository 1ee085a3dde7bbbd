//! The pace of a waiter, shared by task waits and build waits: the interval that backs off while
//! nothing changes, jitter so that waiters started together spread out, a slower pace when the
//! server limits the rate of requests; and `Pause`, what a waiter reports when the server asks it
//! to come back later (maintenance, a rate limit) while it keeps waiting.
//!
//! A waiter keeps its own pace only while the transport does not wait for the server itself: the
//! transport waits for a `Retry-After` up to its retry policy's `max_delay` (10 s by default)
//! within one poll, and returns anything longer at once, as the 900 s of maintenance.
//!
//! ROCKIT Edge's gateway allows 800 requests per second for the whole deployment, 33 on the
//! vendor's free tier \[infra\]: every CI job polling one Edge shares that, so a waiter's pace is
//! what lets many of them run at once.

use std::time::Duration;

use tokio::time::Instant;

/// The share of an interval that jitter may take off a pause: a fifth.
const JITTER_DIVISOR: u32 = 5;

/// How a wait polls: how long in all, and the shortest and the longest pause between two polls.
///
/// The interval starts at `min_interval`, doubles after every poll that shows nothing new up to
/// `max_interval`, and drops back to `min_interval` when something changes. Each pause is the
/// interval less up to a fifth, at random, so that waiters started together spread out; a rate
/// limit (`429`) doubles the interval at once. Maintenance and rate limits do not end a wait: it
/// goes on at this pace, never slower than `max_interval`, until the timeout.
///
/// The fields are public to read ([`WaitOptions::pacing`](crate::WaitOptions::pacing),
/// [`BuildWaitOptions::pacing`](crate::BuildWaitOptions::pacing)); the setters of the same names,
/// on the options, set them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Pacing {
    /// How long to wait in all before giving up.
    pub timeout: Duration,
    /// The first (and shortest) pause between two polls.
    pub min_interval: Duration,
    /// The longest pause between two polls.
    pub max_interval: Duration,
}

impl Pacing {
    /// `timeout` in all, polling every 1 s at first and every 30 s at most.
    pub const fn new(timeout: Duration) -> Self {
        Self { timeout, min_interval: Duration::from_secs(1), max_interval: Duration::from_secs(30) }
    }
}

/// The pacing setters of a wait's options, which keep their [`Pacing`] in `self.pacing`: one
/// definition for task waits and build waits.
macro_rules! pacing_setters {
    () => {
        /// How this wait polls.
        pub fn pacing(&self) -> &$crate::Pacing {
            &self.pacing
        }

        /// How long to wait in all before giving up.
        pub fn timeout(mut self, timeout: std::time::Duration) -> Self {
            self.pacing.timeout = timeout;
            self
        }

        /// The first (and shortest) pause between two polls.
        pub fn min_interval(mut self, interval: std::time::Duration) -> Self {
            self.pacing.min_interval = interval;
            self
        }

        /// The longest pause between two polls.
        pub fn max_interval(mut self, interval: std::time::Duration) -> Self {
            self.pacing.max_interval = interval;
            self
        }

        /// Both intervals at once: poll every `interval`, never backing off.
        pub fn interval(self, interval: std::time::Duration) -> Self {
            self.min_interval(interval).max_interval(interval)
        }
    };
}
pub(crate) use pacing_setters;

/// The interval between two polls: from `min` up to `max`, doubling after every pause.
#[derive(Debug, Clone)]
pub(crate) struct Pace {
    interval: Duration,
    min: Duration,
    max: Duration,
}

impl Pace {
    pub(crate) fn new(pacing: &Pacing) -> Self {
        Self { interval: pacing.min_interval, min: pacing.min_interval, max: pacing.max_interval }
    }

    /// Sleeps before the next poll, never past `deadline`, then, with `back_off`, doubles the
    /// interval up to the maximum. The pause is the interval less up to a fifth, drawn at random:
    /// jitter, so that waiters started together (the CI jobs of one pipeline) do not poll in step.
    ///
    /// Without `back_off` (what is waited for has not appeared yet) the interval stays where it
    /// is: at the shortest, unless a rate limit slowed it down, which stays in force.
    pub(crate) async fn pause(&mut self, deadline: Instant, back_off: bool) {
        let pause = jittered(self.interval).min(deadline.saturating_duration_since(Instant::now()));
        tokio::time::sleep(pause).await;
        if back_off {
            self.interval = self.interval.saturating_mul(2).min(self.max).max(self.min);
        }
    }

    /// Something changed: poll at the shortest interval again.
    pub(crate) fn reset(&mut self) {
        self.interval = self.min;
    }

    /// The server limited the rate of requests: double the interval at once, on top of the
    /// doubling after the pause, up to the maximum. The server's `Retry-After` is not waited for:
    /// the vendor's firewall always asks for 60 s, longer than a waiter's maximum interval.
    pub(crate) fn throttle(&mut self) {
        self.interval = self.interval.saturating_mul(2).min(self.max).max(self.min);
    }

    /// The current interval.
    #[cfg(test)]
    fn interval(&self) -> Duration {
        self.interval
    }
}

/// `interval` less a random share of up to a fifth of it.
fn jittered(interval: Duration) -> Duration {
    let spread = u64::try_from((interval / JITTER_DIVISOR).as_nanos()).unwrap_or(u64::MAX);
    interval.saturating_sub(Duration::from_nanos(fastrand::u64(0..=spread)))
}

/// Why the server asked a waiter to come back later.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PauseReason {
    /// ROCKIT Edge is in maintenance (`503` with the code `maintenance`).
    Maintenance,
    /// ROCKIT Edge limits the rate of requests (`429`); the waiter slows down.
    RateLimited,
}

impl PauseReason {
    /// `maintenance` or `rate-limited`, for machine-readable output.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Maintenance => "maintenance",
            Self::RateLimited => "rate-limited",
        }
    }
}

/// The server asked a waiter to come back later; the wait goes on at the waiter's own pace
/// (never slower than its maximum interval, whatever the server asked) until its deadline.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Pause {
    /// Why.
    pub reason: PauseReason,
    /// How long the server asked to wait, if it said.
    pub retry_after: Option<Duration>,
}

impl std::fmt::Display for Pause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self.reason {
            PauseReason::Maintenance => "ROCKIT Edge is in maintenance",
            PauseReason::RateLimited => "ROCKIT Edge is limiting the rate of requests",
        })?;
        if let Some(after) = self.retry_after {
            let after = Duration::from_secs(after.as_secs().max(1));
            write!(f, " (it asks to retry in {})", humantime::format_duration(after))?;
        }
        Ok(())
    }
}

/// Whether a waiter is paused, so that it reports a pause once and its end once.
#[derive(Debug, Default)]
pub(crate) struct Pauses {
    current: Option<PauseReason>,
}

impl Pauses {
    /// A poll failed with `error`, which the waiter waits through: the pause to report, if this
    /// starts one (or changes its reason). The pace slows down on a rate limit.
    pub(crate) fn failed(&mut self, error: &rockit_transport::Error, pace: &mut Pace) -> Option<Pause> {
        let reason = if error.is_maintenance() {
            PauseReason::Maintenance
        } else if error.is_rate_limited() {
            pace.throttle();
            PauseReason::RateLimited
        } else {
            return None;
        };
        if self.current == Some(reason) {
            return None;
        }
        self.current = Some(reason);
        Some(Pause { reason, retry_after: error.retry_after() })
    }

    /// A poll succeeded: whether that ends a pause.
    pub(crate) fn answered(&mut self) -> bool {
        self.current.take().is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAX: Duration = Duration::from_secs(30);

    #[test]
    fn jitter_takes_at_most_a_fifth_and_spreads() {
        let interval = Duration::from_secs(10);
        let pauses: std::collections::HashSet<_> = (0..100).map(|_| jittered(interval)).collect();
        assert!(pauses.iter().all(|pause| (Duration::from_secs(8)..=interval).contains(pause)));
        assert!(pauses.len() > 50, "jittered: {}", pauses.len());
        assert_eq!(jittered(Duration::ZERO), Duration::ZERO);
    }

    #[tokio::test]
    async fn pauses_double_up_to_the_maximum_and_reset() {
        let ms = Duration::from_millis;
        let mut pace = Pace::new(&Pacing { timeout: MAX, min_interval: ms(1), max_interval: ms(4) });
        let far = Instant::now() + Duration::from_secs(3600);
        for expected in [2, 4, 4] {
            pace.pause(far, true).await;
            assert_eq!(pace.interval(), ms(expected));
        }
        pace.reset();
        assert_eq!(pace.interval(), ms(1));
        // Waiting for something to appear: the interval holds, and a rate limit's slowdown stays.
        pace.pause(far, false).await;
        assert_eq!(pace.interval(), ms(1));
        pace.throttle();
        pace.pause(far, false).await;
        assert_eq!(pace.interval(), ms(2));
        // Never past the deadline: a pause of an hour that must end now returns.
        let hour = Duration::from_secs(3600);
        let mut slow = Pace::new(&Pacing { timeout: hour, min_interval: hour, max_interval: hour });
        tokio::time::timeout(Duration::from_secs(60), slow.pause(Instant::now(), true))
            .await
            .expect("no sleep");
    }

    #[test]
    fn a_rate_limit_doubles_the_interval_up_to_the_maximum() {
        let mut pace = Pace::new(&Pacing::new(MAX));
        pace.throttle();
        assert_eq!(pace.interval(), Duration::from_secs(2));
        for _ in 0..10 {
            pace.throttle();
        }
        assert_eq!(pace.interval(), MAX, "never slower than the maximum");
    }

    #[test]
    fn pauses_read_as_a_person_would_say_them() {
        let pause = Pause { reason: PauseReason::Maintenance, retry_after: Some(Duration::from_secs(900)) };
        assert_eq!(pause.to_string(), "ROCKIT Edge is in maintenance (it asks to retry in 15m)");
        let pause = Pause { reason: PauseReason::RateLimited, retry_after: Some(Duration::from_secs(90)) };
        assert_eq!(
            pause.to_string(),
            "ROCKIT Edge is limiting the rate of requests (it asks to retry in 1m 30s)"
        );
        let pause = Pause { reason: PauseReason::RateLimited, retry_after: None };
        assert_eq!(pause.to_string(), "ROCKIT Edge is limiting the rate of requests");
    }
}
