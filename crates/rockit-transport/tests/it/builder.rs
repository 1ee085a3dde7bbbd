//! What a built client reports about itself, every builder setting reaching the request, which
//! credentials win, and how the builder, the client and credentials print.

use std::collections::HashMap;
use std::time::Duration;

use rockit_model::ListTasks;
use rockit_test_support::mock::{MockServer, Reply};
use rockit_transport::{Client, ClientBuilder, CredentialFuture, CredentialProvider, Credentials};

use crate::support::{API_KEY, LIST_OK, RawGet, TOKEN, api_key, builder};

/// A provider that is never asked in these tests.
struct Unused;

impl CredentialProvider for Unused {
    fn credentials(&self) -> CredentialFuture<'_> {
        Box::pin(async { Ok(Credentials::token(TOKEN)) })
    }
}

fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
    let vars: HashMap<String, String> =
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    move |name| vars.get(name).cloned()
}

fn build_error(url: &str) -> String {
    Client::builder().base_url(url).credentials(api_key()).build().unwrap_err().to_string()
}

#[tokio::test]
async fn a_client_reports_its_org_base_url_and_urls() {
    let server = MockServer::start().await;
    let client = builder(&server).build().unwrap();
    assert_eq!(client.org(), Some("ExampleOrg"));
    assert_eq!(client.base_url(), format!("{}/", server.url()));
    assert_eq!(
        client.url_for(&ListTasks::new().limit(5)).unwrap(),
        format!("{}/be/v1/tasks?limit=5", server.url())
    );
    assert_eq!(client.url_for(&RawGet(vec!["x y".to_owned()])).unwrap(), format!("{}/x%20y", server.url()));

    let with =
        |credentials| Client::builder().base_url(server.url()).credentials(credentials).build().unwrap();
    assert_eq!(with(Credentials::token(TOKEN)).org(), None);
    assert_eq!(with(Credentials::token_for_org(TOKEN, "ExampleOrg")).org(), Some("ExampleOrg"));
    let provided = Client::builder().base_url(server.url()).credential_provider(Unused).build().unwrap();
    assert_eq!(provided.org(), None, "a provider is not asked at build time");
}

#[test]
fn credentials_name_their_org_and_print_without_their_secret() {
    assert_eq!(api_key().org(), Some("ExampleOrg"));
    assert_eq!(Credentials::token(TOKEN).org(), None);
    assert_eq!(Credentials::token_for_org(TOKEN, "ExampleOrg").org(), Some("ExampleOrg"));
    assert_eq!(api_key().to_string(), "API key of adminPrincipal in ExampleOrg ([redacted])");
    assert_eq!(Credentials::token(TOKEN).to_string(), "auth token ([redacted])");
    assert_eq!(
        Credentials::token_for_org(TOKEN, "ExampleOrg").to_string(),
        "auth token for ExampleOrg ([redacted])"
    );
}

#[tokio::test]
async fn the_user_agent_and_connect_timeout_settings_are_used() {
    let server = MockServer::start().await;
    server.default_reply(Reply::json(200, LIST_OK));
    let configured = builder(&server).connect_timeout(Duration::from_millis(1500)).user_agent("my-tool/1.0");
    assert!(format!("{configured:?}").contains("connect_timeout: 1.5s"), "{configured:?}");
    configured.build().unwrap().execute(&ListTasks::new()).await.unwrap();
    assert_eq!(server.requests()[0].header("user-agent"), Some("my-tool/1.0"));
}

#[tokio::test]
async fn credentials_from_the_environment_replace_those_set_in_code() {
    let server = MockServer::start().await;
    server.default_reply(Reply::json(200, LIST_OK));
    let env_key = "sk-env-KEY-SECRET";
    let from_key = builder(&server).from_env_with(vars(&[
        ("ROCKIT_API_KEY", env_key),
        ("ROCKIT_ORG", "EnvOrg"),
        ("ROCKIT_USER", "env-bot"),
    ]));
    from_key.build().unwrap().execute(&ListTasks::new()).await.unwrap();
    assert_eq!(server.requests()[0].header("x-rockit-api-key"), Some(env_key));
    assert_eq!(server.requests()[0].header("x-rockit-orgname"), Some("EnvOrg"));

    let from_token = builder(&server).from_env_with(vars(&[("ROCKIT_TOKEN", TOKEN)]));
    from_token.build().unwrap().execute(&ListTasks::new()).await.unwrap();
    assert_eq!(server.requests()[1].header("x-rockit-beauth-token"), Some(TOKEN));
    assert_eq!(server.requests()[1].header("x-rockit-api-key"), None);

    let without = builder(&server).from_env_with(vars(&[("ROCKIT_ORG", "EnvOrg")]));
    without.build().unwrap().execute(&ListTasks::new()).await.unwrap();
    assert_eq!(
        server.requests()[2].header("x-rockit-api-key"),
        Some(API_KEY),
        "no env credentials: code's stay"
    );
}

#[test]
fn from_env_reads_the_process_environment() {
    let base = || Client::builder().base_url("https://edge.example.com").credentials(api_key());
    let read = base().from_env_with(|name| std::env::var(name).ok());
    assert_eq!(format!("{:?}", base().from_env()), format!("{read:?}"));
}

#[test]
fn a_builder_prints_its_settings_and_where_credentials_come_from() {
    let builder = Client::builder().base_url("https://edge.example.com").credentials(api_key());
    let debug = format!("{builder:?}");
    assert!(debug.starts_with(r#"ClientBuilder { base_url: Some("https://edge.example.com"), credentials: ApiKey { org: "ExampleOrg", user: "adminPrincipal", key: [redacted] }, connect_timeout: 10s, timeout: 30s"#), "{debug}");
    assert!(debug.contains("max_response_bytes: 8388608"), "{debug}");
    let source = |builder: ClientBuilder| {
        let debug = format!("{builder:?}");
        let start = debug.find("credentials: ").unwrap() + "credentials: ".len();
        let end = debug.find(", connect_timeout").unwrap();
        debug[start..end].to_owned()
    };
    assert_eq!(source(Client::builder()), "None");
    assert_eq!(source(Client::builder().credential_provider(Unused)), "Provider");
}

#[tokio::test]
async fn a_client_prints_its_settings() {
    let server = MockServer::start().await;
    let client = builder(&server).max_response_bytes(4096).build().unwrap();
    let debug = format!("{client:?}");
    assert!(
        debug.starts_with(&format!(r#"Client {{ base_url: "{}/", timeout: 30s"#, server.url())),
        "{debug}"
    );
    assert!(debug.contains("max_response_bytes: 4096"), "{debug}");
}

#[test]
fn an_endpoint_is_named_in_its_refusal_without_user_info() {
    assert_eq!(
        build_error("ftp://edge.example.com"),
        r#"invalid configuration: endpoint "ftp://edge.example.com" must use https (or http to loopback)"#
    );
    assert!(build_error("ftp://bob:pw@edge").contains(r#""ftp://[redacted]@edge""#));
    // An `@` before the scheme separator is not user info: shown as written.
    assert!(build_error("foo@bar://edge").contains(r#"endpoint "foo@bar://edge" is not a URL"#));
}

#[test]
fn a_user_name_or_a_password_alone_is_refused_too() {
    for url in
        ["https://user@edge.example.com", "https://:pw@edge.example.com", "https://user:pw@edge.example.com"]
    {
        assert!(build_error(url).contains("must not carry a user name or password"), "{url}");
    }
}
