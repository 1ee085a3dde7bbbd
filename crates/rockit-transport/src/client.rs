//! `Client::execute`: one call from a `rockit_model::Endpoint` to its decoded response, through
//! URL building, credentials, attempts with timeouts, retry classification and decoding.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::Url;
use reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderValue, LOCATION, RETRY_AFTER};
use rockit_model::{ApiStatus, Endpoint, ErrorBody, Method, PathSegments, QueryPairs};
use secrecy::{ExposeSecret, SecretString};
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use tracing::Instrument as _;

use crate::credentials::CredentialProvider;
use crate::error::{Error, ErrorKind, ProxyInfo, ProxyProblem, Result, excerpt, is_retryable_status, redact};
use crate::retry::{RetryPolicy, RetryTokens, parse_retry_after};
use crate::tls::Roots;

/// Everything but RFC 3986's unreserved characters is percent-encoded in a path segment, so the
/// server decodes exactly the original segment and no segment can add or remove a path level.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// A client for the ROCKIT Edge backend API: executes any [`Endpoint`].
///
/// Cheap to clone: clones share one connection pool, credential provider and configuration.
/// Build it once with [`Client::builder`] or [`Client::from_env`] and reuse it.
#[derive(Clone)]
pub struct Client {
    inner: Arc<ClientInner>,
}

pub(crate) struct ClientInner {
    pub(crate) http: reqwest::Client,
    pub(crate) base_url: Url,
    pub(crate) provider: Arc<dyn CredentialProvider>,
    /// Whether the credentials are fixed: their headers, built once at `build()`, are the HTTP
    /// client's default headers; otherwise each call asks the provider.
    pub(crate) fixed_credentials: bool,
    /// The organization of fixed credentials, when they name one.
    pub(crate) org: Option<String>,
    pub(crate) timeout: Duration,
    pub(crate) deadline: Option<Duration>,
    pub(crate) retry: RetryPolicy,
    /// The tokens of `retry.budget`, one bucket for the client and its clones.
    pub(crate) retry_tokens: RetryTokens,
    pub(crate) max_response_bytes: usize,
    /// The roots the client trusts and the proxy it uses.
    pub(crate) network: Network,
    /// The secret values of fixed credentials, redacted from whatever an error quotes.
    pub(crate) secrets: Vec<SecretString>,
}

/// The secrets a call knows, gathered only when an error is worded: those of fixed credentials
/// and those of the headers the call sent.
struct Known<'a> {
    client: &'a ClientInner,
    headers: &'a reqwest::header::HeaderMap,
}

impl Known<'_> {
    /// Calls `with` with the secrets as text.
    fn secrets<R>(&self, with: impl FnOnce(&[&str]) -> R) -> R {
        let owned = secret_values(self.headers);
        let all: Vec<&str> =
            self.client.secrets.iter().chain(&owned).map(ExposeSecret::expose_secret).collect();
        with(&all)
    }
}

/// The values of the secret headers ([`SECRET_HEADERS`](rockit_model::SECRET_HEADERS)) in `headers`.
pub(crate) fn secret_values(headers: &reqwest::header::HeaderMap) -> Vec<SecretString> {
    rockit_model::SECRET_HEADERS
        .iter()
        .filter_map(|name| headers.get(*name))
        .filter_map(|value| value.to_str().ok())
        .map(|value| SecretString::from(value.to_owned()))
        .collect()
}

/// How a client reaches its server: see [`Client::network`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Network {
    /// The certificate authorities trusted for `https`.
    pub roots: Roots,
    /// The proxy requests go through, if any (never for a loopback endpoint, nor for a host
    /// `NO_PROXY` lists).
    pub proxy: Option<ProxyInfo>,
}

/// A complete response, read within the body cap.
struct RawResponse {
    status: u16,
    retry_after: Option<Duration>,
    location: Option<String>,
    body: Vec<u8>,
}

/// A failed attempt: the kind, and the underlying cause.
struct AttemptError {
    kind: ErrorKind,
    source: Option<reqwest::Error>,
}

