//! Bodies that hold secrets: an endpoint that declares its response sensitive never has a `2xx`
//! body quoted, and any body an error quotes shows none of the secrets the client knows, wherever
//! in the body they sit (the start, the middle, across the excerpt's cut, inside a value serde
//! would quote).

use rockit_model::{Endpoint, Method, PathSegments};
use rockit_test_support::mock::{MockServer, Reply};
use rockit_transport::{Client, Credentials, RetryPolicy};
use serde::Deserialize;

use crate::support::{API_KEY, client};

/// The new key's secret a create answer returns, planted by the tests.
const NEW_SECRET: &str = "sk-new-0f9e8d7c-PLANTED";

/// `POST /be/v1/apikeys`, as a downstream crate would declare it.
struct CreateKey {
    sensitive: bool,
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Created {
    id: u32,
    secret: String,
}

impl Endpoint for CreateKey {
    type Response = Created;

    fn method(&self) -> Method {
        Method::Post
    }

    fn path(&self) -> PathSegments<'_> {
        PathSegments::from_static(&["be", "v1", "apikeys"])
    }

    fn sensitive_response(&self) -> bool {
        self.sensitive
    }
}

/// Bodies with `secret` at every place an excerpt or a decode error can show it.
fn planted(secret: &str) -> Vec<String> {
    vec![
        // Decodes as JSON but not as `Created`: serde quotes the string value.
        format!(r#"{{"status":"success","id":"{secret}","secret":1}}"#),
        // Not JSON at all, the secret first.
        format!("{secret} is your key"),
        // The secret in the middle of a long body.
        format!("{}{secret}{}", "x".repeat(90), "y".repeat(400)),
        // Across the 200-character cut.
        format!("{}{secret}{}", "z".repeat(200 - secret.len() / 2), "w".repeat(50)),
        // Just past the cut.
        format!("{}{secret}", "q".repeat(200)),
        // A 2xx whose status is not success, the secret in its message.
        format!(r#"{{"status":"failed","error":"quota","message":"key {secret} exceeds the quota"}}"#),
    ]
}

#[tokio::test]
async fn a_sensitive_response_is_never_quoted() {
    let server = MockServer::start().await;
    let client = client(&server);
    for body in planted(NEW_SECRET) {
        server.script([Reply::json(200, body.clone())]);
        let err = client.execute(&CreateKey { sensitive: true }).await.unwrap_err();
        let shown = format!("{err} {err:?} {:?}", std::error::Error::source(&err).map(ToString::to_string));
        for fragment in [NEW_SECRET, "0f9e8d7c", "PLANTED"] {
            assert!(!shown.contains(fragment), "{fragment} shown for {body:?}: {shown}");
        }
        assert!(shown.contains(&format!("{} bytes, not shown", body.len())), "{shown}");
    }
    // Where it failed is still said.
    server.script([Reply::json(200, planted(NEW_SECRET)[0].clone())]);
    let err = client.execute(&CreateKey { sensitive: true }).await.unwrap_err();
    assert!(err.to_string().contains("data error at line 1 column"), "{err}");
}

#[tokio::test]
async fn the_same_bodies_are_quoted_when_not_sensitive() {
    // The tests above pass because the body is withheld, not because nothing is ever quoted.
    let server = MockServer::start().await;
    let client = client(&server);
    server.script([Reply::json(200, planted(NEW_SECRET)[1].clone())]);
    let err = client.execute(&CreateKey { sensitive: false }).await.unwrap_err();
    assert!(err.to_string().contains(NEW_SECRET), "{err}");
}

#[tokio::test]
async fn the_clients_own_secrets_are_redacted_from_every_excerpt() {
    let server = MockServer::start().await;
    let with_key = client(&server);
    let token = "tok-known-1234-SECRETVALUE";
    let with_token = Client::builder()
        .base_url(server.url())
        .credentials(Credentials::token(token))
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    for (client, secret) in [(&with_key, API_KEY), (&with_token, token)] {
        for body in planted(secret) {
            for status in [200, 400] {
                server.script([Reply::json(status, body.clone())]);
                let err = client.execute(&CreateKey { sensitive: false }).await.unwrap_err();
                let shown =
                    format!("{err} {err:?} {:?}", std::error::Error::source(&err).map(ToString::to_string));
                // No piece of it either: the cut falls after redaction.
                let (head, tail) = secret.split_at(secret.len() / 2);
                assert!(!shown.contains(head) && !shown.contains(tail), "{status} {body:?}: {shown}");
            }
        }
    }
}

#[tokio::test]
async fn a_long_token_quoted_twice_shows_no_part_of_either_copy() {
    // Redacting the first copy shortens the text: the second copy, past a first cut, must not
    // slide into the shown part half redacted.
    let server = MockServer::start().await;
    let token = format!("tok-{}-END", "Z".repeat(700));
    let client = Client::builder()
        .base_url(server.url())
        .credentials(Credentials::token(token.as_str()))
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let body = format!("{token}{}{token}{}", "x".repeat(150), "y".repeat(300));
    server.script([Reply::json(400, body)]);
    let err = client.execute(&CreateKey { sensitive: false }).await.unwrap_err();
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains("ZZZZ") && !shown.contains("-END"), "{shown}");
    assert!(shown.contains("[redacted]"), "{shown}");
}
