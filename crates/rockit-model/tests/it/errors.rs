//! The vendor's error answers, verbatim from its infrastructure code, read by `ErrorBody`; and
//! any JSON object read without failing.

use insta::assert_debug_snapshot;
use proptest::prelude::*;
use rockit_model::{ApiStatus, ErrorBody};
use rockit_test_support::{strategies, vendor_errors};

#[test]
fn the_vendors_bodies_decode_and_encode_back_byte_for_byte() {
    for (_, body) in vendor_errors::ALL.into_iter().chain([(401, vendor_errors::TOKEN_EXPIRED)]) {
        let parsed = ErrorBody::parse(body.as_bytes());
        assert!(parsed.extra.is_empty(), "every field modelled: {parsed:?}");
        assert_eq!(serde_json::to_string(&parsed).unwrap(), body);
    }
}

#[test]
fn the_maintenance_answer_names_its_code_and_how_long() {
    let body = ErrorBody::parse(vendor_errors::MAINTENANCE.as_bytes());
    assert_eq!(body.outcome, Some(ApiStatus::Failed));
    assert_eq!(body.code, Some(ApiStatus::Maintenance));
    assert_eq!(body.retry_after, Some(900));
    assert_eq!(body.message.as_deref(), Some("The service is in maintenance mode. Please retry later."));
    assert_eq!(
        ErrorBody::new(ApiStatus::Maintenance, body.message.clone().unwrap()).with_retry_after(900),
        body
    );
}

#[test]
fn a_token_expired_is_found_in_either_field() {
    let vendor = ErrorBody::parse(vendor_errors::TOKEN_EXPIRED.as_bytes());
    let older = ErrorBody::parse(br#"{"status":"token-expired","message":"log in again"}"#);
    assert_eq!(vendor.code, Some(ApiStatus::TokenExpired));
    assert_eq!(older.code, Some(ApiStatus::TokenExpired));
}

#[test]
fn the_vendors_bodies_as_read() {
    let parsed: Vec<(u16, ErrorBody)> = vendor_errors::ALL
        .into_iter()
        .chain([(401, vendor_errors::TOKEN_EXPIRED)])
        .map(|(status, body)| (status, ErrorBody::parse(body.as_bytes())))
        .collect();
    assert_debug_snapshot!("vendor_error_bodies", parsed);
}

/// What may stand in `status` or `error`: nothing, `failed`, a code, or any JSON.
fn field() -> impl Strategy<Value = Option<serde_json::Value>> {
    prop_oneof![
        Just(None),
        Just(Some(serde_json::Value::from("failed"))),
        strategies::api_status().prop_map(|code| Some(serde_json::Value::from(code.as_str()))),
        strategies::json_value().prop_map(Some),
    ]
}

proptest! {
    #[test]
    fn any_json_object_decodes(object in strategies::extra_fields(), status in field(), error in field()) {
        let mut object = object;
        if let Some(status) = status {
            object.insert("status".to_owned(), status);
        }
        if let Some(error) = error {
            object.insert("error".to_owned(), error);
        }
        let text = serde_json::to_string(&object).unwrap();
        let parsed: ErrorBody = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(&ErrorBody::parse(text.as_bytes()), &parsed);
        // And it encodes back to what it read.
        prop_assert_eq!(ErrorBody::parse(&serde_json::to_vec(&parsed).unwrap()), parsed);
    }

    #[test]
    fn a_code_in_either_field_is_found(code in strategies::api_status(), message in ".{0,20}", in_status in any::<bool>()) {
        prop_assume!(!matches!(code, ApiStatus::Failed));
        // Written out by hand: `json!` would sort the keys.
        let (code_text, message_text) = (serde_json::to_string(code.as_str()).unwrap(), serde_json::to_string(&message).unwrap());
        let text = if in_status {
            format!(r#"{{"status":{code_text},"message":{message_text}}}"#)
        } else {
            format!(r#"{{"status":"failed","error":{code_text},"message":{message_text}}}"#)
        };
        let parsed = ErrorBody::parse(text.as_bytes());
        prop_assert_eq!(parsed.code.as_ref(), Some(&code));
        prop_assert_eq!(parsed.message.as_deref(), Some(message.as_str()));
        prop_assert_eq!(serde_json::to_string(&parsed).unwrap(), text);
    }
}