impl AttemptError {
    fn from_reqwest(err: reqwest::Error, proxy: Option<&ProxyInfo>) -> Self {
        // A certificate is checked while connecting; a TLS error later is a broken connection.
        let kind = if let Some(problem) = err.is_connect().then(|| crate::tls::tls_problem(&err)).flatten() {
            ErrorKind::Tls { problem }
        } else if let Some((proxy, problem)) = proxy.and_then(|proxy| proxy_problem(&err, proxy)) {
            ErrorKind::Proxy { proxy: proxy.clone(), problem }
        } else if err.is_connect() {
            ErrorKind::Connect
        } else if err.is_timeout() {
            ErrorKind::Timeout { deadline: false }
        } else {
            ErrorKind::Interrupted
        };
        Self { kind, source: Some(err) }
    }

    fn into_error(self) -> Error {
        let error = Error::new(self.kind);
        match self.source {
            Some(source) => error.with_source(source),
            None => error,
        }
    }
}

/// The proxy's part in a failed connection, if it failed at the proxy: hyper's tunnel errors are
/// not public types, so they are told by their words (pinned by the proxy tests).
fn proxy_problem<'a>(err: &reqwest::Error, proxy: &'a ProxyInfo) -> Option<(&'a ProxyInfo, ProxyProblem)> {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(current) = cause {
        if let Some(what) = current.to_string().strip_prefix("tunnel error: ") {
            let problem = match what {
                "proxy authorization required" if proxy.has_credentials => ProxyProblem::CredentialsRefused,
                "proxy authorization required" => ProxyProblem::CredentialsRequired,
                "failed to create underlying connection" | "io error establishing tunnel" => {
                    ProxyProblem::Unreachable
                }
                _ => ProxyProblem::TunnelRefused,
            };
            return Some((proxy, problem));
        }
        cause = current.source();
    }
    None
}

impl Client {
    pub(crate) fn from_inner(inner: ClientInner) -> Self {
        Self { inner: Arc::new(inner) }
    }

    /// The organization the client's fixed credentials name, if they name one (an API key always
    /// does; a token may not; a [`CredentialProvider`] is not asked). Task names start with it,
    /// which is how a task's app is told from its org.
    pub fn org(&self) -> Option<&str> {
        self.inner.org.as_deref()
    }

    /// The certificate authorities the client trusts and the proxy it goes through, for people
    /// (`rockit auth status` shows them).
    pub fn network(&self) -> &Network {
        &self.inner.network
    }

    /// The base URL every endpoint path is appended to.
    pub fn base_url(&self) -> &str {
        self.inner.base_url.as_str()
    }

    /// The URL `endpoint` would be sent to: base URL, percent-encoded path segments and query.
    pub fn url_for<E: Endpoint + ?Sized>(&self, endpoint: &E) -> Result<String> {
        build_url(&self.inner.base_url, &endpoint.path(), &endpoint.query()).map(String::from)
    }

    /// Sends `endpoint`, retrying as its idempotency and the retry policy allow, and decodes the
    /// response.
    ///
    /// A `2xx` response decodes into `E::Response`, unless its top-level `status` is not
    /// `success` (for endpoints that [check it](Endpoint::checks_api_status)), which is an
    /// [`ErrorKind::Api`] error like any non-`2xx` answer.
    pub async fn execute<E: Endpoint + ?Sized>(&self, endpoint: &E) -> Result<E::Response> {
        let method = endpoint.method();
        let path = endpoint.path();
        let span = tracing::debug_span!(
            "rockit.request",
            method = method.as_str(),
            path = %path,
            query = tracing::field::Empty,
            attempt = tracing::field::Empty,
            status = tracing::field::Empty,
            elapsed_ms = tracing::field::Empty,
        );
        let prepared = build_url(&self.inner.base_url, &path, &endpoint.query()).and_then(|url| {
            let body = endpoint.body().map_err(|err| {
                Error::new(ErrorKind::InvalidRequest {
                    message: format!("request body does not serialise: {err}"),
                })
                .with_source(err)
            })?;
            Ok((url, body.map(|body| Bytes::from(body.into_bytes()))))
        });
        let permission = endpoint.permission();
        let (url, body) = prepared.map_err(|err| err.for_request(method, path.to_string(), permission, 0))?;
        let http_method =
            reqwest_method(method).map_err(|err| err.for_request(method, path.to_string(), permission, 0))?;
        if let Some(query) = url.query() {
            // The query holds filters and positions, never credentials: log it, so that the
            // requests of one listing can be told apart.
            span.record("query", query);
        }
        let call = Call { client: &self.inner, http_method, url, body, idempotent: endpoint.idempotent() };
        let started = Instant::now();
        let result = call.run::<E>(endpoint, started).instrument(span.clone()).await;
        span.record("elapsed_ms", started.elapsed().as_millis());
        result.map_err(|(err, attempts)| err.for_request(method, path.to_string(), permission, attempts))
    }
}

