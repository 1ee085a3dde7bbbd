//! What endpoints describe: the `Endpoint` trait's defaults, the path, query and body types, the
//! `ListTasks` shortcuts and getters, sort keys, and the two update flags.

use rockit_model::{
    Endpoint, GetTask, JsonBody, ListTasks, Method, Order, PathSegments, QueryPairs, TaskName, TaskStatus,
    UpdateTask,
};

/// A downstream endpoint that implements only what it must.
struct Minimal(Method);

impl Endpoint for Minimal {
    type Response = serde_json::Value;

    fn method(&self) -> Method {
        self.0
    }

    fn path(&self) -> PathSegments<'_> {
        PathSegments::from_static(&["be", "v1", "apps"])
    }
}

fn name(raw: &str) -> TaskName {
    raw.parse().unwrap()
}

fn pairs(request: &impl Endpoint) -> Vec<(String, String)> {
    request.query().iter().map(|(key, value)| (key.to_owned(), value.to_owned())).collect()
}

fn pair(key: &str, value: &str) -> (String, String) {
    (key.to_owned(), value.to_owned())
}

#[test]
fn endpoint_defaults_are_the_safe_ones() {
    let post = Minimal(Method::Post);
    assert!(!post.idempotent(), "only GET is idempotent by default");
    assert!(Minimal(Method::Get).idempotent());
    assert_eq!(post.permission(), None);
    assert!(post.checks_api_status(), "envelopes are checked unless an endpoint says otherwise");
    assert!(post.query().is_empty());
    assert!(post.body().unwrap().is_none());
}

#[test]
fn path_segments_count_and_collect() {
    let empty = PathSegments::default();
    assert_eq!((empty.len(), empty.is_empty()), (0, true));
    let mut path = PathSegments::from_static(&["be", "v1"]);
    path.push("tasks");
    assert_eq!((path.len(), path.is_empty()), (3, false));
    let collected: PathSegments<'_> = ["be", "v1", "tasks"].into_iter().collect();
    assert_eq!(collected, path);
    assert_eq!(collected.to_string(), "/be/v1/tasks");
}

#[test]
fn query_pairs_count_and_collect() {
    let empty = QueryPairs::new();
    assert_eq!((empty.len(), empty.is_empty()), (0, true));
    let collected: QueryPairs<'_> = [("limit", "5"), ("order[]", "-name")].into_iter().collect();
    assert_eq!((collected.len(), collected.is_empty()), (2, false));
    let mut pushed = QueryPairs::new();
    pushed.push("limit", "5");
    pushed.push("order[]", "-name");
    assert_eq!(collected, pushed);
}

#[test]
fn a_json_body_hands_out_exactly_its_bytes() {
    let body = JsonBody::from_serialize(&serde_json::json!({"name": "x"})).unwrap();
    assert_eq!(format!("{body:?}"), "JsonBody(12 bytes)");
    assert_eq!(body.clone().into_bytes(), body.as_bytes());
    assert_eq!(body.into_bytes(), br#"{"name":"x"}"#);
}

#[test]
fn shortcuts_set_their_filter() {
    assert_eq!(pairs(&ListTasks::for_app("sushi")), [pair("appName", "sushi")]);
    assert_eq!(pairs(&ListTasks::for_status(TaskStatus::Pending)), [pair("status", "pending")]);
    assert_eq!(pairs(&ListTasks::unacknowledged_warnings()), [pair("acknowledged", "false")]);
    assert_eq!(pairs(&ListTasks::for_build("sushi", 2)), [pair("appName", "sushi"), pair("build", "2")]);
}

#[test]
fn getters_return_what_was_set() {
    let plain = ListTasks::new();
    assert_eq!((plain.page_offset(), plain.page_limit(), plain.sort_keys()), (None, None, &[][..]));
    let set = ListTasks::new().offset(7).limit(50).order(Order::desc("created")).order(Order::asc("name"));
    assert_eq!((set.page_offset(), set.page_limit()), (Some(7), Some(50)));
    assert_eq!(set.sort_keys(), [Order::desc("created"), Order::asc("name")]);
}

#[test]
fn any_order_typed_or_raw_is_a_custom_order() {
    assert!(!ListTasks::new().has_custom_order());
    assert!(!ListTasks::new().param("limit", "5").has_custom_order(), "other raw parameters are not");
    assert!(ListTasks::new().order(Order::asc("name")).has_custom_order());
    assert!(ListTasks::new().param("order[]", "-name").has_custom_order());
    assert!(ListTasks::new().param("order", "name").has_custom_order());
}

#[test]
fn sort_keys_read_their_field_and_direction() {
    let desc: Order = "-created".parse().unwrap();
    assert_eq!((desc.field(), desc.is_descending()), ("created", true));
    let asc: Order = "+name".parse().unwrap();
    assert_eq!((asc.field(), asc.is_descending()), ("name", false));
}

#[test]
fn task_details_are_not_an_envelope() {
    // A bare task's own `status` is its state, never an API status to check.
    assert!(!GetTask::new(name("a-b-0001-1-dltar")).checks_api_status());
}

#[test]
fn an_update_is_empty_only_without_both_flags() {
    let task = name("a-b-0001-1-dltar");
    assert!(UpdateTask::new(task.clone()).is_empty());
    assert!(!UpdateTask::new(task.clone()).acknowledged(false).is_empty());
    assert!(!UpdateTask::new(task.clone()).expired(false).is_empty());
    assert!(!UpdateTask::expire(task).is_empty());
}
