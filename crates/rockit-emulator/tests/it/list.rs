//! `GET /be/v1/tasks`: filters, pagination, sorting and invalid parameters.

use rockit_emulator::{Task, demo};
use rockit_model::{Service, TaskStatus};
use serde_json::json;

use crate::client::Client;
use crate::start_demo;

/// The demo fixture's task names, in name order (index 0 is the first).
const DEMO: [&str; 13] = [
    "exampleorg-sushi-0001-1732886919-dltar",
    "exampleorg-sushi-0001-1732887061-mkraw",
    "exampleorg-sushi-0001-1732887229-mkdxf",
    "exampleorg-sushi-0001-1732887357-publish",
    "exampleorg-sushi-0001-1732887364-deploy",
    "exampleorg-sushi-0002-1733149403-dltar",
    "exampleorg-sushi-0002-1733154780-dltar",
    "exampleorg-sushi-0002-1733154909-mkraw",
    "exampleorg-sushi-0002-1733155066-mkpat",
    "exampleorg-sushi-0002-1733155262-mkdxf",
    "exampleorg-sushi-0002-1733155401-publish",
    "exampleorg-sushi-0003-1733240117-dltar",
    "exampleorg-sushi-0003-1733241020-dltar",
];

fn demo(indices: &[usize]) -> Vec<String> {
    indices.iter().map(|&index| DEMO[index].to_owned()).collect()
}

/// Lists with `query` (all matches on one page) and returns `(totalCount, names)`.
async fn list(client: &Client, query: &str) -> (u64, Vec<String>) {
    let response = client.get(&format!("/be/v1/tasks?limit=1000&{query}")).await;
    assert_eq!(response.status, 200, "{query}: {}", String::from_utf8_lossy(&response.body));
    (response.json()["totalCount"].as_u64().unwrap(), response.names())
}