/// A failed attempt, as the retry decision sees it.
struct Failed<'a> {
    error: &'a Error,
    /// Whether the server answered (an error status), rather than the attempt failing on the way.
    answered: bool,
    idempotent: bool,
    /// Whether the credentials were refreshed once already in this call.
    refreshed: bool,
    /// Retries made so far in this call.
    retries: u32,
}

/// What a call does after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Next {
    /// Return the error: retrying cannot help, or is not safe.
    Return,
    /// Refresh the credentials and repeat the request once.
    Refresh,
    /// Wait this long, then try again (if the retry budget pays).
    Retry(Duration),
    /// Retrying is allowed but pointless now: return the error, for this reason.
    GiveUp(&'static str),
}

/// The retry table of ARCHITECTURE.md, as a pure function: what to do after `failed`, given the
/// retry policy, the `delay` the next retry would wait and the time `left` before the call's
/// deadline.
fn decide(failed: &Failed<'_>, policy: &RetryPolicy, delay: Duration, left: Option<Duration>) -> Next {
    let error = failed.error;
    if failed.answered && !failed.refreshed && error.api_code() == Some(&ApiStatus::TokenExpired) {
        return Next::Refresh;
    }
    let retryable = if failed.answered {
        failed.idempotent && error.status().is_some_and(is_retryable_status)
    } else {
        match error.kind() {
            // The request never left: safe to send again whatever the endpoint.
            ErrorKind::Connect | ErrorKind::Proxy { problem: ProxyProblem::Unreachable, .. } => true,
            ErrorKind::Timeout { deadline } => failed.idempotent && !deadline,
            ErrorKind::Interrupted => failed.idempotent,
            _ => false,
        }
    };
    if !retryable {
        Next::Return
    } else if failed.retries + 1 >= policy.max_attempts {
        Next::GiveUp("no attempts left")
    } else if error.retry_after().is_some_and(|asked| asked > policy.max_delay) {
        // Maintenance says 900 s: repeating the request sooner is pointless.
        Next::GiveUp("the server asks to wait longer than the retry policy's max_delay")
    } else if left.is_some_and(|left| delay >= left) {
        Next::GiveUp("the delay would pass the deadline")
    } else {
        Next::Retry(delay)
    }
}

struct Call<'a> {
    client: &'a ClientInner,
    http_method: reqwest::Method,
    url: Url,
    /// Shared cheaply between attempts.
    body: Option<Bytes>,
    idempotent: bool,
}

