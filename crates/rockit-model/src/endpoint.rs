//! The sans-IO `Endpoint` trait: what to call, described as plain data, for a transport to execute.
//!
//! An endpoint says which method, which path segments, which query pairs and which JSON body, what
//! the response decodes into, whether a repeat is safe and which permission it needs. It performs
//! no I/O. `rockit-transport` executes any implementation, ours and those of downstream crates.

use std::borrow::Cow;
use std::fmt;

use serde::Serialize;
use serde::de::DeserializeOwned;

/// A request to the ROCKIT Edge backend API, described without doing any I/O.
///
/// Implement it to add a route the SDK does not cover; `rockit_transport::Client::execute` runs any
/// implementation.
///
/// ```
/// use rockit_model::{Endpoint, Method, PathSegments};
///
/// /// `GET /be/v1/apps`, which this SDK does not cover (yet).
/// struct ListApps;
///
/// impl Endpoint for ListApps {
///     type Response = serde_json::Value;
///     fn method(&self) -> Method { Method::Get }
///     fn path(&self) -> PathSegments<'_> { PathSegments::from_static(&["be", "v1", "apps"]) }
///     fn permission(&self) -> Option<&'static str> { Some("apps.read") }
/// }
///
/// assert_eq!(ListApps.path().to_string(), "/be/v1/apps");
/// assert!(ListApps.idempotent());
/// ```
pub trait Endpoint {
    /// What a successful response body decodes into.
    ///
    /// The bound is what the default [`decode`](Self::decode) needs. An endpoint that overrides
    /// `decode` to build a type serde cannot derive for itself gives that type a `Deserialize`
    /// through the wire shape it is made from, with `#[serde(from = "…")]`; then both paths build
    /// it the same way and nothing else is needed:
    ///
    /// ```
    /// use rockit_model::{Endpoint, Method, PathSegments};
    /// use serde::Deserialize;
    ///
    /// /// The app's name, checked: made only from the wire shape below.
    /// #[derive(Debug, PartialEq, Deserialize)]
    /// #[serde(from = "AppWire")]
    /// struct AppName(String);
    ///
    /// #[derive(Deserialize)]
    /// struct AppWire {
    ///     app: String,
    /// }
    ///
    /// impl From<AppWire> for AppName {
    ///     fn from(wire: AppWire) -> Self {
    ///         Self(wire.app.to_lowercase())
    ///     }
    /// }
    ///
    /// struct GetApp;
    ///
    /// impl Endpoint for GetApp {
    ///     type Response = AppName;
    ///     fn method(&self) -> Method { Method::Get }
    ///     fn path(&self) -> PathSegments<'_> { PathSegments::from_static(&["be", "v1", "app"]) }
    /// }
    ///
    /// let app = GetApp.decode(br#"{"status":"success","app":"Sushi"}"#)?;
    /// assert_eq!(app, AppName("sushi".to_owned()));
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    type Response: DeserializeOwned;

    /// The HTTP method.
    fn method(&self) -> Method;

    /// The path below the base URL, as unencoded segments; the transport percent-encodes each one
    /// so that no segment can add, remove or climb a path level.
    fn path(&self) -> PathSegments<'_>;

    /// The query pairs, in order; keys may repeat (`order[]`). None by default.
    fn query(&self) -> QueryPairs<'_> {
        // Equivalent mutant: `Default::default()` is `QueryPairs::new()`, no pairs either way.
        QueryPairs::new()
    }

    /// The JSON body, if the request has one. None by default.
    fn body(&self) -> Result<Option<JsonBody>, serde_json::Error> {
        Ok(None)
    }

    /// Whether sending the request twice has the same effect as sending it once, which makes it
    /// safe to retry after a timeout or a dropped connection. By default only `GET` is.
    fn idempotent(&self) -> bool {
        self.method() == Method::Get
    }

    /// The permission the call needs (such as `tasks.read`), for documentation and error messages.
    fn permission(&self) -> Option<&'static str> {
        None
    }

    /// Decodes a successful response body. By default `serde_json` decodes [`Self::Response`];
    /// override it for answers that need the request to be read (such as picking one item out
    /// of an envelope).
    fn decode(&self, body: &[u8]) -> Result<Self::Response, serde_json::Error> {
        serde_json::from_slice(body)
    }

    /// Whether the response body holds a secret (a new API key, a token): then no error, log line
    /// or `Debug` output of the client ever quotes the body of a `2xx` answer. An error says what
    /// failed and the body's length instead of its first bytes; a decode error names the line and
    /// column, never a value. Error answers (`4xx`, `5xx`) still show their code and message.
    fn sensitive_response(&self) -> bool {
        false
    }

    /// Whether a `2xx` body carries a top-level `"status"` that must be `"success"`.
    ///
    /// True for the documented envelopes. An endpoint whose response may be a bare object with a
    /// `status` field of its own (task details) returns false.
    fn checks_api_status(&self) -> bool {
        true
    }
}

