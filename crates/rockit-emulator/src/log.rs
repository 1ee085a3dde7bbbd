//! The request log and counters: what the emulator saw and answered, for tests to assert on.

use std::collections::{BTreeMap, VecDeque};
use std::time::Duration;

use axum::http::{HeaderMap, HeaderValue, Method, Uri};
use bytes::Bytes;
use rockit_model::SECRET_HEADERS;
use serde_json::Value;
use tokio::sync::watch;

use crate::faults::Fault;

/// Headers whose values the log replaces by `[redacted]` besides the ROCKIT ones (the model's
/// [`SECRET_HEADERS`](rockit_model::SECRET_HEADERS)): the generic ones.
pub const GENERIC_SECRET_HEADERS: &[&str] = &["authorization", "cookie"];

/// Whether the log replaces the value of the header `name` (lower case) by `[redacted]`: one of
/// the model's [`SECRET_HEADERS`] or of [`GENERIC_SECRET_HEADERS`].
pub fn is_redacted(name: &str) -> bool {
    SECRET_HEADERS.contains(&name) || GENERIC_SECRET_HEADERS.contains(&name)
}

/// One request as the emulator received it, and what it answered.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RecordedRequest {
    /// Sequence number, from 1, in the order requests arrived.
    pub id: u64,
    /// Emulator time at which the request arrived.
    pub at: Duration,
    /// The method, such as `GET`.
    pub method: String,
    /// The path exactly as sent, still percent-encoded.
    pub raw_path: String,
    /// The path's segments after the leading `/`, each percent-decoded on its own (invalid UTF-8
    /// is replaced by `U+FFFD`).
    pub segments: Vec<String>,
    /// The query string exactly as sent, if any.
    pub raw_query: Option<String>,
    /// The decoded query pairs, in order, repeated keys included.
    pub query: Vec<(String, String)>,
    /// Header names (lower case) and values, in order; secrets are `[redacted]`.
    pub headers: Vec<(String, String)>,
    /// The request body.
    pub body: Bytes,
    /// The HTTP status answered, or `None` if the connection was dropped without an answer.
    pub status: Option<u16>,
    /// The fault injected into this request, if any.
    pub fault: Option<Fault>,
}

impl RecordedRequest {
    /// The value of the first header called `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(key, _)| key.eq_ignore_ascii_case(name)).map(|(_, value)| value.as_str())
    }

    /// The values of every query pair with key `key`, in order.
    pub fn query_values<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.query.iter().filter(move |(k, _)| k == key).map(|(_, value)| value.as_str())
    }

    /// The body parsed as JSON, if it is JSON.
    pub fn body_json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// Whether the request had this method and raw path.
    pub fn is(&self, method: &str, raw_path: &str) -> bool {
        self.method.eq_ignore_ascii_case(method) && self.raw_path == raw_path
    }
}

/// A request as the front door keeps it: cheap to take (the method, URI and header values are
/// shared with the request, secrets already replaced), turned into a [`RecordedRequest`] only when
/// a test reads the log.
#[derive(Debug)]
pub(crate) struct Received {
    pub(crate) id: u64,
    pub(crate) at: Duration,
    pub(crate) method: Method,
    pub(crate) uri: Uri,
    /// The request's headers, each value [`is_redacted`] names replaced by `[redacted]`.
    headers: HeaderMap,
    pub(crate) body: Bytes,
    pub(crate) status: Option<u16>,
    pub(crate) fault: Option<Fault>,
}

impl Received {
    /// Takes what the log keeps of a request, before its body is read.
    pub(crate) fn new(id: u64, at: Duration, method: &Method, uri: &Uri, headers: &HeaderMap) -> Self {
        let mut headers = headers.clone();
        for (name, value) in &mut headers {
            if is_redacted(name.as_str()) {
                *value = HeaderValue::from_static("[redacted]");
            }
        }
        Self {
            id,
            at,
            method: method.clone(),
            uri: uri.clone(),
            headers,
            body: Bytes::new(),
            status: None,
            fault: None,
        }
    }

    /// The request as tests read it.
    fn record(&self) -> RecordedRequest {
        let raw_path = self.uri.path().to_owned();
        let raw_query = self.uri.query().map(str::to_owned);
        RecordedRequest {
            id: self.id,
            at: self.at,
            method: self.method.as_str().to_owned(),
            segments: rockit_model::decode_path_segments(&raw_path),
            query: raw_query
                .as_deref()
                .map(|raw| form_urlencoded::parse(raw.as_bytes()).into_owned().collect())
                .unwrap_or_default(),
            raw_path,
            raw_query,
            headers: self
                .headers
                .iter()
                .map(|(name, value)| {
                    (name.as_str().to_owned(), String::from_utf8_lossy(value.as_bytes()).into_owned())
                })
                .collect(),
            body: self.body.clone(),
            status: self.status,
            fault: self.fault.clone(),
        }
    }
}

