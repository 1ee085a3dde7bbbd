//! Response envelopes: the list envelope the vendor's example shows, and the error body of
//! non-success responses.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::task::TaskSummary;
use crate::vocab::ApiStatus;

/// The body of `GET /be/v1/tasks` and of `PATCH /be/v1/tasks`:
/// `{"status": "success", "totalCount": N, "tasks": [...]}`.
///
/// `total_count` counts every task that matches the query, not the tasks on this page: the vendor's
/// example shows `totalCount: 13` next to 10 tasks, the default page size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskListResponse {
    /// `success`, or an error code.
    pub status: ApiStatus,
    /// How many tasks match the query in all.
    pub total_count: u64,
    /// The tasks of this page.
    pub tasks: Vec<TaskSummary>,
}

impl TaskListResponse {
    /// A successful response.
    pub fn success(total_count: u64, tasks: Vec<TaskSummary>) -> Self {
        Self { status: ApiStatus::Success, total_count, tasks }
    }
}

/// The body of an error response, read leniently: every field is optional, and anything that is
/// not a JSON object (an HTML error page, an empty body) yields an empty `ErrorBody`.
///
/// The emulator writes `{"status": "<code>", "message": "..."}`; the vendor documents the codes
/// `missing-param` and `token-expired` but not the field carrying a message, so `message` is a
/// **guess** (`error` is read too).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// The error code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ApiStatus>,
    /// A human-readable message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Fields the SDK does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl ErrorBody {
    /// An error body with a code and a message, as the emulator sends it.
    pub fn new(status: ApiStatus, message: impl Into<String>) -> Self {
        Self { status: Some(status), message: Some(message.into()), extra: Map::new() }
    }

    /// Reads whatever the server sent; never fails.
    pub fn parse(body: &[u8]) -> Self {
        let Ok(Value::Object(mut object)) = serde_json::from_slice::<Value>(body) else {
            return Self::default();
        };
        let status = match object.remove("status") {
            Some(Value::String(code)) => Some(ApiStatus::from(code)),
            Some(other) => {
                object.insert("status".to_owned(), other);
                None
            }
            None => None,
        };
        let message = match object.remove("message") {
            Some(Value::String(text)) => Some(text),
            Some(other) => {
                object.insert("message".to_owned(), other);
                None
            }
            None => object.get("error").and_then(Value::as_str).map(str::to_owned),
        };
        Self { status, message, extra: object }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_body_parse_never_fails() {
        assert_eq!(ErrorBody::parse(b"<html>502 Bad Gateway</html>"), ErrorBody::default());
        assert_eq!(ErrorBody::parse(b""), ErrorBody::default());
        assert_eq!(ErrorBody::parse(b"[1,2]"), ErrorBody::default());
        let body = ErrorBody::parse(br#"{"status":"token-expired","message":"log in again"}"#);
        assert_eq!(body.status, Some(ApiStatus::TokenExpired));
        assert_eq!(body.message.as_deref(), Some("log in again"));
        let odd = ErrorBody::parse(br#"{"status":7,"error":"boom"}"#);
        assert_eq!(odd.status, None);
        assert_eq!(odd.message.as_deref(), Some("boom"));
        assert_eq!(odd.extra.get("status"), Some(&Value::from(7)));
    }
}
