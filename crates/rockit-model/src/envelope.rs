//! Response envelopes: the list envelope the vendor's example shows, and the error body of
//! non-success responses.

use serde::ser::SerializeMap as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
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
/// Three shapes are known, and all decode:
///
/// - the vendor's envelope, as its gateway writes the maintenance answer \[infra\]:
///   `{"status": "failed", "error": "maintenance", "message": "…", "retryAfter": "900"}`: the
///   outcome in `status`, the code in `error`. That the application's own errors (`token-expired`,
///   `missing-param`, …) take this shape too is a strong **guess**;
/// - the older form this SDK guessed first, `{"status": "<code>", "message": "…"}`: a `status` that
///   is neither absent nor `failed` is the code;
/// - the firewall's answers \[infra\]: `{"code": 429, "message": "Too Many Requests"}`, a numeric
///   `code` ([`ErrorBody::numeric_code`]) and no API code.
///
/// So the code comes from `error` when `status` is `failed` or absent, and from `status` when that
/// holds anything else. Fields that are not where or what these shapes say (a numeric `status`, a
/// string `code`) are kept in [`ErrorBody::extra`].
///
/// It serialises back in the shape it came in: `status`, `error`, `code`, `message`, `retryAfter`,
/// then the extra fields, in that order, with the code in `status` only if it came there (the
/// older form). `retryAfter` is written as the vendor writes it, a string of seconds. Build one
/// with [`ErrorBody::new`], [`ErrorBody::firewall`] or [`ErrorBody::parse`]; `#[non_exhaustive]`.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct ErrorBody {
    /// The outcome in `status` when it is one: [`ApiStatus::Failed`] in the vendor's envelope;
    /// `None` when there is no `status` or it holds the code.
    pub outcome: Option<ApiStatus>,
    /// The error code (`token-expired`, `maintenance`, `missing-param`, …).
    pub code: Option<ApiStatus>,
    /// The firewall's numeric `code` (the HTTP status it answered with), if any.
    pub numeric_code: Option<i64>,
    /// A human-readable message.
    pub message: Option<String>,
    /// `retryAfter`: the seconds the server asks a client to wait, sent as a string (`"900"`) or
    /// a number.
    pub retry_after: Option<u64>,
    /// Fields the SDK does not model.
    pub extra: Map<String, Value>,
    /// Whether the code came in `status` (the older form), so that it is written back there.
    code_in_status: bool,
}

impl ErrorBody {
    /// An error body in the vendor's envelope: `{"status": "failed", "error": <code>, "message":
    /// <message>}`.
    pub fn new(code: ApiStatus, message: impl Into<String>) -> Self {
        Self {
            outcome: Some(ApiStatus::Failed),
            code: Some(code),
            message: Some(message.into()),
            ..Self::default()
        }
    }

    /// A firewall answer: `{"code": <numeric_code>, "message": <message>}` \[infra\].
    pub fn firewall(numeric_code: u16, message: impl Into<String>) -> Self {
        Self { numeric_code: Some(i64::from(numeric_code)), message: Some(message.into()), ..Self::default() }
    }

    /// The same body with `retryAfter` set to `seconds`.
    #[must_use]
    pub fn with_retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    /// Reads whatever the server sent; never fails.
    pub fn parse(body: &[u8]) -> Self {
        match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(object)) => Self::from_object(object),
            _ => Self::default(),
        }
    }

    /// Takes the known fields out of a JSON object, by the rules in the type's docs.
    fn from_object(mut object: Map<String, Value>) -> Self {
        let take_str = |object: &mut Map<String, Value>, key: &str| match object.remove(key) {
            Some(Value::String(text)) => Some(text),
            Some(other) => {
                object.insert(key.to_owned(), other);
                None
            }
            None => None,
        };
        let (outcome, code, code_in_status) = match take_str(&mut object, "status").map(ApiStatus::from) {
            Some(ApiStatus::Failed) => {
                (Some(ApiStatus::Failed), take_str(&mut object, "error").map(ApiStatus::from), false)
            }
            Some(code) => (None, Some(code), true),
            None => (None, take_str(&mut object, "error").map(ApiStatus::from), false),
        };
        let message = take_str(&mut object, "message");
        let numeric_code = match object.get("code").and_then(Value::as_i64) {
            Some(number) => {
                object.remove("code");
                Some(number)
            }
            None => None,
        };
        let retry_after = match object.get("retryAfter") {
            Some(Value::String(text)) => text.trim().parse::<u64>().ok(),
            Some(Value::Number(number)) => number.as_u64(),
            _ => None,
        };
        if retry_after.is_some() {
            object.remove("retryAfter");
        }
        Self { outcome, code, numeric_code, message, retry_after, extra: object, code_in_status }
    }
}

