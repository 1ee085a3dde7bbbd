//! Property tests: every wire type round-trips, and the validators keep their promises.

use proptest::prelude::*;
use rockit_model::{
    ApiStatus, Endpoint, ListTasks, Order, Service, TaskDetails, TaskKind, TaskListResponse, TaskName,
    TaskStatus, UpdateTask,
};
use rockit_test_support::strategies;

fn round_trip<T>(value: &T) -> T
where
    T: serde::Serialize + serde::de::DeserializeOwned,
{
    let json = serde_json::to_string(value).unwrap();
    serde_json::from_str(&json).unwrap_or_else(|err| panic!("{err}: {json}"))
}

proptest! {
    #[test]
    fn list_responses_round_trip(response in strategies::task_list_response()) {
        prop_assert_eq!(round_trip(&response), response);
    }

    #[test]
    fn details_round_trip_with_unknown_fields(details in strategies::task_details()) {
        let back: TaskDetails = round_trip(&details);
        prop_assert_eq!(&back, &details);
        // Decode → encode is lossless at the JSON level too, wrapped or not.
        let value = serde_json::to_value(&details).unwrap();
        let wrapped = serde_json::json!({"status": "success", "task": value.clone()});
        let from_wrapped: TaskDetails = serde_json::from_value(wrapped).unwrap();
        prop_assert_eq!(serde_json::to_value(&from_wrapped).unwrap(), value);
    }

    #[test]
    fn enums_round_trip(
        status in strategies::task_status(),
        kind in strategies::task_kind(),
        service in strategies::service(),
        api in strategies::api_status(),
    ) {
        prop_assert_eq!(round_trip(&status), status.clone());
        prop_assert_eq!(round_trip(&kind), kind.clone());
        prop_assert_eq!(round_trip(&service), service.clone());
        prop_assert_eq!(round_trip(&api), api.clone());
        prop_assert_eq!(status.as_str().parse::<TaskStatus>().unwrap(), status);
    }

    #[test]
    fn update_task_round_trips(name in strategies::task_name(), ack in any::<Option<bool>>(), exp in any::<Option<bool>>()) {
        let update = UpdateTask { name, acknowledged: ack, expired: exp };
        prop_assert_eq!(round_trip(&update), update.clone());
        let body = update.body().unwrap().unwrap();
        let value: serde_json::Value = serde_json::from_slice(body.as_bytes()).unwrap();
        let object = value.as_object().unwrap();
        prop_assert_eq!(object.contains_key("acknowledged"), ack.is_some());
        prop_assert_eq!(object.contains_key("expired"), exp.is_some());
    }

    /// Accepted ⇔ round-trips through `FromStr` and serde, and no accepted name can change a URL.
    #[test]
    fn task_name_accepted_iff_round_trips(raw in strategies::any_name_input()) {
        let parsed = raw.parse::<TaskName>();
        let via_serde = serde_json::from_value::<TaskName>(serde_json::Value::String(raw.clone()));
        prop_assert_eq!(parsed.is_ok(), via_serde.is_ok());
        if let Ok(name) = parsed {
            prop_assert_eq!(name.as_str(), raw.as_str());
            prop_assert_eq!(name.to_string().parse::<TaskName>().unwrap(), name.clone());
            prop_assert_eq!(round_trip(&name), name.clone());
            prop_assert!(!raw.is_empty() && raw.len() <= 256 && raw != "." && raw != "..");
            prop_assert!(!raw.chars().any(|c| c.is_whitespace() || c.is_control() || "/\\?#%".contains(c)));
        } else {
            prop_assert!(
                raw.is_empty() || raw.len() > 256 || raw == "." || raw == ".."
                    || raw.chars().any(|c| c.is_whitespace() || c.is_control() || "/\\?#%".contains(c)),
                "rejected a harmless name: {:?}", raw
            );
        }
    }

    #[test]
    fn parts_return_exactly_the_generated_components((name, parts) in strategies::conventional_name()) {
        let read = name.parts().expect("conventional names have parts");
        prop_assert_eq!(read.prefix(), format!("{}-{}", parts.org, parts.app));
        prop_assert_eq!(read.app(Some(&parts.org)).named(), Some(parts.app.as_str()));
        prop_assert_eq!(read.build_str(), parts.build.as_str());
        prop_assert_eq!(read.build(), parts.build.parse::<u32>().unwrap());
        prop_assert_eq!(read.created_unix(), parts.created);
        prop_assert_eq!(read.kind_str(), parts.kind.as_str());
        prop_assert_eq!(read.kind(), TaskKind::from(parts.kind.as_str()));
    }

    #[test]
    fn list_query_holds_exactly_what_was_set(
        offset in any::<Option<u64>>(),
        limit in any::<Option<u32>>(),
        app in proptest::option::of("[a-z &=]{0,8}"),
        status in proptest::option::of(strategies::task_status()),
        kind in proptest::option::of(strategies::task_kind()),
        ack in any::<Option<bool>>(),
        build in any::<Option<u32>>(),
        orders in proptest::collection::vec(("[a-z]{1,8}", any::<bool>()), 0..3),
        params in proptest::collection::vec(("[a-z]{1,5}", ".{0,5}"), 0..3),
    ) {
        let mut request = ListTasks::new();
        let mut expected: Vec<(String, String)> = Vec::new();
        if let Some(offset) = offset { request = request.offset(offset); expected.push(("offset".into(), offset.to_string())); }
        if let Some(limit) = limit { request = request.limit(limit); expected.push(("limit".into(), limit.to_string())); }
        if let Some(app) = &app { request = request.app(app.clone()); expected.push(("appName".into(), app.clone())); }
        if let Some(status) = &status { request = request.status(status.clone()); expected.push(("status".into(), status.to_string())); }
        if let Some(kind) = &kind { request = request.kind(kind.clone()); expected.push(("type".into(), kind.to_string())); }
        if let Some(ack) = ack { request = request.acknowledged(ack); expected.push(("acknowledged".into(), ack.to_string())); }
        if let Some(build) = build { request = request.build(build); expected.push(("build".into(), build.to_string())); }
        for (field, desc) in &orders {
            request = request.order(if *desc { Order::desc(field.clone()) } else { Order::asc(field.clone()) });
            expected.push(("order[]".into(), format!("{}{field}", if *desc { '-' } else { '+' })));
        }
        for (key, value) in &params {
            request = request.param(key.clone(), value.clone());
            expected.push((key.clone(), value.clone()));
        }
        let actual: Vec<(String, String)> =
            request.query().iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect();
        prop_assert_eq!(actual, expected);
    }

    #[test]
    fn order_parses_what_it_prints(field in "[a-zA-Z]{1,10}", desc in any::<bool>()) {
        let order = if desc { Order::desc(field) } else { Order::asc(field) };
        prop_assert_eq!(order.to_string().parse::<Order>().unwrap(), order);
    }
}

#[test]
fn unknown_values_are_not_confused_with_known_ones() {
    assert!(!TaskStatus::from("DONE").is_success());
    assert_eq!(Service::from("edge"), Service::Edge);
    assert_eq!(ApiStatus::from("success"), ApiStatus::Success);
    let response: TaskListResponse =
        serde_json::from_str(r#"{"status":"partial","totalCount":0,"tasks":[],"next":"x"}"#).unwrap();
    assert_eq!(response.status, ApiStatus::Unknown("partial".to_owned()));
}
