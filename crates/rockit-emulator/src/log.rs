//! The request log and counters: what the emulator saw and answered, for tests to assert on.

use std::collections::{BTreeMap, VecDeque};
use std::time::Duration;

use bytes::Bytes;
use rockit_model::{HEADER_API_KEY, HEADER_SESSION_TOKEN, HEADER_TOKEN};
use serde_json::Value;
use tokio::sync::watch;

use crate::faults::Fault;

/// Header values the log never keeps: they are replaced by `[redacted]`.
pub const REDACTED_HEADERS: &[&str] =
    &[HEADER_API_KEY, HEADER_TOKEN, HEADER_SESSION_TOKEN, "authorization", "cookie"];

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
    entries: VecDeque<RecordedRequest>,
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

    pub(crate) fn push(&mut self, request: RecordedRequest) {
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
        self.entries.iter().cloned().collect()
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
    fn the_log_keeps_the_last_entries_and_counts_all() {
        let mut log = RequestLog::new(2);
        for id in 1..=3 {
            log.push(RecordedRequest {
                id,
                at: Duration::ZERO,
                method: "GET".into(),
                raw_path: "/".into(),
                segments: vec![],
                raw_query: None,
                query: vec![],
                headers: vec![],
                body: Bytes::new(),
                status: if id == 3 { None } else { Some(200) },
                fault: (id == 3).then_some(Fault::Drop),
            });
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
