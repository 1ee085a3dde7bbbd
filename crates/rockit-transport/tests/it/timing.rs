//! How long a call takes: the deadline bounds the whole retry loop, a `Retry-After` past the
//! deadline or longer than the policy's `max_delay` ends the call at once, and `Retry-After` given
//! as an HTTP date is honoured.
//!
//! Time is observed without upper bounds on the wall clock: the delays are made exact (a
//! `Retry-After` capped by the policy's `max_delay` is slept as is, without jitter), so the number
//! of requests the server saw bounds the time the client spent; and elapsed time is only ever
//! checked from below. Where a bug would make the client wait for a very long time, a generous
//! guard ends the test instead of letting it hang.

use std::time::{Duration, Instant, SystemTime};

use rockit_model::ListTasks;
use rockit_test_support::mock::{MockServer, Reply};
use rockit_transport::{ErrorKind, RetryPolicy};

use crate::support::{LIST_OK, builder};

/// Ends a test that would otherwise wait for minutes: a guard against hangs, not a measurement
/// (every call it wraps finishes in milliseconds unless the bug it looks for is present).
const HANG_GUARD: Duration = Duration::from_secs(60);

fn unavailable_for(retry_after: &str) -> Reply {
    Reply::json(503, r#"{"status":"unavailable","message":"try again"}"#)
        .with_header("retry-after", retry_after)
}

#[tokio::test]
async fn the_deadline_bounds_the_time_of_a_retry_loop_not_only_its_attempts() {
    // Every answer asks for 1 s, which the policy allows: each retry waits exactly 1 s, so the
    // attempts the server sees measure the time the call took. A retry whose delay would end past
    // the 2.5 s deadline is not made: attempts start at 0, 1 and 2 s at the earliest, and a slow
    // machine only makes fewer of them.
    const DELAY: Duration = Duration::from_secs(1);
    const DEADLINE: Duration = Duration::from_millis(2500);
    let server = MockServer::start().await;
    server.default_reply(unavailable_for("1"));
    let client = builder(&server)
        // A bound on attempts that the deadline must reach first: 20 attempts take 19 s.
        .retry_policy(RetryPolicy::default().max_attempts(20).max_delay(DELAY))
        .deadline(DEADLINE)
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client.execute(&ListTasks::new()).await.unwrap_err();
    let elapsed = started.elapsed();
    let attempts = err.attempts();
    match err.kind() {
        // The usual end: the next delay would pass the deadline, so the server's last request to
        // come back later is returned.
        ErrorKind::RetryLater { status: 503, retry_after, .. } => {
            assert_eq!(*retry_after, DELAY);
            assert_eq!(server.count(), attempts as usize);
        }
        // On a machine so slow that one request takes 500 ms, the deadline cuts the last attempt.
        ErrorKind::Timeout { deadline: true } => {
            let seen = u32::try_from(server.count()).unwrap();
            assert!((attempts - 1..=attempts).contains(&seen), "{err}");
        }
        _ => panic!("{err:?}"),
    }
    // At most one attempt per full delay that fits in the deadline, the first one included: a
    // deadline ignored, counted too long, or checked only after sleeping makes more.
    let most = u32::try_from(DEADLINE.as_millis() / DELAY.as_millis()).unwrap() + 1;
    assert!(attempts <= most, "{attempts} attempts in a {DEADLINE:?} deadline with {DELAY:?} delays");
    // And every delay was slept in full (a lower bound, which a slow machine cannot break).
    assert!(elapsed >= DELAY * (attempts - 1), "{attempts} attempts in only {elapsed:?}");
}

#[tokio::test]
async fn a_retry_after_longer_than_max_delay_returns_at_once_saying_when() {
    // The old behaviour repeated the request every `max_delay` (10 s) for a server that asked for
    // 900 s: four requests and 30 s for nothing.
    let server = MockServer::start().await;
    server.default_reply(unavailable_for("900"));
    let client = builder(&server).build().unwrap();
    let err = tokio::time::timeout(HANG_GUARD, client.execute(&ListTasks::new()))
        .await
        .expect("the call returned at once")
        .unwrap_err();
    assert!(err.is_retry_later() && err.is_retryable() && !err.is_maintenance(), "{err:?}");
    assert_eq!(err.retry_after(), Some(Duration::from_secs(900)));
    assert_eq!((err.attempts(), server.count()), (1, 1));
    assert_eq!(
        err.to_string(),
        "GET /be/v1/tasks: the server is unavailable (503 unavailable); it asks to retry in 15m (after 1 attempt)"
    );
}

#[tokio::test]
async fn a_retry_after_past_the_deadline_returns_the_error_without_waiting() {
    // The server asks for two hours; the deadline is one hour away. Waiting any part of that hour
    // would trip the guard, so returning at all proves the client did not sleep.
    let server = MockServer::start().await;
    server.default_reply(unavailable_for("7200"));
    let client = builder(&server)
        .retry_policy(RetryPolicy::default().max_delay(Duration::from_secs(3 * 3600)))
        .deadline(Duration::from_secs(3600))
        .build()
        .unwrap();
    let err = tokio::time::timeout(HANG_GUARD, client.execute(&ListTasks::new()))
        .await
        .expect("the call returned at once instead of waiting towards its deadline")
        .unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(err.retry_after(), Some(Duration::from_secs(7200)));
    assert_eq!(err.attempts(), 1);
    assert_eq!(server.count(), 1);
}

/// `Retry-After` as an HTTP date (RFC 9110 §10.2.3) `ahead` from now, to the second.
fn http_date_in(ahead: Duration) -> String {
    httpdate::fmt_http_date(SystemTime::now() + ahead)
}

#[tokio::test]
async fn retry_after_as_an_http_date_is_read_from_a_real_response() {
    // An hour ahead: the parsed wait is that hour less the time the request took and less the
    // sub-second part the date format drops, so it lies between 59 and 60 minutes.
    let server = MockServer::start().await;
    server.default_reply(unavailable_for(&http_date_in(Duration::from_secs(3600))));
    let client = builder(&server).retry_policy(RetryPolicy::none()).build().unwrap();
    let err = client.execute(&ListTasks::new()).await.unwrap_err();
    let waited = err.retry_after().expect("the HTTP date was read as Retry-After");
    assert!(
        (Duration::from_secs(3540)..=Duration::from_secs(3600)).contains(&waited),
        "Retry-After an hour ahead read as {waited:?}"
    );
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn retry_after_as_an_http_date_is_waited_for() {
    // The date is 3 s ahead (2 to 3 s once the date format drops the sub-second part) and the
    // policy allows 4 s: the retry waits for the date. Without it the delay would be the policy's
    // jitter (at most 1 ms here). The clock starts before the date is written: a slow machine
    // only makes the wait look longer.
    let started = Instant::now();
    let server = MockServer::start().await;
    server.script([unavailable_for(&http_date_in(Duration::from_secs(3))), Reply::json(200, LIST_OK)]);
    let policy =
        RetryPolicy::default().base_delay(Duration::from_millis(1)).max_delay(Duration::from_secs(4));
    let client = builder(&server).retry_policy(policy).build().unwrap();
    let page = client.execute(&ListTasks::new()).await.unwrap();
    assert_eq!(page.tasks.len(), 1);
    assert_eq!(server.count(), 2);
    assert!(started.elapsed() >= Duration::from_millis(1900), "retried after only {:?}", started.elapsed());

    // A date in the past means "retry now": no wait beyond the jitter, and no error.
    server.script([unavailable_for("Sun, 06 Nov 1994 08:49:37 GMT"), Reply::json(200, LIST_OK)]);
    client.execute(&ListTasks::new()).await.unwrap();
    assert_eq!(server.count(), 4);

    // A date further ahead than the policy waits ends the call at once.
    server.default_reply(unavailable_for(&http_date_in(Duration::from_secs(60))));
    let err = client.execute(&ListTasks::new()).await.unwrap_err();
    assert!(err.is_retry_later(), "{err:?}");
    assert_eq!(server.count(), 5);
}

#[tokio::test]
async fn a_retry_after_date_past_the_deadline_returns_at_once() {
    let server = MockServer::start().await;
    server.default_reply(unavailable_for(&http_date_in(Duration::from_secs(7200))));
    let client = builder(&server)
        .retry_policy(RetryPolicy::default().max_delay(Duration::from_secs(3 * 3600)))
        .deadline(Duration::from_secs(3600))
        .build()
        .unwrap();
    let err = tokio::time::timeout(HANG_GUARD, client.execute(&ListTasks::new()))
        .await
        .expect("the call returned at once instead of waiting towards its deadline")
        .unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::RetryLater { status: 503, .. }), "{err:?}");
    assert!(err.retry_after().is_some_and(|wait| wait > Duration::from_secs(3600)), "{err:?}");
    assert_eq!(server.count(), 1);
}
