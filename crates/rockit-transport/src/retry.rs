//! The retry policy: how many attempts, how long to wait between them (exponential backoff with
//! full jitter, or the server's `Retry-After`), and the client's retry budget, a token bucket that
//! stops retries while most calls fail. Which failures are retried is decided in `client.rs`, next
//! to the code that observes them.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, SystemTime};

use crate::error::ErrorKind;

/// How failed attempts are retried.
///
/// The delay before retry `n` (1-based) is drawn uniformly from `0..=min(max_delay, base_delay ·
/// 2^(n-1))` ("full jitter"), unless the server sent `Retry-After` (the header, or the error
/// body's `retryAfter`), which is honoured. A `Retry-After` longer than `max_delay`, or past the
/// call's deadline, is not waited for: the call returns at once with
/// [`ErrorKind::RetryLater`](crate::ErrorKind::RetryLater), which says when to come back (the
/// vendor's maintenance answer asks for 900 s). No delay outlasts the call's deadline.
///
/// Every retry is also paid from the client's [`RetryBudget`] (on by default), which clones of a
/// client share: when most calls fail, as in an outage, the budget runs out and calls return their
/// first error instead of multiplying the load on the server by `max_attempts`.
///
/// The fields are public to read; the setters of the same names build a policy. `#[non_exhaustive]`:
/// other knobs may join them without a breaking change.
///
/// ```
/// use std::time::Duration;
/// use rockit_transport::{RetryBudget, RetryPolicy};
///
/// let patient = RetryPolicy::default().max_attempts(6).base_delay(Duration::from_millis(250));
/// let small_budget = RetryPolicy::default().budget(RetryBudget::new(50));
/// let every_attempt_always = RetryPolicy::default().no_budget();
/// assert_eq!(every_attempt_always.budget, None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
#[non_exhaustive]
pub struct RetryPolicy {
    /// The total number of attempts, the first included (at least 1).
    pub max_attempts: u32,
    /// The cap of the first retry's delay; it doubles for each later retry.
    pub base_delay: Duration,
    /// The longest delay between two attempts, `Retry-After` included: a server that asks for
    /// longer gets [`ErrorKind::RetryLater`](crate::ErrorKind::RetryLater) at once.
    pub max_delay: Duration,
    /// What retries cost the client, shared by its clones; `None` when retries are free (every
    /// call may make all its attempts).
    pub budget: Option<RetryBudget>,
}

impl Default for RetryPolicy {
    /// 4 attempts, 100 ms base delay, 10 s maximum delay, the default [`RetryBudget`].
    fn default() -> Self {
        Self {
            max_attempts: 4,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(10),
            budget: Some(RetryBudget::default()),
        }
    }
}

impl RetryPolicy {
    /// Exactly one attempt: no retries (so the budget never pays for one).
    pub fn none() -> Self {
        Self { max_attempts: 1, ..Self::default() }
    }

    /// The total number of attempts, the first included (at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts;
        self
    }

    /// Up to `retries` retries after the first attempt: the `retries` setting (`--retries 2` is
    /// three attempts at most).
    pub fn retries(self, retries: u32) -> Self {
        self.max_attempts(retries.saturating_add(1))
    }

    /// The cap of the first retry's delay; it doubles for each later retry.
    pub fn base_delay(mut self, delay: Duration) -> Self {
        self.base_delay = delay;
        self
    }

    /// The longest delay between two attempts, `Retry-After` included.
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// The client's retry budget: every retry is paid from it, and a call returns its error
    /// without retrying when the budget cannot pay.
    pub fn budget(mut self, budget: RetryBudget) -> Self {
        self.budget = Some(budget);
        self
    }

    /// No retry budget: every call may make all of its attempts, however many calls fail. Under
    /// an outage that multiplies the requests by [`max_attempts`](Self::max_attempts).
    pub fn no_budget(mut self) -> Self {
        self.budget = None;
        self
    }

    /// The delay before retry number `retry` (1-based), honouring `retry_after` when given.
    pub(crate) fn delay(&self, retry: u32, retry_after: Option<Duration>) -> Duration {
        if let Some(server_says) = retry_after {
            return server_says.min(self.max_delay);
        }
        let exponent = retry.saturating_sub(1).min(30);
        let cap = self.base_delay.saturating_mul(1 << exponent).min(self.max_delay);
        let cap_nanos = u64::try_from(cap.as_nanos()).unwrap_or(u64::MAX);
        Duration::from_nanos(fastrand::u64(0..=cap_nanos))
    }
}