impl Call<'_> {
    async fn run<E: Endpoint + ?Sized>(
        &self,
        endpoint: &E,
        started: Instant,
    ) -> std::result::Result<E::Response, (Error, u32)> {
        // A deadline too far away to represent is no deadline.
        let deadline_at = self.client.deadline.and_then(|deadline| started.checked_add(deadline));
        let mut attempts = 0_u32;
        let mut retries = 0_u32;
        // What the last retry took from the retry budget: a success puts it back.
        let mut last_retry_cost = None;
        let mut refreshed = false;
        // Empty for fixed credentials, which go out as default headers.
        let mut headers = if self.client.fixed_credentials {
            reqwest::header::HeaderMap::new()
        } else {
            self.client
                .provider
                .credentials()
                .await
                .and_then(|credentials| credentials.headers())
                .map_err(|err| (err, 0))?
        };
        loop {
            attempts += 1;
            tracing::Span::current().record("attempt", attempts);
            let (error, answered) = match self.attempt(&headers, deadline_at).await {
                Ok(response) => {
                    tracing::Span::current().record("status", response.status);
                    let known = Known { client: self.client, headers: &headers };
                    match classify(endpoint, response, &known) {
                        Ok(value) => {
                            self.client.retry_tokens.deposit(last_retry_cost);
                            return Ok(value);
                        }
                        Err(error) => (error, true),
                    }
                }
                Err(failure) => (failure.into_error(), false),
            };
            let delay = self.client.retry.delay(retries + 1, error.retry_after());
            let left = deadline_at.map(|at| at.saturating_duration_since(Instant::now()));
            let failed = Failed { error: &error, answered, idempotent: self.idempotent, refreshed, retries };
            match decide(&failed, &self.client.retry, delay, left) {
                Next::Return => return Err((self.asked_too_long(error, deadline_at), attempts)),
                Next::Refresh => {
                    refreshed = true;
                    // If the provider cannot refresh, the caller still sees the server's
                    // `401 token-expired`, with the refresh failure as its cause.
                    headers = self
                        .fresh_headers(&headers)
                        .await
                        .map_err(|failure| (error.with_source(failure), attempts))?;
                }
                Next::GiveUp(reason) => {
                    tracing::debug!(error = %error.kind(), reason, "not retrying");
                    return Err((self.asked_too_long(error, deadline_at), attempts));
                }
                Next::Retry(delay) => {
                    // Every retry is paid from the client's budget, a connect failure's included:
                    // when most calls fail, the budget runs out and calls stop multiplying the load.
                    let Some(cost) = self.client.retry_tokens.withdraw(error.kind()) else {
                        tracing::debug!(error = %error.kind(), "not retrying: the retry budget is spent");
                        return Err((self.asked_too_long(error, deadline_at), attempts));
                    };
                    last_retry_cost = Some(cost);
                    retries += 1;
                    tracing::debug!(reason = %error.kind(), delay_ms = delay.as_millis(), "retrying");
                    tokio::time::sleep(delay).await;
                }
            }
        }
    }

    /// `error`, as [`ErrorKind::RetryLater`] when the server asked to wait longer than this call
    /// would: past the retry policy's `max_delay`, or past the call's deadline.
    fn asked_too_long(&self, error: Error, deadline_at: Option<Instant>) -> Error {
        match error.retry_after() {
            Some(asked)
                if asked > self.client.retry.max_delay
                    || deadline_at.is_some_and(|at| Instant::now() + asked >= at) =>
            {
                error.into_retry_later()
            }
            _ => error,
        }
    }

    /// The credentials to repeat a call with after `token-expired`: those another call refreshed
    /// meanwhile (callers that hit one expiry together), or else freshly refreshed ones.
    async fn fresh_headers(&self, used: &reqwest::header::HeaderMap) -> Result<reqwest::header::HeaderMap> {
        if !self.client.fixed_credentials
            && let Ok(current) = self.client.provider.credentials().await.and_then(|c| c.headers())
            && current != *used
        {
            tracing::debug!("token expired; repeating once with credentials refreshed meanwhile");
            return Ok(current);
        }
        tracing::debug!("token expired; refreshing credentials and repeating once");
        self.client.provider.refresh().await.and_then(|c| c.headers())
    }

    /// One attempt: send, then read the whole body within the size cap, all within the attempt's
    /// timeout (or what is left of the deadline, if that is sooner).
    async fn attempt(
        &self,
        headers: &reqwest::header::HeaderMap,
        deadline_at: Option<Instant>,
    ) -> std::result::Result<RawResponse, AttemptError> {
        let mut timeout = self.client.timeout;
        let mut is_deadline = false;
        if let Some(at) = deadline_at {
            let left = at.saturating_duration_since(Instant::now());
            if left <= timeout {
                timeout = left;
                is_deadline = true;
            }
        }
        let mut request = self.client.http.request(self.http_method.clone(), self.url.clone());
        if !headers.is_empty() {
            request = request.headers(headers.clone());
        }
        if let Some(body) = &self.body {
            request =
                request.header(CONTENT_TYPE, HeaderValue::from_static("application/json")).body(body.clone());
        }
        let exchange = async {
            let response = request
                .send()
                .await
                .map_err(|err| AttemptError::from_reqwest(err, self.client.network.proxy.as_ref()))?;
            read_response(response, self.client.max_response_bytes).await
        };
        match tokio::time::timeout(timeout, exchange).await {
            Ok(result) => result,
            Err(_) => Err(AttemptError { kind: ErrorKind::Timeout { deadline: is_deadline }, source: None }),
        }
    }
}

