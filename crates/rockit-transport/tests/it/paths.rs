//! Hostile path segments arrive at the server as exactly one segment equal to the original.

use proptest::prelude::*;
use rockit_model::GetTask;
use rockit_test_support::mock::MockServer;
use rockit_transport::ErrorKind;

use crate::support::{RawGet, client};

const HOSTILE: &[&str] = &[
    "../x",
    "a/b",
    "%2F",
    "%2e%2e",
    "é中🚀",
    "with space",
    "q?x=1",
    "frag#ment",
    "back\\slash",
    ".x",
    "...",
];

#[tokio::test]
async fn hostile_segments_arrive_as_one_segment() {
    let server = MockServer::start().await;
    let client = client(&server);
    for name in HOSTILE {
        let segments = vec!["be".to_owned(), "v1".to_owned(), "tasks".to_owned(), (*name).to_owned()];
        client.execute(&RawGet(segments)).await.unwrap();
    }
    let seen: Vec<Vec<String>> =
        server.requests().iter().map(rockit_test_support::mock::Recorded::decoded_segments).collect();
    for (name, segments) in HOSTILE.iter().zip(&seen) {
        assert_eq!(segments, &["be", "v1", "tasks", name], "raw paths: {:?}", server.requests()[0].raw_path);
    }
}

#[tokio::test]
async fn dot_and_empty_segments_are_refused_before_sending() {
    let server = MockServer::start().await;
    for bad in ["..", ".", ""] {
        let err = client(&server).execute(&RawGet(vec!["be".into(), bad.into()])).await.unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::InvalidRequest { .. }), "{err}");
        assert_eq!(err.attempts(), 0);
    }
    assert_eq!(server.count(), 0);
}

#[tokio::test]
async fn task_names_are_one_segment() {
    let server = MockServer::start().await;
    server.default_reply(rockit_test_support::mock::Reply::json(
        200,
        r#"{"name":"a:b@c","service":"engine","status":"done"}"#,
    ));
    client(&server).execute(&GetTask::new("a:b@c".parse().unwrap())).await.unwrap();
    assert_eq!(server.requests()[0].decoded_segments(), ["be", "v1", "tasks", "a:b@c"]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn any_segment_round_trips_through_the_url(segment in any::<String>().prop_filter("not a dot segment", |s| !s.is_empty() && s != "." && s != "..")) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let server = MockServer::start().await;
            let segments = vec!["be".to_owned(), segment.clone()];
            client(&server).execute(&RawGet(segments)).await.unwrap();
            assert_eq!(server.requests()[0].decoded_segments(), ["be".to_owned(), segment]);
        });
    }
}