/// A client's retry budget: a token bucket, as in the AWS SDKs' standard retry mode (its "retry
/// quota"), with the same defaults.
///
/// The bucket starts full, with [`capacity`](Self::capacity) tokens. Each retry takes
/// [`retry_cost`](Self::retry_cost) tokens, or [`timeout_cost`](Self::timeout_cost) after a
/// failure of the connection itself (refused, timed out, broken mid-response), which is the likelier
/// sign of a server that is down or overloaded. A successful call puts back the cost of its last
/// retry, or [`success_refund`](Self::success_refund) tokens if it needed none, up to the capacity.
/// When the bucket cannot pay for a retry, the call returns its error at once
/// ([`Error::attempts`](crate::Error::attempts) tells how many attempts it made).
///
/// So while most calls succeed the budget stays full and changes nothing; once retries fail
/// faster than successes refill it (500 tokens pay for 100 retries), each call makes one attempt,
/// until successes have refilled it. Every retry pays, including the retry of a connection that
/// was refused, which is always safe to repeat but is what an outage looks like. Clones of a
/// client share one bucket; each [`ClientBuilder::build`](crate::ClientBuilder::build) makes a
/// new, full one.
///
/// `#[non_exhaustive]`: build one with [`RetryBudget::new`] or [`RetryBudget::default`] and the
/// setters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
#[non_exhaustive]
pub struct RetryBudget {
    /// The tokens the bucket holds when full, and at the start. 0 allows no retries.
    pub capacity: u32,
    /// What a retry after an error response (such as a `503`) costs.
    pub retry_cost: u32,
    /// What a retry after a connection failure (refused, attempt timed out, broken mid-response)
    /// costs.
    pub timeout_cost: u32,
    /// What a call that succeeds at its first attempt puts back.
    pub success_refund: u32,
}

impl Default for RetryBudget {
    /// The AWS standard mode's quota: 500 tokens, 5 a retry, 10 after a connection failure, 1 back
    /// per success.
    fn default() -> Self {
        Self::new(500)
    }
}

impl RetryBudget {
    /// A budget of `capacity` tokens with the default costs: 5 a retry, 10 after a connection
    /// failure, 1 back per success at the first attempt.
    pub fn new(capacity: u32) -> Self {
        Self { capacity, retry_cost: 5, timeout_cost: 10, success_refund: 1 }
    }

    /// What a retry after an error response (such as a `503`) costs.
    pub fn retry_cost(mut self, tokens: u32) -> Self {
        self.retry_cost = tokens;
        self
    }

    /// What a retry after a connection failure (refused, attempt timed out, broken
    /// mid-response) costs.
    pub fn timeout_cost(mut self, tokens: u32) -> Self {
        self.timeout_cost = tokens;
        self
    }

    /// What a call that succeeds at its first attempt puts back.
    pub fn success_refund(mut self, tokens: u32) -> Self {
        self.success_refund = tokens;
        self
    }

    /// What a retry after `failure` costs.
    fn cost(&self, failure: &ErrorKind) -> u32 {
        match failure {
            ErrorKind::Connect | ErrorKind::Timeout { .. } | ErrorKind::Interrupted => self.timeout_cost,
            _ => self.retry_cost,
        }
    }
}

/// The tokens of one client's [`RetryBudget`], shared by the client's clones (it lives in their
/// one `Arc`). Lock-free: a compare-and-swap loop on one counter.
#[derive(Debug)]
pub(crate) struct RetryTokens {
    /// `None`: no budget, retries are free.
    budget: Option<RetryBudget>,
    available: AtomicU32,
}

impl RetryTokens {
    /// A full bucket for `budget`.
    pub(crate) fn new(budget: Option<RetryBudget>) -> Self {
        let capacity = budget.map_or(0, |budget| budget.capacity);
        Self { budget, available: AtomicU32::new(capacity) }
    }

    /// Pays for a retry after `failure`: the tokens taken (0 without a budget), or `None` when
    /// the bucket cannot pay and the call must not retry.
    pub(crate) fn withdraw(&self, failure: &ErrorKind) -> Option<u32> {
        let Some(budget) = &self.budget else { return Some(0) };
        let cost = budget.cost(failure);
        self.available
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |left| left.checked_sub(cost))
            .ok()?;
        Some(cost)
    }

    /// A call succeeded: puts back what its last retry cost, or the success refund if it made
    /// none (`last_retry_cost` is `None`), up to the capacity.
    pub(crate) fn deposit(&self, last_retry_cost: Option<u32>) {
        let Some(budget) = &self.budget else { return };
        let refund = last_retry_cost.unwrap_or(budget.success_refund);
        if refund == 0 {
            return;
        }
        // `Err` only when the bucket is already full, which needs no update.
        // Equivalent mutant: `<=` writes a full bucket's capacity back, which changes nothing.
        let _ = self.available.fetch_update(Ordering::AcqRel, Ordering::Acquire, |left| {
            (left < budget.capacity).then(|| left.saturating_add(refund).min(budget.capacity))
        });
    }
}

