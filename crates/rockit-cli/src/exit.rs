//! Exit codes ([`Exit`]), usage errors, and the mapping from an error to its exit code and its
//! one-line message.

use std::fmt;
use std::io::Write;

use rockit_transport::ErrorKind;

use crate::output::terminal_text;

/// How `rockit` ends; the numbers are part of the CLI's interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Exit {
    /// 0: the command did what it was asked.
    Success,
    /// 1: an API or network error (a 4xx/5xx answer other than authentication, a connection that
    /// failed, a response that did not decode).
    Failure,
    /// 2: a usage error: a bad flag or value, missing or conflicting configuration, a refused
    /// confirmation. Nothing was sent.
    Usage,
    /// 3: the server refused the credentials (401) or their permissions (403).
    Auth,
    /// 4: `tasks wait`/`tasks watch`: the task ended failed or expired; `builds wait`: a stage
    /// of the build did.
    TaskFailed,
    /// 5: `tasks wait`/`tasks watch`/`builds wait`: the timeout passed first.
    TimedOut,
    /// 6: the server asked to come back later than the client waits: ROCKIT Edge is in
    /// maintenance, or limits the rate of requests; the message says when. Nothing was changed,
    /// and the same command may succeed then. Waits never end so: they wait through it.
    RetryLater,
    /// 130: interrupted (Ctrl-C), as shells report a command SIGINT ended.
    Interrupted,
}

impl Exit {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            Self::Success => 0,
            Self::Failure => 1,
            Self::Usage => 2,
            Self::Auth => 3,
            Self::TaskFailed => 4,
            Self::TimedOut => 5,
            Self::RetryLater => 6,
            Self::Interrupted => 130,
        }
    }

    /// The more serious of two outcomes, for commands that process several tasks: any failure
    /// beats success, a failure beats "come back later", and an authentication failure beats
    /// other failures.
    pub(crate) fn worst(self, other: Self) -> Self {
        let rank = |exit: Self| match exit {
            Self::Success => 0,
            Self::RetryLater => 1,
            Self::Failure => 2,
            Self::TaskFailed | Self::TimedOut => 3,
            Self::Usage => 4,
            Self::Auth => 5,
            Self::Interrupted => 6,
        };
        if rank(other) > rank(self) { other } else { self }
    }
}

impl Exit {
    /// Every exit code, in order.
    pub const ALL: [Exit; 8] = [
        Self::Success,
        Self::Failure,
        Self::Usage,
        Self::Auth,
        Self::TaskFailed,
        Self::TimedOut,
        Self::RetryLater,
        Self::Interrupted,
    ];

    /// What the code means, for people: the one text `rockit --help`, README and the docs give.
    pub fn meaning(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Failure => "API or network error",
            Self::Usage => {
                "usage error: bad flag or value, missing or conflicting configuration, refused confirmation"
            }
            Self::Auth => "authentication or permission error (401, 403)",
            Self::TaskFailed => {
                "`tasks wait`/`watch`: the task ended failed or expired; `builds wait`: a stage did"
            }
            Self::TimedOut => "`tasks wait`/`watch`, `builds wait`: timed out first",
            Self::RetryLater => {
                "ROCKIT Edge is in maintenance or limits the rate of requests: try again when the message \
                 says; nothing was changed (waits wait through it)"
            }
            Self::Interrupted => {
                "interrupted (Ctrl-C): the live view is erased; a change already sent may have been made"
            }
        }
    }
}

/// The exit codes as `rockit --help` ends: one per line, wrapped to 100 columns.
pub(crate) fn exit_codes_help() -> String {
    let mut text = String::from("Exit codes:\n");
    for exit in Exit::ALL {
        let mut line = format!("  {}  ", exit.code());
        for word in exit.meaning().split(' ') {
            if line.len() + word.len() > 100 {
                text.push_str(line.trim_end());
                text.push('\n');
                line = " ".repeat(5);
            }
            line.push_str(word);
            line.push(' ');
        }
        text.push_str(line.trim_end());
        text.push('\n');
    }
    text
}