/// An HTTP method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Method {
    /// `GET`.
    Get,
    /// `POST`.
    Post,
    /// `PUT`.
    Put,
    /// `PATCH`.
    Patch,
    /// `DELETE`.
    Delete,
}

impl Method {
    /// The method's name, upper case.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
            Self::Put => "PUT",
            Self::Patch => "PATCH",
            Self::Delete => "DELETE",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The unencoded segments of a path, such as `["be", "v1", "tasks", "<name>"]`.
///
/// `Display` joins them with `/` without encoding, for messages and logs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PathSegments<'a>(Vec<Cow<'a, str>>);

impl<'a> PathSegments<'a> {
    /// Segments borrowed from static strings.
    pub fn from_static(segments: &[&'static str]) -> Self {
        Self(segments.iter().map(|segment| Cow::Borrowed(*segment)).collect())
    }

    /// Appends one segment.
    pub fn push(&mut self, segment: impl Into<Cow<'a, str>>) {
        self.0.push(segment.into());
    }

    /// The segments, in order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(AsRef::as_ref)
    }

    /// The number of segments.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are no segments.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Collects segments: `["be", "v1", name].into_iter().collect()`.
impl<'a, S: Into<Cow<'a, str>>> FromIterator<S> for PathSegments<'a> {
    fn from_iter<I: IntoIterator<Item = S>>(segments: I) -> Self {
        Self(segments.into_iter().map(Into::into).collect())
    }
}

impl fmt::Display for PathSegments<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for segment in &self.0 {
            write!(f, "/{segment}")?;
        }
        Ok(())
    }
}

/// Splits a raw request path, as it arrives at a server, into its percent-decoded segments: the
/// inverse of what the transport does with [`Endpoint::path`]. The leading `/` is dropped; every
/// other `/` separates two segments, so `/a%2Fb` is one segment `a/b` and `//x` is `["", "x"]`.
/// Invalid UTF-8 after decoding becomes U+FFFD.
///
/// ```
/// use rockit_model::decode_path_segments;
///
/// assert_eq!(decode_path_segments("/be/v1/tasks/a%2Fb%20c"), ["be", "v1", "tasks", "a/b c"]);
/// assert_eq!(decode_path_segments("/x/%FF"), ["x", "\u{FFFD}"]);
/// assert_eq!(decode_path_segments("//x"), ["", "x"]);
/// ```
pub fn decode_path_segments(raw_path: &str) -> Vec<String> {
    raw_path
        .strip_prefix('/')
        .unwrap_or(raw_path)
        .split('/')
        .map(|segment| percent_encoding::percent_decode_str(segment).decode_utf8_lossy().into_owned())
        .collect()
}

/// Query pairs in order, keys possibly repeated; the transport encodes them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueryPairs<'a>(Vec<(Cow<'a, str>, Cow<'a, str>)>);

impl<'a> QueryPairs<'a> {
    /// No pairs.
    pub fn new() -> Self {
        Self(Vec::new())
    }

    /// Appends a pair.
    pub fn push(&mut self, key: impl Into<Cow<'a, str>>, value: impl Into<Cow<'a, str>>) {
        self.0.push((key.into(), value.into()));
    }

    /// The pairs, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(key, value)| (key.as_ref(), value.as_ref()))
    }

    /// The number of pairs.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are no pairs.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Collects pairs: `[("limit", "1")].into_iter().collect()`.
impl<'a, K: Into<Cow<'a, str>>, V: Into<Cow<'a, str>>> FromIterator<(K, V)> for QueryPairs<'a> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(pairs: I) -> Self {
        Self(pairs.into_iter().map(|(key, value)| (key.into(), value.into())).collect())
    }
}

/// A serialised JSON request body, sent as `Content-Type: application/json` exactly as encoded.
#[derive(Clone, PartialEq, Eq)]
pub struct JsonBody(Vec<u8>);

impl JsonBody {
    /// Serialises `value` as compact JSON, keeping the field order of its `Serialize` impl.
    pub fn from_serialize<T: Serialize + ?Sized>(value: &T) -> Result<Self, serde_json::Error> {
        serde_json::to_vec(value).map(Self)
    }

    /// The encoded bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The encoded bytes, owned.
    pub fn into_bytes(self) -> Vec<u8> {
        self.0
    }
}

impl fmt::Debug for JsonBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "JsonBody({} bytes)", self.0.len())
    }
}