async fn read_response(
    mut response: reqwest::Response,
    limit: usize,
) -> std::result::Result<RawResponse, AttemptError> {
    let status = response.status().as_u16();
    let headers = response.headers();
    let text = |name| headers.get(name).and_then(|value: &HeaderValue| value.to_str().ok());
    let retry_after = text(RETRY_AFTER).and_then(|value| parse_retry_after(value, SystemTime::now()));
    let location = text(LOCATION).map(str::to_owned);
    let announced = text(CONTENT_LENGTH).and_then(|value| value.parse::<usize>().ok());
    let too_large = || AttemptError { kind: ErrorKind::BodyTooLarge { limit }, source: None };
    // A success body must be whole to decode; of any other answer only the status, the headers
    // and the start of the body matter, so a huge error page is cut, not refused.
    let success = (200..300).contains(&status);
    if success && announced.is_some_and(|len| len > limit) {
        return Err(too_large());
    }
    let mut body = Vec::with_capacity(announced.unwrap_or(0).min(limit));
    while let Some(chunk) = response.chunk().await.map_err(|err| AttemptError::from_reqwest(err, None))? {
        if body.len() + chunk.len() > limit {
            if success {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk[..limit - body.len()]);
            break;
        }
        body.extend_from_slice(&chunk);
    }
    Ok(RawResponse { status, retry_after, location, body })
}

/// Turns a complete response into the decoded value or a typed error.
fn classify<E: Endpoint + ?Sized>(
    endpoint: &E,
    response: RawResponse,
    known: &Known<'_>,
) -> Result<E::Response> {
    let RawResponse { status, retry_after, location, body } = response;
    match status {
        200..=299 => {
            // A sensitive success body is never quoted; any other body shows no secret the
            // client knows.
            let withheld = endpoint.sensitive_response();
            if endpoint.checks_api_status()
                && let Some(code) = top_level_status(&body)
                && code != "success"
            {
                return Err(api_error(status, &body, retry_after, known, withheld));
            }
            endpoint.decode(&body).map_err(|err| {
                if withheld {
                    // serde's words may quote a value: only where it failed is said.
                    let reason =
                        format!("{:?} error at line {} column {}", err.classify(), err.line(), err.column())
                            .to_lowercase();
                    return Error::new(ErrorKind::Decode { status, reason, excerpt: withheld_text(&body) });
                }
                known.secrets(|secrets| {
                    let reason = redact(&err.to_string(), secrets);
                    let clean = reason == err.to_string();
                    let error =
                        Error::new(ErrorKind::Decode { status, reason, excerpt: excerpt(&body, secrets) });
                    if clean { error.with_source(err) } else { error }
                })
            })
        }
        300..=399 => Err(Error::new(ErrorKind::Redirect { status, location })),
        _ => Err(api_error(status, &body, retry_after, known, false)),
    }
}

/// What stands for a body that must not be quoted.
fn withheld_text(body: &[u8]) -> String {
    format!("[{} bytes, not shown: the response is sensitive]", body.len())
}

/// An error answer: its code and message from the body in any of the shapes [`ErrorBody`] reads,
/// and how long to wait from the `Retry-After` header or else the body's `retryAfter`. Known
/// `secrets` are redacted; a `withheld` body (a sensitive `2xx`) shows neither message nor bytes.
fn api_error(
    status: u16,
    body: &[u8],
    retry_after: Option<Duration>,
    known: &Known<'_>,
    withheld: bool,
) -> Error {
    let parsed = ErrorBody::parse(body);
    let (message, excerpt) = if withheld {
        (None, withheld_text(body))
    } else {
        known.secrets(|secrets| {
            (parsed.message.map(|message| redact(&message, secrets)), excerpt(body, secrets))
        })
    };
    Error::new(ErrorKind::Api {
        status,
        code: parsed.code,
        message,
        excerpt,
        retry_after: retry_after.or(parsed.retry_after.map(Duration::from_secs)),
    })
}