impl From<Exit> for std::process::ExitCode {
    fn from(exit: Exit) -> Self {
        Self::from(exit.code())
    }
}

/// A mistake in how `rockit` was called, found before any request: exit code 2.
#[derive(Debug)]
pub(crate) struct UsageError(pub(crate) String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// A usage error with `message`, which says what is wrong and how to fix it.
pub(crate) fn usage(message: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(UsageError(message.into()))
}

/// The exit code an error calls for: the first cause in its chain that decides.
pub(crate) fn classify(error: &anyhow::Error) -> Exit {
    for cause in error.chain() {
        if cause.is::<UsageError>() || cause.is::<rockit_model::Error>() {
            return Exit::Usage;
        }
        if let Some(err) = cause.downcast_ref::<rockit_emulator::Error>() {
            return if err.is_usage() { Exit::Usage } else { Exit::Failure };
        }
        if let Some(err) = cause.downcast_ref::<rockit_transport::Error>() {
            return transport_exit(err);
        }
        if let Some(err) = cause.downcast_ref::<rockit_tasks::Error>() {
            if let Some(transport) = err.transport_error() {
                return transport_exit(transport);
            }
            return match err {
                rockit_tasks::Error::TaskFailed { .. } => Exit::TaskFailed,
                rockit_tasks::Error::WaitTimedOut { .. } => Exit::TimedOut,
                _ => Exit::Failure,
            };
        }
    }
    Exit::Failure
}

fn transport_exit(err: &rockit_transport::Error) -> Exit {
    if err.is_auth() {
        return Exit::Auth;
    }
    if err.is_retry_later() || err.is_maintenance() {
        return Exit::RetryLater;
    }
    match err.kind() {
        ErrorKind::InvalidConfig { .. } | ErrorKind::InsecureEndpoint { .. } => Exit::Usage,
        _ => Exit::Failure,
    }
}

/// Whether the error is a write to a pipe whose reader has gone.
pub(crate) fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause.downcast_ref::<std::io::Error>().is_some_and(|err| err.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Writes `error: <message>` on one line, plus a hint for authentication failures (naming the
/// `credentials` in use and where each came from, when known: see
/// `connect::credential_sources`); with `verbose`, every cause of the
/// chain on a line of its own below.
pub(crate) fn report(
    error: &anyhow::Error,
    verbose: bool,
    credentials: Option<&str>,
    stderr: &mut dyn Write,
) {
    let mut line = terminal_text(&error.to_string());
    if let Some(hint) = hint(error, credentials) {
        line.push_str("; ");
        line.push_str(&hint);
    }
    let _ = writeln!(stderr, "error: {line}");
    if verbose {
        // A cause whose text ends the line above (an error that prints its source too) adds
        // nothing: it is skipped, so the chain reads once.
        let mut above = error.to_string();
        for cause in error.chain().skip(1) {
            let text = cause.to_string();
            if !above.ends_with(&text) {
                let _ = writeln!(stderr, "  caused by: {}", terminal_text(&text));
            }
            above = text;
        }
    }
}

/// What to do about an authentication or permission failure.
fn hint(error: &anyhow::Error, credentials: Option<&str>) -> Option<String> {
    let transport = error.chain().find_map(|cause| {
        cause.downcast_ref::<rockit_transport::Error>().or_else(|| {
            cause.downcast_ref::<rockit_tasks::Error>().and_then(rockit_tasks::Error::transport_error)
        })
    })?;
    match transport.status() {
        Some(401) => Some(credentials.map_or_else(
            || "check --org, --user and --api-key (or --token), or ROCKIT_ORG, ROCKIT_USER and ROCKIT_API_KEY (or ROCKIT_TOKEN)"
                .to_owned(),
            |credentials| format!("check {credentials}"),
        )),
        Some(403) => {
            let in_use = credentials.map(|credentials| format!(" (in use: {credentials})"));
            // Say which permission, unless the server already did.
            match transport.permission().filter(|permission| !error.to_string().contains(permission)) {
                Some(permission) => Some(format!(
                    "this needs the {permission} permission; use credentials that have it{}",
                    in_use.unwrap_or_default()
                )),
                None => credentials.map(|credentials| format!("the credentials in use: {credentials}")),
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worst_prefers_auth_then_usage_then_failures() {
        assert_eq!(Exit::Success.worst(Exit::Failure), Exit::Failure);
        assert_eq!(Exit::Auth.worst(Exit::Failure), Exit::Auth);
        assert_eq!(Exit::Failure.worst(Exit::Auth), Exit::Auth);
        assert_eq!(Exit::Failure.worst(Exit::Success), Exit::Failure);
        // Maintenance on one task and a real failure on another is a failure, not "try later".
        assert_eq!(Exit::RetryLater.worst(Exit::Failure), Exit::Failure);
        assert_eq!(Exit::Failure.worst(Exit::RetryLater), Exit::Failure);
        assert_eq!(Exit::Success.worst(Exit::RetryLater), Exit::RetryLater);
        // Of two equally serious outcomes the first one stands.
        assert_eq!(Exit::TaskFailed.worst(Exit::TimedOut), Exit::TaskFailed);
        assert_eq!(Exit::TimedOut.worst(Exit::TaskFailed), Exit::TimedOut);
    }

    #[test]
    fn a_failed_task_or_a_wait_that_gave_up_has_its_own_exit_code_behind_any_context() {
        let name: rockit_model::TaskName = "exampleorg-sushi-0001-1732886919-dltar".parse().unwrap();
        let body =
            br#"{"name":"exampleorg-sushi-0001-1732886919-dltar","service":"engine","status":"failed"}"#;
        let details = rockit_model::TaskDetails::from_json_for(body, &name).unwrap();
        let failed = rockit_tasks::Error::TaskFailed { details: Box::new(details) };
        assert_eq!(classify(&anyhow::Error::new(failed).context("waiting")), Exit::TaskFailed);
        let gave_up = rockit_tasks::Error::WaitTimedOut {
            name,
            waited: std::time::Duration::from_secs(1),
            last_status: None,
        };
        assert_eq!(classify(&anyhow::Error::new(gave_up).context("waiting")), Exit::TimedOut);
    }

    #[test]
    fn usage_and_name_errors_exit_2() {
        assert_eq!(classify(&usage("no")), Exit::Usage);
        let bad = "a/b".parse::<rockit_model::TaskName>().unwrap_err();
        assert_eq!(classify(&anyhow::Error::new(bad)), Exit::Usage);
        assert_eq!(classify(&anyhow::anyhow!("other")), Exit::Failure);
    }

    #[test]
    fn a_closed_pipe_is_recognised_through_the_chain() {
        let pipe =
            anyhow::Error::new(std::io::Error::from(std::io::ErrorKind::BrokenPipe)).context("writing");
        assert!(is_broken_pipe(&pipe));
        let other = anyhow::Error::new(std::io::Error::from(std::io::ErrorKind::PermissionDenied));
        assert!(!is_broken_pipe(&other));
    }

    #[test]
    fn reports_are_one_line_unless_verbose() {
        let error = anyhow::Error::new(UsageError("root\ncause".into())).context("top");
        let mut out = Vec::new();
        report(&error, false, None, &mut out);
        assert_eq!(String::from_utf8(out).unwrap(), "error: top\n");
        let mut out = Vec::new();
        report(&error, true, None, &mut out);
        assert_eq!(String::from_utf8(out).unwrap(), "error: top\n  caused by: root cause\n");
    }

    #[test]
    fn a_cause_the_line_above_already_prints_is_not_repeated() {
        let root = anyhow::Error::new(UsageError("GET /x: refused".into()));
        let error = root.context("list tasks: GET /x: refused").context("list tasks: GET /x: refused");
        let mut out = Vec::new();
        report(&error, true, None, &mut out);
        assert_eq!(String::from_utf8(out).unwrap(), "error: list tasks: GET /x: refused\n");
        let error = anyhow::Error::new(UsageError("the cause".into())).context("list tasks: refused");
        let mut out = Vec::new();
        report(&error, true, None, &mut out);
        assert_eq!(String::from_utf8(out).unwrap(), "error: list tasks: refused\n  caused by: the cause\n");
    }
}