impl Serialize for ErrorBody {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        match (&self.outcome, &self.code) {
            (Some(outcome), code) => {
                map.serialize_entry("status", outcome)?;
                if let Some(code) = code {
                    map.serialize_entry("error", code)?;
                }
            }
            // The older form; a `failed` in `status` would read as the outcome.
            (None, Some(code)) if self.code_in_status && *code != ApiStatus::Failed => {
                map.serialize_entry("status", code)?;
            }
            (None, Some(code)) => map.serialize_entry("error", code)?,
            (None, None) => {}
        }
        if let Some(number) = self.numeric_code {
            map.serialize_entry("code", &number)?;
        }
        if let Some(message) = &self.message {
            map.serialize_entry("message", message)?;
        }
        if let Some(seconds) = self.retry_after {
            map.serialize_entry("retryAfter", &seconds.to_string())?;
        }
        for (key, value) in &self.extra {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for ErrorBody {
    /// A JSON object, by the rules in the type's docs; anything else is an error (use
    /// [`ErrorBody::parse`] to read any body without failing).
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Map::<String, Value>::deserialize(deserializer).map(Self::from_object)
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
    }

    #[test]
    fn the_code_is_in_error_when_status_is_failed_or_absent_and_in_status_otherwise() {
        let vendor = ErrorBody::parse(br#"{"status":"failed","error":"token-expired","message":"m"}"#);
        assert_eq!((vendor.outcome, vendor.code), (Some(ApiStatus::Failed), Some(ApiStatus::TokenExpired)));
        assert_eq!(vendor.message.as_deref(), Some("m"));
        let bare = ErrorBody::parse(br#"{"error":"token-expired"}"#);
        assert_eq!((bare.outcome, bare.code), (None, Some(ApiStatus::TokenExpired)));
        let older = ErrorBody::parse(br#"{"status":"token-expired","error":"x","message":"log in again"}"#);
        assert_eq!((older.outcome, older.code), (None, Some(ApiStatus::TokenExpired)));
        assert_eq!(older.extra.get("error"), Some(&Value::from("x")), "kept, not the code");
        let odd = ErrorBody::parse(br#"{"status":7,"error":"boom","code":"x","retryAfter":"soon"}"#);
        assert_eq!(odd.code, Some(ApiStatus::from("boom")));
        assert_eq!((odd.numeric_code, odd.retry_after, odd.message.as_deref()), (None, None, None));
        assert_eq!(odd.extra.len(), 3, "{odd:?}");
        let firewall = ErrorBody::parse(br#"{"code":429,"message":"Too Many Requests","retryAfter":60}"#);
        assert_eq!((firewall.code, firewall.numeric_code, firewall.retry_after), (None, Some(429), Some(60)));
    }

    #[test]
    fn bodies_serialise_in_the_shape_they_came_in() {
        for body in [
            r#"{"status":"failed","error":"maintenance","message":"m","retryAfter":"900"}"#,
            r#"{"status":"missing-param","message":"m","traceId":"t"}"#,
            r#"{"code":404,"message":"Not Found"}"#,
            r#"{"status":"failed"}"#,
            r#"{"error":"boom","status":7}"#,
            r#"{"error":"failed"}"#,
            r#"{"error":"token-expired","message":"m"}"#,
        ] {
            assert_eq!(serde_json::to_string(&ErrorBody::parse(body.as_bytes())).unwrap(), body);
        }
        let made = ErrorBody::new(ApiStatus::TokenExpired, "m").with_retry_after(5);
        assert_eq!(
            serde_json::to_string(&made).unwrap(),
            r#"{"status":"failed","error":"token-expired","message":"m","retryAfter":"5"}"#
        );
        assert_eq!(
            serde_json::to_string(&ErrorBody::firewall(400, "Bad Request")).unwrap(),
            r#"{"code":400,"message":"Bad Request"}"#
        );
        let decoded: ErrorBody = serde_json::from_str(r#"{"error":"x"}"#).unwrap();
        assert_eq!(decoded.code, Some(ApiStatus::from("x")));
        assert!(serde_json::from_str::<ErrorBody>("[]").is_err());
    }
}
