//! Malformed and hostile input yields errors, never panics.

use proptest::prelude::*;
use rockit_model::{ErrorBody, TaskDetails, TaskListResponse, TaskName, TaskSummary, UpdateTask};

fn decode_all(bytes: &[u8]) -> [bool; 5] {
    let _ = ErrorBody::parse(bytes);
    [
        serde_json::from_slice::<TaskListResponse>(bytes).is_ok(),
        serde_json::from_slice::<TaskSummary>(bytes).is_ok(),
        serde_json::from_slice::<TaskDetails>(bytes).is_ok(),
        serde_json::from_slice::<UpdateTask>(bytes).is_ok(),
        serde_json::from_slice::<TaskName>(bytes).is_ok(),
    ]
}

#[test]
fn malformed_inputs_are_errors() {
    let cases: &[&[u8]] = &[
        br#"{"status":"success","totalCount":"13","tasks":[]}"#,
        br#"{"status":"success","totalCount":13,"tasks":null}"#,
        br#"{"status":null,"totalCount":13,"tasks":[]}"#,
        br#"{"status":"success","totalCount":-1,"tasks":[]}"#,
        br#"{"status":"success","totalCount":1e400,"tasks":[]}"#,
        br#"{"status":"success","totalCount":184467440737095516150,"tasks":[]}"#,
        br#"{"status":"success","totalCount":1,"tasks":[{"name":"a/b","service":"engine","status":"done"}]}"#,
        br#"{"status":"success","totalCount":1,"tasks":[{"name":"a","service":7,"status":"done"}]}"#,
        br#"{"name":"a","service":"engine"}"#,
        br#"{"task":{"name":"a"}}"#,
        b"\xff\xfe{\"status\":\"success\"}",
        b"{\"status\":\"succ\xffess\",\"totalCount\":1,\"tasks\":[]}",
        b"",
        b"null",
        b"[]",
        b"<html><body>502 Bad Gateway</body></html>",
        br#"{"status":"success","totalCount":13,"tasks":[{"name":"x","service":"engine","status":"done"}"#,
    ];
    for case in cases {
        assert_eq!(decode_all(case)[..3], [false; 3], "accepted {:?}", String::from_utf8_lossy(case));
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let depth = 100_000;
    let mut deep = String::from(r#"{"name":"a","service":"engine","status":"done","x":"#);
    deep.push_str(&"[".repeat(depth));
    deep.push_str(&"]".repeat(depth));
    deep.push('}');
    // Types that keep unknown fields (details) hit serde_json's recursion limit and fail cleanly;
    // types that skip unknown fields skip them without recursing, and decode.
    assert_eq!(decode_all(deep.as_bytes()), [false, true, false, true, false]);
    let wrapped = format!(r#"{{"task":{}}}"#, "{\"task\":".repeat(depth));
    assert_eq!(decode_all(wrapped.as_bytes()), [false; 5]);
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        decode_all(&bytes);
    }

    #[test]
    fn arbitrary_json_never_panics(value in rockit_test_support::strategies::json_value()) {
        decode_all(value.to_string().as_bytes());
    }
}
