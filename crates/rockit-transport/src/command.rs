//! `CommandCredentials`: credentials handed out by an external program (a token command or an API
//! key command), cached until shortly before they expire and fetched again on `token-expired`.
//!
//! This is how people plug in whatever their login is — a script around the vendor's login, a
//! vault, a CI secret store — the way AWS `credential_process`, kubectl's exec plugins and git's
//! credential helpers work. The program is run directly (an argv, no shell unless it is `sh -c`),
//! with no input, and bounded in time. Its stdout holds the secret and never appears in an error or
//! a log; a failure reports the exit status and the first line of stderr.

use std::fmt;
use std::process::Stdio;
use std::time::{Duration, SystemTime};

use secrecy::SecretString;
use serde::Deserialize;
use tokio::sync::Mutex;
use tokio::time::Instant;

use crate::credentials::{CredentialFuture, CredentialProvider, Credentials};
use crate::error::{Error, ErrorKind, Result};

/// How long a token is used when its command gives no expiry: the vendor's tokens live about five
/// minutes, so four leave a margin.
pub const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(4 * 60);
/// How long a credential command may run before it is stopped.
pub const DEFAULT_COMMAND_TIMEOUT: Duration = Duration::from_secs(30);
/// A token whose command gave an expiry is replaced this long before it.
const EXPIRY_MARGIN: Duration = Duration::from_secs(30);
/// The most stdout a credential command may print.
const MAX_OUTPUT: usize = 64 * 1024;

/// What the command's secret is.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    /// A backend auth token, with the org header when known.
    Token { org: Option<String> },
    /// A machine user's API key.
    ApiKey { org: String, user: String },
}

/// Credentials from an external program; see the module docs. Build one with
/// [`CommandCredentials::token`] or [`CommandCredentials::api_key`] and hand it to
/// [`crate::ClientBuilder::credential_provider`].
///
/// The program prints either the secret alone on one line, or a JSON document:
/// `{"token": "...", "expiresAt": "2026-12-01T10:05:00Z"}` (`apiKey` instead of `token` for an API
/// key command; `expiresAt` in RFC 3339, optional). The secret is reused until shortly before it
/// expires, or for the lifetime set with [`CommandCredentials::lifetime`] (4 minutes by default);
/// on `401 token-expired` the program runs again. Concurrent callers share one run.
pub struct CommandCredentials {
    argv: Vec<String>,
    kind: Kind,
    lifetime: Duration,
    timeout: Duration,
    cache: Mutex<Option<Cached>>,
}

/// A secret fetched by the command, until when to use it, and when it was fetched.
struct Cached {
    credentials: Credentials,
    use_until: Instant,
    fetched: Instant,
}

/// The JSON a command may print.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Printed {
    token: Option<String>,
    api_key: Option<String>,
    expires_at: Option<String>,
}

impl CommandCredentials {
    /// Tokens from `argv` (program and arguments); `org`, if known, is sent as `x-rockit-orgname`.
    pub fn token(argv: Vec<String>, org: Option<String>) -> Result<Self> {
        Self::new(argv, Kind::Token { org })
    }

    /// The API key of machine user `user` in organization `org`, from `argv`.
    pub fn api_key(argv: Vec<String>, org: impl Into<String>, user: impl Into<String>) -> Result<Self> {
        Self::new(argv, Kind::ApiKey { org: org.into(), user: user.into() })
    }

    fn new(argv: Vec<String>, kind: Kind) -> Result<Self> {
        if argv.first().is_none_or(|program| program.trim().is_empty()) {
            return Err(Error::config(
                "the credential command is empty; name a program, like vault or sh -c '...'",
            ));
        }
        Ok(Self {
            argv,
            kind,
            lifetime: DEFAULT_TOKEN_LIFETIME,
            timeout: DEFAULT_COMMAND_TIMEOUT,
            cache: Mutex::new(None),
        })
    }

    /// How long to use a secret whose command gave no expiry. Default: [`DEFAULT_TOKEN_LIFETIME`].
    #[must_use]
    pub fn lifetime(mut self, lifetime: Duration) -> Self {
        self.lifetime = lifetime;
        self
    }

    /// How long the command may run. Default: [`DEFAULT_COMMAND_TIMEOUT`].
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The program and its arguments.
    pub fn argv(&self) -> &[String] {
        &self.argv
    }

    /// The cached credentials if still good, else a fresh run; with `after`, a cache fetched
    /// before that moment does not count (a refresh), unless another caller already refreshed.
    async fn get(&self, after: Option<Instant>) -> Result<Credentials> {
        let mut cache = self.cache.lock().await;
        let now = Instant::now();
        if let Some(cached) = cache.as_ref() {
            let fresh = after.is_none_or(|after| cached.fetched >= after);
            // Equivalent mutant: `<=` differs only in the very nanosecond the secret expires.
            if fresh && now < cached.use_until {
                return Ok(cached.credentials.clone());
            }
        }
        let (credentials, expires) = self.run().await?;
        let lifetime = match expires {
            Some(expires) => {
                expires.duration_since(SystemTime::now()).unwrap_or_default().saturating_sub(EXPIRY_MARGIN)
            }
            None => self.lifetime,
        };
        let fetched = Instant::now();
        *cache = Some(Cached { credentials: credentials.clone(), use_until: fetched + lifetime, fetched });
        Ok(credentials)
    }

