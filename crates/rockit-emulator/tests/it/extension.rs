//! Routes a downstream test suite mounts: served behind the same authentication, faults and log.

use axum::Router;
use axum::routing::{get, post};
use rockit_emulator::{ApiError, Caller, Fault, Matcher, demo};
use serde_json::json;

use crate::client::Client;
use crate::demo_builder;

async fn list_apps(caller: Caller) -> Result<&'static str, ApiError> {
    caller.require("apps.read")?;
    Ok(r#"{"status":"success","apps":["sushi"]}"#)
}

async fn trigger(caller: Caller, body: axum::body::Bytes) -> Result<String, ApiError> {
    caller.require("trigger.create")?;
    Ok(format!("{} triggered {}", caller.user(), String::from_utf8_lossy(&body)))
}

fn extra_routes() -> Router {
    Router::new().route("/be/v1/apps", get(list_apps)).route("/be/v1/trigger", post(trigger))
}

#[tokio::test]
async fn mounted_routes_share_auth_faults_and_log() {
    let emulator = demo_builder()
        .demo_credentials()
        .api_key("ops", "ops-key", ["apps.read", "trigger.create", "tasks.read"])
        .mount(extra_routes())
        .start()
        .await
        .unwrap();
    let ops = Client::api_key(emulator.addr(), demo::ORG, "ops", "ops-key");
    let apps = ops.get("/be/v1/apps").await;
    assert_eq!(apps.status, 200);
    assert_eq!(apps.json(), json!({"status": "success", "apps": ["sushi"]}));
    let triggered = ops.send("POST", "/be/v1/trigger", br#"{"task":"x"}"#).await.complete();
    assert_eq!(String::from_utf8(triggered.body).unwrap(), r#"ops triggered {"task":"x"}"#);

    // Same authentication: 401 without credentials, the route's own 403 without its permission.
    assert_eq!(Client::anonymous(emulator.addr()).get("/be/v1/apps").await.status, 401);
    let forbidden = Client::admin(&emulator).get("/be/v1/apps").await;
    assert_eq!(forbidden.status, 403);
    assert_eq!(
        forbidden.json(),
        json!({"status": "failed", "error": "forbidden", "message": "user \"adminPrincipal\" lacks the permission apps.read; use credentials that have it"})
    );

    // Same faults and log; the Tasks routes still work alongside.
    emulator.script(Matcher::path_prefix("/be/v1/apps"), 1, Fault::Unavailable);
    assert_eq!(ops.get("/be/v1/apps").await.status, 503);
    assert_eq!(ops.get("/be/v1/tasks").await.json()["totalCount"], json!(13));
    let paths: Vec<String> = emulator.requests().iter().map(|request| request.raw_path.clone()).collect();
    assert_eq!(
        paths,
        ["/be/v1/apps", "/be/v1/trigger", "/be/v1/apps", "/be/v1/apps", "/be/v1/apps", "/be/v1/tasks"]
    );
    assert_eq!(emulator.requests()[1].body_json(), Some(json!({"task": "x"})));
}
