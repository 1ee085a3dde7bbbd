//! `rockit tasks list`: the table with its markers and footer, `--all`, the filters as the server
//! receives them, and the JSON envelope.

use axum::Router;
use axum::extract::RawQuery;
use axum::http::StatusCode;
use axum::routing::get;
use rockit_emulator::demo;
use serde_json::json;

use crate::{admin, rockit, scrub, start_demo};

#[tokio::test]
async fn first_page_as_a_table_with_warning_markers() {
    let emulator = start_demo().await;
    let url = emulator.base_url();
    let run = rockit(&admin(&url, &["tasks", "list"])).await.expect(0);
    assert_eq!(run.stderr, "");
    insta::assert_snapshot!("list_first_page", run.stdout);

    // One listing, and one query per marker kind with the same filters (none here).
    let seen = emulator.requests();
    assert_eq!(seen.len(), 3, "{seen:#?}");
    let mut queries: Vec<String> = seen.iter().map(|r| r.raw_query.clone().unwrap_or_default()).collect();
    queries.sort();
    assert_eq!(
        queries,
        ["", "offset=0&limit=100&acknowledged=false", "offset=0&limit=100&acknowledged=true"]
    );
}

#[tokio::test]
async fn acknowledged_warnings_are_marked_ack() {
    let emulator = start_demo().await;
    emulator.update(demo::WARNED_PUBLISH, |task| task.acknowledged = Some(true)).unwrap();
    let url = emulator.base_url();
    let run = rockit(&admin(&url, &["tasks", "list", "--offset", "5"])).await.expect(0);
    let flags: Vec<(&str, &str)> = run
        .stdout
        .lines()
        .skip(1)
        .filter_map(|line| line.split_once(' ').map(|(name, rest)| (name, rest.trim_end())))
        .filter(|(_, rest)| rest.ends_with('!') || rest.ends_with("ack"))
        .map(|(name, rest)| (name, rest.rsplit(' ').next().unwrap()))
        .collect();
    assert_eq!(flags, [(demo::STUCK_UPLOAD, "!"), (demo::WARNED_PUBLISH, "ack")]);
    assert!(run.stdout.ends_with("\n8 of 13 tasks\n"), "{}", run.stdout);
}

#[tokio::test]
async fn all_streams_every_page() {
    let emulator = start_demo().await;
    let url = emulator.base_url();
    let run = rockit(&admin(&url, &["tasks", "list", "--all", "--limit", "5"])).await.expect(0);
    assert_eq!(run.stderr, "");
    insta::assert_snapshot!("list_all", run.stdout);
    let pages =
        emulator.requests().iter().filter(|r| r.query_values("acknowledged").next().is_none()).count();
    assert!(pages >= 3, "13 tasks in pages of 5 take at least 3 requests, saw {pages}");
}

#[tokio::test]
async fn filters_sort_and_position_reach_the_server() {
    let emulator = start_demo().await;
    let url = emulator.base_url();
    let args = [
        "tasks",
        "list",
        "--app",
        "sushi",
        "--status",
        "pending",
        "--kind",
        "dltar",
        "--group",
        "upload",
        "--build",
        "2",
        "--since",
        "2024-12-01",
        "--until",
        "1733200000",
        "--sort",
        "-created",
        "--sort",
        "kind",
        "--limit",
        "5",
        "--offset",
        "0",
        "--param",
        "note=x y",
    ];
    let run = rockit(&admin(&url, &args)).await.expect(0);
    assert_eq!(
        scrub(&run.stdout),
        "\
NAME                                    APP    BUILD  KIND   SERVICE  STATUS   CREATED           FLAGS
exampleorg-sushi-0002-1733149403-dltar  sushi  0002   dltar  engine   pending  2024-12-02 14:23  !
1 of 1 task
"
    );
    let seen = emulator.requests();
    let listing = seen.iter().find(|r| r.query_values("acknowledged").next().is_none()).unwrap();
    let query: Vec<(&str, &str)> = listing.query.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(
        query,
        [
            ("offset", "0"),
            ("limit", "5"),
            ("appName", "sushi"),
            ("status", "pending"),
            ("type", "dltar"),
            ("group", "upload"),
            ("createdAfter", "1733011200"),
            ("createdBefore", "1733200000"),
            ("build", "2"),
            ("order[]", "-created"),
            ("order[]", "+type"),
            ("note", "x y"),
        ]
    );
    // The marker queries share the typed filters, not the position, order or raw parameters.
    let marker = seen.iter().find(|r| r.query_values("acknowledged").any(|v| v == "false")).unwrap();
    assert_eq!(
        marker.raw_query.as_deref(),
        Some(
            "offset=0&limit=100&appName=sushi&status=pending&type=dltar&group=upload&createdAfter=1733011200\
             &createdBefore=1733200000&acknowledged=false&build=2"
        )
    );
}