/// The top-level `"status"` string of a JSON object, if it has one.
///
/// Stops reading at the `status` key instead of scanning the whole body (the vendor and the
/// emulator both write it first), so checking a large list page costs next to nothing. The early
/// stop surfaces as a deserialisation error, which is expected and ignored: the found value is
/// handed out through the seed.
fn top_level_status(body: &[u8]) -> Option<String> {
    struct Seed<'s>(&'s mut Option<String>);
    struct Found;
    impl<'de> DeserializeSeed<'de> for Seed<'_> {
        type Value = Found;
        fn deserialize<D: de::Deserializer<'de>>(
            self,
            deserializer: D,
        ) -> std::result::Result<Found, D::Error> {
            deserializer.deserialize_map(self)
        }
    }
    impl<'de> Visitor<'de> for Seed<'_> {
        type Value = Found;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            // Equivalent mutant: an `Ok` that writes nothing; the errors it words are discarded.
            f.write_str("a JSON object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Found, A::Error> {
            while let Some(key) = map.next_key::<Cow<'de, str>>()? {
                if key == "status" {
                    if let Ok(value) = map.next_value::<Cow<'de, str>>() {
                        *self.0 = Some(value.into_owned());
                    }
                    return Err(de::Error::custom("status found"));
                }
                map.next_value::<IgnoredAny>()?;
            }
            Ok(Found)
        }
    }
    let mut found = None;
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let _ = Seed(&mut found).deserialize(&mut deserializer);
    found
}

/// The HTTP method to send. `Method` is `#[non_exhaustive]`: a method this transport does not know
/// yet is refused, never sent as another one.
fn reqwest_method(method: Method) -> Result<reqwest::Method> {
    Ok(match method {
        Method::Get => reqwest::Method::GET,
        Method::Post => reqwest::Method::POST,
        Method::Put => reqwest::Method::PUT,
        Method::Patch => reqwest::Method::PATCH,
        Method::Delete => reqwest::Method::DELETE,
        other => {
            return Err(Error::new(ErrorKind::InvalidRequest {
                message: format!("method {other} is not supported by this version of rockit-transport"),
            }));
        }
    })
}

