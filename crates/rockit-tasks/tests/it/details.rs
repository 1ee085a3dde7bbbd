//! `Tasks::get` over HTTP reads task details in each shape a server may send: wrapped as
//! `{"task": {...}}`, with or without a top-level `status`, as well as bare.

use rockit_model::{TaskName, TaskStatus};
use rockit_tasks::Tasks;
use rockit_test_support::mock::{MockServer, Reply};
use rockit_transport::{Client, Credentials};
use serde_json::{Value, json};

const NAME: &str = "exampleorg-sushi-0003-1733240117-dltar";

fn details() -> Value {
    json!({
        "name": NAME,
        "service": "engine",
        "status": "failed",
        "acknowledged": false,
        "expired": false,
        "warning": {"code": "slow-origin", "message": "the origin answered slowly"},
        "exception": {"httpDownloadFailed": {"httpStatus": 200, "exitCode": 18}},
        "createdAt": 1_733_240_117,
        "updatedAt": 1_733_240_342,
        "region": "eu-central"
    })
}

fn tasks(server: &MockServer) -> Tasks {
    Tasks::new(
        Client::builder()
            .base_url(server.url())
            .credentials(Credentials::api_key("ExampleOrg", "adminPrincipal", "k"))
            .build()
            .unwrap(),
    )
}

#[tokio::test]
async fn wrapped_details_decode_over_http() {
    let server = MockServer::start().await;
    let shapes = [
        json!({"task": details()}),
        json!({"status": "success", "task": details()}),
        json!({"task": details(), "status": "success", "requestId": "r-1"}),
        details(),
    ];
    let tasks = tasks(&server);
    let name: TaskName = NAME.parse().unwrap();
    for shape in &shapes {
        server.script([Reply::json(200, shape.to_string())]);
        let got = tasks.get(&name).await.unwrap_or_else(|err| panic!("{shape}: {err}"));
        assert_eq!(got.name, name, "{shape}");
        assert_eq!(got.status, TaskStatus::Failed, "the task's status, not the wrapper's: {shape}");
        assert_eq!((got.acknowledged, got.expired), (Some(false), Some(false)), "{shape}");
        assert_eq!(got.warning.as_ref().and_then(|w| w.message()), Some("the origin answered slowly"));
        let download = got
            .exception
            .as_ref()
            .and_then(rockit_model::Exception::http_download_failed)
            .expect("exception");
        assert_eq!((download.http_status, download.exit_code), (Some(200), Some(18)), "{shape}");
        assert_eq!(
            got.created_at.as_ref().and_then(rockit_model::Timestamp::unix_seconds),
            Some(1_733_240_117)
        );
        // The task's unknown fields are kept; the wrapper's own fields are not the task's.
        assert_eq!(got.extra.get("region"), Some(&json!("eu-central")), "{shape}");
        assert_eq!(got.extra.len(), 1, "{shape}: {:?}", got.extra);
        // Encoding gives back the task itself, field for field.
        assert_eq!(serde_json::to_value(&got).unwrap(), details(), "{shape}");
    }
    let paths: Vec<_> = server.requests().iter().map(|r| (r.method.clone(), r.raw_path.clone())).collect();
    assert_eq!(paths, vec![("GET".to_owned(), format!("/be/v1/tasks/{NAME}")); shapes.len()]);
}

#[tokio::test]
async fn a_wrapper_around_something_else_is_a_typed_decode_error() {
    let server = MockServer::start().await;
    server.default_reply(Reply::json(200, r#"{"status":"success","task":{"service":"engine"}}"#));
    let err = tasks(&server).get(&NAME.parse().unwrap()).await.unwrap_err();
    let transport = err.transport_error().expect("a transport error");
    assert!(
        matches!(transport.kind(), rockit_transport::ErrorKind::Decode { status: 200, .. }),
        "{transport:?}"
    );
    assert!(err.to_string().starts_with(&format!("get {NAME}: GET /be/v1/tasks/{NAME}: ")), "{err}");
    assert_eq!(server.count(), 1, "a decode error is not retried");
}
