//! `GET /be/v1/apps` and `GET /be/v1/apps/{appName}`: query parameters exactly as encoded and
//! decoded, a GET's headers, retries of an idempotent call, and app names that try to break out of
//! their path segment.

use downstream::{App, AppList, GetApp, ListApps, PERMISSION_APPS_READ};
use rockit_emulator::{Fault, Matcher};
use rockit_model::{ApiStatus, Method, Order};
use rockit_transport::ErrorKind;

use crate::{Harness, headers, pairs};

fn app(name: &str, display: &str, build: u32) -> App {
    App { name: name.to_owned(), display_name: Some(display.to_owned()), latest_build: Some(build) }
}

#[tokio::test]
async fn list_apps_sends_its_query_exactly_and_decodes_the_envelope() {
    let harness = Harness::start().await;
    let request = ListApps::new()
        .name_contains("sushi")
        .offset(0)
        .limit(5)
        .order(Order::desc("latestBuild"))
        .order(Order::asc("name"));
    let page: AppList = harness.ops().execute(&request).await.unwrap();
    assert_eq!(page.status, ApiStatus::Success);
    assert_eq!(page.total_count, Some(2));
    assert_eq!(page.items, [app("sushi", "Sushi Go", 3), app("sushi & co", "Sushi & Co", 1)]);
    assert!(page.extra.is_empty());

    let seen = harness.only_request();
    assert_eq!(seen.method, "GET");
    assert_eq!(seen.raw_path, "/be/v1/apps");
    assert_eq!(
        seen.raw_query.as_deref(),
        Some("nameContains=sushi&offset=0&limit=5&order%5B%5D=-latestBuild&order%5B%5D=%2Bname")
    );
    let expected = pairs(&[
        ("nameContains", "sushi"),
        ("offset", "0"),
        ("limit", "5"),
        ("order[]", "-latestBuild"),
        ("order[]", "+name"),
    ]);
    // The emulator's log and the route's `decode_query_pairs` read the same pairs.
    assert_eq!(seen.query, expected);
    assert_eq!(harness.seen(|seen| seen.app_queries.clone()), [expected]);
    // No body: no `content-type`, no `content-length`.
    assert_eq!(
        headers(&seen),
        pairs(&[
            ("accept", "application/json"),
            ("host", "127.0.0.1"),
            ("user-agent", "rockit-rs"),
            ("x-rockit-api-key", "[redacted]"),
            ("x-rockit-orgname", "ExampleOrg"),
            ("x-rockit-username", "ops"),
        ])
    );
    assert!(seen.body.is_empty());
}

#[tokio::test]
async fn query_values_with_separators_arrive_unchanged() {
    let harness = Harness::start().await;
    for text in ["sushi & co", "a=b&c", "100%", "+plus", "é ?#", "order[]=-name"] {
        harness.ops().execute(&ListApps::new().name_contains(text)).await.unwrap();
        let seen = harness.only_request();
        assert_eq!(seen.query, pairs(&[("nameContains", text)]), "{:?}", seen.raw_query);
    }
    let page = harness.ops().execute(&ListApps::new().name_contains("sushi & co")).await.unwrap();
    assert_eq!(page.items, [app("sushi & co", "Sushi & Co", 1)]);
    assert_eq!(
        harness.seen(|seen| seen.app_queries.iter().map(|query| query[0].1.clone()).collect::<Vec<_>>()),
        ["sushi & co", "a=b&c", "100%", "+plus", "é ?#", "order[]=-name", "sushi & co"]
    );
}

#[tokio::test]
async fn an_unfiltered_list_sends_no_query_and_pages_from_the_server() {
    let harness = Harness::start().await;
    let page = harness.ops().execute(&ListApps::new()).await.unwrap();
    assert_eq!(page.total_count, Some(4));
    assert_eq!(
        page.items.iter().map(|app| app.name.as_str()).collect::<Vec<_>>(),
        ["gyoza", "sushi", "sushi & co", "udon"]
    );
    let seen = harness.only_request();
    assert_eq!((seen.raw_path.as_str(), seen.raw_query.as_deref()), ("/be/v1/apps", None));

    let second = harness.ops().execute(&ListApps::new().offset(3).limit(2)).await.unwrap();
    assert_eq!((second.total_count, second.items.len()), (Some(4), 1));
}