#[tokio::test]
async fn default_page_is_ten_by_name_with_the_full_count() {
    let emulator = start_demo().await;
    let response = Client::admin(&emulator).get("/be/v1/tasks").await;
    assert_eq!(response.json()["totalCount"], json!(13));
    assert_eq!(response.names(), demo(&[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
    assert_eq!(
        response.json()["tasks"][5],
        json!({"name": demo::STUCK_UPLOAD, "service": "engine", "status": "pending"})
    );
}

#[tokio::test]
async fn status_filter_matches_exactly() {
    let emulator = start_demo().await;
    let client = Client::admin(&emulator);
    assert_eq!(list(&client, "status=pending").await, (1, demo(&[5])));
    assert_eq!(list(&client, "status=failed").await, (1, demo(&[11])));
    assert_eq!(list(&client, "status=running").await, (1, demo(&[12])));
    assert_eq!(list(&client, "status=done").await, (10, demo(&[0, 1, 2, 3, 4, 6, 7, 8, 9, 10])));
    assert_eq!(list(&client, "status=DONE").await, (0, vec![]));
    assert_eq!(list(&client, "status=queued").await, (0, vec![]));
    assert_eq!(list(&client, "status=").await.0, 13, "an empty filter is no filter");
}

#[tokio::test]
async fn type_and_group_filters_use_the_kind_in_the_name() {
    let emulator = start_demo().await;
    let client = Client::admin(&emulator);
    assert_eq!(list(&client, "type=dltar").await, (5, demo(&[0, 5, 6, 11, 12])));
    assert_eq!(list(&client, "type=mkpat").await, (1, demo(&[8])));
    assert_eq!(list(&client, "type=render").await, (0, vec![]));
    assert_eq!(list(&client, "group=upload").await, (5, demo(&[0, 5, 6, 11, 12])));
    assert_eq!(list(&client, "group=build").await, (5, demo(&[1, 2, 7, 8, 9])));
    assert_eq!(list(&client, "group=release").await, (3, demo(&[3, 4, 10])));
}

#[tokio::test]
async fn app_name_is_a_case_insensitive_partial_match_on_the_app_part() {
    let emulator = start_demo().await;
    let ramen = "exampleorg-ramen-0001-1733000000-dltar";
    emulator.insert(Task::new(ramen.parse().unwrap(), Service::Engine, TaskStatus::Done));
    emulator.insert(Task::new("not-conventional".parse().unwrap(), Service::Engine, TaskStatus::Done));
    let client = Client::admin(&emulator);
    assert_eq!(list(&client, "appName=sushi").await.0, 13);
    assert_eq!(list(&client, "appName=USH").await.0, 13);
    assert_eq!(list(&client, "appName=ram").await, (1, vec![ramen.to_owned()]));
    assert_eq!(list(&client, "appName=exampleorg").await.0, 0, "the org is not part of the app name");
    assert_eq!(list(&client, "appName=conventional").await.0, 0);
    assert_eq!(list(&client, "appName=").await.0, 15);
}

#[tokio::test]
async fn build_filter_uses_the_build_number_in_the_name() {
    let emulator = start_demo().await;
    let client = Client::admin(&emulator);
    assert_eq!(list(&client, "build=1").await, (5, demo(&[0, 1, 2, 3, 4])));
    assert_eq!(list(&client, "build=0002").await, (6, demo(&[5, 6, 7, 8, 9, 10])));
    assert_eq!(list(&client, "build=3&type=dltar&status=running").await, (1, demo(&[12])));
    assert_eq!(list(&client, "build=4").await, (0, vec![]));
}

#[tokio::test]
async fn creation_time_filters_are_inclusive_after_and_exclusive_before() {
    let emulator = start_demo().await;
    let client = Client::admin(&emulator);
    assert_eq!(list(&client, "createdAfter=1733149403").await, (8, demo(&[5, 6, 7, 8, 9, 10, 11, 12])));
    assert_eq!(list(&client, "createdBefore=1733149403").await, (5, demo(&[0, 1, 2, 3, 4])));
    assert_eq!(
        list(&client, "createdAfter=1733154780&createdBefore=1733155262").await,
        (3, demo(&[6, 7, 8]))
    );
    assert_eq!(list(&client, "createdAfter=1733155262&createdBefore=1733154780").await, (0, vec![]));
}

#[tokio::test]
async fn acknowledged_filter_keeps_tasks_with_a_matching_warning() {
    let emulator = start_demo().await;
    let client = Client::admin(&emulator);
    assert_eq!(list(&client, "acknowledged=false").await, (2, demo(&[5, 10])));
    assert_eq!(list(&client, "acknowledged=true").await, (0, vec![]));
    let patched =
        client.patch(&json!({"name": demo::WARNED_PUBLISH, "acknowledged": true}).to_string()).await;
    assert_eq!(patched.status, 200);
    assert_eq!(list(&client, "acknowledged=true").await, (1, demo(&[10])));
    assert_eq!(list(&client, "acknowledged=false").await, (1, demo(&[5])));
}

#[tokio::test]
async fn filters_combine() {
    let emulator = start_demo().await;
    let client = Client::admin(&emulator);
    assert_eq!(list(&client, "type=dltar&status=done").await, (2, demo(&[0, 6])));
    assert_eq!(list(&client, "group=build&createdAfter=1733000000&appName=sus").await, (3, demo(&[7, 8, 9])));
}

#[tokio::test]
async fn pages_cover_every_match_once_with_a_stable_count() {
    let emulator = start_demo().await;
    let client = Client::admin(&emulator);
    let mut seen = Vec::new();
    for offset in (0..13).step_by(4) {
        let page = client.get(&format!("/be/v1/tasks?offset={offset}&limit=4")).await;
        assert_eq!(page.json()["totalCount"], json!(13), "offset {offset}");
        seen.extend(page.names());
    }
    assert_eq!(seen, DEMO);
    let filtered = client.get("/be/v1/tasks?status=done&limit=3&offset=9").await.json();
    assert_eq!(
        filtered,
        json!({"status": "success", "totalCount": 10, "tasks": [
            {"name": DEMO[10], "service": "engine", "status": "done"}
        ]})
    );
}

#[tokio::test]
async fn offsets_past_the_end_give_an_empty_page() {
    let emulator = start_demo().await;
    let client = Client::admin(&emulator);
    for offset in ["13", "14", "1000000", "18446744073709551615"] {
        let page = client.get(&format!("/be/v1/tasks?offset={offset}")).await;
        assert_eq!(page.status, 200);
        assert_eq!(
            page.json(),
            json!({"status": "success", "totalCount": 13, "tasks": []}),
            "offset {offset}"
        );
    }
    assert_eq!(client.get("/be/v1/tasks?offset=12").await.names(), demo(&[12]));
}

#[tokio::test]
async fn limit_bounds() {
    let emulator = start_demo().await;
    let client = Client::admin(&emulator);
    assert_eq!(client.get("/be/v1/tasks?limit=1").await.names(), demo(&[0]));
    assert_eq!(client.get("/be/v1/tasks?limit=1000").await.names().len(), 13);
    let over = client.get("/be/v1/tasks?limit=1001").await;
    assert_eq!(over.status, 400);
    assert_eq!(
        over.json(),
        json!({"status": "failed", "error": "invalid-param", "message": "invalid limit \"1001\": the maximum is 1000; page with offset to see more"})
    );
}

#[tokio::test]
async fn sorting_by_each_field_with_ties_by_name() {
    let emulator = start_demo().await;
    let client = Client::admin(&emulator);
    let mut reversed = DEMO.map(str::to_owned).to_vec();
    reversed.reverse();
    assert_eq!(list(&client, "order[]=-name").await.1, reversed);
    assert_eq!(list(&client, "order[]=%2Bname").await.1, DEMO);
    assert_eq!(list(&client, "order=name").await.1, DEMO);
    assert_eq!(list(&client, "order[]=status").await.1, demo(&[0, 1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 5, 12]));
    assert_eq!(list(&client, "order[]=-status").await.1, demo(&[12, 5, 11, 0, 1, 2, 3, 4, 6, 7, 8, 9, 10]));
    assert_eq!(list(&client, "order[]=service").await.1, demo(&[4, 0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12]));
    assert_eq!(
        list(&client, "order%5B%5D=type&order%5B%5D=-created").await.1,
        demo(&[4, 12, 11, 6, 5, 0, 9, 2, 8, 7, 1, 10, 3])
    );
    // An unencoded `+` decodes to a space, which still means ascending.
    assert_eq!(
        list(&client, "order[]=+type&order[]=-name").await.1,
        demo(&[4, 12, 11, 6, 5, 0, 9, 2, 8, 7, 1, 10, 3])
    );
    assert_eq!(list(&client, "order[]=-created").await.1, reversed);
    assert_eq!(list(&client, "order[]=service&order[]=-name&limit=2").await.1, demo(&[4, 12]));
}

#[tokio::test]
async fn sorted_pages_keep_their_order_across_offsets() {
    let emulator = start_demo().await;
    let client = Client::admin(&emulator);
    let whole = list(&client, "order[]=status").await.1;
    let mut paged = Vec::new();
    for offset in (0..13).step_by(5) {
        paged.extend(
            client.get(&format!("/be/v1/tasks?order[]=status&limit=5&offset={offset}")).await.names(),
        );
    }
    assert_eq!(paged, whole);
}

#[tokio::test]
async fn unknown_parameters_are_ignored() {
    let emulator = start_demo().await;
    let client = Client::admin(&emulator);
    let plain = client.get("/be/v1/tasks").await.json();
    assert_eq!(client.get("/be/v1/tasks?foo=bar&sort=-name&page=3&appname=zzz").await.json(), plain);
}

#[tokio::test]
async fn invalid_values_get_400_naming_the_parameter() {
    let emulator = start_demo().await;
    let client = Client::admin(&emulator);
    let cases = [
        ("offset=-1", "invalid offset \"-1\": expected a whole number from 0 to 18446744073709551615"),
        ("offset=1.5", "invalid offset \"1.5\": expected a whole number from 0 to 18446744073709551615"),
        (
            "offset=18446744073709551616",
            "invalid offset \"18446744073709551616\": expected a whole number from 0 to 18446744073709551615",
        ),
        ("limit=0", "invalid limit \"0\": expected a whole number from 1 to 1000"),
        ("limit=ten", "invalid limit \"ten\": expected a whole number from 1 to 1000"),
        ("limit=-5", "invalid limit \"-5\": expected a whole number from 1 to 1000"),
        ("limit=", "invalid limit \"\": expected a whole number from 1 to 1000"),
        (
            "limit=99999999999999999999",
            "invalid limit \"99999999999999999999\": expected a whole number from 1 to 1000",
        ),
        (
            "order[]=size",
            "unknown sort field \"size\" in order[]: expected name, status, service, type or created, optionally prefixed with + or -",
        ),
        (
            "order[]=",
            "unknown sort field \"\" in order[]: expected name, status, service, type or created, optionally prefixed with + or -",
        ),
        ("group=deploy", "unknown group \"deploy\": expected one of upload, build, release"),
        ("acknowledged=1", "invalid acknowledged \"1\": expected true or false"),
        (
            "build=two",
            "invalid build \"two\": expected a build number from 0 to 4294967295, such as 2 for 0002",
        ),
        (
            "createdAfter=yesterday",
            "invalid createdAfter \"yesterday\": expected a whole number from 0 to 18446744073709551615",
        ),
        (
            "createdBefore=-5",
            "invalid createdBefore \"-5\": expected a whole number from 0 to 18446744073709551615",
        ),
    ];
    for (query, message) in cases {
        let response = client.get(&format!("/be/v1/tasks?{query}")).await;
        assert_eq!(response.status, 400, "{query}");
        assert_eq!(
            response.json(),
            json!({"status": "failed", "error": "invalid-param", "message": message}),
            "{query}"
        );
    }
}
