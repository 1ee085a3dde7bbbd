//! What the vendor's gateway and web application firewall answer themselves, before the
//! application sees a request \[infra\]: the maintenance answer, the rate limit (a token bucket on
//! real time), the firewall's `404` for a route not on its allow list and its `400` for a method it
//! refuses. The bodies and headers are verbatim from the vendor's public infrastructure code
//! (`API.md`, "Error answers").

use std::time::Instant;

use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use rockit_model::{ApiStatus, ErrorBody};

use crate::api_error::encoded_response;

/// The emulator's own route (not the vendor's) that switches maintenance mode on and off.
pub const MAINTENANCE_PATH: &str = "/_emulator/maintenance";

/// The `Retry-After` of the maintenance answer, in seconds \[infra\].
pub(crate) const MAINTENANCE_RETRY_AFTER: u64 = 900;

/// The `message` of the maintenance answer \[infra\].
pub(crate) const MAINTENANCE_MESSAGE: &str = "The service is in maintenance mode. Please retry later.";

/// The `Retry-After` of the firewall's rate limit answer, in seconds \[infra\].
pub(crate) const RATE_LIMIT_RETRY_AFTER: u64 = 60;

/// Marks a response the firewall wrote, so the front door strips the `Allow` header axum adds to
/// a method router's fallback answer (the firewall sends none) and logs a hint for people.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FirewallAnswer {
    /// No route serves the path.
    NoRoute,
    /// A route serves the path, but not with this method.
    WrongMethod,
    /// Any other firewall answer (rate limit, refused method).
    Other,
}

/// Whether `path` belongs to the vendor's API (`/be/…`), which maintenance mode and the rate limit
/// cover; the emulator's own `/_emulator/…` routes never are.
pub(crate) fn is_vendor_path(path: &str) -> bool {
    path == "/be" || path.starts_with("/be/")
}

/// Whether the firewall lets `method` through at all: GET, POST, PATCH and DELETE \[infra\].
pub(crate) fn firewall_allows(method: &Method) -> bool {
    [Method::GET, Method::POST, Method::PATCH, Method::DELETE].contains(method)
}

/// The gateway's maintenance answer, byte for byte \[infra\]: `503`, `Content-Type:
/// application/json`, `Retry-After: 900`, `{"status":"failed","error":"maintenance","message":
/// "The service is in maintenance mode. Please retry later.","retryAfter":"900"}`.
pub(crate) fn maintenance() -> Response {
    let body =
        ErrorBody::new(ApiStatus::Maintenance, MAINTENANCE_MESSAGE).with_retry_after(MAINTENANCE_RETRY_AFTER);
    let mut response = encoded_response(StatusCode::SERVICE_UNAVAILABLE, serde_json::to_vec(&body));
    response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(MAINTENANCE_RETRY_AFTER));
    response
}

/// A firewall answer \[infra\]: `{"code":<status>,"message":"<reason phrase>"}` with `Content-Type:
/// application/json` and, if given, `Retry-After`: `404 Not Found`, `400 Bad Request`, `429 Too
/// Many Requests`.
pub(crate) fn firewall(status: StatusCode, retry_after: Option<u64>, kind: FirewallAnswer) -> Response {
    let body = ErrorBody::firewall(status.as_u16(), status.canonical_reason().unwrap_or_default());
    let mut response = encoded_response(status, serde_json::to_vec(&body));
    if let Some(seconds) = retry_after {
        response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response.extensions_mut().insert(kind);
    response
}

/// The firewall's rate limit answer \[infra\]: `429`, `Retry-After: <retry_after>`,
/// `{"code":429,"message":"Too Many Requests"}`.
pub(crate) fn too_many_requests(retry_after: u64) -> Response {
    firewall(StatusCode::TOO_MANY_REQUESTS, Some(retry_after), FirewallAnswer::Other)
}

/// The total rate limit: a token bucket holding up to `per_second` tokens, refilled at
/// `per_second` tokens a second of real, monotonic time (the emulator's clock can be frozen or
/// sped up; a rate limit counts real time). `0` means no limit.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    per_second: u32,
    tokens: f64,
    last: Instant,
}

impl RateLimiter {
    /// A full bucket for `limit` requests a second (`None` or `0`: no limit).
    pub(crate) fn new(limit: Option<u32>, now: Instant) -> Self {
        let per_second = limit.unwrap_or(0);
        Self { per_second, tokens: f64::from(per_second), last: now }
    }

    /// The limit, if there is one.
    pub(crate) fn limit(&self) -> Option<u32> {
        (self.per_second > 0).then_some(self.per_second)
    }

    /// Whether a request arriving at `now` may pass; takes a token if so.
    pub(crate) fn admit(&mut self, now: Instant) -> bool {
        if self.per_second == 0 {
            return true;
        }
        let rate = f64::from(self.per_second);
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.last = self.last.max(now);
        self.tokens = (self.tokens + elapsed * rate).min(rate);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn the_bucket_holds_one_second_of_requests_and_refills_at_the_rate() {
        let start = Instant::now();
        let mut bucket = RateLimiter::new(Some(3), start);
        assert_eq!(bucket.limit(), Some(3));
        let admitted = (0..10).filter(|_| bucket.admit(start)).count();
        assert_eq!(admitted, 3, "a full bucket, then nothing");
        assert!(!bucket.admit(start + Duration::from_millis(300)), "0.9 of a token");
        assert!(bucket.admit(start + Duration::from_millis(340)), "1.02 tokens");
        assert!(!bucket.admit(start + Duration::from_millis(340)));
        let later = start + Duration::from_secs(60);
        assert_eq!((0..10).filter(|_| bucket.admit(later)).count(), 3, "never more than the capacity");
        assert!(!bucket.admit(start), "time going backwards adds nothing");
    }

    #[test]
    fn zero_or_none_is_no_limit() {
        let now = Instant::now();
        for limit in [None, Some(0)] {
            let mut bucket = RateLimiter::new(limit, now);
            assert_eq!(bucket.limit(), None);
            assert!((0..10_000).all(|_| bucket.admit(now)));
        }
    }

    #[test]
    fn vendor_paths_and_methods() {
        for path in ["/be", "/be/", "/be/v1/tasks", "/be/v1/apps/x"] {
            assert!(is_vendor_path(path), "{path}");
        }
        for path in ["/", "/bee", "/_emulator/maintenance", "/nowhere/be/"] {
            assert!(!is_vendor_path(path), "{path}");
        }
        for method in [Method::GET, Method::POST, Method::PATCH, Method::DELETE] {
            assert!(firewall_allows(&method), "{method}");
        }
        for method in [Method::HEAD, Method::OPTIONS, Method::PUT, Method::TRACE, Method::CONNECT] {
            assert!(!firewall_allows(&method), "{method}");
        }
        assert!(!firewall_allows(&Method::from_bytes(b"BREW").unwrap()));
    }
}
