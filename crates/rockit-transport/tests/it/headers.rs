//! Exact headers for each kind of credentials, and none of the other kind's.

use rockit_model::{GetTask, ListTasks, UpdateTask};
use rockit_test_support::mock::{MockServer, Reply};
use rockit_transport::{Client, Credentials};

use crate::support::{API_KEY, LIST_OK, TOKEN, client};

#[tokio::test]
async fn api_key_requests_carry_exactly_the_api_key_headers() {
    let server = MockServer::start().await;
    server.default_reply(Reply::json(200, LIST_OK));
    client(&server).execute(&ListTasks::new().app("sushi")).await.unwrap();
    let request = &server.requests()[0];
    assert_eq!(request.method, "GET");
    assert_eq!(request.raw_path, "/be/v1/tasks");
    assert_eq!(request.raw_query.as_deref(), Some("appName=sushi"));
    assert_eq!(
        request.header_names(),
        ["accept", "host", "user-agent", "x-rockit-api-key", "x-rockit-orgname", "x-rockit-username"]
    );
    assert_eq!(request.header("x-rockit-orgname"), Some("ExampleOrg"));
    assert_eq!(request.header("x-rockit-username"), Some("adminPrincipal"));
    assert_eq!(request.header("x-rockit-api-key"), Some(API_KEY));
    assert_eq!(request.header("accept"), Some("application/json"));
    assert_eq!(request.header("user-agent"), Some(concat!("rockit-rs/", env!("CARGO_PKG_VERSION"))));
    assert!(request.body.is_empty());
}

#[tokio::test]
async fn token_requests_carry_the_token_and_org_only() {
    let server = MockServer::start().await;
    let details = r#"{"name":"a-b-0001-1-dltar","service":"engine","status":"done"}"#;
    server.default_reply(Reply::json(200, details));
    let client = Client::builder()
        .base_url(server.url())
        .credentials(Credentials::token_for_org(TOKEN, "ExampleOrg"))
        .build()
        .unwrap();
    client.execute(&GetTask::new("a-b-0001-1-dltar".parse().unwrap())).await.unwrap();
    let request = &server.requests()[0];
    assert_eq!(
        request.header_names(),
        ["accept", "host", "user-agent", "x-rockit-beauth-token", "x-rockit-orgname"]
    );
    assert_eq!(request.header("x-rockit-beauth-token"), Some(TOKEN));

    let bare =
        Client::builder().base_url(server.url()).credentials(Credentials::token(TOKEN)).build().unwrap();
    bare.execute(&GetTask::new("a-b-0001-1-dltar".parse().unwrap())).await.unwrap();
    assert_eq!(
        server.requests()[1].header_names(),
        ["accept", "host", "user-agent", "x-rockit-beauth-token"]
    );
}

#[tokio::test]
async fn patch_sends_the_exact_json_body_with_content_type() {
    let server = MockServer::start().await;
    server.default_reply(Reply::json(200, LIST_OK));
    let update = UpdateTask::acknowledge("exampleTaskname".parse().unwrap()).expired(true);
    let page = client(&server).execute(&update).await.unwrap();
    assert_eq!(page.total_count, 1);
    let request = &server.requests()[0];
    assert_eq!(request.method, "PATCH");
    assert_eq!(request.raw_path, "/be/v1/tasks");
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(&request.body[..], br#"{"name":"exampleTaskname","acknowledged":true,"expired":true}"#);
    assert_eq!(
        request.header_names(),
        [
            "accept",
            "content-length",
            "content-type",
            "host",
            "user-agent",
            "x-rockit-api-key",
            "x-rockit-orgname",
            "x-rockit-username"
        ]
    );
}

#[tokio::test]
async fn base_url_path_prefix_is_kept_and_query_is_encoded() {
    let server = MockServer::start().await;
    server.default_reply(Reply::json(200, LIST_OK));
    let client =
        crate::support::builder(&server).base_url(format!("{}/edge/", server.url())).build().unwrap();
    let request = ListTasks::new().order(rockit_model::Order::desc("name")).param("q", "a b&c=d");
    client.execute(&request).await.unwrap();
    let seen = &server.requests()[0];
    assert_eq!(seen.raw_path, "/edge/be/v1/tasks");
    assert_eq!(seen.raw_query.as_deref(), Some("order%5B%5D=-name&q=a+b%26c%3Dd"));
}
