//! `ClientBuilder`: base URL, credentials, timeouts, retries and limits, from code or from the
//! `ROCKIT_*` environment variables, validated once at `build()`.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use reqwest::Url;
use reqwest::header::{ACCEPT, HeaderValue};
use reqwest::redirect::Policy;

use crate::client::{Client, ClientInner, Network};
use crate::credentials::{CredentialProvider, Credentials, StaticCredentials};
use crate::error::{Error, Result};
use crate::retry::{RetryPolicy, RetryTokens};
use crate::tls::{CaFile, Roots, client_config, read_ca_file};

/// The environment variable holding the base URL.
pub const ENV_ENDPOINT: &str = "ROCKIT_ENDPOINT";
/// The environment variable holding the organization's name.
pub const ENV_ORG: &str = "ROCKIT_ORG";
/// The environment variable holding the machine user's name.
pub const ENV_USER: &str = "ROCKIT_USER";
/// The environment variable holding the machine user's API key.
pub const ENV_API_KEY: &str = "ROCKIT_API_KEY";
/// The environment variable holding a backend auth token.
pub const ENV_TOKEN: &str = "ROCKIT_TOKEN";

/// The default cap on a response body: 8 MiB, about 80,000 tasks in one list page.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 8 * 1024 * 1024;

/// Builds a [`Client`]; see [`Client::builder`]. Every setter consumes and returns the builder.
#[must_use]
pub struct ClientBuilder {
    base_url: Option<String>,
    credentials: CredentialSource,
    connect_timeout: Duration,
    timeout: Duration,
    deadline: Option<Duration>,
    retry: RetryPolicy,
    user_agent: String,
    allow_insecure_http: bool,
    max_response_bytes: usize,
    ca_files: Vec<PathBuf>,
    use_proxy: bool,
}

/// Where the client's credentials come from.
enum CredentialSource {
    None,
    Static(Credentials),
    Provider(Arc<dyn CredentialProvider>),
    /// Settings that cannot make credentials (such as an API key without its user): the error
    /// `build()` returns.
    Invalid(Error),
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            base_url: None,
            credentials: CredentialSource::None,
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            deadline: None,
            retry: RetryPolicy::default(),
            user_agent: concat!("rockit-rs/", env!("CARGO_PKG_VERSION")).to_owned(),
            allow_insecure_http: false,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            ca_files: Vec::new(),
            use_proxy: true,
        }
    }
}

impl Client {
    /// A builder with default timeouts, retries and limits.
    pub fn builder() -> ClientBuilder {
        // Equivalent mutant: `Default::default()` is this very call.
        ClientBuilder::default()
    }

    /// A client configured from `ROCKIT_ENDPOINT`, `ROCKIT_ORG`, `ROCKIT_USER`, `ROCKIT_API_KEY`
    /// and `ROCKIT_TOKEN`; the error names the variable that is missing or the two that conflict.
    pub fn from_env() -> Result<Self> {
        Self::builder().from_env().build()
    }
}

