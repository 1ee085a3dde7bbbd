//! Authentication and permissions: 401 for missing or invalid credentials, `token-expired` on the
//! emulator's clock, 403 for a missing permission, and the seed's token-plus-key combination.

use std::time::Duration;

use rockit_emulator::{DEFAULT_TOKEN_TTL, Emulator, demo};
use rockit_test_support::vendor_errors;
use serde_json::json;

use crate::client::Client;
use crate::{demo_builder, start_demo};

/// The application's `401 unauthorized`, in the vendor's envelope.
fn unauthorized(message: &str) -> serde_json::Value {
    json!({"status": "failed", "error": "unauthorized", "message": message})
}

#[tokio::test]
async fn requests_without_credentials_get_401() {
    let emulator = start_demo().await;
    let anonymous = Client::anonymous(emulator.addr());
    let expected = unauthorized(
        "no credentials: send x-rockit-api-key with x-rockit-orgname and x-rockit-username, or x-rockit-beauth-token",
    );
    let details = format!("/be/v1/tasks/{}", demo::STUCK_UPLOAD);
    for path in ["/be/v1/tasks", "/be/v1/tasks?limit=0", details.as_str()] {
        let response = anonymous.get(path).await;
        assert_eq!(response.status, 401, "{path}");
        assert_eq!(response.json(), expected, "{path}");
    }
    // A route that does not exist is the firewall's 404, which comes before authentication.
    let nowhere = anonymous.get("/nowhere").await;
    assert_eq!((nowhere.status, nowhere.body.as_slice()), (404, vendor_errors::NOT_FOUND.as_bytes()));
    let patch = anonymous.patch(&json!({"name": demo::STUCK_UPLOAD, "expired": true}).to_string()).await;
    assert_eq!(patch.status, 401);
    assert_eq!(emulator.task(demo::STUCK_UPLOAD).unwrap().expired, Some(false));
    // Only the org and user names are no credential either.
    let names_only = Client::with_headers(
        emulator.addr(),
        &[("x-rockit-orgname", demo::ORG), ("x-rockit-username", demo::USER)],
    );
    assert_eq!(names_only.get("/be/v1/tasks").await.json(), expected);
}

#[tokio::test]
async fn api_keys_need_the_right_org_user_and_key() {
    let emulator = start_demo().await;
    let addr = emulator.addr();
    for org in ["ExampleOrg", "exampleorg", "EXAMPLEORG"] {
        assert_eq!(
            Client::api_key(addr, org, demo::USER, demo::API_KEY).get("/be/v1/tasks").await.status,
            200,
            "{org}"
        );
    }
    let cases = [
        (
            Client::api_key(addr, demo::ORG, demo::USER, "wrong"),
            "invalid API key for user \"adminPrincipal\" in x-rockit-api-key; check the key and the user name",
        ),
        (
            Client::api_key(addr, demo::ORG, "adminprincipal", demo::API_KEY),
            "invalid API key for user \"adminprincipal\" in x-rockit-api-key; check the key and the user name",
        ),
        (
            Client::api_key(addr, demo::ORG, demo::VIEWER_USER, demo::API_KEY),
            "invalid API key for user \"viewer\" in x-rockit-api-key; check the key and the user name",
        ),
        (
            Client::api_key(addr, "OtherOrg", demo::USER, demo::API_KEY),
            "unknown organization \"OtherOrg\" in x-rockit-orgname; this server hosts \"ExampleOrg\"",
        ),
        (
            Client::with_headers(addr, &[("x-rockit-api-key", demo::API_KEY)]),
            "x-rockit-api-key needs x-rockit-orgname and x-rockit-username as well",
        ),
        (
            Client::with_headers(
                addr,
                &[("x-rockit-orgname", demo::ORG), ("x-rockit-api-key", demo::API_KEY)],
            ),
            "x-rockit-api-key needs x-rockit-orgname and x-rockit-username as well",
        ),
    ];
    for (client, message) in cases {
        let response = client.get("/be/v1/tasks").await;
        assert_eq!(response.status, 401, "{message}");
        assert_eq!(response.json(), unauthorized(message));
    }
}

