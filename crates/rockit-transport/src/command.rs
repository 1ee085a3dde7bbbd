//! `CommandCredentials`: credentials handed out by an external program (a token command or an API
//! key command), cached until shortly before they expire and fetched again on `token-expired`.
//!
//! This is how people plug in whatever their login is — a script around the vendor's login, a
//! vault, a CI secret store — the way AWS `credential_process`, kubectl's exec plugins and git's
//! credential helpers work. The program is run directly (an argv, no shell unless it is `sh -c`),
//! with no input, and bounded in time. Its stdout holds the secret and never appears in an error or
//! a log; a failure reports the exit status and the first non-empty line of stderr, shortened, made
//! printable, and with secrets redacted: the secret the provider last handed out, and whatever
//! follows a secret-bearing key such as `password=`, `token:` or `Bearer`. That redaction is a
//! safety net, not a guarantee: a value is taken to end at the first blank, and a secret the
//! provider never handed out and no key names cannot be recognised; a program should not print
//! secrets on stderr.

use std::fmt;
use std::ops::Range;
use std::process::{ExitStatus, Stdio};
use std::time::{Duration, SystemTime};

use secrecy::{ExposeSecret as _, SecretString};
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
/// The most characters of a failed command's stderr an error quotes.
const MAX_EXCERPT: usize = 120;
/// What stands in for a redacted secret.
const REDACTED: &str = "[redacted]";
/// Known secrets shorter than this (in characters) are not redacted: they would hide every letter.
const MIN_SECRET_CHARS: usize = 4;
/// Keys whose value (after `=` or `:`) is a secret, matched case-insensitively at a word start, so
/// that `access_token=` and `DB_PASSWORD:` count but `monkey=` does not.
const SECRET_KEYS: [&str; 10] =
    ["password", "passwd", "pwd", "secret", "token", "api_key", "apikey", "api-key", "key", "authorization"];