impl ClientBuilder {
    /// The base URL of the ROCKIT Edge host, such as `https://edge.example.com` or, with a path
    /// prefix, `https://host/edge/`. Endpoint paths (`/be/v1/...`) are appended to it.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Fixed credentials (wrapped in a [`StaticCredentials`] provider).
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = CredentialSource::Static(credentials);
        self
    }

    /// A provider that supplies, and can refresh, credentials.
    pub fn credential_provider(mut self, provider: impl CredentialProvider) -> Self {
        self.credentials = CredentialSource::Provider(Arc::new(provider));
        self
    }

    /// Makes `build()` fail with `error`: settings that cannot make credentials.
    pub(crate) fn invalid_credentials(mut self, error: Error) -> Self {
        self.credentials = CredentialSource::Invalid(error);
        self
    }

    /// How long establishing a connection may take. Default: 10 s.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long one attempt (sending the request and reading the whole response) may take.
    /// Default: 30 s.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// How long a whole call, retries and their delays included, may take. Default: none.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// How failed attempts are retried. Default: [`RetryPolicy::default`].
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The `User-Agent` header. Default: `rockit-rs/<version>`.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Allows plain `http` to hosts that are not loopback, which sends credentials in clear text.
    /// Default: false (plain `http` only to `127.0.0.0/8`, `localhost` and `[::1]`).
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// The largest response body the client reads; a larger one is an error. Default:
    /// [`DEFAULT_MAX_RESPONSE_BYTES`].
    pub fn max_response_bytes(mut self, limit: usize) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// Trusts the CA certificates of the PEM file at `path` too, besides the system's trust store
    /// (a studio's private CA, a TLS-inspecting proxy's). Read at `build()`: a missing, unreadable
    /// or empty file, or one that is not PEM, is an [`ErrorKind::InvalidConfig`](crate::ErrorKind)
    /// error naming it. May be called more than once.
    pub fn ca_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.ca_files.push(path.into());
        self
    }

    /// Never uses a proxy, whatever `HTTPS_PROXY`, `ALL_PROXY` and the like say. By default the
    /// client reads them as curl does (see the crate's README); a loopback endpoint never uses one.
    pub fn no_proxy(mut self) -> Self {
        self.use_proxy = false;
        self
    }

    /// Validates the configuration and builds the client.
    pub fn build(self) -> Result<Client> {
        let raw_url = self.base_url.as_deref().ok_or_else(|| {
            Error::config(format!(
                "no endpoint; set {ENV_ENDPOINT} or call base_url(\"https://your-edge-host\")"
            ))
        })?;
        let base_url = parse_base_url(raw_url)?;
        let loopback = is_loopback(&base_url);
        if base_url.scheme() == "http" && !loopback && !self.allow_insecure_http {
            return Err(Error::new(crate::error::ErrorKind::InsecureEndpoint { url: base_url.to_string() }));
        }
        let fixed =
            |credentials: Credentials| -> Result<(Arc<dyn CredentialProvider>, Option<_>, Option<String>)> {
                // Fail at build time, not at the first call, on values that cannot be headers; and
                // build them once, not on every request.
                let headers = credentials.headers()?;
                let org = credentials.org().map(str::to_owned);
                Ok((Arc::new(StaticCredentials::new(credentials)), Some(headers), org))
            };
        let (provider, fixed_headers, org) = match self.credentials {
            CredentialSource::Provider(provider) => {
                let org = provider.org().map(str::to_owned);
                (provider, None, org)
            }
            CredentialSource::Static(credentials) => fixed(credentials)?,
            CredentialSource::Invalid(error) => return Err(error),
            CredentialSource::None => {
                return Err(Error::config(format!(
                    "no credentials; call credentials(...) or set {ENV_API_KEY} (with {ENV_ORG} and {ENV_USER}) or {ENV_TOKEN}"
                )));
            }
        };
        if self.retry.max_attempts == 0 {
            return Err(Error::config(
                "retry policy allows 0 attempts; use RetryPolicy::none() for exactly one",
            ));
        }
        // Sent with every request without being copied into each: `Accept`, and the headers of
        // fixed credentials.
        let mut default_headers = fixed_headers.clone().unwrap_or_default();
        default_headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        let process_env = |name: &str| std::env::var(name).ok();
        let mut certificates = Vec::new();
        let mut files = Vec::new();
        for path in &self.ca_files {
            let read = read_ca_file(path)?;
            files.push(CaFile { path: path.clone(), certificates: read.len() });
            certificates.extend(read);
        }
        // A proxy cannot reach this machine's loopback interface on our behalf.
        let proxy =
            if loopback || !self.use_proxy { None } else { crate::proxy::from_env(&process_env, &base_url)? };
        let network = Network { roots: Roots::new(files, process_env), proxy: None };
        let mut http = reqwest::Client::builder()
            .tls_backend_preconfigured(client_config(certificates)?)
            // The proxy is decided here, once, for the client's one host.
            .no_proxy()
            .default_headers(default_headers)
            .redirect(Policy::none())
            .connect_timeout(self.connect_timeout)
            .user_agent(self.user_agent.clone())
            .pool_idle_timeout(Duration::from_secs(60));
        let network = match proxy {
            Some((proxy, info)) => {
                http = http.proxy(proxy);
                Network { proxy: Some(info), ..network }
            }
            None => network,
        };
        let http = http
            .build()
            .map_err(|err| Error::config("cannot initialise the HTTP client").with_source(err))?;
        Ok(Client::from_inner(ClientInner {
            http,
            base_url,
            provider,
            fixed_credentials: fixed_headers.is_some(),
            org,
            timeout: self.timeout,
            deadline: self.deadline,
            retry_tokens: RetryTokens::new(self.retry.budget),
            retry: self.retry,
            max_response_bytes: self.max_response_bytes,
            network,
            secrets: fixed_headers.as_ref().map(crate::client::secret_values).unwrap_or_default(),
        }))
    }
}

/// The endpoint as it may appear in a message: without user info, query or fragment, which could
/// hold secrets.
fn shown(raw: &str) -> String {
    let cut = raw.find(['?', '#']).map_or(raw, |at| &raw[..at]);
    match (cut.find("://"), cut.rfind('@')) {
        // Equivalent mutant: `>=`, as `at` cannot be `scheme_end`, which holds a `:`, not an `@`.
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            format!("{}://[redacted]@{}", &cut[..scheme_end], &cut[at + 1..])
        }
        _ => cut.to_owned(),
    }
}

fn parse_base_url(input: &str) -> Result<Url> {
    let raw = &shown(input.trim());
    let url = Url::parse(input.trim()).map_err(|err| {
        Error::config(format!(
            "endpoint {raw:?} is not a URL ({err}); write it like https://edge.example.com"
        ))
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Error::config(format!("endpoint {raw:?} must use https (or http to loopback)")));
    }
    if url.host().is_none() {
        return Err(Error::config(format!("endpoint {raw:?} has no host")));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::config(
            "endpoint URL must not carry a user name or password; pass credentials separately",
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::config(format!("endpoint {raw:?} must not have a query or fragment")));
    }
    Ok(url)
}

/// Whether the URL's host is `localhost`, in `127.0.0.0/8`, or `[::1]`.
fn is_loopback(url: &Url) -> bool {
    let Some(host) = url.host_str() else { return false };
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    let bare = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host);
    bare.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url.as_deref().map(shown))
            .field("credentials", &self.credentials)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("deadline", &self.deadline)
            .field("retry", &self.retry)
            .field("user_agent", &self.user_agent)
            .field("allow_insecure_http", &self.allow_insecure_http)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("ca_files", &self.ca_files)
            .field("use_proxy", &self.use_proxy)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for CredentialSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::None => f.write_str("None"),
            Self::Static(credentials) => fmt::Debug::fmt(credentials, f),
            Self::Provider(_) => f.write_str("Provider"),
            Self::Invalid(_) => f.write_str("Invalid"),
        }
    }
}