    /// Runs the program once and reads its secret.
    async fn run(&self) -> Result<(Credentials, Option<SystemTime>)> {
        let program = &self.argv[0];
        tracing::debug!(program = %program, "running the credential command");
        let mut command = tokio::process::Command::new(program);
        command
            .args(&self.argv[1..])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let child = command.spawn().map_err(|err| {
            failure(format!(
                "credential command {program:?} could not start ({err}); check the program's name and path"
            ))
        })?;
        let output = match tokio::time::timeout(self.timeout, child.wait_with_output()).await {
            Err(_) => {
                return Err(failure(format!(
                    "credential command {program:?} did not finish within {}s and was stopped",
                    self.timeout.as_secs_f64()
                )));
            }
            Ok(Err(err)) => {
                return Err(failure(format!("credential command {program:?} failed to run ({err})")));
            }
            Ok(Ok(output)) => output,
        };
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let first = stderr.lines().map(str::trim).find(|line| !line.is_empty()).unwrap_or("");
            let first = rockit_model::printable(first);
            let said = if first.is_empty() { String::new() } else { format!(": {first}") };
            return Err(failure(format!(
                "credential command {program:?} exited with {}{said}",
                output.status
            )));
        }
        if output.stdout.len() > MAX_OUTPUT {
            return Err(failure(format!(
                "credential command {program:?} printed more than {MAX_OUTPUT} bytes"
            )));
        }
        self.read(program, &output.stdout)
    }

    /// The secret and its expiry from what the program printed. Errors never quote the output.
    fn read(&self, program: &str, stdout: &[u8]) -> Result<(Credentials, Option<SystemTime>)> {
        let text = std::str::from_utf8(stdout)
            .map_err(|_| {
                failure(format!("credential command {program:?} printed something that is not UTF-8 text"))
            })?
            .trim();
        let wanted = match self.kind {
            Kind::Token { .. } => "a token",
            Kind::ApiKey { .. } => "an API key",
        };
        let (secret, expires) = if text.starts_with('{') {
            let printed: Printed = serde_json::from_str(text).map_err(|err| {
                failure(format!(
                    "credential command {program:?} printed JSON that does not read ({}, at line {} column {})",
                    match err.classify() {
                        serde_json::error::Category::Data => "a field of the wrong type",
                        serde_json::error::Category::Eof => "cut short",
                        _ => "not valid JSON",
                    },
                    err.line(),
                    err.column()
                ))
            })?;
            let secret = match self.kind {
                Kind::Token { .. } => printed.token,
                Kind::ApiKey { .. } => printed.api_key.or(printed.token),
            };
            let expires = match printed.expires_at.as_deref() {
                Some(at) => Some(humantime::parse_rfc3339_weak(at).map_err(|_| {
                    failure(format!(
                        "credential command {program:?} printed an expiresAt that is not an RFC 3339 time"
                    ))
                })?),
                None => None,
            };
            (secret.unwrap_or_default(), expires)
        } else {
            let mut lines = text.lines();
            match (lines.next(), lines.next()) {
                (Some(line), None) => (line.trim().to_owned(), None),
                (None, _) => (String::new(), None),
                (Some(_), Some(_)) => {
                    return Err(failure(format!(
                        "credential command {program:?} printed several lines; print {wanted} alone, or a JSON document"
                    )));
                }
            }
        };
        if secret.is_empty() || secret.chars().any(|ch| ch.is_control() || ch.is_whitespace()) {
            return Err(failure(format!(
                "credential command {program:?} printed no usable {}; print {wanted} alone on one line, or {{\"{}\": \"...\", \"expiresAt\": \"...\"}}",
                &wanted[wanted.find(' ').map_or(0, |space| space + 1)..],
                if matches!(self.kind, Kind::Token { .. }) { "token" } else { "apiKey" }
            )));
        }
        let credentials = match &self.kind {
            Kind::Token { org } => Credentials::Token { token: SecretString::from(secret), org: org.clone() },
            Kind::ApiKey { org, user } => {
                Credentials::ApiKey { org: org.clone(), user: user.clone(), key: SecretString::from(secret) }
            }
        };
        Ok((credentials, expires))
    }
}

fn failure(message: String) -> Error {
    Error::new(ErrorKind::Credentials { message })
}

impl CredentialProvider for CommandCredentials {
    fn credentials(&self) -> CredentialFuture<'_> {
        Box::pin(self.get(None))
    }

    fn refresh(&self) -> CredentialFuture<'_> {
        // Callers that saw the same expiry wait for one run: whoever gets the lock after another
        // caller's run reuses its result.
        let asked = Instant::now();
        Box::pin(self.get(Some(asked)))
    }

    fn org(&self) -> Option<&str> {
        match &self.kind {
            Kind::Token { org } => org.as_deref(),
            Kind::ApiKey { org, .. } => Some(org),
        }
    }
}

/// Shows the program, not its arguments (which could hold a secret), and never a secret.
impl fmt::Debug for CommandCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CommandCredentials")
            .field("program", &self.argv[0])
            .field("arguments", &(self.argv.len() - 1))
            .field("kind", &self.kind)
            .field("lifetime", &self.lifetime)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}
