//! `MockServer`: a scripted HTTP server on `127.0.0.1:0` that records every request exactly as it
//! arrived, for tests that assert on the bytes a client sends.
//!
//! Replies are taken from a script in order; when the script is empty the default reply is used.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::Response;
use bytes::Bytes;

/// A request as the server received it.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// The method, upper case.
    pub method: String,
    /// The path exactly as sent, still percent-encoded.
    pub raw_path: String,
    /// The raw query string, if any.
    pub raw_query: Option<String>,
    /// Every header.
    pub headers: HeaderMap,
    /// The body.
    pub body: Bytes,
}

impl Recorded {
    /// The path's segments after the leading `/`, each percent-decoded on its own.
    pub fn decoded_segments(&self) -> Vec<String> {
        rockit_model::decode_path_segments(&self.raw_path)
    }

    /// A header's value as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }

    /// The header names, lower case, sorted.
    pub fn header_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.headers.keys().map(|name| name.as_str().to_owned()).collect();
        names.sort();
        names
    }
}

/// What the server answers.
#[derive(Debug, Clone)]
pub enum Reply {
    /// A response with a status, headers and a body.
    Respond {
        /// The status code.
        status: u16,
        /// Extra headers.
        headers: Vec<(String, String)>,
        /// The body.
        body: Bytes,
    },
    /// The same, after a real delay.
    Delayed(Duration, Box<Reply>),
    /// Never answers: the client's timeout must cut the attempt.
    Stall,
}

impl Reply {
    /// A JSON response.
    pub fn json(status: u16, body: impl Into<String>) -> Self {
        Self::Respond {
            status,
            headers: vec![("content-type".to_owned(), "application/json".to_owned())],
            body: Bytes::from(body.into()),
        }
    }

    /// A response with any content type.
    pub fn raw(status: u16, content_type: &str, body: impl Into<Bytes>) -> Self {
        Self::Respond {
            status,
            headers: vec![("content-type".to_owned(), content_type.to_owned())],
            body: body.into(),
        }
    }

    /// Adds a header.
    #[must_use]
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        if let Self::Respond { headers, .. } = &mut self {
            headers.push((name.to_owned(), value.to_owned()));
        }
        self
    }
}

#[derive(Default)]
struct Shared {
    requests: Mutex<Vec<Recorded>>,
    script: Mutex<VecDeque<Reply>>,
    fallback: Mutex<Option<Reply>>,
}

/// A running scripted server; it stops when dropped.
pub struct MockServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl MockServer {
    /// Starts a server on `127.0.0.1:0` whose default reply is `200 {"status":"success"}`.
    pub async fn start() -> Self {
        let shared = Arc::new(Shared::default());
        let app = Router::new().fallback(handle).with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind loopback");
        let addr = listener.local_addr().expect("local address");
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.expect("mock server runs");
        });
        Self { addr, shared, task }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Queues replies, answered in order before the default.
    pub fn script(&self, replies: impl IntoIterator<Item = Reply>) {
        lock(&self.shared.script).extend(replies);
    }

    /// Sets the reply used once the script is empty.
    pub fn default_reply(&self, reply: Reply) {
        *lock(&self.shared.fallback) = Some(reply);
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<Recorded> {
        lock(&self.shared.requests).clone()
    }

    /// How many requests arrived.
    pub fn count(&self) -> usize {
        lock(&self.shared.requests).len()
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

async fn handle(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
    lock(&shared.requests).push(Recorded {
        method: parts.method.as_str().to_owned(),
        raw_path: parts.uri.path().to_owned(),
        raw_query: parts.uri.query().map(str::to_owned),
        headers: parts.headers,
        body,
    });
    let reply = lock(&shared.script).pop_front().or_else(|| lock(&shared.fallback).clone());
    respond(reply.unwrap_or_else(|| Reply::json(200, r#"{"status":"success"}"#))).await
}

async fn respond(mut reply: Reply) -> Response {
    loop {
        match reply {
            Reply::Delayed(delay, inner) => {
                tokio::time::sleep(delay).await;
                reply = *inner;
            }
            Reply::Stall => std::future::pending::<()>().await,
            Reply::Respond { status, headers, body } => {
                let mut response = Response::new(Body::from(body));
                *response.status_mut() = StatusCode::from_u16(status).expect("valid status");
                for (name, value) in headers {
                    response.headers_mut().insert(
                        HeaderName::try_from(name).expect("valid header name"),
                        HeaderValue::try_from(value).expect("valid header value"),
                    );
                }
                return response;
            }
        }
    }
}
