//! A tiny raw HTTP/1.1 client over tokio for the emulator's tests: exact bytes out, exact bytes
//! in, so tests can send what no well-behaved client would and see exactly what came back.

use std::net::SocketAddr;
use std::time::Duration;

use rockit_emulator::{Emulator, demo};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A guard against hangs, not a wait: every exchange finishes far sooner.
const EXCHANGE_TIMEOUT: Duration = Duration::from_secs(30);

/// A complete response.
#[derive(Debug, Clone)]
pub(crate) struct Response {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl Response {
    /// The body as JSON; panics with the body if it is not JSON.
    pub(crate) fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|err| panic!("body is not JSON ({err}): {}", String::from_utf8_lossy(&self.body)))
    }

    /// The first header called `name`.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(key, _)| key.eq_ignore_ascii_case(name)).map(|(_, value)| value.as_str())
    }

    /// The task names of a list envelope.
    pub(crate) fn names(&self) -> Vec<String> {
        self.json()["tasks"]
            .as_array()
            .expect("a list envelope")
            .iter()
            .map(|task| task["name"].as_str().expect("task names are strings").to_owned())
            .collect()
    }
}

/// What came back from a raw exchange.
#[derive(Debug)]
pub(crate) enum Outcome {
    /// A complete response.
    Complete(Response),
    /// The connection closed before a single byte arrived.
    NoResponse,
    /// The connection closed in the middle of the response.
    Truncated { head: String, body_received: usize, content_length: usize },
}

impl Outcome {
    pub(crate) fn complete(self) -> Response {
        match self {
            Self::Complete(response) => response,
            other => panic!("expected a complete response, got {other:?}"),
        }
    }
}

/// Sends `request` as is on a fresh connection and reads until the server closes it.
pub(crate) async fn exchange(addr: SocketAddr, request: &[u8]) -> Outcome {
    let run = async {
        let mut stream = TcpStream::connect(addr).await.expect("connect to the emulator");
        stream.write_all(request).await.expect("send the request");
        let mut received = Vec::new();
        let mut chunk = vec![0_u8; 16 * 1024];
        loop {
            match stream.read(&mut chunk).await {
                Ok(n) if n > 0 => received.extend_from_slice(&chunk[..n]),
                // End of stream, or a reset after a cut connection: the same outcome.
                Ok(_) | Err(_) => break,
            }
        }
        parse(&received)
    };
    tokio::time::timeout(EXCHANGE_TIMEOUT, run).await.expect("the exchange finished in time")
}

fn parse(bytes: &[u8]) -> Outcome {
    if bytes.is_empty() {
        return Outcome::NoResponse;
    }
    let Some(end) = bytes.windows(4).position(|window| window == b"\r\n\r\n") else {
        return Outcome::Truncated {
            head: String::from_utf8_lossy(bytes).into_owned(),
            body_received: 0,
            content_length: 0,
        };
    };
    let head = String::from_utf8_lossy(&bytes[..end]).into_owned();
    let body = &bytes[end + 4..];
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status = status_line.split(' ').nth(1).and_then(|code| code.parse().ok()).expect("a status line");
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    let content_length = headers
        .iter()
        .find(|(name, _)| name == "content-length")
        .map_or(0, |(_, value)| value.parse().expect("a numeric content-length"));
    if body.len() < content_length {
        return Outcome::Truncated { head, body_received: body.len(), content_length };
    }
    Outcome::Complete(Response { status, headers, body: body[..content_length].to_vec() })
}

/// Builds a request's bytes.
pub(crate) fn request_bytes(method: &str, path: &str, headers: &[(String, String)], body: &[u8]) -> Vec<u8> {
    let mut out = format!("{method} {path} HTTP/1.1\r\nhost: emulator\r\nconnection: close\r\n");
    for (name, value) in headers {
        out.extend([name.as_str(), ": ", value.as_str(), "\r\n"]);
    }
    if !body.is_empty() || method == "PATCH" || method == "POST" {
        out.extend(["content-length: ", &body.len().to_string(), "\r\n"]);
    }
    out.push_str("\r\n");
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

/// A client with fixed credential headers.
#[derive(Debug, Clone)]
pub(crate) struct Client {
    addr: SocketAddr,
    headers: Vec<(String, String)>,
}

impl Client {
    /// The demo admin's API key.
    pub(crate) fn admin(emulator: &Emulator) -> Self {
        Self::api_key(emulator.addr(), demo::ORG, demo::USER, demo::API_KEY)
    }

    /// The demo read-only user's API key.
    pub(crate) fn viewer(emulator: &Emulator) -> Self {
        Self::api_key(emulator.addr(), demo::ORG, demo::VIEWER_USER, demo::VIEWER_API_KEY)
    }

    /// An API key.
    pub(crate) fn api_key(addr: SocketAddr, org: &str, user: &str, key: &str) -> Self {
        Self::with_headers(
            addr,
            &[("x-rockit-orgname", org), ("x-rockit-username", user), ("x-rockit-api-key", key)],
        )
    }

    /// A backend auth token alone.
    pub(crate) fn token(addr: SocketAddr, token: &str) -> Self {
        Self::with_headers(addr, &[("x-rockit-beauth-token", token)])
    }

    /// No credentials at all.
    pub(crate) fn anonymous(addr: SocketAddr) -> Self {
        Self::with_headers(addr, &[])
    }

    /// Any headers.
    pub(crate) fn with_headers(addr: SocketAddr, headers: &[(&str, &str)]) -> Self {
        Self { addr, headers: headers.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect() }
    }

    /// Sends a request; returns what came back.
    pub(crate) async fn send(&self, method: &str, path: &str, body: &[u8]) -> Outcome {
        let mut headers = self.headers.clone();
        if !body.is_empty() {
            headers.push(("content-type".to_owned(), "application/json".to_owned()));
        }
        exchange(self.addr, &request_bytes(method, path, &headers, body)).await
    }

    /// `GET path`, expecting a complete response.
    pub(crate) async fn get(&self, path: &str) -> Response {
        self.send("GET", path, b"").await.complete()
    }

    /// `PATCH /be/v1/tasks` with `body`, expecting a complete response.
    pub(crate) async fn patch(&self, body: &str) -> Response {
        self.send("PATCH", "/be/v1/tasks", body.as_bytes()).await.complete()
    }
}