#[tokio::test]
async fn tokens_expire_on_the_emulator_clock() {
    let emulator = start_demo().await;
    let client = Client::token(emulator.addr(), demo::TOKEN);
    assert_eq!(client.get("/be/v1/tasks").await.status, 200);
    emulator.advance(DEFAULT_TOKEN_TTL.saturating_sub(Duration::from_secs(1)));
    assert_eq!(client.get("/be/v1/tasks").await.status, 200);
    emulator.advance(Duration::from_secs(1));
    let expired = client.get("/be/v1/tasks").await;
    assert_eq!(expired.status, 401);
    assert_eq!(
        expired.json(),
        json!({"status": "failed", "error": "token-expired", "message": "the backend auth token in x-rockit-beauth-token has expired; log in again for a new one"})
    );
    // The API key still works, and a freshly issued token does too, for a full lifetime.
    assert_eq!(Client::admin(&emulator).get("/be/v1/tasks").await.status, 200);
    let fresh = emulator.issue_token(demo::USER, ["tasks.read", "tasks.update"]);
    assert_ne!(fresh, demo::TOKEN);
    let refreshed = Client::token(emulator.addr(), &fresh);
    assert_eq!(refreshed.get("/be/v1/tasks").await.status, 200);
    emulator.advance(DEFAULT_TOKEN_TTL.saturating_sub(Duration::from_secs(1)));
    assert_eq!(refreshed.get("/be/v1/tasks").await.status, 200);
    emulator.advance(Duration::from_secs(1));
    assert_eq!(refreshed.get("/be/v1/tasks").await.json()["error"], json!("token-expired"));
}

#[tokio::test]
async fn token_lifetime_is_configurable_and_tokens_revocable() {
    let emulator = demo_builder().token_ttl(None).start().await.unwrap();
    let client = Client::token(emulator.addr(), demo::TOKEN);
    emulator.advance(Duration::from_secs(365 * 24 * 3600));
    assert_eq!(client.get("/be/v1/tasks").await.status, 200);
    emulator.add_token("short", demo::USER, ["tasks.read"], Some(Duration::from_secs(10)));
    let short = Client::token(emulator.addr(), "short");
    assert_eq!(short.get("/be/v1/tasks").await.status, 200);
    emulator.advance(Duration::from_secs(10));
    assert_eq!(short.get("/be/v1/tasks").await.json()["error"], json!("token-expired"));
    assert!(emulator.revoke_token(demo::TOKEN));
    assert_eq!(
        client.get("/be/v1/tasks").await.json(),
        unauthorized("the backend auth token in x-rockit-beauth-token is not valid; log in again")
    );
}

#[tokio::test]
async fn tokens_work_with_or_without_the_org_and_user_headers() {
    let emulator = start_demo().await;
    let addr = emulator.addr();
    let with_org = Client::with_headers(
        addr,
        &[("x-rockit-beauth-token", demo::TOKEN), ("x-rockit-orgname", "exampleorg")],
    );
    assert_eq!(with_org.get("/be/v1/tasks").await.status, 200);
    let with_user = Client::with_headers(
        addr,
        &[("x-rockit-beauth-token", demo::TOKEN), ("x-rockit-username", demo::USER)],
    );
    assert_eq!(with_user.get("/be/v1/tasks").await.status, 200);
    let other_user = Client::with_headers(
        addr,
        &[("x-rockit-beauth-token", demo::TOKEN), ("x-rockit-username", "viewer")],
    );
    assert_eq!(
        other_user.get("/be/v1/tasks").await.json(),
        unauthorized("the backend auth token does not belong to x-rockit-username \"viewer\"")
    );
    let other_org =
        Client::with_headers(addr, &[("x-rockit-beauth-token", demo::TOKEN), ("x-rockit-orgname", "acme")]);
    assert_eq!(other_org.get("/be/v1/tasks").await.status, 401);
}

#[tokio::test]
async fn token_and_api_key_together_must_both_be_valid() {
    let emulator = start_demo().await;
    let addr = emulator.addr();
    let both = |token: &str, user: &str, key: &str| {
        Client::with_headers(
            addr,
            &[
                ("x-rockit-beauth-token", token),
                ("x-rockit-orgname", demo::ORG),
                ("x-rockit-username", user),
                ("x-rockit-api-key", key),
            ],
        )
    };
    assert_eq!(both(demo::TOKEN, demo::USER, demo::API_KEY).get("/be/v1/tasks").await.status, 200);
    assert_eq!(
        both("eyjhvcIhvds;huVODV...", demo::USER, demo::API_KEY).get("/be/v1/tasks").await.status,
        401
    );
    assert_eq!(
        both(demo::TOKEN, demo::USER, "{{_adminPrincipal_apiKey}}").get("/be/v1/tasks").await.status,
        401
    );
    let viewer_token = emulator.issue_token(demo::VIEWER_USER, ["tasks.read"]);
    let mixed = both(&viewer_token, demo::USER, demo::API_KEY).get("/be/v1/tasks").await;
    assert_eq!(
        mixed.json(),
        unauthorized("the backend auth token does not belong to x-rockit-username \"adminPrincipal\"")
    );
    let mixed = both(&viewer_token, demo::VIEWER_USER, demo::VIEWER_API_KEY).get("/be/v1/tasks").await;
    assert_eq!(mixed.status, 200);

    emulator.advance(DEFAULT_TOKEN_TTL);
    let expired = both(demo::TOKEN, demo::USER, demo::API_KEY).get("/be/v1/tasks").await;
    assert_eq!(expired.json()["error"], json!("token-expired"));
}

