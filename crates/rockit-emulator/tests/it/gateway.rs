//! What the vendor's gateway and firewall answer themselves, byte for byte [infra]: maintenance
//! mode, the total rate limit; and the application's own errors in the vendor's envelope.

use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::get;
use rockit_emulator::{ApiError, Caller, Fault, MAINTENANCE_PATH, MINT_TOKEN_PATH, Matcher, demo};
use rockit_test_support::vendor_errors;
use serde_json::{Value, json};

use crate::client::{Client, Outcome, Response};
use crate::{demo_builder, start_demo};

/// Asserts that `response` is the gateway's maintenance answer, status, headers and body.
#[track_caller]
fn assert_maintenance(response: &Response, what: &str) {
    assert_eq!(response.status, 503, "{what}");
    assert_eq!(response.header("content-type"), Some("application/json"), "{what}");
    assert_eq!(response.header("retry-after"), Some(vendor_errors::MAINTENANCE_RETRY_AFTER), "{what}");
    assert_eq!(String::from_utf8_lossy(&response.body), vendor_errors::MAINTENANCE, "{what}");
}

/// Asserts that `response` is the firewall's rate limit answer, status, headers and body.
#[track_caller]
fn assert_rate_limited(response: &Response) {
    assert_eq!(response.status, 429);
    assert_eq!(response.header("content-type"), Some("application/json"));
    assert_eq!(response.header("retry-after"), Some(vendor_errors::RATE_LIMITED_RETRY_AFTER));
    assert_eq!(String::from_utf8_lossy(&response.body), vendor_errors::RATE_LIMITED);
}

/// `POST /_emulator/maintenance` with `body`, without credentials.
async fn switch(emulator: &rockit_emulator::Emulator, body: &str) -> Response {
    Client::anonymous(emulator.addr()).send("POST", MAINTENANCE_PATH, body.as_bytes()).await.complete()
}

async fn list_apps(caller: Caller) -> Result<&'static str, ApiError> {
    caller.require("tasks.read")?;
    Ok(r#"{"status":"success","apps":[]}"#)
}

#[tokio::test]
async fn maintenance_answers_every_vendor_request_as_the_gateway_does() {
    let emulator = demo_builder()
        .mount(Router::new().route("/be/v1/apps", get(list_apps)))
        .maintenance(true)
        .start()
        .await
        .unwrap();
    assert!(emulator.maintenance());
    emulator.script(Matcher::any(), 1, Fault::Unavailable);
    let admin = Client::admin(&emulator);
    let anonymous = Client::anonymous(emulator.addr());
    let details = format!("/be/v1/tasks/{}", demo::STUCK_UPLOAD);
    let expire = json!({"name": demo::STUCK_UPLOAD, "expired": true}).to_string();
    // Before authentication, faults, routing and the firewall's rules; mounted routes included.
    for (client, method, path, body) in [
        (&admin, "GET", "/be/v1/tasks", ""),
        (&admin, "GET", details.as_str(), ""),
        (&admin, "PATCH", "/be/v1/tasks", expire.as_str()),
        (&admin, "GET", "/be/v1/apps", ""),
        (&anonymous, "GET", "/be/v1/tasks", ""),
        (&anonymous, "DELETE", "/be/v1/tasks", ""),
        (&anonymous, "PUT", "/be/v1/nowhere", ""),
    ] {
        let response = client.send(method, path, body.as_bytes()).await.complete();
        assert_maintenance(&response, &format!("{method} {path}"));
    }
    assert_eq!(emulator.task(demo::STUCK_UPLOAD).unwrap().expired, Some(false), "nothing applied");
    // Logged with their 503, none faulted: the scripted fault is still pending.
    let logged: Vec<_> =
        emulator.requests().iter().map(|request| (request.status, request.fault.clone())).collect();
    assert_eq!(logged, vec![(Some(503), None); 7]);

    // The emulator's own routes are not the vendor's: they keep working.
    assert_eq!(admin.send("POST", MINT_TOKEN_PATH, b"").await.complete().status, 503, "the pending fault");
    let minted = admin.send("POST", MINT_TOKEN_PATH, b"").await.complete();
    assert_eq!(minted.status, 200);
    assert_eq!(anonymous.get("/nowhere").await.status, 404, "not under /be/: the firewall's 404");

    // Off through the handle: served again; on again: the same answer.
    emulator.set_maintenance(false);
    assert!(!emulator.maintenance());
    assert_eq!(admin.get("/be/v1/tasks").await.status, 200);
    assert_eq!(admin.get("/be/v1/apps").await.status, 200);
    emulator.set_maintenance(true);
    assert_maintenance(&admin.get("/be/v1/tasks").await, "on again");
}

