//! Configuration from the `ROCKIT_*` environment variables.

use std::collections::HashMap;

use rockit_test_support::mock::{MockServer, Reply};
use rockit_transport::{Client, ErrorKind};

use crate::support::{API_KEY, LIST_OK, TOKEN};

fn from_vars(vars: &[(&str, &str)]) -> Result<Client, rockit_transport::Error> {
    let vars: HashMap<String, String> =
        vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    Client::builder().from_env_with(|name| vars.get(name).cloned()).build()
}

fn config_error(vars: &[(&str, &str)]) -> String {
    let err = from_vars(vars).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::InvalidConfig { .. }), "{err:?}");
    let text = err.to_string();
    assert!(!text.contains(API_KEY) && !text.contains(TOKEN), "{text}");
    text
}

#[test]
fn errors_name_the_missing_or_conflicting_variables() {
    let endpoint = ("ROCKIT_ENDPOINT", "https://edge.example.com");
    assert_eq!(
        config_error(&[]),
        r#"invalid configuration: no endpoint; set ROCKIT_ENDPOINT or call base_url("https://your-edge-host")"#
    );
    assert_eq!(
        config_error(&[endpoint]),
        "invalid configuration: no credentials; call credentials(...) or set ROCKIT_API_KEY (with ROCKIT_ORG and ROCKIT_USER) or ROCKIT_TOKEN"
    );
    assert_eq!(
        config_error(&[endpoint, ("ROCKIT_API_KEY", API_KEY), ("ROCKIT_TOKEN", TOKEN)]),
        "invalid configuration: both an API key (ROCKIT_API_KEY) and a token (ROCKIT_TOKEN) are set; a request carries exactly one kind of credentials, so keep one"
    );
    assert_eq!(
        config_error(&[endpoint, ("ROCKIT_API_KEY", API_KEY), ("ROCKIT_ORG", "ExampleOrg")]),
        "invalid configuration: an API key (ROCKIT_API_KEY) needs the organization and the machine user; set the user (ROCKIT_USER or `user` in a profile)"
    );
    assert!(config_error(&[endpoint, ("ROCKIT_API_KEY", API_KEY), ("ROCKIT_ORG", " ")]).contains(
        "set the org (ROCKIT_ORG or `org` in a profile) and the user (ROCKIT_USER or `user` in a profile)"
    ));
    assert!(
        config_error(&[
            endpoint,
            ("ROCKIT_API_KEY", "line\nbreak"),
            ("ROCKIT_ORG", "o"),
            ("ROCKIT_USER", "u")
        ])
        .contains("x-rockit-api-key: \"the secret\" cannot be sent"),
    );
}

#[tokio::test]
async fn a_client_from_the_environment_sends_what_the_variables_say() {
    let server = MockServer::start().await;
    server.default_reply(Reply::json(200, LIST_OK));
    let url = server.url();
    let client = from_vars(&[
        ("ROCKIT_ENDPOINT", url.as_str()),
        ("ROCKIT_ORG", "ExampleOrg"),
        ("ROCKIT_USER", "ci-bot"),
        ("ROCKIT_API_KEY", API_KEY),
        ("ROCKIT_TOKEN", ""),
    ])
    .unwrap();
    client.execute(&rockit_model::ListTasks::new()).await.unwrap();
    let request = &server.requests()[0];
    assert_eq!(request.header("x-rockit-username"), Some("ci-bot"));
    assert_eq!(request.header("x-rockit-api-key"), Some(API_KEY));
    assert_eq!(request.header("x-rockit-beauth-token"), None);
}