#[tokio::test]
async fn json_is_the_api_envelope_with_the_page_position() {
    let emulator = start_demo().await;
    let url = emulator.base_url();
    let run = rockit(&admin(&url, &["tasks", "list", "--output", "json", "--limit", "3", "--offset", "4"]))
        .await
        .expect(0);
    assert_eq!(run.stderr, "");
    let document = run.json();
    assert_eq!(document["status"], json!("success"));
    assert_eq!(document["totalCount"], json!(13));
    assert_eq!(document["offset"], json!(4));
    assert_eq!(document["limit"], json!(3));
    let tasks = document["tasks"].as_array().unwrap();
    assert_eq!(tasks.len(), 3);
    assert_eq!(
        tasks[1],
        json!({"name": demo::STUCK_UPLOAD, "service": "engine", "status": "pending"}),
        "field names and values as the API sends them"
    );
    let names: Vec<&str> = tasks.iter().map(|task| task["name"].as_str().unwrap()).collect();
    let expected: Vec<String> = emulator.tasks().iter().skip(4).take(3).map(|t| t.name.to_string()).collect();
    assert_eq!(names, expected);
    assert_eq!(emulator.requests().len(), 1, "JSON needs no marker queries");
}

#[tokio::test]
async fn json_with_all_has_no_page_position() {
    let emulator = start_demo().await;
    let url = emulator.base_url();
    let run =
        rockit(&admin(&url, &["tasks", "list", "--all", "-o", "json", "--status", "done"])).await.expect(0);
    let document = run.json();
    let keys: Vec<&str> = document.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["status", "tasks", "totalCount"]);
    assert_eq!(document["totalCount"], json!(10));
    let tasks = document["tasks"].as_array().unwrap();
    assert_eq!(tasks.len(), 10);
    assert!(tasks.iter().all(|task| task["status"] == json!("done")));
}

#[tokio::test]
async fn an_empty_listing_prints_only_the_footer() {
    let emulator = start_demo().await;
    let url = emulator.base_url();
    let run = rockit(&admin(&url, &["tasks", "list", "--app", "nothing-like-this"])).await.expect(0);
    assert_eq!(run.stdout, "0 of 0 tasks\n");
}

/// A server that lists the seed's page but fails every marker query (`acknowledged=…`).
async fn server_without_marker_support() -> String {
    async fn list(RawQuery(query): RawQuery) -> (StatusCode, String) {
        if query.unwrap_or_default().contains("acknowledged") {
            let body = json!({"status": "invalid-param", "message": "unknown parameter acknowledged"});
            (StatusCode::BAD_REQUEST, body.to_string())
        } else {
            (StatusCode::OK, rockit_test_support::seed::response_body().to_owned())
        }
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, Router::new().route("/be/v1/tasks", get(list))).await });
    url
}

/// Every row's FLAGS cell reads `?`: the marks are not known, and the table says so.
fn assert_flags_unknown(stdout: &str) {
    assert!(stdout.ends_with("10 of 13 tasks\n"), "{stdout}");
    let rows: Vec<&str> = stdout.lines().skip(1).take(10).collect();
    assert!(rows.iter().all(|row| row.ends_with("  ?")), "every FLAGS cell is `?`: {stdout}");
}

