//! Credentials, the headers they become, and where they come from (`CredentialProvider`).
//!
//! Secrets (API keys, tokens) live in `secrecy::SecretString` from the moment they are read, and
//! every `Debug` here prints `[redacted]` in their place. Header values built from them are marked
//! sensitive so that the HTTP stack never prints them either.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use secrecy::{ExposeSecret, SecretString};

use rockit_model::{HEADER_API_KEY, HEADER_ORG, HEADER_TOKEN, HEADER_USER};

use crate::error::{Error, ErrorKind, Result};

const REDACTED: &str = "[redacted]";

/// One kind of credentials; the client sends exactly one kind per request, never both.
#[derive(Clone)]
#[non_exhaustive]
pub enum Credentials {
    /// A machine user's API key, for automation: sends `x-rockit-orgname`, `x-rockit-username` and
    /// `x-rockit-api-key`.
    ApiKey {
        /// The organization's unique name.
        org: String,
        /// The machine user's unique name.
        user: String,
        /// The API key.
        key: SecretString,
    },
    /// A short-lived backend auth token of a user login: sends `x-rockit-beauth-token`, and
    /// `x-rockit-orgname` when an org is set.
    Token {
        /// The token.
        token: SecretString,
        /// The organization's unique name, if known.
        org: Option<String>,
    },
}

impl Credentials {
    /// API-key credentials of machine user `user` in organization `org`.
    pub fn api_key(org: impl Into<String>, user: impl Into<String>, key: impl Into<String>) -> Self {
        Self::ApiKey { org: org.into(), user: user.into(), key: SecretString::from(key.into()) }
    }

    /// Token credentials, without an org header.
    pub fn token(token: impl Into<String>) -> Self {
        Self::Token { token: SecretString::from(token.into()), org: None }
    }

    /// Token credentials that also send `x-rockit-orgname`.
    pub fn token_for_org(token: impl Into<String>, org: impl Into<String>) -> Self {
        Self::Token { token: SecretString::from(token.into()), org: Some(org.into()) }
    }

    /// The organization, if set.
    pub fn org(&self) -> Option<&str> {
        match self {
            Self::ApiKey { org, .. } => Some(org),
            Self::Token { org, .. } => org.as_deref(),
        }
    }

    /// The headers these credentials add to a request; secret values are marked sensitive.
    pub(crate) fn headers(&self) -> Result<HeaderMap> {
        let mut headers = HeaderMap::with_capacity(3);
        match self {
            Self::ApiKey { org, user, key } => {
                insert(&mut headers, HEADER_ORG, org, false)?;
                insert(&mut headers, HEADER_USER, user, false)?;
                insert(&mut headers, HEADER_API_KEY, key.expose_secret(), true)?;
            }
            Self::Token { token, org } => {
                insert(&mut headers, HEADER_TOKEN, token.expose_secret(), true)?;
                if let Some(org) = org {
                    insert(&mut headers, HEADER_ORG, org, false)?;
                }
            }
        }
        Ok(headers)
    }
}

fn insert(headers: &mut HeaderMap, name: &'static str, value: &str, secret: bool) -> Result<()> {
    let what = if secret { "the secret" } else { value };
    if value.is_empty() {
        return Err(Error::config(format!("{name} would be empty; set a value for it")));
    }
    let mut header = HeaderValue::from_str(value).map_err(|_| {
        Error::config(format!(
            "{name}: {what:?} cannot be sent as an HTTP header (it holds a line break or another control character)"
        ))
    })?;
    header.set_sensitive(secret);
    headers.insert(HeaderName::from_static(name), header);
    Ok(())
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ApiKey { org, user, .. } => f
                .debug_struct("ApiKey")
                .field("org", org)
                .field("user", user)
                .field("key", &format_args!("{REDACTED}"))
                .finish(),
            Self::Token { org, .. } => {
                f.debug_struct("Token").field("token", &format_args!("{REDACTED}")).field("org", org).finish()
            }
        }
    }
}

impl fmt::Display for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ApiKey { org, user, .. } => write!(f, "API key of {user} in {org} ({REDACTED})"),
            Self::Token { org: Some(org), .. } => write!(f, "auth token for {org} ({REDACTED})"),
            Self::Token { org: None, .. } => write!(f, "auth token ({REDACTED})"),
        }
    }
}

/// A boxed future returned by a [`CredentialProvider`].
pub type CredentialFuture<'a> = Pin<Box<dyn Future<Output = Result<Credentials>> + Send + 'a>>;

/// Where the client gets its credentials, and how it renews them.
///
/// The client asks [`credentials`](Self::credentials) once at the start of every call (fixed
/// credentials are turned into headers once, when the client is built). When the server answers
/// `401 token-expired`, it calls [`refresh`](Self::refresh) once and repeats the request once
/// with what that returns; a second `token-expired` is returned as an error. If `refresh` fails,
/// the call returns the server's `token-expired` error with the refresh failure as its source.
///
/// ```
/// use std::sync::Mutex;
/// use rockit_transport::{CredentialFuture, CredentialProvider, Credentials};
///
/// /// Logs in again whenever the 5-minute token expires.
/// struct Relogin { current: Mutex<Credentials> }
///
/// impl CredentialProvider for Relogin {
///     fn credentials(&self) -> CredentialFuture<'_> {
///         let current = self.current.lock().unwrap().clone();
///         Box::pin(async move { Ok(current) })
///     }
///     fn refresh(&self) -> CredentialFuture<'_> {
///         Box::pin(async move {
///             let fresh = Credentials::token("a-new-token"); // POST /be/v1/login, /be/v1/auth
///             *self.current.lock().unwrap() = fresh.clone();
///             Ok(fresh)
///         })
///     }
/// }
/// ```
pub trait CredentialProvider: Send + Sync + 'static {
    /// The credentials to use now.
    fn credentials(&self) -> CredentialFuture<'_>;

    /// New credentials after the server reported `token-expired`. The default fails, so the
    /// caller gets the `token-expired` error (with this failure as its source).
    fn refresh(&self) -> CredentialFuture<'_> {
        Box::pin(async {
            Err(Error::new(ErrorKind::Credentials {
                message: "the token expired and this credential provider cannot refresh it; log in again"
                    .to_owned(),
            }))
        })
    }

    /// The organization the credentials name, if known without asking for them: task names start
    /// with it ([`crate::Client::org`]). None by default.
    fn org(&self) -> Option<&str> {
        None
    }
}

/// A shared provider is a provider: keep an `Arc` to inspect or drive it while the client uses it.
impl<P: CredentialProvider + ?Sized> CredentialProvider for Arc<P> {
    fn credentials(&self) -> CredentialFuture<'_> {
        (**self).credentials()
    }

    fn refresh(&self) -> CredentialFuture<'_> {
        (**self).refresh()
    }

    fn org(&self) -> Option<&str> {
        (**self).org()
    }
}

/// Fixed credentials: the default provider, for API keys.
#[derive(Debug, Clone)]
pub struct StaticCredentials(Arc<Credentials>);

impl StaticCredentials {
    /// Always supplies `credentials`.
    pub fn new(credentials: Credentials) -> Self {
        Self(Arc::new(credentials))
    }
}

impl CredentialProvider for StaticCredentials {
    fn credentials(&self) -> CredentialFuture<'_> {
        let credentials = Credentials::clone(&self.0);
        Box::pin(async move { Ok(credentials) })
    }

    fn org(&self) -> Option<&str> {
        self.0.org()
    }
}
