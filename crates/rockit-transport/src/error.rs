//! The transport's one error type: an opaque `Error` with a `#[non_exhaustive]` `ErrorKind` and
//! predicates callers branch on.
//!
//! Messages never hold a secret: credentials are only ever named, and body excerpts come from the
//! server's response, never from the request.

use std::error::Error as StdError;
use std::fmt::{self, Write as _};
use std::time::Duration;

use rockit_model::{ApiStatus, Method};

/// Why a proxy would not tunnel; see [`ErrorKind::Proxy`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProxyProblem {
    /// The proxy asked for credentials (`407`) and the proxy URL carries none.
    CredentialsRequired,
    /// The proxy refused the credentials of the proxy URL (`407`).
    CredentialsRefused,
    /// The proxy could not be reached.
    Unreachable,
    /// The proxy answered `CONNECT` with another error, or closed the connection.
    TunnelRefused,
}

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
    /// The TLS handshake failed: the server's certificate was refused (an unknown authority, another
    /// name, expired) or the handshake broke. Never retried: the next attempt would fail alike.
    #[error("{problem}")]
    Tls {
        /// What failed.
        problem: TlsProblem,
    },
    /// The proxy would not tunnel to the server: it asked for credentials (`407`), could not be
    /// reached, or refused. Only an unreachable proxy is retried, as a connection failure is.
    #[error("{}", proxy_text(proxy, *problem))]
    Proxy {
        /// The proxy (its password never shown).
        proxy: ProxyInfo,
        /// What failed.
        problem: ProxyProblem,
    },
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
    /// The server asked the client to come back later than the client would wait: maintenance
    /// (`503` with `Retry-After`), a rate limit (`429`), or another `503`, with a `Retry-After`
    /// (the header, or the body's `retryAfter`) longer than the retry policy's `max_delay` or what
    /// is left of the call's deadline. The call fails at once instead of repeating a request the
    /// server has ruled out; a waiter keeps waiting through it.
    #[error("{}", retry_later_text(*status, code.as_ref(), *retry_after))]
    RetryLater {
        /// The HTTP status code (`503`, `429`).
        status: u16,
        /// The API code from the body (`maintenance`, …), if any.
        code: Option<ApiStatus>,
        /// The server's message, if any.
        message: Option<String>,
        /// How long the server asked the client to wait.
        retry_after: Duration,
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

    /// A `429` or `503` that asked the client to wait ([`ErrorKind::Api`] with a `retry_after`),
    /// which the client is returning instead of waiting, as [`ErrorKind::RetryLater`]; any other
    /// error unchanged.
    pub(crate) fn into_retry_later(mut self) -> Self {
        if let ErrorKind::Api {
            status: status @ (429 | 503),
            code,
            message,
            retry_after: Some(retry_after),
            ..
        } = &mut self.inner.kind
        {
            self.inner.kind = ErrorKind::RetryLater {
                status: *status,
                code: code.take(),
                message: message.take(),
                retry_after: *retry_after,
            };
        }
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
            | ErrorKind::RetryLater { status, .. }
            | ErrorKind::Decode { status, .. }
            | ErrorKind::Redirect { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The API status code from the response body (`missing-param`, `token-expired`, …).
    pub fn api_code(&self) -> Option<&ApiStatus> {
        match &self.inner.kind {
            ErrorKind::Api { code, .. } | ErrorKind::RetryLater { code, .. } => code.as_ref(),
            _ => None,
        }
    }

    /// How long the server asked the client to wait: its `Retry-After` header, or else the
    /// `retryAfter` of its error body, if it sent either.
    pub fn retry_after(&self) -> Option<Duration> {
        match &self.inner.kind {
            ErrorKind::Api { retry_after, .. } => *retry_after,
            ErrorKind::RetryLater { retry_after, .. } => Some(*retry_after),
            _ => None,
        }
    }

    /// Whether the server said it is in maintenance (the code `maintenance`, as the vendor's
    /// gateway sends it with `503` and `Retry-After: 900` \[infra\]). A later call may succeed:
    /// [`retry_after`](Self::retry_after) says when.
    pub fn is_maintenance(&self) -> bool {
        self.api_code() == Some(&ApiStatus::Maintenance)
    }

    /// Whether the server limited the rate of requests (`429`): the gateway's limit is shared by
    /// every client of one ROCKIT Edge \[infra\], so slow down; [`retry_after`](Self::retry_after)
    /// says for how long.
    pub fn is_rate_limited(&self) -> bool {
        self.status() == Some(429)
    }

    /// Whether the server asked to come back later than the client would wait
    /// ([`ErrorKind::RetryLater`]): the call failed at once, without repeating the request.
    pub fn is_retry_later(&self) -> bool {
        matches!(self.inner.kind, ErrorKind::RetryLater { .. })
    }

    /// Whether the failure is transient: a later identical call may succeed. The client has
    /// already retried idempotent calls within its policy before returning such an error, unless
    /// the server asked to wait longer than the policy waits ([`Error::is_retry_later`]).
    pub fn is_retryable(&self) -> bool {
        match &self.inner.kind {
            ErrorKind::Connect
            | ErrorKind::Proxy { problem: ProxyProblem::Unreachable, .. }
            | ErrorKind::Timeout { .. }
            | ErrorKind::Interrupted
            | ErrorKind::RetryLater { .. } => true,
            ErrorKind::Api { status, .. } => is_retryable_status(*status),
            _ => false,
        }
    }

    /// Whether the TLS handshake failed ([`ErrorKind::Tls`]): an untrusted, misnamed or expired
    /// certificate. Not transient: fix the trust (a CA file, the system's store) or the server.
    pub fn is_tls(&self) -> bool {
        matches!(self.inner.kind, ErrorKind::Tls { .. })
    }

    /// Whether the proxy would not tunnel to the server ([`ErrorKind::Proxy`]).
    pub fn is_proxy(&self) -> bool {
        matches!(self.inner.kind, ErrorKind::Proxy { .. })
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

/// `the proxy http://proxy:3128 (from HTTPS_PROXY) asks for credentials (407); …`.
fn proxy_text(proxy: &ProxyInfo, problem: ProxyProblem) -> String {
    let ProxyInfo { variable, url, .. } = proxy;
    match problem {
        ProxyProblem::CredentialsRequired => format!(
            "the proxy {url} (from {variable}) asks for credentials (407); put them in {variable} as http://user:password@host:port"
        ),
        ProxyProblem::CredentialsRefused => format!(
            "the proxy {url} (from {variable}) refused its credentials (407); check the user and password in {variable}"
        ),
        ProxyProblem::Unreachable => format!(
            "cannot connect to the proxy {url} (from {variable}); check its address, or list this host in NO_PROXY to go direct"
        ),
        // Some proxies (tinyproxy) answer wrong credentials with 401, not 407.
        ProxyProblem::TunnelRefused if proxy.has_credentials => format!(
            "the proxy {url} (from {variable}) would not tunnel to the server; check the user and password in {variable}, or ask its administrator to allow CONNECT to this host"
        ),
        ProxyProblem::TunnelRefused => format!(
            "the proxy {url} (from {variable}) would not tunnel to the server; ask its administrator to allow CONNECT to this host, or list it in NO_PROXY"
        ),
    }
}

/// `ROCKIT Edge is in maintenance; it asks to retry in 15m`, and the like for a rate limit or
/// another `503`.
fn retry_later_text(status: u16, code: Option<&ApiStatus>, retry_after: Duration) -> String {
    let when = humantime::format_duration(Duration::from_secs(retry_after.as_secs().max(1)));
    let what = match (status, code) {
        (_, Some(ApiStatus::Maintenance)) => "ROCKIT Edge is in maintenance".to_owned(),
        (429, _) => "ROCKIT Edge is limiting the rate of requests (429)".to_owned(),
        (_, Some(code)) => format!("the server is unavailable ({status} {code})"),
        (_, None) => format!("the server is unavailable ({status})"),
    };
    format!("{what}; it asks to retry in {when}")
}

/// The first bytes of a body as text, made printable ([`rockit_model::printable`]), for error
/// messages, with every one of `secrets` replaced by `[redacted]` (before the text is cut, so no
/// part of one shows at the cut either).
pub(crate) fn excerpt(body: &[u8], secrets: &[&str]) -> String {
    const MAX_CHARS: usize = 200;
    // Redacted whole (the body is capped already) before the cut: no part of a secret can slip
    // into the shown part from past a first cut.
    let text = if secrets.is_empty() {
        String::from_utf8_lossy(&body[..body.len().min(MAX_CHARS * 4)]).into_owned()
    } else {
        redact(&String::from_utf8_lossy(body), secrets)
    };
    let cut: String = text.chars().take(MAX_CHARS).collect();
    let mut out = rockit_model::printable(&cut).into_owned();
    if text.chars().count() > MAX_CHARS || (secrets.is_empty() && body.len() > MAX_CHARS * 4) {
        out.push('…');
    }
    out
}

/// `text` with every one of `secrets` (empty ones ignored) replaced by `[redacted]`.
pub(crate) fn redact(text: &str, secrets: &[&str]) -> String {
    let mut out = text.to_owned();
    // The longest first: one secret may hold another.
    let mut secrets: Vec<&str> = secrets.iter().copied().filter(|secret| !secret.is_empty()).collect();
    secrets.sort_by_key(|secret| std::cmp::Reverse(secret.len()));
    for secret in secrets {
        if out.contains(secret) {
            out = out.replace(secret, "[redacted]");
        }
    }
    out
}

/// Why a TLS handshake failed; see [`ErrorKind::Tls`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TlsProblem {
    /// The server's certificate is signed by an authority the client does not trust.
    UnknownIssuer,
    /// The server's certificate is for another name.
    NameMismatch,
    /// The server's certificate has expired.
    Expired,
    /// The server's certificate is not valid yet.
    NotYetValid,
    /// The client trusts no authority at all: the system has no CA certificates and no CA file
    /// was given.
    NoTrustedRoots,
    /// Another certificate or handshake failure, as the TLS library words it.
    Other(String),
}

impl fmt::Display for TlsProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const ADD_CA: &str = "add your CA with --ca-cert FILE, ROCKIT_CA_CERT or `ca_cert` in a profile, or to the system's trust store";
        match self {
            Self::UnknownIssuer => write!(f, "the server's certificate is signed by an unknown authority; {ADD_CA}"),
            Self::NameMismatch => f.write_str(
                "the server's certificate is for another name; check the endpoint's host name against the certificate",
            ),
            Self::Expired => f.write_str(
                "the server's certificate has expired; renew it on the server (or check this machine's clock)",
            ),
            Self::NotYetValid => f.write_str(
                "the server's certificate is not valid yet; check this machine's clock (or the certificate's start date)",
            ),
            Self::NoTrustedRoots => f.write_str(
                "this machine has no trusted CA certificates; install the system's CA bundle (ca-certificates), set SSL_CERT_FILE, or add your CA with --ca-cert FILE",
            ),
            Self::Other(reason) => write!(f, "the TLS handshake with the server failed ({reason})"),
        }
    }
}

/// The proxy a client uses, for people: `rockit auth status` shows it. Never holds its password.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ProxyInfo {
    /// The variable it came from (`HTTPS_PROXY`, `all_proxy`, …).
    pub variable: &'static str,
    /// Its URL, with any user name and password replaced by `[redacted]`.
    pub url: String,
    /// Whether its URL carries credentials (sent as `Proxy-Authorization`).
    pub has_credentials: bool,
}

impl fmt::Display for ProxyInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (from {})", self.url, self.variable)
    }
}