#[tokio::test]
async fn failing_marker_queries_leave_the_flags_unknown_and_say_why_under_v() {
    let url = server_without_marker_support().await;
    let run = rockit(&admin(&url, &["tasks", "list"])).await.expect(0);
    assert_flags_unknown(&run.stdout);
    assert_eq!(run.stderr, "", "no note on every call");
    let run = rockit(&admin(&url, &["-v", "tasks", "list"])).await.expect(0);
    assert_flags_unknown(&run.stdout);
    let why: Vec<&str> = run.stderr.lines().filter(|line| line.contains("no warning markers")).collect();
    assert_eq!(why.len(), 1, "said once: {}", run.stderr);
    assert!(
        why[0].ends_with(
            "no warning markers: list tasks: GET /be/v1/tasks: 400 invalid-param: unknown parameter acknowledged (after 1 attempt)"
        ),
        "{}",
        run.stderr
    );
}

/// A server that ignores every parameter: each query gets the seed's page (13 tasks in all).
async fn server_ignoring_filters() -> String {
    async fn list() -> String {
        rockit_test_support::seed::response_body().to_owned()
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, Router::new().route("/be/v1/tasks", get(list))).await });
    url
}

#[tokio::test]
async fn an_ignored_acknowledged_filter_leaves_the_flags_unknown() {
    let url = server_ignoring_filters().await;
    let run = rockit(&admin(&url, &["tasks", "list"])).await.expect(0);
    assert_flags_unknown(&run.stdout);
    assert_eq!(run.stderr, "", "no note on every call");
    let run = rockit(&admin(&url, &["-v", "tasks", "list"])).await.expect(0);
    let why: Vec<&str> = run.stderr.lines().filter(|line| line.contains("no warning markers")).collect();
    assert_eq!(why.len(), 1, "said once: {}", run.stderr);
    assert!(
        why[0].ends_with("no warning markers: the server ignores the acknowledged filter"),
        "{}",
        run.stderr
    );

    // Without markers there is no FLAGS column and no marker query at all.
    let run = rockit(&admin(&url, &["tasks", "list", "--no-markers"])).await.expect(0);
    assert!(run.stdout.lines().next().unwrap().ends_with("CREATED"), "{}", run.stdout);
}

/// A server whose marker queries (`acknowledged=…`) match 600 tasks, counting the queries.
async fn server_with_many_warnings() -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    let markers = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&markers);
    let list = move |RawQuery(query): RawQuery| {
        let counted = Arc::clone(&counted);
        async move {
            let mut body: serde_json::Value =
                serde_json::from_str(rockit_test_support::seed::response_body()).unwrap();
            if query.unwrap_or_default().contains("acknowledged") {
                counted.fetch_add(1, Ordering::SeqCst);
                body["totalCount"] = json!(600);
            }
            body.to_string()
        }
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, Router::new().route("/be/v1/tasks", get(list))).await });
    (url, markers)
}

#[tokio::test]
async fn too_many_warnings_leave_the_flags_unknown_after_one_page() {
    let (url, markers) = server_with_many_warnings().await;
    let run = rockit(&admin(&url, &["-v", "tasks", "list"])).await.expect(0);
    assert_flags_unknown(&run.stdout);
    assert!(run.stderr.contains("no warning markers: more than 500 tasks have warnings"), "{}", run.stderr);
    assert_eq!(markers.load(std::sync::atomic::Ordering::SeqCst), 2, "one page per marker kind");
    let run = rockit(&admin(&url, &["tasks", "list", "--no-markers"])).await.expect(0);
    assert!(run.stdout.ends_with("10 of 13 tasks\n"), "{}", run.stdout);
    assert_eq!(markers.load(std::sync::atomic::Ordering::SeqCst), 2, "--no-markers sends no marker query");
}
