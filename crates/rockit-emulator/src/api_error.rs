//! The emulator's answers in JSON: `ApiError`, an application error answer in the vendor's
//! envelope, `{"status": "failed", "error": "<code>", "message": "..."}`, and `json_response`, a
//! success answer; both used by the emulator's own handlers and by routes a downstream test suite
//! mounts. (What the vendor's gateway and firewall answer themselves is in `infra`.)

use std::fmt;

use axum::body::Bytes;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rockit_model::{ApiStatus, ErrorBody};
use serde::Serialize;

/// An application error answer: an HTTP status, an API code and a message, sent in the vendor's
/// envelope, `{"status": "failed", "error": "<code>", "message": "..."}`, with `Content-Type:
/// application/json`.
///
/// The envelope is the one the vendor's gateway writes for maintenance \[infra\]; that the
/// application's own errors take it too is a strong **guess** (`API.md`, "Error answers"). The
/// constructors pair each code with the HTTP status the emulator uses for it; [`ApiError::new`]
/// takes any pair.
///
/// ```
/// use axum::http::StatusCode;
/// use rockit_emulator::ApiError;
/// use rockit_model::ApiStatus;
///
/// let error = ApiError::not_found("no app named \"sushi\"");
/// assert_eq!(error.http_status(), StatusCode::NOT_FOUND);
/// assert_eq!(error.code(), &ApiStatus::NotFound);
/// assert_eq!(
///     error.body(),
///     r#"{"status":"failed","error":"not-found","message":"no app named \"sushi\""}"#
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    http_status: StatusCode,
    code: ApiStatus,
    message: String,
    retry_after: Option<u64>,
}

impl ApiError {
    /// An error with any HTTP status and code.
    pub fn new(http_status: StatusCode, code: ApiStatus, message: impl Into<String>) -> Self {
        Self { http_status, code, message: message.into(), retry_after: None }
    }

    /// `400 missing-param`: a required parameter is absent.
    pub fn missing_param(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, ApiStatus::MissingParam, message)
    }

    /// `400 invalid-param`: a parameter has a value the server does not accept.
    pub fn invalid_param(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, ApiStatus::InvalidParam, message)
    }

    /// `400 invalid-body`: the body is not JSON of the expected shape.
    pub fn invalid_body(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, ApiStatus::InvalidBody, message)
    }

    /// `401 unauthorized`: no credentials, or invalid ones.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, ApiStatus::Unauthorized, message)
    }

    /// `401 token-expired`: the backend auth token is past its lifetime.
    pub fn token_expired(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, ApiStatus::TokenExpired, message)
    }

    /// `403 forbidden`: the credentials lack a permission.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, ApiStatus::Forbidden, message)
    }

    /// `404 not-found`: the named resource does not exist.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, ApiStatus::NotFound, message)
    }

    /// `429 rate-limited` with `Retry-After: <retry_after_secs>`, in the vendor's envelope: for a
    /// mounted route that limits on its own. The emulator's own rate limits (its total limit and
    /// [`Fault::RateLimited`](crate::Fault::RateLimited)) answer as the vendor's firewall does
    /// instead, `{"code":429,"message":"Too Many Requests"}` \[infra\].
    pub fn rate_limited(retry_after_secs: u64) -> Self {
        let mut error = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            ApiStatus::RateLimited,
            format!("too many requests; retry after {retry_after_secs} s"),
        );
        error.retry_after = Some(retry_after_secs);
        error
    }

    /// `503 unavailable`: the service cannot answer right now.
    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, ApiStatus::Unavailable, message)
    }

    /// The HTTP status.
    pub fn http_status(&self) -> StatusCode {
        self.http_status
    }

    /// The API code, sent in `error` (`status` is always `failed`).
    pub fn code(&self) -> &ApiStatus {
        &self.code
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The `Retry-After` value in seconds, if the answer carries one.
    pub fn retry_after(&self) -> Option<u64> {
        self.retry_after
    }

    /// The JSON body exactly as sent.
    pub fn body(&self) -> String {
        let body = ErrorBody::new(self.code.clone(), self.message.clone());
        // An `ErrorBody` of two strings always serialises.
        serde_json::to_string(&body).unwrap_or_default()
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.http_status.as_u16(), self.code, self.message)
    }
}

impl std::error::Error for ApiError {}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = json_bytes(self.http_status, Bytes::from(self.body()));
        if let Some(seconds) = self.retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

