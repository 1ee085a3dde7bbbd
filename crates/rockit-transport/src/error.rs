//! The transport's one error type: an opaque `Error` with a `#[non_exhaustive]` `ErrorKind` and
//! predicates callers branch on.
//!
//! Messages never hold a secret: credentials are only ever named, and body excerpts come from the
//! server's response, never from the request.

use std::error::Error as StdError;
use std::fmt::{self, Write as _};
use std::time::Duration;

use rockit_model::{ApiStatus, Method};

/// `Result` with this crate's [`Error`] as the default error type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why a call failed; see [`Error::kind`]. Display texts are lowercase and say what to do next
/// where there is something to do.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The client configuration is invalid: a missing setting, conflicting credentials, a bad URL.
    #[error("invalid configuration: {message}")]
    InvalidConfig {
        /// What is wrong and how to fix it.
        message: String,
    },
    /// The endpoint describes a request that cannot be sent (a path segment that would change the
    /// URL's structure, a body that fails to serialise).
    #[error("invalid request: {message}")]
    InvalidRequest {
        /// What is wrong.
        message: String,
    },
    /// Credentials would travel in clear text to a host that is not loopback.
    #[error(
        "refusing to send credentials over plain http to {url}; use https, or opt in with allow_insecure_http(true)"
    )]
    InsecureEndpoint {
        /// The refused base URL.
        url: String,
    },
    /// The credential provider could not supply or refresh credentials.
    #[error("credentials unavailable: {message}")]
    Credentials {
        /// What the provider reported.
        message: String,
    },
    /// The connection could not be established; the request never left.
    #[error("cannot connect to the server; check the endpoint URL and your network")]
    Connect,
    /// The attempt or the whole call ran out of time.
    #[error("{}", if *.deadline { "the call's deadline passed" } else { "timed out waiting for the server" })]
    Timeout {
        /// Whether the call's overall deadline (rather than one attempt's timeout) ran out.
        deadline: bool,
    },
    /// The connection broke after the request was sent (closed mid-response, truncated body).
    #[error("the connection broke before the response was complete")]
    Interrupted,
    /// The server answered with an error status, or a `2xx` whose `status` is not `success`.
    #[error("{}", api_text(*status, code.as_ref(), message.as_deref(), excerpt))]
    Api {
        /// The HTTP status code.
        status: u16,
        /// The API status code from the body (`missing-param`, `token-expired`, …), if any.
        code: Option<ApiStatus>,
        /// The server's message, if any.
        message: Option<String>,
        /// The start of the response body, for diagnosis.
        excerpt: String,
        /// The server's `Retry-After`, if it sent one.
        retry_after: Option<Duration>,
    },
    /// A response body did not decode into the expected type.
    #[error("{status} response did not decode ({reason}); body starts {excerpt:?}")]
    Decode {
        /// The HTTP status code.
        status: u16,
        /// Why it did not decode.
        reason: String,
        /// The start of the response body, for diagnosis.
        excerpt: String,
    },
    /// The response body exceeded the configured size cap.
    #[error(
        "response body exceeds the {limit}-byte cap; raise it with max_response_bytes() if this is expected"
    )]
    BodyTooLarge {
        /// The cap, in bytes.
        limit: usize,
    },
    /// The server redirected; redirects are not followed so credentials never travel elsewhere.
    #[error(
        "{status} redirect to {} not followed; point the client at the final URL",
        location.as_deref().unwrap_or("an unnamed location")
    )]
    Redirect {
        /// The HTTP status code.
        status: u16,
        /// The `Location` header, if any.
        location: Option<String>,
    },
}

/// An error from the transport: what went wrong ([`ErrorKind`]), for which request, after how many
/// attempts, with the underlying cause in [`std::error::Error::source`].
///
/// `Display` reads like `PATCH /be/v1/tasks: 401 token-expired: log in again (after 1 attempt)`.
pub struct Error {
    inner: Box<Inner>,
}

