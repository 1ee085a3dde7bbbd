//! A downstream crate describes an endpoint the SDK does not cover, using only public items of
//! rockit-model. (Executing it through rockit-transport is tested once that crate exists.)

use rockit_model::{Endpoint, JsonBody, Method, PathSegments, TaskName};
use serde::Serialize;

/// `POST /be/v1/trigger` to retry a failed task. The body shape is unpublished; this is a guess.
#[derive(Debug, Serialize)]
struct RetryTask {
    #[serde(rename = "taskName")]
    task_name: TaskName,
}

impl Endpoint for RetryTask {
    type Response = serde_json::Value;

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

#[test]
fn a_downstream_endpoint_describes_itself() {
    let retry = RetryTask { task_name: "exampleorg-sushi-0002-1733149403-dltar".parse().unwrap() };
    assert_eq!(retry.method(), Method::Post);
    assert_eq!(retry.path().to_string(), "/be/v1/trigger");
    assert!(!retry.idempotent(), "POST is not retry-safe unless the endpoint says so");
    assert_eq!(
        retry.body().unwrap().unwrap().as_bytes(),
        br#"{"taskName":"exampleorg-sushi-0002-1733149403-dltar"}"#
    );
    assert!(retry.query().is_empty());
}