/// A JSON answer, as the emulator's own routes send them: `value` serialised compactly as the
/// body, with `Content-Type: application/json` and the given status. For handlers of routes
/// mounted with [`EmulatorBuilder::mount`](crate::EmulatorBuilder::mount).
///
/// A value that does not serialise (a map with non-string keys, a failing `Serialize` impl)
/// becomes a `500` with `{"status": "failed", "error": "internal-error", "message": "cannot encode
/// the response: …"}`, so a broken test route shows up in the client under test instead of
/// panicking the server.
///
/// ```
/// use rockit_emulator::axum::http::StatusCode;
/// use rockit_emulator::axum::response::Response;
/// use rockit_emulator::axum::{Router, routing::get};
/// use rockit_emulator::{ApiError, Caller, json_response};
/// use rockit_model::serde_json::json;
///
/// /// `GET /be/v1/apps`, emulated: the answer is literal JSON, not the client's own types.
/// async fn list_apps(caller: Caller) -> Result<Response, ApiError> {
///     caller.require("apps.read")?;
///     Ok(json_response(StatusCode::OK, &json!({"status": "success", "apps": ["sushi"]})))
/// }
///
/// let extra: Router = Router::new().route("/be/v1/apps", get(list_apps));
/// ```
///
/// A top-level `status` is written first, as the vendor writes it (`json!` sorts keys), so a
/// client that checks it reads no further.
pub fn json_response<T: Serialize + ?Sized>(status: StatusCode, value: &T) -> Response {
    let encoded = serde_json::to_vec(value).and_then(|bytes| {
        if bytes.starts_with(b"{\"status\":") {
            return Ok(bytes);
        }
        // Only an object whose `status` is not first is taken apart: other bytes stay as they are.
        serde_json::from_slice(&bytes).and_then(|value| status_first(&value))
    });
    encoded_response(status, encoded)
}

/// `value` encoded compactly, its top-level `status` (if it is an object with one) first; the
/// other keys in the order `Value` keeps them.
fn status_first(value: &serde_json::Value) -> serde_json::Result<Vec<u8>> {
    let Some((object, first)) = value.as_object().and_then(|object| Some((object, object.get("status")?)))
    else {
        return serde_json::to_vec(value);
    };
    let mut out = b"{\"status\":".to_vec();
    serde_json::to_writer(&mut out, first)?;
    for (key, item) in object.iter().filter(|(key, _)| *key != "status") {
        out.push(b',');
        serde_json::to_writer(&mut out, key)?;
        out.push(b':');
        serde_json::to_writer(&mut out, item)?;
    }
    out.push(b'}');
    Ok(out)
}

/// A JSON answer from a body encoded already, or the `500` of [`json_response`] for a body that
/// did not encode.
pub(crate) fn encoded_response(
    status: StatusCode,
    encoded: serde_json::Result<impl Into<Bytes>>,
) -> Response {
    match encoded {
        Ok(bytes) => json_bytes(status, bytes.into()),
        Err(err) => ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ApiStatus::from("internal-error"),
            format!("cannot encode the response: {err}"),
        )
        .into_response(),
    }
}

fn json_bytes(status: StatusCode, bytes: Bytes) -> Response {
    let mut response = (status, bytes).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// `value` quoted for an error message, shortened if long, so a client's junk is never echoed in
/// full.
pub(crate) fn shown(value: &str) -> String {
    const MAX: usize = 64;
    if value.len() <= MAX {
        return format!("{value:?}");
    }
    let mut end = MAX;
    while !value.is_char_boundary(end) {
        end -= 1;
    }
    format!("{:?}…", &value[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn body(response: Response) -> String {
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    #[derive(Serialize)]
    struct First {
        status: &'static str,
        zeta: u8,
        alpha: u8,
    }

    #[tokio::test]
    async fn a_top_level_status_is_written_first() {
        let sorted = serde_json::json!({"apps": ["sushi"], "count": 1, "status": "success"});
        assert_eq!(
            body(json_response(StatusCode::OK, &sorted)).await,
            r#"{"status":"success","apps":["sushi"],"count":1}"#
        );
        // Bodies without one, or with it first already, are left as they are.
        let plain = serde_json::json!({"token": "t", "b": 2});
        assert_eq!(body(json_response(StatusCode::OK, &plain)).await, r#"{"b":2,"token":"t"}"#);
        let first = First { status: "success", zeta: 1, alpha: 2 };
        assert_eq!(
            body(json_response(StatusCode::OK, &first)).await,
            r#"{"status":"success","zeta":1,"alpha":2}"#
        );
        assert_eq!(body(json_response(StatusCode::OK, &[1, 2])).await, "[1,2]");
    }
}
