//! The crate's error type: what can go wrong while configuring, starting or driving an emulator.
//!
//! Request-level failures are not errors of this crate: the emulator answers them with a JSON error
//! body (see [`crate::ApiError`]).

use std::net::SocketAddr;
use std::path::PathBuf;

/// Everything that can go wrong in `rockit-emulator`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The listening socket could not be bound.
    #[error("cannot listen on {addr}: {source}; pick another address or free the port")]
    Bind {
        /// The address that was asked for.
        addr: SocketAddr,
        /// The operating system's reason.
        #[source]
        source: std::io::Error,
    },
    /// A fixture file could not be read.
    #[error("cannot read fixture file {}: {source}", path.display())]
    FixtureRead {
        /// The file.
        path: PathBuf,
        /// The operating system's reason.
        #[source]
        source: std::io::Error,
    },
    /// A fixture is not valid JSON of the documented shape.
    #[error("invalid fixture {origin}: {message}; see the crate docs for the fixture format")]
    FixtureFormat {
        /// Where the fixture came from: a file name or `inline JSON`.
        origin: String,
        /// What is wrong, naming the offending task where possible.
        message: String,
    },
    /// A fixture names the same task twice.
    #[error("fixture holds the task {name:?} twice; task names are unique")]
    DuplicateTask {
        /// The repeated name.
        name: String,
    },
    /// A configuration value is out of range.
    #[error("invalid {setting} {value}: {expected}")]
    InvalidConfig {
        /// The setting, such as `speed` or `fault rate`.
        setting: &'static str,
        /// The rejected value, as given.
        value: String,
        /// What is accepted.
        expected: &'static str,
    },
    /// No task of that name is in the store.
    #[error("no task named {name:?}; list the store with `Emulator::tasks()`")]
    UnknownTask {
        /// The name that was asked for.
        name: String,
    },
    /// The task has no timeline step left to apply.
    #[error("task {name:?} has no timeline step left; give it a timeline or change it with `update`")]
    TimelineFinished {
        /// The task's name.
        name: String,
    },
    /// `--listen` names an address other machines can reach, without `--allow-remote`.
    #[error(
        "refusing to listen on {addr}: other machines could reach it and the demo credentials are public; \
         pass --allow-remote to do it anyway"
    )]
    RemoteListen {
        /// The refused address.
        addr: SocketAddr,
    },
    /// The TLS certificate or key cannot serve TLS.
    #[error("cannot serve TLS: {message}; give a PEM certificate chain and its private key")]
    Tls {
        /// What is wrong.
        message: String,
    },
    /// The server task failed or did not stop in time.
    #[error("emulator server failed: {message}")]
    Server {
        /// What happened.
        message: String,
    },
}

impl Error {
    /// Whether the caller's settings are at fault (a remote address, a bad fixture, an
    /// out-of-range value, an unknown task) rather than the system (a port in use, a failed server).
    pub fn is_usage(&self) -> bool {
        !matches!(self, Self::Bind { .. } | Self::Server { .. })
    }
}

/// `Result` with this crate's [`Error`] as the default error type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