/// The base URL with `path` appended segment by segment, and `query` as form-encoded pairs.
fn build_url(base: &Url, path: &PathSegments<'_>, query: &QueryPairs<'_>) -> Result<Url> {
    let mut encoded = base.path().trim_end_matches('/').to_owned();
    for segment in path.iter() {
        if segment.is_empty() || segment == "." || segment == ".." {
            return Err(Error::new(ErrorKind::InvalidRequest {
                message: format!("path segment {segment:?} cannot be sent as one segment of a URL"),
            }));
        }
        encoded.push('/');
        encoded.extend(utf8_percent_encode(segment, SEGMENT));
    }
    let mut url = base.clone();
    url.set_path(&encoded);
    if url.path() != encoded {
        return Err(Error::new(ErrorKind::InvalidRequest {
            message: format!("path {path} would not reach the server unchanged"),
        }));
    }
    if !query.is_empty() {
        let mut pairs = url.query_pairs_mut();
        for (key, value) in query.iter() {
            pairs.append_pair(key, value);
        }
    }
    Ok(url)
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url.as_str())
            .field("timeout", &self.inner.timeout)
            .field("deadline", &self.inner.deadline)
            .field("retry", &self.inner.retry)
            .field("max_response_bytes", &self.inner.max_response_bytes)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `decide` for one failure, with the default policy (4 attempts, 10 s cap) and a 1 s delay.
    fn next(error: ErrorKind, answered: bool, idempotent: bool, retries: u32, left: Option<u64>) -> Next {
        let error = Error::new(error);
        let failed = Failed { error: &error, answered, idempotent, refreshed: false, retries };
        decide(&failed, &RetryPolicy::default(), Duration::from_secs(1), left.map(Duration::from_secs))
    }

    fn status(status: u16, code: Option<&str>, retry_after: Option<u64>) -> ErrorKind {
        ErrorKind::Api {
            status,
            code: code.map(ApiStatus::from),
            message: None,
            excerpt: String::new(),
            retry_after: retry_after.map(Duration::from_secs),
        }
    }

    #[test]
    fn the_retry_table_of_architecture_md() {
        let retry = Next::Retry(Duration::from_secs(1));
        // Connect error: the request never left, retried for every endpoint.
        assert_eq!(next(ErrorKind::Connect, false, true, 0, None), retry);
        assert_eq!(next(ErrorKind::Connect, false, false, 0, None), retry);
        // Attempt timeout, broken connection: idempotent endpoints only.
        let timeout = || ErrorKind::Timeout { deadline: false };
        assert_eq!(next(timeout(), false, true, 0, None), retry);
        assert_eq!(next(timeout(), false, false, 0, None), Next::Return);
        assert_eq!(next(ErrorKind::Interrupted, false, true, 0, None), retry);
        assert_eq!(next(ErrorKind::Interrupted, false, false, 0, None), Next::Return);
        // The overall deadline: never retried.
        assert_eq!(next(ErrorKind::Timeout { deadline: true }, false, true, 0, None), Next::Return);
        // 408 429 500 502 503 504: idempotent endpoints only.
        for code in [408, 429, 500, 502, 503, 504] {
            assert_eq!(next(status(code, None, None), true, true, 0, None), retry, "{code}");
            assert_eq!(next(status(code, None, None), true, false, 0, None), Next::Return, "{code}");
        }
        // Other 4xx, and failures that say what to fix: returned.
        for kind in [
            status(400, None, None),
            status(404, None, None),
            status(501, None, None),
            ErrorKind::Tls { problem: crate::TlsProblem::UnknownIssuer },
            ErrorKind::BodyTooLarge { limit: 1 },
        ] {
            assert_eq!(
                next(kind.clone(), !matches!(kind, ErrorKind::Tls { .. }), true, 0, None),
                Next::Return,
                "{kind:?}"
            );
        }
        // 401 token-expired: refresh once, whatever the endpoint; the second time it is returned.
        assert_eq!(next(status(401, Some("token-expired"), None), true, false, 0, None), Next::Refresh);
        let expired = Error::new(status(401, Some("token-expired"), None));
        let again = Failed { error: &expired, answered: true, idempotent: true, refreshed: true, retries: 0 };
        assert_eq!(decide(&again, &RetryPolicy::default(), Duration::ZERO, None), Next::Return);
    }

    #[test]
    fn a_retry_is_given_up_when_it_cannot_help() {
        // The last attempt of four.
        assert_eq!(next(ErrorKind::Connect, false, true, 3, None), Next::GiveUp("no attempts left"));
        assert_eq!(next(ErrorKind::Connect, false, true, 2, None), Next::Retry(Duration::from_secs(1)));
        // The server asks for longer than max_delay (maintenance: 900 s).
        assert!(matches!(
            next(status(503, Some("maintenance"), Some(900)), true, true, 0, None),
            Next::GiveUp(_)
        ));
        assert_eq!(
            next(status(503, None, Some(10)), true, true, 0, None),
            Next::Retry(Duration::from_secs(1))
        );
        // The delay would pass the deadline.
        assert_eq!(
            next(ErrorKind::Connect, false, true, 0, Some(1)),
            Next::GiveUp("the delay would pass the deadline")
        );
        assert_eq!(next(ErrorKind::Connect, false, true, 0, Some(2)), Next::Retry(Duration::from_secs(1)));
    }

    fn url(base: &str, segments: &[&str]) -> Result<String> {
        let path: PathSegments<'_> = segments.iter().map(|segment| (*segment).to_owned()).collect();
        build_url(&Url::parse(base).unwrap(), &path, &QueryPairs::new()).map(String::from)
    }

    #[test]
    fn segments_are_encoded_one_by_one_below_the_prefix() {
        assert_eq!(url("https://h/edge/", &["be", "v1", "tasks"]).unwrap(), "https://h/edge/be/v1/tasks");
        assert_eq!(url("https://h", &["be", "a/b"]).unwrap(), "https://h/be/a%2Fb");
        assert_eq!(url("https://h", &["..x", "%2F", "é ?#"]).unwrap(), "https://h/..x/%252F/%C3%A9%20%3F%23");
        assert!(url("https://h", &[".."]).is_err());
        assert!(url("https://h", &[""]).is_err());
    }

    #[test]
    fn status_probe_reads_the_top_level_status_only() {
        assert_eq!(top_level_status(br#"{"status":"success","tasks":[]}"#).as_deref(), Some("success"));
        assert_eq!(
            top_level_status(br#"{"tasks":[{"status":"done"}],"status":"missing-param"}"#).as_deref(),
            Some("missing-param")
        );
        assert_eq!(top_level_status(br#"{"tasks":[]}"#), None);
        assert_eq!(top_level_status(br#"{"status":7}"#), None);
        assert_eq!(top_level_status(b"<html>"), None);
    }
}
