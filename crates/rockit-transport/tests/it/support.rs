//! Helpers shared by the transport's tests: clients, endpoints and credentials with known secrets.

use std::time::Duration;

use rockit_model::{Endpoint, JsonBody, Method, PathSegments};
use rockit_test_support::mock::MockServer;
use rockit_transport::{Client, ClientBuilder, Credentials, RetryPolicy};

/// The API key every test uses; tests assert that it never leaks.
pub(crate) const API_KEY: &str = "sk-test-7f3a9c1e-API-KEY-SECRET";
/// The token every test uses; tests assert that it never leaks.
pub(crate) const TOKEN: &str = "tok-test-b2d4f6a8-TOKEN-SECRET";

pub(crate) fn api_key() -> Credentials {
    Credentials::api_key("ExampleOrg", "adminPrincipal", API_KEY)
}

/// A builder for `server` with fast retries, so tests finish quickly.
pub(crate) fn builder(server: &MockServer) -> ClientBuilder {
    Client::builder().base_url(server.url()).credentials(api_key()).retry_policy(
        RetryPolicy::default().base_delay(Duration::from_millis(5)).max_delay(Duration::from_millis(50)),
    )
}

pub(crate) fn client(server: &MockServer) -> Client {
    builder(server).build().unwrap()
}

/// An endpoint whose path segments are taken verbatim, bypassing `TaskName` validation.
pub(crate) struct RawGet(pub Vec<String>);

impl Endpoint for RawGet {
    type Response = serde_json::Value;

    fn method(&self) -> Method {
        Method::Get
    }

    fn path(&self) -> PathSegments<'_> {
        self.0.iter().map(String::as_str).collect()
    }

    fn checks_api_status(&self) -> bool {
        false
    }
}

/// A non-idempotent `POST /be/v1/trigger`, as a downstream crate might define it.
pub(crate) struct Trigger;

impl Endpoint for Trigger {
    type Response = serde_json::Value;

    fn method(&self) -> Method {
        Method::Post
    }

    fn path(&self) -> PathSegments<'_> {
        PathSegments::from_static(&["be", "v1", "trigger"])
    }

    fn body(&self) -> Result<Option<JsonBody>, serde_json::Error> {
        JsonBody::from_serialize(&serde_json::json!({"taskName": "x"})).map(Some)
    }

    fn permission(&self) -> Option<&'static str> {
        Some("trigger.create")
    }
}

pub(crate) const LIST_OK: &str = r#"{"status":"success","totalCount":1,"tasks":[{"name":"exampleorg-sushi-0001-1732886919-dltar","service":"engine","status":"done"}]}"#;
