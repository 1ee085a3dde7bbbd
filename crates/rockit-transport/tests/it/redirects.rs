//! `307` and `308` redirects, which keep the method and the body (a `PATCH` would be repeated,
//! credentials included, wherever they point), are not followed: the call fails with
//! `ErrorKind::Redirect` naming the `Location`, and the other server never hears of it. (`301` and
//! `302` are covered in `security.rs`.)

use rockit_model::{ListTasks, UpdateTask};
use rockit_test_support::mock::{MockServer, Reply};
use rockit_transport::ErrorKind;

use crate::support::client;

#[tokio::test]
async fn temporary_and_permanent_redirects_are_not_followed() {
    for status in [307, 308] {
        let elsewhere = MockServer::start().await;
        let server = MockServer::start().await;
        let location = format!("{}/be/v1/tasks", elsewhere.url());
        server.default_reply(Reply::json(status, "").with_header("location", &location));
        let client = client(&server);

        let list = client.execute(&ListTasks::new()).await.unwrap_err();
        let update = client.execute(&UpdateTask::acknowledge("x".parse().unwrap())).await.unwrap_err();
        for err in [&list, &update] {
            let ErrorKind::Redirect { status: seen, location: named } = err.kind() else {
                panic!("{status}: not a redirect error: {err:?}")
            };
            assert_eq!(*seen, status);
            assert_eq!(named.as_deref(), Some(location.as_str()), "{status}");
            assert_eq!(err.status(), Some(status));
            assert_eq!(err.attempts(), 1, "{status}: a redirect is not retried");
            assert!(!err.is_retryable(), "{status}");
            assert!(err.to_string().contains(&location), "{status}: {err}");
        }
        assert_eq!(elsewhere.count(), 0, "{status}: the redirect target must not be contacted");
        assert_eq!(server.count(), 2, "{status}");
    }
}