/// Reads a `Retry-After` value: delay-seconds or an HTTP date (RFC 9110 §10.2.3).
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_jitter_stays_under_the_exponential_cap() {
        let policy =
            RetryPolicy::default().base_delay(Duration::from_millis(100)).max_delay(Duration::from_secs(1));
        for retry in 1..=10 {
            let cap = Duration::from_millis(100 * (1 << (retry - 1))).min(Duration::from_secs(1));
            for _ in 0..50 {
                assert!(policy.delay(retry, None) <= cap);
            }
        }
        let spread: std::collections::HashSet<_> = (0..50).map(|_| policy.delay(3, None)).collect();
        assert!(spread.len() > 10, "delays are jittered");
    }

    #[test]
    fn retry_after_is_honoured_up_to_max_delay() {
        let policy = RetryPolicy::default().max_delay(Duration::from_secs(5));
        assert_eq!(policy.delay(1, Some(Duration::from_secs(2))), Duration::from_secs(2));
        assert_eq!(policy.delay(1, Some(Duration::from_secs(60))), Duration::from_secs(5));
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let now = httpdate::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        assert_eq!(parse_retry_after(" 7 ", now), Some(Duration::from_secs(7)));
        assert_eq!(parse_retry_after("Sun, 06 Nov 1994 08:49:40 GMT", now), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after("Sun, 06 Nov 1994 08:49:00 GMT", now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-1", now), None);
    }

    fn tokens(budget: RetryBudget) -> RetryTokens {
        RetryTokens::new(Some(budget))
    }

    fn left(tokens: &RetryTokens) -> u32 {
        tokens.available.load(Ordering::Acquire)
    }

    const UNAVAILABLE: ErrorKind =
        ErrorKind::Api { status: 503, code: None, message: None, excerpt: String::new(), retry_after: None };

    #[test]
    fn the_default_budget_is_the_aws_standard_quota() {
        assert_eq!(RetryPolicy::default().budget, Some(RetryBudget::new(500)));
        assert_eq!(
            RetryBudget::default(),
            RetryBudget { capacity: 500, retry_cost: 5, timeout_cost: 10, success_refund: 1 }
        );
        assert_eq!(RetryPolicy::none().max_attempts, 1);
        assert_eq!(RetryPolicy::default().retries(2).max_attempts, 3, "two retries after the first attempt");
        assert_eq!(RetryPolicy::default().retries(u32::MAX).max_attempts, u32::MAX);
        assert_eq!(RetryPolicy::default().no_budget().budget, None);
        let custom = RetryBudget::new(7).retry_cost(2).timeout_cost(3).success_refund(4);
        assert_eq!(custom, RetryBudget { capacity: 7, retry_cost: 2, timeout_cost: 3, success_refund: 4 });
    }

    #[test]
    fn retries_are_paid_until_the_bucket_is_empty() {
        let bucket = tokens(RetryBudget::new(25));
        assert_eq!(bucket.withdraw(&UNAVAILABLE), Some(5));
        assert_eq!(bucket.withdraw(&ErrorKind::Connect), Some(10));
        assert_eq!(bucket.withdraw(&ErrorKind::Timeout { deadline: false }), Some(10));
        assert_eq!(left(&bucket), 0);
        assert_eq!(bucket.withdraw(&UNAVAILABLE), None);
        assert_eq!(left(&bucket), 0, "a refused withdrawal takes nothing");

        let bucket = tokens(RetryBudget::new(12));
        assert_eq!(bucket.withdraw(&ErrorKind::Interrupted), Some(10));
        assert_eq!(bucket.withdraw(&ErrorKind::Interrupted), None, "2 tokens do not pay 10");
        assert_eq!(bucket.withdraw(&UNAVAILABLE), None, "nor 5");
        assert_eq!(left(&bucket), 2);
    }

    #[test]
    fn successes_refill_the_bucket_up_to_its_capacity() {
        let bucket = tokens(RetryBudget::new(20));
        assert_eq!(bucket.withdraw(&ErrorKind::Connect), Some(10));
        bucket.deposit(None);
        assert_eq!(left(&bucket), 11, "a first-attempt success puts back 1");
        bucket.deposit(Some(10));
        assert_eq!(left(&bucket), 20, "a success after a retry puts back that retry's cost");
        bucket.deposit(Some(10));
        bucket.deposit(None);
        assert_eq!(left(&bucket), 20, "never above the capacity");
    }

    #[test]
    fn without_a_budget_retries_are_free_and_unlimited() {
        let bucket = RetryTokens::new(None);
        for _ in 0..1000 {
            assert_eq!(bucket.withdraw(&ErrorKind::Connect), Some(0));
        }
        bucket.deposit(None);
        assert_eq!(tokens(RetryBudget::new(0)).withdraw(&UNAVAILABLE), None, "capacity 0: no retries");
    }
}
