//! The emulator's listener and connection type: a TCP stream that an injected fault can cut, so a
//! client sees a connection closed without an answer, or an answer whose body stops half way.
//!
//! Cutting at the socket rather than inside HTTP makes both faults exact: the handler decides, and
//! the next bytes hyper writes on that connection are refused (`Drop`), or let through up to the
//! end of the response head plus a budget of body bytes (`Truncate`).

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::connect_info::Connected;
use axum::serve::IncomingStream;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

use crate::clock::lock;
use crate::server::Shared;

/// How long a client may take over its TLS handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Accepts TCP connections and wraps each in a [`Conn`], after a TLS handshake when serving TLS.
pub(crate) struct Listener {
    pub(crate) inner: TcpListener,
    pub(crate) shared: Arc<Shared>,
    pub(crate) tls: Option<TlsAccept>,
}

/// TLS: handshakes run in tasks of their own, so a slow or failing client holds up nobody; the
/// finished ones queue here.
pub(crate) struct TlsAccept {
    acceptor: tokio_rustls::TlsAcceptor,
    done: (mpsc::Sender<Handshaken>, mpsc::Receiver<Handshaken>),
}

type TlsStream = tokio_rustls::server::TlsStream<TcpStream>;

/// A connection whose TLS handshake finished, and its peer.
type Handshaken = (TlsStream, SocketAddr);

impl TlsAccept {
    pub(crate) fn new(config: Arc<rustls::ServerConfig>) -> Self {
        Self { acceptor: tokio_rustls::TlsAcceptor::from(config), done: mpsc::channel(64) }
    }

    fn handshake(&self, stream: TcpStream, addr: SocketAddr) {
        let acceptor = self.acceptor.clone();
        let done = self.done.0.clone();
        tokio::spawn(async move {
            match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                Ok(Ok(stream)) => {
                    let _ = done.send((stream, addr)).await;
                }
                // An untrusting client ends the handshake: its business, not the server's.
                Ok(Err(err)) => tracing::debug!(error = %err, %addr, "rockit-emulator: TLS handshake failed"),
                Err(_) => tracing::debug!(%addr, "rockit-emulator: TLS handshake timed out"),
            }
        });
    }
}

impl axum::serve::Listener for Listener {
    type Io = Conn;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let accepted = match &mut self.tls {
                None => self.inner.accept().await,
                Some(tls) => tokio::select! {
                    accepted = self.inner.accept() => accepted,
                    Some((stream, addr)) = tls.done.1.recv() => {
                        return (Conn::new(Stream::Tls(Box::new(stream))), addr);
                    }
                },
            };
            match accepted {
                Ok((stream, addr)) => {
                    // Small JSON answers should leave at once rather than wait for Nagle's algorithm.
                    let _ = stream.set_nodelay(true);
                    lock(&self.shared.log).connection();
                    match &self.tls {
                        None => return (Conn::new(Stream::Plain(stream)), addr),
                        Some(tls) => tls.handshake(stream, addr),
                    }
                }
                Err(err) if is_per_connection(&err) => {}
                Err(err) => {
                    // Out of file descriptors or similar: wait a little instead of spinning.
                    tracing::warn!(error = %err, "rockit-emulator: accept failed");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.inner.local_addr()
    }
}

fn is_per_connection(err: &io::Error) -> bool {
    matches!(
        err.kind(),
        io::ErrorKind::ConnectionRefused | io::ErrorKind::ConnectionAborted | io::ErrorKind::ConnectionReset
    )
}

/// One accepted connection.
pub(crate) struct Conn {
    stream: Stream,
    control: Arc<Control>,
}

impl Conn {
    fn new(stream: Stream) -> Self {
        Self { stream, control: Arc::new(Control::default()) }
    }
}

/// A connection's bytes: plain TCP, or TLS over it.
enum Stream {
    Plain(TcpStream),
    Tls(Box<TlsStream>),
}

impl AsyncRead for Stream {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Plain(stream) => Pin::new(stream).poll_read(cx, buf),
            Self::Tls(stream) => Pin::new(stream.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Self::Plain(stream) => Pin::new(stream).poll_write(cx, buf),
            Self::Tls(stream) => Pin::new(stream.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Plain(stream) => Pin::new(stream).poll_flush(cx),
            Self::Tls(stream) => Pin::new(stream.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Plain(stream) => Pin::new(stream).poll_shutdown(cx),
            Self::Tls(stream) => Pin::new(stream.as_mut()).poll_shutdown(cx),
        }
    }
}

/// The handle through which a request's handler cuts its own connection.
#[derive(Clone, Default)]
pub(crate) struct ConnHandle(Arc<Control>);

impl Connected<IncomingStream<'_, Listener>> for ConnHandle {
    fn connect_info(stream: IncomingStream<'_, Listener>) -> Self {
        Self(stream.io().control.clone())
    }
}

impl ConnHandle {
    /// Refuses every further write: the response is never sent and the connection closes.
    pub(crate) fn kill(&self) {
        *lock(&self.0.cut) = Cut::Kill;
    }

