//! The Tasks client's error: the transport's errors with the task they concern, and this crate's
//! own (a refused update, a waiter's failure outcome when asked for as an error).

use std::fmt;
use std::time::Duration;

use rockit_model::{TaskDetails, TaskName, TaskStatus};

/// `Result` with this crate's [`Error`] as the default error type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in the Tasks client.
///
/// Its `Display` is one line that says everything; [`source`](std::error::Error::source) goes on
/// from there without repeating it: for [`Error::Transport`], the line includes the transport
/// error's own, so `source()` is *that error's* source (reach the transport error itself with
/// [`Error::transport_error`]). A report that prints the chain reads each cause once.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// A call failed in the transport (network, HTTP status, API error, decoding…).
    Transport {
        /// What the client was doing, naming the task: `acknowledge exampleorg-…-dltar`.
        action: String,
        /// The transport's error, with status, API code and attempts.
        source: rockit_transport::Error,
    },
    /// A background page fetch of a prefetching stream was cancelled or panicked; polling the
    /// stream again fetches the page anew.
    Background {
        /// What the runtime reported.
        source: tokio::task::JoinError,
    },
    /// An update that sets neither `acknowledged` nor `expired`, which the server would refuse.
    EmptyUpdate {
        /// The task.
        name: TaskName,
    },
    /// The task a waiter watched ended without success (see [`crate::WaitOutcome::into_result`]).
    TaskFailed {
        /// The task's last details, exception included.
        details: Box<TaskDetails>,
    },
    /// A waiter gave up before the task reached a terminal state.
    WaitTimedOut {
        /// The task.
        name: TaskName,
        /// How long the waiter waited.
        waited: Duration,
        /// The last state seen, if any.
        last_status: Option<TaskStatus>,
    },
    /// A build a waiter watched ended with a failed or expired stage (see
    /// [`crate::BuildOutcome::into_result`]).
    BuildFailed {
        /// The build as last seen.
        build: Box<crate::Build>,
    },
    /// A waiter gave up before the build reached its target.
    BuildWaitTimedOut {
        /// The build.
        id: rockit_model::BuildId,
        /// How long the waiter waited.
        waited: Duration,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Transport { action, source } => write!(f, "{action}: {source}"),
            Self::Background { .. } => f.write_str("a background page fetch failed"),
            Self::EmptyUpdate { name } => {
                write!(f, "update of task {name} sets no flag; set acknowledged and/or expired")
            }
            Self::TaskFailed { details } => {
                write!(f, "task {} ended {}{}", details.name, details.status, failure_summary(details))
            }
            Self::WaitTimedOut { name, waited, last_status } => {
                let last = last_status.as_ref().map_or("unseen", TaskStatus::as_str);
                write!(f, "gave up waiting for task {name} after {waited:?}; it was still {last}")
            }
            Self::BuildFailed { build } => write!(f, "build {} ended {}", build.id(), build_state(build)),
            Self::BuildWaitTimedOut { id, waited } => {
                write!(f, "gave up waiting for build {id} after {waited:?}")
            }
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            // The line above already ends with the transport error's text.
            Self::Transport { source, .. } => std::error::Error::source(source),
            Self::Background { source } => Some(source),
            _ => None,
        }
    }
}

/// `failed mkdxf`, `expired dltar`, `running`.
fn build_state(build: &crate::Build) -> String {
    let state = build.state();
    match state.failed_stage() {
        Some(kind) => format!("{} {kind}", state.as_str()),
        None => state.as_str().to_owned(),
    }
}

impl Error {
    pub(crate) fn transport(action: impl Into<String>, source: rockit_transport::Error) -> Self {
        Self::Transport { action: action.into(), source }
    }

    /// The transport's error, if the failure happened there.
    pub fn transport_error(&self) -> Option<&rockit_transport::Error> {
        match self {
            Self::Transport { source, .. } => Some(source),
            _ => None,
        }
    }

    /// Whether the server refused the credentials or their permissions.
    pub fn is_auth(&self) -> bool {
        self.transport_error().is_some_and(rockit_transport::Error::is_auth)
    }

    /// Whether the task (or route) does not exist.
    pub fn is_not_found(&self) -> bool {
        self.transport_error().is_some_and(rockit_transport::Error::is_not_found)
    }

    /// Whether the failure is transient, so that the same call later may succeed: the
    /// transport's [`is_retryable`](rockit_transport::Error::is_retryable), or a background page
    /// fetch that was cancelled.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Background { source } => source.is_cancelled(),
            _ => self.transport_error().is_some_and(rockit_transport::Error::is_retryable),
        }
    }

    /// Whether time ran out: a call's timeout or deadline, or a waiter that gave up.
    pub fn is_timeout(&self) -> bool {
        match self {
            Self::WaitTimedOut { .. } | Self::BuildWaitTimedOut { .. } => true,
            _ => self.transport_error().is_some_and(rockit_transport::Error::is_timeout),
        }
    }

    /// Whether ROCKIT Edge asked to come back later than the client waits (maintenance, a rate
    /// limit): see [`rockit_transport::Error::is_retry_later`].
    pub fn is_retry_later(&self) -> bool {
        self.transport_error().is_some_and(|error| error.is_retry_later() || error.is_maintenance())
    }

    /// Whether a task or a build a waiter watched ended failed or expired.
    pub fn is_failed(&self) -> bool {
        matches!(self, Self::TaskFailed { .. } | Self::BuildFailed { .. })
    }
}

/// `: <exception summary>` for a failed task's message, if it carries an exception.
fn failure_summary(details: &TaskDetails) -> String {
    details.exception.as_ref().map_or_else(String::new, |exception| format!(": {}", exception.summary()))
}
