//! The generic list envelope compared and taken apart: two answers are equal only when status,
//! count, items and the fields kept in `extra` all are.

use rockit_model::{ApiStatus, ListKey, ListResponse};

/// The items of `GET /be/v1/apps` are under `"apps"`.
enum Apps {}

impl ListKey for Apps {
    const KEY: &'static str = "apps";
}

fn answer() -> ListResponse<String, Apps> {
    ListResponse::success(vec!["sushi".to_owned()]).total_count(1)
}

#[test]
fn list_answers_are_equal_only_when_every_part_is() {
    assert_eq!(answer(), answer());
    let mut status = answer();
    status.status = ApiStatus::Unavailable;
    let count = answer().total_count(2);
    let mut items = answer();
    items.items.push("udon".to_owned());
    let mut extra = answer();
    extra.extra.insert("traceId".to_owned(), "t-1".into());
    for different in [status, count, items, extra] {
        assert_ne!(answer(), different);
    }
}

#[test]
fn a_list_answer_hands_over_its_items() {
    assert_eq!(answer().into_items(), ["sushi"]);
}