/// Totals since the emulator started (or since [`Emulator::clear_requests`](crate::Emulator::clear_requests)).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Counters {
    /// Requests that got an answer or a fault.
    pub requests: u64,
    /// Answers by HTTP status (dropped connections are not counted here).
    pub by_status: BTreeMap<u16, u64>,
    /// Requests that got an injected fault.
    pub faults: u64,
    /// Requests whose connection was dropped without a complete answer.
    pub dropped: u64,
    /// TCP connections accepted (not reset by `clear_requests`).
    pub connections: u64,
}

impl Counters {
    /// How many answers had this status.
    pub fn status(&self, status: u16) -> u64 {
        self.by_status.get(&status).copied().unwrap_or(0)
    }
}

/// The log: the last `capacity` requests and the counters.
#[derive(Debug)]
pub(crate) struct RequestLog {
    capacity: usize,
    entries: VecDeque<Received>,
    counters: Counters,
    seen: watch::Sender<u64>,
}

impl RequestLog {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            capacity,
            entries: VecDeque::new(),
            counters: Counters::default(),
            seen: watch::Sender::new(0),
        }
    }

    pub(crate) fn push(&mut self, request: Received) {
        self.counters.requests += 1;
        if let Some(status) = request.status {
            *self.counters.by_status.entry(status).or_default() += 1;
        }
        if request.fault.is_some() {
            self.counters.faults += 1;
        }
        if request.status.is_none() || request.fault == Some(Fault::Truncate) {
            self.counters.dropped += 1;
        }
        if self.capacity > 0 {
            if self.entries.len() == self.capacity {
                self.entries.pop_front();
            }
            self.entries.push_back(request);
        }
        let total = self.counters.requests;
        self.seen.send_replace(total);
    }

    pub(crate) fn connection(&mut self) {
        self.counters.connections += 1;
    }

    pub(crate) fn entries(&self) -> Vec<RecordedRequest> {
        self.entries.iter().map(Received::record).collect()
    }

    pub(crate) fn counters(&self) -> Counters {
        self.counters.clone()
    }

    pub(crate) fn clear(&mut self) {
        self.entries.clear();
        let connections = self.counters.connections;
        self.counters = Counters { connections, ..Counters::default() };
        self.seen.send_replace(0);
    }

    pub(crate) fn subscribe(&self) -> watch::Receiver<u64> {
        self.seen.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_is_recorded_as_sent_with_its_secrets_replaced() {
        let mut headers = HeaderMap::new();
        headers.insert("x-rockit-api-key", HeaderValue::from_static("sk-SECRET"));
        headers.append("accept", HeaderValue::from_static("application/json"));
        headers.append("x-custom", HeaderValue::from_static("one"));
        headers.append("x-custom", HeaderValue::from_static("two"));
        headers.insert("authorization", HeaderValue::from_static("Bearer SECRET"));
        let uri = Uri::from_static("/be/v1/tasks/a%2Fb?limit=2&order%5B%5D=-name&limit=3");
        let mut received = Received::new(7, Duration::from_secs(2), &Method::PATCH, &uri, &headers);
        received.body = Bytes::from_static(b"{}");
        received.status = Some(200);
        assert!(!format!("{received:?}").contains("SECRET"), "{received:?}");
        let mut log = RequestLog::new(4);
        log.push(received);
        let [record] = <[RecordedRequest; 1]>::try_from(log.entries()).unwrap();
        assert_eq!((record.id, record.at, record.method.as_str()), (7, Duration::from_secs(2), "PATCH"));
        assert_eq!(record.raw_path, "/be/v1/tasks/a%2Fb");
        assert_eq!(record.segments, ["be", "v1", "tasks", "a/b"]);
        assert_eq!(record.raw_query.as_deref(), Some("limit=2&order%5B%5D=-name&limit=3"));
        assert_eq!(record.query_values("limit").collect::<Vec<_>>(), ["2", "3"]);
        assert_eq!(record.query_values("order[]").collect::<Vec<_>>(), ["-name"]);
        let headers: Vec<(&str, &str)> =
            record.headers.iter().map(|(name, value)| (name.as_str(), value.as_str())).collect();
        assert_eq!(
            headers,
            [
                ("x-rockit-api-key", "[redacted]"),
                ("accept", "application/json"),
                ("x-custom", "one"),
                ("x-custom", "two"),
                ("authorization", "[redacted]"),
            ]
        );
        assert_eq!((record.body.as_ref(), record.status), (b"{}".as_slice(), Some(200)));
    }

    #[test]
    fn the_log_keeps_the_last_entries_and_counts_all() {
        let mut log = RequestLog::new(2);
        for id in 1..=3 {
            let mut received =
                Received::new(id, Duration::ZERO, &Method::GET, &Uri::from_static("/"), &HeaderMap::new());
            received.status = if id == 3 { None } else { Some(200) };
            received.fault = (id == 3).then_some(Fault::Drop);
            log.push(received);
        }
        let ids: Vec<u64> = log.entries().iter().map(|entry| entry.id).collect();
        assert_eq!(ids, [2, 3]);
        let counters = log.counters();
        assert_eq!(
            (counters.requests, counters.status(200), counters.faults, counters.dropped),
            (3, 2, 1, 1)
        );
    }
}