#[tokio::test]
async fn maintenance_switches_through_the_admin_route_without_credentials() {
    let emulator = start_demo().await;
    let admin = Client::admin(&emulator);
    let state = Client::anonymous(emulator.addr()).get(MAINTENANCE_PATH).await;
    assert_eq!(String::from_utf8(state.body).unwrap(), r#"{"status":"success","maintenance":false}"#);

    let on = switch(&emulator, r#"{"enabled": true}"#).await;
    assert_eq!((on.status, on.header("content-type")), (200, Some("application/json")));
    assert_eq!(String::from_utf8(on.body).unwrap(), r#"{"status":"success","maintenance":true}"#);
    assert!(emulator.maintenance());
    assert_maintenance(&admin.get("/be/v1/tasks").await, "switched on");
    // Switching is idempotent, and the state can be read while on.
    assert_eq!(
        switch(&emulator, r#"{"enabled": true}"#).await.json(),
        json!({"status": "success", "maintenance": true})
    );
    let state = Client::anonymous(emulator.addr()).get(MAINTENANCE_PATH).await;
    assert_eq!(state.json(), json!({"status": "success", "maintenance": true}));

    let off = switch(&emulator, r#"{"enabled": false, "reason": "ignored"}"#).await;
    assert_eq!(String::from_utf8(off.body).unwrap(), r#"{"status":"success","maintenance":false}"#);
    assert!(!emulator.maintenance());
    assert_eq!(admin.get("/be/v1/tasks").await.status, 200);

    // A bad body is refused in the vendor's envelope and changes nothing.
    let example = r#"send {"enabled": true} or {"enabled": false}"#;
    for (body, code, message) in [
        ("", "missing-param", format!("the request body is empty; {example}")),
        ("{}", "missing-param", format!("missing \"enabled\"; {example}")),
        (r#"{"enabled": null}"#, "missing-param", format!("missing \"enabled\"; {example}")),
        (
            r#"{"enabled": "yes"}"#,
            "invalid-body",
            format!("\"enabled\" must be true or false, not a JSON string; {example}"),
        ),
        ("[true]", "invalid-body", format!("the request body is a JSON array, not an object; {example}")),
    ] {
        let response = switch(&emulator, body).await;
        assert_eq!(response.status, 400, "{body}");
        assert_eq!(response.json(), json!({"status": "failed", "error": code, "message": message}), "{body}");
    }
    let junk = switch(&emulator, "on").await;
    assert_eq!(
        (junk.status, junk.json()["status"].clone(), junk.json()["error"].clone()),
        (400, json!("failed"), json!("invalid-body"))
    );
    assert!(!emulator.maintenance());
    // Other methods on the admin route are the firewall's 404.
    let wrong = Client::anonymous(emulator.addr()).send("DELETE", MAINTENANCE_PATH, b"").await.complete();
    assert_eq!(String::from_utf8(wrong.body).unwrap(), vendor_errors::NOT_FOUND);
}

#[tokio::test]
async fn the_total_rate_limit_answers_as_the_firewall_does() {
    const REQUESTS: u64 = 30;
    let emulator = demo_builder().rate_limit(Some(2)).start().await.unwrap();
    assert_eq!(emulator.rate_limit(), Some(2));
    let admin = Client::admin(&emulator);
    let started = Instant::now();
    let mut ok = 0_u64;
    let mut limited = 0_u64;
    for _ in 0..REQUESTS {
        let response = admin.get("/be/v1/tasks?limit=1").await;
        match response.status {
            200 => ok += 1,
            429 => {
                assert_rate_limited(&response);
                limited += 1;
            }
            other => panic!("unexpected status {other}"),
        }
    }
    let elapsed = started.elapsed();
    let elapsed = elapsed.as_secs() + u64::from(elapsed.subsec_nanos() > 0);
    assert!(limited > 0, "{ok} answered in {elapsed} s, none limited");
    assert!(ok <= 2 + 2 * elapsed + 2, "{ok} answered in {elapsed} s at 2/s");
    assert_eq!(ok + limited, REQUESTS);
    let counters = emulator.counters();
    assert_eq!((counters.status(200), counters.status(429), counters.faults), (ok, limited, 0));

    // Every client together, before authentication and the firewall's 404; the emulator's own routes
    // are not counted: 20 of them back to back at 1/s all pass.
    emulator.set_rate_limit(Some(1));
    let anonymous = Client::anonymous(emulator.addr());
    let mut seen = Vec::new();
    for path in ["/be/v1/tasks", "/be/v1/nowhere"].iter().cycle().take(20) {
        seen.push(anonymous.get(path).await.status);
    }
    assert!(seen.iter().all(|status| [401, 404, 429].contains(status)), "{seen:?}");
    assert!(seen.contains(&429), "{seen:?}");
    for _ in 0..20 {
        assert_eq!(anonymous.get(MAINTENANCE_PATH).await.status, 200);
    }

    // No limit any more.
    emulator.set_rate_limit(Some(0));
    assert_eq!(emulator.rate_limit(), None);
    for _ in 0..20 {
        assert_eq!(admin.get("/be/v1/tasks?limit=1").await.status, 200);
    }
}

#[tokio::test]
async fn maintenance_comes_before_the_rate_limit() {
    let emulator = demo_builder().rate_limit(Some(1)).maintenance(true).start().await.unwrap();
    let admin = Client::admin(&emulator);
    for _ in 0..10 {
        assert_maintenance(&admin.get("/be/v1/tasks").await, "in maintenance");
    }
    emulator.set_maintenance(false);
    // The maintenance answers took no tokens: the first request after it passes.
    assert_eq!(admin.get("/be/v1/tasks").await.status, 200);
}

#[tokio::test]
async fn injected_rate_limits_use_the_firewalls_body_and_outages_the_application_envelope() {
    let emulator = start_demo().await;
    emulator.script(Matcher::list_tasks(), 1, Fault::RateLimited { retry_after: Duration::from_secs(7) });
    emulator.script(Matcher::list_tasks(), 1, Fault::Unavailable);
    let admin = Client::admin(&emulator);
    let limited = admin.get("/be/v1/tasks").await;
    assert_eq!((limited.status, limited.header("retry-after")), (429, Some("7")));
    assert_eq!(String::from_utf8(limited.body).unwrap(), vendor_errors::RATE_LIMITED);
    let unavailable = admin.get("/be/v1/tasks").await;
    assert_eq!(unavailable.status, 503);
    assert_eq!(
        String::from_utf8(unavailable.body).unwrap(),
        r#"{"status":"failed","error":"unavailable","message":"the service is unavailable (injected fault); retry later"}"#
    );
}

#[tokio::test]
async fn application_errors_come_in_the_vendors_envelope() {
    let emulator = start_demo().await;
    let admin = Client::admin(&emulator);
    let missing = admin.get("/be/v1/tasks/exampleorg-sushi-0009-1-dltar").await;
    assert_eq!((missing.status, missing.header("content-type")), (404, Some("application/json")));
    assert_eq!(
        String::from_utf8(missing.body).unwrap(),
        r#"{"status":"failed","error":"not-found","message":"no task named \"exampleorg-sushi-0009-1-dltar\"; list tasks to see their names"}"#
    );

    // An expired token: the same fields as the vendor's `token-expired`, `status` and `error` first.
    emulator.add_token("short", demo::USER, ["tasks.read"], Some(Duration::from_secs(1)));
    emulator.advance(Duration::from_secs(2));
    let expired = Client::token(emulator.addr(), "short").get("/be/v1/tasks").await;
    assert_eq!(expired.status, 401);
    let ours: serde_json::Map<String, Value> = serde_json::from_slice(&expired.body).unwrap();
    let vendors: serde_json::Map<String, Value> = serde_json::from_str(vendor_errors::TOKEN_EXPIRED).unwrap();
    assert_eq!(ours.keys().collect::<Vec<_>>(), vendors.keys().collect::<Vec<_>>());
    assert_eq!((&ours["status"], &ours["error"]), (&vendors["status"], &vendors["error"]));
    assert!(
        String::from_utf8_lossy(&expired.body)
            .starts_with(r#"{"status":"failed","error":"token-expired","message":""#)
    );
}

#[tokio::test]
async fn a_head_request_in_maintenance_gets_the_head_of_the_answer() {
    let emulator = demo_builder().maintenance(true).start().await.unwrap();
    let Outcome::Truncated { head, body_received: 0, content_length } =
        Client::admin(&emulator).send("HEAD", "/be/v1/tasks", b"").await
    else {
        panic!("a HEAD answer has no body")
    };
    assert!(head.starts_with("HTTP/1.1 503 Service Unavailable\r\n"), "{head}");
    assert!(head.contains("\r\nretry-after: 900"), "{head}");
    assert_eq!(content_length, vendor_errors::MAINTENANCE.len());
}
