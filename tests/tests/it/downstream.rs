//! A downstream crate adds an endpoint the SDK does not cover, using only public items of
//! rockit-model and rockit-transport, and executes it: nothing in our crates has to change. The
//! route is served by a scripted mock, and by the emulator with a route the test mounts.
//!
//! This test inherits the workspace's dependencies; `examples/downstream` does the same from a
//! workspace of its own, with the rockit crates and tokio as its only dependencies, as users do.

use rockit_model::{Endpoint, JsonBody, Method, PathSegments, TaskName};
use rockit_test_support::mock::{MockServer, Reply};
use rockit_transport::{Client, Credentials};
use serde::{Deserialize, Serialize};

/// `POST /be/v1/trigger` to retry a failed task. The body shape is unpublished; this is a guess.
#[derive(Debug, Serialize)]
struct RetryTask {
    #[serde(rename = "taskName")]
    task_name: TaskName,
}

/// What the downstream crate expects back.
#[derive(Debug, Deserialize, PartialEq)]
struct Triggered {
    status: String,
    #[serde(rename = "triggerId")]
    trigger_id: u64,
}

impl Endpoint for RetryTask {
    type Response = Triggered;

    fn method(&self) -> Method {
        Method::Post
    }

    fn path(&self) -> PathSegments<'_> {
        PathSegments::from_static(&["be", "v1", "trigger"])
    }

    fn body(&self) -> Result<Option<JsonBody>, serde_json::Error> {
        JsonBody::from_serialize(self).map(Some)
    }

    fn permission(&self) -> Option<&'static str> {
        Some("trigger.create")
    }
}

fn retry() -> RetryTask {
    RetryTask { task_name: "exampleorg-sushi-0002-1733149403-dltar".parse().unwrap() }
}

#[test]
fn a_downstream_endpoint_describes_itself() {
    let retry = retry();
    assert_eq!(retry.method(), Method::Post);
    assert_eq!(retry.path().to_string(), "/be/v1/trigger");
    assert!(!retry.idempotent(), "POST is not retry-safe unless the endpoint says so");
    assert!(retry.query().is_empty());
}

#[tokio::test]
async fn a_downstream_endpoint_runs_through_the_transport() {
    let server = MockServer::start().await;
    server.default_reply(Reply::json(200, r#"{"status":"success","triggerId":42}"#));
    let client = Client::builder()
        .base_url(server.url())
        .credentials(Credentials::api_key("ExampleOrg", "ci-bot", "downstream-key"))
        .build()
        .unwrap();
    let triggered = client.execute(&retry()).await.unwrap();
    assert_eq!(triggered, Triggered { status: "success".to_owned(), trigger_id: 42 });
    let request = &server.requests()[0];
    assert_eq!(request.method, "POST");
    assert_eq!(request.raw_path, "/be/v1/trigger");
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(request.header("x-rockit-api-key"), Some("downstream-key"));
    assert_eq!(&request.body[..], br#"{"taskName":"exampleorg-sushi-0002-1733149403-dltar"}"#);

    // The downstream endpoint gets the transport's error handling for free.
    server.default_reply(Reply::json(403, r#"{"status":"forbidden","message":"missing trigger.create"}"#));
    let err = client.execute(&retry()).await.unwrap_err();
    assert!(err.is_auth());
    assert_eq!(
        err.to_string(),
        "POST /be/v1/trigger: 403 forbidden: missing trigger.create (after 1 attempt)"
    );
}

mod against_the_emulator {
    //! `POST /be/v1/trigger` (retry a task), served by a route mounted into the emulator.

    use std::sync::{Arc, Mutex};

    use axum::Router;
    use axum::extract::State;
    use axum::routing::post;
    use rockit_emulator::{ApiError, Caller, Emulator, Fixture, demo};
    use rockit_model::TaskStatus;
    use rockit_transport::{Client, Credentials};

    use super::{Triggered, retry};

    /// The emulated route: needs `trigger.create`, records what it was asked to retry.
    async fn trigger(
        State(seen): State<Arc<Mutex<Vec<String>>>>,
        caller: Caller,
        body: axum::body::Bytes,
    ) -> Result<&'static str, ApiError> {
        caller.require("trigger.create")?;
        let body: serde_json::Value =
            serde_json::from_slice(&body).map_err(|err| ApiError::invalid_body(err.to_string()))?;
        let task =
            body["taskName"].as_str().ok_or_else(|| ApiError::missing_param("taskName is required"))?;
        seen.lock().unwrap().push(task.to_owned());
        Ok(r#"{"status":"success","triggerId":7}"#)
    }

    #[tokio::test]
    async fn a_downstream_endpoint_runs_against_a_mounted_emulator_route() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let routes = Router::new().route("/be/v1/trigger", post(trigger)).with_state(seen.clone());
        let emulator = Emulator::builder()
            .fixture(Fixture::demo())
            .speed(0.0)
            .demo_credentials()
            .api_key("ops", "ops-key", ["tasks.read", "trigger.create"])
            .mount(routes)
            .start()
            .await
            .unwrap();

        let ops = Client::builder()
            .base_url(emulator.base_url())
            .credentials(Credentials::api_key(demo::ORG, "ops", "ops-key"))
            .build()
            .unwrap();
        let triggered = ops.execute(&retry()).await.unwrap();
        assert_eq!(triggered, Triggered { status: "success".to_owned(), trigger_id: 7 });
        assert_eq!(*seen.lock().unwrap(), [demo::STUCK_UPLOAD]);
        // The same client still reads the Tasks API.
        let details =
            ops.execute(&rockit_model::GetTask::new(demo::STUCK_UPLOAD.parse().unwrap())).await.unwrap();
        assert_eq!(details.status, TaskStatus::Pending);

        // The emulator's auth applies to the mounted route: the demo admin lacks trigger.create.
        let admin = Client::builder()
            .base_url(emulator.base_url())
            .credentials(Credentials::api_key(demo::ORG, demo::USER, demo::API_KEY))
            .build()
            .unwrap();
        let err = admin.execute(&retry()).await.unwrap_err();
        assert_eq!(err.status(), Some(403));
        assert!(err.to_string().contains("lacks the permission trigger.create"), "{err}");
        assert_eq!(seen.lock().unwrap().len(), 1);
    }
}