    /// Lets the next response head through, then `budget` bytes of its body, then closes.
    pub(crate) fn truncate_body(&self, budget: usize) {
        *lock(&self.0.cut) = Cut::Truncate(Truncation { matched: 0, in_body: false, budget });
    }
}

#[derive(Default)]
struct Control {
    cut: Mutex<Cut>,
}

#[derive(Debug, Clone, Copy, Default)]
enum Cut {
    #[default]
    Pass,
    Kill,
    Truncate(Truncation),
}

#[derive(Debug, Clone, Copy)]
struct Truncation {
    /// How much of the `\r\n\r\n` ending the response head has been written.
    matched: usize,
    in_body: bool,
    /// Body bytes still allowed.
    budget: usize,
}

const HEAD_END: &[u8; 4] = b"\r\n\r\n";

impl Truncation {
    /// Consumes as many bytes of `buf` as may be written; returns how many that is.
    fn take(&mut self, buf: &[u8]) -> usize {
        let mut count = 0;
        for &byte in buf {
            if self.in_body {
                if self.budget == 0 {
                    break;
                }
                self.budget -= 1;
            } else {
                self.matched = if byte == HEAD_END[self.matched] {
                    self.matched + 1
                } else {
                    usize::from(byte == b'\r')
                };
                self.in_body = self.matched == HEAD_END.len();
            }
            count += 1;
        }
        count
    }
}

fn refused() -> io::Error {
    io::Error::new(io::ErrorKind::ConnectionAborted, "connection cut by an injected fault")
}

impl AsyncRead for Conn {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Conn {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let allowed = match *lock(&this.control.cut) {
            Cut::Pass => buf.len(),
            Cut::Kill => return Poll::Ready(Err(refused())),
            Cut::Truncate(mut truncation) => truncation.take(buf),
        };
        if allowed == 0 && !buf.is_empty() {
            *lock(&this.control.cut) = Cut::Kill;
            return Poll::Ready(Err(refused()));
        }
        let poll = Pin::new(&mut this.stream).poll_write(cx, &buf[..allowed]);
        if let Poll::Ready(Ok(written)) = poll
            && let Cut::Truncate(truncation) = &mut *lock(&this.control.cut)
        {
            truncation.take(&buf[..written]);
        }
        poll
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_lets_the_head_and_a_budget_through() {
        let mut truncation = Truncation { matched: 0, in_body: false, budget: 3 };
        let response = b"HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\n0123456789";
        let head = response.len() - 10;
        assert_eq!(truncation.take(&response[..5]), 5);
        assert_eq!(truncation.take(&response[5..]), head - 5 + 3);
        assert_eq!(truncation.take(b"more"), 0);
    }

    #[test]
    fn a_lone_carriage_return_restarts_the_match() {
        let mut truncation = Truncation { matched: 0, in_body: false, budget: 0 };
        assert_eq!(truncation.take(b"a\r\r\n\r\nbody"), 6);
    }
}