struct Inner {
    kind: ErrorKind,
    request: Option<(Method, String)>,
    permission: Option<&'static str>,
    attempts: u32,
    source: Option<Box<dyn StdError + Send + Sync>>,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind) -> Self {
        Self { inner: Box::new(Inner { kind, request: None, permission: None, attempts: 0, source: None }) }
    }

    pub(crate) fn config(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidConfig { message: message.into() })
    }

    pub(crate) fn with_source(mut self, source: impl StdError + Send + Sync + 'static) -> Self {
        self.inner.source = Some(Box::new(source));
        self
    }

    /// Names the request the error belongs to: what `Display` shows, and what [`Error::method`],
    /// [`Error::path`] and [`Error::permission`] return.
    pub(crate) fn for_request(
        mut self,
        method: Method,
        path: String,
        permission: Option<&'static str>,
        attempts: u32,
    ) -> Self {
        self.inner.request = Some((method, path));
        self.inner.permission = permission;
        self.inner.attempts = attempts;
        self
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.inner.kind
    }

    /// The HTTP status of the response, if there was one.
    pub fn status(&self) -> Option<u16> {
        match &self.inner.kind {
            ErrorKind::Api { status, .. }
            | ErrorKind::Decode { status, .. }
            | ErrorKind::Redirect { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The API status code from the response body (`missing-param`, `token-expired`, …).
    pub fn api_code(&self) -> Option<&ApiStatus> {
        match &self.inner.kind {
            ErrorKind::Api { code, .. } => code.as_ref(),
            _ => None,
        }
    }

    /// The server's `Retry-After`, if it sent one.
    pub fn retry_after(&self) -> Option<Duration> {
        match &self.inner.kind {
            ErrorKind::Api { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// Whether the failure is transient: a later identical call may succeed. The client has
    /// already retried idempotent calls within its policy before returning such an error.
    pub fn is_retryable(&self) -> bool {
        match &self.inner.kind {
            ErrorKind::Connect | ErrorKind::Timeout { .. } | ErrorKind::Interrupted => true,
            ErrorKind::Api { status, .. } => is_retryable_status(*status),
            _ => false,
        }
    }

    /// Whether an attempt or the call's deadline timed out.
    pub fn is_timeout(&self) -> bool {
        matches!(self.inner.kind, ErrorKind::Timeout { .. })
    }

    /// Whether the server refused the credentials (`401`) or their permissions (`403`), or the
    /// credential provider could not supply them.
    pub fn is_auth(&self) -> bool {
        matches!(self.inner.kind, ErrorKind::Api { status: 401 | 403, .. } | ErrorKind::Credentials { .. })
    }

    /// Whether the server reported that the resource does not exist (`404`).
    pub fn is_not_found(&self) -> bool {
        matches!(self.inner.kind, ErrorKind::Api { status: 404, .. })
    }

    /// How many attempts were made; 0 if the request was never sent.
    pub fn attempts(&self) -> u32 {
        self.inner.attempts
    }

    /// The method of the failed request, if the error belongs to one.
    pub fn method(&self) -> Option<Method> {
        self.inner.request.as_ref().map(|(method, _)| *method)
    }

    /// The unencoded path of the failed request, if the error belongs to one.
    pub fn path(&self) -> Option<&str> {
        self.inner.request.as_ref().map(|(_, path)| path.as_str())
    }

    /// The permission the failed request needs, as its endpoint declares it
    /// ([`Endpoint::permission`](rockit_model::Endpoint::permission)): what a `403` is most likely
    /// missing, for any endpoint, downstream ones included.
    pub fn permission(&self) -> Option<&'static str> {
        self.inner.permission
    }
}

/// Statuses worth retrying for idempotent requests.
pub(crate) fn is_retryable_status(status: u16) -> bool {
    matches!(status, 408 | 429 | 500 | 502 | 503 | 504)
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some((method, path)) = &self.inner.request {
            write!(f, "{method} {path}: ")?;
        }
        write!(f, "{}", self.inner.kind)?;
        match self.inner.attempts {
            0 => Ok(()),
            1 => write!(f, " (after 1 attempt)"),
            n => write!(f, " (after {n} attempts)"),
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut debug = f.debug_struct("Error");
        debug.field("kind", &self.inner.kind);
        if let Some((method, path)) = &self.inner.request {
            debug.field("method", method).field("path", path);
        }
        if let Some(permission) = self.inner.permission {
            debug.field("permission", &permission);
        }
        debug.field("attempts", &self.inner.attempts);
        if let Some(source) = &self.inner.source {
            debug.field("source", &source.to_string());
        }
        debug.finish()
    }
}

impl StdError for Error {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.inner.source.as_deref().map(|source| source as &(dyn StdError + 'static))
    }
}

/// `401 token-expired: message`; without code or message, the body's excerpt stands in.
fn api_text(status: u16, code: Option<&ApiStatus>, message: Option<&str>, excerpt: &str) -> String {
    let mut text = status.to_string();
    if let Some(code) = code {
        text.push(' ');
        text.push_str(code.as_str());
    }
    match message {
        Some(message) => {
            text.push_str(": ");
            text.push_str(message);
        }
        None if code.is_none() && !excerpt.trim().is_empty() => {
            let _ = write!(text, ": body starts {:?}", excerpt.trim());
        }
        None => {}
    }
    text
}

/// The first bytes of a body as text, made printable ([`rockit_model::printable`]), for error
/// messages.
pub(crate) fn excerpt(body: &[u8]) -> String {
    const MAX_CHARS: usize = 200;
    let text = String::from_utf8_lossy(&body[..body.len().min(MAX_CHARS * 4)]);
    let cut: String = text.chars().take(MAX_CHARS).collect();
    let mut out = rockit_model::printable(&cut).into_owned();
    if text.chars().count() > MAX_CHARS || body.len() > MAX_CHARS * 4 {
        out.push('…');
    }
    out
}