/// Authorization schemes whose next word is a secret: `Bearer <token>`.
const SECRET_SCHEMES: [&str; 2] = ["bearer", "basic"];

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
        // A failing command may echo the secret it handed out last: its error redacts it.
        let previous = cache.as_ref().map(|cached| secret_of(&cached.credentials));
        let (credentials, expires) = self.run(previous.as_slice()).await?;
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

    /// Runs the program once and reads its secret; a failure's error redacts `known` secrets.
    async fn run(&self, known: &[&str]) -> Result<(Credentials, Option<SystemTime>)> {
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
            let excerpt = stderr_excerpt(&output.stderr, known);
            let said = if excerpt.is_empty() { String::new() } else { format!(": {excerpt}") };
            return Err(failure(format!(
                "credential command {program:?} {}{said}; run the command yourself to see its full output",
                ended(output.status)
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

/// The secret in `credentials`.
fn secret_of(credentials: &Credentials) -> &str {
    match credentials {
        Credentials::Token { token, .. } => token.expose_secret(),
        Credentials::ApiKey { key, .. } => key.expose_secret(),
    }
}

/// How a failed program ended, for its error: `exited with status 7`, `was killed by signal 9`.
fn ended(status: ExitStatus) -> String {
    if let Some(code) = status.code() {
        return format!("exited with status {code}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt as _;
        if let Some(signal) = status.signal() {
            return format!("was killed by signal {signal}");
        }
    }
    "ended without reporting a status".to_owned()
}

/// What a failed command's error quotes of its stderr: the first non-empty line, with secrets
/// redacted (see [`redact`]), made printable, and cut to [`MAX_EXCERPT`] characters plus `…`.
/// Empty when stderr holds nothing but blank lines.
fn stderr_excerpt(stderr: &[u8], known: &[&str]) -> String {
    let stderr = String::from_utf8_lossy(stderr);
    let Some(first) = stderr.lines().map(str::trim).find(|line| !line.is_empty()) else {
        return String::new();
    };
    // Redact before cutting, so that a secret across the cut leaves no prefix behind.
    let redacted = redact(first, known);
    shorten(&rockit_model::printable(&redacted), MAX_EXCERPT)
}

/// `text` cut to `max` characters on a char boundary, with `…` appended when cut.
fn shorten(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_owned(),
        Some((cut, _)) => format!("{}…", text[..cut].trim_end()),
    }
}

/// `line` with `[redacted]` in place of every occurrence of a `known` secret (those of at least
/// [`MIN_SECRET_CHARS`] characters), of every value after a [`SECRET_KEYS`] key and `=` or `:`
/// (`password=hunter2`, `Token: abc`), and of the word after a [`SECRET_SCHEMES`] scheme
/// (`Authorization: Bearer abc`). A value runs to the next whitespace or the end of the line.
fn redact(line: &str, known: &[&str]) -> String {
    let mut hidden = keyed_values(line);
    for secret in known.iter().filter(|secret| secret.chars().count() >= MIN_SECRET_CHARS) {
        // Every occurrence, overlapping ones too: `abab` in `ababab` is at 0 and at 2.
        let mut from = 0;
        while let Some(found) = line[from..].find(secret) {
            let start = from + found;
            hidden.push(start..start + secret.len());
            from = start + line[start..].chars().next().map_or(1, char::len_utf8);
        }
    }
    hidden.sort_by_key(|range| range.start);
    // Overlapping and touching ranges become one `[redacted]`.
    let mut merged: Vec<Range<usize>> = Vec::with_capacity(hidden.len());
    for range in hidden {
        match merged.last_mut() {
            Some(last) if range.start <= last.end => last.end = last.end.max(range.end),
            _ => merged.push(range),
        }
    }
    let mut out = String::with_capacity(line.len());
    let mut shown = 0;
    for range in merged {
        out.push_str(&line[shown..range.start]);
        out.push_str(REDACTED);
        shown = range.end;
    }
    out.push_str(&line[shown..]);
    out
}

/// The byte ranges of the values after secret-bearing keys and schemes in `line`; see [`redact`].
fn keyed_values(line: &str) -> Vec<Range<usize>> {
    let bytes = line.as_bytes();
    let mut values = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        // Keys are ASCII: one never starts inside a multi-byte character, so every range below
        // starts and ends on a char boundary.
        if at > 0 && bytes[at - 1].is_ascii_alphanumeric() {
            at += 1;
            continue;
        }
        let assigned = SECRET_KEYS.iter().find_map(|key| {
            let after = at + starts_with_word(&bytes[at..], key)?;
            separator(bytes, after)
        });
        if let Some(start) = assigned {
            let end = word_end(line, start);
            if start < end
                && !SECRET_SCHEMES
                    .iter()
                    .any(|scheme| starts_with_word(&bytes[start..end], scheme) == Some(end - start))
            {
                values.push(start..end);
                at = end;
            } else {
                // `Authorization: Bearer abc`: the scheme is no secret, the word after it is.
                at = start.max(at + 1);
            }
            continue;
        }
        let schemed = SECRET_SCHEMES.iter().find_map(|scheme| {
            let after = at + starts_with_word(&bytes[at..], scheme)?;
            let start = after + bytes[after..].iter().take_while(|byte| matches!(byte, b' ' | b'\t')).count();
            (start > after).then_some(start)
        });
        if let Some(start) = schemed {
            let end = word_end(line, start);
            if start < end {
                values.push(start..end);
            }
            at = end.max(at + 1);
            continue;
        }
        at += 1;
    }
    values
}

/// The length of `word` if `bytes` starts with it, ignoring ASCII case.
fn starts_with_word(bytes: &[u8], word: &str) -> Option<usize> {
    let head = bytes.get(..word.len())?;
    head.eq_ignore_ascii_case(word.as_bytes()).then_some(word.len())
}

/// Where the value starts after a key that ends at `after`: past an optional closing quote (as in
/// JSON's `"token": "..."`), blanks, `=` or `:`, and blanks. `None` without a separator.
fn separator(bytes: &[u8], mut after: usize) -> Option<usize> {
    let blanks = |at: usize| at + bytes[at..].iter().take_while(|byte| matches!(byte, b' ' | b'\t')).count();
    if matches!(bytes.get(after), Some(b'"' | b'\'')) {
        after += 1;
    }
    after = blanks(after);
    matches!(bytes.get(after), Some(b'=' | b':')).then(|| blanks(after + 1))
}

/// Where the word starting at `start` ends: at the next whitespace, or at the end of `line`.
fn word_end(line: &str, start: usize) -> usize {
    line[start..].find(char::is_whitespace).map_or(line.len(), |end| start + end)
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

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn values_after_secret_bearing_keys_are_redacted_wherever_they_are() {
        let cases = [
            ("login failed: password=hunter2", "login failed: password=[redacted]"),
            ("password=hunter2 is wrong", "password=[redacted] is wrong"),
            ("PassWord: hunter2", "PassWord: [redacted]"),
            ("passwd = hunter2; pwd=x", "passwd = [redacted] pwd=[redacted]"),
            (
                "SECRET=s3 Token=t0 api_key=k1 apikey=k2 API-KEY=k3 key=k4",
                "SECRET=[redacted] Token=[redacted] api_key=[redacted] apikey=[redacted] API-KEY=[redacted] key=[redacted]",
            ),
            ("DB_PASSWORD=x access_token:y", "DB_PASSWORD=[redacted] access_token:[redacted]"),
            (r#"{"token": "abc", "user": "u"}"#, r#"{"token": [redacted] "user": "u"}"#),
            ("Authorization: Bearer abc.def next", "Authorization: Bearer [redacted] next"),
            ("authorization: abc.def next", "authorization: [redacted] next"),
            ("sent bearer  abc and Basic dXNlcg==", "sent bearer  [redacted] and Basic [redacted]"),
            ("token=a\ttoken=b", "token=[redacted]\ttoken=[redacted]"),
        ];
        for (line, redacted) in cases {
            assert_eq!(redact(line, &[]), redacted, "{line}");
        }
    }

    #[test]
    fn words_that_only_look_like_keys_stay() {
        for line in [
            "token expired, log in again",
            "monkey=banana keyboard: us tokens=5 passwords: 2",
            "password=",
            "the bearer",
            "basically fine",
            "secret",
        ] {
            assert_eq!(redact(line, &[]), line);
        }
    }

    #[test]
    fn known_secrets_are_redacted_everywhere_but_short_ones_are_ignored() {
        assert_eq!(redact("old tok-1234 (tok-1234)", &["tok-1234"]), "old [redacted] ([redacted])");
        assert_eq!(redact("«tok-1234»,tok-1234.", &["tok-1234"]), "«[redacted]»,[redacted].");
        assert_eq!(redact("ababab", &["abab"]), "[redacted]", "overlapping occurrences");
        assert_eq!(redact("a tok and abc", &["", "a", "tok", "abc"]), "a tok and abc", "too short");
        assert_eq!(redact("Grüße tökén1 ça", &["tökén1"]), "Grüße [redacted] ça");
        assert_eq!(
            redact("x tok-12345678 tok-1234abcd k=v", &["tok-1234", "345678", "abcd"]),
            "x [redacted] [redacted] k=v",
            "overlapping and touching secrets become one; k= is no key"
        );
        assert_eq!(redact("token=tok-1234", &["tok-1234"]), "token=[redacted]");
    }

    #[test]
    fn the_excerpt_is_the_first_non_empty_line_redacted_printable_and_short() {
        assert_eq!(
            stderr_excerpt(b"\n  \n  login failed: password=hunter2\nsecond\n", &[]),
            "login failed: password=[redacted]"
        );
        assert_eq!(stderr_excerpt(b"\n \n", &[]), "");
        assert_eq!(stderr_excerpt(b"bad\x1b[31mred\xff", &[]), "bad\u{fffd}[31mred\u{fffd}");
        let long = "é".repeat(MAX_EXCERPT + 5);
        let excerpt = stderr_excerpt(long.as_bytes(), &[]);
        assert_eq!(excerpt, format!("{}…", "é".repeat(MAX_EXCERPT)));
        let exact = "x".repeat(MAX_EXCERPT);
        assert_eq!(stderr_excerpt(exact.as_bytes(), &[]), exact, "not cut at the limit");
        // A secret across the cut leaves nothing of itself behind.
        let across = format!("{} tok-SECRET-VALUE", "x".repeat(MAX_EXCERPT - 8));
        let excerpt = stderr_excerpt(across.as_bytes(), &["tok-SECRET-VALUE"]);
        assert!(excerpt.ends_with(" [redact…") && !excerpt.contains("tok-"), "{excerpt}");
    }

    #[cfg(unix)]
    #[test]
    fn an_ending_names_its_status_or_signal_once() {
        use std::os::unix::process::ExitStatusExt as _;
        assert_eq!(ended(ExitStatus::from_raw(7 << 8)), "exited with status 7");
        assert_eq!(ended(ExitStatus::from_raw(9)), "was killed by signal 9");
    }

    proptest! {
        // A failure prints its input; it writes no regressions file into the source tree.
        #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn redaction_never_panics_and_never_shows_a_known_secret(
            line in any::<String>(),
            secret in "[A-Z0-9]{4,12}",
            at in any::<prop::sample::Index>(),
            from in any::<prop::sample::Index>(),
            len in 0usize..16,
        ) {
            // The secret is put somewhere in the line, on a char boundary.
            let bounds: Vec<usize> = line.char_indices().map(|(i, _)| i).chain([line.len()]).collect();
            let cut = bounds[at.index(bounds.len())];
            let line = format!("{}{secret}{}", &line[..cut], &line[cut..]);
            // Secrets made of "[redacted]"'s letters could span a redaction; these cannot.
            let redacted = redact(&line, &[&secret]);
            prop_assert!(!redacted.contains(&secret), "{redacted:?}");
            // Any substring as a secret, and the excerpt: no panic, and short.
            let start = from.index(line.chars().count() + 1);
            let other: String = line.chars().skip(start).take(len).collect();
            let _ = redact(&line, &[&other, &secret]);
            let excerpt = stderr_excerpt(line.as_bytes(), &[&other]);
            prop_assert!(excerpt.chars().count() <= MAX_EXCERPT + 1, "{excerpt:?}");
        }

        #[test]
        fn a_keyed_value_never_shows(
            before in "[a-z =:.,é\u{3000}\t-]{0,20}",
            key in prop::sample::select(&SECRET_KEYS[..]),
            separator in prop::sample::select(&["=", ": ", " = ", "\":\t"][..]),
            value in "[0-9]{1,12}",
            after in "[a-z =:.,é\u{3000}-]{0,20}",
        ) {
            let upper = key.to_ascii_uppercase();
            let line = format!("{before} {upper}{separator}{value} {after}");
            let redacted = redact(&line, &[]);
            prop_assert!(!redacted.contains(&value), "{line:?} -> {redacted:?}");
        }
    }
}