#[tokio::test]
async fn together_the_credentials_carry_only_the_permissions_both_have() {
    let emulator = start_demo().await;
    let read_only = emulator.issue_token(demo::USER, ["tasks.read"]);
    let client = Client::with_headers(
        emulator.addr(),
        &[
            ("x-rockit-beauth-token", &read_only),
            ("x-rockit-orgname", demo::ORG),
            ("x-rockit-username", demo::USER),
            ("x-rockit-api-key", demo::API_KEY),
        ],
    );
    assert_eq!(client.get("/be/v1/tasks").await.status, 200);
    let patch = client.patch(&json!({"name": demo::STUCK_UPLOAD, "expired": true}).to_string()).await;
    assert_eq!(patch.status, 403);
}

#[tokio::test]
async fn missing_permissions_get_403_before_any_other_check() {
    let emulator = start_demo().await;
    let viewer = Client::viewer(&emulator);
    assert_eq!(viewer.get("/be/v1/tasks").await.status, 200);
    assert_eq!(viewer.get(&format!("/be/v1/tasks/{}", demo::STUCK_UPLOAD)).await.status, 200);
    let forbidden = json!({
        "status": "failed", "error": "forbidden",
        "message": "user \"viewer\" lacks the permission tasks.update; use credentials that have it"
    });
    for body in
        [json!({"name": demo::STUCK_UPLOAD, "expired": true}).to_string(), "{".to_owned(), String::new()]
    {
        let response = viewer.patch(&body).await;
        assert_eq!(response.status, 403, "{body}");
        assert_eq!(response.json(), forbidden);
    }
    assert_eq!(emulator.task(demo::STUCK_UPLOAD).unwrap().status.as_str(), "pending");

    let no_read = emulator.issue_token("writer", ["tasks.update"]);
    let writer = Client::token(emulator.addr(), &no_read);
    let response = writer.get("/be/v1/tasks?limit=0").await;
    assert_eq!(response.status, 403);
    assert_eq!(
        response.json(),
        json!({"status": "failed", "error": "forbidden", "message": "user \"writer\" lacks the permission tasks.read; use credentials that have it"})
    );
}

#[tokio::test]
async fn configured_credentials_replace_the_demo_ones_unless_asked_for() {
    let custom = Emulator::builder()
        .org("Acme")
        .api_key("ci-bot", "s3cret", ["tasks.read"])
        .token("tok", "ci-bot", ["tasks.read", "tasks.update"])
        .start()
        .await
        .unwrap();
    assert_eq!(
        Client::api_key(custom.addr(), "acme", "ci-bot", "s3cret").get("/be/v1/tasks").await.status,
        200
    );
    assert_eq!(Client::token(custom.addr(), "tok").get("/be/v1/tasks").await.status, 200);
    assert_eq!(
        Client::api_key(custom.addr(), "Acme", demo::USER, demo::API_KEY).get("/be/v1/tasks").await.status,
        401
    );
    assert_eq!(Client::token(custom.addr(), demo::TOKEN).get("/be/v1/tasks").await.status, 401);
    assert_eq!(custom.org(), "Acme");

    // Either kind of credential alone replaces the demo ones as well.
    let key_only = Emulator::builder().api_key("ci-bot", "s3cret", ["tasks.read"]).start().await.unwrap();
    assert_eq!(Client::admin(&key_only).get("/be/v1/tasks").await.status, 401);
    let token_only = Emulator::builder().token("tok", "ci-bot", ["tasks.read"]).start().await.unwrap();
    assert_eq!(Client::admin(&token_only).get("/be/v1/tasks").await.status, 401);
    assert_eq!(Client::token(token_only.addr(), "tok").get("/be/v1/tasks").await.status, 200);

    let both = Emulator::builder()
        .api_key("ci-bot", "s3cret", ["tasks.read"])
        .demo_credentials()
        .start()
        .await
        .unwrap();
    assert_eq!(Client::admin(&both).get("/be/v1/tasks").await.status, 200);
    assert_eq!(
        Client::api_key(both.addr(), demo::ORG, "ci-bot", "s3cret").get("/be/v1/tasks").await.status,
        200
    );

    both.add_api_key("late", "k2", ["tasks.read"]);
    assert_eq!(Client::api_key(both.addr(), demo::ORG, "late", "k2").get("/be/v1/tasks").await.status, 200);
}
