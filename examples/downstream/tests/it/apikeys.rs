//! `POST /be/v1/apikeys`: the one answer that holds a new key's secret. It reaches the caller as a
//! `SecretString`, and when the answer does not decode the error says so without quoting it.

use downstream::{CreateApiKey, TasksExt as _};
use rockit_tasks::Tasks;
use rockit_transport::{ErrorKind, ExposeSecret as _};

use crate::{Harness, NEW_SECRET};

#[tokio::test]
async fn the_new_key_is_read_and_stays_secret() {
    let harness = Harness::start().await;
    let key = harness.ops().execute(&CreateApiKey::new("ci")).await.unwrap();
    assert_eq!((key.id.as_str(), key.secret.expose_secret()), ("k-1", NEW_SECRET));
    assert!(!format!("{key:?}").contains(NEW_SECRET), "{key:?}");
    let request = harness.only_request();
    assert_eq!((request.method.as_str(), request.raw_path.as_str()), ("POST", "/be/v1/apikeys"));
    assert_eq!(&request.body[..], br#"{"user":"ci"}"#);
}

#[tokio::test]
async fn an_answer_that_does_not_decode_is_never_quoted() {
    let harness = Harness::start().await;
    harness.seen(|seen| seen.malformed_keys = true);
    let err = harness.ops().execute(&CreateApiKey::new("ci")).await.unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Decode { .. }), "{err:?}");
    for shown in [err.to_string(), format!("{err:?}"), format!("{err:#?}")] {
        assert!(!shown.contains(NEW_SECRET) && !shown.contains("sk-live"), "{shown}");
        assert!(shown.contains(" bytes, not shown: the response is sensitive]"), "{shown}");
    }
    // Through the Tasks client's error too, with its action.
    let tasks = Tasks::new(harness.ops());
    let err = tasks.call("create a key for ci", &CreateApiKey::new("ci")).await.unwrap_err();
    let chain = std::iter::successors(Some(&err as &dyn std::error::Error), |err| err.source());
    for cause in chain {
        assert!(!cause.to_string().contains(NEW_SECRET), "{cause}");
    }
    assert!(err.to_string().starts_with("create a key for ci: "), "{err}");
}
