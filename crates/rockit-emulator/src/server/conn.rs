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

use crate::clock::lock;
use crate::server::Shared;

/// Accepts TCP connections and wraps each in a [`Conn`].
pub(crate) struct Listener {
    pub(crate) inner: TcpListener,
    pub(crate) shared: Arc<Shared>,
}

impl axum::serve::Listener for Listener {
    type Io = Conn;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            match self.inner.accept().await {
                Ok((stream, addr)) => {
                    // Small JSON answers should leave at once rather than wait for Nagle's algorithm.
                    let _ = stream.set_nodelay(true);
                    lock(&self.shared.log).connection();
                    return (Conn { stream, control: Arc::new(Control::default()) }, addr);
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
    stream: TcpStream,
    control: Arc<Control>,
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