#[tokio::test]
async fn a_503_on_a_get_is_retried() {
    let harness = Harness::start().await;
    harness.emulator.script(Matcher::new(Method::Get, "/be/v1/apps"), 2, Fault::Unavailable);
    let page = harness.ops().execute(&ListApps::new().limit(1)).await.unwrap();
    assert_eq!(page.items, [app("gyoza", "Gyoza Rush", 7)]);
    let statuses: Vec<_> = harness.emulator.requests().iter().map(|request| request.status).collect();
    assert_eq!(statuses, [Some(503), Some(503), Some(200)]);
    assert_eq!(harness.seen(|seen| seen.app_queries.len()), 1, "the faults struck before the route");
}

#[tokio::test]
async fn a_missing_permission_is_named_by_the_server_and_by_the_endpoint() {
    let harness = Harness::start().await;
    let err = harness.admin().execute(&GetApp::new("sushi")).await.unwrap_err();
    assert_eq!(err.status(), Some(403));
    assert_eq!(err.permission(), Some(PERMISSION_APPS_READ));
    assert_eq!(
        err.to_string(),
        "GET /be/v1/apps/sushi: 403 forbidden: user \"adminPrincipal\" lacks the permission apps.read; \
         use credentials that have it (after 1 attempt)"
    );
}

#[tokio::test]
async fn get_app_reads_the_app_out_of_its_envelope() {
    let harness = Harness::start().await;
    assert_eq!(harness.ops().execute(&GetApp::new("udon")).await.unwrap(), app("udon", "Udon Run", 12));
    let err = harness.ops().execute(&GetApp::new("ramen")).await.unwrap_err();
    assert!(err.is_not_found());
    assert_eq!(
        err.to_string(),
        "GET /be/v1/apps/ramen: 404 not-found: no app named \"ramen\" (after 1 attempt)"
    );
}

#[tokio::test]
async fn hostile_app_names_stay_one_path_segment() {
    let harness = Harness::start().await;
    let hostile = [
        ("sushi & co", "/be/v1/apps/sushi%20%26%20co"),
        ("a/b", "/be/v1/apps/a%2Fb"),
        ("../tasks", "/be/v1/apps/..%2Ftasks"),
        ("..\\tasks", "/be/v1/apps/..%5Ctasks"),
        ("%2F", "/be/v1/apps/%252F"),
        ("x?y#z", "/be/v1/apps/x%3Fy%23z"),
        ("...", "/be/v1/apps/..."),
        (" ", "/be/v1/apps/%20"),
        ("tab\there", "/be/v1/apps/tab%09here"),
        ("é\u{202e}", "/be/v1/apps/%C3%A9%E2%80%AE"),
    ];
    for (name, raw_path) in hostile {
        let result = harness.ops().execute(&GetApp::new(name)).await;
        let seen = harness.only_request();
        assert_eq!(seen.raw_path, raw_path);
        assert_eq!(seen.segments, ["be", "v1", "apps", name]);
        if name == "sushi & co" {
            assert_eq!(result.unwrap(), app("sushi & co", "Sushi & Co", 1));
        } else {
            let err = result.unwrap_err();
            assert!(err.is_not_found(), "{name:?}: {err}");
            assert_eq!(err.path(), Some(format!("/be/v1/apps/{name}").as_str()));
        }
    }
    // The route read each name back as exactly what was sent.
    let names: Vec<_> = hostile.iter().map(|(name, _)| (*name).to_owned()).collect();
    assert_eq!(harness.seen(|seen| seen.app_names.clone()), names);

    // Names that cannot be one segment are refused before anything is sent.
    for name in ["", ".", ".."] {
        let err = harness.ops().execute(&GetApp::new(name)).await.unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::InvalidRequest { .. }), "{name:?}: {err:?}");
        assert_eq!(err.attempts(), 0);
        assert_eq!(err.permission(), Some("apps.read"));
    }
    assert!(harness.emulator.requests().is_empty());
}
